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
    let bytes = build(&st);
    let imported = match import(&bytes) {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let uy = example();
    let unexpected: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| w.to_string())
        .filter(|w| !w.contains("年度"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(imported.facts, table_facts(&uy.facts));
    assert_eq!(imported.stated, tables_of(&uy));
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
/// -p juesuan-xlsx --test layouts -- --ignored write_fuzz_corpus`.
#[test]
#[ignore]
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
