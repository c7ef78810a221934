//! juesuan-report: from a validated unit-year to the complete disclosure — tables, the
//! Chinese narrative (minijinja templates from data files), charts (SVG), and the
//! Markdown, HTML and JSON renderings. Pure but for the cover date (the clock, or
//! `SOURCE_DATE_EPOCH`): returns strings, writes nothing.

pub mod charts;
pub mod context;
pub mod document;
pub mod evaluation;
pub mod province;
pub mod render;

use juesuan_core::model::GlossaryEntry;
use juesuan_core::tables::{derive_tables, Table, TableSet};
use juesuan_core::{Catalogues, UnitYear, Warning};
use juesuan_data::{Library, Province};
use serde::{Deserialize, Serialize};

/// A rendered chart.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// The standalone chart (charts/<id>.svg, which report.md shows): title included.
    pub svg: String,
    /// The chart inside a figure whose caption is the title (report.html, the PDF): the same
    /// SVG without the visible title, so the title is printed once.
    pub figure_svg: String,
    /// What the SVG is drawn from: categories, series and the formatted figures (the Word
    /// writer's native chart and its embedded workbook use these).
    #[serde(skip)]
    pub data: charts::ChartData,
}

impl Chart {
    /// A chart drawn from its data.
    pub fn new(id: String, title: String, data: charts::ChartData) -> Chart {
        let svg = data.svg();
        let figure_svg = juesuan_charts::without_visible_title(&svg);
        Chart {
            id,
            title,
            svg,
            figure_svg,
            data,
        }
    }
}

/// The complete disclosure of one unit-year in every text format.
#[derive(Debug, Clone)]
pub struct Report {
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
    /// report.md (charts referenced as charts/<id>.svg)
    pub markdown: String,
    /// report.html, self-contained (inline CSS and SVG)
    pub html: String,
    /// tables.json
    pub tables_json: String,
    /// The same content as blocks, with tables and charts by reference: what the Word and PDF
    /// writers lay out.
    pub document: Vec<document::Block>,
    /// 单位名称 and 年度, for titles and metadata of the published files.
    pub title: String,
    /// The cover's date line (封面日期), "2026年12月5日": the day the report was generated,
    /// in China Standard Time ([`generation_date`]).
    pub date: String,
    /// Things the preparer should fix (e.g. missing reasons); the report is still complete.
    pub warnings: Vec<Warning>,
}

/// What a report is made from besides the unit-year: all data, no I/O.
pub struct Templates<'a> {
    pub table_set: &'a TableSet,
    /// (origin, minijinja source)
    pub narrative: (&'a str, &'a str),
    pub glossary: Vec<GlossaryEntry>,
    /// Performance evaluations to publish (第五部分), if the input has any.
    pub scores: Option<&'a evaluation::Scores>,
    /// The province's descriptor: part numbers and titles, charts on or off, the lists
    /// its units report counts for (data/provinces/).
    pub province: &'a Province,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    term: Vec<GlossaryEntry>,
}

/// Parse a glossary data file (`[[term]] term = … text = …`).
impl Report {
    /// What keeps this report from being published as it stands (`report --final`): every
    /// reason the input does not give (W101: the text says "（原因待补充）"; W102: a
    /// performance indicator short of full marks without its deviation reason), and any
    /// placeholder left in the text. Empty when the report can be published.
    pub fn publication_blockers(&self) -> Vec<String> {
        use juesuan_core::ErrorCode;
        let mut out: Vec<String> = self
            .warnings
            .iter()
            .filter(|w| {
                matches!(
                    w.code,
                    ErrorCode::MissingReason | ErrorCode::MissingDeviationReason
                )
            })
            .map(|w| w.to_string())
            .collect();
        let placeholders = self.markdown.matches(context::MISSING_REASON).count();
        let warned = self
            .warnings
            .iter()
            .filter(|w| w.code == ErrorCode::MissingReason)
            .count();
        if placeholders > warned {
            out.push(format!(
                "报告正文中有{placeholders}处“{}”，其中{}处没有对应的警告：请在输入文件中补写原因",
                context::MISSING_REASON,
                placeholders - warned
            ));
        }
        out
    }
}

pub fn parse_glossary(text: &str, origin: &str) -> Result<Vec<GlossaryEntry>, String> {
    toml::from_str::<GlossaryFile>(text)
        .map(|g| g.term)
        .map_err(|e| format!("{origin}: 名词解释文件格式错误：{e}"))
}

/// Build the report with the templates the library holds for this unit-year.
pub fn build_report(
    uy: &UnitYear,
    library: &Library,
    catalogues: &Catalogues,
) -> Result<Report, String> {
    build_report_with_scores(uy, library, catalogues, None)
}

/// Build the report, publishing the given performance evaluations as well.
pub fn build_report_with_scores(
    uy: &UnitYear,
    library: &Library,
    catalogues: &Catalogues,
    scores: Option<&evaluation::Scores>,
) -> Result<Report, String> {
    let province = library.province(uy.province.as_deref(), uy.year)?;
    let table_set = library.table_set(&uy.template, uy.year)?;
    let narrative = library.narrative(&province, uy.year)?;
    let mut glossary = Vec::new();
    for (origin, text) in library.glossary(&province, uy.year)? {
        glossary.extend(parse_glossary(text, origin)?);
    }
    render_report(
        uy,
        catalogues,
        &Templates {
            table_set: &table_set,
            narrative,
            glossary,
            scores,
            province: &province,
        },
    )
}

enum Segment {
    Markdown(String),
    Chart { id: String, title: String },
    Tables,
    Evaluation,
}

/// Split rendered narrative text into Markdown and directive lines.
fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut md = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("::chart ") {
            out.push(Segment::Markdown(std::mem::take(&mut md)));
            let (id, title) = rest.split_once(' ').unwrap_or((rest, ""));
            out.push(Segment::Chart {
                id: id.trim().to_string(),
                title: title.trim().to_string(),
            });
        } else if t == "::tables" {
            out.push(Segment::Markdown(std::mem::take(&mut md)));
            out.push(Segment::Tables);
        } else if t == "::evaluation" {
            out.push(Segment::Markdown(std::mem::take(&mut md)));
            out.push(Segment::Evaluation);
        } else {
            md.push_str(line);
            md.push('\n');
        }
    }
    out.push(Segment::Markdown(md));
    out
}

/// Render the report from explicit templates.
pub fn render_report(
    uy: &UnitYear,
    catalogues: &Catalogues,
    t: &Templates,
) -> Result<Report, String> {
    let tables = derive_tables(t.table_set, uy, catalogues);
    let (mut cx, mut warnings) = context::build(uy, catalogues, t.glossary.clone());
    if let Some(scores) = t.scores {
        cx.evaluation = Some(context::EvaluationSummary::of(scores));
        warnings.extend(scores.warnings.iter().cloned());
    }
    cx.add_province(t.province, uy);
    warnings.extend(province::unused_details(t.province, uy));

    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    // Every interpolated value is Markdown-escaped, so a preparer's text such as
    // "3人*4.166万元" prints as written instead of turning into emphasis; macro output is
    // already escaped (minijinja marks it safe when auto-escaping is on).
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Custom("markdown".into()));
    env.set_formatter(|out, _state, value| {
        let text = value.to_string();
        let text = if value.is_safe() {
            text
        } else {
            render::escape_markdown(&text)
        };
        std::fmt::Write::write_str(out, &text)
            .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "写入失败"))
    });
    let (origin, source) = t.narrative;
    env.add_template("narrative", source)
        .map_err(|e| format!("{origin}: 情况说明模板语法错误：{e}"))?;
    let text = env
        .get_template("narrative")
        .and_then(|tpl| tpl.render(minijinja::value::Serde(&cx)))
        .map_err(|e| format!("{origin}: 情况说明模板渲染失败：{e:#}"))?;

    let mut markdown = String::new();
    let mut body = String::new();
    let mut charts = Vec::new();
    let mut blocks = Vec::new();
    for seg in segments(&text) {
        match seg {
            Segment::Markdown(md) => {
                blocks.extend(document::markdown_blocks(&md));
                markdown.push_str(&md);
                body.push_str(&render::markdown_to_html(&md));
            }
            Segment::Chart { .. } if !t.province.charts => {}
            Segment::Chart { id, title } => {
                let data = charts::chart_data(&id, &title, &cx)
                    .ok_or_else(|| format!("{origin}: 未知的图表“{id}”（可用 fig1–fig7）"))?;
                let chart = Chart::new(id, title, data);
                markdown.push_str(&format!("![{}](charts/{}.svg)\n\n", chart.title, chart.id));
                body.push_str(&format!(
                    "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                    chart.id,
                    chart.figure_svg,
                    juesuan_core::markup::escape(&chart.title)
                ));
                blocks.push(document::Block::Chart {
                    index: charts.len(),
                });
                charts.push(chart);
            }
            Segment::Tables => {
                for (index, table) in tables.iter().enumerate() {
                    blocks.push(document::Block::DisclosureTable { index });
                    markdown.push_str(&render::table_markdown(table));
                    body.push_str(&render::table_html(table));
                }
            }
            Segment::Evaluation => {
                if let Some(scores) = t.scores {
                    let md = evaluation::disclosure_markdown(scores, uy.amount_unit.label());
                    blocks.extend(document::markdown_blocks(&md));
                    markdown.push_str(&md);
                    body.push_str(&format!(
                        "<div class=\"evaluation\">\n{}</div>\n",
                        render::markdown_to_html(&md)
                    ));
                }
            }
        }
    }
    check_part_order(&markdown, &cx.parts, origin)?;
    let title = format!("{}{}年度部门决算", uy.unit.name, uy.year);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"juesuan {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        juesuan_core::markup::escape(&title),
        render::CSS,
        body
    );
    let tables_json = tables_json(uy, t, &tables)?;
    Ok(Report {
        tables,
        charts,
        markdown,
        html,
        tables_json,
        document: blocks,
        title,
        date: generation_date(),
        warnings,
    })
}

/// The parts the narrative prints must follow the descriptor's order (the numbers come
/// from it): each heading that appears, appears after the one before it.
fn check_part_order(
    markdown: &str,
    parts: &[juesuan_data::province::PartHeading],
    origin: &str,
) -> Result<(), String> {
    let mut at = 0;
    let mut previous: Option<String> = None;
    for part in parts {
        let heading = part.heading();
        match markdown.find(&format!("## {heading}\n")) {
            Some(i) if i < at => {
                return Err(format!(
                    "{origin}: 情况说明模板中“{heading}”排在“{}”之前，与省份描述文件中各部分的顺序不符；请按描述文件的顺序排列各部分",
                    previous.unwrap_or_default()
                ))
            }
            Some(i) => at = i,
            None => {}
        }
        previous = Some(heading);
    }
    Ok(())
}

/// tables.json: the unit, year, template, the derived tables and the scored evaluation.
fn tables_json(uy: &UnitYear, t: &Templates, tables: &[Table]) -> Result<String, String> {
    // Serialized straight from the tables: building a serde_json::Value tree first cost a
    // fifth of the report's time (docs/BENCHMARKS.md).
    #[derive(Serialize)]
    struct TablesJson<'a> {
        unit: &'a str,
        year: i32,
        template: &'a str,
        tables: &'a [Table],
        /// 绩效评价 (when the input has an [evaluation]).
        #[serde(skip_serializing_if = "Option::is_none")]
        evaluation: Option<&'a evaluation::Scores>,
    }
    serde_json::to_string_pretty(&TablesJson {
        unit: &uy.unit.name,
        year: uy.year,
        template: &t.table_set.name,
        tables,
        evaluation: t.scores,
    })
    .map_err(|e| e.to_string())
}

/// Environment variable of reproducible builds: when set (seconds since 1970), the cover
/// date is that day instead of today, so that two runs write identical documents.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

/// Today (or the day of `SOURCE_DATE_EPOCH`) in China Standard Time, as 年月日.
pub fn generation_date() -> String {
    let secs = std::env::var(SOURCE_DATE_EPOCH)
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
    date_text(secs)
}

/// The date of a Unix time in China Standard Time (UTC+8, no daylight saving), as
/// "2026年12月5日" — the way a date is written on a published document.
pub fn date_text(unix_secs: i64) -> String {
    let days = unix_secs.saturating_add(8 * 3600).div_euclid(86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year}年{month}月{day}日")
}

#[cfg(test)]
mod date_tests {
    use super::date_text;

    #[test]
    fn dates_in_china_standard_time() {
        assert_eq!(date_text(0), "1970年1月1日");
        // 2024-02-29 15:59:59 UTC is 23:59:59 in Beijing; one second later it is 3月1日.
        assert_eq!(date_text(1_709_222_399), "2024年2月29日");
        assert_eq!(date_text(1_709_222_400), "2024年3月1日");
        assert_eq!(date_text(1_767_196_800), "2026年1月1日");
        assert_eq!(date_text(-1), "1970年1月1日");
    }
}
