//! Finding codes as a type: a misspelt code is a compile error, and the list is checked
//! against `catalogue.toml` (same codes, same order) by a test, so the enum, the catalogue and
//! the generated `codes.txt` / `docs/findings.md` cannot drift apart.
//!
//! Codes are a public interface (like ShellCheck's SC numbers): never rename or reuse one.
//! Adding a code is one line here plus one `[[finding]]` entry in the catalogue.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident = $text:literal,)+) => {
        /// A stable finding code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),+ }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The kebab-case spelling users see and type.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text),+ }
            }

            /// The code spelt `s`, if there is one.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($text => Some(Code::$variant),)+ _ => None }
            }
        }
    };
}

codes! {
    ServerSslOff = "server-ssl-off",
    NetworkTimeout = "network-timeout",
    UnexpectedEof = "unexpected-eof",
    TcpConnectFailed = "tcp-connect-failed",
    ServerErrorResponse = "server-error-response",
    ProxyMishandlesSslrequest = "proxy-mishandles-sslrequest",
    DirectSslUnsupported = "direct-ssl-unsupported",
    AlpnRejected = "alpn-rejected",
    ProtocolVersionMismatch = "protocol-version-mismatch",
    CipherMismatch = "cipher-mismatch",
    SniRequired = "sni-required",
    TlsHandshakeFailed = "tls-handshake-failed",
    CertExpired = "cert-expired",
    CertNotYetValid = "cert-not-yet-valid",
    CertExpiringSoon = "cert-expiring-soon",
    SelfSignedServerCert = "self-signed-server-cert",
    PinnedIntermediate = "pinned-intermediate",
    ServerCertUntrusted = "server-cert-untrusted",
    SslNotUsed = "ssl-not-used",
    InsecureProtocolEnabled = "insecure-protocol-enabled",
    HbaAllowsNonSsl = "hba-allows-non-ssl",
    ServerCertMissing = "server-cert-missing",
    ServerKeyMissing = "server-key-missing",
    ServerCertFileUnreadable = "server-cert-file-unreadable",
    ServerKeyFileUnreadable = "server-key-file-unreadable",
    ServerKeyPermissions = "server-key-permissions",
    ServerKeyMismatch = "server-key-mismatch",
    ChainOrderWrong = "chain-order-wrong",
    KeyPassphrase = "key-passphrase",
    SslProtocolRangeInvalid = "ssl-protocol-range-invalid",
    WeakCipherEnabled = "weak-cipher-enabled",
    HbaNoSslEntry = "hba-no-ssl-entry",
    HbaCertWithoutCa = "hba-cert-without-ca",
    ClientCertUserMismatch = "client-cert-user-mismatch",
    KongVerifyWithoutCa = "kong-verify-without-ca",
    InsecureSslmode = "insecure-sslmode",
    PinnedLeaf = "pinned-leaf",
    DuplicateTrustEntry = "duplicate-trust-entry",
    WeakTrustEntry = "weak-trust-entry",
    HostnameMismatch = "hostname-mismatch",
    RootCertMissing = "root-cert-missing",
    CrossSignedPath = "cross-signed-path",
    RotationUnready = "rotation-unready",
    RotationNeedsCrossSign = "rotation-needs-cross-sign",
    SslRequiredByServer = "ssl-required-by-server",
    ClientBuiltWithoutSsl = "client-built-without-ssl",
    CertOrKeyFormat = "cert-or-key-format",
    CrlProblem = "crl-problem",
    CertRevoked = "cert-revoked",
    ChainIncomplete = "chain-incomplete",
    ClientRejectsServerCa = "client-rejects-server-ca",
    ClientCertRequired = "client-cert-required",
    ServerRejectsClientCert = "server-rejects-client-cert",
    ClientCertFileMissing = "client-cert-file-missing",
    ClientKeyPermissions = "client-key-permissions",
    ClientKeyMismatch = "client-key-mismatch",
    ReplicaChainDiffers = "replica-chain-differs",
    ConnectionFails = "connection-fails",
    CheckIncomplete = "check-incomplete",
    ServerCaFileMissing = "server-ca-file-missing",
    LoginRefused = "login-refused",
    LibpqTooOld = "libpq-too-old",
    PasswordMissing = "password-missing",
    AuthUnchecked = "auth-unchecked",
    ClientStackFails = "client-stack-fails",
    CertTooWeak = "cert-too-weak",
    PoolerServerUnreachable = "pooler-server-unreachable",
    BackendsDiffer = "backends-differ",
    TlsTerminatedOnTheWay = "tls-terminated-on-the-way",
    PoolerClientTls = "pooler-client-tls",
    PoolerServerTls = "pooler-server-tls",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {s:?}")))
    }
}

impl std::str::FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Code, String> {
        Code::parse(s).ok_or_else(|| format!("unknown finding code {s:?}; `pgtls explain --list` shows them all"))
    }
}

/// Codes compare with their spelling, so tables of expected codes can stay strings.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
