//! `ssl_ciphers` must not enable broken TLS 1.2 cipher suites.
//!
//! The value is an OpenSSL cipher list. Only elements that *add* suites matter: those
//! starting with `!` or `-` remove and `+` only reorders (the default
//! `HIGH:MEDIUM:+3DES:!aNULL` is fine). `@SECLEVEL=0` re-enables everything OpenSSL
//! considers broken. TLS 1.3 suites are not governed by this setting.

use super::ServerFacts;
use crate::findings::{Code, Finding};

const WEAK: [&str; 5] = ["NULL", "EXP", "RC4", "DES", "MD5"];

/// The weak elements of an OpenSSL cipher list.
pub fn weak_elements(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    for el in list.split([':', ',', ' ']).filter(|e| !e.is_empty()) {
        if el.eq_ignore_ascii_case("@SECLEVEL=0") {
            out.push(el.to_string());
            continue;
        }
        if el.starts_with(['!', '-', '+', '@']) {
            continue;
        }
        let upper = el.to_ascii_uppercase();
        if WEAK.iter().any(|w| upper.contains(w)) || upper == "COMPLEMENTOFALL" || upper == "COMPLEMENTOFDEFAULT" {
            out.push(el.to_string());
        }
    }
    out
}

pub fn check(f: &ServerFacts) -> Vec<Finding> {
    let Some(s) = f.conf.get("ssl_ciphers") else { return Vec::new() };
    let weak = weak_elements(&s.value);
    if weak.is_empty() || !f.conf.ssl_on() {
        return Vec::new();
    }
    vec![Finding::new(Code::WeakCipherEnabled)
        .detail(format!("ssl_ciphers = '{}' ({}) enables {}", s.value, s.location(), weak.join(", ")))
        .evidence("elements", weak.join(":"))]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &[&str]); 9] = [
            ("HIGH:MEDIUM:+3DES:!aNULL", &[]),
            ("HIGH:!aNULL:!eNULL:!MD5:-RC4", &[]),
            ("ALL:eNULL", &["eNULL"]),
            ("HIGH:NULL-SHA", &["NULL-SHA"]),
            ("EXPORT", &["EXPORT"]),
            ("ECDHE+RC4", &["ECDHE+RC4"]),
            ("DES-CBC3-SHA:HIGH", &["DES-CBC3-SHA"]),
            ("HIGH:@SECLEVEL=0", &["@SECLEVEL=0"]),
            ("HIGH:aNULL", &["aNULL"]),
        ];
        for (list, expected) in table {
            assert_eq!(weak_elements(list), expected, "{list}");
        }
        let f = facts("ssl = on\nssl_ciphers = 'HIGH:RC4'", "");
        let out = check(&f);
        assert_eq!(codes(&out), ["weak-cipher-enabled"]);
        assert!(out[0].detail.contains("/data/postgresql.conf:2"));
    }
}
