//! pgtls's gathering: everything that touches the world — name resolution and TCP under
//! timeouts (`net`, `conn`), the recording TLS handshake and the raw scanner (`tls`), probes of
//! an endpoint (`probe`), SQL sessions (`sessions`), the client's files and trust stores
//! (`client`, `trust`), server and pooler configuration on disk (`config`), the process
//! environment behind libpq's rules (`conninfo::SystemEnv`) and rotation profiles given as files
//! (`verify`). It fills the core's facts and decides nothing the core could: the verdicts and
//! the checks are `pgtls_core`'s.
//!
//! Each module re-exports the core's values of its concern (`probe::ProbeFacts` is
//! `pgtls_core::gathered::probe::ProbeFacts`), so gathering and its callers speak one model.

// The core's modules, under their own names (`crate::x509::Cert` is the core's `Cert`).
pub use pgtls_core::{checks, facts, findings, pem, profile, scan, stack, wire, x509};
// What a refusal's words are is recognised when it is gathered (`probe`).

pub mod client;
pub mod config;
pub mod conn;
pub mod conninfo;
pub mod files;
pub mod net;
pub mod probe;
pub mod sessions;
pub mod tls;
pub mod trust;
pub mod verify;
