//! Configuration files as gathered. The parsers are the core's (`pgtls_core::config`: pure, they
//! read includes through its `Files` trait); this module hands them the disk
//! ([`crate::files::Disk`]) and stats and reads the files a configuration names — the server's
//! SSL files ([`server`]) and PgBouncer's ([`pgbouncer`]).

pub use pgtls_core::config::{client, hba, ident, jdbc, kong, pgconf, Files, NoFiles};

pub mod pgbouncer;
pub mod server;
