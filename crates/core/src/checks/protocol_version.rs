//! `protocol-version-mismatch`: client and server share no TLS version. Seen as the server's
//! "protocol version" alert to our handshake (which offers only the client's range), or by
//! comparing a scan of the server with the client's range. The fix names the versions on
//! both sides and which setting to move: the server's "between TLSv1.x and TLSv1.y" hint is
//! its own ssl_min/max_protocol_version.

use serde::Serialize;

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Arg, Code, Finding, IntoArg, Message};
use crate::gathered::probe::ProbeFacts;
use crate::scan::{CipherSuite, ScanResult};
use crate::gathered::tls::HandshakeError;
use crate::wire::TlsVersion;

pub const CODES: &[Code] = &[Code::ProtocolVersionMismatch];

/// The client's side of a comparison with a scan.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRange {
    /// Who the client is (`libpq`, `Kong (pg_ssl_version = tlsv1_2)`, `the given range`).
    pub name: String,
    pub min: TlsVersion,
    pub max: TlsVersion,
    /// The client's cipher suites, when known; None means "OpenSSL defaults, assume compatible".
    pub ciphers: Option<Vec<CipherSuite>>,
}

impl ClientRange {
    pub fn allows(&self, v: TlsVersion) -> bool {
        v >= self.min && v <= self.max
    }

    pub fn describe(&self) -> String {
        if self.min == self.max {
            format!("{} only", self.min.name())
        } else {
            format!("{}–{}", self.min.name(), self.max.name())
        }
    }

    /// [`ClientRange::describe`] as a message argument: "TLSv1.3 only" is said in the user's
    /// language, a range is a fact.
    fn describe_said(&self) -> Arg {
        if self.min == self.max {
            say!("protocol-version-mismatch.version-only", version = self.min.name()).into_arg()
        } else {
            self.describe().into_arg()
        }
    }

    /// libpq's range from a profile (no maximum means "up to TLS 1.3").
    pub fn of(cx: &Context) -> ClientRange {
        cx.scan_client.clone().unwrap_or_else(|| ClientRange {
            name: "libpq".into(),
            min: cx.profile.tls_min,
            max: cx.profile.tls_max.unwrap_or(TlsVersion::TLSv1_3),
            ciphers: None,
        })
    }
}

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let client = ClientRange::of(cx);
    let mut out: Vec<Finding> = facts.hosts.iter().filter_map(|h| from_probe(&h.probe, &client)).collect();
    // A scan is the better witness; the probe's finding for the same endpoint stays (it says
    // what the client's own handshake met).
    for s in &facts.scans {
        if let Some(r) = &s.result {
            if !out.iter().any(|f| f.endpoint.as_ref() == Some(&s.endpoint)) {
                out.extend(from_scan(r, &client, &s.endpoint));
            }
        }
    }
    out
}

fn from_probe(p: &ProbeFacts, client: &ClientRange) -> Option<Finding> {
    let why = match p.handshake_failure()? {
        HandshakeError::AlertReceived { alert } if alert == "protocol version" => alert.clone(),
        HandshakeError::Incompatible { message } if message.contains("Tls12Or13") || message.contains("Version") => message.clone(),
        _ => return None,
    };
    let server: Vec<TlsVersion> =
        p.server_versions.iter().flatten().filter_map(|v| TlsVersion::from_name(v)).collect();
    let endpoint = p.target.endpoint();
    let (server_says, hint) = match server.as_slice() {
        [] if p.server_versions.is_some() => (say!("protocol-version-mismatch.refused-all"), " between …".to_string()),
        [] => (say!("protocol-version-mismatch.other-versions"), " between …".to_string()),
        [only] => (say!("protocol-version-mismatch.accepts-only", versions = only.name()), format!(" between {} and {}", only.name(), only.name())),
        [first, .., last] => (
            say!("protocol-version-mismatch.accepts-only", versions = server.iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")),
            format!(" between {} and {}", first.name(), last.name()),
        ),
    };
    let mut f = Finding::new(Code::ProtocolVersionMismatch)
        .said(say!(
            "protocol-version-mismatch.probe",
            endpoint = &endpoint,
            client = client.describe_said(),
            why = why,
            server_says = server_says,
            hint = hint
        ))
        .at_endpoint(&endpoint)
        .evidence("client_allows", client.describe())
        .evidence("server_accepts", server.iter().map(|v| v.name()).collect::<Vec<_>>().join(","));
    if let (Some(smin), Some(smax)) = (server.first(), server.last()) {
        f = f.fix_said(fix(*smin, *smax, client));
    }
    Some(f)
}

/// Which side to move, naming the right versions: a server whose newest version is older
/// than the client's minimum must allow newer versions; a client whose maximum is older than
/// the server's minimum must allow newer ones. Never advise going below TLS 1.2.
fn fix(smin: TlsVersion, smax: TlsVersion, client: &ClientRange) -> Message {
    if smax < client.min {
        let lower = if smax >= TlsVersion::TLSv1_2 {
            say!("protocol-version-mismatch.or-lower-client", version = smax.name()).into_arg()
        } else {
            "".into_arg()
        };
        say!("protocol-version-mismatch.fix-server-max", server_max = smax.name(), client_min = client.min.name(), lower = lower)
    } else {
        let lower = if client.max >= TlsVersion::TLSv1_2 {
            say!("protocol-version-mismatch.or-lower-server", version = client.max.name()).into_arg()
        } else {
            "".into_arg()
        };
        say!("protocol-version-mismatch.fix-client-max", server_min = smin.name(), client_max = client.max.name(), lower = lower)
    }
}

fn from_scan(scan: &ScanResult, client: &ClientRange, endpoint: &str) -> Option<Finding> {
    let accepted = scan.accepted_versions();
    let (smin, smax) = (*accepted.first()?, *accepted.last()?);
    if accepted.iter().any(|v| client.allows(*v)) {
        return None;
    }
    let server_range = if smin == smax { smin.name() } else { format!("{}–{}", smin.name(), smax.name()) };
    Some(
        Finding::new(Code::ProtocolVersionMismatch)
            .said(say!(
                "protocol-version-mismatch.scan",
                endpoint = endpoint,
                server_range = &server_range,
                client = &client.name,
                allows = client.describe_said(),
                min = smin.name(),
                max = smax.name()
            ))
            .at_endpoint(endpoint)
            .evidence("server_accepts", &server_range)
            .evidence("client_allows", client.describe())
            .fix_said(fix(smin, smax, client)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, host, probe, scan, scan_facts};
    use crate::gathered::probe::ProbeFailure;

    fn libpq() -> ClientRange {
        ClientRange { name: "libpq".into(), min: TlsVersion::TLSv1_2, max: TlsVersion::TLSv1_3, ciphers: None }
    }

    fn cx(client: ClientRange) -> Context {
        Context { scan_client: Some(client), ..Context::default() }
    }

    #[test]
    fn version_ranges_from_a_scan() {
        let old = scan(&[(TlsVersion::TLSv1_0, &[0xc013]), (TlsVersion::TLSv1_1, &[0xc013])]);
        let f = check(&scan_facts(old), &cx(libpq()));
        assert_eq!(codes(&f), ["protocol-version-mismatch"]);
        assert!(f[0].detail.contains("between TLSv1 and TLSv1.1"), "{}", f[0].detail);
        let new = scan(&[(TlsVersion::TLSv1_3, &[0x1302])]);
        let kong = ClientRange { max: TlsVersion::TLSv1_2, ..libpq() };
        let f = check(&scan_facts(new.clone()), &cx(kong));
        assert_eq!(codes(&f), ["protocol-version-mismatch"]);
        assert!(f[0].fix.contains("raise the client's maximum to TLSv1.3"), "{}", f[0].fix);
        assert!(check(&scan_facts(new), &cx(libpq())).is_empty());
    }

    /// Client minimum TLSv1.3 against a server that stops at TLSv1.2: the fix names TLSv1.3
    /// for the server, and may lower the client to TLSv1.2; the reverse names the client.
    #[test]
    fn fix_names_the_right_side_and_version() {
        let tls13_client = ClientRange { min: TlsVersion::TLSv1_3, ..libpq() };
        let fx = fix(TlsVersion::TLSv1_2, TlsVersion::TLSv1_2, &tls13_client).sentence(crate::findings::Lang::En);
        assert!(fx.contains("ssl_max_protocol_version = '' (no maximum) or 'TLSv1.3'"), "{fx}");
        assert!(fx.contains("lower the client's minimum to TLSv1.2"), "{fx}");
        let tls12_client = ClientRange { max: TlsVersion::TLSv1_2, ..libpq() };
        let fx = fix(TlsVersion::TLSv1_3, TlsVersion::TLSv1_3, &tls12_client).sentence(crate::findings::Lang::En);
        assert!(fx.contains("raise the client's maximum to TLSv1.3"), "{fx}");
        assert!(!fx.contains("ssl_max_protocol_version = ''"), "{fx}");
    }

    #[test]
    fn from_the_probe_alert() {
        let mut p = probe();
        p.failure = Some(ProbeFailure::Handshake { error: HandshakeError::AlertReceived { alert: "protocol version".into() } });
        p.server_versions = Some(vec!["TLSv1.2".into()]);
        let mut c = Context::default();
        c.profile.tls_min = TlsVersion::TLSv1_3;
        let f = check(&host(p), &c);
        assert_eq!(codes(&f), ["protocol-version-mismatch"]);
        assert!(f[0].detail.contains("TLSv1.3 only"), "{}", f[0].detail);
        assert!(f[0].fix.contains("'TLSv1.3'"), "{}", f[0].fix);
    }
}
