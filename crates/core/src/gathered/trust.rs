//! Trust stores and root files as loaded, as values: where the certificates came from, each
//! entry, libpq's view of its root file, and the CRLs it checks. The loading (files,
//! directories, keystores, the system store) is in `pgtls::trust`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::x509::{name_hash, Cert, CertKind, Crl};

/// The default Java keystore password, also the one Debian uses for `cacerts`.
pub const DEFAULT_KEYSTORE_PASSWORD: &str = "changeit";
/// The bundle OpenSSL on Debian/Ubuntu loads for its default verify paths.
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";
/// OpenSSL's default certificate directory on Debian/Ubuntu.
pub const SYSTEM_DIR: &str = "/etc/ssl/certs";

/// Where trusted certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustSource {
    /// PEM bundle (any number of certificates) or a single DER certificate.
    File(PathBuf),
    /// Every readable certificate file in a directory (hashed `*.0` or plain `*.pem`/`*.crt`).
    Dir(PathBuf),
    /// What OpenSSL's default verify paths load: the bundle, else the directory.
    /// `ssl_cert_file` mirrors the `SSL_CERT_FILE` override that OpenSSL honours.
    System {
        ssl_cert_file: Option<PathBuf>,
    },
    Jks {
        path: PathBuf,
        password: String,
    },
    Pkcs12 {
        path: PathBuf,
        password: String,
    },
    /// The JVM's default trust store (`cacerts`), as pgJDBC's DefaultJavaSSLFactory uses it.
    JavaDefault,
    /// A custom implementation (e.g. a pgJDBC `sslfactory` class) whose trust is unknown.
    Custom(String),
}

impl fmt::Display for TrustSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustSource::File(p) => write!(f, "file {}", p.display()),
            TrustSource::Dir(p) => write!(f, "directory {}", p.display()),
            TrustSource::System {
                ssl_cert_file: Some(p),
            } => write!(f, "system store (SSL_CERT_FILE={})", p.display()),
            TrustSource::System {
                ssl_cert_file: None,
            } => write!(f, "system store"),
            TrustSource::Jks { path, .. } => write!(f, "JKS keystore {}", path.display()),
            TrustSource::Pkcs12 { path, .. } => write!(f, "PKCS#12 keystore {}", path.display()),
            TrustSource::JavaDefault => write!(f, "the JVM's default trust store (cacerts)"),
            TrustSource::Custom(name) => write!(f, "custom trust ({name}), behaviour unknown"),
        }
    }
}

impl TrustSource {
    /// A trust source said in the user's language, from the words its `Display` wrote (a
    /// verdict keeps only those words, also when replayed from saved facts); paths and
    /// variables stay as they are, words it does not know are kept as written.
    pub fn said_from_words(words: &str) -> crate::findings::Arg {
        use crate::findings::IntoArg;
        use crate::say;
        let m = if let Some(p) = words.strip_prefix("file ") {
            say!("trust-source.file", path = p)
        } else if let Some(p) = words.strip_prefix("directory ") {
            say!("trust-source.directory", path = p)
        } else if let Some(p) = words.strip_prefix("system store (SSL_CERT_FILE=").and_then(|p| p.strip_suffix(')')) {
            say!("trust-source.system-file", path = p)
        } else if words == "system store" {
            say!("trust-source.system")
        } else if let Some(p) = words.strip_prefix("JKS keystore ") {
            say!("trust-source.jks", path = p)
        } else if let Some(p) = words.strip_prefix("PKCS#12 keystore ") {
            say!("trust-source.pkcs12", path = p)
        } else if words == "the JVM's default trust store (cacerts)" {
            say!("trust-source.jvm")
        } else if let Some(name) = words.strip_prefix("custom trust (").and_then(|w| w.strip_suffix("), behaviour unknown")) {
            say!("trust-source.custom", name = name)
        } else {
            return words.into_arg();
        };
        m.into_arg()
    }
}

impl TrustEntry {
    /// An entry's label (`block 3 (line 40)`, a file name, a keystore alias) said in the
    /// user's language: a PEM block's position is translated, names stay as they are.
    pub fn label_said(label: &str) -> crate::findings::Arg {
        use crate::findings::IntoArg;
        let block = label.strip_prefix("block ").and_then(|r| r.strip_suffix(')')).and_then(|r| r.split_once(" (line "));
        match block {
            Some((n, line)) if n.parse::<usize>().is_ok() && line.parse::<usize>().is_ok() => crate::say!("trust-label.block", block = n, line = line).into_arg(),
            _ => label.into_arg(),
        }
    }
}

/// One certificate in a store, with where it came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrustEntry {
    /// 1-based position in the store.
    pub index: usize,
    /// Where in the source: `block 3 (line 40)`, a file name, or a keystore alias.
    pub label: String,
    pub cert: Cert,
}

/// A loaded trust store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrustStore {
    /// Human description of the source (`file /x/root.crt`, `JKS keystore …`).
    pub source: String,
    /// The file that was actually read (for the system store: the bundle or the directory).
    pub path: PathBuf,
    pub entries: Vec<TrustEntry>,
    /// True when every certificate came from PEM text (what libpq's
    /// `SSL_CTX_load_verify_locations` can read); a DER-only file is loaded here but not by libpq.
    pub pem: bool,
    /// Files in a directory that were skipped, with the reason (a directory tolerates junk).
    pub skipped: Vec<String>,
    /// The CRLs libpq's OpenSSL checks every certificate of the chain against; `None` when
    /// it checks no revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Revocation>,
}

/// Stores with more entries than this are distribution bundles (Debian's has ~140), not a
/// hand-made root.crt: audits and reports treat their harmless entries in bulk.
pub const HAND_MADE_MAX: usize = 20;

/// Flags of one entry at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryFlags {
    pub kind: CertKind,
    pub expired: bool,
    pub not_yet_valid: bool,
    /// Index of the first earlier entry with the same certificate.
    pub duplicate_of: Option<usize>,
    pub weak: bool,
    /// A root whose only weakness is the algorithm of its own self-signature, which OpenSSL
    /// never checks (a weak key still matters): harmless as a trust anchor.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub weak_self_signature_only: bool,
}

impl TrustStore {
    /// The certificates only (what path building needs).
    pub fn certs(&self) -> impl Iterator<Item = &Cert> {
        self.entries.iter().map(|e| &e.cert)
    }

    /// Flags for every entry, in order.
    pub fn describe(&self, at: OffsetDateTime) -> Vec<EntryFlags> {
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        self.entries
            .iter()
            .map(|e| {
                let dup = first.get(e.cert.sha256.as_str()).copied();
                first.entry(e.cert.sha256.as_str()).or_insert(e.index);
                EntryFlags {
                    kind: e.cert.kind,
                    expired: e.cert.expired_at(at),
                    not_yet_valid: e.cert.not_yet_valid_at(at),
                    duplicate_of: dup,
                    weak: !e.cert.weak.is_empty(),
                    weak_self_signature_only: e.cert.kind == CertKind::Root
                        && !e.cert.weak.is_empty()
                        && !(e.cert.key_type == "RSA" && e.cert.key_bits < 2048),
                }
            })
            .collect()
    }

    /// A store made from certificates already in memory (tests, server chains).
    pub fn from_certs(source: &str, certs: Vec<Cert>) -> TrustStore {
        TrustStore {
            source: source.to_string(),
            path: PathBuf::from(source),
            entries: certs
                .into_iter()
                .enumerate()
                .map(|(i, cert)| TrustEntry {
                    index: i + 1,
                    label: format!("entry {}", i + 1),
                    cert,
                })
                .collect(),
            pem: true,
            skipped: Vec::new(),
            revocation: None,
        }
    }
}

/// What libpq's OpenSSL loaded as its trust anchors (`sslrootcert`), gathered once per client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RootTrust {
    /// No root file: `path` does not exist (`None`: no home directory to look in).
    Absent { path: Option<PathBuf> },
    /// Loaded; `source` says from where.
    Loaded(TrustStore),
    /// The file exists but OpenSSL's loader refuses it; `reason` is OpenSSL's text, `is_dir`
    /// that the path is a directory (seen when it was read, so judging reads nothing).
    Unreadable {
        path: PathBuf,
        reason: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_dir: bool,
    },
    /// `sslrootcert=system` and no system store could be loaded.
    SystemUnavailable { reason: String },
}

impl RootTrust {
    /// The loaded store, if any.
    pub fn store(&self) -> Option<&TrustStore> {
        match self {
            RootTrust::Loaded(s) => Some(s),
            _ => None,
        }
    }
}

/// What libpq's OpenSSL would check revocation with; exists only when libpq turns checking on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// The CRL file that was loaded (sslcrl, or the default root.crl).
    pub file: Option<PathBuf>,
    /// The CRL directory (sslcrldir), read lazily by issuer hash.
    pub dir: Option<PathBuf>,
    /// CRLs of the file.
    pub crls: Vec<Crl>,
    /// CRLs found in the directory under a hash name, with the hash their file name says.
    pub dir_crls: Vec<(u32, Crl)>,
    /// Files that could not be read or parsed, with the reason.
    pub problems: Vec<String>,
}

impl Revocation {
    /// The CRLs OpenSSL would consider for `cert`: issued under its issuer's name, from the
    /// file, or from the directory file named after that name's hash.
    pub fn for_cert<'a>(&'a self, cert: &'a Cert) -> impl Iterator<Item = &'a Crl> + 'a {
        self.issued_under(cert.issuer_raw())
    }

    /// The CRLs issued by the CA `ca` (what certificates it issued are checked against).
    pub fn issued_by<'a>(&'a self, ca: &'a Cert) -> impl Iterator<Item = &'a Crl> + 'a {
        self.issued_under(ca.subject_raw())
    }

    /// The CRLs issued under the DER name `name`: from the file, and from the directory files
    /// named after that name's hash.
    fn issued_under<'a>(&'a self, name: &'a [u8]) -> impl Iterator<Item = &'a Crl> + 'a {
        let hash = name_hash(name);
        self.crls
            .iter()
            .chain(self.dir_crls.iter().filter(move |(h, _)| Some(*h) == hash).map(|(_, c)| c))
            .filter(move |c| c.issued_under(name))
    }

    /// Where the CRLs come from, in words.
    pub fn describe(&self) -> String {
        match (&self.file, &self.dir) {
            (Some(f), Some(d)) => format!("CRL file {} and CRL directory {}", f.display(), d.display()),
            (Some(f), None) => format!("CRL file {}", f.display()),
            (None, Some(d)) => format!("CRL directory {}", d.display()),
            (None, None) => "no CRL".into(),
        }
    }

    /// [`describe`](Self::describe)'s words said in the user's language (a verdict keeps only
    /// the words, so this reads them back; words it does not know are kept as written).
    pub fn said_from_words(words: &str) -> crate::findings::Arg {
        use crate::findings::IntoArg;
        use crate::say;
        let m = if let Some((f, d)) = words.strip_prefix("CRL file ").and_then(|r| r.split_once(" and CRL directory ")) {
            say!("crl-source.file-and-dir", file = f, dir = d)
        } else if let Some(f) = words.strip_prefix("CRL file ") {
            say!("crl-source.file", file = f)
        } else if let Some(d) = words.strip_prefix("CRL directory ") {
            say!("crl-source.dir", dir = d)
        } else if words == "no CRL" {
            say!("crl-source.none")
        } else {
            return words.into_arg();
        };
        m.into_arg()
    }
}
