//! Trust stores: what a client actually trusts, read the way its TLS library reads it.
//!
//! Most "certificate verify failed" cases are not about the server at all but about the file
//! the client points `sslrootcert` at: an intermediate or the server certificate pinned
//! instead of a root (breaks at the next rotation), an expired root, a DER file libpq cannot
//! read, a Java keystore that never got the new root. So every entry is described (root,
//! intermediate, leaf; expired, duplicate, weak) and every load error names the file and the
//! entry (block number or keystore alias), because "the bundle is broken" is not actionable.
//!
//! Sources: a PEM bundle (or a single DER certificate), a directory (OpenSSL hashed `*.0`
//! links or plain files), the system store that OpenSSL — and so libpq's
//! `sslrootcert=system` — uses (`/etc/ssl/certs/ca-certificates.crt`, falling back to the
//! directory), Java JKS and PKCS#12 keystores (password `changeit` unless told otherwise).

pub mod crl;
pub mod keystore;
pub use pgtls_core::pem;

use std::path::{Path, PathBuf};


pub use crate::x509::{Cert, CertKind};
pub use crl::{libpq_revocation, Revocation};
pub use pgtls_core::gathered::trust::{
    EntryFlags, RootTrust, TrustEntry, TrustSource, TrustStore, DEFAULT_KEYSTORE_PASSWORD, HAND_MADE_MAX, SYSTEM_BUNDLE, SYSTEM_DIR,
};

/// Files larger than this are not trust stores (Debian's bundle is ~220 KB).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why a trust store could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read trust store {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}; fix or remove that block (OpenSSL refuses the whole file)")]
    Pem {
        path: PathBuf,
        source: pem::PemError,
    },
    #[error(
        "{path}: entry {entry} is not a valid X.509 certificate ({reason}); re-export it in PEM"
    )]
    BadCert {
        path: PathBuf,
        entry: String,
        reason: String,
    },
    #[error("{path}: no certificate found (neither PEM blocks nor a DER certificate); is this the right file?")]
    Empty { path: PathBuf },
    #[error("{path}: wrong keystore password (integrity check failed); pass the right one (default is \"changeit\")")]
    WrongPassword { path: PathBuf },
    #[error("{path}: not a readable {kind} keystore: {reason}")]
    Keystore {
        path: PathBuf,
        kind: &'static str,
        reason: String,
    },
    #[error("{path} is larger than {MAX_FILE_BYTES} bytes; not a trust store")]
    TooLarge { path: PathBuf },
    #[error("no Java trust store found ($JAVA_HOME/lib/security/cacerts, /etc/ssl/certs/java/cacerts); install a JRE or set JAVA_HOME")]
    NoJavaStore,
    #[error("the trust of {name} cannot be read by pgtls (a custom implementation); audit the store it uses directly")]
    Unknown { name: String },
    #[error("no system trust store found ({SYSTEM_BUNDLE} and {SYSTEM_DIR} are missing); install the ca-certificates package")]
    NoSystemStore,
}

impl TrustError {
    /// The error as a message (its English is the `Display` text); the parsers' and the OS's
    /// words stay as written.
    pub fn said(&self) -> pgtls_core::findings::Message {
        use pgtls_core::say;
        match self {
            TrustError::Io { path, source } => say!("error.trust.io", path = path.display(), error = source),
            TrustError::Pem { path, source } => say!("error.trust.pem", path = path.display(), error = source),
            TrustError::BadCert { path, entry, reason } => say!("error.trust.bad-cert", path = path.display(), entry = entry, reason = reason),
            TrustError::Empty { path } => say!("error.trust.empty", path = path.display()),
            TrustError::WrongPassword { path } => say!("error.trust.wrong-password", path = path.display()),
            TrustError::Keystore { path, kind, reason } => say!("error.trust.keystore", path = path.display(), kind = kind, reason = reason),
            TrustError::TooLarge { path } => say!("error.trust.too-large", path = path.display(), bytes = MAX_FILE_BYTES),
            TrustError::NoJavaStore => say!("error.trust.no-java-store"),
            TrustError::Unknown { name } => say!("error.trust.unknown", name = name),
            TrustError::NoSystemStore => say!("error.trust.no-system-store", bundle = SYSTEM_BUNDLE, dir = SYSTEM_DIR),
        }
    }
}

/// Where the JVM keeps its default trust store on this machine.
pub fn java_cacerts() -> Option<PathBuf> {
    let home = std::env::var_os("JAVA_HOME").map(|h| PathBuf::from(h).join("lib/security/cacerts"));
    home.into_iter().chain([PathBuf::from("/etc/ssl/certs/java/cacerts")]).find(|p| p.is_file())
}

fn read_limited(path: &Path) -> Result<Vec<u8>, TrustError> {
    let io = |source| TrustError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(TrustError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    crate::files::read_limited(path, MAX_FILE_BYTES).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidData => TrustError::TooLarge { path: path.to_path_buf() },
        _ => io(e),
    })
}

/// Load a trust store.
pub fn load(source: &TrustSource) -> Result<TrustStore, TrustError> {
    let desc = source.to_string();
    let mut store = match source {
        TrustSource::File(p) => load_file(p)?,
        TrustSource::Dir(p) => load_dir(p)?,
        TrustSource::System { ssl_cert_file } => {
            let bundle = ssl_cert_file
                .clone()
                .unwrap_or_else(|| PathBuf::from(SYSTEM_BUNDLE));
            if bundle.is_file() {
                load_file(&bundle)?
            } else if Path::new(SYSTEM_DIR).is_dir() {
                load_dir(Path::new(SYSTEM_DIR))?
            } else {
                return Err(TrustError::NoSystemStore);
            }
        }
        TrustSource::Jks { path, password } => {
            let data = read_limited(path)?;
            entries_store(path, keystore::read_jks(path, &data, password)?, false)
        }
        TrustSource::Pkcs12 { path, password } => {
            let data = read_limited(path)?;
            entries_store(path, keystore::read_pkcs12(path, &data, password)?, false)
        }
        TrustSource::JavaDefault => {
            let path = java_cacerts().ok_or(TrustError::NoJavaStore)?;
            let inner = sniff(&path, None)?;
            let mut s = load(&inner)?;
            s.source = desc;
            return Ok(s);
        }
        TrustSource::Custom(name) => return Err(TrustError::Unknown { name: name.clone() }),
    };
    store.source = desc;
    Ok(store)
}

/// Guess the kind of file: JKS magic, PKCS#12 (DER SEQUENCE that is not a certificate), PEM/DER.
pub fn sniff(path: &Path, password: Option<&str>) -> Result<TrustSource, TrustError> {
    if path.is_dir() {
        return Ok(TrustSource::Dir(path.to_path_buf()));
    }
    let data = read_limited(path)?;
    let password = password.unwrap_or(DEFAULT_KEYSTORE_PASSWORD).to_string();
    if data.starts_with(&[0xFE, 0xED, 0xFE, 0xED]) {
        return Ok(TrustSource::Jks {
            path: path.to_path_buf(),
            password,
        });
    }
    if data.first() == Some(&0x30) && Cert::from_der(&data, "").is_err() {
        return Ok(TrustSource::Pkcs12 {
            path: path.to_path_buf(),
            password,
        });
    }
    Ok(TrustSource::File(path.to_path_buf()))
}

fn entries_store(path: &Path, certs: Vec<(String, Cert)>, pem: bool) -> TrustStore {
    TrustStore {
        source: String::new(),
        path: path.to_path_buf(),
        entries: certs
            .into_iter()
            .enumerate()
            .map(|(i, (label, cert))| TrustEntry {
                index: i + 1,
                label,
                cert,
            })
            .collect(),
        pem,
        skipped: Vec::new(),
        revocation: None,
    }
}

/// Certificates in one file: PEM blocks (`CERTIFICATE`, `TRUSTED CERTIFICATE`; CRLs and keys
/// ignored as OpenSSL does) or, if there are none, the whole file as one DER certificate.
/// Returns (label, cert) pairs and whether the file was PEM.
pub fn parse_file(path: &Path, data: &[u8]) -> Result<(Vec<(String, Cert)>, bool), TrustError> {
    let text = String::from_utf8_lossy(data);
    let blocks = pem::parse_blocks(&text).map_err(|source| TrustError::Pem {
        path: path.to_path_buf(),
        source,
    })?;
    if blocks.is_empty() {
        if data.first() == Some(&0x30) {
            let cert = Cert::from_der(data, "1 (DER)").map_err(|e| TrustError::BadCert {
                path: path.to_path_buf(),
                entry: "1 (DER)".into(),
                reason: e.reason().to_string(),
            })?;
            return Ok((vec![("DER certificate".into(), cert)], false));
        }
        return Err(TrustError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut out = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if b.label != "CERTIFICATE"
            && b.label != "TRUSTED CERTIFICATE"
            && b.label != "X509 CERTIFICATE"
        {
            continue;
        }
        let label = format!("block {} (line {})", i + 1, b.line);
        let cert = Cert::from_der(&b.der, &label).map_err(|e| TrustError::BadCert {
            path: path.to_path_buf(),
            entry: label.clone(),
            reason: e.reason().to_string(),
        })?;
        out.push((label, cert));
    }
    if out.is_empty() {
        return Err(TrustError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok((out, true))
}

fn load_file(path: &Path) -> Result<TrustStore, TrustError> {
    let data = read_limited(path)?;
    let (certs, pem) = parse_file(path, &data)?;
    Ok(entries_store(path, certs, pem))
}

fn load_dir(dir: &Path) -> Result<TrustStore, TrustError> {
    let io = |source| TrustError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    // A hashed directory holds both `name.pem` and `hash.0 -> name.pem`; read each file once.
    let hashed: Vec<&PathBuf> = names.iter().filter(|p| is_hash_name(p)).collect();
    let use_only_hashed = !hashed.is_empty();
    let mut certs = Vec::new();
    let mut skipped = Vec::new();
    let mut all_pem = true;
    for p in &names {
        if use_only_hashed && !is_hash_name(p) {
            continue;
        }
        if !p.is_file() {
            continue;
        }
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read_limited(p).and_then(|d| parse_file(p, &d)) {
            Ok((cs, pem)) => {
                all_pem &= pem;
                for (label, c) in cs {
                    certs.push((format!("{name} {label}"), c));
                }
            }
            Err(e) => skipped.push(e.to_string()),
        }
    }
    let mut store = entries_store(dir, certs, all_pem);
    store.skipped = skipped;
    Ok(store)
}

/// Read libpq's root certificate source the way `SSL_CTX_load_verify_locations` does: the
/// file is used only if `stat` finds it, it must be PEM (a DER file, an empty file or a
/// directory give "no certificate or crl found"), and a broken block fails the whole file.
/// `source` is `None` when there is no home directory to find the default file in.
pub fn libpq_root(source: Option<&TrustSource>) -> RootTrust {
    let path = match source {
        None => return RootTrust::Absent { path: None },
        Some(s @ TrustSource::System { .. }) => {
            return match load(s) {
                Ok(s) => RootTrust::Loaded(s),
                Err(e) => RootTrust::SystemUnavailable { reason: e.to_string() },
            }
        }
        Some(TrustSource::File(path) | TrustSource::Dir(path)) => path,
        Some(other) => return RootTrust::SystemUnavailable { reason: format!("libpq cannot use {other}") },
    };
    if std::fs::metadata(path).is_err() {
        return RootTrust::Absent { path: Some(path.clone()) };
    }
    let unreadable = |reason: &str| RootTrust::Unreadable { path: path.clone(), reason: reason.to_string(), is_dir: false };
    if path.is_dir() {
        return RootTrust::Unreadable { path: path.clone(), reason: "no certificate or crl found".into(), is_dir: true };
    }
    match load(&TrustSource::File(path.clone())) {
        Ok(s) if s.pem => RootTrust::Loaded(s),
        Ok(_) | Err(TrustError::Empty { .. }) => unreadable("no certificate or crl found"),
        Err(TrustError::Pem { source: pem::PemError::BadBase64 { .. }, .. }) => unreadable("bad base64 decode"),
        Err(TrustError::Pem { .. }) => unreadable("bad end line"),
        Err(TrustError::Io { source, .. }) => unreadable(&format!("system lib ({source})")),
        Err(e) => unreadable(&format!("ASN1 lib ({e})")),
    }
}

/// OpenSSL's `c_rehash` names: 8 hex digits, a dot, a number (`.r0` are CRLs).
fn is_hash_name(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 8
        && hash.chars().all(|c| c.is_ascii_hexdigit())
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use pgtls_lab::{days_ago, now, openssl_weak_root, CertKey, CertSpec};

    use crate::findings::Severity;

    fn audit(stores: Vec<TrustStore>) -> Vec<crate::findings::Finding> {
        let facts = crate::facts::Facts { stores, ..Default::default() };
        crate::checks::run(&facts, &crate::checks::Context::at(time::OffsetDateTime::now_utc()))
    }
    use super::*;

    fn store_file(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    #[test]
    fn classifies_entries_and_audits() {
        let root = CertKey::root("Root A").unwrap();
        let inter = root.intermediate("Inter A").unwrap();
        let leaf = inter.leaf("db.example.com", &["db.example.com"]).unwrap();
        let old = CertKey::root_with("Old Root", &CertSpec::valid(days_ago(400), days_ago(10))).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let bundle = format!(
            "# Subject: Root A\r\n{}junk between\r\n{}\n{}{}{}",
            root.cert_pem,
            inter.cert_pem,
            leaf.cert_pem,
            root.cert_pem,
            old.cert_pem
        );
        let p = store_file(dir.path(), "root.crt", bundle.as_bytes());
        let store = load(&TrustSource::File(p)).unwrap();
        assert!(store.pem);
        let flags = store.describe(now());
        let kinds: Vec<CertKind> = flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                CertKind::Root,
                CertKind::Intermediate,
                CertKind::Leaf,
                CertKind::Root,
                CertKind::Root
            ]
        );
        assert_eq!(flags[3].duplicate_of, Some(1));
        assert!(flags[4].expired && !flags[0].expired);
        let found = audit(vec![store]);
        let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
        // Worst first: a pinned leaf and an expired entry in a hand-made store are warnings; an
        // intermediate next to its own root and a duplicate are information.
        assert_eq!(codes, ["pinned-leaf", "weak-trust-entry", "pinned-intermediate", "duplicate-trust-entry"]);
        assert_eq!(found[2].severity, Severity::Info);
    }

    #[test]
    fn der_file_and_errors_name_file_and_entry() {
        let root = CertKey::root("Root D").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let der = store_file(dir.path(), "root.der", &root.der);
        let s = load(&TrustSource::File(der)).unwrap();
        assert_eq!(s.entries.len(), 1);
        assert!(!s.pem, "DER is loaded but flagged: libpq cannot read it");

        let pem = &root.cert_pem;
        let cut = &pem[..pem.len() / 2];
        let trunc = store_file(dir.path(), "trunc.pem", format!("{pem}{cut}").as_bytes());
        let e = load(&TrustSource::File(trunc)).unwrap_err().to_string();
        assert!(e.contains("trunc.pem") && e.contains("block 2"), "{e}");

        let junk = store_file(dir.path(), "junk.bin", &[0x30, 0x82, 0xff, 0xff, 1, 2, 3]);
        let e = load(&TrustSource::File(junk)).unwrap_err().to_string();
        assert!(e.contains("junk.bin") && e.contains("entry 1"), "{e}");

        let bad = store_file(
            dir.path(),
            "bad.pem",
            b"-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
        );
        let e = load(&TrustSource::File(bad)).unwrap_err().to_string();
        assert!(
            e.contains("bad.pem") && e.contains("block 1 (line 1)"),
            "{e}"
        );

        let empty = store_file(dir.path(), "empty.pem", b"nothing here\n");
        assert!(matches!(
            load(&TrustSource::File(empty)),
            Err(TrustError::Empty { .. })
        ));
        let missing = dir.path().join("missing.pem");
        let e = load(&TrustSource::File(missing)).unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }

    #[test]
    fn garbage_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        let mut seed = 0x1234_5678u32;
        for n in 0..200 {
            let len = (n * 7) % 300;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    (seed & 0xff) as u8
                })
                .collect();
            let mut d = data.clone();
            if n % 3 == 0 {
                d.insert(0, 0x30);
            }
            let p = store_file(dir.path(), "g", &d);
            let _ = load(&TrustSource::File(p.clone()));
            let _ = load(&TrustSource::Jks {
                path: p.clone(),
                password: "changeit".into(),
            });
            let mut j = vec![0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff];
            j.extend_from_slice(&data);
            let pj = store_file(dir.path(), "j", &j);
            let _ = load(&TrustSource::Jks {
                path: pj,
                password: "changeit".into(),
            });
            let _ = load(&TrustSource::Pkcs12 {
                path: p,
                password: "changeit".into(),
            });
        }
    }

    #[test]
    fn directory_hashed_or_plain() {
        let a = CertKey::root("Dir A").unwrap();
        let b = CertKey::root("Dir B").unwrap();
        let dir = tempfile::tempdir().unwrap();
        store_file(dir.path(), "a.pem", a.cert_pem.as_bytes());
        store_file(dir.path(), "b.crt", b.cert_pem.as_bytes());
        store_file(dir.path(), "README", b"not a cert");
        let s = load(&TrustSource::Dir(dir.path().to_path_buf())).unwrap();
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.skipped.len(), 1);
        // Hashed: only the links are read, so each cert appears once.
        std::os::unix::fs::symlink(dir.path().join("a.pem"), dir.path().join("0badc0de.0"))
            .unwrap();
        let s = load(&TrustSource::Dir(dir.path().to_path_buf())).unwrap();
        assert_eq!(s.entries.len(), 1);
        assert!(s.entries[0].label.starts_with("0badc0de.0"));
    }

    #[test]
    fn system_store_loads_when_present() {
        if !Path::new(SYSTEM_BUNDLE).exists() && !Path::new(SYSTEM_DIR).exists() {
            eprintln!("skipping: no system trust store on this machine");
            return;
        }
        let s = load(&TrustSource::System {
            ssl_cert_file: None,
        })
        .unwrap();
        assert!(s.entries.len() > 50, "{}", s.entries.len());
        assert!(s
            .certs()
            .any(|c| c.subject.contains("DigiCert Global Root G2")));
    }

    #[test]
    fn weak_entry_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let Some(der) = openssl_weak_root(dir.path()) else {
            eprintln!("skipping: openssl CLI cannot make an RSA-1024/SHA-1 certificate here");
            return;
        };
        let s = TrustStore::from_certs("mem", vec![Cert::from_der(&der, "test").unwrap()]);
        let f = audit(vec![s]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "weak-trust-entry");
        assert_eq!(
            f[0].severity,
            Severity::Warning,
            "the 1024-bit key matters even on a root"
        );
        assert!(
            f[0].detail.contains("1024") && f[0].detail.contains("sha1"),
            "{}",
            f[0].detail
        );
    }
}
