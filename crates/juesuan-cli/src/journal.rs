//! `juesuan journal`: import a budget-accounting journal (预算会计凭证 CSV) into an input file
//! (docs/journal.md). The CSV is streamed; nothing is written unless every unit's result
//! validates as an input file.

use anyhow::{anyhow, bail, Context as _, Result};
use juesuan_core::input::parse_input;
use juesuan_core::{Catalogues, FactFilter, Measure};
use juesuan_data::Library;
use juesuan_journal::unit_year::{input_text, merge, placeholder, unit_kind, Provenance};
use juesuan_journal::{
    account_map, column_map, import, BalanceCheck, ColumnMap, Journal, JournalError, Options, Rule,
    TextEncoding,
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
        conflicts_with = "out_dir",
        required_unless_present = "out_dir"
    )]
    out: Option<PathBuf>,
    /// 多单位日记账：每个单位各写一个输入文件到此目录 / one input file per unit into this directory
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// 基础输入文件：单位信息、预算、上年数、原因、“三公”明细等取自此文件 / base input for what a journal lacks
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
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("读取列映射文件 {}", path.display()))?;
        ColumnMap::from_toml(&text, &path.display().to_string()).map_err(|e| anyhow!(e))
    } else {
        column_map(lib, spec).map_err(|e| anyhow!(e))
    }
}

/// The catalogue file a year uses (the newest not after it): imports of two years that use
/// the same files need no second pass.
fn data_files_for(lib: &Library, year: i32) -> (Option<String>, Option<String>) {
    (
        lib.find("catalogues", "function", "toml", year)
            .map(|(o, _)| o.to_string()),
        lib.find("journal", "accounts", "toml", year)
            .map(|(o, _)| o.to_string()),
    )
}

fn print_errors(errors: &[JournalError]) {
    for e in errors {
        eprintln!("{e}");
    }
}

pub fn run(lib: &Library, data: &crate::DataArgs, args: Args) -> Result<ExitCode> {
    let mut options = Options {
        year: args.year,
        unit: if args.out_dir.is_some() {
            None
        } else {
            args.unit.clone()
        },
        all_units: args.out_dir.is_some(),
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
    };
    let kind = match &args.kind {
        None => juesuan_core::model::UnitKind::Administrative,
        Some(k) => unit_kind(k)
            .ok_or_else(|| anyhow!("--kind 的取值“{k}”无法识别：可用 行政、参公、事业"))?,
    };
    let columns = load_columns(lib, &args.columns)?;

    // The base input: parsed first, so its errors are reported before the long import.
    let base = match &args.base {
        None => None,
        Some(path) => match crate::read_input(lib, data, path)? {
            Ok((uy, _, text)) => Some((uy, text, path.display().to_string())),
            Err(code) => return Ok(code),
        },
    };
    if let Some((uy, _, _)) = &base {
        options.year = Some(args.year.unwrap_or(uy.year));
    }

    let origin = args.journal.display().to_string();
    let guess = options
        .year
        .or_else(|| lib.latest_catalogue_year())
        .ok_or_else(|| anyhow!("没有任何分类目录数据文件"))?;
    let abort = |e: JournalError| {
        eprintln!("{e}");
        eprintln!("导入中止，未写出任何文件。");
        ExitCode::from(1)
    };
    let first = match import_file(lib, data, &args.journal, &origin, &columns, &options, guess)? {
        Ok(v) => v,
        Err(e) => return Ok(abort(e)),
    };
    // The year came from the file: import again if it needs other catalogues or mappings.
    let (journal, cats) = if data_files_for(lib, first.0.year) != data_files_for(lib, guess) {
        options.year = Some(first.0.year);
        match import_file(
            lib,
            data,
            &args.journal,
            &origin,
            &columns,
            &options,
            first.0.year,
        )? {
            Ok(v) => v,
            Err(e) => return Ok(abort(e)),
        }
    } else {
        first
    };

    if let Some((uy, _, name)) = &base {
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

    // Every unit is built and validated before anything is written.
    let indices: Vec<usize> = if args.out_dir.is_some() {
        (0..journal.units.len()).collect()
    } else {
        let i = match &args.unit {
            Some(name) if journal.units.iter().any(|u| u.is_some()) => journal
                .units
                .iter()
                .position(|u| u.as_deref() == Some(name.as_str()))
                .unwrap_or(0),
            _ => 0,
        };
        vec![i]
    };
    let fallback_name = args
        .unit
        .clone()
        .or_else(|| {
            args.journal
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "（单位名称）".into());
    // Written files are staged (for --out-dir, in a hidden directory inside it) and moved into
    // place only when every unit validated: nothing is written on error, and only one
    // unit's text is in memory at a time.
    let staging = match &args.out_dir {
        Some(dir) => {
            let st = dir.join(format!(".juesuan-journal-{}", std::process::id()));
            std::fs::create_dir_all(&st)
                .with_context(|| format!("建立输出目录 {}", dir.display()))?;
            Some(st)
        }
        None => None,
    };
    let mut outputs: Vec<Output> = Vec::new();
    let mut failed = false;
    let mut used_names = std::collections::BTreeSet::new();
    for &i in &indices {
        let unit = match journal.unit_facts(i) {
            Ok(u) => u,
            Err(errors) => {
                print_errors(&errors);
                failed = true;
                continue;
            }
        };
        let (uy, notes) = match &base {
            Some((b, _, _)) => merge(b, &unit),
            None => {
                let name = unit.name.clone().unwrap_or_else(|| fallback_name.clone());
                (placeholder(&unit, &name, kind, journal.year), Vec::new())
            }
        };
        for n in notes {
            eprintln!("提示：{n}");
        }
        let text = input_text(
            &uy,
            &cats,
            &Provenance {
                journal: &origin,
                base: base.as_ref().map(|(_, t, n)| (n.as_str(), t.as_str())),
            },
        );
        // The written file must read back: the journal's sums must satisfy the input's rules.
        let validated = match parse_input(&text, &origin, &cats) {
            Ok(v) => v,
            Err(errors) => {
                for e in errors {
                    eprintln!(
                        "{origin}: 错误[{}]（{}）：单位“{}”的导入结果不能作为输入文件：[{}] {}。处理：{}",
                        Rule::Validation.code(),
                        Rule::Validation.label(),
                        uy.unit.name,
                        e.code.code(),
                        e.message,
                        e.hint
                    );
                }
                failed = true;
                continue;
            }
        };
        let path = match (&args.out, &args.out_dir) {
            (Some(p), _) => p.clone(),
            (None, Some(dir)) => {
                let mut stem = file_stem_for(&uy.unit.name);
                while !used_names.insert(stem.clone()) {
                    stem.push('_');
                }
                dir.join(format!("{stem}.toml"))
            }
            (None, None) => unreachable!("clap requires --out or --out-dir"),
        };
        let staged = match &staging {
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
            name: validated.unit.name.clone(),
            year: validated.year,
            income: validated.facts.sum(&FactFilter::measure(Measure::Income)),
            spending: validated
                .facts
                .sum(&FactFilter::measure(Measure::Expenditure)),
        });
    }
    if failed {
        if let Some(st) = &staging {
            let _ = std::fs::remove_dir_all(st);
        }
        eprintln!("导入结果有错，未写出任何文件。");
        return Ok(ExitCode::from(1));
    }
    for o in &outputs {
        match (&o.staged, &o.text) {
            (Some(staged), _) => std::fs::rename(staged, &o.path)
                .with_context(|| format!("写入 {}", o.path.display()))?,
            (None, Some(text)) => crate::output::write_file(&o.path, text.as_bytes())
                .with_context(|| format!("写入 {}", o.path.display()))?,
            (None, None) => unreachable!("every output is staged or kept"),
        }
    }
    if let Some(st) = &staging {
        let _ = std::fs::remove_dir(st);
    }
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
    for o in &outputs {
        println!(
            "已写出 {}（{} {}年度：本年收入{}万元，本年支出{}万元）",
            o.path.display(),
            o.name,
            o.year,
            o.income.wan(),
            o.spending.wan()
        );
    }
    if base.is_none() {
        println!("日记账中没有的各项（单位信息、上年数、预算、原因等）已写为占位数并标注 TODO，请补充后再生成报告。");
    }
    Ok(ExitCode::SUCCESS)
}

/// One written (or staged) input file and what the summary says about it.
struct Output {
    path: PathBuf,
    /// The text, kept only for a single `-o` file (written at the end).
    text: Option<String>,
    /// Where the text waits for the final rename (`--out-dir`).
    staged: Option<PathBuf>,
    name: String,
    year: i32,
    income: juesuan_core::Amount,
    spending: juesuan_core::Amount,
}

type Imported = std::result::Result<(Journal, Catalogues), JournalError>;

fn import_file(
    lib: &Library,
    data: &crate::DataArgs,
    path: &Path,
    origin: &str,
    columns: &ColumnMap,
    options: &Options,
    year: i32,
) -> Result<Imported> {
    let cats = crate::catalogues_for(lib, data, year)?;
    let accounts = account_map(lib, year).map_err(|e| anyhow!(e))?;
    let file =
        std::fs::File::open(path).with_context(|| format!("读取日记账 {}", path.display()))?;
    let mut report = |e: &JournalError| eprintln!("{e}");
    Ok(import(
        file,
        origin,
        columns,
        &accounts,
        &cats,
        options,
        &mut report,
    )
    .map(|j| (j, cats)))
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
