//! Gather the client's files the way libpq would look at them: stat and read, never write.

use std::os::unix::fs::MetadataExt;

use crate::checks::client::{ClientFacts, ClientFile};
use crate::conninfo::{Resolved, Setting, Source};

/// The effective uid of this process.
pub fn euid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).and_then(|l| l.split_whitespace().nth(2)?.parse().ok()))
        .unwrap_or(u32::MAX)
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

pub fn gather(resolved: Resolved) -> ClientFacts {
    let mut files = Vec::new();
    for (kw, s) in [
        ("sslrootcert", &resolved.sslrootcert),
        ("sslcert", &resolved.sslcert),
        ("sslkey", &resolved.sslkey),
        ("sslcrl", &resolved.sslcrl),
    ] {
        if let Some(s) = s {
            if !(kw == "sslrootcert" && s.value == "system") {
                files.push(file(kw, s));
            }
        }
    }
    ClientFacts { resolved, files, euid: euid() }
}
