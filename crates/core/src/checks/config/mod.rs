//! Server configuration audits: the checks that only a server's files can answer (key files,
//! chain order, protocol range, certificate-to-user mapping, Kong's settings), and the facts
//! they read.
//!
//! Gathering (reading files and their metadata) is kept apart from judging so that every
//! rule can be tested with hand-made facts, and so that the only code touching the audited
//! system is [`crate::config::server`], which opens files read-only and writes nothing. Findings name the
//! file and line to edit. Rules that the server's files share with other sources (ssl = off,
//! expiry, weak ciphers, pg_hba.conf) live in the checks that own those codes.

pub mod chain_order;
pub mod client_cert_user;
pub mod key_mismatch;
pub mod key_passphrase;
pub mod key_permissions;
pub mod kong;
pub mod pgbouncer;
pub mod protocol_range;
pub mod server_files;

pub use crate::config::server::{origin_of, FileFacts, ServerFacts};

/// Fixtures for tests (here and in the crates above, through the `lab` feature).
#[cfg(any(test, feature = "lab"))]
pub mod testutil {
    //! Shared fixtures: facts and file facts (certificates come from `pgtls_lab`).
    use super::*;
    use crate::config::hba::Hba;
    use crate::config::pgconf::PgConf;
    use std::path::PathBuf;

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
            crl: None,
            crl_dir: None,
            revocation: None,
        }
    }

    pub use crate::checks::codes;
}
