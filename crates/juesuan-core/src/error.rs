//! Stable error codes (错误代码) with severities. The table is documented in docs/ERRORS.md;
//! codes never change meaning once published.

use crate::facts::Location;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// Every error and warning juesuan reports about an input, with its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ErrorCode {
    /// E001 TOML 语法或类型错误
    Syntax,
    /// E002 缺少必填项
    MissingField,
    /// E003 无法识别的字段
    UnknownField,
    /// E004 无法识别的取值
    UnknownValue,
    /// E005 不支持的格式版本或年度
    UnsupportedSchema,
    /// E006 输入文件超出规模上限（大小、行数、文字长度、项数、节数、嵌套层数）
    InputTooLarge,
    /// E007 未知的省份或表格模板
    UnknownProvince,
    /// E008 车辆用途或设备类别不在省份清单中
    UnlistedDetail,
    /// E009 明细项取值不成立或彼此不一致
    InconsistentDetail,
    /// E010 金额不是有效数字
    BadAmount,
    /// E011 金额超过分的精度
    TooPrecise,
    /// E012 金额为负
    NegativeAmount,
    /// E013 金额超出上限（单笔绝对值超过 1000万亿元）
    AmountBeyondBound,
    /// E020 科目编码格式错误
    MalformedCode,
    /// E021 未知功能分类科目
    UnknownFunctionCode,
    /// E022 未知经济分类科目
    UnknownEconomicCode,
    /// E023 科目级次不对
    NotItemLevel,
    /// E030 基本支出按经济分类与按功能分类不一致
    BasicMismatch,
    /// E031 支出超过可用资金
    Overspent,
    /// E032 输入内部不一致
    InconsistentInput,
    /// E033 全部金额之和超出上限（一个单位一个年度各金额绝对值之和超过 1亿亿元）
    TotalBeyondBound,
    /// E040 数据文件（目录、模板）错误
    DataFile,
    /// E050 绩效评价输入取值错误
    EvaluationValue,
    /// E051 绩效评价输入与指标体系不符（未知输入、评分项个数不符等）
    EvaluationMismatch,
    /// W101 缺少变动或差异原因
    MissingReason,
    /// W102 绩效指标未达满分而缺少偏差原因
    MissingDeviationReason,
    /// W103 生成的报告中，来自输入的文字算术不一致（核对生成的报告时发现）
    TextArithmetic,
    /// W104 该年度没有分类目录，使用了较早年度的目录
    EarlierCatalogue,
    /// W105 功能分类项级科目不在目录中（所属款在目录中）
    UnknownFunctionItem,
    /// W110 输入的明细项不被所选省份的情况说明使用
    UnusedDetail,
    /// W106 填列数之间的差额在四舍五入误差以内（尾差）：figures stated to a precision
    /// (`stated_precision`, 万元 tables) whose relation is off by no more than their rounding
    RoundingGap,
    /// W107 同一科目在两张表中的填列数不同（导入取其中一张表的数）
    ConflictingTables,
}

impl ErrorCode {
    /// Every code, for the registry and the test that ties them to docs/ERRORS.md.
    pub const ALL: [ErrorCode; 32] = [
        ErrorCode::Syntax,
        ErrorCode::MissingField,
        ErrorCode::UnknownField,
        ErrorCode::UnknownValue,
        ErrorCode::UnsupportedSchema,
        ErrorCode::InputTooLarge,
        ErrorCode::UnknownProvince,
        ErrorCode::UnlistedDetail,
        ErrorCode::InconsistentDetail,
        ErrorCode::BadAmount,
        ErrorCode::TooPrecise,
        ErrorCode::NegativeAmount,
        ErrorCode::AmountBeyondBound,
        ErrorCode::MalformedCode,
        ErrorCode::UnknownFunctionCode,
        ErrorCode::UnknownEconomicCode,
        ErrorCode::NotItemLevel,
        ErrorCode::BasicMismatch,
        ErrorCode::Overspent,
        ErrorCode::InconsistentInput,
        ErrorCode::TotalBeyondBound,
        ErrorCode::DataFile,
        ErrorCode::EvaluationValue,
        ErrorCode::EvaluationMismatch,
        ErrorCode::MissingReason,
        ErrorCode::MissingDeviationReason,
        ErrorCode::TextArithmetic,
        ErrorCode::EarlierCatalogue,
        ErrorCode::UnknownFunctionItem,
        ErrorCode::UnusedDetail,
        ErrorCode::RoundingGap,
        ErrorCode::ConflictingTables,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "E001",
            ErrorCode::MissingField => "E002",
            ErrorCode::UnknownField => "E003",
            ErrorCode::UnknownValue => "E004",
            ErrorCode::UnsupportedSchema => "E005",
            ErrorCode::InputTooLarge => "E006",
            ErrorCode::UnknownProvince => "E007",
            ErrorCode::UnlistedDetail => "E008",
            ErrorCode::InconsistentDetail => "E009",
            ErrorCode::BadAmount => "E010",
            ErrorCode::TooPrecise => "E011",
            ErrorCode::NegativeAmount => "E012",
            ErrorCode::AmountBeyondBound => "E013",
            ErrorCode::MalformedCode => "E020",
            ErrorCode::UnknownFunctionCode => "E021",
            ErrorCode::UnknownEconomicCode => "E022",
            ErrorCode::NotItemLevel => "E023",
            ErrorCode::BasicMismatch => "E030",
            ErrorCode::Overspent => "E031",
            ErrorCode::InconsistentInput => "E032",
            ErrorCode::TotalBeyondBound => "E033",
            ErrorCode::DataFile => "E040",
            ErrorCode::EvaluationValue => "E050",
            ErrorCode::EvaluationMismatch => "E051",
            ErrorCode::MissingReason => "W101",
            ErrorCode::MissingDeviationReason => "W102",
            ErrorCode::TextArithmetic => "W103",
            ErrorCode::EarlierCatalogue => "W104",
            ErrorCode::UnknownFunctionItem => "W105",
            ErrorCode::UnusedDetail => "W110",
            ErrorCode::RoundingGap => "W106",
            ErrorCode::ConflictingTables => "W107",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            ErrorCode::MissingReason
            | ErrorCode::MissingDeviationReason
            | ErrorCode::TextArithmetic
            | ErrorCode::EarlierCatalogue
            | ErrorCode::UnknownFunctionItem
            | ErrorCode::UnusedDetail => Severity::Warning,
            ErrorCode::RoundingGap | ErrorCode::ConflictingTables => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// A family of stable codes (代码族): each has its own letter or form, its own document, and
/// one enum implementing [`Coded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// E/W 输入文件的错误和警告
    Input,
    /// J 会计凭证（日记账）导入错误
    Journal,
    /// S 指标体系文件和项目计分规则文件错误
    System,
    /// X Excel 工作簿导入错误
    Workbook,
    /// 已公开报告的核对类别（`juesuan audit`），代码为英文小写名称
    Audit,
    /// 审核公式（`data/rules/` 中的规则编号），随规则文件而定，不在固定代码表中
    Rule,
    /// A 转移支付分配计划文件错误（`juesuan allocate`）
    Allocation,
}

impl Family {
    /// Every family, in the order docs/ERRORS.md lists them.
    pub const ALL: [Family; 7] = [
        Family::Input,
        Family::Journal,
        Family::System,
        Family::Workbook,
        Family::Audit,
        Family::Rule,
        Family::Allocation,
    ];

    /// The family's name and the form of its codes (Chinese), for `juesuan explain`.
    pub fn title(self) -> &'static str {
        match self {
            Family::Input => "输入文件错误和警告（E001–E051、W101–W107）",
            Family::Journal => "会计凭证导入错误（J001–J033）",
            Family::System => "指标体系文件错误（S001–S010）",
            Family::Workbook => "Excel 工作簿导入错误（X001–X007）",
            Family::Audit => "已公开报告的核对类别（如 total_of_parts、share）",
            Family::Rule => "审核公式的规则编号（data/rules/ 中的 id，如 t1-balance）",
            Family::Allocation => "转移支付分配计划错误和警告（A001–A010）",
        }
    }
}

/// One shape for every family of stable codes: each family is an enum listing its codes in
/// `ALL`, and each code has its text code, severity and Chinese title (the 含义 column of its
/// row in docs/ERRORS.md, which a guard test compares).
pub trait Coded: Copy + Sized + 'static {
    const FAMILY: Family;
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn severity(self) -> Severity;
    /// Short Chinese title (含义).
    fn title(self) -> &'static str;
}

/// One code of any family, as the registry lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    pub family: Family,
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
}

/// Every code of one family, for a registry that lists all families.
pub fn code_infos<C: Coded>() -> impl Iterator<Item = CodeInfo> {
    C::ALL.iter().map(|&c| CodeInfo {
        family: C::FAMILY,
        code: c.code(),
        severity: c.severity(),
        title: c.title(),
    })
}

impl Coded for ErrorCode {
    const FAMILY: Family = Family::Input;
    const ALL: &'static [Self] = &ErrorCode::ALL;

    fn code(self) -> &'static str {
        ErrorCode::code(self)
    }

    fn severity(self) -> Severity {
        ErrorCode::severity(self)
    }

    fn title(self) -> &'static str {
        match self {
            ErrorCode::Syntax => "TOML 语法或类型错误",
            ErrorCode::MissingField => "缺少必填项",
            ErrorCode::UnknownField => "无法识别的字段",
            ErrorCode::UnknownValue => "无法识别的取值",
            ErrorCode::UnsupportedSchema => "不支持的输入格式版本",
            ErrorCode::InputTooLarge => "输入文件超出规模上限",
            ErrorCode::UnknownProvince => "未知的省份或表格模板",
            ErrorCode::UnlistedDetail => "车辆用途或设备类别不在省份清单中",
            ErrorCode::InconsistentDetail => "明细项取值不成立或彼此不一致",
            ErrorCode::BadAmount => "金额不是有效数字",
            ErrorCode::TooPrecise => "金额超过分的精度",
            ErrorCode::NegativeAmount => "金额为负",
            ErrorCode::AmountBeyondBound => "金额超出上限",
            ErrorCode::MalformedCode => "科目编码格式错误",
            ErrorCode::UnknownFunctionCode => "功能分类科目的类或款不在目录中",
            ErrorCode::UnknownEconomicCode => "经济分类科目不在目录中",
            ErrorCode::NotItemLevel => "科目级次不对",
            ErrorCode::BasicMismatch => "基本支出按经济分类与按功能分类不一致",
            ErrorCode::Overspent => "支出超过可用资金",
            ErrorCode::InconsistentInput => "输入内部不一致",
            ErrorCode::TotalBeyondBound => "全部金额之和超出上限",
            ErrorCode::DataFile => "数据文件错误",
            ErrorCode::EvaluationValue => "绩效评价输入取值错误",
            ErrorCode::EvaluationMismatch => "绩效评价输入与指标体系不符",
            ErrorCode::MissingReason => "缺少变动或差异原因",
            ErrorCode::MissingDeviationReason => "绩效指标未得满分而缺少偏差原因",
            ErrorCode::TextArithmetic => "报告中来自输入的文字算术不一致",
            ErrorCode::EarlierCatalogue => "该年度没有分类目录，使用了较早年度的目录",
            ErrorCode::UnknownFunctionItem => "功能分类的项不在目录中，所属款在目录中",
            ErrorCode::UnusedDetail => "输入的明细项不被所选省份的情况说明使用",
            ErrorCode::RoundingGap => "填列数之间的差额在四舍五入误差以内（尾差）",
            ErrorCode::ConflictingTables => "同一科目在两张表中的填列数不同",
        }
    }
}

/// A located problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputError {
    #[serde(serialize_with = "serialize_code")]
    pub code: ErrorCode,
    pub file: String,
    pub location: Option<Location>,
    /// What is wrong (Chinese).
    pub message: String,
    /// What to do (Chinese).
    pub hint: String,
}

/// A code serialized as its text ("E010"), for every family's error type.
pub fn serialize_code<C: Coded, S: serde::Serializer>(c: &C, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.code())
}

/// The body every family's located message shares after its place:
/// "错误[E010]：…。处理：…".
pub fn write_message<C: Coded>(
    f: &mut fmt::Formatter<'_>,
    code: C,
    message: &str,
    hint: &str,
) -> fmt::Result {
    write!(
        f,
        "{}[{}]：{message}。处理：{hint}",
        code.severity().label(),
        code.code()
    )
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(l) => write!(f, "{}:{}:{}: ", self.file, l.line, l.column)?,
            None => write!(f, "{}: ", self.file)?,
        }
        write_message(f, self.code, &self.message, &self.hint)
    }
}

impl std::error::Error for InputError {}

/// A warning raised while deriving the disclosure (e.g. a missing reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    #[serde(serialize_with = "serialize_code")]
    pub code: ErrorCode,
    /// Where in the disclosure (section and item).
    pub place: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}：{}",
            self.code.severity().label(),
            self.code.code(),
            self.place,
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code has its row, with its severity, in the code table of docs/ERRORS.md; codes
    /// are unique; and the table has no row that `ALL` lacks.
    #[test]
    fn every_code_is_documented_once() {
        let doc = include_str!("../../../docs/ERRORS.md");
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.code()), "{} twice", c.code());
            let row = format!("| {} | {} |", c.code(), c.severity().label());
            assert!(doc.contains(&row), "docs/ERRORS.md lacks the row `{row}`");
        }
        let table_rows = doc
            .lines()
            .filter(|l| {
                let l = l.trim_start_matches("| ");
                (l.starts_with('E') || l.starts_with('W'))
                    && l[1..].chars().take(3).all(|c| c.is_ascii_digit())
                    && l.get(4..7) == Some(" | ")
            })
            .count();
        assert_eq!(table_rows, ErrorCode::ALL.len(), "rows of the code table");
    }
}
