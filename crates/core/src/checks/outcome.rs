//! `connection-fails`: the safety net behind the rule "never say all clear when the client
//! fails". It runs after every other check: when libpq's verdict (or pgtls's own SQL
//! connection) fails and no error finding explains it, it reports the failure with libpq's
//! error text, so the exit status is 2 and nothing reads "no problems found".

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};

pub fn check(facts: &Facts, cx: &Context, found: &[Finding]) -> Vec<Finding> {
    if found.iter().any(|f| f.severity == Severity::Error) {
        return vec![];
    }
    let mut out = Vec::new();
    // The host libpq ends up on after all (target_session_attrs=prefer-standby's second pass).
    let chosen = facts.libpq_outcome(&cx.profile).filter(|o| o.connects).and_then(|o| o.host).and_then(|i| facts.hosts.get(i)).map(|h| h.endpoint());
    for (h, v) in facts.verdicts().filter(|(h, v)| !v.connects && Some(h.endpoint()) != chosen) {
        out.push(
            Finding::new(Code::ConnectionFails)
                .said(say!(
                    "connection-fails.libpq",
                    endpoint = h.endpoint(),
                    message = match v.error.as_deref() {
                        Some(e) => e.into_arg(),
                        None => say!("connection-fails.no-message").into_arg(),
                    }
                ))
                .at_endpoint(h.endpoint()),
        );
    }
    if let Some(e) = &facts.connect_error {
        out.push(Finding::new(Code::ConnectionFails).detail(e.clone()));
    }
    out
}
