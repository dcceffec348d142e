//! Provider certificate rotations as data, and "will this trust store still verify?".
//!
//! A rotation notice (e.g. Azure's 2026 intermediate CA change) is about certificates, so a
//! profile carries the real ones: each provider CA certificate, with where its bytes came from
//! and the thumbprint the provider publishes (checked when the profile loads), and the chains
//! servers present before and after the rotation. Names are for people; matching is by
//! SHA-256, and for roots by subject and key (a re-issued copy of a root with the same key is
//! the same anchor to OpenSSL).
//!
//! A chain's verdict is not a guess from names: it is the libpq/OpenSSL path-building model
//! ([`super::build_paths`]) run over the chain's issuing CA and the certificates the server
//! sends with it, against the given store at an instant. The server's own certificate is not
//! part of a profile, so the issuing CA stands in for it: the verdict is the one every server
//! certificate under that CA gets, host name aside. Readiness then follows from the verdicts of
//! the chains servers present after the rotation, and of the chains given servers present now.


use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::{build_paths, short_name, Options, PathReport};
use crate::{gathered::trust::TrustStore, pem::to_pem};
use crate::x509::{Cert, CertKind};

/// One provider certificate, with provenance.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProfileCert {
    pub id: String,
    /// SHA-256 of the DER, hex (colons and case ignored).
    pub sha256: String,
    /// Where the bytes came from (package and path, or repository, commit and path).
    pub source: String,
    /// The SHA-1 thumbprint the provider publishes; checked against the bytes at load.
    #[serde(default)]
    pub published_sha1: Option<String>,
    /// Where that thumbprint is published.
    #[serde(default)]
    pub published_in: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A root the profile's chains end at.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RootSpec {
    /// A `[[cert]]` id.
    pub cert: String,
    pub role: String,
}

/// When servers present a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Before,
    After,
}

/// One chain as servers present it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ChainSpec {
    pub name: String,
    pub phase: Phase,
    pub description: String,
    /// Root first, for display.
    pub path: Vec<String>,
    /// The issuing CAs (`[[cert]]` ids) that sign server certificates in this chain; the verdict
    /// is computed for each.
    pub issuing: Vec<String>,
    /// Further certificates the server sends above the issuing CA (cross-signs), bottom first.
    #[serde(default)]
    pub sent: Vec<String>,
    /// Of `sent`, those a server may leave out; the verdict is also computed without them.
    #[serde(default)]
    pub optional: Vec<String>,
    /// A served intermediate signed by one of these keys belongs to this chain even when its
    /// own certificate is not in the profile (e.g. OCSP 06–16 under Microsoft TLS RSA Root G2).
    #[serde(default)]
    pub issued_by: Vec<String>,
    /// The roots (`[[cert]]` ids) a client may trust for this chain.
    pub anchors: Vec<String>,
    /// Every client needs it (an `after` chain that fails makes the store unready); `false`
    /// for chains a customer opts into (e.g. RDS's rsa4096 and ecc384 families).
    #[serde(default = "yes")]
    pub required: bool,
    /// An `after` chain: the UTC day servers start presenting it, when the provider announced
    /// one (`"2026-03-09"`). Before that day readiness does not wait on it, but a store that
    /// will not verify it is told the day; without it the chain counts as already presented.
    #[serde(default, with = "day::option", skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// A `before` chain servers not yet rotated keep presenting, with no published end (Azure
    /// China's DigiCert Global Root CA chains): a store must keep verifying it, so it counts
    /// for readiness like an `after` chain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_rotated: bool,
}

time::serde::format_description!(day, Date, "[year]-[month]-[day]");

impl ChainSpec {
    /// Servers present it at `at`: every `before` chain (as far as the profile knows) and an
    /// `after` chain from its day on.
    pub fn presented_at(&self, at: OffsetDateTime) -> bool {
        self.from.is_none_or(|d| at.to_offset(time::UtcOffset::UTC).date() >= d)
    }

    /// A store must verify it at `at` to be ready: a required `after` chain servers present by
    /// then, or a required `before` chain servers keep presenting until they have rotated.
    pub fn needed_at(&self, at: OffsetDateTime) -> bool {
        self.required && ((self.phase == Phase::After && self.presented_at(at)) || (self.phase == Phase::Before && self.until_rotated))
    }
}

fn yes() -> bool {
    true
}

/// A rotation profile.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Profile {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub docs: Vec<String>,
    /// The PEM file with every `[[cert]]`, relative to the profile.
    pub pem: String,
    #[serde(rename = "cert")]
    pub certs: Vec<ProfileCert>,
    #[serde(rename = "root")]
    pub roots: Vec<RootSpec>,
    #[serde(rename = "chain")]
    pub chains: Vec<ChainSpec>,
    /// What the provider's sources do not establish, so no verdict covers it; `rotation` prints
    /// each line.
    #[serde(default)]
    pub not_checked: Vec<String>,
    /// Offered to `--profile auto` (recognised from the chain a server sends). `false` for a
    /// profile whose chains are roots standing in for unpublished intermediates.
    #[serde(default = "yes")]
    pub auto: bool,
    /// The parsed certificates, in `certs` order.
    #[serde(skip)]
    loaded: Vec<Cert>,
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("unknown rotation profile {0:?}; known: {known}", known = BUILTIN.iter().map(|b| b.0).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    #[error("rotation profile {name} is not valid TOML: {source}")]
    Parse { name: String, source: toml::de::Error },
    #[error("rotation profile {name}: {problem}")]
    Invalid { name: String, problem: ProfileProblem },
    #[error("rotation profile {name}: cannot read {path}: {source}")]
    Io { name: String, path: std::path::PathBuf, source: std::io::Error },
}

/// What is wrong in a profile's files (`RotationError::Invalid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileProblem {
    NotInPem { id: String, sha256: String, pem: String },
    ThumbprintDiffers { id: String, sha1: String, published: String },
    Undescribed { pem: String, subject: String, sha256: String },
    /// A `[[root]]` (`chain: None`) or a chain names a certificate no `[[cert]]` has.
    UnknownCert { chain: Option<String>, id: String },
    NoIssuing { chain: String },
    FromNotAfter { chain: String },
    UntilRotatedNotBefore { chain: String },
    RootNotSelfSigned { cert: String },
}

impl ProfileProblem {
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        use ProfileProblem::*;
        match self {
            NotInPem { id, sha256, pem } => say!("error.profile.not-in-pem", id = id, sha256 = sha256, pem = pem),
            ThumbprintDiffers { id, sha1, published } => say!("error.profile.thumbprint-differs", id = id, sha1 = sha1, published = published),
            Undescribed { pem, subject, sha256 } => say!("error.profile.undescribed", pem = pem, subject = subject, sha256 = sha256),
            UnknownCert { chain: None, id } => say!("error.profile.root-unknown-cert", id = format!("{id:?}")),
            UnknownCert { chain: Some(chain), id } => say!("error.profile.chain-unknown-cert", chain = chain, id = format!("{id:?}")),
            NoIssuing { chain } => say!("error.profile.no-issuing", chain = chain),
            FromNotAfter { chain } => say!("error.profile.from-not-after", chain = chain),
            UntilRotatedNotBefore { chain } => say!("error.profile.until-rotated-not-before", chain = chain),
            RootNotSelfSigned { cert } => say!("error.profile.root-not-self-signed", cert = cert),
        }
    }
}

impl std::fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.said().sentence(crate::findings::Lang::En))
    }
}

impl RotationError {
    /// The error as a message (its English is the `Display` text); a profile file's own
    /// problem, TOML's and the OS's words stay as written.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            RotationError::Unknown(name) => say!("error.rotation.unknown", name = format!("{name:?}"), known = builtin_names().join(", ")),
            RotationError::Parse { name, source } => say!("error.rotation.parse", name = name, error = source),
            RotationError::Invalid { name, problem } => say!("error.rotation.invalid", name = name, problem = problem.said()),
            RotationError::Io { name, path, source } => say!("error.rotation.io", name = name, path = path.display(), error = source),
        }
    }
}

/// (name, TOML, PEM)
const BUILTIN: &[(&str, &str, &str)] = &[
    ("azure-2026", include_str!("profiles/azure-2026.toml"), include_str!("profiles/azure-2026.pem")),
    ("azure-china-2026", include_str!("profiles/azure-china-2026.toml"), include_str!("profiles/azure-china-2026.pem")),
    ("aws-rds", include_str!("profiles/aws-rds.toml"), include_str!("profiles/aws-rds.pem")),
    (
        "azure-single-server-2022",
        include_str!("profiles/azure-single-server-2022.toml"),
        include_str!("profiles/azure-single-server-2022.pem"),
    ),
];

const PROFILE_SAID: &str = include_str!("profiles/said.toml");

/// A built-in profile's own text (its title, a chain's description, what it does not check, the
/// words of a chain's path that are not certificate names) in every language: its entry in
/// `profiles/said.toml`, else as written (a certificate name, a profile file's own text).
pub fn profile_said(text: &str) -> crate::findings::Template {
    #[derive(Deserialize)]
    struct Texts {
        text: Vec<crate::findings::Template>,
    }
    static T: std::sync::OnceLock<std::collections::BTreeMap<String, crate::findings::Template>> = std::sync::OnceLock::new();
    let t = T.get_or_init(|| {
        let texts: Texts = toml::from_str(PROFILE_SAID).expect("profiles/said.toml is valid (checked by tests)");
        texts.text.into_iter().map(|t| (t.en.clone(), t)).collect()
    });
    t.get(text).cloned().unwrap_or_else(|| crate::findings::Template { en: text.into(), zh: text.into(), ja: text.into() })
}

/// The names of the built-in profiles.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|b| b.0).collect()
}

fn norm_hex(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_hexdigit()).collect::<String>().to_ascii_lowercase()
}

impl Profile {
    pub fn builtin(name: &str) -> Result<Profile, RotationError> {
        let (_, toml, pem) = BUILTIN.iter().find(|b| b.0 == name).ok_or_else(|| RotationError::Unknown(name.to_string()))?;
        Profile::from_parts(name, toml, pem.as_bytes())
    }

    /// Parse the TOML, load the PEM, and check that both agree: every `[[cert]]` has exactly its
    /// bytes in the PEM, every PEM certificate is described, published thumbprints match, and
    /// every reference names a `[[cert]]`.
    pub fn from_parts(name: &str, toml_text: &str, pem: &[u8]) -> Result<Profile, RotationError> {
        let mut p: Profile = toml::from_str(toml_text).map_err(|source| RotationError::Parse { name: name.to_string(), source })?;
        let bad = |problem: ProfileProblem| RotationError::Invalid { name: name.to_string(), problem };
        let parsed = crate::x509::pem_certs(pem);
        let mut loaded = Vec::new();
        for spec in &p.certs {
            let want = norm_hex(&spec.sha256);
            let c = parsed
                .iter()
                .find(|c| c.sha256 == want)
                .ok_or_else(|| bad(ProfileProblem::NotInPem { id: spec.id.clone(), sha256: spec.sha256.clone(), pem: p.pem.clone() }))?;
            if let Some(t) = &spec.published_sha1 {
                if norm_hex(t) != c.sha1() {
                    return Err(bad(ProfileProblem::ThumbprintDiffers { id: spec.id.clone(), sha1: c.sha1(), published: t.clone() }));
                }
            }
            loaded.push(c.clone());
        }
        if let Some(extra) = parsed.iter().find(|c| !loaded.iter().any(|l| l.sha256 == c.sha256)) {
            return Err(bad(ProfileProblem::Undescribed { pem: p.pem.clone(), subject: extra.subject.to_string(), sha256: extra.sha256.to_string() }));
        }
        p.loaded = loaded;
        let ids: Vec<&str> = p.certs.iter().map(|c| c.id.as_str()).collect();
        let check = |chain: Option<&str>, id: &str| if ids.contains(&id) { Ok(()) } else { Err(bad(ProfileProblem::UnknownCert { chain: chain.map(str::to_string), id: id.to_string() })) };
        for r in &p.roots {
            check(None, &r.cert)?;
        }
        for ch in &p.chains {
            for id in ch.issuing.iter().chain(&ch.sent).chain(&ch.optional).chain(&ch.issued_by).chain(&ch.anchors) {
                check(Some(&ch.name), id)?;
            }
            if ch.issuing.is_empty() {
                return Err(bad(ProfileProblem::NoIssuing { chain: ch.name.clone() }));
            }
            if ch.from.is_some() && ch.phase != Phase::After {
                return Err(bad(ProfileProblem::FromNotAfter { chain: ch.name.clone() }));
            }
            if ch.until_rotated && ch.phase != Phase::Before {
                return Err(bad(ProfileProblem::UntilRotatedNotBefore { chain: ch.name.clone() }));
            }
        }
        for r in &p.roots {
            let c = p.cert(&r.cert);
            if c.kind != CertKind::Root {
                return Err(bad(ProfileProblem::RootNotSelfSigned { cert: r.cert.clone() }));
            }
        }
        Ok(p)
    }

    /// The certificate with this id (ids are checked at load).
    pub fn cert(&self, id: &str) -> &Cert {
        let i = self.certs.iter().position(|c| c.id == id).expect("profile ids are checked at load");
        &self.loaded[i]
    }

    pub fn spec(&self, id: &str) -> &ProfileCert {
        self.certs.iter().find(|c| c.id == id).expect("profile ids are checked at load")
    }

    /// The chain a server presents, from the certificates it sent (leaf first): by fingerprint
    /// first, then by the key that signed one of them.
    pub fn chain_of(&self, sent: &[Cert]) -> Option<&ChainSpec> {
        let ids_of = |ch: &ChainSpec| ch.issuing.iter().chain(&ch.sent).map(|id| self.cert(id).sha256.clone()).collect::<Vec<_>>();
        self.chains
            .iter()
            .find(|ch| {
                let shas = ids_of(ch);
                sent.iter().skip(1).any(|c| shas.contains(&c.sha256))
            })
            .or_else(|| {
                self.chains.iter().find(|ch| {
                    sent.iter().any(|c| {
                        ch.issued_by.iter().any(|id| {
                            let k = self.cert(id);
                            c.issuer_raw() == k.subject_raw() && c.signed_by(k)
                        })
                    })
                })
            })
    }
}

/// A store entry that is this root: the same bytes, or a self-signed copy with the same subject
/// and key.
fn is_copy_of_root(entry: &Cert, root: &Cert) -> bool {
    entry.sha256 == root.sha256 || (entry.kind == CertKind::Root && entry.same_ca(root))
}

/// One root of the profile, looked up in the store.
#[derive(Debug, Clone, Serialize)]
pub struct RootStatus {
    pub cn: String,
    pub subject: String,
    pub sha256: String,
    pub role: String,
    /// The chains that can end at it.
    pub anchors: Vec<String>,
    /// A usable copy is in the store.
    pub present: bool,
    /// Where it was found (`entry 12 (block 12 (line 300))`) and its fingerprint.
    pub found: Option<String>,
    /// Found only as a copy outside its validity period.
    pub unusable: Option<String>,
}

/// A chain's verdict against the store at the instant.
#[derive(Debug, Clone, Serialize)]
pub struct ChainVerdict {
    pub name: String,
    pub phase: Phase,
    pub description: String,
    pub path: Vec<String>,
    pub required: bool,
    /// The day servers start presenting it (an announced `after` chain), `"2026-03-09"`.
    #[serde(with = "day::option", skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// Servers present it at the instant.
    pub presented: bool,
    /// Servers not yet rotated keep presenting it, with no published end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub until_rotated: bool,
    /// The store must verify it at the instant to be ready.
    pub needed: bool,
    /// Every issuing CA of the chain verifies, with the server sending `sent`.
    pub verifies: bool,
    /// The issuing CAs that verify (short names), of `issuing`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covered: Vec<String>,
    pub issuing: usize,
    /// The issuing CAs that do not verify (short names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_covered: Vec<String>,
    /// The path that verifies, or why none does (OpenSSL's words).
    pub reason: String,
    /// The same when the server leaves out the optional certificates (`None`: nothing optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verifies_without_optional: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_without_optional: Option<String>,
}

/// The readiness report.
#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    pub profile: String,
    pub title: String,
    pub store: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub roots: Vec<RootStatus>,
    pub chains: Vec<ChainVerdict>,
    /// Store entries that are the provider's intermediates (information: they are never trust
    /// anchors for libpq, which does not set X509_V_FLAG_PARTIAL_CHAIN).
    pub pinned: Vec<String>,
    /// The given servers and the chain each presents.
    pub servers: Vec<ServerChain>,
    /// Every chain the store needs at the instant verifies ([`ChainSpec::needed_at`]: the
    /// required chains servers present after the rotation, from their day on, and those servers
    /// not yet rotated keep presenting), and so does the chain each given server presents now.
    pub ready: bool,
    /// Ready now, but not from this day: a required `after` chain the store does not verify
    /// starts then (`"2026-03-09"`).
    #[serde(with = "day::option", skip_serializing_if = "Option::is_none")]
    pub ready_until: Option<Date>,
    /// What the profile's sources do not establish, so no verdict covers it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
}

/// A server and the chain it presents.
#[derive(Debug, Clone, Serialize)]
pub struct ServerChain {
    pub endpoint: String,
    /// The profile chain it belongs to (by fingerprint or issuing key).
    pub chain: Option<String>,
    /// Subjects of the CA certificates it sent.
    pub intermediates: Vec<String>,
    pub reachable: bool,
    /// Its chain as sent verifies with the store at the instant (host name aside).
    pub verifies: Option<bool>,
    pub reason: Option<String>,
}

impl RotationReport {
    /// Add a server from the certificates it sent (leaf first; empty when unreachable).
    pub fn add_server(&mut self, profile: &Profile, store: &TrustStore, endpoint: String, sent: &[Cert]) {
        let verdict = (!sent.is_empty()).then(|| match build_paths(sent, store, &Options::at(self.at)) {
            Ok(r) => explain(&r),
            Err(e) => Err(e.to_string()),
        });
        let s = ServerChain {
            endpoint,
            chain: profile.chain_of(sent).map(|c| c.name.clone()),
            intermediates: sent.iter().skip(1).map(|c| c.short_name().to_string()).collect(),
            reachable: !sent.is_empty(),
            verifies: verdict.as_ref().map(Result::is_ok),
            reason: verdict.map(|v| v.unwrap_or_else(|e| e)),
        };
        self.ready &= s.verifies != Some(false);
        self.servers.push(s);
    }
}

/// (reason, issuing CAs that fail) for one chain; the reason is the first failure's, or the
/// first valid path when all verify.
fn verdict_for(p: &Profile, ch: &ChainSpec, store: &TrustStore, at: OffsetDateTime, with_optional: bool) -> (String, Vec<String>) {
    let opts = Options::at(at);
    let mut first_ok = None;
    let mut first_err = None;
    let mut failing = Vec::new();
    for id in &ch.issuing {
        let mut chain = vec![p.cert(id).clone()];
        chain.extend(ch.sent.iter().filter(|s| with_optional || !ch.optional.contains(s)).map(|s| p.cert(s).clone()));
        let verdict = build_paths(&chain, store, &opts).map_err(|e| format!("{}: {e}", p.cert(id).short_name())).and_then(|r| explain(&r));
        match verdict {
            Ok(path) => {
                first_ok.get_or_insert(path);
            }
            Err(why) => {
                first_err.get_or_insert(why);
                failing.push(p.cert(id).short_name().to_string());
            }
        }
    }
    (first_err.or(first_ok).unwrap_or_default(), failing)
}

/// The first valid path, or OpenSSL's reason for the most likely failure.
fn explain(r: &PathReport) -> Result<String, String> {
    if let Some(ok) = r.valid_paths().next() {
        return Ok(ok.describe());
    }
    Err(r.best_failure().map(|a| a.describe()).unwrap_or_else(|| "no path was found".into()))
}

/// The verdict of one chain against `store` at `at`.
pub fn chain_verdict(p: &Profile, ch: &ChainSpec, store: &TrustStore, at: OffsetDateTime) -> ChainVerdict {
    let (reason, not_covered) = verdict_for(p, ch, store, at, true);
    let without = (!ch.optional.is_empty()).then(|| verdict_for(p, ch, store, at, false));
    ChainVerdict {
        name: ch.name.clone(),
        phase: ch.phase,
        description: ch.description.clone(),
        path: ch.path.clone(),
        required: ch.required,
        from: ch.from,
        presented: ch.presented_at(at),
        until_rotated: ch.until_rotated,
        needed: ch.needed_at(at),
        verifies: not_covered.is_empty(),
        covered: ch.issuing.iter().map(|id| p.cert(id).short_name().to_string()).filter(|n| !not_covered.contains(n)).collect(),
        issuing: ch.issuing.len(),
        not_covered,
        reason,
        verifies_without_optional: without.as_ref().map(|w| w.1.is_empty()),
        reason_without_optional: without.map(|w| w.0),
    }
}

/// Will `store` verify the chains of `profile` at `at`?
pub fn check(profile: &Profile, store: &TrustStore, at: OffsetDateTime) -> RotationReport {
    let roots = profile
        .roots
        .iter()
        .map(|spec| {
            let root = profile.cert(&spec.cert);
            let mut st = RootStatus {
                cn: root.short_name().to_string(),
                subject: root.subject.clone(),
                sha256: crate::x509::colon_hex(&root.sha256),
                role: spec.role.clone(),
                anchors: profile.chains.iter().filter(|c| c.anchors.contains(&spec.cert)).map(|c| c.name.clone()).collect(),
                present: false,
                found: None,
                unusable: None,
            };
            for e in store.entries.iter().filter(|e| is_copy_of_root(&e.cert, root)) {
                let label = crate::gathered::trust::TrustEntry::label_said(&e.label);
                let where_ = crate::say!("trust-label.found", index = e.index, label = label, sha256 = crate::x509::colon_hex(&e.cert.sha256)).sentence(crate::findings::Lang::En);
                if e.cert.invalid_at(at) {
                    st.unusable = Some(format!("{where_}: outside its validity period"));
                } else {
                    st.present = true;
                    st.found = Some(where_);
                    break;
                }
            }
            st
        })
        .collect();
    let chains: Vec<ChainVerdict> = profile.chains.iter().map(|ch| chain_verdict(profile, ch, store, at)).collect();
    let intermediates: Vec<&Cert> = profile.loaded.iter().filter(|c| c.kind != CertKind::Root).collect();
    let pinned = store
        .entries
        .iter()
        .filter(|e| e.cert.kind != CertKind::Root && intermediates.iter().any(|i| i.same_ca(&e.cert)))
        .map(|e| format!("entry {} ({}): {} issued by {}", e.index, e.label, e.cert.subject, short_name(&e.cert.issuer)))
        .collect();
    let ready = chains.iter().filter(|c| c.needed).all(|c| c.verifies);
    let ready_until = if ready {
        chains.iter().filter(|c| c.phase == Phase::After && c.required && !c.presented && !c.verifies).filter_map(|c| c.from).min()
    } else {
        None
    };
    RotationReport {
        profile: profile.name.clone(),
        title: profile.title.clone(),
        store: store.source.clone(),
        at,
        roots,
        chains,
        pinned,
        servers: vec![],
        ready,
        ready_until,
        not_checked: profile.not_checked.clone(),
    }
}

/// One root taken into a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleRoot {
    pub subject: String,
    pub sha256: String,
    /// Which store and entry it came from, or the profile's provenance.
    pub source: String,
    /// Why the profile recommends it (its `[[root]]` role).
    pub reason: String,
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// The roots of a profile.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub profile: String,
    pub title: String,
    pub roots: Vec<BundleRoot>,
    /// Roots left out because they are outside their validity period at the instant.
    pub left_out: Vec<String>,
}

impl Bundle {
    /// The PEM text: each root preceded by `# Subject:`, `# SHA-256:` and `# From:` comments.
    pub fn pem(&self) -> String {
        let mut out = format!(
            "# {}\n# Roots for profile {}: every chain of the profile verifies with these (and no intermediates).\n",
            self.title, self.profile
        );
        for r in &self.roots {
            out.push_str(&format!(
                "\n# Subject: {}\n# SHA-256: {}\n# From: {}\n# Why: {}\n",
                r.subject,
                crate::x509::colon_hex(&r.sha256),
                r.source,
                r.reason
            ));
            out.push_str(&to_pem(&r.der));
        }
        for m in &self.left_out {
            out.push_str(&format!("\n# Left out: {m}\n"));
        }
        out
    }
}

/// Every root of the profile: the copy in `sources` (e.g. the system store) when one is there,
/// otherwise the profile's own certificate, with its provenance.
pub fn bundle(profile: &Profile, sources: &[TrustStore], at: OffsetDateTime) -> Bundle {
    let mut b = Bundle { profile: profile.name.clone(), title: profile.title.clone(), roots: vec![], left_out: vec![] };
    for spec in &profile.roots {
        let root = profile.cert(&spec.cert);
        let found = sources
            .iter()
            .flat_map(|s| s.entries.iter().map(move |e| (s, e)))
            .find(|(_, e)| e.cert.sha256 == root.sha256 || (is_copy_of_root(&e.cert, root) && !e.cert.invalid_at(at)));
        let (cert, source) = match found {
            Some((s, e)) => (&e.cert, format!("{} {}", s.source, e.label)),
            None => (root, format!("pgtls profile {} ({})", profile.name, profile.spec(&spec.cert).source)),
        };
        if cert.invalid_at(at) {
            b.left_out.push(format!("{} (SHA-256 {}): not valid at {}", cert.subject, crate::x509::colon_hex(&cert.sha256), at.date()));
            continue;
        }
        b.roots.push(BundleRoot { subject: cert.subject.clone(), sha256: cert.sha256.clone(), source, reason: spec.role.clone(), der: cert.der.clone() });
    }
    b
}


#[cfg(test)]
mod said_tests {
    use super::*;
    use crate::findings::{english_words, Lang};

    /// Every text of a built-in profile that a report shows (title, descriptions, what is not
    /// checked, a path's words other than certificate names) has its zh and ja, and these hold
    /// no English sentence once the certificate and product names are taken out.
    #[test]
    fn every_profile_text_is_said() {
        let profiles: Vec<Profile> = builtin_names().into_iter().map(|n| Profile::builtin(n).unwrap()).collect();
        // Certificate names as the paths give them (`Issuing CA 03 | 04 [cross-sign]`), and the
        // names the texts use besides.
        let mut names: Vec<String> = profiles
            .iter()
            .flat_map(|p| p.chains.iter().flat_map(|c| c.path.iter()))
            .filter(|p| !p.contains(" ("))
            .flat_map(|p| p.split(" | ").next().map(|f| f.split(" [").next().unwrap_or(f).to_string()))
            .collect();
        names.extend(["Microsoft RSA Root CA 2017", "Microsoft TLS RSA Root G2", "Amazon RDS Root 2019 CA", "Azure Database for PostgreSQL Single Server", "Azure Database for PostgreSQL", "Amazon RDS", "Aurora", "Microsoft", "DigiCert"].map(String::from));
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let mut problems = Vec::new();
        for p in &profiles {
            let mut texts: Vec<&String> = vec![&p.title];
            texts.extend(&p.not_checked);
            texts.extend(p.chains.iter().map(|c| &c.description));
            texts.extend(p.chains.iter().flat_map(|c| c.path.iter()).filter(|x| x.contains(" (") || x.starts_with(|c: char| !c.is_ascii_uppercase())));
            for text in texts {
                let t = profile_said(text);
                assert_eq!(&t.en, text);
                for lang in [Lang::Zh, Lang::Ja] {
                    let mut ours = t.text(lang).to_string();
                    for n in &names {
                        ours = ours.replace(n.as_str(), " ");
                    }
                    let words = english_words(&ours);
                    if !words.is_empty() || t.text(lang) == text {
                        problems.push(format!("{} ({lang:?}): {words:?} in {:?}", p.name, t.text(lang)));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "profile texts not said:\n{}", problems.join("\n"));
    }
}
