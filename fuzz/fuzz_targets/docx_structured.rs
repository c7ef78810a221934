//! Thin wrapper: the logic is `juesuan_fuzzing::docx_structured` (crates/juesuan-fuzzing), which the
//! stable test `tests/regressions.rs` there also replays.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| juesuan_fuzzing::docx_structured(data));
