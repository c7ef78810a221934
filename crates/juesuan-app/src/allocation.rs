//! Allocation plans (转移支付分配计划, docs/allocation.md) in the pipeline: a plan with its KPI
//! file attached, allocated once for the command line, the web app and the store, and the
//! transfer-payment self-evaluation table of a unit-year filled from it (报告第五部分).

use juesuan_alloc::selfeval::{self, Agreement, Filled};
use juesuan_alloc::{allocate, parse_plan, AllocCode, AllocError, Allocation, Plan};
use juesuan_core::UnitYear;
use serde::Serialize;

/// A KPI file as given: its name (its extension says CSV or Excel) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct KpiFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

fn kpi_error(file: &str, message: String, hint: &str) -> Vec<AllocError> {
    vec![AllocError {
        code: AllocCode::KpiFile,
        file: file.to_string(),
        line: None,
        column: None,
        message,
        hint: hint.into(),
    }]
}

/// Attach a KPI file to a parsed plan: `.xlsx` is read from its first worksheet, anything
/// else as UTF-8 CSV.
pub fn attach_kpi(plan: &mut Plan, kpi: KpiFile<'_>) -> Result<(), Vec<AllocError>> {
    if kpi.name.to_ascii_lowercase().ends_with(".xlsx") {
        return match juesuan_xlsx::first_sheet_rows(kpi.bytes, &juesuan_xlsx::Limits::default()) {
            Ok(rows) => plan.attach_rows(&rows, kpi.name),
            Err(e) => Err(kpi_error(
                kpi.name,
                format!("无法读取 Excel 考核数据：{e}"),
                "确认是未加密的 .xlsx，考核数据在第一个工作表",
            )),
        };
    }
    let text = std::str::from_utf8(kpi.bytes).map_err(|_| {
        kpi_error(
            kpi.name,
            "考核数据文件不是 UTF-8 编码的文本".into(),
            "用 UTF-8 保存 CSV 文件（Excel：另存为“CSV UTF-8”），或上传 .xlsx",
        )
    })?;
    plan.attach_csv(text, kpi.name)
}

/// Parse a plan and attach its KPI file. A plan whose `[kpi] file` names a file needs `kpi`;
/// a plan with its values inline must not be given one (it would be silently unused).
pub fn load_plan(
    text: &str,
    name: &str,
    kpi: Option<KpiFile<'_>>,
) -> Result<Plan, Vec<AllocError>> {
    let mut plan = parse_plan(text, name)?;
    match (&plan.kpi_file, kpi) {
        (Some(_), Some(k)) => attach_kpi(&mut plan, k)?,
        (Some((file, line)), None) => {
            return Err(vec![AllocError {
                code: AllocCode::KpiFile,
                file: name.to_string(),
                line: Some(*line),
                column: None,
                message: format!(
                    "分配计划的考核数据在文件“{file}”中（kpi.file），但没有给出这个文件"
                ),
                hint: "一并提供考核数据文件（CSV 或 .xlsx）".into(),
            }])
        }
        (None, Some(k)) => {
            return Err(kpi_error(
                k.name,
                format!(
                    "分配计划没有 kpi.file，考核数据写在计划中；给出的考核数据文件“{}”不会被使用",
                    k.name
                ),
                "不要上传考核数据文件，或在计划的 [kpi] 中写 file = \"文件名\"",
            ))
        }
        (None, None) => {}
    }
    Ok(plan)
}

/// A plan read and allocated.
#[derive(Debug, Clone)]
pub struct PlanResult {
    pub plan: Plan,
    pub allocation: Allocation,
}

/// [`load_plan`] then [`allocate`].
pub fn run_plan(
    text: &str,
    name: &str,
    kpi: Option<KpiFile<'_>>,
) -> Result<PlanResult, Vec<AllocError>> {
    let plan = load_plan(text, name, kpi)?;
    let allocation = allocate(&plan)?;
    Ok(PlanResult { plan, allocation })
}

/// What a plan did to a unit-year's transfer-payment table.
#[derive(Debug, Clone, Serialize)]
pub struct TableFromPlan {
    /// The plan's title.
    pub plan: String,
    /// The project (`[[evaluation.projects]]` name).
    pub project: String,
    /// Figures written into the table (empty or absent in the input).
    pub filled: Vec<Filled>,
    /// Every figure the plan gives, against the (filled) table.
    pub agreements: Vec<Agreement>,
    /// The figures that differ, as A010 warnings located in the input.
    pub warnings: Vec<String>,
}

/// What the plans did to a unit-year: the tables filled, and why any plan was not used.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PlansApplied {
    pub tables: Vec<TableFromPlan>,
    /// One sentence per plan not used (another year, no `[evaluation]`, a project the input
    /// does not have): never dropped silently.
    pub unused: Vec<String>,
}

/// Fill the transfer-payment self-evaluation tables of a unit-year from its allocation
/// plans (those of the same year whose `[evaluation] project` names one of its projects).
/// Call before scoring and reporting.
pub fn fill_from_plans(uy: &mut UnitYear, plans: &[PlanResult]) -> PlansApplied {
    let mut out = PlansApplied::default();
    for p in plans {
        match fill_one(uy, p) {
            Ok(t) => out.tables.push(t),
            Err(why) => out.unused.push(why),
        }
    }
    out
}

fn fill_one(uy: &mut UnitYear, p: &PlanResult) -> Result<TableFromPlan, String> {
    let title = &p.plan.title;
    let link = p.plan.evaluation.as_ref().ok_or_else(|| {
        format!("分配计划“{title}”没有 [evaluation]（对应的转移支付绩效自评表），未用于报告")
    })?;
    if p.plan.year != uy.year {
        return Err(format!(
            "分配计划“{title}”是{}年度的，本单位数据是{}年度的，未用于报告",
            p.plan.year, uy.year
        ));
    }
    let origin = uy
        .evaluation
        .as_ref()
        .map(|s| s.origin.clone())
        .unwrap_or_default();
    let project = uy
        .evaluation
        .as_mut()
        .and_then(|s| s.input.as_mut().ok())
        .and_then(|i| i.projects.iter_mut().find(|x| x.name == link.project))
        .ok_or_else(|| {
            format!(
                "分配计划“{title}”对应的项目“{}”不在本单位的 [evaluation] 项目自评表中，未用于报告；请核对计划 [evaluation] 的 project",
                link.project
            )
        })?;
    let filled = selfeval::fill(&p.plan, &p.allocation, project);
    let agreements = selfeval::against(&p.plan, &p.allocation, project);
    let warnings = selfeval::warnings(&agreements, &origin)
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(TableFromPlan {
        plan: title.clone(),
        project: project.name.clone(),
        filled,
        agreements,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Library;
    use juesuan_core::Coded;

    const INPUT: &str = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
    const PLAN: &str = include_str!("../../../examples/liangshan-kexie-2021/allocation.toml");
    const KPI: &str = include_str!("../../../examples/liangshan-kexie-2021/kpi-2021.csv");

    fn example_plan() -> PlanResult {
        let kpi = KpiFile {
            name: "kpi-2021.csv",
            bytes: KPI.as_bytes(),
        };
        run_plan(PLAN, "allocation.toml", Some(kpi)).expect("the example plan allocates")
    }

    fn project_indicators(uy: &UnitYear) -> Vec<juesuan_core::evaluation::ProjectIndicator> {
        let input = uy.evaluation.as_ref().unwrap().input.as_ref().unwrap();
        let p = input
            .projects
            .iter()
            .find(|p| p.name == "凉山州州本级科普专项资金")
            .unwrap();
        p.indicators.clone()
    }

    #[test]
    fn a_plan_needs_the_kpi_file_it_names_and_only_that() {
        let missing = load_plan(PLAN, "allocation.toml", None).unwrap_err();
        assert_eq!(missing[0].code.code(), "A007");
        assert!(missing[0].line.is_some(), "{}", missing[0]);
        let inline = "title = \"t\"\nallocator = \"a\"\nyear = 2021\namount_unit = \"万元\"\npool = 10\n\n[[recipient]]\nname = \"甲县\"\n\n[[line]]\nname = \"定额\"\nrule = \"earmark\"\n[[line.item]]\nname = \"甲县项目\"\nrecipient = \"甲县\"\namount = 10\n";
        assert!(load_plan(inline, "p.toml", None).is_ok());
        let extra = KpiFile {
            name: "k.csv",
            bytes: b"x",
        };
        assert_eq!(
            load_plan(inline, "p.toml", Some(extra)).unwrap_err()[0]
                .code
                .code(),
            "A007"
        );
        let not_utf8 = KpiFile {
            name: "k.csv",
            bytes: &[0xff, 0xfe, 0x00],
        };
        assert!(load_plan(PLAN, "allocation.toml", Some(not_utf8)).is_err());
    }

    #[test]
    fn the_example_table_already_states_what_the_plan_derives() {
        let lib = Library::embedded();
        let (mut uy, _) = lib.read_input(INPUT, "input.toml").unwrap();
        let before = project_indicators(&uy);
        let done = fill_from_plans(&mut uy, &[example_plan()]).tables;
        assert_eq!(done.len(), 1);
        assert!(done[0].filled.is_empty(), "{:?}", done[0].filled);
        assert!(done[0].warnings.is_empty(), "{:?}", done[0].warnings);
        assert_eq!(done[0].agreements.len(), 7);
        assert_eq!(project_indicators(&uy), before);
    }

    #[test]
    fn empty_or_absent_figures_are_filled_and_a_wrong_one_is_kept_and_warned() {
        let lib = Library::embedded();
        // The 考核数 row without its figures, the 科技小院 cost row removed, the 科普振兴乡村 cost
        // stated wrong (6 instead of 5).
        let text = INPUT
            .replacen(
                "name = \"天府科技云项目考核数\"\noperator = \"=\"\ntarget = 17\nactual = 17\n",
                "name = \"天府科技云项目考核数\"\noperator = \"=\"\n",
                1,
            )
            .replacen("target_text = \"17个县市\"\n", "target_text = \"\"\n", 1);
        let uy_text = remove_indicator(&text, "科技小院建设", "成本指标");
        let uy_text = restate_cost(&uy_text, "科普振兴乡村", "6");
        let (mut uy, _) = lib.read_input(&uy_text, "input.toml").unwrap();
        let done = fill_from_plans(&mut uy, &[example_plan()]).tables;
        let names: Vec<(&str, bool)> = done[0]
            .filled
            .iter()
            .map(|f| (f.name.as_str(), f.added))
            .collect();
        assert_eq!(
            names,
            [("天府科技云项目考核数", false), ("科技小院建设", true)]
        );
        let rows = project_indicators(&uy);
        let count = rows
            .iter()
            .find(|i| i.name == "天府科技云项目考核数")
            .unwrap();
        assert_eq!(count.actual.map(|r| r.display_exact()), Some("17".into()));
        assert_eq!(count.target_text, "17个");
        let added = rows
            .iter()
            .find(|i| i.name == "科技小院建设" && i.level2 == "成本指标")
            .unwrap();
        assert_eq!(added.target.map(|r| r.display_exact()), Some("25".into()));
        assert!(
            added.target_text.contains("共计25万元"),
            "{}",
            added.target_text
        );
        let wrong = rows
            .iter()
            .find(|i| i.name == "科普振兴乡村" && i.level2 == "成本指标")
            .unwrap();
        assert_eq!(wrong.target.map(|r| r.display_exact()), Some("6".into()));
        assert_eq!(done[0].warnings.len(), 1, "{:?}", done[0].warnings);
        assert!(
            done[0].warnings[0].contains("A010"),
            "{}",
            done[0].warnings[0]
        );
        // The filled table scores and reports.
        let scored = crate::score(&lib, &uy).unwrap();
        assert!(matches!(
            scored,
            juesuan_report::evaluation::Scored::Scores(_)
        ));
    }

    #[test]
    fn a_plan_of_another_year_or_project_changes_nothing() {
        let lib = Library::embedded();
        let (mut uy, _) = lib.read_input(INPUT, "input.toml").unwrap();
        let mut other = example_plan();
        other.plan.year = 2022;
        let done = fill_from_plans(&mut uy, &[other]);
        assert!(done.tables.is_empty());
        assert!(done.unused[0].contains("2022年度"), "{:?}", done.unused);
        let mut other = example_plan();
        other.plan.evaluation.as_mut().unwrap().project = "别的项目".into();
        let done = fill_from_plans(&mut uy, &[other]);
        assert!(done.tables.is_empty());
        assert!(done.unused[0].contains("别的项目"), "{:?}", done.unused);
    }

    /// The input without the `[[evaluation.projects.indicators]]` block of this name and kind.
    fn remove_indicator(text: &str, name: &str, level2: &str) -> String {
        let blocks: Vec<&str> = text.split("[[evaluation.projects.indicators]]").collect();
        let mut out = blocks[0].to_string();
        for b in &blocks[1..] {
            let this = b.contains(&format!("name = \"{name}\"\n"))
                && b.contains(&format!("level2 = \"{level2}\""));
            if !this {
                out.push_str("[[evaluation.projects.indicators]]");
                out.push_str(b);
            }
        }
        out
    }

    /// The input with this cost indicator's 预期值 replaced.
    fn restate_cost(text: &str, name: &str, value: &str) -> String {
        let blocks: Vec<&str> = text.split("[[evaluation.projects.indicators]]").collect();
        let mut out = blocks[0].to_string();
        for b in &blocks[1..] {
            out.push_str("[[evaluation.projects.indicators]]");
            if b.contains(&format!("name = \"{name}\"\n")) && b.contains("level2 = \"成本指标\"")
            {
                let mut lines: Vec<String> = b.lines().map(String::from).collect();
                for l in &mut lines {
                    if l.starts_with("target = ") {
                        *l = format!("target = {value}");
                    }
                }
                out.push_str(&lines.join("\n"));
                out.push('\n');
            } else {
                out.push_str(b);
            }
        }
        out
    }
}
