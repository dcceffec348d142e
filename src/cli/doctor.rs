//! `pgtls doctor`: everything pgtls knows about one connection, in one verdict.
//!
//! Resolves the target like libpq, audits the client's files, probes every host with the
//! client's own TLS range, decides libpq's outcome from the chain, and, when the handshake
//! itself fails, names what the server accepts. The findings come sorted worst first, so the
//! first one is the reason the connection fails.

use std::fmt::Write as _;

use anyhow::Result;
use serde_json::json;

use pgtls::checks::Context;
use pgtls::findings::{exit_code, Finding};
use pgtls::net::Timeouts;
use pgtls::probe::{probe_as, ClientVersions};
use pgtls::report::{self, Format, RenderOptions};
use pgtls::verify::libpq::VerdictInput;

use super::{print, target};

pub fn run(tgt: Option<String>, libpq: u32, timeouts: Timeouts, format: Format, opts: RenderOptions) -> Result<i32> {
    let resolved = target::resolve(tgt.as_deref())?;
    let targets = target::targets_of(&resolved, false)?;
    let client = pgtls::client::gather(resolved.clone());
    let ctx = Context {
        client_min: resolved.ssl_min_protocol_version.as_ref().map(|v| v.value.as_str().to_string()).unwrap_or_else(|| "TLSv1.2".into()),
        client_max: resolved.ssl_max_protocol_version.as_ref().map(|v| v.value.as_str().to_string()),
        ..Default::default()
    };
    let versions = ClientVersions { min: resolved.ssl_min_protocol_version.as_ref().map(|v| v.value.as_str().to_string()), max: ctx.client_max.clone() };
    let mut all: Vec<Finding> = pgtls::checks::client::check(&client, &ctx);
    let mut hosts = Vec::new();
    for t in &targets {
        let facts = probe_as(t, timeouts, &versions);
        let mut findings = pgtls::checks::probe(&facts, &ctx);
        let mut input = VerdictInput::new(&t.host, facts.chain.iter().map(|c| c.der.clone()).collect());
        input.sslmode = Some(resolved.sslmode.value);
        input.sslrootcert = resolved.sslrootcert.as_ref().filter(|s| !s.is_default()).map(|s| s.value.clone());
        input.hostaddr = t.hostaddr.clone();
        input.pg_major = libpq;
        let d = super::trust::judge(&facts, &input);
        findings.retain(|f| !d.findings.iter().any(|x| x.code == f.code));
        findings.extend(d.findings.clone());
        let verdict = Some(d);
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        hosts.push((t.clone(), facts, verdict, findings));
    }
    for (_, _, _, f) in &hosts {
        for x in f {
            if !all.iter().any(|a| a.code == x.code && a.detail == x.detail) {
                all.push(x.clone());
            }
        }
    }
    all.sort_by_key(|f| std::cmp::Reverse(f.severity));

    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "doctor",
            "connection": resolved.to_string(),
            "sslmode": resolved.sslmode.value.as_str(),
            "hosts": hosts.iter().map(|(t, facts, v, f)| json!({
                "endpoint": t.display_name(),
                "tls_version": facts.tls.as_ref().map(|x| &x.version),
                "cipher": facts.tls.as_ref().map(|x| &x.cipher),
                "verdict": v.as_ref().map(|d| &d.verdict),
                "trust_source": v.as_ref().and_then(|d| d.trust_source.clone()),
                "findings": f,
            })).collect::<Vec<_>>(),
            "findings": all,
            "exit_code": exit_code(&all),
        })))?,
        Format::Human => {
            let mut s = String::from("pgtls doctor\n");
            let _ = writeln!(s, "  sslmode      {} (from {})", resolved.sslmode.value, resolved.sslmode.source);
            if let Some(r) = &resolved.sslrootcert {
                let _ = writeln!(s, "  sslrootcert  {} (from {})", r.value, r.source);
            }
            if let Some(u) = &resolved.user {
                let _ = writeln!(s, "  user         {} (from {})", u.value, u.source);
            }
            for (t, facts, v, _) in &hosts {
                let tls = facts.tls.as_ref().map(|x| format!("{} {}", x.version, x.cipher_openssl)).unwrap_or_else(|| "no TLS session".into());
                let outcome = match v {
                    Some(d) => match &d.verdict.error {
                        None if d.tls => "libpq connects".to_string(),
                        None => "libpq connects WITHOUT TLS".to_string(),
                        Some(e) => format!("libpq FAILS: {}", e.lines().next().unwrap_or("")),
                    },
                    None => "not judged".to_string(),
                };
                let _ = writeln!(s, "  {:<32} {tls:<40} {outcome}", t.display_name());
            }
            report::human::findings(&mut s, &all, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&all))
}
