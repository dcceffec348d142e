//! A strict, bounded parser for the server's first answer to a ClientHello, without I/O.
//!
//! The scanner only needs the server's first flight: the ServerHello (version, suite, group),
//! and for TLS ≤ 1.2 optionally the ServerKeyExchange (curve, DH size, signature algorithm),
//! all of which travel in plaintext. Anything else is classified rather than decoded: a TLS
//! alert is the server's refusal; an SSLv2 record, a PostgreSQL ErrorResponse (`E`, e.g. a
//! server that took our hello for a startup packet) or other bytes mean the probe went to the
//! wrong kind of peer and must not be counted as "version refused".
//!
//! [`parse_reply`] is called again with the whole buffer each time more bytes arrive; it
//! answers [`Parsed::NeedMore`] until it can decide. Records are limited to 2^14 bytes (the
//! TLSPlaintext maximum) and the whole reply to [`MAX_TOTAL`], so a hostile peer cannot make
//! us buffer without end. Every access is bounds-checked: any byte sequence yields a reply or
//! a [`ParseError`], never a panic.

use std::fmt;

use super::codec::{ext, NamedGroup, TlsVersion, SignatureScheme};
use super::suites::{Au, CipherSuite, Kx};

/// Largest record fragment accepted (TLSPlaintext limit, RFC 8446 §5.1).
pub const MAX_RECORD: usize = 1 << 14;
/// Largest reply buffered before giving up (a first flight with a long chain fits easily).
pub const MAX_TOTAL: usize = 64 * 1024;

/// SHA-256("HelloRetryRequest"): the ServerHello.random that marks a HelloRetryRequest.
pub const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11,
    0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// How much of the first flight the caller needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Stop at the ServerHello (or HelloRetryRequest).
    ServerHello,
    /// For TLS ≤ 1.2, continue to the ServerKeyExchange (or ServerHelloDone when there is none).
    KeyExchange,
}

/// Why the reply could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the server sent a TLS record of {len} bytes, over the {MAX_RECORD}-byte limit: the peer is not a conforming TLS server (check host and port)")]
    RecordTooLong { len: usize },
    #[error("the server sent more than {MAX_TOTAL} bytes without completing its ServerHello flight; giving up (is this a TLS server?)")]
    TooMuchData,
    #[error("the connection closed after {have} bytes, in the middle of a TLS record or message (the server or a proxy cut the handshake)")]
    Truncated { have: usize },
    #[error("malformed {what} from the server: {detail}")]
    Malformed { what: &'static str, detail: String },
    #[error("unexpected TLS record type {typ} before the ServerHello")]
    UnexpectedRecord { typ: u8 },
    #[error("unexpected TLS handshake message type {typ} where a ServerHello was expected")]
    UnexpectedHandshake { typ: u8 },
}

fn malformed(what: &'static str, detail: impl Into<String>) -> ParseError {
    ParseError::Malformed { what, detail: detail.into() }
}

/// A TLS alert record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    pub level: u8,
    pub description: u8,
}

impl Alert {
    pub fn level_name(&self) -> String {
        match self.level {
            1 => "warning".into(),
            2 => "fatal".into(),
            other => format!("level {other}"),
        }
    }

    /// RFC name, e.g. `protocol_version`; `alert_123` for unknown codes.
    pub fn description_name(&self) -> String {
        let name = match self.description {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            21 => "decryption_failed",
            22 => "record_overflow",
            30 => "decompression_failure",
            40 => "handshake_failure",
            41 => "no_certificate",
            42 => "bad_certificate",
            43 => "unsupported_certificate",
            44 => "certificate_revoked",
            45 => "certificate_expired",
            46 => "certificate_unknown",
            47 => "illegal_parameter",
            48 => "unknown_ca",
            49 => "access_denied",
            50 => "decode_error",
            51 => "decrypt_error",
            60 => "export_restriction",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            90 => "user_canceled",
            100 => "no_renegotiation",
            109 => "missing_extension",
            110 => "unsupported_extension",
            112 => "unrecognized_name",
            113 => "bad_certificate_status_response",
            115 => "unknown_psk_identity",
            116 => "certificate_required",
            120 => "no_application_protocol",
            other => return format!("alert_{other}"),
        };
        name.to_string()
    }
}

/// `fatal protocol_version(70)`.
impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}({})", self.level_name(), self.description_name(), self.description)
    }
}

/// What the ServerKeyExchange revealed (TLS ≤ 1.2 with DHE/ECDHE).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyExchange {
    /// Named curve of ECDHE.
    pub group: Option<NamedGroup>,
    /// Size of the DHE prime in bits.
    pub dh_bits: Option<u32>,
    /// Signature algorithm the server signed the parameters with (TLS 1.2 only; earlier
    /// versions use a fixed MD5+SHA1 / SHA1 construction).
    pub signature: Option<SignatureScheme>,
}

/// A parsed ServerHello or HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    pub record_version: TlsVersion,
    pub legacy_version: TlsVersion,
    /// Negotiated version: supported_versions when present, else legacy_version.
    pub version: TlsVersion,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub cipher: CipherSuite,
    pub compression: u8,
    /// True when `random` is the HelloRetryRequest marker.
    pub hello_retry: bool,
    /// key_share group (TLS 1.3; in a HelloRetryRequest the group the server asks for).
    pub group: Option<NamedGroup>,
    /// ALPN protocol selected.
    pub alpn: Option<Vec<u8>>,
    /// Extension types in the order the server sent them.
    pub extensions: Vec<u16>,
    /// Filled when [`Want::KeyExchange`] was asked and the server sent a ServerKeyExchange.
    pub key_exchange: Option<KeyExchange>,
    /// The Certificate message of TLS ≤ 1.2 (DER, as sent), when [`Want::KeyExchange`] was asked.
    /// TLS 1.3 encrypts it, so it stays empty there.
    pub certificates: Vec<Vec<u8>>,
}

/// A PostgreSQL ErrorResponse seen where TLS was expected (parsed by `wire`, the one parser).
pub use crate::wire::ErrorResponse as PgError;

/// The classified first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The server accepted the hello (or asked to retry it with another group).
    Hello(ServerHello),
    /// The server refused with a TLS alert.
    Alert(Alert),
    /// The connection closed without a byte: a silent refusal.
    Closed,
    /// An SSLv2-format record (message type: 4 server-hello, 0 error).
    SslV2 { message_type: u8 },
    /// A PostgreSQL ErrorResponse: the peer speaks the PostgreSQL protocol, not TLS, here.
    Postgres(PgError),
    /// Something else (first bytes kept for the report).
    NotTls { first_bytes: Vec<u8> },
}

/// Progress of [`parse_reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    NeedMore,
    Done(Reply),
}

/// Bounds-checked reader over a byte slice.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).and_then(|s| s.first().copied())
    }
    fn u16(&mut self) -> Option<u16> {
        match self.take(2)? {
            &[a, b] => Some(u16::from_be_bytes([a, b])),
            _ => None,
        }
    }
    fn u24(&mut self) -> Option<usize> {
        match self.take(3)? {
            &[a, b, c] => Some(usize::from_be_bytes([0, 0, 0, 0, 0, a, b, c])),
            _ => None,
        }
    }
    fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
    fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }
    fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }
}

/// Decide what `buf` (everything received so far) is, or ask for more bytes.
pub fn parse_reply(buf: &[u8], want: Want) -> Result<Parsed, ParseError> {
    let result = classify(buf, want);
    if matches!(result, Ok(Parsed::NeedMore)) && buf.len() >= MAX_TOTAL {
        return Err(ParseError::TooMuchData);
    }
    result
}

/// Like [`parse_reply`], for when the peer has closed the connection: no more bytes will come.
pub fn parse_final(buf: &[u8], want: Want) -> Result<Reply, ParseError> {
    if buf.is_empty() {
        return Ok(Reply::Closed);
    }
    match parse_reply(buf, want)? {
        Parsed::Done(r) => Ok(r),
        Parsed::NeedMore => match classify_partial_hello(buf) {
            // The ServerHello arrived but the rest of the flight did not: still an acceptance.
            Some(hello) => Ok(Reply::Hello(hello)),
            None => match buf.first() {
                Some(b'E') => Ok(Reply::Postgres(crate::wire::ErrorResponse::parse(buf.get(5..).unwrap_or(&[])))),
                _ => Err(ParseError::Truncated { have: buf.len() }),
            },
        },
    }
}

fn classify(buf: &[u8], want: Want) -> Result<Parsed, ParseError> {
    let Some(&first) = buf.first() else {
        return Ok(Parsed::NeedMore);
    };
    match first {
        20..=23 => {
            let Some(&major) = buf.get(1) else {
                return Ok(Parsed::NeedMore);
            };
            if major != 3 {
                return Ok(Parsed::Done(not_tls(buf)));
            }
            tls_records(buf, want).map(|(p, _)| p)
        }
        b'E' => pg_error(buf),
        b if b & 0x80 != 0 => {
            // SSLv2 record: 2-byte header with the high bit set, then the message type.
            let Some(&typ) = buf.get(2) else {
                return Ok(Parsed::NeedMore);
            };
            if typ == 4 || typ == 0 {
                Ok(Parsed::Done(Reply::SslV2 { message_type: typ }))
            } else {
                Ok(Parsed::Done(not_tls(buf)))
            }
        }
        _ => Ok(Parsed::Done(not_tls(buf))),
    }
}

fn not_tls(buf: &[u8]) -> Reply {
    Reply::NotTls { first_bytes: buf.get(..buf.len().min(16)).unwrap_or(buf).to_vec() }
}

fn pg_error(buf: &[u8]) -> Result<Parsed, ParseError> {
    let Some(&[a, b, c, d]) = buf.get(1..5) else {
        return Ok(Parsed::NeedMore);
    };
    let len = u32::from_be_bytes([a, b, c, d]) as usize;
    if !(4..=MAX_TOTAL).contains(&len) {
        return Ok(Parsed::Done(not_tls(buf)));
    }
    let end = len.saturating_add(1);
    match buf.get(5..end) {
        Some(body) => Ok(Parsed::Done(Reply::Postgres(crate::wire::ErrorResponse::parse(body)))),
        None => Ok(Parsed::NeedMore),
    }
}

/// Walks TLS records; returns the progress and, when found, the ServerHello so far.
fn tls_records(buf: &[u8], want: Want) -> Result<(Parsed, Option<ServerHello>), ParseError> {
    let mut r = Reader::new(buf);
    let mut handshake = Vec::new();
    let mut hello: Option<ServerHello> = None;
    let mut record_version = TlsVersion(0);
    loop {
        let header_start = r.pos;
        let (Some(typ), Some(version), Some(len)) = (r.u8(), r.u16(), r.u16()) else {
            return Ok((Parsed::NeedMore, hello));
        };
        let len = usize::from(len);
        if version >> 8 != 3 {
            if header_start == 0 {
                return Ok((Parsed::Done(not_tls(buf)), None));
            }
            return Err(malformed("TLS record", format!("record version {version:#06x} is not 3.x")));
        }
        if len > MAX_RECORD {
            return Err(ParseError::RecordTooLong { len });
        }
        let Some(fragment) = r.take(len) else {
            return Ok((Parsed::NeedMore, hello));
        };
        if header_start == 0 {
            record_version = TlsVersion(version);
        }
        match typ {
            21 => {
                if let Some(h) = hello {
                    // An alert after the ServerHello: the suite was still accepted.
                    return Ok((Parsed::Done(Reply::Hello(h)), None));
                }
                let (Some(&level), Some(&description)) = (fragment.first(), fragment.get(1)) else {
                    return Err(malformed("alert", format!("{} bytes instead of 2", fragment.len())));
                };
                return Ok((Parsed::Done(Reply::Alert(Alert { level, description })), None));
            }
            22 => {
                if fragment.is_empty() {
                    return Err(malformed("handshake record", "empty fragment"));
                }
                handshake.extend_from_slice(fragment);
            }
            20 if hello.is_some() => continue,
            other => {
                if let Some(h) = hello {
                    return Ok((Parsed::Done(Reply::Hello(h)), None));
                }
                return Err(ParseError::UnexpectedRecord { typ: other });
            }
        }
        // Re-walk the handshake messages received so far.
        let mut m = Reader::new(&handshake);
        hello = None;
        while !m.is_empty() {
            let (Some(msg_type), Some(msg_len)) = (m.u8(), m.u24()) else { break };
            if msg_len > MAX_TOTAL {
                return Err(malformed("handshake message", format!("length {msg_len} is larger than {MAX_TOTAL}")));
            }
            let Some(body) = m.take(msg_len) else { break };
            match (&mut hello, msg_type) {
                (None, 0) if msg_len == 0 => {} // HelloRequest: ignorable here
                (None, 2) => {
                    let h = parse_server_hello(body, record_version)?;
                    if want == Want::ServerHello || h.version >= TlsVersion::TLSv1_3 || h.hello_retry {
                        return Ok((Parsed::Done(Reply::Hello(h)), None));
                    }
                    hello = Some(h);
                }
                (None, other) => return Err(ParseError::UnexpectedHandshake { typ: other }),
                (Some(h), 12) => {
                    h.key_exchange = Some(parse_server_key_exchange(body, h.cipher, h.version)?);
                    return Ok((Parsed::Done(Reply::Hello(h.clone())), None));
                }
                (Some(h), 14) => return Ok((Parsed::Done(Reply::Hello(h.clone())), None)),
                (Some(h), 11) => h.certificates = parse_certificate_list(body)?,
                (Some(_), _) => {} // CertificateStatus, CertificateRequest
            }
        }
    }
}

/// TLS ≤ 1.2 Certificate body: a 3-byte list length, then 3-byte length + DER per certificate.
fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut r = Reader::new(body);
    let Some(total) = r.u24() else { return Err(malformed("Certificate", "no list length")) };
    let Some(list) = r.take(total) else { return Err(malformed("Certificate", "list longer than the message")) };
    let mut l = Reader::new(list);
    let mut out = Vec::new();
    while !l.is_empty() {
        let Some(n) = l.u24() else { return Err(malformed("Certificate", "truncated entry length")) };
        let Some(der) = l.take(n) else { return Err(malformed("Certificate", "entry longer than the list")) };
        out.push(der.to_vec());
    }
    Ok(out)
}

/// The ServerHello when the flight stopped after it (used at end of stream).
fn classify_partial_hello(buf: &[u8]) -> Option<ServerHello> {
    match tls_records(buf, Want::KeyExchange) {
        Ok((_, Some(h))) => Some(h),
        _ => None,
    }
}

fn parse_server_hello(body: &[u8], record_version: TlsVersion) -> Result<ServerHello, ParseError> {
    const WHAT: &str = "ServerHello";
    let short = || malformed(WHAT, "message is too short");
    let mut r = Reader::new(body);
    let legacy_version = TlsVersion(r.u16().ok_or_else(short)?);
    let random: [u8; 32] = r.take(32).and_then(|s| s.try_into().ok()).ok_or_else(short)?;
    let session_id = r.vec8().ok_or_else(short)?.to_vec();
    if session_id.len() > 32 {
        return Err(malformed(WHAT, format!("session id of {} bytes (maximum 32)", session_id.len())));
    }
    let cipher = CipherSuite(r.u16().ok_or_else(short)?);
    let compression = r.u8().ok_or_else(short)?;
    let mut hello = ServerHello {
        record_version,
        legacy_version,
        version: legacy_version,
        hello_retry: random == HRR_RANDOM,
        random,
        session_id,
        cipher,
        compression,
        group: None,
        alpn: None,
        extensions: Vec::new(),
        key_exchange: None,
        certificates: Vec::new(),
    };
    if r.is_empty() {
        return Ok(hello); // SSLv3 / old TLS without extensions
    }
    let exts = r.vec16().ok_or_else(|| malformed(WHAT, "extensions length runs past the message"))?;
    if !r.is_empty() {
        return Err(malformed(WHAT, format!("{} trailing bytes after the extensions", r.rest().len())));
    }
    let mut e = Reader::new(exts);
    while !e.is_empty() {
        let (Some(typ), Some(data)) = (e.u16(), e.vec16()) else {
            return Err(malformed(WHAT, "extension runs past the extensions block"));
        };
        hello.extensions.push(typ);
        let mut d = Reader::new(data);
        match typ {
            ext::SUPPORTED_VERSIONS => {
                hello.version = TlsVersion(d.u16().ok_or_else(|| malformed(WHAT, "empty supported_versions"))?);
            }
            ext::KEY_SHARE => {
                // ServerHello: group + key; HelloRetryRequest: just the group.
                hello.group = Some(NamedGroup(d.u16().ok_or_else(|| malformed(WHAT, "empty key_share"))?));
            }
            ext::ALPN => {
                let list = d.vec16().ok_or_else(|| malformed(WHAT, "truncated ALPN list"))?;
                let proto = Reader::new(list).vec8().ok_or_else(|| malformed(WHAT, "truncated ALPN protocol"))?;
                hello.alpn = Some(proto.to_vec());
            }
            _ => {}
        }
    }
    Ok(hello)
}

fn parse_server_key_exchange(
    body: &[u8],
    cipher: CipherSuite,
    version: TlsVersion,
) -> Result<KeyExchange, ParseError> {
    const WHAT: &str = "ServerKeyExchange";
    let short = || malformed(WHAT, "message is too short");
    let mut out = KeyExchange::default();
    let Some(info) = cipher.info() else {
        return Ok(out);
    };
    let mut r = Reader::new(body);
    match info.kx {
        Kx::Ecdhe => {
            let curve_type = r.u8().ok_or_else(short)?;
            if curve_type != 3 {
                return Err(malformed(WHAT, format!("curve type {curve_type} (only named_curve is used by TLS servers)")));
            }
            out.group = Some(NamedGroup(r.u16().ok_or_else(short)?));
            r.vec8().ok_or_else(short)?;
        }
        Kx::Dhe => {
            let p = r.vec16().ok_or_else(short)?;
            let significant = p.iter().skip_while(|&&b| b == 0).count();
            let top = p.iter().find(|&&b| b != 0).map_or(0, |b| 8 - b.leading_zeros());
            out.dh_bits = Some((significant.saturating_sub(1) as u32).saturating_mul(8).saturating_add(top));
            r.vec16().ok_or_else(short)?; // g
            r.vec16().ok_or_else(short)?; // Ys
        }
        Kx::Rsa | Kx::Any => return Ok(out),
    }
    if version >= TlsVersion::TLSv1_2 && info.au != Au::Anon {
        out.signature = Some(SignatureScheme(r.u16().ok_or_else(short)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&version.to_be_bytes());
        v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    /// ServerHello body: version, random, 0-byte session id, suite, compression, extensions.
    fn server_hello(version: u16, random: [u8; 32], suite: u16, exts: Option<&[(u16, &[u8])]>) -> Vec<u8> {
        let mut b = version.to_be_bytes().to_vec();
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        if let Some(exts) = exts {
            let mut all = Vec::new();
            for (t, d) in exts {
                all.extend_from_slice(&t.to_be_bytes());
                all.extend_from_slice(&(d.len() as u16).to_be_bytes());
                all.extend_from_slice(d);
            }
            b.extend_from_slice(&(all.len() as u16).to_be_bytes());
            b.extend_from_slice(&all);
        }
        b
    }

    fn hello_of(reply: Reply) -> ServerHello {
        match reply {
            Reply::Hello(h) => h,
            other => panic!("expected a ServerHello, got {other:?}"),
        }
    }

    fn check(input: &[u8], want: Want, expected: Result<Parsed, ParseError>) {
        assert_eq!(parse_reply(input, want), expected, "input {input:02x?}");
    }

    #[test]
    fn alerts() {
        fn alert(desc: u8) -> Result<Parsed, ParseError> {
            Ok(Parsed::Done(Reply::Alert(Alert { level: 2, description: desc })))
        }
        check(&record(21, 0x0303, &[2, 70]), Want::ServerHello, alert(70));
        check(&record(21, 0x0301, &[2, 40]), Want::ServerHello, alert(40));
        check(&record(21, 0x0300, &[2, 71]), Want::KeyExchange, alert(71));
        check(&record(21, 0x0303, &[2]), Want::ServerHello, Err(malformed("alert", "1 bytes instead of 2")));
        check(&record(21, 0x0303, &[2, 70])[..6], Want::ServerHello, Ok(Parsed::NeedMore));
        let a = Alert { level: 2, description: 70 };
        assert_eq!(a.to_string(), "fatal protocol_version(70)");
        assert_eq!(Alert { level: 2, description: 40 }.description_name(), "handshake_failure");
        assert_eq!(Alert { level: 2, description: 71 }.description_name(), "insufficient_security");
        assert_eq!(Alert { level: 7, description: 200 }.to_string(), "level 7 alert_200(200)");
    }

    #[test]
    fn other_peers() {
        check(&[], Want::ServerHello, Ok(Parsed::NeedMore));
        check(&[0x84, 0x2e, 0x04, 0x00], Want::ServerHello, Ok(Parsed::Done(Reply::SslV2 { message_type: 4 })));
        check(&[0x80, 0x03, 0x00, 0x00, 0x01], Want::ServerHello, Ok(Parsed::Done(Reply::SslV2 { message_type: 0 })));
        check(
            b"HTTP/1.1 400 Bad Request\r\n",
            Want::ServerHello,
            Ok(Parsed::Done(Reply::NotTls { first_bytes: b"HTTP/1.1 400 Bad".to_vec() })),
        );
        check(&[0x16, 0x01, 0, 0], Want::ServerHello, Ok(Parsed::Done(Reply::NotTls { first_bytes: vec![0x16, 1, 0, 0] })));
        let mut pg = vec![b'E'];
        let body = b"SFATAL\0C08P01\0Munsupported frontend protocol 5635.1\0\0";
        pg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        pg.extend_from_slice(body);
        let expected = Reply::Postgres(PgError {
            severity: Some("FATAL".into()),
            code: Some("08P01".into()),
            message: "unsupported frontend protocol 5635.1".into(),
            ..Default::default()
        });
        check(&pg, Want::ServerHello, Ok(Parsed::Done(expected.clone())));
        check(&pg[..10], Want::ServerHello, Ok(Parsed::NeedMore));
        assert_eq!(parse_final(&pg[..20], Want::ServerHello).map(|r| matches!(r, Reply::Postgres(_))), Ok(true));
        assert_eq!(parse_final(&[], Want::ServerHello), Ok(Reply::Closed));
    }

    #[test]
    fn tls12_server_hello() {
        let sh = server_hello(0x0303, [5; 32], 0xC02F, Some(&[(0xFF01, &[0]), (0x0017, &[]), (0x0010, b"\x00\x0b\x0apostgresql")]));
        let wire = record(22, 0x0303, &handshake(2, &sh));
        let h = match parse_reply(&wire, Want::ServerHello) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        assert_eq!(h.version, TlsVersion::TLSv1_2);
        assert_eq!(h.cipher, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        assert_eq!(h.extensions, vec![0xFF01, 0x0017, 0x0010]);
        assert_eq!(h.alpn.as_deref(), Some(&b"postgresql"[..]));
        assert!(!h.hello_retry);
        // Every strict prefix asks for more.
        for n in 0..wire.len() {
            check(&wire[..n], Want::ServerHello, Ok(Parsed::NeedMore));
        }
    }

    #[test]
    fn sslv3_hello_without_extensions() {
        let sh = server_hello(0x0300, [1; 32], 0x000A, None);
        let wire = record(22, 0x0300, &handshake(2, &sh));
        let h = match parse_reply(&wire, Want::ServerHello) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        assert_eq!((h.version, h.cipher, h.extensions.len()), (TlsVersion::SSLv3, CipherSuite(0x000A), 0));
    }

    #[test]
    fn tls13_hello_and_retry() {
        let share = [&[0x00, 0x17][..], &[0x00, 0x41], &[4; 65]].concat();
        let sh = server_hello(0x0303, [9; 32], 0x1302, Some(&[(43, &[0x03, 0x04]), (51, &share)]));
        let mut wire = record(22, 0x0303, &handshake(2, &sh));
        wire.extend_from_slice(&record(20, 0x0303, &[1]));
        let h = match parse_reply(&wire, Want::KeyExchange) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        assert_eq!((h.version, h.cipher, h.group), (TlsVersion::TLSv1_3, CipherSuite(0x1302), Some(NamedGroup::secp256r1)));

        let hrr = server_hello(0x0303, HRR_RANDOM, 0x1301, Some(&[(43, &[0x03, 0x04]), (51, &[0x00, 0x18])]));
        let wire = record(22, 0x0303, &handshake(2, &hrr));
        let h = match parse_reply(&wire, Want::ServerHello) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        assert!(h.hello_retry);
        assert_eq!(h.group, Some(NamedGroup::secp384r1));
    }

    #[test]
    fn tls12_key_exchange_across_records() {
        let sh = server_hello(0x0303, [5; 32], 0xC02F, Some(&[]));
        let cert = handshake(11, &[0, 0, 3, 0, 0, 0]);
        let mut ske = vec![3, 0x00, 0x1D, 32];
        ske.extend_from_slice(&[8; 32]);
        ske.extend_from_slice(&[0x08, 0x04, 0x00, 0x02, 0xAA, 0xBB]);
        let flight = [handshake(2, &sh), cert, handshake(12, &ske), handshake(14, &[])].concat();
        // Split the flight into small records, as some servers do.
        let mut wire = Vec::new();
        for chunk in flight.chunks(7) {
            wire.extend_from_slice(&record(22, 0x0303, chunk));
        }
        let h = match parse_reply(&wire, Want::KeyExchange) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        let kx = h.key_exchange.unwrap_or_default();
        assert_eq!(kx.group, Some(NamedGroup::x25519));
        assert_eq!(kx.signature.map(|s| s.name()), Some("rsa_pss_rsae_sha256".to_string()));

        // DHE: prime size is reported in bits.
        let sh = server_hello(0x0303, [5; 32], 0x009E, Some(&[]));
        let mut ske = vec![0x01, 0x00, 0x80];
        ske.extend_from_slice(&[0xFF; 255]);
        ske.extend_from_slice(&[0, 1, 2, 0, 1, 7, 0x06, 0x01, 0, 0]);
        let wire = record(22, 0x0303, &[handshake(2, &sh), handshake(12, &ske)].concat());
        let kx = match parse_reply(&wire, Want::KeyExchange) {
            Ok(Parsed::Done(r)) => hello_of(r).key_exchange.unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        assert_eq!(kx.dh_bits, Some(2048));
        assert_eq!(kx.signature, Some(SignatureScheme(0x0601)));

        // Static RSA: ServerHelloDone without a ServerKeyExchange.
        let sh = server_hello(0x0303, [5; 32], 0x002F, Some(&[]));
        let wire = record(22, 0x0303, &[handshake(2, &sh), handshake(14, &[])].concat());
        let h = match parse_reply(&wire, Want::KeyExchange) {
            Ok(Parsed::Done(r)) => hello_of(r),
            other => panic!("{other:?}"),
        };
        assert_eq!(h.key_exchange, None);
        // Closed right after the ServerHello: still an acceptance.
        let wire = record(22, 0x0303, &handshake(2, &sh));
        assert!(matches!(parse_final(&wire, Want::KeyExchange), Ok(Reply::Hello(_))));
    }

    #[test]
    fn malformed_input() {
        check(&record(22, 0x0303, &[]), Want::ServerHello, Err(malformed("handshake record", "empty fragment")));
        check(&[22, 3, 3, 0x40, 0x01], Want::ServerHello, Err(ParseError::RecordTooLong { len: 0x4001 }));
        check(&record(23, 0x0303, &[1, 2]), Want::ServerHello, Err(ParseError::UnexpectedRecord { typ: 23 }));
        check(&record(22, 0x0303, &handshake(11, &[0])), Want::ServerHello, Err(ParseError::UnexpectedHandshake { typ: 11 }));
        check(
            &record(22, 0x0303, &handshake(2, &[3, 3, 1])),
            Want::ServerHello,
            Err(malformed("ServerHello", "message is too short")),
        );
        let mut sh = server_hello(0x0303, [0; 32], 0x2F, Some(&[(43, &[3])]));
        check(
            &record(22, 0x0303, &handshake(2, &sh)),
            Want::ServerHello,
            Err(malformed("ServerHello", "empty supported_versions")),
        );
        sh = server_hello(0x0303, [0; 32], 0x2F, Some(&[]));
        sh.push(0);
        check(
            &record(22, 0x0303, &handshake(2, &sh)),
            Want::ServerHello,
            Err(malformed("ServerHello", "1 trailing bytes after the extensions")),
        );
        assert_eq!(parse_final(&[22, 3, 3, 0], Want::ServerHello), Err(ParseError::Truncated { have: 4 }));
        // Endless stream of valid-looking but never-finished handshake data is cut off.
        let mut big = Vec::new();
        let mut first = vec![2, 0xFF, 0xFF, 0xFF];
        first.resize(MAX_RECORD, 0);
        big.extend_from_slice(&record(22, 0x0303, &first));
        while big.len() < MAX_TOTAL {
            big.extend_from_slice(&record(22, 0x0303, &vec![0; MAX_RECORD]));
        }
        assert!(matches!(parse_reply(&big, Want::ServerHello), Err(ParseError::Malformed { .. })));
    }

    /// Fuzz-style: xorshift-generated garbage, mutated valid replies and every truncation.
    /// The parser must return (never panic), and a finished parse must be a reply or an error.
    #[test]
    fn never_panics_on_random_bytes() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let seeds: Vec<Vec<u8>> = vec![
            record(22, 0x0303, &handshake(2, &server_hello(0x0303, [5; 32], 0xC02F, Some(&[(0x10, b"\x00\x03\x02h2")])))),
            record(22, 0x0303, &handshake(2, &server_hello(0x0303, HRR_RANDOM, 0x1301, Some(&[(43, &[3, 4]), (51, &[0, 0x1d])])))),
            [
                record(22, 0x0303, &handshake(2, &server_hello(0x0303, [1; 32], 0x009E, Some(&[])))),
                record(22, 0x0303, &handshake(12, &[0, 2, 0xFF, 0xFF, 0, 1, 2, 0, 1, 3, 6, 1, 0, 0])),
            ]
            .concat(),
            record(21, 0x0303, &[2, 70]),
            vec![b'E', 0, 0, 0, 9, b'M', b'x', 0, 0],
        ];
        let (mut hellos, mut alerts, mut errors) = (0u32, 0u32, 0u32);
        for case in 0..100_000u32 {
            let input: Vec<u8> = if case % 2 == 0 {
                let len = (next() % 300) as usize;
                let mut v: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                // Bias towards plausible headers so the deep paths are reached.
                if let Some(b) = v.first_mut() {
                    *b = [20, 21, 22, 23, b'E', 0x80, *b][(next() % 7) as usize];
                }
                if let Some(b) = v.get_mut(1) {
                    *b = 3;
                }
                v
            } else {
                let seed = &seeds[(next() % seeds.len() as u64) as usize];
                let mut v = seed.clone();
                for _ in 0..(next() % 4) {
                    let i = (next() as usize) % v.len();
                    v[i] = next() as u8;
                }
                let cut = (next() as usize) % (v.len() + 1);
                v.truncate(cut);
                v
            };
            for want in [Want::ServerHello, Want::KeyExchange] {
                let _ = parse_reply(&input, want);
                match parse_final(&input, want) {
                    Ok(Reply::Hello(_)) => hellos += 1,
                    Ok(Reply::Alert(_)) => alerts += 1,
                    Ok(_) => {}
                    Err(e) => {
                        errors += 1;
                        assert!(!e.to_string().is_empty());
                    }
                }
            }
        }
        // The mutations must reach the deep paths, not just bounce off the first byte.
        assert!(hellos > 2_000 && alerts > 500 && errors > 10_000, "{hellos} {alerts} {errors}");
    }

    #[test]
    fn certificate_list() {
        // Two entries of 2 and 1 bytes.
        let body = [0, 0, 9, 0, 0, 2, 0xAA, 0xBB, 0, 0, 1, 0xCC];
        assert_eq!(parse_certificate_list(&body), Ok(vec![vec![0xAA, 0xBB], vec![0xCC]]));
        assert_eq!(parse_certificate_list(&[0, 0, 0]), Ok(vec![]));
        for bad in [&[][..], &[0, 0, 5, 0, 0], &[0, 0, 4, 0, 0, 9, 1], &[0, 0, 2, 0, 0]] {
            assert!(parse_certificate_list(bad).is_err(), "{bad:?}");
        }
    }
}