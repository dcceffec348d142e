//! `server`, `client`, `sessions`: configuration audits of both ends, and the server's own
//! view of who connects with and without TLS. Read-only: files are read, never written.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{RunError, Settings};
use crate::findings::exit_code;
use crate::checks::config::client_cert_user;
use crate::config::server::gather_server;
use crate::checks::{self, Context};
use crate::config::client::ClientTlsSettings;
use crate::config::jdbc::JdbcUrl;
use crate::config::kong::KongConf;
use crate::conninfo::{Env, WindowsEnv};
use crate::facts::{CertLogin, DriverFacts, Facts};
use crate::findings::Finding;
use crate::profile::Overrides;
use crate::sessions::{SessionFacts, SessionTarget};

const SSL_SETTINGS: [&str; 10] = [
    "ssl",
    "ssl_cert_file",
    "ssl_key_file",
    "ssl_ca_file",
    "ssl_crl_file",
    "ssl_crl_dir",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "ssl_ciphers",
    "ssl_passphrase_command",
];

/// `pgtls server`.
pub struct ServerArgs<'a> {
    pub data_dir: Option<&'a Path>,
    pub config: Option<&'a Path>,
    pub client_cert: Option<&'a Path>,
    pub client_cn: Option<&'a str>,
    pub user: Option<&'a str>,
    pub database: Option<&'a str>,
    pub addr: IpAddr,
    /// A pgbouncer.ini to audit too (or alone).
    pub pgbouncer_conf: Option<&'a Path>,
    /// The instant to judge the certificates at (`--at`; default: now).
    pub at: Option<time::OffsetDateTime>,
}

/// A pgbouncer.ini as `server` shows it: the file and its TLS settings with where each is set.
#[derive(Debug, Clone, Serialize)]
pub struct PgbouncerView {
    pub file: PathBuf,
    pub settings: BTreeMap<String, SettingAt>,
}

/// A postgresql.conf setting and where it is set.
#[derive(Debug, Clone, Serialize)]
pub struct SettingAt {
    pub value: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServerReport {
    pub command: &'static str,
    /// postgresql.conf and what was read with it (absent when only a pgbouncer.ini was audited).
    #[serde(flatten)]
    pub postgres: Option<PostgresView>,
    /// The pgbouncer.ini audited (`--pgbouncer-conf`) and its TLS settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pgbouncer: Option<PgbouncerView>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// A postgresql.conf as `server` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PostgresView {
    pub config: PathBuf,
    pub data_dir: PathBuf,
    pub ssl: bool,
    pub settings: BTreeMap<String, SettingAt>,
    pub client_cert_name: Option<String>,
    /// The pg_hba.conf line a certificate login meets (`file:line (text)`).
    pub hba_rule: Option<String>,
}

pub fn server(a: &ServerArgs) -> Result<ServerReport, RunError> {
    let mut facts = Facts::default();
    let pgbouncer = match a.pgbouncer_conf {
        Some(p) => {
            let pb = crate::config::pgbouncer::gather(p)?;
            let settings = pb
                .conf
                .settings
                .iter()
                .filter(|(k, _)| k.contains("tls") || k.as_str() == "auth_type")
                .map(|(k, v)| (k.clone(), SettingAt { value: v.value.clone(), at: v.at.clone() }))
                .collect();
            facts.pgbouncer = Some(pb);
            Some(PgbouncerView { file: p.to_path_buf(), settings })
        }
        None => None,
    };
    let conf = match (a.config, a.data_dir) {
        (Some(c), _) => Some(c.to_path_buf()),
        (None, Some(d)) => Some(d.join("postgresql.conf")),
        (None, None) if pgbouncer.is_some() => None,
        (None, None) => return Err(RunError::NoServerFiles),
    };
    let Some(conf) = conf else {
        let findings = checks::run(&facts, &Context::at(a.at.unwrap_or_else(time::OffsetDateTime::now_utc)));
        return Ok(ServerReport { command: "server", postgres: None, pgbouncer, exit_code: exit_code(&findings), findings });
    };
    let sf = gather_server(&conf, a.data_dir).map_err(|source| RunError::ServerConfig { path: conf.clone(), source })?;
    let cert_name = match (a.client_cert, a.client_cn) {
        (Some(p), _) => {
            let pem = crate::files::read(p).map_err(|source| RunError::Io { what: "reading client certificate", path: p.into(), source })?;
            Some(client_cert_user::common_name(&pem).ok_or_else(|| RunError::NoCommonName { path: p.into() })?)
        }
        (None, Some(cn)) => Some(cn.to_string()),
        (None, None) => None,
    };
    let mut hba_rule = None;
    if let (Some(cn), Some(user)) = (&cert_name, a.user) {
        let db = a.database.unwrap_or(user).to_string();
        let Some(hba) = &sf.hba else {
            return Err(RunError::NoHbaFile { path: conf.clone() });
        };
        let q = crate::config::hba::HbaQuery { ssl: true, gss: false, addr: Some(a.addr), user: user.to_string(), db: db.clone() };
        hba_rule = hba.matching_rules(&q).rule.map(|r| format!("{} ({})", r.location(), r.raw));
        facts.cert_login = Some(CertLogin { cert_name: cn.clone(), user: user.to_string(), database: db, addr: a.addr });
    }
    let settings = SSL_SETTINGS
        .iter()
        .filter_map(|n| sf.conf.get(n).map(|s| (n.to_string(), SettingAt { value: s.value.clone(), at: s.location() })))
        .collect();
    let (data_dir, ssl) = (sf.conf.data_dir.clone(), sf.conf.ssl_on());
    facts.server = Some(sf);
    let findings = checks::run(&facts, &Context::at(a.at.unwrap_or_else(time::OffsetDateTime::now_utc)));
    Ok(ServerReport {
        command: "server",
        postgres: Some(PostgresView { config: conf, data_dir, ssl, settings, client_cert_name: cert_name, hba_rule }),
        pgbouncer,
        exit_code: exit_code(&findings),
        findings,
    })
}

/// `pgtls client`.
pub struct ClientArgs<'a> {
    pub target: Option<&'a str>,
    pub kong_conf: Option<&'a Path>,
    pub jdbc: Option<&'a str>,
    pub windows: bool,
    /// Probe the server kong.conf names (pg_host:pg_port) to judge the chain it serves.
    pub probe: bool,
}

/// libpq's side in `client`.
#[derive(Debug, Clone, Serialize)]
pub struct LibpqView {
    pub resolved: crate::conninfo::Resolved,
    pub files: Vec<crate::client::ClientFile>,
    pub sslmode: crate::conninfo::SslMode,
    pub sslmode_source: crate::conninfo::SettingSource,
    pub root: crate::trust::RootTrust,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    pub command: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub libpq: Option<LibpqView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kong: Option<ClientTlsSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jdbc: Option<ClientTlsSettings>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// The system store, when the driver verifies against it.
fn read_system(settings: &ClientTlsSettings) -> Option<crate::trust::RootTrust> {
    let system = settings.trust.iter().find(|t| matches!(t, crate::trust::TrustSource::System { .. }))?;
    settings.verifies_server.then(|| crate::trust::libpq_root(Some(system)))
}

/// The root files a driver reads, as its TLS library would load them.
fn read_roots(settings: &ClientTlsSettings) -> Vec<(PathBuf, crate::trust::RootTrust)> {
    if !settings.verifies_server {
        return Vec::new();
    }
    settings
        .trust
        .iter()
        .filter_map(|t| match t {
            crate::trust::TrustSource::File(p) => Some((p.clone(), crate::trust::libpq_root(Some(t)))),
            _ => None,
        })
        .collect()
}

/// Kong's database server as kong.conf names it (pg_host, pg_port; Kong's defaults
/// 127.0.0.1:5432), probed with the versions Kong offers. `None` when TLS is off.
fn probe_kong(k: &KongConf, settings: &ClientTlsSettings, s: &Settings) -> Option<crate::probe::ProbeFacts> {
    if settings.mode == crate::conninfo::SslMode::Disable {
        return None;
    }
    let host = k.get("pg_host").map(|v| v.value.clone()).unwrap_or_else(|| "127.0.0.1".into());
    let port = k.get("pg_port").and_then(|v| v.value.parse::<u16>().ok()).unwrap_or(5432);
    let target = crate::probe::ProbeTarget { host, hostaddr: None, port, sni: None, negotiation: crate::wire::SslNegotiation::Postgres, hostaddr_only: false };
    Some(crate::probe::probe(&target, s.timeouts))
}

pub fn client(a: &ClientArgs, o: &Overrides, s: &Settings, env: &dyn Env) -> Result<ClientReport, RunError> {
    let mut facts = Facts::default();
    let mut libpq = None;
    let mut cx = Context { audit_client: true, ..Context::at(o.at.unwrap_or_else(time::OffsetDateTime::now_utc)) };
    if (a.kong_conf.is_none() && a.jdbc.is_none()) || a.target.is_some() {
        let windows = WindowsEnv(env);
        let env: &dyn Env = if a.windows { &windows } else { env };
        let profile = super::resolve_profile(a.target, o, env)?;
        let resolved = profile.resolved.clone().expect("resolve_profile keeps the resolved settings");
        let c = crate::client::gather(&resolved, &profile);
        libpq = Some(LibpqView {
            resolved,
            files: c.files.clone(),
            sslmode: profile.sslmode,
            sslmode_source: profile.sslmode_source.clone(),
            root: c.root.clone(),
        });
        facts.client = Some(c);
        cx = Context { audit_client: true, ..Context::new(profile) };
    }
    let mut kong = None;
    if let Some(path) = a.kong_conf {
        let k = KongConf::load(path, &crate::files::Disk)
            .map_err(|error| RunError::Kong { path: path.into(), error })?
            .with_env(std::env::vars());
        let settings = k.tls_settings().map_err(|error| RunError::Kong { path: path.into(), error })?;
        kong = Some(settings.clone());
        let mut d = DriverFacts::new(settings, None);
        d.roots = read_roots(&d.settings);
        d.system = read_system(&d.settings);
        if a.probe {
            d.server = probe_kong(&k, &d.settings, s);
        }
        d.kong = Some(k);
        facts.drivers.push(d);
    }
    let mut jdbc = None;
    if let Some(url) = a.jdbc {
        let parsed = JdbcUrl::parse(url)?;
        let home = env.home_dir().map(PathBuf::from);
        let settings = parsed.tls_settings(home.as_deref())?;
        jdbc = Some(settings.clone());
        let mut d = DriverFacts::new(settings, None);
        d.roots = read_roots(&d.settings);
        d.system = read_system(&d.settings);
        facts.drivers.push(d);
    }
    let findings = checks::run(&facts, &cx);
    Ok(ClientReport { command: "client", libpq, kong, jdbc, exit_code: exit_code(&findings), findings })
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionsReport {
    pub command: &'static str,
    /// The server's answers (absent when pgtls could not connect).
    #[serde(flatten)]
    pub sessions: Option<SessionFacts>,
    /// How libpq would connect (probe and verdict), always gathered first.
    pub connection: Vec<super::HostView>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// `pgtls sessions`: connect like libpq (TLS up before any password, as the sslmode asks) and
/// ask the server, read-only. A connection that fails is reported as libpq would, as findings.
pub fn sessions(target: Option<&str>, s: &Settings, env: &dyn Env, prompt: &dyn Fn(&str) -> Option<String>) -> Result<SessionsReport, RunError> {
    let profile = super::tcp_profile(target, &Overrides::default(), env)?;
    let mut facts = super::connection::gather(&profile, s);
    facts.client = None;
    let cx = Context::new(profile.clone());
    let r = profile.resolved.as_ref().expect("resolve_profile keeps the resolved settings");
    if !facts.any_verdict_fails() {
        let t = &profile.targets[0];
        let user = r.user.as_ref().map(|u| u.value.clone()).unwrap_or_else(|| "postgres".into());
        let host = r.hosts.iter().find(|h| !h.is_unix_socket);
        let password = match host.and_then(|h| h.password.as_ref()) {
            Some(p) => Some(p.value.expose().to_string()),
            None => prompt(&user),
        };
        let sslrootcert = facts.hosts[0].verdict.as_ref().filter(|v| v.chain_verified).and_then(|_| match &profile.root {
            crate::profile::RootCert::File { path, .. } => Some(path.clone()),
            crate::profile::RootCert::System { ssl_cert_file } => {
                Some(ssl_cert_file.clone().unwrap_or_else(|| PathBuf::from(crate::trust::SYSTEM_BUNDLE)))
            }
            crate::profile::RootCert::NoHome => None,
        });
        let st = SessionTarget {
            host: t.host.clone(),
            hostaddr: t.hostaddr.clone(),
            port: t.port,
            user: user.clone(),
            dbname: r.dbname.as_ref().map(|d| d.value.clone()).unwrap_or_else(|| "postgres".into()),
            password,
            sslmode: profile.sslmode,
            sslrootcert,
            timeout: s.timeouts.connect,
        };
        match crate::sessions::gather(&st) {
            Ok(sf) => facts.sessions = Some(sf),
            Err(e) => facts.connect_error = Some(e.libpq_words(&t.display_name())),
        }
    }
    let connection = facts.hosts.iter().map(|h| super::HostView::new(h, &cx)).collect();
    let findings = checks::run(&facts, &cx);
    Ok(SessionsReport { command: "sessions", sessions: facts.sessions, connection, exit_code: exit_code(&findings), findings })
}
