//! Word (.docx) output of the disclosure and PNG charts (resvg with a CJK font).
//!
//! - [`svg_to_png`]: a report chart (SVG) as a PNG at twice its size, drawn only with CJK
//!   font files found by [`Fonts::discover`] (Debian `fonts-noto-cjk` or `JUESUAN_FONT_DIR`).
//! - [`write_docx`]: the whole disclosure (部门决算公开) as one Word document: cover, table
//!   of contents, narrative, the disclosure tables with merged headers, evaluation tables,
//!   charts as native Word charts with their data embedded (editable in Word and WPS), page
//!   numbers. Pure: returns bytes, writes no file.

mod chart;
mod docx;
mod package;
mod png;

pub use chart::{chart_table, chart_workbook, chart_xml, ChartTable};

pub use docx::{
    write_docx, BODY_FONT, BODY_FONT_FALLBACK, HEADING_FONT, HEADING_FONT_FALLBACK, TITLE_FONT,
    TITLE_FONT_FALLBACK,
};
pub use png::{svg_to_png, Fonts, FONT_DIR_ENV, PNG_SCALE};

/// Everything that can go wrong producing Word or PNG output. Messages are Chinese and say
/// what to do.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error(
        "没有找到可显示中文的字体（已查找：{searched}）。请安装 Debian 软件包 fonts-noto-cjk\
         （apt-get install fonts-noto-cjk），或把含中文字形的 .ttf/.otf/.ttc 字体文件放入一个目录，\
         并用环境变量 JUESUAN_FONT_DIR 指定该目录。"
    )]
    MissingCjkFont { searched: String },
    #[error("无法读取字体文件 {path}：{message}。请检查该文件是否完整、可读。")]
    Font { path: String, message: String },
    #[error("图表无法转换为 PNG：{0}")]
    Svg(String),
    #[error("报告结构有误：{0}（这是程序错误，请报告）")]
    Document(String),
    #[error("生成 Word 文件失败：{0}")]
    Docx(String),
}
