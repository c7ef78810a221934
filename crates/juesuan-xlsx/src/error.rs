//! Errors and warnings, in Chinese, located by sheet and cell.

use std::fmt;

/// Writing a workbook failed (an internal limit of the writer, e.g. too many rows).
#[derive(Debug, thiserror::Error)]
#[error("生成 Excel 文件失败：{0}")]
pub struct XlsxError(pub String);

impl From<rust_xlsxwriter::XlsxError> for XlsxError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        XlsxError(e.to_string())
    }
}

/// Where in a workbook something is: a sheet and, when known, a cell ("B7") or a row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    pub sheet: Option<String>,
    pub cell: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => write!(f, "工作表“{s}” {c}："),
            (Some(s), None) => write!(f, "工作表“{s}”："),
            (None, _) => Ok(()),
        }
    }
}

/// What kind of problem an import error is (for callers and tests; the text is for people).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not a readable .xlsx, or over a safety limit.
    File,
    /// A disclosure table was not found.
    MissingTable,
    /// A header, column or row was not recognised.
    Layout,
    /// A cell is not an amount, or is more precise than 分.
    Amount,
    /// A classification code is malformed, unknown, or not at the level facts need.
    Code,
    /// The tables contradict each other in a way no figure can be derived from.
    Inconsistent,
    /// The table template is not one the importer can invert.
    Template,
}

/// One located problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub place: Place,
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl Problem {
    pub fn file(message: String, hint: &str) -> Problem {
        Problem {
            kind: ProblemKind::File,
            place: Place::default(),
            message,
            hint: hint.to_string(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.place, self.message)?;
        if !self.hint.is_empty() {
            write!(f, "（{}）", self.hint)?;
        }
        Ok(())
    }
}

/// Import failed: every problem found, so a preparer can fix the workbook in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub problems: Vec<Problem>,
}

impl ImportError {
    pub fn one(p: Problem) -> ImportError {
        ImportError { problems: vec![p] }
    }
    /// True if any problem is of this kind.
    pub fn has(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|p| p.kind == kind)
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// Something the importer decided or noticed that the preparer should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    pub place: Place,
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "警告：{}{}", self.place, self.message)
    }
}
