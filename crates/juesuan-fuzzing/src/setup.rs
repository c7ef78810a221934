//! Data every run shares, loaded once per process: the embedded library, catalogues per
//! catalogue file, the national 2021 set-up and the example unit-year.

use juesuan_core::Catalogues;
use juesuan_data::Library;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub fn library() -> &'static Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    LIB.get_or_init(Library::embedded)
}

/// The year an input declares, read as every front end reads it.
pub use juesuan_core::input::declared_year;

/// The catalogues of a year (else the newest), as the CLI loads them. Parsing a catalogue
/// costs far more than a fuzz run, so they are kept per pair of catalogue files.
pub fn catalogues_for(year: Option<i32>) -> Option<Catalogues> {
    static CACHE: OnceLock<Mutex<HashMap<(String, String), Catalogues>>> = OnceLock::new();
    let lib = library();
    let year = year.or_else(|| lib.latest_catalogue_year())?;
    let origin = |kind: &str| lib.find("catalogues", kind, "toml", year).map(|(o, _)| o);
    let key = (
        origin("function")?.to_string(),
        origin("economic")?.to_string(),
    );
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(c) = cache.get(&key) {
        return Some(c.clone());
    }
    let cats = lib.catalogues(year).ok()?;
    cache.insert(key, cats.clone());
    Some(cats)
}

/// What the journal, xlsx and operator-file targets read against.
pub struct National2021 {
    pub catalogues: Catalogues,
    pub table_set: juesuan_core::TableSet,
    pub rules: juesuan_check::RuleSet,
    pub accounts: juesuan_journal::AccountMap,
    pub columns: juesuan_journal::ColumnMap,
    pub yonyou: juesuan_journal::ColumnMap,
}

pub fn national_2021() -> &'static National2021 {
    static S: OnceLock<National2021> = OnceLock::new();
    S.get_or_init(|| {
        let lib = library();
        let (origin, rules) = lib
            .find("rules", "national", "toml", 2021)
            .expect("the national 2021 rules are embedded");
        National2021 {
            catalogues: lib.catalogues(2021).expect("2021 catalogues load"),
            table_set: lib.table_set("national", 2021).expect("table set loads"),
            rules: juesuan_check::RuleSet::from_toml(rules, origin).expect("rules load"),
            accounts: juesuan_journal::account_map(lib, 2021).expect("account mapping loads"),
            columns: juesuan_journal::column_map(lib, "juesuan").expect("columns load"),
            yonyou: juesuan_journal::column_map(lib, "yonyou").expect("columns load"),
        }
    })
}

/// The embedded example (凉山州科协 2021), validated: the unit-year the evaluation target
/// scores against.
pub fn example_unit_year() -> &'static juesuan_core::UnitYear {
    static UY: OnceLock<juesuan_core::UnitYear> = OnceLock::new();
    UY.get_or_init(|| {
        let text = include_str!("../../../examples/liangshan-kexie-2021/input.toml");
        let cats = catalogues_for(Some(2021)).expect("2021 catalogues");
        juesuan_core::input::parse_input(text, "example.toml", &cats).expect("the example is valid")
    })
}
