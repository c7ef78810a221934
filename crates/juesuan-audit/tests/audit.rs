//! The auditor on the seed (finds exactly its real inconsistencies), on our own generated
//! report (clean), on corrupted copies of it (every material corruption caught), and on
//! small reports in other wording.

use juesuan_audit::{audit, Kind, Outcome};

const SEED: &str = include_str!("fixtures/liangshan-kexie-2021-published.txt");

fn fails(text: &str) -> Vec<(usize, Kind, String)> {
    let mut v: Vec<_> = audit(text)
        .failures()
        .map(|c| (c.line, c.kind, c.stated.clone()))
        .collect();
    v.sort_by_key(|(l, _, s)| (*l, s.clone()));
    v
}

#[test]
fn the_seed_audit_finds_its_real_inconsistencies_and_nothing_else() {
    let a = audit(SEED);
    let found = fails(SEED);
    let expected = vec![
        // 财政拨款收、支总计 56.59 / 629.95 = 8.98%, printed 9.03%
        (51, Kind::ChangeRate, "9.03%".to_string()),
        // “三公” shares: 10.03 / 10.97 = 91.43% and 0.94 / 10.97 = 8.57%, printed 96.19% and 3.81%
        (114, Kind::Share, "3.81%".to_string()),
        (114, Kind::Share, "96.19%".to_string()),
        // 政府采购支出总额 printed 0 with 57.5 of services, and shares of that 0
        (143, Kind::TotalOfParts, "0".to_string()),
        (143, Kind::Share, "100%".to_string()),
        (143, Kind::Share, "100%".to_string()),
        // 聘用宣传员劳务费 "2人*1万元/年人=0.5万元": 2 × 1 = 2万元 (the list's 共计12万元 takes 0.5)
        (685, Kind::Arithmetic, "0.5".to_string()),
    ];
    assert_eq!(found, expected);
    // 机关运行经费 "52.89（35.31万元，比2020年增加17.58万元，增加49.79%" is garbled (a bracket
    // opened after a bare number, never closed): 52.89 − 35.31 = 17.58 and 17.58 ÷ 35.31 =
    // 49.79%, so read as written it only looks wrong — a parse note, not an error.
    assert!(a.checks.iter().any(|c| c.line == 141
        && c.outcome == Outcome::ParseError
        && c.stated == "49.79%"
        && c.message.contains("句子残缺")));
    // 19.09% (131.02 / 686.54 = 19.08%) is a forced-to-100% rounding note, not an error.
    assert!(a
        .checks
        .iter()
        .any(|c| c.outcome == Outcome::RoundingNote && c.stated == "19.09%"));
    // Consistent statements pass: 8.74%, 22.6% (one decimal), 161.11%, the income shares.
    for ok in ["8.74%", "22.6%", "161.11%", "59.16%"] {
        assert!(
            a.checks
                .iter()
                .any(|c| c.outcome == Outcome::Pass && c.stated == ok),
            "{ok} should pass"
        );
    }
    // Every failure quotes its sentence and names what the figure should be.
    for c in a.failures() {
        assert!(!c.quote.is_empty() && !c.expected.is_empty() && !c.message.is_empty());
    }
}

#[test]
fn statements_in_other_wording_are_checked_too() {
    let text = "\
一、收入支出决算总体情况
2022年度收入总计1,000万元。
2022年本年支出合计250.00万元，其中：基本支出200.00万元，占80.00%；项目支出50.00万元，占20.00%。
二、其他
某县教育局2022年“三公”经费支出12.50万元，比上年减少2.50万元，下降16.67%。
机关运行经费支出30.00万元，比2021年20.00万元增加10.00万元，增长50.00%。
政府采购支出总额100.00万元，其中：货物60.00万元、工程30.00万元、服务20.00万元。
办公费支出8.00万元，预算数为10.00万元，完成预算的85.00%。
";
    let f = fails(text);
    // 60 + 30 + 20 = 110 > 100; 8 / 10 = 80%, printed 85%
    assert_eq!(
        f.iter()
            .map(|(_, k, s)| (*k, s.as_str()))
            .collect::<Vec<_>>(),
        vec![(Kind::TotalOfParts, "100.00"), (Kind::Completion, "85.00%")]
    );
    // the change without a stated prior year: 2.5 / (12.5 + 2.5) = 16.67% passes
    assert!(audit(text)
        .checks
        .iter()
        .any(|c| c.kind == Kind::ChangeRate && c.stated == "16.67%" && c.outcome == Outcome::Pass));
}

#[test]
fn a_direction_word_against_the_figures_is_an_error() {
    let text = "机关运行经费支出30.00万元，与2021年40.00万元相比，增加10.00万元，增长25.00%。";
    let f = fails(text);
    assert!(f.iter().any(|(_, k, _)| *k == Kind::Direction), "{f:?}");
}

#[test]
fn amounts_in_yuan_and_full_width_digits_are_read() {
    let text = "本年支出合计１２，０００元。\n本年支出合计100000元，其中：基本支出60000元，占60.00%；项目支出40000元，占40.00%。";
    let a = audit(text);
    assert!(a.failures().next().is_none(), "{:?}", a.checks);
    assert!(a.checks.iter().filter(|c| c.kind == Kind::Share).count() == 2);
}

#[test]
fn a_percentage_without_a_whole_is_not_guessed() {
    let text = "其中基本支出占60%。";
    let a = audit(text);
    assert!(a.checks.iter().all(|c| c.outcome != Outcome::Fail));
}

#[test]
fn the_same_figure_stated_twice_must_agree() {
    let text = "\
五、一般公共预算财政拨款支出决算情况说明
2021年一般公共预算财政拨款支出686.54万元，占本年支出合计的100%。
六、其他
2021年一般公共预算财政拨款支出686.45万元，主要用于以下方面。
";
    let f = fails(text);
    assert_eq!(f, vec![(4, Kind::SameFigure, "686.45".to_string())]);
    // within rounding (57.5 and 57.50) is the same figure
    assert!(fails("政府采购支出总额57.5万元。\n政府采购支出总额57.50万元。\n").is_empty());
}

#[test]
fn a_class_must_equal_the_sum_of_its_items() {
    let text = "\
（二）一般公共预算财政拨款支出决算结构情况
2021年一般公共预算财政拨款支出30.00万元，主要用于：科学技术（类）支出30.00万元，占100.00%。
（三）一般公共预算财政拨款支出决算具体情况
1.科学技术支出（206类）科学技术普及（07款）机构运行（01项）：支出决算为20.00万元，年初预算为20.00万元，完成年初预算的100.00%。
2.科学技术支出（206类）科学技术普及（07款）科普活动（02项）：支出决算为9.00万元，年初预算为9.00万元，完成年初预算的100.00%，决算数等于预算数的原因是按计划执行15万元。
";
    let f = fails(text);
    // 20 + 9 = 29 ≠ 30; the 15万元 in the reason is not an item figure
    assert_eq!(f, vec![(2, Kind::ClassOfItems, "30.00".to_string())]);
}

#[test]
fn the_text_must_agree_with_the_documents_own_tables() {
    let text = "\
二、收入决算情况说明
2021年本年收入合计616.45万元，其中：一般公共预算财政拨款收入616.45万元，占100.00%。
公开01表 收入支出决算总表
单位：万元
| 项目 | 决算数 | 项目 | 决算数 |
| 一、一般公共预算财政拨款收入 | 616.54 | 科学技术支出 | 514.30 |
| 本年收入合计 | 616.54 | 本年支出合计 | 514.30 |
";
    let f = fails(text);
    assert_eq!(
        f,
        vec![
            (2, Kind::TextAgainstTable, "616.45".to_string()),
            (2, Kind::TextAgainstTable, "616.45".to_string()),
        ]
    );
    // tables in 元 are scaled by their unit line
    let yuan = "本年支出合计686.54万元。\n单位：元\n\t本年支出合计\t6865400.00\n";
    assert!(fails(yuan).is_empty(), "{:?}", audit(yuan).checks);
    assert!(audit(yuan)
        .checks
        .iter()
        .any(|c| c.kind == Kind::TextAgainstTable));
}

/// Reports written for these tests in other wording than the seed: a central-style 2022 report
/// with three deliberate errors and a tab-separated table, and a municipal 2023 report that is
/// right throughout (thousands separators, 较…增长, 与…相比各减少).
#[test]
fn fixtures_in_other_wording_find_exactly_the_planted_errors() {
    let central = include_str!("fixtures/central-style-2022-with-errors.txt");
    assert_eq!(
        fails(central),
        vec![
            // 300 / 4800 = 6.25%, printed 6.52%
            (7, Kind::Share, "6.52%".to_string()),
            // the text says 5,000.00, the table 5,100.00
            (10, Kind::TextAgainstTable, "5,000.00".to_string()),
            // 4600 / 4000 = 115%, printed 105%
            (16, Kind::Completion, "105.00%".to_string()),
        ]
    );
    let correct = include_str!("fixtures/other-province-2023-correct.txt");
    let a = audit(correct);
    assert!(a.failures().next().is_none(), "{:#?}", a.checks);
    assert!(
        a.checks
            .iter()
            .filter(|c| c.outcome == Outcome::Pass)
            .count()
            >= 10
    );
}

#[test]
fn counts_in_a_closed_list_must_add_up() {
    let ok = "截至2021年12月底，单位共有公务用车3辆，其中：轿车1辆、越野车2辆、载客汽车0辆。";
    assert!(fails(ok).is_empty());
    let bad = "截至2021年12月底，单位共有公务用车3辆，其中：轿车1辆、越野车1辆、载客汽车0辆。";
    assert_eq!(fails(bad), vec![(1, Kind::Counts, "3辆".to_string())]);
    // parts beyond the whole fail even in an open list
    let over = "国内公务接待8批次，其中：省级5批次；市级6批次。";
    assert_eq!(fails(over), vec![(1, Kind::Counts, "8批次".to_string())]);
    // an open list may leave parts out
    let open = "国内公务接待8批次，其中：省级5批次；市级1批次。";
    assert!(fails(open).is_empty());
}

/// Issue #18: a completion rate followed by an unclosed parenthesis used to compute
/// `usize::MAX + close` (a panic in debug, a wrapped offset and 数据不足 in release). The
/// parenthesis runs to the end of the sentence; the budget in it is read.
#[test]
fn a_rate_followed_by_an_unclosed_parenthesis_is_checked() {
    let outcome = |text: &str| {
        let a = audit(text);
        let c: Vec<_> = a
            .checks
            .iter()
            .filter(|c| c.kind == Kind::Completion)
            .collect();
        assert_eq!(c.len(), 1, "{:?}", a.checks);
        c[0].outcome
    };
    // The input kept under fuzz/regressions/audit_text/: 513.60 ÷ 480 = 107%.
    assert_eq!(
        outcome(include_str!(
            "../../../fuzz/regressions/audit_text/unclosed-parenthesis-after-rate.txt"
        )),
        Outcome::Pass
    );
    assert_eq!(
        outcome("支出决算为600.00元，完成年初预算107%（480元"),
        Outcome::Fail
    );
    // Nothing after the opening parenthesis: no budget, said so.
    assert_eq!(
        outcome("支出决算为513.60元，完成年初预算107%（"),
        Outcome::InsufficientData
    );
}

/// Issue #18, found by the fuzz campaign: a figure printed with 38 decimals overflowed the
/// exact half unit. Alone in its document it checks nothing: 无法核对, not a crash.
#[test]
fn a_figure_with_absurdly_many_decimals_is_read_without_overflow() {
    let text =
        include_str!("../../../fuzz/regressions/audit_text/many-decimals-overflow-pow10.txt");
    let a = audit(text);
    assert_eq!(a.verdict(), juesuan_audit::Verdict::Unchecked);
}

/// Never silent: a text with no checkable relation is 无法核对, and the coverage names what
/// was read and the sentences with figures that no check understood.
#[test]
fn an_audit_reports_its_coverage_and_is_unchecked_when_nothing_was_checked() {
    let tables_only = "项目\t本年预算\n人员经费\t240.00\n\u{c}公用经费\t60.00\n\u{c}";
    let a = audit(tables_only);
    assert_eq!(a.verdict(), juesuan_audit::Verdict::Unchecked);
    assert_eq!(a.coverage.pages, Some(2));
    assert_eq!(a.coverage.table_rows, 2);
    let text = juesuan_audit::report_text(&a, "t");
    assert!(
        text.contains("结论：无法核对") && !text.contains("未发现计算错误"),
        "{text}"
    );
    assert!(juesuan_audit::report_html(&a, "t").contains("无法核对"));

    let mixed = "收入合计100.00万元，其中：财政拨款60.00万元，占60.00%；事业收入40.00万元，占40.00%。\n本单位办公用房面积较上年有所调整，涉及金额12.00万元。\n";
    let a = audit(mixed);
    assert_eq!(a.verdict(), juesuan_audit::Verdict::Clean);
    assert_eq!(a.coverage.sentences_with_figures, 2);
    assert_eq!(a.coverage.understood, 1);
    assert_eq!(a.coverage.not_understood, 1);
    assert!(a.coverage.examples[0].quote.contains("办公用房"));
    assert!(juesuan_audit::report_text(&a, "t").contains("未读懂1句"));

    // A document without any text (a scanned PDF) says so.
    let a = audit("\u{c}\n\u{c}\n");
    assert!(!a.coverage.has_text);
    assert!(juesuan_audit::report_text(&a, "t").contains("扫描件"));
}

/// Spaces between Chinese and digits (pdftotext output) do not hide a wrong rate.
#[test]
fn spaces_between_chinese_and_digits_are_read() {
    let f = fails("收入预算 525.00 万元，与 2019 年度相比增加 25.00 万元，增长 6.00 %。\n");
    // 25 ÷ 500 = 5.00%
    assert_eq!(f, vec![(1, Kind::ChangeRate, "6.00%".to_string())]);
}

/// The same words under two 款 name two quantities: not compared (前后一致 within a subject).
#[test]
fn the_same_label_under_two_subjects_is_not_one_figure() {
    let text = "\
检察（款）：本年预算支出合计1,600.00万元。
住房改革支出（款）：本年预算支出合计360.00万元。
1.甲项目：上年当年预算执行数为80.00万元。
2.乙项目：上年当年预算执行数为45.00万元。
";
    assert!(fails(text).is_empty(), "{:?}", fails(text));
}

/// A change stated with a part ("其中：A 500.00万元，比上年增加30.00万元；B…") is not a part.
#[test]
fn a_change_after_a_part_is_not_a_part() {
    let text = "收入预算800.00万元，其中：财政拨款收入500.00万元，比上年增加30.00万元；事业收入300.00万元。\n";
    let a = audit(text);
    assert!(a.failures().next().is_none(), "{:?}", a.checks);
    assert!(a
        .checks
        .iter()
        .any(|c| c.kind == Kind::TotalOfParts && c.outcome == Outcome::Pass));
}

#[test]
fn a_figure_over_a_page_break_is_on_the_page_where_it_is_printed() {
    // pdftotext output: the sentence starts on page 1 and ends on page 2.
    let layout = "  本单位政府性基金支出0万元，与上年相比增加（减少）0万元，增长\n\n   1\n\u{c}（减少）0%。项目支出200.00万元，比上年增加20.00万元，增长12.50%。\n";
    let text = juesuan_readers::unwrap_lines(layout);
    let a = audit(&text);
    let pages: Vec<(Kind, Option<usize>)> = a.failures().map(|c| (c.kind, c.page)).collect();
    // The unfilled template pair is printed on page 1; the wrong rate (20 ÷ 180 = 11.11%)
    // on page 2.
    assert_eq!(
        pages,
        vec![
            (Kind::TemplateResidue, Some(1)),
            (Kind::ChangeRate, Some(2))
        ],
        "{text:?}"
    );
}

#[test]
fn a_share_list_over_a_page_break_is_seen_whole() {
    // The list goes on over the break after "；": its whole is found, its forced tail is a
    // note, and the parts add up.
    let layout = "  本年支出合计300.00万元，其中：基本支出200.01万元，占66.67%；项目支出49.99万元，占16.66%；\n\n\n   1\n\u{c}  其他支出50.00万元，占16.67%。\n";
    let a = audit(&juesuan_readers::unwrap_lines(layout));
    assert_eq!(a.failures().count(), 0, "{:#?}", a.checks);
    assert!(a
        .checks
        .iter()
        .any(|c| c.kind == Kind::TotalOfParts && c.outcome == Outcome::Pass));
}

#[test]
fn a_budget_is_the_figure_that_changed_in_a_budget_document() {
    // The sentence before states only a budget: it is the figure that changed.
    // 30 ÷ (330 − 30) = 10.00%, printed 11.00%.
    let text = "人员经费预算数为330.00万元。与上年相比增加30.00万元，增长11.00%。\n";
    let found: Vec<(Kind, String, String)> = audit(text)
        .failures()
        .map(|c| (c.kind, c.stated.clone(), c.expected.clone()))
        .collect();
    assert_eq!(
        found,
        vec![(Kind::ChangeRate, "11.00%".into(), "10.00%".into())]
    );
}

/// Issue #11, pattern 12: a rate stated without its change amount is checked against the two
/// figures of its sentence, the base being the one its label names (执行数, 上年).
#[test]
fn a_rate_without_its_change_amount_is_checked_against_the_named_base() {
    let kinds = |text: &str| -> Vec<(Kind, Outcome)> {
        audit(text)
            .checks
            .iter()
            .filter(|c| matches!(c.kind, Kind::ChangeRate | Kind::Direction))
            .map(|c| (c.kind, c.outcome))
            .collect()
    };
    let right = "2023年执行数为80.00万元，2024年预算安排92.00万元，比执行数增加15.00%。";
    assert_eq!(kinds(right), [(Kind::ChangeRate, Outcome::Pass)]);
    let wrong = "2023年执行数为80.00万元，2024年预算安排92.00万元，比执行数增加16.00%。";
    assert_eq!(kinds(wrong), [(Kind::ChangeRate, Outcome::Fail)]);
    let wrong_way = "上年执行数为80.00万元，本年预算安排72.00万元，比上年增长10.00%。";
    assert_eq!(kinds(wrong_way), [(Kind::Direction, Outcome::Fail)]);
    // Neither figure named as the base: no guess.
    assert!(kinds("甲单位80.00万元，乙单位92.00万元，比执行数增加15.00%。").is_empty());
}
