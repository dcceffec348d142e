//! The Azure profile on the real public certificates it vendors: every chain's verdict for the
//! stores the issue names, before, at and after the instants that matter, checked against a
//! fixed table and against `openssl verify` itself when it is installed.

use super::*;
use crate::trust::{self, TrustSource};
use crate::x509::LabCert;
use time::macros::datetime;

fn azure() -> Profile {
    Profile::builtin("azure-2026").unwrap()
}

fn store_of(p: &Profile, name: &str, ids: &[&str]) -> TrustStore {
    TrustStore::from_certs(name, ids.iter().map(|id| p.cert(id).clone()).collect())
}

const G2: &str = "digicert-global-root-g2";
const MS2017: &str = "microsoft-rsa-root-ca-2017";
const RG2: &str = "microsoft-tls-rsa-root-g2";
const RG2_X: &str = "microsoft-tls-rsa-root-g2-xsign";
const ICA03_X: &str = "azure-rsa-tls-issuing-ca-03-xsign";

/// (store name, store ids)
fn stores() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("DigiCert Global Root G2", vec![G2]),
        ("self-signed Microsoft TLS RSA Root G2", vec![RG2]),
        ("G2 + Microsoft RSA Root CA 2017", vec![G2, MS2017]),
        ("pinned cross-sign Microsoft TLS RSA Root G2", vec![RG2_X]),
        ("pinned cross-sign Issuing CA 03", vec![ICA03_X]),
    ]
}

const JUN_2026: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);
const TODAY: OffsetDateTime = datetime!(2026-11-27 00:00 UTC);
const JUL_2028: OffsetDateTime = datetime!(2028-07-01 00:00 UTC);

/// Expected (new, new without the cross-sign, old-g2, old-2017) per store and instant.
fn expected(store: &str, at: OffsetDateTime) -> (bool, bool, bool, bool) {
    let before_aug_2026 = at < datetime!(2026-08-25 23:59:59 UTC);
    let before_may_2028 = at < datetime!(2028-05-25 23:49:25 UTC);
    match store {
        "DigiCert Global Root G2" => (true, false, before_aug_2026, false),
        "self-signed Microsoft TLS RSA Root G2" => (true, true, false, false),
        "G2 + Microsoft RSA Root CA 2017" => (true, false, before_aug_2026, before_may_2028),
        _ => (false, false, false, false),
    }
}

#[test]
fn profile_loads_its_real_certificates_and_checks_the_published_thumbprints() {
    let p = azure();
    assert_eq!(p.certs.len(), 15);
    assert_eq!(p.cert(G2).subject_cn.as_deref(), Some("DigiCert Global Root G2"));
    assert!(p.cert(RG2).same_ca(p.cert(RG2_X)), "one key, two issuers");
    assert!(p.cert(RG2_X).signed_by(p.cert(G2)));
    assert!(p.cert("microsoft-tls-g2-rsa-ca-ocsp-02").signed_by(p.cert(RG2)));
    assert_eq!(p.cert(ICA03_X).not_after, datetime!(2026-08-25 23:59:59 UTC));

    let toml = include_str!("../profiles/azure-2026.toml");
    let pem = include_str!("../profiles/azure-2026.pem");
    // A thumbprint that does not match the bytes is refused.
    let tampered = toml.replace("DF3C24F9BFD666761B268073FE06D1CC8D4F82A4", "DF3C24F9BFD666761B268073FE06D1CC8D4F82A5");
    let e = Profile::from_parts("t", &tampered, pem.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("published thumbprint"), "{e}");
    // So is a certificate the TOML does not describe, or one it describes that is missing.
    let extra = format!("{pem}{}", crate::trust::pem::to_pem(&pgtls_lab::CertKey::root("Stray").unwrap().info().der));
    assert!(Profile::from_parts("t", toml, extra.as_bytes()).unwrap_err().to_string().contains("no [[cert]] describes"));
    let missing = toml.replace("anchors = [\"microsoft-rsa-root-ca-2017\"]", "anchors = [\"nope\"]");
    assert!(Profile::from_parts("t", &missing, pem.as_bytes()).unwrap_err().to_string().contains("unknown certificate \"nope\""));
    assert!(matches!(Profile::builtin("nope"), Err(RotationError::Unknown(_))));
}

/// The matrix: each named chain × store × instant, against the table and against OpenSSL.
#[test]
fn chain_verdicts_for_the_named_stores_and_instants() {
    let p = azure();
    let openssl = std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success());
    let dir = tempfile::tempdir().unwrap();
    let mut checked_with_openssl = 0;
    for (name, ids) in stores() {
        let store = store_of(&p, name, &ids);
        for at in [JUN_2026, TODAY, JUL_2028] {
            let r = check(&p, &store, at);
            let v = |n: &str| r.chains.iter().find(|c| c.name == n).unwrap().clone();
            let (new, new_bare, old_g2, old_2017) = expected(name, at);
            let ctx = format!("{name} at {}: {:#?}", at.date(), r.chains);
            assert_eq!(v("new").verifies, new, "{ctx}");
            assert_eq!(v("new").verifies_without_optional, Some(new_bare), "{ctx}");
            assert_eq!(v("old-g2").verifies, old_g2, "{ctx}");
            assert_eq!(v("old-2017").verifies, old_2017, "{ctx}");
            assert_eq!(r.ready, new, "ready follows the chain servers present after the rotation: {ctx}");
            if !old_g2 && at > datetime!(2026-08-26 00:00 UTC) && name.contains("G2 ") {
                assert!(v("old-g2").reason.contains("certificate has expired"), "{ctx}");
            }
            if !openssl {
                continue;
            }
            // OpenSSL's own verdict for every issuing CA, with and without the cross-sign.
            let store_file = dir.path().join("store.pem");
            std::fs::write(&store_file, ids.iter().map(|id| to_pem(&p.cert(id).der)).collect::<String>()).unwrap();
            for ch in &p.chains {
                for with_optional in [true, false] {
                    if !with_optional && ch.optional.is_empty() {
                        continue;
                    }
                    let sent: Vec<&String> = ch.sent.iter().filter(|s| with_optional || !ch.optional.contains(s)).collect();
                    let mut all_ok = true;
                    for id in &ch.issuing {
                        let target = dir.path().join("target.pem");
                        std::fs::write(&target, to_pem(&p.cert(id).der)).unwrap();
                        let mut cmd = std::process::Command::new("openssl");
                        cmd.args(["verify", "-no-CApath", "-no-CAstore", "-CAfile"]).arg(&store_file);
                        if !sent.is_empty() {
                            let untrusted = dir.path().join("untrusted.pem");
                            std::fs::write(&untrusted, sent.iter().map(|s| to_pem(&p.cert(s).der)).collect::<String>()).unwrap();
                            cmd.arg("-untrusted").arg(&untrusted);
                        }
                        let out = cmd.args(["-attime", &at.unix_timestamp().to_string()]).arg(&target).output().unwrap();
                        all_ok &= out.status.success();
                        checked_with_openssl += 1;
                    }
                    let ours = if with_optional { v(&ch.name).verifies } else { v(&ch.name).verifies_without_optional.unwrap() };
                    assert_eq!(ours, all_ok, "OpenSSL disagrees on chain {} (cross-sign sent: {with_optional}) for {ctx}", ch.name);
                }
            }
        }
    }
    if openssl {
        assert!(checked_with_openssl >= 5 * 3 * 12, "{checked_with_openssl}");
    } else {
        eprintln!("openssl not installed: checked against the table only");
    }
}

#[test]
fn servers_are_placed_by_fingerprint_or_issuing_key() {
    let p = azure();
    let ocsp = p.cert("microsoft-tls-g2-rsa-ca-ocsp-04").clone();
    let leaf_stand_in = p.cert(ICA03_X).clone();
    assert_eq!(p.chain_of(&[leaf_stand_in.clone(), ocsp.clone(), p.cert(RG2_X).clone()]).unwrap().name, "new");
    assert_eq!(p.chain_of(&[leaf_stand_in.clone(), p.cert(ICA03_X).clone()]).unwrap().name, "old-g2");
    assert_eq!(p.chain_of(&[leaf_stand_in, p.cert("azure-rsa-tls-issuing-ca-08").clone()]).unwrap().name, "old-2017");
    // An OCSP intermediate the profile does not carry is placed by the key that signed it.
    assert_eq!(p.chain_of(&[ocsp]).unwrap().name, "new");
    // A look-alike with the same names and another key is not.
    let fake_root = pgtls_lab::CertKey::root("Microsoft TLS RSA Root G2").unwrap();
    let fake = fake_root.intermediate("Microsoft TLS G2 RSA CA OCSP 02").unwrap();
    assert!(p.chain_of(&[fake.info(), fake.info()]).is_none());
}

#[test]
fn bundle_takes_missing_roots_from_the_profile_and_verifies_every_chain() {
    let p = azure();
    let b = bundle(&p, &[], TODAY);
    assert_eq!(b.roots.len(), 4, "{b:#?}");
    assert!(b.roots.iter().all(|r| r.source.starts_with("pgtls profile azure-2026 (")), "{b:#?}");
    let text = b.pem();
    assert!(text.contains("# Subject: C=US, O=Microsoft Corporation, CN=Microsoft TLS RSA Root G2"), "{text}");
    assert!(text.contains(&format!("# SHA-256: {}", crate::x509::colon_hex(&p.cert(RG2).sha256))));
    // Roots only.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bundle.pem");
    std::fs::write(&f, &text).unwrap();
    let s = trust::load(&TrustSource::File(f)).unwrap();
    assert!(s.entries.iter().all(|e| e.cert.kind == CertKind::Root));
    // Every chain verifies with it, cross-sign sent or not, while its certificates are valid.
    let r = check(&p, &s, JUN_2026);
    for c in &r.chains {
        assert!(c.verifies && c.verifies_without_optional != Some(false), "{c:#?}");
    }
    let r = check(&p, &s, TODAY);
    assert!(r.ready && r.roots.iter().all(|x| x.present), "{r:#?}");

    // From the system store, the roots it has come from there and the rest from the profile.
    if let Ok(sys) = trust::load(&TrustSource::System { ssl_cert_file: None }) {
        let b = bundle(&p, &[sys], TODAY);
        let from = |cn: &str| b.roots.iter().find(|r| r.subject.ends_with(cn)).unwrap().source.clone();
        assert!(from("CN=DigiCert Global Root G2").starts_with("system store"), "{b:#?}");
        assert!(from("CN=Microsoft TLS RSA Root G2").starts_with("pgtls profile"), "{b:#?}");
    }
}
