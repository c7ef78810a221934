//! The report as a sequence of blocks: the structured form the Word and PDF writers lay out.
//!
//! Built from the same rendered narrative as report.md and report.html (so all formats say the
//! same words), with the disclosure tables and charts kept as references into
//! [`Report::tables`](crate::Report::tables) and [`Report::charts`](crate::Report::charts)
//! instead of being flattened to Markdown, because Word and PDF need their merged header cells.

use pulldown_cmark::{Alignment, Event, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// A piece of inline text with its emphasis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bold: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub italic: bool,
}

/// One item of a list, with the label to print before it ("1." or "•").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListItem {
    pub label: String,
    pub runs: Vec<Run>,
}

/// Column alignment of a simple table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A block of the report, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Level 1 is the document title; 2 the parts (第一部分…); 3 and 4 the sections below.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        runs: Vec<Run>,
    },
    List {
        items: Vec<ListItem>,
    },
    /// A disclosure table: `Report::tables[index]` (merged headers, amounts, note).
    DisclosureTable {
        index: usize,
    },
    /// A chart: `Report::charts[index]` (SVG and title).
    Chart {
        index: usize,
    },
    /// A plain table (the evaluation tables): header row, body rows, column alignments.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        align: Vec<Align>,
    },
    /// A thematic break in the narrative.
    Rule,
}

impl Block {
    /// The plain text of a heading or paragraph (for tests and outlines).
    pub fn text(&self) -> String {
        match self {
            Block::Heading { text, .. } => text.clone(),
            Block::Paragraph { runs } => runs.iter().map(|r| r.text.as_str()).collect(),
            Block::List { items } => items
                .iter()
                .map(|i| {
                    let body: String = i.runs.iter().map(|r| r.text.as_str()).collect();
                    format!("{} {body}", i.label)
                })
                .collect::<Vec<_>>()
                .join("\n"),
            _ => String::new(),
        }
    }
}

/// A plain table being read: alignments, header cells, body rows.
type SimpleTable = (Vec<Align>, Vec<String>, Vec<Vec<String>>);

/// Parse rendered narrative Markdown into blocks (headings, paragraphs, lists, tables).
pub fn markdown_blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut bold = 0u32;
    let mut italic = 0u32;
    // Open list stack: next number (None for bullets) and the items collected so far.
    let mut lists: Vec<(Option<u64>, Vec<ListItem>)> = Vec::new();
    let mut heading: Option<u8> = None;
    // Simple table under construction.
    let mut table: Option<SimpleTable> = None;
    let mut in_head = false;
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();

    let push_text = |runs: &mut Vec<Run>, text: &str, bold: bool, italic: bool| {
        if let Some(last) = runs.last_mut() {
            if last.bold == bold && last.italic == italic {
                last.text.push_str(text);
                return;
            }
        }
        runs.push(Run {
            text: text.to_string(),
            bold,
            italic,
        });
    };

    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(level as u8);
                runs.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                let text: String = runs.drain(..).map(|r| r.text).collect();
                out.push(Block::Heading {
                    level: heading.take().unwrap_or(2),
                    text,
                });
            }
            Event::Start(Tag::Paragraph) if lists.is_empty() => runs.clear(),
            Event::End(TagEnd::Paragraph) if lists.is_empty() && table.is_none() => {
                let r = std::mem::take(&mut runs);
                if !r.is_empty() {
                    out.push(Block::Paragraph { runs: r });
                }
            }
            Event::Start(Tag::List(start)) => {
                // A nested list ends the parent item's text so far.
                if let Some((number, items)) = lists.last_mut() {
                    if !runs.is_empty() {
                        items.push(ListItem {
                            label: label(number),
                            runs: std::mem::take(&mut runs),
                        });
                    }
                }
                lists.push((start, Vec::new()));
            }
            Event::End(TagEnd::List(_)) => {
                if let Some((_, items)) = lists.pop() {
                    match lists.last_mut() {
                        Some((_, parent)) => parent.extend(items),
                        None => out.push(Block::List { items }),
                    }
                }
            }
            Event::Start(Tag::Item) => runs.clear(),
            Event::End(TagEnd::Item) => {
                if let Some((number, items)) = lists.last_mut() {
                    let r = std::mem::take(&mut runs);
                    if !r.is_empty() {
                        items.push(ListItem {
                            label: label(number),
                            runs: r,
                        });
                    }
                }
            }
            Event::Start(Tag::Table(aligns)) => {
                let align = aligns
                    .iter()
                    .map(|a| match a {
                        Alignment::Right => Align::Right,
                        Alignment::Center => Align::Center,
                        _ => Align::Left,
                    })
                    .collect();
                table = Some((align, Vec::new(), Vec::new()));
            }
            Event::End(TagEnd::Table) => {
                if let Some((align, header, rows)) = table.take() {
                    out.push(Block::Table {
                        header,
                        rows,
                        align,
                    });
                }
            }
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let Some((_, header, _)) = table.as_mut() {
                    *header = std::mem::take(&mut row);
                }
            }
            Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableRow) => {
                if let Some((_, _, rows)) = table.as_mut() {
                    if !in_head {
                        rows.push(std::mem::take(&mut row));
                    }
                }
            }
            Event::Start(Tag::TableCell) => cell.clear(),
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut cell)),
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold = bold.saturating_sub(1),
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic = italic.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if table.is_some() {
                    cell.push_str(&t);
                } else {
                    push_text(&mut runs, &t, bold > 0, italic > 0);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if table.is_some() {
                    cell.push(' ');
                } else {
                    push_text(&mut runs, "\n", bold > 0, italic > 0);
                }
            }
            Event::Rule => out.push(Block::Rule),
            // Raw HTML and images do not occur in rendered narrative; charts are directives.
            _ => {}
        }
    }
    out
}

fn label(number: &mut Option<u64>) -> String {
    match number {
        Some(n) => {
            let l = format!("{n}.");
            *n += 1;
            l
        }
        None => "•".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_lists_and_tables() {
        let md = "# 标题\n\n## 第一部分\n\n正文**加粗**与*斜体*，3人\\*4万元。\n\n1. 甲\n2. 乙\n\n- 丙\n\n| 指标 | 分值 |\n|---|---:|\n| 产出 | 20.00 |\n";
        let blocks = markdown_blocks(md);
        assert_eq!(
            blocks[0],
            Block::Heading {
                level: 1,
                text: "标题".into()
            }
        );
        assert_eq!(blocks[1].text(), "第一部分");
        let Block::Paragraph { runs } = &blocks[2] else {
            panic!("{:?}", blocks[2])
        };
        assert_eq!(runs.len(), 5);
        assert!(runs[1].bold && runs[1].text == "加粗");
        assert!(runs[3].italic && runs[3].text == "斜体");
        assert_eq!(blocks[2].text(), "正文加粗与斜体，3人*4万元。");
        assert_eq!(blocks[3].text(), "1. 甲\n2. 乙");
        assert_eq!(blocks[4].text(), "• 丙");
        assert_eq!(
            blocks[5],
            Block::Table {
                header: vec!["指标".into(), "分值".into()],
                rows: vec![vec!["产出".into(), "20.00".into()]],
                align: vec![Align::Left, Align::Right],
            }
        );
        assert_eq!(blocks.len(), 6);
    }

    #[test]
    fn ordered_list_keeps_its_start_number() {
        let blocks = markdown_blocks("3. 丙\n4. 丁\n");
        assert_eq!(blocks[0].text(), "3. 丙\n4. 丁");
    }
}
