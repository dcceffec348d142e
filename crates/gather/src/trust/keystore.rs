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
//! second ASN.1 stack and syn 1 into the build).
//!
//! PKCS#12 is read with RustCrypto's `pkcs12` types and key derivation (RFC 7292) and decrypted
//! with the cipher generation `pkcs8` already builds: `pkcs5` for PBES2 (what keytool and
//! OpenSSL 3 write), `rc2`/`des` in CBC mode for the legacy PKCS#12 PBEs (what OpenSSL 1.x and
//! older keytools write). The `p12-keystore` crate used before brought a second RustCrypto
//! generation (29 crates) into the build for the same work.

use std::path::Path;

use cms::cert::x509::spki::AlgorithmIdentifierOwned;

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
    let bags = pkcs12_cert_bags(data, password).map_err(|e| match e {
        P12Error::WrongPassword => TrustError::WrongPassword { path: path.to_path_buf() },
        P12Error::Format(reason) => TrustError::Keystore { path: path.to_path_buf(), kind: "PKCS#12", reason },
    })?;
    let mut out = Vec::new();
    for (i, (name, der)) in bags.into_iter().enumerate() {
        let label = match name {
            Some(n) => format!("alias \"{n}\""),
            None => format!("bag {}", i + 1),
        };
        let cert = Cert::from_der(&der, &label).map_err(|e| TrustError::BadCert {
            path: path.to_path_buf(),
            entry: label.clone(),
            reason: e.reason().to_string(),
        })?;
        out.push((label, cert));
    }
    Ok(out)
}

/// A certificate bag: its friendlyName, if any, and the certificate's DER.
type Bag = (Option<String>, Vec<u8>);

/// Why a PKCS#12 file could not be read.
#[derive(Debug, PartialEq)]
enum P12Error {
    /// The integrity MAC did not match (or, in a file without one, the contents did not
    /// decrypt): the password is not this file's.
    WrongPassword,
    Format(String),
}

fn format_error(what: &str) -> impl Fn(der::Error) -> P12Error + '_ {
    move |e| P12Error::Format(format!("{what}: {e}"))
}

mod oid {
    use der::oid::ObjectIdentifier as Oid;
    // RFC 5652 (CMS) content types, RFC 8018 (PKCS #5) PBES2, RFC 9579 PBMAC1, RFC 2985
    // friendlyName, and the digests of RFC 7292's MacData (NIST/OIW registrations).
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
    pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
    pub const PBMAC1: Oid = Oid::new_unwrap("1.2.840.113549.1.5.14");
    pub const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
}

/// RFC 7292's structure, walked for certificate bags: PFX → authSafe (data) → ContentInfos,
/// each plain (data) or password-encrypted (encryptedData) → SafeBags, certBags kept, nested
/// safeContents bags followed, key bags skipped (a trust store's keys are not ours to open).
/// The MAC is checked first, as OpenSSL and Java do, so a wrong password is named as such.
fn pkcs12_cert_bags(data: &[u8], password: &str) -> Result<Vec<Bag>, P12Error> {
    use der::asn1::OctetString;
    use der::Decode;
    let pfx = pkcs12::pfx::Pfx::from_der(data).map_err(format_error("not a PKCS#12 file (PFX structure)"))?;
    if pfx.auth_safe.content_type != oid::DATA {
        return Err(P12Error::Format(format!(
            "its contents are signed with a public key ({}), not protected by a password: not supported",
            pfx.auth_safe.content_type
        )));
    }
    let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>().map_err(format_error("authSafe"))?;
    let auth_safe = auth_safe.as_bytes();
    if let Some(mac) = &pfx.mac_data {
        check_mac(mac, auth_safe, password)?;
    }
    let infos = Vec::<cms::content_info::ContentInfo>::from_der(auth_safe).map_err(format_error("authenticated safe"))?;
    let mut out = Vec::new();
    for info in infos {
        let contents = if info.content_type == oid::DATA {
            info.content.decode_as::<OctetString>().map_err(format_error("safe contents"))?.into_bytes()
        } else if info.content_type == oid::ENCRYPTED_DATA {
            let enc = info.content.decode_as::<cms::encrypted_data::EncryptedData>().map_err(format_error("encrypted data"))?;
            let Some(ciphertext) = enc.enc_content_info.encrypted_content else { continue };
            // Without a MAC, a wrong password shows only as contents that do not decrypt.
            decrypt(&enc.enc_content_info.content_enc_alg, ciphertext.as_bytes(), password)?
        } else {
            return Err(P12Error::Format(format!("content type {} (public-key encrypted) is not supported", info.content_type)));
        };
        collect_bags(&contents, &mut out, 0)?;
    }
    Ok(out)
}

/// Certificate bags of one SafeContents, nested safeContentsBags followed (at most a few deep).
fn collect_bags(contents: &[u8], out: &mut Vec<Bag>, depth: usize) -> Result<(), P12Error> {
    use der::asn1::{AnyRef, BmpString, OctetString};
    use der::Decode;
    if depth > 4 {
        return Err(P12Error::Format("safe contents nested more than four deep".into()));
    }
    let bags = pkcs12::safe_bag::SafeContents::from_der(contents).map_err(format_error("safe bags"))?;
    for bag in bags {
        // bagValue is `[0] EXPLICIT`: the bag proper is the tagged element's contents.
        let value = AnyRef::from_der(&bag.bag_value).map_err(format_error("bag value"))?.value();
        if bag.bag_id == pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID {
            collect_bags(value, out, depth + 1)?;
            continue;
        }
        if bag.bag_id != pkcs12::PKCS_12_CERT_BAG_OID {
            continue;
        }
        let cert = pkcs12::cert_type::CertBag::from_der(value).map_err(format_error("certificate bag"))?;
        if cert.cert_id != pkcs12::PKCS_12_X509_CERT_OID {
            continue;
        }
        let name = bag.bag_attributes.iter().flat_map(|set| set.iter()).find(|a| a.oid == oid::FRIENDLY_NAME).and_then(|a| {
            a.values.iter().next().and_then(|v| v.decode_as::<BmpString>().ok()).map(|b| b.to_string())
        });
        out.push((name, OctetString::into_bytes(cert.cert_value)));
    }
    Ok(())
}

/// RFC 7292 §5 and appendix B: HMAC over the authSafe with a key the PKCS#12 KDF (ID 3) derives
/// from the password. An empty password is tried both as an empty BMPString with its
/// terminator and as no bytes at all, as OpenSSL does.
fn check_mac(mac: &pkcs12::mac_data::MacData, body: &[u8], password: &str) -> Result<(), P12Error> {
    use hmac::digest::core_api::BlockSizeUser;
    use hmac::digest::{Digest, FixedOutputReset};
    use hmac::{Mac, SimpleHmac};
    fn verify<D: Digest + FixedOutputReset + BlockSizeUser + Clone>(pass: &[u8], mac: &pkcs12::mac_data::MacData, body: &[u8]) -> bool {
        let key = pkcs12::kdf::derive_key::<D>(pass, mac.mac_salt.as_bytes(), pkcs12::kdf::Pkcs12KeyType::Mac, mac.iterations, <D as Digest>::output_size());
        let Ok(mut h) = SimpleHmac::<D>::new_from_slice(&key) else { return false };
        Mac::update(&mut h, body);
        h.verify_slice(mac.mac.digest.as_bytes()).is_ok()
    }
    type Verify = fn(&[u8], &pkcs12::mac_data::MacData, &[u8]) -> bool;
    let verify: Verify = match mac.mac.algorithm.oid {
        a if a == oid::SHA1 => verify::<sha1::Sha1>,
        a if a == oid::SHA224 => verify::<sha2::Sha224>,
        a if a == oid::SHA256 => verify::<sha2::Sha256>,
        a if a == oid::SHA384 => verify::<sha2::Sha384>,
        a if a == oid::SHA512 => verify::<sha2::Sha512>,
        a if a == oid::PBMAC1 => return Err(P12Error::Format("its integrity MAC is PBMAC1 (RFC 9579), which pgtls does not check yet".into())),
        a => return Err(P12Error::Format(format!("its integrity MAC uses digest {a}, which pgtls does not know"))),
    };
    let bmp = bmp_password(password);
    let mut tries = vec![bmp.as_slice()];
    if password.is_empty() {
        tries.push(&[]);
    }
    if tries.iter().any(|pass| verify(pass, mac, body)) {
        Ok(())
    } else {
        Err(P12Error::WrongPassword)
    }
}

/// The password as RFC 7292 appendix B.1 wants it: UTF-16 big-endian with a two-byte terminator.
fn bmp_password(password: &str) -> Vec<u8> {
    let mut v: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    v.extend_from_slice(&[0, 0]);
    v
}

/// Decrypt one encryptedData's contents: PBES2 (RFC 8018, keytool's and OpenSSL 3's default:
/// the password as UTF-8 bytes) or one of RFC 7292 appendix C's PKCS#12 PBEs (OpenSSL 1.x's
/// and old keytools' default for certificates: RC2 or triple DES, key and IV from the PKCS#12
/// KDF over SHA-1).
fn decrypt(alg: &AlgorithmIdentifierOwned, ciphertext: &[u8], password: &str) -> Result<Vec<u8>, P12Error> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, InnerIvInit};
    use der::{Decode, Encode};
    use pkcs12::kdf::{derive_key, Pkcs12KeyType};
    if alg.oid == oid::PBES2 {
        // pkcs5 reads the whole AlgorithmIdentifier (PBKDF2 or scrypt, and the cipher).
        let der = alg.to_der().map_err(format_error("PBES2 parameters"))?;
        let scheme = pkcs5::EncryptionScheme::from_der(&der).map_err(format_error("PBES2 parameters"))?;
        return scheme.decrypt(password, ciphertext).map_err(|_| P12Error::WrongPassword);
    }
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| P12Error::Format("PBE without parameters".into()))?
        .decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>()
        .map_err(format_error("PBE parameters"))?;
    let (salt, rounds) = (params.salt.as_bytes(), params.iterations);
    let pass = bmp_password(password);
    let key = |n| derive_key::<sha1::Sha1>(&pass, salt, Pkcs12KeyType::EncryptionKey, rounds, n);
    let iv = derive_key::<sha1::Sha1>(&pass, salt, Pkcs12KeyType::Iv, rounds, 8);
    let bad = |_| P12Error::WrongPassword;
    let rc2 = |bits: usize| -> Result<Vec<u8>, P12Error> {
        let k = key(bits / 8);
        let c = rc2::Rc2::new_with_eff_key_len(&k, bits);
        cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(c, &iv)
            .map_err(|_| P12Error::Format("RC2 IV".into()))?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .map_err(bad)
    };
    match alg.oid {
        o if o == pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC => rc2(40),
        o if o == pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC => rc2(128),
        o if o == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => des_cbc::<des::TdesEde3>(&key(24), &iv, ciphertext),
        o if o == pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => des_cbc::<des::TdesEde2>(&key(16), &iv, ciphertext),
        o => Err(P12Error::Format(format!("contents encrypted with {o}, which pgtls does not know (RC4 and others are not supported)"))),
    }
}

/// Triple-DES (three keys or two) in CBC mode with PKCS#7 padding; bad padding means the
/// password derived the wrong key.
fn des_cbc<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, P12Error>
where
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher + cbc::cipher::KeyInit,
{
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| P12Error::Format("triple-DES key or IV of the wrong length".into()))?
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map_err(|_| P12Error::WrongPassword)
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

    /// PKCS#12 files as OpenSSL writes them: today's default (PBES2 with AES-256, SHA-256 MAC),
    /// `-legacy` (RC2-40 certificates, SHA-1 MAC), triple-DES certificates, plain certificates,
    /// no MAC, a SHA-512 MAC, and a key with its certificate (the key bag is not opened).
    #[test]
    fn pkcs12_made_by_openssl() {
        use super::{pkcs12_cert_bags, P12Error};
        let dir = tempfile::tempdir().unwrap();
        let root = CertKey::root("P12 Root").unwrap();
        let other = CertKey::root("P12 Other").unwrap();
        let both = dir.path().join("both.pem");
        std::fs::write(&both, format!("{}{}", root.cert_pem, other.cert_pem)).unwrap();
        let key = dir.path().join("key.pem");
        std::fs::write(&key, &root.key_pem).unwrap();
        let openssl = |args: &[&str], out: &std::path::Path| {
            let o = Command::new("openssl").args(["pkcs12", "-export", "-passout", "pass:s3cret"]).args(args).arg("-out").arg(out).output();
            match o {
                Ok(o) => assert!(o.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
                Err(e) => panic!("openssl (the CI installs it): {e}"),
            }
        };
        let b = both.to_str().unwrap();
        for (name, extra, mac) in [
            ("default", &[][..], true),
            ("legacy", &["-legacy"][..], true),
            ("3des", &["-certpbe", "PBE-SHA1-3DES"][..], true),
            ("plain", &["-certpbe", "NONE"][..], true),
            ("nomac", &["-nomac"][..], false),
            ("sha512", &["-macalg", "sha512"][..], true),
        ] {
            let f = dir.path().join(format!("{name}.p12"));
            let mut args = vec!["-nokeys", "-in", b];
            args.extend_from_slice(extra);
            openssl(&args, &f);
            let data = std::fs::read(&f).unwrap();
            let bags = pkcs12_cert_bags(&data, "s3cret").unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let ders: Vec<&[u8]> = bags.iter().map(|(_, d)| d.as_slice()).collect();
            assert_eq!(ders, [root.der.as_slice(), other.der.as_slice()], "{name}");
            if mac {
                assert_eq!(pkcs12_cert_bags(&data, "wrong").unwrap_err(), P12Error::WrongPassword, "{name}");
            }
            for cut in [1, data.len() / 3, data.len() - 1] {
                assert!(matches!(pkcs12_cert_bags(&data[..cut], "s3cret"), Err(P12Error::Format(_))), "{name} cut at {cut}");
            }
        }
        let f = dir.path().join("key.p12");
        openssl(&["-inkey", key.to_str().unwrap(), "-in", b, "-name", "with key"], &f);
        let bags = pkcs12_cert_bags(&std::fs::read(&f).unwrap(), "s3cret").unwrap();
        assert_eq!(bags.len(), 2);
        assert_eq!(bags[0].0.as_deref(), Some("with key"));
        // A certificate with an empty password (OpenSSL's `-passout pass:`).
        let f = dir.path().join("empty.p12");
        let o = Command::new("openssl").args(["pkcs12", "-export", "-nokeys", "-passout", "pass:", "-in", b, "-out"]).arg(&f).output().unwrap();
        assert!(o.status.success());
        assert_eq!(pkcs12_cert_bags(&std::fs::read(&f).unwrap(), "").unwrap().len(), 2);
    }
}
