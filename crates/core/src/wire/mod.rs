//! PostgreSQL's pre-TLS negotiation, without sockets.
//!
//! A libpq client opens TCP and sends an 8-byte SSLRequest; the server answers with one
//! byte, `S` (go ahead with TLS) or `N` (no TLS). Old servers, and anything that is not a
//! PostgreSQL server, may answer differently: an `E` ErrorResponse (e.g. a pre-7.0 server, or a
//! connection limit hit before the request is read), HTTP text from a proxy, or nothing at all.
//! PostgreSQL 17 added "direct SSL": the client starts TLS at once with ALPN `postgresql`.
//! This module encodes the request and classifies the reply; `net` does the I/O. [`startup`]
//! does the same for the StartupMessage and the server's first answers after TLS.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

pub mod startup;

/// SSLRequest: length 8, request code 80877103 (1234 << 16 | 5679).
pub const SSL_REQUEST: [u8; 8] = [0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f];

/// GSSENCRequest code, for recognising what a client sent in logs and tests.
pub const GSSENC_REQUEST: [u8; 8] = [0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x30];

/// The ALPN protocol name PostgreSQL 17+ requires on direct SSL connections.
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// What the first byte of the server's reply to SSLRequest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SslReply {
    /// `S`: proceed with the TLS handshake.
    Accept,
    /// `N`: the server will not do TLS on this connection.
    Refuse,
    /// `E`: an ErrorResponse follows (read it with [`ErrorResponse::parse`]).
    Error,
    /// Anything else: not a PostgreSQL server, or a proxy that does not understand
    /// SSLRequest. Carries the first byte.
    Unexpected(u8),
}

impl SslReply {
    pub fn from_byte(b: u8) -> SslReply {
        match b {
            b'S' => SslReply::Accept,
            b'N' => SslReply::Refuse,
            b'E' => SslReply::Error,
            other => SslReply::Unexpected(other),
        }
    }
}

/// A parsed ErrorResponse (or NoticeResponse) body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorResponse {
    /// `S`/`V`: localised and non-localised severity (FATAL, ERROR …).
    pub severity: Option<String>,
    /// `C`: SQLSTATE.
    pub code: Option<String>,
    /// `M`: primary message.
    pub message: String,
    /// `D`: detail.
    pub detail: Option<String>,
    /// `H`: hint.
    pub hint: Option<String>,
}

/// Errors decoding an ErrorResponse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("ErrorResponse length {0} is invalid (must be 4..=65536 bytes)")]
    BadLength(u32),
    #[error("ErrorResponse is truncated: expected {expected} bytes, got {got}")]
    Truncated { expected: usize, got: usize },
}

/// Upper bound on an ErrorResponse we accept before the handshake (PostgreSQL sends a few
/// hundred bytes; anything huge is garbage).
pub const MAX_ERROR_RESPONSE: u32 = 65536;

impl ErrorResponse {
    /// Length of the body that follows the `E` byte, from the 4-byte length word (which
    /// counts itself).
    pub fn body_len(len_word: [u8; 4]) -> Result<usize, WireError> {
        let len = u32::from_be_bytes(len_word);
        if !(4..=MAX_ERROR_RESPONSE).contains(&len) {
            return Err(WireError::BadLength(len));
        }
        Ok(len as usize - 4)
    }

    /// Parse the field list (`type byte, C string` repeated, ended by a zero byte).
    /// Tolerant: unknown fields are skipped, a missing terminator ends the list.
    pub fn parse(body: &[u8]) -> ErrorResponse {
        let mut out = ErrorResponse::default();
        let mut rest = body;
        while let Some((&kind, tail)) = rest.split_first() {
            if kind == 0 {
                break;
            }
            let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
            let value = String::from_utf8_lossy(&tail[..end]).into_owned();
            rest = tail.get(end + 1..).unwrap_or(&[]);
            match kind {
                b'V' => out.severity = Some(value),
                b'S' if out.severity.is_none() => out.severity = Some(value),
                b'C' => out.code = Some(value),
                b'M' => out.message = value,
                b'D' => out.detail = Some(value),
                b'H' => out.hint = Some(value),
                _ => {}
            }
        }
        out
    }
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.severity {
            write!(f, "{s}:  ")?;
        }
        f.write_str(&self.message)?;
        if let Some(d) = &self.detail {
            write!(f, "\nDETAIL:  {d}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\nHINT:  {h}")?;
        }
        Ok(())
    }
}

/// Describe an unexpected first byte for humans: a printable character, or hex.
pub fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}' (0x{b:02x})", b as char)
    } else {
        format!("0x{b:02x}")
    }
}


/// A TLS protocol version as it appears on the wire (`0x0303` is TLS 1.2): the one version type
/// of pgtls, for the scanner (which must name values nobody named), the handshake facts, libpq's
/// `ssl_min/max_protocol_version`, the server's settings and drivers' settings alike.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TlsVersion(pub u16);

#[allow(non_upper_case_globals)]
impl TlsVersion {
    pub const SSLv2: TlsVersion = TlsVersion(0x0002);
    pub const SSLv3: TlsVersion = TlsVersion(0x0300);
    pub const TLSv1_0: TlsVersion = TlsVersion(0x0301);
    pub const TLSv1_1: TlsVersion = TlsVersion(0x0302);
    pub const TLSv1_2: TlsVersion = TlsVersion(0x0303);
    pub const TLSv1_3: TlsVersion = TlsVersion(0x0304);

    /// The versions the scanner probes, oldest first.
    pub const SCANNED: [TlsVersion; 5] = [
        TlsVersion::SSLv3,
        TlsVersion::TLSv1_0,
        TlsVersion::TLSv1_1,
        TlsVersion::TLSv1_2,
        TlsVersion::TLSv1_3,
    ];

    /// OpenSSL/PostgreSQL spelling (`TLSv1`, `TLSv1.2`, as in `ssl_min_protocol_version`), or
    /// `0x7F1C` for other values.
    pub fn name(self) -> String {
        match self {
            TlsVersion::SSLv2 => "SSLv2".into(),
            TlsVersion::SSLv3 => "SSLv3".into(),
            TlsVersion::TLSv1_0 => "TLSv1".into(),
            TlsVersion::TLSv1_1 => "TLSv1.1".into(),
            TlsVersion::TLSv1_2 => "TLSv1.2".into(),
            TlsVersion::TLSv1_3 => "TLSv1.3".into(),
            TlsVersion(v) => format!("{v:#06X}").replace("0X", "0x"),
        }
    }

    /// Parses the names produced by [`TlsVersion::name`] (also `TLSv1.0`, case-insensitive).
    pub fn from_name(name: &str) -> Option<TlsVersion> {
        Some(match name.to_ascii_lowercase().as_str() {
            "sslv3" => TlsVersion::SSLv3,
            "tlsv1" | "tlsv1.0" => TlsVersion::TLSv1_0,
            "tlsv1.1" => TlsVersion::TLSv1_1,
            "tlsv1.2" => TlsVersion::TLSv1_2,
            "tlsv1.3" => TlsVersion::TLSv1_3,
            _ => return None,
        })
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Debug for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for TlsVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl TlsVersion {
    /// libpq's and PostgreSQL's `ssl_min_protocol_version` values: TLSv1 … TLSv1.3
    /// (case-insensitive, as both compare them); SSLv3 is not a value they accept.
    pub fn parse_pg(s: &str) -> Option<TlsVersion> {
        TlsVersion::from_name(s).filter(|v| *v >= TlsVersion::TLSv1_0 && !s.eq_ignore_ascii_case("tlsv1.0"))
    }

    /// Is this version deprecated (RFC 8996: below TLS 1.2)?
    pub fn is_legacy(self) -> bool {
        self < TlsVersion::TLSv1_2
    }
}

impl<'de> Deserialize<'de> for TlsVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TlsVersion, D::Error> {
        let s = String::deserialize(d)?;
        if let Some(v) = TlsVersion::from_name(&s) {
            return Ok(v);
        }
        s.strip_prefix("0x")
            .and_then(|h| u16::from_str_radix(h, 16).ok())
            .map(TlsVersion)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown TLS version {s:?}")))
    }
}

/// Versions compare with their names (`TLSv1.2`), so tests and tables can stay strings.
impl PartialEq<&str> for TlsVersion {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// How TLS is started, libpq's `sslnegotiation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SslNegotiation {
    /// SSLRequest first, TLS after an `S`.
    #[default]
    Postgres,
    /// TLS at once, ALPN `postgresql` (PostgreSQL 17+).
    Direct,
}

impl SslNegotiation {
    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslNegotiation::Postgres => "postgres",
            SslNegotiation::Direct => "direct",
        }
    }

    pub fn parse(s: &str) -> Option<SslNegotiation> {
        match s {
            "postgres" => Some(SslNegotiation::Postgres),
            "direct" => Some(SslNegotiation::Direct),
            _ => None,
        }
    }
}

impl fmt::Display for SslNegotiation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssl_request_code() {
        let code = u32::from_be_bytes(SSL_REQUEST[4..8].try_into().unwrap());
        assert_eq!(code, (1234 << 16) | 5679);
        assert_eq!(u32::from_be_bytes(SSL_REQUEST[0..4].try_into().unwrap()), 8);
    }

    #[test]
    fn reply_bytes() {
        for (b, want) in [
            (b'S', SslReply::Accept),
            (b'N', SslReply::Refuse),
            (b'E', SslReply::Error),
            (b'H', SslReply::Unexpected(b'H')),
            (0x16, SslReply::Unexpected(0x16)),
        ] {
            assert_eq!(SslReply::from_byte(b), want);
        }
    }

    #[test]
    fn error_response_fields() {
        let body = b"SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry\0Hmaybe\0\0";
        let e = ErrorResponse::parse(body);
        assert_eq!(e.severity.as_deref(), Some("FATAL"));
        assert_eq!(e.code.as_deref(), Some("28000"));
        assert_eq!(e.message, "no pg_hba.conf entry");
        assert_eq!(e.hint.as_deref(), Some("maybe"));
        assert_eq!(e.to_string(), "FATAL:  no pg_hba.conf entry\nHINT:  maybe");
    }

    #[test]
    fn error_response_garbage_never_panics() {
        for body in [&b""[..], b"\0", b"M", b"Mabc", b"\xff\xfe\0\0", b"Z\0Z\0Z"] {
            let _ = ErrorResponse::parse(body);
        }
        assert_eq!(ErrorResponse::body_len([0, 0, 0, 3]), Err(WireError::BadLength(3)));
        assert_eq!(ErrorResponse::body_len([0, 0, 0, 10]), Ok(6));
        assert!(ErrorResponse::body_len([0x7f, 0, 0, 0]).is_err());
    }
}
