//! Random unit-years round-trip through Excel: write the tables, import them, get the same
//! facts back (and the same tables as stated).
mod common;
use common::*;
use juesuan_core::facts::{Fact, FactTable, FundSource, Measure, Nature, Scenario};
use juesuan_core::input::parse_input;
use juesuan_core::money::Amount;
use juesuan_core::write::write_input;
use juesuan_xlsx::{import_workbook, table_facts, write_workbook};
use proptest::prelude::*;

const ITEMS: [&str; 6] = [
    "2060701", "2060702", "2080501", "2101101", "2210201", "2010101",
];
const ECONOMIC: [&str; 4] = ["30101", "30102", "30201", "30302"];
const NON_FISCAL: [FundSource; 5] = [
    FundSource::SuperiorSubsidy,
    FundSource::Business,
    FundSource::Operation,
    FundSource::Affiliate,
    FundSource::Other,
];

#[derive(Debug, Clone)]
struct Spec {
    /// (item index, source index 0..=3 (GB, GF, SC, the non-fiscal source), nature index, income fen, spending fen)
    lines: Vec<(usize, usize, usize, i64, i64)>,
    non_fiscal: usize,
    economic_split: Vec<u32>,
    carry: [i64; 4],
    sangong: [i64; 8],
    used: i64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(
            (
                0..6usize,
                0..4usize,
                0..5usize,
                0..5_000_000_000i64,
                0..5_000_000_000i64,
            ),
            1..12,
        ),
        0..5usize,
        prop::collection::vec(1..100u32, 4),
        [
            0..1_000_000_000i64,
            0..1_000_000_000i64,
            0..1_000_000_000i64,
            0..1_000_000_000i64,
        ],
        [
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
            0..10_000_000i64,
        ],
        0..100_000_000i64,
    )
        .prop_map(
            |(lines, non_fiscal, economic_split, carry, sangong, used)| Spec {
                lines,
                non_fiscal,
                economic_split,
                carry,
                sangong,
                used,
            },
        )
}

fn unit_year(s: &Spec) -> Option<juesuan_core::UnitYear> {
    // The tables do not split non-fiscal money by source: the importer attributes it to
    // the non-fiscal source with income (其他收入 when none has any), so the random unit-year
    // uses one such source.
    let has_income = s.lines.iter().any(|l| l.1 == 3 && l.3 > 0);
    let non_fiscal = if has_income {
        NON_FISCAL[s.non_fiscal]
    } else {
        FundSource::Other
    };
    let sources = [
        FundSource::GeneralBudget,
        FundSource::GovernmentFund,
        FundSource::StateCapital,
        non_fiscal,
    ];
    let mut facts = FactTable::default();
    let mut gb_basic = 0i64;
    for &(item, src, nature, income, spend) in &s.lines {
        let source = sources[src];
        // Fiscal spending is basic or project only.
        let nature = if source.is_fiscal() {
            Nature::ALL[nature % 2]
        } else {
            Nature::ALL[nature]
        };
        facts.push(
            Fact::new(Measure::Income, Scenario::Actual, Amount(income))
                .source(source)
                .function(ITEMS[item]),
        );
        facts.push(
            Fact::new(Measure::Expenditure, Scenario::Actual, Amount(spend))
                .source(source)
                .nature(nature)
                .function(ITEMS[item]),
        );
        if source == FundSource::GeneralBudget && nature == Nature::Basic {
            gb_basic += spend;
        }
    }
    // 基本支出 by economic code adds up to 基本支出 by function.
    let weights: u32 = s.economic_split.iter().sum();
    let mut left = gb_basic;
    for (i, w) in s.economic_split.iter().enumerate() {
        let part = if i + 1 == ECONOMIC.len() {
            left
        } else {
            gb_basic * *w as i64 / weights as i64
        };
        left -= part;
        facts.push(
            Fact::new(Measure::BasicEconomic, Scenario::Actual, Amount(part))
                .source(FundSource::GeneralBudget)
                .economic(ECONOMIC[i]),
        );
    }
    // Enough carried over that nothing is overspent.
    for (i, source) in sources.iter().enumerate() {
        let sum = |m: Measure| -> i64 {
            facts
                .facts
                .iter()
                .filter(|f| f.measure == m && f.source == Some(*source))
                .map(|f| f.amount.fen())
                .sum()
        };
        let need = (sum(Measure::Expenditure) - sum(Measure::Income)).max(0);
        facts.push(
            Fact::new(
                Measure::CarryoverBegin,
                Scenario::Actual,
                Amount(need + s.carry[i]),
            )
            .source(*source),
        );
    }
    if s.used > 0 {
        facts.push(Fact::new(
            Measure::UsedNonFiscalBalance,
            Scenario::Actual,
            Amount(s.used),
        ));
    }
    for (i, item) in [
        "abroad",
        "vehicle_purchase",
        "vehicle_operation",
        "reception",
    ]
    .iter()
    .enumerate()
    {
        facts.push(
            Fact::new(Measure::SanGong, Scenario::Budget, Amount(s.sangong[2 * i])).item(*item),
        );
        facts.push(
            Fact::new(
                Measure::SanGong,
                Scenario::Actual,
                Amount(s.sangong[2 * i + 1]),
            )
            .item(*item),
        );
    }
    let mut uy = example();
    uy.facts.facts.retain(|f| {
        !matches!(
            f.measure,
            Measure::Income
                | Measure::Expenditure
                | Measure::BasicEconomic
                | Measure::CarryoverBegin
                | Measure::CarryoverEnd
                | Measure::SanGong
                | Measure::UsedNonFiscalBalance
                | Measure::SurplusDistribution
                | Measure::OperatingCosts
        ) || f.scenario == Scenario::Prior
    });
    uy.facts.facts.extend(facts.facts);
    let text = write_input(&uy, &catalogues());
    parse_input(&text, "random.toml", &catalogues()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn random_unit_years_round_trip(s in spec()) {
        let Some(uy) = unit_year(&s) else {
            return Err(TestCaseError::reject("not a valid input"));
        };
        let tables = tables_of(&uy);
        let bytes = write_workbook(&tables, &uy).unwrap();
        let imported = import_workbook(&bytes, &national(), &catalogues(), 2021)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&imported.facts, &table_facts(&uy.facts));
        prop_assert_eq!(&imported.stated, &tables);
        // Only the documented attribution of non-fiscal spending is warned about.
        for w in &imported.warnings {
            prop_assert!(w.message.contains("非财政拨款"), "{}", w);
        }
    }
}
