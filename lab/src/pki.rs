//! The certificate factory: every certificate a test or the demo needs, generated with rcgen
//! (roots, intermediates, server and client leaves, CN-only leaves, cross-signed and
//! self-signed twins, any validity window; EC P-256 by default because it is fast, RSA on
//! request), plus what only the openssl CLI can still make (RSA-1024 with SHA-1).
//!
//! Every generated certificate is a [`CertKey`]: PEM, DER and the private key, and it can
//! issue further certificates — a leaf too, for "the issuer is not a CA" cases. rcgen stays
//! an implementation detail: callers get PEM/DER and convert to whatever they parse with.

use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Stdio};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use super::LabError;

/// The current instant (UTC).
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `d` days before now.
pub fn days_ago(d: i64) -> OffsetDateTime {
    now() - Duration::days(d)
}

/// `d` days after now.
pub fn days_ahead(d: i64) -> OffsetDateTime {
    now() + Duration::days(d)
}

/// The extendedKeyUsage of a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Eku {
    #[default]
    ServerAuth,
    ClientAuth,
}

/// Validity, key and subject choices for a generated certificate; build it with the methods:
/// `CertSpec::valid(days_ago(400), days_ago(2)).rsa(true)`.
#[derive(Debug, Clone)]
pub struct CertSpec {
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    rsa: bool,
    path_len: Option<u8>,
    eku: Eku,
    org: Option<String>,
}

impl Default for CertSpec {
    /// Valid from yesterday for a year, EC P-256, no pathLenConstraint, serverAuth, and
    /// `O=pgtls lab` on CAs.
    fn default() -> Self {
        CertSpec::valid(days_ago(1), days_ahead(365))
    }
}

impl CertSpec {
    /// Valid from `not_before` to `not_after`; everything else as by default.
    pub fn valid(not_before: OffsetDateTime, not_after: OffsetDateTime) -> Self {
        CertSpec { not_before, not_after, rsa: false, path_len: None, eku: Eku::ServerAuth, org: None }
    }

    /// Already expired (ended yesterday).
    pub fn expired() -> Self {
        CertSpec::valid(days_ago(400), days_ago(1))
    }

    /// An RSA-2048 key (SHA-256 signatures) instead of EC P-256.
    pub fn rsa(mut self, rsa: bool) -> Self {
        self.rsa = rsa;
        self
    }

    /// pathLenConstraint, for CAs.
    pub fn path_len(mut self, n: u8) -> Self {
        self.path_len = Some(n);
        self
    }

    /// extendedKeyUsage, for leaves.
    pub fn eku(mut self, eku: Eku) -> Self {
        self.eku = eku;
        self
    }

    /// The subject's O= (CAs get `pgtls lab` otherwise, leaves none).
    pub fn org(mut self, org: &str) -> Self {
        self.org = Some(org.to_string());
        self
    }
}

/// A generated certificate with its private key, able to issue more.
pub struct CertKey {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
    params: CertificateParams,
    key: KeyPair,
}

impl std::fmt::Debug for CertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertKey").field("cert_pem", &self.cert_pem).finish_non_exhaustive()
    }
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

/// Subject `[O=org,] CN=cn`, the validity of `spec`, a fresh serial and an AKI.
fn base(cn: &str, org: Option<&str>, spec: &CertSpec) -> Result<CertificateParams, LabError> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    if let Some(o) = org {
        p.distinguished_name.push(DnType::OrganizationName, o);
    }
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = spec.not_before;
    p.not_after = spec.not_after;
    p.serial_number = Some(serial());
    p.use_authority_key_identifier_extension = true;
    Ok(p)
}

fn ca_params(cn: &str, spec: &CertSpec) -> Result<CertificateParams, LabError> {
    let mut p = base(cn, Some(spec.org.as_deref().unwrap_or("pgtls lab")), spec)?;
    p.is_ca = IsCa::Ca(match spec.path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    Ok(p)
}

/// DNS and IP SANs (strings that parse as IP addresses become iPAddress).
fn sans(list: &[&str]) -> Result<Vec<SanType>, LabError> {
    list.iter()
        .map(|s| match s.parse::<IpAddr>() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => Ok(SanType::DnsName((*s).try_into().map_err(err)?)),
        })
        .collect()
}

impl CertKey {
    /// Sign `params` for `key`, by `issuer` or by itself.
    fn sign(params: CertificateParams, key: KeyPair, issuer: Option<&CertKey>) -> Result<CertKey, LabError> {
        let cert = match issuer {
            Some(i) => params.signed_by(&key, &Issuer::from_params(&i.params, &i.key)),
            None => params.self_signed(&key),
        }
        .map_err(err)?;
        Ok(CertKey { cert_pem: cert.pem(), key_pem: key.serialize_pem(), der: cert.der().to_vec(), params, key })
    }

    /// A self-signed root CA (`O=pgtls lab, CN=cn`).
    pub fn root(cn: &str) -> Result<CertKey, LabError> {
        CertKey::root_with(cn, &CertSpec::default())
    }

    pub fn root_with(cn: &str, spec: &CertSpec) -> Result<CertKey, LabError> {
        CertKey::sign(ca_params(cn, spec)?, key(spec.rsa)?, None)
    }

    /// An intermediate CA issued by this certificate.
    pub fn intermediate(&self, cn: &str) -> Result<CertKey, LabError> {
        self.intermediate_with(cn, &CertSpec::default())
    }

    pub fn intermediate_with(&self, cn: &str, spec: &CertSpec) -> Result<CertKey, LabError> {
        CertKey::sign(ca_params(cn, spec)?, key(spec.rsa)?, Some(self))
    }

    /// A server certificate for `cn` with the given SANs (none: a CN-only certificate).
    pub fn leaf(&self, cn: &str, sans: &[&str]) -> Result<CertKey, LabError> {
        self.leaf_with(cn, sans, &CertSpec::default())
    }

    /// A client certificate whose CN is the user name (for `cert` authentication).
    pub fn client(&self, cn: &str) -> Result<CertKey, LabError> {
        self.leaf_with(cn, &[], &CertSpec::default().eku(Eku::ClientAuth))
    }

    /// An end-entity certificate (basicConstraints CA:FALSE, digitalSignature and
    /// keyEncipherment, the spec's extendedKeyUsage) issued by this certificate.
    pub fn leaf_with(&self, cn: &str, san_list: &[&str], spec: &CertSpec) -> Result<CertKey, LabError> {
        let mut p = base(cn, spec.org.as_deref(), spec)?;
        p.subject_alt_names = sans(san_list)?;
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![match spec.eku {
            Eku::ServerAuth => ExtendedKeyUsagePurpose::ServerAuth,
            Eku::ClientAuth => ExtendedKeyUsagePurpose::ClientAuth,
        }];
        CertKey::sign(p, key(spec.rsa)?, Some(self))
    }

    /// A server certificate for `cn` carrying `count` private extensions (OIDs under
    /// 1.3.6.1.4.1.55555), each an OCTET STRING of `size` bytes (at most 127): absurd
    /// certificates for robustness tests.
    pub fn leaf_with_extensions(&self, cn: &str, count: u64, size: usize) -> Result<CertKey, LabError> {
        let spec = CertSpec::default();
        let mut p = base(cn, None, &spec)?;
        p.subject_alt_names = sans(&[cn])?;
        for i in 0..count {
            // extnValue holds DER: an OCTET STRING of `size` bytes (short form, so ≤ 127).
            let size = size.min(127);
            let mut content = vec![0x04, size as u8];
            content.resize(2 + size, 0x5a);
            p.custom_extensions.push(rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, i + 1], content));
        }
        CertKey::sign(p, key(spec.rsa)?, Some(self))
    }

    /// A self-signed server certificate with no CA, key-usage or extended-key-usage
    /// extensions: what `openssl req -x509` users deploy.
    pub fn self_signed(cn: &str, san_list: &[&str]) -> Result<CertKey, LabError> {
        let spec = CertSpec::default();
        let mut p = base(cn, None, &spec)?;
        p.subject_alt_names = sans(san_list)?;
        CertKey::sign(p, key(spec.rsa)?, None)
    }

    /// A cross-certificate: `other`'s subject and key, issued by this certificate (the way
    /// "Microsoft TLS RSA Root G2" is cross-signed by "DigiCert Global Root G2").
    pub fn cross_sign(&self, other: &CertKey) -> Result<CertKey, LabError> {
        other.resigned(Some(self))
    }

    /// The same subject and key, self-signed: the "twin" root of a cross-signed CA.
    pub fn self_signed_twin(&self) -> Result<CertKey, LabError> {
        self.resigned(None)
    }

    /// A CRL issued by this CA (PEM), revoking `revoked`, valid from `this_update` to
    /// `next_update`.
    pub fn crl_between(&self, revoked: &[&CertKey], this_update: OffsetDateTime, next_update: OffsetDateTime) -> Result<String, LabError> {
        let params = rcgen::CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|c| rcgen::RevokedCertParams {
                    serial_number: c.params.serial_number.clone().unwrap_or_else(serial),
                    revocation_time: days_ago(1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        params.signed_by(&Issuer::from_params(&self.params, &self.key)).map_err(err)?.pem().map_err(err)
    }

    /// A CRL issued by this CA, current (yesterday to 30 days ahead), revoking `revoked`.
    pub fn crl(&self, revoked: &[&CertKey]) -> Result<String, LabError> {
        self.crl_between(revoked, days_ago(1), days_ahead(30))
    }

    fn resigned(&self, issuer: Option<&CertKey>) -> Result<CertKey, LabError> {
        let mut params = self.params.clone();
        params.serial_number = Some(serial());
        let key = KeyPair::from_pem(&self.key_pem).map_err(err)?;
        CertKey::sign(params, key, issuer)
    }
}

/// Runs `openssl` with `args` in `dir`; true when it succeeded.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The DER of the first certificate in `dir/file`.
fn read_der(dir: &Path, file: &str) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(dir.join(file)).ok()?;
    pem::parse_many(text).ok()?.into_iter().find(|p| p.tag() == "CERTIFICATE").map(|p| p.into_contents())
}

/// A weak root (RSA-1024, SHA-1, `CN=Weak Root`) made by the openssl CLI in `dir`, or `None`
/// when the CLI is missing or refuses (rcgen cannot sign with SHA-1).
pub fn openssl_weak_root(dir: &Path) -> Option<Vec<u8>> {
    let made = openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-sha1", "-keyout", "wr.key", "-out", "wr.pem", "-subj",
            "/CN=Weak Root", "-days", "30", "-addext", "basicConstraints=critical,CA:true",
        ],
    );
    if made {
        read_der(dir, "wr.pem")
    } else {
        None
    }
}

/// (root, leaf) DER made entirely by the openssl CLI in `dir`: the [`openssl_weak_root`] →
/// a P-256 leaf for `db.example.com` signed with SHA-256; `None` when the CLI cannot.
pub fn openssl_weak_chain(dir: &Path) -> Option<(Vec<u8>, Vec<u8>)> {
    let root = openssl_weak_root(dir)?;
    let csr = [
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "l.key", "-out", "l.csr",
        "-subj", "/CN=db.example.com",
    ];
    let sign = [
        "x509", "-req", "-in", "l.csr", "-CA", "wr.pem", "-CAkey", "wr.key", "-CAcreateserial", "-out", "l.pem",
        "-days", "5", "-sha256",
    ];
    if openssl(dir, &csr) && openssl(dir, &sign) {
        Some((root, read_der(dir, "l.pem")?))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_chains_twins_and_cross_certificates() {
        let root = CertKey::root("Root").unwrap();
        let inter = root.intermediate_with("Inter", &CertSpec::default().path_len(0).org("Example")).unwrap();
        let leaf = inter.leaf("db", &["db", "127.0.0.1"]).unwrap();
        assert!(leaf.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(leaf.key_pem.contains("PRIVATE KEY"));
        assert_eq!(pem::parse(&leaf.cert_pem).unwrap().contents(), &leaf.der[..]);
        let cross = root.cross_sign(&inter).unwrap();
        let twin = inter.self_signed_twin().unwrap();
        assert_eq!(cross.key_pem, inter.key_pem);
        assert_eq!(twin.key_pem, inter.key_pem);
        assert_ne!(cross.der, inter.der);
        let rsa = root.leaf_with("r", &[], &CertSpec::expired().rsa(true).eku(Eku::ClientAuth)).unwrap();
        assert!(rsa.der.len() > leaf.der.len());
        assert!(CertKey::self_signed("s", &["s"]).is_ok());
        assert!(root.leaf("bad", &["bücher.example"]).is_err());
    }
}
