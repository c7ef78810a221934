//! Each problem in a workbook gives its located error (sheet and cell, in Chinese, with
//! what to do); safety limits fail fast.
mod common;
use common::builder::*;
use common::*;
use juesuan_xlsx::{import_workbook_with_limits, write_workbook, Limits, ProblemKind};
use std::io::{Cursor, Read, Write};
use std::time::{Duration, Instant};

/// Sheet indexes (many-sheet BASE style): Sheet2 = 收入决算表. Its header is row 5, 合计 row
/// 6, then 206 (7), 20607 (8), 2060701 (9); columns A 科目编码, B 科目名称, C 本年收入合计,
/// D 财政拨款收入.
fn error_of(patch: impl FnOnce(&mut rust_xlsxwriter::Workbook)) -> juesuan_xlsx::ImportError {
    let bytes = build_with(&BASE, patch);
    match import(&bytes) {
        Ok(_) => panic!("import should fail"),
        Err(e) => e,
    }
}

fn one(e: &juesuan_xlsx::ImportError, kind: ProblemKind, place: &str, words: &[&str]) {
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.kind, kind, "{e}");
    let text = p.to_string();
    assert!(text.starts_with(place), "{text}");
    for w in words {
        assert!(text.contains(w), "{text} lacks {w}");
    }
}

#[test]
fn layout_is_as_documented() {
    let bytes = build(&BASE);
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
    use calamine::Reader;
    let r = book.worksheet_range("Sheet2").unwrap();
    assert_eq!(r.get_value((4, 3)).unwrap().to_string(), "财政拨款收入");
    assert_eq!(r.get_value((8, 0)).unwrap().to_string(), "2060701");
}

#[test]
fn text_that_is_not_an_amount() {
    let e = error_of(|wb| {
        wb.worksheet_from_index(1)
            .unwrap()
            .write_string(8, 3, "二百")
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Amount,
        "工作表“Sheet2” D9：",
        &["“二百”不是金额"],
    );
}

#[test]
fn more_precise_than_fen() {
    let e = error_of(|wb| {
        wb.worksheet_from_index(1)
            .unwrap()
            .write_number(8, 3, 233.9341234)
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Amount,
        "工作表“Sheet2” D9：",
        &["233.9341234", "精确到分", "万元", "6位"],
    );
}

#[test]
fn unknown_code() {
    // 款 20698 is not in the catalogue: an error.
    let e = error_of(|wb| {
        wb.worksheet_from_index(1)
            .unwrap()
            .write_string(8, 0, "2069898")
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Code,
        "工作表“Sheet2” A9：",
        &["2069898", "不在", "import-catalogue", "--catalogue"],
    );
}

/// Issue #14: a 项 the catalogue lacks under a 款 it has (20607) is imported with a warning
/// naming its cell, as validating an input reads it with W105.
#[test]
fn an_unlisted_item_under_a_known_section_is_imported_with_a_warning() {
    let bytes = build_with(&BASE, |wb| {
        wb.worksheet_from_index(1)
            .unwrap()
            .write_string(8, 0, "2060798")
            .unwrap();
    });
    let imported = import(&bytes).expect("imports");
    let warnings: Vec<String> = imported.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Sheet2") && w.contains("A9") && w.contains("“2060798”不在")),
        "{warnings:?}"
    );
}

#[test]
fn a_class_with_amounts_but_no_items() {
    let e = error_of(|wb| {
        let ws = wb.worksheet_from_index(1).unwrap();
        ws.write_string(40, 0, "229").unwrap();
        ws.write_string(40, 1, "其他支出").unwrap();
        ws.write_number(40, 2, 1.0).unwrap();
    });
    one(
        &e,
        ProblemKind::Code,
        "工作表“Sheet2” C41：",
        &["229", "项（7位编码）"],
    );
}

#[test]
fn a_row_without_code_or_name() {
    let e = error_of(|wb| {
        let ws = wb.worksheet_from_index(1).unwrap();
        ws.write_string(40, 4, "5").unwrap();
    });
    one(
        &e,
        ProblemKind::Layout,
        "工作表“Sheet2” A41：",
        &["没有科目编码或项目名称"],
    );
}

#[test]
fn a_row_label_the_table_does_not_have() {
    // 公开07表: 合计 row 6, then 1.因公出国（境）费 … 3.公务接待费 at row 11.
    let e = error_of(|wb| {
        wb.worksheet_from_index(6)
            .unwrap()
            .write_string(10, 0, "会议费")
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Layout,
        "工作表“Sheet7” A11：",
        &["无法识别的行“会议费”"],
    );
}

#[test]
fn a_missing_column() {
    let e = error_of(|wb| {
        wb.worksheet_from_index(1)
            .unwrap()
            .write_string(4, 3, "财政收入")
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Layout,
        "工作表“Sheet2” 第5行：",
        &["找不到“财政拨款收入”列"],
    );
}

#[test]
fn a_missing_table() {
    let e = error_of(|wb| {
        let ws = wb.worksheet_from_index(4).unwrap();
        ws.write_string(0, 3, "附表").unwrap();
        ws.write_string(1, 1, "某某表").unwrap();
    });
    assert!(e.has(ProblemKind::MissingTable), "{e}");
    assert!(
        e.to_string()
            .contains("找不到“一般公共预算财政拨款支出决算表”（公开05表）"),
        "{e}"
    );
}

#[test]
fn a_title_without_header() {
    let e = error_of(|wb| {
        let ws = wb.worksheet_from_index(1).unwrap();
        for c in 2..9 {
            ws.write_string(4, c, "栏").unwrap();
        }
    });
    one(
        &e,
        ProblemKind::Layout,
        "工作表“Sheet2” 第1行：",
        &["找不到表头"],
    );
}

#[test]
fn tables_that_contradict_each_other() {
    // 公开05表 2060701 基本支出 (row 9, column D) above 公开03表's.
    let e = error_of(|wb| {
        wb.worksheet_from_index(4)
            .unwrap()
            .write_number(8, 3, 300.0)
            .unwrap();
    });
    one(
        &e,
        ProblemKind::Inconsistent,
        "工作表“Sheet3” D9：",
        &["2060701", "基本支出", "小于"],
    );
}

#[test]
fn negative_amounts() {
    // 公开06表 row 7 is 301, row 8 30101 (column C).
    let e = error_of(|wb| {
        wb.worksheet_from_index(5)
            .unwrap()
            .write_number(7, 2, -1.0)
            .unwrap();
    });
    one(&e, ProblemKind::Amount, "工作表“Sheet6” C8：", &["负数"]);
}

#[test]
fn several_problems_are_reported_together() {
    let e = error_of(|wb| {
        let ws = wb.worksheet_from_index(1).unwrap();
        ws.write_string(8, 3, "x").unwrap();
        ws.write_string(9, 3, "y").unwrap();
    });
    assert_eq!(e.problems.len(), 2, "{e}");
}

#[test]
fn not_a_workbook() {
    let e = import(b"PK\x03\x04 not really").unwrap_err();
    one(&e, ProblemKind::File, "", &["不是有效的 .xlsx"]);
}

#[test]
fn zip_bomb_fails_fast() {
    let bytes = include_bytes!("fixtures/bomb.xlsx");
    let start = Instant::now();
    let e = import(bytes).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    one(&e, ProblemKind::File, "", &["疑似压缩炸弹"]);
}

/// A copy of `bytes` with one zip entry's text edited.
fn patch_entry(bytes: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let n = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if n == name {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(n, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_sheet_declaring_the_whole_grid_fails_fast() {
    let uy = example();
    let bytes = write_workbook(&tables_of(&uy), &uy).unwrap();
    let bytes = patch_entry(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        let i = xml.find("<dimension ref=\"").unwrap() + "<dimension ref=\"".len();
        let j = i + xml[i..].find('"').unwrap();
        format!("{}A1:XFD1048576{}", &xml[..i], &xml[j..])
    });
    let start = Instant::now();
    let e = import(&bytes).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(5));
    one(
        &e,
        ProblemKind::File,
        "工作表“公开01表”：",
        &["A1:XFD1048576", "17179869184"],
    );
}

#[test]
fn cells_at_the_far_corners_stay_cheap() {
    // Two cells 17 billion positions apart: a dense grid would not fit in memory; the
    // sparse reader holds two values.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "收入决算表").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let bytes = patch_entry(&bytes, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("A1:XFD1048576", "A1")
    });
    let e = import(&bytes).unwrap_err();
    assert!(
        e.has(ProblemKind::Layout) || e.has(ProblemKind::MissingTable),
        "{e}"
    );
}

#[test]
fn cell_count_limit() {
    let uy = example();
    let bytes = write_workbook(&tables_of(&uy), &uy).unwrap();
    let limits = Limits {
        max_cells: 50,
        ..Limits::default()
    };
    let e =
        import_workbook_with_limits(&bytes, &national(), &catalogues(), 2021, &limits).unwrap_err();
    one(
        &e,
        ProblemKind::File,
        "工作表“公开",
        &["非空单元格超过50个"],
    );
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    let e =
        import_workbook_with_limits(&bytes, &national(), &catalogues(), 2021, &limits).unwrap_err();
    one(&e, ProblemKind::File, "", &["压缩条目", "超过上限3个"]);
}
