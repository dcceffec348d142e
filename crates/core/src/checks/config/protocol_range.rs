//! `ssl_min_protocol_version` must not exceed `ssl_max_protocol_version`, and both must
//! be values the server knows.
//!
//! The server refuses to set up SSL with an empty range ("could not set SSL protocol
//! version range"), so every TLS connection fails.

use crate::wire::TlsVersion;
use crate::say;
use crate::findings::{Code, Finding, IntoArg};
use crate::checks::Context;
use crate::facts::Facts;

pub const CODES: &[Code] = &[Code::SslProtocolRangeInvalid];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    if !f.conf.ssl_on() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut parsed = [None, None];
    for (i, param) in ["ssl_min_protocol_version", "ssl_max_protocol_version"].iter().enumerate() {
        let Some(s) = f.conf.get(param) else { continue };
        if s.value.is_empty() {
            continue;
        }
        match TlsVersion::parse_pg(&s.value) {
            Some(v) => parsed[i] = Some((v, s)),
            None => out.push(Finding::new(Code::SslProtocolRangeInvalid).said(say!(
                "ssl-protocol-range-invalid.value",
                param = param,
                value = &s.value,
                location = s.location(),
                or_empty = if i == 1 { say!("ssl-protocol-range-invalid.or-empty").into_arg() } else { "".into_arg() }
            ))),
        }
    }
    let min = parsed[0].map(|(v, _)| v).unwrap_or(TlsVersion::TLSv1_2);
    if let Some((max, ms)) = parsed[1] {
        if min > max {
            let min_at = match parsed[0] {
                Some((_, s)) => s.location().into_arg(),
                None => say!("common.default").into_arg(),
            };
            out.push(Finding::new(Code::SslProtocolRangeInvalid).said(say!(
                "ssl-protocol-range-invalid.min-above-max",
                min = min.name(),
                min_at = min_at,
                max = max.name(),
                max_at = ms.location()
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts};

    #[test]
    fn table() {
        let table: [(&str, &[&str]); 7] = [
            ("", &[]),
            ("ssl_min_protocol_version = 'TLSv1.3'", &[]),
            ("ssl_min_protocol_version = 'TLSv1.3'\nssl_max_protocol_version = 'TLSv1.2'", &["ssl-protocol-range-invalid"]),
            ("ssl_max_protocol_version = 'TLSv1.1'", &["ssl-protocol-range-invalid"]),
            ("ssl_min_protocol_version = 'tlsv1.2'\nssl_max_protocol_version = 'TLSv1.2'", &[]),
            ("ssl_max_protocol_version = ''", &[]),
            ("ssl_min_protocol_version = 'TLSv1.4'", &["ssl-protocol-range-invalid"]),
        ];
        for (conf, expected) in table {
            assert_eq!(codes(&check(&facts(&format!("ssl = on\n{conf}"), ""), &Context::default())), expected, "{conf}");
        }
    }
}
