//! 核对已公开报告 / auditing published reports: a reviewer uploads one or more published
//! disclosures (.pdf .docx .txt .md) in one multipart form and gets the summary of
//! `juesuan audit` over several files — the same `juesuan_app::batch` model and writers.
//!
//! The uploads are bounded while they stream in (file count and total bytes, [`Options`]'s
//! `audit_max_files` and `audit_max_bytes`), read and audited in parallel on a blocking
//! thread (`juesuan_app::batch::audit_all` on the rayon pool), never on the async threads.
//! A file that cannot be read is a row 无法读取 with its reason. Nothing is stored; the
//! operation is written to the audit log.
//!
//! [`Options`]: crate::Options

use crate::{AppError, AppState, CurrentUser};
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use juesuan_app::batch::{self, Format, Summary};
use juesuan_readers::ReadError;
use std::io::Write as _;

/// Files one batch may hold (default of `Options::audit_max_files`).
pub const MAX_FILES: usize = 50;
/// Bytes all files of one batch may hold together (default of `Options::audit_max_bytes`).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Room for the multipart framing and the small fields beyond the files' bytes.
pub const FORM_OVERHEAD: usize = 1024 * 1024;

/// One uploaded document.
pub struct Upload {
    /// The file name as uploaded, without any directory (`juesuan_xlsx::upload::safe_name`).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What the form carried: the files in order, and the `format` field if any.
#[derive(Default)]
pub struct Received {
    pub files: Vec<Upload>,
    pub format: Option<String>,
}

/// Who may audit published reports: reviewers and administrators. A published report
/// belongs to no stored unit, so a preparer's unit grants cannot scope it; reviewing is the
/// reviewer's task.
pub fn require_auditor(user: &CurrentUser) -> Result<(), AppError> {
    match user.role {
        juesuan_store::Role::Admin | juesuan_store::Role::Reviewer => Ok(()),
        juesuan_store::Role::Preparer => Err(AppError::Forbidden(
            "核对已公开报告仅限审核人和管理员".into(),
        )),
    }
}

/// A size limit in words: "50 MB", or "100 KB" below one MB.
pub fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / 1024 / 1024)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// The message for a batch over the byte limit.
pub fn too_large(state: &AppState) -> AppError {
    let max = size(state.opts.audit_max_bytes);
    AppError::TooLarge(format!(
        "上传的文件合计超过 {max} 的上限：请分批上传（每批不超过{}个文件、合计不超过 {max}），或先压缩 PDF 中的图片",
        state.opts.audit_max_files,
    ))
}

fn too_many(state: &AppState) -> AppError {
    AppError::TooLarge(format!(
        "一次最多核对{}个文件：请分批上传，每批不超过{}个",
        state.opts.audit_max_files, state.opts.audit_max_files
    ))
}

fn multipart_error(state: &AppState, e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(state)
    } else {
        AppError::bad(format!(
            "上传内容无法读取（{}）：请用表单的“选择文件”重新上传",
            e.body_text()
        ))
    }
}

/// Read the form, refusing it as soon as it holds too many files or too many bytes. With
/// `csrf_of` (the pages), the form's `csrf` field must match that user's token before any
/// file is accepted (the form sends it first); the API checks its header instead.
pub async fn receive(
    state: &AppState,
    mp: &mut Multipart,
    csrf_of: Option<&CurrentUser>,
) -> Result<Received, AppError> {
    let mut out = Received::default();
    let mut csrf_ok = csrf_of.is_none();
    let mut total = 0usize;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_error(state, e))?
    {
        let Some(file_name) = field.file_name().map(str::to_string) else {
            let name = field.name().unwrap_or("").to_string();
            let text = field.text().await.map_err(|e| multipart_error(state, e))?;
            match (name.as_str(), csrf_of) {
                ("csrf", Some(user)) => {
                    user.check_csrf(&text)?;
                    csrf_ok = true;
                }
                ("format", _) => out.format = Some(text.trim().to_string()),
                _ => {}
            }
            continue;
        };
        if !csrf_ok {
            return Err(AppError::Csrf);
        }
        let full = out.files.len() >= state.opts.audit_max_files;
        if full && !file_name.is_empty() {
            return Err(too_many(state));
        }
        let bytes = read_field(state, &mut field, &mut total).await?;
        // A file input with nothing chosen still sends an empty part without a name.
        if file_name.is_empty() && bytes.is_empty() {
            continue;
        }
        if full {
            return Err(too_many(state));
        }
        out.files.push(Upload {
            name: crate::ops::safe_name(&file_name),
            bytes,
        });
    }
    if !csrf_ok {
        return Err(AppError::Csrf);
    }
    if out.files.is_empty() {
        return Err(AppError::bad(
            "请选择要核对的文件（.pdf、.docx、.txt、.md，可一次选择多个）",
        ));
    }
    Ok(out)
}

/// One file's bytes, counted against the batch's limit as they arrive.
async fn read_field(
    state: &AppState,
    field: &mut Field<'_>,
    total: &mut usize,
) -> Result<Vec<u8>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(state, e))? {
        *total += chunk.len();
        if *total > state.opts.audit_max_bytes {
            return Err(too_large(state));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The text of one uploaded document, by its extension (any case): `.pdf` through a
/// temporary file and `pdftotext`, `.docx` parsed in memory (its `word/document.xml` at most
/// `juesuan_readers::MAX_DOCUMENT_XML` uncompressed: the zip-bomb guard), `.txt`/`.md` (and a
/// name without an extension) as UTF-8 text; any other type is unsupported.
pub fn read(name: &str, bytes: &[u8]) -> Result<String, ReadError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => pdf(bytes),
        "docx" => juesuan_readers::docx_text(bytes),
        "txt" | "md" | "markdown" | "text" | "" => juesuan_readers::plain_text(bytes),
        other => Err(ReadError::Unsupported(format!(".{other}"))),
    }
}

/// `pdftotext` reads files: the upload goes to a temporary file, removed when read.
fn pdf(bytes: &[u8]) -> Result<String, ReadError> {
    let io = |e: std::io::Error| ReadError::Io(format!("无法写入临时文件（{e}）"));
    let mut file = tempfile::Builder::new()
        .prefix("juesuan-audit-")
        .suffix(".pdf")
        .tempfile()
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.flush().map_err(io)?;
    juesuan_readers::pdf_text(file.path())
}

/// Audit the uploads in parallel off the async threads, and log who audited how many.
pub async fn audit(
    state: &AppState,
    user: &CurrentUser,
    files: Vec<Upload>,
) -> Result<Summary, AppError> {
    let bytes = files.iter().map(|f| f.bytes.len()).sum();
    state.quotas.charge(user.id, bytes)?;
    let summary = tokio::task::spawn_blocking(move || {
        batch::audit_all(
            &files,
            |u: &Upload| u.name.clone(),
            |u: &Upload| read(&u.name, &u.bytes).map_err(|e| e.to_string()),
            |_, _, _| {},
        )
    })
    .await
    .map_err(|e| AppError::Internal(format!("核对没有完成（{e}）")))?;
    state
        .store
        .log(
            Some(&user.name),
            "audit.published",
            &format!("核对已公开报告：{}", summary.totals_line()),
        )
        .await?;
    Ok(summary)
}

/// A result format by name: `text`, `csv`, `json` or `html`; empty is `default`.
pub fn format(name: Option<&str>, default: Format) -> Result<Format, AppError> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(default),
        Some(n) => n.parse().map_err(AppError::bad),
    }
}

/// The summary as a file in `format` (CSV with a UTF-8 BOM), named `juesuan-audit.<ext>`;
/// `attachment` makes browsers save it.
pub fn file_response(summary: &Summary, format: Format, attachment: bool) -> Response {
    let (content_type, ext) = content_type(format);
    let mut r = (
        [(header::CONTENT_TYPE, content_type)],
        batch::render(summary, format),
    )
        .into_response();
    if attachment {
        let disposition = format!("attachment; filename=\"juesuan-audit.{ext}\"");
        if let Ok(v) = disposition.parse() {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    r
}

/// The media type and file extension of a format.
pub fn content_type(format: Format) -> (&'static str, &'static str) {
    match format {
        Format::Text => ("text/plain; charset=utf-8", "txt"),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Json => ("application/json", "json"),
        Format::Html => ("text/html; charset=utf-8", "html"),
    }
}

/// Standard base64 (RFC 4648, with padding), for the `data:` download links of the page.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64("核".as_bytes()), "5qC4");
    }

    #[test]
    fn read_goes_by_extension() {
        assert_eq!(read("a.TXT", "\u{feff}正文".as_bytes()).unwrap(), "正文");
        assert_eq!(read("无扩展名", b"x").unwrap(), "x");
        assert!(matches!(
            read("a.docx", b"no zip"),
            Err(ReadError::BadDocx(_))
        ));
        assert!(matches!(read("a.doc", b"x"), Err(ReadError::Unsupported(e)) if e == ".doc"));
        assert!(matches!(
            read("a.txt", b"\xff\xfe"),
            Err(ReadError::NotUtf8)
        ));
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format(None, Format::Json).unwrap(), Format::Json);
        assert_eq!(format(Some(" "), Format::Html).unwrap(), Format::Html);
        assert_eq!(format(Some("csv"), Format::Json).unwrap(), Format::Csv);
        let (msg, _) = format(Some("xls"), Format::Json).unwrap_err().messages();
        assert!(msg.contains("不支持的格式"), "{msg}");
    }
}
