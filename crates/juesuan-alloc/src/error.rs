//! The A family of codes (转移支付分配计划错误): every problem of a plan, its KPI file or a
//! what-if, located (file, line and column or CSV row) and told in Chinese with what to do.

use juesuan_core::{Coded, Family, Severity};
use serde::Serialize;
use std::fmt;

/// One kind of problem in an allocation plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AllocCode {
    /// A001 计划文件 TOML 语法或类型错误
    Syntax,
    /// A002 未知的受分配单位（县市）
    UnknownRecipient,
    /// A003 缺少考核数据
    MissingKpi,
    /// A004 权重之和不等于1
    WeightSum,
    /// A005 资金小于固定奖励之和
    PoolTooSmall,
    /// A006 分配规则设置错误
    BadRule,
    /// A007 考核数据文件（CSV）错误
    KpiFile,
    /// A008 各分配行之和与总资金不符
    LinesNotPool,
    /// A009 假设分析（--what-if）写法错误
    WhatIf,
    /// A010 转移支付绩效自评表与分配计划不符（警告）
    EvaluationMismatch,
}

impl AllocCode {
    pub const ALL: [AllocCode; 10] = [
        AllocCode::Syntax,
        AllocCode::UnknownRecipient,
        AllocCode::MissingKpi,
        AllocCode::WeightSum,
        AllocCode::PoolTooSmall,
        AllocCode::BadRule,
        AllocCode::KpiFile,
        AllocCode::LinesNotPool,
        AllocCode::WhatIf,
        AllocCode::EvaluationMismatch,
    ];
}

impl Coded for AllocCode {
    const FAMILY: Family = Family::Allocation;
    const ALL: &'static [Self] = &AllocCode::ALL;

    fn code(self) -> &'static str {
        match self {
            AllocCode::Syntax => "A001",
            AllocCode::UnknownRecipient => "A002",
            AllocCode::MissingKpi => "A003",
            AllocCode::WeightSum => "A004",
            AllocCode::PoolTooSmall => "A005",
            AllocCode::BadRule => "A006",
            AllocCode::KpiFile => "A007",
            AllocCode::LinesNotPool => "A008",
            AllocCode::WhatIf => "A009",
            AllocCode::EvaluationMismatch => "A010",
        }
    }

    fn severity(self) -> Severity {
        match self {
            AllocCode::EvaluationMismatch => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn title(self) -> &'static str {
        match self {
            AllocCode::Syntax => "分配计划文件 TOML 语法或类型错误",
            AllocCode::UnknownRecipient => "未知的受分配单位",
            AllocCode::MissingKpi => "缺少考核数据",
            AllocCode::WeightSum => "权重之和不等于1",
            AllocCode::PoolTooSmall => "资金小于固定奖励之和",
            AllocCode::BadRule => "分配规则设置错误",
            AllocCode::KpiFile => "考核数据文件错误",
            AllocCode::LinesNotPool => "各分配行之和与总资金不符",
            AllocCode::WhatIf => "假设分析写法错误",
            AllocCode::EvaluationMismatch => "转移支付绩效自评表与分配计划不符",
        }
    }
}

/// A located problem of a plan (or of its KPI file, or of a what-if).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AllocError {
    #[serde(serialize_with = "juesuan_core::error::serialize_code")]
    pub code: AllocCode,
    /// The file the problem is in (the plan, its CSV file, or `--what-if`).
    pub file: String,
    /// 1-based line and column (for a CSV file: row and column of the cell).
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong (Chinese).
    pub message: String,
    /// What to do (Chinese).
    pub hint: String,
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: ", self.file)?,
            (Some(l), None) => write!(f, "{}:{l}: ", self.file)?,
            _ => write!(f, "{}: ", self.file)?,
        }
        juesuan_core::error::write_message(f, self.code, &self.message, &self.hint)
    }
}

impl std::error::Error for AllocError {}

/// 1-based line and column (in characters) of a byte offset of `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let l = juesuan_core::input::location_of(text, offset);
    (l.line, l.column)
}

/// Collects located errors of one file.
pub(crate) struct Errors<'a> {
    pub text: &'a str,
    pub file: &'a str,
    pub list: Vec<AllocError>,
    /// Byte offset where each line starts: a plan of thousands of recipients asks for
    /// thousands of line numbers, each found by binary search instead of a scan.
    line_starts: Vec<usize>,
}

impl<'a> Errors<'a> {
    pub fn new(text: &'a str, file: &'a str) -> Errors<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Errors {
            text,
            file,
            list: Vec::new(),
            line_starts,
        }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    /// An error at byte offset `at` of the file (none: the file as a whole).
    pub fn at(&mut self, code: AllocCode, at: Option<usize>, message: String, hint: &str) {
        let (line, column) = match at.map(|o| line_col(self.text, o)) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        self.list.push(AllocError {
            code,
            file: self.file.to_string(),
            line,
            column,
            message,
            hint: hint.to_string(),
        });
    }
}
