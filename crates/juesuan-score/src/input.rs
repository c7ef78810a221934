//! The `[evaluation]` part of a unit's input file (绩效评价输入). Its data types and its
//! reading live in juesuan-core (`juesuan_core::evaluation`: the unit-year holds it parsed);
//! checking it against an indicator system is here.

use juesuan_core::error::{ErrorCode, InputError};
pub use juesuan_core::evaluation::{
    parse_evaluation, DepartmentInput, EvaluationInput, ProjectIndicator, ProjectInput,
};

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
