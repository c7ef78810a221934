//! `juesuan audit` over several files and directories (批量核对): one row per document with its
//! verdict, unreadable files as rows, the exit code of the batch, the CSV/JSON/HTML summaries,
//! and the single-file report unchanged.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_juesuan"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    workspace()
        .join("crates/juesuan-audit/tests/fixtures")
        .join(format!("{name}.txt"))
}

fn run(args: &[&Path]) -> Output {
    bin().args(args).output().expect("run juesuan")
}

/// A directory of documents (nested, with an unreadable .docx, an empty file and a file the
/// batch does not take), and one file outside it.
fn documents(root: &Path) -> (PathBuf, PathBuf) {
    let dir = root.join("报告");
    std::fs::create_dir_all(dir.join("子目录/下一级")).unwrap();
    let copy = |from: &str, to: &str| std::fs::copy(fixture(from), dir.join(to)).unwrap();
    copy("liangshan-kexie-2021-published", "a-凉山.txt");
    copy("other-province-2023-correct", "b-某市局.md");
    copy("yunnan-county-2024-no-tables", "子目录/c-云南.txt");
    // Nothing to check: no figure the auditor reads (a text-only page).
    std::fs::write(
        dir.join("子目录/下一级/d-只有文字.txt"),
        "一、单位概况\n本馆主要职责是收集、保管和提供利用本县档案。\n二、名词解释\n财政拨款收入：指本年度从本级财政部门取得的财政拨款。\n",
    )
    .unwrap();
    std::fs::write(dir.join("子目录/e-损坏.docx"), "这不是 zip 文件").unwrap();
    std::fs::write(dir.join("f-空白.md"), "").unwrap();
    std::fs::write(dir.join("说明.csv"), "不是报告").unwrap();
    let outside = root.join("湖北.txt");
    std::fs::copy(fixture("hubei-bureau-2020-errors"), &outside).unwrap();
    (dir, outside)
}

/// Sorted by path (bytes of UTF-8: 报 < 湖).
const EXPECTED: [(&str, &str); 7] = [
    ("报告/a-凉山.txt", "errors"),
    ("报告/b-某市局.md", "clean"),
    ("报告/f-空白.md", "unreadable"),
    ("报告/子目录/c-云南.txt", "clean"),
    ("报告/子目录/e-损坏.docx", "unreadable"),
    ("报告/子目录/下一级/d-只有文字.txt", "unchecked"),
    ("湖北.txt", "errors"),
];

fn relative(root: &Path, path: &str) -> String {
    Path::new(path)
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn a_batch_has_one_row_per_document_in_path_order_and_exits_1_on_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, outside) = documents(tmp.path());
    let o = run(&[
        Path::new("audit"),
        &dir,
        &outside,
        Path::new("--format"),
        Path::new("json"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    let rows = v["documents"].as_array().unwrap();
    let got: Vec<(String, &str)> = rows
        .iter()
        .map(|r| {
            (
                relative(tmp.path(), r["path"].as_str().unwrap()),
                r["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, &str)> = EXPECTED.iter().map(|(p, v)| (p.to_string(), *v)).collect();
    assert_eq!(got, expected);
    // The seed's seven errors and the Hubei fixture's four, with their rounding note.
    assert_eq!(rows[0]["errors"], 7);
    assert_eq!(rows[0]["rounding_notes"], 1);
    assert_eq!(rows[6]["errors"], 4);
    assert_eq!(rows[0]["verdict_label"], "发现计算错误");
    let bad = &rows[4];
    assert!(bad["reason"]
        .as_str()
        .unwrap()
        .starts_with("不是有效的 Word（.docx）文件"));
    assert!(rows[2]["reason"]
        .as_str()
        .unwrap()
        .contains("没有可读的文字"));
    assert_eq!(v["totals"]["documents"], 7);
    assert_eq!(v["exit_code"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 4 + 7 + 1);
    assert!(findings.iter().any(|f| f["kind_label"] == "增减率"
        && f["stated"] == "9.03%"
        && f["expected"] == "8.98%"
        && f["line"] == 51));
    // stderr is not a terminal here: no progress lines, only the final one.
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(
        err,
        "共核对7份文档：发现计算错误2份，未发现计算错误2份，无法核对1份，无法读取2份；错误11处，尾差提示1处。\n"
    );
}

#[test]
fn the_csv_summary_parses_back_with_a_row_per_document_and_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, outside) = documents(tmp.path());
    let out = tmp.path().join("结果/汇总.csv");
    let o = run(&[
        Path::new("audit"),
        &outside,
        &dir,
        Path::new("--format"),
        Path::new("csv"),
        Path::new("--output"),
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "the summary goes to --output only");
    let bytes = std::fs::read(&out).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a UTF-8 BOM for Excel");
    let mut r = csv::Reader::from_reader(body);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..3], ["类型", "文件", "结论"]);
    let records: Vec<csv::StringRecord> = r.records().map(|r| r.expect("RFC 4180")).collect();
    let docs: Vec<&csv::StringRecord> = records.iter().filter(|r| &r[0] == "文档").collect();
    let finds: Vec<&csv::StringRecord> = records.iter().filter(|r| &r[0] == "问题").collect();
    assert_eq!(docs.len(), 7);
    assert_eq!(finds.len(), 12);
    assert_eq!(records.len(), 19);
    let verdicts: Vec<&str> = docs.iter().map(|r| &r[2]).collect();
    assert_eq!(
        verdicts,
        [
            "发现计算错误",
            "未发现计算错误",
            "无法读取",
            "未发现计算错误",
            "无法读取",
            "无法核对",
            "发现计算错误",
        ]
    );
    let bad = docs[4];
    assert!(bad[1].ends_with("e-损坏.docx"));
    assert!(bad[15].starts_with("无法读取：不是有效的 Word（.docx）文件"));
    // Quotes with commas and quotation marks survive the round trip.
    assert!(finds
        .iter()
        .any(|r| r[16].contains("“三公”经费财政拨款支出决算中，")));
    // Written through a temporary file renamed into place: nothing else is left.
    let left: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["汇总.csv"]);
}

#[test]
fn the_batch_exit_code_is_2_for_unreadable_or_unchecked_and_0_when_all_are_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = documents(tmp.path());
    let clean = [dir.join("b-某市局.md"), dir.join("子目录/c-云南.txt")];
    let o = run(&[Path::new("audit"), &clean[0], &clean[1]]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("批量核对：2份文档"), "{text}");
    assert!(text.contains("［未发现计算错误］"), "{text}");

    let o = run(&[
        Path::new("audit"),
        &clean[0],
        &dir.join("子目录/e-损坏.docx"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("［无法读取：不是有效的 Word（.docx）文件"),
        "{text}"
    );

    let o = run(&[
        Path::new("audit"),
        &clean[0],
        &dir.join("子目录/下一级/d-只有文字.txt"),
        Path::new("--format"),
        Path::new("html"),
        Path::new("--jobs"),
        Path::new("1"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let page = String::from_utf8(o.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("无法核对"));

    // A directory is a batch even with one document in it.
    let one = tmp.path().join("一份");
    std::fs::create_dir(&one).unwrap();
    std::fs::copy(&clean[0], one.join("x.txt")).unwrap();
    let o = run(&[Path::new("audit"), &one]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .starts_with("批量核对：1份文档"));

    // A directory without documents is said so, exit 2.
    let empty = tmp.path().join("空");
    std::fs::create_dir(&empty).unwrap();
    let o = run(&[Path::new("audit"), &empty]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr)
        .unwrap()
        .contains("没有可核对的文档"));
}

#[test]
fn one_file_gives_the_single_report_exactly_as_before() {
    let seed = fixture("liangshan-kexie-2021-published");
    let name = seed.display().to_string();
    let audit = juesuan_audit::audit(&juesuan_readers::read_text(&seed).unwrap());
    let expect = [
        ("text", juesuan_audit::report_text(&audit, &name)),
        (
            "json",
            format!("{}\n", serde_json::to_string_pretty(&audit).unwrap()),
        ),
        ("html", juesuan_audit::report_html(&audit, &name)),
    ];
    let tmp = tempfile::tempdir().unwrap();
    for (format, expected) in expect {
        let o = run(&[
            Path::new("audit"),
            &seed,
            Path::new("--format"),
            Path::new(format),
        ]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert_eq!(String::from_utf8(o.stdout).unwrap(), expected, "{format}");
        assert!(o.stderr.is_empty(), "no batch line for one file");
        // --output writes the same report to a file.
        let out = tmp.path().join(format!("核对.{format}"));
        let o = run(&[
            Path::new("audit"),
            &seed,
            Path::new("--format"),
            Path::new(format),
            Path::new("-o"),
            &out,
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(o.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    }
    // The single report's text starts as it always did.
    let o = run(&[Path::new("audit"), &seed]);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .starts_with(&format!("核对：{name}\n")));
}
