//! `cipher-mismatch` and `weak-cipher-enabled`: which cipher suites client and server can
//! agree on, and whether the server accepts broken ones. Seen as the server's "handshake
//! failure" alert to our handshake, in a scan of the server compared with the client's suites,
//! or in the server's `ssl_ciphers`.

use super::protocol_version::ClientRange;
use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::probe::ProbeFacts;
use crate::scan::{CipherSuite, ScanResult, Strength};
use crate::gathered::tls::HandshakeError;

pub const CODES: &[Code] = &[Code::CipherMismatch, Code::WeakCipherEnabled];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let client = ClientRange::of(cx);
    let mut out = Vec::new();
    for h in &facts.hosts {
        out.extend(from_probe(&h.probe));
    }
    for s in &facts.scans {
        if let Some(r) = &s.result {
            out.extend(from_scan(r, &client, &s.endpoint));
        }
    }
    if let Some(f) = &facts.server {
        if let Some(s) = f.conf.get("ssl_ciphers") {
            let weak = weak_elements(&s.value);
            if !weak.is_empty() && f.conf.ssl_on() {
                out.push(
                    Finding::new(Code::WeakCipherEnabled)
                        .said(say!("weak-cipher-enabled.conf", value = &s.value, location = s.location(), weak = weak.join(", ")))
                        .evidence("elements", weak.join(":")),
                );
            }
        }
    }
    out
}

fn from_probe(facts: &ProbeFacts) -> Vec<Finding> {
    let Some(HandshakeError::AlertReceived { alert }) = facts.handshake_failure() else { return vec![] };
    if alert != "handshake failure" && alert != "insufficient security" {
        return vec![];
    }
    let endpoint = facts.target.endpoint();
    let suites = facts.server_suites.clone().unwrap_or_default();
    if suites.is_empty() {
        return vec![Finding::new(Code::CipherMismatch)
            .said(say!("cipher-mismatch.none-shared", endpoint = &endpoint, alert = alert, offered = probe_suites()))
            .evidence("alert", alert)];
    }
    // The server accepts TLS 1.2/1.3 suites, just none that pgtls's own stack implements.
    // libpq with OpenSSL may well connect, so this is not a client error.
    let mut out = vec![Finding::new(Code::CipherMismatch)
        .severity(Severity::Info)
        .said(say!(
            "cipher-mismatch.pgtls-only",
            endpoint = &endpoint,
            alert = alert,
            suites = suites.join(", "),
            chain = if facts.chain.is_empty() { say!("cipher-mismatch.no-certificate-facts") } else { say!("cipher-mismatch.chain-from-raw") }
        ))
        .evidence("server_suites", suites.join(","))
        .fix_said(say!("cipher-mismatch.fix-pgtls-only"))];
    let weak: Vec<&String> = suites
        .iter()
        .filter(|s| CipherSuite::from_name(s).and_then(|c| c.strength()).is_some_and(|x| matches!(x, Strength::Weak | Strength::Insecure)))
        .collect();
    if !weak.is_empty() {
        out.push(
            Finding::new(Code::WeakCipherEnabled)
                .severity(Severity::Warning)
                .said(say!("weak-cipher-enabled.probe", endpoint = &endpoint, suites = weak.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))),
        );
    }
    out
}

fn from_scan(scan: &ScanResult, client: &ClientRange, endpoint: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let common: Vec<_> = scan.accepted_versions().into_iter().filter(|v| client.allows(*v)).collect();
    if let (Some(client_ciphers), false) = (&client.ciphers, common.is_empty()) {
        let shared = scan
            .versions
            .iter()
            .filter(|v| v.accepted && common.contains(&v.version))
            .flat_map(|v| v.ciphers.iter())
            .any(|c| client_ciphers.contains(c));
        if !shared {
            out.push(
                Finding::new(Code::CipherMismatch)
                    .said(say!(
                        "cipher-mismatch.scan",
                        endpoint = endpoint,
                        versions = common.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                        server = names(scan.versions.iter().filter(|v| common.contains(&v.version)).flat_map(|v| v.ciphers.iter())),
                        client = names(client_ciphers.iter())
                    ))
                    .evidence("client_ciphers", names(client_ciphers.iter())),
            );
        }
    }
    let mut weak: Vec<(CipherSuite, Strength)> = Vec::new();
    for v in scan.versions.iter().filter(|v| v.accepted) {
        for c in &v.ciphers {
            if let Some(s @ (Strength::Insecure | Strength::Weak)) = c.strength() {
                if !weak.iter().any(|(w, _)| w == c) {
                    weak.push((*c, s));
                }
            }
        }
    }
    if !weak.is_empty() {
        let insecure = weak.iter().any(|(_, s)| *s == Strength::Insecure);
        out.push(
            Finding::new(Code::WeakCipherEnabled)
                .severity(if insecure { Severity::Error } else { Severity::Warning })
                .said(say!(
                    "weak-cipher-enabled.scan",
                    endpoint = endpoint,
                    count = weak.len(),
                    suites = weak.iter().map(|(c, s)| format!("{} ({s:?})", c.openssl_name())).collect::<Vec<_>>().join(", ")
                ))
                .evidence("ciphers", weak.iter().map(|(c, _)| c.name()).collect::<Vec<_>>().join(","))
                .fix_said(say!("weak-cipher-enabled.fix-scan")),
        );
    }
    out
}

fn names<'a>(it: impl Iterator<Item = &'a CipherSuite>) -> String {
    let v: Vec<String> = it.map(|c| c.openssl_name()).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

const WEAK: [&str; 5] = ["NULL", "EXP", "RC4", "DES", "MD5"];

/// The weak elements of an OpenSSL cipher list (`ssl_ciphers`). Only elements that *add*
/// suites matter: `!` and `-` remove, `+` only reorders (the default `HIGH:MEDIUM:+3DES:!aNULL`
/// is fine); `@SECLEVEL=0` re-enables everything OpenSSL considers broken. TLS 1.3 suites are
/// not governed by this setting.
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

/// The suites our own handshake offers (rustls: AEAD with ECDHE only).
fn probe_suites() -> crate::findings::Message {
    say!("cipher-mismatch.probe-suites")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::facts as server;
    use crate::checks::test_support::{codes, host, probe, scan, scan_facts};
    use crate::gathered::probe::ProbeFailure;
    use crate::wire::TlsVersion;

    #[test]
    fn weak_elements_table() {
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
        let out = check(&server("ssl = on\nssl_ciphers = 'HIGH:RC4'", ""), &Context::default());
        assert_eq!(codes(&out), ["weak-cipher-enabled"]);
        assert!(out[0].detail.contains("/data/postgresql.conf:2"));
    }

    #[test]
    fn from_a_scan() {
        let s = scan(&[(TlsVersion::TLSv1_2, &[0xc030, 0x000a])]); // ECDHE-RSA-AES256-GCM-SHA384, DES-CBC3-SHA
        let libpq = ClientRange { name: "libpq".into(), min: TlsVersion::TLSv1_2, max: TlsVersion::TLSv1_3, ciphers: None };
        let cx = |c: ClientRange| Context { scan_client: Some(c), ..Context::default() };
        let f = check(&scan_facts(s.clone()), &cx(libpq.clone()));
        assert_eq!(codes(&f), ["weak-cipher-enabled"]);
        assert!(f[0].detail.contains("DES-CBC3-SHA"));
        let picky = ClientRange { ciphers: Some(vec![CipherSuite(0xc02b)]), ..libpq.clone() };
        assert!(codes(&check(&scan_facts(s.clone()), &cx(picky))).contains(&"cipher-mismatch"));
        let fine = ClientRange { ciphers: Some(vec![CipherSuite(0xc030)]), ..libpq };
        assert!(!codes(&check(&scan_facts(s), &cx(fine))).contains(&"cipher-mismatch"));
    }

    #[test]
    fn handshake_failure_alert() {
        let mut p = probe();
        p.failure = Some(ProbeFailure::Handshake { error: HandshakeError::AlertReceived { alert: "handshake failure".into() } });
        assert_eq!(codes(&check(&host(p.clone()), &Context::default())), ["cipher-mismatch"]);
        p.server_suites = Some(vec!["AES256-SHA".into()]);
        let f = check(&host(p), &Context::default());
        assert_eq!(f[0].severity, Severity::Info);
    }
}
