//! Certificate path building the way libpq's OpenSSL does it, with every attempt kept.
//!
//! "certificate verify failed" is all libpq says. To explain it we enumerate every path from
//! the server's certificate to a trust anchor — cross-signed CAs (same subject and key under
//! two issuers) give several — and keep each attempt with the reason it failed, so a report
//! can say "the path through Microsoft RSA Root 2017 ends at a root you do not have; the one
//! through DigiCert Global Root G2 works".
//!
//! OpenSSL semantics modelled (OpenSSL 1.1.1 and 3.x, as libpq sets them up):
//! * The anchor must be **self-signed and in the trust store**. libpq does not set
//!   `X509_V_FLAG_PARTIAL_CHAIN`, so an intermediate or server certificate alone in `root.crt`
//!   is not an anchor: verification fails with "unable to get issuer certificate" (the top
//!   trusted cert has no issuer in the store) or "unable to get local issuer certificate".
//! * `X509_V_FLAG_TRUSTED_FIRST` (default since 1.1.0): issuers are looked up in the store
//!   before the certificates the server sent, and once the chain reaches a trusted certificate
//!   it continues with trusted certificates only. So a cross-signed intermediate whose
//!   self-signed twin is in the store verifies, whatever the server appends.
//! * Every certificate in the path, the anchor included, must be within its validity period;
//!   issuers must be CAs (basicConstraints, or a v1 self-signed root), keyUsage (if present)
//!   must allow keyCertSign, pathLenConstraint is honoured, and the purpose is `sslserver`:
//!   extendedKeyUsage, where present on the leaf or an intermediate, must allow serverAuth.
//! * The anchor's own signature is not checked (no `X509_V_FLAG_CHECK_SS_SIGNATURE`).
//! * The security level (`Options::security_level`, 2 as in Debian's OpenSSL build) applies to
//!   every key in the path, the anchor's included ("CA certificate key too weak" for an
//!   RSA-1024 root), and to every signature except the anchor's self-signature.
//! * Revocation, when libpq turned it on (a CRL file loaded or a CRL directory named, see
//!   [`crate::gathered::trust::crl`]): `X509_V_FLAG_CRL_CHECK_ALL`, so every certificate of the path,
//!   the anchor included, needs a CRL from its issuer, checked after the extensions and key
//!   strength and before the validity dates, as OpenSSL's `verify_chain` orders them.
//!
//! Not modelled: name constraints, policies, CRL authority-key-id matching. OpenSSL's search
//! is greedy with limited backtracking; where we find a valid path OpenSSL would in
//! pathological cases (two candidate issuers, both time-valid, the first leading nowhere) fail. The work budget bounds hostile certificate piles.

pub mod libpq;
pub mod clients;
pub mod rotation;

pub use libpq::Verdict;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::gathered::trust::TrustStore;
use crate::x509::{Cert, CertKind};

/// Where a certificate of a path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "from", content = "index", rename_all = "kebab-case")]
pub enum Origin {
    /// Position in the chain the server sent (0 = its first certificate).
    Chain(usize),
    /// Entry index (1-based) in the trust store.
    Store(usize),
}

/// Why a path is not valid, with OpenSSL's `X509_V_ERR_*` code and text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathFailure {
    /// Ends at a certificate from the server whose issuer is nowhere (20).
    UnableToGetLocalIssuer {
        depth: usize,
    },
    /// Ends at a trusted certificate that is not self-signed (2): a pinned intermediate/leaf.
    UnableToGetIssuer {
        depth: usize,
    },
    /// The server's own certificate is self-signed and not in the store (18).
    DepthZeroSelfSigned,
    /// A self-signed certificate from the server that the store does not contain (19).
    SelfSignedInChain {
        depth: usize,
    },
    SignatureFailure {
        depth: usize,
    },
    NotYetValid {
        depth: usize,
    },
    Expired {
        depth: usize,
    },
    InvalidCa {
        depth: usize,
    },
    PathLengthExceeded {
        depth: usize,
    },
    InvalidPurpose {
        depth: usize,
    },
    KeyUsageNoCertSign {
        depth: usize,
    },
    /// Key too weak for the security level (66 at depth 0, 67 above).
    KeyTooWeak {
        depth: usize,
    },
    /// Signature digest too weak for the security level (68); never checked on the anchor.
    DigestTooWeak {
        depth: usize,
    },
    ChainTooLong,
    /// Revocation is checked (a CRL was loaded) and no CRL from this certificate's issuer (3).
    UnableToGetCrl {
        depth: usize,
    },
    /// The CRL's signature does not verify with its issuer's key (8).
    CrlSignatureFailure {
        depth: usize,
    },
    CrlNotYetValid {
        depth: usize,
    },
    CrlExpired {
        depth: usize,
    },
    /// The CRL's issuer has keyUsage without cRLSign (35).
    CrlSignNotAllowed {
        depth: usize,
    },
    /// The certificate's serial is on its issuer's CRL (23).
    Revoked {
        depth: usize,
    },
    /// The work budget ran out before this branch was finished.
    BudgetExhausted,
}

impl PathFailure {
    /// OpenSSL's verify error number and string (OpenSSL 3 spelling).
    pub fn openssl(&self) -> (i32, &'static str) {
        match self {
            PathFailure::UnableToGetIssuer { .. } => (2, "unable to get issuer certificate"),
            PathFailure::SignatureFailure { .. } => (7, "certificate signature failure"),
            PathFailure::NotYetValid { .. } => (9, "certificate is not yet valid"),
            PathFailure::Expired { .. } => (10, "certificate has expired"),
            PathFailure::DepthZeroSelfSigned => (18, "self-signed certificate"),
            PathFailure::SelfSignedInChain { .. } => {
                (19, "self-signed certificate in certificate chain")
            }
            PathFailure::UnableToGetLocalIssuer { .. } => {
                (20, "unable to get local issuer certificate")
            }
            PathFailure::ChainTooLong => (22, "certificate chain too long"),
            PathFailure::UnableToGetCrl { .. } => (3, "unable to get certificate CRL"),
            PathFailure::CrlSignatureFailure { .. } => (8, "CRL signature failure"),
            PathFailure::CrlNotYetValid { .. } => (11, "CRL is not yet valid"),
            PathFailure::CrlExpired { .. } => (12, "CRL has expired"),
            PathFailure::Revoked { .. } => (23, "certificate revoked"),
            PathFailure::CrlSignNotAllowed { .. } => (35, "key usage does not include CRL signing"),
            PathFailure::InvalidCa { .. } => (24, "invalid CA certificate"),
            PathFailure::PathLengthExceeded { .. } => (25, "path length constraint exceeded"),
            PathFailure::InvalidPurpose { .. } => (26, "unsuitable certificate purpose"),
            PathFailure::KeyUsageNoCertSign { .. } => {
                (32, "key usage does not include certificate signing")
            }
            PathFailure::KeyTooWeak { depth: 0 } => (66, "EE certificate key too weak"),
            PathFailure::KeyTooWeak { .. } => (67, "CA certificate key too weak"),
            PathFailure::DigestTooWeak { .. } => (68, "CA signature digest algorithm too weak"),
            PathFailure::BudgetExhausted => (1, "unspecified certificate verification error"),
        }
    }

    /// A failure of revocation checking (a CRL missing, unusable, or revoking the certificate).
    pub fn is_revocation(&self) -> bool {
        use PathFailure::*;
        matches!(self, UnableToGetCrl { .. } | CrlSignatureFailure { .. } | CrlNotYetValid { .. } | CrlExpired { .. } | CrlSignNotAllowed { .. } | Revoked { .. })
    }

    /// Depth (0 = server certificate) of the certificate at fault, if one.
    pub fn depth(&self) -> Option<usize> {
        use PathFailure::*;
        match self {
            UnableToGetLocalIssuer { depth }
            | UnableToGetIssuer { depth }
            | SelfSignedInChain { depth }
            | SignatureFailure { depth }
            | NotYetValid { depth }
            | Expired { depth }
            | InvalidCa { depth }
            | PathLengthExceeded { depth }
            | InvalidPurpose { depth }
            | KeyUsageNoCertSign { depth }
            | KeyTooWeak { depth }
            | DigestTooWeak { depth }
            | UnableToGetCrl { depth }
            | CrlSignatureFailure { depth }
            | CrlNotYetValid { depth }
            | CrlExpired { depth }
            | CrlSignNotAllowed { depth }
            | Revoked { depth } => Some(*depth),
            DepthZeroSelfSigned => Some(0),
            ChainTooLong | BudgetExhausted => None,
        }
    }
}

/// One certificate in a path, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathCert {
    pub origin: Origin,
    pub subject: String,
    pub issuer: String,
    pub sha256: String,
}

/// One candidate path (leaf first) and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathAttempt {
    pub certs: Vec<PathCert>,
    /// `None` = valid.
    pub failure: Option<PathFailure>,
}

impl PathAttempt {
    pub fn is_valid(&self) -> bool {
        self.failure.is_none()
    }

    /// `leaf ← issuer ← … ← anchor`, by subject CN-ish text, for one-line evidence.
    pub fn describe(&self) -> String {
        self.said().sentence(crate::findings::Lang::En)
    }

    /// The path said in any language: where each certificate came from is translated, the
    /// names and OpenSSL's words stay. Reports keep [`PathAttempt::describe`]'s English, and
    /// `Message::from_english("path.", …)` finds this message again from it.
    pub fn said(&self) -> crate::findings::Message {
        use crate::findings::IntoArg;
        use crate::say;
        let cert = |c: &PathCert| match c.origin {
            Origin::Chain(i) => say!("path.sent", name = short_name(&c.subject), index = i),
            Origin::Store(i) => say!("path.store", name = short_name(&c.subject), index = i),
        };
        let chain = self.certs.iter().rev().map(|c| cert(c).into_arg()).reduce(|rest, first| say!("path.then", first = first, rest = rest).into_arg()).unwrap_or_else(|| "".into_arg());
        match &self.failure {
            Some(f) => {
                let (code, text) = f.openssl();
                say!("path.failed", path = chain, text = text, code = code)
            }
            None => say!("path.verified", path = chain),
        }
    }
}

/// The CN of a DN string, or the whole DN.
pub fn short_name(dn: &str) -> String {
    dn.split(", ")
        .find_map(|p| p.strip_prefix("CN="))
        .map(str::to_string)
        .unwrap_or_else(|| dn.to_string())
}

/// What a connection's TLS protects, in the words of summaries and tables.
pub fn protection(tls: bool, chain_verified: bool, hostname_verified: bool) -> &'static str {
    match (tls, chain_verified, hostname_verified) {
        (false, _, _) => "WITHOUT TLS",
        (true, _, true) => "chain and host name verified",
        (true, true, false) => "chain verified, host name not checked",
        (true, false, false) => "encrypted, server NOT verified",
    }
}

/// Limits for path building.
#[derive(Debug, Clone)]
pub struct Options {
    /// The instant validity is checked at.
    pub at: OffsetDateTime,
    /// Longest path, leaf and anchor included (OpenSSL's default depth is 100; real chains ≤ 5).
    pub max_depth: usize,
    /// Signature verifications allowed in total.
    pub max_signature_checks: usize,
    /// Attempts kept (and explored) at most.
    pub max_attempts: usize,
    /// OpenSSL security level (0–5). libpq sets none, so the library default applies:
    /// 2 on Debian/Ubuntu builds (RSA ≥ 2048, no SHA-1 signatures), 1 in upstream OpenSSL 3.
    pub security_level: u8,
    /// Which trusted certificates end a path (libpq: self-signed roots only).
    pub anchors: Anchors,
    /// The anchor's own validity period is checked (OpenSSL, Go: yes; Java's PKIX: no — a
    /// trust anchor is a name and a key, its dates are not part of path validation).
    pub anchor_validity: bool,
}

/// Which certificates of the trust store a verifier accepts as the end of a path.
///
/// libpq's OpenSSL (no `X509_V_FLAG_PARTIAL_CHAIN`) needs a self-signed root. Other verifiers
/// take any trusted certificate as an anchor: Java's PKIX, Go's `crypto/x509`, OpenSSL with
/// `X509_V_FLAG_PARTIAL_CHAIN` (Python 3.13's default context) accept an intermediate, and
/// even the server's own certificate; webpki accepts an intermediate but matches the
/// server's certificate only against its issuers. See `crate::verify::clients` for who does what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchors {
    /// Only a self-signed certificate in the store ends a path.
    #[default]
    SelfSignedRoots,
    /// Any certificate in the store ends a path; `leaf`: the server's certificate itself too.
    AnyTrusted { leaf: bool },
}

impl Options {
    pub fn at(at: OffsetDateTime) -> Options {
        Options {
            at,
            max_depth: 10,
            max_signature_checks: 2000,
            max_attempts: 256,
            security_level: 2,
            anchors: Anchors::SelfSignedRoots,
            anchor_validity: true,
        }
    }
}

/// Everything path building found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathReport {
    pub attempts: Vec<PathAttempt>,
    /// True if the budget stopped the search (results are then a lower bound).
    pub budget_exhausted: bool,
    /// CAs present under more than one issuer (same subject and key), by subject.
    pub cross_signed: Vec<String>,
    /// Positions of certificates the server sent that no valid path uses.
    pub unused_chain: Vec<usize>,
    /// The server sent its chain in issuing order (each cert followed by its issuer).
    pub chain_in_order: bool,
}

impl PathReport {
    /// OpenSSL would accept the server certificate.
    pub fn verified(&self) -> bool {
        self.attempts.iter().any(PathAttempt::is_valid)
    }

    pub fn valid_paths(&self) -> impl Iterator<Item = &PathAttempt> {
        self.attempts.iter().filter(|a| a.is_valid())
    }

    /// The failure OpenSSL most likely reports when nothing verifies: a path that reached a
    /// trusted anchor beats one that did not, a longer one beats a shorter one.
    pub fn best_failure(&self) -> Option<&PathAttempt> {
        if self.verified() {
            return None;
        }
        self.attempts.iter().max_by_key(|a| {
            let anchored = matches!(
                a.failure,
                Some(
                    PathFailure::Expired { .. }
                        | PathFailure::NotYetValid { .. }
                        | PathFailure::InvalidCa { .. }
                        | PathFailure::PathLengthExceeded { .. }
                        | PathFailure::InvalidPurpose { .. }
                        | PathFailure::KeyUsageNoCertSign { .. }
                        | PathFailure::KeyTooWeak { .. }
                        | PathFailure::DigestTooWeak { .. }
                )
            ) || a.failure.as_ref().is_some_and(PathFailure::is_revocation);
            (anchored, a.certs.len())
        })
    }

    /// A valid path goes through a CA that exists under several issuers, or several paths are valid.
    pub fn uses_cross_signed(&self) -> bool {
        self.valid_paths().count() > 1
            || self.valid_paths().any(|p| {
                p.certs
                    .iter()
                    .any(|c| self.cross_signed.contains(&c.subject))
            })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the server sent no certificate")]
    EmptyChain,
}

struct Node<'a> {
    origin: Origin,
    cert: &'a Cert,
}

struct Search<'a> {
    nodes: Vec<Node<'a>>,
    opts: &'a Options,
    revocation: Option<&'a crate::gathered::trust::Revocation>,
    sig_cache: HashMap<(usize, usize), bool>,
    sig_checks: usize,
    budget_exhausted: bool,
    attempts: Vec<PathAttempt>,
}

impl<'a> Search<'a> {
    fn trusted(&self, n: usize) -> bool {
        matches!(self.nodes[n].origin, Origin::Store(_))
    }

    fn signed_by(&mut self, child: usize, issuer: usize) -> Option<bool> {
        if let Some(&r) = self.sig_cache.get(&(child, issuer)) {
            return Some(r);
        }
        if self.sig_checks >= self.opts.max_signature_checks {
            self.budget_exhausted = true;
            return None;
        }
        self.sig_checks += 1;
        let ok = self.nodes[child].cert.signed_by(self.nodes[issuer].cert);
        self.sig_cache.insert((child, issuer), ok);
        Some(ok)
    }

    fn record(&mut self, path: &[usize], failure: Option<PathFailure>) {
        if self.attempts.len() >= self.opts.max_attempts {
            self.budget_exhausted = true;
            return;
        }
        let certs = path
            .iter()
            .map(|&n| {
                let c = self.nodes[n].cert;
                PathCert {
                    origin: self.nodes[n].origin,
                    subject: c.subject.clone(),
                    issuer: c.issuer.clone(),
                    sha256: c.sha256.clone(),
                }
            })
            .collect();
        self.attempts.push(PathAttempt { certs, failure });
    }

    fn candidates(&self, n: usize, path: &[usize], store_only: bool) -> Vec<usize> {
        let c = self.nodes[n].cert;
        let mut out: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| {
                let cand = self.nodes[i].cert;
                cand.subject_raw() == c.issuer_raw()
                    && (!store_only || self.trusted(i))
                    && !path
                        .iter()
                        .any(|&p| self.nodes[p].cert.sha256 == cand.sha256)
                    && match (&c.aki, &cand.ski) {
                        (Some(a), Some(s)) => a == s,
                        _ => true,
                    }
            })
            .collect();
        // Trusted first; among equals, time-valid first (OpenSSL's get_issuer preference).
        let at = self.opts.at;
        out.sort_by_key(|&i| {
            let c = self.nodes[i].cert;
            (
                !self.trusted(i),
                c.expired_at(at) || c.not_yet_valid_at(at),
                i,
            )
        });
        out
    }

    fn dfs(&mut self, path: &mut Vec<usize>) {
        if self.attempts.len() >= self.opts.max_attempts {
            self.budget_exhausted = true;
            return;
        }
        let n = *path.last().unwrap_or(&0);
        let depth = path.len() - 1;
        let cert = self.nodes[n].cert;
        let trusted = self.trusted(n);
        if let Anchors::AnyTrusted { leaf } = self.opts.anchors {
            // A trusted certificate ends the path whatever its issuer; the server's own
            // certificate counts when the store holds the same certificate.
            let store_copy = if depth == 0 && leaf {
                (0..self.nodes.len()).find(|&i| self.trusted(i) && self.nodes[i].cert.sha256 == cert.sha256)
            } else {
                None
            };
            if trusted || store_copy.is_some() {
                let failure = self.validate(path);
                self.record(path, failure);
                return;
            }
        }
        if cert.self_signed {
            if trusted {
                let failure = self.validate(path);
                self.record(path, failure);
                return;
            }
            // An untrusted self-signed certificate: trusted only if the store has it (or a
            // twin with the same subject and key, found below as its "issuer").
            if let Some(s) = (0..self.nodes.len())
                .find(|&i| self.trusted(i) && self.nodes[i].cert.sha256 == cert.sha256)
            {
                path.pop();
                path.push(s);
                let failure = self.validate(path);
                self.record(path, failure);
                path.pop();
                path.push(n);
                return;
            }
        }
        if path.len() >= self.opts.max_depth {
            self.record(path, Some(PathFailure::ChainTooLong));
            return;
        }
        let store_only = trusted || cert.self_signed;
        let cands = self.candidates(n, path, store_only);
        if cands.is_empty() {
            let failure = if cert.self_signed {
                if depth == 0 {
                    PathFailure::DepthZeroSelfSigned
                } else {
                    PathFailure::SelfSignedInChain { depth }
                }
            } else if trusted {
                PathFailure::UnableToGetIssuer { depth }
            } else {
                PathFailure::UnableToGetLocalIssuer { depth }
            };
            self.record(path, Some(failure));
            return;
        }
        for cand in cands {
            path.push(cand);
            match self.signed_by(n, cand) {
                Some(true) => self.dfs(path),
                Some(false) => self.record(path, Some(PathFailure::SignatureFailure { depth })),
                None => self.record(path, Some(PathFailure::BudgetExhausted)),
            }
            path.pop();
        }
    }

    /// Checks of a complete path ending at a trusted self-signed anchor, in OpenSSL's order:
    /// extensions (CA, pathlen, purpose) from the leaf up, then validity from the top down.
    fn validate(&self, path: &[usize]) -> Option<PathFailure> {
        let certs: Vec<&Cert> = path.iter().map(|&n| self.nodes[n].cert).collect();
        let top = certs.len() - 1;
        let mut below_non_self_issued = 0usize;
        for (i, c) in certs.iter().enumerate() {
            if i > 0 {
                if c.kind == CertKind::Leaf {
                    return Some(PathFailure::InvalidCa { depth: i });
                }
                if c.key_cert_sign() == Some(false) {
                    return Some(PathFailure::KeyUsageNoCertSign { depth: i });
                }
                if let Some(max) = c.path_len {
                    if below_non_self_issued > max as usize {
                        return Some(PathFailure::PathLengthExceeded { depth: i });
                    }
                }
                if i < top && c.eku_server_auth() == Some(false) {
                    return Some(PathFailure::InvalidPurpose { depth: i });
                }
                if c.subject_raw() != c.issuer_raw() {
                    below_non_self_issued += 1;
                }
            } else if c.eku_server_auth() == Some(false) {
                return Some(PathFailure::InvalidPurpose { depth: 0 });
            }
        }
        let need = security_bits_for_level(self.opts.security_level);
        for (i, c) in certs.iter().enumerate() {
            if key_security_bits(c) < need {
                return Some(PathFailure::KeyTooWeak { depth: i });
            }
            if i < top && signature_security_bits(c) < need {
                return Some(PathFailure::DigestTooWeak { depth: i });
            }
        }
        // X509_V_FLAG_CRL_CHECK_ALL: every certificate, the anchor too (its own CRL).
        if let Some(rev) = self.revocation {
            for (i, c) in certs.iter().enumerate() {
                if let Some(f) = revocation_failure(rev, c, certs[(i + 1).min(top)], i, self.opts.at) {
                    return Some(f);
                }
            }
        }
        for (i, c) in certs.iter().enumerate().rev() {
            if i == top && !self.opts.anchor_validity {
                continue;
            }
            if c.not_yet_valid_at(self.opts.at) {
                return Some(PathFailure::NotYetValid { depth: i });
            }
            if c.expired_at(self.opts.at) {
                return Some(PathFailure::Expired { depth: i });
            }
        }
        None
    }
}

/// OpenSSL's `check_cert` for one certificate: pick its issuer's CRL (a time-valid one
/// first), then check the CRL's issuer, dates and signature, then the serial.
fn revocation_failure(rev: &crate::gathered::trust::Revocation, cert: &Cert, issuer: &Cert, depth: usize, at: OffsetDateTime) -> Option<PathFailure> {
    let candidates: Vec<&crate::x509::Crl> = rev.for_cert(cert).collect();
    let crl = candidates
        .iter()
        .find(|c| !c.expired_at(at) && !c.not_yet_valid_at(at))
        .or(candidates.first())
        .copied();
    let Some(crl) = crl else { return Some(PathFailure::UnableToGetCrl { depth }) };
    if !issuer.key_usage.is_empty() && !issuer.key_usage.iter().any(|u| u == "cRLSign") {
        return Some(PathFailure::CrlSignNotAllowed { depth });
    }
    if crl.not_yet_valid_at(at) {
        return Some(PathFailure::CrlNotYetValid { depth });
    }
    if crl.expired_at(at) {
        return Some(PathFailure::CrlExpired { depth });
    }
    if !crl.signed_by(issuer) {
        return Some(PathFailure::CrlSignatureFailure { depth });
    }
    crl.revokes(cert).then_some(PathFailure::Revoked { depth })
}

/// Minimum security bits of an OpenSSL security level.
pub fn security_bits_for_level(level: u8) -> u32 {
    match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// OpenSSL's security bits of a certificate's public key (RSA per NIST SP 800-57, EC: half the size).
pub fn key_security_bits(c: &Cert) -> u32 {
    let bits = c.key_bits;
    match c.key_type.as_str() {
        "RSA" => match bits {
            b if b >= 15360 => 256,
            b if b >= 7680 => 192,
            b if b >= 3072 => 128,
            b if b >= 2048 => 112,
            b if b >= 1024 => 80,
            _ => 0,
        },
        "EC" => bits / 2,
        // Unknown algorithms (Ed25519 …) are not penalised.
        _ => 128,
    }
}

/// OpenSSL's security bits of a certificate's signature digest (SHA-1 counts as 63, MD5 as 39).
pub fn signature_security_bits(c: &Cert) -> u32 {
    let a = c.signature_algorithm.as_str();
    if a.contains("md2") || a.contains("md5") {
        39
    } else if a.contains("SHA1") || a.contains("sha1") {
        63
    } else if a.contains("384") {
        192
    } else if a.contains("512") {
        256
    } else {
        128
    }
}

/// Enumerate every path from the server's certificate (`chain[0]`) to a trusted root.
/// `chain` is what the server sent, in any order, extra certificates allowed.
pub fn build_paths(
    chain: &[Cert],
    store: &TrustStore,
    opts: &Options,
) -> Result<PathReport, VerifyError> {
    if chain.is_empty() {
        return Err(VerifyError::EmptyChain);
    }
    let store_shas: BTreeMap<&str, usize> = store
        .entries
        .iter()
        .map(|e| (e.cert.sha256.as_str(), e.index))
        .collect();
    let mut nodes = Vec::new();
    for (pos, c) in chain.iter().enumerate() {
        // A sent certificate that is also in the store is used as the trusted copy (except the
        // leaf, which OpenSSL always takes from the peer).
        if pos != 0 && store_shas.contains_key(c.sha256.as_str()) {
            continue;
        }
        nodes.push(Node {
            origin: Origin::Chain(pos),
            cert: c,
        });
    }
    for e in &store.entries {
        nodes.push(Node {
            origin: Origin::Store(e.index),
            cert: &e.cert,
        });
    }
    let mut s = Search {
        nodes,
        opts,
        revocation: store.revocation.as_ref(),
        sig_cache: HashMap::new(),
        sig_checks: 0,
        budget_exhausted: false,
        attempts: Vec::new(),
    };
    let mut path = vec![0usize];
    s.dfs(&mut path);

    // (subject, key) → distinct issuers.
    type CaKey<'k> = (&'k [u8], &'k [u8]);
    let mut groups: BTreeMap<CaKey, Vec<&[u8]>> = BTreeMap::new();
    for n in &s.nodes {
        let v = groups
            .entry((n.cert.subject_raw(), n.cert.spki_raw()))
            .or_default();
        if !v.contains(&n.cert.issuer_raw()) {
            v.push(n.cert.issuer_raw());
        }
    }
    let mut cross_signed: Vec<String> = s
        .nodes
        .iter()
        .filter(|n| {
            n.cert.is_ca
                && groups
                    .get(&(n.cert.subject_raw(), n.cert.spki_raw()))
                    .is_some_and(|v| v.len() > 1)
        })
        .map(|n| n.cert.subject.clone())
        .collect();
    cross_signed.sort();
    cross_signed.dedup();

    let used: Vec<&str> = s
        .attempts
        .iter()
        .filter(|a| a.is_valid())
        .flat_map(|a| a.certs.iter().map(|c| c.sha256.as_str()))
        .collect();
    let unused_chain = chain
        .iter()
        .enumerate()
        .filter(|(_, c)| !used.contains(&c.sha256.as_str()))
        .map(|(p, _)| p)
        .collect();
    let chain_in_order = chain
        .windows(2)
        .all(|w| w[0].issuer_raw() == w[1].subject_raw());
    Ok(PathReport {
        budget_exhausted: s.budget_exhausted,
        attempts: s.attempts,
        cross_signed,
        unused_chain,
        chain_in_order,
    })
}

