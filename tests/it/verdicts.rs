//! The verdict engine's promises, on real lab servers and compared with real psql: every
//! wrong answer found by trying pgtls as a new user would is a test here, and the invariant
//! "the client fails ⇒ an error finding and exit 2; exit 0 ⇒ it connects" is checked over
//! every command and a set of broken setups.

use pgtls_lab::{CertSpec, Server, ServerOptions, SilentListener, TlsFiles};
use serde_json::Value;

use crate::support::*;

/// `pgtls ARGS --format json` → (exit status, JSON, stderr).
fn run(args: &[&str]) -> (i32, Value, String) {
    let out = pgtls().args(args).args(["--format", "json"]).env("HOME", "/nonexistent-home").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: bad JSON ({e}): {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v, stderr)
}

/// Human output of `pgtls ARGS`.
fn human(args: &[&str]) -> (i32, String) {
    let out = pgtls().args(args).env("HOME", "/nonexistent-home").output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"].as_array().map(|a| a.iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

fn errors(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["severity"] == "error").map(|f| f["code"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Every verdict in a report (top-level hosts of probe/verify/doctor/fleet/sessions).
fn verdicts(v: &Value) -> Vec<bool> {
    let mut out = Vec::new();
    for key in ["hosts", "endpoints", "connection"] {
        for h in v[key].as_array().into_iter().flatten() {
            let verdict = if h["verdict"].is_object() { &h["verdict"] } else { &h["probe"]["verdict"] };
            if let Some(c) = verdict["connects"].as_bool() {
                out.push(c);
            }
        }
    }
    out
}

/// The invariant, for one report.
fn invariant(what: &str, code: i32, v: &Value) {
    let vs = verdicts(v);
    if vs.iter().any(|c| !c) {
        assert_eq!(code, 2, "{what}: a verdict fails but exit is {code}: {v:#}");
        assert!(!errors(v).is_empty(), "{what}: a verdict fails but no error finding: {v:#}");
    }
    if code == 0 {
        assert!(vs.iter().all(|c| *c), "{what}: exit 0 although a verdict fails");
        assert!(errors(v).is_empty() && v["findings"].as_array().is_none_or(|a| a.iter().all(|f| f["severity"] == "info")));
    }
}

fn psql_error(server: &Server, ci: &str) -> String {
    let (ok, out) = server.psql(ci, "select 1").unwrap();
    assert!(!ok, "psql connected with {ci}: {out}");
    let text = out.trim().to_string();
    text.split_once("failed: ").map(|(_, m)| m.trim().to_string()).unwrap_or(text)
}

/// sslrootcert naming a DER file, an empty file or a directory: psql fails with "no
/// certificate or crl found"; pgtls said "no problems found" and exited 0.
#[test]
fn unreadable_root_files_are_errors() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let der = dir.path().join("root.der");
    std::fs::write(&der, pki.root.der.clone()).unwrap();
    let empty = dir.path().join("empty.crt");
    std::fs::write(&empty, "").unwrap();
    let as_dir = dir.path().join("rootdir");
    std::fs::create_dir(&as_dir).unwrap();
    for root in [&der, &empty, &as_dir] {
        let ci = format!("host=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={}", server.port(), root.display());
        let psql = psql_error(&server, &ci);
        assert!(psql.contains("no certificate or crl found"), "{psql}");
        for cmd in ["verify", "doctor"] {
            let (code, v, _) = run(&[cmd, &ci]);
            assert_eq!(code, 2, "{cmd} {}: {v:#}", root.display());
            assert_eq!(codes(&v)[0], "cert-or-key-format", "{cmd}: {v:#}");
            invariant(cmd, code, &v);
            let (_, text) = human(&[cmd, &ci]);
            assert!(!text.contains("no problems found"), "{text}");
        }
        let (_, v, _) = run(&["verify", &ci]);
        assert_eq!(v["verdict"]["error"].as_str().unwrap(), psql, "pgtls predicts psql's own words");
    }
}

/// A TLS 1.3-minimum client against a TLS 1.2-maximum server, and the reverse: psql fails with
/// "tlsv1 alert protocol version"; doctor said "libpq connects" and the fix named the wrong
/// version.
#[test]
fn protocol_range_mismatch_both_ways() {
    let pki = Pki::new();
    let old = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let ci = format!("host=127.0.0.1 port={} sslmode=require ssl_min_protocol_version=TLSv1.3", old.port());
    let psql = psql_error(&old, "sslmode=require ssl_min_protocol_version=TLSv1.3");
    for cmd in ["doctor", "verify"] {
        let (code, v, _) = run(&[cmd, &ci]);
        assert_eq!(code, 2, "{cmd}: {v:#}");
        invariant(cmd, code, &v);
        assert_eq!(codes(&v)[0], "protocol-version-mismatch", "{cmd}: {v:#}");
        let fix = v["findings"][0]["fix"].as_str().unwrap();
        assert!(fix.contains("'TLSv1.3'") && fix.contains("stops at TLSv1.2"), "{fix}");
    }
    let (_, v, _) = run(&["verify", &ci]);
    assert_eq!(v["verdict"]["error"].as_str().unwrap(), psql);
    let (_, text) = human(&["doctor", &ci]);
    assert!(text.starts_with("psql FAILS"), "the first line is the verdict: {text}");

    let new = tls_server(&pki, &[("ssl_min_protocol_version", "'TLSv1.3'")]);
    let ci = format!("host=127.0.0.1 port={} sslmode=require ssl_max_protocol_version=TLSv1.2", new.port());
    let psql = psql_error(&new, "sslmode=require ssl_max_protocol_version=TLSv1.2");
    let (_, v, _) = run(&["verify", &ci]);
    assert_eq!(v["verdict"]["error"].as_str().unwrap(), psql);
    let (code, v, _) = run(&["doctor", &ci]);
    assert_eq!(code, 2);
    let fix = v["findings"][0]["fix"].as_str().unwrap();
    assert!(fix.contains("raise the client's maximum to TLSv1.3"), "{fix}");
}

/// `protocols` against something that is not a TLS server said "every version refused", "no
/// problems found", exit 0, and showed the Rust value `Refuse`.
#[test]
fn protocols_needs_a_tls_server() {
    let off = Server::start(ServerOptions::default()).unwrap();
    let silent = SilentListener::start().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for (port, want) in [(off.port(), "server-ssl-off"), (closed, "tcp-connect-failed"), (silent.port(), "network-timeout")] {
        let target = format!("127.0.0.1:{port}");
        let (code, v, _) = run(&["protocols", "--timeout", "1", &target]);
        assert_eq!(code, 2, "{want}: {v:#}");
        assert_eq!(codes(&v), [want], "{v:#}");
        let (_, text) = human(&["protocols", "--timeout", "1", &target]);
        assert!(!text.contains("Refuse") && !text.contains("no problems found"), "{text}");
    }
}

/// An expired server certificate: the root cause (`cert-expired`) comes first, not "get the
/// root CA".
#[test]
fn expired_certificate_is_the_root_cause() {
    let pki = Pki::new();
    let leaf = pki.inter.leaf_with("localhost", &["localhost", "127.0.0.1"], &CertSpec::expired()).unwrap();
    let server = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}", leaf.cert_pem, pki.inter.cert_pem.clone()),
        key_pem: leaf.key_pem.clone(),
        ca_pem: None,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, pki.root.cert_pem.clone()).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={}", server.port(), root.display());
    assert!(psql_error(&server, &ci).contains("certificate verify failed"));
    for cmd in ["verify", "doctor"] {
        let (code, v, _) = run(&[cmd, &ci]);
        assert_eq!(code, 2);
        let c = codes(&v);
        assert_eq!(c[0], "cert-expired", "{cmd}: {c:?}");
        assert!(!c.contains(&"server-cert-untrusted".to_string()), "{cmd}: {c:?}");
    }
}

/// A server that does not send its intermediate: `chain-incomplete` in every command; probe said
/// "no problems found" and fleet said ok.
#[test]
fn missing_intermediate_is_chain_incomplete() {
    let pki = Pki::new();
    let server = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: pki.leaf.cert_pem.clone(), ..pki.tls() })).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, pki.root.cert_pem.clone()).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={}", server.port(), root.display());
    assert!(psql_error(&server, &ci).contains("certificate verify failed"));
    let (code, v, _) = run(&["verify", &ci]);
    assert_eq!((code, codes(&v)[0].as_str()), (2, "chain-incomplete"), "{v:#}");
    assert!(v["findings"][0]["detail"].as_str().unwrap().contains("pgtls test intermediate"));
    let (code, v, _) = run(&["probe", &format!("127.0.0.1:{}", server.port())]);
    assert_eq!((code, codes(&v)), (1, vec!["chain-incomplete".to_string()]), "{v:#}");
    let inv = dir.path().join("fleet.txt");
    std::fs::write(&inv, format!("{ci}\n")).unwrap();
    let (code, v, _) = run(&["fleet", inv.to_str().unwrap()]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["summary"]["failing"], 1);
    invariant("fleet", code, &v);
}

/// Server files PostgreSQL refuses to start with: a missing ssl_ca_file or ssl_crl_file, and a
/// chain file in the wrong order (the key matches its second certificate).
#[test]
fn server_audit_finds_what_stops_the_server() {
    let pki = Pki::new();
    for (name, value, want) in [("ssl_ca_file", "'missing-ca.crt'", "server-ca-file-missing"), ("ssl_crl_file", "'missing.crl'", "crl-problem")] {
        let prepared = Server::prepare(ServerOptions::with_tls(pki.tls()).setting(name, value)).unwrap();
        let log = prepared.start_expecting_failure().unwrap();
        assert!(log.contains("could not load"), "{name}: {log}");
        let (code, v, _) = run(&["server", "--data-dir", prepared.data_dir().to_str().unwrap()]);
        assert_eq!(code, 2, "{name}: {v:#}");
        assert_eq!(codes(&v)[0], want, "{name}: {v:#}");
    }
    // A missing ssl_crl_dir does not stop the server (OpenSSL only records the path): a warning.
    let prepared = Server::prepare(ServerOptions::with_tls(pki.tls()).setting("ssl_crl_dir", "'missing-crl-dir'")).unwrap();
    let (code, v, _) = run(&["server", "--data-dir", prepared.data_dir().to_str().unwrap()]);
    assert_eq!((code, codes(&v)[0].as_str()), (1, "crl-problem"), "{v:#}");
    assert!(prepared.start_expecting_failure().is_err(), "PostgreSQL starts with a missing ssl_crl_dir");
    let wrong_order = TlsFiles { cert_chain_pem: format!("{}{}", pki.inter.cert_pem.clone(), pki.leaf.cert_pem), ..pki.tls() };
    let prepared = Server::prepare(ServerOptions::with_tls(wrong_order)).unwrap();
    let log = prepared.start_expecting_failure().unwrap();
    assert!(log.contains("key values mismatch"), "{log}");
    let (code, v, _) = run(&["server", "--data-dir", prepared.data_dir().to_str().unwrap()]);
    assert_eq!(code, 2);
    let c = codes(&v);
    assert_eq!(c[0], "chain-order-wrong", "{c:?}");
    assert!(!c.contains(&"server-key-mismatch".to_string()), "the key is right: {c:?}");
}

/// `client "service=prod"` whose service names an intermediate-only sslrootcert: the client
/// audit said "no problems found" while doctor failed.
#[test]
fn client_with_an_intermediate_only_root_file() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let inter = dir.path().join("inter.crt");
    std::fs::write(&inter, pki.inter.cert_pem.clone()).unwrap();
    let services = dir.path().join("pg_service.conf");
    std::fs::write(
        &services,
        format!("[prod]\nhost=localhost\nhostaddr=127.0.0.1\nport={}\nsslmode=verify-full\nsslrootcert={}\n", server.port(), inter.display()),
    )
    .unwrap();
    let client = |args: &[&str]| {
        let out = pgtls().args(args).args(["--format", "json"]).env("PGSERVICEFILE", &services).output().unwrap();
        (out.status.code().unwrap(), serde_json::from_slice::<Value>(&out.stdout).unwrap())
    };
    let (code, v) = client(&["client", "service=prod"]);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(codes(&v)[0], "pinned-intermediate", "{v:#}");
    let (code, v) = client(&["doctor", "service=prod"]);
    assert_eq!(code, 2);
    assert_eq!(codes(&v)[0], "pinned-intermediate", "{v:#}");
    let (ok, _) = server.psql(&format!("sslmode=verify-full host=localhost hostaddr=127.0.0.1 sslrootcert={}", inter.display()), "select 1").unwrap();
    assert!(!ok, "psql agrees");
}

/// `insecure-sslmode` once per situation, and `require` with a root file verifies (and fails).
#[test]
fn sslmode_findings_say_what_libpq_does() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, pki.root.cert_pem.clone()).unwrap();
    let base = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres", server.port());
    for (mode, root_arg) in [("prefer", String::new()), ("verify-ca", format!(" sslrootcert={}", root.display()))] {
        let (_, v, _) = run(&["doctor", &format!("{base} sslmode={mode}{root_arg}")]);
        let n = codes(&v).iter().filter(|c| *c == "insecure-sslmode").count();
        assert_eq!(n, 1, "{mode}: {v:#}");
    }
    let (code, v, _) = run(&["doctor", &format!("{base} sslmode=require sslrootcert={}", root.display())]);
    assert_eq!(code, 0, "verified chain, host name unchecked is information: {v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "insecure-sslmode").unwrap();
    assert!(f["detail"].as_str().unwrap().contains("verified the chain"), "{f:#}");
    let other = dir.path().join("other.crt");
    std::fs::write(&other, Pki::new().root.cert_pem.clone()).unwrap();
    let ci = format!("{base} sslmode=require sslrootcert={}", other.display());
    let (code, v, _) = run(&["doctor", &ci]);
    assert_eq!(code, 2, "require verifies once a root file exists, and fails: {v:#}");
    assert!(psql_error(&server, &format!("sslmode=require host=localhost hostaddr=127.0.0.1 sslrootcert={}", other.display())).contains("certificate verify failed"));
}

/// `sessions`: a role without pg_read_all_stats sees only itself (say so), and a connection
/// that fails is a finding in libpq's words with exit 2, not a tool failure.
#[test]
fn sessions_say_what_they_cannot_see() {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.init_sql.push("CREATE ROLE watcher LOGIN PASSWORD 'pw'".into());
    o.hba.push("hostssl all watcher 127.0.0.1/32 scram-sha-256".into());
    o.hba.push("hostssl all all 127.0.0.1/32 trust".into());
    let server = Server::start(o).unwrap();
    let ci = format!("host=127.0.0.1 port={} user=watcher dbname=postgres sslmode=require", server.port());
    let out = pgtls().args(["sessions", "--format", "json", &ci]).env("PGPASSWORD", "pw").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(codes(&v).contains(&"check-incomplete".to_string()), "{v:#}");
    assert_eq!(v["sees_all_sessions"], false);
    assert_ne!(out.status.code(), Some(0));
    let out = pgtls().args(["sessions", "--format", "json", &ci]).env("PGPASSWORD", "wrong").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "connection-fails");
    assert!(f["detail"].as_str().unwrap().contains("FATAL:  password authentication failed for user \"watcher\""), "{f:#}");
}

/// What a user reads: libpq's own words, the verdict first, no Rust debug text.
#[test]
fn words_a_user_reads() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ci = format!("host=127.0.0.1 port={closed} sslmode=require");
    let (code, v, _) = run(&["verify", &ci]);
    assert_eq!(code, 2);
    let psql = std::process::Command::new("psql").args(["-X", "-w", "-c", "select 1", &ci]).output().unwrap();
    let psql = String::from_utf8_lossy(&psql.stderr);
    let psql = psql.trim().split_once("failed: ").map(|(_, m)| m).unwrap_or(&psql);
    assert_eq!(v["verdict"]["error"].as_str().unwrap(), psql, "libpq's words, not `os error 111`");
    let (_, v, _) = run(&["doctor", "--timeout", "2", "host=nosuch.invalid sslmode=require"]);
    let f = &v["findings"][0];
    assert_eq!(f["code"], "tcp-connect-failed");
    assert!(f["fix"].as_str().unwrap().contains("getent hosts") && !f["fix"].as_str().unwrap().contains("ss -ltnp"), "{f:#}");
    assert!(v["hosts"][0]["verdict"]["error"].as_str().unwrap().starts_with("could not translate host name \"nosuch.invalid\" to address"));
    let (_, quiet) = human(&["doctor", "-q", &ci]);
    assert!(quiet.starts_with("psql FAILS") && !quiet.contains("settings:"), "{quiet}");
    let (_, ja) = human(&["doctor", "--lang", "ja", &ci]);
    assert!(ja.contains("対処:") && !ja.contains("fix:"), "{ja}");
    let (_, text) = human(&["client", "--jdbc", "jdbc:postgresql://h/db?sslmode=verify-full&sslrootcert=/ca.pem"]);
    assert!(!text.contains("Files([") && !text.contains("None"), "{text}");
    let (code, v, _) = run(&["bundle", "--profile", "azure-2026"]);
    if code == 0 {
        assert!(!v.to_string().contains("BEGIN CERTIFICATE"), "JSON lists the roots, the PEM goes to a file");
    }
    let (code, _, stderr) = run(&["trust", "audit", "--at", "2028-01-01", "system"]);
    assert_ne!(code, 3, "a date is accepted as --at: {stderr}");
    let out = pgtls().args(["man", "probe"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH pgtls-probe"));
}

/// The invariant over every connection command and broken setups.
#[test]
fn failing_verdicts_always_exit_2() {
    let pki = Pki::new();
    let healthy = tls_server(&pki, &[]);
    let off = Server::start(ServerOptions::default()).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, pki.root.cert_pem.clone()).unwrap();
    let wrong = dir.path().join("wrong.crt");
    std::fs::write(&wrong, Pki::new().root.cert_pem.clone()).unwrap();
    let h = healthy.port();
    let setups = [
        format!("host=localhost hostaddr=127.0.0.1 port={h} sslmode=verify-full sslrootcert={}", root.display()),
        format!("host=localhost hostaddr=127.0.0.1 port={h} sslmode=verify-full sslrootcert={}", wrong.display()),
        format!("host=wronghost hostaddr=127.0.0.1 port={h} sslmode=verify-full sslrootcert={}", root.display()),
        format!("host=127.0.0.1 port={} sslmode=require", off.port()),
        format!("host=127.0.0.1 port={} sslmode=prefer", off.port()),
        format!("host=127.0.0.1 port={closed} sslmode=require"),
        format!("host=localhost hostaddr=127.0.0.1 port={h} sslmode=verify-full sslrootcert={}", dir.path().join("absent.crt").display()),
        format!("host=127.0.0.1 port={h} sslmode=require ssl_max_protocol_version=TLSv1.2 ssl_min_protocol_version=TLSv1.3"),
    ];
    for ci in &setups {
        for cmd in ["probe", "verify", "doctor", "sessions"] {
            let out = pgtls().args([cmd, "--format", "json", ci]).env_remove("PGPASSWORD").output().unwrap();
            let code = out.status.code().unwrap();
            if code == 3 {
                continue; // pgtls refused the input (an invalid range is a usage error, as in libpq)
            }
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            invariant(&format!("{cmd} {ci}"), code, &v);
        }
        let inv = dir.path().join("fleet.txt");
        std::fs::write(&inv, format!("{ci}\n")).unwrap();
        let out = pgtls().args(["fleet", "--format", "json", inv.to_str().unwrap()]).output().unwrap();
        let code = out.status.code().unwrap();
        if code != 3 {
            invariant(&format!("fleet {ci}"), code, &serde_json::from_slice(&out.stdout).unwrap());
        }
    }
}

/// An X.509 v1 server certificate (what `openssl x509 -req` makes without extensions): the
/// probe raised a false `tls-handshake-failed` ("UnsupportedCertVersion") and exit 2 on a
/// healthy server. The verdict now follows libpq: psql connects with verify-full.
#[test]
fn x509_v1_server_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let openssl = |args: &[&str]| {
        let o = std::process::Command::new("openssl").args(args).current_dir(d).output().unwrap();
        assert!(o.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    };
    openssl(&["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key", "-out", "root.crt", "-subj", "/CN=v1 test root", "-days", "365"]);
    openssl(&["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
    openssl(&["x509", "-req", "-in", "server.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial", "-days", "365", "-out", "server.crt"]);
    let read = |n: &str| std::fs::read_to_string(d.join(n)).unwrap();
    let server = Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: read("server.crt"), key_pem: read("server.key"), ca_pem: None })).unwrap();
    let root = d.join("root.crt");
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}", server.port(), root.display());
    let (ok, out) = server.psql(&format!("host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert={}", root.display()), "select 1").unwrap();
    assert!(ok, "psql connects: {out}");
    for cmd in ["probe", "verify", "doctor"] {
        let (code, v, _) = run(&[cmd, &ci]);
        assert_eq!(code, 0, "{cmd}: {v:#}");
        invariant(cmd, code, &v);
    }
    let (_, v, _) = run(&["probe", &ci]);
    assert_eq!(v["chain"][0]["version"], 1);
    assert_eq!(v["verdict"]["hostname_verified"], true);
}
