//! A workbook as the auditor reads a document (`juesuan audit tables.xlsx`): each sheet one
//! page (a form feed between sheets), each sheet row one line with every cell of the sheet's
//! used columns, empty ones included, separated by tabs — as a .docx table row — so that the
//! auditor recognises each sheet as a table and places each amount under its header column
//! by the cell's index. Reading goes through [`read_workbook`]: the same zip-bomb and
//! cell-count guards as the importer.

use crate::error::ImportError;
use crate::grid::{read_workbook, Sheet, Value};
use crate::safety::Limits;
use crate::text::amount_from_f64;
use juesuan_core::money::MoneyUnit;

/// A number as printed: its exact decimal (numbers are read through their shortest form, as
/// the importer reads them), with at least two decimals as the workbook shows amounts.
fn number_text(v: f64) -> String {
    match amount_from_f64(v, MoneyUnit::Wan) {
        Ok(a) => {
            let exact = a.exact(MoneyUnit::Wan);
            let decimals = exact.split_once('.').map_or(0, |(_, d)| d.len());
            match decimals {
                0 => format!("{exact}.00"),
                1 => format!("{exact}0"),
                _ => exact,
            }
        }
        // More precise than 分 or not a number: shown as stored, never rounded here.
        Err(_) => format!("{v}"),
    }
}

fn cell_text(v: Option<&Value>) -> String {
    let text = match v {
        Some(Value::Number(n)) => number_text(*n),
        Some(Value::Text(s)) => s.trim().to_string(),
        Some(Value::Other(s)) => s.clone(),
        None => String::new(),
    };
    // A tab or line break inside a cell would split it.
    text.replace(['\t', '\n', '\r'], " ")
}

/// One sheet's lines: every row from its first to its last, every column from the sheet's
/// first used column to its last.
fn sheet_text(sheet: &Sheet, out: &mut String) {
    let (Some(first), Some(last)) = (
        sheet.cells.keys().map(|k| k.1).min(),
        sheet.cells.keys().map(|k| k.1).max(),
    ) else {
        return;
    };
    let rows: Vec<u32> = sheet.cells.keys().map(|k| k.0).collect();
    let (top, bottom) = (rows[0], rows[rows.len() - 1]);
    for r in top..=bottom {
        let cells: Vec<String> = (first..=last).map(|c| cell_text(sheet.get(r, c))).collect();
        if cells.iter().all(String::is_empty) {
            out.push('\n');
            continue;
        }
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
}

/// The text of a workbook, sheet by sheet, for the auditor.
pub fn workbook_text(bytes: &[u8], limits: &Limits) -> Result<String, ImportError> {
    let sheets = read_workbook(bytes, limits)?;
    let mut out = String::new();
    for (i, sheet) in sheets.iter().enumerate() {
        if i > 0 {
            out.push_str("\u{c}\n");
        }
        sheet_text(sheet, &mut out);
    }
    Ok(out)
}

/// The first worksheet as rows of cell texts from its first used column, each with its
/// 1-based row number: a small data table such as an allocation plan's KPI file. Numbers are
/// given in their shortest decimal form ("3120", "92.5"), text trimmed; empty rows left out.
pub fn first_sheet_rows(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let sheets = read_workbook(bytes, limits)?;
    let Some(sheet) = sheets.first() else {
        return Ok(Vec::new());
    };
    let (Some(first), Some(last)) = (
        sheet.cells.keys().map(|k| k.1).min(),
        sheet.cells.keys().map(|k| k.1).max(),
    ) else {
        return Ok(Vec::new());
    };
    Ok(sheet
        .rows()
        .into_iter()
        .map(|r| {
            let cells = (first..=last).map(|c| sheet.text(r, c)).collect();
            (r as usize + 1, cells)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_printed_exactly_with_two_decimals_at_least() {
        assert_eq!(number_text(12.0), "12.00");
        assert_eq!(number_text(12.5), "12.50");
        assert_eq!(number_text(233.934), "233.934");
        assert_eq!(number_text(0.1 + 0.2), "0.30");
    }
}
