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
