//! `protocol-version-mismatch`, `cipher-mismatch`, `sni-required`, `unexpected-eof`,
//! `tls-handshake-failed`: the server accepted the SSLRequest but the handshake failed.
//! A raw rustls error means nothing to an operator; the alert the server sent says which
//! side refused what.

use super::Context;
use crate::findings::{Code, Finding};
use crate::probe::{SslNegotiation, ProbeFacts};
use crate::tls::HandshakeError;

/// The versions pgtls's own handshake offers.
const PROBE_RANGE: &str = "TLSv1.2–TLSv1.3";

pub fn check(facts: &ProbeFacts, ctx: &Context) -> Vec<Finding> {
    let Some(err) = facts.handshake_failure() else { return vec![] };
    let endpoint = facts.target.endpoint();
    let client_range = match &ctx.client_max {
        Some(max) => format!("{}–{max}", ctx.client_min),
        None => format!("{} and newer", ctx.client_min),
    };
    let f = match err {
        HandshakeError::AlertReceived { alert } if alert == "protocol version" => version_mismatch(facts, &client_range, alert),
        HandshakeError::Incompatible { message } if message.contains("Tls12Or13") || message.contains("Version") => {
            version_mismatch(facts, &client_range, message)
        }
        HandshakeError::AlertReceived { alert } if (alert == "handshake failure" || alert == "insufficient security")
            && facts.server_suites.as_ref().is_some_and(|s| !s.is_empty()) =>
        {
            return stack_limit(facts, alert);
        }
        HandshakeError::AlertReceived { alert } if alert == "handshake failure" || alert == "insufficient security" => {
            Finding::new(Code::CipherMismatch)
                .detail(format!(
                    "{endpoint} refused the handshake with alert \"{alert}\": it shares no cipher suite (or key-exchange \
                     group) with the client. pgtls offered the modern AEAD suites (AES-GCM, ChaCha20-Poly1305) with \
                     ECDHE over {PROBE_RANGE}; the server's ssl_ciphers / ssl_ecdh_curve allow none of them."
                ))
                .evidence("alert", alert)
        }
        HandshakeError::AlertReceived { alert } if alert == "unrecognized name" => Finding::new(Code::SniRequired)
            .detail(format!(
                "{endpoint} refused the handshake with alert \"unrecognized name\": it routes by SNI and {}.",
                match &facts.target.sni {
                    Some(s) => format!("does not know the name \"{s}\""),
                    None => "pgtls sent no SNI (IP address or sslsni=0)".to_string(),
                }
            ))
            .evidence("alert", alert),
        HandshakeError::Closed if facts.target.negotiation == SslNegotiation::Postgres => Finding::new(Code::UnexpectedEof)
            .detail(format!(
                "{endpoint} accepted the SSLRequest ('S') and then closed the connection during the TLS handshake{}.",
                if facts.target.sni.is_none() { " (no SNI was sent: a router that needs SNI does this)" } else { "" }
            )),
        HandshakeError::Closed => return vec![], // direct SSL: the negotiation check explains it
        HandshakeError::Timeout => Finding::new(Code::NetworkTimeout)
            .detail(format!("{endpoint} stopped answering during the TLS handshake."))
            .evidence("step", "TlsHandshake"),
        other => Finding::new(Code::TlsHandshakeFailed).detail(format!("{endpoint}: {other}")),
    };
    vec![f]
}

/// The server accepts TLS 1.2/1.3 suites, just none that pgtls's own stack (rustls: AEAD with
/// ECDHE only) implements. libpq with OpenSSL may well connect, so this is not a client error.
fn stack_limit(facts: &ProbeFacts, alert: &str) -> Vec<Finding> {
    use crate::tls::scan::{CipherSuite, Strength};
    let suites = facts.server_suites.clone().unwrap_or_default();
    let mut out = vec![Finding::new(Code::CipherMismatch)
        .severity(crate::findings::Severity::Info)
        .detail(format!(
            "{} refused pgtls's handshake (alert \"{alert}\") but accepts {}: suites that pgtls's TLS stack does not \
             implement (it speaks only AES-GCM/ChaCha20 with ECDHE). libpq with OpenSSL negotiates them, so psql may \
             connect; clients limited to modern AEAD suites (rustls, some JDBC/Go profiles) fail with \"no shared cipher\" / \
             \"handshake failure\".{}",
            facts.target.endpoint(),
            suites.join(", "),
            if facts.chain.is_empty() { " Certificate facts are not available from this probe." } else { " The chain below was read from a raw TLS 1.2 handshake." }
        ))
        .evidence("server_suites", suites.join(","))
        .fix("Add ECDHE AEAD suites to the server's ssl_ciphers (PostgreSQL's default 'HIGH:MEDIUM:+3DES:!aNULL' includes them) and reload.")];
    let weak: Vec<&String> = suites
        .iter()
        .filter(|s| CipherSuite::from_name(s).and_then(|c| c.strength()).is_some_and(|x| matches!(x, Strength::Weak | Strength::Insecure)))
        .collect();
    if !weak.is_empty() {
        out.push(
            Finding::new(Code::WeakCipherEnabled)
                .severity(crate::findings::Severity::Warning)
                .detail(format!("{} accepts weak cipher suites: {}.", facts.target.endpoint(), weak.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))),
        );
    }
    out
}

fn version_mismatch(facts: &ProbeFacts, client_range: &str, why: &str) -> Finding {
    let server = match &facts.server_versions {
        Some(v) if !v.is_empty() => format!("The server accepts only {}", v.join(", ")),
        Some(_) => "The server refused every version from SSLv3 to TLSv1.3".to_string(),
        None => "The server only allows other versions (typically TLSv1 / TLSv1.1)".to_string(),
    };
    let hint = match facts.server_versions.as_deref() {
        Some([first, .., last]) => format!(" between {first} and {last}"),
        Some([only]) => format!(" between {only} and {only}"),
        _ => " between …".to_string(),
    };
    Finding::new(Code::ProtocolVersionMismatch)
        .detail(format!(
            "{} refused every TLS version the client allows ({client_range}; pgtls's handshake offered \
             {PROBE_RANGE}) [{why}]. {server}; its log shows \"This may indicate that the client does not support any \
             SSL protocol version{hint}.\"",
            facts.target.endpoint()
        ))
        .evidence("client_allows", client_range)
        .evidence("server_accepts", facts.server_versions.as_ref().map(|v| v.join(",")).unwrap_or_default())
        .fix("Raise the server's ssl_min_protocol_version/ssl_max_protocol_version to include TLSv1.2 (ssl_max_protocol_version = '' and ssl_min_protocol_version = 'TLSv1.2' in postgresql.conf, then reload), rather than lowering the client's ssl_min_protocol_version to an insecure version.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, facts};
    use crate::probe::ProbeFailure;

    fn with(e: HandshakeError) -> Vec<Finding> {
        let mut f = facts();
        f.failure = Some(ProbeFailure::Handshake { error: e });
        check(&f, &Context::default())
    }

    #[test]
    fn alerts_map_to_codes() {
        let alert = |a: &str| HandshakeError::AlertReceived { alert: a.into() };
        let v = with(alert("protocol version"));
        assert_eq!(codes(&v), ["protocol-version-mismatch"]);
        assert!(v[0].detail.contains("TLSv1.2 and newer"));
        assert_eq!(codes(&with(alert("handshake failure"))), ["cipher-mismatch"]);
        assert_eq!(codes(&with(alert("unrecognized name"))), ["sni-required"]);
        assert_eq!(codes(&with(HandshakeError::Closed)), ["unexpected-eof"]);
        assert_eq!(codes(&with(HandshakeError::Timeout)), ["network-timeout"]);
        assert_eq!(codes(&with(alert("internal error"))), ["tls-handshake-failed"]);
    }
}
