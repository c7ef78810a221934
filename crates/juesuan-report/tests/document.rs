//! The block form of the report (what Word and PDF lay out) says what report.md says.

use juesuan_core::input::parse_input;
use juesuan_data::Library;
use juesuan_report::build_report_with_scores;
use juesuan_report::document::Block;
use juesuan_report::evaluation::{compute, Scored};

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

#[test]
fn blocks_cover_every_part_table_and_chart_in_order() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let scores = match compute(&lib, &uy).expect("data files load") {
        Scored::Scores(s) => s,
        _ => panic!("the example has a valid [evaluation]"),
    };
    let report = build_report_with_scores(&uy, &lib, &cats, Some(&scores)).expect("report");
    let doc = &report.document;

    // Every disclosure table and chart appears once, in order.
    let tables: Vec<usize> = doc
        .iter()
        .filter_map(|b| match b {
            Block::DisclosureTable { index } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(tables, (0..report.tables.len()).collect::<Vec<_>>());
    assert_eq!(report.tables.len(), 9);
    let charts: Vec<usize> = doc
        .iter()
        .filter_map(|b| match b {
            Block::Chart { index } => Some(*index),
            _ => None,
        })
        .collect();
    assert_eq!(charts, (0..report.charts.len()).collect::<Vec<_>>());
    assert!(!charts.is_empty());

    // The title, then the parts in the seed's order.
    assert_eq!(
        doc[0],
        Block::Heading {
            level: 1,
            text: report.title.clone()
        }
    );
    let parts: Vec<String> = doc
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 2, text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(parts[0].starts_with("第一部分"), "{parts:?}");
    assert!(parts.iter().any(|p| p.starts_with("第二部分")), "{parts:?}");
    assert!(parts.iter().any(|p| p.starts_with("第五部分")), "{parts:?}");

    // Paragraph text is the Markdown's text without markup: the same sentences.
    let text: String = doc.iter().map(|b| b.text() + "\n").collect();
    for phrase in ["686.54万元", "616.54万元", "116.93%"] {
        assert!(text.contains(phrase), "{phrase}");
    }
    assert!(!text.contains("**"));
    // The evaluation tables come through as plain tables, every row as wide as its header
    // (a cell with a line break in the input must not split its row).
    assert!(doc.iter().any(|b| matches!(b, Block::Table { .. })));
    for line in report.markdown.lines() {
        if line.starts_with("| ") {
            assert!(
                line.ends_with('|'),
                "a table row broken by a line break: {line}"
            );
        }
    }
}

/// Issue #14 item 3: an evaluation whose indicators could not all be scored is printed as
/// incomplete, with the reason, in the narrative and in every scored table — never a partial
/// sum under "总分" beside a blank grade.
#[test]
fn incomplete_scores_are_published_as_incomplete() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let scores = match compute(&lib, &uy).expect("data files load") {
        Scored::Scores(s) => s,
        _ => panic!("the example has a valid [evaluation]"),
    };
    let incomplete: Vec<_> = scores
        .projects
        .iter()
        .filter(|p| !p.evaluation.unscored.is_empty())
        .collect();
    let complete: Vec<_> = scores
        .projects
        .iter()
        .filter(|p| p.evaluation.unscored.is_empty())
        .collect();
    assert!(!incomplete.is_empty() && !complete.is_empty());
    let report = build_report_with_scores(&uy, &lib, &cats, Some(&scores)).expect("report");
    let md = &report.markdown;
    for line in md.lines().filter(|l| l.starts_with("| 总分 |")) {
        assert!(!line.contains("等级： |"), "blank grade: {line}");
    }
    for p in &incomplete {
        let partial = p.evaluation.total.to_fixed(2);
        let row = format!("总分不完整：可计算部分{partial}分");
        assert!(
            md.contains(&row),
            "{} has no incomplete total row",
            p.project.name
        );
        assert!(
            !md.contains(&format!("| 总分 | 100 | {partial} |")),
            "{}: bare partial sum",
            p.project.name
        );
        let sentence = format!("{}可计算部分得分{partial}分", p.project.name);
        assert!(md.contains(&sentence), "narrative: {sentence}");
    }
    for p in &complete {
        let row = format!(
            "| 总分 | 100 | {} | 等级：{} |",
            p.evaluation.total.to_fixed(2),
            p.evaluation.grade
        );
        assert!(md.contains(&row), "{row}");
    }
}

/// Issue #14 item 4: values that say "none" are not pasted into sentences ("主要用于无。"),
/// quotes are not doubled, and an empty list leaves no dangling "其中：".
#[test]
fn empty_values_are_left_out_of_sentences() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    // The example's 公务用车购置 usage is "无" and its 因公出国 content "无此项", as in the seed;
    // make the other two texts empty too.
    let operation = "usage = \"开展科普业务调研、下乡扶贫、向上级汇报工作、外出参加会议（培训）等所需的公务用车燃料费、维修费、过路过桥费、保险费等支出\"";
    let reception = "usage = \"执行公务、开展业务活动开支的交通费、住宿费、用餐费等\"";
    assert!(EXAMPLE.contains(operation) && EXAMPLE.contains(reception));
    let text =
        EXAMPLE
            .replacen(operation, "usage = \"暂无\"", 1)
            .replacen(reception, "usage = \"\"", 1);
    let uy = parse_input(&text, "input.toml", &cats).expect("variant parses");
    let scores = match compute(&lib, &uy).expect("data files load") {
        Scored::Scores(s) => s,
        _ => panic!("the example has a valid [evaluation]"),
    };
    let md = build_report_with_scores(&uy, &lib, &cats, Some(&scores))
        .expect("report")
        .markdown;
    for bad in [
        "主要用于无",
        "主要用于暂无",
        "包括：无",
        "主要用于。",
        "其中：，",
        "““",
        "””",
    ] {
        assert!(!md.contains(bad), "report contains {bad:?}");
    }
    assert!(
        md.contains("公务用车运行维护费支出10.03万元。"),
        "sentence kept without its usage"
    );
    assert!(md.contains("全年按规定更新购置公务用车0辆。"));
}

/// Issue #15 item 3: the key figures a two-year comparison shows are the report's own — each
/// equals the figure the narrative states, 政府采购 does not add its SME breakdowns again, and
/// a 上年数 is shown only for the concept the input states it for.
#[test]
fn key_figures_are_the_reports_figures() {
    use juesuan_report::context::{build, key_figures};
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
    let (cx, _) = build(&uy, &cats, Vec::new());
    let figures = key_figures(&uy);
    let get = |label: &str| {
        figures
            .iter()
            .find(|f| f.label == label)
            .unwrap_or_else(|| panic!("{label}"))
    };
    let expect = [
        ("收支总计", cx.grand_total.current.clone()),
        ("本年收入合计", cx.income_total.clone()),
        ("本年支出合计", cx.expenditure_total.clone()),
        (
            "一般公共预算财政拨款支出",
            cx.general_budget.current.clone(),
        ),
        ("一般公共预算财政拨款基本支出", cx.basic_total.clone()),
        ("“三公”经费财政拨款支出", cx.sangong_total.actual.clone()),
        ("机关运行经费", cx.operating_costs.current.clone()),
        ("政府采购支出", cx.procurement_total.clone()),
    ];
    assert_eq!(figures.len(), expect.len());
    for (label, stated) in &expect {
        assert_eq!(&get(label).current.wan(), stated, "{label}");
    }
    assert_eq!(get("政府采购支出").current.wan(), "57.50");
    assert_eq!(
        get("一般公共预算财政拨款支出")
            .stated_prior
            .map(|a| a.wan()),
        Some(cx.general_budget.prior.clone())
    );
    assert_eq!(
        get("收支总计").stated_prior.map(|a| a.wan()),
        Some(cx.grand_total.prior.clone())
    );
    // The input states no 上年 本年支出合计: none is shown (it is not last year's
    // general-budget spending).
    assert_eq!(get("本年支出合计").stated_prior, None);
}

/// A 项 the catalogue lacks under a 款 it has (W105) is named under its 类 and 款 in the
/// narrative's item list, so the report's own audit sees it as part of its class.
#[test]
fn an_unknown_item_keeps_its_class_and_section_in_the_text() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let text = include_str!("../../juesuan-cli/tests/errors/W105-item-under-known-section.toml");
    let uy = parse_input(text, "input.toml", &cats).expect("parses with a warning");
    let report = build_report_with_scores(&uy, &lib, &cats, None).expect("report");
    assert!(
        report
            .markdown
            .contains("一般公共服务支出（201类）档案事务（26款）未知科目（98项）"),
        "{}",
        report.markdown
    );
    // That the self-audit then finds nothing (no W103) is pinned by the CLI's golden message
    // crates/juesuan-cli/tests/errors/W105-item-under-known-section.stderr.
}
