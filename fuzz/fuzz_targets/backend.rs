//! What a server sends before and during the startup phase: the SSLRequest answer byte,
//! ErrorResponse bodies, and a stream of backend messages.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::wire::{startup::parse_backend, ErrorResponse, SslReply};

fuzz_target!(|data: &[u8]| {
    if let Some(&b) = data.first() {
        let _ = SslReply::from_byte(b);
    }
    if let Some(w) = data.get(..4) {
        let _ = ErrorResponse::body_len([w[0], w[1], w[2], w[3]]);
    }
    let _ = ErrorResponse::parse(data);
    let mut rest = data;
    while let Ok(Some((_, used))) = parse_backend(rest) {
        assert!(used > 0 && used <= rest.len());
        rest = &rest[used..];
    }
});
