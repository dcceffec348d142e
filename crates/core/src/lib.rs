//! pgtls's core: the values every other part speaks in, and nothing that touches the world.
//!
//! - [`findings`]: finding codes (a public interface), severities, the catalogue texts in
//!   en/zh/ja and the exit-status rule;
//! - [`wire`]: PostgreSQL's SSL negotiation values (SSLRequest, TLS versions, ErrorResponse);
//! - [`x509`]: the one certificate model, parsed once, with libpq's name rules;
//! - [`stack`]: the names of the client stacks pgtls models;
//! - [`facts`]: what gathering found, as values (network steps, handshakes, probes) — the
//!   gathering code in `pgtls` fills them, the checks read them;
//! - [`scan`]: the raw ClientHello codec and reader of the TLS scanner, and what a scan found.
//!
//! No sockets, no files, no environment, no clock: a test keeps it so (`core_and_text_do_no_io`
//! in the binary's crate, beside the crate-graph test), and this crate has no
//! dependency that does I/O for it. The library (`pgtls`) re-exports these modules under the
//! same names, so `pgtls::x509::Cert` is this crate's `Cert`.

pub mod checks;
pub mod config;
pub mod conninfo;
pub mod facts;
pub mod findings;
pub mod pem;
pub mod profile;
pub mod scan;
pub mod stack;
pub mod verify;
pub mod wire;
pub mod x509;
