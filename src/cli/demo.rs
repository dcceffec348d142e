//! `demo`: a guided tour on a throw-away server. It lives with the binary, not in the
//! library, because it starts the test lab's servers (the library links no lab).
//!
//! The scene is the seed guide's rotation: the provider moved its servers from issuing CA
//! "03" to a new "G2" issuing CA under the same root. A client pinned the old intermediate
//! in its root.crt (the guide says never do that), so verify-full clients break. The demo
//! starts a real PostgreSQL with TLS when server binaries exist (an in-process TLS endpoint
//! otherwise), lets real psql fail, shows pgtls's diagnosis through the same `verify` every
//! user runs, and shows the fix working. It succeeds (exit 0) when the scene plays as
//! designed: the pinned store fails, the root-only store connects.

use pgtls_lab::{CertKey, InProcessServer, LabError, Server, ServerOptions, TlsFiles};
use serde::Serialize;

use std::fmt::Write as _;

use pgtls::conninfo::SystemEnv;
use pgtls::profile::Overrides;
use pgtls::report::human::{demo_words, verdict_line};
use pgtls::report::{Render, RenderOptions};
use pgtls::run::{verify, RunError, Settings, VerifyReport};

/// What was started when no PostgreSQL is installed (the JSON's `endpoint`; said in the
/// language by the human report).
const IN_PROCESS: &str = "in-process TLS endpoint (no PostgreSQL installed)";

#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    pub command: &'static str,
    /// What was started: `PostgreSQL 15.x` or `in-process TLS endpoint`.
    pub endpoint: String,
    pub port: u16,
    /// What real psql printed with the pinned root.crt (absent without psql or a real server).
    pub psql_before: Option<String>,
    /// `pgtls verify` with the pinned intermediate.
    pub before: VerifyReport,
    /// `pgtls verify` with only the root.
    pub after_fix: VerifyReport,
    /// The scene played as designed (before fails, after connects).
    pub as_designed: bool,
    pub exit_code: i32,
}

enum Endpoint {
    Postgres(Server),
    InProcess(InProcessServer),
}

pub fn demo(s: &Settings) -> Result<DemoReport, RunError> {
    let pki = |e: LabError| RunError::Failed { what: "generating the demo PKI", error: e.to_string() };
    let root = CertKey::root("Example Cloud Global Root G2").map_err(pki)?;
    let old_ica = root.intermediate("Example Cloud RSA TLS Issuing CA 03").map_err(pki)?;
    let new_ica = root.intermediate("Example Cloud TLS G2 RSA CA 02").map_err(pki)?;
    let leaf = new_ica.leaf("localhost", &["localhost", "127.0.0.1"]).map_err(pki)?;
    let tls = TlsFiles { cert_chain_pem: format!("{}{}", leaf.cert_pem, new_ica.cert_pem), key_pem: leaf.key_pem.clone(), ca_pem: None };
    let io = |what: &'static str| move |source| RunError::Io { what, path: "the demo directory".into(), source };
    let dir = pgtls_lab::temp_dir("pgtls-demo-").map_err(io("creating"))?;
    let pinned = dir.path().join("root.crt");
    std::fs::write(&pinned, &old_ica.cert_pem).map_err(io("writing root.crt in"))?;
    let fixed = dir.path().join("root-fixed.crt");
    std::fs::write(&fixed, &root.cert_pem).map_err(io("writing root-fixed.crt in"))?;

    let (endpoint, name) = match Server::start(ServerOptions::with_tls(tls.clone())) {
        Ok(srv) => {
            let v = srv.installation().version.clone();
            (Endpoint::Postgres(srv), format!("PostgreSQL {v}"))
        }
        Err(_) => {
            let e = InProcessServer::start(&tls).map_err(|e| RunError::Failed { what: "starting the demo endpoint", error: e.to_string() })?;
            (Endpoint::InProcess(e), IN_PROCESS.to_string())
        }
    };
    let port = match &endpoint {
        Endpoint::Postgres(s) => s.port(),
        Endpoint::InProcess(s) => s.port(),
    };
    let psql_before = match &endpoint {
        Endpoint::Postgres(srv) => srv
            .psql(&format!("sslmode=verify-full sslrootcert={}", pinned.display()), "select 1")
            .ok()
            .map(|(ok, out)| if ok { "connected".to_string() } else { out.trim().to_string() }),
        Endpoint::InProcess(_) => None,
    };
    let target = |rootcert: &std::path::Path| {
        format!("host=localhost hostaddr=127.0.0.1 port={port} sslmode=verify-full sslrootcert={}", rootcert.display())
    };
    let o = Overrides::default();
    let before = verify(Some(&target(&pinned)), &o, s, &SystemEnv)?;
    let after_fix = verify(Some(&target(&fixed)), &o, s, &SystemEnv)?;
    drop(endpoint);
    let fails = |r: &VerifyReport| r.hosts.iter().any(|h| !h.verdict.connects);
    let as_designed = fails(&before) && !fails(&after_fix);
    Ok(DemoReport {
        command: "demo",
        endpoint: name,
        port,
        psql_before,
        before,
        after_fix,
        as_designed,
        exit_code: if as_designed { 0 } else { 2 },
    })
}

impl Render for DemoReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = demo_words(o.lang);
        let endpoint = if self.endpoint == IN_PROCESS { w.in_process } else { self.endpoint.as_str() };
        let mut s = format!("{}\n\n", w.title);
        let _ = writeln!(s, "{}", w.started.replace("{endpoint}", endpoint).replace("{port}", &self.port.to_string()));
        let _ = writeln!(s, "{}\n", w.story);
        if let Some(p) = &self.psql_before {
            let _ = writeln!(s, "{}\n  {}\n", w.psql, p.replace('\n', "\n  "));
        }
        let _ = writeln!(s, "{}", w.pgtls);
        s += &self.before.human(o);
        let after = self.after_fix.hosts.first().map(|h| verdict_line(&h.verdict, o)).unwrap_or_default();
        let outcome = if self.as_designed { w.as_designed } else { w.not_as_designed };
        let _ = writeln!(s, "\n{}\n{outcome}\n{}", w.fix.replace("{after}", &after), w.cleanup);
        s
    }
}
