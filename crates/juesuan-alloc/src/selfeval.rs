//! The plan against the unit's transfer-payment self-evaluation table (转移支付绩效自评表):
//! its 预算数, its quantity indicators (units assessed, units funded) and each line's 成本指标
//! are derived from the plan; a figure of the table that differs is a warning (A010) located
//! at its line of the input file.

use crate::error::{AllocCode, AllocError};
use crate::{Allocation, Plan};
use juesuan_core::evaluation::{ProjectIndicator, ProjectInput};
use juesuan_core::money::Amount;
use juesuan_core::ratio::Ratio;
use serde::Serialize;

/// One figure of the self-evaluation table and the one the plan gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// "预算数", "数量指标" or "成本指标".
    pub kind: &'static str,
    /// The indicator's name (三级指标), or the project's for 预算数.
    pub name: String,
    /// As the table states it (the indicator's 预期指标值; for 预算数 the budget).
    pub stated: Option<Ratio>,
    /// As the plan derives it.
    pub derived: Ratio,
    pub unit: String,
    pub holds: bool,
    /// Line of the input file.
    pub line: usize,
}

fn wan(a: Amount) -> Ratio {
    Ratio::new(i128::from(a.fen()), 1_000_000).unwrap_or(Ratio::ZERO)
}

fn count(n: usize) -> Ratio {
    Ratio::from_int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// One figure the plan gives the table: a quantity indicator (units assessed or funded) or a
/// line's cost indicator.
struct Linked<'a> {
    kind: &'static str,
    name: &'a str,
    derived: Ratio,
    unit: &'static str,
    /// The figure in words for 预期指标值 (“17个”, the line's cost sentence).
    text: String,
}

fn linked<'a>(plan: &'a Plan, a: &Allocation) -> Vec<Linked<'a>> {
    let mut out = Vec::new();
    if let Some(link) = &plan.evaluation {
        for (name, n) in [
            (&link.assessed, a.derived.assessed),
            (&link.funded, a.derived.funded),
        ] {
            if let Some(name) = name {
                out.push(Linked {
                    kind: "数量指标",
                    name,
                    derived: count(n),
                    unit: "个",
                    text: format!("{n}个"),
                });
            }
        }
    }
    for ((l, r), (_, sentence)) in plan.lines.iter().zip(&a.lines).zip(&a.derived.costs) {
        if let Some(name) = &l.cost_indicator {
            out.push(Linked {
                kind: "成本指标",
                name,
                derived: wan(r.budget),
                unit: "万元",
                text: sentence.clone(),
            });
        }
    }
    out
}

/// A count is what was done (实际完成值); a cost is what was planned (预期指标值).
fn stated(kind: &str, i: &ProjectIndicator) -> Option<Ratio> {
    if kind == "数量指标" {
        i.actual.or(i.target)
    } else {
        i.target
    }
}

/// Compare the plan's figures with the project's table. Amounts of the table are in 万元 (as
/// those tables print them). An indicator named in the plan but absent from the table is a
/// figure that does not hold.
pub fn against(plan: &Plan, a: &Allocation, project: &ProjectInput) -> Vec<Agreement> {
    let mut out = vec![Agreement {
        kind: "预算数",
        name: project.name.clone(),
        stated: Some(project.budget),
        derived: wan(a.pool),
        unit: "万元".into(),
        holds: project.budget == wan(a.pool),
        line: project.line,
    }];
    for l in linked(plan, a) {
        let found = project
            .indicators
            .iter()
            .find(|i| i.level2 == l.kind && i.name == l.name);
        let stated = found.and_then(|i| stated(l.kind, i));
        out.push(Agreement {
            kind: l.kind,
            name: l.name.to_string(),
            stated,
            derived: l.derived,
            unit: found.map_or_else(|| l.unit.to_string(), |i| i.unit.clone()),
            holds: stated == Some(l.derived),
            line: found.map_or(project.line, |i| i.line),
        });
    }
    out
}

/// A figure [`fill`] wrote into the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filled {
    pub kind: &'static str,
    pub name: String,
    pub derived: Ratio,
    pub unit: String,
    /// The table had no such indicator: a row was added.
    pub added: bool,
}

/// Fill the table from the plan (报告第五部分的转移支付绩效自评表): an indicator the plan names
/// gets the plan's figure where the table leaves it empty (both 预期值 and 实际完成值: the plan's
/// lines are what was paid), and a row is added where the table has none. Figures the table
/// states are kept; [`against`] on the filled table then lists those that differ.
pub fn fill(plan: &Plan, a: &Allocation, project: &mut ProjectInput) -> Vec<Filled> {
    let mut filled = Vec::new();
    for l in linked(plan, a) {
        let at = project
            .indicators
            .iter()
            .position(|i| i.level2 == l.kind && i.name == l.name);
        let added = at.is_none();
        let i = match at {
            Some(k) => &mut project.indicators[k],
            None => {
                let level1 = project
                    .indicators
                    .iter()
                    .find(|i| i.level2 == l.kind)
                    .or(project.indicators.first())
                    .map_or_else(|| "产出指标".to_string(), |i| i.level1.clone());
                project.indicators.push(ProjectIndicator {
                    level1,
                    level2: l.kind.to_string(),
                    name: l.name.to_string(),
                    operator: if l.kind == "成本指标" { "≤" } else { "=" }.into(),
                    unit: l.unit.into(),
                    line: project.line,
                    ..ProjectIndicator::default()
                });
                project.indicators.last_mut().expect("just pushed")
            }
        };
        let mut wrote = false;
        if i.target.is_none() {
            i.target = Some(l.derived);
            wrote = true;
        }
        if i.actual.is_none() {
            i.actual = Some(l.derived);
            wrote = true;
        }
        if i.target_text.trim().is_empty() {
            i.target_text = l.text.clone();
        }
        if i.actual_text.trim().is_empty() {
            i.actual_text = format!("按分配计划：{}", l.text);
        }
        if wrote || added {
            filled.push(Filled {
                kind: l.kind,
                name: l.name.to_string(),
                derived: l.derived,
                unit: i.unit.clone(),
                added,
            });
        }
    }
    filled
}

/// The figures that do not hold, as located warnings (A010) in `input_file`.
pub fn warnings(agreements: &[Agreement], input_file: &str) -> Vec<AllocError> {
    agreements
        .iter()
        .filter(|g| !g.holds)
        .map(|g| AllocError {
            code: AllocCode::EvaluationMismatch,
            file: input_file.to_string(),
            line: Some(g.line),
            column: None,
            message: match g.stated {
                Some(s) => format!(
                    "{}“{}”为 {}{}，按分配计划应为 {}{}",
                    g.kind,
                    g.name,
                    s.display_exact(),
                    g.unit,
                    g.derived.display_exact(),
                    g.unit
                ),
                None => format!("自评表中没有{}“{}”（分配计划中写了这一指标）", g.kind, g.name),
            },
            hint: "按分配结果改正自评表的数，或改正分配计划中对应的指标名称（[evaluation]、cost_indicator）".into(),
        })
        .collect()
}

/// 六、与转移支付绩效自评表核对 (text).
pub fn text(project: &str, agreements: &[Agreement]) -> String {
    let mut o = format!("\n六、与转移支付绩效自评表核对（项目“{project}”）\n");
    for g in agreements {
        let stated = g.stated.map_or("（未列出）".to_string(), |s| {
            format!("{}{}", s.display_exact(), g.unit)
        });
        o.push_str(&format!(
            "  {}：{}：自评表 {stated}，分配计划 {}{}，{}\n",
            g.kind,
            g.name,
            g.derived.display_exact(),
            g.unit,
            if g.holds { "一致" } else { "不一致" }
        ));
    }
    o
}
