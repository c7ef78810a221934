//! juesuan-app: the application layer (应用层). The stages of the pipeline, assembled once for
//! the command line, the web app and the store, so that they read, check, score and report an
//! input alike:
//!
//! 1. **read** — [`Library::read_input`]: the declared year chooses the catalogues (with any
//!    `--catalogue` supplements the library holds), then the strict parse → `UnitYear`;
//! 2. **rules** — [`rules`]: the rule set of the unit-year's table template and year, with
//!    `extends` resolved in the same library;
//! 3. **analyse** — [`check`] (derived tables + the narrative's explanations → rule results),
//!    [`score`] (the `[evaluation]` part, parsed with the rest into `UnitYear::evaluation`) and [`report`] (tables, narrative, charts), or all of
//!    them at once with [`analyse`].
//!
//! Pure: text in, values out. Reading files, printing and exit codes stay with the callers.
//!
//! [`allocation`] reads and allocates a transfer-payment allocation plan (docs/allocation.md) and
//! fills the unit-year's transfer-payment self-evaluation table from it before scoring.
//!
//! [`batch`] audits many published reports at once (the caller gives their text) and writes
//! the summary as text, CSV, JSON or HTML.

pub mod allocation;
pub mod batch;

use juesuan_check::{Outcome, RuleResult, RuleSet, RuleSeverity};
use juesuan_core::{Catalogues, InputError, UnitYear};
pub use juesuan_data::{Library, ReadError};
use juesuan_report::evaluation::{compute, Scored, Scores};
use juesuan_report::Report;
use serde::Serialize;

/// The shipped (or `--data-dir`) rule set for a table template and year.
pub fn rules(lib: &Library, template: &str, year: i32) -> Result<RuleSet, String> {
    let (origin, text) = lib.find("rules", template, "toml", year).ok_or_else(|| {
        format!(
            "没有“{template}”表样 {year} 年或更早的审核公式（data/rules/{template}-<年度>.toml）"
        )
    })?;
    // `extends = "<name>"` names another rule set, found the same way (newest not after the
    // extending file's year; the user's --data-dir first).
    let resolve = |name: &str, year: i32| {
        lib.find("rules", name, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    };
    RuleSet::from_toml_resolving(text, origin, &resolve).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!("审核公式文件有误：\n{}", lines.join("\n"))
    })
}

/// Run `set` over the unit-year's derived tables and the narrative's explanations.
pub fn check_with(
    lib: &Library,
    set: &RuleSet,
    uy: &UnitYear,
    cats: &Catalogues,
) -> Result<Vec<RuleResult>, String> {
    let table_set = lib.table_set(&uy.template, uy.year)?;
    let tables = juesuan_core::tables::derive_tables(&table_set, uy, cats);
    let (cx, _) = juesuan_report::context::build(uy, cats, Vec::new());
    let explained = juesuan_report::context::explanations(&cx);
    Ok(juesuan_check::run_with_precision(
        set,
        &tables,
        &explained,
        uy.stated_precision,
    ))
}

/// [`check_with`] the unit-year's own rule set.
pub fn check(lib: &Library, uy: &UnitYear, cats: &Catalogues) -> Result<CheckSummary, String> {
    let set = rules(lib, &uy.template, uy.year)?;
    Ok(CheckSummary::of(check_with(lib, &set, uy, cats)?))
}

/// The unit-year's `[evaluation]` scored (read with the rest of the input into
/// [`UnitYear::evaluation`]; its input errors come back as [`Scored::InputErrors`]).
pub fn score(lib: &Library, uy: &UnitYear) -> Result<Scored, String> {
    compute(lib, uy)
}

/// The report (tables, narrative, charts), with the scores when there are any.
pub fn report(
    lib: &Library,
    uy: &UnitYear,
    cats: &Catalogues,
    scores: Option<&Scores>,
) -> Result<Report, String> {
    let mut report = juesuan_report::build_report_with_scores(uy, lib, cats, scores)?;
    // The catalogues' own warnings first (an earlier year's list used, W104; a 项 the list
    // lacks, W105): they say how far every other figure's codes could be checked.
    report.warnings.splice(0..0, cats.warnings(uy));
    report.warnings.extend(self_audit_rounded(
        &report.markdown,
        uy.stated_precision.is_some(),
    ));
    Ok(report)
}

/// generate → audit, on every report: the figures juesuan derives agree by construction, so
/// what the auditor finds in the generated Markdown stands in text the input supplied (a
/// project's actual-value text, a reason): a warning (W103) naming the sentence, before it is
/// published.
pub fn self_audit(markdown: &str) -> Vec<juesuan_core::error::Warning> {
    self_audit_rounded(markdown, false)
}

/// [`self_audit`] of the report of a unit whose figures are `rounded` (`stated_precision`):
/// its tables reproduce the gaps between the published tables it was copied from, which
/// reading already graded (W106 within rounding, E030–E032 beyond), so the auditor's findings
/// about table figures are not repeated as text errors.
pub fn self_audit_rounded(markdown: &str, rounded: bool) -> Vec<juesuan_core::error::Warning> {
    let about_tables = juesuan_audit::Kind::relates_table_figures;
    // With rounded figures a sentence can pair a total with parts summed from other rounded
    // figures: a gap of a few 分 there is the inputs' own rounding, not text to correct.
    let advice = if rounded {
        "本单位的数按填列精度（stated_precision）取整，合计与分项分别由取整的数相加时会差几分（读入时的尾差提示 W106 列出了这些关系）；差额超出几分的，请核对输入"
    } else {
        "这段文字来自输入，请核对后在输入文件中改正"
    };
    juesuan_audit::audit(markdown)
        .failures()
        .filter(|c| !(rounded && about_tables(c.kind)))
        .map(|c| juesuan_core::error::Warning {
            code: juesuan_core::error::ErrorCode::TextArithmetic,
            place: c.section.clone(),
            message: format!(
                "生成的报告第{}行{}：{}。原文：{}。{advice}",
                c.line,
                c.kind.label(),
                c.message,
                c.quote.trim_end_matches('。')
            ),
        })
        .collect()
}

/// The result of the consistency checks of one unit-year.
#[derive(Debug, Clone, Serialize)]
pub struct CheckSummary {
    pub rules: usize,
    pub passed: usize,
    pub errors: usize,
    pub warnings: usize,
    pub results: Vec<RuleResult>,
}

/// How many findings of `severity` the results hold.
pub fn count_findings(results: &[RuleResult], severity: RuleSeverity) -> usize {
    results
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.severity == severity)
        .count()
}

impl CheckSummary {
    pub fn of(results: Vec<RuleResult>) -> CheckSummary {
        let count = |sev: RuleSeverity| count_findings(&results, sev);
        CheckSummary {
            rules: results.len(),
            passed: results
                .iter()
                .filter(|r| r.outcome == Outcome::Pass)
                .count(),
            errors: count(RuleSeverity::Error),
            warnings: count(RuleSeverity::Warning),
            results,
        }
    }

    /// Rules with at least one error- or warning-level finding.
    pub fn failing_rules(&self) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .map(|r| r.rule.as_str())
            .collect()
    }

    /// 通过 / 有警告 / 未通过
    pub fn status(&self) -> &'static str {
        if self.errors > 0 {
            "未通过"
        } else if self.warnings > 0 {
            "有警告"
        } else {
            "通过"
        }
    }
}

/// Everything juesuan derives from one input.
pub struct Analysis {
    pub unit_year: UnitYear,
    pub report: Report,
    pub checks: CheckSummary,
    pub scores: Option<Scores>,
    /// Errors in the `[evaluation]` part: the report is still built, without scores.
    pub score_errors: Vec<InputError>,
    /// The transfer-payment tables filled from allocation plans, and the plans not used.
    pub plans: allocation::PlansApplied,
}

/// Read, score, report and check an input text.
pub fn analyse(lib: &Library, text: &str, origin: &str) -> Result<Analysis, ReadError> {
    analyse_with_plans(lib, text, origin, &[])
}

/// [`analyse`] with the unit's allocation plans filling its transfer-payment self-evaluation
/// tables before scoring and reporting ([`allocation::fill_from_plans`]).
pub fn analyse_with_plans(
    lib: &Library,
    text: &str,
    origin: &str,
    plans: &[allocation::PlanResult],
) -> Result<Analysis, ReadError> {
    let (mut uy, cats) = lib.read_input(text, origin)?;
    let applied = allocation::fill_from_plans(&mut uy, plans);
    let (scores, score_errors) = match score(lib, &uy).map_err(ReadError::Data)? {
        Scored::Nothing => (None, Vec::new()),
        Scored::Scores(s) => (Some(*s), Vec::new()),
        Scored::InputErrors(errors) => (None, errors),
    };
    let report = report(lib, &uy, &cats, scores.as_ref()).map_err(ReadError::Data)?;
    let checks = check(lib, &uy, &cats).map_err(ReadError::Data)?;
    Ok(Analysis {
        unit_year: uy,
        report,
        checks,
        scores,
        score_errors,
        plans: applied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");

    #[test]
    fn the_example_reads_checks_scores_and_reports() {
        let lib = Library::embedded();
        let a = analyse(&lib, EXAMPLE, "input.toml").unwrap();
        assert_eq!(a.unit_year.year, 2021);
        assert_eq!(a.checks.errors, 0, "{:?}", a.checks.failing_rules());
        assert!(a.checks.rules > 30);
        assert!(a.scores.is_some() && a.score_errors.is_empty());
        assert_eq!(a.report.tables.len(), 9);
    }

    #[test]
    fn input_errors_stay_located_and_data_errors_say_what_is_missing() {
        let lib = Library::embedded();
        let broken = EXAMPLE.replacen("\"2069999\" = 31.57", "\"2069999\" = \"x\"", 1);
        match analyse(&lib, &broken, "input.toml") {
            Err(ReadError::Input(errors)) => {
                assert_eq!(errors[0].code.code(), "E010");
                assert!(errors[0].location.is_some());
            }
            other => panic!("{:?}", other.err()),
        }
        let err = rules(&lib, "no-such-template", 2021).unwrap_err();
        assert!(err.contains("no-such-template"), "{err}");
    }

    /// A supplementary catalogue added to the library is used by every reading, whatever
    /// the front end (issue #13: `--catalogue` was ignored by `db`, `serve`, `consolidate`).
    /// The code's 款 is not in the built-in list either, so without the file it is an error.
    #[test]
    fn a_supplementary_catalogue_reaches_every_reading() {
        let mut lib = Library::embedded();
        let with_new_code = EXAMPLE.replacen("\"2069999\" = 31.57", "\"2069898\" = 31.57", 1);
        assert!(matches!(
            lib.read_input(&with_new_code, "input.toml"),
            Err(ReadError::Input(_))
        ));
        lib.add_catalogue(
            "extra.toml",
            "kind = \"function\"\nyear = 2021\n[codes]\n\"20698\" = \"补充的款\"\n\"2069898\" = \"补充的项\"\n".into(),
        )
        .unwrap();
        assert!(lib.read_input(&with_new_code, "input.toml").is_ok());
    }

    /// Issue #14: the catalogues' warnings reach the report's warnings, first — a 项 the
    /// built-in list lacks (W105) and, for a year with no catalogue of its own, the earlier
    /// year used (W104); the example, in a year with its own list, has neither.
    #[test]
    fn catalogue_warnings_come_first_in_the_report() {
        let lib = Library::embedded();
        let codes = |a: &Analysis| -> Vec<&str> {
            a.report.warnings.iter().map(|w| w.code.code()).collect()
        };
        let plain = analyse(&lib, EXAMPLE, "input.toml").unwrap();
        assert!(!codes(&plain).iter().any(|c| *c == "W104" || *c == "W105"));
        let unlisted = EXAMPLE.replacen("\"2069999\" = 31.57", "\"2069998\" = 31.57", 1);
        let a = analyse(&lib, &unlisted, "input.toml").unwrap();
        assert_eq!(codes(&a)[0], "W105", "{:?}", a.report.warnings);
        let later = EXAMPLE.replacen("year = 2021", "year = 2030", 1);
        assert_ne!(later, EXAMPLE);
        let a = analyse(&lib, &later, "input.toml").unwrap();
        assert_eq!(codes(&a)[..2], ["W104", "W104"]);
        assert!(a.report.warnings[0].message.contains("没有2030年"));
        assert!(a.report.warnings[0]
            .message
            .contains("使用的是2026年的目录"));
    }
}
