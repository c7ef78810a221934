//! Project self-evaluation (项目支出绩效自评): a project's own indicator list scored with a
//! rules file (data/project-rules/*.toml, e.g. the national rules of 财预〔2020〕10号).
//!
//! The rules become an ordinary [`IndicatorSystem`] per project — 预算执行率, then each 一级
//! category with its 二级 groups and 三级 indicators — so projects are scored, traced and
//! checked against claims exactly like a department.

use crate::expr::Expr;
use crate::input::{ProjectIndicator, ProjectInput};
use crate::ratio::Ratio;
use crate::score::{evaluate, Evaluation, Input, InputValue, Inputs};
use crate::system::{Grades, Indicator, IndicatorSystem, InputDecl, InputKind, Rule, SystemKind};
use juesuan_core::error::{ErrorCode, InputError, Warning};
use juesuan_core::facts::Location;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionRule {
    pub name: String,
    pub weight: Ratio,
    /// Over `executed`, `budget` and `weight`.
    pub expr: Expr,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub weight: Ratio,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Operator {
    /// positive / reverse / equal / approximately / …
    pub kind: String,
    pub symbols: Vec<String>,
    /// Over `actual`, `target` and `weight`.
    pub expr: Expr,
    /// Flag actual ≥ target × over_achievement_ratio for review.
    #[serde(default)]
    pub over_achievement: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub name: String,
    pub from: Ratio,
    pub to: Ratio,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Qualitative {
    pub symbols: Vec<String>,
    /// Over `achievement` and `weight`.
    pub expr: Expr,
    pub levels: Vec<Level>,
}

/// A project rules file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRules {
    pub name: String,
    pub title: String,
    pub year: i32,
    pub over_achievement_ratio: Ratio,
    pub grades: Grades,
    pub execution: ExecutionRule,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
    #[serde(rename = "operator")]
    pub operators: Vec<Operator>,
    pub qualitative: Qualitative,
}

impl ProjectRules {
    /// Load and check a rules file: formulas may read only their own names.
    pub fn from_toml(text: &str, origin: &str) -> Result<ProjectRules, String> {
        let rules: ProjectRules =
            toml::from_str(text).map_err(|e| format!("{origin}: 项目计分规则格式错误：{e}"))?;
        let allowed = |e: &Expr, names: &[&str], what: &str| -> Result<(), String> {
            match e.names().into_iter().find(|n| !names.contains(&n.as_str())) {
                Some(n) => Err(format!(
                    "{origin}: {what}的公式“{}”只能使用 {}，不能使用“{n}”",
                    e.source(),
                    names.join("、")
                )),
                None => Ok(()),
            }
        };
        allowed(
            &rules.execution.expr,
            &["executed", "budget", "weight"],
            "预算执行率",
        )?;
        for o in &rules.operators {
            allowed(
                &o.expr,
                &["actual", "target", "weight"],
                &format!("运算符“{}”", o.kind),
            )?;
        }
        allowed(
            &rules.qualitative.expr,
            &["achievement", "weight"],
            "定性指标",
        )?;
        let mut seen = BTreeMap::new();
        for (kind, symbols) in rules
            .operators
            .iter()
            .map(|o| (o.kind.as_str(), &o.symbols))
            .chain(std::iter::once(("qualitative", &rules.qualitative.symbols)))
        {
            for s in symbols {
                if let Some(prev) = seen.insert(s.clone(), kind) {
                    return Err(format!("{origin}: 符号“{s}”同时属于“{prev}”和“{kind}”"));
                }
            }
        }
        Ok(rules)
    }

    fn operator(&self, symbol: &str) -> Option<&Operator> {
        self.operators
            .iter()
            .find(|o| o.symbols.iter().any(|s| s == symbol))
    }

    fn is_qualitative(&self, symbol: &str) -> bool {
        self.qualitative.symbols.iter().any(|s| s == symbol)
    }

    fn category(&self, level1: &str) -> Option<usize> {
        self.categories
            .iter()
            .position(|c| c.name == level1 || c.aliases.iter().any(|a| a == level1))
    }
}

/// A project scored, with what a reviewer should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectEvaluation {
    pub project: ProjectInput,
    pub evaluation: Evaluation,
    /// Over-achievement and other points for review (not errors).
    pub flags: Vec<String>,
}

fn located(
    project: &ProjectInput,
    line: usize,
    origin: &str,
    message: String,
    hint: &str,
) -> InputError {
    let _ = project;
    InputError {
        code: ErrorCode::EvaluationMismatch,
        file: origin.to_string(),
        location: Some(Location { line, column: 1 }),
        message,
        hint: hint.to_string(),
    }
}

/// The id of the `n`-th indicator of a project (in input order), in category `c`.
fn leaf_id(c: usize, n: usize) -> String {
    format!("c{c}i{n}")
}

/// Build the indicator system and inputs of one project.
pub fn project_system(
    rules: &ProjectRules,
    project: &ProjectInput,
    origin: &str,
) -> Result<(IndicatorSystem, Inputs), Vec<InputError>> {
    let mut b = ProjectBuilder {
        rules,
        project,
        origin,
        inputs: Inputs::default(),
        decls: BTreeMap::new(),
        indicators: Vec::new(),
        errors: Vec::new(),
        claimed: BTreeMap::new(),
    };
    b.add_execution();
    let mut max = rules.execution.weight;
    for (c, list) in &b.by_category() {
        max = max.checked_add(rules.categories[*c].weight).unwrap_or(max);
        b.add_category(*c, list);
    }
    if let Some(c) = project.claimed_total {
        b.claimed
            .insert("total".into(), (c, b.source(project.line)));
    }
    b.inputs.claimed = b.claimed;
    if !b.errors.is_empty() {
        return Err(b.errors);
    }
    let system = IndicatorSystem {
        name: format!("{}:{}", rules.name, project.name),
        title: format!("{}——{}", rules.title, project.name),
        year: rules.year,
        kind: SystemKind::Project,
        max,
        grades: rules.grades.clone(),
        inputs: b.decls,
        indicators: b.indicators,
    };
    Ok((system, b.inputs))
}

/// One project's indicator system as it is assembled from the project rules.
struct ProjectBuilder<'a> {
    rules: &'a ProjectRules,
    project: &'a ProjectInput,
    origin: &'a str,
    inputs: Inputs,
    decls: BTreeMap<String, InputDecl>,
    indicators: Vec<Indicator>,
    errors: Vec<InputError>,
    claimed: BTreeMap<String, (Ratio, String)>,
}

impl<'a> ProjectBuilder<'a> {
    fn source(&self, line: usize) -> String {
        format!("{}:{line}", self.origin)
    }

    /// Every bound name is declared (so a missing value is reported by its label); values are
    /// entered only when the input states them.
    fn put(&mut self, name: String, label: String, value: Option<Ratio>, line: usize) {
        self.decls.insert(
            name.clone(),
            InputDecl {
                label,
                kind: InputKind::Number,
                unit: None,
                fields: Vec::new(),
                derive: None,
            },
        );
        if let Some(value) = value {
            let source = self.source(line);
            self.inputs.values.insert(
                name,
                Input {
                    value: InputValue::Num(value),
                    source,
                },
            );
        }
    }

    /// 预算执行率: executed / budget, weighted as the rules say.
    fn add_execution(&mut self) {
        let (rules, project) = (self.rules, self.project);
        self.put(
            "executed".into(),
            "全年执行数".into(),
            Some(project.executed),
            project.line,
        );
        self.put(
            "budget".into(),
            "全年预算数".into(),
            Some(project.budget),
            project.line,
        );
        self.put(
            "execution.weight".into(),
            format!("{}分值", rules.execution.name),
            Some(rules.execution.weight),
            project.line,
        );
        self.indicators.push(Indicator {
            id: "execution".into(),
            parent: None,
            name: rules.execution.name.clone(),
            max: rules.execution.weight,
            explanation: "全年执行数 / 全年预算数".into(),
            standard: String::new(),
            rule: Some(Rule::Formula {
                expr: rules.execution.expr.clone(),
                bind: BTreeMap::from([("weight".to_string(), "execution.weight".to_string())]),
            }),
        });
    }

    /// Indicators by category, in the order they appear; an unknown 一级指标 is an error.
    fn by_category(&mut self) -> BTreeMap<usize, Vec<(usize, &'a ProjectIndicator)>> {
        let (rules, project) = (self.rules, self.project);
        let mut by_category: BTreeMap<usize, Vec<(usize, &ProjectIndicator)>> = BTreeMap::new();
        for (n, ind) in project.indicators.iter().enumerate() {
            match rules.category(&ind.level1) {
                Some(c) => by_category.entry(c).or_default().push((n, ind)),
                None => self.errors.push(located(
                    project,
                    ind.line,
                    self.origin,
                    format!(
                        "项目“{}”指标“{}”的一级指标“{}”不在计分规则“{}”中",
                        project.name, ind.name, ind.level1, rules.name
                    ),
                    &format!(
                        "可用：{}",
                        rules
                            .categories
                            .iter()
                            .flat_map(|c| std::iter::once(c.name.clone()).chain(c.aliases.clone()))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )),
            }
        }
        by_category
    }

    /// One 一级指标 category: its 二级 groups and their leaves.
    fn add_category(&mut self, c: usize, list: &[(usize, &'a ProjectIndicator)]) {
        let cat = &self.rules.categories[c];
        let cat_id = format!("c{c}");
        self.indicators.push(Indicator {
            id: cat_id.clone(),
            parent: None,
            name: cat.name.clone(),
            max: cat.weight,
            explanation: String::new(),
            standard: String::new(),
            rule: None,
        });
        let mut next_share = self.weight_shares(c, list).into_iter();
        // 二级 groups in order of appearance.
        let group_of = |i: &ProjectIndicator| {
            if i.level2.is_empty() {
                cat.name.clone()
            } else {
                i.level2.clone()
            }
        };
        let mut groups: Vec<String> = Vec::new();
        for (_, i) in list {
            let g = group_of(i);
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        let mut group_max: BTreeMap<String, Ratio> = BTreeMap::new();
        for &(n, ind) in list {
            let group = group_of(ind);
            let gid = format!(
                "{cat_id}g{}",
                groups.iter().position(|g| *g == group).expect("collected")
            );
            let weight = match ind.weight {
                Some(w) => w,
                None => next_share.next().unwrap_or(Ratio::ZERO),
            };
            let e = group_max.entry(gid.clone()).or_insert(Ratio::ZERO);
            *e = e.checked_add(weight).unwrap_or(*e);
            self.add_leaf(leaf_id(c, n), gid, ind, weight);
        }
        for (gi, g) in groups.iter().enumerate() {
            let gid = format!("{cat_id}g{gi}");
            self.indicators.push(Indicator {
                id: gid.clone(),
                parent: Some(cat_id.clone()),
                name: g.clone(),
                max: group_max.get(&gid).copied().unwrap_or(Ratio::ZERO),
                explanation: String::new(),
                standard: String::new(),
                rule: None,
            });
        }
    }

    /// The weights of the category's indicators that state none: stated weights first; the
    /// rest of the category's weight is split in whole hundredths of a point, the first
    /// indicators taking the odd hundredths (50 over 3 → 16.67, 16.67, 16.66), as the
    /// published 分值 column does; exact equal shares when the rest is not in hundredths.
    fn weight_shares(&mut self, c: usize, list: &[(usize, &ProjectIndicator)]) -> Vec<Ratio> {
        let cat = &self.rules.categories[c];
        let stated: Ratio = list
            .iter()
            .filter_map(|(_, i)| i.weight)
            .fold(Ratio::ZERO, |a, b| a.checked_add(b).unwrap_or(a));
        let unweighted = list.iter().filter(|(_, i)| i.weight.is_none()).count() as i128;
        if stated > cat.weight || (unweighted == 0 && stated != cat.weight) {
            self.errors.push(located(
                self.project,
                list[0].1.line,
                self.origin,
                format!(
                    "项目“{}”的{}各指标权重之和{}与该类分值{}不符",
                    self.project.name, cat.name, stated, cat.weight
                ),
                "请核对各指标的 weight，或不填 weight 由工具平均分配。",
            ));
        }
        let rest = cat.weight.checked_sub(stated).unwrap_or(Ratio::ZERO);
        if unweighted == 0 {
            Vec::new()
        } else if Ratio::new(rest.round_to(2), 100).ok() == Some(rest) {
            let cents = rest.round_to(2);
            (0..unweighted)
                .map(|k| {
                    let extra = i128::from(k < cents.rem_euclid(unweighted));
                    Ratio::new(cents.div_euclid(unweighted) + extra, 100).expect("100 is not zero")
                })
                .collect()
        } else {
            let each = rest
                .checked_div(Ratio::new(unweighted, 1).expect("nonzero"))
                .unwrap_or(Ratio::ZERO);
            vec![each; unweighted as usize]
        }
    }

    /// One scored indicator: its inputs declared and the operator's formula bound to them.
    fn add_leaf(&mut self, id: String, gid: String, ind: &ProjectIndicator, weight: Ratio) {
        let rules = self.rules;
        let bind = |names: &[&str]| -> BTreeMap<String, String> {
            names
                .iter()
                .map(|n| (n.to_string(), format!("{id}.{n}")))
                .collect()
        };
        let label = |what: &str| format!("{}的{what}", ind.name);
        self.put(
            format!("{id}.weight"),
            label("分值"),
            Some(weight),
            ind.line,
        );
        let rule = if rules.is_qualitative(&ind.operator) {
            self.put(
                format!("{id}.achievement"),
                label("达成程度"),
                ind.achievement,
                ind.line,
            );
            Rule::Formula {
                expr: rules.qualitative.expr.clone(),
                bind: bind(&["achievement", "weight"]),
            }
        } else if let Some(op) = rules.operator(&ind.operator) {
            self.put(
                format!("{id}.target"),
                label("预期值"),
                ind.target,
                ind.line,
            );
            self.put(
                format!("{id}.actual"),
                label("实际值"),
                ind.actual,
                ind.line,
            );
            Rule::Formula {
                expr: op.expr.clone(),
                bind: bind(&["actual", "target", "weight"]),
            }
        } else {
            self.errors.push(located(
                self.project,
                ind.line,
                self.origin,
                format!(
                    "项目“{}”指标“{}”的运算符“{}”不在计分规则中",
                    self.project.name, ind.name, ind.operator
                ),
                "可用：≥ > = ≤ < 约 左右 定性 等（见 data/project-rules/）。",
            ));
            return;
        };
        if let Some(c) = ind.claimed {
            self.claimed.insert(id.clone(), (c, self.source(ind.line)));
        }
        self.indicators.push(Indicator {
            id,
            parent: Some(gid),
            name: ind.name.clone(),
            max: weight,
            explanation: format!("{} {} {}", ind.operator, ind.target_text, ind.unit)
                .trim()
                .to_string(),
            standard: String::new(),
            rule: Some(rule),
        });
    }
}

/// Score one project. Warnings: indicators below full points without a 偏差原因.
pub fn evaluate_project(
    rules: &ProjectRules,
    project: &ProjectInput,
    origin: &str,
) -> Result<(ProjectEvaluation, Vec<Warning>), Vec<InputError>> {
    let (system, inputs) = project_system(rules, project, origin)?;
    let evaluation = evaluate(&system, &inputs);
    let mut flags = Vec::new();
    let mut warnings = Vec::new();
    for (n, ind) in project.indicators.iter().enumerate() {
        let Some(scored) = rules
            .category(&ind.level1)
            .and_then(|c| evaluation.indicators.iter().find(|s| s.id == leaf_id(c, n)))
        else {
            continue;
        };
        if let (Some(op), Some(t), Some(a)) =
            (rules.operator(&ind.operator), ind.target, ind.actual)
        {
            let limit = t.checked_mul(rules.over_achievement_ratio).unwrap_or(t);
            if op.over_achievement && !t.is_zero() && a >= limit {
                flags.push(format!(
                    "“{}”实际值{}达到预期值{}的{}倍以上，目标可能设定偏低，建议复核",
                    ind.name,
                    a.display_exact(),
                    t.display_exact(),
                    rules.over_achievement_ratio.display_exact()
                ));
            }
        }
        if let Some(lvl) = ind.achievement.and_then(|a| {
            rules
                .qualitative
                .levels
                .iter()
                .find(|l| a >= l.from && a <= l.to)
                .map(|l| l.name.clone())
        }) {
            flags.push(format!("“{}”定性评价为“{lvl}”", ind.name));
        }
        // Compare the exact (clamped) result with the maximum: a full score whose rounding
        // falls below a non-terminating weight (50/7 → 7.14) is still full.
        let below = scored
            .raw
            .is_none_or(|r| r.clamp(Ratio::ZERO, scored.max) < scored.max);
        if below && ind.deviation_reason.trim().is_empty() {
            warnings.push(Warning {
                code: ErrorCode::MissingDeviationReason,
                place: format!("{}:{} 项目“{}”", origin, ind.line, project.name),
                message: format!(
                    "指标“{}”未得满分，须填写偏差原因（deviation_reason）",
                    ind.name
                ),
            });
        }
    }
    Ok((
        ProjectEvaluation {
            project: project.clone(),
            evaluation,
            flags,
        },
        warnings,
    ))
}
