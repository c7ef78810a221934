//! The validated unit-year (单位年度决算): facts plus the texts, counts and reasons that
//! only the preparer knows.

use crate::details::{Grades, Score, Stage};
use crate::evaluation::EvaluationSection;
use crate::facts::{Fact, FactTable, FundSource, Measure, Scenario};
use crate::money::{Amount, MoneyUnit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kind of unit (单位性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitKind {
    /// 行政单位
    #[serde(rename = "行政")]
    Administrative,
    /// 参照公务员法管理的事业单位
    #[serde(rename = "参公")]
    CivilServiceManaged,
    /// 事业单位
    #[serde(rename = "事业")]
    Institution,
}

/// 单位信息 and the texts of 第一部分 部门概况.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub name: String,
    pub kind: UnitKind,
    pub region: Option<String>,
    /// 纳入决算编制范围的下属单位
    pub sub_units: Vec<String>,
    /// 主要职能
    pub functions: String,
    /// 重点工作完成情况
    pub key_work: String,
    /// 机构设置
    pub organisation: String,
}

/// Reasons (原因) for changes that the narrative must explain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reasons {
    /// 收入支出总计变动原因
    #[serde(default)]
    pub grand_total_change: String,
    /// 财政拨款收入支出总计变动原因
    #[serde(default)]
    pub fiscal_grand_total_change: String,
    /// 一般公共预算财政拨款支出变动原因
    #[serde(default)]
    pub general_budget_change: String,
    /// 一般公共预算财政拨款支出决算与年初预算差异原因（总体）
    #[serde(default)]
    pub general_budget_deviation: String,
}

/// “三公”经费 reasons.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanGongReasons {
    /// 三公经费决算与预算差异原因（总体）
    #[serde(default)]
    pub total_deviation: String,
    /// 因公出国（境）费同比变动原因
    #[serde(default)]
    pub abroad_change: String,
    /// 公务用车购置及运行维护费同比变动原因
    #[serde(default)]
    pub vehicle_change: String,
    /// 公务接待费同比变动原因
    #[serde(default)]
    pub reception_change: String,
}

/// Vehicles by body type (轿车 / 越野车 / 载客汽车).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleCounts {
    #[serde(default)]
    pub sedan: u32,
    #[serde(default)]
    pub suv: u32,
    #[serde(default)]
    pub bus: u32,
}

impl VehicleCounts {
    pub fn total(&self) -> u32 {
        self.sedan + self.suv + self.bus
    }
}

/// Vehicles bought in the year, per body type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehiclesBought {
    /// sedan / suv / bus
    pub kind: String,
    pub count: u32,
    pub amount: Amount,
}

/// Details of 三公 spending (counts and texts; amounts are facts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanGongDetails {
    /// 因公出国（境）团组数
    pub abroad_groups: u32,
    /// 因公出国（境）人次
    pub abroad_people: u32,
    /// 因公出国（境）开支内容
    pub abroad_content: String,
    pub vehicles_bought: Vec<VehiclesBought>,
    pub vehicle_purchase_usage: String,
    pub vehicle_operation_usage: String,
    /// 年末公务用车保有量
    pub vehicles_held: VehicleCounts,
    pub reception_domestic_batches: u32,
    pub reception_domestic_people: u32,
    pub reception_foreign_batches: u32,
    pub reception_foreign_people: u32,
    pub reception_foreign_amount: Amount,
    /// 主要接待内容
    pub reception_main_items: String,
    pub reception_usage: String,
    pub reasons: SanGongReasons,
}

/// Vehicles held by use (主要领导干部用车 / 机要通信用车 / 应急保障用车 / 执法执勤用车 / 特种专业技术用车 / 其他用车).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehiclesByUse {
    #[serde(default)]
    pub leaders: u32,
    #[serde(default)]
    pub confidential: u32,
    #[serde(default)]
    pub emergency: u32,
    #[serde(default)]
    pub law_enforcement: u32,
    #[serde(default)]
    pub special: u32,
    #[serde(default)]
    pub other: u32,
}

impl VehiclesByUse {
    pub fn total(&self) -> u32 {
        self.leaders
            + self.confidential
            + self.emergency
            + self.law_enforcement
            + self.special
            + self.other
    }
}

/// 国有资产占有使用情况.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assets {
    #[serde(default)]
    pub vehicles: VehiclesByUse,
    /// 其他用车主要用途
    #[serde(default)]
    pub other_vehicles_usage: String,
    /// 单价50万元以上通用设备（台、套）
    #[serde(default)]
    pub general_equipment_over_500k: u32,
    /// 单价100万元以上专用设备（台、套）
    #[serde(default)]
    pub special_equipment_over_1m: u32,
    /// 车辆按用途（部级领导干部用车、离退休干部用车……）: counts keyed by the province's
    /// `[[vehicle_use]]` list (data/provinces/).
    #[serde(default)]
    pub vehicle_uses: BTreeMap<String, u32>,
    /// 设备按类别（单价100万元（含）以上设备（不含车辆）……）: counts keyed by the province's
    /// `[[equipment]]` list.
    #[serde(default)]
    pub equipment: BTreeMap<String, u32>,
}

/// 预算绩效管理情况 (counts and text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceInfo {
    /// 编制绩效目标的项目个数
    #[serde(default)]
    pub projects_with_targets: u32,
    /// 开展绩效监控的项目个数
    #[serde(default)]
    pub projects_monitored: u32,
    /// 开展绩效自评的项目个数
    #[serde(default)]
    pub projects_self_evaluated: u32,
    #[serde(default)]
    pub text: String,
    /// 目标管理：纳入绩效目标管理的项目及金额
    #[serde(default)]
    pub target_management: Option<Stage>,
    /// 绩效跟踪（绩效监控）的项目及金额
    #[serde(default)]
    pub tracking: Option<Stage>,
    /// 绩效评价的项目及金额
    #[serde(default)]
    pub evaluated: Option<Stage>,
    /// 绩效评价平均分
    #[serde(default)]
    pub average_score: Option<Score>,
    /// 评价等级（优、良、合格、不合格）的项目个数
    #[serde(default)]
    pub grades: Option<Grades>,
}

/// A unit-specific glossary entry (名词解释).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    pub term: String,
    pub text: String,
}

/// One unit's validated figures for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitYear {
    pub year: i32,
    pub amount_unit: MoneyUnit,
    /// Table template name (e.g. "national").
    pub template: String,
    pub province: Option<String>,
    pub unit: Unit,
    pub facts: FactTable,
    /// 决算与年初预算差异原因, per 项.
    pub budget_reasons: BTreeMap<String, String>,
    /// 主要用途 of each 项 (“主要用于……”), per 项 code (`[item_usage]`).
    #[serde(default)]
    pub item_usage: BTreeMap<String, String>,
    pub reasons: Reasons,
    pub sangong: SanGongDetails,
    /// 机关运行经费变动原因
    pub operating_costs_reason: String,
    /// 政府采购主要用途
    pub procurement_usage: String,
    pub assets: Assets,
    pub performance: PerformanceInfo,
    pub glossary: Vec<GlossaryEntry>,
    /// 绩效评价输入 (`[evaluation]`): as written and as read (docs/evaluation.md). Scoring it
    /// is juesuan-score's; importers that merge onto a base unit-year keep it, and
    /// [`write_input`](crate::write::write_input) writes it back unchanged.
    #[serde(default)]
    pub evaluation: Option<EvaluationSection>,
    /// 填列精度 (`stated_precision`): the figures are rounded ones, so relations between them
    /// hold up to their rounding (crate::precision). `None`: exact figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_precision: Option<crate::precision::StatedPrecision>,
    /// 尾差 notes (W106) found while reading: relations off by no more than the figures'
    /// rounding. Derived from the text, so not stored.
    #[serde(skip)]
    pub rounding_notes: Vec<crate::error::Warning>,
}

impl UnitYear {
    /// A unit-year holding only `facts` (what an import read: a journal, a workbook), with
    /// zero placeholders where the input format requires a figure (the three 上年决算数) and
    /// empty texts. Written out with TODO comments by the importers, for the preparer to fill.
    pub fn placeholder(
        facts: &FactTable,
        name: &str,
        kind: UnitKind,
        year: i32,
        amount_unit: MoneyUnit,
        template: &str,
    ) -> UnitYear {
        let mut facts = facts.clone();
        for (measure, source) in [
            (Measure::GrandTotal, None),
            (Measure::FiscalGrandTotal, None),
            (Measure::Expenditure, Some(FundSource::GeneralBudget)),
        ] {
            let mut f = Fact::new(measure, Scenario::Prior, Amount::ZERO);
            f.source = source;
            facts.push(f);
        }
        UnitYear {
            year,
            amount_unit,
            template: template.to_string(),
            province: None,
            unit: Unit {
                name: name.to_string(),
                kind,
                region: None,
                sub_units: Vec::new(),
                functions: String::new(),
                key_work: String::new(),
                organisation: String::new(),
            },
            facts,
            budget_reasons: Default::default(),
            item_usage: Default::default(),
            reasons: Default::default(),
            sangong: Default::default(),
            operating_costs_reason: String::new(),
            procurement_usage: String::new(),
            assets: Default::default(),
            performance: Default::default(),
            glossary: Vec::new(),
            evaluation: None,
            stated_precision: None,
            rounding_notes: Vec::new(),
        }
    }
}

/// A part of a unit-year other than its facts (texts, reasons, details, the evaluation) that
/// differs between two unit-years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionChange {
    /// The input file's section, e.g. `[evaluation]`.
    pub section: &'static str,
    /// Its Chinese name, e.g. 绩效自评.
    pub label: &'static str,
    /// What differs, in words (Chinese).
    pub what: String,
}

/// The parts of two unit-years, other than their facts, that differ: what `db diff` lists
/// next to the changed facts, so that a version that lost its texts or its `[evaluation]`
/// does not compare as the same data. The evaluation is compared by its content (comments
/// and layout do not count).
pub fn section_changes(before: &UnitYear, after: &UnitYear) -> Vec<SectionChange> {
    let mut out: Vec<SectionChange> = SECTIONS
        .iter()
        .filter_map(|(section, label, part)| {
            let what = difference(&part(before), &part(after))?;
            Some(SectionChange {
                section,
                label,
                what,
            })
        })
        .collect();
    if let Some(what) = evaluation_change(&before.evaluation, &after.evaluation) {
        out.push(SectionChange {
            section: "[evaluation]",
            label: "绩效自评",
            what,
        });
    }
    out
}

/// A part of a unit-year as plain TOML, for comparing.
type Part = fn(&UnitYear) -> toml::Value;

/// The sections compared by [`section_changes`] (the evaluation aside), in the file's order:
/// (section, what it holds, its content).
const SECTIONS: [(&str, &str, Part); 11] = [
    ("（顶层）", "年度、金额单位、表样、省份", settings),
    ("[unit]", "单位信息和文字", |u| value(&u.unit)),
    (
        "[budget_reasons]",
        "决算与年初预算差异原因",
        |u| value(&u.budget_reasons),
    ),
    ("[item_usage]", "各项支出的主要用途", |u| {
        value(&u.item_usage)
    }),
    ("[reasons]", "变动原因", |u| value(&u.reasons)),
    ("[sangong]", "“三公”经费明细和原因", |u| {
        value(&u.sangong)
    }),
    ("[operating_costs]", "机关运行经费变动原因", |u| {
        value(&u.operating_costs_reason)
    }),
    ("[procurement]", "政府采购主要用途", |u| {
        value(&u.procurement_usage)
    }),
    ("[assets]", "国有资产占有使用情况", |u| {
        value(&u.assets)
    }),
    ("[performance]", "预算绩效管理情况", |u| {
        value(&u.performance)
    }),
    ("[[glossary]]", "名词解释", glossary),
];

fn value<T: Serialize>(t: &T) -> toml::Value {
    // Every part is plain data (strings, counts, exact amounts): it always converts.
    toml::Value::try_from(t).unwrap_or_else(|e| toml::Value::String(e.to_string()))
}

/// The top-level settings: year, amount unit, template, province.
fn settings(u: &UnitYear) -> toml::Value {
    let mut t = toml::Table::new();
    t.insert("year".into(), value(&u.year));
    t.insert("amount_unit".into(), value(&u.amount_unit));
    t.insert("template".into(), value(&u.template));
    if let Some(p) = &u.province {
        t.insert("province".into(), value(p));
    }
    toml::Value::Table(t)
}

/// The glossary as term → text.
fn glossary(u: &UnitYear) -> toml::Value {
    let mut t = toml::Table::new();
    for g in &u.glossary {
        t.insert(g.term.clone(), toml::Value::String(g.text.clone()));
    }
    toml::Value::Table(t)
}

/// How two versions of a section differ (the keys that differ, for a table), or `None`.
fn difference(a: &toml::Value, b: &toml::Value) -> Option<String> {
    if a == b {
        return None;
    }
    Some(match (a, b) {
        (toml::Value::Table(x), toml::Value::Table(y)) => {
            let mut keys: Vec<&String> = x
                .keys()
                .chain(y.keys())
                .filter(|k| x.get(*k) != y.get(*k))
                .collect();
            keys.sort();
            keys.dedup();
            let keys: Vec<&str> = keys.into_iter().map(String::as_str).collect();
            format!("不同的项：{}", keys.join("、"))
        }
        _ => "内容不同".to_string(),
    })
}

/// How the evaluation changed (kept, lost, added or different), or `None` when the same.
fn evaluation_change(
    a: &Option<EvaluationSection>,
    b: &Option<EvaluationSection>,
) -> Option<String> {
    match (a, b) {
        (None, None) => None,
        (Some(x), Some(y)) if x.same_content(y) => None,
        _ => {
            let show = |e: &Option<EvaluationSection>| {
                e.as_ref()
                    .map_or_else(|| "（无）".to_string(), |e| e.summary())
            };
            Some(if a.is_some() && b.is_some() {
                format!("内容不同（{} → {}）", show(a), show(b))
            } else {
                format!("{} → {}", show(a), show(b))
            })
        }
    }
}

impl UnitYear {
    /// The sections of the input file this unit-year fills besides the year's flows (收入、
    /// 支出、经济分类、年初结转和结余), in words: what an import onto this unit-year as its
    /// base keeps ("[evaluation] 绩效自评（部门整体评价（…）、6个项目）").
    pub fn held_sections(&self) -> Vec<String> {
        let count = |measure: Measure, scenario: Option<Scenario>| {
            self.facts
                .facts
                .iter()
                .filter(|f| f.measure == measure && scenario.is_none_or(|s| f.scenario == s))
                .count()
        };
        let mut out = vec![
            "[unit] 单位信息和文字".to_string(),
            "[prior] 上年决算数".to_string(),
        ];
        let budget = count(Measure::Expenditure, Some(Scenario::Budget));
        if budget > 0 {
            out.push(format!("[budget] 年初预算（{budget}项）"));
        }
        if !self.budget_reasons.is_empty() {
            out.push(format!(
                "[budget_reasons] 决算与预算差异原因（{}项）",
                self.budget_reasons.len()
            ));
        }
        if !self.item_usage.is_empty() {
            out.push(format!(
                "[item_usage] 各项支出的主要用途（{}项）",
                self.item_usage.len()
            ));
        }
        if self.reasons != Reasons::default() {
            out.push("[reasons] 变动原因".to_string());
        }
        if count(Measure::SanGong, Some(Scenario::Prior)) > 0
            || self.sangong != SanGongDetails::default()
        {
            out.push("[sangong] “三公”经费上年数和明细".to_string());
        }
        if self.facts.facts.iter().any(|f| {
            f.measure == Measure::OperatingCosts
                && (f.scenario != Scenario::Actual || f.location.is_some())
        }) || !self.operating_costs_reason.is_empty()
        {
            out.push("[operating_costs] 机关运行经费".to_string());
        }
        if count(Measure::Procurement, None) > 0 || !self.procurement_usage.is_empty() {
            out.push("[procurement] 政府采购".to_string());
        }
        if self.assets != Assets::default() {
            out.push("[assets] 国有资产占有使用情况".to_string());
        }
        if self.performance != PerformanceInfo::default() {
            out.push("[performance] 预算绩效管理情况".to_string());
        }
        if !self.glossary.is_empty() {
            out.push(format!(
                "[[glossary]] 名词解释（{}条）",
                self.glossary.len()
            ));
        }
        if let Some(e) = &self.evaluation {
            out.push(format!("[evaluation] 绩效自评（{}）", e.summary()));
        }
        out
    }
}
