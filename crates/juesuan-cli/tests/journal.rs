//! `juesuan journal` end to end: the example's journal with the example as base; a bad row
//! stops the import and writes nothing; --keep-going skips it; placeholders without a base;
//! one file per unit; GBK.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn juesuan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run juesuan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const HEADER: &str = "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,项目,借方,贷方\n";
const GOOD: &str = "2021-03-01,记-1,8001,,,,,,100.00,\n2021-03-01,记-1,6001,2060701,,一般公共预算财政拨款,,,,100.00\n2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,60.00,\n2021-03-02,记-2,8001,,,,,,,60.00\n";

#[test]
fn example_journal_with_base_writes_an_input_that_validates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("input.toml");
    let o = juesuan(&[
        "journal",
        "examples/liangshan-kexie-2021/journal.csv",
        "--base",
        "examples/liangshan-kexie-2021/input.toml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("2张结账凭证已跳过"), "{stdout}");
    assert!(
        stdout.contains("本年收入616.54万元，本年支出686.54万元"),
        "{stdout}"
    );
    // It says what it kept of the base ([evaluation] included) and what it replaced.
    assert!(
        stdout.contains(
            "保留（取自 examples/liangshan-kexie-2021/input.toml）：[unit] 单位信息和文字"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("[evaluation] 绩效自评（部门整体评价"),
        "{stdout}"
    );
    assert!(
        stdout.contains("替换（取自日记账）：本年收入、本年支出、"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("\"2060701\" = 233.934"), "{written}");
    // The base's [evaluation] is there as written (its comments too).
    assert!(
        written.contains("# 编制准确 — 全年预算调剂金额"),
        "evaluation comments kept"
    );
    let v = juesuan(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
    let s = juesuan(&["score", out.to_str().unwrap()]);
    assert!(s.status.success(), "{}", text(&s.stderr));
}

#[test]
fn a_bad_row_stops_the_import_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("j.csv");
    std::fs::write(
        &csv,
        format!("{HEADER}{GOOD}2021-03-03,记-3,7101,2069998,30201,一般公共预算财政拨款,基本支出,,5.00,\n2021-03-03,记-3,8001,,,,,,,5.00\n"),
    )
    .unwrap();
    let out = dir.path().join("out.toml");
    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("j.csv:6: 错误[J010]"), "{stderr}");
    assert!(stderr.contains("第6行“功能分类”列"), "{stderr}");
    assert!(!out.exists());

    // --keep-going: reported, skipped, the rest imported.
    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--keep-going",
        "--unit",
        "测试单位",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("错误[J010]"));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("已跳过 1 行"), "{stdout}");
    assert!(stdout.contains("J010 1行"), "{stdout}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("name = \"测试单位\""), "{written}");
    assert!(written.contains("# TODO：上年决算数"), "{written}");
    let v = juesuan(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stderr));
}

#[test]
fn a_journal_that_overspends_fails_validation_with_j032() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("j.csv");
    // 60元 spent from 一般公共预算 with no income: the input rule E031 (overspent) fails.
    std::fs::write(
        &csv,
        format!("{HEADER}2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,,60.00,\n2021-03-02,记-2,8001,,,,,,,60.00\n"),
    )
    .unwrap();
    let out = dir.path().join("out.toml");
    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("错误[J032]"), "{stderr}");
    assert!(stderr.contains("[E031]"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn one_input_per_unit_and_gbk() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("region.csv");
    let body = "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,金额,单位\n\
2021-03-01,1,7101,2060701,30201,general_budget,basic,100,甲单位\n\
2021-03-01,1,6001,2060701,,general_budget,,-100,甲单位\n\
2021-03-01,1,7101,2060701,30201,general_budget,basic,7,乙/单位\n\
2021-03-01,1,6001,2060701,,general_budget,,-7,乙/单位\n";
    std::fs::write(&csv, encoding_gbk(body)).unwrap();
    let out = dir.path().join("inputs");
    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("region.csv:1: 错误[J002]"), "{stderr}");
    assert!(stderr.contains("--encoding gbk"), "{stderr}");

    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
        "--encoding",
        "gbk",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["乙_单位.toml", "甲单位.toml"]);
    let jia = std::fs::read_to_string(out.join("甲单位.toml")).unwrap();
    assert!(jia.contains("\"2060701\" = 100"), "{jia}");

    // One unit that cannot be an input file (乙 overspends): no file of any unit is written.
    let overspent = body
        .replace("-7,乙/单位", "-6,乙/单位")
        .replace("1,6001", "2,6001");
    let overspent = overspent.replace(
        "2021-03-01,2,6001,2060701,,general_budget,,-100,甲单位",
        "2021-03-01,1,6001,2060701,,general_budget,,-100,甲单位",
    );
    std::fs::write(&csv, encoding_gbk(&overspent)).unwrap();
    let fresh = dir.path().join("fresh");
    let o = juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "--out-dir",
        fresh.to_str().unwrap(),
        "--encoding",
        "gbk",
        "--balance",
        "off",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("单位“乙/单位”的导入结果不能作为输入文件：[E031]"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read_dir(&fresh).unwrap().count(),
        0,
        "staging removed, nothing written"
    );
}

/// GBK bytes of a text (the test writes what 用友/浪潮 exports look like).
fn encoding_gbk(s: &str) -> Vec<u8> {
    // Built without a dependency: the characters used are in the table below.
    let mut out = Vec::new();
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let bytes: &[u8] = match c {
            '日' => &[0xC8, 0xD5],
            '期' => &[0xC6, 0xDA],
            '凭' => &[0xC6, 0xBE],
            '证' => &[0xD6, 0xA4],
            '号' => &[0xBA, 0xC5],
            '科' => &[0xBF, 0xC6],
            '目' => &[0xC4, 0xBF],
            '功' => &[0xB9, 0xA6],
            '能' => &[0xC4, 0xDC],
            '分' => &[0xB7, 0xD6],
            '类' => &[0xC0, 0xE0],
            '经' => &[0xBE, 0xAD],
            '济' => &[0xBC, 0xC3],
            '资' => &[0xD7, 0xCA],
            '金' => &[0xBD, 0xF0],
            '来' => &[0xC0, 0xB4],
            '源' => &[0xD4, 0xB4],
            '支' => &[0xD6, 0xA7],
            '出' => &[0xB3, 0xF6],
            '性' => &[0xD0, 0xD4],
            '质' => &[0xD6, 0xCA],
            '额' => &[0xB6, 0xEE],
            '单' => &[0xB5, 0xA5],
            '位' => &[0xCE, 0xBB],
            '甲' => &[0xBC, 0xD7],
            '乙' => &[0xD2, 0xD2],
            other => panic!("no GBK bytes for {other} in the test table"),
        };
        out.extend_from_slice(bytes);
    }
    out
}
