//! The worksheets of a workbook as plain tables of cell texts, for reading a classification
//! catalogue (`juesuan data import-catalogue`; the reading itself is juesuan-data's).

use crate::error::ImportError;
use crate::grid::read_workbook;
use crate::safety::Limits;
use juesuan_data::import::{SourceRow, SourceTable};

/// Columns read per row. A catalogue has a handful; the rows are made dense, so a stray cell
/// at column XFD must not make every row 16,384 strings.
const MAX_COLUMNS: u32 = 256;

/// Every worksheet, read with the same archive guard and cell limits as the table importer.
pub fn workbook_tables(bytes: &[u8], limits: &Limits) -> Result<Vec<SourceTable>, ImportError> {
    let sheets = read_workbook(bytes, limits)?;
    Ok(sheets
        .iter()
        .map(|sheet| SourceTable {
            name: format!("工作表“{}”", sheet.name),
            spreadsheet: true,
            rows: sheet
                .rows()
                .into_iter()
                .map(|r| {
                    let last = sheet
                        .row(r)
                        .map(|(c, _)| c)
                        .filter(|&c| c < MAX_COLUMNS)
                        .max()
                        .unwrap_or(0);
                    SourceRow {
                        number: r,
                        cells: (0..=last).map(|c| sheet.text(r, c)).collect(),
                    }
                })
                .collect(),
        })
        .collect())
}
