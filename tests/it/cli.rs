//! CLI conventions: help for every command, version, completions, man page, exit statuses,
//! and commands that judge stores and several hosts end to end.

use pgtls::lab::{Ca, Server, ServerOptions, TlsFiles};

use crate::support::*;

#[test]
fn help_version_completions_and_man() {
    for cmd in [
        vec!["--help"],
        vec!["probe", "--help"],
        vec!["verify", "--help"],
        vec!["trust", "audit", "--help"],
        vec!["rotation", "--help"],
        vec!["bundle", "--help"],
        vec!["protocols", "--help"],
        vec!["explain", "--help"],
        vec!["logs", "--help"],
        vec!["server", "--help"],
        vec!["client", "--help"],
        vec!["sessions", "--help"],
        vec!["fleet", "--help"],
        vec!["demo", "--help"],
    ] {
        let out = pgtls().args(&cmd).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"), "{cmd:?}");
    }
    let v = pgtls().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("pgtls "));
    let c = pgtls().args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8_lossy(&c.stdout).contains("_pgtls"));
    let m = pgtls().arg("man").output().unwrap();
    assert!(String::from_utf8_lossy(&m.stdout).contains(".TH pgtls"));
    let bad = pgtls().args(["probe", "--no-such-flag"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(!bad.stderr.is_empty() && bad.stdout.is_empty(), "errors go to stderr");
}

#[test]
fn passwords_are_never_printed() {
    let out = pgtls().args(["probe", "--format", "json", "postgresql://app:S3cretPw@127.0.0.1:1/db"]).output().unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains("S3cretPw"), "{all}");
    let out = pgtls().args(["probe", "postgresql://app:S3cret%zzPw@127.0.0.1:1/db"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("S3cret"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = pgtls().args(["client", "--format", "json", "host=127.0.0.1 password=S3cretPw sslmode=require"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("S3cretPw"));
}

#[test]
fn trust_audit_flags_a_pinned_intermediate() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, format!("# our CAs\r\n{}junk between blocks\n{}", pki.inter.cert_pem(), pki.root.cert_pem())).unwrap();
    let out = pgtls().args(["trust", "audit", "--format", "json"]).arg(&store).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v["stores"][0]["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["intermediate", "root"]);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["pinned-intermediate"]);
    let broken = dir.path().join("broken.crt");
    std::fs::write(&broken, "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
    let out = pgtls().args(["trust", "audit"]).arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.crt"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A primary and a replica issued under different roots: one store does not serve both.
#[test]
fn replicas_on_a_newer_root() {
    let old_root = Ca::root("Old Root").unwrap();
    let new_root = Ca::root("New Root").unwrap();
    let old_leaf = old_root.leaf("localhost", &["localhost"]).unwrap();
    let new_leaf = new_root.leaf("localhost", &["localhost"]).unwrap();
    let primary = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: old_leaf.cert_pem, key_pem: old_leaf.key_pem, ca_pem: None })).unwrap();
    let replica = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: new_leaf.cert_pem, key_pem: new_leaf.key_pem, ca_pem: None })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, old_root.cert_pem()).unwrap();
    let target = format!(
        "host=localhost,localhost hostaddr=127.0.0.1,127.0.0.1 port={},{} sslmode=verify-full sslrootcert={}",
        primary.port(),
        replica.port(),
        store.display()
    );
    let out = pgtls().args(["verify", "--format", "json", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hosts"][0]["verdict"]["connects"], true);
    assert_eq!(v["hosts"][1]["verdict"]["connects"], false);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"replica-chain-differs"), "{codes:?}");
    assert_eq!(out.status.code(), Some(2));
    // With both roots, one store serves both.
    std::fs::write(&store, format!("{}{}", old_root.cert_pem(), new_root.cert_pem())).unwrap();
    let out = pgtls().args(["verify", "--format", "json", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hosts"][1]["verdict"]["connects"], true);
    assert!(v["paths"].as_array().unwrap().len() == 1);
}
