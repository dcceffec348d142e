//! `server-error-response`, `proxy-mishandles-sslrequest`, `direct-ssl-unsupported`,
//! `alpn-rejected`: what answered "may we speak TLS?" when it was not a plain 'S' or 'N'.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};
use crate::net::Negotiated;
use crate::probe::{ProbeFacts, SslNegotiation};
use crate::tls::HandshakeError;
use crate::wire::describe_byte;

pub const CODES: &[Code] =
    &[Code::ServerErrorResponse, Code::ProxyMishandlesSslrequest, Code::DirectSslUnsupported, Code::AlpnRejected];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    facts.hosts.iter().flat_map(|h| probe(&h.probe)).collect()
}

fn probe(facts: &ProbeFacts) -> Vec<Finding> {
    let endpoint = facts.target.endpoint();
    match &facts.reply {
        Some(Negotiated::Error { error }) => vec![Finding::new(Code::ServerErrorResponse)
            .detail(format!("{endpoint} answered the SSLRequest with an error instead of 'S' or 'N':\n{error}"))
            .evidence("server_message", &error.message)],
        Some(Negotiated::Unexpected { byte, preview }) => vec![Finding::new(Code::ProxyMishandlesSslrequest)
            .detail(format!(
                "{endpoint} answered the SSLRequest with {} (\"{preview}\"), which no PostgreSQL server sends: \
                 something else listens on this port or a proxy in front does not understand PostgreSQL's SSL negotiation.",
                describe_byte(*byte)
            ))
            .evidence("first_bytes", preview)],
        _ => direct(facts),
    }
}

fn direct(facts: &ProbeFacts) -> Vec<Finding> {
    if facts.target.negotiation != SslNegotiation::Direct {
        return vec![];
    }
    let endpoint = facts.target.endpoint();
    match (facts.handshake_failure(), &facts.tls) {
        (Some(HandshakeError::Closed | HandshakeError::NotTls { .. }), _) if facts.chain.is_empty() => {
            vec![Finding::new(Code::DirectSslUnsupported).detail(format!(
                "{endpoint} closed the connection when TLS started without an SSLRequest: servers before PostgreSQL 17 \
                 (and poolers that expect SSLRequest) read the TLS ClientHello as a malformed startup packet."
            ))]
        }
        (Some(HandshakeError::AlertReceived { alert }), _) if alert == "no application protocol" => {
            vec![Finding::new(Code::AlpnRejected).detail(format!(
                "{endpoint} refused the ALPN protocol \"postgresql\" (alert \"no application protocol\")."
            ))]
        }
        (None, Some(tls)) if tls.alpn.as_deref() != Some("postgresql") => vec![Finding::new(Code::AlpnRejected)
            .detail(format!(
                "{endpoint} completed a direct TLS handshake without selecting ALPN \"postgresql\"; a PostgreSQL 17+ \
                 server always selects it, so a TLS terminator that is not PostgreSQL answered."
            ))],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host, probe as facts};
    use crate::probe::ProbeFailure;
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
    fn direct_ssl_closed_means_unsupported() {
        let mut f = facts();
        f.target.negotiation = SslNegotiation::Direct;
        f.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Closed });
        assert_eq!(codes(&check(&host(f.clone()), &Context::default())), ["direct-ssl-unsupported"]);
        f.target.negotiation = SslNegotiation::Postgres;
        assert!(check(&host(f), &Context::default()).is_empty());
    }
}
