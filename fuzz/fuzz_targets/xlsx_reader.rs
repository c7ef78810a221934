//! `juesuan_xlsx::import_workbook` on any bytes: errors are fine, panics, hangs and
//! unbounded memory are not. Tight limits keep each run short (the limits themselves are
//! exercised by the crate's tests).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Setup {
    set: juesuan_core::TableSet,
    catalogues: juesuan_core::Catalogues,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let lib = juesuan_data::Library::embedded();
        Setup {
            set: lib.table_set("national", 2021).unwrap(),
            catalogues: lib.catalogues(2021).unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    let limits = juesuan_xlsx::Limits {
        max_total_uncompressed: 8 * 1024 * 1024,
        max_cells: 20_000,
        max_declared_cells: 1_000_000,
        ..juesuan_xlsx::Limits::default()
    };
    let _ = juesuan_xlsx::import_workbook_with_limits(data, &s.set, &s.catalogues, 2021, &limits);
});
