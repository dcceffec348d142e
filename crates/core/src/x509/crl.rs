//! Certificate revocation lists, read once into an owned [`Crl`], and OpenSSL's subject-name
//! hash, which decides where OpenSSL looks for a CRL in a hashed directory (`sslcrldir`,
//! `openssl rehash`): `<hash>.r0`, `<hash>.r1`, …
//!
//! The hash is `X509_NAME_hash_ex` (OpenSSL 1.0.0 and later, `crypto/x509/x509_cmp.c` with the
//! canonical encoding of `crypto/x509/x_name.c`): every string attribute is converted to
//! UTF-8, trimmed, its inner runs of whitespace collapsed to one space and ASCII upper case
//! folded to lower case, re-tagged UTF8String; the RDN SETs are DER-encoded one after the
//! other without the outer SEQUENCE; the hash is the first four bytes of SHA-1 over that,
//! read little-endian.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::prelude::{FromDer, X509Name};
use x509_parser::revocation_list::CertificateRevocationList;

use super::{Cert, CertError};

/// One CRL: who issued it, when, and which serial numbers it revokes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CrlDer")]
pub struct Crl {
    /// Where it was read (`/x/root.crl block 2`, `/x/crls/1a2b3c4d.r0`).
    pub origin: String,
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub this_update: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_update: Option<OffsetDateTime>,
    /// Revoked serial numbers, in [`Cert::serial`]'s spelling.
    pub revoked: Vec<String>,
    #[serde(skip)]
    issuer_raw: Vec<u8>,
    /// The raw CRL (base64 in JSON), so replayed facts re-derive everything from it.
    #[serde(with = "super::der_b64")]
    der: Vec<u8>,
}

#[derive(Deserialize)]
struct CrlDer {
    origin: String,
    #[serde(with = "super::der_b64")]
    der: Vec<u8>,
}

impl TryFrom<CrlDer> for Crl {
    type Error = CertError;
    fn try_from(c: CrlDer) -> Result<Crl, CertError> {
        Crl::from_der(&c.der, &c.origin)
    }
}

impl Crl {
    pub fn from_der(der: &[u8], origin: &str) -> Result<Crl, CertError> {
        let malformed = |reason: String| CertError::Malformed { what: format!("revocation list {origin}"), reason };
        let (_, crl) = CertificateRevocationList::from_der(der).map_err(|e| malformed(e.to_string()))?;
        Ok(Crl {
            origin: origin.to_string(),
            issuer: crl.issuer().to_string(),
            this_update: crl.last_update().to_datetime(),
            next_update: crl.next_update().map(|t| t.to_datetime()),
            revoked: crl.iter_revoked_certificates().map(|r| r.raw_serial_as_string()).collect(),
            issuer_raw: crl.issuer().as_raw().to_vec(),
            der: der.to_vec(),
        })
    }

    /// Issued under the DER name `name`, compared as OpenSSL compares names (a certificate's
    /// issuer name: the CRLs that cover it; a CA's subject name: the CRLs it issued).
    pub fn issued_under(&self, name: &[u8]) -> bool {
        self.issuer_raw == name || names_equal(&self.issuer_raw, name)
    }

    pub fn revokes(&self, cert: &Cert) -> bool {
        self.revoked.contains(&cert.serial)
    }

    /// `issuer`'s key verifies this CRL's signature.
    pub fn signed_by(&self, issuer: &Cert) -> bool {
        let (Ok((_, crl)), Ok((_, ca))) = (CertificateRevocationList::from_der(&self.der), x509_parser::parse_x509_certificate(&issuer.der)) else {
            return false;
        };
        crl.verify_signature(ca.public_key()).is_ok()
    }

    pub fn not_yet_valid_at(&self, at: OffsetDateTime) -> bool {
        self.this_update > at
    }

    /// Past nextUpdate (a CRL without one never expires, as in OpenSSL).
    pub fn expired_at(&self, at: OffsetDateTime) -> bool {
        self.next_update.is_some_and(|n| n < at)
    }

    /// OpenSSL's hash of this CRL's issuer name (its file name in a hashed directory).
    pub fn issuer_hash(&self) -> Option<u32> {
        name_hash(&self.issuer_raw)
    }
}

/// The CRLs of a PEM text (`X509 CRL` blocks), in order, each named `origin block N`; blocks
/// that do not parse are returned as errors so a caller can say which one.
pub fn pem_crls(bytes: &[u8], origin: &str) -> Vec<Result<Crl, CertError>> {
    x509_parser::pem::Pem::iter_from_buffer(bytes)
        .map_while(Result::ok)
        .enumerate()
        .filter(|(_, p)| p.label == "X509 CRL")
        .map(|(i, p)| Crl::from_der(&p.contents, &format!("{origin} block {}", i + 1)))
        .collect()
}

/// OpenSSL's `X509_NAME_hash` of a DER name (`openssl x509 -hash`, `c_rehash` file names).
/// `None` when the name does not parse.
pub fn name_hash(der: &[u8]) -> Option<u32> {
    let canon = canonical_name(der)?;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &canon);
    let d = digest.as_ref();
    Some(u32::from_le_bytes([d[0], d[1], d[2], d[3]]))
}

/// Names equal after OpenSSL's canonicalisation (how `X509_NAME_cmp` compares them).
fn names_equal(a: &[u8], b: &[u8]) -> bool {
    matches!((canonical_name(a), canonical_name(b)), (Some(x), Some(y)) if x == y)
}

fn canonical_name(der: &[u8]) -> Option<Vec<u8>> {
    let (_, name) = X509Name::from_der(der).ok()?;
    let mut out = Vec::new();
    for rdn in name.iter_rdn() {
        let mut entries: Vec<Vec<u8>> = Vec::new();
        for ava in rdn.iter() {
            let mut seq = Vec::new();
            let oid = ava.attr_type().as_bytes();
            tlv(&mut seq, 0x06, oid);
            let value = ava.attr_value();
            let string_tags = [
                Tag::Utf8String,
                Tag::BmpString,
                Tag::UniversalString,
                Tag::PrintableString,
                Tag::T61String,
                Tag::Ia5String,
                Tag::VisibleString,
            ];
            if string_tags.contains(&value.tag()) {
                let text = string_value(value.tag(), value.data)?;
                tlv(&mut seq, 0x0c, canonical_text(&text).as_bytes());
            } else {
                // Not a string: copied as it is (tag, length, contents).
                let mut raw = Vec::new();
                tlv(&mut raw, value.header.raw_tag().map(|t| t[0]).unwrap_or(value.tag().0 as u8), value.data);
                seq.extend_from_slice(&raw);
            }
            let mut e = Vec::new();
            tlv(&mut e, 0x30, &seq);
            entries.push(e);
        }
        // DER SET OF: elements sorted by their encoding.
        entries.sort();
        let set: Vec<u8> = entries.concat();
        tlv(&mut out, 0x31, &set);
    }
    Some(out)
}

fn string_value(tag: Tag, data: &[u8]) -> Option<String> {
    match tag {
        Tag::BmpString => {
            let units: Vec<u16> = data.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
            String::from_utf16(&units).ok()
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| (c.len() == 4).then(|| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).flatten())
            .collect(),
        // T61String is read as Latin-1 by OpenSSL.
        Tag::T61String => Some(data.iter().map(|&b| b as char).collect()),
        _ => String::from_utf8(data.to_vec()).ok(),
    }
}

/// OpenSSL's `asn1_string_canon`: trim, collapse inner whitespace, fold ASCII case.
fn canonical_text(s: &str) -> String {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r');
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.trim_matches(is_space).chars() {
        if is_space(c) {
            pending_space = true;
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn tlv(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::x509::LabCert;
    use pgtls_lab::CertKey;

    /// Our hash against `openssl x509 -subject_hash` (skipped without the CLI).
    #[test]
    fn name_hash_matches_openssl() {
        for cn in ["pgtls test root", "  Mixed   CASE\tRoot ", "Ünïcode Root"] {
            let root = CertKey::root(cn).unwrap();
            let dir = pgtls_lab::temp_dir("crl").unwrap();
            let path = dir.path().join("c.pem");
            std::fs::write(&path, &root.cert_pem).unwrap();
            let Ok(out) = std::process::Command::new("openssl").args(["x509", "-noout", "-subject_hash", "-in"]).arg(&path).output() else {
                eprintln!("SKIP: no openssl CLI");
                return;
            };
            let theirs = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let ours = format!("{:08x}", name_hash(root.info().subject_raw()).unwrap());
            assert_eq!(ours, theirs, "{cn:?}");
        }
    }

    #[test]
    fn crl_facts() {
        let root = CertKey::root("R").unwrap();
        let other = CertKey::root("Other").unwrap();
        let inter = root.intermediate("I").unwrap();
        let revoked = inter.leaf("db", &["db"]).unwrap();
        let fine = inter.leaf("db2", &["db2"]).unwrap();
        let pem = inter.crl(&[&revoked]).unwrap();
        let crls: Vec<Crl> = pem_crls(pem.as_bytes(), "f").into_iter().map(Result::unwrap).collect();
        assert_eq!(crls.len(), 1);
        let c = &crls[0];
        assert_eq!(c.origin, "f block 1");
        let covers = |cert: &CertKey| c.issued_under(cert.info().issuer_raw());
        assert!(covers(&revoked) && covers(&fine) && !covers(&inter));
        assert!(c.issued_under(inter.info().subject_raw()) && !c.issued_under(root.info().subject_raw()));
        assert!(c.revokes(&revoked.info()) && !c.revokes(&fine.info()));
        assert!(c.signed_by(&inter.info()) && !c.signed_by(&root.info()) && !c.signed_by(&other.info()));
        assert_eq!(c.issuer_hash(), name_hash(revoked.info().issuer_raw()));
        let now = time::OffsetDateTime::now_utc();
        assert!(!c.expired_at(now) && !c.not_yet_valid_at(now));
        assert!(c.expired_at(now + time::Duration::days(31)));
        assert!(pem_crls(revoked.cert_pem.as_bytes(), "x").is_empty(), "certificates are not CRLs");
    }

    #[test]
    fn canonical_text_is_openssls() {
        assert_eq!(canonical_text("  Example   Cloud\tCA  "), "example cloud ca");
        assert_eq!(canonical_text("ÄBC"), "Äbc", "only ASCII is folded");
        assert_eq!(canonical_text(""), "");
    }
}
