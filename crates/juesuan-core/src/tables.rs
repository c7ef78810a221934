//! Disclosure tables (决算公开表) derived from the fact table by a template (data file).
//!
//! A template lists tables; each table's rows and columns are fact filters. A cell is the
//! sum of the facts matching table base ∧ column ∧ row. Rows are fixed, or a classification
//! tree (类/款/项) expanded from the facts present. Two layouts exist: `grid` (stub + columns)
//! and `paired` (income side beside expenditure side, as in 收入支出决算总表).

use crate::catalogue::{parent_code, Catalogues};
use crate::facts::{FactFilter, FactTable};
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
    pub layout: Layout,
    /// Unit amounts are printed in: "万元" (default) or "元".
    #[serde(default)]
    pub unit: Option<MoneyUnit>,
    /// Printed when every amount is zero ("本单位本年度没有…，故本表无数据。").
    #[serde(default)]
    pub empty_note: Option<String>,
    /// Filter every cell of the table starts from.
    #[serde(default)]
    pub base: FactFilter,
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
    /// Indentation level for fixed rows ("其中：").
    #[serde(default)]
    pub indent: u8,
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
        let set: TableSet =
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
        Ok(set)
    }

    pub fn get(&self, id: &str) -> Option<&TableSpec> {
        self.tables.iter().find(|t| t.id == id)
    }
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

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
}

struct Deriver<'a> {
    unit: MoneyUnit,
    facts: &'a FactTable,
    catalogues: &'a Catalogues,
}

impl Deriver<'_> {
    fn expand(&self, base: &FactFilter, rows: &[RowSpec], with_code: bool) -> Vec<Line> {
        let mut out = Vec::new();
        for r in rows {
            match r.tree {
                None => {
                    let mut filter = r.filter.clone();
                    if let Some(g) = &r.economic_group {
                        filter.economic = self
                            .catalogues
                            .economic
                            .group(g)
                            .map(<[String]>::to_vec)
                            .unwrap_or_default();
                    }
                    out.push(Line {
                        key: r.id.clone().unwrap_or_default(),
                        code: None,
                        label: r.label.clone().unwrap_or_default(),
                        indent: r.indent,
                        filter,
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
                            code: with_code.then(|| code.clone()),
                            label: name,
                            filter,
                        });
                    }
                }
            }
        }
        out
    }

    fn amount_cell(
        &self,
        values: &mut BTreeMap<(String, String), Amount>,
        base: &FactFilter,
        col: &ColumnSpec,
        line: &Line,
    ) -> Cell {
        let filter = base.refined(&col.filter).refined(&line.filter);
        let a = self.facts.sum(&filter);
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
}

fn column_headers(stub: &[&str], columns: &[ColumnSpec]) -> Vec<Vec<HeaderCell>> {
    let grouped = columns.iter().any(|c| c.group.is_some());
    let rowspan = if grouped { 2 } else { 1 };
    let mut top: Vec<HeaderCell> = stub
        .iter()
        .map(|s| HeaderCell {
            text: s.to_string(),
            colspan: 1,
            rowspan,
        })
        .collect();
    let mut second = Vec::new();
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
    };
    let mut values = BTreeMap::new();
    let (header, rows) = match spec.layout {
        Layout::Grid => {
            let has_tree = spec.rows.iter().any(|r| r.tree.is_some());
            let stub: Vec<&str> = if has_tree {
                vec!["科目编码", "科目名称"]
            } else {
                vec!["项目"]
            };
            let header = column_headers(&stub, &spec.columns);
            let lines = d.expand(&spec.base, &spec.rows, has_tree);
            let rows = lines
                .iter()
                .map(|line| {
                    let mut cells = Vec::new();
                    if has_tree {
                        cells.push(match &line.code {
                            Some(c) => Cell::Code { code: c.clone() },
                            None => Cell::Blank,
                        });
                    }
                    cells.push(Cell::Text {
                        text: line.label.clone(),
                        indent: line.indent,
                    });
                    for col in &spec.columns {
                        cells.push(d.amount_cell(&mut values, &spec.base, col, line));
                    }
                    cells
                })
                .collect();
            (header, rows)
        }
        Layout::Paired => {
            let (l, r) = (
                spec.left.as_ref().expect("validated"),
                spec.right.as_ref().expect("validated"),
            );
            let lbase = spec.base.refined(&l.base);
            let rbase = spec.base.refined(&r.base);
            let mut header = vec![
                vec![
                    HeaderCell {
                        text: l.header.clone(),
                        colspan: 1 + l.columns.len() as u16,
                        rowspan: 1,
                    },
                    HeaderCell {
                        text: r.header.clone(),
                        colspan: 1 + r.columns.len() as u16,
                        rowspan: 1,
                    },
                ],
                Vec::new(),
            ];
            for side in [l, r] {
                header[1].push(HeaderCell {
                    text: "项目".into(),
                    colspan: 1,
                    rowspan: 1,
                });
                for c in &side.columns {
                    header[1].push(HeaderCell {
                        text: c.label.clone(),
                        colspan: 1,
                        rowspan: 1,
                    });
                }
            }
            let left = d.expand(&lbase, &l.rows, false);
            let right = d.expand(&rbase, &r.rows, false);
            let footer_l: Vec<RowSpec> = spec.footer.iter().map(|p| p.left.clone()).collect();
            let footer_r: Vec<RowSpec> = spec.footer.iter().map(|p| p.right.clone()).collect();
            let fl = d.expand(&lbase, &footer_l, false);
            let fr = d.expand(&rbase, &footer_r, false);
            let body = left.len().max(right.len());
            let mut rows = Vec::new();
            let side_cells = |values: &mut BTreeMap<_, _>,
                              side: &SideSpec,
                              base: &FactFilter,
                              line: Option<&Line>| {
                let mut cells = Vec::new();
                match line {
                    Some(line) => {
                        cells.push(Cell::Text {
                            text: line.label.clone(),
                            indent: line.indent,
                        });
                        for c in &side.columns {
                            cells.push(d.amount_cell(values, base, c, line));
                        }
                    }
                    None => {
                        cells.push(Cell::Blank);
                        cells.extend(side.columns.iter().map(|_| Cell::Blank));
                    }
                }
                cells
            };
            for i in 0..body {
                let mut cells = side_cells(&mut values, l, &lbase, left.get(i));
                cells.extend(side_cells(&mut values, r, &rbase, right.get(i)));
                rows.push(cells);
            }
            for i in 0..fl.len() {
                let mut cells = side_cells(&mut values, l, &lbase, fl.get(i));
                cells.extend(side_cells(&mut values, r, &rbase, fr.get(i)));
                rows.push(cells);
            }
            (header, rows)
        }
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
    };
    if table.is_empty() {
        table.note = spec.empty_note.clone();
    }
    table
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
}
