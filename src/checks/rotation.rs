//! `rotation-unready`: a trust store that will fail once the provider's rotation reaches the
//! servers — a root the new chain ends at is missing, or the store pins certificates from the
//! provider's chains (intermediates, server certificates) that the rotation replaces.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};

pub const CODES: &[Code] = &[Code::RotationUnready];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(r) = &facts.rotation else { return vec![] };
    let mut out = Vec::new();
    let missing: Vec<_> = r.roots.iter().filter(|x| x.required && !x.present).collect();
    if !missing.is_empty() {
        let mut f = Finding::new(Code::RotationUnready).detail(format!(
            "{}: {} does not contain {}; after the rotation the server chain ends there and verify-ca/verify-full clients fail.",
            r.title,
            r.store,
            missing.iter().map(|x| x.cn.as_str()).collect::<Vec<_>>().join(", ")
        ));
        for x in &missing {
            f = f.evidence(format!("missing {}", x.cn), x.unusable.clone().unwrap_or_else(|| "not in the store".into()));
        }
        out.push(f.evidence("profile", &r.profile).evidence("store", &r.store));
    }
    if !r.pinned.is_empty() {
        let mut f = Finding::new(Code::RotationUnready).detail(format!(
            "{}: {} pins {} certificate(s) from the provider's chains; the rotation replaces them.",
            r.title,
            r.store,
            r.pinned.len()
        ));
        for (i, p) in r.pinned.iter().enumerate() {
            f = f.evidence(format!("pinned {}", i + 1), p.clone());
        }
        out.push(f.evidence("profile", &r.profile).evidence("store", &r.store));
    }
    out
}
