//! The rules of libpq 16–18 checked against a real newer libpq: psycopg's binary wheel bundles
//! one (`psycopg.pq.version()` names it; `.ci/run` installs psycopg into /opt/pgtls/venv). The
//! cells are those psql 15 cannot run: `sslcertmode` (16+) against servers that do and do not
//! ask for a client certificate, `sslrootcert=system` (16+), keywords up to 18. pgtls models
//! the same libpq version (`--libpq`); outcome and error text must agree.

use std::path::PathBuf;
use std::process::Command;

use pgtls_lab::{CertKey, Server, ServerOptions, TlsFiles};
use serde_json::Value;

use crate::support::*;

const SCRIPT: &str = r#"
import sys, psycopg
try:
    psycopg.connect(sys.argv[1]).close()
    print("OK")
except Exception as e:
    print("ERR")
    print(str(e), end="")
"#;

/// A Python with psycopg, and the major version of the libpq it bundles.
pub(crate) fn psycopg() -> Option<(PathBuf, u32)> {
    let candidates = [std::env::var("PGTLS_PYTHON").ok(), Some("/opt/pgtls/venv/bin/python".into()), Some("python3".into())];
    candidates.into_iter().flatten().find_map(|py| {
        let out = Command::new(&py).args(["-c", "import psycopg; print(psycopg.pq.version())"]).output().ok()?;
        let v: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        Some((PathBuf::from(py), v / 10000))
    })
}

/// psycopg's outcome: None when it connects, else libpq's message after the first "failed: ".
pub(crate) fn connect(py: &PathBuf, ci: &str) -> Option<String> {
    let out = Command::new(py).args(["-c", SCRIPT, ci]).env_remove("PGSSLMODE").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let err = text.strip_prefix("ERR\n")?;
    let err = err.trim_start_matches("connection failed: ").trim_start_matches("connection is bad: ");
    Some(err.split_once("failed: ").map(|(_, m)| m).unwrap_or(err).trim().to_string())
}

fn doctor(libpq: u32, home: &std::path::Path, ci: &str) -> (i32, Value) {
    let out = pgtls().args(["doctor", "--format", "json", "--libpq", &libpq.to_string(), ci]).env("HOME", home).env_remove("PGPASSWORD").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

#[test]
fn newer_libpq_agrees() {
    let Some((py, major)) = psycopg() else {
        eprintln!("SKIP: no Python with psycopg (bash .ci/run installs it)");
        return;
    };
    let pki = Pki::new();
    let other = CertKey::root("some other CA").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let write = |ca: &CertKey, tag: &str| -> String {
        let (crt, key) = write_client_cert(dir.path(), ca, "app", tag);
        format!("sslcert={} sslkey={}", crt.display(), key.display())
    };
    let certs = [("no cert", "sslcert=/nonexistent/none.crt".to_string()), ("CA cert", write(&pki.root, "ca")), ("other CA", write(&other, "other"))];
    // (pg_hba line, does the server ask for client certificates)
    let configs = [
        ("hostssl all all 127.0.0.1/32 trust", true),
        ("hostssl all all 127.0.0.1/32 trust", false),
        ("hostssl all all 127.0.0.1/32 cert", true),
        ("hostssl all all 127.0.0.1/32 trust clientcert=verify-ca", true),
    ];
    let mut table = format!("\nlibpq {major} (psycopg)\npg_hba.conf line                                        | asks | cert     | sslcertmode | sslmode     | libpq  | pgtls  | agree\n");
    let mut bad = Vec::new();
    let mut cells = 0;
    for (hba, asks) in configs {
        let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: asks.then(|| pki.root.cert_pem.clone()), ..pki.tls() });
        o.init_sql.push("CREATE ROLE app LOGIN".into());
        o.hba = vec![hba.to_string()];
        let server = Server::start(o).unwrap_or_else(|e| panic!("{hba}: {e}"));
        for (cert_name, cert) in &certs {
            for certmode in ["disable", "allow", "require"] {
                for mode in ["require", "verify-full"] {
                    let ci = format!(
                        "host=localhost hostaddr=127.0.0.1 port={} user=app dbname=postgres sslmode={mode} sslrootcert={} sslcertmode={certmode} {cert}",
                        server.port(),
                        root.display()
                    );
                    let theirs = connect(&py, &ci);
                    let (exit, v) = doctor(major, dir.path(), &ci);
                    let (ours, agree) = agrees(&v, exit, &theirs);
                    let show = |o: &Option<String>| if o.is_none() { "in" } else { "fails" };
                    cells += 1;
                    table += &format!(
                        "{hba:55} | {:4} | {cert_name:8} | {certmode:11} | {mode:11} | {:6} | {:6} | {}\n",
                        if asks { "yes" } else { "no" },
                        show(&theirs),
                        show(&ours),
                        if agree { "yes" } else { "NO" }
                    );
                    if !agree {
                        bad.push(format!("{hba} asks={asks} / {cert_name} / {certmode} / {mode}:\n  libpq: {theirs:?}\n  pgtls: {ours:?} (exit {exit})"));
                    }
                }
            }
        }
        // sslrootcert=system: verify-full only (16+), and the lab root is in no system store.
        for mode in ["require", "verify-full"] {
            let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=app dbname=postgres sslmode={mode} sslrootcert=system", server.port());
            let theirs = connect(&py, &ci);
            let (_, v) = doctor(major, dir.path(), &ci);
            let verdict = &v["hosts"][0]["verdict"];
            let ours = (verdict["connects"] != true).then(|| verdict["error"].as_str().unwrap_or("").to_string());
            cells += 1;
            table += &format!("{hba:55} | {:4} | system roots                   | {mode:11} | {:6} | {:6} | {}\n", if asks { "yes" } else { "no" }, if theirs.is_none() { "in" } else { "fails" }, if ours.is_none() { "in" } else { "fails" }, if ours == theirs { "yes" } else { "NO" });
            if ours != theirs {
                bad.push(format!("{hba} / sslrootcert=system / {mode}:\n  libpq: {theirs:?}\n  pgtls: {ours:?}"));
            }
        }
    }
    eprintln!("{table}\n{cells} cells, {} disagreements", bad.len());
    assert!(bad.is_empty(), "{table}\n{}", bad.join("\n"));
}
