//! Test PKIs built with rcgen: roots, intermediates, cross-signed twins, leaves.
//! ECDSA P-256 keys keep generation fast; every certificate carries an AKI.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

use super::pem::to_pem;
use super::Cert;

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn days_ago(d: i64) -> OffsetDateTime {
    now() - Duration::days(d)
}

pub fn days_ahead(d: i64) -> OffsetDateTime {
    now() + Duration::days(d)
}

/// A certificate with its parameters and key, able to issue more.
pub struct Ca {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl Ca {
    pub fn pem(&self) -> String {
        to_pem(&self.der)
    }

    pub fn info(&self) -> Cert {
        Cert::from_der(&self.der, "test").expect("rcgen certificate parses")
    }
}

/// Factory for test certificates.
pub struct Pki;

fn base(cn: &str, ca: bool, nb: OffsetDateTime, na: OffsetDateTime) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name
        .push(DnType::OrganizationName, "pgtls test");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = nb;
    p.not_after = na;
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
    }
    p
}

impl Pki {
    pub fn new() -> Pki {
        Pki
    }

    pub fn root(&self, cn: &str) -> Ca {
        self.root_valid(cn, days_ago(30), days_ahead(3650))
    }

    pub fn root_valid(&self, cn: &str, nb: OffsetDateTime, na: OffsetDateTime) -> Ca {
        let params = base(cn, true, nb, na);
        let key = KeyPair::generate().expect("key");
        let der = params.self_signed(&key).expect("sign").der().to_vec();
        Ca { params, key, der }
    }

    /// Sign `params` with a fresh key under `parent`.
    pub fn issue(&self, params: CertificateParams, parent: &Ca) -> Ca {
        let key = KeyPair::generate().expect("key");
        let issuer = Issuer::from_params(&parent.params, &parent.key);
        let der = params
            .signed_by(&key, &issuer)
            .expect("sign")
            .der()
            .to_vec();
        Ca { params, key, der }
    }

    pub fn intermediate(&self, cn: &str, parent: &Ca) -> Ca {
        self.issue(base(cn, true, days_ago(20), days_ahead(1000)), parent)
    }

    pub fn intermediate_valid(
        &self,
        cn: &str,
        parent: &Ca,
        nb: OffsetDateTime,
        na: OffsetDateTime,
    ) -> Ca {
        self.issue(base(cn, true, nb, na), parent)
    }

    /// The same CA (same subject, same key) signed by another issuer: a cross-certificate.
    pub fn cross(&self, ca: &Ca, by: &Ca) -> Vec<u8> {
        let issuer = Issuer::from_params(&by.params, &by.key);
        ca.params
            .signed_by(&ca.key, &issuer)
            .expect("sign")
            .der()
            .to_vec()
    }

    /// The same CA self-signed (the "twin" root of a cross-signed intermediate).
    pub fn self_signed_twin(&self, ca: &Ca) -> Vec<u8> {
        ca.params.self_signed(&ca.key).expect("sign").der().to_vec()
    }

    /// A server certificate with DNS and IP SANs (strings that parse as IPs become iPAddress).
    pub fn leaf(&self, cn: &str, parent: &Ca, sans: &[&str]) -> Ca {
        let mut p = base(cn, false, days_ago(10), days_ahead(300));
        p.subject_alt_names = sans
            .iter()
            .map(|s| match s.parse::<std::net::IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*s).try_into().expect("dns name")),
            })
            .collect();
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        self.issue(p, parent)
    }

    /// A self-signed server certificate (no CA flag).
    pub fn self_signed_leaf(&self, cn: &str, sans: &[&str]) -> Ca {
        let mut p = base(cn, false, days_ago(10), days_ahead(300));
        p.subject_alt_names = sans
            .iter()
            .map(|s| SanType::DnsName((*s).try_into().expect("dns name")))
            .collect();
        let key = KeyPair::generate().expect("key");
        let der = p.self_signed(&key).expect("sign").der().to_vec();
        Ca {
            params: p,
            key,
            der,
        }
    }
}

/// A weak certificate (RSA 1024, SHA-1) made with the openssl CLI, or `None` if unavailable.
pub fn openssl_weak_root(dir: &std::path::Path) -> Option<Vec<u8>> {
    let out = dir.join("weak.pem");
    let st = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-sha1",
            "-days",
            "30",
            "-subj",
            "/CN=Weak Root",
        ])
        .arg("-keyout")
        .arg(dir.join("weak.key"))
        .arg("-out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !st.success() {
        return None;
    }
    let text = std::fs::read_to_string(out).ok()?;
    super::pem::parse_blocks(&text)
        .ok()?
        .into_iter()
        .next()
        .map(|b| b.der)
}
