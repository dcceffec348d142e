//! Turning the command line's TARGET into probe targets, by libpq's rules (`conninfo`).

use anyhow::{anyhow, bail, Result};

use pgtls::conninfo::{self, ConninfoError, Resolved, SslNegotiation, SystemEnv};
use pgtls::probe::{SslNegotiation, ProbeTarget};

/// libpq's error plus what to do.
pub fn conninfo_error(e: ConninfoError) -> anyhow::Error {
    let hint = e.hint();
    if hint.is_empty() {
        anyhow!("{e}")
    } else {
        anyhow!("{e}\nhint: {hint}")
    }
}

/// Parse and resolve TARGET (or only the environment when absent) like libpq.
pub fn resolve(arg: Option<&str>) -> Result<Resolved> {
    let info = conninfo::parse(arg.unwrap_or("")).map_err(conninfo_error)?;
    conninfo::resolve(&info, &SystemEnv).map_err(conninfo_error)
}

/// The TCP endpoints libpq would try, in order, as probe targets.
pub fn probe_targets(arg: Option<&str>, direct: bool) -> Result<Vec<ProbeTarget>> {
    targets_of(&resolve(arg)?, direct)
}

pub fn targets_of(r: &Resolved, direct: bool) -> Result<Vec<ProbeTarget>> {
    let negotiation = if direct || r.sslnegotiation.value == SslNegotiation::Direct {
        SslNegotiation::Direct
    } else {
        SslNegotiation::Postgres
    };
    let mut out = Vec::new();
    let mut sockets = Vec::new();
    for h in &r.hosts {
        if h.is_unix_socket {
            sockets.push(h.host.clone().unwrap_or_default());
            continue;
        }
        let Some(host) = h.host.clone().or_else(|| h.hostaddr.clone()) else { continue };
        out.push(ProbeTarget { host, hostaddr: h.hostaddr.clone(), port: h.port, sni: h.sni.clone(), negotiation });
    }
    if out.is_empty() {
        bail!(
            "no TCP host to probe: libpq would connect through the Unix socket in {} ({}), where TLS is never used; \
             give a host name or address (e.g. `pgtls probe db.example.com`), or set PGHOST",
            sockets.join(", "),
            r.host_source
        );
    }
    Ok(out)
}

/// The process environment, reasoning as a Windows client would (`%APPDATA%\postgresql\`).
struct WindowsEnv;

impl conninfo::Env for WindowsEnv {
    fn var(&self, name: &str) -> Option<String> {
        SystemEnv.var(name)
    }
    fn home_dir(&self) -> Option<String> {
        SystemEnv.home_dir()
    }
    fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>> {
        SystemEnv.read_file(path)
    }
    fn stat(&self, path: &str) -> Option<conninfo::FileInfo> {
        SystemEnv.stat(path)
    }
    fn platform(&self) -> conninfo::Platform {
        conninfo::Platform::Windows
    }
}

/// Like [`resolve`], with Windows defaults.
pub fn resolve_windows(arg: Option<&str>) -> Result<Resolved> {
    let info = conninfo::parse(arg.unwrap_or("")).map_err(conninfo_error)?;
    conninfo::resolve(&info, &WindowsEnv).map_err(conninfo_error)
}

/// The major version of the local psql (and so, usually, of the libpq users run), else 17.
/// The verdict's wording follows it (e.g. PostgreSQL 15's root.crt hint lacks sslrootcert=system).
pub fn local_libpq_major() -> u32 {
    let out = std::process::Command::new("psql")
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    out.ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().find_map(|w| w.split('.').next()?.parse::<u32>().ok()))
        .filter(|m| (9..100).contains(m))
        .unwrap_or(17)
}
