//! The plan against the unit's transfer-payment self-evaluation table (转移支付绩效自评表):
//! its 预算数, its quantity indicators (units assessed, units funded) and each line's 成本指标
//! are derived from the plan; a figure of the table that differs is a warning (A010) located
//! at its line of the input file.

use crate::error::{AllocCode, AllocError};
use crate::{Allocation, Plan};
use juesuan_core::evaluation::ProjectInput;
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
    let mut push = |kind: &'static str, name: &str, derived: Ratio, unit: &str| {
        let found = project
            .indicators
            .iter()
            .find(|i| i.level2 == kind && i.name == name);
        // A count is what was done (实际完成值); a cost is what was planned (预期指标值).
        let stated = found.and_then(|i| {
            if kind == "数量指标" {
                i.actual.or(i.target)
            } else {
                i.target
            }
        });
        out.push(Agreement {
            kind,
            name: name.to_string(),
            stated,
            derived,
            unit: found.map_or_else(|| unit.to_string(), |i| i.unit.clone()),
            holds: stated == Some(derived),
            line: found.map_or(project.line, |i| i.line),
        });
    };
    if let Some(link) = &plan.evaluation {
        if let Some(name) = &link.assessed {
            push("数量指标", name, count(a.derived.assessed), "个");
        }
        if let Some(name) = &link.funded {
            push("数量指标", name, count(a.derived.funded), "个");
        }
    }
    for (l, r) in plan.lines.iter().zip(&a.lines) {
        if let Some(name) = &l.cost_indicator {
            push("成本指标", name, wan(r.budget), "万元");
        }
    }
    out
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
