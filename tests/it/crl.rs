//! Client-side revocation, replayed from PostgreSQL's own SSL tests (src/test/ssl: a CRL of
//! another CA, the full root+server CRL, a revoked server certificate, a CRL directory) plus
//! the cases in between (a CA without a CRL, an expired CRL, an empty directory, a missing
//! file). Each cell runs real psql and `pgtls doctor` against the same server; the verdict,
//! libpq's error text and the first finding must match. The matrix is printed.

use std::path::{Path, PathBuf};

use pgtls_lab::{days_ago, CertKey, Server};
use serde_json::Value;

use crate::support::*;

struct Lab {
    server: Server,
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Lab {
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    fn conninfo(&self, extra: &str) -> String {
        format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslrootcert={} {extra}", self.server.port(), self.root.display())
    }

    /// psql's error after "failed: ", or None when it connects.
    fn psql(&self, extra: &str) -> Option<String> {
        let ci = format!("host=localhost hostaddr=127.0.0.1 sslrootcert={} {extra}", self.root.display());
        let (ok, out) = self.server.psql(&ci, "select 1").unwrap();
        (!ok).then(|| {
            let t = out.trim().trim_start_matches("psql: error: ");
            t.split_once("failed: ").map(|(_, m)| m).unwrap_or(t).trim().to_string()
        })
    }

    fn doctor(&self, extra: &str) -> (i32, Value) {
        let out = pgtls().args(["doctor", "--format", "json", &self.conninfo(extra)]).env("HOME", self.dir.path()).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap(), v)
    }
}

/// `openssl crl -hash` names a CRL directory the way `openssl rehash` would (the test's
/// independent reference for OpenSSL's name hash).
fn hashed_dir(dir: &Path, crls: &[&str]) -> Option<()> {
    std::fs::create_dir_all(dir).unwrap();
    for (i, pem) in crls.iter().enumerate() {
        let tmp = dir.join(format!("tmp{i}.pem"));
        std::fs::write(&tmp, pem).unwrap();
        let out = std::process::Command::new("openssl").args(["crl", "-hash", "-noout", "-in"]).arg(&tmp).output().ok()?;
        let hash = String::from_utf8_lossy(&out.stdout).trim().to_string();
        std::fs::remove_file(&tmp).unwrap();
        (hash.len() == 8).then_some(())?;
        std::fs::write(dir.join(format!("{hash}.r0")), pem).unwrap();
    }
    Some(())
}

#[test]
fn revocation_matrix_agrees_with_psql() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let lab = Lab { root: dir.path().join("root.crt"), server, dir };
    std::fs::write(&lab.root, &pki.root.cert_pem).unwrap();

    let root_crl = pki.root.crl(&[]).unwrap();
    let inter_crl = pki.inter.crl(&[]).unwrap();
    let inter_revokes = pki.inter.crl(&[&pki.leaf]).unwrap();
    let inter_expired = pki.inter.crl_between(&[], days_ago(60), days_ago(30)).unwrap();
    let other = CertKey::root("some other CA").unwrap();
    let other_crl = other.crl(&[]).unwrap();

    let f_other = lab.write("other.crl", &other_crl);
    let f_full = lab.write("full.crl", &format!("{root_crl}{inter_crl}"));
    let f_revoked = lab.write("revoked.crl", &format!("{root_crl}{inter_revokes}"));
    let f_inter_only = lab.write("inter-only.crl", &inter_crl);
    let f_expired = lab.write("expired.crl", &format!("{root_crl}{inter_expired}"));
    let d_full = lab.dir.path().join("crldir");
    if hashed_dir(&d_full, &[&root_crl, &inter_crl]).is_none() {
        eprintln!("SKIP: no openssl CLI to name the CRL directory");
        return;
    }
    let d_revoked = lab.dir.path().join("crldir-revoked");
    hashed_dir(&d_revoked, &[&root_crl, &inter_revokes]).unwrap();
    let d_empty = lab.dir.path().join("crldir-empty");
    std::fs::create_dir_all(&d_empty).unwrap();

    // (name, conninfo extra, the first code pgtls must name when it fails)
    let cells: Vec<(&str, String, Option<&str>)> = vec![
        ("CRL of another CA", format!("sslcrl={}", f_other.display()), Some("crl-problem")),
        ("root + intermediate CRLs", format!("sslcrl={}", f_full.display()), None),
        ("server certificate revoked", format!("sslcrl={}", f_revoked.display()), Some("cert-revoked")),
        ("root CA has no CRL", format!("sslcrl={}", f_inter_only.display()), Some("crl-problem")),
        ("intermediate CRL expired", format!("sslcrl={}", f_expired.display()), Some("crl-problem")),
        ("CRL directory", format!("sslcrldir={}", d_full.display()), None),
        ("CRL directory, revoked", format!("sslcrldir={}", d_revoked.display()), Some("cert-revoked")),
        ("empty CRL directory", format!("sslcrldir={}", d_empty.display()), Some("crl-problem")),
        ("missing CRL file (not checked)", format!("sslcrl={}", lab.dir.path().join("nope.crl").display()), None),
        ("missing file + directory", format!("sslcrl={} sslcrldir={}", lab.dir.path().join("nope.crl").display(), d_empty.display()), None),
    ];
    let mut table = String::from("\ncell                              | sslmode     | psql      | pgtls     | agree\n");
    let mut disagreements = Vec::new();
    for (name, extra, code) in &cells {
        for mode in ["require", "verify-ca", "verify-full"] {
            let extra = format!("sslmode={mode} {extra}");
            let psql = lab.psql(&extra);
            let (exit, v) = lab.doctor(&extra);
            let verdict = &v["hosts"][0]["verdict"];
            let ours = (verdict["connects"] == false).then(|| verdict["error"].as_str().unwrap_or("").to_string());
            let agree = ours == psql
                && (psql.is_none() || v["findings"][0]["code"].as_str() == *code)
                && (psql.is_none() == (exit != 2));
            let show = |o: &Option<String>| if o.is_none() { "connects" } else { "fails" };
            table += &format!("{name:33} | {mode:11} | {:9} | {:9} | {}\n", show(&psql), show(&ours), if agree { "yes" } else { "NO" });
            if !agree {
                disagreements.push(format!("{name} / {mode}: psql {psql:?}, pgtls {ours:?} exit {exit}, findings {}", v["findings"]));
            }
        }
    }
    eprintln!("{table}");
    // The revoked cell names the certificate and the CRL that revokes it.
    let (_, v) = lab.doctor(&format!("sslmode=verify-full sslcrl={}", f_revoked.display()));
    let detail = v["findings"][0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("\"CN=localhost\"") && detail.contains("pgtls test intermediate") && detail.contains("revoked.crl"), "{detail}");
    assert_eq!(v["hosts"][0]["verdict"]["revocation"], format!("CRL file {}", f_revoked.display()));
    assert!(disagreements.is_empty(), "{table}\n{}", disagreements.join("\n"));
}

/// The server side: `ssl_crl_file` with `CRL_CHECK_ALL` needs a current CRL from every CA in
/// `ssl_ca_file`. `pgtls server` says so before a client certificate is refused, and psql with
/// a valid client certificate shows it is refused.
#[test]
fn server_crl_needs_every_ca() {
    use pgtls_lab::{ServerOptions, TlsFiles};
    let pki = Pki::new();
    let other = CertKey::root("some other CA").unwrap();
    let cases = [
        ("fresh CRL of the client CA", pki.root.crl(&[]).unwrap(), None),
        ("only another CA's CRL", other.crl(&[]).unwrap(), Some("no CRL from")),
        ("expired CRL", pki.root.crl_between(&[], days_ago(60), days_ago(30)).unwrap(), Some("expired")),
    ];
    for (name, crl, problem) in cases {
        let mut o = ServerOptions::with_tls(TlsFiles { ca_pem: Some(pki.root.cert_pem.clone()), ..pki.tls() });
        o.files.push(("revoked.crl".into(), crl, 0o644));
        o = o.setting("ssl_crl_file", "'revoked.crl'");
        o.hba = vec!["hostssl all all 127.0.0.1/32 cert".into()];
        let server = Server::start(o).unwrap();
        let out = pgtls().args(["server", "--format", "json", "--data-dir"]).arg(server.data_dir()).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let crl_findings: Vec<&Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "crl-problem").collect();

        let dir = tempfile::tempdir().unwrap();
        let (crt, key) = write_client_cert(dir.path(), &pki.root, "postgres", "c");
        let (ok, psql) = server.psql(&format!("sslmode=require sslcert={} sslkey={}", crt.display(), key.display()), "select 1").unwrap();
        match problem {
            None => {
                assert!(ok, "{name}: psql connects: {psql}");
                assert!(crl_findings.is_empty(), "{name}: {crl_findings:?}");
            }
            Some(words) => {
                assert!(!ok, "{name}: psql is refused");
                assert_eq!(crl_findings.len(), 1, "{name}: {v:#}");
                let detail = crl_findings[0]["detail"].as_str().unwrap();
                assert!(detail.contains(words) && detail.contains("pgtls test root"), "{name}: {detail}");
                assert_eq!(out.status.code(), Some(2));
            }
        }
    }
}
