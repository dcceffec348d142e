//! The client's side as gathered, as values: libpq's files as found on disk, the root store it
//! would load and the client certificate it would present. The gathering is `pgtls::client`.

use serde::Serialize;

use crate::conninfo::Resolved;
use crate::gathered::trust::RootTrust;

/// A client file libpq would read, as found on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientFile {
    /// The keyword: sslrootcert, sslcert, sslkey, sslcrl.
    pub keyword: String,
    pub path: String,
    /// Named explicitly (connection string, service, environment) rather than libpq's default.
    pub explicit: bool,
    /// Where the value came from (in JSON, its words).
    pub source: crate::conninfo::SettingSource,
    pub exists: bool,
    pub is_file: bool,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    /// PEM/DER contents for certificates and keys (never printed).
    #[serde(skip)]
    pub contents: Option<Vec<u8>>,
}

/// The client side of a connection, as gathered.
#[derive(Debug, Clone, Serialize)]
pub struct ClientFacts {
    pub resolved: Resolved,
    pub files: Vec<ClientFile>,
    /// What libpq would load from sslrootcert.
    pub root: RootTrust,
    /// The client certificate libpq would present.
    pub cert: ClientCert,
}

/// The client certificate libpq would present (`sslcert`/`sslkey`, default
/// `~/.postgresql/postgresql.crt` and `.key`), loaded as libpq's `initialize_SSL` does.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ClientCert {
    /// No certificate file (libpq then sends none), or sslcertmode=disable.
    None,
    /// Loaded; the key stays in memory for the handshake and is never printed.
    Loaded {
        subject: String,
        issuer: String,
        #[serde(skip)]
        auth: crate::gathered::tls::ClientAuth,
    },
    /// libpq fails before connecting, with this message.
    Unusable { message: String },
    /// The key is encrypted in a form pgtls cannot open (a traditional `Proc-Type` PEM): it
    /// connects without it, and the verdict is not sure.
    Encrypted { path: String },
}

impl ClientFacts {
    pub fn file(&self, keyword: &str) -> Option<&ClientFile> {
        self.files.iter().find(|f| f.keyword == keyword)
    }

    /// A client with libpq's defaults whose root store is `root` (tests, replayed facts).
    pub fn with_root(root: RootTrust) -> ClientFacts {
        let resolved = crate::conninfo::resolve(
            &crate::conninfo::parse("host=localhost").expect("a valid connection string"),
            &crate::conninfo::EmptyMachine,
        )
        .expect("resolvable defaults");
        ClientFacts { resolved, files: vec![], root, cert: ClientCert::None }
    }
}
