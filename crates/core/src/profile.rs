//! The client, computed once: which sslmode, TLS range, trust source, client certificate,
//! hosts, instant and libpq version a run reasons about.
//!
//! Every setting that changes what libpq does is decided here, from the connection string,
//! the environment and the command-line flags, and then handed to gathering (the probe offers
//! only the client's TLS versions) and to judging (the verdict and the checks) alike. So a
//! setting can no longer be honoured by the probe and forgotten by the verdict: there is one
//! place that reads it. The profile serialises with the facts, so `--from-facts` re-judges a
//! support bundle with the client it was gathered for.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::conninfo::SettingSource;
use time::OffsetDateTime;

use crate::conninfo::{Resolved, SslCertMode, SslMode};
use crate::gathered::probe::{ClientVersions, ProbeTarget};
use crate::gathered::trust::TrustSource;
use crate::wire::{SslNegotiation, TlsVersion};

fn default_certmode() -> SslCertMode {
    SslCertMode::Allow
}

/// libpq major version assumed when nothing else says (no psql on this machine).
pub const DEFAULT_LIBPQ: u32 = 17;

/// Python minor version (3.x) assumed for asyncpg when nothing else says.
pub const DEFAULT_PYTHON_MINOR: u32 = 11;

fn default_python_minor() -> u32 {
    DEFAULT_PYTHON_MINOR
}

fn is_default_python_minor(m: &u32) -> bool {
    *m == DEFAULT_PYTHON_MINOR
}

/// libpq's default sslmode for these roots: verify-full with `sslrootcert=system` (16+), else
/// prefer.
fn default_sslmode(root: &RootCert) -> SslMode {
    if matches!(root, RootCert::System { .. }) {
        SslMode::VerifyFull
    } else {
        SslMode::Prefer
    }
}

/// Where libpq takes the roots it verifies the server with (`sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RootCert {
    /// A file libpq loads if it exists: `explicit` when named by the connection string, a
    /// service file or `PGSSLROOTCERT`; otherwise libpq's default `~/.postgresql/root.crt`.
    File { path: PathBuf, explicit: bool },
    /// `sslrootcert=system` with libpq 16+: OpenSSL's default verify paths.
    System { ssl_cert_file: Option<PathBuf> },
    /// No sslrootcert and no home directory to find the default in.
    NoHome,
}

impl RootCert {
    /// The trust source libpq would load, if any.
    pub fn source(&self) -> Option<TrustSource> {
        match self {
            RootCert::File { path, .. } => Some(TrustSource::File(path.clone())),
            RootCert::System { ssl_cert_file } => Some(TrustSource::System { ssl_cert_file: ssl_cert_file.clone() }),
            RootCert::NoHome => None,
        }
    }
}

/// Everything about the client that gathering and judging depend on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientProfile {
    /// libpq's effective sslmode for this libpq version (its default applied).
    pub sslmode: SslMode,
    /// Where the sslmode came from (saved with facts as its words: "the default" …).
    pub sslmode_source: crate::conninfo::SettingSource,
    /// The sslmode as the connection string, the environment or the command line states it,
    /// `None` when nobody chose one: the other client stacks apply their own defaults to this,
    /// not libpq's. Not saved with facts (like `resolved`, which it is computed from).
    #[serde(skip)]
    pub sslmode_stated: Option<SslMode>,
    pub root: RootCert,
    /// The client's TLS range (libpq: ssl_min_protocol_version, default TLSv1.2; max: none).
    pub tls_min: TlsVersion,
    pub tls_max: Option<TlsVersion>,
    pub negotiation: SslNegotiation,
    /// The TCP endpoints libpq would try, in order.
    pub targets: Vec<ProbeTarget>,
    /// Unix-socket directories among the hosts (TLS is never used there).
    #[serde(default)]
    pub unix_sockets: Vec<String>,
    /// The instant the verdict is for (`--at`; default now).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The modelled libpq major version (error texts and keywords differ).
    pub libpq: u32,
    /// OpenSSL's default security level on the client (2 on Debian/Ubuntu, 1 upstream).
    pub security_level: u8,
    /// The Python minor version asyncpg runs on (3.13's `create_default_context` sets
    /// `VERIFY_X509_PARTIAL_CHAIN`).
    #[serde(default = "default_python_minor", skip_serializing_if = "is_default_python_minor")]
    pub python_minor: u32,
    /// Kong's `lua_ssl_verify_depth` (`None`: Kong's default, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kong_verify_depth: Option<u32>,
    /// The role and database the StartupMessage names (libpq: the OS user; dbname = user).
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub database: String,
    /// When libpq sends its client certificate (libpq 16+ `sslcertmode`; older: as `allow`).
    #[serde(default = "default_certmode")]
    pub sslcertmode: SslCertMode,
    /// Follow the connection into the startup phase (`doctor`): send the StartupMessage and
    /// read the answer up to the authentication request.
    #[serde(default)]
    pub startup: bool,
    /// libpq's own error when the connection string names a keyword the modelled libpq does
    /// not know (`invalid connection option "sslnegotiation"` from libpq 15): it then fails
    /// before connecting anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_option: Option<InvalidOption>,
    /// `target_session_attrs`: which servers libpq accepts among the hosts.
    #[serde(default)]
    pub session_attrs: SessionAttrs,
    /// Client stacks to judge besides libpq (`--client`); `stacks_all`: every stack was asked
    /// for, to compare (no single one is the client).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<crate::stack::StackChoice>,
    #[serde(default)]
    pub stacks_all: bool,
    /// The libpq settings as resolved (where every value came from). Not saved with facts.
    #[serde(skip)]
    pub resolved: Option<Resolved>,
}

/// The hosts libpq reaches over TCP, in order, each with the name it goes by (host, else
/// hostaddr): one per entry of `ClientProfile::targets`, so an index means the same host in both.
fn tcp_hosts(resolved: &Resolved) -> impl Iterator<Item = (&crate::conninfo::HostEntry, String)> {
    resolved.hosts.iter().filter(|h| !h.is_unix_socket).filter_map(|h| Some((h, h.host.clone().or_else(|| h.hostaddr.clone())?)))
}

/// libpq's `target_session_attrs` (PostgreSQL 14+ values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionAttrs {
    #[default]
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl SessionAttrs {
    pub fn parse(s: &str) -> SessionAttrs {
        match s {
            "read-write" => SessionAttrs::ReadWrite,
            "read-only" => SessionAttrs::ReadOnly,
            "primary" => SessionAttrs::Primary,
            "standby" => SessionAttrs::Standby,
            "prefer-standby" => SessionAttrs::PreferStandby,
            _ => SessionAttrs::Any,
        }
    }

    /// libpq's refusal of a server with these reported settings (fe-connect.c, PostgreSQL
    /// 14+: in_hot_standby and default_transaction_read_only come as ParameterStatus). `None`
    /// when the server is acceptable, or when it did not report what the check needs (servers
    /// before 14, which libpq queries instead).
    pub fn refusal(self, params: &std::collections::BTreeMap<String, String>) -> Option<&'static str> {
        let on = |k: &str| params.get(k).map(|v| v == "on");
        match self {
            SessionAttrs::Any => None,
            SessionAttrs::ReadWrite | SessionAttrs::ReadOnly => {
                let read_only = on("default_transaction_read_only")? || on("in_hot_standby")?;
                match (self, read_only) {
                    (SessionAttrs::ReadWrite, true) => Some("session is read-only"),
                    (SessionAttrs::ReadOnly, false) => Some("session is not read-only"),
                    _ => None,
                }
            }
            SessionAttrs::Primary => on("in_hot_standby")?.then_some("server is in hot standby mode"),
            SessionAttrs::Standby | SessionAttrs::PreferStandby => (!on("in_hot_standby")?).then_some("server is not in hot standby mode"),
        }
    }
}

/// A connection-string keyword newer than the modelled libpq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidOption {
    pub keyword: String,
    /// The first libpq major version that knows it.
    pub since: u32,
    /// libpq's message.
    pub message: String,
}

impl InvalidOption {
    /// The first keyword of `resolved`'s connection string that libpq `major` does not know,
    /// with libpq's message for the string's form (fe-connect.c: conninfo_parse for
    /// `key=value`, conninfo_uri_parse_params for URIs).
    pub fn find(resolved: &Resolved, major: u32) -> Option<InvalidOption> {
        let k = resolved.given.iter().filter_map(|k| crate::conninfo::keyword(k)).find(|k| k.since > major)?;
        let message = match resolved.form {
            crate::conninfo::Form::Uri => format!("invalid URI query parameter: \"{}\"", k.name),
            _ => format!("invalid connection option \"{}\"", k.name),
        };
        Some(InvalidOption { keyword: k.name.to_string(), since: k.since, message })
    }
}

/// What the command line may override.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub sslmode: Option<SslMode>,
    pub sslrootcert: Option<String>,
    pub at: Option<OffsetDateTime>,
    pub libpq: Option<u32>,
    pub direct: bool,
    pub tls_min: Option<TlsVersion>,
    pub tls_max: Option<TlsVersion>,
    /// The client's home directory (libpq's `~`), for the default root.crt.
    pub home: Option<PathBuf>,
    /// `SSL_CERT_FILE` in the client's environment (OpenSSL's system-store override).
    pub ssl_cert_file: Option<PathBuf>,
    /// Follow the connection into the startup phase.
    pub startup: bool,
    /// Client stacks to judge besides libpq (`--client`), and whether all were asked for.
    pub stacks: Vec<crate::stack::StackChoice>,
    pub stacks_all: bool,
}

impl ClientProfile {
    /// The profile of a libpq client with `resolved` settings, adjusted by `o`; `now` is the
    /// instant judged when `o` names none.
    pub fn from_resolved(resolved: Resolved, o: &Overrides, now: OffsetDateTime) -> ClientProfile {
        let libpq = o.libpq.unwrap_or(DEFAULT_LIBPQ);
        let rootcert = o
            .sslrootcert
            .clone()
            .map(|v| (v, true))
            .or_else(|| resolved.sslrootcert.as_ref().map(|s| (s.value.clone(), !s.is_default())));
        let root = match rootcert {
            Some((v, _)) if v == "system" && libpq >= 16 => RootCert::System { ssl_cert_file: o.ssl_cert_file.clone() },
            Some((v, explicit)) if !v.is_empty() => RootCert::File { path: PathBuf::from(v), explicit },
            _ => match &o.home {
                Some(h) => RootCert::File { path: h.join(".postgresql").join("root.crt"), explicit: false },
                None => RootCert::NoHome,
            },
        };
        // libpq 16+ makes verify-full the default with sslrootcert=system; older ones know
        // no such rule (conninfo resolves for the newest libpq).
        let (sslmode, sslmode_source) = match o.sslmode {
            Some(m) => (m, SettingSource::CommandLine),
            None if resolved.sslmode.is_default() => (default_sslmode(&root), SettingSource::Libpq(resolved.sslmode.source.clone())),
            None => (resolved.sslmode.value, SettingSource::Libpq(resolved.sslmode.source.clone())),
        };
        // Stated: the connection string, the environment or the command line named it (the
        // command line naming libpq's default reads as unstated, as it always has).
        let sslmode_stated = (!resolved.sslmode.is_default() || resolved.sslmode.value != sslmode).then_some(sslmode);
        let negotiation = if o.direct { SslNegotiation::Direct } else { resolved.sslnegotiation.value };
        let mut targets = Vec::new();
        let mut unix_sockets = Vec::new();
        for h in resolved.hosts.iter().filter(|h| h.is_unix_socket) {
            unix_sockets.push(h.host.clone().unwrap_or_default());
        }
        for (h, host) in tcp_hosts(&resolved) {
            targets.push(ProbeTarget { host, hostaddr: h.hostaddr.clone(), port: h.port, sni: h.sni.clone(), negotiation, hostaddr_only: h.host.is_none() });
        }
        ClientProfile {
            sslmode,
            sslmode_source,
            sslmode_stated,
            root,
            tls_min: o
                .tls_min
                .or(resolved.ssl_min_protocol_version.as_ref().map(|v| v.value))
                .unwrap_or(TlsVersion::TLSv1_2),
            tls_max: o.tls_max.or(resolved.ssl_max_protocol_version.as_ref().map(|v| v.value)),
            negotiation,
            targets,
            unix_sockets,
            at: o.at.unwrap_or(now),
            libpq,
            security_level: 2,
            python_minor: DEFAULT_PYTHON_MINOR,
            kong_verify_depth: None,
            user: resolved.user.as_ref().map(|u| u.value.clone()).unwrap_or_else(|| "postgres".into()),
            database: resolved
                .dbname
                .as_ref()
                .map(|d| d.value.clone())
                .or_else(|| resolved.user.as_ref().map(|u| u.value.clone()))
                .unwrap_or_else(|| "postgres".into()),
            sslcertmode: if libpq >= 16 { resolved.sslcertmode.value } else { SslCertMode::Allow },
            startup: o.startup,
            invalid_option: InvalidOption::find(&resolved, libpq),
            session_attrs: resolved.settings.get("target_session_attrs").map(|s| SessionAttrs::parse(&s.value)).unwrap_or_default(),
            stacks: o.stacks.clone(),
            stacks_all: o.stacks_all,
            resolved: Some(resolved),
        }
    }

    /// The password libpq would use for the `i`-th TCP target (explicit, PGPASSWORD, or the
    /// password file line that matches it).
    pub fn password_for(&self, i: usize) -> Option<crate::conninfo::Secret> {
        let (h, _) = tcp_hosts(self.resolved.as_ref()?).nth(i)?;
        h.password.as_ref().map(|p| p.value.clone())
    }

    /// A profile with libpq's defaults and no targets: what a check assumes when it knows
    /// nothing about the client (e.g. `pgtls probe` of a bare host).
    pub fn libpq_default(at: OffsetDateTime) -> ClientProfile {
        ClientProfile {
            sslmode: SslMode::Prefer,
            sslmode_source: SettingSource::Libpq(crate::conninfo::Source::Default),
            sslmode_stated: None,
            root: RootCert::NoHome,
            tls_min: TlsVersion::TLSv1_2,
            tls_max: None,
            negotiation: SslNegotiation::Postgres,
            targets: Vec::new(),
            unix_sockets: Vec::new(),
            at,
            libpq: DEFAULT_LIBPQ,
            security_level: 2,
            python_minor: DEFAULT_PYTHON_MINOR,
            kong_verify_depth: None,
            user: "postgres".into(),
            database: "postgres".into(),
            sslcertmode: SslCertMode::Allow,
            startup: false,
            invalid_option: None,
            session_attrs: SessionAttrs::Any,
            stacks: Vec::new(),
            stacks_all: false,
            resolved: None,
        }
    }

    /// The client the command-line flags `o` alone describe: no connection string, no PG*
    /// variables, no files (tests and one-off verdicts; a run resolves the real ones); `now` as
    /// for [`ClientProfile::from_resolved`].
    pub fn from_flags(o: &Overrides, now: OffsetDateTime) -> ClientProfile {
        let empty = crate::conninfo::parse("").expect("the empty connection string parses");
        let resolved = crate::conninfo::resolve(&empty, &crate::conninfo::EmptyMachine).expect("nothing resolves to libpq's defaults");
        ClientProfile::from_resolved(resolved, o, now)
    }

    /// The same client on libpq `major` with OpenSSL security level `security_level` (psycopg's
    /// bundled libpq): sslrootcert, the default sslmode and the keywords as that libpq reads
    /// them (`sslrootcert=system` is the system store from 16 on, a file of that name before).
    pub fn on_libpq(&self, major: u32, security_level: u8) -> ClientProfile {
        let root = match &self.root {
            RootCert::File { path, explicit: true } if major >= 16 && path.as_os_str() == "system" => RootCert::System { ssl_cert_file: None },
            RootCert::System { .. } if major < 16 => RootCert::File { path: PathBuf::from("system"), explicit: true },
            r => r.clone(),
        };
        ClientProfile {
            sslmode: self.sslmode_stated.unwrap_or_else(|| default_sslmode(&root)),
            root,
            libpq: major,
            security_level,
            invalid_option: self.resolved.as_ref().and_then(|r| InvalidOption::find(r, major)),
            ..self.clone()
        }
    }

    /// The versions the probe may offer: exactly the client's.
    pub fn versions(&self) -> ClientVersions {
        ClientVersions { min: self.tls_min, max: self.tls_max }
    }

    /// Does the client allow TLS version `v`?
    pub fn allows(&self, v: TlsVersion) -> bool {
        v >= self.tls_min && self.tls_max.is_none_or(|m| v <= m)
    }

    /// The client's TLS range in words: `TLSv1.2 and newer`, `TLSv1.2–TLSv1.2`.
    pub fn tls_range(&self) -> String {
        match self.tls_max {
            Some(max) if max == self.tls_min => format!("{} only", max.name()),
            Some(max) => format!("{}–{}", self.tls_min.name(), max.name()),
            None => format!("{} and newer", self.tls_min.name()),
        }
    }

    /// The sslmode is libpq's default, nobody chose it.
    pub fn sslmode_is_default(&self) -> bool {
        self.sslmode_source == SettingSource::Libpq(crate::conninfo::Source::Default)
    }

    /// sslrootcert=system in effect (libpq 16+).
    pub fn system_roots(&self) -> bool {
        matches!(self.root, RootCert::System { .. })
    }
}
