//! juesuan-check: consistency rules as data (审核公式 / 勾稽关系).
//!
//! A rule file (data/rules/<name>-<year>.toml) lists rules; each compares a **stated** value
//! with the **expected** value other cells imply, in exact arithmetic (万元 as rational
//! numbers), within a tolerance. Expressions use juesuan-score's expression language with
//! table cells as names: `t1.grand_total_in.amount` is table t1, row grand_total_in, column
//! amount. A rule may run once, once per row of a table (`each_row`, with `row.<column>`
//! and `ROW` for the row key), or as a hierarchy check (类 = Σ 款 = Σ 项). Every finding
//! carries the rule id, severity, location, stated and expected values and their difference.
//! A file may `extends = "<name>"` another rule set: its rules, then the file's own (a
//! province's file lists only what it adds); callers resolve the name, this crate does no I/O.

use juesuan_core::expr::{EvalError, Expr, Value};
use juesuan_core::ratio::Ratio;
use juesuan_core::tables::Table;
use juesuan_core::{Severity, StatedPrecision};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How a stated value must relate to the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum Relation {
    #[default]
    #[serde(rename = "==")]
    Equal,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">=")]
    AtLeast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSeverity {
    Error,
    Warning,
    Info,
}

impl RuleSeverity {
    pub fn severity(self) -> Severity {
        match self {
            RuleSeverity::Error => Severity::Error,
            RuleSeverity::Warning => Severity::Warning,
            RuleSeverity::Info => Severity::Info,
        }
    }
}

/// Which rows `each_row` visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RowSelection {
    /// Every row that holds amounts.
    #[default]
    All,
    /// Rows keyed by a 类 code (3 digits).
    Class,
    /// Rows keyed by any classification code.
    Code,
}

/// One rule as written in a rule file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub severity: RuleSeverity,
    /// What the rule requires, in Chinese.
    pub message: String,
    /// Evaluate once per row of this table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each_row: Option<String>,
    #[serde(default)]
    pub rows: RowSelection,
    /// Hierarchy check on this table: every 类 = Σ its 款, 款 = Σ its 项, total = Σ 类.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hierarchy: Option<String>,
    /// Columns the hierarchy check covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The row holding the table total, for the hierarchy check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_row: Option<String>,
    /// Rows the total row sums besides the 类 (e.g. `unclassified`, 未细化到经济分类科目的支出).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub total_also: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default)]
    pub relation: Relation,
    /// Allowed |stated − expected| in 万元 (e.g. "0.005" per rounded part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<Ratio>,
    /// Only when this condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// A reason must be given where a change (or a budget deviation) exceeds `threshold` %.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_required: Option<ReasonFor>,
    /// Percent (e.g. "10" for 10%) for `reason_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Ratio>,
    /// These tables, when they have no data, must carry the official note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_note: Vec<String>,
}

/// What a reason explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonFor {
    /// 与上年相比的变动
    Change,
    /// 决算与年初预算的差异
    Deviation,
}

/// A figure of the narrative that may need a reason (原因), as the disclosure states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// Where in the disclosure: "一、收入支出决算总体情况".
    pub place: String,
    pub kind: ReasonFor,
    /// |change| / last year, or |actual − budget| / budget, in percent; `None` when the
    /// base is zero (a change from nothing always needs its reason).
    pub rate: Option<Ratio>,
    /// Whether the figure moved at all (a zero change needs no reason).
    pub moved: bool,
    pub has_reason: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    name: String,
    title: String,
    year: i32,
    /// Another rule set (by name, for this file's year) whose rules come first: a province's
    /// file names only what it adds (`extends = "national"`).
    #[serde(default)]
    extends: Option<toml::Spanned<String>>,
    #[serde(default, rename = "rule")]
    rules: Vec<toml::Spanned<toml::Table>>,
}

/// Finds another rule file for `extends`: given a rule-set name and the extending file's year,
/// the (origin, text) of the newest file of that name not after the year, if any. Callers
/// pass their file lookup (e.g. `juesuan_data::Library::find`), so this crate does no I/O.
pub type Resolve<'a> = dyn Fn(&str, i32) -> Option<(String, String)> + 'a;

/// Per rule of a set being loaded: the file and line defining it.
type Defined = Vec<(String, usize)>;

/// A validated rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub name: String,
    pub title: String,
    pub year: i32,
    pub rules: Vec<Rule>,
}

/// A problem in a rule file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFileError {
    pub origin: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A rule file is a data file: its errors carry E040 (数据文件错误).
        let code = juesuan_core::ErrorCode::DataFile;
        write!(
            f,
            "{}:{}: {}[{}]：{}",
            self.origin,
            self.line,
            code.severity().label(),
            code.code(),
            self.message
        )
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl RuleSet {
    /// Load and validate a rule file that does not use `extends`: every expression parses,
    /// every rule has one form. A file with `extends` needs [`RuleSet::from_toml_resolving`].
    pub fn from_toml(text: &str, origin: &str) -> Result<RuleSet, Vec<RuleFileError>> {
        Self::from_toml_resolving(text, origin, &|_, _| None)
    }

    /// Load and validate a rule file, resolving `extends = "<name>"` through `resolve`: the
    /// base set's rules (themselves possibly extending another set), then this file's. A rule
    /// id the base already has, an unknown base and a cycle are located errors.
    pub fn from_toml_resolving(
        text: &str,
        origin: &str,
        resolve: &Resolve,
    ) -> Result<RuleSet, Vec<RuleFileError>> {
        Self::load(text, origin, resolve, &mut Vec::new()).map(|(set, _)| set)
    }

    /// `chain`: origins of the files extending this one, to stop a cycle. Returns the set and,
    /// per rule, the file and line defining it (a duplicate id names both places).
    fn load(
        text: &str,
        origin: &str,
        resolve: &Resolve,
        chain: &mut Vec<String>,
    ) -> Result<(RuleSet, Defined), Vec<RuleFileError>> {
        let err = |line: usize, message: String| RuleFileError {
            origin: origin.to_string(),
            line,
            message,
        };
        let file: RuleFile = toml::from_str(text).map_err(|e| {
            vec![err(
                e.span().map_or(1, |s| line_of(text, s.start)),
                format!("审核规则文件格式错误：{}", e.message()),
            )]
        })?;
        let mut errors = Vec::new();
        let (mut rules, mut defined) = Self::load_base(&file, text, origin, resolve, chain)?;
        let own_start = rules.len();
        for t in &file.rules {
            let line = line_of(text, t.span().start);
            let rule: Rule = match t.get_ref().clone().try_into() {
                Ok(r) => r,
                Err(e) => {
                    errors.push(err(line, format!("规则定义错误：{}", e.message().trim())));
                    continue;
                }
            };
            if let Some(i) = rules.iter().position(|r: &Rule| r.id == rule.id) {
                let (at, at_line) = &defined[i];
                errors.push(err(
                    line,
                    if i < own_start {
                        format!(
                            "规则“{}”与 extends 的基础规则集重复（已在 {at}:{at_line} 定义）；扩展文件只写新增的规则，请改用新的 id 或删去本条",
                            rule.id
                        )
                    } else {
                        format!("规则“{}”重复（第{at_line}行已有）", rule.id)
                    },
                ));
            }
            errors.extend(shape_errors(&rule).into_iter().map(|m| err(line, m)));
            rules.push(rule);
            defined.push((origin.to_string(), line));
        }
        if errors.is_empty() {
            Ok((
                RuleSet {
                    name: file.name,
                    title: file.title,
                    year: file.year,
                    rules,
                },
                defined,
            ))
        } else {
            Err(errors)
        }
    }

    /// The rules (and where each is defined) of the set `file` extends, loaded through
    /// `resolve`; none when it extends nothing. An unknown base or a cycle is an error.
    fn load_base(
        file: &RuleFile,
        text: &str,
        origin: &str,
        resolve: &Resolve,
        chain: &mut Vec<String>,
    ) -> Result<(Vec<Rule>, Defined), Vec<RuleFileError>> {
        let Some(base) = &file.extends else {
            return Ok((Vec::new(), Vec::new()));
        };
        let err = |line: usize, message: String| RuleFileError {
            origin: origin.to_string(),
            line,
            message,
        };
        let line = line_of(text, base.span().start);
        let name = base.get_ref();
        let Some((base_origin, base_text)) = resolve(name, file.year) else {
            return Err(vec![err(
                line,
                format!(
                    "extends = \"{name}\" 引用的审核规则集不存在：没有 {} 年或更早的 data/rules/{name}-<年度>.toml；请检查名称，或用 --data-dir 提供该文件",
                    file.year
                ),
            )]);
        };
        chain.push(origin.to_string());
        if chain.contains(&base_origin) {
            let mut cycle = chain.clone();
            cycle.push(base_origin);
            return Err(vec![err(
                line,
                format!(
                    "extends = \"{name}\" 形成循环引用：{}；请删去其中一处 extends",
                    cycle.join(" → ")
                ),
            )]);
        }
        let (base_set, base_defined) = Self::load(&base_text, &base_origin, resolve, chain)?;
        chain.pop();
        Ok((base_set.rules, base_defined))
    }
}

/// What is wrong with one rule on its own: not exactly one form, `total_also` without a
/// hierarchy and total row, an expression that does not parse.
fn shape_errors(rule: &Rule) -> Vec<String> {
    let mut errors = Vec::new();
    let forms = [
        rule.hierarchy.is_some(),
        rule.stated.is_some() && rule.expected.is_some(),
        rule.reason_required.is_some(),
        !rule.empty_note.is_empty(),
    ];
    if forms.iter().filter(|f| **f).count() != 1 {
        errors.push(format!(
            "规则“{}”须且只须写一种形式：stated 和 expected、hierarchy、reason_required 或 empty_note",
            rule.id
        ));
    }
    if !rule.total_also.is_empty() && (rule.hierarchy.is_none() || rule.total_row.is_none()) {
        errors.push(format!(
            "规则“{}”的 total_also 只用于写了 hierarchy 和 total_row 的规则",
            rule.id
        ));
    }
    for (what, src) in [
        ("stated", &rule.stated),
        ("expected", &rule.expected),
        ("when", &rule.when),
    ] {
        if let Some(src) = src {
            if let Err(e) = Expr::parse(&src.replace("ROW", "r000")) {
                errors.push(format!("规则“{}”的 {what} 表达式有误：{e}", rule.id));
            }
        }
    }
    errors
}

/// The outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// The condition (`when`) did not hold, or the table has no such rows.
    NotApplicable,
    /// A cell the rule reads is not in the tables.
    InsufficientData,
}

/// A rule that did not pass at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: RuleSeverity,
    pub message: String,
    /// "公开03表 合计行 本年支出合计列"
    pub location: String,
    /// Amounts in 万元, 2 decimals (exact values would show rounding noise nobody wrote).
    pub stated: String,
    pub expected: String,
    pub difference: String,
    /// Lines of the input file holding the base figures the compared cells sum: where to
    /// fix it. Empty for tables read from a published file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_lines: Vec<usize>,
    /// The stated cell (`t5.total.basic`), when the finding is at one cell: the auditor
    /// locates it in the printed table.
    #[serde(skip)]
    pub cell: Option<String>,
    /// Stated and expected in 万元, exact (the strings above are rounded to 0.01).
    #[serde(skip)]
    pub exact: Option<(Ratio, Ratio)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    pub rule: String,
    pub outcome: Outcome,
    pub checked: usize,
    pub findings: Vec<Finding>,
    /// Why the rule could not run fully (missing cells), if so.
    pub note: Option<String>,
    /// Places where the rule holds only up to the rounding of the figures (尾差 notes, W106):
    /// tables printed to a precision, or derived from figures stated to one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rounding: Vec<RoundingNote>,
}

/// A relation that holds only because its figures are rounded: the gap and how many printed
/// figures' half units allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundingNote {
    pub rule: String,
    pub message: String,
    pub location: String,
    /// Amounts in 万元 at the published precision (2 decimals), never below it.
    pub stated: String,
    pub expected: String,
    pub difference: String,
    /// The figures whose half units add up to the slack.
    pub figures: usize,
}

impl RoundingNote {
    /// The note's text, worded as `juesuan validate` words its 尾差 (crate juesuan_core::precision).
    pub fn text(&self, precision: StatedPrecision) -> String {
        format!(
            "{}：{}。填列数{}，应为{}，差额{}（万元），{}",
            self.location,
            self.message,
            self.stated,
            self.expected,
            self.difference,
            precision.within_phrase(self.figures)
        )
    }
}

/// A table as printed in a published report (公开表), mapped onto a template's ids: the
/// auditor's input to [`run_stated`]. Each cell is a printed, rounded figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatedGrid {
    /// The template table's id ("t5").
    pub id: String,
    /// How findings name the table ("一般公共预算支出表").
    pub title: String,
    /// Row keys (fixed row ids or classification codes) in printed order.
    pub rows: Vec<String>,
    /// (row key, column id) → the cell in 万元.
    pub cells: BTreeMap<(String, String), PrintedCell>,
    /// The table's note ("本表无数据"), if printed.
    pub note: Option<String>,
    /// Every printed row with amounts was placed: a classification row not listed is then
    /// zero, as in a derived table. Otherwise it may be a row that was not read, and sums
    /// over a table's codes are not evaluated.
    pub complete: bool,
}

/// A printed figure in 万元: its value and half a unit of its last printed digit (a figure
/// printed "12.35" stands for any value in [12.345, 12.355]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintedCell {
    pub value: Ratio,
    pub half: Ratio,
}

/// One table a rule reads: derived from facts (exact) or printed (rounded).
enum Grid<'a> {
    /// Exact cells, or, with a precision, each cell the sum of as many stated figures as it
    /// has input lines (each ±half a unit).
    Derived(&'a Table, Option<StatedPrecision>),
    Stated(&'a StatedGrid),
}

impl Grid<'_> {
    /// The cell in 万元 and half a unit of its last digit (zero for derived cells).
    fn get(&self, row: &str, col: &str) -> Option<(Ratio, Ratio)> {
        match self {
            Grid::Derived(t, precision) => t
                .get(row, col)
                .and_then(|a| Ratio::new(a.fen() as i128, 1_000_000).ok())
                .map(|v| (v, derived_half(t, row, col, *precision))),
            Grid::Stated(g) => g
                .cells
                .get(&(row.to_string(), col.to_string()))
                .map(|c| (c.value, c.half)),
        }
    }
    fn has_column(&self, col: &str) -> bool {
        match self {
            Grid::Derived(t, _) => t.amounts().any(|((_, c), _)| c == col),
            Grid::Stated(g) => g.cells.keys().any(|(_, c)| c == col),
        }
    }
    fn row_keys(&self) -> Vec<String> {
        match self {
            Grid::Derived(t, _) => t.row_keys(),
            Grid::Stated(g) => g.rows.clone(),
        }
    }
    fn source_lines(&self, row: &str, col: &str) -> Vec<usize> {
        match self {
            Grid::Derived(t, _) => t.source_lines(row, col).to_vec(),
            Grid::Stated(_) => Vec::new(),
        }
    }
    fn name(&self) -> String {
        match self {
            Grid::Derived(t, _) => format!("{}{}", t.code, t.title),
            Grid::Stated(g) => g.title.clone(),
        }
    }
    fn is_empty(&self) -> bool {
        match self {
            Grid::Derived(t, _) => t.is_empty(),
            Grid::Stated(g) => g.cells.values().all(|c| c.value == Ratio::ZERO),
        }
    }
    fn note(&self) -> Option<&str> {
        match self {
            Grid::Derived(t, _) => t.note.as_deref(),
            Grid::Stated(g) => g.note.as_deref(),
        }
    }
}

/// The tables a rule set reads, by id.
pub struct Tables<'a> {
    by_id: BTreeMap<&'a str, Grid<'a>>,
    /// The precision half units are counted in (printed tables: 0.01 万元).
    precision: Option<StatedPrecision>,
}

impl<'a> Tables<'a> {
    pub fn new(tables: &'a [Table]) -> Tables<'a> {
        Tables::with_precision(tables, None)
    }

    /// Derived tables whose base figures are stated to `precision` (`None`: exact).
    pub fn with_precision(tables: &'a [Table], precision: Option<StatedPrecision>) -> Tables<'a> {
        Tables {
            by_id: tables
                .iter()
                .map(|t| (t.id.as_str(), Grid::Derived(t, precision)))
                .collect(),
            precision,
        }
    }

    /// Printed tables (the auditor's), whose cells stand for intervals.
    pub fn stated(tables: &'a [StatedGrid]) -> Tables<'a> {
        Tables {
            by_id: tables
                .iter()
                .map(|t| (t.id.as_str(), Grid::Stated(t)))
                .collect(),
            precision: Some(StatedPrecision::WAN_CENT),
        }
    }

    /// `t1.grand_total_in.amount` → the cell in 万元 and its half unit.
    fn printed(&self, name: &str) -> Option<(Ratio, Ratio)> {
        let mut parts = name.splitn(3, '.');
        let (t, row, col) = (parts.next()?, parts.next()?, parts.next()?);
        let table = self.by_id.get(t)?;
        // A classification row the table does not list is zero: trees list non-zero rows.
        match table.get(row, col) {
            Some(c) => Some(c),
            // A printed row whose cell was not read is unknown, not zero.
            None if row.chars().all(|c| c.is_ascii_digit())
                && table.has_column(col)
                && !matches!(table, Grid::Stated(g) if !g.complete || g.rows.iter().any(|r| r == row)) =>
            {
                Some((Ratio::ZERO, Ratio::ZERO))
            }
            None => None,
        }
    }

    /// `t1.grand_total_in.amount` → the cell in 万元, as printed (exact for derived tables).
    fn cell(&self, name: &str) -> Option<Ratio> {
        self.printed(name).map(|c| c.0)
    }

    /// Half a unit of the cell's last printed digit (zero for derived tables).
    fn half(&self, name: &str) -> Ratio {
        self.printed(name).map_or(Ratio::ZERO, |c| c.1)
    }

    /// Input-file lines of the facts behind the named cells, sorted, without repeats.
    fn input_lines(&self, names: &[String]) -> Vec<usize> {
        let mut lines: Vec<usize> = names
            .iter()
            .flat_map(|name| {
                let mut parts = name.splitn(3, '.');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(t), Some(row), Some(col)) => self
                        .by_id
                        .get(t)
                        .map_or_else(Vec::new, |t| t.source_lines(row, col)),
                    _ => Vec::new(),
                }
            })
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }

    fn describe(&self, name: &str) -> String {
        let mut parts = name.splitn(3, '.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(t), Some(row), Some(col)) => {
                let table = self.by_id.get(t).map_or_else(|| t.to_string(), Grid::name);
                format!("{table} {row} 行 {col} 列")
            }
            _ => name.to_string(),
        }
    }
}

fn wan(r: Ratio) -> String {
    r.to_fixed(2)
}

/// Half the rounding of a derived cell whose base figures are stated to `precision`: one
/// half unit per stated figure behind it (its input lines; at least one for a non-zero cell).
fn derived_half(t: &Table, row: &str, col: &str, precision: Option<StatedPrecision>) -> Ratio {
    let Some(p) = precision else {
        return Ratio::ZERO;
    };
    let figures = t
        .source_lines(row, col)
        .len()
        .max(usize::from(t.get(row, col).is_some_and(|a| !a.is_zero())));
    let figures = i128::try_from(figures).unwrap_or(0);
    Ratio::new(figures * i128::from(p.step_fen()), 2_000_000).unwrap_or(Ratio::ZERO)
}

/// How many figures' half units make `slack` (in 万元), at the tables' precision.
fn figures_in(slack: Ratio, precision: Option<StatedPrecision>) -> usize {
    let p = precision.unwrap_or(StatedPrecision::WAN_CENT);
    Ratio::new(2_000_000, i128::from(p.step_fen()))
        .and_then(|per| slack.checked_mul(per))
        .map_or(0, |n| {
            usize::try_from(n.numer() / n.denom().max(1)).unwrap_or(0)
        })
}

/// Whether a rule that holds did so only through rounding: a gap beyond the rule's own
/// tolerance but within the slack.
fn rounding_note(
    rule: &Rule,
    t: &Tables,
    at: String,
    stated: Ratio,
    expected: Ratio,
    slack: Ratio,
) -> Option<RoundingNote> {
    let diff = stated.checked_sub(expected).ok()?;
    let own = rule.tolerance.unwrap_or(Ratio::ZERO);
    let beyond_own = match rule.relation {
        Relation::Equal => diff.abs() > own,
        Relation::AtMost => diff > own,
        Relation::AtLeast => diff < -own,
    };
    (beyond_own && slack > Ratio::ZERO).then(|| RoundingNote {
        rule: rule.id.clone(),
        message: rule.message.clone(),
        location: at,
        stated: wan(stated),
        expected: wan(expected),
        difference: wan(diff),
        figures: figures_in(slack, t.precision),
    })
}

/// Run every rule of `set` over `tables`.
pub fn run(set: &RuleSet, tables: &[Table]) -> Vec<RuleResult> {
    run_with(set, tables, &[])
}

/// Run every rule over printed tables: each cell stands for any value within half a unit of
/// its last printed digit, and a rule fails only when no values within those intervals
/// satisfy it (honest rounding never fails). A rule reading a table or cell not given is
/// `InsufficientData` with the cells it missed in `note`.
pub fn run_stated(set: &RuleSet, tables: &[StatedGrid]) -> Vec<RuleResult> {
    let t = Tables::stated(tables);
    set.rules.iter().map(|r| run_rule(r, &t, &[])).collect()
}

/// Run every rule, with the narrative's figures that may need reasons.
pub fn run_with(set: &RuleSet, tables: &[Table], explained: &[Explained]) -> Vec<RuleResult> {
    run_with_precision(set, tables, explained, None)
}

/// [`run_with`] over tables derived from figures stated to `precision` (`stated_precision`,
/// or a workbook printed in 万元 to two decimals): a derived cell summing k stated figures
/// stands for ±k half units, a rule fails only beyond that, and a gap within it is a
/// [`RoundingNote`], as `juesuan validate` grades the same relations.
pub fn run_with_precision(
    set: &RuleSet,
    tables: &[Table],
    explained: &[Explained],
    precision: Option<StatedPrecision>,
) -> Vec<RuleResult> {
    let t = Tables::with_precision(tables, precision);
    set.rules
        .iter()
        .map(|r| run_rule(r, &t, explained))
        .collect()
}

fn run_rule(rule: &Rule, t: &Tables, explained: &[Explained]) -> RuleResult {
    let mut result = RuleResult {
        rule: rule.id.clone(),
        outcome: Outcome::Pass,
        checked: 0,
        findings: Vec::new(),
        note: None,
        rounding: Vec::new(),
    };
    let mut missing = Vec::new();
    if let Some(kind) = rule.reason_required {
        let threshold = rule.threshold.unwrap_or(Ratio::ZERO);
        for e in explained.iter().filter(|e| e.kind == kind && e.moved) {
            result.checked += 1;
            let over = e.rate.is_none_or(|r| r > threshold);
            if over && !e.has_reason {
                result.findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    message: rule.message.clone(),
                    location: e.place.clone(),
                    stated: "未说明原因".into(),
                    expected: "说明原因".into(),
                    difference: e
                        .rate
                        .map_or_else(|| "上年或预算为0".into(), |r| format!("{}%", r.to_fixed(2))),
                    input_lines: Vec::new(),
                    cell: None,
                    exact: None,
                });
            }
        }
    } else if !rule.empty_note.is_empty() {
        for id in &rule.empty_note {
            let Some(table) = t.by_id.get(id.as_str()) else {
                missing.push(id.clone());
                continue;
            };
            result.checked += 1;
            if table.is_empty() && table.note().is_none_or(|n| n.trim().is_empty()) {
                result.findings.push(Finding {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    message: rule.message.clone(),
                    location: table.name(),
                    stated: "无说明".into(),
                    expected: "本表无数据的说明".into(),
                    difference: String::new(),
                    input_lines: Vec::new(),
                    cell: None,
                    exact: None,
                });
            }
        }
    } else if let Some(table_id) = &rule.hierarchy {
        hierarchy(rule, t, table_id, &mut result, &mut missing);
    } else if let Some(table_id) = &rule.each_row {
        let Some(table) = t.by_id.get(table_id.as_str()) else {
            result.outcome = Outcome::InsufficientData;
            result.note = Some(format!("没有表“{table_id}”"));
            return result;
        };
        for row in table.row_keys() {
            let keep = match rule.rows {
                RowSelection::All => true,
                RowSelection::Class => row.len() == 3 && row.chars().all(|c| c.is_ascii_digit()),
                RowSelection::Code => row.chars().all(|c| c.is_ascii_digit()),
            };
            if keep {
                compare(rule, t, Some((table_id, &row)), &mut result, &mut missing);
            }
        }
    } else {
        compare(rule, t, None, &mut result, &mut missing);
    }
    if !result.findings.is_empty() {
        result.outcome = Outcome::Fail;
    } else if !missing.is_empty() && result.checked == 0 {
        result.outcome = Outcome::InsufficientData;
    } else if result.checked == 0 {
        result.outcome = Outcome::NotApplicable;
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        result.note = Some(format!("缺少数据：{}", missing.join("、")));
    }
    result
}

/// Evaluate an expression over cells (`row.<col>` reads the current row).
fn eval(
    src: &str,
    t: &Tables,
    row: Option<(&str, &str)>,
    missing: &mut Vec<String>,
) -> Result<Value, EvalError> {
    eval_bumped(src, t, row, missing, None)
}

/// [`eval`] with one cell moved by an amount (to find how far a printed cell's rounding
/// can move the result).
fn eval_bumped(
    src: &str,
    t: &Tables,
    row: Option<(&str, &str)>,
    missing: &mut Vec<String>,
    bump: Option<(&str, Ratio)>,
) -> Result<Value, EvalError> {
    let src = match row {
        Some((_, key)) => src.replace("ROW", key),
        None => src.to_string(),
    };
    let expr = Expr::parse(&src).map_err(|e| EvalError::Type(e.to_string()))?;
    let found = std::cell::RefCell::new(Vec::new());
    let v = expr.eval(&|name| {
        let full = match (name.strip_prefix("row."), row) {
            (Some(col), Some((table, key))) => format!("{table}.{key}.{col}"),
            _ => name.to_string(),
        };
        let v = t.cell(&full).map(|c| match bump {
            Some((n, by)) if n == full => Value::Num(c.checked_add(by).unwrap_or(c)),
            _ => Value::Num(c),
        });
        if v.is_none() {
            found.borrow_mut().push(full);
        }
        v
    });
    missing.extend(found.into_inner());
    v
}

fn compare(
    rule: &Rule,
    t: &Tables,
    row: Option<(&str, &str)>,
    result: &mut RuleResult,
    missing: &mut Vec<String>,
) {
    if let Some(w) = &rule.when {
        match eval(w, t, row, missing) {
            Ok(Value::Bool(true)) => {}
            _ => return,
        }
    }
    let (Some(stated_src), Some(expected_src)) = (&rule.stated, &rule.expected) else {
        return;
    };
    let (Ok(Value::Num(stated)), Ok(Value::Num(expected))) = (
        eval(stated_src, t, row, missing),
        eval(expected_src, t, row, missing),
    ) else {
        return;
    };
    result.checked += 1;
    let resolve = |n: String| match row {
        Some((table, key)) => n
            .replace("ROW", key)
            .replace("row.", &format!("{table}.{key}.")),
        None => n,
    };
    let names: Vec<String> = [stated_src, expected_src]
        .iter()
        .filter_map(|src| Expr::parse(src).ok())
        .flat_map(|e| e.names())
        .map(resolve)
        .collect();
    let diff = stated.checked_sub(expected).unwrap_or(Ratio::ZERO);
    let slack = rounding_slack(stated_src, expected_src, t, row, &names, diff);
    let tol = rule
        .tolerance
        .unwrap_or(Ratio::ZERO)
        .checked_add(slack)
        .unwrap_or(Ratio::ZERO);
    let ok = match rule.relation {
        Relation::Equal => diff.abs() <= tol,
        Relation::AtMost => diff <= tol,
        Relation::AtLeast => diff >= -tol,
    };
    if ok {
        let at = t.describe(resolve(stated_src.clone()).trim());
        result
            .rounding
            .extend(rounding_note(rule, t, at, stated, expected, slack));
    } else {
        let stated_name = resolve(stated_src.clone());
        let stated_name = stated_name.trim();
        let single = t.printed(stated_name).is_some();
        result.findings.push(Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            message: rule.message.clone(),
            location: t.describe(stated_name),
            stated: wan(stated),
            expected: wan(expected),
            difference: wan(diff),
            input_lines: t.input_lines(&names),
            cell: single.then(|| stated_name.to_string()),
            exact: Some((stated, expected)),
        });
    }
}

/// How far the rounding of the printed cells can move stated − expected: Σ |change of the
/// difference when one cell moves by half a unit of its last digit|. Exact for the sums and
/// differences rules are written in (the difference is linear in each cell); zero for
/// derived tables, whose cells are exact.
fn rounding_slack(
    stated_src: &str,
    expected_src: &str,
    t: &Tables,
    row: Option<(&str, &str)>,
    names: &[String],
    diff: Ratio,
) -> Ratio {
    let mut seen = std::collections::BTreeSet::new();
    let mut slack = Ratio::ZERO;
    for name in names {
        let half = t.half(name);
        if half == Ratio::ZERO || !seen.insert(name.as_str()) {
            continue;
        }
        let moved = |by: Ratio| -> Option<Ratio> {
            let mut ignored = Vec::new();
            let num = |src: &str, ignored: &mut Vec<String>| match eval_bumped(
                src,
                t,
                row,
                ignored,
                Some((name, by)),
            ) {
                Ok(Value::Num(v)) => Some(v),
                _ => None,
            };
            let s = num(stated_src, &mut ignored)?;
            let e = num(expected_src, &mut ignored)?;
            s.checked_sub(e).ok()?.checked_sub(diff).ok()
        };
        let up = moved(half).unwrap_or(Ratio::ZERO).abs();
        let down = moved(-half).unwrap_or(Ratio::ZERO).abs();
        slack = slack.checked_add(up.max(down)).unwrap_or(slack);
    }
    slack
}

fn hierarchy(
    rule: &Rule,
    t: &Tables,
    table_id: &str,
    result: &mut RuleResult,
    missing: &mut Vec<String>,
) {
    let Some(table) = t.by_id.get(table_id) else {
        missing.push(table_id.to_string());
        return;
    };
    if matches!(table, Grid::Stated(g) if !g.complete) {
        // Some printed row was not placed: the codes listed may not be all of them.
        missing.push(format!("{table_id}.*"));
        return;
    }
    let codes: Vec<String> = table
        .row_keys()
        .into_iter()
        .filter(|k| k.chars().all(|c| c.is_ascii_digit()))
        .collect();
    for col in &rule.columns {
        let cell = |row: &str| table.get(row, col);
        // A parent without children listed is a leaf (trees stop at a depth); the total row
        // is always checked: with no 类 listed it must be zero (plus `total_also`).
        let mut check =
            |parent: String, stated: Option<(Ratio, Ratio)>, children: Vec<&String>, skip_leaf| {
                if children.is_empty() && skip_leaf {
                    return;
                }
                let Some((stated, half)) = stated else {
                    missing.push(format!("{table_id}.{parent}.{col}"));
                    return;
                };
                // Each printed cell may be off by half a unit of its last digit.
                let (expected, slack) = children
                    .iter()
                    .filter_map(|c| cell(c))
                    .fold((Ratio::ZERO, half), |(a, s), (v, h)| {
                        (a.checked_add(v).unwrap_or(a), s.checked_add(h).unwrap_or(s))
                    });
                result.checked += 1;
                let diff = stated.checked_sub(expected).unwrap_or(Ratio::ZERO);
                let tol = rule.tolerance.unwrap_or(Ratio::ZERO);
                let at = format!("{table_id}.{parent}.{col}");
                if diff.abs() <= tol.checked_add(slack).unwrap_or(tol) {
                    result.rounding.extend(rounding_note(
                        rule,
                        t,
                        t.describe(&at),
                        stated,
                        expected,
                        slack,
                    ));
                } else {
                    result.findings.push(Finding {
                        rule: rule.id.clone(),
                        severity: rule.severity,
                        message: rule.message.clone(),
                        location: t.describe(&format!("{table_id}.{parent}.{col}")),
                        stated: wan(stated),
                        expected: wan(expected),
                        difference: wan(diff),
                        input_lines: t.input_lines(
                            &std::iter::once(&parent)
                                .chain(children.iter().copied())
                                .map(|r| format!("{table_id}.{r}.{col}"))
                                .collect::<Vec<_>>(),
                        ),
                        cell: Some(format!("{table_id}.{parent}.{col}")),
                        exact: Some((stated, expected)),
                    });
                }
            };
        for parent in &codes {
            let children: Vec<&String> = codes
                .iter()
                .filter(|c| c.len() == parent.len() + 2 && c.starts_with(parent.as_str()))
                .collect();
            check(parent.clone(), cell(parent), children, true);
        }
        if let Some(total) = &rule.total_row {
            let parts: Vec<&String> = codes
                .iter()
                .filter(|c| c.len() == 3)
                .chain(&rule.total_also)
                .collect();
            // A derived table lists every non-zero 类, so none listed means zero; a printed
            // table that lists none (only its 合计 read) says nothing about its 类.
            let printed = matches!(table, Grid::Stated(_));
            check(total.clone(), cell(total), parts, printed);
        }
    }
}

/// Per-run changes to a rule set: switch rules off or change their severity (审核方案).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// rule id → "off" | "error" | "warning" | "info"
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
}

impl Profile {
    pub fn from_toml(text: &str, origin: &str, set: &RuleSet) -> Result<Profile, String> {
        let p: Profile =
            toml::from_str(text).map_err(|e| format!("{origin}: 审核方案格式错误：{e}"))?;
        for (id, v) in &p.rules {
            if !set.rules.iter().any(|r| &r.id == id) {
                return Err(format!("{origin}: 没有规则“{id}”"));
            }
            if !matches!(v.as_str(), "off" | "error" | "warning" | "info") {
                return Err(format!(
                    "{origin}: 规则“{id}”的设置“{v}”无效：可用 off、error、warning、info"
                ));
            }
        }
        Ok(p)
    }

    /// The rule set with this profile applied.
    pub fn apply(&self, set: &RuleSet) -> RuleSet {
        let mut out = set.clone();
        out.rules
            .retain(|r| self.rules.get(&r.id).map(String::as_str) != Some("off"));
        for r in &mut out.rules {
            r.severity = match self.rules.get(&r.id).map(String::as_str) {
                Some("error") => RuleSeverity::Error,
                Some("warning") => RuleSeverity::Warning,
                Some("info") => RuleSeverity::Info,
                _ => r.severity,
            };
        }
        out
    }
}
