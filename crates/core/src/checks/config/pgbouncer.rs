//! `pooler-client-tls`, `pooler-server-tls`: PgBouncer's two TLS legs, from its pgbouncer.ini
//! (`pgtls server --pgbouncer-conf FILE`). Every finding names the setting, where it is set (or
//! that PgBouncer's default applies) and the fix in pgbouncer.ini's own terms — a pooler is a
//! hop of its own, and postgresql.conf is not where these are fixed. The rules follow
//! pgbouncer(5) of PgBouncer 1.18 (see `crate::config::pgbouncer`).

use super::super::Context;
use crate::config::pgbouncer::{FileState, NamedFile, PgbouncerFacts};
use crate::facts::Facts;
use crate::say;
use crate::findings::{Arg, Code, Finding, IntoArg, Message, Severity};

pub const CODES: &[Code] = &[Code::PoolerClientTls, Code::PoolerServerTls];

const MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(pb) = &facts.pgbouncer else { return Vec::new() };
    let mut out = client_leg(pb);
    out.extend(server_leg(pb));
    out.into_iter().map(|f| f.evidence("file", pb.conf.path.display().to_string())).collect()
}

/// Where a setting is: its `file:line`, or that it is not set.
fn at(pb: &PgbouncerFacts, key: &str) -> Arg {
    match pb.conf.get(key) {
        Some(v) => v.at.as_str().into_arg(),
        None => say!("pgbouncer.not-set").into_arg(),
    }
}

fn file<'a>(pb: &'a PgbouncerFacts, setting: &str) -> Option<&'a NamedFile> {
    pb.files.iter().find(|f| f.setting == setting)
}

/// A named file that is not what its setting needs: the words for it.
fn file_problem(f: &NamedFile, want_key: bool) -> Option<Message> {
    let what = match f.state() {
        FileState::Missing => say!("pgbouncer.file-missing"),
        FileState::Unreadable(e) => say!("pgbouncer.file-unreadable", error = e),
        FileState::NotPem => say!("pgbouncer.file-not-pem"),
        FileState::Key if !want_key => say!("pgbouncer.file-is-key"),
        FileState::Certificates(_) if want_key => say!("pgbouncer.file-is-certificates"),
        _ => return None,
    };
    Some(say!("pgbouncer.file-problem", setting = &f.setting, path = f.file.path.display(), origin = &f.file.origin, what = what))
}

fn client_leg(pb: &PgbouncerFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mode = pb.conf.sslmode("client_tls_sslmode");
    let new = |severity: Severity, detail: Message, fix: Message| Finding::new(Code::PoolerClientTls).severity(severity).said(detail).fix_said(fix);
    if !MODES.contains(&mode.as_str()) {
        out.push(new(
            Severity::Error,
            say!("pooler-client-tls.unknown-mode", mode = &mode, at = at(pb, "client_tls_sslmode"), modes = MODES.join(", ")),
            say!("pooler-client-tls.fix-unknown-mode"),
        ));
        return out;
    }
    if mode == "disable" {
        out.push(new(
            Severity::Warning,
            say!("pooler-client-tls.disable", at = at(pb, "client_tls_sslmode"), default = default_of(pb, "client_tls_sslmode")),
            say!("pooler-client-tls.fix-disable"),
        ));
    } else {
        let missing: Vec<&str> = ["client_tls_cert_file", "client_tls_key_file"].into_iter().filter(|k| file(pb, k).is_none()).collect();
        if !missing.is_empty() {
            let missing = match missing.as_slice() {
                [one] => say!("pooler-client-tls.one-is", setting = one),
                _ => say!("pooler-client-tls.both-are", settings = missing.join(" and ")),
            };
            out.push(new(
                Severity::Error,
                say!("pooler-client-tls.files-not-set", mode = &mode, at = at(pb, "client_tls_sslmode"), missing = missing),
                say!("pooler-client-tls.fix-files-not-set"),
            ));
        }
    }
    for (setting, want_key) in [("client_tls_cert_file", false), ("client_tls_key_file", true), ("client_tls_ca_file", false)] {
        if let Some(p) = file(pb, setting).and_then(|f| file_problem(f, want_key)) {
            out.push(new(Severity::Error, say!("pooler-client-tls.file-fails", problem = p), say!("pooler-client-tls.fix-file")));
        }
    }
    let cert_auth = pb.conf.get("auth_type").is_some_and(|v| v.value.eq_ignore_ascii_case("cert"));
    if (mode.starts_with("verify") || cert_auth) && file(pb, "client_tls_ca_file").is_none() {
        let (setting, log) = if cert_auth {
            (say!("pooler-client-tls.auth-type-cert", at = at(pb, "auth_type")).into_arg(), say!("pooler-client-tls.its-log-ca-file").into_arg())
        } else {
            (say!("pooler-client-tls.mode-at", mode = &mode, at = at(pb, "client_tls_sslmode")).into_arg(), "".into_arg())
        };
        out.push(new(Severity::Error, say!("pooler-client-tls.no-ca-file", setting = setting, log = log), say!("pooler-client-tls.fix-no-ca-file")));
    }
    if cert_auth && !mode.starts_with("verify") && mode != "disable" {
        out.push(new(
            Severity::Warning,
            say!("pooler-client-tls.cert-not-validated", mode = &mode, at = at(pb, "client_tls_sslmode")),
            say!("pooler-client-tls.fix-cert-not-validated"),
        ));
    }
    if let Some(v) = pb.conf.get("client_tls_protocols") {
        let p = v.value.to_lowercase();
        if ["tlsv1.0", "tlsv1.1", "all", "legacy"].iter().any(|w| p.split([',', ' ']).any(|t| t == *w)) {
            out.push(new(
                Severity::Warning,
                say!("pooler-client-tls.legacy-protocols", value = &v.value, at = &v.at),
                say!("pooler-client-tls.fix-legacy-protocols"),
            ));
        }
    }
    out
}

/// `, PgBouncer's default` after where a setting is, when it is not set.
fn default_of(pb: &PgbouncerFacts, key: &str) -> Arg {
    if pb.conf.get(key).is_none() {
        say!("pgbouncer.its-default").into_arg()
    } else {
        "".into_arg()
    }
}

fn server_leg(pb: &PgbouncerFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let mode = pb.conf.sslmode("server_tls_sslmode");
    let where_ = at(pb, "server_tls_sslmode");
    let new = |severity: Severity, detail: Message, fix: Message| Finding::new(Code::PoolerServerTls).severity(severity).said(detail).fix_said(fix);
    let verify_fix = || say!("pooler-server-tls.fix-verify");
    match mode.as_str() {
        "disable" => out.push(new(
            Severity::Warning,
            say!("pooler-server-tls.disable", at = where_, default = default_of(pb, "server_tls_sslmode")),
            verify_fix(),
        )),
        "allow" | "prefer" | "require" => out.push(new(
            Severity::Warning,
            say!(
                "pooler-server-tls.not-validated",
                mode = &mode,
                at = where_,
                fallback = if mode == "require" { "".into_arg() } else { say!("pooler-server-tls.falls-back").into_arg() }
            ),
            verify_fix(),
        )),
        "verify-ca" | "verify-full" if file(pb, "server_tls_ca_file").is_none() => out.push(new(
            Severity::Warning,
            say!("pooler-server-tls.no-ca-file", mode = &mode, at = where_),
            say!("pooler-server-tls.fix-no-ca-file"),
        )),
        "verify-ca" | "verify-full" => {}
        other => out.push(new(
            Severity::Error,
            say!("pooler-server-tls.unknown-mode", mode = other, at = where_, modes = MODES.join(", ")),
            say!("pooler-server-tls.fix-unknown-mode"),
        )),
    }
    for (setting, want_key) in [("server_tls_ca_file", false), ("server_tls_cert_file", false), ("server_tls_key_file", true)] {
        if let Some(p) = file(pb, setting).and_then(|f| file_problem(f, want_key)) {
            out.push(new(Severity::Error, say!("pooler-server-tls.file-fails", problem = p), say!("pooler-server-tls.fix-file")));
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
