//! libpq's precedence and validation (`conninfo_add_defaults`, `parseServiceInfo`,
//! `connectOptions2`, `passwordFromFile`, the file defaults of `initialize_SSL`), with the
//! machine behind the [`Env`] trait so every environment variable, home directory and file
//! can be injected by tests and by "what if" diagnoses.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{
    is_c_space, keyword, ConnInfo, ConninfoError, HostEntry, Platform, Resolved, Secret,
    ServiceUse, Sourced, Source, SslCertMode, SslMode, SslNegotiation, TlsVersion, KEYWORDS,
};

/// Debian's libpq socket directory (upstream's default is `/tmp`).
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";
/// Debian's libpq `SYSCONFDIR`, where `pg_service.conf` lives unless `PGSYSCONFDIR` is set.
const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";
const DEFAULT_PORT: u16 = 5432;

/// What `stat` tells about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    pub is_file: bool,
    /// Unix permission bits (`0o600`); `None` where there are none (Windows).
    pub mode: Option<u32>,
}

/// The machine as libpq sees it. `pgtls::conninfo::SystemEnv` reads the real process; tests
/// inject maps.
pub trait Env {
    /// An environment variable (`None` when unset; an empty value counts as set, as in libpq).
    fn var(&self, name: &str) -> Option<String>;
    /// The home directory libpq uses on Unix (`$HOME`, else the passwd entry).
    fn home_dir(&self) -> Option<String>;
    fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>>;
    /// `None` when the file does not exist or cannot be examined.
    fn stat(&self, path: &str) -> Option<FileInfo>;
    /// The operating-system user name libpq defaults `user` to.
    fn os_user(&self) -> Option<String> {
        match self.platform() {
            Platform::Unix => self.var("USER").or_else(|| self.var("LOGNAME")),
            Platform::Windows => self.var("USERNAME"),
        }
    }
    fn platform(&self) -> Platform {
        Platform::Unix
    }
}

/// A machine with nothing on it: no variables, no home directory, no files (libpq's compiled-in
/// defaults alone; tests and replayed facts).
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyMachine;

impl Env for EmptyMachine {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn home_dir(&self) -> Option<String> {
        None
    }
    fn read_file(&self, _: &str) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn stat(&self, _: &str) -> Option<FileInfo> {
        None
    }
}

type Values = BTreeMap<&'static str, (String, Source)>;

fn join(platform: Platform, dir: &str, file: &str) -> String {
    match platform {
        Platform::Unix => format!("{dir}/{file}"),
        Platform::Windows => format!("{dir}\\{file}"),
    }
}

/// Where libpq keeps per-user files: `~/.postgresql` or `%APPDATA%\postgresql`, and the
/// directory `.pgpass` / `.pg_service.conf` live in (home, or the same APPDATA folder).
fn user_dirs(env: &dyn Env, platform: Platform) -> Option<(String, String)> {
    match platform {
        Platform::Unix => {
            let home = env.home_dir().filter(|h| !h.is_empty())?;
            Some((format!("{home}/.postgresql"), home))
        }
        Platform::Windows => {
            let appdata = env.var("APPDATA").filter(|a| !a.is_empty())?;
            let dir = format!("{appdata}\\postgresql");
            Some((dir.clone(), dir))
        }
    }
}

/// libpq's `is_unixsock_path`: an absolute path, or an abstract socket name (`@…`).
fn is_unix_socket_path(host: &str, platform: Platform) -> bool {
    let b = host.as_bytes();
    let sep = |c: u8| c == b'/' || (platform == Platform::Windows && c == b'\\');
    match b.first() {
        None => false,
        Some(b'@') => true,
        Some(&c) if sep(c) => true,
        Some(&c) => {
            platform == Platform::Windows
                && c.is_ascii_alphabetic()
                && b.get(1) == Some(&b':')
                && b.get(2).is_some_and(|&c| sep(c))
        }
    }
}

/// Resolves a parsed target the way libpq would just before connecting: connection string,
/// then service file, then environment, then defaults; then host/port lists, passwords,
/// client certificate file defaults and value validation.
pub fn resolve(info: &ConnInfo, env: &dyn Env) -> Result<Resolved, ConninfoError> {
    let platform = env.platform();
    let mut warnings = Vec::new();
    let (vals, service) = gather_values(info, env, platform, &mut warnings)?;
    let lists = host_lists(&vals)?;
    let login = login(&vals);
    let sslsni = sni_setting(&vals, &mut warnings);
    let mut hosts = host_entries(&lists, sslsni.value, platform)?;
    let passfile = passwords(
        &vals,
        env,
        platform,
        &mut hosts,
        &lists,
        &login,
        &mut warnings,
    );
    let tls = validate_tls(&vals)?;
    let connect_timeout = validate_other(&vals)?;
    let files = client_files(&vals, env, platform);
    connect_warnings(tls.sslmode.value, &hosts, &mut warnings);
    Ok(Resolved {
        hosts,
        host_source: lists.host_source,
        port_source: lists.port_source,
        user: login.user,
        dbname: login.dbname,
        sslmode: tls.sslmode,
        sslnegotiation: tls.sslnegotiation,
        sslsni,
        sslcertmode: tls.sslcertmode,
        ssl_min_protocol_version: tls.ssl_min_protocol_version,
        ssl_max_protocol_version: tls.ssl_max_protocol_version,
        sslrootcert: files.sslrootcert,
        sslcert: files.sslcert,
        sslkey: files.sslkey,
        sslcrl: files.sslcrl,
        sslcrldir: setting(&vals, "sslcrldir"),
        sslpassword: nonempty(&vals, "sslpassword")
            .map(|(v, s)| Sourced::new(Secret::new(v.clone()), s.clone())),
        connect_timeout,
        service,
        passfile,
        settings: other_settings(&vals),
        warnings,
        given: info.given().to_vec(),
        form: info.form,
    })
}

/// A value that is set and not empty, with its source.
fn nonempty<'a>(vals: &'a Values, k: &str) -> Option<&'a (String, Source)> {
    vals.get(k).filter(|(v, _)| !v.is_empty())
}

/// A value that is set and not empty, as a [`Sourced`].
fn setting(vals: &Values, k: &str) -> Option<Sourced<String>> {
    nonempty(vals, k).map(|(v, s)| Sourced::new(v.clone(), s.clone()))
}

/// Gathers values by precedence: connection string, service file, PG* environment, defaults.
fn gather_values(
    info: &ConnInfo,
    env: &dyn Env,
    platform: Platform,
    warnings: &mut Vec<String>,
) -> Result<(Values, Option<ServiceUse>), ConninfoError> {
    let mut vals: Values = info
        .values
        .iter()
        .map(|(k, v)| (*k, (v.clone(), Source::ConnString)))
        .collect();
    for (k, secret) in &info.secrets {
        vals.insert(k, (secret.expose().to_string(), Source::ConnString));
    }

    let service = apply_service(&mut vals, env, platform, warnings)?;

    // Environment variables, then compiled-in defaults (conninfo_add_defaults).
    let mut sslmode_defaulted = false;
    for k in KEYWORDS {
        if vals.contains_key(k.name) {
            continue;
        }
        if let Some(var) = k.env {
            if let Some(v) = env.var(var) {
                vals.insert(k.name, (v, Source::Env(var.to_string())));
                continue;
            }
        }
        if k.name == "sslmode" {
            if env.var("PGREQUIRESSL").is_some_and(|v| v.starts_with('1')) {
                vals.insert(
                    k.name,
                    ("require".into(), Source::Env("PGREQUIRESSL".into())),
                );
                continue;
            }
            sslmode_defaulted = true;
        }
        if let Some(d) = k.default {
            vals.insert(k.name, (d.to_string(), Source::Default));
        } else if k.name == "user" {
            if let Some(u) = env.os_user() {
                vals.insert(k.name, (u, Source::Default));
            }
        }
    }
    if sslmode_defaulted && system_roots(&vals) {
        vals.insert("sslmode", ("verify-full".into(), Source::Default));
    }
    Ok((vals, service))
}

/// Whether `sslrootcert=system` asks for the system's trusted roots.
fn system_roots(vals: &Values) -> bool {
    vals.get("sslrootcert").is_some_and(|(v, _)| v == "system")
}

/// The host, hostaddr and port lists split at commas, all of one length.
struct HostLists<'a> {
    hostaddrs: Option<Vec<&'a str>>,
    hostnames: Option<Vec<&'a str>>,
    ports: Vec<&'a str>,
    host_source: Source,
    port_source: Source,
}

/// Splits the host/hostaddr/port lists and checks their lengths as connectOptions2 does.
fn host_lists(vals: &Values) -> Result<HostLists<'_>, ConninfoError> {
    let hostaddrs: Option<Vec<&str>> =
        nonempty(vals, "hostaddr").map(|(v, _)| v.split(',').collect());
    let hostnames: Option<Vec<&str>> = nonempty(vals, "host").map(|(v, _)| v.split(',').collect());
    let n = hostaddrs
        .as_ref()
        .or(hostnames.as_ref())
        .map_or(1, Vec::len);
    if let (Some(_), Some(names)) = (&hostaddrs, &hostnames) {
        if names.len() != n {
            return Err(ConninfoError::HostCount {
                names: names.len(),
                addrs: n,
            });
        }
    }
    let host_source = nonempty(vals, "hostaddr")
        .or(nonempty(vals, "host"))
        .map_or(Source::Default, |(_, s)| s.clone());
    let (port_text, port_source) =
        nonempty(vals, "port").map_or(("", Source::Default), |(v, s)| (v.as_str(), s.clone()));
    let mut ports: Vec<&str> = if port_text.is_empty() {
        vec![""]
    } else {
        port_text.split(',').collect()
    };
    if ports.len() == 1 {
        ports = vec![ports[0]; n];
    } else if ports.len() != n {
        return Err(ConninfoError::PortCount {
            ports: ports.len(),
            hosts: n,
        });
    }
    Ok(HostLists {
        hostaddrs,
        hostnames,
        ports,
        host_source,
        port_source,
    })
}

/// The user and database name; libpq's connectOptions2 defaults dbname to the user name.
struct Login {
    user: Option<Sourced<String>>,
    dbname: Option<Sourced<String>>,
}

/// Defaults dbname to the user name, as connectOptions2 does.
fn login(vals: &Values) -> Login {
    let user = setting(vals, "user");
    let dbname = setting(vals, "dbname").or_else(|| {
        user.as_ref()
            .map(|u| Sourced::new(u.value.clone(), Source::Default))
    });
    Login { user, dbname }
}

/// Reads sslsni as libpq does (only its first character counts), warning about other values.
fn sni_setting(vals: &Values, warnings: &mut Vec<String>) -> Sourced<bool> {
    let sslsni_raw = vals.get("sslsni").map_or("1", |(v, _)| v.as_str());
    let sslsni = Sourced::new(
        sslsni_raw.starts_with('1'),
        vals.get("sslsni")
            .map_or(Source::Default, |(_, s)| s.clone()),
    );
    if sslsni_raw != "0" && sslsni_raw != "1" {
        warnings.push(format!(
            "sslsni={sslsni_raw:?} is not 0 or 1; libpq only looks at the first character, so SNI is {}",
            if sslsni.value { "on" } else { "off" }
        ));
    }
    sslsni
}

/// Expands the host/hostaddr/port lists into HostEntry values (connectOptions2, SNI rule).
fn host_entries(
    lists: &HostLists,
    sni_on: bool,
    platform: Platform,
) -> Result<Vec<HostEntry>, ConninfoError> {
    let mut hosts = Vec::with_capacity(lists.ports.len());
    for (i, port_raw) in lists.ports.iter().enumerate() {
        let hostaddr = lists
            .hostaddrs
            .as_ref()
            .and_then(|l| l.get(i))
            .filter(|a| !a.is_empty())
            .map(|a| a.to_string());
        let mut host = lists
            .hostnames
            .as_ref()
            .and_then(|l| l.get(i))
            .filter(|h| !h.is_empty())
            .map(|h| h.to_string());
        let is_unix_socket = match (&hostaddr, &host) {
            (Some(_), _) => false,
            (None, Some(h)) => is_unix_socket_path(h, platform),
            (None, None) => {
                let (default, unix) = match platform {
                    Platform::Unix => (DEFAULT_SOCKET_DIR, true),
                    Platform::Windows => ("localhost", false),
                };
                host = Some(default.to_string());
                unix
            }
        };
        if let Some(addr) = &hostaddr {
            let unscoped = addr.split('%').next().unwrap_or(addr);
            if unscoped.parse::<IpAddr>().is_err() {
                return Err(ConninfoError::InvalidHostaddr { addr: addr.clone() });
            }
        }
        let port = parse_port(port_raw)?;
        let sni = host
            .as_ref()
            .filter(|h| sni_on && !is_unix_socket && !is_ip_literal(h))
            .cloned();
        hosts.push(HostEntry {
            host,
            hostaddr,
            port,
            is_unix_socket,
            tls_possible: !is_unix_socket,
            sni,
            password: None,
        });
    }
    Ok(hosts)
}

/// Looks up passwords: password/PGPASSWORD for every host, else the password file per host.
fn passwords(
    vals: &Values,
    env: &dyn Env,
    platform: Platform,
    hosts: &mut [HostEntry],
    lists: &HostLists,
    login: &Login,
    warnings: &mut Vec<String>,
) -> Option<Sourced<String>> {
    let passfile = setting(vals, "passfile").or_else(|| {
        let file = match platform {
            Platform::Unix => ".pgpass",
            Platform::Windows => "pgpass.conf",
        };
        user_dirs(env, platform)
            .map(|(_, dir)| Sourced::new(join(platform, &dir, file), Source::Default))
    });
    if let Some((pw, source)) = nonempty(vals, "password") {
        for h in hosts {
            h.password = Some(Sourced::new(Secret::new(pw.clone()), source.clone()));
        }
    } else if let Some(pf) = &passfile {
        let lookup = PassLookup {
            env,
            platform,
            file: pf,
            warnings,
        };
        lookup.fill(
            hosts,
            &lists.ports,
            login.dbname.as_ref(),
            login.user.as_ref(),
        );
    }
    passfile
}

/// The TLS settings once validated.
struct TlsChoices {
    sslmode: Sourced<SslMode>,
    sslnegotiation: Sourced<SslNegotiation>,
    sslcertmode: Sourced<SslCertMode>,
    ssl_min_protocol_version: Option<Sourced<TlsVersion>>,
    ssl_max_protocol_version: Option<Sourced<TlsVersion>>,
}

/// Validates sslmode/sslnegotiation/sslcertmode/protocol range with libpq's messages.
fn validate_tls(vals: &Values) -> Result<TlsChoices, ConninfoError> {
    check_choice(vals, "channel_binding", &["disable", "prefer", "require"])?;
    let sslmode = typed(vals, "sslmode", SslMode::from_libpq)?;
    let sslmode = sslmode.unwrap_or_else(|| Sourced::new(SslMode::Prefer, Source::Default));
    let sslnegotiation = typed(vals, "sslnegotiation", SslNegotiation::parse)?
        .unwrap_or_else(|| Sourced::new(SslNegotiation::Postgres, Source::Default));
    if sslnegotiation.value == SslNegotiation::Direct && sslmode.value < SslMode::Require {
        return Err(ConninfoError::WeakSslModeDirect {
            sslmode: sslmode.value.to_string(),
        });
    }
    // sslrootcert=system with a weaker sslmode is refused by libpq 16+ only (15 reads a file
    // named "system"): the verdict decides per libpq version, resolving does not.
    let version = |k: &'static str| match nonempty(vals, k) {
        None => Ok(None),
        Some(_) => typed(vals, k, TlsVersion::parse_pg),
    };
    let ssl_min_protocol_version = version("ssl_min_protocol_version")?;
    let ssl_max_protocol_version = version("ssl_max_protocol_version")?;
    if let (Some(min), Some(max)) = (&ssl_min_protocol_version, &ssl_max_protocol_version) {
        if min.value > max.value {
            return Err(ConninfoError::InvalidProtocolRange);
        }
    }
    let sslcertmode = typed(vals, "sslcertmode", SslCertMode::from_libpq)?
        .unwrap_or_else(|| Sourced::new(SslCertMode::Allow, Source::Default));
    Ok(TlsChoices {
        sslmode,
        sslnegotiation,
        sslcertmode,
        ssl_min_protocol_version,
        ssl_max_protocol_version,
    })
}

/// Validates gssencmode/target_session_attrs/load_balance_hosts and reads connect_timeout.
fn validate_other(vals: &Values) -> Result<Option<Sourced<u32>>, ConninfoError> {
    check_choice(vals, "gssencmode", &["disable", "prefer", "require"])?;
    check_choice(
        vals,
        "target_session_attrs",
        &[
            "any",
            "read-write",
            "read-only",
            "primary",
            "standby",
            "prefer-standby",
        ],
    )?;
    check_choice(vals, "load_balance_hosts", &["disable", "random"])?;
    match vals.get("connect_timeout") {
        None => Ok(None),
        Some((v, s)) => {
            let t = parse_int(v).ok_or_else(|| ConninfoError::InvalidInteger {
                keyword: "connect_timeout",
                value: v.clone(),
            })?;
            Ok((t > 0).then(|| Sourced::new(t.max(2) as u32, s.clone())))
        }
    }
}

/// The client certificate files, each given or defaulted into the user's directory.
struct ClientFiles {
    sslrootcert: Option<Sourced<String>>,
    sslcert: Option<Sourced<String>>,
    sslkey: Option<Sourced<String>>,
    sslcrl: Option<Sourced<String>>,
}

/// Resolves client file defaults (~/.postgresql/...) as initialize_SSL does.
fn client_files(vals: &Values, env: &dyn Env, platform: Platform) -> ClientFiles {
    // Empty means "the default in the user dir".
    let crl_given = nonempty(vals, "sslcrl").is_some() || nonempty(vals, "sslcrldir").is_some();
    let need_dir = ["sslcert", "sslkey", "sslrootcert"]
        .iter()
        .any(|k| nonempty(vals, k).is_none())
        || !crl_given;
    let client_dir = if need_dir {
        user_dirs(env, platform).map(|(d, _)| d)
    } else {
        None
    };
    let file = |k: &str, default: &str| {
        setting(vals, k).or_else(|| {
            client_dir
                .as_ref()
                .map(|d| Sourced::new(join(platform, d, default), Source::Default))
        })
    };
    ClientFiles {
        sslrootcert: file("sslrootcert", "root.crt"),
        sslcert: file("sslcert", "postgresql.crt"),
        sslkey: file("sslkey", "postgresql.key"),
        sslcrl: file("sslcrl", "root.crl"),
    }
}

/// Warnings: what libpq would fail on or silently ignore at connect time for this sslmode.
fn connect_warnings(sslmode: SslMode, hosts: &[HostEntry], warnings: &mut Vec<String>) {
    if sslmode == SslMode::VerifyFull && hosts.iter().any(|h| h.host.is_none()) {
        warnings.push(
            "sslmode=verify-full needs a host name to check the certificate against, but a host \
             is given only as hostaddr; libpq fails with \"host name must be specified for a \
             verified SSL connection\""
                .to_string(),
        );
    }
    if sslmode >= SslMode::Require {
        for h in hosts.iter().filter(|h| h.is_unix_socket) {
            warnings.push(format!(
                "host {} is a Unix-domain socket: libpq never uses TLS there, so sslmode={} has no effect for it",
                h.host.as_deref().unwrap_or(""),
                sslmode
            ));
        }
    }
}

/// Keywords [`Resolved`] has a typed field for; [`other_settings`] leaves them out.
const TYPED_KEYS: [&str; 21] = [
    "host",
    "hostaddr",
    "port",
    "user",
    "dbname",
    "password",
    "passfile",
    "service",
    "sslmode",
    "sslnegotiation",
    "sslsni",
    "sslcertmode",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "sslcrldir",
    "sslpassword",
    "connect_timeout",
];

/// Collects every other keyword with a value, raw with its source, leaving secrets out.
fn other_settings(vals: &Values) -> BTreeMap<&'static str, Sourced<String>> {
    vals.iter()
        .filter(|(k, (v, s))| {
            let secret = keyword(k).is_some_and(|kw| kw.secret);
            let empty_default = v.is_empty() && *s == Source::Default;
            !(TYPED_KEYS.contains(k) || secret || empty_default)
        })
        .map(|(k, (v, s))| (*k, Sourced::new(v.clone(), s.clone())))
        .collect()
}

/// libpq's SNI rule: no SNI for anything that looks like an IPv4 or IPv6 literal.
fn is_ip_literal(host: &str) -> bool {
    host.bytes().all(|c| c.is_ascii_digit() || c == b'.') || host.contains(':')
}

fn typed<T>(
    vals: &Values,
    k: &'static str,
    from: fn(&str) -> Option<T>,
) -> Result<Option<Sourced<T>>, ConninfoError> {
    match vals.get(k) {
        None => Ok(None),
        Some((v, s)) => from(v)
            .map(|t| Some(Sourced::new(t, s.clone())))
            .ok_or_else(|| ConninfoError::InvalidValue {
                keyword: k,
                value: v.clone(),
            }),
    }
}

fn check_choice(vals: &Values, k: &'static str, allowed: &[&str]) -> Result<(), ConninfoError> {
    match vals.get(k) {
        Some((v, _)) if !allowed.contains(&v.as_str()) => Err(ConninfoError::InvalidValue {
            keyword: k,
            value: v.clone(),
        }),
        _ => Ok(()),
    }
}

/// libpq's `parse_int_param`: `strtol` with surrounding blanks allowed, must fit an `int`.
fn parse_int(v: &str) -> Option<i32> {
    let t = v.trim_matches(is_c_space);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse::<i32>().ok()
}

fn parse_port(raw: &str) -> Result<u16, ConninfoError> {
    if raw.is_empty() {
        return Ok(DEFAULT_PORT);
    }
    let n = parse_int(raw).ok_or_else(|| ConninfoError::InvalidInteger {
        keyword: "port",
        value: raw.to_string(),
    })?;
    u16::try_from(n)
        .ok()
        .filter(|p| *p >= 1)
        .ok_or_else(|| ConninfoError::InvalidPort {
            port: raw.to_string(),
        })
}

/// Applies a service definition (`service=` or `PGSERVICE`) to the values not set yet.
fn apply_service(
    vals: &mut Values,
    env: &dyn Env,
    platform: Platform,
    warnings: &mut Vec<String>,
) -> Result<Option<ServiceUse>, ConninfoError> {
    let name = match vals.get("service") {
        Some((v, s)) => Sourced::new(v.clone(), s.clone()),
        None => match env.var("PGSERVICE") {
            Some(v) => Sourced::new(v, Source::Env("PGSERVICE".into())),
            None => return Ok(None),
        },
    };
    let from_env = env.var("PGSERVICEFILE");
    if let Some(f) = from_env.as_ref().filter(|f| env.stat(f).is_none()) {
        warnings.push(format!(
            "PGSERVICEFILE names \"{f}\", which does not exist; libpq silently looks in the system service file instead"
        ));
    }
    let user_file = from_env.or_else(|| {
        user_dirs(env, platform).map(|(_, dir)| join(platform, &dir, ".pg_service.conf"))
    });
    let sysconf = env.var("PGSYSCONFDIR").or_else(|| match platform {
        Platform::Unix => Some(DEFAULT_SYSCONFDIR.to_string()),
        Platform::Windows => None,
    });
    let system_file = sysconf.map(|d| join(platform, &d, "pg_service.conf"));
    for file in [user_file, system_file].into_iter().flatten() {
        if env.stat(&file).is_none() {
            continue;
        }
        if read_service_file(vals, env, &file, &name.value)? {
            return Ok(Some(ServiceUse { name, file }));
        }
    }
    Err(ConninfoError::ServiceNotFound {
        service: name.value,
    })
}

/// libpq's `parseServiceFile`: returns whether the `[service]` group was found. Values
/// already set win; within the group the first occurrence of a keyword wins.
fn read_service_file(
    vals: &mut Values,
    env: &dyn Env,
    file: &str,
    service: &str,
) -> Result<bool, ConninfoError> {
    let bytes = env
        .read_file(file)
        .map_err(|_| ConninfoError::ServiceFileUnreadable {
            file: file.to_string(),
        })?;
    let text = String::from_utf8_lossy(&bytes);
    let mut found = false;
    for (idx, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = idx + 1;
        // libpq reads lines into a 1024-byte buffer and rejects any line that fills it.
        if raw.len() >= 1023 {
            return Err(ConninfoError::ServiceLineTooLong {
                file: file.to_string(),
                line: line_no,
            });
        }
        let line = raw.trim_matches(is_c_space);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[') {
            if found {
                return Ok(true);
            }
            found =
                group.starts_with(service) && group.as_bytes().get(service.len()) == Some(&b']');
            continue;
        }
        if !found {
            continue;
        }
        let syntax = || ConninfoError::ServiceSyntax {
            file: file.to_string(),
            line: line_no,
        };
        let (key, value) = line.split_once('=').ok_or_else(syntax)?;
        if key == "service" {
            return Err(ConninfoError::ServiceNested {
                file: file.to_string(),
                line: line_no,
            });
        }
        let k = keyword(key).ok_or_else(syntax)?;
        vals.entry(k.name)
            .or_insert_with(|| (value.to_string(), Source::Service(file.to_string())));
    }
    Ok(found)
}

/// libpq's `passwordFromFile`, once per host.
struct PassLookup<'a> {
    env: &'a dyn Env,
    platform: Platform,
    file: &'a Sourced<String>,
    warnings: &'a mut Vec<String>,
}

impl PassLookup<'_> {
    fn fill(
        self,
        hosts: &mut [HostEntry],
        ports: &[&str],
        dbname: Option<&Sourced<String>>,
        user: Option<&Sourced<String>>,
    ) {
        let path = self.file.value.as_str();
        let Some(meta) = self.env.stat(path) else {
            if !self.file.is_default() {
                self.warnings.push(format!(
                    "password file \"{path}\" (from {}) does not exist; libpq ignores it silently",
                    self.file.source
                ));
            }
            return;
        };
        if self.platform == Platform::Unix {
            if !meta.is_file {
                self.warnings.push(format!(
                    "password file \"{path}\" is not a plain file; libpq ignores it"
                ));
                return;
            }
            if meta.mode.is_some_and(|m| m & 0o077 != 0) {
                self.warnings.push(format!(
                    "password file \"{path}\" has group or world access; permissions should be u=rw (0600) \
                     or less; libpq ignores it (fix: chmod 0600 {path})"
                ));
                return;
            }
        }
        let Ok(bytes) = self.env.read_file(path) else {
            self.warnings.push(format!(
                "password file \"{path}\" cannot be read; libpq ignores it"
            ));
            return;
        };
        let (Some(db), Some(user)) = (dbname, user) else {
            return;
        };
        for (h, port) in hosts.iter_mut().zip(ports) {
            let host = h.host.as_deref().or(h.hostaddr.as_deref()).unwrap_or("");
            let lookup_host = if host.is_empty()
                || (self.platform == Platform::Unix
                    && is_unix_socket_path(host, self.platform)
                    && host == DEFAULT_SOCKET_DIR)
            {
                "localhost"
            } else {
                host
            };
            let port = if port.is_empty() { "5432" } else { port };
            if let Some(pw) = passfile_password(&bytes, lookup_host, port, &db.value, &user.value) {
                h.password = Some(Sourced::new(
                    Secret::new(pw),
                    Source::PassFile(path.to_string()),
                ));
            }
        }
    }
}

/// The password of the first `host:port:db:user:password` line that matches.
fn passfile_password(text: &[u8], host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    for line in text.split(|&c| c == b'\n') {
        let mut end = line.len();
        while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
            end -= 1;
        }
        let line = &line[..end];
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let rest = [host, port, db, user]
            .iter()
            .try_fold(line, |rest, token| match_field(rest, token.as_bytes()));
        if let Some(rest) = rest {
            let mut pw = Vec::new();
            let mut i = 0;
            while i < rest.len() && rest[i] != b':' {
                if rest[i] == b'\\' && i + 1 < rest.len() {
                    i += 1;
                }
                pw.push(rest[i]);
                i += 1;
            }
            return Some(String::from_utf8_lossy(&pw).into_owned());
        }
    }
    None
}

/// libpq's `pwdfMatchesString`: one `:`-terminated field against `token`; `*` matches all,
/// `\` escapes the next character. Returns the rest of the line after the field.
fn match_field<'a>(buf: &'a [u8], token: &[u8]) -> Option<&'a [u8]> {
    if buf.starts_with(b"*:") {
        return Some(&buf[2..]);
    }
    let (mut i, mut t) = (0, 0);
    while i < buf.len() {
        let mut escaped = false;
        if buf[i] == b'\\' {
            i += 1;
            escaped = true;
        }
        let c = *buf.get(i)?;
        if c == b':' && t == token.len() && !escaped {
            return Some(&buf[i + 1..]);
        }
        if t == token.len() || c != token[t] {
            return None;
        }
        i += 1;
        t += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct TestEnv {
        vars: HashMap<String, String>,
        home: Option<String>,
        files: HashMap<String, (String, u32)>,
        platform: Option<Platform>,
    }

    impl TestEnv {
        fn new() -> TestEnv {
            TestEnv {
                home: Some("/home/alice".into()),
                ..TestEnv::default()
            }
            .var("USER", "alice")
        }
        fn var(mut self, k: &str, v: &str) -> TestEnv {
            self.vars.insert(k.into(), v.into());
            self
        }
        fn file(mut self, path: &str, text: &str, mode: u32) -> TestEnv {
            self.files.insert(path.into(), (text.into(), mode));
            self
        }
        fn windows(mut self) -> TestEnv {
            self.platform = Some(Platform::Windows);
            self
        }
    }

    impl Env for TestEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }
        fn home_dir(&self) -> Option<String> {
            self.home.clone()
        }
        fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>> {
            self.files
                .get(path)
                .map(|(t, _)| t.as_bytes().to_vec())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        }
        fn stat(&self, path: &str) -> Option<FileInfo> {
            self.files.get(path).map(|(_, m)| FileInfo {
                is_file: true,
                mode: Some(*m),
            })
        }
        fn platform(&self) -> Platform {
            self.platform.unwrap_or(Platform::Unix)
        }
    }

    fn res(target: &str, env: &TestEnv) -> Result<Resolved, ConninfoError> {
        resolve(&parse(target)?, env)
    }

    fn ok(target: &str, env: &TestEnv) -> Resolved {
        res(target, env).unwrap_or_else(|e| panic!("{target:?}: {e}"))
    }

    /// Resolves `target` and compares the redacted effective keyword/value string.
    fn check(target: &str, env: &TestEnv, expected: &str) {
        assert_eq!(ok(target, env).to_string(), expected, "target {target:?}");
    }

    fn check_err(target: &str, env: &TestEnv, expected: &str) {
        match res(target, env) {
            Ok(r) => panic!("{target:?}: expected error, got {r}"),
            Err(e) => assert_eq!(e.to_string(), expected, "target {target:?}"),
        }
    }

    fn env_src(v: &str) -> Source {
        Source::Env(v.into())
    }

    #[test]
    fn defaults() {
        let r = ok("", &TestEnv::new());
        let expected = [
            "host=/var/run/postgresql port=5432 user=alice dbname=alice sslmode=prefer",
            "sslnegotiation=postgres sslsni=1 sslcertmode=allow ssl_min_protocol_version=TLSv1.2",
            "sslrootcert=/home/alice/.postgresql/root.crt sslcert=/home/alice/.postgresql/postgresql.crt",
            "sslkey=/home/alice/.postgresql/postgresql.key sslcrl=/home/alice/.postgresql/root.crl",
            "channel_binding=prefer gssdelegation=0 gssencmode=prefer krbsrvname=postgres",
            "load_balance_hosts=disable sslcompression=0 target_session_attrs=any",
        ];
        assert_eq!(r.to_string(), expected.join(" "));
        let h = &r.hosts[0];
        assert!(h.is_unix_socket && !h.tls_possible && h.sni.is_none());
        assert_eq!(r.host_source, Source::Default);
        assert!(r.sslmode.is_default() && r.sslrootcert.as_ref().is_some_and(Sourced::is_default));
        assert_eq!(
            r.dbname.as_ref().map(|d| d.source.clone()),
            Some(Source::Default)
        );
        assert!(r.connect_timeout.is_none());
        assert_eq!(
            r.passfile.as_ref().map(|p| p.value.as_str()),
            Some("/home/alice/.pgpass")
        );
    }

    #[test]
    fn effective_strings() {
        let env = TestEnv::new();
        let tail = "sslnegotiation=postgres sslsni=1 sslcertmode=allow ssl_min_protocol_version=TLSv1.2 \
                    sslrootcert=/home/alice/.postgresql/root.crt sslcert=/home/alice/.postgresql/postgresql.crt \
                    sslkey=/home/alice/.postgresql/postgresql.key sslcrl=/home/alice/.postgresql/root.crl \
                    channel_binding=prefer gssdelegation=0 gssencmode=prefer krbsrvname=postgres \
                    load_balance_hosts=disable sslcompression=0 target_session_attrs=any";
        let tail = tail.split_whitespace().collect::<Vec<_>>().join(" ");
        for (target, head) in [
            (
                "db.example:6432",
                "host=db.example port=6432 user=alice dbname=alice sslmode=prefer",
            ),
            (
                "postgresql://bob:pw@h1,h2:7/app",
                "host=h1,h2 port=5432,7 user=bob password=******** dbname=app sslmode=prefer",
            ),
            (
                "hostaddr=::1 sslmode=require",
                "hostaddr=::1 port=5432 user=alice dbname=alice sslmode=require",
            ),
            (
                "host='/tmp' user='a b'",
                "host=/tmp port=5432 user='a b' dbname='a b' sslmode=prefer",
            ),
        ] {
            check(target, &env, &format!("{head} {tail}"));
        }
    }

    #[test]
    fn windows_locations() {
        let env = TestEnv::new()
            .windows()
            .var("APPDATA", r"C:\Users\bob\AppData\Roaming")
            .var("USERNAME", "bob");
        let r = ok("host=db", &env);
        assert_eq!(
            r.sslrootcert.map(|s| s.value),
            Some(r"C:\Users\bob\AppData\Roaming\postgresql\root.crt".into())
        );
        assert_eq!(
            r.sslkey.map(|s| s.value),
            Some(r"C:\Users\bob\AppData\Roaming\postgresql\postgresql.key".into())
        );
        assert_eq!(
            r.passfile.map(|s| s.value),
            Some(r"C:\Users\bob\AppData\Roaming\postgresql\pgpass.conf".into())
        );
        assert_eq!(r.user.map(|s| s.value), Some("bob".into()));
        let d = ok("", &env);
        assert_eq!(
            (d.hosts[0].host.as_deref(), d.hosts[0].is_unix_socket),
            (Some("localhost"), false)
        );
        assert!(ok(r"host='C:\\sock'", &env).hosts[0].is_unix_socket);
        assert!(ok(r"host=C:/sock", &env).hosts[0].is_unix_socket);
        assert!(!ok(r"host='C:\\sock'", &TestEnv::new()).hosts[0].is_unix_socket);
    }

    #[test]
    fn precedence_connstring_env_default() {
        let env = TestEnv::new()
            .var("PGSSLMODE", "require")
            .var("PGHOST", "envhost")
            .var("PGPORT", "6000")
            .var("PGSSLROOTCERT", "/etc/ca.pem")
            .var("PGCONNECT_TIMEOUT", "1")
            .var("PGAPPNAME", "app")
            .var("PGDATABASE", "envdb");
        let r = ok("host=cs sslmode=verify-ca", &env);
        assert_eq!(
            (r.sslmode.value, r.sslmode.source.clone()),
            (SslMode::VerifyCa, Source::ConnString)
        );
        assert_eq!(r.hosts[0].host.as_deref(), Some("cs"));
        assert_eq!(
            (r.hosts[0].port, r.port_source.clone()),
            (6000, env_src("PGPORT"))
        );
        assert_eq!(
            r.sslrootcert,
            Some(Sourced::new("/etc/ca.pem".into(), env_src("PGSSLROOTCERT")))
        );
        assert_eq!(
            r.connect_timeout,
            Some(Sourced::new(2, env_src("PGCONNECT_TIMEOUT")))
        );
        assert_eq!(
            r.settings.get("application_name"),
            Some(&Sourced::new("app".into(), env_src("PGAPPNAME")))
        );
        assert_eq!(
            r.dbname,
            Some(Sourced::new("envdb".into(), env_src("PGDATABASE")))
        );
        let r = ok("", &env);
        assert_eq!(
            (r.sslmode.value, r.sslmode.source),
            (SslMode::Require, env_src("PGSSLMODE"))
        );
        assert_eq!(
            (r.hosts[0].host.as_deref(), r.host_source),
            (Some("envhost"), env_src("PGHOST"))
        );

        // PGREQUIRESSL only when PGSSLMODE is unset, and only values starting with 1.
        let r = ok("", &TestEnv::new().var("PGREQUIRESSL", "1"));
        assert_eq!(
            r.sslmode,
            Sourced::new(SslMode::Require, env_src("PGREQUIRESSL"))
        );
        assert_eq!(
            ok("", &TestEnv::new().var("PGREQUIRESSL", "0"))
                .sslmode
                .value,
            SslMode::Prefer
        );
        let both = TestEnv::new()
            .var("PGREQUIRESSL", "1")
            .var("PGSSLMODE", "allow");
        assert_eq!(ok("", &both).sslmode.value, SslMode::Allow);
        assert_eq!(
            ok("requiressl=1", &TestEnv::new()).sslmode.value,
            SslMode::Require
        );

        // An empty env var counts as set: PGSSLMODE="" is invalid, as in libpq.
        check_err(
            "",
            &TestEnv::new().var("PGSSLMODE", ""),
            r#"invalid sslmode value: """#,
        );
        // An empty connection string value for host means the default host.
        assert!(ok("host=''", &TestEnv::new().var("PGHOST", "x")).hosts[0].is_unix_socket);
    }

    #[test]
    fn all_listed_env_vars_are_used() {
        for (var, kw, value) in [
            ("PGHOSTADDR", "hostaddr", "10.0.0.1"),
            ("PGUSER", "user", "u"),
            ("PGPASSFILE", "passfile", "/p"),
            ("PGSSLNEGOTIATION", "sslnegotiation", "direct"),
            ("PGSSLCERT", "sslcert", "/c"),
            ("PGSSLKEY", "sslkey", "/k"),
            ("PGSSLCRL", "sslcrl", "/crl"),
            ("PGSSLCRLDIR", "sslcrldir", "/crldir"),
            ("PGSSLSNI", "sslsni", "0"),
            ("PGSSLCERTMODE", "sslcertmode", "require"),
            (
                "PGSSLMINPROTOCOLVERSION",
                "ssl_min_protocol_version",
                "TLSv1.3",
            ),
            (
                "PGSSLMAXPROTOCOLVERSION",
                "ssl_max_protocol_version",
                "TLSv1.3",
            ),
            ("PGTARGETSESSIONATTRS", "target_session_attrs", "standby"),
            ("PGLOADBALANCEHOSTS", "load_balance_hosts", "random"),
            ("PGGSSENCMODE", "gssencmode", "disable"),
            ("PGCHANNELBINDING", "channel_binding", "require"),
        ] {
            let env = TestEnv::new().var(var, value).var("PGSSLMODE", "require");
            let r = ok("host=h", &env);
            let shown = r.to_string();
            let expected = if kw == "sslsni" {
                "sslsni=0".to_string()
            } else {
                format!("{kw}={value}")
            };
            assert!(shown.contains(&expected), "{var}: {shown}");
            let json = serde_json::to_string(&r).unwrap();
            assert!(json.contains(var), "{var} source missing: {json}");
        }
        let r = ok("host=h", &TestEnv::new().var("PGPASSWORD", "pw"));
        assert_eq!(
            r.hosts[0]
                .password
                .as_ref()
                .map(|p| (p.value.expose(), p.source.clone())),
            Some(("pw", env_src("PGPASSWORD")))
        );
    }

    #[test]
    fn multi_host() {
        let env = TestEnv::new();
        let r = ok("postgresql://a:1,b,[::1]:3/db", &env);
        let got: Vec<_> = r
            .hosts
            .iter()
            .map(|h| (h.host.clone().unwrap_or_default(), h.port))
            .collect();
        assert_eq!(
            got,
            [("a".into(), 1), ("b".into(), 5432), ("::1".into(), 3)]
        );
        let r = ok("host=a,b,c port=7", &env);
        assert!(r.hosts.iter().all(|h| h.port == 7));
        let r = ok("host=a,,/tmp", &env);
        let kinds: Vec<_> = r
            .hosts
            .iter()
            .map(|h| (h.host.clone().unwrap_or_default(), h.is_unix_socket))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a".into(), false),
                ("/var/run/postgresql".into(), true),
                ("/tmp".into(), true)
            ]
        );
        let r = ok("host=a,b hostaddr=10.0.0.1,::1", &env);
        assert_eq!(r.hosts[1].hostaddr.as_deref(), Some("::1"));
        let r = ok("hostaddr=10.0.0.1,10.0.0.2", &env);
        assert_eq!(r.hosts.len(), 2);
        assert!(r
            .hosts
            .iter()
            .all(|h| h.host.is_none() && h.sni.is_none() && !h.is_unix_socket));
        let r = ok("host=@abstract", &env);
        assert!(r.hosts[0].is_unix_socket);

        check_err(
            "host=a,b port=1,2,3",
            &env,
            "could not match 3 port numbers to 2 hosts",
        );
        check_err(
            "postgresql://a:1,b:2,c:3/?port=1,2",
            &env,
            "could not match 2 port numbers to 3 hosts",
        );
        check_err(
            "host=a,b hostaddr=10.0.0.1",
            &env,
            "could not match 2 host names to 1 hostaddr values",
        );
        check_err(
            "host=a hostaddr=10.0.0.1,10.0.0.2",
            &env,
            "could not match 1 host names to 2 hostaddr values",
        );
        check_err(
            "hostaddr=db.example",
            &env,
            r#"could not parse network address "db.example": not a numeric IPv4 or IPv6 address"#,
        );
        check_err(
            "host=a port=x",
            &env,
            r#"invalid integer value "x" for connection option "port""#,
        );
        check_err("host=a port=70000", &env, r#"invalid port number: "70000""#);
        check_err("host=a port=0", &env, r#"invalid port number: "0""#);
        check_err("db:99999", &env, r#"invalid port number: "99999""#);
        assert_eq!(ok("host=a port=' 5433 '", &env).hosts[0].port, 5433);
        assert_eq!(ok("[::1]:6432", &env).hosts[0].port, 6432);
    }

    #[test]
    fn sni_rules() {
        let env = TestEnv::new();
        let sni = |t: &str| {
            ok(t, &env)
                .hosts
                .iter()
                .map(|h| h.sni.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(sni("host=db.example"), [Some("db.example".into())]);
        assert_eq!(sni("host=db.example sslsni=0"), [None]);
        assert_eq!(
            sni("host=10.1.2.3,::1,[::1]:5,a1"),
            [None, None, None, Some("a1".into())]
        );
        assert_eq!(sni("host=db hostaddr=10.0.0.1"), [Some("db".into())]);
        assert_eq!(sni("host=/tmp"), [None]);
        assert_eq!(sni("host=h sslsni=1x"), [Some("h".into())]);
        let r = ok("host=h sslsni=yes", &env);
        assert_eq!((r.hosts[0].sni.clone(), r.warnings.len()), (None, 1));
        assert!(r.warnings[0].contains("sslsni"), "{:?}", r.warnings);
    }

    #[test]
    fn ssl_value_validation() {
        let env = TestEnv::new();
        check_err(
            "sslmode=verify_full",
            &env,
            r#"invalid sslmode value: "verify_full""#,
        );
        check_err(
            "sslnegotiation=tls",
            &env,
            r#"invalid sslnegotiation value: "tls""#,
        );
        for weak in ["disable", "allow", "prefer"] {
            check_err(
                &format!("sslnegotiation=direct sslmode={weak}"),
                &env,
                &format!(
                    r#"weak sslmode "{weak}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#
                ),
            );
        }
        check_err(
            "sslnegotiation=direct",
            &env,
            r#"weak sslmode "prefer" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")"#,
        );
        assert_eq!(
            ok("sslnegotiation=direct sslmode=require", &env)
                .sslnegotiation
                .value,
            SslNegotiation::Direct
        );

        let r = ok("sslrootcert=system host=h", &env);
        assert_eq!(
            r.sslmode,
            Sourced::new(SslMode::VerifyFull, Source::Default)
        );
        assert!(r.uses_system_roots());
        // A weak sslmode with sslrootcert=system resolves; libpq 16+ refuses it in the verdict.
        for weak in ["require", "verify-ca", "prefer"] {
            let r = ok(&format!("sslrootcert=system sslmode={weak} host=h"), &env);
            assert_eq!(r.sslmode.value.as_str(), weak);
        }
        let r = ok("sslrootcert=system host=h", &TestEnv::new().var("PGSSLMODE", "require"));
        assert_eq!(r.sslmode.value, SslMode::Require);

        let r = ok(
            "ssl_min_protocol_version=tlsv1.3 ssl_max_protocol_version=TLSv1.3",
            &env,
        );
        assert_eq!(
            r.ssl_min_protocol_version.map(|v| v.value),
            Some(TlsVersion::TLSv1_3)
        );
        assert!(ok("ssl_min_protocol_version=''", &env)
            .ssl_min_protocol_version
            .is_none());
        check_err(
            "ssl_min_protocol_version=TLSv1.4",
            &env,
            r#"invalid ssl_min_protocol_version value: "TLSv1.4""#,
        );
        check_err(
            "ssl_max_protocol_version=SSLv3",
            &env,
            r#"invalid ssl_max_protocol_version value: "SSLv3""#,
        );
        check_err(
            "ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2",
            &env,
            "invalid SSL protocol version range",
        );
        check_err(
            "ssl_max_protocol_version=TLSv1.1",
            &env,
            "invalid SSL protocol version range",
        );
        check_err(
            "sslcertmode=maybe",
            &env,
            r#"invalid sslcertmode value: "maybe""#,
        );
        check_err(
            "channel_binding=yes",
            &env,
            r#"invalid channel_binding value: "yes""#,
        );
        check_err("gssencmode=on", &env, r#"invalid gssencmode value: "on""#);
        check_err(
            "target_session_attrs=master",
            &env,
            r#"invalid target_session_attrs value: "master""#,
        );
        check_err(
            "load_balance_hosts=yes",
            &env,
            r#"invalid load_balance_hosts value: "yes""#,
        );
    }

    #[test]
    fn connect_timeout() {
        let env = TestEnv::new();
        let t = |s: &str| {
            ok(&format!("connect_timeout={s}"), &env)
                .connect_timeout
                .map(|t| t.value)
        };
        assert_eq!(
            [t("0"), t("1"), t("2"), t("10"), t("-5"), t("' 7 '")],
            [None, Some(2), Some(2), Some(10), None, Some(7)]
        );
        check_err(
            "connect_timeout=10s",
            &env,
            r#"invalid integer value "10s" for connection option "connect_timeout""#,
        );
        check_err(
            "connect_timeout=''",
            &env,
            r#"invalid integer value "" for connection option "connect_timeout""#,
        );
        check_err(
            "connect_timeout=99999999999",
            &env,
            r#"invalid integer value "99999999999" for connection option "connect_timeout""#,
        );
    }

    #[test]
    fn client_file_defaults() {
        let env = TestEnv::new();
        let r = ok("sslcert=/c.pem sslrootcert='' sslcrldir=/crls", &env);
        assert_eq!(
            r.sslcert,
            Some(Sourced::new("/c.pem".into(), Source::ConnString))
        );
        assert_eq!(
            r.sslrootcert,
            Some(Sourced::new(
                "/home/alice/.postgresql/root.crt".into(),
                Source::Default
            ))
        );
        assert_eq!(r.sslcrldir.map(|s| s.value), Some("/crls".into()));
        // libpq only needs the home directory when something is defaulted.
        let r = ok("sslcert=/c sslkey=/k sslrootcert=/r sslcrldir=/d", &env);
        assert!(r.sslcrl.is_none());
        let nohome = TestEnv {
            home: None,
            ..TestEnv::new()
        };
        let r = ok("host=h", &nohome);
        assert!(r.sslrootcert.is_none() && r.passfile.is_none());
    }

    const SERVICES: &str = "# comment\n\
        [other]\nhost=wrong\n\n\
        [prod]\n  host=prod.example  \nport=6432\nsslmode=verify-full\nsslmode=disable\napplication_name=a b\n\
        [after]\nhost=after\n";

    #[test]
    fn service_file() {
        let env = TestEnv::new().file("/home/alice/.pg_service.conf", SERVICES, 0o644);
        let r = ok("service=prod port=1", &env);
        let file = Source::Service("/home/alice/.pg_service.conf".into());
        assert_eq!(r.hosts[0].host.as_deref(), Some("prod.example"));
        assert_eq!(
            (r.hosts[0].port, r.port_source.clone()),
            (1, Source::ConnString)
        );
        assert_eq!(r.sslmode, Sourced::new(SslMode::VerifyFull, file.clone()));
        assert_eq!(
            r.settings.get("application_name").map(|s| s.value.as_str()),
            Some("a b")
        );
        assert_eq!(
            r.service
                .as_ref()
                .map(|s| (s.name.value.as_str(), s.file.as_str())),
            Some(("prod", "/home/alice/.pg_service.conf"))
        );

        // Service beats environment; PGSERVICE selects the service.
        let env2 = TestEnv::new()
            .file("/home/alice/.pg_service.conf", SERVICES, 0o644)
            .var("PGSERVICE", "prod")
            .var("PGSSLMODE", "disable")
            .var("PGHOST", "envhost");
        let r = ok("", &env2);
        assert_eq!(
            (r.sslmode.value, r.host_source.clone()),
            (SslMode::VerifyFull, file)
        );
        assert_eq!(r.service.map(|s| s.name.source), Some(env_src("PGSERVICE")));

        // PGSERVICEFILE replaces ~/.pg_service.conf; then PGSYSCONFDIR/pg_service.conf.
        let env3 = TestEnv::new()
            .file("/srv/svc.conf", "[a]\nhost=from-pgservicefile\n", 0o600)
            .file("/etc/pg/pg_service.conf", "[b]\nhost=from-sysconf\n", 0o644)
            .file(
                "/etc/postgresql-common/pg_service.conf",
                "[c]\nhost=from-debian\n",
                0o644,
            )
            .var("PGSERVICEFILE", "/srv/svc.conf")
            .var("PGSYSCONFDIR", "/etc/pg");
        assert_eq!(
            ok("service=a", &env3).hosts[0].host.as_deref(),
            Some("from-pgservicefile")
        );
        assert_eq!(
            ok("service=b", &env3).hosts[0].host.as_deref(),
            Some("from-sysconf")
        );
        check_err("service=c", &env3, r#"definition of service "c" not found"#);
        let missing = TestEnv::new().var("PGSERVICEFILE", "/gone.conf").file(
            "/etc/postgresql-common/pg_service.conf",
            "[c]\nhost=from-debian\n",
            0o644,
        );
        let r = ok("service=c", &missing);
        assert_eq!(r.hosts[0].host.as_deref(), Some("from-debian"));
        assert!(
            r.warnings.iter().any(|w| w.contains("/gone.conf")),
            "{:?}",
            r.warnings
        );
        let debian = TestEnv::new().file(
            "/etc/postgresql-common/pg_service.conf",
            "[c]\nhost=from-debian\n",
            0o644,
        );
        assert_eq!(
            ok("service=c", &debian).hosts[0].host.as_deref(),
            Some("from-debian")
        );

        check_err(
            "service=nope",
            &env,
            r#"definition of service "nope" not found"#,
        );
        check_err(
            "service=prod",
            &TestEnv::new(),
            r#"definition of service "prod" not found"#,
        );
        let bad = |text: &str| TestEnv::new().file("/home/alice/.pg_service.conf", text, 0o644);
        let f = "/home/alice/.pg_service.conf";
        check_err(
            "service=s",
            &bad("[s]\nhost\n"),
            &format!(r#"syntax error in service file "{f}", line 2"#),
        );
        check_err(
            "service=s",
            &bad("[s]\n\nhost = x\n"),
            &format!(r#"syntax error in service file "{f}", line 3"#),
        );
        check_err(
            "service=s",
            &bad("[s]\nrequiressl=1\n"),
            &format!(r#"syntax error in service file "{f}", line 2"#),
        );
        check_err(
            "service=s",
            &bad("[s]\nservice=t\n"),
            &format!(
                r#"nested service specifications not supported in service file "{f}", line 2"#
            ),
        );
        check_err(
            "service=s",
            &bad(&format!("[s]\nhost={}\n", "x".repeat(1100))),
            &format!(r#"line 2 too long in service file "{f}""#),
        );
        // Lines outside the chosen group are not checked.
        assert!(res("service=s", &bad("[t]\nbogus\n[s]\nhost=x\n")).is_ok());
        // "[s] trailing" still names group s, as in libpq.
        assert!(res("service=s", &bad("[s] trailing\nhost=x\n")).is_ok());
    }

    const PGPASS: &str = "# comment\n\
        db.example:5432:app:alice:pw-exact\n\
        localhost:*:*:alice:pw-local\n\
        h\\:x:*:*:*:pw-escaped-host\n\
        *:6432:*:*:pw\\:with\\\\colon:ignored\r\n\
        *:*:*:bob:pw-bob\n";

    #[test]
    fn passfile_matching() {
        let env = TestEnv::new().file("/home/alice/.pgpass", PGPASS, 0o600);
        let pw = |t: &str| {
            ok(t, &env)
                .hosts
                .iter()
                .map(|h| h.password.as_ref().map(|p| p.value.expose().to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(pw("host=db.example dbname=app"), [Some("pw-exact".into())]);
        assert_eq!(pw("host=db.example dbname=other"), [None]);
        assert_eq!(pw("host=localhost dbname=x"), [Some("pw-local".into())]);
        // The default socket directory is looked up as localhost.
        assert_eq!(pw(""), [Some("pw-local".into())]);
        assert_eq!(pw("host=/tmp"), [None]);
        assert_eq!(pw(r"host=h:x"), [Some("pw-escaped-host".into())]);
        assert_eq!(pw("host=other port=6432"), [Some(r"pw:with\colon".into())]);
        assert_eq!(pw("host=any user=bob"), [Some("pw-bob".into())]);
        assert_eq!(
            pw("host=db.example,localhost dbname=app"),
            [Some("pw-exact".into()), Some("pw-local".into())]
        );
        // hostaddr is the lookup key only when host is not given.
        assert_eq!(
            pw("hostaddr=10.0.0.1 port=6432"),
            [Some(r"pw:with\colon".into())]
        );
        // An explicit password wins; an empty one still consults the file.
        assert_eq!(pw("host=localhost password=given"), [Some("given".into())]);
        assert_eq!(pw("host=localhost password=''"), [Some("pw-local".into())]);
        let r = ok("host=localhost", &env);
        assert_eq!(
            r.hosts[0].password.as_ref().map(|p| p.source.clone()),
            Some(Source::PassFile("/home/alice/.pgpass".into()))
        );

        let loose = TestEnv::new().file("/home/alice/.pgpass", PGPASS, 0o644);
        let r = ok("host=localhost", &loose);
        assert!(r.hosts[0].password.is_none());
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("group or world access")),
            "{:?}",
            r.warnings
        );
        let win = TestEnv::new()
            .windows()
            .var("APPDATA", r"C:\A")
            .var("USERNAME", "alice")
            .file(r"C:\A\postgresql\pgpass.conf", PGPASS, 0o644);
        assert!(
            ok("host=localhost", &win).hosts[0].password.is_some(),
            "Windows skips the permission check"
        );
        let custom = TestEnv::new().var("PGPASSFILE", "/nope");
        assert!(ok("host=h", &custom)
            .warnings
            .iter()
            .any(|w| w.contains("/nope")));
    }

    #[test]
    fn match_field_cases() {
        let m = |buf: &str, tok: &str| {
            match_field(buf.as_bytes(), tok.as_bytes())
                .map(|r| String::from_utf8_lossy(r).into_owned())
        };
        assert_eq!(m("abc:rest", "abc"), Some("rest".into()));
        assert_eq!(m("*:rest", "anything"), Some("rest".into()));
        assert_eq!(m("*x:rest", "*x"), Some("rest".into()));
        assert_eq!(m("ab:rest", "abc"), None);
        assert_eq!(m("abcd:rest", "abc"), None);
        assert_eq!(m(r"a\:b:rest", "a:b"), Some("rest".into()));
        assert_eq!(m(r"a\\:rest", r"a\"), Some("rest".into()));
        assert_eq!(m("abc", "abc"), None);
        assert_eq!(m("abc\\", "abc"), None);
    }

    #[test]
    fn redaction() {
        let env = TestEnv::new().var("PGPASSWORD", "env-s3cret");
        let r = ok(
            "postgresql://u:uri-s3cret@h/db?sslpassword=key-s3cret",
            &env,
        );
        assert_eq!(
            r.hosts[0].password.as_ref().map(|p| p.value.expose()),
            Some("uri-s3cret")
        );
        let shown = format!("{r} {r:?} {}", serde_json::to_string(&r).unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("password=********") && shown.contains("sslpassword=********"),
            "{shown}"
        );
        let r = ok("host=h", &env);
        let shown = format!("{r} {r:?} {}", serde_json::to_string(&r).unwrap());
        assert!(!shown.contains("s3cret"), "{shown}");
        let pf = TestEnv::new().file("/home/alice/.pgpass", "*:*:*:*:file-s3cret\n", 0o600);
        let r = ok("host=h", &pf);
        let shown = format!("{r} {r:?} {}", serde_json::to_string(&r).unwrap());
        assert!(
            r.hosts[0].password.is_some() && !shown.contains("s3cret"),
            "{shown}"
        );
        // Service file passwords, too.
        let svc = TestEnv::new().file(
            "/home/alice/.pg_service.conf",
            "[s]\npassword=svc-s3cret\n",
            0o600,
        );
        let r = ok("service=s", &svc);
        let shown = format!("{r} {r:?} {}", serde_json::to_string(&r).unwrap());
        assert!(
            r.hosts[0].password.is_some() && !shown.contains("s3cret"),
            "{shown}"
        );
    }

    #[test]
    fn warnings_for_tls_pitfalls() {
        let env = TestEnv::new();
        let r = ok("host=/tmp sslmode=require", &env);
        assert!(
            r.warnings.iter().any(|w| w.contains("Unix-domain socket")),
            "{:?}",
            r.warnings
        );
        assert!(ok("host=/tmp", &env).warnings.is_empty());
        let r = ok("hostaddr=10.0.0.1 sslmode=verify-full", &env);
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("host name must be specified")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn garbage_values_never_panic() {
        let env = TestEnv::new()
            .file("/home/alice/.pgpass", "\\\n*\n:::::\n*:*:*:*:\\", 0o600)
            .file(
                "/home/alice/.pg_service.conf",
                "[\n[]\n=\n[s]\nhost=\\\n",
                0o600,
            );
        let values = [
            "",
            "x",
            "-1",
            "0",
            "99999999999",
            ",",
            ",,",
            "system",
            "%",
            "@",
            "/",
            "[::1]",
            "1,2,3",
            "\\",
        ];
        for k in KEYWORDS {
            for v in values {
                let target = format!("{}={} host=a,b", k.name, super::super::quote_value(v));
                if let Ok(info) = parse(&target) {
                    let _ = resolve(&info, &env);
                }
            }
        }
    }


    #[test]
    fn parse_int_like_strtol() {
        assert_eq!(
            [
                "5",
                " 5 ",
                "+5",
                "-5",
                "",
                " ",
                "5x",
                "0x5",
                "2147483648",
                "\t12\n"
            ]
            .map(parse_int),
            [
                Some(5),
                Some(5),
                Some(5),
                Some(-5),
                None,
                None,
                None,
                None,
                None,
                Some(12)
            ]
        );
    }
}
