//! The certificate and key files must exist and be readable by the database user.
//!
//! The server loads them at start and at reload; a missing or unreadable file makes a
//! start fail (FATAL) or a reload keep the old SSL context (LOG), which is easy to
//! miss. The messages quote the server's own words so they can be found in its log.

use super::FileFacts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg};
use crate::checks::Context;
use crate::facts::Facts;

/// Could the database user read `f`, judged from mode bits (None when unknown)?
pub fn readable_by_db_user(f: &FileFacts, db_uid: Option<u32>, db_gids: Option<&[u32]>) -> Option<bool> {
    let uid = db_uid?;
    if uid == 0 {
        return Some(true);
    }
    if f.uid == uid {
        return Some(f.mode & 0o400 != 0);
    }
    match db_gids {
        Some(g) if g.contains(&f.gid) => Some(f.mode & 0o040 != 0),
        Some(_) => Some(f.mode & 0o004 != 0),
        None if f.mode & 0o004 != 0 => Some(true),
        None => None,
    }
}

pub const CODES: &[Code] =
    &[Code::ServerCertMissing, Code::ServerKeyMissing, Code::ServerCertFileUnreadable, Code::ServerKeyFileUnreadable, Code::ServerCaFileMissing];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    if !f.conf.ssl_on() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // ssl_ca_file: the server loads it at start ("could not load root certificate file") and
    // refuses to start when it cannot, however good the server certificate is.
    if let Some(ca) = &f.ca {
        let problem = if !ca.exists {
            Some("No such file or directory".to_string())
        } else if !ca.is_regular {
            Some("not a regular file".to_string())
        } else if readable_by_db_user(ca, f.db_uid, f.db_gids.as_deref()) == Some(false) {
            Some("Permission denied".to_string())
        } else if ca.contents.is_some() && ca.certs.is_empty() {
            Some("no certificate or crl found (not a PEM file)".to_string())
        } else {
            None
        };
        if let Some(reason) = problem {
            out.push(
                Finding::new(Code::ServerCaFileMissing)
                    .said(say!(
                        "server-ca-file-missing.unloadable",
                        path = ca.path.display(),
                        origin = &ca.origin,
                        configured = &ca.configured,
                        reason = &reason
                    ))
                    .evidence("file", ca.path.display().to_string()),
            );
        }
    }
    for (file, missing, unreadable, what) in [
        (&f.cert, Code::ServerCertMissing, Code::ServerCertFileUnreadable, "cert"),
        (&f.key, Code::ServerKeyMissing, Code::ServerKeyFileUnreadable, "key"),
    ] {
        let Some(file) = file else { continue };
        // The server stats the key ("could not access") before loading it ("could not load").
        let server_msg = |reason: &str| {
            if what == "cert" {
                format!("could not load server certificate file \"{}\": {reason}", file.configured)
            } else if file.exists {
                format!("could not load private key file \"{}\": {reason}", file.configured)
            } else {
                format!("could not access private key file \"{}\": {reason}", file.configured)
            }
        };
        let param = if what == "cert" { "ssl_cert_file" } else { "ssl_key_file" };
        if !file.exists {
            out.push(
                Finding::new(missing)
                    .said(say!(
                        "server-files.missing",
                        param = param,
                        path = file.path.display(),
                        origin = &file.origin,
                        log = server_msg("No such file or directory")
                    ))
                    .evidence("file", file.path.display().to_string()),
            );
            continue;
        }
        if !file.is_regular {
            let m = if what == "key" {
                format!("private key file \"{}\" is not a regular file", file.configured)
            } else {
                server_msg("not a regular file")
            };
            out.push(Finding::new(unreadable).said(say!("server-files.not-regular", path = file.path.display(), origin = &file.origin, message = &m)));
            continue;
        }
        // The ownership/mode rule is checked before reading; key_permissions reports that.
        if what == "key" {
            if let Some(db_uid) = f.db_uid {
                if super::key_permissions::server_verdict(&file.configured, file.uid, file.mode, db_uid).is_some() {
                    continue;
                }
            }
        }
        let db = readable_by_db_user(file, f.db_uid, f.db_gids.as_deref());
        let ours = file.contents.is_none();
        if db == Some(false) || (db.is_none() && ours) {
            out.push(
                Finding::new(unreadable)
                    .said(say!(
                        "server-files.unreadable",
                        path = file.path.display(),
                        origin = &file.origin,
                        mode = format!("{:04o}", file.mode),
                        uid = file.uid,
                        db_uid = match f.db_uid {
                            Some(u) => u.into_arg(),
                            None => say!("server-files.unknown").into_arg(),
                        },
                        log = server_msg("Permission denied")
                    ))
                    .evidence("file", file.path.display().to_string()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts, file};

    #[test]
    fn table() {
        let absent = FileFacts { exists: false, ..file("server.crt", b"", 0, 999) };
        // (cert, key, expected)
        let table: Vec<(FileFacts, FileFacts, Vec<&str>)> = vec![
            (file("server.crt", b"c", 0o644, 999), file("server.key", b"k", 0o600, 999), vec![]),
            (absent.clone(), file("server.key", b"k", 0o600, 999), vec!["server-cert-missing"]),
            (file("server.crt", b"c", 0o644, 999), FileFacts { configured: "server.key".into(), ..absent.clone() }, vec!["server-key-missing"]),
            (file("server.crt", b"c", 0o200, 999), file("server.key", b"k", 0o600, 999), vec!["server-cert-file-unreadable"]),
            (file("server.crt", b"c", 0o640, 0), file("server.key", b"k", 0o600, 0), vec!["server-cert-file-unreadable", "server-key-file-unreadable"]),
            (file("server.crt", b"c", 0o644, 0), FileFacts { is_regular: false, ..file("server.key", b"", 0o700, 999) }, vec!["server-key-file-unreadable"]),
        ];
        for (i, (cert, key, expected)) in table.into_iter().enumerate() {
            let mut f = facts("ssl = on", "");
            f.server.as_mut().unwrap().cert = Some(cert);
            f.server.as_mut().unwrap().key = Some(key);
            assert_eq!(codes(&check(&f, &Context::default())), expected, "row {i}");
        }
    }

    #[test]
    fn key_owned_by_stranger_is_a_permission_problem_only() {
        let mut f = facts("ssl = on", "");
        f.server.as_mut().unwrap().cert = Some(file("server.crt", b"c", 0o644, 999));
        f.server.as_mut().unwrap().key = Some(file("server.key", b"k", 0o600, 1234));
        assert!(check(&f, &Context::default()).is_empty());
        f.server.as_mut().unwrap().key = Some(file("server.key", b"k", 0o640, 0));
        let out = check(&f, &Context::default());
        assert!(out[0].detail.contains("could not load private key file \"server.key\": Permission denied"), "{}", out[0].detail);
    }

    #[test]
    fn message_uses_configured_name() {
        let mut f = facts("ssl = on", "");
        f.server.as_mut().unwrap().key = Some(FileFacts { exists: false, ..file("server.key", b"", 0, 999) });
        let d = &check(&f, &Context::default())[0].detail;
        assert!(d.contains("could not access private key file \"server.key\": No such file or directory"), "{d}");
        let mut f = facts("ssl = off", "");
        f.server.as_mut().unwrap().key = Some(FileFacts { exists: false, ..file("server.key", b"", 0, 999) });
        assert!(check(&f, &Context::default()).is_empty());
    }

    #[test]
    fn group_membership_decides() {
        let k = FileFacts { gid: 50, ..file("k", b"", 0o640, 0) };
        assert_eq!(readable_by_db_user(&k, Some(999), Some(&[999, 50])), Some(true));
        assert_eq!(readable_by_db_user(&k, Some(999), Some(&[999])), Some(false));
        assert_eq!(readable_by_db_user(&k, None, None), None);
    }
}
