//! The reference answer from `openssl s_client`, for checking pgtls's raw-handshake scanner.
//!
//! The scanner's results are only credible if they equal what OpenSSL itself observes, so the
//! integration tests run [`openssl_enumerate`] against the same lab server and compare. It
//! tries every suite the local `openssl` binary can offer for a version, one
//! `s_client -starttls postgres` run per suite, which is slow (one process per suite) but
//! independent of pgtls's codec. [`SslRequestDialer`] is the plain SSLRequest dialer those
//! tests drive the scanner with (they wrap it in pgtls's `Connector`).
//!
//! Versions are TLS wire values (`0x0300` SSLv3 … `0x0304` TLS 1.3), suites OpenSSL names.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// TLS 1.3's wire value.
pub const TLS1_3: u16 = 0x0304;

/// Longest a single `openssl` run may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(15);

/// The `s_client` flag and the name OpenSSL prints (`Protocol  : …`) for a wire version.
fn version_flag(version: u16) -> Option<(&'static str, &'static str)> {
    Some(match version {
        0x0300 => ("-ssl3", "SSLv3"),
        0x0301 => ("-tls1", "TLSv1"),
        0x0302 => ("-tls1_1", "TLSv1.1"),
        0x0303 => ("-tls1_2", "TLSv1.2"),
        TLS1_3 => ("-tls1_3", "TLSv1.3"),
        _ => return None,
    })
}

/// Runs a command with stdin closed, killing it after [`RUN_TIMEOUT`]; `None` when it could
/// not be started or timed out. Returns (success, stdout + stderr).
fn run(cmd: &mut Command) -> Option<(bool, String)> {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < RUN_TIMEOUT => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some((out.status.success(), text))
}

/// OpenSSL names of the suites the local `openssl` can offer in `version` (`@SECLEVEL=0`, so
/// legacy suites compiled into the library are included). Empty when the binary is missing or
/// was built without the version (OpenSSL 3 has no SSLv3).
pub fn openssl_candidates(version: u16) -> Vec<String> {
    if version == TLS1_3 {
        return [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_128_CCM_SHA256",
            "TLS_AES_128_CCM_8_SHA256",
        ]
        .map(String::from)
        .to_vec();
    }
    let Some((flag, _)) = version_flag(version) else { return Vec::new() };
    let Some((true, out)) = run(Command::new("openssl").args(["ciphers", "-s", flag, "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]))
    else {
        return Vec::new();
    };
    out.trim()
        .split(':')
        .filter(|c| !c.is_empty() && !c.starts_with("TLS_") && !c.contains("PSK") && !c.contains("SRP"))
        .map(String::from)
        .collect()
}

/// OpenSSL names of the suites `host:port` (a PostgreSQL server, reached with SSLRequest)
/// accepts in `version`, as seen by `openssl s_client`, in [`openssl_candidates`] order.
///
/// A suite counts as accepted when `s_client` reports a session with that cipher and that
/// protocol version. Suites the local `openssl` cannot offer are never tried, so compare
/// against the scanner's result restricted to [`openssl_candidates`].
pub fn openssl_enumerate(host: &str, port: u16, version: u16) -> Vec<String> {
    let Some((flag, name)) = version_flag(version) else { return Vec::new() };
    let connect = format!("{host}:{port}");
    let protocol_line = format!("Protocol  : {name}");
    openssl_candidates(version)
        .into_iter()
        .filter(|suite| {
            let mut cmd = Command::new("openssl");
            cmd.args(["s_client", "-starttls", "postgres", "-connect", &connect, flag]);
            if version == TLS1_3 {
                cmd.args(["-ciphersuites", suite]);
            } else {
                cmd.args(["-cipher", &format!("{suite}:@SECLEVEL=0")]);
            }
            match run(&mut cmd) {
                // TLS 1.3 sessions are printed only after a ticket arrives, so the protocol
                // is read from the "New, TLSv1.3, Cipher is …" line there; for older versions
                // that line names the suite's version, and the session's Protocol line counts.
                Some((_, out)) => {
                    out.contains(&format!("Cipher is {suite}\n"))
                        && out.lines().any(|l| {
                            l.trim() == protocol_line
                                || (version == TLS1_3 && l.starts_with("New, TLSv1.3, Cipher is "))
                        })
                }
                None => false,
            }
        })
        .collect()
}

/// Connects over TCP, sends PostgreSQL's SSLRequest and expects `S`: a connection where a
/// ClientHello goes, made without any of pgtls's code.
#[derive(Debug, Clone)]
pub struct SslRequestDialer {
    pub addr: SocketAddr,
    pub timeout: Duration,
}

impl SslRequestDialer {
    /// Resolves `host:port` (first address).
    pub fn new(host: &str, port: u16, timeout: Duration) -> io::Result<SslRequestDialer> {
        let addr = (host, port).to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("{host}:{port} did not resolve to any address"))
        })?;
        Ok(SslRequestDialer { addr, timeout })
    }

    /// A fresh connection, positioned after the server's `S`.
    pub fn open(&self) -> io::Result<TcpStream> {
        let mut s = TcpStream::connect_timeout(&self.addr, self.timeout)?;
        s.set_read_timeout(Some(self.timeout))?;
        s.set_write_timeout(Some(self.timeout))?;
        s.set_nodelay(true)?;
        s.write_all(&crate::SSL_REQUEST)?;
        let mut reply = [0u8; 1];
        s.read_exact(&mut reply)?;
        let [b] = reply;
        if b != b'S' {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} answered {:?} to SSLRequest instead of 'S' (is ssl = on in postgresql.conf?)",
                    self.addr,
                    char::from(b)
                ),
            ));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(version_flag(0x0301), Some(("-tls1", "TLSv1")));
        assert_eq!(version_flag(0x7F00), None);
        assert_eq!(openssl_candidates(TLS1_3).len(), 5);
    }

    #[test]
    fn connector_reports_refusal() {
        // A listener that answers 'N' like a server with ssl = off.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let t = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut req = [0u8; 8];
            s.read_exact(&mut req).unwrap();
            s.write_all(b"N").unwrap();
            req
        });
        let c = SslRequestDialer { addr, timeout: Duration::from_secs(5) };
        let err = c.open().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("answered 'N' to SSLRequest"), "{err}");
        assert_eq!(t.join().unwrap(), [0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f]);
    }
}
