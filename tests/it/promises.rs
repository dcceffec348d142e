//! pgtls's promises, proven end to end:
//! - no password and no private-key material in any output (human, JSON, other languages,
//!   errors), whatever the command and however the secret was given;
//! - audits leave every file they read unchanged: contents, permissions and times (mtime,
//!   ctime and even atime).
//!
//! The wire-level promise, no password before TLS, is `wire.rs`.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use pgtls_lab::{Server, ServerOptions};

use crate::support::*;

const PASSWORD: &str = "Canary-Pw-3f9a1c";
const KEY_PASSPHRASE: &str = "Canary-Keypass-77d0";

fn write(dir: &Path, name: &str, text: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// The base64 lines of a PEM private key: any of them in an output is key material.
fn key_lines(pem: &str) -> Vec<String> {
    pem.lines().filter(|l| !l.starts_with("-----") && l.len() >= 16).map(str::to_string).collect()
}

struct Lab {
    _server: Server,
    dir: tempfile::TempDir,
    port: u16,
    key_pem: String,
    enc_key_pem: String,
    server_key_pem: String,
}

fn lab() -> Lab {
    let pki = Pki::new();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.init_sql.push(format!("CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'"));
    o.hba = vec!["hostssl all app 127.0.0.1/32 scram-sha-256".into(), "hostssl all all 127.0.0.1/32 cert".into()];
    let server = Server::start(o).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "root.crt", &pki.root.cert_pem, 0o644);
    let client = pki.root.client("app").unwrap();
    write(d, "client.crt", &client.cert_pem, 0o644);
    write(d, "client.key", &client.key_pem, 0o600);
    // The same key encrypted with the canary passphrase (PKCS#8, as libpq reads it).
    let enc = std::process::Command::new("openssl")
        .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", &format!("pass:{KEY_PASSPHRASE}"), "-in"])
        .arg(d.join("client.key"))
        .output()
        .unwrap();
    assert!(enc.status.success());
    let enc_key_pem = String::from_utf8(enc.stdout).unwrap();
    write(d, "client-enc.key", &enc_key_pem, 0o600);
    write(d, ".pgpass", &format!("127.0.0.1:{}:*:app:{PASSWORD}\nlocalhost:*:*:app:{PASSWORD}\n", server.port()), 0o600);
    write(d, "pg_service.conf", &format!("[canary]\nhost=localhost\nhostaddr=127.0.0.1\nport={}\nuser=app\npassword={PASSWORD}\nsslmode=require\n", server.port()), 0o644);
    let port = server.port();
    Lab { dir, port, key_pem: client.key_pem.clone(), enc_key_pem, server_key_pem: pki.leaf.key_pem.clone(), _server: server }
}

/// Run pgtls with HOME and the service file in the lab directory; stdout + stderr.
fn output(lab: &Lab, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = pgtls();
    c.args(["--timeout", "3"]).args(args).env("HOME", lab.dir.path()).env("PGSERVICEFILE", lab.dir.path().join("pg_service.conf")).env("PGPASSFILE", lab.dir.path().join(".pgpass"));
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn no_secret_in_any_output() {
    let lab = lab();
    let d = lab.dir.path().display().to_string();
    let p = lab.port;
    let base = format!("host=localhost hostaddr=127.0.0.1 port={p} user=app dbname=postgres");
    let targets = [
        // The password in the connection string, right and wrong.
        format!("{base} sslmode=require password={PASSWORD}"),
        format!("{base} sslmode=verify-full sslrootcert={d}/root.crt password={PASSWORD}x"),
        // In a URI.
        format!("postgresql://app:{PASSWORD}@localhost:{p}/postgres?hostaddr=127.0.0.1&sslmode=require"),
        // From .pgpass and the service file.
        format!("{base} sslmode=require"),
        "service=canary".to_string(),
        // A client certificate with a plain key, and with the encrypted key and its passphrase
        // (right, wrong, missing).
        format!("host=localhost hostaddr=127.0.0.1 port={p} user=certuser dbname=postgres sslmode=verify-ca sslrootcert={d}/root.crt sslcert={d}/client.crt sslkey={d}/client.key"),
        format!("{base} sslmode=require sslcert={d}/client.crt sslkey={d}/client-enc.key sslpassword={KEY_PASSPHRASE}"),
        format!("{base} sslmode=require sslcert={d}/client.crt sslkey={d}/client-enc.key sslpassword={KEY_PASSPHRASE}x"),
        format!("{base} sslmode=require sslcert={d}/client.crt sslkey={d}/client-enc.key"),
        // Broken syntax around a password: errors quote the input.
        format!("{base} password='{PASSWORD} sslmode=require"),
        format!("postgresql://app:{PASSWORD}@[::1/postgres"),
        format!("{base} password={PASSWORD} sslmode=nonsense"),
    ];
    let mut forbidden: Vec<String> = vec![PASSWORD.into(), KEY_PASSPHRASE.into(), "PRIVATE KEY".into()];
    forbidden.extend(key_lines(&lab.key_pem));
    forbidden.extend(key_lines(&lab.enc_key_pem));
    forbidden.extend(key_lines(&lab.server_key_pem));
    let mut runs = 0;
    let mut check = |what: String, out: String| {
        runs += 1;
        for f in &forbidden {
            assert!(!out.contains(f.as_str()), "{what}: output contains {f:?}:\n{out}");
        }
    };
    for t in &targets {
        for cmd in ["doctor", "probe", "verify", "client", "protocols", "sessions"] {
            for fmt in ["human", "json"] {
                let args = vec![cmd, "--format", fmt, "-v", t.as_str()];
                check(format!("{args:?}"), output(&lab, &args, &[]));
            }
        }
        check(format!("doctor --lang ja {t}"), output(&lab, &["doctor", "--lang", "ja", "-v", t], &[]));
        let list = write(lab.dir.path(), "fleet.txt", &format!("{t}\n"), 0o644);
        check(format!("fleet {t}"), output(&lab, &["fleet", "--format", "json", list.to_str().unwrap()], &[]));
    }
    // The password from the environment.
    for cmd in ["doctor", "client", "sessions"] {
        check(format!("{cmd} PGPASSWORD"), output(&lab, &[cmd, "--format", "json", "-v", &base], &[("PGPASSWORD", PASSWORD), ("PGSSLMODE", "require")]));
    }
    // JDBC URLs and kong.conf with secrets.
    let jdbc = format!("jdbc:postgresql://localhost:{p}/postgres?user=app&password={PASSWORD}&sslmode=require&sslpassword={KEY_PASSPHRASE}");
    check("client --jdbc".into(), output(&lab, &["client", "--format", "json", "-v", "--jdbc", &jdbc], &[]));
    check("client --jdbc broken".into(), output(&lab, &["client", "--jdbc", &format!("jdbc:postgresql://[::1/db?password={PASSWORD}")], &[]));
    let kong = write(lab.dir.path(), "kong.conf", &format!("pg_host = localhost\npg_port = {p}\npg_password = {PASSWORD}\npg_ssl = on\npg_ssl_verify = on\nlua_ssl_trusted_certificate = {d}/root.crt\n"), 0o644);
    check("client --kong-conf".into(), output(&lab, &["client", "--format", "json", "-v", "--kong-conf", kong.to_str().unwrap()], &[]));
    // Trust audits of the key files themselves, and a server audit of a data directory.
    for f in ["client.key", "client-enc.key"] {
        check(format!("trust audit {f}"), output(&lab, &["trust", "audit", "-v", &format!("{d}/{f}")], &[]));
    }
    assert!(runs > 150, "{runs}");
}

/// Contents, permissions and times of a file.
#[derive(Debug, PartialEq, Eq)]
struct State {
    bytes: Vec<u8>,
    mode: u32,
    mtime: (i64, i64),
    ctime: (i64, i64),
    atime: (i64, i64),
}

fn state(p: &Path) -> State {
    let m = std::fs::metadata(p).unwrap();
    State { bytes: std::fs::read(p).unwrap(), mode: m.mode(), mtime: (m.mtime(), m.mtime_nsec()), ctime: (m.ctime(), m.ctime_nsec()), atime: (m.atime(), m.atime_nsec()) }
}

/// Reading a file with std::fs::read for `state` itself would update its atime: so the state
/// is read through O_NOATIME like pgtls does, and the test runs as the files' owner.
fn snapshot(files: &[PathBuf]) -> BTreeMap<PathBuf, State> {
    files.iter().map(|p| (p.clone(), state_noatime(p))).collect()
}

fn state_noatime(p: &Path) -> State {
    let m = std::fs::metadata(p).unwrap();
    let bytes = pgtls::files::read(p).unwrap();
    State { bytes, mode: m.mode(), mtime: (m.mtime(), m.mtime_nsec()), ctime: (m.ctime(), m.ctime_nsec()), atime: (m.atime(), m.atime_nsec()) }
}

#[test]
fn audits_leave_what_they_read_unchanged() {
    let lab = lab();
    let d = lab.dir.path();
    let ds = d.display().to_string();
    // A server's files: postgresql.conf with an include, pg_hba.conf, pg_ident.conf, key and
    // certificate, a CRL; a log (plain and gzip); inputs for explain and fleet.
    let pki = Pki::new();
    write(d, "server.crt", &format!("{}{}", pki.leaf.cert_pem, pki.inter.cert_pem), 0o644);
    write(d, "server.key", &pki.leaf.key_pem, 0o600);
    write(d, "ca.crt", &pki.root.cert_pem, 0o644);
    write(d, "root.crl", &pki.root.crl(&[]).unwrap(), 0o644);
    write(d, "extra.conf", "ssl_min_protocol_version = 'TLSv1.2'\n", 0o644);
    write(d, "postgresql.conf", &format!("ssl = on\nssl_cert_file = '{ds}/server.crt'\nssl_key_file = '{ds}/server.key'\nssl_ca_file = '{ds}/ca.crt'\nssl_crl_file = '{ds}/root.crl'\ninclude 'extra.conf'\nhba_file = '{ds}/pg_hba.conf'\nident_file = '{ds}/pg_ident.conf'\n"), 0o600);
    write(d, "pg_hba.conf", "hostssl all all 0.0.0.0/0 cert map=m\nhost all all 10.0.0.0/8 scram-sha-256\n", 0o600);
    write(d, "pg_ident.conf", "m app app\n", 0o600);
    write(d, "postgresql.log", "2026-11-01 10:00:00.001 UTC [11] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n", 0o640);
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(d.join("postgresql.log.1.gz")).unwrap(), flate2::Compression::default());
        enc.write_all(b"2026-11-01 10:00:00.001 UTC [11] FATAL:  connection requires a valid client certificate\n").unwrap();
        enc.finish().unwrap();
    }
    write(d, "paste.txt", "psql: error: SSL error: certificate verify failed\n", 0o644);
    write(d, "targets.txt", &format!("# fleet\nhost=localhost hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={ds}/root.crt\n", lab.port), 0o644);
    write(d, "kong.conf", &format!("pg_host = localhost\npg_port = {}\npg_ssl = on\nlua_ssl_trusted_certificate = {ds}/root.crt\n", lab.port), 0o644);
    let keystore = d.join("store.p12");
    let ks = std::process::Command::new("openssl")
        .args(["pkcs12", "-export", "-nokeys", "-passout", "pass:changeit", "-in"])
        .arg(d.join("ca.crt"))
        .arg("-out")
        .arg(&keystore)
        .output()
        .unwrap();
    assert!(ks.status.success(), "{}", String::from_utf8_lossy(&ks.stderr));

    let files: Vec<PathBuf> = std::fs::read_dir(d).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    assert!(files.len() >= 18, "{files:?}");
    // Let the clock move past every file's times, so an update would show.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let before = snapshot(&files);

    let conn = format!("host=localhost hostaddr=127.0.0.1 port={} user=app sslmode=verify-full sslrootcert={ds}/root.crt sslcert={ds}/client.crt sslkey={ds}/client.key sslcrl={ds}/root.crl", lab.port);
    let runs: Vec<Vec<String>> = vec![
        vec!["server".into(), "--config".into(), format!("{ds}/postgresql.conf"), "--data-dir".into(), ds.clone()],
        vec!["trust".into(), "audit".into(), format!("{ds}/root.crt"), format!("{ds}/server.crt"), format!("{ds}/store.p12"), ds.clone()],
        vec!["client".into(), conn.clone()],
        vec!["client".into(), "service=canary".into()],
        vec!["client".into(), "--kong-conf".into(), format!("{ds}/kong.conf")],
        vec!["doctor".into(), conn.clone()],
        vec!["verify".into(), conn.clone()],
        vec!["rotation".into(), "--trust".into(), format!("{ds}/root.crt")],
        vec!["bundle".into(), "--from".into(), format!("{ds}/root.crt")],
        vec!["logs".into(), format!("{ds}/postgresql.log"), format!("{ds}/postgresql.log.1.gz")],
        vec!["explain".into(), format!("{ds}/paste.txt")],
        vec!["fleet".into(), format!("{ds}/targets.txt")],
    ];
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let _ = output(&lab, &args, &[]);
    }
    let after = snapshot(&files);
    for (p, b) in &before {
        let a = &after[p];
        assert_eq!(a.bytes, b.bytes, "{} changed", p.display());
        assert_eq!(a.mode, b.mode, "{}: permissions changed", p.display());
        assert_eq!(a.mtime, b.mtime, "{}: mtime changed", p.display());
        assert_eq!(a.ctime, b.ctime, "{}: ctime changed", p.display());
        assert_eq!(a.atime, b.atime, "{}: atime changed (read without O_NOATIME)", p.display());
    }
    // The check can fail: a plain read of a fresh file moves its atime under relatime.
    let probe = write(d, "probe.txt", "x", 0o644);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = state_noatime(&probe);
    let _ = std::fs::read(&probe).unwrap();
    let _ = state(&probe);
    let a = state_noatime(&probe);
    if a.atime == b.atime {
        eprintln!("NOTE: this file system does not update atime on read (noatime mount); the atime check proves nothing here");
    }
}
