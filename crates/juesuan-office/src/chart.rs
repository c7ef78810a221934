//! Native Word charts (DrawingML, 原生图表): a report chart as `word/charts/chartN.xml` with its
//! figures in the chart's caches, and the same figures in an embedded workbook, so that Word
//! and WPS can "编辑数据". The figures are the report's formatted 万元 texts (the ones the
//! Markdown and the SVG print), never recomputed.

use crate::OfficeError;
use juesuan_charts::PALETTE;
use juesuan_core::markup::escape;
use juesuan_report::charts::ChartData;
use std::fmt::Write as _;

/// The sheet of the embedded workbook the chart's formulas point to.
const SHEET: &str = "Sheet1";
/// Number format of values: the report prints 万元 with two decimals.
const VALUE_FORMAT: &str = "0.00";
/// Font of the chart's text: the body font, so labels match the surrounding text.
const CHART_FONT: &str = crate::BODY_FONT;

/// A chart as a table: category names, and per series its name and one figure per category
/// (the report's formatted number, e.g. "686.54"; None where the report prints none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartTable {
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<Option<String>>)>,
}

/// A plain decimal number as the report prints it ("686.54", "-3.00"): what may go into a
/// chart's number cache. Anything else ("—", "") is not a figure.
fn decimal(text: &str) -> Option<String> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let ok = !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
        && (frac.is_empty() != digits.contains('.'));
    ok.then(|| t.to_string())
}

/// The table a chart shows. Pie values are printed as "591.60万元": the unit is dropped, the
/// number kept exactly.
pub fn chart_table(data: &ChartData) -> ChartTable {
    match data {
        ChartData::Bar(b) => ChartTable {
            categories: b.categories.clone(),
            series: b
                .series
                .iter()
                .map(|s| {
                    let mut values: Vec<Option<String>> =
                        s.values.iter().map(|v| decimal(&v.label)).collect();
                    values.resize(b.categories.len(), None);
                    (s.name.clone(), values)
                })
                .collect(),
        },
        ChartData::Pie(p) => ChartTable {
            categories: p.slices.iter().map(|s| s.label.clone()).collect(),
            series: vec![(
                format!("金额（{}）", p.unit),
                p.slices
                    .iter()
                    .map(|s| {
                        let v = s.value_label.trim();
                        decimal(v.strip_suffix(p.unit.as_str()).unwrap_or(v))
                    })
                    .collect(),
            )],
        },
    }
}

/// Spreadsheet column letter of series `i` (column A holds the categories).
fn column(i: usize) -> String {
    let mut n = i + 2; // B is the first series, 1-based
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, char::from(b'A' + r as u8));
        n = (n - 1) / 26;
    }
    s
}

fn str_cache(out: &mut String, formula: &str, texts: &[&str]) {
    let _ = write!(
        out,
        "<c:strRef><c:f>{formula}</c:f><c:strCache><c:ptCount val=\"{}\"/>",
        texts.len()
    );
    for (i, t) in texts.iter().enumerate() {
        let _ = write!(out, "<c:pt idx=\"{i}\"><c:v>{}</c:v></c:pt>", escape(t));
    }
    out.push_str("</c:strCache></c:strRef>");
}

fn num_cache(out: &mut String, formula: &str, values: &[Option<String>]) {
    let _ = write!(
        out,
        "<c:numRef><c:f>{formula}</c:f><c:numCache><c:formatCode>{VALUE_FORMAT}</c:formatCode><c:ptCount val=\"{}\"/>",
        values.len()
    );
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(out, "<c:pt idx=\"{i}\"><c:v>{v}</c:v></c:pt>");
        }
    }
    out.push_str("</c:numCache></c:numRef>");
}

fn fill(color: &str) -> String {
    format!(
        "<c:spPr><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill></c:spPr>",
        color.trim_start_matches('#')
    )
}

/// Run properties of every text in the chart: the body font for Chinese and Latin, `size` in
/// hundredths of a point.
fn text_props(size: u32) -> String {
    format!(
        "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\"><a:latin typeface=\"{CHART_FONT}\"/><a:ea typeface=\"{CHART_FONT}\"/></a:defRPr></a:pPr><a:endParaRPr lang=\"zh-CN\"/></a:p></c:txPr>"
    )
}

/// Data labels: each figure printed on the chart, as the SVG does; none on the points in
/// `hidden` (a pie's zero parts, whose labels would pile up on one spot). Only the value: a
/// share Word or WPS computed could differ in the last digit from the one the text prints.
fn data_labels(format: &str, hidden: &[usize]) -> String {
    let mut out = String::from("<c:dLbls>");
    for i in hidden {
        let _ = write!(
            out,
            "<c:dLbl><c:idx val=\"{i}\"/><c:delete val=\"1\"/></c:dLbl>"
        );
    }
    let _ = write!(
        out,
        "<c:numFmt formatCode=\"{}\" sourceLinked=\"0\"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{}<c:showLegendKey val=\"0\"/><c:showVal val=\"1\"/><c:showCatName val=\"0\"/><c:showSerName val=\"0\"/><c:showPercent val=\"0\"/><c:showBubbleSize val=\"0\"/></c:dLbls>",
        escape(format),
        text_props(900),
    );
    out
}

/// Whether a figure is zero ("0.00", "-0.00").
fn is_zero(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|v| v.chars().all(|c| matches!(c, '0' | '.' | '-')))
}

/// One series: name, colour(s), labels, categories and values, each with its cell range.
fn series(out: &mut String, t: &ChartTable, i: usize, pie: bool) {
    let (name, values) = &t.series[i];
    let col = column(i);
    let last = t.categories.len() + 1;
    let _ = write!(
        out,
        "<c:ser><c:idx val=\"{i}\"/><c:order val=\"{i}\"/><c:tx>"
    );
    str_cache(out, &format!("{SHEET}!${col}$1"), &[name]);
    out.push_str("</c:tx>");
    if pie {
        out.push_str(
            "<c:spPr><a:ln><a:solidFill><a:srgbClr val=\"FFFFFF\"/></a:solidFill></a:ln></c:spPr>",
        );
        for p in 0..t.categories.len() {
            let _ = write!(
                out,
                "<c:dPt><c:idx val=\"{p}\"/><c:bubble3D val=\"0\"/>{}</c:dPt>",
                fill(PALETTE[p % PALETTE.len()])
            );
        }
        let zeros: Vec<usize> = (0..values.len()).filter(|&p| is_zero(&values[p])).collect();
        out.push_str(&data_labels(VALUE_FORMAT, &zeros));
    } else {
        out.push_str(&fill(PALETTE[i % PALETTE.len()]));
        out.push_str("<c:invertIfNegative val=\"0\"/>");
        out.push_str(&data_labels(VALUE_FORMAT, &[]));
    }
    out.push_str("<c:cat>");
    let cats: Vec<&str> = t.categories.iter().map(String::as_str).collect();
    str_cache(out, &format!("{SHEET}!$A$2:$A${last}"), &cats);
    out.push_str("</c:cat><c:val>");
    num_cache(out, &format!("{SHEET}!${col}$2:${col}${last}"), values);
    out.push_str("</c:val></c:ser>");
}

/// Category and value axes of a bar chart, with the value axis' numbers and unit shown.
fn axes(out: &mut String, unit: &str, from_zero: bool) {
    // Bars start at zero, as in the SVG: an axis from 600 would make 631 look a fraction of 686.
    let min = if from_zero { "<c:min val=\"0\"/>" } else { "" };
    let _ = write!(
        out,
        "<c:catAx><c:axId val=\"1001\"/><c:scaling><c:orientation val=\"minMax\"/></c:scaling><c:delete val=\"0\"/><c:axPos val=\"b\"/><c:numFmt formatCode=\"General\" sourceLinked=\"0\"/><c:majorTickMark val=\"none\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"low\"/>{}<c:crossAx val=\"1002\"/><c:crosses val=\"autoZero\"/><c:auto val=\"1\"/><c:lblAlgn val=\"ctr\"/><c:lblOffset val=\"100\"/><c:noMultiLvlLbl val=\"0\"/></c:catAx>",
        text_props(1000)
    );
    let _ = write!(
        out,
        "<c:valAx><c:axId val=\"1002\"/><c:scaling><c:orientation val=\"minMax\"/>{min}</c:scaling><c:delete val=\"0\"/><c:axPos val=\"l\"/><c:majorGridlines><c:spPr><a:ln w=\"6350\"><a:solidFill><a:srgbClr val=\"DDDDDD\"/></a:solidFill></a:ln></c:spPr></c:majorGridlines><c:title><c:tx><c:rich><a:bodyPr rot=\"0\" vert=\"horz\"/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"900\" b=\"0\"><a:latin typeface=\"{CHART_FONT}\"/><a:ea typeface=\"{CHART_FONT}\"/></a:defRPr></a:pPr><a:r><a:rPr lang=\"zh-CN\" sz=\"900\" b=\"0\"><a:latin typeface=\"{CHART_FONT}\"/><a:ea typeface=\"{CHART_FONT}\"/></a:rPr><a:t>单位：{}</a:t></a:r></a:p></c:rich></c:tx><c:overlay val=\"0\"/></c:title><c:numFmt formatCode=\"{VALUE_FORMAT}\" sourceLinked=\"0\"/><c:majorTickMark val=\"out\"/><c:minorTickMark val=\"none\"/><c:tickLblPos val=\"nextTo\"/>{}<c:crossAx val=\"1001\"/><c:crosses val=\"autoZero\"/><c:crossBetween val=\"between\"/></c:valAx>",
        escape(unit),
        text_props(900)
    );
}

/// `word/charts/chartN.xml`: a clustered column chart or a pie, without a title (the caption
/// under the chart is its one title), legend below, figures as data labels, the embedded
/// workbook as its external data (relationship `rId1` of the chart part).
pub fn chart_xml(data: &ChartData) -> String {
    let t = chart_table(data);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><c:date1904 val=\"0\"/><c:lang val=\"zh-CN\"/><c:roundedCorners val=\"0\"/><c:chart><c:autoTitleDeleted val=\"1\"/><c:plotArea><c:layout/>",
    );
    match data {
        ChartData::Bar(b) => {
            out.push_str("<c:barChart><c:barDir val=\"col\"/><c:grouping val=\"clustered\"/><c:varyColors val=\"0\"/>");
            for i in 0..t.series.len() {
                series(&mut out, &t, i, false);
            }
            out.push_str("<c:gapWidth val=\"150\"/><c:axId val=\"1001\"/><c:axId val=\"1002\"/></c:barChart>");
            let negative = t
                .series
                .iter()
                .flat_map(|s| &s.1)
                .flatten()
                .any(|v| v.starts_with('-'));
            axes(&mut out, &b.unit, !negative);
        }
        ChartData::Pie(_) => {
            out.push_str("<c:pieChart><c:varyColors val=\"1\"/>");
            series(&mut out, &t, 0, true);
            out.push_str("<c:firstSliceAng val=\"0\"/></c:pieChart>");
        }
    }
    let legend = if matches!(data, ChartData::Pie(_)) {
        "r"
    } else {
        "b"
    };
    let _ = write!(
        out,
        "</c:plotArea><c:legend><c:legendPos val=\"{legend}\"/><c:overlay val=\"0\"/>{}</c:legend><c:plotVisOnly val=\"1\"/><c:dispBlanksAs val=\"gap\"/></c:chart>{}<c:externalData r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData></c:chartSpace>",
        text_props(1000),
        text_props(1000)
    );
    out
}

/// The embedded workbook: categories in column A, one column per series, names in row 1,
/// the same figures as the chart caches. Excel stores numbers as binary floating point: the
/// cell is the two-decimal figure the report prints, parsed once here for display and editing.
pub fn chart_workbook(data: &ChartData) -> Result<Vec<u8>, OfficeError> {
    use rust_xlsxwriter::{Format, Workbook};
    let t = chart_table(data);
    let err = |e: rust_xlsxwriter::XlsxError| OfficeError::Docx(format!("图表数据表：{e}"));
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet().set_name(SHEET).map_err(err)?;
    let number = Format::new().set_num_format(VALUE_FORMAT);
    sheet.set_column_width(0, 24).map_err(err)?;
    for (r, c) in t.categories.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| OfficeError::Docx("图表类别过多".into()))?;
        sheet.write_string(row, 0, c).map_err(err)?;
    }
    for (i, (name, values)) in t.series.iter().enumerate() {
        let col = u16::try_from(i + 1).map_err(|_| OfficeError::Docx("图表系列过多".into()))?;
        sheet.set_column_width(col, 14).map_err(err)?;
        sheet.write_string(0, col, name).map_err(err)?;
        for (r, v) in values.iter().enumerate() {
            let row = u32::try_from(r + 1).map_err(|_| OfficeError::Docx("图表类别过多".into()))?;
            if let Some(v) = v {
                let x: f64 = v
                    .parse()
                    .map_err(|_| OfficeError::Docx(format!("图表数值“{v}”不是数字")))?;
                sheet
                    .write_number_with_format(row, col, x, &number)
                    .map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_figures_and_nothing_else_is() {
        assert_eq!(decimal("686.54").as_deref(), Some("686.54"));
        assert_eq!(decimal("-3.00").as_deref(), Some("-3.00"));
        assert_eq!(decimal("12").as_deref(), Some("12"));
        for bad in ["—", "", "1.2.3", "12.", ".5", "1,000.00", "686.54万元"] {
            assert_eq!(decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn columns_after_a() {
        assert_eq!(column(0), "B");
        assert_eq!(column(24), "Z");
        assert_eq!(column(25), "AA");
    }
}
