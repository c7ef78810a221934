//! From an imported workbook to an input file (输入文件): the tables' figures, merged into a
//! base unit-year (texts, prior-year figures, budgets and reasons the nine tables do not hold)
//! or, without one, with placeholders marked TODO. Used by `juesuan import` and by uploads
//! of the web app.

use crate::Imported;
use juesuan_core::facts::{Fact, FactTable, Measure, Scenario};
use juesuan_core::model::{UnitKind, UnitYear};
use juesuan_core::money::MoneyUnit;
use juesuan_core::write::{comment_text, write_input};
use juesuan_core::Catalogues;

/// The input file for an imported workbook: merged into `base` (its unit-year and a name
/// for the header comment) when given, else with TODO placeholders.
pub fn input_text(
    imported: &Imported,
    base: Option<(&UnitYear, &str)>,
    year: i32,
    template: &str,
    catalogues: &Catalogues,
    origin: &str,
) -> String {
    let mut uy = match base {
        Some((b, _)) => merged(b, imported),
        None => placeholder(imported, year, template),
    };
    // Figures copied from tables printed to 0.01 万元 stay rounded ones in the input file.
    if imported.precision.is_some() {
        uy.stated_precision = imported.precision;
    }
    let written = write_input(&uy, catalogues);
    annotate(&written, origin, base.map(|(_, n)| n), imported)
}

/// Facts the workbook replaces in a base unit-year: what the tables state, and what the
/// parser derives from it (年末结转和结余, a 机关运行经费 not stated).
fn replaced(f: &Fact) -> bool {
    matches!(
        (f.measure, f.scenario),
        (
            Measure::Income
                | Measure::Expenditure
                | Measure::BasicEconomic
                | Measure::CarryoverBegin
                | Measure::CarryoverEnd
                | Measure::UsedNonFiscalBalance
                | Measure::SurplusDistribution,
            Scenario::Actual
        ) | (Measure::SanGong, Scenario::Actual | Scenario::Budget)
    ) || (f.measure == Measure::OperatingCosts
        && f.scenario == Scenario::Actual
        && f.location.is_none())
}

/// What an import with a base takes from the workbook (the facts [`replaced`] drops from the
/// base), in words.
pub const REPLACED: [&str; 7] = [
    "本年收入",
    "本年支出",
    "基本支出经济分类",
    "年初结转和结余",
    "使用非财政拨款结余",
    "结余分配",
    "“三公”经费预算数和决算数",
];

/// What an import onto `base` keeps from it and what it replaces from the workbook, for the
/// preparer (Chinese): "保留（取自 base.toml）：[unit] 单位信息和文字、…、[evaluation] 绩效自评（…）；
/// 替换（取自公开表）：本年收入、…".
pub fn merge_note(base: &UnitYear, base_name: &str) -> String {
    format!(
        "保留（取自 {base_name}）：{}；替换（取自公开表）：{}（年末结转和结余等由此重新计算）。",
        base.held_sections().join("、"),
        REPLACED.join("、")
    )
}

/// The base unit-year with the workbook's facts in place of the ones it states; everything
/// else of the base (texts, prior-year figures, budgets, `[evaluation]` …) is kept.
fn merged(base: &UnitYear, imported: &Imported) -> UnitYear {
    let mut uy = base.clone();
    let mut facts: Vec<Fact> = base
        .facts
        .facts
        .iter()
        .filter(|f| !replaced(f))
        .cloned()
        .collect();
    facts.extend(imported.facts.facts.iter().cloned());
    uy.facts = FactTable { facts };
    uy
}

/// A unit-year for a workbook without a base: what the tables hold, and zeros or empty
/// texts for the rest (marked TODO in the written file).
fn placeholder(imported: &Imported, year: i32, template: &str) -> UnitYear {
    let name = imported
        .unit_name
        .clone()
        .unwrap_or_else(|| "（请填写单位名称）".into());
    UnitYear::placeholder(
        &imported.facts,
        &name,
        UnitKind::Administrative,
        year,
        MoneyUnit::Wan,
        template,
    )
}

/// The input text with a header naming its origin, the import's warnings, and TODO marks
/// where the tables say nothing.
fn annotate(written: &str, origin: &str, base: Option<&str>, imported: &Imported) -> String {
    // Names from outside (file and sheet names in the warnings) may hold line breaks.
    let origin = comment_text(origin);
    let base = base.map(comment_text);
    let base = base.as_deref();
    let mut out = format!(
        "# 由 juesuan import 从公开表 {origin} 导入：本年收入、本年支出、基本支出经济分类、年初结转和结余、\n# 使用非财政拨款结余、结余分配和“三公”经费预算数、决算数取自各公开表（对应关系见 docs/xlsx.md）。\n"
    );
    match base {
        Some(name) => out.push_str(&format!(
            "# 单位信息、文字、上年数、年初预算、原因、“三公”明细、绩效评价（[evaluation]）等其余各项取自 {name}。\n"
        )),
        None => out.push_str(
            "# TODO：公开表中没有的各项须由编制人补充（见各节前的 TODO；格式见 docs/input-format.md）：\n# 单位信息和文字、上年决算数、[budget] 年初预算、[reasons] 变动原因、“三公”上年数和明细、\n# [procurement] 政府采购、[assets] 国有资产、[performance] 绩效管理。\n",
        ),
    }
    for w in &imported.warnings {
        out.push_str(&format!("# 导入{}\n", comment_text(&w.to_string())));
    }
    for line in written.lines() {
        if base.is_none() {
            let todo = match line.trim() {
                "[unit]" => Some("# TODO：核对单位名称和单位性质（行政/参公/事业，占位为“行政”），补充 region、sub_units、functions（主要职能）、key_work（重点工作）、organisation（机构设置）。"),
                "[prior]" => Some("# TODO：上年决算数。公开表只含本年，下面的 0 是占位数，须改为上年公开的决算数（新设单位才是 0）。"),
                "[sangong.abroad]" => Some("# TODO：“三公”经费的 prior（上年数）和团组、车辆、接待等明细；budget、actual 取自公开07表。"),
                _ => None,
            };
            if let Some(t) = todo {
                out.push_str(t);
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if base.is_none() && !written.contains("\n[budget]") {
        out.push_str("\n# TODO：[budget] 一般公共预算财政拨款年初预算数（按项，如 \"2060701\" = 195.66）和 [budget_reasons] 决算与预算差异原因；公开表中没有。\n");
    }
    out
}
