//! `juesuan_audit::audit` on any text: it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_audit::audit(&text);
});
