//! Recognising tables in the text: titles, units, header rows, code columns, amounts.

use super::grid::{Grid, HeadCell, HeadRow};
use super::{StatedCell, StatedRow, StatedTable};
use crate::model::{Place, TableCoverage};
use crate::text::{half_unit, number};
use juesuan_core::ratio::Ratio;

/// The tables of a text (normalised as the auditor reads it).
pub fn read_tables(text: &str) -> Vec<StatedTable> {
    recognise(&crate::text::normalize(text)).0
}

/// A cell of a row with its character range in the line and its index among the line's
/// cells, empty ones counted.
#[derive(Clone, Copy)]
struct Cell<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    part: usize,
}

/// The cells of a table row: tab-separated (readers' tables, `pdftotext -layout` rows) or a
/// Markdown row "| a | b |"; `None` for running text or a Markdown rule row.
fn cells(line: &str) -> Option<Vec<Cell<'_>>> {
    let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
    let sep = if t.starts_with('|') {
        '|'
    } else if line.contains('\t') {
        '\t'
    } else {
        return None;
    };
    let mut out = Vec::new();
    let mut at = 0; // character offset in `line`
    for (index, part) in line.split(sep).enumerate() {
        let n = part.chars().count();
        let lead = part
            .chars()
            .take_while(|c| c.is_whitespace() || *c == '\u{c}')
            .count();
        let body = part.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
        if !body.is_empty() {
            let len = body.chars().count();
            out.push(Cell {
                text: body,
                start: at + lead,
                end: at + lead + len,
                part: index,
            });
        }
        at += n + 1;
    }
    if sep == '|'
        && out
            .iter()
            .all(|c| c.text.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
    {
        return None;
    }
    Some(out)
}

/// A line whose cells stand at their layout offsets: the PDF reader turns every space of a
/// column gap into a tab, so cells are two tabs apart or more. (.docx and Markdown rows put
/// one separator between cells.)
fn is_aligned(line: &str, cells: &[Cell]) -> bool {
    !line.trim_start().starts_with('|')
        && cells.len() >= 2
        && cells.windows(2).all(|w| w[1].part - w[0].part >= 2)
}

/// The number of cells of a line, empty ones counted.
fn parts(line: &str) -> usize {
    if line.trim_start().starts_with('|') {
        line.matches('|').count() + 1
    } else {
        line.matches('\t').count() + 1
    }
}

/// A header line as the grid reads it.
fn head_row(line: &str, cells: &[Cell]) -> HeadRow {
    let aligned = is_aligned(line, cells);
    HeadRow {
        aligned,
        cells: cells
            .iter()
            .map(|c| HeadCell {
                text: c.text.replace([' ', '\u{3000}'], ""),
                lo: if aligned { c.start } else { c.part },
                hi: if aligned { c.end } else { c.part + 1 },
            })
            .collect(),
        parts: parts(line),
    }
}

/// An amount and a label the layout printed one space apart (or the normalising glued:
/// "24,458.43一、一般公共服务支出" in a 收支总表) are two cells when the header has a
/// column for each (for words after an amount: a column after the amount's): split there.
fn split_glued<'a>(cells: Vec<Cell<'a>>, grid: &Grid) -> Vec<Cell<'a>> {
    let amount_first = lazy_regex!(r"^(-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+) ?([^\d\s.%万元亿].*)$");
    let label_first = lazy_regex!(r"^(.*[^\d\s.,\-]) ?(-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+)$");
    let mut out = Vec::with_capacity(cells.len());
    for c in cells {
        let caps = amount_first
            .captures(c.text)
            .or_else(|| label_first.captures(c.text));
        let Some(caps) = caps else {
            out.push(c);
            continue;
        };
        let (a, b) = (caps.get(1).expect("1"), caps.get(2).expect("2"));
        let chars = |i: usize| c.text[..i].chars().count();
        let left = Cell {
            text: a.as_str(),
            start: c.start,
            end: c.start + chars(a.end()),
            part: c.part,
        };
        let right = Cell {
            text: b.as_str(),
            start: c.start + chars(b.start()),
            end: c.end,
            part: c.part,
        };
        let (l, r) = (
            grid.nearest(left.start, left.end),
            grid.nearest(right.start, right.end),
        );
        // Words after an amount are never that amount's cell: when the header has a column
        // after the amount's, they are the next cell, even where the layout's drift puts a
        // short label nearer the amount's column.
        let words_after = amount_first.is_match(c.text)
            && right.text.chars().count() >= 2
            && l.is_some_and(|k| k + 1 < grid.paths.len());
        let apart = l != r || words_after;
        if apart {
            out.push(left);
            out.push(right);
        } else {
            out.push(c);
        }
    }
    out
}

/// Puts the row's amounts under the header's columns, when the grid places them.
fn place(row: &mut StatedRow, cells: &[Cell], skip: usize, grid: &Grid, parts: usize) {
    let positions: Vec<(usize, usize)> = cells[skip..]
        .iter()
        .filter(|c| is_amount(c.text))
        .map(|c| {
            if grid.aligned {
                (c.start, c.end)
            } else {
                (c.part, c.part + 1)
            }
        })
        .collect();
    let Some(cols) = grid.place(&positions, parts) else {
        return;
    };
    let all = row
        .cells
        .iter_mut()
        .chain(row.more.iter_mut().flat_map(|m| m.1.iter_mut()));
    let mut n = 0;
    for (cell, col) in all.zip(&cols) {
        cell.column = Some(*col);
        n += 1;
    }
    row.placed = n == cols.len();
}

fn is_amount(s: &str) -> bool {
    lazy_regex!(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$").is_match(s)
}

/// A title line: names a table ("…表", "…表（功能科目）"); the table number "公开03表"
/// and a note glued before the title ("注：本部门无该项目") are not part of it.
pub(crate) fn title_of(line: &str) -> Option<String> {
    let t: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{c}')
        .collect();
    // The header line the reader glued after the title ("…表部门名称：某单位", "…表单位：万元").
    let t = match lazy_regex!(r"(?:编制)?(?:部门|单位)(?:名称)?[：:]").find(&t) {
        Some(m) => t[..m.start()].to_string(),
        None => t,
    };
    // The table number ("公开03表", "附表2") is not a title.
    let t = lazy_regex!(
        r"(?:(?:(?:公开|附)(?:\d+|[一二三四五六七八九十]+)?|\d+)表|(?:公开|附)表(?:\d+|[一二三四五六七八九十]+))$"
    )
    .replace(&t, "");
    let t = t.as_ref();
    if t.contains(['。', '，', '；', ',']) || t.contains("见") || t.contains("目录") {
        return None;
    }
    let tail = lazy_regex!(r"表(?:[（(][^（）()]{1,12}[）)])?$");
    let m = tail.find(t)?;
    // What precedes the title on the line: a note, a cell, a contents entry.
    let mut title = t.rsplit([':', '：']).next().unwrap_or(t).to_string();
    title = lazy_regex!(
        r"^.*?无(?:相关|该|此)?[^表]{0,12}(?:项目|数据|内容|情况)|^[（(]无[^）)]*[）)]"
    )
    .replace(&title, "")
    .into_owned();
    title = lazy_regex!(r"^.*[一二三四五六七八九十]+、")
        .replace(&title, "")
        .into_owned();
    // Two titles glued by the reader: the last one.
    let body = &title[..title.len() - (t.len() - m.start())];
    if let Some(i) = body.rfind('表') {
        let rest = &title[i + '表'.len_utf8()..];
        if rest.chars().count() >= 5 {
            title = rest.to_string();
        }
    }
    let n = title.chars().count();
    let topical = [
        "收", "支", "预算", "决算", "经费", "采购", "拨款", "资产", "基金",
    ]
    .iter()
    .any(|w| title.contains(w));
    (topical && (4..=40).contains(&n)).then_some(title)
}

/// Joined 科目编码 from the leading cells: "2010201", or "201" "02" "01" printed in
/// separate 类/款/项 columns; with how many cells it took.
fn code_of(cells: &[Cell]) -> Option<(String, usize)> {
    let first = cells.first()?.text;
    if !lazy_regex!(r"^\d{3}(?:\d{2}){0,2}$").is_match(first) {
        return None;
    }
    let mut code = first.to_string();
    let mut used = 1;
    while code.len() < 7 {
        match cells.get(used) {
            Some(c) if c.text.len() == 2 && c.text.chars().all(|ch| ch.is_ascii_digit()) => {
                code.push_str(c.text);
                used += 1;
            }
            _ => break,
        }
    }
    // A code stands before a name; a row of bare numbers has no code.
    let named = cells.get(used).is_some_and(|c| !is_amount(c.text));
    named.then_some((code, used))
}

fn unit_of(line: &str) -> Option<(Ratio, &'static str)> {
    let c = lazy_regex!(r"单位[：:]\s*(亿元|万元|元)").captures(line)?;
    Some(match &c[1] {
        "亿元" => (Ratio::from_int(10_000), "亿元"),
        "万元" => (Ratio::ONE, "万元"),
        _ => (Ratio::new(1, 10_000).expect("nonzero"), "元"),
    })
}

/// A row's (code, label, amounts) segments. `apart` tells two label cells in a row apart
/// when they stand in different columns (a 收支总表 side whose amount is blank: "二、外交支出"
/// then "二、项目支出"); otherwise adjacent label cells are one label.
fn row_of(
    line: &str,
    cells: &[Cell],
    (n, page): (usize, Option<usize>),
    apart: &dyn Fn(&Cell, &Cell) -> bool,
) -> Option<StatedRow> {
    let (code, skip) = code_of(cells).map_or((None, 0), |(c, k)| (Some(c), k));
    let mut segments: Vec<(String, Vec<StatedCell>)> = vec![(String::new(), Vec::new())];
    let mut label_cell: Option<&Cell> = None;
    for c in &cells[skip..] {
        if is_amount(c.text) {
            let (value, decimals) = number(c.text)?;
            segments.last_mut().expect("one").1.push(StatedCell {
                value,
                half: half_unit(decimals, 0),
                decimals,
                text: c.text.to_string(),
                place: Place {
                    line: n,
                    start: c.start,
                    end: c.end,
                },
                column: None,
            });
        } else if matches!(c.text, "-" | "—" | "－" | "/") {
            // A dash marks a blank cell.
        } else {
            let last = segments.last_mut().expect("one");
            if !last.1.is_empty() || label_cell.is_some_and(|p| apart(p, c)) {
                segments.push((c.text.to_string(), Vec::new()));
            } else {
                last.0.push_str(c.text);
            }
            label_cell = Some(c);
            continue;
        }
        label_cell = None;
    }
    if segments.iter().all(|s| s.1.is_empty()) {
        return None;
    }
    let mut segments = segments.into_iter();
    let (label, amounts) = segments.next().expect("one");
    Some(StatedRow {
        code,
        label: label.replace([' ', '\u{3000}'], ""),
        cells: amounts,
        more: segments.filter(|s| !s.1.is_empty()).collect(),
        line: n,
        page,
        // The layout's column gaps (runs of tabs) quoted as one tab each.
        text: lazy_regex!(r"\t{2,}")
            .replace_all(
                line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}'),
                "\t",
            )
            .into_owned(),
        placed: false,
    })
}

/// A part heading ("第五部分 附件…", a Markdown "#" heading) that is not a table's title:
/// never inside a table, so it ends the table before it (the rows of a table that follows
/// under a title not ending in "表" are not that table's).
fn is_part_heading(t: &str) -> bool {
    t.starts_with('#') || lazy_regex!(r"^第[一二三四五六七八九十\d]+部分").is_match(t)
}

/// The note an empty table carries ("本单位无…", "本表无数据", "…故本表为空表", a bracketed
/// "（无政府性基金支出）"), however it begins (with or without "注：").
fn is_empty_note(t: &str) -> bool {
    t.chars().count() <= 120
        && !t.contains('\t')
        && lazy_regex!(r"空表|本表无|无数据|(?:本|我|该)(?:单位|部门).{0,30}(?:无|没有)|^[（(]\s*无[^）)]+[）)]$")
            .is_match(t)
}

/// Running text: a sentence, not a row or a caption. It ends the table before it.
fn is_prose(line: &str) -> bool {
    let t = line.trim();
    !line.contains('\t')
        && !t.starts_with('|')
        && t.contains('。')
        && t.chars().count() > 20
        && !t.starts_with("注")
}

/// The header rows by position read on this page, and their grid (computed when a row
/// needs it). A page has its own layout: offsets of one page do not hold on the next, so rows
/// are placed only under a header printed on their own page (or repeated there).
#[derive(Default)]
struct Layout {
    heads: Vec<HeadRow>,
    grid: Option<Option<Grid>>,
    rows_on_page: bool,
}

impl Layout {
    /// A line inside a table that is no title, unit or note: a data row or a header row.
    fn line(
        &mut self,
        table: &mut StatedTable,
        line: &str,
        t: &str,
        cs: Option<Vec<Cell>>,
        (n, row_page): (usize, Option<usize>),
    ) {
        let heads = &self.heads;
        let g = self.grid.get_or_insert_with(|| Grid::of(heads));
        let cs = match (cs, g.as_ref()) {
            (Some(c), Some(g)) if g.aligned && is_aligned(line, &c) => Some(split_glued(c, g)),
            (c, _) => c,
        };
        // Two label cells under different header columns of a two-sided 收支总表 are two
        // sides' labels.
        let two_sided = (table.title.contains("收支") || table.title.contains("收入支出"))
            && table.title.contains("总表");
        let apart = |a: &Cell, b: &Cell| match g.as_ref() {
            Some(g) if g.aligned && two_sided => {
                g.nearest(a.start, a.end) != g.nearest(b.start, b.end)
            }
            _ => false,
        };
        let row = cs
            .as_ref()
            .and_then(|c| row_of(line, c, (n, row_page), &apart));
        match row {
            Some(mut r) => {
                if let (Some(g), Some(c)) = (g.as_ref(), cs.as_ref()) {
                    if table.paths.is_empty() {
                        table.paths.clone_from(&g.paths);
                    }
                    // A page's header that names other columns does not place this table's.
                    if table.paths == g.paths {
                        let skip = code_of(c).map_or(0, |x| x.1);
                        place(&mut r, c, skip, g, parts(line));
                    }
                }
                self.rows_on_page = true;
                table.rows.push(r)
            }
            // A header printed again at the top of a new page gives that page's positions.
            None if table.rows.is_empty() || !self.rows_on_page => {
                if let Some(c) = &cs {
                    self.heads.push(head_row(line, c));
                    self.grid = None;
                }
                if !table.rows.is_empty() {
                    return;
                }
                let h: Vec<String> = match &cs {
                    Some(c) => c
                        .iter()
                        .map(|x| x.text.replace([' ', '\u{3000}'], ""))
                        .collect(),
                    None => vec![t.replace([' ', '\u{3000}'], "")],
                };
                table.header.push(h);
            }
            // Text between rows: a wrapped label or a header repeated on a new page.
            None => {}
        }
    }
}

/// A table just titled, before its unit, header and rows are read.
fn new_table(
    title: String,
    unit: Option<(Ratio, &'static str)>,
    line: usize,
    page: Option<usize>,
) -> StatedTable {
    StatedTable {
        title,
        unit,
        line,
        page,
        header: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        note: None,
        template: None,
        paths: Vec::new(),
    }
}

/// The table title a line carries: the line itself, or a title glued after a table's last cell
/// ("注：…公开03表" then the next title) on a line with no figures and no unit.
fn line_title(t: &str, cs: Option<&[Cell<'_>]>, single: bool) -> Option<String> {
    if single {
        return title_of(cs.and_then(|c| c.first()).map_or(t, |c| c.text));
    }
    cs.and_then(|c| c.last())
        .filter(|c| !is_amount(c.text))
        .and_then(|c| title_of(c.text))
        .filter(|_| unit_of(t).is_none())
        .filter(|_| !cs.is_some_and(|c| c.iter().any(|x| is_amount(x.text))))
}

pub(crate) fn recognise(text: &str) -> (Vec<StatedTable>, TableCoverage) {
    let paged = text.contains('\u{c}');
    let mut page = 1;
    let mut tables: Vec<StatedTable> = Vec::new();
    let mut current: Option<StatedTable> = None;
    let mut coverage = TableCoverage::default();
    let mut layout = Layout::default();
    // Whether the current table has a line with figures that was read as no row.
    let mut unread = false;
    let close = |t: Option<StatedTable>,
                 unread: bool,
                 tables: &mut Vec<StatedTable>,
                 cov: &mut TableCoverage| {
        let Some(t) = t else { return };
        // A title, unit and header with nothing under them (not even a figure we could not
        // read): an empty table, recognised as such (its note is checked).
        let empty = t.unit.is_some() && !t.header.is_empty() && !unread;
        if !t.rows.is_empty() || t.note.is_some() || empty {
            tables.push(t);
        } else if t.unit.is_some() {
            // A title with a unit but no row read: a table not recognised.
            cov.unrecognised.push(t.title);
        }
        // A bare title (a contents entry, a caption in the text) is no table.
    };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.contains('\u{c}') {
            page += line.matches('\u{c}').count();
            layout = Layout::default();
        }
        // Rows after a page break stand on the new page.
        let row_page = paged.then_some(page);
        let t = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}');
        if t.is_empty() {
            continue;
        }
        let cs = cells(line);
        let single = cs.as_ref().is_none_or(|c| c.len() <= 1);
        // The official note of an empty table, written as a sentence ("本单位无政府性基金预算
        // 财政拨款收支，故本表为空表。"): the table's note, not prose that ends it.
        if let Some(table) = current.as_mut().filter(|t| t.rows.is_empty()) {
            if is_empty_note(t) && title_of(t).is_none() {
                table.note = Some(t.to_string());
                continue;
            }
        }
        if is_prose(line) || (is_part_heading(t) && title_of(t).is_none()) {
            close(current.take(), unread, &mut tables, &mut coverage);
            continue;
        }
        let title = line_title(t, cs.as_deref(), single);
        if let Some(title) = title {
            // "注：本部门无相关收支项目" (or a bracketed "（无…）" the reader joined over the
            // page break) glued before the next title: the note of this table.
            let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let before = squeezed.find(&title).map_or("", |i| &squeezed[..i]);
            if let Some(table) = current
                .as_mut()
                .filter(|_| t.starts_with("注") || is_empty_note(before))
            {
                table.note = Some(t.to_string());
            }
            close(current.take(), unread, &mut tables, &mut coverage);
            layout = Layout::default();
            unread = false;
            current = Some(new_table(title, unit_of(t), n, row_page));
            continue;
        }
        let Some(table) = current.as_mut() else {
            continue;
        };
        if let Some(u) = unit_of(t) {
            table.unit = Some(u);
            if cs
                .as_ref()
                .is_none_or(|c| c.iter().all(|x| !is_amount(x.text)))
            {
                continue;
            }
        }
        if t.starts_with("注") {
            table.note = Some(t.to_string());
            continue;
        }
        let before = table.rows.len();
        layout.line(table, line, t, cs, (n, row_page));
        unread |= table.rows.len() == before && t.chars().any(|c| c.is_ascii_digit());
    }
    close(current.take(), unread, &mut tables, &mut coverage);
    for t in &mut tables {
        t.columns = super::checks::total_columns(t).unwrap_or_default();
    }
    super::templates::map_tables(&mut tables);
    coverage.tables = tables.len();
    coverage.rows = tables.iter().map(|t| t.rows.len()).sum();
    (tables, coverage)
}
