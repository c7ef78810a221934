//! Our own PDF, read back as a reader of the published file would (`pdftotext -layout`),
//! audits clean; the same text with one figure changed does not.

use std::process::Command;

#[test]
fn our_pdf_audits_clean_and_a_changed_figure_is_caught() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("跳过：未安装 pdftotext（poppler-utils）；CI 会安装");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .args([
            "report",
            "../../examples/liangshan-kexie-2021/input.toml",
            "--format",
            "pdf",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let pdf = out.join("report.pdf");

    let audit = Command::new(env!("CARGO_BIN_EXE_juesuan"))
        .arg("audit")
        .arg(&pdf)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&audit.stdout);
    assert!(audit.status.success(), "{report}");
    assert!(report.contains("未发现计算错误"), "{report}");

    // The text as read from the PDF, with the narrative's 本年支出 total (the sum of 基本支出
    // and 项目支出 stated next to it) changed.
    let text = juesuan_readers::read_text(&pdf).unwrap();
    assert!(text.contains("收入支出决算总表"));
    let clean = juesuan_audit::audit(&text);
    assert_eq!(clean.failures().count(), 0);
    let changed = text.replacen("本年支出合计686.54万元", "本年支出合计686.45万元", 1);
    assert_ne!(changed, text);
    let broken = juesuan_audit::audit(&changed);
    assert!(
        broken.failures().count() > 0,
        "a changed total in the PDF text was not caught"
    );
}
