//! Stack models on generated PKIs. The partial-chain and depth rules are also checked against
//! real `openssl verify` (`-partial_chain`, `-verify_depth`) when the CLI is installed.

use super::*;
use std::path::Path;
use crate::probe::ProbeTarget;
use crate::profile::ClientProfile;
use crate::trust::TrustStore;
use crate::verify::libpq::SslMode;
use crate::verify::{build_paths, Anchors, Options};
use crate::x509::Cert;
use crate::profile::Overrides;
use crate::trust::pem::to_pem;
use time::OffsetDateTime;
use crate::x509::LabCert;
use pgtls_lab::{CertKey, CertSpec};

struct Pki {
    root: CertKey,
    other: CertKey,
    int: CertKey,
    int2: CertKey,
    leaf: CertKey,
    deep_leaf: CertKey,
    cn_only: CertKey,
    expired: CertKey,
}

fn pki() -> Pki {
    let root = CertKey::root("Model Root").unwrap();
    let other = CertKey::root("Other Root").unwrap();
    let int = root.intermediate("Model Issuing CA").unwrap();
    let int2 = int.intermediate("Model Sub CA").unwrap();
    let leaf = int.leaf("db.example.com", &["db.example.com"]).unwrap();
    let deep_leaf = int2.leaf("db.example.com", &["db.example.com"]).unwrap();
    let cn_only = int.leaf("db.example.com", &[]).unwrap();
    let expired = int.leaf_with("db.example.com", &["db.example.com"], &CertSpec::expired()).unwrap();
    Pki { root, other, int, int2, leaf, deep_leaf, cn_only, expired }
}

const DB: &str = "db.example.com";

/// The model of `stack` in style `variant`, connecting to `host`, with the files read right now
/// (the tests rewrite root files between calls).
fn predict_for(stack: Stack, variant: Option<&str>, host: &str, s: &ClientProfile, server: &ServerSide) -> StackVerdict {
    let choice = StackChoice { stack, variant: variant.map(String::from) };
    let target = ProbeTarget { host: host.into(), hostaddr: None, port: 5432, sni: None, negotiation: crate::probe::SslNegotiation::Postgres, hostaddr_only: false };
    super::predict(&choice, s, &target, server, &crate::client::stack_files(&[s]))
}

/// The model of `stack` in its default style, connecting to db.example.com.
fn predict(stack: Stack, s: &ClientProfile, server: &ServerSide) -> StackVerdict {
    predict_for(stack, None, DB, s, server)
}

fn server(chain: &[&CertKey]) -> ServerSide {
    ServerSide { chain: chain.iter().map(|c| c.info()).collect(), accepts_plaintext: false }
}

/// A client that states `mode` and a root file holding `roots`, judged now.
fn settings(dir: &Path, roots: &[&CertKey], mode: Option<SslMode>) -> ClientProfile {
    let file = dir.join(format!("roots-{}.pem", roots.iter().map(|c| c.info().sha256[..8].to_string()).collect::<Vec<_>>().join("-")));
    std::fs::write(&file, roots.iter().map(|c| c.cert_pem.clone()).collect::<String>()).unwrap();
    ClientProfile::from_flags(&Overrides {
        sslmode: mode,
        sslrootcert: Some(file.display().to_string()),
        home: Some(dir.join("home")),
        at: Some(OffsetDateTime::now_utc()),
        ..Overrides::default()
    }, time::OffsetDateTime::now_utc())
}

fn openssl(chain: &[&CertKey], anchors: &[&CertKey], extra: &[&str]) -> Option<bool> {
    let dir = tempfile::tempdir().ok()?;
    let ca = dir.path().join("ca.pem");
    let untrusted = dir.path().join("untrusted.pem");
    let leaf = dir.path().join("leaf.pem");
    std::fs::write(&ca, anchors.iter().map(|c| to_pem(&c.der)).collect::<String>()).ok()?;
    std::fs::write(&untrusted, chain.iter().skip(1).map(|c| to_pem(&c.der)).collect::<String>()).ok()?;
    std::fs::write(&leaf, to_pem(&chain[0].der)).ok()?;
    let mut cmd = std::process::Command::new("openssl");
    cmd.args(["verify", "-no-CApath", "-no-CAstore", "-purpose", "sslserver"]).args(extra).arg("-CAfile").arg(&ca);
    if chain.len() > 1 {
        cmd.arg("-untrusted").arg(&untrusted);
    }
    Some(cmd.arg(&leaf).output().ok()?.status.success())
}

#[test]
fn partial_chain_anchors_agree_with_openssl() {
    let p = pki();
    let cases: Vec<(Vec<&CertKey>, Vec<&CertKey>)> = vec![
        (vec![&p.leaf, &p.int], vec![&p.root]),
        (vec![&p.leaf, &p.int], vec![&p.int]),
        (vec![&p.leaf, &p.int], vec![&p.leaf]),
        (vec![&p.leaf], vec![&p.int]),
        (vec![&p.leaf, &p.int], vec![&p.other]),
        (vec![&p.deep_leaf, &p.int2, &p.int], vec![&p.int]),
        (vec![&p.deep_leaf, &p.int2], vec![&p.int2]),
    ];
    for (chain, anchors) in cases {
        let store = TrustStore::from_certs("t", anchors.iter().map(|c| c.info()).collect());
        let certs: Vec<Cert> = chain.iter().map(|c| c.info()).collect();
        for (rule, flag) in [(Anchors::SelfSignedRoots, None), (Anchors::AnyTrusted { leaf: true }, Some("-partial_chain"))] {
            let ours = build_paths(&certs, &store, &Options { anchors: rule, ..Options::at(OffsetDateTime::now_utc()) }).unwrap().verified();
            if let Some(real) = openssl(&chain, &anchors, flag.as_slice()) {
                assert_eq!(ours, real, "{rule:?}: chain {:?} anchors {:?}", chain.iter().map(|c| c.info().subject).collect::<Vec<_>>(), anchors.iter().map(|c| c.info().subject).collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn kong_verify_depth_counts_intermediates_like_openssl() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    for depth in [0u32, 1, 2, 3] {
        for chain in [vec![&p.leaf, &p.int], vec![&p.deep_leaf, &p.int2, &p.int]] {
            let mut s = settings(dir.path(), &[&p.root], None);
            s.kong_verify_depth = Some(depth);
            let ours = predict(Stack::Kong, &s, &server(&chain)).connects;
            let d = depth.to_string();
            if let Some(real) = openssl(&chain, &[&p.root], &["-verify_depth", &d]) {
                assert_eq!(ours, real, "depth {depth}, {} certificates sent", chain.len());
            }
            // Known answer: depth N allows N intermediates.
            assert_eq!(ours, depth as usize >= chain.len() - 1, "depth {depth}, chain {}", chain.len());
        }
    }
}

#[test]
fn jdbc_ssl_true_without_any_root_file_fails() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let mut flags = Overrides { home: Some(dir.path().join("home")), at: Some(OffsetDateTime::now_utc()), ..Overrides::default() };
    let s = ClientProfile::from_flags(&flags, time::OffsetDateTime::now_utc());
    let v = predict_for(Stack::Jdbc, Some("ssl-true"), DB, &s, &server(&[&p.leaf, &p.int]));
    assert!(!v.connects);
    assert!(v.error.as_deref().unwrap().contains("Could not open SSL root certificate file"), "{v:?}");
    flags.sslrootcert = Some("/nonexistent.crt".into());
    let s = ClientProfile::from_flags(&flags, time::OffsetDateTime::now_utc());
    let v = predict_for(Stack::Jdbc, Some("ssl-true"), DB, &s, &server(&[&p.leaf, &p.int]));
    assert!(!v.connects);
    assert!(v.error.as_deref().unwrap().contains("/nonexistent.crt"), "{v:?}");
    // NonValidatingFactory: any chain, but ssl=true means verify-full and pgJDBC still checks
    // the host name (measured with pgJDBC 42.5.5; MakeSSL.java).
    assert!(predict_for(Stack::Jdbc, Some("nonvalidating"), DB, &s, &server(&[&p.leaf])).connects);
    let v = predict_for(Stack::Jdbc, Some("nonvalidating"), "127.0.0.1", &s, &server(&[&p.leaf]));
    assert!(!v.connects);
    assert!(v.error.as_deref().unwrap().contains("could not be verified by hostnameverifier"), "{v:?}");
}

#[test]
fn a_pinned_intermediate_splits_the_stacks() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), &[&p.int], Some(SslMode::VerifyFull));
    let srv = server(&[&p.leaf, &p.int]);
    let by = |k| predict(k, &s, &srv).connects;
    assert!(!by(Stack::Libpq));
    assert!(!by(Stack::Psycopg));
    assert!(by(Stack::Jdbc));
    assert!(by(Stack::Pgx));
    assert!(!by(Stack::Node));
    // asyncpg's own sslmode path never sets partial chain; an SSLContext from Python 3.13's
    // create_default_context does.
    let mut py13 = s.clone();
    py13.python_minor = 13;
    assert!(!predict(Stack::Asyncpg, &s, &srv).connects);
    assert!(!predict(Stack::Asyncpg, &py13, &srv).connects);
    assert!(predict_for(Stack::Asyncpg, Some("context"), DB, &py13, &srv).connects);
    py13.python_minor = 11;
    assert!(!predict_for(Stack::Asyncpg, Some("context"), DB, &py13, &srv).connects);
}

#[test]
fn cn_only_certificates_split_the_stacks() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), &[&p.root], Some(SslMode::VerifyFull));
    let srv = server(&[&p.cn_only, &p.int]);
    assert!(predict(Stack::Libpq, &s, &srv).connects);
    assert!(predict(Stack::Jdbc, &s, &srv).connects);
    let go = predict(Stack::Pgx, &s, &srv);
    assert!(!go.connects);
    assert_eq!(go.error.as_deref(), Some("x509: certificate relies on legacy Common Name field, use SANs instead"));
    let rs = settings(dir.path(), &[&p.root], Some(SslMode::Require));
    assert!(!predict(Stack::Rustls, &rs, &srv).connects);
}

#[test]
fn require_means_different_things() {
    let p = pki();
    let dir = tempfile::tempdir().unwrap();
    // The other root: require with a root file verifies in libpq and pgx, not in pgJDBC.
    let s = settings(dir.path(), &[&p.other], Some(SslMode::Require));
    let srv = server(&[&p.leaf, &p.int]);
    assert!(!predict(Stack::Libpq, &s, &srv).connects);
    assert!(!predict(Stack::Pgx, &s, &srv).connects);
    assert!(predict(Stack::Jdbc, &s, &srv).connects);
    // node-postgres: require in a connection string verifies everything, the host name too.
    let n = settings(dir.path(), &[&p.root], Some(SslMode::Require));
    assert!(!predict_for(Stack::Node, Some("connstring"), "127.0.0.1", &n, &srv).connects);
    assert!(predict_for(Stack::Node, Some("connstring-libpqcompat"), "127.0.0.1", &n, &srv).connects);
    // Expired leaf fails everywhere that verifies.
    let e = settings(dir.path(), &[&p.root], Some(SslMode::VerifyFull));
    let srv = server(&[&p.expired, &p.int]);
    for k in [Stack::Libpq, Stack::Jdbc, Stack::Node, Stack::Asyncpg, Stack::Pgx, Stack::Kong] {
        assert!(!predict(k, &e, &srv).connects, "{k}");
    }
}

#[test]
fn every_stack_has_a_model_with_sources() {
    for k in Stack::ALL {
        let m = k.model();
        assert_eq!(m.stack, k);
        assert!(!m.sources.is_empty(), "{k}");
        assert_eq!(Stack::parse(k.as_str()), Some(k));
    }
}
