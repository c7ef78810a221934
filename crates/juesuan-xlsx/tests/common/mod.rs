//! Shared helpers: the embedded example, catalogues and template.
#![allow(dead_code)]

pub mod builder;

use juesuan_core::input::parse_input;
use juesuan_core::tables::{derive_tables, Table, TableSet};
use juesuan_core::{Catalogues, UnitYear};
use juesuan_data::Library;

pub const EXAMPLE: &str = include_str!("../../../../examples/liangshan-kexie-2021/input.toml");

pub fn library() -> Library {
    Library::embedded()
}

pub fn catalogues() -> Catalogues {
    library().catalogues(2021).unwrap()
}

pub fn national() -> TableSet {
    library().table_set("national", 2021).unwrap()
}

pub fn example() -> UnitYear {
    parse_input(EXAMPLE, "input.toml", &catalogues()).unwrap()
}

pub fn tables_of(uy: &UnitYear) -> Vec<Table> {
    derive_tables(&national(), uy, &catalogues())
}
