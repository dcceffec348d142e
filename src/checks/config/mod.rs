//! Configuration audits: pure functions from gathered facts to findings.
//!
//! Gathering (reading files and their metadata) is kept apart from judging so that every
//! rule can be tested with hand-made facts, and so that the only code touching the audited
//! system is [`gather`], which opens files read-only and writes nothing. One check lives
//! in one file; each returns findings whose detail names the file and line to edit.

use std::fmt;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::config::hba::Hba;
use crate::config::ident::Ident;
use crate::config::pgconf::{PgConf, Setting};
use crate::findings::Finding;

pub mod chain_order;
pub mod client_cert_user;
pub mod client_sslmode;
pub mod expiry;
pub mod gather;
pub mod hba_cert_ca;
pub mod hba_ssl;
pub mod insecure_protocol;
pub mod key_mismatch;
pub mod key_passphrase;
pub mod key_permissions;
pub mod kong;
pub mod protocol_range;
pub mod server_files;
pub mod server_ssl;
pub mod weak_ciphers;

/// What was learnt about one file without changing it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FileFacts {
    pub path: PathBuf,
    /// The name as configured (PostgreSQL's messages quote this, not the resolved path).
    pub configured: String,
    /// Where it was configured (`file:line`), or a description of the default.
    pub origin: String,
    pub exists: bool,
    pub is_regular: bool,
    /// Permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Contents, when this process could read them. May hold key material: never print.
    pub contents: Option<Vec<u8>>,
    /// Why stat or read failed.
    pub error: Option<String>,
}

impl fmt::Debug for FileFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileFacts")
            .field("path", &self.path)
            .field("configured", &self.configured)
            .field("origin", &self.origin)
            .field("exists", &self.exists)
            .field("mode", &format_args!("{:04o}", self.mode))
            .field("uid", &self.uid)
            .field("contents", &self.contents.as_ref().map(|c| format!("<{} bytes>", c.len())))
            .field("error", &self.error)
            .finish()
    }
}

/// Everything the server audit looks at.
#[derive(Debug, Clone)]
pub struct ServerFacts {
    pub conf: PgConf,
    pub hba: Option<Hba>,
    pub ident: Option<Ident>,
    /// The database user: owner of the data directory (the server refuses to run otherwise).
    pub db_uid: Option<u32>,
    /// Groups of the database user (from /etc/passwd and /etc/group), if known.
    pub db_gids: Option<Vec<u32>>,
    pub cert: Option<FileFacts>,
    pub key: Option<FileFacts>,
    pub ca: Option<FileFacts>,
    pub now: OffsetDateTime,
}

/// Run every server-side check.
pub fn audit_server(f: &ServerFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(server_ssl::check(f));
    out.extend(server_files::check(f));
    out.extend(key_permissions::check(f));
    out.extend(key_passphrase::check(f));
    out.extend(key_mismatch::check(f));
    out.extend(chain_order::check(f));
    out.extend(expiry::check(f));
    out.extend(protocol_range::check(f));
    out.extend(insecure_protocol::check(f));
    out.extend(weak_ciphers::check(f));
    out.extend(hba_ssl::check(f));
    out.extend(hba_cert_ca::check(f));
    out
}

/// "set at file:line" or "not set (default …)".
pub(crate) fn origin_of(s: Option<&Setting>, default: &str) -> String {
    match s {
        Some(s) => format!("set at {}", s.location()),
        None => format!("not set, default {default}"),
    }
}

/// The CERTIFICATE blocks of a PEM file, as DER.
pub(crate) fn pem_certs(bytes: &[u8]) -> Vec<Vec<u8>> {
    x509_parser::pem::Pem::iter_from_buffer(bytes)
        .map_while(Result::ok)
        .filter(|p| p.label == "CERTIFICATE" || p.label == "X509 CERTIFICATE" || p.label == "TRUSTED CERTIFICATE")
        .map(|p| p.contents)
        .collect()
}

/// A short human name for a certificate: its subject.
pub(crate) fn describe(cert: &x509_parser::certificate::X509Certificate<'_>) -> String {
    cert.subject().to_string()
}

/// Every finding code these checks can produce.
pub const CODES: [&str; 20] = [
    "server-ssl-off", "server-cert-missing", "server-key-missing", "server-cert-file-unreadable",
    "server-key-file-unreadable", "server-key-permissions", "server-key-mismatch", "chain-order-wrong",
    "cert-expired", "cert-expiring-soon", "key-passphrase", "ssl-protocol-range-invalid",
    "insecure-protocol-enabled", "weak-cipher-enabled", "hba-no-ssl-entry", "hba-allows-non-ssl",
    "hba-cert-without-ca", "client-cert-user-mismatch", "kong-verify-without-ca", "insecure-sslmode",
];

#[cfg(test)]
mod code_tests {
    #[test]
    fn every_used_code_is_catalogued_and_listed() {
        for c in super::CODES {
            assert!(crate::findings::catalogue().get(c).is_some(), "{c} not in catalogue.toml");
        }
        // every Finding::new("…") in this directory uses a listed code
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks/config");
        for e in std::fs::read_dir(dir).unwrap().flatten().filter(|e| e.file_name() != "mod.rs") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            for part in text.split("Finding::new(\"").skip(1) {
                let code = part.split('"').next().unwrap();
                assert!(super::CODES.contains(&code), "{code} used in {:?} but not in CODES", e.path());
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Shared fixtures: real keys and certificates made with rcgen, in temp files.
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    pub struct Pki {
        pub ca_pem: String,
        pub ca_key: KeyPair,
        pub ca_params: CertificateParams,
    }

    pub fn ca() -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "Test Root CA");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let cert = p.self_signed(&ca_key).unwrap();
        Pki { ca_pem: cert.pem(), ca_key, ca_params: p }
    }

    /// (cert PEM, key PEM) for `cn`, issued by `pki`, valid from `nb` to `na`.
    pub fn leaf(pki: &Pki, cn: &str, nb: OffsetDateTime, na: OffsetDateTime) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec![cn.to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.not_before = nb;
        p.not_after = na;
        let issuer = rcgen::Issuer::from_params(&pki.ca_params, &pki.ca_key);
        let cert = p.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    pub fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    pub fn file(configured: &str, contents: &[u8], mode: u32, uid: u32) -> FileFacts {
        FileFacts {
            path: PathBuf::from("/data").join(configured),
            configured: configured.into(),
            origin: "not set, default".into(),
            exists: true,
            is_regular: true,
            mode,
            uid,
            gid: uid,
            contents: Some(contents.to_vec()),
            error: None,
        }
    }

    /// Facts for a server with `conf` text, 0600 key owned by the db user (uid 999).
    pub fn facts(conf: &str, hba: &str) -> ServerFacts {
        let conf = PgConf::parse_str(conf, std::path::Path::new("/data/postgresql.conf")).unwrap();
        let hba = Hba::parse_str(hba, std::path::Path::new("/data/pg_hba.conf")).unwrap();
        ServerFacts {
            conf,
            hba: Some(hba),
            ident: None,
            db_uid: Some(999),
            db_gids: Some(vec![999]),
            cert: None,
            key: None,
            ca: None,
            now: now(),
        }
    }

    pub fn codes(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.code.as_str()).collect()
    }
}
