//! `pgtls explain`: any text a user pastes, as text and as bytes (legacy encodings, mojibake).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pgtls::explain::explain_text(&text);
    let _ = pgtls::explain::explain_bytes(data);
});
