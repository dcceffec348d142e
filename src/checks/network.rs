//! `tcp-connect-failed`, `network-timeout`, `unexpected-eof`: the connection broke before TLS
//! could even be judged. The step is named, because "it hangs" during connect (firewall)
//! and during the SSLRequest answer (a non-PostgreSQL listener) have different fixes.

use super::Context;
use crate::findings::{Code, Finding};
use crate::net::{FailureKind, Step};
use crate::probe::ProbeFacts;

pub fn check(facts: &ProbeFacts, _ctx: &Context) -> Vec<Finding> {
    let Some(e) = facts.network_failure() else { return vec![] };
    let f = match e.kind {
        FailureKind::Timeout => Finding::new(Code::NetworkTimeout)
            .detail(format!("{} at {}: no answer before the timeout.", capitalise(&e.step.to_string()), e.endpoint))
            .fix(match e.step {
                Step::Resolve => "Check DNS for this host name, or connect by IP address (hostaddr=).".to_string(),
                Step::Connect => "Check that the server is up, listen_addresses includes this interface, and no firewall or security group drops the port.".to_string(),
                _ => "Something accepted the TCP connection but never answered the SSLRequest: check that the port belongs to PostgreSQL (not a proxy or another service), and that the server is not stuck (max_connections, authentication_timeout).".to_string(),
            }),
        FailureKind::Closed => Finding::new(Code::UnexpectedEof)
            .detail(format!("The server closed the connection while {} ({}).", e.step, e.endpoint))
            .fix("The peer closed the socket before answering the SSLRequest: a proxy or load balancer that does not speak PostgreSQL's SSL negotiation, a server at its connection limit, or a crashed backend. Check the server log at this time and any proxy in front of it."),
        FailureKind::Refused | FailureKind::Other => Finding::new(Code::TcpConnectFailed)
            .detail(format!("{} failed for {}: {}", capitalise(&e.step.to_string()), e.endpoint, e.message)),
    };
    vec![f.evidence("step", format!("{:?}", e.step)).evidence("endpoint", &e.endpoint)]
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, facts};
    use crate::net::NetError;
    use crate::probe::ProbeFailure;

    fn with(kind: FailureKind, step: Step) -> Vec<Finding> {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Network {
            error: NetError { step, kind, endpoint: "127.0.0.1:1".into(), message: "x".into() },
        });
        check(&f, &Context::default())
    }

    #[test]
    fn maps_failures_to_codes() {
        assert_eq!(codes(&with(FailureKind::Timeout, Step::SslReply)), ["network-timeout"]);
        assert_eq!(codes(&with(FailureKind::Closed, Step::SslReply)), ["unexpected-eof"]);
        assert_eq!(codes(&with(FailureKind::Refused, Step::Connect)), ["tcp-connect-failed"]);
        assert!(with(FailureKind::Timeout, Step::SslReply)[0].detail.contains("Reading the server's answer"));
        assert!(check(&facts(), &Context::default()).is_empty());
    }
}
