//! Workbooks imitating real exports of the official software, built here with
//! rust_xlsxwriter from the example's tables: headers at other rows and columns, merged
//! header cells, 栏次 rows, 元 units, full-width digits and numbers stored as text, "-" for
//! zero, all tables on one sheet or one per sheet, codes in one cell, two cells or three
//! columns (类/款/项). Each must import to exactly the example's facts.
mod common;
use common::builder::*;
use common::*;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_xlsx::{table_facts, ProblemKind};
use rust_xlsxwriter::Workbook;

fn assert_example(st: Style) {
    assert_unit_year(&example(), st);
}

/// The unit-year's tables written in the style import to exactly its facts and tables,
/// without warnings.
fn assert_unit_year(uy: &juesuan_core::UnitYear, st: Style) {
    let bytes = build_tables(&st, &tables_of(uy), |_| {});
    let imported = match import(&bytes) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let unexpected: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| !w.contains("年度"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(imported.facts, table_facts(&uy.facts));
    assert_eq!(imported.stated, tables_of(uy));
}

#[test]
fn many_sheets_codes_in_two_cells() {
    assert_example(BASE);
}

#[test]
fn one_sheet_offset_headers_codes_in_one_cell() {
    assert_example(Style {
        one_sheet: true,
        offset: (3, 2),
        codes: Codes::OneCell,
        blank_rows: true,
        ..BASE
    });
}

#[test]
fn yuan_full_width_text_numbers_and_dashes() {
    assert_example(Style {
        unit: MoneyUnit::Yuan,
        text_numbers: true,
        offset: (1, 1),
        ..BASE
    });
}

#[test]
fn official_layout_three_code_columns_merged_headers_numbering_rows() {
    assert_example(Style {
        codes: Codes::ThreeFull,
        official_paired: true,
        numbering_row: true,
        ..BASE
    });
    assert_example(Style {
        one_sheet: true,
        codes: Codes::ThreeParts,
        official_paired: true,
        numbering_row: true,
        unit: MoneyUnit::Yuan,
        blank_rows: true,
        ..BASE
    });
}

#[test]
fn unit_line_missing_defaults_to_wan_with_a_warning() {
    let uy = example();
    let mut wb = Workbook::new();
    let set = national();
    for (spec, t) in set.tables.iter().zip(tables_of(&uy)) {
        let ws = wb.add_worksheet();
        let st = Style {
            no_unit: true,
            ..BASE
        };
        write_table(ws, spec, &t, &st, 0);
    }
    let bytes = wb.save_to_buffer().unwrap();
    let imported = import(&bytes).unwrap();
    let n = imported
        .warnings
        .iter()
        .filter(|w| w.message.contains("没有写明金额单位"))
        .count();
    assert_eq!(n, 9, "{:#?}", imported.warnings);
    assert_eq!(imported.facts, table_facts(&uy.facts));
}

#[test]
fn stated_totals_that_disagree_are_warnings_and_kept_in_the_stated_tables() {
    let uy = example();
    let mut tables = tables_of(&uy);
    // 公开01表 总计 stated 0.01 万元 too high.
    let t1 = &mut tables[0];
    let total = t1.get("grand_total_in", "amount").unwrap();
    assert!(t1.set("grand_total_in", "amount", Amount(total.fen() + 10_000)));
    let bytes = juesuan_xlsx::write_workbook(&tables, &uy).unwrap();
    let imported = import(&bytes).unwrap();
    assert_eq!(imported.facts, table_facts(&uy.facts));
    let w: Vec<String> = imported.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].contains("工作表“公开01表” B") && w[0].contains("686.548") && w[0].contains("686.538"),
        "{}",
        w[0]
    );
    assert_eq!(
        imported.stated[0].get("grand_total_in", "amount"),
        Some(Amount(total.fen() + 10_000))
    );
}

#[test]
fn error_kinds_are_checked() {
    let e = import(b"not a zip").unwrap_err();
    assert!(e.has(ProblemKind::File), "{e}");
}

/// Seed corpus of the fuzz target: `JUESUAN_XLSX_CORPUS=fuzz/corpus/xlsx_reader cargo test
/// -p juesuan-xlsx --test layouts -- --ignored write_fuzz_corpus`. Not a test: `.ci/run` and the
/// README's run-everything command leave it out.
#[test]
#[ignore = "生成 fuzz 语料，不是测试（需 JUESUAN_XLSX_CORPUS）"]
fn write_fuzz_corpus() {
    let dir = std::path::PathBuf::from(std::env::var("JUESUAN_XLSX_CORPUS").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    let uy = example();
    let ours = juesuan_xlsx::write_workbook(&tables_of(&uy), &uy).unwrap();
    std::fs::write(dir.join("tables.xlsx"), ours).unwrap();
    let official = build(&Style {
        one_sheet: true,
        codes: Codes::ThreeParts,
        official_paired: true,
        numbering_row: true,
        text_numbers: true,
        ..BASE
    });
    std::fs::write(dir.join("official-one-sheet.xlsx"), official).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "收入决算表").unwrap();
    ws.write_string(1, 0, "科目编码").unwrap();
    ws.write_string(1, 1, "本年收入合计").unwrap();
    ws.write_string(2, 0, "2060701 机构运行").unwrap();
    ws.write_number(2, 1, 1.5).unwrap();
    std::fs::write(dir.join("tiny.xlsx"), wb.save_to_buffer().unwrap()).unwrap();
}

// ------------------------------------------------------------------ 公开07表 laid out horizontally
// The official export prints the “三公” table with its items as columns under 预算数 / 决算数
// groups (or with one row per 预算数 / 决算数); each layout must give exactly the facts and
// tables of our vertical one. The example has no 出国 or 车辆购置 spending, so each layout is
// also checked on a unit-year where every item differs, to catch a column read as another.

/// The example with 因公出国（境）费 and 公务用车购置费 not zero (and not equal to anything else).
fn every_item_nonzero() -> juesuan_core::UnitYear {
    let text = EXAMPLE
        .replacen(
            "[sangong.abroad]\nbudget = 0\nactual = 0",
            "[sangong.abroad]\nbudget = 3.5\nactual = 2.123456",
            1,
        )
        .replacen(
            "[sangong.vehicle_purchase]\nbudget = 0\nactual = 0",
            "[sangong.vehicle_purchase]\nbudget = 12\nactual = 11.8",
            1,
        );
    let uy = juesuan_core::input::parse_input(&text, "input.toml", &catalogues()).unwrap();
    let t7 = &tables_of(&uy)[6];
    for (row, col) in [("abroad", "actual"), ("vehicle_purchase", "budget")] {
        assert!(!t7.get(row, col).unwrap().is_zero(), "{row} {col}");
    }
    uy
}

fn assert_sangong_layout(st: Style) {
    assert_example(st);
    assert_unit_year(&every_item_nonzero(), st);
}

const HORIZONTAL: SanGong = SanGong::Horizontal {
    budget: "预算数",
    subtotal: true,
    long_wording: false,
    label: "合计",
};

#[test]
fn sangong_horizontal_with_numbering_row() {
    assert_sangong_layout(Style {
        sangong: HORIZONTAL,
        numbering_row: true,
        ..BASE
    });
    assert_sangong_layout(Style {
        sangong: HORIZONTAL,
        ..BASE
    });
}

#[test]
fn sangong_horizontal_in_yuan_with_full_width_digits() {
    assert_sangong_layout(Style {
        sangong: SanGong::Horizontal {
            budget: "年初预算数",
            subtotal: true,
            long_wording: true,
            label: "",
        },
        unit: MoneyUnit::Yuan,
        text_numbers: true,
        numbering_row: true,
        one_sheet: true,
        offset: (2, 1),
        ..BASE
    });
}

#[test]
fn sangong_horizontal_without_subtotal_column() {
    assert_sangong_layout(Style {
        sangong: SanGong::Horizontal {
            budget: "全年预算数",
            subtotal: false,
            long_wording: false,
            label: "凉山州科学技术协会",
        },
        ..BASE
    });
    assert_sangong_layout(Style {
        sangong: SanGong::Horizontal {
            budget: "预算数",
            subtotal: false,
            long_wording: true,
            label: "合计",
        },
        text_numbers: true,
        ..BASE
    });
}

#[test]
fn sangong_transposed_rows_budget_and_actual() {
    assert_sangong_layout(Style {
        sangong: SanGong::Transposed { subtotal: true },
        numbering_row: true,
        ..BASE
    });
    assert_sangong_layout(Style {
        sangong: SanGong::Transposed { subtotal: false },
        unit: MoneyUnit::Yuan,
        text_numbers: true,
        ..BASE
    });
}

#[test]
fn sangong_items_over_budget_and_actual() {
    assert_sangong_layout(Style {
        sangong: SanGong::ItemsOverGroups,
        ..BASE
    });
}

/// Central departments title it “财政拨款“三公”经费支出决算表” (no 一般公共预算), often with
/// plain quotation marks and no table number.
#[test]
fn sangong_title_without_general_budget_prefix() {
    let bytes = build_with(
        &Style {
            sangong: HORIZONTAL,
            ..BASE
        },
        |wb| {
            let ws = wb.worksheet_from_index(6).unwrap();
            ws.set_name("三公").unwrap();
            ws.write_string(0, 3, "2021年度").unwrap();
            ws.write_string(1, 1, "财政拨款\"三公\"经费支出决算表")
                .unwrap();
        },
    );
    let imported = import(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.facts, table_facts(&example().facts));
    assert_eq!(imported.stated, tables_of(&example()));
}

/// Sheet7 in BASE style with HORIZONTAL: header rows 5–7 (group, items, sub-items), data in
/// row 8; 预算数 in B–G, 决算数 in H–M (合计, 出国, 小计, 购置, 运行, 接待).
#[test]
fn sangong_horizontal_total_that_disagrees_is_located_and_fails_t7_01() {
    let uy = every_item_nonzero();
    let mut tables = tables_of(&uy);
    let t7 = &mut tables[6];
    let total = t7.get("total", "actual").unwrap();
    assert!(t7.set("total", "actual", Amount(total.fen() + 1_000_000)));
    let st = Style {
        sangong: HORIZONTAL,
        ..BASE
    };
    let imported = import(&build_tables(&st, &tables, |_| {})).unwrap();
    // The total is checked, not imported.
    assert_eq!(imported.facts, table_facts(&uy.facts));
    let w: Vec<String> = imported.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].contains("工作表“Sheet7” H8：") && w[0].contains("差1万元"),
        "{}",
        w[0]
    );
    assert_eq!(
        imported.stated[6].get("total", "actual"),
        Some(Amount(total.fen() + 1_000_000))
    );

    // `juesuan check tables.xlsx` runs the rules on the stated tables: T7-01 fails there.
    let lib = library();
    let (origin, text) = lib.find("rules", "national", "toml", 2021).unwrap();
    let rules = juesuan_check::RuleSet::from_toml(text, origin).unwrap();
    let results = juesuan_check::run(&rules, &imported.stated);
    let failed: Vec<&juesuan_check::Finding> = results.iter().flat_map(|r| &r.findings).collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0].rule, "T7-01");
    assert!(failed[0].location.contains("公开07表"), "{failed:#?}");
    assert_eq!(failed[0].difference, "1.00", "{failed:#?}");
    // The same workbook without the corruption passes every rule.
    let clean = import(&build_tables(&st, &tables_of(&uy), |_| {})).unwrap();
    let results = juesuan_check::run(&rules, &clean.stated);
    assert!(results.iter().all(|r| r.findings.is_empty()));

    // A wrong 小计 is located at its own cell and fails T7-03.
    let mut tables = tables_of(&uy);
    let v = tables[6].get("vehicle", "actual").unwrap();
    assert!(tables[6].set("vehicle", "actual", Amount(v.fen() - 100)));
    let imported = import(&build_tables(&st, &tables, |_| {})).unwrap();
    let w: Vec<String> = imported.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.len() == 1 && w[0].contains("工作表“Sheet7” J8："),
        "{w:#?}"
    );
    let results = juesuan_check::run(&rules, &imported.stated);
    let rules_failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.findings.is_empty())
        .map(|r| r.rule.as_str())
        .collect();
    assert!(rules_failed.contains(&"T7-03"), "{rules_failed:?}");
}

fn sangong_error(patch: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> String {
    sangong_error_in(HORIZONTAL, patch)
}

fn sangong_error_in(
    sangong: SanGong,
    patch: impl FnOnce(&mut rust_xlsxwriter::Worksheet),
) -> String {
    let bytes = build_with(&Style { sangong, ..BASE }, |wb| {
        patch(wb.worksheet_from_index(6).unwrap())
    });
    let e = import(&bytes).unwrap_err();
    assert!(e.has(ProblemKind::Layout), "{e}");
    assert_eq!(e.problems.len(), 1, "{e}");
    e.problems[0].to_string()
}

#[test]
fn sangong_unknown_column_is_a_located_error() {
    // A column 会议费 beside the 决算数 group.
    let e = sangong_error(|ws| {
        ws.write_string(5, 13, "会议费").unwrap();
        ws.write_number(7, 13, 1.0).unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” N6：") && e.contains("无法识别的列“会议费”"),
        "{e}"
    );
    // An unknown item inside a group.
    let e = sangong_error(|ws| {
        ws.write_string(6, 11, "培训费").unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” L7：") && e.contains("公务用车购置及运行费/培训费"),
        "{e}"
    );
}

#[test]
fn sangong_ambiguous_layouts_are_located_errors() {
    // Two budget groups (年初预算数 and 全年预算数): which one is the budget?
    let e = sangong_error(|ws| {
        ws.write_string(4, 7, "全年预算数").unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” H6：") && e.contains("重复") && e.contains("B6"),
        "{e}"
    );
    // A second data row.
    let e = sangong_error(|ws| {
        ws.write_number(8, 3, 1.0).unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” D9：") && e.contains("只能有一行数据"),
        "{e}"
    );
    // A column under 决算数 that names no item.
    let e = sangong_error(|ws| {
        ws.write_string(5, 12, "\u{3000}").unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” M6：") && e.contains("看不出是哪一项"),
        "{e}"
    );
    // A part missing: without the 小计 column, 购置费 under 预算数 renamed 小计.
    let e = sangong_error_in(
        SanGong::Horizontal {
            budget: "预算数",
            subtotal: false,
            long_wording: false,
            label: "合计",
        },
        |ws| {
            ws.write_string(6, 3, "小计").unwrap();
        },
    );
    assert!(
        e.starts_with("工作表“Sheet7” 第5行：")
            && e.contains("找不到“预算数”下的“公务用车购置费”列"),
        "{e}"
    );
    // Transposed: a row that is neither 预算数 nor 决算数.
    let e = sangong_error_in(SanGong::Transposed { subtotal: true }, |ws| {
        ws.write_string(6, 0, "调整预算数").unwrap();
    });
    assert!(
        e.starts_with("工作表“Sheet7” A7：") && e.contains("无法识别的行“调整预算数”"),
        "{e}"
    );
}
