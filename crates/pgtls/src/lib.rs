//! pgtls — the PostgreSQL TLS doctor: the commands (`run`, one function per command returning
//! a typed report) and every renderer (`report`: human; JSON, CSV, JSONL, HTML and Prometheus
//! are the reports' serialised forms). Judging is the core's (`pgtls_core`), gathering is
//! `pgtls_gather`'s, text recognition `pgtls_text`'s; their modules are re-exported here under
//! their own names, so `pgtls::probe::probe` and `pgtls::checks::run` are one library.

// The core's modules (`crate::x509::Cert` is the core's `Cert`).
pub use pgtls_core::{checks, facts, findings, profile, stack, wire, x509};
// The text crate's modules: log lines, the recognisers, the log scanner.
pub use pgtls_text::{explain, logs, pglog};
// Gathering's modules.
pub use pgtls_gather::{client, config, conn, conninfo, files, net, probe, sessions, tls, trust, verify};

pub mod report;
pub mod run;

// The shape the code promises (one-way module graph, one certificate parser, one file opener,
// a core and a text crate without I/O) is checked on the source by the binary's crate, beside
// the crate graph: `src/main.rs`, `architecture`.
