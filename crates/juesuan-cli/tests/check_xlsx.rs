//! `juesuan check tables.xlsx`: the rules run on the figures a workbook states. Our own
//! workbook passes; the same workbook with one total changed fails, naming the cell's table.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn juesuan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .output()
        .unwrap()
}

/// Copy a workbook, replacing `from` by `to` in one of its parts.
fn edit_workbook(src: &Path, dst: &Path, part: &str, from: &str, to: &str) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let mut replaced = false;
    for i in 0..zin.len() {
        let mut entry = zin.by_index(i).unwrap();
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains(from), "{part} lacks {from}");
            bytes = text.replacen(from, to, 1).into_bytes();
            replaced = true;
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    assert!(replaced);
}

/// The example's tables as juesuan writes them (`juesuan report --format xlsx`), in `dir`.
fn example_workbook(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let o = juesuan(&[
        "report",
        "../../examples/liangshan-kexie-2021/input.toml",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out.join("tables.xlsx")
}

#[test]
fn our_workbook_passes_and_a_changed_total_fails() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());

    let o = juesuan(&["check", book.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{text}");
    assert!(text.contains("结论：通过"), "{text}");

    // 公开01表: the 本年支出合计 cell (stored exactly, 686.538 万元) made 0.10 万元 larger.
    let broken = dir.path().join("broken.xlsx");
    edit_workbook(
        &book,
        &broken,
        "xl/worksheets/sheet1.xml",
        "<c r=\"D14\" s=\"6\"><v>686.538</v>",
        "<c r=\"D14\" s=\"6\"><v>686.638</v>",
    );
    let o = juesuan(&["check", broken.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("错误[T1-"), "{text}");
    assert!(text.contains("公开01表"), "{text}");
    assert!(text.contains("686.64"), "{text}");
    assert!(text.contains("结论：未通过"), "{text}");
}

/// Our workbook copied cell by cell (values and merged ranges), with its 公开07表 sheet
/// rewritten the way the official export lays it out: 预算数 / 决算数 groups over 合计 |
/// 因公出国（境）费 | 公务用车购置及运行费 (小计 | 购置费 | 运行费) | 公务接待费, a 栏次 row
/// and one data row. `bump_total` is added to the stated 决算数 合计.
fn with_horizontal_sangong(src: &Path, dst: &Path, bump_total: f64) {
    use calamine::{Data, Reader, Xlsx};
    use rust_xlsxwriter::{Format, Workbook};
    let mut book: Xlsx<_> = calamine::open_workbook(src).unwrap();
    let mut out = Workbook::new();
    let plain = Format::new();
    let mut found = false;
    for name in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        if name != "公开07表" {
            for dim in book.merge_cells_by_sheet_name(&name).unwrap() {
                let text = match at(dim.start.0, dim.start.1) {
                    Data::String(s) => s,
                    _ => String::new(),
                };
                ws.merge_range(
                    dim.start.0,
                    dim.start.1 as u16,
                    dim.end.0,
                    dim.end.1 as u16,
                    &text,
                    &plain,
                )
                .unwrap();
            }
            for (r, c, v) in range.used_cells() {
                let (r, c) = (r as u32 + r0, (c as u32 + c0) as u16);
                match v {
                    Data::String(s) => ws.write_string(r, c, s).map(|_| ()).unwrap(),
                    Data::Float(f) => ws.write_number(r, c, *f).map(|_| ()).unwrap(),
                    Data::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()).unwrap(),
                    _ => {}
                }
            }
            continue;
        }
        found = true;
        // The vertical table's figures, by row label: (预算数, 决算数).
        let figures = |label: &str| -> (f64, f64) {
            for (r, _, v) in range.used_cells() {
                if matches!(v, Data::String(s) if s.trim() == label) {
                    let num = |c: u32| match range.get((r, c as usize)) {
                        Some(Data::Float(f)) => *f,
                        Some(Data::Int(i)) => *i as f64,
                        _ => 0.0,
                    };
                    return (num(1), num(2));
                }
            }
            panic!("公开07表 lacks {label}");
        };
        let items = [
            figures("合计"),
            figures("1.因公出国（境）费"),
            figures("2.公务用车购置及运行维护费"),
            figures("（1）公务用车购置费"),
            figures("（2）公务用车运行维护费"),
            figures("3.公务接待费"),
        ];
        ws.write_string(0, 0, "2021年度").unwrap();
        ws.write_string(1, 0, "一般公共预算财政拨款“三公”经费支出决算表")
            .unwrap();
        ws.write_string(2, 0, "编制单位：凉山州科学技术协会")
            .unwrap();
        ws.write_string(2, 10, "金额单位：万元").unwrap();
        ws.merge_range(3, 0, 5, 0, "项目", &plain).unwrap();
        for (g, group) in ["预算数", "决算数"].iter().enumerate() {
            let c = 1 + 6 * g as u16;
            ws.merge_range(3, c, 3, c + 5, group, &plain).unwrap();
            ws.merge_range(4, c, 5, c, "合计", &plain).unwrap();
            ws.merge_range(4, c + 1, 5, c + 1, "因公出国（境）费", &plain)
                .unwrap();
            ws.merge_range(4, c + 2, 4, c + 4, "公务用车购置及运行费", &plain)
                .unwrap();
            for (k, sub) in ["小计", "购置费", "运行费"].iter().enumerate() {
                ws.write_string(5, c + 2 + k as u16, *sub).unwrap();
            }
            ws.merge_range(4, c + 5, 5, c + 5, "公务接待费", &plain)
                .unwrap();
            for (k, (budget, actual)) in items.iter().enumerate() {
                let mut v = if g == 0 { *budget } else { *actual };
                if g == 1 && k == 0 {
                    v += bump_total;
                }
                ws.write_number(6, c + k as u16, (6 * g + k + 1) as f64)
                    .unwrap();
                ws.write_number(7, c + k as u16, v).unwrap();
            }
        }
        ws.write_string(6, 0, "栏次").unwrap();
        ws.write_string(7, 0, "合计").unwrap();
    }
    assert!(found);
    out.save(dst).unwrap();
}

#[test]
fn horizontal_sangong_sheet_is_checked_by_the_t7_rules() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());

    let clean = dir.path().join("horizontal.xlsx");
    with_horizontal_sangong(&book, &clean, 0.0);
    let o = juesuan(&["check", clean.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{text}{err}");
    assert!(text.contains("结论：通过"), "{text}");
    assert!(!err.contains("公开07表"), "{err}");

    // 决算数 合计 stated 1 万元 too high: located warning on import, T7-01 error in the check.
    let broken = dir.path().join("horizontal-broken.xlsx");
    with_horizontal_sangong(&book, &broken, 1.0);
    let o = juesuan(&["check", broken.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{text}{err}");
    assert!(text.contains("错误[T7-01"), "{text}");
    assert!(text.contains("11.97") && text.contains("10.97"), "{text}");
    assert!(err.contains("工作表“公开07表” H8"), "{err}");
}
