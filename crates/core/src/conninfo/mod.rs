//! Connection targets, parsed and resolved the way libpq does it.
//!
//! Most "TLS does not work" reports are really "the client did not use the settings I
//! thought it used": an `sslmode=prefer` that came from the compiled-in default, a
//! `PGSSLROOTCERT` left in a shell profile, a service file entry, a host that is really a
//! Unix socket (where libpq never starts TLS). pgtls therefore has to see a connection
//! target exactly as libpq (PostgreSQL 15–18) sees it, and remember where every value came
//! from, so a report can say "sslmode=prefer came from the default".
//!
//! Two steps, kept apart so the pure syntax can be checked without touching the machine:
//!
//! * [`parse`] turns what the user typed into a [`ConnInfo`]: a keyword/value string, a
//!   `postgresql://` URI, or (a pgtls convenience, like `openssl s_client -connect`) a bare
//!   `HOST[:PORT]`.
//! * [`resolve`] applies libpq's precedence (connection string, service file, `PG*`
//!   environment variables, compiled-in defaults, password file) through the [`Env`] trait,
//!   validates the values with libpq's own rules and messages, and yields a [`Resolved`].
//!
//! Error texts are libpq's own wording wherever libpq has one, so they can be matched
//! against what users paste from `psql`. Passwords never leave this module in clear text:
//! [`Secret`] prints as `********` in `Debug`, `Display` and JSON, and error messages that
//! libpq would print with the password in them are redacted.
//!
//! ```
//! use pgtls_core::conninfo::{parse, resolve, Env, FileInfo, Source, SslMode};
//!
//! /// An empty machine: no PG* variables, no files (`pgtls::conninfo::SystemEnv` is the real one).
//! struct Bare;
//! impl Env for Bare {
//!     fn var(&self, name: &str) -> Option<String> { (name == "USER").then(|| "app".into()) }
//!     fn home_dir(&self) -> Option<String> { Some("/home/app".into()) }
//!     fn read_file(&self, _: &str) -> std::io::Result<Vec<u8>> { Err(std::io::ErrorKind::NotFound.into()) }
//!     fn stat(&self, _: &str) -> Option<FileInfo> { None }
//! }
//!
//! let info = parse("postgresql://db.example:6432/shop?sslrootcert=system").unwrap();
//! let resolved = resolve(&info, &Bare).unwrap();
//! // sslrootcert=system makes libpq 16+ default to verify-full.
//! assert_eq!(resolved.sslmode.value, SslMode::VerifyFull);
//! assert_eq!(resolved.sslmode.source, Source::Default);
//! assert_eq!(resolved.hosts[0].sni.as_deref(), Some("db.example"));
//! assert_eq!(resolved.user.unwrap().value, "app");
//! ```

mod parse;
mod resolve;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

pub use parse::parse;
pub use resolve::{resolve, EmptyMachine, Env, FileInfo};
pub use crate::wire::{SslNegotiation, TlsVersion};

/// What a redacted secret prints as.
pub const REDACTED: &str = "********";

/// A password or other secret. Its `Debug`, `Display` and `Serialize` never show the value;
/// call [`Secret::expose`] where the clear text is really needed (e.g. to authenticate).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The clear text. Never log or print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

/// An environment seen as a Windows client would see it (`%APPDATA%\\postgresql\\…`), for
/// reasoning about a Windows machine's libpq from here.
pub struct WindowsEnv<'a>(pub &'a dyn Env);

impl Env for WindowsEnv<'_> {
    fn var(&self, name: &str) -> Option<String> {
        self.0.var(name)
    }
    fn home_dir(&self) -> Option<String> {
        self.0.home_dir()
    }
    fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.0.read_file(path)
    }
    fn stat(&self, path: &str) -> Option<FileInfo> {
        self.0.stat(path)
    }
    fn platform(&self) -> Platform {
        Platform::Windows
    }
}

/// Which syntax the target was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// `host=db port=5432 …`
    KeyValue,
    /// `postgresql://…` or `postgres://…`
    Uri,
    /// `HOST[:PORT]` or `[V6]:PORT` (pgtls only; libpq would reject it).
    HostPort,
}

/// A parsed connection target: the keywords the user gave, nothing resolved yet.
///
/// Keywords are libpq's canonical names (`requiressl` is already translated to `sslmode`,
/// URI `ssl=true` to `sslmode=require`); a later occurrence of a keyword replaces an
/// earlier one, as in libpq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnInfo {
    pub form: Form,
    values: BTreeMap<&'static str, String>,
    /// `password`, `sslpassword` and the other secret keywords (serialized as `********`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    secrets: BTreeMap<&'static str, Secret>,
    /// Every keyword given, secret or not, in the order of its first occurrence (an older
    /// libpq stops at the first keyword it does not know).
    #[serde(skip)]
    order: Vec<&'static str>,
}

impl ConnInfo {
    fn new(form: Form) -> ConnInfo {
        ConnInfo {
            form,
            values: BTreeMap::new(),
            secrets: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// The keywords given, in the order they first appear.
    pub fn given(&self) -> &[&'static str] {
        &self.order
    }

    /// Stores `value` under the canonical `keyword` (which must come from [`KEYWORDS`]).
    fn set(&mut self, keyword: &'static str, value: String) {
        if !self.order.contains(&keyword) {
            self.order.push(keyword);
        }
        if self::keyword(keyword).is_some_and(|k| k.secret) {
            self.secrets.insert(keyword, Secret(value));
        } else {
            self.values.insert(keyword, value);
        }
    }

    /// The value given for `keyword`; `None` when not given, and always `None` for secret
    /// keywords such as `password` (use [`ConnInfo::secret`]).
    pub fn get(&self, keyword: &str) -> Option<&str> {
        self.values.get(keyword).map(String::as_str)
    }

    /// The value of a secret keyword (`password`, `sslpassword`, …) if given.
    pub fn secret(&self, keyword: &str) -> Option<&Secret> {
        self.secrets.get(keyword)
    }

    pub fn password(&self) -> Option<&Secret> {
        self.secret("password")
    }

    /// All given non-secret keywords, in libpq's keyword order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        KEYWORDS
            .iter()
            .filter_map(|k| self.values.get(k.name).map(|v| (k.name, v.as_str())))
    }
}

/// A keyword/value string; the password (if any) shows as `********`.
impl fmt::Display for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for k in KEYWORDS {
            if self.secrets.contains_key(k.name) {
                write!(f, "{sep}{}={REDACTED}", k.name)?;
                sep = " ";
            } else if let Some(v) = self.values.get(k.name) {
                write!(f, "{sep}{}={}", k.name, quote_value(v))?;
                sep = " ";
            }
        }
        Ok(())
    }
}

/// Quotes a value for a keyword/value string the way libpq reads it back.
pub fn quote_value(v: &str) -> String {
    if !v.is_empty() && !v.chars().any(|c| c == '\'' || c == '\\' || is_c_space(c)) {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len() + 2);
    out.push('\'');
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// C `isspace` in the "C" locale, which is what libpq's parser uses.
pub(crate) fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// One libpq connection keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyword {
    pub name: &'static str,
    /// The environment variable libpq falls back to, if any.
    pub env: Option<&'static str>,
    /// libpq's compiled-in default, if any.
    pub default: Option<&'static str>,
    /// First libpq major version that knows the keyword (15 = "all versions pgtls cares about").
    pub since: u32,
    /// Secret value (never shown).
    pub secret: bool,
}

const fn kw(
    name: &'static str,
    env: Option<&'static str>,
    default: Option<&'static str>,
    since: u32,
) -> Keyword {
    Keyword {
        name,
        env,
        default,
        since,
        secret: false,
    }
}

const fn secret(name: &'static str, env: Option<&'static str>, since: u32) -> Keyword {
    Keyword {
        name,
        env,
        default: None,
        since,
        secret: true,
    }
}

/// libpq's keyword table (PostgreSQL 18), in libpq's order.
///
/// `gssencmode` defaults to `prefer` as in GSSAPI-enabled builds (Debian, RHEL, EDB);
/// `sslcertmode` gets its default (`allow`) during validation, as in libpq.
pub const KEYWORDS: &[Keyword] = &[
    kw("service", Some("PGSERVICE"), None, 15),
    kw("user", Some("PGUSER"), None, 15),
    secret("password", Some("PGPASSWORD"), 15),
    kw("passfile", Some("PGPASSFILE"), None, 15),
    kw(
        "channel_binding",
        Some("PGCHANNELBINDING"),
        Some("prefer"),
        15,
    ),
    kw("connect_timeout", Some("PGCONNECT_TIMEOUT"), None, 15),
    kw("dbname", Some("PGDATABASE"), None, 15),
    kw("host", Some("PGHOST"), None, 15),
    kw("hostaddr", Some("PGHOSTADDR"), None, 15),
    kw("port", Some("PGPORT"), Some("5432"), 15),
    kw("client_encoding", Some("PGCLIENTENCODING"), None, 15),
    kw("options", Some("PGOPTIONS"), Some(""), 15),
    kw("application_name", Some("PGAPPNAME"), None, 15),
    kw("fallback_application_name", None, None, 15),
    kw("keepalives", None, None, 15),
    kw("keepalives_idle", None, None, 15),
    kw("keepalives_interval", None, None, 15),
    kw("keepalives_count", None, None, 15),
    kw("tcp_user_timeout", None, None, 15),
    kw("sslmode", Some("PGSSLMODE"), Some("prefer"), 15),
    kw(
        "sslnegotiation",
        Some("PGSSLNEGOTIATION"),
        Some("postgres"),
        17,
    ),
    kw("sslcompression", Some("PGSSLCOMPRESSION"), Some("0"), 15),
    kw("sslcert", Some("PGSSLCERT"), None, 15),
    kw("sslkey", Some("PGSSLKEY"), None, 15),
    kw("sslcertmode", Some("PGSSLCERTMODE"), None, 16),
    secret("sslpassword", None, 15),
    kw("sslrootcert", Some("PGSSLROOTCERT"), None, 15),
    kw("sslcrl", Some("PGSSLCRL"), None, 15),
    kw("sslcrldir", Some("PGSSLCRLDIR"), None, 15),
    kw("sslsni", Some("PGSSLSNI"), Some("1"), 15),
    kw("requirepeer", Some("PGREQUIREPEER"), None, 15),
    kw("require_auth", Some("PGREQUIREAUTH"), None, 16),
    kw(
        "min_protocol_version",
        Some("PGMINPROTOCOLVERSION"),
        None,
        18,
    ),
    kw(
        "max_protocol_version",
        Some("PGMAXPROTOCOLVERSION"),
        None,
        18,
    ),
    kw(
        "ssl_min_protocol_version",
        Some("PGSSLMINPROTOCOLVERSION"),
        Some("TLSv1.2"),
        15,
    ),
    kw(
        "ssl_max_protocol_version",
        Some("PGSSLMAXPROTOCOLVERSION"),
        None,
        15,
    ),
    kw("gssencmode", Some("PGGSSENCMODE"), Some("prefer"), 15),
    kw("krbsrvname", Some("PGKRBSRVNAME"), Some("postgres"), 15),
    kw("gsslib", Some("PGGSSLIB"), None, 15),
    kw("gssdelegation", Some("PGGSSDELEGATION"), Some("0"), 16),
    kw("replication", None, None, 15),
    kw(
        "target_session_attrs",
        Some("PGTARGETSESSIONATTRS"),
        Some("any"),
        15,
    ),
    kw(
        "load_balance_hosts",
        Some("PGLOADBALANCEHOSTS"),
        Some("disable"),
        16,
    ),
    secret("scram_client_key", None, 18),
    secret("scram_server_key", None, 18),
    kw("oauth_issuer", None, None, 18),
    kw("oauth_client_id", None, None, 18),
    secret("oauth_client_secret", None, 18),
    kw("oauth_scope", None, None, 18),
    kw("sslkeylogfile", None, None, 18),
];

/// The keyword table entry for `name` (exact, case-sensitive, as libpq).
/// A connection target as the user wrote it, with every secret value masked (`********`):
/// for reports and error messages that echo the target. Works on text that does not parse,
/// too, since error paths echo exactly that: key=value secrets, a URI's `user:password@`, and
/// secret URI query parameters.
pub fn redact_target(target: &str) -> String {
    use std::sync::OnceLock;
    static RES: OnceLock<[regex::Regex; 3]> = OnceLock::new();
    let [kv, userinfo, query] = RES.get_or_init(|| {
        let names = KEYWORDS.iter().filter(|k| k.secret).map(|k| k.name).collect::<Vec<_>>().join("|");
        [
            regex::Regex::new(&format!(r#"(?i)\b({names})(\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s]*)"#)).expect("static regex"),
            regex::Regex::new(r"(://[^:/@?#\s]*:)[^@/?#\s]*@").expect("static regex"),
            regex::Regex::new(&format!(r"(?i)([?&](?:{names})=)[^&#\s]*")).expect("static regex"),
        ]
    });
    let t = target.trim_start();
    if t.starts_with("postgresql://") || t.starts_with("postgres://") {
        let s = userinfo.replace_all(target, format!("${{1}}{REDACTED}@"));
        query.replace_all(&s, format!("${{1}}{REDACTED}")).into_owned()
    } else {
        kv.replace_all(target, format!("${{1}}${{2}}{REDACTED}")).into_owned()
    }
}

pub fn keyword(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// Where a resolved value came from, in libpq's order of precedence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "from", rename_all = "kebab-case")]
pub enum Source {
    /// The connection string / URI / HOST:PORT given to pgtls.
    ConnString,
    /// A service file entry; the file's path.
    Service(String),
    /// An environment variable; its name.
    Env(String),
    /// The password file; its path.
    PassFile(String),
    /// libpq's compiled-in default (or a value libpq derives, like dbname = user).
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::ConnString => f.write_str("the connection string"),
            Source::Service(file) => write!(f, "the service file {file}"),
            Source::Env(var) => write!(f, "the environment variable {var}"),
            Source::PassFile(file) => write!(f, "the password file {file}"),
            Source::Default => f.write_str("the default"),
        }
    }
}

/// Where a setting the client uses came from: the command line, or where libpq's own rules
/// found it ([`Source`]). Saved with facts as its English words (as the facts format always
/// had it), read back into this type when they are loaded, so no check reads words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingSource {
    CommandLine,
    Libpq(Source),
}

impl SettingSource {
    /// Said in any language: file paths and variable names stay as they are.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            SettingSource::CommandLine => say!("source.command-line"),
            SettingSource::Libpq(Source::ConnString) => say!("source.connection-string"),
            SettingSource::Libpq(Source::Default) => say!("source.default"),
            SettingSource::Libpq(Source::Service(file)) => say!("source.service-file", file = file),
            SettingSource::Libpq(Source::Env(var)) => say!("source.environment", variable = var),
            SettingSource::Libpq(Source::PassFile(file)) => say!("source.password-file", file = file),
        }
    }

    /// `the connection string`, `the environment variable PGSSLMODE` … in `lang`.
    pub fn words(&self, lang: crate::findings::Lang) -> String {
        self.said().sentence(lang)
    }

    /// ` (from the connection string)` in `lang`, with the space English puts before it.
    pub fn from_words(&self, lang: crate::findings::Lang) -> String {
        use crate::findings::Lang;
        let w = self.words(lang);
        match lang {
            Lang::En => format!(" (from {w})"),
            Lang::Zh => format!("（来自{w}）"),
            Lang::Ja => format!("（{w}から）"),
        }
    }

    /// The English words back into the value (facts saved by any version); words no version
    /// wrote are an error naming them.
    fn parse_words(words: &str) -> Option<SettingSource> {
        Some(match words {
            "the command line" => SettingSource::CommandLine,
            "the connection string" => SettingSource::Libpq(Source::ConnString),
            "the default" => SettingSource::Libpq(Source::Default),
            _ => match (words.strip_prefix("the service file "), words.strip_prefix("the environment variable "), words.strip_prefix("the password file ")) {
                (Some(file), _, _) => SettingSource::Libpq(Source::Service(file.into())),
                (_, Some(var), _) => SettingSource::Libpq(Source::Env(var.into())),
                (_, _, Some(file)) => SettingSource::Libpq(Source::PassFile(file.into())),
                _ => return None,
            },
        })
    }
}

impl fmt::Display for SettingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingSource::CommandLine => f.write_str("the command line"),
            SettingSource::Libpq(s) => s.fmt(f),
        }
    }
}

impl Serialize for SettingSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SettingSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SettingSource, D::Error> {
        let words = String::deserialize(d)?;
        SettingSource::parse_words(&words).ok_or_else(|| serde::de::Error::custom(format!("unknown setting source {words:?}")))
    }
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Sourced<T> {
        Sourced { value, source }
    }

    /// Whether the value is libpq's default rather than something the user configured.
    pub fn is_default(&self) -> bool {
        self.source == Source::Default
    }
}

/// For which platform's libpq to resolve file locations and socket defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// Linux/BSD/macOS: `~/.postgresql/`, `~/.pgpass`, socket `/var/run/postgresql` (Debian).
    Unix,
    /// Windows: `%APPDATA%\postgresql\`, `pgpass.conf`, default host `localhost`.
    Windows,
}

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// libpq's spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            fn from_libpq(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                $name::from_libpq(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid value {s:?}")))
            }
        }
    };
}

str_enum!(
    /// `sslmode`, weakest first.
    SslMode {
        Disable = "disable",
        Allow = "allow",
        Prefer = "prefer",
        Require = "require",
        VerifyCa = "verify-ca",
        VerifyFull = "verify-full",
    }
);

impl SslMode {
    /// Parse libpq's spelling.
    pub fn parse(s: &str) -> Option<SslMode> {
        SslMode::from_libpq(s)
    }

    /// TLS is mandatory (no plaintext fallback).
    pub fn requires_tls(self) -> bool {
        self >= SslMode::Require
    }
}

impl std::str::FromStr for SslMode {
    type Err = String;
    /// libpq's own wording for a bad value.
    fn from_str(s: &str) -> Result<SslMode, String> {
        SslMode::parse(s).ok_or_else(|| format!("invalid sslmode value: \"{s}\""))
    }
}

str_enum!(
    /// `sslcertmode` (libpq 16+).
    SslCertMode { Disable = "disable", Allow = "allow", Require = "require" }
);

/// One host libpq would try, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostEntry {
    /// Host name, IP literal or socket directory; `None` when only `hostaddr` was given.
    pub host: Option<String>,
    /// Numeric address to connect to instead of resolving `host`.
    pub hostaddr: Option<String>,
    pub port: u16,
    /// A Unix-domain socket (host is an absolute path or starts with `@`, and no hostaddr).
    pub is_unix_socket: bool,
    /// Whether libpq would try TLS at all: never over a Unix socket, whatever sslmode says.
    pub tls_possible: bool,
    /// The TLS SNI name libpq would send: the host name when `sslsni=1` and the host is
    /// not an IP literal.
    pub sni: Option<String>,
    /// Password for this host (explicit, `PGPASSWORD` or the matching password file line).
    pub password: Option<Sourced<Secret>>,
}

/// The effective connection settings after applying libpq's precedence and validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub hosts: Vec<HostEntry>,
    /// Where the host/hostaddr list came from (`Default` = libpq's default host).
    pub host_source: Source,
    pub port_source: Source,
    /// `None` when no user was given and the OS user is unknown.
    pub user: Option<Sourced<String>>,
    pub dbname: Option<Sourced<String>>,
    pub sslmode: Sourced<SslMode>,
    pub sslnegotiation: Sourced<SslNegotiation>,
    /// Whether SNI is sent (libpq: value starts with `1`).
    pub sslsni: Sourced<bool>,
    pub sslcertmode: Sourced<SslCertMode>,
    pub ssl_min_protocol_version: Option<Sourced<TlsVersion>>,
    pub ssl_max_protocol_version: Option<Sourced<TlsVersion>>,
    /// `system` or a path; a `Default` source means libpq's `~/.postgresql/root.crt`.
    /// `None` only when libpq could not determine a home directory.
    pub sslrootcert: Option<Sourced<String>>,
    pub sslcert: Option<Sourced<String>>,
    pub sslkey: Option<Sourced<String>>,
    pub sslcrl: Option<Sourced<String>>,
    pub sslcrldir: Option<Sourced<String>>,
    pub sslpassword: Option<Sourced<Secret>>,
    /// Seconds; `None` means wait forever. Values below 2 are raised to 2 as in libpq.
    pub connect_timeout: Option<Sourced<u32>>,
    /// The service used, if any, and the file it was found in.
    pub service: Option<ServiceUse>,
    /// The password file libpq would read (it may not exist).
    pub passfile: Option<Sourced<String>>,
    /// Every other keyword with a value, raw, with its source (secrets excluded).
    pub settings: BTreeMap<&'static str, Sourced<String>>,
    /// Things libpq would print as warnings, or silently do, that a user should know.
    pub warnings: Vec<String>,
    /// The keywords of the connection string itself, in order, and its form (an older libpq
    /// rejects a keyword it does not know, with a message that depends on the form).
    pub given: Vec<&'static str>,
    pub form: Form,
}

/// A service file lookup that succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceUse {
    pub name: Sourced<String>,
    pub file: String,
}

impl Resolved {
    /// `sslrootcert=system`: verify against the system trust store (libpq 16+).
    pub fn uses_system_roots(&self) -> bool {
        self.sslrootcert
            .as_ref()
            .is_some_and(|s| s.value == "system")
    }
}

/// A keyword/value string of the effective settings; secrets show as `********`.
impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |items: Vec<String>| items.join(",");
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.hosts.iter().any(|h| h.host.is_some()) {
            pairs.push((
                "host",
                join(
                    self.hosts
                        .iter()
                        .map(|h| h.host.clone().unwrap_or_default())
                        .collect(),
                ),
            ));
        }
        if self.hosts.iter().any(|h| h.hostaddr.is_some()) {
            pairs.push((
                "hostaddr",
                join(
                    self.hosts
                        .iter()
                        .map(|h| h.hostaddr.clone().unwrap_or_default())
                        .collect(),
                ),
            ));
        }
        pairs.push((
            "port",
            join(self.hosts.iter().map(|h| h.port.to_string()).collect()),
        ));
        if let Some(u) = &self.user {
            pairs.push(("user", u.value.clone()));
        }
        if self.hosts.iter().any(|h| h.password.is_some()) {
            pairs.push(("password", REDACTED.to_string()));
        }
        if let Some(d) = &self.dbname {
            pairs.push(("dbname", d.value.clone()));
        }
        if let Some(s) = &self.service {
            pairs.push(("service", s.name.value.clone()));
        }
        if let Some(p) = self.passfile.as_ref().filter(|p| !p.is_default()) {
            pairs.push(("passfile", p.value.clone()));
        }
        pairs.push(("sslmode", self.sslmode.value.as_str().to_string()));
        pairs.push((
            "sslnegotiation",
            self.sslnegotiation.value.as_str().to_string(),
        ));
        pairs.push((
            "sslsni",
            if self.sslsni.value { "1" } else { "0" }.to_string(),
        ));
        pairs.push(("sslcertmode", self.sslcertmode.value.as_str().to_string()));
        for (name, v) in [
            ("ssl_min_protocol_version", &self.ssl_min_protocol_version),
            ("ssl_max_protocol_version", &self.ssl_max_protocol_version),
        ] {
            if let Some(v) = v {
                pairs.push((name, v.value.name()));
            }
        }
        for (name, v) in [
            ("sslrootcert", &self.sslrootcert),
            ("sslcert", &self.sslcert),
            ("sslkey", &self.sslkey),
            ("sslcrl", &self.sslcrl),
            ("sslcrldir", &self.sslcrldir),
        ] {
            if let Some(v) = v {
                pairs.push((name, v.value.clone()));
            }
        }
        if self.sslpassword.is_some() {
            pairs.push(("sslpassword", REDACTED.to_string()));
        }
        if let Some(t) = &self.connect_timeout {
            pairs.push(("connect_timeout", t.value.to_string()));
        }
        for (name, s) in &self.settings {
            pairs.push((name, s.value.clone()));
        }
        let text: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| {
                if v == REDACTED {
                    format!("{k}={v}")
                } else {
                    format!("{k}={}", quote_value(&v))
                }
            })
            .collect();
        f.write_str(&text.join(" "))
    }
}

/// Everything that can go wrong. The `Display` texts are libpq's own messages where libpq
/// has one (without the trailing newline); [`ConninfoError::hint`] says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConninfoError {
    #[error("missing \"=\" after \"{keyword}\" in connection info string")]
    MissingEquals { keyword: String },
    #[error("unterminated quoted string in connection info string")]
    UnterminatedQuote,
    #[error("invalid connection option \"{keyword}\"")]
    InvalidOption { keyword: String },
    #[error("invalid percent-encoded token: \"{token}\"")]
    InvalidPercentEncoding { token: String },
    #[error("forbidden value %00 in percent-encoded value: \"{token}\"")]
    PercentEncodedNul { token: String },
    #[error("percent-encoded value is not valid UTF-8: \"{token}\"")]
    PercentEncodedNotUtf8 { token: String },
    #[error("end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"{uri}\"")]
    UnterminatedIpv6 { uri: String },
    #[error("IPv6 host address may not be empty in URI: \"{uri}\"")]
    EmptyIpv6 { uri: String },
    #[error("unexpected character \"{ch}\" at position {position} in URI (expected \":\" or \"/\"): \"{uri}\"")]
    UnexpectedUriChar {
        ch: char,
        position: usize,
        uri: String,
    },
    #[error("invalid URI query parameter: \"{keyword}\"")]
    InvalidQueryParameter { keyword: String },
    #[error("extra key/value separator \"=\" in URI query parameter: \"{keyword}\"")]
    ExtraQuerySeparator { keyword: String },
    #[error("missing key/value separator \"=\" in URI query parameter: \"{keyword}\"")]
    MissingQuerySeparator { keyword: String },
    #[error("invalid target \"{target}\": {reason}")]
    InvalidHostPort {
        target: String,
        reason: HostPortProblem,
    },
    #[error("could not match {ports} port numbers to {hosts} hosts")]
    PortCount { ports: usize, hosts: usize },
    #[error("could not match {names} host names to {addrs} hostaddr values")]
    HostCount { names: usize, addrs: usize },
    #[error("invalid {keyword} value: \"{value}\"")]
    InvalidValue {
        keyword: &'static str,
        value: String,
    },
    #[error("invalid integer value \"{value}\" for connection option \"{keyword}\"")]
    InvalidInteger {
        keyword: &'static str,
        value: String,
    },
    #[error("invalid port number: \"{port}\"")]
    InvalidPort { port: String },
    #[error("could not parse network address \"{addr}\": not a numeric IPv4 or IPv6 address")]
    InvalidHostaddr { addr: String },
    #[error("invalid SSL protocol version range")]
    InvalidProtocolRange,
    #[error("weak sslmode \"{sslmode}\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")")]
    WeakSslModeDirect { sslmode: String },
    #[error("definition of service \"{service}\" not found")]
    ServiceNotFound { service: String },
    #[error("service file \"{file}\" not found")]
    ServiceFileUnreadable { file: String },
    #[error("line {line} too long in service file \"{file}\"")]
    ServiceLineTooLong { file: String, line: usize },
    #[error("syntax error in service file \"{file}\", line {line}")]
    ServiceSyntax { file: String, line: usize },
    #[error("nested service specifications not supported in service file \"{file}\", line {line}")]
    ServiceNested { file: String, line: usize },
}

/// What is wrong with a `HOST[:PORT]` target ([`ConninfoError::InvalidHostPort`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPortProblem {
    NoClosingBracket,
    EmptyIpv6,
    PortAfterBracket,
    NoHost,
    NoPort,
}

impl HostPortProblem {
    pub fn said(self) -> crate::findings::Message {
        use crate::say;
        match self {
            HostPortProblem::NoClosingBracket => say!("error.conninfo.host-port.no-closing-bracket"),
            HostPortProblem::EmptyIpv6 => say!("error.conninfo.host-port.empty-ipv6"),
            HostPortProblem::PortAfterBracket => say!("error.conninfo.host-port.port-after-bracket"),
            HostPortProblem::NoHost => say!("error.conninfo.host-port.no-host"),
            HostPortProblem::NoPort => say!("error.conninfo.host-port.no-port"),
        }
    }
}

impl fmt::Display for HostPortProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.said().sentence(crate::findings::Lang::En))
    }
}

impl ConninfoError {
    /// What to do about it, in one sentence (said in any language: [`ConninfoError::hint_said`]).
    pub fn hint(&self) -> String {
        self.hint_said().sentence(crate::findings::Lang::En)
    }

    /// The error as a message (its English is the `Display` text), for saying it in the
    /// user's language; quoted values, names and files stay as written.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        use ConninfoError::*;
        match self {
            MissingEquals { keyword } => say!("error.conninfo.missing-equals", keyword = keyword),
            UnterminatedQuote => say!("error.conninfo.unterminated-quote"),
            InvalidOption { keyword } => say!("error.conninfo.invalid-option", keyword = keyword),
            InvalidPercentEncoding { token } => say!("error.conninfo.invalid-percent", token = token),
            PercentEncodedNul { token } => say!("error.conninfo.percent-nul", token = token),
            PercentEncodedNotUtf8 { token } => say!("error.conninfo.percent-utf8", token = token),
            UnterminatedIpv6 { uri } => say!("error.conninfo.ipv6-unterminated", uri = uri),
            EmptyIpv6 { uri } => say!("error.conninfo.ipv6-empty", uri = uri),
            UnexpectedUriChar { ch, position, uri } => say!("error.conninfo.uri-char", ch = ch, position = position, uri = uri),
            InvalidQueryParameter { keyword } => say!("error.conninfo.query-parameter", keyword = keyword),
            ExtraQuerySeparator { keyword } => say!("error.conninfo.query-extra-separator", keyword = keyword),
            MissingQuerySeparator { keyword } => say!("error.conninfo.query-missing-separator", keyword = keyword),
            InvalidHostPort { target, reason } => say!("error.conninfo.host-port", target = target, reason = reason.said()),
            PortCount { ports, hosts } => say!("error.conninfo.port-count", ports = ports, hosts = hosts),
            HostCount { names, addrs } => say!("error.conninfo.host-count", names = names, addrs = addrs),
            InvalidValue { keyword, value } => say!("error.conninfo.invalid-value", keyword = keyword, value = value),
            InvalidInteger { keyword, value } => say!("error.conninfo.invalid-integer", keyword = keyword, value = value),
            InvalidPort { port } => say!("error.conninfo.invalid-port", port = port),
            InvalidHostaddr { addr } => say!("error.conninfo.invalid-hostaddr", addr = addr),
            InvalidProtocolRange => say!("error.conninfo.protocol-range"),
            WeakSslModeDirect { sslmode } => say!("error.conninfo.weak-sslmode-direct", sslmode = sslmode),
            ServiceNotFound { service } => say!("error.conninfo.service-not-found", service = service),
            ServiceFileUnreadable { file } => say!("error.conninfo.service-file-not-found", file = file),
            ServiceLineTooLong { file, line } => say!("error.conninfo.service-line-too-long", file = file, line = line),
            ServiceSyntax { file, line } => say!("error.conninfo.service-syntax", file = file, line = line),
            ServiceNested { file, line } => say!("error.conninfo.service-nested", file = file, line = line),
        }
    }

    /// What to do about it, as a message.
    pub fn hint_said(&self) -> crate::findings::Message {
        use crate::say;
        use ConninfoError::*;
        match self {
            MissingEquals { .. } | UnterminatedQuote => say!("hint.keyword-value"),
            InvalidOption { .. } | InvalidQueryParameter { .. } => say!("hint.spelling"),
            InvalidPercentEncoding { .. } | PercentEncodedNul { .. } | PercentEncodedNotUtf8 { .. } => say!("hint.percent"),
            UnterminatedIpv6 { .. } | EmptyIpv6 { .. } | UnexpectedUriChar { .. } => say!("hint.ipv6"),
            ExtraQuerySeparator { .. } | MissingQuerySeparator { .. } => say!("hint.uri-parameters"),
            InvalidHostPort { .. } => say!("hint.host-port"),
            PortCount { .. } => say!("hint.port-count"),
            HostCount { .. } => say!("hint.host-count"),
            InvalidValue { .. } | InvalidProtocolRange => say!("hint.values"),
            InvalidInteger { .. } | InvalidPort { .. } => say!("hint.number"),
            InvalidHostaddr { .. } => say!("hint.hostaddr"),
            WeakSslModeDirect { .. } => say!("hint.direct"),
            ServiceNotFound { .. } | ServiceFileUnreadable { .. } => say!("hint.service-name"),
            ServiceLineTooLong { .. } | ServiceSyntax { .. } | ServiceNested { .. } => say!("hint.service-file"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting's source is saved as the words it always was, read back into the same value,
    /// and said in English exactly as those words; words no version wrote are refused.
    #[test]
    fn setting_sources_round_trip_through_their_words() {
        use crate::findings::Lang;
        for s in [
            SettingSource::CommandLine,
            SettingSource::Libpq(Source::ConnString),
            SettingSource::Libpq(Source::Default),
            SettingSource::Libpq(Source::Service("/etc/pg_service.conf".into())),
            SettingSource::Libpq(Source::Env("PGSSLMODE".into())),
            SettingSource::Libpq(Source::PassFile("/root/.pgpass".into())),
        ] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<SettingSource>(&json).unwrap(), s);
            assert_eq!(s.words(Lang::En), s.to_string());
            assert_ne!(s.words(Lang::Zh), s.to_string());
        }
        assert!(serde_json::from_str::<SettingSource>("\"somewhere\"").is_err());
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        let shown = format!(
            "{s} {s:?} {}",
            serde_json::to_string(&s).unwrap_or_default()
        );
        assert_eq!(shown, r#"******** ******** "********""#);
        assert_eq!(s.expose(), "hunter2");
    }

    /// `quote_value` output must read back as the same value.
    fn check(value: &str, expected: &str) {
        assert_eq!(quote_value(value), expected);
        let info = parse(&format!("application_name={expected}"))
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert_eq!(info.get("application_name"), Some(value));
    }

    #[test]
    fn quoting_round_trips() {
        check("plain", "plain");
        check("", "''");
        check("a b", "'a b'");
        check("it's", r"'it\'s'");
        check(r"back\slash", r"'back\\slash'");
        check("tab\there", "'tab\there'");
        check("é", "é");
    }

    #[test]
    fn keyword_table_is_consistent() {
        for (i, k) in KEYWORDS.iter().enumerate() {
            assert!(
                KEYWORDS[i + 1..].iter().all(|o| o.name != k.name),
                "duplicate {}",
                k.name
            );
            assert!((15..=18).contains(&k.since), "{}", k.name);
        }
        let secrets: Vec<_> = KEYWORDS
            .iter()
            .filter(|k| k.secret)
            .map(|k| k.name)
            .collect();
        assert_eq!(
            secrets,
            [
                "password",
                "sslpassword",
                "scram_client_key",
                "scram_server_key",
                "oauth_client_secret"
            ]
        );
        assert_eq!(keyword("sslnegotiation").map(|k| k.since), Some(17));
        assert!(
            keyword("requiressl").is_none(),
            "requiressl is translated, not stored"
        );
    }

    #[test]
    fn source_texts() {
        assert_eq!(Source::Default.to_string(), "the default");
        assert_eq!(
            Source::Env("PGSSLMODE".into()).to_string(),
            "the environment variable PGSSLMODE"
        );
        assert_eq!(
            serde_json::to_string(&Source::Service("/s".into())).unwrap_or_default(),
            r#"{"kind":"service","from":"/s"}"#
        );
    }
}
