//! `probe`, `verify`, `doctor`: one connection, gathered once and judged once. The three
//! differ only in what they gather besides the probe (doctor: the client's files too) and in
//! what their reports show; the verdict and the findings come from the same pipeline.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{tcp_profile, RunError, Settings};
use crate::conninfo::SettingSource;
use crate::findings::exit_code;
use crate::checks::{self, Context};
use crate::conninfo::Env;
use crate::facts::{Facts, HostFacts, SavedFacts, SAVED_FACTS_VERSION};
use crate::findings::{Code, Finding, Lang, Severity};
use crate::net::Negotiated;
use crate::probe::{self, ProbeFailure, SslNegotiation};
use crate::profile::{ClientProfile, Overrides};
use crate::verify::libpq::{self, Client, SslMode, Verdict};
use crate::wire::TlsVersion;
use crate::x509::Cert;

/// Probe every host of `profile` within the client's TLS range, load the client's trust
/// store as libpq would, and derive libpq's verdict for each host.
/// With `profile.startup`, follow each attempt into the startup phase (StartupMessage, the
/// answer up to the authentication request), and make libpq's plaintext attempt too when its
/// sslmode would (disable, allow, prefer).
pub(crate) fn gather(profile: &ClientProfile, s: &Settings) -> Facts {
    let client = profile.resolved.as_ref().map(|r| crate::client::gather(r, profile));
    let client_auth = match client.as_ref().map(|c| &c.cert) {
        Some(crate::client::ClientCert::Loaded { auth, .. }) => Some(auth.clone()),
        _ => None,
    };
    let mode = profile.sslmode;
    let follow = profile.startup;
    let o = probe::ProbeOptions {
        versions: profile.versions(),
        client_auth,
        startup: (follow && mode != SslMode::Disable).then(|| (profile.user.clone(), profile.database.clone())),
        connections: s.connections,
    };
    let hosts = profile
        .targets
        .iter()
        .map(|t| {
            let tls = probe::probe_with(t, s.timeouts, &o);
            // libpq's plaintext attempt (first with disable/allow, after a failed TLS attempt
            // with prefer), when the startup phase is followed. A run that stops after TLS
            // does not make it, and its verdict says the login was not checked.
            HostFacts {
                plaintext: (follow && mode <= SslMode::Prefer && t.negotiation == SslNegotiation::Postgres)
                    .then(|| probe::probe_plaintext(t, s.timeouts, &profile.user, &profile.database)),
                probe: tls,
                verdict: None,
                stacks: Vec::new(),
            }
        })
        .collect();
    let mut facts = Facts { client, hosts, ..Default::default() };
    // What the other client stacks would read (their root files, the system store), read
    // here so that deriving their verdicts reads nothing.
    if profile.stacks_all || !profile.stacks.is_empty() {
        facts.stack_files = crate::client::stack_files(&[profile]);
    }
    facts.read_refusals(&crate::explain::recognise_refusal);
    facts.derive_verdicts(profile);
    if follow {
        authenticate(&mut facts, profile, s, &o);
        facts.read_refusals(&crate::explain::recognise_refusal);
        facts.derive_verdicts(profile);
    }
    facts
}

/// Where TLS and pg_hba.conf let the client in and the server asks for a password that libpq
/// would have, finish authentication on a second TLS connection, so the verdict is "connects"
/// exactly when the password is accepted. Never in plaintext, never to a server whose
/// certificate fails the client's own rules (checked again in that second session).
fn authenticate(facts: &mut Facts, profile: &ClientProfile, s: &Settings, o: &probe::ProbeOptions) {
    use crate::net::ChannelBindingMode;
    let binding = match profile.resolved.as_ref().and_then(|r| r.settings.get("channel_binding")).map(|v| v.value.as_str()) {
        Some("disable") => ChannelBindingMode::Disable,
        Some("require") => ChannelBindingMode::Require,
        _ => ChannelBindingMode::Prefer,
    };
    let absent = crate::trust::RootTrust::Absent { path: None };
    let root = facts.client.as_ref().map_or(&absent, |c| &c.root);
    for (i, h) in facts.hosts.iter_mut().enumerate() {
        let Some(v) = &h.verdict else { continue };
        let asks = h.probe.startup.as_ref().is_some_and(|st| {
            st.encrypted && matches!(&st.outcome, probe::StartupOutcome::Auth { request } if request.needs_password())
        });
        if !(v.connects && v.tls && !v.plaintext_fallback && asks) {
            continue;
        }
        let Some(password) = profile.password_for(i) else { continue };
        let client = Client::of(profile, &h.probe.target);
        let trusted = |chain: &[Cert]| {
            let p = probe::ProbeFacts { target: h.probe.target.clone(), ..probe::ProbeFacts::from_chain(chain.to_vec()) };
            libpq::decide(&client, root, &p, None).connects
        };
        let clock = std::time::Instant::now();
        let result = probe::authenticate(&h.probe.target, s.timeouts, o, &password, binding, &trusted);
        h.probe.timings.authentication_ms = Some(clock.elapsed().as_millis() as u64);
        if let Some(st) = h.probe.startup.as_mut() {
            st.authentication = Some(result);
        }
    }
}

/// Findings about one host alone (for per-host lists; the report's own list covers all).
pub(crate) fn host_findings(h: &HostFacts, cx: &Context) -> Vec<Finding> {
    checks::run(&Facts { hosts: vec![h.clone()], ..Default::default() }, cx)
}

/// A certificate as reports show it: its facts and the days left at the report's instant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertView {
    #[serde(flatten)]
    pub cert: Cert,
    pub days_left: i64,
}

/// What was seen of one probed endpoint, and libpq's verdict: a host of `probe`'s report
/// without its findings (a fleet record carries the findings of its whole line beside it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostSeen {
    pub host: String,
    pub hostaddr: Option<String>,
    pub port: u16,
    pub sni: Option<String>,
    pub negotiation: SslNegotiation,
    pub reply: Option<Negotiated>,
    pub tls_version: Option<TlsVersion>,
    pub cipher: Option<String>,
    pub cipher_openssl: Option<String>,
    pub group: Option<String>,
    pub alpn: Option<String>,
    pub chain: Vec<CertView>,
    pub failure: Option<ProbeFailure>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    pub elapsed_ms: u64,
    /// What the server accepts, when our handshake failed on versions or ciphers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_versions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// One probed endpoint: what was seen, libpq's verdict, and the findings about it (read
/// through to [`HostSeen`]'s fields: `view.chain`).
#[derive(Debug, Clone, Serialize)]
pub struct HostView {
    #[serde(flatten)]
    pub seen: HostSeen,
    pub findings: Vec<Finding>,
}

impl std::ops::Deref for HostView {
    type Target = HostSeen;
    fn deref(&self) -> &HostSeen {
        &self.seen
    }
}

impl HostView {
    pub(crate) fn new(h: &HostFacts, cx: &Context) -> HostView {
        HostView::with_findings(h, cx, host_findings(h, cx))
    }

    /// With the findings already computed (one-host runs need not run the checks twice).
    pub(crate) fn with_findings(h: &HostFacts, cx: &Context, findings: Vec<Finding>) -> HostView {
        HostView { seen: HostSeen::new(h, cx), findings }
    }
}

impl HostSeen {
    pub(crate) fn new(h: &HostFacts, cx: &Context) -> HostSeen {
        let p = &h.probe;
        let tls = p.tls.as_ref();
        HostSeen {
            host: p.target.host.clone(),
            hostaddr: p.target.hostaddr.clone(),
            port: p.target.port,
            sni: p.target.sni.clone(),
            negotiation: p.target.negotiation,
            reply: p.reply.clone(),
            tls_version: tls.map(|t| t.version),
            cipher: tls.map(|t| t.cipher.clone()),
            cipher_openssl: tls.map(|t| t.cipher_openssl.clone()),
            group: tls.and_then(|t| t.group.clone()),
            alpn: tls.and_then(|t| t.alpn.clone()),
            chain: p.chain.iter().map(|c| CertView { cert: c.clone(), days_left: c.days_left(cx.now()) }).collect(),
            failure: p.failure.clone(),
            started_at: p.started_at,
            elapsed_ms: p.elapsed_ms,
            server_versions: p.server_versions.clone(),
            verdict: h.verdict.clone(),
        }
    }

    /// `host (hostaddr):port`.
    pub fn display_name(&self) -> String {
        probe::ProbeTarget {
            host: self.host.clone(),
            hostaddr: self.hostaddr.clone(),
            port: self.port,
            sni: None,
            negotiation: self.negotiation,
            hostaddr_only: false,
        }
        .display_name()
    }
}

/// `pgtls probe`.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub command: &'static str,
    /// The first host's fields, at the top level (one-host use is the common case).
    #[serde(flatten)]
    pub first: Option<HostView>,
    pub hosts: Vec<HostView>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

fn probe_report(facts: &Facts, cx: &Context) -> ProbeReport {
    let hosts: Vec<HostView> = facts.hosts.iter().map(|h| HostView::new(h, cx)).collect();
    let findings = checks::run(facts, cx);
    ProbeReport { command: "probe", first: hosts.first().cloned(), hosts, exit_code: exit_code(&findings), findings }
}

/// `pgtls probe TARGET`: what the server presents, judged for the client `target` describes.
/// With `save`, the facts (and the client they were gathered for) are written there.
pub fn probe(target: Option<&str>, o: &Overrides, s: &Settings, env: &dyn Env, save: Option<&Path>) -> Result<ProbeReport, RunError> {
    let profile = tcp_profile(target, o, env)?;
    let facts = gather(&profile, s);
    if let Some(path) = save {
        let saved = SavedFacts {
            pgtls_facts: SAVED_FACTS_VERSION,
            profile: profile.clone(),
            root: facts.client.as_ref().map(|c| c.root.clone()).unwrap_or(crate::trust::RootTrust::Absent { path: None }),
            probes: facts.hosts.iter().map(|h| h.probe.clone()).collect(),
        };
        let text = serde_json::to_string_pretty(&saved).unwrap_or_default();
        std::fs::write(path, text).map_err(|source| RunError::Io { what: "writing facts to", path: path.into(), source })?;
    }
    Ok(probe_report(&facts, &Context::new(profile)))
}

/// `pgtls probe --from-facts FILE [--at]`: re-judge saved facts without the network, with the
/// client they were gathered for (its TLS range, sslmode and trust store).
pub fn probe_from_facts(path: &Path, at: Option<OffsetDateTime>) -> Result<ProbeReport, RunError> {
    let text = crate::files::read_text(path).map_err(|source| RunError::Io { what: "reading facts from", path: path.into(), source })?;
    let saved: SavedFacts = serde_json::from_str(&text).map_err(|e| RunError::NotFacts { path: path.into(), error: e.to_string() })?;
    if saved.pgtls_facts != SAVED_FACTS_VERSION {
        return Err(RunError::FactsVersion { path: path.into(), found: saved.pgtls_facts, want: SAVED_FACTS_VERSION });
    }
    let mut profile = saved.profile;
    if let Some(at) = at {
        profile.at = at;
    }
    let mut facts = Facts {
        hosts: saved.probes.into_iter().map(|probe| HostFacts { probe, plaintext: None, verdict: None, stacks: Vec::new() }).collect(),
        ..Default::default()
    };
    // The client's files are not re-read: the saved trust store stands in for them.
    facts.client = None;
    // Facts saved before the refusals were read at this step hold their reading already.
    facts.read_refusals(&crate::explain::recognise_refusal);
    let root = saved.root;
    for h in &mut facts.hosts {
        let client = crate::verify::libpq::Client::of(&profile, &h.probe.target);
        h.verdict = Some(crate::verify::libpq::decide(&client, &root, &h.probe, None));
    }
    Ok(probe_report(&facts, &Context::new(profile)))
}

/// One host in `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyHost {
    pub host: String,
    pub hostaddr: Option<String>,
    pub port: u16,
    pub sslmode: SslMode,
    pub trust_source: Option<String>,
    pub verdict: Verdict,
    pub tls: bool,
    pub chain_verified: bool,
    pub hostname_verified: bool,
    /// Every valid path, leaf first: subject, SHA-256, origin.
    pub paths: Vec<Vec<crate::verify::PathCert>>,
    /// Every path tried, with OpenSSL's reason when it failed.
    pub attempts: Vec<AttemptView>,
    pub chain: Vec<ChainEntry>,
    pub findings: Vec<Finding>,
    #[serde(skip)]
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub certs: Vec<crate::verify::PathCert>,
    pub valid: bool,
    /// OpenSSL's text and X509_V_ERR number.
    pub failure: Option<&'static str>,
    pub openssl_error: Option<i32>,
    /// One line: `leaf [sent #0] → root [store #3] ✓`.
    pub describe: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChainEntry {
    pub subject: String,
    pub issuer: String,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// `pgtls verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub command: &'static str,
    #[serde(flatten)]
    pub first: Option<VerifyHost>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub libpq_major: u32,
    pub hosts: Vec<VerifyHost>,
    /// libpq's outcome over all hosts, as `doctor` gives it: which one it ends up on, or its
    /// whole message (an SSL failure on one host ends the attempt there).
    pub outcome: Option<crate::facts::Overall>,
    /// Each client stack's verdict on the first host (`--client`; empty without).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<crate::verify::clients::StackVerdict>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// `pgtls verify TARGET`: will libpq accept this server's chain, by which paths, and why not.
pub fn verify(target: Option<&str>, o: &Overrides, s: &Settings, env: &dyn Env) -> Result<VerifyReport, RunError> {
    let profile = tcp_profile(target, o, env)?;
    let facts = gather(&profile, s);
    let cx = Context { audit_client: true, ..Context::new(profile.clone()) };
    let hosts: Vec<VerifyHost> = facts
        .hosts
        .iter()
        .filter_map(|h| {
            let v = h.verdict.clone()?;
            let (paths, attempts) = match &v.paths {
                Some(p) => (
                    p.valid_paths().map(|a| a.certs.clone()).collect(),
                    p.attempts
                        .iter()
                        .map(|a| AttemptView {
                            certs: a.certs.clone(),
                            valid: a.is_valid(),
                            failure: a.failure.as_ref().map(|f| f.openssl().1),
                            openssl_error: a.failure.as_ref().map(|f| f.openssl().0),
                            describe: a.describe(),
                        })
                        .collect(),
                ),
                None => (vec![], vec![]),
            };
            Some(VerifyHost {
                host: h.probe.target.host.clone(),
                hostaddr: h.probe.target.hostaddr.clone(),
                port: h.probe.target.port,
                sslmode: v.sslmode,
                trust_source: v.trust_source.clone(),
                tls: v.tls,
                chain_verified: v.chain_verified,
                hostname_verified: v.hostname_verified,
                paths,
                attempts,
                chain: h
                    .probe
                    .chain
                    .iter()
                    .map(|c| ChainEntry { subject: c.subject.clone(), issuer: c.issuer.clone(), sha256: c.sha256.clone(), not_after: c.not_after })
                    .collect(),
                findings: host_findings(h, &cx),
                display_name: h.probe.target.display_name(),
                verdict: v,
            })
        })
        .collect();
    let findings = checks::run(&facts, &cx);
    Ok(VerifyReport {
        command: "verify",
        first: hosts.first().cloned(),
        at: profile.at,
        libpq_major: profile.libpq,
        hosts,
        outcome: facts.libpq_outcome(&profile),
        verdicts: stack_verdicts(&facts, &profile),
        exit_code: exit_code(&findings),
        findings,
    })
}

/// The client stacks' verdicts on the host libpq ends up on (else the first host).
fn stack_verdicts(facts: &Facts, profile: &ClientProfile) -> Vec<crate::verify::clients::StackVerdict> {
    let i = facts.libpq_outcome(profile).and_then(|o| o.host).unwrap_or(0);
    facts.hosts.get(i).map(|h| h.stacks.clone()).unwrap_or_default()
}

/// A setting and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct SettingView {
    pub name: &'static str,
    pub value: String,
    /// Where it came from, in English (`origin.words(Lang::En)`).
    pub source: String,
    /// The same as a value, for the human report in the user's language.
    #[serde(skip)]
    pub origin: SettingSource,
}

impl SettingView {
    fn new(name: &'static str, value: String, origin: SettingSource) -> SettingView {
        SettingView { name, value, source: origin.words(Lang::En), origin }
    }
}

/// One host in `doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorHost {
    pub endpoint: String,
    pub tls_version: Option<TlsVersion>,
    pub cipher: Option<String>,
    /// The chain the verdict judged, as the server sent it (leaf first), with days left at
    /// the report's instant: behind a proxy, whose certificate this is tells which hop answered.
    pub chain: Vec<CertView>,
    pub verdict: Option<Verdict>,
    pub trust_source: Option<String>,
    /// What the server behind the address said of the session that logged in (its port, `ssl`
    /// setting, whether its side is TLS, where it sees the client): through a pooler or proxy,
    /// PostgreSQL's view, which names the hop. Absent when no login got that far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub behind: Option<crate::probe::Behind>,
    pub findings: Vec<Finding>,
}

/// The chain of the connection whose verdict is shown (behind a load balancer, a further
/// connection's when it alone failed).
fn judged_chain(h: &HostFacts) -> &[Cert] {
    match h.verdict.as_ref().and_then(|v| v.intermittent) {
        Some(s) if s.connection > 0 => h.probe.again.get(s.connection - 1).map_or(&h.probe.chain[..], |p| &p.chain[..]),
        _ => &h.probe.chain,
    }
}

/// `pgtls doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    pub command: &'static str,
    /// What psql would do, and the cause when it fails: the report's first line, in English.
    pub summary: String,
    /// The same as facts, for the human report in the user's language.
    #[serde(skip)]
    pub first_line: FirstLine,
    /// libpq's effective settings as a connection string (secrets masked).
    pub connection: String,
    pub sslmode: SslMode,
    pub libpq_major: u32,
    pub settings: Vec<SettingView>,
    pub hosts: Vec<DoctorHost>,
    /// libpq's outcome over all hosts: which one it ends up on, or its whole message.
    pub outcome: Option<crate::facts::Overall>,
    /// The connection walked step by step (settings, DNS, TCP, SSLRequest, handshake,
    /// certificate, startup, authentication), each with its outcome and milliseconds.
    pub steps: Vec<super::steps::WalkStep>,
    /// Each client stack's verdict (`--client`; empty without).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub verdicts: Vec<crate::verify::clients::StackVerdict>,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// `pgtls doctor TARGET`: everything about one connection in one verdict, root cause first.
pub fn doctor(target: Option<&str>, o: &Overrides, s: &Settings, env: &dyn Env) -> Result<DoctorReport, RunError> {
    let profile = tcp_profile(target, o, env)?;
    let mut facts = gather(&profile, s);
    let cx = Context { audit_client: true, ..Context::new(profile.clone()) };
    facts.rotation = super::profiles::for_connection(&s.rotation, &facts, cx.now())?;
    let findings = checks::run(&facts, &cx);
    let hosts: Vec<DoctorHost> = facts
        .hosts
        .iter()
        .map(|h| DoctorHost {
            endpoint: h.probe.target.display_name(),
            tls_version: h.probe.tls.as_ref().map(|t| t.version),
            cipher: h.probe.tls.as_ref().map(|t| t.cipher_openssl.clone()),
            chain: judged_chain(h).iter().map(|c| CertView { cert: c.clone(), days_left: c.days_left(cx.now()) }).collect(),
            trust_source: h.verdict.as_ref().and_then(|v| v.trust_source.clone()),
            verdict: h.verdict.clone(),
            behind: h.behind().map(|(b, _)| b.clone()),
            findings: host_findings(h, &cx),
        })
        .collect();
    let sslmode_source = profile.sslmode_source.clone();
    let mut settings = vec![SettingView::new("sslmode", profile.sslmode.to_string(), sslmode_source.clone())];
    if let Some(r) = &profile.resolved {
        let libpq = |s: &crate::conninfo::Source| SettingSource::Libpq(s.clone());
        for (name, v) in [("sslrootcert", &r.sslrootcert), ("sslcert", &r.sslcert), ("sslkey", &r.sslkey)] {
            if let Some(v) = v {
                settings.push(SettingView::new(name, v.value.clone(), libpq(&v.source)));
            }
        }
        if let Some(u) = &r.user {
            settings.push(SettingView::new("user", u.value.clone(), libpq(&u.source)));
        }
        for (name, v) in [("ssl_min_protocol_version", &r.ssl_min_protocol_version), ("ssl_max_protocol_version", &r.ssl_max_protocol_version)] {
            if let Some(v) = v {
                settings.push(SettingView::new(name, v.value.name(), libpq(&v.source)));
            }
        }
    }
    let line = first_line(&facts, &profile, &findings);
    Ok(DoctorReport {
        command: "doctor",
        summary: line.sentence(Lang::En),
        first_line: line,
        connection: profile.resolved.as_ref().map(|r| r.to_string()).unwrap_or_default(),
        sslmode: profile.sslmode,
        libpq_major: profile.libpq,
        settings,
        steps: super::steps::steps(&profile, &sslmode_source, &facts),
        outcome: facts.libpq_outcome(&profile),
        verdicts: stack_verdicts(&facts, &profile),
        hosts,
        exit_code: exit_code(&findings),
        findings,
    })
}

/// The report's first line as facts: what the client would do, where, and why when it fails.
/// [`FirstLine::sentence`] says it in one of the catalogue's languages (the human report in
/// the user's; `DoctorReport::summary`, in JSON, always in English). libpq's message and the
/// host names stay as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstLine {
    Nothing,
    Connects { client: String, endpoint: Option<String>, how: Option<How>, others_failing: usize },
    Fails { client: String, endpoint: String, more: usize, error: String, cause: Option<Code>, stopped: Option<(String, usize)> },
    /// The login worked and the first query did not (a pooler without its server).
    FirstQueryFails { endpoint: String, error: String, cause: Option<Code>, stopped: Option<(String, usize)> },
    /// Several connections to one address, different servers behind it.
    Intermittent { endpoint: String, failed: usize, of: usize, error: String, cause: Option<Code>, stopped: Option<(String, usize)> },
}

/// How a working connection is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    WithoutTls,
    Tls { version: String, chain_verified: bool, hostname_verified: bool },
}

impl FirstLine {
    /// The sentence in `lang`.
    pub fn sentence(&self, lang: Lang) -> String {
        let cause = |c: &Option<Code>| match c {
            None => String::new(),
            Some(code) => {
                let title = &crate::findings::catalogue().entry(*code).text(lang).title;
                match lang {
                    Lang::En => format!(" — cause: {title} ({code})"),
                    Lang::Zh => format!(" — 原因：{title}（{code}）"),
                    Lang::Ja => format!(" — 原因: {title}（{code}）"),
                }
            }
        };
        let stop = |s: &Option<(String, usize)>| match s {
            None => String::new(),
            Some((h, left)) => match lang {
                Lang::En => format!(" — libpq stops at {h} and never tries the {left} host(s) after it: only unreachable hosts pass the attempt on"),
                Lang::Zh => format!(" — libpq 在 {h} 处停止，不会再尝试其后的 {left} 个主机：只有无法连接的主机才会让它继续尝试下一个"),
                Lang::Ja => format!(" — libpq は {h} で止まり、その後の {left} 台のホストは試しません。接続できないホストだけが次のホストへ進みます"),
            },
        };
        match self {
            FirstLine::Nothing => match lang {
                Lang::En => "nothing was judged",
                Lang::Zh => "没有可判断的内容",
                Lang::Ja => "判定できるものがありません",
            }
            .to_string(),
            FirstLine::Connects { client, endpoint, how, others_failing } => {
                let how = how.as_ref().map(|h| h.words(lang));
                let note = match (others_failing, lang) {
                    (0, _) => String::new(),
                    (n, Lang::En) => format!(" — {n} other host(s) of the list fail (see findings)"),
                    (n, Lang::Zh) => format!(" — 列表中另有 {n} 个主机连接失败（见下方问题）"),
                    (n, Lang::Ja) => format!(" — リストの他の {n} 台のホストには接続できません（所見を参照）"),
                };
                match (lang, endpoint, how) {
                    (Lang::En, Some(e), Some(h)) => format!("{client} connects to {e} ({h}){note}"),
                    (Lang::Zh, Some(e), Some(h)) => format!("{client} 可以连接到 {e}（{h}）{note}"),
                    (Lang::Ja, Some(e), Some(h)) => format!("{client} は {e} に接続できます（{h}）{note}"),
                    (Lang::En, _, _) => format!("{client} connects"),
                    (Lang::Zh, _, _) => format!("{client} 可以连接"),
                    (Lang::Ja, _, _) => format!("{client} は接続できます"),
                }
            }
            FirstLine::Fails { client, endpoint, more, error, cause: c, stopped } => {
                let more = match (more, lang) {
                    (0, _) => String::new(),
                    (n, Lang::En) => format!(" (nor to {n} more host(s))"),
                    (n, Lang::Zh) => format!("（其余 {n} 个主机也无法连接）"),
                    (n, Lang::Ja) => format!("（他の {n} 台のホストにも接続できません）"),
                };
                let (c, st) = (cause(c), stop(stopped));
                match lang {
                    Lang::En => format!("{client} FAILS to connect to {endpoint}{more}: {error}{c}{st}"),
                    Lang::Zh => format!("{client} 无法连接到 {endpoint}{more}：{error}{c}{st}"),
                    Lang::Ja => format!("{client} は {endpoint}{more} に接続できません: {error}{c}{st}"),
                }
            }
            FirstLine::FirstQueryFails { endpoint, error, cause: c, stopped } => {
                let (c, st) = (cause(c), stop(stopped));
                match lang {
                    Lang::En => format!("psql connects to {endpoint}, then its first query FAILS: {error}{c}{st}"),
                    Lang::Zh => format!("psql 可以连接到 {endpoint}，但它的第一条查询失败：{error}{c}{st}"),
                    Lang::Ja => format!("psql は {endpoint} に接続できますが、最初のクエリが失敗します: {error}{c}{st}"),
                }
            }
            FirstLine::Intermittent { endpoint, failed, of, error, cause: c, stopped } => {
                let (c, st) = (cause(c), stop(stopped));
                match lang {
                    Lang::En => format!("psql FAILS on {failed} of {of} connections to {endpoint} (the servers behind it differ): {error}{c}{st}"),
                    Lang::Zh => format!("psql 到 {endpoint} 的 {of} 次连接中有 {failed} 次失败（其后的服务器配置不同）：{error}{c}{st}"),
                    Lang::Ja => format!("psql は {endpoint} への {of} 回の接続のうち {failed} 回失敗します（背後のサーバーの設定が異なります）: {error}{c}{st}"),
                }
            }
        }
    }
}

impl How {
    /// How it is protected, in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match (self, lang) {
            (How::WithoutTls, Lang::En) => "WITHOUT TLS".into(),
            (How::WithoutTls, Lang::Zh) => "未使用 TLS".into(),
            (How::WithoutTls, Lang::Ja) => "TLS なし".into(),
            (How::Tls { version, chain_verified, hostname_verified }, lang) => {
                let what = match (lang, chain_verified, hostname_verified) {
                    (Lang::En, ..) => crate::verify::protection(true, *chain_verified, *hostname_verified),
                    (Lang::Zh, _, true) => "证书链和主机名均已验证",
                    (Lang::Zh, true, false) => "证书链已验证，未检查主机名",
                    (Lang::Zh, false, false) => "已加密，但未验证服务器",
                    (Lang::Ja, _, true) => "証明書チェーンとホスト名を検証済み",
                    (Lang::Ja, true, false) => "証明書チェーンは検証済み、ホスト名は未確認",
                    (Lang::Ja, false, false) => "暗号化のみ、サーバーは未検証",
                };
                let sep = match lang {
                    Lang::En => ", ",
                    Lang::Zh => "，",
                    Lang::Ja => "、",
                };
                if version.is_empty() { what.to_string() } else { format!("{version}{sep}{what}") }
            }
        }
    }
}

/// What psql would do, and why when it fails.
fn first_line(facts: &Facts, profile: &ClientProfile, findings: &[Finding]) -> FirstLine {
    let cause = findings.iter().find(|f| f.severity == Severity::Error).map(|f| f.code);
    let Some(overall) = facts.libpq_outcome(profile) else { return FirstLine::Nothing };
    // `--client STACK`: the first line is about the client the user named.
    if let Some(line) = named_stack_line(facts, profile, &overall, cause) {
        return line;
    }
    if !overall.connects {
        let tried: Vec<&HostFacts> = facts.verdicts().map(|(h, _)| h).take(overall.tried).collect();
        let error = overall.error.as_deref().unwrap_or("").lines().next().unwrap_or("").to_string();
        let stopped = overall.stopped_at.and_then(|i| facts.hosts.get(i)).map(|h| (h.probe.target.display_name(), facts.verdicts().count() - overall.tried));
        let last = tried.last().and_then(|h| h.verdict.as_ref());
        let at = tried.last().map(|h| h.probe.target.display_name()).unwrap_or_default();
        if last.is_some_and(|v| matches!(v.failure, Some(crate::verify::libpq::Failure::FirstQuery { .. }))) {
            return FirstLine::FirstQueryFails { endpoint: at, error, cause, stopped };
        }
        if let Some(s) = last.and_then(|v| v.intermittent) {
            return FirstLine::Intermittent { endpoint: at, failed: s.failed, of: s.of, error, cause, stopped };
        }
        let first = tried.first().map(|h| h.probe.target.display_name()).unwrap_or_default();
        return FirstLine::Fails { client: "psql".into(), endpoint: first, more: tried.len().saturating_sub(1), error, cause, stopped };
    }
    let psql = || FirstLine::Connects { client: "psql".into(), endpoint: None, how: None, others_failing: 0 };
    let Some(h) = overall.host.and_then(|i| facts.hosts.get(i)) else { return psql() };
    let Some(v) = &h.verdict else { return psql() };
    let how = if !v.tls {
        How::WithoutTls
    } else {
        How::Tls { version: h.probe.tls.as_ref().map(|t| t.version.name()).unwrap_or_default(), chain_verified: v.chain_verified, hostname_verified: v.hostname_verified }
    };
    let others_failing = facts.verdicts().filter(|(o, v)| !v.connects && o.endpoint() != h.endpoint()).count();
    FirstLine::Connects { client: "psql".into(), endpoint: Some(h.probe.target.display_name()), how: Some(how), others_failing }
}

/// The first line for `--client STACK` (a stack other than libpq): what that library does on
/// the host libpq would end up on (else the first host).
fn named_stack_line(facts: &Facts, profile: &ClientProfile, overall: &crate::facts::Overall, cause: Option<Code>) -> Option<FirstLine> {
    use crate::verify::clients::Stack;
    if profile.stacks_all || profile.stacks.first().is_none_or(|c| c.stack == Stack::Libpq) {
        return None;
    }
    let h = facts.hosts.get(overall.host.unwrap_or(0))?;
    let v = h.stacks.iter().find(|v| v.named)?;
    let client = match &v.variant {
        Some(var) => format!("{}:{var}", v.client),
        None => v.client.to_string(),
    };
    let endpoint = h.probe.target.display_name();
    Some(if v.connects {
        let how = if v.tls { How::Tls { version: String::new(), chain_verified: v.chain_verified, hostname_verified: v.hostname_verified } } else { How::WithoutTls };
        FirstLine::Connects { client, endpoint: Some(endpoint), how: Some(how), others_failing: 0 }
    } else {
        let error = v.error.as_deref().unwrap_or("").lines().next().unwrap_or("").to_string();
        FirstLine::Fails { client, endpoint, more: 0, error, cause, stopped: None }
    })
}
