//! Reading real file formats: a Word document and a PDF (made by Chromium from the seed's
//! text, with embedded CJK fonts, as government PDFs are), and malformed files.

use juesuan_readers::{docx_text, read_text, text_from_bytes, unwrap_lines, ReadError};
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn word_paragraphs_and_table_rows_come_out_in_order() {
    let text = read_text(&fixture("excerpt.docx")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "七、“三公”经费财政拨款支出决算情况说明");
    assert!(lines[2].contains("公务用车购置及运行维护费支出决算10.03万元，占96.19%"));
    assert_eq!(lines[4], "项目\t金额");
    assert_eq!(lines[5], "本年支出合计\t686.54");
}

#[test]
fn pdf_text_comes_out_with_whole_sentences() {
    let text = read_text(&fixture("excerpt.pdf")).expect("pdftotext is installed by .ci/run");
    assert!(
        text.contains("公务用车购置及运行维护费支出决算10.03万元，占96.19%"),
        "{text}"
    );
    assert!(
        text.contains("财政拨款收、支总计增加56.59万元，增加9.03%"),
        "{text}"
    );
    assert!(text
        .lines()
        .any(|l| l.trim() == "七、“三公”经费财政拨款支出决算情况说明"));
}

#[test]
fn malformed_files_are_errors_not_panics() {
    assert!(matches!(
        docx_text(b"not a zip"),
        Err(ReadError::BadDocx(_))
    ));
    assert!(matches!(
        text_from_bytes(&[0xff, 0xfe, 0x00]),
        Err(ReadError::NotUtf8)
    ));
    let dir = std::env::temp_dir().join(format!("juesuan-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake_pdf = dir.join("fake.pdf");
    std::fs::write(&fake_pdf, b"%PDF-1.4 broken").unwrap();
    assert!(matches!(read_text(&fake_pdf), Err(ReadError::Pdf(_))));
    assert!(matches!(
        read_text(&dir.join("x.doc")),
        Err(ReadError::Unsupported(_))
    ));
    let _ = std::fs::remove_dir_all(&dir);
    // Truncated zip data of a real docx
    let bytes = std::fs::read(fixture("excerpt.docx")).unwrap();
    for cut in [10, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(docx_text(&bytes[..cut]).is_err());
    }
}

#[test]
fn wrapped_lines_are_joined_but_headings_and_sentences_kept() {
    let text = "一、收入决算情况说明\n本年收入合计616.54万元，其中：一般公共\n预算财政拨款收入616.54万元。\n\n下一段。\n";
    let u = unwrap_lines(text);
    assert_eq!(
        u.lines().collect::<Vec<_>>(),
        vec![
            "一、收入决算情况说明",
            "本年收入合计616.54万元，其中：一般公共预算财政拨款收入616.54万元。",
            "",
            "下一段。"
        ]
    );
}

#[test]
fn pdf_layout_table_rows_become_tab_separated_lines() {
    // What `pdftotext -layout` prints for a table: cells in columns, separated by gaps.
    let layout = "一、收入支出决算总体情况\n2021年度收入、支出决算总计686.54万元，与上年相比\n增加44.05万元。\n          项目                    金额\n一般公共预算财政拨款收入         616.54\n  年初结转和结余　　70.00\n合计    1,686.54   -2.50\n";
    let text = unwrap_lines(layout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "一、收入支出决算总体情况",
            "2021年度收入、支出决算总计686.54万元，与上年相比增加44.05万元。",
            // Text in columns is a table row too.
            "项目\t金额",
            "一般公共预算财政拨款收入\t616.54",
            "年初结转和结余\t70.00",
            "合计\t1,686.54\t-2.50",
        ]
    );
    // A sentence with single spaces and a number is not a table row.
    assert_eq!(unwrap_lines("支出 686.54 万元。\n"), "支出 686.54 万元。\n");
}

#[test]
fn a_sentence_over_a_page_break_stays_whole_and_page_numbers_are_dropped() {
    let layout = "共有车辆1辆，其中：主要领导干部用车0辆、\n\n                 - 12 -\n\u{c}其他用车1辆。\n  17. 卫生健康支出（210类）其他支出\n （99项）：支出决算为2.09万元。\n第 3 页 共 30 页\n";
    let text = unwrap_lines(layout);
    assert_eq!(
        text,
        "\u{c}\n共有车辆1辆，其中：主要领导干部用车0辆、其他用车1辆。\n17. 卫生健康支出（210类）其他支出（99项）：支出决算为2.09万元。\n"
    );
}
