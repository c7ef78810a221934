//! A workbook read into sparse grids of values, after the safety checks. Cells are streamed
//! from calamine's cell reader (never through a dense `Range`, whose size is the bounding
//! box of the cells and can be billions), so memory follows the number of cells.

use crate::error::{ImportError, Place, Problem, ProblemKind};
use crate::safety::{inspect_zip, Limits};
use crate::text::{cell_name, norm};
use calamine::{DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// A cell value as the importer sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    /// A value that is neither number nor text (boolean, date, error): described.
    Other(String),
}

/// One sheet: cells by (row, column), zero-based absolute positions, and merged ranges.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub cells: BTreeMap<(u32, u32), Value>,
    /// (first row, first col, last row, last col)
    pub merges: Vec<(u32, u32, u32, u32)>,
}

impl Sheet {
    pub fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.cells.get(&(row, col))
    }

    /// The cell's text (numbers in their shortest form), trimmed; "" when empty.
    pub fn text(&self, row: u32, col: u32) -> String {
        match self.get(row, col) {
            Some(Value::Text(s)) => s.trim().to_string(),
            Some(Value::Number(v)) => format!("{v}"),
            Some(Value::Other(s)) => s.clone(),
            None => String::new(),
        }
    }

    /// The text shown at a position, merged ranges filled from their top-left cell: how a
    /// header reads on screen.
    pub fn shown_text(&self, row: u32, col: u32) -> String {
        let own = self.text(row, col);
        if !own.is_empty() {
            return own;
        }
        for &(r0, c0, r1, c1) in &self.merges {
            if (r0..=r1).contains(&row) && (c0..=c1).contains(&col) {
                return self.text(r0, c0);
            }
        }
        String::new()
    }

    /// The merged range a position belongs to, if any.
    pub fn merge_of(&self, row: u32, col: u32) -> Option<(u32, u32, u32, u32)> {
        self.merges
            .iter()
            .copied()
            .find(|&(r0, c0, r1, c1)| (r0..=r1).contains(&row) && (c0..=c1).contains(&col))
    }

    /// Rows that hold any cell, in order.
    pub fn rows(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.cells.keys().map(|&(r, _)| r).collect();
        v.dedup();
        v
    }

    /// Cells of one row, in column order.
    pub fn row(&self, row: u32) -> impl Iterator<Item = (u32, &Value)> {
        self.cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), v)| (c, v))
    }

    /// Columns used between two rows (inclusive), including merged ranges starting there.
    pub fn columns_in(&self, first_row: u32, last_row: u32) -> Vec<u32> {
        let mut cols: Vec<u32> = self
            .cells
            .range((first_row, 0)..=(last_row, u32::MAX))
            .map(|(&(_, c), _)| c)
            .collect();
        for &(r0, c0, r1, c1) in &self.merges {
            if r0 <= last_row && r1 >= first_row && c1 - c0 < 1000 {
                cols.extend(c0..=c1);
            }
        }
        cols.sort_unstable();
        cols.dedup();
        cols
    }

    pub fn place(&self, row: u32, col: u32) -> Place {
        Place {
            sheet: Some(self.name.clone()),
            cell: Some(cell_name(row, col)),
        }
    }

    pub fn place_row(&self, row: u32) -> Place {
        Place {
            sheet: Some(self.name.clone()),
            cell: Some(format!("第{}行", row + 1)),
        }
    }

    /// True if the row has no non-blank text or number.
    pub fn row_is_blank(&self, row: u32) -> bool {
        self.row(row).all(|(_, v)| match v {
            Value::Text(s) => norm(s).is_empty(),
            _ => false,
        })
    }
}

fn layout_err(place: Place, message: String, hint: &str) -> Problem {
    Problem {
        kind: ProblemKind::File,
        place,
        message,
        hint: hint.to_string(),
    }
}

/// Read every worksheet of an .xlsx file, after checking the zip container and while
/// counting cells against the limits.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, ImportError> {
    inspect_zip(bytes, limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        ImportError::one(Problem::file(
            format!("无法读取 Excel 文件：{e}"),
            "请确认文件是 .xlsx 格式且未加密；可在 Excel 中另存为新的 .xlsx 文件后再导入。",
        ))
    })?;
    let names: Vec<String> = book.sheet_names().to_vec();
    let mut sheets = Vec::new();
    let mut total_cells: u64 = 0;
    let mut total_merges = 0usize;
    for name in names {
        let sheet_place = Place {
            sheet: Some(name.clone()),
            cell: None,
        };
        let mut cells = BTreeMap::new();
        {
            let mut reader = match book.worksheet_cells_reader(&name) {
                Ok(r) => r,
                // Chart sheets and macro sheets hold no tables.
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => {
                    return Err(ImportError::one(layout_err(
                        sheet_place,
                        format!("无法读取该工作表：{e}"),
                        "请在 Excel 中打开并另存为新的 .xlsx 文件后再导入。",
                    )))
                }
            };
            let d = reader.dimensions();
            let declared = (d.end.0.saturating_sub(d.start.0) as u64 + 1)
                * (d.end.1.saturating_sub(d.start.1) as u64 + 1);
            if declared > limits.max_declared_cells {
                return Err(ImportError::one(layout_err(
                    sheet_place,
                    format!(
                        "工作表声明的范围 {}:{} 含{}个单元格，超过上限{}个",
                        cell_name(d.start.0, d.start.1),
                        cell_name(d.end.0, d.end.1),
                        declared,
                        limits.max_declared_cells
                    ),
                    "公开表不会有这么大；请把公开表复制到新工作簿（只粘贴数值和格式）后再导入。",
                )));
            }
            loop {
                let cell = match reader.next_cell() {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(ImportError::one(layout_err(
                            sheet_place,
                            format!("工作表内容无法解析：{e}"),
                            "请在 Excel 中打开并另存为新的 .xlsx 文件后再导入。",
                        )))
                    }
                };
                let value = match cell.get_value() {
                    DataRef::Empty => continue,
                    DataRef::Int(i) => Value::Number(*i as f64),
                    DataRef::Float(f) => Value::Number(*f),
                    DataRef::String(s) => Value::Text(s.clone()),
                    DataRef::SharedString(s) => Value::Text(s.to_string()),
                    DataRef::Bool(b) => Value::Other(format!("逻辑值 {b}")),
                    DataRef::DateTime(d) => Value::Other(format!("日期 {}", d.as_f64())),
                    DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                        Value::Other(format!("日期 {s}"))
                    }
                    DataRef::Error(e) => Value::Other(format!("错误值 {e}")),
                };
                total_cells += 1;
                if total_cells > limits.max_cells {
                    return Err(ImportError::one(layout_err(
                        sheet_place,
                        format!("工作簿的非空单元格超过{}个", limits.max_cells),
                        "公开表不会有这么多单元格；请只保留公开表工作表后再导入。",
                    )));
                }
                cells.insert(cell.get_position(), value);
            }
        }
        let merges = book.merge_cells_by_sheet_name(&name).unwrap_or_default();
        total_merges += merges.len();
        if total_merges > limits.max_merged {
            return Err(ImportError::one(layout_err(
                sheet_place,
                format!("工作簿的合并单元格超过{}处", limits.max_merged),
                "请只保留公开表工作表后再导入。",
            )));
        }
        sheets.push(Sheet {
            name,
            cells,
            merges: merges
                .into_iter()
                .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                .collect(),
        });
    }
    Ok(sheets)
}
