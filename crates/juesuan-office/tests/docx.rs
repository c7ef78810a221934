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
        let bytes = write_docx(&report, &uy).expect("docx written");
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

const C: &str = "http://schemas.openxmlformats.org/drawingml/2006/chart";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn bytes_of(name: &str) -> Vec<u8> {
    let mut z = archive();
    let mut f = z
        .by_name(name)
        .unwrap_or_else(|_| panic!("part {name} present"));
    let mut out = Vec::new();
    f.read_to_end(&mut out).unwrap();
    out
}

/// Relationship id → target of a .rels part.
fn relationships(name: &str) -> Vec<(String, String, String)> {
    let xml = part(name);
    let doc = Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "Relationship")
        .map(|n| {
            (
                n.attribute("Id").unwrap().to_string(),
                n.attribute("Type").unwrap().to_string(),
                n.attribute("Target").unwrap().to_string(),
            )
        })
        .collect()
}

/// The texts of the `<c:pt>` points under `parent` (a c:cat, c:val or c:tx), by index.
fn points(parent: &Node) -> Vec<(usize, String)> {
    parent
        .descendants()
        .filter(|n| n.tag_name().name() == "pt" && n.tag_name().namespace() == Some(C))
        .map(|n| {
            let idx = n.attribute("idx").unwrap().parse().unwrap();
            let v = n
                .children()
                .find(|c| c.tag_name().name() == "v")
                .and_then(|v| v.text())
                .unwrap_or("")
                .to_string();
            (idx, v)
        })
        .collect()
}

/// The child element `name` of `n`.
fn child<'a, 'input>(n: &Node<'a, 'input>, name: &str) -> Node<'a, 'input> {
    n.children()
        .find(|c| c.tag_name().name() == name)
        .unwrap_or_else(|| panic!("c:{name}"))
}

/// The figures a report chart shows, as the report formats them: per series, the name and
/// one text per category ("" where the report prints no figure).
fn report_figures(chart: &juesuan_report::Chart) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    use juesuan_report::charts::ChartData;
    match &chart.data {
        ChartData::Bar(b) => (
            b.categories.clone(),
            b.series
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.values.iter().map(|v| v.label.clone()).collect(),
                    )
                })
                .collect(),
        ),
        ChartData::Pie(p) => (
            p.slices.iter().map(|s| s.label.clone()).collect(),
            vec![(
                format!("金额（{}）", p.unit),
                p.slices
                    .iter()
                    .map(|s| s.value_label.strip_suffix(&p.unit).unwrap().to_string())
                    .collect(),
            )],
        ),
    }
}

#[test]
fn charts_are_native_word_charts_with_parts_relationships_and_content_types() {
    let w = written();
    let n = w.report.charts.len();
    assert_eq!(n, 7);
    let names: Vec<String> = archive().file_names().map(str::to_string).collect();
    assert!(
        !names.iter().any(|n| n.starts_with("word/media/")),
        "no chart falls back to a picture: {names:?}"
    );
    let types = part("[Content_Types].xml");
    assert!(types.contains("Extension=\"xlsx\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\""));
    let doc_rels = relationships("word/_rels/document.xml.rels");
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let frames: Vec<Node> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "chart" && n.tag_name().namespace() == Some(C))
        .collect();
    assert_eq!(frames.len(), n, "one chart frame per chart");
    assert_eq!(doc.descendants().filter(|d| is(d, "drawing")).count(), n);
    for (i, frame) in frames.iter().enumerate() {
        let k = i + 1;
        let id = frame.attribute((R, "id")).expect("r:id");
        let (_, ty, target) = doc_rels.iter().find(|r| r.0 == id).expect("relationship");
        assert!(ty.ends_with("/relationships/chart"), "{ty}");
        assert_eq!(target, &format!("charts/chart{k}.xml"));
        assert!(types.contains(&format!("<Override PartName=\"/word/charts/chart{k}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.drawingml.chart+xml\"")), "content type of chart {k}");
        // Shown at the SVG's size, at most the text width (15.3 cm).
        let extent = frame
            .ancestors()
            .find(|a| a.tag_name().name() == "inline")
            .and_then(|inline| inline.children().find(|c| c.tag_name().name() == "extent"))
            .expect("wp:extent");
        let cx: u64 = extent.attribute("cx").unwrap().parse().unwrap();
        assert!(
            (3_000_000..=8845 * 635).contains(&cx),
            "chart {k} is {cx} EMU wide"
        );
        let chart_rels = relationships(&format!("word/charts/_rels/chart{k}.xml.rels"));
        let (rid, ty, book) = &chart_rels[0];
        assert!(ty.ends_with("/relationships/package"), "{ty}");
        let chart_xml = part(&format!("word/charts/chart{k}.xml"));
        assert!(chart_xml.contains(&format!("<c:externalData r:id=\"{rid}\">")));
        let book = bytes_of(&format!("word/charts/{book}").replace("charts/../", ""));
        zip::ZipArchive::new(std::io::Cursor::new(book))
            .expect("the embedded workbook is an xlsx")
            .by_name("xl/worksheets/sheet1.xml")
            .expect("with a sheet");
    }
}

#[test]
fn chart_caches_and_workbooks_hold_the_reports_figures() {
    let w = written();
    for (i, chart) in w.report.charts.iter().enumerate() {
        let k = i + 1;
        let xml = part(&format!("word/charts/chart{k}.xml"));
        let doc = Document::parse(&xml).unwrap();
        let (categories, series) = report_figures(chart);
        let sers: Vec<Node> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "ser")
            .collect();
        assert_eq!(sers.len(), series.len(), "{}", chart.title);
        for (ser, (name, figures)) in sers.iter().zip(&series) {
            assert_eq!(points(&child(ser, "tx")), vec![(0, name.clone())]);
            let cats: Vec<String> = points(&child(ser, "cat"))
                .into_iter()
                .map(|p| p.1)
                .collect();
            assert_eq!(cats, categories, "{}", chart.title);
            let vals = points(&child(ser, "val"));
            let expected: Vec<(usize, String)> = figures.iter().cloned().enumerate().collect();
            assert_eq!(vals, expected, "cached figures of {}", chart.title);
            if matches!(chart.data, juesuan_report::charts::ChartData::Pie(_)) {
                for f in figures {
                    // Each part's figure is the one the narrative prints beside its share.
                    assert!(
                        w.report.markdown.contains(&format!("{f}万元")),
                        "{f} in report.md"
                    );
                }
            }
        }
        // The embedded workbook holds the same numbers.
        let book = bytes_of(&format!(
            "word/embeddings/Microsoft_Excel_Worksheet{k}.xlsx"
        ));
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(book)).unwrap();
        let mut sheet = String::new();
        z.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        let sheet = Document::parse(&sheet).unwrap();
        let numbers: Vec<f64> = sheet
            .descendants()
            .filter(|c| c.tag_name().name() == "c" && c.attribute("t").is_none())
            .filter_map(|c| c.children().find(|v| v.tag_name().name() == "v"))
            .map(|v| v.text().unwrap().parse().unwrap())
            .collect();
        // Row by row: each category's figures, series after series.
        let expected: Vec<f64> = (0..categories.len())
            .flat_map(|r| series.iter().map(move |s| s.1[r].parse::<f64>().unwrap()))
            .collect();
        assert_eq!(numbers, expected, "workbook of {}", chart.title);
        // The title is the caption under the chart, not a second title inside it.
        assert!(xml.contains("<c:autoTitleDeleted val=\"1\"/>"));
        assert!(
            !xml.contains(&chart.title),
            "{} inside the chart",
            chart.title
        );
        assert!(!xml.contains("<c:chart><c:title>"));
    }
    let xml = part("word/document.xml");
    for chart in &w.report.charts {
        assert_eq!(
            xml.matches(chart.title.as_str()).count(),
            2,
            "{}: the caption and the chart's description (docPr descr), nothing else",
            chart.title
        );
    }
}

#[test]
fn the_cover_carries_the_unit_the_year_and_the_date_line() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    // The cover is everything before the 目录 heading (which starts the next page).
    let cover: Vec<String> = doc
        .descendants()
        .filter(|n| is(n, "p"))
        .map(|n| text_of(&n))
        .take_while(|t| t != "目　录")
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(
        cover,
        vec![
            "凉山州科学技术协会".to_string(),
            "2021年度部门决算".to_string(),
            w.report.date.clone()
        ]
    );
    let date = &w.report.date;
    let (y, rest) = date.split_once('年').expect("年");
    let (m, rest) = rest.split_once('月').expect("月");
    let d = rest.strip_suffix('日').expect("日");
    assert!(
        y.len() == 4 && [m, d].iter().all(|p| (1..=2).contains(&p.len())),
        "{date}"
    );
    assert!(
        [y, m, d]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit())),
        "{date}"
    );
}

#[test]
fn one_normal_style_marked_as_the_default() {
    let styles = part("word/styles.xml");
    let st = Document::parse(&styles).unwrap();
    let paragraph_styles: Vec<Node> = st
        .descendants()
        .filter(|n| is(n, "style") && wattr(n, "type") == Some("paragraph"))
        .collect();
    let normal: Vec<&Node> = paragraph_styles
        .iter()
        .filter(|n| {
            wattr(n, "styleId") == Some("Normal")
                || n.children()
                    .any(|c| is(&c, "name") && wattr(&c, "val") == Some("Normal"))
        })
        .collect();
    assert_eq!(normal.len(), 1, "one Normal style");
    let defaults: Vec<&str> = paragraph_styles
        .iter()
        .filter(|n| wattr(n, "default") == Some("1"))
        .filter_map(|n| wattr(n, "styleId"))
        .collect();
    assert_eq!(
        defaults,
        vec!["Normal"],
        "Normal is the one default paragraph style"
    );
    // Its font and size are the document defaults: the body font.
    let defaults = st.descendants().find(|n| is(n, "rPrDefault")).unwrap();
    let fonts = defaults.descendants().find(|n| is(n, "rFonts")).unwrap();
    assert_eq!(wattr(&fonts, "eastAsia"), Some(BODY_FONT));
    let ids: Vec<&str> = paragraph_styles
        .iter()
        .filter_map(|n| wattr(n, "styleId"))
        .collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "no style id twice: {ids:?}");
}

#[test]
fn table_header_rows_repeat_on_every_page() {
    let w = written();
    let xml = part("word/document.xml");
    let doc = Document::parse(&xml).unwrap();
    let tbls = tables(&doc);
    let header_rows = |i: usize| -> usize {
        match w.report.tables.get(i) {
            Some(t) => t.header.len(),
            None => 1, // evaluation tables: one header row
        }
    };
    for (i, tbl) in tbls.iter().enumerate() {
        let repeated: Vec<bool> = rows(tbl)
            .iter()
            .map(|tr| {
                tr.children()
                    .filter(|c| is(c, "trPr"))
                    .flat_map(|p| p.children())
                    .any(|c| is(&c, "tblHeader"))
            })
            .collect();
        let n = header_rows(i);
        assert!(n >= 1);
        assert!(
            repeated[..n].iter().all(|r| *r),
            "table {i}: header rows repeat"
        );
        assert!(
            repeated[n..].iter().all(|r| !r),
            "table {i}: body rows do not"
        );
    }
    // docx-rs's row height mark is gone: no header row carries a 1-twip height.
    assert!(!xml.contains("<w:trHeight w:val=\"1\""));
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
    // Each style's font by name: 方正小标宋 for the title, 黑体 for headings, 仿宋_GB2312 body.
    assert_eq!(TITLE_FONT, "方正小标宋简体");
    assert_eq!(HEADING_FONT, "黑体");
    assert_eq!(BODY_FONT, "仿宋_GB2312");
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
    native_charts_are_drawn(&w.report, &text);
}

/// Each native chart drawn by LibreOffice: its title once (the caption), and above it, after
/// the previous caption, the chart's category labels and figures (bars: every figure; pies:
/// every non-zero part, zero parts carry no label).
fn native_charts_are_drawn(report: &juesuan_report::Report, pdf_text: &str) {
    let flat: String = pdf_text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut from = 0;
    for chart in &report.charts {
        let title: String = chart.title.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(flat.matches(&title).count(), 1, "{title} once in the PDF");
        let at = flat.find(&title).unwrap();
        assert!(at > from, "{title} after the previous chart");
        let above = &flat[from..at];
        let (categories, series) = report_figures(chart);
        let bar = matches!(chart.data, juesuan_report::charts::ChartData::Bar(_));
        for (name, figures) in &series {
            if bar {
                assert!(above.contains(name.as_str()), "legend {name} of {title}");
            }
            for (cat, f) in categories.iter().zip(figures) {
                if bar || f.parse::<f64>().unwrap() != 0.0 {
                    // LibreOffice prints 514.30 as 514.3.
                    let short = f.trim_end_matches('0').trim_end_matches('.');
                    assert!(above.contains(short), "figure {f} of {cat} in {title}");
                }
            }
        }
        if bar {
            assert!(above.contains("单位：万元"), "value axis unit of {title}");
            for cat in &categories {
                assert!(above.contains(cat.as_str()), "category {cat} of {title}");
            }
        }
        from = at + title.len();
    }
}
