//! The raw scanner's parser of a server's TLS records (ServerHello, Certificate,
//! ServerKeyExchange, alerts), at both stopping points, partial and final.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::tls::scan::parse::{parse_final, parse_reply, Want};

fuzz_target!(|data: &[u8]| {
    for want in [Want::ServerHello, Want::KeyExchange] {
        let _ = parse_reply(data, want);
        let _ = parse_final(data, want);
    }
});
