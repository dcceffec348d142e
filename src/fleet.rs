//! Many endpoints at once: the probe and its checks over a list of targets with bounded
//! concurrency, and a summary an operator can act on before a rotation (which issuers are
//! in use, what expires soon, which codes occur where).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::checks::{self, Context};
use crate::findings::Finding;
use crate::net::Timeouts;
use crate::probe::{probe, ProbeFacts, ProbeTarget};

/// One endpoint's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FleetEntry {
    pub facts: ProbeFacts,
    pub findings: Vec<Finding>,
}

/// Totals over the fleet.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FleetSummary {
    pub endpoints: usize,
    /// Endpoints where a TLS handshake completed.
    pub tls_ok: usize,
    /// Endpoints per negotiated TLS version.
    pub versions: BTreeMap<String, usize>,
    /// Endpoints per issuer of the server certificate (the intermediate in use).
    pub issuers: BTreeMap<String, usize>,
    /// Endpoints per finding code.
    pub codes: BTreeMap<String, usize>,
    /// Smallest days-left of any server certificate, with its endpoint.
    pub soonest_expiry: Option<(String, i64)>,
}

/// Probe every target, `concurrency` at a time; results keep the input order.
pub fn scan(targets: &[ProbeTarget], concurrency: usize, timeouts: Timeouts, ctx: &Context) -> Vec<FleetEntry> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<FleetEntry>>> = Mutex::new(vec![None; targets.len()]);
    let workers = concurrency.clamp(1, 256).min(targets.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(t) = targets.get(i) else { break };
                let facts = probe(t, timeouts);
                let findings = checks::probe(&facts, ctx);
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(FleetEntry { facts, findings });
            });
        }
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner()).into_iter().flatten().collect()
}

pub fn summarise(entries: &[FleetEntry], ctx: &Context) -> FleetSummary {
    let mut s = FleetSummary { endpoints: entries.len(), ..Default::default() };
    for e in entries {
        if let Some(t) = &e.facts.tls {
            s.tls_ok += 1;
            *s.versions.entry(t.version.name()).or_default() += 1;
        }
        if let Some(leaf) = e.facts.chain.first() {
            *s.issuers.entry(leaf.issuer.clone()).or_default() += 1;
            let days = leaf.days_left(ctx.now);
            if s.soonest_expiry.as_ref().is_none_or(|(_, d)| days < *d) {
                s.soonest_expiry = Some((e.facts.target.endpoint(), days));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for f in &e.findings {
            if seen.insert(&f.code) {
                *s.codes.entry(f.code.to_string()).or_default() += 1;
            }
        }
    }
    s
}
