//! One PostgreSQL log line, taken apart.
//!
//! Server logs come in three shapes: stderr with a `log_line_prefix` the operator chose,
//! csvlog, and jsonlog (PostgreSQL 15+). The recognisers only care about the message, and the
//! summary about who and when; this module finds those without knowing the prefix: in stderr
//! lines it looks for the severity marker (`LOG:`, `FATAL:`, `DETAIL:` … or their translation),
//! and reads timestamp, pid, user, database and client address only from forms that cannot be
//! mistaken for something else (`user=`, `%u@%d` right before the marker, an IP address).
//! Lines that are not server log lines (a pasted psql or driver error) come back as `Plain`
//! with the whole text as message and no metadata. log_connections' `connection received`
//! lines (English or translated) give the client host of a backend pid, for prefixes that do
//! not name the client themselves.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// How a line was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// stderr / syslog style: prefix, severity marker, message.
    Stderr,
    Csv,
    Json,
    /// nginx / OpenResty `error.log` (Kong): `2026/03/01 10:00:00 [error] 1#0: *5 message`.
    Nginx,
    /// No severity marker: a client error or free text.
    Plain,
}

impl LineFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LineFormat::Stderr => "stderr",
            LineFormat::Nginx => "nginx",
            LineFormat::Csv => "csvlog",
            LineFormat::Json => "jsonlog",
            LineFormat::Plain => "plain",
        }
    }
}

/// The parts of a log line the recognisers and the summary use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine<'a> {
    pub format: LineFormat,
    /// Severity word as written (`LOG`, `FATAL`, `致命错误` …).
    pub severity: Option<String>,
    /// The severity in English when known (translated words are mapped back).
    pub severity_en: Option<&'static str>,
    pub message: Cow<'a, str>,
    /// csvlog/jsonlog carry DETAIL and HINT in the same record.
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub timestamp: Option<String>,
    pub pid: Option<String>,
    pub user: Option<String>,
    pub database: Option<String>,
    /// Client host (without port), `[local]` for Unix sockets.
    pub client: Option<String>,
}

const SEVERITIES_EN: [&str; 14] = [
    "LOG", "FATAL", "ERROR", "WARNING", "PANIC", "NOTICE", "INFO", "DEBUG", "DETAIL", "HINT",
    "CONTEXT", "STATEMENT", "LOCATION", "QUERY",
];

/// Translated severity words: (translated, English). Filled from translations.toml.
pub(crate) fn severity_words() -> &'static [(String, &'static str)] {
    static WORDS: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut v: Vec<(String, &'static str)> = Vec::new();
        for w in super::translations::severities() {
            if let Some(e) = SEVERITIES_EN.iter().find(|s| **s == w.en) {
                if !v.iter().any(|(t, _)| *t == w.text) {
                    v.push((w.text.clone(), e));
                }
            }
        }
        v
    })
}

struct Res {
    marker: Regex,
    nginx: Regex,
    nginx_client: Regex,
    timestamp: Regex,
    pid: Regex,
    labelled: Regex,
    user_at_db: Regex,
    ipv4: Regex,
    ipv6: Regex,
}

fn res() -> Option<&'static Res> {
    static RES: OnceLock<Option<Res>> = OnceLock::new();
    RES.get_or_init(|| {
        let mut words: Vec<String> = SEVERITIES_EN.iter().map(|s| regex::escape(s)).collect();
        words.push(r"DEBUG[1-5]".to_string());
        for (t, _) in severity_words() {
            words.push(regex::escape(t));
        }
        // Longest first so that `DEBUG1` wins over `DEBUG`.
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let marker = format!(r"(?:^|[\s\]\)>:,])(?P<sev>{})\s?[:：]\s", words.join("|"));
        Some(Res {
            marker: Regex::new(&marker).ok()?,
            // ngx_times.c writes the error-log time as "%4d/%02d/%02d %02d:%02d:%02d"
            // (nginx/nginx@0206ebe7); ngx_log.c adds "[level] pid#tid: " and "*connection ".
            nginx: Regex::new(
                r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>debug|info|notice|warn|error|crit|alert|emerg)\] (?P<pid>\d+)#\d+: (?:\*\d+ )?(?P<msg>.*)$",
            )
            .ok()?,
            nginx_client: Regex::new(r", client: (?P<client>[^,\s]+)").ok()?,
            timestamp: Regex::new(
                r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?(?:[A-Z]{2,5}\b|[+-]\d{2}(?::?\d{2})?|Z))?",
            )
            .ok()?,
            pid: Regex::new(r"\[(\d+)\]").ok()?,
            labelled: Regex::new(
                r"\b(?P<key>user|usr|db|database|dbname|client|host|remote|client_addr)=(?P<val>[^\s,;\]]+)",
            )
            .ok()?,
            user_at_db: Regex::new(r"(?:^|\s)(?P<user>[^\s@]+(?:@[^\s@]+)*)@(?P<db>[^\s@]+)(?:\s|$)").ok()?,
            ipv4: Regex::new(r"(?:^|[\s(=\[])(?P<ip>\d{1,3}(?:\.\d{1,3}){3})(?:\(\d+\)|:\d+)?(?:[\s)\],]|$)")
                .ok()?,
            ipv6: Regex::new(r"(?:^|[\s(=\[])(?P<ip>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})\(\d+\)").ok()?,
        })
    })
    .as_ref()
}

/// The severity word of a `marker` match at `start..end`: without the one separator the match
/// may start with (`(?:^|[\s\]\)>:,])`; no severity word starts with one) and without the
/// `\s?[:：]\s` it ends with (no severity word ends with a blank or a colon).
fn marker_word(line: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut from = start;
    if let Some(c) = line[start..end].chars().next() {
        if c.is_whitespace() || matches!(c, ']' | ')' | '>' | ':' | ',') {
            from += c.len_utf8();
        }
    }
    let word = strip_last(&line[from..end], char::is_whitespace);
    let word = strip_last(word, |c| matches!(c, ':' | '：'));
    let word = strip_last(word, char::is_whitespace);
    from..from + word.len()
}

fn strip_last(s: &str, what: impl Fn(char) -> bool) -> &str {
    match s.chars().next_back() {
        Some(c) if what(c) => &s[..s.len() - c.len_utf8()],
        _ => s,
    }
}

fn english_severity(word: &str) -> Option<&'static str> {
    if let Some(e) = SEVERITIES_EN.iter().find(|s| **s == word) {
        return Some(e);
    }
    if word.starts_with("DEBUG") {
        return Some("DEBUG");
    }
    severity_words().iter().find(|(t, _)| t == word).map(|(_, e)| *e)
}

fn clean(v: &str) -> Option<String> {
    let v = v.trim();
    // "[unknown]" and its translations ("[unbekannt]", "[不明]" …) mean "not known yet".
    if v.is_empty() || (v.starts_with('[') && v.ends_with(']')) || v == "unknown" || v == "-" {
        None
    } else {
        Some(v.to_string())
    }
}

/// Strip a `(port)` or `:port` suffix from a host (IPv4 only for the colon form).
pub(crate) fn host_without_port(h: &str) -> String {
    let h = h.trim();
    if let Some(i) = h.find('(') {
        return h[..i].to_string();
    }
    if h.matches(':').count() == 1 {
        if let Some((host, port)) = h.split_once(':') {
            if port.chars().all(|c| c.is_ascii_digit()) {
                return host.to_string();
            }
        }
    }
    h.to_string()
}

/// The log_connections line that names the client of a backend pid.
pub(crate) const CONNECTION_RECEIVED: &str = "connection received: host=";

/// The text before the client host in log_connections' "connection received" line: English
/// first, then the translations of `langs` (all if `None`).
pub(crate) fn connection_received_prefixes(langs: Option<&[String]>) -> Vec<String> {
    let mut v = vec![CONNECTION_RECEIVED.to_string()];
    if let Ok(t) = super::translations::translations() {
        for c in t.connection_received() {
            if langs.is_none_or(|l| l.contains(&c.lang)) && !v.contains(&c.prefix) {
                v.push(c.prefix.clone());
            }
        }
    }
    v
}

/// `[pid]` and host from a `connection received` line (any of `prefixes`).
pub(crate) fn connection_received(line: &[u8], prefixes: &[String]) -> Option<(String, String)> {
    prefixes.iter().find_map(|p| {
        let at = memchr::memmem::find(line, p.as_bytes())?;
        connection_received_at(line, at, at + p.len()).map(|(pid, h)| (pid.to_string(), h.to_string()))
    })
}

/// Parse a connection-received line whose prefix occupies `at..host_start` (found by the
/// scanner's automaton, so no second search). Plain byte work: these lines are frequent.
pub(crate) fn connection_received_at(line: &[u8], at: usize, host_start: usize) -> Option<(u32, &str)> {
    let rest = line.get(host_start..)?;
    let host_len = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
    let host = std::str::from_utf8(&rest[..host_len]).ok()?;
    let prefix = line.get(..at)?;
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'[', &prefix[i..]) {
        let s = i + k + 1;
        let len = prefix[s..].iter().take_while(|b| b.is_ascii_digit()).count();
        if len > 0 && prefix.get(s + len) == Some(&b']') {
            let pid = std::str::from_utf8(&prefix[s..s + len]).ok()?.parse::<u32>().ok()?;
            return Some((pid, host));
        }
        i = s;
    }
    None
}

/// Parse one line (without its newline).
pub fn parse_line(line: &str) -> LogLine<'_> {
    let line = line.trim_end_matches(['\r', '\n']);
    let t = line.trim_start();
    if t.starts_with('{') {
        if let Some(l) = parse_json(t) {
            return l;
        }
    }
    if t.len() > 20 && t.as_bytes()[0].is_ascii_digit() && t.as_bytes().get(4) == Some(&b'-') {
        if let Some(l) = parse_csv(t) {
            return l;
        }
    }
    if t.len() > 20 && t.as_bytes()[0].is_ascii_digit() && t.as_bytes().get(4) == Some(&b'/') {
        if let Some(l) = parse_nginx(t) {
            return l;
        }
    }
    parse_stderr(line)
}

fn plain(line: &str) -> LogLine<'_> {
    LogLine {
        format: LineFormat::Plain,
        severity: None,
        severity_en: None,
        message: Cow::Borrowed(line),
        detail: None,
        hint: None,
        timestamp: None,
        pid: None,
        user: None,
        database: None,
        client: None,
    }
}

/// An nginx / OpenResty error.log line (Kong's `logs/error.log`): the time, the level, the
/// worker pid, the message; `client: …` when nginx names the request's client.
fn parse_nginx(line: &str) -> Option<LogLine<'_>> {
    let r = res()?;
    let c = r.nginx.captures(line)?;
    let msg = c.name("msg")?;
    let level = c.name("level")?.as_str();
    Some(LogLine {
        format: LineFormat::Nginx,
        severity: Some(level.to_string()),
        severity_en: match level {
            "warn" => Some("WARNING"),
            "error" => Some("ERROR"),
            "crit" | "alert" | "emerg" => Some("FATAL"),
            _ => Some("LOG"),
        },
        message: Cow::Borrowed(msg.as_str()),
        timestamp: c.name("ts").map(|m| m.as_str().to_string()),
        pid: c.name("pid").map(|m| m.as_str().to_string()),
        client: r.nginx_client.captures(msg.as_str()).and_then(|c| c.name("client")).map(|m| m.as_str().to_string()),
        ..plain(line)
    })
}

fn parse_stderr(line: &str) -> LogLine<'_> {
    let Some(r) = res() else { return plain(line) };
    // `find`, not `captures`: the word is the match without its one leading separator and its
    // `\s?[:：]\s` end (a third of the log scanner's time per TLS line went to captures).
    let Some(all) = r.marker.find(line) else { return plain(line) };
    let sev = marker_word(line, all.start(), all.end());
    let prefix = &line[..sev.start];
    let message = line[all.end()..].trim_start();
    let sev = &line[sev];
    let mut out = LogLine {
        format: LineFormat::Stderr,
        severity: Some(sev.to_string()),
        severity_en: english_severity(sev),
        message: Cow::Borrowed(message),
        ..plain(line)
    };
    // Metadata only from what looks like a server log prefix (a timestamp or a [pid]);
    // a pasted "psql: error: connection to server at … (10.0.0.5) … FATAL:" names the
    // server, not the client, and must not be read as one.
    let ts = r.timestamp.find(prefix);
    let pid = if prefix.contains('[') { r.pid.captures(prefix).and_then(|c| c.get(1)) } else { None };
    if ts.is_none() && pid.is_none() {
        // Without a log prefix, a translated severity word must be followed by the server's
        // two spaces ("致命错误:  …"): libpq's own messages contain the same words with one
        // ("SSL SYSCALL 错误: 发现结束符", zh_CN for "SSL SYSCALL error: EOF detected").
        let translated = !SEVERITIES_EN.contains(&sev) && !sev.starts_with("DEBUG");
        let end = prefix.len() + sev.len();
        let two_spaces = line[end..].starts_with(":  ") || line[end..].starts_with('：');
        if translated && !two_spaces {
            return plain(line);
        }
        return out;
    }
    out.timestamp = ts.map(|m| m.as_str().to_string());
    out.pid = pid.map(|m| m.as_str().to_string());
    // The rest of the prefix, without the timestamp, for user/db/client.
    let rest: Cow<'_, str> = match ts {
        Some(m) => Cow::Owned(format!("{} {}", &prefix[..m.start()], &prefix[m.end()..])),
        None => Cow::Borrowed(prefix),
    };
    // Each regex below needs a character the prefix may not have: checked first, because the
    // log scanner parses every TLS line and most prefixes have neither `=` nor a dotted host.
    let labelled = if rest.contains('=') { Some(r.labelled.captures_iter(&rest)) } else { None };
    for c in labelled.into_iter().flatten() {
        let (Some(k), Some(v)) = (c.name("key"), c.name("val")) else { continue };
        match k.as_str() {
            "user" | "usr" => out.user = out.user.take().or_else(|| clean(v.as_str())),
            "db" | "database" | "dbname" => {
                out.database = out.database.take().or_else(|| clean(v.as_str()))
            }
            _ => out.client = out.client.take().or_else(|| clean(&host_without_port(v.as_str()))),
        }
    }
    if out.user.is_none() && out.database.is_none() && rest.contains('@') {
        if let Some(c) = r.user_at_db.captures(&rest) {
            let u = c.name("user").map(|m| m.as_str()).unwrap_or("");
            // `[1234] kong@kong`: never take the bracketed pid as the user.
            if !u.starts_with('[') || u.ends_with(']') {
                out.user = clean(u);
                out.database = c.name("db").and_then(|m| clean(m.as_str()));
            }
        }
    }
    if out.client.is_none() {
        if rest.contains("[local]") {
            out.client = Some("[local]".to_string());
        } else if let Some(ip) = rest.contains('.').then(|| r.ipv4.captures(&rest)).flatten().and_then(|c| c.name("ip")) {
            out.client = Some(ip.as_str().to_string());
        } else if let Some(ip) = rest.contains(':').then(|| r.ipv6.captures(&rest)).flatten().and_then(|c| c.name("ip")) {
            out.client = Some(ip.as_str().to_string());
        }
    }
    out
}

/// Split one CSV record (RFC 4180 quoting, as csvlog writes it).
fn csv_fields(line: &str) -> Vec<Cow<'_, str>> {
    let mut fields = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    loop {
        if i < b.len() && b[i] == b'"' {
            let mut s = String::new();
            let mut j = i + 1;
            let mut start = j;
            loop {
                match line[j..].find('"') {
                    None => {
                        s.push_str(&line[start..]);
                        j = b.len();
                        break;
                    }
                    Some(k) => {
                        let q = j + k;
                        s.push_str(&line[start..q]);
                        if b.get(q + 1) == Some(&b'"') {
                            s.push('"');
                            j = q + 2;
                            start = j;
                        } else {
                            j = q + 1;
                            break;
                        }
                    }
                }
            }
            fields.push(Cow::Owned(s));
            // skip to the comma
            match line[j.min(b.len())..].find(',') {
                Some(k) => i = j + k + 1,
                None => break,
            }
        } else {
            match line[i..].find(',') {
                Some(k) => {
                    fields.push(Cow::Borrowed(&line[i..i + k]));
                    i += k + 1;
                }
                None => {
                    fields.push(Cow::Borrowed(&line[i..]));
                    break;
                }
            }
        }
    }
    fields
}

fn parse_csv(line: &str) -> Option<LogLine<'_>> {
    let f = csv_fields(line);
    if f.len() < 14 {
        return None;
    }
    let r = res()?;
    let ts = r.timestamp.find(&f[0])?;
    if ts.start() != 0 {
        return None;
    }
    let opt = |i: usize| f.get(i).and_then(|v| clean(v));
    let sev = opt(11)?;
    Some(LogLine {
        format: LineFormat::Csv,
        severity_en: english_severity(&sev),
        severity: Some(sev),
        message: Cow::Owned(f[13].to_string()),
        detail: opt(14),
        hint: opt(15),
        timestamp: Some(f[0].to_string()),
        pid: opt(3),
        user: opt(1),
        database: opt(2),
        client: opt(4).map(|h| host_without_port(&h)),
    })
}

fn parse_json(line: &str) -> Option<LogLine<'static>> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let o = v.as_object()?;
    let s = |k: &str| -> Option<String> {
        match o.get(k)? {
            serde_json::Value::String(s) => clean(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let message = s("message")?;
    let sev = s("error_severity");
    Some(LogLine {
        format: LineFormat::Json,
        severity_en: sev.as_deref().and_then(english_severity),
        severity: sev,
        message: Cow::Owned(message),
        detail: s("detail"),
        hint: s("hint"),
        timestamp: s("timestamp"),
        pid: s("pid"),
        user: s("user"),
        database: s("dbname"),
        client: s("remote_host").map(|h| host_without_port(&h)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Want {
        format: LineFormat,
        sev: Option<&'static str>,
        msg: &'static str,
        ts: Option<&'static str>,
        pid: Option<&'static str>,
        user: Option<&'static str>,
        db: Option<&'static str>,
        client: Option<&'static str>,
    }

    fn check(line: &str, w: Want) {
        let l = parse_line(line);
        assert_eq!(l.format, w.format, "{line}");
        assert_eq!(l.severity_en, w.sev, "{line}");
        assert_eq!(l.message, w.msg, "{line}");
        assert_eq!(l.timestamp.as_deref(), w.ts, "{line}");
        assert_eq!(l.pid.as_deref(), w.pid, "{line}");
        assert_eq!(l.user.as_deref(), w.user, "{line}");
        assert_eq!(l.database.as_deref(), w.db, "{line}");
        assert_eq!(l.client.as_deref(), w.client, "{line}");
    }

    #[test]
    fn stderr_prefixes() {
        check(
            "2026-03-01 10:00:00.123 UTC [4242] kong@kong FATAL:  connection requires a valid client certificate",
            Want {
                format: LineFormat::Stderr,
                sev: Some("FATAL"),
                msg: "connection requires a valid client certificate",
                ts: Some("2026-03-01 10:00:00.123 UTC"),
                pid: Some("4242"),
                user: Some("kong"),
                db: Some("kong"),
                client: None,
            },
        );
        check(
            "2026-03-01 10:00:00 CET [77]: [3-1] user=app,db=shop,app=psql,client=10.1.2.3 LOG:  could not accept SSL connection: wrong version number",
            Want {
                format: LineFormat::Stderr,
                sev: Some("LOG"),
                msg: "could not accept SSL connection: wrong version number",
                ts: Some("2026-03-01 10:00:00 CET"),
                pid: Some("77"),
                user: Some("app"),
                db: Some("shop"),
                client: Some("10.1.2.3"),
            },
        );
        check(
            "2026-03-01 10:00:00.5 UTC [9] [unknown]@[unknown] 192.168.0.9(53412) LOG:  could not accept SSL connection: EOF detected",
            Want {
                format: LineFormat::Stderr,
                sev: Some("LOG"),
                msg: "could not accept SSL connection: EOF detected",
                ts: Some("2026-03-01 10:00:00.5 UTC"),
                pid: Some("9"),
                user: None,
                db: None,
                client: Some("192.168.0.9"),
            },
        );
        // Seed guide form: no prefix at all.
        check(
            "LOG:  could not accept SSL connection: tlsv1 alert unknown ca",
            Want {
                format: LineFormat::Stderr,
                sev: Some("LOG"),
                msg: "could not accept SSL connection: tlsv1 alert unknown ca",
                ts: None,
                pid: None,
                user: None,
                db: None,
                client: None,
            },
        );
        // psql output names the server address: not a client.
        check(
            "psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  connection requires a valid client certificate",
            Want {
                format: LineFormat::Stderr,
                sev: Some("FATAL"),
                msg: "connection requires a valid client certificate",
                ts: None,
                pid: None,
                user: None,
                db: None,
                client: None,
            },
        );
        check(
            "x509: certificate signed by unknown authority",
            Want {
                format: LineFormat::Plain,
                sev: None,
                msg: "x509: certificate signed by unknown authority",
                ts: None,
                pid: None,
                user: None,
                db: None,
                client: None,
            },
        );
    }

    /// The severity word cut from a `find` match is the `sev` group of `captures`, on every
    /// line of the recogniser corpus (real posted texts, translations, source texts).
    #[test]
    fn marker_word_is_the_sev_group() {
        let r = res().unwrap();
        let corpus = [
            include_str!("../../../../tests/corpus/posted.jsonl"),
            include_str!("../../../../tests/corpus/translations.jsonl"),
            include_str!("../../../../tests/corpus/negatives.jsonl"),
            include_str!("../../../../tests/corpus/source-postgres-server.jsonl"),
            include_str!("../../../../tests/corpus/source-libpq.jsonl"),
        ];
        let mut n = 0;
        for file in corpus {
            for l in file.lines() {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                for line in v["text"].as_str().unwrap().lines() {
                    let Some(c) = r.marker.captures(line) else { continue };
                    let all = c.get(0).unwrap();
                    assert_eq!(&line[marker_word(line, all.start(), all.end())], c.name("sev").unwrap().as_str(), "{line}");
                    n += 1;
                }
            }
        }
        assert!(n > 1500, "{n}");
        for line in [" LOG:  x", "\tFATAL :  y", "x]ERROR： z", "[1] ÖLÜMCÜL (FATAL):  a", "LOG: b"] {
            let c = r.marker.captures(line).unwrap();
            let all = c.get(0).unwrap();
            assert_eq!(&line[marker_word(line, all.start(), all.end())], c.name("sev").unwrap().as_str(), "{line}");
        }
    }

    #[test]
    fn translated_marker() {
        let l = parse_line("2026-03-01 10:00:00.123 CST [5] 致命错误:  连接需要一个有效的客户端证书");
        assert_eq!(l.severity_en, Some("FATAL"));
        assert_eq!(l.message, "连接需要一个有效的客户端证书");
    }

    #[test]
    fn csv_and_json() {
        let csv = r#"2026-03-01 10:00:00.123 UTC,"kong","kongdb",4242,"10.0.0.7:51000",65e1.1,1,"authentication",2026-03-01 10:00:00 UTC,3/1,0,FATAL,28000,"certificate authentication failed for user ""kong""",,,,,,,,,"","client backend",,0"#;
        check(
            csv,
            Want {
                format: LineFormat::Csv,
                sev: Some("FATAL"),
                msg: "certificate authentication failed for user \"kong\"",
                ts: Some("2026-03-01 10:00:00.123 UTC"),
                pid: Some("4242"),
                user: Some("kong"),
                db: Some("kongdb"),
                client: Some("10.0.0.7"),
            },
        );
        let json = r#"{"timestamp":"2026-03-01 10:00:00.123 UTC","user":"app","dbname":"shop","pid":99,"remote_host":"10.9.8.7","remote_port":5000,"error_severity":"LOG","message":"could not accept SSL connection: unsupported protocol","hint":"This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3."}"#;
        let l = parse_line(json);
        assert_eq!(l.format, LineFormat::Json);
        assert_eq!(l.client.as_deref(), Some("10.9.8.7"));
        assert_eq!(l.pid.as_deref(), Some("99"));
        assert!(l.hint.as_deref().is_some_and(|h| h.contains("TLSv1.3")));
    }

    #[test]
    fn connection_received_lines() {
        let en = [CONNECTION_RECEIVED.to_string()];
        assert_eq!(connection_received(b"x [12] LOG:  connection received: host=::1 port=5", &en), Some(("12".into(), "::1".into())));
        assert_eq!(connection_received(b"LOG:  connection received: host=h", &en), None);
    }

    #[test]
    fn garbage_does_not_panic() {
        for g in ["", "{", "{\"message\":1}", "2026-01-01 ,,,,\"", "\"\"\"", "LOG:", "ÿÿ FATAL:  ", "1234-5"] {
            let _ = parse_line(g);
        }
        assert_eq!(csv_fields("a,\"b\"\"c\",d").len(), 3);
        assert_eq!(csv_fields("a,\"unterminated").len(), 2);
    }
}
