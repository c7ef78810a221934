//! `juesuan_journal::import` on any bytes: the CSV reader, the field parsers (dates,
//! amounts, codes, GBK/UTF-8 text), the voucher checks and the aggregation never panic.
//! The first byte picks the options (encoding, --keep-going, balance check, all units).
#![no_main]

use juesuan_core::Catalogues;
use juesuan_journal::{AccountMap, BalanceCheck, ColumnMap, Options, TextEncoding};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Setup {
    catalogues: Catalogues,
    accounts: AccountMap,
    columns: ColumnMap,
    yonyou: ColumnMap,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let lib = juesuan_data::Library::embedded();
        Setup {
            catalogues: lib
                .catalogues(2021)
                .expect("the embedded 2021 catalogues load"),
            accounts: juesuan_journal::account_map(&lib, 2021).expect("account mapping loads"),
            columns: juesuan_journal::column_map(&lib, "juesuan").expect("columns load"),
            yonyou: juesuan_journal::column_map(&lib, "yonyou").expect("columns load"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let s = setup();
    let options = Options {
        year: (flags & 1 != 0).then_some(2021),
        unit: None,
        all_units: flags & 2 != 0,
        keep_going: flags & 4 != 0,
        balance: match (flags >> 3) & 3 {
            0 => BalanceCheck::Auto,
            1 => BalanceCheck::Strict,
            _ => BalanceCheck::Off,
        },
        encoding: (flags & 32 != 0).then_some(TextEncoding::Gb18030),
    };
    let columns = if flags & 64 != 0 {
        &s.yonyou
    } else {
        &s.columns
    };
    if let Ok(journal) = juesuan_journal::import(
        body,
        "fuzz.csv",
        columns,
        &s.accounts,
        &s.catalogues,
        &options,
        &mut |_| {},
    ) {
        for i in 0..journal.units.len() {
            let _ = journal.unit_facts(i);
        }
    }
});
