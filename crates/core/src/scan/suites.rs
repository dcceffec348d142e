//! Cipher suites as numbers on the wire, with the facts a reader needs about each one.
//!
//! The scanner must name every suite an OpenSSL-based PostgreSQL server can pick, including
//! the ones our own TLS stack refuses to speak, so this table is independent of rustls. It
//! covers what OpenSSL 1.1.1 and 3.x can negotiate (static RSA, DHE, ECDHE, anonymous DH/ECDH,
//! AES-CBC/GCM/CCM, CHACHA20-POLY1305, CAMELLIA, ARIA, SEED, 3DES, RC4, NULL and the five TLS 1.3
//! suites) plus the OpenSSL 1.0.x-only DES/IDEA/EXPORT suites still met on very old servers.
//! PSK, SRP, GOST and static-DH/ECDH suites are left out: PostgreSQL never configures them.
//! Values outside the table still round-trip as [`CipherSuite`] and print as `0xC0,0x99`.
//!
//! The table order is OpenSSL's `ALL` order (strongest first), which is also the order the
//! scanner offers suites in.
//!
//! # Strength rule
//!
//! [`Strength`] is decided by the first rule that matches:
//! 1. **Insecure**: no encryption (NULL), export-grade or single DES (key ≤ 56 bits), RC4,
//!    RC2, an MD5 MAC, or no authentication (anonymous DH/ECDH — trivially man-in-the-middled).
//! 2. **Weak**: a 64-bit block cipher (3DES, IDEA: Sweet32), or static RSA key exchange (no
//!    forward secrecy) combined with CBC and an HMAC-SHA1 MAC (Lucky13/padding-oracle history).
//! 3. **Medium**: anything else without both forward secrecy and an AEAD: static RSA with
//!    SHA-2 CBC or AEAD, (EC)DHE with CBC, and CCM_8 (64-bit tag).
//! 4. **Strong**: forward secrecy (DHE, ECDHE or TLS 1.3) with an AEAD (GCM, CCM, POLY1305).

use std::fmt;

use serde::{Serialize, Serializer};

use crate::wire::TlsVersion;

/// A TLS cipher suite code (two bytes on the wire).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CipherSuite(pub u16);

/// Key exchange of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kx {
    /// Static RSA key transport: no forward secrecy.
    Rsa,
    Dhe,
    Ecdhe,
    /// TLS 1.3 suites do not fix the key exchange.
    Any,
}

/// Server authentication of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Au {
    Rsa,
    Dss,
    Ecdsa,
    /// Anonymous: no certificate at all.
    Anon,
    Any,
}

/// Bulk cipher family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Bulk {
    Null,
    Rc4,
    Rc2,
    Des,
    TripleDes,
    Idea,
    Seed,
    Camellia,
    Aes,
    Aria,
    Chacha20,
}

/// How the bulk cipher is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    NoCipher,
    Stream,
    Cbc,
    Gcm,
    Ccm,
    /// CCM with an 8-byte tag.
    Ccm8,
    Poly1305,
}

/// Record MAC (or AEAD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mac {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Aead,
}

/// Strength label; see the module documentation for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Insecure,
    Weak,
    Medium,
    Strong,
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strength::Insecure => "insecure",
            Strength::Weak => "weak",
            Strength::Medium => "medium",
            Strength::Strong => "strong",
        })
    }
}

/// Everything known about one suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteInfo {
    pub suite: CipherSuite,
    /// IANA registry name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    pub iana: &'static str,
    /// OpenSSL's name, e.g. `ECDHE-RSA-AES128-GCM-SHA256` (what `pg_stat_ssl` shows).
    pub openssl: &'static str,
    /// Oldest protocol version that can use the suite (SSLv3, TLS 1.0 for ECC, TLS 1.2, 1.3).
    pub min_version: TlsVersion,
    pub kx: Kx,
    pub au: Au,
    pub bulk: Bulk,
    /// Effective key bits of the bulk cipher (40 for EXPORT, 168 for 3DES, 0 for NULL).
    pub bits: u16,
    pub mode: Mode,
    pub mac: Mac,
}

impl SuiteInfo {
    /// True for TLS 1.3 suites (usable only in TLS 1.3, and only there).
    pub fn is_tls13(&self) -> bool {
        self.min_version == TlsVersion::TLSv1_3
    }

    /// Whether a server may select this suite in `version`.
    pub fn usable_in(&self, version: TlsVersion) -> bool {
        if version == TlsVersion::TLSv1_3 || self.is_tls13() {
            return version == TlsVersion::TLSv1_3 && self.is_tls13();
        }
        self.min_version.0 <= version.0
    }

    pub fn forward_secret(&self) -> bool {
        matches!(self.kx, Kx::Dhe | Kx::Ecdhe | Kx::Any)
    }

    pub fn is_export(&self) -> bool {
        self.bulk != Bulk::Null && self.bits <= 40
    }

    pub fn strength(&self) -> Strength {
        let aead = matches!(self.mode, Mode::Gcm | Mode::Ccm | Mode::Ccm8 | Mode::Poly1305);
        if matches!(self.bulk, Bulk::Null | Bulk::Rc4 | Bulk::Rc2 | Bulk::Des)
            || self.bits <= 56
            || self.mac == Mac::Md5
            || self.au == Au::Anon
        {
            Strength::Insecure
        } else if matches!(self.bulk, Bulk::TripleDes | Bulk::Idea)
            || (!self.forward_secret() && self.mode == Mode::Cbc && self.mac == Mac::Sha1)
        {
            Strength::Weak
        } else if self.forward_secret() && aead && self.mode != Mode::Ccm8 {
            Strength::Strong
        } else {
            Strength::Medium
        }
    }
}

const S3: TlsVersion = TlsVersion::SSLv3;
const V10: TlsVersion = TlsVersion::TLSv1_0;
const V12: TlsVersion = TlsVersion::TLSv1_2;
const V13: TlsVersion = TlsVersion::TLSv1_3;

#[allow(clippy::too_many_arguments)]
const fn s(
    code: u16,
    iana: &'static str,
    openssl: &'static str,
    min_version: TlsVersion,
    kx: Kx,
    au: Au,
    bulk: Bulk,
    bits: u16,
    mode: Mode,
    mac: Mac,
) -> SuiteInfo {
    SuiteInfo { suite: CipherSuite(code), iana, openssl, min_version, kx, au, bulk, bits, mode, mac }
}

/// All known suites, strongest first (OpenSSL's `ALL` order, then legacy suites).
pub static SUITES: &[SuiteInfo] = &[
    s(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", V13, Kx::Any, Au::Any, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", V13, Kx::Any, Au::Any, Bulk::Chacha20, 256, Mode::Poly1305, Mac::Aead),
    s(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", V13, Kx::Any, Au::Any, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", V13, Kx::Any, Au::Any, Bulk::Aes, 128, Mode::Ccm, Mac::Aead),
    s(0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", V13, Kx::Any, Au::Any, Bulk::Aes, 128, Mode::Ccm8, Mac::Aead),
    s(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", V12, Kx::Dhe, Au::Dss, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Chacha20, 256, Mode::Poly1305, Mac::Aead),
    s(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", V12, Kx::Ecdhe, Au::Rsa, Bulk::Chacha20, 256, Mode::Poly1305, Mac::Aead),
    s(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", V12, Kx::Dhe, Au::Rsa, Bulk::Chacha20, 256, Mode::Poly1305, Mac::Aead),
    s(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 256, Mode::Ccm8, Mac::Aead),
    s(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 256, Mode::Ccm, Mac::Aead),
    s(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 256, Mode::Ccm8, Mac::Aead),
    s(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 256, Mode::Ccm, Mac::Aead),
    s(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aria, 256, Mode::Gcm, Mac::Aead),
    s(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aria, 256, Mode::Gcm, Mac::Aead),
    s(0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", V12, Kx::Dhe, Au::Dss, Bulk::Aria, 256, Mode::Gcm, Mac::Aead),
    s(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", V12, Kx::Dhe, Au::Rsa, Bulk::Aria, 256, Mode::Gcm, Mac::Aead),
    s(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", V12, Kx::Dhe, Au::Anon, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 128, Mode::Ccm8, Mac::Aead),
    s(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 128, Mode::Ccm, Mac::Aead),
    s(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 128, Mode::Ccm8, Mac::Aead),
    s(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 128, Mode::Ccm, Mac::Aead),
    s(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aria, 128, Mode::Gcm, Mac::Aead),
    s(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aria, 128, Mode::Gcm, Mac::Aead),
    s(0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Aria, 128, Mode::Gcm, Mac::Aead),
    s(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Aria, 128, Mode::Gcm, Mac::Aead),
    s(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", V12, Kx::Dhe, Au::Anon, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha384),
    s(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha384),
    s(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha256),
    s(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Aes, 256, Mode::Cbc, Mac::Sha256),
    s(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha384),
    s(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", V12, Kx::Ecdhe, Au::Rsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha384),
    s(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha256),
    s(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha256),
    s(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", V12, Kx::Dhe, Au::Anon, Bulk::Aes, 256, Mode::Cbc, Mac::Sha256),
    s(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", V12, Kx::Dhe, Au::Anon, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha256),
    s(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", V12, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", V12, Kx::Ecdhe, Au::Ecdsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", V12, Kx::Ecdhe, Au::Rsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", V12, Kx::Dhe, Au::Rsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", V12, Kx::Dhe, Au::Dss, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", V12, Kx::Dhe, Au::Anon, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", V12, Kx::Dhe, Au::Anon, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", V10, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", V10, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha1),
    s(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha1),
    s(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", V10, Kx::Ecdhe, Au::Anon, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha1),
    s(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", V10, Kx::Ecdhe, Au::Ecdsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", V10, Kx::Ecdhe, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha1),
    s(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha1),
    s(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", V10, Kx::Ecdhe, Au::Anon, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha1),
    s(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 256, Mode::Gcm, Mac::Aead),
    s(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 256, Mode::Ccm8, Mac::Aead),
    s(0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 256, Mode::Ccm, Mac::Aead),
    s(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", V12, Kx::Rsa, Au::Rsa, Bulk::Aria, 256, Mode::Gcm, Mac::Aead),
    s(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 128, Mode::Gcm, Mac::Aead),
    s(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 128, Mode::Ccm8, Mac::Aead),
    s(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 128, Mode::Ccm, Mac::Aead),
    s(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Aria, 128, Mode::Gcm, Mac::Aead),
    s(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha256),
    s(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha256),
    s(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha256),
    s(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha256),
    s(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Aes, 256, Mode::Cbc, Mac::Sha1),
    s(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Camellia, 256, Mode::Cbc, Mac::Sha1),
    s(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Aes, 128, Mode::Cbc, Mac::Sha1),
    s(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Camellia, 128, Mode::Cbc, Mac::Sha1),
    s(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", V10, Kx::Ecdhe, Au::Ecdsa, Bulk::Null, 0, Mode::NoCipher, Mac::Sha1),
    s(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", V10, Kx::Ecdhe, Au::Rsa, Bulk::Null, 0, Mode::NoCipher, Mac::Sha1),
    s(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", V10, Kx::Ecdhe, Au::Anon, Bulk::Null, 0, Mode::NoCipher, Mac::Sha1),
    s(0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", V12, Kx::Rsa, Au::Rsa, Bulk::Null, 0, Mode::NoCipher, Mac::Sha256),
    s(0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Null, 0, Mode::NoCipher, Mac::Sha1),
    s(0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", S3, Kx::Rsa, Au::Rsa, Bulk::Null, 0, Mode::NoCipher, Mac::Md5),
    // Not built into this OpenSSL 3 (no-weak-ssl-ciphers / 3DES and SEED dropped from DEFAULT),
    // but negotiable by OpenSSL 1.1.1 builds and still met on old servers.
    s(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", V10, Kx::Ecdhe, Au::Rsa, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", V10, Kx::Ecdhe, Au::Ecdsa, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", V10, Kx::Ecdhe, Au::Anon, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "DHE-DSS-DES-CBC3-SHA", S3, Kx::Dhe, Au::Dss, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", S3, Kx::Dhe, Au::Anon, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::TripleDes, 168, Mode::Cbc, Mac::Sha1),
    s(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Seed, 128, Mode::Cbc, Mac::Sha1),
    s(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Seed, 128, Mode::Cbc, Mac::Sha1),
    s(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Seed, 128, Mode::Cbc, Mac::Sha1),
    s(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Seed, 128, Mode::Cbc, Mac::Sha1),
    s(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", V10, Kx::Ecdhe, Au::Rsa, Bulk::Rc4, 128, Mode::Stream, Mac::Sha1),
    s(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", V10, Kx::Ecdhe, Au::Ecdsa, Bulk::Rc4, 128, Mode::Stream, Mac::Sha1),
    s(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", V10, Kx::Ecdhe, Au::Anon, Bulk::Rc4, 128, Mode::Stream, Mac::Sha1),
    s(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", S3, Kx::Dhe, Au::Anon, Bulk::Rc4, 128, Mode::Stream, Mac::Md5),
    s(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Rc4, 128, Mode::Stream, Mac::Sha1),
    s(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", S3, Kx::Rsa, Au::Rsa, Bulk::Rc4, 128, Mode::Stream, Mac::Md5),
    // OpenSSL 1.0.x only (removed in 1.1.0): single DES, IDEA and EXPORT suites.
    s(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Des, 56, Mode::Cbc, Mac::Sha1),
    s(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Des, 56, Mode::Cbc, Mac::Sha1),
    s(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Des, 56, Mode::Cbc, Mac::Sha1),
    s(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Des, 56, Mode::Cbc, Mac::Sha1),
    s(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Idea, 128, Mode::Cbc, Mac::Sha1),
    s(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", S3, Kx::Dhe, Au::Rsa, Bulk::Des, 40, Mode::Cbc, Mac::Sha1),
    s(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", S3, Kx::Dhe, Au::Dss, Bulk::Des, 40, Mode::Cbc, Mac::Sha1),
    s(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", S3, Kx::Dhe, Au::Anon, Bulk::Des, 40, Mode::Cbc, Mac::Sha1),
    s(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", S3, Kx::Dhe, Au::Anon, Bulk::Rc4, 40, Mode::Stream, Mac::Md5),
    s(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", S3, Kx::Rsa, Au::Rsa, Bulk::Des, 40, Mode::Cbc, Mac::Sha1),
    s(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", S3, Kx::Rsa, Au::Rsa, Bulk::Rc2, 40, Mode::Cbc, Mac::Md5),
    s(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", S3, Kx::Rsa, Au::Rsa, Bulk::Rc4, 40, Mode::Stream, Mac::Md5),
];

impl CipherSuite {
    pub const TLS_AES_128_GCM_SHA256: CipherSuite = CipherSuite(0x1301);
    pub const TLS_AES_256_GCM_SHA384: CipherSuite = CipherSuite(0x1302);
    pub const TLS_CHACHA20_POLY1305_SHA256: CipherSuite = CipherSuite(0x1303);
    pub const TLS_AES_128_CCM_SHA256: CipherSuite = CipherSuite(0x1304);
    pub const TLS_AES_128_CCM_8_SHA256: CipherSuite = CipherSuite(0x1305);
    pub const TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: CipherSuite = CipherSuite(0xC02B);
    pub const TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: CipherSuite = CipherSuite(0xC02C);
    pub const TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: CipherSuite = CipherSuite(0xC02F);
    pub const TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: CipherSuite = CipherSuite(0xC030);
    pub const TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: CipherSuite = CipherSuite(0xCCA8);
    pub const TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: CipherSuite = CipherSuite(0xCCA9);
    pub const TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: CipherSuite = CipherSuite(0xC013);
    pub const TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: CipherSuite = CipherSuite(0xC014);
    pub const TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: CipherSuite = CipherSuite(0x009E);
    pub const TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: CipherSuite = CipherSuite(0x009F);
    pub const TLS_RSA_WITH_AES_128_GCM_SHA256: CipherSuite = CipherSuite(0x009C);
    pub const TLS_RSA_WITH_AES_256_GCM_SHA384: CipherSuite = CipherSuite(0x009D);
    pub const TLS_RSA_WITH_AES_128_CBC_SHA: CipherSuite = CipherSuite(0x002F);
    pub const TLS_RSA_WITH_AES_256_CBC_SHA: CipherSuite = CipherSuite(0x0035);
    pub const TLS_RSA_WITH_3DES_EDE_CBC_SHA: CipherSuite = CipherSuite(0x000A);
    pub const TLS_RSA_WITH_RC4_128_SHA: CipherSuite = CipherSuite(0x0005);
    pub const TLS_RSA_WITH_NULL_SHA: CipherSuite = CipherSuite(0x0002);
    /// Signalling value (RFC 5746), not a real suite; sent in SSLv3 hellos instead of the
    /// renegotiation_info extension.
    pub const TLS_EMPTY_RENEGOTIATION_INFO_SCSV: CipherSuite = CipherSuite(0x00FF);

    /// Table entry for this suite, if it is one we know.
    pub fn info(self) -> Option<&'static SuiteInfo> {
        SUITES.iter().find(|i| i.suite == self)
    }

    /// IANA name, or `0xC0,0x99` for an unknown value.
    pub fn name(self) -> String {
        match self.info() {
            Some(i) => i.iana.to_string(),
            None if self == Self::TLS_EMPTY_RENEGOTIATION_INFO_SCSV => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV".into(),
            None => self.hex(),
        }
    }

    /// OpenSSL name, or `0xC0,0x99` for an unknown value.
    pub fn openssl_name(self) -> String {
        match self.info() {
            Some(i) => i.openssl.to_string(),
            None => self.hex(),
        }
    }

    /// Strength label; `None` for suites not in the table.
    pub fn strength(self) -> Option<Strength> {
        self.info().map(SuiteInfo::strength)
    }

    /// Look a suite up by IANA or OpenSSL name (exact, case-insensitive), or `0xC0,0x2F` form.
    pub fn from_name(name: &str) -> Option<CipherSuite> {
        if let Some(i) = SUITES
            .iter()
            .find(|i| i.iana.eq_ignore_ascii_case(name) || i.openssl.eq_ignore_ascii_case(name))
        {
            return Some(i.suite);
        }
        let (hi, lo) = name.split_once(',')?;
        let byte = |s: &str| u8::from_str_radix(s.trim().trim_start_matches("0x").trim_start_matches("0X"), 16).ok();
        Some(CipherSuite(u16::from_be_bytes([byte(hi)?, byte(lo)?])))
    }

    /// Every known suite a server may select in `version`, in offering order.
    pub fn all_for(version: TlsVersion) -> Vec<CipherSuite> {
        SUITES.iter().filter(|i| i.usable_in(version)).map(|i| i.suite).collect()
    }

    fn hex(self) -> String {
        let [a, b] = self.0.to_be_bytes();
        format!("0x{a:02X},0x{b:02X}")
    }
}

impl fmt::Display for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Debug for CipherSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:#06x})", self.name(), self.0)
    }
}

/// Serialised as the IANA name (or `0xC0,0x99`).
impl Serialize for CipherSuite {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_no_duplicates() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for i in SUITES {
            assert!(codes.insert(i.suite.0), "duplicate code {:?}", i.suite);
            assert!(names.insert(i.iana), "duplicate IANA name {}", i.iana);
            assert!(names.insert(i.openssl) || i.is_tls13(), "duplicate OpenSSL name {}", i.openssl);
        }
        assert_eq!(SUITES.iter().filter(|i| i.is_tls13()).count(), 5);
    }

    #[test]
    fn names() {
        fn check(code: u16, iana: &str, openssl: &str) {
            let s = CipherSuite(code);
            assert_eq!(s.name(), iana);
            assert_eq!(s.openssl_name(), openssl);
            assert_eq!(CipherSuite::from_name(iana), Some(s));
            assert_eq!(CipherSuite::from_name(openssl), Some(s));
        }
        check(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256");
        check(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
        check(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA");
        check(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA");
        check(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA");
        check(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA");
        check(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA");
        check(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384");
        check(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256");
        // Unknown values round-trip through the hex form.
        check(0xC0FF, "0xC0,0xFF", "0xC0,0xFF");
        check(0x0A0A, "0x0A,0x0A", "0x0A,0x0A");
    }

    #[test]
    fn strength_rule() {
        fn check(name: &str, expected: Strength) {
            let s = CipherSuite::from_name(name).and_then(CipherSuite::strength);
            assert_eq!(s, Some(expected), "{name}");
        }
        check("NULL-SHA", Strength::Insecure);
        check("ECDHE-RSA-NULL-SHA", Strength::Insecure);
        check("EXP-RC4-MD5", Strength::Insecure);
        check("DES-CBC-SHA", Strength::Insecure);
        check("RC4-SHA", Strength::Insecure);
        check("ECDHE-RSA-RC4-SHA", Strength::Insecure);
        check("ADH-AES256-GCM-SHA384", Strength::Insecure);
        check("AECDH-AES128-SHA", Strength::Insecure);
        check("DES-CBC3-SHA", Strength::Weak);
        check("ECDHE-RSA-DES-CBC3-SHA", Strength::Weak);
        check("AES128-SHA", Strength::Weak);
        check("CAMELLIA256-SHA", Strength::Weak);
        check("SEED-SHA", Strength::Weak);
        check("AES128-SHA256", Strength::Medium);
        check("AES256-GCM-SHA384", Strength::Medium);
        check("ECDHE-RSA-AES128-SHA", Strength::Medium);
        check("DHE-RSA-AES256-SHA256", Strength::Medium);
        check("ECDHE-ECDSA-AES128-CCM8", Strength::Medium);
        check("TLS_AES_128_CCM_8_SHA256", Strength::Medium);
        check("ECDHE-RSA-AES128-GCM-SHA256", Strength::Strong);
        check("DHE-RSA-CHACHA20-POLY1305", Strength::Strong);
        check("ECDHE-ECDSA-AES256-CCM", Strength::Strong);
        check("TLS_AES_256_GCM_SHA384", Strength::Strong);
        check("TLS_CHACHA20_POLY1305_SHA256", Strength::Strong);
        assert_eq!(CipherSuite(0xC0FF).strength(), None);
    }

    #[test]
    fn suites_per_version() {
        let v13 = CipherSuite::all_for(TlsVersion::TLSv1_3);
        assert_eq!(v13.len(), 5);
        let v12 = CipherSuite::all_for(TlsVersion::TLSv1_2);
        assert!(v12.contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        assert!(!v12.contains(&CipherSuite::TLS_AES_128_GCM_SHA256));
        let v10 = CipherSuite::all_for(TlsVersion::TLSv1_0);
        assert!(v10.contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
        assert!(!v10.contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
        let s3 = CipherSuite::all_for(TlsVersion::SSLv3);
        assert!(s3.contains(&CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA));
        assert!(!s3.contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
    }

    #[test]
    fn serializes_as_iana_name() {
        let json = serde_json::to_string(&[CipherSuite(0xC02F), CipherSuite(0xFFFF)]).unwrap_or_default();
        assert_eq!(json, r#"["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256","0xFF,0xFF"]"#);
    }
}
