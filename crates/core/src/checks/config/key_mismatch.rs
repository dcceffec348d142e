//! The private key must belong to the certificate.
//!
//! A key from another certificate (often after a renewal that replaced only one of the
//! two files) makes the server fail with "check of private key failed: key values
//! mismatch" (PostgreSQL 15 with OpenSSL 3: "could not load private key file ...: key
//! values mismatch"). The public key derived from the private key is compared with the
//! certificate's SubjectPublicKeyInfo key bits. Keys are read as PKCS#8, PKCS#1 (RSA)
//! and SEC1 (EC) PEM; Ed25519 only as PKCS#8.

use crate::say;
use crate::findings::{Code, Finding};
use crate::checks::Context;
use crate::facts::Facts;

/// Does the first certificate in `cert_pem` carry the public key of `key_pem`?
/// `None` when either cannot be parsed (encrypted key, unsupported algorithm).
pub fn key_matches(cert_pem: &[u8], key_pem: &[u8]) -> Option<bool> {
    crate::x509::key_matches_cert(cert_pem, key_pem)
}

pub const CODES: &[Code] = &[Code::ServerKeyMismatch];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    let (Some(cert), Some(key)) = (&f.cert, &f.key) else { return Vec::new() };
    let (Some(c), Some(k)) = (&cert.contents, &key.contents) else { return Vec::new() };
    if !f.conf.ssl_on() {
        return Vec::new();
    }
    // The key belongs to another certificate of the file: the file is in the wrong order, which
    // `chain_order` reports as the cause (the server's "key values mismatch" is its symptom).
    let belongs_elsewhere = crate::x509::private_key_public_bits(k)
        .is_some_and(|bits| cert.certs.iter().skip(1).any(|x| x.public_key_bits() == bits.as_slice()));
    match key_matches(c, k) {
        Some(false) if belongs_elsewhere => Vec::new(),
        Some(false) => vec![Finding::new(Code::ServerKeyMismatch).said(say!(
            "server-key-mismatch.mismatch",
            key = key.path.display(),
            key_origin = &key.origin,
            cert = cert.path.display(),
            cert_origin = &cert.origin,
            configured = &key.configured
        ))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts, file};
    use ::time::Duration;
    use pgtls_lab::{now, CertKey, CertSpec};

    #[test]
    fn matching_and_mismatching_pairs() {
        let pki = CertKey::root("Test Root CA").unwrap();
        let spec = CertSpec::valid(now() - Duration::days(1), now() + Duration::days(90));
        let a = pki.leaf_with("a", &["a"], &spec).unwrap();
        let (c1, k1) = (a.cert_pem, a.key_pem);
        let k2 = pki.leaf_with("b", &["b"], &spec).unwrap().key_pem;
        let rsa_key_pem = pki.leaf_with("rsa", &[], &CertSpec::default().rsa(true)).unwrap().key_pem;
        let table: [(&str, &str, Option<bool>); 4] = [
            (&c1, &k1, Some(true)),
            (&c1, &k2, Some(false)),
            (&c1, "garbage", None),
            ("garbage", &k1, None),
        ];
        for (i, (c, k, e)) in table.iter().enumerate() {
            assert_eq!(key_matches(c.as_bytes(), k.as_bytes()), *e, "row {i}");
        }
        assert_eq!(key_matches(c1.as_bytes(), rsa_key_pem.as_bytes()), Some(false));
        let mut f = facts("ssl = on", "");
        f.server.as_mut().unwrap().cert = Some(file("server.crt", c1.as_bytes(), 0o644, 999));
        f.server.as_mut().unwrap().key = Some(file("server.key", k2.as_bytes(), 0o600, 999));
        assert_eq!(codes(&check(&f, &Context::default())), ["server-key-mismatch"]);
        f.server.as_mut().unwrap().key = Some(file("server.key", k1.as_bytes(), 0o600, 999));
        assert!(check(&f, &Context::default()).is_empty());
    }
}
