//! Workbooks imitating real exports of the official software, built with rust_xlsxwriter
//! from the example's tables (see tests/layouts.rs for what each style imitates).
#![allow(dead_code)]
use super::*;
use juesuan_core::money::{Amount, MoneyUnit};
use juesuan_core::tables::{Cell, Layout, Table, TableSpec};
use juesuan_xlsx::{import_workbook, ImportError};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

#[derive(Clone, Copy, PartialEq)]
pub enum Codes {
    /// "2060701 机构运行" in one cell
    OneCell,
    /// 科目编码 | 科目名称
    TwoCells,
    /// 类 | 款 | 项 | 科目名称, each column the full code ("206", "20607", "2060701")
    ThreeFull,
    /// 类 | 款 | 项 | 科目名称, only the row's own part ("", "07", "") as many exports print
    ThreeParts,
}

/// How 公开07表 (“三公”经费) is laid out.
#[derive(Clone, Copy, PartialEq)]
pub enum SanGong {
    /// As our template: rows 合计 … 公务接待费, columns 预算数 | 决算数.
    Vertical,
    /// The official export: a `budget` group (预算数, 年初预算数 …) and a 决算数 group, each
    /// over 合计 | 因公出国（境）费 | 公务用车购置及运行费 (小计 | 购置费 | 运行费) |
    /// 公务接待费, then one data row labelled `label` ("" for none).
    Horizontal {
        budget: &'static str,
        subtotal: bool,
        /// "公务用车购置及运行维护费" over "公务用车购置费 | 公务用车运行维护费".
        long_wording: bool,
        label: &'static str,
    },
    /// The items as columns without groups, one row 预算数 and one row 决算数.
    Transposed { subtotal: bool },
    /// The other nesting: each item over 预算数 | 决算数 (合计, 因公出国（境）费,
    /// 公务用车购置及运行费 over 小计 | 购置费 | 运行费, 公务接待费), one data row.
    ItemsOverGroups,
}

#[derive(Clone, Copy)]
pub struct Style {
    pub one_sheet: bool,
    /// First row and column of each table.
    pub offset: (u32, u16),
    pub unit: MoneyUnit,
    pub codes: Codes,
    /// Amounts as text with full-width digits and ideographic spaces; zero as "-".
    pub text_numbers: bool,
    /// 收入/支出 tables with 项目 | 行次 | 金额 columns, as the official template prints.
    pub official_paired: bool,
    /// A 栏次 row (1, 2, 3…) under the header.
    pub numbering_row: bool,
    /// Blank rows inside the body.
    pub blank_rows: bool,
    /// No 金额单位 line.
    pub no_unit: bool,
    pub sangong: SanGong,
}

fn amount_text(a: Amount, unit: MoneyUnit, fullwidth: bool) -> String {
    let s = a.exact(unit);
    if !fullwidth {
        return s;
    }
    if a.is_zero() {
        return "-".into();
    }
    let wide: String = s
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 + 0xfee0).unwrap(),
            '.' => '．',
            c => c,
        })
        .collect();
    format!("\u{3000}{wide} ")
}

fn write_amount(ws: &mut Worksheet, r: u32, c: u16, fen: i64, st: &Style) {
    let a = Amount(fen);
    if st.text_numbers {
        ws.write_string(r, c, amount_text(a, st.unit, true))
            .unwrap();
    } else {
        let v: f64 = a.exact(st.unit).parse().unwrap();
        ws.write_number(r, c, v).unwrap();
    }
}

/// Write one table at `row`; returns the next free row.
pub fn write_table(ws: &mut Worksheet, spec: &TableSpec, t: &Table, st: &Style, row: u32) -> u32 {
    let c0 = st.offset.1;
    let merge = Format::new();
    let mut r = row;
    ws.write_string(r, c0 + 3, &t.code).unwrap();
    r += 1;
    ws.write_string(r, c0 + 1, format!("凉山州科学技术协会2021年度{}", t.title))
        .unwrap();
    r += 1;
    ws.write_string(r, c0, "部门：凉山州科学技术协会").unwrap();
    if !st.no_unit {
        ws.write_string(r, c0 + 4, format!("单位：{}", st.unit.label()))
            .unwrap();
    }
    r += 2;
    match spec.layout {
        Layout::Paired => r = write_paired(ws, spec, t, st, r, &merge),
        Layout::Grid if spec.id == "t7" && st.sangong == SanGong::ItemsOverGroups => {
            r = write_sangong_items_over_groups(ws, t, st, r, &merge)
        }
        Layout::Grid if spec.id == "t7" && st.sangong != SanGong::Vertical => {
            r = write_sangong(ws, t, st, r, &merge)
        }
        Layout::Grid => r = write_grid(ws, spec, t, st, r, &merge),
    }
    if let Some(note) = &t.note {
        ws.write_string(r, c0, note).unwrap();
        r += 1;
    }
    r + 2
}

fn write_paired(
    ws: &mut Worksheet,
    spec: &TableSpec,
    t: &Table,
    st: &Style,
    mut r: u32,
    merge: &Format,
) -> u32 {
    let c0 = st.offset.1;
    let (l, rt) = (spec.left.as_ref().unwrap(), spec.right.as_ref().unwrap());
    let extra = if st.official_paired { 1 } else { 0 };
    let lw = 1 + extra + l.columns.len() as u16;
    let rw = 1 + extra + rt.columns.len() as u16;
    ws.merge_range(r, c0, r, c0 + lw - 1, &l.header, merge)
        .unwrap();
    ws.merge_range(r, c0 + lw, r, c0 + lw + rw - 1, &rt.header, merge)
        .unwrap();
    r += 1;
    let mut c = c0;
    for side in [l, rt] {
        ws.write_string(r, c, "项目").unwrap();
        c += 1;
        if st.official_paired {
            ws.write_string(r, c, "行次").unwrap();
            c += 1;
        }
        for col in &side.columns {
            let label = if st.official_paired && col.label == "决算数" {
                "金额"
            } else {
                col.label.as_str()
            };
            ws.write_string(r, c, label).unwrap();
            c += 1;
        }
    }
    r += 1;
    let mut line = 1;
    for cells in &t.rows {
        let mut c = c0;
        let nl = 1 + l.columns.len();
        for (i, cell) in cells.iter().enumerate() {
            if st.official_paired && (i == 0 || i == nl) {
                // 项目 then 行次
                if let Cell::Text { text, .. } = cell {
                    ws.write_string(r, c, text).unwrap();
                }
                c += 1;
                ws.write_number(r, c, line as f64).unwrap();
                line += 1;
                c += 1;
                continue;
            }
            match cell {
                Cell::Text { text, .. } => {
                    ws.write_string(r, c, text).unwrap();
                }
                Cell::Amount { fen, .. } => write_amount(ws, r, c, *fen, st),
                _ => {}
            }
            c += 1;
        }
        r += 1;
    }
    r
}

/// 公开07表 with its items as columns (see [`SanGong`]).
fn write_sangong(ws: &mut Worksheet, t: &Table, st: &Style, mut r: u32, merge: &Format) -> u32 {
    let c0 = st.offset.1;
    let (subtotal, long, grouped) = match st.sangong {
        SanGong::Horizontal {
            subtotal,
            long_wording,
            ..
        } => (subtotal, long_wording, true),
        SanGong::Transposed { subtotal } => (subtotal, false, false),
        SanGong::Vertical | SanGong::ItemsOverGroups => unreachable!(),
    };
    let (group, purchase, operation) = if long {
        (
            "2.公务用车购置及运行维护费",
            "（1）公务用车购置费",
            "（2）公务用车运行维护费",
        )
    } else {
        ("公务用车购置及运行费", "购置费", "运行费")
    };
    let mut items: Vec<(&str, &str)> = vec![("合计", "total"), ("因公出国（境）费", "abroad")];
    if subtotal {
        items.push(("小计", "vehicle"));
    }
    items.extend([
        (purchase, "vehicle_purchase"),
        (operation, "vehicle_operation"),
        ("公务接待费", "reception"),
    ]);
    let n = items.len() as u16;
    let car = if subtotal { 3 } else { 2 };
    // Header: [group row,] item row, sub-item row.
    let top = if grouped { 1 } else { 0 };
    ws.merge_range(r, c0, r + top + 1, c0, "项目", merge)
        .unwrap();
    let groups: Vec<(&str, &str)> = match st.sangong {
        SanGong::Horizontal { budget, .. } => vec![(budget, "budget"), ("决算数", "actual")],
        _ => vec![("", "")],
    };
    for (g, (glabel, _)) in groups.iter().enumerate() {
        let c = c0 + 1 + g as u16 * n;
        if grouped {
            ws.merge_range(r, c, r, c + n - 1, glabel, merge).unwrap();
        }
        let ir = r + top;
        ws.merge_range(ir, c, ir + 1, c, "合计", merge).unwrap();
        ws.merge_range(ir, c + 1, ir + 1, c + 1, "1.因公出国（境）费", merge)
            .unwrap();
        ws.merge_range(ir, c + 2, ir, c + 1 + car, group, merge)
            .unwrap();
        for (k, (label, _)) in items[2..2 + car as usize].iter().enumerate() {
            ws.write_string(ir + 1, c + 2 + k as u16, *label).unwrap();
        }
        ws.merge_range(ir, c + n - 1, ir + 1, c + n - 1, "3.公务接待费", merge)
            .unwrap();
    }
    r += top + 2;
    if st.numbering_row {
        ws.write_string(r, c0, "栏次").unwrap();
        for k in 0..n * groups.len() as u16 {
            ws.write_number(r, c0 + 1 + k, (k + 1) as f64).unwrap();
        }
        r += 1;
    }
    let fen = |row: &str, col: &str| t.get(row, col).unwrap_or_default().fen();
    match st.sangong {
        SanGong::Horizontal { label, .. } => {
            if !label.is_empty() {
                ws.write_string(r, c0, label).unwrap();
            }
            for (g, (_, col)) in groups.iter().enumerate() {
                for (k, (_, row)) in items.iter().enumerate() {
                    let c = c0 + 1 + g as u16 * n + k as u16;
                    write_amount(ws, r, c, fen(row, col), st);
                }
            }
            r += 1;
        }
        _ => {
            for (label, col) in [("预算数", "budget"), ("决算数", "actual")] {
                ws.write_string(r, c0, label).unwrap();
                for (k, (_, row)) in items.iter().enumerate() {
                    write_amount(ws, r, c0 + 1 + k as u16, fen(row, col), st);
                }
                r += 1;
            }
        }
    }
    r
}

/// 公开07表, each item over 预算数 | 决算数 (see [`SanGong::ItemsOverGroups`]).
fn write_sangong_items_over_groups(
    ws: &mut Worksheet,
    t: &Table,
    st: &Style,
    mut r: u32,
    merge: &Format,
) -> u32 {
    let c0 = st.offset.1;
    ws.merge_range(r, c0, r + 2, c0, "项目", merge).unwrap();
    // (header, sub-header, row id)
    let items = [
        ("合计", None, "total"),
        ("因公出国（境）费", None, "abroad"),
        ("公务用车购置及运行费", Some("小计"), "vehicle"),
        ("公务用车购置及运行费", Some("购置费"), "vehicle_purchase"),
        ("公务用车购置及运行费", Some("运行费"), "vehicle_operation"),
        ("公务接待费", None, "reception"),
    ];
    let mut c = c0 + 1;
    for (k, (head, sub, _)) in items.iter().enumerate() {
        match sub {
            None => ws.merge_range(r, c, r + 1, c + 1, head, merge).unwrap(),
            Some(sub) => {
                if k == 2 {
                    ws.merge_range(r, c, r, c + 5, head, merge).unwrap();
                }
                ws.merge_range(r + 1, c, r + 1, c + 1, sub, merge).unwrap()
            }
        };
        ws.write_string(r + 2, c, "预算数").unwrap();
        ws.write_string(r + 2, c + 1, "决算数").unwrap();
        c += 2;
    }
    r += 3;
    let mut c = c0 + 1;
    for (_, _, row) in items {
        for col in ["budget", "actual"] {
            write_amount(ws, r, c, t.get(row, col).unwrap_or_default().fen(), st);
            c += 1;
        }
    }
    r + 1
}

fn write_grid(
    ws: &mut Worksheet,
    spec: &TableSpec,
    t: &Table,
    st: &Style,
    mut r: u32,
    merge: &Format,
) -> u32 {
    let c0 = st.offset.1;
    let tree = t
        .rows
        .iter()
        .flatten()
        .any(|c| matches!(c, Cell::Code { .. }));
    let stub_w: u16 = match (tree, st.codes) {
        (false, _) | (true, Codes::OneCell) => 1,
        (true, Codes::TwoCells) => 2,
        (true, _) => 4,
    };
    let grouped = spec.columns.iter().any(|c| c.group.is_some());
    let three = tree && stub_w == 4;
    let hrows: u32 = if three {
        3
    } else if grouped {
        2
    } else {
        1
    };
    // Stub header.
    if three {
        ws.merge_range(r, c0, r, c0 + 3, "项目", merge).unwrap();
        ws.merge_range(r + 1, c0, r + 1, c0 + 2, "功能分类科目编码", merge)
            .unwrap();
        ws.merge_range(r + 1, c0 + 3, r + 2, c0 + 3, "科目名称", merge)
            .unwrap();
        for (i, s) in ["类", "款", "项"].iter().enumerate() {
            ws.write_string(r + 2, c0 + i as u16, *s).unwrap();
        }
    } else if stub_w == 2 {
        for (i, s) in ["科目编码", "科目名称"].iter().enumerate() {
            if hrows > 1 {
                ws.merge_range(r, c0 + i as u16, r + hrows - 1, c0 + i as u16, s, merge)
                    .unwrap();
            } else {
                ws.write_string(r, c0 + i as u16, *s).unwrap();
            }
        }
    } else if hrows > 1 {
        ws.merge_range(r, c0, r + hrows - 1, c0, "项目", merge)
            .unwrap();
    } else {
        ws.write_string(r, c0, "项目").unwrap();
    }
    // Amount headers, groups merged across their columns.
    let mut c = c0 + stub_w;
    let mut i = 0;
    while i < spec.columns.len() {
        let col = &spec.columns[i];
        match &col.group {
            Some(g) => {
                let n = spec.columns[i..]
                    .iter()
                    .take_while(|x| x.group.as_ref() == Some(g))
                    .count() as u16;
                ws.merge_range(r, c, r + hrows - 2, c + n - 1, g, merge)
                    .unwrap();
                for (k, x) in spec.columns[i..i + n as usize].iter().enumerate() {
                    let label = if x.label == "小计" {
                        "合计"
                    } else {
                        x.label.as_str()
                    };
                    ws.write_string(r + hrows - 1, c + k as u16, label).unwrap();
                }
                c += n;
                i += n as usize;
            }
            None => {
                if hrows > 1 {
                    ws.merge_range(r, c, r + hrows - 1, c, &col.label, merge)
                        .unwrap();
                } else {
                    ws.write_string(r, c, &col.label).unwrap();
                }
                c += 1;
                i += 1;
            }
        }
    }
    r += hrows;
    if st.numbering_row {
        ws.write_string(r, c0, "栏次").unwrap();
        for k in 0..spec.columns.len() as u16 {
            ws.write_number(r, c0 + stub_w + k, (k + 1) as f64).unwrap();
        }
        r += 1;
    }
    for (n, cells) in t.rows.iter().enumerate() {
        let mut c = c0;
        let code = cells.iter().find_map(|x| match x {
            Cell::Code { code } => Some(code.clone()),
            _ => None,
        });
        let name = cells.iter().find_map(|x| match x {
            Cell::Text { text, .. } => Some(text.clone()),
            _ => None,
        });
        match (tree, st.codes, &code) {
            (true, Codes::OneCell, Some(code)) => {
                ws.write_string(r, c, format!("{code} {}", name.unwrap_or_default()))
                    .unwrap();
            }
            (true, Codes::TwoCells, Some(code)) => {
                ws.write_string(r, c, code).unwrap();
                ws.write_string(r, c + 1, name.unwrap_or_default()).unwrap();
            }
            (true, Codes::ThreeFull | Codes::ThreeParts, Some(code)) => {
                let full = st.codes == Codes::ThreeFull;
                let parts = [(0, 3), (3, 5), (5, 7)];
                for (k, (a, b)) in parts.iter().enumerate() {
                    if code.len() >= *b {
                        let own = code.len() == *b;
                        let text = if full {
                            code[..*b].to_string()
                        } else if own {
                            code[*a..*b].to_string()
                        } else {
                            String::new()
                        };
                        // The class code is always printed in its column.
                        let text = if !full && k == 0 && own {
                            code[..3].to_string()
                        } else {
                            text
                        };
                        if !text.is_empty() {
                            ws.write_string(r, c + k as u16, text).unwrap();
                        }
                    }
                }
                ws.write_string(r, c + 3, name.unwrap_or_default()).unwrap();
            }
            _ => {
                // 合计 and fixed rows: the label in the first stub cell.
                ws.write_string(r, c, name.unwrap_or_default()).unwrap();
            }
        }
        c += stub_w;
        for x in cells {
            if let Cell::Amount { fen, .. } = x {
                write_amount(ws, r, c, *fen, st);
                c += 1;
            }
        }
        r += 1;
        if st.blank_rows && n == 0 {
            r += 1;
        }
    }
    r
}

pub fn build(st: &Style) -> Vec<u8> {
    build_with(st, |_| {})
}

/// Build, then let `patch` overwrite cells (sheets by index) before saving.
pub fn build_with(st: &Style, patch: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    build_tables(st, &tables_of(&example()), patch)
}

/// Build from the given tables (the example's, possibly with cells changed).
pub fn build_tables(st: &Style, tables: &[Table], patch: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let set = national();
    let mut wb = Workbook::new();
    if st.one_sheet {
        let ws = wb.add_worksheet();
        ws.set_name("决算公开表").unwrap();
        let mut r = st.offset.0;
        for (spec, t) in set.tables.iter().zip(tables) {
            r = write_table(ws, spec, t, st, r);
        }
    } else {
        for (i, (spec, t)) in set.tables.iter().zip(tables).enumerate() {
            let ws = wb.add_worksheet();
            ws.set_name(format!("Sheet{}", i + 1)).unwrap();
            write_table(ws, spec, t, st, st.offset.0);
        }
    }
    patch(&mut wb);
    wb.save_to_buffer().unwrap()
}

pub fn import(bytes: &[u8]) -> Result<juesuan_xlsx::Imported, ImportError> {
    import_workbook(bytes, &national(), &catalogues(), 2021)
}

pub const BASE: Style = Style {
    one_sheet: false,
    offset: (0, 0),
    unit: MoneyUnit::Wan,
    codes: Codes::TwoCells,
    text_numbers: false,
    official_paired: false,
    numbering_row: false,
    blank_rows: false,
    no_unit: false,
    sangong: SanGong::Vertical,
};
