//! `server-error-response`, `proxy-mishandles-sslrequest`, `direct-ssl-unsupported`,
//! `alpn-rejected`: what answered "may we speak TLS?" when it was not a plain 'S' or 'N'.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};
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

/// The endpoint hung up on the SSLRequest but completes a TLS handshake that starts with a
/// ClientHello: a TLS terminator in front of PostgreSQL that does not speak its negotiation.
fn terminator(facts: &ProbeFacts, d: &ProbeFacts) -> Finding {
    let endpoint = facts.target.endpoint();
    let leaf = d.chain.first().map(|c| format!("\"{}\" (issued by \"{}\")", c.subject, c.issuer)).unwrap_or_default();
    let alpn = d.tls.as_ref().and_then(|t| t.alpn.clone());
    let alpn_note = match alpn.as_deref() {
        Some("postgresql") => "It selects ALPN \"postgresql\", so PostgreSQL 17+ clients can use sslnegotiation=direct as they are.".to_string(),
        _ => "It selects no ALPN \"postgresql\", so even libpq 17+ with sslnegotiation=direct refuses it until the terminator offers that ALPN.".to_string(),
    };
    Finding::new(Code::ProxyMishandlesSslrequest)
        .detail(format!(
            "{endpoint} closed the connection at PostgreSQL's SSLRequest, but answers a TLS handshake that starts with a ClientHello \
             (certificate {leaf}{}): a TLS terminator (HAProxy `bind … ssl crt`, stunnel without `protocol = pgsql`, an SNI router) \
             sits in front of PostgreSQL and expects TLS first. {alpn_note}",
            d.tls.as_ref().map(|t| format!(", {}", t.version)).unwrap_or_default()
        ))
        .fix(
            "Pass PostgreSQL through untouched (HAProxy `mode tcp` without `ssl` on the bind line), or let the hop speak PostgreSQL's \
             negotiation (stunnel `protocol = pgsql`, a pooler such as PgBouncer with client_tls_*), or, with libpq 17+ clients only, \
             use sslnegotiation=direct and have the terminator offer ALPN `postgresql` (HAProxy `bind … ssl crt … alpn postgresql`).",
        )
        .at_endpoint(&endpoint)
        .evidence("terminator certificate", leaf)
}

/// The endpoint hung up on the SSLRequest without a byte, and no TLS server answered a
/// ClientHello either (or it was not tried): not PostgreSQL, which always answers, but
/// something in front of it — the PostgreSQL server itself is not the one to fix.
fn hung_up(facts: &ProbeFacts) -> Finding {
    let endpoint = facts.target.endpoint();
    let sni = facts.target.sni.as_deref().map(|s| format!(" (SNI \"{s}\")")).unwrap_or_else(|| " (no SNI: the host is an IP address)".into());
    let direct = match facts.direct_tls.as_deref() {
        Some(d) => match d.failure.as_ref() {
            Some(crate::gathered::probe::ProbeFailure::Handshake { error: HandshakeError::AlertReceived { alert } }) => {
                format!(" A TLS ClientHello sent first{sni} was refused with the alert \"{alert}\".")
            }
            Some(crate::gathered::probe::ProbeFailure::Handshake { error: HandshakeError::Timeout }) => {
                format!(" A TLS ClientHello sent first{sni} got no answer in time.")
            }
            Some(_) => format!(" A TLS ClientHello sent first{sni} was closed too."),
            None => String::new(),
        },
        None => String::new(),
    };
    Finding::new(Code::ProxyMishandlesSslrequest)
        .detail(format!(
            "{endpoint} accepted the TCP connection and closed it at PostgreSQL's SSLRequest without answering; a PostgreSQL \
             server always answers it ('S', 'N' or an error message).{direct} Something that does not speak PostgreSQL's protocol \
             listens here or sits in front of the server: an SNI router with no route for this name (HAProxy `req.ssl_sni`, \
             Traefik or Envoy TCP routing: they need TLS first and the routed name), a proxy that sends a PROXY protocol header \
             (`send-proxy`, `send-proxy-v2`) to a PostgreSQL that reads none (its log says \"invalid length of startup packet\"), \
             or a TLS-only or non-PostgreSQL service."
        ))
        .fix(format!(
            "Compare with a connection straight to PostgreSQL, bypassing the hop, to confirm the server is fine; then fix the hop in front \
             of {endpoint}: remove `send-proxy`/`send-proxy-v2` from its server line (PostgreSQL reads no PROXY header), or, for an SNI \
             router, connect with the name it routes (host=) using libpq 17+ sslnegotiation=direct towards a PostgreSQL 17+ server (or a \
             terminator that speaks PostgreSQL's negotiation behind the router) — or route this port by TCP \
             (`mode tcp` pass-through) instead of by SNI."
        ))
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
