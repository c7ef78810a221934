//! The seed's case (凉山州科协 2021): the example plan reproduces the published allocation
//! exactly, and its full text output is a golden file (`UPDATE_GOLDEN=1` rewrites it).

use juesuan_alloc::{allocate, parse_plan, render, Allocation};
use juesuan_core::money::Amount;
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/liangshan-kexie-2021")
}

fn seed_allocation() -> Allocation {
    let dir = example();
    let text = std::fs::read_to_string(dir.join("allocation.toml")).unwrap();
    let mut plan = parse_plan(&text, "allocation.toml").unwrap();
    let (csv, _) = plan.kpi_file.clone().unwrap();
    plan.attach_csv(&std::fs::read_to_string(dir.join(&csv)).unwrap(), &csv)
        .unwrap();
    allocate(&plan).unwrap()
}

const WAN: i64 = 1_000_000;

#[test]
fn the_example_reproduces_the_seed_allocation() {
    let a = seed_allocation();
    assert_eq!(a.pool, Amount(70 * WAN));
    assert_eq!(a.total, Amount(70 * WAN));
    // 天府科技云：木里、德昌、会东、宁南、甘洛县全省考核前5名，每县补助2万元，共计10万元。
    let cloud = &a.lines[0];
    let funded: Vec<&str> = cloud
        .shares
        .iter()
        .filter(|s| s.amount == Amount(2 * WAN))
        .map(|s| a.recipients[s.recipient.unwrap()].name.as_str())
        .collect();
    assert_eq!(funded, ["木里县", "德昌县", "会东县", "宁南县", "甘洛县"]);
    assert!(cloud
        .shares
        .iter()
        .all(|s| s.amount == Amount(2 * WAN) || s.amount.is_zero()));
    assert_eq!(cloud.allocated, Amount(10 * WAN));
    // 科技小院：西昌市3家企业各4万元、德昌4万元、会理5万元、宁南4万元，共计25万元，6个小院。
    let yards = &a.lines[3];
    let amounts: Vec<i64> = yards.shares.iter().map(|s| s.amount.fen() / WAN).collect();
    assert_eq!(amounts, [4, 4, 4, 4, 5, 4]);
    assert_eq!(yards.allocated, Amount(25 * WAN));
    // 院士专家工作站 5万元/站 × 3 = 15万元；科创赛 冕宁县 15万元；科普振兴乡村 昭觉 5万元。
    assert_eq!(a.lines[2].allocated, Amount(15 * WAN));
    let by_name = |n: &str| a.recipients.iter().find(|r| r.name == n).unwrap().total;
    assert_eq!(by_name("冕宁县"), Amount(15 * WAN));
    assert_eq!(by_name("西昌市"), Amount(12 * WAN));
    assert_eq!(by_name("昭觉县"), Amount(5 * WAN));
    // The transfer-payment self-evaluation's quantity and cost indicators.
    assert_eq!(a.derived.assessed, 17);
    assert_eq!(
        a.derived.costs[0].1,
        "考核前5名（木里县、德昌县、会东县、宁南县、甘洛县），每个2万元，共计10万元"
    );
    assert_eq!(a.derived.costs[2].1, "3站，5万元/站，共15万元");
}

#[test]
fn the_example_text_is_golden() {
    let got = render::text(&seed_allocation());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/liangshan-kexie-2021.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1)");
    assert!(
        got == want,
        "differs from {}; run with UPDATE_GOLDEN=1 after checking",
        path.display()
    );
}
