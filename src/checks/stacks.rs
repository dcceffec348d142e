//! `client-stack-fails`: the client library the user named (`--client jdbc`, `--client node`)
//! would not connect. Its verdict comes from `crate::verify::clients` (derived into the facts
//! with libpq's); libpq's own failures keep their specific findings. When every stack was
//! asked for (`--client all`) no single one is the client: the failures are information for
//! the comparison table, and the exit status follows libpq.

use super::Context;
use crate::facts::Facts;
use crate::findings::{Code, Finding, Severity};
use crate::verify::clients::Stack;

pub const CODES: &[Code] = &[Code::ClientStackFails];

pub fn check(facts: &Facts, _cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in &facts.hosts {
        for v in h.stacks.iter().filter(|v| !v.connects && v.client != Stack::Libpq) {
            let label = match &v.variant {
                Some(var) => format!("{} ({var})", v.client.model().library),
                None => v.client.model().library.to_string(),
            };
            let mut f = Finding::new(Code::ClientStackFails)
                .detail(format!("{}: {label} fails with: {}", h.endpoint(), v.error.as_deref().unwrap_or("(no message)")))
                .evidence("endpoint", h.endpoint())
                .evidence("client", v.client.as_str())
                .evidence("checks", &v.checks);
            if let Some(t) = &v.trust_source {
                f = f.evidence("trust source", t);
            }
            if !v.named {
                f = f.severity(Severity::Info);
            }
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{host, probe};
    use crate::verify::clients::StackVerdict;

    fn verdict(named: bool, connects: bool) -> StackVerdict {
        StackVerdict {
            client: Stack::Jdbc,
            variant: Some("ssl-true".into()),
            named,
            connects,
            error: (!connects).then(|| "Could not open SSL root certificate file /h/.postgresql/root.crt.".into()),
            tls: false,
            chain_verified: false,
            hostname_verified: false,
            trust_source: None,
            checks: "the chain (PKIX) and the host name".into(),
        }
    }

    #[test]
    fn a_named_stack_that_fails_is_an_error_and_all_is_information() {
        let mut f = host(probe());
        f.hosts[0].stacks = vec![verdict(true, false)];
        let got = check(&f, &Context::default());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Error);
        assert!(got[0].detail.contains("Could not open SSL root certificate file"), "{}", got[0].detail);
        f.hosts[0].stacks = vec![verdict(false, false)];
        assert_eq!(check(&f, &Context::default())[0].severity, Severity::Info);
        f.hosts[0].stacks = vec![verdict(true, true)];
        assert!(check(&f, &Context::default()).is_empty());
    }
}
