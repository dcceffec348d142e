//! The one rule, everywhere: for every setup below, every command that states a verdict —
//! `doctor`, `doctor --client libpq`, `verify`, `fleet` (its JSON and its Prometheus metrics)
//! and the exporter — states the same connects/fails as real psql 15 (and, where a newer
//! libpq is installed, as psycopg's libpq 18), and the exit status is 2 whenever the client
//! fails. Each setup is one of the false all-clears found by trying pgtls as a new user would
//! (issue 21): several hosts where the first fails TLS or the startup, client key
//! permissions, Unix-domain sockets, `sslmode=disable` against hostssl-only pg_hba.conf.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use pgtls_lab::{CertKey, CertSpec, Server, ServerOptions, TlsFiles};
use serde_json::Value;

use crate::support::*;

/// One cell: a connection string (user and database included) and what psql did with it.
struct Cell {
    name: String,
    ci: String,
    psql_connects: bool,
}

fn json(args: &[&str], home: &Path) -> (i32, Value) {
    let out = pgtls().args(args).args(["--format", "json"]).env("HOME", home).env_remove("PGPASSWORD").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: bad JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

/// The exporter, started once for all cells; its `startup` module follows the login as doctor does.
struct Exporter {
    child: std::process::Child,
    port: u16,
}

impl Exporter {
    fn start(dir: &Path) -> Exporter {
        let config = dir.join("exporter.toml");
        std::fs::write(&config, "[modules.doctor]\nstartup = true\ntimeout = 5\n").unwrap();
        let mut child = pgtls().args(["exporter", "--listen", "127.0.0.1:0", "--config"]).arg(&config).env("HOME", dir).stderr(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.split("http://127.0.0.1:").nth(1).and_then(|r| r.split('/').next()).and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("{line}"));
        Exporter { child, port }
    }

    /// The value of `metric` for `target` under the doctor module.
    fn metric(&self, target: &str, metric: &str) -> Option<String> {
        let enc: String = target.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect();
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        write!(s, "GET /probe?target={enc}&module=doctor HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        raw.lines().find(|l| l.starts_with(&format!("{metric}{{"))).and_then(|l| l.rsplit(' ').next()).map(str::to_string)
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every command's connects for `cell`, checked against psql; the disagreements, one line each.
fn judge(cell: &Cell, home: &Path, exporter: &Exporter) -> Vec<String> {
    let mut bad = Vec::new();
    let want = cell.psql_connects;
    let check = |bad: &mut Vec<String>, what: &str, connects: Option<bool>, exit: Option<i32>| {
        if connects != Some(want) {
            bad.push(format!("{}: {what} says connects={connects:?}, psql {}", cell.name, if want { "connects" } else { "fails" }));
        }
        if let Some(code) = exit {
            if !want && code != 2 {
                bad.push(format!("{}: {what} exits {code} although psql fails", cell.name));
            }
        }
    };
    let (code, d) = json(&["doctor", &cell.ci], home);
    check(&mut bad, "doctor", d["outcome"]["connects"].as_bool(), Some(code));
    let summary = d["summary"].as_str().unwrap_or("");
    if want == summary.contains("FAILS") {
        bad.push(format!("{}: doctor's first line disagrees with psql: {summary}", cell.name));
    }
    let (code, d) = json(&["doctor", "--client", "libpq", &cell.ci], home);
    check(&mut bad, "doctor --client libpq", d["outcome"]["connects"].as_bool(), Some(code));
    let (code, v) = json(&["verify", &cell.ci], home);
    check(&mut bad, "verify", v["outcome"]["connects"].as_bool(), Some(code));
    let inv = home.join(format!("{}.csv", cell.name));
    let prom = home.join(format!("{}.prom", cell.name));
    std::fs::write(&inv, format!("target\n\"{}\"\n", cell.ci)).unwrap();
    let out = pgtls().args(["fleet", "--format", "json", "--prometheus"]).arg(&prom).arg(&inv).env("HOME", home).output().unwrap();
    let f: Value = serde_json::from_slice(&out.stdout).unwrap();
    check(&mut bad, "fleet", f["endpoints"][0]["facts"]["connects"].as_bool(), out.status.code());
    let p = std::fs::read_to_string(&prom).unwrap();
    let value = |m: &str| p.lines().find(|l| l.starts_with(&format!("{m}{{"))).and_then(|l| l.rsplit(' ').next()).map(|v| v == "1");
    check(&mut bad, "fleet pgtls_client_connects", value("pgtls_client_connects"), None);
    if want == false && value("pgtls_verify_success") != Some(false) {
        bad.push(format!("{}: fleet pgtls_verify_success is not 0 although psql fails", cell.name));
    }
    let e = exporter.metric(&cell.ci, "pgtls_client_connects").map(|v| v == "1");
    check(&mut bad, "exporter pgtls_client_connects", e, None);
    if !want && exporter.metric(&cell.ci, "pgtls_verify_success").as_deref() != Some("0") {
        bad.push(format!("{}: exporter pgtls_verify_success is not 0 although psql fails", cell.name));
    }
    bad
}

/// A TLS server whose certificate comes from a CA no test trusts.
fn untrusted_server() -> Server {
    let other = CertKey::root("pgtls other root").unwrap();
    let leaf = other.leaf("localhost", &["localhost", "127.0.0.1"]).unwrap();
    Server::start(ServerOptions::with_tls(TlsFiles { cert_chain_pem: leaf.cert_pem, key_pem: leaf.key_pem, ca_pem: None })).unwrap()
}

/// A TLS server whose pg_hba.conf has one `kind` line (hostssl, hostnossl) for 127.0.0.1.
fn hba_only(pki: &Pki, kind: &str) -> Server {
    Server::start(ServerOptions { hba: vec![format!("{kind} all all 127.0.0.1/32 trust")], ..ServerOptions::with_tls(pki.tls()) }).unwrap()
}

/// A plain TLS endpoint (no PostgreSQL negotiation, no ALPN) on a free loopback port:
/// `openssl s_server` with the lab's leaf and intermediate, standing in for a TLS terminator.
fn tls_terminator(pki: &Pki, dir: &Path) -> (std::process::Child, u16) {
    let (crt, chain, key) = (dir.join("t.crt"), dir.join("chain.crt"), dir.join("t.key"));
    std::fs::write(&crt, &pki.leaf.cert_pem).unwrap();
    std::fs::write(&chain, &pki.inter.cert_pem).unwrap();
    std::fs::write(&key, &pki.leaf.key_pem).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&crt)
        .arg("-key")
        .arg(&key)
        .arg("-cert_chain")
        .arg(&chain)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && started.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child, port)
}

fn psql_connects(server: &Server, ci: &str) -> bool {
    server.psql(ci, "select 1").unwrap().0
}

/// Several hosts (issue 21, case 1), key permissions (2) and sslmode=disable against a
/// hostssl-only server (7), through every command, against psql 15.
#[test]
fn every_command_agrees_with_psql() {
    let pki = Pki::new();
    let good = tls_server(&pki, &[]);
    let untrusted = untrusted_server();
    let expired = Server::start(ServerOptions::with_tls({
        let leaf = pki.inter.leaf_with("localhost", &["localhost", "127.0.0.1"], &CertSpec::expired()).unwrap();
        TlsFiles { cert_chain_pem: format!("{}{}", leaf.cert_pem, pki.inter.cert_pem), key_pem: leaf.key_pem, ca_pem: None }
    }))
    .unwrap();
    let nossl_only = hba_only(&pki, "hostnossl");
    let ssl_only = hba_only(&pki, "hostssl");
    let tls12 = tls_server(&pki, &[("ssl_max_protocol_version", "'TLSv1.2'")]);
    let off = Server::start(ServerOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let root = home.join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let exporter = Exporter::start(home);

    let base = "user=postgres dbname=postgres connect_timeout=5";
    let two = |a: u16, b: u16, extra: &str| {
        format!("host=localhost,localhost hostaddr=127.0.0.1,127.0.0.1 port={a},{b} {base} sslmode=verify-full sslrootcert={} {extra}", root.display())
    };
    let g = good.port();
    let mut cells: Vec<(String, String)> = vec![
        ("untrusted-then-good".into(), two(untrusted.port(), g, "")),
        ("expired-then-good".into(), two(expired.port(), g, "")),
        ("hostnossl-then-good".into(), two(nossl_only.port(), g, "")),
        ("tls12-then-good".into(), two(tls12.port(), g, "ssl_min_protocol_version=TLSv1.3")),
        ("ssl-off-then-good".into(), two(off.port(), g, "")),
        ("refused-then-good".into(), two(1, g, "")),
        ("good-then-untrusted".into(), two(g, untrusted.port(), "")),
        ("good-alone".into(), format!("host=localhost hostaddr=127.0.0.1 port={g} {base} sslmode=verify-full sslrootcert={}", root.display())),
        ("disable-vs-hostssl-only".into(), format!("host=127.0.0.1 port={} {base} sslmode=disable", ssl_only.port())),
        ("prefer-vs-hostssl-only".into(), format!("host=127.0.0.1 port={} {base} sslmode=prefer", ssl_only.port())),
        ("require-vs-hostnossl-only".into(), format!("host=127.0.0.1 port={} {base} sslmode=require", nossl_only.port())),
        ("prefer-vs-hostnossl-only".into(), format!("host=127.0.0.1 port={} {base} sslmode=prefer", nossl_only.port())),
    ];
    // Client keys: libpq judges the mode by the owner (root: up to 0640), never by who runs it.
    let client_ca = CertKey::root("pgtls client CA").unwrap();
    let cert_server = Server::start(ServerOptions {
        hba: vec!["hostssl all all 127.0.0.1/32 cert".into()],
        ..ServerOptions::with_tls(TlsFiles { ca_pem: Some(client_ca.cert_pem.clone()), ..pki.tls() })
    })
    .unwrap();
    for (tag, mode, owner) in [("key-0600", 0o600, None), ("key-0644", 0o644, None), ("key-0640-other-owner", 0o640, Some(1)), ("key-0644-other-owner", 0o644, Some(1))] {
        let (crt, key) = write_client_cert(home, &client_ca, "postgres", tag);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        if let Some(uid) = owner {
            // Another owner (a Kubernetes secret mount, a deploy script's copy): only as root.
            if std::os::unix::fs::chown(&key, Some(uid), None).is_err() {
                eprintln!("SKIP {tag}: cannot chown (not root)");
                continue;
            }
        }
        cells.push((
            tag.into(),
            format!("host=localhost hostaddr=127.0.0.1 port={} {base} sslmode=verify-full sslrootcert={} sslcert={} sslkey={}", cert_server.port(), root.display(), crt.display(), key.display()),
        ));
    }

    let mut table = String::from("\ncell                        | psql   | agree\n");
    let mut bad = Vec::new();
    for (name, ci) in cells {
        let cell = Cell { psql_connects: psql_connects(&good, &ci), name, ci };
        let wrong = judge(&cell, home, &exporter);
        table += &format!("{:27} | {:6} | {}\n", cell.name, if cell.psql_connects { "in" } else { "fails" }, if wrong.is_empty() { "yes" } else { "NO" });
        bad.extend(wrong);
    }
    eprintln!("{table}");
    assert!(bad.is_empty(), "commands disagree with psql:\n{}", bad.join("\n"));
}

/// The same multi-host cells against a real libpq 18 (psycopg's wheel), with `--libpq 18`.
#[test]
fn several_hosts_agree_with_newer_libpq() {
    let Some(py) = ["/opt/pgtls/venv/bin/python", "python3"]
        .into_iter()
        .find(|p| std::process::Command::new(p).args(["-c", "import psycopg"]).output().is_ok_and(|o| o.status.success()))
    else {
        eprintln!("SKIP: no Python with psycopg (bash .ci/run installs it)");
        return;
    };
    let pki = Pki::new();
    let good = tls_server(&pki, &[]);
    let untrusted = untrusted_server();
    let nossl_only = hba_only(&pki, "hostnossl");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let two = |a: u16, b: u16| {
        format!(
            "host=localhost,localhost hostaddr=127.0.0.1,127.0.0.1 port={a},{b} user=postgres dbname=postgres connect_timeout=5 sslmode=verify-full sslrootcert={}",
            root.display()
        )
    };
    // libpq's own PQconnectdb through psycopg's low-level wrapper: psycopg.connect() walks
    // the hosts itself in Python and would try the next one after any failure.
    let script = "import sys\nfrom psycopg import pq\nc = pq.PGconn.connect(sys.argv[1].encode())\nprint('OK' if c.status == pq.ConnStatus.OK else 'ERR')\nprint(pq.version())\n";
    let mut bad = Vec::new();
    for ci in [two(untrusted.port(), good.port()), two(nossl_only.port(), good.port()), two(1, good.port()), two(good.port(), untrusted.port())] {
        let out = std::process::Command::new(py).args(["-c", script, &ci]).env("HOME", dir.path()).output().unwrap();
        let theirs = String::from_utf8_lossy(&out.stdout).starts_with("OK");
        let (code, v) = json(&["doctor", "--libpq", "18", &ci], dir.path());
        let ours = v["outcome"]["connects"].as_bool();
        if ours != Some(theirs) || (!theirs && code != 2) {
            bad.push(format!("{ci}: libpq 18 {} but pgtls connects={ours:?} exit {code}", if theirs { "connects" } else { "fails" }));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A Unix-domain socket never uses TLS (issue 21, case 3): psql connects with verify-ca and no
/// root file at all, and `client` must not say it fails.
#[test]
fn unix_socket_needs_no_root_file() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let ci = format!("host={} port={} user=postgres dbname=postgres", server.data_dir().display(), server.port());
    let (ok, out) = server.psql(&format!("{ci} sslmode=verify-ca sslrootcert={}/none.crt", dir.path().display()), "select 1").unwrap();
    assert!(ok, "psql over the socket with verify-ca: {out}");
    let out = pgtls().args(["client", "--format", "json", &ci]).env("PGSSLMODE", "verify-ca").env("HOME", dir.path()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(!codes.contains(&"root-cert-missing"), "{v:#}");
    assert_ne!(out.status.code(), Some(2), "psql connects, pgtls client says it fails: {v:#}");
    // The same over TCP does need the root file: psql fails, and so does pgtls.
    let tcp = format!("host=127.0.0.1 port={} user=postgres dbname=postgres", server.port());
    let (ok, _) = server.psql(&format!("{tcp} sslmode=verify-ca sslrootcert={}/none.crt", dir.path().display()), "select 1").unwrap();
    assert!(!ok);
    let out = pgtls().args(["client", "--format", "json", &tcp]).env("PGSSLMODE", "verify-ca").env("HOME", dir.path()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "root-cert-missing"), "{v:#}");
    assert_eq!(out.status.code(), Some(2));
}

/// libpq 17+ with sslnegotiation=direct refuses a TLS terminator that selects no ALPN (issue
/// 21, case 5): `openssl s_server` stands in for it. The first line, the outcome and the exit
/// status say "fails"; a real libpq 18 (psycopg), where installed, agrees.
#[test]
fn direct_ssl_without_alpn_fails_for_libpq_17() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = tls_terminator(&pki, dir.path());
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={port} user=postgres sslmode=verify-full sslrootcert={} sslnegotiation=direct", root.display());
    let out = pgtls().args(["doctor", "--format", "json", "--libpq", "17", "--timeout", "2", &ci]).env("HOME", dir.path()).output().unwrap();
    // A real libpq 18 (psycopg's PQconnectdb), where installed, on the same terminator.
    let py = ["/opt/pgtls/venv/bin/python", "python3"]
        .into_iter()
        .find(|p| std::process::Command::new(p).args(["-c", "import psycopg"]).output().is_ok_and(|o| o.status.success()));
    let real = py.map(|py| {
        let script = "import sys\nfrom psycopg import pq\nc = pq.PGconn.connect(sys.argv[1].encode())\nprint('OK' if c.status == pq.ConnStatus.OK else 'ERR ' + c.error_message.decode())\n";
        let o = std::process::Command::new(py).args(["-c", script, &format!("{ci} connect_timeout=5")]).env("HOME", dir.path()).output().unwrap();
        String::from_utf8_lossy(&o.stdout).to_string()
    });
    let _ = child.kill();
    let _ = child.wait();
    match real {
        Some(r) => assert!(r.starts_with("ERR") && r.contains("without ALPN"), "libpq 18 on the same terminator: {r}"),
        None => eprintln!("SKIP the libpq 18 comparison: no Python with psycopg (bash .ci/run installs it)"),
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(v["outcome"]["connects"], false, "{v:#}");
    assert!(v["summary"].as_str().unwrap().contains("FAILS"), "{}", v["summary"]);
    assert!(v["outcome"]["error"].as_str().unwrap().contains("without ALPN"), "{v:#}");
    assert_eq!(out.status.code(), Some(2));
}

/// `--client STACK`: the first line is about the client the user named (issue 21, case 6).
/// Kong verifies the chain only against its own trusted certificates; with the wrong one it
/// fails where libpq (sslmode=require, no root file) connects.
#[test]
fn first_line_follows_the_named_client() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.crt");
    std::fs::write(&wrong, &CertKey::root("someone else").unwrap().cert_pem).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}", server.port(), wrong.display());
    let (code, v) = json(&["doctor", "--client", "jdbc", &ci], dir.path());
    let summary = v["summary"].as_str().unwrap();
    assert!(summary.starts_with("jdbc FAILS"), "{summary}");
    assert_eq!(code, 2);
    let right = dir.path().join("root.crt");
    std::fs::write(&right, &pki.root.cert_pem).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres sslmode=verify-full sslrootcert={}", server.port(), right.display());
    let (_, v) = json(&["doctor", "--client", "jdbc", &ci], dir.path());
    assert!(v["summary"].as_str().unwrap().starts_with("jdbc connects"), "{}", v["summary"]);
}

/// Trust that hangs on a cross-signed root the server sends is said, as information; a chain
/// that merely has two paths is no warning (issue 21, case 8). psql connects in both.
#[test]
fn cross_signed_root_sent_by_the_server_is_information() {
    let a = CertKey::root("pgtls root A").unwrap();
    let b = CertKey::root("pgtls root B").unwrap();
    let b_by_a = a.cross_sign(&b).unwrap();
    let inter = b.intermediate("pgtls issuing CA").unwrap();
    let leaf = inter.leaf("localhost", &["localhost", "127.0.0.1"]).unwrap();
    let server = Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}{}", leaf.cert_pem, inter.cert_pem, b_by_a.cert_pem),
        key_pem: leaf.key_pem.clone(),
        ca_pem: None,
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &a.cert_pem).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}", server.port(), root.display());
    assert!(psql_connects(&server, &ci));
    let (code, v) = json(&["doctor", &ci], dir.path());
    assert_eq!(code, 0, "{v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "cross-signed-path").unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["severity"], "info");
    let detail = f["detail"].as_str().unwrap();
    assert!(detail.contains("Trust hangs on \"pgtls root B\"") && detail.contains("pgtls root A") && detail.contains("expires"), "{detail}");
    // Trusting both roots: two paths, still no warning.
    std::fs::write(&root, format!("{}{}", a.cert_pem, b.cert_pem)).unwrap();
    let (code, v) = json(&["doctor", &ci], dir.path());
    assert_eq!(code, 0, "{v:#}");
}

/// The audits agree with doctor (issue 21, case 9): a store holding only an intermediate fails
/// libpq now; a leaf-only ssl_cert_file is an incomplete chain; hostnossl-only pg_hba.conf
/// with ssl = on refuses every TLS login.
#[test]
fn audits_agree_with_doctor() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("inter.crt");
    std::fs::write(&store, &pki.inter.cert_pem).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-ca sslrootcert={}", server.port(), store.display());
    assert!(!psql_connects(&server, &ci), "libpq does not anchor on an intermediate");
    let (code, d) = json(&["doctor", &ci], dir.path());
    assert_eq!((code, d["outcome"]["connects"].as_bool()), (2, Some(false)), "{d:#}");
    let (code, t) = json(&["trust", "audit", store.to_str().unwrap()], dir.path());
    let f = t["findings"].as_array().unwrap().iter().find(|f| f["code"] == "pinned-intermediate").unwrap_or_else(|| panic!("{t:#}"));
    assert_eq!(f["severity"], "error", "{t:#}");
    assert_eq!(code, 2);

    // ssl_cert_file with the leaf alone.
    let leaf_only = Server::prepare(ServerOptions::with_tls(TlsFiles { cert_chain_pem: pki.leaf.cert_pem.clone(), key_pem: pki.leaf.key_pem.clone(), ca_pem: None })).unwrap();
    let out = pgtls().args(["server", "--format", "json", "--data-dir"]).arg(leaf_only.data_dir()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "chain-incomplete"), "{v:#}");

    // hostnossl lines only, ssl = on: require fails (psql), and the audit says every TLS login is refused.
    let nossl = hba_only(&pki, "hostnossl");
    assert!(!psql_connects(&nossl, &format!("host=127.0.0.1 port={} sslmode=require", nossl.port())));
    let out = pgtls().args(["server", "--format", "json", "--data-dir"]).arg(nossl.data_dir()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "hba-no-ssl-entry").unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["severity"], "error", "{v:#}");
    assert!(f["detail"].as_str().unwrap().contains("every TLS login is refused"), "{f:#}");
}

/// libpq 15's bare "certificate verify failed" allows several causes: explain names them all
/// and points to doctor (issue 21, case 10).
#[test]
fn bare_verify_failure_names_every_cause() {
    let dir = tempfile::tempdir().unwrap();
    let (_, v) = json(&["explain", "psql: error: connection to server at \"db\" (10.0.0.1), port 5432 failed: SSL error: certificate verify failed"], dir.path());
    let f = &v["findings"][0];
    let also = f["evidence"]["also_possible"].as_str().unwrap_or("");
    for code in ["cert-expired", "cert-not-yet-valid", "self-signed-server-cert", "chain-incomplete", "pinned-intermediate"] {
        assert!(also.contains(code), "{code} missing: {f:#}");
    }
    assert!(f["detail"].as_str().unwrap().contains("pgtls doctor"), "{f:#}");
}

/// A TLS terminator that expects a ClientHello first (`openssl s_server` stands in for HAProxy
/// `bind … ssl crt` or stunnel without `protocol = pgsql`): psql fails with "server closed the
/// connection unexpectedly"; pgtls fails too, and names the hop — `proxy-mishandles-sslrequest`
/// with the terminator's certificate — instead of a handshake cut short (issue 22).
#[test]
fn tls_terminator_in_front_is_named() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, port) = tls_terminator(&pki, dir.path());
    let ci = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode=require connect_timeout=5");
    let out = pgtls().args(["doctor", "--format", "json", "--timeout", "3", &ci]).env("HOME", dir.path()).output().unwrap();
    let psql = crate::support::psql_raw(&ci);
    let _ = child.kill();
    let _ = child.wait();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    if let Some((ok, text)) = psql {
        assert!(!ok && text.contains("closed the connection unexpectedly"), "psql: {text}");
    }
    assert_eq!(v["outcome"]["connects"], false, "{v:#}");
    assert_eq!(v["findings"][0]["code"], "proxy-mishandles-sslrequest", "{v:#}");
    assert!(v["findings"][0]["detail"].as_str().unwrap().contains("CN=localhost"), "{v:#}");
    assert_eq!(out.status.code(), Some(2));
}
