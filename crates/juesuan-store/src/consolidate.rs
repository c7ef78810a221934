//! Consolidation (汇总): a parent unit's figures for a year from the latest versions of its
//! direct sub-units (下级单位) — a department (部门) from its units, a region from its
//! departments.
//!
//! Rule (documented in docs/store.md):
//! 1. Every fact of the children is summed by key (same measure, scenario and dimensions),
//!    except 年末结转和结余, which the parser derives again from the sums.
//! 2. Internal flows are eliminated (内部往来抵销) where both sides are inside the group, per
//!    功能分类 项: 上缴上级支出 against 附属单位上缴收入, and 对附属单位补助支出 against
//!    上级补助收入. For each 项 the eliminated amount is the smaller of the two sides'
//!    totals (what the other side cannot match flowed to or from outside the group); the
//!    receiving income and the paying expenditure (by fund source in the order of
//!    `FundSource::ALL`) both fall by it, so every balance stays as it was.
//! 3. 上年决算数 come from the parent's own stored previous year when there is one (the
//!    published comparatives), otherwise they are the children's sums.
//! 4. Counts (三公 trips, receptions, vehicles, assets — the province's vehicle-use and
//!    equipment lists too —, performance projects) are summed; texts and reasons (the per-项
//!    uses included) are the parent's own latest version's for the year, if any. The
//!    performance stages, average score and grades are not sums of the children's: they
//!    too come from the parent's own version.

use crate::prior::PriorFigures;
use crate::{fact_key, NewVersion, Store, StoreError, UnitRow, VersionInfo};
use juesuan_core::facts::{Fact, FactTable, FundSource, Location, Measure, Nature, Scenario};
use juesuan_core::model::VehiclesBought;
use juesuan_core::{Amount, UnitYear};
use std::collections::BTreeMap;

/// One internal flow eliminated in a consolidation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elimination {
    /// 功能分类 项 code
    pub function: String,
    /// The paying side (上缴上级支出 / 对附属单位补助支出)
    pub payer: String,
    /// The receiving side (附属单位上缴收入 / 上级补助收入)
    pub receiver: String,
    pub amount: Amount,
}

pub(crate) async fn run(
    s: &Store,
    unit_code: &str,
    year: i32,
    author: &str,
) -> Result<VersionInfo, StoreError> {
    let parent = s
        .unit(unit_code)
        .await?
        .ok_or_else(|| StoreError::UnknownUnit(unit_code.to_string()))?;
    let children = s.children(unit_code).await?;
    if children.is_empty() {
        return Err(StoreError::Consolidation(format!(
            "单位“{}”（{}）没有下级单位：请先登记下级单位（juesuan db unit <编码> --name <名称> --parent {}）",
            parent.name, parent.code, parent.code
        )));
    }
    let mut versions = Vec::new();
    let mut missing = Vec::new();
    for c in &children {
        match s.latest(&c.code, year).await? {
            Some(v) => versions.push(v),
            None => missing.push(format!("{}（{}）", c.name, c.code)),
        }
    }
    if !missing.is_empty() {
        return Err(StoreError::Consolidation(format!(
            "下级单位{}没有{year}年度数据：请先导入（或汇总）它们的数据，再汇总“{}”",
            missing.join("、"),
            parent.name
        )));
    }
    let parts = versions
        .iter()
        .map(|v| s.parse_version(v))
        .collect::<Result<Vec<_>, _>>()?;
    let base = match s.latest(unit_code, year).await? {
        Some(v) => Some(s.parse_version(&v)?),
        None => None,
    };
    let prior = s.prior_figures(unit_code, year - 1).await?;
    let (uy, eliminations) =
        consolidate(&parent, &children, &parts, base.as_ref(), prior.as_ref())?;

    let cats = s.library().catalogues(year).map_err(StoreError::Data)?;
    let text = juesuan_core::write::write_input(&uy, &cats);
    let origin = format!("汇总 {} {year}", parent.code);
    // The written text is validated like any import: what is stored is a valid input file.
    let checked = s.validate(&text, &origin).map_err(|e| {
        StoreError::Consolidation(format!("汇总结果未通过校验（请检查下级单位数据）：{e}"))
    })?;
    let mut note = format!(
        "由下级单位汇总：{}",
        children
            .iter()
            .zip(&versions)
            .map(|(c, v)| format!("{} 第{}版（版本{}）", c.name, v.info.number, v.info.id))
            .collect::<Vec<_>>()
            .join("、")
    );
    if eliminations.is_empty() {
        note.push_str("；无内部往来需抵销");
    } else {
        let unit = uy.amount_unit;
        note.push_str("；抵销内部往来：");
        note.push_str(
            &eliminations
                .iter()
                .map(|e| {
                    format!(
                        "{}与{} {}{}（{}）",
                        e.payer,
                        e.receiver,
                        e.amount.exact(unit),
                        unit.label(),
                        e.function
                    )
                })
                .collect::<Vec<_>>()
                .join("、"),
        );
    }
    s.write_version(NewVersion {
        unit_code,
        input_toml: &text,
        uy: &checked,
        kind: "consolidate",
        based_on: None,
        origin: &origin,
        author,
        note: &note,
    })
    .await
}

/// The consolidated unit-year of `parent` from its children's unit-years (pure).
pub(crate) fn consolidate(
    parent: &UnitRow,
    children: &[UnitRow],
    parts: &[UnitYear],
    base: Option<&UnitYear>,
    prior: Option<&PriorFigures>,
) -> Result<(UnitYear, Vec<Elimination>), StoreError> {
    within_bound(children, parts)?;
    let first = &parts[0];
    let mut uy = match base {
        Some(b) => b.clone(),
        None => {
            let mut u = first.clone();
            u.unit.functions.clear();
            u.unit.key_work.clear();
            u.unit.organisation.clear();
            u.budget_reasons.clear();
            u.item_usage.clear();
            u.reasons = Default::default();
            u.sangong = Default::default();
            u.operating_costs_reason.clear();
            u.procurement_usage.clear();
            u.assets = Default::default();
            u.performance = Default::default();
            u.glossary.clear();
            u
        }
    };
    uy.year = first.year;
    uy.unit.name = parent.name.clone();
    uy.unit.sub_units = children.iter().map(|c| c.name.clone()).collect();

    // 1. Sum the facts by key.
    let mut facts = summed_facts(parts);
    // 2. Internal flows.
    let eliminations = eliminate(&mut facts);
    // 3. Comparatives.
    if let Some(p) = prior {
        apply_prior(&mut facts, p);
    }
    uy.facts = FactTable {
        facts: facts.into_values().collect(),
    };
    // 4. Counts.
    sum_counts(&mut uy, parts)?;
    Ok((uy, eliminations))
}

/// The parts' facts summed by key (closing balances are derived again, not summed); a fact
/// stated by some part is stated in the consolidation too.
fn summed_facts(parts: &[UnitYear]) -> BTreeMap<String, Fact> {
    let mut facts: BTreeMap<String, Fact> = BTreeMap::new();
    for f in parts.iter().flat_map(|p| &p.facts.facts) {
        if f.measure == Measure::CarryoverEnd {
            continue;
        }
        let entry = facts.entry(fact_key(f)).or_insert_with(|| Fact {
            amount: Amount::ZERO,
            location: None,
            ..f.clone()
        });
        entry.amount += f.amount;
        if f.location.is_some() {
            entry.location = Some(Location::default());
        }
    }
    facts
}

/// The counts of the parts (三公 groups and people, vehicles, equipment, projects) summed.
fn sum_counts(uy: &mut UnitYear, parts: &[UnitYear]) -> Result<(), StoreError> {
    // Summed with a check: thousands of units could pass u32.
    let sum = |what: &str, f: fn(&UnitYear) -> u32| -> Result<u32, StoreError> {
        parts
            .iter()
            .try_fold(0u32, |acc, p| acc.checked_add(f(p)))
            .ok_or_else(|| {
                StoreError::Consolidation(format!(
                    "下级单位的{what}合计超过{}：无法汇总，请核对各下级单位填报的数量",
                    u32::MAX
                ))
            })
    };
    let sg = &mut uy.sangong;
    sg.abroad_groups = sum("因公出国（境）团组数", |p| {
        p.sangong.abroad_groups
    })?;
    sg.abroad_people = sum("因公出国（境）人次", |p| p.sangong.abroad_people)?;
    sg.reception_domestic_batches = sum("国内公务接待批次", |p| {
        p.sangong.reception_domestic_batches
    })?;
    sg.reception_domestic_people = sum("国内公务接待人次", |p| {
        p.sangong.reception_domestic_people
    })?;
    sg.reception_foreign_batches = sum("外事接待批次", |p| {
        p.sangong.reception_foreign_batches
    })?;
    sg.reception_foreign_people =
        sum("外事接待人次", |p| p.sangong.reception_foreign_people)?;
    // Amounts: bounded by `within_bound` in `consolidate`.
    sg.reception_foreign_amount = parts
        .iter()
        .map(|p| p.sangong.reception_foreign_amount)
        .sum();
    sg.vehicles_held.sedan = sum("年末公务用车（轿车）", |p| {
        p.sangong.vehicles_held.sedan
    })?;
    sg.vehicles_held.suv = sum("年末公务用车（越野车）", |p| {
        p.sangong.vehicles_held.suv
    })?;
    sg.vehicles_held.bus = sum("年末公务用车（载客汽车）", |p| {
        p.sangong.vehicles_held.bus
    })?;
    sg.vehicles_bought = vehicles_bought(parts)?;
    let v = &mut uy.assets.vehicles;
    v.leaders = sum("领导干部用车", |p| p.assets.vehicles.leaders)?;
    v.confidential = sum("机要通信用车", |p| p.assets.vehicles.confidential)?;
    v.emergency = sum("应急保障用车", |p| p.assets.vehicles.emergency)?;
    v.law_enforcement = sum("执法执勤用车", |p| p.assets.vehicles.law_enforcement)?;
    v.special = sum("特种专业技术用车", |p| p.assets.vehicles.special)?;
    v.other = sum("其他用车", |p| p.assets.vehicles.other)?;
    uy.assets.general_equipment_over_500k = sum("单位价值50万元以上通用设备", |p| {
        p.assets.general_equipment_over_500k
    })?;
    uy.assets.special_equipment_over_1m = sum("单位价值100万元以上专用设备", |p| {
        p.assets.special_equipment_over_1m
    })?;
    uy.assets.vehicle_uses =
        sum_keyed_counts(parts, "车辆（按用途）", |p| &p.assets.vehicle_uses)?;
    uy.assets.equipment =
        sum_keyed_counts(parts, "设备（按类别）", |p| &p.assets.equipment)?;
    uy.performance.projects_with_targets = sum("编制绩效目标的项目数", |p| {
        p.performance.projects_with_targets
    })?;
    uy.performance.projects_monitored = sum("绩效监控的项目数", |p| {
        p.performance.projects_monitored
    })?;
    uy.performance.projects_self_evaluated = sum("绩效自评的项目数", |p| {
        p.performance.projects_self_evaluated
    })?;
    Ok(())
}

/// Vehicles bought (本年购置) by kind, summed over the parts.
fn vehicles_bought(parts: &[UnitYear]) -> Result<Vec<VehiclesBought>, StoreError> {
    let mut bought = Vec::new();
    for kind in ["sedan", "suv", "bus"] {
        let of_kind: Vec<&VehiclesBought> = parts
            .iter()
            .flat_map(|p| &p.sangong.vehicles_bought)
            .filter(|b| b.kind == kind)
            .collect();
        if of_kind.is_empty() {
            continue;
        }
        let count = of_kind
            .iter()
            .try_fold(0u32, |acc, b| acc.checked_add(b.count))
            .ok_or_else(|| {
                StoreError::Consolidation(format!(
                    "下级单位本年购置公务用车（{kind}）辆数合计超过{}：无法汇总，请核对",
                    u32::MAX
                ))
            })?;
        bought.push(VehiclesBought {
            kind: kind.to_string(),
            count,
            amount: of_kind.iter().map(|b| b.amount).sum(),
        });
    }
    Ok(bought)
}

/// Counts keyed by a province's list (vehicle uses, equipment categories), summed key by key.
fn sum_keyed_counts(
    parts: &[UnitYear],
    what: &str,
    counts: fn(&UnitYear) -> &BTreeMap<String, u32>,
) -> Result<BTreeMap<String, u32>, StoreError> {
    let mut total: BTreeMap<String, u32> = BTreeMap::new();
    for (key, n) in parts.iter().flat_map(|p| counts(p).iter()) {
        let slot = total.entry(key.clone()).or_default();
        *slot = slot.checked_add(*n).ok_or_else(|| {
            StoreError::Consolidation(format!(
                "下级单位的{what}“{key}”合计超过{}：无法汇总，请核对各下级单位填报的数量",
                u32::MAX
            ))
        })?;
    }
    Ok(total)
}

/// All the children's amounts together within the bound that keeps every sum of the
/// consolidation exact (juesuan_core::money, "Why sums cannot wrap"); the error names the
/// sub-unit at which the running total passes it.
fn within_bound(children: &[UnitRow], parts: &[UnitYear]) -> Result<(), StoreError> {
    let amounts: Vec<(usize, Amount)> = parts
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let sg = &p.sangong;
            p.facts
                .facts
                .iter()
                .map(|f| f.amount)
                .chain(std::iter::once(sg.reception_foreign_amount))
                .chain(sg.vehicles_bought.iter().map(|b| b.amount))
                .map(move |a| (i, a))
        })
        .collect();
    match juesuan_core::money::first_past_magnitude_bound(amounts.iter().map(|(_, a)| *a)) {
        None => Ok(()),
        Some(k) => {
            let i = amounts[k].0;
            let who = children.get(i).map_or_else(
                || format!("第{}个下级单位", i + 1),
                |c| format!("{}（{}）", c.name, c.code),
            );
            Err(StoreError::Consolidation(format!(
                "汇总到下级单位{who}时，全部金额的绝对值之和超过上限（1亿亿元），无法精确汇总：请核对各下级单位的金额及金额单位"
            )))
        }
    }
}

/// The key of a 决算 flow fact.
fn flow_key(
    measure: Measure,
    source: FundSource,
    nature: Option<Nature>,
    function: &str,
) -> String {
    let mut f = Fact::new(measure, Scenario::Actual, Amount::ZERO)
        .source(source)
        .function(function);
    f.nature = nature;
    fact_key(&f)
}

/// Eliminate internal flows in summed facts (rule 2 above); returns what was eliminated.
pub(crate) fn eliminate(facts: &mut BTreeMap<String, Fact>) -> Vec<Elimination> {
    let pairs = [
        (Nature::ToSuperior, FundSource::Affiliate),
        (Nature::ToAffiliates, FundSource::SuperiorSubsidy),
    ];
    let mut out = Vec::new();
    for (nature, receiver) in pairs {
        let mut payer_by_code: BTreeMap<String, Amount> = BTreeMap::new();
        for f in facts.values() {
            if f.measure == Measure::Expenditure
                && f.scenario == Scenario::Actual
                && f.nature == Some(nature)
            {
                if let Some(code) = &f.function {
                    *payer_by_code.entry(code.clone()).or_default() += f.amount;
                }
            }
        }
        for (code, paid) in payer_by_code {
            let rkey = flow_key(Measure::Income, receiver, None, &code);
            let received = facts.get(&rkey).map_or(Amount::ZERO, |f| f.amount);
            let e = paid.min(received);
            if e.fen() <= 0 {
                continue;
            }
            let r = facts.get_mut(&rkey).expect("received > 0");
            r.amount -= e;
            let mut left = e;
            for source in FundSource::ALL {
                let key = flow_key(Measure::Expenditure, source, Some(nature), &code);
                if let Some(f) = facts.get_mut(&key) {
                    let take = f.amount.min(left);
                    f.amount -= take;
                    left -= take;
                }
            }
            debug_assert!(left.is_zero());
            out.push(Elimination {
                function: code,
                payer: nature.label().to_string(),
                receiver: receiver.income_label().to_string(),
                amount: e,
            });
        }
    }
    // Flows eliminated to nothing are not written.
    facts.retain(|_, f| {
        !(matches!(f.measure, Measure::Income | Measure::Expenditure)
            && f.scenario == Scenario::Actual
            && f.amount.is_zero())
    });
    out
}

/// Replace the prior-year figures by the parent's own stored previous year (rule 3).
fn apply_prior(facts: &mut BTreeMap<String, Fact>, p: &PriorFigures) {
    facts.retain(|_, f| {
        !(f.scenario == Scenario::Prior
            && matches!(
                f.measure,
                Measure::GrandTotal | Measure::FiscalGrandTotal | Measure::SanGong
            )
            || f.scenario == Scenario::Prior
                && f.measure == Measure::Expenditure
                && f.function.is_none()
            || f.scenario == Scenario::Prior
                && f.measure == Measure::OperatingCosts
                && p.operating_costs.is_some())
    });
    let located = |f: Fact| f.at(Some(Location::default()));
    let mut add = |f: Fact| {
        facts.insert(fact_key(&f), f);
    };
    add(located(Fact::new(
        Measure::GrandTotal,
        Scenario::Prior,
        p.grand_total,
    )));
    add(located(Fact::new(
        Measure::FiscalGrandTotal,
        Scenario::Prior,
        p.fiscal_grand_total,
    )));
    add(located(
        Fact::new(
            Measure::Expenditure,
            Scenario::Prior,
            p.general_budget_expenditure,
        )
        .source(FundSource::GeneralBudget),
    ));
    for item in [
        "abroad",
        "vehicle_purchase",
        "vehicle_operation",
        "reception",
    ] {
        let a = p.sangong.get(item).copied().unwrap_or(Amount::ZERO);
        add(located(
            Fact::new(Measure::SanGong, Scenario::Prior, a).item(item),
        ));
    }
    if let Some(oc) = p.operating_costs {
        add(located(Fact::new(
            Measure::OperatingCosts,
            Scenario::Prior,
            oc,
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(
        measure: Measure,
        source: FundSource,
        nature: Option<Nature>,
        code: &str,
        yuan: i64,
    ) -> Fact {
        let mut f = Fact::new(measure, Scenario::Actual, Amount::from_yuan(yuan))
            .source(source)
            .function(code);
        f.nature = nature;
        f
    }

    fn map(facts: Vec<Fact>) -> BTreeMap<String, Fact> {
        facts.into_iter().map(|f| (fact_key(&f), f)).collect()
    }

    fn example() -> UnitYear {
        let lib = juesuan_data::Library::embedded();
        let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
        juesuan_core::input::parse_input(text, "input.toml", &lib.catalogues(2021).unwrap())
            .unwrap()
    }

    fn rows(n: usize) -> Vec<UnitRow> {
        (1..=n)
            .map(|i| UnitRow {
                code: format!("c{i}"),
                name: format!("子{i}"),
                parent: Some("p".into()),
            })
            .collect()
    }

    /// Issue #18: ten sub-units at the single-amount bound pass the total bound; the error
    /// names the sub-unit where that happens instead of summing into a wrapped figure.
    #[test]
    fn amounts_past_the_bound_name_the_sub_unit() {
        let mut big = example();
        big.facts.facts[0].amount = Amount::MAX;
        let parts = vec![big; 12];
        let children = rows(12);
        let parent = UnitRow {
            code: "p".into(),
            name: "上级".into(),
            parent: None,
        };
        let err = consolidate(&parent, &children, &parts, None, None).unwrap_err();
        assert!(err.to_string().contains("子10（c10）"), "{err}");
        assert!(consolidate(&parent, &children[..9], &parts[..9], None, None).is_ok());
    }

    #[test]
    fn counts_past_u32_are_an_error_not_a_wrap() {
        let mut many = example();
        many.sangong.abroad_groups = u32::MAX / 2 + 1;
        let parent = UnitRow {
            code: "p".into(),
            name: "上级".into(),
            parent: None,
        };
        let err = consolidate(&parent, &rows(2), &[many.clone(), many], None, None).unwrap_err();
        assert!(err.to_string().contains("因公出国（境）团组数"), "{err}");
    }

    /// Counts by a province's lists are summed key by key (a key one child lacks counts 0);
    /// the per-项 uses are texts, left to the parent's own version.
    #[test]
    fn counts_by_list_are_summed_key_by_key() {
        let mut a = example();
        a.assets.vehicle_uses = [("other".to_string(), 1), ("special".to_string(), 2)].into();
        a.item_usage.insert("2060701".into(), "机构运转".into());
        let mut b = example();
        b.assets.vehicle_uses = [("other".to_string(), 3)].into();
        b.assets.equipment = [("over_1m".to_string(), 1)].into();
        let parent = UnitRow {
            code: "p".into(),
            name: "上级".into(),
            parent: None,
        };
        let (uy, _) = consolidate(&parent, &rows(2), &[a.clone(), b], None, None).unwrap();
        let got: Vec<(&str, u32)> = uy
            .assets
            .vehicle_uses
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        assert_eq!(got, [("other", 4), ("special", 2)]);
        assert_eq!(uy.assets.equipment.get("over_1m"), Some(&1));
        assert!(uy.item_usage.is_empty());
        a.assets.equipment = [("over_1m".to_string(), u32::MAX)].into();
        let err = consolidate(&parent, &rows(2), &[a.clone(), a], None, None).unwrap_err();
        assert!(err.to_string().contains("设备（按类别）“over_1m”"), "{err}");
    }

    #[test]
    fn only_the_matching_part_is_eliminated() {
        // 上缴 300 paid from two sources, 附属单位上缴收入 received 250 (50 went to a
        // superior outside the group); another 项 has a payer without a receiver.
        let mut facts = map(vec![
            flow(
                Measure::Expenditure,
                FundSource::Business,
                Some(Nature::ToSuperior),
                "2060701",
                200,
            ),
            flow(
                Measure::Expenditure,
                FundSource::Other,
                Some(Nature::ToSuperior),
                "2060701",
                100,
            ),
            flow(Measure::Income, FundSource::Affiliate, None, "2060701", 250),
            flow(
                Measure::Expenditure,
                FundSource::Business,
                Some(Nature::ToSuperior),
                "2060702",
                40,
            ),
        ]);
        let e = eliminate(&mut facts);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].function.as_str(), e[0].amount),
            ("2060701", Amount::from_yuan(250))
        );
        let get = |k: &str| facts.get(k).map(|f| f.amount);
        assert_eq!(
            get("income.actual.affiliate.2060701"),
            None,
            "eliminated to zero, dropped"
        );
        assert_eq!(get("expenditure.actual.business.to_superior.2060701"), None);
        assert_eq!(
            get("expenditure.actual.other.to_superior.2060701"),
            Some(Amount::from_yuan(50))
        );
        assert_eq!(
            get("expenditure.actual.business.to_superior.2060702"),
            Some(Amount::from_yuan(40))
        );
    }

    #[test]
    fn nothing_to_eliminate_without_both_sides() {
        let mut facts = map(vec![
            flow(
                Measure::Income,
                FundSource::SuperiorSubsidy,
                None,
                "2060701",
                90,
            ),
            flow(
                Measure::Expenditure,
                FundSource::GeneralBudget,
                Some(Nature::Basic),
                "2060701",
                90,
            ),
        ]);
        let before = facts.clone();
        assert!(eliminate(&mut facts).is_empty());
        assert_eq!(facts, before);
    }
}
