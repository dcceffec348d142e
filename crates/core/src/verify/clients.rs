//! What each client stack does with the same server chain: libpq is one client among many.
//!
//! Client libraries disagree on exactly the points that break connections: which trusted
//! certificates end a path (a pinned intermediate or leaf is accepted by Java, Go and Python
//! 3.13 and refused by libpq), whether a certificate without subjectAltName still matches by
//! its common name, what `require` checks when a root file is given, how deep a chain may be,
//! whether an X.509 v1 certificate is acceptable. Each stack here is a small model: data (a
//! [`Model`]: anchors, host-name rule, v1 rule, defaults, where the facts come from) plus the
//! one function that turns its settings into checks ([`checks`]). The chain itself is judged by
//! the same path builder as libpq's verdict ([`super::build_paths`]) with the stack's anchor
//! rule, so a difference between stacks is always one named rule, never a second verifier.
//!
//! libpq and psycopg (which bundles libpq) are answered by the libpq model itself
//! ([`super::libpq`]); the others by [`predict`]. Every modelled fact names its source in
//! [`Model::sources`] (a file of the library at a version, or its documentation), and
//! `tests/it/clients.rs` checks the predictions against the real libraries.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::libpq::SslMode;
use super::{build_paths, Anchors, Options, PathFailure};
use crate::gathered::probe::ProbeTarget;
use crate::profile::{ClientProfile, RootCert};
use crate::gathered::trust::{RootTrust, TrustSource, TrustStore};
use crate::findings::Lang;
use crate::say;
use crate::x509::Cert;

pub use super::libpq::ServerSide;

pub use crate::stack::{variants, Stack, StackChoice};

/// A stack's model: the stacks' names live in the core, their models here.
pub trait StackModel {
    /// The model of this stack.
    fn model(self) -> &'static Model;
}

impl StackModel for Stack {
    fn model(self) -> &'static Model {
        MODELS.iter().find(|m| m.stack == self).expect("every stack has a model")
    }
}

/// How a stack matches the host name against the server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NameRule {
    /// libpq: SANs of the host's kind (DNS or IP); the CN only when the certificate has no SAN
    /// of that kind.
    Libpq,
    /// DNS host: DNS SANs, the CN only when there is no DNS SAN; IP host: IP SANs only
    /// (OpenSSL `X509_check_host`/`X509_check_ip`, Node's `checkServerIdentity`, pgJDBC).
    SanThenCn,
    /// SANs only, never the CN (Go ≥ 1.15, webpki).
    SanOnly,
}

/// One client stack's documented behaviour.
#[derive(Debug, Serialize)]
pub struct Model {
    pub stack: Stack,
    /// Library and version the model describes.
    pub library: &'static str,
    /// Which trusted certificates end a path.
    pub anchors: Anchors,
    pub names: NameRule,
    /// An X.509 v1 server certificate is accepted.
    pub v1_leaf: bool,
    /// The trust anchor's own dates are checked (not by Java's PKIX).
    pub anchor_validity: bool,
    /// Which error the stack reports when several checks fail.
    pub order: ErrorOrder,
    /// With `prefer`, a failed TLS handshake is retried without TLS (libpq, pgx: pgconn's
    /// fallback list); the others retry only when the server refuses TLS (pgJDBC, Kong) or on
    /// an authorization error (asyncpg), or not at all (node-postgres, tokio-postgres).
    pub plaintext_retry: bool,
    /// Where the roots come from when none is configured.
    pub default_trust: &'static str,
    /// TLS versions the stack offers by default.
    pub tls_versions: &'static str,
    /// Where each modelled fact comes from (library source at a version, or its documentation,
    /// or a measurement with the real library named by version).
    pub sources: &'static [&'static str],
}

/// The models, one per stack.
pub static MODELS: &[Model] = &[
    Model {
        stack: Stack::Libpq,
        library: "libpq 12–18 with OpenSSL",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::Libpq,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::ChainThenHost,
        plaintext_retry: true,
        default_trust: "~/.postgresql/root.crt",
        tls_versions: "TLSv1.2 and later (ssl_min_protocol_version default)",
        sources: &["see crates/core/src/verify/libpq.rs and tests/it/verify.rs (psql agreement matrix)"],
    },
    Model {
        stack: Stack::Jdbc,
        library: "pgJDBC 42.5 on Java 17 (PKIX)",
        anchors: Anchors::AnyTrusted { leaf: true },
        names: NameRule::SanThenCn,
        v1_leaf: true,
        anchor_validity: false,
        order: ErrorOrder::ChainThenHost,
        plaintext_retry: false,
        default_trust: "~/.postgresql/root.crt (LibPQFactory); the JVM's cacerts with DefaultJavaSSLFactory",
        tls_versions: "the JVM's defaults (TLSv1.2, TLSv1.3 on Java 17)",
        sources: &[
            "pgjdbc/pgjdbc@b9953dc4 (REL42.5.6): jdbc/SslMode.java#L51-L71 (ssl=true means verify-full; require never verifies), ssl/LibPQFactory.java#L127-L167 (root file, NonValidatingTM), ssl/MakeSSL.java#L42-L84 (host name check for verify-full, NonValidatingFactory too), ssl/PGjdbcHostnameVerifier.java#L96-L216 (CN only without dNSName SAN)",
            "openjdk/jdk@0336d8fb: sun/security/validator/PKIXValidator.java engineValidate (any trusted certificate, the leaf too, is an anchor; anchors' dates unchecked)",
            "measured: Debian libpostgresql-jdbc-java 42.5.5 with OpenJDK 17.0.15 (tests/it/clients.rs)",
        ],
    },
    Model {
        stack: Stack::Node,
        library: "node-postgres 8 (pg-connection-string 2) on Node.js 20",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::SanThenCn,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::OpenSslLastError,
        plaintext_retry: false,
        default_trust: "Node's bundled Mozilla roots (when no ca is given)",
        tls_versions: "TLSv1.2 and TLSv1.3 (Node's tls defaults)",
        sources: &[
            "brianc/node-postgres pg-connection-string@2.14.0 (b617619f) index.js#L77-L157: every sslmode but disable means verify-full unless uselibpqcompat=true (#L106-L137)",
            "pg@8.23.0 (df274d1b) packages/pg/lib/connection.js#L79-L119: no plaintext fallback, SNI only for names",
            "nodejs/node v20.20.2 lib/tls.js checkServerIdentity (CN only without DNS SAN; IP hosts against IP SANs); X509_V_FLAG_PARTIAL_CHAIN only with allowPartialTrustChain (c2bf0134ce, v20.18.0)",
            "measured: npm pg 8.23.1 with Node.js 20.20.2 (tests/it/clients.rs)",
        ],
    },
    Model {
        stack: Stack::Psycopg,
        library: "psycopg 3.3 binary wheel (bundled libpq 18, OpenSSL 3.5)",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::Libpq,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::ChainThenHost,
        plaintext_retry: true,
        default_trust: "~/.postgresql/root.crt",
        tls_versions: "TLSv1.2 and later",
        sources: &["psycopg's binary wheel bundles libpq: psycopg.pq.version() = 180000 (measured, psycopg 3.3.9)"],
    },
    Model {
        stack: Stack::Asyncpg,
        library: "asyncpg 0.30 on CPython's ssl module",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::SanThenCn,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::OpenSslCheckId,
        plaintext_retry: false,
        default_trust: "~/.postgresql/root.crt when it exists, else the system store",
        tls_versions: "TLSv1.2 and later",
        sources: &[
            "MagicStack/asyncpg asyncpg/connect_utils.py (_parse_connect_dsn_and_args: require verifies when sslrootcert or ~/.postgresql/root.crt loads; host name only for verify-full; its own PROTOCOL_TLS_CLIENT context, no partial chain)",
            "python/cpython v3.13.0 Lib/ssl.py#L706-L714: create_default_context sets VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT (3.11.7: neither)",
            "measured: asyncpg 0.32.0 on CPython 3.11.7 (tests/it/clients.rs)",
        ],
    },
    Model {
        stack: Stack::Pgx,
        library: "pgx v4 / pgconn v1 on Go 1.19 crypto/x509",
        anchors: Anchors::AnyTrusted { leaf: true },
        names: NameRule::SanOnly,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::LeafDatesHostChain,
        plaintext_retry: true,
        default_trust: "the system store (Go's x509.SystemCertPool)",
        tls_versions: "TLSv1.2 and later (Go's client default)",
        sources: &[
            "jackc/pgconn v1 config.go#L617-L782 configTLS: require with sslrootcert falls through to verify-ca; verify-ca = InsecureSkipVerify + VerifyPeerCertificate without DNSName; no ~/.postgresql default",
            "golang/go go1.19.8 src/crypto/x509/verify.go: Verify checks the leaf's dates, then VerifyHostname, then chains; Roots.contains(leaf) accepts a trusted leaf (#L801-L803); no CN fallback since Go 1.15",
            "measured: Debian golang-github-jackc-pgx-v4-dev 4.15.0 with golang-go 1.19.8 (tests/it/clients.rs)",
        ],
    },
    Model {
        stack: Stack::Npgsql,
        library: "Npgsql 8 on .NET 8 (documentation only: no .NET runtime is packaged here)",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::SanThenCn,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::ChainThenHost,
        plaintext_retry: false,
        default_trust: "the system store; `Root Certificate` names a file",
        tls_versions: "the OS defaults (TLSv1.2, TLSv1.3)",
        sources: &[
            "npgsql/npgsql v8.0.9 src/Npgsql/Internal/NpgsqlConnector.cs#L843-L879, #L1683-L1732: Prefer/Require accept any certificate; VerifyCA ignores a name mismatch; Root Certificate, PGSSLROOTCERT or an existing ~/.postgresql/root.crt go into CustomTrustStore",
            "dotnet/runtime issue 99426 (maintainer, 2024-03-07): CustomTrustStore certificates must be self-signed roots",
            "not measured: no .NET runtime in Debian bookworm, NuGet unreachable here",
        ],
    },
    Model {
        stack: Stack::Rustls,
        library: "tokio-postgres 0.7 with tokio-postgres-rustls 0.14 (rustls 0.23, webpki 0.103)",
        anchors: Anchors::AnyTrusted { leaf: false },
        names: NameRule::SanOnly,
        v1_leaf: false,
        anchor_validity: true,
        order: ErrorOrder::LeafDatesChainHost,
        plaintext_retry: false,
        default_trust: "whatever RootCertStore the application builds (here: sslrootcert's certificates)",
        tls_versions: "TLSv1.2 and TLSv1.3",
        sources: &[
            "sfackler/rust-postgres tokio-postgres config.rs#L582-L587: sslmode disable | prefer | require only",
            "rustls/webpki v/0.103.13 (2879b2ce): trust_anchor.rs#L20-L44 (any certificate is an anchor, matched by issuer name: a trusted leaf does not verify itself), cert.rs#L256-L272 (v3 only: UnsupportedCertVersion), end_entity.rs#L124-L135 (SANs only)",
            "measured in-process: tokio-postgres 0.7.18, tokio-postgres-rustls 0.14, rustls 0.23 (tests/it/clients.rs)",
        ],
    },
    Model {
        stack: Stack::Kong,
        library: "Kong 3 (pgmoon on OpenResty, OpenSSL)",
        anchors: Anchors::SelfSignedRoots,
        names: NameRule::SanThenCn,
        v1_leaf: true,
        anchor_validity: true,
        order: ErrorOrder::ChainThenHost,
        plaintext_retry: false,
        default_trust: "lua_ssl_trusted_certificate",
        tls_versions: "lua_ssl_protocols (TLSv1.2 TLSv1.3 by default)",
        sources: &[
            "Kong/kong 3.9.1 (b724fc71) kong/templates/kong_defaults.lua#L130-L131, #L192-L194 (pg_ssl, pg_ssl_verify off; lua_ssl_trusted_certificate system; lua_ssl_verify_depth 1; TLSv1.2 TLSv1.3), kong/db/strategies/postgres/connector.lua#L948-L970 (pgmoon gets ssl, ssl_verify, cafile; no server name: no host name check)",
            "OpenSSL doc/man3/SSL_CTX_set_verify.pod (15148cb6): depth N allows N certificates between the end entity and the trust anchor",
            "not measured: no Kong here; the depth rule is checked against openssl verify -verify_depth",
        ],
    },
];

/// What the stack models need from the client's machine, read once by the gathering step:
/// each root file a stack may read, loaded as libpq's OpenSSL loads it, and the system store.
/// The models decide from this and never touch the disk: `crate::client::stack_files` reads
/// it, with the rest of the client's side.
#[derive(Debug, Clone, Default)]
pub struct StackFiles {
    /// Root files by path (`RootTrust::Absent`: the file does not exist).
    pub files: std::collections::BTreeMap<PathBuf, RootTrust>,
    /// The system store, as `sslrootcert=system` and the stacks' defaults load it.
    pub system: Option<RootTrust>,
}

impl StackFiles {
    fn get(&self, path: &Path) -> &RootTrust {
        static ABSENT: RootTrust = RootTrust::Absent { path: None };
        self.files.get(path).unwrap_or(&ABSENT)
    }

    fn exists(&self, path: &Path) -> bool {
        !matches!(self.get(path), RootTrust::Absent { .. })
    }

    /// A root file as the non-libpq stacks see it: its certificates (none when unreadable), or
    /// `None` when it does not exist.
    fn roots(&self, path: &Path) -> Option<TrustStore> {
        match self.get(path) {
            RootTrust::Loaded(st) => Some(st.clone()),
            RootTrust::Unreadable { .. } => Some(TrustStore::from_certs(&path.display().to_string(), Vec::new())),
            _ => None,
        }
    }

    /// libpq's root store from `source` (a file, the system store, or none).
    fn libpq_store(&self, source: Option<&TrustSource>) -> RootTrust {
        match source {
            Some(TrustSource::File(p)) => self.get(p).clone(),
            Some(TrustSource::System { .. }) => self.system.clone().unwrap_or(RootTrust::Absent { path: None }),
            _ => RootTrust::Absent { path: None },
        }
    }
}

/// One stack's predicted outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackVerdict {
    pub client: Stack,
    /// The style judged (`ssl-true`, `config` …), when not the stack's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The user named this stack (`--client STACK`), rather than asking for all of them: its
    /// failure is the client's failure.
    #[serde(default)]
    pub named: bool,
    pub connects: bool,
    /// The error text the stack would show (its own wording), when it does not connect.
    pub error: Option<String>,
    /// The session is encrypted.
    pub tls: bool,
    pub chain_verified: bool,
    pub hostname_verified: bool,
    /// Where the roots came from.
    pub trust_source: Option<String>,
    /// What the stack checks with these settings, in words.
    pub checks: String,
    /// What would make this stack connect, when it does not (in its own terms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl StackVerdict {
    /// A verdict that does not connect yet: the caller sets what it found.
    fn new(client: Stack, variant: Option<String>, checks: String) -> StackVerdict {
        StackVerdict {
            client,
            variant,
            named: false,
            connects: false,
            error: None,
            tls: false,
            chain_verified: false,
            hostname_verified: false,
            trust_source: None,
            checks,
            fix: None,
        }
    }

    /// libpq's own verdict as one stack's (libpq itself, psycopg's bundled libpq).
    pub fn from_libpq(client: Stack, v: &super::Verdict) -> StackVerdict {
        StackVerdict {
            connects: v.connects,
            error: v.error.clone(),
            tls: v.tls,
            chain_verified: v.chain_verified,
            hostname_verified: v.hostname_verified,
            trust_source: v.trust_source.clone(),
            ..StackVerdict::new(client, None, format!("libpq sslmode={}", v.sslmode))
        }
    }
}

/// What a stack's settings make it check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checks {
    /// TLS is attempted.
    pub try_tls: bool,
    /// Without TLS the connection fails (otherwise the stack falls back to plaintext).
    pub require_tls: bool,
    pub verify_chain: bool,
    pub verify_host: bool,
    /// The roots (`None`: the stack's default store).
    pub roots: Roots,
    /// What it checks, in words (said in any language).
    pub words: crate::findings::Message,
}

/// Where a stack takes its roots from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// A file; `must_exist`: the stack fails when it is missing.
    File { path: PathBuf, must_exist: bool },
    /// The system / runtime store.
    Default,
    /// Nothing checked.
    None,
}

/// Why a stack stops before or during the handshake (rendered in its own words by [`message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    InvalidSslMode(SslMode),
    ServerRefusesTls,
    RootFileMissing(PathBuf),
    Chain(PathFailure),
    NoTrustedPath,
    V1Certificate,
    /// The host is not named: the certificate's DNS and IP subjectAltNames, and its CN.
    HostMismatch { host: String, dns: Vec<String>, ips: Vec<std::net::IpAddr>, cn: Option<String> },
}

/// The root file the client names, as these libraries read the value: libpq 16's
/// `sslrootcert=system` is, to them, a file of that name.
fn named_root(root: &RootCert) -> Option<PathBuf> {
    match root {
        RootCert::File { path, explicit: true } => Some(path.clone()),
        RootCert::System { .. } => Some(PathBuf::from("system")),
        _ => None,
    }
}

/// libpq's default root file in the client's home (`~/.postgresql/root.crt`), when the client
/// names none.
fn home_root(root: &RootCert) -> Option<PathBuf> {
    match root {
        RootCert::File { path, explicit: false } => Some(path.clone()),
        _ => None,
    }
}

/// The checks `choice` makes for `client` (`Err`: it refuses the settings themselves). The
/// stacks read the sslmode and root file as the client states them, not libpq's defaults:
/// each stack has its own.
pub fn checks(choice: &StackChoice, client: &ClientProfile, files: &StackFiles) -> Result<Checks, Refusal> {
    use SslMode::*;
    let variant = choice.variant.as_deref().unwrap_or("");
    let stated = client.sslmode_stated;
    let given = named_root(&client.root);
    let home_root = home_root(&client.root);
    // A named file the stack must find, else its default store.
    let file_or_default = |f: Option<PathBuf>| f.map(|path| Roots::File { path, must_exist: true }).unwrap_or(Roots::Default);
    let off = |words| Checks { try_tls: false, require_tls: false, verify_chain: false, verify_host: false, roots: Roots::None, words };
    let enc = |require_tls, words| Checks { try_tls: true, require_tls, verify_chain: false, verify_host: false, roots: Roots::None, words };
    let verify = |require_tls, host, roots, words| Checks { try_tls: true, require_tls, verify_chain: true, verify_host: host, roots, words };
    match choice.stack {
        Stack::Libpq | Stack::Psycopg => unreachable!("answered by the libpq model"),
        Stack::Jdbc => {
            // pgJDBC: ssl=true without sslmode means verify-full; LibPQFactory (the default)
            // reads sslrootcert or ~/.postgresql/root.crt and fails without it.
            let mode = match variant {
                "ssl-true" | "nonvalidating" => stated.unwrap_or(VerifyFull),
                _ => stated.unwrap_or(Prefer),
            };
            let root = given.clone().or(home_root.clone()).map(|path| Roots::File { path, must_exist: true }).unwrap_or(Roots::None);
            if variant == "nonvalidating" {
                // NonValidatingFactory trusts any chain, but MakeSSL still checks the host name
                // for verify-full (which ssl=true implies).
                let mut c = enc(mode >= Require, say!("stack.checks.any-chain-nonvalidating"));
                c.verify_host = mode == VerifyFull;
                return Ok(c);
            }
            if variant == "default-factory" {
                return Ok(match mode {
                    Disable => off(say!("stack.checks.no-tls")),
                    Allow | Prefer | Require => enc(mode >= Require, say!("stack.checks.encryption-only")),
                    VerifyCa => verify(true, false, Roots::Default, say!("stack.checks.chain-jvm")),
                    VerifyFull => verify(true, true, Roots::Default, say!("stack.checks.chain-jvm-and-host")),
                });
            }
            Ok(match mode {
                Disable => off(say!("stack.checks.no-tls")),
                Allow | Prefer | Require => enc(mode >= Require, say!("stack.checks.encryption-only-pgjdbc")),
                VerifyCa => verify(true, false, root, say!("stack.checks.chain-pkix-any-anchor")),
                VerifyFull => verify(true, true, root, say!("stack.checks.chain-pkix-and-host")),
            })
        }
        Stack::Node => {
            let root = file_or_default(given.clone());
            match variant {
                "config" => Ok(match stated {
                    Some(Disable) => off(say!("stack.checks.no-tls")),
                    Some(Allow | Prefer | Require) => enc(true, say!("stack.checks.encryption-only-node")),
                    _ => verify(true, true, root, say!("stack.checks.chain-ca-and-host")),
                }),
                "connstring-libpqcompat" => Ok(match stated.unwrap_or(Prefer) {
                    Disable => off(say!("stack.checks.no-tls")),
                    Allow | Prefer | Require if given.is_none() => enc(true, say!("stack.checks.encryption-only")),
                    Allow | Prefer | Require | VerifyCa => verify(true, false, root, say!("stack.checks.chain-sslrootcert-libpqcompat")),
                    VerifyFull => verify(true, true, root, say!("stack.checks.chain-and-host")),
                }),
                // pg-connection-string: every sslmode but disable means full verification.
                _ => Ok(match stated {
                    None => off(say!("stack.checks.no-tls-no-ssl")),
                    Some(Disable) => off(say!("stack.checks.no-tls")),
                    Some(_) => verify(true, true, root, say!("stack.checks.chain-and-host-pg-connection-string")),
                }),
            }
        }
        Stack::Asyncpg => {
            if variant == "context" {
                return Ok(match stated {
                    Some(Disable) => off(say!("stack.checks.no-tls")),
                    Some(Allow | Prefer | Require) => enc(true, say!("stack.checks.encryption-only-cert-none")),
                    Some(VerifyCa) => verify(true, false, file_or_default(given.clone()), say!("stack.checks.chain-cert-required-no-host")),
                    _ => verify(true, true, file_or_default(given.clone()), say!("stack.checks.chain-and-host-default-context")),
                });
            }
            let mode = stated.unwrap_or(Prefer);
            let file = given.clone().or(home_root.clone());
            let exists = file.as_ref().is_some_and(|p| files.exists(p));
            Ok(match mode {
                Disable => off(say!("stack.checks.no-tls")),
                Allow | Prefer | Require if !exists => enc(mode >= Require, say!("stack.checks.encryption-only-no-root")),
                Allow | Prefer | Require => verify(mode >= Require, false, Roots::File { path: file.unwrap_or_default(), must_exist: true }, say!("stack.checks.chain-root-file-exists")),
                VerifyCa => verify(true, false, file_or_default(file), say!("stack.checks.chain-no-host")),
                VerifyFull => verify(true, true, file_or_default(file), say!("stack.checks.chain-and-host")),
            })
        }
        Stack::Pgx => {
            let mode = stated.unwrap_or(Prefer);
            let root = file_or_default(given.clone());
            Ok(match mode {
                Disable => off(say!("stack.checks.no-tls")),
                Allow | Prefer | Require if given.is_none() => enc(mode >= Require, say!("stack.checks.encryption-only-insecure-skip")),
                Allow | Prefer | Require | VerifyCa => verify(mode >= Require, false, root, say!("stack.checks.chain-sslrootcert-pgconn")),
                VerifyFull => verify(true, true, root, say!("stack.checks.chain-and-host-crypto-tls")),
            })
        }
        Stack::Npgsql => {
            // Root Certificate (or PGSSLROOTCERT), else ~/.postgresql/root.crt when it exists,
            // else the system store.
            let root = file_or_default(given.clone().or_else(|| home_root.clone().filter(|p| files.exists(p))));
            let mode = stated.unwrap_or(Prefer);
            Ok(match mode {
                Disable => off(say!("stack.checks.no-tls")),
                Allow | Prefer | Require => enc(mode >= Require, say!("stack.checks.encryption-only-npgsql")),
                VerifyCa => verify(true, false, root, say!("stack.checks.chain-no-host")),
                VerifyFull => verify(true, true, root, say!("stack.checks.chain-and-host")),
            })
        }
        Stack::Rustls => {
            let root = file_or_default(given.clone());
            match stated.unwrap_or(Prefer) {
                Disable => Ok(off(say!("stack.checks.no-tls"))),
                m @ (VerifyCa | VerifyFull) => Err(Refusal::InvalidSslMode(m)),
                m => Ok(verify(m >= Require, true, root, say!("stack.checks.chain-and-host-rustls"))),
            }
        }
        Stack::Kong => {
            // lua_ssl_trusted_certificate defaults to `system`, the system store (so is a
            // `system` libpq before 16 keeps as a file name); pgmoon checks no host name.
            let root = match &client.root {
                RootCert::File { path, explicit: true } if path.as_os_str() != "system" => Roots::File { path: path.clone(), must_exist: true },
                _ => Roots::Default,
            };
            Ok(match variant {
                "no-verify" => enc(stated.unwrap_or(Require) >= Require, say!("stack.checks.encryption-only-kong")),
                _ => verify(stated.unwrap_or(Require) >= Require, false, root, say!("stack.checks.chain-kong")),
            })
        }
    }
}

/// The libpq-based stacks' answer, from the libpq model: libpq itself, and psycopg's bundled
/// libpq 18 with OpenSSL 3.5 at security level 1. The stacks connect by host name (`hostaddr`
/// is libpq's own verdict's business).
fn libpq_answer(stack: Stack, client: &ClientProfile, target: &ProbeTarget, server: &ServerSide, files: &StackFiles) -> StackVerdict {
    let client = match stack {
        Stack::Psycopg => client.on_libpq(18, 1),
        _ => client.on_libpq(client.libpq, client.security_level),
    };
    let by_name = ProbeTarget { hostaddr: None, ..target.clone() };
    let root = files.libpq_store(client.root.source().as_ref());
    StackVerdict::from_libpq(stack, &super::libpq::decide_offered(&client, &by_name, server, &root))
}

/// Predict what `choice` does for `client` connecting to `target` (by its host name) against
/// `server`, from the files gathering read for it (`files`; see `crate::client::stack_files`).
pub fn predict(choice: &StackChoice, client: &ClientProfile, target: &ProbeTarget, server: &ServerSide, files: &StackFiles) -> StackVerdict {
    let stack = choice.stack;
    if matches!(stack, Stack::Libpq | Stack::Psycopg) {
        return libpq_answer(stack, client, target, server, files);
    }
    let host = target.host.as_str();
    let model = stack.model();
    let fail = |refusal: Refusal, c: Option<&Checks>, trust: Option<String>| {
        let checks = c.map(|c| c.words.sentence(Lang::En)).unwrap_or_else(|| match &refusal {
            Refusal::InvalidSslMode(m) => say!("stack.checks.nothing-sslmode", mode = m).sentence(Lang::En),
            _ => say!("stack.checks.refuses").sentence(Lang::En),
        });
        StackVerdict {
            error: Some(message(stack, &refusal, host)),
            fix: Some(fix_for(stack, &refusal, host)),
            trust_source: trust,
            ..StackVerdict::new(stack, choice.variant.clone(), checks)
        }
    };
    let c = match checks(choice, client, files) {
        Ok(c) => c,
        Err(r) => return fail(r, None, None),
    };
    let plain_ok = StackVerdict { connects: true, ..StackVerdict::new(stack, choice.variant.clone(), c.words.sentence(Lang::En)) };
    if !c.try_tls {
        return plain_ok;
    }
    // Roots are read before connecting.
    let (store, trust) = match &c.roots {
        Roots::File { path, must_exist } if c.verify_chain => match files.roots(path) {
            Some(st) => (Some(st), Some(format!("file {}", path.display()))),
            None if *must_exist => return fail(Refusal::RootFileMissing(path.clone()), Some(&c), None),
            None => (None, None),
        },
        Roots::Default if c.verify_chain => match &files.system {
            Some(RootTrust::Loaded(st)) => (Some(st.clone()), Some("system store".to_string())),
            _ => (Some(TrustStore::from_certs("system store (missing)", Vec::new())), Some("system store (missing)".into())),
        },
        _ => (None, None),
    };
    if server.chain.is_empty() {
        return if c.require_tls || !server.accepts_plaintext {
            fail(Refusal::ServerRefusesTls, Some(&c), trust)
        } else {
            plain_ok
        };
    }
    let tls_failure = judge_chain(choice, client, host, model, &c, server, store.as_ref());
    match tls_failure {
        None => StackVerdict {
            connects: true,
            tls: true,
            chain_verified: c.verify_chain,
            hostname_verified: c.verify_host,
            trust_source: trust,
            ..StackVerdict::new(stack, choice.variant.clone(), c.words.sentence(Lang::En))
        },
        // prefer/allow: the TLS attempt fails, and stacks that retry try again without TLS.
        Some(_) if !c.require_tls && model.plaintext_retry && server.accepts_plaintext => plain_ok,
        Some(r) => fail(r, Some(&c), trust),
    }
}


/// Which of several problems a stack reports: the order its verifier checks them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorOrder {
    /// The chain, then the host name after the handshake (libpq, pgJDBC, rustls).
    ChainThenHost,
    /// The server certificate's dates, then the host name, then the chain (Go's
    /// `Certificate.Verify`: `isValid` on the leaf, `VerifyHostname`, then chain building).
    LeafDatesHostChain,
    /// The server certificate's dates, then the chain, then the host name (webpki checks the
    /// end entity's validity before it looks for issuers).
    LeafDatesChainHost,
    /// OpenSSL with the host set on the verify parameters (CPython's ssl): chain building
    /// and trust errors, then the host name (`check_id`), then validity dates.
    OpenSslCheckId,
    /// OpenSSL with a verify callback that continues (Node): the last error wins, so an
    /// expired certificate is reported over a missing issuer; the host name after the handshake.
    OpenSslLastError,
}

fn judge_chain(
    choice: &StackChoice,
    client: &ClientProfile,
    host_name: &str,
    model: &Model,
    c: &Checks,
    server: &ServerSide,
    store: Option<&TrustStore>,
) -> Option<Refusal> {
    let (stack, at) = (choice.stack, client.at);
    let leaf = &server.chain[0];
    let host = if c.verify_host { host_matches(model.names, leaf, host_name).err() } else { None };
    let leaf_first = matches!(model.order, ErrorOrder::LeafDatesHostChain | ErrorOrder::LeafDatesChainHost);
    if leaf_first && c.verify_chain && (leaf.expired_at(at) || leaf.not_yet_valid_at(at)) {
        let f = if leaf.expired_at(at) { PathFailure::Expired { depth: 0 } } else { PathFailure::NotYetValid { depth: 0 } };
        return Some(Refusal::Chain(f));
    }
    if model.order == ErrorOrder::LeafDatesHostChain && host.is_some() {
        return host;
    }
    if !model.v1_leaf && leaf.version < 3 && c.verify_chain {
        return Some(Refusal::V1Certificate);
    }
    if c.verify_chain {
        let anchors = match (stack, model.anchors) {
            // CPython 3.13's create_default_context sets VERIFY_X509_PARTIAL_CHAIN (asyncpg's own
            // sslmode path builds a PROTOCOL_TLS_CLIENT context without it).
            (Stack::Asyncpg, _) if client.python_minor >= 13 && choice.variant.as_deref() == Some("context") => Anchors::AnyTrusted { leaf: true },
            (_, a) => a,
        };
        let max_depth = match (stack, client.kong_verify_depth) {
            // OpenSSL's verify depth N allows N intermediates between the leaf and the anchor.
            (Stack::Kong, d) => d.unwrap_or(1) as usize + 2,
            _ => 10,
        };
        let empty = TrustStore::from_certs("empty", Vec::new());
        let opts = Options { anchors, max_depth, security_level: client.security_level, anchor_validity: model.anchor_validity, ..Options::at(at) };
        let failure = match build_paths(&server.chain, store.unwrap_or(&empty), &opts) {
            Ok(r) if r.verified() => None,
            Ok(r) => Some(r.best_failure().and_then(|a| a.failure.clone())),
            Err(_) => Some(None),
        };
        if let Some(f) = failure {
            let dates = matches!(f, Some(PathFailure::Expired { .. } | PathFailure::NotYetValid { .. }));
            return Some(match (model.order, f) {
                (ErrorOrder::OpenSslCheckId, _) if dates && host.is_some() => host.expect("checked"),
                (ErrorOrder::OpenSslLastError, Some(_)) if !dates && leaf.expired_at(at) => Refusal::Chain(PathFailure::Expired { depth: 0 }),
                (_, Some(f)) => Refusal::Chain(f),
                (_, None) => Refusal::NoTrustedPath,
            });
        }
    }
    host
}

/// The host name check of a rule: `Err` with what the certificate names.
pub fn host_matches(rule: NameRule, leaf: &Cert, host: &str) -> Result<(), Refusal> {
    let mismatch = || Refusal::HostMismatch {
        host: host.to_string(),
        dns: leaf.dns_names().map(str::to_string).collect(),
        ips: leaf.ip_addresses().collect(),
        cn: leaf.subject_cn.clone(),
    };
    if rule == NameRule::Libpq {
        return super::libpq::check_host(leaf, host).map_err(|_| mismatch());
    }
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    let dns: Vec<&str> = leaf.dns_names().collect();
    let ok = match ip {
        Some(ip) => leaf.ip_addresses().any(|a| a == ip),
        None if !dns.is_empty() => dns.iter().any(|d| d.eq_ignore_ascii_case(host) || super::libpq::wildcard_match(d, host)),
        None => {
            rule == NameRule::SanThenCn
                && leaf.subject_cn.as_deref().is_some_and(|cn| cn.eq_ignore_ascii_case(host) || super::libpq::wildcard_match(cn, host))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(mismatch())
    }
}

/// OpenSSL's text for a path failure (`X509_verify_cert_error_string`, OpenSSL 3 spelling).
fn openssl_text(f: &PathFailure) -> &'static str {
    f.openssl().1
}

/// Node's `err.code` for an OpenSSL verify result (node/src/crypto/crypto_common.cc).
fn node_code(f: &PathFailure) -> &'static str {
    match f {
        PathFailure::UnableToGetLocalIssuer { depth: 0 } => "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        PathFailure::UnableToGetLocalIssuer { .. } => "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        PathFailure::UnableToGetIssuer { .. } => "UNABLE_TO_GET_ISSUER_CERT",
        PathFailure::SelfSignedInChain { .. } => "SELF_SIGNED_CERT_IN_CHAIN",
        PathFailure::DepthZeroSelfSigned => "DEPTH_ZERO_SELF_SIGNED_CERT",
        PathFailure::Expired { .. } => "CERT_HAS_EXPIRED",
        PathFailure::NotYetValid { .. } => "CERT_NOT_YET_VALID",
        PathFailure::ChainTooLong => "CERT_CHAIN_TOO_LONG",
        _ => "CERT_UNTRUSTED",
    }
}

/// The stack's own error text for a refusal when connecting to `host`.
pub fn message(stack: Stack, r: &Refusal, host: &str) -> String {
    let untrusted_java = "PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target";
    match (stack, r) {
        // tokio-postgres's Display of its config error (the option is named in its source only).
        (Stack::Rustls, Refusal::InvalidSslMode(_)) => "invalid connection string".into(),
        (_, Refusal::InvalidSslMode(m)) => format!("invalid value for option `sslmode`: {m}"),
        (Stack::Jdbc, Refusal::ServerRefusesTls) => "The server does not support SSL.".into(),
        (Stack::Node, Refusal::ServerRefusesTls) => "The server does not support SSL connections".into(),
        (Stack::Asyncpg, Refusal::ServerRefusesTls) => "rejected SSL upgrade".into(),
        (Stack::Pgx, Refusal::ServerRefusesTls) => "server refused TLS connection".into(),
        (Stack::Rustls, Refusal::ServerRefusesTls) => "error performing TLS handshake: server does not support TLS".into(),
        (_, Refusal::ServerRefusesTls) => "the server does not support SSL".into(),
        (Stack::Jdbc, Refusal::RootFileMissing(p)) => format!("Could not open SSL root certificate file {}.", p.display()),
        (Stack::Node, Refusal::RootFileMissing(p)) => format!("ENOENT: no such file or directory, open '{}'", p.display()),
        (Stack::Asyncpg, Refusal::RootFileMissing(p)) => format!("[Errno 2] No such file or directory: '{}'", p.display()),
        (Stack::Pgx, Refusal::RootFileMissing(p)) => format!("unable to read CA file: open {}: no such file or directory", p.display()),
        (_, Refusal::RootFileMissing(p)) => format!("root certificate file {} does not exist", p.display()),
        (Stack::Jdbc, Refusal::Chain(PathFailure::Expired { .. } | PathFailure::NotYetValid { .. })) => "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed".into(),
        (Stack::Jdbc, Refusal::Chain(_) | Refusal::NoTrustedPath) => untrusted_java.into(),
        (Stack::Node, Refusal::Chain(f)) => format!("{}: {}", node_code(f), node_text(f)),
        (Stack::Node, Refusal::NoTrustedPath) => "UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unable to get local issuer certificate".into(),
        // lua-nginx-module reports OpenSSL's verify result (nginx error.log form).
        (Stack::Kong, Refusal::Chain(f)) => format!("SSL handshake failed: certificate verify failed ({})", openssl_text(f)),
        (Stack::Asyncpg | Stack::Npgsql, Refusal::Chain(f)) => {
            format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {}", openssl_text(f))
        }
        (Stack::Pgx, Refusal::Chain(PathFailure::Expired { .. } | PathFailure::NotYetValid { .. })) => "x509: certificate has expired or is not yet valid".into(),
        (Stack::Pgx, Refusal::Chain(_) | Refusal::NoTrustedPath) => "x509: certificate signed by unknown authority".into(),
        (Stack::Rustls, Refusal::Chain(PathFailure::Expired { .. })) => "error performing TLS handshake: invalid peer certificate: certificate expired".into(),
        (Stack::Rustls, Refusal::Chain(_) | Refusal::NoTrustedPath) => "error performing TLS handshake: invalid peer certificate: UnknownIssuer".into(),
        (Stack::Rustls, Refusal::V1Certificate) => "error performing TLS handshake: invalid peer certificate: Other(OtherError(UnsupportedCertVersion))".into(),
        (_, Refusal::V1Certificate) => "the server certificate is X.509 version 1".into(),
        (_, Refusal::Chain(f)) => format!("certificate verify failed: {}", openssl_text(f)),
        (_, Refusal::NoTrustedPath) => "certificate verify failed: unable to get local issuer certificate".into(),
        (Stack::Jdbc, Refusal::HostMismatch { .. }) => {
            format!("The hostname {host} could not be verified by hostnameverifier PgjdbcHostnameVerifier.")
        }
        (Stack::Node, Refusal::HostMismatch { dns, ips, cn, .. }) => {
            let reason = if host.parse::<std::net::IpAddr>().is_ok() {
                format!("IP: {host} is not in the cert's list: {}", ips.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "))
            } else if !dns.is_empty() {
                format!("Host: {host}. is not in the cert's altnames: {}", dns.iter().map(|n| format!("DNS:{n}")).collect::<Vec<_>>().join(", "))
            } else if let Some(cn) = cn {
                format!("Host: {host}. is not cert's CN: {cn}")
            } else {
                "Cert does not contain a DNS name".into()
            };
            format!("ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: {reason}")
        }
        (Stack::Pgx, Refusal::HostMismatch { dns, ips, cn, .. }) => {
            let is_ip = host.parse::<std::net::IpAddr>().is_ok();
            if dns.is_empty() && ips.is_empty() && cn.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(host)) {
                "x509: certificate relies on legacy Common Name field, use SANs instead".into()
            } else if is_ip && ips.is_empty() {
                format!("x509: cannot validate certificate for {host} because it doesn't contain any IP SANs")
            } else {
                let valid: Vec<String> = if is_ip { ips.iter().map(|a| a.to_string()).collect() } else { dns.clone() };
                if valid.is_empty() {
                    format!("x509: certificate is not valid for any names, but wanted to match {host}")
                } else {
                    format!("x509: certificate is valid for {}, not {host}", valid.join(", "))
                }
            }
        }
        (Stack::Rustls, Refusal::HostMismatch { .. }) => "error performing TLS handshake: invalid peer certificate: certificate not valid for name".into(),
        (_, Refusal::HostMismatch { .. }) => {
            if host.parse::<std::net::IpAddr>().is_ok() {
                format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, certificate is not valid for '{host}'.")
            } else {
                format!("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '{host}'.")
            }
        }
    }
}

/// What would make `stack` connect to `host` after `r`, in its own terms.
pub fn fix_for(stack: Stack, r: &Refusal, host: &str) -> String {
    let root_where = match stack {
        Stack::Jdbc => say!("stack.root.jdbc"),
        Stack::Node => say!("stack.root.node"),
        Stack::Kong => say!("stack.root.kong"),
        Stack::Pgx => say!("stack.root.pgx"),
        Stack::Rustls => say!("stack.root.rustls"),
        _ => say!("stack.root.other"),
    };
    let fix = match r {
        Refusal::InvalidSslMode(_) => say!("stack.fix.sslmode-require"),
        Refusal::ServerRefusesTls => say!("stack.fix.server-ssl-on"),
        Refusal::RootFileMissing(p) => say!("stack.fix.root-file-missing", file = p.display(), root_where = root_where),
        Refusal::V1Certificate => say!("stack.fix.v1-certificate", host = host),
        Refusal::HostMismatch { dns, ips, cn, .. } if dns.is_empty() && ips.is_empty() && cn.is_some() => say!("stack.fix.cn-only", host = host),
        Refusal::HostMismatch { dns, ips, .. } => {
            let kind = if host.parse::<std::net::IpAddr>().is_ok() { "IP" } else { "DNS" };
            if dns.is_empty() && ips.is_empty() {
                say!("stack.fix.host-mismatch-no-names", kind = kind, host = host)
            } else {
                let names = dns.iter().cloned().chain(ips.iter().map(|a| a.to_string())).collect::<Vec<_>>().join(", ");
                say!("stack.fix.host-mismatch", names = names, kind = kind, host = host)
            }
        }
        Refusal::Chain(PathFailure::Expired { .. }) => say!("stack.fix.expired"),
        Refusal::Chain(PathFailure::NotYetValid { .. }) => say!("stack.fix.not-yet-valid"),
        Refusal::Chain(PathFailure::ChainTooLong) => say!("stack.fix.chain-too-long"),
        Refusal::Chain(PathFailure::UnableToGetIssuer { .. }) => say!("stack.fix.anchor-not-root", root_where = root_where),
        Refusal::Chain(_) | Refusal::NoTrustedPath => say!("stack.fix.add-root", root_where = root_where),
    };
    fix.sentence(Lang::En)
}

/// Node's message for a verify result: OpenSSL's text, except the leaf case Node rewords.
fn node_text(f: &PathFailure) -> &'static str {
    match f {
        PathFailure::UnableToGetLocalIssuer { depth: 0 } => "unable to verify the first certificate",
        _ => openssl_text(f),
    }
}

/// After TLS, the server answers every stack alike: a refusal of the StartupMessage
/// (pg_hba.conf, a missing role, a client certificate it requires) seen by pgtls's own
/// connection over the same kind of session fails the stack too.
pub fn after_startup(mut v: StackVerdict, startup: Option<&crate::gathered::probe::StartupFacts>) -> StackVerdict {
    use crate::gathered::probe::StartupOutcome;
    let Some(st) = startup else { return v };
    if !v.connects || st.encrypted != v.tls {
        return v;
    }
    let error = match &st.outcome {
        StartupOutcome::Refused { error, .. } => Some(format!("{}: {}", error.severity.as_deref().unwrap_or("FATAL"), error.message)),
        StartupOutcome::TlsAlert { alert } => Some(format!("the server ended the TLS session: {alert}")),
        _ => None,
    };
    if let Some(e) = error {
        v.connects = false;
        v.error = Some(e);
    }
    v
}

/// Every stack's answer (each in its default style), libpq first.
pub fn predict_all(client: &ClientProfile, target: &ProbeTarget, server: &ServerSide, files: &StackFiles) -> Vec<StackVerdict> {
    Stack::ALL.iter().map(|&stack| predict(&StackChoice { stack, variant: None }, client, target, server, files)).collect()
}

