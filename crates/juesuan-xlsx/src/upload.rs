//! What an uploaded file is (上传文件类型): an input file (TOML text), an .xlsx workbook or a
//! journal CSV (日记账), decided from its name and first bytes. Pure functions, so the fuzz
//! harness reaches them without the web app; `juesuan-web` calls them for every upload.

/// The kind of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// 日记账 CSV
    Journal,
    /// .xlsx 公开表
    Workbook,
    /// 输入文件 (TOML)
    Text,
}

/// Whether an upload is a workbook: a zip signature, or an .xlsx name.
pub fn is_workbook(bytes: &[u8], filename: &str) -> bool {
    bytes.starts_with(b"PK\x03\x04") || filename.to_lowercase().ends_with(".xlsx")
}

/// Whether an upload is a journal CSV (日记账): by its name, or else by a first line that is a
/// CSV header (separators, no `=`), which an input file's first line never is.
pub fn is_journal(bytes: &[u8], filename: &str) -> bool {
    let lower = filename.to_lowercase();
    if lower.ends_with(".csv") {
        return true;
    }
    if lower.ends_with(".toml") || is_workbook(bytes, filename) {
        return false;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.trim_ascii();
    !line.is_empty()
        && !line.starts_with(b"#")
        && !line.starts_with(b"[")
        && !line.contains(&b'=')
        && line.iter().any(|b| matches!(b, b',' | b'\t' | b';'))
}

/// The kind of an upload; a journal name wins over a zip signature (as the web app decides).
pub fn upload_kind(bytes: &[u8], filename: &str) -> UploadKind {
    if is_journal(bytes, filename) {
        UploadKind::Journal
    } else if is_workbook(bytes, filename) {
        UploadKind::Workbook
    } else {
        UploadKind::Text
    }
}

/// An uploaded input file's text (a UTF-8 BOM dropped); `Err` is the message for the uploader.
pub fn upload_text(bytes: &[u8], filename: &str) -> Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        format!(
            "“{filename}”不是 UTF-8 编码的文本：请上传输入文件（TOML，见 docs/input-format.md）、.xlsx 公开表或日记账 .csv（GBK 编码的日记账请以 .csv 为扩展名上传）"
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text).to_string())
}

/// A file name as it may appear in messages and the audit log (no paths, no control chars).
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if s.is_empty() {
        "（未命名）".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(upload_kind(b"a,b,c\n1,2,3", "x"), UploadKind::Journal);
        assert_eq!(upload_kind(b"PK\x03\x04...", "x.csv"), UploadKind::Journal);
        assert_eq!(upload_kind(b"PK\x03\x04...", "x"), UploadKind::Workbook);
        assert_eq!(upload_kind(b"year = 2021", "x"), UploadKind::Text);
        assert_eq!(upload_kind(b"a,b", "input.toml"), UploadKind::Text);
        assert_eq!(upload_kind(b"# a,b", "x"), UploadKind::Text);
    }

    #[test]
    fn texts_and_names() {
        assert_eq!(
            upload_text(b"\xef\xbb\xbfyear = 1", "a").unwrap(),
            "year = 1"
        );
        assert!(upload_text(b"\xff", "a.toml")
            .unwrap_err()
            .contains("a.toml"));
        assert_eq!(safe_name("C:\\x\\..\\a\nb.toml"), "ab.toml");
        assert_eq!(safe_name("dir/"), "（未命名）");
        assert_eq!(safe_name(&"长".repeat(300)).chars().count(), 100);
    }
}
