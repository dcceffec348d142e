//! The only way pgtls opens a file: read-only, and on Linux with O_NOATIME when allowed (the
//! owner or root), so an audit leaves even the access time of what it reads unchanged
//! (without O_NOATIME, the first read of a freshly written file updates its atime under the
//! default `relatime` mount option). Nothing here writes.

use std::fs;
use std::io::Read;
use std::path::Path;

/// Open `path` for reading without touching its access time when the kernel allows it.
pub fn open(path: &Path) -> std::io::Result<fs::File> {
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

/// The most pgtls reads of one file it audits or is given (configuration, certificates,
/// keys, keystores, profiles, inventories, text to explain); logs are streamed instead.
pub const MAX_FILE: u64 = 64 << 20;

/// The whole file, up to [`MAX_FILE`].
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    read_limited(path, MAX_FILE)
}

/// The whole file as text (invalid UTF-8 replaced).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    read(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The file, or an `InvalidData` error when it is larger than `max` bytes (checked on the
/// open file, so a file that grows meanwhile is cut off rather than read without end).
pub fn read_limited(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let f = open(path)?;
    let mut buf = Vec::new();
    f.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} MB, the most pgtls reads of one file; is this the right file?", max >> 20),
        ));
    }
    Ok(buf)
}

/// The disk, as the core's configuration parsers read it (includes, `include_dir`): through
/// [`read`], and directories listed with `stat` following symbolic links, as the server does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl pgtls_core::config::Files for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        read(path)
    }

    fn regular_files(&self, dir: &Path) -> std::io::Result<Vec<String>> {
        Ok(fs::read_dir(dir)?
            .flatten()
            .filter(|e| fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }
}
