//! Which files `juesuan report` writes: `--format md,html,json,docx,pdf,xlsx`.
//!
//! By default every format is written. PDF needs a CJK font (Debian fonts-noto-cjk; Word does
//! not: its charts are native Word charts); when it is missing and PDF was not asked for by
//! name, it is skipped with a plain message saying why; when it was asked for, that is an error.

use anyhow::{anyhow, bail, Result};
use juesuan_core::UnitYear;
use juesuan_report::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Docx,
    Pdf,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Markdown,
        Format::Html,
        Format::Json,
        Format::Docx,
        Format::Pdf,
        Format::Xlsx,
    ];

    fn name(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Json => "json",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }
}

/// Parse `--format`; `None` = every format, fonts permitting.
pub fn parse(list: Option<&str>) -> Result<(Vec<Format>, bool)> {
    let Some(list) = list else {
        return Ok((Format::ALL.to_vec(), false));
    };
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let f = Format::ALL
            .into_iter()
            .find(|f| f.name() == name || (name == "markdown" && *f == Format::Markdown))
            .ok_or_else(|| anyhow!("不支持的格式“{name}”：可用 md、html、json、docx、pdf、xlsx"))?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    if out.is_empty() {
        bail!("--format 为空：可用 md、html、json、docx、pdf、xlsx");
    }
    Ok((out, true))
}

/// Files to write: path relative to the output directory, contents.
pub type OutputFiles = Vec<(String, Vec<u8>)>;

/// The output files of the chosen formats, and a note for each format skipped.
pub fn render(
    formats: &[Format],
    explicit: bool,
    report: &Report,
    uy: &UnitYear,
) -> Result<(OutputFiles, Vec<String>)> {
    let mut files: OutputFiles = Vec::new();
    let mut skipped = Vec::new();
    let mut charts_svg = false;
    for &f in formats {
        match f {
            Format::Markdown => {
                files.push(("report.md".into(), report.markdown.clone().into_bytes()));
                charts_svg = true;
            }
            Format::Html => files.push(("report.html".into(), report.html.clone().into_bytes())),
            Format::Json => files.push((
                "tables.json".into(),
                report.tables_json.clone().into_bytes(),
            )),
            // Native Word charts need no font files: Word and WPS draw them.
            Format::Docx => {
                let bytes = juesuan_office::write_docx(report, uy)
                    .map_err(|e| anyhow!("生成 Word 文件失败：{e}"))?;
                files.push(("report.docx".into(), bytes));
            }
            #[cfg(feature = "pdf")]
            Format::Pdf => match juesuan_pdf::PdfFonts::discover() {
                Ok(fonts) => {
                    let bytes = juesuan_pdf::write_pdf(report, uy, &fonts)
                        .map_err(|e| anyhow!("生成 PDF 文件失败：{e}"))?;
                    files.push(("report.pdf".into(), bytes));
                }
                Err(e) if !explicit => skipped.push(format!("未生成 report.pdf：{e}")),
                Err(e) => bail!("无法生成 report.pdf：{e}"),
            },
            #[cfg(not(feature = "pdf"))]
            Format::Pdf => {
                let why = "本程序构建时未启用 pdf 功能（cargo build --features pdf）";
                if explicit {
                    bail!("无法生成 report.pdf：{why}");
                }
                skipped.push(format!("未生成 report.pdf：{why}"));
            }
            Format::Xlsx => {
                let bytes = juesuan_xlsx::write_workbook(&report.tables, uy)
                    .map_err(|e| anyhow!("生成 Excel 文件失败：{e}"))?;
                files.push(("tables.xlsx".into(), bytes));
            }
        }
    }
    // report.md refers to its charts as charts/<id>.svg.
    if charts_svg {
        for c in &report.charts {
            files.push((format!("charts/{}.svg", c.id), c.svg.clone().into_bytes()));
        }
    }
    Ok((files, skipped))
}
