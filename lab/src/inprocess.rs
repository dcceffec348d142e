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

pub struct InProcessServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl InProcessServer {
    pub fn start(tls: &TlsFiles) -> Result<InProcessServer, LabError> {
        let certs: Vec<CertificateDer<'static>> = pem::parse_many(&tls.cert_chain_pem)
            .map_err(|e| LabError::Pki(e.to_string()))?
            .into_iter()
            .map(|p| CertificateDer::from(p.into_contents()))
            .collect();
        let key_der = pem::parse(&tls.key_pem).map_err(|e| LabError::Pki(e.to_string()))?.into_contents();
        let key = PrivateKeyDer::try_from(key_der).map_err(|e| LabError::Pki(e.to_string()))?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| LabError::Pki(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| LabError::Pki(e.to_string()))?;
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
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = [0u8; 8];
                if s.read_exact(&mut req).is_err() || req != crate::SSL_REQUEST {
                    continue;
                }
                if s.write_all(b"S").is_err() {
                    continue;
                }
                let Ok(mut conn) = rustls::ServerConnection::new(config.clone()) else { continue };
                while conn.is_handshaking() {
                    if conn.complete_io(&mut s).is_err() {
                        break;
                    }
                }
                let _ = conn.complete_io(&mut s);
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
