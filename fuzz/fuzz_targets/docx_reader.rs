//! `juesuan_readers::docx_text` on any bytes: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = juesuan_readers::docx_text(data);
});
