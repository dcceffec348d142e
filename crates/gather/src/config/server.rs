//! A server's TLS configuration as gathered: postgresql.conf (with includes), pg_hba.conf,
//! pg_ident.conf and the SSL files they name, with each file's mode, owner and contents.
//!
//! This is the only code in the server audit that reads the system. It stats files and reads
//! them through a read-only descriptor (with O_NOATIME where permitted), never writes,
//! renames or changes modes, so running pgtls on a production server leaves contents,
//! permissions and timestamps as they were. The checks judge these facts without I/O.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::hba::{Hba, HbaError};
use crate::files::{read as read_bytes, read_text};
use crate::files::Disk;
use super::ident::{Ident, IdentError};
use super::pgconf::{PgConf, PgConfError};

pub use pgtls_core::config::server::{origin_of, FileFacts, ServerFacts};


#[derive(Debug, Error)]
pub enum GatherError {
    #[error(transparent)]
    Conf(#[from] PgConfError),
    #[error("pg_hba.conf: {0}")]
    Hba(#[from] HbaError),
    #[error("pg_ident.conf: {0}")]
    Ident(#[from] IdentError),
}

impl GatherError {
    /// The error as a message (its English is the `Display` text).
    pub fn said(&self) -> pgtls_core::findings::Message {
        use pgtls_core::say;
        match self {
            GatherError::Conf(e) => e.said(),
            GatherError::Hba(e) => say!("error.gather.hba", error = e.said()),
            GatherError::Ident(e) => say!("error.gather.ident", error = e.said()),
        }
    }
}

/// Stat and (if permitted) read one file.
pub fn file_facts(path: &Path, configured: &str, origin: &str) -> FileFacts {
    let mut f = FileFacts {
        path: path.to_path_buf(),
        configured: configured.to_string(),
        origin: origin.to_string(),
        ..FileFacts::default()
    };
    match fs::metadata(path) {
        Ok(m) => {
            f.exists = true;
            f.is_regular = m.is_file();
            f.mode = m.mode() & 0o7777;
            f.uid = m.uid();
            f.gid = m.gid();
            if f.is_regular {
                match read_bytes(path) {
                    Ok(b) => {
                        f.certs = crate::x509::pem_certs(&b);
                        f.contents = Some(b);
                    }
                    Err(e) => f.error = Some(e.to_string()),
                }
            }
        }
        Err(e) => {
            f.exists = e.kind() != std::io::ErrorKind::NotFound;
            f.error = Some(e.to_string());
        }
    }
    f
}

/// Read postgresql.conf (plus includes and auto.conf), pg_hba.conf, pg_ident.conf and the
/// SSL files they name. `data_dir` defaults as in [`PgConf::load`].
pub fn gather_server(conf_path: &Path, data_dir: Option<&Path>) -> Result<ServerFacts, GatherError> {
    let conf = PgConf::load(conf_path, data_dir, &Disk)?;
    let config_dir = conf_path.parent().unwrap_or(Path::new("")).to_path_buf();
    let locate = |param: &str, default: &str| -> PathBuf {
        match conf.get(param) {
            Some(s) if Path::new(&s.value).is_absolute() => PathBuf::from(&s.value),
            Some(s) => conf.data_dir.join(&s.value),
            None => config_dir.join(default),
        }
    };
    let hba_path = locate("hba_file", "pg_hba.conf");
    let ident_path = locate("ident_file", "pg_ident.conf");
    let hba = if hba_path.exists() { Some(Hba::load(&hba_path, &Disk)?) } else { None };
    let ident = if ident_path.exists() { Some(Ident::load(&ident_path, &Disk)?) } else { None };
    let db_uid = fs::metadata(&conf.data_dir).ok().map(|m| m.uid());
    let db_gids = db_uid.and_then(groups_of);
    let ssl_file = |param: &str, default: &str| -> Option<FileFacts> {
        let path = conf.ssl_file(param)?;
        let s = conf.get(param);
        let configured = s.map(|s| s.value.clone()).unwrap_or_else(|| default.to_string());
        Some(file_facts(&path, &configured, &format!("{param} {}", origin_of(s, &format!("'{default}'")))))
    };
    let cert = ssl_file("ssl_cert_file", "server.crt");
    let key = ssl_file("ssl_key_file", "server.key");
    let ca = ssl_file("ssl_ca_file", "''");
    let crl = ssl_file("ssl_crl_file", "''");
    let crl_dir = ssl_file("ssl_crl_dir", "''");
    // be-secure-openssl.c (PostgreSQL 14+): X509_STORE_load_locations(ssl_crl_file, ssl_crl_dir).
    // A file that exists but that this process cannot read is not judged.
    let unreadable = crl.as_ref().is_some_and(|f| f.exists && f.contents.is_none());
    let revocation = ((crl.is_some() || crl_dir.is_some()) && !unreadable).then(|| {
        crate::trust::crl::load_locations(crl.as_ref().map(|f| (f.path.as_path(), f.contents.clone())), crl_dir.as_ref().map(|d| d.path.as_path()))
    });
    Ok(ServerFacts { conf, hba, ident, db_uid, db_gids, cert, key, ca, crl, crl_dir, revocation })
}

/// Primary and supplementary groups of `uid` from /etc/passwd and /etc/group.
fn groups_of(uid: u32) -> Option<Vec<u32>> {
    let passwd = read_text(Path::new("/etc/passwd")).ok()?;
    let (name, gid) = passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 3 && f[2].parse() == Ok(uid)).then(|| (f[0].to_string(), f[3].parse::<u32>().ok()))
    })?;
    let mut gids: Vec<u32> = gid.into_iter().collect();
    if let Ok(group) = read_text(Path::new("/etc/group")) {
        for l in group.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() > 3 && f[3].split(',').any(|m| m == name) {
                if let Ok(g) = f[2].parse() {
                    gids.push(g);
                }
            }
        }
    }
    Some(gids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil;
    use pgtls_lab::{CertKey, CertSpec};

    fn audit_server(f: &ServerFacts) -> Vec<crate::findings::Finding> {
        let facts = crate::facts::Facts { server: Some(f.clone()), ..Default::default() };
        crate::checks::run(&facts, &crate::checks::Context::at(time::OffsetDateTime::now_utc()))
    }
    use std::os::unix::fs::PermissionsExt;

    /// Contents, mode, mtime and atime of every file (read without touching atime, so
    /// that an audit that bumps atime under relatime is caught).
    type Snap = (PathBuf, Vec<u8>, u32, (i64, i64), (i64, i64));
    fn snapshot(dir: &Path) -> Vec<Snap> {
        let mut v: Vec<Snap> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| {
                let m = fs::metadata(e.path()).unwrap();
                let bytes = read_bytes(&e.path()).unwrap_or_default();
                (e.path(), bytes, m.mode(), (m.mtime(), m.mtime_nsec()), (m.atime(), m.atime_nsec()))
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn audit_changes_nothing_and_finds_problems() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        let pki = CertKey::root("Test Root CA").unwrap();
        let now = pgtls_lab::now();
        let spec = CertSpec::valid(now - time::Duration::days(1), now + time::Duration::days(10));
        let leaf = pki.leaf_with("db.example.com", &["db.example.com"], &spec).unwrap();
        fs::write(dir.join("server.crt"), &leaf.cert_pem).unwrap();
        fs::write(dir.join("server.key"), &leaf.key_pem).unwrap();
        fs::set_permissions(dir.join("server.key"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(dir.join("postgresql.conf"), "ssl = on\nssl_min_protocol_version = 'TLSv1'\n").unwrap();
        fs::write(dir.join("pg_hba.conf"), "local all all peer\nhost all all 0.0.0.0/0 scram-sha-256\n").unwrap();
        fs::write(dir.join("pg_ident.conf"), "").unwrap();
        let before = snapshot(dir);
        let facts = gather_server(&dir.join("postgresql.conf"), None).unwrap();
        let findings = audit_server(&facts);
        assert_eq!(snapshot(dir), before, "the audit modified an audited file");
        let codes = testutil::codes(&findings);
        for c in ["server-key-permissions", "cert-expiring-soon", "insecure-protocol-enabled", "hba-no-ssl-entry", "hba-allows-non-ssl"] {
            assert!(codes.contains(&c), "{c} missing from {codes:?}");
        }
        assert!(!codes.contains(&"server-key-mismatch"), "{codes:?}");
        let perm = findings.iter().find(|f| f.code == "server-key-permissions").unwrap();
        assert!(perm.detail.contains("private key file \"server.key\" has group or world access"), "{}", perm.detail);
        // key material is never part of any finding
        let all = format!("{findings:?} {facts:?}");
        assert!(!all.contains("PRIVATE KEY"), "key material leaked");
    }

    #[test]
    fn missing_files_and_bad_config_are_reported_not_panicked() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        fs::write(dir.join("postgresql.conf"), "ssl = on\nssl_key_file = 'keys/server.key'\n").unwrap();
        let facts = gather_server(&dir.join("postgresql.conf"), None).unwrap();
        let codes_v = audit_server(&facts);
        let codes = testutil::codes(&codes_v);
        assert!(codes.contains(&"server-cert-missing") && codes.contains(&"server-key-missing"), "{codes:?}");
        fs::write(dir.join("postgresql.conf"), "ssl = on\nssl_ciphers = HIGH:!aNULL\n").unwrap();
        let e = gather_server(&dir.join("postgresql.conf"), None).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("near token \"!\""), "{e}");
        fs::write(dir.join("postgresql.conf"), "ssl = on\n").unwrap();
        fs::write(dir.join("pg_hba.conf"), "host all all\n").unwrap();
        let e = gather_server(&dir.join("postgresql.conf"), None).unwrap_err().to_string();
        assert!(e.contains("pg_hba.conf:1: end-of-line before IP address"), "{e}");
    }

    #[test]
    fn file_facts_reads_modes() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k");
        fs::write(&p, "x").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        let f = file_facts(&p, "k", "here");
        assert!(f.exists && f.is_regular);
        assert_eq!(f.mode, 0o640);
        let f = file_facts(&d.path().join("nope"), "nope", "here");
        assert!(!f.exists && f.error.is_some());
    }
}
