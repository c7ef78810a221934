//! 批量核对 / batch audit: many published reports audited in parallel, reduced to one summary —
//! a row per document and the findings of all of them — written as text, CSV, JSON or HTML.
//!
//! Reading stays with the caller: [`audit_all`] takes the documents as any values with a name
//! and a function that gives their text (the command line reads files through
//! `juesuan-readers`; the web app's 核对已公开报告 passes uploaded files). A document that cannot be read is
//! a row with its reason, never a failure of the batch. Each audit is reduced to its row and
//! findings as soon as it is done, so a batch holds no full audit longer than one document.

use juesuan_audit::{Audit, Outcome, Verdict};
use juesuan_core::markup::escape as esc;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The verdict of one document of a batch: an audit's [`Verdict`], or 无法读取.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentVerdict {
    /// 发现计算错误
    Errors,
    /// 未发现计算错误
    Clean,
    /// 无法核对: read, but no relation could be checked.
    Unchecked,
    /// 无法读取: the file could not be read, or held no text.
    Unreadable,
}

impl DocumentVerdict {
    pub fn label(self) -> &'static str {
        match self {
            DocumentVerdict::Errors => "发现计算错误",
            DocumentVerdict::Clean => "未发现计算错误",
            DocumentVerdict::Unchecked => "无法核对",
            DocumentVerdict::Unreadable => "无法读取",
        }
    }
}

impl From<Verdict> for DocumentVerdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Errors => DocumentVerdict::Errors,
            Verdict::Clean => DocumentVerdict::Clean,
            Verdict::Unchecked => DocumentVerdict::Unchecked,
        }
    }
}

/// One document's row of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRow {
    /// The document as the caller named it (for files, the path).
    pub path: String,
    pub verdict: DocumentVerdict,
    /// Why the document could not be read (only for [`DocumentVerdict::Unreadable`]).
    pub reason: Option<String>,
    /// 错误
    pub errors: usize,
    /// 尾差提示
    pub rounding_notes: usize,
    /// Checks passed.
    pub passed: usize,
    /// All checks made (every outcome).
    pub checks: usize,
    /// Sentences of running text with an amount or a percentage.
    pub sentences_with_figures: usize,
    /// Of those, the ones some check read.
    pub understood: usize,
    /// Tables recognised.
    pub tables: usize,
    /// Pages read (PDF only).
    pub pages: Option<usize>,
}

/// One finding (an error or a rounding note) of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub path: String,
    /// `fail` or `rounding_note`.
    pub outcome: Outcome,
    /// 错误 / 尾差提示
    pub outcome_label: &'static str,
    pub kind: juesuan_audit::Kind,
    /// The kind in Chinese (增减率、占比…).
    pub kind_label: &'static str,
    pub page: Option<usize>,
    pub line: usize,
    pub section: String,
    pub stated: String,
    pub expected: String,
    pub message: String,
    pub quote: String,
}

/// The result of one document: its row and its findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentResult {
    pub row: DocumentRow,
    pub findings: Vec<Finding>,
}

/// The reason a document without any text cannot be read (a scanned PDF has no text layer).
pub const NO_TEXT: &str =
    "文件中没有可读的文字（PDF 没有文字层，可能是扫描件；须先识别文字后再核对）";

impl DocumentResult {
    /// A document that could not be read.
    pub fn unreadable(path: impl Into<String>, reason: impl Into<String>) -> Self {
        DocumentResult {
            row: DocumentRow {
                path: path.into(),
                verdict: DocumentVerdict::Unreadable,
                reason: Some(reason.into()),
                errors: 0,
                rounding_notes: 0,
                passed: 0,
                checks: 0,
                sentences_with_figures: 0,
                understood: 0,
                tables: 0,
                pages: None,
            },
            findings: Vec::new(),
        }
    }

    /// The row and findings of an audit. A document without any text is unreadable.
    pub fn of_audit(path: impl Into<String>, audit: &Audit) -> Self {
        let path = path.into();
        if !audit.coverage.has_text {
            let mut r = DocumentResult::unreadable(path, NO_TEXT);
            r.row.pages = audit.coverage.pages;
            return r;
        }
        let count = |o: Outcome| audit.checks.iter().filter(|c| c.outcome == o).count();
        let findings = [Outcome::Fail, Outcome::RoundingNote]
            .into_iter()
            .flat_map(|o| audit.checks.iter().filter(move |c| c.outcome == o))
            .map(|c| Finding {
                path: path.clone(),
                outcome: c.outcome,
                outcome_label: outcome_label(c.outcome),
                kind: c.kind,
                kind_label: c.kind.label(),
                page: c.page,
                line: c.line,
                section: c.section.clone(),
                stated: c.stated.clone(),
                expected: c.expected.clone(),
                message: c.message.clone(),
                quote: c.quote.clone(),
            })
            .collect();
        DocumentResult {
            row: DocumentRow {
                path,
                verdict: audit.verdict().into(),
                reason: None,
                errors: count(Outcome::Fail),
                rounding_notes: count(Outcome::RoundingNote),
                passed: count(Outcome::Pass),
                checks: audit.checks.len(),
                sentences_with_figures: audit.coverage.sentences_with_figures,
                understood: audit.coverage.understood,
                tables: audit.coverage.tables.tables,
                pages: audit.coverage.pages,
            },
            findings,
        }
    }

    /// Audit one document's text, or record why it could not be read.
    pub fn of_text(path: impl Into<String>, text: Result<String, String>) -> Self {
        match text {
            Ok(text) => DocumentResult::of_audit(path, &juesuan_audit::audit(&text)),
            Err(reason) => DocumentResult::unreadable(path, reason),
        }
    }
}

fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Fail => "错误",
        Outcome::RoundingNote => "尾差提示",
        Outcome::Pass => "通过",
        Outcome::NotApplicable => "不适用",
        Outcome::InsufficientData => "数据不足",
        Outcome::ParseError => "无法解析",
        Outcome::ExecutionError => "执行错误",
    }
}

/// How many documents had each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub errors: usize,
    pub clean: usize,
    pub unchecked: usize,
    pub unreadable: usize,
    /// 错误 over all documents.
    pub findings_errors: usize,
    /// 尾差提示 over all documents.
    pub findings_rounding_notes: usize,
}

/// The summary of a batch: one row per document (in the order given), then every finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub totals: Totals,
    pub documents: Vec<DocumentRow>,
    pub findings: Vec<Finding>,
}

impl Summary {
    pub fn new(results: Vec<DocumentResult>) -> Self {
        let mut totals = Totals::default();
        let mut documents = Vec::with_capacity(results.len());
        let mut findings = Vec::new();
        for r in results {
            totals.documents += 1;
            match r.row.verdict {
                DocumentVerdict::Errors => totals.errors += 1,
                DocumentVerdict::Clean => totals.clean += 1,
                DocumentVerdict::Unchecked => totals.unchecked += 1,
                DocumentVerdict::Unreadable => totals.unreadable += 1,
            }
            totals.findings_errors += r.row.errors;
            totals.findings_rounding_notes += r.row.rounding_notes;
            documents.push(r.row);
            findings.extend(r.findings);
        }
        Summary {
            totals,
            documents,
            findings,
        }
    }

    /// The exit status of the batch: 1 if any document has errors, else 2 if any could not be
    /// checked or read, else 0.
    pub fn exit_code(&self) -> u8 {
        if self.totals.errors > 0 {
            1
        } else if self.totals.unchecked + self.totals.unreadable > 0 {
            2
        } else {
            0
        }
    }

    /// One line: how many documents had each verdict.
    pub fn totals_line(&self) -> String {
        let t = &self.totals;
        format!(
            "共核对{}份文档：发现计算错误{}份，未发现计算错误{}份，无法核对{}份，无法读取{}份；错误{}处，尾差提示{}处。",
            t.documents,
            t.errors,
            t.clean,
            t.unchecked,
            t.unreadable,
            t.findings_errors,
            t.findings_rounding_notes
        )
    }
}

/// Audit `docs` in parallel on the current rayon pool (every core unless the caller installs
/// a smaller pool). `name` names a document in the summary; `read` gives its text or the
/// reason it cannot be read; `progress(done, total, name)` is called as each one finishes (from
/// the worker threads). The rows keep the order of `docs`.
pub fn audit_all<D, N, R, P>(docs: &[D], name: N, read: R, progress: P) -> Summary
where
    D: Sync,
    N: Fn(&D) -> String + Sync,
    R: Fn(&D) -> Result<String, String> + Sync,
    P: Fn(usize, usize, &str) + Sync,
{
    let total = docs.len();
    let done = AtomicUsize::new(0);
    let results: Vec<DocumentResult> = docs
        .par_iter()
        .with_max_len(1)
        .map(|d| {
            let n = name(d);
            // A document that makes the reader or the auditor panic (a bug, never expected)
            // is its own row, not the end of the batch.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                DocumentResult::of_text(n.clone(), read(d))
            }))
            .unwrap_or_else(|_| {
                DocumentResult::unreadable(
                    n.clone(),
                    "读取或核对时程序内部出错（请把该文件报告给 juesuan 的维护者）",
                )
            });
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total, &n);
            r
        })
        .collect();
    Summary::new(results)
}

/// The output formats of a batch summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Csv,
    Json,
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(format!("不支持的格式“{other}”：可用 text、csv、json、html")),
        }
    }
}

/// The summary in `format`, as bytes (CSV starts with a UTF-8 BOM).
pub fn render(s: &Summary, format: Format) -> Vec<u8> {
    match format {
        Format::Text => text(s).into_bytes(),
        Format::Csv => csv(s),
        Format::Json => json(s).into_bytes(),
        Format::Html => html(s).into_bytes(),
    }
}

fn opt(n: Option<usize>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

fn verdict_cell(r: &DocumentRow) -> String {
    match &r.reason {
        Some(reason) => format!("{}：{reason}", r.verdict.label()),
        None => r.verdict.label().to_string(),
    }
}

/// Where a finding stands: "第2页第51行" or "第51行".
fn place(page: Option<usize>, line: usize) -> String {
    let page = page.map(|p| format!("第{p}页")).unwrap_or_default();
    format!("{page}第{line}行")
}

/// The summary as Chinese text: a line per document, then the findings, then the totals.
pub fn text(s: &Summary) -> String {
    let mut out = format!("批量核对：{}份文档\n\n", s.totals.documents);
    for r in &s.documents {
        match r.verdict {
            DocumentVerdict::Unreadable => {
                let _ = writeln!(out, "［{}］{}", verdict_cell(r), r.path);
            }
            _ => {
                let pages = r.pages.map(|p| format!("，{p}页")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "［{}］{}：错误{}，尾差提示{}，通过{}；含金额或百分比的句子{}句，读懂{}句；表格{}张{pages}",
                    r.verdict.label(),
                    r.path,
                    r.errors,
                    r.rounding_notes,
                    r.passed,
                    r.sentences_with_figures,
                    r.understood,
                    r.tables
                );
            }
        }
    }
    if !s.findings.is_empty() {
        let _ = writeln!(out, "\n发现的问题（{}处）：", s.findings.len());
        for f in &s.findings {
            let _ = writeln!(
                out,
                "\n{}［{}］{}　{}：{}",
                f.outcome_label,
                f.kind_label,
                f.path,
                place(f.page, f.line),
                f.message
            );
            if !f.stated.is_empty() || !f.expected.is_empty() {
                let _ = writeln!(out, "  填写：{}　应为：{}", f.stated, f.expected);
            }
            let _ = writeln!(out, "  原文：{}", f.quote);
        }
    }
    let _ = writeln!(out, "\n结论：{}", s.totals_line());
    out
}

/// The columns of the CSV summary. A row is a document (类型“文档”) or a finding (类型“问题”);
/// the columns a row has no value for are empty, so every row has the same fields.
pub const CSV_HEADER: [&str; 17] = [
    "类型",
    "文件",
    "结论",
    "错误",
    "尾差提示",
    "通过",
    "含金额或百分比的句子",
    "读懂的句子",
    "表格",
    "页数",
    "核对",
    "页",
    "行",
    "填写",
    "应为",
    "说明",
    "原文",
];

/// The summary as CSV (RFC 4180 quoting, CRLF line ends, a UTF-8 BOM so that Excel reads the
/// Chinese): a header, a row per document, then a row per finding.
pub fn csv(s: &Summary) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing to a Vec cannot fail.
    let mut row = |fields: [String; 17]| w.write_record(&fields).expect("write to memory");
    row(CSV_HEADER.map(String::from));
    for r in &s.documents {
        let unread = r.verdict == DocumentVerdict::Unreadable;
        let n = |v: usize| if unread { String::new() } else { v.to_string() };
        row([
            "文档".into(),
            r.path.clone(),
            r.verdict.label().into(),
            n(r.errors),
            n(r.rounding_notes),
            n(r.passed),
            n(r.sentences_with_figures),
            n(r.understood),
            n(r.tables),
            opt(r.pages),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            r.reason
                .as_ref()
                .map(|reason| format!("无法读取：{reason}"))
                .unwrap_or_default(),
            String::new(),
        ]);
    }
    for f in &s.findings {
        row([
            "问题".into(),
            f.path.clone(),
            f.outcome_label.into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            f.kind_label.into(),
            opt(f.page),
            f.line.to_string(),
            f.stated.clone(),
            f.expected.clone(),
            f.message.clone(),
            f.quote.clone(),
        ]);
    }
    w.into_inner().expect("flush to memory")
}

/// The summary as JSON: `totals`, `documents` (one object per document) and `findings`.
pub fn json(s: &Summary) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        row: &'a DocumentRow,
        verdict_label: &'static str,
    }
    #[derive(Serialize)]
    struct Out<'a> {
        totals: &'a Totals,
        exit_code: u8,
        documents: Vec<Row<'a>>,
        findings: &'a [Finding],
    }
    let out = Out {
        totals: &s.totals,
        exit_code: s.exit_code(),
        documents: s
            .documents
            .iter()
            .map(|row| Row {
                row,
                verdict_label: row.verdict.label(),
            })
            .collect(),
        findings: &s.findings,
    };
    let mut j = serde_json::to_string_pretty(&out).expect("plain data serialises");
    j.push('\n');
    j
}

/// The summary as a self-contained HTML page: the totals, a table of the documents, a table of
/// the findings (errors first within each document).
pub fn html(s: &Summary) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>批量核对：{n}份文档</title>\n<style>\n{HTML_CSS}</style>\n</head>\n<body>\n<h1>批量核对：{n}份文档</h1>\n{body}</body>\n</html>\n",
        n = s.totals.documents,
        body = html_body(s),
    )
}

/// The style of [`html`]'s page; a page embedding [`html_body`] styles the same classes
/// (`tr.Errors`, `tr.Fail`, `tr.Unchecked`, `tr.Unreadable`, `tr.RoundingNote`, `td.num`).
const HTML_CSS: &str = "body { font-family: \"Noto Sans CJK SC\", \"Microsoft YaHei\", sans-serif; margin: 1.5em; }\ntable { border-collapse: collapse; width: 100%; font-size: 13px; margin-bottom: 1.5em; }\nth, td { border: 1px solid #999; padding: 3px 6px; vertical-align: top; }\ntd.num { text-align: right; white-space: nowrap; }\ntd.quote { color: #444; }\ntr.Errors td, tr.Fail td { background: #fde8e8; }\ntr.Unchecked td, tr.Unreadable td, tr.RoundingNote td { background: #fff6dd; }\n";

/// The summary's HTML without the page around it (for a page that embeds it, as the web app
/// does): the totals line, the table of the documents, the table of the findings.
pub fn html_body(s: &Summary) -> String {
    let mut docs = String::new();
    for r in &s.documents {
        let _ = writeln!(
            docs,
            "<tr class=\"{:?}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            r.verdict,
            esc(&r.path),
            esc(&verdict_cell(r)),
            r.errors,
            r.rounding_notes,
            r.passed,
            r.sentences_with_figures,
            r.understood,
            r.tables,
            opt(r.pages)
        );
    }
    let mut finds = String::new();
    for f in &s.findings {
        let _ = writeln!(
            finds,
            "<tr class=\"{:?}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"quote\">{}</td></tr>",
            f.outcome,
            esc(&f.path),
            f.outcome_label,
            f.kind_label,
            opt(f.page),
            f.line,
            esc(&f.stated),
            esc(&f.expected),
            esc(&f.message),
            esc(&f.quote)
        );
    }
    format!(
        "<p class=\"verdict\">{totals}</p>\n<h2>文档</h2>\n<table>\n<thead><tr><th>文件</th><th>结论</th><th>错误</th><th>尾差提示</th><th>通过</th><th>含金额或百分比的句子</th><th>读懂的句子</th><th>表格</th><th>页数</th></tr></thead>\n<tbody>\n{docs}</tbody>\n</table>\n<h2>发现的问题（{f}处）</h2>\n<table>\n<thead><tr><th>文件</th><th>结果</th><th>核对</th><th>页</th><th>行</th><th>填写</th><th>应为</th><th>说明</th><th>原文</th></tr></thead>\n<tbody>\n{finds}</tbody>\n</table>\n",
        totals = esc(&s.totals_line()),
        f = s.findings.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRONG: &str = "一、收入支出决算总体情况说明\n2021年度收入总计100.00万元，其中：财政拨款收入60.00万元，占60.00%；其他收入40.00万元，占45.00%。\n";
    const RIGHT: &str = "一、收入支出决算总体情况说明\n2021年度收入总计100.00万元，其中：财政拨款收入60.00万元，占60.00%；其他收入40.00万元，占40.00%。\n";

    fn batch() -> Summary {
        let docs = [
            ("a.txt", Ok(WRONG.to_string())),
            ("b.docx", Err("不是有效的 Word（.docx）文件：x".to_string())),
            ("c.txt", Ok(RIGHT.to_string())),
            ("d.txt", Ok("本单位共有5个内设机构。\n".to_string())),
            ("e.pdf", Ok("  \n\u{c}\n".to_string())),
        ];
        audit_all(&docs, |d| d.0.to_string(), |d| d.1.clone(), |_, _, _| {})
    }

    #[test]
    fn rows_keep_their_order_and_verdicts() {
        let s = batch();
        let got: Vec<(&str, DocumentVerdict)> = s
            .documents
            .iter()
            .map(|r| (r.path.as_str(), r.verdict))
            .collect();
        use DocumentVerdict::*;
        assert_eq!(
            got,
            [
                ("a.txt", Errors),
                ("b.docx", Unreadable),
                ("c.txt", Clean),
                ("d.txt", Unchecked),
                ("e.pdf", Unreadable)
            ]
        );
        assert_eq!(s.documents[4].reason.as_deref(), Some(NO_TEXT));
        assert!(s.documents[0].errors >= 1);
        assert!(s.findings.iter().all(|f| f.path == "a.txt"));
        assert_eq!(s.exit_code(), 1);
        assert_eq!(
            (
                s.totals.errors,
                s.totals.clean,
                s.totals.unchecked,
                s.totals.unreadable
            ),
            (1, 1, 1, 2)
        );
    }

    #[test]
    fn exit_code_is_1_then_2_then_0() {
        let ok = |t: &str| DocumentResult::of_text("x", Ok(t.to_string()));
        assert_eq!(Summary::new(vec![ok(RIGHT)]).exit_code(), 0);
        assert_eq!(
            Summary::new(vec![ok(RIGHT), DocumentResult::unreadable("y", "z")]).exit_code(),
            2
        );
        assert_eq!(
            Summary::new(vec![ok(RIGHT), ok("本单位共有5个内设机构。\n")]).exit_code(),
            2
        );
        assert_eq!(
            Summary::new(vec![DocumentResult::unreadable("y", "z"), ok(WRONG)]).exit_code(),
            1
        );
    }

    #[test]
    fn csv_quotes_and_has_a_row_per_document_and_finding() {
        let mut s = batch();
        s.documents[1].path = "带,逗号\"和引号\".docx".into();
        let bytes = csv(&s);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let mut r = ::csv::ReaderBuilder::new().from_reader(&bytes[3..]);
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let rows: Vec<::csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), s.documents.len() + s.findings.len());
        assert_eq!(&rows[1][1], "带,逗号\"和引号\".docx");
        assert_eq!(&rows[1][2], "无法读取");
        assert!(rows[1][15].starts_with("无法读取：不是有效的"));
        assert!(rows.iter().skip(5).all(|r| &r[0] == "问题"));
    }

    #[test]
    fn json_and_html_carry_every_document() {
        let s = batch();
        let v: serde_json::Value = serde_json::from_str(&json(&s)).unwrap();
        assert_eq!(v["documents"].as_array().unwrap().len(), 5);
        assert_eq!(v["documents"][1]["verdict"], "unreadable");
        assert_eq!(v["documents"][1]["verdict_label"], "无法读取");
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["findings"].as_array().unwrap().len(), s.findings.len());
        let mut s = s;
        s.documents[2].path = "<script>.txt".into();
        let page = html(&s);
        assert!(page.contains("&lt;script&gt;.txt") && !page.contains("<script>"));
        assert_eq!(page.matches("<tr class=").count(), 5 + s.findings.len());
    }

    #[test]
    fn text_lists_rows_findings_and_totals() {
        let t = text(&batch());
        assert!(t.starts_with("批量核对：5份文档"));
        assert!(t.contains("［无法读取：不是有效的 Word（.docx）文件：x］b.docx"));
        assert!(t.contains("［发现计算错误］a.txt"));
        assert!(t.contains("填写：45.00%"));
        assert!(t.trim_end().ends_with("尾差提示0处。"));
    }

    #[test]
    fn a_panic_in_one_document_is_its_row_not_the_end_of_the_batch() {
        let docs = ["ok.txt", "bad.txt"];
        let summary = audit_all(
            &docs,
            |d| d.to_string(),
            |d| {
                if *d == "bad.txt" {
                    panic!("a reader bug");
                }
                Ok("2023年度收入合计100.00万元。".to_string())
            },
            |_, _, _| {},
        );
        assert_eq!(summary.documents.len(), 2);
        assert_eq!(summary.documents[1].verdict, DocumentVerdict::Unreadable);
    }
}
