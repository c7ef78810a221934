//! Deterministic SVG charts for juesuan's final-accounts disclosures (部门决算公开).
//!
//! Two chart kinds are supported:
//!
//! * [`BarChart`] — a grouped vertical bar chart (柱状图), e.g. 本年 vs 上年 for
//!   several expenditure categories, rendered by [`bar_svg`];
//! * [`PieChart`] — a pie chart (饼状图) of a whole's parts, rendered by [`pie_svg`].
//!
//! The output is a complete standalone SVG document that can be inlined in HTML or
//! rasterised later (e.g. with resvg). Rendering is deterministic: the same input always
//! yields byte-identical output. Integer `value`s drive geometry; the numbers beside the bars
//! and in the legends come from the caller's pre-formatted label strings, so the charts never
//! round money themselves. The bar chart's value axis prints its ticks, which are exact
//! decimal shifts of integers ([`BarChart::value_decimals`]), never rounded. Floating point
//! is used for coordinates only.
//!
//! ```
//! use juesuan_charts::{bar_svg, pie_svg, BarChart, ChartValue, PieChart, Series, Slice};
//!
//! let bars = BarChart {
//!     title: "财政拨款支出决算".to_string(),
//!     unit: "万元".to_string(),
//!     categories: vec!["一般公共服务支出".to_string(), "教育支出".to_string()],
//!     // values in 元, axis ticks in 万元
//!     value_decimals: 4,
//!     series: vec![
//!         Series {
//!             name: "本年".to_string(),
//!             values: vec![
//!                 ChartValue { value: 6_865_400, label: "686.54".to_string() },
//!                 ChartValue { value: 120_000, label: "12.00".to_string() },
//!             ],
//!         },
//!         Series {
//!             name: "上年".to_string(),
//!             values: vec![
//!                 ChartValue { value: 5_000_000, label: "500.00".to_string() },
//!                 ChartValue { value: 250_050, label: "25.01".to_string() },
//!             ],
//!         },
//!     ],
//! };
//! let svg = bar_svg(&bars);
//! assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
//! assert!(svg.contains(">686.54</text>"));
//! assert!(svg.contains(">800</text>"), "axis tick");
//!
//! let pie = PieChart {
//!     title: "支出结构".to_string(),
//!     unit: "万元".to_string(),
//!     slices: vec![Slice {
//!         label: "基本支出".to_string(),
//!         value: 5916,
//!         value_label: "591.60".to_string(),
//!         share_label: "100.00%".to_string(),
//!     }],
//! };
//! assert!(pie_svg(&pie).contains("基本支出 591.60（100.00%）"));
//! ```

use juesuan_core::markup::escape as esc;
use std::fmt::Write as _;

/// Font stack used for every text element: ends with installed CJK fonts so Chinese never
/// falls back to boxes (豆腐块).
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'SimHei', sans-serif";

/// One value on a chart. `value` drives geometry (any integer unit, e.g. 分); `label` is the
/// already formatted text shown to the reader (e.g. "686.54"), so the chart never formats money itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartValue {
    /// Value in any integer unit (e.g. 分); only used for geometry.
    pub value: i64,
    /// Already formatted text shown above (or below, if negative) the bar.
    pub label: String,
}

/// One data series of a [`BarChart`] (e.g. "本年" or "上年"), with one value per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Series name shown in the legend (图例).
    pub name: String,
    /// One value per category, in the order of [`BarChart::categories`]. Missing trailing
    /// values are simply not drawn; extra values are ignored.
    pub values: Vec<ChartValue>,
}

/// Grouped vertical bar chart (柱状图), e.g. 本年 vs 上年 for several categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    /// Chart title (标题), shown at the top and used as the SVG `<title>`.
    pub title: String,
    /// Value unit (单位), e.g. "万元"; shown as "单位：万元". Empty to omit.
    pub unit: String,
    /// Category names (类别) along the horizontal axis.
    pub categories: Vec<String>,
    /// Decimal places the integer `value`s carry relative to `unit`: tick `t` of the value
    /// axis is printed as t / 10^value_decimals (2 when values are 0.01 万元 and the unit is
    /// 万元). Ticks are 1, 2 or 5 × 10^k value units, so each prints exactly.
    pub value_decimals: u32,
    /// Data series; each is drawn in its own colour and listed in the legend.
    pub series: Vec<Series>,
}

/// One part of a [`PieChart`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Name of the part, e.g. "基本支出".
    pub label: String,
    /// Value in any integer unit; drives the slice angle. Negative values count as 0.
    pub value: i64,
    /// Already formatted value shown in the legend, e.g. "686.54".
    pub value_label: String,
    /// Already formatted share (占比) shown in the legend, e.g. "59.16%".
    pub share_label: String,
}

/// Pie chart (饼状图) of a whole's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PieChart {
    /// Chart title (标题), shown at the top and used as the SVG `<title>`.
    pub title: String,
    /// Value unit (单位), e.g. "万元"; shown as "单位：万元". Empty to omit.
    pub unit: String,
    /// The parts; every slice is listed in the legend, zero slices are not drawn.
    pub slices: Vec<Slice>,
}

/// Fixed, print-friendly palette (cycled for series and slices); the Word writer's native
/// charts use the same colours.
pub const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#499894", "#d4a6c8",
];

const TEXT_COLOR: &str = "#222222";
const MUTED_COLOR: &str = "#555555";
const GRID_COLOR: &str = "#dddddd";
const AXIS_COLOR: &str = "#333333";
const EMPTY_FILL: &str = "#eeeeee";
const EMPTY_STROKE: &str = "#bdbdbd";

const FS_TITLE: f64 = 18.0;
const FS_UNIT: f64 = 12.0;
const FS_LABEL: f64 = 11.0;
const FS_CATEGORY: f64 = 12.0;
const FS_LEGEND: f64 = 12.0;

const MARGIN: f64 = 24.0;
const TITLE_Y: f64 = 30.0;
const UNIT_Y: f64 = 54.0;
const SWATCH: f64 = 12.0;

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Formats a coordinate with at most two decimals, locale-independent, no trailing zeros.
fn num(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let mut s = format!("{x:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// Rough rendered width of `s` at `font_size`: CJK/full-width glyphs are square, Latin
/// glyphs and digits about 0.6 em. Only used to size the canvas and avoid overlaps.
fn text_width(s: &str, font_size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * font_size
}

/// Document prologue: root element, accessible title, white background, root group with the
/// font stack. Must be closed with [`close_doc`].
fn open_doc(out: &mut String, width: f64, height: f64, title: &str) {
    let (w, h) = (num(width), num(height));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">\n\
         <title>{}</title>\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n\
         <g font-family=\"{FONT_FAMILY}\" fill=\"{TEXT_COLOR}\">\n",
        esc(title)
    );
}

fn close_doc(out: &mut String) {
    out.push_str("</g>\n</svg>\n");
}

/// Visible title (centred) and the unit line ("单位：万元", right-aligned) below it.
fn heading(out: &mut String, width: f64, title: &str, unit: &str) {
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>",
        num(width / 2.0),
        num(TITLE_Y),
        num(FS_TITLE),
        esc(title)
    );
    if !unit.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"unit\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" fill=\"{MUTED_COLOR}\">单位：{}</text>",
            num(width - MARGIN),
            num(UNIT_Y),
            num(FS_UNIT),
            esc(unit)
        );
    }
}

/// The chart for a figure whose caption is its title (report.html, the PDF): the same SVG
/// without the visible title, so that the title is printed once. The accessible `<title>`
/// stays; the space above the unit line stays too, so the geometry is unchanged.
pub fn without_visible_title(svg: &str) -> String {
    let Some(start) = svg.find("<text class=\"title\"") else {
        return svg.to_string();
    };
    let end = svg[start..]
        .find("</text>\n")
        .map_or(svg.len(), |e| start + e + "</text>\n".len());
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..start]);
    out.push_str(&svg[end..]);
    out
}

/// Minimum canvas width so the heading fits.
fn heading_width(title: &str, unit: &str) -> f64 {
    let t = text_width(title, FS_TITLE);
    let u = text_width(&format!("单位：{unit}"), FS_UNIT);
    t.max(u) + 2.0 * MARGIN
}

/// Value axis: `lo..=hi` in steps of `step`, where `step` is 1, 2 or 5 × 10^k and the axis
/// has 3–5 intervals (4–6 gridlines, including the zero line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Axis {
    lo: i128,
    hi: i128,
    step: i128,
}

impl Axis {
    fn new(min_v: i64, max_v: i64) -> Axis {
        let pos = i128::from(max_v.max(0));
        let neg = -i128::from(min_v.min(0));
        if pos == 0 && neg == 0 {
            return Axis {
                lo: 0,
                hi: 4,
                step: 1,
            };
        }
        let ceil_div = |a: i128, b: i128| (a + b - 1) / b;
        let mut power: i128 = 1;
        let (step, mut n_pos, mut n_neg) = 'search: loop {
            for m in [1, 2, 5] {
                let s = m * power;
                let (np, nn) = (ceil_div(pos, s), ceil_div(neg, s));
                if np + nn <= 5 {
                    break 'search (s, np, nn);
                }
            }
            // |values| < 2^64 < 10^20, so this terminates long before overflowing i128.
            power *= 10;
        };
        let short = 3 - (n_pos + n_neg).min(3);
        if pos > 0 || neg == 0 {
            n_pos += short;
        } else {
            n_neg += short;
        }
        Axis {
            lo: -n_neg * step,
            hi: n_pos * step,
            step,
        }
    }

    fn ticks(&self) -> impl Iterator<Item = i128> + '_ {
        let n = (self.hi - self.lo) / self.step;
        (0..=n).map(move |i| self.lo + i * self.step)
    }
}

/// Tick `t` (in value units) as a decimal with `decimals` places shifted in, trailing zeros
/// dropped: exact (integer digits only, no floating point).
fn tick_text(t: i128, decimals: u32) -> String {
    let digits = t.unsigned_abs().to_string();
    let d = decimals as usize;
    let padded = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = padded.split_at(padded.len() - d);
    let frac = frac.trim_end_matches('0');
    let sign = if t < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Lays legend items out in centred rows not wider than `max_width`; returns, per row, the
/// starting x and the item indices, plus each item's width.
fn legend_rows(labels: &[String], canvas_width: f64) -> Vec<(f64, Vec<(usize, f64)>)> {
    let max_width = canvas_width - 2.0 * MARGIN;
    let gap = 20.0;
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current: Vec<(usize, f64)> = Vec::new();
    let mut used = 0.0;
    for (i, label) in labels.iter().enumerate() {
        let w = SWATCH + 6.0 + text_width(label, FS_LEGEND);
        let needed = if current.is_empty() {
            w
        } else {
            used + gap + w
        };
        if !current.is_empty() && needed > max_width {
            rows.push(std::mem::take(&mut current));
            used = w;
        } else {
            used = needed;
        }
        current.push((i, w));
    }
    if !current.is_empty() {
        rows.push(current);
    }
    rows.into_iter()
        .map(|row| {
            let total: f64 =
                row.iter().map(|(_, w)| w).sum::<f64>() + gap * (row.len() as f64 - 1.0);
            ((canvas_width - total) / 2.0, row)
        })
        .collect()
}

fn legend_item(out: &mut String, x: f64, baseline: f64, fill: &str, label: &str) {
    let _ = writeln!(
        out,
        "<rect class=\"swatch\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
        num(x),
        num(baseline - SWATCH + 1.0),
        num(SWATCH),
        num(SWATCH)
    );
    let _ = writeln!(
        out,
        "<text class=\"legend\" x=\"{}\" y=\"{}\" font-size=\"{}\">{}</text>",
        num(x + SWATCH + 6.0),
        num(baseline),
        num(FS_LEGEND),
        esc(label)
    );
}

/// Renders a grouped vertical bar chart (柱状图) as a standalone SVG document.
///
/// Each category gets a group of bars, one per series, coloured by series and explained in a
/// legend below the chart. Each bar's pre-formatted `label` is printed above it (below it for
/// negative values, which are drawn downward from the zero line). Light gridlines mark a
/// "nice" value axis (steps of 1, 2 or 5 × 10^k), with the tick values printed left of it.
pub fn bar_svg(chart: &BarChart) -> String {
    let layout = BarLayout::new(chart);
    let mut out = String::new();
    open_doc(&mut out, layout.width, layout.height, &chart.title);
    heading(&mut out, layout.width, &chart.title, &chart.unit);
    bar_grid(&mut out, &layout);
    bar_ticks(&mut out, chart, &layout);
    bars(&mut out, chart, &layout);
    bar_categories(&mut out, chart, &layout);
    bar_legend(&mut out, chart, &layout);
    close_doc(&mut out);
    out
}

/// Where everything of a bar chart goes: canvas, plot area, bar slots, axis, legend rows.
struct BarLayout {
    width: f64,
    height: f64,
    plot_left: f64,
    plot_right: f64,
    plot_top: f64,
    plot_bottom: f64,
    plot_h: f64,
    /// Width of one category's group, of one bar's slot in it, and of the bar itself.
    group_w: f64,
    slot: f64,
    bar_w: f64,
    axis: Axis,
    /// Baseline of the category labels.
    cat_y: f64,
    legend_top: f64,
    legend_rows: Vec<(f64, Vec<(usize, f64)>)>,
    row_h: f64,
}

impl BarLayout {
    /// Sizes the chart so that value labels, category names, the heading and the legend fit.
    fn new(chart: &BarChart) -> BarLayout {
        let n_cats = chart.categories.len();
        let n_series = chart.series.len();

        // Per-bar slot wide enough for the widest value label.
        let widest_label = chart
            .series
            .iter()
            .flat_map(|s| s.values.iter())
            .map(|v| text_width(&v.label, FS_LABEL))
            .fold(0.0, f64::max);
        let slot = (widest_label + 8.0).max(32.0);
        let bar_w = (slot - 8.0).min(40.0);
        let widest_cat = chart
            .categories
            .iter()
            .map(|c| text_width(c, FS_CATEGORY))
            .fold(0.0, f64::max);
        let group_min = (n_series as f64 * slot + 24.0).max(widest_cat + 16.0);

        let values = || {
            chart
                .series
                .iter()
                .flat_map(|s| s.values.iter().take(n_cats))
        };
        let min_v = values().map(|v| v.value).min().unwrap_or(0);
        let max_v = values().map(|v| v.value).max().unwrap_or(0);
        let axis = Axis::new(min_v, max_v);
        // Room for the widest tick value left of the axis.
        let widest_tick = axis
            .ticks()
            .map(|t| text_width(&tick_text(t, chart.value_decimals), FS_LABEL))
            .fold(0.0, f64::max);
        let left = (widest_tick + 14.0).max(48.0).ceil();
        let right = MARGIN;
        let legend_labels: Vec<String> = chart.series.iter().map(|s| s.name.clone()).collect();
        let legend_min = legend_labels
            .iter()
            .map(|l| SWATCH + 6.0 + text_width(l, FS_LEGEND))
            .fold(0.0, f64::max)
            + 2.0 * MARGIN;
        let width = (left + right + n_cats as f64 * group_min)
            .max(560.0)
            .max(heading_width(&chart.title, &chart.unit))
            .max(legend_min)
            .ceil();
        let plot_left = left;
        let plot_right = width - right;
        let plot_w = plot_right - plot_left;
        let group_w = if n_cats > 0 {
            plot_w / n_cats as f64
        } else {
            plot_w
        };

        let plot_top = 84.0;
        let plot_h = 280.0;
        let plot_bottom = plot_top + plot_h;
        let has_negative = min_v < 0;
        let cat_y = plot_bottom + if has_negative { 34.0 } else { 20.0 };
        let legend_top = cat_y + 30.0;
        let rows = legend_rows(&legend_labels, width);
        let row_h = 22.0;
        let height = (legend_top + rows.len() as f64 * row_h + 8.0).ceil();
        BarLayout {
            width,
            height,
            plot_left,
            plot_right,
            plot_top,
            plot_bottom,
            plot_h,
            group_w,
            slot,
            bar_w,
            axis,
            cat_y,
            legend_top,
            legend_rows: rows,
            row_h,
        }
    }

    /// The y coordinate of a value on the axis.
    fn y_of(&self, v: i128) -> f64 {
        let span = (self.axis.hi - self.axis.lo) as f64;
        self.plot_top + (self.axis.hi - v) as f64 / span * self.plot_h
    }
}

/// Gridlines (light) at the ticks, the value axis and the zero line.
fn bar_grid(out: &mut String, layout: &BarLayout) {
    let (plot_left, plot_right) = (layout.plot_left, layout.plot_right);
    out.push_str("<g class=\"grid\">\n");
    for t in layout.axis.ticks().filter(|&t| t != 0) {
        let y = num(layout.y_of(t));
        let _ = writeln!(
            out,
            "<line class=\"gridline\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{GRID_COLOR}\" stroke-width=\"1\"/>",
            num(plot_left),
            num(plot_right)
        );
    }
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{AXIS_COLOR}\" stroke-width=\"1\"/>",
        num(layout.plot_top),
        num(layout.plot_bottom),
        x = num(plot_left)
    );
    let _ = writeln!(
        out,
        "<line class=\"zero-line\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{AXIS_COLOR}\" stroke-width=\"1\"/>",
        num(plot_left),
        num(plot_right),
        y = num(layout.y_of(0))
    );
    out.push_str("</g>\n");
}

/// The value of each tick, right-aligned left of the value axis.
fn bar_ticks(out: &mut String, chart: &BarChart, layout: &BarLayout) {
    out.push_str("<g class=\"ticks\">\n");
    for t in layout.axis.ticks() {
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"end\" fill=\"{MUTED_COLOR}\">{}</text>",
            num(layout.plot_left - 6.0),
            num(layout.y_of(t) + 4.0),
            num(FS_LABEL),
            tick_text(t, chart.value_decimals)
        );
    }
    out.push_str("</g>\n");
}

/// The bars, grouped by category and coloured by series, each with its value label.
fn bars(out: &mut String, chart: &BarChart, layout: &BarLayout) {
    let (slot, bar_w, group_w) = (layout.slot, layout.bar_w, layout.group_w);
    let y_zero = layout.y_of(0);
    out.push_str("<g class=\"bars\">\n");
    let inner_w = chart.series.len() as f64 * slot;
    for (ci, _) in chart.categories.iter().enumerate() {
        let group_x = layout.plot_left + ci as f64 * group_w + (group_w - inner_w) / 2.0;
        for (si, series) in chart.series.iter().enumerate() {
            let Some(v) = series.values.get(ci) else {
                continue;
            };
            let cx = group_x + (si as f64 + 0.5) * slot;
            let x = cx - bar_w / 2.0;
            let y_v = layout.y_of(i128::from(v.value));
            let (top, h) = if v.value >= 0 {
                (y_v, y_zero - y_v)
            } else {
                (y_zero, y_v - y_zero)
            };
            let _ = writeln!(
                out,
                "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                num(x),
                num(top),
                num(bar_w),
                num(h),
                color(si)
            );
            let label_y = if v.value >= 0 { y_v - 4.0 } else { y_v + 13.0 };
            let _ = writeln!(
                out,
                "<text class=\"value\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\">{}</text>",
                num(cx),
                num(label_y),
                num(FS_LABEL),
                esc(&v.label)
            );
        }
    }
    out.push_str("</g>\n");
}

/// The category names under their groups.
fn bar_categories(out: &mut String, chart: &BarChart, layout: &BarLayout) {
    out.push_str("<g class=\"categories\">\n");
    for (ci, cat) in chart.categories.iter().enumerate() {
        let _ = writeln!(
            out,
            "<text class=\"category\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\">{}</text>",
            num(layout.plot_left + (ci as f64 + 0.5) * layout.group_w),
            num(layout.cat_y),
            num(FS_CATEGORY),
            esc(cat)
        );
    }
    out.push_str("</g>\n");
}

/// The legend (图例): one swatch and name per series, in centred rows.
fn bar_legend(out: &mut String, chart: &BarChart, layout: &BarLayout) {
    out.push_str("<g class=\"legend\">\n");
    for (ri, (start, items)) in layout.legend_rows.iter().enumerate() {
        let baseline = layout.legend_top + ri as f64 * layout.row_h + FS_LEGEND;
        let mut x = *start;
        for &(i, w) in items {
            legend_item(out, x, baseline, color(i), &chart.series[i].name);
            x += w + 20.0;
        }
    }
    out.push_str("</g>\n");
}

/// Renders a pie chart (饼状图) as a standalone SVG document.
///
/// Slices are proportional to their values (negative values count as 0), start at twelve
/// o'clock and run clockwise. Zero slices are not drawn but every slice is listed in the
/// legend as "label value_label（share_label）". A lone non-zero slice is drawn as a full
/// circle; if all values are zero, an empty grey circle with the text "无数据" is drawn.
pub fn pie_svg(chart: &PieChart) -> String {
    let r = 130.0;
    let cx = MARGIN + 10.0 + r;
    let cy = 84.0 + 10.0 + r;

    let legend_labels: Vec<String> = chart
        .slices
        .iter()
        .map(|s| format!("{} {}（{}）", s.label, s.value_label, s.share_label))
        .collect();
    let legend_x = cx + r + 40.0;
    let row_h = 24.0;
    let legend_w = legend_labels
        .iter()
        .map(|l| SWATCH + 6.0 + text_width(l, FS_LEGEND))
        .fold(0.0, f64::max);
    let legend_h = legend_labels.len() as f64 * row_h;
    let legend_top = if legend_h <= 2.0 * r + 20.0 {
        cy - legend_h / 2.0
    } else {
        cy - r - 10.0
    };
    let width = (legend_x + legend_w + MARGIN)
        .max(heading_width(&chart.title, &chart.unit))
        .max(560.0)
        .ceil();
    let height = (cy + r + 10.0 + MARGIN)
        .max(legend_top + legend_h + MARGIN)
        .ceil();

    let mut out = String::new();
    open_doc(&mut out, width, height, &chart.title);
    heading(&mut out, width, &chart.title, &chart.unit);

    let weights: Vec<i128> = chart
        .slices
        .iter()
        .map(|s| i128::from(s.value.max(0)))
        .collect();
    let total: i128 = weights.iter().sum();
    let nonzero: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0).collect();

    out.push_str("<g class=\"pie\">\n");
    if total == 0 {
        let _ = writeln!(
            out,
            "<circle class=\"empty\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{EMPTY_FILL}\" stroke=\"{EMPTY_STROKE}\" stroke-width=\"1\"/>",
            num(cx),
            num(cy),
            num(r)
        );
        let _ = writeln!(
            out,
            "<text class=\"no-data\" x=\"{}\" y=\"{}\" font-size=\"16\" text-anchor=\"middle\" fill=\"{MUTED_COLOR}\">无数据</text>",
            num(cx),
            num(cy + 6.0)
        );
    } else if let [only] = nonzero[..] {
        let _ = writeln!(
            out,
            "<circle class=\"slice\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
            num(cx),
            num(cy),
            num(r),
            color(only)
        );
    } else {
        let point = |cum: i128| {
            let angle = cum as f64 / total as f64 * std::f64::consts::TAU;
            (cx + r * angle.sin(), cy - r * angle.cos())
        };
        let mut cum: i128 = 0;
        for &i in &nonzero {
            let start = point(cum);
            let next = cum + weights[i];
            let end = point(next);
            let large = u8::from(2 * weights[i] > total);
            let _ = writeln!(
                out,
                "<path class=\"slice\" d=\"M {} {} L {} {} A {} {} 0 {large} 1 {} {} Z\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
                num(cx),
                num(cy),
                num(start.0),
                num(start.1),
                num(r),
                num(r),
                num(end.0),
                num(end.1),
                color(i)
            );
            cum = next;
        }
    }
    out.push_str("</g>\n");

    out.push_str("<g class=\"legend\">\n");
    for (i, label) in legend_labels.iter().enumerate() {
        let baseline = legend_top + i as f64 * row_h + (row_h + FS_LEGEND) / 2.0 - 2.0;
        legend_item(&mut out, legend_x, baseline, color(i), label);
    }
    out.push_str("</g>\n");

    close_doc(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_text_shifts_the_decimal_point_exactly() {
        assert_eq!(tick_text(0, 2), "0");
        assert_eq!(tick_text(50_000, 2), "500");
        assert_eq!(tick_text(25, 2), "0.25");
        assert_eq!(tick_text(5, 2), "0.05");
        assert_eq!(tick_text(-20, 2), "-0.2");
        assert_eq!(tick_text(1_000_000, 4), "100");
        assert_eq!(tick_text(7, 0), "7");
        assert_eq!(tick_text(-7, 0), "-7");
    }

    #[test]
    fn num_formats_at_most_two_decimals() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(2.999), "3");
        assert_eq!(num(-1.25), "-1.25");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(f64::NAN), "0");
    }

    fn intervals(a: Axis) -> i128 {
        (a.hi - a.lo) / a.step
    }

    #[test]
    fn axis_is_nice_with_three_to_five_intervals() {
        for max in [
            1,
            3,
            6,
            7,
            11,
            21,
            26,
            99,
            100,
            101,
            68654,
            1_000_000_007,
            i64::MAX,
        ] {
            let a = Axis::new(0, max);
            assert_eq!(a.lo, 0);
            assert!(a.hi >= i128::from(max), "{max}: {a:?}");
            assert!((3..=5).contains(&intervals(a)), "{max}: {a:?}");
            let mut s = a.step;
            while s % 10 == 0 {
                s /= 10;
            }
            assert!([1, 2, 5].contains(&s), "{max}: {a:?}");
        }
        assert_eq!(
            Axis::new(0, 68654),
            Axis {
                lo: 0,
                hi: 80000,
                step: 20000
            }
        );
    }

    #[test]
    fn axis_handles_negatives_and_zero() {
        let a = Axis::new(0, 0);
        assert_eq!((a.lo, a.hi), (0, 4));
        let a = Axis::new(-45, 45);
        assert!(a.lo <= -45 && a.hi >= 45);
        assert!((3..=5).contains(&intervals(a)));
        let a = Axis::new(-7, 0);
        assert!(a.lo <= -7 && a.hi == 0);
        assert!((3..=5).contains(&intervals(a)));
        let a = Axis::new(i64::MIN, i64::MAX);
        assert!(a.lo <= i128::from(i64::MIN) && a.hi >= i128::from(i64::MAX));
    }
}
