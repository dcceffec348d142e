//! `pgtls demo` and its in-process fallback endpoint.

use pgtls_lab::InProcessServer;
use pgtls::net::Timeouts;
use pgtls::probe::{probe, SslNegotiation, ProbeTarget};

use crate::support::*;

#[test]
fn demo_shows_the_pinned_intermediate_and_the_fix() {
    let out = pgtls().args(["demo", "--format", "json"]).output().unwrap();
    // A tour that runs as designed exits 0; what it diagnoses is in the report.
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["as_designed"], true);
    let before = &v["before"];
    assert_eq!(before["verdict"]["connects"], false);
    assert!(before["verdict"]["error"].as_str().unwrap().contains("certificate verify failed"));
    assert_eq!(before["exit_code"], 2);
    assert_eq!(v["after_fix"]["verdict"]["connects"], true);
    let codes: Vec<&str> = before["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes.first(), Some(&"pinned-intermediate"), "the root cause comes first: {codes:?}");
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
        &ProbeTarget { host: "localhost".into(), hostaddr: Some("127.0.0.1".into()), port: ep.port(), sni: Some("localhost".into()), negotiation: SslNegotiation::Postgres, hostaddr_only: false },
        Timeouts::default(),
    );
    let tls = facts.tls.as_ref().unwrap_or_else(|| panic!("{:?}", facts.failure));
    assert_eq!(tls.alpn.as_deref(), Some("postgresql"));
    assert_eq!(facts.chain.len(), 2);
}
