//! Every kept fuzz input replayed on stable: `fuzz/regressions/<target>/*` (crashes found
//! and fixed) and the committed seeds `fuzz/corpus/<target>/*`, each through its target's
//! function. A directory named after no target fails, so a typo cannot skip its inputs.

use juesuan_fuzzing::TARGETS;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// (target, file) for every file under `fuzz/<kind>/<target>/`; unknown directories listed
/// in the second vector.
fn inputs(root: &Path, kind: &str) -> (Vec<(&'static str, PathBuf)>, Vec<String>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let Ok(dirs) = std::fs::read_dir(root.join(kind)) else {
        return (found, unknown);
    };
    for dir in dirs {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Some((target, _)) = TARGETS.iter().find(|(t, _)| *t == name) else {
            unknown.push(format!("fuzz/{kind}/{name}"));
            continue;
        };
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let file = f.file_name().unwrap().to_string_lossy().to_string();
            // Inputs a fuzzer added (named by SHA-1) are not committed: replay only ours.
            let fuzzer_added = file.len() == 40 && file.bytes().all(|b| b.is_ascii_hexdigit());
            if f.is_file() && !fuzzer_added && !file.starts_with('.') {
                found.push((*target, f));
            }
        }
    }
    found.sort();
    unknown.sort();
    (found, unknown)
}

/// The bytes a target gets for a kept file. A journal kept as a plain `.csv` gets the flags
/// byte 0 (defaults) in front, as `journal_csv` reads its first byte as options.
fn bytes_for(target: &str, path: &Path) -> Vec<u8> {
    let data = std::fs::read(path).unwrap();
    if target == "journal_csv" && path.extension().is_some_and(|e| e == "csv") {
        let mut v = vec![0u8];
        v.extend_from_slice(&data);
        return v;
    }
    data
}

/// Run every input, collecting panics instead of stopping at the first one.
fn replay(kind: &str) -> usize {
    let (found, unknown) = inputs(&fuzz_dir(), kind);
    assert!(
        unknown.is_empty(),
        "directories named after no target (targets: {:?}): {unknown:?}",
        TARGETS.iter().map(|(t, _)| *t).collect::<Vec<_>>()
    );
    let mut failed = Vec::new();
    for (target, path) in &found {
        let f = TARGETS.iter().find(|(t, _)| t == target).unwrap().1;
        let data = bytes_for(target, path);
        if std::panic::catch_unwind(|| f(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
    found.len()
}

#[test]
fn regressions_replay_without_panics() {
    replay("regressions");
}

#[test]
fn committed_seeds_replay_without_panics() {
    let n = replay("corpus");
    assert!(n >= 50, "only {n} seeds found under fuzz/corpus");
}

#[test]
fn a_directory_named_after_no_target_is_reported() {
    let root = std::env::temp_dir().join(format!("juesuan-fuzzing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for dir in ["regressions/pipline", "regressions/pipeline"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join("x.toml"), b"").unwrap();
    }
    let (found, unknown) = inputs(&root, "regressions");
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(unknown, ["fuzz/regressions/pipline"]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "pipeline");
}

#[test]
fn every_target_has_seeds_and_a_fuzz_target() {
    for (t, _) in TARGETS {
        if *t == "xlsx_import" {
            // Replay-only: the xlsx_reader and upload targets fuzz this path.
            continue;
        }
        let seeds = fuzz_dir().join("corpus").join(t);
        assert!(
            std::fs::read_dir(&seeds).is_ok_and(|mut d| d.next().is_some()),
            "no seeds in {}",
            seeds.display()
        );
        let wrapper = fuzz_dir().join("fuzz_targets").join(format!("{t}.rs"));
        let text = std::fs::read_to_string(&wrapper).unwrap_or_default();
        assert!(
            text.contains(&format!("juesuan_fuzzing::{t}(")),
            "{} does not call juesuan_fuzzing::{t}",
            wrapper.display()
        );
    }
}
