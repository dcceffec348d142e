//! What libpq (PostgreSQL 15–17 client, OpenSSL 3) does with a given sslmode, sslrootcert,
//! host and server chain: connect or fail, and with which error text.
//!
//! Users paste libpq's messages, and the fix depends on which of libpq's branches produced
//! them, so the branches are modelled one by one, following `initialize_SSL`,
//! `open_client_SSL` (fe-secure-openssl.c), `pq_verify_peer_name_matches_certificate`
//! (fe-secure-common.c) and the sslmode fallbacks of `PQconnectPoll` (fe-connect.c):
//!
//! * The root file is `sslrootcert`, else `~/.postgresql/root.crt`. If it exists (`stat`
//!   succeeds — even for `sslmode=require`, `prefer` or `allow`) it is loaded with
//!   `SSL_CTX_load_verify_locations` (PEM only: a DER file or a directory fails with "no
//!   certificate or crl found") and the server chain is verified (`SSL_VERIFY_PEER`). This
//!   is why `require` "suddenly" verifies once someone drops a root.crt into ~/.postgresql.
//! * If it does not exist, verify-ca/verify-full fail before connecting ("root certificate
//!   file … does not exist"); weaker modes go on without verification.
//! * `sslrootcert=system` (PostgreSQL 16+) loads OpenSSL's default paths (`SSL_CERT_FILE`
//!   overrides), makes verify-full the default sslmode and rejects any other sslmode. For a
//!   PostgreSQL 15 client "system" is just a relative file name.
//! * Chain verification is OpenSSL's (see [`super`]): failure is "SSL error: certificate
//!   verify failed" whatever the reason; the reason is kept as evidence.
//! * Host name check only for verify-full, against `host` (never `hostaddr`): dNSName SANs
//!   (one leftmost `*` label), iPAddress SANs when host is an IP literal, the first CN only if
//!   no SAN of the host's type exists.
//! * `prefer` retries without TLS when the TLS attempt fails; `allow` starts without TLS.
//!
//! The error text is libpq's own message (what follows "failed: " in psql's output).

use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;
use time::OffsetDateTime;

use super::{build_paths, short_name, Options, PathFailure, PathReport};
use crate::findings::{Code, Finding, Severity};
use crate::trust::{self, CertInfo, San, TrustError, TrustSource, TrustStore};

pub use crate::conninfo::SslMode;

/// Everything libpq's decision depends on.
#[derive(Debug, Clone)]
pub struct VerdictInput {
    /// `None`: libpq's default (prefer; verify-full with sslrootcert=system on 16+).
    pub sslmode: Option<SslMode>,
    /// Raw sslrootcert (or PGSSLROOTCERT); `None` or empty: `<home>/.postgresql/root.crt`.
    pub sslrootcert: Option<String>,
    /// The client's home directory; `None` when libpq could not determine it.
    pub home: Option<PathBuf>,
    /// The `host` parameter (the name checked by verify-full).
    pub host: Option<String>,
    /// The `hostaddr` parameter (where to connect; never used for the name check).
    pub hostaddr: Option<String>,
    /// What the server sends, leaf first; empty if the server answers the SSLRequest with 'N'.
    pub server_chain: Vec<Vec<u8>>,
    /// Whether pg_hba.conf lets this client in without TLS (`host` lines, not `hostssl`).
    pub server_accepts_plaintext: bool,
    /// The instant of the connection.
    pub at: OffsetDateTime,
    /// Client libpq major version (15, 16, 17, …).
    pub pg_major: u32,
    /// `SSL_CERT_FILE` in the client's environment (affects sslrootcert=system).
    pub ssl_cert_file: Option<PathBuf>,
    /// The client OpenSSL's default security level: 2 for Debian/Ubuntu builds, 1 for
    /// upstream OpenSSL 3 (e.g. the libpq bundled in psycopg wheels may differ).
    pub openssl_security_level: u8,
}

impl VerdictInput {
    /// A PostgreSQL 17 client connecting now, server reachable without TLS too.
    pub fn new(host: &str, server_chain: Vec<Vec<u8>>) -> VerdictInput {
        VerdictInput {
            sslmode: None,
            sslrootcert: None,
            home: std::env::var_os("HOME").map(PathBuf::from),
            host: Some(host.to_string()),
            hostaddr: None,
            server_chain,
            server_accepts_plaintext: true,
            at: OffsetDateTime::now_utc(),
            pg_major: 17,
            ssl_cert_file: None,
            openssl_security_level: 2,
        }
    }
}

/// libpq's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub connects: bool,
    /// libpq's error message when it does not connect (no trailing newline).
    pub error: Option<String>,
}

/// The verdict with everything behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub verdict: Verdict,
    pub sslmode: SslMode,
    /// The session ends up encrypted.
    pub tls: bool,
    /// The server chain was verified against a trust store.
    pub chain_verified: bool,
    /// The host name was checked (verify-full) and matched.
    pub hostname_verified: bool,
    /// Which trust source the verdict used (e.g. `file /home/u/.postgresql/root.crt`).
    pub trust_source: Option<String>,
    pub paths: Option<PathReport>,
    pub findings: Vec<Finding>,
}

/// The answer the test matrix compares with psql.
pub fn libpq_verdict(input: &VerdictInput) -> Verdict {
    diagnose(input).verdict
}

/// Root files with more entries than this are treated as distribution bundles.
const MAX_AUDITED_ROOT_FILE: usize = 20;

const ROOT_HINT_16: &str = "Either provide the file, use the system's trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.";
const ROOT_HINT_15: &str =
    "Either provide the file or change sslmode to disable server certificate verification.";

/// Outcome of the TLS attempt.
enum Tls {
    Ok { verified: bool, hostname: bool },
    Failed(String),
}

struct Ctx<'a> {
    input: &'a VerdictInput,
    mode: SslMode,
    findings: Vec<Finding>,
    trust_source: Option<String>,
    paths: Option<PathReport>,
}

/// Decide like libpq and explain.
pub fn diagnose(input: &VerdictInput) -> Diagnosis {
    let system = input.pg_major >= 16 && input.sslrootcert.as_deref() == Some("system");
    let mode = input.sslmode.unwrap_or(if system {
        SslMode::VerifyFull
    } else {
        SslMode::Prefer
    });
    let mut cx = Ctx {
        input,
        mode,
        findings: Vec::new(),
        trust_source: None,
        paths: None,
    };

    let finish = |cx: Ctx,
                  connects: bool,
                  error: Option<String>,
                  tls: bool,
                  verified: bool,
                  hostname: bool| Diagnosis {
        verdict: Verdict { connects, error },
        sslmode: cx.mode,
        tls,
        chain_verified: verified,
        hostname_verified: hostname,
        trust_source: cx.trust_source,
        paths: cx.paths,
        findings: cx.findings,
    };

    if system && mode != SslMode::VerifyFull {
        let e = format!(
            "weak sslmode \"{}\" may not be used with sslrootcert=system (use \"verify-full\")",
            mode.as_str()
        );
        cx.findings.push(
            Finding::new(Code::InsecureSslmode)
                .detail(e.clone())
                .evidence("sslmode", mode.as_str()),
        );
        return finish(cx, false, Some(e), false, false, false);
    }

    let plaintext = |cx: &mut Ctx| -> Result<(), String> {
        if cx.input.server_accepts_plaintext {
            Ok(())
        } else {
            Err("server requires an encrypted connection (pg_hba.conf has no non-SSL entry for this client)".to_string())
        }
    };

    match mode {
        SslMode::Disable => {
            cx.findings.push(insecure(
                mode,
                "TLS is never attempted; the session is not encrypted.",
            ));
            let r = plaintext(&mut cx);
            let ok = r.is_ok();
            return finish(cx, ok, r.err(), false, false, false);
        }
        SslMode::Allow if input.server_accepts_plaintext => {
            cx.findings.push(insecure(
                mode,
                "libpq connects without TLS first; the session is not encrypted.",
            ));
            return finish(cx, true, None, false, false, false);
        }
        _ => {}
    }

    if input.server_chain.is_empty() {
        // The server answered the SSLRequest with 'N'.
        if mode <= SslMode::Prefer {
            cx.findings.push(insecure(
                mode,
                "The server does not offer TLS; libpq silently continues unencrypted.",
            ));
            let r = plaintext(&mut cx);
            let ok = r.is_ok();
            return finish(cx, ok, r.err(), false, false, false);
        }
        return finish(
            cx,
            false,
            Some("server does not support SSL, but SSL was required".into()),
            false,
            false,
            false,
        );
    }

    match tls_attempt(&mut cx) {
        Tls::Ok { verified, hostname } => {
            if !verified {
                let why = if mode == SslMode::Require {
                    "TLS is used but the server certificate is not verified (no root certificate file): anyone in the path can impersonate the server."
                } else {
                    "TLS is tried, but no root certificate file exists, so the server certificate is not verified."
                };
                cx.findings.push(insecure(mode, why));
            } else if mode < SslMode::VerifyFull {
                let f = Finding::new(Code::InsecureSslmode)
                    .severity(Severity::Info)
                    .detail(format!("sslmode={} verified the chain because a root certificate file exists, but the host name is not checked; use verify-full.", mode.as_str()))
                    .evidence("sslmode", mode.as_str());
                cx.findings.push(f);
            }
            finish(cx, true, None, true, verified, hostname)
        }
        Tls::Failed(e) => {
            if mode == SslMode::Prefer && input.server_accepts_plaintext {
                for f in cx
                    .findings
                    .iter_mut()
                    .filter(|f| f.severity == Severity::Error)
                {
                    f.severity = Severity::Warning;
                }
                cx.findings.push(insecure(mode, &format!("The TLS attempt failed ({}); libpq retried without TLS and the session is not encrypted.", e.lines().next().unwrap_or(""))));
                return finish(cx, true, None, false, false, false);
            }
            finish(cx, false, Some(e), false, false, false)
        }
    }
}

fn insecure(mode: SslMode, detail: &str) -> Finding {
    Finding::new(Code::InsecureSslmode)
        .detail(format!("sslmode={}: {detail}", mode.as_str()))
        .evidence("sslmode", mode.as_str())
}

/// libpq's reading of the root file: what OpenSSL's loader would say on failure.
fn load_root_file(path: &std::path::Path) -> Result<TrustStore, String> {
    if path.is_dir() {
        return Err("no certificate or crl found".into());
    }
    match trust::load(&TrustSource::File(path.to_path_buf())) {
        Ok(s) if s.pem => Ok(s),
        Ok(_) => Err("no certificate or crl found".into()),
        Err(TrustError::Empty { .. }) => Err("no certificate or crl found".into()),
        Err(TrustError::Pem {
            source: trust::pem::PemError::BadBase64 { .. },
            ..
        }) => Err("bad base64 decode".into()),
        Err(TrustError::Pem { .. }) => Err("bad end line".into()),
        Err(TrustError::Io { source, .. }) => Err(format!("system lib ({source})")),
        Err(e) => Err(format!("ASN1 lib ({e})")),
    }
}

fn tls_attempt(cx: &mut Ctx) -> Tls {
    let input = cx.input;
    let system = input.pg_major >= 16 && input.sslrootcert.as_deref() == Some("system");
    let fnbuf: Option<PathBuf> = match input.sslrootcert.as_deref() {
        Some(s) if !s.is_empty() => Some(PathBuf::from(s)),
        _ => input
            .home
            .as_ref()
            .map(|h| h.join(".postgresql").join("root.crt")),
    };
    let store: Option<TrustStore> = if system {
        match trust::load(&TrustSource::System {
            ssl_cert_file: input.ssl_cert_file.clone(),
        }) {
            Ok(s) => {
                cx.trust_source = Some(format!("{} ({})", s.source, s.path.display()));
                Some(s)
            }
            Err(e) => {
                return Tls::Failed(format!("could not load system root certificate paths: {e}"))
            }
        }
    } else if let Some(p) = fnbuf.as_ref().filter(|p| std::fs::metadata(p).is_ok()) {
        match load_root_file(p) {
            Ok(s) => {
                cx.trust_source = Some(format!("file {}", p.display()));
                // A hand-made root.crt is part of this diagnosis (pinned intermediates, expired
                // roots); a large distribution bundle's hygiene is `pgtls trust audit`'s job.
                if s.entries.len() <= MAX_AUDITED_ROOT_FILE {
                    cx.findings.extend(
                        trust::audit(std::slice::from_ref(&s), input.at)
                            .into_iter()
                            .filter(|f| f.severity != Severity::Info),
                    );
                }
                Some(s)
            }
            Err(reason) => {
                return Tls::Failed(format!(
                    "could not read root certificate file \"{}\": {reason}",
                    p.display()
                ))
            }
        }
    } else {
        if cx.mode >= SslMode::VerifyCa {
            let hint = if input.pg_major >= 16 {
                ROOT_HINT_16
            } else {
                ROOT_HINT_15
            };
            let e = match &fnbuf {
                None => {
                    format!("could not get home directory to locate root certificate file\n{hint}")
                }
                Some(p) => format!(
                    "root certificate file \"{}\" does not exist\n{hint}",
                    p.display()
                ),
            };
            let mut f = Finding::new(Code::RootCertMissing)
                .detail(e.lines().next().unwrap_or("").to_string());
            if let Some(p) = &fnbuf {
                f = f.evidence("path", p.display().to_string());
            }
            cx.findings.push(f);
            return Tls::Failed(e);
        }
        None
    };

    let Some(store) = store else {
        return Tls::Ok {
            verified: false,
            hostname: false,
        };
    };
    let report = match build_paths(
        &input.server_chain,
        &store,
        &Options {
            security_level: input.openssl_security_level,
            ..Options::at(input.at)
        },
    ) {
        Ok(r) => r,
        Err(e) => return Tls::Failed(format!("SSL error: {e}")),
    };
    let verified = report.verified();
    if !verified {
        untrusted_findings(cx, &report, &store);
        cx.paths = Some(report);
        return Tls::Failed("SSL error: certificate verify failed".into());
    }
    if report.uses_cross_signed() {
        let paths: Vec<String> = report.valid_paths().map(|p| p.describe()).collect();
        let mut f = Finding::new(Code::CrossSignedPath).detail(format!(
            "{} valid path(s) from the server certificate to a trusted root; cross-signed CA(s): {}.",
            paths.len(),
            if report.cross_signed.is_empty() { "-".to_string() } else { report.cross_signed.iter().map(|s| short_name(s)).collect::<Vec<_>>().join(", ") }
        ));
        for (i, p) in paths.iter().enumerate() {
            f = f.evidence(format!("path {}", i + 1), p.clone());
        }
        cx.findings
            .push(f.evidence("trust source", cx.trust_source.clone().unwrap_or_default()));
    }
    cx.paths = Some(report);

    if cx.mode != SslMode::VerifyFull {
        return Tls::Ok {
            verified: true,
            hostname: false,
        };
    }
    let Some(host) = input.host.as_deref().filter(|h| !h.is_empty()) else {
        return Tls::Failed("host name must be specified for a verified SSL connection".into());
    };
    let leaf = match CertInfo::from_der(&input.server_chain[0]) {
        Ok(l) => l,
        Err(e) => return Tls::Failed(format!("SSL error: {e}")),
    };
    match check_host(&leaf, host) {
        Ok(()) => Tls::Ok {
            verified: true,
            hostname: true,
        },
        Err(e) => {
            let mut f = Finding::new(Code::HostnameMismatch)
                .detail(e.clone())
                .evidence("host", host)
                .evidence("dNSName SANs", leaf.dns_names.join(", "))
                .evidence("CN", leaf.common_name.clone().unwrap_or_default());
            if let Some(a) = &input.hostaddr {
                f = f.evidence("hostaddr (not used for the name check)", a.clone());
            }
            cx.findings.push(f);
            Tls::Failed(e)
        }
    }
}

fn untrusted_findings(cx: &mut Ctx, report: &PathReport, store: &TrustStore) {
    let best = report.best_failure();
    let mut f = Finding::new(Code::ServerCertUntrusted)
        .detail(match best.and_then(|b| b.failure.as_ref()) {
            Some(fl) => {
                let (code, text) = fl.openssl();
                format!("OpenSSL rejects the server chain: {text} (X509_V_ERR {code}). Trust source: {}.", cx.trust_source.clone().unwrap_or_default())
            }
            None => "OpenSSL rejects the server chain.".to_string(),
        })
        .evidence("trust source", cx.trust_source.clone().unwrap_or_default());
    for (i, a) in report.attempts.iter().enumerate().take(20) {
        f = f.evidence(format!("attempt {}", i + 1), a.describe());
    }
    if report.budget_exhausted {
        f = f.evidence(
            "note",
            "search budget exhausted: the server sent an unusually large certificate pile",
        );
    }
    cx.findings.push(f);
    if let Some(b) = best {
        if let Some(fl @ (PathFailure::Expired { .. } | PathFailure::NotYetValid { .. })) =
            &b.failure
        {
            let depth = fl.depth().unwrap_or(0);
            if let Some(pc) = b.certs.get(depth) {
                let info = store
                    .entries
                    .iter()
                    .map(|e| &e.cert)
                    .chain(std::iter::empty())
                    .find(|c| c.sha256 == pc.sha256)
                    .cloned()
                    .or_else(|| {
                        cx.input
                            .server_chain
                            .iter()
                            .filter_map(|d| CertInfo::from_der(d).ok())
                            .find(|c| c.sha256 == pc.sha256)
                    });
                let (code, when) = match (fl, &info) {
                    (PathFailure::Expired { .. }, Some(c)) => {
                        (Code::CertExpired, format!("expired on {}", c.not_after.date()))
                    }
                    (PathFailure::Expired { .. }, None) => {
                        (Code::CertExpired, "has expired".to_string())
                    }
                    (_, Some(c)) => (
                        Code::CertNotYetValid,
                        format!("is not valid before {}", c.not_before.date()),
                    ),
                    (_, None) => (Code::CertNotYetValid, "is not yet valid".to_string()),
                };
                cx.findings.push(
                    Finding::new(code)
                        .detail(format!(
                            "{} (depth {depth} of the path) {when}.",
                            pc.subject
                        ))
                        .evidence("sha256", pc.sha256.clone()),
                );
            }
        }
    }
}

/// Is `host` an IP literal, as libpq's `is_ip_address` (inet_aton or inet_pton AF_INET6)?
fn parse_ip(host: &str) -> Option<IpAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(ip);
    }
    inet_aton(host).map(IpAddr::V4)
}

/// The classic inet_aton forms: a, a.b, a.b.c, a.b.c.d with decimal, octal (0…) or hex (0x…).
fn inet_aton(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| {
            if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
                u64::from_str_radix(h, 16).ok()
            } else if p.len() > 1 && p.starts_with('0') {
                u64::from_str_radix(&p[1..], 8).ok()
            } else if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    let (last, init) = nums.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 1u64 << (8 * (4 - init.len())) {
        return None;
    }
    let mut v: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        v |= n << (24 - 8 * i);
    }
    Some(std::net::Ipv4Addr::from((v | last) as u32))
}

/// libpq's wildcard rule: `*.` prefix only, `*` never spans a dot, case-insensitive.
pub fn wildcard_match(pattern: &str, host: &str) -> bool {
    let (p, h) = (pattern.as_bytes(), host.as_bytes());
    if p.len() < 3 || p[0] != b'*' || p[1] != b'.' || p.len() > h.len() {
        return false;
    }
    let start = h.len() - p.len();
    if !p[1..].eq_ignore_ascii_case(&h[start + 1..]) {
        return false;
    }
    match h.iter().position(|&c| c == b'.') {
        Some(first_dot) => first_dot >= start,
        None => true,
    }
}

/// The verify-full name check: `Ok` or libpq's error text.
pub fn check_host(leaf: &CertInfo, host: &str) -> Result<(), String> {
    let host_ip = parse_ip(host);
    let mut check_cn = true;
    let mut examined = 0usize;
    let mut first: Option<String> = None;
    let mut matched = false;
    for san in &leaf.sans {
        let (is_ip, name, hit) = match san {
            San::Dns(d) => {
                if d.contains('\0') {
                    return Err("SSL certificate's name contains embedded null".into());
                }
                (
                    false,
                    d.clone(),
                    d.eq_ignore_ascii_case(host) || wildcard_match(d, host),
                )
            }
            San::Ip(b) => {
                let ip: IpAddr = match b.len() {
                    4 => IpAddr::from([b[0], b[1], b[2], b[3]]),
                    16 => {
                        let mut a = [0u8; 16];
                        a.copy_from_slice(b);
                        IpAddr::from(a)
                    }
                    n => {
                        return Err(format!(
                            "certificate contains IP address with invalid length {n}"
                        ))
                    }
                };
                (true, ip.to_string(), host_ip == Some(ip))
            }
        };
        if is_ip == host_ip.is_some() {
            check_cn = false;
        }
        examined += 1;
        first.get_or_insert(name);
        if hit {
            matched = true;
            break;
        }
    }
    if !matched && check_cn {
        if let Some(cn) = &leaf.common_name {
            examined += 1;
            first.get_or_insert(cn.clone());
            if cn.eq_ignore_ascii_case(host) || wildcard_match(cn, host) {
                matched = true;
            }
        }
    }
    if matched {
        return Ok(());
    }
    let first = first.unwrap_or_default();
    Err(match examined {
        0 => "could not get server's host name from server certificate".to_string(),
        1 => format!("server certificate for \"{first}\" does not match host name \"{host}\""),
        2 => format!("server certificate for \"{first}\" (and 1 other name) does not match host name \"{host}\""),
        n => format!("server certificate for \"{first}\" (and {} other names) does not match host name \"{host}\"", n - 1),
    })
}

#[cfg(test)]
mod tests;
