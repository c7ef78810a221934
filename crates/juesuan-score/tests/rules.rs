//! Every rule kind at and around its boundaries, on small systems written inline.

use juesuan_score::expr::Value;
use juesuan_score::score::{Input, InputValue, Judged, ListItem, Status};
use juesuan_score::{evaluate, IndicatorSystem, Inputs, Ratio};
use std::collections::BTreeMap;

fn r(s: &str) -> Ratio {
    Ratio::parse(s).unwrap()
}

/// A one-indicator system with `max` points scored by `rule`, and inputs `decls`.
fn system(max: &str, rule: &str, decls: &str) -> IndicatorSystem {
    let text = format!(
        r#"name = "t"
title = "t"
year = 2021
kind = "department"
max = {max}
[grades]
basis = "raw"
bands = [{{ grade = "优", min = 90 }}, {{ grade = "差", min = 0 }}]
[inputs]
{decls}
[[indicator]]
id = "x"
name = "指标"
max = {max}
rule = {rule}
"#
    );
    IndicatorSystem::from_toml(&text, "t.toml", &|_| None).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn inputs(values: &[(&str, &str)]) -> Inputs {
    let mut i = Inputs::default();
    for (k, v) in values {
        let value = match *v {
            "true" => InputValue::Bool(true),
            "false" => InputValue::Bool(false),
            n => InputValue::Num(r(n)),
        };
        i.values.insert(
            k.to_string(),
            Input {
                value,
                source: "test".into(),
            },
        );
    }
    i
}

fn score(s: &IndicatorSystem, i: &Inputs) -> Option<String> {
    let e = evaluate(s, i);
    e.indicators[0].score.map(|x| x.to_fixed(2))
}

#[test]
fn formula_clamps_and_rounds_half_up() {
    let s = system(
        "8",
        r#"{ kind = "formula", expr = "(1 - 10 * a / b) * 8" }"#,
        "a = { label = \"调剂\" }\nb = { label = \"预算\" }",
    );
    // 15 / 571.36: (1 − 150/571.36) × 8 = 5.899748… → 5.90
    assert_eq!(
        score(&s, &inputs(&[("a", "15"), ("b", "571.36")])).unwrap(),
        "5.90"
    );
    // ratio 0.2 → raw −8 → clamped to 0
    assert_eq!(
        score(&s, &inputs(&[("a", "20"), ("b", "100")])).unwrap(),
        "0.00"
    );
    // exact half: raw 0.005 → 0.01
    let half = system(
        "8",
        r#"{ kind = "formula", expr = "a" }"#,
        "a = { label = \"a\" }",
    );
    assert_eq!(score(&half, &inputs(&[("a", "0.005")])).unwrap(), "0.01");
    assert_eq!(score(&half, &inputs(&[("a", "0.0049")])).unwrap(), "0.00");
    assert_eq!(score(&half, &inputs(&[("a", "9")])).unwrap(), "8.00");
}

#[test]
fn zero_denominator_is_stated_not_scored() {
    let s = system(
        "8",
        r#"{ kind = "formula", expr = "a / b * 8" }"#,
        "a = { label = \"a\" }\nb = { label = \"年初部门预算数\" }",
    );
    let e = evaluate(&s, &inputs(&[("a", "1"), ("b", "0")]));
    assert_eq!(e.indicators[0].score, None);
    match &e.indicators[0].status {
        Status::NotScored(why) => assert!(why.contains("除数为零") || why.contains("零"), "{why}"),
        other => panic!("{other:?}"),
    }
    // A missing input names its label.
    let e = evaluate(&s, &inputs(&[("a", "1")]));
    match &e.indicators[0].status {
        Status::NotScored(why) => assert!(why.contains("年初部门预算数"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn cases_take_the_first_that_holds() {
    let rule = r#"{ kind = "cases", cases = [{ when = "a / b > 0.1", expr = "0" }], otherwise = "(1 - 10 * a / b) * 8" }"#;
    let s = system("8", rule, "a = { label = \"a\" }\nb = { label = \"b\" }");
    // exactly 0.1 is not > 0.1: formula gives 0 as well, 0.1001 → case → 0, 0.05 → 4
    assert_eq!(
        score(&s, &inputs(&[("a", "10"), ("b", "100")])).unwrap(),
        "0.00"
    );
    assert_eq!(
        score(&s, &inputs(&[("a", "10.01"), ("b", "100")])).unwrap(),
        "0.00"
    );
    assert_eq!(
        score(&s, &inputs(&[("a", "5"), ("b", "100")])).unwrap(),
        "4.00"
    );
    let e = evaluate(&s, &inputs(&[("a", "10.01"), ("b", "100")]));
    assert!(e.indicators[0]
        .steps
        .iter()
        .any(|st| st.label.contains("情形1成立")));
}

#[test]
fn bands_respect_inclusive_and_exclusive_edges() {
    let rule = r#"{ kind = "bands", value = "d", bands = [
        { from = "0", include_from = true, to = "0.1", include_to = true, points = 6 },
        { from = "0.1", include_from = false, to = "0.2", include_to = true, points = 3 },
        { from = "0.2", include_from = false, points = 0 } ] }"#;
    let s = system("6", rule, "d = { label = \"偏差度\" }");
    for (d, want) in [
        ("0", "6.00"),
        ("0.1", "6.00"),
        ("0.1000001", "3.00"),
        ("0.2", "3.00"),
        ("0.2000001", "0.00"),
        ("5", "0.00"),
    ] {
        assert_eq!(score(&s, &inputs(&[("d", d)])).unwrap(), want, "d = {d}");
    }
    // Below every band: not scored, with the value named.
    let e = evaluate(&s, &inputs(&[("d", "-1")]));
    assert!(matches!(&e.indicators[0].status, Status::NotScored(w) if w.contains("-1")));
}

#[test]
fn checkpoints_pro_rata_and_capped() {
    let rule = r#"{ kind = "checkpoints", checkpoints = [
        { label = "6月", actual = "m6", target = "40%", points = 2 },
        { label = "9月", actual = "m9", target = "67.5%", points = 2 },
        { label = "11月", actual = "m11", target = "82.5%", points = 2 } ] }"#;
    let s = system(
        "6",
        rule,
        "m6 = { label = \"6月\" }\nm9 = { label = \"9月\" }\nm11 = { label = \"11月\" }",
    );
    assert_eq!(
        score(
            &s,
            &inputs(&[("m6", "0.4"), ("m9", "0.675"), ("m11", "0.825")])
        )
        .unwrap(),
        "6.00"
    );
    assert_eq!(
        score(&s, &inputs(&[("m6", "0.9"), ("m9", "1"), ("m11", "1")])).unwrap(),
        "6.00"
    );
    // 20% of 40% → 1 point; 9 and 11 on target → 5
    assert_eq!(
        score(
            &s,
            &inputs(&[("m6", "0.2"), ("m9", "0.675"), ("m11", "0.825")])
        )
        .unwrap(),
        "5.00"
    );
    // 0.6 / 0.675 × 2 = 1.777… → total 1.7777+2+2 = 5.78
    assert_eq!(
        score(
            &s,
            &inputs(&[("m6", "0.4"), ("m9", "0.6"), ("m11", "0.825")])
        )
        .unwrap(),
        "5.78"
    );
}

fn list_inputs(items: &[(&str, &str)]) -> Inputs {
    let mut i = Inputs::default();
    let list = items
        .iter()
        .map(|(t, a)| ListItem {
            label: format!("目标{t}"),
            fields: BTreeMap::from([
                ("target".to_string(), Value::Num(r(t))),
                ("actual".to_string(), Value::Num(r(a))),
            ]),
        })
        .collect();
    i.values.insert(
        "q".into(),
        Input {
            value: InputValue::List(list),
            source: "test".into(),
        },
    );
    i
}

#[test]
fn count_pass_within_target_and_130_percent() {
    let rule = r#"{ kind = "count_pass", items = "q", pass = "item.actual >= item.target and item.actual <= item.target * 1.3" }"#;
    let s = system(
        "8",
        rule,
        "q = { label = \"数量指标\", kind = \"list\", fields = [\"target\", \"actual\"] }",
    );
    // at target, at exactly 130% (passes), just above 130%, below target
    let i = list_inputs(&[
        ("100", "100"),
        ("100", "130"),
        ("100", "130.01"),
        ("25", "22"),
    ]);
    assert_eq!(score(&s, &i).unwrap(), "4.00");
    assert_eq!(score(&s, &list_inputs(&[("3", "3")])).unwrap(), "8.00");
    // 1 of 3 → 8/3 = 2.666… → 2.67
    assert_eq!(
        score(
            &s,
            &list_inputs(&[("3", "3"), ("6", "4"), ("2000", "2800")])
        )
        .unwrap(),
        "2.67"
    );
    // An empty list cannot give a share.
    let e = evaluate(&s, &list_inputs(&[]));
    assert!(matches!(e.indicators[0].status, Status::NotScored(_)));
}

#[test]
fn deduct_per_item_until_nothing_is_left() {
    let s = system(
        "8",
        r#"{ kind = "deduct_per_item", count = "n", per_item = "0.5" }"#,
        "n = { label = \"问题个数\" }",
    );
    assert_eq!(score(&s, &inputs(&[("n", "0")])).unwrap(), "8.00");
    assert_eq!(score(&s, &inputs(&[("n", "3")])).unwrap(), "6.50");
    assert_eq!(score(&s, &inputs(&[("n", "16")])).unwrap(), "0.00");
    assert_eq!(score(&s, &inputs(&[("n", "40")])).unwrap(), "0.00");
}

#[test]
fn binary_is_all_or_nothing() {
    let s = system(
        "2",
        r#"{ kind = "binary", condition = "p" }"#,
        "p = { label = \"是否公开\", kind = \"bool\" }",
    );
    assert_eq!(score(&s, &inputs(&[("p", "true")])).unwrap(), "2.00");
    assert_eq!(score(&s, &inputs(&[("p", "false")])).unwrap(), "0.00");
    // A number where a condition is expected is a type error, not a score.
    let e = evaluate(&s, &inputs(&[("p", "1")]));
    assert!(matches!(e.indicators[0].status, Status::NotScored(_)));
}

#[test]
fn judgement_always_needs_a_justification() {
    let s = system(
        "8",
        r#"{ kind = "judgement", items = [{ name = "要素完整", max = 4 }, { name = "细化量化", max = 4 }] }"#,
        "",
    );
    let mut i = Inputs::default();
    i.judged.insert(
        "x".into(),
        Judged {
            points: vec![r("4"), r("3.5")],
            justification: String::new(),
            source: "test".into(),
        },
    );
    let e = evaluate(&s, &i);
    assert_eq!(e.indicators[0].score.unwrap().to_fixed(2), "7.50");
    assert_eq!(e.indicators[0].problems.len(), 1);
    assert!(e.indicators[0].problems[0].contains("扣分理由"));
    // Points above an item's maximum are capped at it; full points still need grounds.
    i.judged.get_mut("x").unwrap().points = vec![r("9"), r("4")];
    let e = evaluate(&s, &i);
    assert_eq!(e.indicators[0].score.unwrap().to_fixed(2), "8.00");
    assert_eq!(e.indicators[0].problems.len(), 1);
    i.judged.get_mut("x").unwrap().justification = "两项要素齐全".into();
    assert!(evaluate(&s, &i).indicators[0].problems.is_empty());
    // No judgement given: not scored.
    let e = evaluate(&s, &Inputs::default());
    assert!(matches!(e.indicators[0].status, Status::NotScored(_)));
}

#[test]
fn reviewer_only_lowers_the_self_maximum() {
    let text = r#"name = "t"
title = "t"
year = 2021
kind = "department"
max = 100
[grades]
basis = "share_of_self_max"
bands = [{ grade = "优", min = 90 }, { grade = "良", min = 80 }, { grade = "差", min = 0 }]
[inputs]
a = { label = "a" }
[[indicator]]
id = "scored"
name = "自评"
max = 90
rule = { kind = "formula", expr = "a" }
[[indicator]]
id = "reviewed"
name = "自评准确"
max = 10
rule = { kind = "reviewer_only" }
"#;
    let s = IndicatorSystem::from_toml(text, "t.toml", &|_| None).unwrap();
    assert_eq!(s.self_max(), r("90"));
    let e = evaluate(&s, &inputs(&[("a", "81")]));
    assert_eq!(e.total, r("81"));
    assert_eq!(e.indicators[1].status, Status::ReviewerOnly);
    // 81 / 90 = 90% → 优 on the share basis (it would be 良 on the raw score).
    assert_eq!(e.grade, "优");
}

#[test]
fn imported_scores_are_taken_as_given() {
    let s = system(
        "20",
        r#"{ kind = "imported", input = "s" }"#,
        "s = { label = \"专项自评得分\" }",
    );
    assert_eq!(score(&s, &inputs(&[("s", "18")])).unwrap(), "18.00");
    assert_eq!(score(&s, &inputs(&[("s", "25")])).unwrap(), "20.00");
}

#[test]
fn claims_the_inputs_do_not_support_are_reported() {
    let s = system(
        "8",
        r#"{ kind = "formula", expr = "(1 - 10 * a / b) * 8" }"#,
        "a = { label = \"a\" }\nb = { label = \"b\" }",
    );
    let mut i = inputs(&[("a", "15"), ("b", "571.36")]);
    i.claimed
        .insert("x".into(), (r("8"), "input.toml:9".into()));
    i.claimed
        .insert("total".into(), (r("8"), "input.toml:8".into()));
    let e = evaluate(&s, &i);
    assert_eq!(e.discrepancies.len(), 2, "{:?}", e.discrepancies);
    assert_eq!(e.discrepancies[0].computed, Some(r("5.9")));
    assert_eq!(e.discrepancies[0].claimed, r("8"));
    // A claim that matches is not reported.
    i.claimed
        .insert("x".into(), (r("5.90"), "input.toml:9".into()));
    i.claimed
        .insert("total".into(), (r("5.9"), "input.toml:8".into()));
    assert!(evaluate(&s, &i).discrepancies.is_empty());
}
