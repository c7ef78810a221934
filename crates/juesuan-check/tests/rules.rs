//! Every rule of the shipped rule set, passing on the example's tables and failing when one
//! of the cells it reads is off by 1 分 — one test per rule.

use juesuan_check::{run, Outcome, RuleSet};
use juesuan_core::input::parse_input;
use juesuan_core::tables::{derive_tables, Table};
use juesuan_core::Amount;
use juesuan_data::Library;
use juesuan_score::expr::Expr;

const RULES: &str = include_str!("../../../data/rules/national-2021.toml");
const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

fn rules() -> RuleSet {
    RuleSet::from_toml(RULES, "national-2021.toml").unwrap()
}

fn tables() -> Vec<Table> {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let uy = parse_input(EXAMPLE, "input.toml", &cats).unwrap();
    derive_tables(&lib.table_set("national", 2021).unwrap(), &uy, &cats)
}

/// Move one cell the rule reads by `delta` 分; returns the cell changed.
fn nudge(tables: &mut [Table], name: &str, delta: i64) -> bool {
    let mut parts = name.splitn(3, '.');
    let (Some(t), Some(row), Some(col)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Some(table) = tables.iter_mut().find(|x| x.id == t) else {
        return false;
    };
    let Some(a) = table.get(row, col) else {
        return false;
    };
    table.set(row, col, Amount(a.fen() + delta))
}

/// The cells a rule reads, stated side first, with `row.`/`ROW` resolved to the first row the
/// rule visits; for hierarchy rules, the first 类 row of the first column.
fn cells(set: &RuleSet, id: &str, tables: &[Table]) -> (Vec<String>, Vec<String>) {
    let rule = set.rules.iter().find(|r| r.id == id).unwrap();
    if let Some(t) = &rule.hierarchy {
        let table = tables.iter().find(|x| &x.id == t).unwrap();
        let class = table
            .row_keys()
            .into_iter()
            .find(|k| k.len() == 3 && k.chars().all(|c| c.is_ascii_digit()))
            .expect("a 类 row");
        return (vec![format!("{t}.{class}.{}", rule.columns[0])], Vec::new());
    }
    let row = rule.each_row.as_ref().map(|t| {
        let table = tables.iter().find(|x| &x.id == t).unwrap();
        let key = table
            .row_keys()
            .into_iter()
            .find(|k| match rule.rows {
                juesuan_check::RowSelection::All => true,
                _ => k.chars().all(|c| c.is_ascii_digit()),
            })
            .unwrap();
        (t.clone(), key)
    });
    let resolve = |src: &str| -> Vec<String> {
        let src = match &row {
            Some((_, key)) => src.replace("ROW", key),
            None => src.to_string(),
        };
        Expr::parse(&src)
            .unwrap()
            .names()
            .into_iter()
            .map(|n| match (n.strip_prefix("row."), &row) {
                (Some(col), Some((t, key))) => format!("{t}.{key}.{col}"),
                _ => n,
            })
            .collect()
    };
    (
        resolve(rule.stated.as_deref().unwrap()),
        resolve(rule.expected.as_deref().unwrap()),
    )
}

fn passes_and_fails(id: &str) {
    let set = rules();
    let clean = tables();
    let results = run(&set, &clean);
    let r = results.iter().find(|r| r.rule == id).expect("rule exists");
    assert!(
        matches!(r.outcome, Outcome::Pass | Outcome::NotApplicable),
        "{id} on the example: {r:?}"
    );
    assert!(r.findings.is_empty());

    // Off by 1 分 on the stated side (+) or, when that cell is not in the tables, on the
    // expected side (−): the rule must fail with stated, expected and the difference.
    let (stated, expected) = cells(&set, id, &clean);
    let mut broken = clean.clone();
    let moved = stated.iter().any(|c| nudge(&mut broken, c, 1))
        || expected.iter().any(|c| nudge(&mut broken, c, -1));
    assert!(
        moved,
        "{id}: no cell to corrupt among {stated:?} {expected:?}"
    );
    let results = run(&set, &broken);
    let r = results.iter().find(|r| r.rule == id).unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Fail,
        "{id} did not catch a 1分 change: {r:?}"
    );
    let f = &r.findings[0];
    assert!(!f.location.is_empty() && !f.message.is_empty());
    assert_ne!(f.stated, "", "{id}");
    // 1 分 is 0.0001 万元: the printed difference rounds to 0.00 or −0.00, the comparison is exact
    assert!(
        f.difference == "0.00" || f.difference == "-0.00" || f.difference.ends_with("0.01"),
        "{id}: {f:?}"
    );
}

macro_rules! rule_tests {
    ($($name:ident => $id:literal),* $(,)?) => {
        $(#[test] fn $name() { passes_and_fails($id); })*

        #[test]
        fn every_rule_has_a_test() {
            let tested = [$($id,)* "R-01", "R-02", "N-01"];
            for r in &rules().rules {
                assert!(tested.contains(&r.id.as_str()), "rule {} has no test", r.id);
            }
        }
    };
}

rule_tests! {
    t1_01 => "T1-01", t1_02 => "T1-02", t1_03 => "T1-03", t1_04 => "T1-04", t1_05 => "T1-05",
    t1_06 => "T1-06", t1_07 => "T1-07", t1_08 => "T1-08",
    t2_01 => "T2-01", t2_02 => "T2-02",
    t3_01 => "T3-01", t3_02 => "T3-02",
    t4_01 => "T4-01", t4_02 => "T4-02", t4_03 => "T4-03", t4_04 => "T4-04", t4_05 => "T4-05",
    t4_06 => "T4-06", t4_07 => "T4-07", t4_08 => "T4-08", t4_09 => "T4-09",
    t5_01 => "T5-01", t5_02 => "T5-02", t5_03 => "T5-03",
    t6_01 => "T6-01", t6_02 => "T6-02", t6_03 => "T6-03",
    t7_01 => "T7-01", t7_02 => "T7-02", t7_03 => "T7-03", t7_04 => "T7-04", t7_05 => "T7-05",
    t7_06 => "T7-06", t7_07 => "T7-07", t7_08 => "T7-08",
    t8_01 => "T8-01", t8_02 => "T8-02", t9_01 => "T9-01", t9_02 => "T9-02",
}

#[test]
fn a_bad_rule_file_is_located() {
    let bad = RULES.replacen(
        "expected = \"t1.grand_total_out.amount\"",
        "expected = \"t1.grand_total_out.amount +\"",
        1,
    );
    let errors = RuleSet::from_toml(&bad, "r.toml").unwrap_err();
    assert!(errors[0].to_string().starts_with("r.toml:"), "{:?}", errors);
    assert!(errors[0].message.contains("T1-03"));
    let dup = format!("{RULES}\n[[rule]]\nid = \"T1-01\"\nseverity = \"error\"\nmessage = \"x\"\nstated = \"1\"\nexpected = \"1\"\n");
    assert!(RuleSet::from_toml(&dup, "r.toml").unwrap_err()[0]
        .message
        .contains("重复"));
}

#[test]
fn a_profile_switches_rules_off_and_regrades_them() {
    let set = rules();
    let p = juesuan_check::Profile::from_toml(
        "[rules]\n\"T1-01\" = \"off\"\n\"T1-02\" = \"warning\"\n",
        "p.toml",
        &set,
    )
    .unwrap();
    let applied = p.apply(&set);
    assert!(!applied.rules.iter().any(|r| r.id == "T1-01"));
    assert_eq!(
        applied
            .rules
            .iter()
            .find(|r| r.id == "T1-02")
            .unwrap()
            .severity,
        juesuan_check::RuleSeverity::Warning
    );
    assert!(
        juesuan_check::Profile::from_toml("[rules]\n\"X-99\" = \"off\"\n", "p.toml", &set).is_err()
    );
}

fn explained(
    kind: juesuan_check::ReasonFor,
    rate: Option<&str>,
    has_reason: bool,
) -> juesuan_check::Explained {
    juesuan_check::Explained {
        place: "测试".into(),
        kind,
        rate: rate.map(|r| juesuan_score::Ratio::parse(r).unwrap()),
        moved: true,
        has_reason,
    }
}

fn outcome(id: &str, e: &[juesuan_check::Explained]) -> Outcome {
    juesuan_check::run_with(&rules(), &tables(), e)
        .into_iter()
        .find(|r| r.rule == id)
        .unwrap()
        .outcome
}

#[test]
fn r_01_a_change_over_the_threshold_needs_a_reason() {
    use juesuan_check::ReasonFor::Change;
    assert_eq!(
        outcome("R-01", &[explained(Change, Some("20"), true)]),
        Outcome::Pass
    );
    assert_eq!(
        outcome("R-01", &[explained(Change, Some("10"), false)]),
        Outcome::Pass
    );
    assert_eq!(
        outcome("R-01", &[explained(Change, Some("10.01"), false)]),
        Outcome::Fail
    );
    // a change from zero always needs its reason
    assert_eq!(
        outcome("R-01", &[explained(Change, None, false)]),
        Outcome::Fail
    );
}

#[test]
fn r_02_a_budget_deviation_over_the_threshold_needs_a_reason() {
    use juesuan_check::ReasonFor::Deviation;
    assert_eq!(
        outcome("R-02", &[explained(Deviation, Some("19.56"), true)]),
        Outcome::Pass
    );
    assert_eq!(
        outcome("R-02", &[explained(Deviation, Some("19.56"), false)]),
        Outcome::Fail
    );
    assert_eq!(
        outcome("R-02", &[explained(Deviation, Some("3.25"), false)]),
        Outcome::Pass
    );
}

#[test]
fn n_01_an_empty_table_needs_its_note() {
    let set = rules();
    let clean = tables();
    let r = juesuan_check::run(&set, &clean);
    assert_eq!(
        r.iter().find(|r| r.rule == "N-01").unwrap().outcome,
        Outcome::Pass
    );
    let mut broken = clean.clone();
    broken.iter_mut().find(|t| t.id == "t8").unwrap().note = None;
    let r = juesuan_check::run(&set, &broken);
    let n = r.iter().find(|r| r.rule == "N-01").unwrap();
    assert_eq!(n.outcome, Outcome::Fail);
    assert!(n.findings[0].location.contains("政府性基金"));
}
