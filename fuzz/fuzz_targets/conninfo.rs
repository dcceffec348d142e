//! Connection strings and URIs: parse, then resolve as libpq would in an empty environment.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pgtls::conninfo::{self, Env, FileInfo};

struct Empty;
impl Env for Empty {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn home_dir(&self) -> Option<String> {
        Some("/nonexistent-fuzz-home".into())
    }
    fn read_file(&self, _: &str) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
    fn stat(&self, _: &str) -> Option<FileInfo> {
        None
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(info) = conninfo::parse(s) {
        let _ = conninfo::resolve(&info, &Empty);
    }
});
