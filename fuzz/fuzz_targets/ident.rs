//! pg_ident.conf text, then evaluating a mapping.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::config::ident::{evaluate, Ident};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(ident) = Ident::parse_str(s, std::path::Path::new("pg_ident.conf")) {
        let _ = evaluate(&ident, "m", "alice", "app");
    }
});
