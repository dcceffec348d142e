//! `replica-chain-differs`: several hosts (a primary and its replicas) present chains that end
//! at different CAs. The guide: a replica created after the root moved to a new CA presents
//! the new chain while the primary still has the old one, so verify-ca/verify-full clients
//! need both roots until the rotation is complete.

use super::Context;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::verify::short_name;

pub const CODES: &[Code] = &[Code::ReplicaChainDiffers];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let hosts = &facts.hosts;
    if hosts.len() < 2 {
        return vec![];
    }
    let top = |h: &HostFacts| h.probe.chain.last().map(|c| (c.issuer.clone(), c.subject.clone()));
    let Some(first) = top(&hosts[0]) else { return vec![] };
    let differing: Vec<&HostFacts> = hosts[1..].iter().filter(|h| top(h).is_some_and(|t| t != first)).collect();
    if differing.is_empty() {
        return vec![];
    }
    let failing: Vec<String> = hosts.iter().filter(|h| h.fails()).map(|h| h.endpoint()).collect();
    let mut f = Finding::new(Code::ReplicaChainDiffers)
        .severity(if failing.is_empty() { Severity::Warning } else { Severity::Error })
        .said(say!("replica-chain-differs.first", endpoint = hosts[0].endpoint(), subject = short_name(&first.1), issuer = short_name(&first.0)));
    for h in &differing {
        if let Some((iss, sub)) = top(h) {
            f.add_said(say!("replica-chain-differs.other", endpoint = h.endpoint(), subject = short_name(&sub), issuer = short_name(&iss)));
        }
    }
    if failing.is_empty() {
        f.add_said(say!("replica-chain-differs.all-accepted"));
    } else {
        f.add_said(say!("replica-chain-differs.some-fail", failing = failing.join(", ")));
    }
    vec![f]
}
