//! pgtls's core: the values every other part speaks in, and nothing that touches the world.
//!
//! - [`findings`]: finding codes (a public interface), severities, the catalogue texts in
//!   en/zh/ja and the exit-status rule;
//! - [`wire`]: PostgreSQL's SSL negotiation values (SSLRequest, TLS versions, ErrorResponse);
//! - [`x509`]: the one certificate model, parsed once, with libpq's name rules; [`pem`]: PEM text;
//! - [`stack`]: the names of the client stacks pgtls models;
//! - [`conninfo`]: connection strings and libpq's resolution rules, over the `Env` trait;
//! - [`profile`]: the client a run reasons about, computed once;
//! - [`config`]: the configuration parsers (postgresql.conf, pg_hba.conf, pg_ident.conf,
//!   pgbouncer.ini, kong.conf, JDBC URLs), reading includes through the `Files` trait;
//! - [`scan`]: the raw ClientHello codec and reader of the TLS scanner, and what a scan found;
//! - [`gathered`]: what gathering found, as values; [`facts`]: one run's, put together with
//!   the verdicts derived from them — the input of every check;
//! - [`verify`]: path building as OpenSSL does it, libpq's verdict, the other stacks' verdicts,
//!   rotation profiles;
//! - [`recognition`]: what the text side recognised in pasted text and logs, as values;
//! - [`checks`]: facts in, findings out, one producer per code (`checks::text` makes the
//!   findings of recognised text).
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
pub mod gathered;
pub mod pem;
pub mod profile;
pub mod recognition;
pub mod scan;
pub mod stack;
pub mod verify;
pub mod wire;
pub mod x509;
