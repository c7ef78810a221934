//! Import of the budget-accounting journal (预算会计凭证, CSV) into the fact table,
//! streaming in constant memory.
//!
//! A journal gives a unit's actual income and spending (决算数) posting by posting, each
//! tagged with its 功能分类, 经济分类, fund source, nature and project. [`import::import`]
//! reads it once, record by record, and sums the postings by the dimensions of the fact
//! table; [`unit_year`] turns the sums into a [`juesuan_core::UnitYear`] (taking the texts,
//! budgets and prior-year figures a journal does not hold from a base input, or writing
//! placeholders). Which accounts become which facts, and how an export names its columns,
//! are data files under `data/journal/` ([`mapping`]). Documented in docs/journal.md.

pub mod error;
pub mod import;
pub mod mapping;
#[cfg(feature = "store")]
pub mod store;
pub mod unit_year;

pub use error::{JournalError, Rule};
pub use import::{import, BalanceCheck, Journal, Options, Stats, UnitFacts};
pub use mapping::{AccountMap, ColumnMap, TextEncoding};

use juesuan_core::Catalogues;
use juesuan_data::Library;
use std::io::Read;

/// The account mapping for `year` (the newest `journal/accounts-<y>.toml` with y ≤ year).
pub fn account_map(lib: &Library, year: i32) -> Result<AccountMap, String> {
    let (origin, text) = lib.find("journal", "accounts", "toml", year).ok_or_else(|| {
        format!("没有 {year} 年或更早年度的科目映射（data/journal/accounts-<年度>.toml）；请用 --data-dir 提供")
    })?;
    AccountMap::from_toml(text, origin)
}

/// A shipped column mapping by name (`journal/columns-<name>.toml`), e.g. "juesuan", "yonyou".
pub fn column_map(lib: &Library, name: &str) -> Result<ColumnMap, String> {
    let path = format!("journal/columns-{name}.toml");
    let (_, origin, text) = lib.files().find(|(p, _, _)| *p == path).ok_or_else(|| {
        let names: Vec<String> = lib
            .files()
            .filter_map(|(p, _, _)| {
                p.strip_prefix("journal/columns-")?
                    .strip_suffix(".toml")
                    .map(str::to_string)
            })
            .collect();
        format!(
            "没有名为“{name}”的列映射；内置：{}；也可给出列映射文件的路径",
            names.join("、")
        )
    })?;
    ColumnMap::from_toml(text, origin)
}

/// Why [`import_for_year`] gave no journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The journal is at fault (a row, the header, the year): exit status 1, HTTP 400.
    Journal(JournalError),
    /// Something around it: a missing data file, an unreadable file (exit status 2).
    Setup(String),
}

/// Row errors of a first pass kept for replay (beyond this, `Stats::skipped` still counts them).
const HELD_ERRORS: usize = 10_000;

/// The data files (function catalogue, account mapping) a year uses: two years that use the
/// same files import alike.
fn data_files_for(lib: &Library, year: i32) -> (Option<&str>, Option<&str>) {
    (
        lib.find("catalogues", "function", "toml", year)
            .map(|(o, _)| o),
        lib.find("journal", "accounts", "toml", year)
            .map(|(o, _)| o),
    )
}

/// Import a journal with the catalogues and account mapping of its own year.
///
/// Without `options.year` the year is the journal's (its first dated row that is not an
/// opening balance), known only after a pass: the first pass uses the newest catalogue year,
/// and the file is read a second time (`open` called again) only if its year needs other
/// data files. Row errors of a first pass that is repeated are not reported twice.
/// `catalogues(year)` gives the catalogues (the command line adds `--catalogue` files).
pub fn import_for_year<R: Read>(
    lib: &Library,
    mut open: impl FnMut() -> std::io::Result<R>,
    origin: &str,
    columns: &ColumnMap,
    options: &Options,
    catalogues: &dyn Fn(i32) -> Result<Catalogues, String>,
    on_error: &mut dyn FnMut(&JournalError),
) -> Result<(Journal, Catalogues), Failure> {
    let guess = options
        .year
        .or_else(|| lib.latest_catalogue_year())
        .ok_or_else(|| Failure::Setup("没有任何分类目录数据文件".into()))?;
    let mut once = |options: &Options,
                    year: i32,
                    on_error: &mut dyn FnMut(&JournalError)|
     -> Result<(Journal, Catalogues), Failure> {
        let cats = catalogues(year).map_err(Failure::Setup)?;
        let accounts = account_map(lib, year).map_err(Failure::Setup)?;
        let input = open().map_err(|e| Failure::Setup(format!("读取日记账 {origin}：{e}")))?;
        let journal = import(input, origin, columns, &accounts, &cats, options, on_error)
            .map_err(Failure::Journal)?;
        Ok((journal, cats))
    };
    if options.year.is_some() {
        return once(options, guess, on_error);
    }
    let mut held = Vec::new();
    let first = once(options, guess, &mut |e| {
        if held.len() < HELD_ERRORS {
            held.push(e.clone());
        }
    });
    if let Ok((journal, _)) = &first {
        if data_files_for(lib, journal.year) != data_files_for(lib, guess) {
            let again = Options {
                year: Some(journal.year),
                ..options.clone()
            };
            return once(&again, journal.year, on_error);
        }
    }
    for e in &held {
        on_error(e);
    }
    first
}
