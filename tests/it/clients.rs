//! Agreement with the real client libraries: for every chain × trust file × mode × host cell,
//! pgtls's prediction for each stack (`pgtls::verify::clients::predict`, fed the chain the
//! real server sent) must equal what the real library does. The real libraries run through
//! the runners in `lab/clients/` (installed by `lab/clients/install.sh`: pgJDBC, node-postgres,
//! psycopg 3, asyncpg, pgx); rustls is tokio-postgres with tokio-postgres-rustls, in process.
//! The matrix is printed and written to `target/test-artifacts/clients-matrix.md`; every
//! disagreement fails the test: the outcome, and where both fail, the error text (the real
//! library's message must contain the one pgtls predicts). A stack whose runtime is missing is reported as SKIPPED, and
//! fails the test when `PGTLS_REQUIRE_CLIENTS=1` (CI sets it).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pgtls::net::Timeouts;
use pgtls::probe::{probe, ProbeTarget, SslNegotiation};
use pgtls::profile::{ClientProfile, Overrides};
use pgtls::verify::clients::{predict, ServerSide, Stack, StackChoice};
use pgtls::verify::libpq::SslMode;
use pgtls_lab::{CertKey, CertSpec, Server, ServerOptions, TlsFiles};

/// One server chain.
struct Chain {
    name: &'static str,
    tls: TlsFiles,
    /// The trust files' contents by name.
    trust: Vec<(&'static str, String)>,
}

fn files(leaf_cert: &str, leaf_key: &str, extra: &[&str]) -> TlsFiles {
    TlsFiles { cert_chain_pem: format!("{leaf_cert}{}", extra.concat()), key_pem: leaf_key.to_string(), ca_pem: None }
}

/// An X.509 v1 leaf (what `openssl x509 -req` makes without extensions), CN=localhost,
/// issued by `ca`. `None` when the openssl CLI is missing.
fn v1_leaf(dir: &Path, ca: &CertKey) -> Option<(String, String)> {
    let w = |n: &str, body: &str| {
        let p = dir.join(n);
        std::fs::write(&p, body).unwrap();
        p
    };
    let ca_cert = w("v1-ca.pem", &ca.cert_pem);
    let ca_key = w("v1-ca.key", &ca.key_pem);
    let key = dir.join("v1.key");
    let csr = dir.join("v1.csr");
    let crt = dir.join("v1.crt");
    let ok = |c: &mut Command| c.stdout(Stdio::null()).stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    if !ok(Command::new("openssl").args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"]).arg(&key)) {
        return None;
    }
    if !ok(Command::new("openssl").args(["req", "-new", "-subj", "/CN=localhost", "-key"]).arg(&key).arg("-out").arg(&csr)) {
        return None;
    }
    if !ok(Command::new("openssl")
        .args(["x509", "-req", "-days", "30", "-set_serial", "4242", "-in"])
        .arg(&csr)
        .arg("-CA")
        .arg(&ca_cert)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-out")
        .arg(&crt))
    {
        return None;
    }
    Some((std::fs::read_to_string(&crt).ok()?, std::fs::read_to_string(&key).ok()?))
}

fn chains(dir: &Path) -> Vec<Chain> {
    let root = CertKey::root("Right Root CA").unwrap();
    let other = CertKey::root("Other Root CA").unwrap();
    let int = root.intermediate("Issuing CA 1").unwrap();
    let trust = |right: &CertKey, other: &CertKey, int: &str, leaf: &str| {
        vec![
            ("right-root", right.cert_pem.clone()),
            ("other-root", other.cert_pem.clone()),
            ("int-only", int.to_string()),
            ("leaf-only", leaf.to_string()),
            ("both-roots", format!("{}{}", other.cert_pem, right.cert_pem)),
        ]
    };
    let mut v = Vec::new();
    let l = int.leaf("localhost", &["localhost"]).unwrap();
    v.push(Chain { name: "root>int>leaf", tls: files(&l.cert_pem, &l.key_pem, &[&int.cert_pem]), trust: trust(&root, &other, &int.cert_pem, &l.cert_pem) });
    v.push(Chain { name: "missing-int", tls: files(&l.cert_pem, &l.key_pem, &[]), trust: trust(&root, &other, &int.cert_pem, &l.cert_pem) });
    // The old root cross-signs the new one; the server sends leaf, issuing CA, cross-sign.
    let old = CertKey::root("Old Root 2017").unwrap();
    let new_root = CertKey::root("New Root G2").unwrap();
    let new_int = new_root.intermediate("G2 Issuing CA").unwrap();
    let cross = old.cross_sign(&new_root).unwrap();
    let l = new_int.leaf("localhost", &["localhost"]).unwrap();
    v.push(Chain {
        name: "cross-signed",
        tls: files(&l.cert_pem, &l.key_pem, &[&new_int.cert_pem, &cross.cert_pem]),
        trust: trust(&new_root, &old, &new_int.cert_pem, &l.cert_pem),
    });
    let l = int.leaf("localhost", &[]).unwrap();
    v.push(Chain { name: "cn-only", tls: files(&l.cert_pem, &l.key_pem, &[&int.cert_pem]), trust: trust(&root, &other, &int.cert_pem, &l.cert_pem) });
    let l = int.leaf_with("localhost", &["localhost"], &CertSpec::expired()).unwrap();
    v.push(Chain { name: "expired", tls: files(&l.cert_pem, &l.key_pem, &[&int.cert_pem]), trust: trust(&root, &other, &int.cert_pem, &l.cert_pem) });
    if let Some((cert, key)) = v1_leaf(dir, &int) {
        v.push(Chain { name: "v1-leaf", tls: files(&cert, &key, &[&int.cert_pem]), trust: trust(&root, &other, &int.cert_pem, &cert) });
    }
    v
}

const MODES: [SslMode; 3] = [SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull];
const HOSTS: [&str; 2] = ["localhost", "127.0.0.1"];

/// A stack and style as the runners know it.
struct Runner {
    stack: Stack,
    runner: &'static str,
    variant: &'static str,
    /// The sslmode is part of the case (false: the style fixes what is checked).
    modes: bool,
}

const RUNNERS: &[Runner] = &[
    Runner { stack: Stack::Psycopg, runner: "psycopg", variant: "conninfo", modes: true },
    Runner { stack: Stack::Jdbc, runner: "jdbc", variant: "sslmode", modes: true },
    Runner { stack: Stack::Jdbc, runner: "jdbc", variant: "ssl-true", modes: false },
    Runner { stack: Stack::Node, runner: "node", variant: "connstring", modes: true },
    Runner { stack: Stack::Node, runner: "node", variant: "connstring-libpqcompat", modes: true },
    Runner { stack: Stack::Node, runner: "node", variant: "config", modes: true },
    Runner { stack: Stack::Jdbc, runner: "jdbc", variant: "nonvalidating", modes: false },
    Runner { stack: Stack::Asyncpg, runner: "asyncpg", variant: "dsn", modes: true },
    Runner { stack: Stack::Asyncpg, runner: "asyncpg", variant: "context", modes: true },
    Runner { stack: Stack::Pgx, runner: "pgx", variant: "conninfo", modes: true },
];

#[derive(Debug, Clone)]
struct Case {
    id: String,
    chain: usize,
    trust: &'static str,
    mode: Option<SslMode>,
    host: &'static str,
    rootcert: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    connects: bool,
    error: Option<String>,
}

fn runner_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lab/clients/run.sh")
}

/// Run a batch of cases through a real library's runner; `Err` when the runner is unavailable.
fn run_real(r: &Runner, port: u16, home: &Path, cases: &[Case]) -> Result<(String, BTreeMap<String, Outcome>), String> {
    let mut child = Command::new("bash")
        .arg(runner_script())
        .arg(r.runner)
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", r.runner))?;
    {
        let mut stdin = child.stdin.take().unwrap();
        for c in cases {
            let line = serde_json::json!({
                "id": c.id, "host": c.host, "port": port, "dbname": "postgres", "user": "postgres",
                "password": "unused-password", "sslmode": c.mode.map(|m| m.as_str()),
                "sslrootcert": c.rootcert.display().to_string(), "variant": r.variant,
                "home": home.display().to_string(),
            });
            writeln!(stdin, "{line}").map_err(|e| e.to_string())?;
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let mut library = String::new();
    let mut got = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if let Some(l) = v["library"].as_str() {
            library = l.to_string();
        }
        if let (Some(id), Some(c)) = (v["id"].as_str(), v["connects"].as_bool()) {
            got.insert(id.to_string(), Outcome { connects: c, error: v["error"].as_str().map(str::to_string) });
        }
    }
    if got.is_empty() {
        return Err(format!("{} runner gave no answers (exit {:?}): {}", r.runner, out.status.code(), String::from_utf8_lossy(&out.stderr).lines().take(5).collect::<Vec<_>>().join(" | ")));
    }
    Ok((library, got))
}

/// tokio-postgres with tokio-postgres-rustls, roots from the trust file: the rustls stack.
fn run_rustls(port: u16, c: &Case) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mode = c.mode.map(|m| format!(" sslmode={m}")).unwrap_or_default();
        let cfg: Result<tokio_postgres::Config, _> = format!("host={} port={port} user=postgres dbname=postgres connect_timeout=10{mode}", c.host).parse();
        let cfg = match cfg {
            Ok(cfg) => cfg,
            Err(e) => return Outcome { connects: false, error: Some(e.to_string()) },
        };
        let mut roots = rustls::RootCertStore::empty();
        let pem = std::fs::read(&c.rootcert).unwrap_or_default();
        for der in pgtls::x509::pem_certs(&pem) {
            let _ = roots.add(rustls::pki_types::CertificateDer::from(der.der.clone()));
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
        match tokio::time::timeout(std::time::Duration::from_secs(10), cfg.connect(tls)).await {
            Ok(Ok((client, conn))) => {
                tokio::spawn(conn);
                match client.simple_query("select 1").await {
                    Ok(_) => Outcome { connects: true, error: None },
                    Err(e) => Outcome { connects: false, error: Some(e.to_string()) },
                }
            }
            Ok(Err(e)) => Outcome { connects: false, error: Some(format!("{e}{}", std::error::Error::source(&e).map(|s| format!(": {s}")).unwrap_or_default())) },
            Err(_) => Outcome { connects: false, error: Some("timeout".into()) },
        }
    })
}

/// The client of a case: its sslmode and root file, this home directory, the runner's Python.
fn settings(c: &Case, home: &Path, python_minor: u32) -> ClientProfile {
    let mut s = ClientProfile::from_flags(&Overrides {
        sslmode: c.mode,
        sslrootcert: Some(c.rootcert.display().to_string()),
        home: Some(home.to_path_buf()),
        at: Some(time::OffsetDateTime::now_utc()),
        ..Overrides::default()
    }, time::OffsetDateTime::now_utc());
    s.python_minor = python_minor;
    s
}

/// pgtls's prediction for `stack` in style `variant` for the case's client, host and server.
fn prediction(stack: Stack, variant: &str, c: &Case, st: &ClientProfile, side: &ServerSide) -> pgtls::verify::clients::StackVerdict {
    let choice = StackChoice { stack, variant: Some(variant.to_string()) };
    let target = ProbeTarget { host: c.host.into(), hostaddr: None, port: 5432, sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false };
    predict(&choice, st, &target, side, &pgtls::client::stack_files(&[st]))
}

/// The Python minor version a runner's `library` string names ("… Python 3.11.2 …").
fn python_minor(library: &str) -> u32 {
    library
        .split("Python ")
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
        .unwrap_or(11)
}

#[test]
fn stack_predictions_agree_with_the_real_libraries() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let require_all = std::env::var("PGTLS_REQUIRE_CLIENTS").is_ok_and(|v| v == "1");
    let chains = chains(dir.path());
    assert_eq!(chains.len(), 6, "the v1 chain needs the openssl CLI");
    let mut table = String::from("| chain | trust | mode | host | stack | real | pgtls | agree |\n|---|---|---|---|---|---|---|---|\n");
    let mut cells = 0usize;
    let mut disagreements = Vec::new();
    let mut skipped: BTreeMap<String, String> = BTreeMap::new();
    let mut libraries: BTreeMap<String, String> = BTreeMap::new();
    let mut per_stack: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut texts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (ci, chain) in chains.iter().enumerate() {
        let server = Server::start(ServerOptions::with_tls(chain.tls.clone())).unwrap();
        let facts = probe(
            &ProbeTarget { host: "localhost".into(), hostaddr: Some("127.0.0.1".into()), port: server.port(), sni: None, negotiation: SslNegotiation::Postgres, hostaddr_only: false },
            Timeouts::default(),
        );
        assert!(!facts.chain.is_empty(), "{}: no chain", chain.name);
        let side = ServerSide { chain: facts.chain.clone(), accepts_plaintext: true };
        let mut cases = Vec::new();
        for (trust, body) in &chain.trust {
            let path = dir.path().join(format!("{}-{trust}.crt", chain.name.replace('>', "_")));
            std::fs::write(&path, body).unwrap();
            for mode in MODES {
                for host in HOSTS {
                    cases.push(Case { id: format!("{ci}/{trust}/{mode}/{host}"), chain: ci, trust, mode: Some(mode), host, rootcert: path.clone() });
                }
            }
        }
        let mut compare = |label: String, real: &Outcome, c: &Case, predicted: pgtls::verify::clients::StackVerdict| {
            cells += 1;
            let agree = real.connects == predicted.connects;
            // The error text: the real one contains pgtls's (libraries add wrappers such as
            // "org.postgresql.util.PSQLException: SSL error: " or Go's "failed to connect to …").
            if !real.connects && !predicted.connects {
                let t = texts.entry(label.clone()).or_default();
                t.0 += 1;
                let p = predicted.error.as_deref().unwrap_or("");
                if !p.is_empty() && real.error.as_deref().unwrap_or("").contains(p) {
                    t.1 += 1;
                } else {
                    disagreements.push(format!("{label} {} / {}: error text differs: real {:?}, pgtls {p:?}", chains[c.chain].name, c.id, real.error.as_deref().unwrap_or("")));
                }
            }
            let e = per_stack.entry(label.clone()).or_default();
            e.0 += 1;
            let show = |connects: bool, err: &Option<String>| {
                if connects {
                    "connects".to_string()
                } else {
                    format!("fails: {}", err.as_deref().unwrap_or("").lines().next().unwrap_or("").replace('|', "/").chars().take(110).collect::<String>())
                }
            };
            let mode = c.mode.map(|m| m.as_str()).unwrap_or("-");
            table += &format!(
                "| {} | {} | {mode} | {} | {label} | {} | {} | {} |\n",
                chains[c.chain].name,
                c.trust,
                c.host,
                show(real.connects, &real.error),
                show(predicted.connects, &predicted.error),
                if agree { "ok" } else { "**DIFF**" }
            );
            if agree {
                e.1 += 1;
            } else {
                disagreements.push(format!("{label} {} / {} / {mode} / {}: real {:?}, pgtls {:?}", chains[c.chain].name, c.trust, c.host, real, (predicted.connects, predicted.error)));
            }
        };
        for r in RUNNERS {
            let label = format!("{}:{}", r.stack, r.variant);
            if skipped.contains_key(&label) {
                continue;
            }
            let batch: Vec<Case> = if r.modes {
                cases.clone()
            } else {
                cases.iter().filter(|c| c.mode == Some(SslMode::Require)).map(|c| Case { mode: None, ..c.clone() }).collect()
            };
            match run_real(r, server.port(), &home, &batch) {
                Err(why) => {
                    skipped.insert(label, why);
                }
                Ok((library, got)) => {
                    libraries.insert(label.clone(), library.clone());
                    for c in &batch {
                        let missing = Outcome { connects: false, error: Some("the runner gave no answer".into()) };
                        let real = got.get(&c.id).unwrap_or(&missing);
                        let st = settings(c, &home, python_minor(&library));
                        let predicted = prediction(r.stack, r.variant, c, &st, &side);
                        compare(label.clone(), real, c, predicted);
                    }
                }
            }
        }
        for c in &cases {
            let real = run_rustls(server.port(), c);
            let st = settings(c, &home, 11);
            let predicted = prediction(Stack::Rustls, "", c, &st, &side);
            compare("rustls".into(), &real, c, predicted);
        }
    }
    libraries.insert("rustls".into(), "tokio-postgres 0.7 + tokio-postgres-rustls 0.14 + rustls 0.23 (in process)".into());
    let mut summary = String::from("| stack | library | cells | outcome agrees | both fail | same error text |\n|---|---|---|---|---|---|\n");
    for (label, (n, ok)) in &per_stack {
        let (tn, tok) = texts.get(label).copied().unwrap_or_default();
        summary += &format!("| {label} | {} | {n} | {ok} | {tn} | {tok} |\n", libraries.get(label).map(String::as_str).unwrap_or("?"));
    }
    for (label, why) in &skipped {
        summary += &format!("| {label} | SKIPPED: {why} | 0 | 0 | 0 | 0 |\n");
    }
    let report = format!("{summary}\n{table}");
    let art = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    let _ = std::fs::create_dir_all(&art);
    let _ = std::fs::write(art.join("clients-matrix.md"), &report);
    println!("{summary}");
    println!("{} cells, {} agree; skipped: {:?}", cells, cells - disagreements.len(), skipped.keys().collect::<Vec<_>>());
    assert!(!require_all || skipped.is_empty(), "client runtimes missing (PGTLS_REQUIRE_CLIENTS=1): {skipped:?}");
    assert!(cells >= 6 * 5 * 3 * 2, "too few cells: {cells}");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

/// The pgJDBC cases, judged by `pgtls client --jdbc` offline and by real pgJDBC.
#[test]
fn client_jdbc_without_a_root_file_fails_like_pgjdbc() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let root = CertKey::root("JDBC Root").unwrap();
    let int = root.intermediate("JDBC Issuing CA").unwrap();
    let leaf = int.leaf("localhost", &["localhost"]).unwrap();
    let server = Server::start(ServerOptions::with_tls(files(&leaf.cert_pem, &leaf.key_pem, &[&int.cert_pem]))).unwrap();
    let int_only = dir.path().join("int-only.crt");
    std::fs::write(&int_only, &int.cert_pem).unwrap();
    let cases: [(&str, Option<&Path>, bool); 3] = [
        ("ssl=true", None, false),
        ("ssl=true&sslrootcert=/nonexistent.crt", Some(Path::new("/nonexistent.crt")), false),
        // PKIX takes the intermediate as a trust anchor: pgJDBC connects where libpq fails.
        ("sslmode=verify-full&sslrootcert=INT", Some(&int_only), true),
    ];
    for (query, rootcert, pgjdbc_connects) in cases {
        let url = format!("jdbc:postgresql://localhost:{}/postgres?{}", server.port(), query.replace("INT", &int_only.display().to_string()));
        let out = crate::support::pgtls().env("HOME", &home).args(["client", "--format", "json", "--jdbc", &url]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        let fails = codes.contains(&"client-stack-fails");
        assert_eq!(fails, !pgjdbc_connects, "{query}: {codes:?}");
        assert_eq!(out.status.code() == Some(2), !pgjdbc_connects, "{query}: exit {:?}", out.status.code());
        if fails {
            let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "client-stack-fails").unwrap();
            assert!(f["detail"].as_str().unwrap().contains("Could not open SSL root certificate file"), "{f}");
        }
        // The real pgJDBC agrees (when its runner is installed).
        let variant = if query.starts_with("ssl=true") { "ssl-true" } else { "sslmode" };
        let r = RUNNERS.iter().find(|r| r.stack == Stack::Jdbc && r.variant == variant).unwrap();
        let case = Case {
            id: "jdbc".into(),
            chain: 0,
            trust: "right-root",
            mode: (variant == "sslmode").then_some(SslMode::VerifyFull),
            host: "localhost",
            rootcert: rootcert.map(Path::to_path_buf).unwrap_or_default(),
        };
        match run_real(r, server.port(), &home, std::slice::from_ref(&case)) {
            Ok((_, got)) => {
                let real = &got["jdbc"];
                assert_eq!(real.connects, pgjdbc_connects, "{query}: real pgJDBC {real:?}");
                if !real.connects {
                    assert!(real.error.as_deref().unwrap_or("").contains("Could not open SSL root certificate file"), "{real:?}");
                }
            }
            Err(why) => {
                assert!(std::env::var("PGTLS_REQUIRE_CLIENTS").ok().as_deref() != Some("1"), "{why}");
                eprintln!("SKIP real pgJDBC: {why}");
            }
        }
    }
}

/// kong.conf against a server whose chain has two intermediates (like Azure's 2026 chain):
/// the default lua_ssl_verify_depth 1 fails, 2 passes; an intermediate-only trusted file fails.
#[test]
fn client_kong_conf_judges_verify_depth_and_trusted_certificates_against_the_served_chain() {
    let dir = tempfile::tempdir().unwrap();
    let root = CertKey::root("Kong Root").unwrap();
    let int1 = root.intermediate("Kong Policy CA").unwrap();
    let int2 = int1.intermediate("Kong Issuing CA").unwrap();
    let leaf = int2.leaf("localhost", &["localhost"]).unwrap();
    let server = Server::start(ServerOptions::with_tls(files(&leaf.cert_pem, &leaf.key_pem, &[&int2.cert_pem, &int1.cert_pem]))).unwrap();
    let root_file = dir.path().join("root.pem");
    std::fs::write(&root_file, &root.cert_pem).unwrap();
    let int_file = dir.path().join("int.pem");
    std::fs::write(&int_file, &int2.cert_pem).unwrap();
    let run = |extra: &str, trusted: &Path| {
        let conf = dir.path().join("kong.conf");
        std::fs::write(
            &conf,
            format!(
                "pg_host = 127.0.0.1\npg_port = {}\npg_ssl = on\npg_ssl_required = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = {}\n{extra}",
                server.port(),
                trusted.display()
            ),
        )
        .unwrap();
        let out = crate::support::pgtls().args(["client", "--format", "json", "--kong-conf"]).arg(&conf).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        let findings = v["findings"].as_array().unwrap().clone();
        (out.status.code(), findings)
    };
    let code = |fs: &[serde_json::Value], c: &str| fs.iter().find(|f| f["code"] == c).cloned();
    let (exit, fs) = run("", &root_file);
    let f = code(&fs, "client-stack-fails").unwrap_or_else(|| panic!("depth 1 must fail: {fs:?}"));
    assert!(f["detail"].as_str().unwrap().contains("certificate chain too long"), "{f}");
    assert!(f["fix"].as_str().unwrap().contains("lua_ssl_verify_depth = 2"), "{f}");
    assert_eq!(exit, Some(2));
    // Real OpenSSL with the same depth agrees: depth 1 fails, depth 2 verifies.
    let chain_file = dir.path().join("chain.pem");
    std::fs::write(&chain_file, format!("{}{}", int2.cert_pem, int1.cert_pem)).unwrap();
    let leaf_file = dir.path().join("leaf.pem");
    std::fs::write(&leaf_file, &leaf.cert_pem).unwrap();
    for (depth, ok) in [("1", false), ("2", true)] {
        if let Ok(o) = Command::new("openssl")
            .args(["verify", "-no-CApath", "-no-CAstore", "-verify_depth", depth, "-CAfile"])
            .arg(&root_file)
            .arg("-untrusted")
            .arg(&chain_file)
            .arg(&leaf_file)
            .output()
        {
            assert_eq!(o.status.success(), ok, "openssl -verify_depth {depth}");
        }
    }
    let (_, fs) = run("lua_ssl_verify_depth = 2\n", &root_file);
    assert!(code(&fs, "client-stack-fails").is_none(), "depth 2 verifies: {fs:?}");
    let (exit, fs) = run("lua_ssl_verify_depth = 3\n", &int_file);
    let f = code(&fs, "kong-verify-without-ca").unwrap_or_else(|| panic!("intermediate only: {fs:?}"));
    assert!(f["detail"].as_str().unwrap().contains("holds no root certificate"), "{f}");
    assert!(code(&fs, "client-stack-fails").is_some(), "the served chain does not verify either: {fs:?}");
    assert_eq!(exit, Some(2));
}

/// `verify --client all`: one verdict per stack in JSON, and a named stack that fails makes
/// the exit status 2 even where libpq connects.
#[test]
fn verify_client_all_lists_every_stack_and_a_named_failing_stack_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = CertKey::root("Stacks Root").unwrap();
    let int = root.intermediate("Stacks Issuing CA").unwrap();
    // CN only: libpq connects with verify-full, Go and rustls do not.
    let leaf = int.leaf("localhost", &[]).unwrap();
    let server = Server::start(ServerOptions::with_tls(files(&leaf.cert_pem, &leaf.key_pem, &[&int.cert_pem]))).unwrap();
    let rootcert = dir.path().join("root.crt");
    std::fs::write(&rootcert, &root.cert_pem).unwrap();
    let target = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}", server.port(), rootcert.display());
    let out = crate::support::pgtls().env("HOME", dir.path()).args(["verify", "--format", "json", "--client", "all", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts = v["verdicts"].as_array().unwrap();
    let names: Vec<&str> = verdicts.iter().map(|x| x["client"].as_str().unwrap()).collect();
    assert_eq!(names, ["libpq", "jdbc", "node", "psycopg", "asyncpg", "pgx", "npgsql", "rustls", "kong"]);
    let by = |n: &str| verdicts.iter().find(|x| x["client"] == n).unwrap();
    assert_eq!(by("libpq")["connects"], true);
    assert_eq!(by("pgx")["connects"], false);
    assert_eq!(by("pgx")["error"], "x509: certificate relies on legacy Common Name field, use SANs instead");
    assert_eq!(out.status.code(), Some(0), "all: libpq connects, the table is information");
    let out = crate::support::pgtls().env("HOME", dir.path()).args(["verify", "--client", "pgx", &target]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("client-stack-fails") && text.contains("legacy Common Name"), "{text}");
    let out = crate::support::pgtls().args(["verify", "--client", "cobol", &target]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown client stack"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `doctor --client`: after TLS the server answers every stack alike; a pg_hba.conf reject
/// seen by pgtls's own startup fails the named stack, as it fails the real library.
#[test]
fn doctor_client_follows_the_stack_into_the_startup_phase() {
    let dir = tempfile::tempdir().unwrap();
    let root = CertKey::root("Startup Root").unwrap();
    let leaf = root.leaf("localhost", &["localhost"]).unwrap();
    let mut opts = ServerOptions::with_tls(files(&leaf.cert_pem, &leaf.key_pem, &[]));
    opts.hba = vec!["hostssl all postgres 127.0.0.1/32 reject".into(), "host all all 127.0.0.1/32 trust".into()];
    let server = Server::start(opts).unwrap();
    let rootcert = dir.path().join("root.crt");
    std::fs::write(&rootcert, &root.cert_pem).unwrap();
    let target = format!("host=localhost hostaddr=127.0.0.1 port={} user=postgres dbname=postgres sslmode=verify-full sslrootcert={}", server.port(), rootcert.display());
    let out = crate::support::pgtls().env("HOME", dir.path()).args(["doctor", "--format", "json", "--client", "jdbc", "--client", "node:config", &target]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2));
    for x in v["verdicts"].as_array().unwrap() {
        assert_eq!(x["connects"], false, "{x}");
        assert!(x["error"].as_str().unwrap().contains("pg_hba.conf rejects connection"), "{x}");
    }
    // The real pgJDBC says the same (when installed).
    let r = RUNNERS.iter().find(|r| r.stack == Stack::Jdbc && r.variant == "sslmode").unwrap();
    let case = Case { id: "hba".into(), chain: 0, trust: "right-root", mode: Some(SslMode::VerifyFull), host: "localhost", rootcert };
    match run_real(r, server.port(), dir.path(), &[case]) {
        Ok((_, got)) => {
            let real = &got["hba"];
            assert!(!real.connects && real.error.as_deref().unwrap_or("").contains("pg_hba.conf rejects connection"), "{real:?}");
        }
        Err(why) => {
            assert!(std::env::var("PGTLS_REQUIRE_CLIENTS").ok().as_deref() != Some("1"), "{why}");
            eprintln!("SKIP real pgJDBC: {why}");
        }
    }
}
