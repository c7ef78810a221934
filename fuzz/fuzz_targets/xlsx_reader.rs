//! Thin wrapper: the logic is `juesuan_fuzzing::xlsx_reader` (crates/juesuan-fuzzing), which the
//! stable test `tests/regressions.rs` there also replays.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juesuan_fuzzing::xlsx_reader(data));
