//! Disclosure tables (决算公开表) derived from the fact table by a template (data file).
//!
//! A template lists tables; each table's rows and columns are fact filters. A cell is the
//! sum of the facts matching table base ∧ column ∧ row. Rows are fixed, or a classification
//! tree (类/款/项) expanded from the facts present. Two layouts exist: `grid` (stub + columns)
//! and `paired` (income side beside expenditure side, as in 收入支出决算总表).
//!
//! A cell the input cannot determine is left blank rather than printed as 0: when the cell
//! asks for a classification code (功能 or 经济) that some matching non-zero fact does not
//! carry (e.g. 人员经费 by 功能科目, while 基本支出 is split by 经济分类 only for the unit
//! as a whole), its amount is unknown. Such tables may carry a `partial_note`.

use crate::catalogue::{parent_code, Catalogues};
use crate::facts::{FactFilter, FactTable};
use crate::import_roles::{resolve as resolve_roles, ImportRoles, RawImport};
use crate::model::UnitYear;
use crate::money::{Amount, MoneyUnit};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A set of disclosure tables (e.g. the national nine, the Sichuan fourteen).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSet {
    pub name: String,
    pub title: String,
    pub year: i32,
    #[serde(rename = "table")]
    pub tables: Vec<TableSpec>,
    /// 导入角色 as written (`[import]`), resolved into [`TableSet::import`] at load.
    #[serde(default, rename = "import")]
    import_section: Option<RawImport>,
    /// 导入角色: which table plays which role for the Excel importer (`[import]`,
    /// docs/data-files.md §4.10); empty when the set declares none.
    #[serde(skip)]
    pub import: ImportRoles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Grid,
    Paired,
}

/// One table of a template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    pub id: String,
    /// Official number, e.g. "公开01表".
    #[serde(default)]
    pub code: String,
    pub title: String,
    /// 别名: other titles published tables carry for this table ("收支预算总表" for
    /// 部门收支总表), for recognising it (`template_match::title_forms`). Not printed.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub layout: Layout,
    /// Unit amounts are printed in: "万元" (default) or "元".
    #[serde(default)]
    pub unit: Option<MoneyUnit>,
    /// Printed when every amount is zero ("本单位本年度没有…，故本表无数据。").
    #[serde(default)]
    pub empty_note: Option<String>,
    /// Printed when some cells are blank because the input cannot determine them.
    #[serde(default)]
    pub partial_note: Option<String>,
    /// Filter every cell of the table starts from.
    #[serde(default)]
    pub base: FactFilter,
    /// How classification codes are printed (科目编码): `auto` (grid tables with a tree:
    /// one 科目编码 column; paired tables: none), `none`, `joined` (one column, "2060701"),
    /// `split` (类, 款, 项 in three columns under 科目编码: "206", "07", "01").
    #[serde(default)]
    pub code_columns: CodeColumns,
    // grid layout
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
    #[serde(default)]
    pub rows: Vec<RowSpec>,
    // paired layout
    #[serde(default)]
    pub left: Option<SideSpec>,
    #[serde(default)]
    pub right: Option<SideSpec>,
    #[serde(default)]
    pub footer: Vec<FooterPair>,
}

/// A column: a refinement of the base filter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub id: String,
    pub label: String,
    /// Header group spanning consecutive columns ("本年支出").
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub filter: FactFilter,
    /// Economic code group from the catalogue the column is limited to (人员经费 列).
    #[serde(default)]
    pub economic_group: Option<String>,
    /// The column is the sum of these columns of the same row (合计 = 基本支出 + 项目支出
    /// when the parts read different measures); blank when any part is blank.
    #[serde(default)]
    pub sum_of: Vec<String>,
    /// 别名: other texts official exports print in this column's header ("决算" for 决算数),
    /// for reading Excel tables. Not printed.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// How a table prints classification codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CodeColumns {
    #[default]
    Auto,
    None,
    Joined,
    Split,
}

impl CodeColumns {
    /// The mode a table of `layout` with (or without) tree rows prints.
    fn resolve(self, layout: Layout, has_tree: bool) -> CodeColumns {
        match (self, layout) {
            (CodeColumns::Auto, Layout::Grid) if has_tree => CodeColumns::Joined,
            (CodeColumns::Auto, _) => CodeColumns::None,
            (mode, _) => mode,
        }
    }

    /// Number of code columns.
    fn width(self) -> usize {
        match self {
            CodeColumns::Auto | CodeColumns::None => 0,
            CodeColumns::Joined => 1,
            CodeColumns::Split => 3,
        }
    }

    /// The code cells of a row: its code (joined) or its 类, 款, 项 parts (split); blanks
    /// for a fixed row.
    fn cells(self, code: Option<&str>) -> Vec<Cell> {
        let part = |range: std::ops::Range<usize>| {
            code.and_then(|c| c.get(range))
                .filter(|p| !p.is_empty())
                .map_or(Cell::Blank, |p| Cell::Code {
                    code: p.to_string(),
                })
        };
        match self {
            CodeColumns::Auto | CodeColumns::None => Vec::new(),
            CodeColumns::Joined => vec![part(0..code.map_or(0, str::len))],
            CodeColumns::Split => {
                let len = code.map_or(0, str::len);
                vec![
                    part(0..3.min(len)),
                    part(3..5.min(len)),
                    part(5..7.min(len)),
                ]
            }
        }
    }
}

/// Classification tree expansions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreeKind {
    Function,
    Economic,
}

/// Deepest level a tree expands to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    Class,
    Section,
    #[default]
    Item,
}

impl Depth {
    fn len(self) -> usize {
        match self {
            Depth::Class => 3,
            Depth::Section => 5,
            Depth::Item => 7,
        }
    }
}

/// A row: fixed (label + filter) or a tree expansion.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowSpec {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub filter: FactFilter,
    /// Economic code group from the catalogue (e.g. "personnel" = 人员经费).
    #[serde(default)]
    pub economic_group: Option<String>,
    /// Expand into 类/款/项 rows of the facts present.
    #[serde(default)]
    pub tree: Option<TreeKind>,
    #[serde(default)]
    pub depth: Depth,
    /// Tree rows only: every code of the catalogue down to `depth` within the row's
    /// code filter, zero rows included (a table printing the whole catalogue).
    #[serde(default)]
    pub zero_rows: bool,
    /// Indentation level for fixed rows ("其中：").
    #[serde(default)]
    pub indent: u8,
    /// Only facts that carry no code of this classification (未细化到经济分类的支出, so a
    /// tree of the codes present still adds up to the total). Left out when all its cells
    /// are zero.
    #[serde(default)]
    pub unclassified: Option<TreeKind>,
    /// 别名: other texts official exports print for this fixed row ("公务用车运行费"), for
    /// reading Excel tables. Not printed.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Short names the row carries only under its parent's header group in a horizontal
    /// layout ("购置费" under 公务用车购置及运行费): not recognised on their own.
    #[serde(default)]
    pub short_aliases: Vec<String>,
}

/// One side of a paired table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideSpec {
    pub header: String,
    #[serde(default)]
    pub base: FactFilter,
    pub columns: Vec<ColumnSpec>,
    pub rows: Vec<RowSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterPair {
    pub left: RowSpec,
    pub right: RowSpec,
}

impl TableSet {
    /// Parse and validate a template file.
    pub fn from_toml(text: &str, origin: &str) -> Result<TableSet, String> {
        let mut set: TableSet =
            toml::from_str(text).map_err(|e| format!("{origin}: 表格模板格式错误：{e}"))?;
        let mut ids = HashSet::new();
        for t in &set.tables {
            if !ids.insert(t.id.as_str()) {
                return Err(format!("{origin}: 表“{}”重复定义", t.id));
            }
            let bad = |why: &str| Err(format!("{origin}: 表“{}”（{}）{why}", t.id, t.title));
            let mut row_ids = HashSet::new();
            let mut check_rows = |rows: &[RowSpec]| -> Result<(), String> {
                for r in rows {
                    if r.tree.is_some() && r.unclassified.is_some() {
                        return Err("分类树行不能同时写 unclassified".into());
                    }
                    if r.tree.is_none() && r.zero_rows {
                        return Err("zero_rows 只能用于分类树行（tree）".into());
                    }
                    match (&r.tree, &r.id, &r.label) {
                        (Some(_), _, _) => {}
                        (None, Some(id), Some(_)) => {
                            if !row_ids.insert(id.clone()) {
                                return Err(format!("行“{id}”重复"));
                            }
                        }
                        _ => return Err("固定行须同时有 id 和 label".into()),
                    }
                }
                Ok(())
            };
            let column_lists: Vec<&[ColumnSpec]> = match (&t.left, &t.right) {
                (Some(l), Some(r)) => vec![&t.columns, &l.columns, &r.columns],
                _ => vec![&t.columns],
            };
            for columns in column_lists {
                if let Err(e) = check_columns(columns) {
                    return bad(&e);
                }
            }
            match t.layout {
                Layout::Grid => {
                    if t.columns.is_empty() {
                        return bad("没有列");
                    }
                    if t.left.is_some() || t.right.is_some() || !t.footer.is_empty() {
                        return bad("grid 布局不能有 left/right/footer");
                    }
                    if let Err(e) = check_rows(&t.rows) {
                        return bad(&e);
                    }
                }
                Layout::Paired => {
                    let (Some(l), Some(r)) = (&t.left, &t.right) else {
                        return bad("paired 布局须有 left 和 right");
                    };
                    if l.columns.is_empty() || r.columns.is_empty() {
                        return bad("左右两侧都须有列");
                    }
                    let footer_rows: Vec<RowSpec> = t
                        .footer
                        .iter()
                        .flat_map(|p| [p.left.clone(), p.right.clone()])
                        .collect();
                    for rows in [&l.rows, &r.rows, &footer_rows] {
                        if let Err(e) = check_rows(rows) {
                            return bad(&e);
                        }
                    }
                }
            }
        }
        if let Some(raw) = &set.import_section {
            set.import = resolve_roles(raw, &set.tables, text, origin)?;
        }
        Ok(set)
    }

    pub fn get(&self, id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.id == id)
    }
}

/// Column ids are unique; a `sum_of` column names other, non-sum columns of the same list
/// and has no filter of its own.
fn check_columns(columns: &[ColumnSpec]) -> Result<(), String> {
    let mut ids = HashSet::new();
    for c in columns {
        if !ids.insert(c.id.as_str()) {
            return Err(format!("列“{}”重复", c.id));
        }
    }
    for c in columns.iter().filter(|c| !c.sum_of.is_empty()) {
        if c.filter != FactFilter::default() || c.economic_group.is_some() {
            return Err(format!(
                "列“{}”是 sum_of 合计列，不能再写 filter 或 economic_group",
                c.id
            ));
        }
        for part in &c.sum_of {
            match columns.iter().find(|x| &x.id == part) {
                None => return Err(format!("列“{}”的 sum_of 引用了不存在的列“{part}”", c.id)),
                Some(x) if !x.sum_of.is_empty() => {
                    return Err(format!("列“{}”的 sum_of 不能引用合计列“{part}”", c.id))
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

/// A header cell with spans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderCell {
    pub text: String,
    pub colspan: u16,
    pub rowspan: u16,
}

/// A cell of a derived table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cell {
    Blank,
    Text {
        text: String,
        indent: u8,
    },
    Code {
        code: String,
    },
    Amount {
        row: String,
        column: String,
        fen: i64,
        /// The amount as printed, in the table's unit ("686.54" in 万元).
        text: String,
    },
}

/// A derived table: a grid of cells plus an index of its amounts by (row, column).
/// Two tables are equal when they print the same (where their figures came from is not
/// compared: a table read from a workbook equals the one derived from the same facts).
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub id: String,
    pub code: String,
    pub title: String,
    pub unit: String,
    pub header: Vec<Vec<HeaderCell>>,
    pub rows: Vec<Vec<Cell>>,
    /// The official note when the table has no data.
    pub note: Option<String>,
    #[serde(skip)]
    values: BTreeMap<(String, String), Amount>,
    /// Input-file lines of the facts each amount sums (derived tables only).
    #[serde(skip)]
    sources: BTreeMap<(String, String), Vec<usize>>,
}

impl PartialEq for Table {
    fn eq(&self, other: &Table) -> bool {
        self.id == other.id
            && self.code == other.code
            && self.title == other.title
            && self.unit == other.unit
            && self.header == other.header
            && self.rows == other.rows
            && self.note == other.note
            && self.values == other.values
    }
}

impl Eq for Table {}

impl Table {
    /// The amount at a row key (row id or classification code) and column id.
    pub fn get(&self, row: &str, column: &str) -> Option<Amount> {
        self.values
            .get(&(row.to_string(), column.to_string()))
            .copied()
    }

    /// Replace the amount at (row, column), in the index and in the grid; false when the
    /// table has no such cell. For importers of published tables and for tests.
    pub fn set(&mut self, row: &str, column: &str, amount: Amount) -> bool {
        let key = (row.to_string(), column.to_string());
        if !self.values.contains_key(&key) {
            return false;
        }
        self.values.insert(key, amount);
        for cells in &mut self.rows {
            for c in cells.iter_mut() {
                if let Cell::Amount {
                    row: r,
                    column: k,
                    fen,
                    text,
                } = c
                {
                    if r == row && k == column {
                        *fen = amount.fen();
                        *text = if self.unit == "元" {
                            amount.yuan()
                        } else {
                            amount.wan()
                        };
                    }
                }
            }
        }
        true
    }

    /// Row keys that hold amounts, in order of appearance.
    pub fn row_keys(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for r in &self.rows {
            for c in r {
                if let Cell::Amount { row, .. } = c {
                    if !seen.contains(row) {
                        seen.push(row.clone());
                    }
                }
            }
        }
        seen
    }

    /// The input-file lines (1-based) of the facts summed into the amount at (row, column):
    /// where a preparer fixes a figure a rule finds wrong. Empty for tables read from a
    /// published file.
    pub fn source_lines(&self, row: &str, column: &str) -> &[usize] {
        self.sources
            .get(&(row.to_string(), column.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.values.values().all(|a| a.is_zero())
    }

    pub fn amounts(&self) -> impl Iterator<Item = (&(String, String), &Amount)> {
        self.values.iter()
    }
}

/// One expanded row before it is laid out.
struct Line {
    key: String,
    /// Stub cells (code and/or label).
    code: Option<String>,
    label: String,
    indent: u8,
    filter: FactFilter,
    /// Only facts without a code of this classification.
    unclassified: Option<TreeKind>,
}

/// Codes that can never match a fact: an economic group the catalogue does not define
/// selects nothing (instead of everything, as an empty code list would).
const NO_CODE: &str = "-";

/// Codes both prefix lists select: the longer of every pair where one extends the other.
/// An empty list selects everything.
fn intersect_codes(a: &[String], b: &[String]) -> Vec<String> {
    if a.is_empty() {
        return b.to_vec();
    }
    if b.is_empty() {
        return a.to_vec();
    }
    let mut out = BTreeSet::new();
    for x in a {
        for y in b {
            if x.starts_with(y.as_str()) {
                out.insert(x.clone());
            } else if y.starts_with(x.as_str()) {
                out.insert(y.clone());
            }
        }
    }
    if out.is_empty() {
        vec![NO_CODE.to_string()]
    } else {
        out.into_iter().collect()
    }
}

struct Deriver<'a> {
    unit: MoneyUnit,
    facts: &'a FactTable,
    catalogues: &'a Catalogues,
    /// Input lines of the facts summed into each cell, by (row, column).
    sources: std::cell::RefCell<BTreeMap<(String, String), Vec<usize>>>,
}

impl Deriver<'_> {
    fn economic_group(&self, group: &str) -> Vec<String> {
        self.catalogues
            .economic
            .group(group)
            .map(<[String]>::to_vec)
            .unwrap_or_else(|| vec![NO_CODE.to_string()])
    }

    fn expand(&self, base: &FactFilter, rows: &[RowSpec]) -> Vec<Line> {
        let mut out = Vec::new();
        for r in rows {
            match r.tree {
                None => {
                    let mut filter = r.filter.clone();
                    if let Some(g) = &r.economic_group {
                        filter.economic = self.economic_group(g);
                    }
                    out.push(Line {
                        key: r.id.clone().unwrap_or_default(),
                        code: None,
                        label: r.label.clone().unwrap_or_default(),
                        indent: r.indent,
                        filter,
                        unclassified: r.unclassified,
                    });
                }
                Some(kind) => {
                    let scope = base.refined(&r.filter);
                    let max_len = r.depth.len();
                    let mut codes = BTreeSet::new();
                    for f in self.facts.select(&scope) {
                        if f.amount.is_zero() {
                            continue;
                        }
                        let code = match kind {
                            crate::tables::TreeKind::Function => f.function.as_deref(),
                            crate::tables::TreeKind::Economic => f.economic.as_deref(),
                        };
                        let Some(mut c) = code else { continue };
                        if c.len() > max_len {
                            c = &c[..max_len];
                        }
                        let mut cur = Some(c);
                        while let Some(x) = cur {
                            codes.insert(x.to_string());
                            cur = parent_code(x);
                        }
                    }
                    let catalogue = match kind {
                        TreeKind::Function => &self.catalogues.function,
                        TreeKind::Economic => &self.catalogues.economic,
                    };
                    if r.zero_rows {
                        let prefixes = match kind {
                            TreeKind::Function => &scope.function,
                            TreeKind::Economic => &scope.economic,
                        };
                        codes.extend(
                            catalogue
                                .codes()
                                .map(|(c, _)| c)
                                .filter(|c| c.len() <= max_len)
                                .filter(|c| {
                                    prefixes.is_empty()
                                        || prefixes.iter().any(|p| c.starts_with(p.as_str()))
                                })
                                .map(str::to_string),
                        );
                    }
                    for code in codes {
                        let name = catalogue.name(&code).unwrap_or("（未知科目）").to_string();
                        // The row keeps its own filter (e.g. measure = expenditure on the
                        // 支出 side of 收入支出决算总表) narrowed to its code.
                        let mut filter = r.filter.clone();
                        match kind {
                            TreeKind::Function => filter.function = vec![code.clone()],
                            TreeKind::Economic => filter.economic = vec![code.clone()],
                        }
                        out.push(Line {
                            indent: match code.len() {
                                3 => 0,
                                5 => 1,
                                _ => 2,
                            },
                            key: code.clone(),
                            code: Some(code.clone()),
                            label: name,
                            filter,
                            unclassified: None,
                        });
                    }
                }
            }
        }
        out
    }

    /// The exact sum of the facts a filter selects, or `None` when the input cannot
    /// determine it: some non-zero fact that may belong to the cell lacks a code the
    /// filter asks for.
    /// Also returns the input lines of the facts it sums.
    fn value_with_lines(
        &self,
        filter: &FactFilter,
        unclassified: Option<TreeKind>,
    ) -> Option<(Amount, Vec<usize>)> {
        let mut lines = Vec::new();
        let loose = FactFilter {
            function: Vec::new(),
            economic: Vec::new(),
            ..filter.clone()
        };
        let mut sum = Amount::ZERO;
        for f in self.facts.select(&loose) {
            let dims = [
                (TreeKind::Function, &filter.function, &f.function),
                (TreeKind::Economic, &filter.economic, &f.economic),
            ];
            // A code the fact has that the filter excludes: not this cell's fact.
            let excluded = dims.iter().any(|(_, want, have)| {
                !want.is_empty()
                    && have
                        .as_deref()
                        .is_some_and(|c| !want.iter().any(|p| c.starts_with(p.as_str())))
            });
            if excluded {
                continue;
            }
            if unclassified
                .is_some_and(|k| dims.iter().any(|(d, _, have)| *d == k && have.is_some()))
            {
                continue;
            }
            let unknown = dims
                .iter()
                .any(|(_, want, have)| !want.is_empty() && have.is_none());
            if unknown {
                if f.amount.is_zero() {
                    continue;
                }
                return None;
            }
            sum += f.amount;
            if let Some(l) = f.location {
                lines.push(l.line);
            }
        }
        Some((sum, lines))
    }

    /// The amounts of one row, column by column (`None` = cannot be determined).
    fn row_values(
        &self,
        base: &FactFilter,
        columns: &[ColumnSpec],
        line: &Line,
    ) -> Vec<Option<Amount>> {
        let mut values: Vec<Option<Amount>> = columns
            .iter()
            .map(|col| {
                if !col.sum_of.is_empty() {
                    return None;
                }
                let mut cf = base.refined(&col.filter);
                if let Some(g) = &col.economic_group {
                    cf.economic = self.economic_group(g);
                }
                let mut filter = cf.refined(&line.filter);
                // Codes of the column and of the row both apply (人员经费 列 × 经济科目 行).
                filter.function = intersect_codes(&cf.function, &line.filter.function);
                filter.economic = intersect_codes(&cf.economic, &line.filter.economic);
                let (amount, lines) = self.value_with_lines(&filter, line.unclassified)?;
                if !lines.is_empty() {
                    self.sources
                        .borrow_mut()
                        .insert((line.key.clone(), col.id.clone()), lines);
                }
                Some(amount)
            })
            .collect();
        for (i, col) in columns.iter().enumerate() {
            if col.sum_of.is_empty() {
                continue;
            }
            values[i] = col.sum_of.iter().try_fold(Amount::ZERO, |acc, part| {
                let j = columns.iter().position(|c| &c.id == part)?;
                Some(acc + values[j]?)
            });
        }
        values
    }

    /// The cells of one row; records amounts in `values` and whether any was unknown.
    fn cells(
        &self,
        values: &mut BTreeMap<(String, String), Amount>,
        partial: &mut bool,
        columns: &[ColumnSpec],
        line: &Line,
        amounts: Vec<Option<Amount>>,
    ) -> Vec<Cell> {
        columns
            .iter()
            .zip(amounts)
            .map(|(col, a)| match a {
                None => {
                    *partial = true;
                    Cell::Blank
                }
                Some(a) => {
                    values.insert((line.key.clone(), col.id.clone()), a);
                    Cell::Amount {
                        row: line.key.clone(),
                        column: col.id.clone(),
                        fen: a.fen(),
                        text: match self.unit {
                            MoneyUnit::Wan => a.wan(),
                            MoneyUnit::Yuan => a.yuan(),
                        },
                    }
                }
            })
            .collect()
    }
}

/// An `unclassified` row only shows when something is unclassified.
fn keep_line(line: &Line, amounts: &[Option<Amount>]) -> bool {
    line.unclassified.is_none() || amounts.iter().any(|a| a.is_some_and(|a| !a.is_zero()))
}

/// The stub's header: (top text, the texts under it when split into several columns).
type StubCell = (String, Vec<&'static str>);

/// The stub of a table whose rows are named `name` ("项目"): 科目编码 (one column, or 类/款/项
/// under it) and 科目名称 when codes are printed.
fn stub_cells(mode: CodeColumns, name: &str) -> Vec<StubCell> {
    match mode {
        CodeColumns::Auto | CodeColumns::None => vec![(name.to_string(), Vec::new())],
        CodeColumns::Joined => vec![
            ("科目编码".to_string(), Vec::new()),
            ("科目名称".to_string(), Vec::new()),
        ],
        CodeColumns::Split => vec![
            ("科目编码".to_string(), vec!["类", "款", "项"]),
            ("科目名称".to_string(), Vec::new()),
        ],
    }
}

fn column_headers(stub: &[StubCell], columns: &[ColumnSpec]) -> Vec<Vec<HeaderCell>> {
    let grouped = columns.iter().any(|c| c.group.is_some())
        || stub.iter().any(|(_, under)| !under.is_empty());
    let rowspan = if grouped { 2 } else { 1 };
    let mut top = Vec::new();
    let mut second = Vec::new();
    for (text, under) in stub {
        if under.is_empty() {
            top.push(HeaderCell {
                text: text.clone(),
                colspan: 1,
                rowspan,
            });
        } else {
            top.push(HeaderCell {
                text: text.clone(),
                colspan: under.len() as u16,
                rowspan: 1,
            });
            second.extend(under.iter().map(|u| HeaderCell {
                text: (*u).to_string(),
                colspan: 1,
                rowspan: 1,
            }));
        }
    }
    let mut i = 0;
    while i < columns.len() {
        match &columns[i].group {
            None => {
                top.push(HeaderCell {
                    text: columns[i].label.clone(),
                    colspan: 1,
                    rowspan,
                });
                i += 1;
            }
            Some(g) => {
                let n = columns[i..]
                    .iter()
                    .take_while(|c| c.group.as_ref() == Some(g))
                    .count();
                top.push(HeaderCell {
                    text: g.clone(),
                    colspan: n as u16,
                    rowspan: 1,
                });
                for c in &columns[i..i + n] {
                    second.push(HeaderCell {
                        text: c.label.clone(),
                        colspan: 1,
                        rowspan: 1,
                    });
                }
                i += n;
            }
        }
    }
    if grouped {
        vec![top, second]
    } else {
        vec![top]
    }
}

/// Derive every table of `set` for `unit_year`.
pub fn derive_tables(set: &TableSet, unit_year: &UnitYear, catalogues: &Catalogues) -> Vec<Table> {
    set.tables
        .iter()
        .map(|spec| derive_table(spec, &unit_year.facts, catalogues))
        .collect()
}

/// Derive one table.
pub fn derive_table(spec: &TableSpec, facts: &FactTable, catalogues: &Catalogues) -> Table {
    let unit = spec.unit.unwrap_or(MoneyUnit::Wan);
    let d = Deriver {
        unit,
        facts,
        catalogues,
        sources: Default::default(),
    };
    let mut values = BTreeMap::new();
    let mut partial = false;
    let (header, rows) = match spec.layout {
        Layout::Grid => d.grid(spec, &mut values, &mut partial),
        Layout::Paired => d.paired(spec, &mut values, &mut partial),
    };
    let mut table = Table {
        id: spec.id.clone(),
        code: spec.code.clone(),
        title: spec.title.clone(),
        unit: unit.label().into(),
        header,
        rows,
        note: None,
        values,
        sources: BTreeMap::new(),
    };
    table.sources = d.take_sources(spec, &table);
    if table.is_empty() {
        table.note = spec.empty_note.clone();
    } else if partial {
        table.note = spec.partial_note.clone();
    }
    table
}

/// A line of a table with its amounts, column by column.
type Evaluated = (Line, Vec<Option<Amount>>);

/// Header rows and body rows of a table.
type Grid = (Vec<Vec<HeaderCell>>, Vec<Vec<Cell>>);

impl Deriver<'_> {
    /// Lines with their amounts, `unclassified` lines with nothing in them left out.
    fn evaluate(
        &self,
        base: &FactFilter,
        columns: &[ColumnSpec],
        lines: Vec<Line>,
    ) -> Vec<Evaluated> {
        lines
            .into_iter()
            .map(|line| {
                let amounts = self.row_values(base, columns, &line);
                (line, amounts)
            })
            .filter(|(line, amounts)| keep_line(line, amounts))
            .collect()
    }

    /// A grid table: a stub (code and name when rows are a tree, else 项目) and the columns.
    fn grid(
        &self,
        spec: &TableSpec,
        values: &mut BTreeMap<(String, String), Amount>,
        partial: &mut bool,
    ) -> Grid {
        let has_tree = spec.rows.iter().any(|r| r.tree.is_some());
        let mode = spec.code_columns.resolve(Layout::Grid, has_tree);
        let header = column_headers(&stub_cells(mode, "项目"), &spec.columns);
        let lines = self.evaluate(
            &spec.base,
            &spec.columns,
            self.expand(&spec.base, &spec.rows),
        );
        let rows = lines
            .into_iter()
            .map(|(line, amounts)| {
                let mut cells = mode.cells(line.code.as_deref());
                cells.push(Cell::Text {
                    text: line.label.clone(),
                    indent: line.indent,
                });
                cells.extend(self.cells(values, partial, &spec.columns, &line, amounts));
                cells
            })
            .collect();
        (header, rows)
    }

    /// A paired table (two sides, as 收入 and 支出): body rows side by side (the shorter
    /// side padded with blanks), then the footer pairs, which stay paired.
    fn paired(
        &self,
        spec: &TableSpec,
        values: &mut BTreeMap<(String, String), Amount>,
        partial: &mut bool,
    ) -> Grid {
        let (l, r) = (
            spec.left.as_ref().expect("validated"),
            spec.right.as_ref().expect("validated"),
        );
        let lbase = spec.base.refined(&l.base);
        let rbase = spec.base.refined(&r.base);
        let has_tree = [l, r]
            .iter()
            .any(|side| side.rows.iter().any(|r| r.tree.is_some()));
        let mode = spec.code_columns.resolve(Layout::Paired, has_tree);
        let header = paired_headers(l, r, mode);
        let footer_l: Vec<RowSpec> = spec.footer.iter().map(|p| p.left.clone()).collect();
        let footer_r: Vec<RowSpec> = spec.footer.iter().map(|p| p.right.clone()).collect();
        let left = self.evaluate(&lbase, &l.columns, self.expand(&lbase, &l.rows));
        let right = self.evaluate(&rbase, &r.columns, self.expand(&rbase, &r.rows));
        let fl = self.evaluate(&lbase, &l.columns, self.expand(&lbase, &footer_l));
        let fr = self.evaluate(&rbase, &r.columns, self.expand(&rbase, &footer_r));
        let body = left.len().max(right.len());
        let foot = fl.len().max(fr.len());
        let pairs = padded(left, body)
            .into_iter()
            .zip(padded(right, body))
            .chain(padded(fl, foot).into_iter().zip(padded(fr, foot)));
        let mut rows = Vec::new();
        for (a, b) in pairs {
            let mut cells = self.side_cells(values, partial, l, a, mode);
            cells.extend(self.side_cells(values, partial, r, b, mode));
            rows.push(cells);
        }
        (header, rows)
    }

    /// The cells of one side of a paired row; blanks when that side has no line here.
    fn side_cells(
        &self,
        values: &mut BTreeMap<(String, String), Amount>,
        partial: &mut bool,
        side: &SideSpec,
        entry: Option<Evaluated>,
        mode: CodeColumns,
    ) -> Vec<Cell> {
        let Some((line, amounts)) = entry else {
            return vec![Cell::Blank; mode.width() + 1 + side.columns.len()];
        };
        let mut cells = mode.cells(line.code.as_deref());
        cells.push(Cell::Text {
            text: line.label.clone(),
            indent: line.indent,
        });
        cells.extend(self.cells(values, partial, &side.columns, &line, amounts));
        cells
    }

    /// The input lines behind each cell, sorted and without repeats; a `sum_of` column's
    /// cells come from their parts' facts.
    fn take_sources(
        &self,
        spec: &TableSpec,
        table: &Table,
    ) -> BTreeMap<(String, String), Vec<usize>> {
        let mut sources = self.sources.take();
        for spec_cols in [
            spec.columns.as_slice(),
            spec.left.as_ref().map_or(&[][..], |s| s.columns.as_slice()),
            spec.right
                .as_ref()
                .map_or(&[][..], |s| s.columns.as_slice()),
        ] {
            for col in spec_cols.iter().filter(|c| !c.sum_of.is_empty()) {
                for row in table.row_keys() {
                    let mut lines: Vec<usize> = col
                        .sum_of
                        .iter()
                        .flat_map(|p| {
                            sources
                                .get(&(row.clone(), p.clone()))
                                .cloned()
                                .unwrap_or_default()
                        })
                        .collect();
                    if !lines.is_empty() {
                        lines.sort_unstable();
                        sources.insert((row, col.id.clone()), lines);
                    }
                }
            }
        }
        for lines in sources.values_mut() {
            lines.sort_unstable();
            lines.dedup();
        }
        sources
    }
}

/// The two header rows of a paired table: each side's title over 项目 and its columns.
fn paired_headers(l: &SideSpec, r: &SideSpec, mode: CodeColumns) -> Vec<Vec<HeaderCell>> {
    let stub = (mode.width() + 1) as u16;
    let mut header = vec![
        vec![
            HeaderCell {
                text: l.header.clone(),
                colspan: stub + l.columns.len() as u16,
                rowspan: 1,
            },
            HeaderCell {
                text: r.header.clone(),
                colspan: stub + r.columns.len() as u16,
                rowspan: 1,
            },
        ],
        Vec::new(),
    ];
    let stub_texts: Vec<String> = match mode {
        CodeColumns::Auto | CodeColumns::None => vec!["项目".into()],
        CodeColumns::Joined => vec!["科目编码".into(), "科目名称".into()],
        CodeColumns::Split => vec!["类".into(), "款".into(), "项".into(), "科目名称".into()],
    };
    for side in [l, r] {
        header[1].extend(stub_texts.iter().map(|t| HeaderCell {
            text: t.clone(),
            colspan: 1,
            rowspan: 1,
        }));
        for c in &side.columns {
            header[1].push(HeaderCell {
                text: c.label.clone(),
                colspan: 1,
                rowspan: 1,
            });
        }
    }
    header
}

/// One side's lines padded with `None` to `n` entries.
fn padded(side: Vec<Evaluated>, n: usize) -> Vec<Option<Evaluated>> {
    let mut v: Vec<Option<Evaluated>> = side.into_iter().map(Some).collect();
    v.resize_with(n, || None);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::facts::{Fact, FundSource, Measure, Nature, Scenario};

    fn catalogues() -> Catalogues {
        Catalogues {
            function: Catalogue::from_toml(
                "kind = \"function\"\nyear = 2021\n[codes]\n\"206\" = \"科学技术支出\"\n\"20607\" = \"科学技术普及\"\n\"2060701\" = \"机构运行\"\n\"2060702\" = \"科普活动\"\n",
                "f",
            )
            .unwrap(),
            economic: Catalogue::from_toml(
                "kind = \"economic\"\nyear = 2021\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n",
                "e",
            )
            .unwrap(),
        }
    }

    fn facts() -> FactTable {
        let mut t = FactTable::default();
        for (code, nature, fen) in [
            ("2060701", Nature::Basic, 123_456),
            ("2060702", Nature::Project, 100_000),
        ] {
            t.push(
                Fact::new(Measure::Expenditure, Scenario::Actual, Amount(fen))
                    .source(FundSource::GeneralBudget)
                    .nature(nature)
                    .function(code),
            );
        }
        t
    }

    const GRID: &str = r#"
name = "t"
title = "t"
year = 2021
[[table]]
id = "t5"
title = "一般公共预算财政拨款支出决算表"
layout = "grid"
UNIT
base = { measure = ["expenditure"] }
columns = [
  { id = "total", label = "合计" },
  { id = "basic", label = "基本支出", filter = { nature = ["basic"] } },
]
rows = [{ id = "total", label = "合计" }, { tree = "function" }]
"#;

    #[test]
    fn grid_tree_and_units() {
        let set = TableSet::from_toml(&GRID.replace("UNIT", ""), "t").unwrap();
        let t = derive_table(&set.tables[0], &facts(), &catalogues());
        assert_eq!(t.unit, "万元");
        assert_eq!(t.get("total", "total"), Some(Amount(223_456)));
        assert_eq!(t.get("206", "basic"), Some(Amount(123_456)));
        assert_eq!(t.get("20607", "total"), Some(Amount(223_456)));
        assert_eq!(
            t.row_keys(),
            ["total", "206", "20607", "2060701", "2060702"]
        );
        let yuan = TableSet::from_toml(&GRID.replace("UNIT", "unit = \"元\""), "t").unwrap();
        let t = derive_table(&yuan.tables[0], &facts(), &catalogues());
        assert_eq!(t.unit, "元");
        assert!(t.rows[0]
            .iter()
            .any(|c| matches!(c, Cell::Amount { text, .. } if text == "2234.56")));
    }

    fn code_texts(row: &[Cell]) -> Vec<String> {
        row.iter()
            .map(|c| match c {
                Cell::Code { code } => code.clone(),
                Cell::Blank => "-".into(),
                Cell::Text { text, .. } => text.clone(),
                Cell::Amount { text, .. } => text.clone(),
            })
            .collect()
    }

    #[test]
    fn split_code_columns_print_class_section_item_under_one_header() {
        let text = GRID.replace("UNIT", "code_columns = \"split\"");
        let set = TableSet::from_toml(&text, "t").unwrap();
        let t = derive_table(&set.tables[0], &facts(), &catalogues());
        let top: Vec<(&str, u16, u16)> = t.header[0]
            .iter()
            .map(|h| (h.text.as_str(), h.colspan, h.rowspan))
            .collect();
        assert_eq!(
            top,
            [
                ("科目编码", 3, 1),
                ("科目名称", 1, 2),
                ("合计", 1, 2),
                ("基本支出", 1, 2)
            ]
        );
        let second: Vec<&str> = t.header[1].iter().map(|h| h.text.as_str()).collect();
        assert_eq!(second, ["类", "款", "项"]);
        assert_eq!(code_texts(&t.rows[0])[..4], ["-", "-", "-", "合计"]);
        assert_eq!(
            code_texts(&t.rows[1])[..4],
            ["206", "-", "-", "科学技术支出"]
        );
        assert_eq!(
            code_texts(&t.rows[2])[..4],
            ["206", "07", "-", "科学技术普及"]
        );
        assert_eq!(code_texts(&t.rows[3])[..4], ["206", "07", "01", "机构运行"]);
        // The amounts are found by the full code, whatever the printing.
        assert_eq!(t.get("2060701", "basic"), Some(Amount(123_456)));
        // `none` prints no code at all, as a paired table by default.
        let none =
            TableSet::from_toml(&GRID.replace("UNIT", "code_columns = \"none\""), "t").unwrap();
        let t = derive_table(&none.tables[0], &facts(), &catalogues());
        assert_eq!(t.header[0][0].text, "项目");
        assert_eq!(t.rows[1].len(), 3);
    }

    const TWO_BLOCKS: &str = r#"
name = "t"
title = "t"
year = 2021
[[table]]
id = "b"
title = "基本支出决算表"
layout = "paired"
code_columns = "joined"
base = { measure = ["basic_economic"] }
[table.left]
header = "人员经费"
columns = [{ id = "amount", label = "决算数" }]
rows = [{ tree = "economic", depth = "section", ZERO, filter = { economic = ["301"] } }]
[table.right]
header = "公用经费"
columns = [{ id = "amount", label = "决算数" }]
rows = [{ tree = "economic", depth = "section", ZERO, filter = { economic = ["302"] } }]
[[table.footer]]
left = { id = "personnel", label = "人员经费合计", economic_group = "personnel" }
right = { id = "public", label = "公用经费合计", economic_group = "public" }
"#;

    #[test]
    fn zero_rows_print_the_whole_catalogue_in_two_blocks_with_codes() {
        let cats = Catalogues {
            function: catalogues().function,
            economic: Catalogue::from_toml(
                "kind = \"economic\"\nyear = 2021\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n\"30102\" = \"津贴补贴\"\n\"302\" = \"商品和服务支出\"\n\"30201\" = \"办公费\"\n[groups]\npersonnel = [\"301\"]\npublic = [\"302\"]\n",
                "e",
            )
            .unwrap(),
        };
        let mut facts = FactTable::default();
        facts.push(
            Fact::new(Measure::BasicEconomic, Scenario::Actual, Amount(1_000_000))
                .source(FundSource::GeneralBudget)
                .economic("30101"),
        );
        let with =
            TableSet::from_toml(&TWO_BLOCKS.replace("ZERO", "zero_rows = true"), "t").unwrap();
        let t = derive_table(&with.tables[0], &facts, &cats);
        let rows: Vec<Vec<String>> = t.rows.iter().map(|r| code_texts(r)).collect();
        assert_eq!(
            rows,
            [
                [
                    "301",
                    "工资福利支出",
                    "1.00",
                    "302",
                    "商品和服务支出",
                    "0.00"
                ],
                ["30101", "基本工资", "1.00", "30201", "办公费", "0.00"],
                ["30102", "津贴补贴", "0.00", "-", "-", "-"],
                ["-", "人员经费合计", "1.00", "-", "公用经费合计", "0.00"],
            ]
        );
        let header: Vec<&str> = t.header[1].iter().map(|h| h.text.as_str()).collect();
        assert_eq!(
            header,
            [
                "科目编码",
                "科目名称",
                "决算数",
                "科目编码",
                "科目名称",
                "决算数"
            ]
        );
        assert_eq!(t.header[0][0].colspan, 3);
        // Without zero_rows only the codes with amounts (and their parents) are listed.
        let without = TableSet::from_toml(&TWO_BLOCKS.replace("ZERO, ", ""), "t").unwrap();
        let t = derive_table(&without.tables[0], &facts, &cats);
        assert_eq!(t.rows.len(), 3, "301, 30101 and the footer");
    }

    #[test]
    fn zero_rows_belong_to_trees() {
        let text = GRID.replace("UNIT", "").replace(
            r#"rows = [{ id = "total", label = "合计" }, { tree = "function" }]"#,
            r#"rows = [{ id = "total", label = "合计", zero_rows = true }]"#,
        );
        let err = TableSet::from_toml(&text, "t").unwrap_err();
        assert!(err.contains("zero_rows 只能用于分类树行"), "{err}");
        let bad_mode = GRID.replace("UNIT", "code_columns = \"three\"");
        assert!(TableSet::from_toml(&bad_mode, "t").is_err());
    }

    #[test]
    fn invalid_templates_are_rejected_with_the_table_named() {
        let one = GRID.replace("UNIT", "");
        let table = &one[one.find("[[table]]").unwrap()..];
        let dup = format!("{one}{table}");
        let err = TableSet::from_toml(&dup, "t.toml").unwrap_err();
        assert!(err.contains("重复"), "{err}");
        let no_cols = GRID.replace("UNIT", "").replace(
            "columns = [\n  { id = \"total\", label = \"合计\" },\n  { id = \"basic\", label = \"基本支出\", filter = { nature = [\"basic\"] } },\n]",
            "columns = []",
        );
        let err = TableSet::from_toml(&no_cols, "t.toml").unwrap_err();
        assert!(err.contains("t5") && err.contains("没有列"), "{err}");
        let bad_filter = GRID
            .replace("UNIT", "")
            .replace("nature = [\"basic\"]", "nature = [\"basics\"]");
        assert!(TableSet::from_toml(&bad_filter, "t.toml").is_err());
    }

    #[test]
    fn empty_table_gets_its_note() {
        let text = GRID.replace("UNIT", "empty_note = \"本表无数据。\"");
        let set = TableSet::from_toml(&text, "t").unwrap();
        let t = derive_table(&set.tables[0], &FactTable::default(), &catalogues());
        assert!(t.is_empty());
        assert_eq!(t.note.as_deref(), Some("本表无数据。"));
        let t = derive_table(&set.tables[0], &facts(), &catalogues());
        assert_eq!(t.note, None);
    }

    /// Catalogues with 人员经费 (301) and 公用经费 (302) groups.
    fn grouped_catalogues() -> Catalogues {
        let mut c = catalogues();
        c.economic = Catalogue::from_toml(
            "kind = \"economic\"\nyear = 2021\n[codes]\n\"301\" = \"工资福利支出\"\n\"30101\" = \"基本工资\"\n\"302\" = \"商品和服务支出\"\n\"30201\" = \"办公费\"\n[groups]\npersonnel = [\"301\"]\npublic = [\"302\"]\n",
            "e",
        )
        .unwrap();
        c
    }

    /// 基本支出 100 (by function 2060701; by economic 60 + 40) and 项目支出 50 (2060702,
    /// no economic code).
    fn split_facts(project: i64) -> FactTable {
        let mut t = FactTable::default();
        let gb = FundSource::GeneralBudget;
        let actual = Scenario::Actual;
        t.push(
            Fact::new(Measure::Expenditure, actual, Amount(10_000))
                .source(gb)
                .nature(Nature::Basic)
                .function("2060701"),
        );
        t.push(
            Fact::new(Measure::Expenditure, actual, Amount(project))
                .source(gb)
                .nature(Nature::Project)
                .function("2060702"),
        );
        for (code, fen) in [("30101", 6_000), ("30201", 4_000)] {
            t.push(
                Fact::new(Measure::BasicEconomic, actual, Amount(fen))
                    .source(gb)
                    .economic(code),
            );
        }
        t
    }

    fn cell_at<'a>(t: &'a Table, row: &str, col: &str) -> &'a Cell {
        let pos = t.rows[0]
            .iter()
            .position(|c| matches!(c, Cell::Amount { column, .. } if column == col))
            .expect("column in the first row");
        let r = t
            .rows
            .iter()
            .find(|r| {
                r.iter().any(|c| match c {
                    Cell::Code { code } => code == row,
                    Cell::Amount { row: k, .. } => k == row,
                    _ => false,
                })
            })
            .expect("row");
        &r[pos]
    }

    const BY_FUNCTION: &str = r#"
name = "t"
title = "t"
year = 2021
[[table]]
id = "s05"
title = "财政拨款支出决算明细表"
layout = "grid"
base = { measure = ["expenditure"] }
partial_note = "部分留空。"
columns = [
  { id = "total", label = "合计" },
  { id = "basic", label = "小计", group = "基本支出", filter = { nature = ["basic"] } },
  { id = "personnel", label = "人员经费", group = "基本支出", filter = { measure = ["basic_economic"] }, economic_group = "personnel" },
  { id = "public", label = "公用经费", group = "基本支出", filter = { measure = ["basic_economic"] }, economic_group = "public" },
]
rows = [{ id = "total", label = "合计" }, { tree = "function" }]
"#;

    #[test]
    fn a_cell_the_facts_cannot_determine_is_blank_not_zero() {
        let set = TableSet::from_toml(BY_FUNCTION, "t").unwrap();
        let t = derive_table(&set.tables[0], &split_facts(5_000), &grouped_catalogues());
        // The 合计 row does not ask for a function code: 人员经费 and 公用经费 are known.
        assert_eq!(t.get("total", "personnel"), Some(Amount(6_000)));
        assert_eq!(t.get("total", "public"), Some(Amount(4_000)));
        assert_eq!(t.get("2060701", "basic"), Some(Amount(10_000)));
        // By function they are not: the economic facts carry no function code.
        assert_eq!(t.get("2060701", "personnel"), None);
        assert_eq!(cell_at(&t, "2060701", "personnel"), &Cell::Blank);
        assert_eq!(cell_at(&t, "206", "public"), &Cell::Blank);
        assert_eq!(t.note.as_deref(), Some("部分留空。"));
        // Zero facts without the code do not make a cell unknown.
        let mut zero = FactTable::default();
        zero.push(
            Fact::new(Measure::BasicEconomic, Scenario::Actual, Amount::ZERO)
                .source(FundSource::GeneralBudget)
                .economic("30101"),
        );
        zero.push(
            Fact::new(Measure::Expenditure, Scenario::Actual, Amount(1))
                .source(FundSource::GeneralBudget)
                .nature(Nature::Basic)
                .function("2060701"),
        );
        let t = derive_table(&set.tables[0], &zero, &grouped_catalogues());
        assert_eq!(t.get("2060701", "personnel"), Some(Amount::ZERO));
        assert_eq!(t.note, None);
    }

    const BY_ECONOMIC: &str = r#"
name = "t"
title = "t"
year = 2021
[[table]]
id = "s07"
title = "一般公共预算财政拨款支出决算明细表"
layout = "grid"
base = { source = ["general_budget"] }
columns = [
  { id = "total", label = "合计", sum_of = ["basic", "project"] },
  { id = "basic", label = "基本支出", filter = { measure = ["basic_economic"] } },
  { id = "personnel", label = "人员经费", filter = { measure = ["basic_economic"] }, economic_group = "personnel" },
  { id = "project", label = "项目支出", filter = { measure = ["expenditure"], nature = ["project"] } },
]
rows = [
  { id = "total", label = "合计" },
  { tree = "economic", depth = "section" },
  { id = "unclassified", label = "未细化到经济分类科目的支出", unclassified = "economic" },
]
"#;

    #[test]
    fn sum_columns_unclassified_rows_and_code_intersections() {
        let set = TableSet::from_toml(BY_ECONOMIC, "t").unwrap();
        let cats = grouped_catalogues();
        let t = derive_table(&set.tables[0], &split_facts(5_000), &cats);
        // 合计 = 基本 (basic_economic) + 项目 (expenditure): two measures, one column.
        assert_eq!(t.get("total", "total"), Some(Amount(15_000)));
        assert_eq!(t.get("30101", "basic"), Some(Amount(6_000)));
        // 项目支出 has no economic code: unknown per 经济科目, and so is the row's 合计.
        assert_eq!(t.get("30101", "project"), None);
        assert_eq!(t.get("30101", "total"), None);
        // …and it is all in the unclassified row, so the column still adds up.
        assert_eq!(t.get("unclassified", "project"), Some(Amount(5_000)));
        assert_eq!(t.get("unclassified", "basic"), Some(Amount::ZERO));
        assert_eq!(t.get("unclassified", "total"), Some(Amount(5_000)));
        // The 人员经费 column meets the economic rows: intersection, not replacement.
        assert_eq!(t.get("30101", "personnel"), Some(Amount(6_000)));
        assert_eq!(t.get("301", "personnel"), Some(Amount(6_000)));
        assert_eq!(t.get("30201", "personnel"), Some(Amount::ZERO));
        assert_eq!(t.get("302", "personnel"), Some(Amount::ZERO));
        // Nothing unclassified: the row is left out.
        let t = derive_table(&set.tables[0], &split_facts(0), &cats);
        assert!(!t.row_keys().contains(&"unclassified".to_string()));
        assert_eq!(t.row_keys(), ["total", "301", "30101", "302", "30201"]);
    }

    #[test]
    fn bad_sum_columns_and_unclassified_trees_are_rejected() {
        let cases = [
            (
                r#"sum_of = ["basic", "project"]"#,
                r#"sum_of = ["basic", "nope"]"#,
                "不存在的列",
            ),
            (
                r#"sum_of = ["basic", "project"]"#,
                r#"sum_of = ["basic", "project"], filter = { nature = ["basic"] }"#,
                "不能再写",
            ),
            (
                r#"{ tree = "economic", depth = "section" }"#,
                r#"{ tree = "economic", depth = "section", unclassified = "economic" }"#,
                "unclassified",
            ),
            (
                r#"{ id = "personnel", label"#,
                r#"{ id = "basic", label"#,
                "列“basic”重复",
            ),
        ];
        for (from, to, says) in cases {
            assert_eq!(BY_ECONOMIC.matches(from).count(), 1, "{from}");
            let text = BY_ECONOMIC.replace(from, to);
            let err = TableSet::from_toml(&text, "t.toml").unwrap_err();
            assert!(err.contains("s07") && err.contains(says), "{err}");
        }
    }
}
