//! On the wire: a recording proxy between `pgtls doctor` and a real server captures every byte
//! pgtls sends, and proves the password rules. Under `require`/`verify-*` nothing but the
//! 8-byte SSLRequest precedes the TLS ClientHello on any connection and the password never
//! appears in clear; without a password, or when the server's certificate fails the client's
//! checks, no second (authenticating) connection is made at all; without TLS, no password
//! message is sent even though libpq would send one.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use pgtls_lab::{Server, ServerOptions};
use serde_json::Value;

use crate::support::*;

const PASSWORD: &str = "S3cret-on-the-wire";
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 4, 210, 22, 47];

/// Client→server bytes of every connection through the proxy, in accept order.
type Captures = Arc<Mutex<Vec<Arc<Mutex<Vec<u8>>>>>>;

/// A loopback TCP proxy to `upstream` that records what clients send.
fn proxy(upstream: u16) -> (u16, Captures) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let captures: Captures = Arc::default();
    let all = captures.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { break };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { continue };
            let log = Arc::new(Mutex::new(Vec::new()));
            all.lock().unwrap().push(log.clone());
            let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = c_read.read(&mut buf) {
                    if n == 0 || s_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                }
                let _ = s_write.shutdown(std::net::Shutdown::Write);
            });
            let (mut s_read, mut c_write) = (server, client);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (port, captures)
}

fn captured(c: &Captures) -> Vec<Vec<u8>> {
    // Let the copy threads drain.
    std::thread::sleep(std::time::Duration::from_millis(200));
    c.lock().unwrap().iter().map(|l| l.lock().unwrap().clone()).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// doctor with one connection per host (the counts below are of the probe and the
/// authentication); the default's further connections are checked on their own.
fn doctor(port: u16, extra: &str) -> Value {
    doctor_with(port, extra, "1")
}

fn doctor_with(port: u16, extra: &str, connections: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let ci = format!("host=localhost hostaddr=127.0.0.1 port={port} user=app dbname=postgres {extra}");
    let out = pgtls()
        .args(["doctor", "--format", "json", "--connections", connections, &ci])
        .env("HOME", dir.path())
        .env_remove("PGPASSWORD")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// Every connection opens with the SSLRequest and goes straight to a TLS ClientHello.
fn only_tls(conns: &[Vec<u8>]) {
    for (i, c) in conns.iter().enumerate() {
        assert!(c.len() > 9 && c[..8] == SSL_REQUEST && c[8] == 0x16, "connection {i} starts {:?}", &c[..c.len().min(16)]);
        assert!(!contains(c, PASSWORD.as_bytes()), "connection {i} carries the password in clear");
    }
}

#[test]
fn passwords_only_inside_verified_tls() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let wrong_root = dir.path().join("wrong.crt");
    std::fs::write(&wrong_root, &pgtls_lab::CertKey::root("not the server's CA").unwrap().cert_pem).unwrap();
    let mut o = ServerOptions::with_tls(pki.tls());
    o.init_sql.push(format!("CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'"));
    o.hba = vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()];
    let server = Server::start(o).unwrap();

    // require + password: two connections (probe, then authentication), both TLS from byte 9.
    let (port, cap) = proxy(server.port());
    let v = doctor(port, &format!("sslmode=require password={PASSWORD}"));
    assert_eq!(v["hosts"][0]["verdict"]["authenticated"], true, "{v:#}");
    let conns = captured(&cap);
    assert_eq!(conns.len(), 2, "probe + authentication");
    only_tls(&conns);

    // verify-full with the right root: the same.
    let (port, cap) = proxy(server.port());
    let v = doctor(port, &format!("sslmode=verify-full sslrootcert={} password={PASSWORD}", root.display()));
    assert_eq!(v["hosts"][0]["verdict"]["authenticated"], true, "{v:#}");
    let conns = captured(&cap);
    assert_eq!(conns.len(), 2);
    only_tls(&conns);

    // verify-full with a root that does not verify the server: no authenticating connection.
    let (port, cap) = proxy(server.port());
    let v = doctor(port, &format!("sslmode=verify-full sslrootcert={} password={PASSWORD}", wrong_root.display()));
    assert_eq!(v["hosts"][0]["verdict"]["connects"], false, "{v:#}");
    let conns = captured(&cap);
    assert_eq!(conns.len(), 1, "the password goes nowhere when verification fails");
    only_tls(&conns);

    // No password (the default): one connection, stopping at the authentication request.
    let (port, cap) = proxy(server.port());
    let v = doctor(port, "sslmode=require");
    assert_eq!(v["findings"][0]["code"], "password-missing", "{v:#}");
    let conns = captured(&cap);
    assert_eq!(conns.len(), 1);
    only_tls(&conns);

    // doctor's default three connections per host: the two further ones are TLS from byte 9
    // and stop after the handshake (no StartupMessage, no password), then the authentication.
    let (port, cap) = proxy(server.port());
    let v = doctor_with(port, &format!("sslmode=require password={PASSWORD}"), "3");
    assert_eq!(v["hosts"][0]["verdict"]["authenticated"], true, "{v:#}");
    let conns = captured(&cap);
    assert_eq!(conns.len(), 4, "probe, two further connections, authentication");
    only_tls(&conns);
}

#[test]
fn no_password_without_tls() {
    let mut o = ServerOptions::default();
    o.init_sql.push(format!("CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'"));
    o.hba = vec!["host all all 127.0.0.1/32 scram-sha-256".into()];
    let server = Server::start(o).unwrap();
    // prefer against ssl=off: libpq would log in without TLS, sending its password; pgtls
    // stops at the request and says the password step was not checked.
    let (port, cap) = proxy(server.port());
    let v = doctor(port, &format!("sslmode=prefer password={PASSWORD}"));
    let codes: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert!(codes.contains(&"auth-unchecked"), "{v:#}");
    assert_eq!(v["hosts"][0]["verdict"]["connects"], true);
    let conns = captured(&cap);
    assert!(!conns.is_empty());
    for (i, c) in conns.iter().enumerate() {
        assert!(!contains(c, PASSWORD.as_bytes()), "connection {i} carries the password");
        // SSLRequest and/or StartupMessage, then at most Terminate: never a 'p' message.
        let mut rest: &[u8] = c;
        if rest.starts_with(&SSL_REQUEST) {
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            rest = &rest[len.min(rest.len())..];
        }
        assert!(rest.is_empty() || rest == [b'X', 0, 0, 0, 4], "connection {i} sent more after the startup message: {rest:?}");
    }
}
