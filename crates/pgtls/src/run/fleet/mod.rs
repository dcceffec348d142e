//! `fleet`: many endpoints at once, each judged completely with its own connection string
//! (sslmode, sslrootcert, TLS range), and a summary an operator can act on before a rotation:
//! which issuers are in use, what expires soon, which codes occur where.
//!
//! Each endpoint becomes one [`FleetRecord`] — self-contained (the facts the summary needs,
//! the full host view, the findings), so records can be streamed as JSON Lines while the run
//! goes on, written by N shards on N machines, and put back together by [`merge`] into the
//! same report one run would have made.

pub mod export;
pub mod inventory;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::connection::{gather, HostSeen};
use super::{tcp_profile, RunError, Settings};
use crate::checks::{self, Context};
use crate::conninfo::Env;
use crate::findings::{Finding, Severity};
use crate::profile::Overrides;
pub use inventory::Target;

/// What the summary, the CSV and the metrics need of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointFacts {
    /// `host (addr):port`, as pgtls names endpoints.
    pub endpoint: String,
    pub tls_version: Option<String>,
    pub cipher: Option<String>,
    /// libpq with this target's settings would connect (`None`: not judged).
    pub connects: Option<bool>,
    /// libpq fails or an error-level finding was made.
    pub failing: bool,
    pub worst: Option<Severity>,
    /// Distinct finding codes.
    pub codes: Vec<String>,
    pub leaf_subject: Option<String>,
    pub issuer: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub not_after: Option<OffsetDateTime>,
    /// Subjects of the chain the server sent, leaf first.
    pub chain: Vec<String>,
    /// The chain verified against the target's trust store.
    pub verified: bool,
    /// pg_hba.conf and the role were checked (the startup phase was followed on the attempt
    /// that decided): without it, `connects` says nothing about the login.
    #[serde(default)]
    pub login_checked: bool,
    pub elapsed_ms: u64,
    /// With `--profile`: the profile chain the server presents (`new`, `old-g2`, …), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_chain: Option<String>,
    /// Whether that chain is the one servers present before or after the rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_phase: Option<crate::verify::rotation::Phase>,
    /// With `--protocols`: every TLS version the server accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_versions: Option<Vec<String>>,
}

/// One endpoint of the fleet, self-contained (a JSON Lines record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FleetRecord {
    pub origin: String,
    pub line: usize,
    /// The target as written, secrets masked.
    pub target: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Why the target could not even be probed (a line that does not parse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<EndpointFacts>,
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// What was seen of the line's first host, as `probe --format json` shows a host
    /// (flattened into the record; the line's findings are `findings` above).
    #[serde(flatten)]
    pub host: Option<HostSeen>,
}

/// What an endpoint's record comes to, for every rendering (table, CSV, HTML, exit status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Warning,
    /// libpq with the target's settings fails, or an error-level finding was made.
    Fails,
    /// The target could not even be probed (a line that does not parse).
    BadTarget,
}

impl FleetRecord {
    pub fn status(&self) -> Status {
        match &self.facts {
            None => Status::BadTarget,
            Some(f) if f.failing => Status::Fails,
            Some(f) if f.worst == Some(Severity::Warning) => Status::Warning,
            Some(_) => Status::Ok,
        }
    }

    /// The record as one line of JSON (`--jsonl`; read back by [`merge`]).
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"origin\":{:?},\"line\":{},\"error\":{:?}}}", self.origin, self.line, e.to_string()))
    }
}

/// Totals over the fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetSummary {
    pub endpoints: usize,
    /// Inventory lines that could not be probed.
    pub bad_targets: usize,
    /// Endpoints where a TLS handshake completed.
    pub tls_ok: usize,
    /// Endpoints where libpq (with that target's settings) would fail.
    pub failing: usize,
    /// Endpoints per negotiated TLS version.
    pub versions: BTreeMap<String, usize>,
    /// Endpoints per issuer of the server certificate (the intermediate in use).
    pub issuers: BTreeMap<String, usize>,
    /// Endpoints per finding code.
    pub codes: BTreeMap<String, usize>,
    /// Smallest days-left of any server certificate, with its endpoint.
    pub soonest_expiry: Option<(String, i64)>,
    /// With `--profile`: endpoints per profile chain they present.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rotation_chains: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub command: &'static str,
    pub summary: FleetSummary,
    pub endpoints: Vec<FleetRecord>,
    /// Every endpoint's findings, in endpoint order.
    pub findings: Vec<Finding>,
    pub exit_code: i32,
    /// The instant the fleet was judged at (`--at`, else when it ran): renderers count days
    /// from here, never from their own clock.
    #[serde(skip)]
    pub at: OffsetDateTime,
}

/// How to run a fleet.
#[derive(Default)]
pub struct FleetOptions {
    pub concurrency: usize,
    pub at: Option<OffsetDateTime>,
    /// A rotation profile: each endpoint is placed in one of its chains.
    pub profile: Option<crate::verify::rotation::Profile>,
    /// Also scan each endpoint's TLS versions and cipher suites (as `protocols` does).
    pub protocols: bool,
    /// Follow each connection into the startup phase, as `doctor` does (a missing role, a
    /// pg_hba.conf refusal, a client certificate the server rejects).
    pub startup: bool,
}

/// An environment with `PGSERVICEFILE` set (for targets from a service file).
struct ServiceEnv<'a> {
    inner: &'a dyn Env,
    file: String,
}

impl Env for ServiceEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        if name == "PGSERVICEFILE" {
            Some(self.file.clone())
        } else {
            self.inner.var(name)
        }
    }
    fn home_dir(&self) -> Option<String> {
        self.inner.home_dir()
    }
    fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.inner.read_file(path)
    }
    fn stat(&self, path: &str) -> Option<crate::conninfo::FileInfo> {
        self.inner.stat(path)
    }
    fn platform(&self) -> crate::conninfo::Platform {
        self.inner.platform()
    }
}

/// Probe every target, `concurrency` at a time, calling `on_record` as each finishes (from
/// worker threads, in completion order); the report keeps inventory order.
pub fn fleet(targets: &[Target], o: &FleetOptions, s: &Settings, env: &(dyn Env + Sync), on_record: &(dyn Fn(&FleetRecord) + Sync)) -> Result<FleetReport, RunError> {
    let overrides = Overrides { at: o.at, startup: o.startup, ..Default::default() };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FleetRecord>>> = Mutex::new(vec![None; targets.len()]);
    let workers = o.concurrency.clamp(1, 256).min(targets.len().max(1));
    let now = o.at.unwrap_or_else(OffsetDateTime::now_utc);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = targets.get(i) else { break };
                let record = probe_one(t, &overrides, s, env, o);
                on_record(&record);
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(record);
            });
        }
    });
    let records: Vec<FleetRecord> = results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect();
    Ok(report(records, now))
}

fn probe_one(t: &Target, overrides: &Overrides, s: &Settings, env: &(dyn Env + Sync), o: &FleetOptions) -> FleetRecord {
    let profile = o.profile.as_ref();
    let mut record = FleetRecord {
        origin: t.origin.clone(),
        line: t.line,
        target: crate::conninfo::redact_target(&t.target),
        labels: t.labels.clone(),
        error: None,
        facts: None,
        host: Default::default(),
        findings: vec![],
    };
    let service_env;
    let env: &dyn Env = match &t.service_file {
        Some(f) => {
            service_env = ServiceEnv { inner: env, file: f.display().to_string() };
            &service_env
        }
        None => env,
    };
    let p = match tcp_profile(Some(&t.target), overrides, env) {
        Ok(p) => p,
        Err(e) => {
            record.error = Some(crate::conninfo::redact_target(&e.to_string()));
            return record;
        }
    };
    let mut facts = gather(&p, s);
    let mut cx = Context::new(p.clone());
    // `--protocols`: the versions and suites the server accepts, judged against this target's
    // own TLS range, as `pgtls protocols` does.
    let mut accepted = None;
    if o.protocols {
        if let Some(h) = facts.hosts.first().filter(|h| h.probe.tls.is_some()) {
            let scan = super::protocols::scan_one(&h.probe.target, 4, s);
            accepted = scan.result.as_ref().map(|r| r.accepted_versions().iter().map(|v| v.name()).collect::<Vec<_>>());
            facts.scans.push(scan);
            cx.scan_client = Some(crate::checks::ClientRange {
                name: "libpq".into(),
                min: p.tls_min,
                max: p.tls_max.unwrap_or(crate::wire::TlsVersion::TLSv1_3),
                ciphers: None,
            });
        }
    }
    let found = checks::run(&facts, &cx);
    // A multi-host line is judged as a whole; the first host stands for it here.
    if let Some(h) = facts.hosts.first() {
        let seen = HostSeen::new(h, &cx);
        // libpq's outcome over all the line's hosts, not the first host's alone.
        let connects = facts.libpq_outcome(&p).map(|o| o.connects);
        let mut f = endpoint_facts(&seen, &found, connects);
        f.accepted_versions = accepted;
        if let Some(c) = profile.and_then(|p| p.chain_of(&h.probe.chain)) {
            f.rotation_chain = Some(c.name.clone());
            f.rotation_phase = Some(c.phase);
        }
        record.facts = Some(f);
        record.host = Some(seen);
    }
    record.findings = found;
    record
}

/// What the summary needs of the line whose first host is `h`; `connects` is libpq's outcome
/// over all the line's hosts.
fn endpoint_facts(h: &HostSeen, found: &[Finding], connects: Option<bool>) -> EndpointFacts {
    let codes: BTreeSet<String> = found.iter().map(|f| f.code.to_string()).collect();
    let worst = found.iter().map(|f| f.severity).max();
    EndpointFacts {
        endpoint: h.display_name(),
        tls_version: h.tls_version.map(|v| v.name()),
        cipher: h.cipher_openssl.clone(),
        connects,
        failing: connects == Some(false) || worst == Some(Severity::Error),
        worst,
        codes: codes.into_iter().collect(),
        leaf_subject: h.chain.first().map(|c| c.cert.subject.clone()),
        issuer: h.chain.first().map(|c| c.cert.issuer.clone()),
        not_after: h.chain.first().map(|c| c.cert.not_after),
        chain: h.chain.iter().map(|c| c.cert.subject.clone()).collect(),
        verified: h.verdict.as_ref().is_some_and(|v| v.chain_verified),
        login_checked: h.verdict.as_ref().is_some_and(|v| v.login_checked),
        elapsed_ms: h.elapsed_ms,
        rotation_chain: None,
        rotation_phase: None,
        accepted_versions: None,
    }
}

/// The report over `records` (any order): inventory order, summary, exit status.
pub fn report(mut records: Vec<FleetRecord>, now: OffsetDateTime) -> FleetReport {
    records.sort_by(|a, b| (&a.origin, a.line).cmp(&(&b.origin, b.line)));
    let summary = summarise(&records, now);
    let findings: Vec<Finding> = records.iter().flat_map(|r| r.findings.iter().cloned()).collect();
    // A failing endpoint always carries an error finding (the safety net), so the findings
    // decide; a line that could not even be probed has none and is an error of its own.
    let bad_target = records.iter().any(|r| r.status() == Status::BadTarget);
    let exit_code = crate::findings::exit_code_unsure(&findings, bad_target.then_some(crate::findings::Severity::Error));
    FleetReport { command: "fleet", summary, endpoints: records, findings, exit_code, at: now }
}

fn summarise(records: &[FleetRecord], now: OffsetDateTime) -> FleetSummary {
    let mut s = FleetSummary { endpoints: records.len(), ..Default::default() };
    for r in records {
        if r.error.is_some() {
            s.bad_targets += 1;
            continue;
        }
        let Some(f) = &r.facts else { continue };
        if let Some(v) = &f.tls_version {
            s.tls_ok += 1;
            *s.versions.entry(v.clone()).or_default() += 1;
        }
        if f.failing {
            s.failing += 1;
        }
        if let (Some(issuer), Some(not_after)) = (&f.issuer, f.not_after) {
            *s.issuers.entry(issuer.clone()).or_default() += 1;
            let days = (not_after - now).whole_days();
            if s.soonest_expiry.as_ref().is_none_or(|(_, d)| days < *d) {
                s.soonest_expiry = Some((f.endpoint.clone(), days));
            }
        }
        for c in &f.codes {
            *s.codes.entry(c.clone()).or_default() += 1;
        }
        if let Some(c) = &f.rotation_chain {
            *s.rotation_chains.entry(c.clone()).or_default() += 1;
        }
    }
    s
}

/// `pgtls merge`: JSON Lines from any number of shard runs, as one report.
pub fn merge(inputs: &[(String, String)], at: Option<OffsetDateTime>) -> Result<FleetReport, RunError> {
    let mut records = Vec::new();
    for (origin, text) in inputs {
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let r: FleetRecord = serde_json::from_str(line).map_err(|e| RunError::NotFleetRecord { origin: origin.clone(), line: n + 1, error: e.to_string() })?;
            records.push(r);
        }
    }
    Ok(report(records, at.unwrap_or_else(OffsetDateTime::now_utc)))
}
