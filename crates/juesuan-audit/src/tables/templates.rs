//! 对应表样: each recognised table mapped onto a template of `data/tables` (the national 决算
//! set or the national budget set) with the matcher the Excel importer uses
//! (`juesuan_core::template_match`): which template table it is by title, which column id
//! each amount column is by its header label, which row id or code each row is. What does
//! not match is recorded, never guessed.

use super::StatedTable;
use juesuan_core::tables::{TableSet, TableSpec};
use juesuan_core::template_match::{best_title, label_key, same_label, sides, Side};
use std::sync::OnceLock;

/// The template sets a published table may follow, in order of preference on a tie.
pub(crate) const SETS: [&str; 2] = ["national", "national-budget"];

/// One template set, loaded once from the embedded data files.
pub(crate) fn template_set(name: &str) -> &'static TableSet {
    static SETS_LOADED: OnceLock<Vec<TableSet>> = OnceLock::new();
    let all = SETS_LOADED.get_or_init(|| {
        let lib = juesuan_data::Library::embedded();
        SETS.iter()
            .map(|n| {
                lib.table_set(n, 2021)
                    .unwrap_or_else(|e| panic!("embedded template {n}: {e}"))
            })
            .collect()
    });
    let i = SETS.iter().position(|n| *n == name).unwrap_or(0);
    &all[i]
}

/// A recognised table on a template: which table, and each printed cell's row key and
/// column id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateMatch {
    /// The template set ("national", "national-budget").
    pub set: String,
    /// The template table's id ("b5") and title ("一般公共预算支出表").
    pub table: String,
    pub title: String,
    /// Cells placed on the template.
    pub cells: Vec<MappedCell>,
    /// Amount column labels that name no column of the template table.
    pub unmatched_columns: Vec<String>,
    /// Rows with amounts whose label or code names no row of the template table, or whose
    /// cells cannot be placed (fewer amounts than columns: blank cells), as printed.
    pub unmatched_rows: Vec<String>,
}

/// One printed cell on the template: row key (fixed row id or code), column id, and where
/// it is printed: row index in the table, segment (0 the row itself, k its k-th side-by-side
/// part) and cell index in that segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedCell {
    pub row: String,
    pub column: String,
    pub at: (usize, usize, usize),
}

/// Header cells that label rows, not amount columns.
fn is_stub(label: &str) -> bool {
    let k = label_key(label);
    k.is_empty()
        || matches!(
            k.as_str(),
            "项目" | "科目" | "类" | "款" | "项" | "栏次" | "行次" | "序号"
        )
        || k.contains("科目")
        || k.starts_with("单位")
        || k.contains("单位:")
        || k.contains("单位：")
        || k.ends_with("编码")
        || k.ends_with("名称")
        || k.ends_with("代码")
}

/// Map every table onto the set most of the document's tables match by title (so a 决算
/// report is not read against budget templates); tables of no template stay unmapped.
pub(crate) fn map_tables(tables: &mut [StatedTable]) {
    let counts: Vec<usize> = SETS
        .iter()
        .map(|s| {
            let specs = &template_set(s).tables;
            tables
                .iter()
                .filter(|t| best_title(&t.title, specs).is_some())
                .count()
        })
        .collect();
    let Some((best, _)) = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .max_by_key(|&(i, &c)| (c, std::cmp::Reverse(i)))
    else {
        return;
    };
    let set = template_set(SETS[best]);
    for t in tables.iter_mut() {
        if let Some((i, _)) = best_title(&t.title, &set.tables) {
            t.template = Some(map_table(t, SETS[best], &set.tables[i]));
        }
    }
}

/// Place a table's cells on one template table.
fn map_table(t: &StatedTable, set: &str, spec: &TableSpec) -> TemplateMatch {
    let mut m = TemplateMatch {
        set: set.to_string(),
        table: spec.id.clone(),
        title: spec.title.clone(),
        ..TemplateMatch::default()
    };
    let sides = sides(spec);
    if sides.len() == 1 {
        grid(t, &sides[0], &mut m);
    } else {
        paired(t, &sides, &mut m);
    }
    // A key placed twice (a code printed twice) is no one cell: neither is used.
    let mut seen = std::collections::BTreeMap::new();
    for c in &m.cells {
        *seen.entry((c.row.clone(), c.column.clone())).or_insert(0) += 1;
    }
    let twice: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
    for ((row, _), _) in &twice {
        if !m.unmatched_rows.contains(row) {
            m.unmatched_rows.push(format!("{row}（重复）"));
        }
    }
    m.cells.retain(|c| {
        !twice
            .iter()
            .any(|((r, col), _)| *r == c.row && *col == c.column)
    });
    m
}

/// The header row naming the amount columns: the last one that is not a Markdown rule row.
fn column_header(t: &StatedTable) -> Option<&Vec<String>> {
    t.header.iter().rev().find(|h| {
        h.iter()
            .any(|c| !c.chars().all(|x| matches!(x, '|' | '-' | ':' | ' ')))
    })
}

/// The header paths of the amount columns: each label the header prints for a column that
/// is not a row label, split at "·" where a group heads it ("本年支出·基本支出").
fn amount_paths(t: &StatedTable) -> Vec<Vec<String>> {
    if !t.columns.is_empty() {
        return t.columns.iter().map(|c| vec![c.clone()]).collect();
    }
    column_header(t)
        .map(|h| {
            h.iter()
                .map(|c| c.split('·').map(str::to_string).collect::<Vec<_>>())
                .filter(|p| p.last().is_some_and(|l| !is_stub(l)))
                .collect()
        })
        .unwrap_or_default()
}

/// The column ids of printed amount paths on one side; labels of no column are recorded.
fn side_columns(paths: &[Vec<String>], side: &Side, m: &mut TemplateMatch) -> Vec<Option<String>> {
    if paths.is_empty() {
        // No label printed: a side with a single amount column has only that one.
        return if side.columns.len() == 1 {
            vec![Some(side.columns[0].id.clone())]
        } else {
            Vec::new()
        };
    }
    paths
        .iter()
        .map(|p| {
            let id = side.column(p).map(|i| side.columns[i].id.clone());
            if id.is_none() {
                m.unmatched_columns.push(p.join("·"));
            }
            id
        })
        .collect()
}

/// The 类 code a function-class name stands for in the catalogue ("科学技术支出" → "206"):
/// printed 收支总表 list classes by name only.
fn class_code(label: &str) -> Option<String> {
    static CLASSES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let classes = CLASSES.get_or_init(|| {
        let Ok(cats) = juesuan_data::Library::embedded().catalogues(2021) else {
            return Vec::new();
        };
        (100..=999)
            .map(|c| c.to_string())
            .filter_map(|c| cats.function.name(&c).map(|n| (label_key(n), c.clone())))
            .collect()
    });
    let key = label_key(label);
    classes
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, c)| c.clone())
}

/// The row key of a printed label (and code) on a side: code, fixed row, or 类 name.
fn row_key(side: &Side, code: Option<&str>, label: &str) -> Option<String> {
    code.and_then(|c| side.code_row(c))
        .or_else(|| side.fixed_row(label))
        .or_else(|| {
            let (kind, _) = side.tree()?;
            (kind == juesuan_core::tables::TreeKind::Function)
                .then(|| class_code(label))
                .flatten()
                .and_then(|c| side.code_row(&c))
        })
}

fn grid(t: &StatedTable, side: &Side, m: &mut TemplateMatch) {
    let columns = side_columns(&amount_paths(t), side, m);
    for (ri, row) in t.rows.iter().enumerate() {
        if row.cells.is_empty() {
            continue;
        }
        let key = row_key(side, row.code.as_deref(), &row.label);
        let placed = row.more.is_empty() && row.cells.len() == columns.len();
        match key {
            Some(key) if placed => place(m, &key, &columns, (ri, 0)),
            _ => m.unmatched_rows.push(row.name()),
        }
    }
}

fn place(m: &mut TemplateMatch, key: &str, columns: &[Option<String>], at: (usize, usize)) {
    for (ci, col) in columns.iter().enumerate() {
        if let Some(col) = col {
            m.cells.push(MappedCell {
                row: key.to_string(),
                column: col.clone(),
                at: (at.0, at.1, ci),
            });
        }
    }
}

/// A paired table (收支总表): each side-by-side part of a row is a row of the side whose
/// label it carries (the first part preferably the left side). A side's columns are the
/// header labels under its heading ("支出·合计"), or its single column.
fn paired(t: &StatedTable, sides: &[Side], m: &mut TemplateMatch) {
    let paths = amount_paths(t);
    let grouped = |side: &Side| -> Vec<Vec<String>> {
        paths
            .iter()
            .filter(|p| p.len() > 1 && side.header.is_some_and(|h| same_label(&p[0], h)))
            .map(|p| p[1..].to_vec())
            .collect()
    };
    let columns: Vec<Vec<Option<String>>> = sides
        .iter()
        .map(|side| side_columns(&grouped(side), side, m))
        .collect();
    for (ri, row) in t.rows.iter().enumerate() {
        let parts =
            std::iter::once((&row.label, &row.cells)).chain(row.more.iter().map(|(l, c)| (l, c)));
        for (si, (label, cells)) in parts.enumerate() {
            if cells.is_empty() {
                continue;
            }
            let code = if si == 0 { row.code.as_deref() } else { None };
            let order = if si == 0 { [0, 1] } else { [1, 0] };
            let found = order.iter().find_map(|&s| {
                let key = row_key(sides.get(s)?, code, label)?;
                (cells.len() == columns[s].len()).then_some((key, s))
            });
            match found {
                Some((key, s)) => place(m, &key, &columns[s], (ri, si)),
                None => m.unmatched_rows.push(if label.is_empty() {
                    row.name()
                } else {
                    label.clone()
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::read_tables;

    #[test]
    fn a_budget_table_maps_columns_by_label_and_rows_by_code() {
        let text =
            "一般公共预算支出预算表\n单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n\
                    合计\t30.00\t20.00\t10.00\n201\t一般公共服务支出\t30.00\t20.00\t10.00\n\
                    其他\t1.00\t1.00\t0.00\n";
        let t = &read_tables(text)[0];
        let m = t.template.as_ref().expect("mapped");
        assert_eq!(
            (m.set.as_str(), m.table.as_str()),
            ("national-budget", "b5")
        );
        let cells: Vec<_> = m
            .cells
            .iter()
            .map(|c| format!("{}.{}", c.row, c.column))
            .collect();
        assert_eq!(
            cells,
            [
                "total.total",
                "total.basic",
                "total.project",
                "201.total",
                "201.basic",
                "201.project"
            ]
        );
        // A row the template has no place for is recorded, not guessed.
        assert_eq!(m.unmatched_rows, ["其他"]);
    }

    #[test]
    fn a_column_of_no_template_and_a_table_of_no_template_are_recorded() {
        let text = "一般公共预算支出预算表\n单位：万元\n科目编码\t科目名称\t合计\t结转下年\n\
                    201\t一般公共服务支出\t30.00\t0.00\n\n政府采购支出预算表\n单位：万元\n\
                    项目\t金额\n一、货物\t1.00\n";
        let tables = read_tables(text);
        let m = tables[0].template.as_ref().unwrap();
        assert_eq!(m.unmatched_columns, ["结转下年"]);
        assert_eq!(m.cells.len(), 1);
        assert!(tables[1].template.is_none());
    }

    #[test]
    fn the_sides_of_a_paired_table_take_their_own_rows() {
        let text = "财政拨款收支预算总表\n单位：万元\n项目\t金额\t项目\t金额\n\
                    一、一般公共预算\t50.00\t一、基本支出\t30.00\n\
                    收入合计\t50.00\t支出合计\t50.00\n";
        let t = &read_tables(text)[0];
        let m = t.template.as_ref().unwrap();
        assert_eq!(m.table, "b4");
        let cells: Vec<_> = m.cells.iter().map(|c| c.row.as_str()).collect();
        assert_eq!(
            cells,
            [
                "income_general_budget",
                "expenditure_basic",
                "grand_total_in",
                "grand_total_out"
            ]
        );
    }
}
