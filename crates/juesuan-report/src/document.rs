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
    let mut b = BlockReader::default();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(tag) => b.start(tag),
            Event::End(tag) => b.end(tag),
            Event::Text(t) | Event::Code(t) => {
                if b.table.is_some() {
                    b.cell.push_str(&t);
                } else {
                    b.push_text(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if b.table.is_some() {
                    b.cell.push(' ');
                } else {
                    b.push_text("\n");
                }
            }
            Event::Rule => b.out.push(Block::Rule),
            // Raw HTML and images do not occur in rendered narrative; charts are directives.
            _ => {}
        }
    }
    b.out
}

/// What [`markdown_blocks`] keeps between events: the blocks so far and those still open.
#[derive(Default)]
struct BlockReader {
    out: Vec<Block>,
    runs: Vec<Run>,
    bold: u32,
    italic: u32,
    /// Open list stack: next number (None for bullets) and the items collected so far.
    lists: Vec<(Option<u64>, Vec<ListItem>)>,
    heading: Option<u8>,
    /// Simple table under construction.
    table: Option<SimpleTable>,
    in_head: bool,
    row: Vec<String>,
    cell: String,
}

impl BlockReader {
    /// Appends text to the last run when its emphasis is the same, else starts a run.
    fn push_text(&mut self, text: &str) {
        let (bold, italic) = (self.bold > 0, self.italic > 0);
        if let Some(last) = self.runs.last_mut() {
            if last.bold == bold && last.italic == italic {
                last.text.push_str(text);
                return;
            }
        }
        self.runs.push(Run {
            text: text.to_string(),
            bold,
            italic,
        });
    }

    /// Opens a heading, paragraph, list, item, table part or emphasis.
    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => {
                self.heading = Some(level as u8);
                self.runs.clear();
            }
            Tag::Paragraph if self.lists.is_empty() => self.runs.clear(),
            Tag::List(start) => {
                // A nested list ends the parent item's text so far.
                if let Some((number, items)) = self.lists.last_mut() {
                    if !self.runs.is_empty() {
                        items.push(ListItem {
                            label: label(number),
                            runs: std::mem::take(&mut self.runs),
                        });
                    }
                }
                self.lists.push((start, Vec::new()));
            }
            Tag::Item => self.runs.clear(),
            Tag::Table(aligns) => {
                let align = aligns
                    .iter()
                    .map(|a| match a {
                        Alignment::Right => Align::Right,
                        Alignment::Center => Align::Center,
                        _ => Align::Left,
                    })
                    .collect();
                self.table = Some((align, Vec::new(), Vec::new()));
            }
            Tag::TableHead => self.in_head = true,
            Tag::TableRow => self.row.clear(),
            Tag::TableCell => self.cell.clear(),
            Tag::Strong => self.bold += 1,
            Tag::Emphasis => self.italic += 1,
            _ => {}
        }
    }

    /// Closes what [`Self::start`] opened, emitting the finished block.
    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                let text: String = self.runs.drain(..).map(|r| r.text).collect();
                self.out.push(Block::Heading {
                    level: self.heading.take().unwrap_or(2),
                    text,
                });
            }
            TagEnd::Paragraph if self.lists.is_empty() && self.table.is_none() => {
                let r = std::mem::take(&mut self.runs);
                if !r.is_empty() {
                    self.out.push(Block::Paragraph { runs: r });
                }
            }
            TagEnd::List(_) => {
                if let Some((_, items)) = self.lists.pop() {
                    match self.lists.last_mut() {
                        Some((_, parent)) => parent.extend(items),
                        None => self.out.push(Block::List { items }),
                    }
                }
            }
            TagEnd::Item => {
                if let Some((number, items)) = self.lists.last_mut() {
                    let r = std::mem::take(&mut self.runs);
                    if !r.is_empty() {
                        items.push(ListItem {
                            label: label(number),
                            runs: r,
                        });
                    }
                }
            }
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            other => self.end_table_part(other),
        }
    }

    /// Closes a table, its head, a row or a cell.
    fn end_table_part(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Table => {
                if let Some((align, header, rows)) = self.table.take() {
                    self.out.push(Block::Table {
                        header,
                        rows,
                        align,
                    });
                }
            }
            TagEnd::TableHead => {
                self.in_head = false;
                if let Some((_, header, _)) = self.table.as_mut() {
                    *header = std::mem::take(&mut self.row);
                }
            }
            TagEnd::TableRow => {
                if let Some((_, _, rows)) = self.table.as_mut() {
                    if !self.in_head {
                        rows.push(std::mem::take(&mut self.row));
                    }
                }
            }
            TagEnd::TableCell => self.row.push(std::mem::take(&mut self.cell)),
            _ => {}
        }
    }
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
