//! `pgtls demo`: a guided tour on a throw-away server.
//!
//! The scene is the seed guide's rotation: the provider moved its servers from issuing CA
//! "03" to a new "G2" issuing CA under the same root. A client pinned the old intermediate
//! in its root.crt (the guide says never do that), so verify-full clients break. The demo
//! starts a real PostgreSQL with TLS when server binaries exist (an in-process TLS endpoint
//! otherwise), lets real psql fail, and shows pgtls's diagnosis and fix.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};

use pgtls::findings::{exit_code, Finding};
use pgtls::lab::{Ca, InProcessServer, Server, ServerOptions, TlsFiles};
use pgtls::net::Timeouts;
use pgtls::probe::{SslNegotiation, ProbeTarget};
use pgtls::report::{self, Format, HostReport, RenderOptions};
use pgtls::verify::libpq::{diagnose, SslMode, VerdictInput};

enum Endpoint {
    Postgres(Server),
    InProcess(InProcessServer),
}

pub fn run(format: Format, opts: RenderOptions, timeouts: Timeouts) -> Result<i32> {
    let root = Ca::root("Example Cloud Global Root G2").context("generating the demo PKI")?;
    let old_ica = root.intermediate("Example Cloud RSA TLS Issuing CA 03")?;
    let new_ica = root.intermediate("Example Cloud TLS G2 RSA CA 02")?;
    let leaf = new_ica.leaf("localhost", &["localhost", "127.0.0.1"])?;
    let tls = TlsFiles {
        cert_chain_pem: format!("{}{}", leaf.cert_pem, new_ica.cert_pem()),
        key_pem: leaf.key_pem.clone(),
        ca_pem: None,
    };

    let dir = tempfile::Builder::new().prefix("pgtls-demo-").tempdir().context("creating a temp dir")?;
    let pinned = dir.path().join("root.crt");
    std::fs::write(&pinned, old_ica.cert_pem()).context("writing the demo root.crt")?;

    let mut story = String::new();
    let _ = writeln!(story, "pgtls demo — a CA rotation meets a pinned intermediate\n");
    let endpoint = match Server::start(ServerOptions::with_tls(tls.clone())) {
        Ok(s) => {
            let _ = writeln!(story, "Started PostgreSQL ({}) on 127.0.0.1:{} with TLS.", s.installation().version, s.port());
            Endpoint::Postgres(s)
        }
        Err(e) => {
            let _ = writeln!(story, "No PostgreSQL server here ({e}); using an in-process TLS endpoint instead.");
            Endpoint::InProcess(InProcessServer::start(&tls)?)
        }
    };
    let port = match &endpoint {
        Endpoint::Postgres(s) => s.port(),
        Endpoint::InProcess(s) => s.port(),
    };
    let _ = writeln!(
        story,
        "The provider has rotated this server to the new issuing CA \"Example Cloud TLS G2 RSA CA 02\".\n\
         The client's {} still pins the OLD intermediate \"Example Cloud RSA TLS Issuing CA 03\".\n",
        pinned.display()
    );

    if let Endpoint::Postgres(s) = &endpoint {
        let ci = format!("sslmode=verify-full sslrootcert={}", pinned.display());
        if let Ok((ok, out)) = s.psql(&ci, "select 1") {
            let _ = writeln!(story, "What psql says (sslmode=verify-full):");
            let _ = writeln!(story, "  {}\n", if ok { "connected".to_string() } else { out.trim().replace('\n', "\n  ") });
        }
    }

    let target = ProbeTarget {
        host: "localhost".into(),
        hostaddr: Some("127.0.0.1".into()),
        port,
        sni: Some("localhost".into()),
        negotiation: SslNegotiation::Postgres,
    };
    let mut reports = crate::cli::probe_all(&[target], timeouts);
    let chain: Vec<Vec<u8>> = reports.first().map(|r| r.facts.chain.iter().map(|c| c.der.clone()).collect()).unwrap_or_default();
    let verdict_with = |rootcert: &std::path::Path| {
        let mut input = VerdictInput::new("localhost", chain.clone());
        input.sslmode = Some(SslMode::VerifyFull);
        input.sslrootcert = Some(rootcert.display().to_string());
        input.hostaddr = Some("127.0.0.1".into());
        diagnose(&input)
    };
    let before = verdict_with(&pinned);
    for r in &mut reports {
        r.findings.extend(before.findings.clone());
    }
    let fixed = dir.path().join("root-fixed.crt");
    std::fs::write(&fixed, root.cert_pem()).context("writing the fixed root.crt")?;
    let after = verdict_with(&fixed);
    let all: Vec<Finding> = reports.iter().flat_map(|r| r.findings.clone()).collect();

    match format {
        Format::Json => crate::cli::print(&report::json::to_string(&serde_json::json!({
            "command": "demo",
            "probe": report::json::probe(&reports),
            "verdict_before": before.verdict,
            "verdict_after_fix": after.verdict,
            "findings": all,
            "exit_code": exit_code(&all),
        })))?,
        Format::Human => {
            let _ = writeln!(story, "What pgtls finds (`pgtls verify \"host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=...\"`):");
            let _ = writeln!(
                story,
                "  libpq's verdict: {}\n",
                before.verdict.error.as_deref().map(|e| format!("fails — {e}")).unwrap_or_else(|| "connects".into())
            );
            let mut body = String::new();
            for r in &reports {
                report::human::host(&mut body, &HostReport { facts: r.facts.clone(), findings: r.findings.clone() }, &opts);
            }
            story += &body;
            let _ = writeln!(
                story,
                "\nThe fix: trust the ROOT (\"Example Cloud Global Root G2\") in root.crt, never an intermediate.\n\
                 With only that root in root.crt, libpq's verdict becomes: {}.\n\
                 Cleaning up: the server and its files are removed.",
                after.verdict.error.as_deref().map(|e| format!("fails — {e}")).unwrap_or_else(|| "connects".into())
            );
            crate::cli::print(&story)?;
        }
    }
    drop(endpoint);
    Ok(exit_code(&all))
}
