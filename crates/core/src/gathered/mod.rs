//! What gathering found, as plain values, one module per kind of gathering: network steps
//! ([`net`]), handshakes ([`tls`]), probes of an endpoint ([`probe`]), trust stores and root
//! files ([`trust`]), the client's files ([`client`]) and a server's session views
//! ([`sessions`]).
//!
//! The gathering code (`pgtls_gather`: sockets, handshakes, files) fills these types and
//! re-exports each under its gathering module's name (`pgtls::probe::ProbeFacts` is
//! [`probe::ProbeFacts`]); the verdicts and checks read them and cannot reach the world.
//! [`crate::facts::Facts`] puts one run's together.

pub mod client;
pub mod net;
pub mod probe;
pub mod sessions;
pub mod tls;
pub mod trust;
