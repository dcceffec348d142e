//! `pgtls sessions` against a lab server with a mix of TLS and non-TLS psql sessions.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pgtls::sessions::{gather, SessionTarget, SslMode};

use crate::support::*;

struct Sessions(Vec<Child>);

impl Drop for Sessions {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn open(port: u16, sslmode: &str, n: usize, app: &str, into: &mut Sessions) {
    let psql = pgtls_lab::psql_binary().expect("psql installed");
    for _ in 0..n {
        let ci = format!("host=127.0.0.1 port={port} user=postgres dbname=postgres sslmode={sslmode} application_name={app}");
        let child = Command::new(&psql)
            .args(["-X", "-q", "-c", "select pg_sleep(60)", &ci])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        into.0.push(child);
    }
}

fn target(port: u16, sslmode: SslMode) -> SessionTarget {
    SessionTarget {
        host: "127.0.0.1".into(),
        hostaddr: None,
        port,
        user: "postgres".into(),
        dbname: "postgres".into(),
        password: None,
        sslmode,
        sslrootcert: None,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn counts_tls_and_plain_sessions_exactly() {
    let pki = Pki::new();
    let server = tls_server(&pki, &[]);
    let mut s = Sessions(vec![]);
    open(server.port(), "disable", 2, "plainapp", &mut s);
    open(server.port(), "require", 3, "tlsapp", &mut s);

    let deadline = Instant::now() + Duration::from_secs(20);
    let facts = loop {
        let f = gather(&target(server.port(), SslMode::Require)).unwrap();
        let n: i64 = f.groups.iter().filter(|g| g.backend_type.as_deref() == Some("client backend")).map(|g| g.count).sum();
        if n >= 5 || Instant::now() > deadline {
            break f;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(facts.own_connection_ssl);
    let plain: Vec<_> = facts.groups.iter().filter(|g| g.application_name.as_deref() == Some("plainapp")).collect();
    let tls: Vec<_> = facts.groups.iter().filter(|g| g.application_name.as_deref() == Some("tlsapp")).collect();
    assert_eq!(plain.len(), 1, "{:#?}", facts.groups);
    assert_eq!(plain[0].count, 2);
    assert!(!plain[0].ssl);
    assert_eq!(plain[0].client_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(tls.len(), 1, "{:#?}", facts.groups);
    assert_eq!(tls[0].count, 3);
    assert!(tls[0].ssl);
    assert_eq!(tls[0].version.as_deref(), Some("TLSv1.3"));
    assert_eq!(facts.settings.get("ssl").map(String::as_str), Some("on"));
    assert_eq!(facts.ssl_is_used, None, "sslinfo is not installed and must not be created");
    assert!(facts.hba_rules.as_ref().is_some_and(|r| !r.is_empty()));

    // The command reports the same counts, read-only, without a password prompt (stdin is not a tty).
    let out = crate::support::pgtls()
        .args(["sessions", "--format", "json"])
        .arg(format!("host=127.0.0.1 port={} user=postgres dbname=postgres sslmode=require", server.port()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let count = |app: &str| -> i64 {
        v["groups"].as_array().unwrap().iter().filter(|g| g["application_name"] == app).map(|g| g["count"].as_i64().unwrap()).sum()
    };
    assert_eq!(count("plainapp"), 2);
    assert_eq!(count("tlsapp"), 3);
    assert_eq!(v["own_connection_ssl"], true);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "ssl-not-used"));

    let found = pgtls::checks::run(&pgtls::facts::Facts { sessions: Some(facts.clone()), ..Default::default() }, &pgtls::checks::Context::at(time::OffsetDateTime::now_utc()));
    let not_used: Vec<_> = found.iter().filter(|f| f.code == "ssl-not-used").collect();
    assert_eq!(not_used.len(), 1);
    assert_eq!(not_used[0].evidence["count"], "2");
}

#[test]
fn sslmode_require_refuses_a_server_without_tls() {
    let server = pgtls_lab::Server::start(Default::default()).unwrap();
    let err = gather(&target(server.port(), SslMode::Require)).unwrap_err();
    assert!(err.to_string().contains("could not connect"), "{err}");
    // With sslmode=disable the same server answers, and the setting says why.
    let f = gather(&target(server.port(), SslMode::Disable)).unwrap();
    assert!(!f.own_connection_ssl);
    assert_eq!(f.settings["ssl"], "off");
}

/// With sslinfo installed (by the DBA, never by pgtls), `ssl_is_used()` is reported.
#[test]
fn ssl_is_used_when_sslinfo_is_installed() {
    let pki = Pki::new();
    let mut o = pgtls_lab::ServerOptions::with_tls(pki.tls());
    o.init_sql.push("CREATE EXTENSION sslinfo".into());
    let server = pgtls_lab::Server::start(o).unwrap();
    let f = gather(&target(server.port(), SslMode::Require)).unwrap();
    assert!(f.sslinfo_installed);
    assert_eq!(f.ssl_is_used, Some(true));
    let f = gather(&target(server.port(), SslMode::Disable)).unwrap();
    assert_eq!(f.ssl_is_used, Some(false));
    // pgtls changed nothing: the extension list is as the DBA left it.
    let ext = server.admin_sql("select string_agg(extname, ',' order by extname) from pg_extension").unwrap();
    assert_eq!(ext.trim(), "plpgsql,sslinfo");
}
