//! The plain-text reader and the PDF line re-joiner on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = juesuan_readers::text_from_bytes(data);
    let text = String::from_utf8_lossy(data);
    let _ = juesuan_readers::unwrap_lines(&text);
});
