//! Fleet results for other tools: a CSV table, and Prometheus' text exposition format (for
//! node_exporter's textfile collector, and for `pgtls exporter`). Metric names follow
//! Prometheus' conventions: `pgtls_` prefix, base units (`_seconds`), `_info` for labels-only
//! series with value 1.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use time::OffsetDateTime;

use super::{FleetRecord, FleetReport, Status};

/// The CSV table: one row per endpoint, inventory labels as extra columns.
pub fn csv(report: &FleetReport, now: OffsetDateTime) -> Result<String, csv::Error> {
    let label_keys: Vec<String> = report.endpoints.iter().flat_map(|r| r.labels.keys().cloned()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["origin", "line", "target", "endpoint", "status", "tls_version", "cipher", "connects", "codes", "leaf", "issuer", "not_after", "days_left", "error"];
    header.extend(label_keys.iter().map(String::as_str));
    w.write_record(&header)?;
    for r in &report.endpoints {
        let f = r.facts.as_ref();
        let status = match r.status() {
            Status::BadTarget => "bad-target",
            Status::Fails => "error",
            Status::Warning => "warning",
            Status::Ok => "ok",
        };
        let mut row = vec![
            r.origin.clone(),
            r.line.to_string(),
            r.target.clone(),
            f.map(|f| f.endpoint.clone()).unwrap_or_default(),
            status.to_string(),
            f.and_then(|f| f.tls_version.clone()).unwrap_or_default(),
            f.and_then(|f| f.cipher.clone()).unwrap_or_default(),
            f.and_then(|f| f.connects).map(|c| c.to_string()).unwrap_or_default(),
            f.map(|f| f.codes.join(" ")).unwrap_or_default(),
            f.and_then(|f| f.leaf_subject.clone()).unwrap_or_default(),
            f.and_then(|f| f.issuer.clone()).unwrap_or_default(),
            f.and_then(|f| f.not_after).map(|t| t.date().to_string()).unwrap_or_default(),
            f.and_then(|f| f.not_after).map(|t| (t - now).whole_days().to_string()).unwrap_or_default(),
            r.error.clone().unwrap_or_default(),
        ];
        row.extend(label_keys.iter().map(|k| r.labels.get(k).cloned().unwrap_or_default()));
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A label value in the exposition format (backslash, double quote and newline escaped).
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A label name: `[a-zA-Z_][a-zA-Z0-9_]*`, inventory column names mapped onto it.
fn label_name(k: &str) -> String {
    let mut s: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if s.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// Metric families: (name, type, help).
///
/// What "works" means is `doctor`'s verdict for the same settings, and nothing looser:
/// `pgtls_verify_success` is 1 exactly when `doctor` would exit below 2 (the client connects
/// and no error-level finding was made: an `ssl = off` server that a `prefer` client reaches in
/// plaintext is 0), `pgtls_client_connects` is libpq's own connects/fails over all the target's
/// hosts, and `pgtls_probe_success` only says that a TLS handshake completed.
const FAMILIES: [(&str, &str, &str); 10] = [
    ("pgtls_probe_success", "gauge", "1 when a TLS handshake with the endpoint completed (says nothing about trust or login)"),
    ("pgtls_verify_success", "gauge", "1 when the connection works and nothing is wrong: libpq with the target's settings would connect and pgtls found no error (doctor's exit status below 2)"),
    ("pgtls_client_connects", "gauge", "1 when libpq with the target's settings would connect over all its hosts (possibly without TLS, as sslmode allows)"),
    ("pgtls_login_checked", "gauge", "1 when pg_hba.conf and the role were checked (the startup phase was followed); 0: the connects metrics cover TLS only"),
    ("pgtls_cert_not_after_seconds", "gauge", "notAfter of the server certificate, as a Unix timestamp"),
    ("pgtls_cert_not_after_days", "gauge", "Days until the server certificate expires (negative: expired)"),
    ("pgtls_tls_version_info", "gauge", "The negotiated TLS version and cipher (value 1)"),
    ("pgtls_cert_issuer_info", "gauge", "The issuer of the server certificate (value 1)"),
    ("pgtls_finding", "gauge", "1 for each finding code pgtls reports for the endpoint, with its severity"),
    ("pgtls_probe_duration_seconds", "gauge", "How long judging the endpoint took"),
];

/// The Prometheus text exposition of the records (every endpoint, its labels and the
/// inventory's label columns).
pub fn prometheus(records: &[FleetRecord], now: OffsetDateTime) -> String {
    let mut series: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in records {
        let Some(f) = &r.facts else { continue };
        let mut base = format!("target=\"{}\",endpoint=\"{}\"", esc(&r.target), esc(&f.endpoint));
        for (k, v) in &r.labels {
            let _ = write!(base, ",{}=\"{}\"", label_name(k), esc(v));
        }
        let mut push = |name: &'static str, extra: String, value: String| {
            let labels = if extra.is_empty() { base.clone() } else { format!("{base},{extra}") };
            series.entry(name).or_default().push(format!("{name}{{{labels}}} {value}"));
        };
        push("pgtls_probe_success", String::new(), u8::from(f.tls_version.is_some()).to_string());
        push("pgtls_verify_success", String::new(), u8::from(f.connects == Some(true) && !f.failing).to_string());
        push("pgtls_client_connects", String::new(), u8::from(f.connects == Some(true)).to_string());
        push("pgtls_login_checked", String::new(), u8::from(f.login_checked).to_string());
        if let Some(t) = f.not_after {
            push("pgtls_cert_not_after_seconds", String::new(), t.unix_timestamp().to_string());
            push("pgtls_cert_not_after_days", String::new(), (t - now).whole_days().to_string());
        }
        if let Some(v) = &f.tls_version {
            push("pgtls_tls_version_info", format!("version=\"{}\",cipher=\"{}\"", esc(v), esc(f.cipher.as_deref().unwrap_or(""))), "1".into());
        }
        if let Some(i) = &f.issuer {
            push("pgtls_cert_issuer_info", format!("issuer=\"{}\"", esc(i)), "1".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for finding in &r.findings {
            if seen.insert(finding.code.to_string()) {
                let sev = serde_json::to_value(finding.severity).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                push("pgtls_finding", format!("code=\"{}\",severity=\"{sev}\"", finding.code), "1".into());
            }
        }
        push("pgtls_probe_duration_seconds", String::new(), format!("{:.3}", f.elapsed_ms as f64 / 1000.0));
    }
    let mut out = String::new();
    for (name, kind, help) in FAMILIES {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for line in series.get(name).into_iter().flatten() {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_escapes_and_names() {
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(label_name("team name"), "team_name");
        assert_eq!(label_name("9lives"), "_9lives");
        let r = FleetRecord {
            origin: "inv".into(),
            line: 1,
            target: "host=\"x\" password=********".into(),
            labels: BTreeMap::from([("team".into(), "core".into())]),
            error: None,
            facts: Some(super::super::EndpointFacts {
                endpoint: "x:5432".into(),
                tls_version: Some("TLSv1.3".into()),
                cipher: Some("TLS_AES_256_GCM_SHA384".into()),
                connects: Some(true),
                failing: false,
                worst: None,
                codes: vec![],
                leaf_subject: Some("CN=x".into()),
                issuer: Some("CN=ca".into()),
                not_after: Some(time::macros::datetime!(2027-01-01 0:00 UTC)),
                chain: vec![],
                verified: true,
                login_checked: false,
                elapsed_ms: 12,
                rotation_chain: None,
                rotation_phase: None,
                accepted_versions: None,
            }),
            host: Default::default(),
            findings: vec![],
        };
        let text = prometheus(&[r], time::macros::datetime!(2026-12-01 0:00 UTC));
        assert!(text.contains("pgtls_cert_not_after_seconds{target=\"host=\\\"x\\\" password=********\",endpoint=\"x:5432\",team=\"core\"} 1798761600"), "{text}");
        assert!(text.contains("pgtls_cert_not_after_days{") && text.contains("} 31\n"), "{text}");
        assert!(text.contains("# TYPE pgtls_verify_success gauge"));
    }
}
