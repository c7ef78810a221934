//! Typst markup (排版源文件) for the report: cover, outline (目录), the blocks of
//! `Report::document` in order, disclosure tables with merged headers, charts and page numbers.
//!
//! Every piece of user text goes through [`escape`] (markup) or [`string`] (code strings), so
//! no text a preparer types can be read as typst syntax.

use crate::fonts::PdfFonts;
use juesuan_core::tables::{Cell, Table};
use juesuan_core::UnitYear;
use juesuan_report::document::{Align, Block, ListItem, Run};
use juesuan_report::Report;
use std::fmt::Write as _;

/// `write!` into a String, which cannot fail.
macro_rules! w {
    ($($t:tt)*) => { write!($($t)*).expect("writing to a String cannot fail") };
}
macro_rules! wln {
    ($($t:tt)*) => { writeln!($($t)*).expect("writing to a String cannot fail") };
}

/// Virtual path of chart `index` in the typst world.
pub(crate) fn chart_path(index: usize) -> String {
    format!("/charts/{index}.svg")
}

/// Text for typst markup, printed exactly as written.
///
/// Typst reads `\` followed by any non-space character as that character, so every ASCII
/// punctuation mark (the only characters with markup meaning: `# * _ $ @ < > [ ] \` … and
/// the line-start markers `= - + /`, `1.`) is escaped that way. Line and paragraph separators
/// become spaces, so user text can neither break a paragraph nor start a heading or list;
/// other control characters are dropped (they have no glyphs).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                out.push(' ')
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A typst string literal (code mode) holding `text`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inline runs: bold and italic through function calls (not `*`/`_` delimiters, which
/// depend on word boundaries); a line break inside a paragraph is kept as a line break.
fn runs(out: &mut String, runs: &[Run]) {
    for run in runs {
        let mut pieces = run.text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() {
                let text = escape(piece);
                match (run.bold, run.italic) {
                    (true, true) => w!(out, "#strong(emph[{text}])"),
                    (true, false) => w!(out, "#strong[{text}]"),
                    (false, true) => w!(out, "#emph[{text}]"),
                    (false, false) => w!(out, "{text}"),
                }
            }
            if pieces.peek().is_some() {
                out.push_str("#linebreak()");
            }
        }
    }
}

const PREAMBLE: &str = r#"
#set page(paper: "a4", margin: (top: 2.5cm, bottom: 2.5cm, left: 2.6cm, right: 2.4cm))
// Chinese official documents put no extra space between Han characters and digits.
#set text(size: 12pt, lang: "zh", region: "cn", cjk-latin-spacing: none)
#set par(justify: true, leading: 0.85em, spacing: 0.9em, first-line-indent: (amount: 2em, all: true))
#show heading: set text(font: HEADING_FONTS, weight: "bold")
#show heading: set block(above: 1.3em, below: 0.9em)
#show heading.where(level: 1): set text(size: 16pt)
// Each part (第一部分…) starts a page; the outline's own title is not a part.
#show heading.where(level: 1, outlined: true): it => { pagebreak(weak: true); it }
#show heading.where(level: 2): set text(size: 14pt)
#show heading.where(level: 3): set text(size: 12pt)
#show heading.where(level: 4): set text(size: 12pt)
#set table(stroke: 0.5pt + black, inset: (x: 3pt, y: 3pt))
#show table: set text(size: 9pt)
#show table: set par(justify: false, first-line-indent: 0em, leading: 0.5em)
#show figure.caption: set text(font: HEADING_FONTS, size: 10.5pt)
#show outline.entry.where(level: 1): set text(font: HEADING_FONTS)
"#;

/// The complete typst source of the report.
pub fn source(report: &Report, uy: &UnitYear, fonts: &PdfFonts) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let body_fonts = format!(
        "({}, {})",
        string(&fonts.body_family),
        string(&fonts.heading_family)
    );
    let heading_fonts = format!(
        "({}, {})",
        string(&fonts.heading_family),
        string(&fonts.body_family)
    );
    let title = if report.title.is_empty() {
        format!("{}{}年度部门决算", uy.unit.name, uy.year)
    } else {
        report.title.clone()
    };
    // No date: the same input gives the same bytes.
    wln!(
        s,
        "#set document(title: {}, author: {}, date: none)",
        string(&title),
        string(&uy.unit.name)
    );
    s.push_str(&PREAMBLE.replace("HEADING_FONTS", &heading_fonts));
    wln!(s, "#set text(font: {body_fonts})");
    wln!(s, "#let heading-fonts = {heading_fonts}");

    // Cover (封面): the title (unit and year) in the title font, the unit and the date line
    // at the foot. Cover and contents (目录) carry no page number; the body starts at page 1.
    wln!(
        s,
        "#page(numbering: none)[\n#set par(first-line-indent: 0em)\n#v(7cm)\n#align(center, text(font: ({}, ..heading-fonts), size: 24pt, weight: \"bold\")[{}])\n#v(1fr)\n#align(center, text(size: 14pt)[{}])\n#v(0.6em)\n#align(center, text(size: 14pt)[{}])\n#v(3cm)\n]",
        string(&fonts.title_family),
        escape(&title),
        escape(&uy.unit.name),
        escape(&report.date)
    );
    s.push_str(
        "#page(numbering: none)[\n#outline(title: align(center)[目录], depth: 2, indent: 1.5em)\n]\n\
         #set page(numbering: \"— 1 —\", number-align: center + bottom)\n\
         #counter(page).update(1)\n\n",
    );

    let mut skipped_title = false;
    for block in &report.document {
        match block {
            // The document title is the cover.
            Block::Heading { level: 1, text } if !skipped_title && *text == report.title => {
                skipped_title = true;
            }
            Block::Heading { level, text } => {
                // Parts (level 2) are typst level 1 and start a new page.
                let level = level.saturating_sub(1).max(1);
                wln!(s, "\n#heading(level: {level})[{}]\n", escape(text));
            }
            Block::Paragraph { runs: r } => {
                runs(&mut s, r);
                s.push_str("\n\n");
            }
            Block::List { items } => list(&mut s, items),
            Block::DisclosureTable { index } => {
                if let Some(t) = report.tables.get(*index) {
                    disclosure_table(&mut s, t, &uy.unit.name);
                }
            }
            Block::Chart { index } => {
                if let Some(c) = report.charts.get(*index) {
                    wln!(
                        s,
                        "#figure(image({}, format: \"svg\", width: 80%), caption: [{}], numbering: none)\n",
                        string(&chart_path(*index)),
                        escape(&c.title)
                    );
                }
            }
            Block::Table {
                header,
                rows,
                align,
            } => simple_table(&mut s, header, rows, align),
            Block::Rule => s.push_str("#line(length: 100%, stroke: 0.5pt)\n\n"),
        }
    }
    s
}

/// A list with the labels the document gives ("1." or "•"), hanging under the label.
fn list(s: &mut String, items: &[ListItem]) {
    s.push_str("#block(inset: (left: 2em))[#set par(first-line-indent: 0em)\n#grid(columns: (auto, 1fr), column-gutter: 0.4em, row-gutter: 0.6em,\n");
    for item in items {
        let mut body = String::new();
        runs(&mut body, &item.runs);
        wln!(s, "  [{}], [{}],", escape(&item.label), body);
    }
    s.push_str(")]\n\n");
}

/// Column widths and alignments of a disclosure table from the kind of its body cells:
/// classification codes take their natural width, amount columns exactly fit their longest
/// amount (amounts never wrap; headers wrap instead), label columns share the rest by the
/// length of their longest label. Also returns the width the table needs at least (em).
fn disclosure_columns(t: &Table) -> (Vec<String>, Vec<&'static str>, f64) {
    let from_header: usize = t
        .header
        .first()
        .map(|r| r.iter().map(|h| usize::from(h.colspan.max(1))).sum())
        .unwrap_or(0);
    let n = t
        .rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(from_header)
        .max(1);
    let mut widths = Vec::with_capacity(n);
    let mut aligns = Vec::with_capacity(n);
    let mut needed = 0.0;
    for i in 0..n {
        let (mut label, mut code, mut amount) = (0.0_f64, false, 0usize);
        for c in t.rows.iter().filter_map(|r| r.get(i)) {
            match c {
                Cell::Text { text, indent } => {
                    label = label.max(width_of(text) + f64::from(*indent))
                }
                Cell::Code { .. } => code = true,
                Cell::Amount { text, .. } => amount = amount.max(text.chars().count()),
                Cell::Blank => {}
            }
        }
        if label > 0.0 {
            widths.push(format!("{:.1}fr", label.clamp(4.0, 20.0)));
            aligns.push("left + horizon");
            // Eight characters a line before a label gets too cramped to read.
            needed += 8.0 + CELL_INSET_EM;
        } else if code {
            widths.push("auto".to_string());
            aligns.push("left + horizon");
            needed += 4.0 + CELL_INSET_EM;
        } else {
            // Digits are about half an em wide; at least four characters of header a line.
            let w = (amount as f64 * 0.56 + CELL_INSET_EM).max(MIN_COLUMN_EM);
            widths.push(format!("{w:.2}em"));
            aligns.push("right + horizon");
            needed += w;
        }
    }
    if needed > LANDSCAPE_TABLE_EM {
        // Too wide even across the page: amount columns share the width (and may wrap).
        for (w, a) in widths.iter_mut().zip(&aligns) {
            if a.starts_with("right") {
                *w = "1fr".to_string();
            }
        }
    }
    (widths, aligns, needed)
}

/// A disclosure table (公开表): title as a heading, 编制单位 and 单位 line, merged header
/// cells repeated on every page, right-aligned amounts, and the note of an empty table.
fn disclosure_table(s: &mut String, t: &Table, unit_name: &str) {
    let (widths, aligns, needed) = disclosure_columns(t);
    // A table too wide for a portrait page gets landscape pages of its own.
    let landscape = needed > TABLE_EM;
    if landscape {
        s.push_str("#page(flipped: true)[\n");
    }
    let title = format!("{} {}", t.code, t.title);
    wln!(s, "\n#heading(level: 2)[{}]\n", escape(title.trim()));
    wln!(
        s,
        "#block(width: 100%, below: 0.4em, sticky: true)[#set par(first-line-indent: 0em)\n#set text(size: 9pt)\n#grid(columns: (1fr, auto), [编制单位：{}], [单位：{}])]",
        escape(unit_name),
        escape(&t.unit)
    );
    wln!(
        s,
        "#table(columns: ({},), align: ({},),",
        widths.join(", "),
        aligns.join(", ")
    );
    s.push_str("  table.header(\n");
    for row in &t.header {
        s.push_str("   ");
        for h in row {
            w!(
                s,
                " table.cell(colspan: {}, rowspan: {}, align: center + horizon, fill: luma(235))[#text(font: heading-fonts)[{}]],",
                h.colspan.max(1),
                h.rowspan.max(1),
                escape(&h.text)
            );
        }
        s.push('\n');
    }
    s.push_str("  ),\n");
    for row in &t.rows {
        s.push_str("  ");
        for c in row {
            match c {
                Cell::Blank => s.push_str("[],"),
                // Padding, not leading space: a wrapped label stays indented.
                Cell::Text { text, indent } if *indent > 0 => {
                    w!(s, "[#pad(left: {}em)[{}]],", indent, escape(text))
                }
                Cell::Text { text, .. } => w!(s, "[{}],", escape(text)),
                Cell::Code { code } => w!(s, "[{}],", escape(code)),
                Cell::Amount { text, .. } => w!(s, "[{}],", escape(text)),
            }
        }
        s.push('\n');
    }
    s.push_str(")\n");
    if let Some(note) = &t.note {
        wln!(
            s,
            "#block(above: 0.5em)[#set par(first-line-indent: 0em)\n#set text(size: 10.5pt)\n注：{}]",
            escape(note)
        );
    }
    if landscape {
        s.push_str("]\n");
    }
    s.push('\n');
}

/// Display width of text in CJK ideographs (ASCII counts half), for column weights.
fn width_of(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum()
}

/// Width of the text column in table text (9pt) em: A4 minus the margins.
const TABLE_EM: f64 = 50.0;
/// The same on a landscape (flipped) A4 page.
const LANDSCAPE_TABLE_EM: f64 = 77.0;
/// Left plus right cell inset, in em.
const CELL_INSET_EM: f64 = 0.8;
/// Narrowest flexible column: four characters and the inset.
const MIN_COLUMN_EM: f64 = 4.0 + CELL_INSET_EM;

/// Final widths: fixed columns keep theirs (em); flexible columns share what is left by
/// weight, none narrower than [`MIN_COLUMN_EM`] (typst's `fr` has no minimum). Flexible widths
/// are returned as `fr` weights in em, so the proportions hold on any page width. When the
/// fixed columns alone leave too little room, every column shares by its width instead.
fn share_columns(columns: &[(bool, f64)]) -> Vec<(bool, f64)> {
    let fixed: f64 = columns.iter().filter(|c| c.0).map(|c| c.1).sum();
    let flexible = columns.iter().filter(|c| !c.0).count() as f64;
    if fixed + flexible * MIN_COLUMN_EM > TABLE_EM {
        return columns
            .iter()
            .map(|&(is_fixed, w)| (false, if is_fixed { w } else { w.max(MIN_COLUMN_EM) }))
            .collect();
    }
    let mut width: Vec<f64> = columns
        .iter()
        .map(|c| if c.0 { c.1 } else { 0.0 })
        .collect();
    let mut free = TABLE_EM - fixed;
    let mut open: Vec<usize> = (0..columns.len()).filter(|&i| !columns[i].0).collect();
    // Give the floor to columns whose share falls below it, then share again.
    loop {
        let total: f64 = open.iter().map(|&i| columns[i].1).sum();
        let narrow: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| total <= 0.0 || free * columns[i].1 / total < MIN_COLUMN_EM)
            .collect();
        if narrow.is_empty() {
            for &i in &open {
                width[i] = free * columns[i].1 / total;
            }
            return columns.iter().zip(width).map(|(c, w)| (c.0, w)).collect();
        }
        for i in narrow {
            width[i] = MIN_COLUMN_EM;
            free -= MIN_COLUMN_EM;
            open.retain(|&j| j != i);
        }
    }
}

/// A plain table (evaluation tables): widths weighted by content, long text wraps.
fn simple_table(s: &mut String, header: &[String], rows: &[Vec<String>], align: &[Align]) {
    let n = rows
        .iter()
        .map(Vec::len)
        .chain([header.len(), 1])
        .max()
        .unwrap_or(1);
    // (fixed, width in em or weight)
    let columns: Vec<(bool, f64)> = (0..n)
        .map(|i| {
            let body = rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|t| width_of(t))
                .fold(0.0_f64, f64::max);
            let head = header.get(i).map(|h| width_of(h)).unwrap_or(0.0);
            if body <= 5.0 {
                // Short values (scores, four-character names): a fixed width that fits them
                // on one line and the header in lines of at least four characters.
                (true, body.max(head.min(4.0)).max(2.0) + CELL_INSET_EM)
            } else {
                // Square root: a column of long explanations gets more room without
                // starving the others.
                (false, body.sqrt())
            }
        })
        .collect();
    let weights: Vec<String> = share_columns(&columns)
        .into_iter()
        .map(|(fixed, w)| {
            if fixed {
                format!("{w:.2}em")
            } else {
                format!("{w:.2}fr")
            }
        })
        .collect();
    let aligns: Vec<&str> = (0..n)
        .map(|i| match align.get(i) {
            Some(Align::Right) => "right + horizon",
            Some(Align::Center) => "center + horizon",
            _ => "left + horizon",
        })
        .collect();
    wln!(
        s,
        "#table(columns: ({},), align: ({},),",
        weights.join(", "),
        aligns.join(", ")
    );
    if !header.is_empty() {
        s.push_str("  table.header(");
        for i in 0..n {
            let h = header.get(i).map(String::as_str).unwrap_or("");
            w!(
                s,
                "table.cell(align: center + horizon, fill: luma(235))[#text(font: heading-fonts)[{}]],",
                escape(h)
            );
        }
        s.push_str("),\n");
    }
    for row in rows {
        s.push_str("  ");
        for i in 0..n {
            let c = row.get(i).map(String::as_str).unwrap_or("");
            w!(s, "[{}],", escape(c));
        }
        s.push('\n');
    }
    s.push_str(")\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_prefixes_every_markup_character() {
        assert_eq!(escape("3人*4万元"), "3人\\*4万元");
        assert_eq!(escape("#set [a]"), "\\#set \\[a\\]");
        assert_eq!(escape("a\nb"), "a b");
        assert_eq!(escape("\\u{41}"), "\\\\u\\{41\\}");
        assert_eq!(escape("汉字"), "汉字");
    }

    #[test]
    fn flexible_columns_share_the_rest_with_a_floor() {
        // Two fixed columns of 5em; a short and a long flexible column.
        let w = share_columns(&[(true, 5.0), (true, 5.0), (false, 1.0), (false, 20.0)]);
        assert_eq!(w[0], (true, 5.0));
        assert_eq!(w[2], (false, MIN_COLUMN_EM));
        assert!((w[3].1 - (TABLE_EM - 10.0 - MIN_COLUMN_EM)).abs() < 1e-9);
        // Too many fixed columns: everything becomes a weight.
        let w = share_columns(&[(true, 30.0), (true, 30.0), (false, 3.0)]);
        assert!(w.iter().all(|c| !c.0));
    }

    #[test]
    fn string_literal_escapes_quotes_and_backslashes() {
        assert_eq!(string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn runs_use_function_calls_for_emphasis() {
        let mut s = String::new();
        runs(
            &mut s,
            &[
                Run {
                    text: "项目名称".into(),
                    bold: true,
                    italic: false,
                },
                Run {
                    text: "：甲\n乙".into(),
                    bold: false,
                    italic: false,
                },
            ],
        );
        assert_eq!(s, "#strong[项目名称]：甲#linebreak()乙");
    }
}
