//! pgtls — the PostgreSQL TLS doctor.

// The core's modules, under their own names (`crate::x509::Cert` is the core's `Cert`).
pub use pgtls_core::{findings, stack, wire, x509};
// The text crate's modules: log lines, the recognisers, the log scanner.
pub use pgtls_text::{explain, logs, pglog};
pub mod conn;
pub mod files;
pub mod net;
pub mod tls;
pub mod probe;
pub use pgtls_core::profile;
pub use pgtls_core::checks;
pub mod facts;
pub mod report;
pub mod sessions;
pub mod conninfo;
pub mod config;
pub mod client;
pub mod trust;
pub mod verify;
pub mod run;

// The shape the code promises (one-way module graph, judging reads nothing, one certificate
// parser, one file opener) is checked on the source by the binary's crate, beside the crate
// graph: `src/main.rs`, `architecture`.
