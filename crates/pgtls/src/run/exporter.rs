//! `pgtls exporter`: Prometheus' multi-target exporter pattern, as blackbox_exporter does it
//! for HTTP — which cannot do this job itself, because it does not speak PostgreSQL's
//! SSLRequest. Prometheus scrapes `/probe?target=HOST:PORT&module=NAME`; the module (from a
//! TOML file) says how to connect (sslmode, trust store, client certificate, rotation profile,
//! timeout); the answer is that one endpoint's metrics, judged by the same engine as `doctor`.
//! Each probe is bounded by the module's timeout (see `conn`). The HTTP server itself (and
//! `/metrics`, the exporter's own health) lives with the binary, which alone links a web
//! framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;

use super::fleet::{export, inventory::Target, FleetOptions};
use super::{RunError, Settings};
use crate::conninfo::Env;
use crate::net::Timeouts;

/// How to connect for one kind of probe.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
    pub sslnegotiation: Option<String>,
    /// More connection keywords, as a conninfo string (`"user=monitor dbname=postgres"`).
    pub conninfo: Option<String>,
    /// A rotation profile: adds `pgtls_rotation_ready` for the chain the server presents.
    pub profile: Option<String>,
    /// Seconds per network step (the whole probe is bounded by three times this).
    pub timeout: Option<f64>,
    /// Follow the connection into the startup phase (as `doctor`), with the `user` and
    /// `dbname` of `conninfo`: then pgtls_verify_success also covers pg_hba.conf and the
    /// role. Off by default: each probe would leave a login attempt in the server's log.
    #[serde(default)]
    pub startup: bool,
}

/// The exporter's configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExporterConfig {
    #[serde(default)]
    pub modules: BTreeMap<String, Module>,
}

impl ExporterConfig {
    pub fn load(path: &Path) -> Result<ExporterConfig, RunError> {
        let text = crate::files::read_text(path).map_err(|source| RunError::Io { what: "reading exporter configuration", path: path.into(), source })?;
        let c: ExporterConfig = toml::from_str(&text).map_err(|e| RunError::BadInput { path: path.into(), message: e.to_string() })?;
        for (name, m) in &c.modules {
            if let Some(p) = &m.profile {
                crate::verify::rotation::Profile::builtin(p).map_err(|e| RunError::ExporterModule { path: path.into(), module: name.clone(), error: e })?;
            }
        }
        Ok(c)
    }

    /// The module `name` (`default` exists even when the file does not name it).
    pub fn module(&self, name: &str) -> Option<Module> {
        match self.modules.get(name) {
            Some(m) => Some(m.clone()),
            None if name == "default" => Some(Module::default()),
            None => None,
        }
    }
}

/// The connection string for `target` under `module`: `HOST:PORT` becomes `host=… port=…`; the
/// module's keywords come after the target's, so they win (libpq keeps the last value).
pub fn conninfo_for(target: &str, m: &Module) -> Result<String, RunError> {
    let info = crate::conninfo::parse(target).map_err(|e| RunError::ExporterTarget { target: crate::conninfo::redact_target(target), error: e })?;
    let mut s = match info.form {
        crate::conninfo::Form::HostPort => info.to_string(),
        _ => target.to_string(),
    };
    if s.starts_with("postgres") {
        return Err(RunError::ExporterUriTarget);
    }
    for (k, v) in [("sslmode", &m.sslmode), ("sslrootcert", &m.sslrootcert), ("sslcert", &m.sslcert), ("sslkey", &m.sslkey), ("sslnegotiation", &m.sslnegotiation)] {
        if let Some(v) = v {
            let _ = write!(s, " {k}={}", crate::conninfo::quote_value(v));
        }
    }
    if let Some(extra) = &m.conninfo {
        let _ = write!(s, " {extra}");
    }
    Ok(s)
}

/// One probe: the target's metrics in Prometheus' text format.
pub fn probe(target: &str, m: &Module, env: &(dyn Env + Sync)) -> Result<String, RunError> {
    let conninfo = conninfo_for(target, m)?;
    let t = Duration::from_secs_f64(m.timeout.unwrap_or(5.0).clamp(0.1, 120.0));
    let s = Settings { timeouts: Timeouts::uniform(t), ..Default::default() };
    let targets = [Target { origin: "probe".into(), line: 1, target: conninfo.clone(), labels: BTreeMap::new(), service_file: None }];
    let now = OffsetDateTime::now_utc();
    let started = std::time::Instant::now();
    let report = super::fleet::fleet(&targets, &FleetOptions { concurrency: 1, startup: m.startup, ..Default::default() }, &s, env, &|_| {})?;
    let mut out = export::prometheus(&report.endpoints, now);
    if let Some(e) = report.endpoints.first().and_then(|r| r.error.clone()) {
        return Err(RunError::Usage(e));
    }
    if let Some(name) = &m.profile {
        let prof = crate::verify::rotation::Profile::builtin(name)?;
        let store = super::trust::load_store(m.sslrootcert.as_deref().unwrap_or("system"), None, env)?;
        let mut rr = crate::verify::rotation::check(&prof, &store, now);
        // The chain the server sent, from the probe just made (not a second connection).
        let sent: Vec<crate::x509::Cert> =
            report.endpoints.first().and_then(|r| r.host.as_ref()).map(|h| h.chain.iter().map(|c| c.cert.clone()).collect()).unwrap_or_default();
        rr.add_server(&prof, &store, target.to_string(), &sent);
        let chain = rr.servers.first().and_then(|x| x.chain.clone()).unwrap_or_default();
        let _ = writeln!(out, "# HELP pgtls_rotation_ready 1 when the module's trust store verifies every chain of the profile servers present after the rotation, and the chain this server presents");
        let _ = writeln!(out, "# TYPE pgtls_rotation_ready gauge");
        let _ = writeln!(out, "pgtls_rotation_ready{{profile=\"{name}\",chain=\"{chain}\"}} {}", u8::from(rr.ready));
    }
    let _ = writeln!(out, "# HELP pgtls_probe_total_seconds Wall time of this probe, rotation check included");
    let _ = writeln!(out, "# TYPE pgtls_probe_total_seconds gauge");
    let _ = writeln!(out, "pgtls_probe_total_seconds {:.3}", started.elapsed().as_secs_f64());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_settings_follow_the_target() {
        let m = Module { sslmode: Some("verify-full".into()), sslrootcert: Some("/etc/it's.pem".into()), conninfo: Some("user=monitor".into()), ..Default::default() };
        assert_eq!(conninfo_for("db.example.com:6432", &m).unwrap(), "host=db.example.com port=6432 sslmode=verify-full sslrootcert='/etc/it\\'s.pem' user=monitor");
        assert!(conninfo_for("host=a sslmode=disable", &m).unwrap().ends_with("sslmode=verify-full sslrootcert='/etc/it\\'s.pem' user=monitor"));
        assert!(conninfo_for("postgresql://a/b", &m).is_err());
        let c: ExporterConfig = toml::from_str("[modules.azure]\nsslmode = \"verify-full\"\nprofile = \"azure-2026\"\ntimeout = 3\n").unwrap();
        assert!(c.module("azure").is_some() && c.module("default").is_some() && c.module("nope").is_none());
        assert!(toml::from_str::<ExporterConfig>("[modules.x]\nsslmod = \"require\"\n").is_err(), "typos are refused");
    }
}
