//! `juesuan allocate <plan.toml>`: transfer-payment allocation by performance (转移支付分配,
//! docs/allocation.md). Reads the plan and its KPI file, allocates, and writes the table and
//! trace as text, JSON, Excel or HTML; `--what-if` shows who moves when a weight or a pool
//! changes.

use crate::output;
use anyhow::{anyhow, Context};
use clap::Args as ClapArgs;
use juesuan_alloc::selfeval::{self, Agreement};
use juesuan_alloc::whatif::{self, Move};
use juesuan_alloc::{allocate, parse_plan, render, AllocError, Allocation, Plan};
use juesuan_app::allocation::{load_plan, KpiFile};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(ClapArgs)]
pub struct Args {
    /// 分配计划文件（TOML，格式见 docs/allocation.md）/ the allocation plan
    plan: PathBuf,
    /// 输出格式：text（默认）、json、xlsx、html / output format
    #[arg(long, default_value = "text")]
    format: String,
    /// 写入文件（先写临时文件再改名）；省略则输出到屏幕（xlsx 必须写入文件）/ write to a file
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// 假设分析：如 'registration.weight=0.4'、'pool=80'、'天府科技云考核奖励.n=6'（可多次，依次应用）/ what-if changes
    #[arg(long = "what-if", value_name = "CHANGE")]
    what_if: Vec<String>,
    /// 与单位输入文件中的转移支付绩效自评表核对（项目名称和指标见计划的 [evaluation]、cost_indicator）/ check the self-evaluation table of this input file against the plan
    #[arg(long, value_name = "输入文件")]
    evaluation: Option<PathBuf>,
}

/// The project of the plan's `[evaluation]` in the unit's input file, compared with the
/// plan; `Err(code)` when the input file has errors (already reported).
fn check_evaluation(
    lib: &juesuan_data::Library,
    plan: &Plan,
    a: &Allocation,
    input: &Path,
) -> anyhow::Result<Result<(String, Vec<Agreement>), ExitCode>> {
    let Some(link) = &plan.evaluation else {
        return Err(anyhow!(
            "{}: 分配计划没有 [evaluation]（project = 自评表的项目名称），无法与 {} 核对",
            plan.file,
            input.display()
        ));
    };
    let (uy, _) = match crate::read_input(lib, input)? {
        Ok(v) => v,
        Err(code) => return Ok(Err(code)),
    };
    let projects = uy
        .evaluation
        .and_then(|e| e.input.ok())
        .map(|e| e.projects)
        .unwrap_or_default();
    let Some(project) = projects.iter().find(|p| p.name == link.project) else {
        let names: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
        return Err(anyhow!(
            "{} 的 [evaluation] 中没有项目“{}”（有：{}）；请改正分配计划 [evaluation] 的 project",
            input.display(),
            link.project,
            if names.is_empty() {
                "无".to_string()
            } else {
                names.join("、")
            }
        ));
    };
    Ok(Ok((
        project.name.clone(),
        selfeval::against(plan, a, project),
    )))
}

/// The comparison added to an output already rendered (text, JSON, HTML).
fn with_evaluation(
    format: &str,
    bytes: Vec<u8>,
    project: &str,
    agreements: &[Agreement],
) -> anyhow::Result<Vec<u8>> {
    let text = selfeval::text(project, agreements);
    Ok(match format {
        "json" => {
            let mut v: serde_json::Value = serde_json::from_slice(&bytes)?;
            v["evaluation"] = serde_json::json!({ "project": project, "figures": agreements });
            serde_json::to_string_pretty(&v)?.into_bytes()
        }
        "html" => {
            let section = format!(
                "<h2>与转移支付绩效自评表核对</h2><pre>{}</pre>\n</body>",
                text.trim().replace('&', "&amp;").replace('<', "&lt;")
            );
            String::from_utf8_lossy(&bytes)
                .replacen("</body>", &section, 1)
                .into_bytes()
        }
        _ => {
            let mut b = bytes;
            b.extend_from_slice(text.as_bytes());
            b
        }
    })
}

pub fn report(errors: &[AllocError]) -> ExitCode {
    for e in errors {
        eprintln!("{e}");
    }
    eprintln!("共{}处错误，未写出分配结果。", errors.len());
    ExitCode::from(1)
}

/// A plan file as read: its text and the KPI file it names (path as shown, bytes).
pub struct PlanFiles {
    pub name: String,
    pub text: String,
    pub kpi: Option<(String, Vec<u8>)>,
}

/// Read a plan file and the KPI file it names (relative to the plan's directory). A plan that
/// does not parse is returned as read: [`load`] reports its errors.
pub fn read_files(path: &Path) -> anyhow::Result<PlanFiles> {
    let text = output::read_text_file(path, "分配计划文件")?;
    let name = path.display().to_string();
    let kpi = match parse_plan(&text, &name).ok().and_then(|p| p.kpi_file) {
        Some((file, line)) => {
            let data_path = path.parent().unwrap_or(Path::new("")).join(&file);
            let data_name = data_path.display().to_string();
            let bytes = std::fs::read(&data_path).map_err(|e| {
                anyhow!("{name}:{line}: 读取考核数据文件 {data_name}：{e}（kpi.file 相对于分配计划文件所在目录）")
            })?;
            Some((data_name, bytes))
        }
        None => None,
    };
    Ok(PlanFiles { name, text, kpi })
}

/// The plan of [`read_files`] with its KPI file attached, or the errors.
pub fn load_files(files: &PlanFiles) -> Result<Plan, Vec<AllocError>> {
    let kpi = files
        .kpi
        .as_ref()
        .map(|(name, bytes)| KpiFile { name, bytes });
    load_plan(&files.text, &files.name, kpi)
}

/// The plan with its KPI file attached, or the errors.
pub fn load(path: &Path) -> anyhow::Result<Result<Plan, Vec<AllocError>>> {
    Ok(load_files(&read_files(path)?))
}

pub fn run(lib: &juesuan_data::Library, args: Args) -> anyhow::Result<ExitCode> {
    if !["text", "json", "xlsx", "html"].contains(&args.format.as_str()) {
        return Err(anyhow!(
            "未知的输出格式“{}”：可用 text、json、xlsx、html",
            args.format
        ));
    }
    if args.format == "xlsx" && args.out.is_none() {
        return Err(anyhow!(
            "xlsx 格式须用 --out 指定文件，如 --out 分配表.xlsx"
        ));
    }
    let plan = match load(&args.plan)? {
        Ok(p) => p,
        Err(e) => return Ok(report(&e)),
    };
    let before = match allocate(&plan) {
        Ok(a) => a,
        Err(e) => return Ok(report(&e)),
    };
    let mut changed = plan.clone();
    for spec in &args.what_if {
        changed = match whatif::apply(&changed, spec) {
            Ok(p) => p,
            Err(e) => return Ok(report(&[e])),
        };
    }
    let what_if = if args.what_if.is_empty() {
        None
    } else {
        let after = match allocate(&changed) {
            Ok(a) => a,
            Err(e) => return Ok(report(&e)),
        };
        let moves = whatif::compare(&before, &after);
        Some((args.what_if.join("；"), after, moves))
    };
    let checked = match &args.evaluation {
        Some(input) => match check_evaluation(lib, &plan, &before, input)? {
            Ok(c) => Some((c, input.display().to_string())),
            Err(code) => return Ok(code),
        },
        None => None,
    };
    let agreements = checked.as_ref().map(|((_, g), _)| g.as_slice());
    let mut bytes = rendered(&args.format, &before, what_if.as_ref(), agreements)?;
    if let Some(((project, g), _)) = &checked {
        if args.format != "xlsx" {
            bytes = with_evaluation(&args.format, bytes, project, g)?;
        }
    }
    match &args.out {
        Some(path) => {
            output::write_file(path, &bytes).with_context(|| format!("写入 {}", path.display()))?
        }
        None => print!("{}", String::from_utf8_lossy(&bytes)),
    }
    if let Some(((_, g), input)) = &checked {
        for w in selfeval::warnings(g, input) {
            eprintln!("{w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rendered(
    format: &str,
    before: &Allocation,
    what_if: Option<&(String, Allocation, Vec<Move>)>,
    agreements: Option<&[Agreement]>,
) -> anyhow::Result<Vec<u8>> {
    Ok(match (format, what_if) {
        ("json", None) => serde_json::to_string_pretty(before)?.into_bytes(),
        ("json", Some((spec, after, moves))) => serde_json::to_string_pretty(&serde_json::json!({
            "what_if": spec, "before": before, "after": after, "moves": moves
        }))?
        .into_bytes(),
        ("text", None) => render::text(before).into_bytes(),
        ("text", Some((spec, after, moves))) => format!(
            "{}\n（以下为假设分析后的分配）\n{}",
            whatif::moves_text(spec, before, after, moves),
            render::text(after)
        )
        .into_bytes(),
        ("html", None) => render::html(before).into_bytes(),
        ("html", Some((spec, after, moves))) => {
            let moves = whatif::moves_text(spec, before, after, moves);
            let page = render::html(after);
            let pre = format!(
                "<h2>假设分析</h2><pre>{}</pre>",
                moves.replace('&', "&amp;").replace('<', "&lt;")
            );
            page.replacen("</h1>\n", &format!("</h1>\n{pre}\n"), 1)
                .into_bytes()
        }
        (_, w) => xlsx(
            w.map_or(before, |w| &w.1),
            w.map(|w| (w.0.as_str(), &w.2)),
            agreements,
        )?,
    })
}

/// The allocation table (one row per recipient) and each line's amounts, as a workbook.
fn xlsx(
    a: &Allocation,
    moves: Option<(&str, &Vec<Move>)>,
    agreements: Option<&[Agreement]>,
) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00####");
    // Amounts go to Excel as numbers in the plan's unit, converted once, as the disclosure
    // workbook does (the nearest double to the exact decimal).
    let unit = if a.unit == "元" {
        juesuan_core::MoneyUnit::Yuan
    } else {
        juesuan_core::MoneyUnit::Wan
    };
    let num = |x: juesuan_core::Amount| juesuan_xlsx::text::amount_to_f64(x, unit);
    let s = wb.add_worksheet().set_name("分配表")?;
    s.write_string_with_format(0, 0, &a.title, &bold)?;
    s.write_string(1, 0, format!("单位：{}", a.unit))?;
    s.write_string_with_format(2, 0, "单位", &bold)?;
    s.write_string_with_format(2, 1, "名次", &bold)?;
    s.write_string_with_format(2, 2, "总分", &bold)?;
    for (k, l) in a.lines.iter().enumerate() {
        s.write_string_with_format(2, col(k + 3), &l.name, &bold)?;
    }
    let last = col(a.lines.len() + 3);
    s.write_string_with_format(2, last, "合计", &bold)?;
    for (i, r) in a.recipients.iter().enumerate() {
        let row = u32::try_from(i + 3)?;
        s.write_string(row, 0, &r.name)?;
        if let (Some(rank), Some(score)) = (r.rank, r.score) {
            s.write_number(row, 1, u32::try_from(rank)?)?;
            s.write_string(row, 2, score.to_fixed(2))?;
        }
        for (k, x) in r.amounts.iter().enumerate() {
            s.write_number_with_format(row, col(k + 3), num(*x), &money)?;
        }
        s.write_number_with_format(row, last, num(r.total), &money)?;
    }
    let t = wb.add_worksheet().set_name("计算过程")?;
    t.write_string_with_format(0, 0, "分配行", &bold)?;
    t.write_string_with_format(0, 1, "单位或项目", &bold)?;
    t.write_string_with_format(0, 2, "金额", &bold)?;
    t.write_string_with_format(0, 3, "依据", &bold)?;
    let mut row = 1u32;
    for l in &a.lines {
        for sh in &l.shares {
            let who = sh
                .item
                .clone()
                .or_else(|| sh.recipient.map(|r| a.recipients[r].name.clone()))
                .unwrap_or_default();
            t.write_string(row, 0, &l.name)?;
            t.write_string(row, 1, &who)?;
            t.write_number_with_format(row, 2, num(sh.amount), &money)?;
            t.write_string(row, 3, &sh.how)?;
            row += 1;
        }
    }
    if let Some((spec, moves)) = moves {
        let m = wb.add_worksheet().set_name("假设分析")?;
        m.write_string_with_format(0, 0, format!("假设分析：{spec}"), &bold)?;
        for (c, h) in [
            "单位",
            "名次（前）",
            "名次（后）",
            "金额（前）",
            "金额（后）",
        ]
        .iter()
        .enumerate()
        {
            m.write_string_with_format(1, col(c), *h, &bold)?;
        }
        for (i, mv) in moves.iter().enumerate() {
            let row = u32::try_from(i + 2)?;
            m.write_string(row, 0, &mv.name)?;
            m.write_string(
                row,
                1,
                mv.rank_before.map(|r| r.to_string()).unwrap_or_default(),
            )?;
            m.write_string(
                row,
                2,
                mv.rank_after.map(|r| r.to_string()).unwrap_or_default(),
            )?;
            m.write_number_with_format(row, 3, num(mv.before), &money)?;
            m.write_number_with_format(row, 4, num(mv.after), &money)?;
        }
    }
    if let Some(g) = agreements {
        evaluation_sheet(&mut wb, g, &bold)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// 自评表核对: one row per figure of the self-evaluation table.
fn evaluation_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    g: &[Agreement],
    bold: &rust_xlsxwriter::Format,
) -> anyhow::Result<()> {
    let e = wb.add_worksheet().set_name("自评表核对")?;
    for (c, h) in ["指标类别", "指标", "自评表", "分配计划", "单位", "结果"]
        .iter()
        .enumerate()
    {
        e.write_string_with_format(0, col(c), *h, bold)?;
    }
    for (i, x) in g.iter().enumerate() {
        let row = u32::try_from(i + 1)?;
        e.write_string(row, 0, x.kind)?;
        e.write_string(row, 1, &x.name)?;
        e.write_string(
            row,
            2,
            x.stated.map(|s| s.display_exact()).unwrap_or_default(),
        )?;
        e.write_string(row, 3, x.derived.display_exact())?;
        e.write_string(row, 4, &x.unit)?;
        e.write_string(row, 5, if x.holds { "一致" } else { "不一致" })?;
    }
    Ok(())
}
