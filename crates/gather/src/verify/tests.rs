//! Path-building tests on generated PKIs (`pgtls_lab`), each also checked against `openssl verify` when the
//! openssl CLI is installed (the libpq model must agree with real OpenSSL).
#![allow(clippy::cloned_ref_to_slice_refs)]

use super::*;
use crate::trust::TrustStore;
use crate::x509::Cert;
use crate::trust::pem::to_pem;
use crate::x509::LabCert;
use pgtls_lab::{days_ago, days_ahead, now, openssl_weak_chain, CertKey, CertSpec, Eku};

fn store(certs: &[&[u8]]) -> TrustStore {
    TrustStore::from_certs(
        "test store",
        certs
            .iter()
            .map(|d| Cert::from_der(d, "test").unwrap())
            .collect(),
    )
}

/// Real OpenSSL's answer, or `None` when the CLI is missing.
fn parsed(chain: &[Vec<u8>]) -> Vec<Cert> {
    chain.iter().map(|d| Cert::from_der(d, "test").unwrap()).collect()
}

fn openssl_verify(chain: &[Vec<u8>], anchors: &[&[u8]]) -> Option<(bool, String)> {
    let dir = tempfile::tempdir().ok()?;
    let ca = dir.path().join("ca.pem");
    let untrusted = dir.path().join("untrusted.pem");
    let leaf = dir.path().join("leaf.pem");
    std::fs::write(&ca, anchors.iter().map(|d| to_pem(d)).collect::<String>()).ok()?;
    std::fs::write(
        &untrusted,
        chain.iter().skip(1).map(|d| to_pem(d)).collect::<String>(),
    )
    .ok()?;
    std::fs::write(&leaf, to_pem(&chain[0])).ok()?;
    let mut cmd = std::process::Command::new("openssl");
    cmd.args([
        "verify",
        "-no-CApath",
        "-no-CAstore",
        "-purpose",
        "sslserver",
        "-auth_level",
        "2",
        "-CAfile",
    ])
    .arg(&ca);
    if chain.len() > 1 {
        cmd.arg("-untrusted").arg(&untrusted);
    }
    let out = cmd.arg(&leaf).output().ok()?;
    Some((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    ))
}

/// Our verdict must be `expect_ok`, our (best) failure must be `expect_err`, and real OpenSSL
/// must agree on accept/reject (and mention the same error text when it rejects).
fn check(
    name: &str,
    chain: &[Vec<u8>],
    anchors: &[&[u8]],
    expect_ok: bool,
    expect_err: Option<&str>,
) -> PathReport {
    let r = build_paths(&parsed(chain), &store(anchors), &Options::at(now())).unwrap();
    let described: Vec<String> = r.attempts.iter().map(|a| a.describe()).collect();
    assert_eq!(r.verified(), expect_ok, "{name}: {described:#?}");
    if let Some(e) = expect_err {
        let best = r
            .best_failure()
            .and_then(|a| a.failure.clone())
            .map(|f| f.openssl().1);
        assert_eq!(best, Some(e), "{name}: {described:#?}");
    }
    match openssl_verify(chain, anchors) {
        Some((ok, text)) => {
            assert_eq!(ok, expect_ok, "{name}: openssl disagrees: {text}");
            if let Some(e) = expect_err {
                assert!(text.contains(e), "{name}: openssl said {text}, we said {e}");
            }
        }
        None => eprintln!("{name}: openssl CLI not available, model not cross-checked"),
    }
    r
}

#[test]
fn simple_chains() {
    let root = CertKey::root("Root 1").unwrap();
    let inter = root.intermediate("Inter 1").unwrap();
    let leaf = inter.leaf("db.example.com", &["db.example.com"]).unwrap();
    let direct = root.leaf("direct.example.com", &["direct.example.com"]).unwrap();
    let other = CertKey::root("Other Root").unwrap();

    check(
        "root->leaf",
        &[direct.der.clone()],
        &[&root.der],
        true,
        None,
    );
    let r = check(
        "root->inter->leaf",
        &[leaf.der.clone(), inter.der.clone()],
        &[&root.der],
        true,
        None,
    );
    assert_eq!(r.valid_paths().next().unwrap().certs.len(), 3);
    assert!(r.chain_in_order);
    check(
        "intermediate not sent",
        &[leaf.der.clone()],
        &[&root.der],
        false,
        Some("unable to get local issuer certificate"),
    );
    check(
        "wrong root",
        &[leaf.der.clone(), inter.der.clone()],
        &[&other.der],
        false,
        Some("unable to get local issuer certificate"),
    );
    // Wrong order, extra unrelated certificate, root sent too.
    let r = check(
        "messy chain",
        &[
            leaf.der.clone(),
            other.der.clone(),
            root.der.clone(),
            inter.der.clone(),
        ],
        &[&root.der],
        true,
        None,
    );
    assert!(!r.chain_in_order);
    assert_eq!(r.unused_chain, vec![1]);
    // Intermediate in the store with its root: fine.
    check(
        "inter+root in store",
        &[leaf.der.clone()],
        &[&inter.der, &root.der],
        true,
        None,
    );
}

#[test]
fn pinning_fails_without_partial_chain() {
    let root = CertKey::root("Root P").unwrap();
    let inter = root.intermediate("Inter P").unwrap();
    let leaf = inter.leaf("db.example.com", &["db.example.com"]).unwrap();
    let chain = [leaf.der.clone(), inter.der.clone()];
    check(
        "intermediate-only store",
        &chain,
        &[&inter.der],
        false,
        Some("unable to get issuer certificate"),
    );
    check(
        "leaf-only store",
        &chain,
        &[&leaf.der],
        false,
        Some("unable to get local issuer certificate"),
    );
    // A self-signed server certificate pinned in the store is an anchor: accepted.
    let ss = CertKey::self_signed("self.example.com", &["self.example.com"]).unwrap();
    check(
        "self-signed leaf pinned",
        &[ss.der.clone()],
        &[&ss.der],
        true,
        None,
    );
    check(
        "self-signed leaf unknown",
        &[ss.der.clone()],
        &[&root.der],
        false,
        Some("self-signed certificate"),
    );
    check(
        "self-signed root sent, not trusted",
        &chain
            .iter()
            .cloned()
            .chain([root.der.clone()])
            .collect::<Vec<_>>(),
        &[&CertKey::root("X").unwrap().der],
        false,
        Some("self-signed certificate in certificate chain"),
    );
}

#[test]
fn cross_signed_intermediate_with_two_roots() {
    // New root R2 is cross-signed by old root R1 (Azure: Microsoft RSA Root 2017 under
    // DigiCert Global Root G2). The server sends leaf, issuing CA, and the cross-cert.
    let r1 = CertKey::root("Old Root G2").unwrap();
    let r2 = CertKey::root("New Root 2017").unwrap();
    let r2_by_r1 = r1.cross_sign(&r2).unwrap().der;
    let ica = r2.intermediate("Issuing CA").unwrap();
    let leaf = ica.leaf("db.example.com", &["db.example.com"]).unwrap();
    let chain = vec![leaf.der.clone(), ica.der.clone(), r2_by_r1.clone()];

    let r = check("old root only", &chain, &[&r1.der], true, None);
    assert_eq!(r.valid_paths().next().unwrap().certs.len(), 4);
    // Only one copy of the new root is known here, so the cross-sign is invisible.
    assert!(!r.uses_cross_signed(), "{:?}", r.cross_signed);
    // Trusted-first: the self-signed twin in the store wins over the cross-cert sent.
    let r = check("new root only", &chain, &[&r2.der], true, None);
    assert_eq!(r.valid_paths().next().unwrap().certs.len(), 3);
    let r = check("both roots", &chain, &[&r1.der, &r2.der], true, None);
    assert_eq!(r.valid_paths().count(), 2, "{:#?}", r.attempts);
    assert!(r.uses_cross_signed());
    assert_eq!(r.cross_signed, vec![r2.info().subject]);
    check(
        "neither root",
        &chain,
        &[&CertKey::root("Unrelated").unwrap().der],
        false,
        Some("unable to get local issuer certificate"),
    );
}

#[test]
fn expired_intermediate_and_root() {
    let root = CertKey::root("Root E").unwrap();
    let inter = root.intermediate_with("Expired Inter", &CertSpec::valid(days_ago(400), days_ago(2))).unwrap();
    let leaf = inter.leaf("db.example.com", &["db.example.com"]).unwrap();
    let r = check(
        "expired intermediate",
        &[leaf.der.clone(), inter.der.clone()],
        &[&root.der],
        false,
        Some("certificate has expired"),
    );
    assert_eq!(
        r.best_failure().unwrap().failure.as_ref().unwrap().depth(),
        Some(1)
    );
    let future = root.intermediate_with("Future Inter", &CertSpec::valid(days_ahead(5), days_ahead(400))).unwrap();
    let leaf2 = future.leaf("db.example.com", &["db.example.com"]).unwrap();
    check(
        "not yet valid intermediate",
        &[leaf2.der.clone(), future.der.clone()],
        &[&root.der],
        false,
        Some("certificate is not yet valid"),
    );
    let old_root = CertKey::root_with("Expired Root", &CertSpec::valid(days_ago(900), days_ago(1))).unwrap();
    let leaf3 = old_root.leaf("db.example.com", &["db.example.com"]).unwrap();
    check(
        "expired root",
        &[leaf3.der.clone()],
        &[&old_root.der],
        false,
        Some("certificate has expired"),
    );
}

#[test]
fn ca_constraints() {
    let root = CertKey::root("Root C").unwrap();
    // A leaf used as an issuer.
    let fake_ca = root.leaf("not-a-ca.example.com", &["not-a-ca.example.com"]).unwrap();
    let victim = fake_ca.leaf("db.example.com", &["db.example.com"]).unwrap();
    check(
        "issuer is not a CA",
        &[victim.der.clone(), fake_ca.der.clone()],
        &[&root.der],
        false,
        Some("invalid CA certificate"),
    );
    // pathLen 0 on the first intermediate, then another intermediate.
    let pl0 = root.intermediate_with("PathLen0", &CertSpec::valid(days_ago(1), days_ahead(100)).path_len(0)).unwrap();
    let sub = pl0.intermediate("Sub").unwrap();
    let leaf = sub.leaf("db.example.com", &["db.example.com"]).unwrap();
    check(
        "pathlen exceeded",
        &[leaf.der.clone(), sub.der.clone(), pl0.der.clone()],
        &[&root.der],
        false,
        Some("path length constraint exceeded"),
    );
    // Leaf with clientAuth only.
    let client = root
        .leaf_with("db.example.com", &["db.example.com"], &CertSpec::valid(days_ago(1), days_ahead(100)).eku(Eku::ClientAuth))
        .unwrap();
    check(
        "leaf without serverAuth",
        &[client.der.clone()],
        &[&root.der],
        false,
        Some("unsuitable certificate purpose"),
    );
}

#[test]
fn hostile_pile_is_bounded() {
    // 40 CAs with the same subject and key, each cross-signed by every other: a path explosion.
    let root = CertKey::root("Pile Root").unwrap();
    let ica = root.intermediate("Pile CA").unwrap();
    let leaf = ica.leaf("db.example.com", &["db.example.com"]).unwrap();
    let others: Vec<CertKey> = (0..12).map(|i| CertKey::root(&format!("Pile CA {i}")).unwrap()).collect();
    let mut chain = vec![leaf.der.clone()];
    for a in &others {
        for b in &others {
            chain.push(b.cross_sign(a).unwrap().der);
        }
        chain.push(a.cross_sign(&ica).unwrap().der);
    }
    let opts = Options {
        max_signature_checks: 300,
        max_attempts: 100,
        ..Options::at(now())
    };
    let t = std::time::Instant::now();
    let r = build_paths(&parsed(&chain), &store(&[&root.der]), &opts).unwrap();
    assert!(t.elapsed().as_secs() < 20);
    assert!(r.attempts.len() <= 100);
    assert!(r.budget_exhausted || r.verified(), "{}", r.attempts.len());
}

#[test]
fn garbage_chain_is_an_error_or_ignored() {
    let root = CertKey::root("Root G").unwrap();
    let leaf = root.leaf("db.example.com", &["db.example.com"]).unwrap();
    let s = store(&[&root.der]);
    assert!(matches!(
        build_paths(&[], &s, &Options::at(now())),
        Err(VerifyError::EmptyChain)
    ));
    let r = build_paths(&parsed(&[leaf.der.clone()]), &s, &Options::at(now())).unwrap();
    assert!(r.verified());
}

#[test]
fn self_signed_twin_in_store_beats_cross_cert_sent() {
    // The server sends its CA as a cross-certificate under an untrusted root; the store holds
    // the same CA self-signed. TRUSTED_FIRST makes OpenSSL 1.1.1+ accept this.
    let untrusted_root = CertKey::root("Untrusted Old Root").unwrap();
    let ca = untrusted_root.intermediate("Twin CA").unwrap();
    let twin = ca.self_signed_twin().unwrap().der;
    let leaf = ca.leaf("db.example.com", &["db.example.com"]).unwrap();
    let r = check(
        "twin in store",
        &[leaf.der.clone(), ca.der.clone(), untrusted_root.der.clone()],
        &[&twin],
        true,
        None,
    );
    let p = r.valid_paths().next().unwrap();
    assert_eq!(p.certs.len(), 2, "{}", p.describe());
    assert_eq!(p.certs[1].origin, Origin::Store(1));
    assert!(r.uses_cross_signed());
}

#[test]
fn security_level_rejects_weak_anchor_keys() {
    let dir = tempfile::tempdir().unwrap();
    let Some((root, leaf)) = openssl_weak_chain(dir.path()) else {
        eprintln!("skipping: openssl CLI cannot make an RSA-1024 chain here");
        return;
    };
    // Level 2 (Debian): the 1024-bit root fails; its SHA-1 self-signature alone would not.
    check(
        "RSA-1024 root at level 2",
        &[leaf.clone()],
        &[&root],
        false,
        Some("CA certificate key too weak"),
    );
    let lvl1 = Options {
        security_level: 1,
        ..Options::at(now())
    };
    assert!(build_paths(&parsed(&[leaf]), &store(&[&root]), &lvl1)
        .unwrap()
        .verified());
}
