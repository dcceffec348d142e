//! Provider certificate rotations as data, and "is this trust store ready?".
//!
//! A rotation notice (e.g. Azure's 2026 intermediate CA change) boils down to: which roots the
//! new chain ends at, which intermediates go away, and which cross-signs exist. Kept as TOML
//! profiles (`profiles/*.toml`) so a new notice is a data change. A store is ready when every
//! required root is present as a valid self-signed certificate and nothing from the provider's
//! chains (intermediates, server certificates) is pinned in it. Certificates are matched by
//! subject CN and O, not fingerprint (see the profile for why); reports show fingerprints so a
//! user can compare with the vendor's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::short_name;
use crate::trust::{pem::to_pem, TrustStore};
use crate::x509::{Cert, CertKind};

/// A root CA the provider's chains end at.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RootSpec {
    pub cn: String,
    /// Organization; when present it must match too.
    #[serde(default)]
    pub o: Option<String>,
    pub required: bool,
    pub role: String,
}

/// One chain as served before/after the rotation.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ChainSpec {
    pub name: String,
    pub description: String,
    /// Root first, for display.
    pub path: Vec<String>,
    /// CNs of the intermediates (pinning any of these is a finding).
    pub intermediates: Vec<String>,
    pub anchor: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CrossSign {
    pub subject: String,
    pub issuer: String,
    pub note: String,
}

/// A rotation profile.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Profile {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub docs: Vec<String>,
    #[serde(rename = "root")]
    pub roots: Vec<RootSpec>,
    #[serde(rename = "chain")]
    pub chains: Vec<ChainSpec>,
    #[serde(default, rename = "cross_sign")]
    pub cross_signs: Vec<CrossSign>,
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("unknown rotation profile {0:?}; known: {known}", known = BUILTIN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
    Unknown(String),
    #[error("rotation profile {name} is not valid TOML: {source}")]
    Parse {
        name: String,
        source: toml::de::Error,
    },
    #[error("cannot build the bundle: root(s) not found in the given sources: {0}; install the ca-certificates package or download them from the provider")]
    MissingRoots(String),
}

const BUILTIN: &[(&str, &str)] = &[("azure-2026", include_str!("profiles/azure-2026.toml"))];

impl Profile {
    pub fn builtin(name: &str) -> Result<Profile, RotationError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| RotationError::Unknown(name.to_string()))?;
        Profile::from_toml(name, text)
    }

    pub fn from_toml(name: &str, text: &str) -> Result<Profile, RotationError> {
        toml::from_str(text).map_err(|source| RotationError::Parse {
            name: name.to_string(),
            source,
        })
    }
}

fn matches_root(spec: &RootSpec, c: &Cert) -> bool {
    c.subject_cn.as_deref() == Some(spec.cn.as_str())
        && spec
            .o
            .as_ref()
            .is_none_or(|o| c.organization() == Some(o.as_str()))
}

/// One root of the profile, looked up in the store.
#[derive(Debug, Clone, Serialize)]
pub struct RootStatus {
    pub cn: String,
    pub required: bool,
    pub role: String,
    /// A valid self-signed copy is in the store.
    pub present: bool,
    /// Where it was found (`entry 12 (block 12 (line 300))`) and its fingerprint.
    pub found: Option<String>,
    /// Found only as an expired or not self-signed copy.
    pub unusable: Option<String>,
}

/// The readiness report.
#[derive(Debug, Clone, Serialize)]
pub struct RotationReport {
    pub profile: String,
    pub title: String,
    pub store: String,
    pub roots: Vec<RootStatus>,
    /// Store entries that pin the provider's intermediates or server certificates.
    pub pinned: Vec<String>,
    pub ready: bool,
}

/// Is `store` ready for the rotation described by `profile`, at `at`?
pub fn check(profile: &Profile, store: &TrustStore, at: OffsetDateTime) -> RotationReport {
    let mut roots = Vec::new();
    for spec in &profile.roots {
        let mut st = RootStatus {
            cn: spec.cn.clone(),
            required: spec.required,
            role: spec.role.clone(),
            present: false,
            found: None,
            unusable: None,
        };
        for e in store.entries.iter().filter(|e| matches_root(spec, &e.cert)) {
            let c = &e.cert;
            let where_ = format!("entry {} ({}), SHA-256 {}", e.index, e.label, crate::x509::colon_hex(&c.sha256));
            if c.kind == CertKind::Root && !c.expired_at(at) && !c.not_yet_valid_at(at) {
                st.present = true;
                st.found = Some(where_);
                break;
            }
            let why = if c.kind != CertKind::Root {
                "not self-signed (a cross-certificate, not a root)"
            } else {
                "outside its validity period"
            };
            st.unusable = Some(format!("{where_}: {why}"));
        }
        roots.push(st);
    }
    let ica_names: Vec<&str> = profile
        .chains
        .iter()
        .flat_map(|c| c.intermediates.iter().map(String::as_str))
        .collect();
    let provider_names: Vec<&str> = ica_names
        .iter()
        .copied()
        .chain(profile.roots.iter().map(|r| r.cn.as_str()))
        .collect();
    let pinned: Vec<String> = store
        .entries
        .iter()
        .filter(|e| e.cert.kind != CertKind::Root)
        .filter(|e| {
            let cn = e.cert.subject_cn.as_deref().unwrap_or("");
            let issuer_cn = short_name(&e.cert.issuer);
            ica_names.contains(&cn)
                || (e.cert.kind == CertKind::Leaf && provider_names.contains(&issuer_cn.as_str()))
        })
        .map(|e| {
            format!(
                "entry {} ({}): {} [{:?}]",
                e.index, e.label, e.cert.subject, e.cert.kind
            )
        })
        .collect();

    let ready = roots.iter().all(|r| !r.required || r.present) && pinned.is_empty();
    RotationReport {
        profile: profile.name.clone(),
        store: store.source.clone(),
        roots,
        title: profile.title.clone(),
        pinned,
        ready,
    }
}

/// One root taken into a bundle.
#[derive(Debug, Clone, Serialize)]
pub struct BundleRoot {
    pub subject: String,
    pub sha256: String,
    /// Which store and entry it came from.
    pub source: String,
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// The roots of a profile, found in the given sources.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub profile: String,
    pub title: String,
    pub roots: Vec<BundleRoot>,
    /// Optional roots no source had.
    pub missing_optional: Vec<String>,
}

impl Bundle {
    /// The PEM text: each root preceded by `# Subject:`, `# SHA-256:` and `# From:` comments.
    pub fn pem(&self) -> String {
        let mut out = format!(
            "# {}\n# Roots for profile {}; matched by subject CN/O, compare the SHA-256 with the vendor's.\n",
            self.title, self.profile
        );
        for r in &self.roots {
            out.push_str(&format!(
                "\n# Subject: {}\n# SHA-256: {}\n# From: {}\n",
                r.subject,
                crate::x509::colon_hex(&r.sha256),
                r.source
            ));
            out.push_str(&to_pem(&r.der));
        }
        for m in &self.missing_optional {
            out.push_str(&format!("\n# Not found (optional): {m}\n"));
        }
        out
    }
}

/// Every root of the profile, taken from `sources` (e.g. the system store). Fails if a
/// required root is missing.
pub fn bundle(profile: &Profile, sources: &[TrustStore], at: OffsetDateTime) -> Result<Bundle, RotationError> {
    let mut b = Bundle { profile: profile.name.clone(), title: profile.title.clone(), roots: vec![], missing_optional: vec![] };
    let mut missing_required = Vec::new();
    for spec in &profile.roots {
        let found = sources
            .iter()
            .flat_map(|s| s.entries.iter().map(move |e| (s, e)))
            .find(|(_, e)| matches_root(spec, &e.cert) && e.cert.kind == CertKind::Root && !e.cert.expired_at(at));
        match found {
            Some((s, e)) => b.roots.push(BundleRoot {
                subject: e.cert.subject.clone(),
                sha256: e.cert.sha256.clone(),
                source: format!("{} {}", s.source, e.label),
                der: e.cert.der.clone(),
            }),
            None if spec.required => missing_required.push(spec.cn.clone()),
            None => b.missing_optional.push(spec.cn.clone()),
        }
    }
    if !missing_required.is_empty() {
        return Err(RotationError::MissingRoots(missing_required.join(", ")));
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{self, TrustSource};
    use crate::x509::LabCert;
    use pgtls_lab::{days_ago, days_ahead, now, CertKey, CertSpec};

    fn named_root(cn: &str, o: &str) -> CertKey {
        CertKey::root_with(cn, &CertSpec::valid(days_ago(1), days_ahead(100)).org(o)).unwrap()
    }

    #[test]
    fn builtin_profile_parses() {
        let p = Profile::builtin("azure-2026").unwrap();
        assert_eq!(p.roots.iter().filter(|r| r.required).count(), 1);
        assert!(p.chains.iter().any(|c| c.name == "new"
            && c.intermediates
                .contains(&"Microsoft TLS G2 RSA CA OCSP 16".to_string())));
        assert!(matches!(
            Profile::builtin("nope"),
            Err(RotationError::Unknown(_))
        ));
        assert!(matches!(
            Profile::from_toml("x", "name = 1"),
            Err(RotationError::Parse { .. })
        ));
    }

    #[test]
    fn readiness_table() {
        let p = Profile::builtin("azure-2026").unwrap();
        let g2 = named_root("DigiCert Global Root G2", "DigiCert Inc");
        let fake_g2 = named_root("DigiCert Global Root G2", "Evil Inc");
        let ms = named_root(
            "Microsoft RSA Root Certificate Authority 2017",
            "Microsoft Corporation",
        );
        let ica = g2.intermediate("Microsoft Azure RSA TLS Issuing CA 03").unwrap();
        let server = ica.leaf("x.postgres.database.azure.com", &["x.postgres.database.azure.com"]).unwrap();
        let cases: Vec<(&str, Vec<&CertKey>, bool, usize)> = vec![
            ("G2 only", vec![&g2], true, 0),
            ("G2 + MS 2017", vec![&g2, &ms], true, 0),
            ("MS 2017 only", vec![&ms], false, 1),
            ("wrong organisation", vec![&fake_g2], false, 1),
            ("G2 + pinned ICA", vec![&g2, &ica], false, 1),
            ("pinned server cert only", vec![&server], false, 2),
        ];
        for (name, certs, ready, nfind) in cases {
            let store = TrustStore::from_certs(name, certs.iter().map(|c| c.info()).collect());
            let r = check(&p, &store, now());
            assert_eq!(r.ready, ready, "{name}: {r:#?}");
            let facts = crate::facts::Facts { rotation: Some(r), ..Default::default() };
            let found = crate::checks::run(&facts, &crate::checks::Context::default());
            assert_eq!(found.len(), nfind, "{name}: {found:#?}");
            assert!(found.iter().all(|f| f.code == "rotation-unready"));
        }
    }

    #[test]
    fn bundle_from_sources() {
        let p = Profile::builtin("azure-2026").unwrap();
        let g2 = named_root("DigiCert Global Root G2", "DigiCert Inc");
        let src = TrustStore::from_certs("test source", vec![g2.info()]);
        let text = bundle(&p, &[src], now()).unwrap().pem();
        assert!(
            text.contains("# Subject: O=DigiCert Inc, CN=DigiCert Global Root G2")
                || text.contains("CN=DigiCert Global Root G2"),
            "{text}"
        );
        assert!(text.contains(&format!("# SHA-256: {}", crate::x509::colon_hex(&g2.info().sha256))));
        assert!(text.contains("# Not found (optional): DigiCert Global Root CA"));
        // The bundle is itself a loadable trust store, and passes the readiness check.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("azure.pem");
        std::fs::write(&f, &text).unwrap();
        let s = trust::load(&TrustSource::File(f)).unwrap();
        assert!(check(&p, &s, now()).ready);
        let empty = TrustStore::from_certs("empty", vec![]);
        assert!(
            matches!(bundle(&p, &[empty], now()), Err(RotationError::MissingRoots(m)) if m.contains("G2"))
        );
    }

    #[test]
    fn system_store_has_the_azure_roots() {
        let Ok(sys) = trust::load(&TrustSource::System {
            ssl_cert_file: None,
        }) else {
            eprintln!("skipping: no system trust store");
            return;
        };
        let p = Profile::builtin("azure-2026").unwrap();
        let r = check(&p, &sys, now());
        assert!(r.ready, "{r:#?}");
        let text = bundle(&p, &[sys], now()).unwrap().pem();
        assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 3, "{text}");
    }
}
