//! Whatever text a preparer types, the generated typst source compiles and prints the text as
//! written: typst markup characters (# * _ $ @ < > ` \ [ ] = - + / …) are escaped everywhere
//! user text goes (headings, paragraphs, bold runs, lists, table titles and cells, notes, chart
//! captions, the unit name).

use juesuan_core::input::parse_input;
use juesuan_core::tables::Cell;
use juesuan_core::UnitYear;
use juesuan_data::Library;
use juesuan_pdf::{typeset, PdfFonts};
use juesuan_report::build_report;
use juesuan_report::document::{Align, Block, ListItem, Run};
use juesuan_report::Report;
use proptest::prelude::*;
use std::sync::OnceLock;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

struct Base {
    uy: UnitYear,
    report: Report,
    fonts: PdfFonts,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let lib = Library::embedded();
        let cats = lib.catalogues(2021).expect("catalogues");
        let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
        let report = build_report(&uy, &lib, &cats).expect("report");
        let fonts = PdfFonts::discover().expect("fonts-noto-cjk installed");
        Base { uy, report, fonts }
    })
}

/// A small report whose every text slot holds `texts` (cycled), with one disclosure table and
/// one chart of the example.
fn report_with(texts: &[String]) -> (Report, UnitYear) {
    let b = base();
    let mut next = texts.iter().cycle().cloned();
    let mut t = || next.next().unwrap_or_default();
    let mut table = b.report.tables[0].clone();
    table.title = t();
    table.code = t();
    table.note = Some(t());
    for row in &mut table.rows {
        for cell in row.iter_mut() {
            if let Cell::Text { text, .. } = cell {
                *text = t();
            }
        }
    }
    for h in table.header.iter_mut().flatten() {
        h.text = t();
    }
    let mut chart = b.report.charts[0].clone();
    chart.title = t();
    let run = |text: String, bold: bool, italic: bool| Run { text, bold, italic };
    let document = vec![
        Block::Heading {
            level: 1,
            text: t(),
        },
        Block::Heading {
            level: 2,
            text: t(),
        },
        Block::Paragraph {
            runs: vec![
                run(t(), false, false),
                run(t(), true, false),
                run(t(), false, true),
                run(t(), true, true),
                run(t(), false, false),
            ],
        },
        Block::Heading {
            level: 4,
            text: t(),
        },
        Block::List {
            items: vec![
                ListItem {
                    label: t(),
                    runs: vec![run(t(), false, false)],
                },
                ListItem {
                    label: "1.".into(),
                    runs: vec![run(t(), true, false), run(t(), false, false)],
                },
            ],
        },
        Block::DisclosureTable { index: 0 },
        Block::Chart { index: 0 },
        Block::Table {
            header: vec![t(), t(), t()],
            rows: vec![vec![t(), t(), t()], vec![t()], vec![t(), t(), t(), t()]],
            align: vec![Align::Left, Align::Right, Align::Center],
        },
        Block::Rule,
        Block::Paragraph {
            runs: vec![run(t(), false, false)],
        },
    ];
    let mut uy = b.uy.clone();
    uy.unit.name = t();
    let report = Report {
        tables: vec![table],
        charts: vec![chart],
        document,
        title: t(),
        ..b.report.clone()
    };
    (report, uy)
}

/// Text mixing every ASCII punctuation mark, typst keywords, CJK and odd whitespace.
fn nasty_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("#".to_string()),
        Just("#set page(width: 1cm)".to_string()),
        Just("#let x = 1".to_string()),
        Just("*".to_string()),
        Just("_".to_string()),
        Just("$x^2$".to_string()),
        Just("@ref".to_string()),
        Just("<label>".to_string()),
        Just("`raw`".to_string()),
        Just("```".to_string()),
        Just("\\".to_string()),
        Just("\\u{zz}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("= 标题".to_string()),
        Just("- 项".to_string()),
        Just("+ 项".to_string()),
        Just("/ 术语: 释义".to_string()),
        Just("1. ".to_string()),
        Just("// 注释".to_string()),
        Just("/* 注释".to_string()),
        Just("*/".to_string()),
        Just("https://example.com/a_(b)".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("~".to_string()),
        Just("--- ...".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        Just("\t".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{7f}".to_string()),
        Just("“三公”经费".to_string()),
        Just("686.54万元".to_string()),
        "[\\x20-\\x7e]{0,12}",
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_compiles(texts in prop::collection::vec(nasty_text(), 1..12)) {
        let (report, uy) = report_with(&texts);
        let t = typeset(&report, &uy, &base().fonts);
        prop_assert!(t.is_ok(), "{:?}", t.err());
        prop_assert!(t.unwrap().pdf.starts_with(b"%PDF"));
    }
}

/// Markup characters print as written (not as bold, math, code or a page setting). Read back
/// with pdftotext, so ignored unless asked for (`--run-ignored all`).
#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn markup_characters_print_literally() {
    let literal =
        "#set page(width: 1cm) *粗* _斜_ $x$ @ref <lbl> `raw` \\ [a] // 注 = 标题 ~ 3人*4.166万元";
    let (report, uy) = report_with(&[literal.to_string()]);
    let t = typeset(&report, &uy, &base().fonts).expect("typeset");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, &t.pdf).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("需要 poppler-utils：无法运行 pdftotext（{e}）"));
    let text: String = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let want: String = literal.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(text.contains(&want), "not printed literally:\n{text}");
}

/// A disclosure table too wide for a portrait page (a province's table with many amount
/// columns) is typeset on a landscape page, and still compiles.
#[test]
fn wide_tables_turn_landscape() {
    let b = base();
    let mut table = b.report.tables[1].clone();
    let extra = 5;
    let depth = table.header.len() as u16;
    for i in 0..extra {
        table.header[0].push(juesuan_core::tables::HeaderCell {
            text: format!("附加列{i}"),
            colspan: 1,
            rowspan: depth,
        });
    }
    for row in &mut table.rows {
        let last = row.last().cloned().expect("cells");
        row.extend(std::iter::repeat_n(last, extra));
    }
    let (mut report, uy) = report_with(&["宽表".to_string()]);
    report.tables = vec![table];
    let source = juesuan_pdf::markup::source(&report, &uy, &b.fonts);
    assert!(source.contains("#page(flipped: true)["), "not landscape");
    let t = typeset(&report, &uy, &b.fonts).expect("typeset");
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    // The example's own tables fit portrait pages.
    let portrait = juesuan_pdf::markup::source(&b.report, &b.uy, &b.fonts);
    assert!(!portrait.contains("flipped"));
}

/// No clock, no random ids: the same report gives the same bytes (reproducible publication).
#[test]
fn same_input_same_bytes() {
    let (report, uy) = report_with(&["同一输入".to_string()]);
    let a = typeset(&report, &uy, &base().fonts).expect("typeset");
    let b = typeset(&report, &uy, &base().fonts).expect("typeset");
    assert!(a.pdf == b.pdf, "PDF bytes differ between runs");
}

#[test]
fn the_cover_has_the_unit_the_year_and_the_date_in_the_title_font() {
    let b = base();
    let source = juesuan_pdf::markup::source(&b.report, &b.uy, &b.fonts);
    let cover = &source[source.find("#page(numbering: none)").expect("cover")..];
    let cover = &cover[..cover.find("\n]").expect("end of the cover")];
    assert!(
        cover.contains("凉山州科学技术协会2021年度部门决算"),
        "{cover}"
    );
    assert!(
        cover.contains(&juesuan_pdf::markup::escape(&b.report.date)),
        "{cover}"
    );
    assert!(
        cover.contains(&format!(
            "font: ({}, ..heading-fonts)",
            juesuan_pdf::markup::string(&b.fonts.title_family)
        )),
        "{cover}"
    );
}
