//! Shared helpers for the integration tests.

use pgtls_lab::{CertKey, Installation, Server, ServerOptions, TlsFiles};

/// A root → intermediate → leaf PKI for 127.0.0.1 / localhost.
pub struct Pki {
    #[allow(dead_code)] // used by the verification tests
    pub root: CertKey,
    pub inter: CertKey,
    pub leaf: CertKey,
}

impl Pki {
    pub fn new() -> Pki {
        let root = CertKey::root("pgtls test root").unwrap();
        let inter = root.intermediate("pgtls test intermediate").unwrap();
        let leaf = inter.leaf("localhost", &["localhost", "127.0.0.1"]).unwrap();
        Pki { root, inter, leaf }
    }

    /// server.crt = leaf + intermediate.
    pub fn tls(&self) -> TlsFiles {
        TlsFiles {
            cert_chain_pem: format!("{}{}", self.leaf.cert_pem, self.inter.cert_pem),
            key_pem: self.leaf.key_pem.clone(),
            ca_pem: None,
        }
    }
}

impl Pki {
    /// The leaf's key encrypted with a passphrase (PKCS#8, AES-256), made by `openssl pkcs8`.
    pub fn encrypted_key_pem(&self) -> String {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.key");
        std::fs::write(&plain, &self.leaf.key_pem).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:secret", "-in"])
            .arg(&plain)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let pem = String::from_utf8(out.stdout).unwrap();
        assert!(pem.contains("ENCRYPTED PRIVATE KEY"));
        pem
    }
}

/// Start a TLS server with this PKI and extra settings.
pub fn tls_server(pki: &Pki, settings: &[(&str, &str)]) -> Server {
    let mut o = ServerOptions::with_tls(pki.tls());
    for (k, v) in settings {
        o = o.setting(k, v);
    }
    Server::start(o).unwrap_or_else(|e| panic!("lab server failed to start: {e}"))
}

/// The newest installation that supports direct SSL (PostgreSQL 17+), if any.
pub fn pg17_or_newer() -> Option<Installation> {
    match Installation::at_least(17) {
        Ok(i) => Some(i),
        Err(e) => {
            eprintln!("SKIP: {e}: direct SSL needs PostgreSQL 17+ (bash .ci/run installs PostgreSQL 18)");
            None
        }
    }
}

/// `pgtls` binary built for these tests.
pub fn pgtls() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pgtls"));
    c.env("NO_COLOR", "1").env_remove("PGSSLMODE").env_remove("PGHOST").env_remove("PGPORT");
    c
}

/// `pgtls ARGS` with `input` on standard input; its output once it exits.
pub fn pgtls_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = pgtls().args(args).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// A client certificate for `cn` issued by `ca`, written to `dir` as `tag.crt` and `tag.key`
/// (mode 0600, as libpq requires).
pub fn write_client_cert(dir: &std::path::Path, ca: &CertKey, cn: &str, tag: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let c = ca.client(cn).unwrap();
    let (crt, key) = (dir.join(format!("{tag}.crt")), dir.join(format!("{tag}.key")));
    std::fs::write(&crt, &c.cert_pem).unwrap();
    std::fs::write(&key, &c.key_pem).unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    (crt, key)
}

/// One real certificate of the built-in azure-2026 profile (PEM), by its `[[cert]]` id: lab
/// servers send these after their own certificate to present Azure's chains.
pub fn azure_cert_pem(id: &str) -> String {
    let pem = include_str!("../../crates/core/src/verify/profiles/azure-2026.pem");
    let start = pem.find(&format!("# {id}\n")).unwrap_or_else(|| panic!("no certificate {id} in azure-2026.pem"));
    let rest = &pem[start..];
    let end = rest.find("-----END CERTIFICATE-----\n").unwrap() + "-----END CERTIFICATE-----\n".len();
    rest[rest.find("-----BEGIN").unwrap()..end].to_string()
}

/// pgtls's verdict in a `doctor --format json` report as a client's outcome (`None`: connects,
/// else libpq's error text), and whether it agrees with the real client's `theirs`: the same
/// outcome and text, and exit status 2 whenever the client fails.
pub fn agrees(v: &serde_json::Value, exit: i32, theirs: &Option<String>) -> (Option<String>, bool) {
    let verdict = &v["hosts"][0]["verdict"];
    let ours = (verdict["connects"] != true).then(|| verdict["error"].as_str().unwrap_or("").to_string());
    let agree = ours == *theirs && (theirs.is_none() || exit == 2);
    (ours, agree)
}

/// psql (Debian's) with exactly `conninfo`, no lab defaults: (success, stdout+stderr), or
/// `None` without psql.
pub fn psql_raw(conninfo: &str) -> Option<(bool, String)> {
    let psql = pgtls_lab::psql_binary()?;
    let o = std::process::Command::new(psql)
        .args(["-X", "-A", "-t", "-w", "-c", "select 1", conninfo])
        .env_remove("PGSSLMODE")
        .env_remove("PGSSLROOTCERT")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some((o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)))
}
