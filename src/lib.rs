//! pgtls — the PostgreSQL TLS doctor.
pub mod findings;
pub mod wire;
pub mod x509;
pub mod net;
pub mod tls;
pub mod probe;
pub mod checks;
pub mod lab;
pub mod report;
pub mod sessions;
pub mod fleet;
pub mod conninfo;
pub mod config;
pub mod client;
pub mod trust;
pub mod verify;
