//! The only socket code: resolve, connect and PostgreSQL's SSL negotiation, every step
//! under a timeout, every failure naming its step.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::wire::{self, ErrorResponse, SslReply};

/// Which step of a connection failed; named in findings so the operator knows where to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    Resolve,
    Connect,
    SslRequest,
    SslReply,
    TlsHandshake,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Step::Resolve => "resolving the host name",
            Step::Connect => "opening the TCP connection",
            Step::SslRequest => "sending the SSLRequest",
            Step::SslReply => "reading the server's answer to the SSLRequest",
            Step::TlsHandshake => "the TLS handshake",
        })
    }
}

/// How an I/O step failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// No answer within the timeout.
    Timeout,
    /// The peer closed the connection (EOF) or reset it.
    Closed,
    /// Connection refused / unreachable / no such host.
    Refused,
    Other,
}

/// A network step that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{step} ({endpoint}) failed: {message}")]
pub struct NetError {
    pub step: Step,
    pub kind: FailureKind,
    pub endpoint: String,
    pub message: String,
    /// The IP address that was tried, when the step had one (libpq names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
}

impl NetError {
    pub fn from_io(step: Step, endpoint: &str, e: &io::Error) -> NetError {
        use io::ErrorKind::*;
        let kind = match e.kind() {
            TimedOut | WouldBlock => FailureKind::Timeout,
            UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => FailureKind::Closed,
            ConnectionRefused | HostUnreachable | NetworkUnreachable | AddrNotAvailable => FailureKind::Refused,
            _ => FailureKind::Other,
        };
        let message = match kind {
            FailureKind::Timeout => "no answer before the timeout".to_string(),
            FailureKind::Closed if e.kind() == UnexpectedEof => "the server closed the connection".to_string(),
            _ => e.to_string(),
        };
        NetError { step, kind, endpoint: endpoint.to_string(), message, addr: None }
    }
}

/// Timeouts for each network step.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(5), io: Duration::from_secs(5) }
    }
}

/// Resolve `host` (a name or IP literal) under a timeout. The system resolver has none of
/// its own, so it runs on a helper thread that is abandoned if it stalls.
pub fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, NetError> {
    let endpoint = format!("{host}:{port}");
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let h = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((h.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Refused,
            endpoint,
            message: format!("host name \"{host}\" has no addresses"),
            addr: None,
        }),
        Ok(Err(e)) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Refused,
            endpoint,
            message: format!("could not translate host name \"{host}\" to address: {e}"),
            addr: None,
        }),
        Err(_) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Timeout,
            endpoint,
            message: "name resolution did not finish before the timeout".into(),
            addr: None,
        }),
    }
}

/// Connect to the first address that answers, with read/write timeouts set.
pub fn connect(addrs: &[SocketAddr], endpoint: &str, t: Timeouts) -> Result<TcpStream, NetError> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, t.connect) {
            Ok(s) => {
                let set = s
                    .set_read_timeout(Some(t.io))
                    .and_then(|_| s.set_write_timeout(Some(t.io)))
                    .and_then(|_| s.set_nodelay(true));
                return set.map(|_| s).map_err(|e| NetError::from_io(Step::Connect, endpoint, &e));
            }
            Err(e) => last = Some(NetError { addr: Some(addr.ip().to_string()), ..NetError::from_io(Step::Connect, endpoint, &e) }),
        }
    }
    Err(last.unwrap_or_else(|| NetError {
        step: Step::Connect,
        kind: FailureKind::Refused,
        endpoint: endpoint.to_string(),
        message: "no address to connect to".into(),
        addr: None,
    }))
}

/// The server's answer to an SSLRequest, with the ErrorResponse when it sent one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum Negotiated {
    Accept,
    Refuse,
    Error { error: ErrorResponse },
    Unexpected { byte: u8, preview: String },
}

/// Send SSLRequest and read the one-byte answer (and an ErrorResponse if one follows).
pub fn ssl_request(stream: &mut TcpStream, endpoint: &str) -> Result<Negotiated, NetError> {
    stream
        .write_all(&wire::SSL_REQUEST)
        .and_then(|_| stream.flush())
        .map_err(|e| NetError::from_io(Step::SslRequest, endpoint, &e))?;
    let mut b = [0u8; 1];
    stream.read_exact(&mut b).map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e))?;
    Ok(match SslReply::from_byte(b[0]) {
        SslReply::Accept => Negotiated::Accept,
        SslReply::Refuse => Negotiated::Refuse,
        SslReply::Error => {
            let mut len = [0u8; 4];
            let read = stream.read_exact(&mut len).map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e));
            let error = match read.and_then(|_| {
                ErrorResponse::body_len(len).map_err(|e| NetError {
                    step: Step::SslReply,
                    kind: FailureKind::Other,
                    endpoint: endpoint.into(),
                    message: e.to_string(),
                    addr: None,
                })
            }) {
                Ok(n) => {
                    let mut body = vec![0u8; n];
                    stream
                        .read_exact(&mut body)
                        .map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e))?;
                    ErrorResponse::parse(&body)
                }
                Err(e) => ErrorResponse { message: format!("(unreadable error response: {})", e.message), ..Default::default() },
            };
            Negotiated::Error { error }
        }
        SslReply::Unexpected(byte) => {
            // Read whatever else is waiting (bounded) so the report can show what answered.
            let mut more = [0u8; 64];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let n = stream.read(&mut more).unwrap_or(0);
            let mut all = vec![byte];
            all.extend_from_slice(&more[..n]);
            let preview = all
                .iter()
                .map(|&c| if c.is_ascii_graphic() || c == b' ' { c as char } else { '.' })
                .collect();
            Negotiated::Unexpected { byte, preview }
        }
    })
}

/// Send a StartupMessage over `stream` (TLS or plain) and read the server's answer up to the
/// authentication request or an ErrorResponse, skipping notices. Never sends a password: on an
/// authentication request that needs one, the caller decides (by default it stops there).
pub fn startup_exchange<S: Read + Write>(stream: &mut S, params: &[(&str, &str)]) -> io::Result<wire::startup::Backend> {
    use wire::startup::{parse_backend, Backend, MAX_BACKEND_MESSAGE};
    stream.write_all(&wire::startup::startup_message(params))?;
    stream.flush()?;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    // After AuthenticationOk the server still checks the role and database (a missing role
    // under `trust` fails here), so the answer is only final at ReadyForQuery or an error.
    let mut authenticated = None;
    loop {
        while let Some((msg, used)) = parse_backend(&buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))? {
            buf.drain(..used);
            let done = match msg {
                Backend::Auth(wire::startup::AuthRequest::Ok) => {
                    authenticated = Some(msg);
                    None
                }
                Backend::Other(b'Z') => authenticated.take(),
                Backend::Other(_) => None,
                other => Some(other),
            };
            match done {
                None => continue,
                Some(done) => {
                    let _ = stream.write_all(&wire::startup::TERMINATE);
                    let _ = stream.flush();
                    return Ok(done);
                }
            }
        }
        if buf.len() > MAX_BACKEND_MESSAGE {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the server's answer to the startup message is too large"));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Opens fresh connections positioned where a ClientHello goes: after `S` to an SSLRequest,
/// or at once for direct SSL. The raw-handshake scanner uses one connection per probe.
#[derive(Debug, Clone)]
pub struct TlsStart {
    pub addrs: Vec<SocketAddr>,
    pub endpoint: String,
    pub direct: bool,
    pub timeouts: Timeouts,
}

impl crate::tls::scan::Connector for TlsStart {
    fn open(&self) -> io::Result<Box<dyn crate::tls::scan::ReadWrite + Send>> {
        let as_io = |e: NetError| {
            let kind = match e.kind {
                FailureKind::Timeout => io::ErrorKind::TimedOut,
                FailureKind::Closed => io::ErrorKind::UnexpectedEof,
                FailureKind::Refused => io::ErrorKind::ConnectionRefused,
                FailureKind::Other => io::ErrorKind::Other,
            };
            io::Error::new(kind, e.to_string())
        };
        let mut sock = connect(&self.addrs, &self.endpoint, self.timeouts).map_err(as_io)?;
        if !self.direct {
            match ssl_request(&mut sock, &self.endpoint).map_err(as_io)? {
                Negotiated::Accept => {}
                other => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} did not accept the SSLRequest: {other:?}", self.endpoint),
                    ))
                }
            }
        }
        Ok(Box::new(sock))
    }
}
