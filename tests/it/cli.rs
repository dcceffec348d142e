//! CLI conventions: help for every command, version, completions, man page, exit statuses,
//! and commands that judge stores and several hosts end to end.

use pgtls_lab::{CertKey, Server, ServerOptions, TlsFiles};

use crate::support::*;

#[test]
fn help_version_completions_and_man() {
    for cmd in [
        vec!["--help"],
        vec!["probe", "--help"],
        vec!["doctor", "--help"],
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
    std::fs::write(&store, format!("# our CAs\r\n{}junk between blocks\n{}", pki.inter.cert_pem, pki.root.cert_pem)).unwrap();
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

/// A distribution-sized bundle: a root whose only weakness is its SHA-1 self-signature (which
/// OpenSSL never checks) counts among the valid roots; a root with a 1024-bit key is still
/// listed. Certificates made by the openssl CLI, valid from now on.
#[test]
fn trust_audit_bundle_counts_sha1_self_signed_roots_as_valid() {
    let dir = tempfile::tempdir().unwrap();
    let openssl = |args: &[&str]| {
        let ok = std::process::Command::new("openssl").args(args).current_dir(dir.path()).output().is_ok_and(|o| o.status.success());
        assert!(ok, "openssl {args:?}");
    };
    let mut bundle = String::new();
    for i in 0..20 {
        let (key, pem, subj) = (format!("r{i}.key"), format!("r{i}.pem"), format!("/CN=Bundle Root {i}"));
        openssl(&["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", &key, "-out", &pem, "-subj", &subj, "-days", "30"]);
        bundle.push_str(&std::fs::read_to_string(dir.path().join(&pem)).unwrap());
    }
    openssl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha1", "-keyout", "s.key", "-out", "s.pem", "-subj", "/CN=Old SHA-1 Root", "-days", "30"]);
    openssl(&["req", "-x509", "-newkey", "rsa:1024", "-nodes", "-sha256", "-keyout", "w.key", "-out", "w.pem", "-subj", "/CN=Small Key Root", "-days", "30"]);
    for f in ["s.pem", "w.pem"] {
        bundle.push_str(&std::fs::read_to_string(dir.path().join(f)).unwrap());
    }
    let store = dir.path().join("bundle.crt");
    std::fs::write(&store, bundle).unwrap();
    let out = pgtls().args(["trust", "audit"]).arg(&store).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("21 valid roots, 1 of them self-signed with a weak hash"), "{text}");
    assert!(!text.contains("Old SHA-1 Root"), "{text}");
    assert!(text.lines().any(|l| l.contains("Small Key Root") && l.contains("weak")), "{text}");
    let out = pgtls().args(["trust", "audit", "--format", "json"]).arg(&store).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = |cn: &str| v["stores"][0]["entries"].as_array().unwrap().iter().find(|e| e["subject"].as_str().unwrap().contains(cn)).unwrap().clone();
    assert_eq!(entry("Old SHA-1 Root")["weak_self_signature_only"], true);
    assert_eq!(entry("Small Key Root")["weak"], true);
    assert!(entry("Small Key Root").get("weak_self_signature_only").is_none());
}

/// A primary and a replica issued under different roots: one store does not serve both.
#[test]
fn replicas_on_a_newer_root() {
    let old_root = CertKey::root("Old Root").unwrap();
    let new_root = CertKey::root("New Root").unwrap();
    let old_leaf = old_root.leaf("localhost", &["localhost"]).unwrap();
    let new_leaf = new_root.leaf("localhost", &["localhost"]).unwrap();
    let primary = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: old_leaf.cert_pem, key_pem: old_leaf.key_pem, ca_pem: None })).unwrap();
    let replica = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: new_leaf.cert_pem, key_pem: new_leaf.key_pem, ca_pem: None })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, &old_root.cert_pem).unwrap();
    let target = format!(
        "host=localhost,localhost hostaddr=127.0.0.1,127.0.0.1 port={},{} user=postgres sslmode=verify-full sslrootcert={}",
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
    std::fs::write(&store, format!("{}{}", old_root.cert_pem, new_root.cert_pem)).unwrap();
    let out = pgtls().args(["verify", "--format", "json", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hosts"][1]["verdict"]["connects"], true);
    assert!(v["paths"].as_array().unwrap().len() == 1);
}

/// Rotation readiness on lab servers that present a provider's old and new chains. Lab CAs
/// cannot be the real ones, so the test writes a profile of its own (`--profile-file`) with the
/// lab certificates, as a user would for a private PKI; the built-in profile's real certificates
/// are covered by the unit tests.
#[test]
fn rotation_judges_the_chains_servers_present_by_fingerprint_and_key() {
    let g2 = CertKey::root("DigiCert Global Root G2").unwrap();
    let old_ica = g2.intermediate("Microsoft Azure RSA TLS Issuing CA 03").unwrap();
    let new_root = g2.intermediate("Microsoft TLS RSA Root G2").unwrap();
    let new_ica = new_root.intermediate("Microsoft TLS G2 RSA CA OCSP 02").unwrap();
    // OCSP 10 is not in the profile: it is placed by the key that signed it.
    let other_ica = new_root.intermediate("Microsoft TLS G2 RSA CA OCSP 10").unwrap();
    let old_leaf = old_ica.leaf("localhost", &["localhost"]).unwrap();
    let new_leaf = other_ica.leaf("localhost", &["localhost"]).unwrap();
    let old = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}", old_leaf.cert_pem, old_ica.cert_pem),
        key_pem: old_leaf.key_pem,
        ca_pem: None,
    }))
    .unwrap();
    let new = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}{}", new_leaf.cert_pem, other_ica.cert_pem, new_root.cert_pem),
        key_pem: new_leaf.key_pem,
        ca_pem: None,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sha = |c: &CertKey| pgtls::x509::Cert::from_der(&c.der, "lab").unwrap().sha256;
    std::fs::write(dir.path().join("lab.pem"), [&g2, &old_ica, &new_root, &new_ica].iter().map(|c| c.cert_pem.clone()).collect::<String>()).unwrap();
    let toml = format!(
        r#"name = "lab"
title = "Lab rotation"
pem = "lab.pem"
[[cert]]
id = "root"
sha256 = "{}"
source = "lab"
[[cert]]
id = "old-ica"
sha256 = "{}"
source = "lab"
[[cert]]
id = "new-root-xsign"
sha256 = "{}"
source = "lab"
[[cert]]
id = "new-ica"
sha256 = "{}"
source = "lab"
[[root]]
cert = "root"
role = "the root"
[[chain]]
name = "old"
phase = "before"
description = "old"
path = ["root", "old ICA"]
issuing = ["old-ica"]
anchors = ["root"]
[[chain]]
name = "new"
phase = "after"
description = "new"
path = ["root", "new root", "new ICA"]
issuing = ["new-ica"]
sent = ["new-root-xsign"]
issued_by = ["new-root-xsign"]
anchors = ["root"]
"#,
        sha(&g2),
        sha(&old_ica),
        sha(&new_root),
        sha(&new_ica)
    );
    let profile = dir.path().join("lab.toml");
    std::fs::write(&profile, toml).unwrap();
    let run = |trust: &std::path::Path| {
        let out = pgtls()
            .args(["rotation", "--format", "json", "--profile-file"])
            .arg(&profile)
            .arg("--trust")
            .arg(trust)
            .arg(format!("127.0.0.1:{}", old.port()))
            .arg(format!("127.0.0.1:{}", new.port()))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), v)
    };
    // A store that pins the old intermediate: libpq trusts no chain with it.
    let pinned = dir.path().join("pinned.crt");
    std::fs::write(&pinned, &old_ica.cert_pem).unwrap();
    let (code, v) = run(&pinned);
    assert_eq!(v["servers"][0]["chain"], "old", "{v:#}");
    assert_eq!(v["servers"][1]["chain"], "new", "{v:#}");
    assert_eq!(v["servers"][0]["verifies"], false);
    assert_eq!(v["chains"][1]["verifies"], false);
    assert_eq!(v["ready"], false);
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes.iter().filter(|c| **c == "rotation-unready").count(), 3, "new chain + two servers: {v:#}");
    assert!(!v["pinned"].as_array().unwrap().is_empty(), "{v:#}");
    assert_eq!(code, Some(1), "rotation-unready is a warning: it breaks at the rotation");
    // With the root: both chains and both servers verify.
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &g2.cert_pem).unwrap();
    let (code, v) = run(&root);
    assert_eq!(v["ready"], true, "{v:#}");
    assert_eq!(v["servers"][1]["verifies"], true, "{v:#}");
    assert_eq!(code, Some(0), "{v:#}");
    // A look-alike root with the same name does not count.
    let fake = CertKey::root("DigiCert Global Root G2").unwrap();
    let lookalike = dir.path().join("lookalike.crt");
    std::fs::write(&lookalike, &fake.cert_pem).unwrap();
    let (_, v) = run(&lookalike);
    assert_eq!(v["ready"], false, "{v:#}");
    assert_eq!(v["roots"][0]["present"], false, "{v:#}");

    // `--profile auto` needs a server whose chain a built-in profile knows; the lab chain is
    // not one of them.
    let out = pgtls().args(["rotation", "--profile", "auto", "--trust"]).arg(&root).arg(format!("127.0.0.1:{}", old.port())).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no built-in profile (azure-2026, aws-rds, azure-single-server-2022) knows the chain presented by 127.0.0.1:"), "{}", String::from_utf8_lossy(&out.stderr));
    // The China profile is not tried (its intermediates are not published), and the message says so.
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Not recognisable from a chain, so name it with --profile: azure-china-2026 (The China regions' intermediate CAs are not published"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A server that sends Azure's real OCSP 02 and cross-signed Root G2 after its own
    // certificate is recognised as Azure's new chain (and fails: its leaf is a lab one).
    let leaf = g2.leaf("localhost", &["localhost"]).unwrap();
    let azure_like = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}{}", leaf.cert_pem, azure_cert_pem("microsoft-tls-g2-rsa-ca-ocsp-02"), azure_cert_pem("microsoft-tls-rsa-root-g2-xsign")),
        key_pem: leaf.key_pem,
        ca_pem: None,
    }))
    .unwrap();
    let out = pgtls()
        .args(["rotation", "--format", "json", "--profile", "auto", "--trust", "system"])
        .arg(format!("127.0.0.1:{}", azure_like.port()))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["profile"], "azure-2026", "{v:#}");
    assert_eq!(v["servers"][0]["chain"], "new", "{v:#}");
    assert_eq!(v["servers"][0]["verifies"], false, "{v:#}");
    assert_eq!(v["ready"], false, "{v:#}");

    // The built-in bundle writes the real roots, each with its subject, SHA-256 and source.
    let bundle = dir.path().join("bundle.crt");
    let out = pgtls().args(["bundle", "--profile", "azure-2026", "-o"]).arg(&bundle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&bundle).unwrap();
    assert!(text.contains("# Subject: C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2"), "{text}");
    assert!(text.contains("# Subject: C=US, O=Microsoft Corporation, CN=Microsoft TLS RSA Root G2"), "{text}");
    // The system store verifies the new chain (through the cross-sign) and is ready.
    let out = pgtls().args(["rotation", "--format", "json", "--trust", "system"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ready"], true, "{v:#}");
}

/// Azure's China regions change their root on 2026-03-09 (DigiCert Global Root CA → G2): a
/// root.crt with only the old root is ready before that day and not from it, and `rotation`
/// says what it could not check; the bundle writes the three roots Microsoft names, with reasons.
#[test]
fn rotation_china_root_change_names_the_day_the_root_and_what_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let g1 = dir.path().join("root.crt");
    std::fs::write(&g1, azure_cert_pem("digicert-global-root-ca")).unwrap();
    let run = |at: &str, json: bool| {
        let mut cmd = pgtls();
        cmd.args(["rotation", "--profile", "azure-china-2026", "--at", at, "--trust"]).arg(&g1);
        if json {
            cmd.args(["--format", "json"]);
        }
        let out = cmd.output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, text) = run("2026-03-01", false);
    assert_eq!(code, Some(1), "a warning: it breaks on the day\n{text}");
    assert!(text.contains("g2 chain (after the rotation, from 2026-03-09): DigiCert Global Root G2 → (intermediates not published) → server certificate — FAILS"), "{text}");
    assert!(text.contains("not checked: The China regions' intermediate CAs are not published (before or after the change): verdicts are on the roots only"), "{text}");
    assert!(text.contains("ready: yes, until 2026-03-09"), "{text}");
    assert!(text.contains("Add DigiCert Global Root G2 to the trust store"), "{text}");
    let (_, text) = run("2026-03-01", true);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!((&v["ready"], &v["ready_until"], &v["chains"][2]["from"]), (&serde_json::Value::Bool(true), &serde_json::json!("2026-03-09"), &serde_json::json!("2026-03-09")), "{v:#}");
    let (code, text) = run("2026-03-10", true);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!((code, &v["ready"], &v["ready_until"]), (Some(1), &serde_json::Value::Bool(false), &serde_json::Value::Null), "{v:#}");
    let unready: Vec<&serde_json::Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "rotation-unready" && f["severity"] == "warning").collect();
    assert_eq!(unready.len(), 1, "{v:#}");
    assert!(unready[0]["fix"].as_str().unwrap().starts_with("Add DigiCert Global Root G2 "), "{v:#}");

    let bundle = dir.path().join("china.crt");
    let out = pgtls().args(["bundle", "--profile", "azure-china-2026", "-o"]).arg(&bundle).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&bundle).unwrap();
    for cn in ["DigiCert Global Root G2", "DigiCert Global Root CA", "Microsoft RSA Root Certificate Authority 2017"] {
        assert!(text.contains(&format!("CN={cn}\n# SHA-256: ")), "{cn}: {text}");
    }
    assert_eq!(text.matches("# Why: ").count(), 3, "{text}");
    // The written bundle makes the store ready on both sides of the day.
    for at in ["2026-03-01", "2026-03-10"] {
        let out = pgtls().args(["rotation", "--format", "json", "--profile", "azure-china-2026", "--at", at, "--trust"]).arg(&bundle).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!((out.status.code(), &v["ready"]), (Some(0), &serde_json::Value::Bool(true)), "{at}: {v:#}");
    }
}

#[test]
fn logs_reads_gzip_and_stdin_and_reports_per_code() {
    use std::io::Write;
    let log = "2026-11-01 10:00:00.000 UTC [11] LOG:  connection received: host=10.1.2.3 port=5000\n\
               2026-11-01 10:00:00.001 UTC [11] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n\
               2026-11-01 10:00:01.000 UTC [12] app@shop FATAL:  no pg_hba.conf entry for host \"10.1.2.4\", user \"app\", database \"shop\", no encryption\n\
               2026-11-01 10:05:00.000 UTC [13] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n\
               2026-11-01 10:06:00.000 UTC [14] LOG:  checkpoint starting: time\n";
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("postgresql.log.gz");
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    enc.write_all(log.as_bytes()).unwrap();
    enc.finish().unwrap();
    let out = pgtls().args(["logs", "--format", "json"]).arg(&gz).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = v["codes"].as_array().unwrap();
    assert_eq!(codes[0]["code"], "client-rejects-server-ca");
    assert_eq!(codes[0]["count"], 2);
    assert!(codes[0]["first_seen"].as_str().unwrap().starts_with("2026-11-01 10:00:00.001"));
    assert!(codes[0]["last_seen"].as_str().unwrap().starts_with("2026-11-01 10:05:00"));
    assert_eq!(codes[1]["code"], "ssl-required-by-server");
    assert_eq!(codes[1]["users"][0]["value"], "app");
    let out = pgtls_stdin(&["logs", "--format", "json", "-"], log.as_bytes());
    let v2: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v2["codes"], v["codes"]);
    // gzip on standard input too (no zcat needed).
    let out = pgtls_stdin(&["logs", "--format", "json", "-"], &std::fs::read(&gz).unwrap());
    let v3: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v3["codes"], v["codes"]);
}

/// A real server's log after real psql failures and, seconds later, a `pgtls protocols` scan:
/// `logs` reports the scan apart and keeps psql's failures as the finding.
#[test]
fn logs_reports_a_protocols_scan_apart_from_real_client_failures() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    for _ in 0..3 {
        let (ok, out) = server.psql("sslmode=require ssl_max_protocol_version=TLSv1.2", "select 1").unwrap();
        assert!(!ok, "psql must fail: {out}");
    }
    std::thread::sleep(std::time::Duration::from_secs(7));
    let scan = pgtls().args(["protocols", "-q"]).arg(format!("127.0.0.1:{}", server.port())).output().unwrap();
    assert!(scan.status.code().is_some());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = pgtls().args(["logs", "--format", "json"]).arg(server.log_path()).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scanners = v["scanners"].as_array().unwrap();
    assert_eq!(scanners.len(), 1, "{v:#}");
    assert_eq!(scanners[0]["client"], "127.0.0.1");
    let handshakes: u64 = scanners[0]["handshakes"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
    assert!(handshakes >= 8, "{v:#}");
    let codes = v["codes"].as_array().unwrap();
    let pv = codes.iter().find(|c| c["code"] == "protocol-version-mismatch").unwrap_or_else(|| panic!("psql's failures must stay: {v:#}"));
    assert_eq!(pv["count"], 3, "{v:#}");
    let text = String::from_utf8_lossy(&pgtls().args(["logs"]).arg(server.log_path()).output().unwrap().stdout).to_string();
    assert!(text.contains("scanner 127.0.0.1"), "{text}");
}

#[test]
fn malformed_server_config_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("postgresql.conf");
    std::fs::write(&conf, "ssl = on\nssl_ciphers = HIGH:!aNULL\n").unwrap();
    let out = pgtls().args(["server", "--config"]).arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("postgresql.conf") && err.contains("line 2"), "{err}");
}

/// Two roots and a cross-signed intermediate: every trust path is listed.
#[test]
fn cross_signed_setup_lists_every_path() {
    let old = CertKey::root("Old Root CA").unwrap();
    let new_root = CertKey::root("New Root G2").unwrap();
    let new_int = new_root.intermediate("G2 Issuing CA").unwrap();
    let cross = old.cross_sign(&new_root).unwrap();
    let leaf = new_int.leaf("localhost", &["localhost"]).unwrap();
    let leaf_der = leaf.der.clone();
    let server = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}{}", leaf.cert_pem, new_int.cert_pem, cross.cert_pem),
        key_pem: leaf.key_pem,
        ca_pem: None,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, format!("{}{}", old.cert_pem, new_root.cert_pem)).unwrap();
    let target = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}", server.port(), store.display());
    let out = pgtls().args(["verify", "--format", "json", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"]["connects"], true);
    let paths = v["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2, "{v:#}");
    let anchors: Vec<&str> = paths.iter().map(|p| p.as_array().unwrap().last().unwrap()["subject"].as_str().unwrap()).collect();
    assert!(anchors.iter().any(|a| a.contains("Old Root CA")) && anchors.iter().any(|a| a.contains("New Root G2")), "{anchors:?}");
    for p in paths {
        assert_eq!(p[0]["subject"], "CN=localhost");
        // One fingerprint format across commands: the same as `probe`'s chain[].sha256.
        assert_eq!(p[0]["sha256"].as_str().unwrap(), pgtls::x509::sha256(&leaf_der));
    }
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"cross-signed-path"), "{codes:?}");
}

/// `pgtls doctor` puts the reason first: a TLS 1.2-max client against a TLS 1.3-only server,
/// then the same client fixed, then a hostname mismatch.
#[test]
fn doctor_names_the_reason_first() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let base = format!("hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}", server.port(), root.display());
    let run = |ci: String| -> (i32, serde_json::Value) {
        let out = pgtls().env("HOME", dir.path()).args(["doctor", "--format", "json", &ci]).output().unwrap();
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr))))
    };
    let (code, v) = run(format!("host=localhost {base} ssl_max_protocol_version=TLSv1.2"));
    assert_eq!(code, 2);
    assert_eq!(v["findings"][0]["code"], "protocol-version-mismatch", "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["connects"], false);
    let predicted = v["hosts"][0]["verdict"]["error"].as_str().unwrap().to_string();
    let (ok, out) = server.psql(
        &format!("host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert={} ssl_max_protocol_version=TLSv1.2", root.display()),
        "select 1",
    )
    .unwrap();
    assert!(!ok && out.trim().ends_with(&predicted), "psql says the same: {out}\npgtls: {predicted}");
    let (code, v) = run(format!("host=localhost {base}"));
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["connects"], true);
    let (_, v) = run(format!("host=db.example.com {base}"));
    assert_eq!(v["findings"][0]["code"], "hostname-mismatch", "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["connects"], false);
    let (ok, out) = server.psql(&format!("host=db.example.com hostaddr=127.0.0.1 sslmode=verify-full sslrootcert={}", root.display()), "select 1").unwrap();
    assert!(!ok && out.contains(v["hosts"][0]["verdict"]["error"].as_str().unwrap()), "psql: {out}");
}

/// Colour only on a terminal, and never with NO_COLOR (a pty from util-linux `script`).
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let bin = env!("CARGO_BIN_EXE_pgtls");
    let run = |no_color: bool| -> String {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &format!("{bin} probe 127.0.0.1:1"), "/dev/null"])
            .stdin(std::process::Stdio::null())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm-256color");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    let tty = run(false);
    assert!(tty.contains("tcp-connect-failed"), "{tty}");
    assert!(tty.contains("\u{1b}["), "a terminal gets colour: {tty:?}");
    assert!(!run(true).contains("\u{1b}["), "NO_COLOR is honoured");
    let piped = pgtls().env_remove("NO_COLOR").args(["probe", "127.0.0.1:1"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'), "a pipe gets none");
}

/// An unreachable server is never "connects".
#[test]
fn verify_of_an_unreachable_server_fails() {
    let out = pgtls().args(["verify", "--format", "json", "host=127.0.0.1 port=1 sslmode=prefer"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"]["connects"], false, "{v:#}");
    assert!(v["verdict"]["error"].as_str().unwrap().contains("Connection refused"));
    assert_eq!(out.status.code(), Some(2));
}

/// Server messages in legacy encodings (EUC-JP, Shift_JIS, GBK) and as mojibake are
/// recognised by `explain` and `logs` alike, with the same code as the UTF-8 text.
#[test]
fn legacy_encodings_and_mojibake_are_recognised_by_explain_and_logs() {
    let corpus = include_str!("../corpus/translations.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut per_encoding: std::collections::BTreeMap<String, (Vec<u8>, String)> = Default::default();
    let mut checked = 0;
    for line in corpus.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(enc) = v["encoding"].as_str() else { continue };
        let text = v["text"].as_str().unwrap();
        let expect = v["expect"].as_str().unwrap();
        let encoding = encoding_rs::Encoding::for_label(enc.replace('_', "-").as_bytes()).unwrap();
        let (bytes, _, bad) = encoding.encode(text);
        assert!(!bad, "{enc}: {text}");
        let r = pgtls::run::explain(Some("-"), false, &mut &bytes[..]).unwrap();
        let got = serde_json::to_value(&r).unwrap();
        let codes: Vec<&str> = got["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes.first().copied(), Some(expect), "{enc}: {text}");
        // The same bytes decoded as Windows-1252 (mojibake) are repaired.
        let (garbled, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
        let r = pgtls::run::explain(Some("-"), false, &mut garbled.as_bytes()).unwrap();
        let got = serde_json::to_value(&r).unwrap();
        assert_eq!(got["findings"][0]["code"], expect, "mojibake of {enc}: {garbled}");
        let (buf, utf8) = per_encoding.entry(enc.to_string()).or_default();
        buf.extend_from_slice(&bytes);
        buf.push(b'\n');
        utf8.push_str(text);
        utf8.push('\n');
        checked += 1;
    }
    assert!(checked >= 150, "{checked}");
    // logs: the legacy-encoded log gives exactly what the same log in UTF-8 gives.
    for (enc, (bytes, utf8)) in per_encoding {
        let codes = |name: &str, body: &[u8]| {
            let f = dir.path().join(name);
            std::fs::write(&f, body).unwrap();
            let out = pgtls().args(["logs", "--format", "json"]).arg(&f).output().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["codes"].as_array().unwrap().iter().map(|c| (c["code"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap())).collect::<Vec<_>>()
        };
        let legacy = codes(&format!("{enc}.log"), &bytes);
        let reference = codes(&format!("{enc}-utf8.log"), utf8.as_bytes());
        assert!(reference.iter().map(|(_, n)| n).sum::<u64>() >= 20, "{enc}: {reference:?}");
        assert_eq!(legacy, reference, "{enc}");
    }
}

/// `pgtls explain` takes text from standard input (`-`), from a file, and as an argument, and
/// gives the same answer; two possible causes are named in human and JSON output; text with no
/// known message says so and exits 1. No server needed.
#[test]
fn explain_reads_stdin_files_and_arguments() {
    let text = "2026-03-01 10:00:00 UTC [7] FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption\n";
    let run_stdin = |args: &[&str], input: &str| pgtls_stdin(args, input.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("paste.txt");
    std::fs::write(&file, text).unwrap();
    let from_stdin = run_stdin(&["--format", "json", "explain", "-"], text);
    let from_file = pgtls().args(["--format", "json", "explain"]).arg(&file).output().unwrap();
    let from_arg = pgtls().args(["--format", "json", "explain", text.trim()]).output().unwrap();
    for out in [&from_stdin, &from_file, &from_arg] {
        assert_eq!(out.status.code(), Some(2));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["recognised"][0]["code"], "ssl-required-by-server", "{v}");
        assert_eq!(v["recognised"][0]["also"], serde_json::json!(["login-refused"]), "{v}");
        let ev = &v["findings"][0]["evidence"];
        assert_eq!(ev["also_possible"], "login-refused", "{v}");
        assert!(ev["tell_apart"].as_str().unwrap().contains("sslmode=require"), "{v}");
        assert!(v.get("unrecognised").is_none());
    }
    // Human output names both causes too.
    let human = run_stdin(&["explain", "-"], text);
    let h = String::from_utf8_lossy(&human.stdout);
    assert!(h.contains("ssl-required-by-server") && h.contains("login-refused") && h.contains("What tells them apart"), "{h}");
    // A Java stack trace: the innermost cause wins over the outer symptom.
    let java = "org.postgresql.util.PSQLException: The connection attempt failed.\n\tat org.postgresql.Driver.connect(Driver.java:297)\n\
        Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target\n";
    let j = run_stdin(&["--format", "json", "explain", "-"], java);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["findings"][0]["code"], "server-cert-untrusted", "{v}");
    assert!(v["recognised"][0].get("also").is_none(), "one cause, no `also`: {v}");
    // Nothing recognised: said so, status 1, in both formats.
    let none = run_stdin(&["--format", "json", "explain", "-"], "checkpoint complete: wrote 3 buffers\n");
    assert_eq!(none.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&none.stdout).unwrap();
    assert!(v["unrecognised"]["note"].as_str().unwrap().contains("never guesses"), "{v}");
    assert_eq!(v["exit_code"], 1);
    let none = run_stdin(&["explain", "-"], "hello\n");
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stdout).contains("recognises no"));
}

/// `pgtls explain` takes as text what follows `--`, an argument that begins with `-` but is no
/// option (a pasted Python traceback), and several words; `--list` stays an option.
#[test]
fn explain_takes_hyphen_text_and_words() {
    let code_of = |args: &[&str]| {
        let out = pgtls().args(["--format", "json", "explain"]).args(args).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        v["recognised"][0]["code"].as_str().unwrap_or("").to_string()
    };
    let msg = "server does not support SSL, but SSL was required";
    assert_eq!(code_of(&["--", msg]), "server-ssl-off");
    assert_eq!(code_of(&["--", "-- psql:", msg]), "server-ssl-off");
    let traceback = format!("----> 1 psycopg2.connect(host='db', sslmode='require')\nOperationalError: {msg}");
    assert_eq!(code_of(&[&traceback]), "server-ssl-off");
    assert_eq!(code_of(&["server", "closed", "the", "connection", "unexpectedly"]), "unexpected-eof");
    let list = pgtls().args(["explain", "--list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("server-ssl-off"));
}

/// `trust audit --profile`: a store holding only DigiCert Global Root CA, audited for the Azure
/// China regions, is told the day it stops working (2026-03-09) and the root to add, before and
/// after that day (fixed instants against the profile's real certificates).
#[test]
fn trust_audit_with_a_provider_names_the_day_and_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, azure_cert_pem("digicert-global-root-ca")).unwrap();
    let audit = |at: &str| -> (i32, serde_json::Value) {
        let out = pgtls().args(["trust", "audit"]).arg(&store).args(["--profile", "azure-china-2026", "--at", at, "--format", "json"]).output().unwrap();
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
    };
    let unready = |v: &serde_json::Value, severity: &str| -> String {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "rotation-unready" && f["severity"] == severity)
            .map(|f| format!("{} {}", f["detail"], f["fix"]))
            .unwrap_or_else(|| panic!("no {severity} rotation-unready: {v:#}"))
    };
    let (exit, v) = audit("2026-03-01");
    assert_eq!(exit, 1, "{v:#}");
    let said = unready(&v, "warning");
    assert!(said.contains("2026-03-09") && said.contains("DigiCert Global Root G2"), "{said}");
    // From that day the store does not verify the chain servers present (a warning about a
    // store, as `rotation` says it: whether a client fails depends on its sslmode).
    let (exit, v) = audit("2026-03-10");
    assert_eq!(exit, 1, "{v:#}");
    let said = unready(&v, "warning");
    assert!(said.contains("does not verify the g2 chain") && said.contains("Add DigiCert Global Root G2"), "{said}");
    // Without --profile: the store alone, no rotation finding.
    let out = pgtls().args(["trust", "audit"]).arg(&store).args(["--at", "2026-03-10", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "rotation-unready"), "{v:#}");
}

/// `doctor` names the China root change for the client's own root file: the server's host name
/// (`*.postgres.database.chinacloudapi.cn`) says which cloud, since China's chains cannot be
/// told from a certificate. A root.crt that holds the server's CA and DigiCert Global Root CA
/// (only) connects, and doctor warns of the day and the root to add — before the day and after
/// it; `--profile none` keeps quiet and a host elsewhere is not judged against China's roots.
/// The lab chain is valid across both fixed instants, so no test depends on today's date.
#[test]
fn doctor_names_the_china_root_change_for_the_clients_root_file() {
    use pgtls_lab::{CertKey, CertSpec};
    let spec = CertSpec::valid(time::macros::datetime!(2025-01-01 0:00 UTC), time::macros::datetime!(2035-01-01 0:00 UTC));
    let root = CertKey::root_with("china lab root", &spec).unwrap();
    let leaf = root.leaf_with("demo.postgres.database.chinacloudapi.cn", &["demo.postgres.database.chinacloudapi.cn"], &spec).unwrap();
    let server = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: leaf.cert_pem.clone(), key_pem: leaf.key_pem.clone(), ca_pem: None })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("root.crt");
    std::fs::write(&store, format!("{}{}", root.cert_pem, azure_cert_pem("digicert-global-root-ca"))).unwrap();
    let run = |host: &str, at: &str, extra: &[&str]| -> (i32, serde_json::Value) {
        let ci = format!("host={host} hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", server.port(), store.display());
        let out = pgtls().args(["doctor", "--format", "json", "--at", at]).args(extra).arg(&ci).output().unwrap();
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr))))
    };
    let unready = |v: &serde_json::Value| -> Vec<String> {
        v["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "rotation-unready" && f["severity"] == "warning").map(|f| format!("{} {}", f["detail"], f["fix"])).collect()
    };
    let china = "demo.postgres.database.chinacloudapi.cn";
    for at in ["2026-03-01T00:00:00Z", "2026-03-10T00:00:00Z"] {
        let (exit, v) = run(china, at, &[]);
        assert_eq!((v["outcome"]["connects"].as_bool(), exit), (Some(true), 1), "{at}: connects, with a warning\n{v:#}");
        let u = unready(&v);
        assert_eq!(u.len(), 1, "{at}: {v:#}");
        assert!(u[0].contains("DigiCert Global Root G2") && u[0].contains("China"), "{at}: {}", u[0]);
        let (exit, v) = run(china, at, &["--profile", "none"]);
        assert!(unready(&v).is_empty() && exit == 0, "{at}: --profile none\n{v:#}");
    }
    // Before the day the finding says from when it fails; the same host name elsewhere is not China.
    let (_, v) = run(china, "2026-03-01T00:00:00Z", &[]);
    assert!(unready(&v)[0].contains("2026-03-09"), "{v:#}");
    let (_, v) = run("localhost", "2026-03-01T00:00:00Z", &[]);
    assert!(unready(&v).is_empty(), "{v:#}");
}

/// The first line of `doctor` is in the user's language (issue 25): the verdict, how the
/// connection is protected and the cause's title come from zh/ja words and the catalogue;
/// libpq's own message and the host names stay as they are. JSON's `summary` stays English.
#[test]
fn doctor_first_line_in_the_users_language() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let ok = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", server.port(), root.display());
    let missing = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}/none.crt", server.port(), dir.path().display());
    let first = |lang: &str, ci: &str| -> String {
        let out = pgtls().args(["doctor", "--lang", lang, ci]).env("NO_COLOR", "1").output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string()
    };
    let title = |lang: &str| -> String {
        let entry = pgtls::findings::catalogue().entry(pgtls::findings::Code::RootCertMissing);
        entry.text(pgtls::findings::Lang::parse(lang).unwrap()).title.clone()
    };
    for (lang, connects, fails) in [("zh", "可以连接到", "无法连接到"), ("ja", "に接続できます", "に接続できません")] {
        let line = first(lang, &ok);
        assert!(line.contains(connects) && line.contains("localhost (127.0.0.1)"), "{lang}: {line}");
        let line = first(lang, &missing);
        assert!(line.contains(fails) && line.contains(&title(lang)) && line.contains("does not exist"), "{lang}: {line}");
        for english in ["connects", "FAILS", "cause:", "verified", "WITHOUT"] {
            assert!(!line.contains(english), "{lang}: {english:?} in {line}");
        }
    }
    // The report's own words around the facts (headings, the verdict per host, the chain).
    for (lang, words) in [("zh", ["的设置：", "步骤：", "证书链和主机名均已验证", "签发"]), ("ja", ["の設定:", "手順:", "証明書チェーンとホスト名を検証済み", "発行者"])] {
        let out = pgtls().args(["doctor", "--lang", lang, &ok]).env("NO_COLOR", "1").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for w in words {
            assert!(text.contains(w), "{lang}: {w:?} missing\n{text}");
        }
        for english in [" settings:", "  steps:", "issued by", "valid to"] {
            assert!(!text.contains(english), "{lang}: {english:?}\n{text}");
        }
    }
    // English stays English, in the human report and in JSON.
    assert!(first("en", &missing).starts_with("psql FAILS to connect to localhost (127.0.0.1)"));
    let out = pgtls().args(["doctor", "--lang", "ja", "--format", "json", &missing]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["summary"].as_str().unwrap().starts_with("psql FAILS to connect"), "{v:#}");
}

/// host and hostaddr given as the same address: libpq checks that host like any other name
/// (it is not a hostaddr-only connection), so a certificate naming the address verifies —
/// psql connects, and pgtls must agree (it used to say "host name must be specified").
#[test]
fn host_equal_to_hostaddr_is_a_host_name() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let ci = format!("host=127.0.0.1 hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", server.port(), root.display());
    let (ok, said) = psql_raw(&ci).expect("psql");
    assert!(ok, "psql: {said}");
    let out = pgtls().args(["doctor", "--format", "json", &ci]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"]["connects"], true, "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["hostname_verified"], true, "{v:#}");
}
