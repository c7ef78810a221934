//! The example's journal imports to exactly the example's facts; each malformed row gives
//! its stated error (rule, line, column); encodings, BOM, CRLF and quoted commas read right.

use juesuan_core::input::parse_input;
use juesuan_core::write::normalized_facts;
use juesuan_core::{Catalogues, FactTable, Measure, Scenario};
use juesuan_data::Library;
use juesuan_journal::unit_year::{input_text, merge, placeholder, Provenance};
use juesuan_journal::{
    account_map, column_map, import, BalanceCheck, ColumnMap, Journal, JournalError, Options, Rule,
    TextEncoding,
};

const EXAMPLE_INPUT: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
const EXAMPLE_JOURNAL: &str = include_str!("../../../examples/liangshan-kexie-2021/journal.csv");

fn catalogues() -> Catalogues {
    Library::embedded().catalogues(2021).unwrap()
}

fn run_with(text: &[u8], columns: &ColumnMap, options: &Options) -> Result<Journal, JournalError> {
    let lib = Library::embedded();
    let accounts = account_map(&lib, 2021).unwrap();
    import(
        text,
        "j.csv",
        columns,
        &accounts,
        &catalogues(),
        options,
        &mut |_| {},
    )
}

fn run(text: &str) -> Result<Journal, JournalError> {
    let columns = column_map(&Library::embedded(), "juesuan").unwrap();
    run_with(text.as_bytes(), &columns, &Options::default())
}

/// Facts of the measures a journal gives, without locations.
fn journal_measures(facts: &FactTable) -> Vec<juesuan_core::Fact> {
    normalized_facts(facts)
        .into_iter()
        .filter(|f| {
            f.scenario == Scenario::Actual
                && matches!(
                    f.measure,
                    Measure::Income
                        | Measure::Expenditure
                        | Measure::BasicEconomic
                        | Measure::CarryoverBegin
                        | Measure::SanGong
                )
        })
        .collect()
}

#[test]
fn example_journal_imports_to_exactly_the_example_facts() {
    let cats = catalogues();
    let example = parse_input(EXAMPLE_INPUT, "input.toml", &cats).unwrap();
    let journal = run(EXAMPLE_JOURNAL).unwrap();
    assert_eq!(journal.year, 2021);
    let unit = journal.unit_facts(0).unwrap();
    let got = FactTable {
        facts: unit.facts.clone(),
    };
    assert_eq!(journal_measures(&got), journal_measures(&example.facts));

    // The closing vouchers were skipped, the parallel financial entries not read.
    assert_eq!(journal.stats.closing_vouchers, 2);
    assert!(journal.stats.closing_rows > 30, "{:?}", journal.stats);
    assert_eq!(journal.stats.skipped_rows(), 0);

    // With the example as base, the written input reads back to the example's facts: all
    // of them, derived ones (年末结转和结余, 机关运行经费) included.
    let (uy, notes) = merge(&example, &unit);
    assert!(notes.is_empty(), "{notes:?}");
    let text = input_text(
        &uy,
        &cats,
        &Provenance {
            journal: "journal.csv",
            base: Some("input.toml"),
            prior: None,
        },
    );
    let back = parse_input(&text, "out.toml", &cats).unwrap();
    assert_eq!(
        normalized_facts(&back.facts),
        normalized_facts(&example.facts)
    );
    assert_eq!(back.unit, example.unit);
    assert_eq!(back.reasons, example.reasons);
    assert!(text.contains("[evaluation.department]"), "evaluation kept");
    // Kept whole, comments included, and read back to the same inputs.
    assert!(
        text.contains("# 编制准确 — 全年预算调剂金额"),
        "evaluation comments kept"
    );
    let (a, b) = (
        example.evaluation.as_ref().unwrap(),
        back.evaluation.as_ref().unwrap(),
    );
    assert!(a.same_content(b));
    assert_eq!(
        a.input.as_ref().unwrap().projects.len(),
        b.input.as_ref().unwrap().projects.len()
    );
    assert_eq!(juesuan_core::section_changes(&example, &back), []);

    // Without a base: placeholders that still validate, with TODO comments.
    let uy = placeholder(
        &unit,
        "凉山州科学技术协会",
        juesuan_core::model::UnitKind::CivilServiceManaged,
        2021,
    );
    let text = input_text(
        &uy,
        &cats,
        &Provenance {
            journal: "journal.csv",
            base: None,
            prior: None,
        },
    );
    assert!(text.contains("# TODO：上年决算数"), "{text}");
    let back = parse_input(&text, "out.toml", &cats).unwrap();
    assert_eq!(
        journal_measures(&back.facts),
        journal_measures(&example.facts)
    );
}

const HEADER: &str = "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,项目,借方,贷方\n";

/// A balanced voucher (income and spending of 100元 each) to put bad rows after.
const GOOD: &str = "2021-03-01,记-1,8001,,,,,,100.00,\n2021-03-01,记-1,6001,2060701,,一般公共预算财政拨款,,,,100.00\n2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,100.00,\n2021-03-02,记-2,8001,,,,,,,100.00\n";

fn error_of(rows: &str) -> JournalError {
    run(&format!("{HEADER}{GOOD}{rows}")).unwrap_err()
}

#[track_caller]
fn assert_error(e: &JournalError, rule: Rule, line: u64, column: Option<&str>, says: &str) {
    assert_eq!(e.rule, rule, "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(e.column.as_deref(), column, "{e}");
    let shown = e.to_string();
    assert!(shown.contains(says), "“{says}” not in: {shown}");
    assert!(
        shown.starts_with(&format!("j.csv:{line}: 错误[{}]", rule.code())),
        "{shown}"
    );
}

#[test]
fn bad_function_code_names_line_column_and_rule() {
    let e = error_of("2021-03-03,记-3,7101,2069998,30201,一般公共预算财政拨款,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::UnknownFunction,
        6,
        Some("功能分类"),
        "“2069998”不在",
    );
    let e = error_of("2021-03-03,记-3,7101,20607,30201,一般公共预算财政拨款,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::MalformedFunction,
        6,
        Some("功能分类"),
        "是款级科目",
    );
    let e = error_of("2021-03-03,记-3,7101,2060701,3020,一般公共预算财政拨款,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::BadEconomic,
        6,
        Some("经济分类"),
        "不是5位款级编码",
    );
    let e = error_of("2021-03-03,记-3,7101,2060701,,一般公共预算财政拨款,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::BadEconomic,
        6,
        Some("经济分类"),
        "基本支出分录缺少经济分类科目",
    );
    let e = error_of("2021-03-03,记-3,9101,2060701,30201,一般公共预算财政拨款,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::UnknownAccount,
        6,
        Some("科目"),
        "“9101”不在科目映射",
    );
    let e = error_of("2021-03-03,记-3,7101,2060701,30201,财政专户,基本支出,,5.00,\n");
    assert_error(
        &e,
        Rule::BadSource,
        6,
        Some("资金来源"),
        "无法识别的资金来源“财政专户”",
    );
    let e = error_of("2021-03-03,记-3,7101,2060701,30201,一般公共预算财政拨款,经营支出,,5.00,\n");
    assert_error(&e, Rule::BadNature, 6, Some("支出性质"), "不能记为经营支出");
}

#[test]
fn bad_dates_and_amounts() {
    let e = error_of("2021-02-30,记-3,8001,,,,,,5.00,\n");
    assert_error(
        &e,
        Rule::BadDate,
        6,
        Some("日期"),
        "“2021-02-30”不是有效日期",
    );
    let e = error_of("21/3/3,记-3,8001,,,,,,5.00,\n");
    assert_error(&e, Rule::BadDate, 6, Some("日期"), "不是有效日期");
    let e = error_of("2022-01-03,记-3,8001,,,,,,5.00,\n");
    assert_error(
        &e,
        Rule::OutsideYear,
        6,
        Some("日期"),
        "不在决算年度2021年内",
    );
    let e = error_of("2021-03-03,记-3,8001,,,,,,5.001,\n");
    assert_error(&e, Rule::BadAmount, 6, Some("借方"), "超过精确到分");
    let e = error_of("2021-03-03,记-3,8001,,,,,,\"1,234.00\",\n");
    assert_error(
        &e,
        Rule::BadAmount,
        6,
        Some("借方"),
        "“1,234.00”不是有效金额",
    );
    let e = error_of("2021-03-03,记-3,8001,,,,,,5.00,5.00\n");
    assert_error(&e, Rule::BothSides, 6, Some("贷方"), "都有金额");
    let e = error_of("2021-03-03,,8001,,,,,,5.00,\n");
    assert_error(&e, Rule::MissingVoucher, 6, Some("凭证号"), "凭证号为空");
}

#[test]
fn unbalanced_voucher_is_reported_at_its_first_line_with_both_totals() {
    let e = error_of(
        "2021-03-03,记-3,7101,2060701,30201,一般公共预算财政拨款,基本支出,,100.00,\n2021-03-03,记-3,8001,,,,,,,99.99\n",
    );
    assert_error(
        &e,
        Rule::Unbalanced,
        6,
        None,
        "凭证“记-3”（第6–7行，2条分录）借方合计100.00元，贷方合计99.99元，相差0.01元",
    );
    // One-sided vouchers (an export of spending lines only) are not checked by default…
    let one_sided = format!(
        "{HEADER}2021-03-03,记-3,7101,2060701,30201,一般公共预算财政拨款,基本支出,,100.00,\n"
    );
    let j = run(&one_sided).unwrap();
    assert_eq!(j.stats.fact_rows, 1);
    // …but are with --balance strict.
    let columns = column_map(&Library::embedded(), "juesuan").unwrap();
    let strict = Options {
        balance: BalanceCheck::Strict,
        ..Options::default()
    };
    let e = run_with(one_sided.as_bytes(), &columns, &strict).unwrap_err();
    assert_eq!(e.rule, Rule::Unbalanced);
}

/// Issue #18: voucher sides are summed without wrapping. The kept fuzz input has 185 debit
/// rows within the amount bound whose sum is 2⁶⁴ 分 + 100 元: in `i64` it wrapped to exactly
/// the 100 元 credit and passed the balance check.
#[test]
fn voucher_sides_cannot_wrap_into_balance() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/regressions/journal_csv/voucher-wraps-to-balance.csv"
    );
    let text = std::fs::read_to_string(path).expect("regression input");
    let e = run(&text).unwrap_err();
    assert_error(
        &e,
        Rule::Unbalanced,
        2,
        None,
        "借方合计184467440737095616.16元，贷方合计100.00元，相差184467440737095516.16元",
    );
}

#[test]
fn keep_going_reports_and_skips_bad_rows_and_counts_the_rest() {
    let text = format!(
        "{HEADER}{GOOD}2021-13-01,记-3,8001,,,,,,5.00,\n2021-03-04,记-4,7101,2069998,30201,一般公共预算财政拨款,基本支出,,5.00,\n2021-03-05,记-5,7101,2060701,30201,一般公共预算财政拨款,基本支出,,100.00,\n2021-03-05,记-5,8001,,,,,,,90.00\n{}",
        GOOD.replace("记-", "记-9")
    );
    let columns = column_map(&Library::embedded(), "juesuan").unwrap();
    let options = Options {
        keep_going: true,
        ..Options::default()
    };
    let mut seen = Vec::new();
    let lib = Library::embedded();
    let j = import(
        text.as_bytes(),
        "j.csv",
        &columns,
        &account_map(&lib, 2021).unwrap(),
        &catalogues(),
        &options,
        &mut |e| seen.push((e.rule, e.line)),
    )
    .unwrap();
    assert_eq!(
        seen,
        [
            (Rule::BadDate, Some(6)),
            (Rule::UnknownFunction, Some(7)),
            (Rule::Unbalanced, Some(8)),
        ]
    );
    // Both good blocks count: 200元 income and 200元 spending.
    let facts = j.unit_facts(0).unwrap().facts;
    let sum = |m: Measure| -> i64 {
        facts
            .iter()
            .filter(|f| f.measure == m)
            .map(|f| f.amount.fen())
            .sum()
    };
    assert_eq!(sum(Measure::Income), 20_000);
    assert_eq!(sum(Measure::Expenditure), 20_000);
    assert_eq!(j.stats.skipped_rows(), 4);

    // A bad row of another voucher does not excuse the voucher before it from its check.
    let text = format!(
        "{HEADER}2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,60.00,\n2021-03-02,记-2,8001,,,,,,,50.00\n2021-02-30,记-3,8001,,,,,,5.00,\n"
    );
    let mut seen = Vec::new();
    import(
        text.as_bytes(),
        "j.csv",
        &columns,
        &account_map(&lib, 2021).unwrap(),
        &catalogues(),
        &options,
        &mut |e| seen.push((e.rule, e.line)),
    )
    .unwrap();
    assert_eq!(
        seen,
        [(Rule::BadDate, Some(4)), (Rule::Unbalanced, Some(2))]
    );
}

#[test]
fn gbk_text_in_a_utf8_file_is_named_and_gbk_reads_with_the_encoding() {
    let utf8 = format!("{HEADER}{GOOD}");
    let (gbk, _, bad) = encoding_rs::GBK.encode(&utf8);
    assert!(!bad);
    let e = run_with(
        &gbk,
        &column_map(&Library::embedded(), "juesuan").unwrap(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::Encoding, Some(1)), "{e}");
    assert!(e.to_string().contains("按 GBK 读为“日期”"), "{e}");
    assert!(e.to_string().contains("--encoding gbk"), "{e}");

    let options = Options {
        encoding: Some(TextEncoding::Gb18030),
        ..Options::default()
    };
    let j = run_with(
        &gbk,
        &column_map(&Library::embedded(), "juesuan").unwrap(),
        &options,
    )
    .unwrap();
    assert_eq!(j.stats.fact_rows, 2);

    // A GBK cell in an otherwise UTF-8 file: the row and column are named.
    let mut mixed = format!("{HEADER}{GOOD}").into_bytes();
    mixed.extend_from_slice(b"2021-03-03,\xbc\xc7-3,7101,2060701,30201,");
    mixed.extend_from_slice(&encoding_rs::GBK.encode("财政拨款").0);
    mixed.extend_from_slice(b",basic,,1.00,\n");
    let e = run_with(
        &mixed,
        &column_map(&Library::embedded(), "juesuan").unwrap(),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::Encoding, Some(6)), "{e}");
    assert_eq!(e.column.as_deref(), Some("资金来源"));
    assert!(e.to_string().contains("按 GBK 读为“财政拨款”"), "{e}");
}

#[test]
fn bom_crlf_and_quoted_commas_read_like_plain_csv() {
    let plain = run(&format!("{HEADER}{GOOD}")).unwrap();
    let dressed = format!("\u{feff}{HEADER}{GOOD}")
        .replace('\n', "\r\n")
        .replace("记-1", "\"记-1\"")
        .replace(",,,,,,100.00,\r\n", ",,,,,\"项目,含逗号\",100.00,\r\n");
    assert!(dressed.contains("\"项目,含逗号\""));
    let j = run(&dressed).unwrap();
    assert_eq!(
        j.unit_facts(0).unwrap().facts,
        plain.unit_facts(0).unwrap().facts
    );
    // A quoted field with a line break keeps the line numbers of the file.
    let multiline = format!("{HEADER}{GOOD}2021-03-03,记-3,8001,,,,,\"两行\n项目\",5.00,\n2021-03-03,记-3,9999,,,,,,,5.00\n");
    let e = run(&multiline).unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::UnknownAccount, Some(8)), "{e}");
    // A row with a missing quote or an extra comma has the wrong number of fields.
    let e = error_of("2021-03-03,记-3,8001,,,,,项目,含逗号,5.00,\n");
    assert_error(&e, Rule::Csv, 6, None, "该行有11个字段，表头有10个");
}

#[test]
fn yonyou_style_export_gbk_with_thousands_separators() {
    let lib = Library::embedded();
    let columns = column_map(&lib, "yonyou").unwrap();
    let text = "凭证日期,凭证字号,摘要,科目代码,科目名称,功能科目,经济科目,资金性质,支出类型,项目,借方金额,贷方金额\n\
2021/3/1,记-0001,额度到账,8001,资金结存,,,,,,\"1,234,567.80\",\n\
2021/3/1,记-0001,额度到账,600101,财政拨款预算收入,2060701 机构运行,,财政拨款,,,,\"1,234,567.80\"\n\
2021/3/9,记-0002,付款,7101,行政支出,[2060701]机构运行,[30201]办公费,财政拨款,基本,,\"1,000.00\",\n\
2021/3/9,记-0002,付款,8001,资金结存,,,,,,,\"1,000.00\"\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let j = run_with(&gbk, &columns, &Options::default()).unwrap();
    let facts = j.unit_facts(0).unwrap().facts;
    let income: Vec<_> = facts
        .iter()
        .filter(|f| f.measure == Measure::Income)
        .collect();
    assert_eq!(income.len(), 1);
    assert_eq!(income[0].amount.fen(), 123_456_780);
    assert_eq!(income[0].function.as_deref(), Some("2060701"));
    let basic: Vec<_> = facts
        .iter()
        .filter(|f| f.measure == Measure::BasicEconomic)
        .collect();
    assert_eq!(basic[0].economic.as_deref(), Some("30201"));
    assert_eq!(basic[0].amount.fen(), 100_000);
    // Thousands separators must be every three digits.
    let bad = text.replace("\"1,000.00\",\n", "\"10,00.00\",\n");
    let e = run_with(
        &encoding_rs::GBK.encode(&bad).0,
        &columns,
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::BadAmount, Some(4)), "{e}");
}

#[test]
fn several_units_need_a_choice_and_one_can_be_selected() {
    let text = "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,金额,单位\n\
2021-03-01,1,7101,2060701,30201,general_budget,basic,100,甲单位\n\
2021-03-01,1,6001,2060701,,general_budget,,-100,甲单位\n\
2021-03-01,1,7101,2060701,30201,general_budget,basic,7,乙单位\n\
2021-03-01,1,6001,2060701,,general_budget,,-7,乙单位\n";
    let e = run(text).unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::Unit, Some(4)), "{e}");
    assert!(e.to_string().contains("--unit"), "{e}");
    let columns = column_map(&Library::embedded(), "juesuan").unwrap();
    let only = Options {
        unit: Some("乙单位".into()),
        ..Options::default()
    };
    let j = run_with(text.as_bytes(), &columns, &only).unwrap();
    assert_eq!(j.stats.other_unit_rows, 2);
    let i = j
        .units
        .iter()
        .position(|u| u.as_deref() == Some("乙单位"))
        .unwrap();
    let facts = j.unit_facts(i).unwrap().facts;
    assert!(facts
        .iter()
        .any(|f| f.measure == Measure::Income && f.amount.fen() == 700));
    let all = Options {
        all_units: true,
        ..Options::default()
    };
    let j = run_with(text.as_bytes(), &columns, &all).unwrap();
    assert_eq!(j.units.len(), 2);
    // Rows per unit, for the version notes of a store import.
    assert_eq!(j.unit_rows, [2, 2]);
}

#[test]
fn missing_column_and_negative_totals() {
    let e = run("日期,凭证号,科目,经济分类,借方,贷方\n").unwrap_err();
    assert_eq!((e.rule, e.line), (Rule::MissingColumn, Some(1)), "{e}");
    assert!(e.to_string().contains("缺少“功能分类”列"), "{e}");
    let refund_too_big = format!(
        "{HEADER}2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,-100.00,\n2021-03-02,记-2,8001,,,,,,,-100.00\n"
    );
    let j = run(&refund_too_big).unwrap();
    let errors = j.unit_facts(0).unwrap_err();
    assert!(errors.iter().all(|e| e.rule == Rule::NegativeTotal));
    assert!(
        errors[0].to_string().contains("合计为负（-100.00元）"),
        "{}",
        errors[0]
    );
}

/// The step the command line and the web share: journal + base → validated input text.
#[test]
fn build_input_merges_validates_and_takes_known_prior_figures() {
    use juesuan_journal::unit_year::{build_input, Base, PriorTotals};
    let cats = catalogues();
    let example = parse_input(EXAMPLE_INPUT, "input.toml", &cats).unwrap();
    let unit = run(EXAMPLE_JOURNAL).unwrap().unit_facts(0).unwrap();

    let base = Base::Input {
        uy: &example,
        name: "input.toml",
    };
    let draft = build_input(&unit, 2021, &base, &cats, "journal.csv").unwrap();
    assert_eq!(
        normalized_facts(&draft.unit_year.facts),
        normalized_facts(&example.facts)
    );
    assert!(draft.text.contains("取自 input.toml"), "{}", draft.text);
    // The draft's unit-year holds the base's evaluation, parsed.
    assert!(draft.unit_year.evaluation.as_ref().unwrap().input.is_ok());

    // Placeholders with the previous year's figures known: stated, not zero, no TODO there.
    let prior = PriorTotals {
        origin: "已存的2020年度第2版（版本5）".into(),
        grand_total: juesuan_core::Amount(12_345_678),
        fiscal_grand_total: juesuan_core::Amount(10_000_000),
        general_budget_expenditure: juesuan_core::Amount(9_000_000),
        sangong: [("reception".to_string(), juesuan_core::Amount(123_400))].into(),
        operating_costs: Some(juesuan_core::Amount(5_500_000)),
    };
    let base = Base::Placeholder {
        name: "某单位",
        kind: juesuan_core::model::UnitKind::Administrative,
        prior: Some(&prior),
    };
    let draft = build_input(&unit, 2021, &base, &cats, "journal.csv").unwrap();
    assert!(
        draft
            .text
            .contains("# 上年决算数取自已存的2020年度第2版（版本5）。"),
        "{}",
        draft.text
    );
    assert!(!draft.text.contains("下面的 0 是占位数"), "{}", draft.text);
    let prior_of = |m: Measure| {
        draft
            .unit_year
            .facts
            .facts
            .iter()
            .filter(|f| f.measure == m && f.scenario == Scenario::Prior)
            .map(|f| f.amount.fen())
            .sum::<i64>()
    };
    assert_eq!(prior_of(Measure::GrandTotal), 12_345_678);
    assert_eq!(prior_of(Measure::FiscalGrandTotal), 10_000_000);
    assert_eq!(prior_of(Measure::OperatingCosts), 5_500_000);
    assert_eq!(prior_of(Measure::SanGong), 123_400);

    // A result that breaks an input rule: J032 naming the unit and the input error code.
    let overspent = run(&format!(
        "{HEADER}2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,60.00,\n2021-03-02,记-2,8001,,,,,,,60.00\n"
    ))
    .unwrap()
    .unit_facts(0)
    .unwrap();
    let base = Base::Placeholder {
        name: "某单位",
        kind: juesuan_core::model::UnitKind::Administrative,
        prior: None,
    };
    let errors = build_input(&overspent, 2021, &base, &cats, "j.csv").unwrap_err();
    assert!(errors.iter().all(|e| e.rule == Rule::Validation));
    assert!(
        errors.iter().any(|e| e
            .to_string()
            .contains("单位“某单位”的导入结果不能作为输入文件：[E031]")),
        "{errors:?}"
    );
}

/// The import with the data files of the journal's year: row errors reported once, the
/// file opened once when the guessed year's files serve.
#[test]
fn import_for_year_reports_each_row_error_once() {
    let lib = Library::embedded();
    let columns = column_map(&lib, "juesuan").unwrap();
    let text = format!(
        "{HEADER}{GOOD}2021-03-03,记-3,7101,2069998,30201,一般公共预算财政拨款,基本支出,,5.00,\n2021-03-03,记-3,8001,,,,,,,5.00\n"
    );
    let options = Options {
        keep_going: true,
        ..Options::default()
    };
    let mut opened = 0;
    let mut seen = Vec::new();
    let (journal, cats) = juesuan_journal::import_for_year(
        &lib,
        || {
            opened += 1;
            Ok(text.as_bytes())
        },
        "j.csv",
        &columns,
        &options,
        &|y| lib.catalogues(y),
        &mut |e| seen.push(e.clone()),
    )
    .unwrap();
    assert_eq!(journal.year, 2021);
    // Read first with the newest year's data files (2026's catalogues), then again with the
    // journal's own year's, which differ: each row's error is still reported once.
    assert_eq!(opened, 2);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        (seen[0].rule, seen[0].line),
        (Rule::UnknownFunction, Some(6))
    );
    assert!(cats.function.name("2060701").is_some());

    // Without --keep-going the first bad row is the failure.
    let e = juesuan_journal::import_for_year(
        &lib,
        || Ok(text.as_bytes()),
        "j.csv",
        &columns,
        &Options::default(),
        &|y| lib.catalogues(y),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(&e, juesuan_journal::Failure::Journal(j) if j.rule == Rule::UnknownFunction),
        "{e:?}"
    );
    // A missing data file is a setup failure, not the journal's.
    let e = juesuan_journal::import_for_year(
        &lib,
        || Ok(text.as_bytes()),
        "j.csv",
        &columns,
        &Options::default(),
        &|_| Err("没有目录".to_string()),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(e, juesuan_journal::Failure::Setup("没有目录".into()));
}
