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
