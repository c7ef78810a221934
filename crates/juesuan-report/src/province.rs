//! What the narrative gets from the province's descriptor (data/provinces/): the parts'
//! numbers and titles, and the optional details of the unit-year in the words of the
//! province's lists. Each detail is present only when the input gives it, so a template
//! prints a sentence only for what the unit reported.

use crate::context::{share, Context};
use juesuan_core::details::{in_list_order, Grades, DETAILS};
use juesuan_core::error::{ErrorCode, Warning};
use juesuan_core::facts::{FactFilter, Measure};
use juesuan_core::model::UnitYear;
use juesuan_core::money::Amount;
use juesuan_data::province::ListEntry;
use juesuan_data::Province;
use serde::Serialize;

/// A count of one entry of a province list: "部级领导干部用车1辆".
#[derive(Debug, Clone, Default, Serialize)]
pub struct CountText {
    pub label: String,
    pub count: u32,
    pub unit: String,
}

/// One stage of 预算绩效管理: "目标管理：12个项目，金额350.00万元".
#[derive(Debug, Clone, Serialize)]
pub struct StageText {
    pub label: &'static str,
    pub projects: u32,
    pub amount: String,
}

/// 面向中小企业预留 and its 小微 part.
#[derive(Debug, Clone, Serialize)]
pub struct ReservedText {
    pub sme: String,
    /// 其中面向小微企业预留; none when not given.
    pub small_micro: Option<String>,
    /// Share of the reservation in the procurement total, none when the total is 0.
    pub sme_share: Option<String>,
}

/// The optional details as the narrative states them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DetailsText {
    pub procurement_reserved: Option<ReservedText>,
    /// Vehicles by use, the province's order, only the uses the input gives.
    pub vehicle_uses: Vec<CountText>,
    /// The sum of `vehicle_uses`.
    pub vehicle_uses_total: u32,
    /// Equipment by category, the province's order, only those the input gives.
    pub equipment: Vec<CountText>,
    /// 目标管理, 绩效跟踪, 绩效评价 — those given.
    pub stages: Vec<StageText>,
    /// "91.50"
    pub average_score: Option<String>,
    pub grades: Option<Grades>,
}

impl Context {
    /// Fill in what comes from the province: part headings and the details.
    pub fn add_province(&mut self, province: &Province, uy: &UnitYear) {
        self.parts = province.part_headings(uy.year);
        self.part = self
            .parts
            .iter()
            .map(|p| (p.id.clone(), p.heading()))
            .collect();
        self.details = DetailsText::of(province, uy);
    }
}

impl DetailsText {
    fn of(province: &Province, uy: &UnitYear) -> DetailsText {
        let counts = |list: &[ListEntry], given| -> Vec<CountText> {
            let keys: Vec<&str> = list.iter().map(|e| e.key.as_str()).collect();
            in_list_order(given, &keys)
                .filter_map(|(key, count)| {
                    let entry = list.iter().find(|e| e.key == key)?;
                    Some(CountText {
                        label: entry.label.clone(),
                        count,
                        unit: entry.unit.clone(),
                    })
                })
                .collect()
        };
        let vehicle_uses = counts(&province.vehicle_uses, &uy.assets.vehicle_uses);
        let p = &uy.performance;
        let stages = [
            ("目标管理", p.target_management),
            ("绩效跟踪", p.tracking),
            ("绩效评价", p.evaluated),
        ]
        .into_iter()
        .filter_map(|(label, s)| {
            s.map(|s| StageText {
                label,
                projects: s.projects,
                amount: s.amount.wan(),
            })
        })
        .collect();
        DetailsText {
            procurement_reserved: reserved(uy),
            vehicle_uses_total: vehicle_uses.iter().map(|c| c.count).sum(),
            vehicle_uses,
            equipment: counts(&province.equipment, &uy.assets.equipment),
            stages,
            average_score: p.average_score.map(|s| s.text()),
            grades: p.grades,
        }
    }
}

/// The reservations when the input states them (facts `sme_reserved`, `small_micro_reserved`).
fn reserved(uy: &UnitYear) -> Option<ReservedText> {
    let of = |items: &[&str]| -> Option<Amount> {
        let filter = FactFilter {
            measure: vec![Measure::Procurement],
            item: items.iter().map(|s| (*s).to_string()).collect(),
            ..FactFilter::default()
        };
        let facts: Vec<_> = uy.facts.select(&filter).collect();
        (!facts.is_empty()).then(|| facts.iter().map(|f| f.amount).sum())
    };
    let sme = of(&["sme_reserved"])?;
    let total = of(&["goods", "works", "services"]).unwrap_or_default();
    Some(ReservedText {
        sme: sme.wan(),
        small_micro: of(&["small_micro_reserved"]).map(Amount::wan),
        sme_share: share(sme, total),
    })
}

/// W110: each detail the input gives that the province's narrative does not state (its
/// descriptor's `details` does not list it), so the preparer knows it will not be printed.
pub fn unused_details(province: &Province, uy: &UnitYear) -> Vec<Warning> {
    juesuan_core::details::given(uy)
        .into_iter()
        .filter(|d| !province.details.iter().any(|p| p == d))
        .map(|d| {
            let what = DETAILS.iter().find(|(n, _)| *n == d).map_or(d, |(_, w)| *w);
            Warning {
                code: ErrorCode::UnusedDetail,
                place: format!("省份“{}”的情况说明", province.name),
                message: format!(
                    "输入填写了{what}，但该省份的情况说明模板不使用它，报告中不会出现。如需印出，请选用列出它的省份（如 province = \"shanghai\"），或在省份描述文件的 details 中列出它并在模板中使用"
                ),
            }
        })
        .collect()
}
