//! `replica-chain-differs`: several hosts (a primary and its replicas) present chains that end
//! at different CAs. The guide: a replica created after the root moved to a new CA presents
//! the new chain while the primary still has the old one, so verify-ca/verify-full clients
//! need both roots until the rotation is complete.

use std::fmt::Write as _;

use super::Context;
use crate::facts::{Facts, HostFacts};
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
    let mut detail = format!(
        "{} presents a chain ending at \"{}\" (issued by \"{}\")",
        hosts[0].endpoint(),
        short_name(&first.1),
        short_name(&first.0)
    );
    for h in &differing {
        if let Some((iss, sub)) = top(h) {
            let _ = write!(detail, "; {} ends at \"{}\" (issued by \"{}\")", h.endpoint(), short_name(&sub), short_name(&iss));
        }
    }
    if failing.is_empty() {
        detail += ". This trust store accepts all of them today.";
    } else {
        let _ = write!(detail, ". One trust store does not serve them all: {} fail(s).", failing.join(", "));
    }
    vec![Finding::new(Code::ReplicaChainDiffers)
        .severity(if failing.is_empty() { Severity::Warning } else { Severity::Error })
        .detail(detail)]
}
