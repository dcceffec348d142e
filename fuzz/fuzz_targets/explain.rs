//! `pgtls explain`: any text a user pastes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = pgtls::explain::explain_text(&text);
});
