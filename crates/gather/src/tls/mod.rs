//! The TLS handshake that observes: rustls is used as a client that accepts any certificate
//! chain so that it can *record* what the server presents, never decide trust itself
//! (trust is decided later, by libpq's rules, from the recorded facts).

use std::io::{self, Write};
use crate::conn::Conn;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{AlertDescription, ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
pub use pgtls_core::gathered::tls::{CertRequest, ClientAuth, HandshakeError, KeyFamily, TlsFacts};

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
    /// The client certificate to present when the server asks for one (libpq's sslcert/sslkey
    /// with sslcertmode allow or require).
    pub client_auth: Option<ClientAuth>,
    /// Offer only this family's signature schemes (`protocols`: which certificate key types
    /// the server has); None: every scheme the provider verifies.
    pub signatures: Option<KeyFamily>,
}


/// The signature schemes that select a certificate of this key family.
fn admits(family: KeyFamily, s: SignatureScheme) -> bool {
    use SignatureScheme as S;
    match family {
        KeyFamily::Rsa => matches!(
            s,
            S::RSA_PKCS1_SHA1 | S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512 | S::RSA_PSS_SHA256 | S::RSA_PSS_SHA384 | S::RSA_PSS_SHA512
        ),
        KeyFamily::Ecdsa => matches!(s, S::ECDSA_SHA1_Legacy | S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 | S::ECDSA_NISTP521_SHA512),
    }
}

/// Presents the configured client certificate when asked, and records the request.
#[derive(Debug)]
struct RecordingClientAuth {
    key: Option<Arc<rustls::sign::CertifiedKey>>,
    request: Mutex<Option<CertRequest>>,
}

impl rustls::client::ResolvesClientCert for RecordingClientAuth {
    fn resolve(&self, root_hint_subjects: &[&[u8]], _sigschemes: &[SignatureScheme]) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let acceptable_cas = root_hint_subjects.iter().map(|dn| crate::x509::dn_to_string(dn)).collect();
        *self.request.lock().unwrap_or_else(|p| p.into_inner()) = Some(CertRequest { acceptable_cas, sent: self.key.is_some() });
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        true // answer every request, so that the request itself is recorded
    }
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
    /// Offer only this family's signature schemes.
    only: Option<KeyFamily>,
}

impl RecordingVerifier {
    pub fn new(provider: Arc<CryptoProvider>) -> RecordingVerifier {
        RecordingVerifier { chain: Mutex::new(Vec::new()), provider, only: None }
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
        let all = self.provider.signature_verification_algorithms.supported_schemes();
        all.into_iter().filter(|s| self.only.is_none_or(|f| admits(f, *s))).collect()
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
pub fn handshake(sock: Conn, opts: &HandshakeOptions) -> HandshakeOutcome {
    handshake_then(sock, opts, |_| ()).0
}

/// A TLS session after a completed handshake, for the startup phase.
pub type Session = rustls::StreamOwned<ClientConnection, Conn>;

/// Run a TLS handshake, then `then` over the open session (when the handshake completed),
/// then close politely.
pub fn handshake_then<T>(mut sock: Conn, opts: &HandshakeOptions, then: impl FnOnce(&mut Session) -> T) -> (HandshakeOutcome, Option<T>) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(RecordingVerifier { only: opts.signatures, ..RecordingVerifier::new(provider.clone()) });
    let versions: &[&'static rustls::SupportedProtocolVersion] = if opts.only_tls12 {
        &[&rustls::version::TLS12]
    } else if opts.only_tls13 {
        &[&rustls::version::TLS13]
    } else {
        rustls::ALL_VERSIONS
    };
    let fail = |e: HandshakeError| (HandshakeOutcome { result: Err(e), chain_der: vec![] }, None);
    let config = match ClientConfig::builder_with_provider(provider.clone()).with_protocol_versions(versions) {
        Ok(c) => c,
        Err(e) => return fail(HandshakeError::Other { message: e.to_string() }),
    };
    let key = match &opts.client_auth {
        Some(a) => match certified_key(a, &provider) {
            Ok(k) => Some(Arc::new(k)),
            Err(message) => return fail(HandshakeError::Other { message }),
        },
        None => None,
    };
    let client_auth = Arc::new(RecordingClientAuth { key, request: Mutex::new(None) });
    let mut config = config.dangerous().with_custom_certificate_verifier(recorder.clone()).with_client_cert_resolver(client_auth.clone());
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
        Err(e) => return fail(HandshakeError::Other { message: e.to_string() }),
    };

    let result = drive(&mut conn, &mut sock);
    let chain_der = recorder.chain();
    let cert_request = client_auth.request.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let result = result.map(|()| TlsFacts { cert_request, ..facts(&conn, chain_der.clone()) });
    let mut after = None;
    if result.is_ok() {
        let mut session = rustls::StreamOwned::new(conn, sock);
        after = Some(then(&mut session));
        session.conn.send_close_notify();
        let _ = session.conn.write_tls(&mut session.sock);
        let _ = session.sock.shutdown(std::net::Shutdown::Both);
    } else {
        let _ = sock.shutdown(std::net::Shutdown::Both);
    }
    (HandshakeOutcome { result, chain_der }, after)
}

fn certified_key(a: &ClientAuth, provider: &CryptoProvider) -> Result<rustls::sign::CertifiedKey, String> {
    let key = rustls::pki_types::PrivateKeyDer::try_from(a.key.clone()).map_err(|e| format!("the client key is not a private key: {e}"))?;
    let signing = provider.key_provider.load_private_key(key).map_err(|e| format!("the client key cannot sign: {e}"))?;
    Ok(rustls::sign::CertifiedKey::new(a.chain.iter().map(|c| CertificateDer::from(c.clone())).collect(), signing))
}

/// The TLS alert a failed read or write during the session carried, if any (e.g. the server
/// refusing our client certificate after the handshake: "unknown ca", "certificate required").
pub fn alert_of(e: &io::Error) -> Option<String> {
    match e.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(a) => Some(alert_name(*a)),
        _ => None,
    }
}

fn drive(conn: &mut ClientConnection, sock: &mut Conn) -> Result<(), HandshakeError> {
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
        E::InvalidMessage(rustls::InvalidMessage::HandshakePayloadTooLarge) => HandshakeError::TooLarge,
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
        cert_request: None,
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
