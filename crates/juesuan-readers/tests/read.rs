//! Reading real file formats: a Word document and a PDF (made by Chromium from the seed's
//! text, with embedded CJK fonts, as government PDFs are), and malformed files.

use juesuan_readers::{docx_text, read_text, text_from_bytes, unwrap_lines, xlsx_text, ReadError};
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
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn pdf_text_comes_out_with_whole_sentences() {
    let text =
        read_text(&fixture("excerpt.pdf")).unwrap_or_else(|e| panic!("需要 poppler-utils：{e}"));
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
    // A workbook that is no zip, and a docx given as a workbook: errors that say so.
    assert!(matches!(
        xlsx_text(b"not a zip"),
        Err(ReadError::BadXlsx(_))
    ));
    let docx = std::fs::read(fixture("excerpt.docx")).unwrap();
    let e = xlsx_text(&docx).unwrap_err();
    assert!(e.to_string().contains("Excel"), "{e}");
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
    let cells = |l: &str| -> Vec<String> {
        l.split('\t')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(lines[0], "一、收入支出决算总体情况");
    assert_eq!(
        lines[1],
        "2021年度收入、支出决算总计686.54万元，与上年相比增加44.05万元。"
    );
    // Text in columns is a table row too.
    assert_eq!(cells(lines[2]), ["项目", "金额"]);
    assert_eq!(cells(lines[3]), ["一般公共预算财政拨款收入", "616.54"]);
    assert_eq!(cells(lines[4]), ["年初结转和结余", "70.00"]);
    assert_eq!(cells(lines[5]), ["合计", "1,686.54", "-2.50"]);
    assert_eq!(lines.len(), 6);
    // Every cell stands at its character offset of the layout: the indent and the gaps
    // are tabs, one for each space.
    for (row, printed) in lines[2..].iter().zip(layout.lines().skip(3)) {
        assert_eq!(row.chars().count(), printed.chars().count(), "{row:?}");
        for (a, b) in row.chars().zip(printed.chars()) {
            assert!(
                a == b || (a == '\t' && b.is_whitespace()),
                "{row:?} {printed:?}"
            );
        }
    }
    // A single space inside a cell stays ("1. 一般公共预算" is one cell).
    assert_eq!(
        unwrap_lines("1. 一般公共预算    616.54\n"),
        "1. 一般公共预算\t\t\t\t616.54\n"
    );
    // A sentence with single spaces and a number is not a table row.
    assert_eq!(unwrap_lines("支出 686.54 万元。\n"), "支出 686.54 万元。\n");
}

#[test]
fn a_sentence_over_a_page_break_stays_whole_and_page_numbers_are_dropped() {
    let layout = "共有车辆1辆，其中：主要领导干部用车0辆、\n\n                 - 12 -\n\u{c}其他用车1辆。\n  17. 卫生健康支出（210类）其他支出\n （99项）：支出决算为2.09万元。\n第 3 页 共 30 页\n";
    let text = unwrap_lines(layout);
    // The break stays inside the sentence, at the clause boundary before it: each clause
    // is counted on the page where it is printed.
    assert_eq!(
        text,
        "共有车辆1辆，其中：主要领导干部用车0辆、\u{c}其他用车1辆。\n17. 卫生健康支出（210类）其他支出（99项）：支出决算为2.09万元。\n"
    );
}

#[test]
fn a_page_break_never_cuts_a_number_a_name_or_a_list() {
    // A number cut after its thousands separator stays whole; the break goes before the
    // clause.
    let cut = "  项目支出为1,\n\n   9\n\u{c}250.00万元，比上年增加10.00万元。\n";
    assert_eq!(
        unwrap_lines(cut),
        "\u{c}项目支出为1,250.00万元，比上年增加10.00万元。\n"
    );
    // A "；" list goes on over the break, unless the new page opens on a heading.
    let list = "  其中：甲20.00万元，占20.00%；\n\n\n   3\n\u{c}   乙80.00万元，占80.00%。\n";
    assert_eq!(
        unwrap_lines(list),
        "其中：甲20.00万元，占20.00%；\u{c}乙80.00万元，占80.00%。\n"
    );
    let heading = "  其中：甲20.00万元；\n   3\n\u{c}   二、支出情况\n";
    assert_eq!(
        unwrap_lines(heading),
        "其中：甲20.00万元；\n\u{c}\n二、支出情况\n"
    );
}

#[test]
fn a_single_blank_line_inside_a_sentence_does_not_cut_it() {
    // The line after the blank starts at the left margin: it goes on the sentence. An
    // indented line after a blank opens a new paragraph.
    let layout = "   本年机关运行经费支出300.00万元，比上年增加30.00万元，增长\n\n11.11%。原因是房屋维修。\n\n   下一段从缩进开始\n";
    assert_eq!(
        unwrap_lines(layout),
        "本年机关运行经费支出300.00万元，比上年增加30.00万元，增长11.11%。原因是房屋维修。\n\n下一段从缩进开始\n"
    );
}

/// A .docx (just its main part, deflated) whose `word/document.xml` is `xml`.
fn docx_of(xml: &str) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("word/document.xml", opts).unwrap();
    w.write_all(xml.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

#[test]
fn document_xml_beyond_the_limit_is_refused_even_when_its_header_lies() {
    let body = "<w:p><w:r><w:t>本年支出合计686.54万元</w:t></w:r></w:p>".repeat(100);
    let xml = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let bytes = docx_of(&xml);
    let limit = xml.len() as u64 - 1;
    // Within the limit it reads.
    let text = juesuan_readers::docx_text_with_limit(&bytes, xml.len() as u64).unwrap();
    assert_eq!(text.lines().count(), 100);
    // Declared beyond the limit: refused before inflating.
    let e = juesuan_readers::docx_text_with_limit(&bytes, limit).unwrap_err();
    assert!(e.to_string().contains("解压后超过"), "{e}");
    // The same entry declaring 10 bytes (local header and central directory both patched):
    // the bounded read still stops at the limit.
    let mut lying = bytes.clone();
    let real = (xml.len() as u32).to_le_bytes();
    let mut patched = 0;
    for i in 0..lying.len() - 4 {
        if lying[i..i + 4] == real {
            lying[i..i + 4].copy_from_slice(&10u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(
        patched, 2,
        "the size is in the local header and the directory"
    );
    let e = juesuan_readers::docx_text_with_limit(&lying, limit).unwrap_err();
    assert!(e.to_string().contains("解压后超过"), "{e}");
    assert_eq!(juesuan_readers::MAX_DOCUMENT_XML, 64 * 1024 * 1024);
}

/// Issue #11, pattern 3: a share printed above its own line goes back after it; a share
/// that merely wraps after an open line stays.
#[test]
fn a_list_tail_printed_above_its_line_goes_back_after_it() {
    let layout = "支出预算合计200.00万元，其中：\n教育支出（类）100.00万元，占50.00%；\n30.00%；\n卫生健康支出（类）60.00万元，占\n住房保障支出（类）40.00万元，占20.00%。\n";
    let text = unwrap_lines(layout);
    assert!(
        text.contains("卫生健康支出（类）60.00万元，占30.00%；住房保障支出"),
        "{text}"
    );
    // Ordinary wrapping: the line before is open, the tail continues it.
    let wrapped =
        "教育支出（类）100.00万元，占\n50.00%；\n卫生健康支出（类）60.00万元，占30.00%。\n";
    assert!(unwrap_lines(wrapped).contains("占50.00%；卫生健康"));
}

/// Issue #11, pattern 14: hard-wrapped plain text is joined; text with a paragraph per line
/// is left as it is.
#[test]
fn hard_wrapped_plain_text_is_joined_and_paragraph_lines_are_kept() {
    use juesuan_readers::{hard_wrapped, plain_text};
    let paragraph = "本单位2023年度收入合计1,234.56万元，比上年增加100.00万元，增长8.82%，主要原因是人员增加及项目经费增加。支出合计1,200.00万元，其中基本支出800.00万元、项目支出400.00万元。";
    // Wrapped every 30 characters, as a mail client or a PDF copy would.
    let chars: Vec<char> = paragraph.chars().collect();
    let wrapped: String = (0..10)
        .flat_map(|_| {
            chars
                .chunks(30)
                .map(|c| c.iter().collect::<String>() + "\n")
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(hard_wrapped(&wrapped));
    let joined = plain_text(wrapped.as_bytes()).unwrap();
    assert!(joined.lines().any(|l| l.trim() == paragraph), "{joined}");
    let per_line: String = (0..10)
        .map(|_| format!("{paragraph}\n一、标题\n"))
        .collect();
    assert!(!hard_wrapped(&per_line));
    assert_eq!(plain_text(per_line.as_bytes()).unwrap(), per_line);
}

#[test]
fn documents_of_files_and_directories_are_sorted_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("sub/deeper")).unwrap();
    std::fs::create_dir_all(d.join(".hidden")).unwrap();
    for f in [
        "b.txt",
        "a.PDF",
        "notes.csv",
        ".swap.txt",
        "sub/c.docx",
        "sub/deeper/d.md",
        "sub/e.doc",
        ".hidden/f.txt",
    ] {
        std::fs::write(d.join(f), "x").unwrap();
    }
    // A file named explicitly stands for itself whatever its type; given twice, once.
    let docs = juesuan_readers::documents(&[
        d.to_path_buf(),
        d.join("sub/e.doc"),
        d.join("b.txt"),
        d.join("missing.txt"),
    ]);
    let rel: Vec<String> = docs
        .iter()
        .map(|p| {
            p.strip_prefix(d)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert_eq!(
        rel,
        [
            "a.PDF",
            "b.txt",
            "missing.txt",
            "sub/c.docx",
            "sub/deeper/d.md",
            "sub/e.doc"
        ]
    );
}

/// A table whose cells wrap inside their columns: a line of one column is not the
/// continuation of a line of another column, however the PDF interleaves them.
#[test]
fn a_lone_total_row_is_not_joined_with_the_note_or_title_after_it() {
    let layout = "      项目        本年收入      本年支出\n                 合计\n  注：本单位无此项收支，本表为空表。\n                 合   计\n        一般公共预算支出决算表\n";
    let text = unwrap_lines(layout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "合计");
    assert_eq!(lines[2], "注：本单位无此项收支，本表为空表。");
    assert_eq!(lines[3], "合   计");
    assert_eq!(lines[4], "一般公共预算支出决算表");
}

#[test]
fn lines_of_different_columns_are_not_joined() {
    let layout = "一、项目情况\n                      印制费2万元、租车费4\n                                          完成率100%，\n                      万元。共计6万元。\n";
    let text = unwrap_lines(layout);
    assert!(
        !text.contains("租车费4完成率"),
        "two columns were joined: {text}"
    );
    // A paragraph's lines at the margin and its indented first line still join.
    let para = "    本单位2023年度收入合计100万元，\n比上年增加10万元。\n";
    assert!(unwrap_lines(para).contains("收入合计100万元，比上年增加10万元。"));
}

/// pdftotext is stopped past its time limit, and the file is an error that says so: a hostile
/// PDF cannot hold a server's worker. (A zero limit stops it before it can have finished.)
#[test]
#[ignore = "需要 poppler-utils（pdftotext 等），见 README"]
fn pdftotext_is_stopped_past_its_time_limit() {
    let pdf = fixture("excerpt.pdf");
    juesuan_readers::pdf_text(&pdf).unwrap_or_else(|e| panic!("需要 poppler-utils：{e}"));
    let e = juesuan_readers::pdf_text_within(&pdf, std::time::Duration::ZERO).unwrap_err();
    assert!(e.to_string().contains("已停止"), "{e}");
    assert_eq!(juesuan_readers::PDF_TIME_LIMIT.as_secs(), 60);
}

/// Issue #14: a GBK/GB18030 file (Notepad's default on Chinese Windows) is named as such,
/// with how to save it as UTF-8; other non-UTF-8 bytes get the general message.
#[test]
fn gbk_text_is_recognised_and_refused_with_a_hint() {
    // "年度 = 2025 # 中文" with 中文 in GBK (D6D0 CEC4).
    let mut gbk = b"year = 2025 # ".to_vec();
    gbk.extend_from_slice(&[0xD6, 0xD0, 0xCE, 0xC4, b'\n']);
    assert!(juesuan_readers::looks_like_gbk(&gbk));
    let e = text_from_bytes(&gbk).unwrap_err();
    assert_eq!(e, ReadError::Gbk);
    assert!(e.to_string().contains("另存为") && e.to_string().contains("UTF-8"));
    // A lone Latin-1 byte before ASCII is not GBK.
    assert_eq!(text_from_bytes(b"caf\xe9 au lait"), Err(ReadError::NotUtf8));
    assert!(!juesuan_readers::looks_like_gbk(b"plain ascii"));
}
