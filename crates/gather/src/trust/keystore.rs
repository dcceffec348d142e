//! Java keystores (JKS and PKCS#12) as trust stores.
//!
//! JDBC clients (pgjdbc with `sslfactory=DefaultJavaSSLFactory`, or the JVM's `cacerts`) trust
//! what is in a keystore, not what is in `root.crt`; a rotation that adds a root to the system
//! bundle does nothing for them. Entries are labelled by alias so the user can `keytool -delete`
//! the right one.
//!
//! JKS is read here, not by a crate: the format is a flat list of length-prefixed fields and
//! one keyed SHA-1 digest (OpenJDK's `JavaKeyStore.engineLoad` and `getPreKeyedHash`, read at
//! openjdk/jdk@02f46daf12c5a4d6bdd95df2f3be48eb26aa484a
//! src/java.base/share/classes/sun/security/provider/JavaKeyStore.java), trust stores hold no
//! key we need to decrypt, and every length is checked against the file before it is used (the
//! crate used before sized its allocations from them, and needed a pre-scan; it also brought a
//! second ASN.1 stack and syn 1 into the build). PKCS#12 needs password-based decryption and
//! stays with `p12-keystore`.

use std::path::Path;

use super::{Cert, TrustError};

const JKS_MAGIC: u32 = 0xFEED_FEED;

/// One JKS entry: its alias and the certificates it holds (a trusted certificate, or the
/// chain of a key entry), DER as stored.
struct JksEntry {
    alias: String,
    certs: Vec<Vec<u8>>,
}

/// A JKS file's entries and where its integrity digest starts.
struct Jks {
    entries: Vec<JksEntry>,
    body_len: usize,
}

/// Walk the JKS structure, every length checked against what is left of the file.
fn parse_jks(data: &[u8]) -> Result<Jks, String> {
    struct Cur<'a>(&'a [u8]);
    impl<'a> Cur<'a> {
        fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
            if n > self.0.len() {
                return Err(format!("length {n} runs past the end of the file (truncated?)"));
            }
            let (a, b) = self.0.split_at(n);
            self.0 = b;
            Ok(a)
        }
        fn u16(&mut self) -> Result<usize, String> {
            let b = self.take(2)?;
            Ok(u16::from_be_bytes([b[0], b[1]]) as usize)
        }
        fn u32(&mut self) -> Result<usize, String> {
            let b = self.take(4)?;
            Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        }
        /// Java's `readUTF`: a 2-byte length and (modified) UTF-8.
        fn utf(&mut self) -> Result<String, String> {
            let n = self.u16()?;
            Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
        }
    }
    let mut c = Cur(data);
    if c.u32()? as u32 != JKS_MAGIC {
        return Err("not a JKS file (bad magic)".into());
    }
    let version = c.u32()?;
    if version != 1 && version != 2 {
        return Err(format!("unknown JKS version {version}"));
    }
    let count = c.u32()?;
    // Version 2 names each certificate's type; version 1 has only X.509.
    let cert = |c: &mut Cur| -> Result<Option<Vec<u8>>, String> {
        let x509 = if version == 2 { c.utf()? == "X.509" } else { true };
        let n = c.u32()?;
        let der = c.take(n)?;
        Ok(x509.then(|| der.to_vec()))
    };
    let mut entries = Vec::new();
    for i in 0..count {
        let at = |e: String| format!("entry {}: {e}", i + 1);
        let tag = c.u32().map_err(at)?;
        let alias = c.utf().map_err(at)?;
        c.take(8).map_err(at)?; // creation date
        let mut certs = Vec::new();
        match tag {
            1 => {
                let n = c.u32().map_err(at)?;
                c.take(n).map_err(at)?; // the protected private key: not ours to open
                let chain = c.u32().map_err(at)?;
                if chain > c.0.len() / 4 {
                    return Err(at(format!("implausible chain length {chain}")));
                }
                for _ in 0..chain {
                    certs.extend(cert(&mut c).map_err(at)?);
                }
            }
            2 => certs.extend(cert(&mut c).map_err(at)?),
            t => return Err(at(format!("unknown entry tag {t}"))),
        }
        entries.push(JksEntry { alias, certs });
    }
    let body_len = data.len() - c.0.len();
    c.take(20).map_err(|e| format!("integrity digest: {e}"))?;
    Ok(Jks { entries, body_len })
}

/// The keyed digest a JKS file ends with: SHA-1 over the password as UTF-16BE, the words
/// "Mighty Aphrodite" and the body (OpenJDK's `getPreKeyedHash`).
fn jks_digest(password: &str, body: &[u8]) -> Vec<u8> {
    use aws_lc_rs::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY};
    let mut ctx = Context::new(&SHA1_FOR_LEGACY_USE_ONLY);
    let pass: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    ctx.update(&pass);
    ctx.update(b"Mighty Aphrodite");
    ctx.update(body);
    ctx.finish().as_ref().to_vec()
}

/// Certificates of a JKS keystore: trusted-certificate entries and the chains of key entries,
/// by alias.
pub fn read_jks(path: &Path, data: &[u8], password: &str) -> Result<Vec<(String, Cert)>, TrustError> {
    let bad = |reason: String| TrustError::Keystore { path: path.to_path_buf(), kind: "JKS", reason };
    let mut jks = parse_jks(data).map_err(bad)?;
    if jks_digest(password, &data[..jks.body_len]) != data[jks.body_len..jks.body_len + 20] {
        return Err(TrustError::WrongPassword { path: path.to_path_buf() });
    }
    jks.entries.sort_by(|a, b| a.alias.cmp(&b.alias));
    let mut out = Vec::new();
    for JksEntry { alias, certs } in jks.entries {
        for (n, der) in certs.iter().enumerate() {
            let label = if certs.len() > 1 { format!("alias \"{alias}\" chain[{n}]") } else { format!("alias \"{alias}\"") };
            let cert = Cert::from_der(der, &label).map_err(|e| TrustError::BadCert {
                path: path.to_path_buf(),
                entry: label.clone(),
                reason: e.reason().to_string(),
            })?;
            out.push((label, cert));
        }
    }
    Ok(out)
}

/// Certificates of a PKCS#12 keystore (every certificate bag, trusted or not, in file order).
pub fn read_pkcs12(
    path: &Path,
    data: &[u8],
    password: &str,
) -> Result<Vec<(String, Cert)>, TrustError> {
    let archive = match p12_keystore::Pkcs12Archive::from_pkcs12(data, password) {
        Ok(a) => a,
        Err(p12_keystore::error::Error::MacError(_)) => {
            return Err(TrustError::WrongPassword {
                path: path.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(TrustError::Keystore {
                path: path.to_path_buf(),
                kind: "PKCS#12",
                reason: e.to_string(),
            })
        }
    };
    let mut out = Vec::new();
    for (i, bag) in archive.certs.iter().enumerate() {
        let label = match &bag.friendly_name {
            Some(n) => format!("alias \"{n}\""),
            None => format!("bag {}", i + 1),
        };
        let cert = Cert::from_der(bag.cert.as_der(), &label).map_err(|e| TrustError::BadCert {
            path: path.to_path_buf(),
            entry: label.clone(),
            reason: e.reason().to_string(),
        })?;
        out.push((label, cert));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use pgtls_lab::CertKey;
    use super::super::{load, sniff, CertKind, TrustSource};
    use std::process::Command;

    fn keytool() -> Option<&'static str> {
        let k = "/usr/bin/keytool";
        if std::path::Path::new(k).exists() {
            Some(k)
        } else {
            eprintln!("skipping: keytool (Java JRE) not installed at {k}");
            None
        }
    }

    fn import(
        kt: &str,
        store: &std::path::Path,
        ty: &str,
        alias: &str,
        cert: &std::path::Path,
        pass: &str,
    ) {
        let out = Command::new(kt)
            .args([
                "-importcert",
                "-noprompt",
                "-storetype",
                ty,
                "-alias",
                alias,
                "-storepass",
                pass,
            ])
            .arg("-keystore")
            .arg(store)
            .arg("-file")
            .arg(cert)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "keytool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn check(ty: &str) {
        let Some(kt) = keytool() else { return };
        let root = CertKey::root("KS Root").unwrap();
        let inter = root.intermediate("KS Inter").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (r, i) = (dir.path().join("r.pem"), dir.path().join("i.pem"));
        std::fs::write(&r, &root.cert_pem).unwrap();
        std::fs::write(&i, &inter.cert_pem).unwrap();
        let ks = dir.path().join(format!("store.{ty}"));
        import(kt, &ks, ty, "myroot", &r, "changeit");
        import(kt, &ks, ty, "pinned", &i, "changeit");

        let src = sniff(&ks, None).unwrap();
        match (&src, ty) {
            (TrustSource::Jks { .. }, "JKS") | (TrustSource::Pkcs12 { .. }, "PKCS12") => {}
            _ => panic!("sniffed {src:?} for {ty}"),
        }
        let store = load(&src).unwrap();
        let got: Vec<(String, CertKind)> = store
            .entries
            .iter()
            .map(|e| (e.label.clone(), e.cert.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("alias \"myroot\"".to_string(), CertKind::Root),
                ("alias \"pinned\"".to_string(), CertKind::Intermediate)
            ],
            "{ty}"
        );

        let wrong = match src {
            TrustSource::Jks { path, .. } => TrustSource::Jks {
                path,
                password: "wrong-pass".into(),
            },
            TrustSource::Pkcs12 { path, .. } => TrustSource::Pkcs12 {
                path,
                password: "wrong-pass".into(),
            },
            _ => unreachable!(),
        };
        match load(&wrong) {
            Err(e) => {
                let s = e.to_string();
                assert!(
                    s.contains("wrong keystore password") && s.contains(&format!("store.{ty}")),
                    "{s}"
                );
            }
            // Recent JDKs write certificate-only PKCS#12 stores without a MAC: any password opens them.
            Ok(s) => assert!(
                ty == "PKCS12" && s.entries.len() == 2,
                "{ty} opened with a wrong password"
            ),
        }
    }

    #[test]
    fn jks_made_by_keytool() {
        check("JKS");
    }

    #[test]
    fn pkcs12_made_by_keytool() {
        check("PKCS12");
    }

    #[test]
    fn truncated_jks_is_an_error_not_a_crash() {
        let Some(kt) = keytool() else { return };
        let root = CertKey::root("KS Root").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path().join("r.pem");
        std::fs::write(&r, &root.cert_pem).unwrap();
        let ks = dir.path().join("t.jks");
        import(kt, &ks, "JKS", "a", &r, "changeit");
        let data = std::fs::read(&ks).unwrap();
        for cut in [5, 13, 30, data.len() / 2, data.len() - 1] {
            let p = dir.path().join("cut.jks");
            std::fs::write(&p, &data[..cut]).unwrap();
            let e = load(&TrustSource::Jks {
                path: p,
                password: "changeit".into(),
            })
            .unwrap_err()
            .to_string();
            assert!(e.contains("cut.jks"), "{e}");
        }
    }

    #[test]
    fn debian_java_cacerts() {
        let p = std::path::Path::new("/etc/ssl/certs/java/cacerts");
        if !p.exists() {
            eprintln!("skipping: no Java cacerts at {}", p.display());
            return;
        }
        let src = sniff(p, None).unwrap();
        let s = load(&src).unwrap();
        assert!(s.entries.len() > 100, "{}", s.entries.len());
        assert!(s
            .entries
            .iter()
            .any(|e| e.cert.subject.contains("DigiCert Global Root G2")));
    }
}
