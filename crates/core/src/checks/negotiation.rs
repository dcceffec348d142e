//! `server-error-response`, `proxy-mishandles-sslrequest`, `direct-ssl-unsupported`,
//! `alpn-rejected`: what answered "may we speak TLS?" when it was not a plain 'S' or 'N'.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg};
use crate::gathered::net::Negotiated;
use crate::gathered::probe::{ProbeFacts, SslNegotiation};
use crate::gathered::tls::HandshakeError;
use crate::wire::describe_byte;

pub const CODES: &[Code] =
    &[Code::ServerErrorResponse, Code::ProxyMishandlesSslrequest, Code::DirectSslUnsupported, Code::AlpnRejected];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    facts.hosts.iter().flat_map(|h| probe(&h.probe)).collect()
}

fn probe(facts: &ProbeFacts) -> Vec<Finding> {
    let endpoint = facts.target.endpoint();
    if let Some(d) = facts.terminator() {
        return vec![terminator(facts, d)];
    }
    if facts.hung_up_at_sslrequest() {
        return vec![hung_up(facts)];
    }
    match &facts.reply {
        Some(Negotiated::Error { error }) => vec![Finding::new(Code::ServerErrorResponse)
            .said(say!("server-error-response.at-sslrequest", endpoint = &endpoint, error = error))
            .evidence("server_message", &error.message)],
        Some(Negotiated::Unexpected { byte, preview }) => vec![Finding::new(Code::ProxyMishandlesSslrequest)
            .said(say!("proxy-mishandles-sslrequest.unexpected", endpoint = &endpoint, byte = describe_byte(*byte), preview = preview))
            .evidence("first_bytes", preview)],
        _ => direct(facts),
    }
}

/// The endpoint hung up on the SSLRequest but completes a TLS handshake that starts with a
/// ClientHello: a TLS terminator in front of PostgreSQL that does not speak its negotiation.
fn terminator(facts: &ProbeFacts, d: &ProbeFacts) -> Finding {
    let endpoint = facts.target.endpoint();
    let leaf = d.chain.first().map(|c| format!("\"{}\" (issued by \"{}\")", c.subject, c.issuer)).unwrap_or_default();
    let alpn = d.tls.as_ref().and_then(|t| t.alpn.clone());
    let alpn_note = match alpn.as_deref() {
        Some("postgresql") => say!("proxy-mishandles-sslrequest.alpn-selected"),
        _ => say!("proxy-mishandles-sslrequest.alpn-not-selected"),
    };
    Finding::new(Code::ProxyMishandlesSslrequest)
        .said(say!(
            "proxy-mishandles-sslrequest.terminator",
            endpoint = &endpoint,
            leaf = &leaf,
            version = d.tls.as_ref().map(|t| format!(", {}", t.version)).unwrap_or_default(),
            alpn_note = alpn_note
        ))
        .fix_said(say!("proxy-mishandles-sslrequest.fix-terminator"))
        .at_endpoint(&endpoint)
        .evidence("terminator certificate", leaf)
}

/// The endpoint hung up on the SSLRequest without a byte, and no TLS server answered a
/// ClientHello either (or it was not tried): not PostgreSQL, which always answers, but
/// something in front of it — the PostgreSQL server itself is not the one to fix.
fn hung_up(facts: &ProbeFacts) -> Finding {
    let endpoint = facts.target.endpoint();
    let sni = match facts.target.sni.as_deref() {
        Some(s) => say!("proxy-mishandles-sslrequest.sni", sni = s),
        None => say!("proxy-mishandles-sslrequest.no-sni"),
    };
    let direct = match facts.direct_tls.as_deref() {
        Some(d) => match d.failure.as_ref() {
            Some(crate::gathered::probe::ProbeFailure::Handshake { error: HandshakeError::AlertReceived { alert } }) => {
                say!("proxy-mishandles-sslrequest.direct-alert", sni = sni, alert = alert).into_arg()
            }
            Some(crate::gathered::probe::ProbeFailure::Handshake { error: HandshakeError::Timeout }) => {
                say!("proxy-mishandles-sslrequest.direct-timeout", sni = sni).into_arg()
            }
            Some(_) => say!("proxy-mishandles-sslrequest.direct-closed", sni = sni).into_arg(),
            None => "".into_arg(),
        },
        None => "".into_arg(),
    };
    Finding::new(Code::ProxyMishandlesSslrequest)
        .said(say!("proxy-mishandles-sslrequest.hung-up", endpoint = &endpoint, direct = direct))
        .fix_said(say!("proxy-mishandles-sslrequest.fix-hung-up", endpoint = &endpoint))
        .at_endpoint(&endpoint)
        .evidence("step", crate::gathered::net::Step::SslReply.to_string())
}

fn direct(facts: &ProbeFacts) -> Vec<Finding> {
    if facts.target.negotiation != SslNegotiation::Direct {
        return vec![];
    }
    let endpoint = facts.target.endpoint();
    match (facts.handshake_failure(), &facts.tls) {
        (Some(HandshakeError::Closed | HandshakeError::NotTls { .. }), _) if facts.chain.is_empty() => {
            vec![Finding::new(Code::DirectSslUnsupported).said(say!("direct-ssl-unsupported.closed", endpoint = &endpoint))]
        }
        (Some(HandshakeError::AlertReceived { alert }), _) if alert == "no application protocol" => {
            vec![Finding::new(Code::AlpnRejected).said(say!("alpn-rejected.refused", endpoint = &endpoint))]
        }
        (None, Some(tls)) if tls.alpn.as_deref() != Some("postgresql") => vec![Finding::new(Code::AlpnRejected)
            .said(say!("alpn-rejected.not-selected", endpoint = &endpoint))],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host, probe as facts};
    use crate::gathered::probe::ProbeFailure;
    use crate::wire::ErrorResponse;

    #[test]
    fn replies_map_to_codes() {
        let cx = Context::default();
        let mut f = facts();
        f.reply = Some(Negotiated::Error { error: ErrorResponse { message: "too many".into(), ..Default::default() } });
        assert_eq!(codes(&check(&host(f.clone()), &cx)), ["server-error-response"]);
        f.reply = Some(Negotiated::Unexpected { byte: b'H', preview: "HTTP/1.1 400".into() });
        let found = check(&host(f.clone()), &cx);
        assert_eq!(codes(&found), ["proxy-mishandles-sslrequest"]);
        assert!(found[0].detail.contains("HTTP/1.1 400"));
        f.reply = Some(Negotiated::Accept);
        assert!(check(&host(f), &cx).is_empty());
    }

    #[test]
    fn a_hang_up_at_the_sslrequest_names_a_hop_not_the_server() {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Network {
            error: crate::gathered::net::NetError {
                step: crate::gathered::net::Step::SslReply,
                kind: crate::gathered::net::FailureKind::Closed,
                endpoint: "127.0.0.1:1".into(),
                message: "closed".into(),
                addr: None,
            },
        });
        let mut d = facts();
        d.target.negotiation = SslNegotiation::Direct;
        d.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Closed });
        f.direct_tls = Some(Box::new(d));
        let found = check(&host(f), &Context::default());
        assert_eq!(codes(&found), ["proxy-mishandles-sslrequest"]);
        assert!(found[0].detail.contains("closed too") && found[0].fix.contains("send-proxy"), "{}", found[0].detail);
    }

    #[test]
    fn direct_ssl_closed_means_unsupported() {
        let mut f = facts();
        f.target.negotiation = SslNegotiation::Direct;
        f.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Closed });
        assert_eq!(codes(&check(&host(f.clone()), &Context::default())), ["direct-ssl-unsupported"]);
        f.target.negotiation = SslNegotiation::Postgres;
        assert!(check(&host(f), &Context::default()).is_empty());
    }
}
