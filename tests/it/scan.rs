//! The raw-handshake scanner (`pgtls::tls::scan`) against real servers, checked suite by suite
//! against `openssl s_client`: for every version, the suites the scanner reports (restricted
//! to those the local `openssl` can offer) must equal the ones `s_client` can negotiate.

use std::collections::BTreeSet;
use std::io;
use std::time::Duration;

use pgtls::tls::scan::{scan, Connector, ReadWrite, ScanOptions, ScanResult, TlsVersion};
use pgtls_lab::openssl::{openssl_candidates, openssl_enumerate, SslRequestDialer};
use pgtls_lab::Server;

use crate::support::*;

/// The scanner's connections come from the lab's plain SSLRequest dialer, not pgtls's own.
struct SslRequestConnector(SslRequestDialer);

impl Connector for SslRequestConnector {
    fn open(&self) -> io::Result<Box<dyn ReadWrite + Send>> {
        Ok(Box::new(self.0.open()?))
    }
}

/// Scan `server`, then compare every version with openssl's answer.
fn scan_and_compare(server: &Server) -> ScanResult {
    let c = SslRequestConnector(SslRequestDialer::new("127.0.0.1", server.port(), Duration::from_secs(5)).unwrap());
    let r = scan(&c, &ScanOptions::default());
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    for v in TlsVersion::SCANNED {
        let candidates: BTreeSet<String> = openssl_candidates(v.0).into_iter().collect();
        let ours: BTreeSet<String> = r
            .version(v)
            .unwrap()
            .ciphers
            .iter()
            .map(|c| c.openssl_name())
            .filter(|n| candidates.contains(n))
            .collect();
        let theirs: BTreeSet<String> = openssl_enumerate("127.0.0.1", server.port(), v.0).into_iter().collect();
        assert_eq!(ours, theirs, "{v}: scanner vs openssl s_client");
    }
    let per_version: u32 = r.versions.iter().map(|v| v.handshakes).sum();
    let per_group: u32 = r.groups.iter().map(|g| g.handshakes).sum();
    assert!(r.handshakes >= per_version + per_group);
    r
}

fn accepted(r: &ScanResult) -> Vec<String> {
    r.accepted_versions().iter().map(|v| v.name()).collect()
}

#[test]
fn scan_legacy_server_matches_openssl() {
    let pki = Pki::new();
    let server =
        tls_server(&pki, &[("ssl_min_protocol_version", "TLSv1"), ("ssl_ciphers", "'DEFAULT:@SECLEVEL=0'")]);
    let r = scan_and_compare(&server);
    assert_eq!(accepted(&r), ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
    let v10 = r.version(TlsVersion::TLSv1_0).unwrap();
    assert!(!v10.ciphers.is_empty());
    assert_eq!(v10.server_preference, Some(true)); // PostgreSQL's ssl_prefer_server_ciphers = on
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["versions"][1]["version"], "TLSv1");
    assert_eq!(v["versions"][1]["accepted"], true);
}

#[test]
fn scan_tls12_only_server_matches_openssl() {
    let pki = Pki::new();
    let server = tls_server(
        &pki,
        &[
            ("ssl_min_protocol_version", "TLSv1.2"),
            ("ssl_max_protocol_version", "TLSv1.2"),
            ("ssl_ciphers", "'ECDHE+AESGCM:AES256-SHA:!aNULL'"),
        ],
    );
    let r = scan_and_compare(&server);
    assert_eq!(accepted(&r), ["TLSv1.2"]);
    for v in [TlsVersion::TLSv1_0, TlsVersion::TLSv1_1, TlsVersion::TLSv1_3] {
        assert_eq!(r.version(v).unwrap().refused_with.as_deref(), Some("fatal protocol_version(70)"), "{v}");
    }
    // The lab leaf is EC P-256, so only the ECDSA GCM suites qualify.
    let names: Vec<String> = r.version(TlsVersion::TLSv1_2).unwrap().ciphers.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
    assert_eq!(r.signature_algorithm.map(|s| s.name()).as_deref(), Some("ecdsa_secp256r1_sha256"));
}

#[test]
fn scan_tls13_only_server_matches_openssl() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "TLSv1.3")]);
    let r = scan_and_compare(&server);
    assert_eq!(accepted(&r), ["TLSv1.3"]);
    let v13 = r.version(TlsVersion::TLSv1_3).unwrap();
    assert_eq!(v13.ciphers.len(), 3);
    // PostgreSQL < 18 configures exactly one curve (ssl_ecdh_curve, prime256v1 by default).
    if server.installation().major < 18 {
        let g13 = r.groups.iter().find(|g| g.version == TlsVersion::TLSv1_3).unwrap();
        assert_eq!(g13.groups.iter().map(|g| g.name()).collect::<Vec<_>>(), ["secp256r1"]);
    }
}

/// `pgtls protocols` against a TLS 1.3-only server with Kong's TLS 1.2-only client profile.
#[test]
fn protocols_command_names_the_version_mismatch() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    let out = pgtls()
        .args(["protocols", "--client", "kong", "--format", "json"])
        .arg(format!("127.0.0.1:{}", server.port()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let versions = v["versions"].as_array().unwrap();
    let names: Vec<&str> = versions.iter().map(|x| x["version"].as_str().unwrap()).collect();
    assert_eq!(names, ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
    let accepted: Vec<bool> = versions.iter().map(|x| x["accepted"].as_bool().unwrap()).collect();
    assert_eq!(accepted, [false, false, false, false, true]);
    assert_eq!(versions[4]["ciphers"].as_array().unwrap().len(), 3);
    assert!(v["handshakes"].as_u64().unwrap() > 0);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["protocol-version-mismatch"]);
    assert!(v["findings"][0]["detail"].as_str().unwrap().contains("between TLSv1.3 and TLSv1.3"));
    // libpq's default range is fine with it.
    let out = pgtls().args(["protocols", "-q"]).arg(format!("127.0.0.1:{}", server.port())).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// `protocols` says which certificate key types a server has (issue 26: a client that
/// negotiates ECDSA meets the ECDSA chain): one handshake per family, offering only its
/// signature schemes — checked against `openssl s_client -sigalgs` on an ECDSA and an RSA server.
#[test]
fn protocols_names_the_certificate_key_types_like_openssl() {
    use pgtls_lab::{CertKey, CertSpec, ServerOptions, TlsFiles};
    let spec = |rsa: bool| CertSpec::default().rsa(rsa);
    for rsa in [false, true] {
        let root = CertKey::root_with("key type root", &spec(rsa)).unwrap();
        let leaf = root.leaf_with("localhost", &["localhost", "127.0.0.1"], &spec(rsa)).unwrap();
        let server = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: leaf.cert_pem.clone(), key_pem: leaf.key_pem.clone(), ca_pem: None })).unwrap();
        let out = pgtls().args(["protocols", "--format", "json"]).arg(format!("127.0.0.1:{}", server.port())).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        let offered = |family: &str| v["key_types"].as_array().unwrap().iter().find(|k| k["family"] == family).map(|k| k["offered"] == true).unwrap();
        // openssl with only that family's signature algorithms.
        let openssl = |sigalgs: &str| {
            let o = std::process::Command::new("openssl")
                .args(["s_client", "-starttls", "postgres", "-connect", &format!("127.0.0.1:{}", server.port()), "-sigalgs", sigalgs])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&o.stdout).to_string();
            !text.contains("Cipher is (NONE)") && text.contains("Cipher is")
        };
        assert_eq!(offered("RSA"), openssl("RSA-PSS+SHA256:RSA+SHA256"), "rsa server {rsa}: {v:#}");
        assert_eq!(offered("ECDSA"), openssl("ECDSA+SHA256:ECDSA+SHA384"), "rsa server {rsa}: {v:#}");
        assert_eq!((offered("RSA"), offered("ECDSA")), (rsa, !rsa), "{v:#}");
        let key = v["key_types"].as_array().unwrap().iter().find(|k| k["offered"] == true).unwrap()["key"].as_str().unwrap().to_string();
        assert!(key.starts_with(if rsa { "RSA" } else { "EC" }), "{key}");
    }
}
