//! Following the connection past TLS, as libpq does: the gateway guide's errors that happen in
//! the startup phase (pg_hba.conf, client certificates, certificate-to-user mapping), set up on
//! real servers. For each, `doctor` puts the right code first and predicts psql's own error
//! text; psql is run against the same server to prove it.

use std::path::PathBuf;

use pgtls_lab::{CertKey, Server, ServerOptions, TlsFiles};
use serde_json::Value;

use crate::support::*;

struct Setup {
    server: Server,
    dir: tempfile::TempDir,
    pki: Pki,
}

impl Setup {
    /// A server with TLS, `ssl_ca_file` = the test root (so it asks for client certificates),
    /// these pg_hba.conf lines, and roles `app` and `kong`.
    fn new(hba: &[&str], ident: &[&str]) -> Setup {
        let pki = Pki::new();
        let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
        o.init_sql.push("CREATE ROLE app LOGIN PASSWORD 'app-pw'".into());
        o.init_sql.push("CREATE ROLE kong LOGIN".into());
        o.hba = hba.iter().map(|s| s.to_string()).collect();
        o.ident = ident.iter().map(|s| s.to_string()).collect();
        let server = Server::start(o).unwrap_or_else(|e| panic!("{e}"));
        Setup { server, dir: tempfile::tempdir().unwrap(), pki }
    }

    fn root(&self) -> PathBuf {
        let p = self.dir.path().join("root.crt");
        std::fs::write(&p, &self.pki.root.cert_pem).unwrap();
        p
    }

    /// A client certificate (and 0600 key) for `cn`, issued by `ca`.
    fn client_cert(&self, ca: &CertKey, cn: &str) -> (PathBuf, PathBuf) {
        write_client_cert(self.dir.path(), ca, cn, cn)
    }

    /// `doctor` with `extra` conninfo → (exit, JSON).
    fn doctor(&self, extra: &str) -> (i32, Value) {
        let ci = format!("host=localhost hostaddr=127.0.0.1 port={} {extra}", self.server.port());
        let out = pgtls()
            .args(["doctor", "--format", "json", &ci])
            .env("HOME", self.dir.path())
            .env_remove("PGPASSWORD")
            .env_remove("PGUSER")
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), v)
    }

    /// psql's error (after the first "failed: "), or None when it connects.
    fn psql(&self, extra: &str) -> Option<String> {
        let (ok, out) = self.server.psql(&format!("host=localhost hostaddr=127.0.0.1 {extra}"), "select 1").unwrap();
        if ok {
            return None;
        }
        let text = out.trim().trim_start_matches("psql: error: ");
        Some(text.split_once("failed: ").map(|(_, m)| m).unwrap_or(text).trim().to_string())
    }
}

fn first_code(v: &Value) -> String {
    v["findings"][0]["code"].as_str().unwrap_or("").to_string()
}

fn predicted(v: &Value) -> Option<String> {
    let verdict = &v["hosts"][0]["verdict"];
    (verdict["connects"] == false).then(|| verdict["error"].as_str().unwrap().to_string())
}

/// The seed guide's pg_hba cases: a hostssl-only server and a client without TLS; a server whose
/// only line for the user is hostnossl, reached over TLS.
#[test]
fn pg_hba_refusals() {
    let s = Setup::new(&["hostssl all all 127.0.0.1/32 trust"], &[]);
    let extra = "user=app dbname=postgres sslmode=disable";
    let psql = s.psql(extra).expect("psql fails without TLS");
    assert!(psql.contains("no pg_hba.conf entry"), "{psql}");
    let (code, v) = s.doctor(extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "ssl-required-by-server", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    // sslmode=disable: no TLS step, and the plaintext attempt is where it stops.
    let last = v["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["step"].as_str(), last["outcome"].as_str()), (Some("plaintext"), Some("failed")), "{v:#}");
    assert!(v["steps"].as_array().unwrap().iter().any(|s| s["step"] == "ssl-request" && s["outcome"] == "skipped"));

    let s = Setup::new(&["hostnossl all all 127.0.0.1/32 trust"], &[]);
    let extra = "user=app dbname=postgres sslmode=require";
    let psql = s.psql(extra).expect("psql fails over TLS");
    let (code, v) = s.doctor(extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "hba-no-ssl-entry", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    // prefer: the TLS attempt is refused, libpq retries without TLS and gets in.
    let (code, v) = s.doctor("user=app dbname=postgres sslmode=prefer");
    assert!(s.psql("user=app dbname=postgres sslmode=prefer").is_none());
    assert_eq!(v["hosts"][0]["verdict"]["connects"], true, "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["tls"], false);
    assert_ne!(code, 0, "connecting without TLS after a refusal is worth a warning");
}

/// The gateway guide's certificate cases: none sent, one from another CA, one whose CN is not
/// the user (and the pg_ident.conf map that fixes it).
#[test]
fn client_certificate_cases() {
    let s = Setup::new(&["hostssl all kong 127.0.0.1/32 cert", "hostssl all all 127.0.0.1/32 trust"], &[]);
    let root = s.root();
    let base = format!("user=kong dbname=postgres sslmode=verify-full sslrootcert={}", root.display());

    // No certificate at all.
    let psql = s.psql(&base).expect("psql fails without a certificate");
    let (code, v) = s.doctor(&base);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "client-cert-required", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));

    // A certificate from a CA the server does not trust.
    let other = CertKey::root("some other CA").unwrap();
    let (crt, key) = s.client_cert(&other, "kong");
    let extra = format!("{base} sslcert={} sslkey={}", crt.display(), key.display());
    let psql = s.psql(&extra).expect("psql fails with a foreign certificate");
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "server-rejects-client-cert", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    let detail = v["findings"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("some other CA") && detail.contains("pgtls test root"), "names both CAs: {detail}");

    // The right CA, the wrong name (the guide's foo@example.com for user kong).
    let (crt, key) = s.client_cert(&s.pki.root, "foo@example.com");
    let extra = format!("{base} sslcert={} sslkey={}", crt.display(), key.display());
    let psql = s.psql(&extra).expect("psql fails with a CN that is not the user");
    assert!(psql.contains("certificate authentication failed for user \"kong\""), "{psql}");
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "client-cert-user-mismatch", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    assert!(v["findings"][0]["fix"].as_str().unwrap().contains("foo@example.com  kong"));

    // The right certificate: psql and pgtls both get in, no password needed.
    let (crt, key) = s.client_cert(&s.pki.root, "kong");
    let extra = format!("{base} sslcert={} sslkey={}", crt.display(), key.display());
    assert!(s.psql(&extra).is_none());
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["auth"]["method"], "ok");
}

/// Failures that are not about TLS are said to be that.
#[test]
fn non_tls_refusals_and_authentication() {
    let s = Setup::new(&["hostssl all app 127.0.0.1/32 scram-sha-256", "hostssl all all 127.0.0.1/32 trust"], &[]);
    let root = s.root();
    let base = format!("dbname=postgres sslmode=verify-full sslrootcert={}", root.display());
    let extra = format!("user=nobody {base}");
    let psql = s.psql(&extra).expect("psql fails for a missing role");
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "login-refused", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    // scram-sha-256 without a password: libpq stops after TLS and pg_hba.conf let it in.
    let extra = format!("user=app {base}");
    let psql = s.psql(&extra).expect("psql -w fails without a password");
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "password-missing", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    assert_eq!(v["hosts"][0]["verdict"]["auth"]["method"], "sasl", "{v:#}");
    // The right password: SCRAM (with channel binding) completes, and so does psql.
    let extra = format!("user=app password=app-pw {base}");
    assert!(s.psql(&extra).is_none());
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["authenticated"], true, "{v:#}");
    // doctor's walk: every step ran and passed, in libpq's order, the network ones timed.
    let steps: Vec<(&str, &str)> = v["steps"].as_array().unwrap().iter().map(|s| (s["step"].as_str().unwrap(), s["outcome"].as_str().unwrap())).collect();
    let names: Vec<&str> = steps.iter().map(|s| s.0).collect();
    assert_eq!(names, ["settings", "dns", "tcp", "ssl-request", "handshake", "certificate", "startup", "authentication", "first-query"], "{v:#}");
    assert!(steps.iter().all(|s| s.1 == "ok"), "{steps:?}");
    assert!(v["steps"].as_array().unwrap().iter().filter(|s| ["tcp", "handshake", "startup", "authentication"].contains(&s["step"].as_str().unwrap())).all(|s| s["ms"].is_u64()));
    // The password from PGPASSWORD, as libpq finds it.
    let out = pgtls()
        .args(["doctor", "--format", "json", &format!("host=localhost hostaddr=127.0.0.1 port={} user=app {base}", s.server.port())])
        .env("HOME", s.dir.path())
        .env("PGPASSWORD", "app-pw")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // A wrong password: the server's refusal, word for word.
    let extra = format!("user=app password=wrong {base}");
    let psql = s.psql(&extra).expect("psql fails with a wrong password");
    let (code, v) = s.doctor(&extra);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(first_code(&v), "login-refused", "{v:#}");
    assert_eq!(predicted(&v).as_deref(), Some(psql.as_str()));
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains("app-pw") && !text.contains("wrong"), "no password in the report");
}

/// An encrypted client key (PKCS#8, AES-256): libpq opens it with sslpassword; without one it
/// cannot (no terminal to ask on), with a wrong one OpenSSL says "bad decrypt". pgtls says
/// the same as psql in each case, and connects with the certificate when the password is right.
#[test]
fn encrypted_client_keys() {
    let s = Setup::new(&["hostssl all app 127.0.0.1/32 cert"], &[]);
    let (crt, plain_key) = s.client_cert(&s.pki.root, "app");
    let out = std::process::Command::new("openssl")
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret", "-in"])
        .arg(&plain_key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = s.dir.path().join("enc.key");
    std::fs::write(&key, &out.stdout).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let base = format!("user=app dbname=postgres sslmode=require sslcert={} sslkey={}", crt.display(), key.display());
    // The traditional (Proc-Type: 4,ENCRYPTED) form, without a password.
    let out = std::process::Command::new("openssl").args(["ec", "-aes256", "-passout", "pass:secret", "-in"]).arg(&plain_key).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Proc-Type: 4,ENCRYPTED"), "{}", String::from_utf8_lossy(&out.stderr));
    let trad = s.dir.path().join("trad.key");
    std::fs::write(&trad, &out.stdout).unwrap();
    std::fs::set_permissions(&trad, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let ci = format!("user=app dbname=postgres sslmode=require sslcert={} sslkey={}", crt.display(), trad.display());
    let psql = s.psql(&ci);
    assert!(psql.is_some(), "psql cannot open it without a password");
    assert_eq!(predicted(&s.doctor(&ci).1), psql);
    for extra in ["", "sslpassword=secret", "sslpassword=wrong"] {
        let ci = format!("{base} {extra}");
        let psql = s.psql(&ci);
        let (code, v) = s.doctor(&ci);
        assert_eq!(predicted(&v), psql, "{extra}: {v:#}");
        assert_eq!(code == 2, psql.is_some(), "{extra}: {v:#}");
        assert!(!serde_json::to_string(&v).unwrap().contains("secret"), "no password in the report");
    }
}
