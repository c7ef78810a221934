//! The national budget set (部门预算公开): its template and rule files load, and every cell a
//! rule names is a table, row and column of the template, so a rule can only miss a cell
//! because a published table did not print it.

use juesuan_check::RuleSet;
use juesuan_core::expr::Expr;
use juesuan_core::tables::{TableSet, TableSpec};
use juesuan_core::template_match::sides;
use juesuan_data::Library;

fn has_cell(spec: &TableSpec, row: &str, col: &str) -> bool {
    sides(spec).iter().any(|side| {
        let row_ok = side.rows.iter().any(|r| r.id.as_deref() == Some(row))
            || (row.chars().all(|c| c.is_ascii_digit()) && side.tree().is_some())
            || row == "ROW";
        row_ok && side.columns.iter().any(|c| c.id == col)
    })
}

fn unknown_cells(set: &TableSet, rules: &RuleSet) -> Vec<String> {
    let mut bad = Vec::new();
    for rule in &rules.rules {
        let current = rule.each_row.as_deref();
        let sources = [&rule.stated, &rule.expected, &rule.when];
        for src in sources.into_iter().flatten() {
            for name in Expr::parse(src).unwrap().names() {
                let parts: Vec<&str> = name.split('.').collect();
                let ok = match (parts.as_slice(), current) {
                    (["row", col], Some(t)) => set.get(t).is_some_and(|s| has_cell(s, "ROW", col)),
                    ([t, row, col], _) => set.get(t).is_some_and(|s| has_cell(s, row, col)),
                    _ => false,
                };
                if !ok {
                    bad.push(format!("{}: {name}", rule.id));
                }
            }
        }
        let tables = rule
            .hierarchy
            .iter()
            .chain(&rule.empty_note)
            .chain(rule.each_row.iter());
        for t in tables {
            if set.get(t).is_none() {
                bad.push(format!("{}: {t}", rule.id));
            }
        }
        if let Some(t) = &rule.hierarchy {
            for col in &rule.columns {
                if !set.get(t).is_some_and(|s| has_cell(s, "101", col)) {
                    bad.push(format!("{}: {t}.{col}", rule.id));
                }
            }
        }
    }
    bad
}

#[test]
fn the_budget_rules_name_only_cells_of_the_budget_template() {
    let lib = Library::embedded();
    let set = lib.table_set("national-budget", 2021).unwrap();
    assert_eq!(set.tables.len(), 12);
    let (origin, text) = lib.find("rules", "national-budget", "toml", 2021).unwrap();
    let rules = RuleSet::from_toml(text, origin).unwrap();
    assert!(rules.rules.len() >= 20);
    assert_eq!(unknown_cells(&set, &rules), Vec::<String>::new());
    // The check can fail: a rule naming a column the template lacks is found.
    let broken = text.replace("b6.total.personnel", "b6.total.salary");
    let rules = RuleSet::from_toml(&broken, origin).unwrap();
    assert_eq!(unknown_cells(&set, &rules), ["B6-02: b6.total.salary"]);
}

#[test]
fn the_decision_tables_rules_name_only_cells_of_their_template_too() {
    let lib = Library::embedded();
    let set = lib.table_set("national", 2021).unwrap();
    let (origin, text) = lib.find("rules", "national", "toml", 2021).unwrap();
    let rules = RuleSet::from_toml(text, origin).unwrap();
    assert_eq!(unknown_cells(&set, &rules), Vec::<String>::new());
}
