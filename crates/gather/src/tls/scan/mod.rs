//! Which TLS versions, cipher suites and groups a PostgreSQL server accepts, learned from raw
//! handshakes.
//!
//! Our TLS stack (rustls) cannot speak SSLv3, TLS 1.0 or 1.1, nor offer RC4, 3DES or NULL
//! suites, yet those are exactly what an audit must find and what an old client needs to know
//! about. So this path writes its own ClientHello bytes and reads only the server's first
//! flight, which is plaintext in every version: no rustls, no OpenSSL, no key schedule.
//!
//! - [`codec`]: wire values ([`TlsVersion`], [`NamedGroup`], [`SignatureScheme`]) and the
//!   [`ClientHello`] encoder; [`suites`]: the cipher-suite table with names and strength.
//! - [`parse`]: the strict, bounded reader of the answer (ServerHello, HelloRetryRequest,
//!   alert, SSLv2, PostgreSQL ErrorResponse, garbage).
//! - [`enumerate`]: the probing algorithm over a [`Connector`]; the caller opens connections
//!   (SSLRequest or direct SSL), so the codec and parser stay free of I/O.
//!
//! Every probe is a real connection attempt and leaves a "could not accept SSL connection"
//! line in the server log; [`ScanResult::handshakes`] says how many were made.

pub use pgtls_core::scan::{codec, parse, suites};
pub mod enumerate;

pub use codec::{ClientHello, Extension, HelloOptions, NamedGroup, TlsVersion, SignatureScheme};
pub use enumerate::{
    fetch_hello, scan, Connector, GroupResult, ProbeError, ReadWrite, ScanIssue, ScanOptions, ScanResult, VersionResult,
};
pub use parse::{parse_final, parse_reply, Alert, ParseError, Parsed, Reply, ServerHello, Want};
pub use suites::{CipherSuite, Strength, SuiteInfo};
