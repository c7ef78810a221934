//! End-to-end tests of the `juesuan` binary: the README's main command, and every error
//! fixture in tests/errors/ with a first line `# expect: CODE LINE:COL` (the full messages of
//! every fixture are compared in tests/golden.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run juesuan")
}

#[test]
fn report_on_the_example_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "report.md",
        "report.html",
        "tables.json",
        "charts/fig1.svg",
        "charts/fig7.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("收、支总计686.54万元"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("<table>"));
    assert!(
        !html.contains("src=\"http"),
        "report.html must be self-contained"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tables.json")).unwrap()).unwrap();
    assert_eq!(json["tables"].as_array().unwrap().len(), 9);
    // No temporary or backup directories are left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Running again replaces the directory whole.
    std::fs::write(out.join("stale.txt"), "x").unwrap();
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(!out.join("stale.txt").exists());
}

#[test]
fn every_error_fixture_is_located_and_writes_nothing() {
    let dir = workspace().join("crates/juesuan-cli/tests/errors");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    // Fixtures without the header (the examples of docs/ERRORS.md, the warnings) are covered
    // by their golden messages only (tests/golden.rs).
    let fixtures: Vec<_> = fixtures
        .into_iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .unwrap()
                .starts_with("# expect: ")
        })
        .collect();
    assert!(fixtures.len() >= 15, "fixtures: {}", fixtures.len());
    for fixture in fixtures {
        let text = std::fs::read_to_string(&fixture).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("filtered on the header");
        let (code, place) = expect.split_once(' ').unwrap();
        let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(code),
            "{name}: file name must start with its code"
        );

        let tmp = tempfile::tempdir().unwrap();
        // An existing output directory must survive a failed run untouched.
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep.txt"), "previous result").unwrap();
        let o = run(&[
            "report",
            fixture.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {stderr}");
        let located = format!("{}:{place}: 错误[{code}]", fixture.display());
        assert!(
            stderr.contains(&located),
            "{name}: expected `{located}` in:\n{stderr}"
        );
        assert!(
            stderr.contains("处理："),
            "{name}: error must say what to do"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("keep.txt")).unwrap(),
            "previous result"
        );
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            1,
            "{name}: output touched"
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "{name}: temp left"
        );

        // A fresh output directory is never created.
        let fresh = tmp.path().join("fresh");
        let o = run(&[
            "report",
            fixture.to_str().unwrap(),
            "--out",
            fresh.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            !fresh.exists(),
            "{name}: output directory created despite errors"
        );
    }
}

#[test]
fn validate_accepts_the_example() {
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&["validate", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("输入有效"));
}

/// Issue #14 item 6: the example's ten W102 warnings (the seed gives no deviation reason for
/// any of them) are one line with a count; `--verbose` lists each.
#[test]
fn repeated_warnings_are_one_line_unless_verbose() {
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&["validate", input.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    let w102: Vec<_> = err.lines().filter(|l| l.contains("[W102]")).collect();
    assert_eq!(w102.len(), 2, "{err}");
    assert!(w102[1].contains("同类警告共10条"), "{err}");
    let o = run(&["validate", "--verbose", input.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    let w102 = err.lines().filter(|l| l.contains("[W102]")).count();
    assert_eq!(w102, 10, "{err}");
    assert!(!err.contains("同类警告"));
}

/// Issue #14 item 4: `report --final` refuses a report with missing reasons and writes
/// nothing; with every reason given it writes the report.
#[test]
fn final_run_refuses_missing_reasons_and_writes_nothing() {
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--final",
        "--format",
        "md",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    // Every blocker is listed, not summarised: the example's ten indicators without reasons.
    assert_eq!(
        err.lines().filter(|l| l.contains("[W102]")).count(),
        10,
        "{err}"
    );
    assert!(err.contains("发布版（--final）"), "{err}");
    assert!(!out.exists(), "nothing is written");

    // The same unit with a reason for each of those indicators (after the line each
    // warning names) is published.
    let lines: Vec<usize> = err
        .lines()
        .filter(|l| l.contains("[W102]"))
        .filter_map(|l| l.split("input.toml:").nth(1))
        .filter_map(|rest| rest.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(lines.len(), 10);
    let text = std::fs::read_to_string(&input).unwrap();
    let mut fixed = String::new();
    for (n, line) in text.lines().enumerate() {
        fixed.push_str(line);
        fixed.push('\n');
        if lines.contains(&(n + 1)) {
            fixed.push_str("deviation_reason = \"测试：实际完成与目标的差异原因\"\n");
        }
    }
    let fixed_input = dir.path().join("input.toml");
    std::fs::write(&fixed_input, fixed).unwrap();
    let o = run(&[
        "report",
        fixed_input.to_str().unwrap(),
        "--final",
        "--format",
        "md",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("report.md").exists());
}

#[test]
fn unreadable_input_exits_2() {
    let o = run(&["report", "/nonexistent/input.toml", "--out", "/tmp/never"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("读取输入文件"));
}

/// Issue #14: an input saved as GBK (Notepad's default on Chinese Windows) is refused with
/// the file's name and how to save it as UTF-8, and nothing is written.
#[test]
fn a_gbk_input_is_named_and_the_fix_given() {
    let dir = tempfile::tempdir().unwrap();
    // `year = 2025` and a unit name 中文 saved in GBK (中 D6D0, 文 CEC4).
    let mut gbk = b"year = 2025\n[unit]\nname = \"".to_vec();
    gbk.extend_from_slice(&[0xD6, 0xD0, 0xCE, 0xC4]);
    gbk.extend_from_slice(b"\"\n");
    let input = dir.path().join("gbk.toml");
    std::fs::write(&input, &gbk).unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("gbk.toml") && err.contains("GBK") && err.contains("另存为"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn help_is_bilingual() {
    let o = run(&["--help"]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("决算") && s.contains("final-accounts"));
    for cmd in ["report", "validate", "data"] {
        assert!(s.contains(cmd), "{cmd} missing from --help");
    }
}

#[test]
fn user_catalogue_extends_codes() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("extra.toml");
    std::fs::write(
        &cat,
        "kind = \"function\"\nyear = 2021\n[codes]\n\"20698\" = \"补充的款\"\n\"2069888\" = \"补充的项\"\n",
    )
    .unwrap();
    let input = dir.path().join("in.toml");
    std::fs::write(
        &input,
        "schema = \"juesuan-input/1\"\nyear = 2021\namount_unit = \"元\"\n[unit]\nname = \"测试\"\nkind = \"行政\"\n\
         [prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n\
         [income.general_budget]\n\"2069888\" = 100\n[expenditure.project.general_budget]\n\"2069888\" = 100\n",
    )
    .unwrap();
    let without = run(&["validate", input.to_str().unwrap()]);
    assert_eq!(without.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&without.stderr).contains("E021"));
    let with = run(&[
        "--catalogue",
        cat.to_str().unwrap(),
        "validate",
        input.to_str().unwrap(),
    ]);
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
}

#[test]
fn never_replaces_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("documents");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.docx"), "precious").unwrap();
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("不是 juesuan 的输出目录"));
    assert_eq!(
        std::fs::read_to_string(out.join("thesis.docx")).unwrap(),
        "precious"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temp left behind"
    );
    // An empty directory is fine.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = run(&[
        "report",
        input.to_str().unwrap(),
        "--out",
        empty.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(empty.join("report.html").is_file());
}

#[test]
fn economic_catalogue_file_is_recognised_by_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("econ.toml");
    // No spaces around `=`: the kind must be read as TOML, not matched as text.
    std::fs::write(
        &cat,
        "kind=\"economic\"\nyear=2021\n[codes]\n\"30198\"=\"本地经济科目\"\n",
    )
    .unwrap();
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&[
        "--catalogue",
        cat.to_str().unwrap(),
        "validate",
        input.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn score_prints_traces_and_unsupported_claims_in_every_format() {
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let text = run(&["score", input.to_str().unwrap()]);
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(out.contains("部门整体支出绩效评价"));
    assert!(out.contains("编制准确（满分8）：5.90分，自评8"), "{out}");
    assert!(out.contains("自评得分与输入数据不符"));
    assert!(out.contains("项目支出绩效自评"));

    let json = run(&["score", input.to_str().unwrap(), "--format", "json"]);
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["department"]["claimed_total"], "85");
    assert!(!v["projects"].as_array().unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("score.html");
    let o = run(&[
        "score",
        input.to_str().unwrap(),
        "--format",
        "html",
        "--out",
        html.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("编制准确"));

    let bad = run(&["score", input.to_str().unwrap(), "--format", "pdf"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn score_without_an_evaluation_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.toml");
    std::fs::write(
        &plain,
        "schema = \"juesuan-input/1\"\nyear = 2021\namount_unit = \"元\"\n[unit]\nname = \"测试\"\nkind = \"行政\"\n\
         [prior]\ngrand_total = 0\nfiscal_grand_total = 0\ngeneral_budget_expenditure = 0\n\
         [income.general_budget]\n\"2010101\" = 100\n[expenditure.basic.general_budget]\n\"2010101\" = 100\n\
         [basic_economic.general_budget]\n\"30101\" = 100\n",
    )
    .unwrap();
    let o = run(&["score", plain.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("没有 [evaluation]"));
}

#[test]
fn check_passes_the_example_and_fails_on_a_broken_rule_with_exit_1() {
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    let o = run(&["check", input.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("结论：通过"));

    // A deviation over 10% without its reason is a warning (exit 0: warnings only).
    let dir0 = tempfile::tempdir().unwrap();
    let no_reason = dir0.path().join("input.toml");
    let text = std::fs::read_to_string(&input)
        .unwrap()
        .replace("\"2080501\" = \"按照政策增加离退休人员生活补助\"", "");
    std::fs::write(&no_reason, text).unwrap();
    let o = run(&["check", no_reason.to_str().unwrap()]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("警告[R-02]") && out.contains("行政单位离退休（01项）"),
        "{out}"
    );

    // A user rule file (same path as the shipped one) that the example cannot satisfy.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/national-2021.toml"),
        "name = \"national\"\ntitle = \"测试\"\nyear = 2021\n[[rule]]\nid = \"X-01\"\nseverity = \"error\"\nmessage = \"收入总计应等于本年收入合计\"\nstated = \"t1.grand_total_in.amount\"\nexpected = \"t1.income_total.amount\"\n",
    )
    .unwrap();
    let o = run(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "check",
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("错误[X-01]") && out.contains("填列数686.54，应为616.54，差额70.00"),
        "{out}"
    );
    assert!(out.contains("结论：未通过"));
    // The finding names the input lines of the figures behind the compared cells: the
    // income lines and 年初结转和结余 (`general_budget = 70`).
    let carryover_line = std::fs::read_to_string(&input)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("general_budget = 70"))
        .unwrap()
        + 1;
    let where_line = out
        .lines()
        .find(|l| l.contains("输入文件："))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        where_line.contains(&format!("、{carryover_line}")),
        "{where_line}"
    );

    // The same rule switched off by a profile passes.
    let profile = dir.path().join("profile.toml");
    std::fs::write(&profile, "[rules]\n\"X-01\" = \"off\"\n").unwrap();
    let o = run(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "check",
        input.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    // An unknown rule in a profile cannot run: exit 2.
    std::fs::write(&profile, "[rules]\n\"Z-99\" = \"off\"\n").unwrap();
    let o = run(&[
        "check",
        input.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_of_a_text_where_nothing_can_be_checked_is_unchecked_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    // Figures, but no relation between them that a check understands.
    let f = dir.path().join("概况.txt");
    std::fs::write(
        &f,
        "一、基本情况\n本单位共有5个内设机构，办公用房1,200平方米。\n",
    )
    .unwrap();
    for format in ["text", "json", "html"] {
        let o = run(&["audit", f.to_str().unwrap(), "--format", format]);
        assert_eq!(o.status.code(), Some(2), "{format}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains("未发现计算错误"), "{out}");
        assert!(out.contains("coverage") || out.contains("覆盖"), "{out}");
    }
    let o = run(&["audit", f.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("结论：无法核对"));
}

#[test]
fn audit_reads_text_and_word_and_exits_by_its_verdict() {
    let seed =
        workspace().join("crates/juesuan-audit/tests/fixtures/liangshan-kexie-2021-published.txt");
    let o = run(&["audit", seed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("填写：9.03%　应为：8.98%"), "{out}");
    assert!(out.contains("结论：发现计算错误"));

    let f = workspace().join("crates/juesuan-readers/tests/fixtures/excerpt.docx");
    let o = run(&["audit", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("填写：96.19%　应为：91.43%"));

    let html = run(&["audit", seed.to_str().unwrap(), "--format", "html"]);
    assert_eq!(html.status.code(), Some(1));
    let page = String::from_utf8_lossy(&html.stdout);
    assert!(
        page.starts_with("<!DOCTYPE html>")
            && page.contains("发现计算错误")
            && page.contains("9.03%")
    );

    // juesuan's own report audits clean; its workbook too, each sheet read as a table.
    own_report_audits_clean("md,docx,xlsx", &["report.md", "report.docx", "tables.xlsx"]);

    // Unreadable: exit 2 with the reason.
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("report.doc");
    std::fs::write(&doc, "x").unwrap();
    let o = run(&["audit", doc.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("另存为 .docx"));
}

/// PDF files are read through pdftotext (poppler-utils).
#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn audit_reads_pdf() {
    if let Err(e) = Command::new("pdftotext").arg("-v").output() {
        panic!("需要 poppler-utils：无法运行 pdftotext（{e}）；apt-get install poppler-utils");
    }
    let f = workspace().join("crates/juesuan-readers/tests/fixtures/excerpt.pdf");
    let o = run(&["audit", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("填写：96.19%　应为：91.43%"));

    // A finding in a PDF names its page.
    let two = workspace().join("crates/juesuan-readers/tests/fixtures/two-pages.pdf");
    let o = run(&["audit", two.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("错误［占比］第2页"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );

    // juesuan's own report audits clean.
    own_report_audits_clean("pdf", &["report.pdf"]);
}

/// juesuan's own report, written in `formats`, audits clean: `files` are audited.
fn own_report_audits_clean(formats: &str, files: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let input = workspace().join("examples/liangshan-kexie-2021/input.toml");
    assert!(run(&[
        "report",
        input.to_str().unwrap(),
        "--format",
        formats,
        "--out",
        out.to_str().unwrap()
    ])
    .status
    .success());
    // Every figure juesuan derives agrees, in each format. The one finding is in the
    // evaluation text the input carries over from the published seed: "聘用宣传员劳务费2人*1万元/
    // 年人=0.5万元" (2 × 1 = 2万元; the seed's list adds 0.5) — the user's words, not ours.
    for file in files {
        let o = run(&[
            "audit",
            out.join(file).to_str().unwrap(),
            "--format",
            "json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let checks = v["checks"].as_array().unwrap();
        assert!(checks.len() >= 60, "{file}: {} checks", checks.len());
        // The nine tables map onto the national templates and no rule of data/rules fails;
        // rules a format's reading leaves without a cell say so (insufficient data).
        let tables = &v["coverage"]["tables"];
        assert_eq!(tables["template_set"], "national", "{file}");
        assert_eq!(tables["matched"].as_array().unwrap().len(), 9, "{file}");
        assert_eq!(tables["rule_failures"], 0, "{file}");
        assert!(tables["rule_checks"].as_u64().unwrap() > 0, "{file}");
        let findings: Vec<(String, String, String)> = checks
            .iter()
            .filter(|c| !matches!(c["outcome"].as_str(), Some("pass" | "not_applicable")))
            .filter(|c| !(c["kind"] == "table_rule" && c["outcome"] == "insufficient_data"))
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_string(),
                    c["stated"].as_str().unwrap().to_string(),
                    c["expected"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // The workbook holds the tables only: no evaluation text, no finding.
        if file.ends_with(".xlsx") {
            assert_eq!(findings, vec![], "{file}");
            assert_eq!(o.status.code(), Some(0), "{file}");
            continue;
        }
        assert_eq!(
            findings,
            vec![(
                "arithmetic".to_string(),
                "0.5".to_string(),
                "2.00".to_string()
            )],
            "{file}"
        );
        assert_eq!(o.status.code(), Some(1), "{file}");
    }
}

/// Issue #17 item 2: `check` grades the rounding gaps of figures stated to 0.01 万元 as
/// `validate` does — the same W106 wording, no error — and a figure beyond rounding fails both.
#[test]
fn check_and_validate_grade_rounding_gaps_alike() {
    let errors = workspace().join("crates/juesuan-cli/tests/errors");
    let within = errors.join("W106-rounding-gap.toml");
    let o = run(&["check", within.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("警告[W106] [T6-02]")
            && out.contains("在6个填列数的四舍五入误差（±0.03万元）以内，按尾差处理"),
        "{out}"
    );
    assert!(out.contains("处尾差）"), "{out}");
    let v = run(&["validate", within.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&v.stderr);
    assert!(
        err.contains("在6个填列数的四舍五入误差（±0.03万元）以内，按尾差处理"),
        "{err}"
    );
    // The same figures without a stated precision are exact: the gap is E030.
    let text = std::fs::read_to_string(&within)
        .unwrap()
        .replace("stated_precision = \"0.01万元\"\n", "");
    let dir = tempfile::tempdir().unwrap();
    let exact = dir.path().join("exact.toml");
    std::fs::write(&exact, text).unwrap();
    let o = run(&["check", exact.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("[E030]"));
    // Beyond rounding: an error of both commands.
    let beyond = errors.join("E030-beyond-rounding.toml");
    for cmd in ["check", "validate"] {
        let o = run(&[cmd, beyond.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("超出6个填列数的四舍五入误差"));
    }
}
