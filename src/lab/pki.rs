//! Certificates for the lab, generated per test with rcgen: roots, intermediates,
//! cross-signed CAs, server leaves with SANs, client certificates. EC P-256 by default
//! (fast); RSA on request.

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use super::LabError;

/// Validity and key choices for a generated certificate.
#[derive(Debug, Clone)]
pub struct CertSpec {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub rsa: bool,
    /// pathLenConstraint for CAs.
    pub path_len: Option<u8>,
}

impl Default for CertSpec {
    fn default() -> Self {
        let now = OffsetDateTime::now_utc();
        CertSpec { not_before: now - Duration::days(1), not_after: now + Duration::days(365), rsa: false, path_len: None }
    }
}

impl CertSpec {
    /// Already expired (ended yesterday).
    pub fn expired() -> Self {
        let now = OffsetDateTime::now_utc();
        CertSpec { not_before: now - Duration::days(400), not_after: now - Duration::days(1), ..Default::default() }
    }
}

/// A certificate with its private key, as PEM.
#[derive(Debug, Clone)]
pub struct CertKey {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
}

/// A certificate authority that can issue certificates.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

fn err(e: rcgen::Error) -> LabError {
    LabError::Pki(e.to_string())
}

fn key(rsa: bool) -> Result<KeyPair, LabError> {
    if rsa {
        KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).map_err(err)
    } else {
        KeyPair::generate().map_err(err)
    }
}

fn serial() -> SerialNumber {
    let mut b = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut b);
    b[0] &= 0x7f;
    SerialNumber::from_slice(&b)
}

fn ca_params(cn: &str, spec: &CertSpec) -> Result<CertificateParams, LabError> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.distinguished_name.push(DnType::OrganizationName, "pgtls lab");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(match spec.path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    p.not_before = spec.not_before;
    p.not_after = spec.not_after;
    p.serial_number = Some(serial());
    p.use_authority_key_identifier_extension = true;
    Ok(p)
}

impl Ca {
    /// A self-signed root CA.
    pub fn root(cn: &str) -> Result<Ca, LabError> {
        Ca::root_with(cn, &CertSpec::default())
    }

    pub fn root_with(cn: &str, spec: &CertSpec) -> Result<Ca, LabError> {
        let params = ca_params(cn, spec)?;
        let key = key(spec.rsa)?;
        let cert = params.self_signed(&key).map_err(err)?;
        Ok(Ca { params, key, cert })
    }

    /// An intermediate CA issued by this CA.
    pub fn intermediate(&self, cn: &str) -> Result<Ca, LabError> {
        self.intermediate_with(cn, &CertSpec::default())
    }

    pub fn intermediate_with(&self, cn: &str, spec: &CertSpec) -> Result<Ca, LabError> {
        let params = ca_params(cn, spec)?;
        let key = key(spec.rsa)?;
        let cert = params.signed_by(&key, &Issuer::from_params(&self.params, &self.key)).map_err(err)?;
        Ok(Ca { params, key, cert })
    }

    /// A cross-certificate: `other`'s subject and key, issued by this CA (the way
    /// "Microsoft RSA Root CA 2017" is cross-signed by "DigiCert Global Root G2").
    pub fn cross_sign(&self, other: &Ca) -> Result<String, LabError> {
        let mut params = other.params.clone();
        params.serial_number = Some(serial());
        let cert = params.signed_by(&other.key, &Issuer::from_params(&self.params, &self.key)).map_err(err)?;
        Ok(cert.pem())
    }

    /// A server certificate for `cn` with the given SANs (IP literals become iPAddress SANs).
    pub fn leaf(&self, cn: &str, sans: &[&str]) -> Result<CertKey, LabError> {
        self.leaf_with(cn, sans, &CertSpec::default(), ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate whose CN is the user name (for `cert` authentication).
    pub fn client(&self, cn: &str) -> Result<CertKey, LabError> {
        self.leaf_with(cn, &[], &CertSpec::default(), ExtendedKeyUsagePurpose::ClientAuth)
    }

    pub fn leaf_with(
        &self,
        cn: &str,
        sans: &[&str],
        spec: &CertSpec,
        eku: ExtendedKeyUsagePurpose,
    ) -> Result<CertKey, LabError> {
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        p.distinguished_name.push(DnType::CommonName, cn);
        for s in sans {
            p.subject_alt_names.push(match s.parse::<IpAddr>() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*s).try_into().map_err(err)?),
            });
        }
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![eku];
        p.not_before = spec.not_before;
        p.not_after = spec.not_after;
        p.serial_number = Some(serial());
        p.use_authority_key_identifier_extension = true;
        let k = key(spec.rsa)?;
        let cert = p.signed_by(&k, &Issuer::from_params(&self.params, &self.key)).map_err(err)?;
        Ok(CertKey { cert_pem: cert.pem(), key_pem: k.serialize_pem(), der: cert.der().to_vec() })
    }

    pub fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }
}
