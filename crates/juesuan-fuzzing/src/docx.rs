//! The structure-aware docx target: the fuzz bytes describe a Word document (paragraphs,
//! runs, tables, odd nesting, huge text, raw fragments), which is written as
//! `word/document.xml` inside a valid zip, so every run reaches the reader's XML path
//! (mutating zipped bytes rarely gets past the zip layer).

use arbitrary::{Arbitrary, Unstructured};
use std::fmt::Write as _;
use std::io::Write as _;

/// Text written into the XML: `raw` unescaped (to reach the parser's error paths), else
/// escaped.
#[derive(Arbitrary, Debug)]
struct Text {
    raw: bool,
    text: String,
}

#[derive(Arbitrary, Debug)]
enum Run {
    Text(Text),
    Tab,
    Break,
    /// `w:hyperlink`, `w:ins`, `w:smartTag`, … around runs.
    Wrapped(u8, Vec<Run>),
    /// `w:del` with `w:delText`.
    Deleted(Text),
    /// `w:fldSimple` / `w:instrText`.
    Field(Text),
    /// The same text many times (up to 64 KiB per run).
    Repeated(u16, Text),
    /// An element with a name and attributes of the fuzzer's choice.
    Element(String, Vec<(String, String)>, Vec<Run>),
}

#[derive(Arbitrary, Debug)]
enum Block {
    Paragraph(Vec<Run>),
    /// Rows of cells of blocks (tables in cells nest).
    Table(Vec<Vec<Vec<Block>>>),
    /// `w:sdt` content control around blocks.
    Sdt(Vec<Block>),
    Raw(String),
    /// Nesting depth: a paragraph inside this many wrapper elements.
    Deep(u16, Vec<Run>),
}

#[derive(Arbitrary, Debug)]
struct Document {
    /// Declare the `w:` namespace (else every prefixed name is an XML error).
    namespace: bool,
    /// Wrap the blocks in `w:body`.
    body: bool,
    /// Store the entry (else deflate it).
    stored: bool,
    /// A UTF-8 BOM before the XML declaration.
    bom: bool,
    blocks: Vec<Block>,
}

const WRAPPERS: [&str; 6] = [
    "hyperlink",
    "ins",
    "smartTag",
    "customXml",
    "r",
    "fldSimple",
];

fn text(out: &mut String, t: &Text) {
    if t.raw {
        out.push_str(&t.text);
    } else {
        for c in t.text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
    }
}

/// Element and attribute names: letters only, so an odd name stays a name.
fn name(s: &str) -> String {
    let n: String = s.chars().filter(|c| c.is_alphabetic()).take(16).collect();
    if n.is_empty() {
        "x".into()
    } else {
        n
    }
}

fn run(out: &mut String, r: &Run) {
    match r {
        Run::Text(t) => {
            out.push_str("<w:r><w:t xml:space=\"preserve\">");
            text(out, t);
            out.push_str("</w:t></w:r>");
        }
        Run::Tab => out.push_str("<w:r><w:tab/></w:r>"),
        Run::Break => out.push_str("<w:r><w:br/></w:r>"),
        Run::Wrapped(k, runs) => {
            let w = WRAPPERS[*k as usize % WRAPPERS.len()];
            let _ = write!(out, "<w:{w}>");
            runs.iter().for_each(|r| run(out, r));
            let _ = write!(out, "</w:{w}>");
        }
        Run::Deleted(t) => {
            out.push_str("<w:del><w:r><w:delText>");
            text(out, t);
            out.push_str("</w:delText></w:r></w:del>");
        }
        Run::Field(t) => {
            out.push_str("<w:r><w:instrText>");
            text(out, t);
            out.push_str("</w:instrText></w:r>");
        }
        Run::Repeated(n, t) => {
            let mut one = String::new();
            text(&mut one, t);
            let times = (*n as usize).min(64 * 1024 / one.len().max(1));
            out.push_str("<w:r><w:t>");
            out.push_str(&one.repeat(times));
            out.push_str("</w:t></w:r>");
        }
        Run::Element(n, attrs, runs) => {
            let n = name(n);
            let _ = write!(out, "<w:{n}");
            for (k, v) in attrs.iter().take(8) {
                let _ = write!(out, " w:{}=\"", name(k));
                text(
                    out,
                    &Text {
                        raw: false,
                        text: v.clone(),
                    },
                );
                out.push('"');
            }
            out.push('>');
            runs.iter().for_each(|r| run(out, r));
            let _ = write!(out, "</w:{n}>");
        }
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Paragraph(runs) => {
            out.push_str("<w:p>");
            runs.iter().for_each(|r| run(out, r));
            out.push_str("</w:p>");
        }
        Block::Table(rows) => {
            out.push_str("<w:tbl>");
            for row in rows {
                out.push_str("<w:tr>");
                for cell in row {
                    out.push_str("<w:tc>");
                    cell.iter().for_each(|b| block(out, b));
                    out.push_str("</w:tc>");
                }
                out.push_str("</w:tr>");
            }
            out.push_str("</w:tbl>");
        }
        Block::Sdt(blocks) => {
            out.push_str("<w:sdt><w:sdtContent>");
            blocks.iter().for_each(|b| block(out, b));
            out.push_str("</w:sdtContent></w:sdt>");
        }
        Block::Raw(s) => out.push_str(s),
        Block::Deep(depth, runs) => {
            // Beyond roxmltree's nesting limit (1024) as well as below it.
            let depth = (*depth as usize) % 1500;
            out.push_str(&"<w:sdt><w:sdtContent>".repeat(depth));
            out.push_str("<w:p>");
            runs.iter().for_each(|r| run(out, r));
            out.push_str("</w:p>");
            out.push_str(&"</w:sdtContent></w:sdt>".repeat(depth));
        }
    }
}

/// `word/document.xml` written from the document description.
fn document_xml(d: &Document) -> String {
    let mut out = String::new();
    if d.bom {
        out.push('\u{feff}');
    }
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document");
    if d.namespace {
        out.push_str(" xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"");
    }
    out.push('>');
    if d.body {
        out.push_str("<w:body>");
    }
    d.blocks.iter().for_each(|b| block(&mut out, b));
    if d.body {
        out.push_str("</w:body>");
    }
    out.push_str("</w:document>");
    out
}

/// A .docx holding `xml` as its main part, stored or deflated.
pub fn docx_of(xml: &str, stored: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    w.start_file("[Content_Types].xml", opts)
        .expect("writing to memory");
    w.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")
        .expect("writing to memory");
    w.start_file("word/document.xml", opts)
        .expect("writing to memory");
    w.write_all(xml.as_bytes()).expect("writing to memory");
    w.finish().expect("writing to memory").into_inner()
}

/// The fuzz bytes as a document (any bytes make one), zipped and read by
/// `juesuan_readers::docx_text`.
pub fn docx_structured(data: &[u8]) {
    let Ok(doc) = Document::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let xml = document_xml(&doc);
    let bytes = docx_of(&xml, doc.stored);
    let _ = juesuan_readers::docx_text(&bytes);
}
