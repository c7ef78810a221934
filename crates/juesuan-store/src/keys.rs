//! Readable fact keys (事实键): one string per fact of a unit-year, built from its dimensions
//! in the order the input file names them, e.g. `income.actual.general_budget.2060701` or
//! `sangong.budget.reception`. Diffs and the `facts` table use them.

use juesuan_core::facts::{Fact, FundSource, Measure, Nature, Scenario};
use serde::{de::DeserializeOwned, Serialize};

/// The snake_case name serde gives an enum value ("income", "actual", …).
pub(crate) fn name_of<T: Serialize>(v: T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("enum without a string name: {other:?}"),
    }
}

/// The enum value of a snake_case name, `None` when unknown.
pub(crate) fn from_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// The readable key of a fact: measure, scenario, then every dimension that is set.
pub fn fact_key(f: &Fact) -> String {
    let mut parts = vec![name_of(f.measure), name_of(f.scenario)];
    if let Some(s) = f.source {
        parts.push(s.key().to_string());
    }
    if let Some(n) = f.nature {
        parts.push(n.key().to_string());
    }
    for code in [&f.function, &f.economic, &f.item].into_iter().flatten() {
        parts.push(code.clone());
    }
    parts.join(".")
}

/// A Chinese description of a fact for people reading a diff:
/// "决算数 本年收入 一般公共预算财政拨款收入 2060701".
pub fn fact_label(f: &Fact) -> String {
    let scenario = match f.scenario {
        Scenario::Actual => "决算数",
        Scenario::Budget => "年初预算数",
        Scenario::Prior => "上年决算数",
    };
    let measure = match f.measure {
        Measure::Income => "本年收入",
        Measure::Expenditure => "本年支出",
        Measure::BasicEconomic => "基本支出（经济分类）",
        Measure::CarryoverBegin => "年初结转和结余",
        Measure::CarryoverEnd => "年末结转和结余",
        Measure::UsedNonFiscalBalance => "使用非财政拨款结余",
        Measure::SurplusDistribution => "结余分配",
        Measure::GrandTotal => "收入支出总计",
        Measure::FiscalGrandTotal => "财政拨款收入支出总计",
        Measure::SanGong => "“三公”经费",
        Measure::OperatingCosts => "机关运行经费",
        Measure::Procurement => "政府采购",
    };
    let mut parts = vec![scenario.to_string(), measure.to_string()];
    if let Some(s) = f.source {
        parts.push(source_label(s).to_string());
    }
    if let Some(n) = f.nature {
        parts.push(nature_label(n).to_string());
    }
    if let Some(item) = &f.item {
        parts.push(item_label(item).to_string());
    }
    for code in [&f.function, &f.economic].into_iter().flatten() {
        parts.push(code.clone());
    }
    parts.join(" ")
}

fn source_label(s: FundSource) -> &'static str {
    s.income_label().trim_end_matches("收入")
}

fn nature_label(n: Nature) -> &'static str {
    n.label()
}

pub(crate) fn item_label(item: &str) -> &str {
    match item {
        "abroad" => "因公出国（境）费",
        "vehicle_purchase" => "公务用车购置费",
        "vehicle_operation" => "公务用车运行维护费",
        "reception" => "公务接待费",
        "goods" => "货物",
        "works" => "工程",
        "services" => "服务",
        "sme" => "授予中小企业",
        "small_micro" => "授予小微企业",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juesuan_core::Amount;

    #[test]
    fn keys_follow_the_input_paths() {
        let f = Fact::new(Measure::Expenditure, Scenario::Actual, Amount(1))
            .source(FundSource::GeneralBudget)
            .nature(Nature::Basic)
            .function("2060701");
        assert_eq!(
            fact_key(&f),
            "expenditure.actual.general_budget.basic.2060701"
        );
        let s = Fact::new(Measure::SanGong, Scenario::Budget, Amount(1)).item("reception");
        assert_eq!(fact_key(&s), "san_gong.budget.reception");
        assert_eq!(fact_label(&s), "年初预算数 “三公”经费 公务接待费");
        assert_eq!(from_name::<Measure>("san_gong"), Some(Measure::SanGong));
        assert_eq!(from_name::<Measure>("nonsense"), None);
    }
}
