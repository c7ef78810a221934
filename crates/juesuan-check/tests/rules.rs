//! The rule file and profiles: a bad rule is located, a profile switches rules off and
//! re-grades them. (Each rule's own passing and failing case is in tests/rules/<id>.toml,
//! run by tests/rule_cases.rs.)

use juesuan_check::RuleSet;

const RULES: &str = include_str!("../../../data/rules/national-2021.toml");

fn rules() -> RuleSet {
    RuleSet::from_toml(RULES, "national-2021.toml").unwrap()
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

/// Rule files by name, as a library would find them (one year each here).
fn resolver<'a>(
    files: &'a [(&'a str, &'a str)],
) -> impl Fn(&str, i32) -> Option<(String, String)> + 'a {
    move |name, _year| {
        files
            .iter()
            .find(|(origin, _)| origin.starts_with(&format!("{name}-")))
            .map(|(o, t)| (o.to_string(), t.to_string()))
    }
}

const EXTENSION: &str = r#"name = "province"
title = "省"
year = 2021
extends = "national"

[[rule]]
id = "P-01"
severity = "warning"
message = "省里的规则"
stated = "t1.grand_total_in.amount"
expected = "t1.grand_total_out.amount"
"#;

#[test]
fn extends_puts_the_base_rules_first_then_the_files_own() {
    let files = [("national-2021.toml", RULES)];
    let set =
        RuleSet::from_toml_resolving(EXTENSION, "province-2021.toml", &resolver(&files)).unwrap();
    let national = rules();
    assert_eq!(
        (set.name.as_str(), set.title.as_str(), set.year),
        ("province", "省", 2021)
    );
    assert_eq!(set.rules.len(), national.rules.len() + 1);
    assert_eq!(set.rules[..national.rules.len()], national.rules[..]);
    assert_eq!(set.rules.last().unwrap().id, "P-01");
    // The resolver is asked for the base by name and the extending file's year.
    let asked = std::cell::RefCell::new(Vec::new());
    RuleSet::from_toml_resolving(EXTENSION, "province-2021.toml", &|name, year| {
        asked.borrow_mut().push((name.to_string(), year));
        Some(("national-2021.toml".into(), RULES.into()))
    })
    .unwrap();
    assert_eq!(asked.into_inner(), [("national".to_string(), 2021)]);
}

#[test]
fn a_file_with_extends_and_no_rules_of_its_own_is_its_base() {
    let text = "name = \"copy\"\ntitle = \"副本\"\nyear = 2021\nextends = \"national\"\n";
    let files = [("national-2021.toml", RULES)];
    let set = RuleSet::from_toml_resolving(text, "copy-2021.toml", &resolver(&files)).unwrap();
    assert_eq!(set.rules, rules().rules);
}

#[test]
fn an_unknown_base_is_located_at_extends() {
    let errors =
        RuleSet::from_toml_resolving(EXTENSION, "province-2021.toml", &|_, _| None).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = errors[0].to_string();
    assert!(e.starts_with("province-2021.toml:4: 错误[E040]"), "{e}");
    assert!(
        e.contains("extends = \"national\"") && e.contains("不存在"),
        "{e}"
    );
    assert!(e.contains("2021 年或更早"), "{e}");
    // Without a resolver (from_toml) the same file is the same error.
    let plain = RuleSet::from_toml(EXTENSION, "province-2021.toml").unwrap_err();
    assert_eq!(plain, errors);
}

#[test]
fn a_rule_id_of_the_base_is_an_error_naming_both_files() {
    let dup = format!(
        "{EXTENSION}\n[[rule]]\nid = \"T1-03\"\nseverity = \"error\"\nmessage = \"x\"\nstated = \"1\"\nexpected = \"1\"\n"
    );
    let files = [("national-2021.toml", RULES)];
    let errors =
        RuleSet::from_toml_resolving(&dup, "province-2021.toml", &resolver(&files)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = errors[0].to_string();
    // The extension's line, and where the base defines it: a rule's line is its [[rule]]
    // header, the line before its id.
    let header_line = |text: &str| text.lines().position(|l| l == "id = \"T1-03\"").unwrap();
    let (ext_line, base_line) = (header_line(&dup), header_line(RULES));
    assert!(
        e.starts_with(&format!("province-2021.toml:{ext_line}: ")),
        "{e}"
    );
    assert!(e.contains("T1-03") && e.contains("重复"), "{e}");
    assert!(
        e.contains(&format!("national-2021.toml:{base_line}")),
        "{e}"
    );
}

#[test]
fn a_cycle_of_extends_is_an_error() {
    let a = "name = \"a\"\ntitle = \"A\"\nyear = 2021\nextends = \"b\"\n";
    let b = "name = \"b\"\ntitle = \"B\"\nyear = 2021\nextends = \"a\"\n";
    let files = [("a-2021.toml", a), ("b-2021.toml", b)];
    let errors = RuleSet::from_toml_resolving(a, "a-2021.toml", &resolver(&files)).unwrap_err();
    let e = errors[0].to_string();
    assert!(e.starts_with("b-2021.toml:4: "), "{e}");
    assert!(
        e.contains("循环") && e.contains("a-2021.toml → b-2021.toml → a-2021.toml"),
        "{e}"
    );
    // A file extending itself is the shortest cycle.
    let selfish = "name = \"a\"\ntitle = \"A\"\nyear = 2021\nextends = \"a\"\n";
    let files = [("a-2021.toml", selfish)];
    let e = RuleSet::from_toml_resolving(selfish, "a-2021.toml", &resolver(&files)).unwrap_err();
    assert!(e[0].message.contains("a-2021.toml → a-2021.toml"), "{e:?}");
}

#[test]
fn an_error_in_the_base_names_the_base_file() {
    let bad = RULES.replacen(
        "expected = \"t1.grand_total_out.amount\"",
        "expected = \"t1.grand_total_out.amount +\"",
        1,
    );
    let files = [("national-2021.toml", bad.as_str())];
    let errors = RuleSet::from_toml_resolving(EXTENSION, "province-2021.toml", &resolver(&files))
        .unwrap_err();
    assert!(
        errors[0].to_string().starts_with("national-2021.toml:"),
        "{errors:?}"
    );
    assert!(errors[0].message.contains("T1-03"));
}

#[test]
fn total_also_needs_a_hierarchy_with_a_total_row() {
    let text = format!(
        "{RULES}\n[[rule]]\nid = \"X-01\"\nseverity = \"error\"\nmessage = \"x\"\nhierarchy = \"t6\"\ncolumns = [\"amount\"]\ntotal_also = [\"unclassified\"]\n"
    );
    let errors = RuleSet::from_toml(&text, "r.toml").unwrap_err();
    assert!(errors[0].message.contains("total_also"), "{errors:?}");
}
