//! Reading a classification catalogue as the Ministry of Finance publishes it (《X年政府收支
//! 分类科目》 as Excel or Word tables) into a catalogue data file (`juesuan data
//! import-catalogue`, docs/data-files.md §3).
//!
//! The caller reads the tables (juesuan-xlsx for workbooks, juesuan-readers for .docx) into
//! [`SourceTable`]s of plain cell texts; this module finds the header and reads the codes:
//! - 科目编码 | 科目名称 | 说明 — full codes (201, 20101, 2010101) in one column;
//! - 类 | 款 | 项 | 科目名称 — the code split over columns, 款 and 项 given as two digits
//!   under the 类 or 款 above them (the printed layout);
//! - several 科目编码/科目名称 pairs side by side (an official-software or our template's
//!   科目代码 sheet): the pair whose title above names the kind (功能 / 经济) is read.
//!
//! Codes of other classifications in the same document (收入分类 1xx, 政府预算支出经济分类
//! 5xx) are skipped and counted; anything else that is not a code and a name is an error
//! naming its cell, and nothing is written.

use juesuan_core::catalogue::{Catalogue, ClassificationKind};
use std::collections::BTreeMap;

/// One table of a document: a worksheet, or a Word table.
#[derive(Debug, Clone)]
pub struct SourceTable {
    /// How messages name it: "工作表“科目代码”", "第2个表格".
    pub name: String,
    /// True for a worksheet (cells are named A1, B5), false for a Word table (row and column).
    pub spreadsheet: bool,
    pub rows: Vec<SourceRow>,
}

/// One row: its zero-based number in the table and its cell texts by column.
#[derive(Debug, Clone)]
pub struct SourceRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// A catalogue read from a document.
#[derive(Debug, Clone)]
pub struct ImportedCatalogue {
    pub kind: ClassificationKind,
    pub year: i32,
    pub codes: BTreeMap<String, String>,
    /// Rows skipped as codes of another classification (收入分类, 政府预算经济分类).
    pub skipped_other: usize,
    /// The tables read (names), for the file's header.
    pub tables: Vec<String>,
}

/// Where the code sits in a table's columns.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// The whole code in one column.
    Code { code: usize, name: usize },
    /// 类 / 款 / 项 columns (项 absent for the economic classification).
    Split {
        class: usize,
        section: usize,
        item: Option<usize>,
        name: usize,
    },
}

/// A cell's text without spaces (a code printed "201 01 01" is 2010101), full-width digits
/// (２０１) made ASCII.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            _ => c,
        })
        .collect()
}

/// "A" for 0, "AB" for 27.
fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

impl SourceTable {
    fn cell_place(&self, row: &SourceRow, col: usize) -> String {
        if self.spreadsheet {
            format!(
                "{}单元格{}{}",
                self.name,
                column_letters(col),
                row.number + 1
            )
        } else {
            format!("{}第{}行第{}列", self.name, row.number + 1, col + 1)
        }
    }

    fn row_place(&self, row: &SourceRow) -> String {
        format!("{}第{}行", self.name, row.number + 1)
    }
}

fn cell(row: &SourceRow, col: usize) -> String {
    row.cells.get(col).map(|s| clean(s)).unwrap_or_default()
}

/// The first code digit of a classification: 支出功能分类 2xx, 部门预算支出经济分类 3xx.
fn first_digit(kind: ClassificationKind) -> char {
    match kind {
        ClassificationKind::Function => '2',
        ClassificationKind::Economic => '3',
    }
}

fn kind_word(kind: ClassificationKind) -> &'static str {
    match kind {
        ClassificationKind::Function => "功能",
        ClassificationKind::Economic => "经济",
    }
}

/// The header of a table: its row index and the layout, or an error when a header names
/// several code columns and none is titled for this kind.
fn find_header(
    table: &SourceTable,
    kind: ClassificationKind,
) -> Result<Option<(usize, Layout)>, String> {
    for (i, row) in table.rows.iter().enumerate() {
        let texts: Vec<String> = row.cells.iter().map(|c| clean(c)).collect();
        let code_cols: Vec<usize> = (0..texts.len())
            .filter(|&c| matches!(texts[c].as_str(), "科目编码" | "科目代码" | "编码"))
            .collect();
        let name_of = |from: usize| {
            (from..texts.len()).find(|&c| matches!(texts[c].as_str(), "科目名称" | "名称"))
        };
        let class_col = texts.iter().position(|t| t == "类");
        if code_cols.is_empty() && class_col.is_none() {
            continue;
        }
        // The split layout: 类/款/项 on this row (or on the next, under a merged 科目编码).
        let below = table
            .rows
            .get(i + 1)
            .map(|r| r.cells.iter().map(|c| clean(c)).collect::<Vec<_>>());
        for (at, cols) in [(i, Some(&texts)), (i + 1, below.as_ref())] {
            let Some(cols) = cols else { continue };
            let find = |w: &str| cols.iter().position(|t| t == w);
            if let (Some(class), Some(section)) = (find("类"), find("款")) {
                let item = find("项");
                let last = item.unwrap_or(section).max(class);
                // A Word header whose 科目编码 spans the 类/款/项 columns is one cell, so
                // its 科目名称 sits at a smaller index than in the rows: then it is the
                // column after the code columns.
                let name = match name_of(0) {
                    Some(n) if n > last => n,
                    Some(_) => last + 1,
                    None => {
                        return Err(format!(
                            "{}：有“类”“款”列，但没有“科目名称”列",
                            table.row_place(row)
                        ))
                    }
                };
                return Ok(Some((
                    at,
                    Layout::Split {
                        class,
                        section,
                        item,
                        name,
                    },
                )));
            }
        }
        let pairs: Vec<(usize, usize)> = code_cols
            .iter()
            .filter_map(|&c| name_of(c + 1).map(|n| (c, n)))
            .collect();
        let chosen = match pairs.as_slice() {
            [] => continue,
            [one] => *one,
            many => {
                let titled = |&&(c, _): &&(usize, usize)| {
                    table.rows[..i]
                        .iter()
                        .any(|r| cell(r, c).contains(kind_word(kind)))
                };
                *many.iter().find(titled).ok_or_else(|| {
                    format!(
                        "{}：有{}组“科目编码/科目名称”列，其上方的标题都没有写明“{}分类”",
                        table.row_place(row),
                        many.len(),
                        kind_word(kind)
                    )
                })?
            }
        };
        return Ok(Some((
            i,
            Layout::Code {
                code: chosen.0,
                name: chosen.1,
            },
        )));
    }
    Ok(None)
}

/// Read the catalogue of `kind` from the tables of one document (only the sheets named as
/// catalogues — 科目, 目录, 分类 — where there are any). Errors are Chinese, each naming its
/// table and cell (or row) and what to do.
pub fn import_catalogue(
    tables: &[SourceTable],
    kind: ClassificationKind,
    year: i32,
) -> Result<ImportedCatalogue, Vec<String>> {
    let mut out = ImportedCatalogue {
        kind,
        year,
        codes: BTreeMap::new(),
        skipped_other: 0,
        tables: Vec::new(),
    };
    let mut places: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    // A workbook exported with the disclosure tables has 科目编码 columns on every table
    // sheet: when some sheets are named as catalogues, only they are read.
    let named = |t: &&SourceTable| ["科目", "目录", "分类"].iter().any(|w| t.name.contains(w));
    let chosen: Vec<&SourceTable> = if tables.iter().any(|t| named(&t)) {
        tables.iter().filter(named).collect()
    } else {
        tables.iter().collect()
    };
    for table in chosen {
        let (header, layout) = match find_header(table, kind) {
            Ok(Some(h)) => h,
            Ok(None) => continue,
            Err(e) => {
                problems.push(format!("{e}。请只保留一组，或在其上方写明分类名称"));
                continue;
            }
        };
        out.tables.push(table.name.clone());
        let mut reader = RowReader {
            table,
            kind,
            layout,
            class: String::new(),
            section: String::new(),
        };
        for row in &table.rows[header + 1..] {
            match reader.read(row) {
                Ok(None) => {}
                Ok(Some(Read::Other)) => out.skipped_other += 1,
                Ok(Some(Read::Code(code, name, place))) => {
                    if let Some(old) = out.codes.get(&code) {
                        if *old != name {
                            problems.push(format!(
                                "{place}：科目“{code}”的名称“{name}”与{}的“{old}”不同。请核对后只保留一个",
                                places[&code]
                            ));
                        }
                        continue;
                    }
                    places.insert(code.clone(), place);
                    out.codes.insert(code, name);
                }
                Err(e) => problems.push(e),
            }
        }
    }
    check_parents(&out.codes, &places, &mut problems);
    if problems.is_empty() && out.codes.is_empty() {
        problems.push(format!(
            "没有找到{}科目：需要有“科目编码”和“科目名称”列（或“类”“款”“项”和“科目名称”列）的表格，\
科目编码以 {} 开头。请确认文件是财政部《{year}年政府收支分类科目》的{}部分，或官方软件导出的科目代码表",
            kind.label(),
            first_digit(kind),
            kind.label()
        ));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Every 款 and 项 needs its 类 and 款: a missing parent means rows were lost or mistyped.
fn check_parents(
    codes: &BTreeMap<String, String>,
    places: &BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    for code in codes.keys() {
        if let Some(parent) = juesuan_core::catalogue::parent_code(code) {
            if !codes.contains_key(parent) {
                problems.push(format!(
                    "{}：科目“{code}”的上级科目“{parent}”不在表中。请补上该行，或核对编码",
                    places[code]
                ));
            }
        }
    }
}

enum Read {
    /// (code, name, place of the code cell)
    Code(String, String, String),
    /// A code of another classification.
    Other,
}

/// Reads data rows of one table, carrying the 类 and 款 above for the split layout.
struct RowReader<'a> {
    table: &'a SourceTable,
    kind: ClassificationKind,
    layout: Layout,
    class: String,
    section: String,
}

impl RowReader<'_> {
    fn read(&mut self, row: &SourceRow) -> Result<Option<Read>, String> {
        let (code_col, name_col) = match self.layout {
            Layout::Code { code, name } => (code, name),
            Layout::Split { class, name, .. } => (class, name),
        };
        let name = cell(row, name_col);
        let code = match self.layout {
            Layout::Code { code, .. } => {
                let c = cell(row, code);
                if matches!(c.as_str(), "科目编码" | "科目代码" | "编码") {
                    return Ok(None); // the header repeated on a new page
                }
                c
            }
            Layout::Split { .. } => match self.split_code(row)? {
                Some(c) => c,
                None if matches!(name.as_str(), "" | "科目名称") => return Ok(None),
                None => String::new(),
            },
        };
        if code.is_empty() {
            if name.is_empty() {
                return Ok(None);
            }
            return Err(format!(
                "{}：有科目名称“{name}”而没有科目编码。请补上编码，或删除该行",
                self.table.cell_place(row, code_col)
            ));
        }
        let place = self.table.cell_place(row, code_col);
        let levels: &[usize] = match self.kind {
            ClassificationKind::Function => &[3, 5, 7],
            ClassificationKind::Economic => &[3, 5],
        };
        if !code.chars().all(|c| c.is_ascii_digit()) || !levels.contains(&code.len()) {
            if code.chars().all(|c| c.is_ascii_digit()) && !code.starts_with(first_digit(self.kind))
            {
                return Ok(Some(Read::Other));
            }
            return Err(format!(
                "{place}：科目编码“{code}”格式错误，{}科目编码为{}位数字。请改正该格",
                self.kind.label(),
                levels
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            ));
        }
        if !code.starts_with(first_digit(self.kind)) {
            return Ok(Some(Read::Other));
        }
        if name.is_empty() {
            return Err(format!(
                "{}：科目“{code}”没有名称。请在该格填写科目名称",
                self.table.cell_place(row, name_col)
            ));
        }
        Ok(Some(Read::Code(code, name, place)))
    }

    /// The full code of a row in the 类/款/项 layout, from its own cells and the 类 and 款
    /// above; `None` when the row has no code cell at all.
    fn split_code(&mut self, row: &SourceRow) -> Result<Option<String>, String> {
        let Layout::Split {
            class,
            section,
            item,
            ..
        } = self.layout
        else {
            unreachable!("split layout only")
        };
        // A 款 or 项 typed as a number in Excel loses its leading zero ("01" → 1).
        let two = |t: String| {
            if t.len() == 1 && t.chars().all(|ch| ch.is_ascii_digit()) {
                format!("0{t}")
            } else {
                t
            }
        };
        let (c, s) = (cell(row, class), two(cell(row, section)));
        let i = two(item.map(|col| cell(row, col)).unwrap_or_default());
        if c == "类" {
            return Ok(None); // the header repeated
        }
        let bad = |col: usize, text: &str, want: &str| {
            format!(
                "{}：“{text}”不是{want}。请改正该格",
                self.table.cell_place(row, col)
            )
        };
        let digits = |t: &str| !t.is_empty() && t.chars().all(|ch| ch.is_ascii_digit());
        if !c.is_empty() {
            if !digits(&c) || c.len() != 3 {
                return Err(bad(class, &c, "3位数字的类级编码"));
            }
            self.class = c.clone();
            self.section.clear();
        }
        let full = |parent: &str, own: &str, len: usize| -> Option<String> {
            match own.len() {
                2 if !parent.is_empty() => Some(format!("{parent}{own}")),
                n if n == len => Some(own.to_string()),
                _ => None,
            }
        };
        if !s.is_empty() {
            let code = full(&self.class, &s, 5)
                .filter(|_| digits(&s))
                .ok_or_else(|| bad(section, &s, "2位（或5位）数字的款级编码，且其上方须有类"))?;
            self.class = code[..3].to_string();
            self.section = code.clone();
            if i.is_empty() {
                return Ok(Some(code));
            }
        }
        if !i.is_empty() {
            let col = item.expect("item text read from its column");
            let code = full(&self.section, &i, 7)
                .filter(|_| digits(&i))
                .ok_or_else(|| bad(col, &i, "2位（或7位）数字的项级编码，且其上方须有款"))?;
            return Ok(Some(code));
        }
        Ok((!c.is_empty()).then_some(c))
    }
}

/// The catalogue data file for an imported catalogue: a header saying where it came from and
/// how much it holds, then `kind`, `year`, `title`, `[codes]`, and for the economic
/// classification the groups (人员经费 / 公用经费) of `groups_from`, which the official list
/// does not carry. The text is checked to load before it is returned.
pub fn catalogue_file_text(
    imported: &ImportedCatalogue,
    source: &str,
    groups_from: Option<&Catalogue>,
) -> Result<String, String> {
    let count = |len: usize| imported.codes.keys().filter(|c| c.len() == len).count();
    let year = imported.year;
    let label = imported.kind.label();
    let mut out = format!(
        "# {year}年政府收支分类科目（{label}），由 juesuan data import-catalogue 导入\n\
# Source: {} ({})\n# Holds: {} 类, {} 款{}",
        toml_comment(source),
        toml_comment(&imported.tables.join("、")),
        count(3),
        count(5),
        if imported.kind == ClassificationKind::Function {
            format!(", {} 项", count(7))
        } else {
            String::new()
        }
    );
    if imported.skipped_other > 0 {
        out.push_str(&format!(
            "; {} rows of other classifications skipped",
            imported.skipped_other
        ));
    }
    out.push('\n');
    let kind = match imported.kind {
        ClassificationKind::Function => "function",
        ClassificationKind::Economic => "economic",
    };
    let title = format!("{year}年政府收支分类科目（{label}）");
    out.push_str(&format!(
        "kind = \"{kind}\"\nyear = {year}\ntitle = {}\n\n[codes]\n",
        toml::Value::String(title)
    ));
    for (code, name) in &imported.codes {
        out.push_str(&format!(
            "\"{code}\" = {}\n",
            toml::Value::String(name.clone())
        ));
    }
    if let Some(groups) = groups_from.map(|c| c.groups()).filter(|g| !g.is_empty()) {
        let from = groups_from.map_or(0, |c| c.year);
        out.push_str(&format!(
            "\n# 人员经费 / 公用经费 groups, which the official list does not carry: from juesuan's {from} catalogue.\n[groups]\n"
        ));
        for (name, prefixes) in groups {
            let list: Vec<String> = prefixes.iter().map(|p| format!("\"{p}\"")).collect();
            out.push_str(&format!("{name} = [{}]\n", list.join(", ")));
        }
    }
    Catalogue::from_toml(&out, "导入结果")?;
    Ok(out)
}

/// A text safe on one comment line.
fn toml_comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, rows: &[&[&str]]) -> SourceTable {
        SourceTable {
            name: name.into(),
            spreadsheet: true,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| SourceRow {
                    number: i as u32,
                    cells: r.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_split_layout_builds_codes_from_the_rows_above() {
        let t = table(
            "工作表“支出功能分类”",
            &[
                &["2025年政府收支分类科目"],
                &["科目编码", "", "", "科目名称", "说明"],
                &["类", "款", "项", "", ""],
                &["201", "", "", "一般公共服务支出", "反映……"],
                &["", "01", "", "人大事务", ""],
                &["", "", "1", "行政运行", ""],
                &["", "", "99", "其他人大事务支出", ""],
                &["101", "", "", "税收收入", ""],
                &["", "", "", "", "续上页说明"],
            ],
        );
        let c = import_catalogue(&[t], ClassificationKind::Function, 2025).unwrap();
        let codes: Vec<&str> = c.codes.keys().map(String::as_str).collect();
        assert_eq!(codes, ["201", "20101", "2010101", "2010199"]);
        assert_eq!(c.skipped_other, 1);
        let text = catalogue_file_text(&c, "a.xlsx", None).unwrap();
        let back = Catalogue::from_toml(&text, "t").unwrap();
        assert_eq!(back.name("2010199"), Some("其他人大事务支出"));
        assert_eq!(back.year, 2025);
    }

    #[test]
    fn side_by_side_pairs_are_chosen_by_their_title() {
        let t = table(
            "工作表“科目代码”",
            &[
                &["2021年支出功能分类", "", "", "2021年部门预算支出经济分类"],
                &["科目编码", "科目名称", "", "科目编码", "科目名称"],
                &["201", "一般公共服务支出", "", "301", "工资福利支出"],
                &["", "", "", "30101", "基本工资"],
            ],
        );
        let e =
            import_catalogue(std::slice::from_ref(&t), ClassificationKind::Economic, 2021).unwrap();
        assert_eq!(e.codes.len(), 2);
        let f = import_catalogue(&[t], ClassificationKind::Function, 2021).unwrap();
        assert_eq!(f.codes.keys().collect::<Vec<_>>(), ["201"]);
    }

    #[test]
    fn bad_rows_are_named_by_cell_and_nothing_is_returned() {
        let t = table(
            "工作表“目录”",
            &[
                &["科目编码", "科目名称"],
                &["201", "一般公共服务支出"],
                &["2O101", "人大事务"],
                &["２０１ 99", "其他一般公共服务支出"],
                &["2010101", ""],
                &["", "无编码的名称"],
                &["2020101", "行政运行"],
            ],
        );
        let errors = import_catalogue(&[t], ClassificationKind::Function, 2025).unwrap_err();
        let all = errors.join("\n");
        assert!(all.contains("单元格A3：科目编码“2O101”格式错误"), "{all}");
        assert!(all.contains("单元格B5：科目“2010101”没有名称"), "{all}");
        assert!(
            all.contains("单元格A6：有科目名称“无编码的名称”而没有科目编码"),
            "{all}"
        );
        assert!(
            all.contains("单元格A7：科目“2020101”的上级科目“20201”不在表中"),
            "{all}"
        );
        // The full-width, spaced “２０１ 99” is read as the code 20199: no error names it.
        assert!(!all.contains("A4") && !all.contains("２"), "{all}");
        assert_eq!(errors.len(), 4, "{all}");
        let none = import_catalogue(
            &[table("第1个表格", &[&["甲", "乙"]])],
            ClassificationKind::Function,
            2025,
        )
        .unwrap_err();
        assert!(none[0].contains("没有找到支出功能分类科目"), "{none:?}");
        assert_eq!(column_letters(27), "AB");
    }
}
