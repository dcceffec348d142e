//! The verdict models — path building as OpenSSL does it, libpq's verdict, the other client
//! stacks' verdicts, rotation profiles — are the core's (`pgtls_core::verify`): they decide from
//! facts and read nothing. This module adds the one thing that reads for them, a rotation
//! profile given as a file, and keeps their tests, which gather real files and run the checks.

pub use pgtls_core::verify::*;

/// libpq's verdict (`pgtls_core::verify::libpq`).
pub mod libpq {
    pub use pgtls_core::verify::libpq::*;
    #[cfg(test)]
    mod tests;
}

/// The other client stacks' verdicts (`pgtls_core::verify::clients`).
pub mod clients {
    pub use pgtls_core::verify::clients::*;
    #[cfg(test)]
    mod tests;
}

/// Rotation profiles and their verdicts (`pgtls_core::verify::rotation`), and a profile read
/// from a file.
pub mod rotation {
    use std::path::Path;

    pub use pgtls_core::verify::rotation::*;

    /// A profile file; its `pem` is read relative to it.
    pub fn profile_from_file(path: &Path) -> Result<Profile, RotationError> {
        let name = path.display().to_string();
        let io = |p: &Path, source| RotationError::Io { name: name.clone(), path: p.to_path_buf(), source };
        let text = crate::files::read_text(path).map_err(|e| io(path, e))?;
        let head: Profile = toml::from_str(&text).map_err(|source| RotationError::Parse { name: name.clone(), source })?;
        let pem_path = path.parent().unwrap_or(Path::new(".")).join(&head.pem);
        let pem = crate::files::read(&pem_path).map_err(|e| io(&pem_path, e))?;
        Profile::from_parts(&name, &text, &pem)
    }

    #[cfg(test)]
    mod tests;
}

#[cfg(test)]
mod tests;
