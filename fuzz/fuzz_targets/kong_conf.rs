//! kong.conf text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = pgtls::config::kong::KongConf::parse_str(s, std::path::Path::new("kong.conf"));
});
