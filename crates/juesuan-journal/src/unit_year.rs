//! From a journal's facts to a unit-year and its input file (输入文件).
//!
//! A journal holds only actuals (决算数) of income and spending. Texts, budgets, prior-year
//! figures, reasons and the details of 三公 come from a base input (`--base`) when there is
//! one; otherwise the written file has placeholders and TODO comments saying what to fill.

use crate::error::{JournalError, Rule};
use crate::import::UnitFacts;
use juesuan_core::input::parse_input;
use juesuan_core::model::UnitKind;
use juesuan_core::write::{comment_text, write_input};
use juesuan_core::{
    Amount, Catalogues, Fact, FactTable, FundSource, Measure, MoneyUnit, Scenario, UnitYear,
};
use std::collections::BTreeMap;

/// What a journal replaces in a base unit-year (the facts [`replaced_by_journal`]), in words.
pub const REPLACED: [&str; 5] = [
    "本年收入",
    "本年支出",
    "基本支出经济分类",
    "年初结转和结余",
    "“三公”经费决算数",
];

/// Whether a base fact is replaced by the journal's facts (or re-derived by the parser).
fn replaced_by_journal(f: &Fact) -> bool {
    match (f.measure, f.scenario) {
        (
            Measure::Income
            | Measure::Expenditure
            | Measure::BasicEconomic
            | Measure::CarryoverBegin
            | Measure::SanGong,
            Scenario::Actual,
        ) => true,
        // Derived by the parser from the facts above.
        (Measure::CarryoverEnd, _) => true,
        // The default 机关运行经费 (公用经费) is derived too; a stated one is kept.
        (Measure::OperatingCosts, Scenario::Actual) => f.location.is_none(),
        _ => false,
    }
}

/// The base unit-year with its actuals replaced by the journal's (everything else of the
/// base, its `[evaluation]` included, is kept). Returns the unit-year and notes on stated
/// figures of the base that the journal changed (三公 actuals).
pub fn merge(base: &UnitYear, journal: &UnitFacts) -> (UnitYear, Vec<String>) {
    let mut notes = Vec::new();
    for item in crate::mapping::SANGONG_ITEMS {
        let of = |facts: &mut dyn Iterator<Item = &Fact>| -> juesuan_core::Amount {
            facts
                .filter(|f| {
                    f.measure == Measure::SanGong
                        && f.scenario == Scenario::Actual
                        && f.item.as_deref() == Some(item)
                })
                .map(|f| f.amount)
                .sum()
        };
        let before = of(&mut base.facts.facts.iter());
        let after = of(&mut journal.facts.iter());
        if before != after {
            notes.push(format!(
                "“三公”经费（{item}）决算数：基础文件为{}万元，日记账为{}万元，已按日记账填写",
                before.wan(),
                after.wan()
            ));
        }
    }
    let mut uy = base.clone();
    uy.facts = FactTable {
        facts: base
            .facts
            .facts
            .iter()
            .filter(|f| !replaced_by_journal(f))
            .cloned()
            .chain(journal.facts.iter().cloned())
            .collect(),
    };
    (uy, notes)
}

/// A unit-year holding only the journal's facts, with zero placeholders where the input
/// format requires a figure (上年决算数) and empty texts.
pub fn placeholder(journal: &UnitFacts, name: &str, kind: UnitKind, year: i32) -> UnitYear {
    let facts = FactTable {
        facts: journal.facts.clone(),
    };
    UnitYear::placeholder(&facts, name, kind, year, MoneyUnit::Yuan, "national")
}

/// Where the figures of the written file came from, for its header comment.
pub struct Provenance<'a> {
    pub journal: &'a str,
    /// The base input file's name, if any.
    pub base: Option<&'a str>,
    /// Without a base: where the 上年决算数 came from when they are not placeholders (e.g.
    /// "已存的2020年度第1版").
    pub prior: Option<&'a str>,
}

/// The input file for `uy`: `write_input` (the base's `[evaluation]` included: the merged
/// unit-year holds it), a header naming the journal (and base), and — without a base — TODO
/// comments at each section the preparer must fill in.
pub fn input_text(uy: &UnitYear, catalogues: &Catalogues, from: &Provenance) -> String {
    let written = write_input(uy, catalogues);
    let mut out = String::with_capacity(written.len() + 2048);
    out.push_str(&format!(
        "# 由 juesuan journal 从日记账 {} 生成：本年收入、本年支出、基本支出经济分类、年初结转和结余、\n# “三公”经费决算数按日记账汇总（科目映射见 docs/journal.md）。\n",
        comment_text(from.journal)
    ));
    match from.base {
        Some(name) => out.push_str(&format!(
            "# 单位信息、年初预算、上年数、原因、“三公”明细、绩效评价（[evaluation]）等其余各项取自 {}。\n",
            comment_text(name)
        )),
        None => out.push_str(
            "# TODO：日记账中没有的各项须由编制人补充（见各节前的 TODO；格式见 docs/input-format.md）：\n# 单位信息和文字、上年决算数、[budget] 年初预算、[reasons] 变动原因、“三公”预算数和明细、\n# [procurement] 政府采购、[assets] 国有资产、[performance] 绩效管理。\n",
        ),
    }
    for line in written.lines() {
        if from.base.is_none() {
            let todo = match line.trim() {
                "[unit]" => Some("# TODO：核对单位名称和单位性质（行政/参公/事业），补充 region、sub_units、functions（主要职能）、key_work（重点工作）、organisation（机构设置）。"),
                "[prior]" if from.prior.is_none() => Some("# TODO：上年决算数。日记账只含本年，下面的 0 是占位数，须改为上年公开的决算数（新设单位才是 0）。"),
                "[sangong.abroad]" => Some("# TODO：“三公”经费的 budget（预算数）、prior（上年数）和团组、车辆、接待等明细；actual 已按日记账经济分类汇总。"),
                _ => None,
            };
            if let Some(t) = todo {
                out.push_str(t);
                out.push('\n');
            }
            if let (Some(p), "[prior]") = (from.prior, line.trim()) {
                out.push_str(&format!("# 上年决算数取自{}。\n", comment_text(p)));
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if from.base.is_none() {
        out.push_str("\n# TODO：[budget] 各项级科目的年初预算数及 [budget_reasons]、[reasons] 变动原因、\n# [operating_costs] 上年机关运行经费、[procurement] 政府采购、[assets] 国有资产、[performance] 绩效管理。\n");
    }
    out
}

/// The unit kind from its Chinese name.
pub fn unit_kind(text: &str) -> Option<UnitKind> {
    match text.trim() {
        "行政" | "行政单位" => Some(UnitKind::Administrative),
        "参公" | "参照公务员法管理" => Some(UnitKind::CivilServiceManaged),
        "事业" | "事业单位" => Some(UnitKind::Institution),
        _ => None,
    }
}

/// The previous year's figures a journal import without a base states as 上年决算数 (from
/// the stored previous year, so that they agree with it instead of being zero placeholders).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorTotals {
    /// Where they come from, for the written file's comment ("已存的2020年度第1版").
    pub origin: String,
    /// 收入支出总计
    pub grand_total: Amount,
    /// 财政拨款收入支出总计
    pub fiscal_grand_total: Amount,
    /// 一般公共预算财政拨款支出
    pub general_budget_expenditure: Amount,
    /// “三公”经费决算数 by item
    pub sangong: BTreeMap<String, Amount>,
    /// 机关运行经费决算数
    pub operating_costs: Option<Amount>,
}

/// What a journal's actuals are put on top of (基础).
pub enum Base<'a> {
    /// A base unit-year (a `--base` file or a stored version): everything but the journal's
    /// actuals comes from it, its `[evaluation]` included. `name` says where it came from.
    Input { uy: &'a UnitYear, name: &'a str },
    /// No base: placeholders and TODO comments, with the prior-year figures when known.
    Placeholder {
        name: &'a str,
        kind: UnitKind,
        prior: Option<&'a PriorTotals>,
    },
}

/// A journal unit's input file, validated.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The input text (what `-o` writes and the store keeps).
    pub text: String,
    /// The text read back by `parse_input`.
    pub unit_year: UnitYear,
    /// Stated figures of the base the journal changed (for the user's information).
    pub notes: Vec<String>,
}

/// Journal + base → input text, read back with `parse_input`: the one step the command line
/// (`juesuan journal`, with or without `--db`) and the web upload share. A result that does
/// not validate gives J032 errors (one per input error), located at the journal `origin`.
pub fn build_input(
    unit: &UnitFacts,
    year: i32,
    base: &Base,
    catalogues: &Catalogues,
    origin: &str,
) -> Result<Draft, Vec<JournalError>> {
    let (uy, notes, provenance) = match base {
        Base::Input { uy, name } => {
            let (merged, notes) = merge(uy, unit);
            (
                merged,
                notes,
                Provenance {
                    journal: origin,
                    base: Some(*name),
                    prior: None,
                },
            )
        }
        Base::Placeholder { name, kind, prior } => {
            let mut uy = placeholder(unit, name, *kind, year);
            if let Some(p) = prior {
                set_prior(&mut uy, p);
            }
            (
                uy,
                Vec::new(),
                Provenance {
                    journal: origin,
                    base: None,
                    prior: prior.map(|p| p.origin.as_str()),
                },
            )
        }
    };
    let text = input_text(&uy, catalogues, &provenance);
    // The written file must read back: the journal's sums must satisfy the input's rules.
    match parse_input(&text, origin, catalogues) {
        Ok(unit_year) => Ok(Draft {
            text,
            unit_year,
            notes,
        }),
        Err(errors) => Err(errors
            .into_iter()
            .map(|e| {
                JournalError::new(
                    Rule::Validation,
                    origin,
                    format!(
                        "单位“{}”的导入结果不能作为输入文件：[{}] {}",
                        uy.unit.name,
                        e.code.code(),
                        e.message
                    ),
                    e.hint,
                )
            })
            .collect()),
    }
}

/// Replace the placeholder's zero prior-year figures by known ones.
fn set_prior(uy: &mut UnitYear, p: &PriorTotals) {
    uy.facts.facts.retain(|f| f.scenario != Scenario::Prior);
    let mut push = |f: Fact| uy.facts.facts.push(f);
    push(Fact::new(
        Measure::GrandTotal,
        Scenario::Prior,
        p.grand_total,
    ));
    push(Fact::new(
        Measure::FiscalGrandTotal,
        Scenario::Prior,
        p.fiscal_grand_total,
    ));
    push(
        Fact::new(
            Measure::Expenditure,
            Scenario::Prior,
            p.general_budget_expenditure,
        )
        .source(FundSource::GeneralBudget),
    );
    for (item, amount) in &p.sangong {
        push(Fact::new(Measure::SanGong, Scenario::Prior, *amount).item(item));
    }
    if let Some(a) = p.operating_costs {
        push(Fact::new(Measure::OperatingCosts, Scenario::Prior, a));
    }
}
