//! The seven charts of the narrative (图1–图7), built from the same context the text uses.

use crate::context::{ChangeText, Context, Part};
use juesuan_charts::{bar_svg, pie_svg, BarChart, ChartValue, PieChart, Series, Slice};
use juesuan_core::money::Amount;

/// Parse a formatted 万元 string back to 0.01 万元 units for geometry only.
fn cents(wan: &str) -> i64 {
    Amount::parse(wan, juesuan_core::MoneyUnit::Wan)
        .map(|a| a.wan_cents())
        .unwrap_or(0)
}

/// What a chart shows, as data: the SVG is drawn from it, and the Word writer builds its
/// native (editable) chart from the same categories, series and formatted figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartData {
    /// 柱状图: 上年 and 本年 side by side.
    Bar(BarChart),
    /// 饼状图: the parts of a whole.
    Pie(PieChart),
}

impl ChartData {
    /// The chart as a standalone SVG document (title included).
    pub fn svg(&self) -> String {
        match self {
            ChartData::Bar(b) => bar_svg(b),
            ChartData::Pie(p) => pie_svg(p),
        }
    }

    pub fn title(&self) -> &str {
        match self {
            ChartData::Bar(b) => &b.title,
            ChartData::Pie(p) => &p.title,
        }
    }
}

fn change_bar(title: &str, category: &str, c: &ChangeText, year: i32) -> ChartData {
    ChartData::Bar(BarChart {
        title: title.to_string(),
        unit: "万元".into(),
        categories: vec![category.to_string()],
        // values are 0.01 万元 (`cents`)
        value_decimals: 2,
        series: vec![
            Series {
                name: format!("{}年", year - 1),
                values: vec![ChartValue {
                    value: cents(&c.prior),
                    label: c.prior.clone(),
                }],
            },
            Series {
                name: format!("{year}年"),
                values: vec![ChartValue {
                    value: cents(&c.current),
                    label: c.current.clone(),
                }],
            },
        ],
    })
}

fn pie(title: &str, parts: &[Part], label: impl Fn(&Part) -> String) -> ChartData {
    ChartData::Pie(PieChart {
        title: title.to_string(),
        unit: "万元".into(),
        slices: parts
            .iter()
            .map(|p| Slice {
                label: label(p),
                value: p.fen,
                value_label: format!("{}万元", p.amount),
                share_label: p
                    .share
                    .as_ref()
                    .map_or_else(|| "—".to_string(), |s| format!("{s}%")),
            })
            .collect(),
    })
}

/// The SVG of chart `id` ("fig1" … "fig7") titled `title`, or None for an unknown id.
pub fn chart(id: &str, title: &str, cx: &Context) -> Option<String> {
    chart_data(id, title, cx).map(|d| d.svg())
}

/// The data of chart `id` ("fig1" … "fig7") titled `title`, or None for an unknown id.
pub fn chart_data(id: &str, title: &str, cx: &Context) -> Option<ChartData> {
    let y = cx.year;
    Some(match id {
        "fig1" => change_bar(title, "收、支总计", &cx.grand_total, y),
        "fig2" => pie(title, &cx.income_parts, |p| p.label.clone()),
        "fig3" => pie(title, &cx.expenditure_parts, |p| p.label.clone()),
        "fig4" => change_bar(title, "财政拨款收、支总计", &cx.fiscal_grand_total, y),
        "fig5" => change_bar(title, "一般公共预算财政拨款支出", &cx.general_budget, y),
        "fig6" => pie(title, &cx.general_budget_classes, |p| p.label.clone()),
        "fig7" => {
            let parts: Vec<Part> = cx
                .sangong_items
                .iter()
                .map(|s| Part {
                    label: s.label.to_string(),
                    code: String::new(),
                    amount: s.actual.clone(),
                    fen: cents(&s.actual),
                    share: s.share.clone(),
                })
                .collect();
            pie(title, &parts, |p| p.label.clone())
        }
        _ => return None,
    })
}
