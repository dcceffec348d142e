//! Connection targets as libpq sees them: the parsing and libpq's resolution rules are the
//! core's (`pgtls_core::conninfo`, pure over the [`Env`] trait); this module adds the real
//! machine behind that trait — the process's environment, its user's home directory and files.

pub use pgtls_core::conninfo::*;

/// The real process environment and file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemEnv;

impl Env for SystemEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn home_dir(&self) -> Option<String> {
        std::env::var("HOME")
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| passwd_entry().map(|(_, home)| home))
    }

    /// libpq asks the passwd database for the effective user; `$USER` is only a fallback
    /// here for systems where that entry cannot be read without libc.
    fn os_user(&self) -> Option<String> {
        match self.platform() {
            Platform::Unix => passwd_entry()
                .map(|(name, _)| name)
                .or_else(|| self.var("USER"))
                .or_else(|| self.var("LOGNAME")),
            Platform::Windows => self.var("USERNAME"),
        }
    }

    fn read_file(&self, path: &str) -> std::io::Result<Vec<u8>> {
        crate::files::read(std::path::Path::new(path))
    }

    fn stat(&self, path: &str) -> Option<FileInfo> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileInfo {
            is_file: meta.is_file(),
            mode: unix_mode(&meta),
        })
    }

    fn platform(&self) -> Platform {
        if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// Name and home directory of the process's user from `/etc/passwd` (Linux), if listed.
#[cfg(unix)]
fn passwd_entry() -> Option<(String, String)> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 6 && f[2].parse::<u32>().ok()? == uid)
            .then(|| (f[0].to_string(), f[5].to_string()))
    })
}

#[cfg(not(unix))]
fn passwd_entry() -> Option<(String, String)> {
    None
}

#[cfg(unix)]
fn unix_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn unix_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_env_reads_process() {
        let r = resolve(&parse("").expect("an empty connection string parses"), &SystemEnv);
        // Whatever the machine's PG* variables are, resolving must not panic; with a
        // clean environment it succeeds.
        if std::env::vars().all(|(k, _)| !k.starts_with("PG")) {
            let r = r.unwrap_or_else(|e| panic!("{e}"));
            assert!(r.user.is_some() || SystemEnv.os_user().is_none());
        }
    }
}
