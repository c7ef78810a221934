//! Golden full messages, hledger style. Every fixture `tests/errors/<name>.toml` is run through
//! `juesuan validate <name>.toml` in its own directory, and its whole standard error must equal
//! `tests/errors/<name>.stderr` beside it (exit 1 for errors, 0 for the warning fixtures `W…`).
//! The message examples of docs/ERRORS.md are generated from those files: a code block after
//! `<!-- golden: a b -->` holds the golden messages of fixtures a and b without the closing
//! count line. `UPDATE_GOLDEN=1 cargo nextest run -p juesuan-cli --test golden` rewrites the
//! `.stderr` files and the doc's blocks; without it any difference fails.
//!
//! Guards: every input code (E/W) that an input file can trigger has a fixture whose golden
//! message shows it; every audit kind has a fixture of the auditor that finds it.

use juesuan_core::{Coded, ErrorCode};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Input codes no input file can trigger, with the reason.
const NOT_FROM_AN_INPUT_FILE: &[(&str, &str)] = &[
    (
        "E040",
        "a rule file (data/rules/ or --data-dir) is wrong, not the input; its messages are tested \
         in crates/juesuan-check/tests/rules.rs and crates/juesuan-cli/tests/rules_extends.rs",
    ),
    (
        "W107",
        "two tables of a workbook contradict each other: only `juesuan import` meets it; tested \
         in crates/juesuan-xlsx/tests/rounded.rs and crates/juesuan-cli/tests/xlsx.rs",
    ),
];

/// Audit kinds that no document fixture finds yet, with the unit test that makes one fail.
const UNIT_TESTED_ONLY: &[(&str, &str, &str)] = &[
    (
        "table_columns",
        "crates/juesuan-audit/src/tables/mod.rs",
        "Kind::TableColumns",
    ),
    (
        "table_across",
        "crates/juesuan-audit/src/tables/mod.rs",
        "Kind::TableAcross",
    ),
];
/// Audit kinds that no test makes fail yet (a known gap, listed so that it is seen).
const NOT_YET_FAILED_BY_ANY_TEST: &[&str] = &[];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn errors_dir() -> PathBuf {
    workspace().join("crates/juesuan-cli/tests/errors")
}

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(errors_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn golden(name: &str) -> String {
    let path = errors_dir().join(format!("{name}.stderr"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{}: no golden file (UPDATE_GOLDEN=1)", path.display()))
}

#[test]
fn every_fixture_gives_its_golden_message() {
    let names = fixtures();
    assert!(names.len() >= 60, "fixtures: {}", names.len());
    let mut differ = Vec::new();
    for name in &names {
        let o = Command::new(env!("CARGO_BIN_EXE_juesuan"))
            .current_dir(errors_dir())
            // --verbose: every message in full (repeats are otherwise summarised in one line,
            // which cli.rs tests), so the docs show each message a user can meet.
            .args(["validate", "--verbose", &format!("{name}.toml")])
            .output()
            .unwrap();
        let stderr = String::from_utf8(o.stderr).unwrap();
        let exit = if name.starts_with('W') { 0 } else { 1 };
        assert_eq!(o.status.code(), Some(exit), "{name}: {stderr}");
        let path = errors_dir().join(format!("{name}.stderr"));
        if updating() {
            std::fs::write(&path, &stderr).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(stderr.as_str()) {
            differ.push(format!("{name}:\n{stderr}"));
        }
    }
    assert!(
        differ.is_empty(),
        "messages differ from golden:\n{}",
        differ.join("\n")
    );
    // A golden file without its fixture is stale.
    for entry in std::fs::read_dir(errors_dir()).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = file.strip_suffix(".stderr") {
            assert!(names.iter().any(|n| n == stem), "{file} has no fixture");
        }
    }
}

#[test]
fn every_code_an_input_can_trigger_has_a_fixture_showing_it() {
    let names = fixtures();
    for code in ErrorCode::ALL {
        let code = code.code();
        if let Some((_, why)) = NOT_FROM_AN_INPUT_FILE.iter().find(|(c, _)| *c == code) {
            assert!(
                !names.iter().any(|n| n.starts_with(code)),
                "{code} is listed as not triggerable ({why}) but has a fixture"
            );
            continue;
        }
        let shown: Vec<_> = names
            .iter()
            .filter(|n| n.starts_with(&format!("{code}-")))
            .filter(|n| golden(n).contains(&format!("[{code}]")))
            .collect();
        assert!(
            !shown.is_empty(),
            "no fixture tests/errors/{code}-*.toml shows {code}"
        );
    }
    // A fixture named after a code shows that code.
    for name in &names {
        let code = name.split('-').next().unwrap();
        if ErrorCode::ALL.iter().any(|c| c.code() == code) {
            assert!(golden(name).contains(&format!("[{code}]")), "{name}");
        }
    }
}

/// The blocks of docs/ERRORS.md that follow a `<!-- golden: … -->` marker, regenerated.
fn generated_doc(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(at) = rest.find("\n<!-- golden: ").map(|a| a + 1) {
        let marker_end = at + rest[at..].find("-->").expect("marker closes") + 3;
        let names: Vec<&str> = rest[at + 13..marker_end - 3].split_whitespace().collect();
        let open = marker_end + rest[marker_end..].find("```\n").expect("a block follows") + 4;
        let close = open + rest[open..].find("```\n").expect("the block closes");
        out.push_str(&rest[..open]);
        for name in names {
            for line in golden(name).lines() {
                // The closing count is the same for every example; the doc leaves it out.
                if !(line.starts_with('共') || line.starts_with("输入有效")) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_message_examples_of_the_docs_are_the_golden_messages() {
    let path = workspace().join("docs/ERRORS.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let generated = generated_doc(&doc);
    if updating() {
        std::fs::write(&path, &generated).unwrap();
    } else {
        assert!(
            generated == doc,
            "docs/ERRORS.md differs from the golden messages; run with UPDATE_GOLDEN=1"
        );
    }
    // Every message example in the doc is generated: a block line naming a fixture file and a
    // code is inside a marked block.
    let marked = doc.matches("<!-- golden: ").count();
    assert!(marked >= 25, "marked blocks: {marked}");
    let mut in_block = false;
    let mut after_marker = false;
    for line in doc.lines() {
        if line.starts_with("<!-- golden: ") {
            after_marker = true;
        } else if line.starts_with("```") {
            in_block = !in_block;
            if !in_block {
                after_marker = false;
            }
        } else if in_block && !after_marker {
            let example =
                line.contains(".toml") && (line.contains("错误[") || line.contains("警告["));
            assert!(!example, "message example without a golden marker: {line}");
        }
    }
}

#[test]
fn the_doc_generator_replaces_a_block_and_keeps_the_rest() {
    let doc = "a\n<!-- golden: E005-schema-2 -->\n```\nstale\n```\nb\n";
    let g = generated_doc(doc);
    assert!(
        g.starts_with(
            "a\n<!-- golden: E005-schema-2 -->\n```\nE005-schema-2.toml:1:10: 错误[E005]"
        ),
        "{g}"
    );
    assert!(
        !g.contains("stale") && !g.contains("共1处") && g.ends_with("```\nb\n"),
        "{g}"
    );
}

/// Every audit kind is found by at least one fixture of the auditor (whose findings
/// crates/juesuan-audit/tests/fixtures.rs compares exactly with its `.expected.toml`).
#[test]
fn every_audit_kind_has_a_fixture_that_finds_it() {
    let dir = workspace().join("crates/juesuan-audit/tests/fixtures");
    let mut listed = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".expected.toml") {
            listed.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    for kind in juesuan_audit::Kind::ALL {
        let line = format!("kind = \"{}\"", kind.code());
        if NOT_YET_FAILED_BY_ANY_TEST.contains(&kind.code()) {
            assert!(
                !listed.contains(&line),
                "{line} now has a fixture: drop it from the list"
            );
            continue;
        }
        if let Some((_, file, variant)) = UNIT_TESTED_ONLY.iter().find(|(k, ..)| *k == kind.code())
        {
            let text = std::fs::read_to_string(workspace().join(file)).unwrap();
            assert!(text.contains(variant), "{file} no longer tests {variant}");
            assert!(
                !listed.contains(&line),
                "{line} now has a fixture: drop it from the list"
            );
            continue;
        }
        assert!(
            listed.contains(&line),
            "no audit fixture finds {}",
            kind.code()
        );
    }
}
