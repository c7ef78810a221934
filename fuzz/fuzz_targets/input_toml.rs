//! `juesuan_core::input::parse_input` on any text, against the embedded 2021 catalogues.
#![no_main]

use juesuan_core::Catalogues;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn catalogues() -> &'static Catalogues {
    static CATALOGUES: OnceLock<Catalogues> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        juesuan_data::Library::embedded()
            .catalogues(2021)
            .expect("the embedded 2021 catalogues load")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_core::input::parse_input(&text, "fuzz.toml", catalogues());
});
