//! Certificate files: PEM (any labels), DER, and the certificates in them.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pgtls::trust::parse_file(std::path::Path::new("fuzz.pem"), data);
    let _ = pgtls::x509::Cert::from_der(data, "fuzz");
    let _ = pgtls::x509::pem_certs(data);
});
