//! `juesuan check`: the consistency rules (审核公式) over a unit-year's tables.

use anyhow::{anyhow, Result};
use juesuan_check::{Outcome, Profile, RuleResult, RuleSet, RuleSeverity};
use juesuan_core::StatedPrecision;
use juesuan_data::Library;
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// The rule set for a table template and year (the application layer's), with an optional
/// profile applied.
pub fn rules(lib: &Library, template: &str, year: i32, profile: Option<&Path>) -> Result<RuleSet> {
    let set = juesuan_app::rules(lib, template, year).map_err(|e| anyhow!(e))?;
    Ok(match profile {
        None => set,
        Some(path) => {
            let text = crate::output::read_text_file(path, "审核方案")?;
            Profile::from_toml(&text, &path.display().to_string(), &set)
                .map_err(|e| anyhow!(e))?
                .apply(&set)
        }
    })
}

#[derive(Serialize)]
pub struct CheckReport<'a> {
    pub rules: &'a str,
    pub results: &'a [RuleResult],
    pub errors: usize,
    pub warnings: usize,
}

/// The rules' results as text (or JSON), and whether any error-level finding exists.
/// `precision` is the one the figures are stated to (the 尾差 notes are worded with it).
pub fn render(
    set: &RuleSet,
    results: &[RuleResult],
    format: &str,
    source: &str,
    precision: Option<StatedPrecision>,
) -> Result<(String, bool)> {
    let count = |sev: RuleSeverity| juesuan_app::count_findings(results, sev);
    let (errors, warnings) = (count(RuleSeverity::Error), count(RuleSeverity::Warning));
    let text = match format {
        "json" => serde_json::to_string_pretty(&CheckReport {
            rules: &set.name,
            results,
            errors,
            warnings,
        })?,
        "text" => {
            let mut s = format!(
                "审核：{source}（{}，{}条规则）\n",
                set.title,
                set.rules.len()
            );
            for r in results {
                for f in &r.findings {
                    let sev = match f.severity {
                        RuleSeverity::Error => "错误",
                        RuleSeverity::Warning => "警告",
                        RuleSeverity::Info => "提示",
                    };
                    // Amount findings show stated / expected / difference; the others (a
                    // missing reason, a missing note) say what is missing.
                    let is_amount = f
                        .stated
                        .starts_with(|c: char| c.is_ascii_digit() || c == '-');
                    if is_amount {
                        let _ = writeln!(
                            s,
                            "{sev}[{}] {}：{}。填列数{}，应为{}，差额{}（万元）",
                            f.rule, f.location, f.message, f.stated, f.expected, f.difference
                        );
                    } else {
                        let _ = writeln!(
                            s,
                            "{sev}[{}] {}：{}（{}，{}）",
                            f.rule, f.location, f.message, f.stated, f.difference
                        );
                    }
                    // Where the preparer fixes it: the input lines of the figures behind it.
                    if !f.input_lines.is_empty() {
                        let lines: Vec<String> =
                            f.input_lines.iter().map(|l| l.to_string()).collect();
                        let _ = writeln!(s, "  输入文件：{source} 第{}行", lines.join("、"));
                    }
                }
                // Gaps within the figures' rounding: 尾差 notes, worded as `validate` words them.
                for n in &r.rounding {
                    let _ = writeln!(
                        s,
                        "警告[W106] [{}] {}",
                        n.rule,
                        n.text(precision.unwrap_or(StatedPrecision::WAN_CENT))
                    );
                }
                if r.outcome == Outcome::InsufficientData {
                    let _ = writeln!(
                        s,
                        "未能审核[{}]：{}",
                        r.rule,
                        r.note.as_deref().unwrap_or("")
                    );
                }
            }
            let passed = results
                .iter()
                .filter(|r| r.outcome == Outcome::Pass)
                .count();
            let notes: usize = results.iter().map(|r| r.rounding.len()).sum();
            let notes = if notes == 0 {
                String::new()
            } else {
                format!("，{notes}处尾差")
            };
            let _ = writeln!(
                s,
                "结论：{}（{}条规则通过，{}处错误，{}处警告{notes}）",
                if errors == 0 { "通过" } else { "未通过" },
                passed,
                errors,
                warnings
            );
            s
        }
        other => return Err(anyhow!("不支持的格式“{other}”：可用 text、json")),
    };
    Ok((text, errors > 0))
}
