//! Catalogues by year (issue #14 item 1): a 2025 input with codes of the full catalogue,
//! the visible fallback of a year without its own catalogue (W104) in every command that
//! chooses one, and `juesuan data import-catalogue` on the official layouts (Excel with
//! 类/款/项 columns, Word with 科目编码/科目名称/说明), including refusals that write nothing.

use rust_xlsxwriter::{Format, Workbook};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args(args)
        .output()
        .expect("run juesuan")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A small input of `year`: income and basic spending on two 项, paid as 基本工资.
fn input(year: i32, codes: [&str; 2]) -> String {
    format!(
        "schema = \"juesuan-input/1\"\nyear = {year}\namount_unit = \"元\"\n[unit]\nname = \"测试单位\"\nkind = \"行政\"\n\
         [prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n\
         [income.general_budget]\n\"{a}\" = 600\n\"{b}\" = 400\n\
         [expenditure.basic.general_budget]\n\"{a}\" = 600\n\"{b}\" = 400\n\
         [basic_economic.general_budget]\n\"30101\" = 1000\n",
        a = codes[0],
        b = codes[1]
    )
}

/// The official Excel layout: a merged 科目编码 over 类/款/项, 科目名称, 说明; 款 and 项 as
/// two digits under the rows above. `item` is the one 项 row under 款 21305.
fn official_workbook(path: &Path, item: (&str, &str)) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("支出功能分类科目").unwrap();
    ws.write_string(0, 0, "2025年政府收支分类科目（测试用节选）")
        .unwrap();
    ws.merge_range(1, 0, 1, 2, "科目编码", &Format::new())
        .unwrap();
    ws.write_string(1, 3, "科目名称").unwrap();
    ws.write_string(1, 4, "说明").unwrap();
    for (c, t) in ["类", "款", "项"].iter().enumerate() {
        ws.write_string(2, c as u16, *t).unwrap();
    }
    let rows: [[&str; 4]; 4] = [
        ["213", "", "", "农林水支出"],
        ["", "05", "", "巩固脱贫衔接乡村振兴"],
        ["", "", "05", "生产发展"],
        ["", "", item.0, item.1],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(3 + r as u32, c as u16, *text).unwrap();
            }
        }
        ws.write_string(3 + r as u32, 4, "反映……（测试用说明）")
            .unwrap();
    }
    // A revenue code in the same document is skipped, not read as a function code.
    ws.write_string(7, 0, "101").unwrap();
    ws.write_string(7, 3, "税收收入").unwrap();
    wb.save(path).unwrap();
}

/// The Word layout: one table, 科目编码 | 科目名称 | 说明.
fn official_docx(path: &Path, rows: &[[&str; 3]]) {
    let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
    let mut table = String::from("<w:tbl>");
    for row in std::iter::once(&["科目编码", "科目名称", "说明"]).chain(rows) {
        table.push_str("<w:tr>");
        for t in row {
            table.push_str(&cell(t));
        }
        table.push_str("</w:tr>");
    }
    table.push_str("</w:tbl>");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>支出功能分类科目</w:t></w:r></w:p>{table}</w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
}

/// Done when (issue #14): a 2025 input using codes of the full catalogue validates. Codes
/// our list has read silently; a 项 it lacks under a 款 it has warns (W105) and still
/// validates; with the official list imported and given, the warning is gone.
#[test]
fn a_2025_input_with_codes_of_the_full_catalogue_validates() {
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known.toml");
    std::fs::write(&known, input(2025, ["2130505", "2299999"])).unwrap();
    let o = run(&["validate", known.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("W104") && !stderr(&o).contains("W105"),
        "{}",
        stderr(&o)
    );

    let unlisted = dir.path().join("unlisted.toml");
    std::fs::write(&unlisted, input(2025, ["2130505", "2130598"])).unwrap();
    let o = run(&["validate", unlisted.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("警告[W105] 支出功能分类科目“2130598”"),
        "{err}"
    );
    assert!(err.contains("import-catalogue"), "{err}");
    assert!(!err.contains("W104"), "{err}");

    let xlsx = dir.path().join("official.xlsx");
    official_workbook(&xlsx, ("98", "测试用项"));
    let out = dir.path().join("function-2025.toml");
    let o = run(&[
        "data",
        "import-catalogue",
        xlsx.to_str().unwrap(),
        "--year",
        "2025",
        "--kind",
        "function",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("1个类、1个款、2个项") && stdout.contains("跳过其他分类的科目1行"),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"2130598\" = \"测试用项\""), "{text}");
    assert!(!text.contains("\"101\""), "{text}");
    let o = run(&[
        "--catalogue",
        out.to_str().unwrap(),
        "validate",
        unlisted.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("W105"), "{}", stderr(&o));

    // The same catalogue as a --data-dir file replaces the built-in 2025 list.
    let data = dir.path().join("data/catalogues");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(&out, data.join("function-2025.toml")).unwrap();
    let o = run(&[
        "--data-dir",
        dir.path().join("data").to_str().unwrap(),
        "validate",
        unlisted.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("W105"), "{}", stderr(&o));
    // …and a code the import does not hold (2299999: its 类 229 is not in it) is an error.
    let o = run(&[
        "--data-dir",
        dir.path().join("data").to_str().unwrap(),
        "validate",
        known.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("E021"), "{}", stderr(&o));
}

/// A year with no catalogue of its own uses the newest earlier one and says so, naming both
/// years, in validate, report, check, score and template --year; a year with its own says
/// nothing.
#[test]
fn a_year_without_its_catalogue_warns_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let later = dir.path().join("later.toml");
    std::fs::write(&later, input(2030, ["2130505", "2299999"])).unwrap();
    let path = later.to_str().unwrap();
    let report_dir = dir.path().join("out");
    let xlsx = dir.path().join("t.xlsx");
    for args in [
        vec!["validate", path],
        vec!["check", path],
        vec!["score", path],
        vec![
            "report",
            path,
            "--out",
            report_dir.to_str().unwrap(),
            "--format",
            "md",
        ],
        vec![
            "template",
            "--year",
            "2030",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    ] {
        let o = run(&args);
        let err = stderr(&o);
        assert!(
            err.contains("警告[W104] 分类目录（支出功能分类）：没有2030年的支出功能分类目录，使用的是2026年的目录"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("没有2030年的支出经济分类目录"),
            "{args:?}: {err}"
        );
    }
    let own = run(&[
        "template",
        "--year",
        "2026",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(own.status.success());
    assert!(!stderr(&own).contains("W104"), "{}", stderr(&own));
}

/// The Word layout reads like the Excel one; bad input is refused, named by file and cell
/// or row, with what to do, exit 1, and nothing written.
#[test]
fn import_catalogue_reads_word_and_refuses_bad_input_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("official.docx");
    official_docx(
        &docx,
        &[
            ["213", "农林水支出", "反映……"],
            ["21305", "巩固脱贫衔接乡村振兴", ""],
            ["2130505", "生产发展", ""],
        ],
    );
    let out = dir.path().join("f.toml");
    let import = |file: &Path, kind: &str| {
        run(&[
            "data",
            "import-catalogue",
            file.to_str().unwrap(),
            "--year",
            "2025",
            "--kind",
            kind,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let o = import(&docx, "function");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"2130505\" = \"生产发展\""), "{text}");
    std::fs::remove_file(&out).unwrap();

    // No economic codes in it: said so, nothing written.
    let o = import(&docx, "economic");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("没有找到支出经济分类科目"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());

    // A mistyped 项 (letter O for zero) and a 项 without its 款.
    let bad = dir.path().join("bad.xlsx");
    official_workbook(&bad, ("9O", "测试用项"));
    let o = import(&bad, "function");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "bad.xlsx: 错误：工作表“支出功能分类科目”单元格C7：“9O”不是2位（或7位）数字的项级编码"
        ),
        "{err}"
    );
    assert!(
        err.contains("请改正该格") && err.contains("未写出任何文件"),
        "{err}"
    );
    assert!(!out.exists());
    let orphan = dir.path().join("orphan.docx");
    official_docx(
        &orphan,
        &[["213", "农林水支出", ""], ["2130505", "生产发展", ""]],
    );
    let o = import(&orphan, "function");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("Word 文档表格第3行第1列：科目“2130505”的上级科目“21305”不在表中"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = import(&dir.path().join("x.pdf"), "function");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("只能读取 .xlsx 或 .docx"),
        "{}",
        stderr(&o)
    );
}
