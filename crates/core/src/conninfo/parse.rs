//! The three target syntaxes, read byte for byte as libpq's `conninfo_parse` and
//! `conninfo_uri_parse_options` read them, so that odd inputs (a quote in the middle of a
//! value, a `%2C` in a host list, `ssl=true`) mean here what they mean to `psql`.

use super::{is_c_space, keyword, ConnInfo, ConninfoError, Form, HostPortProblem, REDACTED};

/// Parses a keyword/value string, a `postgresql://` / `postgres://` URI, or a bare
/// `HOST[:PORT]` / `[V6][:PORT]` (anything without `=` or blanks that is not a URI).
///
/// Nothing is looked up and values are not validated beyond the syntax (that is
/// [`super::resolve`]'s job, as in libpq); unknown keywords are rejected here, as libpq does.
pub fn parse(target: &str) -> Result<ConnInfo, ConninfoError> {
    // Only at the very start, as libpq's `uri_prefix_length`: " postgresql://…" is a
    // keyword/value string to libpq (and fails there with `missing "="`). Found by the
    // conninfo_libpq differential fuzz target.
    if uri_prefix_len(target) > 0 {
        return parse_uri(target);
    }
    let trimmed = target.trim_matches(is_c_space);
    if !trimmed.is_empty()
        && !trimmed.contains('=')
        && !trimmed.contains("://")
        && !trimmed.chars().any(is_c_space)
    {
        return parse_host_port(trimmed);
    }
    parse_keyvalue(target)
}

fn uri_prefix_len(s: &str) -> usize {
    ["postgresql://", "postgres://"]
        .iter()
        .find(|p| s.starts_with(*p))
        .map_or(0, |p| p.len())
}

fn is_space(b: u8) -> bool {
    is_c_space(b as char)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// libpq's `conninfo_storeval` name handling: `requiressl` becomes `sslmode`, then the
/// keyword must be known.
fn canonical(name: &str, value: String) -> Option<(&'static str, String)> {
    if name == "requiressl" {
        let mode = if value.starts_with('1') {
            "require"
        } else {
            "prefer"
        };
        return Some(("sslmode", mode.to_string()));
    }
    keyword(name).map(|k| (k.name, value))
}

fn parse_keyvalue(s: &str) -> Result<ConnInfo, ConninfoError> {
    let b = s.as_bytes();
    let mut info = ConnInfo::new(Form::KeyValue);
    // After an unquoted password, a stray "keyword" may be the rest of a password that
    // contained a blank; it must not appear in an error message.
    let mut after_unquoted_password = false;
    let shown = |name: &[u8], redact: bool| {
        if redact {
            REDACTED.to_string()
        } else {
            lossy(name)
        }
    };
    let mut i = 0;
    while i < b.len() {
        if is_space(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let name = &b[start..i];
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            return Err(ConninfoError::MissingEquals {
                keyword: shown(name, after_unquoted_password),
            });
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let mut value = Vec::new();
        let quoted = i < b.len() && b[i] == b'\'';
        if quoted {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(ConninfoError::UnterminatedQuote),
                    Some(b'\\') => {
                        i += 1;
                        if let Some(&c) = b.get(i) {
                            value.push(c);
                            i += 1;
                        }
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() {
                if is_space(b[i]) {
                    i += 1;
                    break;
                }
                if b[i] == b'\\' {
                    i += 1;
                    if let Some(&c) = b.get(i) {
                        value.push(c);
                        i += 1;
                    }
                } else {
                    value.push(b[i]);
                    i += 1;
                }
            }
        }
        let name_text = lossy(name);
        let Some((kw, v)) = canonical(&name_text, lossy(&value)) else {
            return Err(ConninfoError::InvalidOption {
                keyword: shown(name, after_unquoted_password),
            });
        };
        after_unquoted_password = kw == "password" && !quoted;
        info.set(kw, v);
    }
    Ok(info)
}

/// Percent-decodes `raw` as libpq's `conninfo_uri_decode` does (`+` stays `+`).
/// `secret` values are not echoed in the error.
fn decode(raw: &[u8], secret: bool) -> Result<String, ConninfoError> {
    let token = || {
        if secret {
            REDACTED.to_string()
        } else {
            lossy(raw)
        }
    };
    let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'%' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let (Some(hi), Some(lo)) = (hex(raw.get(i + 1)), hex(raw.get(i + 2))) else {
            return Err(ConninfoError::InvalidPercentEncoding { token: token() });
        };
        let c = (hi << 4 | lo) as u8;
        if c == 0 {
            return Err(ConninfoError::PercentEncodedNul { token: token() });
        }
        out.push(c);
        i += 3;
    }
    String::from_utf8(out).map_err(|_| ConninfoError::PercentEncodedNotUtf8 { token: token() })
}

/// The URI with the password in its userinfo replaced by `********`, for error messages.
pub(crate) fn redact_uri(uri: &str) -> String {
    let prefix = uri_prefix_len(uri);
    let rest = &uri[prefix..];
    let Some(end) = rest.find(['@', '/']) else {
        return uri.to_string();
    };
    if rest.as_bytes()[end] != b'@' {
        return uri.to_string();
    }
    match rest[..end].find(':') {
        Some(colon) if colon + 1 < end => format!(
            "{}{}:{REDACTED}{}",
            &uri[..prefix],
            &rest[..colon],
            &rest[end..]
        ),
        _ => uri.to_string(),
    }
}

fn parse_uri(uri: &str) -> Result<ConnInfo, ConninfoError> {
    let b = uri.as_bytes();
    let len = b.len();
    let mut info = ConnInfo::new(Form::Uri);
    let mut p = uri_prefix_len(uri);

    // user[:password]@ — only if an '@' comes before the first '/'.
    let mut q = p;
    while q < len && b[q] != b'@' && b[q] != b'/' {
        q += 1;
    }
    if q < len && b[q] == b'@' {
        let userinfo = &b[p..q];
        let (user, password) = match userinfo.iter().position(|&c| c == b':') {
            Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            info.set("user", decode(user, false)?);
        }
        if let Some(pw) = password.filter(|pw| !pw.is_empty()) {
            info.set("password", decode(pw, true)?);
        }
        p = q + 1;
    }

    // host[:port] list, comma-separated; IPv6 literals in brackets.
    let mut hosts: Vec<u8> = Vec::new();
    let mut ports: Vec<u8> = Vec::new();
    let mut prevchar;
    loop {
        let host;
        if b.get(p) == Some(&b'[') {
            p += 1;
            let start = p;
            while p < len && b[p] != b']' {
                p += 1;
            }
            if p >= len {
                return Err(ConninfoError::UnterminatedIpv6 {
                    uri: redact_uri(uri),
                });
            }
            if p == start {
                return Err(ConninfoError::EmptyIpv6 {
                    uri: redact_uri(uri),
                });
            }
            host = &b[start..p];
            p += 1;
            if p < len && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                return Err(ConninfoError::UnexpectedUriChar {
                    ch: uri.get(p..).and_then(|s| s.chars().next()).unwrap_or('?'),
                    position: p + 1,
                    uri: redact_uri(uri),
                });
            }
        } else {
            let start = p;
            while p < len && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            host = &b[start..p];
        }
        prevchar = b.get(p).copied();
        hosts.extend_from_slice(host);
        if prevchar == Some(b':') {
            p += 1;
            let start = p;
            while p < len && !matches!(b[p], b'/' | b'?' | b',') {
                p += 1;
            }
            prevchar = b.get(p).copied();
            ports.extend_from_slice(&b[start..p]);
        }
        if prevchar != Some(b',') {
            break;
        }
        p += 1;
        hosts.push(b',');
        ports.push(b',');
    }
    if !hosts.is_empty() {
        info.set("host", decode(&hosts, false)?);
    }
    if !ports.is_empty() {
        info.set("port", decode(&ports, false)?);
    }

    // /dbname — an empty one is not stored, so PGDATABASE still applies.
    if prevchar.is_some_and(|c| c != b'?') {
        p += 1;
        let start = p;
        while p < len && b[p] != b'?' {
            p += 1;
        }
        prevchar = b.get(p).copied();
        if p > start {
            info.set("dbname", decode(&b[start..p], false)?);
        }
    }

    if prevchar.is_some() {
        parse_query(&b[p + 1..], &mut info)?;
    }
    Ok(info)
}

fn parse_query(mut rest: &[u8], info: &mut ConnInfo) -> Result<(), ConninfoError> {
    while !rest.is_empty() {
        let mut eq = None;
        let mut i = 0;
        while i < rest.len() && rest[i] != b'&' {
            if rest[i] == b'=' {
                if let Some(e) = eq {
                    return Err(ConninfoError::ExtraQuerySeparator {
                        keyword: lossy(&rest[..e]),
                    });
                }
                eq = Some(i);
            }
            i += 1;
        }
        let Some(eq) = eq else {
            return Err(ConninfoError::MissingQuerySeparator {
                keyword: lossy(&rest[..i]),
            });
        };
        let name = decode(&rest[..eq], false)?;
        let secret = keyword(&name).is_some_and(|k| k.secret);
        let value = decode(&rest[eq + 1..i], secret)?;
        // JDBC compatibility, as in libpq: only exactly ssl=true is understood.
        let stored = if name == "ssl" && value == "true" {
            Some(("sslmode", "require".to_string()))
        } else {
            canonical(&name, value)
        };
        let Some((kw, v)) = stored else {
            return Err(ConninfoError::InvalidQueryParameter { keyword: name });
        };
        info.set(kw, v);
        rest = rest.get(i + 1..).unwrap_or(&[]);
    }
    Ok(())
}

/// pgtls's `HOST[:PORT]` shorthand.
fn parse_host_port(t: &str) -> Result<ConnInfo, ConninfoError> {
    let invalid = |reason| ConninfoError::InvalidHostPort {
        target: t.to_string(),
        reason,
    };
    let b = t.as_bytes();
    let is_path = b[0] == b'/'
        || b[0] == b'@'
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'/' | b'\\'));
    let (host, port) = if let Some(rest) = t.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or_else(|| invalid(HostPortProblem::NoClosingBracket))?;
        let host = &rest[..close];
        if host.is_empty() {
            return Err(invalid(HostPortProblem::EmptyIpv6));
        }
        let after = &rest[close + 1..];
        if after.is_empty() {
            (host, None)
        } else if let Some(port) = after.strip_prefix(':') {
            (host, Some(port))
        } else {
            return Err(invalid(HostPortProblem::PortAfterBracket));
        }
    } else if is_path || t.matches(':').count() != 1 {
        // A socket directory, a plain name, or an IPv6 address without brackets (no port).
        (t, None)
    } else {
        let (host, port) = t.split_once(':').unwrap_or((t, ""));
        if host.is_empty() {
            return Err(invalid(HostPortProblem::NoHost));
        }
        (host, Some(port))
    };
    let mut info = ConnInfo::new(Form::HostPort);
    info.set("host", host.to_string());
    if let Some(port) = port {
        if port.is_empty() {
            return Err(invalid(HostPortProblem::NoPort));
        }
        info.set("port", port.to_string());
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input` and compares the redacted keyword/value rendering.
    fn check(input: &str, expected: &str) {
        match parse(input) {
            Ok(info) => assert_eq!(info.to_string(), expected, "input: {input:?}"),
            Err(e) => panic!("input {input:?}: unexpected error {e}"),
        }
    }

    fn check_err(input: &str, expected: &str) {
        match parse(input) {
            Ok(info) => panic!("input {input:?}: expected error, got {info}"),
            Err(e) => assert_eq!(e.to_string(), expected, "input: {input:?}"),
        }
    }

    /// Found by the conninfo_libpq differential fuzz target: libpq recognises a URI only at
    /// the very first byte; with a leading blank it is a keyword/value string, which fails.
    #[test]
    fn redact_target_masks_every_secret_form() {
        use super::super::redact_target;
        for (input, expected) in [
            ("host=h password=pw1 sslmode=require", "host=h password=******** sslmode=require"),
            ("host=h password = 'a b\\' c' user=u", "host=h password = ******** user=u"),
            ("host=h sslpassword=k1 password='unterminated", "host=h sslpassword=******** password=********"),
            ("postgresql://u:pw2@h:5432/db?sslpassword=k2&sslmode=require", "postgresql://u:********@h:5432/db?sslpassword=********&sslmode=require"),
            ("postgres://h/db?password=pw3", "postgres://h/db?password=********"),
            ("host=h sslmode=require", "host=h sslmode=require"),
        ] {
            assert_eq!(redact_target(input), expected, "{input}");
        }
    }

    #[test]
    fn uri_only_at_the_first_byte() {
        check_err(" postgresql://u@h/db", "missing \"=\" after \"postgresql://u@h/db\" in connection info string");
        check_err("\npostgres://h", "missing \"=\" after \"postgres://h\" in connection info string");
        assert!(parse("postgresql://u@h/db").is_ok());
    }

    #[test]
    fn libpq_doc_examples() {
        // "Connection Strings", keyword/value and URI examples.
        check(
            "host=localhost port=5432 dbname=mydb connect_timeout=10",
            "connect_timeout=10 dbname=mydb host=localhost port=5432",
        );
        check("postgresql://", "");
        check("postgresql://localhost", "host=localhost");
        check("postgresql://localhost:5433", "host=localhost port=5433");
        check("postgresql://localhost/mydb", "dbname=mydb host=localhost");
        check("postgresql://user@localhost", "user=user host=localhost");
        check(
            "postgresql://user:secret@localhost",
            "user=user password=******** host=localhost",
        );
        check(
            "postgresql://other@localhost/otherdb?connect_timeout=10&application_name=myapp",
            "user=other connect_timeout=10 dbname=otherdb host=localhost application_name=myapp",
        );
        check(
            "postgresql://host1:123,host2:456/somedb?target_session_attrs=any&application_name=myapp",
            "dbname=somedb host=host1,host2 port=123,456 application_name=myapp target_session_attrs=any",
        );
        check(
            "postgresql:///mydb?host=localhost&port=5433",
            "dbname=mydb host=localhost port=5433",
        );
        check(
            "postgresql://user@localhost:5433/mydb?options=-c%20synchronous_commit%3Doff",
            "user=user dbname=mydb host=localhost port=5433 options='-c synchronous_commit=off'",
        );
        check(
            "postgresql://[2001:db8::1234]/database",
            "dbname=database host=2001:db8::1234",
        );
        check(
            "postgresql:///dbname?host=/var/lib/postgresql",
            "dbname=dbname host=/var/lib/postgresql",
        );
        check(
            "postgresql://%2Fvar%2Flib%2Fpostgresql/dbname",
            "dbname=dbname host=/var/lib/postgresql",
        );
        check("postgres://localhost", "host=localhost");
    }

    #[test]
    fn keyword_value_syntax() {
        check(
            "host=db.example port=5432 sslmode=verify-full",
            "host=db.example port=5432 sslmode=verify-full",
        );
        check("host = db  port= 5433 ", "host=db port=5433");
        check(
            r"application_name='it\'s a \\ test'",
            r"application_name='it\'s a \\ test'",
        );
        check("sslrootcert='' host=h", "host=h sslrootcert=''");
        check("host=", "host=''");
        check(r"host=a\ b", "host='a b'");
        check("host=a'b'c", r"host='a\'b\'c'");
        check("host='a'port=5", "host=a port=5");
        check("host=a host=b", "host=b");
        check("requiressl=1", "sslmode=require");
        check("requiressl=0 host=h", "host=h sslmode=prefer");
        check("", "");
        check("   ", "");
        check("\thost=h\n", "host=h");
        check(
            "host=h sslnegotiation=direct sslcertmode=require sslkeylogfile=/tmp/k",
            "host=h sslnegotiation=direct sslcertmode=require sslkeylogfile=/tmp/k",
        );
        check(
            "host=h,i hostaddr=1.2.3.4,::1 port=1,2",
            "host=h,i hostaddr=1.2.3.4,::1 port=1,2",
        );
    }

    #[test]
    fn keyword_value_errors() {
        check_err(
            "host=a port",
            r#"missing "=" after "port" in connection info string"#,
        );
        check_err(
            "host=a foo bar",
            r#"missing "=" after "foo" in connection info string"#,
        );
        check_err(
            "host='abc",
            "unterminated quoted string in connection info string",
        );
        check_err(
            r"host='abc\'",
            "unterminated quoted string in connection info string",
        );
        check_err("foo=1", r#"invalid connection option "foo""#);
        check_err("=x", r#"invalid connection option """#);
        check_err("Host=x", r#"invalid connection option "Host""#);
        check_err("ssl=true", r#"invalid connection option "ssl""#);
    }

    #[test]
    fn every_listed_keyword_is_accepted() {
        for k in [
            "sslnegotiation",
            "sslsni",
            "sslcertmode",
            "sslkeylogfile",
            "require_auth",
            "channel_binding",
            "gssencmode",
            "target_session_attrs",
            "load_balance_hosts",
            "ssl_min_protocol_version",
            "ssl_max_protocol_version",
            "requiressl",
            "sslcompression",
            "sslcrldir",
            "sslpassword",
            "service",
            "passfile",
            "hostaddr",
            "connect_timeout",
            "options",
            "application_name",
            "fallback_application_name",
            "keepalives",
            "keepalives_idle",
            "keepalives_interval",
            "keepalives_count",
            "tcp_user_timeout",
            "replication",
            "krbsrvname",
            "gsslib",
            "gssdelegation",
            "sslrootcert",
            "sslcert",
            "sslkey",
            "sslcrl",
            "sslmode",
            "dbname",
            "user",
            "password",
            "port",
            "host",
            "client_encoding",
            "requirepeer",
        ] {
            assert!(parse(&format!("{k}=1")).is_ok(), "{k}");
            assert!(
                parse(&format!("postgresql://h?{k}=1")).is_ok(),
                "{k} in URI"
            );
        }
    }

    #[test]
    fn uri_hosts_ports_and_ipv6() {
        check("postgresql://h1,h2", "host=h1,h2 port=,");
        check("postgresql://h1:5432,h2", "host=h1,h2 port=5432,");
        check(
            "postgresql://u:p@h1,h2:5433/db",
            "user=u password=******** dbname=db host=h1,h2 port=,5433",
        );
        check("postgresql://[::1]:5432", "host=::1 port=5432");
        check(
            "postgresql://[::1]:5432,[fe80::1%25eth0]/d",
            "dbname=d host=::1,fe80::1%eth0 port=5432,",
        );
        check(
            "postgresql://[::1]?sslmode=require",
            "host=::1 sslmode=require",
        );
        check("postgresql://:5433", "port=5433");
        check("postgresql:///", "");
        check("postgresql://h/", "host=h");
        check("postgresql://h?", "host=h");
        check("postgresql://a%2Cb", "host=a,b");
        check("postgresql://h/my%20db", "dbname='my db' host=h");
        check("postgresql://h/a+b", "dbname=a+b host=h");
        // '@' after the first '/' is not userinfo.
        check("postgresql://h/db@x", "dbname=db@x host=h");
        check_err(
            "postgresql://[::1",
            r#"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://[::1""#,
        );
        check_err(
            "postgresql://[]",
            r#"IPv6 host address may not be empty in URI: "postgresql://[]""#,
        );
        check_err(
            "postgresql://[::1]x",
            r#"unexpected character "x" at position 19 in URI (expected ":" or "/"): "postgresql://[::1]x""#,
        );
    }

    #[test]
    fn uri_query_parameters() {
        check("postgresql://h?ssl=true", "host=h sslmode=require");
        check("postgresql://h?requiressl=1", "host=h sslmode=require");
        check(
            "postgresql://h?sslmode=require&host=other",
            "host=other sslmode=require",
        );
        check(
            "postgresql://h?application_name=a%26b",
            "host=h application_name=a&b",
        );
        check(
            "postgresql://h?application_name=",
            "host=h application_name=''",
        );
        check("postgresql://h?sslmode=require&", "host=h sslmode=require");
        check_err(
            "postgresql://h?ssl=false",
            r#"invalid URI query parameter: "ssl""#,
        );
        check_err(
            "postgresql://h?foo=1",
            r#"invalid URI query parameter: "foo""#,
        );
        check_err(
            "postgresql://h?a=b=c",
            r#"extra key/value separator "=" in URI query parameter: "a""#,
        );
        check_err(
            "postgresql://h?abc",
            r#"missing key/value separator "=" in URI query parameter: "abc""#,
        );
        check_err(
            "postgresql://h?sslmode=require&&b=2",
            r#"missing key/value separator "=" in URI query parameter: """#,
        );
    }

    #[test]
    fn percent_encoding_errors() {
        check_err(
            "postgresql://h%zz",
            r#"invalid percent-encoded token: "h%zz""#,
        );
        check_err(
            "postgresql://h/db%4",
            r#"invalid percent-encoded token: "db%4""#,
        );
        check_err(
            "postgresql://h/db%",
            r#"invalid percent-encoded token: "db%""#,
        );
        check_err(
            "postgresql://h/db%00",
            r#"forbidden value %00 in percent-encoded value: "db%00""#,
        );
        check_err(
            "postgresql://h?application_name=%00",
            r#"forbidden value %00 in percent-encoded value: "%00""#,
        );
        check_err(
            "postgresql://h/%ff",
            r#"percent-encoded value is not valid UTF-8: "%ff""#,
        );
    }

    #[test]
    fn bare_host_port() {
        check("db.example", "host=db.example");
        check("db.example:5433", "host=db.example port=5433");
        check("  db.example:5433\n", "host=db.example port=5433");
        check("10.0.0.1:6432", "host=10.0.0.1 port=6432");
        check("[::1]:5432", "host=::1 port=5432");
        check("[::1]", "host=::1");
        check("::1", "host=::1");
        check("/var/run/postgresql", "host=/var/run/postgresql");
        check(r"C:\pg\sock", r"host='C:\\pg\\sock'");
        assert_eq!(parse("db:1").map(|i| i.form), Ok(Form::HostPort));
        check_err(
            "[::1",
            r#"invalid target "[::1": missing "]" after the IPv6 address"#,
        );
        check_err(
            "[::1]x",
            r#"invalid target "[::1]x": expected ":PORT" after "]""#,
        );
        check_err(
            "[]:5",
            r#"invalid target "[]:5": empty IPv6 address in brackets"#,
        );
        check_err(
            "db:",
            r#"invalid target "db:": missing port number after ":""#,
        );
        check_err(
            ":5432",
            r#"invalid target ":5432": missing host name before ":""#,
        );
        // Blanks but no '=' go to the keyword/value parser, as in libpq.
        check_err(
            "db 5432",
            r#"missing "=" after "db" in connection info string"#,
        );
        check_err(
            "mysql://h",
            r#"missing "=" after "mysql://h" in connection info string"#,
        );
    }

    #[test]
    fn passwords_never_echoed() {
        let cases = [
            "postgresql://user:s3cr%zzt@host",
            "postgresql://user:s3cr%00t@host",
            "postgresql://user:s3cr%fft@host",
            "postgresql://user:s3cret@[::1",
            "postgresql://user:s3cret@[]",
            "postgresql://user:s3cret@[::1]x",
            "postgresql://h?password=s3cr%zzt",
            "postgresql://h?sslpassword=s3cr%zzt",
            "password=s3c ret host=h",
            "password=s3c ret=x",
        ];
        for input in cases {
            let err = parse(input).expect_err(input);
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("s3c"), "{input:?} leaked: {shown}");
            assert!(shown.contains(REDACTED), "{input:?}: {shown}");
        }
        // Quoted passwords cannot split, so following keywords are shown as usual.
        check_err(
            "password='a b' foo",
            r#"missing "=" after "foo" in connection info string"#,
        );

        let info = parse("postgresql://u:s3cret@h?sslpassword=k3y").unwrap();
        assert_eq!(info.password().map(|p| p.expose()), Some("s3cret"));
        let shown = format!("{info} {info:?} {}", serde_json::to_string(&info).unwrap());
        assert!(
            !shown.contains("s3cret") && !shown.contains("k3y"),
            "{shown}"
        );
        assert_eq!(info.get("password"), None);
        assert_eq!(
            redact_uri("postgresql://u:pw@h/d"),
            "postgresql://u:********@h/d"
        );
        assert_eq!(redact_uri("postgresql://u@h/d"), "postgresql://u@h/d");
        assert_eq!(redact_uri("postgresql://h/d@x:y"), "postgresql://h/d@x:y");
    }

    #[test]
    fn garbage_never_panics() {
        let mut seed: u32 = 7;
        let alphabet = b"=' \\%[]:/@?&,#aZ09\x00\xc3\xa9";
        for _ in 0..3000 {
            let mut s = Vec::new();
            for _ in 0..(seed % 24) {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                s.push(alphabet[(seed >> 16) as usize % alphabet.len()]);
            }
            let s = String::from_utf8_lossy(&s).into_owned();
            for prefixed in [s.clone(), format!("postgresql://{s}")] {
                let _ = parse(&prefixed);
            }
        }
    }
}
