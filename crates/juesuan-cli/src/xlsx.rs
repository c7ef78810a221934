//! `juesuan import` (official Excel exports of the nine tables → input file) and
//! `juesuan template` (the empty workbook a preparer fills in). Formats: docs/xlsx.md.

use anyhow::{anyhow, bail, Context as _, Result};
use juesuan_core::facts::Measure;
use juesuan_core::input::parse_input;
use juesuan_core::{Catalogues, Coded as _};
use juesuan_data::Library;
use juesuan_xlsx::{import_workbook_with, input_text, write_template, ImportOptions, Imported};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// 公开表 Excel 文件（.xlsx：官方软件导出或 juesuan template 填好的）/ the workbook of disclosure tables
    workbook: PathBuf,
    /// 写出的输入文件（TOML）/ input file to write
    #[arg(long, short)]
    out: PathBuf,
    /// 决算年度（默认取基础文件或表中“××××年度”）/ fiscal year
    #[arg(long)]
    year: Option<i32>,
    /// 基础输入文件：单位信息、文字、上年数、预算、原因、“三公”明细等公开表没有的内容取自此文件 / base input for what the tables lack
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
    /// 公开表模板（默认 national，或基础文件的 template）/ table template
    #[arg(long, value_name = "NAME")]
    template: Option<String>,
    /// 两张表对同一科目的填列相互矛盾时取哪张表的数（表号如 公开05表，或 t5；默认取先列的表）/ table kept in a contradiction (W107)
    #[arg(long, value_name = "TABLE")]
    prefer: Option<String>,
}

#[derive(clap::Args)]
pub struct TemplateArgs {
    /// 写出的 Excel 文件 / workbook to write
    #[arg(long, short)]
    out: PathBuf,
    /// 决算年度（选用该年度的表样和科目目录）/ fiscal year
    #[arg(long, default_value_t = 2021)]
    year: i32,
    /// 公开表模板 / table template
    #[arg(long, default_value = "national", value_name = "NAME")]
    template: String,
}

pub fn template(lib: &Library, args: TemplateArgs) -> Result<ExitCode> {
    let set = lib
        .table_set(&args.template, args.year)
        .map_err(|e| anyhow!(e))?;
    let cats = lib.catalogues(args.year).map_err(|e| anyhow!(e))?;
    for w in cats.fallback_warnings(args.year) {
        eprintln!("{w}");
    }
    let bytes = write_template(&set, &cats, args.year).map_err(|e| anyhow!(e))?;
    crate::output::write_file(&args.out, bytes)
        .with_context(|| format!("写入 {}", args.out.display()))?;
    println!(
        "已生成 {}：说明、{}张公开表、科目代码。填好后用 juesuan import {} -o input.toml 导入。",
        args.out.display(),
        set.tables.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Import a workbook with the template and catalogues of its year: `year` unless the tables
/// print another year and the year was not `explicit`. Located errors are printed and give
/// `Err(exit code 1)`.
pub fn load(
    lib: &Library,
    bytes: &[u8],
    origin: &str,
    year: i32,
    explicit: bool,
    template: &str,
    prefer: Option<&str>,
) -> Result<std::result::Result<(Imported, Catalogues, i32), ExitCode>> {
    let mut year = year;
    loop {
        let set = lib.table_set(template, year).map_err(|e| anyhow!(e))?;
        let cats = lib.catalogues(year).map_err(|e| anyhow!(e))?;
        let options = ImportOptions {
            prefer,
            ..ImportOptions::default()
        };
        let imported = match import_workbook_with(bytes, &set, &cats, year, &options) {
            Ok(i) => i,
            Err(e) => {
                for p in &e.problems {
                    eprintln!("{origin}: 错误[{}]：{p}", p.kind.code());
                }
                eprintln!("共{}处错误，未写出任何文件。", e.problems.len());
                return Ok(Err(ExitCode::from(1)));
            }
        };
        // Without --year or a base, the year printed above the tables is the year.
        match imported.stated_year {
            Some(y) if !explicit && y != year => year = y,
            _ => return Ok(Ok((imported, cats, year))),
        }
    }
}

pub fn import(lib: &Library, args: ImportArgs) -> Result<ExitCode> {
    let origin = args.workbook.display().to_string();
    let bytes = std::fs::read(&args.workbook).with_context(|| format!("读取 {origin}"))?;
    let base = match &args.base {
        None => None,
        Some(path) => match crate::read_input(lib, path)? {
            Ok((uy, _)) => Some((uy, path.display().to_string())),
            Err(code) => return Ok(code),
        },
    };
    let year_hint = args
        .year
        .or(base.as_ref().map(|(uy, _)| uy.year))
        .or_else(|| lib.latest_catalogue_year())
        .ok_or_else(|| anyhow!("没有任何分类目录数据文件"))?;
    let template = args
        .template
        .clone()
        .or(base.as_ref().map(|(uy, _)| uy.template.clone()))
        .unwrap_or_else(|| "national".into());
    let explicit = args.year.is_some() || base.is_some();
    let (imported, cats, year) = match load(
        lib,
        &bytes,
        &origin,
        year_hint,
        explicit,
        &template,
        args.prefer.as_deref(),
    )? {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let year_hint = year;
    for w in &imported.warnings {
        eprintln!("{origin}: {w}");
    }
    let text = input_text(
        &imported,
        base.as_ref().map(|(uy, n)| (uy, n.as_str())),
        year_hint,
        &template,
        &cats,
        &origin,
    );
    // The written file must read back as a valid input.
    let out_name = args.out.display().to_string();
    let validated = match parse_input(&text, &out_name, &cats) {
        Ok(v) => v,
        Err(errors) => {
            for e in &errors {
                eprintln!(
                    "{origin}: 错误：导入结果不能作为输入文件：[{}] {}。处理：{}",
                    e.code.code(),
                    e.message,
                    e.hint
                );
            }
            eprintln!(
                "共{}处错误，未写出任何文件。请按上述提示核对公开表。",
                errors.len()
            );
            return Ok(ExitCode::from(1));
        }
    };
    if validated.year != year_hint {
        bail!("内部错误：导入年度不一致");
    }
    // Nothing of the base is dropped without a word: its evaluation must read back.
    if let Some((b, name)) = &base {
        let kept = match (&b.evaluation, &validated.evaluation) {
            (Some(a), Some(v)) => a.same_content(v),
            (a, v) => a.is_none() && v.is_none(),
        };
        if !kept {
            bail!("内部错误：导入结果未能保留 {name} 的 [evaluation]（绩效自评），未写出文件");
        }
    }
    crate::output::write_file(&args.out, text.as_bytes())
        .with_context(|| format!("写入 {out_name}"))?;
    let income = validated
        .facts
        .sum(&juesuan_core::FactFilter::measure(Measure::Income));
    let spending = validated
        .facts
        .sum(&juesuan_core::FactFilter::measure(Measure::Expenditure));
    println!(
        "已写出 {out_name}（{} {}年度：本年收入{}万元，本年支出{}万元；{}条警告）",
        validated.unit.name,
        validated.year,
        income.wan(),
        spending.wan(),
        imported.warnings.len()
    );
    if let Some((uy, name)) = &base {
        println!("{}", juesuan_xlsx::merge_note(uy, name));
    }
    if base.is_none() {
        println!("公开表中没有的各项（单位信息、上年数、预算、原因等）已写为占位数并标注 TODO，请补充后再生成报告。");
    }
    Ok(ExitCode::SUCCESS)
}
