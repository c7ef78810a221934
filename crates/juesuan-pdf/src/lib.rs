//! PDF output of the disclosure (决算公开 PDF), typeset by typst used as a library, with
//! subset-embedded CJK fonts (searchable text: every glyph maps back to its character).
//!
//! The report's blocks ([`juesuan_report::Report::document`]) become typst markup
//! ([`markup::source`]); a minimal typst `World` ([`world`]) serves that source, the chart SVGs
//! as virtual files and the fonts of [`PdfFonts`]; typst-pdf writes the PDF.
//!
//! ```no_run
//! # fn demo(report: &juesuan_report::Report, uy: &juesuan_core::UnitYear) -> Result<(), juesuan_pdf::PdfError> {
//! let fonts = juesuan_pdf::PdfFonts::discover()?;
//! let pdf = juesuan_pdf::write_pdf(report, uy, &fonts)?;
//! assert!(pdf.starts_with(b"%PDF"));
//! # Ok(()) }
//! ```

pub mod fonts;
pub mod markup;
mod world;

pub use fonts::PdfFonts;

use juesuan_core::UnitYear;
use juesuan_report::Report;
use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::Smart;
use typst::WorldExt;
use typst_layout::PagedDocument;
use world::PdfWorld;

/// Why a PDF could not be written. Messages are in Chinese and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Fonts missing or unreadable (names the package fonts-noto-cjk and JUESUAN_FONT_DIR).
    #[error("{0}")]
    Fonts(String),
    /// typst rejected the generated source: a bug in this crate, reported with the line.
    #[error(
        "PDF 排版失败（typst）：{0}。这是 juesuan 的缺陷，请把输入文件和本消息一并报告给维护者"
    )]
    Typeset(String),
    /// typst-pdf could not write the laid-out document.
    #[error("PDF 导出失败：{0}")]
    Export(String),
}

/// A typeset PDF with the typst warnings met on the way (e.g. a glyph no font has).
#[derive(Debug)]
pub struct Typeset {
    pub pdf: Vec<u8>,
    pub warnings: Vec<String>,
}

/// The disclosure as a PDF: A4, cover, 目录, the parts in the report's order, every disclosure
/// table with merged headers, charts as vector graphics, page numbers.
pub fn write_pdf(report: &Report, uy: &UnitYear, fonts: &PdfFonts) -> Result<Vec<u8>, PdfError> {
    typeset(report, uy, fonts).map(|t| t.pdf)
}

/// [`write_pdf`], keeping typst's warnings.
pub fn typeset(report: &Report, uy: &UnitYear, fonts: &PdfFonts) -> Result<Typeset, PdfError> {
    let source = markup::source(report, uy, fonts);
    let files = report
        .charts
        .iter()
        .enumerate()
        .map(|(i, c)| (markup::chart_path(i), c.figure_svg.clone().into_bytes()))
        .collect();
    let ident = format!("juesuan {} {}", uy.unit.name, uy.year);
    compile(fonts, source, files, ident)
}

/// Typeset a typst source with the given virtual files into a PDF.
pub(crate) fn compile(
    fonts: &PdfFonts,
    source: String,
    files: Vec<(String, Vec<u8>)>,
    ident: String,
) -> Result<Typeset, PdfError> {
    let world = PdfWorld::new(fonts, source, files);
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let warnings: Vec<String> = warnings.iter().map(|d| describe(&world, d)).collect();
    let document = output.map_err(|errors| {
        PdfError::Typeset(
            errors
                .iter()
                .map(|d| describe(&world, d))
                .collect::<Vec<_>>()
                .join("；"),
        )
    })?;
    let options = typst_pdf::PdfOptions {
        // A stable identifier: the same unit-year gives the same document id.
        ident: Smart::Custom(ident),
        creator: Smart::Custom(Some(format!("juesuan {}", env!("CARGO_PKG_VERSION")))),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        PdfError::Export(
            errors
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("；"),
        )
    });
    // typst memoizes across compilations; keep a long-running process (web) from growing.
    typst::comemo::evict(10);
    Ok(Typeset {
        pdf: pdf?,
        warnings,
    })
}

/// A diagnostic with the line of the generated source it points at.
fn describe(world: &PdfWorld, d: &SourceDiagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "错误",
        Severity::Warning => "警告",
    };
    let source = world.main_source();
    let place = world
        .range(d.span)
        .and_then(|r| source.lines().byte_to_line(r.start))
        .map(|line| {
            let text = source.text().lines().nth(line).unwrap_or("");
            let short: String = text.chars().take(120).collect();
            format!("（源文件第{}行：{short}）", line + 1)
        })
        .unwrap_or_default();
    format!("{kind} {}{place}", d.message)
}

#[cfg(test)]
mod tests {
    /// Fonts are loaded once and shared by threads (the web server typesets concurrently).
    #[test]
    fn fonts_are_shareable_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<crate::PdfFonts>();
    }
}
