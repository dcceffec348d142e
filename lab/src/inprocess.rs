//! An in-process endpoint that speaks SSLRequest and then TLS (rustls server) with a given
//! chain: what `pgtls demo` uses on a machine without PostgreSQL server binaries. It answers
//! the handshake and nothing more (no PostgreSQL protocol after TLS).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use super::{io_err, LabError, TlsFiles};

/// What the in-process server does after its TLS handshake, on the TLS stream.
pub type AfterHandshake = Arc<dyn Fn(&mut rustls::StreamOwned<rustls::ServerConnection, std::net::TcpStream>) + Send + Sync>;

pub struct InProcessServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl InProcessServer {
    pub fn start(tls: &TlsFiles) -> Result<InProcessServer, LabError> {
        let certs: Vec<Vec<u8>> = pem::parse_many(&tls.cert_chain_pem)
            .map_err(|e| LabError::Pki(e.to_string()))?
            .into_iter()
            .map(|p| p.into_contents())
            .collect();
        InProcessServer::start_with(certs, &tls.key_pem, None)
    }

    /// Serve any certificate list (DER, leaf first; the others are sent as they are, however
    /// many or large) and run `after` on the TLS stream once the handshake is done; each
    /// connection on its own thread.
    pub fn start_with(chain: Vec<Vec<u8>>, key_pem: &str, after: Option<AfterHandshake>) -> Result<InProcessServer, LabError> {
        let certs: Vec<CertificateDer<'static>> = chain.into_iter().map(CertificateDer::from).collect();
        let key_der = pem::parse(key_pem).map_err(|e| LabError::Pki(e.to_string()))?.into_contents();
        let key = PrivateKeyDer::try_from(key_der).map_err(|e| LabError::Pki(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let signing_key = provider.key_provider.load_private_key(key).map_err(|e| LabError::Pki(e.to_string()))?;
        // The certificates are served as given, not checked: hostile tests send absurd ones.
        let certified = Arc::new(rustls::sign::CertifiedKey::new(certs, signing_key));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| LabError::Pki(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(certified)));
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        let config = Arc::new(config);

        let listener = TcpListener::bind("127.0.0.1:0").map_err(io_err("binding the demo endpoint"))?;
        let port = listener.local_addr().map_err(io_err("demo endpoint"))?.port();
        listener.set_nonblocking(true).map_err(io_err("demo endpoint"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                let config = config.clone();
                let after = after.clone();
                std::thread::spawn(move || {
                    let _ = s.set_nonblocking(false);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                    let mut req = [0u8; 8];
                    if s.read_exact(&mut req).is_err() || req != crate::SSL_REQUEST {
                        return;
                    }
                    if s.write_all(b"S").is_err() {
                        return;
                    }
                    let Ok(mut conn) = rustls::ServerConnection::new(config) else { return };
                    while conn.is_handshaking() {
                        if conn.complete_io(&mut s).is_err() {
                            return;
                        }
                    }
                    match after {
                        Some(f) => f(&mut rustls::StreamOwned::new(conn, s)),
                        None => {
                            let _ = conn.complete_io(&mut s);
                        }
                    }
                });
            }
        });
        Ok(InProcessServer { port, stop, thread: Some(thread) })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for InProcessServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Always the same certificate list and key, whatever the client asks for.
#[derive(Debug)]
struct Fixed(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}
