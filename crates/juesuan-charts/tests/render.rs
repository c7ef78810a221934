use juesuan_charts::{
    bar_svg, pie_svg, without_visible_title, BarChart, ChartValue, PieChart, Series, Slice,
    FONT_FAMILY,
};
use roxmltree::{Document, Node};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn cv(value: i64, label: &str) -> ChartValue {
    ChartValue {
        value,
        label: label.to_string(),
    }
}

fn series(name: &str, values: Vec<ChartValue>) -> Series {
    Series {
        name: name.to_string(),
        values,
    }
}

fn bar(categories: &[&str], series: Vec<Series>) -> BarChart {
    BarChart {
        title: "2023年度支出决算".to_string(),
        unit: "万元".to_string(),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        value_decimals: 4,
        series,
    }
}

fn slice(label: &str, value: i64, value_label: &str, share_label: &str) -> Slice {
    Slice {
        label: label.to_string(),
        value,
        value_label: value_label.to_string(),
        share_label: share_label.to_string(),
    }
}

fn pie(slices: Vec<Slice>) -> PieChart {
    PieChart {
        title: "支出结构".to_string(),
        unit: "万元".to_string(),
        slices,
    }
}

fn sample_bar() -> BarChart {
    bar(
        &["一般公共服务支出", "教育支出", "社会保障和就业支出"],
        vec![
            series(
                "本年",
                vec![cv(6865400, "686.54"), cv(120000, "12.00"), cv(0, "0.00")],
            ),
            series(
                "上年",
                vec![cv(5000000, "500.00"), cv(250050, "25.01"), cv(33, "0.00")],
            ),
        ],
    )
}

fn sample_pie() -> PieChart {
    pie(vec![
        slice("基本支出", 5916, "591.60", "59.16%"),
        slice("项目支出", 4084, "408.40", "40.84%"),
    ])
}

fn parse(svg: &str) -> Document<'_> {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some(SVG_NS));
    let w = root.attribute("width").expect("width");
    let h = root.attribute("height").expect("height");
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {w} {h}").as_str())
    );
    doc
}

fn texts(doc: &Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

fn by_class<'a, 'i>(doc: &'a Document<'i>, tag: &str, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == tag && n.attribute("class") == Some(class))
        .collect()
}

fn f(node: Node, attr: &str) -> f64 {
    node.attribute(attr)
        .unwrap_or_else(|| panic!("missing {attr}"))
        .parse()
        .unwrap()
}

fn title_of(doc: &Document) -> String {
    let t = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name((SVG_NS, "title")))
        .expect("<title>");
    t.text().unwrap_or("").to_string()
}

/// Every <text> has an ancestor carrying exactly FONT_FAMILY.
fn assert_fonts(doc: &Document) {
    for t in doc
        .descendants()
        .filter(|n| n.has_tag_name((SVG_NS, "text")))
    {
        let family = t
            .ancestors()
            .find_map(|a| a.attribute("font-family"))
            .expect("font-family on an ancestor");
        assert_eq!(family, FONT_FAMILY);
    }
}

/// Every numeric attribute has at most two decimals.
fn assert_two_decimals(doc: &Document) {
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            let values: Vec<&str> = if a.name() == "d" || a.name() == "viewBox" {
                a.value().split(' ').collect()
            } else {
                vec![a.value()]
            };
            for v in values {
                if v.parse::<f64>().is_ok() {
                    if let Some((_, frac)) = v.split_once('.') {
                        assert!(frac.len() <= 2, "{}={v}", a.name());
                    }
                }
            }
        }
    }
}

#[test]
fn bar_is_well_formed_with_title_unit_and_all_labels() {
    let chart = sample_bar();
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    assert_eq!(title_of(&doc), chart.title);
    let t = texts(&doc);
    assert!(t.contains(&chart.title));
    assert!(t.contains(&"单位：万元".to_string()));
    for c in &chart.categories {
        assert!(t.contains(c), "category {c}");
    }
    for s in &chart.series {
        assert!(t.contains(&s.name), "series {}", s.name);
        for v in &s.values {
            assert!(t.contains(&v.label), "label {}", v.label);
        }
    }
    assert_eq!(by_class(&doc, "rect", "bar").len(), 6);
    assert_fonts(&doc);
    assert_two_decimals(&doc);
}

#[test]
fn bar_series_have_distinct_colours_matching_legend() {
    let doc_svg = bar_svg(&sample_bar());
    let doc = parse(&doc_svg);
    let bars = by_class(&doc, "rect", "bar");
    let swatches = by_class(&doc, "rect", "swatch");
    assert_eq!(swatches.len(), 2);
    // Bars are emitted category by category, series by series.
    assert_eq!(bars[0].attribute("fill"), swatches[0].attribute("fill"));
    assert_eq!(bars[1].attribute("fill"), swatches[1].attribute("fill"));
    assert_eq!(bars[2].attribute("fill"), swatches[0].attribute("fill"));
    assert_ne!(bars[0].attribute("fill"), bars[1].attribute("fill"));
}

#[test]
fn bar_heights_are_proportional() {
    let chart = bar(
        &["甲", "乙"],
        vec![series(
            "本年",
            vec![cv(123457, "1,234.57"), cv(246914, "2,469.14")],
        )],
    );
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    let bars = by_class(&doc, "rect", "bar");
    let (h1, h2) = (f(bars[0], "height"), f(bars[1], "height"));
    assert!(h1 > 10.0);
    assert!((h2 / h1 - 2.0).abs() < 0.01, "{h1} {h2}");
    assert!((h2 - 2.0 * h1).abs() < 0.02, "{h1} {h2}");
    // Both bars stand on the zero line.
    let zero = f(by_class(&doc, "line", "zero-line")[0], "y1");
    for b in &bars {
        assert!((f(*b, "y") + f(*b, "height") - zero).abs() < 0.011);
    }
}

#[test]
fn bar_gridlines_are_four_to_six() {
    for max in [1, 7, 99, 100, 101, 68654, 6_865_400, 1_000_000_007] {
        let chart = bar(&["甲"], vec![series("本年", vec![cv(max, "x")])]);
        let svg = bar_svg(&chart);
        let doc = parse(&svg);
        let n =
            by_class(&doc, "line", "gridline").len() + by_class(&doc, "line", "zero-line").len();
        assert!((4..=6).contains(&n), "max {max}: {n} gridlines");
        // The tallest bar fits within the plot (its top is not above the top gridline).
        let top_grid = by_class(&doc, "line", "gridline")
            .iter()
            .map(|g| f(*g, "y1"))
            .fold(f64::INFINITY, f64::min);
        let b = by_class(&doc, "rect", "bar")[0];
        assert!(f(b, "y") >= top_grid - 0.01);
    }
}

#[test]
fn negative_bar_goes_below_zero_line() {
    let chart = bar(
        &["收入", "结余"],
        vec![series("本年", vec![cv(500, "5.00"), cv(-200, "-2.00")])],
    );
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    let zero = f(by_class(&doc, "line", "zero-line")[0], "y1");
    let bars = by_class(&doc, "rect", "bar");
    let (pos, neg) = (bars[0], bars[1]);
    assert!(f(pos, "y") < zero);
    assert!(
        (f(neg, "y") - zero).abs() < 0.011,
        "negative bar starts at zero line"
    );
    assert!(f(neg, "height") > 0.0);
    assert!(f(neg, "y") + f(neg, "height") > zero);
    let ratio = f(pos, "height") / f(neg, "height");
    assert!((ratio - 2.5).abs() < 0.01, "{ratio}");
    assert!(texts(&doc).contains(&"-2.00".to_string()));
}

#[test]
fn all_zero_bar_still_draws_axes_bars_and_labels() {
    let chart = bar(
        &["甲", "乙"],
        vec![
            series("本年", vec![cv(0, "0.00"), cv(0, "0.00")]),
            series("上年", vec![cv(0, "0"), cv(0, "0")]),
        ],
    );
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    let bars = by_class(&doc, "rect", "bar");
    assert_eq!(bars.len(), 4);
    assert!(bars.iter().all(|b| f(*b, "height") == 0.0));
    assert_eq!(by_class(&doc, "line", "zero-line").len(), 1);
    assert_eq!(by_class(&doc, "line", "axis").len(), 1);
    let n = by_class(&doc, "line", "gridline").len() + 1;
    assert!((4..=6).contains(&n));
    assert_eq!(by_class(&doc, "text", "value").len(), 4);
}

#[test]
fn empty_bar_chart_is_still_valid() {
    let chart = BarChart {
        title: "空".to_string(),
        unit: String::new(),
        categories: vec![],
        value_decimals: 0,
        series: vec![],
    };
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    assert_eq!(title_of(&doc), "空");
    assert!(by_class(&doc, "rect", "bar").is_empty());
    assert!(!texts(&doc).iter().any(|t| t.starts_with("单位")));
}

#[test]
fn mismatched_series_length_is_tolerated() {
    let chart = bar(
        &["甲", "乙", "丙"],
        vec![series(
            "本年",
            vec![cv(1, "1"), cv(2, "2"), cv(3, "3"), cv(999, "extra")],
        )],
    );
    let short = bar(&["甲", "乙", "丙"], vec![series("本年", vec![cv(1, "1")])]);
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    assert_eq!(by_class(&doc, "rect", "bar").len(), 3);
    assert!(!texts(&doc).contains(&"extra".to_string()));
    let svg = bar_svg(&short);
    assert_eq!(by_class(&parse(&svg), "rect", "bar").len(), 1);
}

#[test]
fn labels_are_escaped() {
    let nasty = "A&B<C>\"'";
    let chart = BarChart {
        title: format!("T {nasty}"),
        unit: "万元&".to_string(),
        categories: vec![nasty.to_string()],
        value_decimals: 0,
        series: vec![series(nasty, vec![cv(1, nasty)])],
    };
    let svg = bar_svg(&chart);
    assert!(svg.contains("A&amp;B&lt;C&gt;&quot;&#39;"));
    assert!(!svg.contains("A&B<C>"));
    let doc = parse(&svg);
    assert_eq!(title_of(&doc), format!("T {nasty}"));
    let t = texts(&doc);
    assert_eq!(t.iter().filter(|x| *x == nasty).count(), 3);
    assert!(t.contains(&"单位：万元&".to_string()));

    let p = PieChart {
        title: nasty.to_string(),
        unit: "万元".to_string(),
        slices: vec![slice(nasty, 1, "<1>", "100%&")],
    };
    let svg = pie_svg(&p);
    assert!(!svg.contains("A&B<C>"));
    let doc = parse(&svg);
    assert_eq!(title_of(&doc), nasty);
    assert!(texts(&doc).contains(&format!("{nasty} <1>（100%&）")));
}

#[test]
fn pie_is_well_formed_with_title_unit_and_legend() {
    let chart = sample_pie();
    let svg = pie_svg(&chart);
    let doc = parse(&svg);
    assert_eq!(title_of(&doc), chart.title);
    let t = texts(&doc);
    assert!(t.contains(&chart.title));
    assert!(t.contains(&"单位：万元".to_string()));
    assert!(t.contains(&"基本支出 591.60（59.16%）".to_string()));
    assert!(t.contains(&"项目支出 408.40（40.84%）".to_string()));
    assert_fonts(&doc);
    assert_two_decimals(&doc);
}

/// Checks "M cx cy L x0 y0 A r r 0 large 1 x1 y1 Z" and returns its 11 numbers.
fn arc(d: &str) -> Vec<f64> {
    let p: Vec<&str> = d.split(' ').collect();
    assert_eq!(p.len(), 15, "{d}");
    assert_eq!((p[0], p[3], p[6], p[14]), ("M", "L", "A", "Z"), "{d}");
    assert_eq!(p[9], "0", "x-axis rotation");
    assert_eq!(p[11], "1", "clockwise sweep");
    p.iter().filter_map(|s| s.parse().ok()).collect()
}

#[test]
fn two_slice_pie_draws_arcs() {
    let chart = pie(vec![
        slice("大", 75, "0.75", "75.00%"),
        slice("小", 25, "0.25", "25.00%"),
    ]);
    let svg = pie_svg(&chart);
    let doc = parse(&svg);
    let slices = by_class(&doc, "path", "slice");
    assert_eq!(slices.len(), 2);
    let d0 = slices[0].attribute("d").unwrap();
    let d1 = slices[1].attribute("d").unwrap();
    let (p0, p1) = (arc(d0), arc(d1));
    // p = [cx, cy, x0, y0, r, r, 0, large, sweep, x1, y1]
    let (cx, cy, r) = (p0[0], p0[1], p0[4]);
    // First slice starts at twelve o'clock, is the large arc and ends at nine o'clock (75%).
    assert!((p0[2] - cx).abs() < 0.01 && (p0[3] - (cy - r)).abs() < 0.01);
    assert_eq!(p0[7], 1.0);
    assert!((p0[9] - (cx - r)).abs() < 0.01 && (p0[10] - cy).abs() < 0.01);
    // Second slice continues from there, is small, and closes the circle at twelve o'clock.
    assert_eq!((p1[2], p1[3]), (p0[9], p0[10]));
    assert_eq!(p1[7], 0.0);
    assert!((p1[9] - cx).abs() < 0.01 && (p1[10] - (cy - r)).abs() < 0.01);
    assert_ne!(slices[0].attribute("fill"), slices[1].attribute("fill"));
}

#[test]
fn single_slice_is_a_full_circle() {
    let chart = pie(vec![slice("全部", 100, "1.00", "100.00%")]);
    let svg = pie_svg(&chart);
    let doc = parse(&svg);
    assert!(by_class(&doc, "path", "slice").is_empty());
    let circles = by_class(&doc, "circle", "slice");
    assert_eq!(circles.len(), 1);
    assert!(f(circles[0], "r") > 0.0);
    assert!(texts(&doc).contains(&"全部 1.00（100.00%）".to_string()));
}

#[test]
fn zero_and_negative_slices_are_omitted_but_listed() {
    let chart = pie(vec![
        slice("零", 0, "0.00", "0.00%"),
        slice("全部", 100, "1.00", "100.00%"),
        slice("负", -5, "-0.05", "0.00%"),
    ]);
    let svg = pie_svg(&chart);
    let doc = parse(&svg);
    // Only one non-zero slice: a full circle, in the colour of its legend entry.
    let circles = by_class(&doc, "circle", "slice");
    assert_eq!(circles.len(), 1);
    assert!(by_class(&doc, "path", "slice").is_empty());
    let swatches = by_class(&doc, "rect", "swatch");
    assert_eq!(swatches.len(), 3);
    assert_eq!(circles[0].attribute("fill"), swatches[1].attribute("fill"));
    let t = texts(&doc);
    assert!(t.contains(&"零 0.00（0.00%）".to_string()));
    assert!(t.contains(&"负 -0.05（0.00%）".to_string()));

    let three = pie(vec![
        slice("a", 1, "1", "33%"),
        slice("b", 0, "0", "0%"),
        slice("c", 2, "2", "67%"),
    ]);
    let svg = pie_svg(&three);
    let doc = parse(&svg);
    let paths = by_class(&doc, "path", "slice");
    assert_eq!(paths.len(), 2);
    let swatches = by_class(&doc, "rect", "swatch");
    assert_eq!(paths[1].attribute("fill"), swatches[2].attribute("fill"));
}

#[test]
fn zero_total_pie_says_no_data() {
    let chart = pie(vec![
        slice("基本支出", 0, "0.00", "0.00%"),
        slice("项目支出", 0, "0.00", "0.00%"),
    ]);
    let svg = pie_svg(&chart);
    let doc = parse(&svg);
    assert!(texts(&doc).contains(&"无数据".to_string()));
    assert_eq!(by_class(&doc, "circle", "empty").len(), 1);
    assert!(by_class(&doc, "path", "slice").is_empty());
    assert!(by_class(&doc, "circle", "slice").is_empty());
    assert!(texts(&doc).contains(&"基本支出 0.00（0.00%）".to_string()));

    let empty = pie(vec![]);
    let svg = pie_svg(&empty);
    assert!(texts(&parse(&svg)).contains(&"无数据".to_string()));
}

#[test]
fn many_slices_cycle_palette_and_stay_well_formed() {
    let slices: Vec<Slice> = (0..15)
        .map(|i| slice(&format!("项{i}"), i + 1, &format!("{}", i + 1), "x%"))
        .collect();
    let svg = pie_svg(&pie(slices));
    let doc = parse(&svg);
    let paths = by_class(&doc, "path", "slice");
    assert_eq!(paths.len(), 15);
    let fills: std::collections::BTreeSet<&str> =
        paths.iter().map(|p| p.attribute("fill").unwrap()).collect();
    assert!(fills.len() >= 10);
    assert_two_decimals(&doc);
    // The legend fits inside the canvas.
    let height = f(doc.root_element(), "height");
    for t in by_class(&doc, "text", "legend") {
        assert!(f(t, "y") < height);
    }
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(bar_svg(&sample_bar()), bar_svg(&sample_bar().clone()));
    assert_eq!(pie_svg(&sample_pie()), pie_svg(&sample_pie().clone()));
    let big = bar(
        &["甲"],
        vec![series(
            "本年",
            vec![cv(i64::MAX, "max"), cv(i64::MIN, "min")],
        )],
    );
    assert_eq!(bar_svg(&big), bar_svg(&big));
    parse(&bar_svg(&big));
}

#[test]
fn a_captioned_figure_has_no_visible_title_but_keeps_everything_else() {
    let b = bar(&["基本支出"], vec![series("本年", vec![cv(100, "1.00")])]);
    let p = pie(vec![slice("基本支出", 1, "1.00", "100.00%")]);
    for svg in [bar_svg(&b), pie_svg(&p)] {
        let title = if svg.contains(&b.title) {
            &b.title
        } else {
            &p.title
        };
        let visible = |s: &str| {
            Document::parse(s)
                .unwrap()
                .descendants()
                .filter(|n| n.tag_name().name() == "text")
                .any(|n| n.text() == Some(title.as_str()))
        };
        assert!(visible(&svg), "the standalone chart shows its title");
        let figure = without_visible_title(&svg);
        assert!(!visible(&figure), "the figure's caption is its one title");
        assert!(figure.contains(&format!("<title>{title}</title>")));
        assert!(figure.contains("单位：万元") && figure.contains("1.00"));
        assert_eq!(
            figure.len(),
            svg.len()
                - svg
                    .lines()
                    .find(|l| l.contains("class=\"title\""))
                    .unwrap()
                    .len()
                - 1
        );
    }
    assert_eq!(without_visible_title("<svg></svg>"), "<svg></svg>");
}

#[test]
fn the_value_axis_prints_each_gridline_value_beside_it() {
    // 686.54 万元 in 元 (value_decimals 4): ticks 0, 200, 400, 600, 800 万元.
    let doc_svg = bar_svg(&sample_bar());
    let doc = parse(&doc_svg);
    let ticks = by_class(&doc, "text", "tick");
    let labels: Vec<String> = ticks
        .iter()
        .map(|t| t.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(labels, ["0", "200", "400", "600", "800"]);
    // Each tick sits at its gridline (baseline 4 below the line), left of the axis.
    let axis_x = f(by_class(&doc, "line", "axis")[0], "x1");
    let mut lines: Vec<f64> = by_class(&doc, "line", "gridline")
        .iter()
        .chain(by_class(&doc, "line", "zero-line").iter())
        .map(|l| f(*l, "y1"))
        .collect();
    lines.sort_by(|a, b| b.partial_cmp(a).unwrap());
    for (t, y) in ticks.iter().zip(&lines) {
        assert!(
            (f(*t, "y") - 4.0 - y).abs() < 0.011,
            "{} at {y}",
            f(*t, "y")
        );
        assert!(f(*t, "x") < axis_x);
        assert_eq!(t.attribute("text-anchor"), Some("end"));
    }
    // A wide tick value widens the left margin instead of leaving the canvas.
    let wide = bar(
        &["甲"],
        vec![series("本年", vec![cv(1_000_000_007_000, "x")])],
    );
    let svg = bar_svg(&wide);
    let doc = parse(&svg);
    for t in by_class(&doc, "text", "tick") {
        let w = t.text().unwrap().chars().count() as f64 * 0.6 * 11.0;
        assert!(f(t, "x") - w >= 0.0, "{:?}", t.text());
    }
}

#[test]
fn negative_ticks_are_signed_and_decimals_exact() {
    let chart = BarChart {
        value_decimals: 2,
        ..bar(
            &["甲", "乙"],
            vec![series("本年", vec![cv(30, "0.30"), cv(-20, "-0.20")])],
        )
    };
    let svg = bar_svg(&chart);
    let doc = parse(&svg);
    let labels: Vec<String> = by_class(&doc, "text", "tick")
        .iter()
        .map(|t| t.text().unwrap_or("").to_string())
        .collect();
    assert!(labels.contains(&"0".to_string()), "{labels:?}");
    assert!(labels.iter().any(|l| l.starts_with('-')), "{labels:?}");
    assert!(labels.iter().all(|l| !l.contains("0000")), "{labels:?}");
    assert!(!svg.contains("-0<"), "no negative zero");
}
