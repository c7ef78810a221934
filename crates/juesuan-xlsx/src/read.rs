//! Finding disclosure tables in sheets and reading what they state: tables by their title,
//! columns by their header texts, rows by code or label. Knows layouts, not meanings: the
//! figures read here are turned into facts in `import`.

use crate::error::{ImportWarning, Place, Problem, ProblemKind};
use crate::grid::{Sheet, Value};
use crate::text::{amount_from_f64, amount_from_text, label_key, norm, split_code, AmountProblem};
use juesuan_core::catalogue::Catalogue;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::tables::{Depth, TableSpec, TreeKind};
use juesuan_core::template_match::{
    column_matches, same_label, sides, title_forms, title_key, Side,
};
use juesuan_core::Catalogues;
use std::collections::BTreeMap;

/// What one table of the workbook states: amounts by (row key, column id), where a row key
/// is a fixed row's id or a classification code, as in `juesuan_core::tables::Table`.
#[derive(Debug, Clone)]
pub struct StatedTable {
    pub sheet: String,
    pub unit: MoneyUnit,
    pub cells: BTreeMap<(String, String), (Amount, Place)>,
    /// Row keys in the order the workbook lists them.
    pub order: Vec<String>,
}

impl StatedTable {
    pub fn get(&self, row: &str, col: &str) -> Amount {
        self.cells
            .get(&(row.to_string(), col.to_string()))
            .map(|(a, _)| *a)
            .unwrap_or_default()
    }
    pub fn has_row(&self, row: &str) -> bool {
        self.order.iter().any(|r| r == row)
    }
    pub fn place(&self, row: &str, col: &str) -> Place {
        self.cells
            .get(&(row.to_string(), col.to_string()))
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| Place {
                sheet: Some(self.sheet.clone()),
                cell: None,
            })
    }
}

/// Header texts of stub (row label) columns.
pub(crate) const STUB_WORDS: &[&str] = &[
    "项目",
    "科目",
    "编码",
    "名称",
    "类",
    "款",
    "项",
    "科目编码",
    "科目名称",
    "科目代码",
];
/// Header texts of columns that only number rows.
pub(crate) const ROW_NUMBER_WORDS: &[&str] = &["栏次", "行次", "序号"];

/// A row that ends a table's body: a note (注、说明) or the official "no data" sentence.
/// `first_text` is the row's first text, normalised.
pub(crate) fn ends_table(first_text: &str, spec: &TableSpec) -> bool {
    first_text.starts_with('注')
        || first_text.starts_with("说明")
        || spec
            .empty_note
            .as_deref()
            .is_some_and(|n| norm(n) == first_text)
        || first_text.contains("本表无数据")
}

/// Where a table's title was found.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub sheet: usize,
    pub row: u32,
    /// Index of the table in the set.
    pub table: usize,
}

/// Sheets that explain, not state (our template's 说明 and 科目代码 sheets).
fn is_explanatory(name: &str) -> bool {
    let n = norm(name);
    ["说明", "填报说明", "科目代码", "目录"].contains(&n.as_str())
}

/// Title (and code) cells of every table in every sheet. The longest title contained in a
/// cell wins ("财政拨款收入支出决算总表" also contains "收入支出决算总表").
pub fn find_candidates(sheets: &[Sheet], specs: &[TableSpec]) -> Vec<Candidate> {
    let titles: Vec<Vec<String>> = specs.iter().map(title_forms).collect();
    let codes: Vec<String> = specs.iter().map(|s| norm(&s.code)).collect();
    let mut out = Vec::new();
    for (si, sheet) in sheets.iter().enumerate() {
        if is_explanatory(&sheet.name) {
            continue;
        }
        let mut found_any = false;
        let first = out.len();
        for (&(row, _), v) in &sheet.cells {
            let Value::Text(t) = v else { continue };
            let t = title_key(t);
            if t.is_empty() || t.starts_with('注') || t.chars().count() > 80 {
                continue;
            }
            let best = titles
                .iter()
                .enumerate()
                .filter_map(|(i, forms)| {
                    forms
                        .iter()
                        .filter(|f| !f.is_empty() && t.contains(f.as_str()))
                        .map(|f| f.len())
                        .max()
                        .map(|len| (i, len))
                })
                .max_by_key(|&(_, len)| len)
                .map(|(i, _)| i);
            let best = best.or_else(|| codes.iter().position(|c| !c.is_empty() && t == *c));
            if let Some(table) = best {
                found_any = true;
                out.push(Candidate {
                    sheet: si,
                    row,
                    table,
                });
            }
        }
        // A table's code and its title a few rows apart are one table.
        let mut kept: Vec<Candidate> = Vec::new();
        for c in out.drain(first..) {
            if !kept
                .iter()
                .any(|k| k.table == c.table && c.row.abs_diff(k.row) <= 4)
            {
                kept.push(c);
            }
        }
        out.extend(kept);
        if !found_any {
            let n = title_key(&sheet.name);
            if let Some(table) = titles.iter().zip(&codes).position(|(forms, c)| {
                (!c.is_empty() && n.contains(c.as_str()))
                    || forms
                        .iter()
                        .any(|t| !t.is_empty() && n.contains(t.as_str()))
            }) {
                let row = sheet.cells.keys().next().map_or(0, |&(r, _)| r);
                out.push(Candidate {
                    sheet: si,
                    row,
                    table,
                });
            }
        }
    }
    out
}

/// The money unit stated near a table's title ("金额单位：万元", "单位：元"), or in its header
/// ("决算数（万元）").
fn unit_in(text: &str) -> Option<MoneyUnit> {
    let t = norm(text);
    let mut rest = t.as_str();
    while let Some(i) = rest.find("单位") {
        let after = rest[i + "单位".len()..].trim_start_matches([':', '：']);
        let ends =
            |s: &str| s.is_empty() || s.starts_with([')', '）', ';', ',', '，', '；', '、', ' ']);
        if let Some(r) = after.strip_prefix("万元") {
            if ends(r) {
                return Some(MoneyUnit::Wan);
            }
        } else if let Some(r) = after.strip_prefix('元') {
            if ends(r) {
                return Some(MoneyUnit::Yuan);
            }
        }
        rest = &rest[i + "单位".len()..];
    }
    if t.contains("(万元)") {
        Some(MoneyUnit::Wan)
    } else if t.contains("(元)") {
        Some(MoneyUnit::Yuan)
    } else {
        None
    }
}

/// The money unit near the title, above the header, or in header texts; 万元 with a warning
/// when none is stated.
pub(crate) fn table_unit(
    sheet: &Sheet,
    spec: &TableSpec,
    title_row: u32,
    header_end: u32,
    cx: &mut ReadContext,
) -> MoneyUnit {
    let mut unit = None;
    for r in title_row.saturating_sub(2)..=header_end {
        for (_, v) in sheet.row(r) {
            if let Value::Text(t) = v {
                if let Some(u) = unit_in(t) {
                    unit.get_or_insert(u);
                }
            }
        }
    }
    match unit {
        Some(u) => u,
        None => {
            cx.warnings.push(ImportWarning {
                place: sheet.place_row(title_row),
                message: format!(
                    "“{}”没有写明金额单位，按万元读取；如为元，请在表头上方加一行“金额单位：元”后重新导入",
                    spec.title
                ),
                code: None,
            });
            MoneyUnit::Wan
        }
    }
}

/// A column of the table region, classified by its header.
#[derive(Debug, Clone)]
enum ColKind {
    /// Row label: 科目编码 / 科目名称 / 项目 / 类 / 款 / 项.
    Stub(StubRole),
    /// An amount column: index of the side's column spec.
    Amount(usize),
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StubRole {
    Class,
    Section,
    Item,
    Other,
}

/// A block of columns: stub columns then amount columns (paired tables and side-by-side
/// layouts have several).
#[derive(Debug, Clone, Default)]
struct Block {
    stub: Vec<(u32, StubRole)>,
    amounts: Vec<(u32, usize)>,
}

/// How a row of a block is identified.
enum RowId {
    Code(String, u32),
    Label(String, u32),
    Empty,
}

pub struct ReadContext<'a> {
    pub catalogues: &'a Catalogues,
    pub problems: &'a mut Vec<Problem>,
    pub warnings: &'a mut Vec<ImportWarning>,
}

pub(crate) fn layout(place: Place, message: String, hint: &str) -> Problem {
    Problem {
        kind: ProblemKind::Layout,
        place,
        message,
        hint: hint.to_string(),
    }
}

/// Every label a row of this table could carry (to tell data rows from header rows).
fn row_label_matches(sides: &[Side], cats: &Catalogues, text: &str) -> bool {
    sides.iter().any(|s| s.fixed_row(text).is_some())
        || (sides.iter().any(|s| s.tree().is_some()) && class_code(&cats.function, text).is_some())
}

/// The 类 code a label names ("六、科学技术支出" → "206").
fn class_code(cat: &Catalogue, label: &str) -> Option<String> {
    let key = label_key(label);
    if key.is_empty() {
        return None;
    }
    (100..=999)
        .map(|c| c.to_string())
        .find(|code| cat.name(code).is_some_and(|name| same_label(name, &key)))
}

pub(crate) fn is_number_like(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Text(t) => {
            let t = norm(t);
            !t.is_empty()
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        }
        Value::Other(_) => false,
    }
}

/// Read the table whose title is at `title_row` (or, found by sheet name, whose region
/// starts there), up to `end_row` (exclusive). Layout failures are returned; amount and
/// code problems are collected in `cx.problems` and reading goes on.
pub fn read_table(
    sheet: &Sheet,
    spec: &TableSpec,
    title_row: u32,
    end_row: u32,
    cx: &mut ReadContext,
) -> Result<StatedTable, Problem> {
    let sides = sides(spec);
    if sides.is_empty() {
        return Err(layout(
            sheet.place_row(title_row),
            format!("表格模板中的“{}”没有左右两侧", spec.title),
            "请检查表格模板文件。",
        ));
    }
    let rows: Vec<u32> = sheet
        .rows()
        .into_iter()
        .filter(|r| (title_row..end_row).contains(r))
        .collect();
    // The template's rows laid out as columns (the official horizontal “三公” table).
    if crate::transposed::applies(spec) {
        if let Some(label_row) = crate::transposed::label_row(sheet, spec, &rows) {
            return crate::transposed::read(sheet, spec, title_row, end_row, &rows, label_row, cx);
        }
    }

    let header = find_header(sheet, spec, &sides, &rows, title_row, end_row, cx)?;
    let unit = table_unit(sheet, spec, title_row, header.end, cx);
    let blocks = column_blocks(sheet, spec, &sides, &header, cx)?;
    let body = Body {
        sheet,
        spec,
        sides: &sides,
        blocks: &blocks,
        unit,
    };
    Ok(body.read(&rows, header.end, cx))
}

/// The rows of a table's header: from the first row naming the template's columns, through
/// row-numbering rows and rows merged cells continue into.
struct Header {
    start: u32,
    end: u32,
    /// The header rows without the row-numbering ones, top to bottom.
    rows: Vec<u32>,
}

/// A row numbering the columns ("栏次 | 1 | 2 | …"); a header row naming a 行次 column has no
/// numbers.
fn is_row_numbering(sheet: &Sheet, r: u32) -> bool {
    sheet.row(r).any(
        |(_, v)| matches!(v, Value::Text(t) if ROW_NUMBER_WORDS.iter().any(|w| label_key(t) == *w)),
    ) && sheet.row(r).any(|(_, v)| is_number_like(v))
}

fn find_header(
    sheet: &Sheet,
    spec: &TableSpec,
    sides: &[Side],
    rows: &[u32],
    title_row: u32,
    end_row: u32,
    cx: &ReadContext,
) -> Result<Header, Problem> {
    // Header vocabulary: every column label, group, synonym and side header.
    let mut vocab: Vec<String> = Vec::new();
    for side in sides {
        if let Some(h) = side.header {
            vocab.push(h.to_string());
        }
        for c in side.columns {
            vocab.push(c.label.clone());
            vocab.extend(c.group.clone());
            vocab.extend(c.aliases.iter().cloned());
        }
    }
    let is_vocab = |t: &str| vocab.iter().any(|v| same_label(t, v));
    let is_header_row = |r: u32| {
        let mut hit = false;
        for (_, v) in sheet.row(r) {
            if is_number_like(v) {
                return false;
            }
            let Value::Text(t) = v else { continue };
            if is_vocab(t) && !row_label_matches(sides, cx.catalogues, t) {
                hit = true;
            }
        }
        hit
    };
    let Some(header_start) = rows.iter().copied().take(20).find(|&r| is_header_row(r)) else {
        return Err(layout(
            sheet.place_row(title_row),
            format!(
                "找到表题“{}”，但其下方找不到表头（如“{}”列）",
                spec.title,
                sides[0].columns.first().map_or("", |c| c.label.as_str())
            ),
            "表头须写明各列名称（与官方表样一致）；请检查表题下方是否有表头行。",
        ));
    };
    // The header: consecutive header rows (row-numbering rows and rows that only continue
    // merged cells from above count too).
    let mut header_rows = vec![header_start];
    let mut numbering_rows = Vec::new();
    for &r in rows.iter().filter(|&&r| r > header_start) {
        if header_rows.len() + numbering_rows.len() >= 8 {
            break;
        }
        let prev = *header_rows.last().expect("non-empty");
        let continues = sheet
            .row(r)
            .all(|(c, _)| sheet.merge_of(r, c).is_some_and(|m| m.0 <= prev));
        if is_row_numbering(sheet, r) {
            numbering_rows.push(r);
        } else if is_header_row(r) || (continues && r == prev + 1) {
            header_rows.push(r);
        } else {
            break;
        }
    }
    // Rows under merged header cells that extend below the last header row.
    let header_end = header_rows
        .iter()
        .chain(&numbering_rows)
        .copied()
        .max()
        .unwrap_or(header_start);
    let header_end = sheet
        .merges
        .iter()
        .filter(|m| header_rows.contains(&m.0))
        .map(|m| m.2)
        .fold(header_end, u32::max)
        .min(end_row.saturating_sub(1));
    let all_header_rows: Vec<u32> = (header_start..=header_end)
        .filter(|r| !numbering_rows.contains(r))
        .collect();
    Ok(Header {
        start: header_start,
        end: header_end,
        rows: all_header_rows,
    })
}

/// The header's columns in blocks (a stub column after an amount column starts a new block,
/// as in a two-sided table); every column of every side must be there.
fn column_blocks(
    sheet: &Sheet,
    spec: &TableSpec,
    sides: &[Side],
    header: &Header,
    cx: &mut ReadContext,
) -> Result<Vec<Block>, Problem> {
    let (header_start, header_end) = (header.start, header.end);
    // Column paths, kinds and blocks.
    let columns = sheet.columns_in(header_start, header_end);
    let path_of = |c: u32| {
        let mut path: Vec<String> = Vec::new();
        for &r in &header.rows {
            let t = norm(&sheet.shown_text(r, c));
            if t.is_empty() || t.chars().all(|ch| ch.is_ascii_digit()) {
                continue;
            }
            if path.last() != Some(&t) {
                path.push(t);
            }
        }
        path
    };
    let classify = |path: &[String], side: &Side| -> ColKind {
        let Some(leaf) = path.last() else {
            return ColKind::Ignored;
        };
        let key = label_key(leaf);
        if ROW_NUMBER_WORDS.contains(&key.as_str()) {
            return ColKind::Ignored;
        }
        // A column under its header group names it more closely than a column matching by
        // its label alone (Sichuan's 基本支出/小计 beside a 合计 also called 小计).
        let grouped = side
            .columns
            .iter()
            .position(|c| c.group.is_some() && column_matches(path, c));
        if let Some(i) =
            grouped.or_else(|| side.columns.iter().position(|c| column_matches(path, c)))
        {
            return ColKind::Amount(i);
        }
        let stub = match key.as_str() {
            "类" => Some(StubRole::Class),
            "款" => Some(StubRole::Section),
            "项" => Some(StubRole::Item),
            k if STUB_WORDS.contains(&k) || k.contains("科目") || k.ends_with("编码") => {
                Some(StubRole::Other)
            }
            _ => None,
        };
        match stub {
            Some(s) => ColKind::Stub(s),
            None => ColKind::Ignored,
        }
    };
    // Split into blocks: a stub column after an amount column starts a new block.
    let mut blocks: Vec<Block> = Vec::new();
    let mut current = Block::default();
    let mut unknown = Vec::new();
    for &c in &columns {
        let path = path_of(c);
        let side_index = if sides.len() == 2 {
            blocks.len().min(1)
        } else {
            0
        };
        match classify(&path, &sides[side_index]) {
            ColKind::Stub(role) => {
                if !current.amounts.is_empty() {
                    blocks.push(std::mem::take(&mut current));
                }
                current.stub.push((c, role));
            }
            ColKind::Amount(i) => {
                if current.stub.is_empty() && blocks.is_empty() {
                    // Amounts before any stub column: not this table's layout.
                    unknown.push((c, path.join("/")));
                    continue;
                }
                current.amounts.push((c, i));
            }
            ColKind::Ignored => {
                let numbering = path
                    .last()
                    .is_some_and(|l| ROW_NUMBER_WORDS.contains(&label_key(l).as_str()));
                if !path.is_empty() && !numbering {
                    unknown.push((c, path.join("/")));
                }
            }
        }
    }
    if !current.stub.is_empty() || !current.amounts.is_empty() {
        blocks.push(current);
    }
    blocks.retain(|b| !b.amounts.is_empty());
    if blocks.is_empty() {
        return Err(layout(
            sheet.place_row(header_start),
            format!(
                "“{}”的表头中找不到金额列（如“{}”）或科目/项目列",
                spec.title,
                sides[0].columns.first().map_or("", |c| c.label.as_str())
            ),
            "表头须有“项目”或“科目编码/科目名称”列和各金额列，列名与官方表样一致。",
        ));
    }
    every_column_found(sheet, spec, sides, &blocks, header_start)?;
    for (c, p) in unknown {
        if columns.len() < 64 {
            cx.warnings.push(ImportWarning {
                place: sheet.place(header_start, c),
                message: format!("“{}”中无法识别的列“{p}”，已忽略", spec.title),
                code: None,
            });
        }
    }
    Ok(blocks)
}

/// Every column of every side stands in some block (a two-sided table needs both sides).
fn every_column_found(
    sheet: &Sheet,
    spec: &TableSpec,
    sides: &[Side],
    blocks: &[Block],
    header_start: u32,
) -> Result<(), Problem> {
    // Every column of every side must be found.
    let side_of_block = |b: usize| if sides.len() == 2 { b.min(1) } else { 0 };
    if sides.len() == 2 && blocks.len() < 2 {
        return Err(layout(
            sheet.place_row(header_start),
            format!(
                "“{}”应有左右两部分（{}、{}），只找到一部分",
                spec.title,
                sides[0].header.unwrap_or(""),
                sides[1].header.unwrap_or("")
            ),
            "请保留官方表样的左右两栏布局。",
        ));
    }
    for (si, side) in sides.iter().enumerate() {
        for (ci, col) in side.columns.iter().enumerate() {
            let found = blocks.iter().enumerate().any(|(b, block)| {
                side_of_block(b) == si && block.amounts.iter().any(|&(_, i)| i == ci)
            });
            if !found {
                let group = col
                    .group
                    .as_deref()
                    .map(|g| format!("“{g}”下的"))
                    .unwrap_or_default();
                return Err(layout(
                    sheet.place_row(header_start),
                    format!("“{}”的表头中找不到{group}“{}”列", spec.title, col.label),
                    "请按官方表样保留该列（金额为0也要保留），列名写法须一致。",
                ));
            }
        }
    }
    Ok(())
}

/// The data rows of a grid or two-sided table.
struct Body<'a> {
    sheet: &'a Sheet,
    spec: &'a TableSpec,
    sides: &'a [Side<'a>],
    blocks: &'a [Block],
    unit: MoneyUnit,
}

impl Body<'_> {
    /// Every row below the header into the stated cells, in order; problems are collected.
    fn read(&self, rows: &[u32], header_end: u32, cx: &mut ReadContext) -> StatedTable {
        let (sheet, spec, sides, blocks, unit) =
            (self.sheet, self.spec, self.sides, self.blocks, self.unit);
        let side_of_block = |b: usize| if sides.len() == 2 { b.min(1) } else { 0 };
        let mut stated = StatedTable {
            sheet: sheet.name.clone(),
            unit,
            cells: BTreeMap::new(),
            order: Vec::new(),
        };
        let mut seen: BTreeMap<String, Place> = BTreeMap::new();
        // 类 and 款 of the rows above, for layouts that print only the new part of a code.
        let mut context: Vec<(String, String)> = vec![(String::new(), String::new()); blocks.len()];
        for &r in rows.iter().filter(|&&r| r > header_end) {
            if sheet.row_is_blank(r) {
                continue;
            }
            let first_text = sheet
                .row(r)
                .find_map(|(_, v)| match v {
                    Value::Text(t) if !norm(t).is_empty() => Some(norm(t)),
                    _ => None,
                })
                .unwrap_or_default();
            if ends_table(&first_text, spec) {
                break;
            }
            if is_row_numbering(sheet, r) {
                continue;
            }
            for (b, block) in blocks.iter().enumerate() {
                let side = &sides[side_of_block(b)];
                let id = stub_id(sheet, r, block, &mut context[b]);
                // Amounts first: a row whose label is not recognised is an error only if it
                // states something.
                let mut amounts = Vec::new();
                let mut bad = false;
                for &(c, ci) in &block.amounts {
                    match cell_amount(sheet.get(r, c), unit) {
                        Ok(a) => amounts.push((c, ci, a)),
                        Err(why) => {
                            bad = true;
                            cx.problems.push(amount_problem(sheet, r, c, why, unit));
                        }
                    }
                }
                let nonzero = amounts.iter().any(|(_, _, a)| !a.is_zero());
                let Some(key) = self.row_key(r, id, side, nonzero, block, cx) else {
                    continue;
                };
                if bad {
                    continue;
                }
                let place = sheet.place(r, block.stub.first().map_or(0, |s| s.0));
                if let Some(first) = seen.get(&key) {
                    cx.problems.push(layout(
                        place.clone(),
                        format!(
                            "行“{key}”重复出现（{}已有）",
                            first.cell.clone().unwrap_or_default()
                        ),
                        "每个科目或项目只能列一行；请合并重复的行。",
                    ));
                    continue;
                }
                seen.insert(key.clone(), place);
                stated.order.push(key.clone());
                for (c, ci, a) in amounts {
                    let col = &side.columns[ci];
                    stated
                        .cells
                        .insert((key.clone(), col.id.clone()), (a, sheet.place(r, c)));
                }
            }
        }
        stated
    }

    /// The row's key in the template: a fixed row or 类 by its label, or a checked code; `None`
    /// for a row to skip (with a problem recorded when it states an amount).
    fn row_key(
        &self,
        r: u32,
        id: RowId,
        side: &Side,
        nonzero: bool,
        block: &Block,
        cx: &mut ReadContext,
    ) -> Option<String> {
        match id {
            RowId::Empty => {
                if nonzero {
                    let c = block.stub.first().map_or(0, |s| s.0);
                    cx.problems.push(layout(
                        self.sheet.place(r, c),
                        "该行有金额，但没有科目编码或项目名称".into(),
                        "请填写科目编码（类/款/项）或项目名称，或删除该行金额。",
                    ));
                }
                None
            }
            RowId::Label(label, c) => {
                let fixed = side.fixed_row(&label);
                let class = || match side.tree() {
                    Some((TreeKind::Function, _)) => class_code(&cx.catalogues.function, &label),
                    _ => None,
                };
                match fixed.or_else(class) {
                    Some(k) => Some(k),
                    None => {
                        if nonzero {
                            cx.problems.push(layout(
                                self.sheet.place(r, c),
                                format!("无法识别的行“{label}”"),
                                &format!(
                                    "“{}”的行须是表样所列项目{}；请改用表样中的写法",
                                    self.spec.title,
                                    if side.tree().is_some() {
                                        "或带编码的科目"
                                    } else {
                                        ""
                                    }
                                ),
                            ));
                        }
                        None
                    }
                }
            }
            RowId::Code(code, c) => match check_code(&code, side, cx.catalogues) {
                Ok(()) => {
                    // As in an input file (W105): a 项 our catalogue lacks under a 款
                    // it has is imported, and the preparer told.
                    if cx.catalogues.function.is_unlisted_item(&code)
                        && matches!(side.tree(), Some((TreeKind::Function, _)))
                    {
                        cx.warnings.push(ImportWarning {
                            place: self.sheet.place(r, c),
                            message: format!(
                                "功能分类科目“{code}”不在{}中，所属款“{}”在：已按该项导入。请核对编码；编码无误的，用 juesuan data import-catalogue 导入当年官方目录后以 --catalogue 提供",
                                cx.catalogues.function.title,
                                &code[..5]
                            ),
                            code: None,
                        });
                    }
                    Some(code)
                }
                Err((message, hint)) => {
                    cx.problems.push(Problem {
                        kind: ProblemKind::Code,
                        place: self.sheet.place(r, c),
                        message,
                        hint,
                    });
                    None
                }
            },
        }
    }
}

pub(crate) fn cell_amount(v: Option<&Value>, unit: MoneyUnit) -> Result<Amount, AmountProblem> {
    match v {
        None => Ok(Amount::ZERO),
        Some(Value::Number(f)) => amount_from_f64(*f, unit),
        Some(Value::Text(t)) => amount_from_text(t, unit),
        Some(Value::Other(_)) => Err(AmountProblem::NotANumber),
    }
}

pub(crate) fn amount_problem(
    sheet: &Sheet,
    r: u32,
    c: u32,
    why: AmountProblem,
    unit: MoneyUnit,
) -> Problem {
    let shown = sheet.text(r, c);
    let (message, hint) = match why {
        AmountProblem::NotANumber => (
            format!("“{shown}”不是金额"),
            "金额须为数字（可带小数点）；0 可填 0、留空或“-”。".to_string(),
        ),
        AmountProblem::TooPrecise { max_decimals } => (
            format!(
                "金额“{shown}”超过精确到分的位数（以{}为单位最多{}位小数）",
                unit.label(),
                max_decimals
            ),
            "请核对该数是否由公式计算产生了多余小数；金额须精确到分。".to_string(),
        ),
        AmountProblem::TooLarge => (
            format!("金额“{shown}”超出上限（单笔金额绝对值不超过1000万亿元）"),
            "请核对金额及金额单位（表头的“单位：元/万元”）。".to_string(),
        ),
    };
    Problem {
        kind: ProblemKind::Amount,
        place: sheet.place(r, c),
        message,
        hint,
    }
}

/// The code or label of a row in a block.
fn stub_id(sheet: &Sheet, r: u32, block: &Block, context: &mut (String, String)) -> RowId {
    let parts: Vec<(u32, StubRole, String)> = block
        .stub
        .iter()
        .map(|&(c, role)| (c, role, norm(&sheet.text(r, c))))
        .collect();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    // 类 / 款 / 项 in separate columns, each the full code or only its own two digits.
    let split: Vec<&(u32, StubRole, String)> = parts
        .iter()
        .filter(|(_, role, _)| *role != StubRole::Other)
        .collect();
    if split.len() >= 2 {
        let get = |role| {
            split
                .iter()
                .find(|(_, r, _)| *r == role)
                .map(|(_, _, t)| t.clone())
                .unwrap_or_default()
        };
        let (a, b, c) = (
            get(StubRole::Class),
            get(StubRole::Section),
            get(StubRole::Item),
        );
        let any = !a.is_empty() || !b.is_empty() || !c.is_empty();
        if any && [&a, &b, &c].iter().all(|s| s.is_empty() || digits(s)) {
            let col = split[0].0;
            let class = if a.len() == 3 {
                a.clone()
            } else {
                context.0.clone()
            };
            let section = match b.len() {
                5 => b.clone(),
                2 => format!("{class}{b}"),
                _ if a.len() == 3 && c.is_empty() => String::new(),
                _ => context.1.clone(),
            };
            let code = match c.len() {
                7 => c.clone(),
                2 => format!("{section}{c}"),
                _ if !section.is_empty() && !b.is_empty() => section.clone(),
                _ if a.len() == 3 && b.is_empty() => a.clone(),
                _ => format!("{a}{b}{c}"),
            };
            if code.len() >= 3 {
                context.0 = code[..3].to_string();
            }
            if code.len() >= 5 {
                context.1 = code[..5].to_string();
            }
            return RowId::Code(code, col);
        }
    }
    let mut texts = parts.iter().filter(|(_, _, t)| !t.is_empty());
    let Some((c, _, first)) = texts.next() else {
        return RowId::Empty;
    };
    if let Some((code, _)) = split_code(first) {
        return RowId::Code(code, *c);
    }
    if digits(first) {
        // A code of a length no level has.
        return RowId::Code(first.clone(), *c);
    }
    RowId::Label(first.clone(), *c)
}

fn check_code(code: &str, side: &Side, cats: &Catalogues) -> Result<(), (String, String)> {
    let Some((kind, depth)) = side.tree() else {
        return Err((
            format!("本表的行不按科目编码列示，不能填科目“{code}”"),
            "请按表样填写项目名称。".into(),
        ));
    };
    let (cat, label, max) = match kind {
        TreeKind::Function => (&cats.function, "支出功能分类", depth_len(depth)),
        TreeKind::Economic => (&cats.economic, "支出经济分类", depth_len(depth).min(5)),
    };
    if !matches!(code.len(), 3 | 5 | 7) || code.len() > max {
        return Err((
            format!("{label}科目编码“{code}”位数不对"),
            format!(
                "本表的科目编码为{}位数字（类3位、款5位{}）。",
                max,
                if max == 7 { "、项7位" } else { "" }
            ),
        ));
    }
    let unlisted_item = kind == TreeKind::Function && cat.is_unlisted_item(code);
    if cat.name(code).is_none() && !unlisted_item {
        return Err((
            format!("{label}科目“{code}”不在{}中", cat.title),
            "请核对科目编码；编码无误的，请用 juesuan data import-catalogue 导入当年财政部《政府收支分类科目》，再用 --data-dir 或 --catalogue 提供（见 docs/data-files.md 第 3.2 节）。".into(),
        ));
    }
    Ok(())
}

fn depth_len(d: Depth) -> usize {
    match d {
        Depth::Class => 3,
        Depth::Section => 5,
        Depth::Item => 7,
    }
}

/// The 编制单位 named near the top of any table ("编制单位：凉山州科学技术协会").
pub fn preparer(sheets: &[Sheet]) -> Option<String> {
    for sheet in sheets {
        for v in sheet.cells.values().take(200) {
            let Value::Text(t) = v else { continue };
            let t = crate::text::half_width(t);
            for label in ["编制单位", "单位名称", "部门名称", "部门", "单位"] {
                if let Some(rest) = t.trim().strip_prefix(label) {
                    let rest = rest.trim_start_matches([':', '：', ' ']).trim();
                    // "单位：万元" is the money unit, not the preparer.
                    let name: String = rest.split("  ").next().unwrap_or("").trim().to_string();
                    if !name.is_empty()
                        && !name.starts_with("万元")
                        && !name.starts_with('元')
                        && !name.starts_with('（')
                        && !name.starts_with('(')
                    {
                        return Some(name);
                    }
                }
            }
        }
    }
    None
}
