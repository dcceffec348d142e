//! The command layer: one function per command, each returning a typed report.
//!
//! A command computes its [`ClientProfile`] once (connection string, environment, flags),
//! gathers the facts it needs through the gathering modules, derives libpq's verdicts, runs
//! *all* checks over the facts, and returns a report value: the data the renderers lay out
//! (human text in [`crate::report`], JSON by serde). Nothing here prints, and nothing outside
//! the checks creates a finding, so every command tells the same truth about the same
//! connection, and the exit status comes from one place ([`crate::findings::exit_code`]).

mod audit;
mod connection;
pub mod exporter;
pub mod fleet;
mod profiles;
mod protocols;
pub mod steps;
mod text;
mod trust;

pub use audit::{client, server, sessions, ClientArgs, ClientReport, PgbouncerView, PostgresView, ServerArgs, ServerReport, SessionsReport};
pub use connection::{doctor, probe, probe_from_facts, verify, CertView, DoctorReport, FirstLine, HostSeen, HostView, How, ProbeReport, VerifyHost, VerifyReport};
pub use fleet::{export as fleet_export, fleet, inventory, merge, EndpointFacts, FleetOptions, FleetRecord, FleetReport, FleetSummary, Target};
pub use protocols::{protocols, ProtocolsArgs, ProtocolsHost, ProtocolsReport};
pub use text::{explain, logs, ExplainReport, LogsReport};
pub use trust::{bundle, rotation, trust_audit, BundleReport, EntryView, RotationArgs, RotationReportView, StoreView, TrustAuditReport};

use std::path::PathBuf;

use crate::conninfo::{self, ConninfoError, Env};
use crate::net::Timeouts;
use crate::profile::{ClientProfile, Overrides};

/// Why a command could not run at all (exit status 3). What it found is never an error here:
/// that is a finding.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{error}{}", hint_line(.error))]
    Conninfo { error: ConninfoError },
    #[error("no TCP host to probe: libpq would connect through the Unix socket in {sockets} ({source_}), where TLS is never used; give a host name or address (e.g. `pgtls probe db.example.com`), or set PGHOST")]
    NoTcpHost { sockets: String, source_: String },
    #[error("{what} {}: {source}", path.display())]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{}: {message}", path.display())]
    BadInput { path: PathBuf, message: String },
    #[error(transparent)]
    Trust(#[from] crate::trust::TrustError),
    #[error(transparent)]
    Rotation(#[from] crate::verify::rotation::RotationError),
    #[error(transparent)]
    Pgbouncer(#[from] crate::config::pgbouncer::PgbouncerError),
    #[error("reading {}: {source}", path.display())]
    ServerConfig { path: PathBuf, source: crate::config::server::GatherError },
    #[error("{0}")]
    Usage(String),
}

fn hint_line(e: &ConninfoError) -> String {
    format!("\nhint: {}", e.hint())
}

impl From<ConninfoError> for RunError {
    fn from(error: ConninfoError) -> Self {
        RunError::Conninfo { error }
    }
}

/// Settings every command shares (from the global flags).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Per network step.
    pub timeouts: Timeouts,
    /// Connections per host (`doctor --connections`; 0 or 1: one). Behind a load balancer each
    /// may reach another server; the extra ones stop after TLS (see `probe::ProbeFacts::again`).
    pub connections: usize,
    /// Which provider's CA rotation `doctor` judges the client's root file against.
    pub rotation: RotationChoice,
}

/// `doctor --profile`: a provider's rotation profile to judge the client's root file against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RotationChoice {
    /// Recognised from the host name (Azure China's `*.postgres.database.chinacloudapi.cn`)
    /// or from the chain a host presented; none when neither says.
    #[default]
    Auto,
    Named(String),
    Off,
}

/// Parse and resolve a target like libpq (with `env`), into the client's profile.
pub fn resolve_profile(target: Option<&str>, o: &Overrides, env: &dyn Env) -> Result<ClientProfile, RunError> {
    let info = conninfo::parse(target.unwrap_or(""))?;
    let resolved = conninfo::resolve(&info, env)?;
    let mut o = o.clone();
    if o.home.is_none() {
        o.home = env.home_dir().map(PathBuf::from);
    }
    if o.ssl_cert_file.is_none() {
        o.ssl_cert_file = env.var("SSL_CERT_FILE").map(PathBuf::from);
    }
    if o.libpq.is_none() {
        o.libpq = Some(local_libpq_major());
    }
    Ok(ClientProfile::from_resolved(resolved, &o, time::OffsetDateTime::now_utc()))
}

/// Like [`resolve_profile`], and at least one TCP host is required (TLS needs TCP).
pub fn tcp_profile(target: Option<&str>, o: &Overrides, env: &dyn Env) -> Result<ClientProfile, RunError> {
    let p = resolve_profile(target, o, env)?;
    if p.targets.is_empty() {
        let source = p.resolved.as_ref().map(|r| r.host_source.to_string()).unwrap_or_default();
        return Err(RunError::NoTcpHost { sockets: p.unix_sockets.join(", "), source_: source });
    }
    Ok(p)
}

/// The major version of the local libpq (what psql and most clients here load), else the
/// profile's default. The verdict's wording follows it. Found once per process, from the
/// shared library's name (`libpq.so.5.15` is PostgreSQL 15's libpq; no process is started),
/// else from `psql --version`.
pub fn local_libpq_major() -> u32 {
    static MAJOR: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *MAJOR.get_or_init(|| libpq_from_library().or_else(libpq_from_psql).unwrap_or(crate::profile::DEFAULT_LIBPQ))
}

fn libpq_from_library() -> Option<u32> {
    const DIRS: [&str; 6] =
        ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/local/pgsql/lib"];
    // `libpq.so.5` links to `libpq.so.5.<major>`: one readlink per directory.
    DIRS.iter()
        .filter_map(|d| std::fs::read_link(std::path::Path::new(d).join("libpq.so.5")).ok())
        .filter_map(|target| {
            let name = target.file_name()?.to_str()?.to_string();
            name.strip_prefix("libpq.so.5.")?.split('.').next()?.parse::<u32>().ok()
        })
        .find(|m| (10..100).contains(m))
}

fn libpq_from_psql() -> Option<u32> {
    let out = std::process::Command::new("psql")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().find_map(|w| w.split('.').next()?.parse::<u32>().ok()))
        .filter(|m| (9..100).contains(m))
}

/// An instant given on the command line: RFC 3339, or a date (midnight UTC).
pub fn parse_instant(s: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let date = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("{s:?} is neither a date like 2026-06-01 nor an RFC 3339 instant like 2026-06-01T00:00:00Z"))?;
    Ok(date.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_dates() {
        assert_eq!(parse_instant("2028-01-01").unwrap().to_string(), "2028-01-01 0:00:00.0 +00:00:00");
        assert!(parse_instant("2026-06-01T12:00:00Z").is_ok());
        assert!(parse_instant("tomorrow").unwrap_err().contains("2026-06-01"));
    }
}
