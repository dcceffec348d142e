//! `trust audit`, `rotation`, `bundle`: the client's trust stores, today and after a provider's
//! CA rotation.

use std::path::{Path, PathBuf};

use serde::Serialize;
use time::OffsetDateTime;

use super::{RunError, Settings};
use crate::findings::exit_code;
use crate::checks::{self, Context};
use crate::conninfo::Env;
use crate::facts::Facts;
use crate::findings::Finding;
use crate::profile::Overrides;
use crate::trust::{self, EntryFlags, TrustSource, TrustStore};
use crate::verify::rotation::{self, Bundle, RotationReport};

/// A store argument: a path (PEM, DER, directory, JKS, PKCS#12), `system`, `default`
/// (~/.postgresql/root.crt) or `windows-default` (%APPDATA%\postgresql\root.crt).
pub fn store_source(arg: &str, storepass: Option<&str>, env: &dyn Env) -> Result<TrustSource, RunError> {
    match arg {
        "system" => Ok(TrustSource::System { ssl_cert_file: env.var("SSL_CERT_FILE").map(PathBuf::from) }),
        "default" => {
            let home = env.home_dir().ok_or_else(|| RunError::NoHome)?;
            store_source(&format!("{home}/.postgresql/root.crt"), storepass, env)
        }
        "windows-default" => {
            let appdata = env.var("APPDATA").ok_or_else(|| {
                RunError::NoAppdata
            })?;
            store_source(&format!("{appdata}/postgresql/root.crt"), storepass, env)
        }
        p => Ok(trust::sniff(Path::new(p), storepass)?),
    }
}

pub(crate) fn load_store(arg: &str, storepass: Option<&str>, env: &dyn Env) -> Result<TrustStore, RunError> {
    Ok(trust::load(&store_source(arg, storepass, env)?)?)
}

/// One store in the audit, every entry with its flags.
#[derive(Debug, Clone, Serialize)]
pub struct StoreView {
    pub source: String,
    pub path: PathBuf,
    /// Every certificate came from PEM text (what libpq can read).
    pub pem: bool,
    pub skipped: Vec<String>,
    pub entries: Vec<EntryView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub index: usize,
    pub label: String,
    pub subject: String,
    pub issuer: String,
    pub sha256: String,
    #[serde(flatten)]
    pub flags: EntryFlags,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// `pgtls trust audit`.
#[derive(Debug, Clone, Serialize)]
pub struct TrustAuditReport {
    pub command: &'static str,
    pub stores: Vec<StoreView>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// `pgtls trust audit STORE… [--profile NAME]`: every entry of every store; with a provider's
/// rotation profile, each store is also judged as `rotation` judges it (the same check, one run
/// per store), so a store that will stop working names the day and the root to add.
pub fn trust_audit(
    stores: &[String],
    storepass: Option<&str>,
    at: Option<OffsetDateTime>,
    profile_name: Option<&str>,
    env: &dyn Env,
) -> Result<TrustAuditReport, RunError> {
    let cx = Context::at(at.unwrap_or_else(OffsetDateTime::now_utc));
    let provider = profile_name.map(|n| super::profiles::profile(n, None)).transpose()?;
    let loaded: Vec<TrustStore> = stores.iter().map(|s| load_store(s, storepass, env)).collect::<Result<_, _>>()?;
    let views = loaded
        .iter()
        .map(|st| StoreView {
            source: st.source.clone(),
            path: st.path.clone(),
            pem: st.pem,
            skipped: st.skipped.clone(),
            entries: st
                .entries
                .iter()
                .zip(st.describe(cx.now()))
                .map(|(e, flags)| EntryView {
                    index: e.index,
                    label: e.label.clone(),
                    subject: e.cert.subject.clone(),
                    issuer: e.cert.issuer.clone(),
                    sha256: e.cert.sha256.clone(),
                    flags,
                    not_after: e.cert.not_after,
                })
                .collect(),
        })
        .collect();
    let mut findings = Vec::new();
    if let Some(prof) = &provider {
        for st in &loaded {
            let one = Facts { rotation: Some(rotation::check(prof, st, cx.now())), ..Default::default() };
            findings.extend(checks::run(&one, &cx));
        }
    }
    let facts = Facts { stores: loaded, ..Default::default() };
    findings.splice(0..0, checks::run(&facts, &cx));
    // Root cause first across both runs, as within one (stable: store order kept).
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(TrustAuditReport { command: "trust-audit", stores: views, exit_code: exit_code(&findings), findings })
}

/// `pgtls rotation`.
pub struct RotationArgs<'a> {
    pub profile: &'a str,
    pub profile_file: Option<&'a Path>,
    /// The client's store (default: libpq's default root.crt).
    pub trust: Option<&'a str>,
    pub storepass: Option<&'a str>,
    pub at: Option<OffsetDateTime>,
    pub targets: &'a [String],
}

/// `pgtls rotation`.
#[derive(Debug, Clone, Serialize)]
pub struct RotationReportView {
    pub command: &'static str,
    #[serde(flatten)]
    pub report: RotationReport,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

pub fn rotation(a: &RotationArgs, s: &Settings, env: &dyn Env) -> Result<RotationReportView, RunError> {
    let at = a.at.unwrap_or_else(OffsetDateTime::now_utc);
    let store = load_store(a.trust.unwrap_or("default"), a.storepass, env)?;
    let o = Overrides { at: Some(at), ..Default::default() };
    let mut findings = Vec::new();
    // Each target is its own server (not replicas of one another): its connection is judged
    // on its own, and only its chain joins the rotation report.
    let mut servers = Vec::new();
    for t in a.targets {
        let p = super::tcp_profile(Some(t), &o, env)?;
        let f = super::connection::gather(&p, s);
        for h in &f.hosts {
            let sent = if h.probe.tls.is_some() { h.probe.chain.clone() } else { vec![] };
            servers.push((h.endpoint(), sent));
        }
        findings.extend(checks::run(&f, &Context::new(p)));
    }
    let prof = if a.profile == "auto" && a.profile_file.is_none() {
        super::profiles::recognise(&servers)?
    } else {
        super::profiles::profile(a.profile, a.profile_file)?
    };
    let mut report = rotation::check(&prof, &store, at);
    for (endpoint, sent) in servers {
        report.add_server(&prof, &store, endpoint, &sent);
    }
    let facts = Facts { rotation: Some(report.clone()), ..Default::default() };
    findings.extend(checks::run(&facts, &Context::at(at)));
    Ok(RotationReportView { command: "rotation", report, exit_code: exit_code(&findings), findings })
}

/// `pgtls bundle`: the roots, and where the PEM went.
#[derive(Debug, Clone, Serialize)]
pub struct BundleReport {
    pub command: &'static str,
    #[serde(flatten)]
    pub bundle: Bundle,
    /// The file written, when `-o` was given.
    pub output: Option<PathBuf>,
    pub exit_code: i32,
}

pub fn bundle(name: &str, file: Option<&Path>, sources: &[String], output: Option<&Path>, at: Option<OffsetDateTime>, env: &dyn Env) -> Result<BundleReport, RunError> {
    let prof = super::profiles::profile(name, file)?;
    let at = at.unwrap_or_else(OffsetDateTime::now_utc);
    let srcs: Vec<String> = if sources.is_empty() { vec!["system".into()] } else { sources.to_vec() };
    // A missing system store is not an error: the profile carries every root itself.
    let stores: Vec<TrustStore> = srcs
        .iter()
        .map(|s| load_store(s, None, env))
        .filter(|r| !(sources.is_empty() && r.is_err()))
        .collect::<Result<_, _>>()?;
    let b = rotation::bundle(&prof, &stores, at);
    if let Some(p) = output {
        std::fs::write(p, b.pem()).map_err(|source| RunError::Io { what: "writing", path: p.into(), source })?;
    }
    Ok(BundleReport { command: "bundle", bundle: b, output: output.map(Path::to_path_buf), exit_code: 0 })
}
