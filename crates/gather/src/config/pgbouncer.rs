//! PgBouncer's pgbouncer.ini as gathered: the core parses it (`pgtls_core::config::pgbouncer`),
//! this module reads it from disk with the files its TLS settings name.

use std::path::{Path, PathBuf};

pub use pgtls_core::config::pgbouncer::*;

use super::server::file_facts;

/// Read `path`, then each file its TLS settings name (relative paths as PgBouncer resolves
/// them: from its working directory, which is unknown here, so from the ini's directory).
pub fn gather(path: &Path) -> Result<PgbouncerFacts, PgbouncerError> {
    let conf = PgbouncerConf::load(path, &crate::files::Disk)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let files = FILE_SETTINGS
        .iter()
        .filter_map(|s| conf.get(s).filter(|v| !v.value.is_empty()).map(|v| (*s, v)))
        .map(|(setting, v)| {
            let p = PathBuf::from(&v.value);
            let p = if p.is_relative() { base.join(p) } else { p };
            NamedFile { setting: setting.to_string(), file: file_facts(&p, &v.value, &v.at) }
        })
        .collect();
    Ok(PgbouncerFacts { conf, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_comments_includes_and_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tls.ini"), "; TLS\nclient_tls_sslmode = Require\nclient_tls_cert_file = missing.crt\n").unwrap();
        std::fs::write(dir.path().join("ca.crt"), "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n").unwrap();
        let ini = dir.path().join("pgbouncer.ini");
        std::fs::write(
            &ini,
            "[databases]\n# a comment\nshop = host=db.internal port=5432\n\n[pgbouncer]\nlisten_port = 6432\n%include tls.ini\nserver_tls_ca_file = ca.crt\n[users]\napp = pool_mode=session\n",
        )
        .unwrap();
        let f = gather(&ini).unwrap();
        assert_eq!(f.conf.sslmode("client_tls_sslmode"), "require");
        assert_eq!(f.conf.sslmode("server_tls_sslmode"), "disable", "the 1.18 default");
        assert!(f.conf.get("client_tls_sslmode").unwrap().at.ends_with("tls.ini:2"));
        assert_eq!(f.conf.databases.len(), 1);
        assert!(f.conf.get("app").is_none(), "[users] is not [pgbouncer]");
        let states: Vec<(&str, FileState)> = f.files.iter().map(|n| (n.setting.as_str(), n.state())).collect();
        assert_eq!(states, [("client_tls_cert_file", FileState::Missing), ("server_tls_ca_file", FileState::Certificates(1))]);
        let not_ini = dir.path().join("tls.ini");
        assert!(matches!(gather(&not_ini), Err(PgbouncerError::NoSection { .. })));
        assert!(matches!(gather(&dir.path().join("nope.ini")), Err(PgbouncerError::Unreadable { .. })));
    }

    #[test]
    fn include_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let ini = dir.path().join("loop.ini");
        std::fs::write(&ini, "[pgbouncer]\n%include loop.ini\n").unwrap();
        assert!(matches!(gather(&ini), Err(PgbouncerError::IncludeDepth { .. })));
    }
}
