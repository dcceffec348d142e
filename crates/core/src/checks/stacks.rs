//! `client-stack-fails`: the client library the user named (`--client jdbc`, `--client node`)
//! would not connect. Its verdict comes from `crate::verify::clients` (derived into the facts
//! with libpq's); libpq's own failures keep their specific findings. When every stack was
//! asked for (`--client all`) no single one is the client: the comparison table says which
//! fail (no finding repeats it), and the exit status follows libpq.
//!
//! Drivers audited from their configuration (`pgtls client --jdbc`, `--kong-conf`) are judged
//! by the same models: pgJDBC's verify-ca/verify-full (and `ssl=true`) stop before connecting
//! when its root file is missing; Kong's verdict on the chain its server really serves (its
//! trusted certificates, its `lua_ssl_verify_depth`).

use super::Context;
use crate::facts::Facts;
use crate::facts::DriverFacts;
use crate::say;
use crate::findings::{Code, Finding, IntoArg};
use crate::gathered::trust::RootTrust;
use crate::profile::{ClientProfile, RootCert};
use crate::verify::clients::{message, predict, Refusal, ServerSide, Stack, StackChoice, StackFiles, StackModel};

pub const CODES: &[Code] = &[Code::ClientStackFails];

pub fn check(facts: &Facts, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for h in &facts.hosts {
        // `--client all`: the comparison table (`verdicts[]`) is the answer; repeating each
        // failure as a finding would print the same table twice.
        for v in h.stacks.iter().filter(|v| !v.connects && v.client != Stack::Libpq && v.named) {
            let label = match &v.variant {
                Some(var) => format!("{} ({var})", v.client.model().library),
                None => v.client.model().library.to_string(),
            };
            let mut f = Finding::new(Code::ClientStackFails)
                .said(say!(
                    "client-stack-fails.fails-with",
                    endpoint = h.endpoint(),
                    library = &label,
                    message = match v.error.as_deref() {
                        Some(e) => e.into_arg(),
                        None => say!("connection-fails.no-message").into_arg(),
                    }
                ))
                .at_endpoint(h.endpoint())
                .evidence("client", v.client.as_str())
                .evidence("checks", &v.checks);
            if let Some(t) = &v.trust_source {
                f = f.evidence("trust source", t);
            }
            if let Some(fix) = &v.fix {
                f = f.fix(fix.clone());
            }
            out.push(f);
        }
    }
    for d in &facts.drivers {
        out.extend(driver(d, cx.now()));
    }
    out
}

fn driver(d: &DriverFacts, now: time::OffsetDateTime) -> Option<Finding> {
    let s = &d.settings;
    if d.kong.is_none() {
        // pgJDBC's LibPQFactory reads its root file before it connects.
        let (path, missing) = d.roots.iter().find_map(|(p, r)| match r {
            RootTrust::Absent { .. } => Some((p, say!("client-stack-fails.does-not-exist"))),
            RootTrust::Unreadable { .. } => Some((p, say!("client-stack-fails.not-pem"))),
            _ => None,
        })?;
        let said = message(Stack::Jdbc, &Refusal::RootFileMissing(path.clone()), "");
        return Some(
            Finding::new(Code::ClientStackFails)
                .said(say!(
                    "client-stack-fails.jdbc-root",
                    source = &s.source,
                    sslmode = s.mode,
                    from_ssl = if s.origin("ssl").is_some() { say!("client-stack-fails.from-ssl-true").into_arg() } else { "".into_arg() },
                    path = path.display(),
                    missing = missing,
                    said = &said
                ))
                .evidence("client", "jdbc")
                .evidence("sslrootcert", path.display().to_string())
                .fix_said(say!("client-stack-fails.fix-jdbc-root", path = path.display())),
        );
    }
    let kong = d.kong.as_ref()?;
    let server = d.server.as_ref().filter(|p| !p.chain.is_empty())?;
    // Kong as a client: kong.conf states its sslmode, trusted certificates and verify depth.
    let depth = kong.get("lua_ssl_verify_depth").and_then(|v| v.value.parse::<u32>().ok());
    let client = ClientProfile {
        sslmode_stated: Some(s.mode),
        root: d.roots.first().map_or(RootCert::NoHome, |(p, _)| RootCert::File { path: p.clone(), explicit: true }),
        kong_verify_depth: depth,
        ..ClientProfile::libpq_default(now)
    };
    let choice = StackChoice { stack: Stack::Kong, variant: Some(if s.verifies_server { "verify" } else { "no-verify" }.into()) };
    let served = ServerSide { chain: server.chain.clone(), accepts_plaintext: s.mode < crate::conninfo::SslMode::Require };
    // The files as gathering read them: this check reads none.
    let files = StackFiles { files: d.roots.iter().cloned().collect(), system: d.system.clone() };
    let v = predict(&choice, &client, &server.target, &served, &files);
    if v.connects {
        return None;
    }
    let intermediates = server.chain.len().saturating_sub(1);
    let depth = depth.unwrap_or(1);
    let mut f = Finding::new(Code::ClientStackFails)
        .said(say!(
            "client-stack-fails.kong",
            endpoint = server.target.endpoint(),
            served = server.chain.len(),
            depth = depth,
            depth_from = match kong.get("lua_ssl_verify_depth") {
                Some(v) => say!("client-stack-fails.depth-at", origin = &v.origin),
                None => say!("client-stack-fails.depth-by-default"),
            },
            error = match v.error.as_deref() {
                Some(e) => e.into_arg(),
                None => say!("client-stack-fails.fails").into_arg(),
            }
        ))
        .evidence("client", "kong")
        .at_endpoint(server.target.endpoint())
        .evidence("lua_ssl_verify_depth", depth.to_string());
    if let Some(fix) = &v.fix {
        f = f.fix(fix.clone());
    }
    if v.error.as_deref().is_some_and(|e| e.contains("chain too long")) {
        // The smallest depth with which the same chain verifies.
        let need = (depth + 1..=10).find(|&d| {
            let deeper = ClientProfile { kong_verify_depth: Some(d), ..client.clone() };
            predict(&choice, &deeper, &server.target, &served, &files).connects
        });
        if let Some(need) = need {
            f = f.fix_said(say!("client-stack-fails.fix-kong-depth", intermediates = intermediates, need = need));
        }
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{host, probe};
    use crate::findings::Severity;
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
            fix: None,
        }
    }

    #[test]
    fn a_named_stack_that_fails_is_an_error_and_all_is_the_table_alone() {
        let mut f = host(probe());
        f.hosts[0].stacks = vec![verdict(true, false)];
        let got = check(&f, &Context::default());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].severity, Severity::Error);
        assert!(got[0].detail.contains("Could not open SSL root certificate file"), "{}", got[0].detail);
        // `--client all`: the table says it; no finding repeats it.
        f.hosts[0].stacks = vec![verdict(false, false)];
        assert!(check(&f, &Context::default()).is_empty());
        f.hosts[0].stacks = vec![verdict(true, true)];
        assert!(check(&f, &Context::default()).is_empty());
    }
}
