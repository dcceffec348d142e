//! `pgtls fleet` over real servers and failing endpoints.

use pgtls_lab::{ClosingListener, Server, ServerOptions};

use crate::support::*;

#[test]
fn fleet_summarises_mixed_endpoints_in_input_order() {
    let pki = Pki::new();
    let a = tls_server(&pki, &[]);
    let b = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let off = Server::start(ServerOptions::default()).unwrap();
    let closing = ClosingListener::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fleet.txt");
    let mut text = String::from("# our databases\n\n");
    for p in [a.port(), b.port(), off.port(), closing.port()] {
        text += &format!("127.0.0.1:{p}\n");
    }
    // The same primary many times: concurrency must not mix results up.
    for _ in 0..20 {
        text += &format!("127.0.0.1:{}\n", a.port());
    }
    std::fs::write(&list, text).unwrap();
    let out = pgtls().args(["fleet", "--format", "json", "--concurrency", "8"]).arg(&list).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let eps = v["endpoints"].as_array().unwrap();
    assert_eq!(eps.len(), 24);
    assert_eq!(eps[0]["tls_version"], "TLSv1.3");
    assert_eq!(eps[1]["tls_version"], "TLSv1.2");
    assert_eq!(eps[2]["findings"][0]["code"], "server-ssl-off");
    assert_eq!(eps[3]["findings"][0]["code"], "unexpected-eof");
    for e in &eps[4..] {
        assert_eq!(e["port"], a.port());
        assert_eq!(e["tls_version"], "TLSv1.3");
    }
    let s = &v["summary"];
    assert_eq!(s["endpoints"], 24);
    assert_eq!(s["tls_ok"], 22);
    assert_eq!(s["versions"]["TLSv1.3"], 21);
    assert_eq!(s["versions"]["TLSv1.2"], 1);
    assert_eq!(s["issuers"]["CN=pgtls test intermediate, O=pgtls lab"], 22);
    assert_eq!(s["codes"]["server-ssl-off"], 1);

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "127.0.0.1:notaport\n").unwrap();
    let out = pgtls().args(["fleet"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.txt:1"));
}
