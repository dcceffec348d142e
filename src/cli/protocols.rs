//! `pgtls protocols`: which TLS versions and cipher suites a server accepts, against the client's range.

use std::fmt::Write as _;

use anyhow::{bail, Context as _, Result};
use serde_json::json;

use pgtls::checks::protocols::{check, ClientRange};
use pgtls::findings::exit_code;
use pgtls::net::{self, Timeouts, TlsStart};
use pgtls::report::{self, Format, RenderOptions};
use pgtls::tls::scan::{scan, CipherSuite, TlsVersion, ScanOptions, ScanResult};

use super::{print, target};

/// Client profiles for `--client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientProfile {
    /// libpq with OpenSSL: ssl_min_protocol_version TLSv1.2 by default, no maximum.
    Libpq,
    /// Kong gateway with its default pg_ssl_version = tlsv1_2.
    Kong,
    /// pgJDBC on Java 11+ (TLSv1.2–TLSv1.3).
    Jdbc,
}

pub struct Args {
    pub target: Option<String>,
    pub direct: bool,
    pub client: Option<ClientProfile>,
    pub client_min: Option<String>,
    pub client_max: Option<String>,
    pub client_ciphers: Option<String>,
    pub concurrency: usize,
}

fn version(s: &str) -> Result<TlsVersion> {
    TlsVersion::from_name(s).with_context(|| format!("unknown TLS version {s:?} (use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)"))
}

pub fn run(a: Args, timeouts: Timeouts, format: Format, opts: RenderOptions) -> Result<i32> {
    let resolved = target::resolve(a.target.as_deref())?;
    let targets = target::targets_of(&resolved, a.direct)?;
    let mut client = match a.client {
        Some(ClientProfile::Kong) => ClientRange {
            name: "Kong (pg_ssl_version = tlsv1_2)".into(),
            min: TlsVersion::TLSv1_2,
            max: TlsVersion::TLSv1_2,
            ciphers: None,
        },
        Some(ClientProfile::Jdbc) => ClientRange {
            name: "pgJDBC on Java 11+".into(),
            min: TlsVersion::TLSv1_2,
            max: TlsVersion::TLSv1_3,
            ciphers: None,
        },
        _ => ClientRange {
            name: "libpq".into(),
            min: resolved
                .ssl_min_protocol_version
                .as_ref()
                .and_then(|v| TlsVersion::from_name(v.value.as_str()))
                .unwrap_or(TlsVersion::TLSv1_2),
            max: resolved
                .ssl_max_protocol_version
                .as_ref()
                .and_then(|v| TlsVersion::from_name(v.value.as_str()))
                .unwrap_or(TlsVersion::TLSv1_3),
            ciphers: None,
        },
    };
    if let Some(m) = &a.client_min {
        client.min = version(m)?;
        client.name = "the given range".into();
    }
    if let Some(m) = &a.client_max {
        client.max = version(m)?;
        client.name = "the given range".into();
    }
    if client.min.0 > client.max.0 {
        bail!("--client-min {} is above --client-max {}", client.min.name(), client.max.name());
    }
    if let Some(list) = &a.client_ciphers {
        let mut v = Vec::new();
        for n in list.split([',', ':']).map(str::trim).filter(|s| !s.is_empty()) {
            v.push(CipherSuite::from_name(n).with_context(|| format!("unknown cipher suite {n:?}"))?);
        }
        client.ciphers = Some(v);
    }

    let mut results = Vec::new();
    for t in &targets {
        let endpoint = t.endpoint();
        let host = t.hostaddr.as_deref().unwrap_or(&t.host);
        let addrs = net::resolve(host, t.port, timeouts.connect).map_err(|e| anyhow::anyhow!("{e}"))?;
        let conn = TlsStart { addrs, endpoint: endpoint.clone(), direct: t.negotiation == pgtls::probe::SslNegotiation::Direct, timeouts };
        let so = ScanOptions {
            timeout: timeouts.io,
            max_in_flight: a.concurrency.max(1),
            sni: t.sni.clone(),
            alpn: vec![pgtls::wire::ALPN_POSTGRESQL.to_vec()],
            ..Default::default()
        };
        let r = scan(&conn, &so);
        let findings = check(&r, &client, &endpoint);
        results.push((endpoint, r, findings));
    }
    let all: Vec<_> = results.iter().flat_map(|(_, _, f)| f.clone()).collect();
    match format {
        Format::Json => {
            let hosts: Vec<_> = results
                .iter()
                .map(|(e, r, f)| {
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let serde_json::Value::Object(m) = &mut v {
                        m.insert("endpoint".into(), json!(e));
                        m.insert("findings".into(), serde_json::to_value(f).unwrap_or_default());
                    }
                    v
                })
                .collect();
            let mut top = hosts.first().cloned().unwrap_or_default();
            if let serde_json::Value::Object(m) = &mut top {
                m.insert("command".into(), json!("protocols"));
                m.insert("client".into(), serde_json::to_value(&client)?);
                m.insert("client_range".into(), json!(client.describe()));
                m.insert("hosts".into(), json!(hosts));
                m.insert("findings".into(), serde_json::to_value(&all)?);
                m.insert("exit_code".into(), json!(exit_code(&all)));
            }
            print(&report::json::to_string(&top))?;
        }
        Format::Human => {
            let mut s = String::new();
            for (e, r, f) in &results {
                if !opts.quiet {
                    human(&mut s, e, r, &client);
                }
                report::human::findings(&mut s, f, &opts);
            }
            print(&s)?;
        }
    }
    Ok(exit_code(&all))
}

fn human(s: &mut String, endpoint: &str, r: &ScanResult, client: &ClientRange) {
    let _ = writeln!(s, "protocols {endpoint}  ({} handshakes; each leaves a line in the server log)", r.handshakes);
    let _ = writeln!(s, "  client: {} allows {}", client.name, client.describe());
    for v in &r.versions {
        let mark = if client.allows(v.version) { " " } else { "·" };
        if v.accepted {
            let pref = match v.server_preference {
                Some(true) => ", server's order",
                Some(false) => ", client's order",
                None => "",
            };
            let _ = writeln!(s, " {mark}{:<8} accepted  {} suite(s){pref}{}", v.version.name(), v.ciphers.len(), if v.complete { "" } else { " (incomplete)" });
            for c in &v.ciphers {
                let strength = c.strength().map(|x| format!("{x:?}").to_lowercase()).unwrap_or_else(|| "unknown".into());
                let _ = writeln!(s, "      {:<34} {:<46} {strength}", c.openssl_name(), c.name());
            }
        } else {
            let _ = writeln!(s, " {mark}{:<8} refused   {}", v.version.name(), v.refused_with.as_deref().unwrap_or(""));
        }
    }
    for g in &r.groups {
        if !g.groups.is_empty() {
            let _ = writeln!(s, "  groups {}: {}", g.version.name(), g.groups.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", "));
        }
    }
    if let Some(sig) = &r.signature_algorithm {
        let _ = writeln!(s, "  signature algorithm (TLS 1.2): {sig}");
    }
    if let Some(b) = r.dh_bits {
        let _ = writeln!(s, "  DHE prime: {b} bits");
    }
    for n in &r.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    for e in &r.errors {
        let _ = writeln!(s, "  error: {} {}: {}", e.version.name(), e.stage, e.message);
    }
    let _ = writeln!(s, "  (· = outside the client's range)");
}
