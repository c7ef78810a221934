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
    /// 模板文字未填：“增加（减少）0万元”“（按…表…填写）”
    TemplateResidue,
    /// 表内合计：合计（总计）行等于它所合计的行之和
    TableTotal,
    /// 表内类款项：类等于其款之和、款等于其项之和（按科目编码）
    TableHierarchy,
    /// 表内合计栏：合计栏等于表头所列各分栏之和
    TableColumns,
    /// 收支总表收支平衡：收入合计（总计）等于支出合计（总计）
    TableBalance,
    /// 表间核对：同一科目在一般公共预算表中不超过财政拨款表
    TableAcross,
    /// 算式：文中写出的算式（“3人×1.2万元/年=3.6万元”）与其结果
    Arithmetic,
    /// 比较用语：“决算数大于预算数”“与上年持平”等说法与所比较的两个数
    Comparison,
    /// 表间相等：同一资金范围、同一支出部分的各表中，同一科目（及合计行）的金额相等
    TableEqual,
    /// 编码与名称：同一科目编码在各表中名称相同，同一上级科目下的同名科目编码相同
    TableCodeName,
    /// 目录所列的表：目录列出的每张表都印在文中
    TableListed,
    /// 审核公式：data/rules 的规则用于对应到表样的公开表格
    TableRule,
    /// 空表说明：没有数据行的表注明为空表的原因（官方表样的说明）
    TableEmptyNote,
    /// 单价与数量：“前5名，每县补助2万元，共计10万元”“5万元/站…共15万元”中单价 × 数量与合计
    UnitCost,
}

impl Kind {
    /// The table checks that compare figures with figures: sums, hierarchy, columns, balances,
    /// figures across tables and equal figures.
    fn compares_table_figures(self) -> bool {
        matches!(
            self,
            Kind::TableTotal
                | Kind::TableHierarchy
                | Kind::TableColumns
                | Kind::TableBalance
                | Kind::TableAcross
                | Kind::TableEqual
        )
    }

    /// The checks of the tables' own structure (src/tables): the figure comparisons, codes and
    /// names, listed items, empty-table notes. The consistency rules (`TableRule`) are counted
    /// apart.
    pub fn is_table_structure(self) -> bool {
        self.compares_table_figures()
            || matches!(
                self,
                Kind::TableCodeName | Kind::TableListed | Kind::TableEmptyNote
            )
    }

    /// The table checks that relate figures to each other (and so can be broken by rounding):
    /// not a code's name, a listed item or an empty table's note, which are no figures.
    pub fn relates_table_figures(self) -> bool {
        self.compares_table_figures() || self == Kind::TableRule
    }

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
            Kind::TemplateResidue => "模板文字",
            Kind::TableTotal => "表内合计",
            Kind::TableHierarchy => "表内类款项",
            Kind::TableColumns => "表内合计栏",
            Kind::TableBalance => "收支平衡",
            Kind::TableAcross => "表间核对",
            Kind::Arithmetic => "算式",
            Kind::Comparison => "比较用语",
            Kind::TableEqual => "表间相等",
            Kind::TableCodeName => "编码与名称",
            Kind::TableListed => "目录所列的表",
            Kind::TableRule => "审核公式",
            Kind::TableEmptyNote => "空表说明",
            Kind::UnitCost => "单价与数量",
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
    /// What was read and what was understood: an audit is never silent about it.
    pub coverage: Coverage,
}

/// 核对范围: how much of the document the checks reached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Pages read (PDF; `None` for text without page breaks).
    pub pages: Option<usize>,
    /// Whether the document held any text at all (a scanned PDF has none).
    pub has_text: bool,
    /// Sentences of running text that state an amount or a percentage.
    pub sentences_with_figures: usize,
    /// Of those, the ones some check read a figure of.
    pub understood: usize,
    /// Table rows with numbers (their own arithmetic is not checked yet).
    pub table_rows: usize,
    /// Sentences with figures that no check understood: count and the first few.
    pub not_understood: usize,
    pub examples: Vec<Unread>,
    /// The tables read as tables (titles, rows, cells) and checked.
    pub tables: TableCoverage,
}

/// 表格覆盖: tables recognised, rows read, and the tables that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableCoverage {
    /// Tables recognised (a title, and rows or a note that the table is empty).
    pub tables: usize,
    /// Rows with amounts read in them.
    pub rows: usize,
    /// Titles followed by a unit or a header under which no row could be read.
    pub unrecognised: Vec<String>,
    /// Relations not checked because blank cells leave the columns of a row unknown.
    pub undecided: usize,
    /// The template set the tables were mapped onto ("national", "national-budget").
    pub template_set: Option<String>,
    /// Tables mapped onto a template: (printed title, template table title).
    pub matched: Vec<(String, String)>,
    /// Recognised tables whose title names no template table.
    pub unmatched: Vec<String>,
    /// Printed rows and amount columns that could not be placed on their template table.
    pub unplaced: usize,
    /// Rule checks (审核公式) made at cells, passed and failed; rules that could not be
    /// evaluated (a table absent, a cell not read).
    pub rule_checks: usize,
    pub rule_failures: usize,
    pub rules_unevaluated: usize,
}

/// A sentence with figures that no check read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unread {
    pub line: usize,
    pub page: Option<usize>,
    pub quote: String,
}

/// The verdict of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 发现计算错误
    Errors,
    /// 未发现计算错误: something was checked, and nothing failed.
    Clean,
    /// 无法核对: no relation could be checked, so passing would say nothing.
    Unchecked,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Errors => "发现计算错误",
            Verdict::Clean => "未发现计算错误",
            Verdict::Unchecked => "无法核对",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl Audit {
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }

    /// Errors if any check failed; clean only if some check of a figure could decide (pass,
    /// fail or a rounding note); otherwise nothing was checked. A check that reads no figure
    /// (a listed table printed) is no calculation checked: alone it is not "no errors".
    pub fn verdict(&self) -> Verdict {
        if self.failures().next().is_some() {
            Verdict::Errors
        } else if self.checks.iter().any(|c| {
            matches!(c.outcome, Outcome::Pass | Outcome::RoundingNote) && !c.figures.is_empty()
        }) {
            Verdict::Clean
        } else {
            Verdict::Unchecked
        }
    }
}

/// The verdict of an audit (see [`Audit::verdict`]).
pub fn verdict(a: &Audit) -> Verdict {
    a.verdict()
}
