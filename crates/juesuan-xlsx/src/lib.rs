//! Excel (.xlsx) output of the disclosure tables, the fill-in template, and the importer of
//! official Excel exports (docs/xlsx.md).
//!
//! - [`write_workbook`]: one sheet per table, laid out like the official template, amounts
//!   stored exactly (233.934 万元) and shown with 2 decimals.
//! - [`write_template`]: the same layout, empty, with a 说明 sheet and a 科目代码 sheet.
//! - [`import_workbook`]: finds the tables of a table set in a workbook (by title and header
//!   texts, not positions), inverts their derivation into base facts by the set's `[import]`
//!   roles (national, Sichuan, Shanghai …), and returns the tables as stated for the
//!   consistency rules. Reading is bounded ([`Limits`]): zip bombs and
//!   sheets declaring millions of cells fail fast.
//!
//! - [`workbook_tables`]: every worksheet as a table of cell texts, for `juesuan data
//!   import-catalogue` (juesuan-data reads the catalogue from them).
//! - [`workbook_text`]: every sheet as tab-separated lines, for `juesuan audit tables.xlsx`.
//!
//! Everything here is a pure function over bytes; file I/O is the CLI's.

mod catalogue;
pub mod error;
mod grid;
mod import;
pub mod input;
mod read;
pub mod safety;
mod sheets;
pub mod text;
mod transposed;
pub mod upload;
mod write;

pub use catalogue::workbook_tables;
pub use error::{ImportError, ImportWarning, Place, Problem, ProblemKind, XlsxError};
pub use import::{
    import_workbook, import_workbook_with, import_workbook_with_limits, table_facts, ImportOptions,
    Imported,
};
pub use input::{input_text, merge_note};
pub use safety::Limits;
pub use sheets::{first_sheet_rows, workbook_text};
pub use write::{write_template, write_workbook};
