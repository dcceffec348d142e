//! `tcp-connect-failed`, `network-timeout`, `unexpected-eof`: the connection broke before TLS
//! could even be judged, or stalled or broke later in the handshake or the startup phase. The step is named, because "it hangs" during connect (firewall)
//! and during the SSLRequest answer (a non-PostgreSQL listener) have different fixes, and a
//! name that does not resolve is a DNS problem, not a listening problem.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Message};
use crate::gathered::net::{FailureKind, NetError, Step};
use crate::gathered::probe::{ProbeFacts, SslNegotiation};
use crate::gathered::tls::HandshakeError;

pub const CODES: &[Code] = &[Code::TcpConnectFailed, Code::NetworkTimeout, Code::UnexpectedEof];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts
        .hosts
        .iter()
        .filter_map(|h| {
            // The client never reaches the startup phase when its verdict failed before it (a
            // chain it rejects, a missing ALPN): what the probe saw there is not its problem.
            let before_startup = h.verdict.as_ref().and_then(|v| v.failure.as_ref()).is_some_and(|f| {
                !matches!(f, crate::verify::libpq::Failure::StartupBroken { .. } | crate::verify::libpq::Failure::Network { .. } | crate::verify::libpq::Failure::Unjudged)
            });
            if before_startup && h.probe.network_failure().is_none() && h.probe.handshake_failure().is_none() {
                return None;
            }
            probe(&h.probe)
        })
        .collect();
    out.extend(facts.scans.iter().filter_map(|s| s.error.as_ref()).map(|e| net_error(e, None)));
    out
}

fn probe(p: &ProbeFacts) -> Option<Finding> {
    // Nothing PostgreSQL answered the SSLRequest (a TLS terminator, an SNI router, a PROXY
    // header the server does not expect): `proxy-mishandles-sslrequest` names the hop.
    if p.hung_up_at_sslrequest() || p.terminator().is_some() {
        return None;
    }
    if let Some(e) = p.network_failure() {
        return Some(net_error(e, Some(p.target.port)));
    }
    let endpoint = p.target.endpoint();
    let Some(failure) = p.handshake_failure() else { return startup(p, &endpoint) };
    match failure {
        HandshakeError::Closed if p.target.negotiation == SslNegotiation::Postgres => Some(
            Finding::new(Code::UnexpectedEof)
                .said(say!(
                    "unexpected-eof.closed-in-handshake",
                    endpoint = &endpoint,
                    no_sni = if p.target.sni.is_none() { say!("unexpected-eof.no-sni").into_arg() } else { "".into_arg() }
                ))
                .evidence("step", Step::TlsHandshake.to_string())
                .at_endpoint(&endpoint),
        ),
        HandshakeError::Timeout => Some(
            Finding::new(Code::NetworkTimeout)
                .said(say!("network-timeout.handshake", endpoint = &endpoint))
                .evidence("step", Step::TlsHandshake.to_string())
                .at_endpoint(&endpoint),
        ),
        _ => None,
    }
}

/// After TLS (or without it), the StartupMessage got no answer in time, or the connection
/// closed before the server answered it.
fn startup(p: &ProbeFacts, endpoint: &str) -> Option<Finding> {
    use crate::gathered::probe::StartupOutcome;
    let s = p.startup.as_ref()?;
    let over = if s.encrypted { say!("network.over-tls") } else { say!("network.without-tls") };
    let f = match s.outcome {
        StartupOutcome::Timeout => Finding::new(Code::NetworkTimeout)
            .said(say!("network-timeout.startup", endpoint = endpoint, over = over))
            .fix_said(say!("network-timeout.fix-startup")),
        StartupOutcome::Closed => Finding::new(Code::UnexpectedEof)
            .said(say!("unexpected-eof.startup", endpoint = endpoint, over = over))
            .fix_said(say!("unexpected-eof.fix-startup")),
        _ => return None,
    };
    Some(f.evidence("step", "the startup phase (StartupMessage and the server's answer)").at_endpoint(endpoint))
}

fn net_error(e: &NetError, port: Option<u16>) -> Finding {
    let port = port.map(|p| p.to_string()).unwrap_or_else(|| e.endpoint.rsplit(':').next().unwrap_or("5432").to_string());
    let f = match (e.step, e.kind) {
        (_, FailureKind::Timeout) => Finding::new(Code::NetworkTimeout)
            .said(say!("network-timeout.step", step = step_said(e.step, true), endpoint = &e.endpoint, message = &e.message))
            .fix_said(match e.step {
                Step::Resolve => say!("network-timeout.fix-resolve"),
                Step::Connect => say!("network-timeout.fix-connect", port = &port),
                _ => say!("network-timeout.fix-sslrequest"),
            }),
        (_, FailureKind::Closed) => Finding::new(Code::UnexpectedEof)
            .said(say!("unexpected-eof.step", step = step_said(e.step, false), endpoint = &e.endpoint))
            .fix_said(say!("unexpected-eof.fix-sslrequest")),
        (Step::Resolve, _) => Finding::new(Code::TcpConnectFailed)
            .said(say!("tcp-connect-failed.resolve", message = &e.message))
            .fix_said(say!("tcp-connect-failed.fix-resolve")),
        _ => Finding::new(Code::TcpConnectFailed)
            .said(say!("tcp-connect-failed.step", step = step_said(e.step, true), endpoint = &e.endpoint, message = &e.message))
            .fix_said(say!("tcp-connect-failed.fix", port = &port)),
    };
    f.evidence("step", e.step.to_string()).at_endpoint(&e.endpoint)
}

/// The step a network error happened in (`Step`'s words), said in the user's language; `start`:
/// at the start of an English sentence, capitalised.
fn step_said(step: Step, start: bool) -> Message {
    match (step, start) {
        (Step::Resolve, false) => say!("net-step.resolve"),
        (Step::Resolve, true) => say!("net-step.resolve-start"),
        (Step::Connect, false) => say!("net-step.connect"),
        (Step::Connect, true) => say!("net-step.connect-start"),
        (Step::SslRequest, false) => say!("net-step.sslrequest"),
        (Step::SslRequest, true) => say!("net-step.sslrequest-start"),
        (Step::SslReply, false) => say!("net-step.sslreply"),
        (Step::SslReply, true) => say!("net-step.sslreply-start"),
        (Step::TlsHandshake, false) => say!("net-step.tls-handshake"),
        (Step::TlsHandshake, true) => say!("net-step.tls-handshake-start"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host, probe as facts};
    use crate::gathered::probe::ProbeFailure;

    fn with(kind: FailureKind, step: Step) -> Vec<Finding> {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Network {
            error: NetError { step, kind, endpoint: "127.0.0.1:1".into(), message: "x".into(), addr: None },
        });
        check(&host(f), &Context::default())
    }

    #[test]
    fn maps_failures_to_codes() {
        assert_eq!(codes(&with(FailureKind::Timeout, Step::SslReply)), ["network-timeout"]);
        assert_eq!(codes(&with(FailureKind::Closed, Step::SslRequest)), ["unexpected-eof"]);
        // Hung up at the SSLRequest's answer: not PostgreSQL; `negotiation` names the hop.
        assert!(with(FailureKind::Closed, Step::SslReply).is_empty());
        assert_eq!(codes(&with(FailureKind::Refused, Step::Connect)), ["tcp-connect-failed"]);
        assert!(with(FailureKind::Timeout, Step::SslReply)[0].detail.contains("Reading the server's answer"));
        assert!(check(&host(facts()), &Context::default()).is_empty());
    }

    #[test]
    fn dns_failure_is_not_a_listening_problem() {
        let f = &with(FailureKind::Refused, Step::Resolve)[0];
        assert_eq!(f.code, Code::TcpConnectFailed);
        assert!(f.fix.contains("getent hosts") && !f.fix.contains("ss -ltnp"), "{}", f.fix);
        let refused = &with(FailureKind::Refused, Step::Connect)[0];
        assert!(refused.fix.contains("grep 5432"), "the fix names the target's port: {}", refused.fix);
    }

    #[test]
    fn handshake_closed_and_timeout() {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Closed });
        assert_eq!(codes(&check(&host(f.clone()), &Context::default())), ["unexpected-eof"]);
        f.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Timeout });
        assert_eq!(codes(&check(&host(f), &Context::default())), ["network-timeout"]);
    }
}
