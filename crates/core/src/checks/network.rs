//! `tcp-connect-failed`, `network-timeout`, `unexpected-eof`: the connection broke before TLS
//! could even be judged, or stalled or broke later in the handshake or the startup phase. The step is named, because "it hangs" during connect (firewall)
//! and during the SSLRequest answer (a non-PostgreSQL listener) have different fixes, and a
//! name that does not resolve is a DNS problem, not a listening problem.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};
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
                .detail(format!(
                    "{endpoint} accepted the SSLRequest ('S') and then closed the connection during the TLS handshake{}.",
                    if p.target.sni.is_none() { " (no SNI was sent: a router that needs SNI does this)" } else { "" }
                ))
                .evidence("step", Step::TlsHandshake.to_string())
                .at_endpoint(&endpoint),
        ),
        HandshakeError::Timeout => Some(
            Finding::new(Code::NetworkTimeout)
                .detail(format!("{endpoint} did not finish the TLS handshake in time: it stopped answering, or answered too slowly."))
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
    let over = if s.encrypted { "over TLS" } else { "without TLS" };
    let f = match s.outcome {
        StartupOutcome::Timeout => Finding::new(Code::NetworkTimeout)
            .detail(format!("{endpoint} completed the connection {over} but did not answer the StartupMessage in time."))
            .fix("The server (or a proxy in front of it) accepted the session and then stalled: check that the port belongs to PostgreSQL, the server log for a backend stuck at startup (authentication_timeout, an extension in shared_preload_libraries, a full disk), and the connection limits of any pooler."),
        StartupOutcome::Closed => Finding::new(Code::UnexpectedEof)
            .detail(format!("{endpoint} closed the connection {over} before answering the StartupMessage."))
            .fix("The backend exited while starting the session: the server log at this time says why (a crash, max_connections in a pooler, a proxy that drops unknown clients)."),
        _ => return None,
    };
    Some(f.evidence("step", "the startup phase (StartupMessage and the server's answer)").at_endpoint(endpoint))
}

fn net_error(e: &NetError, port: Option<u16>) -> Finding {
    let port = port.map(|p| p.to_string()).unwrap_or_else(|| e.endpoint.rsplit(':').next().unwrap_or("5432").to_string());
    let f = match (e.step, e.kind) {
        (_, FailureKind::Timeout) => Finding::new(Code::NetworkTimeout)
            .detail(format!("{} at {}: {}.", capitalise(&e.step.to_string()), e.endpoint, e.message))
            .fix(match e.step {
                Step::Resolve => "The DNS lookup did not finish: check the resolver (/etc/resolv.conf, getent hosts <host>), or connect by IP address (hostaddr=).".to_string(),
                Step::Connect => format!("Nothing answered the TCP connection: check that the server is up, that listen_addresses includes this interface, and that no firewall or security group drops port {port} (nc -vz <host> {port})."),
                _ => "Something accepted the TCP connection but never answered the SSLRequest: check that the port belongs to PostgreSQL (not a proxy or another service), and that the server is not stuck (max_connections, authentication_timeout).".to_string(),
            }),
        (_, FailureKind::Closed) => Finding::new(Code::UnexpectedEof)
            .detail(format!("The server closed the connection while {} ({}).", e.step, e.endpoint))
            .fix("The peer closed the socket before answering the SSLRequest: a proxy or load balancer that does not speak PostgreSQL's SSL negotiation, a server at its connection limit, or a crashed backend. Check the server log at this time and any proxy in front of it."),
        (Step::Resolve, _) => Finding::new(Code::TcpConnectFailed)
            .detail(format!("The host name does not resolve: {}.", e.message))
            .fix("Check the spelling of the host name and DNS (getent hosts <host>; nslookup <host>), the search domains in /etc/resolv.conf, or connect by address with hostaddr=."),
        _ => Finding::new(Code::TcpConnectFailed)
            .detail(format!("{} failed for {}: {}", capitalise(&e.step.to_string()), e.endpoint, e.message))
            .fix(format!(
                "Nothing accepts connections there: check that the server is running and listening (on the server: ss -ltnp | grep {port}; SHOW listen_addresses; SHOW port;), set listen_addresses to include this interface and restart, and open port {port} in firewalls and security groups."
            )),
    };
    f.evidence("step", e.step.to_string()).at_endpoint(&e.endpoint)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
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
