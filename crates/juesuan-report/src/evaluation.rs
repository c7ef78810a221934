//! Rendering evaluations (绩效评价结果): a traced text report for `juesuan score`, and the
//! tables the disclosure publishes (部门整体支出绩效评价指标表 with scores, 项目支出绩效目标
//! 自评表 in the published layout and in the scored national layout), as Markdown and HTML.

use crate::render::escape_markdown as md;
use juesuan_core::markup::escape as esc;

/// A Markdown table cell: escaped, on one line (a line break would end the table row).
fn cell(s: &str) -> String {
    md(&s.replace("\r\n", " ").replace(['\r', '\n'], " "))
}
use juesuan_core::{InputError, UnitYear, Warning};
use juesuan_data::Library;
use juesuan_score::input::check_against;
use juesuan_score::project::{evaluate_project, ProjectEvaluation, ProjectRules};
use juesuan_score::score::{Evaluation, IndicatorScore, Status};
use juesuan_score::{evaluate, IndicatorSystem, Ratio};
use serde::Serialize;
use std::fmt::Write;

/// Everything scored for a unit-year.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub department: Option<Evaluation>,
    /// 指标解释 and 计分标准 per indicator id, for the published table.
    #[serde(skip)]
    pub department_system: Option<IndicatorSystem>,
    pub projects: Vec<ProjectEvaluation>,
    pub warnings: Vec<Warning>,
}

/// Load an indicator system by name for a year; variants resolve their base the same way.
pub fn load_system(lib: &Library, name: &str, year: i32) -> Result<IndicatorSystem, String> {
    let (origin, text) = lib.find("indicators", name, "toml", year).ok_or_else(|| {
        format!(
            "没有名为“{name}”的 {year} 年或更早的指标体系（data/indicators/{name}-<年度>.toml）"
        )
    })?;
    IndicatorSystem::from_toml(text, origin, &|base| {
        lib.find("indicators", base, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    })
    .map_err(|errors| {
        format!(
            "指标体系文件有误：\n{}",
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Load project rules by name for a year.
pub fn load_rules(lib: &Library, name: &str, year: i32) -> Result<ProjectRules, String> {
    let (origin, text) = lib.find("project-rules", name, "toml", year).ok_or_else(|| {
        format!("没有名为“{name}”的 {year} 年或更早的项目计分规则（data/project-rules/{name}-<年度>.toml）")
    })?;
    ProjectRules::from_toml(text, origin)
}

/// What scoring an input produced.
pub enum Scored {
    /// The input has no [evaluation].
    Nothing,
    Scores(Box<Scores>),
    /// Located errors in the evaluation input.
    InputErrors(Vec<InputError>),
}

/// Score the unit-year's `[evaluation]` (read with the rest of its input, see
/// `juesuan_core::evaluation`). `Err`: a data file (system, rules) is missing or wrong.
pub fn compute(lib: &Library, uy: &UnitYear) -> Result<Scored, String> {
    let Some(section) = &uy.evaluation else {
        return Ok(Scored::Nothing);
    };
    let ev = match &section.input {
        Ok(ev) => ev,
        Err(errors) => return Ok(Scored::InputErrors(errors.clone())),
    };
    let origin = section.origin.as_str();
    let mut scores = Scores {
        department: None,
        department_system: None,
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
            scores.department_system = Some(system);
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
    Ok(if errors.is_empty() {
        Scored::Scores(Box::new(scores))
    } else {
        Scored::InputErrors(errors)
    })
}

fn pts(r: Option<Ratio>) -> String {
    r.map_or_else(|| "—".to_string(), |r| r.to_fixed(2))
}

fn max_text(r: Ratio) -> String {
    // Weights split equally can be non-terminating (50/3): show them to 2 decimals.
    let exact = r.display_exact();
    if exact.ends_with('…') {
        r.to_fixed(2)
    } else {
        exact
    }
}

fn status_text(s: &IndicatorScore) -> String {
    match &s.status {
        Status::Scored => String::new(),
        Status::NotScored(why) => format!("（未能计分：{why}）"),
        Status::ReviewerOnly => "（评价组评分，不计入自评）".into(),
    }
}

/// The traced text report of one evaluation.
pub fn evaluation_text(ev: &Evaluation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", ev.title);
    let _ = writeln!(s, "{}", "=".repeat(40));
    for i in &ev.indicators_in_tree_order() {
        let indent = "  ".repeat(i.level - 1);
        let claimed = i
            .claimed
            .map(|c| format!("，自评{}", c.display_exact()))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{indent}{}（满分{}）：{}分{claimed}{}",
            i.name,
            max_text(i.max),
            pts(i.score),
            status_text(i)
        );
        if let Some(rule) = i.rule {
            let _ = writeln!(s, "{indent}  计分方式：{rule}");
        }
        for u in &i.inputs {
            let _ = writeln!(s, "{indent}  依据 {}＝{}（{}）", u.label, u.value, u.source);
        }
        if i.rule.is_some() {
            for st in &i.steps {
                let _ = writeln!(s, "{indent}  · {}：{}", st.label, st.value);
            }
        }
        for p in &i.problems {
            let _ = writeln!(s, "{indent}  ！{p}");
        }
    }
    let _ = writeln!(s, "{}", "-".repeat(40));
    if ev.unscored.is_empty() {
        let _ = writeln!(
            s,
            "总分：{}分（满分{}，自评满分{}），等级：{}",
            ev.total.to_fixed(2),
            max_text(ev.max),
            max_text(ev.self_max),
            if ev.grade.is_empty() {
                "—"
            } else {
                &ev.grade
            }
        );
    } else {
        let _ = writeln!(
            s,
            "可计算部分得分：{}分（满分{}，自评满分{}）。{}项指标因输入不足未能计分（{}），总分不完整，不评定等级。",
            ev.total.to_fixed(2),
            max_text(ev.max),
            max_text(ev.self_max),
            ev.unscored.len(),
            ev.unscored.join("、")
        );
    }
    if let Some(c) = ev.claimed_total {
        let _ = writeln!(s, "单位自评总分：{}分", c.display_exact());
    }
    if ev.discrepancies.is_empty() {
        if ev.claimed_total.is_some() || ev.indicators.iter().any(|i| i.claimed.is_some()) {
            let _ = writeln!(s, "自评得分均有输入数据支持。");
        }
    } else {
        let _ = writeln!(
            s,
            "\n自评得分与输入数据不符（{}处）：",
            ev.discrepancies.len()
        );
        for d in &ev.discrepancies {
            let _ = writeln!(
                s,
                "  - {}：自评{}分，{}。{}（自评得分见 {}）",
                d.name,
                d.claimed.display_exact(),
                d.computed.map_or_else(
                    || "无法按输入计算".to_string(),
                    |c| format!("按输入计算为{}分", c.to_fixed(2))
                ),
                d.reason,
                d.claim_source
            );
        }
    }
    s
}

/// A project's evaluation as text, with its flags.
pub fn project_text(p: &ProjectEvaluation) -> String {
    let mut s = evaluation_text(&p.evaluation);
    for f in &p.flags {
        let _ = writeln!(s, "提示：{f}");
    }
    s
}

/// The department indicator table (部门整体支出绩效评价指标表): 一级/二级/三级, 分值, 指标解释,
/// 计分标准, 自评得分 and the score the inputs support.
pub fn department_table_markdown(
    ev: &Evaluation,
    standards: &dyn Fn(&str) -> (String, String),
) -> String {
    let mut s = String::from("| 一级指标 | 二级指标 | 三级指标 | 分值 | 指标解释 | 计分标准 | 自评得分 | 按数据计算得分 |\n|---|---|---|---:|---|---|---:|---:|\n");
    for i in ev.indicators_in_tree_order() {
        let mut cols = [String::new(), String::new(), String::new()];
        if i.level <= 3 {
            cols[i.level - 1] = i.name.clone();
        }
        let (explanation, standard) = standards(&i.id);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&cols[0]),
            cell(&cols[1]),
            cell(&cols[2]),
            max_text(i.max),
            cell(&explanation),
            cell(&standard),
            i.claimed.map_or_else(String::new, |c| c.display_exact()),
            match i.status {
                Status::ReviewerOnly => "评价组评分".to_string(),
                _ => pts(i.score),
            }
        );
    }
    let _ = writeln!(
        s,
        "| 总分 |  |  | {} |  |  | {} | {} |",
        max_text(ev.max),
        ev.claimed_total
            .map_or_else(String::new, |c| c.display_exact()),
        cell(&published_total(ev).total)
    );
    s
}

/// 总分 and 等级 as a published table prints them. When indicators could not be scored the
/// total is a partial sum: it is named as such, with the reason, and no grade is given —
/// never a bare partial sum beside a blank grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTotal {
    pub total: String,
    pub grade: String,
    /// False when some indicators could not be scored.
    pub complete: bool,
}

pub fn published_total(ev: &Evaluation) -> PublishedTotal {
    if ev.unscored.is_empty() {
        PublishedTotal {
            total: ev.total.to_fixed(2),
            grade: if ev.grade.is_empty() {
                "—".into()
            } else {
                ev.grade.clone()
            },
            complete: true,
        }
    } else {
        PublishedTotal {
            total: format!(
                "总分不完整：可计算部分{}分，{}项指标缺少计分数据（{}）",
                ev.total.to_fixed(2),
                ev.unscored.len(),
                ev.unscored.join("、")
            ),
            grade: "不评定（总分不完整）".into(),
            complete: false,
        }
    }
}

/// 项目支出绩效目标自评表 as published (targets and actuals, no scores).
pub fn project_table_markdown(p: &ProjectEvaluation, unit: &str) -> String {
    let pr = &p.project;
    let mut s = format!(
        "**项目名称**：{}　**预算单位**：{}\n\n**预算执行情况**（{unit}）：预算数 {}，执行数 {}\n\n**年度目标**：{}\n\n**实际完成**：{}\n\n",
        md(&pr.name),
        if pr.department.is_empty() { "—".to_string() } else { md(&pr.department) },
        pr.budget.display_exact(),
        pr.executed.display_exact(),
        md(&pr.goal),
        md(&pr.achieved)
    );
    s.push_str("| 一级指标 | 二级指标 | 三级指标 | 预期指标值 | 实际完成指标值 | 偏差原因 |\n|---|---|---|---|---|---|\n");
    for i in &pr.indicators {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&i.level1),
            cell(&i.level2),
            cell(&i.name),
            cell(&i.target_text),
            cell(&i.actual_text),
            cell(&i.deviation_reason)
        );
    }
    s
}

/// 项目支出绩效自评表 in the scored national layout (财预〔2020〕10号): weights and scores.
pub fn project_scored_table_markdown(p: &ProjectEvaluation) -> String {
    let ev = &p.evaluation;
    let mut s = String::from("| 指标 | 分值 | 得分 | 说明 |\n|---|---:|---:|---|\n");
    for i in ev.indicators_in_tree_order() {
        let _ = writeln!(
            s,
            "| {}{} | {} | {} | {} |",
            "　".repeat(i.level - 1),
            cell(&i.name),
            max_text(i.max),
            pts(i.score),
            cell(&status_text(i))
        );
    }
    let total = published_total(ev);
    let _ = writeln!(
        s,
        "| 总分 | {} | {} | 等级：{} |",
        max_text(ev.max),
        cell(&total.total),
        total.grade
    );
    s
}

/// Markdown tables → HTML through the same renderer as the report.
pub fn markdown_html(md: &str) -> String {
    crate::render::markdown_to_html(md)
}

/// A self-contained HTML page of evaluations (for `juesuan score --format html`).
pub fn evaluations_html(title: &str, sections: &[(String, String)]) -> String {
    let mut body = format!("<h1>{}</h1>\n", esc(title));
    for (heading, text) in sections {
        let _ = write!(
            body,
            "<h2>{}</h2>\n<pre>{}</pre>\n",
            esc(heading),
            esc(text)
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{} pre {{ white-space: pre-wrap; font-family: inherit; }}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        esc(title),
        crate::render::CSS
    )
}

/// The evaluation attachments of the disclosure (第五部分): the department indicator table
/// with self-scores and computed scores, then each project's table as published and scored.
pub fn disclosure_markdown(scores: &Scores, amount_unit: &str) -> String {
    let mut s = String::new();
    if let (Some(ev), Some(system)) = (&scores.department, &scores.department_system) {
        let _ = writeln!(s, "### {}\n", md(&ev.title));
        let standards = |id: &str| {
            system
                .get(id)
                .map(|i| (i.explanation.clone(), i.standard.clone()))
                .unwrap_or_default()
        };
        s.push_str(&department_table_markdown(ev, &standards));
        s.push('\n');
        if !ev.discrepancies.is_empty() {
            let _ = writeln!(
                s,
                "注：按本表计分标准和所列数据，下列自评得分缺少数据支持：\n"
            );
            for d in &ev.discrepancies {
                let _ = writeln!(
                    s,
                    "- {}：自评{}分，{}。",
                    md(&d.name),
                    d.claimed.display_exact(),
                    d.computed.map_or_else(
                        || "所列数据不足以计算".to_string(),
                        |c| format!("按数据计算为{}分", c.to_fixed(2))
                    )
                );
            }
            s.push('\n');
        }
    }
    for p in &scores.projects {
        let _ = writeln!(s, "### 项目支出绩效目标自评表：{}\n", md(&p.project.name));
        s.push_str(&project_table_markdown(p, amount_unit));
        s.push('\n');
        let _ = writeln!(
            s,
            "按《项目支出绩效评价管理办法》（财预〔2020〕10号）计分：\n"
        );
        s.push_str(&project_scored_table_markdown(p));
        s.push('\n');
    }
    s
}
