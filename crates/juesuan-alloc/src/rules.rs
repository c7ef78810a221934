//! The allocation lines (分配行): each rule turns the assessment (or named items) into exact
//! amounts, with a sentence per amount saying how it follows.

use crate::assess::Assessed;
use crate::error::{AllocCode, AllocError};
use crate::plan::{Bounds, FactorData, Item, Line, LineRule, Plan, Ties};
use crate::share::{bounded_shares, largest_remainder, ShareError};
use juesuan_core::expr::Value;
use juesuan_core::money::Amount;
use juesuan_core::ratio::Ratio;
use serde::Serialize;

/// One amount of a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    /// Index of the recipient (plan order), if the amount goes to one.
    pub recipient: Option<usize>,
    /// The item's own name (小院、工作站), for earmarked and per-unit lines.
    pub item: Option<String>,
    pub amount: Amount,
    /// How the amount follows (Chinese).
    pub how: String,
}

/// The result of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineResult {
    pub name: String,
    pub rule: &'static str,
    /// The line's money: its stated pool, or the sum of its fixed amounts.
    pub budget: Amount,
    pub allocated: Amount,
    /// 结余：a stated pool beyond the fixed amounts.
    pub unallocated: Amount,
    pub shares: Vec<Share>,
    pub note: Option<String>,
}

pub(crate) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub assessed: Option<&'a Assessed>,
}

impl Ctx<'_> {
    fn wan(&self, a: Amount) -> String {
        format!("{}{}", a.exact(self.plan.unit), self.plan.unit.label())
    }

    fn err(&self, line: &Line, code: AllocCode, message: String, hint: &str) -> AllocError {
        AllocError {
            code,
            file: self.plan.file.clone(),
            line: Some(line.line),
            column: None,
            message,
            hint: hint.to_string(),
        }
    }

    fn assessed(&self) -> &Assessed {
        self.assessed
            .expect("validated: lines by assessment have one")
    }

    /// Position of each recipient in rank order (for tie-breaking of remainders).
    fn priority(&self) -> Vec<usize> {
        let n = self.plan.recipients.len();
        match self.assessed {
            Some(a) => {
                let mut p = vec![0; n];
                for (pos, &r) in a.order.iter().enumerate() {
                    p[r] = pos;
                }
                p
            }
            None => (0..n).collect(),
        }
    }
}

fn ratio_of(a: Amount) -> Ratio {
    Ratio::from_int(a.fen())
}

pub(crate) fn run_line(ctx: &Ctx<'_>, line: &Line) -> Result<LineResult, AllocError> {
    let shares = match &line.rule {
        LineRule::TopN { n, amount } => top_n(ctx, line, *n, *amount)?,
        LineRule::Tiers { by_rank, tiers } => tiers_shares(ctx, *by_rank, tiers),
        LineRule::ProRata { bounds } => {
            let a = ctx.assessed();
            let how: Vec<String> = a
                .totals
                .iter()
                .map(|t| format!("得分{}", t.to_fixed(2)))
                .collect();
            pooled(ctx, line, &a.totals, &how, *bounds)?
        }
        LineRule::Factor { factors, bounds } => {
            let (w, how) = factor_weights(ctx, line, factors)?;
            pooled(ctx, line, &w, &how, *bounds)?
        }
        LineRule::Earmark { items } | LineRule::PerUnit { items, .. } => {
            item_shares(ctx, &line.rule, items)
        }
    };
    let allocated = Amount(shares.iter().map(|s| s.amount.fen()).sum());
    let budget = line.pool.unwrap_or(allocated);
    if allocated > budget {
        return Err(ctx.err(
            line,
            AllocCode::PoolTooSmall,
            format!(
                "分配行“{}”的资金 {} 小于其固定金额之和 {}",
                line.name,
                ctx.wan(budget),
                ctx.wan(allocated)
            ),
            "增加该行 pool，或减少名额、金额",
        ));
    }
    Ok(LineResult {
        name: line.name.clone(),
        rule: line.rule.label(),
        budget,
        allocated,
        unallocated: budget - allocated,
        shares,
        note: line.note.clone(),
    })
}

fn top_n(ctx: &Ctx<'_>, line: &Line, n: usize, amount: Amount) -> Result<Vec<Share>, AllocError> {
    let a = ctx.assessed();
    let ties = ctx.plan.assessment.as_ref().map_or(Ties::Order, |s| s.ties);
    let mut group_size = std::collections::BTreeMap::new();
    for &k in &a.ranks {
        *group_size.entry(k).or_insert(0usize) += 1;
    }
    let mut out = Vec::new();
    for &r in &a.order {
        let rank = a.ranks[r];
        // Under "split" the recipients of one rank share the places still open at that rank.
        let group = group_size[&rank];
        let open = (n + 1).saturating_sub(rank).min(group);
        let (fen, how) = if ties == Ties::Split && group > 1 && open > 0 && open < group {
            let total = amount.fen() * i64::try_from(open).unwrap_or(0);
            (
                None,
                format!(
                    "与另{}个单位并列第{rank}名，共争{open}个名额，平分 {}",
                    group - 1,
                    ctx.wan(Amount(total))
                ),
            )
        } else if rank <= n {
            (
                Some(amount.fen()),
                format!("第{rank}名，在前{n}名内，定额 {}", ctx.wan(amount)),
            )
        } else {
            (Some(0), format!("第{rank}名，未进入前{n}名"))
        };
        out.push((r, fen, how, open, group));
    }
    // Amounts of a shared rank: equal exact parts, rounded by largest remainder (to 分 if the
    // award is not a whole number of rounding units).
    let unit = if amount.fen() % ctx.plan.rounding.fen() == 0 {
        ctx.plan.rounding.fen()
    } else {
        1
    };
    let priority = ctx.priority();
    let overflow = || {
        ctx.err(
            line,
            AllocCode::BadRule,
            format!("分配行“{}”平分并列名额时数值溢出", line.name),
            "检查金额",
        )
    };
    let mut shares = Vec::new();
    let mut i = 0;
    while i < out.len() {
        let (r, fen, how, open, group) = out[i].clone();
        if let Some(f) = fen {
            shares.push(Share {
                recipient: Some(r),
                item: None,
                amount: Amount(f),
                how,
            });
            i += 1;
            continue;
        }
        let total = amount.fen() * i64::try_from(open).unwrap_or(0);
        let part = Ratio::new(i128::from(total), i128::try_from(group).unwrap_or(1))
            .map_err(|_| overflow())?;
        let members: Vec<usize> = out[i..i + group].iter().map(|m| m.0).collect();
        let pr: Vec<usize> = members.iter().map(|&m| priority[m]).collect();
        let rounded =
            largest_remainder(total, &vec![part; group], unit, &pr).map_err(|_| overflow())?;
        for (k, &m) in members.iter().enumerate() {
            shares.push(Share {
                recipient: Some(m),
                item: None,
                amount: Amount(rounded[k]),
                how: format!("{}，每个 {}", out[i + k].2, ctx.wan(Amount(rounded[k]))),
            });
        }
        i += group;
    }
    Ok(shares)
}

fn tiers_shares(ctx: &Ctx<'_>, by_rank: bool, tiers: &[crate::plan::Tier]) -> Vec<Share> {
    let a = ctx.assessed();
    a.order
        .iter()
        .map(|&r| {
            let rank = a.ranks[r];
            let total = a.totals[r];
            let hit = tiers.iter().enumerate().find(|(_, t)| {
                if by_rank {
                    t.from_rank.is_some_and(|f| rank >= f) && t.to_rank.is_none_or(|to| rank <= to)
                } else {
                    t.min_score.is_some_and(|m| total >= m)
                }
            });
            let (amount, how) = match hit {
                Some((k, t)) if by_rank => (
                    t.amount,
                    format!(
                        "第{rank}名，属第{}档（第{}名起），{}",
                        k + 1,
                        t.from_rank.unwrap_or(1),
                        ctx.wan(t.amount)
                    ),
                ),
                Some((k, t)) => (
                    t.amount,
                    format!(
                        "得分{}，属第{}档（{}分以上），{}",
                        total.to_fixed(2),
                        k + 1,
                        t.min_score.unwrap_or(Ratio::ZERO),
                        ctx.wan(t.amount)
                    ),
                ),
                None => (
                    Amount::ZERO,
                    format!("第{rank}名、得分{}，不在任何档次", total.to_fixed(2)),
                ),
            };
            Share {
                recipient: Some(r),
                item: None,
                amount,
                how,
            }
        })
        .collect()
}

/// The weight of each recipient under 因素法: Σ 因素权重 × 该单位因素数据 ÷ 因素数据合计.
fn factor_weights(
    ctx: &Ctx<'_>,
    line: &Line,
    factors: &[crate::plan::Factor],
) -> Result<(Vec<Ratio>, Vec<String>), AllocError> {
    let n = ctx.plan.recipients.len();
    let overflow = || {
        ctx.err(
            line,
            AllocCode::BadRule,
            format!("分配行“{}”计算份额时数值溢出", line.name),
            "检查因素数据的大小",
        )
    };
    let mut w = vec![Ratio::ZERO; n];
    let mut how = vec![String::new(); n];
    for f in factors {
        let data: Vec<Ratio> = (0..n)
            .map(|r| factor_value(ctx, &f.data, r))
            .collect::<Result<_, _>>()
            .map_err(|m| {
                ctx.err(
                    line,
                    AllocCode::BadRule,
                    format!("因素“{}”：{m}", f.name),
                    "检查该因素的数据或公式",
                )
            })?;
        if data.iter().any(|d| d.is_negative()) {
            return Err(ctx.err(
                line,
                AllocCode::BadRule,
                format!("因素“{}”的数据有负数", f.name),
                "因素数据应不小于0",
            ));
        }
        let mut sum = Ratio::ZERO;
        for d in &data {
            sum = sum.checked_add(*d).map_err(|_| overflow())?;
        }
        if sum.is_zero() {
            return Err(ctx.err(
                line,
                AllocCode::BadRule,
                format!("因素“{}”的数据全为0，无法分配份额", f.name),
                "改正该因素的数据，或删去该因素",
            ));
        }
        for r in 0..n {
            let part = f
                .weight
                .checked_mul(data[r])
                .and_then(|x| x.checked_div(sum))
                .map_err(|_| overflow())?;
            w[r] = w[r].checked_add(part).map_err(|_| overflow())?;
            if !how[r].is_empty() {
                how[r].push_str(" + ");
            }
            how[r].push_str(&format!(
                "{}×{}/{}（{}）",
                f.weight,
                data[r].display_exact(),
                sum.display_exact(),
                f.name
            ));
        }
    }
    Ok((w, how))
}

fn factor_value(ctx: &Ctx<'_>, data: &FactorData, r: usize) -> Result<Ratio, String> {
    let kpi = |col: &str| {
        ctx.plan
            .kpi
            .columns
            .get(col)
            .and_then(|c| c[r].as_ref())
            .map(|v| v.value)
    };
    match data {
        FactorData::Equal => Ok(Ratio::ONE),
        FactorData::Score => Ok(ctx.assessed().totals[r]),
        FactorData::Column(c) => kpi(c).ok_or_else(|| format!("缺少数据列 {c}")),
        FactorData::Formula(e) => e
            .eval_num(&|name| kpi(name).map(Value::Num))
            .map_err(|e| e.to_string()),
    }
}

fn pooled(
    ctx: &Ctx<'_>,
    line: &Line,
    w: &[Ratio],
    how: &[String],
    bounds: Bounds,
) -> Result<Vec<Share>, AllocError> {
    let pool = line.pool.expect("validated: pooled lines have a pool");
    let q = bounded_shares(
        ratio_of(pool),
        w,
        bounds.floor.map(ratio_of),
        bounds.cap.map(ratio_of),
    )
    .map_err(|e| match e {
        ShareError::FloorsExceedPool(need) => ctx.err(
            line,
            AllocCode::PoolTooSmall,
            format!(
                "分配行“{}”的资金 {} 小于保底金额之和 {}元",
                line.name,
                ctx.wan(pool),
                Amount(i64::try_from(need.round_to(0)).unwrap_or(i64::MAX)).yuan()
            ),
            "增加该行 pool，或降低 floor",
        ),
        ShareError::CapsBelowPool(room) => ctx.err(
            line,
            AllocCode::BadRule,
            format!(
                "分配行“{}”的封顶之和 {}元 小于资金 {}",
                line.name,
                Amount(i64::try_from(room.round_to(0)).unwrap_or(i64::MAX)).yuan(),
                ctx.wan(pool)
            ),
            "提高 cap，或减少该行 pool",
        ),
        ShareError::Overflow => ctx.err(
            line,
            AllocCode::BadRule,
            format!("分配行“{}”计算份额时数值溢出", line.name),
            "检查数据的大小",
        ),
    })?;
    let rounded = largest_remainder(pool.fen(), &q, ctx.plan.rounding.fen(), &ctx.priority())
        .map_err(|_| {
            ctx.err(
                line,
                AllocCode::BadRule,
                "舍入时数值溢出".into(),
                "检查数据的大小",
            )
        })?;
    let sum_w = w
        .iter()
        .fold(Ratio::ZERO, |s, x| s.checked_add(*x).unwrap_or(s));
    Ok((0..w.len())
        .map(|r| {
            let exact = q[r]
                .checked_div(Ratio::from_int(100))
                .map(|x| x.display_exact())
                .unwrap_or_default();
            let bound = match (bounds.floor, bounds.cap) {
                (Some(f), _) if q[r] == ratio_of(f) => "（保底）",
                (_, Some(c)) if q[r] == ratio_of(c) => "（封顶）",
                _ => "",
            };
            let share = if sum_w.is_zero() {
                String::new()
            } else {
                format!("份额 {} ÷ {}，", w[r].to_fixed(4), sum_w.to_fixed(4))
            };
            Share {
                recipient: Some(r),
                item: None,
                amount: Amount(rounded[r]),
                how: format!(
                    "{}：{share}精确额 {exact}元{bound}，按最大余额法舍入到{} → {}元",
                    how[r],
                    ctx.plan.rounding.label(),
                    Amount(rounded[r]).yuan()
                ),
            }
        })
        .collect())
}

fn item_shares(ctx: &Ctx<'_>, rule: &LineRule, items: &[Item]) -> Vec<Share> {
    items
        .iter()
        .map(|i| {
            let how = match (rule, i.count) {
                (
                    LineRule::PerUnit {
                        unit, unit_amount, ..
                    },
                    Some(c),
                ) => format!(
                    "{c}{unit} × {}/{unit} = {}",
                    ctx.wan(*unit_amount),
                    ctx.wan(i.amount)
                ),
                _ => format!("指定金额 {}", ctx.wan(i.amount)),
            };
            Share {
                recipient: i.recipient,
                item: Some(i.name.clone()),
                amount: i.amount,
                how,
            }
        })
        .collect()
}
