//! Provoke each server-side TLS failure for real on a lab server, then check that
//! `pgtls logs` on that server's real log names the right code.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pgtls_lab::{CertKey, LabError, Server, ServerOptions, TlsFiles};

use crate::support::*;

/// Codes `pgtls logs` finds in a log text.
pub fn log_codes(log: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("server.log");
    std::fs::write(&p, log).unwrap();
    let out = pgtls().args(["logs", "--format", "json"]).arg(&p).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("pgtls logs gave no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    v["codes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
}

/// The server's log must contain `needle` (the real message), and pgtls must name `code`.
fn expect(log: &str, needle: &str, code: &str) {
    assert!(log.contains(needle), "server log lacks {needle:?}:\n{log}");
    let codes = log_codes(log);
    assert!(codes.iter().any(|c| c == code), "pgtls logs found {codes:?}, expected {code}, in:\n{log}");
}

fn start_failure(opts: ServerOptions) -> String {
    match Server::start(opts) {
        Err(LabError::StartFailed { log }) => log,
        Err(e) => panic!("unexpected lab error: {e}"),
        Ok(_) => panic!("the server started although it should have refused"),
    }
}

fn wait_log(server: &Server, needle: &str) -> String {
    for _ in 0..100 {
        let l = server.log();
        if l.contains(needle) {
            return l;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    server.log()
}

fn write_secret(dir: &Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.display().to_string()
}

#[test]
fn key_with_group_access_refuses_start() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.key_mode = Some(0o644);
    let log = start_failure(o);
    expect(&log, "has group or world access", "server-key-permissions");
}

#[test]
fn missing_server_certificate() {
    let pki = Pki::new();
    let o = ServerOptions::with_tls(pki.tls()).setting("ssl_cert_file", "'missing.crt'");
    let log = start_failure(o);
    expect(&log, "could not load server certificate file", "server-cert-missing");
}

#[test]
fn missing_server_key() {
    let pki = Pki::new();
    let o = ServerOptions::with_tls(pki.tls()).setting("ssl_key_file", "'missing.key'");
    let log = start_failure(o);
    expect(&log, "could not access private key file", "server-key-missing");
}

#[test]
fn key_does_not_match_certificate() {
    let pki = Pki::new();
    let other = pki.inter.leaf("localhost", &["localhost"]).unwrap();
    let mut tls = pki.tls();
    tls.key_pem = other.key_pem;
    let log = start_failure(ServerOptions::with_tls(tls));
    expect(&log, "key values mismatch", "server-key-mismatch");
}

#[test]
fn garbage_certificate_file() {
    let pki = Pki::new();
    let mut tls = pki.tls();
    tls.cert_chain_pem = "this is not a certificate\n".into();
    let log = start_failure(ServerOptions::with_tls(tls));
    expect(&log, "could not load server certificate file", "cert-or-key-format");
}

#[test]
fn broken_crl_file() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
    o.files.push(("root.crl".into(), "-----BEGIN X509 CRL-----\ngarbage\n-----END X509 CRL-----\n".into(), 0o600));
    let o = o.setting("ssl_crl_file", "'root.crl'");
    let log = start_failure(o);
    expect(&log, "revocation list", "crl-problem");
}

#[test]
fn tls13_only_server_vs_tls12_max_client() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    let (ok, out) = server.psql("sslmode=require ssl_max_protocol_version=TLSv1.2", "select 1").unwrap();
    assert!(!ok, "{out}");
    let log = wait_log(&server, "could not accept SSL connection");
    expect(&log, "could not accept SSL connection", "protocol-version-mismatch");
}

#[test]
fn client_rejects_server_ca() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let wrong = CertKey::root("Some Other Root").unwrap();
    let root = write_secret(dir.path(), "root.crt", &wrong.cert_pem);
    let (ok, _) = server.psql(&format!("sslmode=verify-ca sslrootcert={root}"), "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "unknown ca");
    expect(&log, "tlsv1 alert unknown ca", "client-rejects-server-ca");
}

fn cert_auth_server(pki: &super::support::Pki, hba: &str, ident: &[&str]) -> Server {
    let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
    o.init_sql.push("CREATE ROLE kong LOGIN".into());
    o.hba.push(hba.into());
    o.ident = ident.iter().map(|s| s.to_string()).collect();
    Server::start(o).unwrap()
}

#[test]
fn server_rejects_client_cert_from_unknown_ca() {
    let pki = Pki::new();
    let server = cert_auth_server(&pki, "hostssl all all 127.0.0.1/32 cert", &[]);
    let dir = tempfile::tempdir().unwrap();
    let stranger = CertKey::root("Stranger CA").unwrap().client("kong").unwrap();
    let crt = write_secret(dir.path(), "client.crt", &stranger.cert_pem);
    let key = write_secret(dir.path(), "client.key", &stranger.key_pem);
    let (ok, _) = server.psql(&format!("user=kong sslmode=require sslcert={crt} sslkey={key}"), "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "certificate verify failed");
    expect(&log, "could not accept SSL connection: certificate verify failed", "server-rejects-client-cert");
}

#[test]
fn client_cert_for_the_wrong_user() {
    let pki = Pki::new();
    let server = cert_auth_server(&pki, "hostssl all all 127.0.0.1/32 cert", &[]);
    let dir = tempfile::tempdir().unwrap();
    let c = pki.root.client("foo@example.com").unwrap();
    let crt = write_secret(dir.path(), "client.crt", &c.cert_pem);
    let key = write_secret(dir.path(), "client.key", &c.key_pem);
    let (ok, out) = server.psql(&format!("user=kong sslmode=require sslcert={crt} sslkey={key}"), "select 1").unwrap();
    assert!(!ok, "{out}");
    let log = wait_log(&server, "certificate authentication failed");
    expect(&log, "provided user name (kong) and authenticated user name (foo@example.com) do not match", "client-cert-user-mismatch");
}

#[test]
fn missing_client_certificate() {
    let pki = Pki::new();
    let server = cert_auth_server(&pki, "hostssl all all 127.0.0.1/32 trust clientcert=verify-ca", &[]);
    let (ok, _) = server.psql("user=kong sslmode=require sslcert=/nonexistent.crt", "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "connection requires a valid client certificate");
    expect(&log, "connection requires a valid client certificate", "client-cert-required");
}

#[test]
fn hostssl_only_hba_refuses_plain_connections() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.hba.push("hostssl all all 127.0.0.1/32 trust".into());
    let server = Server::start(o).unwrap();
    let (ok, _) = server.psql("sslmode=disable", "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "no pg_hba.conf entry");
    expect(&log, "no pg_hba.conf entry", "ssl-required-by-server");
}

#[test]
fn client_hangs_up_during_handshake() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    s.write_all(&pgtls::wire::SSL_REQUEST).unwrap();
    let mut b = [0u8; 1];
    std::io::Read::read_exact(&mut s, &mut b).unwrap();
    assert_eq!(b[0], b'S');
    s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]).unwrap(); // a ClientHello cut short
    drop(s);
    let log = wait_log(&server, "could not accept SSL connection");
    expect(&log, "could not accept SSL connection", "unexpected-eof");
}

#[test]
fn no_shared_cipher() {
    let pki = Pki::new();
    let server = tls_server(
        &pki,
        &[("ssl_max_protocol_version", "'TLSv1.2'"), ("ssl_ciphers", "'ECDHE-ECDSA-AES256-GCM-SHA384'")],
    );
    let st = Command::new("openssl")
        .args(["s_client", "-starttls", "postgres", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-connect"])
        .arg(format!("127.0.0.1:{}", server.port()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!st.status.success());
    let log = wait_log(&server, "no shared cipher");
    expect(&log, "no shared cipher", "cipher-mismatch");
}

#[test]
fn direct_ssl_without_alpn_on_postgres_18() {
    let Some(inst) = pg17_or_newer() else { return };
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.installation = Some(inst);
    let server = Server::start(o).unwrap();
    let _ = Command::new("openssl")
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{}", server.port()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let log = wait_log(&server, "ALPN");
    expect(&log, "without ALPN", "alpn-rejected");
}

/// The same failures with the server's messages in Japanese and Chinese.
#[test]
fn translated_server_messages() {
    for (locale, lang) in [("ja_JP.UTF-8", "ja"), ("zh_CN.UTF-8", "zh")] {
        let pki = Pki::new();
        let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() })
            .setting("lc_messages", &format!("'{locale}'"))
            .setting("ssl_min_protocol_version", "'TLSv1.3'");
        o.env.push(("LC_CTYPE".into(), locale.into()));
        o.init_sql.push("CREATE ROLE kong LOGIN".into());
        o.hba.push("hostssl all kong 127.0.0.1/32 cert".into());
        o.hba.push("hostssl all postgres 127.0.0.1/32 trust".into());
        let server = match Server::start(o) {
            Ok(s) => s,
            Err(e) => panic!("{locale}: {e}"),
        };
        let dir = tempfile::tempdir().unwrap();
        // Wrong user for the client certificate.
        let c = pki.root.client("foo@example.com").unwrap();
        let crt = write_secret(dir.path(), "client.crt", &c.cert_pem);
        let key = write_secret(dir.path(), "client.key", &c.key_pem);
        let _ = server.psql(&format!("user=kong sslmode=require sslcert={crt} sslkey={key}"), "select 1").unwrap();
        // TLS 1.2-max client against the TLS 1.3-only server.
        let _ = server.psql("sslmode=require ssl_max_protocol_version=TLSv1.2", "select 1").unwrap();
        // Plain connection where only hostssl lines exist.
        let _ = server.psql("sslmode=disable", "select 1").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let log = server.log();
        assert!(!log.contains("do not match"), "{lang}: the server log is not translated:\n{log}");
        let codes = log_codes(&log);
        for code in ["client-cert-user-mismatch", "protocol-version-mismatch", "ssl-required-by-server"] {
            assert!(codes.iter().any(|c| c == code), "{lang}: pgtls logs found {codes:?}, expected {code}, in:\n{log}");
        }
    }
}

#[test]
fn encrypted_key_and_upside_down_protocol_range() {
    let pki = Pki::new();
    let mut tls = pki.tls();
    tls.key_pem = pki.encrypted_key_pem();
    let log = start_failure(ServerOptions::with_tls(tls));
    expect(&log, "could not load private key file", "key-passphrase");
    let o = ServerOptions::with_tls(pki.tls())
        .setting("ssl_min_protocol_version", "'TLSv1.3'")
        .setting("ssl_max_protocol_version", "'TLSv1.2'");
    let log = start_failure(o);
    expect(&log, "could not set SSL protocol version range", "ssl-protocol-range-invalid");
}

#[test]
fn ssl_connection_where_only_hostnossl_lines_exist() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.hba.push("hostnossl all all 127.0.0.1/32 trust".into());
    let server = Server::start(o).unwrap();
    let (ok, _) = server.psql("sslmode=require", "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "no pg_hba.conf entry");
    expect(&log, "no pg_hba.conf entry", "hba-no-ssl-entry");
}

#[test]
fn unreadable_certificate_and_key_files() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.files.push(("locked.crt".into(), pki.tls().cert_chain_pem, 0o000));
    let log = start_failure(o.setting("ssl_cert_file", "'locked.crt'"));
    expect(&log, "Permission denied", "server-cert-file-unreadable");
    let mut o = ServerOptions::with_tls(pki.tls());
    o.files.push(("locked.key".into(), pki.leaf.key_pem.clone(), 0o000));
    let log = start_failure(o.setting("ssl_key_file", "'locked.key'"));
    expect(&log, "Permission denied", "server-key-file-unreadable");
}

#[test]
fn cert_authentication_without_a_ca_file() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.hba.push("hostssl all all 127.0.0.1/32 cert".into());
    // The server starts; the check happens when a client arrives (auth.c, FATAL).
    let server = Server::start(o).unwrap();
    let (ok, _) = server.psql("sslmode=require", "select 1").unwrap();
    assert!(!ok);
    let log = wait_log(&server, "root certificate store");
    expect(&log, "client certificates can only be checked if a root certificate store is available", "hba-cert-without-ca");
}
