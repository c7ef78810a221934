//! 假设分析（what-if）: change a weight or a pool, allocate again and list the recipients whose
//! rank or amount moves.
//!
//! Forms: `<指标 id 或名称>.weight=0.3` (the other weights are scaled so that they still add
//! to 1), `pool=80` (the pool of the plan's one pooled line), `<分配行名称>.pool=80`,
//! `<分配行名称>.n=6`, `<分配行名称>.amount=3`. Values are in the plan's unit. The plan's
//! total follows the changed lines; a top-N line whose places or award change has as its
//! money the new fixed total (its stated pool no longer applies).

use crate::error::{AllocCode, AllocError};
use crate::plan::{to_amount, LineRule, Plan};
use crate::Allocation;
use juesuan_core::money::Amount;
use juesuan_core::ratio::Ratio;
use serde::Serialize;

fn bad(spec: &str, message: String, hint: &str) -> AllocError {
    AllocError {
        code: AllocCode::WhatIf,
        file: format!("--what-if '{spec}'"),
        line: None,
        column: None,
        message,
        hint: hint.to_string(),
    }
}

const FORMS: &str =
    "写成 指标.weight=0.3、pool=80、分配行名称.pool=80、分配行名称.n=6 或 分配行名称.amount=3";

/// The plan with one change applied.
pub fn apply(plan: &Plan, spec: &str) -> Result<Plan, AllocError> {
    let mut p = plan.clone();
    p.pool_follows_lines = true;
    let Some((key, value)) = spec.split_once('=') else {
        return Err(bad(spec, "缺少“=”".into(), FORMS));
    };
    let (key, value) = (key.trim(), value.trim());
    let number = Ratio::parse(value)
        .map_err(|_| bad(spec, format!("“{value}”不是数"), "写成如 0.3 或 80 的数"))?;
    // A pool is shared in whole rounding units, so it must be a whole number of them.
    let money = || {
        to_amount(number, plan.unit)
            .filter(|a| a.fen() % plan.rounding.fen() == 0)
            .ok_or_else(|| {
                bad(
                    spec,
                    format!(
                        "“{value}”不是有效金额（单位{}，须为舍入单位{}的整数倍）",
                        plan.unit.label(),
                        plan.rounding.label()
                    ),
                    "写成不小于0的数，精确到舍入单位",
                )
            })
    };
    if key == "pool" {
        let pooled: Vec<usize> = p
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.rule.pooled())
            .map(|(i, _)| i)
            .collect();
        let [i] = pooled[..] else {
            return Err(bad(
                spec,
                format!("计划中有{}个按比例分配的行，不知改哪一行", pooled.len()),
                "写成 分配行名称.pool=…",
            ));
        };
        p.lines[i].pool = Some(money()?);
        return Ok(p);
    }
    let Some((target, field)) = key.rsplit_once('.') else {
        return Err(bad(spec, format!("无法识别“{key}”"), FORMS));
    };
    if field == "weight" {
        return set_weight(p, spec, target, number);
    }
    let Some(line) = p.lines.iter_mut().find(|l| l.name == target) else {
        return Err(bad(
            spec,
            format!("没有名为“{target}”的分配行或指标"),
            "用计划中 [[line]] 的 name 或指标的 id、名称",
        ));
    };
    match (field, &mut line.rule) {
        ("pool", _) => line.pool = Some(money()?),
        ("n", LineRule::TopN { n, .. }) => {
            let k = usize::try_from(number.numer())
                .ok()
                .filter(|k| number.denom() == 1 && *k >= 1 && *k <= plan.recipients.len());
            *n = k.ok_or_else(|| {
                bad(
                    spec,
                    format!("名额应为 1 到 {} 的整数", plan.recipients.len()),
                    "改正名额",
                )
            })?;
        }
        ("amount", LineRule::TopN { amount, .. }) => *amount = money()?,
        _ => {
            return Err(bad(
                spec,
                format!(
                    "分配行“{target}”（{}）没有可改的“{field}”",
                    line.rule.label()
                ),
                FORMS,
            ))
        }
    }
    // A top-N line with new places or award: its money is the new fixed total.
    if matches!(field, "n" | "amount") {
        line.pool = None;
    }
    Ok(p)
}

fn set_weight(mut p: Plan, spec: &str, target: &str, w: Ratio) -> Result<Plan, AllocError> {
    let Some(a) = p.assessment.as_mut() else {
        return Err(bad(
            spec,
            "计划没有考核体系".into(),
            "只有有 [assessment] 的计划能改指标权重",
        ));
    };
    let Some(k) = a
        .indicators
        .iter()
        .position(|i| i.id == target || i.name == target)
    else {
        return Err(bad(
            spec,
            format!("没有 id 或名称为“{target}”的指标"),
            "用 [[assessment.indicator]] 的 id 或 name",
        ));
    };
    if w.is_negative() || w > Ratio::ONE {
        return Err(bad(spec, format!("权重 {w} 不在 0 到 1 之间"), "改正权重"));
    }
    let others: Ratio = a
        .indicators
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != k)
        .fold(Ratio::ZERO, |s, (_, x)| {
            s.checked_add(x.weight).unwrap_or(s)
        });
    let rest = Ratio::ONE.checked_sub(w).unwrap_or(Ratio::ZERO);
    if others.is_zero() && !rest.is_zero() {
        return Err(bad(
            spec,
            "其他指标的权重都是0，无法按比例调整".into(),
            "把该指标的权重设为1",
        ));
    }
    for (i, ind) in a.indicators.iter_mut().enumerate() {
        ind.weight = if i == k {
            w
        } else {
            ind.weight
                .checked_mul(rest)
                .and_then(|x| x.checked_div(others))
                .map_err(|_| bad(spec, "数值溢出".into(), "换一个权重"))?
        };
    }
    Ok(p)
}

/// One recipient that moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    pub name: String,
    pub rank_before: Option<usize>,
    pub rank_after: Option<usize>,
    pub before: Amount,
    pub after: Amount,
}

/// The recipients whose rank or amount differs.
pub fn compare(before: &Allocation, after: &Allocation) -> Vec<Move> {
    before
        .recipients
        .iter()
        .zip(&after.recipients)
        .filter(|(b, a)| b.rank != a.rank || b.total != a.total)
        .map(|(b, a)| Move {
            name: b.name.clone(),
            rank_before: b.rank,
            rank_after: a.rank,
            before: b.total,
            after: a.total,
        })
        .collect()
}

/// The moves as text (Chinese).
pub fn moves_text(spec: &str, before: &Allocation, after: &Allocation, moves: &[Move]) -> String {
    let u = |x: Amount| {
        x.exact(if before.unit == "元" {
            juesuan_core::money::MoneyUnit::Yuan
        } else {
            juesuan_core::money::MoneyUnit::Wan
        })
    };
    let mut o = format!(
        "假设分析：{spec}\n总资金 {}{unit} → {}{unit}\n",
        u(before.total),
        u(after.total),
        unit = before.unit
    );
    if moves.is_empty() {
        o.push_str("没有单位的名次或金额发生变化。\n");
        return o;
    }
    o.push_str(&format!(
        "名次或金额变化的单位（{}个）：\n单位\t名次（前→后）\t金额（前→后，{}）\n",
        moves.len(),
        before.unit
    ));
    let rank = |r: Option<usize>| r.map_or("—".to_string(), |r| r.to_string());
    for m in moves {
        o.push_str(&format!(
            "{}\t{} → {}\t{} → {}\n",
            m.name,
            rank(m.rank_before),
            rank(m.rank_after),
            u(m.before),
            u(m.after)
        ));
    }
    o
}
