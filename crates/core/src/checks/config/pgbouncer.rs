//! `pooler-client-tls`, `pooler-server-tls`: PgBouncer's two TLS legs, from its pgbouncer.ini
//! (`pgtls server --pgbouncer-conf FILE`). Every finding names the setting, where it is set (or
//! that PgBouncer's default applies) and the fix in pgbouncer.ini's own terms — a pooler is a
//! hop of its own, and postgresql.conf is not where these are fixed. The rules follow
//! pgbouncer(5) of PgBouncer 1.18 (see `crate::config::pgbouncer`).

use super::super::Context;
use crate::config::pgbouncer::{FileState, NamedFile, PgbouncerFacts};
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};

pub const CODES: &[Code] = &[Code::PoolerClientTls, Code::PoolerServerTls];

const MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(pb) = &facts.pgbouncer else { return Vec::new() };
    let mut out = client_leg(pb);
    out.extend(server_leg(pb));
    out.into_iter().map(|f| f.evidence("file", pb.conf.path.display().to_string())).collect()
}

/// Where a setting is: its `file:line`, or that it is not set.
fn at(pb: &PgbouncerFacts, key: &str) -> String {
    pb.conf.get(key).map(|v| v.at.clone()).unwrap_or_else(|| "not set".into())
}

fn file<'a>(pb: &'a PgbouncerFacts, setting: &str) -> Option<&'a NamedFile> {
    pb.files.iter().find(|f| f.setting == setting)
}

/// A named file that is not what its setting needs: the words for it.
fn file_problem(f: &NamedFile, want_key: bool) -> Option<String> {
    let what = match f.state() {
        FileState::Missing => "does not exist".to_string(),
        FileState::Unreadable(e) => format!("cannot be read ({e})"),
        FileState::NotPem => "holds no PEM certificate or key".to_string(),
        FileState::Key if !want_key => "holds a private key, not certificates".to_string(),
        FileState::Certificates(_) if want_key => "holds certificates, not a private key".to_string(),
        _ => return None,
    };
    Some(format!("{} = {} ({}) {what}", f.setting, f.file.path.display(), f.file.origin))
}

fn client_leg(pb: &PgbouncerFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mode = pb.conf.sslmode("client_tls_sslmode");
    let new = |severity: Severity, detail: String, fix: &str| Finding::new(Code::PoolerClientTls).severity(severity).detail(detail).fix(fix);
    if !MODES.contains(&mode.as_str()) {
        out.push(new(
            Severity::Error,
            format!("client_tls_sslmode = {mode} ({}) is not a value PgBouncer knows ({}).", at(pb, "client_tls_sslmode"), MODES.join(", ")),
            "Set client_tls_sslmode in pgbouncer.ini to one of disable, allow, prefer, require, verify-ca, verify-full.",
        ));
        return out;
    }
    if mode == "disable" {
        out.push(new(
            Severity::Warning,
            format!(
                "client_tls_sslmode is disable ({}{}): PgBouncer answers every client's SSLRequest with 'N'. Clients with sslmode=require \
                 or stronger fail (\"server does not support SSL, but SSL was required\"); sslmode=prefer clients log in and query in clear.",
                at(pb, "client_tls_sslmode"),
                if pb.conf.get("client_tls_sslmode").is_none() { ", PgBouncer's default" } else { "" }
            ),
            "In pgbouncer.ini set client_tls_sslmode = require, client_tls_cert_file and client_tls_key_file (a certificate for the name \
             clients connect to), then restart PgBouncer.",
        ));
    } else {
        let missing: Vec<&str> = ["client_tls_cert_file", "client_tls_key_file"].into_iter().filter(|k| file(pb, k).is_none()).collect();
        if !missing.is_empty() {
            out.push(new(
                Severity::Error,
                format!(
                    "client_tls_sslmode = {mode} ({}) but {} not set: PgBouncer does not start (\"To allow TLS connections from clients, \
                     client_tls_key_file and client_tls_cert_file must be set.\", then \"TLS setup failed\").",
                    at(pb, "client_tls_sslmode"),
                    missing.join(" and ") + if missing.len() > 1 { " are" } else { " is" }
                ),
                "Set client_tls_cert_file and client_tls_key_file in pgbouncer.ini to PgBouncer's certificate (chain) and key, or \
                 client_tls_sslmode = disable if clients connect without TLS.",
            ));
        }
    }
    for (setting, want_key) in [("client_tls_cert_file", false), ("client_tls_key_file", true), ("client_tls_ca_file", false)] {
        if let Some(p) = file(pb, setting).and_then(|f| file_problem(f, want_key)) {
            out.push(new(Severity::Error, format!("{p}: PgBouncer's TLS setup for clients fails."), "Point the setting at the right file (readable by PgBouncer's user), then restart PgBouncer."));
        }
    }
    let cert_auth = pb.conf.get("auth_type").is_some_and(|v| v.value.eq_ignore_ascii_case("cert"));
    if (mode.starts_with("verify") || cert_auth) && file(pb, "client_tls_ca_file").is_none() {
        out.push(new(
            Severity::Error,
            format!(
                "{} but client_tls_ca_file is not set: PgBouncer cannot validate client certificates{}.",
                if cert_auth { format!("auth_type = cert ({})", at(pb, "auth_type")) } else { format!("client_tls_sslmode = {mode} ({})", at(pb, "client_tls_sslmode")) },
                if cert_auth { " (its log: \"auth_type=cert requires client_tls_ca_file\")" } else { "" }
            ),
            "Set client_tls_ca_file in pgbouncer.ini to the CA that issues the clients' certificates (and, for auth_type = cert, \
             client_tls_sslmode = verify-full), then restart PgBouncer.",
        ));
    }
    if cert_auth && !mode.starts_with("verify") && mode != "disable" {
        out.push(new(
            Severity::Warning,
            format!("auth_type = cert with client_tls_sslmode = {mode} ({}): client certificates are not validated in this mode.", at(pb, "client_tls_sslmode")),
            "Set client_tls_sslmode = verify-full in pgbouncer.ini.",
        ));
    }
    if let Some(v) = pb.conf.get("client_tls_protocols") {
        let p = v.value.to_lowercase();
        if ["tlsv1.0", "tlsv1.1", "all", "legacy"].iter().any(|w| p.split([',', ' ']).any(|t| t == *w)) {
            out.push(new(
                Severity::Warning,
                format!("client_tls_protocols = {} ({}) lets clients use TLS 1.0/1.1, which libpq (ssl_min_protocol_version TLSv1.2) and current OpenSSL refuse anyway.", v.value, v.at),
                "Set client_tls_protocols = secure (TLS 1.2 and 1.3, PgBouncer's default) in pgbouncer.ini.",
            ));
        }
    }
    out
}

fn server_leg(pb: &PgbouncerFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mode = pb.conf.sslmode("server_tls_sslmode");
    let where_ = at(pb, "server_tls_sslmode");
    let default = if pb.conf.get("server_tls_sslmode").is_none() { ", PgBouncer's default" } else { "" };
    let new = |severity: Severity, detail: String, fix: &str| Finding::new(Code::PoolerServerTls).severity(severity).detail(detail).fix(fix);
    let verify_fix = "In pgbouncer.ini set server_tls_sslmode = verify-full and server_tls_ca_file to the root CA of PostgreSQL's certificate \
                      (the host in [databases] must be a name in that certificate), then RELOAD on PgBouncer's admin console.";
    match mode.as_str() {
        "disable" => out.push(new(
            Severity::Warning,
            format!(
                "server_tls_sslmode is disable ({where_}{default}): PgBouncer connects to PostgreSQL without TLS — its logins and every \
                 query cross that network in clear, and a PostgreSQL whose pg_hba.conf has only hostssl lines refuses it (\"no \
                 pg_hba.conf entry … no encryption\", which clients then see as a pooler error)."
            ),
            verify_fix,
        )),
        "allow" | "prefer" | "require" => out.push(new(
            Severity::Warning,
            format!(
                "server_tls_sslmode = {mode} ({where_}): PgBouncer encrypts its connections to PostgreSQL but does not validate the \
                 server's certificate, so anyone on that path can pose as PostgreSQL{}.",
                if mode == "require" { "" } else { "; with allow/prefer it also falls back to plain text" }
            ),
            verify_fix,
        )),
        "verify-ca" | "verify-full" if file(pb, "server_tls_ca_file").is_none() => out.push(new(
            Severity::Warning,
            format!(
                "server_tls_sslmode = {mode} ({where_}) without server_tls_ca_file: PgBouncer validates PostgreSQL's certificate against \
                 OpenSSL's default store, so a certificate from a private CA fails every server connection (its log: \"TLS handshake \
                 error: … certificate verify failed\"; clients see query_wait_timeout or server_login_retry errors)."
            ),
            "Set server_tls_ca_file in pgbouncer.ini to the root CA of PostgreSQL's certificate, then RELOAD on PgBouncer's admin console.",
        )),
        "verify-ca" | "verify-full" => {}
        other => out.push(new(
            Severity::Error,
            format!("server_tls_sslmode = {other} ({where_}) is not a value PgBouncer knows ({}).", MODES.join(", ")),
            "Set server_tls_sslmode in pgbouncer.ini to verify-full (or another of disable, allow, prefer, require, verify-ca).",
        )),
    }
    for (setting, want_key) in [("server_tls_ca_file", false), ("server_tls_cert_file", false), ("server_tls_key_file", true)] {
        if let Some(p) = file(pb, setting).and_then(|f| file_problem(f, want_key)) {
            out.push(new(Severity::Error, format!("{p}: PgBouncer's TLS towards PostgreSQL fails."), "Point the setting at the right file (readable by PgBouncer's user), then RELOAD PgBouncer."));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::pgbouncer::{IniValue, PgbouncerConf};

    fn facts(settings: &[(&str, &str)], files: &[(&str, FileState)]) -> Facts {
        let conf = PgbouncerConf {
            path: "/etc/pgbouncer/pgbouncer.ini".into(),
            settings: settings.iter().enumerate().map(|(i, (k, v))| (k.to_string(), IniValue { value: v.to_string(), at: format!("pgbouncer.ini:{}", i + 1) })).collect(),
            databases: vec![],
        };
        let files = files.iter().map(|(s, st)| named(s, st)).collect();
        Facts { pgbouncer: Some(PgbouncerFacts { conf, files }), ..Default::default() }
    }

    /// The file facts gathering would have found for a file in `state`.
    fn named(setting: &str, state: &FileState) -> NamedFile {
        let contents = match state {
            FileState::Certificates(n) => Some("-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n".repeat(*n).into_bytes()),
            FileState::Key => Some(b"-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n".to_vec()),
            FileState::NotPem => Some(b"not pem".to_vec()),
            FileState::Missing | FileState::Unreadable(_) => None,
        };
        let file = crate::config::server::FileFacts {
            path: format!("/etc/pgbouncer/{setting}").into(),
            configured: setting.into(),
            origin: "pgbouncer.ini:9".into(),
            exists: *state != FileState::Missing,
            is_regular: contents.is_some(),
            error: matches!(state, FileState::Unreadable(_)).then(|| "Permission denied (os error 13)".into()),
            contents,
            ..Default::default()
        };
        let n = NamedFile { setting: setting.into(), file };
        assert_eq!(n.state(), *state);
        n
    }

    fn found(f: &Facts) -> Vec<(&'static str, Severity)> {
        check(f, &Context::default()).iter().map(|f| (f.code.as_str(), f.severity)).collect()
    }

    #[test]
    fn table() {
        use Severity::*;
        let cert = || FileState::Certificates(1);
        let good = [("client_tls_cert_file", cert()), ("client_tls_key_file", FileState::Key), ("server_tls_ca_file", cert())];
        // Nothing set: both legs in clear (PgBouncer 1.18's defaults).
        assert_eq!(found(&facts(&[], &[])), [("pooler-client-tls", Warning), ("pooler-server-tls", Warning)]);
        // Both legs verified: nothing.
        let ok = facts(&[("client_tls_sslmode", "require"), ("server_tls_sslmode", "verify-full")], &good);
        assert!(found(&ok).is_empty(), "{:?}", found(&ok));
        // TLS for clients without its files: PgBouncer does not start.
        let f = facts(&[("client_tls_sslmode", "require"), ("server_tls_sslmode", "verify-full")], &[("server_tls_ca_file", cert())]);
        assert_eq!(found(&f), [("pooler-client-tls", Error)]);
        // A missing key file, a certificate where the key belongs.
        let f = facts(
            &[("client_tls_sslmode", "require"), ("server_tls_sslmode", "verify-full")],
            &[("client_tls_cert_file", FileState::Missing), ("client_tls_key_file", cert()), ("server_tls_ca_file", cert())],
        );
        assert_eq!(found(&f), [("pooler-client-tls", Error), ("pooler-client-tls", Error)]);
        // auth_type = cert without a CA for client certificates.
        let f = facts(&[("client_tls_sslmode", "verify-full"), ("auth_type", "cert"), ("server_tls_sslmode", "verify-full")], &good);
        assert_eq!(found(&f), [("pooler-client-tls", Error)]);
        // Towards PostgreSQL: unverified, and verify-full without a CA file.
        let f = facts(&[("client_tls_sslmode", "require"), ("server_tls_sslmode", "require")], &good);
        assert_eq!(found(&f), [("pooler-server-tls", Warning)]);
        let f = facts(&[("client_tls_sslmode", "require"), ("server_tls_sslmode", "verify-full")], &good[..2]);
        assert_eq!(found(&f), [("pooler-server-tls", Warning)]);
        // Nonsense values are errors that name the setting.
        let f = facts(&[("client_tls_sslmode", "on"), ("server_tls_sslmode", "yes")], &good);
        let all = check(&f, &Context::default());
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|f| f.severity == Error && f.detail.contains("pgbouncer.ini:")), "{all:?}");
    }
}
