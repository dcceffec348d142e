//! Middle hops (issue 22): a real PgBouncer (Debian's 1.18) between psql and a real
//! PostgreSQL 15, judged by pgtls and by psql through the same pooler.
//!
//! The pooled login: PgBouncer answers the login from its own user list and the server
//! settings it cached from an earlier server connection, and connects to PostgreSQL only for
//! the first query. When that server-side connection fails (here: PostgreSQL now presents a
//! certificate from a CA the pooler's `server_tls_ca_file` does not hold), psql's login works
//! and its first command fails. pgtls must not say "connects": it runs one read-only
//! `SELECT 1` after the login, and names the pooler's side as the cause.

use pgtls_lab::{Haproxy, Pgbouncer, ServerOptions, Stunnel, StunnelService, TlsFiles};
use serde_json::Value;

use crate::support::*;

/// Whether the hop's program is installed here; CI installs them all and sets
/// PGTLS_REQUIRE_CLIENTS, which makes a missing one a failure instead of a skip.
fn installed_or_skip(found: Option<std::path::PathBuf>, package: &str) -> bool {
    if found.is_some() {
        return true;
    }
    assert!(std::env::var_os("PGTLS_REQUIRE_CLIENTS").is_none(), "{package} is not installed (apt install {package})");
    eprintln!("SKIP: {package} is not installed");
    false
}

/// A PEM certificate's SHA-256 (hex, upper case), from openssl.
fn sha256_of(pem: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.pem");
    std::fs::write(&p, pem).unwrap();
    let out = std::process::Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(&p).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().rsplit('=').next().unwrap_or_default().replace(':', "").to_uppercase()
}

fn doctor(ci: &str) -> (i32, Value) {
    let out = pgtls().args(["doctor", ci, "--format", "json"]).env_remove("PGPASSWORD").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{ci}: bad JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

#[test]
fn pooled_login_whose_server_side_fails_is_not_an_all_clear() {
    if !installed_or_skip(Pgbouncer::binary(), "pgbouncer") {
        return;
    }
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    // The pooler's own certificate for its clients, from a CA of its own.
    let front = Pki::new();
    let bouncer = Pgbouncer::start(
        server.port(),
        &[
            ("server_tls_sslmode", "verify-full"),
            ("server_tls_ca_file", "{dir}/backend-root.crt"),
            ("client_tls_sslmode", "allow"),
            ("client_tls_cert_file", "{dir}/front.crt"),
            ("client_tls_key_file", "{dir}/front.key"),
            ("query_wait_timeout", "3"),
            ("server_login_retry", "1"),
        ],
        &[
            ("backend-root.crt", &pki.root.cert_pem),
            ("front.crt", &format!("{}{}", front.leaf.cert_pem, front.inter.cert_pem)),
            ("front.key", &front.leaf.key_pem),
        ],
    )
    .unwrap_or_else(|e| panic!("PgBouncer did not start: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let front_root = dir.path().join("front-root.crt");
    std::fs::write(&front_root, &front.root.cert_pem).unwrap();
    let base = format!("host=127.0.0.1 port={} dbname=postgres user=postgres", bouncer.port());
    let cells = [
        ("no TLS to the pooler, sslmode=prefer", format!("{base} sslmode=prefer")),
        ("TLS to the pooler, verify-ca with its CA", format!("{base} sslmode=verify-ca sslrootcert={}", front_root.display())),
    ];

    // While the pooler's server side works, both connect (and this caches the server settings).
    for (name, ci) in &cells {
        let (ok, said) = psql_raw(ci).expect("psql");
        assert!(ok, "{name}: psql through a working pooler: {said}\n{}", bouncer.log());
        let (_, v) = doctor(ci);
        assert_eq!(v["outcome"]["connects"], true, "{name}: {v:#}");
        assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "pooler-server-unreachable"), "{name}: {v:#}");
    }

    // PostgreSQL now presents a certificate from another CA; its current connections end, so
    // the pooler must connect anew, and its verify-full check fails.
    let other = Pki::new();
    server.write_data_file("server.crt", &format!("{}{}", other.leaf.cert_pem, other.inter.cert_pem), 0o644).unwrap();
    server.write_data_file("server.key", &other.leaf.key_pem, 0o600).unwrap();
    server.reload().unwrap();
    server.admin_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()").unwrap();

    for (name, ci) in &cells {
        let (ok, said) = psql_raw(ci).expect("psql");
        assert!(!ok, "{name}: psql should fail on its first query through a pooler without its server: {said}");
        let (exit, v) = doctor(ci);
        assert_eq!(exit, 2, "{name}: {v:#}");
        assert_eq!(v["outcome"]["connects"], false, "{name}: {v:#}");
        let first = &v["findings"][0];
        assert_eq!(first["code"], "pooler-server-unreachable", "{name}: the first finding names the pooler: {v:#}\npsql: {said}");
        let summary = v["summary"].as_str().unwrap();
        assert!(summary.contains("then its first query FAILS"), "{name}: {summary}");
        // PgBouncer's words for a server side it cannot reach (which one depends on the
        // moment: waiting clients get query_wait_timeout, later ones the server_login_retry
        // refusal), in psql's output and in pgtls's evidence.
        let pooler_texts = ["query_wait_timeout", "server login has been failing", "pgbouncer cannot connect to server"];
        let pooler_said = first["evidence"]["message"].as_str().unwrap_or("");
        assert!(pooler_texts.iter().any(|t| pooler_said.contains(t)), "{name}: pgtls saw {pooler_said:?}");
        assert!(pooler_texts.iter().any(|t| said.contains(t)), "{name}: psql said {said}");
    }
    assert!(bouncer.log().contains("TLS handshake error"), "the pooler's log names its server-side TLS failure: {}", bouncer.log());
}

/// HAProxy (Debian's 2.6, TCP mode, round robin) over two PostgreSQL servers whose
/// certificates come from different CAs. A client trusting one CA fails on every other
/// connection: psql does, and pgtls's verdict says so ("FAILS on 1 of 3 connections",
/// `backends-differ` first) instead of flapping between "fails" and "no problems" from run to
/// run. A client trusting both CAs always connects; the difference is still worth a warning.
#[test]
fn load_balancer_over_differently_configured_servers() {
    if !installed_or_skip(Haproxy::binary(), "haproxy") {
        return;
    }
    let (pki_a, pki_b) = (Pki::new(), Pki::new());
    let (a, b) = (tls_server(&pki_a, &[]), tls_server(&pki_b, &[]));
    let lb = Haproxy::round_robin(&[a.port(), b.port()]).unwrap_or_else(|e| panic!("HAProxy did not start: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let only_a = dir.path().join("a.crt");
    std::fs::write(&only_a, &pki_a.root.cert_pem).unwrap();
    let both = dir.path().join("both.crt");
    std::fs::write(&both, format!("{}{}", pki_a.root.cert_pem, pki_b.root.cert_pem)).unwrap();
    let ci = |root: &std::path::Path| format!("host=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-ca sslrootcert={}", lb.port(), root.display());

    // psql, four tries through the balancer: some connect, some fail.
    let tries: Vec<bool> = (0..4).map(|_| psql_raw(&ci(&only_a)).expect("psql").0).collect();
    assert!(tries.contains(&true) && tries.contains(&false), "psql through round robin over two CAs: {tries:?}");
    // pgtls: the same answer on every run (here three in a row), never an all clear.
    for run in 0..3 {
        let (exit, v) = doctor(&ci(&only_a));
        assert_eq!(exit, 2, "run {run}: {v:#}");
        assert_eq!(v["findings"][0]["code"], "backends-differ", "run {run}: {v:#}");
        let share = &v["hosts"][0]["verdict"]["intermittent"];
        assert!(share["failed"].as_u64().unwrap() >= 1 && share["of"] == 3, "run {run}: {v:#}");
        // The chain shown is the one that failed: server B's, from the CA the client does not trust.
        let shown = v["hosts"][0]["chain"][0]["sha256"].as_str().unwrap_or_default().replace(':', "").to_uppercase();
        assert_eq!(shown, sha256_of(&pki_b.leaf.cert_pem), "run {run}: {v:#}");
        assert!(v["summary"].as_str().unwrap().contains("connections to"), "run {run}: {}", v["summary"]);
    }
    // Trusting both CAs: psql always connects; pgtls agrees, and warns that the servers differ.
    assert!((0..2).all(|_| psql_raw(&ci(&both)).expect("psql").0));
    let (exit, v) = doctor(&ci(&both));
    assert_eq!(v["outcome"]["connects"], true, "{v:#}");
    assert_eq!(exit, 1, "{v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "backends-differ").unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["severity"], "warning", "{v:#}");
    // One connection only (`--connections 1`): the old behaviour, a verdict about whichever
    // server answered — documented as such, and still never "connects" with a failing chain.
    let out = pgtls().args(["doctor", &ci(&only_a), "--connections", "1", "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["hosts"][0]["verdict"]["intermittent"].is_null(), "{v:#}");
}

/// stunnel (Debian's 5.68, `protocol = pgsql`) ends the client's TLS with its own certificate
/// and connects to PostgreSQL in plain text; pg_hba.conf has only hostssl lines. psql's TLS to
/// stunnel verifies, and PostgreSQL refuses the login "no encryption". pgtls must not tell the
/// user to enable TLS in the client (it was on): `tls-terminated-on-the-way` names the hop.
/// With a second stunnel service that speaks TLS to PostgreSQL (the fix), both connect.
#[test]
fn tls_terminated_on_the_way_names_the_hop() {
    if !installed_or_skip(Stunnel::binary(), "stunnel4") {
        return;
    }
    let (backend, front) = (Pki::new(), Pki::new());
    let mut o = pgtls_lab::ServerOptions::with_tls(backend.tls());
    o.hba = vec!["hostssl all all 127.0.0.1/32 trust".into()];
    let server = pgtls_lab::Server::start(o).unwrap();
    let (plain_hop, tls_leg, fixed_hop) = (Stunnel::port().unwrap(), Stunnel::port().unwrap(), Stunnel::port().unwrap());
    let chain = format!("{}{}", front.leaf.cert_pem, front.inter.cert_pem);
    let _hops = Stunnel::start(&[
        // The broken topology: TLS ends at stunnel, plain text on to PostgreSQL.
        StunnelService::Terminate { listen: plain_hop, to: server.port(), cert_pem: &chain, key_pem: &front.leaf.key_pem },
        // The fix: the same front, then a client-mode service speaking TLS to PostgreSQL.
        StunnelService::Originate { listen: tls_leg, to: server.port(), ca_pem: &backend.root.cert_pem, host: "localhost" },
        StunnelService::Terminate { listen: fixed_hop, to: tls_leg, cert_pem: &chain, key_pem: &front.leaf.key_pem },
    ])
    .unwrap_or_else(|e| panic!("stunnel did not start: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("front-root.crt");
    std::fs::write(&root, &front.root.cert_pem).unwrap();
    let ci = |port: u16| format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", root.display());

    let (ok, said) = psql_raw(&ci(plain_hop)).expect("psql");
    assert!(!ok && said.contains("no encryption"), "psql through a TLS-terminating stunnel: {said}");
    let (exit, v) = doctor(&ci(plain_hop));
    assert_eq!(exit, 2, "{v:#}");
    assert_eq!(v["findings"][0]["code"], "tls-terminated-on-the-way", "{v:#}");
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "ssl-required-by-server"), "no 'enable TLS in the client': {v:#}");

    let (ok, said) = psql_raw(&ci(fixed_hop)).expect("psql");
    assert!(ok, "psql through stunnel with TLS on both legs: {said}");
    let (_, v) = doctor(&ci(fixed_hop));
    assert_eq!(v["outcome"]["connects"], true, "{v:#}");
}

/// `pgtls server --pgbouncer-conf`: the audit of a pgbouncer.ini agrees with what a real
/// PgBouncer 1.18 does with the same settings — client TLS without its files does not start;
/// verify-full towards PostgreSQL without server_tls_ca_file starts but cannot reach a server
/// with a private CA (psql's first query fails); both legs configured: no finding, and psql
/// connects with verify-full through it.
#[test]
fn pgbouncer_conf_audit_agrees_with_pgbouncer() {
    if !installed_or_skip(Pgbouncer::binary(), "pgbouncer") {
        return;
    }
    let (backend, front) = (Pki::new(), Pki::new());
    let server = tls_server(&backend, &[]);
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("backend-root.crt", backend.root.cert_pem.clone()),
        ("front.crt", format!("{}{}", front.leaf.cert_pem, front.inter.cert_pem)),
        ("front.key", front.leaf.key_pem.clone()),
    ];
    for (name, pem) in &files {
        std::fs::write(dir.path().join(name), pem).unwrap();
    }
    // The audit reads a pgbouncer.ini like the one the lab writes, with `{dir}` resolved.
    let audit = |settings: &[(&str, &str)]| -> (i32, Value) {
        let mut ini = "[databases]\n* = host=localhost\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nauth_type = trust\n".to_string();
        for (k, v) in settings {
            ini.push_str(&format!("{k} = {}\n", v.replace("{dir}", &dir.path().display().to_string())));
        }
        let path = dir.path().join("pgbouncer.ini");
        std::fs::write(&path, ini).unwrap();
        let out = pgtls().args(["server", "--pgbouncer-conf"]).arg(&path).args(["--format", "json"]).output().unwrap();
        (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr))))
    };
    let codes = |v: &Value| -> Vec<(String, String)> {
        v["findings"].as_array().unwrap().iter().map(|f| (f["code"].as_str().unwrap().to_string(), f["severity"].as_str().unwrap().to_string())).collect()
    };
    let lab_files: Vec<(&str, &str)> = files.iter().map(|(n, p)| (*n, p.as_str())).collect();
    let root = dir.path().join("front-root.crt");
    std::fs::write(&root, &front.root.cert_pem).unwrap();

    // 1. Client TLS on, its certificate and key not set.
    let s1 = [("client_tls_sslmode", "require"), ("server_tls_sslmode", "verify-full"), ("server_tls_ca_file", "{dir}/backend-root.crt")];
    let (exit, v) = audit(&s1);
    assert_eq!((exit, codes(&v)), (2, vec![("pooler-client-tls".into(), "error".into())]), "{v:#}");
    let refused = Pgbouncer::start(server.port(), &s1, &lab_files).err().expect("PgBouncer 1.18 does not start without client_tls_* files").to_string();
    assert!(refused.contains("client_tls_key_file and client_tls_cert_file must be set"), "{refused}");

    // 2. verify-full towards PostgreSQL without server_tls_ca_file.
    let s2 = [("server_tls_sslmode", "verify-full"), ("client_tls_sslmode", "require"), ("client_tls_cert_file", "{dir}/front.crt"), ("client_tls_key_file", "{dir}/front.key"), ("query_wait_timeout", "2")];
    let (exit, v) = audit(&s2);
    assert_eq!((exit, codes(&v)), (1, vec![("pooler-server-tls".into(), "warning".into())]), "{v:#}");
    let bouncer = Pgbouncer::start(server.port(), &s2, &lab_files).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", bouncer.port(), root.display());
    let (ok, said) = psql_raw(&ci).expect("psql");
    assert!(!ok, "psql through a pooler that cannot verify its server: {said}");
    drop(bouncer);

    // 3. Both legs configured: no finding; psql verify-full through it connects.
    let s3 = [("server_tls_sslmode", "verify-full"), ("server_tls_ca_file", "{dir}/backend-root.crt"), ("client_tls_sslmode", "require"), ("client_tls_cert_file", "{dir}/front.crt"), ("client_tls_key_file", "{dir}/front.key")];
    let (exit, v) = audit(&s3);
    assert_eq!((exit, codes(&v)), (0, vec![]), "{v:#}");
    let bouncer = Pgbouncer::start(server.port(), &s3, &lab_files).unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", bouncer.port(), root.display());
    let (ok, said) = psql_raw(&ci).expect("psql");
    assert!(ok, "psql through a pooler with both legs verified: {said}\n{}", bouncer.log());
}

/// One topology's cell: how psql and pgtls fare through the hop.
struct Cell {
    name: &'static str,
    conninfo: String,
    /// The finding pgtls must put first (None: connects with no error).
    first: Option<&'static str>,
    /// Words the first finding's detail or fix must hold (the hop named, its own settings).
    says: &'static [&'static str],
}

/// A newer libpq (psycopg's bundled one): connect, run the first query, say OK or the error.
const NEWER_LIBPQ: &str = r#"
import sys, psycopg
try:
    c = psycopg.connect(sys.argv[1], connect_timeout=10)
    c.execute("select 1")
    c.close()
    print("OK")
except Exception as e:
    print("ERR")
    print(str(e), end="")
"#;

/// Every cell: pgtls's connects/fails verdict equals psql's, never exit 0 when psql fails, and
/// the first finding names the hop and the cause in the hop's terms; and, where psycopg's
/// newer libpq is installed, `doctor --libpq N` agrees with it too.
fn judge(cells: &[Cell]) {
    let newer = crate::newer_libpq::psycopg().filter(|(_, major)| *major >= 16);
    assert!(newer.is_some() || std::env::var_os("PGTLS_REQUIRE_CLIENTS").is_none(), "no newer libpq (psycopg) to compare the hop cells with");
    for c in cells {
        if let Some((py, major)) = &newer {
            let out = std::process::Command::new(py).args(["-c", NEWER_LIBPQ, &c.conninfo]).env_remove("PGSSLMODE").output().unwrap();
            let theirs = String::from_utf8_lossy(&out.stdout).to_string();
            let out = pgtls().args(["doctor", "--format", "json", "--libpq", &major.to_string(), &c.conninfo]).output().unwrap();
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            let ok = theirs.starts_with("OK");
            assert_eq!(v["outcome"]["connects"], ok, "{} with libpq {major}: psycopg said {theirs}\n{v:#}", c.name);
            assert!(ok || out.status.code() == Some(2), "{} with libpq {major}: exit {:?}", c.name, out.status.code());
        }
        let (ok, said) = psql_raw(&c.conninfo).expect("psql");
        let (exit, v) = doctor(&c.conninfo);
        let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(v["outcome"]["connects"], ok, "{}: psql {} ({said}); pgtls {codes:?}\n{v:#}", c.name, if ok { "connects" } else { "fails" });
        if !ok {
            assert_eq!(exit, 2, "{}: psql fails ({said}), pgtls exit {exit}", c.name);
        }
        match c.first {
            Some(code) => {
                let f = &v["findings"][0];
                assert_eq!(f["code"], code, "{}: psql said {said}\n{v:#}", c.name);
                let text = format!("{} {}", f["detail"].as_str().unwrap(), f["fix"].as_str().unwrap());
                for w in c.says {
                    assert!(text.contains(w), "{}: {w:?} not in the first finding: {text}", c.name);
                }
            }
            None => assert!(
                !v["findings"].as_array().unwrap().iter().any(|f| f["severity"] == "error"),
                "{}: psql connects, pgtls has errors: {codes:?}",
                c.name
            ),
        }
    }
}

/// HAProxy 2.6 and socat in front of a real PostgreSQL 15, judged beside psql 15: TCP
/// pass-through and a port forward change nothing; a TLS-terminating bind (with and without
/// ALPN `postgresql`), an SNI router and a PROXY v2 header towards a server that reads none all
/// make PostgreSQL's SSLRequest go unanswered — the hop is named, never "closed in the middle
/// of the TLS handshake" (TLS never started).
#[test]
fn proxies_in_front_of_postgresql() {
    if !installed_or_skip(Haproxy::binary(), "haproxy") || !installed_or_skip(pgtls_lab::Socat::binary(), "socat") {
        return;
    }
    let (pki, front) = (Pki::new(), Pki::new());
    let server = tls_server(&pki, &[]);
    let s = server.port();
    let pem = format!("{}{}{}", front.leaf.cert_pem, front.inter.cert_pem, front.leaf.key_pem);
    let files = [("front.pem", pem.as_str())];
    let hop = |bind: &str, backend: &str| {
        Haproxy::start(&format!("frontend f\n  bind 127.0.0.1:{{port}}{bind}\n  default_backend b\nbackend b\n  server s0 127.0.0.1:{s}{backend}\n"), &files)
            .unwrap_or_else(|e| panic!("HAProxy did not start: {e}"))
    };
    let passthrough = hop("", "");
    let terminate = hop(" ssl crt {dir}/front.pem", "");
    let terminate_alpn = hop(" ssl crt {dir}/front.pem alpn postgresql", "");
    let proxy_v2 = hop("", " send-proxy-v2");
    let sni = Haproxy::start(
        &format!(
            "frontend f\n  bind 127.0.0.1:{{port}}\n  tcp-request inspect-delay 2s\n  tcp-request content accept if {{ req.ssl_hello_type 1 }}\n  \
             use_backend b if {{ req.ssl_sni -i db.example.test }}\nbackend b\n  server s0 127.0.0.1:{s}\n"
        ),
        &[],
    )
    .unwrap();
    let forward = pgtls_lab::Socat::forward(s).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let ci = |port: u16| format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={} connect_timeout=10", root.display());
    let unanswered: &[&str] = &["closed it at PostgreSQL's SSLRequest", "send-proxy"];
    judge(&[
        Cell { name: "HAProxy mode tcp pass-through", conninfo: ci(passthrough.port()), first: None, says: &[] },
        Cell { name: "socat port forward", conninfo: ci(forward.port()), first: None, says: &[] },
        Cell {
            name: "HAProxy bind … ssl crt (no ALPN)",
            conninfo: ci(terminate.port()),
            first: Some("proxy-mishandles-sslrequest"),
            says: &["TLS terminator", "selects no ALPN", "mode tcp"],
        },
        Cell {
            name: "HAProxy bind … ssl crt … alpn postgresql",
            conninfo: ci(terminate_alpn.port()),
            first: Some("proxy-mishandles-sslrequest"),
            says: &["TLS terminator", "selects ALPN \"postgresql\"", "sslnegotiation=direct"],
        },
        Cell { name: "HAProxy SNI router, no route for this name", conninfo: ci(sni.port()), first: Some("proxy-mishandles-sslrequest"), says: unanswered },
        Cell { name: "HAProxy send-proxy-v2 to PostgreSQL", conninfo: ci(proxy_v2.port()), first: Some("proxy-mishandles-sslrequest"), says: unanswered },
    ]);
    // libpq 17+ with sslnegotiation=direct (a real libpq 18, psycopg's): through the terminator
    // without ALPN it refuses the session; with `alpn postgresql` it connects — and the server
    // behind sees that session arrive without TLS, which pgtls says.
    match crate::newer_libpq::psycopg() {
        Some((py, major)) if major >= 17 => {
            let front_root = dir.path().join("front-root.crt");
            std::fs::write(&front_root, &front.root.cert_pem).unwrap();
            for (port, alpn) in [(terminate.port(), false), (terminate_alpn.port(), true)] {
                let ci = format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-full sslrootcert={} sslnegotiation=direct", front_root.display());
                let theirs = crate::newer_libpq::connect(&py, &ci);
                let out = pgtls().args(["doctor", "--format", "json", "--libpq", &major.to_string(), &ci]).output().unwrap();
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(v["outcome"]["connects"], theirs.is_none(), "libpq {major} direct, alpn {alpn}: psycopg {theirs:?}\n{v:#}");
                assert_eq!(theirs.is_none(), alpn, "libpq {major} direct, alpn {alpn}: {theirs:?}");
                let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
                if alpn {
                    assert!(codes.contains(&"tls-terminated-on-the-way"), "{codes:?}");
                } else {
                    assert_eq!(codes.first(), Some(&"alpn-rejected"), "psycopg: {theirs:?}\n{v:#}");
                }
            }
        }
        _ => assert!(std::env::var_os("PGTLS_REQUIRE_CLIENTS").is_none(), "no libpq 17+ (psycopg) to compare direct TLS through the terminators"),
    }
    // Through the pass-through, the server behind says it listens on its own port: the steps
    // name it (a forward or proxy is in between), and its side of the session is TLS.
    let out = pgtls().args(["doctor", &ci(passthrough.port())]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("the server says: port {s}, ssl = on, its side of this session over TLS")), "{text}");
}

/// PgBouncer 1.18 and Pgpool-II 4.3 in front of a real PostgreSQL 15 (ssl = on), judged beside
/// psql 15: a pooler without TLS towards clients is named as the hop to fix (pgbouncer.ini,
/// pgpool.conf), not postgresql.conf, because the server behind it says ssl = on; a pooler
/// presenting its own certificate is judged on that certificate; a pooler that ends TLS and
/// connects on in plain text is said to do so.
#[test]
fn poolers_in_front_of_postgresql() {
    if !installed_or_skip(Pgbouncer::binary(), "pgbouncer") || !installed_or_skip(pgtls_lab::Pgpool::binary(), "pgpool2") {
        return;
    }
    let (pki, front) = (Pki::new(), Pki::new());
    let server = tls_server(&pki, &[]);
    let s = server.port();
    let chain = format!("{}{}", front.leaf.cert_pem, front.inter.cert_pem);
    let files = [("front.crt", chain.as_str()), ("front.key", front.leaf.key_pem.as_str())];
    let plain_bouncer = Pgbouncer::start(s, &[], &[]).unwrap();
    let tls_bouncer = Pgbouncer::start(
        s,
        &[("client_tls_sslmode", "require"), ("client_tls_cert_file", "{dir}/front.crt"), ("client_tls_key_file", "{dir}/front.key"), ("server_tls_sslmode", "disable")],
        &files,
    )
    .unwrap();
    // Client certificates at the pooler: verify-full towards clients, certificates from the
    // server's CA (`client_tls_ca_file`); with `auth_type = cert` the CN must be the user.
    let verifying_bouncer = |auth: &[(&'static str, &'static str)]| {
        let mut settings = auth.to_vec();
        settings.extend([
            ("client_tls_sslmode", "verify-full"),
            ("client_tls_cert_file", "{dir}/front.crt"),
            ("client_tls_key_file", "{dir}/front.key"),
            ("client_tls_ca_file", "{dir}/client-ca.crt"),
        ]);
        Pgbouncer::start(s, &settings, &[files[0], files[1], ("client-ca.crt", pki.root.cert_pem.as_str())]).unwrap()
    };
    let cert_bouncer = verifying_bouncer(&[]);
    let cert_auth = verifying_bouncer(&[("auth_type", "cert")]);
    // The pooler's own leg to PostgreSQL failing: verify-full towards a server whose
    // certificate does not name the host the pooler uses, and a PostgreSQL with ssl = off
    // towards a pooler that requires TLS.
    let misnamed_pki = Pki::new();
    let misnamed_leaf = misnamed_pki.inter.leaf("db.elsewhere.test", &["db.elsewhere.test"]).unwrap();
    let misnamed = pgtls_lab::Server::start(ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}", misnamed_leaf.cert_pem, misnamed_pki.inter.cert_pem),
        key_pem: misnamed_leaf.key_pem.clone(),
        ca_pem: None,
    }))
    .unwrap();
    let name_check = Pgbouncer::start(
        misnamed.port(),
        &[("server_tls_sslmode", "verify-full"), ("server_tls_ca_file", "{dir}/backend-root.crt"), ("query_wait_timeout", "2"), ("server_login_retry", "1")],
        &[("backend-root.crt", misnamed_pki.root.cert_pem.as_str())],
    )
    .unwrap();
    let no_tls_server = pgtls_lab::Server::start(ServerOptions::default()).unwrap();
    let tls_required = Pgbouncer::start(no_tls_server.port(), &[("server_tls_sslmode", "require"), ("query_wait_timeout", "2"), ("server_login_retry", "1")], &[]).unwrap();
    let plain_pool = pgtls_lab::Pgpool::start(s, &[("ssl", "off")], &[]).unwrap_or_else(|e| panic!("Pgpool-II did not start: {e}"));
    let tls_pool = pgtls_lab::Pgpool::start(s, &[("ssl", "on"), ("ssl_cert", "'{dir}/front.crt'"), ("ssl_key", "'{dir}/front.key'")], &files)
        .unwrap_or_else(|e| panic!("Pgpool-II did not start: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let (root, front_root) = (dir.path().join("root.crt"), dir.path().join("front-root.crt"));
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    std::fs::write(&front_root, &front.root.cert_pem).unwrap();
    let (app_crt, app_key) = write_client_cert(dir.path(), &pki.root, "postgres", "app");
    let (other_crt, other_key) = write_client_cert(dir.path(), &pki.root, "app", "other");
    let ci = |port: u16, rest: &str| format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres {rest}");
    let verify = |r: &std::path::Path| format!("sslmode=verify-full sslrootcert={}", r.display());
    judge(&[
        Cell {
            name: "PgBouncer without client TLS, sslmode=require",
            conninfo: ci(plain_bouncer.port(), "sslmode=require"),
            first: Some("server-ssl-off"),
            says: &["pooler or proxy", "client_tls_sslmode", "pgpool.conf"],
        },
        Cell {
            name: "PgBouncer without client TLS, sslmode=prefer",
            conninfo: ci(plain_bouncer.port(), "sslmode=prefer"),
            first: Some("server-ssl-off"),
            says: &["has ssl = on", "not in postgresql.conf", "client_tls_cert_file"],
        },
        Cell {
            name: "PgBouncer with its own CA, client trusts the server's CA",
            conninfo: ci(tls_bouncer.port(), &verify(&root)),
            first: Some("server-cert-untrusted"),
            says: &[],
        },
        Cell { name: "PgBouncer with its own CA, verified", conninfo: ci(tls_bouncer.port(), &verify(&front_root)), first: None, says: &[] },
        Cell {
            name: "PgBouncer client_tls_sslmode = verify-full, no client certificate",
            conninfo: ci(cert_bouncer.port(), &format!("{} sslcert=/nonexistent/none.crt", verify(&front_root))),
            first: Some("client-cert-required"),
            says: &[],
        },
        Cell {
            name: "PgBouncer client_tls_sslmode = verify-full, a certificate from its CA",
            conninfo: ci(cert_bouncer.port(), &format!("{} sslcert={} sslkey={}", verify(&front_root), app_crt.display(), app_key.display())),
            first: None,
            says: &[],
        },
        Cell {
            name: "PgBouncer auth_type = cert, certificate CN=app for user postgres",
            conninfo: ci(cert_auth.port(), &format!("{} sslcert={} sslkey={}", verify(&front_root), other_crt.display(), other_key.display())),
            first: Some("client-cert-user-mismatch"),
            says: &["app"],
        },
        Cell {
            name: "PgBouncer auth_type = cert, certificate CN=postgres",
            conninfo: ci(cert_auth.port(), &format!("{} sslcert={} sslkey={}", verify(&front_root), app_crt.display(), app_key.display())),
            first: None,
            says: &[],
        },
        Cell {
            name: "PgBouncer server_tls_sslmode = verify-full, server certificate for another name",
            conninfo: ci(name_check.port(), "sslmode=prefer"),
            first: Some("pooler-server-unreachable"),
            says: &["server_tls"],
        },
        Cell {
            name: "PgBouncer server_tls_sslmode = require, PostgreSQL ssl = off",
            conninfo: ci(tls_required.port(), "sslmode=prefer"),
            first: Some("pooler-server-unreachable"),
            says: &["server_tls"],
        },
        Cell {
            name: "Pgpool-II ssl = off, sslmode=require",
            conninfo: ci(plain_pool.port(), "sslmode=require"),
            first: Some("server-ssl-off"),
            says: &["ssl = on, ssl_cert and ssl_key in pgpool.conf"],
        },
        Cell {
            name: "Pgpool-II ssl = off, sslmode=prefer",
            conninfo: ci(plain_pool.port(), "sslmode=prefer"),
            first: Some("server-ssl-off"),
            says: &["has ssl = on", "Enable TLS on the hop"],
        },
        Cell {
            name: "Pgpool-II with its own CA, client trusts the server's CA",
            conninfo: ci(tls_pool.port(), &verify(&root)),
            first: Some("server-cert-untrusted"),
            says: &[],
        },
        Cell { name: "Pgpool-II with its own CA, verified", conninfo: ci(tls_pool.port(), &verify(&front_root)), first: None, says: &[] },
    ]);
    // The hop in JSON: the server behind PgBouncer listens on its own port and has TLS on.
    let (_, v) = doctor(&ci(plain_bouncer.port(), "sslmode=prefer"));
    let behind = &v["hosts"][0]["behind"];
    assert_eq!((behind["port"].as_u64(), &behind["ssl"]), (Some(s as u64), &Value::Bool(true)), "{v:#}");
    // PgBouncer ends the client's TLS and connects on in plain text (server_tls_sslmode =
    // disable): psql connects; pgtls says where TLS ends, as information (the plain leg stays
    // on the server's host here).
    let (_, v) = doctor(&ci(tls_bouncer.port(), &verify(&front_root)));
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["code"] == "tls-terminated-on-the-way").unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["severity"], "info", "{v:#}");
    assert!(f["fix"].as_str().unwrap().contains("server_tls_sslmode"), "{f:#}");
    // Pgpool-II with ssl = on also speaks TLS to PostgreSQL: nothing to say.
    let (_, v) = doctor(&ci(tls_pool.port(), &verify(&front_root)));
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "tls-terminated-on-the-way"), "{v:#}\n{}", tls_pool.log());
}
