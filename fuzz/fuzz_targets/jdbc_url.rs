//! JDBC URLs (`jdbc:postgresql://…?ssl=true&sslmode=…`), and their redaction: no secret
//! parameter's value survives `redact`, however its name is percent-encoded.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::config::jdbc::{is_secret_key, redact, JdbcUrl};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(u) = JdbcUrl::parse(s) {
        let _ = u.sslmode();
        let _ = u.tls_settings(None);
    }
    let red = redact(s);
    if let Some((_, q)) = red.split_once('?') {
        for kv in q.split('&') {
            if let Some((k, v)) = kv.split_once('=') {
                assert!(!is_secret_key(k) || v == "***", "redact kept {kv:?} of {s:?}");
            }
        }
    }
});
