//! What the server audit looked at, as values: postgresql.conf, pg_hba.conf and pg_ident.conf
//! as parsed, and each SSL file's mode, owner and contents. Stating and reading them is
//! `pgtls::config::server`.

use std::fmt;
use std::path::PathBuf;

use super::hba::Hba;
use super::ident::Ident;
use super::pgconf::{ConfLine, PgConf};
use crate::x509::Cert;

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
    /// `ssl_crl_file` and `ssl_crl_dir`, when set.
    pub crl: Option<FileFacts>,
    pub crl_dir: Option<FileFacts>,
    /// What OpenSSL loads from them (`Err`: its reason, and the server does not start); `None`
    /// when neither is set.
    pub revocation: Option<Result<crate::gathered::trust::Revocation, String>>,
}

/// "set at file:line" or "not set (default …)".
pub fn origin_of(s: Option<&ConfLine>, default: &str) -> String {
    match s {
        Some(s) => format!("set at {}", s.location()),
        None => format!("not set, default {default}"),
    }
}
