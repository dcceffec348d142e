//! Agreement with real libpq: chains × client stores × sslmode, psql's real outcome against
//! pgtls's predicted verdict. Prints the matrix; every cell must agree.

use std::path::{Path, PathBuf};

use pgtls_lab::{CertKey, CertSpec, Server, TlsFiles};


/// One server-side chain and the host name a client uses for it.
pub struct ChainCase {
    pub name: &'static str,
    pub tls: TlsFiles,
    /// Host name psql is given (hostaddr is always 127.0.0.1).
    pub host: &'static str,
    pub right_root: String,
    pub old_root: String,
    pub intermediate: String,
    pub leaf: String,
}

fn files(leaf: &CertKey, extra: &[&str]) -> TlsFiles {
    TlsFiles { cert_chain_pem: format!("{}{}", leaf.cert_pem, extra.concat()), key_pem: leaf.key_pem.clone(), ca_pem: None }
}

pub fn chain_cases() -> Vec<ChainCase> {
    let old = CertKey::root("Old Root CA").unwrap();
    let root = CertKey::root("Right Root CA").unwrap();
    let inter = root.intermediate("Issuing CA 1").unwrap();
    let mut v = Vec::new();
    let mut add = |name, tls, host, intermediate: String, leaf: &CertKey, right: String, old_root: String| {
        v.push(ChainCase { name, tls, host, right_root: right, old_root, intermediate, leaf: leaf.cert_pem.clone() });
    };
    let direct = root.leaf("localhost", &["localhost"]).unwrap();
    add("root>leaf", files(&direct, &[]), "localhost", inter.cert_pem.clone(), &direct, root.cert_pem.clone(), old.cert_pem.clone());
    let l = inter.leaf("localhost", &["localhost"]).unwrap();
    add("root>int>leaf", files(&l, &[&inter.cert_pem]), "localhost", inter.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    // Cross-signed: "new" root issues the intermediate; the old root cross-signs the new root.
    let new_root = CertKey::root("New Root G2").unwrap();
    let new_int = new_root.intermediate("G2 Issuing CA").unwrap();
    let cross = old.cross_sign(&new_root).unwrap();
    let l = new_int.leaf("localhost", &["localhost"]).unwrap();
    add("cross-signed", files(&l, &[&new_int.cert_pem, &cross.cert_pem]), "localhost", new_int.cert_pem.clone(), &l, new_root.cert_pem.clone(), old.cert_pem.clone());
    let expired_int = root.intermediate_with("Expired Issuing CA", &CertSpec::expired()).unwrap();
    let l = expired_int.leaf("localhost", &["localhost"]).unwrap();
    add("expired-int", files(&l, &[&expired_int.cert_pem]), "localhost", expired_int.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    let l = inter.leaf("other.example.com", &["other.example.com"]).unwrap();
    add("other-host", files(&l, &[&inter.cert_pem]), "localhost", inter.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    let l = inter.leaf("*.pgtls.test", &["*.pgtls.test"]).unwrap();
    add("wildcard", files(&l, &[&inter.cert_pem]), "db.pgtls.test", inter.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    let l = inter.leaf("ip", &["127.0.0.1"]).unwrap();
    add("ip-san", files(&l, &[&inter.cert_pem]), "127.0.0.1", inter.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    let l = inter.leaf("localhost", &[]).unwrap();
    add("cn-only", files(&l, &[&inter.cert_pem]), "localhost", inter.cert_pem.clone(), &l, root.cert_pem.clone(), old.cert_pem.clone());
    v
}

pub const STORES: [&str; 7] = ["right-root", "old-root", "int-only", "leaf-only", "old+new", "empty", "missing"];
pub const MODES: [&str; 3] = ["require", "verify-ca", "verify-full"];

/// Write the client store for a case; returns its path (which may not exist: "missing").
pub fn store_file(dir: &Path, case: &ChainCase, store: &str) -> PathBuf {
    let p = dir.join(format!("{}-{store}.crt", case.name.replace('>', "_")));
    let body = match store {
        "right-root" => case.right_root.clone(),
        "old-root" => case.old_root.clone(),
        "int-only" => case.intermediate.clone(),
        "leaf-only" => case.leaf.clone(),
        "old+new" => format!("{}{}", case.old_root, case.right_root),
        "empty" => String::new(),
        _ => return p,
    };
    std::fs::write(&p, body).unwrap();
    p
}

/// psql's real outcome: Ok(()) when it connected, Err(libpq's message) otherwise.
pub fn psql_outcome(server: &Server, host: &str, sslmode: &str, rootcert: &Path) -> Result<(), String> {
    let ci = format!("host={host} hostaddr=127.0.0.1 sslmode={sslmode} sslrootcert={}", rootcert.display());
    let (ok, out) = server.psql(&ci, "select 1").unwrap();
    if ok {
        Ok(())
    } else {
        Err(out.trim().to_string())
    }
}
