//! Text of a published disclosure, whatever it was published as.
//!
//! - plain text / Markdown: as is (UTF-8; a UTF-8 BOM is dropped), unless hard-wrapped
//!   (see [`hard_wrapped`]), when its wrapped lines are joined as a PDF's are;
//! - Word (.docx): paragraphs in order, one per line; table rows one per line with cells
//!   separated by tabs — parsed from the OOXML in Rust, no external program;
//! - PDF: `pdftotext -layout` from Debian's poppler-utils (government PDFs embed their CJK
//!   fonts, so the text layer is there); a missing program is a clear error;
//! - Excel (.xlsx, the workbook `juesuan report` writes): each sheet a table, its rows
//!   tab-separated with every cell (`juesuan_xlsx::workbook_text`, behind the importer's
//!   zip-bomb and cell-count guards).
//!
//! Malformed input is an error naming the problem, never a panic.

use std::fmt;
use std::io::{Cursor, Read};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file could not be read.
    Io(String),
    /// Not UTF-8 text.
    NotUtf8,
    /// GBK/GB18030 text (what Notepad and WPS save by default on Chinese Windows).
    Gbk,
    /// A .docx that is not a valid Word document.
    BadDocx(String),
    /// An .xlsx that cannot be read (or exceeds the reading limits).
    BadXlsx(String),
    /// pdftotext is not installed, or failed.
    Pdf(String),
    /// A format juesuan cannot read.
    Unsupported(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "无法读取文件：{e}"),
            ReadError::NotUtf8 => write!(f, "文本文件不是 UTF-8 编码；请另存为 UTF-8 后再试"),
            ReadError::Gbk => write!(
                f,
                "文件是 GBK/GB18030 编码（中文 Windows 记事本、WPS 的默认编码），不是 UTF-8：请用记事本“另存为”，编码选“UTF-8”，保存后再试"
            ),
            ReadError::BadDocx(e) => write!(f, "不是有效的 Word（.docx）文件：{e}"),
            ReadError::BadXlsx(e) => write!(f, "无法读取 Excel（.xlsx）文件：{e}"),
            ReadError::Pdf(e) => write!(f, "读取 PDF 失败：{e}"),
            ReadError::Unsupported(ext) => write!(
                f,
                "不支持的文件类型“{ext}”：可读取 .txt、.md、.docx、.pdf、.xlsx（.doc 请先另存为 .docx）"
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// The text of plain-text bytes, as they are. Text that is not UTF-8 is an error; when it
/// reads as GBK/GB18030 the error says so, and how to save it as UTF-8.
pub fn text_from_bytes(bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        if looks_like_gbk(bytes) {
            ReadError::Gbk
        } else {
            ReadError::NotUtf8
        }
    })
}

/// Whether bytes read as GBK/GB18030: every byte above ASCII is the lead byte (0x81–0xFE) of
/// a two-byte character whose trail byte is 0x40–0xFE but not 0x7F (or a four-byte GB18030
/// sequence), and there is at least one such character.
pub fn looks_like_gbk(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut chars = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let lead = (0x81..=0xFE).contains(&b);
        let next = bytes.get(i + 1).copied();
        match next {
            Some(t) if lead && (0x40..=0xFE).contains(&t) && t != 0x7F => i += 2,
            // GB18030 four-byte: lead, digit, lead, digit.
            Some(t)
                if lead
                    && t.is_ascii_digit()
                    && bytes.get(i + 2).is_some_and(|c| (0x81..=0xFE).contains(c))
                    && bytes.get(i + 3).is_some_and(|c| c.is_ascii_digit()) =>
            {
                i += 4
            }
            _ => return false,
        }
        chars += 1;
    }
    chars > 0
}

/// The text of a plain-text report: as it is, or, when it is hard-wrapped (a line break
/// every so many columns, inside sentences — text copied out of a PDF or an e-mail), with
/// its wrapped lines joined as the PDF reader joins them.
pub fn plain_text(bytes: &[u8]) -> Result<String, ReadError> {
    let text = text_from_bytes(bytes)?;
    Ok(if hard_wrapped(&text) {
        unwrap_lines(&text)
    } else {
        text
    })
}

/// Display width: a Chinese character or full-width sign takes two columns.
fn columns(line: &str) -> usize {
    line.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// Whether plain text is hard-wrapped: most of its prose lines are cut at about the same
/// width, and most of those cut lines end inside a sentence. Text with one paragraph per
/// line has few lines near its widest, and those end sentences.
pub fn hard_wrapped(text: &str) -> bool {
    let prose: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && !l.contains('\t'))
        .collect();
    if prose.len() < 8 {
        return false;
    }
    let mut widths: Vec<usize> = prose.iter().map(|l| columns(l)).collect();
    widths.sort_unstable();
    // The wrap width: the width most full lines reach (the 90th percentile, so that one
    // long heading or table line does not set it).
    let wrap = widths[widths.len() * 9 / 10];
    if wrap < 20 {
        return false;
    }
    let full: Vec<&&str> = prose.iter().filter(|l| columns(l) + 4 >= wrap).collect();
    let cut = full
        .iter()
        .filter(|l| !l.ends_with(['。', '！', '？', '；', '：', '.', ';', ':']))
        .count();
    full.len() * 10 >= prose.len() * 4 && cut * 2 > full.len()
}

/// The largest `word/document.xml` read (uncompressed bytes), 64 MiB. A published report's
/// main part is a few MB even with hundreds of pages of tables; beyond this it is a zip bomb
/// or not a report, and parsing it would hold several times its size in memory.
pub const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;

/// The text of a .docx given as bytes.
pub fn docx_text(bytes: &[u8]) -> Result<String, ReadError> {
    docx_text_with_limit(bytes, MAX_DOCUMENT_XML)
}

/// [`docx_text`] with another limit on the uncompressed size of `word/document.xml`.
pub fn docx_text_with_limit(bytes: &[u8], max_document_xml: u64) -> Result<String, ReadError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::BadDocx(e.to_string()))?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| ReadError::BadDocx("缺少 word/document.xml".into()))?;
    let too_large = || {
        ReadError::BadDocx(format!(
            "word/document.xml 解压后超过{} MB，文件可能已损坏或是压缩炸弹，拒绝读取",
            max_document_xml / 1024 / 1024
        ))
    };
    if entry.size() > max_document_xml {
        return Err(too_large());
    }
    // The declared size can lie: read one byte past the limit at most, then refuse.
    let mut raw = Vec::new();
    entry
        .take(max_document_xml.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| ReadError::BadDocx(e.to_string()))?;
    if raw.len() as u64 > max_document_xml {
        return Err(too_large());
    }
    let xml = String::from_utf8(raw)
        .map_err(|_| ReadError::BadDocx("word/document.xml 不是 UTF-8 编码".into()))?;
    let doc = roxmltree::Document::parse(&xml).map_err(|e| ReadError::BadDocx(e.to_string()))?;
    let body = doc
        .descendants()
        .find(|n| n.has_tag_name("body"))
        .ok_or_else(|| ReadError::BadDocx("缺少正文（w:body）".into()))?;
    let mut out = String::new();
    for block in body.children().filter(|n| n.is_element()) {
        match block.tag_name().name() {
            "p" => {
                out.push_str(&paragraph(block));
                out.push('\n');
            }
            "tbl" => {
                for row in block.children().filter(|n| n.has_tag_name("tr")) {
                    let cells: Vec<String> = row
                        .children()
                        .filter(|n| n.has_tag_name("tc"))
                        .map(|c| {
                            c.children()
                                .filter(|n| n.has_tag_name("p"))
                                .map(paragraph)
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect();
                    out.push_str(&cells.join("\t"));
                    out.push('\n');
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The text of an .xlsx given as bytes: each sheet a table, for the auditor.
pub fn xlsx_text(bytes: &[u8]) -> Result<String, ReadError> {
    juesuan_xlsx::workbook_text(bytes, &juesuan_xlsx::Limits::default())
        .map_err(|e| ReadError::BadXlsx(e.to_string()))
}

/// The visible text of a w:p: its runs' w:t, with tabs and breaks.
fn paragraph(p: roxmltree::Node) -> String {
    let mut s = String::new();
    for n in p.descendants() {
        match n.tag_name().name() {
            "t" if n.is_element() => s.push_str(n.text().unwrap_or("")),
            "tab" => s.push('\t'),
            "br" => s.push('\n'),
            _ => {}
        }
    }
    s
}

/// The text of a PDF file, through `pdftotext -layout`.
pub fn pdf_text(path: &Path) -> Result<String, ReadError> {
    pdf_text_within(path, PDF_TIME_LIMIT)
}

/// How long `pdftotext` may take on one file. A published report of a few hundred pages
/// takes a second or two; a file that takes minutes is hostile or broken, and a server must
/// not give it a worker for good.
pub const PDF_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// [`pdf_text`] with another time limit: past it, `pdftotext` is stopped and the file is an
/// error that says so.
pub fn pdf_text_within(path: &Path, limit: std::time::Duration) -> Result<String, ReadError> {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            ReadError::Pdf(format!(
                "无法运行 pdftotext（{e}）；请安装 poppler-utils（apt-get install poppler-utils）"
            ))
        })?;
    // The output is read while the program runs (a full pipe would stop it).
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).map(|_| v)
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::Pdf(format!(
                    "pdftotext 超过 {} 秒仍未读完，已停止：文件可能损坏或被构造为拖慢读取；请确认文件后重试，或先另存为文本",
                    limit.as_secs()
                )));
            }
            Err(e) => return Err(ReadError::Pdf(format!("pdftotext 运行出错：{e}"))),
        }
    };
    let stdout = out
        .join()
        .map_err(|_| ReadError::Pdf("读取 pdftotext 的输出失败".into()))?
        .map_err(|e| ReadError::Pdf(format!("读取 pdftotext 的输出失败：{e}")))?;
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        return Err(ReadError::Pdf(
            String::from_utf8_lossy(&stderr).trim().to_string(),
        ));
    }
    let text = String::from_utf8(stdout).map_err(|_| ReadError::NotUtf8)?;
    Ok(unwrap_lines(&text))
}

/// A heading line: "七、…", "（一）…", "第二部分…", short.
fn is_heading(line: &str) -> bool {
    let t = line.trim();
    let mut chars = t.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    // "（一）" opens a heading; "（99项）：…" is a wrapped sentence going on.
    t.chars().count() <= 40
        && ("一二三四五六七八九十".contains(first) && second == '、'
            || first == '（' && "一二三四五六七八九十".contains(second)
            || t.starts_with('第') && t.contains("部分"))
        && !states_figure(t)
}

/// Whether a line states a figure ("300.00万元", "12%") or has a clause mark inside: an
/// item's sentence ("（一）农业行政运行：年初预算为300.00万元，…"), not a heading, however
/// short its first line is wrapped.
fn states_figure(t: &str) -> bool {
    let chars: Vec<char> = t.chars().collect();
    chars.windows(2).any(|w| {
        w[0].is_ascii_digit() && matches!(w[1], '元' | '万' | '萬' | '亿' | '億' | '%' | '％')
    }) || t.contains(['，', '；', '。'])
}

/// Double-spaced text (a blank line after every printed line) with its single blank lines
/// dropped, so a blank line no longer cuts sentences and labels; runs of blank lines stay
/// (as one). Text where fewer than half of the lines are followed by one blank line is
/// returned as is.
fn single_spaced(lines: Vec<&str>) -> Vec<&str> {
    let blank = |i: usize| {
        lines
            .get(i)
            .is_none_or(|l| l.trim().is_empty() && !l.contains('\u{c}'))
    };
    let text_lines = (0..lines.len()).filter(|&i| !blank(i)).count();
    let spaced = (0..lines.len())
        .filter(|&i| !blank(i) && blank(i + 1) && !blank(i + 2))
        .count();
    if text_lines < 10 || spaced * 2 < text_lines {
        return lines;
    }
    (0..lines.len())
        .filter(|&i| !blank(i) || i == 0 || blank(i - 1) || blank(i + 1))
        .map(|i| lines[i])
        .collect()
}

/// A list item's tail printed above its line (issue #11, pattern 3): "12.08%；" on a line of
/// its own after a finished item, and its item below ending on "占" (or "为", "增长"…) with
/// the figure missing. The PDF's text layer put the figure first; it goes back after its
/// line. A tail after a line that is still open is ordinary wrapping and stays.
fn lowered_tails(lines: Vec<&str>) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut lines: Vec<Cow<str>> = lines.into_iter().map(Cow::Borrowed).collect();
    let tail = |l: &str| {
        let t = l.trim();
        let t = t
            .strip_suffix(['；', ';', '。', '，', ','])
            .unwrap_or(t)
            .trim_end();
        t.strip_suffix(['%', '％']).is_some_and(|n| {
            let n = n.trim_end();
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit() || c == '.')
                && n.starts_with(|c: char| c.is_ascii_digit())
        })
    };
    let open = |l: &str| {
        let t = l.trim_end();
        ["占", "为", "的", "增长", "下降", "增加", "减少", "达"]
            .iter()
            .any(|w| t.ends_with(w))
    };
    let closed = |l: &str| l.trim_end().ends_with(['；', ';', '。', '：', ':']);
    let mut i = 0;
    while i < lines.len() {
        if !tail(&lines[i]) {
            i += 1;
            continue;
        }
        let prev = lines[..i].iter().rposition(|l| !l.trim().is_empty());
        let next = (i + 1..lines.len()).find(|&j| !lines[j].trim().is_empty());
        match (prev, next) {
            (Some(p), Some(n))
                if closed(&lines[p]) && open(&lines[n]) && !lines[n].contains('\u{c}') =>
            {
                // The tail goes onto the end of its line (wherever it was printed across).
                let t = lines.remove(i);
                let joined = format!("{}{}", lines[n - 1].trim_end(), t.trim());
                lines[n - 1] = Cow::Owned(joined);
                i = n;
            }
            _ => i += 1,
        }
    }
    lines
}

/// A line that opens a numbered item: "1.", "2．", "3、" not followed by a digit ("1.5万元"
/// goes on a sentence).
fn opens_item(line: &str) -> bool {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let mut rest = line.chars().skip(digits);
    (1..=2).contains(&digits)
        && matches!(rest.next(), Some('.' | '．' | '、'))
        && rest.next().is_some_and(|c| !c.is_ascii_digit())
}

/// A running page number ("12", "- 12 -", "— 12 —", "第12页", "第 12 页 共 30 页"): not text.
fn is_page_number(line: &str) -> bool {
    let t: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '–' | '─' | '－'))
        .collect();
    let t = t.strip_prefix('第').unwrap_or(&t);
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = &t[digits..];
    (1..=4).contains(&digits)
        && (rest.is_empty()
            || rest == "页"
            || rest
                .strip_prefix("页共")
                .and_then(|r| r.strip_suffix('页'))
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())))
}

/// Join the lines a PDF wraps inside a paragraph, so each sentence is whole again: a line
/// continues the previous one unless that one ends a sentence or is a heading.
pub fn unwrap_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev = String::new();
    let lowered = lowered_tails(single_spaced(text.lines().collect()));
    let lines: Vec<&str> = lowered.iter().map(|l| l.as_ref()).collect();
    let margin = left_margin(&lines);
    // Indent of the last line added to `prev`.
    let mut last_indent: Option<usize> = None;
    for (i, line) in lines.iter().copied().enumerate() {
        // A form feed is pdftotext's page break: keep it on a line of its own, so readers
        // downstream can count pages.
        if line.contains('\u{c}') {
            break_page(&mut prev, line, &mut out);
        }
        let t = line.trim();
        if is_page_number(t) {
            continue;
        }
        // Blank lines inside a sentence (or a "；" list) that runs over a page break are
        // layout, not a paragraph end; so is a single blank line inside a sentence followed
        // by a line at the left margin (a paragraph's first line is indented, its
        // continuation lines are not).
        let open = !prev.is_empty() && !is_heading(&prev);
        let sentence_ends = prev.trim_end().ends_with(['。', '！', '？']);
        let item_ends = sentence_ends || prev.trim_end().ends_with(['；', '：']);
        if t.is_empty()
            && open
            && ((!sentence_ends && page_break_follows(&lines, i))
                || (!item_ends && continues_after_blank(&lines, i, margin)))
        {
            continue;
        }
        if t.is_empty() {
            flush(&mut prev, &mut out);
            out.push('\n');
            continue;
        }
        // A lone total row ("合计" with blank cells: an empty table's) is a table line: the
        // note or the title after it is not its continuation.
        let squeezed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        if matches!(squeezed.as_str(), "合计" | "总计" | "小计") {
            flush(&mut prev, &mut out);
            out.push_str(t);
            out.push('\n');
            last_indent = None;
            continue;
        }
        // A table row laid out in columns stays a line of its own, its cells tab-separated
        // as in the other readers' tables, so the auditor reads label/amount pairs.
        if let Some(row) = layout_row(line) {
            flush(&mut prev, &mut out);
            out.push_str(&row);
            out.push('\n');
            continue;
        }
        // "；" ends a list item, not the list: items each on their own line are read as one
        // sentence, so a share list is seen whole (and its total found).
        let ends = prev.trim_end().ends_with(['。', '！', '？']);
        // Text in another column (a table's cells laid out side by side, each wrapped in
        // its own column): of two lines both indented far from the margin (more than a
        // paragraph's or an item's indent), the second, at another indent, does not
        // continue the first.
        let here = indent(line);
        let far = |n: usize| n >= margin + 8;
        let other_column =
            far(here) && last_indent.is_some_and(|p: usize| far(p) && here.abs_diff(p) > 2);
        if prev.is_empty() || ends || is_heading(&prev) || is_heading(t) || other_column {
            flush(&mut prev, &mut out);
            prev = t.to_string();
        } else {
            prev.push_str(t);
        }
        last_indent = Some(here);
    }
    flush(&mut prev, &mut out);
    out
}

/// Writes the paragraph being joined, if any, as a line of its own.
fn flush(prev: &mut String, out: &mut String) {
    if !prev.is_empty() {
        out.push_str(prev);
        out.push('\n');
        prev.clear();
    }
}

/// The number of spaces before a line.
fn indent(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

/// The left margin: where continuation lines of paragraphs start.
fn left_margin(lines: &[&str]) -> usize {
    lines
        .iter()
        .filter(|l| !l.trim().is_empty() && !l.contains('\u{c}') && !is_page_number(l.trim()))
        .map(|l| indent(l))
        .min()
        .unwrap_or(0)
}

/// Whether the blank line `i` is the only one before a line that goes on a sentence:
/// at the left margin, and not a heading, an item, a table row or a page break.
fn continues_after_blank(lines: &[&str], i: usize, margin: usize) -> bool {
    let Some(next) = lines.get(i + 1) else {
        return false;
    };
    let t = next.trim();
    !t.is_empty()
        && indent(next) <= margin
        && !next.contains('\u{c}')
        && !is_page_number(t)
        && !is_heading(t)
        && !opens_item(t)
        && layout_row(t).is_none()
}

/// Whether only blank lines and page numbers stand between line `i` and a page break.
fn page_break_follows(lines: &[&str], i: usize) -> bool {
    // A few lines at most: a footer, blank lines, then the break.
    lines[i + 1..]
        .iter()
        .take(8)
        .find(|l| !l.trim().is_empty() && !is_page_number(l.trim()))
        .is_some_and(|l| l.contains('\u{c}'))
}

/// Places the page break of `line` (which holds a form feed) relative to the paragraph
/// being joined in `prev`.
///
/// A sentence that goes on over the page break stays whole; the break stays inside it, at
/// the last clause boundary before it ("，" "；" "：" "、"), so each clause is counted on the
/// page where it is printed and no name or number is cut.
fn break_page(prev: &mut String, line: &str, out: &mut String) {
    // "；" and "：" end a list item or open a list, not the sentence: a list goes on
    // over the break unless the new page opens on something new.
    let ends = prev.trim_end().ends_with(['。', '！', '？']);
    // A new page that opens on a heading, a numbered item or a table row starts
    // anew: the text before the break stays on its own page.
    let fresh = {
        let t = line.trim();
        is_heading(t) || layout_row(t).is_some() || opens_item(t)
    };
    if prev.is_empty() {
        out.push_str("\u{c}\n");
    } else if ends || fresh || is_heading(prev) || layout_row(prev).is_some() {
        flush(prev, out);
        out.push_str("\u{c}\n");
    } else {
        // (A "," after a digit separates thousands: "5,⏎573万元" is one number.)
        let mut last = None;
        let mut before = ' ';
        for (i, c) in prev.char_indices() {
            let clause = matches!(c, '，' | '；' | '：' | '、' | ';' | ':')
                || (c == ',' && !before.is_ascii_digit());
            if clause {
                last = Some(i + c.len_utf8());
            }
            before = c;
        }
        let at = last.unwrap_or(0);
        prev.insert(at, '\u{c}');
    }
}

/// A line of `pdftotext -layout` output that is a table row: cells separated by column gaps
/// (two or more spaces, or an ideographic space), at least one cell after the first a bare
/// number. Returns the row with its column positions kept: the indent and every gap become
/// as many tabs as they had spaces, so each cell stands at the same character offset as in
/// the layout (the auditor places amounts under their header columns by it); a single space
/// inside a cell stays.
fn layout_row(line: &str) -> Option<String> {
    // Prose with blanks left in a template ("支出 0      万元，增长（减少） 0    %。") has
    // gaps too; table cells do not hold sentence punctuation.
    if line.contains(['。', '，', '；']) {
        return None;
    }
    // The page break is not part of the row's layout.
    let line = line.trim_end().trim_start_matches('\u{c}');
    let mut cells: Vec<String> = Vec::new();
    let mut out = String::with_capacity(line.len());
    let mut cell = String::new();
    let mut gap = String::new();
    for c in line.chars() {
        if c.is_whitespace() {
            gap.push(c);
            continue;
        }
        if !gap.is_empty() {
            let wide = gap.chars().count() >= 2 || gap.contains('\u{3000}');
            if wide || cell.is_empty() {
                if !cell.is_empty() {
                    cells.push(std::mem::take(&mut cell));
                }
                out.extend(gap.chars().map(|_| '\t'));
            } else {
                cell.push_str(&gap);
                out.push_str(&gap);
            }
            gap.clear();
        }
        cell.push(c);
        out.push(c);
    }
    if !cell.is_empty() {
        cells.push(cell);
    }
    let is_number = |s: &str| {
        let s = s.strip_prefix('-').unwrap_or(s);
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && s.matches('.').count() <= 1
    };
    let numeric = cells.len() >= 2 && cells[1..].iter().any(|c| is_number(c));
    // Text in table columns: a gap of three or more spaces inside the line.
    let columns = cells.len() >= 2 && wide_gap(line.trim());
    (numeric || columns).then_some(out)
}

/// Whether a trimmed line has a run of three or more spaces (or an ideographic space)
/// between two non-space characters: how `pdftotext -layout` separates table columns.
fn wide_gap(line: &str) -> bool {
    let mut run = 0;
    let mut ideographic = false;
    let mut seen_text = false;
    for c in line.chars() {
        if c.is_whitespace() {
            run += 1;
            ideographic |= c == '\u{3000}';
        } else {
            if seen_text && (run >= 3 || ideographic) {
                return true;
            }
            run = 0;
            ideographic = false;
            seen_text = true;
        }
    }
    false
}

/// The text of any supported file, chosen by extension.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => pdf_text(path),
        "docx" => docx_text(&std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?),
        "xlsx" => xlsx_text(&std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?),
        "txt" | "md" | "markdown" | "text" | "" => {
            plain_text(&std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?)
        }
        other => Err(ReadError::Unsupported(format!(".{other}"))),
    }
}

/// The extensions a batch takes from a directory: the published reports juesuan reads.
pub const DOCUMENT_EXTENSIONS: [&str; 4] = ["pdf", "docx", "txt", "md"];

/// Whether `path` names a document a batch takes from a directory (by its extension, any case).
pub fn is_document(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        let e = e.to_string_lossy().to_lowercase();
        DOCUMENT_EXTENSIONS.contains(&e.as_str())
    })
}

/// The documents named by `paths`, sorted by path, each once: a file stands for itself
/// (whatever its type: reading it says if it cannot be read); a directory for the `.pdf`,
/// `.docx`, `.txt` and `.md` files under it, recursively, hidden files and directories
/// skipped. A directory that cannot be listed stands for itself, so that reading it reports
/// the problem in its place.
pub fn documents(paths: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(_) => {
                out.push(dir.to_path_buf());
                return;
            }
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                walk(&p, out);
            } else if is_document(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}
