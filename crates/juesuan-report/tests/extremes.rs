//! Property tests at the extremes of the money range (issue #18): amounts up to and just past
//! the single-amount bound (10¹⁵ 元), up to ~1,500 figures, in 元 and in 万元. Every input either
//! reads and gives tables whose totals equal the exact sums (computed here in `i128`,
//! independently of juesuan's own arithmetic), or is refused with a located error naming
//! the line (E013 for one amount, E033 for all of them together). Never a wrapped total.

use juesuan_core::input::parse_input;
use juesuan_core::tables::{derive_tables, TableSet};
use juesuan_core::{Amount, Catalogues, MAX_TOTAL_MAGNITUDE_FEN};
use juesuan_data::Library;
use proptest::prelude::*;
use std::fmt::Write as _;
use std::sync::OnceLock;

struct Data {
    catalogues: Catalogues,
    tables: TableSet,
    /// 项-level function codes of the 2021 catalogue.
    items: Vec<String>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let library = Library::embedded();
        let items = include_str!("../../../data/catalogues/function-2021.toml")
            .lines()
            .filter_map(|l| {
                let code = l.strip_prefix('"')?.split('"').next()?;
                (code.len() == 7 && code.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| code.to_string())
            })
            .collect();
        Data {
            catalogues: library.catalogues(2021).unwrap(),
            tables: library.table_set("national", 2021).unwrap(),
            items,
        }
    })
}

const MAX: i128 = Amount::MAX.0 as i128;

/// An amount in 分: mostly at or near the bound, sometimes small, sometimes just past it.
fn amount() -> impl Strategy<Value = i128> {
    prop_oneof![
        4 => (0i128..=1_000).prop_map(|d| MAX - d),
        2 => 0i128..=MAX,
        2 => 0i128..=10_000_000,
        1 => (1i128..=1_000).prop_map(|d| MAX + d),
    ]
}

/// `fen` written exactly in the file's unit.
fn written(fen: i128, wan: bool) -> String {
    if wan {
        format!("{}.{:06}", fen / 1_000_000, fen % 1_000_000)
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

/// The input: each row's amount as income and as project spending (so the input balances
/// and no economic breakdown is needed). Returns the text and the line of each figure, in
/// the order the parser reads them (incomes, then spending).
fn input(rows: &[i128], wan: bool) -> (String, Vec<usize>) {
    let d = data();
    let mut t = format!(
        "schema = \"juesuan-input/1\"\nyear = 2021\namount_unit = \"{}\"\n\n[unit]\nname = \"极值单位\"\nkind = \"行政\"\n\n[prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n",
        if wan { "万元" } else { "元" }
    );
    let mut lines = Vec::new();
    for section in [
        "[income.general_budget]",
        "[expenditure.project.general_budget]",
    ] {
        writeln!(t, "{section}").unwrap();
        for (i, a) in rows.iter().enumerate() {
            lines.push(t.lines().count() + 1);
            writeln!(t, "\"{}\" = {}", d.items[i], written(*a, wan)).unwrap();
        }
    }
    (t, lines)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn totals_are_exact_or_a_located_error(
        rows in prop::collection::vec(amount(), 1..40),
        repeat in 1usize..50,
        wan in any::<bool>(),
    ) {
        // Up to one row per 项 of the catalogue (~740, so ~1,500 figures): the same amounts
        // repeated on other codes.
        let n = (rows.len() * repeat).min(data().items.len());
        let rows: Vec<i128> = rows.iter().cycle().take(n).copied().collect();
        let (text, lines) = input(&rows, wan);
        let total: i128 = rows.iter().sum();
        let d = data();
        match parse_input(&text, "x.toml", &d.catalogues) {
            Ok(uy) => {
                prop_assert!(rows.iter().all(|a| *a <= MAX));
                prop_assert!(2 * total <= MAX_TOTAL_MAGNITUDE_FEN);
                let tables = derive_tables(&d.tables, &uy, &d.catalogues);
                let t1 = tables.iter().find(|t| t.id == "t1").expect("公开01表");
                prop_assert_eq!(t1.get("income_total", "amount").map(|a| a.0 as i128), Some(total));
                prop_assert_eq!(t1.get("expenditure_total", "amount").map(|a| a.0 as i128), Some(total));
            }
            Err(errors) => {
                if let Some(i) = rows.iter().position(|a| *a > MAX) {
                    // The first amount past the bound is named at its line.
                    let e = errors.iter().find(|e| e.code.code() == "E013").expect("E013");
                    prop_assert_eq!(e.location.map(|l| l.line), Some(lines[i]));
                } else {
                    // All of them together pass the total bound: named at the figure where
                    // the running sum (incomes, then spending) passes it.
                    prop_assert_eq!(errors.len(), 1, "{:?}", errors);
                    prop_assert_eq!(errors[0].code.code(), "E033");
                    let mut run = 0i128;
                    let at = rows.iter().chain(&rows).position(|a| {
                        run += a;
                        run > MAX_TOTAL_MAGNITUDE_FEN
                    });
                    prop_assert_eq!(errors[0].location.map(|l| l.line), at.map(|i| lines[i]));
                }
            }
        }
    }
}

/// The issue's own input: two items of 9,223,372,036,854.78 万元 (each just inside `i64`
/// 分). It used to validate and print 本年收入合计 as a wrapped figure.
#[test]
fn the_issues_two_items_are_refused_each_at_its_line() {
    let text = include_str!("../../../fuzz/regressions/input_toml/two-items-near-i64-max.toml");
    let errors = parse_input(text, "x.toml", &data().catalogues).unwrap_err();
    let at: Vec<(&str, usize)> = errors
        .iter()
        .map(|e| (e.code.code(), e.location.map_or(0, |l| l.line)))
        .collect();
    assert_eq!(at, [("E013", 16), ("E013", 17)]);
}
