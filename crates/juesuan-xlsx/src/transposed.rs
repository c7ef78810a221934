//! Tables whose template rows are printed as columns: 公开07表 (“三公”经费支出决算表) as the
//! official final-accounts software and most central departments export it.
//!
//! Our template prints 公开07表 vertically (rows 合计 / 因公出国（境）费 / 公务用车购置及运行维护费
//! / 购置费 / 运行维护费 / 公务接待费, columns 预算数 / 决算数). The official export lays the same
//! figures out horizontally:
//!
//! - **horizontal**: a group per template column (预算数, 决算数; also 年初预算数 / 全年预算数)
//!   over one column per template row (合计, 因公出国（境）费, 公务用车购置及运行费 — itself a
//!   group over 小计 | 购置费 | 运行费 —, 公务接待费), in either nesting order, often a 栏次 row,
//!   then ONE data row (labelled 合计, the unit's name, or blank);
//! - **transposed**: the same item columns without the groups, and one row per template column
//!   (row labels 预算数 / 决算数).
//!
//! The layout is recognised by its header texts: a row where two or more of the template's
//! row labels stand side by side. Everything read is keyed exactly like the vertical reading
//! (row id × column id), so facts, the comparison of totals with their parts and the
//! consistency rules do not depend on the layout. Any grid table whose rows are all fixed
//! rows can be read this way; in the national set that is only 公开07表.
//!
//! Unlike the vertical reader (which ignores an extra column with a warning), an unknown,
//! ambiguous or repeated column here is an error: with the items spread over columns, a
//! column we cannot place could be any of them.

use crate::error::{Place, Problem};
use crate::grid::{Sheet, Value};
use crate::read::{
    amount_problem, cell_amount, ends_table, is_number_like, layout, table_unit, ReadContext,
    StatedTable, ROW_NUMBER_WORDS, STUB_WORDS,
};
use crate::text::{label_key, norm, same_label};
use juesuan_core::tables::{Layout, TableSpec};
use juesuan_core::MoneyUnit;
use std::collections::BTreeMap;

/// Words that name the total of the columns beside them: the table's 合计, or, under a group
/// such as 公务用车购置及运行费, that group's 小计.
const SUBTOTAL_WORDS: &[&str] = &["合计", "小计", "总计"];

/// Whether a table can be laid out this way: a grid whose rows are all fixed rows.
pub(crate) fn applies(spec: &TableSpec) -> bool {
    spec.layout == Layout::Grid
        && !spec.rows.is_empty()
        && spec
            .rows
            .iter()
            .all(|r| r.id.is_some() && r.tree.is_none() && r.economic_group.is_none())
}

/// One fixed row of the template and the texts that name it.
struct Item {
    id: String,
    names: Vec<String>,
    /// Names under its parent's header group only (the template's `short_aliases`).
    short_names: Vec<String>,
    /// The row it is part of ("其中" rows, indented under the row above).
    parent: Option<usize>,
    has_children: bool,
    /// 合计: the sum of the rows that are not part of another row.
    total: bool,
}

struct Vocabulary<'a> {
    spec: &'a TableSpec,
    items: Vec<Item>,
}

impl<'a> Vocabulary<'a> {
    fn new(spec: &'a TableSpec) -> Self {
        let mut items: Vec<Item> = Vec::new();
        let mut last_top: Option<usize> = None;
        for r in &spec.rows {
            let id = r.id.clone().unwrap_or_default();
            let mut names: Vec<String> = r.label.iter().cloned().collect();
            names.extend(r.aliases.iter().cloned());
            let total = names
                .iter()
                .any(|n| SUBTOTAL_WORDS.contains(&label_key(n).as_str()));
            let parent = if r.indent > 0 { last_top } else { None };
            if r.indent == 0 {
                last_top = Some(items.len());
            }
            if let Some(p) = parent {
                items[p].has_children = true;
            }
            items.push(Item {
                id,
                names,
                short_names: r.short_aliases.clone(),
                parent,
                has_children: false,
                total,
            });
        }
        Vocabulary { spec, items }
    }

    /// The template column a text names (预算数 / 决算数 and their synonyms).
    fn scenario(&self, text: &str) -> Option<usize> {
        self.spec.columns.iter().position(|c| {
            same_label(text, &c.label) || c.aliases.iter().any(|s| same_label(text, s))
        })
    }

    /// The row a text names by its full name (not a bare 合计 / 小计).
    fn item(&self, text: &str) -> Option<usize> {
        if is_subtotal(text) {
            return None;
        }
        self.items
            .iter()
            .position(|i| i.names.iter().any(|n| same_label(text, n)))
    }

    fn child_by_short_name(&self, parent: usize, text: &str) -> Option<usize> {
        self.items.iter().position(|i| {
            i.parent == Some(parent) && i.short_names.iter().any(|s| same_label(text, s))
        })
    }

    fn total(&self) -> Option<usize> {
        self.items.iter().position(|i| i.total)
    }

    /// Any text a header of this table holds.
    fn is_header_text(&self, text: &str) -> bool {
        let key = label_key(text);
        is_subtotal(text)
            || STUB_WORDS.contains(&key.as_str())
            || ROW_NUMBER_WORDS.contains(&key.as_str())
            || self.scenario(text).is_some()
            || self.item(text).is_some()
            || self
                .items
                .iter()
                .any(|i| i.short_names.iter().any(|s| same_label(text, s)))
    }
}

fn is_subtotal(text: &str) -> bool {
    SUBTOTAL_WORDS.contains(&label_key(text).as_str())
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Text(t) if !norm(t).is_empty() => Some(norm(t)),
        _ => None,
    }
}

fn is_dash(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| matches!(c, '-' | '—' | '–' | '─'))
}

/// The row where two or more of the template's rows (other than 合计) are named in separate
/// cells, within the first 20 rows of the region: the sign of this layout (a vertical table
/// names one row per sheet row).
pub(crate) fn label_row(sheet: &Sheet, spec: &TableSpec, rows: &[u32]) -> Option<u32> {
    let vocab = Vocabulary::new(spec);
    rows.iter().take(20).copied().find(|&r| {
        let mut named: Vec<usize> = sheet
            .row(r)
            .filter(|(_, v)| !is_number_like(v))
            .filter_map(|(_, v)| text_of(v))
            .filter_map(|t| vocab.item(&t))
            .filter(|&i| !vocab.items[i].total)
            .collect();
        named.sort_unstable();
        named.dedup();
        named.len() >= 2
    })
}

/// A row numbering the columns: labelled 栏次 / 行次 / 序号 with numbers, or only the numbers
/// 1, 2, 3 … in column order.
fn is_numbering_row(sheet: &Sheet, r: u32) -> bool {
    let mut numbers = Vec::new();
    let mut labelled = false;
    for (_, v) in sheet.row(r) {
        match v {
            Value::Number(n) => numbers.push(*n),
            Value::Text(t) => {
                let t = norm(t);
                if t.is_empty() {
                    continue;
                }
                if ROW_NUMBER_WORDS.contains(&label_key(&t).as_str()) {
                    labelled = true;
                } else if let Ok(n) = t.parse::<f64>() {
                    numbers.push(n);
                } else {
                    return false;
                }
            }
            Value::Other(_) => return false,
        }
    }
    if numbers.is_empty() {
        return false;
    }
    labelled
        || (numbers.len() >= 3
            && numbers
                .iter()
                .enumerate()
                .all(|(i, n)| *n == (i + 1) as f64))
}

/// What a header column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    /// Row labels (项目), row numbers (栏次) or no header at all.
    Stub,
    /// An amount of a template row, under a template column when the header names one.
    Amount {
        item: usize,
        scenario: Option<usize>,
    },
}

fn unknown_column(spec: &TableSpec, place: Place, path: &str, why: &str) -> Problem {
    let items: Vec<String> = spec
        .rows
        .iter()
        .filter_map(|r| r.label.as_deref())
        .map(|l| format!("“{}”", label_key(l)))
        .collect();
    let columns: Vec<String> = spec
        .columns
        .iter()
        .map(|c| format!("“{}”", c.label))
        .collect();
    layout(
        place,
        format!("“{}”表头中无法识别的列“{path}”{why}", spec.title),
        &format!(
            "横排的该表表头只能由{}分组和{}各列组成（写法与表样一致，如“公务用车购置及运行费”下的“小计”“购置费”“运行费”）；请删除该列或改用表样中的写法。",
            columns.join("、"),
            items.join("、")
        ),
    )
}

/// Read the table in its horizontal or transposed layout; `label_row` is where its items
/// stand side by side.
pub(crate) fn read(
    sheet: &Sheet,
    spec: &TableSpec,
    title_row: u32,
    end_row: u32,
    rows: &[u32],
    label_row: u32,
    cx: &mut ReadContext,
) -> Result<StatedTable, Problem> {
    let vocab = Vocabulary::new(spec);
    let (header_start, header_end) =
        header_bounds(sheet, &vocab, title_row, end_row, rows, label_row);
    let header_rows: Vec<u32> = (header_start..=header_end)
        .filter(|&r| !is_numbering_row(sheet, r))
        .collect();
    let unit = table_unit(sheet, spec, title_row, header_end, cx);
    let columns = header_columns(sheet, spec, &vocab, header_start, header_end, &header_rows)?;
    let amounts: Vec<(u32, usize, Option<usize>)> = columns
        .iter()
        .filter_map(|(c, k, _)| match k {
            Col::Amount { item, scenario } => Some((*c, *item, *scenario)),
            Col::Stub => None,
        })
        .collect();
    // Either every column is under a 预算数 / 决算数 group (one data row), or none is (one
    // row per 预算数 / 决算数).
    let grouped = amounts.iter().any(|a| a.2.is_some());
    every_item_has_a_column(
        sheet,
        spec,
        &vocab,
        header_start,
        &columns,
        &amounts,
        grouped,
    )?;
    let body = Body {
        sheet,
        spec,
        vocab: &vocab,
        amounts: &amounts,
        grouped,
        unit,
    };
    let problems_before = cx.problems.len();
    let (mut stated, seen) = body.read(rows, header_end, cx);
    // (A row already reported as unrecognised is the likelier cause of a missing one.)
    if !grouped && !seen.is_empty() && cx.problems.len() == problems_before {
        // Every template column is a row here: each must be there, as each column must be
        // in the vertical layout.
        if let Some(col) = (0..spec.columns.len()).find(|s| !seen.contains_key(&Some(*s))) {
            return Err(layout(
                sheet.place_row(header_start),
                format!(
                    "“{}”按列列示各项时找不到“{}”行",
                    spec.title, spec.columns[col].label
                ),
                "请保留该行（金额为0也要保留），行名写法须一致（如“预算数”“决算数”）。",
            ));
        }
    }
    for it in &vocab.items {
        if stated.cells.keys().any(|(row, _)| *row == it.id) {
            stated.order.push(it.id.clone());
        }
    }
    Ok(stated)
}

/// The header's first and last rows around the item row.
fn header_bounds(
    sheet: &Sheet,
    vocab: &Vocabulary,
    title_row: u32,
    end_row: u32,
    rows: &[u32],
    label_row: u32,
) -> (u32, u32) {
    let has_row = |r: u32| rows.contains(&r);
    let no_numbers = |r: u32| sheet.row(r).all(|(_, v)| !is_number_like(v));

    // Header rows: groups (预算数 / 决算数, 项目) directly above the item row…
    let mut header_start = label_row;
    while header_start > title_row
        && has_row(header_start - 1)
        && no_numbers(header_start - 1)
        && sheet.row(header_start - 1).any(|(_, v)| {
            text_of(v).is_some_and(|t| {
                vocab.scenario(&t).is_some() || STUB_WORDS.contains(&label_key(&t).as_str())
            })
        })
    {
        header_start -= 1;
    }
    // …and below it, rows of sub-items (小计 | 购置费 | 运行费) or of 预算数 | 决算数 under each
    // item, and rows merged cells of the header reach into. A data row has figures, "-" for
    // zero, or at most one label.
    let mut header_end = label_row;
    // A header is a few rows; the bound also keeps a hostile sheet from looping long.
    while header_end - header_start < 8 {
        let mut end = sheet
            .merges
            .iter()
            .filter(|m| (header_start..=header_end).contains(&m.0))
            .map(|m| m.2)
            .fold(header_end, u32::max)
            .min(end_row.saturating_sub(1));
        let next = end + 1;
        if next < end_row && has_row(next) && !is_numbering_row(sheet, next) && no_numbers(next) {
            let texts: Vec<String> = sheet.row(next).filter_map(|(_, v)| text_of(v)).collect();
            let header_like = texts.iter().filter(|t| vocab.is_header_text(t)).count();
            if header_like >= 2 && !texts.iter().any(|t| is_dash(t)) {
                end = next;
            }
        }
        if end == header_end {
            break;
        }
        header_end = end;
    }
    (header_start, header_end)
}

/// Each column by the header texts above it, top to bottom: an amount of an item (under a
/// 预算数/决算数 group or not), or a stub column; an unknown or repeated column is an error.
fn header_columns(
    sheet: &Sheet,
    spec: &TableSpec,
    vocab: &Vocabulary,
    header_start: u32,
    header_end: u32,
    header_rows: &[u32],
) -> Result<Vec<(u32, Col, Place)>, Problem> {
    let shown_at = |r: u32, c: u32| -> Place {
        match sheet.merge_of(r, c) {
            Some((r0, c0, _, _)) => sheet.place(r0, c0),
            None => sheet.place(r, c),
        }
    };
    let mut columns: Vec<(u32, Col, Place)> = Vec::new();
    for c in sheet.columns_in(header_start, header_end) {
        let mut path: Vec<(Place, String)> = Vec::new();
        for &r in header_rows {
            let t = norm(&sheet.shown_text(r, c));
            if t.is_empty() || t.chars().all(|ch| ch.is_ascii_digit()) {
                continue;
            }
            if path.last().map(|(_, l)| l) != Some(&t) {
                path.push((shown_at(r, c), t));
            }
        }
        let joined = path
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("/");
        let mut item: Option<usize> = None;
        let mut scenario: Option<usize> = None;
        let mut stub = false;
        for (place, t) in &path {
            let key = label_key(t);
            if STUB_WORDS.contains(&key.as_str()) || ROW_NUMBER_WORDS.contains(&key.as_str()) {
                stub = true;
                continue;
            }
            if let Some(s) = vocab.scenario(t) {
                if scenario.is_some_and(|x| x != s) {
                    return Err(unknown_column(
                        spec,
                        place.clone(),
                        &joined,
                        "（同时在两个分组下）",
                    ));
                }
                scenario = Some(s);
                continue;
            }
            let next = if is_subtotal(t) {
                match item {
                    Some(p) if vocab.items[p].has_children => Some(p),
                    None => vocab.total(),
                    Some(_) => None,
                }
            } else {
                item.and_then(|p| vocab.child_by_short_name(p, t))
                    .or_else(|| {
                        vocab.item(t).filter(|&i| match item {
                            None => true,
                            Some(p) => i == p || vocab.items[i].parent == Some(p),
                        })
                    })
            };
            match next {
                Some(i) => item = Some(i),
                None => return Err(unknown_column(spec, place.clone(), &joined, "")),
            }
        }
        // The column's own header cell (its lowest), not a group above it.
        let place = header_rows
            .last()
            .map_or_else(|| sheet.place(header_start, c), |&r| shown_at(r, c));
        let kind = match (item, stub) {
            (Some(item), false) => Col::Amount { item, scenario },
            (None, _) if scenario.is_none() => Col::Stub,
            _ => {
                return Err(unknown_column(
                    spec,
                    place,
                    &joined,
                    "（看不出是哪一项的金额）",
                ))
            }
        };
        if let Col::Amount { .. } = kind {
            if let Some((dc, _, first)) = columns.iter().find(|(_, k, _)| *k == kind) {
                return Err(layout(
                    place,
                    format!(
                        "“{}”表头中的列“{joined}”重复（与{}列相同），无法确定读哪一列",
                        spec.title,
                        first
                            .cell
                            .clone()
                            .unwrap_or_else(|| crate::text::cell_name(header_start, *dc))
                    ),
                    "每一项只能有一列（如同时有“年初预算数”和“全年预算数”，请只保留一组）；请删除多余的列。",
                ));
            }
        }
        columns.push((c, kind, place));
    }
    Ok(columns)
}

/// The header lacks item `i`'s column (under the group `under`, when the columns are grouped).
fn missing_item(
    sheet: &Sheet,
    header_start: u32,
    spec: &TableSpec,
    i: usize,
    under: Option<&str>,
) -> Problem {
    let item = spec.rows[i]
        .label
        .as_deref()
        .map(label_key)
        .unwrap_or_default();
    let what = match under {
        Some(group) => format!("“{group}”下的“{item}”"),
        None => format!("“{item}”"),
    };
    layout(
        sheet.place_row(header_start),
        format!("“{}”的表头中找不到{what}列", spec.title),
        "请按官方表样保留该列（金额为0也要保留），列名写法须一致。",
    )
}

/// Every item of the template has its column (under each group, when grouped).
fn every_item_has_a_column(
    sheet: &Sheet,
    spec: &TableSpec,
    vocab: &Vocabulary,
    header_start: u32,
    columns: &[(u32, Col, Place)],
    amounts: &[(u32, usize, Option<usize>)],
    grouped: bool,
) -> Result<(), Problem> {
    if grouped {
        if let Some((c, _, _)) = amounts.iter().find(|a| a.2.is_none()) {
            let place = columns
                .iter()
                .find(|x| x.0 == *c)
                .map(|x| x.2.clone())
                .unwrap_or_default();
            let groups: Vec<&str> = spec.columns.iter().map(|c| c.label.as_str()).collect();
            return Err(layout(
                place,
                format!(
                    "“{}”表头中该列不在“{}”分组下，而其他列在，无法确定是哪一种金额",
                    spec.title,
                    groups.join("”或“")
                ),
                "请让每个金额列都位于“预算数”或“决算数”分组之下（合并单元格），与官方表样一致。",
            ));
        }
        // Every part of the total must be there under each group.
        for (s, col) in spec.columns.iter().enumerate() {
            for (i, it) in vocab.items.iter().enumerate() {
                if it.total || it.has_children {
                    continue;
                }
                if !amounts.iter().any(|a| a.1 == i && a.2 == Some(s)) {
                    return Err(missing_item(sheet, header_start, spec, i, Some(&col.label)));
                }
            }
        }
    } else {
        for (i, it) in vocab.items.iter().enumerate() {
            if it.total || it.has_children || amounts.iter().any(|a| a.1 == i) {
                continue;
            }
            return Err(missing_item(sheet, header_start, spec, i, None));
        }
    }
    Ok(())
}

/// The data rows of a transposed or horizontal table.
struct Body<'a> {
    sheet: &'a Sheet,
    spec: &'a TableSpec,
    vocab: &'a Vocabulary<'a>,
    amounts: &'a [(u32, usize, Option<usize>)],
    grouped: bool,
    unit: MoneyUnit,
}

impl Body<'_> {
    /// Each data row below the header into the stated cells, with the rows seen by their
    /// 预算数/决算数 (transposed) or the one row (horizontal).
    fn read(
        &self,
        rows: &[u32],
        header_end: u32,
        cx: &mut ReadContext,
    ) -> (StatedTable, BTreeMap<Option<usize>, u32>) {
        let mut stated = StatedTable {
            sheet: self.sheet.name.clone(),
            unit: self.unit,
            cells: BTreeMap::new(),
            order: Vec::new(),
        };
        let amount_cols: Vec<u32> = self.amounts.iter().map(|a| a.0).collect();
        // Data rows seen: by template column (transposed), or the one row (horizontal).
        let mut seen: BTreeMap<Option<usize>, u32> = BTreeMap::new();
        for &r in rows.iter().filter(|&&r| r > header_end) {
            if self.sheet.row_is_blank(r) || is_numbering_row(self.sheet, r) {
                continue;
            }
            let first_text = self
                .sheet
                .row(r)
                .find_map(|(_, v)| text_of(v))
                .unwrap_or_default();
            if ends_table(&first_text, self.spec) {
                break;
            }
            // The row's label: its first text outside the amount columns.
            let label = self
                .sheet
                .row(r)
                .filter(|(c, _)| !amount_cols.contains(c))
                .find_map(|(c, v)| text_of(v).map(|t| (c, t)));
            let mut values = Vec::new();
            let mut bad = false;
            for &(c, item, scenario) in self.amounts {
                match cell_amount(self.sheet.get(r, c), self.unit) {
                    Ok(a) => values.push((c, item, scenario, a)),
                    Err(why) => {
                        bad = true;
                        cx.problems
                            .push(amount_problem(self.sheet, r, c, why, self.unit));
                    }
                }
            }
            let filled = amount_cols.iter().any(|&c| self.sheet.get(r, c).is_some());
            let nonzero = values.iter().find(|v| !v.3.is_zero()).map(|v| v.0);
            let Some(row_scenario) =
                self.row_scenario(r, label.as_ref(), filled, nonzero, cx.problems)
            else {
                continue;
            };
            if let Some(&first) = seen.get(&row_scenario) {
                if self.grouped && nonzero.is_none() {
                    // A second row of zeros under a one-row table says nothing.
                    continue;
                }
                let at = nonzero.or(label.as_ref().map(|l| l.0)).unwrap_or(0);
                cx.problems.push(layout(
                    self.sheet.place(r, at),
                    if self.grouped {
                        format!(
                            "“{}”按“预算数/决算数”分组横排时只能有一行数据，第{}行已有数据",
                            self.spec.title,
                            first + 1
                        )
                    } else {
                        format!("“{}”的行重复出现（第{}行已有）", self.spec.title, first + 1)
                    },
                    "请只保留一行数据（多个单位请分别导入）。",
                ));
                continue;
            }
            seen.insert(row_scenario, r);
            if bad {
                continue;
            }
            for (c, item, scenario, a) in values {
                let Some(s) = scenario.or(row_scenario) else {
                    continue;
                };
                stated.cells.insert(
                    (
                        self.vocab.items[item].id.clone(),
                        self.spec.columns[s].id.clone(),
                    ),
                    (a, self.sheet.place(r, c)),
                );
            }
        }
        (stated, seen)
    }

    /// The 预算数/决算数 a data row holds: `Some(None)` for the one row of a grouped table,
    /// `Some(Some(s))` for a row labelled with template column `s`, `None` for a row to skip
    /// (an unrecognised row with amounts is reported).
    fn row_scenario(
        &self,
        r: u32,
        label: Option<&(u32, String)>,
        filled: bool,
        nonzero: Option<u32>,
        problems: &mut Vec<Problem>,
    ) -> Option<Option<usize>> {
        if self.grouped {
            if let Some((c, t)) = label.filter(|(_, t)| self.vocab.scenario(t).is_some()) {
                problems.push(layout(
                    self.sheet.place(r, *c),
                    format!(
                        "“{}”的金额列已按分组区分{}，该行又标为“{t}”，无法确定是哪一种金额",
                        self.spec.title,
                        self.spec
                            .columns
                            .iter()
                            .map(|c| format!("“{}”", c.label))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                    "横排的该表只有一行数据：请删除行标签或改用表样的竖排版式。",
                ));
                return None;
            }
            if !filled {
                return None;
            }
            Some(None)
        } else {
            match label {
                Some((c, t)) => match self.vocab.scenario(t) {
                    Some(s) => Some(Some(s)),
                    None => {
                        if nonzero.is_some() {
                            problems.push(layout(
                                self.sheet.place(r, *c),
                                format!("无法识别的行“{t}”"),
                                &format!(
                                    "“{}”按列列示各项时，每行须标明{}；请改用表样中的写法。",
                                    self.spec.title,
                                    self.spec
                                        .columns
                                        .iter()
                                        .map(|c| format!("“{}”", c.label))
                                        .collect::<Vec<_>>()
                                        .join("或")
                                ),
                            ));
                        }
                        None
                    }
                },
                None => {
                    if let Some(c) = nonzero {
                        problems.push(layout(
                            self.sheet.place(r, c),
                            "该行有金额，但没有写明是预算数还是决算数".into(),
                            "请在该行第一列填写“预算数”或“决算数”。",
                        ));
                    }
                    None
                }
            }
        }
    }
}
