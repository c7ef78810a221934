//! Rules over printed tables (the auditor's): each cell stands for any value within half a
//! unit of its last digit; a rule fails only when no such values satisfy it.

use juesuan_check::{run_stated, Outcome, PrintedCell, RuleSet, StatedGrid};
use juesuan_core::ratio::Ratio;

const RULES: &str = r#"
name = "x"
title = "x"
year = 2021
[[rule]]
id = "A"
severity = "error"
message = "合计 = 基本 + 项目"
stated = "t.total.total"
expected = "t.total.basic + t.total.project"
[[rule]]
id = "H"
severity = "error"
message = "类 = Σ款"
hierarchy = "t"
columns = ["total"]
total_row = "total"
[[rule]]
id = "M"
severity = "error"
message = "缺表"
stated = "u.total.total"
expected = "t.total.total"
"#;

fn cell(s: &str) -> PrintedCell {
    let value = Ratio::parse(s).unwrap();
    let decimals = s.split('.').nth(1).map_or(0, str::len) as i32;
    PrintedCell {
        value,
        half: Ratio::new(5, 10i128.pow((decimals + 1) as u32)).unwrap(),
    }
}

fn grid(total: &str, basic: &str, project: &str, class: &str, section: &str) -> StatedGrid {
    let mut g = StatedGrid {
        id: "t".into(),
        title: "一般公共预算支出表".into(),
        rows: vec!["total".into(), "205".into(), "20502".into()],
        complete: true,
        ..Default::default()
    };
    for (row, col, v) in [
        ("total", "total", total),
        ("total", "basic", basic),
        ("total", "project", project),
        ("205", "total", class),
        ("20502", "total", section),
    ] {
        g.cells.insert((row.into(), col.into()), cell(v));
    }
    g
}

#[test]
fn honest_rounding_passes_and_more_fails_with_the_cell_named() {
    let set = RuleSet::from_toml(RULES, "x").unwrap();
    // 10.01 = 3.33 + 6.67 + 0.01: within the three cells' rounding (0.015).
    let r = run_stated(&set, &[grid("10.01", "3.33", "6.67", "10.01", "10.00")]);
    assert_eq!(r[0].outcome, Outcome::Pass, "{r:?}");
    assert_eq!(r[1].outcome, Outcome::Pass, "{r:?}");
    assert_eq!(r[1].checked, 2);
    // 0.02 off is beyond it.
    let r = run_stated(&set, &[grid("10.02", "3.33", "6.67", "10.05", "10.00")]);
    assert_eq!(r[0].outcome, Outcome::Fail);
    let f = &r[0].findings[0];
    assert_eq!((f.stated.as_str(), f.expected.as_str()), ("10.02", "10.00"));
    assert_eq!(f.cell.as_deref(), Some("t.total.total"));
    assert!(f.location.contains("一般公共预算支出表"), "{}", f.location);
    // The class 10.05 against its 款 10.00 and the total 10.02 against the class.
    assert_eq!(r[1].outcome, Outcome::Fail);
    assert_eq!(r[1].findings.len(), 2, "{:?}", r[1].findings);
    assert_eq!(r[1].findings[0].cell.as_deref(), Some("t.205.total"));
    // Fewer digits widen the interval: 10.0 may be 10.04.
    let r = run_stated(&set, &[grid("10.0", "3.34", "6.70", "10.0", "10.0")]);
    assert_eq!(r[0].outcome, Outcome::Pass, "{r:?}");
}

#[test]
fn sums_over_the_codes_of_a_table_with_rows_not_placed_are_not_evaluated() {
    let set = RuleSet::from_toml(RULES, "x").unwrap();
    let mut g = grid("10.05", "3.33", "6.72", "10.00", "10.00");
    g.complete = false;
    let r = run_stated(&set, &[g]);
    assert_eq!(r[1].outcome, Outcome::InsufficientData, "{r:?}");
    assert!(r[1].note.as_deref().unwrap().contains("t.*"));
}

#[test]
fn a_rule_on_an_absent_table_says_what_it_missed() {
    let set = RuleSet::from_toml(RULES, "x").unwrap();
    let r = run_stated(&set, &[grid("1.00", "1.00", "0.00", "1.00", "1.00")]);
    assert_eq!(r[2].outcome, Outcome::InsufficientData);
    assert!(
        r[2].note.as_deref().unwrap().contains("u.total.total"),
        "{:?}",
        r[2].note
    );
}
