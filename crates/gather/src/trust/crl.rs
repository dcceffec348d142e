//! The certificate revocation lists libpq's OpenSSL checks the server against.
//!
//! libpq (`initialize_SSL` in fe-secure-openssl.c, PostgreSQL 14–18) loads CRLs only after it
//! loaded a root certificate *file* (not with `sslrootcert=system`, not without a root file):
//! `sslcrl` (else, when neither `sslcrl` nor `sslcrldir` is set, `~/.postgresql/root.crl`) and
//! `sslcrldir` go to `X509_STORE_load_locations`, and only when that call succeeds does libpq
//! set `X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL`. From then on *every* certificate of
//! the chain needs a CRL from its issuer. The call fails — and revocation is silently not
//! checked at all — when the file is missing or holds no PEM certificate or CRL; a directory
//! is only recorded (OpenSSL reads `<issuer hash>.r0`, `.r1`, … when it needs them), so
//! naming one always turns checking on, even when it is empty or missing.
//!
//! Not modelled: certificates inside the CRL file (OpenSSL adds them to the trust store too),
//! delta CRLs, indirect CRLs and issuing-distribution-point scopes, CRL critical extensions.

use std::path::{Path, PathBuf};



pub use pgtls_core::gathered::trust::Revocation;

/// How libpq would set up revocation checking once it has loaded a root certificate *file*
/// (the caller's condition). `sslcrl` is the configured file and whether it was named
/// explicitly (libpq's default `~/.postgresql/root.crl` counts only when `sslcrldir` is unset);
/// `None` when libpq checks no revocation (the CRL file does not load).
pub fn libpq_revocation(sslcrl: Option<(&str, bool)>, sslcrldir: Option<&str>) -> Option<Revocation> {
    let dir = sslcrldir.filter(|d| !d.is_empty()).map(PathBuf::from);
    let file = match sslcrl.filter(|(f, _)| !f.is_empty()) {
        Some((f, explicit)) if explicit || dir.is_none() => Some(PathBuf::from(f)),
        _ => None,
    };
    if file.is_none() && dir.is_none() {
        return None;
    }
    load_locations(file.as_deref().map(|f| (f, crate::files::read(f).ok())), dir.as_deref()).ok()
}

/// OpenSSL's `X509_STORE_load_locations(file, dir)`: the file must be PEM and hold at least one
/// certificate or CRL (`contents` is what could be read of it; `None`: unreadable), a directory
/// is only recorded. `Err` with OpenSSL's reason when the call fails (and so nothing is checked).
pub fn load_locations(file: Option<(&Path, Option<Vec<u8>>)>, dir: Option<&Path>) -> Result<Revocation, String> {
    let mut r = Revocation { file: file.as_ref().map(|(f, _)| f.to_path_buf()), dir: dir.map(Path::to_path_buf), crls: vec![], dir_crls: vec![], problems: vec![] };
    if let Some((f, data)) = file {
        let data = data.ok_or_else(|| "system lib (No such file or directory)".to_string())?;
        let blocks = pem::parse_many(&data).map_err(|_| "PEM lib (bad end line)".to_string())?;
        let objects = blocks.iter().filter(|b| matches!(b.tag(), "X509 CRL" | "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE")).count();
        if objects == 0 {
            return Err("no certificate or crl found".into());
        }
        for c in crate::x509::pem_crls(&data, &f.display().to_string()) {
            // A CRL block OpenSSL cannot decode fails the whole load.
            r.crls.push(c.map_err(|e| format!("ASN1 lib ({e})"))?);
        }
    }
    if let Some(d) = dir {
        read_dir(d, &mut r);
    }
    Ok(r)
}

/// The `<8 hex>.r<N>` files of `dir`, in OpenSSL's order (`.r0`, `.r1`, … up to the first gap).
fn read_dir(dir: &Path, r: &mut Revocation) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        r.problems.push(format!("{}: cannot be read", dir.display()));
        return;
    };
    let mut names: Vec<(u32, u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (hash, n) = name.split_once(".r")?;
            if hash.len() != 8 {
                return None;
            }
            Some((u32::from_str_radix(hash, 16).ok()?, n.parse().ok()?, e.path()))
        })
        .collect();
    names.sort();
    let mut expect: Option<(u32, u32)> = None;
    for (hash, n, path) in names {
        let next = match expect {
            Some((h, k)) if h == hash => k,
            _ => 0,
        };
        if n != next {
            r.problems.push(format!("{}: OpenSSL stops at the gap before it (no .r{next})", path.display()));
            continue;
        }
        expect = Some((hash, n + 1));
        let Ok(data) = crate::files::read(&path) else {
            r.problems.push(format!("{}: cannot be read", path.display()));
            continue;
        };
        for c in crate::x509::pem_crls(&data, &path.display().to_string()) {
            match c {
                Ok(c) => r.dir_crls.push((hash, c)),
                Err(e) => r.problems.push(e.to_string()),
            }
        }
    }
}
