//! The disclosure as a Word document (.docx), laid out from `Report::document`.
//!
//! Layout follows the usual government-document conventions (GB/T 9704): A4, margins
//! 37/35/28/26 mm, title in 方正小标宋简体, headings in 黑体, body in 仿宋_GB2312 三号 with a
//! fixed 28 pt line, page numbers "— 1 —" centred in the footer.

use crate::chart::{chart_workbook, chart_xml};
use crate::package::{pack, ChartPart};
use crate::OfficeError;
use docx_rs::{
    AlignmentType, BorderType, Docx, FieldCharType, Footer, HeightRule, InstrPAGEREF, InstrText,
    InstrToC, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run, RunFonts,
    SpecialIndentType, Style, StyleType, Tab, TabLeaderType, TabValueType, TableAlignmentType,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableCellMargins, TableLayoutType,
    TableRow, VAlignType, VMergeType, WidthType,
};
use juesuan_core::tables::{Cell, HeaderCell, Table};
use juesuan_core::UnitYear;
use juesuan_report::document::{Align, Block, ListItem};
use juesuan_report::Report;

/// Title font (标题字体) named in the document; Word falls back to [`TITLE_FONT_FALLBACK`].
pub const TITLE_FONT: &str = "方正小标宋简体";
pub const TITLE_FONT_FALLBACK: &str = "黑体";
/// Heading font (各级标题).
pub const HEADING_FONT: &str = "黑体";
pub const HEADING_FONT_FALLBACK: &str = "SimHei";
/// Body font (正文).
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const BODY_FONT_FALLBACK: &str = "仿宋";

// Page geometry in twentieths of a point (twips).
const PAGE_WIDTH: u32 = 11906; // 210 mm
const PAGE_HEIGHT: u32 = 16838; // 297 mm
const MARGIN_TOP: i32 = 2098; // 37 mm
const MARGIN_BOTTOM: i32 = 1984; // 35 mm
const MARGIN_LEFT: i32 = 1587; // 28 mm
const MARGIN_RIGHT: i32 = 1474; // 26 mm
const TEXT_WIDTH: usize = PAGE_WIDTH as usize - MARGIN_LEFT as usize - MARGIN_RIGHT as usize;

// Font sizes in half-points.
const TITLE_SIZE: usize = 44; // 二号
const BODY_SIZE: usize = 32; // 三号
const CAPTION_SIZE: usize = 28; // 四号
const TABLE_TITLE_SIZE: usize = 30; // 小三
const TABLE_NOTE_SIZE: usize = 21; // 五号
const TABLE_SIZE: usize = 18; // 小五

/// Two characters of 三号 text: the first-line indent of body paragraphs.
const BODY_INDENT: i32 = 640;
/// One character of 小五 text, the unit of table column widths and stub indents.
const TABLE_CHAR: f64 = 180.0;
/// EMU per CSS pixel at 96 dpi, and per twip.
const EMU_PER_PX: f64 = 9525.0;
const EMU_PER_TWIP: f64 = 635.0;

const STYLE_TITLE: &str = "Title";
const STYLE_H1: &str = "Heading1";
const STYLE_H2: &str = "Heading2";
const STYLE_H3: &str = "Heading3";
const STYLE_BODY: &str = "JsBody";
const STYLE_CAPTION: &str = "Caption";
const STYLE_TABLE: &str = "JsTable";
const STYLE_TABLE_TITLE: &str = "JsTableTitle";
const STYLE_TABLE_NOTE: &str = "JsTableNote";
const STYLE_TOC_HEADING: &str = "TOCHeading";
const STYLE_FOOTER: &str = "Footer";
const STYLE_COVER_DATE: &str = "JsCoverDate";

fn fonts(name: &str) -> RunFonts {
    // Every slot gets the same font, so digits and Latin letters match the Chinese text,
    // and the eastAsia hint keeps quotes and dashes in the Chinese font.
    RunFonts::new()
        .east_asia(name)
        .ascii(name)
        .hi_ansi(name)
        .cs(name)
        .hint("eastAsia")
}

fn exact_line(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips)
}

fn single_line() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Auto)
        .line(240)
}

/// The default font and size and every paragraph style, in the order styles.xml lists them.
fn styles(docx: Docx) -> Docx {
    let docx = docx.default_fonts(fonts(BODY_FONT)).default_size(BODY_SIZE);
    text_styles()
        .into_iter()
        .chain(table_styles())
        .chain(navigation_styles())
        .fold(docx, Docx::add_style)
}

/// A heading style at an outline level (0 is 一级标题).
fn heading_style(id: &str, name: &str, level: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .next(STYLE_BODY)
        .q_format(true)
        .fonts(fonts(HEADING_FONT))
        .size(BODY_SIZE)
        .outline_lvl(level)
        .line_spacing(exact_line(560).before(120).after(120))
}

/// The style of one level of the table of contents, indented by level.
fn toc_style(level: i32) -> Style {
    Style::new(format!("ToC{level}"), StyleType::Paragraph)
        .name(format!("toc {level}"))
        .based_on("Normal")
        .fonts(fonts(BODY_FONT))
        .size(CAPTION_SIZE)
        .indent(Some((level - 1) * 560), None, None, None)
        .line_spacing(exact_line(480))
}

/// Styles of the running text: Normal, title, headings, body paragraphs, captions.
fn text_styles() -> Vec<Style> {
    let first_line = || Some(SpecialIndentType::FirstLine(BODY_INDENT));
    // No "Normal" here: docx-rs always writes one (empty, so it takes the document defaults,
    // which are the body font and size); a second would compete with it (`write_docx` marks
    // that one as the default paragraph style).
    vec![
        Style::new(STYLE_TITLE, StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .q_format(true)
            .fonts(fonts(TITLE_FONT))
            .size(TITLE_SIZE)
            .align(AlignmentType::Center)
            .line_spacing(exact_line(760)),
        heading_style(STYLE_H1, "heading 1", 0).align(AlignmentType::Center),
        heading_style(STYLE_H2, "heading 2", 1).indent(None, first_line(), None, None),
        heading_style(STYLE_H3, "heading 3", 2).indent(None, first_line(), None, None),
        Style::new(STYLE_BODY, StyleType::Paragraph)
            .name("正文段落")
            .based_on("Normal")
            .q_format(true)
            .fonts(fonts(BODY_FONT))
            .size(BODY_SIZE)
            .align(AlignmentType::Both)
            .indent(None, first_line(), None, None)
            .line_spacing(exact_line(560)),
        Style::new(STYLE_CAPTION, StyleType::Paragraph)
            .name("caption")
            .based_on("Normal")
            .fonts(fonts(BODY_FONT))
            .size(CAPTION_SIZE)
            .align(AlignmentType::Center)
            .line_spacing(single_line().after(240)),
    ]
}

/// Styles of the disclosure tables: cell text, table title, note under the table.
fn table_styles() -> Vec<Style> {
    vec![
        Style::new(STYLE_TABLE, StyleType::Paragraph)
            .name("表格文字")
            .based_on("Normal")
            .fonts(fonts(BODY_FONT))
            .size(TABLE_SIZE)
            .line_spacing(single_line()),
        Style::new(STYLE_TABLE_TITLE, StyleType::Paragraph)
            .name("表格标题")
            .based_on("Normal")
            .fonts(fonts(HEADING_FONT))
            .size(TABLE_TITLE_SIZE)
            .align(AlignmentType::Center)
            .line_spacing(single_line().before(120).after(120)),
        Style::new(STYLE_TABLE_NOTE, StyleType::Paragraph)
            .name("表格说明")
            .based_on("Normal")
            .fonts(fonts(BODY_FONT))
            .size(TABLE_NOTE_SIZE)
            .line_spacing(single_line().before(60).after(60)),
    ]
}

/// Styles to find one's way: the contents heading, the footer, three contents levels.
fn navigation_styles() -> Vec<Style> {
    vec![
        Style::new(STYLE_TOC_HEADING, StyleType::Paragraph)
            .name("TOC Heading")
            .based_on("Normal")
            .fonts(fonts(HEADING_FONT))
            .size(BODY_SIZE)
            .align(AlignmentType::Center)
            .line_spacing(exact_line(560).after(240)),
        Style::new(STYLE_COVER_DATE, StyleType::Paragraph)
            .name("封面日期")
            .based_on("Normal")
            .fonts(fonts(BODY_FONT))
            .size(BODY_SIZE)
            .align(AlignmentType::Center)
            .line_spacing(exact_line(560)),
        Style::new(STYLE_FOOTER, StyleType::Paragraph)
            .name("footer")
            .based_on("Normal")
            .fonts(fonts(BODY_FONT))
            .size(CAPTION_SIZE)
            .align(AlignmentType::Center),
        toc_style(1),
        toc_style(2),
        toc_style(3),
    ]
}

/// Text with Markdown soft breaks joined: Chinese lines join without a space, Latin words
/// with one.
fn join_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        if let Some(next) = lines.peek() {
            let before = line.chars().last();
            let after = next.chars().next();
            if matches!((before, after), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
            {
                out.push(' ');
            }
        }
    }
    out
}

fn text_run(r: &juesuan_report::document::Run) -> Run {
    let mut run = Run::new().add_text(join_lines(&r.text));
    if r.bold {
        run = run.bold();
    }
    if r.italic {
        run = run.italic();
    }
    run
}

fn body_paragraph(runs: &[juesuan_report::document::Run]) -> Paragraph {
    runs.iter()
        .fold(Paragraph::new().style(STYLE_BODY), |p, r| {
            p.add_run(text_run(r))
        })
}

fn list_paragraph(item: &ListItem) -> Paragraph {
    item.runs.iter().fold(
        Paragraph::new()
            .style(STYLE_BODY)
            .add_run(Run::new().add_text(format!("{} ", item.label))),
        |p, r| p.add_run(text_run(r)),
    )
}

/// Visible width of `s` in characters of its font size (CJK 1, ASCII about two thirds:
/// generous, because a substitute font such as DejaVu Sans has wide digits).
fn char_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.65 } else { 1.0 })
        .sum()
}

/// How wide a column wants to be, in characters of table text.
#[derive(Debug, Clone, Copy)]
enum Need {
    /// Codes and amounts: must not wrap.
    Fixed(f64),
    /// Labels: may wrap when the table is too wide.
    Flexible(f64),
}

impl Need {
    fn chars(self) -> f64 {
        match self {
            Need::Fixed(c) | Need::Flexible(c) => c,
        }
    }
}

/// Column widths (twips) filling the text width. When the table is too wide, label columns
/// give way first (their text wraps); only if they would fall under 4 characters do all shrink.
fn column_widths(needs: &[Need]) -> Vec<usize> {
    let total: f64 = needs.iter().map(|n| n.chars()).sum::<f64>().max(1.0);
    let width = TEXT_WIDTH as f64;
    let fixed: f64 = needs
        .iter()
        .map(|n| match n {
            Need::Fixed(c) => c * TABLE_CHAR,
            Need::Flexible(_) => 0.0,
        })
        .sum();
    let flexible: f64 = needs
        .iter()
        .map(|n| match n {
            Need::Flexible(c) => *c,
            Need::Fixed(_) => 0.0,
        })
        .sum();
    let min_flexible = needs
        .iter()
        .filter(|n| matches!(n, Need::Flexible(_)))
        .count() as f64
        * 4.0
        * TABLE_CHAR;
    let mut widths: Vec<usize> =
        if total * TABLE_CHAR <= width || flexible == 0.0 || width - fixed < min_flexible {
            needs
                .iter()
                .map(|n| (n.chars() / total * width).floor() as usize)
                .collect()
        } else {
            needs
                .iter()
                .map(|n| match n {
                    Need::Fixed(c) => (c * TABLE_CHAR).floor() as usize,
                    Need::Flexible(c) => (c / flexible * (width - fixed)).floor() as usize,
                })
                .collect()
        };
    // Rounding leftovers go to the first column so the table is exactly the text width.
    let used: usize = widths.iter().sum();
    if let Some(first) = widths.first_mut() {
        *first += TEXT_WIDTH.saturating_sub(used);
    }
    widths
}

fn table_borders() -> TableBorders {
    [
        TableBorderPosition::Top,
        TableBorderPosition::Bottom,
        TableBorderPosition::Left,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::with_empty(), |b, pos| {
        b.set(
            TableBorder::new(pos)
                .border_type(BorderType::Single)
                .size(4)
                .color("000000"),
        )
    })
}

fn word_table(rows: Vec<TableRow>, widths: Vec<usize>) -> docx_rs::Table {
    let total = widths.iter().sum();
    docx_rs::Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(total, WidthType::Dxa)
        .align(TableAlignmentType::Center)
        .set_borders(table_borders())
        .margins(TableCellMargins::new().margin(0, 57, 0, 57))
}

fn cell_paragraph(text: &str, align: AlignmentType) -> Paragraph {
    let p = Paragraph::new().style(STYLE_TABLE).align(align);
    if text.is_empty() {
        p
    } else {
        p.add_run(Run::new().add_text(text))
    }
}

fn word_cell(p: Paragraph, width: usize, span: usize) -> TableCell {
    let mut c = TableCell::new()
        .add_paragraph(p)
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center);
    if span > 1 {
        c = c.grid_span(span);
    }
    c
}

/// Header rows with merged cells: `colspan` becomes gridSpan; `rowspan` becomes a vMerge
/// restart cell and continue cells in the rows below, at the same grid column.
fn header_rows(header: &[Vec<HeaderCell>], widths: &[usize]) -> Vec<TableRow> {
    let ncols = widths.len();
    // For each row, the grid columns covered from above: start column → span.
    let mut covered: Vec<Vec<Option<usize>>> = vec![vec![None; ncols]; header.len()];
    let span_width = |start: usize, span: usize| -> usize {
        widths[start.min(ncols)..(start + span).min(ncols)]
            .iter()
            .sum()
    };
    let mut rows = Vec::new();
    for (r, cells) in header.iter().enumerate() {
        let mut out = Vec::new();
        let mut col = 0usize;
        let mut next = cells.iter();
        loop {
            if col < ncols {
                if let Some(span) = covered[r][col] {
                    out.push(
                        word_cell(
                            cell_paragraph("", AlignmentType::Center),
                            span_width(col, span),
                            span,
                        )
                        .vertical_merge(VMergeType::Continue),
                    );
                    col += span;
                    continue;
                }
            }
            let Some(h) = next.next() else { break };
            let span = (h.colspan.max(1) as usize).min(ncols.saturating_sub(col).max(1));
            let mut cell = word_cell(
                cell_paragraph(&h.text, AlignmentType::Center),
                span_width(col, span),
                span,
            );
            if h.rowspan > 1 {
                cell = cell.vertical_merge(VMergeType::Restart);
                for below in covered.iter_mut().skip(r + 1).take(h.rowspan as usize - 1) {
                    if col < ncols {
                        below[col] = Some(span);
                    }
                }
            }
            out.push(cell);
            col += span;
        }
        rows.push(repeated_header(TableRow::new(out)));
    }
    rows
}

/// Row height docx-rs writes for header rows only, replaced by `<w:tblHeader />` once the
/// document is built (docx-rs has no setter for it): Word and WPS repeat those rows at the
/// top of every page a table runs onto.
const HEADER_ROW_MARK: f32 = 1.0;
const HEADER_ROW_XML: &str = "<w:trHeight w:val=\"1\" w:hRule=\"atLeast\" />";
const TABLE_HEADER_XML: &str = "<w:tblHeader />";

/// A table header row: kept on one page and repeated on every page of the table.
fn repeated_header(row: TableRow) -> TableRow {
    row.cant_split()
        .row_height(HEADER_ROW_MARK)
        .height_rule(HeightRule::AtLeast)
}

fn body_cell(c: &Cell) -> (String, AlignmentType, u8) {
    match c {
        Cell::Blank => (String::new(), AlignmentType::Left, 0),
        Cell::Text { text, indent } => (text.clone(), AlignmentType::Left, *indent),
        Cell::Code { code } => (code.clone(), AlignmentType::Left, 0),
        Cell::Amount { text, .. } => (text.clone(), AlignmentType::Right, 0),
    }
}

/// The width a disclosure-table column needs, in characters of table text.
fn disclosure_needs(t: &Table, ncols: usize) -> Vec<Need> {
    (0..ncols)
        .map(|c| {
            let mut text: f64 = 0.0;
            let mut fixed: f64 = 0.0;
            for row in &t.rows {
                match row.get(c) {
                    Some(Cell::Text { text: s, indent }) => {
                        text = text.max(char_width(s) + *indent as f64)
                    }
                    Some(Cell::Code { code: s }) | Some(Cell::Amount { text: s, .. }) => {
                        fixed = fixed.max(char_width(s))
                    }
                    _ => {}
                }
            }
            // Cell padding is under one character. Amount columns keep room for their
            // header wrapped over about three lines; labels wrap beyond 14 characters.
            if text > 0.0 {
                Need::Flexible(text.clamp(3.0, 14.0) + 1.0)
            } else {
                Need::Fixed(fixed.max(4.0) + 0.8)
            }
        })
        .collect()
}

fn disclosure_table(t: &Table, uy: &UnitYear, page_break: bool) -> Vec<Element> {
    let header_cols: usize = t
        .header
        .first()
        .map(|r| r.iter().map(|h| h.colspan.max(1) as usize).sum())
        .unwrap_or(0);
    let ncols = t
        .rows
        .iter()
        .map(|r| r.len())
        .max()
        .unwrap_or(0)
        .max(header_cols)
        .max(1);
    let widths = column_widths(&disclosure_needs(t, ncols));

    let mut rows = header_rows(&t.header, &widths);
    for row in &t.rows {
        let cells = (0..ncols)
            .map(|c| {
                let (text, align, indent) =
                    row.get(c)
                        .map(body_cell)
                        .unwrap_or((String::new(), AlignmentType::Left, 0));
                let mut p = cell_paragraph(&text, align);
                if indent > 0 {
                    p = p.indent(Some((indent as f64 * TABLE_CHAR) as i32), None, None, None);
                }
                word_cell(p, widths[c], 1)
            })
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }

    let mut out = Vec::new();
    let mut code = Paragraph::new()
        .style(STYLE_TABLE_NOTE)
        .align(AlignmentType::Right)
        .keep_next(true)
        .add_run(Run::new().add_text(&t.code));
    if page_break {
        code = code.page_break_before(true);
    }
    out.push(para(code));
    out.push(para(
        Paragraph::new()
            .style(STYLE_TABLE_TITLE)
            .keep_next(true)
            .add_run(Run::new().add_text(&t.title)),
    ));
    out.push(para(
        Paragraph::new()
            .style(STYLE_TABLE_NOTE)
            .keep_next(true)
            .add_tab(Tab::new().val(TabValueType::Right).pos(TEXT_WIDTH))
            .add_run(Run::new().add_text(format!("编制单位：{}", uy.unit.name)))
            .add_run(Run::new().add_tab())
            .add_run(Run::new().add_text(format!("单位：{}", t.unit))),
    ));
    out.push(Element::Table(Box::new(word_table(rows, widths))));
    if let Some(note) = &t.note {
        out.push(para(
            Paragraph::new()
                .style(STYLE_TABLE_NOTE)
                .add_run(Run::new().add_text(format!("注：{note}"))),
        ));
    }
    out
}

fn simple_table(header: &[String], rows: &[Vec<String>], align: &[Align]) -> docx_rs::Table {
    let ncols = header
        .len()
        .max(rows.iter().map(|r| r.len()).max().unwrap_or(0))
        .max(1);
    let needs: Vec<Need> = (0..ncols)
        .map(|c| {
            let widest = |cells: &mut dyn Iterator<Item = Option<&String>>| {
                cells.flatten().map(|s| char_width(s)).fold(0.0, f64::max)
            };
            let body = widest(&mut rows.iter().map(|r| r.get(c)));
            let head = widest(&mut std::iter::once(header.get(c)));
            // Short cells (scores, weights) must not break; the header may wrap over them.
            if body <= 6.0 {
                Need::Fixed(body.max(head.min(4.0)).max(2.0) + 0.8)
            } else {
                Need::Flexible(body.max(head).clamp(2.0, 24.0) + 1.0)
            }
        })
        .collect();
    let widths = column_widths(&needs);
    let align_of = |c: usize| match align.get(c) {
        Some(Align::Right) => AlignmentType::Right,
        Some(Align::Center) => AlignmentType::Center,
        _ => AlignmentType::Left,
    };
    let mut out = vec![repeated_header(TableRow::new(
        (0..ncols)
            .map(|c| {
                let text = header.get(c).map(String::as_str).unwrap_or("");
                let p = Paragraph::new()
                    .style(STYLE_TABLE)
                    .align(AlignmentType::Center)
                    .add_run(Run::new().add_text(text).bold());
                word_cell(p, widths[c], 1)
            })
            .collect(),
    ))];
    for row in rows {
        out.push(
            TableRow::new(
                (0..ncols)
                    .map(|c| {
                        let text = row.get(c).map(String::as_str).unwrap_or("");
                        word_cell(cell_paragraph(text, align_of(c)), widths[c], 1)
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    word_table(out, widths)
}

/// The width and height attributes of an SVG's root element (CSS pixels).
fn svg_size(svg: &str) -> Option<(f64, f64)> {
    let root = &svg[svg.find("<svg")?..];
    let root = &root[..root.find('>')?];
    let attr = |name: &str| -> Option<f64> {
        let start = root.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = root[start..].find('"')?;
        root[start..start + len].parse().ok()
    };
    Some((attr("width")?, attr("height")?))
}

/// Text of the run that `pack` replaces with chart `n`'s drawing: private-use characters, so
/// no report text can contain it.
pub(crate) fn chart_marker(n: usize) -> String {
    format!("\u{F8FF}juesuan-chart-{n}\u{F8FF}")
}

/// A chart as a native Word chart (its part and workbook go to `charts`), shown at the SVG's
/// size shrunk to the text width, with its title once, as the caption below it.
fn chart_paragraphs(
    chart: &juesuan_report::Chart,
    charts: &mut Vec<ChartPart>,
) -> Result<Vec<Paragraph>, OfficeError> {
    let (wpx, hpx) = svg_size(&chart.svg)
        .ok_or_else(|| OfficeError::Document(format!("图表“{}”的 SVG 没有尺寸", chart.id)))?;
    let mut w = wpx * EMU_PER_PX;
    let mut h = hpx * EMU_PER_PX;
    let max_w = TEXT_WIDTH as f64 * EMU_PER_TWIP;
    if w > max_w {
        h *= max_w / w;
        w = max_w;
    }
    let n = charts.len() + 1;
    charts.push(ChartPart {
        xml: chart_xml(&chart.data),
        workbook: chart_workbook(&chart.data)?,
        width_emu: w as u64,
        height_emu: h as u64,
        title: chart.title.clone(),
    });
    Ok(vec![
        Paragraph::new()
            .align(AlignmentType::Center)
            .keep_next(true)
            .line_spacing(single_line().before(120))
            .add_run(Run::new().add_text(chart_marker(n))),
        Paragraph::new()
            .style(STYLE_CAPTION)
            .add_run(Run::new().add_text(&chart.title)),
    ])
}

/// A top-level piece of the document body.
enum Element {
    Paragraph(Box<Paragraph>),
    Table(Box<docx_rs::Table>),
}

fn para(p: Paragraph) -> Element {
    Element::Paragraph(Box::new(p))
}

fn heading(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .keep_next(true)
        .add_run(Run::new().add_text(text))
}

/// A 目录 entry: TOC level (1–3), heading text, bookmark on the heading.
struct TocEntry {
    level: usize,
    text: String,
    bookmark: String,
}

/// Bookmark ids of headings start here, clear of any docx-rs generates.
const BOOKMARK_BASE: usize = 1000;

/// A heading whose text is inside a bookmark the 目录 refers to.
fn toc_heading(style: &str, level: usize, text: &str, toc: &mut Vec<TocEntry>) -> Paragraph {
    let id = BOOKMARK_BASE + toc.len();
    let bookmark = format!("_Toc{id:08}");
    toc.push(TocEntry {
        level,
        text: text.to_string(),
        bookmark: bookmark.clone(),
    });
    Paragraph::new()
        .style(style)
        .keep_next(true)
        .add_bookmark_start(id, bookmark)
        .add_run(Run::new().add_text(text))
        .add_bookmark_end(id)
}

/// The 目录 as a TOC field whose current result lists every entry with a PAGEREF field.
/// Word recomputes the whole field, page numbers included, on open (updateFields) or on F9;
/// LibreOffice shows the entries as imported (no page numbers) until 工具→更新→全部更新.
/// Each field part is its own run, as Word writes them: LibreOffice shows the field code when
/// begin, instruction and separator share a run (as docx-rs's own TableOfContents writes).
fn toc_paragraphs(entries: &[TocEntry]) -> Vec<Paragraph> {
    let field = |t: FieldCharType, dirty: bool| Run::new().add_field_char(t, dirty);
    let begin = || {
        vec![
            field(FieldCharType::Begin, true),
            Run::new().add_instr_text(InstrText::TOC(
                InstrToC::new().heading_styles_range(1, 3).hyperlink(),
            )),
            field(FieldCharType::Separate, false),
        ]
    };
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let mut p = Paragraph::new().style(&format!("ToC{}", e.level)).add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .leader(TabLeaderType::Dot)
                .pos(TEXT_WIDTH),
        );
        if i == 0 {
            for r in begin() {
                p = p.add_run(r);
            }
        }
        p = p
            .add_run(Run::new().add_text(&e.text))
            .add_run(Run::new().add_tab())
            .add_run(field(FieldCharType::Begin, false))
            .add_run(Run::new().add_instr_text(InstrText::PAGEREF(
                InstrPAGEREF::new(&e.bookmark).hyperlink(),
            )))
            .add_run(field(FieldCharType::Separate, false))
            // No page number until the field is updated: a placeholder would print wrong.
            .add_run(Run::new().add_text(""))
            .add_run(field(FieldCharType::End, false));
        out.push(p);
    }
    let last = Paragraph::new().style("ToC1");
    let last = if entries.is_empty() {
        begin().into_iter().fold(last, |p, r| p.add_run(r))
    } else {
        last
    };
    out.push(last.add_run(field(FieldCharType::End, false)));
    out
}

fn body(
    report: &Report,
    uy: &UnitYear,
    charts: &mut Vec<ChartPart>,
    toc: &mut Vec<TocEntry>,
) -> Result<Vec<Element>, OfficeError> {
    let mut out = Vec::new();
    // A disclosure table starts a page unless a heading just did.
    let mut after_heading = false;
    for block in &report.document {
        let was_heading = after_heading;
        after_heading = false;
        match block {
            Block::Heading { level: 1, text } if *text == report.title => {}
            Block::Heading { level, text } => {
                let p = match level {
                    0 | 1 => heading(STYLE_TITLE, text),
                    2 => toc_heading(STYLE_H1, 1, text, toc).page_break_before(true),
                    3 => toc_heading(STYLE_H2, 2, text, toc),
                    _ => toc_heading(STYLE_H3, 3, text, toc),
                };
                out.push(para(p));
                after_heading = *level >= 2;
            }
            Block::Paragraph { runs } => out.push(para(body_paragraph(runs))),
            Block::List { items } => out.extend(items.iter().map(|i| para(list_paragraph(i)))),
            Block::DisclosureTable { index } => {
                let t = report.tables.get(*index).ok_or_else(|| {
                    OfficeError::Document(format!("引用了不存在的第{}张公开表", index + 1))
                })?;
                out.extend(disclosure_table(t, uy, !was_heading));
            }
            Block::Chart { index } => {
                let c = report.charts.get(*index).ok_or_else(|| {
                    OfficeError::Document(format!("引用了不存在的第{}个图表", index + 1))
                })?;
                out.extend(chart_paragraphs(c, charts)?.into_iter().map(para));
            }
            Block::Table {
                header,
                rows,
                align,
            } => {
                out.push(Element::Table(Box::new(simple_table(header, rows, align))));
                // Word joins adjacent tables into one: keep a paragraph between them.
                out.push(para(Paragraph::new().style(STYLE_TABLE)));
            }
            Block::Rule => out.push(para(Paragraph::new())),
        }
    }
    Ok(out)
}

/// Font table entries for the Chinese fonts, with the name Word uses when a font is missing.
fn font_declarations() -> String {
    [
        (TITLE_FONT, TITLE_FONT_FALLBACK),
        (HEADING_FONT, HEADING_FONT_FALLBACK),
        (BODY_FONT, BODY_FONT_FALLBACK),
    ]
    .iter()
    .map(|(name, alt)| {
        format!(
            "<w:font w:name=\"{name}\"><w:altName w:val=\"{alt}\" /><w:charset w:val=\"86\" /><w:family w:val=\"modern\" /><w:pitch w:val=\"fixed\" /></w:font>"
        )
    })
    .collect()
}

fn insert_before(
    part: &mut Vec<u8>,
    marker: &str,
    insert: &str,
    what: &str,
) -> Result<(), OfficeError> {
    let text = std::str::from_utf8(part)
        .map_err(|e| OfficeError::Docx(format!("{what} 不是 UTF-8：{e}")))?;
    let pos = text
        .find(marker)
        .ok_or_else(|| OfficeError::Docx(format!("{what} 中没有 {marker}")))?;
    let mut s = String::with_capacity(text.len() + insert.len());
    s.push_str(&text[..pos]);
    s.push_str(insert);
    s.push_str(&text[pos..]);
    *part = s.into_bytes();
    Ok(())
}

/// The cover (封面): unit, "××××年度部门决算" and the date line, centred on the first page.
fn cover(docx: Docx, report: &Report, uy: &UnitYear) -> Docx {
    let blank = (0..6).fold(docx, |d, _| {
        d.add_paragraph(Paragraph::new().style(STYLE_TITLE))
    });
    let line = |d: Docx, text: String| {
        d.add_paragraph(
            Paragraph::new()
                .style(STYLE_TITLE)
                .add_run(Run::new().add_text(text)),
        )
    };
    let d = line(blank, uy.unit.name.clone());
    let d = line(d, format!("{}年度部门决算", uy.year));
    let d = (0..4).fold(d, |d, _| {
        d.add_paragraph(Paragraph::new().style(STYLE_COVER_DATE))
    });
    d.add_paragraph(
        Paragraph::new()
            .style(STYLE_COVER_DATE)
            .add_run(Run::new().add_text(&report.date)),
    )
}

/// The whole disclosure as a Word document: cover with the date line, 目录 (a TOC field Word
/// fills in on open), the report's parts in order with every disclosure table as a real Word
/// table (merged header cells repeated on every page, amounts right-aligned), evaluation
/// tables, charts as native Word charts with their data embedded, captions, page numbers.
pub fn write_docx(report: &Report, uy: &UnitYear) -> Result<Vec<u8>, OfficeError> {
    let docx = styles(Docx::new())
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(851)
                .footer(1134),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .style(STYLE_FOOTER)
                    .add_run(Run::new().add_text("— "))
                    .add_page_num(PageNum::new())
                    .add_run(Run::new().add_text(" —")),
            ),
        )
        // The cover has no page number.
        .title_pg();
    let mut docx = cover(docx, report, uy);

    // 目录
    let mut toc = Vec::new();
    let mut charts = Vec::new();
    let body = body(report, uy, &mut charts, &mut toc)?;
    docx = docx.add_paragraph(
        Paragraph::new()
            .style(STYLE_TOC_HEADING)
            .page_break_before(true)
            .add_run(Run::new().add_text("目　录")),
    );
    for p in toc_paragraphs(&toc) {
        docx = docx.add_paragraph(p);
    }

    for element in body {
        docx = match element {
            Element::Paragraph(p) => docx.add_paragraph(*p),
            Element::Table(t) => docx.add_table(*t),
        };
    }

    let mut xml = docx.build();
    // docx-rs has no setter for these: updateFields (CT_Settings puts it before compat),
    // font-table entries naming the fallback of each Chinese font, the default mark of its
    // Normal style, and repeated table header rows.
    insert_before(
        &mut xml.settings,
        "<w:compat>",
        "<w:updateFields w:val=\"true\" />",
        "word/settings.xml",
    )?;
    insert_before(
        &mut xml.font_table,
        "</w:fonts>",
        &font_declarations(),
        "word/fontTable.xml",
    )?;
    replace_all(
        &mut xml.styles,
        NORMAL_XML,
        NORMAL_DEFAULT_XML,
        1,
        "word/styles.xml",
    )?;
    let headers = count(&xml.document, HEADER_ROW_XML);
    if headers > 0 {
        replace_all(
            &mut xml.document,
            HEADER_ROW_XML,
            TABLE_HEADER_XML,
            headers,
            "word/document.xml",
        )?;
    }
    pack(xml, &charts)
}

/// docx-rs's Normal style as it writes it, and the same marked as the default paragraph style.
const NORMAL_XML: &str = "<w:style w:type=\"paragraph\" w:styleId=\"Normal\">";
const NORMAL_DEFAULT_XML: &str =
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">";

fn count(part: &[u8], what: &str) -> usize {
    String::from_utf8_lossy(part).matches(what).count()
}

/// Replace `from` by `to` in a part, which must hold it exactly `expected` times (a docx-rs
/// that writes it differently is an error, not a silently different document).
pub(crate) fn replace_all(
    part: &mut Vec<u8>,
    from: &str,
    to: &str,
    expected: usize,
    what: &str,
) -> Result<(), OfficeError> {
    let text = std::str::from_utf8(part)
        .map_err(|e| OfficeError::Docx(format!("{what} 不是 UTF-8：{e}")))?;
    let found = text.matches(from).count();
    if found != expected || expected == 0 {
        return Err(OfficeError::Docx(format!(
            "{what} 中 {from} 出现 {found} 次，应为 {expected} 次"
        )));
    }
    *part = text.replace(from, to).into_bytes();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_breaks_join_chinese_without_space() {
        assert_eq!(join_lines("收入\n支出"), "收入支出");
        assert_eq!(join_lines("total\nincome"), "total income");
        assert_eq!(join_lines("686.54万元\n。"), "686.54万元。");
    }

    #[test]
    fn column_widths_fill_the_text_width() {
        let w = column_widths(&[
            Need::Fixed(3.0),
            Need::Flexible(10.0),
            Need::Fixed(6.0),
            Need::Fixed(6.0),
        ]);
        assert_eq!(w.iter().sum::<usize>(), TEXT_WIDTH);
        assert!(w[1] > w[2] && w[2] > w[0]);
        // Too wide: the label column gives way, codes and amounts keep their width.
        let mut needs = vec![Need::Fixed(5.0), Need::Flexible(15.0)];
        needs.extend([Need::Fixed(6.0); 6]);
        let w = column_widths(&needs);
        assert_eq!(w.iter().sum::<usize>(), TEXT_WIDTH);
        assert_eq!(w[2], (6.0 * TABLE_CHAR) as usize);
        assert!(w[0] >= (5.0 * TABLE_CHAR) as usize);
        assert!(w[1] < (15.0 * TABLE_CHAR) as usize);
    }

    #[test]
    fn svg_size_reads_the_root_element() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"380.5\" viewBox=\"0 0 640 380.5\"><rect width=\"9\" height=\"9\"/></svg>";
        assert_eq!(svg_size(svg), Some((640.0, 380.5)));
        assert_eq!(svg_size("<svg viewBox=\"0 0 1 1\"></svg>"), None);
        assert_eq!(svg_size("<rect width=\"9\" height=\"9\"/>"), None);
    }

    #[test]
    fn replace_all_wants_the_expected_count() {
        let mut part = b"<a/><a/>".to_vec();
        assert!(replace_all(&mut part, "<a/>", "<b/>", 1, "x").is_err());
        assert!(replace_all(&mut part, "<c/>", "<b/>", 0, "x").is_err());
        replace_all(&mut part, "<a/>", "<b/>", 2, "x").unwrap();
        assert_eq!(part, b"<b/><b/>");
    }
}
