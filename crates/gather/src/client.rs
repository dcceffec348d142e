//! Gather the client's side the way libpq would look at it: its files (stat and read, never
//! write) and its root certificate store, loaded as libpq's OpenSSL would load it.

use std::os::unix::fs::MetadataExt;


use crate::conninfo::{Resolved, Sourced, Source};
use crate::profile::ClientProfile;
use crate::trust::RootTrust;

pub use pgtls_core::gathered::client::{ClientCert, ClientFacts, ClientFile};
pub use pgtls_core::verify::libpq::libpq_key_verdict;

fn file(keyword: &str, s: &Sourced<String>) -> ClientFile {
    let meta = std::fs::metadata(&s.value).ok();
    let contents = match keyword {
        "sslcert" | "sslkey" | "sslrootcert" => meta
            .as_ref()
            .filter(|m| m.is_file() && m.len() < 16 * 1024 * 1024)
            .and_then(|_| crate::files::read(std::path::Path::new(&s.value)).ok()),
        _ => None,
    };
    ClientFile {
        keyword: keyword.to_string(),
        path: s.value.clone(),
        explicit: !matches!(s.source, Source::Default),
        source: crate::conninfo::SettingSource::Libpq(s.source.clone()),
        exists: meta.is_some(),
        is_file: meta.as_ref().is_some_and(|m| m.is_file()),
        mode: meta.as_ref().map(|m| m.mode() & 0o7777),
        uid: meta.as_ref().map(|m| m.uid()),
        contents,
    }
}

/// The files of `resolved` and the root store of `profile`.
pub fn gather(resolved: &Resolved, profile: &ClientProfile) -> ClientFacts {
    let mut files = Vec::new();
    // The root file as the profile decided it (a command-line --sslrootcert wins).
    if let crate::profile::RootCert::File { path, explicit } = &profile.root {
        let source = match &resolved.sslrootcert {
            Some(s) if s.value == path.display().to_string() => s.source.clone(),
            _ if *explicit => Source::ConnString,
            _ => Source::Default,
        };
        files.push(file("sslrootcert", &Sourced::new(path.display().to_string(), source)));
    }
    for (kw, s) in [("sslcert", &resolved.sslcert), ("sslkey", &resolved.sslkey), ("sslcrl", &resolved.sslcrl)] {
        if let Some(s) = s {
            files.push(file(kw, s));
        }
    }
    let cert = if profile.sslcertmode == crate::conninfo::SslCertMode::Disable {
        ClientCert::None
    } else {
        client_cert(
            files.iter().find(|f| f.keyword == "sslcert"),
            files.iter().find(|f| f.keyword == "sslkey"),
            resolved.sslpassword.as_ref().map(|p| p.value.expose()),
        )
    };
    let mut root = crate::trust::libpq_root(profile.root.source().as_ref());
    // CRLs come with a root *file* only (fe-secure-openssl.c).
    if let (RootTrust::Loaded(store), crate::profile::RootCert::File { .. }) = (&mut root, &profile.root) {
        store.revocation = crate::trust::libpq_revocation(
            resolved.sslcrl.as_ref().map(|s| (s.value.as_str(), !matches!(s.source, Source::Default))),
            resolved.sslcrldir.as_ref().map(|s| s.value.as_str()),
        );
    }
    ClientFacts { resolved: resolved.clone(), files, root, cert }
}

/// libpq's loading of the client certificate and key, in its order and with its words.
fn client_cert(cert: Option<&ClientFile>, key: Option<&ClientFile>, password: Option<&str>) -> ClientCert {
    let Some(c) = cert.filter(|c| c.exists) else { return ClientCert::None };
    let unusable = |message: String| ClientCert::Unusable { message };
    let Some(pem) = &c.contents else { return unusable(format!("could not open certificate file \"{}\": Permission denied", c.path)) };
    let chain: Vec<crate::x509::Cert> = crate::x509::pem_certs(pem);
    let Some(first) = chain.first() else {
        return unusable(format!("could not read certificate file \"{}\": no certificate or crl found", c.path));
    };
    let Some(k) = key else { return unusable("no private key file configured".into()) };
    if !k.exists {
        return unusable(format!("certificate present, but not private key file \"{}\"", k.path));
    }
    if !k.is_file {
        return unusable(format!("private key file \"{}\" is not a regular file", k.path));
    }
    if let (Some(m), Some(uid)) = (k.mode, k.uid) {
        if let Some(msg) = libpq_key_verdict(&k.path, m, uid) {
            return unusable(msg);
        }
    }
    let Some(key_pem) = &k.contents else { return unusable(format!("could not load private key file \"{}\": Permission denied", k.path)) };
    // An encrypted key: libpq hands sslpassword to OpenSSL. Without one, OpenSSL asks on the
    // terminal; with no terminal (a job, a service) the load fails. Texts as psql 15.18 with
    // OpenSSL 3.0 (Debian 12) prints them.
    let decrypted;
    let key_pem = if String::from_utf8_lossy(key_pem).contains("ENCRYPTED") {
        use crate::x509::KeyDecryptError;
        match password.map(|p| crate::x509::decrypt_private_key(key_pem, p)) {
            Some(Ok(pem)) => {
                decrypted = pem;
                &decrypted
            }
            Some(Err(KeyDecryptError::WrongPassword)) => return unusable(format!("could not load private key file \"{}\": bad decrypt", k.path)),
            // No password: OpenSSL cannot open it, whatever the format.
            None => return unusable(format!("could not load private key file \"{}\": processing error", k.path)),
            // A traditional encrypted PEM with a password: libpq may open it, pgtls cannot.
            Some(Err(KeyDecryptError::Unsupported)) => return ClientCert::Encrypted { path: k.path.clone() },
        }
    } else {
        key_pem
    };
    let Some(key_der) = crate::x509::private_key_der(key_pem) else {
        return unusable(format!("could not load private key file \"{}\": unsupported", k.path));
    };
    if crate::x509::private_key_public_bits(key_pem).as_deref() != Some(first.public_key_bits()) {
        return unusable(format!("certificate does not match private key file \"{}\": key values mismatch", k.path));
    }
    ClientCert::Loaded {
        subject: first.subject.clone(),
        issuer: first.issuer.clone(),
        auth: crate::tls::ClientAuth { chain: chain.iter().map(|c| c.der.clone()).collect(), key: key_der },
    }
}

/// Read the root store `profile` names as libpq would, then decide for `target` and `server`:
/// gathering and judging in one call, for the test matrix and one-off use (a run's verdicts are
/// derived from its facts).
pub fn libpq_verdict(
    profile: &ClientProfile,
    target: &crate::probe::ProbeTarget,
    server: &crate::verify::libpq::ServerSide,
) -> (crate::verify::Verdict, RootTrust) {
    let root = crate::trust::libpq_root(profile.root.source().as_ref());
    (crate::verify::libpq::decide_offered(profile, target, server, &root), root)
}

/// Read every root file the client stacks of `profiles` may read (the root file each names,
/// or libpq's default one), and the system store.
pub fn stack_files(profiles: &[&ClientProfile]) -> crate::verify::clients::StackFiles {
    use crate::trust::TrustSource;
    let mut f = crate::verify::clients::StackFiles::default();
    for p in profiles {
        if let crate::profile::RootCert::File { path, .. } = &p.root {
            f.files.entry(path.clone()).or_insert_with(|| crate::trust::libpq_root(Some(&TrustSource::File(path.clone()))));
        }
    }
    f.system = Some(crate::trust::libpq_root(Some(&TrustSource::System { ssl_cert_file: None })));
    f
}
