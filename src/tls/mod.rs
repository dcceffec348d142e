//! The TLS handshake that observes: rustls is used as a client that accepts any certificate
//! chain so that it can *record* what the server presents, never decide trust itself
//! (trust is decided later, by libpq's rules, from the recorded facts).

use std::io::{self, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{AlertDescription, ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
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

/// Options for one observing handshake.
#[derive(Debug, Clone, Default)]
pub struct HandshakeOptions {
    /// Host name to send as SNI (None: no SNI, as libpq does for IP addresses or sslsni=0).
    pub sni: Option<String>,
    /// ALPN protocols to offer.
    pub alpn: Vec<Vec<u8>>,
    /// Restrict to TLS 1.2 / 1.3 (both when both false).
    pub only_tls12: bool,
    pub only_tls13: bool,
}

/// The server's handshake signature, checked with the key from our own certificate parser when
/// webpki refuses to parse the certificate (X.509 v1 certificates, which `openssl x509 -req`
/// makes without extensions; unusual extensions): an observer must not invent a failure that
/// OpenSSL clients never see. A bad signature is still an error.
fn raw_key_fallback(
    original: rustls::Error,
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algs: &rustls::crypto::WebPkiSupportedAlgorithms,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    if !matches!(original, rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding | rustls::CertificateError::Other(_))) {
        return Err(original);
    }
    let Ok(parsed) = crate::x509::Cert::from_der(cert, "sent by the server") else { return Err(original) };
    let candidates = algs.mapping.iter().find(|(s, _)| *s == dss.scheme).map(|(_, a)| *a).unwrap_or(&[]);
    if candidates.iter().any(|alg| alg.verify_signature(parsed.public_key_bits(), message, dss.signature()).is_ok()) {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature))
    }
}

/// Records the chain, accepts it, and still checks handshake signatures so the session is
/// real. Used by the probe (which decides trust later, by libpq's rules) and by `sessions`
/// for sslmode prefer/require (encryption without authentication, as libpq does).
#[derive(Debug)]
pub struct RecordingVerifier {
    chain: Mutex<Vec<Vec<u8>>>,
    provider: Arc<CryptoProvider>,
}

impl RecordingVerifier {
    pub fn new(provider: Arc<CryptoProvider>) -> RecordingVerifier {
        RecordingVerifier { chain: Mutex::new(Vec::new()), provider }
    }

    /// The chain the server presented (leaf first), empty before the handshake got there.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        self.chain.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().unwrap_or_else(|p| p.into_inner());
        chain.clear();
        chain.push(end_entity.to_vec());
        chain.extend(intermediates.iter().map(|c| c.to_vec()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algs).or_else(|e| raw_key_fallback(e, message, cert, dss, algs))
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algs).or_else(|e| raw_key_fallback(e, message, cert, dss, algs))
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The outcome of a handshake attempt: facts when it completed, and the chain even when it
/// failed after the server's certificate arrived.
#[derive(Debug, Clone)]
pub struct HandshakeOutcome {
    pub result: Result<TlsFacts, HandshakeError>,
    pub chain_der: Vec<Vec<u8>>,
}

/// Run a TLS handshake over an already negotiated stream, record, then close politely.
pub fn handshake(mut sock: TcpStream, opts: &HandshakeOptions) -> HandshakeOutcome {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(RecordingVerifier::new(provider.clone()));
    let versions: &[&'static rustls::SupportedProtocolVersion] = if opts.only_tls12 {
        &[&rustls::version::TLS12]
    } else if opts.only_tls13 {
        &[&rustls::version::TLS13]
    } else {
        rustls::ALL_VERSIONS
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|e| HandshakeError::Other { message: e.to_string() });
    let config = match config {
        Ok(c) => c,
        Err(e) => return HandshakeOutcome { result: Err(e), chain_der: vec![] },
    };
    let mut config = config.dangerous().with_custom_certificate_verifier(recorder.clone()).with_no_client_auth();
    config.alpn_protocols = opts.alpn.clone();
    config.enable_sni = opts.sni.is_some();
    config.resumption = rustls::client::Resumption::disabled();

    // rustls needs a name to build the hello; with SNI off it is not sent.
    let name = opts
        .sni
        .clone()
        .and_then(|s| ServerName::try_from(s).ok())
        .unwrap_or_else(|| ServerName::try_from("pgtls.invalid").expect("static name is valid"));
    let mut conn = match ClientConnection::new(Arc::new(config), name) {
        Ok(c) => c,
        Err(e) => return HandshakeOutcome { result: Err(HandshakeError::Other { message: e.to_string() }), chain_der: vec![] },
    };

    let result = drive(&mut conn, &mut sock);
    let chain_der = recorder.chain();
    let result = result.map(|()| facts(&conn, chain_der.clone()));
    if result.is_ok() {
        conn.send_close_notify();
        let _ = conn.write_tls(&mut sock);
    }
    let _ = sock.shutdown(std::net::Shutdown::Both);
    HandshakeOutcome { result, chain_der }
}

fn drive(conn: &mut ClientConnection, sock: &mut TcpStream) -> Result<(), HandshakeError> {
    while conn.is_handshaking() {
        while conn.wants_write() {
            conn.write_tls(sock).map_err(io_error)?;
        }
        sock.flush().map_err(io_error)?;
        if !conn.is_handshaking() {
            break;
        }
        if conn.wants_read() {
            let n = conn.read_tls(sock).map_err(io_error)?;
            if n == 0 {
                // Flush any alert rustls queued, then report the close.
                return Err(HandshakeError::Closed);
            }
            if let Err(e) = conn.process_new_packets() {
                while conn.wants_write() {
                    if conn.write_tls(sock).is_err() {
                        break;
                    }
                }
                return Err(rustls_error(e));
            }
        }
    }
    while conn.wants_write() {
        conn.write_tls(sock).map_err(io_error)?;
    }
    Ok(())
}

fn io_error(e: io::Error) -> HandshakeError {
    use io::ErrorKind::*;
    match e.kind() {
        TimedOut | WouldBlock => HandshakeError::Timeout,
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => HandshakeError::Closed,
        _ => HandshakeError::Other { message: e.to_string() },
    }
}

/// OpenSSL's lowercase alert spelling (`protocol version`, `handshake failure`), which is what
/// libpq users see in "tlsv1 alert protocol version".
pub fn alert_name(a: AlertDescription) -> String {
    let dbg = format!("{a:?}");
    let mut out = String::new();
    let mut prev_lower = false;
    for ch in dbg.chars() {
        if ch.is_ascii_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn rustls_error(e: rustls::Error) -> HandshakeError {
    use rustls::Error as E;
    match e {
        E::AlertReceived(a) => HandshakeError::AlertReceived { alert: alert_name(a) },
        E::InvalidMessage(m) => HandshakeError::NotTls { message: format!("{m:?}") },
        E::PeerIncompatible(p) => HandshakeError::Incompatible { message: format!("{p:?}") },
        E::PeerMisbehaved(p) => HandshakeError::Incompatible { message: format!("{p:?}") },
        other => HandshakeError::Other { message: other.to_string() },
    }
}

fn facts(conn: &ClientConnection, chain_der: Vec<Vec<u8>>) -> TlsFacts {
    let version = crate::wire::TlsVersion(conn.protocol_version().map(u16::from).unwrap_or(0));
    let suite = conn.negotiated_cipher_suite().map(|s| s.suite());
    let (cipher, cipher_openssl) = suite.map(suite_names).unwrap_or_default();
    TlsFacts {
        version,
        cipher,
        cipher_openssl,
        group: conn.negotiated_key_exchange_group().map(|g| group_name(g.name())),
        alpn: conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        chain_der,
    }
}

/// IANA and OpenSSL names, from the scanner's suite table (one table for the whole crate).
fn suite_names(s: rustls::CipherSuite) -> (String, String) {
    let suite = scan::CipherSuite(u16::from(s));
    (suite.name(), suite.openssl_name())
}

fn group_name(g: rustls::NamedGroup) -> String {
    use rustls::NamedGroup as G;
    match g {
        G::X25519 => "X25519".into(),
        G::secp256r1 => "P-256".into(),
        G::secp384r1 => "P-384".into(),
        G::secp521r1 => "P-521".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_match_openssl_spelling() {
        assert_eq!(alert_name(AlertDescription::ProtocolVersion), "protocol version");
        assert_eq!(alert_name(AlertDescription::HandshakeFailure), "handshake failure");
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown ca");
    }
}
pub mod scan;
