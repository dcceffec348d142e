//! Certificate facts: an owned, serialisable summary of one X.509 certificate.
//!
//! Everything later stages reason about (hostname rules, trust paths, expiry, pinning) is
//! computed from DER here once, so findings and reports never re-parse, and facts can be
//! saved and replayed without the original bytes being interpreted twice.

use std::fmt::Write as _;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("certificate {what} is not valid DER X.509: {reason}")]
    Malformed { what: String, reason: String },
}

/// One certificate, as a person needs to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Subject common name, if any (used by libpq when no SAN of the host's type exists).
    pub subject_cn: Option<String>,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Subject alternative names as `DNS:name`, `IP:addr`, `email:…`, `URI:…`.
    pub san: Vec<String>,
    /// e.g. `RSA`, `EC`, `Ed25519`.
    pub key_type: String,
    /// Key size in bits (RSA modulus, EC field size), 0 when unknown.
    pub key_bits: u32,
    /// EC curve name, when the key is EC.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub curve: Option<String>,
    /// Signature algorithm short name, e.g. `sha256WithRSAEncryption`.
    pub signature_algorithm: String,
    /// SHA-256 of the DER, lowercase hex without separators.
    pub sha256: String,
    /// Hex SHA-256 of the SubjectPublicKeyInfo: equal for cross-signed twins.
    pub spki_sha256: String,
    pub ski: Option<String>,
    pub aki: Option<String>,
    pub is_ca: bool,
    pub path_len: Option<u32>,
    /// Subject equals issuer and the signature verifies with the certificate's own key.
    pub self_signed: bool,
    /// keyUsage bits by name (`digitalSignature`, `keyCertSign` …); empty when absent.
    pub key_usage: Vec<String>,
    /// extendedKeyUsage by name (`serverAuth`, `clientAuth` …); empty when absent.
    pub ext_key_usage: Vec<String>,
    /// The raw certificate (base64 in JSON), kept so facts replay and `--pem` works.
    #[serde(with = "der_b64")]
    pub der: Vec<u8>,
}

mod der_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(der: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let p = pem::Pem::new("CERTIFICATE", der.to_vec());
        let text = pem::encode_config(&p, pem::EncodeConfig::new().set_line_wrap(usize::MAX));
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        s.serialize_str(&body)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let b64 = String::deserialize(d)?;
        let text = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        pem::parse(text).map(|p| p.into_contents()).map_err(serde::de::Error::custom)
    }
}

/// Lowercase hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Uppercase colon-separated hex, as `openssl x509 -fingerprint` prints it.
pub fn colon_hex(hex_lower: &str) -> String {
    hex_lower
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

pub fn sha256(data: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref())
}

impl CertInfo {
    /// Summarise one DER certificate. `what` names it in errors (e.g. "#2 sent by the server").
    pub fn from_der(der: &[u8], what: &str) -> Result<CertInfo, CertError> {
        let malformed = |reason: String| CertError::Malformed { what: what.to_string(), reason };
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| malformed(e.to_string()))?;

        let mut san = Vec::new();
        let mut ski = None;
        let mut aki = None;
        let mut is_ca = false;
        let mut path_len = None;
        let mut key_usage = Vec::new();
        let mut ext_key_usage = Vec::new();
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(names) => {
                    san.extend(names.general_names.iter().map(general_name));
                }
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(hex(k.0)),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| hex(k.0));
                }
                ParsedExtension::BasicConstraints(bc) => {
                    is_ca = bc.ca;
                    path_len = bc.path_len_constraint;
                }
                ParsedExtension::KeyUsage(ku) => {
                    key_usage = ku.to_string().split(", ").filter(|s| !s.is_empty()).map(String::from).collect();
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let pairs = [
                        (eku.any, "anyExtendedKeyUsage"),
                        (eku.server_auth, "serverAuth"),
                        (eku.client_auth, "clientAuth"),
                        (eku.code_signing, "codeSigning"),
                        (eku.email_protection, "emailProtection"),
                        (eku.time_stamping, "timeStamping"),
                        (eku.ocsp_signing, "OCSPSigning"),
                    ];
                    ext_key_usage = pairs.iter().filter(|(on, _)| *on).map(|(_, n)| n.to_string()).collect();
                    ext_key_usage.extend(eku.other.iter().map(|o| o.to_id_string()));
                }
                _ => {}
            }
        }

        let spki = cert.public_key();
        let (key_type, key_bits, curve) = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => ("RSA".to_string(), rsa.key_size() as u32, None),
            Ok(PublicKey::EC(ec)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|oid| oid_name(&oid));
                ("EC".to_string(), ec.key_size() as u32, curve)
            }
            Ok(PublicKey::DSA(_)) => ("DSA".to_string(), 0, None),
            Ok(PublicKey::GostR3410(_)) | Ok(PublicKey::GostR3410_2012(_)) => ("GOST".to_string(), 0, None),
            _ => {
                let name = oid_name(&spki.algorithm.algorithm);
                let bits = if name == "ED25519" || name == "Ed25519" { 256 } else { 0 };
                (name, bits, None)
            }
        };

        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        let self_signed = cert.subject().as_raw() == cert.issuer().as_raw() && cert.verify_signature(None).is_ok();
        let subject_cn = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(String::from);

        Ok(CertInfo {
            subject,
            issuer,
            subject_cn,
            serial: cert.raw_serial_as_string(),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            san,
            key_type,
            key_bits,
            curve,
            signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
            sha256: sha256(der),
            spki_sha256: sha256(spki.raw),
            ski,
            aki,
            is_ca,
            path_len,
            self_signed,
            key_usage,
            ext_key_usage,
            der: der.to_vec(),
        })
    }

    /// Whole days from `now` until expiry (negative once expired).
    pub fn days_left(&self, now: OffsetDateTime) -> i64 {
        (self.not_after - now).whole_days()
    }

    /// `key_type` and size for humans: `RSA 2048`, `EC P-256 (256)`.
    pub fn key_description(&self) -> String {
        match (&self.curve, self.key_bits) {
            (Some(c), _) => format!("{} {}", self.key_type, c),
            (None, 0) => self.key_type.clone(),
            (None, bits) => format!("{} {bits}", self.key_type),
        }
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        pem::encode(&pem::Pem::new("CERTIFICATE", self.der.clone()))
    }

    /// DNS names in the SAN extension.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.san.iter().filter_map(|s| s.strip_prefix("DNS:"))
    }

    /// IP addresses in the SAN extension.
    pub fn ip_addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.san.iter().filter_map(|s| s.strip_prefix("IP:")).filter_map(|s| s.parse().ok())
    }
}

fn general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => format!("IP:{}", IpAddr::from(<[u8; 4]>::try_from(*bytes).unwrap_or_default())),
            16 => format!("IP:{}", IpAddr::from(<[u8; 16]>::try_from(*bytes).unwrap_or_default())),
            _ => format!("IP:<{} bytes: {}>", bytes.len(), hex(bytes)),
        },
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        other => format!("other:{other:?}"),
    }
}

fn oid_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map(String::from)
        .unwrap_or_else(|_| oid.to_id_string())
}

/// Parse every certificate in a chain, naming each by its position for errors.
pub fn summarise_chain(ders: &[Vec<u8>]) -> Result<Vec<CertInfo>, CertError> {
    ders.iter()
        .enumerate()
        .map(|(i, d)| CertInfo::from_der(d, &format!("#{i} in the chain")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};

    fn leaf_der() -> (Vec<u8>, Vec<u8>) {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name.push(DnType::CommonName, "Test Root");
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, &ca_key);
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec!["db.example.com".to_string()]).unwrap();
        p.subject_alt_names.push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
        p.distinguished_name.push(DnType::CommonName, "db.example.com");
        p.use_authority_key_identifier_extension = true;
        let leaf = p.signed_by(&key, &issuer).unwrap();
        (leaf.der().to_vec(), ca_cert.der().to_vec())
    }

    #[test]
    fn summarises_leaf_and_root() {
        let (leaf, root) = leaf_der();
        let l = CertInfo::from_der(&leaf, "leaf").unwrap();
        let r = CertInfo::from_der(&root, "root").unwrap();
        assert_eq!(l.subject_cn.as_deref(), Some("db.example.com"));
        assert_eq!(l.san, vec!["DNS:db.example.com", "IP:127.0.0.1"]);
        assert!(!l.is_ca && !l.self_signed);
        assert!(r.is_ca && r.self_signed);
        assert_eq!(r.path_len, Some(1));
        assert_eq!(l.aki, r.ski);
        assert_eq!(l.key_type, "EC");
        assert_eq!(l.curve.as_deref(), Some("prime256v1"));
        assert_eq!(l.sha256.len(), 64);
        assert_eq!(l.issuer, r.subject);
        let json = serde_json::to_string(&l).unwrap();
        let back: CertInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for junk in [&b""[..], b"\x30", b"\x30\x82\xff\xff", b"hello world"] {
            let e = CertInfo::from_der(junk, "#0 sent by the server").unwrap_err();
            assert!(e.to_string().contains("#0 sent by the server"));
        }
    }

    #[test]
    fn colon_hex_formats_like_openssl() {
        assert_eq!(colon_hex("0aff"), "0A:FF");
    }
}
