//! Structured details a unit may report besides its flows (明细项), each optional and shown
//! in the narrative only when given: 预算绩效管理 stages, score and grades; counts of vehicles
//! by use and of equipment by category, whose keys each province lists in its descriptor
//! (`data/provinces/`); and the per-项 use sentence (“主要用于……”). Procurement reservations
//! (面向中小企业预留) are facts of the 政府采购 measure (items `sme_reserved`,
//! `small_micro_reserved`). Input format: docs/input-format.md.

use crate::error::{ErrorCode, InputError};
use crate::input::key_location;
use crate::model::UnitYear;
use crate::money::Amount;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Projects and amount at one stage of 预算绩效管理 (目标管理 / 绩效跟踪 / 绩效评价).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// 项目个数
    pub projects: u32,
    /// 涉及金额
    pub amount: Amount,
}

/// A score out of 100 with at most two decimals, held exactly in hundredths (平均分).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Score(pub u32);

impl Score {
    /// "91.50"
    pub fn text(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Projects by evaluation grade (评价等级：优、良、合格、不合格).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    /// 优
    #[serde(default)]
    pub excellent: u32,
    /// 良
    #[serde(default)]
    pub good: u32,
    /// 合格
    #[serde(default)]
    pub pass: u32,
    /// 不合格
    #[serde(default)]
    pub fail: u32,
}

impl Grades {
    pub fn total(self) -> u64 {
        u64::from(self.excellent)
            + u64::from(self.good)
            + u64::from(self.pass)
            + u64::from(self.fail)
    }
}

/// The optional details by name (what a province descriptor's `details` lists as stated by
/// its narrative): (name, the input's section and what it holds).
pub const DETAILS: [(&str, &str); 5] = [
    ("item_usage", "[item_usage] 各项支出的主要用途"),
    (
        "procurement_reserved",
        "[procurement] 的面向中小企业（小微企业）预留金额",
    ),
    (
        "performance_stages",
        "[performance] 的目标管理、绩效跟踪、绩效评价、平均分和评价等级",
    ),
    ("vehicle_uses", "[assets.vehicle_uses] 车辆按用途"),
    ("equipment", "[assets.equipment] 设备按类别"),
];

/// The details (names of [`DETAILS`]) a unit-year gives.
pub fn given(uy: &UnitYear) -> Vec<&'static str> {
    let p = &uy.performance;
    let reserved = uy.facts.facts.iter().any(|f| {
        f.item
            .as_deref()
            .is_some_and(|i| i == "sme_reserved" || i == "small_micro_reserved")
    });
    let flags = [
        !uy.item_usage.is_empty(),
        reserved,
        p.target_management.is_some()
            || p.tracking.is_some()
            || p.evaluated.is_some()
            || p.average_score.is_some()
            || p.grades.is_some(),
        !uy.assets.vehicle_uses.is_empty(),
        !uy.assets.equipment.is_empty(),
    ];
    DETAILS
        .iter()
        .zip(flags)
        .filter(|(_, on)| *on)
        .map(|((name, _), _)| *name)
        .collect()
}

/// The keys a province lists (its descriptor's `[[vehicle_use]]` and `[[equipment]]`).
pub struct Lists<'a> {
    /// The province's name, for messages.
    pub province: &'a str,
    pub vehicle_uses: Vec<&'a str>,
    pub equipment: Vec<&'a str>,
}

/// Every key of `[assets.vehicle_uses]` / `[assets.equipment]` the province does not list
/// (E008), located at its line.
pub fn check_lists(uy: &UnitYear, text: &str, origin: &str, lists: &Lists) -> Vec<InputError> {
    let mut out = Vec::new();
    for (section, what, given, known) in [
        (
            "assets.vehicle_uses",
            "车辆用途",
            &uy.assets.vehicle_uses,
            &lists.vehicle_uses,
        ),
        (
            "assets.equipment",
            "设备类别",
            &uy.assets.equipment,
            &lists.equipment,
        ),
    ] {
        for key in given.keys().filter(|k| !known.contains(&k.as_str())) {
            let listed = if known.is_empty() {
                "（该省份没有列出任何一项）".to_string()
            } else {
                known.join("、")
            };
            out.push(InputError {
                code: ErrorCode::UnlistedDetail,
                file: origin.to_string(),
                location: key_location(text, section, key),
                message: format!(
                    "[{section}] 中的“{key}”不是省份“{}”列出的{what}；可用：{listed}",
                    lists.province
                ),
                hint: "请改用所列的键，或在省份描述文件（data/provinces/）中增加这一项。".into(),
            });
        }
    }
    out
}

/// Counts keyed by the province's list keys, in the province's order: (key, count).
pub fn in_list_order<'a>(
    counts: &'a BTreeMap<String, u32>,
    keys: &'a [&'a str],
) -> impl Iterator<Item = (&'a str, u32)> + 'a {
    keys.iter()
        .filter_map(move |k| counts.get(*k).map(|n| (*k, *n)))
}
