//! The round trip for every template (issue #17 item 5): synthetic units of our own
//! (tests/units/*.toml — mixed basic and project items, zero 三公, empty fund tables,
//! sub-units, other fund sources), each generated with each template and read back as a
//! reader of the published file would (Markdown; Word through the .docx reader; PDF through
//! pdftotext), audit clean: no error, no sentence the auditor misreads or cannot check. And a
//! figure corrupted in the generated text is caught.
//!
//! Table-driven: a template is one line of [`TEMPLATES`], a unit one file in tests/units.
//! The PDF round trip needs poppler-utils and fonts-noto-cjk, so it is `#[ignore]`d like the
//! other PDF tests (run with `--run-ignored all`, as CI does).

use juesuan_audit::{audit, Audit, Kind, Outcome, Place};
use juesuan_core::input::parse_input;
use juesuan_core::UnitYear;
use juesuan_data::Library;
use juesuan_report::{build_report, Report};
use std::path::Path;

/// (table template, `province`, year the unit is read as): one line per template. Shanghai's
/// format starts with 2024, so its units are read as of 2024.
const TEMPLATES: &[(&str, Option<&str>, i32)] = &[
    ("national", None, 2021),
    ("sichuan", Some("sichuan"), 2021),
    ("shanghai", Some("shanghai"), 2024),
];

/// The synthetic units, by file name, and their text.
fn units() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/units");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "synthetic units: {}", out.len());
    out
}

/// The unit read with `template` (and `province`), and its report.
fn generate(
    text: &str,
    name: &str,
    (template, province, year): (&str, Option<&str>, i32),
) -> (UnitYear, Report) {
    let mut header = format!("template = \"{template}\"\n");
    if let Some(p) = province {
        header += &format!("province = \"{p}\"\n");
    }
    // Every unit states `amount_unit = "万元"` on a line of its own; the template follows it.
    assert!(text.contains("amount_unit = \"万元\"\n"), "{name}");
    let text = text
        .replacen(
            "amount_unit = \"万元\"\n",
            &format!("amount_unit = \"万元\"\n{header}"),
            1,
        )
        .replacen("year = 2021\n", &format!("year = {year}\n"), 1);
    let lib = Library::embedded();
    let cats = lib.catalogues(year).unwrap();
    let uy = parse_input(&text, name, &cats).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
    assert_eq!(uy.template, template);
    let report = build_report(&uy, &lib, &cats).unwrap_or_else(|e| panic!("{name}: {e}"));
    (uy, report)
}

/// Everything short of a pass: errors, misreadings (parse errors) and checks that could not
/// run. A table rule over a grouped header the reader does not map may say it could not run
/// (as for the example's own workbook); nothing else may.
fn not_clean(a: &Audit) -> Vec<String> {
    a.checks
        .iter()
        .filter(|c| !matches!(c.outcome, Outcome::Pass | Outcome::NotApplicable))
        .filter(|c| !(c.kind == Kind::TableRule && c.outcome == Outcome::InsufficientData))
        .map(|c| {
            format!(
                "{:?} {:?} 第{}行：{}｜{}",
                c.outcome, c.kind, c.line, c.message, c.quote
            )
        })
        .collect()
}

fn assert_clean(text: &str, what: &str) -> Audit {
    let a = audit(text);
    let bad = not_clean(&a);
    assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
    assert!(
        a.checks.len() >= 40,
        "{what}: only {} checks",
        a.checks.len()
    );
    a
}

/// The text with the figure at `place` moved by one unit of its leading digit.
fn corrupt(text: &str, place: Place) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let line = &mut lines[place.line - 1];
    let chars: Vec<char> = line.chars().collect();
    let figure: String = chars[place.start..place.end].iter().collect();
    let first = figure
        .chars()
        .next()
        .and_then(|c| c.to_digit(10))
        .expect("a figure");
    let replaced = if first == 9 {
        format!("1{figure}")
    } else {
        format!("{}{}", first + 1, &figure[1..])
    };
    *line = format!(
        "{}{replaced}{}",
        chars[..place.start].iter().collect::<String>(),
        chars[place.end..].iter().collect::<String>()
    );
    lines.join("\n")
}

/// A non-zero figure of a passing 合计与分项 check, corrupted, makes the audit fail.
fn assert_corruption_caught(text: &str, clean: &Audit, what: &str) {
    let figure = |p: &Place| -> String {
        let line: Vec<char> = text.lines().nth(p.line - 1).unwrap().chars().collect();
        line[p.start..p.end].iter().collect()
    };
    let place = clean
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Pass && c.kind == Kind::TotalOfParts)
        .flat_map(|c| c.figures.iter().copied())
        .find(|p| {
            figure(p)
                .trim_start_matches(['0', '.'])
                .chars()
                .any(|c| c.is_ascii_digit() && c != '0')
        })
        .unwrap_or_else(|| panic!("{what}: no passing 合计与分项 figure"));
    let broken = audit(&corrupt(text, place));
    assert!(
        broken.failures().next().is_some(),
        "{what}: the figure “{}” at {place:?} corrupted was not caught",
        figure(&place)
    );
}

#[test]
fn every_template_and_unit_round_trips_through_markdown() {
    for &template in TEMPLATES {
        for (name, text) in units() {
            let (_, report) = generate(&text, &name, template);
            let what = format!("{name} × {} (report.md)", template.0);
            let clean = assert_clean(&report.markdown, &what);
            assert_corruption_caught(&report.markdown, &clean, &what);
        }
    }
}

#[test]
fn every_template_and_unit_round_trips_through_word() {
    for &template in TEMPLATES {
        for (name, text) in units() {
            let (uy, report) = generate(&text, &name, template);
            let bytes = juesuan_office::write_docx(&report, &uy).unwrap();
            let read = juesuan_readers::docx_text(&bytes).unwrap();
            let what = format!("{name} × {} (report.docx)", template.0);
            let clean = assert_clean(&read, &what);
            assert_corruption_caught(&read, &clean, &what);
        }
    }
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext）和 fonts-noto-cjk，见 README"]
fn every_template_and_unit_round_trips_through_pdf() {
    let fonts = juesuan_pdf::PdfFonts::discover().expect("fonts-noto-cjk installed");
    let dir = tempfile::tempdir().unwrap();
    for &template in TEMPLATES {
        for (name, text) in units() {
            let (uy, report) = generate(&text, &name, template);
            let pdf = juesuan_pdf::write_pdf(&report, &uy, &fonts).unwrap();
            let path = dir.path().join(format!("{name}-{}.pdf", template.0));
            std::fs::write(&path, pdf).unwrap();
            let read = juesuan_readers::read_text(&path).unwrap();
            let what = format!("{name} × {} (report.pdf)", template.0);
            let clean = assert_clean(&read, &what);
            assert_corruption_caught(&read, &clean, &what);
        }
    }
}
