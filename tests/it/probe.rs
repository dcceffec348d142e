//! `pgtls probe` against real servers and misbehaving listeners.

use std::process::Command;
use std::time::{Duration, Instant};

use pgtls_lab::{ClosingListener, FixedReplyListener, Server, ServerOptions, SilentListener};
use pgtls::net::Timeouts;
use pgtls::probe::{probe, SslNegotiation, ProbeFacts, ProbeTarget};
use serde_json::Value;

use crate::support::*;

fn target(port: u16) -> ProbeTarget {
    ProbeTarget { host: "127.0.0.1".into(), hostaddr: None, port, sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false }
}

fn codes_of(facts: &ProbeFacts) -> Vec<String> {
    pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc())).into_iter().map(|f| f.code.to_string()).collect()
}

/// Run `pgtls probe ... --format json` and return (exit status, JSON).
fn probe_json(args: &[&str]) -> (i32, Value) {
    let out = pgtls().arg("probe").args(args).args(["--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

fn json_codes(v: &Value) -> Vec<String> {
    v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn tls13_server_with_intermediate_chain() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let (code, v) = probe_json(&[&format!("127.0.0.1:{}", server.port())]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["tls_version"], "TLSv1.3");
    assert_eq!(v["reply"]["reply"], "accept");
    let chain = v["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0]["subject"], "CN=localhost");
    assert_eq!(chain[1]["subject"], "CN=pgtls test intermediate, O=pgtls lab");
    assert_eq!(chain[0]["issuer"], chain[1]["subject"]);
    assert_eq!(chain[0]["san"], serde_json::json!(["DNS:localhost", "IP:127.0.0.1"]));
    assert_eq!(chain[0]["is_ca"], false);
    assert_eq!(chain[1]["is_ca"], true);
    assert_eq!(chain[1]["self_signed"], false);
    assert_eq!(chain[0]["sha256"].as_str().unwrap(), pgtls::x509::sha256(&pki.leaf.der));
    assert!(chain[0]["days_left"].as_i64().unwrap() >= 364);
    assert!(json_codes(&v).is_empty());
}

#[test]
fn tls12_only_server() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let facts = probe(&target(server.port()), Timeouts::default());
    let tls = facts.tls.as_ref().unwrap_or_else(|| panic!("{:?}", facts.failure));
    assert_eq!(tls.version, "TLSv1.2");
    assert!(tls.cipher.starts_with("TLS_ECDHE_ECDSA_WITH_"), "{}", tls.cipher);
    assert!(codes_of(&facts).is_empty());
}

#[test]
fn ssl_off_server() {
    let server = Server::start(ServerOptions::default()).unwrap();
    let (code, v) = probe_json(&[&format!("127.0.0.1:{}", server.port())]);
    assert_eq!(json_codes(&v), ["server-ssl-off"]);
    assert_eq!(code, 2);
    assert_eq!(v["reply"]["reply"], "refuse");
    assert!(v["tls_version"].is_null());
}

#[test]
fn tls10_only_server_is_a_version_mismatch() {
    let pki = Pki::new();
    let server = tls_server(
        &pki,
        &[
            ("ssl_min_protocol_version", "'TLSv1'"),
            ("ssl_max_protocol_version", "'TLSv1.1'"),
            ("ssl_ciphers", "'DEFAULT:@SECLEVEL=0'"),
        ],
    );
    let facts = probe(&target(server.port()), Timeouts::default());
    let found = pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()));
    assert_eq!(found.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["protocol-version-mismatch"], "{facts:?}");
    assert!(found[0].detail.contains("TLSv1.2"), "{}", found[0].detail);
    assert!(found[0].detail.contains("accepts only TLSv1, TLSv1.1"), "{}", found[0].detail);
    assert!(found[0].detail.contains("between TLSv1 and TLSv1.1"), "{}", found[0].detail);
    // The server's own log agrees on what happened.
    std::thread::sleep(Duration::from_millis(200));
    assert!(server.log().contains("could not accept SSL connection"), "{}", server.log());
}

#[test]
fn direct_ssl_on_postgres_17_or_newer() {
    let Some(inst) = pg17_or_newer() else { return };
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.installation = Some(inst);
    let server = Server::start(o).unwrap();
    let (code, v) = probe_json(&["--direct", &format!("127.0.0.1:{}", server.port())]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["negotiation"], "direct");
    assert_eq!(v["alpn"], "postgresql");
    assert!(v["reply"].is_null(), "no SSLRequest is sent on a direct connection");
    assert_eq!(v["chain"].as_array().unwrap().len(), 2);
    // The SSLRequest path on the same server also offers ALPN and gets it.
    let (_, v2) = probe_json(&[&format!("127.0.0.1:{}", server.port())]);
    assert_eq!(v2["alpn"], "postgresql");
}

#[test]
fn direct_ssl_on_postgres_15_is_unsupported() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    if server.installation().major >= 17 {
        eprintln!("SKIP: default installation already supports direct SSL");
        return;
    }
    let (code, v) = probe_json(&["--direct", &format!("127.0.0.1:{}", server.port())]);
    assert_eq!(json_codes(&v), ["direct-ssl-unsupported"], "{v:#}");
    assert_eq!(code, 2);
}

#[test]
fn server_that_closes_the_socket() {
    let l = ClosingListener::start().unwrap();
    let facts = probe(&target(l.port()), Timeouts::default());
    // PostgreSQL always answers an SSLRequest: a hang-up there is something else listening
    // (or a hop in front), and TLS never started — not "closed in the middle of the handshake".
    assert_eq!(codes_of(&facts), ["proxy-mishandles-sslrequest"]);
    let f = &pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()))[0];
    assert!(f.detail.contains("closed it at PostgreSQL's SSLRequest") && f.detail.contains("was closed too"), "{}", f.detail);
}

#[test]
fn listener_that_never_answers_times_out() {
    let l = SilentListener::start().unwrap();
    let started = Instant::now();
    let (code, v) = probe_json(&["--timeout", "1", &format!("127.0.0.1:{}", l.port())]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert_eq!(json_codes(&v), ["network-timeout"]);
    assert_eq!(v["failure"]["error"]["step"], "ssl-reply");
    assert_eq!(code, 2);
}

#[test]
fn non_postgres_listener_is_named() {
    let l = FixedReplyListener::start(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap();
    let facts = probe(&target(l.port()), Timeouts::default());
    assert_eq!(codes_of(&facts), ["proxy-mishandles-sslrequest"]);
}

#[test]
fn error_response_to_sslrequest_is_shown() {
    static REPLY: &[u8] = b"E\x00\x00\x00\x2cSFATAL\x00C53300\x00Msorry, too many clients\x00\x00";
    let l = FixedReplyListener::start(REPLY).unwrap();
    let facts = probe(&target(l.port()), Timeouts::default());
    let found = pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "server-error-response");
    assert!(found[0].detail.contains("sorry, too many clients"), "{}", found[0].detail);
}

/// `openssl s_client -starttls postgres -showcerts` on the same server sees the same chain,
/// version and cipher.
#[test]
fn agrees_with_openssl_s_client() {
    let pki = Pki::new();
    for settings in [vec![], vec![("ssl_max_protocol_version", "'TLSv1.2'")]] {
        let server = tls_server(&pki, &settings);
        let (_, v) = probe_json(&["--pem", &format!("127.0.0.1:{}", server.port())]);
        let out = Command::new("openssl")
            .args(["s_client", "-starttls", "postgres", "-showcerts", "-connect"])
            .arg(format!("127.0.0.1:{}", server.port()))
            .stdin(std::process::Stdio::null())
            .output()
            .expect("openssl is installed");
        let text = String::from_utf8_lossy(&out.stdout);
        let pems: Vec<Vec<u8>> = pem::parse_many(text.as_bytes()).unwrap().into_iter().map(|p| p.into_contents()).collect();
        let ours: Vec<String> = v["chain"].as_array().unwrap().iter().map(|c| c["sha256"].as_str().unwrap().to_string()).collect();
        let theirs: Vec<String> = pems.iter().map(|d| pgtls::x509::sha256(d)).collect();
        assert_eq!(ours, theirs, "chain differs from openssl s_client");
        let line = text.lines().find(|l| l.starts_with("New, ")).unwrap_or_else(|| panic!("{text}"));
        // "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"
        let mut parts = line.trim_start_matches("New, ").split(", Cipher is ");
        assert_eq!(v["tls_version"].as_str().unwrap(), parts.next().unwrap());
        assert_eq!(v["cipher_openssl"].as_str().unwrap(), parts.next().unwrap().trim());
    }
}

/// Facts saved during a probe replay without the network, and `--at` moves the clock.
#[test]
fn saved_facts_replay_offline_at_another_instant() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let facts = dir.path().join("facts.json");
    {
        let server = tls_server(&pki, &[]);
        let (code, _) = probe_json(&["--save-facts", facts.to_str().unwrap(), &format!("127.0.0.1:{}", server.port())]);
        assert_eq!(code, 0);
    } // server gone
    let (code, v) = probe_json(&["--from-facts", facts.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v["tls_version"], "TLSv1.3");
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(400))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (code, v) = probe_json(&["--from-facts", facts.to_str().unwrap(), "--at", &later]);
    assert_eq!(code, 2);
    assert_eq!(json_codes(&v), ["cert-expired", "cert-expired"]);
    let out = pgtls().args(["probe", "--from-facts", "/nonexistent/facts.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/facts.json"));
}

/// A server with only CBC suites: pgtls's rustls handshake cannot complete, but psql can, so
/// pgtls must not call it a client failure.
#[test]
fn cbc_only_server_is_a_pgtls_stack_limit_not_a_client_error() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'"), ("ssl_ciphers", "'ECDHE-ECDSA-AES256-SHA'")]);
    let facts = probe(&target(server.port()), Timeouts::default());
    let found = pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()));
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["cipher-mismatch"], "{found:#?}");
    assert_eq!(found[0].severity, pgtls::findings::Severity::Info);
    assert!(found[0].detail.contains("ECDHE-ECDSA-AES256-SHA"), "{}", found[0].detail);
    // The chain still comes through (read from the cleartext TLS 1.2 Certificate message).
    assert_eq!(facts.chain.len(), 2, "{facts:?}");
    assert_eq!(facts.chain[0].sha256, pgtls::x509::sha256(&pki.leaf.der));
    let (ok, out) = server.psql("sslmode=require", "select 1").unwrap();
    assert!(ok, "psql should connect with OpenSSL: {out}");
}

/// The client's own version range counts: a TLS 1.2-max libpq client cannot reach a TLS
/// 1.3-only server, and pgtls must say so rather than succeed with its own TLS 1.3.
#[test]
fn client_version_range_from_the_connection_string() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    let ci = format!("host=127.0.0.1 port={} ssl_max_protocol_version=TLSv1.2", server.port());
    let (code, v) = probe_json(&[&ci]);
    assert_eq!(json_codes(&v), ["protocol-version-mismatch"], "{v:#}");
    assert_eq!(code, 2);
    let detail = v["findings"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("TLSv1.2 only") && detail.contains("accepts only TLSv1.3"), "{detail}");
    let (ok, _) = server.psql("sslmode=require ssl_max_protocol_version=TLSv1.2", "select 1").unwrap();
    assert!(!ok, "psql agrees");
    let (code, _) = probe_json(&[&format!("host=127.0.0.1 port={}", server.port())]);
    assert_eq!(code, 0);
}

/// Garbage after 'S', and a server that says 'S' and then stalls: clear findings, no hang.
#[test]
fn garbage_and_stalls_inside_the_handshake() {
    let garbage = FixedReplyListener::start(b"Sthis is not TLS at all\r\n").unwrap();
    let facts = probe(&target(garbage.port()), Timeouts::default());
    let codes = codes_of(&facts);
    assert_eq!(codes.len(), 1, "{facts:?}");
    assert!(["tls-handshake-failed", "unexpected-eof"].contains(&codes[0].as_str()), "{codes:?}");

    let stall = FixedReplyListener::start_and_stall(b"S").unwrap();
    let started = Instant::now();
    let t = Timeouts::uniform(Duration::from_secs(1));
    let facts = probe(&target(stall.port()), t);
    assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
    assert_eq!(codes_of(&facts), ["network-timeout"]);
    let f = &pgtls::checks::run(&pgtls::facts::Facts::from_probe(facts.clone()), &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()))[0];
    assert!(f.detail.contains("TLS handshake"), "{}", f.detail);
}
