//! `juesuan import` and `juesuan template` end to end (docs/xlsx.md).

use juesuan_core::input::parse_input;
use juesuan_core::tables::derive_tables;
use juesuan_core::write::normalized_facts;
use juesuan_core::{FactTable, Measure, Scenario};
use juesuan_data::Library;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .output()
        .expect("run juesuan")
}

fn example_path() -> PathBuf {
    workspace().join("examples/liangshan-kexie-2021/input.toml")
}

/// The example's nine tables as a workbook.
fn example_workbook(dir: &Path) -> PathBuf {
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).unwrap();
    let text = std::fs::read_to_string(example_path()).unwrap();
    let uy = parse_input(&text, "input.toml", &cats).unwrap();
    let tables = derive_tables(&lib.table_set("national", 2021).unwrap(), &uy, &cats);
    let bytes = juesuan_xlsx::write_workbook(&tables, &uy).unwrap();
    let path = dir.join("tables.xlsx");
    std::fs::write(&path, bytes).unwrap();
    path
}

fn parse(path: &Path) -> juesuan_core::UnitYear {
    let cats = Library::embedded().catalogues(2021).unwrap();
    parse_input(&std::fs::read_to_string(path).unwrap(), "out.toml", &cats).unwrap()
}

#[test]
fn import_with_base_gives_back_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());
    let out = dir.path().join("imported.toml");
    let o = run(&[
        "import",
        book.to_str().unwrap(),
        "--base",
        example_path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("凉山州科学技术协会 2021年度"), "{stdout}");
    let original = parse(&example_path());
    let imported = parse(&out);
    let no_eval = |f: &FactTable| normalized_facts(f);
    assert_eq!(no_eval(&imported.facts), no_eval(&original.facts));
    assert_eq!(imported.unit, original.unit);
    assert_eq!(imported.reasons, original.reasons);
    let v = run(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

/// Issues #13/#14: `import --base` keeps the base's `[evaluation]` (and says what it kept and
/// what it replaced), so the report of the imported file still has 第五部分.
#[test]
fn import_with_base_keeps_the_evaluation_and_the_report_its_fifth_part() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());
    let out = dir.path().join("imported.toml");
    let o = run(&[
        "import",
        book.to_str().unwrap(),
        "--base",
        example_path().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("保留（取自 "), "{stdout}");
    assert!(
        stdout.contains("[evaluation] 绩效自评（部门整体评价（指标体系“sichuan-department”）、"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[[glossary]] 名词解释") && stdout.contains("[budget] 年初预算"),
        "{stdout}"
    );
    assert!(
        stdout.contains("替换（取自公开表）：本年收入、本年支出、"),
        "{stdout}"
    );
    // The section is the base's, comments and all, and reads to the same inputs.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("# 编制准确 — 全年预算调剂金额"),
        "comments kept"
    );
    let original = parse(&example_path());
    let imported = parse(&out);
    let (a, b) = (
        original.evaluation.as_ref().unwrap(),
        imported.evaluation.as_ref().unwrap(),
    );
    assert!(a.same_content(b));
    assert_eq!(
        a.input.as_ref().unwrap().projects.len(),
        b.input.as_ref().unwrap().projects.len()
    );
    // Nothing else of the base is lost either.
    assert_eq!(juesuan_core::section_changes(&original, &imported), []);
    // The report of the imported file has its 第五部分, as the base's does.
    let report_dir = dir.path().join("report");
    let r = run(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let md = std::fs::read_to_string(report_dir.join("report.md")).unwrap();
    assert!(
        md.contains("## 第五部分 附件：2021年度绩效自评"),
        "第五部分 kept"
    );
    let base_dir = dir.path().join("base-report");
    let r = run(&[
        "report",
        example_path().to_str().unwrap(),
        "--out",
        base_dir.to_str().unwrap(),
        "--format",
        "md",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let base_md = std::fs::read_to_string(base_dir.join("report.md")).unwrap();
    let fifth = |m: &str| m[m.find("## 第五部分").unwrap()..].to_string();
    assert_eq!(fifth(&md), fifth(&base_md), "the same 第五部分");
}

#[test]
fn import_without_base_writes_placeholders_that_validate() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());
    let out = dir.path().join("imported.toml");
    let o = run(&[
        "import",
        book.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("# TODO：上年决算数"), "{text}");
    assert!(text.contains("# TODO：[budget]"), "{text}");
    let uy = parse(&out);
    assert_eq!(uy.unit.name, "凉山州科学技术协会");
    assert_eq!(uy.year, 2021);
    let income = uy
        .facts
        .sum(&juesuan_core::FactFilter::measure(Measure::Income));
    assert_eq!(income.wan(), "616.54");
    assert!(uy
        .facts
        .facts
        .iter()
        .all(|f| f.scenario != Scenario::Prior || f.amount.is_zero()));
    let v = run(&["validate", out.to_str().unwrap()]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

#[test]
fn template_writes_the_fill_in_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("template.xlsx");
    let o = run(&["template", "--year", "2021", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    use calamine::Reader;
    let book: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
    assert_eq!(book.sheet_names().len(), 11);
    // The empty template imports (every amount zero) with a located complaint or a file;
    // either way it must not crash.
    let toml = dir.path().join("empty.toml");
    let o = run(&[
        "import",
        out.to_str().unwrap(),
        "-o",
        toml.to_str().unwrap(),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
}

#[test]
fn a_bad_workbook_is_a_located_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("bad.xlsx");
    // A workbook whose 收入决算表 has text where an amount goes.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("公开02表").unwrap();
    ws.write_string(0, 0, "收入决算表").unwrap();
    ws.write_string(1, 0, "单位：万元").unwrap();
    for (c, h) in [
        "科目编码",
        "科目名称",
        "本年收入合计",
        "财政拨款收入",
        "上级补助收入",
        "事业收入",
        "经营收入",
        "附属单位上缴收入",
        "其他收入",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "2060701").unwrap();
    ws.write_string(3, 1, "机构运行").unwrap();
    ws.write_string(3, 2, "一百").unwrap();
    std::fs::write(&book, wb.save_to_buffer().unwrap()).unwrap();
    let out = dir.path().join("x.toml");
    let o = run(&[
        "import",
        book.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.xlsx: 错误[X005]：工作表“公开02表” C4：“一百”不是金额"),
        "each problem carries its code: {err}"
    );
    // The other tables are missing too: each missing table is its own X003.
    assert!(
        err.contains("错误[X003]：") && !err.contains("错误："),
        "{err}"
    );
    assert!(!out.exists());

    let o = run(&[
        "import",
        dir.path().join("missing.xlsx").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue #13 item 5 / #17: a Shanghai unit imports its own nine tables (split 类/款/项 code
/// columns, the 人员经费 | 公用经费 economic table, the horizontal “三公” table) with
/// `--template shanghai`; the file written validates and gives back the very same tables.
#[test]
fn import_reads_shanghai_tables_with_the_shanghai_template() {
    let lib = Library::embedded();
    let cats = lib.catalogues(2024).unwrap();
    let demo = workspace().join("examples/shanghai-demo-2024/input.toml");
    let uy = parse_input(&std::fs::read_to_string(&demo).unwrap(), "demo", &cats).unwrap();
    let set = lib.table_set("shanghai", 2024).unwrap();
    let tables = derive_tables(&set, &uy, &cats);
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("tables.xlsx");
    std::fs::write(&book, juesuan_xlsx::write_workbook(&tables, &uy).unwrap()).unwrap();
    for base in [None, Some(demo.to_str().unwrap())] {
        let out = dir.path().join("imported.toml");
        let mut args = vec![
            "import",
            book.to_str().unwrap(),
            "--template",
            "shanghai",
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend(base.iter().flat_map(|b| ["--base", *b]));
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(&out).unwrap();
        let imported = parse_input(&text, "out.toml", &cats).unwrap();
        assert_eq!(imported.year, 2024);
        assert_eq!(imported.template, "shanghai");
        assert_eq!(derive_tables(&set, &imported, &cats), tables);
        let v = run(&["validate", out.to_str().unwrap()]);
        assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    }
}

/// A table set declaring no `[import]` roles (the national budget tables) is refused with
/// X002, naming the role it lacks and the set; nothing is written.
#[test]
fn import_with_a_set_lacking_a_role_is_x002_naming_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let book = example_workbook(dir.path());
    let out = dir.path().join("x.toml");
    let o = run(&[
        "import",
        book.to_str().unwrap(),
        "--template",
        "national-budget",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("错误[X002]：表格模板“national-budget”")
            && err.contains("导入角色“summary”（收入支出决算总表）"),
        "{err}"
    );
    assert!(!out.exists());
}
