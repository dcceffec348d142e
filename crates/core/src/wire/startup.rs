//! The startup phase, without sockets: the StartupMessage a client sends after TLS (or in
//! plaintext), and the backend messages that answer it up to the authentication request.
//!
//! Half of the gateway guide's errors happen here — "no pg_hba.conf entry", "connection requires
//! a valid client certificate", "certificate authentication failed" — so pgtls follows the
//! connection to this point. It stops at the server's authentication request unless asked to
//! authenticate. The password messages are built here (cleartext, MD5, SASL); when to send them
//! — only inside a TLS session whose certificate passed the client's own checks — is decided by
//! the caller.

use serde::{Deserialize, Serialize};

use super::{ErrorResponse, WireError};

/// Protocol version 3.0.
const PROTOCOL_3_0: u32 = 196_608;

/// Backend messages pgtls reads before authentication are small; anything larger is garbage.
pub const MAX_BACKEND_MESSAGE: usize = 1 << 20;

/// A StartupMessage with `params` (user, database, application_name, options, replication …),
/// in the order given.
pub fn startup_message(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = PROTOCOL_3_0.to_be_bytes().to_vec();
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut msg = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    msg.extend_from_slice(&body);
    msg
}

/// Terminate: a polite goodbye once pgtls has what it came for.
pub const TERMINATE: [u8; 5] = [b'X', 0, 0, 0, 4];

/// A simple-protocol Query message ('Q') for `sql`.
pub fn query_message(sql: &str) -> Vec<u8> {
    let mut m = vec![b'Q'];
    m.extend_from_slice(&((sql.len() + 5) as u32).to_be_bytes());
    m.extend_from_slice(sql.as_bytes());
    m.push(0);
    m
}

/// What the server asks for to authenticate the client (`AuthenticationRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "kebab-case")]
pub enum AuthRequest {
    /// AuthenticationOk: no password needed (`trust`, or `cert` already satisfied).
    Ok,
    Cleartext,
    Md5 {
        /// The salt for the MD5 answer (not a fact worth reporting).
        #[serde(skip)]
        salt: [u8; 4],
    },
    /// SCRAM and friends, with the mechanisms offered (`SCRAM-SHA-256`, `SCRAM-SHA-256-PLUS`).
    Sasl { mechanisms: Vec<String> },
    Gss,
    Sspi,
    Other { code: u32 },
}

impl AuthRequest {
    /// The pg_hba.conf method name this request comes from, as far as it can be told.
    pub fn method(&self) -> &'static str {
        match self {
            AuthRequest::Ok => "trust (or cert)",
            AuthRequest::Cleartext => "password",
            AuthRequest::Md5 { .. } => "md5",
            AuthRequest::Sasl { .. } => "scram-sha-256",
            AuthRequest::Gss => "gss",
            AuthRequest::Sspi => "sspi",
            AuthRequest::Other { .. } => "unknown",
        }
    }
}

/// One backend message, as far as the startup phase needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Auth(AuthRequest),
    Error(ErrorResponse),
    /// AuthenticationSASLContinue (`last` false) or AuthenticationSASLFinal (`last` true).
    Sasl { last: bool, data: Vec<u8> },
    /// ParameterStatus: a setting the server reports (server_version, in_hot_standby,
    /// default_transaction_read_only …).
    Parameter { name: String, value: String },
    /// DataRow: one row of a query's answer, each column as text (None: SQL NULL).
    Row(Vec<Option<String>>),
    /// NoticeResponse, ParameterStatus, BackendKeyData, ReadyForQuery, NegotiateProtocolVersion
    /// …: the type byte, skipped.
    Other(u8),
}

impl AuthRequest {
    /// The server wants a password (or a SCRAM exchange) before it lets the client in.
    pub fn needs_password(&self) -> bool {
        matches!(self, AuthRequest::Cleartext | AuthRequest::Md5 { .. } | AuthRequest::Sasl { .. })
    }
}

/// A PasswordMessage-family message ('p'): the password, an MD5 answer, a SASL response.
pub fn password_message(payload: &[u8]) -> Vec<u8> {
    let mut m = vec![b'p'];
    m.extend_from_slice(&((payload.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(payload);
    m
}

/// A null-terminated string payload (cleartext password, MD5 answer).
pub fn password_payload(text: &str) -> Vec<u8> {
    let mut v = text.as_bytes().to_vec();
    v.push(0);
    v
}

/// SASLInitialResponse: the mechanism, then the client's first message.
pub fn sasl_initial_response(mechanism: &str, data: &[u8]) -> Vec<u8> {
    let mut payload = password_payload(mechanism);
    payload.extend_from_slice(&(data.len() as u32).to_be_bytes());
    payload.extend_from_slice(data);
    password_message(&payload)
}

/// Parse the first backend message of `buf`: `Ok(None)` when more bytes are needed, else the
/// message and how many bytes it took.
pub fn parse_backend(buf: &[u8]) -> Result<Option<(Backend, usize)>, WireError> {
    let Some(&[t, a, b, c, d]) = buf.get(..5) else { return Ok(None) };
    let len = u32::from_be_bytes([a, b, c, d]);
    if len < 4 || len as usize > MAX_BACKEND_MESSAGE {
        return Err(WireError::BadLength(len));
    }
    let total = 1 + len as usize;
    let Some(body) = buf.get(5..total) else { return Ok(None) };
    let msg = match t {
        b'E' => Backend::Error(ErrorResponse::parse(body)),
        b'R' => {
            let Some(&[w, x, y, z]) = body.get(..4) else { return Err(WireError::Truncated { expected: 4, got: body.len() }) };
            Backend::Auth(match u32::from_be_bytes([w, x, y, z]) {
                0 => AuthRequest::Ok,
                3 => AuthRequest::Cleartext,
                5 => {
                    let Some(&[a, b, c, d]) = body.get(4..8) else { return Err(WireError::Truncated { expected: 8, got: body.len() }) };
                    AuthRequest::Md5 { salt: [a, b, c, d] }
                }
                11 | 12 => return Ok(Some((Backend::Sasl { last: body[..4] == [0, 0, 0, 12], data: body[4..].to_vec() }, total))),
                7 => AuthRequest::Gss,
                9 => AuthRequest::Sspi,
                10 => AuthRequest::Sasl {
                    mechanisms: body[4..]
                        .split(|&b| b == 0)
                        .filter(|m| !m.is_empty())
                        .map(|m| String::from_utf8_lossy(m).into_owned())
                        .collect(),
                },
                code => AuthRequest::Other { code },
            })
        }
        b'S' => {
            let mut parts = body.split(|&b| b == 0);
            let name = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            let value = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            Backend::Parameter { name, value }
        }
        b'D' => Backend::Row(data_row(body)?),
        other => Backend::Other(other),
    };
    Ok(Some((msg, total)))
}

/// A DataRow's columns: a count (int16), then per column a length (int32, -1 for NULL) and
/// that many bytes of text.
fn data_row(body: &[u8]) -> Result<Vec<Option<String>>, WireError> {
    let truncated = |expected: usize| WireError::Truncated { expected, got: body.len() };
    let Some(&[a, b]) = body.get(..2) else { return Err(truncated(2)) };
    let mut at = 2;
    let mut out = Vec::new();
    for _ in 0..u16::from_be_bytes([a, b]) {
        let Some(&[w, x, y, z]) = body.get(at..at + 4) else { return Err(truncated(at + 4)) };
        at += 4;
        let len = i32::from_be_bytes([w, x, y, z]);
        if len < 0 {
            out.push(None);
            continue;
        }
        let end = at + len as usize;
        let Some(v) = body.get(at..end) else { return Err(truncated(end)) };
        out.push(Some(String::from_utf8_lossy(v).into_owned()));
        at = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_rows_parse_text_and_null_columns() {
        let mut m = vec![b'D'];
        let body: Vec<u8> = [&2u16.to_be_bytes()[..], &4i32.to_be_bytes(), b"5432", &(-1i32).to_be_bytes()].concat();
        m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        m.extend_from_slice(&body);
        let (row, used) = parse_backend(&m).unwrap().unwrap();
        assert_eq!(used, m.len());
        assert_eq!(row, Backend::Row(vec![Some("5432".into()), None]));
        // A column longer than the message is an error, not a panic.
        let mut bad = m.clone();
        bad[7] = 0x7f;
        assert!(parse_backend(&bad).is_err());
    }

    #[test]
    fn startup_message_layout() {
        let m = startup_message(&[("user", "kong"), ("database", "kong")]);
        assert_eq!(&m[..4], &(m.len() as u32).to_be_bytes());
        assert_eq!(&m[4..8], &[0, 3, 0, 0]);
        assert_eq!(&m[8..], b"user\0kong\0database\0kong\0\0");
    }

    #[test]
    fn backend_messages() {
        let mut sasl = vec![b'R', 0, 0, 0, 0, 0, 0, 0, 10];
        sasl.extend_from_slice(b"SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0");
        let len = (sasl.len() - 1) as u32;
        sasl[1..5].copy_from_slice(&len.to_be_bytes());
        let (m, n) = parse_backend(&sasl).unwrap().unwrap();
        assert_eq!(n, sasl.len());
        assert_eq!(m, Backend::Auth(AuthRequest::Sasl { mechanisms: vec!["SCRAM-SHA-256-PLUS".into(), "SCRAM-SHA-256".into()] }));
        for k in 0..sasl.len() {
            assert_eq!(parse_backend(&sasl[..k]).unwrap(), None, "prefix {k}");
        }
        let body = b"SFATAL\0C28000\0Mconnection requires a valid client certificate\0\0";
        let mut e = vec![b'E'];
        e.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        e.extend_from_slice(body);
        match parse_backend(&e).unwrap().unwrap().0 {
            Backend::Error(r) => assert_eq!(r.code.as_deref(), Some("28000")),
            other => panic!("{other:?}"),
        }
        assert!(parse_backend(&[b'R', 0xff, 0xff, 0xff, 0xff]).is_err());
        assert_eq!(parse_backend(&[b'Z', 0, 0, 0, 5, b'I']).unwrap().unwrap().0, Backend::Other(b'Z'));
    }
}
