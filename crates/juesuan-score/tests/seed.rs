//! The example unit's `[evaluation]` (examples/liangshan-kexie-2021/input.toml, encoded from the
//! seed's self-evaluation reports), read and scored the way `juesuan score` does: derived inputs
//! filled from the unit's final accounts, the department's claimed scores checked against what
//! its own figures support, and each of the six 项目支出绩效目标自评表 scored with the national rules.

use juesuan_score::derive::fill_derived;
use juesuan_score::input::{check_against, parse_evaluation, DepartmentInput, EvaluationInput};
use juesuan_score::project::{evaluate_project, ProjectRules};
use juesuan_score::score::{InputValue, Inputs, Status};
use juesuan_score::{evaluate, Evaluation, IndicatorSystem, Ratio};
use std::collections::BTreeMap;

const INPUT: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const SYSTEM: &str = include_str!("../../../data/indicators/sichuan-department-2021.toml");
const RULES: &str = include_str!("../../../data/project-rules/national-2021.toml");
const ORIGIN: &str = "input.toml";

fn r(s: &str) -> Ratio {
    Ratio::parse(s).unwrap()
}

fn evaluation_input() -> EvaluationInput {
    parse_evaluation(INPUT, ORIGIN)
        .unwrap_or_else(|e| panic!("the example's [evaluation] does not parse: {e:?}"))
        .expect("the example has an [evaluation]")
}

fn system() -> IndicatorSystem {
    IndicatorSystem::from_toml(SYSTEM, "sichuan-department-2021.toml", &|_| None).unwrap()
}

fn department() -> DepartmentInput {
    evaluation_input()
        .department
        .expect("the example evaluates the department")
}

/// The department's inputs as the CLI scores them: as stated, plus what the accounts give.
fn department_inputs(system: &IndicatorSystem) -> Inputs {
    let library = juesuan_data::Library::embedded();
    let unit_year =
        juesuan_core::input::parse_input(INPUT, ORIGIN, &library.catalogues(2021).unwrap())
            .unwrap_or_else(|e| panic!("the example does not parse: {e:?}"));
    let mut inputs = department().inputs;
    fill_derived(system, &unit_year, &mut inputs);
    inputs
}

fn department_evaluation() -> Evaluation {
    let system = system();
    evaluate(&system, &department_inputs(&system))
}

fn score(e: &Evaluation, id: &str) -> Option<String> {
    e.indicators
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
        .score
        .map(|s| s.to_fixed(2))
}

#[test]
fn the_evaluation_parses_and_matches_the_sichuan_system() {
    let ev = evaluation_input();
    let dept = ev.department.as_ref().unwrap();
    assert_eq!(dept.system, "sichuan-department");
    let errors = check_against(dept, &system(), ORIGIN);
    assert!(errors.is_empty(), "{errors:?}");
    let names: Vec<&str> = ev.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "凉山州科协2021年预算项目绩效目标汇总",
            "公共服务及基础设施运行保障",
            "学术交流学会科普",
            "青少年科学素质提升行动、科技辅导员能力提升行动",
            "“天府科技云”项目购买社会服务及聘用人员",
            "凉山州州本级科普专项资金",
        ]
    );
}

#[test]
fn the_claims_are_the_seeds_85() {
    let dept = department();
    let system = system();
    let claimed = &dept.inputs.claimed;
    assert_eq!(claimed["total"].0, r("85"));
    let mut sum = Ratio::ZERO;
    for (id, (points, _)) in claimed.iter().filter(|(id, _)| *id != "total") {
        let indicator = system.get(id).unwrap();
        assert!(indicator.rule.is_some(), "claim on a branch: {id}");
        sum = sum.checked_add(*points).unwrap();
    }
    assert_eq!(claimed.len(), 13, "12 leaves and the total");
    assert_eq!(sum, r("85"));
}

#[test]
fn preparation_accuracy_uses_the_initial_budget_derived_from_the_accounts() {
    let system = system();
    let inputs = department_inputs(&system);
    // 年初部门预算数 is not stated in [evaluation]: it is the sum of the accounts' [budget].
    assert!(!department().inputs.values.contains_key("initial_budget"));
    let initial = &inputs.values["initial_budget"];
    assert_eq!(initial.value, InputValue::Num(r("5713600")));
    assert!(
        initial.source.starts_with("由决算数据计算"),
        "{}",
        initial.source
    );
    // (1 − 10 × 150000 / 5713600) × 8 = 5.8997… → 5.90
    let e = evaluate(&system, &inputs);
    let leaf = e
        .indicators
        .iter()
        .find(|i| i.id == "preparation_accuracy")
        .unwrap();
    let expected = r("10")
        .checked_mul(r("150000"))
        .and_then(|a| a.checked_div(r("5713600")))
        .and_then(|share| Ratio::ONE.checked_sub(share))
        .and_then(|rest| rest.checked_mul(r("8")))
        .unwrap();
    assert_eq!(leaf.raw, Some(expected));
    assert_eq!(score(&e, "preparation_accuracy").as_deref(), Some("5.90"));
}

#[test]
fn every_leaf_scores_what_the_seeds_figures_support() {
    let e = department_evaluation();
    let expected: [(&str, Option<&str>); 12] = [
        ("target_setting", Some("8.00")),
        // 20 of the 31 quantity indicators are met within +30%: 8 × 20/31
        ("target_achievement", Some("5.16")),
        ("preparation_accuracy", Some("5.90")),
        // no 年初预算 of the 公用经费 items in the seed
        ("spending_control", None),
        // 3.1 / (3.1 + 108.1) × 8
        ("dynamic_adjustment", Some("0.22")),
        // no 6/9/11月 execution figure in the seed
        ("execution_progress", None),
        // 8 × 82.8%
        ("budget_completion", Some("6.62")),
        ("violations", Some("8.00")),
        ("special_budget", Some("18.00")),
        ("self_evaluation_published", Some("2.00")),
        ("rectification", Some("4.00")),
        ("feedback", Some("4.00")),
    ];
    for (id, want) in expected {
        assert_eq!(score(&e, id).as_deref(), want, "{id}");
    }
    let leaf = |id: &str| e.indicators.iter().find(|i| i.id == id).unwrap();
    assert!(matches!(
        leaf("spending_control").status,
        Status::NotScored(_)
    ));
    assert!(matches!(
        leaf("execution_progress").status,
        Status::NotScored(_)
    ));
    assert_eq!(
        leaf("self_evaluation_accuracy").status,
        Status::ReviewerOnly
    );
    assert!(leaf("target_achievement")
        .steps
        .iter()
        .any(|s| s.label.contains("达标 20/31")));
    assert_eq!(e.total.to_fixed(2), "61.90");
}

#[test]
fn claims_the_inputs_do_not_support_are_reported() {
    let e = department_evaluation();
    let found: BTreeMap<&str, (String, Option<String>)> = e
        .discrepancies
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                (d.claimed.to_fixed(2), d.computed.map(|c| c.to_fixed(2))),
            )
        })
        .collect();
    let claim = |c: &str, computed: Option<&str>| (c.to_string(), computed.map(str::to_string));
    let expected = BTreeMap::from([
        // 11 of 31 quantity indicators fall short of the target or exceed it by more than 30%
        // (e.g. 办刊 4 of 6 期, 印制 2800 of 2000 份, 培训 0 of 17 县市, 电脑 0 of 5 台).
        ("target_achievement", claim("8.00", Some("5.16"))),
        // a 15万元 调剂 against a 571.36万元 initial budget is 2.6%, not 0
        ("preparation_accuracy", claim("8.00", Some("5.90"))),
        // the seed gives no budget of the 公用经费 items, so the claimed 3 cannot be checked
        ("spending_control", claim("3.00", None)),
        // 取消额 3.1万元 and 注销额 108.1万元 are both above zero: 3.1 / 111.2 × 8
        ("dynamic_adjustment", claim("8.00", Some("0.22"))),
        // the seed gives no 6/9/11月 execution rate, so the claimed 6 cannot be checked
        ("execution_progress", claim("6.00", None)),
        // the seed's own year-end execution rate is 82.8%, not 100%
        ("budget_completion", claim("8.00", Some("6.62"))),
        ("total", claim("85.00", Some("61.90"))),
    ]);
    assert_eq!(found, expected);
}

#[test]
fn every_project_table_scores_without_input_errors() {
    let rules = ProjectRules::from_toml(RULES, "national-2021.toml").unwrap();
    let ev = evaluation_input();
    let mut counts = Vec::new();
    for p in &ev.projects {
        let (scored, warnings) = evaluate_project(&rules, p, ORIGIN)
            .unwrap_or_else(|e| panic!("project {}: {e:?}", p.name));
        assert!(
            warnings.iter().all(|w| w.code.code() == "W102"),
            "{warnings:?}"
        );
        let unscored: Vec<String> = scored
            .evaluation
            .indicators
            .iter()
            .filter(|i| i.rule.is_some() && matches!(i.status, Status::NotScored(_)))
            .map(|i| i.name.clone())
            .collect();
        counts.push((p.indicators.len(), unscored));
    }
    // Indicators with no actual in the seed are reported as not computable, not guessed.
    let expected: Vec<(usize, Vec<String>)> = [
        (43, &["政府采购办公设备购置"][..]),
        (22, &["政府采购办公设施设备合格率", "科普基础设施建设"][..]),
        (
            20,
            &[
                "鼓励学会协会开展学术交流、学术年会等活动所需费用",
                "引导科技专家团队或研发团队开展科技规划、咨询论证、科技攻关、成果转化应用等科技创新与服务工作课成本费用",
            ][..],
        ),
        (11, &[][..]),
        (10, &[][..]),
        (30, &["第37届州青少年科技创新大赛"][..]),
    ]
    .iter()
    .map(|(n, names)| (*n, names.iter().map(|s| s.to_string()).collect()))
    .collect();
    assert_eq!(counts, expected);
}

#[test]
fn project_scores_follow_the_national_rules() {
    let rules = ProjectRules::from_toml(RULES, "national-2021.toml").unwrap();
    let ev = evaluation_input();
    let scored = |n: usize| evaluate_project(&rules, &ev.projects[n], ORIGIN).unwrap().0;
    let leaf = |e: &Evaluation, name: &str| -> Option<String> {
        e.indicators
            .iter()
            .find(|i| i.name == name)
            .unwrap_or_else(|| panic!("no indicator {name}"))
            .score
            .map(|s| s.to_fixed(2))
    };
    // 预算执行率: 280.37 of 251 and 27.57 of 20 are capped at 10; 39.9 / 48 × 10 = 8.3125.
    assert_eq!(
        leaf(&scored(0).evaluation, "预算执行率").as_deref(),
        Some("10.00")
    );
    assert_eq!(
        leaf(&scored(1).evaluation, "预算执行率").as_deref(),
        Some("8.31")
    );
    assert_eq!(
        leaf(&scored(3).evaluation, "预算执行率").as_deref(),
        Some("10.00")
    );
    // DOMAIN §6: 天府科技云 orders 267 against "300单左右": 33 off is beyond ±10%, so
    // (1 − 33/300) × 3.34 (效益 30 split over nine indicators in hundredths: three of 3.34,
    // six of 3.33) = 2.9726 → 2.97.
    let transfer = scored(5).evaluation;
    assert_eq!(
        leaf(&transfer, "天府科技云项目（科技服务订单）").as_deref(),
        Some("2.97")
    );
    // 成交金额 2415 against "大约3000": (1 − 585/3000) × 3.34 = 2.6887 → 2.69
    assert_eq!(
        leaf(&transfer, "天府科技云项目（成交金额）").as_deref(),
        Some("2.69")
    );
    // A cost cap exceeded by more than double scores 0 (学会科普 24万元 against 12万元).
    assert_eq!(
        leaf(
            &scored(2).evaluation,
            "组织学会协会开展实用技术培训、科普宣传、科技服务等学会科普活动所需费用"
        )
        .as_deref(),
        Some("0.00")
    );
}
