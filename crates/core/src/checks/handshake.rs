//! `sni-required`, `tls-handshake-failed`: the server accepted the SSLRequest but the TLS
//! handshake failed for a reason the version and cipher checks do not own — an SNI router that
//! does not know the name, garbage where TLS records should be, an alert nobody expected. The
//! alert the server sent is named, because a raw TLS library error means nothing to an
//! operator. A closed connection and a timeout belong to `network`; versions, ciphers and
//! ALPN to their own checks.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::gathered::probe::{ProbeFacts, SslNegotiation};
use crate::gathered::tls::HandshakeError;

pub const CODES: &[Code] = &[Code::SniRequired, Code::TlsHandshakeFailed];

/// Alerts another check explains.
const OWNED_ELSEWHERE: [&str; 4] = ["protocol version", "handshake failure", "insufficient security", "no application protocol"];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = facts
        .hosts
        .iter()
        .filter_map(|h| {
            let f = probe(&h.probe)?;
            Some(if h.verdict.as_ref().is_some_and(|v| v.connects) { f.severity(Severity::Warning) } else { f })
        })
        .collect();
    // A scan in which no handshake at any version got an answer learned nothing: that is a
    // failure to report, not "no problems found".
    for s in &facts.scans {
        let Some(r) = &s.result else { continue };
        if r.accepted_versions().is_empty() && !r.errors.is_empty() && r.versions.iter().all(|v| !v.complete) {
            let e = &r.errors[0];
            out.push(
                Finding::new(Code::TlsHandshakeFailed)
                    .said(say!(
                        "tls-handshake-failed.scan",
                        endpoint = &s.endpoint,
                        errors = r.errors.len(),
                        stage = e.stage.said(),
                        version = &e.version,
                        message = &e.message
                    ))
                    .at_endpoint(&s.endpoint),
            );
        }
    }
    out
}

fn probe(p: &ProbeFacts) -> Option<Finding> {
    let endpoint = p.target.endpoint();
    let f = match p.handshake_failure()? {
        HandshakeError::AlertReceived { alert } if alert == "unrecognized name" => Finding::new(Code::SniRequired)
            .said(say!(
                "sni-required.unrecognized-name",
                endpoint = &endpoint,
                why = match &p.target.sni {
                    Some(s) => say!("sni-required.unknown-name", sni = s),
                    None => say!("sni-required.no-sni"),
                }
            ))
            .evidence("alert", alert),
        HandshakeError::AlertReceived { alert } if OWNED_ELSEWHERE.contains(&alert.as_str()) => return None,
        HandshakeError::Incompatible { message } if message.contains("Tls12Or13") || message.contains("Version") => return None,
        HandshakeError::Closed | HandshakeError::Timeout => return None,
        HandshakeError::NotTls { .. } if p.target.negotiation == SslNegotiation::Direct && p.chain.is_empty() => return None,
        other => Finding::new(Code::TlsHandshakeFailed).said(say!("tls-handshake-failed.probe", endpoint = &endpoint, error = other)),
    };
    Some(f.at_endpoint(endpoint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host, probe as facts};
    use crate::gathered::probe::ProbeFailure;

    fn with(e: HandshakeError) -> Vec<Finding> {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Handshake { error: e });
        check(&host(f), &Context::default())
    }

    #[test]
    fn alerts_map_to_codes() {
        let alert = |a: &str| HandshakeError::AlertReceived { alert: a.into() };
        assert_eq!(codes(&with(alert("unrecognized name"))), ["sni-required"]);
        assert_eq!(codes(&with(alert("internal error"))), ["tls-handshake-failed"]);
        assert_eq!(codes(&with(HandshakeError::NotTls { message: "InvalidContentType".into() })), ["tls-handshake-failed"]);
        assert!(with(alert("protocol version")).is_empty());
        assert!(with(HandshakeError::Closed).is_empty());
    }
}
