//! `backends-differ`: several connections to one address (`doctor --connections`, three by
//! default) did not all get the same answer. Something in front of PostgreSQL — a load
//! balancer, a pooler with several backends, a DNS round robin — sends each connection to one
//! of several servers that are not configured alike. psql then works on some tries and fails
//! on others, which reads like a flaky network; this says what each connection met and which
//! share of them the client fails on (the verdict's `intermittent`).

use std::fmt::Write as _;

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::net::Negotiated;
use crate::gathered::probe::ProbeFacts;
use crate::verify::short_name;

pub const CODES: &[Code] = &[Code::BackendsDiffer];

/// What one connection met, in words: the leaf (names and the start of its SHA-256: two
/// servers' certificates may carry the same names) and its issuer with the TLS version, or why
/// there was no certificate.
fn met(p: &ProbeFacts) -> String {
    match (p.chain.first(), &p.reply) {
        (Some(leaf), _) => {
            let version = p.tls.as_ref().map(|t| format!(", {}", t.version.name())).unwrap_or_default();
            let sha: String = leaf.sha256.chars().filter(|c| *c != ':').take(16).collect();
            format!("\"{}\" (SHA-256 {sha}…) issued by \"{}\"{version}", short_name(&leaf.subject), short_name(&leaf.issuer))
        }
        (None, Some(Negotiated::Refuse)) => "no TLS (the SSLRequest answered 'N')".into(),
        (None, _) if p.network_failure().is_some() => "no connection".into(),
        (None, _) => "no certificate (the TLS handshake failed)".into(),
    }
}

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in facts.hosts.iter().filter(|h| !h.probe.again.is_empty()) {
        let all: Vec<&ProbeFacts> = std::iter::once(&h.probe).chain(&h.probe.again).collect();
        // Answers in the order first met, with how many connections met each.
        let mut answers: Vec<(String, usize)> = Vec::new();
        for p in &all {
            let m = met(p);
            match answers.iter_mut().find(|(a, _)| *a == m) {
                Some((_, n)) => *n += 1,
                None => answers.push((m, 1)),
            }
        }
        let share = h.verdict.as_ref().and_then(|v| v.intermittent);
        if answers.len() < 2 && share.is_none() {
            continue;
        }
        let mut detail = format!("{}: {} connections in a row met {} different answers: ", h.endpoint(), all.len(), answers.len());
        for (i, (a, n)) in answers.iter().enumerate() {
            let _ = write!(detail, "{}{a} ({n} of {})", if i == 0 { "" } else { "; " }, all.len());
        }
        let f = match share {
            Some(s) => Finding::new(Code::BackendsDiffer).detail(format!(
                "{detail}. libpq with these settings fails on {} of those {} connections: psql works on some tries and fails on \
                 others, depending on the server the connection reaches.",
                s.failed, s.of
            )),
            None => Finding::new(Code::BackendsDiffer).severity(Severity::Warning).detail(format!(
                "{detail}. This client accepts each of them today; a change that breaks one server (a certificate renewal, a CA \
                 rotation) will fail only a share of the connections."
            )),
        };
        out.push(f.at_endpoint(h.endpoint()).evidence("connections", all.len().to_string()));
    }
    out
}
