//! `ssl-not-used`, `check-incomplete`: the server's own view of who is connected (`pgtls
//! sessions`). Client sessions over TCP without TLS are the ones a rotation or an `ssl = off`
//! would not break — and the ones that send passwords in clear. A role that cannot see other
//! users' sessions sees an empty table, which is not the same as "all sessions use TLS": that
//! is said, with the privilege that fixes it.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};

pub const CODES: &[Code] = &[Code::SslNotUsed, Code::CheckIncomplete];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(s) = &facts.sessions else { return vec![] };
    let mut out = Vec::new();
    for g in &s.groups {
        let client = g.backend_type.as_deref() == Some("client backend");
        if let (true, false, Some(addr)) = (client, g.ssl, &g.client_addr) {
            out.push(
                Finding::new(Code::SslNotUsed)
                    .said(say!(
                        "ssl-not-used.sessions",
                        count = g.count,
                        addr = &addr,
                        user = g.user.as_deref().unwrap_or("?"),
                        database = g.database.as_deref().unwrap_or("?"),
                        application = match g.application_name.as_deref() {
                            Some(a) => a.into_arg(),
                            None => say!("ssl-not-used.no-application").into_arg(),
                        }
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
                .said(say!("check-incomplete.role", role = &s.role))
                .fix_said(say!("check-incomplete.fix-role", role = &s.role)),
        );
    }
    if s.hba_rules.is_none() {
        out.push(
            Finding::new(Code::CheckIncomplete)
                .severity(Severity::Info)
                .said(say!(
                    "check-incomplete.hba-rules",
                    note = s.hba_note.as_deref().map(|n| say!("check-incomplete.hba-note", note = crate::findings::note_said(n)).into_arg()).unwrap_or_else(|| "".into_arg())
                ))
                .fix_said(say!("check-incomplete.fix-hba-rules")),
        );
    }
    out
}
