//! What gathering found, as plain values: the input of every judgement.
//!
//! The gathering code (sockets, handshakes, files) lives in the `pgtls` crate and fills these
//! types; the library re-exports each under its gathering module's name (`pgtls::net::NetError`
//! is [`net::NetError`]), so a check that reads them cannot reach the world.

pub mod net;
pub mod tls;
pub mod probe;
pub mod trust;
pub mod sessions;
pub mod client;
