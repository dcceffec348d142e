//! The authentication-phase agreement matrix: pg_hba.conf methods × client certificates ×
//! sslmode × password, each cell run through real psql and `pgtls doctor` against the same
//! lab server. In every cell pgtls's verdict must equal psql's outcome, and when both fail,
//! libpq's error text must be the same. The matrix is printed.
//!
//! `sslcertmode` cells need libpq 16+; psql here is PostgreSQL 15's, so they are not in this
//! matrix (the verdict's sslcertmode rules are covered by unit tests only).

use std::path::PathBuf;

use pgtls_lab::{CertKey, Server, ServerOptions, TlsFiles};
use serde_json::Value;

use crate::support::*;

struct Cert {
    name: &'static str,
    files: Option<(PathBuf, PathBuf)>,
}

/// psql's error after the first "failed: ", or None when it connects.
fn psql(server: &Server, extra: &str) -> Option<String> {
    let (ok, out) = server.psql(&format!("host=localhost hostaddr=127.0.0.1 user=app {extra}"), "select 1").unwrap();
    (!ok).then(|| {
        let t = out.trim().trim_start_matches("psql: error: ");
        t.split_once("failed: ").map(|(_, m)| m).unwrap_or(t).trim().to_string()
    })
}

fn doctor(server: &Server, home: &std::path::Path, extra: &str) -> (i32, Value) {
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=app dbname=postgres connect_timeout=10 {extra}", server.port());
    let out = pgtls().args(["doctor", "--format", "json", &ci]).env("HOME", home).env_remove("PGPASSWORD").env_remove("PGUSER").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

#[test]
fn authentication_matrix_agrees_with_psql() {
    if pgtls_lab::psql_binary().is_none() {
        eprintln!("SKIP: no psql");
        return;
    }
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let other = CertKey::root("some other CA").unwrap();
    let write = |ca: &CertKey, cn: &str, tag: &str| write_client_cert(dir.path(), ca, cn, tag);
    let certs = [
        Cert { name: "no cert", files: None },
        Cert { name: "CA cert CN=app", files: Some(write(&pki.root, "app", "app")) },
        Cert { name: "CA cert CN=foo@x", files: Some(write(&pki.root, "foo@example.com", "foo")) },
        Cert { name: "other CA CN=app", files: Some(write(&other, "app", "other")) },
    ];
    // (pg_hba.conf line, pg_ident.conf lines, with a password?)
    let configs: Vec<(&str, Vec<&str>, bool)> = vec![
        ("host all all 127.0.0.1/32 trust", vec![], false),
        ("hostssl all all 127.0.0.1/32 trust", vec![], false),
        ("hostnossl all all 127.0.0.1/32 trust", vec![], false),
        ("host all all 127.0.0.1/32 reject", vec![], false),
        ("hostssl all all 127.0.0.1/32 cert", vec![], false),
        ("hostssl all all 127.0.0.1/32 cert map=m", vec!["m foo@example.com app"], false),
        ("hostssl all all 127.0.0.1/32 trust clientcert=verify-ca", vec![], false),
        ("hostssl all all 127.0.0.1/32 trust clientcert=verify-full", vec![], false),
        ("hostssl all all 127.0.0.1/32 scram-sha-256", vec![], false),
        ("hostssl all all 127.0.0.1/32 scram-sha-256", vec![], true),
        ("host all all 127.0.0.1/32 scram-sha-256", vec![], true),
    ];
    let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    let mut table = String::from("\npg_hba.conf line                                        | password | client cert       | sslmode     | psql   | pgtls  | agree\n");
    let mut bad = Vec::new();
    let mut cells = 0;
    for (hba, ident, password) in &configs {
        let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
        o.init_sql.push("CREATE ROLE app LOGIN PASSWORD 'app-pw'".into());
        o.hba = vec![hba.to_string()];
        o.ident = ident.iter().map(|s| s.to_string()).collect();
        let server = Server::start(o).unwrap_or_else(|e| panic!("{hba}: {e}"));
        for cert in &certs {
            for mode in modes {
                let mut extra = format!("dbname=postgres sslmode={mode} sslrootcert={}", root.display());
                if let Some((crt, key)) = &cert.files {
                    extra += &format!(" sslcert={} sslkey={}", crt.display(), key.display());
                } else {
                    extra += " sslcert=/nonexistent/none.crt";
                }
                if *password {
                    extra += " password=app-pw";
                }
                let theirs = psql(&server, &extra);
                let (exit, v) = doctor(&server, dir.path(), &extra);
                let (ours, agree) = agrees(&v, exit, &theirs);
                let show = |o: &Option<String>| if o.is_none() { "in" } else { "fails" };
                cells += 1;
                table += &format!(
                    "{hba:55} | {:8} | {:17} | {mode:11} | {:6} | {:6} | {}\n",
                    if *password { "given" } else { "-" },
                    cert.name,
                    show(&theirs),
                    show(&ours),
                    if agree { "yes" } else { "NO" }
                );
                if !agree {
                    bad.push(format!("{hba} / {} / {mode} / password {password}:\n  psql:  {theirs:?}\n  pgtls: {ours:?} (exit {exit}) {}", cert.name, v["findings"]));
                }
            }
        }
    }
    eprintln!("{table}\n{cells} cells, {} disagreements", bad.len());
    assert!(bad.is_empty(), "{table}\n{}", bad.join("\n"));
}
