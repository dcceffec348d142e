//! `libpq-too-old`: the connection string names a keyword the client's libpq does not know
//! (`sslnegotiation` for libpq 15 and 16, `sslcertmode` for 15, `sslkeylogfile` before 18 …).
//! libpq rejects the whole string before it looks up a host, so nothing about the server
//! matters until the client is upgraded or the keyword removed. The keyword table and its
//! versions are in `conninfo::KEYWORDS`; the verdict carries libpq's own message.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, Severity};
use crate::verify::libpq::Failure;

pub const CODES: &[Code] = &[Code::LibpqTooOld];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some((_, v, keyword, since, libpq)) = facts.verdicts().find_map(|(h, v)| match &v.failure {
        Some(Failure::InvalidOption { keyword, since, libpq }) => Some((h, v, keyword, since, libpq)),
        _ => None,
    }) else {
        return vec![];
    };
    vec![Finding::new(Code::LibpqTooOld)
        .severity(Severity::Error)
        .said(say!(
            "libpq-too-old.keyword",
            keyword = keyword,
            since = since,
            libpq = libpq,
            message = v.error.as_deref().unwrap_or_default()
        ))
        .fix_said(say!("libpq-too-old.fix", keyword = keyword, since = since, libpq = libpq))
        .evidence("keyword", keyword)
        .evidence("libpq", libpq.to_string())]
}
