//! Property tests: for random valid inputs (written as TOML text in the documented input
//! format and read by `parse_input`, exactly as users' files are), every consistency relation
//! of the disclosure tables (DOMAIN §4, 审核公式 / 勾稽关系) holds exactly, in integer 分;
//! narrative shares add to 100% within rounding; and the generated report never prints
//! "NaN", "inf" or "-0.00".
//!
//! All relations live in one function, [`violations`], which the deterministic corruption
//! tests below also use to show that it does fail when the facts are inconsistent.

use juesuan_core::facts::{FactFilter, FundSource, Measure, Nature, Scenario};
use juesuan_core::input::parse_input;
use juesuan_core::tables::{derive_tables, Table, TableSet};
use juesuan_core::{Amount, Catalogues, UnitYear};
use juesuan_data::Library;
use juesuan_report::context::{self, Part};
use juesuan_report::{build_report, Report};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::OnceLock;

// ------------------------------------------------------------------ shared data

struct Data {
    library: Library,
    catalogues: Catalogues,
    tables: TableSet,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let library = Library::embedded();
        let catalogues = library.catalogues(2021).expect("embedded 2021 catalogues");
        let tables = library
            .table_set("national", 2021)
            .expect("embedded national 2021 template");
        Data {
            library,
            catalogues,
            tables,
        }
    })
}

/// 项 codes used by the generator (all in data/catalogues/function-2021.toml; checked by
/// `generator_codes_exist`). Several share a 类 or 款 so that the hierarchy sums are real.
const FUNCTION_CODES: [&str; 12] = [
    "2010101", "2050101", "2060101", "2060701", "2060702", "2069999", "2080501", "2080502",
    "2080505", "2101101", "2210201", "2130101",
];

/// Economic 款 codes used for 基本支出 (301, 302, 303 and 310: both 人员经费 and 公用经费).
// No 三公 codes (30212/30217/30231/31013): the input requires them not to exceed the 三公
// figures (E032), which this generator draws independently.
const ECONOMIC_CODES: [&str; 9] = [
    "30101", "30102", "30113", "30201", "30211", "30205", "30207", "30302", "31002",
];

const SOURCES: [FundSource; 8] = FundSource::ALL;
const NATURES: [Nature; 5] = Nature::ALL;

// ------------------------------------------------------------------ the relations

/// Collects violated relations.
struct Checker<'a> {
    tables: &'a [Table],
    out: Vec<String>,
}

impl Checker<'_> {
    fn table(&mut self, id: &str) -> Option<&Table> {
        let t = self.tables.iter().find(|t| t.id == id);
        if t.is_none() {
            self.out.push(format!("table {id} missing"));
        }
        t
    }

    /// A cell of a fixed row (must exist).
    fn fixed(&mut self, id: &str, row: &str, col: &str) -> i64 {
        let v = self
            .tables
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.get(row, col));
        match v {
            Some(a) => a.fen(),
            None => {
                self.out.push(format!("{id}: cell ({row}, {col}) missing"));
                0
            }
        }
    }

    /// A cell of a classification row (absent = no non-zero facts = 0).
    fn code(&self, id: &str, row: &str, col: &str) -> i64 {
        self.tables
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.get(row, col))
            .map_or(0, Amount::fen)
    }

    fn eq(&mut self, relation: impl Into<String>, left: i64, right: i64) {
        if left != right {
            self.out.push(format!(
                "{}: {left} ≠ {right} (分, diff {})",
                relation.into(),
                left - right
            ));
        }
    }

    /// Classification row keys (codes of the given length) of a table.
    fn codes(&self, id: &str, len: usize) -> BTreeSet<String> {
        self.tables
            .iter()
            .find(|t| t.id == id)
            .map(|t| {
                t.row_keys()
                    .into_iter()
                    .filter(|k| k.len() == len && k.bytes().all(|b| b.is_ascii_digit()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (down to `depth` digits), per column.
    /// Every row of table `id`: its first column equals the sum of the others, and the
    /// classification hierarchy (类 = Σ 款 = Σ 项, total = Σ 类) holds in every column.
    fn row_sums_and_hierarchy(&mut self, id: &str, columns: &[&str]) {
        let rows = self
            .tables
            .iter()
            .find(|t| t.id == id)
            .map(Table::row_keys)
            .unwrap_or_default();
        for row in rows {
            let parts: i64 = columns[1..]
                .iter()
                .map(|col| self.code(id, &row, col))
                .sum();
            let total = self.fixed(id, &row, columns[0]);
            self.eq(
                format!("{id} {row}: {} = Σ {:?}", columns[0], &columns[1..]),
                total,
                parts,
            );
        }
        self.hierarchy(id, Some("total"), columns, 7);
    }

    fn hierarchy(&mut self, id: &str, total_row: Option<&str>, columns: &[&str], depth: usize) {
        let classes = self.codes(id, 3);
        let sections = self.codes(id, 5);
        let items = self.codes(id, 7);
        for col in columns {
            if let Some(total_row) = total_row {
                let total = self.fixed(id, total_row, col);
                let sum: i64 = classes.iter().map(|c| self.code(id, c, col)).sum();
                self.eq(format!("{id} {col}: {total_row} = Σ 类"), total, sum);
            }
            let levels: &[(&BTreeSet<String>, &BTreeSet<String>, &str)] = &[
                (&classes, &sections, "类 = Σ 款"),
                (&sections, &items, "款 = Σ 项"),
            ];
            for (parents, children, what) in levels.iter().take(match depth {
                3 => 0,
                5 => 1,
                _ => 2,
            }) {
                for p in parents.iter() {
                    let sum: i64 = children
                        .iter()
                        .filter(|c| c.starts_with(p.as_str()))
                        .map(|c| self.code(id, c, col))
                        .sum();
                    let v = self.code(id, p, col);
                    self.eq(format!("{id} {col} {p}: {what}"), v, sum);
                }
            }
        }
    }

    /// Shares of a whole add to 100.00 within ±0.005 per non-zero part; None iff whole = 0.
    fn shares(&mut self, what: &str, parts: &[Part], whole: i64) {
        let parts_sum: i64 = parts.iter().map(|p| p.fen).sum();
        self.eq(format!("{what}: Σ parts = whole"), parts_sum, whole);
        if whole == 0 {
            if let Some(p) = parts.iter().find(|p| p.share.is_some()) {
                self.out
                    .push(format!("{what}: whole is 0 but {} has a share", p.code));
            }
            return;
        }
        let mut hundredths = 0i64;
        let mut nonzero = 0i64;
        for p in parts {
            let Some(s) = &p.share else {
                self.out
                    .push(format!("{what}: whole ≠ 0 but {} has no share", p.code));
                continue;
            };
            match parse_hundredths(s) {
                Some(h) => hundredths += h,
                None => self.out.push(format!("{what}: share “{s}” is not x.yy")),
            }
            if p.fen != 0 {
                nonzero += 1;
            }
        }
        if 2 * (hundredths - 10_000).abs() > nonzero {
            self.out.push(format!(
                "{what}: shares add to {} (hundredths of a percent) with {nonzero} non-zero parts",
                hundredths
            ));
        }
    }
}

/// "59.16" → 5916, "-0.50" → -50.
fn parse_hundredths(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (i, f) = body.split_once('.')?;
    if f.len() != 2 || i.is_empty() {
        return None;
    }
    let v = i.parse::<i64>().ok()? * 100 + f.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// Every relation of DOMAIN §4 between the derived tables, the facts and the narrative
/// context. Returns the violated ones (empty = consistent).
fn violations(uy: &UnitYear, catalogues: &Catalogues, tables: &[Table]) -> Vec<String> {
    let mut c = Checker {
        tables,
        out: Vec::new(),
    };
    for id in ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"] {
        c.table(id);
    }
    let fact = |measure: Measure, source: Option<FundSource>| {
        uy.facts
            .sum(&FactFilter {
                measure: vec![measure],
                source: source.into_iter().collect(),
                ..FactFilter::default()
            })
            .fen()
    };

    // ---- 公开01表 收入支出决算总表
    let income_rows: i64 = SOURCES
        .iter()
        .map(|s| c.fixed("t1", &format!("income_{}", s.key()), "amount"))
        .sum();
    let income_total = c.fixed("t1", "income_total", "amount");
    let expenditure_total = c.fixed("t1", "expenditure_total", "amount");
    let used = c.fixed("t1", "used_non_fiscal_balance", "amount");
    let distributed = c.fixed("t1", "surplus_distribution", "amount");
    let begin = c.fixed("t1", "carryover_begin", "amount");
    let end = c.fixed("t1", "carryover_end", "amount");
    let grand_in = c.fixed("t1", "grand_total_in", "amount");
    let grand_out = c.fixed("t1", "grand_total_out", "amount");
    c.eq(
        "t1: income_total = Σ eight income rows",
        income_total,
        income_rows,
    );
    c.eq(
        "t1: grand_total_in = income_total + used_non_fiscal_balance + carryover_begin",
        grand_in,
        income_total + used + begin,
    );
    c.eq(
        "t1: grand_total_out = expenditure_total + surplus_distribution + carryover_end",
        grand_out,
        expenditure_total + distributed + end,
    );
    c.eq("t1: 总计(收入) = 总计(支出)", grand_in, grand_out);
    c.hierarchy("t1", Some("expenditure_total"), &["amount"], 3);

    // ---- t1 ↔ t2, t3
    let t2_total = c.fixed("t2", "total", "total");
    c.eq(
        "t1 income_total = t2 (total, total)",
        income_total,
        t2_total,
    );
    let t3_total = c.fixed("t3", "total", "total");
    c.eq(
        "t1 expenditure_total = t3 (total, total)",
        expenditure_total,
        t3_total,
    );
    for class in c.codes("t1", 3).union(&c.codes("t3", 3)) {
        let (a, b) = (c.code("t1", class, "amount"), c.code("t3", class, "total"));
        c.eq(format!("t1 类 {class} = t3 类 {class}"), a, b);
    }
    // t2 per source = facts (table 1 totals = table 2 合计 per source)
    c.eq(
        "t2 (total, fiscal) = t1 Σ 财政拨款 income rows",
        c.code("t2", "total", "fiscal"),
        ["general_budget", "government_fund", "state_capital"]
            .iter()
            .map(|s| c.code("t1", &format!("income_{s}"), "amount"))
            .sum(),
    );
    for s in [
        "superior_subsidy",
        "business",
        "operation",
        "affiliate",
        "other",
    ] {
        let (a, b) = (
            c.code("t2", "total", s),
            c.code("t1", &format!("income_{s}"), "amount"),
        );
        c.eq(format!("t2 (total, {s}) = t1 income_{s}"), a, b);
    }

    // ---- 公开02表, 公开03表, 公开05表: row sums and hierarchy
    c.row_sums_and_hierarchy(
        "t2",
        &[
            "total",
            "fiscal",
            "superior_subsidy",
            "business",
            "operation",
            "affiliate",
            "other",
        ],
    );
    c.row_sums_and_hierarchy(
        "t3",
        &[
            "total",
            "basic",
            "project",
            "to_superior",
            "operation",
            "to_affiliates",
        ],
    );
    c.row_sums_and_hierarchy("t5", &["total", "basic", "project"]);

    // ---- 公开04表 财政拨款收入支出决算总表
    let t4_cols = [
        "total",
        "general_budget",
        "government_fund",
        "state_capital",
    ];
    let t4_income_rows: i64 = ["general_budget", "government_fund", "state_capital"]
        .iter()
        .map(|s| c.fixed("t4", &format!("income_{s}"), "amount"))
        .sum();
    let t4_income_total = c.fixed("t4", "income_total", "amount");
    c.eq(
        "t4: income_total = Σ three income rows",
        t4_income_total,
        t4_income_rows,
    );
    let t4_rows = c.tables.iter().find(|t| t.id == "t4").map(Table::row_keys);
    for row in t4_rows.unwrap_or_default() {
        if row.starts_with("income_") || row == "carryover_begin" || row == "grand_total_in" {
            continue; // left side: one column
        }
        let parts: i64 = t4_cols[1..].iter().map(|col| c.code("t4", &row, col)).sum();
        let total = c.fixed("t4", &row, "total");
        c.eq(format!("t4 {row}: total = Σ 拨款 columns"), total, parts);
    }
    c.hierarchy("t4", Some("expenditure_total"), &t4_cols, 3);
    for s in [
        FundSource::GeneralBudget,
        FundSource::GovernmentFund,
        FundSource::StateCapital,
    ] {
        let k = s.key();
        let begin_s = fact(Measure::CarryoverBegin, Some(s));
        let income_s = c.fixed("t4", &format!("income_{k}"), "amount");
        let exp_s = c.fixed("t4", "expenditure_total", k);
        let end_s = c.fixed("t4", "carryover_end", k);
        c.eq(
            format!("t4 {k}: 年初结转 + 本年收入 = 本年支出 + 年末结转"),
            begin_s + income_s,
            exp_s + end_s,
        );
    }
    let t4_begin = c.fixed("t4", "carryover_begin", "amount");
    let t4_exp = c.fixed("t4", "expenditure_total", "total");
    let t4_end = c.fixed("t4", "carryover_end", "total");
    let t4_in = c.fixed("t4", "grand_total_in", "amount");
    let t4_out = c.fixed("t4", "grand_total_out", "total");
    c.eq(
        "t4: grand_total_in = income_total + carryover_begin",
        t4_in,
        t4_income_total + t4_begin,
    );
    c.eq(
        "t4: grand_total_out = expenditure_total + carryover_end",
        t4_out,
        t4_exp + t4_end,
    );
    c.eq("t4: 总计(收入) = 总计(支出)", t4_in, t4_out);
    c.eq(
        "t4 carryover_begin = Σ fiscal carryover_begin facts",
        t4_begin,
        [
            FundSource::GeneralBudget,
            FundSource::GovernmentFund,
            FundSource::StateCapital,
        ]
        .iter()
        .map(|s| fact(Measure::CarryoverBegin, Some(*s)))
        .sum(),
    );
    for class in c.codes("t4", 3).union(&c.codes("t5", 3)) {
        let (a, b) = (
            c.code("t4", class, "general_budget"),
            c.code("t5", class, "total"),
        );
        c.eq(
            format!("t4 类 {class} general_budget = t5 类 {class} total"),
            a,
            b,
        );
    }
    let (a, b) = (
        c.fixed("t4", "expenditure_total", "general_budget"),
        c.fixed("t5", "total", "total"),
    );
    c.eq(
        "t4 expenditure_total general_budget = t5 (total, total)",
        a,
        b,
    );

    // ---- 公开06表
    c.hierarchy("t6", Some("total"), &["amount"], 5);
    let personnel = c.fixed("t6", "personnel", "amount");
    let public = c.fixed("t6", "public", "amount");
    let t6_total = c.fixed("t6", "total", "amount");
    let t5_basic = c.fixed("t5", "total", "basic");
    c.eq(
        "t5 (total, basic) = t6 personnel + public",
        t5_basic,
        personnel + public,
    );
    c.eq("t5 (total, basic) = t6 total", t5_basic, t6_total);

    // ---- 公开07表 三公
    for col in ["budget", "actual"] {
        let total = c.fixed("t7", "total", col);
        let abroad = c.fixed("t7", "abroad", col);
        let vehicle = c.fixed("t7", "vehicle", col);
        let purchase = c.fixed("t7", "vehicle_purchase", col);
        let operation = c.fixed("t7", "vehicle_operation", col);
        let reception = c.fixed("t7", "reception", col);
        c.eq(
            format!("t7 {col}: total = abroad + vehicle + reception"),
            total,
            abroad + vehicle + reception,
        );
        c.eq(
            format!("t7 {col}: vehicle = vehicle_purchase + vehicle_operation"),
            vehicle,
            purchase + operation,
        );
    }

    // ---- 公开08表 / 公开09表
    for (id, s) in [
        ("t8", FundSource::GovernmentFund),
        ("t9", FundSource::StateCapital),
    ] {
        let b = c.fixed(id, "total", "carryover_begin");
        let i = c.fixed(id, "total", "income");
        let e = c.fixed(id, "total", "expenditure");
        let en = c.fixed(id, "total", "carryover_end");
        c.eq(
            format!("{id}: carryover_begin + income = expenditure + carryover_end"),
            b + i,
            e + en,
        );
        let k = s.key();
        let (t4i, t4e, t4en) = (
            c.fixed("t4", &format!("income_{k}"), "amount"),
            c.fixed("t4", "expenditure_total", k),
            c.fixed("t4", "carryover_end", k),
        );
        c.eq(format!("{id} income = t4 income_{k}"), i, t4i);
        c.eq(
            format!("{id} expenditure = t4 expenditure_total {k}"),
            e,
            t4e,
        );
        c.eq(
            format!("{id} carryover_end = t4 carryover_end {k}"),
            en,
            t4en,
        );
        c.hierarchy(
            id,
            Some("total"),
            &["income", "expenditure", "basic", "project"],
            7,
        );
    }

    // ---- narrative shares
    // (context::build debug-asserts 总计(收入) = 总计(支出) itself; a panic is a violation.)
    // Skipped when 总计 already disagree, which is the assertion's condition.
    let built = if grand_in == grand_out {
        std::panic::catch_unwind(|| context::build(uy, catalogues, Vec::new()))
    } else {
        Err(Box::new("skipped: 总计(收入) ≠ 总计(支出)".to_string())
            as Box<dyn std::any::Any + Send>)
    };
    match built {
        Ok((cx, _warnings)) => {
            let gb_total = c.fixed("t5", "total", "total");
            c.shares("income_parts", &cx.income_parts, income_total);
            c.shares(
                "expenditure_parts",
                &cx.expenditure_parts,
                expenditure_total,
            );
            c.shares(
                "general_budget_classes",
                &cx.general_budget_classes,
                gb_total,
            );
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            c.out.push(format!("context::build: {msg}"));
        }
    }

    c.out
}

/// The rendered report never prints float artefacts or a negative zero.
fn text_violations(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let mut texts: Vec<(String, &str)> = vec![
        ("report.md".into(), &report.markdown),
        ("report.html".into(), &report.html),
        ("tables.json".into(), &report.tables_json),
    ];
    for ch in &report.charts {
        texts.push((format!("charts/{}.svg", ch.id), &ch.svg));
    }
    for (name, text) in texts {
        for bad in ["NaN", "-0.00", "inf"] {
            for (i, _) in text.match_indices(bad) {
                if bad == "inf" {
                    // only the float spelling, not words such as "info"
                    let before = text[..i].chars().next_back();
                    let after = text[i + 3..].chars().next();
                    if before.is_some_and(|c| c.is_ascii_alphabetic())
                        || after.is_some_and(|c| c.is_ascii_alphabetic())
                    {
                        continue;
                    }
                }
                if bad == "-0.00" && text[i + 5..].starts_with(|c: char| c.is_ascii_digit()) {
                    // "-0.001" is not a negative zero in 2 decimals; still report it if it
                    // is all zeros (e.g. "-0.000")
                    let digits: String = text[i + 5..]
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    if digits.chars().any(|d| d != '0') {
                        continue;
                    }
                }
                let from = text[..i].char_indices().rev().nth(30).map_or(0, |(j, _)| j);
                let to = text[i..]
                    .char_indices()
                    .nth(30)
                    .map_or(text.len(), |(j, _)| i + j);
                out.push(format!("{name} contains “{bad}”: …{}…", &text[from..to]));
            }
        }
    }
    out
}

// ------------------------------------------------------------------ the generator

/// An amount in 分 and how to write it (integer 元 or 2 decimals).
#[derive(Debug, Clone, Copy)]
struct Amt {
    fen: i64,
    integer: bool,
}

fn write_amount(fen: i64, integer: bool) -> String {
    if integer && fen % 100 == 0 {
        format!("{}", fen / 100)
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

impl Amt {
    fn text(self) -> String {
        write_amount(self.fen, self.integer)
    }
}

fn amt() -> impl Strategy<Value = Amt> {
    let fen = prop_oneof![
        1 => Just(0i64),
        2 => 1i64..=100_000,                      // up to 1 000 元: rounds to a few 0.01 万元
        1 => (0i64..=4_000).prop_map(|k| k * 5_000), // on the 0.005 万元 rounding boundary
        4 => 1i64..=20_000_000_000,               // up to 2 亿元
    ];
    (fen, any::<bool>()).prop_map(|(fen, integer)| Amt { fen, integer })
}

fn opt(p: f64) -> BoxedStrategy<Option<Amt>> {
    if p <= 0.0 {
        Just(None).boxed()
    } else {
        prop::option::weighted(p, amt()).boxed()
    }
}

/// How likely a unit has income or spending from a source at all.
fn source_p(s: FundSource) -> f64 {
    match s {
        FundSource::GeneralBudget => 0.85,
        FundSource::GovernmentFund | FundSource::StateCapital => 0.25,
        _ => 0.3,
    }
}

#[derive(Debug, Clone)]
struct Case {
    kind: usize,
    /// [source][function code]
    income: Vec<Vec<Option<Amt>>>,
    /// [nature][source][function code]; 财政拨款 only basic / project
    expenditure: Vec<Vec<Vec<Option<Amt>>>>,
    /// [source][economic code] weights splitting that source's 基本支出
    econ_weights: Vec<Vec<u32>>,
    /// [source] extra 年初结转和结余 beyond what is needed
    begin_extra: Vec<Option<Amt>>,
    used: Option<Amt>,
    distributed: Option<Amt>,
    /// cover a non-fiscal shortfall by 使用非财政拨款结余 (else by other's 年初结转)
    fix_via_used: bool,
    /// [function code] 年初预算
    budget: Vec<Option<Amt>>,
    /// [item][budget, actual, prior]
    sangong: Vec<Vec<Option<Amt>>>,
    /// grand_total, fiscal_grand_total, general_budget_expenditure
    prior: Vec<Option<Amt>>,
    /// operating costs actual, prior
    operating: Vec<Option<Amt>>,
    /// goods, works, services
    procurement: Vec<Option<Amt>>,
    /// sme / total and small_micro / sme in ‰ (None: not stated)
    sme_permille: Option<u32>,
    small_permille: Option<u32>,
}

fn case() -> impl Strategy<Value = Case> {
    let n = FUNCTION_CODES.len();
    // Cells are drawn densely, then masked by which sources and 项 the unit uses at all,
    // so that cases range from one 项 of one source to many (and to no income at all).
    let income = prop::collection::vec(prop::collection::vec(opt(0.6), n), 8);
    let expenditure: Vec<Vec<_>> = NATURES
        .iter()
        .map(|nature| {
            SOURCES
                .iter()
                .map(|s| {
                    let p = match (s.is_fiscal(), nature) {
                        (true, Nature::Basic | Nature::Project) => 0.6,
                        (true, _) => 0.0, // 财政拨款: 基本支出 and 项目支出 only
                        (false, _) => 0.25,
                    };
                    prop::collection::vec(opt(p), n)
                })
                .collect()
        })
        .collect();
    let sources_on: Vec<_> = SOURCES
        .iter()
        .map(|s| prop::bool::weighted(source_p(*s)))
        .collect();
    let codes_on = prop::collection::vec(prop::bool::weighted(0.45), n);
    let econ_weights =
        prop::collection::vec(prop::collection::vec(0u32..=4, ECONOMIC_CODES.len()), 8);
    let begin_extra = prop::collection::vec(opt(0.3), 8);
    let budget = prop::collection::vec(opt(0.4), n);
    let sangong = prop::collection::vec(prop::collection::vec(opt(0.5), 3), 4);
    let prior = prop::collection::vec(opt(0.7), 3);
    let operating = prop::collection::vec(opt(0.5), 2);
    let procurement = prop::collection::vec(opt(0.4), 3);
    (
        (0usize..3, income, expenditure, econ_weights, begin_extra),
        (opt(0.2), opt(0.2), any::<bool>(), budget, sangong),
        (
            prior,
            operating,
            procurement,
            prop::option::weighted(0.7, 0u32..=1000),
            prop::option::weighted(0.7, 0u32..=1000),
        ),
        (sources_on, codes_on),
    )
        .prop_map(
            |(
                (kind, income, expenditure, econ_weights, begin_extra),
                (used, distributed, fix_via_used, budget, sangong),
                (prior, operating, procurement, sme_permille, small_permille),
                (sources_on, codes_on),
            )| {
                let on = |si: usize, row: Vec<Option<Amt>>| -> Vec<Option<Amt>> {
                    row.into_iter()
                        .zip(&codes_on)
                        .map(|(a, code_on)| a.filter(|_| sources_on[si] && *code_on))
                        .collect()
                };
                let income = income
                    .into_iter()
                    .enumerate()
                    .map(|(si, r)| on(si, r))
                    .collect();
                let expenditure = expenditure
                    .into_iter()
                    .map(|by| {
                        by.into_iter()
                            .enumerate()
                            .map(|(si, r)| on(si, r))
                            .collect()
                    })
                    .collect();
                Case {
                    kind,
                    income,
                    expenditure,
                    econ_weights,
                    begin_extra,
                    used,
                    distributed,
                    fix_via_used,
                    budget,
                    sangong,
                    prior,
                    operating,
                    procurement,
                    sme_permille,
                    small_permille,
                }
            },
        )
}

/// Write the case as an input file (amount_unit = "元").
fn to_toml(c: &Case) -> String {
    let mut t = String::new();
    let kind = ["行政", "参公", "事业"][c.kind];
    writeln!(
        t,
        "schema = \"juesuan-input/1\"\nyear = 2021\namount_unit = \"元\"\n\n[unit]\nname = \"测试单位\"\nkind = \"{kind}\"\n"
    )
    .unwrap();

    let lines = |t: &mut String, header: &str, row: &[Option<Amt>]| {
        if row.iter().all(Option::is_none) {
            return;
        }
        writeln!(t, "[{header}]").unwrap();
        for (code, a) in FUNCTION_CODES.iter().zip(row) {
            if let Some(a) = a {
                writeln!(t, "\"{code}\" = {}", a.text()).unwrap();
            }
        }
    };
    let sum = |row: &[Option<Amt>]| row.iter().flatten().map(|a| a.fen).sum::<i64>();

    t.push_str("[income]\n");
    for (s, row) in SOURCES.iter().zip(&c.income) {
        lines(&mut t, &format!("income.{}", s.key()), row);
    }
    t.push_str("\n[expenditure]\n");
    for (nature, by_source) in NATURES.iter().zip(&c.expenditure) {
        for (s, row) in SOURCES.iter().zip(by_source) {
            lines(
                &mut t,
                &format!("expenditure.{}.{}", nature.key(), s.key()),
                row,
            );
        }
    }

    // 基本支出按经济分类: split each source's basic spending exactly.
    for (si, s) in SOURCES.iter().enumerate() {
        let basic = sum(&c.expenditure[0][si]);
        if basic == 0 && *s != FundSource::GeneralBudget {
            continue;
        }
        let weights = &c.econ_weights[si];
        let mut chosen: Vec<(usize, u32)> = weights
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0)
            .map(|(i, w)| (i, *w))
            .collect();
        if chosen.is_empty() {
            chosen.push((si % ECONOMIC_CODES.len(), 1));
        }
        let wsum: i64 = chosen.iter().map(|(_, w)| i64::from(*w)).sum();
        writeln!(t, "\n[basic_economic.{}]", s.key()).unwrap();
        let mut rest = basic;
        for (k, (i, w)) in chosen.iter().enumerate() {
            let part = if k + 1 == chosen.len() {
                rest
            } else {
                basic * i64::from(*w) / wsum
            };
            rest -= part;
            let integer = weights[(i + 1) % weights.len()].is_multiple_of(2);
            writeln!(
                t,
                "\"{}\" = {}",
                ECONOMIC_CODES[*i],
                write_amount(part, integer)
            )
            .unwrap();
        }
    }

    // 年初结转和结余: enough for every 财政拨款 source; non-fiscal remainder ≥ 0.
    let mut begin: Vec<Option<i64>> = vec![None; 8];
    let mut non_fiscal = 0i64;
    for (si, s) in SOURCES.iter().enumerate() {
        let income = sum(&c.income[si]);
        let spent: i64 = c.expenditure.iter().map(|by| sum(&by[si])).sum();
        let extra = c.begin_extra[si].map(|a| a.fen);
        if s.is_fiscal() {
            let need = (spent - income).max(0);
            if need > 0 || extra.is_some() {
                begin[si] = Some(need + extra.unwrap_or(0));
            }
        } else {
            begin[si] = extra;
            non_fiscal += extra.unwrap_or(0) + income - spent;
        }
    }
    let mut used = c.used.map(|a| a.fen);
    let distributed = c.distributed.map(|a| a.fen);
    let remainder = non_fiscal + used.unwrap_or(0) - distributed.unwrap_or(0);
    if remainder < 0 {
        if c.fix_via_used {
            used = Some(used.unwrap_or(0) - remainder);
        } else {
            begin[7] = Some(begin[7].unwrap_or(0) - remainder);
        }
    }
    if begin.iter().any(Option::is_some) {
        t.push_str("\n[carryover_begin]\n");
        for (s, b) in SOURCES.iter().zip(&begin) {
            if let Some(b) = b {
                writeln!(t, "{} = {}", s.key(), write_amount(*b, b % 3 == 0)).unwrap();
            }
        }
    }
    if used.is_some() || distributed.is_some() {
        t.push_str("\n[other_balances]\n");
        if let Some(u) = used {
            writeln!(t, "used_non_fiscal_balance = {}", write_amount(u, true)).unwrap();
        }
        if let Some(d) = distributed {
            writeln!(t, "surplus_distribution = {}", write_amount(d, false)).unwrap();
        }
    }

    t.push('\n');
    lines(&mut t, "budget", &c.budget);

    let keyed = |t: &mut String, header: &str, keys: &[&str], vals: &[Option<Amt>]| {
        if vals.iter().all(Option::is_none) {
            return;
        }
        writeln!(t, "\n[{header}]").unwrap();
        for (k, v) in keys.iter().zip(vals) {
            if let Some(v) = v {
                writeln!(t, "{k} = {}", v.text()).unwrap();
            }
        }
    };
    keyed(
        &mut t,
        "prior",
        &[
            "grand_total",
            "fiscal_grand_total",
            "general_budget_expenditure",
        ],
        // [prior] is required: a last-year figure not drawn is stated as 0 (a new unit).
        &c.prior
            .iter()
            .map(|v| {
                Some((*v).unwrap_or(Amt {
                    fen: 0,
                    integer: true,
                }))
            })
            .collect::<Vec<_>>(),
    );
    for (item, vals) in [
        "abroad",
        "vehicle_purchase",
        "vehicle_operation",
        "reception",
    ]
    .iter()
    .zip(&c.sangong)
    {
        keyed(
            &mut t,
            &format!("sangong.{item}"),
            &["budget", "actual", "prior"],
            vals,
        );
    }
    keyed(
        &mut t,
        "operating_costs",
        &["actual", "prior"],
        &c.operating,
    );

    let total: i64 = c.procurement.iter().flatten().map(|a| a.fen).sum();
    let any_proc = c.procurement.iter().any(Option::is_some);
    if any_proc || c.sme_permille.is_some() {
        t.push_str("\n[procurement]\n");
        for (k, v) in ["goods", "works", "services"].iter().zip(&c.procurement) {
            if let Some(v) = v {
                writeln!(t, "{k} = {}", v.text()).unwrap();
            }
        }
        if let Some(p) = c.sme_permille {
            let sme = total * i64::from(p) / 1000;
            writeln!(t, "sme = {}", write_amount(sme, p % 2 == 0)).unwrap();
            if let Some(q) = c.small_permille {
                let small = sme * i64::from(q) / 1000;
                writeln!(t, "small_micro = {}", write_amount(small, q % 2 == 0)).unwrap();
            }
        }
    }
    t
}

fn parse(text: &str) -> UnitYear {
    match parse_input(text, "generated.toml", &data().catalogues) {
        Ok(uy) => uy,
        Err(errors) => {
            let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!(
                "generated input rejected:\n{}\n---- input ----\n{text}",
                list.join("\n")
            )
        }
    }
}

fn tables_of(uy: &UnitYear) -> Vec<Table> {
    derive_tables(&data().tables, uy, &data().catalogues)
}

// ------------------------------------------------------------------ tests

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// `write_input` gives back a file that reads to the same unit-year: the same figures
    /// (facts without their locations) and the same texts, counts and reasons.
    #[test]
    fn written_input_reads_back_the_same(c in case()) {
        let text = to_toml(&c);
        let uy = parse(&text);
        let written = juesuan_core::write_input(&uy, &data().catalogues);
        let again = parse_input(&written, "written.toml", &data().catalogues)
            .unwrap_or_else(|e| panic!("{e:?}\n---- written ----\n{written}"));
        assert_same_unit_year(&uy, &again, &written);
    }

    #[test]
    fn tables_and_narrative_are_consistent(c in case()) {
        let text = to_toml(&c);
        let uy = parse(&text);
        let tables = tables_of(&uy);
        let v = violations(&uy, &data().catalogues, &tables);
        prop_assert!(v.is_empty(), "violated relations:\n{}\n---- input ----\n{}", v.join("\n"), text);

        // The shipped consistency rules (data/rules) agree: no finding on derived tables.
        let rules = juesuan_check::RuleSet::from_toml(
            include_str!("../../../data/rules/national-2021.toml"),
            "national-2021.toml",
        )
        .unwrap();
        let findings: Vec<String> = juesuan_check::run(&rules, &tables)
            .into_iter()
            .flat_map(|r| r.findings)
            .map(|f| format!("{} {}: {} ≠ {}", f.rule, f.location, f.stated, f.expected))
            .collect();
        prop_assert!(findings.is_empty(), "rule findings:\n{}\n---- input ----\n{}", findings.join("\n"), text);

        let report = build_report(&uy, &data().library, &data().catalogues);
        let report = match report {
            Ok(r) => r,
            Err(e) => return Err(TestCaseError::fail(format!("build_report failed: {e}\n---- input ----\n{text}"))),
        };
        let v = text_violations(&report);
        prop_assert!(v.is_empty(), "bad text:\n{}\n---- input ----\n{}", v.join("\n"), text);
    }
}

#[test]
fn generator_codes_exist() {
    let cat = &data().catalogues;
    for code in FUNCTION_CODES {
        assert!(cat.function.name(code).is_some(), "function code {code}");
    }
    for code in ECONOMIC_CODES {
        assert!(cat.economic.name(code).is_some(), "economic code {code}");
    }
}

fn example() -> UnitYear {
    parse(include_str!(
        "../../../examples/liangshan-kexie-2021/input.toml"
    ))
}

/// A small hand-written input in 元 with all kinds of money.
const SMALL: &str = r#"
schema = "juesuan-input/1"
year = 2021
amount_unit = "元"

[unit]
name = "测试单位"
kind = "行政"

[prior]
grand_total = 0
fiscal_grand_total = 0
general_budget_expenditure = 0

[income.general_budget]
"2060701" = 1000.01
"2080505" = 200
[income.government_fund]
"2130101" = 300.50
[income.business]
"2060702" = 50

[expenditure.basic.general_budget]
"2060701" = 900.01
"2080505" = 200
[expenditure.project.government_fund]
"2130101" = 250
[expenditure.to_affiliates.business]
"2060702" = 40

[basic_economic.general_budget]
"30101" = 700
"30201" = 400.01

[carryover_begin]
general_budget = 10
government_fund = 5

[sangong.reception]
budget = 10
actual = 12.34
"#;

#[test]
fn valid_inputs_have_no_violations() {
    for (name, uy) in [("example", example()), ("small", parse(SMALL))] {
        let v = violations(&uy, &data().catalogues, &tables_of(&uy));
        assert!(v.is_empty(), "{name}: {v:#?}");
        let report = build_report(&uy, &data().library, &data().catalogues).expect("report");
        let v = text_violations(&report);
        assert!(v.is_empty(), "{name}: {v:#?}");
    }
}

/// Add 1 分 to the first fact matching `pick`, after parsing, and return the violations.
fn corrupted(mut uy: UnitYear, pick: impl Fn(&juesuan_core::Fact) -> bool) -> Vec<String> {
    let i = uy
        .facts
        .facts
        .iter()
        .position(|f| pick(f) && !f.amount.is_zero())
        .expect("a fact to corrupt");
    uy.facts.facts[i].amount += Amount(1);
    let tables = tables_of(&uy);
    violations(&uy, &data().catalogues, &tables)
}

#[test]
fn checker_fails_when_an_expenditure_is_off_by_one_fen() {
    for uy in [example(), parse(SMALL)] {
        let v = corrupted(uy, |f| {
            f.measure == Measure::Expenditure
                && f.scenario == Scenario::Actual
                && f.source == Some(FundSource::GeneralBudget)
                && f.nature == Some(Nature::Basic)
        });
        assert!(!v.is_empty(), "corruption not detected");
        for expected in [
            "t1: 总计(收入) = 总计(支出)",
            "t4 general_budget: 年初结转 + 本年收入 = 本年支出 + 年末结转",
            "t5 (total, basic) = t6 personnel + public",
        ] {
            assert!(
                v.iter().any(|x| x.starts_with(expected)),
                "expected “{expected}” among {v:#?}"
            );
        }
    }
}

#[test]
fn checker_fails_when_an_income_or_economic_line_is_off_by_one_fen() {
    let v = corrupted(parse(SMALL), |f| {
        f.measure == Measure::Income && f.source == Some(FundSource::GovernmentFund)
    });
    assert!(
        v.iter()
            .any(|x| x.starts_with("t8: carryover_begin + income = expenditure + carryover_end")),
        "{v:#?}"
    );
    assert!(
        v.iter()
            .any(|x| x.starts_with("t1: 总计(收入) = 总计(支出)")),
        "{v:#?}"
    );

    let v = corrupted(parse(SMALL), |f| f.measure == Measure::BasicEconomic);
    assert!(
        v.iter()
            .any(|x| x.starts_with("t5 (total, basic) = t6 total")),
        "{v:#?}"
    );
}

#[test]
fn share_check_fails_on_bad_shares() {
    let part = |fen: i64, share: Option<&str>| Part {
        label: String::new(),
        code: format!("{fen}"),
        amount: String::new(),
        fen,
        share: share.map(str::to_string),
    };
    let mut c = Checker {
        tables: &[],
        out: Vec::new(),
    };
    // 1/3 + 1/3 + 1/3: 33.33 × 3 = 99.99 is within rounding
    c.shares(
        "ok",
        &[
            part(1, Some("33.33")),
            part(1, Some("33.33")),
            part(1, Some("33.33")),
        ],
        3,
    );
    assert!(c.out.is_empty(), "{:?}", c.out);
    // two parts may be off by 0.01 in total only if each is off by 0.005: 99.98 is not
    c.shares("bad", &[part(1, Some("49.99")), part(1, Some("49.99"))], 2);
    assert_eq!(c.out.len(), 1, "{:?}", c.out);
    c.out.clear();
    c.shares("zero", &[part(0, Some("0.00"))], 0);
    assert_eq!(c.out.len(), 1, "{:?}", c.out);
}

#[test]
fn text_check_finds_float_artefacts() {
    let report = build_report(&parse(SMALL), &data().library, &data().catalogues).expect("report");
    let mut bad = report.clone();
    bad.markdown
        .push_str("\n占比NaN%，增减-0.00万元，比率inf%\n");
    assert_eq!(
        text_violations(&bad).len(),
        3,
        "{:#?}",
        text_violations(&bad)
    );
}

/// Two unit-years publish the same disclosure: equal normalized facts, equal texts and the
/// same `[evaluation]` (by content: its source lines and file name differ once written).
fn assert_same_unit_year(a: &UnitYear, b: &UnitYear, written: &str) {
    assert_eq!(
        juesuan_core::normalized_facts(&a.facts),
        juesuan_core::normalized_facts(&b.facts),
        "facts differ; written:\n{written}"
    );
    assert_eq!(
        juesuan_core::section_changes(a, b),
        [],
        "sections differ; written:\n{written}"
    );
    let strip = |u: &UnitYear| {
        let mut u = u.clone();
        u.facts = Default::default();
        u.evaluation = None;
        u
    };
    assert_eq!(strip(a), strip(b), "texts differ; written:\n{written}");
}

#[test]
fn the_example_round_trips_through_write_input() {
    let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
    let uy = parse(text);
    let written = juesuan_core::write_input(&uy, &data().catalogues);
    let again = parse_input(&written, "written.toml", &data().catalogues)
        .unwrap_or_else(|e| panic!("{e:?}\n---- written ----\n{written}"));
    assert_same_unit_year(&uy, &again, &written);
    // Exact amounts survive: 233.934 万元 is not rounded to 233.93.
    assert!(written.contains("\"2060701\" = 233.934"), "{written}");
    // The same report, word for word.
    let (r1, r2) = (
        build_report(&uy, &data().library, &data().catalogues).unwrap(),
        build_report(&again, &data().library, &data().catalogues).unwrap(),
    );
    assert_eq!(r1.markdown, r2.markdown);
}

#[test]
fn round_trip_comparison_notices_a_changed_figure() {
    let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
    let uy = parse(text);
    // One 分 more income under 2060701 (its first occurrence is in [income]): still a valid
    // file, but not the same figures.
    let written = juesuan_core::write_input(&uy, &data().catalogues).replacen(
        "\"2060701\" = 233.934",
        "\"2060701\" = 233.935",
        1,
    );
    let again = parse(&written);
    assert_ne!(
        juesuan_core::normalized_facts(&uy.facts),
        juesuan_core::normalized_facts(&again.facts)
    );
}
