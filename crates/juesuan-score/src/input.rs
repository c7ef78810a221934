//! The `[evaluation]` part of a unit's input file (绩效评价输入): the department's inputs to
//! its indicator system, and each project's indicator list. Read from the same TOML text as
//! the rest of the input, exactly (numbers re-read from the source), with located errors.

use crate::expr::Value;
use crate::ratio::Ratio;
use crate::score::{Input, InputValue, Inputs, Judged};
use juesuan_core::error::{ErrorCode, InputError};
use juesuan_core::input::location_of;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

type Num = Spanned<toml::Value>;

#[derive(Deserialize)]
struct Root {
    #[serde(default)]
    evaluation: Option<EvaluationIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationIn {
    #[serde(default)]
    department: Option<DepartmentIn>,
    #[serde(default)]
    projects: Vec<ProjectIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentIn {
    system: Spanned<String>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, Num>,
    #[serde(default)]
    lists: BTreeMap<Spanned<String>, Vec<BTreeMap<String, Num>>>,
    #[serde(default)]
    judged: BTreeMap<Spanned<String>, JudgedIn>,
    #[serde(default)]
    claimed: BTreeMap<Spanned<String>, Num>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgedIn {
    points: Vec<Num>,
    #[serde(default)]
    justification: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectIn {
    name: Spanned<String>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    rules: Option<String>,
    budget: Num,
    executed: Num,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    achieved: String,
    #[serde(default)]
    claimed_total: Option<Num>,
    #[serde(default)]
    indicators: Vec<Spanned<IndicatorIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorIn {
    level1: String,
    #[serde(default)]
    level2: String,
    name: String,
    operator: Spanned<String>,
    #[serde(default)]
    target: Option<Num>,
    #[serde(default)]
    actual: Option<Num>,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    target_text: String,
    #[serde(default)]
    actual_text: String,
    #[serde(default)]
    achievement: Option<Num>,
    #[serde(default)]
    weight: Option<Num>,
    #[serde(default)]
    deviation_reason: String,
    #[serde(default)]
    claimed: Option<Num>,
}

/// The department's evaluation input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentInput {
    /// Indicator system name (data/indicators/<name>-<year>.toml).
    pub system: String,
    pub system_line: usize,
    pub inputs: Inputs,
}

/// One indicator of a project's self-evaluation table (项目支出绩效目标自评表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectIndicator {
    /// 一级指标 as written (产出指标 / 项目完成指标 …)
    pub level1: String,
    /// 二级指标 (数量指标 …)
    pub level2: String,
    /// 三级指标
    pub name: String,
    /// ≥ > = ≤ < 约 左右 定性 …
    pub operator: String,
    pub target: Option<Ratio>,
    pub actual: Option<Ratio>,
    pub unit: String,
    /// 预期指标值 as published (text)
    pub target_text: String,
    /// 实际完成指标值 as published (text)
    pub actual_text: String,
    /// Qualitative indicators: the achieved share of the weight (0–1) the evaluator judged.
    pub achievement: Option<Ratio>,
    pub weight: Option<Ratio>,
    /// 偏差原因
    pub deviation_reason: String,
    pub claimed: Option<Ratio>,
    pub line: usize,
}

/// One project's self-evaluation input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectInput {
    pub name: String,
    pub department: String,
    /// Project rules name (data/project-rules/<name>-<year>.toml), default "national".
    pub rules: String,
    /// 全年预算数
    pub budget: Ratio,
    /// 全年执行数
    pub executed: Ratio,
    pub goal: String,
    pub achieved: String,
    pub claimed_total: Option<Ratio>,
    pub indicators: Vec<ProjectIndicator>,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EvaluationInput {
    pub department: Option<DepartmentInput>,
    pub projects: Vec<ProjectInput>,
}

struct Reader<'a> {
    text: &'a str,
    origin: &'a str,
    errors: Vec<InputError>,
}

impl Reader<'_> {
    fn line(&self, offset: usize) -> usize {
        location_of(self.text, offset).line
    }

    fn source(&self, offset: usize) -> String {
        format!("{}:{}", self.origin, self.line(offset))
    }

    fn err(&mut self, code: ErrorCode, offset: usize, message: String, hint: &str) {
        self.errors.push(InputError {
            code,
            file: self.origin.to_string(),
            location: Some(location_of(self.text, offset)),
            message,
            hint: hint.to_string(),
        });
    }

    /// An exact number: integers, numeric strings ("0.5", "67.5%"), or floats re-read
    /// from their source text (never through f64).
    fn number(&mut self, v: &Num, what: &str) -> Option<Ratio> {
        let span = v.span();
        let parsed = match v.get_ref() {
            toml::Value::Integer(i) => Ok(Ratio::from_int(*i)),
            toml::Value::String(s) => Ratio::parse(s),
            toml::Value::Float(_) => Ratio::parse(self.text[span.clone()].trim()),
            _ => {
                self.err(
                    ErrorCode::EvaluationValue,
                    span.start,
                    format!("{what}应为数值"),
                    "请填写数字，如 8、0.5 或 \"67.5%\"。",
                );
                return None;
            }
        };
        match parsed {
            Ok(r) => Some(r),
            Err(e) => {
                self.err(
                    ErrorCode::EvaluationValue,
                    span.start,
                    format!("{what}不是有效数值（{e}）"),
                    "请填写数字，如 8、0.5 或 \"67.5%\"。",
                );
                None
            }
        }
    }

    fn value(&mut self, v: &Num, what: &str) -> Option<InputValue> {
        match v.get_ref() {
            toml::Value::Boolean(b) => Some(InputValue::Bool(*b)),
            _ => self.number(v, what).map(InputValue::Num),
        }
    }
}

/// Read the `[evaluation]` part of an input text. `Ok(None)` when there is none.
pub fn parse_evaluation(
    text: &str,
    origin: &str,
) -> Result<Option<EvaluationInput>, Vec<InputError>> {
    let root: Root = toml::from_str(text).map_err(|e| {
        vec![InputError {
            code: ErrorCode::EvaluationValue,
            file: origin.to_string(),
            location: e.span().map(|s| location_of(text, s.start)),
            message: format!("[evaluation] 格式错误：{}", e.message()),
            hint: "请按 docs/evaluation.md 填写绩效评价输入。".into(),
        }]
    })?;
    let Some(ev) = root.evaluation else {
        return Ok(None);
    };
    let mut r = Reader {
        text,
        origin,
        errors: Vec::new(),
    };
    let mut out = EvaluationInput::default();
    if let Some(d) = ev.department {
        let mut inputs = Inputs::default();
        for (name, v) in &d.values {
            if let Some(value) = r.value(v, &format!("评价依据“{}”", name.get_ref())) {
                inputs.values.insert(
                    name.get_ref().clone(),
                    Input {
                        value,
                        source: r.source(v.span().start),
                    },
                );
            }
        }
        for (name, items) in &d.lists {
            let mut list = Vec::new();
            for item in items {
                let mut fields = BTreeMap::new();
                let mut label = String::new();
                for (k, v) in item {
                    // Text fields (names, notes) label the item; numbers and booleans are data.
                    if let toml::Value::String(s) = v.get_ref() {
                        if Ratio::parse(s).is_err() {
                            if k == "name" {
                                label = s.clone();
                            }
                            continue;
                        }
                    }
                    if let Some(value) = r.value(v, &format!("“{}”的“{k}”", name.get_ref()))
                    {
                        fields.insert(
                            k.clone(),
                            match value {
                                InputValue::Num(n) => Value::Num(n),
                                InputValue::Bool(b) => Value::Bool(b),
                                InputValue::List(_) => unreachable!(),
                            },
                        );
                    }
                }
                list.push(crate::score::ListItem { label, fields });
            }
            inputs.values.insert(
                name.get_ref().clone(),
                Input {
                    value: InputValue::List(list),
                    source: r.source(name.span().start),
                },
            );
        }
        for (id, j) in &d.judged {
            let points = j
                .points
                .iter()
                .filter_map(|p| r.number(p, &format!("“{}”的评分", id.get_ref())))
                .collect();
            inputs.judged.insert(
                id.get_ref().clone(),
                Judged {
                    points,
                    justification: j.justification.clone(),
                    source: r.source(id.span().start),
                },
            );
        }
        for (id, v) in &d.claimed {
            if let Some(n) = r.number(v, &format!("“{}”的自评得分", id.get_ref())) {
                inputs
                    .claimed
                    .insert(id.get_ref().clone(), (n, r.source(v.span().start)));
            }
        }
        out.department = Some(DepartmentInput {
            system: d.system.get_ref().clone(),
            system_line: r.line(d.system.span().start),
            inputs,
        });
    }
    for p in &ev.projects {
        let name = p.name.get_ref().clone();
        let budget = r.number(&p.budget, &format!("项目“{name}”的全年预算数"));
        let executed = r.number(&p.executed, &format!("项目“{name}”的全年执行数"));
        let claimed_total = p
            .claimed_total
            .as_ref()
            .and_then(|c| r.number(c, &format!("项目“{name}”的自评总分")));
        let mut indicators = Vec::new();
        for ind in &p.indicators {
            let at = ind.span().start;
            let i = ind.get_ref();
            let what = |f: &str| format!("项目“{name}”指标“{}”的{f}", i.name);
            let mut num = |v: &Option<Num>, f: &str| v.as_ref().and_then(|v| r.number(v, &what(f)));
            let target = num(&i.target, "预期值");
            let actual = num(&i.actual, "实际值");
            let achievement = num(&i.achievement, "达成程度");
            let weight = num(&i.weight, "权重");
            let claimed = num(&i.claimed, "自评得分");
            indicators.push(ProjectIndicator {
                level1: i.level1.clone(),
                level2: i.level2.clone(),
                name: i.name.clone(),
                operator: i.operator.get_ref().trim().to_string(),
                target,
                actual,
                unit: i.unit.clone(),
                target_text: i.target_text.clone(),
                actual_text: i.actual_text.clone(),
                achievement,
                weight,
                deviation_reason: i.deviation_reason.clone(),
                claimed,
                line: r.line(at),
            });
        }
        if let (Some(budget), Some(executed)) = (budget, executed) {
            out.projects.push(ProjectInput {
                name,
                department: p.department.clone(),
                rules: p.rules.clone().unwrap_or_else(|| "national".into()),
                budget,
                executed,
                goal: p.goal.clone(),
                achieved: p.achieved.clone(),
                claimed_total,
                indicators,
                line: r.line(p.name.span().start),
            });
        }
    }
    if r.errors.is_empty() {
        Ok(Some(out))
    } else {
        Err(r.errors)
    }
}

/// Inputs given that the system does not declare, and judgement point counts that do not
/// match: located errors, so a typo in an input name never silently scores 0.
pub fn check_against(
    dept: &DepartmentInput,
    system: &crate::system::IndicatorSystem,
    origin: &str,
) -> Vec<InputError> {
    let mut errors = Vec::new();
    let at = |source: &str| {
        source
            .rsplit(':')
            .next()
            .and_then(|l| l.parse().ok())
            .map(|line| juesuan_core::facts::Location { line, column: 1 })
    };
    for (name, input) in &dept.inputs.values {
        if !system.inputs.contains_key(name) {
            errors.push(InputError {
                code: ErrorCode::EvaluationMismatch,
                file: origin.to_string(),
                location: at(&input.source),
                message: format!("指标体系“{}”没有名为“{name}”的评价依据", system.name),
                hint: format!(
                    "可用：{}",
                    system.inputs.keys().cloned().collect::<Vec<_>>().join("、")
                ),
            });
        }
    }
    for (id, j) in &dept.inputs.judged {
        let expected = match system.get(id).and_then(|i| i.rule.as_ref()) {
            Some(crate::system::Rule::Judgement { items }) => Some(items.len()),
            _ => None,
        };
        let problem = match expected {
            None => Some(format!(
                "指标体系“{}”没有评价人打分的指标“{id}”",
                system.name
            )),
            Some(n) if n != j.points.len() => Some(format!(
                "指标“{id}”有{n}个评分项，输入给出{}个分数",
                j.points.len()
            )),
            _ => None,
        };
        if let Some(message) = problem {
            errors.push(InputError {
                code: ErrorCode::EvaluationMismatch,
                file: origin.to_string(),
                location: at(&j.source),
                message,
                hint: "请对照指标体系文件（juesuan data indicators/…）核对指标 id 和评分项。"
                    .into(),
            });
        }
    }
    for (id, (_, source)) in &dept.inputs.claimed {
        if id != "total" && system.get(id).is_none() {
            errors.push(InputError {
                code: ErrorCode::EvaluationMismatch,
                file: origin.to_string(),
                location: at(source),
                message: format!("指标体系“{}”没有指标“{id}”", system.name),
                hint: "自评得分按指标 id 填写；总分写 total。".into(),
            });
        }
    }
    errors
}
