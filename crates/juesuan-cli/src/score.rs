//! `juesuan score`: the department and project evaluations of a unit-year, with traces.

use anyhow::{anyhow, Result};
use juesuan_core::{UnitYear, Warning};
use juesuan_data::Library;
use juesuan_report::evaluation::{evaluation_text, evaluations_html, project_text};
use juesuan_score::input::{check_against, parse_evaluation, EvaluationInput};
use juesuan_score::project::{evaluate_project, ProjectEvaluation, ProjectRules};
use juesuan_score::{evaluate, Evaluation, IndicatorSystem};
use serde::Serialize;
use std::process::ExitCode;

/// Everything `juesuan score` computes.
#[derive(Serialize)]
pub struct Scores {
    pub department: Option<Evaluation>,
    pub projects: Vec<ProjectEvaluation>,
    pub warnings: Vec<Warning>,
}

/// Load an indicator system by name for a year; variants resolve their base the same way.
pub fn load_system(lib: &Library, name: &str, year: i32) -> Result<IndicatorSystem> {
    let (origin, text) = lib.find("indicators", name, "toml", year).ok_or_else(|| {
        anyhow!(
            "没有名为“{name}”的 {year} 年或更早的指标体系（data/indicators/{name}-<年度>.toml）"
        )
    })?;
    IndicatorSystem::from_toml(text, origin, &|base| {
        lib.find("indicators", base, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    })
    .map_err(|errors| {
        anyhow!(
            "指标体系文件有误：\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

pub fn load_rules(lib: &Library, name: &str, year: i32) -> Result<ProjectRules> {
    let (origin, text) = lib.find("project-rules", name, "toml", year).ok_or_else(|| {
        anyhow!("没有名为“{name}”的 {year} 年或更早的项目计分规则（data/project-rules/{name}-<年度>.toml）")
    })?;
    ProjectRules::from_toml(text, origin).map_err(|e| anyhow!(e))
}

/// Score a unit-year. `Ok(Err(errors))`: the evaluation input has located errors.
pub fn compute(
    lib: &Library,
    uy: &UnitYear,
    text: &str,
    origin: &str,
) -> Result<std::result::Result<Option<Scores>, Vec<juesuan_core::InputError>>> {
    let ev: EvaluationInput = match parse_evaluation(text, origin) {
        Ok(Some(ev)) => ev,
        Ok(None) => return Ok(Ok(None)),
        Err(errors) => return Ok(Err(errors)),
    };
    let mut scores = Scores {
        department: None,
        projects: Vec::new(),
        warnings: Vec::new(),
    };
    let mut errors = Vec::new();
    if let Some(dept) = &ev.department {
        let system = load_system(lib, &dept.system, uy.year)?;
        let problems = check_against(dept, &system, origin);
        if problems.is_empty() {
            let mut inputs = dept.inputs.clone();
            juesuan_score::derive::fill_derived(&system, uy, &mut inputs);
            scores.department = Some(evaluate(&system, &inputs));
        }
        errors.extend(problems);
    }
    for p in &ev.projects {
        let rules = load_rules(lib, &p.rules, uy.year)?;
        match evaluate_project(&rules, p, origin) {
            Ok((pe, warnings)) => {
                scores.projects.push(pe);
                scores.warnings.extend(warnings);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(Ok(Some(scores)))
    } else {
        Ok(Err(errors))
    }
}

pub fn render(scores: &Scores, format: &str, title: &str) -> Result<String> {
    Ok(match format {
        "json" => serde_json::to_string_pretty(scores)?,
        "text" | "html" => {
            let mut sections = Vec::new();
            if let Some(d) = &scores.department {
                sections.push(("部门整体支出绩效评价".to_string(), evaluation_text(d)));
            }
            for p in &scores.projects {
                sections.push((
                    format!("项目支出绩效自评：{}", p.project.name),
                    project_text(p),
                ));
            }
            if !scores.warnings.is_empty() {
                sections.push((
                    "警告".to_string(),
                    scores
                        .warnings
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ));
            }
            if format == "html" {
                evaluations_html(title, &sections)
            } else {
                sections
                    .iter()
                    .map(|(h, t)| format!("【{h}】\n{t}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        other => return Err(anyhow!("不支持的格式“{other}”：可用 text、json、html")),
    })
}

/// Exit status: 0 scored; 1 input errors.
pub fn exit_code(errors: &[juesuan_core::InputError]) -> ExitCode {
    for e in errors {
        eprintln!("{e}");
    }
    eprintln!("共{}处错误，未评分。", errors.len());
    ExitCode::from(1)
}
