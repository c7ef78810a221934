//! The fact table (事实表): every base figure of one unit-year as one row with its dimensions.
//!
//! Tables, narrative, charts and checks are all computed from these rows, so the
//! disclosure is consistent by construction.

use crate::money::Amount;
use serde::{Deserialize, Serialize};

/// What a fact measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 本年收入 (by source × function)
    Income,
    /// 本年支出 (by source × function × nature); with scenario Budget: 年初预算
    Expenditure,
    /// 基本支出按经济分类 (by source × economic)
    BasicEconomic,
    /// 年初结转和结余 (by source)
    CarryoverBegin,
    /// 年末结转和结余 (derived: begin + income + used balance − expenditure − distribution)
    CarryoverEnd,
    /// 使用非财政拨款结余（含专用结余）
    UsedNonFiscalBalance,
    /// 结余分配
    SurplusDistribution,
    /// 收入支出总计 (stated for the prior year only; this year's is derived)
    GrandTotal,
    /// 财政拨款收入支出总计 (stated for the prior year only)
    FiscalGrandTotal,
    /// “三公”经费 (item: abroad / vehicle_purchase / vehicle_operation / reception)
    SanGong,
    /// 机关运行经费
    OperatingCosts,
    /// 政府采购 (item: goods / works / services / sme / small_micro)
    Procurement,
}

/// Which figures a fact belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// 决算数 (this year)
    Actual,
    /// 年初预算数
    Budget,
    /// 上年决算数
    Prior,
}

/// Fund source (资金来源 / 收入来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// 一般公共预算财政拨款
    GeneralBudget,
    /// 政府性基金预算财政拨款
    GovernmentFund,
    /// 国有资本经营预算财政拨款
    StateCapital,
    /// 上级补助收入
    SuperiorSubsidy,
    /// 事业收入
    Business,
    /// 经营收入
    Operation,
    /// 附属单位上缴收入
    Affiliate,
    /// 其他收入
    Other,
}

impl FundSource {
    pub const ALL: [FundSource; 8] = [
        FundSource::GeneralBudget,
        FundSource::GovernmentFund,
        FundSource::StateCapital,
        FundSource::SuperiorSubsidy,
        FundSource::Business,
        FundSource::Operation,
        FundSource::Affiliate,
        FundSource::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FundSource::GeneralBudget => "general_budget",
            FundSource::GovernmentFund => "government_fund",
            FundSource::StateCapital => "state_capital",
            FundSource::SuperiorSubsidy => "superior_subsidy",
            FundSource::Business => "business",
            FundSource::Operation => "operation",
            FundSource::Affiliate => "affiliate",
            FundSource::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<FundSource> {
        FundSource::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The income label as printed: "一般公共预算财政拨款收入".
    pub fn income_label(self) -> &'static str {
        match self {
            FundSource::GeneralBudget => "一般公共预算财政拨款收入",
            FundSource::GovernmentFund => "政府性基金预算财政拨款收入",
            FundSource::StateCapital => "国有资本经营预算财政拨款收入",
            FundSource::SuperiorSubsidy => "上级补助收入",
            FundSource::Business => "事业收入",
            FundSource::Operation => "经营收入",
            FundSource::Affiliate => "附属单位上缴收入",
            FundSource::Other => "其他收入",
        }
    }

    /// Financial allocation (财政拨款) sources.
    pub fn is_fiscal(self) -> bool {
        matches!(
            self,
            FundSource::GeneralBudget | FundSource::GovernmentFund | FundSource::StateCapital
        )
    }
}

/// Nature of an expenditure (支出性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// 基本支出
    Basic,
    /// 项目支出
    Project,
    /// 上缴上级支出
    ToSuperior,
    /// 经营支出
    Operation,
    /// 对附属单位补助支出
    ToAffiliates,
}

impl Nature {
    pub const ALL: [Nature; 5] = [
        Nature::Basic,
        Nature::Project,
        Nature::ToSuperior,
        Nature::Operation,
        Nature::ToAffiliates,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Nature::Basic => "basic",
            Nature::Project => "project",
            Nature::ToSuperior => "to_superior",
            Nature::Operation => "operation",
            Nature::ToAffiliates => "to_affiliates",
        }
    }

    pub fn from_key(key: &str) -> Option<Nature> {
        Nature::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Nature::Basic => "基本支出",
            Nature::Project => "项目支出",
            Nature::ToSuperior => "上缴上级支出",
            Nature::Operation => "经营支出",
            Nature::ToAffiliates => "对附属单位补助支出",
        }
    }
}

/// A place in the input file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// One base figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub measure: Measure,
    pub scenario: Scenario,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<FundSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nature: Option<Nature>,
    /// 功能分类科目编码 (项 level, 7 digits)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// 经济分类科目编码 (款 level, 5 digits)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub economic: Option<String>,
    /// Named item within a measure (三公 items, 政府采购 kinds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    pub amount: Amount,
    /// Where the figure was stated in the input; `None` for derived facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Fact {
    pub fn new(measure: Measure, scenario: Scenario, amount: Amount) -> Fact {
        Fact {
            measure,
            scenario,
            source: None,
            nature: None,
            function: None,
            economic: None,
            item: None,
            amount,
            location: None,
        }
    }
    pub fn source(mut self, s: FundSource) -> Fact {
        self.source = Some(s);
        self
    }
    pub fn nature(mut self, n: Nature) -> Fact {
        self.nature = Some(n);
        self
    }
    pub fn function(mut self, code: impl Into<String>) -> Fact {
        self.function = Some(code.into());
        self
    }
    pub fn economic(mut self, code: impl Into<String>) -> Fact {
        self.economic = Some(code.into());
        self
    }
    pub fn item(mut self, item: impl Into<String>) -> Fact {
        self.item = Some(item.into());
        self
    }
    pub fn at(mut self, location: Option<Location>) -> Fact {
        self.location = location;
        self
    }
}

/// A selection of facts: every field that is set must match (AND); list fields match any
/// element (OR); code fields match by prefix so "206" selects the whole 类.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactFilter {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measure: Vec<Measure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<FundSource>,
    /// Shorthand: only 财政拨款 sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nature: Vec<Nature>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub function: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub economic: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<String>,
}

impl FactFilter {
    pub fn measure(m: Measure) -> FactFilter {
        FactFilter {
            measure: vec![m],
            ..FactFilter::default()
        }
    }

    /// `self` refined by `more`: fields set in `more` replace those of `self`.
    pub fn refined(&self, more: &FactFilter) -> FactFilter {
        fn pick<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
            if b.is_empty() {
                a.to_vec()
            } else {
                b.to_vec()
            }
        }
        FactFilter {
            measure: pick(&self.measure, &more.measure),
            scenario: more.scenario.or(self.scenario),
            source: pick(&self.source, &more.source),
            fiscal: more.fiscal.or(self.fiscal),
            nature: pick(&self.nature, &more.nature),
            function: pick(&self.function, &more.function),
            economic: pick(&self.economic, &more.economic),
            item: pick(&self.item, &more.item),
        }
    }

    pub fn matches(&self, f: &Fact) -> bool {
        fn code_match(prefixes: &[String], code: &Option<String>) -> bool {
            prefixes.is_empty()
                || code
                    .as_deref()
                    .is_some_and(|c| prefixes.iter().any(|p| c.starts_with(p.as_str())))
        }
        (self.measure.is_empty() || self.measure.contains(&f.measure))
            && self.scenario.unwrap_or(Scenario::Actual) == f.scenario
            && (self.source.is_empty() || f.source.is_some_and(|s| self.source.contains(&s)))
            && self
                .fiscal
                .is_none_or(|want| f.source.is_some_and(|s| s.is_fiscal()) == want)
            && (self.nature.is_empty() || f.nature.is_some_and(|n| self.nature.contains(&n)))
            && code_match(&self.function, &f.function)
            && code_match(&self.economic, &f.economic)
            && (self.item.is_empty() || f.item.as_ref().is_some_and(|i| self.item.contains(i)))
    }
}

/// All facts of one unit-year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactTable {
    pub facts: Vec<Fact>,
}

impl FactTable {
    pub fn push(&mut self, fact: Fact) {
        self.facts.push(fact);
    }

    pub fn sum(&self, filter: &FactFilter) -> Amount {
        self.facts
            .iter()
            .filter(|f| filter.matches(f))
            .map(|f| f.amount)
            .sum()
    }

    pub fn select<'a>(&'a self, filter: &'a FactFilter) -> impl Iterator<Item = &'a Fact> + 'a {
        self.facts.iter().filter(move |f| filter.matches(f))
    }
}
