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

/// What kind of problem an import error is, with its stable code X001–X007 (docs/xlsx.md §3.4,
/// docs/ERRORS.md); `juesuan import` prints the code before each problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// X001 不是可读的 .xlsx 文件或超出安全限制
    File,
    /// X002 表格模板缺少导入角色（`[import]`）
    Template,
    /// X003 找不到公开表
    MissingTable,
    /// X004 表头、列或行无法识别
    Layout,
    /// X005 单元格不是有效金额
    Amount,
    /// X006 科目编码错误
    Code,
    /// X007 各表之间不一致
    Inconsistent,
}

impl ProblemKind {
    /// Every kind, in code order.
    pub const ALL: [ProblemKind; 7] = [
        ProblemKind::File,
        ProblemKind::Template,
        ProblemKind::MissingTable,
        ProblemKind::Layout,
        ProblemKind::Amount,
        ProblemKind::Code,
        ProblemKind::Inconsistent,
    ];
}

impl juesuan_core::Coded for ProblemKind {
    const FAMILY: juesuan_core::Family = juesuan_core::Family::Workbook;
    const ALL: &'static [Self] = &ProblemKind::ALL;

    fn code(self) -> &'static str {
        match self {
            ProblemKind::File => "X001",
            ProblemKind::Template => "X002",
            ProblemKind::MissingTable => "X003",
            ProblemKind::Layout => "X004",
            ProblemKind::Amount => "X005",
            ProblemKind::Code => "X006",
            ProblemKind::Inconsistent => "X007",
        }
    }

    /// Every problem stops the import (the importer's notices are warnings without a code).
    fn severity(self) -> juesuan_core::Severity {
        juesuan_core::Severity::Error
    }

    fn title(self) -> &'static str {
        match self {
            ProblemKind::File => "不是可读的 .xlsx 文件或超出安全限制",
            ProblemKind::Template => "表格模板缺少导入角色",
            ProblemKind::MissingTable => "找不到公开表",
            ProblemKind::Layout => "表头、列或行无法识别",
            ProblemKind::Amount => "单元格不是有效金额",
            ProblemKind::Code => "科目编码错误",
            ProblemKind::Inconsistent => "各表之间不一致",
        }
    }
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
    /// The input-file warning code it shares with `juesuan validate` (W106 尾差, W107 two
    /// tables disagreeing), if any; the importer's other notices have none.
    pub code: Option<juesuan_core::ErrorCode>,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(c) => write!(f, "警告[{}]：{}{}", c.code(), self.place, self.message),
            None => write!(f, "警告：{}{}", self.place, self.message),
        }
    }
}
