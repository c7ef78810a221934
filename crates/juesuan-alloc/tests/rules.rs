//! Each rule kind with a passing and a failing case, the located errors of each A-code, and
//! property tests over random plans.

use juesuan_alloc::{allocate, parse_plan, AllocCode, AllocError, Allocation};
use juesuan_core::money::Amount;
use proptest::prelude::*;

/// A plan over recipients 甲… with one linear indicator `v` (target 100) and the given lines.
fn plan_text(values: &[u32], extra_head: &str, lines: &str) -> String {
    let mut t = String::from(
        "title = \"测试\"\nallocator = \"测试单位\"\nyear = 2021\namount_unit = \"元\"\n",
    );
    t.push_str(extra_head);
    let names: Vec<String> = (0..values.len()).map(name).collect();
    for n in &names {
        t.push_str(&format!("[[recipient]]\nname = \"{n}\"\n"));
    }
    t.push_str("[assessment]\n[[assessment.indicator]]\nid = \"v\"\nname = \"指标\"\nweight = 1\nrule = \"linear\"\ntarget = 100\n[kpi]\n");
    for (n, v) in names.iter().zip(values) {
        t.push_str(&format!(
            "[[kpi.row]]\nrecipient = \"{n}\"\nv = {v}\npop = {}\n",
            v + 1
        ));
    }
    t.push_str(lines);
    t
}

fn name(i: usize) -> String {
    format!("县{i:03}")
}

fn run(text: &str) -> Result<Allocation, Vec<AllocError>> {
    let plan = parse_plan(text, "plan.toml")?;
    allocate(&plan)
}

fn codes(r: Result<Allocation, Vec<AllocError>>) -> Vec<AllocCode> {
    r.expect_err("should fail").iter().map(|e| e.code).collect()
}

fn yuan(a: &Allocation, who: usize) -> i64 {
    a.recipients[who].total.fen() / 100
}

#[test]
fn top_n_passes_and_fails_when_the_pool_is_too_small() {
    let lines = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 2\namount = 100\npool = 200\n";
    let a = run(&plan_text(&[10, 90, 50], "pool = 200\n", lines)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (0, 100, 100));
    let small = lines.replace("pool = 200", "pool = 150");
    let e = run(&plan_text(&[10, 90, 50], "pool = 150\n", &small)).unwrap_err();
    assert_eq!(e[0].code, AllocCode::PoolTooSmall);
    assert!(
        e[0].to_string().contains("小于其固定金额之和 200元"),
        "{}",
        e[0]
    );
}

#[test]
fn tiers_pass_by_rank_and_by_score_and_a_bad_tier_fails() {
    let lines = "[[line]]\nname = \"分档\"\nrule = \"tiers\"\nby = \"rank\"\n[[line.tier]]\nfrom_rank = 1\nto_rank = 1\namount = 300\n[[line.tier]]\nfrom_rank = 2\namount = 100\n";
    let a = run(&plan_text(&[10, 90, 50], "pool = 500\n", lines)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (100, 300, 100));
    let by_score = "[[line]]\nname = \"分档\"\nrule = \"tiers\"\nby = \"score\"\n[[line.tier]]\nmin_score = 60\namount = 300\n[[line.tier]]\nmin_score = 20\namount = 100\n";
    let a = run(&plan_text(&[10, 90, 50], "pool = 400\n", by_score)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (0, 300, 100));
    let bad = by_score.replace("min_score = 60", "from_rank = 1");
    assert_eq!(
        codes(run(&plan_text(&[10, 90, 50], "pool = 400\n", &bad))),
        vec![AllocCode::BadRule]
    );
}

#[test]
fn pro_rata_adds_up_to_the_pool_and_fails_without_a_pool() {
    let lines = "[[line]]\nname = \"按得分\"\nrule = \"pro_rata\"\npool = 1000\n";
    let a = run(&plan_text(&[10, 20, 30], "pool = 1000\n", lines)).unwrap();
    // 1000 × 10/60, 20/60, 30/60 = 166.67, 333.33, 500: the spare 元 goes to the largest remainder.
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (167, 333, 500));
    assert_eq!(a.total, Amount(100_000));
    let how = &a.lines[0].shares[0].how;
    assert!(
        how.contains("精确额 166.666667…元") && how.ends_with("→ 167.00元"),
        "{how}"
    );
    let no_pool = lines.replace("pool = 1000\n", "");
    assert_eq!(
        codes(run(&plan_text(&[10, 20, 30], "pool = 1000\n", &no_pool))),
        vec![AllocCode::BadRule]
    );
}

#[test]
fn floors_and_caps_hold_and_infeasible_ones_fail() {
    let lines =
        "[[line]]\nname = \"按得分\"\nrule = \"pro_rata\"\npool = 1000\nfloor = 200\ncap = 450\n";
    let a = run(&plan_text(&[1, 20, 79], "pool = 1000\n", lines)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (200, 350, 450));
    let high_floor = lines.replace("floor = 200", "floor = 400");
    assert_eq!(
        codes(run(&plan_text(&[1, 20, 79], "pool = 1000\n", &high_floor))),
        vec![AllocCode::PoolTooSmall]
    );
    let low_cap = lines.replace("cap = 450", "cap = 300");
    assert_eq!(
        codes(run(&plan_text(&[1, 20, 79], "pool = 1000\n", &low_cap))),
        vec![AllocCode::BadRule]
    );
}

#[test]
fn factor_method_passes_and_fails_when_weights_do_not_add_to_one() {
    let lines = "[[line]]\nname = \"因素法\"\nrule = \"factor\"\npool = 900\n[[line.factor]]\nname = \"基础\"\nkind = \"base\"\nweight = \"0.5\"\ndata = \"equal\"\n[[line.factor]]\nname = \"人口\"\nkind = \"need\"\nweight = \"0.5\"\ndata = \"pop\"\n";
    // pop = v + 1 = 1, 1, 4: shares 0.5/3 + 0.5×(1/6, 1/6, 4/6) = 1/4, 1/4, 1/2.
    let a = run(&plan_text(&[0, 0, 3], "pool = 900\n", lines)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1), yuan(&a, 2)), (225, 225, 450));
    let bad = lines.replace(
        "weight = \"0.5\"\ndata = \"pop\"",
        "weight = \"0.4\"\ndata = \"pop\"",
    );
    let e = run(&plan_text(&[0, 0, 3], "pool = 900\n", &bad)).unwrap_err();
    assert_eq!(e[0].code, AllocCode::WeightSum);
    assert!(e[0].to_string().contains("权重之和为 0.9"), "{}", e[0]);
}

#[test]
fn earmarked_and_per_unit_lines_pass_and_an_unknown_recipient_fails() {
    let lines = "[[line]]\nname = \"专项\"\nrule = \"earmark\"\n[[line.item]]\nname = \"甲项目\"\nrecipient = \"县001\"\namount = 70\n[[line]]\nname = \"按站\"\nrule = \"per_unit\"\nunit = \"站\"\nunit_amount = 10\n[[line.item]]\nname = \"站\"\nrecipient = \"县000\"\ncount = 3\n";
    let a = run(&plan_text(&[1, 2], "pool = 100\n", lines)).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1)), (30, 70));
    let unknown = lines.replace("recipient = \"县001\"", "recipient = \"县999\"");
    let e = run(&plan_text(&[1, 2], "pool = 100\n", &unknown)).unwrap_err();
    assert_eq!(e[0].code, AllocCode::UnknownRecipient);
    assert!(e[0].line.is_some() && e[0].to_string().contains("“县999”不在受分配单位名单中"));
    let no_unit = lines.replace("unit_amount = 10\n", "");
    assert!(codes(run(&plan_text(&[1, 2], "pool = 100\n", &no_unit))).contains(&AllocCode::BadRule));
}

#[test]
fn each_plan_error_is_located() {
    let ok = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 1\namount = 100\n";
    // A001: a float weight is refused with line and column.
    let e = parse_plan(
        &plan_text(&[1, 2], "pool = 100\n", ok).replace("weight = 1", "weight = 1.0"),
        "p.toml",
    )
    .unwrap_err();
    assert_eq!(
        (e[0].code, e[0].file.as_str()),
        (AllocCode::Syntax, "p.toml")
    );
    assert!(e[0].line.is_some() && e[0].column.is_some());
    // A003: a recipient without its value.
    let text = plan_text(&[1, 2], "pool = 100\n", ok).replace("v = 2\n", "");
    let e = run(&text).unwrap_err();
    assert_eq!(e[0].code, AllocCode::MissingKpi);
    assert!(
        e[0].to_string().contains("单位“县001”缺少考核数据“v”"),
        "{}",
        e[0]
    );
    // A004: indicator weights.
    assert_eq!(
        codes(run(
            &plan_text(&[1, 2], "pool = 100\n", ok).replace("weight = 1", "weight = \"0.8\"")
        )),
        vec![AllocCode::WeightSum]
    );
    // A008: lines add up to less than the pool; A005 when the fixed awards exceed it.
    assert_eq!(
        codes(run(&plan_text(&[1, 2], "pool = 300\n", ok))),
        vec![AllocCode::LinesNotPool]
    );
    assert_eq!(
        codes(run(&plan_text(&[1, 2], "pool = 50\n", ok))),
        vec![AllocCode::PoolTooSmall]
    );
}

#[test]
fn a_kpi_file_is_read_with_provenance_and_its_errors_are_located() {
    let ok = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 1\namount = 100\n";
    let text = plan_text(&[1, 2], "pool = 100\n", ok);
    let mut plan = parse_plan(&text, "plan.toml").unwrap();
    plan.attach_csv(
        "recipient,v,date,source\n县000,95,2021-12-31,平台\n县001,40,2021-12-31,平台\n",
        "kpi.csv",
    )
    .unwrap();
    let a = allocate(&plan).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1)), (100, 0));
    let p = &a.assessed.unwrap().scores[0][0].provenance;
    assert_eq!(
        (p.file.as_str(), p.row, p.date.as_deref()),
        ("kpi.csv", 2, Some("2021-12-31"))
    );
    let e = plan
        .attach_csv("recipient,v\n县000,九十\n", "k.csv")
        .unwrap_err();
    assert_eq!(
        (e[0].code, e[0].line, e[0].column),
        (AllocCode::KpiFile, Some(2), Some(2))
    );
    let e = plan
        .attach_csv("recipient,v\n某县,1\n", "k.csv")
        .unwrap_err();
    assert_eq!(
        (e[0].code, e[0].line),
        (AllocCode::UnknownRecipient, Some(2))
    );
}

#[test]
fn a_what_if_moves_recipients_and_a_bad_one_is_refused() {
    use juesuan_alloc::whatif;
    let lines = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 1\namount = 100\n[[line]]\nname = \"按得分\"\nrule = \"pro_rata\"\npool = 100\n";
    let plan = parse_plan(&plan_text(&[10, 30], "pool = 200\n", lines), "p.toml").unwrap();
    let before = allocate(&plan).unwrap();
    let after = allocate(&whatif::apply(&plan, "pool=300").unwrap()).unwrap();
    assert_eq!(after.total, Amount(40_000));
    let moves = whatif::compare(&before, &after);
    assert_eq!(moves.len(), 2);
    assert_eq!(
        (moves[1].before, moves[1].after),
        (Amount(17_500), Amount(32_500))
    );
    let e = whatif::apply(&plan, "指标.weight").unwrap_err();
    assert_eq!(e.code, AllocCode::WhatIf);
    assert_eq!(
        whatif::apply(&plan, "无此行.pool=3").unwrap_err().code,
        AllocCode::WhatIf
    );
}

/// A random plan: `values` for the indicator, a top-N line and a pooled line (pro rata or
/// 因素法 with a floor), rounded to 元.
fn random_plan(values: &[u32], n: usize, pool_yuan: u32, factor: bool, ties: &str) -> String {
    let total = 100 * n as u64 + u64::from(pool_yuan);
    let pooled = if factor {
        format!("[[line]]\nname = \"池\"\nrule = \"factor\"\npool = {pool_yuan}\nfloor = 1\n[[line.factor]]\nname = \"基础\"\nkind = \"base\"\nweight = \"0.3\"\ndata = \"equal\"\n[[line.factor]]\nname = \"绩效\"\nkind = \"performance\"\nweight = \"0.7\"\ndata = \"score\"\n")
    } else {
        format!("[[line]]\nname = \"池\"\nrule = \"pro_rata\"\npool = {pool_yuan}\n")
    };
    let lines =
        format!("[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = {n}\namount = 100\n{pooled}");
    plan_text(values, &format!("pool = {total}\n"), &lines).replace(
        "[assessment]\n",
        &format!("[assessment]\nties = \"{ties}\"\n"),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every line's amounts add up to its money, and the plan's to its pool, to the 分.
    #[test]
    fn lines_add_up_to_the_pool(values in prop::collection::vec(0u32..200, 2..12), pool in 20u32..100_000, factor in any::<bool>()) {
        let n = 1 + values.len() / 2;
        let a = run(&random_plan(&values, n, pool, factor, "order")).unwrap();
        for l in &a.lines {
            prop_assert_eq!(Amount(l.shares.iter().map(|s| s.amount.fen()).sum()), l.allocated);
            prop_assert_eq!(l.allocated, l.budget);
        }
        prop_assert_eq!(a.total, a.pool);
        prop_assert!(a.recipients.iter().all(|r| r.total.fen() % 100 == 0));
    }

    /// Raising one recipient's indicator never lowers its amount (linear scoring, top-N and
    /// pro rata / 因素法 are monotone).
    #[test]
    fn raising_an_indicator_never_lowers_the_amount(values in prop::collection::vec(0u32..200, 2..10), who in 0usize..10, up in 1u32..100, pool in 20u32..50_000, factor in any::<bool>()) {
        let who = who % values.len();
        let n = 1 + values.len() / 3;
        let before = run(&random_plan(&values, n, pool, factor, "order")).unwrap();
        let mut raised = values.clone();
        raised[who] += up;
        let after = run(&random_plan(&raised, n, pool, factor, "order")).unwrap();
        prop_assert!(after.recipients[who].total >= before.recipients[who].total,
            "{} → {}", before.recipients[who].total.fen(), after.recipients[who].total.fen());
    }

    /// Ties follow the stated rule: under "order" the earlier in the list wins the place;
    /// under "split" equal recipients get amounts at most one rounding unit apart and the
    /// contested awards are paid in full.
    #[test]
    fn ties_follow_the_stated_rule(k in 2usize..8, n in 1usize..8, v in 0u32..100) {
        let n = n.min(k);
        let values = vec![v; k];
        let order = run(&random_plan(&values, n, 0, false, "order").replace("[[line]]\nname = \"池\"\nrule = \"pro_rata\"\npool = 0\n", "")).unwrap();
        for (i, r) in order.recipients.iter().enumerate() {
            prop_assert_eq!(r.total.fen(), if i < n { 10_000 } else { 0 });
        }
        let split = run(&random_plan(&values, n, 0, false, "split").replace("[[line]]\nname = \"池\"\nrule = \"pro_rata\"\npool = 0\n", "")).unwrap();
        let amounts: Vec<i64> = split.recipients.iter().map(|r| r.total.fen()).collect();
        let (lo, hi) = (amounts.iter().min().unwrap(), amounts.iter().max().unwrap());
        prop_assert!(hi - lo <= 100, "{:?}", amounts);
        prop_assert_eq!(amounts.iter().sum::<i64>(), 10_000 * n as i64);
    }
}

/// The plan text with the one indicator's rule replaced by `rule` (TOML lines).
fn with_rule(values: &[u32], rule: &str) -> String {
    let lines = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 1\namount = 100\n";
    plan_text(values, "pool = 100\n", lines).replace("rule = \"linear\"\ntarget = 100\n", rule)
}

fn scores(text: &str) -> Vec<String> {
    let a = run(text).unwrap();
    a.assessed
        .unwrap()
        .scores
        .iter()
        .map(|s| s[0].score.display_exact())
        .collect()
}

#[test]
fn each_scoring_rule_scores_and_a_bad_one_is_refused() {
    // Ranking: 100 × (n − rank) ÷ (n − 1); equal values share a rank.
    assert_eq!(
        scores(&with_rule(&[5, 9, 9], "rule = \"rank\"\n")),
        ["0", "100", "100"]
    );
    // Bands, as in an indicator system file.
    let bands = "rule = \"bands\"\n[[assessment.indicator.band]]\nfrom = 50\ninclude_from = true\npoints = 100\n[[assessment.indicator.band]]\nto = 50\npoints = 60\n";
    assert_eq!(scores(&with_rule(&[10, 50], bands)), ["60", "100"]);
    // Yes/no with its own points.
    assert_eq!(
        scores(&with_rule(&[0, 1], "rule = \"yes_no\"\nyes = 80\n")),
        ["0", "80"]
    );
    // A formula over value, best and worst.
    let f = "rule = \"formula\"\nexpr = \"(value - worst) / (best - worst) * 100\"\n";
    assert_eq!(scores(&with_rule(&[10, 20, 30], f)), ["0", "50", "100"]);
    // Failing cases: a linear rule without a target, a formula that does not parse, bands
    // without a band.
    for rule in [
        "rule = \"linear\"\n",
        "rule = \"formula\"\nexpr = \"value *\"\n",
        "rule = \"bands\"\n",
    ] {
        assert_eq!(
            codes(run(&with_rule(&[1, 2], rule))),
            vec![AllocCode::BadRule],
            "{rule}"
        );
    }
}

#[test]
fn a_tie_indicator_decides_before_the_list_order() {
    let lines = "[[line]]\nname = \"奖励\"\nrule = \"top_n\"\nn = 1\namount = 100\n";
    let text = plan_text(&[50, 50], "pool = 100\n", lines)
        .replace("weight = 1\n", "weight = \"0.5\"\n")
        .replace("[kpi]\n", "[[assessment.indicator]]\nid = \"pop\"\nname = \"人口\"\nweight = \"0\"\nrule = \"rank\"\n[kpi]\n")
        .replace("[assessment]\n", "[assessment]\ntie_indicators = [\"pop\"]\n");
    // Weights 0.5 + 0 do not add to 1: refused first.
    assert_eq!(codes(run(&text)), vec![AllocCode::WeightSum]);
    let text = text.replace("weight = \"0.5\"\n", "weight = 1\n");
    // Equal totals; 县001 has the larger pop (v + 1 = 51 each here: equal too) → list order.
    let a = run(&text).unwrap();
    assert_eq!((yuan(&a, 0), yuan(&a, 1)), (100, 0));
    let text = text.replace(
        "v = 50\npop = 51\n[[kpi.row]]\nrecipient = \"县001\"\nv = 50\npop = 51",
        "v = 50\npop = 51\n[[kpi.row]]\nrecipient = \"县001\"\nv = 50\npop = 99",
    );
    let a = run(&text).unwrap();
    assert_eq!(
        (yuan(&a, 0), yuan(&a, 1)),
        (0, 100),
        "the tie indicator puts 县001 first"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text, and the seed's plan with any one character replaced, is either a plan or
    /// located errors: never a panic.
    #[test]
    fn no_text_makes_the_planner_panic(text in "\\PC{0,200}", at in 0usize..4000, c in any::<char>()) {
        let _ = parse_plan(&text, "p.toml");
        let seed = include_str!("../../../examples/liangshan-kexie-2021/allocation.toml");
        let mut chars: Vec<char> = seed.chars().collect();
        let at = at % chars.len();
        chars[at] = c;
        let changed: String = chars.into_iter().collect();
        if let Ok(plan) = parse_plan(&changed, "p.toml") {
            if let Err(errors) = allocate(&plan) {
                prop_assert!(errors.iter().all(|e| e.line.is_some() || e.file != "p.toml" || e.code == AllocCode::LinesNotPool));
            }
        }
    }
}
