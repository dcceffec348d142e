//! `pinned-intermediate`, `pinned-leaf`, `duplicate-trust-entry`, `weak-trust-entry`: what a
//! trust store holds besides good roots. Trusting intermediates or server certificates is what
//! breaks at a CA rotation (the guide: "trust only the roots"); expired, weak and duplicate
//! entries are hygiene.
//!
//! Severity follows the harm: an intermediate next to its own root is harmless (info); one that
//! is the only anchor for its chain is a warning; a store with no root at all, which is why the
//! client fails right now, is an error. Expired or weak entries in a distribution bundle (the
//! system store ships a few) are information; in a hand-made root.crt a warning.

use super::Context;
use crate::facts::Facts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg, Severity};
use crate::gathered::trust::{TrustEntry, TrustSource, TrustStore, HAND_MADE_MAX};
use crate::verify::libpq::{Failure, UntrustedCause};
use crate::x509::CertKind;

pub const CODES: &[Code] = &[Code::PinnedIntermediate, Code::PinnedLeaf, Code::DuplicateTrustEntry, Code::WeakTrustEntry];


pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &facts.stores {
        // A PEM store (what libpq reads) with no self-signed root verifies nothing for libpq:
        // OpenSSL without X509_V_FLAG_PARTIAL_CHAIN (libpq never sets it) needs a root as the
        // anchor. That is a failure now, as `doctor` says, not a rotation risk. (Java's PKIX
        // takes any trusted certificate as an anchor: keystores keep the rotation warning.)
        let no_root = s.pem && !s.entries.is_empty() && s.entries.iter().all(|e| e.cert.kind != CertKind::Root);
        out.extend(audit(s, cx, no_root));
    }
    // The client's own root file, when it is a hand-made one and not also audited above.
    if let Some(s) = facts.client_root_store() {
        if s.entries.len() <= HAND_MADE_MAX && !facts.stores.iter().any(|x| x.path == s.path) {
            // The store's lack of any root is why the client fails: seen in a verdict, or — with
            // nothing probed (`pgtls client`) — certain whenever libpq verifies and cannot fall
            // back (it verifies with any sslmode once the root file exists).
            let root_cause = if facts.hosts.is_empty() {
                !s.entries.is_empty()
                    && s.entries.iter().all(|e| e.cert.kind != CertKind::Root)
                    && cx.profile.sslmode >= crate::conninfo::SslMode::Require
            } else {
                facts.verdicts().any(|(_, v)| {
                    !v.connects && matches!(&v.failure, Some(Failure::ChainUntrusted { cause: UntrustedCause::NoRootInStore { .. } }))
                })
            };
            out.extend(audit(s, cx, root_cause).into_iter().filter(|f| f.severity > Severity::Info));
        }
    }
    out
}

fn audit(store: &TrustStore, cx: &Context, fails_now: bool) -> Vec<Finding> {
    let bundle = store.entries.len() > HAND_MADE_MAX;
    let out = entries(store, cx, fails_now, bundle);
    if !bundle {
        return out.into_iter().map(|(_, f)| f).collect();
    }
    // A distribution bundle's expired and weak-but-harmless roots need nothing from the user:
    // one line for all of them, each named in the evidence, instead of one finding each.
    let (quiet, rest): (Vec<_>, Vec<_>) =
        out.into_iter().partition(|(_, f)| f.code == Code::WeakTrustEntry && f.severity == Severity::Info);
    let mut rest: Vec<Finding> = rest.into_iter().map(|(_, f)| f).collect();
    if !quiet.is_empty() {
        let mut f = Finding::new(Code::WeakTrustEntry)
            .severity(Severity::Info)
            .said(say!("weak-trust-entry.bundle-summary", store = TrustSource::said_from_words(&store.source), quiet = quiet.len(), total = store.entries.len()))
            .fix_said(say!("weak-trust-entry.fix-bundle-them"))
            .evidence("store", &store.source);
        for (e, _) in &quiet {
            f = f.evidence(format!("entry {} ({})", e.index, e.label), e.cert.subject.clone());
        }
        rest.push(f);
    }
    rest
}

/// Every entry's findings, one by one, each with the entry it is about.
fn entries<'a>(store: &'a TrustStore, cx: &Context, fails_now: bool, bundle: bool) -> Vec<(&'a TrustEntry, Finding)> {
    let mut all = Vec::new();
    for (e, flags) in store.entries.iter().zip(store.describe(cx.now())) {
        let mut out = Vec::new();
        let c = &e.cert;
        let ev = |f: Finding| {
            f.evidence("store", &store.source)
                .evidence("entry", format!("{} ({})", e.index, e.label))
                .evidence("subject", &c.subject)
                .evidence("issuer", &c.issuer)
                .evidence("sha256", &c.sha256)
        };
        let issuer_present = || store.certs().any(|x| x.kind == CertKind::Root && c.signed_by(x));
        match c.kind {
            CertKind::Intermediate => {
                let (sev, why) = if fails_now {
                    (Severity::Error, say!("pinned-intermediate.no-root-at-all"))
                } else if issuer_present() {
                    (Severity::Info, say!("pinned-intermediate.root-present"))
                } else {
                    (Severity::Warning, say!("pinned-intermediate.root-absent"))
                };
                out.push(ev(Finding::new(Code::PinnedIntermediate).severity(sev).said(say!(
                    "pinned-intermediate.entry",
                    store = TrustSource::said_from_words(&store.source),
                    entry = TrustEntry::label_said(&e.label),
                    subject = &c.subject,
                    why = why
                ))));
            }
            CertKind::Leaf => {
                let fails = if fails_now { say!("pinned-leaf.fails-now").into_arg() } else { "".into_arg() };
                let f = ev(Finding::new(Code::PinnedLeaf).said(say!(
                    "pinned-leaf.entry",
                    store = TrustSource::said_from_words(&store.source),
                    entry = TrustEntry::label_said(&e.label),
                    subject = &c.subject,
                    fails_now = fails
                )));
                out.push(if fails_now { f.severity(Severity::Error) } else { f });
            }
            CertKind::Root => {}
        }
        let hygiene = if bundle { Severity::Info } else { Severity::Warning };
        if flags.expired || flags.not_yet_valid {
            let when = if flags.expired {
                say!("weak-trust-entry.expired-on", date = c.not_after.date())
            } else {
                say!("weak-trust-entry.not-valid-before", date = c.not_before.date())
            };
            let then = if bundle { say!("weak-trust-entry.bundle-keeps") } else { say!("weak-trust-entry.remove-it") };
            let f = ev(Finding::new(Code::WeakTrustEntry).severity(hygiene).said(say!(
                "weak-trust-entry.dates",
                store = TrustSource::said_from_words(&store.source),
                entry = TrustEntry::label_said(&e.label),
                subject = &c.subject,
                when = when,
                then = then
            )));
            out.push(if bundle { f.fix_said(say!("weak-trust-entry.fix-bundle-it")) } else { f });
        }
        if let Some(first) = flags.duplicate_of {
            out.push(ev(Finding::new(Code::DuplicateTrustEntry).said(say!(
                "duplicate-trust-entry.same-as",
                store = TrustSource::said_from_words(&store.source),
                entry = TrustEntry::label_said(&e.label),
                first = first
            ))));
        }
        if flags.weak {
            // OpenSSL never checks a trust anchor's own signature, so only the key matters there.
            let only_self_sig = c.kind == CertKind::Root && c.weak.iter().all(|w| w.ends_with("signature"));
            let harmless = if only_self_sig { say!("weak-trust-entry.self-signature-harmless").into_arg() } else { "".into_arg() };
            let f = ev(Finding::new(Code::WeakTrustEntry).said(say!(
                "weak-trust-entry.weak",
                store = TrustSource::said_from_words(&store.source),
                entry = TrustEntry::label_said(&e.label),
                subject = &c.subject,
                weak = c.weak.join(", "),
                harmless = harmless
            )));
            out.push(if only_self_sig {
                f.severity(Severity::Info).fix_said(say!("weak-trust-entry.fix-self-signature"))
            } else {
                f.severity(hygiene)
            });
        }
        all.extend(out.into_iter().map(|f| (e, f)));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::codes;
    use crate::x509::LabCert;
    use pgtls_lab::{days_ago, CertKey, CertSpec};

    fn store(certs: Vec<&CertKey>) -> Facts {
        Facts { stores: vec![TrustStore::from_certs("mem", certs.iter().map(|c| c.info()).collect())], ..Default::default() }
    }

    #[test]
    fn pinned_intermediate_severity_follows_the_harm() {
        let root = CertKey::root("R").unwrap();
        let inter = root.intermediate("I").unwrap();
        let cx = Context::default();
        // No root at all: libpq (OpenSSL without PARTIAL_CHAIN) verifies nothing, now.
        let alone = check(&store(vec![&inter]), &cx);
        assert_eq!(codes(&alone), ["pinned-intermediate"]);
        assert_eq!(alone[0].severity, Severity::Error);
        // Beside some other root: this chain works only while the CA issues from it.
        let other = CertKey::root("Other").unwrap();
        let pinned = check(&store(vec![&other, &inter]), &cx);
        assert_eq!(codes(&pinned), ["pinned-intermediate"]);
        assert_eq!(pinned[0].severity, Severity::Warning);
        let beside_root = check(&store(vec![&root, &inter]), &cx);
        assert_eq!(codes(&beside_root), ["pinned-intermediate"]);
        assert_eq!(beside_root[0].severity, Severity::Info);
    }

    #[test]
    fn expired_root_is_hygiene_not_an_error() {
        let old = CertKey::root_with("Old", &CertSpec::valid(days_ago(100), days_ago(1))).unwrap();
        let f = check(&store(vec![&old]), &Context::default());
        assert_eq!(codes(&f), ["weak-trust-entry"]);
        assert_eq!(f[0].severity, Severity::Warning);
    }
}
