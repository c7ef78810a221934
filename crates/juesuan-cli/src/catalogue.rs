//! `juesuan data import-catalogue`: the Ministry of Finance's 《X年政府收支分类科目》 (Excel or
//! Word tables), or the catalogue sheet of an official-software export, into a catalogue data
//! file for `--catalogue` and `--data-dir` (docs/data-files.md §3).

use anyhow::{anyhow, bail, Context as _, Result};
use juesuan_core::catalogue::ClassificationKind;
use juesuan_data::import::{catalogue_file_text, import_catalogue, SourceRow, SourceTable};
use juesuan_data::Library;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// 财政部《政府收支分类科目》或官方软件导出的科目代码表（.xlsx 或 .docx）/ the official catalogue (.xlsx or .docx)
    file: PathBuf,
    /// 目录所属年度 / the catalogue's year
    #[arg(long)]
    year: i32,
    /// function（支出功能分类）或 economic（部门预算支出经济分类）/ which classification
    #[arg(long, value_parser = ["function", "economic"])]
    kind: String,
    /// 写出的目录文件（默认 catalogues/<kind>-<year>.toml；先写临时文件再改名）/ file to write
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// The tables of a Word document: its table rows are the lines with tab-separated cells in
/// the text juesuan-readers extracts, numbered as they come.
fn docx_tables(bytes: &[u8]) -> std::result::Result<Vec<SourceTable>, String> {
    let text = juesuan_readers::docx_text(bytes).map_err(|e| e.to_string())?;
    let rows = text
        .lines()
        .filter(|l| l.contains('\t'))
        .enumerate()
        .map(|(i, l)| SourceRow {
            number: i as u32,
            cells: l.split('\t').map(str::to_string).collect(),
        })
        .collect();
    Ok(vec![SourceTable {
        name: "Word 文档表格".into(),
        spreadsheet: false,
        rows,
    }])
}

fn read_tables(path: &Path) -> Result<std::result::Result<Vec<SourceTable>, Vec<String>>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "xlsx" | "docx") {
        bail!(
            "{}：只能读取 .xlsx 或 .docx 文件。.xls、.doc、.pdf 请先在 Excel、Word 或 WPS 中另存为 .xlsx 或 .docx",
            path.display()
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("读取 {}", path.display()))?;
    Ok(match ext.as_str() {
        "xlsx" => juesuan_xlsx::workbook_tables(&bytes, &juesuan_xlsx::Limits::default())
            .map_err(|e| e.problems.iter().map(|p| p.to_string()).collect()),
        _ => docx_tables(&bytes).map_err(|e| {
            vec![format!(
                "无法读取 Word 文件：{e}。请在 Word 或 WPS 中打开并另存为新的 .docx 后再导入"
            )]
        }),
    })
}

pub fn run(lib: &Library, args: ImportArgs) -> Result<ExitCode> {
    let origin = args.file.display().to_string();
    let kind = match args.kind.as_str() {
        "economic" => ClassificationKind::Economic,
        _ => ClassificationKind::Function,
    };
    let fail = |problems: &[String]| {
        for p in problems {
            eprintln!("{origin}: 错误：{p}");
        }
        eprintln!("共{}处错误，未写出任何文件。", problems.len());
        ExitCode::from(1)
    };
    let tables = match read_tables(&args.file)? {
        Ok(t) => t,
        Err(problems) => return Ok(fail(&problems)),
    };
    let imported = match import_catalogue(&tables, kind, args.year) {
        Ok(c) => c,
        Err(problems) => return Ok(fail(&problems)),
    };
    // The groups (人员经费 / 公用经费) come from juesuan's own catalogue of the year.
    let groups_from = match kind {
        ClassificationKind::Economic => lib.catalogues(args.year).ok().map(|c| c.economic),
        ClassificationKind::Function => None,
    };
    let file_name = Path::new(&origin)
        .file_name()
        .map_or(origin.clone(), |n| n.to_string_lossy().into_owned());
    let text = catalogue_file_text(&imported, &file_name, groups_from.as_ref())
        .map_err(|e| anyhow!("内部错误：导入结果不能作为目录文件：{e}"))?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("catalogues/{}-{}.toml", args.kind, args.year)));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("创建目录 {}", dir.display()))?;
    }
    crate::output::write_file(&out, text.as_bytes())
        .with_context(|| format!("写入 {}", out.display()))?;
    let count = |len: usize| imported.codes.keys().filter(|c| c.len() == len).count();
    println!(
        "已写出 {}：{}年{}，{}个类、{}个款{}{}。",
        out.display(),
        args.year,
        kind.label(),
        count(3),
        count(5),
        if kind == ClassificationKind::Function {
            format!("、{}个项", count(7))
        } else {
            String::new()
        },
        if imported.skipped_other > 0 {
            format!("（跳过其他分类的科目{}行）", imported.skipped_other)
        } else {
            String::new()
        }
    );
    println!(
        "使用：juesuan --catalogue {} validate 输入文件.toml；或把它放在某目录的 catalogues/ 下（文件名 {}-{}.toml），用 --data-dir 该目录。",
        out.display(),
        args.kind,
        args.year
    );
    Ok(ExitCode::SUCCESS)
}
