//! `pgtls probe` against real servers.

use std::time::Duration;

use pgtls::net::Timeouts;
use pgtls::probe::{probe, Negotiation, ProbeTarget};

use crate::support::*;

fn target(port: u16) -> ProbeTarget {
    ProbeTarget { host: "127.0.0.1".into(), hostaddr: None, port, sni: None, negotiation: Negotiation::Postgres }
}

fn codes(f: &[pgtls::findings::Finding]) -> Vec<String> {
    f.iter().map(|f| f.code.clone()).collect()
}

#[test]
fn tls13_server_with_intermediate_chain() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let facts = probe(&target(server.port()), Timeouts::default());
    let tls = facts.tls.as_ref().unwrap_or_else(|| panic!("no TLS: {:?}", facts.failure));
    assert_eq!(tls.version, "TLSv1.3");
    assert_eq!(facts.chain.len(), 2);
    assert_eq!(facts.chain[0].subject_cn.as_deref(), Some("localhost"));
    assert_eq!(facts.chain[1].subject_cn.as_deref(), Some("pgtls test intermediate"));
    assert_eq!(facts.chain[0].issuer, facts.chain[1].subject);
    assert!(facts.chain[1].is_ca && !facts.chain[0].is_ca);
    assert!(pgtls::checks::probe(&facts, &Default::default()).is_empty());
}
