//! Certificate revocation lists, PEM and DER.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pgtls::x509::crl::pem_crls(data, "fuzz");
    if let Ok(c) = pgtls::x509::crl::Crl::from_der(data, "fuzz") {
        let _ = c.issuer_hash();
    }
    let _ = pgtls::x509::crl::name_hash(data);
});
