//! Writing disclosure tables as a workbook laid out like the official templates, and the
//! empty fill-in template.

use crate::error::XlsxError;
use crate::text::{amount_to_f64, display_width};
use juesuan_core::catalogue::Catalogue;
use juesuan_core::facts::FactTable;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::tables::{derive_table, Cell, Layout, Table, TableSet, TableSpec};
use juesuan_core::{Catalogues, UnitYear};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use std::collections::HashSet;

/// Rows of the sheet before the header: 0 year and table code, 1 title, 2 unit line.
const HEADER_TOP: u32 = 3;
/// A4 in Excel's paper size numbering.
const PAPER_A4: u8 = 9;
/// Blank entry rows the template offers where a classification tree goes.
const TEMPLATE_TREE_ROWS: usize = 15;
/// The note cell's name text the importer looks for (编制单位).
pub const PREPARER_LABEL: &str = "编制单位：";

struct Formats {
    title: Format,
    meta: Format,
    meta_right: Format,
    header: Format,
    code: Format,
    text: [Format; 3],
    amount: Format,
    blank: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        let text = |indent: u8| {
            let f = border(Format::new().set_align(FormatAlign::VerticalCenter));
            if indent > 0 {
                f.set_indent(indent)
            } else {
                f
            }
        };
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            meta: Format::new().set_font_size(10),
            meta_right: Format::new()
                .set_font_size(10)
                .set_align(FormatAlign::Right),
            header: border(
                Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter)
                    .set_text_wrap()
                    .set_background_color("#F2F2F2"),
            ),
            code: border(Format::new().set_num_format("@")),
            text: [text(0), text(1), text(2)],
            amount: border(Format::new().set_num_format("0.00")),
            blank: border(Format::new()),
            note: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_size(10),
        }
    }
}

/// What a sheet is written for.
struct SheetContext<'a> {
    preparer: &'a str,
    year: i32,
    /// The fill-in template: amounts are left empty and tree rows are offered blank.
    template: Option<&'a TableSpec>,
}

/// Sheet names: the official code (公开01表) or the title; at most 31 characters, none of
/// the characters Excel forbids, unique within the workbook.
fn sheet_name(table: &Table, used: &mut HashSet<String>) -> String {
    let base = if table.code.trim().is_empty() {
        table.title.as_str()
    } else {
        table.code.as_str()
    };
    let clean: String = base
        .chars()
        .map(|c| {
            if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .take(31)
        .collect();
    let clean = if clean.trim().is_empty() {
        "表".to_string()
    } else {
        clean
    };
    let mut name = clean.clone();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        let suffix = format!("({n})");
        let keep = 31 - suffix.chars().count();
        name = format!("{}{suffix}", clean.chars().take(keep).collect::<String>());
        n += 1;
    }
    name
}

fn money_unit(table: &Table) -> MoneyUnit {
    if table.unit == "元" {
        MoneyUnit::Yuan
    } else {
        MoneyUnit::Wan
    }
}

/// Columns of the table: the widest data row, or the header's span.
fn column_count(table: &Table) -> u16 {
    let from_rows = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    let from_header = table
        .header
        .first()
        .map(|r| r.iter().map(|c| c.colspan as usize).sum())
        .unwrap_or(0);
    from_rows.max(from_header).max(1) as u16
}

/// Stub columns to freeze: everything before the first amount column of a grid table.
fn stub_columns(table: &Table) -> u16 {
    table
        .rows
        .first()
        .and_then(|r| r.iter().position(|c| matches!(c, Cell::Amount { .. })))
        .unwrap_or(0) as u16
}

/// Write one table on a worksheet; returns nothing but errors of the writer.
fn write_table(
    ws: &mut Worksheet,
    table: &Table,
    cx: &SheetContext,
    f: &Formats,
) -> Result<(), XlsxError> {
    let ncols = column_count(table);
    let last = ncols - 1;
    let mut widths = Widths(vec![8; ncols as usize]);

    // Top lines: year and code, title, preparer and unit.
    ws.write_string_with_format(0, 0, format!("{}年度", cx.year), &f.meta)?;
    if !table.code.is_empty() {
        ws.write_string_with_format(0, last, &table.code, &f.meta_right)?;
    }
    if ncols > 1 {
        ws.merge_range(1, 0, 1, last, &table.title, &f.title)?;
    } else {
        ws.write_string_with_format(1, 0, &table.title, &f.title)?;
    }
    ws.set_row_height(1, 30)?;
    ws.write_string_with_format(2, 0, format!("{PREPARER_LABEL}{}", cx.preparer), &f.meta)?;
    ws.write_string_with_format(2, last, format!("金额单位：{}", table.unit), &f.meta_right)?;

    write_header(ws, table, f, &mut widths)?;
    let first_data = HEADER_TOP + table.header.len() as u32;

    // Body. In the template, blank entry rows stand where a classification tree goes.
    let mut lines: Vec<Option<&Vec<Cell>>> = table.rows.iter().map(Some).collect();
    if let Some(spec) = cx.template {
        lines = template_lines(spec, table);
    }
    let mut row = first_data;
    for line in &lines {
        match line {
            Some(cells) => write_row(ws, row, cells, table, cx, f, &mut widths)?,
            None => {
                // A blank entry row of the template, formatted like the tree rows it stands for.
                let model = table.rows.iter().find(|r| !r.is_empty());
                for c in 0..ncols {
                    let fmt = match model.and_then(|r| r.get(c as usize)) {
                        Some(Cell::Amount { .. }) => &f.amount,
                        Some(Cell::Code { .. }) => &f.code,
                        _ if c == 0 && stub_columns(table) == 2 => &f.code,
                        _ => &f.blank,
                    };
                    ws.write_blank(row, c, fmt)?;
                }
            }
        }
        row += 1;
    }
    if let Some(note) = &table.note {
        if cx.template.is_none() {
            if ncols > 1 {
                ws.merge_range(row, 0, row, last, note, &f.note)?;
            } else {
                ws.write_string_with_format(row, 0, note, &f.note)?;
            }
            ws.set_row_height(row, 32)?;
        }
    }
    for (c, w) in widths.0.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).max(10) as f64)?;
    }
    page_setup(ws, table, cx, first_data)
}

/// Column widths grown to the widest text written (capped, so a long note does not make a
/// column unreadable).
struct Widths(Vec<usize>);

impl Widths {
    fn widen(&mut self, col: u16, text: &str) {
        let w = display_width(text) + 2;
        let slot = &mut self.0[col as usize];
        *slot = (*slot).max(w.min(50));
    }
}

/// The header with merged cells exactly as `Table.header`.
fn write_header(
    ws: &mut Worksheet,
    table: &Table,
    f: &Formats,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let ncols = column_count(table) as usize;
    let mut taken = vec![vec![false; ncols]; table.header.len()];
    for (r, cells) in table.header.iter().enumerate() {
        let mut c = 0usize;
        for h in cells {
            while c < ncols && taken[r][c] {
                c += 1;
            }
            if c >= ncols {
                break;
            }
            let (rs, cs) = (h.rowspan.max(1) as usize, h.colspan.max(1) as usize);
            let c_end = (c + cs).min(ncols);
            for row in taken.iter_mut().skip(r).take(rs) {
                for slot in &mut row[c..c_end] {
                    *slot = true;
                }
            }
            let (r0, c0) = (HEADER_TOP + r as u32, c as u16);
            let (r1, c1) = (r0 + rs as u32 - 1, (c_end - 1) as u16);
            if r1 > r0 || c1 > c0 {
                ws.merge_range(r0, c0, r1, c1, &h.text, &f.header)?;
            } else {
                ws.write_string_with_format(r0, c0, &h.text, &f.header)?;
            }
            if cs == 1 {
                widths.widen(c0, &h.text);
            }
            c = c_end;
        }
    }
    Ok(())
}

/// One body row; amounts as exact numbers (or blank in the fill-in template).
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    table: &Table,
    cx: &SheetContext,
    f: &Formats,
    widths: &mut Widths,
) -> Result<(), XlsxError> {
    let unit = money_unit(table);
    for (c, cell) in cells.iter().enumerate() {
        let c = c as u16;
        match cell {
            Cell::Blank => {
                ws.write_blank(row, c, &f.blank)?;
            }
            Cell::Code { code } => {
                ws.write_string_with_format(row, c, code, &f.code)?;
                widths.widen(c, code);
            }
            Cell::Text { text, indent } => {
                let fmt = &f.text[(*indent as usize).min(2)];
                ws.write_string_with_format(row, c, text, fmt)?;
                widths.widen(c, &format!("{}{text}", "  ".repeat(*indent as usize)));
            }
            Cell::Amount { fen, text, .. } => {
                if cx.template.is_some() {
                    ws.write_blank(row, c, &f.amount)?;
                } else {
                    // The exact amount (233.934 万元), shown with 2 decimals, so an
                    // import gets the 分 back.
                    let v = amount_to_f64(Amount(*fen), unit);
                    ws.write_number_with_format(row, c, v, &f.amount)?;
                }
                widths.widen(c, text);
            }
        }
    }
    for c in cells.len() as u16..column_count(table) {
        ws.write_blank(row, c, &f.blank)?;
    }
    Ok(())
}

/// Frozen header and code columns, paper, orientation, repeated header rows, page numbers.
fn page_setup(
    ws: &mut Worksheet,
    table: &Table,
    cx: &SheetContext,
    first_data: u32,
) -> Result<(), XlsxError> {
    let freeze_cols = if table
        .rows
        .iter()
        .flatten()
        .any(|c| matches!(c, Cell::Code { .. }))
        || cx.template.is_some_and(|s| s.layout == Layout::Grid)
    {
        stub_columns(table)
    } else {
        0
    };
    ws.set_freeze_panes(first_data, freeze_cols)?;
    ws.set_paper_size(PAPER_A4);
    if column_count(table) > 5 {
        ws.set_landscape();
    } else {
        ws.set_portrait();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(HEADER_TOP, first_data - 1)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// The template's body: each fixed row of the spec as derived, and blank entry rows where a
/// classification tree is expanded.
fn template_lines<'t>(spec: &TableSpec, table: &'t Table) -> Vec<Option<&'t Vec<Cell>>> {
    let mut out = Vec::new();
    match spec.layout {
        Layout::Grid => {
            let mut rows = table.rows.iter();
            for r in &spec.rows {
                if r.tree.is_some() {
                    out.extend(std::iter::repeat_n(None, TEMPLATE_TREE_ROWS));
                } else if let Some(row) = rows.next() {
                    out.push(Some(row));
                }
            }
            out.extend(rows.map(Some));
        }
        Layout::Paired => {
            let footers = spec.footer.len().min(table.rows.len());
            let body = table.rows.len() - footers;
            out.extend(table.rows[..body].iter().map(Some));
            // Room for the 类 of the expenditure side beyond the income side's rows.
            out.extend(std::iter::repeat_n(None, 6));
            out.extend(table.rows[body..].iter().map(Some));
        }
    }
    out
}

fn new_workbook() -> Workbook {
    Workbook::new()
}

/// Write the disclosure tables as a workbook: one sheet per table, laid out like the
/// official template (title, 编制单位 and 金额单位 line, merged header, code and name
/// columns, exact amounts shown with 2 decimals, frozen header, A4 print setup).
pub fn write_workbook(tables: &[Table], uy: &UnitYear) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook();
    let f = Formats::new();
    let mut used = HashSet::new();
    let cx = SheetContext {
        preparer: &uy.unit.name,
        year: uy.year,
        template: None,
    };
    for table in tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(table, &mut used))?;
        write_table(ws, table, &cx, &f)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// The empty workbook a preparer fills in: a 说明 sheet (units, how to add 类/款/项 rows,
/// the relations the tables must satisfy), one sheet per table of the set in the same
/// layout as [`write_workbook`] with blank entry rows where classification rows go, and a
/// 科目代码 sheet listing the year's function and economic codes.
pub fn write_template(
    set: &TableSet,
    catalogues: &Catalogues,
    year: i32,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = new_workbook();
    let f = Formats::new();
    let mut used = HashSet::new();
    used.insert("说明".to_string());
    used.insert("科目代码".to_string());
    let empty = FactTable::default();
    let tables: Vec<Table> = set
        .tables
        .iter()
        .map(|s| derive_table(s, &empty, catalogues))
        .collect();

    let ws = wb.add_worksheet();
    ws.set_name("说明")?;
    write_instructions(ws, set, &tables, year, catalogues)?;

    for (spec, table) in set.tables.iter().zip(&tables) {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(table, &mut used))?;
        let cx = SheetContext {
            preparer: "（请填写单位名称）",
            year,
            template: Some(spec),
        };
        write_table(ws, table, &cx, &f)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("科目代码")?;
    write_codes(ws, catalogues)?;
    Ok(wb.save_to_buffer()?)
}

fn write_instructions(
    ws: &mut Worksheet,
    set: &TableSet,
    tables: &[Table],
    year: i32,
    catalogues: &Catalogues,
) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_column_width(0, 110)?;
    let mut lines: Vec<(String, &Format)> = vec![
        (
            format!("{year}年度部门决算公开表填报说明（{}）", set.title),
            &title,
        ),
        (String::new(), &wrap),
        ("一、本工作簿各表".into(), &head),
    ];
    for t in tables {
        let unit = if t.unit == "元" { "元" } else { "万元" };
        lines.push((
            format!("{}《{}》，金额单位：{unit}", t.code, t.title),
            &wrap,
        ));
    }
    let rules = [
        ("二、金额单位".to_string(), &head),
        (
            "各表金额单位见表头上方的“金额单位”行。以万元为单位时可填到6位小数（即精确到分，如 233.934），显示为2位小数；以元为单位时最多2位小数。不要带千分位、单位或空格；金额为0时可填0、留空或填“-”。".to_string(),
            &wrap,
        ),
        ("三、如何填写类、款、项（科目行）".into(), &head),
        (
            "收入决算表、支出决算表、一般公共预算财政拨款支出决算表、政府性基金和国有资本经营预算财政拨款收入支出决算表：在“合计”行下方的空白行逐行填写功能分类科目，“科目编码”列填编码（类3位、款5位、项7位），“科目名称”列填名称；编码和名称也可写在同一格（如“2060701 机构运行”）。有金额的每个项都必须列出（导入以项为准）；类、款行和“合计”行可以列出，只用于核对，不作为导入数据。空白行不够时插入整行（不要插入单元格）。".to_string(),
            &wrap,
        ),
        (
            "一般公共预算财政拨款基本支出决算表：按经济分类填写，款级编码5位（如 30101 基本工资），类级编码3位；“人员经费合计”“公用经费合计”行用于核对。".to_string(),
            &wrap,
        ),
        (
            "收入支出决算总表、财政拨款收入支出决算总表：支出一侧按功能分类的类填写（名称即可，如“科学技术支出”），收入一侧按表中已列项目填写；合计、结转和总计行用于核对。".to_string(),
            &wrap,
        ),
        ("四、各表须满足的关系（导入时核对，不一致的给出警告）".into(), &head),
        (
            "合计 = 各类之和，类 = 所属各款之和，款 = 所属各项之和；收入决算表：本年收入合计 = 各来源列之和；支出决算表：本年支出合计 = 基本支出 + 项目支出 + 上缴上级支出 + 经营支出 + 对附属单位补助支出；一般公共预算财政拨款支出决算表：合计 = 基本支出 + 项目支出，且基本支出合计 = 基本支出决算表的人员经费合计 + 公用经费合计；收入支出决算总表：总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余 = 本年支出合计 + 结余分配 + 年末结转和结余；“三公”经费：合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费，公务用车购置及运行维护费 = 购置费 + 运行维护费。".to_string(),
            &wrap,
        ),
        ("五、导入".into(), &head),
        (
            "填好后运行：juesuan import 本文件.xlsx -o input.toml（可加 --base 原输入文件.toml 保留文字说明、上年数和预算数）。导入程序按表题找到各表、按表头文字找到各列，工作表名称和行列位置可以调整。科目编码见“科目代码”工作表（".to_string()
                + &catalogues.function.title
                + "、"
                + &catalogues.economic.title
                + "）。",
            &wrap,
        ),
    ];
    lines.extend(rules);
    for (i, (text, fmt)) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32, 0, text, fmt)?;
    }
    Ok(())
}

/// Every code of a catalogue in hierarchical order (the catalogue exposes lookup only:
/// enumerate 类, then the 款 and 项 under each found parent).
fn codes_of(cat: &Catalogue) -> Vec<(String, String)> {
    fn rec(cat: &Catalogue, prefix: &str, depth: usize, out: &mut Vec<(String, String)>) {
        if depth == 0 {
            return;
        }
        for n in 1..=99 {
            let code = format!("{prefix}{n:02}");
            if let Some(name) = cat.name(&code) {
                out.push((code.clone(), name.to_string()));
                rec(cat, &code, depth - 1, out);
            }
        }
    }
    let mut out = Vec::new();
    for class in 100..=999 {
        let code = class.to_string();
        if let Some(name) = cat.name(&code) {
            out.push((code.clone(), name.to_string()));
            rec(cat, &code, 2, &mut out);
        }
    }
    out
}

fn write_codes(ws: &mut Worksheet, catalogues: &Catalogues) -> Result<(), XlsxError> {
    let head = Format::new().set_bold().set_border(FormatBorder::Thin);
    let code = Format::new().set_num_format("@");
    let indent = [
        Format::new(),
        Format::new().set_indent(1),
        Format::new().set_indent(2),
    ];
    let mut col = 0u16;
    for cat in [&catalogues.function, &catalogues.economic] {
        ws.write_string_with_format(0, col, &cat.title, &head)?;
        ws.write_string_with_format(1, col, "科目编码", &head)?;
        ws.write_string_with_format(1, col + 1, "科目名称", &head)?;
        for (i, (c, name)) in codes_of(cat).iter().enumerate() {
            let r = 2 + i as u32;
            ws.write_string_with_format(r, col, c, &code)?;
            let level = match c.len() {
                3 => 0,
                5 => 1,
                _ => 2,
            };
            ws.write_string_with_format(r, col + 1, name, &indent[level])?;
        }
        ws.set_column_width(col, 12)?;
        ws.set_column_width(col + 1, 40)?;
        col += 3;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}
