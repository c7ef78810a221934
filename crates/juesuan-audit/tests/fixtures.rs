//! Every fixture in tests/fixtures with a sidecar `<name>.expected.toml` is audited, and the
//! findings (errors, rounding notes, parse and execution errors) must be exactly the ones the
//! sidecar lists: no false error, none missed. Each fixture must also pass at least
//! `min_passes` checks, so a fixture cannot "pass" by the auditor reading nothing in it.
//!
//! Sidecar format (docs/audit.md):
//! ```toml
//! description = "…"
//! reader = "text"            # as `juesuan audit x.txt` reads it (hard-wrapped text is joined);
//!                            # or "pdftotext-layout": the text goes through the PDF reader's unwrapping
//! min_passes = 20
//! [[finding]]
//! line = 7                   # line of the text as audited (after the reader)
//! kind = "share"             # Kind, snake_case
//! outcome = "fail"           # optional, default "fail"; or "rounding_note", "parse_error"
//! stated = "6.52%"
//! expected = "6.25%"
//! note = "300 / 4800 = 6.25%"  # why, for the reader of the fixture
//! ```

use juesuan_audit::{audit, Kind, Outcome};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sidecar {
    description: String,
    #[serde(default = "text_reader")]
    reader: String,
    min_passes: usize,
    #[serde(default)]
    finding: Vec<Finding>,
}

fn text_reader() -> String {
    "text".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    line: usize,
    kind: Kind,
    #[serde(default = "fail")]
    outcome: Outcome,
    stated: String,
    expected: String,
    #[allow(dead_code)]
    note: Option<String>,
}

fn fail() -> Outcome {
    Outcome::Fail
}

/// Outcomes a reader of the audit must look at.
fn is_finding(o: Outcome) -> bool {
    matches!(
        o,
        Outcome::Fail | Outcome::RoundingNote | Outcome::ParseError | Outcome::ExecutionError
    )
}

type Row = (usize, Kind, Outcome, String, String);

#[test]
fn every_fixture_yields_exactly_its_planted_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".txt").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 10, "fixtures: {names:?}");
    let mut problems = Vec::new();
    for name in &names {
        let sidecar = dir.join(format!("{name}.expected.toml"));
        let Ok(toml_text) = std::fs::read_to_string(&sidecar) else {
            problems.push(format!("{name}: no {name}.expected.toml"));
            continue;
        };
        let side: Sidecar =
            toml::from_str(&toml_text).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
        let raw = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        let text = match side.reader.as_str() {
            // What `juesuan audit x.txt` reads: a text with one paragraph per line is read
            // as it is; a hard-wrapped one has its lines joined.
            "text" => {
                let read = juesuan_readers::plain_text(raw.as_bytes()).unwrap();
                assert!(
                    juesuan_readers::hard_wrapped(&raw) || read == raw,
                    "{name}: read differently from its text"
                );
                read
            }
            "pdftotext-layout" => juesuan_readers::unwrap_lines(&raw),
            other => panic!("{name}: unknown reader {other}"),
        };
        let a = audit(&text);
        let count = |o: Outcome| a.checks.iter().filter(|c| c.outcome == o).count();
        println!(
            "{name}: {} figures, {} checks: {} pass, {} fail, {} rounding notes, {} not applicable, {} insufficient data, {} parse errors — {}",
            a.figures,
            a.checks.len(),
            count(Outcome::Pass),
            count(Outcome::Fail),
            count(Outcome::RoundingNote),
            count(Outcome::NotApplicable),
            count(Outcome::InsufficientData),
            count(Outcome::ParseError),
            side.description
        );
        let mut found: Vec<Row> = a
            .checks
            .iter()
            .filter(|c| is_finding(c.outcome))
            .map(|c| {
                (
                    c.line,
                    c.kind,
                    c.outcome,
                    c.stated.clone(),
                    c.expected.clone(),
                )
            })
            .collect();
        let mut want: Vec<Row> = side
            .finding
            .iter()
            .map(|f| {
                (
                    f.line,
                    f.kind,
                    f.outcome,
                    f.stated.clone(),
                    f.expected.clone(),
                )
            })
            .collect();
        found.sort();
        want.sort();
        for f in found.iter().filter(|f| !want.contains(f)) {
            let c = a
                .checks
                .iter()
                .find(|c| (c.line, c.kind, c.outcome) == (f.0, f.1, f.2) && c.stated == f.3)
                .expect("found");
            problems.push(format!(
                "{name}: unexpected {f:?}: {} — {}",
                c.message, c.quote
            ));
        }
        for w in want.iter().filter(|w| !found.contains(w)) {
            problems.push(format!("{name}: missed {w:?}"));
        }
        if count(Outcome::Pass) < side.min_passes {
            problems.push(format!(
                "{name}: only {} checks pass, the sidecar expects at least {}",
                count(Outcome::Pass),
                side.min_passes
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
