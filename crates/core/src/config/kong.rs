//! kong.conf: Kong gateway's PostgreSQL TLS settings, in libpq terms.
//!
//! Kong talks to PostgreSQL through its own driver, configured by `pg_ssl*` and
//! `lua_ssl_*` keys that can be overridden by `KONG_*` environment variables. Most Kong
//! "certificate verify failed" and "connection requires a valid client certificate"
//! reports come from a mismatch between those keys and the server, so this module reads
//! them (remembering where each value came from) and describes them as a
//! [`ClientTlsSettings`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::client::{ClientTlsSettings, SslMode, TlsVersion, TrustSource};
use super::Files;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KongError {
    #[error("{file}:{line}: {message}")]
    Line { file: PathBuf, line: u32, message: String },
    #[error("could not read Kong configuration \"{file}\": {reason}; check the path (default /etc/kong/kong.conf)")]
    Unreadable { file: PathBuf, reason: String },
    #[error("{origin}: invalid value {value:?} for {key}: {expected}")]
    Value { origin: String, key: String, value: String, expected: String },
}

impl KongError {
    /// The error as a message (its English is the `Display` text); Kong's words about a line
    /// and the values it expects stay as written.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            KongError::Line { file, line, message } => say!("error.file-line", file = file.display(), line = line, message = message),
            KongError::Unreadable { file, reason } => say!("error.kong.unreadable", file = file.display(), reason = reason),
            KongError::Value { origin, key, value, expected } => say!("error.kong.value", origin = origin, value = format!("{value:?}"), key = key, expected = expected),
        }
    }
}

/// One value and where it came from (`file:line` or `KONG_PG_SSL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KongValue {
    pub value: String,
    pub origin: String,
}

/// Keys this module interprets.
pub const TLS_KEYS: [&str; 8] = [
    "pg_ssl",
    "pg_ssl_required",
    "pg_ssl_verify",
    "pg_ssl_version",
    "pg_ssl_cert",
    "pg_ssl_cert_key",
    "lua_ssl_trusted_certificate",
    "lua_ssl_verify_depth",
];

/// A parsed kong.conf plus environment overrides.
#[derive(Debug, Clone, Default)]
pub struct KongConf {
    pub values: BTreeMap<String, KongValue>,
}

impl KongConf {
    pub fn load(path: &Path, files: &dyn Files) -> Result<KongConf, KongError> {
        let text = files.read_text(path)
            .map_err(|e| KongError::Unreadable { file: path.to_path_buf(), reason: e.to_string() })?;
        Self::parse_str(&text, path)
    }

    /// Lines are `key = value`; `#` starts a comment unless escaped as `\#` or inside
    /// quotes; a value wrapped in matching quotes loses them.
    pub fn parse_str(text: &str, file: &Path) -> Result<KongConf, KongError> {
        let mut values = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i as u32 + 1;
            let stripped = strip_comment(raw);
            let t = stripped.trim();
            if t.is_empty() {
                continue;
            }
            let Some((k, v)) = t.split_once('=') else {
                return Err(KongError::Line {
                    file: file.to_path_buf(),
                    line,
                    message: format!("expected \"key = value\", found {t:?}"),
                });
            };
            let key = k.trim().to_ascii_lowercase();
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(KongError::Line {
                    file: file.to_path_buf(),
                    line,
                    message: format!("invalid key {:?}", k.trim()),
                });
            }
            let value = unquote(v.trim()).replace("\\#", "#");
            values.insert(key, KongValue { value, origin: format!("{}:{}", file.display(), line) });
        }
        Ok(KongConf { values })
    }

    /// Apply `KONG_<KEY>` overrides (Kong gives the environment precedence over the file).
    pub fn with_env<I, K, V>(mut self, env: I) -> KongConf
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (k, v) in env {
            if let Some(key) = k.as_ref().strip_prefix("KONG_") {
                let key = key.to_ascii_lowercase();
                if !key.is_empty() {
                    self.values.insert(key, KongValue { value: v.as_ref().trim().to_string(), origin: k.as_ref().to_string() });
                }
            }
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&KongValue> {
        self.values.get(key)
    }

    fn bool(&self, key: &str) -> Result<bool, KongError> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => match v.value.to_ascii_lowercase().as_str() {
                "on" | "true" => Ok(true),
                "off" | "false" | "" => Ok(false),
                _ => Err(KongError::Value {
                    origin: v.origin.clone(),
                    key: key.into(),
                    value: v.value.clone(),
                    expected: "on/off or true/false".into(),
                }),
            },
        }
    }

    /// The `lua_ssl_trusted_certificate` list; `None` when unset.
    pub fn trusted_certificates(&self) -> Option<Vec<String>> {
        self.get("lua_ssl_trusted_certificate").map(|v| {
            v.value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        })
    }

    /// The database TLS settings in libpq terms. Unset keys take Kong's defaults
    /// (pg_ssl off, pg_ssl_required off, pg_ssl_verify off, pg_ssl_version tlsv1_2,
    /// lua_ssl_verify_depth 1).
    pub fn tls_settings(&self) -> Result<ClientTlsSettings, KongError> {
        let ssl = self.bool("pg_ssl")?;
        let required = self.bool("pg_ssl_required")?;
        let verify = self.bool("pg_ssl_verify")?;
        let mut notes = Vec::new();
        let origins: Vec<(String, String)> = TLS_KEYS
            .iter()
            .filter_map(|k| self.get(k).map(|v| (k.to_string(), v.origin.clone())))
            .collect();
        let min_version = match self.get("pg_ssl_version") {
            None => Some(TlsVersion::TLSv1_2),
            Some(v) => match v.value.to_ascii_lowercase().as_str() {
                "tlsv1_1" => Some(TlsVersion::TLSv1_1),
                "tlsv1_2" => Some(TlsVersion::TLSv1_2),
                "tlsv1_3" => Some(TlsVersion::TLSv1_3),
                "any" => None,
                _ => {
                    return Err(KongError::Value {
                        origin: v.origin.clone(),
                        key: "pg_ssl_version".into(),
                        value: v.value.clone(),
                        expected: "tlsv1_1, tlsv1_2, tlsv1_3 or any".into(),
                    })
                }
            },
        };
        let mode = match (ssl, required, verify) {
            (false, _, _) => SslMode::Disable,
            (true, false, _) => SslMode::Prefer,
            (true, true, false) => SslMode::Require,
            (true, true, true) => SslMode::VerifyCa,
        };
        if ssl && !required {
            notes.push(crate::say!("note.kong.not-required").sentence(crate::findings::Lang::En));
        }
        if !ssl && (required || verify) {
            notes.push(crate::say!("note.kong.ssl-off").sentence(crate::findings::Lang::En));
        }
        let trust = match self.trusted_certificates() {
            None => {
                notes.push(crate::say!("note.kong.trusted-unset").sentence(crate::findings::Lang::En));
                vec![]
            }
            Some(list) if list.is_empty() => vec![],
            Some(list) if list.iter().all(|s| s == "system") => vec![TrustSource::System { ssl_cert_file: None }],
            Some(list) => {
                if list.iter().any(|s| s == "system") {
                    notes.push(crate::say!("note.kong.trusted-mixed").sentence(crate::findings::Lang::En));
                }
                list.into_iter().filter(|s| s != "system").map(|s| TrustSource::File(PathBuf::from(s))).collect()
            }
        };
        if ssl && verify {
            notes.push(crate::say!("note.kong.no-hostname").sentence(crate::findings::Lang::En));
        }
        if verify {
            let depth = self.get("lua_ssl_verify_depth").and_then(|v| v.value.parse::<u32>().ok()).unwrap_or(1);
            notes.push(crate::say!("note.kong.verify-depth", depth = depth).sentence(crate::findings::Lang::En));
        }
        Ok(ClientTlsSettings {
            source: "kong.conf".into(),
            mode,
            verifies_server: ssl && verify,
            checks_hostname: Some(false),
            trust,
            client_cert: self.get("pg_ssl_cert").filter(|v| !v.value.is_empty()).map(|v| PathBuf::from(&v.value)),
            client_key: self.get("pg_ssl_cert_key").filter(|v| !v.value.is_empty()).map(|v| PathBuf::from(&v.value)),
            min_version: if ssl { min_version } else { None },
            max_version: None,
            origins,
            notes,
        })
    }
}

fn strip_comment(line: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut prev_backslash = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '#') if !prev_backslash => break,
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        prev_backslash = c == '\\';
        out.push(c);
    }
    out
}

fn unquote(v: &str) -> String {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> KongConf {
        KongConf::parse_str(text, Path::new("/etc/kong/kong.conf")).unwrap()
    }

    #[test]
    fn parses_values_comments_quotes() {
        let c = conf("# comment\npg_ssl = on   # inline\n pg_ssl_cert = \"/certs/client.crt\"\npg_password = a\\#b\nlua_ssl_trusted_certificate = /a.pem, system\n");
        assert_eq!(c.get("pg_ssl").unwrap().value, "on");
        assert_eq!(c.get("pg_ssl").unwrap().origin, "/etc/kong/kong.conf:2");
        assert_eq!(c.get("pg_ssl_cert").unwrap().value, "/certs/client.crt");
        assert_eq!(c.get("pg_password").unwrap().value, "a#b");
        assert_eq!(c.trusted_certificates().unwrap(), ["/a.pem", "system"]);
        let e = KongConf::parse_str("\npg_ssl on\n", Path::new("k.conf")).unwrap_err().to_string();
        assert!(e.starts_with("k.conf:2: expected"), "{e}");
    }

    #[test]
    fn env_overrides_file() {
        let c = conf("pg_ssl = off\n").with_env([("KONG_PG_SSL", "on"), ("PATH", "/bin"), ("KONG_PG_SSL_VERIFY", "true")]);
        let s = c.tls_settings().unwrap();
        assert_eq!(s.mode, SslMode::Prefer);
        assert!(s.verifies_server);
        assert_eq!(s.origin("pg_ssl"), Some("KONG_PG_SSL"));
    }

    #[test]
    fn mode_table() {
        let table = [
            ("", SslMode::Disable, false),
            ("pg_ssl = on", SslMode::Prefer, false),
            ("pg_ssl = on\npg_ssl_required = on", SslMode::Require, false),
            ("pg_ssl = on\npg_ssl_required = on\npg_ssl_verify = on", SslMode::VerifyCa, true),
            ("pg_ssl = off\npg_ssl_verify = on", SslMode::Disable, false),
        ];
        for (text, mode, verifies) in table {
            let s = conf(text).tls_settings().unwrap();
            assert_eq!((s.mode, s.verifies_server), (mode, verifies), "{text}");
        }
    }

    #[test]
    fn versions_trust_and_errors() {
        let s = conf("pg_ssl = on\npg_ssl_version = any\nlua_ssl_trusted_certificate = system\npg_ssl_cert = /c.crt\npg_ssl_cert_key = /c.key").tls_settings().unwrap();
        assert_eq!(s.min_version, None);
        assert_eq!(s.trust, vec![TrustSource::System { ssl_cert_file: None }]);
        assert_eq!(s.client_cert, Some(PathBuf::from("/c.crt")));
        let s = conf("pg_ssl = on\npg_ssl_version = tlsv1_3\nlua_ssl_trusted_certificate = /ca.pem").tls_settings().unwrap();
        assert_eq!(s.min_version, Some(TlsVersion::TLSv1_3));
        assert_eq!(s.trust, vec![TrustSource::File("/ca.pem".into())]);
        let e = conf("pg_ssl = maybe").tls_settings().unwrap_err().to_string();
        assert!(e.contains("/etc/kong/kong.conf:1") && e.contains("pg_ssl"), "{e}");
        let e = conf("pg_ssl_version = tls1.2").tls_settings().unwrap_err().to_string();
        assert!(e.contains("tlsv1_1, tlsv1_2"), "{e}");
    }
}
