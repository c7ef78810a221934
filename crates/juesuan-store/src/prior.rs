//! Last year's stored figures as this year's comparatives (上年决算数).
//!
//! When the unit's previous year is stored, `import` fills a missing `[prior]` section from it
//! and checks every prior figure the input states against it, so the comparatives in this
//! year's disclosure are the figures published last year.

use crate::VersionInfo;
use juesuan_core::facts::{Fact, FactFilter, FactTable, FundSource, Measure, Scenario};
use juesuan_core::{Amount, MoneyUnit, UnitYear};
use std::collections::BTreeMap;
use std::fmt;

/// The figures of a stored year that the next year states as 上年决算数.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorFigures {
    pub year: i32,
    pub number: i32,
    pub version_id: i64,
    /// 收入支出总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余
    pub grand_total: Amount,
    /// 财政拨款收入支出总计 = 财政拨款收入 + 年初财政拨款结转和结余
    pub fiscal_grand_total: Amount,
    /// 一般公共预算财政拨款支出
    pub general_budget_expenditure: Amount,
    /// “三公”经费决算数 by item (abroad, vehicle_purchase, vehicle_operation, reception)
    pub sangong: BTreeMap<String, Amount>,
    /// 机关运行经费决算数, when the year has one
    pub operating_costs: Option<Amount>,
}

impl PriorFigures {
    pub(crate) fn from_facts(info: &VersionInfo, facts: &[Fact], _unit: MoneyUnit) -> PriorFigures {
        let table = FactTable {
            facts: facts.to_vec(),
        };
        let actual = |m: Measure| table.sum(&FactFilter::measure(m));
        let fiscal = |m: Measure| {
            table.sum(&FactFilter {
                measure: vec![m],
                fiscal: Some(true),
                ..FactFilter::default()
            })
        };
        let mut sangong = BTreeMap::new();
        for f in table.select(&FactFilter::measure(Measure::SanGong)) {
            if let Some(item) = &f.item {
                *sangong.entry(item.clone()).or_insert(Amount::ZERO) += f.amount;
            }
        }
        let oc = FactFilter::measure(Measure::OperatingCosts);
        let operating_costs = table.select(&oc).next().map(|_| table.sum(&oc));
        PriorFigures {
            year: info.year,
            number: info.number,
            version_id: info.id,
            grand_total: actual(Measure::Income)
                + actual(Measure::UsedNonFiscalBalance)
                + actual(Measure::CarryoverBegin),
            fiscal_grand_total: fiscal(Measure::Income) + fiscal(Measure::CarryoverBegin),
            general_budget_expenditure: table.sum(&FactFilter {
                measure: vec![Measure::Expenditure],
                source: vec![FundSource::GeneralBudget],
                ..FactFilter::default()
            }),
            sangong,
            operating_costs,
        }
    }
}

/// A stated prior-year figure that differs from the stored previous year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorMismatch {
    /// Chinese name of the figure (上年收入支出总计 …)
    pub what: String,
    /// `file:line:col` of the stated figure
    pub place: String,
    pub stated: Amount,
    pub stored: Amount,
    /// The input's amount unit, for showing both figures as written.
    pub unit: MoneyUnit,
}

impl fmt::Display for PriorMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}填{}{}，已存上年数据为{}{}（差{}{}）",
            self.place,
            self.what,
            self.stated.exact(self.unit),
            self.unit.label(),
            self.stored.exact(self.unit),
            self.unit.label(),
            (self.stated - self.stored).exact(self.unit),
            self.unit.label()
        )
    }
}

/// `text` with a `[prior]` section appended from `p` when it has none; otherwise unchanged
/// (also when it is not valid TOML: the parser then reports the real error).
pub(crate) fn fill(text: &str, p: &PriorFigures) -> String {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return text.to_string();
    };
    if table.contains_key("prior") {
        return text.to_string();
    }
    let unit: MoneyUnit = table
        .get("amount_unit")
        .cloned()
        .and_then(|v| v.try_into().ok())
        .unwrap_or(MoneyUnit::Wan);
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!(
        "\n# 上年决算数：由 juesuan 按已存的{}年度第{}版（版本{}）填入\n[prior]\ngrand_total = {}\nfiscal_grand_total = {}\ngeneral_budget_expenditure = {}\n",
        p.year,
        p.number,
        p.version_id,
        p.grand_total.exact(unit),
        p.fiscal_grand_total.exact(unit),
        p.general_budget_expenditure.exact(unit),
    ));
    out
}

/// The prior figures `uy` states that differ from `p`.
pub(crate) fn verify(uy: &UnitYear, p: &PriorFigures, origin: &str) -> Vec<PriorMismatch> {
    let place = |f: &Fact| match f.location {
        Some(l) => format!("{origin}:{}:{}", l.line, l.column),
        None => origin.to_string(),
    };
    let mut out = Vec::new();
    let mut check = |f: &Fact, what: &str, stored: Amount| {
        if f.amount != stored {
            out.push(PriorMismatch {
                what: what.to_string(),
                place: place(f),
                stated: f.amount,
                stored,
                unit: uy.amount_unit,
            });
        }
    };
    for f in uy
        .facts
        .facts
        .iter()
        .filter(|f| f.scenario == Scenario::Prior)
    {
        match f.measure {
            Measure::GrandTotal => {
                check(f, "上年收入支出总计（[prior] grand_total）", p.grand_total)
            }
            Measure::FiscalGrandTotal => check(
                f,
                "上年财政拨款收入支出总计（[prior] fiscal_grand_total）",
                p.fiscal_grand_total,
            ),
            Measure::Expenditure
                if f.source == Some(FundSource::GeneralBudget) && f.function.is_none() =>
            {
                check(
                    f,
                    "上年一般公共预算财政拨款支出（[prior] general_budget_expenditure）",
                    p.general_budget_expenditure,
                )
            }
            // Optional figures: checked only where the input states them.
            Measure::SanGong if f.location.is_some() => {
                let item = f.item.clone().unwrap_or_default();
                let stored = p.sangong.get(&item).copied().unwrap_or(Amount::ZERO);
                check(
                    f,
                    &format!(
                        "上年{}（[sangong.{item}] prior）",
                        crate::keys::item_label(&item)
                    ),
                    stored,
                );
            }
            Measure::OperatingCosts if f.location.is_some() => {
                if let Some(stored) = p.operating_costs {
                    check(f, "上年机关运行经费（[operating_costs] prior）", stored);
                }
            }
            _ => {}
        }
    }
    out
}
