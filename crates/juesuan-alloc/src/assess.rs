//! Assessment (考核): each recipient's indicator scores out of 100, its weighted total and
//! its rank, with the value and provenance each score came from.

use crate::error::{AllocCode, AllocError};
use crate::plan::{Assessment, Plan, Provenance, ScoreRule, Ties};
use juesuan_core::expr::Value;
use juesuan_core::ratio::Ratio;
use serde::Serialize;
use std::cmp::Ordering;

/// One indicator's score of one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorScore {
    pub indicator: String,
    pub name: String,
    pub value: Ratio,
    /// Out of 100.
    pub score: Ratio,
    /// weight × score.
    pub weighted: Ratio,
    /// How the score follows (Chinese).
    pub how: String,
    pub provenance: Provenance,
}

/// The assessment of all recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessed {
    /// Per recipient (plan order): the scores of each indicator.
    pub scores: Vec<Vec<IndicatorScore>>,
    /// Per recipient: the weighted total out of 100.
    pub totals: Vec<Ratio>,
    /// Recipients (indexes) from first to last place.
    pub order: Vec<usize>,
    /// Per recipient: its rank (1 = first). Under `ties = "split"` equal recipients share a rank.
    pub ranks: Vec<usize>,
}

fn hundred() -> Ratio {
    Ratio::from_int(100)
}

fn overflow(plan: &Plan, line: usize, what: &str) -> AllocError {
    AllocError {
        code: AllocCode::BadRule,
        file: plan.file.clone(),
        line: Some(line),
        column: None,
        message: format!("{what}：数值溢出或除数为零"),
        hint: "检查该指标的目标值和数据（数值是否过大、是否全为0）".into(),
    }
}

/// Score every indicator of every recipient. Call after the KPI values are complete
/// (see [`crate::allocate`], which checks them first).
pub fn assess(plan: &Plan, a: &Assessment) -> Result<Assessed, AllocError> {
    let n = plan.recipients.len();
    let mut scores: Vec<Vec<IndicatorScore>> = vec![Vec::new(); n];
    let mut totals = vec![Ratio::ZERO; n];
    for ind in &a.indicators {
        let col = &plan.kpi.columns[&ind.column];
        let values: Vec<Ratio> = col
            .iter()
            .map(|v| v.as_ref().map_or(Ratio::ZERO, |v| v.value))
            .collect();
        let mut sorted = values.clone();
        sorted.sort();
        for r in 0..n {
            let (score, how) = score_one(&ind.rule, &values, &sorted, r)
                .ok_or_else(|| overflow(plan, ind.line, &format!("指标“{}”计分", ind.name)))?;
            let weighted = ind
                .weight
                .checked_mul(score)
                .map_err(|_| overflow(plan, ind.line, "加权"))?;
            totals[r] = totals[r]
                .checked_add(weighted)
                .map_err(|_| overflow(plan, ind.line, "总分"))?;
            let how = match &ind.unit {
                Some(u) => format!("{how}（单位：{u}）"),
                None => how,
            };
            let provenance = col[r]
                .as_ref()
                .map(|v| v.provenance.clone())
                .expect("checked complete");
            scores[r].push(IndicatorScore {
                indicator: ind.id.clone(),
                name: ind.name.clone(),
                value: values[r],
                score,
                weighted,
                how,
                provenance,
            });
        }
    }
    let order = ranking(a, &scores, &totals);
    let ranks = ranks(a, &order, &scores, &totals);
    Ok(Assessed {
        scores,
        totals,
        order,
        ranks,
    })
}

/// The score (out of 100) of recipient `r` and how it follows; `None` on overflow.
/// `sorted`: the same values in ascending order (a rank is a binary search, not a scan).
fn score_one(
    rule: &ScoreRule,
    values: &[Ratio],
    sorted: &[Ratio],
    r: usize,
) -> Option<(Ratio, String)> {
    let v = values[r];
    match rule {
        ScoreRule::Linear { target } => {
            let s = v
                .max(Ratio::ZERO)
                .checked_div(*target)
                .ok()?
                .min(Ratio::ONE)
                .checked_mul(hundred())
                .ok()?;
            Some((s, format!("min({v} ÷ 目标{target}, 1) × 100")))
        }
        ScoreRule::Rank => {
            let n = values.len();
            let above = sorted.len() - sorted.partition_point(|&o| o <= v);
            if n == 1 {
                return Some((hundred(), "唯一单位，100分".into()));
            }
            let n_i = i64::try_from(n).ok()?;
            let place = i64::try_from(above).ok()?;
            let s = Ratio::new(i128::from((n_i - 1 - place) * 100), i128::from(n_i - 1)).ok()?;
            Some((
                s,
                format!(
                    "第{}名（共{n}个）：100 × ({n} − {}) ÷ ({n} − 1)",
                    above + 1,
                    above + 1
                ),
            ))
        }
        ScoreRule::Bands(bands) => Some(match bands.iter().find(|b| b.contains(v)) {
            Some(b) => (b.points, format!("{v} 在区间 {}", b.describe())),
            None => (Ratio::ZERO, format!("{v} 不在任何区间，0分")),
        }),
        ScoreRule::YesNo { yes, no } => Some(if v.is_zero() {
            (*no, "否".into())
        } else {
            (*yes, "是".into())
        }),
        ScoreRule::Formula { expr, target } => {
            let best = *sorted.last()?;
            let worst = *sorted.first()?;
            let lookup = |name: &str| match name {
                "value" => Some(Value::Num(v)),
                "target" => target.map(Value::Num),
                "best" => Some(Value::Num(best)),
                "worst" => Some(Value::Num(worst)),
                _ => None,
            };
            let s = expr.eval_num(&lookup).ok()?.clamp(Ratio::ZERO, hundred());
            Some((s, format!("{}（value = {v}）", expr.source())))
        }
    }
}

/// Compare two recipients: higher total first, then the tie indicators' scores; `Equal` if
/// they tie on all of them.
fn compare(
    a: &Assessment,
    scores: &[Vec<IndicatorScore>],
    totals: &[Ratio],
    x: usize,
    y: usize,
) -> Ordering {
    totals[y].cmp(&totals[x]).then_with(|| {
        a.tie_indicators
            .iter()
            .map(|&i| scores[y][i].score.cmp(&scores[x][i].score))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
    })
}

fn ranking(a: &Assessment, scores: &[Vec<IndicatorScore>], totals: &[Ratio]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..totals.len()).collect();
    // Stable: equal recipients keep the plan's order (名单顺序).
    order.sort_by(|&x, &y| compare(a, scores, totals, x, y));
    order
}

fn ranks(
    a: &Assessment,
    order: &[usize],
    scores: &[Vec<IndicatorScore>],
    totals: &[Ratio],
) -> Vec<usize> {
    let mut ranks = vec![0; order.len()];
    for (pos, &r) in order.iter().enumerate() {
        ranks[r] = match (a.ties, pos) {
            (Ties::Split, p)
                if p > 0 && compare(a, scores, totals, order[p - 1], r) == Ordering::Equal =>
            {
                ranks[order[p - 1]]
            }
            _ => pos + 1,
        };
    }
    ranks
}
