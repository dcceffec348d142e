//! `pgtls demo` and its in-process fallback endpoint.

use pgtls::lab::InProcessServer;
use pgtls::net::Timeouts;
use pgtls::probe::{probe, SslNegotiation, ProbeTarget};

use crate::support::*;

#[test]
fn demo_shows_the_pinned_intermediate_and_the_fix() {
    let out = pgtls().args(["demo", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict_before"]["connects"], false);
    assert!(v["verdict_before"]["error"].as_str().unwrap().contains("certificate verify failed"));
    assert_eq!(v["verdict_after_fix"]["connects"], true);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"pinned-intermediate"), "{codes:?}");
    assert!(codes.contains(&"server-cert-untrusted"), "{codes:?}");
    // Human output names the fix and cleans up.
    let out = pgtls().arg("demo").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("trust the ROOT"), "{text}");
    assert!(text.contains("Cleaning up"), "{text}");
}

#[test]
fn in_process_endpoint_speaks_sslrequest_and_tls() {
    let pki = Pki::new();
    let ep = InProcessServer::start(&pki.tls()).unwrap();
    let facts = probe(
        &ProbeTarget { host: "localhost".into(), hostaddr: Some("127.0.0.1".into()), port: ep.port(), sni: Some("localhost".into()), negotiation: SslNegotiation::Postgres },
        Timeouts::default(),
    );
    let tls = facts.tls.as_ref().unwrap_or_else(|| panic!("{:?}", facts.failure));
    assert_eq!(tls.alpn.as_deref(), Some("postgresql"));
    assert_eq!(facts.chain.len(), 2);
}
