//! The one certificate model: parse DER once into an owned [`Cert`] that holds the DER and
//! every fact later stages need (reports, libpq's hostname rules, path building, pinning,
//! expiry). Nothing else in pgtls parses a certificate: probes, trust stores, configuration
//! audits and verdicts all hold `Cert`s, and path building borrows them.
//!
//! "Self-signed" has one definition, OpenSSL's (`X509_self_signed`): subject equals issuer, the
//! AKI (if any) matches the SKI, and the certificate's own key verifies its signature. "Root"
//! is a self-signed CA (or an X.509 v1 self-signed certificate, which OpenSSL accepts as a CA).
//! Signature checks between two certificates are cached process-wide by fingerprint pair, so
//! path building over many stores and hosts verifies each pair once.
//!
//! `Cert` serialises its facts and its DER (base64); deserialising re-derives everything from
//! the DER, so saved facts can never disagree with the certificate they describe.

pub mod crl;

pub use crl::{name_hash, pem_crls, Crl};

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate, X509Version};
use x509_parser::public_key::PublicKey;

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("certificate {what} is not valid DER X.509: {reason}")]
    Malformed { what: String, reason: String },
}

impl CertError {
    /// The parser's own words, without naming the certificate.
    pub fn reason(&self) -> &str {
        match self {
            CertError::Malformed { reason, .. } => reason,
        }
    }
}

/// What a certificate is, by its own content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertKind {
    /// Self-signed CA: the only thing libpq (OpenSSL without PARTIAL_CHAIN) accepts as anchor.
    Root,
    /// CA certificate signed by someone else (including cross-signed roots).
    Intermediate,
    /// Not a CA: a server (or client) certificate.
    Leaf,
}

/// A subjectAltName entry libpq looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum San {
    Dns(String),
    /// Raw octets (4 for IPv4, 16 for IPv6; anything else is an error for libpq).
    Ip(Vec<u8>),
}

/// Raw pieces kept for path building (not serialised: re-derived from the DER).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Raw {
    subject: Vec<u8>,
    issuer: Vec<u8>,
    spki: Vec<u8>,
    /// The subjectPublicKey BIT STRING's contents (RSAPublicKey DER, EC point, Ed25519 key).
    key_bits: Vec<u8>,
    sans: Vec<San>,
}

/// One certificate: its DER and the facts about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CertDer")]
pub struct Cert {
    pub subject: String,
    pub issuer: String,
    /// Subject common name, if any (used by libpq when no SAN of the host's type exists).
    pub subject_cn: Option<String>,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// X.509 version (1 or 3).
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Subject alternative names as `DNS:name`, `IP:addr`, `email:…`, `URI:…`.
    pub san: Vec<String>,
    /// e.g. `RSA`, `EC`, `ED25519`.
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
    /// Subject and authority key identifiers, lowercase hex.
    pub ski: Option<String>,
    pub aki: Option<String>,
    /// basicConstraints cA flag (false when the extension is absent).
    pub is_ca: bool,
    pub path_len: Option<u32>,
    /// OpenSSL's definition: see the module documentation.
    pub self_signed: bool,
    pub kind: CertKind,
    /// keyUsage bits by name (`digitalSignature`, `keyCertSign` …); empty when absent.
    pub key_usage: Vec<String>,
    /// extendedKeyUsage by name (`serverAuth`, `clientAuth` …); empty when absent.
    pub ext_key_usage: Vec<String>,
    /// Reasons this certificate is cryptographically weak (empty if none).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub weak: Vec<String>,
    /// The raw certificate (base64 in JSON), kept so facts replay and `--pem` works.
    #[serde(with = "der_b64")]
    pub der: Vec<u8>,
    #[serde(skip)]
    raw: Raw,
}

/// What deserialisation reads: the DER; every fact is derived from it again.
#[derive(Deserialize)]
struct CertDer {
    #[serde(with = "der_b64")]
    der: Vec<u8>,
}

impl TryFrom<CertDer> for Cert {
    type Error = CertError;
    fn try_from(c: CertDer) -> Result<Cert, CertError> {
        Cert::from_der(&c.der, "in the saved facts")
    }
}

pub(crate) mod der_b64 {
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

/// keyUsage bits in RFC 5280 order, named as OpenSSL's `-text` output abbreviates them.
const KEY_USAGE_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

const WEAK_SIGNATURES: [&str; 5] =
    ["sha1WithRSAEncryption", "md5WithRSAEncryption", "md2WithRSAEncryption", "ecdsa-with-SHA1", "dsa-with-SHA1"];

impl Cert {
    /// Parse one DER certificate. `what` names it in errors (e.g. "#2 in the chain").
    /// Trailing bytes after the certificate are ignored, as OpenSSL's d2i does.
    pub fn from_der(der: &[u8], what: &str) -> Result<Cert, CertError> {
        let malformed = |reason: String| CertError::Malformed { what: what.to_string(), reason };
        let (rest, cert) = X509Certificate::from_der(der).map_err(|e| malformed(e.to_string()))?;
        let der = &der[..der.len() - rest.len()];

        let mut san = Vec::new();
        let mut sans = Vec::new();
        let mut ski = None;
        let mut aki = None;
        let mut is_ca = false;
        let mut path_len = None;
        let mut key_usage = Vec::new();
        let mut ext_key_usage = Vec::new();
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectAlternativeName(names) => {
                    for n in &names.general_names {
                        san.push(general_name(n));
                        match n {
                            GeneralName::DNSName(d) => sans.push(San::Dns(d.to_string())),
                            GeneralName::IPAddress(ip) => sans.push(San::Ip(ip.to_vec())),
                            _ => {}
                        }
                    }
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
                    key_usage = KEY_USAGE_NAMES
                        .iter()
                        .enumerate()
                        .filter(|(bit, _)| (ku.flags >> bit) & 1 != 0)
                        .map(|(_, n)| n.to_string())
                        .collect();
                    if key_usage.is_empty() {
                        // Present but empty: record it, so "no keyCertSign" is still known.
                        key_usage.push("(none)".into());
                    }
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
                    if ext_key_usage.is_empty() {
                        ext_key_usage.push("(none)".into());
                    }
                }
                _ => {}
            }
        }

        let spki = cert.public_key();
        let (key_type, key_bits, curve) = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => ("RSA".to_string(), rsa.key_size() as u32, None),
            Ok(PublicKey::EC(ec)) => {
                let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|oid| oid_name(&oid));
                ("EC".to_string(), ec.key_size() as u32, curve)
            }
            Ok(PublicKey::DSA(_)) => ("DSA".to_string(), 0, None),
            Ok(PublicKey::GostR3410(_)) | Ok(PublicKey::GostR3410_2012(_)) => ("GOST".to_string(), 0, None),
            _ => {
                let name = oid_name(&spki.algorithm.algorithm);
                let bits = if name.eq_ignore_ascii_case("ED25519") { 256 } else { 0 };
                (name, bits, None)
            }
        };

        let subject_raw = cert.subject().as_raw().to_vec();
        let issuer_raw = cert.issuer().as_raw().to_vec();
        let self_signed = subject_raw == issuer_raw
            && aki.as_ref().zip(ski.as_ref()).is_none_or(|(a, s)| a == s)
            && cert.verify_signature(None).is_ok();
        let version = cert.version().0 + 1;
        let v1_root = self_signed && cert.version() == X509Version::V1;
        let kind = if !(is_ca || v1_root) {
            CertKind::Leaf
        } else if self_signed {
            CertKind::Root
        } else {
            CertKind::Intermediate
        };
        let signature_algorithm = oid_name(&cert.signature_algorithm.algorithm);
        let mut weak = Vec::new();
        if key_type == "RSA" && key_bits < 2048 {
            weak.push(format!("RSA key of {key_bits} bits (< 2048)"));
        }
        if WEAK_SIGNATURES.contains(&signature_algorithm.as_str()) {
            weak.push(format!("{signature_algorithm} signature"));
        }
        let subject_cn = cert.subject().iter_common_name().next().and_then(|cn| cn.as_str().ok()).map(String::from);

        Ok(Cert {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            subject_cn,
            serial: cert.raw_serial_as_string(),
            version,
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            san,
            key_type,
            key_bits,
            curve,
            signature_algorithm,
            sha256: sha256(der),
            spki_sha256: sha256(spki.raw),
            ski,
            aki,
            is_ca,
            path_len,
            self_signed,
            kind,
            key_usage,
            ext_key_usage,
            weak,
            der: der.to_vec(),
            raw: Raw {
                subject: subject_raw,
                issuer: issuer_raw,
                spki: spki.raw.to_vec(),
                key_bits: spki.subject_public_key.data.to_vec(),
                sans,
            },
        })
    }

    /// Whole days from `now` until expiry (negative once expired).
    pub fn days_left(&self, now: OffsetDateTime) -> i64 {
        (self.not_after - now).whole_days()
    }

    pub fn expired_at(&self, at: OffsetDateTime) -> bool {
        at > self.not_after
    }

    pub fn not_yet_valid_at(&self, at: OffsetDateTime) -> bool {
        at < self.not_before
    }

    /// Outside its validity period at `at`.
    pub fn invalid_at(&self, at: OffsetDateTime) -> bool {
        self.expired_at(at) || self.not_yet_valid_at(at)
    }

    /// `key_type` and size for humans: `RSA 2048`, `EC prime256v1`.
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

    /// The subject's CN, or the whole subject when it has none.
    pub fn short_name(&self) -> &str {
        self.subject_cn.as_deref().unwrap_or(&self.subject)
    }

    /// DNS names in the SAN extension.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.raw.sans.iter().filter_map(|s| match s {
            San::Dns(d) => Some(d.as_str()),
            San::Ip(_) => None,
        })
    }

    /// IP addresses in the SAN extension (well-formed ones).
    pub fn ip_addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        self.san.iter().filter_map(|s| s.strip_prefix("IP:")).filter_map(|s| s.parse().ok())
    }

    /// dNSName and iPAddress SANs in certificate order, raw (libpq looks at these).
    pub fn sans(&self) -> &[San] {
        &self.raw.sans
    }

    /// DER of the subject and issuer names and of the SubjectPublicKeyInfo.
    pub fn subject_raw(&self) -> &[u8] {
        &self.raw.subject
    }

    pub fn issuer_raw(&self) -> &[u8] {
        &self.raw.issuer
    }

    pub fn spki_raw(&self) -> &[u8] {
        &self.raw.spki
    }

    /// The subjectPublicKey (RSAPublicKey DER, EC point, Ed25519 key), to compare with a
    /// private key's public half.
    pub fn public_key_bits(&self) -> &[u8] {
        &self.raw.key_bits
    }

    /// keyUsage allows certificate signing; `None` when there is no keyUsage extension.
    pub fn key_cert_sign(&self) -> Option<bool> {
        (!self.key_usage.is_empty()).then(|| self.key_usage.iter().any(|u| u == "keyCertSign"))
    }

    /// extendedKeyUsage allows TLS server authentication (serverAuth or anyExtendedKeyUsage);
    /// `None` when there is no extendedKeyUsage extension.
    pub fn eku_server_auth(&self) -> Option<bool> {
        (!self.ext_key_usage.is_empty())
            .then(|| self.ext_key_usage.iter().any(|u| u == "serverAuth" || u == "anyExtendedKeyUsage"))
    }

    /// SHA-1 of the DER, lower-case hex: the "thumbprint" Windows and providers' CA pages show.
    pub fn sha1(&self) -> String {
        hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der).as_ref())
    }

    /// Same subject and same key: the same CA, whoever signed this copy.
    pub fn same_ca(&self, other: &Cert) -> bool {
        self.raw.subject == other.raw.subject && self.raw.spki == other.raw.spki
    }

    /// The subject's Organization (O=), if any.
    pub fn organization(&self) -> Option<&str> {
        self.subject.split(", ").find_map(|p| p.strip_prefix("O="))
    }

    /// `issuer`'s key verifies this certificate's signature (cached per fingerprint pair).
    pub fn signed_by(&self, issuer: &Cert) -> bool {
        static CACHE: OnceLock<Mutex<HashMap<(String, String), bool>>> = OnceLock::new();
        let key = (self.sha256.clone(), issuer.sha256.clone());
        let cache = CACHE.get_or_init(Default::default);
        if let Some(&r) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return r;
        }
        let ok = verify_sig(&self.der, &issuer.der);
        let mut m = cache.lock().unwrap_or_else(|p| p.into_inner());
        if m.len() > 100_000 {
            m.clear();
        }
        m.insert(key, ok);
        ok
    }
}

/// Does `issuer_der`'s key verify `child_der`'s signature?
fn verify_sig(child_der: &[u8], issuer_der: &[u8]) -> bool {
    let (Ok((_, child)), Ok((_, issuer))) = (X509Certificate::from_der(child_der), X509Certificate::from_der(issuer_der)) else {
        return false;
    };
    if child.verify_signature(Some(issuer.public_key())).is_ok() {
        return true;
    }
    // aws-lc's default RSA parameters refuse keys under 2048 bits, OpenSSL does not (the
    // security level decides that, separately): retry RSA with the legacy 1024-bit parameters.
    use aws_lc_rs::signature::{self, UnparsedPublicKey};
    let params = match child.signature_algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.5" => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        "1.2.840.113549.1.1.11" => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        "1.2.840.113549.1.1.13" => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        _ => return false,
    };
    let key = &issuer.public_key().subject_public_key.data;
    UnparsedPublicKey::new(params, key).verify(child.tbs_certificate.as_ref(), &child.signature_value.data).is_ok()
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

/// A DER-encoded distinguished name as text (`CN=…, O=…`), or hex when it does not parse.
pub fn dn_to_string(der: &[u8]) -> String {
    match x509_parser::x509::X509Name::from_der(der) {
        Ok((_, name)) => name.to_string(),
        Err(_) => hex(der),
    }
}

/// The certificates of a PEM text (`CERTIFICATE`, `X509 CERTIFICATE`, `TRUSTED CERTIFICATE`
/// blocks), in order; blocks that do not parse are skipped.
pub fn pem_certs(bytes: &[u8]) -> Vec<Cert> {
    x509_parser::pem::Pem::iter_from_buffer(bytes)
        .map_while(Result::ok)
        .filter(|p| matches!(p.label.as_str(), "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"))
        .enumerate()
        .filter_map(|(i, p)| Cert::from_der(&p.contents, &format!("block {}", i + 1)).ok())
        .collect()
}

/// The public key of a PEM private key, encoded as in a certificate's subjectPublicKey (PKCS#8,
/// PKCS#1 RSA and SEC1 EC keys; Ed25519 as PKCS#8). `None` for encrypted or unknown keys.
pub fn private_key_public_bits(key_pem: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
    let text = std::str::from_utf8(key_pem).ok()?;
    let block = pem::parse_many(text).ok()?.into_iter().find(|p| p.tag().ends_with("PRIVATE KEY"))?;
    let der = block.contents();
    let ec = [
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
    ];
    match block.tag() {
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(der).ok().map(|k| k.public_key().as_ref().to_vec()),
        "EC PRIVATE KEY" => ec.iter().find_map(|a| EcdsaKeyPair::from_private_key_der(a, der).ok()).map(|k| k.public_key().as_ref().to_vec()),
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(der)
            .ok()
            .map(|k| k.public_key().as_ref().to_vec())
            .or_else(|| ec.iter().find_map(|a| EcdsaKeyPair::from_pkcs8(a, der).ok()).map(|k| k.public_key().as_ref().to_vec()))
            .or_else(|| Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).ok().map(|k| k.public_key().as_ref().to_vec())),
        _ => None,
    }
}

/// The DER of a PEM private key (PKCS#8, PKCS#1 or SEC1), for the handshake; `None` for an
/// encrypted or unknown key. Never print it.
pub fn private_key_der(key_pem: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(key_pem).ok()?;
    let block = pem::parse_many(text).ok()?.into_iter().find(|p| matches!(p.tag(), "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"))?;
    Some(block.into_contents())
}

/// Why an encrypted private key could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDecryptError {
    /// The password does not decrypt it (OpenSSL: "bad decrypt").
    WrongPassword,
    /// Not a PKCS#8 `ENCRYPTED PRIVATE KEY` (e.g. a traditional `Proc-Type: 4,ENCRYPTED` PEM).
    Unsupported,
}

/// Decrypt a PKCS#8 `ENCRYPTED PRIVATE KEY` PEM with `password` (libpq's sslpassword) into a
/// plain PEM `PRIVATE KEY`. Never print the result.
pub fn decrypt_private_key(key_pem: &[u8], password: &str) -> Result<Vec<u8>, KeyDecryptError> {
    let text = std::str::from_utf8(key_pem).map_err(|_| KeyDecryptError::Unsupported)?;
    let block = pem::parse_many(text)
        .map_err(|_| KeyDecryptError::Unsupported)?
        .into_iter()
        .find(|p| p.tag() == "ENCRYPTED PRIVATE KEY")
        .ok_or(KeyDecryptError::Unsupported)?;
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(block.contents()).map_err(|_| KeyDecryptError::Unsupported)?;
    let plain = info.decrypt(password.as_bytes()).map_err(|_| KeyDecryptError::WrongPassword)?;
    Ok(pem::encode(&pem::Pem::new("PRIVATE KEY", plain.as_bytes().to_vec())).into_bytes())
}

/// Does the first certificate of `cert_pem` carry the public key of `key_pem`? `None` when
/// either cannot be read (an encrypted key, an unsupported algorithm).
pub fn key_matches_cert(cert_pem: &[u8], key_pem: &[u8]) -> Option<bool> {
    let cert = pem_certs(cert_pem).into_iter().next()?;
    Some(cert.raw.key_bits == private_key_public_bits(key_pem)?)
}

/// The `tls-server-end-point` channel binding data of a server certificate (RFC 5929 §4.1):
/// its hash with the digest of its own signature, SHA-256 in place of MD5 and SHA-1.
pub fn tls_server_end_point(cert: &Cert) -> Vec<u8> {
    use aws_lc_rs::digest;
    let a = cert.signature_algorithm.to_ascii_lowercase();
    let alg = if a.contains("384") {
        &digest::SHA384
    } else if a.contains("512") {
        &digest::SHA512
    } else {
        &digest::SHA256
    };
    digest::digest(alg, &cert.der).as_ref().to_vec()
}

/// Parse every certificate in a chain, naming each by its position for errors.
pub fn parse_chain(ders: &[Vec<u8>]) -> Result<Vec<Cert>, CertError> {
    ders.iter().enumerate().map(|(i, d)| Cert::from_der(d, &format!("#{i} in the chain"))).collect()
}

/// Test support: pgtls's view of a certificate the lab generated (the lab never returns
/// pgtls types). For this crate's tests, and the other crates' (feature `lab`).
#[cfg(any(test, feature = "lab"))]
pub trait LabCert {
    fn info(&self) -> Cert;
}

#[cfg(any(test, feature = "lab"))]
impl LabCert for pgtls_lab::CertKey {
    fn info(&self) -> Cert {
        Cert::from_der(&self.der, "test").expect("lab certificate parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pgtls_lab::{CertKey, CertSpec};

    fn leaf_der() -> (Vec<u8>, Vec<u8>) {
        let ca = CertKey::root_with("Test Root", &CertSpec::default().path_len(1)).unwrap();
        let leaf = ca.leaf("db.example.com", &["db.example.com", "127.0.0.1"]).unwrap();
        (leaf.der, ca.der)
    }

    #[test]
    fn summarises_leaf_and_root() {
        let (leaf, root) = leaf_der();
        let l = Cert::from_der(&leaf, "leaf").unwrap();
        let r = Cert::from_der(&root, "root").unwrap();
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
        let back: Cert = serde_json::from_str(&json).unwrap();
        assert_eq!(back, l);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for junk in [&b""[..], b"\x30", b"\x30\x82\xff\xff", b"hello world"] {
            let e = Cert::from_der(junk, "#0 sent by the server").unwrap_err();
            assert!(e.to_string().contains("#0 sent by the server"));
        }
    }

    #[test]
    fn colon_hex_formats_like_openssl() {
        assert_eq!(colon_hex("0aff"), "0A:FF");
    }
}
