//! Everything the pages show about one stored input: the report (tables, narrative, charts),
//! the consistency checks (审核), the performance scores (绩效评分) and a year-on-year
//! comparison. Pure functions over the input text; the app caches results per version id
//! because versions are immutable.

use juesuan_app::allocation::{PlanResult, PlansApplied};
use juesuan_core::{Catalogues, UnitYear};
use juesuan_data::{Library, ReadError};
use juesuan_report::evaluation::Scores;
use juesuan_report::Report;
use juesuan_store::StoredPlan;
use serde::Serialize;

pub use juesuan_app::CheckSummary;

/// Messages of a failed reading, one per located error.
fn messages(e: ReadError) -> Vec<String> {
    match e {
        ReadError::Input(errors) => errors.iter().map(|e| e.to_string()).collect(),
        ReadError::Data(message) => vec![message],
    }
}

/// Parse and validate an input (the application layer's reading); errors are located
/// Chinese messages.
pub fn parse(
    lib: &Library,
    text: &str,
    origin: &str,
) -> Result<(UnitYear, Catalogues), Vec<String>> {
    lib.read_input(text, origin).map_err(messages)
}

/// Parse and check only (the batch check and the dashboard): no narrative, no charts.
pub fn check_text(lib: &Library, text: &str, origin: &str) -> Result<CheckSummary, Vec<String>> {
    let (uy, cats) = parse(lib, text, origin)?;
    juesuan_app::check(lib, &uy, &cats).map_err(|e| vec![e])
}

/// Everything shown on a unit-year page.
pub struct Analysis {
    pub unit_year: UnitYear,
    pub report: Report,
    pub checks: CheckSummary,
    pub scores: Option<Scores>,
    /// Errors in the `[evaluation]` part (the report is still built without scores).
    pub score_errors: Vec<String>,
    /// The transfer-payment tables filled from the unit's allocation plans, and the plans not
    /// used (with why).
    pub plans: PlansApplied,
    /// The stored version and plan versions this was built from (the caches' key).
    pub key: ReportKey,
}

/// What a unit-year's report is built from: a stored version and the plan versions that
/// fill its transfer-payment tables (ids, ascending).
pub type ReportKey = (i64, Vec<i64>);

/// The stored plans of a unit-year, read and allocated; a stored plan that no longer
/// allocates (a data file changed) is listed as not used, with its errors.
pub fn read_plans(plans: &[StoredPlan]) -> (Vec<PlanResult>, Vec<String>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for p in plans {
        match crate::plans::run_stored(p) {
            Ok(r) => ok.push(r),
            Err(errors) => failed.push(format!(
                "分配计划“{}”（第{}版）无法分配，未用于报告：{}",
                p.info.title,
                p.info.number,
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("；")
            )),
        }
    }
    (ok, failed)
}

/// Build the report, run the checks and score the evaluation of an input, its
/// transfer-payment tables filled from `plans`.
pub fn analyse(
    lib: &Library,
    text: &str,
    origin: &str,
    plans: &[StoredPlan],
    key: ReportKey,
) -> Result<Analysis, Vec<String>> {
    let (results, failed) = read_plans(plans);
    let a = juesuan_app::analyse_with_plans(lib, text, origin, &results).map_err(messages)?;
    let mut applied = a.plans;
    applied.unused.extend(failed);
    Ok(Analysis {
        unit_year: a.unit_year,
        report: a.report,
        checks: a.checks,
        scores: a.scores,
        score_errors: a.score_errors.iter().map(|e| e.to_string()).collect(),
        plans: applied,
        key,
    })
}

/// One line of the year-on-year comparison (同比对照).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub label: &'static str,
    /// 上一年度的决算数 (from the earlier year's own input), 万元
    pub earlier: String,
    /// 本年度的决算数, 万元
    pub later: String,
    /// later − earlier, 万元
    pub change: String,
    /// 本年度输入中填报的上年数, 万元, when stated
    pub later_states_prior: Option<String>,
    /// The later input's 上年数 differs from the earlier input's 决算数.
    pub prior_mismatch: bool,
}

/// Compare key figures of two years of one unit, and whether the later year's 上年数 match the
/// earlier year's 决算数. The figures are the report's own (`juesuan_report::context::key_figures`),
/// so this page cannot state a sum the report does not.
pub fn compare(earlier: &UnitYear, later: &UnitYear) -> Vec<Comparison> {
    let before = juesuan_report::context::key_figures(earlier);
    juesuan_report::context::key_figures(later)
        .into_iter()
        .zip(before)
        .map(|(b, a)| Comparison {
            label: b.label,
            earlier: a.current.wan(),
            later: b.current.wan(),
            change: (b.current - a.current).wan(),
            later_states_prior: b.stated_prior.map(|p| p.wan()),
            prior_mismatch: b.stated_prior.is_some_and(|p| p != a.current),
        })
        .collect()
}
