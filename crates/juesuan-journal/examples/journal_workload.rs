//! A fixed amount of work for instruction counting (bench/overflow/run.sh --instructions):
//! import 100 renamed copies of the example journal (84,100 rows) once.
//! The script copies this file into the base tree it compares against.

use juesuan_data::Library;
use juesuan_journal::{account_map, column_map, import, Options};
use std::hint::black_box;

fn main() {
    let journal = include_str!("../../../examples/liangshan-kexie-2021/journal.csv");
    let (header, body) = journal.split_once('\n').expect("header");
    let mut text = format!("{header}\n");
    for i in 0..100 {
        for line in body.lines() {
            let mut cells = line.splitn(3, ',');
            let (d, v, rest) = (
                cells.next().unwrap_or(""),
                cells.next().unwrap_or(""),
                cells.next().unwrap_or(""),
            );
            text.push_str(&format!("{d},{i}-{v},{rest}\n"));
        }
    }
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
