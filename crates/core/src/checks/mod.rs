//! Checks: pure functions from gathered [`Facts`] (and a [`Context`]) to findings.
//!
//! Nothing here touches the network or the file system, so every check is tested with
//! hand-made facts, and the clock comes from the context so expiry tests never rot.
//!
//! Every check has the same signature and looks at every part of the facts that concerns its
//! codes (a probe, a trust store, a verdict, a server's configuration, a session list), and
//! every finding code is produced by exactly one check: the check owns the code, and its file
//! is the only place that names it. A new check is one file plus one line in [`CHECKS`].
//! Nothing deduplicates findings by code afterwards.
//!
//! Order matters: [`run`] reports errors before warnings before information, and within a
//! severity in [`CHECKS`] order, which follows the connection (network, negotiation,
//! handshake, certificates, trust, host name, client settings, server configuration), so the
//! first finding is the root cause and later ones are its consequences.

use time::OffsetDateTime;

use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::profile::ClientProfile;

mod backends;
mod cert_validity;
mod ciphers;
mod handshake;
mod client_files;
mod crl;
pub mod config;
mod cross_signed;
mod hba;
mod hostname;
mod legacy_protocols;
mod libpq_version;
mod negotiation;
mod network;
mod outcome;
mod protocol_version;
mod replicas;
mod root_file;
mod rotation;
mod server_ssl;
mod sessions;
mod sslmode;
mod stacks;
mod startup;
pub mod text;
mod trust_path;
mod trust_store;

pub use ciphers::weak_elements;

/// The client range a scan is compared with (`pgtls protocols --client …`).
pub use protocol_version::ClientRange;

/// What checks may know besides the facts.
#[derive(Debug, Clone)]
pub struct Context {
    /// The client: sslmode, TLS range, trust source, the instant (`--at`).
    pub profile: ClientProfile,
    /// Warn about certificates expiring within this many days.
    pub expiry_warning_days: i64,
    /// The run is about this client's own configuration (`doctor`, `verify`, `client`): its
    /// sslmode is judged even when it is libpq's default. `probe` and `fleet` judge servers.
    pub audit_client: bool,
    /// For scans: the client's range and ciphers (`protocols --client-min …`).
    pub scan_client: Option<ClientRange>,
}

impl Context {
    /// A context for `profile`, judging servers (not the client's own settings).
    pub fn new(profile: ClientProfile) -> Context {
        Context { profile, expiry_warning_days: 30, audit_client: false, scan_client: None }
    }

    /// libpq's defaults at `at`.
    pub fn at(at: OffsetDateTime) -> Context {
        Context::new(ClientProfile::libpq_default(at))
    }

    /// "Now" for validity decisions.
    pub fn now(&self) -> OffsetDateTime {
        self.profile.at
    }
}

/// One check: the codes it owns and the function that produces them.
pub struct Check {
    pub name: &'static str,
    pub codes: &'static [Code],
    pub run: fn(&Facts, &Context) -> Vec<Finding>,
}

macro_rules! check {
    ($($m:ident)::+) => {
        Check { name: stringify!($($m)::+), codes: $($m)::+::CODES, run: $($m)::+::check }
    };
}

/// Every check, in the order the connection meets the problems they find.
pub const CHECKS: &[Check] = &[
    check!(libpq_version),
    check!(network),
    check!(backends),
    check!(negotiation),
    check!(server_ssl),
    check!(protocol_version),
    check!(handshake),
    check!(ciphers),
    check!(root_file),
    check!(cert_validity),
    check!(trust_path),
    check!(trust_store),
    check!(hostname),
    check!(startup),
    check!(cross_signed),
    check!(replicas),
    check!(client_files),
    check!(crl),
    check!(sslmode),
    check!(legacy_protocols),
    check!(sessions),
    check!(hba),
    check!(config::server_files),
    check!(config::key_permissions),
    check!(config::key_passphrase),
    check!(config::key_mismatch),
    check!(config::chain_order),
    check!(config::protocol_range),
    check!(config::client_cert_user),
    check!(config::kong),
    check!(config::pgbouncer),
    check!(rotation),
    check!(stacks),
];

/// Run every check, then the safety net, and order the findings root cause first.
pub fn run(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for c in CHECKS {
        let found = (c.run)(facts, cx);
        debug_assert!(found.iter().all(|f| c.codes.contains(&f.code)), "check {} produced a code it does not own", c.name);
        out.extend(found);
    }
    out.extend(outcome::check(facts, cx, &out));
    // Several hosts and libpq connects through one of them: what is wrong with the others is
    // worth fixing (they are the fallback), but it does not stop the client.
    if let Some(overall) = facts.libpq_outcome(&cx.profile).filter(|o| o.connects) {
        let through = overall.host.and_then(|i| facts.hosts.get(i)).map(|h| h.endpoint()).unwrap_or_default();
        let failing: Vec<String> = facts.verdicts().filter(|(h, v)| !v.connects && h.endpoint() != through).map(|(h, _)| h.endpoint()).collect();
        for f in &mut out {
            if f.severity == Severity::Error && f.endpoint.as_ref().is_some_and(|e| failing.contains(e)) {
                f.severity = Severity::Warning;
                f.add_said(crate::say!("checks.still-connects-through", endpoint = &through));
            }
        }
    }
    // When libpq fails before it connects (an option it refuses), that is the cause, whatever
    // the probe found on the network: its errors go first.
    let before_connect = facts.verdicts().any(|(_, v)| v.failure.as_ref().is_some_and(|f| f.before_connect()));
    let first = |f: &Finding| before_connect && f.severity == Severity::Error && BEFORE_CONNECT.contains(&f.code);
    // Stable: within a severity, CHECKS order (the connection's order) is kept.
    out.sort_by_key(|f| (std::cmp::Reverse(first(f)), std::cmp::Reverse(f.severity)));
    out
}

/// The codes that name a failure libpq has before connecting anywhere.
const BEFORE_CONNECT: &[Code] = &[Code::LibpqTooOld, Code::InsecureSslmode];

/// The worst severity present, if any.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

/// The codes of findings, for tests and summaries.
pub fn codes(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.code.as_str()).collect()
}

/// Facts for tests (here and in the crates above, through the `lab` feature).
#[cfg(any(test, feature = "lab"))]
pub mod test_support {
    use crate::facts::{Facts, HostFacts, ScanFacts};
    use crate::gathered::probe::{ProbeFacts, ProbeTarget, SslNegotiation};
    use crate::scan::{CipherSuite, ScanResult, VersionResult};
    use crate::wire::TlsVersion;

    pub use super::codes;

    pub fn probe() -> ProbeFacts {
        let target = ProbeTarget {
            host: "db.example.com".into(),
            hostaddr: None,
            port: 5432,
            sni: Some("db.example.com".into()),
            negotiation: SslNegotiation::Postgres,
            hostaddr_only: false,
        };
        ProbeFacts { elapsed_ms: 1, ..ProbeFacts::new(&target, time::macros::datetime!(2026-01-01 00:00 UTC)) }
    }

    /// libpq's verdict that it fails with `failure` and libpq's `error` (sslmode=verify-full,
    /// nothing verified); tests adjust the rest with struct update.
    pub fn failing_verdict(failure: crate::verify::libpq::Failure, error: &str) -> crate::verify::libpq::Verdict {
        crate::verify::libpq::Verdict {
            connects: false,
            error: Some(error.to_string()),
            sslmode: crate::conninfo::SslMode::VerifyFull,
            tls: false,
            chain_verified: false,
            hostname_verified: false,
            trust_source: None,
            revocation: None,
            failure: Some(failure),
            plaintext_fallback: false,
            auth: None,
            authenticated: false,
            paths: None,
            login_checked: false,
            intermittent: None,
        }
    }

    /// Facts with one probed host and no verdict.
    pub fn host(p: ProbeFacts) -> Facts {
        Facts { hosts: vec![HostFacts { probe: p, plaintext: None, verdict: None, stacks: Vec::new() }], ..Default::default() }
    }

    /// A scan that accepted `accepted` (version, suites) and refused every other version.
    pub fn scan(accepted: &[(TlsVersion, &[u16])]) -> ScanResult {
        ScanResult {
            versions: TlsVersion::SCANNED
                .iter()
                .map(|v| {
                    let a = accepted.iter().find(|(x, _)| x == v);
                    VersionResult {
                        version: *v,
                        accepted: a.is_some(),
                        ciphers: a.map(|(_, c)| c.iter().map(|x| CipherSuite(*x)).collect()).unwrap_or_default(),
                        server_preference: None,
                        refused_with: None,
                        complete: true,
                        handshakes: 1,
                        alpn: None,
                    }
                })
                .collect(),
            groups: vec![],
            signature_algorithm: None,
            dh_bits: None,
            handshakes: 5,
            notes: vec![],
            errors: vec![],
        }
    }

    pub fn scan_facts(r: ScanResult) -> Facts {
        Facts { scans: vec![ScanFacts { endpoint: "db:5432".into(), result: Some(r), error: None }], ..Default::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code has one producer: no two checks own it, and the check's file is the only
    /// file under crates/core/src/checks that names it.
    #[test]
    fn one_producer_per_code() {
        let mut owner: std::collections::BTreeMap<Code, &str> = Default::default();
        for c in CHECKS {
            for code in c.codes {
                if let Some(other) = owner.insert(*code, c.name) {
                    panic!("{code} is owned by both {other} and {}", c.name);
                }
            }
        }
        owner.insert(Code::ConnectionFails, "outcome");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        let mut files = Vec::new();
        fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        walk(&root, &mut files);
        for code in Code::ALL {
            let variant = format!("Code::{code:?}");
            let naming: Vec<String> = files
                .iter()
                .filter(|p| {
                    let text = std::fs::read_to_string(p).unwrap();
                    // Production code only: the tests at the bottom may name any code.
                    let prod = text.split("#[cfg(test)]").next().unwrap_or("");
                    prod.contains(&format!("{variant})")) || prod.contains(&format!("{variant},")) || prod.contains(&format!("{variant} "))
                })
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect();
            let file_of = |name: &str| {
                let n = name.replace(" :: ", "/").replace("::", "/");
                [format!("{n}.rs"), format!("{n}/mod.rs")]
            };
            match owner.get(code) {
                Some(name) => {
                    let allowed = file_of(name);
                    let strays: Vec<&String> = naming.iter().filter(|f| !allowed.contains(f) && *f != "mod.rs").collect();
                    assert!(strays.is_empty(), "{code} is owned by {name} but also named in {strays:?}");
                }
                None => assert!(
                    naming.is_empty(),
                    "{code} is named in {naming:?} but no check in CHECKS owns it"
                ),
            }
        }
    }
}

/// The tests' "now": lab certificates are made relative to it.
#[cfg(test)]
impl Default for Context {
    fn default() -> Self {
        Context::at(OffsetDateTime::now_utc())
    }
}
