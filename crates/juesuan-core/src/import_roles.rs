//! 导入角色 (import roles): which table of a table set plays which part for the Excel
//! importer (`juesuan import`), declared in the `[import]` section of a table-set file
//! (docs/data-files.md §4.10) and checked when the set is loaded.
//!
//! The importer turns the tables' figures into base facts by what each table means, not by
//! its id or number: 本年收入 from the income role's table, 一般公共预算 spending from the
//! general_budget_spending role's, and so on. Each role names the column and row ids it reads
//! ([`ImportRole::columns`], [`ImportRole::rows`]): a table set whose table lacks one is
//! refused at load, with the line of the role.

use crate::input::location_of;
use crate::tables::{TableSpec, TreeKind};
use std::collections::BTreeMap;
use toml::Spanned;

/// One part a table plays for the importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImportRole {
    /// 收入支出决算总表: 使用非财政拨款结余, 结余分配, 年初结转和结余 (all sources).
    Summary,
    /// 收入决算表: 本年收入 by source × 功能科目 (项).
    Income,
    /// 支出决算表: 本年支出 by nature × 功能科目 (all sources).
    Spending,
    /// 财政拨款收入支出决算总表: 年初财政拨款结转和结余.
    FiscalSummary,
    /// 一般公共预算财政拨款支出决算表: basic / project spending of 一般公共预算 by 项.
    GeneralBudgetSpending,
    /// 一般公共预算财政拨款基本支出决算表: 基本支出 by 经济科目 (款).
    GeneralBudgetBasicEconomic,
    /// 一般公共预算财政拨款“三公”经费支出决算表 (or 财政拨款“三公”经费支出决算表): budget and
    /// actual of each item.
    Sangong,
    /// 政府性基金预算财政拨款收入支出决算表 (optional: a unit without such funds may leave it out).
    GovernmentFund,
    /// 国有资本经营预算财政拨款（收入）支出决算表 (optional, like government_fund).
    StateCapital,
}

/// The “三公” items, the ids of the sangong table's item rows (or columns).
pub const SANGONG_ITEMS: [&str; 4] = [
    "abroad",
    "vehicle_purchase",
    "vehicle_operation",
    "reception",
];
/// The ids of the sangong table's budget and actual columns (or rows).
pub const SANGONG_SCENARIOS: [&str; 2] = ["budget", "actual"];

impl ImportRole {
    pub const ALL: [ImportRole; 9] = [
        ImportRole::Summary,
        ImportRole::Income,
        ImportRole::Spending,
        ImportRole::FiscalSummary,
        ImportRole::GeneralBudgetSpending,
        ImportRole::GeneralBudgetBasicEconomic,
        ImportRole::Sangong,
        ImportRole::GovernmentFund,
        ImportRole::StateCapital,
    ];

    /// The key written in `[import]`.
    pub fn key(self) -> &'static str {
        match self {
            ImportRole::Summary => "summary",
            ImportRole::Income => "income",
            ImportRole::Spending => "spending",
            ImportRole::FiscalSummary => "fiscal_summary",
            ImportRole::GeneralBudgetSpending => "general_budget_spending",
            ImportRole::GeneralBudgetBasicEconomic => "general_budget_basic_economic",
            ImportRole::Sangong => "sangong",
            ImportRole::GovernmentFund => "government_fund",
            ImportRole::StateCapital => "state_capital",
        }
    }

    /// The kind of table the role is, in the official words.
    pub fn label(self) -> &'static str {
        match self {
            ImportRole::Summary => "收入支出决算总表",
            ImportRole::Income => "收入决算表",
            ImportRole::Spending => "支出决算表",
            ImportRole::FiscalSummary => "财政拨款收入支出决算总表",
            ImportRole::GeneralBudgetSpending => "一般公共预算财政拨款支出决算表",
            ImportRole::GeneralBudgetBasicEconomic => "一般公共预算财政拨款基本支出决算表",
            ImportRole::Sangong => "“三公”经费支出决算表",
            ImportRole::GovernmentFund => "政府性基金预算财政拨款收入支出决算表",
            ImportRole::StateCapital => "国有资本经营预算财政拨款支出决算表",
        }
    }

    /// A set the importer reads must give this role a table; the two fund tables may be absent
    /// from a set (and from a workbook), which then means no such funds.
    pub fn required(self) -> bool {
        !matches!(self, ImportRole::GovernmentFund | ImportRole::StateCapital)
    }

    /// Column ids the role's table must have, and ones it may lack (the importer then takes
    /// zero: Shanghai's 国有资本经营 table prints spending only). The sangong role's are in
    /// [`SANGONG_ITEMS`] / [`SANGONG_SCENARIOS`] by its orientation.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            ImportRole::Summary
            | ImportRole::FiscalSummary
            | ImportRole::GeneralBudgetBasicEconomic => (&["amount"], &[]),
            ImportRole::Income => (
                &[
                    "fiscal",
                    "superior_subsidy",
                    "business",
                    "operation",
                    "affiliate",
                    "other",
                ],
                &[],
            ),
            ImportRole::Spending => (
                &[
                    "basic",
                    "project",
                    "to_superior",
                    "operation",
                    "to_affiliates",
                ],
                &[],
            ),
            ImportRole::GeneralBudgetSpending => (&["basic", "project"], &[]),
            ImportRole::GovernmentFund | ImportRole::StateCapital => {
                (&["basic", "project"], &["carryover_begin", "income"])
            }
            ImportRole::Sangong => (&[], &[]),
        }
    }

    /// Fixed-row ids the role's table must have.
    pub fn rows(self) -> &'static [&'static str] {
        match self {
            ImportRole::Summary => &[
                "carryover_begin",
                "used_non_fiscal_balance",
                "surplus_distribution",
            ],
            ImportRole::FiscalSummary => &["carryover_begin"],
            _ => &[],
        }
    }

    /// The classification tree the role's table lists its figures by.
    pub fn tree(self) -> Option<TreeKind> {
        match self {
            ImportRole::Income
            | ImportRole::Spending
            | ImportRole::GeneralBudgetSpending
            | ImportRole::GovernmentFund
            | ImportRole::StateCapital => Some(TreeKind::Function),
            ImportRole::GeneralBudgetBasicEconomic => Some(TreeKind::Economic),
            _ => None,
        }
    }
}

/// How the sangong table lays out its items: as rows (the national 公开07表: rows 因公出国（境）费 …,
/// columns 预算数, 决算数) or as columns (Shanghai's 公开09表: rows 预算数, 决算数).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SangongItems {
    #[default]
    Rows,
    Columns,
}

/// The `[import]` section: each role's table id (roles not declared are absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRoles {
    pub tables: BTreeMap<ImportRole, String>,
    pub sangong_items: SangongItems,
}

impl ImportRoles {
    /// The id of the table playing `role`, if the set declares one.
    pub fn table(&self, role: ImportRole) -> Option<&str> {
        self.tables.get(&role).map(String::as_str)
    }

    /// The role of the table `id`, if it plays one.
    pub fn role_of(&self, id: &str) -> Option<ImportRole> {
        self.tables.iter().find(|(_, t)| *t == id).map(|(r, _)| *r)
    }

    /// The required roles the set does not declare.
    pub fn missing(&self) -> Vec<ImportRole> {
        ImportRole::ALL
            .into_iter()
            .filter(|r| r.required() && !self.tables.contains_key(r))
            .collect()
    }

    /// The (row, column) of one “三公” item's budget or actual cell.
    pub fn sangong_cell<'a>(&self, item: &'a str, scenario: &'a str) -> (&'a str, &'a str) {
        match self.sangong_items {
            SangongItems::Rows => (item, scenario),
            SangongItems::Columns => (scenario, item),
        }
    }
}

/// The `[import]` section as written: role key → table id, or `{ table = "…", items = "…" }`.
pub(crate) type RawImport = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// Resolve and check the `[import]` section against the set's tables: known role keys, one
/// table each that exists and has the ids the role reads. Errors name the file, line and role.
pub(crate) fn resolve(
    raw: &RawImport,
    tables: &[TableSpec],
    text: &str,
    origin: &str,
) -> Result<ImportRoles, String> {
    let mut roles = ImportRoles::default();
    for (key, value) in raw {
        let at = |span: std::ops::Range<usize>| {
            let l = location_of(text, span.start);
            format!("{origin}:{}:{}: [import] ", l.line, l.column)
        };
        let here = at(key.span());
        let Some(role) = ImportRole::ALL
            .into_iter()
            .find(|r| r.key() == key.get_ref())
        else {
            return Err(format!(
                "{here}未知的导入角色“{}”；可用的角色：{}",
                key.get_ref(),
                ImportRole::ALL.map(ImportRole::key).join("、")
            ));
        };
        let (id, items) = role_value(role, value.get_ref()).map_err(|e| format!("{here}{e}"))?;
        let Some(spec) = tables.iter().find(|t| t.id == id) else {
            return Err(format!(
                "{here}角色“{}”（{}）指向的表“{id}”不在本模板中",
                role.key(),
                role.label()
            ));
        };
        if role == ImportRole::Sangong {
            roles.sangong_items = items;
        }
        check_spec(role, spec, items).map_err(|e| {
            format!(
                "{here}角色“{}”（{}）的表“{id}”（{}）{e}",
                role.key(),
                role.label(),
                spec.title
            )
        })?;
        if let Some(other) = roles.role_of(&id) {
            return Err(format!(
                "{here}表“{id}”已是角色“{}”的表，一张表只能担任一个角色",
                other.key()
            ));
        }
        roles.tables.insert(role, id);
    }
    Ok(roles)
}

/// A role's value: the table id, or an inline table with `table` (and, for sangong, `items`).
fn role_value(role: ImportRole, value: &toml::Value) -> Result<(String, SangongItems), String> {
    let shape = "应写表 id（如 \"t2\"），或 { table = \"…\", items = \"rows\" | \"columns\" }（items 只用于 sangong）";
    match value {
        toml::Value::String(id) => Ok((id.clone(), SangongItems::Rows)),
        toml::Value::Table(t) => {
            let Some(toml::Value::String(id)) = t.get("table") else {
                return Err(format!("角色“{}”缺少 table；{shape}", role.key()));
            };
            if let Some(k) = t.keys().find(|k| !["table", "items"].contains(&k.as_str())) {
                return Err(format!("角色“{}”有未知字段“{k}”；{shape}", role.key()));
            }
            let items = match t.get("items") {
                None => SangongItems::Rows,
                Some(_) if role != ImportRole::Sangong => {
                    return Err(format!("角色“{}”不能写 items；{shape}", role.key()))
                }
                Some(toml::Value::String(s)) if s == "rows" => SangongItems::Rows,
                Some(toml::Value::String(s)) if s == "columns" => SangongItems::Columns,
                Some(v) => return Err(format!("items 的值“{v}”不对；{shape}")),
            };
            Ok((id.clone(), items))
        }
        v => Err(format!("角色“{}”的值“{v}”不对；{shape}", role.key())),
    }
}

/// The table has every column and row id the role reads, and its tree where the role lists
/// figures by classification.
fn check_spec(role: ImportRole, spec: &TableSpec, items: SangongItems) -> Result<(), String> {
    let sides: Vec<_> = crate::template_match::sides(spec);
    let column_ids: Vec<&str> = sides
        .iter()
        .flat_map(|s| s.columns.iter().map(|c| c.id.as_str()))
        .collect();
    let row_ids: Vec<&str> = sides
        .iter()
        .flat_map(|s| s.rows.iter().filter_map(|r| r.id.as_deref()))
        .collect();
    let (columns, rows): (Vec<&str>, Vec<&str>) = match (role, items) {
        (ImportRole::Sangong, SangongItems::Rows) => {
            (SANGONG_SCENARIOS.into(), SANGONG_ITEMS.into())
        }
        (ImportRole::Sangong, SangongItems::Columns) => {
            (SANGONG_ITEMS.into(), SANGONG_SCENARIOS.into())
        }
        _ => (role.columns().0.into(), role.rows().into()),
    };
    if let Some(c) = columns.iter().find(|c| !column_ids.contains(c)) {
        return Err(format!("没有导入要读的列“{c}”"));
    }
    if let Some(r) = rows.iter().find(|r| !row_ids.contains(r)) {
        return Err(format!("没有导入要读的行“{r}”"));
    }
    if let Some(kind) = role.tree() {
        if !sides
            .iter()
            .any(|s| s.tree().is_some_and(|(k, _)| k == kind))
        {
            let what = match kind {
                TreeKind::Function => "支出功能分类",
                TreeKind::Economic => "支出经济分类",
            };
            return Err(format!(
                "不按{what}科目列示（没有 tree = \"{}\" 的行）",
                match kind {
                    TreeKind::Function => "function",
                    TreeKind::Economic => "economic",
                }
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableSet;

    const NATIONAL: &str = include_str!("../../../data/tables/national-2021.toml");
    const SHANGHAI: &str = include_str!("../../../data/tables/shanghai-2024.toml");

    #[test]
    fn shipped_sets_declare_every_required_role() {
        let n = TableSet::from_toml(NATIONAL, "national").unwrap();
        assert_eq!(n.import.missing(), Vec::new());
        assert_eq!(n.import.table(ImportRole::Sangong), Some("t7"));
        assert_eq!(
            n.import.sangong_cell("abroad", "budget"),
            ("abroad", "budget")
        );
        let s = TableSet::from_toml(SHANGHAI, "shanghai").unwrap();
        assert_eq!(s.import.missing(), Vec::new());
        assert_eq!(
            s.import.table(ImportRole::GeneralBudgetBasicEconomic),
            Some("h06")
        );
        assert_eq!(s.import.role_of("h08"), Some(ImportRole::StateCapital));
        assert_eq!(
            s.import.sangong_cell("abroad", "budget"),
            ("budget", "abroad")
        );
    }

    /// The national set with its `[import]` line `from` replaced by `to`.
    fn with(from: &str, to: &str) -> Result<TableSet, String> {
        assert!(NATIONAL.contains(from), "{from}");
        TableSet::from_toml(&NATIONAL.replacen(from, to, 1), "t.toml")
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).unwrap()].matches('\n').count() + 1
    }

    #[test]
    fn bad_roles_are_refused_with_file_line_and_role() {
        let line = line_of(NATIONAL, "income = \"t2\"");
        let e = with("income = \"t2\"", "incomes = \"t2\"").unwrap_err();
        assert!(
            e.starts_with(&format!(
                "t.toml:{line}:1: [import] 未知的导入角色“incomes”"
            )),
            "{e}"
        );
        let e = with("income = \"t2\"", "income = \"t99\"").unwrap_err();
        assert!(
            e.contains(&format!("t.toml:{line}:1:")) && e.contains("“t99”不在本模板中"),
            "{e}"
        );
        // The summary table has no 财政拨款收入 column.
        let e = with("income = \"t2\"", "income = \"t1\"").unwrap_err();
        assert!(e.contains("没有导入要读的列“fiscal”"), "{e}");
        let e = with("summary = \"t1\"", "summary = \"t4\"").unwrap_err();
        assert!(
            e.contains("没有导入要读的行“used_non_fiscal_balance”"),
            "{e}"
        );
        // The national 三公 table lists its items as rows.
        let e = with(
            "sangong = \"t7\"",
            "sangong = { table = \"t7\", items = \"columns\" }",
        )
        .unwrap_err();
        assert!(e.contains("没有导入要读的列“abroad”"), "{e}");
        let e = with(
            "spending = \"t3\"",
            "spending = { table = \"t3\", items = \"rows\" }",
        )
        .unwrap_err();
        assert!(e.contains("不能写 items"), "{e}");
        let e = with("spending = \"t3\"", "spending = 3").unwrap_err();
        assert!(e.contains("应写表 id"), "{e}");
        let e = with("state_capital = \"t9\"", "state_capital = \"t8\"").unwrap_err();
        assert!(e.contains("一张表只能担任一个角色"), "{e}");
        // The economic role needs an economic tree; the function tree of t4 is not one.
        let e = with(
            "general_budget_basic_economic = \"t6\"",
            "general_budget_basic_economic = \"t4\"",
        )
        .unwrap_err();
        assert!(e.contains("不按支出经济分类科目列示"), "{e}");
        let ok = with("state_capital = \"t9\"", "").unwrap();
        assert_eq!(ok.import.missing(), Vec::new());
        let lacking = with("sangong = \"t7\"", "").unwrap();
        assert_eq!(lacking.import.missing(), vec![ImportRole::Sangong]);
    }
}
