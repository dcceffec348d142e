//! `cross-signed-path`: the chain verifies through a CA that exists under two issuers, so
//! there is more than one trust path. Harmless for libpq with OpenSSL ≥ 1.1 (it prefers the
//! trusted copy), but clients that build paths differently may pick the other one — the
//! guide's warning about "some client libraries" under verify-ca/verify-full.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};
use crate::verify::short_name;

pub const CODES: &[Code] = &[Code::CrossSignedPath];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (h, v) in facts.verdicts() {
        let Some(report) = v.paths.as_ref().filter(|p| p.verified() && p.uses_cross_signed()) else { continue };
        let paths: Vec<String> = report.valid_paths().map(|p| p.describe()).collect();
        let mut f = Finding::new(Code::CrossSignedPath).detail(format!(
            "{}: {} valid path(s) from the server certificate to a trusted root; cross-signed CA(s): {}.",
            h.endpoint(),
            paths.len(),
            if report.cross_signed.is_empty() {
                "-".to_string()
            } else {
                report.cross_signed.iter().map(|s| short_name(s)).collect::<Vec<_>>().join(", ")
            }
        ));
        for (i, p) in paths.iter().enumerate() {
            f = f.evidence(format!("path {}", i + 1), p.clone());
        }
        out.push(f.evidence("trust source", v.trust_source.clone().unwrap_or_default()));
    }
    out
}
