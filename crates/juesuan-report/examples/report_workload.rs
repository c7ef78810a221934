//! A fixed amount of work for instruction counting (bench/overflow/run.sh --instructions):
//! parse the example 100 times, derive its tables 100 times and build its report 20 times.
//! The script copies this file into the base tree it compares against.

use std::hint::black_box;

fn main() {
    let lib = juesuan_data::Library::embedded();
    let cats = lib.catalogues(2021).expect("catalogues");
    let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
    let set = lib.table_set("national", 2021).expect("tables");
    let mut uy = None;
    for _ in 0..100 {
        uy = Some(
            juesuan_core::input::parse_input(black_box(text), "input.toml", &cats).expect("valid"),
        );
    }
    let uy = uy.expect("parsed");
    for _ in 0..100 {
        black_box(juesuan_core::tables::derive_tables(
            &set,
            black_box(&uy),
            &cats,
        ));
    }
    for _ in 0..20 {
        black_box(juesuan_report::build_report(black_box(&uy), &lib, &cats).expect("report"));
    }
}
