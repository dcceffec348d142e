//! Which TLS versions, cipher suites and groups a server accepts, as values, and the raw
//! ClientHello codec the scanner speaks: wire values and the cipher-suite table ([`codec`],
//! [`suites`]), the strict bounded reader of a server's first flight ([`parse`]), and what a
//! scan found ([`ScanResult`]). No I/O here: the probing over connections is `pgtls::tls::scan`.

use serde::Serialize;

pub mod codec;
pub mod parse;
pub mod suites;

pub use codec::{ClientHello, Extension, HelloOptions, NamedGroup, SignatureScheme, TlsVersion};
pub use parse::{parse_final, parse_reply, Alert, ParseError, Parsed, Reply, ServerHello, Want};
pub use suites::{CipherSuite, Strength, SuiteInfo};

/// What one version's enumeration found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionResult {
    /// `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2` or `TLSv1.3`.
    pub version: TlsVersion,
    pub accepted: bool,
    /// Accepted suites (IANA names in JSON), in the order the server picked them.
    pub ciphers: Vec<CipherSuite>,
    /// `Some(true)`: the server's order wins; `Some(false)`: the client's; `None`: not tested
    /// (fewer than two suites) or inconsistent answers.
    pub server_preference: Option<bool>,
    /// How the server refused the last offer (e.g. `fatal handshake_failure(40)`), or why it
    /// refused the version altogether when nothing was accepted.
    pub refused_with: Option<String>,
    /// False when an error cut the enumeration short: `ciphers` may be incomplete.
    pub complete: bool,
    /// Handshakes spent on this version (suites + preference check).
    pub handshakes: u32,
    /// ALPN protocol the server selected in its first acceptance (when ALPN was offered).
    /// Always `None` for TLS 1.3, where the choice travels encrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
}

/// Groups accepted in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupResult {
    pub version: TlsVersion,
    /// In the order the server picked them.
    pub groups: Vec<NamedGroup>,
    pub complete: bool,
    pub handshakes: u32,
}

/// `refused_with` when the server hung up without a word.
pub const CLOSED_SILENTLY: &str = "connection closed without an answer";

/// A probe that failed for a reason other than a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanIssue {
    pub version: TlsVersion,
    /// What was being probed.
    pub stage: ScanStage,
    pub message: String,
}

/// What a scan was probing when a probe failed; in JSON its English word (`ciphers`,
/// `preference`, `groups`, `key exchange`), said in the user's language by [`ScanStage::said`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ScanStage {
    #[serde(rename = "ciphers")]
    Ciphers,
    #[serde(rename = "preference")]
    Preference,
    #[serde(rename = "groups")]
    Groups,
    #[serde(rename = "key exchange")]
    KeyExchange,
}

impl ScanStage {
    pub fn said(self) -> crate::findings::Message {
        use crate::say;
        match self {
            ScanStage::Ciphers => say!("scan-stage.ciphers"),
            ScanStage::Preference => say!("scan-stage.preference"),
            ScanStage::Groups => say!("scan-stage.groups"),
            ScanStage::KeyExchange => say!("scan-stage.key-exchange"),
        }
    }
}

impl std::fmt::Display for ScanStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.said().sentence(crate::findings::Lang::En))
    }
}

/// A limit of what a scan measured, kept as its English text in [`ScanResult::notes`] (the
/// facts stay plain text; renderers say it in the language with `findings::note_said`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanNote {
    /// Every connection closed without a TLS answer.
    NoTlsAnswer,
    /// TLS 1.3 hides the signature algorithm.
    Tls13Signature,
    /// No TLS 1.2, so no ServerKeyExchange to read the signature algorithm from.
    Tls12Only,
}

impl ScanNote {
    pub fn text(self) -> String {
        match self {
            ScanNote::NoTlsAnswer => crate::say!("note.scan.no-tls-answer"),
            ScanNote::Tls13Signature => crate::say!("note.scan.tls13-signature"),
            ScanNote::Tls12Only => crate::say!("note.scan.tls12-only"),
        }
        .sentence(crate::findings::Lang::En)
    }
}

/// Everything the scan found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanResult {
    pub versions: Vec<VersionResult>,
    pub groups: Vec<GroupResult>,
    /// Signature algorithm of the TLS 1.2 ServerKeyExchange (with our broad offer).
    pub signature_algorithm: Option<SignatureScheme>,
    /// Size of the DHE prime when a DHE suite is accepted.
    pub dh_bits: Option<u32>,
    /// Total handshakes (connections) used.
    pub handshakes: u32,
    /// Limits of what was measured.
    pub notes: Vec<String>,
    pub errors: Vec<ScanIssue>,
}

impl ScanResult {
    pub fn version(&self, v: TlsVersion) -> Option<&VersionResult> {
        self.versions.iter().find(|r| r.version == v)
    }

    pub fn accepted_versions(&self) -> Vec<TlsVersion> {
        self.versions.iter().filter(|r| r.accepted).map(|r| r.version).collect()
    }
}
