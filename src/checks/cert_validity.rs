//! `cert-expired`, `cert-not-yet-valid`, `cert-expiring-soon`, `self-signed-server-cert`:
//! the dates and self-signature of every certificate the server sent, judged at the
//! context's instant (so `--at` can look into the future).

use super::Context;
use crate::findings::{Code, Finding, Severity};
use crate::probe::ProbeFacts;

pub fn check(facts: &ProbeFacts, ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, c) in facts.chain.iter().enumerate() {
        let which = if i == 0 { "The server certificate".to_string() } else { format!("Chain certificate #{i}") };
        let days = c.days_left(ctx.now);
        if c.not_after < ctx.now {
            out.push(
                Finding::new(Code::CertExpired)
                    .detail(format!("{which} \"{}\" expired on {} ({} days ago).", c.subject, c.not_after.date(), -days))
                    .evidence("subject", &c.subject)
                    .evidence("not_after", c.not_after.to_string())
                    .evidence("sha256", &c.sha256),
            );
        } else if c.not_before > ctx.now {
            out.push(
                Finding::new(Code::CertNotYetValid)
                    .detail(format!("{which} \"{}\" is valid only from {}.", c.subject, c.not_before))
                    .evidence("subject", &c.subject)
                    .evidence("not_before", c.not_before.to_string()),
            );
        } else if days < ctx.expiry_warning_days {
            out.push(
                Finding::new(Code::CertExpiringSoon)
                    .severity(Severity::Warning)
                    .detail(format!("{which} \"{}\" expires in {days} days ({}).", c.subject, c.not_after.date()))
                    .evidence("subject", &c.subject)
                    .evidence("days_left", days.to_string()),
            );
        }
    }
    if let [leaf] = facts.chain.as_slice() {
        if leaf.self_signed {
            out.push(Finding::new(Code::SelfSignedServerCert).detail(format!(
                "The server presents a single self-signed certificate \"{}\": clients with sslmode=verify-ca or \
                 verify-full must have exactly this certificate in their root.crt.",
                leaf.subject
            )));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{codes, facts};
    use crate::x509::Cert;
    use time::macros::datetime;

    fn cert(days_from: i64, days_to: i64, ctx: &Context) -> Cert {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut p = rcgen::CertificateParams::new(vec!["x".to_string()]).unwrap();
        p.not_before = ctx.now + time::Duration::days(days_from);
        p.not_after = ctx.now + time::Duration::days(days_to);
        let c = p.self_signed(&key).unwrap();
        Cert::from_der(c.der(), "t").unwrap()
    }

    #[test]
    fn judged_at_context_instant() {
        let ctx = Context { now: datetime!(2026-06-01 00:00 UTC), ..Default::default() };
        let mut f = facts();
        f.chain = vec![cert(-10, 100, &ctx), cert(-100, -1, &ctx), cert(5, 100, &ctx), cert(-5, 10, &ctx)];
        assert_eq!(codes(&check(&f, &ctx)), ["cert-expired", "cert-not-yet-valid", "cert-expiring-soon"]);
        f.chain.truncate(1);
        assert_eq!(codes(&check(&f, &ctx)), ["self-signed-server-cert"]);
        let later = Context { now: ctx.now + time::Duration::days(200), ..ctx };
        assert_eq!(codes(&check(&f, &later)), ["cert-expired", "self-signed-server-cert"]);
    }
}
