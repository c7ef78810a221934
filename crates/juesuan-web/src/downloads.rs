//! Downloads (下载) of a unit-year in every format: one dispatch on a fixed list of formats,
//! so a request can never name a file path; the file name is built from the unit code and
//! year only.

use crate::analysis::Analysis;
use crate::AppError;
use juesuan_store::StoredVersion;

/// A downloadable format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The stored input (输入文件)
    Toml,
    Markdown,
    Html,
    /// tables.json
    TablesJson,
    /// The check findings as JSON
    Checks,
    /// The performance scores as JSON
    Scores,
    Docx,
    Pdf,
    Xlsx,
}

/// Every format with its name in URLs and its Chinese label.
pub const FORMATS: &[(Format, &str, &str)] = &[
    (Format::Docx, "docx", "Word（.docx）"),
    (Format::Pdf, "pdf", "PDF"),
    (Format::Xlsx, "xlsx", "Excel 公开表（.xlsx）"),
    (Format::Html, "html", "网页（.html）"),
    (Format::Markdown, "md", "Markdown（.md）"),
    (Format::TablesJson, "json", "公开表数据（tables.json）"),
    (Format::Checks, "checks", "审核结果（.json）"),
    (Format::Scores, "scores", "绩效评分（.json）"),
    (Format::Toml, "toml", "输入文件（.toml）"),
];

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        FORMATS.iter().find(|(_, n, _)| *n == s).map(|(f, _, _)| *f)
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::TablesJson => "tables.json",
            Format::Checks => "checks.json",
            Format::Scores => "scores.json",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Toml => "application/toml; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::TablesJson | Format::Checks | Format::Scores => "application/json",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A file to send.
#[derive(Clone)]
pub struct Download {
    pub bytes: axum::body::Bytes,
    pub content_type: &'static str,
    pub filename: String,
}

/// Only ASCII letters, digits, '-' and '_' survive into a file name.
fn file_stem(unit: &str, year: i32, number: i32) -> String {
    let code: String = unit
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    format!("juesuan-{code}-{year}-v{number}")
}

#[cfg(feature = "pdf")]
fn pdf(a: &Analysis) -> Result<Vec<u8>, AppError> {
    static FONTS: std::sync::OnceLock<Result<juesuan_pdf::PdfFonts, String>> =
        std::sync::OnceLock::new();
    let fonts = FONTS
        .get_or_init(|| juesuan_pdf::PdfFonts::discover().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| AppError::Internal(e.clone()))?;
    juesuan_pdf::write_pdf(&a.report, &a.unit_year, fonts)
        .map_err(|e| AppError::Internal(e.to_string()))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Analysis) -> Result<Vec<u8>, AppError> {
    Err(AppError::NotFound(
        "这个程序构建时未启用 PDF（cargo 特性 pdf）：请下载 Word 或网页版本".into(),
    ))
}

/// Produce a download.
pub fn render(format: Format, v: &StoredVersion, a: &Analysis) -> Result<Download, AppError> {
    let bytes =
        match format {
            Format::Toml => v.input_toml.clone().into_bytes(),
            Format::Markdown => a.report.markdown.clone().into_bytes(),
            Format::Html => a.report.html.clone().into_bytes(),
            Format::TablesJson => a.report.tables_json.clone().into_bytes(),
            Format::Checks => serde_json::to_vec_pretty(&a.checks)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            Format::Scores => serde_json::to_vec_pretty(&a.scores)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            Format::Docx => juesuan_office::write_docx(&a.report, &a.unit_year)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            Format::Pdf => pdf(a)?,
            Format::Xlsx => juesuan_xlsx::write_workbook(&a.report.tables, &a.unit_year)
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
    Ok(Download {
        bytes: bytes.into(),
        content_type: format.content_type(),
        filename: format!(
            "{}.{}",
            file_stem(&v.info.unit_code, v.info.year, v.info.number),
            format.extension()
        ),
    })
}

impl crate::limits::Weigh for Download {
    fn weight(&self) -> usize {
        self.bytes.len() + self.filename.len() + 64
    }
}

/// [`render`] on a blocking thread. Word, PDF and Excel files go through the render gate
/// (a limited number at once, each with a deadline) and are cached by version and format
/// (a byte-bounded cache, least recently used out).
pub async fn render_async(
    state: &crate::AppState,
    format: Format,
    v: StoredVersion,
    a: std::sync::Arc<Analysis>,
) -> Result<Download, AppError> {
    let key = a.key.clone();
    if !matches!(format, Format::Docx | Format::Pdf | Format::Xlsx) {
        return tokio::task::spawn_blocking(move || render(format, &v, &a))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    if let Some(d) = state.render_cached(&key, format) {
        return Ok((*d).clone());
    }
    let label = FORMATS
        .iter()
        .find(|(f, _, _)| *f == format)
        .map_or("文件", |(_, _, l)| l);
    let d = state
        .renders
        .run(label, move || render(format, &v, &a))
        .await?;
    state.remember_render(key, format, std::sync::Arc::new(d.clone()));
    Ok(d)
}

impl axum::response::IntoResponse for Download {
    fn into_response(self) -> axum::response::Response {
        use axum::http::header;
        (
            [
                (header::CONTENT_TYPE, self.content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", self.filename),
                ),
            ],
            self.bytes,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_escape() {
        assert_eq!(
            file_stem("../../etc/passwd", 2021, 1),
            "juesuan-______etc_passwd-2021-v1"
        );
        assert_eq!(file_stem("5114\"x;y", 2021, 2), "juesuan-5114_x_y-2021-v2");
        assert_eq!(Format::parse("../x"), None);
        assert_eq!(Format::parse("docx"), Some(Format::Docx));
    }
}
