//! `server-ssl-off`, `server-error-response`, `proxy-mishandles-sslrequest`,
//! `direct-ssl-unsupported`: what the server said to "may we speak TLS?".

use super::Context;
use crate::findings::{Code, Finding};
use crate::net::Negotiated;
use crate::probe::{SslNegotiation, ProbeFacts};
use crate::tls::HandshakeError;
use crate::wire::describe_byte;

pub fn check(facts: &ProbeFacts, _ctx: &Context) -> Vec<Finding> {
    let endpoint = facts.target.endpoint();
    match &facts.reply {
        Some(Negotiated::Refuse) => vec![Finding::new(Code::ServerSslOff)
            .detail(format!("{endpoint} answered the SSLRequest with 'N': it will not speak TLS."))
            .evidence("reply", "N")],
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
    use crate::checks::test_support::{codes, facts};
    use crate::probe::ProbeFailure;
    use crate::wire::ErrorResponse;

    #[test]
    fn replies_map_to_codes() {
        let mut f = facts();
        f.reply = Some(Negotiated::Refuse);
        assert_eq!(codes(&check(&f, &Context::default())), ["server-ssl-off"]);
        f.reply = Some(Negotiated::Error { error: ErrorResponse { message: "too many".into(), ..Default::default() } });
        assert_eq!(codes(&check(&f, &Context::default())), ["server-error-response"]);
        f.reply = Some(Negotiated::Unexpected { byte: b'H', preview: "HTTP/1.1 400".into() });
        let found = check(&f, &Context::default());
        assert_eq!(codes(&found), ["proxy-mishandles-sslrequest"]);
        assert!(found[0].detail.contains("HTTP/1.1 400"));
        f.reply = Some(Negotiated::Accept);
        assert!(check(&f, &Context::default()).is_empty());
    }

    #[test]
    fn direct_ssl_closed_means_unsupported() {
        let mut f = facts();
        f.target.negotiation = SslNegotiation::Direct;
        f.failure = Some(ProbeFailure::Handshake { error: HandshakeError::Closed });
        assert_eq!(codes(&check(&f, &Context::default())), ["direct-ssl-unsupported"]);
        f.target.negotiation = SslNegotiation::Postgres;
        assert!(check(&f, &Context::default()).is_empty());
    }
}
