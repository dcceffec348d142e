//! Integration tests against real PostgreSQL servers (one test binary keeps link time down).

mod support;
mod probe;
mod sessions;
mod matrix;
mod provoke;
mod fleet;
mod scan;
mod verify;
mod demo;
mod server_audit;
mod cli;
mod verdicts;
mod docs;
mod auth_matrix;
mod crl;
mod guides;
mod hosts;
mod newer_libpq;
mod libpq_versions;
mod startup;
mod wire;
mod hostile;
mod promises;
mod differential;
mod exporter;
mod corpus;
