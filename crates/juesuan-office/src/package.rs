//! The .docx package (zip): docx-rs's parts, plus what docx-rs cannot write — native chart
//! parts with their embedded workbooks, their relationships and content types.

use crate::docx::{chart_marker, replace_all};
use crate::OfficeError;
use docx_rs::XMLDocx;
use juesuan_core::markup::escape;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// One native chart: its `chartN.xml`, its workbook, its size in the text and its title.
pub(crate) struct ChartPart {
    pub xml: String,
    pub workbook: Vec<u8>,
    pub width_emu: u64,
    pub height_emu: u64,
    pub title: String,
}

const CHART_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";
const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const REL_CHART: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart";
const REL_PACKAGE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package";
/// Drawing ids of charts start here, clear of any docx-rs gives.
const DOC_PR_BASE: usize = 5000;

fn chart_rel_id(n: usize) -> String {
    format!("rIdJsChart{n}")
}

/// The embedded workbook of chart `n`, as Word names it.
fn workbook_name(n: usize) -> String {
    format!("Microsoft_Excel_Worksheet{n}.xlsx")
}

/// The inline drawing that shows chart `n` (a graphic frame referring to the chart part).
fn drawing_run(n: usize, c: &ChartPart) -> String {
    format!(
        "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{w}\" cy=\"{h}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{id}\" name=\"图表 {n}\" descr=\"{title}\"/><wp:cNvGraphicFramePr/><a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"><c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" r:id=\"{rel}\"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>",
        w = c.width_emu,
        h = c.height_emu,
        id = DOC_PR_BASE + n,
        title = escape(&c.title),
        rel = chart_rel_id(n),
    )
}

/// Replace the run holding each chart's marker text with the chart's drawing, in one pass
/// (the markers are in document order).
fn place_charts(document: &mut Vec<u8>, charts: &[ChartPart]) -> Result<(), OfficeError> {
    if charts.is_empty() {
        return Ok(());
    }
    let text = std::str::from_utf8(document)
        .map_err(|e| OfficeError::Docx(format!("word/document.xml 不是 UTF-8：{e}")))?;
    let mut out = String::with_capacity(text.len() + charts.len() * 1024);
    let mut done = 0;
    for (i, c) in charts.iter().enumerate() {
        let n = i + 1;
        let missing = || OfficeError::Docx(format!("word/document.xml 中没有图表{n}的位置"));
        let at = done + text[done..].find(&chart_marker(n)).ok_or_else(missing)?;
        let start = done + text[done..at].rfind("<w:r>").ok_or_else(missing)?;
        let end = at + text[at..].find("</w:r>").ok_or_else(missing)? + "</w:r>".len();
        out.push_str(&text[done..start]);
        out.push_str(&drawing_run(n, c));
        done = end;
    }
    out.push_str(&text[done..]);
    *document = out.into_bytes();
    Ok(())
}

/// Add the chart parts' relationships and content types, place each chart, and write the zip.
pub(crate) fn pack(mut xml: XMLDocx, charts: &[ChartPart]) -> Result<Vec<u8>, OfficeError> {
    let mut rels = String::new();
    let mut types = String::new();
    if !charts.is_empty() {
        types.push_str(&format!(
            "<Default Extension=\"xlsx\" ContentType=\"{XLSX_CONTENT_TYPE}\" />"
        ));
    }
    place_charts(&mut xml.document, charts)?;
    for n in 1..=charts.len() {
        rels.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"{REL_CHART}\" Target=\"charts/chart{n}.xml\" />",
            chart_rel_id(n)
        ));
        types.push_str(&format!(
            "<Override PartName=\"/word/charts/chart{n}.xml\" ContentType=\"{CHART_CONTENT_TYPE}\" />"
        ));
    }
    replace_all(
        &mut xml.document_rels,
        "</Relationships>",
        &format!("{rels}</Relationships>"),
        1,
        "word/_rels/document.xml.rels",
    )?;
    replace_all(
        &mut xml.content_type,
        "</Types>",
        &format!("{types}</Types>"),
        1,
        "[Content_Types].xml",
    )?;
    write_zip(xml, charts).map_err(|e| OfficeError::Docx(e.to_string()))
}

/// The zip, with the parts docx-rs writes (same names as its own packer) and the charts.
fn write_zip(xml: XMLDocx, charts: &[ChartPart]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // Fast deflate: the document is mostly repetitive XML.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut parts: Vec<(String, &[u8])> = vec![
        ("[Content_Types].xml".into(), &xml.content_type),
        ("_rels/.rels".into(), &xml.rels),
        ("docProps/app.xml".into(), &xml.doc_props.app),
        ("docProps/core.xml".into(), &xml.doc_props.core),
        ("docProps/custom.xml".into(), &xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), &xml.document_rels),
        ("word/document.xml".into(), &xml.document),
        ("word/styles.xml".into(), &xml.styles),
        ("word/settings.xml".into(), &xml.settings),
        ("word/fontTable.xml".into(), &xml.font_table),
        ("word/comments.xml".into(), &xml.comments),
        ("word/numbering.xml".into(), &xml.numberings),
        ("word/commentsExtended.xml".into(), &xml.comments_extended),
        ("word/footnotes.xml".into(), &xml.footnotes),
    ];
    for (i, f) in xml.footers.iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), f));
        if let Some(r) = xml.footer_rels.get(i) {
            parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), r));
        }
    }
    for (i, h) in xml.headers.iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), h));
        if let Some(r) = xml.header_rels.get(i) {
            parts.push((format!("word/_rels/header{}.xml.rels", i + 1), r));
        }
    }
    for (id, png) in &xml.media {
        parts.push((format!("word/media/{id}.png"), png));
    }
    let chart_rels: Vec<String> = (1..=charts.len())
        .map(|n| format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL_PACKAGE}\" Target=\"../embeddings/{}\" /></Relationships>", workbook_name(n)))
        .collect();
    for (i, c) in charts.iter().enumerate() {
        let n = i + 1;
        parts.push((format!("word/charts/chart{n}.xml"), c.xml.as_bytes()));
        parts.push((
            format!("word/charts/_rels/chart{n}.xml.rels"),
            chart_rels[i].as_bytes(),
        ));
        parts.push((format!("word/embeddings/{}", workbook_name(n)), &c.workbook));
    }
    for (name, bytes) in parts {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(title: &str) -> ChartPart {
        ChartPart {
            xml: String::new(),
            workbook: Vec::new(),
            width_emu: 1,
            height_emu: 2,
            title: title.into(),
        }
    }

    fn run(text: &str) -> String {
        format!("<w:r><w:rPr /><w:t xml:space=\"preserve\">{text}</w:t></w:r>")
    }

    #[test]
    fn each_marker_run_becomes_its_chart() {
        let doc = format!(
            "<w:p>{}</w:p><w:p>{}{}</w:p>",
            run(&chart_marker(1)),
            run("正文"),
            run(&chart_marker(2))
        );
        let mut bytes = doc.into_bytes();
        place_charts(&mut bytes, &[chart("图1"), chart("图2")]).unwrap();
        let out = String::from_utf8(bytes).unwrap();
        assert!(!out.contains('\u{F8FF}'), "{out}");
        assert_eq!(out.matches("<w:drawing>").count(), 2);
        assert!(out.find("r:id=\"rIdJsChart1\"") < out.find("正文"));
        assert!(out.find("正文") < out.find("r:id=\"rIdJsChart2\""));
        assert!(out.contains("descr=\"图2\""));
    }

    #[test]
    fn a_missing_marker_is_an_error() {
        let mut bytes = format!("<w:p>{}</w:p>", run(&chart_marker(1))).into_bytes();
        let err = place_charts(&mut bytes, &[chart("图1"), chart("图2")]).unwrap_err();
        assert!(err.to_string().contains("图表2"), "{err}");
    }
}
