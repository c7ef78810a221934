//! juesuan 命令行 / the juesuan command line.

use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Parser, Subcommand};
use juesuan_core::Catalogues;
use juesuan_data::{Library, ReadError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod allocate;
mod batch;
mod catalogue;
mod check;
mod db;
mod explain;
mod formats;
mod journal;
mod output;
mod score;
mod serve;
mod xlsx;

#[derive(Parser)]
#[command(
    name = "juesuan",
    version,
    about = "决算：部门决算公开与预算绩效评价工具 / juesuan: final-accounts disclosure for Chinese budget units",
    long_about = "决算（juesuan）从一个单位的基础数据生成完整的部门决算公开材料：公开表、情况说明、图表。\n\
juesuan turns one unit's base figures into its complete final-accounts disclosure: tables, narrative and charts.\n\n\
示例 / example:\n  juesuan report examples/liangshan-kexie-2021/input.toml --out out/"
)]
struct Cli {
    #[command(flatten)]
    data: DataArgs,
    /// 逐条列出全部警告（默认同类警告三条以上时合并为一行）/ list every warning
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct DataArgs {
    /// 补充或覆盖数据文件的目录（目录结构同内置 data/）/ directory of data files that add to or override the embedded ones
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// 补充分类目录文件（可多次）/ extra classification catalogue file (repeatable)
    #[arg(long, global = true, value_name = "FILE")]
    catalogue: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// 生成决算公开材料：report.md、report.html、tables.json 和 charts/ / generate the disclosure
    Report {
        /// 输入文件（TOML，格式见 docs/input-format.md）/ input file
        input: PathBuf,
        /// 输出目录（整体写入，失败时不留下半成品）/ output directory (written atomically)
        #[arg(long, short)]
        out: PathBuf,
        /// 输出格式，逗号分隔：md,html,json,docx,pdf,xlsx（默认全部；缺少中文字体时跳过 docx/pdf 并说明原因）/ formats to write
        #[arg(long, value_name = "LIST")]
        format: Option<String>,
        /// 公开表模板（如 national、sichuan），覆盖输入文件中的 template / table template, overriding the input's
        #[arg(long, value_name = "NAME")]
        template: Option<String>,
        /// 发布版：报告中还有缺少的原因（W101、W102）或占位文字时不生成，列出须补写之处 / publication run: refuse placeholders
        #[arg(long = "final")]
        final_run: bool,
        /// 转移支付分配计划（可多次）：用分配结果填写第五部分中对应的转移支付绩效自评表（docs/allocation.md 第6节）/ allocation plans that fill the transfer-payment table
        #[arg(long = "allocation", value_name = "分配计划.toml")]
        allocations: Vec<PathBuf>,
    },
    /// 只校验输入文件，不生成输出 / validate an input file without writing anything
    Validate {
        /// 输入文件 / input file
        input: PathBuf,
    },
    /// 审核：按审核公式（数据文件）检查公开表的勾稽关系，列出填列数、应填数和差额 / check the tables against the consistency rules
    Check {
        /// 输入文件（.toml），或官方软件导出的公开表（.xlsx）/ input file, or an Excel workbook of the tables
        input: PathBuf,
        /// 输出格式：text（默认）、json / output format
        #[arg(long, default_value = "text")]
        format: String,
        /// 审核方案：停用或调整规则级别（[rules] "T1-01" = "off"|"warning"|…）/ profile that switches rules off or re-grades them
        #[arg(long, value_name = "FILE")]
        profile: Option<PathBuf>,
        /// 审核 Excel 公开表时的年度（默认取表中“××××年度”或最新分类目录年度）/ year of an .xlsx workbook
        #[arg(long)]
        year: Option<i32>,
    },
    /// 核对已公开的决算报告（.txt、.md、.docx、.pdf）：逐句提取金额、占比、增减和完成率并核对其计算 / audit a published report's arithmetic
    ///
    /// 给出几个文件或目录时批量核对（目录中的 .pdf、.docx、.txt、.md，含子目录），并行核对，输出每份文档一行的汇总和全部问题 / several files or directories: a batch, audited in parallel, summarised one row per document
    Audit {
        /// 报告文件，或包含报告的目录（可多个）/ the published report(s), or directories of them
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
        /// 输出格式：text（默认）、json、html；批量核对另可用 csv / output format (csv for a batch)
        #[arg(long, default_value = "text")]
        format: String,
        /// 写入文件（先写临时文件再改名）；省略则输出到屏幕 / write to a file instead of stdout
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
        /// 批量核对的并行数（默认为全部 CPU 核）/ documents audited at once (default: every core)
        #[arg(long, short, value_name = "N")]
        jobs: Option<usize>,
    },
    /// 绩效评价：按指标体系计算部门整体和项目得分，给出每步计算依据，并核对自评得分 / score performance evaluations with traces
    Score {
        /// 输入文件（含 [evaluation]，格式见 docs/evaluation.md）/ input file
        input: PathBuf,
        /// 输出格式：text（默认）、json、html / output format
        #[arg(long, default_value = "text")]
        format: String,
        /// 写入文件（先写临时文件再改名）；省略则输出到屏幕 / write to a file instead of stdout
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// 转移支付分配：按考核指标为下级单位（县市）打分、排名，按规则精确分配资金，输出分配表和计算过程（见 docs/allocation.md）/ allocate transfer payments by performance
    Allocate(allocate::Args),
    /// 导入预算会计日记账（CSV）生成输入文件：按科目映射汇总本年收入、支出和年初结转结余（见 docs/journal.md）/ import an accounting journal into an input file
    Journal(journal::Args),
    /// 数据库：导入、版本历史、比较、导出、恢复（SQLite 或 PostgreSQL，见 docs/store.md）/ versioned storage of unit-years
    Db(db::DbArgs),
    /// 汇总：由下级单位的最新版本汇总上级单位（部门、地区）的数据，抵销内部往来，存为新版本 / consolidate a parent unit from its sub-units
    Consolidate(db::ConsolidateArgs),
    /// 导入公开表 Excel（官方软件导出或填好的模板）生成输入文件，公开表没有的内容取自 --base 或写为 TODO 占位（见 docs/xlsx.md）/ import the disclosure tables from Excel into an input file
    Import(xlsx::ImportArgs),
    /// 生成待填写的公开表 Excel 模板（含填报说明和科目代码）/ write the fill-in Excel template
    Template(xlsx::TemplateArgs),
    /// 网页应用：登录、上传、查看公开表和审核结果、下载、版本历史、审核看板；JSON API 见 /api/openapi.json（docs/web.md）/ the web app
    Serve(serve::Args),
    /// 列出或导出内置数据文件（分类目录、表格模板、说明模板）；import-catalogue 导入官方分类目录 / list or print data files; import an official catalogue
    #[command(args_conflicts_with_subcommands = true)]
    Data {
        #[command(subcommand)]
        action: Option<DataCommand>,
        /// 要输出的文件（相对 data/ 的路径）；省略则列出全部 / file to print; omit to list
        path: Option<String>,
    },
    /// 解释代码（E013、W101、J020、S004、X005、核对类别 share、规则编号 T1-01）的含义和处理办法 / explain a code
    Explain {
        /// 代码 / the code
        code: String,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// 导入财政部《政府收支分类科目》（Excel 或 Word 表格：科目编码、科目名称、说明，或 类/款/项 列）或官方软件导出的科目代码表，写出分类目录文件（见 docs/data-files.md）/ import the official catalogue into a catalogue file
    ImportCatalogue(catalogue::ImportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn load_library(args: &DataArgs) -> Result<Library> {
    let mut lib = Library::embedded();
    if let Some(dir) = &args.data_dir {
        let mut files = Vec::new();
        collect(dir, &mut files).with_context(|| format!("读取数据目录 {}", dir.display()))?;
        for f in files {
            let rel = f
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            let text = output::read_text_file(&f, "数据文件")?;
            lib.add_file(&rel, &f.display().to_string(), text);
        }
    }
    // Supplementary catalogues join the library, so that every command (db, serve and
    // consolidate included) reads inputs with them.
    for path in &args.catalogue {
        let text = output::read_text_file(path, "分类目录文件")?;
        lib.add_catalogue(&path.display().to_string(), text)
            .map_err(|e| anyhow!(e))?;
    }
    Ok(lib)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        // Hidden files (.DS_Store, editor swap files) are not data files.
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            collect(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    let lib = load_library(&cli.data)?;
    match cli.command {
        Command::Journal(args) => journal::run(&lib, args),
        Command::Allocate(args) => allocate::run(&lib, args),
        Command::Import(args) => xlsx::import(&lib, args),
        Command::Template(args) => xlsx::template(&lib, args),
        Command::Db(args) => db::run(&lib, args),
        Command::Serve(args) => serve::run(&lib, args),
        Command::Consolidate(args) => db::consolidate(&lib, args),
        Command::Explain { code } => match explain::explain(&code, &lib) {
            Ok(text) => {
                print!("{text}");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => bail!(e),
        },
        Command::Data {
            action: Some(DataCommand::ImportCatalogue(args)),
            ..
        } => catalogue::run(&lib, args),
        Command::Data { action: None, path } => {
            match path {
                None => {
                    for (p, origin, _) in lib.files() {
                        println!("{p}\t{origin}");
                    }
                }
                Some(p) => {
                    let (_, _, text) = lib
                        .files()
                        .find(|(q, _, _)| *q == p)
                        .ok_or_else(|| anyhow!("没有数据文件“{p}”；用 juesuan data 列出全部"))?;
                    print!("{text}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { input } => {
            // The report is built in memory too: the templates the input names must exist,
            // and the preparer sees the same warnings `report` would print.
            let (uy, report) = match build(&lib, &input)? {
                Ok(v) => v,
                Err(code) => return Ok(code),
            };
            output::print_warnings(&report.warnings, cli.verbose);
            println!(
                "输入有效：{} {}年度，{}条基础数据，{}条警告。",
                uy.unit.name,
                uy.year,
                uy.facts.facts.len(),
                report.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            files,
            format,
            output,
            jobs,
        } => {
            // One file is the single report, exactly as before; several paths, a directory
            // or the csv format make a batch.
            if let [file] = files.as_slice() {
                if !file.is_dir() && format != "csv" {
                    return audit_one(file, &format, output.as_deref());
                }
            }
            batch::run(&files, &format, output.as_deref(), jobs)
        }
        Command::Check {
            input,
            format,
            profile,
            year,
        } => check_input(&lib, &input, &format, profile.as_deref(), year),
        Command::Score { input, format, out } => {
            score_input(&lib, &input, &format, out, cli.verbose)
        }
        Command::Report {
            input,
            out,
            format,
            template,
            final_run,
            allocations,
        } => report_cmd(
            &lib,
            &input,
            &out,
            ReportOptions {
                format: format.as_deref(),
                template: template.as_deref(),
                final_run,
                allocations: &allocations,
            },
            cli.verbose,
        ),
    }
}

/// `juesuan check`: the rules over an input file or an official workbook; exit 1 on errors.
fn check_input(
    lib: &Library,
    input: &Path,
    format: &str,
    profile: Option<&Path>,
    year: Option<i32>,
) -> Result<ExitCode> {
    if input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        return check_workbook(lib, input, year, format, profile);
    }
    let (uy, cats) = match read_input(lib, input)? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    for w in cats.warnings(&uy) {
        eprintln!("{w}");
    }
    let set = check::rules(lib, &uy.template, uy.year, profile)?;
    let results = juesuan_app::check_with(lib, &set, &uy, &cats).map_err(|e| anyhow!(e))?;
    let (text, failed) = check::render(
        &set,
        &results,
        format,
        &input.display().to_string(),
        uy.stated_precision,
    )?;
    print!("{text}");
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `juesuan score`: the `[evaluation]` scored, written or printed.
fn score_input(
    lib: &Library,
    input: &Path,
    format: &str,
    out: Option<PathBuf>,
    verbose: bool,
) -> Result<ExitCode> {
    let (uy, cats) = match read_input(lib, input)? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    for w in cats.warnings(&uy) {
        eprintln!("{w}");
    }
    let origin = input.display().to_string();
    use juesuan_report::evaluation::Scored;
    let scores = match juesuan_app::score(lib, &uy).map_err(|e| anyhow!(e))? {
        Scored::Scores(s) => s,
        Scored::Nothing => {
            eprintln!(
                "{origin}: 没有 [evaluation] 部分，无可评分内容（格式见 docs/evaluation.md）。"
            );
            return Ok(ExitCode::from(1));
        }
        Scored::InputErrors(errors) => return Ok(score::exit_code(&errors)),
    };
    let title = format!("{}{}年度绩效评价", uy.unit.name, uy.year);
    let rendered = score::render(&scores, format, &title)?;
    match out {
        Some(path) => output::write_file(&path, rendered.as_bytes())
            .with_context(|| format!("写入 {}", path.display()))?,
        None => print!("{rendered}"),
    }
    output::print_warnings(&scores.warnings, verbose);
    Ok(ExitCode::SUCCESS)
}

/// Options of `juesuan report` besides its input and output.
struct ReportOptions<'a> {
    format: Option<&'a str>,
    template: Option<&'a str>,
    final_run: bool,
    allocations: &'a [PathBuf],
}

/// `juesuan report`: the disclosure in every asked format, written atomically.
fn report_cmd(
    lib: &Library,
    input: &Path,
    out: &Path,
    opts: ReportOptions<'_>,
    verbose: bool,
) -> Result<ExitCode> {
    let (formats, explicit) = formats::parse(opts.format)?;
    let mut plans = Vec::new();
    for path in opts.allocations {
        match allocate::load(path)?.and_then(|plan| {
            juesuan_alloc::allocate(&plan)
                .map(|allocation| juesuan_app::allocation::PlanResult { plan, allocation })
        }) {
            Ok(p) => plans.push(p),
            Err(errors) => return Ok(allocate::report(&errors)),
        }
    }
    let (uy, report) = match build_with(lib, input, opts.template, &plans)? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    if opts.final_run {
        let blockers = report.publication_blockers();
        if !blockers.is_empty() {
            for b in &blockers {
                eprintln!("{b}");
            }
            eprintln!(
                "错误：发布版（--final）不能含缺少的原因或占位文字，以上{}处须先在输入文件中补写（见各条的行号）；未写出任何文件。去掉 --final 可生成供内部审阅的草稿。",
                blockers.len()
            );
            return Ok(ExitCode::from(1));
        }
    }
    let (files, skipped) = formats::render(&formats, explicit, &report, &uy)?;
    output::write_report_dir(out, &files)
        .with_context(|| format!("写入输出目录 {}", out.display()))?;
    output::print_warnings(&report.warnings, verbose);
    for s in &skipped {
        eprintln!("{s}");
    }
    let names: Vec<&str> = files
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !n.starts_with("charts/"))
        .collect();
    println!(
        "已生成 {}：{}{}（{}张表，{}幅图，{}条警告）",
        out.display(),
        names.join("、"),
        if files.iter().any(|(n, _)| n.starts_with("charts/")) {
            "、charts/"
        } else {
            ""
        },
        report.tables.len(),
        report.charts.len(),
        report.warnings.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `juesuan audit <file>`: one published report, its full Chinese report (text, JSON or HTML).
fn audit_one(file: &Path, format: &str, output: Option<&Path>) -> Result<ExitCode> {
    let text = juesuan_readers::read_text(file).map_err(|e| anyhow!("{}: {e}", file.display()))?;
    let audit = juesuan_audit::audit(&text);
    let rendered = match format {
        "text" => juesuan_audit::report_text(&audit, &file.display().to_string()),
        "json" => format!("{}\n", serde_json::to_string_pretty(&audit)?),
        "html" => juesuan_audit::report_html(&audit, &file.display().to_string()),
        other => bail!("不支持的格式“{other}”：可用 text、json、html（批量核对另可用 csv）"),
    };
    match output {
        Some(path) => output::write_file(path, rendered.as_bytes())
            .with_context(|| format!("写入 {}", path.display()))?,
        None => print!("{rendered}"),
    }
    // 无法核对 (nothing could be checked: a tables-only or scanned PDF) is exit 2,
    // never a silent pass.
    Ok(match audit.verdict() {
        juesuan_audit::Verdict::Errors => ExitCode::from(1),
        juesuan_audit::Verdict::Unchecked => ExitCode::from(2),
        juesuan_audit::Verdict::Clean => ExitCode::SUCCESS,
    })
}

/// `juesuan check tables.xlsx`: the consistency rules over the tables as the workbook states
/// them (its own totals included), not as juesuan would derive them.
fn check_workbook(
    lib: &Library,
    path: &Path,
    year: Option<i32>,
    format: &str,
    profile: Option<&Path>,
) -> Result<ExitCode> {
    let origin = path.display().to_string();
    let bytes = std::fs::read(path).with_context(|| format!("读取 {origin}"))?;
    let explicit = year.is_some();
    let year = year
        .or_else(|| lib.latest_catalogue_year())
        .ok_or_else(|| anyhow!("没有任何分类目录数据文件"))?;
    let (imported, cats, year) =
        match xlsx::load(lib, &bytes, &origin, year, explicit, "national", None)? {
            Ok(v) => v,
            Err(code) => return Ok(code),
        };
    for w in cats.fallback_warnings(year) {
        eprintln!("{w}");
    }
    for w in &imported.warnings {
        eprintln!("{origin}: {w}");
    }
    let set = check::rules(lib, "national", year, profile)?;
    let results =
        juesuan_check::run_with_precision(&set, &imported.stated, &[], imported.precision);
    let (text, failed) = check::render(&set, &results, format, &origin, imported.precision)?;
    print!("{text}");
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

type Parsed = (juesuan_core::UnitYear, Catalogues);

/// Read, validate and score an input, and build its report in memory.
/// `Ok(Err(code))`: errors were printed, exit with code.
fn build(
    lib: &Library,
    input: &Path,
) -> Result<std::result::Result<(juesuan_core::UnitYear, juesuan_report::Report), ExitCode>> {
    build_with(lib, input, None, &[])
}

/// [`build`] with the table template chosen on the command line (`--template`) and the
/// transfer-payment tables filled from allocation plans (`--allocation`).
fn build_with(
    lib: &Library,
    input: &Path,
    template: Option<&str>,
    plans: &[juesuan_app::allocation::PlanResult],
) -> Result<std::result::Result<(juesuan_core::UnitYear, juesuan_report::Report), ExitCode>> {
    use juesuan_report::evaluation::Scored;
    let (mut uy, cats) = match read_input(lib, input)? {
        Ok(v) => v,
        Err(code) => return Ok(Err(code)),
    };
    if let Some(t) = template {
        uy.template = t.to_string();
    }
    let applied = juesuan_app::allocation::fill_from_plans(&mut uy, plans);
    for t in &applied.tables {
        eprintln!(
            "分配计划“{}”：转移支付绩效自评表“{}”{}",
            t.plan,
            t.project,
            if t.filled.is_empty() {
                "的数值与分配结果逐项核对".to_string()
            } else {
                format!("由分配结果填入{}项", t.filled.len())
            }
        );
        for w in &t.warnings {
            eprintln!("{w}");
        }
    }
    for why in &applied.unused {
        eprintln!("警告：{why}");
    }
    let scores = match juesuan_app::score(lib, &uy).map_err(|e| anyhow!(e))? {
        Scored::Nothing => None,
        Scored::Scores(s) => Some(*s),
        Scored::InputErrors(errors) => return Ok(Err(score::exit_code(&errors))),
    };
    let report = juesuan_app::report(lib, &uy, &cats, scores.as_ref()).map_err(|e| anyhow!(e))?;
    Ok(Ok((uy, report)))
}

/// Read and validate an input file. `Ok(Err(code))`: errors were printed, exit with code.
fn read_input(lib: &Library, input: &Path) -> Result<std::result::Result<Parsed, ExitCode>> {
    let text = output::read_text_file(input, "输入文件")?;
    // An unreadable year still goes through the strict parse (with the newest catalogue), so
    // its error is reported like any other: located, with a code, exit status 1.
    match lib.read_input(&text, &input.display().to_string()) {
        Ok((uy, cats)) => Ok(Ok((uy, cats))),
        Err(ReadError::Data(e)) => bail!(e),
        Err(ReadError::Input(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("共{}处错误，未生成任何输出。", errors.len());
            Ok(Err(ExitCode::from(1)))
        }
    }
}
