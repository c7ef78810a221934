//! `juesuan journal --db`: the example's journal on top of the stored example gives a version
//! with the same facts (`db diff` finds no change); a bad row or a result that does not
//! validate stores nothing; a multi-unit journal is stored per registered unit (by name or
//! code) and an unknown unit stores nothing; a new year takes its 上年决算数 from the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CODE: &str = "511400001";
const EXAMPLE_INPUT: &str = "examples/liangshan-kexie-2021/input.toml";
const EXAMPLE_JOURNAL: &str = "examples/liangshan-kexie-2021/journal.csv";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn juesuan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .current_dir(root())
        .env_remove("JUESUAN_DB")
        .env("USER", "tester")
        .output()
        .expect("run juesuan")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// A fresh SQLite store in a temporary directory.
fn store() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("j.db").display());
    ok(&juesuan(&["db", "--db", &url, "init"]));
    (dir, url)
}

/// The versions of a unit-year as `db history` lists them (one line each).
fn history(url: &str, code: &str, year: i32) -> Vec<String> {
    let o = juesuan(&[
        "db",
        "--db",
        url,
        "history",
        "--unit",
        code,
        "--year",
        &year.to_string(),
    ]);
    ok(&o)
        .lines()
        .filter(|l| l.starts_with("版本"))
        .map(str::to_string)
        .collect()
}

fn example_journal() -> String {
    std::fs::read_to_string(root().join(EXAMPLE_JOURNAL)).unwrap()
}

#[test]
fn the_example_journal_on_the_stored_example_changes_no_fact() {
    let (_dir, url) = store();
    let out = ok(&juesuan(&[
        "db",
        "--db",
        &url,
        "import",
        EXAMPLE_INPUT,
        "--unit",
        CODE,
    ]));
    assert!(out.contains("版本1"), "{out}");

    let out = ok(&juesuan(&[
        "journal",
        EXAMPLE_JOURNAL,
        "--db",
        &url,
        "--code",
        CODE,
    ]));
    assert!(out.contains("2张结账凭证已跳过"), "{out}");
    assert!(
        out.contains(&format!("已保存 {CODE} 2021年度 第2版（版本2")),
        "{out}"
    );
    assert!(out.contains("基础：已存的2021年度第1版（版本1）"), "{out}");
    assert!(
        out.contains("本年收入616.54万元，本年支出686.54万元"),
        "{out}"
    );

    // The journal's sums are the example's: no fact changed.
    let d = juesuan(&["db", "--db", &url, "diff", "1", "2"]);
    assert_eq!(d.status.code(), Some(0), "{}", text(&d.stdout));
    assert!(
        text(&d.stdout).contains("基础数据相同"),
        "{}",
        text(&d.stdout)
    );

    // One new version with the default note naming the file and its rows.
    let rows = example_journal().lines().skip(1).count();
    let versions = history(&url, CODE, 2021);
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(
        versions[1].contains(&format!("日记账导入 journal.csv，{rows} 条分录")),
        "{versions:?}"
    );
    assert!(versions[1].contains("tester"), "{versions:?}");

    // The stored text keeps what the journal lacks (texts, [evaluation]) from version 1.
    let exported = ok(&juesuan(&["db", "--db", &url, "export", "--version", "2"]));
    assert!(
        exported.contains("其余各项取自 已存的2021年度第1版（版本1）"),
        "{exported}"
    );
    assert!(exported.contains("[evaluation"), "evaluation kept");

    // A note and an author given on the command line are kept.
    ok(&juesuan(&[
        "journal",
        EXAMPLE_JOURNAL,
        "--db",
        &url,
        "--code",
        CODE,
        "--note",
        "年终复核",
        "--author",
        "会计甲",
    ]));
    let versions = history(&url, CODE, 2021);
    assert!(versions[2].contains("年终复核"), "{versions:?}");
    assert!(versions[2].contains("会计甲"), "{versions:?}");
}

#[test]
fn a_bad_row_or_an_invalid_result_stores_nothing() {
    let (dir, url) = store();
    ok(&juesuan(&[
        "db",
        "--db",
        &url,
        "import",
        EXAMPLE_INPUT,
        "--unit",
        CODE,
    ]));
    // An income row with a 功能分类 code that is not in the catalogue (line 5).
    let journal = example_journal().replacen(",6001,2060701,", ",6001,2069998,", 1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, journal).unwrap();
    let o = juesuan(&[
        "journal",
        bad.to_str().unwrap(),
        "--db",
        &url,
        "--code",
        CODE,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("bad.csv:5: 错误[J010]"), "{stderr}");
    assert!(stderr.contains("未保存任何数据"), "{stderr}");
    assert_eq!(history(&url, CODE, 2021).len(), 1, "nothing stored");

    // Spending with no income: the result breaks an input rule (E031) and is not stored.
    let overspent = dir.path().join("overspent.csv");
    std::fs::write(
        &overspent,
        "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,借方,贷方\n\
         2021-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,60.00,\n\
         2021-03-02,记-2,8001,,,,,,60.00\n",
    )
    .unwrap();
    let o = juesuan(&[
        "journal",
        overspent.to_str().unwrap(),
        "--db",
        &url,
        "--code",
        "511400009",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("错误[J032]"), "{stderr}");
    assert!(stderr.contains("[E031]"), "{stderr}");
    assert!(history(&url, "511400009", 2021).is_empty());
    let list = ok(&juesuan(&["db", "--db", &url, "list"]));
    assert!(!list.contains("511400009"), "no unit registered: {list}");

    // --db cannot be combined with -o (the file is `db export`'s job).
    let o = juesuan(&[
        "journal",
        EXAMPLE_JOURNAL,
        "--db",
        &url,
        "-o",
        dir.path().join("x.toml").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

const REGION_HEADER: &str = "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,金额,单位\n";

/// Income of `amount`元 and spending of `spent`元 for one unit.
fn region_rows(unit: &str, voucher: u32, amount: u32, spent: u32) -> String {
    format!(
        "2021-03-01,{voucher},6001,2060701,,general_budget,,-{amount},{unit}\n\
         2021-03-01,{voucher},8001,,,,,{amount},{unit}\n\
         2021-03-02,{v2},7101,2060701,30201,general_budget,basic,{spent},{unit}\n\
         2021-03-02,{v2},8001,,,,,-{spent},{unit}\n",
        v2 = voucher + 1
    )
}

#[test]
fn a_multi_unit_journal_goes_to_the_registered_units() {
    let (dir, url) = store();
    for (code, name) in [("511400001", "甲单位"), ("511400002", "乙单位")] {
        ok(&juesuan(&[
            "db", "--db", &url, "unit", code, "--name", name,
        ]));
    }
    // 甲 by its registered name, 乙 by its code.
    let csv = dir.path().join("region.csv");
    std::fs::write(
        &csv,
        format!(
            "{REGION_HEADER}{}{}",
            region_rows("甲单位", 1, 100, 60),
            region_rows("511400002", 3, 70, 70)
        ),
    )
    .unwrap();
    let out = ok(&juesuan(&["journal", csv.to_str().unwrap(), "--db", &url]));
    assert!(out.contains("已保存 511400001 2021年度 第1版"), "{out}");
    assert!(out.contains("已保存 511400002 2021年度 第1版"), "{out}");
    // Without a stored version: placeholders named as registered.
    assert!(out.contains("基础：占位数"), "{out}");
    let jia = ok(&juesuan(&[
        "db",
        "--db",
        &url,
        "export",
        "--unit",
        "511400001",
        "--year",
        "2021",
    ]));
    assert!(jia.contains("name = \"甲单位\""), "{jia}");
    assert!(jia.contains("\"2060701\" = 100"), "{jia}");
    let yi = ok(&juesuan(&[
        "db",
        "--db",
        &url,
        "export",
        "--unit",
        "511400002",
        "--year",
        "2021",
    ]));
    assert!(yi.contains("name = \"乙单位\""), "{yi}");
    let yi_history = history(&url, "511400002", 2021);
    assert!(
        yi_history[0].contains("日记账导入 region.csv，4 条分录"),
        "per-unit rows: {yi_history:?}"
    );

    // A second import puts each unit's journal on its stored version.
    let out = ok(&juesuan(&["journal", csv.to_str().unwrap(), "--db", &url]));
    assert!(out.contains("基础：已存的2021年度第1版"), "{out}");

    // An unknown unit: a clear error naming it, and nothing stored for any unit.
    std::fs::write(
        &csv,
        format!(
            "{REGION_HEADER}{}{}",
            region_rows("甲单位", 1, 100, 60),
            region_rows("丙单位", 3, 70, 70)
        ),
    )
    .unwrap();
    let o = juesuan(&["journal", csv.to_str().unwrap(), "--db", &url]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("日记账中的单位“丙单位”不是已登记单位的编码或名称"),
        "{stderr}"
    );
    assert!(stderr.contains("juesuan db unit"), "{stderr}");
    assert!(stderr.contains("未保存任何数据"), "{stderr}");
    assert_eq!(history(&url, "511400001", 2021).len(), 2);

    // --code picks that unit's rows out of a multi-unit journal.
    std::fs::write(
        &csv,
        format!(
            "{REGION_HEADER}{}{}",
            region_rows("甲单位", 1, 100, 60),
            region_rows("丙单位", 3, 70, 70)
        ),
    )
    .unwrap();
    let out = ok(&juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "--db",
        &url,
        "--code",
        "511400001",
    ]));
    assert!(out.contains("已保存 511400001 2021年度 第3版"), "{out}");
    assert!(out.contains("本年收入0.01万元"), "{out}");
}

#[test]
fn a_new_year_takes_its_prior_figures_from_the_stored_year() {
    let (dir, url) = store();
    ok(&juesuan(&[
        "db",
        "--db",
        &url,
        "import",
        EXAMPLE_INPUT,
        "--unit",
        CODE,
    ]));
    let csv = dir.path().join("2022.csv");
    std::fs::write(
        &csv,
        "日期,凭证号,科目,功能分类,经济分类,资金来源,支出性质,借方,贷方\n\
         2022-03-01,记-1,8001,,,,,100.00,\n\
         2022-03-01,记-1,6001,2060701,,一般公共预算财政拨款,,,100.00\n\
         2022-03-02,记-2,7101,2060701,30201,一般公共预算财政拨款,基本支出,60.00,\n\
         2022-03-02,记-2,8001,,,,,,60.00\n",
    )
    .unwrap();
    let out = ok(&juesuan(&[
        "journal",
        csv.to_str().unwrap(),
        "--db",
        &url,
        "--code",
        CODE,
        "--kind",
        "参公",
    ]));
    assert!(
        out.contains("基础：占位数（上年决算数取自已存的2021年度第1版（版本1））"),
        "{out}"
    );
    let exported = ok(&juesuan(&[
        "db", "--db", &url, "export", "--unit", CODE, "--year", "2022",
    ]));
    assert!(
        exported.contains("上年决算数取自已存的2021年度第1版"),
        "{exported}"
    );
    assert!(!exported.contains("下面的 0 是占位数"), "{exported}");
    // The stored unit name, not the file name.
    assert!(
        exported.contains("name = \"凉山州科学技术协会\""),
        "{exported}"
    );
}
