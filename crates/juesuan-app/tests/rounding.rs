//! One grading of rounding gaps (issue #17 item 2): for figures stated to 0.01 万元, reading
//! the input (`validate`, core E030/W106) and the consistency rules (`check`, rule T6-02 over
//! the tables derived from the same figures) call the same gap the same thing — nothing, a
//! 尾差 note, or an error.

use juesuan_core::facts::{Fact, FactTable, FundSource, Location, Measure, Nature, Scenario};
use juesuan_core::model::{UnitKind, UnitYear};
use juesuan_core::{Amount, ErrorCode, Gap, MoneyUnit, StatedPrecision};
use juesuan_data::Library;
use proptest::prelude::*;

const FUNCTION: [&str; 3] = ["2012601", "2012602", "2012604"];
const ECONOMIC: [&str; 4] = ["30101", "30102", "30201", "30205"];

fn wan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn input(function: &[i64], economic: &[i64]) -> String {
    let total: i64 = function.iter().sum();
    let mut s = String::from(
        "year = 2021\namount_unit = \"万元\"\nstated_precision = \"0.01万元\"\n\n[unit]\nname = \"某档案馆\"\nkind = \"行政\"\n\n[income.general_budget]\n",
    );
    s += &format!(
        "\"2012601\" = {}\n\n[expenditure.basic.general_budget]\n",
        wan(total)
    );
    for (code, c) in FUNCTION.iter().zip(function) {
        s += &format!("\"{code}\" = {}\n", wan(*c));
    }
    s += "\n[basic_economic.general_budget]\n";
    for (code, c) in ECONOMIC.iter().zip(economic) {
        s += &format!("\"{code}\" = {}\n", wan(*c));
    }
    s + "\n[prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n"
}

/// What reading the input says about 基本支出 by economic vs by function classification.
fn read_grade(lib: &Library, text: &str) -> Gap {
    match lib.read_input(text, "t.toml") {
        Ok((uy, _))
            if uy
                .rounding_notes
                .iter()
                .any(|w| w.message.contains("基本支出按经济分类")) =>
        {
            Gap::Rounding
        }
        Ok(_) => Gap::None,
        Err(juesuan_data::ReadError::Input(e)) => {
            assert!(
                e.iter().all(|e| e.code == ErrorCode::BasicMismatch),
                "{e:?}"
            );
            Gap::Beyond
        }
        Err(e) => panic!("{e}"),
    }
}

/// What rule T6-02 says over the tables derived from the same figures (each at its own line).
fn check_grade(lib: &Library, function: &[i64], economic: &[i64]) -> Gap {
    let cats = lib.catalogues(2021).unwrap();
    let mut facts = FactTable::default();
    let mut line = 0;
    let mut at = || {
        line += 1;
        Some(Location { line, column: 1 })
    };
    let a = |c: i64| Amount(c * 10_000);
    let total: i64 = function.iter().sum();
    facts.push(
        Fact::new(Measure::Income, Scenario::Actual, a(total))
            .source(FundSource::GeneralBudget)
            .function("2012601")
            .at(at()),
    );
    for (code, c) in FUNCTION.iter().zip(function) {
        facts.push(
            Fact::new(Measure::Expenditure, Scenario::Actual, a(*c))
                .source(FundSource::GeneralBudget)
                .nature(Nature::Basic)
                .function(*code)
                .at(at()),
        );
    }
    for (code, c) in ECONOMIC.iter().zip(economic) {
        facts.push(
            Fact::new(Measure::BasicEconomic, Scenario::Actual, a(*c))
                .source(FundSource::GeneralBudget)
                .economic(*code)
                .at(at()),
        );
    }
    let mut uy = UnitYear::placeholder(
        &facts,
        "某档案馆",
        UnitKind::Administrative,
        2021,
        MoneyUnit::Wan,
        "national",
    );
    uy.stated_precision = Some(StatedPrecision::WAN_CENT);
    let set = juesuan_app::rules(lib, "national", 2021).unwrap();
    let results = juesuan_app::check_with(lib, &set, &uy, &cats).unwrap();
    let r = results.iter().find(|r| r.rule == "T6-02").unwrap();
    match (r.findings.is_empty(), r.rounding.is_empty()) {
        (false, _) => Gap::Beyond,
        (true, false) => Gap::Rounding,
        (true, true) => Gap::None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn validate_and_check_grade_every_gap_alike(
        function in proptest::collection::vec(1i64..50_000, 1..=3),
        economic in proptest::collection::vec(1i64..50_000, 1..=4),
        shift in -6i64..=6,
    ) {
        // Economic figures near the function total: gaps of a few 0.01 万元 either side.
        let total: i64 = function.iter().sum();
        let mut economic = economic;
        let rest: i64 = economic[1..].iter().sum();
        economic[0] = (total - rest + shift).max(1);
        let lib = Library::embedded();
        let read = read_grade(&lib, &input(&function, &economic));
        let check = check_grade(&lib, &function, &economic);
        prop_assert_eq!(read, check);
        // And both agree with the rule itself: figures × ±0.005 万元.
        let gap = Amount((economic.iter().sum::<i64>() - total) * 10_000);
        let figures = function.len() + economic.len();
        prop_assert_eq!(read, StatedPrecision::grade(Some(StatedPrecision::WAN_CENT), gap, figures));
    }
}

#[test]
fn a_gap_beyond_rounding_is_an_error_in_both_and_within_it_a_note_in_both() {
    let lib = Library::embedded();
    // 2 + 2 figures: ±0.02 万元.
    let (f, within, beyond) = ([10_000, 5_000], [9_000, 6_002], [9_000, 6_003]);
    assert_eq!(read_grade(&lib, &input(&f, &within)), Gap::Rounding);
    assert_eq!(check_grade(&lib, &f, &within), Gap::Rounding);
    assert_eq!(read_grade(&lib, &input(&f, &beyond)), Gap::Beyond);
    assert_eq!(check_grade(&lib, &f, &beyond), Gap::Beyond);
    assert_eq!(read_grade(&lib, &input(&f, &[9_000, 6_000])), Gap::None);
}
