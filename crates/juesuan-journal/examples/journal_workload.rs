//! A fixed amount of work for instruction counting (bench/overflow/run.sh --instructions):
//! import 100 renamed copies of the example journal (84,100 rows) once.
//! The script copies this file into the base tree it compares against.

use juesuan_data::Library;
use juesuan_journal::{account_map, column_map, import, Options};
use std::hint::black_box;

#[path = "../benches/shared/copies.rs"]
mod shared;
use shared::copies;

fn main() {
    let text = copies(100);
    let lib = Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let accounts = account_map(&lib, 2021).expect("accounts");
    let columns = column_map(&lib, "juesuan").expect("columns");
    let j = import(
        black_box(text.as_bytes()),
        "w.csv",
        &columns,
        &accounts,
        &cats,
        &Options::default(),
        &mut |_| {},
    )
    .expect("imports");
    black_box(j.stats.fact_rows);
}
