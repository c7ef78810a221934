//! The input format written back (输入文件的生成): a [`UnitYear`] as the TOML text that
//! [`parse_input`](crate::input::parse_input) reads to the same unit-year.
//!
//! Importers (Excel tables, the accounting journal), the store's consolidation and its
//! export all produce unit-years; writing them as an input file keeps one format that a
//! preparer can read, edit and validate. Amounts are written exactly, in the unit-year's
//! amount unit, so nothing is rounded on the way.

use crate::catalogue::Catalogues;
use crate::facts::{Fact, FactFilter, FactTable, FundSource, Measure, Nature, Scenario};
use crate::model::{UnitKind, UnitYear};
use crate::money::Amount;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Write `uy` as an input file (`juesuan-input/1`).
///
/// The catalogues' 公用经费 group tells whether the unit-year's 机关运行经费 is the default
/// the parser derives (then it is left out, as a preparer would) or was stated.
pub fn write_input(uy: &UnitYear, catalogues: &Catalogues) -> String {
    let economic_public = catalogues.economic.group("public").unwrap_or_default();
    let mut w = Writer {
        out: String::new(),
        uy,
    };
    w.top();
    w.unit();
    w.flows();
    w.balances();
    w.budget();
    w.prior();
    w.reasons();
    w.sangong();
    w.operating_costs(economic_public);
    w.procurement();
    w.assets_and_performance();
    w.glossary();
    w.evaluation();
    w.out
}

/// Facts compared without where they were stated: sorted, equal keys merged, zeros dropped.
/// Two unit-years with equal normalized facts publish the same figures.
pub fn normalized_facts(facts: &FactTable) -> Vec<Fact> {
    let mut merged: BTreeMap<FactKey, Amount> = BTreeMap::new();
    for f in &facts.facts {
        *merged.entry(FactKey::of(f)).or_default() += f.amount;
    }
    merged
        .into_iter()
        .filter(|(_, a)| !a.is_zero())
        .map(|(k, amount)| Fact {
            measure: k.0,
            scenario: k.1,
            source: k.2,
            nature: k.3,
            function: k.4,
            economic: k.5,
            item: k.6,
            amount,
            location: None,
        })
        .collect()
}

type FactKey = (
    Measure,
    Scenario,
    Option<FundSource>,
    Option<Nature>,
    Option<String>,
    Option<String>,
    Option<String>,
);

trait KeyOf {
    fn of(f: &Fact) -> Self;
}

impl KeyOf for FactKey {
    fn of(f: &Fact) -> Self {
        (
            f.measure,
            f.scenario,
            f.source,
            f.nature,
            f.function.clone(),
            f.economic.clone(),
            f.item.clone(),
        )
    }
}

struct Writer<'a> {
    out: String,
    uy: &'a UnitYear,
}

/// A TOML basic string with every character TOML requires escaped.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

// `comment_text` and `quote` look alike on purpose: a comment may hold quotes, backslashes and
// tabs as they are, a basic string may not; only control characters are treated alike.

/// Text safe inside a one-line TOML comment: a comment ends at the line break and may hold
/// no other control character, so names taken from outside (a sheet name, a file name) are
/// shown with their control characters escaped ("\\n") instead of breaking the file.
pub fn comment_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

impl<'a> Writer<'a> {
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn money(&self, a: Amount) -> String {
        a.exact(self.uy.amount_unit)
    }

    fn kv_str(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            let l = format!("{key} = {}", quote(value));
            self.line(&l);
        }
    }

    fn kv_count(&mut self, key: &str, n: u32) {
        if n != 0 {
            self.line(&format!("{key} = {n}"));
        }
    }

    fn facts(&self, filter: FactFilter) -> Vec<&'a Fact> {
        let uy: &'a UnitYear = self.uy;
        uy.facts
            .facts
            .iter()
            .filter(|f| filter.matches(f))
            .collect()
    }

    /// A stated optional amount: written when given (located) or not zero.
    fn opt_money(&mut self, key: &str, facts: &[&Fact]) {
        let given = facts.iter().any(|f| f.location.is_some());
        let total: Amount = facts.iter().map(|f| f.amount).sum();
        if given || !total.is_zero() {
            let l = format!("{key} = {}", self.money(total));
            self.line(&l);
        }
    }

    fn top(&mut self) {
        let uy = self.uy;
        self.line("# juesuan 输入文件（由工具生成；格式见 docs/input-format.md）");
        self.line(&format!("schema = {}", quote(crate::input::SCHEMA)));
        self.line(&format!("year = {}", uy.year));
        self.line(&format!("amount_unit = {}", quote(uy.amount_unit.label())));
        self.line(&format!("template = {}", quote(&uy.template)));
        if let Some(p) = &uy.province {
            self.line(&format!("province = {}", quote(p)));
        }
        if let Some(p) = uy.stated_precision {
            self.line(&format!("stated_precision = {}", quote(p.label())));
        }
    }

    fn unit(&mut self) {
        let u = &self.uy.unit;
        self.line("\n[unit]");
        self.line(&format!("name = {}", quote(&u.name)));
        let kind = match u.kind {
            UnitKind::Administrative => "行政",
            UnitKind::CivilServiceManaged => "参公",
            UnitKind::Institution => "事业",
        };
        self.line(&format!("kind = {}", quote(kind)));
        if let Some(r) = &u.region {
            self.line(&format!("region = {}", quote(r)));
        }
        if !u.sub_units.is_empty() {
            let list: Vec<String> = u.sub_units.iter().map(|s| quote(s)).collect();
            self.line(&format!("sub_units = [{}]", list.join(", ")));
        }
        self.kv_str("functions", &u.functions.clone());
        self.kv_str("key_work", &u.key_work.clone());
        self.kv_str("organisation", &u.organisation.clone());
    }

    /// Lines of `code = amount`, merged per code, in code order.
    fn code_lines(&mut self, facts: &[&Fact], code: fn(&Fact) -> Option<&String>) {
        let mut by_code: BTreeMap<&str, Amount> = BTreeMap::new();
        for f in facts {
            if let Some(c) = code(f) {
                *by_code.entry(c.as_str()).or_default() += f.amount;
            }
        }
        for (c, a) in by_code {
            let l = format!("{} = {}", quote(c), self.money(a));
            self.line(&l);
        }
    }

    fn flows(&mut self) {
        // [income] and [expenditure] are required even when empty.
        self.line("\n[income]");
        for source in FundSource::ALL {
            let facts = self.facts(FactFilter {
                measure: vec![Measure::Income],
                source: vec![source],
                ..FactFilter::default()
            });
            if facts.is_empty() {
                continue;
            }
            self.line(&format!("\n[income.{}]", source.key()));
            self.code_lines(&facts, |f| f.function.as_ref());
        }
        self.line("\n[expenditure]");
        for nature in Nature::ALL {
            for source in FundSource::ALL {
                let facts = self.facts(FactFilter {
                    measure: vec![Measure::Expenditure],
                    source: vec![source],
                    nature: vec![nature],
                    ..FactFilter::default()
                });
                if facts.is_empty() {
                    continue;
                }
                self.line(&format!(
                    "\n[expenditure.{}.{}]",
                    nature.key(),
                    source.key()
                ));
                self.code_lines(&facts, |f| f.function.as_ref());
            }
        }
        for source in FundSource::ALL {
            let facts = self.facts(FactFilter {
                measure: vec![Measure::BasicEconomic],
                source: vec![source],
                ..FactFilter::default()
            });
            if facts.is_empty() {
                continue;
            }
            self.line(&format!("\n[basic_economic.{}]", source.key()));
            self.code_lines(&facts, |f| f.economic.as_ref());
        }
    }

    fn balances(&mut self) {
        let begin = self.facts(FactFilter::measure(Measure::CarryoverBegin));
        if !begin.is_empty() {
            self.line("\n[carryover_begin]");
            for source in FundSource::ALL {
                let a: Amount = begin
                    .iter()
                    .filter(|f| f.source == Some(source))
                    .map(|f| f.amount)
                    .sum();
                if begin.iter().any(|f| f.source == Some(source)) {
                    let l = format!("{} = {}", source.key(), self.money(a));
                    self.line(&l);
                }
            }
        }
        let used = self.facts(FactFilter::measure(Measure::UsedNonFiscalBalance));
        let distributed = self.facts(FactFilter::measure(Measure::SurplusDistribution));
        if !used.is_empty() || !distributed.is_empty() {
            self.line("\n[other_balances]");
            if !used.is_empty() {
                self.opt_money("used_non_fiscal_balance", &used);
            }
            if !distributed.is_empty() {
                self.opt_money("surplus_distribution", &distributed);
            }
        }
    }

    fn budget(&mut self) {
        let facts = self.facts(FactFilter {
            measure: vec![Measure::Expenditure],
            scenario: Some(Scenario::Budget),
            source: vec![FundSource::GeneralBudget],
            ..FactFilter::default()
        });
        if !facts.is_empty() {
            self.line("\n[budget]");
            self.code_lines(&facts, |f| f.function.as_ref());
        }
        if !self.uy.budget_reasons.is_empty() {
            self.line("\n[budget_reasons]");
            for (code, reason) in &self.uy.budget_reasons.clone() {
                self.line(&format!("{} = {}", quote(code), quote(reason)));
            }
        }
        if !self.uy.item_usage.is_empty() {
            self.line("\n[item_usage]");
            for (code, usage) in &self.uy.item_usage.clone() {
                self.line(&format!("{} = {}", quote(code), quote(usage)));
            }
        }
    }

    fn prior(&mut self) {
        let of = |w: &Self, measure: Measure, source: Option<FundSource>| -> Amount {
            w.uy.facts
                .facts
                .iter()
                .filter(|f| {
                    f.measure == measure
                        && f.scenario == Scenario::Prior
                        && f.source == source
                        && f.function.is_none()
                })
                .map(|f| f.amount)
                .sum()
        };
        let grand = of(self, Measure::GrandTotal, None);
        let fiscal = of(self, Measure::FiscalGrandTotal, None);
        let general = of(self, Measure::Expenditure, Some(FundSource::GeneralBudget));
        self.line("\n[prior]");
        self.line(&format!("grand_total = {}", self.money(grand)));
        self.line(&format!("fiscal_grand_total = {}", self.money(fiscal)));
        self.line(&format!(
            "general_budget_expenditure = {}",
            self.money(general)
        ));
    }

    fn reasons(&mut self) {
        let r = self.uy.reasons.clone();
        if r == Default::default() {
            return;
        }
        self.line("\n[reasons]");
        self.kv_str("grand_total_change", &r.grand_total_change);
        self.kv_str("fiscal_grand_total_change", &r.fiscal_grand_total_change);
        self.kv_str("general_budget_change", &r.general_budget_change);
        self.kv_str("general_budget_deviation", &r.general_budget_deviation);
    }

    fn sangong_money(&mut self, item: &str) {
        for (scenario, key) in [
            (Scenario::Budget, "budget"),
            (Scenario::Actual, "actual"),
            (Scenario::Prior, "prior"),
        ] {
            let facts = self.facts(FactFilter {
                measure: vec![Measure::SanGong],
                scenario: Some(scenario),
                item: vec![item.to_string()],
                ..FactFilter::default()
            });
            self.opt_money(key, &facts);
        }
    }

    fn sangong(&mut self) {
        let s = self.uy.sangong.clone();
        self.line("\n[sangong.abroad]");
        self.sangong_money("abroad");
        self.kv_count("groups", s.abroad_groups);
        self.kv_count("people", s.abroad_people);
        self.kv_str("content", &s.abroad_content);

        self.line("\n[sangong.vehicle_purchase]");
        self.sangong_money("vehicle_purchase");
        self.kv_str("usage", &s.vehicle_purchase_usage);
        for b in &s.vehicles_bought {
            self.line(&format!("\n[sangong.vehicle_purchase.bought.{}]", b.kind));
            self.line(&format!("count = {}", b.count));
            self.line(&format!("amount = {}", self.money(b.amount)));
        }

        self.line("\n[sangong.vehicle_operation]");
        self.sangong_money("vehicle_operation");
        self.kv_str("usage", &s.vehicle_operation_usage);

        self.line("\n[sangong.reception]");
        self.sangong_money("reception");
        self.kv_count("domestic_batches", s.reception_domestic_batches);
        self.kv_count("domestic_people", s.reception_domestic_people);
        self.kv_count("foreign_batches", s.reception_foreign_batches);
        self.kv_count("foreign_people", s.reception_foreign_people);
        if !s.reception_foreign_amount.is_zero() {
            self.line(&format!(
                "foreign_amount = {}",
                self.money(s.reception_foreign_amount)
            ));
        }
        self.kv_str("main_items", &s.reception_main_items);
        self.kv_str("usage", &s.reception_usage);

        let held = &s.vehicles_held;
        if held.total() != 0 {
            self.line("\n[sangong.vehicles_held]");
            self.kv_count("sedan", held.sedan);
            self.kv_count("suv", held.suv);
            self.kv_count("bus", held.bus);
        }
        if s.reasons != Default::default() {
            self.line("\n[sangong.reasons]");
            self.kv_str("total_deviation", &s.reasons.total_deviation);
            self.kv_str("abroad_change", &s.reasons.abroad_change);
            self.kv_str("vehicle_change", &s.reasons.vehicle_change);
            self.kv_str("reception_change", &s.reasons.reception_change);
        }
    }

    fn operating_costs(&mut self, economic_public: &[String]) {
        let actual = self.facts(FactFilter::measure(Measure::OperatingCosts));
        let prior = self.facts(FactFilter {
            measure: vec![Measure::OperatingCosts],
            scenario: Some(Scenario::Prior),
            ..FactFilter::default()
        });
        let amount: Amount = actual.iter().map(|f| f.amount).sum();
        // The parser derives 机关运行经费 from 公用经费 for 行政/参公 units when it is not stated.
        let derived = self.uy.facts.sum(&FactFilter {
            measure: vec![Measure::BasicEconomic],
            source: vec![FundSource::GeneralBudget],
            economic: economic_public.to_vec(),
            ..FactFilter::default()
        });
        let is_default = self.uy.unit.kind != UnitKind::Institution && amount == derived;
        let write_actual = !actual.is_empty() && !is_default;
        let reason = self.uy.operating_costs_reason.clone();
        if !write_actual && prior.is_empty() && reason.is_empty() {
            return;
        }
        self.line("\n[operating_costs]");
        if write_actual {
            let l = format!("actual = {}", self.money(amount));
            self.line(&l);
        }
        if !prior.is_empty() {
            let a: Amount = prior.iter().map(|f| f.amount).sum();
            let l = format!("prior = {}", self.money(a));
            self.line(&l);
        }
        self.kv_str("change_reason", &reason);
    }

    fn procurement(&mut self) {
        let usage = self.uy.procurement_usage.clone();
        let facts = self.facts(FactFilter::measure(Measure::Procurement));
        if facts
            .iter()
            .all(|f| f.amount.is_zero() && f.location.is_none())
            && usage.is_empty()
        {
            return;
        }
        self.line("\n[procurement]");
        for item in [
            "goods",
            "works",
            "services",
            "sme",
            "small_micro",
            "sme_reserved",
            "small_micro_reserved",
        ] {
            let of: Vec<&Fact> = facts
                .iter()
                .copied()
                .filter(|f| f.item.as_deref() == Some(item))
                .collect();
            self.opt_money(item, &of);
        }
        self.kv_str("usage", &usage);
    }

    fn assets_and_performance(&mut self) {
        let a = self.uy.assets.clone();
        if a != Default::default() {
            self.line("\n[assets]");
            self.kv_str("other_vehicles_usage", &a.other_vehicles_usage);
            self.kv_count("general_equipment_over_500k", a.general_equipment_over_500k);
            self.kv_count("special_equipment_over_1m", a.special_equipment_over_1m);
            let v = &a.vehicles;
            if v.total() != 0 {
                self.line("\n[assets.vehicles]");
                self.kv_count("leaders", v.leaders);
                self.kv_count("confidential", v.confidential);
                self.kv_count("emergency", v.emergency);
                self.kv_count("law_enforcement", v.law_enforcement);
                self.kv_count("special", v.special);
                self.kv_count("other", v.other);
            }
            for (section, counts) in [
                ("assets.vehicle_uses", &a.vehicle_uses),
                ("assets.equipment", &a.equipment),
            ] {
                if !counts.is_empty() {
                    self.line(&format!("\n[{section}]"));
                    for (key, n) in counts {
                        self.line(&format!("{key} = {n}"));
                    }
                }
            }
        }
        let p = self.uy.performance.clone();
        if p != Default::default() {
            self.line("\n[performance]");
            self.kv_count("projects_with_targets", p.projects_with_targets);
            self.kv_count("projects_monitored", p.projects_monitored);
            self.kv_count("projects_self_evaluated", p.projects_self_evaluated);
            self.kv_str("text", &p.text);
            if let Some(score) = p.average_score {
                self.line(&format!("average_score = {}", score.text()));
            }
            for (key, stage) in [
                ("target_management", p.target_management),
                ("tracking", p.tracking),
                ("evaluated", p.evaluated),
            ] {
                if let Some(stage) = stage {
                    self.line(&format!("\n[performance.{key}]"));
                    self.line(&format!("projects = {}", stage.projects));
                    let l = format!("amount = {}", self.money(stage.amount));
                    self.line(&l);
                }
            }
            if let Some(g) = p.grades {
                self.line("\n[performance.grades]");
                self.line(&format!("excellent = {}", g.excellent));
                self.line(&format!("good = {}", g.good));
                self.line(&format!("pass = {}", g.pass));
                self.line(&format!("fail = {}", g.fail));
            }
        }
    }

    fn glossary(&mut self) {
        for g in &self.uy.glossary.clone() {
            self.line("\n[[glossary]]");
            self.line(&format!("term = {}", quote(&g.term)));
            self.line(&format!("text = {}", quote(&g.text)));
        }
    }

    /// `[evaluation]` as it was written (comments and number literals kept): last, since
    /// it is made of tables only.
    fn evaluation(&mut self) {
        if let Some(e) = &self.uy.evaluation {
            self.out.push('\n');
            self.out.push_str(e.text());
            if !e.text().ends_with('\n') {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_text_keeps_a_comment_on_one_line() {
        let name = "表1\n[unit]\r\u{0}x";
        let c = comment_text(name);
        assert_eq!(c, "表1\\n[unit]\\r\\u0000x");
        let doc = format!("# 导入工作表“{c}”\nyear = 2021\n");
        let parsed: toml::Table = toml::from_str(&doc).expect("one comment line");
        assert_eq!(parsed.len(), 1);
    }

    #[test]
    fn quotes_escape_what_toml_requires() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
    }
}
