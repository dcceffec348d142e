//! What a TLS handshake showed, as values: the session's parameters and the chain, or why it
//! did not complete. The handshakes themselves are in `pgtls::tls`.

use serde::{Deserialize, Serialize};

/// What a completed handshake revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsFacts {
    /// The negotiated version (`TLSv1.3` in JSON, OpenSSL's and PostgreSQL's spelling).
    pub version: crate::wire::TlsVersion,
    /// IANA cipher suite name, e.g. `TLS_AES_256_GCM_SHA384`.
    pub cipher: String,
    /// OpenSSL's name for the same suite (what `openssl s_client` and pg_stat_ssl show).
    pub cipher_openssl: String,
    /// Key-exchange group, e.g. `X25519`.
    pub group: Option<String>,
    /// ALPN protocol the server selected.
    pub alpn: Option<String>,
    /// Certificates in the order the server sent them (DER).
    #[serde(skip)]
    pub chain_der: Vec<Vec<u8>>,
    /// The server asked for a client certificate (it has an ssl_ca_file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_request: Option<CertRequest>,
}

/// Why the handshake did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HandshakeError {
    /// The server sent a TLS alert (its reason for refusing us).
    #[error("the server sent TLS alert \"{alert}\"")]
    AlertReceived { alert: String },
    /// We would have sent an alert (e.g. no common cipher suite or version).
    #[error("TLS negotiation failed: {message}")]
    Incompatible { message: String },
    /// The server closed or reset the connection mid-handshake.
    #[error("the server closed the connection during the TLS handshake")]
    Closed,
    #[error("no answer during the TLS handshake before the timeout")]
    Timeout,
    #[error("the server's answer is not TLS: {message}")]
    NotTls { message: String },
    /// A handshake message over rustls's 64 kB limit (usually an enormous certificate chain).
    /// OpenSSL, and so libpq, accepts a certificate chain up to 100 kB by default
    /// (SSL_CTX_set_max_cert_list(3)), so between the two limits psql may connect.
    #[error("the server sent a handshake message larger than 64 kB (a certificate chain that big?); pgtls's TLS library stops there. libpq's OpenSSL accepts a certificate chain up to 100 kB by default, so if this one is smaller psql may still connect: pgtls could not check the chain")]
    TooLarge,
    #[error("TLS handshake failed: {message}")]
    Other { message: String },
}

impl HandshakeError {
    /// The alert description name, when the server sent one.
    pub fn alert(&self) -> Option<&str> {
        match self {
            HandshakeError::AlertReceived { alert } => Some(alert),
            _ => None,
        }
    }
}

/// A certificate key type, as the signature schemes a client offers select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyFamily {
    Rsa,
    Ecdsa,
}

impl KeyFamily {
    pub fn name(self) -> &'static str {
        match self {
            KeyFamily::Rsa => "RSA",
            KeyFamily::Ecdsa => "ECDSA",
        }
    }
}

/// The server's CertificateRequest: which CAs it accepts client certificates from, and whether
/// pgtls presented one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertRequest {
    /// Distinguished names of the acceptable CAs (from the server's ssl_ca_file).
    pub acceptable_cas: Vec<String>,
    /// A certificate was sent in answer.
    pub sent: bool,
}

/// A client certificate chain and its private key (DER). The key signs the handshake; it is
/// never printed and never sent.
#[derive(Clone)]
pub struct ClientAuth {
    pub chain: Vec<Vec<u8>>,
    pub key: Vec<u8>,
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth").field("chain", &self.chain.len()).field("key", &"<redacted>").finish()
    }
}
