//! What `pgtls sessions` learned from a server's own views (pg_stat_ssl, pg_stat_activity,
//! pg_hba_file_rules, settings), as values. The SQL session is in `pgtls::sessions`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Sessions that share database, user, client, application, backend type and TLS state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionGroup {
    pub database: Option<String>,
    pub user: Option<String>,
    /// Client address; null for Unix-socket sessions and background workers.
    pub client_addr: Option<String>,
    pub application_name: Option<String>,
    pub backend_type: Option<String>,
    pub ssl: bool,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub count: i64,
}

/// One pg_hba_file_rules row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HbaRuleRow {
    pub line_number: Option<i32>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub database: Option<String>,
    pub user_name: Option<String>,
    pub address: Option<String>,
    pub auth_method: Option<String>,
    pub options: Option<String>,
    pub error: Option<String>,
}

/// Everything `pgtls sessions` learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFacts {
    pub server_version: String,
    /// Whether pgtls's own connection used TLS.
    pub own_connection_ssl: bool,
    pub groups: Vec<SessionGroup>,
    /// `ssl_is_used()` from sslinfo, when the extension is installed in this database.
    pub ssl_is_used: Option<bool>,
    pub sslinfo_installed: bool,
    /// ssl, ssl_min_protocol_version, ssl_max_protocol_version, ssl_ciphers, and
    /// require_secure_transport where the server defines it.
    pub settings: BTreeMap<String, String>,
    /// pg_hba_file_rules, when this role may read it.
    pub hba_rules: Option<Vec<HbaRuleRow>>,
    /// Why hba rules are missing (no privilege …).
    pub hba_note: Option<String>,
    /// The role pgtls connected as.
    pub role: String,
    /// The role sees every session (superuser or member of pg_read_all_stats); otherwise
    /// pg_stat_ssl and pg_stat_activity show it only its own.
    pub sees_all_sessions: bool,
}

/// Why pg_hba_file_rules was not read, as [`SessionFacts::hba_note`] keeps it: English text
/// from a `note.sessions.*` template (said again in the language with `findings::note_said`).
pub fn hba_unreadable(error: &str) -> String {
    crate::say!("note.sessions.hba-unreadable", error = error).sentence(crate::findings::Lang::En)
}

/// The role may not read pg_hba_file_rules (see [`hba_unreadable`]).
pub fn hba_not_allowed(role: &str) -> String {
    crate::say!("note.sessions.hba-not-allowed", role = role).sentence(crate::findings::Lang::En)
}
