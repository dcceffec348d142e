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
use crate::findings::{Arg, Lang, Message, Template};
use crate::net::Timeouts;
use crate::profile::{ClientProfile, Overrides};

/// Why a command could not run at all (exit status 3). What it found is never an error here:
/// that is a finding. `Display` is the English text (logs, tests, the exporter's answers);
/// [`RunError::said`] says the same in the user's language (`findings/errors.toml`).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{error}{}", hint_line(.error))]
    Conninfo { error: ConninfoError },
    #[error("no TCP host to probe: libpq would connect through the Unix socket in {sockets} ({source_}), where TLS is never used; give a host name or address (e.g. `pgtls probe db.example.com`), or set PGHOST")]
    NoTcpHost { sockets: String, source_: String },
    /// `what` is said in other languages by the `error.doing.*` template whose English is
    /// "{what} {path}" (each `what` in the source has one: `every_io_what_has_its_words`).
    #[error("{what} {}: {source}", path.display())]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    /// A file a parser refused, with the parser's own words (JSON, TOML).
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
    #[error(transparent)]
    Inventory(#[from] fleet::inventory::InventoryError),
    #[error(transparent)]
    Jdbc(#[from] crate::config::jdbc::JdbcError),
    #[error("{}: {error}", path.display())]
    Kong { path: PathBuf, error: crate::config::kong::KongError },
    #[error("{}: {error}", path.display())]
    Logs { path: PathBuf, error: crate::logs::LogError },
    #[error("{}: holds no PEM certificate with a common name", path.display())]
    NoCommonName { path: PathBuf },
    #[error("{}: pg_hba.conf was not found next to it", path.display())]
    NoHbaFile { path: PathBuf },
    #[error("{}: not pgtls probe facts (write them with `pgtls probe --save-facts FILE`): {error}", path.display())]
    NotFacts { path: PathBuf, error: String },
    #[error("{}: facts format {found} is not {want}", path.display())]
    FactsVersion { path: PathBuf, found: u32, want: u32 },
    #[error("{origin}:{line}: not a pgtls fleet record: {error}")]
    NotFleetRecord { origin: String, line: usize, error: String },
    #[error("unknown TLS version {0:?} (use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)")]
    UnknownTlsVersion(String),
    #[error("unknown cipher suite {0:?}")]
    UnknownCipherSuite(String),
    #[error("protocols --client knows the TLS ranges of libpq, kong and jdbc, not {0}")]
    NoClientRange(crate::stack::Stack),
    #[error("--client-min {min} is above --client-max {max}")]
    ClientRangeInverted { min: String, max: String },
    #[error("{}: module {module}: {error}", path.display())]
    ExporterModule { path: PathBuf, module: String, error: crate::verify::rotation::RotationError },
    /// `target` is already redacted.
    #[error("target {target:?}: {error}")]
    ExporterTarget { target: String, error: ConninfoError },
    #[error("a URI target cannot take a module's settings: give HOST:PORT or key=value")]
    ExporterUriTarget,
    #[error("standard input is larger than {mb} MB, the most `explain` reads; for whole logs use `pgtls logs -`")]
    ExplainInputTooLarge { mb: u64 },
    #[error("unknown finding code {0:?}; `pgtls explain --list` shows them all")]
    UnknownCode(String),
    #[error("give --data-dir DIR, --config FILE or --pgbouncer-conf FILE")]
    NoServerFiles,
    #[error("--profile auto recognises the provider from the chain a server presents: name at least one server")]
    AutoProfileWithoutServers,
    /// `--profile auto` met no chain a built-in profile knows: the profiles it tried, the
    /// servers that presented a chain, and the profiles it cannot recognise (name, why).
    #[error("{}", auto_profile_english(offered, reached, unrecognisable))]
    AutoProfileUnrecognised { offered: Vec<String>, reached: Vec<String>, unrecognisable: Vec<(String, Option<String>)> },
    /// `fleet --shards N` without `--shard K/N` outside an indexed Job; `error` is std's words.
    #[error("--shards N takes K from JOB_COMPLETION_INDEX, which is not set; give --shard K/N: {error}")]
    NoJobIndex { error: std::env::VarError },
    #[error("HOME is not set, so libpq's default ~/.postgresql/root.crt is unknown; give the path")]
    NoHome,
    #[error("APPDATA is not set: give the path of %APPDATA%\\postgresql\\root.crt as it is on this machine")]
    NoAppdata,
    /// A step that failed with another library's words; `what` is said in other languages by
    /// the `error.doing.*` template whose English it is.
    #[error("{what}: {error}")]
    Failed { what: &'static str, error: String },
    /// Free-form English, said as written in every language: only for the words of another
    /// program (an endpoint's error in the exporter's answer). Prefer a typed variant.
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

fn auto_profile_english(offered: &[String], reached: &[String], unrecognisable: &[(String, Option<String>)]) -> String {
    RunError::auto_profile_said(offered, reached, unrecognisable).sentence(Lang::En)
}

impl RunError {
    /// The error as a message: its English is the `Display` text (`every_error_says_its_english`),
    /// its zh and ja come from `findings/errors.toml`. Paths, values, option names and the
    /// words of libpq, the server, other libraries and the OS stay as written.
    pub fn said(&self) -> Message {
        use pgtls_core::say;
        // "standard input" and "the demo directory" stand where a path would.
        let path_of = |p: &std::path::Path| doing(&p.display().to_string());
        match self {
            RunError::Conninfo { error } => say!("error.run.conninfo", error = error.said(), hint = error.hint_said()),
            RunError::NoTcpHost { sockets, source_ } => {
                let source = Message::from_english("source.", source_).map_or_else(|| Arg::Fact(source_.clone()), Arg::Said);
                say!("error.run.no-tcp-host", sockets = sockets, source = source)
            }
            RunError::Io { what, path, source } => say!("error.run.io", doing = doing(&format!("{what} {}", path.display())), error = source),
            RunError::BadInput { path, message } => say!("error.run.bad-input", path = path_of(path), message = message),
            RunError::Trust(e) => e.said(),
            RunError::Rotation(e) => e.said(),
            RunError::Pgbouncer(e) => e.said(),
            RunError::ServerConfig { path, source } => say!("error.run.server-config", path = path_of(path), error = source.said()),
            RunError::Inventory(e) => e.said(),
            RunError::Jdbc(e) => e.said(),
            RunError::Kong { path, error } => say!("error.run.in-file", path = path_of(path), error = error.said()),
            RunError::Logs { path, error } => say!("error.run.in-file", path = path_of(path), error = error.said()),
            RunError::NoCommonName { path } => say!("error.run.no-common-name", path = path_of(path)),
            RunError::NoHbaFile { path } => say!("error.run.no-hba-file", path = path_of(path)),
            RunError::NotFacts { path, error } => say!("error.run.not-facts", path = path_of(path), error = error),
            RunError::FactsVersion { path, found, want } => say!("error.run.facts-version", path = path_of(path), found = found, want = want),
            RunError::NotFleetRecord { origin, line, error } => say!("error.run.not-fleet-record", origin = origin, line = line, error = error),
            RunError::UnknownTlsVersion(v) => say!("error.run.unknown-tls-version", version = format!("{v:?}")),
            RunError::UnknownCipherSuite(v) => say!("error.run.unknown-cipher-suite", suite = format!("{v:?}")),
            RunError::NoClientRange(stack) => say!("error.run.no-client-range", stack = stack),
            RunError::ClientRangeInverted { min, max } => say!("error.run.client-range-inverted", min = min, max = max),
            RunError::ExporterModule { path, module, error } => say!("error.run.exporter-module", path = path_of(path), module = module, error = error.said()),
            RunError::ExporterTarget { target, error } => say!("error.run.exporter-target", target = format!("{target:?}"), error = error.said()),
            RunError::ExporterUriTarget => say!("error.run.exporter-uri-target"),
            RunError::ExplainInputTooLarge { mb } => say!("error.run.explain-input-too-large", mb = mb),
            RunError::UnknownCode(c) => say!("error.run.unknown-code", code = format!("{c:?}")),
            RunError::NoServerFiles => say!("error.run.no-server-files"),
            RunError::AutoProfileWithoutServers => say!("error.run.auto-profile-without-servers"),
            RunError::AutoProfileUnrecognised { offered, reached, unrecognisable } => RunError::auto_profile_said(offered, reached, unrecognisable),
            RunError::NoJobIndex { error } => {
                // std's words, said again (its English as std writes it).
                let error = match error {
                    std::env::VarError::NotPresent => say!("error.run.var-not-present"),
                    std::env::VarError::NotUnicode(v) => say!("error.run.var-not-unicode", value = format!("{v:?}")),
                };
                say!("error.run.no-job-index", error = error)
            }
            RunError::NoHome => say!("error.run.no-home"),
            RunError::NoAppdata => say!("error.run.no-appdata"),
            RunError::Failed { what, error } => say!("error.run.failed", doing = doing(what), error = error),
            RunError::Usage(text) => say!("error.run.as-written", text = text),
        }
    }

    fn auto_profile_said(offered: &[String], reached: &[String], unrecognisable: &[(String, Option<String>)]) -> Message {
        use pgtls_core::say;
        let by = if reached.is_empty() { Arg::Said(say!("error.run.auto-profile-no-handshake")) } else { Arg::Fact(reached.join(", ")) };
        let m = say!("error.run.auto-profile-unrecognised", offered = offered.join(", "), by = by);
        if unrecognisable.is_empty() {
            return m;
        }
        let mut list = Template::default();
        for (i, (name, why)) in unrecognisable.iter().enumerate() {
            let why = match why {
                Some(why) => Arg::Own(crate::verify::rotation::profile_said(why)),
                None => Arg::Said(say!("error.run.auto-profile-chains-unknown")),
            };
            let one = say!("error.run.auto-profile-one", name = name, why = why);
            let sep = if i == 0 { "" } else { "; " };
            list = Template {
                en: format!("{}{sep}{}", list.en, one.sentence(Lang::En)),
                zh: format!("{}{}{}", list.zh, if i == 0 { "" } else { "；" }, one.sentence(Lang::Zh)),
                ja: format!("{}{sep}{}", list.ja, one.sentence(Lang::Ja)),
            };
        }
        say!("error.run.auto-profile-name-it", start = m, profiles = list)
    }
}

/// What a step was doing, said by its `error.doing.*` template (else as written).
fn doing(english: &str) -> Arg {
    Message::from_english("error.doing.", english).map_or_else(|| Arg::Fact(english.to_string()), Arg::Said)
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
mod tests;
