//! Gather the client's side the way libpq would look at it: its files (stat and read, never
//! write) and its root certificate store, loaded as libpq's OpenSSL would load it.

use std::os::unix::fs::MetadataExt;

use serde::Serialize;

use crate::conninfo::{Resolved, Setting, Source};
use crate::profile::ClientProfile;
use crate::trust::RootTrust;

/// A client file libpq would read, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientFile {
    /// The keyword: sslrootcert, sslcert, sslkey, sslcrl.
    pub keyword: String,
    pub path: String,
    /// Named explicitly (connection string, service, environment) rather than libpq's default.
    pub explicit: bool,
    /// Where the value came from, in words.
    pub source: String,
    pub exists: bool,
    pub is_file: bool,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    /// PEM/DER contents for certificates and keys (never printed).
    #[serde(skip)]
    pub contents: Option<Vec<u8>>,
}

/// The client side of a connection, as gathered.
#[derive(Debug, Clone, Serialize)]
pub struct ClientFacts {
    pub resolved: Resolved,
    pub files: Vec<ClientFile>,
    /// The effective uid of the client process (libpq compares key ownership with it).
    pub euid: u32,
    /// What libpq would load from sslrootcert.
    pub root: RootTrust,
}

impl ClientFacts {
    pub fn file(&self, keyword: &str) -> Option<&ClientFile> {
        self.files.iter().find(|f| f.keyword == keyword)
    }

    /// A client with libpq's defaults whose root store is `root` (tests, replayed facts).
    pub fn with_root(root: RootTrust) -> ClientFacts {
        let resolved = crate::conninfo::resolve(
            &crate::conninfo::parse("host=localhost").expect("a valid connection string"),
            &crate::conninfo::SystemEnv,
        )
        .expect("resolvable defaults");
        ClientFacts { resolved, files: vec![], euid: euid(), root }
    }
}

/// The effective uid of this process (read once).
pub fn euid() -> u32 {
    static EUID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *EUID.get_or_init(|| {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).and_then(|l| l.split_whitespace().nth(2)?.parse().ok()))
            .unwrap_or(u32::MAX)
    })
}

fn file(keyword: &str, s: &Setting<String>) -> ClientFile {
    let meta = std::fs::metadata(&s.value).ok();
    let contents = match keyword {
        "sslcert" | "sslkey" | "sslrootcert" => meta
            .as_ref()
            .filter(|m| m.is_file() && m.len() < 16 * 1024 * 1024)
            .and_then(|_| crate::config::read_bytes(std::path::Path::new(&s.value)).ok()),
        _ => None,
    };
    ClientFile {
        keyword: keyword.to_string(),
        path: s.value.clone(),
        explicit: !matches!(s.source, Source::Default),
        source: s.source.to_string(),
        exists: meta.is_some(),
        is_file: meta.as_ref().is_some_and(|m| m.is_file()),
        mode: meta.as_ref().map(|m| m.mode() & 0o7777),
        uid: meta.as_ref().map(|m| m.uid()),
        contents,
    }
}

/// The files of `resolved` and the root store of `profile`.
pub fn gather(resolved: &Resolved, profile: &ClientProfile) -> ClientFacts {
    let mut files = Vec::new();
    // The root file as the profile decided it (a command-line --sslrootcert wins).
    if let crate::profile::RootCert::File { path, explicit } = &profile.root {
        let source = match &resolved.sslrootcert {
            Some(s) if s.value == path.display().to_string() => s.source.clone(),
            _ if *explicit => Source::ConnString,
            _ => Source::Default,
        };
        files.push(file("sslrootcert", &Setting::new(path.display().to_string(), source)));
    }
    for (kw, s) in [("sslcert", &resolved.sslcert), ("sslkey", &resolved.sslkey), ("sslcrl", &resolved.sslcrl)] {
        if let Some(s) = s {
            files.push(file(kw, s));
        }
    }
    ClientFacts { resolved: resolved.clone(), files, euid: euid(), root: crate::trust::libpq_root(profile.root.source().as_ref()) }
}
