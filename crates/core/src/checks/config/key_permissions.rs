//! The private key's owner and mode, by PostgreSQL's exact rule.
//!
//! The server refuses a key file that is not owned by the database user or root, a key
//! owned by the database user with any group/other bits (more than 0600), or a key owned
//! by root with group write/execute or any other bits (more than 0640). It then refuses
//! to start, which is the most common "it worked with openssl" surprise.

use crate::say;
use crate::findings::{Code, Finding};
use crate::checks::Context;
use crate::facts::Facts;

pub const DETAIL: &str = "File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.";

/// The server's verdict on owner `uid` and `mode` for database user `db_uid`, as the
/// message it would log, or `None` if acceptable.
pub fn server_verdict(configured: &str, uid: u32, mode: u32, db_uid: u32) -> Option<String> {
    if uid != db_uid && uid != 0 {
        return Some(format!("private key file \"{configured}\" must be owned by the database user or root"));
    }
    let bad = if uid == db_uid { mode & 0o077 != 0 } else { mode & 0o037 != 0 };
    bad.then(|| format!("private key file \"{configured}\" has group or world access"))
}

pub const CODES: &[Code] = &[Code::ServerKeyPermissions];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    let Some(key) = f.key.as_ref().filter(|k| k.exists && k.is_regular && f.conf.ssl_on()) else {
        return Vec::new();
    };
    // Without a known data directory owner, assume a non-root owner is the database user.
    let db_uid = f.db_uid.unwrap_or(if key.uid == 0 { u32::MAX } else { key.uid });
    let Some(msg) = server_verdict(&key.configured, key.uid, key.mode, db_uid) else {
        return Vec::new();
    };
    // Commands that run as written: numeric ids where the names are not known.
    let path = key.path.display();
    let gid = f.db_gids.as_ref().and_then(|g| g.first().copied());
    let fix = if key.uid == db_uid || key.uid != 0 && f.db_uid.is_none() {
        say!("server-key-permissions.fix-chmod", path = &path)
    } else if key.uid == 0 {
        match (gid, f.db_uid) {
            (Some(g), _) => say!("server-key-permissions.fix-chgrp", gid = g, path = &path),
            (None, Some(u)) => say!("server-key-permissions.fix-chown-db-user", uid = u, path = &path),
            (None, None) => say!("server-key-permissions.fix-group-unknown", path = &path),
        }
    } else {
        say!("server-key-permissions.fix-chown-owner", uid = db_uid, path = &path)
    };
    vec![Finding::new(Code::ServerKeyPermissions)
        .said(say!(
            "server-key-permissions.refused",
            path = &path,
            origin = &key.origin,
            mode = format!("{:04o}", key.mode),
            uid = key.uid,
            message = &msg,
            detail = if msg.ends_with("access") { format!(" DETAIL: {DETAIL}") } else { String::new() }
        ))
        .fix_said(fix)
        .evidence("mode", format!("{:04o}", key.mode))
        .evidence("owner_uid", key.uid.to_string())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts, file};

    #[test]
    fn postgres_rule_table() {
        // (owner uid, mode, ok?) with database user 999
        let table = [
            (999, 0o600, true), (999, 0o400, true), (999, 0o700, true), (999, 0o640, false),
            (999, 0o604, false), (999, 0o644, false), (999, 0o610, false),
            (0, 0o640, true), (0, 0o600, true), (0, 0o440, true), (0, 0o644, false), (0, 0o660, false),
            (0, 0o650, false), (0, 0o641, false), (1000, 0o600, false),
        ];
        for (uid, mode, ok) in table {
            assert_eq!(server_verdict("k", uid, mode, 999).is_none(), ok, "uid {uid} mode {mode:o}");
        }
        assert_eq!(server_verdict("k", 1000, 0o600, 999).unwrap(), "private key file \"k\" must be owned by the database user or root");
    }

    #[test]
    fn finding_from_facts() {
        let mut f = facts("ssl = on", "");
        f.server.as_mut().unwrap().key = Some(file("server.key", b"", 0o644, 999));
        let out = check(&f, &Context::default());
        assert_eq!(codes(&out), ["server-key-permissions"]);
        assert!(out[0].detail.contains("has group or world access DETAIL: File must have permissions u=rw (0600)"));
        assert!(out[0].fix.contains("chmod 0600"));
        f.server.as_mut().unwrap().key = Some(file("server.key", b"", 0o600, 999));
        assert!(check(&f, &Context::default()).is_empty());
    }
}
