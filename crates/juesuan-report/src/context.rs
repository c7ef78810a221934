//! The narrative context (情况说明数据): every figure the narrative states, computed from the
//! fact table and formatted once, plus the warnings for reasons the input lacks.
//! Templates (data/narrative/*.md.j2) only choose words; they never compute.

use juesuan_core::catalogue::Catalogues;
use juesuan_core::error::{ErrorCode, Warning};
use juesuan_core::facts::{FactFilter, FundSource, Measure, Nature, Scenario};
use juesuan_core::model::{GlossaryEntry, UnitKind, UnitYear};
use juesuan_core::money::{Amount, Change, Completion, Direction, Percent};
use serde::Serialize;
use std::collections::BTreeSet;

/// Placeholder printed where a reason is needed and the input has none.
pub const MISSING_REASON: &str = "（原因待补充）";

/// A year-on-year change as the narrative states it.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeText {
    pub current: String,
    pub prior: String,
    /// "增加" / "减少" / "持平"
    pub word: &'static str,
    /// "增长" / "下降" / "持平"
    pub rate_word: &'static str,
    pub direction: Direction,
    /// |delta| in 万元
    pub delta: String,
    /// |delta| / prior, "8.74"; None when last year was 0
    pub rate: Option<String>,
    pub prior_zero: bool,
    /// The reason (given, or the placeholder) when the figure changed; None when flat.
    pub reason: Option<String>,
}

/// Budget completion as the narrative states it.
#[derive(Debug, Clone, Serialize)]
pub struct CompletionText {
    pub actual: String,
    pub budget: String,
    /// "120.16"; None when there was no budget
    pub rate: Option<String>,
    /// "大于" / "小于" / "等于"
    pub comparison: &'static str,
    pub direction: Direction,
    /// The reason when actual ≠ budget; None when equal.
    pub reason: Option<String>,
}

/// A part of a whole with its share.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    pub label: String,
    pub code: String,
    pub amount: String,
    #[serde(skip)]
    pub fen: i64,
    /// "59.16"; None when the whole is 0
    pub share: Option<String>,
}

/// One 项 of 一般公共预算财政拨款支出 with its budget.
#[derive(Debug, Clone, Serialize)]
pub struct ItemLine {
    pub code: String,
    /// "科学技术支出（206类）科学技术普及（07款）机构运行（01项）"
    pub name: String,
    pub amount: String,
    /// Basic / project amounts where non-zero: [("基本支出", "233.93")]
    pub parts: Vec<(String, String)>,
    pub completion: CompletionText,
    /// 主要用途 as the input states it (`[item_usage]`), or none.
    pub usage: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SanGongItemText {
    pub label: &'static str,
    pub actual: String,
    pub share: Option<String>,
    pub completion: CompletionText,
    pub change: ChangeText,
}

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub year: i32,
    pub prior_year: i32,
    pub unit: juesuan_core::model::Unit,
    pub unit_kind: &'static str,
    pub grand_total: ChangeText,
    pub income_total: String,
    pub income_parts: Vec<Part>,
    pub expenditure_total: String,
    pub expenditure_parts: Vec<Part>,
    pub carryover_begin: String,
    pub carryover_end: String,
    pub fiscal_grand_total: ChangeText,
    pub general_budget: ChangeText,
    /// Share of 一般公共预算财政拨款支出 in 本年支出合计.
    pub general_budget_share: Option<String>,
    pub general_budget_classes: Vec<Part>,
    pub general_budget_completion: CompletionText,
    pub general_budget_items: Vec<ItemLine>,
    pub basic_total: String,
    pub personnel: String,
    pub personnel_items: Vec<String>,
    pub public: String,
    pub public_items: Vec<String>,
    pub sangong_total: CompletionText,
    pub sangong_items: Vec<SanGongItemText>,
    pub sangong: juesuan_core::model::SanGongDetails,
    pub sangong_vehicle_purchase: String,
    pub sangong_vehicle_operation: String,
    pub reception_domestic_amount: String,
    pub reception_foreign_amount: String,
    pub vehicles_bought: Vec<VehicleBoughtText>,
    pub government_fund_expenditure: String,
    pub state_capital_expenditure: String,
    pub operating_costs: ChangeText,
    pub operating_costs_applicable: bool,
    pub procurement_total: String,
    pub procurement_goods: String,
    pub procurement_works: String,
    pub procurement_services: String,
    pub procurement_sme: String,
    pub procurement_sme_share: Option<String>,
    pub procurement_small_micro: String,
    pub procurement_small_micro_share: Option<String>,
    pub procurement_usage: String,
    pub assets: juesuan_core::model::Assets,
    pub vehicles_total: u32,
    pub performance: juesuan_core::model::PerformanceInfo,
    pub glossary: Vec<GlossaryEntry>,
    /// Scores, when the input has an [evaluation] (filled by the caller).
    pub evaluation: Option<EvaluationSummary>,
    /// The parts in the province's order with their numbers (filled by the caller).
    pub parts: Vec<juesuan_data::province::PartHeading>,
    /// Each part's printed heading by id: `part.overview` = "第一部分 部门概况".
    pub part: std::collections::BTreeMap<String, String>,
    /// The optional details, each present only when the input gives it (filled by the
    /// caller, with the province's lists).
    pub details: crate::province::DetailsText,
}

/// What the narrative says about the evaluations.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationSummary {
    /// 部门整体支出绩效评价: computed total, maxima, claimed total, grade ("" when incomplete).
    pub department: Option<DepartmentSummary>,
    pub projects: Vec<ProjectSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentSummary {
    pub title: String,
    pub total: String,
    pub max: String,
    pub self_max: String,
    pub claimed: Option<String>,
    pub grade: String,
    pub unscored: Vec<String>,
    pub unsupported_claims: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectSummary {
    pub name: String,
    pub total: String,
    pub max: String,
    pub grade: String,
    /// Indicators that could not be scored: the total is then incomplete and has no grade.
    pub unscored: Vec<String>,
}

impl EvaluationSummary {
    pub fn of(scores: &crate::evaluation::Scores) -> EvaluationSummary {
        EvaluationSummary {
            department: scores.department.as_ref().map(|e| DepartmentSummary {
                title: e.title.clone(),
                total: e.total.to_fixed(2),
                max: e.max.to_fixed(0),
                self_max: e.self_max.to_fixed(0),
                claimed: e.claimed_total.map(|c| c.display_exact()),
                grade: e.grade.clone(),
                unscored: e.unscored.clone(),
                unsupported_claims: e.discrepancies.iter().filter(|d| d.id != "total").count(),
            }),
            projects: scores
                .projects
                .iter()
                .map(|p| ProjectSummary {
                    name: p.project.name.clone(),
                    total: p.evaluation.total.to_fixed(2),
                    max: p.evaluation.max.to_fixed(2),
                    grade: p.evaluation.grade.clone(),
                    unscored: p.evaluation.unscored.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VehicleBoughtText {
    pub label: &'static str,
    pub count: u32,
    pub amount: String,
}

struct Builder<'a> {
    uy: &'a UnitYear,
    warnings: Vec<Warning>,
}

fn filter(measure: Measure) -> FactFilter {
    FactFilter::measure(measure)
}

pub(crate) fn share(part: Amount, whole: Amount) -> Option<String> {
    Percent::of(part, whole).map(Percent::text)
}

impl Builder<'_> {
    fn sum(&self, f: &FactFilter) -> Amount {
        self.uy.facts.sum(f)
    }

    fn reason(&mut self, given: &str, place: &str, what: &str) -> String {
        let given = given.trim().trim_end_matches('。');
        if given.is_empty() {
            self.warnings.push(Warning {
                code: ErrorCode::MissingReason,
                place: place.to_string(),
                message: format!("{what}，但输入未给出原因，文中暂写“{MISSING_REASON}”"),
            });
            MISSING_REASON.to_string()
        } else {
            given.to_string()
        }
    }

    /// `reason = None`: the narrative states no reason for this change.
    fn change(
        &mut self,
        current: Amount,
        prior: Amount,
        reason: Option<&str>,
        place: &str,
    ) -> ChangeText {
        let c = Change::between(current, prior);
        let reason = match reason {
            Some(r) if c.direction != Direction::Flat => {
                Some(self.reason(r, place, "与上年相比有变动"))
            }
            _ => None,
        };
        ChangeText {
            current: current.wan(),
            prior: prior.wan(),
            word: match c.direction {
                Direction::Up => "增加",
                Direction::Down => "减少",
                Direction::Flat => "持平",
            },
            rate_word: match c.direction {
                Direction::Up => "增长",
                Direction::Down => "下降",
                Direction::Flat => "持平",
            },
            direction: c.direction,
            delta: c.delta.abs().wan(),
            rate: c.rate.map(Percent::text),
            prior_zero: prior.is_zero(),
            reason,
        }
    }

    /// `reason = None`: the narrative states no reason for this deviation (三公 items, whose
    /// sentence explains the year-on-year change instead).
    fn completion(
        &mut self,
        actual: Amount,
        budget: Amount,
        reason: Option<&str>,
        place: &str,
    ) -> CompletionText {
        let c = Completion::of(actual, budget);
        // Without a budget there is no deviation to explain ("未安排年初预算").
        let reason = match reason {
            Some(r) if c.direction != Direction::Flat && c.rate.is_some() => {
                Some(self.reason(r, place, "决算数与年初预算数不一致"))
            }
            _ => None,
        };
        CompletionText {
            actual: actual.wan(),
            budget: budget.wan(),
            rate: c.rate.map(Percent::text),
            comparison: match c.direction {
                Direction::Up => "大于",
                Direction::Down => "小于",
                Direction::Flat => "等于",
            },
            direction: c.direction,
            reason,
        }
    }
}

/// Names of the economic 款 that have spending within the given groups (人员经费 / 公用经费).
fn economic_names(uy: &UnitYear, catalogues: &Catalogues, group: &str) -> Vec<String> {
    let prefixes = catalogues.economic.group(group).unwrap_or(&[]).to_vec();
    let f = FactFilter {
        measure: vec![Measure::BasicEconomic],
        source: vec![FundSource::GeneralBudget],
        economic: prefixes,
        ..FactFilter::default()
    };
    let codes: BTreeSet<&str> = uy
        .facts
        .select(&f)
        .filter(|f| !f.amount.is_zero())
        .filter_map(|f| f.economic.as_deref())
        .collect();
    codes
        .into_iter()
        .filter_map(|c| catalogues.economic.name(c).map(str::to_owned))
        .collect()
}

/// Build the narrative context and the warnings raised while building it.
pub fn build(
    uy: &UnitYear,
    catalogues: &Catalogues,
    standard_glossary: Vec<GlossaryEntry>,
) -> (Context, Vec<Warning>) {
    let mut b = Builder {
        uy,
        warnings: Vec::new(),
    };
    // The sections in the narrative's order, which is also the order of their warnings.
    let overview = b.overview();
    let fiscal_grand = b.fiscal_grand_total();
    let gb = b.general_budget(catalogues);
    let (basic_total, personnel, public) = b.basic_expenditure(catalogues);
    let sangong = b.sangong();
    let (operating_costs, operating_costs_applicable) = b.operating_costs();
    let procurement = b.procurement();

    let mut glossary = standard_glossary;
    glossary.extend(uy.glossary.iter().cloned());

    let ctx = Context {
        year: uy.year,
        prior_year: uy.year - 1,
        unit: unit_without_none_words(&uy.unit),
        unit_kind: match uy.unit.kind {
            UnitKind::Administrative => "行政单位",
            UnitKind::CivilServiceManaged => "参照公务员法管理的事业单位",
            UnitKind::Institution => "事业单位",
        },
        grand_total: overview.grand,
        income_total: overview.income_total.wan(),
        income_parts: overview.income_parts,
        expenditure_total: overview.expenditure_total.wan(),
        expenditure_parts: overview.expenditure_parts,
        carryover_begin: overview.begin.wan(),
        carryover_end: overview.end.wan(),
        fiscal_grand_total: fiscal_grand,
        general_budget: gb.change,
        general_budget_share: share(gb.total, overview.expenditure_total),
        general_budget_classes: gb.classes,
        general_budget_completion: gb.completion,
        general_budget_items: gb.items,
        basic_total: basic_total.wan(),
        personnel: personnel.wan(),
        personnel_items: economic_names(uy, catalogues, "personnel"),
        public: public.wan(),
        public_items: economic_names(uy, catalogues, "public"),
        sangong_total: sangong.total,
        sangong_items: sangong.items,
        sangong: without_none_words(&uy.sangong),
        sangong_vehicle_purchase: sangong.vehicle_purchase.wan(),
        sangong_vehicle_operation: sangong.vehicle_operation.wan(),
        reception_domestic_amount: (sangong.reception - uy.sangong.reception_foreign_amount).wan(),
        reception_foreign_amount: uy.sangong.reception_foreign_amount.wan(),
        vehicles_bought: vehicles_bought(uy),
        government_fund_expenditure: b.sum(&fund_expenditure(FundSource::GovernmentFund)).wan(),
        state_capital_expenditure: b.sum(&fund_expenditure(FundSource::StateCapital)).wan(),
        operating_costs,
        operating_costs_applicable,
        procurement_total: procurement.total.wan(),
        procurement_goods: procurement.goods.wan(),
        procurement_works: procurement.works.wan(),
        procurement_services: procurement.services.wan(),
        procurement_sme: procurement.sme.wan(),
        procurement_sme_share: share(procurement.sme, procurement.total),
        procurement_small_micro: procurement.small_micro.wan(),
        procurement_small_micro_share: share(procurement.small_micro, procurement.total),
        procurement_usage: none_word_emptied(&uy.procurement_usage),
        vehicles_total: uy.assets.vehicles.total(),
        assets: juesuan_core::model::Assets {
            other_vehicles_usage: none_word_emptied(&uy.assets.other_vehicles_usage),
            ..uy.assets.clone()
        },
        performance: juesuan_core::model::PerformanceInfo {
            text: none_word_emptied(&uy.performance.text),
            ..uy.performance.clone()
        },
        glossary,
        evaluation: None,
        parts: Vec::new(),
        part: std::collections::BTreeMap::new(),
        details: crate::province::DetailsText::default(),
    };
    (ctx, b.warnings)
}

/// 一 to 三: the grand total and its change, income and expenditure with their parts.
struct Overview {
    grand: ChangeText,
    income_total: Amount,
    income_parts: Vec<Part>,
    expenditure_total: Amount,
    expenditure_parts: Vec<Part>,
    begin: Amount,
    end: Amount,
}

/// 五: 一般公共预算财政拨款支出 — change, completion, 类 and 项.
struct GeneralBudget {
    change: ChangeText,
    total: Amount,
    completion: CompletionText,
    classes: Vec<Part>,
    items: Vec<ItemLine>,
}

/// 七: the “三公” 经费 — completion of the total, the three items, and amounts stated apart.
struct SanGong {
    total: CompletionText,
    items: Vec<SanGongItemText>,
    vehicle_purchase: Amount,
    vehicle_operation: Amount,
    reception: Amount,
}

/// 十（二）: 政府采购 amounts.
struct Procurement {
    total: Amount,
    goods: Amount,
    works: Amount,
    services: Amount,
    sme: Amount,
    small_micro: Amount,
}

/// A part of `whole` with its amount and share.
fn part(label: String, code: String, amount: Amount, whole: Amount) -> Part {
    Part {
        label,
        code,
        amount: amount.wan(),
        fen: amount.fen(),
        share: share(amount, whole),
    }
}

/// The prior year's figure of a measure.
fn prior(measure: Measure) -> FactFilter {
    FactFilter {
        measure: vec![measure],
        scenario: Some(Scenario::Prior),
        ..FactFilter::default()
    }
}

/// 一般公共预算财政拨款支出 (this year's actual spending).
fn general_budget_expenditure() -> FactFilter {
    FactFilter {
        measure: vec![Measure::Expenditure],
        source: vec![FundSource::GeneralBudget],
        ..FactFilter::default()
    }
}

/// 政府采购 of the given kinds ("goods", "works", "services"; "sme" and "small_micro" are
/// breakdowns of those, never added to them).
fn procurement_filter(items: &[&str]) -> FactFilter {
    FactFilter {
        measure: vec![Measure::Procurement],
        item: items.iter().map(|s| s.to_string()).collect(),
        ..FactFilter::default()
    }
}

/// One key figure of a unit-year (同比对照的一行): this year's amount as the report states it,
/// and the 上年数 the input states for the same concept (None when the input has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFigure {
    pub label: &'static str,
    pub current: Amount,
    pub stated_prior: Option<Amount>,
}

/// The key figures the report states, each from the same filter the narrative uses, so a
/// comparison of two years (the web app's 同比对照) shows the report's own figures: 政府采购
/// is goods + works + services (its SME breakdowns are not added again), and a 上年数 is
/// only one the input states for the very same concept.
pub fn key_figures(uy: &UnitYear) -> Vec<KeyFigure> {
    let sum = |f: &FactFilter| uy.facts.sum(f);
    let stated = |f: &FactFilter| uy.facts.select(f).next().is_some().then(|| sum(f));
    let with_prior = |f: FactFilter| FactFilter {
        scenario: Some(Scenario::Prior),
        ..f
    };
    let grand_total = sum(&filter(Measure::Income))
        + sum(&filter(Measure::UsedNonFiscalBalance))
        + sum(&filter(Measure::CarryoverBegin));
    let basic = FactFilter {
        nature: vec![Nature::Basic],
        ..general_budget_expenditure()
    };
    vec![
        KeyFigure {
            label: "收支总计",
            current: grand_total,
            stated_prior: stated(&prior(Measure::GrandTotal)),
        },
        KeyFigure {
            label: "本年收入合计",
            current: sum(&filter(Measure::Income)),
            stated_prior: None,
        },
        KeyFigure {
            label: "本年支出合计",
            current: sum(&filter(Measure::Expenditure)),
            stated_prior: None,
        },
        KeyFigure {
            label: "一般公共预算财政拨款支出",
            current: sum(&general_budget_expenditure()),
            stated_prior: stated(&with_prior(general_budget_expenditure())),
        },
        KeyFigure {
            label: "一般公共预算财政拨款基本支出",
            current: sum(&basic),
            stated_prior: None,
        },
        KeyFigure {
            label: "“三公”经费财政拨款支出",
            current: sum(&sangong_filter(&[], Scenario::Actual)),
            stated_prior: stated(&sangong_filter(&[], Scenario::Prior)),
        },
        KeyFigure {
            label: "机关运行经费",
            current: sum(&filter(Measure::OperatingCosts)),
            stated_prior: stated(&prior(Measure::OperatingCosts)),
        },
        KeyFigure {
            label: "政府采购支出",
            current: sum(&procurement_filter(&["goods", "works", "services"])),
            stated_prior: None,
        },
    ]
}

/// This year's spending from one fund source (八、九: 政府性基金, 国有资本经营).
fn fund_expenditure(source: FundSource) -> FactFilter {
    FactFilter {
        measure: vec![Measure::Expenditure],
        source: vec![source],
        ..FactFilter::default()
    }
}

/// The “三公” items (all when empty) in one scenario.
/// The 三公 texts a sentence quotes, with "无"-style values emptied: the template then leaves
/// the clause out instead of printing "主要用于无。" or "开支内容包括：无此项。".
fn without_none_words(
    details: &juesuan_core::model::SanGongDetails,
) -> juesuan_core::model::SanGongDetails {
    let mut d = details.clone();
    for text in [
        &mut d.abroad_content,
        &mut d.vehicle_purchase_usage,
        &mut d.vehicle_operation_usage,
        &mut d.reception_main_items,
        &mut d.reception_usage,
    ] {
        if is_none_word(text) {
            text.clear();
        }
    }
    d
}

/// A text a sentence quotes, emptied when it only says "无": the template then leaves the
/// clause (or the heading) out instead of printing "主要用于无。".
fn none_word_emptied(text: &str) -> String {
    if is_none_word(text) {
        String::new()
    } else {
        text.to_string()
    }
}

/// The unit's texts with "无"-style values emptied (an empty 重点工作 leaves its heading out).
fn unit_without_none_words(unit: &juesuan_core::model::Unit) -> juesuan_core::model::Unit {
    juesuan_core::model::Unit {
        functions: none_word_emptied(&unit.functions),
        key_work: none_word_emptied(&unit.key_work),
        organisation: none_word_emptied(&unit.organisation),
        ..unit.clone()
    }
}

/// "无", "无此项", "暂无", "没有", "/" and the like: a value that says there is nothing to say.
fn is_none_word(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['。', '.', '；', ';']);
    matches!(
        t,
        "" | "无" | "无此项" | "暂无" | "没有" | "/" | "／" | "-" | "—" | "不涉及"
    )
}

fn sangong_filter(item: &[&str], scenario: Scenario) -> FactFilter {
    FactFilter {
        measure: vec![Measure::SanGong],
        scenario: Some(scenario),
        item: item.iter().map(|s| s.to_string()).collect(),
        ..FactFilter::default()
    }
}

/// 公务用车购置 by kind of vehicle, every kind listed (0 when none was bought).
fn vehicles_bought(uy: &UnitYear) -> Vec<VehicleBoughtText> {
    ["sedan", "suv", "bus"]
        .into_iter()
        .map(|kind| {
            let found = uy.sangong.vehicles_bought.iter().find(|v| v.kind == kind);
            VehicleBoughtText {
                label: match kind {
                    "sedan" => "轿车",
                    "suv" => "越野车",
                    _ => "载客汽车",
                },
                count: found.map_or(0, |v| v.count),
                amount: found.map_or(Amount::ZERO, |v| v.amount).wan(),
            }
        })
        .collect()
}

impl Builder<'_> {
    /// 一 to 三: totals, their parts by fund source and by nature, the carry-overs.
    fn overview(&mut self) -> Overview {
        let uy = self.uy;
        let income_total = self.sum(&filter(Measure::Income));
        let expenditure_total = self.sum(&filter(Measure::Expenditure));
        let used = self.sum(&filter(Measure::UsedNonFiscalBalance));
        let distributed = self.sum(&filter(Measure::SurplusDistribution));
        let begin = self.sum(&filter(Measure::CarryoverBegin));
        let end = self.sum(&filter(Measure::CarryoverEnd));
        let grand_total = income_total + used + begin;
        let grand = self.change(
            grand_total,
            self.sum(&prior(Measure::GrandTotal)),
            Some(&uy.reasons.grand_total_change),
            "一、收入支出决算总体情况",
        );
        // Exact figures balance by construction; figures copied from rounded tables may
        // not (an overspend within rounding leaves no negative 年末结转和结余, W106).
        debug_assert!(
            uy.stated_precision.is_some() || grand_total == expenditure_total + distributed + end
        );

        let income_parts = FundSource::ALL
            .iter()
            .map(|s| {
                let a = self.sum(&FactFilter {
                    measure: vec![Measure::Income],
                    source: vec![*s],
                    ..FactFilter::default()
                });
                part(
                    s.income_label().to_string(),
                    s.key().to_string(),
                    a,
                    income_total,
                )
            })
            .collect();
        let expenditure_parts = Nature::ALL
            .iter()
            .map(|n| {
                let a = self.sum(&FactFilter {
                    measure: vec![Measure::Expenditure],
                    nature: vec![*n],
                    ..FactFilter::default()
                });
                part(
                    n.label().to_string(),
                    n.key().to_string(),
                    a,
                    expenditure_total,
                )
            })
            .collect();
        Overview {
            grand,
            income_total,
            income_parts,
            expenditure_total,
            expenditure_parts,
            begin,
            end,
        }
    }

    /// 四: 财政拨款收入支出总计 and its change.
    fn fiscal_grand_total(&mut self) -> ChangeText {
        let uy = self.uy;
        let fiscal = |m: Measure| FactFilter {
            measure: vec![m],
            fiscal: Some(true),
            ..FactFilter::default()
        };
        let fiscal_total =
            self.sum(&fiscal(Measure::Income)) + self.sum(&fiscal(Measure::CarryoverBegin));
        self.change(
            fiscal_total,
            self.sum(&prior(Measure::FiscalGrandTotal)),
            Some(&uy.reasons.fiscal_grand_total_change),
            "四、财政拨款收入支出决算总体情况",
        )
    }

    /// 五: 一般公共预算财政拨款支出 against last year and the budget, by 类 and by 项.
    fn general_budget(&mut self, catalogues: &Catalogues) -> GeneralBudget {
        let uy = self.uy;
        let gb = general_budget_expenditure();
        let total = self.sum(&gb);
        let gb_prior = self.sum(&FactFilter {
            scenario: Some(Scenario::Prior),
            ..gb.clone()
        });
        let change = self.change(
            total,
            gb_prior,
            Some(&uy.reasons.general_budget_change),
            "五（一）一般公共预算财政拨款支出决算总体情况",
        );
        let budget = self.sum(&FactFilter {
            scenario: Some(Scenario::Budget),
            ..gb.clone()
        });
        let completion = self.completion(
            total,
            budget,
            Some(&uy.reasons.general_budget_deviation),
            "五（三）一般公共预算财政拨款支出决算具体情况",
        );

        let item_codes = self.general_budget_codes();
        // 类 rows: every 类 with spending or budget, in code order.
        let class_codes: BTreeSet<String> = item_codes.iter().map(|c| c[..3].to_string()).collect();
        let classes = class_codes
            .iter()
            .map(|c| {
                let a = self.sum(&FactFilter {
                    function: vec![c.clone()],
                    ..gb.clone()
                });
                let label = catalogues.function.name(c).unwrap_or("（未知科目）");
                part(label.to_string(), c.clone(), a, total)
            })
            .collect();
        let items = item_codes
            .iter()
            .map(|code| self.general_budget_item(code, catalogues))
            .collect();
        GeneralBudget {
            change,
            total,
            completion,
            classes,
            items,
        }
    }

    /// The 项 codes with 一般公共预算财政拨款 spending or budget, in code order.
    fn general_budget_codes(&self) -> BTreeSet<String> {
        let gb = general_budget_expenditure();
        let budget = FactFilter {
            scenario: Some(Scenario::Budget),
            ..gb.clone()
        };
        let mut item_codes = BTreeSet::new();
        for f in self
            .uy
            .facts
            .select(&gb)
            .chain(self.uy.facts.select(&budget))
        {
            if let Some(c) = &f.function {
                item_codes.insert(c.clone());
            }
        }
        item_codes
    }

    /// One 项 of 一般公共预算财政拨款支出: amount, its parts by nature, its completion.
    fn general_budget_item(&mut self, code: &String, catalogues: &Catalogues) -> ItemLine {
        let uy = self.uy;
        let gb = general_budget_expenditure();
        let of = |n: Option<Nature>| FactFilter {
            function: vec![code.clone()],
            nature: n.into_iter().collect(),
            ..gb.clone()
        };
        let amount = self.sum(&of(None));
        let parts = [
            Nature::Basic,
            Nature::Project,
            Nature::ToSuperior,
            Nature::Operation,
            Nature::ToAffiliates,
        ]
        .into_iter()
        .filter_map(|n| {
            let a = self.sum(&of(Some(n)));
            (!a.is_zero()).then(|| (n.label().to_string(), a.wan()))
        })
        .collect();
        let budget = self.sum(&FactFilter {
            function: vec![code.clone()],
            scenario: Some(Scenario::Budget),
            ..gb.clone()
        });
        // A 项 the catalogue lacks under a 款 it has (W105) keeps its place under its 类 and 款,
        // so the text still says which class it belongs to.
        let name = catalogues
            .function
            .official_name(code)
            .or_else(|| {
                let section = catalogues.function.official_name(code.get(..5)?)?;
                Some(format!("{section}未知科目（{}项）", code.get(5..)?))
            })
            .unwrap_or_else(|| code.clone());
        let reason = uy.budget_reasons.get(code).cloned().unwrap_or_default();
        let completion = self.completion(amount, budget, Some(&reason), &format!("五（三）{name}"));
        ItemLine {
            code: code.clone(),
            name,
            amount: amount.wan(),
            parts,
            completion,
            usage: uy.item_usage.get(code).cloned(),
        }
    }

    /// 六: 基本支出 and its 人员经费 and 公用经费 from the economic classification.
    fn basic_expenditure(&self, catalogues: &Catalogues) -> (Amount, Amount, Amount) {
        let econ = |group: &str| FactFilter {
            measure: vec![Measure::BasicEconomic],
            source: vec![FundSource::GeneralBudget],
            economic: catalogues.economic.group(group).unwrap_or(&[]).to_vec(),
            ..FactFilter::default()
        };
        let basic_total = self.sum(&FactFilter {
            nature: vec![Nature::Basic],
            ..general_budget_expenditure()
        });
        (
            basic_total,
            self.sum(&econ("personnel")),
            self.sum(&econ("public")),
        )
    }

    /// 七: the “三公” 经费 total against its budget, and each item.
    fn sangong(&mut self) -> SanGong {
        let uy = self.uy;
        let sg_actual_total = self.sum(&sangong_filter(&[], Scenario::Actual));
        let sg_budget_total = self.sum(&sangong_filter(&[], Scenario::Budget));
        let total = self.completion(
            sg_actual_total,
            sg_budget_total,
            Some(&uy.sangong.reasons.total_deviation),
            "七（一）“三公”经费财政拨款支出决算总体情况",
        );
        let items = self.sangong_items(sg_actual_total);
        SanGong {
            total,
            items,
            vehicle_purchase: self.sum(&sangong_filter(&["vehicle_purchase"], Scenario::Actual)),
            vehicle_operation: self.sum(&sangong_filter(&["vehicle_operation"], Scenario::Actual)),
            reception: self.sum(&sangong_filter(&["reception"], Scenario::Actual)),
        }
    }

    /// 七（二）: each “三公” item with its share, completion and change (whose reason is asked).
    fn sangong_items(&mut self, actual_total: Amount) -> Vec<SanGongItemText> {
        let sr = &self.uy.sangong.reasons;
        let mut sangong_items = Vec::new();
        for (label, items, reason) in [
            ("因公出国（境）费", &["abroad"][..], &sr.abroad_change),
            (
                "公务用车购置及运行维护费",
                &["vehicle_purchase", "vehicle_operation"][..],
                &sr.vehicle_change,
            ),
            ("公务接待费", &["reception"][..], &sr.reception_change),
        ] {
            let a = self.sum(&sangong_filter(items, Scenario::Actual));
            let bud = self.sum(&sangong_filter(items, Scenario::Budget));
            let pr = self.sum(&sangong_filter(items, Scenario::Prior));
            let place = format!("七（二）{label}");
            let completion = self.completion(a, bud, None, &place);
            let change = self.change(a, pr, Some(reason), &place);
            sangong_items.push(SanGongItemText {
                label,
                actual: a.wan(),
                share: share(a, actual_total),
                completion,
                change,
            });
        }
        sangong_items
    }

    /// 十（一）: 机关运行经费 and its change; whether the section applies to the unit.
    fn operating_costs(&mut self) -> (ChangeText, bool) {
        let uy = self.uy;
        let oc_actual = self.sum(&filter(Measure::OperatingCosts));
        let oc_prior = self.sum(&prior(Measure::OperatingCosts));
        let applicable = uy.unit.kind != UnitKind::Institution;
        // 事业单位: the section says 不适用, so no reason is asked for.
        let change = self.change(
            oc_actual,
            oc_prior,
            applicable.then_some(uy.operating_costs_reason.as_str()),
            "十（一）机关运行经费支出情况",
        );
        (change, applicable)
    }

    /// 十（二）: 政府采购 by kind, and what went to small and medium enterprises.
    fn procurement(&self) -> Procurement {
        let proc = procurement_filter;
        Procurement {
            total: self.sum(&proc(&["goods", "works", "services"])),
            goods: self.sum(&proc(&["goods"])),
            works: self.sum(&proc(&["works"])),
            services: self.sum(&proc(&["services"])),
            sme: self.sum(&proc(&["sme"])),
            small_micro: self.sum(&proc(&["small_micro"])),
        }
    }
}

/// The narrative's figures that may need a reason, for the consistency rules
/// (`reason_required`): every year-on-year change, and every budget deviation the narrative
/// explains.
pub fn explanations(cx: &Context) -> Vec<juesuan_check::Explained> {
    use juesuan_check::{Explained, ReasonFor};
    use juesuan_score::Ratio;
    let has = |r: &Option<String>| r.as_deref().is_some_and(|r| r != MISSING_REASON);
    let pct = |r: &Option<String>| r.as_deref().and_then(|r| Ratio::parse(r).ok());
    let mut out = Vec::new();
    let mut change = |place: String, c: &ChangeText| {
        out.push(Explained {
            place,
            kind: ReasonFor::Change,
            rate: pct(&c.rate),
            moved: c.direction != Direction::Flat,
            has_reason: has(&c.reason),
        })
    };
    change("一、收入支出决算总体情况".into(), &cx.grand_total);
    change(
        "四、财政拨款收入支出决算总体情况".into(),
        &cx.fiscal_grand_total,
    );
    change(
        "五（一）一般公共预算财政拨款支出".into(),
        &cx.general_budget,
    );
    if cx.operating_costs_applicable {
        change("十（一）机关运行经费".into(), &cx.operating_costs);
    }
    for s in &cx.sangong_items {
        change(format!("七（二）{}", s.label), &s.change);
    }
    let mut deviation = |place: String, c: &CompletionText| {
        // |决算 / 预算 − 100%|
        let rate = pct(&c.rate).map(|r| {
            r.checked_sub(Ratio::from_int(100))
                .map(|d| d.abs())
                .unwrap_or(Ratio::ZERO)
        });
        if c.rate.is_some() {
            out.push(Explained {
                place,
                kind: ReasonFor::Deviation,
                rate,
                moved: c.direction != Direction::Flat,
                has_reason: has(&c.reason),
            })
        }
    };
    deviation(
        "五（三）一般公共预算财政拨款支出".into(),
        &cx.general_budget_completion,
    );
    for i in &cx.general_budget_items {
        deviation(format!("五（三）{}", i.name), &i.completion);
    }
    deviation("七（一）“三公”经费".into(), &cx.sangong_total);
    out
}
