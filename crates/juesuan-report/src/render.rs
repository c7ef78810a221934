//! Markdown and HTML renderers for the narrative and the tables.

use juesuan_core::markup::escape as esc;
use juesuan_core::tables::{Cell, Table};
use pulldown_cmark::{html, Options, Parser};

/// Escape the characters that Markdown would read as markup, so text prints as written.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn md_cell(s: &str) -> String {
    escape_markdown(s)
}

fn cell_text(c: &Cell) -> (String, bool) {
    match c {
        Cell::Blank => (String::new(), false),
        Cell::Text { text, indent } => {
            (format!("{}{}", "　".repeat(*indent as usize), text), false)
        }
        Cell::Code { code } => (code.clone(), false),
        Cell::Amount { text, .. } => (text.clone(), true),
    }
}

/// Column captions for a flat (one-row) header: grouped headers become "组·列".
fn flat_header(t: &Table) -> Vec<String> {
    if t.header.len() == 1 {
        return t.header[0].iter().map(|h| h.text.clone()).collect();
    }
    let mut out = Vec::new();
    let mut second = t.header[1].iter();
    for h in &t.header[0] {
        if h.rowspan >= 2 {
            out.push(h.text.clone());
        } else {
            for _ in 0..h.colspan {
                let sub = second.next().map(|s| s.text.clone()).unwrap_or_default();
                out.push(format!("{}·{}", h.text, sub));
            }
        }
    }
    out
}

/// A table as GitHub-flavoured Markdown.
pub fn table_markdown(t: &Table) -> String {
    let mut s = format!("### {} {}\n\n", t.code, escape_markdown(&t.title));
    s.push_str(&format!("单位：{}\n\n", t.unit));
    let header = flat_header(t);
    s.push_str(&format!(
        "| {} |\n",
        header
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    let aligns: Vec<&str> = t
        .rows
        .first()
        .map(|r| {
            r.iter()
                .map(|c| {
                    if matches!(c, Cell::Amount { .. }) {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect()
        })
        .unwrap_or_else(|| header.iter().map(|_| "---").collect());
    s.push_str(&format!("|{}|\n", aligns.join("|")));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(&cell_text(c).0)).collect();
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if let Some(note) = &t.note {
        s.push_str(&format!("\n注：{note}\n"));
    }
    s.push('\n');
    s
}

/// A table as HTML with merged header cells.
pub fn table_html(t: &Table) -> String {
    let mut s = format!(
        "<section class=\"table\" id=\"{}\">\n<h3>{} {}</h3>\n<p class=\"unit\">单位：{}</p>\n<table>\n<thead>\n",
        esc(&t.id),
        esc(&t.code),
        esc(&t.title),
        esc(&t.unit)
    );
    for row in &t.header {
        s.push_str("<tr>");
        for h in row {
            s.push_str("<th");
            if h.colspan > 1 {
                s.push_str(&format!(" colspan=\"{}\"", h.colspan));
            }
            if h.rowspan > 1 {
                s.push_str(&format!(" rowspan=\"{}\"", h.rowspan));
            }
            s.push_str(&format!(">{}</th>", esc(&h.text)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</thead>\n<tbody>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for c in row {
            let (text, num) = cell_text(c);
            match c {
                Cell::Amount { row, column, .. } => s.push_str(&format!(
                    "<td class=\"num\" data-row=\"{}\" data-col=\"{}\">{}</td>",
                    esc(row),
                    esc(column),
                    esc(&text)
                )),
                _ if num => s.push_str(&format!("<td class=\"num\">{}</td>", esc(&text))),
                _ => s.push_str(&format!("<td>{}</td>", esc(&text))),
            }
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    if let Some(note) = &t.note {
        s.push_str(&format!("<p class=\"note\">注：{}</p>\n", esc(note)));
    }
    s.push_str("</section>\n");
    s
}

/// Markdown → HTML (tables and strikethrough enabled).
pub fn markdown_to_html(md: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(md, Options::ENABLE_TABLES));
    out
}

pub const CSS: &str = r#"
@page { size: A4; margin: 2.5cm 2cm; }
body { font-family: "FangSong_GB2312", "仿宋_GB2312", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC", serif; font-size: 16px; line-height: 1.8; max-width: 960px; margin: 0 auto; padding: 1em; color: #111; }
h1, h2, h3, h4 { font-family: "方正小标宋简体", "SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
h1 { text-align: center; font-size: 26px; }
h2 { font-size: 21px; margin-top: 2em; }
h3 { font-size: 18px; }
h4 { font-size: 16px; }
p { text-indent: 2em; text-align: justify; }
figure { text-align: center; margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 14px; }
section.table { margin: 2em 0; page-break-inside: avoid; }
section.table p { text-indent: 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #333; padding: 2px 6px; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
p.unit { text-align: right; margin: 0; }
p.note { font-size: 13px; }
.evaluation table { margin: 1em 0; }
.evaluation th, .evaluation td { min-width: 4em; }
.evaluation p { text-indent: 0; }
"#;
