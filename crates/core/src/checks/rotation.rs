//! `rotation-unready`, `rotation-needs-cross-sign`: a trust store that does not verify a chain servers present after the
//! provider's rotation (or will from an announced day), nor one servers not yet rotated keep
//! presenting, that verifies it only while servers send a cross-sign, or that does not
//! verify the chain a given server presents. Each comes from a chain verdict
//! ([`crate::verify::rotation`]), never from names.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Arg, Code, Finding, IntoArg, Message, Severity};
use crate::gathered::trust::TrustSource;
use crate::verify::rotation::Phase;

pub const CODES: &[Code] = &[Code::RotationUnready, Code::RotationNeedsCrossSign];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let Some(r) = &facts.rotation else { return vec![] };
    let date = r.at.date();
    let absent_anchors = |chain: &str| -> Vec<String> {
        r.roots.iter().filter(|x| !x.present && x.anchors.iter().any(|a| a == chain)).map(|x| x.cn.clone()).collect()
    };
    // "Add {roots} to" or "Keep (or put back) {roots} in" the trust store.
    let fix_with = |keep: bool, absent: &[String]| {
        let roots = match absent.len() {
            0 => say!("rotation-unready.its-root").into_arg(),
            1..=3 => either(absent),
            n => say!("rotation-unready.one-of", n = n, examples = absent[..2].join(", ")).into_arg(),
        };
        if keep {
            say!("rotation-unready.fix-keep", roots = roots, profile = &r.profile)
        } else {
            say!("rotation-unready.fix-add", roots = roots, profile = &r.profile)
        }
    };
    let fix = |absent: &[String]| fix_with(false, absent);
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
                0..=3 => v.join(", ").into_arg(),
                n => say!("rotation-unready.and-more", names = v[..3].join(", "), more = n - 3).into_arg(),
            };
            let (scope, hint) = if c.covered.is_empty() {
                ("".into_arg(), "".into_arg())
            } else {
                (
                    say!(
                        "rotation-unready.scope",
                        not_covered_count = c.not_covered.len(),
                        issuing = c.issuing,
                        covered = list(&c.covered),
                        not_covered = list(&c.not_covered)
                    )
                    .into_arg(),
                    say!("rotation-unready.hint").into_arg(),
                )
            };
            let path = c.path.join(" → ");
            // "{title}: at {date}, {store} does not verify the {chain} chain ({path}){scope}", then
            // what follows for the phase.
            let at_date = |then: Message| {
                say!(
                    "rotation-unready.at-date",
                    title = &r.title,
                    date = date,
                    store = TrustSource::said_from_words(&r.store),
                    chain = &c.name,
                    path = &path,
                    scope = scope.clone(),
                    then = then
                )
            };
            let (detail, fix) = match (c.phase, c.from) {
                // Servers not yet rotated keep presenting it: keep its root.
                (Phase::Before, _) => (
                    at_date(say!(
                        "rotation-unready.then-before",
                        description = crate::verify::rotation::profile_said(&c.description),
                        consequence = if c.required { say!("rotation-unready.not-yet-rotated-fail") } else { say!("rotation-unready.if-presented-fail") },
                        hint = hint
                    )),
                    say!("rotation-unready.with-roles", fix = fix_with(true, &absent), roles = roles(&absent)),
                ),
                // Announced for a later day: ready today, not from then.
                (Phase::After, Some(from)) if !c.presented => (
                    say!(
                        "rotation-unready.announced",
                        title = &r.title,
                        from = from,
                        chain = &c.name,
                        path = &path,
                        store = TrustSource::said_from_words(&r.store),
                        date = date,
                        scope = scope.clone(),
                        hint = hint
                    ),
                    say!("rotation-unready.do-it-before", fix = fix(&absent), from = from),
                ),
                (Phase::After, _) => (
                    at_date(say!(
                        "rotation-unready.then-after",
                        optional = if c.required { "".into_arg() } else { say!("rotation-unready.optional-ca").into_arg() },
                        hint = hint
                    )),
                    fix(&absent),
                ),
            };
            let f = Finding::new(Code::RotationUnready)
                .said(detail)
                .fix_said(fix)
                .evidence("chain", &c.name)
                .evidence("reason", &c.reason);
            // A chain customers opt into (RDS's rsa4096 and ecc384) is information, not a warning.
            out.push(with(if c.required { f } else { f.severity(Severity::Info) }));
        } else if c.verifies_without_optional == Some(false) {
            out.push(with(Finding::new(Code::RotationNeedsCrossSign)
                .said(say!(
                    "rotation-needs-cross-sign.only-with-cross-sign",
                    title = &r.title,
                    store = TrustSource::said_from_words(&r.store),
                    chain = &c.name,
                    // The report keeps the path's English; said again in the language.
                    reason = c.reason_without_optional.as_deref().map(|r| Message::from_english("path.", r).map(Arg::Said).unwrap_or_else(|| r.into_arg())).unwrap_or_else(|| "".into_arg())
                ))
                .fix_said(fix(&absent))
                .evidence("chain", &c.name)));
        }
    }
    for s in r.servers.iter().filter(|s| s.verifies == Some(false)) {
        out.push(with(Finding::new(Code::RotationUnready)
            .said(say!(
                "rotation-unready.server",
                title = &r.title,
                endpoint = &s.endpoint,
                chain = match s.chain.as_deref() {
                    Some(c) => c.into_arg(),
                    None => say!("rotation-unready.not-of-profile").into_arg(),
                },
                store = TrustSource::said_from_words(&r.store),
                date = date
            ))
            .fix_said(fix(&s.chain.as_deref().map(absent_anchors).unwrap_or_default()))
            .evidence("server", &s.endpoint)
            .evidence("reason", s.reason.as_deref().unwrap_or(""))));
    }
    out
}

/// "A or B or C", said in the user's language.
fn either(names: &[String]) -> Arg {
    let mut it = names.iter();
    let first = it.next().map(|n| n.as_str().into_arg()).unwrap_or_else(|| "".into_arg());
    it.fold(first, |a, b| say!("rotation-unready.or", a = a, b = b).into_arg())
}
