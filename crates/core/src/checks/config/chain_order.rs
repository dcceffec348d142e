//! The certificate file must list the server certificate first, then its issuers.
//!
//! The server sends `ssl_cert_file` as its chain in file order. OpenSSL takes the first
//! certificate as the server's own; if an intermediate comes first the key check fails,
//! and if intermediates are out of order clients that do not reorder them fail to build
//! a path ("unable to get local issuer certificate").

use crate::say;
use crate::findings::{Code, Finding, Message};
use crate::checks::Context;
use crate::facts::Facts;
use crate::x509::Cert;

/// `None` when each certificate is issued by the next one; otherwise a description of
/// the first problem.
pub fn chain_problem(certs: &[Cert]) -> Option<Message> {
    if certs.len() < 2 {
        return None;
    }
    if certs[0].is_ca && certs.iter().skip(1).any(|c| !c.is_ca) {
        return Some(say!("chain-order-wrong.ca-first", subject = &certs[0].subject));
    }
    for i in 1..certs.len() {
        let (child, parent) = (&certs[i - 1], &certs[i]);
        if !(child.issuer_raw() == parent.subject_raw() && child.signed_by(parent)) {
            return Some(say!("chain-order-wrong.not-issued-by-next", i = i, child = &child.subject, next = i + 1, parent = &parent.subject));
        }
    }
    None
}

pub const CODES: &[Code] = &[Code::ChainOrderWrong];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    let Some(cert) = &f.cert else { return Vec::new() };
    match chain_problem(&cert.certs) {
        Some(p) if f.conf.ssl_on() => {
            // The server takes the first certificate as its own: when that is not the key's,
            // it refuses to start ("key values mismatch") — the order is the root cause.
            let key_bits = f.key.as_ref().and_then(|k| k.contents.as_ref()).and_then(|k| crate::x509::private_key_public_bits(k));
            let first_is_keys = match (&key_bits, cert.certs.first()) {
                (Some(bits), Some(first)) => Some(first.public_key_bits() == bits.as_slice()),
                _ => None,
            };
            let key_in_file = key_bits.as_ref().is_some_and(|bits| cert.certs.iter().any(|c| c.public_key_bits() == bits.as_slice()));
            let mut finding = Finding::new(Code::ChainOrderWrong).said(say!(
                "chain-order-wrong.problem",
                path = cert.path.display(),
                origin = &cert.origin,
                problem = p.clone()
            ));
            if first_is_keys == Some(false) && !key_in_file {
                // The key belongs to no certificate of the file: reordering cannot help, the
                // key is wrong too (server-key-mismatch says so; the order is a second fault).
                finding.add_said(say!("chain-order-wrong.key-belongs-to-none"));
                finding = finding.severity(crate::findings::Severity::Error);
            } else if first_is_keys == Some(false) {
                finding.add_said(say!(
                    "chain-order-wrong.key-belongs-to-later",
                    configured = f.key.as_ref().map(|k| k.configured.as_str()).unwrap_or("server.key")
                ));
                finding = finding.severity(crate::findings::Severity::Error);
            }
            vec![finding]
        }
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
    fn orders() {
        let root = CertKey::root("Test Root CA").unwrap();
        let inter = root.intermediate("Intermediate").unwrap();
        let spec = CertSpec::valid(now() - Duration::days(1), now() + Duration::days(90));
        let leaf_pem = inter.leaf_with("db", &["db"], &spec).unwrap().cert_pem;
        let other_leaf = root.leaf_with("other", &["other"], &spec).unwrap().cert_pem;
        let i = &inter.cert_pem;
        let r = &root.cert_pem;
        let table: Vec<(String, bool)> = vec![
            (leaf_pem.clone(), true),
            (format!("{leaf_pem}{i}"), true),
            (format!("{leaf_pem}{i}{r}"), true),
            (format!("{i}{leaf_pem}"), false),
            (format!("{leaf_pem}{r}{i}"), false),
            (format!("{other_leaf}{i}"), false),
        ];
        for (n, (pem, ok)) in table.iter().enumerate() {
            let certs = crate::x509::pem_certs(pem.as_bytes());
            assert_eq!(chain_problem(&certs).is_none(), *ok, "row {n}: {:?}", chain_problem(&certs));
        }
        let mut f = facts("ssl = on", "");
        f.server.as_mut().unwrap().cert = Some(file("server.crt", format!("{i}{leaf_pem}").as_bytes(), 0o644, 999));
        let out = check(&f, &Context::default());
        assert_eq!(codes(&out), ["chain-order-wrong"]);
        assert!(out[0].detail.contains("server certificate must come first"), "{}", out[0].detail);
    }
}
