//! What an audit finds: checks with their outcome, kind, place, stated and expected values.

use serde::{Deserialize, Serialize};

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Holds only after forcing rounded shares to add to 100% (尾差调整): a note, not an error.
    RoundingNote,
    NotApplicable,
    InsufficientData,
    ParseError,
    ExecutionError,
}

/// What a check compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 合计与分项
    TotalOfParts,
    /// 占比
    Share,
    /// 同比增减额
    ChangeAmount,
    /// 同比增减率
    ChangeRate,
    /// 增减方向
    Direction,
    /// 预算完成率
    Completion,
    /// 同一数字前后一致
    SameFigure,
    /// 类与其项之和
    ClassOfItems,
    /// 正文与表格一致
    TextAgainstTable,
    /// 数量之和（辆、人、批次…）
    Counts,
    /// 百分点变化：“占X%，比上年的Y%提高Z个百分点”
    PointChange,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::TotalOfParts => "合计与分项",
            Kind::Share => "占比",
            Kind::ChangeAmount => "增减额",
            Kind::ChangeRate => "增减率",
            Kind::Direction => "增减方向",
            Kind::Completion => "预算完成率",
            Kind::SameFigure => "前后一致",
            Kind::ClassOfItems => "类与项",
            Kind::TextAgainstTable => "正文与表格",
            Kind::Counts => "数量之和",
            Kind::PointChange => "百分点变化",
        }
    }
}

/// Where a figure stands in the original text (line, and character range within the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// One check of one relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub kind: Kind,
    pub outcome: Outcome,
    /// Line (1-based) of the sentence.
    pub line: usize,
    /// Page (1-based), when the text has page breaks (PDF).
    pub page: Option<usize>,
    pub section: String,
    /// The sentence as printed.
    pub quote: String,
    pub stated: String,
    pub expected: String,
    pub message: String,
    /// The figures the check read, for locating and corrupting them in tests.
    pub figures: Vec<Place>,
}

/// The result of auditing one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub checks: Vec<Check>,
    pub figures: usize,
}

impl Audit {
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }
}
