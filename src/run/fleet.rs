//! `fleet`: many endpoints at once, each judged completely with its own connection string
//! (sslmode, sslrootcert, TLS range), and a summary an operator can act on before a rotation:
//! which issuers are in use, what expires soon, which codes occur where.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;
use time::OffsetDateTime;

use super::connection::{gather, HostView};
use super::{exit_status, tcp_profile, RunError, Settings};
use crate::checks::{self, Context};
use crate::conninfo::Env;
use crate::findings::{Finding, Severity};
use crate::profile::{ClientProfile, Overrides};

/// One endpoint's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FleetEntry {
    /// The inventory line it came from, secrets masked.
    pub target: String,
    #[serde(flatten)]
    pub host: HostView,
}

/// Totals over the fleet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FleetSummary {
    pub endpoints: usize,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub command: &'static str,
    pub summary: FleetSummary,
    pub endpoints: Vec<FleetEntry>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// Every target line of an inventory text: one per line, blank lines and `#` comments skipped.
pub fn inventory(text: &str) -> Vec<(usize, &str)> {
    text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())).filter(|(_, l)| !l.is_empty() && !l.starts_with('#')).collect()
}

/// Probe every target of `lines`, `concurrency` at a time; results keep the input order.
pub fn fleet(lines: &[(usize, &str)], origin: &str, concurrency: usize, at: Option<OffsetDateTime>, s: &Settings, env: &dyn Env) -> Result<FleetReport, RunError> {
    let o = Overrides { at, ..Default::default() };
    let mut jobs: Vec<(String, ClientProfile)> = Vec::new();
    for (n, line) in lines {
        let p = tcp_profile(Some(line), &o, env).map_err(|e| RunError::Usage(format!("{origin}:{n}: bad target {:?}: {e}", crate::conninfo::redact_target(line))))?;
        jobs.push((line.to_string(), p));
    }
    let next = AtomicUsize::new(0);
    type Done = (FleetEntry, Vec<Finding>);
    let results: Mutex<Vec<Option<Done>>> = Mutex::new(vec![None; jobs.len()]);
    let workers = concurrency.clamp(1, 256).min(jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((line, p)) = jobs.get(i) else { break };
                let facts = gather(p, s);
                let cx = Context::new(p.clone());
                let found = checks::run(&facts, &cx);
                let entries: Vec<FleetEntry> = facts
                    .hosts
                    .iter()
                    .map(|h| {
                        let host = if facts.hosts.len() == 1 { HostView::with_findings(h, &cx, found.clone()) } else { HostView::new(h, &cx) };
                        FleetEntry { target: crate::conninfo::redact_target(line), host }
                    })
                    .collect();
                // A multi-host line yields its first host here; every host's findings count.
                if let Some(e) = entries.into_iter().next() {
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some((e, found));
                }
            });
        }
    });
    let done: Vec<(FleetEntry, Vec<Finding>)> = results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect();
    let now = at.unwrap_or_else(OffsetDateTime::now_utc);
    let summary = summarise(&done, now);
    let findings: Vec<Finding> = done.iter().flat_map(|(_, f)| f.clone()).collect();
    Ok(FleetReport {
        command: "fleet",
        summary,
        endpoints: done.into_iter().map(|(e, _)| e).collect(),
        exit_code: exit_status(&findings),
        findings,
    })
}

fn summarise(entries: &[(FleetEntry, Vec<Finding>)], now: OffsetDateTime) -> FleetSummary {
    let mut s = FleetSummary { endpoints: entries.len(), ..Default::default() };
    for (e, found) in entries {
        let h = &e.host;
        if let Some(v) = h.tls_version {
            s.tls_ok += 1;
            *s.versions.entry(v.name()).or_default() += 1;
        }
        if h.verdict.as_ref().is_some_and(|v| !v.connects) || found.iter().any(|f| f.severity == Severity::Error) {
            s.failing += 1;
        }
        if let Some(leaf) = h.chain.first() {
            *s.issuers.entry(leaf.cert.issuer.clone()).or_default() += 1;
            let days = leaf.cert.days_left(now);
            if s.soonest_expiry.as_ref().is_none_or(|(_, d)| days < *d) {
                s.soonest_expiry = Some((h.display_name(), days));
            }
        }
        let codes: BTreeSet<&str> = found.iter().map(|f| f.code.as_str()).collect();
        for c in codes {
            *s.codes.entry(c.to_string()).or_default() += 1;
        }
    }
    s
}
