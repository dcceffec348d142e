//! `rotation-unready`, `rotation-needs-cross-sign`: a trust store that does not verify a chain servers present after the
//! provider's rotation (or will from an announced day), nor one servers not yet rotated keep
//! presenting, that verifies it only while servers send a cross-sign, or that does not
//! verify the chain a given server presents. Each comes from a chain verdict
//! ([`crate::verify::rotation`]), never from names.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::verify::rotation::Phase;

pub const CODES: &[Code] = &[Code::RotationUnready, Code::RotationNeedsCrossSign];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(r) = &facts.rotation else { return vec![] };
    let date = r.at.date();
    let absent_anchors = |chain: &str| -> Vec<String> {
        r.roots.iter().filter(|x| !x.present && x.anchors.iter().any(|a| a == chain)).map(|x| x.cn.clone()).collect()
    };
    let fix_with = |verb: &str, prep: &str, absent: &[String]| {
        let add = match absent.len() {
            0 => "its root".to_string(),
            1..=3 => absent.join(" or "),
            n => format!("the root that signs your servers' chain (one of {n}, e.g. {})", absent[..2].join(", ")),
        };
        format!(
            "{verb} {add} {prep} the trust store (roots only, keeping the current ones): `pgtls bundle --profile {} -o root.crt` writes every root of the profile with its SHA-256, source and reason; point sslrootcert (or PGSSLROOTCERT, the Java truststore, lua_ssl_trusted_certificate) at it.",
            r.profile
        )
    };
    let fix = |absent: &[String]| fix_with("Add", "to", absent);
    // Why the profile recommends each absent root (e.g. a root browsers are dropping).
    let roles = |absent: &[String]| -> String {
        r.roots.iter().filter(|x| absent.contains(&x.cn)).map(|x| format!(" {}: {}", x.cn, x.role)).collect()
    };
    let with = |f: Finding| f.evidence("profile", &r.profile).evidence("store", &r.store).evidence("at", date.to_string());
    let mut out = Vec::new();
    for c in r.chains.iter().filter(|c| c.phase == Phase::After || c.until_rotated) {
        let absent = absent_anchors(&c.name);
        if !c.verifies {
            let list = |v: &[String]| match v.len() {
                0..=3 => v.join(", "),
                n => format!("{} and {} more", v[..3].join(", "), n - 3),
            };
            let (scope, hint) = if c.covered.is_empty() {
                (String::new(), "")
            } else {
                (
                    format!(" for {} of its {} issuing CAs: it verifies only {} (not {})", c.not_covered.len(), c.issuing, list(&c.covered), list(&c.not_covered)),
                    " If every server you use is under the ones it verifies, that is enough: name them as targets to judge them exactly.",
                )
            };
            let path = c.path.join(" → ");
            let (detail, fix) = match (c.phase, c.from) {
                // Servers not yet rotated keep presenting it: keep its root.
                (Phase::Before, _) => (
                    format!(
                        "{}: at {date}, {} does not verify the {} chain ({path}){scope}: {}. {}{hint}",
                        r.title,
                        r.store,
                        c.name,
                        c.description,
                        if c.required {
                            "Servers not yet rotated keep presenting it and no end is published, so verify-ca and verify-full clients fail with them."
                        } else {
                            "If a server you use presents it, verify-ca and verify-full clients fail with that server."
                        }
                    ),
                    format!("{}{}", fix_with("Keep (or put back)", "in", &absent), roles(&absent)),
                ),
                // Announced for a later day: ready today, not from then.
                (Phase::After, Some(from)) if !c.presented => (
                    format!(
                        "{}: from {from}, servers start presenting the {} chain ({path}), which {} does not verify (judged at {date}){scope}; verify-ca and verify-full clients fail with them from that day.{hint}",
                        r.title, c.name, r.store
                    ),
                    format!("{} Do it before {from}.", fix_with("Add", "to", &absent)),
                ),
                (Phase::After, _) => (
                    format!(
                        "{}: at {date}, {} does not verify the {} chain ({path}){scope}; verify-ca and verify-full clients fail with servers that present it.{}{hint}",
                        r.title,
                        r.store,
                        c.name,
                        if c.required { "" } else { " Only servers whose owners chose this CA present it." }
                    ),
                    fix(&absent),
                ),
            };
            let f = Finding::new(Code::RotationUnready)
                .detail(detail)
                .fix(fix)
                .evidence("chain", &c.name)
                .evidence("reason", &c.reason);
            // A chain customers opt into (RDS's rsa4096 and ecc384) is information, not a warning.
            out.push(with(if c.required { f } else { f.severity(Severity::Info) }));
        } else if c.verifies_without_optional == Some(false) {
            out.push(with(Finding::new(Code::RotationNeedsCrossSign)
                .detail(format!(
                    "{}: {} verifies the {} chain only while the server also sends its cross-signed certificate; a server that leaves it out fails ({}).",
                    r.title, r.store, c.name, c.reason_without_optional.as_deref().unwrap_or("")
                ))
                .fix(fix(&absent))
                .evidence("chain", &c.name)));
        }
    }
    for s in r.servers.iter().filter(|s| s.verifies == Some(false)) {
        out.push(with(Finding::new(Code::RotationUnready)
            .detail(format!(
                "{}: {} presents the {} chain, which {} does not verify at {date}: verify-ca and verify-full clients fail with it.",
                r.title,
                s.endpoint,
                s.chain.as_deref().unwrap_or("(not a chain of this profile)"),
                r.store
            ))
            .fix(fix(&s.chain.as_deref().map(absent_anchors).unwrap_or_default()))
            .evidence("server", &s.endpoint)
            .evidence("reason", s.reason.as_deref().unwrap_or(""))));
    }
    out
}
