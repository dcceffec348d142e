//! `ssl-not-used`, `check-incomplete`: the server's own view of who is connected (`pgtls
//! sessions`). Client sessions over TCP without TLS are the ones a rotation or an `ssl = off`
//! would not break — and the ones that send passwords in clear. A role that cannot see other
//! users' sessions sees an empty table, which is not the same as "all sessions use TLS": that
//! is said, with the privilege that fixes it.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};

pub const CODES: &[Code] = &[Code::SslNotUsed, Code::CheckIncomplete];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(s) = &facts.sessions else { return vec![] };
    let mut out = Vec::new();
    for g in &s.groups {
        let client = g.backend_type.as_deref() == Some("client backend");
        if let (true, false, Some(addr)) = (client, g.ssl, &g.client_addr) {
            out.push(
                Finding::new(Code::SslNotUsed)
                    .detail(format!(
                        "{} session(s) from {addr} (user {}, database {}, application {}) are connected without TLS.",
                        g.count,
                        g.user.as_deref().unwrap_or("?"),
                        g.database.as_deref().unwrap_or("?"),
                        g.application_name.as_deref().unwrap_or("(none)")
                    ))
                    .evidence("client_addr", addr)
                    .evidence("user", g.user.clone().unwrap_or_default())
                    .evidence("database", g.database.clone().unwrap_or_default())
                    .evidence("count", g.count.to_string()),
            );
        }
    }
    if !s.sees_all_sessions {
        out.push(
            Finding::new(Code::CheckIncomplete)
                .severity(Severity::Warning)
                .detail(format!(
                    "Role \"{}\" is neither a superuser nor a member of pg_read_all_stats, so pg_stat_ssl and pg_stat_activity \
                     show it only its own sessions: sessions of other users without TLS are invisible here.",
                    s.role
                ))
                .fix(format!("Run as a superuser, or GRANT pg_read_all_stats TO \"{}\"; then run pgtls sessions again.", s.role)),
        );
    }
    if s.hba_rules.is_none() {
        out.push(
            Finding::new(Code::CheckIncomplete)
                .severity(Severity::Info)
                .detail(format!(
                    "pg_hba_file_rules could not be read{}, so the pg_hba.conf lines that admit clients without TLS are not checked.",
                    s.hba_note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                ))
                .fix("Run as a superuser (pg_hba_file_rules needs it before PostgreSQL 16, or pg_read_all_settings-like grants), or run `pgtls server --data-dir` on the server."),
        );
    }
    out
}
