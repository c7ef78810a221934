//! `juesuan score`: the department and project evaluations of a unit-year, with traces.

use anyhow::{anyhow, Result};
use juesuan_report::evaluation::{evaluation_text, evaluations_html, project_text, Scores};
use std::process::ExitCode;

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
