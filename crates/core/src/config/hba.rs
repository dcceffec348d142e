//! pg_hba.conf: which rule a connection meets, read the way the server reads it.
//!
//! The server picks the *first* line whose connection type, database, user and address
//! match, and then applies that line's method, with no fallthrough. Many TLS puzzles
//! ("why is my client certificate ignored?", "why can clients still connect without
//! SSL?") are answered by knowing which line that is, so this module parses the file
//! with PostgreSQL's tokenizing rules (quotes, commas, `#`, `\` continuation, PG16
//! `include` directives) and evaluates the first-match rule. Facts the file alone cannot
//! decide (host names needing DNS, `samenet`, role membership) are reported as "maybe"
//! rather than guessed.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::pgconf::MAX_DEPTH;
use super::{Files, NoFiles};

/// A malformed line or unreadable file, named by file and line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HbaError {
    #[error("{file}:{line}: {message}")]
    Line { file: PathBuf, line: u32, message: String },
    #[error("could not open file \"{file}\": {reason}; check the path and permissions")]
    Unreadable { file: PathBuf, reason: String },
    #[error("could not open file \"{file}\": maximum nesting depth exceeded; an include loop?")]
    TooDeep { file: PathBuf },
}

impl HbaError {
    /// The error as a message (its English is the `Display` text); a line's message is the
    /// server's own words about it and stays as written.
    pub fn said(&self) -> crate::findings::Message {
        use crate::say;
        match self {
            HbaError::Line { file, line, message } => say!("error.file-line", file = file.display(), line = line, message = message),
            HbaError::Unreadable { file, reason } => say!("error.hba.unreadable", file = file.display(), reason = reason),
            HbaError::TooDeep { file } => say!("error.auth-file.too-deep", file = file.display()),
        }
    }
}

/// One token of an auth file, remembering whether it was quoted (quoted `all` is a
/// role named "all", not the keyword).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub quoted: bool,
}

impl Token {
    /// Unquoted keyword test.
    pub fn is_kw(&self, kw: &str) -> bool {
        !self.quoted && self.text == kw
    }
    /// `+role`: membership in a role.
    pub fn group(&self) -> Option<&str> {
        (!self.quoted).then(|| self.text.strip_prefix('+')).flatten()
    }
    /// `@file`: a list read from a file (only noted here).
    pub fn file_ref(&self) -> Option<&str> {
        (!self.quoted).then(|| self.text.strip_prefix('@')).flatten()
    }
    /// `/regex` (PG16).
    pub fn regex(&self) -> Option<&str> {
        self.text.strip_prefix('/')
    }
}

/// One line split into whitespace-separated fields, each a comma list of tokens.
pub(crate) type Fields = Vec<Vec<Token>>;

/// Split auth-file text into logical lines (with `\` continuation), returning the
/// line number where each logical line starts and its fields.
pub(crate) fn tokenize(text: &str) -> Vec<(u32, String, Fields)> {
    let mut out = Vec::new();
    let mut lines = text.split('\n').enumerate();
    while let Some((i, l)) = lines.next() {
        let start = i as u32 + 1;
        let mut logical = l.trim_end_matches('\r').to_string();
        while logical.ends_with('\\') {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim_end_matches('\r')),
                None => break,
            }
        }
        let fields = tokenize_line(&logical);
        if !fields.is_empty() {
            out.push((start, logical, fields));
        }
    }
    out
}

fn tokenize_line(line: &str) -> Fields {
    let mut fields: Fields = Vec::new();
    let mut field: Vec<Token> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    let mut has_tok = false;
    let mut after_comma = false;
    let mut chars = line.chars().peekable();
    let flush_tok = |cur: &mut String, quoted: &mut bool, has: &mut bool, field: &mut Vec<Token>| {
        if *has {
            field.push(Token { text: std::mem::take(cur), quoted: *quoted });
        }
        *quoted = false;
        *has = false;
    };
    while let Some(c) = chars.next() {
        if in_quote {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cur.push('"');
                } else {
                    in_quote = false;
                }
            } else {
                cur.push(c);
            }
            continue;
        }
        match c {
            '#' => break,
            '"' => {
                in_quote = true;
                quoted = true;
                has_tok = true;
                after_comma = false;
            }
            ',' => {
                flush_tok(&mut cur, &mut quoted, &mut has_tok, &mut field);
                after_comma = true;
            }
            ' ' | '\t' | '\r' => {
                flush_tok(&mut cur, &mut quoted, &mut has_tok, &mut field);
                // "a, b": a trailing comma continues the list past the blank
                if !after_comma && !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                }
            }
            c => {
                cur.push(c);
                has_tok = true;
                after_comma = false;
            }
        }
    }
    flush_tok(&mut cur, &mut quoted, &mut has_tok, &mut field);
    if !field.is_empty() {
        fields.push(field);
    }
    fields
}

/// Connection types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnType {
    Local,
    Host,
    HostSsl,
    HostNoSsl,
    HostGssEnc,
    HostNoGssEnc,
}

impl ConnType {
    fn parse(s: &str) -> Option<ConnType> {
        Some(match s {
            "local" => ConnType::Local,
            "host" => ConnType::Host,
            "hostssl" => ConnType::HostSsl,
            "hostnossl" => ConnType::HostNoSsl,
            "hostgssenc" => ConnType::HostGssEnc,
            "hostnogssenc" => ConnType::HostNoGssEnc,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ConnType::Local => "local",
            ConnType::Host => "host",
            ConnType::HostSsl => "hostssl",
            ConnType::HostNoSsl => "hostnossl",
            ConnType::HostGssEnc => "hostgssenc",
            ConnType::HostNoGssEnc => "hostnogssenc",
        }
    }
}

/// The address column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    All,
    SameHost,
    SameNet,
    Cidr { addr: IpAddr, prefix: u8 },
    /// An address with a separate netmask that is not a prefix (`10.0.0.1 255.0.255.0`):
    /// PostgreSQL accepts any mask of the same family and matches `client & mask`.
    Masked { addr: IpAddr, mask: IpAddr },
    /// A host name; a leading `.` matches a suffix. Needs DNS to evaluate.
    Hostname(String),
}

const METHODS: [&str; 13] = [
    "trust", "reject", "scram-sha-256", "md5", "password", "gss", "sspi", "ident", "peer", "ldap",
    "radius", "cert", "pam",
];

/// One rule line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaRule {
    pub file: PathBuf,
    pub line: u32,
    /// The line as written (after continuation joining).
    pub raw: String,
    pub conn_type: ConnType,
    pub databases: Vec<Token>,
    pub users: Vec<Token>,
    pub address: Option<Address>,
    pub method: String,
    /// `name=value` options in order.
    pub options: Vec<(String, String)>,
}

impl HbaRule {
    pub fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
    /// The rule demands a client certificate (method cert or clientcert=verify-*).
    pub fn requires_client_cert(&self) -> bool {
        self.method == "cert" || self.option("clientcert").is_some()
    }
    /// A TCP rule that also matches non-SSL connections.
    pub fn admits_non_ssl(&self) -> bool {
        matches!(self.conn_type, ConnType::Host | ConnType::HostNoSsl | ConnType::HostGssEnc | ConnType::HostNoGssEnc)
            && self.method != "reject"
    }
}

/// A parsed pg_hba.conf.
#[derive(Debug, Clone, Default)]
pub struct Hba {
    pub rules: Vec<HbaRule>,
    pub files: Vec<PathBuf>,
    /// `@file` references seen (file, line, name); their contents are not expanded.
    pub file_refs: Vec<(PathBuf, u32, String)>,
}

/// The connection to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaQuery {
    /// The connection uses SSL.
    pub ssl: bool,
    /// The connection uses GSSAPI encryption.
    pub gss: bool,
    /// Client address; `None` for a Unix-domain socket.
    pub addr: Option<IpAddr>,
    pub user: String,
    pub db: String,
}

/// Does this part of a rule match?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    /// Depends on something outside the file (DNS, interfaces, role membership, `@file`).
    Maybe,
}

impl Tri {
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }
    fn any(it: impl Iterator<Item = Tri>) -> Tri {
        let mut r = Tri::No;
        for t in it {
            if t == Tri::Yes {
                return Tri::Yes;
            }
            if t == Tri::Maybe {
                r = Tri::Maybe;
            }
        }
        r
    }
}

/// The result of first-match evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaMatch<'a> {
    /// The first rule that certainly matches; `None` means "no pg_hba.conf entry".
    pub rule: Option<&'a HbaRule>,
    /// Earlier rules that might match instead (unknowable from the file alone).
    pub maybe_before: Vec<&'a HbaRule>,
}

impl Hba {
    pub fn load(path: &Path, files: &dyn Files) -> Result<Hba, HbaError> {
        let mut h = Hba::default();
        h.load_file(files, path, 0, true)?;
        Ok(h)
    }

    pub fn parse_str(text: &str, name: &Path) -> Result<Hba, HbaError> {
        let mut h = Hba::default();
        h.parse_text(&NoFiles, text, name, 0)?;
        Ok(h)
    }

    fn load_file(&mut self, files: &dyn Files, path: &Path, depth: usize, strict: bool) -> Result<(), HbaError> {
        if depth > MAX_DEPTH {
            return Err(HbaError::TooDeep { file: path.to_path_buf() });
        }
        let text = match files.read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !strict => return Ok(()),
            Err(e) => return Err(HbaError::Unreadable { file: path.to_path_buf(), reason: e.to_string() }),
        };
        self.files.push(path.to_path_buf());
        self.parse_text(files, &text, path, depth)
    }

    fn parse_text(&mut self, files: &dyn Files, text: &str, file: &Path, depth: usize) -> Result<(), HbaError> {
        for (line, raw, fields) in tokenize(text) {
            let err = |m: String| HbaError::Line { file: file.to_path_buf(), line, message: m };
            let first = &fields[0][0];
            if let Some(kind) = include_kind(first) {
                let target = fields.get(1).and_then(|f| f.first()).ok_or_else(|| {
                    err(format!("missing file name after \"{}\"", first.text))
                })?;
                for dir_entry in expand_include(files, kind, &target.text, file).map_err(&err)? {
                    self.load_file(files, &dir_entry.0, depth + 1, dir_entry.1)?;
                }
                continue;
            }
            let rule = parse_rule(file, line, &raw, &fields).map_err(err)?;
            for t in rule.databases.iter().chain(&rule.users) {
                if let Some(f) = t.file_ref() {
                    self.file_refs.push((file.to_path_buf(), line, f.to_string()));
                }
            }
            self.rules.push(rule);
        }
        Ok(())
    }

    /// PostgreSQL's first-match rule for `q`.
    pub fn matching_rules(&self, q: &HbaQuery) -> HbaMatch<'_> {
        let mut maybe_before = Vec::new();
        for r in &self.rules {
            match rule_matches(r, q) {
                Tri::Yes => return HbaMatch { rule: Some(r), maybe_before },
                Tri::Maybe => maybe_before.push(r),
                Tri::No => {}
            }
        }
        HbaMatch { rule: None, maybe_before }
    }
}

/// Free-function form of [`Hba::matching_rules`].
pub fn matching_rules<'a>(hba: &'a Hba, conn: &HbaQuery) -> HbaMatch<'a> {
    hba.matching_rules(conn)
}

#[derive(Clone, Copy)]
pub(crate) enum IncludeKind {
    Include,
    IfExists,
    Dir,
}

pub(crate) fn include_kind(t: &Token) -> Option<IncludeKind> {
    match t.text.as_str() {
        _ if t.quoted => None,
        "include" => Some(IncludeKind::Include),
        "include_if_exists" => Some(IncludeKind::IfExists),
        "include_dir" => Some(IncludeKind::Dir),
        _ => None,
    }
}

/// Files an include line stands for, each with "must exist".
pub(crate) fn expand_include(files: &dyn Files, kind: IncludeKind, target: &str, from: &Path) -> Result<Vec<(PathBuf, bool)>, String> {
    let t = Path::new(target);
    let p = if t.is_absolute() { t.to_path_buf() } else { from.parent().unwrap_or(Path::new("")).join(t) };
    match kind {
        IncludeKind::Include => Ok(vec![(p, true)]),
        IncludeKind::IfExists => Ok(vec![(p, false)]),
        IncludeKind::Dir => {
            let mut names: Vec<String> = files
                .regular_files(&p)
                .map_err(|e| format!("could not open directory \"{}\": {e}", p.display()))?
                .into_iter()
                .filter(|n| !n.starts_with('.') && n.len() > 5 && n.ends_with(".conf"))
                .collect();
            names.sort();
            Ok(names.into_iter().map(|n| (p.join(n), true)).collect())
        }
    }
}

fn parse_rule(file: &Path, line: u32, raw: &str, fields: &Fields) -> Result<HbaRule, String> {
    let mut it = fields.iter();
    let ct_field = it.next().ok_or("empty line")?;
    let ct_tok = &ct_field[0];
    if ct_field.len() > 1 {
        return Err("multiple values specified for connection type".into());
    }
    let conn_type =
        ConnType::parse(&ct_tok.text).ok_or_else(|| format!("invalid connection type \"{}\"", ct_tok.text))?;
    let databases = it.next().ok_or("end-of-line before database specification")?.clone();
    let users = it.next().ok_or("end-of-line before role specification")?.clone();
    let mut address = None;
    if conn_type != ConnType::Local {
        let f = it.next().ok_or("end-of-line before IP address specification")?;
        if f.len() > 1 {
            return Err("multiple values specified for host address".into());
        }
        let tok = &f[0];
        let a = tok.text.as_str();
        address = Some(if tok.is_kw("all") {
            Address::All
        } else if tok.is_kw("samehost") {
            Address::SameHost
        } else if tok.is_kw("samenet") {
            Address::SameNet
        } else if let Some((ip, bits)) = a.split_once('/') {
            let addr: IpAddr =
                ip.parse().map_err(|_| format!("invalid IP address \"{ip}\": not an IP address"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix: u8 = bits
                .parse()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("invalid CIDR mask in address \"{a}\""))?;
            Address::Cidr { addr, prefix }
        } else if let Ok(addr) = a.parse::<IpAddr>() {
            let mf = it.next().ok_or_else(|| {
                format!("end-of-line before netmask specification (specify an address range in CIDR notation, e.g. {a}/32, or provide a separate netmask)")
            })?;
            let m = &mf[0].text;
            let mask: IpAddr = m.parse().map_err(|_| format!("invalid IP mask \"{m}\""))?;
            if mask.is_ipv4() != addr.is_ipv4() {
                return Err("IP address and mask do not match".into());
            }
            match mask_prefix(mask) {
                Some(prefix) => Address::Cidr { addr, prefix },
                None => Address::Masked { addr, mask },
            }
        } else {
            Address::Hostname(a.to_string())
        });
    }
    let mf = it.next().ok_or("end-of-line before authentication method")?;
    if mf.len() > 1 {
        return Err("multiple values specified for authentication type".into());
    }
    let mut method = mf[0].text.clone();
    if method != "bsd" && !METHODS.contains(&method.as_str()) {
        return Err(format!("invalid authentication method \"{method}\""));
    }
    // Methods a build may leave out: SSPI exists only on Windows, BSD auth only on OpenBSD.
    // pgtls audits the files of the machine it runs on.
    let unsupported = (method == "sspi" && !cfg!(windows)) || (method == "bsd" && !cfg!(target_os = "openbsd"));
    if unsupported {
        return Err(format!("invalid authentication method \"{method}\": not supported by this build"));
    }
    // On a local socket, "ident" means peer (hba.c).
    if conn_type == ConnType::Local && method == "ident" {
        method = "peer".into();
    }
    // hba.c refuses peer on TCP lines before it reads any option (the real server's verdict in
    // tests/it/differential.rs, found by the hba fuzz target).
    if conn_type != ConnType::Local && method == "peer" {
        return Err("peer authentication is only supported on local sockets".into());
    }
    let mut options = Vec::new();
    for f in it {
        for t in f {
            let (n, v) = t
                .text
                .split_once('=')
                .ok_or_else(|| format!("authentication option not in name=value format: {}", t.text))?;
            check_option(n, v, conn_type, &method)?;
            options.push((n.to_string(), v.to_string()));
        }
    }
    let has = |n: &str| options.iter().any(|(k, _)| k == n);
    if method == "ldap" {
        if has("ldapprefix") || has("ldapsuffix") {
            if ["ldapbasedn", "ldapbinddn", "ldapbindpasswd", "ldapsearchattribute", "ldapsearchfilter"].iter().any(|n| has(n)) {
                return Err("cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix".into());
            }
        } else if !has("ldapbasedn") && !has("ldapurl") {
            return Err("authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set".into());
        }
        if has("ldapsearchattribute") && has("ldapsearchfilter") {
            return Err("cannot use ldapsearchattribute together with ldapsearchfilter".into());
        }
    }
    if method == "radius" {
        for arg in ["radiusservers", "radiussecrets"] {
            if !has(arg) {
                return Err(format!("authentication method \"radius\" requires argument \"{arg}\" to be set"));
            }
        }
    }
    let rule = HbaRule {
        file: file.to_path_buf(),
        line,
        raw: raw.trim().to_string(),
        conn_type,
        databases,
        users,
        address,
        method,
        options,
    };
    if rule.method == "cert" && rule.conn_type != ConnType::HostSsl {
        return Err("cert authentication is only supported on hostssl connections".into());
    }
    if let Some(cc) = rule.option("clientcert") {
        if rule.conn_type != ConnType::HostSsl {
            return Err("clientcert can only be configured for \"hostssl\" rows".into());
        }
        match cc {
            "verify-full" => {}
            "verify-ca" if rule.method != "cert" => {}
            "verify-ca" => {
                return Err("clientcert only accepts \"verify-full\" when using \"cert\" authentication".into())
            }
            other => return Err(format!("invalid value for clientcert: \"{other}\"")),
        }
    }
    if let Some(cn) = rule.option("clientname") {
        if cn != "CN" && cn != "DN" {
            return Err(format!("invalid value for clientname: \"{cn}\""));
        }
    }
    Ok(rule)
}

/// PostgreSQL's `parse_hba_auth_opt` (hba.c): the option must exist and belong to the method.
fn check_option(name: &str, value: &str, conn_type: ConnType, method: &str) -> Result<(), String> {
    let only = |methods: &[&str], shown: &str| {
        if methods.contains(&method) {
            Ok(())
        } else {
            Err(format!("authentication option \"{name}\" is only valid for authentication methods {shown}"))
        }
    };
    match name {
        "map" => only(&["ident", "peer", "gss", "sspi", "cert"], "ident, peer, gssapi, sspi, and cert"),
        "clientcert" | "clientname" if conn_type != ConnType::HostSsl => Err(format!("{name} can only be configured for \"hostssl\" rows")),
        "clientcert" | "clientname" => Ok(()),
        "pamservice" | "pam_use_hostname" => only(&["pam"], "pam"),
        "ldapurl" | "ldaptls" | "ldapscheme" | "ldapserver" | "ldapport" | "ldapbinddn" | "ldapbindpasswd" | "ldapsearchattribute"
        | "ldapsearchfilter" | "ldapbasedn" | "ldapprefix" | "ldapsuffix" => {
            only(&["ldap"], "ldap")?;
            if name == "ldapport" && value.trim().parse::<i64>().map_or(true, |p| p == 0) {
                return Err(format!("invalid LDAP port number: \"{value}\""));
            }
            Ok(())
        }
        "krb_realm" | "include_realm" => only(&["gss", "sspi"], "gssapi and sspi"),
        "compat_realm" | "upn_username" => only(&["sspi"], "sspi"),
        "radiusservers" | "radiussecrets" | "radiusports" | "radiusidentifiers" => only(&["radius"], "radius"),
        _ => Err(format!("unrecognized authentication option name: \"{name}\"")),
    }
}

fn mask_prefix(mask: IpAddr) -> Option<u8> {
    let bits: u128 = match mask {
        IpAddr::V4(m) => u128::from(u32::from(m)) << 96,
        IpAddr::V6(m) => u128::from(m),
    };
    let ones = bits.leading_ones();
    (bits.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
        .map(|p| if mask.is_ipv4() { p.min(32) } else { p })
}

fn in_mask(client: IpAddr, net: IpAddr, mask: IpAddr) -> bool {
    match (client, net, mask) {
        (IpAddr::V4(c), IpAddr::V4(n), IpAddr::V4(m)) => u32::from(c) & u32::from(m) == u32::from(n) & u32::from(m),
        (IpAddr::V6(c), IpAddr::V6(n), IpAddr::V6(m)) => u128::from(c) & u128::from(m) == u128::from(n) & u128::from(m),
        _ => false,
    }
}

fn in_cidr(client: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let (c, n, width) = match (client, net) {
        (IpAddr::V4(c), IpAddr::V4(n)) => (u128::from(u32::from(c)), u128::from(u32::from(n)), 32),
        (IpAddr::V6(c), IpAddr::V6(n)) => (u128::from(c), u128::from(n), 128),
        _ => return false,
    };
    if prefix == 0 {
        return true;
    }
    let shift = width - u32::from(prefix);
    (c >> shift) == (n >> shift)
}

fn name_matches(list: &[Token], name: &str, extra: impl Fn(&Token) -> Option<Tri>) -> Tri {
    Tri::any(list.iter().map(|t| {
        if let Some(r) = extra(t) {
            return r;
        }
        if t.is_kw("all") {
            return Tri::Yes;
        }
        if t.group().is_some() || t.file_ref().is_some() {
            return Tri::Maybe;
        }
        if let Some(re) = t.regex() {
            return match regex::Regex::new(re) {
                Ok(r) if r.is_match(name) => Tri::Yes,
                Ok(_) => Tri::No,
                Err(_) => Tri::Maybe,
            };
        }
        if t.text == name {
            Tri::Yes
        } else {
            Tri::No
        }
    }))
}

fn rule_matches(r: &HbaRule, q: &HbaQuery) -> Tri {
    let ct = match (r.conn_type, q.addr) {
        (ConnType::Local, None) => Tri::Yes,
        (ConnType::Local, Some(_)) | (_, None) => Tri::No,
        (ConnType::Host, _) => Tri::Yes,
        (ConnType::HostSsl, _) => if q.ssl { Tri::Yes } else { Tri::No },
        (ConnType::HostNoSsl, _) => if q.ssl { Tri::No } else { Tri::Yes },
        (ConnType::HostGssEnc, _) => if q.gss { Tri::Yes } else { Tri::No },
        (ConnType::HostNoGssEnc, _) => if q.gss { Tri::No } else { Tri::Yes },
    };
    if ct == Tri::No {
        return Tri::No;
    }
    let addr = match (&r.address, q.addr) {
        (None, _) | (Some(Address::All), _) => Tri::Yes,
        (Some(Address::Cidr { addr, prefix }), Some(c)) => {
            if in_cidr(c, *addr, *prefix) { Tri::Yes } else { Tri::No }
        }
        (Some(Address::Masked { addr, mask }), Some(c)) => {
            if in_mask(c, *addr, *mask) { Tri::Yes } else { Tri::No }
        }
        (Some(Address::SameHost), Some(c)) if c.is_loopback() => Tri::Yes,
        (Some(_), _) => Tri::Maybe,
    };
    let db = name_matches(&r.databases, &q.db, |t| {
        if t.is_kw("sameuser") {
            Some(if q.db == q.user { Tri::Yes } else { Tri::No })
        } else if t.is_kw("samerole") || t.is_kw("samegroup") {
            Some(if q.db == q.user { Tri::Yes } else { Tri::Maybe })
        } else if t.is_kw("replication") {
            // physical replication connections are not modelled; `all` does not match them
            Some(Tri::No)
        } else {
            None
        }
    });
    let user = name_matches(&r.users, &q.user, |t| {
        t.group().map(|g| if g == q.user { Tri::Yes } else { Tri::Maybe })
    });
    ct.and(addr).and(db).and(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hba(text: &str) -> Hba {
        Hba::parse_str(text, Path::new("/d/pg_hba.conf")).unwrap()
    }

    fn q(ssl: bool, addr: Option<&str>, user: &str, db: &str) -> HbaQuery {
        HbaQuery { ssl, gss: false, addr: addr.map(|a| a.parse().unwrap()), user: user.into(), db: db.into() }
    }

    #[test]
    fn tokenizer_handles_quotes_commas_comments() {
        type Expected<'a> = &'a [&'a [(&'a str, bool)]];
        let table: &[(&str, Expected)] = &[
            ("host all all 0.0.0.0/0 md5", &[&[("host", false)], &[("all", false)], &[("all", false)], &[("0.0.0.0/0", false)], &[("md5", false)]]),
            ("local \"all\" a,b,\"c d\" trust # x", &[&[("local", false)], &[("all", true)], &[("a", false), ("b", false), ("c d", true)], &[("trust", false)]]),
            ("x \"a\"\"b\"", &[&[("x", false)], &[("a\"b", true)]]),
            ("# only comment", &[]),
            ("x a#b", &[&[("x", false)], &[("a", false)]]),
            ("x a, b c", &[&[("x", false)], &[("a", false), ("b", false)], &[("c", false)]]),
        ];
        for (input, expected) in table {
            let got: Vec<Vec<(String, bool)>> = tokenize_line(input)
                .into_iter()
                .map(|f| f.into_iter().map(|t| (t.text, t.quoted)).collect())
                .collect();
            let exp: Vec<Vec<(String, bool)>> =
                expected.iter().map(|f| f.iter().map(|(s, q)| (s.to_string(), *q)).collect()).collect();
            assert_eq!(got, exp, "{input}");
        }
    }

    #[test]
    fn continuation_lines_keep_first_line_number() {
        let h = hba("\nhostssl all all \\\n  10.0.0.0/8 cert\nlocal all all peer\n");
        assert_eq!(h.rules[0].line, 2);
        assert_eq!(h.rules[0].method, "cert");
        assert_eq!(h.rules[1].line, 4);
    }

    #[test]
    fn rule_fields() {
        let h = hba("hostssl db1,db2 +admins 192.168.1.0 255.255.255.0 scram-sha-256 clientcert=verify-full\nhost all @users.txt .example.com md5\nhostssl all kong ::1/128 cert map=kongmap clientname=DN\n");
        let r = &h.rules[0];
        assert_eq!(r.conn_type, ConnType::HostSsl);
        assert_eq!(r.address, Some(Address::Cidr { addr: "192.168.1.0".parse().unwrap(), prefix: 24 }));
        assert_eq!(r.option("clientcert"), Some("verify-full"));
        assert_eq!(r.users[0].group(), Some("admins"));
        assert_eq!(h.rules[1].address, Some(Address::Hostname(".example.com".into())));
        assert_eq!(h.file_refs, vec![(PathBuf::from("/d/pg_hba.conf"), 2, "users.txt".into())]);
        assert_eq!(h.rules[2].option("map"), Some("kongmap"));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let table = [
            ("hosts all all all md5", "/d/pg_hba.conf:1: invalid connection type \"hosts\""),
            ("\nhost all", "/d/pg_hba.conf:2: end-of-line before role specification"),
            ("host all all 10.0.0.0/33 md5", "invalid CIDR mask in address \"10.0.0.0/33\""),
            ("host all all 10.0.0.1 md5", "invalid IP mask \"md5\""),
            ("host all all 10.0.0.1", "end-of-line before netmask"),
            ("host all all all magic", "invalid authentication method \"magic\""),
            ("host all all all cert", "cert authentication is only supported on hostssl connections"),
            ("hostssl all all all peer", "peer authentication is only supported on local sockets"),
            ("host all all all md5 clientcert=verify-ca", "clientcert can only be configured for \"hostssl\" rows"),
            ("hostssl all all all cert clientcert=verify-ca", "only accepts \"verify-full\""),
            ("hostssl all all all md5 clientcert=1", "invalid value for clientcert"),
            ("host all all all md5 foo", "not in name=value format: foo"),
            ("local all", "end-of-line before role specification"),
            ("include", "missing file name"),
        ];
        for (input, expected) in table {
            let e = Hba::parse_str(input, Path::new("/d/pg_hba.conf")).unwrap_err().to_string();
            assert!(e.contains(expected), "{input}: {e}");
        }
    }

    #[test]
    fn first_match_wins() {
        let h = hba(
            "local all postgres peer\n\
             hostnossl all all 0.0.0.0/0 reject\n\
             hostssl all kong 10.0.0.0/8 cert map=kongmap\n\
             hostssl all all 10.0.0.0/8 scram-sha-256\n\
             host all all ::1/128 trust\n",
        );
        let table = [
            (q(true, Some("10.1.2.3"), "kong", "kong"), Some(3)),
            (q(true, Some("10.1.2.3"), "bob", "kong"), Some(4)),
            (q(false, Some("10.1.2.3"), "kong", "kong"), Some(2)),
            (q(true, Some("192.168.0.1"), "kong", "kong"), None),
            (q(true, Some("::1"), "kong", "kong"), Some(5)),
            (q(false, None, "postgres", "x"), Some(1)),
            (q(false, None, "bob", "x"), None),
        ];
        for (query, line) in table {
            let m = h.matching_rules(&query);
            assert_eq!(m.rule.map(|r| r.line), line, "{query:?}");
        }
    }

    #[test]
    fn unknowable_parts_are_maybe() {
        let h = hba("host all +admins all md5\nhost all all db.example.com trust\nhostssl sameuser all all cert\n");
        let m = h.matching_rules(&q(true, Some("10.0.0.1"), "kong", "kong"));
        assert_eq!(m.rule.map(|r| r.line), Some(3));
        assert_eq!(m.maybe_before.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn includes_pg16() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("hba.d")).unwrap();
        std::fs::write(d.path().join("hba.d/b.conf"), "hostssl all b all cert\n").unwrap();
        std::fs::write(d.path().join("hba.d/a.conf"), "hostssl all a all cert\n").unwrap();
        std::fs::write(d.path().join("pg_hba.conf"), "local all all peer\ninclude_dir hba.d\ninclude_if_exists nothere\n").unwrap();
        let h = Hba::load(&d.path().join("pg_hba.conf"), &crate::config::TestDisk).unwrap();
        let users: Vec<_> = h.rules.iter().map(|r| r.users[0].text.clone()).collect();
        assert_eq!(users, ["all", "a", "b"]);
        std::fs::write(d.path().join("pg_hba.conf"), "include missing.conf\n").unwrap();
        assert!(matches!(Hba::load(&d.path().join("pg_hba.conf"), &crate::config::TestDisk), Err(HbaError::Unreadable { .. })));
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u32 = 7;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 50) {
                seed = seed.wrapping_mul(1103515245).wrapping_add(12345);
                s.push(" \"\\\n#,/@+=hostsl1.0:".chars().nth((seed >> 16) as usize % 20).unwrap_or('x'));
            }
            if let Ok(h) = Hba::parse_str(&s, Path::new("g")) {
                let _ = h.matching_rules(&q(true, Some("::1"), "a", "b")).rule.is_some();
            }
        }
    }
}
