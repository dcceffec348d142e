//! pgJDBC connection URLs, described in libpq terms.
//!
//! Java applications configure TLS with URL parameters whose defaults differ from libpq:
//! `ssl=true` alone means verify-full (pgJDBC 42.2.5 and later), the default root
//! certificate is `~/.postgresql/root.crt` like libpq but the default key is a PKCS#8
//! `postgresql.pk8`, and `sslfactory=org.postgresql.ssl.NonValidatingFactory` quietly
//! switches validation off. Translating a URL into a [`ClientTlsSettings`] makes those
//! differences visible. `sslpassword` and `password` are secrets: they are never kept.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::client::{ClientTlsSettings, SslMode, TrustSource};

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JdbcError {
    #[error("not a PostgreSQL JDBC URL (it must start with \"jdbc:postgresql:\"): {0}")]
    Scheme(String),
    #[error("invalid host or port {0:?} in JDBC URL; write host:port, [ipv6]:port, separated by commas")]
    Host(String),
    #[error("invalid sslmode value {0:?} in JDBC URL; use disable, allow, prefer, require, verify-ca or verify-full")]
    SslMode(String),
    #[error("invalid percent-encoding in JDBC URL parameter {0:?}")]
    Encoding(String),
}

impl JdbcError {
    /// The error as a message (its English is the `Display` text).
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            JdbcError::Scheme(url) => say!("error.jdbc.scheme", url = url),
            JdbcError::Host(v) => say!("error.jdbc.host", value = format!("{v:?}")),
            JdbcError::SslMode(v) => say!("error.jdbc.sslmode", value = format!("{v:?}")),
            JdbcError::Encoding(v) => say!("error.jdbc.encoding", value = format!("{v:?}")),
        }
    }
}

pub const NON_VALIDATING_FACTORY: &str = "org.postgresql.ssl.NonValidatingFactory";
pub const DEFAULT_JAVA_FACTORY: &str = "org.postgresql.ssl.DefaultJavaSSLFactory";
pub const LIBPQ_FACTORY: &str = "org.postgresql.ssl.LibPQFactory";

const SECRET_PARAMS: [&str; 2] = ["password", "sslpassword"];

/// A parsed `jdbc:postgresql:` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JdbcUrl {
    /// `(host, port)` in order (pgJDBC defaults: localhost, 5432).
    pub hosts: Vec<(String, u16)>,
    pub database: String,
    /// Query parameters in order, percent-decoded; secrets are left out.
    pub params: Vec<(String, String)>,
    /// Secret parameters present (names only).
    pub secrets_present: Vec<String>,
}

impl JdbcUrl {
    pub fn parse(url: &str) -> Result<JdbcUrl, JdbcError> {
        let url = url.trim();
        let rest = url
            .strip_prefix("jdbc:postgresql:")
            .ok_or_else(|| JdbcError::Scheme(redact(url)))?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let mut hosts = Vec::new();
        let database;
        if let Some(after) = main.strip_prefix("//") {
            let (hostpart, db) = after.split_once('/').unwrap_or((after, ""));
            for h in hostpart.split(',') {
                hosts.push(parse_host(h)?);
            }
            database = decode(db)?;
        } else {
            hosts.push(("localhost".into(), 5432));
            database = decode(main.trim_start_matches('/'))?;
        }
        let mut params = Vec::new();
        let mut secrets_present = Vec::new();
        for kv in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let k = decode(k)?;
            if SECRET_PARAMS.contains(&k.as_str()) {
                secrets_present.push(k);
                continue;
            }
            params.push((k, decode(v)?));
        }
        Ok(JdbcUrl { hosts, database, params, secrets_present })
    }

    /// The last value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// pgJDBC's effective sslmode: `sslmode` if given; else `ssl=true` (or a bare `ssl`)
    /// means verify-full; else prefer.
    pub fn sslmode(&self) -> Result<SslMode, JdbcError> {
        match self.param("sslmode") {
            Some(m) => SslMode::parse(m).ok_or_else(|| JdbcError::SslMode(m.to_string())),
            None => Ok(match self.param("ssl") {
                Some(v) if v.is_empty() || v.eq_ignore_ascii_case("true") => SslMode::VerifyFull,
                _ => SslMode::Prefer,
            }),
        }
    }

    /// The TLS settings; `home` is the user's home directory for pgJDBC's defaults
    /// (`~/.postgresql/root.crt`, `postgresql.crt`, `postgresql.pk8`).
    pub fn tls_settings(&self, home: Option<&Path>) -> Result<ClientTlsSettings, JdbcError> {
        let mode = self.sslmode()?;
        let dot = home.map(|h| h.join(".postgresql")).unwrap_or_else(|| PathBuf::from("~/.postgresql"));
        let mut notes = Vec::new();
        let mut origins = Vec::new();
        for k in ["ssl", "sslmode", "sslfactory", "sslrootcert", "sslcert", "sslkey", "sslhostnameverifier"] {
            if self.param(k).is_some() {
                origins.push((k.to_string(), crate::say!("note.jdbc.url-parameter", name = k).sentence(crate::findings::Lang::En)));
            }
        }
        if self.param("sslmode").is_none() && self.param("ssl").is_some_and(|v| v.is_empty() || v.eq_ignore_ascii_case("true")) {
            notes.push(crate::say!("note.jdbc.ssl-true").sentence(crate::findings::Lang::En));
        }
        let factory = self.param("sslfactory").unwrap_or(LIBPQ_FACTORY);
        let verifying_mode = mode >= SslMode::VerifyCa;
        let (verifies_server, trust) = match factory {
            NON_VALIDATING_FACTORY => {
                if mode != SslMode::Disable {
                    notes.push(crate::say!("note.jdbc.non-validating").sentence(crate::findings::Lang::En));
                }
                (false, vec![])
            }
            DEFAULT_JAVA_FACTORY => (verifying_mode, vec![TrustSource::JavaDefault]),
            LIBPQ_FACTORY if verifying_mode => {
                let root = self.param("sslrootcert").map(PathBuf::from).unwrap_or_else(|| dot.join("root.crt"));
                if self.param("sslrootcert").is_none() {
                    origins.push(("sslrootcert".into(), crate::say!("note.jdbc.default").sentence(crate::findings::Lang::En)));
                }
                (true, vec![TrustSource::File(root)])
            }
            LIBPQ_FACTORY => (false, vec![]),
            other => {
                notes.push(crate::say!("note.jdbc.custom-factory", factory = other).sentence(crate::findings::Lang::En));
                (verifying_mode, vec![TrustSource::Custom(other.to_string())])
            }
        };
        let checks_hostname = if self.param("sslhostnameverifier").is_some() {
            notes.push(crate::say!("note.jdbc.custom-verifier").sentence(crate::findings::Lang::En));
            None
        } else {
            Some(mode == SslMode::VerifyFull)
        };
        let client_cert = Some(self.param("sslcert").map(PathBuf::from).unwrap_or_else(|| dot.join("postgresql.crt")));
        let client_key = Some(self.param("sslkey").map(PathBuf::from).unwrap_or_else(|| dot.join("postgresql.pk8")));
        if self.param("sslkey").is_none() {
            notes.push(crate::say!("note.jdbc.pk8").sentence(crate::findings::Lang::En));
        }
        if self.secrets_present.iter().any(|s| s == "sslpassword") {
            notes.push(crate::say!("note.jdbc.sslpassword").sentence(crate::findings::Lang::En));
        }
        Ok(ClientTlsSettings {
            source: "JDBC URL".into(),
            mode,
            verifies_server: verifies_server && mode != SslMode::Disable,
            checks_hostname: if mode == SslMode::Disable { Some(false) } else { checks_hostname },
            trust,
            client_cert: if mode == SslMode::Disable { None } else { client_cert },
            client_key: if mode == SslMode::Disable { None } else { client_key },
            min_version: None,
            max_version: None,
            origins,
            notes,
        })
    }
}

fn parse_host(h: &str) -> Result<(String, u16), JdbcError> {
    let bad = || JdbcError::Host(h.to_string());
    if h.is_empty() {
        return Ok(("localhost".into(), 5432));
    }
    let (host, port) = if let Some(r) = h.strip_prefix('[') {
        let (host, after) = r.split_once(']').ok_or_else(bad)?;
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err(bad()),
        }
    } else {
        match h.rsplit_once(':') {
            Some((host, p)) if !host.contains(':') => (host, Some(p)),
            Some(_) => return Err(bad()),
            None => (h, None),
        }
    };
    let port = match port {
        None | Some("") => 5432,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)?,
    };
    if host.is_empty() {
        return Err(bad());
    }
    Ok((host.to_string(), port))
}

fn decode(s: &str) -> Result<String, JdbcError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let v = hex.and_then(|h| u8::from_str_radix(h, 16).ok()).ok_or_else(|| JdbcError::Encoding(redact(s)))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A query parameter name (as written, percent-encoding and all) that names a secret, the
/// way [`JdbcUrl::parse`] decodes it: `pass%77ord` is `password`.
pub fn is_secret_key(raw: &str) -> bool {
    SECRET_PARAMS.contains(&raw) || decode(raw).is_ok_and(|k| SECRET_PARAMS.contains(&k.as_str()))
}

/// A URL with secret parameter values replaced, for error messages.
pub fn redact(url: &str) -> String {
    let Some((head, query)) = url.split_once('?') else { return url.to_string() };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if is_secret_key(k) => format!("{k}=***"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{head}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the jdbc_url fuzz target: a secret parameter whose name is percent-encoded
    /// (`pass%77ord`) is a password to pgJDBC's parser, so redaction must hide it too.
    #[test]
    fn redact_hides_percent_encoded_secret_names() {
        let red = redact("jdbc:postgresql://h/db?user=u&pass%77ord=hunter2&sslpassword=k");
        assert!(!red.contains("hunter2") && !red.contains("=k"), "{red}");
        assert!(JdbcUrl::parse("jdbc:postgresql://h/db?pass%77ord=hunter2").unwrap().secrets_present == ["password"]);
    }

    #[test]
    fn url_forms() {
        let u = JdbcUrl::parse("jdbc:postgresql://db1:6432,[::1],db3:/app%20db?ssl=true&sslrootcert=/ca.pem").unwrap();
        assert_eq!(u.hosts, vec![("db1".into(), 6432), ("::1".into(), 5432), ("db3".into(), 5432)]);
        assert_eq!(u.database, "app db");
        assert_eq!(u.param("sslrootcert"), Some("/ca.pem"));
        let u = JdbcUrl::parse("jdbc:postgresql:mydb").unwrap();
        assert_eq!((u.hosts[0].0.as_str(), u.database.as_str()), ("localhost", "mydb"));
        let bad = ["jdbc:mysql://x/db", "jdbc:postgresql://h:99999/db", "jdbc:postgresql://[::1/db", "jdbc:postgresql://h/db?a=%zz"];
        for b in bad {
            assert!(JdbcUrl::parse(b).is_err(), "{b}");
        }
    }

    #[test]
    fn secrets_are_never_kept_or_printed() {
        let url = "jdbc:postgresql://h/db?sslpassword=hunter2&password=s3cret&sslmode=require";
        let u = JdbcUrl::parse(url).unwrap();
        let dbg = format!("{u:?} {:?}", u.tls_settings(None).unwrap());
        assert!(!dbg.contains("hunter2") && !dbg.contains("s3cret"), "{dbg}");
        assert_eq!(u.secrets_present, ["sslpassword", "password"]);
        let e = JdbcUrl::parse("jdbc:mysql://h/db?sslpassword=hunter2").unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn pgjdbc_semantics_table() {
        let home = Path::new("/home/app");
        // (query, mode, verifies_server, checks_hostname, trust)
        type Row<'a> = (&'a str, SslMode, bool, Option<bool>, Vec<TrustSource>);
        let table: &[Row] = &[
            ("", SslMode::Prefer, false, Some(false), vec![]),
            ("ssl=true", SslMode::VerifyFull, true, Some(true), vec![TrustSource::File("/home/app/.postgresql/root.crt".into())]),
            ("ssl", SslMode::VerifyFull, true, Some(true), vec![TrustSource::File("/home/app/.postgresql/root.crt".into())]),
            ("ssl=false", SslMode::Prefer, false, Some(false), vec![]),
            ("ssl=true&sslmode=require", SslMode::Require, false, Some(false), vec![]),
            ("sslmode=verify-ca&sslrootcert=/ca.pem", SslMode::VerifyCa, true, Some(false), vec![TrustSource::File("/ca.pem".into())]),
            ("ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory", SslMode::VerifyFull, false, Some(true), vec![]),
            ("sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", SslMode::VerifyFull, true, Some(true), vec![TrustSource::JavaDefault]),
            ("sslmode=verify-full&sslhostnameverifier=com.x.V", SslMode::VerifyFull, true, None, vec![TrustSource::File("/home/app/.postgresql/root.crt".into())]),
            ("sslmode=disable", SslMode::Disable, false, Some(false), vec![]),
        ];
        for (q, mode, verifies, host, trust) in table {
            let u = JdbcUrl::parse(&format!("jdbc:postgresql://h/db?{q}")).unwrap();
            let s = u.tls_settings(Some(home)).unwrap();
            assert_eq!((s.mode, s.verifies_server, s.checks_hostname, &s.trust), (*mode, *verifies, *host, trust), "{q}");
        }
        let u = JdbcUrl::parse("jdbc:postgresql://h/db?sslmode=verify-all").unwrap();
        assert!(matches!(u.tls_settings(None), Err(JdbcError::SslMode(_))));
        let s = JdbcUrl::parse("jdbc:postgresql://h/db?sslmode=require&sslcert=/c.crt").unwrap().tls_settings(Some(home)).unwrap();
        assert_eq!(s.client_cert, Some(PathBuf::from("/c.crt")));
        assert_eq!(s.client_key, Some(PathBuf::from("/home/app/.postgresql/postgresql.pk8")));
    }
}
