//! `juesuan check tables.xlsx`: the rules run on the figures a workbook states. Our own
//! workbook passes; the same workbook with one total changed fails, naming the cell's table.

use std::io::{Read, Write};
use std::process::Command;

fn juesuan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .output()
        .unwrap()
}

/// Copy a workbook, replacing `from` by `to` in one of its parts.
fn edit_workbook(src: &std::path::Path, dst: &std::path::Path, part: &str, from: &str, to: &str) {
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

#[test]
fn our_workbook_passes_and_a_changed_total_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = juesuan(&[
        "report",
        "../../examples/liangshan-kexie-2021/input.toml",
        "--format",
        "xlsx",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let book = out.join("tables.xlsx");

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
