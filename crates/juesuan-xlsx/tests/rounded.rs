//! Published tables printed to 0.01 万元 (issue #17 item 2): a made-up unit's nine tables,
//! each cell rounded on its own as a publication rounds them, carry realistic rounding gaps
//! (合计 ≠ the sum of the printed items). They import without invented decimals — the tail
//! differences are 尾差 notes (W106) at display precision, the input written says
//! `stated_precision = "0.01万元"` and reads back with notes only, and the consistency rules
//! over the workbook pass with notes only. A figure corrupted beyond rounding is an error of
//! both the written input and the rules; two tables contradicting each other are reported once
//! (W107), naming both cells, and the import keeps the first table's figure or `--prefer`'s.
mod common;
use common::builder::*;
use common::*;
use juesuan_core::input::parse_input;
use juesuan_core::money::{div_round_half_up, Amount};
use juesuan_core::tables::Table;
use juesuan_core::{ErrorCode, StatedPrecision};
use juesuan_xlsx::{import_workbook_with, input_text, ImportOptions, Imported};

const TRUTH: &str = include_str!("fixtures/rounded-truth.toml");

/// The unit's tables as a publication prints them: every cell rounded to 0.01 万元.
fn published() -> Vec<Table> {
    let uy = parse_input(TRUTH, "rounded-truth.toml", &catalogues()).unwrap();
    let mut tables = tables_of(&uy);
    for t in &mut tables {
        let cells: Vec<((String, String), Amount)> =
            t.amounts().map(|(k, a)| (k.clone(), *a)).collect();
        for ((row, col), a) in cells {
            let rounded = div_round_half_up(i128::from(a.fen()), 10_000) * 10_000;
            t.set(&row, &col, Amount(i64::try_from(rounded).unwrap()));
        }
    }
    tables
}

fn import_with(tables: &[Table], prefer: Option<&str>) -> Imported {
    let bytes = build_tables(&BASE, tables, |_| {});
    let options = ImportOptions {
        prefer,
        ..ImportOptions::default()
    };
    import_workbook_with(&bytes, &national(), &catalogues(), 2021, &options)
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn set(tables: &mut [Table], id: &str, row: &str, col: &str, wan_cents: i64) {
    let t = tables.iter_mut().find(|t| t.id == id).unwrap();
    assert!(
        t.set(row, col, Amount(wan_cents * 10_000)),
        "{id}.{row}.{col}"
    );
}

fn rule_errors(imported: &Imported) -> Vec<String> {
    let lib = library();
    let (origin, text) = lib.find("rules", "national", "toml", 2021).unwrap();
    let set = juesuan_check::RuleSet::from_toml(text, origin).unwrap();
    juesuan_check::run_with_precision(&set, &imported.stated, &[], imported.precision)
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.severity == juesuan_check::RuleSeverity::Error)
        .map(|f| format!("{} {} {} {}", f.rule, f.location, f.stated, f.expected))
        .collect()
}

#[test]
fn published_tables_import_and_check_with_tail_difference_notes_only() {
    let tables = published();
    let imported = import_with(&tables, None);
    assert_eq!(imported.precision, Some(StatedPrecision::WAN_CENT));
    // The rounding really left gaps for the import to note, and every note is a 尾差 at
    // display precision (no "应为1520.1763").
    let notes: Vec<String> = imported
        .warnings
        .iter()
        .filter(|w| w.code == Some(ErrorCode::RoundingGap))
        .map(ToString::to_string)
        .collect();
    assert!(!notes.is_empty(), "{:#?}", imported.warnings);
    for w in &imported.warnings {
        let text = w.to_string();
        assert!(
            w.code == Some(ErrorCode::RoundingGap) || text.contains("非财政拨款"),
            "not a 尾差 note: {text}"
        );
        for figure in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            if let Some((_, decimals)) = figure.split_once('.') {
                assert!(decimals.len() <= 3, "below display precision: {text}");
            }
        }
    }
    // The rules over the workbook itself: 尾差 notes, no error.
    assert_eq!(rule_errors(&imported), Vec::<String>::new());
    // The input written reads back, with the precision, and only 尾差 notes about relations.
    let text = input_text(&imported, None, 2021, "national", &catalogues(), "t.xlsx");
    assert!(text.contains("stated_precision = \"0.01万元\""), "{text}");
    let uy = parse_input(&text, "input.toml", &catalogues()).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(uy
        .rounding_notes
        .iter()
        .all(|w| w.code == ErrorCode::RoundingGap));
}

#[test]
fn a_figure_corrupted_beyond_rounding_is_an_error_of_the_input_and_of_the_rules() {
    let mut tables = published();
    // 30101 基本工资 60.13 printed as 60.93: 0.80 万元 off, far beyond any rounding.
    set(&mut tables, "t6", "30101", "amount", 6093);
    let imported = import_with(&tables, None);
    let errors = rule_errors(&imported);
    assert!(errors.iter().any(|e| e.starts_with("T6-")), "{errors:#?}");
    let text = input_text(&imported, None, 2021, "national", &catalogues(), "t.xlsx");
    let e = parse_input(&text, "input.toml", &catalogues()).unwrap_err();
    assert!(
        e.iter().any(|e| e.code == ErrorCode::BasicMismatch
            && e.message.contains("超出")
            && e.message.contains("四舍五入误差")),
        "{e:#?}"
    );
}

#[test]
fn two_tables_contradicting_each_other_are_reported_once_and_the_first_kept() {
    let mut tables = published();
    // 2080501 basic: 公开03表 prints it 0.01 below 公开05表 (20.44 vs 20.45). No figures
    // behind them can make the general-budget part exceed the whole.
    let t5 = tables.iter().find(|t| t.id == "t5").unwrap();
    let gb = t5.get("2080501", "basic").unwrap();
    let whole = (gb.fen() / 10_000) - 1;
    set(&mut tables, "t3", "2080501", "basic", whole);
    let spent = |i: &Imported| {
        i.facts
            .facts
            .iter()
            .filter(|f| f.function.as_deref() == Some("2080501"))
            .map(|f| f.amount)
            .sum::<Amount>()
    };

    let first = import_with(&tables, None);
    let conflicts: Vec<String> = first
        .warnings
        .iter()
        .filter(|w| w.code == Some(ErrorCode::ConflictingTables))
        .map(ToString::to_string)
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    println!("{}", conflicts[0]);
    assert!(
        conflicts[0].contains("Sheet3") && conflicts[0].contains("Sheet5"),
        "{}",
        conflicts[0]
    );
    assert!(conflicts[0].contains("--prefer t5"), "{}", conflicts[0]);
    // 公开03表, the first, is kept: 2080501 spent as it prints (income and spending).
    assert_eq!(spent(&first).fen() % 10_000, 0);
    let kept_whole = first
        .facts
        .facts
        .iter()
        .filter(|f| {
            f.function.as_deref() == Some("2080501")
                && f.measure == juesuan_core::Measure::Expenditure
        })
        .map(|f| f.amount)
        .sum::<Amount>();
    assert_eq!(kept_whole, Amount(whole * 10_000));

    let preferred = import_with(&tables, Some("公开05表"));
    let kept_part = preferred
        .facts
        .facts
        .iter()
        .filter(|f| {
            f.function.as_deref() == Some("2080501")
                && f.measure == juesuan_core::Measure::Expenditure
        })
        .map(|f| f.amount)
        .sum::<Amount>();
    assert_eq!(kept_part, gb);
    assert!(preferred
        .warnings
        .iter()
        .any(|w| w.code == Some(ErrorCode::ConflictingTables)
            && w.message.contains("导入取工作表“Sheet5”")));
}

#[test]
fn the_same_total_printed_differently_in_two_tables_is_one_contradiction() {
    let mut tables = published();
    // 收入决算表's 合计 printed 0.01 above what every other table prints for the same sum.
    let t2 = tables.iter().find(|t| t.id == "t2").unwrap();
    let total = t2.get("total", "total").unwrap();
    set(
        &mut tables,
        "t2",
        "total",
        "total",
        total.fen() / 10_000 + 1,
    );
    let imported = import_with(&tables, None);
    let conflicts: Vec<String> = imported
        .warnings
        .iter()
        .filter(|w| w.code == Some(ErrorCode::ConflictingTables))
        .map(ToString::to_string)
        .collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
    println!("{}", conflicts[0]);
    assert!(
        conflicts[0].contains("“收入决算表”工作表“Sheet2”") && conflicts[0].contains("Sheet1"),
        "{}",
        conflicts[0]
    );
    // The first table's figure is kept for the checks, and nothing else is reported of it.
    let stated_t2 = imported.stated.iter().find(|t| t.id == "t2").unwrap();
    assert_eq!(stated_t2.get("total", "total"), Some(total));
    assert_eq!(rule_errors(&imported), Vec::<String>::new());
    // Without the contradiction there is none.
    let clean = import_with(&published(), None);
    assert!(!clean
        .warnings
        .iter()
        .any(|w| w.code == Some(ErrorCode::ConflictingTables)));
}

/// Exact items (hidden decimals) with totals printed to 0.01 万元, as a preparer who
/// reconciled the tables writes them: a total that is the exact sum rounded agrees at the
/// precision it is printed to, and no warning goes below it ("填列数1520.18…应为1520.1763").
#[test]
fn exact_items_with_rounded_totals_import_without_warnings_below_display_precision() {
    let uy = parse_input(TRUTH, "rounded-truth.toml", &catalogues()).unwrap();
    let mut tables = tables_of(&uy);
    for t in &mut tables {
        let totals: Vec<((String, String), Amount)> = t
            .amounts()
            .filter(|((row, _), _)| row == "total")
            .map(|(k, a)| (k.clone(), *a))
            .collect();
        for ((row, col), a) in totals {
            let rounded = div_round_half_up(i128::from(a.fen()), 10_000) * 10_000;
            t.set(&row, &col, Amount(i64::try_from(rounded).unwrap()));
        }
    }
    let imported = import_with(&tables, None);
    assert_eq!(imported.precision, None);
    let below: Vec<String> = imported
        .warnings
        .iter()
        .map(ToString::to_string)
        .filter(|w| w.contains("填列数"))
        .collect();
    assert!(below.is_empty(), "{below:#?}");
    assert_eq!(imported.facts, juesuan_xlsx::table_facts(&uy.facts));
}
