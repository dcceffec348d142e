//! `cross-signed-path`: trust reaches the client's root through a cross-signed CA.
//!
//! Two shapes, both information (libpq with OpenSSL ≥ 1.1 verifies them, and a stack in scope
//! that cannot build the path gets its own `client-stack-fails`):
//! - the chain verifies through a CA that exists under two issuers, so there is more than one
//!   trust path — the guide's warning about "some client libraries" under verify-ca/full;
//! - every valid path runs through a CA certificate the *server sends* above the leaf's issuer
//!   (its root, cross-signed by the root the client trusts): trust then hangs on that
//!   certificate — on its expiry, and on every server and proxy going on sending it. That
//!   certificate is told from a policy CA of a three-tier chain by its subject naming a root
//!   ([`names_a_root`]).

use super::Context;
use crate::facts::{Facts, HostFacts};
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::verify::{short_name, Origin, PathReport};

pub const CODES: &[Code] = &[Code::CrossSignedPath];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, v) in facts.verdicts() {
        let Some(report) = v.paths.as_ref().filter(|p| p.verified()) else { continue };
        let hangs: Vec<usize> = hanging_on(report).into_iter().filter(|&i| h.probe.chain.get(i).is_some_and(names_a_root)).collect();
        if !report.uses_cross_signed() && hangs.is_empty() {
            continue;
        }
        let paths: Vec<String> = report.valid_paths().map(|p| p.describe()).collect();
        let mut f = Finding::new(Code::CrossSignedPath).severity(Severity::Info).said(say!("cross-signed-path.paths", endpoint = h.endpoint(), paths = paths.len()));
        if !report.cross_signed.is_empty() {
            f.add_said(say!(
                "cross-signed-path.two-issuers",
                cas = report.cross_signed.iter().map(|s| short_name(s)).collect::<Vec<_>>().join(", ")
            ));
        }
        f.add_said(say!("cross-signed-path.end"));
        for i in &hangs {
            if let Some(m) = hanging_text(h, report, *i, cx) {
                f.add_said(m);
            }
        }
        for (i, p) in paths.iter().enumerate() {
            f = f.evidence(format!("path {}", i + 1), p.clone());
        }
        out.push(f.evidence("trust source", v.trust_source.clone().unwrap_or_default()));
    }
    out
}

/// Positions in the server's chain of CA certificates that every valid path uses above the
/// leaf's issuer, directly below the trusted anchor: the server's own root, cross-signed by
/// the root the client trusts.
fn hanging_on(report: &PathReport) -> Vec<usize> {
    let mut common: Option<Vec<usize>> = None;
    for p in report.valid_paths() {
        let n = p.certs.len();
        // leaf, its issuer, …, the sent certificate below the anchor, the anchor (from the store).
        let below_anchor = (n >= 4 && matches!(p.certs[n - 1].origin, Origin::Store(_)))
            .then(|| match p.certs[n - 2].origin {
                Origin::Chain(i) => Some(i),
                Origin::Store(_) => None,
            })
            .flatten();
        let here: Vec<usize> = below_anchor.into_iter().collect();
        common = Some(match common {
            None => here,
            Some(c) => c.into_iter().filter(|i| here.contains(i)).collect(),
        });
    }
    common.unwrap_or_default()
}

/// A CA certificate that is not self-signed but names a root: a root re-issued under another
/// root (a cross-sign). A certificate carries no mark of being a cross-sign; the subject
/// naming a root ("… Root …", as every public PKI and the lab name theirs) is what tells it
/// from a policy CA of a three-tier chain, which this finding is not about.
fn names_a_root(c: &crate::x509::Cert) -> bool {
    c.is_ca && !c.self_signed && short_name(&c.subject).to_ascii_lowercase().contains("root")
}

fn hanging_text(h: &HostFacts, report: &PathReport, i: usize, cx: &Context) -> Option<crate::findings::Message> {
    let c = h.probe.chain.get(i)?;
    let anchor = report.valid_paths().next().and_then(|p| p.certs.last()).map(|a| short_name(&a.subject)).unwrap_or_default();
    let date = c.not_after.date();
    let days = c.days_left(cx.now());
    Some(say!(
        "cross-signed-path.hangs-on",
        subject = short_name(&c.subject),
        i = i,
        issuer = short_name(&c.issuer),
        date = date,
        days = days,
        anchor = anchor
    ))
}

