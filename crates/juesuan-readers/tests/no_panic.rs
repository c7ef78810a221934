//! The readers never panic: `docx_text` on arbitrary bytes, on truncated and bit-flipped copies
//! of the Word fixture and on well-formed archives holding arbitrary XML; the plain-text reader
//! and the PDF line re-joiner on arbitrary input. Errors are fine, panics are not.
//!
//! Fuzzing (fuzz/, nightly, not run by CI) searches further; these run in CI on stable.

use juesuan_readers::{docx_text, text_from_bytes, unwrap_lines};
use proptest::prelude::*;
use std::io::Write;

const DOCX: &[u8] = include_bytes!("fixtures/excerpt.docx");

/// The fixture with bits flipped at the given (position, bit) pairs.
fn flipped(flips: &[(prop::sample::Index, u8)]) -> Vec<u8> {
    let mut bytes = DOCX.to_vec();
    for (at, bit) in flips {
        let i = at.index(bytes.len());
        bytes[i] ^= 1 << (bit % 8);
    }
    bytes
}

/// A valid zip archive with `word/document.xml` holding `xml` (so the bytes get past the zip
/// reader and its CRC check to the XML parser and the paragraph walker).
fn docx_with(xml: &str, method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    w.start_file("word/document.xml", options).unwrap();
    w.write_all(xml.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// Pieces of WordprocessingML, balanced or not.
fn xml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(&[
            "<w:body>", "</w:body>", "<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>",
            "<w:t xml:space=\"preserve\">", "<w:tab/>", "<w:br/>", "<w:t/>", "<w:p/>",
            "<w:tbl>", "</w:tbl>", "<w:tr>", "</w:tr>", "<w:tc>", "</w:tc>", "<w:sectPr/>",
            "<body>", "</body>", "<t>", "</t>", "<p>", "</p>", "<!-- c -->", "<![CDATA[x]]>",
            "&amp;", "&lt;", "&#x4E00;", "&#0;", "&bogus;", "&", "<", ">", "\"", "'",
            "占96.19%", "10.03万元", "\t", "\n", " ",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{0,12}",
    ]
}

fn document_xml() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(xml_piece(), 0..60),
    )
        .prop_map(|(prolog, wrapped, pieces)| {
            let mut s = String::new();
            if prolog {
                s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>");
            }
            if wrapped {
                s.push_str(&format!("<w:document xmlns:w=\"{W}\">"));
            }
            s.push_str(&pieces.concat());
            if wrapped {
                s.push_str("</w:document>");
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn docx_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = docx_text(&bytes);
    }

    #[test]
    fn docx_arbitrary_bytes_after_a_zip_signature(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend(bytes);
        let _ = docx_text(&v);
    }

    #[test]
    fn docx_truncated(len in 0..=DOCX.len()) {
        let _ = docx_text(&DOCX[..len]);
    }

    #[test]
    fn docx_truncated_from_the_front(start in 0..=DOCX.len()) {
        let _ = docx_text(&DOCX[start..]);
    }

    #[test]
    fn docx_bit_flipped(flips in prop::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..8)) {
        let _ = docx_text(&flipped(&flips));
    }

    #[test]
    fn docx_bytes_overwritten(
        writes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = DOCX.to_vec();
        for (at, b) in writes {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = docx_text(&bytes);
    }

    #[test]
    fn docx_holding_arbitrary_xml(xml in document_xml(), deflated in any::<bool>()) {
        let method = if deflated {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let _ = docx_text(&docx_with(&xml, method));
    }

    #[test]
    fn text_from_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let _ = text_from_bytes(&bytes);
        let _ = unwrap_lines(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn unwrap_lines_on_headings_and_sentence_ends(
        lines in prop::collection::vec(
            prop_oneof![
                prop::sample::select(&[
                    "", " ", "七、", "（一）", "（", "第二部分", "部分", "第", "。", "！", "？",
                    "；", "十、说明", "\u{3000}", "\r", "a\u{feff}",
                ][..]).prop_map(str::to_string),
                "\\PC{0,50}",
            ],
            0..30,
        ),
    ) {
        let _ = unwrap_lines(&lines.join("\n"));
    }
}

#[test]
fn the_generated_archives_are_read() {
    // The archive builder above is right: a well-formed document comes out as text, so the
    // arbitrary-XML test does reach the XML parser and the paragraph walker.
    let xml = format!(
        "<w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>占96.19%</w:t></w:r></w:p></w:body></w:document>"
    );
    for method in [
        zip::CompressionMethod::Stored,
        zip::CompressionMethod::Deflated,
    ] {
        assert_eq!(docx_text(&docx_with(&xml, method)).unwrap(), "占96.19%\n");
    }
}
