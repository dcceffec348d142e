//! pg_hba.conf text, then matching a TLS and a plain connection against the rules.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::config::hba::{matching_rules, Hba, HbaQuery};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(hba) = Hba::parse_str(s, std::path::Path::new("pg_hba.conf")) else { return };
    for ssl in [true, false] {
        let q = HbaQuery { ssl, gss: false, addr: Some("10.1.2.3".parse().unwrap()), user: "app".into(), db: "app".into() };
        let _ = matching_rules(&hba, &q);
    }
});
