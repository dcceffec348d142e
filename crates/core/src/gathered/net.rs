//! What a network step found, as values: which step failed and how, and the server's answer to
//! an SSLRequest. The sockets that produce them are in `pgtls::net`; the checks read only these.

use std::io;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::wire::ErrorResponse;

/// The most pgtls reads from one server connection (a handshake with a long chain and the
/// startup answer are a few hundred kB); more is a hostile or broken peer.
pub const MAX_READ_PER_CONNECTION: u64 = 32 << 20;

/// Why a bounded connection stopped reading; carried inside the `io::Error` so callers can say it.
#[derive(Debug, thiserror::Error)]
pub enum Bound {
    #[error("the server did not finish within {0:?} (pgtls bounds each connection; it kept answering too slowly)")]
    Deadline(Duration),
    #[error("the server sent more than {} MB on one connection", MAX_READ_PER_CONNECTION >> 20)]
    TooMuch,
}

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
        let bound = e.get_ref().and_then(|inner| inner.downcast_ref::<Bound>());
        let message = match kind {
            _ if bound.is_some() => bound.map(ToString::to_string).unwrap_or_default(),
            FailureKind::Timeout => "no answer before the timeout".to_string(),
            FailureKind::Closed if e.kind() == UnexpectedEof => "the server closed the connection".to_string(),
            _ => e.to_string(),
        };
        NetError { step, kind, endpoint: endpoint.to_string(), message, addr: None }
    }
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

/// The settings a server reports in ParameterStatus messages, by name.
pub type ServerParams = std::collections::BTreeMap<String, String>;
