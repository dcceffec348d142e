//! JSON output. Shapes (see docs/json.md):
//!
//! `probe`: the first host's fields at the top level (`host`, `port`, `negotiation`,
//! `reply`, `tls_version`, `cipher`, `cipher_openssl`, `group`, `alpn`, `chain[]`,
//! `failure`), `hosts[]` with the same object for every host, `findings[]` (all hosts) and
//! `exit_code`.

use serde::Serialize;
use serde_json::{json, Value};

use super::HostReport;
use crate::findings::{exit_code, Finding};
use crate::x509::Cert;

fn cert(c: &Cert, now: time::OffsetDateTime) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("days_left".into(), json!(c.days_left(now)));
    }
    v
}

pub fn host(r: &HostReport) -> Value {
    let f = &r.facts;
    let tls = f.tls.as_ref();
    json!({
        "host": f.target.host,
        "hostaddr": f.target.hostaddr,
        "port": f.target.port,
        "sni": f.target.sni,
        "negotiation": f.target.negotiation,
        "reply": f.reply,
        "tls_version": tls.map(|t| &t.version),
        "cipher": tls.map(|t| &t.cipher),
        "cipher_openssl": tls.map(|t| &t.cipher_openssl),
        "group": tls.and_then(|t| t.group.as_ref()),
        "alpn": tls.and_then(|t| t.alpn.as_ref()),
        "chain": f.chain.iter().map(|c| cert(c, f.started_at)).collect::<Vec<_>>(),
        "failure": f.failure,
        "started_at": f.started_at.format(&time::format_description::well_known::Rfc3339).ok(),
        "elapsed_ms": f.elapsed_ms,
        "findings": r.findings,
    })
}

pub fn probe(hosts: &[HostReport]) -> Value {
    let all: Vec<&Finding> = hosts.iter().flat_map(|h| &h.findings).collect();
    let owned: Vec<Finding> = all.iter().map(|f| (*f).clone()).collect();
    let mut top = hosts.first().map(host).unwrap_or_else(|| json!({}));
    if let Value::Object(m) = &mut top {
        m.insert("command".into(), json!("probe"));
        m.insert("hosts".into(), Value::Array(hosts.iter().map(host).collect()));
        m.insert("findings".into(), serde_json::to_value(&owned).unwrap_or(Value::Null));
        m.insert("exit_code".into(), json!(exit_code(&owned)));
    }
    top
}

/// Serialise any report value, pretty-printed.
pub fn to_string<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
