//! End-to-end tests of `juesuan db …` and `juesuan consolidate` on a temporary SQLite file
//! (the store itself is tested on both databases in crates/juesuan-store/tests/store.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example() -> PathBuf {
    workspace().join("examples/liangshan-kexie-2021/input.toml")
}

/// `juesuan` with the database of `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .current_dir(dir)
        .env_remove("JUESUAN_DB")
        .env("USER", "测试员")
        .args(args)
        .output()
        .expect("run juesuan")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

#[test]
fn import_history_diff_export_restore() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = example();
    let input = input.to_str().unwrap();
    ok(&run(d, &["db", "init"]));
    // The default database is juesuan.db in the current directory.
    assert!(d.join("juesuan.db").is_file());
    let out = ok(&run(
        d,
        &["db", "import", input, "--unit", "kx", "--note", "初次导入"],
    ));
    assert!(out.contains("kx 2021年度 第1版（版本1"), "{out}");
    // Same content again: a second version, no differences.
    ok(&run(
        d,
        &["db", "import", input, "--unit", "kx", "--author", "李四"],
    ));
    let o = run(d, &["db", "diff", "1", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("相同"));
    // A changed budget figure.
    let text = std::fs::read_to_string(input).unwrap();
    let changed = text.replacen("budget = 9.70", "budget = 9.75", 1);
    let changed_path = d.join("changed.toml");
    std::fs::write(&changed_path, &changed).unwrap();
    ok(&run(
        d,
        &[
            "db",
            "import",
            changed_path.to_str().unwrap(),
            "--unit",
            "kx",
            "--note",
            "改预算",
        ],
    ));
    let o = run(d, &["db", "diff", "1", "3"]);
    assert_eq!(o.status.code(), Some(1), "differences → 1");
    let diff = stdout(&o);
    assert!(diff.contains("1项基础数据变动"), "{diff}");
    assert!(
        diff.contains("san_gong.budget.vehicle_operation") && diff.contains("9.7万元 → 9.75万元"),
        "{diff}"
    );
    // History lists the three versions with authors and notes.
    let history = ok(&run(
        d,
        &["db", "history", "--unit", "kx", "--year", "2021"],
    ));
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 3, "{history}");
    assert!(
        lines[0].contains("第1版") && lines[0].contains("测试员") && lines[0].contains("初次导入")
    );
    assert!(lines[1].contains("李四"));
    assert!(lines[2].contains("改预算"));
    // Export writes the stored text, atomically (no temporary files left).
    let export_dir = d.join("exports");
    std::fs::create_dir(&export_dir).unwrap();
    let out_file = export_dir.join("v1.toml");
    ok(&run(
        d,
        &[
            "db",
            "export",
            "--version",
            "1",
            "--out",
            out_file.to_str().unwrap(),
        ],
    ));
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), text);
    let names: Vec<String> = std::fs::read_dir(&export_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["v1.toml"]);
    let latest = ok(&run(d, &["db", "export", "--unit", "kx", "--year", "2021"]));
    assert_eq!(latest, changed);
    // Restore version 1 as version 4.
    let out = ok(&run(d, &["db", "restore", "1"]));
    assert!(out.contains("第4版"), "{out}");
    assert_eq!(run(d, &["db", "diff", "1", "4"]).status.code(), Some(0));
    // List and log.
    let list = ok(&run(d, &["db", "list"]));
    assert!(
        list.contains("kx\t凉山州科学技术协会") && list.contains("第4版"),
        "{list}"
    );
    let log = ok(&run(d, &["db", "log", "--limit", "1"]));
    assert!(log.contains("version.restore"), "{log}");
    // Unknown version: exit 2 with a message.
    let o = run(d, &["db", "export", "--version", "99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("没有编号为 99 的版本"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_input_is_reported_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(example()).unwrap();
    let bad = text.replacen("\"2060799\" = 151.80", "\"2069898\" = 151.80", 1);
    std::fs::write(d.join("bad.toml"), &bad).unwrap();
    let o = run(d, &["db", "import", "bad.toml", "--unit", "kx"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let line = bad
        .lines()
        .position(|l| l.starts_with("\"2069898\""))
        .unwrap()
        + 1;
    let err = stderr(&o);
    assert!(
        err.contains(&format!("bad.toml:{line}:1")) && err.contains("E021"),
        "{err}"
    );
    assert!(err.contains("未保存"), "{err}");
    let history = ok(&run(
        d,
        &["db", "history", "--unit", "kx", "--year", "2021"],
    ));
    assert!(history.contains("没有已存的版本"), "{history}");
}

fn small_unit(name: &str, amount: i64) -> String {
    format!(
        "year = 2021\namount_unit = \"元\"\n\n[unit]\nname = \"{name}\"\nkind = \"事业\"\n\n\
         [income.general_budget]\n\"2060701\" = {amount}\n\n\
         [expenditure.basic.general_budget]\n\"2060701\" = {amount}\n\n\
         [basic_economic.general_budget]\n\"30101\" = {amount}\n\n\
         [prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n"
    )
}

#[test]
fn consolidate_a_department_from_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The database named by JUESUAN_DB, and a --db that overrides it.
    let url = format!("sqlite:{}", d.join("bureau.db").display());
    let db = ["--db", url.as_str()];
    ok(&run(
        d,
        &["db", "unit", "dept", "--name", "某部门", "--db", &url],
    ));
    ok(&run(
        d,
        &[
            &["db", "unit", "a", "--name", "甲单位", "--parent", "dept"][..],
            &db,
        ]
        .concat(),
    ));
    ok(&run(
        d,
        &[
            &["db", "unit", "b", "--name", "乙单位", "--parent", "dept"][..],
            &db,
        ]
        .concat(),
    ));
    std::fs::write(d.join("a.toml"), small_unit("甲单位", 1000)).unwrap();
    std::fs::write(d.join("b.toml"), small_unit("乙单位", 2345)).unwrap();
    ok(&run(
        d,
        &[&["db", "import", "a.toml", "--unit", "a"][..], &db].concat(),
    ));
    // b is missing: consolidation is refused (exit 1) and names it.
    let o = run(
        d,
        &[
            &["consolidate", "--unit", "dept", "--year", "2021"][..],
            &db,
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("乙单位（b）"), "{}", stderr(&o));
    ok(&run(
        d,
        &[&["db", "import", "b.toml", "--unit", "b"][..], &db].concat(),
    ));
    let out = ok(&run(
        d,
        &[
            &["consolidate", "--unit", "dept", "--year", "2021"][..],
            &db,
        ]
        .concat(),
    ));
    assert!(out.contains("已汇总 dept 2021年度 第1版"), "{out}");
    // The consolidated input validates and states the sum.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_juesuan"));
    let o = cmd
        .current_dir(d)
        .env("JUESUAN_DB", &url)
        .args([
            "db",
            "export",
            "--unit",
            "dept",
            "--year",
            "2021",
            "--out",
            "dept.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(d.join("dept.toml")).unwrap();
    assert!(text.contains("\"2060701\" = 3345"), "{text}");
    assert!(text.contains("某部门"), "{text}");
    ok(&run(d, &["validate", "dept.toml"]));
    // Nothing went to the default database.
    assert!(!d.join("juesuan.db").exists());
}

#[test]
fn unusable_database_url_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["db", "list", "--db", "mysql://x/y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("无法识别的数据库地址"),
        "{}",
        stderr(&o)
    );
}

/// Issue #14: a version that lost `[evaluation]` (e.g. an import that dropped it) holds the
/// same facts; `db diff` still reports it, naming the section, with exit status 1.
#[test]
fn diff_reports_a_lost_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(example()).unwrap();
    let cut = text
        .find("\n[evaluation.")
        .expect("the example has [evaluation]");
    let start = text[..cut].rfind("\n# ====").expect("its banner");
    let without = d.join("without.toml");
    std::fs::write(&without, &text[..start]).unwrap();
    ok(&run(d, &["db", "init"]));
    ok(&run(
        d,
        &["db", "import", example().to_str().unwrap(), "--unit", "kx"],
    ));
    ok(&run(
        d,
        &["db", "import", without.to_str().unwrap(), "--unit", "kx"],
    ));
    let o = run(d, &["db", "diff", "1", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("版本1与版本2的基础数据相同。"), "{out}");
    assert!(out.contains("1处其他内容变动"), "{out}");
    assert!(
        out.contains("[evaluation] 绩效自评：部门整体评价（指标体系“sichuan-department”）、")
            && out.contains("个项目 → （无）"),
        "{out}"
    );
    // And back: the evaluation appears again.
    let o = run(d, &["db", "diff", "2", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("[evaluation] 绩效自评：（无） → 部门整体评价"),
        "{}",
        stdout(&o)
    );
}

/// `db plan` stores an allocation plan with its KPI file as versions; a plan that does not
/// allocate is reported with its A-code and stores nothing.
#[test]
fn allocation_plans_are_stored_as_versions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = workspace().join("examples/liangshan-kexie-2021");
    for f in ["allocation.toml", "kpi-2021.csv"] {
        std::fs::copy(example.join(f), d.join(f)).unwrap();
    }
    let out = ok(&run(
        d,
        &[
            "db",
            "plan",
            "allocation.toml",
            "--unit",
            "5134001",
            "--note",
            "初稿",
        ],
    ));
    assert!(
        out.contains("第1版") && out.contains("总资金70万元"),
        "{out}"
    );
    ok(&run(
        d,
        &["db", "plan", "allocation.toml", "--unit", "5134001"],
    ));
    let list = ok(&run(d, &["db", "plans"]));
    assert!(
        list.contains("分配计划（1个）") && list.contains("第2版"),
        "{list}"
    );
    // The unit was registered under the plan's allocator.
    assert!(ok(&run(d, &["db", "list"])).contains("凉山州科学技术协会"));

    let text = std::fs::read_to_string(d.join("allocation.toml")).unwrap();
    std::fs::write(
        d.join("bad.toml"),
        text.replacen(
            "title = \"凉山州本级",
            "title = \"另一个计划：凉山州本级",
            1,
        )
        .replacen("weight = \"0.3\"", "weight = \"0.4\"", 1),
    )
    .unwrap();
    let bad = run(d, &["db", "plan", "bad.toml", "--unit", "5134001"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("A004"), "{}", stderr(&bad));
    assert!(ok(&run(d, &["db", "plans"])).contains("分配计划（1个）"));
}
