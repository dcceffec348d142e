//! Read-only parsers for server and gateway/driver configuration files.
//!
//! pgtls diagnoses TLS problems from both ends: what the server is configured to do
//! (postgresql.conf, pg_hba.conf, pg_ident.conf) and what a client is configured to
//! expect (Kong's kong.conf, a pgJDBC URL). Each parser keeps file and line for every
//! fact so findings can say exactly where to edit, and never writes to what it reads.

pub mod client;
pub mod hba;
pub mod ident;
pub mod jdbc;
pub mod kong;
pub mod pgconf;
pub mod server;

use std::fs;
use std::path::Path;

/// Read a file for auditing: read-only, and on Linux without touching its access time
/// when we are allowed to (O_NOATIME needs ownership or CAP_FOWNER).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    read_bytes(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// See [`read_text`].
pub fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_noatime(path)?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

fn open_noatime(path: &Path) -> std::io::Result<fs::File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NOATIME: i32 = 0o1000000;
        if let Ok(f) = fs::OpenOptions::new().read(true).custom_flags(O_NOATIME).open(path) {
            return Ok(f);
        }
    }
    fs::File::open(path)
}
