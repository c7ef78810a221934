//! The PDF of the embedded example (凉山州科协 2021): text, fonts and pages, checked with
//! poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm). The example is typeset once per
//! test binary. The tests that run poppler-utils are `#[ignore]`d: run them with
//! `--run-ignored all` (as CI does); without poppler-utils they fail.

use juesuan_core::input::parse_input;
use juesuan_data::Library;
use juesuan_pdf::{typeset, PdfFonts};
use juesuan_report::build_report_with_scores;
use juesuan_report::evaluation::{compute, Scored};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

struct Typeset {
    _dir: tempfile::TempDir,
    path: PathBuf,
    pdf: Vec<u8>,
    warnings: Vec<String>,
    report: juesuan_report::Report,
}

fn example() -> &'static Typeset {
    static PDF: OnceLock<Typeset> = OnceLock::new();
    PDF.get_or_init(|| {
        let lib = Library::embedded();
        let cats = lib.catalogues(2021).expect("catalogues");
        let uy = parse_input(EXAMPLE, "input.toml", &cats).expect("example parses");
        // With the performance evaluation, so 第五部分 (evaluation tables) is typeset too.
        let scores = match compute(&lib, &uy).expect("data files") {
            Scored::Scores(s) => s,
            _ => panic!("the example has a valid [evaluation]"),
        };
        let report = build_report_with_scores(&uy, &lib, &cats, Some(&scores)).expect("report");
        let fonts = PdfFonts::discover().expect("fonts-noto-cjk installed");
        let t = typeset(&report, &uy, &fonts).expect("typeset");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, &t.pdf).expect("write pdf");
        Typeset {
            _dir: dir,
            path,
            pdf: t.pdf,
            warnings: t.warnings,
            report,
        }
    })
}

/// Output of a poppler tool; panics when it is not installed.
fn poppler(tool: &str, args: &[&str], file: &Path) -> String {
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(file);
    if tool == "pdftotext" {
        // To standard output instead of a .txt file beside the PDF.
        cmd.arg("-");
    }
    match cmd.output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("UTF-8 output")
        }
        Err(e) => {
            panic!("需要 poppler-utils：无法运行 {tool}（{e}）；apt-get install poppler-utils")
        }
    }
}

fn pages() -> usize {
    let info = poppler("pdfinfo", &[], &example().path);
    let line = info
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .expect("pdfinfo prints Pages");
    line["Pages:".len()..].trim().parse().expect("page count")
}

#[test]
fn is_a_pdf_without_typst_warnings() {
    let t = example();
    assert!(t.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        t.pdf.len() > 50_000,
        "suspiciously small: {} bytes",
        t.pdf.len()
    );
    assert!(t.warnings.is_empty(), "typst warnings: {:#?}", t.warnings);
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn text_is_searchable_chinese_with_the_key_figures() {
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &example().path);
    // Whitespace and line breaks depend on the layout; the words do not.
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for phrase in [
        "凉山州科学技术协会2021年度部门决算",
        "目录",
        "第一部分部门概况",
        "第二部分2021年度部门决算情况说明",
        "第五部分附件：2021年度绩效自评",
        "项目支出绩效目标自评表：学术交流学会科普",
        "名词解释",
        "收入支出决算总表",
        "一般公共预算财政拨款支出决算表",
        "一般公共预算财政拨款“三公”经费支出决算表",
        "编制单位：凉山州科学技术协会",
        "单位：万元",
        "图1：收入支出决算总体情况变动情况图",
        "686.54",
        "616.54",
        "406.17",
        "280.37",
        "—1—",
    ] {
        assert!(text.contains(phrase), "pdftotext lacks “{phrase}”");
    }
    // Chart text (SVG → PDF vector text) is searchable too: the legend of 图2.
    assert!(text.contains("财政拨款收入"), "chart labels missing");
    // The cover's date line, and each chart's title once: its caption, not again in the chart.
    let report = &example().report;
    assert!(text.contains(&report.date), "cover date {}", report.date);
    for c in &report.charts {
        assert_eq!(text.matches(c.title.as_str()).count(), 1, "{}", c.title);
    }
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn empty_tables_carry_their_note() {
    let text = poppler("pdftotext", &["-enc", "UTF-8"], &example().path);
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // 公开08表 (政府性基金) is empty for this unit: its official note is printed.
    assert!(
        text.contains("注：本单位") || text.contains("注：本部门"),
        "empty-table note missing"
    );
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn fonts_are_embedded_noto_cjk() {
    let list = poppler("pdffonts", &[], &example().path);
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts: {list}");
    for row in &rows {
        // Columns: name type encoding emb sub uni object-id; the name may contain no spaces.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "unexpected pdffonts row: {row}");
        assert_eq!(cols[n - 5], "yes", "font not embedded: {row}");
        assert_eq!(cols[n - 3], "yes", "font without ToUnicode: {row}");
    }
    for family in ["NotoSerifCJKsc-Regular", "NotoSansCJKsc-Bold"] {
        assert!(list.contains(family), "{family} missing:\n{list}");
    }
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn every_page_renders() {
    let pages = pages();
    assert!(pages >= 10, "only {pages} pages");
    let out = tempfile::tempdir().expect("temp dir");
    let prefix = out.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-r", "50", "-png"])
        .arg(&example().path)
        .arg(&prefix)
        .status();
    let status = status.unwrap_or_else(|e| panic!("需要 poppler-utils：无法运行 pdftoppm（{e}）"));
    assert!(status.success(), "pdftoppm failed");
    let pngs = std::fs::read_dir(out.path())
        .expect("read dir")
        .filter(|e| {
            e.as_ref()
                .map(|e| e.path().extension().is_some_and(|x| x == "png"))
                .unwrap_or(false)
        })
        .count();
    assert_eq!(pngs, pages);
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn a4_pages() {
    let info = poppler("pdfinfo", &[], &example().path);
    // A4 is 595.28 x 841.89 pt.
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .expect("page size");
    assert!(size.contains("595.") && size.contains("841."), "{size}");
}
