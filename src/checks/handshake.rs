//! `protocol-version-mismatch`, `cipher-mismatch`, `sni-required`, `unexpected-eof`,
//! `tls-handshake-failed`: the server accepted the SSLRequest but the handshake failed.
//! A raw rustls error means nothing to an operator; the alert the server sent says which
//! side refused what.

use super::Context;
use crate::findings::Finding;
use crate::probe::{Negotiation, ProbeFacts};
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
        HandshakeError::AlertReceived { alert } if alert == "handshake failure" || alert == "insufficient security" => {
            Finding::new("cipher-mismatch")
                .detail(format!(
                    "{endpoint} refused the handshake with alert \"{alert}\": it shares no cipher suite (or key-exchange \
                     group) with the client. pgtls offered the modern AEAD suites (AES-GCM, ChaCha20-Poly1305) with \
                     ECDHE over {PROBE_RANGE}; the server's ssl_ciphers / ssl_ecdh_curve allow none of them."
                ))
                .evidence("alert", alert)
        }
        HandshakeError::AlertReceived { alert } if alert == "unrecognized name" => Finding::new("sni-required")
            .detail(format!(
                "{endpoint} refused the handshake with alert \"unrecognized name\": it routes by SNI and {}.",
                match &facts.target.sni {
                    Some(s) => format!("does not know the name \"{s}\""),
                    None => "pgtls sent no SNI (IP address or sslsni=0)".to_string(),
                }
            ))
            .evidence("alert", alert),
        HandshakeError::Closed if facts.target.negotiation == Negotiation::Postgres => Finding::new("unexpected-eof")
            .detail(format!(
                "{endpoint} accepted the SSLRequest ('S') and then closed the connection during the TLS handshake{}.",
                if facts.target.sni.is_none() { " (no SNI was sent: a router that needs SNI does this)" } else { "" }
            )),
        HandshakeError::Closed => return vec![], // direct SSL: the negotiation check explains it
        HandshakeError::Timeout => Finding::new("network-timeout")
            .detail(format!("{endpoint} stopped answering during the TLS handshake."))
            .evidence("step", "TlsHandshake"),
        other => Finding::new("tls-handshake-failed").detail(format!("{endpoint}: {other}")),
    };
    vec![f]
}

fn version_mismatch(facts: &ProbeFacts, client_range: &str, why: &str) -> Finding {
    Finding::new("protocol-version-mismatch")
        .detail(format!(
            "{} refused every TLS version the client allows ({client_range}; pgtls's handshake offered \
             {PROBE_RANGE}) [{why}]. The server only allows older versions (TLSv1 / TLSv1.1); its log shows \
             \"This may indicate that the client does not support any SSL protocol version between …\".",
            facts.target.endpoint()
        ))
        .evidence("client_allows", client_range)
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
