//! Hostile servers: listeners written for the test on 127.0.0.1 that stall, drip, lie, reset,
//! flood or send absurd certificates, before TLS, inside the handshake and in the startup
//! phase. Every case must end with a clear finding, within a time bound derived from
//! `--timeout`, with bounded memory (peak RSS of the pgtls process, read from /proc).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgtls_lab::{AfterHandshake, CertKey, InProcessServer, ScriptedListener};
use serde_json::Value;

use crate::support::*;

/// `--timeout` for every case; pgtls's own bound for one connection is a small multiple of it.
const TIMEOUT: &str = "2";
/// No case may take longer than this (several connections, each bounded).
const MAX_ELAPSED: Duration = Duration::from_secs(30);
/// Peak resident memory allowed for the pgtls process.
const MAX_PEAK_KB: u64 = 200 * 1024;

struct Run {
    code: Option<i32>,
    json: Value,
    elapsed: Duration,
    peak_kb: u64,
}

impl Run {
    fn codes(&self) -> Vec<String> {
        self.json["findings"].as_array().map(|a| a.iter().filter_map(|f| f["code"].as_str().map(str::to_string)).collect()).unwrap_or_default()
    }
}

/// Run pgtls with `args`, polling its peak RSS (VmHWM) until it exits; kill it past 90 s.
fn run(args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = pgtls()
        .args(["--timeout", TIMEOUT, "--format", "json"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let mut peak_kb = 0;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok()) {
                peak_kb = peak_kb.max(kb);
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("pgtls {args:?} still running after 90 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = reader.join().unwrap();
    let json = serde_json::from_slice(&out).unwrap_or_else(|e| {
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("pgtls {args:?}: no JSON ({e}): {}\n{err}", String::from_utf8_lossy(&out))
    });
    Run { code: status.code(), json, elapsed: started.elapsed(), peak_kb }
}

/// The case ended in time, within memory, with exit 2 and one of `expected` among its codes.
fn assert_bounded(name: &str, r: &Run, expected: &[&str]) {
    assert_bounded_exit(name, r, expected, 2)
}

fn assert_bounded_exit(name: &str, r: &Run, expected: &[&str], exit: i32) {
    let codes = r.codes();
    eprintln!("{name}: {codes:?} in {:?}, peak {} kB", r.elapsed, r.peak_kb);
    assert!(r.elapsed < MAX_ELAPSED, "{name}: took {:?}", r.elapsed);
    assert!(r.peak_kb < MAX_PEAK_KB, "{name}: peak RSS {} kB", r.peak_kb);
    assert_eq!(r.code, Some(exit), "{name}: {:#}", r.json);
    assert!(codes.iter().any(|c| expected.contains(&c.as_str())), "{name}: expected one of {expected:?}, got {codes:?}: {:#}", r.json);
}

fn read_ssl_request(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 8];
    s.read_exact(&mut b).is_ok()
}

/// Read whatever the client sent (its ClientHello) without blocking for long.
fn drain_some(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(300)));
    let mut b = [0u8; 4096];
    let _ = s.read(&mut b);
}

fn hold(s: &mut TcpStream, secs: u64) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(secs)));
    let mut b = [0u8; 1024];
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        match s.read(&mut b) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// `sslmode=require`: no plaintext retry, so a failed handshake is the verdict.
fn probe(port: u16) -> Run {
    run(&["probe", &format!("host=127.0.0.1 port={port} sslmode=require")])
}

fn doctor(port: u16) -> Run {
    run(&["doctor", &format!("host=127.0.0.1 port={port} sslmode=require user=app dbname=app")])
}

#[test]
fn before_tls_silence_wrong_byte_garbage_reset() {
    let silent = ScriptedListener::start(|mut s| hold(&mut s, 40)).unwrap();
    assert_bounded("never answers the SSLRequest", &probe(silent.port()), &["network-timeout"]);

    let wrong = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s.write_all(b"X");
            hold(&mut s, 40);
        }
    })
    .unwrap();
    assert_bounded("answers X", &probe(wrong.port()), &["proxy-mishandles-sslrequest", "protocol-version-mismatch"]);

    let garbage = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s.write_all(b"S");
            drain_some(&mut s);
            let _ = s.write_all(&[0xAB; 5000]);
            hold(&mut s, 40);
        }
    })
    .unwrap();
    assert_bounded("S then garbage", &probe(garbage.port()), &["tls-handshake-failed", "unexpected-eof"]);

    let reset = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s2_linger_zero(&s);
            drop(s);
        }
    })
    .unwrap();
    assert_bounded("reset", &probe(reset.port()), &["unexpected-eof", "tls-handshake-failed", "network-timeout", "tcp-connect-failed", "proxy-mishandles-sslrequest"]);
}

/// SO_LINGER 0: closing sends a RST instead of a FIN.
fn s2_linger_zero(s: &TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let l = Linger { l_onoff: 1, l_linger: 0 };
    let r = unsafe { setsockopt(s.as_raw_fd(), 1 /* SOL_SOCKET */, 13 /* SO_LINGER */, &l as *const Linger as *const _, std::mem::size_of::<Linger>() as u32) };
    if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[repr(C)]
struct Linger {
    l_onoff: i32,
    l_linger: i32,
}

extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, value: *const std::ffi::c_void, len: u32) -> i32;
}

#[test]
fn inside_the_handshake_drip_close_and_endless_records() {
    // 'S', then a record header announcing a 16 kB ServerHello, then one byte a second.
    let drip = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s.write_all(b"S");
            drain_some(&mut s);
            let _ = s.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
            for _ in 0..60 {
                if s.write_all(&[0x02]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    })
    .unwrap();
    assert_bounded("drips one byte a second", &probe(drip.port()), &["network-timeout"]);

    let half = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s.write_all(b"S");
            drain_some(&mut s);
            let _ = s.write_all(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03]);
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    })
    .unwrap();
    assert_bounded("closes mid-handshake", &probe(half.port()), &["unexpected-eof", "tls-handshake-failed"]);

    // An endless stream of well-formed handshake records of one message that never ends.
    let endless = ScriptedListener::start(|mut s| {
        if read_ssl_request(&mut s) {
            let _ = s.write_all(b"S");
            drain_some(&mut s);
            let mut first = vec![0x16, 0x03, 0x03, 0x40, 0x00, 0x0b, 0xff, 0xff, 0xff];
            first.resize(5 + 0x4000, 0);
            if s.write_all(&first).is_err() {
                return;
            }
            let mut rec = vec![0x16, 0x03, 0x03, 0x40, 0x00];
            rec.resize(5 + 0x4000, 0);
            let until = Instant::now() + Duration::from_secs(60);
            while Instant::now() < until && s.write_all(&rec).is_ok() {}
        }
    })
    .unwrap();
    assert_bounded("endless records", &probe(endless.port()), &["tls-handshake-failed", "network-timeout", "unexpected-eof"]);
    assert_bounded(
        "endless records, raw scanner",
        &run(&["protocols", &format!("host=127.0.0.1 port={} sslmode=require", endless.port())]),
        &["tls-handshake-failed", "network-timeout", "unexpected-eof", "check-incomplete"],
    );
}

#[test]
fn absurd_certificates() {
    let ca = CertKey::root("Hostile CA").unwrap();
    let leaf = ca.leaf("localhost", &["localhost"]).unwrap();
    let ica = ca.intermediate("Hostile ICA").unwrap();

    // 10,000 certificates in the chain (~5 MB).
    let mut chain = vec![leaf.der.clone()];
    chain.extend(std::iter::repeat_n(ica.der.clone(), 10_000));
    let long = InProcessServer::start_with(chain, &leaf.key_pem, None).unwrap();
    assert_bounded("a chain of 10,000 certificates", &probe(long.port()), &["tls-handshake-failed", "chain-incomplete", "server-cert-untrusted"]);

    // One 10 MB "certificate".
    let huge = InProcessServer::start_with(vec![leaf.der.clone(), vec![0x30; 10 << 20]], &leaf.key_pem, None).unwrap();
    assert_bounded("a 10 MB certificate", &probe(huge.port()), &["tls-handshake-failed", "chain-incomplete", "server-cert-untrusted"]);

    // A leaf with 1,500 private extensions (about 50 kB: under every TLS library's limit).
    let odd = ca.leaf_with_extensions("localhost", 1500, 20).unwrap();
    let weird = InProcessServer::start_with(vec![odd.der.clone()], &odd.key_pem, None).unwrap();
    // The handshake itself works (as it would for psql with sslmode=require): warnings only.
    assert_bounded_exit("absurd extensions", &probe(weird.port()), &["chain-incomplete"], 1);
    // Over 64 kB: pgtls's TLS library stops, and says what OpenSSL would do instead.
    let r = probe(huge.port());
    let detail = r.json["findings"][0]["detail"].as_str().unwrap_or("").to_string();
    assert!(detail.contains("larger than 64 kB") && detail.contains("100 kB"), "{detail}");
}

#[test]
fn startup_phase_silence_and_a_100_mb_error() {
    let ca = CertKey::root("Hostile CA").unwrap();
    let leaf = ca.leaf("localhost", &["localhost", "127.0.0.1"]).unwrap();

    let silent: AfterHandshake = Arc::new(|tls| {
        let mut b = [0u8; 1024];
        let until = Instant::now() + Duration::from_secs(40);
        while Instant::now() < until {
            match tls.read(&mut b) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
        }
    });
    let s = InProcessServer::start_with(vec![leaf.der.clone()], &leaf.key_pem, Some(silent)).unwrap();
    assert_bounded("never answers the StartupMessage", &doctor(s.port()), &["network-timeout", "connection-fails", "auth-unchecked"]);

    let flood: AfterHandshake = Arc::new(|tls| {
        let mut b = [0u8; 1024];
        let _ = tls.read(&mut b);
        let len: u32 = 100 << 20;
        let mut head = vec![b'E'];
        head.extend_from_slice(&len.to_be_bytes());
        head.extend_from_slice(b"SFATAL\0C08P01\0M");
        if tls.write_all(&head).is_err() {
            return;
        }
        let chunk = vec![b'x'; 1 << 16];
        let mut sent = head.len();
        while sent < len as usize {
            if tls.write_all(&chunk).is_err() {
                return;
            }
            sent += chunk.len();
        }
    });
    let s = InProcessServer::start_with(vec![leaf.der.clone()], &leaf.key_pem, Some(flood)).unwrap();
    assert_bounded("a 100 MB ErrorResponse", &doctor(s.port()), &["server-error-response", "connection-fails", "login-refused", "network-timeout"]);
}
