//! `pgtls server` / `pgtls client` on real lab data directories: each misconfiguration is set
//! up for real, the finding must name it, and the server's own behaviour must agree.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use pgtls_lab::{CertSpec, Server, ServerOptions, TlsFiles};

use crate::support::*;

/// `pgtls server --data-dir DIR --format json` → (exit status, codes, JSON).
fn audit(data: &Path, extra: &[&str]) -> (i32, Vec<String>, serde_json::Value) {
    let out = pgtls().args(["server", "--format", "json", "--data-dir"]).arg(data).args(extra).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let codes = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    (out.status.code().unwrap(), codes, v)
}

/// Contents, mode and mtime of every file under `dir`.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32, i64, i64)> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let md = std::fs::symlink_metadata(&p).unwrap();
        if md.is_file() {
            m.insert(p.display().to_string(), (std::fs::read(&p).unwrap(), md.mode(), md.mtime(), md.mtime_nsec()));
        }
    }
    m
}

/// Prepare a data dir with `opts`, expect `code` from the audit, and expect the server to
/// refuse to start with `log_needle` in its log.
fn refuses_to_start(opts: ServerOptions, code: &str, log_needle: &str) {
    let prepared = Server::prepare(opts).unwrap();
    let before = snapshot(prepared.data_dir());
    let (status, codes, v) = audit(prepared.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == code), "expected {code}, got {codes:?}: {v:#}");
    assert_eq!(status, 2);
    assert_eq!(before, snapshot(prepared.data_dir()), "the audit changed the data directory");
    let log = prepared.start_expecting_failure().unwrap();
    assert!(log.contains(log_needle), "server log lacks {log_needle:?}:\n{log}");
}

#[test]
fn key_permissions_refused_by_server_too() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.key_mode = Some(0o640);
    refuses_to_start(o, "server-key-permissions", "has group or world access");
}

#[test]
fn missing_certificate_and_key() {
    let pki = Pki::new();
    refuses_to_start(
        ServerOptions::with_tls(pki.tls()).setting("ssl_cert_file", "'nope.crt'"),
        "server-cert-missing",
        "could not load server certificate file",
    );
    refuses_to_start(
        ServerOptions::with_tls(pki.tls()).setting("ssl_key_file", "'nope.key'"),
        "server-key-missing",
        "could not access private key file",
    );
}

#[test]
fn key_from_another_certificate() {
    let pki = Pki::new();
    let mut tls = pki.tls();
    tls.key_pem = pki.inter.leaf("other", &["other"]).unwrap().key_pem;
    refuses_to_start(ServerOptions::with_tls(tls), "server-key-mismatch", "key values mismatch");
}

#[test]
fn protocol_range_upside_down() {
    let pki = Pki::new();
    let o = ServerOptions::with_tls(pki.tls())
        .setting("ssl_min_protocol_version", "'TLSv1.3'")
        .setting("ssl_max_protocol_version", "'TLSv1.2'");
    refuses_to_start(o, "ssl-protocol-range-invalid", "could not set SSL protocol version range");
}

#[test]
fn encrypted_key_without_passphrase_command() {
    let pki = Pki::new();
    let mut tls = pki.tls();
    tls.key_pem = pki.encrypted_key_pem();
    refuses_to_start(ServerOptions::with_tls(tls), "key-passphrase", "could not load private key file");
}

#[test]
fn ssl_off_and_plain_hba_lines_let_clients_in_without_tls() {
    let mut o = ServerOptions::default();
    o.hba.push("host all all 127.0.0.1/32 trust".into());
    let server = Server::start(o).unwrap();
    let before = snapshot(server.data_dir());
    let (_, codes, _) = audit(server.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == "server-ssl-off"), "{codes:?}");
    assert_eq!(before, snapshot(server.data_dir()));
    // The server agrees: sslmode=require fails, sslmode=disable gets in.
    let (ok, out) = server.psql("sslmode=require", "select 1").unwrap();
    assert!(!ok && out.contains("server does not support SSL"), "{out}");
    assert!(server.psql("sslmode=disable", "select 1").unwrap().0);
}

#[test]
fn host_lines_admit_non_ssl_clients() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.hba.push("host all all 127.0.0.1/32 trust".into());
    let server = Server::start(o).unwrap();
    let (_, codes, _) = audit(server.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == "hba-allows-non-ssl" || c == "hba-no-ssl-entry"), "{codes:?}");
    let (ok, _) = server.psql("sslmode=disable", "select 1").unwrap();
    assert!(ok, "a host line lets a plaintext client in, as the finding says");
}

/// `server --at` judges the certificates at that instant: the day after the leaf's notAfter
/// it is expired, today it is not (the instants come from the certificate the test made).
#[test]
fn server_judges_certificates_at_the_given_instant() {
    let pki = Pki::new();
    let prepared = Server::prepare(ServerOptions::with_tls(pki.tls())).unwrap();
    let leaf = pgtls::x509::Cert::from_der(&pki.leaf.der, "lab").unwrap();
    let after = (leaf.not_after + time::Duration::days(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let (_, now_codes, _) = audit(prepared.data_dir(), &[]);
    assert!(!now_codes.iter().any(|c| c == "cert-expired"), "{now_codes:?}");
    let (status, codes, v) = audit(prepared.data_dir(), &["--at", &after]);
    assert!(codes.iter().any(|c| c == "cert-expired"), "{codes:?}: {v:#}");
    assert_eq!(status, 2);
}

#[test]
fn expired_and_misordered_chain() {
    let pki = Pki::new();
    let expired = pki.inter.leaf_with("localhost", &["localhost"], &CertSpec::expired()).unwrap();
    let tls = TlsFiles {
        // Intermediate first, then the leaf: the wrong order.
        cert_chain_pem: format!("{}{}", pki.inter.cert_pem, expired.cert_pem),
        key_pem: expired.key_pem.clone(),
        ca_pem: None,
    };
    let prepared = Server::prepare(ServerOptions::with_tls(tls)).unwrap();
    let (_, codes, _) = audit(prepared.data_dir(), &[]);
    // PostgreSQL loads the first certificate as the server's own: the key belongs to the
    // second, so the server refuses, and pgtls says the order is wrong.
    assert!(codes.iter().any(|c| c == "chain-order-wrong"), "{codes:?}");
    let log = prepared.start_expecting_failure().unwrap();
    assert!(log.contains("key values mismatch"), "{log}");

    let tls = TlsFiles { cert_chain_pem: format!("{}{}", expired.cert_pem, pki.inter.cert_pem), key_pem: expired.key_pem, ca_pem: None };
    let server = Server::start(ServerOptions::with_tls(tls)).unwrap();
    let (_, codes, _) = audit(server.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == "cert-expired"), "{codes:?}");
    // The server starts, but a verifying client refuses the expired certificate.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let (ok, out) = server.psql(&format!("sslmode=verify-ca sslrootcert={}", root.display()), "select 1").unwrap();
    assert!(!ok && out.contains("certificate verify failed"), "{out}");
}

/// The seed guide's case: DB user kong, client certificate CN foo@example.com, `cert` auth with
/// a map. pgtls writes the pg_ident.conf line; with that line added, real psql gets in.
#[test]
fn cert_user_mapping_and_the_suggested_ident_line() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
    o.init_sql.push("CREATE ROLE kong LOGIN".into());
    o.hba.push("hostssl all kong 127.0.0.1/32 cert map=kongmap".into());
    o.ident.push("kongmap  someone@example.com  kong".into());
    let server = Server::start(o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = pki.root.client("foo@example.com").unwrap();
    let crt = dir.path().join("client.crt");
    let key = dir.path().join("client.key");
    std::fs::write(&crt, &c.cert_pem).unwrap();
    std::fs::write(&key, &c.key_pem).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let ci = format!("user=kong dbname=postgres sslmode=require sslcert={} sslkey={}", crt.display(), key.display());

    let (ok, out) = server.psql(&ci, "select 1").unwrap();
    assert!(!ok, "{out}");
    let (_, codes, v) = audit(server.data_dir(), &["--user", "kong", "--client-cert", crt.to_str().unwrap()]);
    assert!(codes.iter().any(|c| c == "client-cert-user-mismatch"), "{codes:?}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "client-cert-user-mismatch").unwrap();
    let fix = f["fix"].as_str().unwrap();
    assert!(fix.contains("kongmap") && fix.contains("foo@example.com") && fix.contains("kong"), "{fix}");
    assert_eq!(v["client_cert_name"], "foo@example.com");

    // Apply exactly the suggested mapping line and reload: psql now gets in.
    server
        .write_data_file("pg_ident.conf", "kongmap  someone@example.com  kong\nkongmap  foo@example.com  kong\n", 0o600)
        .unwrap();
    server.reload().unwrap();
    let (ok, out) = server.psql(&ci, "select current_user").unwrap();
    assert!(ok && out.contains("kong"), "{out}");
    let (_, codes, _) = audit(server.data_dir(), &["--user", "kong", "--client-cn", "foo@example.com"]);
    assert!(!codes.iter().any(|c| c == "client-cert-user-mismatch"), "{codes:?}");
}

#[test]
fn client_audit_matches_libpq_on_key_permissions_and_missing_cert() {
    let pki = Pki::new();
    let server = Server::start(ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = pki.root.client("postgres").unwrap();
    let crt = dir.path().join("client.crt");
    let key = dir.path().join("client.key");
    std::fs::write(&crt, &c.cert_pem).unwrap();
    std::fs::write(&key, &c.key_pem).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let ci = format!("host=127.0.0.1 port={} sslmode=require sslcert={} sslkey={}", server.port(), crt.display(), key.display());
    let out = pgtls().args(["client", "--format", "json", &ci]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"client-key-permissions"), "{codes:?}");
    // libpq agrees: psql refuses the key.
    let (ok, text) = server.psql(&format!("sslmode=require sslcert={} sslkey={}", crt.display(), key.display()), "select 1").unwrap();
    assert!(!ok && text.contains("has group or world access"), "{text}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("PRIVATE KEY"), "key material must never be printed");

    // A named client certificate that does not exist: libpq silently goes on without one.
    let ci = format!("host=127.0.0.1 port={} sslmode=require sslcert=/nonexistent/client.crt", server.port());
    let out = pgtls().args(["client", "--format", "json", &ci]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"client-cert-file-missing"), "{codes:?}");
    assert!(server.psql("sslmode=require sslcert=/nonexistent/client.crt", "select 1").unwrap().0);
}

/// TLS 1.0 and weak suites enabled in postgresql.conf: the audit says so, and a raw scan of the
/// running server confirms the server really accepts them.
#[test]
fn legacy_protocols_and_weak_ciphers_in_the_config() {
    let pki = Pki::new();
    let o = ServerOptions::with_tls(pki.tls())
        .setting("ssl_min_protocol_version", "'TLSv1'")
        .setting("ssl_ciphers", "'DEFAULT:@SECLEVEL=0'");
    let server = Server::start(o).unwrap();
    let (_, codes, _) = audit(server.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == "insecure-protocol-enabled"), "{codes:?}");
    assert!(codes.iter().any(|c| c == "weak-cipher-enabled"), "{codes:?}");
    let out = pgtls().args(["protocols", "--format", "json"]).arg(format!("127.0.0.1:{}", server.port())).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["versions"][1]["version"], "TLSv1");
    assert_eq!(v["versions"][1]["accepted"], true, "the server really accepts TLS 1.0");
}

/// `cert` authentication without ssl_ca_file: the audit flags it, and the server's own log agrees.
#[test]
fn cert_method_without_ca_file() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.hba.push("hostssl all all 127.0.0.1/32 cert".into());
    let prepared = Server::prepare(o).unwrap();
    let (_, codes, _) = audit(prepared.data_dir(), &[]);
    assert!(codes.iter().any(|c| c == "hba-cert-without-ca"), "{codes:?}");
}
