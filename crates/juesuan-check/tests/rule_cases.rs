//! One case file per rule (tests/rules/<rule id>.toml), like the DATA Act broker's rule tests:
//! each rule passes on the example unit's tables and fails on a stated corruption, with the
//! stated value, expected value, difference and location the file gives.
//!
//! A case file:
//! ```toml
//! rule = "T1-01"
//! [fail]
//! # one corruption: a cell set to an amount (万元), a table's note removed, or the
//! # narrative's figures that may need a reason
//! set = { cell = "t1.income_total.amount", amount = "616.55" }
//! stated = "616.55"        # what the finding reports
//! expected = "616.54"
//! difference = "0.01"
//! location = "公开01表"     # the finding's location contains this
//! ```
//! Every shipped rule must have a file, and every file must name a shipped rule.
//!
//! The Sichuan rule set `extends` the national one: its own rules (S…, N-02) have their case
//! files in tests/rules/sichuan/, run on the example rendered with the Sichuan template.

use juesuan_check::{run_with, Explained, Outcome, ReasonFor, RuleSet};
use juesuan_core::input::parse_input;
use juesuan_core::ratio::Ratio;
use juesuan_core::tables::{derive_tables, Table};
use juesuan_core::{Amount, MoneyUnit};
use juesuan_data::Library;
use serde::Deserialize;
use std::path::Path;

const RULES: &str = include_str!("../../../data/rules/national-2021.toml");
const SICHUAN_RULES: &str = include_str!("../../../data/rules/sichuan-2021.toml");
const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const SHANGHAI_RULES: &str = include_str!("../../../data/rules/shanghai-2024.toml");
const SHANGHAI_DEMO: &str = include_str!("../../../examples/shanghai-demo-2024/input.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    rule: String,
    /// The narrative's figures on the passing side (default: none).
    #[serde(default)]
    pass_explained: Vec<ExplainedIn>,
    fail: Fail,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fail {
    #[serde(default)]
    set: Option<SetCell>,
    /// Remove the official note of this table.
    #[serde(default)]
    clear_note: Option<String>,
    #[serde(default)]
    explained: Vec<ExplainedIn>,
    #[serde(default)]
    stated: Option<String>,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    difference: Option<String>,
    location: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetCell {
    /// table.row.column
    cell: String,
    /// 万元, exact
    amount: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainedIn {
    kind: String,
    /// percent; absent = from zero
    #[serde(default)]
    rate: Option<String>,
    has_reason: bool,
}

impl ExplainedIn {
    fn to_explained(&self) -> Explained {
        Explained {
            place: "案例".into(),
            kind: match self.kind.as_str() {
                "change" => ReasonFor::Change,
                "deviation" => ReasonFor::Deviation,
                k => panic!("unknown kind {k}"),
            },
            rate: self.rate.as_deref().map(|r| Ratio::parse(r).unwrap()),
            moved: true,
            has_reason: self.has_reason,
        }
    }
}

fn example_tables() -> Vec<Table> {
    template_tables("national")
}

/// The example's tables under a table template (the input names its template; the figures
/// are the same).
fn template_tables(template: &str) -> Vec<Table> {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let text = EXAMPLE.replacen(
        "template = \"national\"",
        &format!("template = \"{template}\""),
        1,
    );
    let uy = parse_input(&text, "input.toml", &cats).unwrap();
    assert_eq!(uy.template, template);
    derive_tables(&lib.table_set(template, 2021).unwrap(), &uy, &cats)
}

/// The Sichuan rule set as `juesuan check` loads it (its `extends` resolved in the embedded
/// library), and the national set it extends.
fn sichuan_rules() -> (RuleSet, RuleSet) {
    let lib = Library::embedded();
    let resolve = |name: &str, year: i32| {
        lib.find("rules", name, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    };
    let sichuan = RuleSet::from_toml_resolving(SICHUAN_RULES, "sichuan-2021.toml", &resolve)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let national = RuleSet::from_toml(RULES, "national-2021.toml").unwrap();
    (sichuan, national)
}

fn case_files() -> Vec<(String, Case)> {
    case_files_in("tests/rules")
}

fn case_files_in(sub: &str) -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(sub);
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&p).unwrap();
            let case: Case =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            assert_eq!(
                stem,
                case.rule,
                "{}: file name must be the rule id",
                p.display()
            );
            out.push((stem, case));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn check_case(set: &RuleSet, clean: &[Table], case: &Case) {
    let id = &case.rule;
    let pass: Vec<Explained> = case
        .pass_explained
        .iter()
        .map(|e| e.to_explained())
        .collect();
    let r = run_with(set, clean, &pass)
        .into_iter()
        .find(|r| &r.rule == id)
        .unwrap_or_else(|| panic!("{id}: not in the rule set"));
    assert!(
        matches!(r.outcome, Outcome::Pass) && r.findings.is_empty(),
        "{id} must pass on the example: {r:?}"
    );

    let mut broken = clean.to_vec();
    if let Some(s) = &case.fail.set {
        let mut parts = s.cell.splitn(3, '.');
        let (t, row, col) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let amount = Amount::parse(&s.amount, MoneyUnit::Wan).unwrap();
        let table = broken.iter_mut().find(|x| x.id == t).unwrap();
        assert!(table.set(row, col, amount), "{id}: no cell {}", s.cell);
    }
    if let Some(t) = &case.fail.clear_note {
        broken.iter_mut().find(|x| &x.id == t).unwrap().note = None;
    }
    let explained: Vec<Explained> = case
        .fail
        .explained
        .iter()
        .map(|e| e.to_explained())
        .collect();
    let r = run_with(set, &broken, &explained)
        .into_iter()
        .find(|r| &r.rule == id)
        .unwrap();
    assert_eq!(
        r.outcome,
        Outcome::Fail,
        "{id} did not catch its case: {r:?}"
    );
    let f = &r.findings[0];
    let want = |field: &str, want: &Option<String>, got: &str| {
        if let Some(w) = want {
            assert_eq!(w, got, "{id}: {field} of {f:?}");
        }
    };
    want("stated", &case.fail.stated, &f.stated);
    want("expected", &case.fail.expected, &f.expected);
    want("difference", &case.fail.difference, &f.difference);
    assert!(
        f.location.contains(&case.fail.location),
        "{id}: location {:?} lacks {:?}",
        f.location,
        case.fail.location
    );
}

#[test]
fn every_rule_passes_and_fails_as_its_case_file_says() {
    let set = RuleSet::from_toml(RULES, "national-2021.toml").unwrap();
    let clean = example_tables();
    let cases = case_files();
    for r in &set.rules {
        assert!(
            cases.iter().any(|(id, _)| id == &r.id),
            "rule {} has no case file tests/rules/{}.toml",
            r.id,
            r.id
        );
    }
    for (_, case) in &cases {
        check_case(&set, &clean, case);
    }
}

/// Each rule the Sichuan file adds to the national set has its case in tests/rules/sichuan/,
/// and each case there names one of those rules (a national rule is tested by its own case).
#[test]
fn every_sichuan_rule_passes_and_fails_as_its_case_file_says() {
    let (set, national) = sichuan_rules();
    let own: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| !national.rules.iter().any(|n| n.id == r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert!(own.len() >= 24, "{own:?}");
    let clean = template_tables("sichuan");
    let cases = case_files_in("tests/rules/sichuan");
    for id in &own {
        assert!(
            cases.iter().any(|(c, _)| c == id),
            "Sichuan rule {id} has no case file tests/rules/sichuan/{id}.toml"
        );
    }
    for (id, case) in &cases {
        assert!(
            own.contains(&id.as_str()),
            "tests/rules/sichuan/{id}.toml names no rule of the Sichuan file"
        );
        check_case(&set, &clean, case);
    }
}

/// The Shanghai rule set copies the national rules of the tables it shares (same ids, tested
/// by their national cases); its own rules (H…, N-03) have their cases in
/// tests/rules/shanghai/, run on the made-up Shanghai demo unit's tables.
#[test]
fn every_shanghai_rule_passes_and_fails_as_its_case_file_says() {
    let set = RuleSet::from_toml(SHANGHAI_RULES, "shanghai-2024.toml").unwrap();
    let national = RuleSet::from_toml(RULES, "national-2021.toml").unwrap();
    for shared in set
        .rules
        .iter()
        .filter(|r| national.rules.iter().any(|n| n.id == r.id))
    {
        let n = national.rules.iter().find(|n| n.id == shared.id).unwrap();
        assert_eq!(
            format!("{shared:?}"),
            format!("{n:?}"),
            "{} differs from the national rule",
            shared.id
        );
    }
    let own: Vec<&str> = set
        .rules
        .iter()
        .filter(|r| !national.rules.iter().any(|n| n.id == r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(own.len(), 10, "{own:?}");
    let lib = Library::embedded();
    let (uy, cats) = lib.read_input(SHANGHAI_DEMO, "input.toml").unwrap();
    let clean = derive_tables(&lib.table_set(&uy.template, uy.year).unwrap(), &uy, &cats);
    let cases = case_files_in("tests/rules/shanghai");
    for id in &own {
        assert!(
            cases.iter().any(|(c, _)| c == id),
            "Shanghai rule {id} has no case file tests/rules/shanghai/{id}.toml"
        );
    }
    for (id, case) in &cases {
        assert!(
            own.contains(&id.as_str()),
            "tests/rules/shanghai/{id}.toml names no Shanghai rule"
        );
        check_case(&set, &clean, case);
    }
}

#[test]
fn a_case_that_does_not_break_its_rule_is_noticed() {
    // The harness itself can fail: a "corruption" that changes nothing is not a failing case.
    let set = RuleSet::from_toml(RULES, "national-2021.toml").unwrap();
    let clean = example_tables();
    let (_, mut case) = case_files()
        .into_iter()
        .find(|(id, _)| id == "T1-01")
        .unwrap();
    let s = case.fail.set.as_mut().unwrap();
    let mut parts = s.cell.splitn(3, '.');
    let t = clean
        .iter()
        .find(|x| x.id == parts.next().unwrap())
        .unwrap();
    let a = t.get(parts.next().unwrap(), parts.next().unwrap()).unwrap();
    s.amount = a.exact(MoneyUnit::Wan);
    let result = std::panic::catch_unwind(|| check_case(&set, &clean, &case));
    assert!(result.is_err());
}
