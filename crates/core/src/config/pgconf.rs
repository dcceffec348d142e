//! postgresql.conf, read the way the server reads it.
//!
//! A diagnosis is only useful if it describes the configuration the server will actually
//! load, so this follows PostgreSQL's own lexer and parser (`guc-file.l`) rule for rule:
//! the same token classes, the same quoting and escapes, the same include semantics and
//! nesting limit, the same "last one wins" rule, and `postgresql.auto.conf` from the data
//! directory read last. Syntax errors are reported in the server's own words so that a
//! user can match them with the server log. Every setting keeps its file and line, so a
//! finding can point at the exact place to edit.
//!
//! Nothing here writes: files are only opened for reading.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{Files, NoFiles};

/// PostgreSQL's `CONF_FILE_MAX_DEPTH`.
pub const MAX_DEPTH: usize = 10;

/// The file PostgreSQL reads after postgresql.conf (`PG_AUTOCONF_FILENAME`).
pub const AUTO_CONF: &str = "postgresql.auto.conf";

/// Why a configuration file could not be read as the server would read it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PgConfError {
    /// Same text as the server's message, which it logs before refusing the file.
    #[error("syntax error in file \"{file}\" line {line}, near token \"{token}\"; fix that line (a value with spaces or special characters needs single quotes)")]
    Syntax { file: PathBuf, line: u32, token: String },
    #[error("syntax error in file \"{file}\" line {line}, near end of line; the setting on that line has no value")]
    SyntaxEol { file: PathBuf, line: u32 },
    #[error("could not open configuration file \"{file}\": {reason} (included from {from}); create it or use include_if_exists")]
    MissingInclude { file: PathBuf, from: String, reason: String },
    #[error("could not open configuration file \"{file}\": {reason}; check the path and that this user may read it")]
    Unreadable { file: PathBuf, reason: String },
    #[error("could not open configuration directory \"{dir}\": {reason} (included from {from})")]
    UnreadableDir { dir: PathBuf, from: String, reason: String },
    #[error("could not open configuration file \"{file}\": maximum nesting depth exceeded (included from {from}); an include loop?")]
    TooDeep { file: PathBuf, from: String },
    /// A file that includes itself directly.
    #[error("configuration file recursion in \"{file}\" (line {line} includes the file itself); remove that include")]
    Recursion { file: PathBuf, line: u32 },
}

impl PgConfError {
    /// The error as a message (its English is the `Display` text).
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            PgConfError::Syntax { file, line, token } => say!("error.pgconf.syntax", file = file.display(), line = line, token = token),
            PgConfError::SyntaxEol { file, line } => say!("error.pgconf.syntax-eol", file = file.display(), line = line),
            PgConfError::MissingInclude { file, from, reason } => say!("error.pgconf.missing-include", file = file.display(), reason = reason, from = from),
            PgConfError::Unreadable { file, reason } => say!("error.pgconf.unreadable", file = file.display(), reason = reason),
            PgConfError::UnreadableDir { dir, from, reason } => say!("error.pgconf.unreadable-dir", dir = dir.display(), reason = reason, from = from),
            PgConfError::TooDeep { file, from } => say!("error.pgconf.too-deep", file = file.display(), from = from),
            PgConfError::Recursion { file, line } => say!("error.pgconf.recursion", file = file.display(), line = line),
        }
    }
}

/// One `name = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfLine {
    /// Lower-cased, as PostgreSQL compares names case-insensitively.
    pub name: String,
    /// The value after de-quoting.
    pub value: String,
    pub file: PathBuf,
    pub line: u32,
}

impl ConfLine {
    /// `file:line`, for finding details.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }

    pub fn as_bool(&self) -> Option<bool> {
        parse_bool(&self.value)
    }

    pub fn as_int(&self) -> Option<i64> {
        parse_int(&self.value)
    }
}

/// The settings of a server, in the order the server applies them.
#[derive(Debug, Clone, Default)]
pub struct PgConf {
    /// Every setting line, include files expanded in place, auto.conf last.
    pub settings: Vec<ConfLine>,
    /// Files read, in order (for auditing their metadata).
    pub files: Vec<PathBuf>,
    /// Missing `include_if_exists` files the server would skip with a LOG line.
    pub skipped: Vec<PathBuf>,
    /// The data directory used to resolve relative SSL file names.
    pub data_dir: PathBuf,
}

/// PostgreSQL's SSL file parameters that are relative to the data directory.
pub const SSL_FILE_PARAMS: [(&str, Option<&str>); 5] = [
    ("ssl_cert_file", Some("server.crt")),
    ("ssl_key_file", Some("server.key")),
    ("ssl_ca_file", None),
    ("ssl_crl_file", None),
    ("ssl_crl_dir", None),
];

impl PgConf {
    /// Read `conf` (postgresql.conf), its includes, then `postgresql.auto.conf` from the
    /// data directory. `data_dir` defaults to the `data_directory` setting, else the
    /// directory of `conf` (the usual layout).
    pub fn load(conf: &Path, data_dir: Option<&Path>, files: &dyn Files) -> Result<PgConf, PgConfError> {
        let mut out = PgConf::default();
        parse_file(files, conf, None, 0, true, &mut out)?;
        let dd = match data_dir {
            Some(d) => d.to_path_buf(),
            None => match out.get("data_directory") {
                Some(s) => absolute(Path::new(&s.value), conf),
                None => conf.parent().map(Path::to_path_buf).unwrap_or_default(),
            },
        };
        let auto = dd.join(AUTO_CONF);
        if auto != conf {
            parse_file(files, &auto, None, 0, false, &mut out)?;
        }
        out.data_dir = dd;
        Ok(out)
    }

    /// Parse text as if it were the file `name` (no auto.conf); includes are resolved
    /// relative to `name`'s directory.
    pub fn parse_str(text: &str, name: &Path) -> Result<PgConf, PgConfError> {
        let mut out = PgConf::default();
        parse_text(&NoFiles, text, name, 0, &mut out)?;
        out.data_dir = name.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(out)
    }

    /// The effective setting for `name` (the last one; names are case-insensitive).
    pub fn get(&self, name: &str) -> Option<&ConfLine> {
        let name = name.to_ascii_lowercase();
        self.settings.iter().rev().find(|s| s.name == name)
    }

    /// Every line that sets `name`, first to last (earlier ones are overridden).
    pub fn all(&self, name: &str) -> Vec<&ConfLine> {
        let name = name.to_ascii_lowercase();
        self.settings.iter().filter(|s| s.name == name).collect()
    }

    /// The value of `name`, or `default`.
    pub fn value_or<'a>(&'a self, name: &str, default: &'a str) -> &'a str {
        self.get(name).map(|s| s.value.as_str()).unwrap_or(default)
    }

    /// `ssl` as the server sees it (default off).
    pub fn ssl_on(&self) -> bool {
        self.get("ssl").and_then(ConfLine::as_bool).unwrap_or(false)
    }

    /// An SSL file parameter resolved against the data directory, with its default
    /// (server.crt / server.key) when unset. `None` when unset and without default, or
    /// set to the empty string.
    pub fn ssl_file(&self, param: &str) -> Option<PathBuf> {
        let default = SSL_FILE_PARAMS
            .iter()
            .find(|(p, _)| *p == param)
            .and_then(|(_, d)| *d);
        let raw = match self.get(param) {
            Some(s) => s.value.clone(),
            None => default?.to_string(),
        };
        if raw.is_empty() {
            return None;
        }
        let p = Path::new(&raw);
        Some(if p.is_absolute() { p.to_path_buf() } else { self.data_dir.join(p) })
    }
}

/// PostgreSQL's `parse_bool`: true/false/yes/no by unique prefix, on/off (at least two
/// letters), 1/0; case-insensitive, surrounding spaces not allowed.
pub fn parse_bool(v: &str) -> Option<bool> {
    let l = v.to_ascii_lowercase();
    if l.is_empty() {
        return None;
    }
    let prefix_of = |word: &str| word.starts_with(&l);
    match l.as_bytes()[0] {
        b't' if prefix_of("true") => Some(true),
        b'f' if prefix_of("false") => Some(false),
        b'y' if prefix_of("yes") => Some(true),
        b'n' if prefix_of("no") => Some(false),
        b'o' if l.len() >= 2 && prefix_of("on") => Some(true),
        b'o' if l.len() >= 2 && prefix_of("off") => Some(false),
        b'1' if l.len() == 1 => Some(true),
        b'0' if l.len() == 1 => Some(false),
        _ => None,
    }
}

/// An integer in PostgreSQL's accepted forms (decimal, 0x hex, leading sign); units are
/// not interpreted.
pub fn parse_int(v: &str) -> Option<i64> {
    let t = v.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else {
        t.parse::<i64>().ok()?
    };
    Some(if neg { -n } else { n })
}

fn absolute(loc: &Path, calling_file: &Path) -> PathBuf {
    if loc.is_absolute() {
        loc.to_path_buf()
    } else {
        calling_file.parent().unwrap_or(Path::new("")).join(loc)
    }
}

fn parse_file(
    files: &dyn Files,
    path: &Path,
    from: Option<(&Path, u32)>,
    depth: usize,
    strict: bool,
    out: &mut PgConf,
) -> Result<(), PgConfError> {
    let from_s = from
        .map(|(f, l)| format!("{}:{}", f.display(), l))
        .unwrap_or_else(|| "the command line".into());
    if depth > MAX_DEPTH {
        return Err(PgConfError::TooDeep { file: path.to_path_buf(), from: from_s });
    }
    let bytes = match files.read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !strict => {
            out.skipped.push(path.to_path_buf());
            return Ok(());
        }
        Err(e) => {
            let reason = e.to_string();
            return Err(match from {
                Some(_) => PgConfError::MissingInclude { file: path.to_path_buf(), from: from_s, reason },
                None => PgConfError::Unreadable { file: path.to_path_buf(), reason },
            });
        }
    };
    out.files.push(path.to_path_buf());
    let text = String::from_utf8_lossy(&bytes);
    parse_text(files, &text, path, depth, out)
}

fn parse_dir(files: &dyn Files, dir: &Path, from: (&Path, u32), depth: usize, out: &mut PgConf) -> Result<(), PgConfError> {
    let from_s = format!("{}:{}", from.0.display(), from.1);
    // stat() follows symlinks, as the server's does; directories are skipped.
    let mut names: Vec<String> = files
        .regular_files(dir)
        .map_err(|e| PgConfError::UnreadableDir { dir: dir.to_path_buf(), from: from_s.clone(), reason: e.to_string() })?
        .into_iter()
        .filter(|name| !(name.starts_with('.') || name.len() <= 5 || !name.ends_with(".conf")))
        .collect();
    names.sort(); // strcmp order: byte-wise
    for n in names {
        parse_file(files, &dir.join(n), Some(from), depth, true, out)?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Id,
    QualifiedId,
    Str,
    Integer,
    Real,
    Unquoted,
    Equals,
    Eol,
    Error,
}

struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    line: u32,
}

fn is_letter(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}
fn is_letter_or_digit(c: u8) -> bool {
    is_letter(c) || c.is_ascii_digit()
}

impl<'a> Lexer<'a> {
    fn peek(&self, off: usize) -> Option<u8> {
        self.s.get(self.pos + off).copied()
    }

    /// Next token and its text, `None` at end of input.
    fn next(&mut self) -> Option<(Tok, String)> {
        loop {
            let c = self.peek(0)?;
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    return Some((Tok::Eol, "\n".into()));
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'#' => {
                    while let Some(c) = self.peek(0) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let start = self.pos;
        let c = self.s[start];
        let text = |l: &Lexer| String::from_utf8_lossy(&l.s[start..l.pos]).into_owned();
        if c == b'=' {
            self.pos += 1;
            return Some((Tok::Equals, "=".into()));
        }
        if c == b'\'' {
            let mut i = start + 1;
            loop {
                match self.s.get(i) {
                    None | Some(b'\n') => {
                        self.pos = start + 1;
                        return Some((Tok::Error, "'".into()));
                    }
                    Some(b'\\') => {
                        if matches!(self.s.get(i + 1), None | Some(b'\n')) {
                            // `\\.` in flex does not match a newline
                            self.pos = start + 1;
                            return Some((Tok::Error, "'".into()));
                        }
                        i += 2
                    }
                    Some(b'\'') if self.s.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => {
                        self.pos = i + 1;
                        return Some((Tok::Str, text(self)));
                    }
                    Some(_) => i += 1,
                }
            }
        }
        // Longest match among ID, QUALIFIED_ID, UNQUOTED_STRING, INTEGER, REAL.
        let mut best: Option<(usize, Tok)> = None;
        let mut consider = |len: usize, t: Tok| {
            if len > 0 && best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, t));
            }
        };
        let s = &self.s[start..];
        if is_letter(s[0]) {
            let id = 1 + s[1..].iter().take_while(|c| is_letter_or_digit(**c)).count();
            consider(id, Tok::Id);
            if s.get(id) == Some(&b'.') && s.get(id + 1).is_some_and(|c| is_letter(*c)) {
                let id2 = 1 + s[id + 2..].iter().take_while(|c| is_letter_or_digit(**c)).count();
                consider(id + 1 + id2, Tok::QualifiedId);
            }
            let un = 1 + s[1..]
                .iter()
                .take_while(|c| is_letter_or_digit(**c) || matches!(c, b'-' | b'.' | b'_' | b':' | b'/'))
                .count();
            // flex prefers the earlier rule on equal length: ID before UNQUOTED_STRING
            consider(un, Tok::Unquoted);
        }
        if let Some((len, t)) = number(s) {
            consider(len, t);
        }
        match best {
            Some((len, t)) => {
                self.pos = start + len;
                Some((t, text(self)))
            }
            None => {
                // any other single character is an error token (multi-byte chars are letters)
                self.pos = start + 1;
                Some((Tok::Error, text(self)))
            }
        }
    }
}

/// guc-file.l's INTEGER and REAL (with trailing unit letters).
fn number(s: &[u8]) -> Option<(usize, Tok)> {
    let mut i = 0;
    if matches!(s.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let units = |j: usize| j + s[j..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let digits = |j: usize| s[j..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut best: Option<(usize, Tok)> = None;
    // integer: digits or 0x hexdigits
    if s.get(i) == Some(&b'0') && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        let h = s[i + 2..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if h > 0 {
            best = Some((units(i + 2 + h), Tok::Integer));
        }
    }
    let d = digits(i);
    if d > 0 && best.is_none() {
        best = Some((units(i + d), Tok::Integer));
    }
    // real: digits* . digits+ [exp] | digits+ . digits* [exp] | digits+ exp
    let mut j = i + d;
    let mut real_end = None;
    if s.get(j) == Some(&b'.') {
        let f = digits(j + 1);
        if d > 0 || f > 0 {
            j = j + 1 + f;
            real_end = Some(j);
        }
    }
    if d > 0 || real_end.is_some() {
        let mut k = j;
        if matches!(s.get(k), Some(b'e' | b'E')) {
            k += 1;
            if matches!(s.get(k), Some(b'-' | b'+')) {
                k += 1;
            }
            let e = digits(k);
            if e > 0 {
                real_end = Some(k + e);
            }
        }
    }
    if let Some(e) = real_end {
        let len = units(e);
        if best.as_ref().is_none_or(|(l, _)| len > *l) {
            best = Some((len, Tok::Real));
        }
    }
    best
}

/// guc-file.l's `DeescapeQuotedString`.
fn deescape(quoted: &str) -> String {
    let b = quoted.as_bytes();
    let inner = &b[1..b.len().saturating_sub(1).max(1)];
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c == b'\\' && i + 1 < inner.len() {
            i += 1;
            let e = inner[i];
            match e {
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0'..=b'7' => {
                    let mut v: u32 = 0;
                    let mut k = 0;
                    while k < 3 && i < inner.len() && (b'0'..=b'7').contains(&inner[i]) {
                        v = v * 8 + u32::from(inner[i] - b'0');
                        i += 1;
                        k += 1;
                    }
                    out.push((v & 0xff) as u8);
                    continue;
                }
                other => out.push(other),
            }
            i += 1;
        } else if c == b'\'' && inner.get(i + 1) == Some(&b'\'') {
            out.push(b'\'');
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    // The server keeps the value as a C string: an escaped NUL (`\0`) ends it. Found by the
    // postgresql.conf differential test against pg_file_settings.
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_text(files: &dyn Files, text: &str, file: &Path, depth: usize, out: &mut PgConf) -> Result<(), PgConfError> {
    let mut lx = Lexer { s: text.as_bytes(), pos: 0, line: 1 };
    let syntax = |tok: &(Tok, String), line: u32| -> PgConfError {
        if tok.0 == Tok::Eol {
            PgConfError::SyntaxEol { file: file.to_path_buf(), line: line - 1 }
        } else {
            PgConfError::Syntax { file: file.to_path_buf(), line, token: tok.1.clone() }
        }
    };
    while let Some(tok) = lx.next() {
        if tok.0 == Tok::Eol {
            continue;
        }
        if !matches!(tok.0, Tok::Id | Tok::QualifiedId) {
            return Err(syntax(&tok, lx.line));
        }
        let name = tok.1.to_ascii_lowercase();
        let line = lx.line;
        let mut t = lx.next();
        if matches!(t, Some((Tok::Equals, _))) {
            t = lx.next();
        }
        let v = match t {
            None => return Err(PgConfError::SyntaxEol { file: file.to_path_buf(), line }),
            Some(v) => v,
        };
        let value = match v.0 {
            Tok::Str => deescape(&v.1),
            Tok::Id | Tok::Integer | Tok::Real | Tok::Unquoted => v.1.clone(),
            _ => return Err(syntax(&v, lx.line)),
        };
        match lx.next() {
            None | Some((Tok::Eol, _)) => {}
            Some(other) => return Err(syntax(&other, lx.line)),
        }
        match name.as_str() {
            "include_dir" => {
                let dir = absolute(Path::new(&value), file);
                parse_dir(files, &dir, (file, line), depth + 1, out)?;
            }
            "include_if_exists" | "include" => {
                let p = absolute(Path::new(&value), file);
                if p == file {
                    return Err(PgConfError::Recursion { file: file.to_path_buf(), line });
                }
                parse_file(files, &p, Some((file, line)), depth + 1, name == "include", out)?;
            }
            _ => out.settings.push(ConfLine { name, value, file: file.to_path_buf(), line }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn parse(text: &str) -> Result<Vec<(String, String, u32)>, PgConfError> {
        PgConf::parse_str(text, Path::new("/nonexistent/postgresql.conf")).map(|c| {
            c.settings.into_iter().map(|s| (s.name, s.value, s.line)).collect()
        })
    }

    fn one(text: &str) -> Result<String, String> {
        match parse(text) {
            Ok(v) if v.len() == 1 => Ok(v[0].1.clone()),
            Ok(v) => Err(format!("{} settings", v.len())),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn values_parse_like_guc_file_l() {
        let table: &[(&str, Result<&str, &str>)] = &[
            ("ssl = on", Ok("on")),
            ("ssl on", Ok("on")),
            ("SSL=on # comment", Ok("on")),
            ("ssl_cert_file = 'server.crt'", Ok("server.crt")),
            ("ssl_cert_file = '/etc/ssl/my cert.pem'", Ok("/etc/ssl/my cert.pem")),
            ("x = 'it''s'", Ok("it's")),
            ("x = 'a\\'b'", Ok("a'b")),
            ("x = 'tab\\there'", Ok("tab\there")),
            ("x = '\\101'", Ok("A")),
            ("x = 'ab\\0cd'", Ok("ab")),
            ("x = '#not a comment'", Ok("#not a comment")),
            ("ssl_cert_file = etc/ssl/server.crt", Ok("etc/ssl/server.crt")),
            ("shared_buffers = 128MB", Ok("128MB")),
            ("x = 0x1F", Ok("0x1F")),
            ("x = -1.5e3", Ok("-1.5e3")),
            ("x = .5", Ok(".5")),
            ("my.setting = 1", Ok("1")),
            ("ssl_min_protocol_version = TLSv1.2", Ok("TLSv1.2")),
            ("x = ''", Ok("")),
            ("ssl = ", Err("syntax error in file \"/nonexistent/postgresql.conf\" line 1, near end of line")),
            ("ssl = on off", Err("near token \"off\"")),
            ("ssl = 'unterminated", Err("near token \"'\"")),
            ("= on", Err("near token \"=\"")),
            ("x = a b", Err("line 1, near token \"b\"")),
            ("x = /etc/ssl", Err("near token \"/\"")),
            ("x = @", Err("near token \"@\"")),
        ];
        for (input, expected) in table {
            let got = one(input);
            match (expected, &got) {
                (Ok(e), Ok(g)) => assert_eq!(e, g, "input {input:?}"),
                (Err(e), Err(g)) => assert!(g.contains(e), "input {input:?}: {g}"),
                _ => panic!("input {input:?}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn line_numbers_and_last_wins() {
        let c = PgConf::parse_str("\n# c\nssl = off\n\n  SSL = on\n", Path::new("/x/p.conf")).unwrap();
        assert_eq!(c.get("ssl").unwrap().line, 5);
        assert_eq!(c.get("Ssl").unwrap().location(), "/x/p.conf:5");
        assert!(c.ssl_on());
        assert_eq!(c.all("ssl").len(), 2);
        let e = parse("a = 1\nb = 2\nc = ;\n").unwrap_err();
        assert_eq!(e.to_string().split("; fix").next().unwrap(), "syntax error in file \"/nonexistent/postgresql.conf\" line 3, near token \";\"");
    }

    #[test]
    fn syntax_error_names_line_of_unexpected_eol() {
        let e = parse("a = 1\nb =\nc = 3\n").unwrap_err();
        assert_eq!(e, PgConfError::SyntaxEol { file: "/nonexistent/postgresql.conf".into(), line: 2 });
    }

    #[test]
    fn booleans() {
        let table = [
            ("on", Some(true)), ("ON", Some(true)), ("off", Some(false)), ("of", Some(false)),
            ("o", None), ("t", Some(true)), ("tru", Some(true)), ("true", Some(true)),
            ("truex", None), ("f", Some(false)), ("yes", Some(true)), ("y", Some(true)),
            ("n", Some(false)), ("no", Some(false)), ("1", Some(true)), ("0", Some(false)),
            ("10", None), ("", None), ("onn", None),
        ];
        for (v, e) in table {
            assert_eq!(parse_bool(v), e, "{v}");
        }
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_int("-5"), Some(-5));
        assert_eq!(parse_int("5MB"), None);
    }

    #[test]
    fn includes_dirs_auto_conf_and_ssl_paths() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        fs::create_dir(root.join("conf.d")).unwrap();
        fs::create_dir(root.join("conf.d/sub.conf")).unwrap(); // directory: skipped
        fs::write(root.join("conf.d/10-b.conf"), "ssl_key_file = 'b.key'\n").unwrap();
        fs::write(root.join("conf.d/02-a.conf"), "ssl_key_file = 'a.key'\nssl_ca_file='ca.crt'\n").unwrap();
        fs::write(root.join("conf.d/.hidden.conf"), "ssl = off\n").unwrap();
        fs::write(root.join("conf.d/notes.txt"), "ssl = off\n").unwrap();
        fs::create_dir(root.join("inc")).unwrap();
        fs::write(root.join("inc/one.conf"), "include 'two.conf'\n").unwrap();
        fs::write(root.join("inc/two.conf"), "ssl_cert_file = '/abs/cert.pem'\n").unwrap();
        fs::write(
            root.join("postgresql.conf"),
            "ssl = on\ninclude_dir 'conf.d'\ninclude 'inc/one.conf'\ninclude_if_exists 'missing.conf'\n",
        )
        .unwrap();
        fs::write(root.join("postgresql.auto.conf"), "ssl_ciphers = 'HIGH'\n").unwrap();
        let c = PgConf::load(&root.join("postgresql.conf"), None, &crate::config::TestDisk).unwrap();
        assert!(c.ssl_on());
        assert_eq!(c.get("ssl_key_file").unwrap().value, "b.key");
        assert_eq!(c.get("ssl_key_file").unwrap().file, root.join("conf.d/10-b.conf"));
        assert_eq!(c.ssl_file("ssl_key_file").unwrap(), root.join("b.key"));
        assert_eq!(c.ssl_file("ssl_cert_file").unwrap(), PathBuf::from("/abs/cert.pem"));
        assert_eq!(c.ssl_file("ssl_ca_file").unwrap(), root.join("ca.crt"));
        assert_eq!(c.ssl_file("ssl_crl_file"), None);
        assert_eq!(c.get("ssl_ciphers").unwrap().file, root.join("postgresql.auto.conf"));
        assert_eq!(c.skipped, vec![root.join("missing.conf")]);
        let names: Vec<_> = c.settings.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ssl", "ssl_key_file", "ssl_ca_file", "ssl_key_file", "ssl_cert_file", "ssl_ciphers"]);
    }

    #[test]
    fn default_ssl_files_are_in_data_dir() {
        let c = PgConf::parse_str("", Path::new("/data/postgresql.conf")).unwrap();
        assert_eq!(c.ssl_file("ssl_cert_file").unwrap(), PathBuf::from("/data/server.crt"));
        assert_eq!(c.ssl_file("ssl_key_file").unwrap(), PathBuf::from("/data/server.key"));
    }

    #[test]
    fn missing_include_and_recursion_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("postgresql.conf");
        fs::write(&p, "\n\ninclude 'nope.conf'\n").unwrap();
        let e = PgConf::load(&p, None, &crate::config::TestDisk).unwrap_err();
        assert!(matches!(&e, PgConfError::MissingInclude { from, .. } if from.ends_with("postgresql.conf:3")), "{e}");
        fs::write(&p, "include 'postgresql.conf'\n").unwrap();
        let e = PgConf::load(&p, None, &crate::config::TestDisk).unwrap_err();
        assert!(matches!(e, PgConfError::Recursion { line: 1, .. }), "{e}");
        fs::write(d.path().join("a.conf"), "include 'postgresql.conf'\n").unwrap();
        fs::write(&p, "include 'a.conf'\n").unwrap();
        let e = PgConf::load(&p, None, &crate::config::TestDisk).unwrap_err();
        assert!(matches!(e, PgConfError::TooDeep { .. }), "{e}");
        let e = PgConf::load(&d.path().join("absent.conf"), None, &crate::config::TestDisk).unwrap_err();
        assert!(matches!(e, PgConfError::Unreadable { .. }));
        fs::write(&p, "include_dir 'nodir'\n").unwrap();
        assert!(matches!(PgConf::load(&p, None, &crate::config::TestDisk), Err(PgConfError::UnreadableDir { .. })));
    }

    #[test]
    fn nesting_up_to_limit_is_fine() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..MAX_DEPTH {
            fs::write(d.path().join(format!("{i}.conf")), format!("include '{}.conf'\n", i + 1)).unwrap();
        }
        fs::write(d.path().join(format!("{MAX_DEPTH}.conf")), "ssl = on\n").unwrap();
        assert!(PgConf::load(&d.path().join("0.conf"), None, &crate::config::TestDisk).unwrap().ssl_on());
        fs::write(d.path().join(format!("{MAX_DEPTH}.conf")), "include 'deeper.conf'\n").unwrap();
        fs::write(d.path().join("deeper.conf"), "ssl = on\n").unwrap();
        assert!(PgConf::load(&d.path().join("0.conf"), None, &crate::config::TestDisk).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u32 = 12345;
        for _ in 0..2000 {
            let len = (seed % 40) as usize;
            let mut s = Vec::new();
            for _ in 0..len {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                s.push(b"a=' \\\n#.0x9e-+/@\xc3\xa9"[(seed >> 16) as usize % 18]);
            }
            let _ = PgConf::parse_str(&String::from_utf8_lossy(&s), Path::new("g.conf"));
        }
    }
}
