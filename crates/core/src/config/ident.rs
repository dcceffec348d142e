//! pg_ident.conf: user-name maps, and the line that would make a mapping work.
//!
//! With `cert` authentication the server compares the certificate's CN (or DN) with the
//! requested database user, through a `map=` when one is given. When that fails the
//! client only sees "certificate authentication failed for user"; the cause is a missing
//! or non-matching map line. This module evaluates a map exactly as the server does
//! (first matching line, regex with `\1` substitution, PG16 `all`/`+group`) and, when
//! nothing matches, writes the line to add. The `all`, `+group` and regex forms of the
//! database-user column are PostgreSQL 16 features; PostgreSQL 15 and older compare that
//! column literally (after `\1` substitution).

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::hba::{expand_include, include_kind, tokenize, Token};
use super::{Files, NoFiles};
use super::pgconf::MAX_DEPTH;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IdentError {
    #[error("{file}:{line}: {message}")]
    Line { file: PathBuf, line: u32, message: String },
    #[error("could not open usermap file \"{file}\": {reason}; check the path and permissions")]
    Unreadable { file: PathBuf, reason: String },
    #[error("could not open file \"{file}\": maximum nesting depth exceeded; an include loop?")]
    TooDeep { file: PathBuf },
}

impl IdentError {
    /// The error as a message (its English is the `Display` text); a line's message is the
    /// server's own words about it and stays as written.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            IdentError::Line { file, line, message } => say!("error.file-line", file = file.display(), line = line, message = message),
            IdentError::Unreadable { file, reason } => say!("error.ident.unreadable", file = file.display(), reason = reason),
            IdentError::TooDeep { file } => say!("error.auth-file.too-deep", file = file.display()),
        }
    }
}

/// One `mapname system-username pg-username` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentLine {
    pub file: PathBuf,
    pub line: u32,
    pub map: String,
    pub system_user: Token,
    pub pg_user: Token,
}

impl IdentLine {
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// A parsed pg_ident.conf.
#[derive(Debug, Clone, Default)]
pub struct Ident {
    pub lines: Vec<IdentLine>,
    pub files: Vec<PathBuf>,
}

/// The outcome of a map lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentDecision {
    /// This line lets `system_user` connect as `pg_user`.
    Matched { location: String },
    /// A line matched only through role membership (`+group`), which the file cannot tell.
    NeedsMembership { location: String, role: String },
    /// No line matched; the server logs `no match in usermap ...`. `suggestion` is a line
    /// to append; `regex_suggestion` one that admits every user of the same domain.
    NoMatch { map_exists: bool, suggestion: String, regex_suggestion: Option<String>, server_log: String },
    /// A regex line was unusable (bad regex or `\1` without a group); the server rejects it.
    Invalid { location: String, message: String },
}

impl Ident {
    pub fn load(path: &Path, files: &dyn Files) -> Result<Ident, IdentError> {
        let mut i = Ident::default();
        i.load_file(files, path, 0, true)?;
        Ok(i)
    }

    pub fn parse_str(text: &str, name: &Path) -> Result<Ident, IdentError> {
        let mut i = Ident::default();
        i.parse_text(&NoFiles, text, name, 0)?;
        Ok(i)
    }

    fn load_file(&mut self, files: &dyn Files, path: &Path, depth: usize, strict: bool) -> Result<(), IdentError> {
        if depth > MAX_DEPTH {
            return Err(IdentError::TooDeep { file: path.to_path_buf() });
        }
        let text = match files.read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !strict => return Ok(()),
            Err(e) => return Err(IdentError::Unreadable { file: path.to_path_buf(), reason: e.to_string() }),
        };
        self.files.push(path.to_path_buf());
        self.parse_text(files, &text, path, depth)
    }

    fn parse_text(&mut self, files: &dyn Files, text: &str, file: &Path, depth: usize) -> Result<(), IdentError> {
        for (line, _raw, fields) in tokenize(text) {
            let err = |m: &str| IdentError::Line { file: file.to_path_buf(), line, message: m.to_string() };
            if let Some(kind) = include_kind(&fields[0][0]) {
                let target = fields.get(1).and_then(|f| f.first()).ok_or_else(|| err("missing file name after include"))?;
                for (p, strict) in expand_include(files, kind, &target.text, file).map_err(|m| err(&m))? {
                    self.load_file(files, &p, depth + 1, strict)?;
                }
                continue;
            }
            let single = |i: usize, what: &str| -> Result<Token, IdentError> {
                match fields.get(i) {
                    None => Err(err(&format!("missing entry at end of line (expected {what})"))),
                    Some(f) if f.len() > 1 => Err(err(&format!("multiple values in ident field ({what})"))),
                    Some(f) => Ok(f[0].clone()),
                }
            };
            let map = single(0, "map name")?.text;
            let system_user = single(1, "system user name")?;
            let pg_user = single(2, "database user name")?;
            if fields.len() > 3 {
                return Err(err("extra fields at end of line"));
            }
            if let Some(re) = system_user.regex() {
                regex::Regex::new(re).map_err(|e| err(&format!("invalid regular expression \"{re}\": {e}")))?;
            }
            self.lines.push(IdentLine { file: file.to_path_buf(), line, map, system_user, pg_user });
        }
        Ok(())
    }

    /// Evaluate `map` for a client authenticated as `system_user` asking for `pg_user`.
    pub fn evaluate(&self, map: &str, system_user: &str, pg_user: &str) -> IdentDecision {
        evaluate(self, map, system_user, pg_user)
    }
}

/// See [`Ident::evaluate`].
pub fn evaluate(ident: &Ident, map: &str, system_user: &str, pg_user: &str) -> IdentDecision {
    let mut map_exists = false;
    for l in ident.lines.iter().filter(|l| l.map == map) {
        map_exists = true;
        let mut wanted = l.pg_user.text.clone();
        let mut substituted = false;
        if let Some(re) = l.system_user.regex() {
            let Ok(rx) = regex::Regex::new(re) else {
                return IdentDecision::Invalid { location: l.location(), message: format!("invalid regular expression \"{re}\"") };
            };
            let Some(caps) = rx.captures(system_user) else { continue };
            if wanted.contains("\\1") {
                let Some(g) = caps.get(1) else {
                    return IdentDecision::Invalid {
                        location: l.location(),
                        message: format!(
                            "regular expression \"{re}\" has no subexpressions as requested by backreference in \"{wanted}\""
                        ),
                    };
                };
                wanted = wanted.replacen("\\1", g.as_str(), 1);
                substituted = true;
            }
        } else if l.system_user.text != system_user {
            continue;
        }
        let pg = Token { text: wanted, quoted: l.pg_user.quoted };
        if pg.is_kw("all") {
            return IdentDecision::Matched { location: l.location() };
        }
        if let Some(role) = pg.group() {
            if role == pg_user {
                return IdentDecision::Matched { location: l.location() };
            }
            return IdentDecision::NeedsMembership { location: l.location(), role: role.to_string() };
        }
        if !substituted {
            if let Some(re) = pg.regex() {
                if regex::Regex::new(re).is_ok_and(|r| r.is_match(pg_user)) {
                    return IdentDecision::Matched { location: l.location() };
                }
                continue;
            }
        }
        if pg.text == pg_user {
            return IdentDecision::Matched { location: l.location() };
        }
    }
    let regex_suggestion = system_user.split_once('@').map(|(_, domain)| {
        format!("{map}  /^.*@{}$  {}", regex::escape(domain), quote(pg_user))
    });
    IdentDecision::NoMatch {
        map_exists,
        suggestion: format!("{map}  {}  {}", quote(system_user), quote(pg_user)),
        regex_suggestion,
        server_log: format!(
            "no match in usermap \"{map}\" for user \"{pg_user}\" authenticated as \"{system_user}\""
        ),
    }
}

/// Quote a token for an auth file when it would otherwise be split or read as a keyword.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || matches!(c, '"' | '#' | ','))
        && !matches!(s, "all" | "sameuser" | "samerole" | "samegroup" | "replication")
        && !s.starts_with(['+', '@', '/']);
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ident(text: &str) -> Ident {
        Ident::parse_str(text, Path::new("/d/pg_ident.conf")).unwrap()
    }

    #[test]
    fn seed_case_suggests_the_missing_line() {
        let i = ident("# MAPNAME SYSTEM-USERNAME PG-USERNAME\nothermap foo@example.com bob\n");
        match i.evaluate("kongmap", "foo@example.com", "kong") {
            IdentDecision::NoMatch { map_exists, suggestion, regex_suggestion, server_log } => {
                assert!(!map_exists);
                assert_eq!(suggestion, "kongmap  foo@example.com  kong");
                assert_eq!(regex_suggestion.as_deref(), Some("kongmap  /^.*@example\\.com$  kong"));
                assert_eq!(server_log, "no match in usermap \"kongmap\" for user \"kong\" authenticated as \"foo@example.com\"");
            }
            other => panic!("{other:?}"),
        }
        // and the suggestion, once added, works
        let fixed = ident("kongmap  foo@example.com  kong\n");
        assert_eq!(fixed.evaluate("kongmap", "foo@example.com", "kong"), IdentDecision::Matched { location: "/d/pg_ident.conf:1".into() });
        let fixed = ident("kongmap  /^.*@example\\.com$  kong\n");
        assert!(matches!(fixed.evaluate("kongmap", "foo@example.com", "kong"), IdentDecision::Matched { .. }));
    }

    #[test]
    fn evaluation_table() {
        let i = ident(
            "m  alice  alice\n\
             m  /^(.*)@example\\.com$  \\1\n\
             m  root  all\n\
             m  ops  +admins\n\
             m  bad  /^web_.*$\n\
             n  /^x$  \\1\n",
        );
        let table = [
            ("m", "alice", "alice", "Matched 1"),
            ("m", "bob@example.com", "bob", "Matched 2"),
            ("m", "bob@example.com", "kong", "NoMatch"),
            ("m", "bob@example.org", "bob", "NoMatch"),
            ("m", "root", "anything", "Matched 3"),
            ("m", "ops", "admins", "Matched 4"),
            ("m", "ops", "carol", "NeedsMembership 4"),
            ("m", "bad", "web_1", "Matched 5"),
            ("m", "bad", "db_1", "NoMatch"),
            ("n", "x", "x", "Invalid 6"),
            ("zz", "alice", "alice", "NoMatch"),
        ];
        for (map, sys, pg, expected) in table {
            let got = match i.evaluate(map, sys, pg) {
                IdentDecision::Matched { location } => format!("Matched {}", location.rsplit(':').next().unwrap()),
                IdentDecision::NeedsMembership { location, .. } => format!("NeedsMembership {}", location.rsplit(':').next().unwrap()),
                IdentDecision::Invalid { location, .. } => format!("Invalid {}", location.rsplit(':').next().unwrap()),
                IdentDecision::NoMatch { .. } => "NoMatch".into(),
            };
            assert_eq!(got, expected, "{map} {sys} {pg}");
        }
    }

    #[test]
    fn quoting_and_errors() {
        assert_eq!(quote("CN=foo bar"), "\"CN=foo bar\"");
        assert_eq!(quote("all"), "\"all\"");
        assert_eq!(quote("kong"), "kong");
        let e = Ident::parse_str("m a\n", Path::new("/d/i")).unwrap_err().to_string();
        assert!(e.starts_with("/d/i:1: missing entry"), "{e}");
        let e = Ident::parse_str("m /a( b\n", Path::new("/d/i")).unwrap_err().to_string();
        assert!(e.contains("invalid regular expression"), "{e}");
        let e = Ident::parse_str("m a b c\n", Path::new("/d/i")).unwrap_err().to_string();
        assert!(e.contains("extra fields"), "{e}");
    }
}
