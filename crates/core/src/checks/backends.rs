//! `backends-differ`: several connections to one address (`doctor --connections`, three by
//! default) did not all get the same answer. Something in front of PostgreSQL — a load
//! balancer, a pooler with several backends, a DNS round robin — sends each connection to one
//! of several servers that are not configured alike. psql then works on some tries and fails
//! on others, which reads like a flaky network; this says what each connection met and which
//! share of them the client fails on (the verdict's `intermittent`).


use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Message, Severity};
use crate::gathered::net::Negotiated;
use crate::gathered::probe::ProbeFacts;
use crate::verify::short_name;

pub const CODES: &[Code] = &[Code::BackendsDiffer];

/// What one connection met, in words: the leaf (names and the start of its SHA-256: two
/// servers' certificates may carry the same names) and its issuer with the TLS version, or why
/// there was no certificate.
fn met(p: &ProbeFacts) -> Message {
    match (p.chain.first(), &p.reply) {
        (Some(leaf), _) => {
            let version = p.tls.as_ref().map(|t| format!(", {}", t.version.name())).unwrap_or_default();
            let sha: String = leaf.sha256.chars().filter(|c| *c != ':').take(16).collect();
            say!("backends-differ.certificate", subject = short_name(&leaf.subject), sha = sha, issuer = short_name(&leaf.issuer), version = version)
        }
        (None, Some(Negotiated::Refuse)) => say!("backends-differ.no-tls"),
        (None, _) if p.network_failure().is_some() => say!("backends-differ.no-connection"),
        (None, _) => say!("backends-differ.no-certificate"),
    }
}

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in facts.hosts.iter().filter(|h| !h.probe.again.is_empty()) {
        let all: Vec<&ProbeFacts> = std::iter::once(&h.probe).chain(&h.probe.again).collect();
        // Answers in the order first met, with how many connections met each.
        let mut answers: Vec<(Message, usize)> = Vec::new();
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
        let mut f = Finding::new(Code::BackendsDiffer).said(say!(
            "backends-differ.met",
            endpoint = h.endpoint(),
            connections = all.len(),
            answers = answers.len()
        ));
        for (i, (a, n)) in answers.into_iter().enumerate() {
            let key = if i == 0 { say!("backends-differ.answer-first", answer = a, n = n, of = all.len()) } else { say!("backends-differ.answer", answer = a, n = n, of = all.len()) };
            f.add_said(key);
        }
        let f = match share {
            Some(s) => {
                f.add_said(say!("backends-differ.libpq-fails-on", failed = s.failed, of = s.of));
                f
            }
            None => {
                f.add_said(say!("backends-differ.accepts-each"));
                f.severity(Severity::Warning)
            }
        };
        out.push(f.at_endpoint(h.endpoint()).evidence("connections", all.len().to_string()));
    }
    out
}
