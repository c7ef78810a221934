//! The plan file (分配计划, TOML; format in docs/allocation.md): recipients, an assessment
//! system, KPI values with their provenance, and allocation lines. Parsed and validated here;
//! every problem is located in the file.

use crate::error::{AllocCode, AllocError, Errors};
use juesuan_core::expr::Expr;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::ratio::Ratio;
use juesuan_score::system::Band;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Rounding unit of allocated amounts (分配金额的舍入单位).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
pub enum Rounding {
    /// 分
    #[serde(rename = "分")]
    Fen,
    /// 元
    #[default]
    #[serde(rename = "元")]
    Yuan,
    /// 0.01万元（百元）
    #[serde(rename = "0.01万元")]
    WanCent,
}

impl Rounding {
    /// The unit in 分.
    pub fn fen(self) -> i64 {
        match self {
            Rounding::Fen => 1,
            Rounding::Yuan => 100,
            Rounding::WanCent => 10_000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rounding::Fen => "分",
            Rounding::Yuan => "元",
            Rounding::WanCent => "0.01万元",
        }
    }
}

/// How recipients with equal totals are ordered (并列处理).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// 按名单顺序：名单中在前者名次在前。
    #[default]
    Order,
    /// 并列同名次，共享所争名额的金额（平均分配）。
    Split,
}

/// A sub-unit that receives money (受分配单位，如县市).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    /// Short names used in text ("木里" for 木里县).
    pub aliases: Vec<String>,
    /// Line of its declaration in the plan.
    pub line: usize,
}

/// How an indicator's value becomes a score out of 100 (计分规则).
#[derive(Debug, Clone)]
pub enum ScoreRule {
    /// 线性达标：min(值/目标, 1) × 100
    Linear { target: Ratio },
    /// 排名计分：第1名100分，末名0分，其间按名次等距
    Rank,
    /// 分档计分（区间与得分）
    Bands(Vec<Band>),
    /// 是否计分：是得 `yes` 分，否得 `no` 分
    YesNo { yes: Ratio, no: Ratio },
    /// 公式计分：变量 value、target、best、worst
    Formula { expr: Expr, target: Option<Ratio> },
}

impl ScoreRule {
    pub fn label(&self) -> &'static str {
        match self {
            ScoreRule::Linear { .. } => "线性达标",
            ScoreRule::Rank => "排名计分",
            ScoreRule::Bands(_) => "分档计分",
            ScoreRule::YesNo { .. } => "是否计分",
            ScoreRule::Formula { .. } => "公式计分",
        }
    }
}

/// An assessment indicator (考核指标).
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    /// 指标名称，如“精准注册认证”
    pub name: String,
    pub weight: Ratio,
    pub rule: ScoreRule,
    /// The KPI column it reads (default: its id).
    pub column: String,
    /// 计量单位（人、条），for the trace.
    pub unit: Option<String>,
    pub line: usize,
}

/// The assessment system (考核体系).
#[derive(Debug, Clone)]
pub struct Assessment {
    pub indicators: Vec<Indicator>,
    pub ties: Ties,
    /// Indicators whose scores decide between equal totals, in order, before `ties`.
    pub tie_indicators: Vec<usize>,
}

/// Where a KPI value comes from (数据来源).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Provenance {
    pub file: String,
    /// Line of the plan or row of the CSV file.
    pub row: usize,
    pub date: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KpiValue {
    pub value: Ratio,
    pub provenance: Provenance,
}

/// KPI values: column → value per recipient (by index).
#[derive(Debug, Clone, Default)]
pub struct KpiTable {
    pub columns: BTreeMap<String, Vec<Option<KpiValue>>>,
    /// Where each recipient's row is (file, row), if it has one.
    pub rows: Vec<Option<(String, usize)>>,
}

/// Bounds on each recipient's amount in a pooled line (保底、封顶).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub floor: Option<Amount>,
    pub cap: Option<Amount>,
}

/// What a factor's data is (因素数据).
#[derive(Debug, Clone)]
pub enum FactorData {
    /// 平均：每个单位相同
    Equal,
    /// 考核总分
    Score,
    /// 考核数据中的一列
    Column(String),
    /// 由考核数据各列计算的公式
    Formula(Expr),
}

/// A factor of 因素法 (基础因素、需求因素、绩效因素).
#[derive(Debug, Clone)]
pub struct Factor {
    pub name: String,
    /// "基础因素" / "需求因素" / "绩效因素"
    pub kind: &'static str,
    pub weight: Ratio,
    pub data: FactorData,
}

/// A tier (档次).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub from_rank: Option<usize>,
    pub to_rank: Option<usize>,
    pub min_score: Option<Ratio>,
    pub amount: Amount,
}

/// A named item of an earmarked or per-unit line (专项、按站/按小院).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub name: String,
    /// Index of the recipient, if the item goes to one.
    pub recipient: Option<usize>,
    pub amount: Amount,
    /// For per-unit lines: how many units.
    pub count: Option<u32>,
}

/// An allocation rule (分配规则).
#[derive(Debug, Clone)]
pub enum LineRule {
    /// 前N名定额
    TopN { n: usize, amount: Amount },
    /// 分档（按名次或按得分）
    Tiers { by_rank: bool, tiers: Vec<Tier> },
    /// 按得分比例
    ProRata { bounds: Bounds },
    /// 因素法
    Factor {
        factors: Vec<Factor>,
        bounds: Bounds,
    },
    /// 指定单位定额
    Earmark { items: Vec<Item> },
    /// 按单位数定额（每站、每个小院）
    PerUnit {
        unit: String,
        unit_amount: Amount,
        items: Vec<Item>,
    },
}

impl LineRule {
    pub fn label(&self) -> &'static str {
        match self {
            LineRule::TopN { .. } => "前N名定额",
            LineRule::Tiers { .. } => "分档定额",
            LineRule::ProRata { .. } => "按得分比例",
            LineRule::Factor { .. } => "因素法",
            LineRule::Earmark { .. } => "指定单位定额",
            LineRule::PerUnit { .. } => "按单位数定额",
        }
    }

    /// Whether the line distributes a pool (rather than fixed amounts).
    pub fn pooled(&self) -> bool {
        matches!(self, LineRule::ProRata { .. } | LineRule::Factor { .. })
    }
}

/// An allocation line (分配行): one part of the fund and its rule.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub rule: LineRule,
    /// The money of this line; required for pooled lines, optional for fixed ones.
    pub pool: Option<Amount>,
    pub note: Option<String>,
    /// The 成本指标 of the transfer-payment self-evaluation table this line's money is.
    pub cost_indicator: Option<String>,
    pub line: usize,
}

/// Where the plan's figures stand in the unit's self-evaluation (`[evaluation]` of the plan):
/// the project of the transfer-payment table (转移支付绩效自评表) and its quantity indicators.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationLink {
    /// The project's name in the input file's `[[evaluation.projects]]`.
    pub project: String,
    /// The 数量指标 that counts the units assessed (考核数).
    pub assessed: Option<String>,
    /// The 数量指标 that counts the units funded.
    pub funded: Option<String>,
}

/// A validated allocation plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub file: String,
    pub title: String,
    /// 分配单位
    pub allocator: String,
    pub year: i32,
    pub unit: MoneyUnit,
    /// 总资金
    pub pool: Amount,
    pub pool_line: usize,
    pub rounding: Rounding,
    pub note: Option<String>,
    pub recipients: Vec<Recipient>,
    pub assessment: Option<Assessment>,
    pub kpi: KpiTable,
    /// The CSV file the KPI values are read from, relative to the plan.
    pub kpi_file: Option<(String, usize)>,
    pub kpi_date: Option<String>,
    pub kpi_source: Option<String>,
    /// Whether the KPI values are illustrative (示例数据), not real statistics.
    pub illustrative: bool,
    pub lines: Vec<Line>,
    /// Set by a what-if: the total is whatever the lines add up to, instead of `pool`.
    pub pool_follows_lines: bool,
    /// The self-evaluation table these figures belong to, if stated.
    pub evaluation: Option<EvaluationLink>,
    /// Names and aliases → recipient index.
    pub(crate) names: BTreeMap<String, usize>,
}

impl Plan {
    /// Index of the recipient with this name or alias.
    pub fn recipient(&self, name: &str) -> Option<usize> {
        self.names.get(name.trim()).copied()
    }

    /// The columns the plan reads: each indicator's and each factor's.
    pub fn needed_columns(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        if let Some(a) = &self.assessment {
            for i in &a.indicators {
                out.push((i.column.clone(), i.line));
            }
        }
        for l in &self.lines {
            if let LineRule::Factor { factors, .. } = &l.rule {
                for f in factors {
                    match &f.data {
                        FactorData::Column(c) => out.push((c.clone(), l.line)),
                        FactorData::Formula(e) => {
                            out.extend(e.names().into_iter().map(|n| (n, l.line)));
                        }
                        FactorData::Equal | FactorData::Score => {}
                    }
                }
            }
        }
        out.dedup();
        out
    }
}

// ---- the file as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlan {
    pub title: String,
    pub allocator: String,
    pub year: i32,
    pub amount_unit: MoneyUnit,
    pub pool: Spanned<Ratio>,
    #[serde(default)]
    pub rounding: Rounding,
    pub note: Option<String>,
    #[serde(rename = "recipient")]
    pub recipients: Vec<Spanned<RawRecipient>>,
    pub assessment: Option<RawAssessment>,
    pub kpi: Option<RawKpi>,
    #[serde(rename = "line", default)]
    pub lines: Vec<Spanned<RawLine>>,
    pub evaluation: Option<EvaluationLink>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecipient {
    pub name: Spanned<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAssessment {
    #[serde(default)]
    pub ties: Ties,
    #[serde(default)]
    pub tie_indicators: Vec<Spanned<String>>,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawScoreRule {
    Linear,
    Rank,
    Bands,
    YesNo,
    Formula,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndicator {
    pub id: String,
    pub name: String,
    pub weight: Spanned<Ratio>,
    pub rule: RawScoreRule,
    pub target: Option<Spanned<Ratio>>,
    #[serde(default, rename = "band")]
    pub bands: Vec<Band>,
    pub yes: Option<Ratio>,
    pub no: Option<Ratio>,
    pub expr: Option<Spanned<String>>,
    pub column: Option<String>,
    pub unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKpi {
    pub file: Option<Spanned<String>>,
    pub as_of: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub illustrative: bool,
    #[serde(default, rename = "row")]
    pub rows: Vec<Spanned<toml::Table>>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawLineRule {
    TopN,
    Tiers,
    ProRata,
    Factor,
    Earmark,
    PerUnit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLine {
    pub name: String,
    pub rule: RawLineRule,
    pub pool: Option<Spanned<Ratio>>,
    pub n: Option<Spanned<usize>>,
    pub amount: Option<Spanned<Ratio>>,
    /// For tiers: "rank" or "score".
    pub by: Option<Spanned<String>>,
    #[serde(default, rename = "tier")]
    pub tiers: Vec<Spanned<RawTier>>,
    #[serde(default, rename = "factor")]
    pub factors: Vec<Spanned<RawFactor>>,
    #[serde(default, rename = "item")]
    pub items: Vec<Spanned<RawItem>>,
    pub floor: Option<Spanned<Ratio>>,
    pub cap: Option<Spanned<Ratio>>,
    pub unit: Option<String>,
    pub unit_amount: Option<Spanned<Ratio>>,
    pub note: Option<String>,
    pub cost_indicator: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub from_rank: Option<usize>,
    pub to_rank: Option<usize>,
    pub min_score: Option<Ratio>,
    pub amount: Spanned<Ratio>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawFactorKind {
    Base,
    Need,
    Performance,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFactor {
    pub name: String,
    pub kind: RawFactorKind,
    pub weight: Spanned<Ratio>,
    /// "equal", "score" or a KPI column.
    pub data: Option<Spanned<String>>,
    pub expr: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    pub name: String,
    pub recipient: Option<Spanned<String>>,
    pub amount: Option<Spanned<Ratio>>,
    pub count: Option<Spanned<u32>>,
}

/// An amount written in the plan's unit, as exact 分; `None` if it is not a whole number of
/// 分 or is negative.
pub(crate) fn to_amount(r: Ratio, unit: MoneyUnit) -> Option<Amount> {
    let per = match unit {
        MoneyUnit::Yuan => 100,
        MoneyUnit::Wan => 1_000_000,
    };
    let fen = r.checked_mul(Ratio::from_int(per)).ok()?;
    if fen.denom() != 1 || fen.is_negative() {
        return None;
    }
    let fen = i64::try_from(fen.numer()).ok()?;
    let a = Amount(fen);
    a.within_bound().then_some(a)
}

/// A KPI cell (TOML value or CSV text) as an exact number: numbers, "是"/"否", true/false.
pub(crate) fn kpi_number(text: &str) -> Option<Ratio> {
    match text.trim() {
        "是" | "true" | "有" => Some(Ratio::ONE),
        "否" | "false" | "无" => Some(Ratio::ZERO),
        t => Ratio::parse(t).ok(),
    }
}

pub(crate) fn amount_or_err(
    errs: &mut Errors<'_>,
    v: &Spanned<Ratio>,
    unit: MoneyUnit,
    what: &str,
) -> Amount {
    match to_amount(*v.get_ref(), unit) {
        Some(a) => a,
        None => {
            errs.at(
                AllocCode::BadRule,
                Some(v.span().start),
                format!(
                    "{what}“{}”不是有效金额（应为不小于0、精确到分的数，单位{}）",
                    v.get_ref(),
                    unit.label()
                ),
                "改为如 \"2\" 或 \"0.5\" 的金额（字符串或整数，不用浮点数）",
            );
            Amount::ZERO
        }
    }
}

/// Parse a plan. KPI values from a CSV file (`[kpi] file`) are attached afterwards with
/// [`Plan::attach_csv`].
pub fn parse_plan(text: &str, file: &str) -> Result<Plan, Vec<AllocError>> {
    let mut errs = Errors::new(text, file);
    let raw: RawPlan = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            errs.at(
                AllocCode::Syntax,
                e.span().map(|s| s.start),
                format!(
                    "分配计划文件格式错误：{}",
                    // The number parser's own advice is in English; the hint says it in Chinese.
                    e.message()
                        .trim_end()
                        .replace("：use a string such as \"0.5\" for exact decimals", "")
                ),
                "按 docs/allocation.md 改正该处的写法（金额和权重写成字符串，如 \"0.2\"）",
            );
            return Err(errs.list);
        }
    };
    let plan = crate::validate::build(raw, &mut errs);
    if errs.list.is_empty() {
        Ok(plan)
    } else {
        Err(errs.list)
    }
}
