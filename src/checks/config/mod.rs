//! Server configuration audits: the checks that only a server's files can answer (key files,
//! chain order, protocol range, certificate-to-user mapping, Kong's settings), and the facts
//! they read.
//!
//! Gathering (reading files and their metadata) is kept apart from judging so that every
//! rule can be tested with hand-made facts, and so that the only code touching the audited
//! system is [`gather`], which opens files read-only and writes nothing. Findings name the
//! file and line to edit. Rules that the server's files share with other sources (ssl = off,
//! expiry, weak ciphers, pg_hba.conf) live in the checks that own those codes.

use std::fmt;
use std::path::PathBuf;


use crate::config::hba::Hba;
use crate::config::ident::Ident;
use crate::config::pgconf::{PgConf, Setting};
use crate::x509::Cert;

pub mod chain_order;
pub mod client_cert_user;
pub mod gather;
pub mod key_mismatch;
pub mod key_passphrase;
pub mod key_permissions;
pub mod kong;
pub mod protocol_range;
pub mod server_files;

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
    /// The PEM certificates in the contents, parsed once.
    pub certs: Vec<Cert>,
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
}

/// "set at file:line" or "not set (default …)".
pub(crate) fn origin_of(s: Option<&Setting>, default: &str) -> String {
    match s {
        Some(s) => format!("set at {}", s.location()),
        None => format!("not set, default {default}"),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Shared fixtures: facts and file facts (certificates come from `pgtls_lab`).
    use super::*;

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
            certs: crate::x509::pem_certs(contents),
            error: None,
        }
    }

    /// Facts for a server with `conf` text, 0600 key owned by the db user (uid 999).
    pub fn facts(conf: &str, hba: &str) -> crate::facts::Facts {
        crate::facts::Facts { server: Some(server_facts(conf, hba)), ..Default::default() }
    }

    pub fn server_facts(conf: &str, hba: &str) -> ServerFacts {
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
        }
    }

    pub use crate::checks::codes;
}
