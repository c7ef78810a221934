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
pub mod unit_year;

pub use error::{JournalError, Rule};
pub use import::{import, BalanceCheck, Journal, Options, Stats, UnitFacts};
pub use mapping::{AccountMap, ColumnMap, TextEncoding};

use juesuan_data::Library;

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
