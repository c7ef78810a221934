//! Scoring an indicator system against inputs, with a trace of every step.
//!
//! Each leaf's raw result is clamped to [0, max] and rounded half up to 2 decimals; a branch
//! scores the sum of its children. Nothing is guessed: a rule that cannot be computed from
//! the inputs (a missing input, a zero denominator) says so and scores nothing.

use crate::expr::{EvalError, Expr, Value};
use crate::ratio::Ratio;
use crate::system::{Checkpoint, GradeBasis, Indicator, IndicatorSystem, JudgementItem, Rule};
use serde::Serialize;
use std::collections::BTreeMap;

// The inputs' plain data types live in juesuan-core (the unit-year holds its parsed
// `[evaluation]`); scoring stays here.
pub use juesuan_core::evaluation::{Input, InputValue, Inputs, Judged, ListItem};

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Status {
    Scored,
    /// Could not be computed from the inputs; the reason says why.
    NotScored(String),
    /// Scored by the reviewing group only; not part of the self-evaluation.
    ReviewerOnly,
}

/// An input as used by a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsedInput {
    pub name: String,
    pub label: String,
    pub value: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorScore {
    pub id: String,
    pub name: String,
    pub level: usize,
    pub parent: Option<String>,
    pub max: Ratio,
    pub rule: Option<&'static str>,
    /// Before clamping and rounding (leaves only).
    pub raw: Option<Ratio>,
    /// Final points, 2 decimals.
    pub score: Option<Ratio>,
    pub status: Status,
    pub inputs: Vec<UsedInput>,
    pub steps: Vec<Step>,
    /// Problems the evaluator must fix (e.g. a missing justification).
    pub problems: Vec<String>,
    pub claimed: Option<Ratio>,
}

/// A claimed score that the inputs do not support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discrepancy {
    pub id: String,
    pub name: String,
    pub claimed: Ratio,
    pub computed: Option<Ratio>,
    pub reason: String,
    pub claim_source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub system: String,
    pub title: String,
    pub max: Ratio,
    /// Maximum of the self-evaluation (reviewer-only indicators excluded).
    pub self_max: Ratio,
    pub total: Ratio,
    pub grade: String,
    pub indicators: Vec<IndicatorScore>,
    pub claimed_total: Option<Ratio>,
    pub discrepancies: Vec<Discrepancy>,
    /// Leaves that could not be scored; when any, the total is incomplete and no grade is given.
    pub unscored: Vec<String>,
}

fn round2(r: Ratio) -> Ratio {
    Ratio::new(r.round_to(2), 100).expect("100 is not zero")
}

fn show(v: &Value) -> String {
    match v {
        Value::Num(r) => r.display_exact(),
        Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
    }
}

struct Leaf<'a> {
    system: &'a IndicatorSystem,
    inputs: &'a Inputs,
    /// Names of the rule's expression → input names (Formula's `bind`).
    bind: Option<&'a BTreeMap<String, String>>,
    used: Vec<UsedInput>,
    steps: Vec<Step>,
}

impl<'a> Leaf<'a> {
    fn step(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.steps.push(Step {
            label: label.into(),
            value: value.into(),
        });
    }

    /// Look an input up, recording it in the trace.
    fn lookup(&mut self, name: &str) -> Option<Value> {
        let name = self
            .bind
            .and_then(|b| b.get(name))
            .map_or(name, String::as_str);
        let input = self.inputs.values.get(name)?;
        let value = match &input.value {
            InputValue::Num(r) => Value::Num(*r),
            InputValue::Bool(b) => Value::Bool(*b),
            InputValue::List(_) => return None,
        };
        if !self.used.iter().any(|u| u.name == name) {
            self.used.push(UsedInput {
                name: name.to_string(),
                label: self
                    .system
                    .inputs
                    .get(name)
                    .map_or_else(|| name.to_string(), |d| d.label.clone()),
                value: show(&value),
                source: input.source.clone(),
            });
        }
        Some(value)
    }

    fn num(&mut self, e: &crate::expr::Expr) -> Result<Ratio, String> {
        let r = {
            let cell = std::cell::RefCell::new(&mut *self);
            e.eval_num(&|n| cell.borrow_mut().lookup(n))
        };
        r.map_err(|err| explain(&err, self.system, self.bind))
    }

    fn boolean(&mut self, e: &crate::expr::Expr) -> Result<bool, String> {
        let r = {
            let cell = std::cell::RefCell::new(&mut *self);
            e.eval_bool(&|n| cell.borrow_mut().lookup(n))
        };
        r.map_err(|err| explain(&err, self.system, self.bind))
    }

    /// The raw (unclamped) points of a rule.
    fn raw(&mut self, id: &str, max: Ratio, rule: &'a Rule) -> Result<Ratio, String> {
        let ratio_err = |e: crate::ratio::RatioError| e.to_string();
        match rule {
            Rule::Formula { expr, bind } => {
                self.bind = Some(bind);
                let v = self.num(expr);
                self.bind = None;
                let v = v?;
                self.step(format!("公式 {}", expr.source()), v.display_exact());
                Ok(v)
            }
            Rule::Cases { cases, otherwise } => {
                for (n, c) in cases.iter().enumerate() {
                    if self.boolean(&c.when)? {
                        self.step(format!("情形{}成立：{}", n + 1, c.when.source()), "是");
                        let v = self.num(&c.expr)?;
                        self.step(format!("按 {}", c.expr.source()), v.display_exact());
                        return Ok(v);
                    }
                    self.step(format!("情形{}：{}", n + 1, c.when.source()), "不成立");
                }
                let v = self.num(otherwise)?;
                self.step(
                    format!("其他情形：{}", otherwise.source()),
                    v.display_exact(),
                );
                Ok(v)
            }
            Rule::Bands { value, bands } => {
                let v = self.num(value)?;
                self.step(format!("计分值 {}", value.source()), v.display_exact());
                let band = bands
                    .iter()
                    .find(|b| b.contains(v))
                    .ok_or_else(|| format!("计分值{}不在任何区间内", v.display_exact()))?;
                self.step(
                    format!("落入区间 {}", band.describe()),
                    band.points.display_exact(),
                );
                Ok(band.points)
            }
            Rule::Checkpoints { checkpoints } => self.checkpoints(checkpoints),
            Rule::CountPass { items, pass } => self.count_pass(items, pass, max),
            Rule::DeductPerItem { count, per_item } => {
                let n = self.num(count)?;
                let deduct = n.checked_mul(*per_item).map_err(ratio_err)?;
                self.step(
                    format!(
                        "问题{}个×每个扣{}分",
                        n.display_exact(),
                        per_item.display_exact()
                    ),
                    deduct.display_exact(),
                );
                max.checked_sub(deduct).map_err(ratio_err)
            }
            Rule::Binary { condition } => {
                let ok = self.boolean(condition)?;
                self.step(
                    format!("条件 {}", condition.source()),
                    if ok { "成立" } else { "不成立" },
                );
                Ok(if ok { max } else { Ratio::ZERO })
            }
            Rule::Judgement { items } => self.judgement(id, items),
            Rule::Imported { input } => {
                let Some(Value::Num(v)) = self.lookup(input) else {
                    return Err(format!("缺少引用得分“{input}”"));
                };
                self.step("引用得分", v.display_exact());
                Ok(v)
            }
            Rule::ReviewerOnly { .. } => unreachable!("handled by the caller"),
        }
    }

    /// 按目标值的完成比例计分: each checkpoint's points × min(actual / target, 1).
    fn checkpoints(&mut self, checkpoints: &'a [Checkpoint]) -> Result<Ratio, String> {
        let ratio_err = |e: crate::ratio::RatioError| e.to_string();
        let mut total = Ratio::ZERO;
        for c in checkpoints {
            let a = self.num(&c.actual)?;
            let share = a
                .checked_div(c.target)
                .map_err(ratio_err)?
                .min(Ratio::ONE)
                .max(Ratio::ZERO);
            let pts = c.points.checked_mul(share).map_err(ratio_err)?;
            self.step(
                format!(
                    "{}：实际{}，目标{}，得分 {}×min(实际/目标,1)",
                    c.label,
                    a.display_exact(),
                    c.target.display_exact(),
                    c.points.display_exact()
                ),
                pts.display_exact(),
            );
            total = total.checked_add(pts).map_err(ratio_err)?;
        }
        Ok(total)
    }

    /// 达标比例: full points × the share of list items that pass.
    fn count_pass(&mut self, items: &str, pass: &'a Expr, max: Ratio) -> Result<Ratio, String> {
        let ratio_err = |e: crate::ratio::RatioError| e.to_string();
        let Some(Input {
            value: InputValue::List(list),
            source,
        }) = self.inputs.values.get(items)
        else {
            return Err(format!("缺少列表输入“{items}”"));
        };
        let label = self
            .system
            .inputs
            .get(items)
            .map_or(items, |d| d.label.as_str())
            .to_string();
        self.used.push(UsedInput {
            name: items.to_string(),
            label: label.clone(),
            value: format!("{}项", list.len()),
            source: source.clone(),
        });
        if list.is_empty() {
            return Err(format!("{label}为空，无法计算达标比例"));
        }
        let mut passed = 0i64;
        for (n, item) in list.iter().enumerate() {
            let inputs = self.inputs;
            let ok = pass
                .eval_bool(&|name| match name.strip_prefix("item.") {
                    Some(f) => item.fields.get(f).copied(),
                    None => match inputs.values.get(name).map(|i| &i.value) {
                        Some(InputValue::Num(r)) => Some(Value::Num(*r)),
                        Some(InputValue::Bool(b)) => Some(Value::Bool(*b)),
                        _ => None,
                    },
                })
                .map_err(|e| format!("第{}项：{}", n + 1, explain(&e, self.system, None)))?;
            let fields: Vec<String> = item
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={}", show(v)))
                .collect();
            self.step(
                format!("第{}项 {}（{}）", n + 1, item.label, fields.join("，")),
                if ok { "达标" } else { "未达标" },
            );
            if ok {
                passed += 1;
            }
        }
        let share = Ratio::new(passed as i128, list.len() as i128).map_err(ratio_err)?;
        self.step(
            format!("达标 {passed}/{}，得分 = 满分×达标比例", list.len()),
            share.display_exact(),
        );
        max.checked_mul(share).map_err(ratio_err)
    }

    /// 评价人打分: the reviewer's points per item, each limited to its maximum.
    fn judgement(&mut self, id: &str, items: &'a [JudgementItem]) -> Result<Ratio, String> {
        let ratio_err = |e: crate::ratio::RatioError| e.to_string();
        let Some(j) = self.inputs.judged.get(id) else {
            return Err("缺少评价人打分（judgement）".into());
        };
        if j.points.len() != items.len() {
            return Err(format!(
                "评分项应为{}项，输入给出{}项",
                items.len(),
                j.points.len()
            ));
        }
        let mut total = Ratio::ZERO;
        for (item, &p) in items.iter().zip(&j.points) {
            let p = p.clamp(Ratio::ZERO, item.max);
            self.step(
                format!("{}（满分{}）", item.name, item.max.display_exact()),
                p.display_exact(),
            );
            total = total.checked_add(p).map_err(ratio_err)?;
        }
        self.used.push(UsedInput {
            name: format!("{id}.judgement"),
            label: "评分依据".into(),
            value: j.justification.clone(),
            source: j.source.clone(),
        });
        Ok(total)
    }
}

fn explain(
    e: &EvalError,
    system: &IndicatorSystem,
    bind: Option<&BTreeMap<String, String>>,
) -> String {
    match e {
        EvalError::UnknownName(n) => {
            let n = bind.and_then(|b| b.get(n)).unwrap_or(n);
            format!(
                "缺少输入“{}”",
                system
                    .inputs
                    .get(n)
                    .map_or(n.as_str(), |d| d.label.as_str())
            )
        }
        other => other.to_string(),
    }
}

/// Score `system` in self-evaluation mode.
pub fn evaluate(system: &IndicatorSystem, inputs: &Inputs) -> Evaluation {
    let mut scores: Vec<IndicatorScore> = system
        .indicators
        .iter()
        .map(|ind| score_indicator(system, inputs, ind))
        .collect();
    sum_branches(system, &mut scores);
    let total = scores
        .iter()
        .filter(|s| s.parent.is_none())
        .filter_map(|s| s.score)
        .fold(Ratio::ZERO, |a, b| a.checked_add(b).unwrap_or(a));
    // A total with indicators that could not be scored is incomplete: no grade is given
    // rather than a grade the inputs do not support.
    let unscored: Vec<String> = scores
        .iter()
        .filter(|s| system.get(&s.id).is_some_and(|i| i.rule.is_some()))
        .filter(|s| matches!(s.status, Status::NotScored(_)))
        .map(|s| s.name.clone())
        .collect();
    let grade = if unscored.is_empty() {
        grade_of(system, total)
    } else {
        String::new()
    };
    let discrepancies = discrepancies(inputs, &scores, total, &unscored);
    Evaluation {
        system: system.name.clone(),
        title: system.title.clone(),
        max: system.max,
        self_max: system.self_max(),
        total,
        grade,
        indicators: scores,
        claimed_total: inputs.claimed.get("total").map(|(c, _)| *c),
        discrepancies,
        unscored,
    }
}

/// One indicator as its rule scores it (a branch without a rule is summed later by
/// [`sum_branches`]).
fn score_indicator(system: &IndicatorSystem, inputs: &Inputs, ind: &Indicator) -> IndicatorScore {
    let mut s = IndicatorScore {
        id: ind.id.clone(),
        name: ind.name.clone(),
        level: system.level(&ind.id),
        parent: ind.parent.clone(),
        max: ind.max,
        rule: ind.rule.as_ref().map(Rule::kind_label),
        raw: None,
        score: None,
        status: Status::Scored,
        inputs: Vec::new(),
        steps: Vec::new(),
        problems: Vec::new(),
        claimed: inputs.claimed.get(&ind.id).map(|(c, _)| *c),
    };
    let Some(rule) = &ind.rule else {
        return s;
    };
    if matches!(rule, Rule::ReviewerOnly { .. }) {
        s.status = Status::ReviewerOnly;
        return s;
    }
    let mut leaf = Leaf {
        system,
        inputs,
        bind: None,
        used: Vec::new(),
        steps: Vec::new(),
    };
    match leaf.raw(&ind.id, ind.max, rule) {
        Ok(raw) => {
            let final_score = clamp_and_round(&mut leaf, raw, ind.max);
            s.raw = Some(raw);
            s.score = Some(final_score);
            if let (Rule::Judgement { .. }, Some(j)) = (rule, inputs.judged.get(&ind.id)) {
                // Manual points always need their grounds; below full points
                // the grounds must say what was missing.
                if j.justification.trim().is_empty() {
                    s.problems.push(if final_score < ind.max {
                        "未得满分，须说明评分依据和扣分理由（justification）".into()
                    } else {
                        "评价人打分须说明评分依据（justification）".into()
                    });
                }
            }
        }
        Err(reason) => s.status = Status::NotScored(reason),
    }
    s.inputs = leaf.used;
    s.steps = leaf.steps;
    s
}

/// The raw score limited to 0..=max and rounded to hundredths, each step traced.
fn clamp_and_round(leaf: &mut Leaf<'_>, raw: Ratio, max: Ratio) -> Ratio {
    let clamped = raw.clamp(Ratio::ZERO, max);
    if clamped != raw {
        leaf.step(
            format!("限定在0至{}分之间", max.display_exact()),
            clamped.display_exact(),
        );
    }
    // Half-up rounding may lift a full score above a maximum that is not
    // a whole number of hundredths (50/16 = 3.125 → 3.13): then round down.
    let mut final_score = round2(clamped);
    if final_score > max {
        final_score = Ratio::new(clamped.round_to(2) - 1, 100).expect("100 is not zero");
    }
    leaf.step("四舍五入到两位小数", final_score.to_fixed(2));
    final_score
}

/// Branches: the sum of their children's scores, deepest first.
fn sum_branches(system: &IndicatorSystem, scores: &mut [IndicatorScore]) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(scores[i].level));
    for i in order {
        if system
            .get(&scores[i].id)
            .and_then(|x| x.rule.as_ref())
            .is_some()
        {
            continue;
        }
        let id = scores[i].id.clone();
        let kids: Vec<&IndicatorScore> = scores
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id.as_str()))
            .collect();
        let sum = kids
            .iter()
            .filter_map(|c| c.score)
            .fold(Ratio::ZERO, |a, b| a.checked_add(b).unwrap_or(a));
        let missing: Vec<String> = kids
            .iter()
            .filter(|c| matches!(c.status, Status::NotScored(_)))
            .map(|c| c.name.clone())
            .collect();
        let all_reviewer =
            !kids.is_empty() && kids.iter().all(|c| c.status == Status::ReviewerOnly);
        let s = &mut scores[i];
        s.score = (!all_reviewer).then_some(sum);
        s.status = if all_reviewer {
            Status::ReviewerOnly
        } else if missing.is_empty() {
            Status::Scored
        } else {
            Status::NotScored(format!("下级指标未能计分：{}", missing.join("、")))
        };
        s.steps.push(Step {
            label: "下级指标得分之和".into(),
            value: sum.to_fixed(2),
        });
    }
}

/// The grade band the total falls in (on the basis the system names).
fn grade_of(system: &IndicatorSystem, total: Ratio) -> String {
    let basis_value = match system.grades.basis {
        GradeBasis::Raw => total,
        GradeBasis::ShareOfSelfMax => total
            .checked_mul(Ratio::from_int(100))
            .and_then(|t| t.checked_div(system.self_max()))
            .unwrap_or(Ratio::ZERO),
    };
    system
        .grades
        .bands
        .iter()
        .find(|b| basis_value >= b.min)
        .map_or_else(String::new, |b| b.grade.clone())
}

/// Claimed scores (自评得分) that the computed ones do not support, with the step that decided.
fn discrepancies(
    inputs: &Inputs,
    scores: &[IndicatorScore],
    total: Ratio,
    unscored: &[String],
) -> Vec<Discrepancy> {
    let mut found = Vec::new();
    for s in scores {
        let Some((claimed, source)) = inputs.claimed.get(&s.id) else {
            continue;
        };
        let reason = match (&s.status, s.score) {
            (Status::ReviewerOnly, _) => continue,
            (Status::NotScored(why), _) => Some(format!("输入不足以计算该项得分：{why}")),
            // The step that decided the score: the last one before clamping and rounding.
            (_, Some(c)) if c != *claimed => Some(
                s.steps
                    .iter()
                    .rev()
                    .find(|st| !st.label.starts_with("四舍五入") && !st.label.starts_with("限定在"))
                    .map(|st| format!("{}：{}", st.label, st.value))
                    .unwrap_or_default(),
            ),
            _ => None,
        };
        if let Some(reason) = reason {
            found.push(Discrepancy {
                id: s.id.clone(),
                name: s.name.clone(),
                claimed: *claimed,
                computed: s.score,
                reason,
                claim_source: source.clone(),
            });
        }
    }
    if let Some((claimed, source)) = inputs.claimed.get("total") {
        if *claimed != total {
            found.push(Discrepancy {
                id: "total".into(),
                name: "总分".into(),
                claimed: *claimed,
                computed: Some(total),
                reason: if unscored.is_empty() {
                    format!("各指标按输入计算的得分合计为{}分", total.to_fixed(2))
                } else {
                    format!(
                        "可计算指标得分合计为{}分；{}项指标因输入不足未能计分（{}）",
                        total.to_fixed(2),
                        unscored.len(),
                        unscored.join("、")
                    )
                },
                claim_source: source.clone(),
            });
        }
    }
    found
}

impl Evaluation {
    /// Indicators depth first: each 一级 followed by its 二级 and their 三级, in file order.
    pub fn indicators_in_tree_order(&self) -> Vec<&IndicatorScore> {
        fn visit<'a>(ev: &'a Evaluation, parent: Option<&str>, out: &mut Vec<&'a IndicatorScore>) {
            for i in ev
                .indicators
                .iter()
                .filter(|i| i.parent.as_deref() == parent)
            {
                out.push(i);
                visit(ev, Some(&i.id), out);
            }
        }
        let mut out = Vec::with_capacity(self.indicators.len());
        visit(self, None, &mut out);
        out
    }
}
