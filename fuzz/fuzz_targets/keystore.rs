//! Java keystores (JKS) and PKCS#12 files, with the default password.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::trust::keystore::{read_jks, read_pkcs12};

fuzz_target!(|data: &[u8]| {
    let p = std::path::Path::new("fuzz.ks");
    let _ = read_jks(p, data, "changeit");
    let _ = read_pkcs12(p, data, "changeit");
});
