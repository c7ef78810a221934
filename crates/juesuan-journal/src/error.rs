//! Located journal errors (日记账错误) with stable codes J001–J032, documented in
//! docs/journal.md. Every row error names the file, the line, the column and the rule.

use serde::Serialize;
use std::fmt;

/// The rule a journal row or file breaks. Codes never change meaning once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Rule {
    /// J001 CSV 格式错误（字段数与表头不符等）
    Csv,
    /// J002 文本编码错误
    Encoding,
    /// J003 日期无效
    BadDate,
    /// J004 凭证号为空
    MissingVoucher,
    /// J005 会计科目编码格式错误
    MalformedAccount,
    /// J006 会计科目不在科目映射中
    UnknownAccount,
    /// J007 金额无效
    BadAmount,
    /// J008 借方和贷方同时有金额
    BothSides,
    /// J009 功能分类科目格式错误或不是项级
    MalformedFunction,
    /// J010 功能分类科目不在目录中
    UnknownFunction,
    /// J011 经济分类科目缺失、格式错误或不在目录中
    BadEconomic,
    /// J012 资金来源无法识别或不适用于该科目
    BadSource,
    /// J013 支出性质无法识别或不适用于该科目
    BadNature,
    /// J014 日期不在决算年度内
    OutsideYear,
    /// J015 单位缺失或多个单位未选定
    Unit,
    /// J016 年初余额凭证含收入、支出科目
    OpeningWithFlows,
    /// J020 凭证借贷不平衡
    Unbalanced,
    /// J021 汇总结果为负
    NegativeTotal,
    /// J030 表头缺少必需的列
    MissingColumn,
    /// J031 映射文件错误
    Mapping,
    /// J032 导入结果未通过输入文件校验
    Validation,
    /// J033 读文件失败
    Io,
}

impl Rule {
    /// Every rule, for the registry of codes (`juesuan explain`, the docs guard).
    pub const ALL: [Rule; 22] = [
        Rule::Csv,
        Rule::Encoding,
        Rule::BadDate,
        Rule::MissingVoucher,
        Rule::MalformedAccount,
        Rule::UnknownAccount,
        Rule::BadAmount,
        Rule::BothSides,
        Rule::MalformedFunction,
        Rule::UnknownFunction,
        Rule::BadEconomic,
        Rule::BadSource,
        Rule::BadNature,
        Rule::OutsideYear,
        Rule::Unit,
        Rule::OpeningWithFlows,
        Rule::Unbalanced,
        Rule::NegativeTotal,
        Rule::MissingColumn,
        Rule::Mapping,
        Rule::Validation,
        Rule::Io,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::Csv => "J001",
            Rule::Encoding => "J002",
            Rule::BadDate => "J003",
            Rule::MissingVoucher => "J004",
            Rule::MalformedAccount => "J005",
            Rule::UnknownAccount => "J006",
            Rule::BadAmount => "J007",
            Rule::BothSides => "J008",
            Rule::MalformedFunction => "J009",
            Rule::UnknownFunction => "J010",
            Rule::BadEconomic => "J011",
            Rule::BadSource => "J012",
            Rule::BadNature => "J013",
            Rule::OutsideYear => "J014",
            Rule::Unit => "J015",
            Rule::OpeningWithFlows => "J016",
            Rule::Unbalanced => "J020",
            Rule::NegativeTotal => "J021",
            Rule::MissingColumn => "J030",
            Rule::Mapping => "J031",
            Rule::Validation => "J032",
            Rule::Io => "J033",
        }
    }

    /// Short Chinese name of the rule, for summaries.
    pub fn label(self) -> &'static str {
        match self {
            Rule::Csv => "CSV 格式错误",
            Rule::Encoding => "文本编码错误",
            Rule::BadDate => "日期无效",
            Rule::MissingVoucher => "凭证号为空",
            Rule::MalformedAccount => "会计科目编码格式错误",
            Rule::UnknownAccount => "会计科目不在科目映射中",
            Rule::BadAmount => "金额无效",
            Rule::BothSides => "借方和贷方同时有金额",
            Rule::MalformedFunction => "功能分类科目格式错误",
            Rule::UnknownFunction => "功能分类科目不在目录中",
            Rule::BadEconomic => "经济分类科目错误",
            Rule::BadSource => "资金来源错误",
            Rule::BadNature => "支出性质错误",
            Rule::OutsideYear => "日期不在决算年度内",
            Rule::Unit => "单位错误",
            Rule::OpeningWithFlows => "年初余额凭证含收入支出",
            Rule::Unbalanced => "凭证借贷不平衡",
            Rule::NegativeTotal => "汇总结果为负",
            Rule::MissingColumn => "缺少必需的列",
            Rule::Mapping => "映射文件错误",
            Rule::Validation => "导入结果未通过校验",
            Rule::Io => "读文件失败",
        }
    }
}

impl juesuan_core::Coded for Rule {
    const FAMILY: juesuan_core::Family = juesuan_core::Family::Journal;
    const ALL: &'static [Self] = &Rule::ALL;

    fn code(self) -> &'static str {
        Rule::code(self)
    }

    /// Every journal rule stops the import: none is a warning.
    fn severity(self) -> juesuan_core::Severity {
        juesuan_core::Severity::Error
    }

    fn title(self) -> &'static str {
        self.label()
    }
}

/// One problem in a journal, located by file, line and (when it is about one cell) column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalError {
    pub rule: Rule,
    pub file: String,
    /// 1-based line of the row in the file (of its first line when a quoted cell spans lines).
    pub line: Option<u64>,
    /// The column's header as written in the file.
    pub column: Option<String>,
    /// What is wrong (Chinese).
    pub message: String,
    /// What to do (Chinese).
    pub hint: String,
}

impl JournalError {
    pub fn new(
        rule: Rule,
        file: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        JournalError {
            rule,
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn at(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn column(mut self, column: &str) -> Self {
        self.column = Some(column.to_string());
        self
    }
}

impl fmt::Display for JournalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: ", self.file, l)?,
            None => write!(f, "{}: ", self.file)?,
        }
        write!(f, "错误[{}]（{}）：", self.rule.code(), self.rule.label())?;
        if let (Some(l), Some(c)) = (self.line, &self.column) {
            write!(f, "第{l}行“{c}”列：")?;
        } else if let Some(l) = self.line {
            write!(f, "第{l}行：")?;
        }
        write!(f, "{}。处理：{}", self.message, self.hint)
    }
}

impl std::error::Error for JournalError {}
