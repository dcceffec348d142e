//! `rotation-unready`, `rotation-needs-cross-sign`: a trust store that does not verify a chain servers present after the
//! provider's rotation, that verifies it only while servers send a cross-sign, or that does not
//! verify the chain a given server presents. Each comes from a chain verdict
//! ([`crate::verify::rotation`]), never from names.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding};
use crate::verify::rotation::Phase;

pub const CODES: &[Code] = &[Code::RotationUnready, Code::RotationNeedsCrossSign];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(r) = &facts.rotation else { return vec![] };
    let date = r.at.date();
    let absent_anchors = |chain: &str| -> Vec<String> {
        r.roots.iter().filter(|x| !x.present && x.anchors.iter().any(|a| a == chain)).map(|x| x.cn.clone()).collect()
    };
    let fix = |absent: &[String]| {
        let add = if absent.is_empty() { "its root".to_string() } else { absent.join(" or ") };
        format!(
            "Add {add} to the trust store (roots only, keeping the current ones): `pgtls bundle --profile {} -o root.crt` writes every root of the profile with its SHA-256 and source; point sslrootcert (or PGSSLROOTCERT, the Java truststore, lua_ssl_trusted_certificate) at it.",
            r.profile
        )
    };
    let with = |f: Finding| f.evidence("profile", &r.profile).evidence("store", &r.store).evidence("at", date.to_string());
    let mut out = Vec::new();
    for c in r.chains.iter().filter(|c| c.phase == Phase::After) {
        let absent = absent_anchors(&c.name);
        if !c.verifies {
            out.push(with(Finding::new(Code::RotationUnready)
                .detail(format!(
                    "{}: {} does not verify the {} chain ({}) at {date}; once servers present it, verify-ca and verify-full clients fail.",
                    r.title, r.store, c.name, c.path.join(" → ")
                ))
                .fix(fix(&absent))
                .evidence("chain", &c.name)
                .evidence("reason", &c.reason)));
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
