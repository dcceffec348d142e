//! postgresql.conf text (includes are resolved from disk by the caller; the text is fuzzed).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = pgtls::config::pgconf::PgConf::parse_str(s, std::path::Path::new("fuzz.conf"));
    let _ = pgtls::config::pgconf::parse_bool(s);
    let _ = pgtls::config::pgconf::parse_int(s);
});
