//! An encrypted private key needs `ssl_passphrase_command`.
//!
//! Without it the server cannot decrypt the key when started by a service manager (no
//! terminal to prompt on) and SSL fails to load; with a command that does not support
//! reload, every reload fails to reload the key.

use crate::say;
use crate::findings::{Code, Finding};
use crate::checks::Context;
use crate::facts::Facts;

/// The PEM text is an encrypted private key (PKCS#8 or legacy OpenSSL encryption).
pub fn is_encrypted_key(pem: &[u8]) -> bool {
    let t = String::from_utf8_lossy(pem);
    t.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || t.contains("Proc-Type: 4,ENCRYPTED")
}

pub const CODES: &[Code] = &[Code::KeyPassphrase];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(f) = &facts.server else { return Vec::new() };
    let Some(key) = &f.key else { return Vec::new() };
    let Some(bytes) = &key.contents else { return Vec::new() };
    if !f.conf.ssl_on() || !is_encrypted_key(bytes) {
        return Vec::new();
    }
    let cmd = f.conf.get("ssl_passphrase_command").filter(|s| !s.value.is_empty());
    match cmd {
        None => vec![Finding::new(Code::KeyPassphrase).said(say!(
            "key-passphrase.no-command",
            path = key.path.display(),
            origin = &key.origin,
            configured = &key.configured
        ))],
        Some(c) => {
            let reload = f.conf.get("ssl_passphrase_command_supports_reload").and_then(|s| s.as_bool()).unwrap_or(false);
            if reload {
                return Vec::new();
            }
            vec![Finding::new(Code::KeyPassphrase)
                .severity(crate::findings::Severity::Warning)
                .said(say!("key-passphrase.no-reload", path = key.path.display(), location = c.location()))]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::config::testutil::{codes, facts, file};

    #[test]
    fn table() {
        let enc = b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMII\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nabc\n-----END RSA PRIVATE KEY-----\n";
        let plain = b"-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n";
        let table: [(&str, &[u8], &[&str]); 6] = [
            ("ssl = on", enc, &["key-passphrase"]),
            ("ssl = on", legacy, &["key-passphrase"]),
            ("ssl = on", plain, &[]),
            ("ssl = on\nssl_passphrase_command = '/bin/echo x'\nssl_passphrase_command_supports_reload = on", enc, &[]),
            ("ssl = on\nssl_passphrase_command = '/bin/echo x'", enc, &["key-passphrase"]),
            ("ssl = off", enc, &[]),
        ];
        for (conf, key, expected) in table {
            let mut f = facts(conf, "");
            f.server.as_mut().unwrap().key = Some(file("server.key", key, 0o600, 999));
            assert_eq!(codes(&check(&f, &Context::default())), expected, "{conf}");
        }
    }
}
