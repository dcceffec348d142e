//! `pgtls verify`, `pgtls trust audit`, `pgtls rotation`, `pgtls bundle`: will this client,
//! with this trust store and sslmode, accept this server — today, at `--at`, and after a
//! provider's CA rotation.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde_json::{json, Value};
use time::OffsetDateTime;

use pgtls::findings::{Code, exit_code, Finding, Severity};
use pgtls::net::Timeouts;
use pgtls::probe::{probe, ProbeFacts};
use pgtls::report::{self, Format, RenderOptions};
use pgtls::trust::{self, TrustSource, TrustStore};
use pgtls::verify::libpq::{diagnose, Diagnosis, SslMode, VerdictInput};
use pgtls::verify::rotation::{self, Profile};
use pgtls::verify::short_name;

use super::{print, target};

pub struct VerifyArgs {
    pub target: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslmode: Option<String>,
    pub at: Option<OffsetDateTime>,
    pub libpq: u32,
    pub direct: bool,
}

struct HostVerdict {
    facts: ProbeFacts,
    diagnosis: Diagnosis,
    findings: Vec<Finding>,
}

fn paths_json(d: &Diagnosis) -> (Value, Value) {
    let Some(p) = &d.paths else { return (json!([]), json!([])) };
    let valid: Vec<Value> = p
        .valid_paths()
        .map(|a| Value::Array(a.certs.iter().map(|c| json!({"subject": c.subject, "sha256": c.sha256, "origin": c.origin})).collect()))
        .collect();
    let attempts: Vec<Value> = p
        .attempts
        .iter()
        .map(|a| {
            json!({
                "certs": a.certs.iter().map(|c| json!({"subject": c.subject, "sha256": c.sha256})).collect::<Vec<_>>(),
                "valid": a.is_valid(),
                "failure": a.failure.as_ref().map(|f| f.openssl().1),
                "openssl_error": a.failure.as_ref().map(|f| f.openssl().0),
            })
        })
        .collect();
    (Value::Array(valid), Value::Array(attempts))
}

/// libpq's outcome for what the probe saw. The chain model applies when the server answered
/// (a chain, or 'N'); when the connection or the handshake broke first, libpq fails there —
/// except that `allow`/`prefer` retry without TLS after a failed handshake.
pub fn judge(facts: &ProbeFacts, input: &VerdictInput) -> Diagnosis {
    let answered = matches!(facts.reply, Some(pgtls::net::Negotiated::Refuse)) || !facts.chain.is_empty();
    if answered {
        return diagnose(input);
    }
    let mode = input.sslmode.unwrap_or(SslMode::Prefer);
    let (connects, error) = match (facts.network_failure(), facts.handshake_failure()) {
        (Some(e), _) => (false, Some(format!("connection to server at \"{}\" failed: {}", e.endpoint, e.message))),
        (None, Some(_)) if matches!(mode, SslMode::Allow | SslMode::Prefer) => (true, None),
        (None, Some(h)) => (
            false,
            Some(match h.alert() {
                Some(a) => format!("SSL error: tlsv1 alert {a}"),
                None => format!("SSL error: {h}"),
            }),
        ),
        (None, None) => (false, Some("the server's answer could not be judged (see findings)".into())),
    };
    Diagnosis {
        verdict: pgtls::verify::libpq::Verdict { connects, error },
        sslmode: mode,
        tls: false,
        chain_verified: false,
        hostname_verified: false,
        trust_source: None,
        paths: None,
        findings: Vec::new(),
    }
}

pub fn verify(a: VerifyArgs, timeouts: Timeouts, format: Format, opts: RenderOptions) -> Result<i32> {
    let resolved = target::resolve(a.target.as_deref())?;
    let targets = target::targets_of(&resolved, a.direct)?;
    let mode = match &a.sslmode {
        Some(m) => m.parse::<SslMode>().map_err(|e| anyhow::anyhow!(e))?,
        None => resolved.sslmode.value.as_str().parse::<SslMode>().map_err(|e| anyhow::anyhow!(e))?,
    };
    let explicit_mode = a.sslmode.is_some() || !resolved.sslmode.is_default();
    let rootcert = a.sslrootcert.clone().or_else(|| {
        resolved.sslrootcert.as_ref().filter(|s| !s.is_default()).map(|s| s.value.clone())
    });
    let at = a.at.unwrap_or_else(OffsetDateTime::now_utc);
    let ctx = pgtls::checks::Context { now: at, ..Default::default() };

    let versions = pgtls::probe::ClientVersions {
        min: resolved.ssl_min_protocol_version.as_ref().map(|v| v.value.as_str().to_string()),
        max: resolved.ssl_max_protocol_version.as_ref().map(|v| v.value.as_str().to_string()),
    };
    let mut hosts = Vec::new();
    for t in &targets {
        let facts = pgtls::probe::probe_as(t, timeouts, &versions);
        let mut input = VerdictInput::new(&t.host, facts.chain.iter().map(|c| c.der.clone()).collect());
        input.sslmode = explicit_mode.then_some(mode);
        input.sslrootcert = rootcert.clone();
        input.hostaddr = t.hostaddr.clone();
        input.at = at;
        input.pg_major = a.libpq;
        input.ssl_cert_file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
        let diagnosis = judge(&facts, &input);
        let mut findings: Vec<Finding> = pgtls::checks::probe(&facts, &ctx)
            .into_iter()
            .filter(|f| !diagnosis.findings.iter().any(|d| d.code == f.code))
            .collect();
        findings.extend(diagnosis.findings.clone());
        hosts.push(HostVerdict { facts, diagnosis, findings });
    }
    let mut all: Vec<Finding> = hosts.iter().flat_map(|h| h.findings.clone()).collect();
    if let Some(f) = replica_chains(&hosts) {
        all.push(f);
    }

    match format {
        Format::Json => {
            let per_host: Vec<Value> = hosts
                .iter()
                .map(|h| {
                    let (paths, attempts) = paths_json(&h.diagnosis);
                    json!({
                        "host": h.facts.target.host,
                        "hostaddr": h.facts.target.hostaddr,
                        "port": h.facts.target.port,
                        "sslmode": h.diagnosis.sslmode,
                        "trust_source": h.diagnosis.trust_source,
                        "verdict": h.diagnosis.verdict,
                        "tls": h.diagnosis.tls,
                        "chain_verified": h.diagnosis.chain_verified,
                        "hostname_verified": h.diagnosis.hostname_verified,
                        "paths": paths,
                        "attempts": attempts,
                        "chain": h.facts.chain.iter().map(|c| json!({"subject": c.subject, "issuer": c.issuer, "sha256": c.sha256, "not_after": c.not_after.format(&time::format_description::well_known::Rfc3339).ok()})).collect::<Vec<_>>(),
                        "findings": h.findings,
                    })
                })
                .collect();
            let mut top = per_host.first().cloned().unwrap_or_else(|| json!({}));
            if let Value::Object(m) = &mut top {
                m.insert("command".into(), json!("verify"));
                m.insert("at".into(), json!(at.format(&time::format_description::well_known::Rfc3339).ok()));
                m.insert("libpq_major".into(), json!(a.libpq));
                m.insert("hosts".into(), Value::Array(per_host));
                m.insert("findings".into(), serde_json::to_value(&all)?);
                m.insert("exit_code".into(), json!(exit_code(&all)));
            }
            print(&report::json::to_string(&top))?;
        }
        Format::Human => {
            let mut s = String::new();
            for h in &hosts {
                let d = &h.diagnosis;
                let _ = writeln!(s, "verify {} as libpq {} would (sslmode={})", h.facts.target.display_name(), a.libpq, d.sslmode.as_str());
                let _ = writeln!(s, "  trust source: {}", d.trust_source.as_deref().unwrap_or("none (no verification)"));
                match &d.verdict.error {
                    None => {
                        let _ = writeln!(
                            s,
                            "  verdict: connects{}",
                            if d.tls { if d.hostname_verified { ", chain and host name verified" } else if d.chain_verified { ", chain verified" } else { ", encrypted, not verified" } } else { " WITHOUT TLS" }
                        );
                    }
                    Some(e) => {
                        let _ = writeln!(s, "  verdict: FAILS — libpq says: {}", e.replace('\n', "\n           "));
                    }
                }
                if !opts.quiet {
                    if let Some(p) = &d.paths {
                        let _ = writeln!(s, "  trust paths ({} tried, {} valid):", p.attempts.len(), p.valid_paths().count());
                        for att in &p.attempts {
                            let _ = writeln!(s, "    {}", att.describe());
                        }
                    }
                }
                report::human::findings(&mut s, &h.findings, &opts);
            }
            if hosts.len() > 1 {
                if let Some(f) = replica_chains(&hosts) {
                    report::human::findings(&mut s, &[f], &opts);
                }
            }
            print(&s)?;
        }
    }
    Ok(exit_code(&all))
}

/// Several hosts (primary and replicas): do they present chains one trust store can serve?
fn replica_chains(hosts: &[HostVerdict]) -> Option<Finding> {
    if hosts.len() < 2 {
        return None;
    }
    let top = |h: &HostVerdict| h.facts.chain.last().map(|c| (c.issuer.clone(), c.subject.clone()));
    let first = top(&hosts[0])?;
    let differing: Vec<&HostVerdict> = hosts[1..].iter().filter(|h| top(h).is_some_and(|t| t != first)).collect();
    if differing.is_empty() {
        return None;
    }
    let failing: Vec<String> =
        hosts.iter().filter(|h| !h.diagnosis.verdict.connects).map(|h| h.facts.target.endpoint()).collect();
    let mut detail = format!(
        "{} presents a chain ending at \"{}\" (issued by \"{}\")",
        hosts[0].facts.target.endpoint(),
        short_name(&first.1),
        short_name(&first.0)
    );
    for h in &differing {
        if let Some((iss, sub)) = top(h) {
            let _ = write!(detail, "; {} ends at \"{}\" (issued by \"{}\")", h.facts.target.endpoint(), short_name(&sub), short_name(&iss));
        }
    }
    detail += if failing.is_empty() {
        ". This trust store accepts all of them today."
    } else {
        ". One trust store does not serve them all"
    };
    if !failing.is_empty() {
        let _ = write!(detail, ": {} fail(s).", failing.join(", "));
    }
    Some(
        Finding::new(Code::ReplicaChainDiffers)
            .severity(if failing.is_empty() { Severity::Warning } else { Severity::Error })
            .detail(detail),
    )
}

/// A store argument: a path (PEM, DER, directory, JKS, PKCS#12), `system`, `default`
/// (~/.postgresql/root.crt) or `windows-default` (%APPDATA%\postgresql\root.crt).
pub fn store_source(arg: &str, storepass: Option<&str>) -> Result<TrustSource> {
    match arg {
        "system" => Ok(TrustSource::System { ssl_cert_file: std::env::var_os("SSL_CERT_FILE").map(PathBuf::from) }),
        "default" => {
            let home = std::env::var("HOME").context("HOME is not set, so libpq's default ~/.postgresql/root.crt is unknown")?;
            store_source(&format!("{home}/.postgresql/root.crt"), storepass)
        }
        "windows-default" => {
            let appdata = std::env::var("APPDATA")
                .context("APPDATA is not set: give the path of %APPDATA%\\postgresql\\root.crt as it is on this machine")?;
            store_source(&format!("{appdata}/postgresql/root.crt"), storepass)
        }
        p => trust::sniff(Path::new(p), storepass).map_err(|e| anyhow::anyhow!("{e}")),
    }
}

pub fn load_store(arg: &str, storepass: Option<&str>) -> Result<TrustStore> {
    let src = store_source(arg, storepass)?;
    trust::load(&src).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn trust_audit(stores: &[String], storepass: Option<&str>, at: Option<OffsetDateTime>, format: Format, opts: RenderOptions) -> Result<i32> {
    let at = at.unwrap_or_else(OffsetDateTime::now_utc);
    let loaded: Vec<TrustStore> = stores.iter().map(|s| load_store(s, storepass)).collect::<Result<_>>()?;
    let findings = trust::audit(&loaded, at);
    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "trust-audit",
            "stores": loaded.iter().map(|st| json!({
                "source": st.source,
                "path": st.path,
                "pem": st.pem,
                "skipped": st.skipped,
                "entries": st.entries.iter().zip(st.describe(at)).map(|(e, f)| json!({
                    "index": e.index, "label": e.label, "subject": e.cert.subject, "issuer": e.cert.issuer,
                    "sha256": e.cert.sha256, "kind": f.kind, "expired": f.expired, "not_yet_valid": f.not_yet_valid,
                    "duplicate_of": f.duplicate_of, "weak": f.weak,
                    "not_after": e.cert.not_after.format(&time::format_description::well_known::Rfc3339).ok(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "findings": findings,
            "exit_code": exit_code(&findings),
        })))?,
        Format::Human => {
            let mut s = String::new();
            for st in &loaded {
                let _ = writeln!(s, "{} — {} certificate(s){}", st.source, st.entries.len(), if st.pem { "" } else { " (not all PEM: libpq reads only PEM)" });
                if !opts.quiet {
                    for (e, f) in st.entries.iter().zip(st.describe(at)) {
                        let mut flags = vec![format!("{:?}", f.kind).to_lowercase()];
                        if f.expired { flags.push("EXPIRED".into()) }
                        if f.not_yet_valid { flags.push("not yet valid".into()) }
                        if let Some(d) = f.duplicate_of { flags.push(format!("duplicate of #{d}")) }
                        if f.weak { flags.push("weak".into()) }
                        let _ = writeln!(s, "  #{:<4} {:<28} {}  (until {}, {})", e.index, flags.join(", "), e.cert.subject, e.cert.not_after.date(), e.label);
                    }
                    for k in &st.skipped {
                        let _ = writeln!(s, "  skipped: {k}");
                    }
                }
            }
            report::human::findings(&mut s, &findings, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}

fn profile(name: &str, file: Option<&Path>) -> Result<Profile> {
    match file {
        Some(f) => {
            let text = std::fs::read_to_string(f).with_context(|| format!("reading profile {}", f.display()))?;
            Profile::from_toml(name, &text).map_err(|e| anyhow::anyhow!("{e}"))
        }
        None => Profile::builtin(name).map_err(|e| anyhow::anyhow!("{e}")),
    }
}

pub struct RotationArgs {
    pub profile: String,
    pub profile_file: Option<PathBuf>,
    pub trust: Option<String>,
    pub storepass: Option<String>,
    pub targets: Vec<String>,
    pub at: Option<OffsetDateTime>,
}

pub fn rotation(a: RotationArgs, timeouts: Timeouts, format: Format, opts: RenderOptions) -> Result<i32> {
    let at = a.at.unwrap_or_else(OffsetDateTime::now_utc);
    let prof = profile(&a.profile, a.profile_file.as_deref())?;
    let store_arg = a.trust.clone().unwrap_or_else(|| "default".into());
    let store = load_store(&store_arg, a.storepass.as_deref())?;
    let report = rotation::check(&prof, &store, at);
    let mut findings = report.findings.clone();
    let mut servers = Vec::new();
    for t in &a.targets {
        for pt in target::probe_targets(Some(t), false)? {
            let facts = probe(&pt, timeouts);
            let cns: Vec<String> = facts.chain.iter().skip(1).filter_map(|c| c.subject_cn.clone()).collect();
            let which = prof
                .chains
                .iter()
                .find(|ch| ch.intermediates.iter().any(|i| cns.contains(i)))
                .map(|ch| ch.name.clone());
            findings.extend(pgtls::checks::probe(&facts, &Default::default()));
            servers.push(json!({
                "endpoint": pt.endpoint(),
                "chain": which,
                "intermediates": cns,
                "reachable": facts.tls.is_some(),
            }));
        }
    }
    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "rotation",
            "profile": prof.name,
            "title": prof.title,
            "store": report.store,
            "ready": report.ready,
            "roots": report.roots,
            "pinned": report.pinned,
            "chains": prof.chains,
            "servers": servers,
            "findings": findings,
            "exit_code": exit_code(&findings),
        })))?,
        Format::Human => {
            let mut s = format!("{} — {}\n", prof.title, report.store);
            if !opts.quiet {
                for ch in &prof.chains {
                    let _ = writeln!(s, "  {} chain: {}", ch.name, ch.path.join(" → "));
                }
                for r in &report.roots {
                    let state = if r.present { "present" } else if r.required { "MISSING (required)" } else { "missing (recommended)" };
                    let _ = writeln!(s, "  root {:<46} {state}{}", r.cn, r.found.as_ref().map(|f| format!(" — {f}")).unwrap_or_default());
                }
                for p in &report.pinned {
                    let _ = writeln!(s, "  pinned: {p}");
                }
                for sv in &servers {
                    let _ = writeln!(s, "  server {} presents the {} chain", sv["endpoint"].as_str().unwrap_or(""), sv["chain"].as_str().unwrap_or("unknown"));
                }
                let _ = writeln!(s, "  ready: {}", if report.ready { "yes" } else { "NO" });
            }
            report::human::findings(&mut s, &findings, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}

pub fn bundle(name: &str, file: Option<&Path>, sources: &[String], output: Option<&Path>, at: Option<OffsetDateTime>) -> Result<i32> {
    let prof = profile(name, file)?;
    let at = at.unwrap_or_else(OffsetDateTime::now_utc);
    let srcs: Vec<String> = if sources.is_empty() { vec!["system".into()] } else { sources.to_vec() };
    let stores: Vec<TrustStore> = srcs.iter().map(|s| load_store(s, None)).collect::<Result<_>>()?;
    let pem = rotation::bundle(&prof, &stores, at).map_err(|e| anyhow::anyhow!("{e}"))?;
    match output {
        Some(p) => {
            std::fs::write(p, &pem).with_context(|| format!("writing {}", p.display()))?;
            eprintln!("pgtls: wrote {} ({} certificate(s))", p.display(), pem.matches("BEGIN CERTIFICATE").count());
        }
        None => print(&pem)?,
    }
    Ok(0)
}
