//! Everything the pages show about one stored input: the report (tables, narrative, charts),
//! the consistency checks (审核), the performance scores (绩效评分) and a year-on-year
//! comparison. Pure functions over the input text; the app caches results per version id
//! because versions are immutable.

use juesuan_check::{Outcome, RuleResult, RuleSet, RuleSeverity};
use juesuan_core::facts::{FactFilter, Measure, Scenario};
use juesuan_core::input::parse_input;
use juesuan_core::{Amount, Catalogues, UnitYear};
use juesuan_data::Library;
use juesuan_report::evaluation::{compute, Scored, Scores};
use juesuan_report::Report;
use serde::Serialize;

/// The year an input declares, read leniently so the right catalogue can be chosen before
/// the strict parse reports errors.
pub fn declared_year(text: &str) -> Option<i32> {
    text.lines().find_map(|l| {
        let rest = l
            .trim()
            .strip_prefix("year")?
            .trim_start()
            .strip_prefix('=')?;
        rest.split('#').next()?.trim().parse().ok()
    })
}

/// Parse and validate an input; errors are located Chinese messages.
pub fn parse(
    lib: &Library,
    text: &str,
    origin: &str,
) -> Result<(UnitYear, Catalogues), Vec<String>> {
    let year = declared_year(text)
        .or_else(|| lib.latest_catalogue_year())
        .ok_or_else(|| vec!["没有任何分类目录数据文件".to_string()])?;
    let cats = lib.catalogues(year).map_err(|e| vec![e])?;
    match parse_input(text, origin, &cats) {
        Ok(uy) => Ok((uy, cats)),
        Err(errors) => Err(errors.iter().map(|e| e.to_string()).collect()),
    }
}

/// The shipped rule set for a template and year.
pub fn rules(lib: &Library, template: &str, year: i32) -> Result<RuleSet, String> {
    let (origin, text) = lib.find("rules", template, "toml", year).ok_or_else(|| {
        format!(
            "没有“{template}”表样 {year} 年或更早的审核公式（data/rules/{template}-<年度>.toml）"
        )
    })?;
    let resolve = |name: &str, year: i32| {
        lib.find("rules", name, "toml", year)
            .map(|(o, t)| (o.to_string(), t.to_string()))
    };
    RuleSet::from_toml_resolving(text, origin, &resolve).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
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

impl CheckSummary {
    fn of(results: Vec<RuleResult>) -> CheckSummary {
        let count = |sev: RuleSeverity| {
            results
                .iter()
                .flat_map(|r| &r.findings)
                .filter(|f| f.severity == sev)
                .count()
        };
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

/// Run the shipped rules on a validated unit-year.
pub fn check_unit_year(
    lib: &Library,
    uy: &UnitYear,
    cats: &Catalogues,
) -> Result<CheckSummary, String> {
    let set = rules(lib, &uy.template, uy.year)?;
    let table_set = lib.table_set(&uy.template, uy.year)?;
    let tables = juesuan_core::tables::derive_tables(&table_set, uy, cats);
    let (cx, _) = juesuan_report::context::build(uy, cats, Vec::new());
    let explained = juesuan_report::context::explanations(&cx);
    Ok(CheckSummary::of(juesuan_check::run_with(
        &set, &tables, &explained,
    )))
}

/// Parse and check only (the batch check and the dashboard): no narrative, no charts.
pub fn check_text(lib: &Library, text: &str, origin: &str) -> Result<CheckSummary, Vec<String>> {
    let (uy, cats) = parse(lib, text, origin)?;
    check_unit_year(lib, &uy, &cats).map_err(|e| vec![e])
}

/// Everything shown on a unit-year page.
pub struct Analysis {
    pub unit_year: UnitYear,
    pub report: Report,
    pub checks: CheckSummary,
    pub scores: Option<Scores>,
    /// Errors in the `[evaluation]` part (the report is still built without scores).
    pub score_errors: Vec<String>,
}

/// Build the report, run the checks and score the evaluation of an input.
pub fn analyse(lib: &Library, text: &str, origin: &str) -> Result<Analysis, Vec<String>> {
    let (uy, cats) = parse(lib, text, origin)?;
    let (scores, score_errors) = match compute(lib, &uy, text, origin).map_err(|e| vec![e])? {
        Scored::Nothing => (None, Vec::new()),
        Scored::Scores(s) => (Some(*s), Vec::new()),
        Scored::InputErrors(errors) => (None, errors.iter().map(|e| e.to_string()).collect()),
    };
    let report = juesuan_report::build_report_with_scores(&uy, lib, &cats, scores.as_ref())
        .map_err(|e| vec![e])?;
    let checks = check_unit_year(lib, &uy, &cats).map_err(|e| vec![e])?;
    Ok(Analysis {
        unit_year: uy,
        report,
        checks,
        scores,
        score_errors,
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
/// earlier year's 决算数.
pub fn compare(earlier: &UnitYear, later: &UnitYear) -> Vec<Comparison> {
    let metrics: [(&'static str, Measure); 6] = [
        ("本年收入合计", Measure::Income),
        ("本年支出合计", Measure::Expenditure),
        ("基本支出（经济分类）", Measure::BasicEconomic),
        ("“三公”经费支出", Measure::SanGong),
        ("机关运行经费", Measure::OperatingCosts),
        ("政府采购支出", Measure::Procurement),
    ];
    let sum = |uy: &UnitYear, m: Measure, s: Scenario| -> (Amount, bool) {
        let mut f = FactFilter::measure(m);
        f.scenario = Some(s);
        let any = uy.facts.select(&f).next().is_some();
        (uy.facts.sum(&f), any)
    };
    metrics
        .iter()
        .map(|(label, m)| {
            let (a, _) = sum(earlier, *m, Scenario::Actual);
            let (b, _) = sum(later, *m, Scenario::Actual);
            let (p, stated) = sum(later, *m, Scenario::Prior);
            Comparison {
                label,
                earlier: a.wan(),
                later: b.wan(),
                change: (b - a).wan(),
                later_states_prior: stated.then(|| p.wan()),
                prior_mismatch: stated && p != a,
            }
        })
        .collect()
}
