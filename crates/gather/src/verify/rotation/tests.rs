//! The Azure profile on the real public certificates it vendors: every chain's verdict for the
//! stores the issue names, before, at and after the instants that matter, checked against a
//! fixed table and against `openssl verify` itself when it is installed.

use super::*;
use time::OffsetDateTime;
use crate::trust::{pem::to_pem, TrustStore};
use crate::x509::CertKind;
use crate::trust::{self, TrustSource};
use crate::x509::LabCert;
use std::path::Path;
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

fn have_openssl() -> bool {
    std::process::Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

/// `openssl verify -no-CApath -no-CAstore -CAfile STORE [-untrusted SENT] -attime AT ISSUING`
/// succeeds for every issuing CA of the chain.
fn openssl_verifies(p: &Profile, ch: &ChainSpec, store_pem: &str, at: OffsetDateTime, with_optional: bool, dir: &Path) -> bool {
    let store_file = dir.join("store.pem");
    std::fs::write(&store_file, store_pem).unwrap();
    let sent: Vec<&String> = ch.sent.iter().filter(|s| with_optional || !ch.optional.contains(s)).collect();
    ch.issuing.iter().all(|id| {
        let target = dir.join("target.pem");
        std::fs::write(&target, to_pem(&p.cert(id).der)).unwrap();
        let mut cmd = std::process::Command::new("openssl");
        cmd.args(["verify", "-no-CApath", "-no-CAstore", "-CAfile"]).arg(&store_file);
        if !sent.is_empty() {
            let untrusted = dir.join("untrusted.pem");
            std::fs::write(&untrusted, sent.iter().map(|s| to_pem(&p.cert(s).der)).collect::<String>()).unwrap();
            cmd.arg("-untrusted").arg(&untrusted);
        }
        cmd.args(["-attime", &at.unix_timestamp().to_string()]).arg(&target).output().unwrap().status.success()
    })
}

#[test]
fn profile_loads_its_real_certificates_and_checks_the_published_thumbprints() {
    let p = azure();
    assert_eq!(p.certs.len(), 21);
    assert_eq!(p.chains[0].issuing.len(), 8, "OCSP 02 to 16");
    assert_eq!(p.cert(G2).subject_cn.as_deref(), Some("DigiCert Global Root G2"));
    assert!(p.cert(RG2).same_ca(p.cert(RG2_X)), "one key, two issuers");
    assert!(p.cert(RG2_X).signed_by(p.cert(G2)));
    for n in ["02", "04", "06", "08", "10", "12", "14", "16"] {
        let ocsp = p.cert(&format!("microsoft-tls-g2-rsa-ca-ocsp-{n}"));
        assert!(ocsp.signed_by(p.cert(RG2)) && ocsp.signed_by(p.cert(RG2_X)), "OCSP {n}");
        assert_eq!(ocsp.not_after.year(), 2029, "OCSP {n}");
    }
    assert_eq!(p.cert(ICA03_X).not_after, datetime!(2026-08-25 23:59:59 UTC));

    let toml = include_str!("../../../../core/src/verify/profiles/azure-2026.toml");
    let pem = include_str!("../../../../core/src/verify/profiles/azure-2026.pem");
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
    let openssl = have_openssl();
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
            let store_pem: String = ids.iter().map(|id| to_pem(&p.cert(id).der)).collect();
            for ch in &p.chains {
                for with_optional in [true, false] {
                    if !with_optional && ch.optional.is_empty() {
                        continue;
                    }
                    let theirs = openssl_verifies(&p, ch, &store_pem, at, with_optional, dir.path());
                    checked_with_openssl += ch.issuing.len();
                    let ours = if with_optional { v(&ch.name).verifies } else { v(&ch.name).verifies_without_optional.unwrap() };
                    assert_eq!(ours, theirs, "OpenSSL disagrees on chain {} (cross-sign sent: {with_optional}) for {ctx}", ch.name);
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
    // And OpenSSL agrees: the written file, as -CAfile, verifies every chain of the profile,
    // with and without the cross-sign, at an instant when all of them are valid.
    if have_openssl() {
        for ch in &p.chains {
            assert!(openssl_verifies(&p, ch, &text, JUN_2026, true, dir.path()), "{}", ch.name);
            assert!(openssl_verifies(&p, ch, &text, JUN_2026, false, dir.path()), "{} without the cross-sign", ch.name);
        }
        // Today the old-g2 copies have expired; everything else still verifies.
        for ch in p.chains.iter().filter(|c| c.name != "old-g2") {
            assert!(openssl_verifies(&p, ch, &text, TODAY, false, dir.path()), "{}", ch.name);
        }
        assert!(!openssl_verifies(&p, &p.chains[1], &text, TODAY, false, dir.path()));
    }

    // From the system store, the roots it has come from there and the rest from the profile.
    if let Ok(sys) = trust::load(&TrustSource::System { ssl_cert_file: None }) {
        let b = bundle(&p, &[sys], TODAY);
        let from = |cn: &str| b.roots.iter().find(|r| r.subject.ends_with(cn)).unwrap().source.clone();
        assert!(from("CN=DigiCert Global Root G2").starts_with("system store"), "{b:#?}");
        assert!(from("CN=Microsoft TLS RSA Root G2").starts_with("pgtls profile"), "{b:#?}");
    }
}

/// AWS RDS: one root per region and CA family. A store verifies a family's chain region by
/// region; OpenSSL agrees on the family verdicts.
#[test]
fn aws_rds_profile_judges_regions_and_families() {
    let p = Profile::builtin("aws-rds").unwrap();
    assert_eq!(p.certs.len(), 108);
    let chain = |n: &str| p.chains.iter().find(|c| c.name == n).unwrap();
    for fam in ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] {
        assert_eq!(chain(fam).issuing.len(), 28, "{fam}");
    }
    assert!(chain("rds-ca-rsa2048-g1").required && !chain("rds-ca-ecc384-g1").required);
    let g1: Vec<&str> = p.roots.iter().map(|r| r.cert.as_str()).filter(|id| id.ends_with("-g1")).collect();
    let dir = tempfile::tempdir().unwrap();

    // Every G1 root: every family verifies; rds-ca-2019 does not (its root expired 2024-08-22).
    let all = store_of(&p, "G1 roots", &g1);
    let r = check(&p, &all, TODAY);
    assert!(r.ready, "{r:#?}");
    assert!(r.chains.iter().filter(|c| c.phase == Phase::After).all(|c| c.verifies && c.covered.len() == 28));
    assert!(!r.chains[0].verifies && r.chains[0].name == "rds-ca-2019");
    // Only us-east-1's RSA2048 root: one region of one family, so not ready.
    let east = store_of(&p, "us-east-1", &["rds-us-east-1-root-rsa2048-g1"]);
    let r = check(&p, &east, TODAY);
    let v = r.chains.iter().find(|c| c.name == "rds-ca-rsa2048-g1").unwrap();
    assert_eq!(v.covered, vec!["Amazon RDS us-east-1 Root CA RSA2048 G1".to_string()], "{v:#?}");
    assert_eq!(v.not_covered.len(), 27);
    assert!(!r.ready);
    let facts = crate::facts::Facts { rotation: Some(r), ..Default::default() };
    let found = crate::checks::run(&facts, &crate::checks::Context::at(TODAY));
    use crate::findings::Severity;
    assert_eq!(found.iter().filter(|f| f.severity == Severity::Warning).count(), 1, "{found:#?}");
    assert!(found[0].detail.contains("it verifies only Amazon RDS us-east-1 Root CA RSA2048 G1"), "{found:#?}");
    // rds-ca-2019 verified before its root expired.
    let old = store_of(&p, "2019", &["rds-root-2019"]);
    assert!(check(&p, &old, datetime!(2024-01-01 00:00 UTC)).chains[0].verifies);
    if have_openssl() {
        let pem = |ids: &[&str]| ids.iter().map(|id| to_pem(&p.cert(id).der)).collect::<String>();
        for ch in p.chains.iter().filter(|c| c.phase == Phase::After) {
            assert!(openssl_verifies(&p, ch, &pem(&g1), TODAY, true, dir.path()), "{}", ch.name);
            assert!(!openssl_verifies(&p, ch, &pem(&["rds-us-east-1-root-rsa2048-g1"]), TODAY, true, dir.path()), "{}", ch.name);
        }
        assert!(openssl_verifies(&p, chain("rds-ca-2019"), &pem(&["rds-root-2019"]), datetime!(2024-01-01 00:00 UTC), true, dir.path()));
        assert!(!openssl_verifies(&p, chain("rds-ca-2019"), &pem(&["rds-root-2019"]), TODAY, true, dir.path()));
    }
    // Servers are placed by fingerprint (a 2019 regional CA) or by the root key that signed
    // what they sent (a G1 subordinate; here the root itself stands in).
    let x = p.cert("rds-us-east-1-2019").clone();
    assert_eq!(p.chain_of(&[x.clone(), x]).unwrap().name, "rds-ca-2019");
    assert_eq!(p.chain_of(&[p.cert("rds-eu-west-1-root-ecc384-g1").clone()]).unwrap().name, "rds-ca-ecc384-g1");
    // The bundle: every root still valid; the expired 2019 root is left out and says so.
    let b = bundle(&p, &[], TODAY);
    assert_eq!(b.roots.len(), 84);
    assert!(b.left_out.len() == 1 && b.left_out[0].contains("Amazon RDS Root 2019 CA"), "{:?}", b.left_out);
}

/// Azure Single Server's root change: roots only, each verdict against OpenSSL.
#[test]
fn azure_single_server_root_change() {
    let p = Profile::builtin("azure-single-server-2022").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (vec!["baltimore-cybertrust-root"], datetime!(2022-06-01 00:00 UTC), true, false),
        (vec!["baltimore-cybertrust-root"], TODAY, false, false),
        (vec!["baltimore-cybertrust-root", "digicert-global-root-g2"], datetime!(2022-06-01 00:00 UTC), true, true),
        (vec!["digicert-global-root-g2"], TODAY, false, true),
    ];
    for (ids, at, old, new) in cases {
        let r = check(&p, &store_of(&p, "s", &ids), at);
        assert_eq!((r.chains[0].verifies, r.chains[1].verifies, r.ready), (old, new, new), "{ids:?} at {at}");
        if have_openssl() {
            let pem: String = ids.iter().map(|id| to_pem(&p.cert(id).der)).collect();
            assert_eq!(openssl_verifies(&p, &p.chains[0], &pem, at, true, dir.path()), old);
            assert_eq!(openssl_verifies(&p, &p.chains[1], &pem, at, true, dir.path()), new);
        }
    }
}

/// A store with only DigiCert Global Root G2 is ready, but only through the cross-sign:
/// `rotation-needs-cross-sign` (information) says so; with the self-signed Root G2 it is gone.
#[test]
fn cross_sign_dependence_is_reported() {
    use crate::findings::{Code, Severity};
    let p = azure();
    let run = |ids: &[&str]| {
        let r = check(&p, &store_of(&p, "s", ids), TODAY);
        assert!(r.ready);
        let facts = crate::facts::Facts { rotation: Some(r), ..Default::default() };
        crate::checks::run(&facts, &crate::checks::Context::at(TODAY))
    };
    let found = run(&[G2]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].code, found[0].severity), (Code::RotationNeedsCrossSign, Severity::Info));
    assert!(found[0].fix.contains("Microsoft TLS RSA Root G2"), "{}", found[0].fix);
    assert!(run(&[G2, RG2]).is_empty());
}

fn china() -> Profile {
    Profile::builtin("azure-china-2026").unwrap()
}

const G1: &str = "digicert-global-root-ca";
/// The day the China regions start the change (azure-databases-docs certificate-rotation.md @ ad01860f).
const CHINA_CHANGE: time::Date = time::macros::date!(2026 - 03 - 09);

/// The instants that matter for the China profile: either side of the announced day, while
/// both roots are valid, and just after DigiCert Global Root CA itself expires (2031-11-10).
fn china_instants() -> [OffsetDateTime; 4] {
    [datetime!(2026-03-08 23:59:59 UTC), datetime!(2026-03-09 00:00 UTC), JUN_2026, datetime!(2031-11-10 00:00:01 UTC)]
}

/// Azure China: every chain × store × instant, against a table and against OpenSSL. The
/// profile's chains are roots standing in for unpublished intermediates.
#[test]
fn china_chains_stores_and_instants_agree_with_openssl() {
    let p = china();
    assert_eq!((p.certs.len(), p.chains.len(), p.auto), (3, 3, false));
    assert!(p.not_checked.iter().any(|n| n.contains("intermediate CAs are not published")), "{:?}", p.not_checked);
    let stores: [&[&str]; 6] = [&[G1], &[G2], &[G1, G2], &[G1, G2, MS2017], &[MS2017], &[]];
    let openssl = have_openssl();
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for ids in stores {
        let store = store_of(&p, "s", ids);
        for at in china_instants() {
            let r = check(&p, &store, at);
            let v = |n: &str| r.chains.iter().find(|c| c.name == n).unwrap().clone();
            let g1_valid = at < datetime!(2031-11-10 00:00 UTC);
            let (g1, ms, g2) = (ids.contains(&G1) && g1_valid, ids.contains(&MS2017), ids.contains(&G2));
            let started = at.date() >= CHINA_CHANGE;
            let ctx = format!("{ids:?} at {at}: {:#?}", r.chains);
            assert_eq!((v("g1").verifies, v("ms-rsa-2017").verifies, v("g2").verifies), (g1, ms, g2), "{ctx}");
            assert_eq!(v("g2").presented, started, "{ctx}");
            // Ready: the G1 chain (servers not yet rotated keep it) and, from the day, the G2 chain;
            // the Microsoft 2017 chain is information (nobody says which servers present it).
            let ready = g1 && (g2 || !started);
            assert_eq!(r.ready, ready, "{ctx}");
            assert_eq!(r.ready_until, (ready && !started && !g2).then_some(CHINA_CHANGE), "{ctx}");
            assert_eq!(r.not_checked, p.not_checked);
            if openssl {
                let pem: String = ids.iter().map(|id| to_pem(&p.cert(id).der)).collect();
                for ch in &p.chains {
                    assert_eq!(openssl_verifies(&p, ch, &pem, at, true, dir.path()), v(&ch.name).verifies, "OpenSSL disagrees on {}: {ctx}", ch.name);
                    compared += 1;
                }
            }
        }
    }
    if openssl {
        assert_eq!(compared, 6 * 4 * 3);
    }
}

/// The operator's question: a store that trusts only DigiCert Global Root CA works with China
/// servers before 2026-03-09 and not from then; the finding names DigiCert Global Root G2 and
/// the day. A store with only G2 fails servers not yet rotated: keep the G1 root.
#[test]
fn china_store_with_only_digicert_global_root_ca_fails_from_the_change() {
    use crate::findings::{Code, Severity};
    let p = china();
    let findings = |ids: &[&str], at: OffsetDateTime| {
        let r = check(&p, &store_of(&p, "root.crt", ids), at);
        let facts = crate::facts::Facts { rotation: Some(r.clone()), ..Default::default() };
        (r, crate::checks::run(&facts, &crate::checks::Context::at(at)))
    };
    let warnings = |f: &[crate::findings::Finding]| f.iter().filter(|x| x.severity == Severity::Warning).cloned().collect::<Vec<_>>();

    let (r, found) = findings(&[G1], datetime!(2026-03-01 00:00 UTC));
    assert!(r.ready && r.ready_until == Some(CHINA_CHANGE), "{r:#?}");
    let w = warnings(&found);
    assert_eq!(w.len(), 1, "{found:#?}");
    assert_eq!(w[0].code, Code::RotationUnready);
    assert!(w[0].detail.contains("from 2026-03-09, servers start presenting the g2 chain"), "{}", w[0].detail);
    assert!(w[0].fix.starts_with("Add DigiCert Global Root G2 ") && w[0].fix.contains("before 2026-03-09"), "{}", w[0].fix);
    // Microsoft RSA Root CA 2017 is information: Microsoft lists it, nobody says who presents it.
    let info: Vec<_> = found.iter().filter(|x| x.severity == Severity::Info).collect();
    assert!(info.len() == 1 && info[0].fix.contains("Microsoft RSA Root Certificate Authority 2017"), "{found:#?}");

    let (r, found) = findings(&[G1], datetime!(2026-03-10 00:00 UTC));
    assert!(!r.ready && r.ready_until.is_none(), "{r:#?}");
    let w = warnings(&found);
    assert_eq!(w.len(), 1, "{found:#?}");
    assert!(w[0].detail.contains("does not verify the g2 chain") && w[0].fix.starts_with("Add DigiCert Global Root G2 "), "{w:#?}");

    // Only G2: servers not yet rotated (no end is published) still present G1 chains.
    for at in [datetime!(2026-03-01 00:00 UTC), datetime!(2026-05-01 00:00 UTC)] {
        let (r, found) = findings(&[G2], at);
        assert!(!r.ready, "{r:#?}");
        let w = warnings(&found);
        assert_eq!(w.len(), 1, "{found:#?}");
        assert!(w[0].fix.starts_with("Keep (or put back) DigiCert Global Root CA "), "{}", w[0].fix);
        assert!(w[0].fix.contains("2026-04-15"), "the browsers' removal of the G1 roots is the reason to keep a copy: {}", w[0].fix);
    }
    // Both DigiCert roots and the Microsoft one: nothing to say, ready either side of the day.
    for at in china_instants().into_iter().take(3) {
        let (r, found) = findings(&[G1, G2, MS2017], at);
        assert!(r.ready && found.is_empty(), "{at}: {found:#?}");
    }
}

/// The China bundle: the three roots Microsoft's guidance names, each with its reason, and
/// OpenSSL verifies every chain the profile models with the written file.
#[test]
fn china_bundle_writes_the_recommended_roots_with_reasons() {
    let p = china();
    let b = bundle(&p, &[], JUN_2026);
    let cns: Vec<&str> = b.roots.iter().map(|r| r.subject.rsplit("CN=").next().unwrap()).collect();
    assert_eq!(cns, ["DigiCert Global Root G2", "DigiCert Global Root CA", "Microsoft RSA Root Certificate Authority 2017"]);
    let text = b.pem();
    assert_eq!(text.matches("\n# Why: ").count(), 3, "{text}");
    assert!(text.contains("# Why: The China regions' root after the change (from 2026-03-09): add it."), "{text}");
    assert!(text.contains("remove it from their stores on 2026-04-15"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bundle.pem");
    std::fs::write(&f, &text).unwrap();
    let s = trust::load(&TrustSource::File(f)).unwrap();
    for at in china_instants().into_iter().take(3) {
        let r = check(&p, &s, at);
        assert!(r.ready && r.chains.iter().all(|c| c.verifies), "{r:#?}");
        if have_openssl() {
            for ch in &p.chains {
                assert!(openssl_verifies(&p, ch, &text, at, true, dir.path()), "{} at {at}", ch.name);
            }
        }
    }
}

/// A China server cannot be recognised by intermediates nobody published, so the profile is
/// not offered to `--profile auto`; named explicitly, a server is placed by the root that
/// signed what it sent.
#[test]
fn china_servers_are_placed_by_root_key_when_the_profile_is_named() {
    let p = china();
    assert!(!p.auto);
    // A global Azure server's cross-signed Root G2 is issued by DigiCert Global Root G2.
    let azure = azure();
    let sent = [azure.cert("microsoft-tls-g2-rsa-ca-ocsp-06").clone(), azure.cert(RG2_X).clone()];
    assert_eq!(p.chain_of(&sent).unwrap().name, "g2");
    // A look-alike root of the same name does not place anything.
    let fake = pgtls_lab::CertKey::root("DigiCert Global Root CA").unwrap();
    let ica = fake.intermediate("Some CA").unwrap();
    assert!(p.chain_of(&[ica.info(), ica.info()]).is_none());
}
