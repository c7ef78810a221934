//! Project self-evaluation with the national rules (财预〔2020〕10号): every operator at and
//! around its boundaries, weight splitting, flags and warnings, located input errors.

use juesuan_score::input::parse_evaluation;
use juesuan_score::project::{evaluate_project, ProjectEvaluation, ProjectRules};
use juesuan_score::score::Status;

const RULES: &str = include_str!("../../../data/project-rules/national-2021.toml");

fn rules() -> ProjectRules {
    ProjectRules::from_toml(RULES, "national-2021.toml").unwrap()
}

/// A project with one indicator per line: (level1, operator, target, actual).
fn project(budget: &str, executed: &str, lines: &[(&str, &str, &str, &str)]) -> String {
    let mut t = format!(
        "[[evaluation.projects]]\nname = \"测试项目\"\nbudget = \"{budget}\"\nexecuted = \"{executed}\"\n"
    );
    for (n, (l1, op, target, actual)) in lines.iter().enumerate() {
        t.push_str(&format!(
            "[[evaluation.projects.indicators]]\nlevel1 = \"{l1}\"\nlevel2 = \"数量指标\"\nname = \"指标{n}\"\noperator = \"{op}\"\n"
        ));
        if !target.is_empty() {
            t.push_str(&format!("target = \"{target}\"\n"));
        }
        if let Some(a) = actual.strip_prefix("achievement=") {
            t.push_str(&format!("achievement = \"{a}\"\n"));
        } else if !actual.is_empty() {
            t.push_str(&format!("actual = \"{actual}\"\n"));
        }
        t.push_str("deviation_reason = \"测试\"\n");
    }
    t
}

fn run(text: &str) -> ProjectEvaluation {
    let ev = parse_evaluation(text, "p.toml").unwrap().unwrap();
    evaluate_project(&rules(), &ev.projects[0], "p.toml")
        .unwrap()
        .0
}

/// Score of the single indicator under 产出指标 (weight 50).
fn one(op: &str, target: &str, actual: &str) -> String {
    let e = run(&project("1", "1", &[("产出指标", op, target, actual)]));
    let leaf = e
        .evaluation
        .indicators
        .iter()
        .find(|i| i.id == "c0i0")
        .unwrap();
    leaf.score
        .map_or_else(|| format!("{:?}", leaf.status), |s| s.to_fixed(2))
}

#[test]
fn positive_indicators() {
    assert_eq!(one("≥", "300", "300"), "50.00");
    assert_eq!(one("≥", "300", "450"), "50.00");
    // DOMAIN §6: 天府科技云 267 of 300 orders → 267/300 × 50 = 44.5
    assert_eq!(one("≥", "300", "267"), "44.50");
    assert_eq!(one(">", "3000", "2415"), "40.25");
    assert_eq!(one("≥", "25", "0"), "0.00");
}

#[test]
fn reverse_indicators_reach_zero_at_exactly_twice_the_target() {
    assert_eq!(one("≤", "10", "10"), "50.00");
    assert_eq!(one("≤", "10", "5"), "50.00");
    assert_eq!(one("≤", "10", "15"), "25.00");
    assert_eq!(one("≤", "10", "19.99"), "0.05");
    assert_eq!(one("≤", "10", "20"), "0.00");
    assert_eq!(one("<", "10", "35"), "0.00");
}

#[test]
fn equal_and_approximate_indicators() {
    assert_eq!(one("=", "100", "100"), "50.00");
    assert_eq!(one("=", "100", "90"), "45.00");
    assert_eq!(one("=", "100", "250"), "0.00");
    // 约/左右: within ±10% of the target is full points; the edge is inclusive.
    assert_eq!(one("左右", "2000", "2200"), "50.00");
    assert_eq!(one("约", "2000", "1800"), "50.00");
    assert_eq!(one("左右", "2000", "2800"), "30.00");
    assert_eq!(one("左右", "6", "4"), "33.33");
}

#[test]
fn qualitative_indicators_take_the_judged_share() {
    assert_eq!(one("定性", "", "achievement=0.9"), "45.00");
    assert_eq!(one("定性", "", "achievement=1"), "50.00");
    // no judged share: not scored, and says what is missing
    let s = one("定性", "", "");
    assert!(s.contains("NotScored") && s.contains("达成程度"), "{s}");
}

#[test]
fn a_zero_target_is_stated_not_divided() {
    let s = one("≥", "0", "5");
    // actual ≥ 0 takes the first branch: full points, no division.
    assert_eq!(s, "50.00");
    // reverse: actual ≥ 2 × 0 → 0, again without dividing by the zero target
    assert_eq!(one("≤", "0", "5"), "0.00");
}

#[test]
fn weights_split_exactly_and_execution_rate_scores_ten() {
    let e = run(&project(
        "48",
        "39.9",
        &[
            ("产出指标", "≥", "17", "0"),
            ("产出指标", "≥", "3", "3"),
            ("产出指标", "≥", "12", "12"),
            ("效益指标", "定性", "", "achievement=1"),
            ("满意度指标", "≥", "90%", "90%"),
        ],
    ));
    let ev = &e.evaluation;
    let get = |id: &str| ev.indicators.iter().find(|i| i.id == id).unwrap();
    // 39.9 / 48 × 10 = 8.3125 → 8.31
    assert_eq!(get("execution").score.unwrap().to_fixed(2), "8.31");
    // 50 split in three whole hundredths: 16.67, 16.67, 16.66 (adding up to 50 exactly);
    // the first scores 0, the others full
    assert_eq!(get("c0i0").max.to_fixed(2), "16.67");
    assert_eq!(get("c0i2").max.to_fixed(2), "16.66");
    assert_eq!(get("c0").score.unwrap().to_fixed(2), "33.33");
    assert_eq!(ev.max.to_fixed(0), "100");
    // total = 8.31 + 33.33 + 30 + 10 = 81.64 → 良
    assert_eq!(ev.total.to_fixed(2), "81.64");
    assert_eq!(ev.grade, "良");
}

#[test]
fn over_achievement_is_flagged_and_missing_deviation_reasons_warned() {
    let text = project(
        "10",
        "10",
        &[
            ("产出指标", "≥", "2000", "2800"),
            ("产出指标", "≥", "6", "4"),
        ],
    )
    .replace("deviation_reason = \"测试\"\n", "");
    let ev = parse_evaluation(&text, "p.toml").unwrap().unwrap();
    let (e, warnings) = evaluate_project(&rules(), &ev.projects[0], "p.toml").unwrap();
    assert!(
        e.flags
            .iter()
            .any(|f| f.contains("2800") && f.contains("1.2")),
        "{:?}",
        e.flags
    );
    // only the indicator below full points needs a reason
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code.code(), "W102");
    assert!(warnings[0].message.contains("指标1"));
    // 1.2 × target exactly is flagged; just below is not
    let at = run(&project("1", "1", &[("产出指标", "≥", "100", "120")]));
    assert_eq!(at.flags.len(), 1);
    let below = run(&project("1", "1", &[("产出指标", "≥", "100", "119.99")]));
    assert!(below.flags.is_empty());
}

#[test]
fn claims_are_checked_against_the_computed_score() {
    let text = project("1", "1", &[("产出指标", "≥", "300", "267")]) + "claimed = 50\n";
    let e = run(&text);
    assert_eq!(e.evaluation.discrepancies.len(), 1);
    assert_eq!(
        e.evaluation.discrepancies[0].computed.unwrap().to_fixed(2),
        "44.50"
    );
    assert!(matches!(e.evaluation.indicators[0].status, Status::Scored));
}

#[test]
fn unknown_operators_and_categories_are_located() {
    let text = project(
        "1",
        "1",
        &[
            ("产出指标", "约等于", "3", "3"),
            ("成本指标X", "≥", "1", "1"),
        ],
    );
    let ev = parse_evaluation(&text, "p.toml").unwrap().unwrap();
    let errors = evaluate_project(&rules(), &ev.projects[0], "p.toml").unwrap_err();
    let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|e| e.starts_with("p.toml:5:1: 错误[E051]") && e.contains("约等于")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|e| e.contains("成本指标X") && e.contains("p.toml:13:1")),
        "{shown:?}"
    );
}

#[test]
fn bad_numbers_in_the_evaluation_are_located() {
    let text = "[[evaluation.projects]]\nname = \"x\"\nbudget = \"abc\"\nexecuted = 1\n";
    let errors = parse_evaluation(text, "p.toml").unwrap_err();
    assert_eq!(errors[0].code.code(), "E050");
    assert_eq!(errors[0].location.unwrap().line, 3);
}

#[test]
fn rules_files_may_only_use_their_own_names() {
    let bad = RULES.replace(
        "expr = \"if(actual >= target, weight, actual / target * weight)\"",
        "expr = \"if(actual >= goal, weight, 0)\"",
    );
    let e = ProjectRules::from_toml(&bad, "r.toml").unwrap_err();
    assert!(e.contains("goal"), "{e}");
}
