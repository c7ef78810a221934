//! juesuan-alloc: transfer-payment allocation by performance (转移支付分配). A plan file names
//! the recipients (sub-units such as the counties of a prefecture), an assessment system
//! (indicators, weights, scoring rules), KPI values with their provenance and allocation lines
//! (top-N awards, tiers, pro rata, 因素法, earmarked and per-unit lines). [`allocate`] scores,
//! ranks and allocates exactly (integer 分, exact ratios, largest-remainder rounding so each
//! pooled line adds up to its pool) and keeps a trace of how every amount follows.
//!
//! Flow: plan text → [`parse_plan`] (located A0xx errors) → [`Plan::attach_csv`] for a KPI
//! file → [`allocate`] → [`Allocation`] → [`render::text`] / [`render::html`] / JSON;
//! [`whatif::apply`] changes a weight or a pool and [`whatif::compare`] lists who moves.

pub mod assess;
pub mod error;
mod kpi;
pub mod plan;
pub mod render;
pub mod rules;
pub mod selfeval;
pub mod share;
mod validate;
pub mod whatif;

pub use assess::{Assessed, IndicatorScore};
pub use error::{AllocCode, AllocError};
pub use plan::{parse_plan, Plan};
pub use rules::{LineResult, Share};

use juesuan_core::money::Amount;
use juesuan_core::ratio::Ratio;
use plan::LineRule;
use serde::Serialize;

/// One recipient's result: rank, total score and amount per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientRow {
    pub name: String,
    pub rank: Option<usize>,
    pub score: Option<Ratio>,
    /// Per line (plan order).
    pub amounts: Vec<Amount>,
    pub total: Amount,
}

/// An assessment indicator as the result lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorInfo {
    pub id: String,
    pub name: String,
    pub weight: Ratio,
    pub rule: &'static str,
}

/// Figures of the plan for the transfer-payment self-evaluation (转移支付绩效自评表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Derived {
    /// 数量指标：考核的单位数
    pub assessed: usize,
    /// 数量指标：获得资金的单位数
    pub funded: usize,
    /// 成本指标：每行一句，如“5个县市各2万元，共计10万元”
    pub costs: Vec<(String, String)>,
}

/// The result of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub title: String,
    pub allocator: String,
    pub year: i32,
    pub unit: &'static str,
    pub pool: Amount,
    pub rounding: &'static str,
    pub illustrative: bool,
    pub kpi_date: Option<String>,
    pub kpi_source: Option<String>,
    pub indicators: Vec<IndicatorInfo>,
    pub assessed: Option<Assessed>,
    pub recipients: Vec<RecipientRow>,
    pub lines: Vec<LineResult>,
    /// Allocated in all (to recipients and to items without one).
    pub total: Amount,
    /// Items of earmarked lines that name no recipient.
    pub unassigned: Amount,
    pub derived: Derived,
}

/// Every (recipient, column) value the plan reads is present; otherwise one located A003
/// per missing value.
fn check_kpi(plan: &Plan) -> Vec<AllocError> {
    let mut errors = Vec::new();
    for (col, decl_line) in plan.needed_columns() {
        let values = plan.kpi.columns.get(&col);
        for (r, rec) in plan.recipients.iter().enumerate() {
            if values.and_then(|v| v[r].as_ref()).is_some() {
                continue;
            }
            let (file, line) = match &plan.kpi.rows[r] {
                Some((f, row)) => (f.clone(), row),
                None => (plan.file.clone(), &rec.line),
            };
            errors.push(AllocError {
                code: AllocCode::MissingKpi,
                file,
                line: Some(*line),
                column: None,
                message: format!(
                    "单位“{}”缺少考核数据“{col}”（第{decl_line}行的指标或因素要用）",
                    rec.name
                ),
                hint: "在考核数据文件（或 [[kpi.row]]）中为该单位填上这一列".into(),
            });
        }
    }
    errors
}

/// Score, rank and allocate. Every problem found is returned, located.
pub fn allocate(plan: &Plan) -> Result<Allocation, Vec<AllocError>> {
    let missing = check_kpi(plan);
    if !missing.is_empty() {
        return Err(missing);
    }
    let assessed = match &plan.assessment {
        Some(a) => Some(assess::assess(plan, a).map_err(|e| vec![e])?),
        None => None,
    };
    let ctx = rules::Ctx {
        plan,
        assessed: assessed.as_ref(),
    };
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for l in &plan.lines {
        match rules::run_line(&ctx, l) {
            Ok(r) => lines.push(r),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    check_budgets(plan, &lines)?;
    Ok(result(plan, assessed, lines))
}

/// The lines' money adds up to the plan's pool exactly.
fn check_budgets(plan: &Plan, lines: &[LineResult]) -> Result<(), Vec<AllocError>> {
    let sum = Amount(lines.iter().map(|l| l.budget.fen()).sum());
    if sum == plan.pool || plan.pool_follows_lines {
        return Ok(());
    }
    let parts: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{} {}{}",
                l.name,
                l.budget.exact(plan.unit),
                plan.unit.label()
            )
        })
        .collect();
    let (code, hint) = if sum > plan.pool {
        (
            AllocCode::PoolTooSmall,
            "增加总资金 pool，或减少各行的金额、名额",
        )
    } else {
        (
            AllocCode::LinesNotPool,
            "使各分配行的资金（pool 或固定金额之和）合计恰为总资金；未分的钱写成一行并说明",
        )
    };
    Err(vec![AllocError {
        code,
        file: plan.file.clone(),
        line: Some(plan.pool_line),
        column: None,
        message: format!(
            "总资金 {}{unit}，而各分配行合计 {}{unit}（{}）",
            plan.pool.exact(plan.unit),
            sum.exact(plan.unit),
            parts.join("、"),
            unit = plan.unit.label()
        ),
        hint: hint.into(),
    }])
}

fn result(plan: &Plan, assessed: Option<Assessed>, lines: Vec<LineResult>) -> Allocation {
    let n = plan.recipients.len();
    let mut rows: Vec<RecipientRow> = plan
        .recipients
        .iter()
        .enumerate()
        .map(|(r, rec)| RecipientRow {
            name: rec.name.clone(),
            rank: assessed.as_ref().map(|a| a.ranks[r]),
            score: assessed.as_ref().map(|a| a.totals[r]),
            amounts: vec![Amount::ZERO; lines.len()],
            total: Amount::ZERO,
        })
        .collect();
    let mut unassigned = Amount::ZERO;
    for (k, l) in lines.iter().enumerate() {
        for s in &l.shares {
            match s.recipient {
                Some(r) => {
                    rows[r].amounts[k] += s.amount;
                    rows[r].total += s.amount;
                }
                None => unassigned += s.amount,
            }
        }
    }
    let total = Amount(rows.iter().map(|r| r.total.fen()).sum::<i64>() + unassigned.fen());
    let derived = Derived {
        assessed: if assessed.is_some() { n } else { 0 },
        funded: rows.iter().filter(|r| r.total > Amount::ZERO).count(),
        costs: plan
            .lines
            .iter()
            .zip(&lines)
            .map(|(p, l)| (l.name.clone(), cost_sentence(plan, p, l)))
            .collect(),
    };
    Allocation {
        title: plan.title.clone(),
        allocator: plan.allocator.clone(),
        year: plan.year,
        unit: plan.unit.label(),
        pool: if plan.pool_follows_lines {
            Amount(lines.iter().map(|l| l.budget.fen()).sum())
        } else {
            plan.pool
        },
        rounding: plan.rounding.label(),
        illustrative: plan.illustrative,
        kpi_date: plan.kpi_date.clone(),
        kpi_source: plan.kpi_source.clone(),
        indicators: plan
            .assessment
            .iter()
            .flat_map(|a| &a.indicators)
            .map(|i| IndicatorInfo {
                id: i.id.clone(),
                name: i.name.clone(),
                weight: i.weight,
                rule: i.rule.label(),
            })
            .collect(),
        assessed,
        recipients: rows,
        lines,
        total,
        unassigned,
        derived,
    }
}

/// The 成本指标 sentence of a line, in the words of the self-evaluation tables.
fn cost_sentence(plan: &Plan, p: &plan::Line, l: &LineResult) -> String {
    let u = plan.unit.label();
    let amt = |a: Amount| format!("{}{u}", a.exact(plan.unit));
    let funded = |l: &LineResult| l.shares.iter().filter(|s| s.amount > Amount::ZERO).count();
    match &p.rule {
        LineRule::TopN { n, amount } => {
            let names: Vec<String> = l
                .shares
                .iter()
                .filter(|s| s.amount > Amount::ZERO)
                .filter_map(|s| s.recipient)
                .map(|r| plan.recipients[r].name.clone())
                .collect();
            format!(
                "考核前{n}名（{}），每个{}，共计{}",
                names.join("、"),
                amt(*amount),
                amt(l.allocated)
            )
        }
        LineRule::PerUnit {
            unit,
            unit_amount,
            items,
        } => {
            let count: u32 = items.iter().filter_map(|i| i.count).sum();
            format!(
                "{count}{unit}，{}/{unit}，共{}",
                amt(*unit_amount),
                amt(l.allocated)
            )
        }
        LineRule::Earmark { items } => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| format!("{}{}", i.name, amt(i.amount)))
                .collect();
            format!("{}，共计{}", parts.join("、"), amt(l.allocated))
        }
        _ => format!(
            "{}个单位按{}分配，共计{}",
            funded(l),
            p.rule.label(),
            amt(l.allocated)
        ),
    }
}
