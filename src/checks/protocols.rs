//! `protocol-version-mismatch`, `insecure-protocol-enabled`, `weak-cipher-enabled`,
//! `cipher-mismatch`: what the server accepts (from the raw scan) against what the client
//! allows. Half the errors in the gateway guide ("wrong version number", "unsupported
//! protocol", "tlsv1 alert protocol version", "no shared cipher") are this comparison.

use serde::Serialize;

use crate::findings::{Code, Finding, Severity};
use crate::tls::scan::{CipherSuite, TlsVersion, ScanResult, Strength};

/// The client's side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRange {
    /// Who the client is (`libpq defaults`, `kong pg_ssl_version=tlsv1_2`, `--client-min`).
    pub name: String,
    pub min: TlsVersion,
    pub max: TlsVersion,
    /// The client's cipher suites, when known; None means "OpenSSL defaults, assume compatible".
    pub ciphers: Option<Vec<CipherSuite>>,
}

impl ClientRange {
    pub fn allows(&self, v: TlsVersion) -> bool {
        v.0 >= self.min.0 && v.0 <= self.max.0
    }

    pub fn describe(&self) -> String {
        if self.min == self.max {
            format!("{} only", self.min.name())
        } else {
            format!("{}–{}", self.min.name(), self.max.name())
        }
    }
}

pub fn check(scan: &ScanResult, client: &ClientRange, endpoint: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let accepted = scan.accepted_versions();
    let complete = scan.versions.iter().all(|v| v.complete);
    if accepted.is_empty() {
        if complete {
            out.push(Finding::new(Code::TlsHandshakeFailed).detail(format!(
                "{endpoint} refused every TLS version from SSLv3 to TLSv1.3 ({} handshakes).",
                scan.handshakes
            )));
        }
        return out;
    }
    let (smin, smax) = (accepted[0], accepted[accepted.len() - 1]);
    let server_range = if smin == smax { smin.name() } else { format!("{}–{}", smin.name(), smax.name()) };
    let common: Vec<TlsVersion> = accepted.iter().copied().filter(|v| client.allows(*v)).collect();
    if common.is_empty() {
        out.push(
            Finding::new(Code::ProtocolVersionMismatch)
                .detail(format!(
                    "{endpoint} accepts {server_range}; the client ({}) allows {}. No version is in both, so the \
                     handshake fails: the client reports \"unsupported protocol\" / \"tlsv1 alert protocol version\" / \
                     \"wrong version number\", and the server logs \"could not accept SSL connection\" with HINT \"This may \
                     indicate that the client does not support any SSL protocol version between {} and {}.\" — those \
                     two versions are the server's ssl_min_protocol_version and ssl_max_protocol_version.",
                    client.name,
                    client.describe(),
                    smin.name(),
                    smax.name()
                ))
                .evidence("server_accepts", &server_range)
                .evidence("client_allows", client.describe())
                .fix(if smax.0 < client.min.0 {
                    format!(
                        "Raise the server: set ssl_max_protocol_version = '' (or '{}') and ssl_min_protocol_version = 'TLSv1.2' in postgresql.conf and reload; do not lower the client below TLSv1.2.",
                        client.max.name()
                    )
                } else {
                    format!(
                        "Let the client use {}: raise its maximum (libpq ssl_max_protocol_version, Kong pg_ssl_version), or lower the server's ssl_min_protocol_version to a version the client has.",
                        smin.name()
                    )
                }),
        );
    } else if let Some(client_ciphers) = &client.ciphers {
        let shared: Vec<&CipherSuite> = scan
            .versions
            .iter()
            .filter(|v| v.accepted && common.contains(&v.version))
            .flat_map(|v| v.ciphers.iter())
            .filter(|c| client_ciphers.contains(c))
            .collect();
        if shared.is_empty() {
            out.push(
                Finding::new(Code::CipherMismatch)
                    .detail(format!(
                        "{endpoint} and the client share {} but no cipher suite: the server accepts {}; the client offers {}. \
                         The server logs \"could not accept SSL connection: no shared cipher\".",
                        common.iter().map(|v| v.name()).collect::<Vec<_>>().join(", "),
                        names(scan.versions.iter().filter(|v| common.contains(&v.version)).flat_map(|v| v.ciphers.iter())),
                        names(client_ciphers.iter())
                    ))
                    .evidence("client_ciphers", names(client_ciphers.iter())),
            );
        }
    }
    let old: Vec<String> = accepted.iter().filter(|v| v.0 < TlsVersion::TLSv1_2.0).map(|v| v.name()).collect();
    if !old.is_empty() {
        out.push(
            Finding::new(Code::InsecureProtocolEnabled)
                .severity(Severity::Warning)
                .detail(format!("{endpoint} accepts {}, deprecated by RFC 8996.", old.join(", ")))
                .evidence("versions", old.join(","))
                .fix("Set ssl_min_protocol_version = 'TLSv1.2' in postgresql.conf and reload (SELECT pg_reload_conf();)."),
        );
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
                .detail(format!(
                    "{endpoint} accepts {} weak or insecure cipher suite(s): {}.",
                    weak.len(),
                    weak.iter().map(|(c, s)| format!("{} ({s:?})", c.openssl_name())).collect::<Vec<_>>().join(", ")
                ))
                .evidence("ciphers", weak.iter().map(|(c, _)| c.name()).collect::<Vec<_>>().join(","))
                .fix("Set ssl_ciphers = 'HIGH:!aNULL:!MD5:!3DES:!RC4:!SHA1' (or PostgreSQL's default 'HIGH:MEDIUM:+3DES:!aNULL' minus the weak ones) in postgresql.conf, and never use @SECLEVEL=0."),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::scan::VersionResult;

    fn scan(accepted: &[(TlsVersion, &[u16])]) -> ScanResult {
        ScanResult {
            versions: TlsVersion::SCANNED
                .iter()
                .map(|v| {
                    let a = accepted.iter().find(|(x, _)| x == v);
                    VersionResult {
                        version: *v,
                        accepted: a.is_some(),
                        ciphers: a.map(|(_, c)| c.iter().map(|x| CipherSuite(*x)).collect()).unwrap_or_default(),
                        server_preference: None,
                        refused_with: None,
                        complete: true,
                        handshakes: 1,
                        alpn: None,
                    }
                })
                .collect(),
            groups: vec![],
            signature_algorithm: None,
            dh_bits: None,
            handshakes: 5,
            notes: vec![],
            errors: vec![],
        }
    }

    fn libpq() -> ClientRange {
        ClientRange { name: "libpq".into(), min: TlsVersion::TLSv1_2, max: TlsVersion::TLSv1_3, ciphers: None }
    }

    fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }

    #[test]
    fn version_ranges() {
        // TLS 1.0/1.1-only server against libpq's default range.
        let old = scan(&[(TlsVersion::TLSv1_0, &[0xc013]), (TlsVersion::TLSv1_1, &[0xc013])]);
        let f = check(&old, &libpq(), "db:5432");
        assert_eq!(codes(&f), ["protocol-version-mismatch", "insecure-protocol-enabled"]);
        assert!(f[0].detail.contains("between TLSv1 and TLSv1.1"), "{}", f[0].detail);
        // TLS 1.3-only server against a TLS 1.2-only client (Kong's default).
        let new = scan(&[(TlsVersion::TLSv1_3, &[0x1302])]);
        let kong = ClientRange { max: TlsVersion::TLSv1_2, ..libpq() };
        assert_eq!(codes(&check(&new, &kong, "db")), ["protocol-version-mismatch"]);
        assert!(check(&new, &libpq(), "db").is_empty());
    }

    #[test]
    fn ciphers() {
        let s = scan(&[(TlsVersion::TLSv1_2, &[0xc030, 0x000a])]); // ECDHE-RSA-AES256-GCM-SHA384, DES-CBC3-SHA
        let f = check(&s, &libpq(), "db");
        assert_eq!(codes(&f), ["weak-cipher-enabled"]);
        assert!(f[0].detail.contains("DES-CBC3-SHA"));
        let picky = ClientRange { ciphers: Some(vec![CipherSuite(0xc02b)]), ..libpq() };
        assert!(codes(&check(&s, &picky, "db")).contains(&"cipher-mismatch"));
        let fine = ClientRange { ciphers: Some(vec![CipherSuite(0xc030)]), ..libpq() };
        assert!(!codes(&check(&s, &fine, "db")).contains(&"cipher-mismatch"));
    }
}
