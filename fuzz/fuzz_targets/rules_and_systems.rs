//! Rule files, indicator-system files and scoring expressions on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_check::RuleSet::from_toml(&text, "f");
    let _ = juesuan_score::IndicatorSystem::from_toml(&text, "f", &|_| None);
    let _ = juesuan_score::expr::Expr::parse(&text);
});
