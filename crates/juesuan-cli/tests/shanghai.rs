//! Generate → audit for the Shanghai template: the made-up unit of examples/shanghai-demo-2024
//! renders in Shanghai's structure, and `juesuan audit` finds nothing wrong in our own
//! report.md and report.docx (and report.pdf, which needs poppler-utils: `--run-ignored all`).
//! A changed figure in the Markdown is caught, so the clean result is not vacuous.

use std::path::{Path, PathBuf};
use std::process::Command;

fn juesuan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_juesuan"));
    c.env("SOURCE_DATE_EPOCH", "1735689600");
    c
}

/// `juesuan report` of the demo into a temporary directory, in every format.
fn generate(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let demo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shanghai-demo-2024/input.toml");
    let run = juesuan()
        .arg("report")
        .arg(&demo)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{said}");
    assert!(said.contains("9张表，0幅图，0条警告"), "{said}");
    out
}

fn audit(file: &Path) -> (Option<i32>, String) {
    let run = juesuan().arg("audit").arg(file).output().unwrap();
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
    )
}

#[test]
fn the_shanghai_demo_audits_clean_in_markdown_and_word() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path());
    for name in ["report.md", "report.docx"] {
        let (code, text) = audit(&out.join(name));
        assert_eq!(code, Some(0), "{name}:\n{text}");
        assert!(text.contains("结论：未发现计算错误"), "{name}:\n{text}");
        assert!(text.contains("识别9张表"), "{name}:\n{text}");
    }
    // The same Markdown with one stated share changed is caught.
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let changed = md.replacen("占99.59%", "占98.59%", 1);
    assert_ne!(changed, md);
    let broken = dir.path().join("changed.md");
    std::fs::write(&broken, changed).unwrap();
    let (code, text) = audit(&broken);
    assert_eq!(code, Some(1), "{text}");
}

#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn the_shanghai_demo_audits_clean_in_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate(dir.path());
    let (code, text) = audit(&out.join("report.pdf"));
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("结论：未发现计算错误"), "{text}");
}

#[test]
fn the_shanghai_demo_passes_its_rules() {
    let demo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/shanghai-demo-2024/input.toml");
    let run = juesuan().arg("check").arg(&demo).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(0), "{text}");
    assert!(
        text.contains("上海市9张表") && text.contains("0处错误"),
        "{text}"
    );
}
