//! The example's disclosure as Word: opened again as a zip of XML and checked part by part;
//! then converted to PDF with LibreOffice and read back with pdftotext (that test is `#[ignore]`d:
//! run it with `--run-ignored all`, as CI does; without LibreOffice it fails).

mod common;

use juesuan_core::tables::Cell;
use juesuan_office::{write_docx, BODY_FONT, HEADING_FONT, TITLE_FONT};
use juesuan_report::document::Block;
use roxmltree::{Document, Node};
use std::io::Read;
use std::sync::OnceLock;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

struct Written {
    report: juesuan_report::Report,
    bytes: Vec<u8>,
}

/// Built once: rendering seven charts and the document takes a few seconds in a debug build.
fn written() -> &'static Written {
    static W: OnceLock<Written> = OnceLock::new();
    W.get_or_init(|| {
        let (uy, report) = common::example_report();
        let bytes = write_docx(&report, &uy, &common::fonts()).expect("docx written");
        Written { report, bytes }
    })
}

fn archive() -> zip::ZipArchive<std::io::Cursor<&'static [u8]>> {
    zip::ZipArchive::new(std::io::Cursor::new(written().bytes.as_slice())).expect("a zip")
}

fn part(name: &str) -> String {
    let mut z = archive();
    let mut f = z
        .by_name(name)
        .unwrap_or_else(|_| panic!("part {name} present"));
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

fn is(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(W)
}

fn wattr<'a>(n: &Node<'a, 'a>, name: &str) -> Option<&'a str> {
    n.attribute((W, name))
}

fn text_of(n: &Node) -> String {
    n.descendants()
        .filter(|d| is(d, "t"))
        .filter_map(|d| d.text())
        .collect()
}

/// The body's top-level tables.
fn tables<'a>(doc: &'a Document<'a>) -> Vec<Node<'a, 'a>> {
    let body = doc.descendants().find(|n| is(n, "body")).expect("w:body");
    body.children().filter(|n| is(n, "tbl")).collect()
}

fn rows<'a>(tbl: &Node<'a, 'a>) -> Vec<Node<'a, 'a>> {
    tbl.children().filter(|n| is(n, "tr")).collect()
}

fn cells<'a>(tr: &Node<'a, 'a>) -> Vec<Node<'a, 'a>> {
    tr.children().filter(|n| is(n, "tc")).collect()
}

fn cell_prop<'a>(tc: &Node<'a, 'a>, prop: &str) -> Option<Node<'a, 'a>> {
    tc.children()
        .find(|n| is(n, "tcPr"))
        .and_then(|p| p.children().find(|n| is(n, prop)))
}

fn justification(tc: &Node) -> Option<String> {
    tc.descendants()
        .find(|n| is(n, "jc"))
        .and_then(|j| wattr(&j, "val").map(str::to_string))
}

fn evaluation_tables(report: &juesuan_report::Report) -> usize {
    report
        .document
        .iter()
        .filter(|b| matches!(b, Block::Table { .. }))
        .count()
}

#[test]
fn one_word_table_per_disclosure_and_evaluation_table() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    assert_eq!(w.report.tables.len(), 9, "national template: nine tables");
    let eval = evaluation_tables(&w.report);
    assert!(eval >= 1, "the example publishes its evaluation tables");
    assert_eq!(tables(&doc).len(), 9 + eval);
}

#[test]
fn disclosure_tables_keep_titles_headers_amounts_and_notes() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let word_tables = tables(&doc);
    let all_text = text_of(&doc.root_element());
    for (i, t) in w.report.tables.iter().enumerate() {
        let tbl = &word_tables[i];
        assert!(all_text.contains(&t.title), "title {}", t.title);
        // The title paragraph is centred, with the unit line just before the table.
        let title_p = doc
            .descendants()
            .find(|n| is(n, "p") && text_of(n) == t.title)
            .expect("title paragraph");
        assert!(title_p
            .descendants()
            .any(|n| is(&n, "pStyle") && wattr(&n, "val") == Some("JsTableTitle")));
        let unit_p = tbl
            .prev_sibling_element()
            .expect("a paragraph before the table");
        assert!(
            text_of(&unit_p).ends_with(&format!("单位：{}", t.unit)),
            "{}",
            text_of(&unit_p)
        );
        // Header texts, in order, in the first rows.
        let word_rows = rows(tbl);
        let header_text: Vec<String> = word_rows[..t.header.len()]
            .iter()
            .flat_map(cells)
            .map(|c| text_of(&c))
            .filter(|s| !s.is_empty())
            .collect();
        let expected: Vec<String> = t.header.iter().flatten().map(|h| h.text.clone()).collect();
        assert_eq!(header_text, expected, "{} header", t.title);
        assert_eq!(
            word_rows.len(),
            t.header.len() + t.rows.len(),
            "{} rows",
            t.title
        );
        // Every amount cell right-aligned with its printed text; text cells left.
        for (r, row) in t.rows.iter().enumerate() {
            let word_cells = cells(&word_rows[t.header.len() + r]);
            for (c, cell) in row.iter().enumerate() {
                let tc = &word_cells[c];
                match cell {
                    Cell::Amount { text, .. } => {
                        assert_eq!(&text_of(tc), text);
                        assert_eq!(justification(tc).as_deref(), Some("right"), "{text}");
                        let (int, dec) = text.rsplit_once('.').expect("2 decimals");
                        assert_eq!(dec.len(), 2, "{text}");
                        assert!(int
                            .trim_start_matches('-')
                            .chars()
                            .all(|c| c.is_ascii_digit()));
                    }
                    Cell::Text { text, .. } => {
                        assert_eq!(&text_of(tc), text);
                        assert_eq!(justification(tc).as_deref(), Some("left"));
                    }
                    _ => {}
                }
            }
        }
        if let Some(note) = &t.note {
            let next = tbl.next_sibling_element().expect("note after table");
            assert_eq!(text_of(&next), format!("注：{note}"));
        }
    }
    // The seed's grand total in table 1.
    let t1: String = text_of(&word_tables[0]);
    assert!(t1.contains("686.54"), "686.54 in 收入支出决算总表");
    assert!(t1.contains("收入") && t1.contains("支出"));
    // At least one table is empty and carries the official note.
    assert!(w.report.tables.iter().any(|t| t.note.is_some()));
}

#[test]
fn merged_header_cells_become_grid_span_and_vertical_merge() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let word_tables = tables(&doc);
    let mut spans_seen = 0;
    let mut merges_seen = 0;
    for (i, t) in w.report.tables.iter().enumerate() {
        let word_rows = rows(&word_tables[i]);
        let grid_cols = word_tables[i]
            .descendants()
            .filter(|n| is(n, "gridCol"))
            .count();
        for (r, header_row) in t.header.iter().enumerate() {
            let word_cells = cells(&word_rows[r]);
            // Each row covers the whole grid.
            let covered: usize = word_cells
                .iter()
                .map(|c| {
                    cell_prop(c, "gridSpan")
                        .and_then(|g| wattr(&g, "val").and_then(|v| v.parse().ok()))
                        .unwrap_or(1)
                })
                .sum();
            assert_eq!(covered, grid_cols, "{} header row {r}", t.title);
            let starts: Vec<&Node> = word_cells
                .iter()
                .filter(|c| {
                    cell_prop(c, "vMerge").map(|v| wattr(&v, "val") != Some("continue"))
                        != Some(false)
                })
                .collect();
            assert_eq!(starts.len(), header_row.len(), "{} header row {r}", t.title);
            for (h, tc) in header_row.iter().zip(starts) {
                assert_eq!(text_of(tc), h.text);
                let span =
                    cell_prop(tc, "gridSpan").and_then(|g| wattr(&g, "val").map(str::to_string));
                if h.colspan > 1 {
                    assert_eq!(
                        span.as_deref(),
                        Some(h.colspan.to_string().as_str()),
                        "{}",
                        h.text
                    );
                    spans_seen += 1;
                } else {
                    assert_eq!(span, None, "{}", h.text);
                }
                let vmerge = cell_prop(tc, "vMerge");
                if h.rowspan > 1 {
                    let v = vmerge.unwrap_or_else(|| panic!("{} has vMerge", h.text));
                    assert_eq!(wattr(&v, "val"), Some("restart"));
                    merges_seen += 1;
                } else {
                    assert!(vmerge.is_none(), "{}", h.text);
                }
            }
        }
        // Continue cells below each restart: as many as the rows it spans, minus one.
        let continues: usize = word_rows[..t.header.len()]
            .iter()
            .flat_map(cells)
            .filter(|c| {
                cell_prop(c, "vMerge").map(|v| wattr(&v, "val") == Some("continue")) == Some(true)
                    || cell_prop(c, "vMerge").map(|v| wattr(&v, "val").is_none()) == Some(true)
            })
            .count();
        let expected: usize = t
            .header
            .iter()
            .flatten()
            .map(|h| h.rowspan.max(1) as usize - 1)
            .sum();
        assert_eq!(continues, expected, "{} continue cells", t.title);
    }
    assert!(spans_seen > 0, "some header spans columns");
    assert!(merges_seen > 0, "some header spans rows");
}

#[test]
fn charts_are_png_images_with_captions() {
    let w = written();
    let mut z = archive();
    let names: Vec<String> = z.file_names().map(str::to_string).collect();
    let media: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .collect();
    assert_eq!(media.len(), w.report.charts.len());
    for name in media {
        let mut f = z.by_name(name).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
        assert!(bytes.len() > 5_000, "{name} has content");
    }
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let drawings = doc.descendants().filter(|n| is(n, "drawing")).count();
    assert_eq!(drawings, w.report.charts.len());
    for chart in &w.report.charts {
        assert!(
            doc.descendants().any(|n| is(&n, "p")
                && text_of(&n) == chart.title
                && n.descendants()
                    .any(|s| is(&s, "pStyle") && wattr(&s, "val") == Some("Caption"))),
            "caption {}",
            chart.title
        );
    }
}

#[test]
fn page_numbers_toc_fonts_and_page_setup() {
    let w = written();
    let names: Vec<String> = archive().file_names().map(str::to_string).collect();
    let footers: Vec<String> = names
        .iter()
        .filter(|n| n.starts_with("word/footer") && n.ends_with(".xml"))
        .map(|n| part(n))
        .collect();
    assert!(
        footers.iter().any(|f| {
            let d = Document::parse(f).unwrap();
            d.descendants()
                .any(|n| is(&n, "instrText") && n.text().map(str::trim) == Some("PAGE"))
        }),
        "a PAGE field in the footer"
    );

    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    // 目录: a TOC field over heading levels 1–3, marked for update.
    assert!(doc.descendants().any(|n| is(&n, "instrText")
        && n.text()
            .is_some_and(|t| t.contains("TOC") && t.contains("1-3"))));
    let settings = part("word/settings.xml");
    let s = Document::parse(&settings).unwrap();
    assert!(s
        .descendants()
        .any(|n| is(&n, "updateFields") && wattr(&n, "val") == Some("true")));

    // A4 portrait with government-document margins (37/35/28/26 mm).
    let sect = doc.descendants().find(|n| is(n, "sectPr")).unwrap();
    let pg = sect.children().find(|n| is(n, "pgSz")).unwrap();
    assert_eq!(
        (wattr(&pg, "w"), wattr(&pg, "h")),
        (Some("11906"), Some("16838"))
    );
    let mar = sect.children().find(|n| is(n, "pgMar")).unwrap();
    assert_eq!(wattr(&mar, "top"), Some("2098"));
    assert_eq!(wattr(&mar, "left"), Some("1587"));

    // East-Asian fonts: title, headings, body; each declared with its fallback.
    let styles = part("word/styles.xml");
    let st = Document::parse(&styles).unwrap();
    let east_asia_of = |style_id: &str| -> Option<String> {
        st.descendants()
            .find(|n| is(n, "style") && wattr(n, "styleId") == Some(style_id))
            .and_then(|n| n.descendants().find(|d| is(d, "rFonts")))
            .and_then(|f| wattr(&f, "eastAsia").map(str::to_string))
    };
    assert_eq!(east_asia_of("Title").as_deref(), Some(TITLE_FONT));
    assert_eq!(east_asia_of("Heading1").as_deref(), Some(HEADING_FONT));
    assert_eq!(east_asia_of("Heading2").as_deref(), Some(HEADING_FONT));
    assert_eq!(east_asia_of("JsBody").as_deref(), Some(BODY_FONT));
    assert_eq!(east_asia_of("JsTable").as_deref(), Some(BODY_FONT));
    let font_table = part("word/fontTable.xml");
    let ft = Document::parse(&font_table).unwrap();
    let alt = |name: &str| {
        ft.descendants()
            .find(|n| is(n, "font") && wattr(n, "name") == Some(name))
            .and_then(|n| n.children().find(|c| is(c, "altName")))
            .and_then(|a| wattr(&a, "val").map(str::to_string))
    };
    assert_eq!(alt(TITLE_FONT).as_deref(), Some("黑体"));
    assert_eq!(alt(BODY_FONT).as_deref(), Some("仿宋"));

    // Cover: unit name and 年度部门决算 in the title style; parts as heading 1 in order.
    let title_texts: Vec<String> = doc
        .descendants()
        .filter(|n| {
            is(n, "p")
                && n.descendants()
                    .any(|s| is(&s, "pStyle") && wattr(&s, "val") == Some("Title"))
        })
        .map(|n| text_of(&n))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(title_texts, vec!["凉山州科学技术协会", "2021年度部门决算"]);
    let h1: Vec<String> = doc
        .descendants()
        .filter(|n| {
            is(n, "p")
                && n.descendants()
                    .any(|s| is(&s, "pStyle") && wattr(&s, "val") == Some("Heading1"))
        })
        .map(|n| text_of(&n))
        .collect();
    let parts: Vec<String> = w
        .report
        .document
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 2, text } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(h1, parts);
    assert!(h1[0].starts_with("第一部分"));
}

#[test]
fn every_paragraph_of_the_narrative_is_in_the_document() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let paragraphs: Vec<String> = doc
        .descendants()
        .filter(|n| is(n, "p"))
        .map(|n| text_of(&n))
        .collect();
    for b in &w.report.document {
        if let Block::Paragraph { runs } = b {
            let text: String = runs.iter().map(|r| r.text.replace('\n', "")).collect();
            assert!(paragraphs.contains(&text), "paragraph missing: {text}");
            // Bold runs stay bold.
            for r in runs.iter().filter(|r| r.bold && !r.text.trim().is_empty()) {
                assert!(
                    doc.descendants().any(|n| is(&n, "r")
                        && text_of(&n) == r.text.replace('\n', "")
                        && n.descendants().any(|p| is(&p, "b"))),
                    "bold run {}",
                    r.text
                );
            }
        }
    }
}

/// LibreOffice's converter; panics when it is not installed (CI installs
/// libreoffice-writer-nogui).
fn soffice() -> &'static str {
    ["soffice", "libreoffice"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .arg("--version")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        })
        .unwrap_or_else(|| {
            panic!(
                "需要 LibreOffice：找不到 soffice（apt-get install libreoffice-writer-nogui，见 README）"
            )
        })
}

#[test]
#[ignore = "需要 LibreOffice（soffice）与 poppler-utils（pdftotext），见 README"]
fn libreoffice_converts_it_to_a_pdf_with_the_tables() {
    let soffice = soffice();
    let w = written();
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("report.docx");
    std::fs::write(&docx, &w.bytes).unwrap();
    // A private profile: parallel runs and a user's own LibreOffice do not interfere.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = std::process::Command::new(soffice)
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .expect("soffice runs");
    let pdf = dir.path().join("report.pdf");
    assert!(
        pdf.exists(),
        "LibreOffice wrote no PDF: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let info = std::process::Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("需要 poppler-utils：无法运行 pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("page count");
    // Cover, contents, narrative, nine tables on their own pages, evaluation.
    assert!(pages >= 12, "{pages} pages");
    let text = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("需要 poppler-utils：无法运行 pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("收入支出决算总表"),
        "table 1 title in the PDF"
    );
    assert!(text.contains("686.54"), "686.54 in the PDF");
    assert!(text.contains("第一部分"), "narrative in the PDF");
}
