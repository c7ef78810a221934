//! Evaluation inputs computed from the unit's final accounts (由决算数据计算), so that a
//! figure the disclosure already states is never typed twice. Amounts are in 元.

use crate::ratio::Ratio;
use crate::score::{Input, InputValue, Inputs};
use crate::system::IndicatorSystem;
use juesuan_core::facts::{FactFilter, FundSource, Measure, Scenario};
use juesuan_core::money::Amount;
use juesuan_core::UnitYear;

/// The quantities a system file may name with `derive = "…"`, and what they are.
pub const QUANTITIES: &[(&str, &str)] = &[
    (
        "general_budget.initial_budget",
        "一般公共预算财政拨款年初预算数（元）",
    ),
    (
        "general_budget.expenditure",
        "一般公共预算财政拨款支出决算数（元）",
    ),
    (
        "general_budget.completion",
        "一般公共预算财政拨款支出决算数 / 年初预算数",
    ),
    ("expenditure.total", "本年支出合计（元）"),
    ("expenditure.project", "项目支出（元）"),
    ("expenditure.basic", "基本支出（元）"),
];

fn yuan(a: Amount) -> Ratio {
    Ratio::new(a.fen() as i128, 100).expect("100 is not zero")
}

/// The value of a derived quantity, with a description of how it was computed.
pub fn quantity(uy: &UnitYear, name: &str) -> Option<(Ratio, String)> {
    let gb = |scenario| FactFilter {
        measure: vec![Measure::Expenditure],
        scenario: Some(scenario),
        source: vec![FundSource::GeneralBudget],
        ..FactFilter::default()
    };
    let exp = |nature: Option<juesuan_core::Nature>| FactFilter {
        measure: vec![Measure::Expenditure],
        nature: nature.into_iter().collect(),
        ..FactFilter::default()
    };
    let sum = |f: &FactFilter| uy.facts.sum(f);
    let (value, how) = match name {
        "general_budget.initial_budget" => (yuan(sum(&gb(Scenario::Budget))), "年初预算各项之和"),
        "general_budget.expenditure" => (
            yuan(sum(&gb(Scenario::Actual))),
            "一般公共预算财政拨款支出各项之和",
        ),
        "general_budget.completion" => {
            let budget = sum(&gb(Scenario::Budget));
            if budget.is_zero() {
                return None;
            }
            (
                Ratio::new(
                    sum(&gb(Scenario::Actual)).fen() as i128,
                    budget.fen() as i128,
                )
                .ok()?,
                "一般公共预算财政拨款支出决算数 ÷ 年初预算数",
            )
        }
        "expenditure.total" => (yuan(sum(&exp(None))), "本年支出合计"),
        "expenditure.project" => (
            yuan(sum(&exp(Some(juesuan_core::Nature::Project)))),
            "项目支出合计",
        ),
        "expenditure.basic" => (
            yuan(sum(&exp(Some(juesuan_core::Nature::Basic)))),
            "基本支出合计",
        ),
        _ => return None,
    };
    Some((value, format!("由决算数据计算：{how}")))
}

/// Fill every input the system derives and the evaluation input does not state.
pub fn fill_derived(system: &IndicatorSystem, uy: &UnitYear, inputs: &mut Inputs) {
    for (name, decl) in &system.inputs {
        let Some(d) = &decl.derive else { continue };
        if inputs.values.contains_key(name) {
            continue;
        }
        if let Some((value, source)) = quantity(uy, d) {
            inputs.values.insert(
                name.clone(),
                Input {
                    value: InputValue::Num(value),
                    source,
                },
            );
        }
    }
}
