//! pgbouncer.ini: PgBouncer's two TLS legs — towards its clients (`client_tls_*`) and towards
//! PostgreSQL (`server_tls_*`) — read with file and line for every value.
//!
//! A pooler is a hop of its own: a client's TLS ends there, and PgBouncer opens its own
//! connections to PostgreSQL with its own settings. When a connection through it fails, the
//! fix belongs in this file, not in postgresql.conf; `pgtls server --pgbouncer-conf FILE` audits
//! it the way `server` audits postgresql.conf. Semantics and defaults are those of PgBouncer's
//! own manual, pgbouncer(5) of PgBouncer 1.18.0 (Debian 1.18.0-1+deb12u1): `client_tls_sslmode`
//! and `server_tls_sslmode` default to `disable`; a `client_tls_sslmode` other than `disable`
//! needs `client_tls_key_file` and `client_tls_cert_file` (PgBouncer refuses to start without
//! them: "To allow TLS connections from clients, client_tls_key_file and client_tls_cert_file
//! must be set.", seen with 1.18.0); `prefer`/`require` towards the server do not validate its
//! certificate; `verify-ca`/`verify-full` validate against `server_tls_ca_file`.
//!
//! The format: `[section]` headers, `key = value` lines, `;` and `#` comments, and
//! `%include FILE` directives (read here too, at most 10 deep). Nothing here writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Files;
use super::server::FileFacts;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PgbouncerError {
    #[error("could not read PgBouncer configuration \"{file}\": {reason}; check the path (Debian: /etc/pgbouncer/pgbouncer.ini)")]
    Unreadable { file: PathBuf, reason: String },
    #[error("{file}: %include nested more than 10 deep (an include loop?)")]
    IncludeDepth { file: PathBuf },
    #[error("{file}: no [pgbouncer] section: is this a pgbouncer.ini?")]
    NoSection { file: PathBuf },
}

impl PgbouncerError {
    /// The error as a message (its English is the `Display` text).
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            PgbouncerError::Unreadable { file, reason } => say!("error.pgbouncer.unreadable", file = file.display(), reason = reason),
            PgbouncerError::IncludeDepth { file } => say!("error.pgbouncer.include-depth", file = file.display()),
            PgbouncerError::NoSection { file } => say!("error.pgbouncer.no-section", file = file.display()),
        }
    }
}

/// One setting's value and where it is set (`file:line`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniValue {
    pub value: String,
    pub at: String,
}

/// The settings of a pgbouncer.ini (its `[pgbouncer]` section, keys lower-cased as PgBouncer
/// matches them) and its `[databases]` entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PgbouncerConf {
    pub path: PathBuf,
    pub settings: BTreeMap<String, IniValue>,
    /// `[databases]`: name → connection string, with where it is set.
    pub databases: Vec<(String, IniValue)>,
}

impl PgbouncerConf {
    /// Read `path` and the files it includes.
    pub fn load(path: &Path, files: &dyn Files) -> Result<PgbouncerConf, PgbouncerError> {
        let mut conf = PgbouncerConf { path: path.to_path_buf(), ..Default::default() };
        let mut section = String::new();
        let mut seen_section = false;
        conf.read(files, path, 0, &mut section, &mut seen_section)?;
        if !seen_section {
            return Err(PgbouncerError::NoSection { file: path.to_path_buf() });
        }
        Ok(conf)
    }

    fn read(&mut self, files: &dyn Files, path: &Path, depth: usize, section: &mut String, seen: &mut bool) -> Result<(), PgbouncerError> {
        if depth > 10 {
            return Err(PgbouncerError::IncludeDepth { file: path.to_path_buf() });
        }
        let text = files.read_text(path).map_err(|e| PgbouncerError::Unreadable { file: path.to_path_buf(), reason: e.to_string() })?;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let at = format!("{}:{}", path.display(), n + 1);
            if let Some(inc) = line.strip_prefix("%include") {
                let file = PathBuf::from(inc.trim());
                let file = if file.is_relative() { path.parent().unwrap_or(Path::new(".")).join(file) } else { file };
                self.read(files, &file, depth + 1, section, seen)?;
                continue;
            }
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                *section = name.trim().to_lowercase();
                *seen |= *section == "pgbouncer";
                continue;
            }
            let Some((key, value)) = line.split_once('=') else { continue };
            let (key, value) = (key.trim(), value.trim().to_string());
            match section.as_str() {
                "pgbouncer" => {
                    self.settings.insert(key.to_lowercase(), IniValue { value, at });
                }
                "databases" => self.databases.push((key.to_string(), IniValue { value, at })),
                _ => {}
            }
        }
        Ok(())
    }

    /// A setting's value (`None`: not set, PgBouncer's default applies).
    pub fn get(&self, key: &str) -> Option<&IniValue> {
        self.settings.get(key)
    }

    /// `client_tls_sslmode` / `server_tls_sslmode`, lower-cased, `disable` when unset (the
    /// 1.18 default for both).
    pub fn sslmode(&self, key: &str) -> String {
        self.get(key).map(|v| v.value.to_lowercase()).unwrap_or_else(|| "disable".into())
    }
}

/// A file a TLS setting names, as gathering found it (the server audit's [`FileFacts`]: its
/// `configured` is the setting's value, its `origin` the setting's `file:line`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFile {
    /// The setting (`client_tls_cert_file` …).
    pub setting: String,
    pub file: FileFacts,
}

impl NamedFile {
    /// What the file holds, as far as the audit cares.
    pub fn state(&self) -> FileState {
        let f = &self.file;
        match &f.contents {
            _ if !f.exists => FileState::Missing,
            None => FileState::Unreadable(f.error.clone().unwrap_or_else(|| "not a regular file".into())),
            Some(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                let certs = text.matches("-----BEGIN CERTIFICATE-----").count();
                if certs > 0 {
                    FileState::Certificates(certs)
                } else if text.contains("PRIVATE KEY-----") {
                    FileState::Key
                } else {
                    FileState::NotPem
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Missing,
    Unreadable(String),
    /// PEM certificates, how many.
    Certificates(usize),
    /// A PEM private key.
    Key,
    /// Neither a PEM certificate nor a PEM key.
    NotPem,
}

/// Everything the pgbouncer.ini audit judges: the file and the files its TLS settings name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgbouncerFacts {
    pub conf: PgbouncerConf,
    pub files: Vec<NamedFile>,
}

/// The settings that name files.
pub const FILE_SETTINGS: [&str; 6] =
    ["client_tls_cert_file", "client_tls_key_file", "client_tls_ca_file", "server_tls_ca_file", "server_tls_cert_file", "server_tls_key_file"];
