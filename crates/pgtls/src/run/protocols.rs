//! `protocols`: which TLS versions and cipher suites a server accepts (raw ClientHello scans),
//! compared with the client's range. A probe comes first: a closed port, a silent listener or
//! a server with `ssl = off` is reported as such, never as "every version refused".

use serde::Serialize;

use super::connection::HostView;
use super::{tcp_profile, RunError, Settings};
use crate::findings::exit_code;
use crate::checks::{self, ClientRange, Context};
use crate::conninfo::Env;
use crate::facts::{Facts, ScanFacts};
use crate::findings::Finding;
use crate::net::{self, Negotiated, TlsStart};
use crate::probe::SslNegotiation;
use crate::profile::Overrides;
use crate::tls::scan::{scan, CipherSuite, ScanOptions, ScanResult};
use crate::stack::Stack;
use crate::wire::TlsVersion;

pub struct ProtocolsArgs<'a> {
    pub target: Option<&'a str>,
    pub direct: bool,
    /// `--client`: whose default TLS range to compare with (libpq, kong or jdbc).
    pub client: Option<Stack>,
    pub client_min: Option<&'a str>,
    pub client_max: Option<&'a str>,
    pub client_ciphers: Option<&'a str>,
    pub concurrency: usize,
}

/// One endpoint: the probe that came first, and the scan.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolsHost {
    pub endpoint: String,
    /// The scan (absent when the endpoint does not speak TLS: see `probe`).
    #[serde(flatten)]
    pub scan: Option<ScanResult>,
    pub probe: HostView,
    /// Which certificate key types it has (one handshake per family; empty when it speaks no TLS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_types: Vec<crate::probe::KeyOffer>,
    pub findings: Vec<Finding>,
}

/// `pgtls protocols`.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolsReport {
    pub command: &'static str,
    #[serde(flatten)]
    pub first: Option<ProtocolsHost>,
    pub client: ClientRange,
    pub client_range: String,
    pub hosts: Vec<ProtocolsHost>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// A raw scan of one endpoint.
pub(crate) fn scan_one(t: &crate::probe::ProbeTarget, concurrency: usize, s: &Settings) -> ScanFacts {
    let endpoint = t.endpoint();
    let host = t.hostaddr.as_deref().unwrap_or(&t.host);
    let addrs = match net::resolve(host, t.port, s.timeouts.connect) {
        Ok(a) => a,
        Err(e) => return ScanFacts { endpoint, result: None, error: Some(e) },
    };
    let conn = TlsStart { addrs, endpoint: endpoint.clone(), direct: t.negotiation == SslNegotiation::Direct, timeouts: s.timeouts };
    let so = ScanOptions {
        timeout: s.timeouts.io,
        max_in_flight: concurrency.max(1),
        sni: t.sni.clone(),
        alpn: vec![crate::wire::ALPN_POSTGRESQL.to_vec()],
        ..Default::default()
    };
    ScanFacts { endpoint, result: Some(scan(&conn, &so)), error: None }
}

fn version(s: &str) -> Result<TlsVersion, RunError> {
    TlsVersion::from_name(s).ok_or_else(|| RunError::UnknownTlsVersion(s.to_string()))
}

pub fn protocols(a: &ProtocolsArgs, s: &Settings, env: &dyn Env) -> Result<ProtocolsReport, RunError> {
    let o = Overrides { direct: a.direct, ..Default::default() };
    let profile = tcp_profile(a.target, &o, env)?;
    let mut client = match a.client {
        Some(Stack::Kong) => ClientRange {
            name: "Kong (pg_ssl_version = tlsv1_2)".into(),
            min: TlsVersion::TLSv1_2,
            max: TlsVersion::TLSv1_2,
            ciphers: None,
        },
        Some(Stack::Jdbc) => ClientRange { name: "pgJDBC on Java 11+".into(), min: TlsVersion::TLSv1_2, max: TlsVersion::TLSv1_3, ciphers: None },
        None | Some(Stack::Libpq) => ClientRange { name: "libpq".into(), min: profile.tls_min, max: profile.tls_max.unwrap_or(TlsVersion::TLSv1_3), ciphers: None },
        Some(other) => return Err(RunError::NoClientRange(other)),
    };
    if let Some(m) = a.client_min {
        client.min = version(m)?;
        client.name = "the given range".into();
    }
    if let Some(m) = a.client_max {
        client.max = version(m)?;
        client.name = "the given range".into();
    }
    if client.min > client.max {
        return Err(RunError::ClientRangeInverted { min: client.min.name(), max: client.max.name() });
    }
    if let Some(list) = a.client_ciphers {
        let mut v = Vec::new();
        for n in list.split([',', ':']).map(str::trim).filter(|s| !s.is_empty()) {
            v.push(CipherSuite::from_name(n).ok_or_else(|| RunError::UnknownCipherSuite(n.to_string()))?);
        }
        client.ciphers = Some(v);
    }
    // The steps before TLS show whether a TLS server answers at all: only then is it scanned
    // (the "refusals" of something that is not a TLS server mean nothing). No handshake and no
    // verdict here: versions and suites are the question.
    let mut facts = Facts {
        hosts: profile
            .targets
            .iter()
            .map(|t| crate::facts::HostFacts { probe: crate::probe::probe_negotiation(t, s.timeouts), plaintext: None, verdict: None, stacks: Vec::new() })
            .collect(),
        ..Default::default()
    };
    for h in &facts.hosts {
        let t = &h.probe.target;
        let speaks_tls = match t.negotiation {
            SslNegotiation::Postgres => matches!(h.probe.reply, Some(Negotiated::Accept)),
            SslNegotiation::Direct => h.probe.network_failure().is_none(),
        };
        let scanned = if speaks_tls { scan_one(t, a.concurrency, s) } else { ScanFacts { endpoint: t.endpoint(), result: None, error: None } };
        facts.scans.push(scanned);
    }
    let cx = Context { scan_client: Some(client.clone()), ..Context::new(profile) };
    let hosts: Vec<ProtocolsHost> = facts
        .hosts
        .iter()
        .zip(&facts.scans)
        .map(|(h, sc)| {
            let one = Facts { hosts: vec![h.clone()], scans: vec![sc.clone()], ..Default::default() };
            let key_types = if sc.result.is_some() { crate::probe::key_offers(&h.probe.target, s.timeouts) } else { Vec::new() };
            ProtocolsHost { endpoint: sc.endpoint.clone(), scan: sc.result.clone(), probe: HostView::new(h, &cx), key_types, findings: checks::run(&one, &cx) }
        })
        .collect();
    let findings = checks::run(&facts, &cx);
    Ok(ProtocolsReport {
        command: "protocols",
        first: hosts.first().cloned(),
        client_range: client.describe(),
        client,
        hosts,
        exit_code: exit_code(&findings),
        findings,
    })
}
