//! `juesuan journal`: import a budget-accounting journal (预算会计凭证 CSV) into an input file,
//! or with `--db`/`--code` straight into the store as a new version of each unit-year
//! (docs/journal.md). The CSV is streamed; nothing is written or stored unless every unit's
//! result validates as an input file.

use anyhow::{anyhow, bail, Context as _, Result};
use juesuan_core::{FactFilter, Measure, UnitYear};
use juesuan_data::Library;
use juesuan_journal::store::{self as jstore, Fallback};
use juesuan_journal::unit_year::{build_input, unit_kind, Base};
use juesuan_journal::{
    column_map, import_for_year, BalanceCheck, ColumnMap, Failure, Journal, JournalError, Options,
    Rule, TextEncoding,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// 日记账 CSV 文件（格式见 docs/journal.md）/ the journal CSV
    journal: PathBuf,
    /// 写出的输入文件（TOML）/ input file to write
    #[arg(
        long,
        short,
        conflicts_with_all = ["out_dir", "db", "code"],
        required_unless_present_any = ["out_dir", "db", "code"]
    )]
    out: Option<PathBuf>,
    /// 多单位日记账：每个单位各写一个输入文件到此目录 / one input file per unit into this directory
    #[arg(long, value_name = "DIR", conflicts_with_all = ["db", "code"])]
    out_dir: Option<PathBuf>,
    #[command(flatten)]
    conn: crate::db::Conn,
    /// 存入数据库：单位编码（该单位该年度已存最新版本作为基础）；多单位日记账省略此项，按“单位”列对应已登记单位的编码或名称 / store as a new version of this unit
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
    /// 存入数据库时的版本说明（默认“日记账导入 <文件名>，N 条分录”）/ version note
    #[arg(long, default_value = "")]
    note: String,
    /// 存入数据库时的作者；默认取环境变量 USER / author
    #[arg(long)]
    author: Option<String>,
    /// 基础输入文件：单位信息、预算、上年数、原因、“三公”明细等取自此文件（存入数据库时仅在该单位年度没有已存版本时使用）/ base input for what a journal lacks
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    base: Option<PathBuf>,
    /// 列映射：内置名称（juesuan、yonyou、inspur）或列映射文件路径 / column mapping: built-in name or file
    #[arg(long, default_value = "juesuan", value_name = "NAME|FILE")]
    columns: String,
    /// 文件编码，覆盖列映射中的设置：utf-8、gbk / text encoding, overriding the mapping's
    #[arg(long)]
    encoding: Option<String>,
    /// 决算年度（默认取第一条本年分录的年度）/ fiscal year
    #[arg(long)]
    year: Option<i32>,
    /// 只导入该单位（按“单位”列）；文件没有单位列时作为单位名称 / the unit to import (or its name)
    #[arg(long)]
    unit: Option<String>,
    /// 无基础文件时的单位性质：行政、参公、事业（默认行政）/ unit kind without a base
    #[arg(long)]
    kind: Option<String>,
    /// 报告并跳过有错的行，继续导入其余各行 / report and skip bad rows
    #[arg(long)]
    keep_going: bool,
    /// 凭证借贷平衡检查：auto（有借有贷的凭证须平衡，默认）、strict（每张凭证）、off / voucher balance check
    #[arg(long, default_value = "auto")]
    balance: String,
}

fn load_columns(lib: &Library, spec: &str) -> Result<ColumnMap> {
    let path = Path::new(spec);
    if spec.ends_with(".toml") || path.components().count() > 1 {
        let text = crate::output::read_text_file(path, "列映射文件")?;
        ColumnMap::from_toml(&text, &path.display().to_string()).map_err(|e| anyhow!(e))
    } else {
        column_map(lib, spec).map_err(|e| anyhow!(e))
    }
}

fn print_errors(errors: &[JournalError]) {
    for e in errors {
        eprintln!("{e}");
    }
}

/// The import options the command line asks for.
fn import_options(args: &Args, to_store: bool) -> Result<Options> {
    Ok(Options {
        year: args.year,
        unit: if args.out_dir.is_some() {
            None
        } else {
            args.unit.clone()
        },
        // Every unit for --out-dir; with --db every unit too, each mapped to a unit code (or,
        // with --code, the one that is that unit).
        all_units: args.out_dir.is_some() || (to_store && args.unit.is_none()),
        keep_going: args.keep_going,
        balance: match args.balance.as_str() {
            "auto" => BalanceCheck::Auto,
            "strict" => BalanceCheck::Strict,
            "off" => BalanceCheck::Off,
            other => bail!("--balance 的取值“{other}”无法识别：可用 auto、strict、off"),
        },
        encoding: match &args.encoding {
            None => None,
            Some(e) => Some(
                TextEncoding::parse(e)
                    .ok_or_else(|| anyhow!("不支持的编码“{e}”：可用 utf-8、gbk、gb18030"))?,
            ),
        },
    })
}

/// The journal's units turned into input files, each validated before anything is written.
struct Units<'a> {
    journal: &'a Journal,
    cats: &'a juesuan_core::catalogue::Catalogues,
    base: &'a Option<(UnitYear, String)>,
    kind: juesuan_core::model::UnitKind,
    fallback_name: &'a str,
    origin: &'a str,
}

impl Units<'_> {
    /// The units to write: all for --out-dir, else the one named (or the only one).
    fn indices(&self, args: &Args) -> Vec<usize> {
        let journal = self.journal;
        if args.out_dir.is_some() {
            return (0..journal.units.len()).collect();
        }
        let i = match &args.unit {
            Some(name) if journal.units.iter().any(|u| u.is_some()) => journal
                .units
                .iter()
                .position(|u| u.as_deref() == Some(name.as_str()))
                .unwrap_or(0),
            _ => 0,
        };
        vec![i]
    }

    /// Every unit's input file, staged in `staging` (for --out-dir) or kept in memory;
    /// `true` when some unit failed (its errors printed).
    ///
    /// Written files are staged (for --out-dir, in a hidden directory inside it) and moved
    /// into place only when every unit validated: nothing is written on error, and only one
    /// unit's text is in memory at a time.
    fn build(&self, args: &Args, staging: Option<&Path>) -> Result<(Vec<Output>, bool)> {
        let mut outputs: Vec<Output> = Vec::new();
        let mut failed = false;
        let mut used_names = std::collections::BTreeSet::new();
        for i in self.indices(args) {
            let unit = match self.journal.unit_facts(i) {
                Ok(u) => u,
                Err(errors) => {
                    print_errors(&errors);
                    failed = true;
                    continue;
                }
            };
            let name = unit
                .name
                .clone()
                .unwrap_or_else(|| self.fallback_name.to_string());
            let base = match self.base {
                Some((uy, name)) => Base::Input { uy, name },
                None => Base::Placeholder {
                    name: &name,
                    kind: self.kind,
                    prior: None,
                },
            };
            let draft = match build_input(&unit, self.journal.year, &base, self.cats, self.origin) {
                Ok(d) => d,
                Err(errors) => {
                    print_errors(&errors);
                    failed = true;
                    continue;
                }
            };
            for n in &draft.notes {
                eprintln!("提示：{n}");
            }
            let validated = draft.unit_year;
            let text = draft.text;
            let path = match (&args.out, &args.out_dir) {
                (Some(p), _) => p.clone(),
                (None, Some(dir)) => {
                    let mut stem = file_stem_for(&validated.unit.name);
                    while !used_names.insert(stem.clone()) {
                        stem.push('_');
                    }
                    dir.join(format!("{stem}.toml"))
                }
                (None, None) => unreachable!("clap requires --out or --out-dir"),
            };
            let staged = match staging {
                Some(st) if !failed => {
                    let p = st.join(path.file_name().expect("a file name"));
                    std::fs::write(&p, text.as_bytes())
                        .with_context(|| format!("写入 {}", p.display()))?;
                    Some(p)
                }
                _ => None,
            };
            outputs.push(Output {
                path,
                text: if staged.is_some() { None } else { Some(text) },
                staged,
                totals: Totals::of(&validated),
            });
        }
        Ok((outputs, failed))
    }
}

/// Moves the staged files into place (or writes the kept texts), once every unit validated.
fn write_outputs(outputs: &[Output], staging: Option<&Path>) -> Result<()> {
    for o in outputs {
        match (&o.staged, &o.text) {
            (Some(staged), _) => std::fs::rename(staged, &o.path)
                .with_context(|| format!("写入 {}", o.path.display()))?,
            (None, Some(text)) => crate::output::write_file(&o.path, text.as_bytes())
                .with_context(|| format!("写入 {}", o.path.display()))?,
            (None, None) => unreachable!("every output is staged or kept"),
        }
    }
    if let Some(st) = staging {
        let _ = std::fs::remove_dir(st);
    }
    Ok(())
}

/// What was read, what was written, and what the user still has to fill in.
fn print_written(
    origin: &str,
    journal: &Journal,
    outputs: &[Output],
    base: &Option<(UnitYear, String)>,
) {
    print_summary(origin, journal);
    for o in outputs {
        println!("已写出 {}（{}）", o.path.display(), o.totals);
    }
    match base {
        Some((uy, name)) => println!(
            "保留（取自 {name}）：{}；替换（取自日记账）：{}。",
            uy.held_sections().join("、"),
            juesuan_journal::unit_year::REPLACED.join("、")
        ),
        None => println!("日记账中没有的各项（单位信息、上年数、预算、原因等）已写为占位数并标注 TODO，请补充后再生成报告。"),
    }
}

pub fn run(lib: &Library, args: Args) -> Result<ExitCode> {
    let to_store = args.conn.given() || args.code.is_some();
    if to_store && args.code.is_none() {
        if args.base.is_some() {
            bail!("--base 只能与 --code 同用：多单位日记账存入数据库时，各单位以其已存版本为基础");
        }
        if args.unit.is_some() {
            bail!("存入数据库时 --unit（日记账中的单位名称）须与 --code（单位编码）同用");
        }
    }
    let mut options = import_options(&args, to_store)?;
    let kind = match &args.kind {
        None => juesuan_core::model::UnitKind::Administrative,
        Some(k) => unit_kind(k)
            .ok_or_else(|| anyhow!("--kind 的取值“{k}”无法识别：可用 行政、参公、事业"))?,
    };
    let columns = load_columns(lib, &args.columns)?;

    // The base input: parsed first, so its errors are reported before the long import.
    let base = match &args.base {
        None => None,
        Some(path) => match crate::read_input(lib, path)? {
            Ok((uy, _)) => Some((uy, path.display().to_string())),
            Err(code) => return Ok(code),
        },
    };
    if let Some((uy, _)) = &base {
        options.year = Some(args.year.unwrap_or(uy.year));
    }

    let origin = args.journal.display().to_string();
    let abort = |e: JournalError| {
        eprintln!("{e}");
        eprintln!(
            "导入中止，{}。",
            if to_store {
                "未保存任何数据"
            } else {
                "未写出任何文件"
            }
        );
        ExitCode::from(1)
    };
    let (journal, cats) = match import_for_year(
        lib,
        || std::fs::File::open(&args.journal),
        &origin,
        &columns,
        &options,
        &|year| lib.catalogues(year),
        &mut |e| eprintln!("{e}"),
    ) {
        Ok(v) => v,
        Err(Failure::Journal(e)) => return Ok(abort(e)),
        Err(Failure::Setup(e)) => bail!(e),
    };

    if let Some((uy, name)) = &base {
        if uy.year != journal.year {
            eprintln!(
                "{origin}: 错误[{}]：日记账为{}年，基础文件 {name} 为{}年。处理：用同一年度的基础文件，或用 --year 指定年度。",
                Rule::OutsideYear.code(),
                journal.year,
                uy.year
            );
            return Ok(ExitCode::from(1));
        }
    }

    let fallback_name = args
        .unit
        .clone()
        .or_else(|| {
            args.journal
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "（单位名称）".into());
    if to_store {
        return store(lib, &args, &journal, &cats, &base, kind, &fallback_name);
    }

    // Every unit is built and validated before anything is written.
    let staging = match &args.out_dir {
        Some(dir) => {
            let st = dir.join(format!(".juesuan-journal-{}", std::process::id()));
            std::fs::create_dir_all(&st)
                .with_context(|| format!("建立输出目录 {}", dir.display()))?;
            Some(st)
        }
        None => None,
    };
    let units = Units {
        journal: &journal,
        cats: &cats,
        base: &base,
        kind,
        fallback_name: &fallback_name,
        origin: &origin,
    };
    let (outputs, failed) = units.build(&args, staging.as_deref())?;
    if failed {
        if let Some(st) = &staging {
            let _ = std::fs::remove_dir_all(st);
        }
        eprintln!("导入结果有错，未写出任何文件。");
        return Ok(ExitCode::from(1));
    }
    write_outputs(&outputs, staging.as_deref())?;
    print_written(&origin, &journal, &outputs, &base);
    Ok(ExitCode::SUCCESS)
}

/// `--db`/`--code`: each unit merged into its latest stored version of the year (else
/// `--base`, else placeholders), all validated first, then stored as new versions.
fn store(
    lib: &Library,
    args: &Args,
    journal: &Journal,
    cats: &juesuan_core::Catalogues,
    base: &Option<(UnitYear, String)>,
    kind: juesuan_core::model::UnitKind,
    fallback_name: &str,
) -> Result<ExitCode> {
    let file_name = args
        .journal
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| journal.origin.clone());
    let fallback = Fallback {
        base: base.as_ref().map(|(uy, name)| (uy, name.as_str())),
        kind,
        name: fallback_name,
    };
    crate::db::runtime()?.block_on(async {
        let store = crate::db::open(&args.conn, lib).await?;
        let result = store_units(&store, args, journal, cats, &fallback, &file_name).await;
        store.close().await;
        result
    })
}

async fn store_units(
    store: &juesuan_store::Store,
    args: &Args,
    journal: &Journal,
    cats: &juesuan_core::Catalogues,
    fallback: &Fallback<'_>,
    file_name: &str,
) -> Result<ExitCode> {
    // Which journal unit goes to which unit code.
    let targets: Vec<(usize, String)> = match &args.code {
        Some(code) => {
            let index = if args.unit.is_some() {
                // The import kept only the --unit rows: that unit is the one with facts.
                let name = args.unit.as_deref();
                journal
                    .units
                    .iter()
                    .position(|u| u.as_deref() == name)
                    .unwrap_or(0)
            } else {
                let registered = store.unit(code).await?.map(|u| u.name);
                match jstore::pick_unit(journal, code, registered.as_deref()) {
                    Ok(i) => i,
                    Err(e) => {
                        eprintln!("{e}");
                        eprintln!("未保存任何数据。");
                        return Ok(ExitCode::from(1));
                    }
                }
            };
            vec![(index, code.clone())]
        }
        None => match jstore::map_units(journal, &store.units().await?) {
            Ok(codes) => codes.into_iter().enumerate().collect(),
            Err(errors) => {
                print_errors(&errors);
                eprintln!("未保存任何数据。");
                return Ok(ExitCode::from(1));
            }
        },
    };
    // Every unit built and validated before any is stored.
    let mut prepared = Vec::new();
    let mut failed = false;
    for (index, code) in &targets {
        match jstore::prepare(store, journal, *index, code, cats, fallback).await {
            Ok(p) => {
                for n in &p.draft.notes {
                    eprintln!("提示：{code}：{n}");
                }
                prepared.push(p);
            }
            Err(jstore::Error::Journal(errors)) => {
                print_errors(&errors);
                failed = true;
            }
            Err(jstore::Error::Store(e)) => return crate::db::data_error(e),
        }
    }
    if failed {
        eprintln!("导入结果有错，未保存任何数据。");
        return Ok(ExitCode::from(1));
    }
    let author = crate::db::author(args.author.clone());
    let stored = match jstore::store_all(
        store,
        &prepared,
        &journal.origin,
        file_name,
        &author,
        &args.note,
    )
    .await
    {
        Ok(v) => v,
        Err(e) => return crate::db::data_error(e),
    };
    print_summary(&journal.origin, journal);
    for (v, p) in stored.iter().zip(&prepared) {
        println!(
            "已保存 {} {}年度 第{}版（版本{}，{}条基础数据；基础：{}）：{}",
            v.unit_code,
            v.year,
            v.number,
            v.id,
            v.fact_count,
            p.base,
            Totals::of(&p.draft.unit_year)
        );
    }
    if prepared.iter().any(|p| p.base.starts_with("占位数")) {
        println!("没有已存版本的单位：日记账中没有的各项（单位信息、预算、原因等）为占位数，请导出（juesuan db export）补充后再导入。");
    }
    Ok(ExitCode::SUCCESS)
}

/// The import summary (rows, vouchers, skipped rows).
fn print_summary(origin: &str, journal: &Journal) {
    let s = &journal.stats;
    println!(
        "已导入 {origin}：{}行分录，{}张凭证（{}张结账凭证已跳过），{}行计入决算数，{}个汇总组合。",
        s.rows,
        s.vouchers,
        s.closing_vouchers,
        s.fact_rows,
        journal.distinct_keys()
    );
    if s.skipped_rows() > 0 {
        let by_rule: Vec<String> = s
            .skipped
            .iter()
            .map(|(r, n)| format!("{} {}行", r.code(), n))
            .collect();
        println!(
            "已跳过 {} 行有错的分录（{}；见上方错误信息），其余各行已计入。",
            s.skipped_rows(),
            by_rule.join("，")
        );
    }
}

/// What the summary says about one unit's result.
struct Totals {
    name: String,
    year: i32,
    income: juesuan_core::Amount,
    spending: juesuan_core::Amount,
}

impl Totals {
    fn of(uy: &UnitYear) -> Totals {
        Totals {
            name: uy.unit.name.clone(),
            year: uy.year,
            income: uy.facts.sum(&FactFilter::measure(Measure::Income)),
            spending: uy.facts.sum(&FactFilter::measure(Measure::Expenditure)),
        }
    }
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}年度：本年收入{}万元，本年支出{}万元",
            self.name,
            self.year,
            self.income.wan(),
            self.spending.wan()
        )
    }
}

/// One written (or staged) input file and what the summary says about it.
struct Output {
    path: PathBuf,
    /// The text, kept only for a single `-o` file (written at the end).
    text: Option<String>,
    /// Where the text waits for the final rename (`--out-dir`).
    staged: Option<PathBuf>,
    totals: Totals,
}

/// A file name for a unit: its name without characters file systems reject.
fn file_stem_for(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_matches('.').to_string();
    if s.is_empty() {
        "unit".into()
    } else {
        s
    }
}
