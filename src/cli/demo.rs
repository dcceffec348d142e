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
use pgtls::probe::{Negotiation, ProbeTarget};
use pgtls::report::{self, Format, HostReport, RenderOptions};
use pgtls::x509::CertInfo;

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
        negotiation: Negotiation::Postgres,
    };
    let mut reports = crate::cli::probe_all(&[target], timeouts);
    let store = vec![CertInfo::from_der(&old_ica.der(), "root.crt entry #0")?];
    for r in &mut reports {
        r.findings.extend(pinned_diagnosis(&r.facts.chain, &store, &pinned.display().to_string()));
    }
    let all: Vec<Finding> = reports.iter().flat_map(|r| r.findings.clone()).collect();

    match format {
        Format::Json => crate::cli::print(&report::json::to_string(&report::json::probe(&reports)))?,
        Format::Human => {
            let _ = writeln!(story, "What pgtls finds:");
            let mut body = String::new();
            for r in &reports {
                report::human::host(&mut body, &HostReport { facts: r.facts.clone(), findings: r.findings.clone() }, &opts);
            }
            story += &body;
            let _ = writeln!(
                story,
                "\nThe fix: trust the ROOT (\"Example Cloud Global Root G2\") in root.crt, not an intermediate.\n\
                 Cleaning up: the server and its files are removed."
            );
            crate::cli::print(&story)?;
        }
    }
    drop(endpoint);
    Ok(exit_code(&all))
}

/// The demo's own minimal trust diagnosis (pinned intermediate, chain not anchored).
fn pinned_diagnosis(chain: &[CertInfo], store: &[CertInfo], store_path: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, c) in store.iter().enumerate() {
        if c.is_ca && !c.self_signed {
            out.push(
                Finding::new("pinned-intermediate")
                    .detail(format!("{store_path} entry #{i} \"{}\" is an intermediate CA, not a root.", c.subject))
                    .evidence("store", store_path),
            );
        }
    }
    let anchored = chain.iter().any(|c| store.iter().any(|s| s.subject == c.issuer && s.spki_sha256 != c.spki_sha256));
    if !anchored {
        if let Some(leaf) = chain.first() {
            out.push(Finding::new("server-cert-untrusted").detail(format!(
                "The server's chain (\"{}\" issued by \"{}\") does not lead to any certificate in {store_path}.",
                leaf.subject, leaf.issuer
            )));
        }
    }
    out
}
