//! `pgtls logs`: summarise the TLS problems in a PostgreSQL server log of any size.
//!
//! A busy server writes gigabytes of log, almost none of it about TLS, and the question is
//! "which TLS failures, how often, since when, from which clients". So the scanner must be
//! as fast as reading the file: it reads into one fixed buffer, runs a single Aho-Corasick
//! search over the whole buffer for the recognisers' literal anchors, and only for the rare
//! lines that contain one does it parse the line (`crate::pglog::line`) and run the regexes
//! (`crate::explain`). Ordinary lines are never copied or allocated. `.gz` files are
//! decompressed on the fly.
//!
//! Limits, on purpose: a line longer than the buffer (256 KiB) is only looked at in its first
//! 256 KiB; csvlog records whose message spans several physical lines are seen line by line;
//! the per-code top lists keep at most `MAX_DISTINCT` distinct values each (later new values
//! are counted under `other`), so memory stays bounded whatever the input.

use std::collections::{BTreeMap, HashMap};

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

mod prefilter;

use crate::explain::{recognisers, Hit, Recognisers};
use crate::pglog::line::{connection_received_at, connection_received_prefixes, parse_line};
use crate::pglog::translations;

/// Size of the read buffer.
pub const BUFFER_SIZE: usize = 256 * 1024;
/// Distinct values tracked per top list (clients, users, databases) per code.
pub const MAX_DISTINCT: usize = 4096;
/// How many entries the top lists report.
pub const TOP_N: usize = 5;
const SAMPLE_MAX: usize = 2000;

/// `LogError::Read`'s `what` when the input has no path (standard input, a decompressor).
const THE_LOG_INPUT: &str = "the log input";

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("could not open log file {path}: {source} (check the path and that you may read it)")]
    Open { path: PathBuf, source: io::Error },
    #[error("could not read {what}: {source}")]
    Read { what: String, source: io::Error },
    #[error("the built-in message patterns are broken: {0} (this is a bug in pgtls)")]
    Patterns(String),
}

impl LogError {
    /// The error as a message (its English is the `Display` text); the OS's words stay.
    pub fn said(&self) -> pgtls_core::findings::Message {
        use pgtls_core::say;
        match self {
            LogError::Open { path, source } => say!("error.logs.open", path = path.display(), error = source),
            LogError::Read { what, source } if what == THE_LOG_INPUT => say!("error.logs.read", what = say!("error.logs.the-input"), error = source),
            LogError::Read { what, source } => say!("error.logs.read", what = what, error = source),
            LogError::Patterns(e) => say!("error.logs.patterns", error = e),
        }
    }
}

/// One value and how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: String,
    pub count: u64,
}

/// Bounded frequency table.
#[derive(Debug, Clone, Default)]
struct Tally {
    counts: HashMap<String, u64>,
    other: u64,
}

impl Tally {
    fn add(&mut self, v: &str) {
        if let Some(c) = self.counts.get_mut(v) {
            *c += 1;
        } else if self.counts.len() < MAX_DISTINCT {
            self.counts.insert(v.to_string(), 1);
        } else {
            self.other += 1;
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, c) in other.counts {
            if let Some(x) = self.counts.get_mut(&k) {
                *x += c;
            } else if self.counts.len() < MAX_DISTINCT {
                self.counts.insert(k, c);
            } else {
                self.other += c;
            }
        }
        self.other += other.other;
    }

    fn subtract(&mut self, v: &str, n: u64) {
        if let Some(c) = self.counts.get_mut(v) {
            *c = c.saturating_sub(n);
            if *c == 0 {
                self.counts.remove(v);
            }
        }
    }

    fn top(&self) -> Vec<Count> {
        let mut v: Vec<Count> = self.counts.iter().map(|(k, c)| Count { value: k.clone(), count: *c }).collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        v.truncate(TOP_N);
        v
    }
}

/// Statistics for one finding code.
#[derive(Debug, Clone, Default)]
pub struct CodeStats {
    pub count: u64,
    /// The earliest and latest occurrence by the log's own timestamps (as written), across
    /// every input: logs are not always read in time order (rotated files, several servers).
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    first_key: Option<TimeKey>,
    last_key: Option<TimeKey>,
    pub sample: String,
    clients: Tally,
    users: Tally,
    databases: Tally,
}

impl CodeStats {
    pub fn clients(&self) -> Vec<Count> {
        self.clients.top()
    }
    pub fn users(&self) -> Vec<Count> {
        self.users.top()
    }
    pub fn databases(&self) -> Vec<Count> {
        self.databases.top()
    }
}

/// A point in time to order log timestamps by: the instant when the zone is numeric or
/// UTC/GMT, else the wall-clock time (same zone assumed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TimeKey(i128);

/// Parse the timestamps PostgreSQL (`%m`, `%t`, csvlog, jsonlog), Kong/nginx
/// (`2026/03/01 10:00:00`) and ISO 8601 logs write: date, time, optional fraction, optional
/// zone. `None` for anything else.
fn time_key(ts: &str) -> Option<TimeKey> {
    let b = ts.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(r)?;
        s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0i64, |a, d| a * 10 + (d - b'0') as i64))
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !matches!(b.get(4), Some(b'-' | b'/')) || b.get(7) != b.get(4) || !matches!(b.get(10), Some(b' ' | b'T')) {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos: i64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let mut scale = 100_000_000i64;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            nanos += (c - b'0') as i64 * scale;
            scale /= 10;
            i += 1;
        }
    }
    let rest = std::str::from_utf8(&b[i..]).ok()?.trim();
    let offset_s: i64 = match rest.as_bytes().first() {
        Some(sign @ (b'+' | b'-')) => {
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let (oh, om) = (digits.get(0..2)?.parse::<i64>().ok()?, digits.get(2..4).and_then(|m| m.parse::<i64>().ok()).unwrap_or(0));
            let v = oh * 3600 + om * 60;
            if *sign == b'-' { -v } else { v }
        }
        Some(b'Z') => 0,
        _ => 0,
    };
    let date = time::Date::from_calendar_date(y as i32, time::Month::try_from(mo as u8).ok()?, d as u8).ok()?;
    let t = time::Time::from_hms(h as u8, mi as u8, se as u8).ok()?;
    let secs = time::PrimitiveDateTime::new(date, t).assume_utc().unix_timestamp() - offset_s;
    Some(TimeKey(secs as i128 * 1_000_000_000 + nanos as i128))
}

/// A burst of TLS handshake failures from one client that looks like a scan (`pgtls
/// protocols`, sslscan, testssl.sh, nmap): many failures of several kinds (versions, ciphers)
/// with no pause between them. Reported apart, so a scan does not drown the real clients'
/// problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scanner {
    pub client: String,
    /// Handshake failures of the burst, by code.
    pub handshakes: BTreeMap<String, u64>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
}

/// Handshake failures a scanner provokes by offering versions and ciphers one at a time.
const SCAN_CODES: [crate::findings::Code; 6] = [
    crate::findings::Code::ProtocolVersionMismatch,
    crate::findings::Code::CipherMismatch,
    crate::findings::Code::TlsHandshakeFailed,
    crate::findings::Code::UnexpectedEof,
    crate::findings::Code::AlpnRejected,
    crate::findings::Code::DirectSslUnsupported,
];
/// A scan: at least this many handshake failures from one client …
const SCAN_MIN: u64 = 8;
/// … of at least two kinds, none more than this many seconds after the previous one.
const SCAN_GAP_S: i128 = 5;
/// Scans remembered per client (later ones are merged into the last).
const SCANS_PER_CLIENT: usize = 16;

/// One client's current run of handshake failures.
#[derive(Debug, Clone, Default)]
struct Burst {
    count: u64,
    by_code: BTreeMap<String, u64>,
    first: Option<(TimeKey, String)>,
    last: Option<(TimeKey, String)>,
}

impl Burst {
    fn is_scan(&self) -> bool {
        self.count >= SCAN_MIN && self.by_code.len() >= 2
    }
}

/// Per-client bursts, to find scans (bounded like the top lists).
#[derive(Debug, Clone, Default)]
struct HostBursts {
    current: Burst,
    scans: Vec<Burst>,
}

impl HostBursts {
    fn add(&mut self, code: &str, at: Option<(TimeKey, String)>) {
        let gap = match (&self.current.last, &at) {
            (Some((l, _)), Some((k, _))) => (k.0 - l.0) / 1_000_000_000 > SCAN_GAP_S || k.0 < l.0,
            _ => false,
        };
        if gap {
            self.close();
        }
        let b = &mut self.current;
        b.count += 1;
        *b.by_code.entry(code.to_string()).or_default() += 1;
        if let Some(at) = at {
            if b.first.is_none() {
                b.first = Some(at.clone());
            }
            b.last = Some(at);
        }
    }

    fn close(&mut self) {
        let b = std::mem::take(&mut self.current);
        if !b.is_scan() {
            return;
        }
        let full = self.scans.len() >= SCANS_PER_CLIENT;
        match self.scans.last_mut() {
            Some(last) if full => {
                last.count += b.count;
                for (c, n) in b.by_code {
                    *last.by_code.entry(c).or_default() += n;
                }
                last.last = b.last;
            }
            _ => self.scans.push(b),
        }
    }
}

/// What a scan found; several inputs can be scanned into one summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub codes: BTreeMap<String, CodeStats>,
    /// Clients whose handshake failures look like a TLS scan (filled by [`Summary::finish`]);
    /// their failures are not in `codes`.
    pub scanners: Vec<Scanner>,
    bursts: HashMap<String, HostBursts>,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Lines that contained an anchor and were examined.
    pub candidate_lines: u64,
    /// Lines counted as (or folded into) a finding.
    pub matched_lines: u64,
}

impl Summary {
    /// Add what another scan of a later part of the same input found (the parallel scan of
    /// one file): counts add up, first and last follow the timestamps (else the order of
    /// the parts), top lists merge within their bounds.
    pub fn merge(&mut self, other: Summary) {
        self.bytes += other.bytes;
        self.candidate_lines += other.candidate_lines;
        self.matched_lines += other.matched_lines;
        for (code, o) in other.codes {
            let st = self.codes.entry(code).or_default();
            st.count += o.count;
            match (st.first_key, o.first_key) {
                (Some(a), Some(b)) if b < a => {
                    st.first_key = o.first_key;
                    st.first_seen = o.first_seen.clone();
                }
                (None, _) if st.first_seen.is_none() => {
                    st.first_key = o.first_key;
                    st.first_seen = o.first_seen.clone();
                }
                _ => {}
            }
            match (st.last_key, o.last_key) {
                (Some(a), Some(b)) if b < a => {}
                (Some(_), None) => {}
                _ if o.last_seen.is_some() => {
                    st.last_key = o.last_key;
                    st.last_seen = o.last_seen;
                }
                _ => {}
            }
            if st.sample.is_empty() {
                st.sample = o.sample;
            }
            st.clients.merge(o.clients);
            st.users.merge(o.users);
            st.databases.merge(o.databases);
        }
        for (client, mut b) in other.bursts {
            b.close();
            let mine = self.bursts.entry(client).or_default();
            mine.close();
            mine.scans.extend(b.scans);
        }
    }

    /// Separate the scanners' handshake failures from the real clients' (call once, after
    /// every input was scanned). A client with no known address cannot be told apart.
    pub fn finish(&mut self) {
        let mut scanners: Vec<Scanner> = Vec::new();
        for (client, b) in &mut self.bursts {
            b.close();
            for scan in &b.scans {
                scanners.push(Scanner {
                    client: client.clone(),
                    handshakes: scan.by_code.clone(),
                    first_seen: scan.first.as_ref().map(|(_, s)| s.clone()),
                    last_seen: scan.last.as_ref().map(|(_, s)| s.clone()),
                });
            }
        }
        for sc in &scanners {
            for (code, n) in &sc.handshakes {
                if let Some(st) = self.codes.get_mut(code) {
                    st.count = st.count.saturating_sub(*n);
                    st.clients.subtract(&sc.client, *n);
                }
            }
        }
        self.codes.retain(|_, st| st.count > 0);
        scanners.sort_by(|a, b| (&a.first_seen, &a.client).cmp(&(&b.first_seen, &b.client)));
        self.scanners = scanners;
        self.bursts.clear();
    }

    /// Each recognised code's occurrences, most frequent first (`checks::text::occurrences`
    /// makes them findings).
    pub fn occurrences(&self) -> Vec<crate::recognition::Occurrences> {
        let mut by_count: Vec<(&String, &CodeStats)> = self.codes.iter().collect();
        by_count.sort_by_key(|(_, st)| std::cmp::Reverse(st.count));
        by_count
            .into_iter()
            .filter_map(|(code, st)| {
                Some(crate::recognition::Occurrences {
                    code: crate::findings::Code::parse(code)?,
                    count: st.count,
                    first_seen: st.first_seen.clone(),
                    last_seen: st.last_seen.clone(),
                    sample: st.sample.clone(),
                })
            })
            .collect()
    }
}

#[derive(Serialize)]
struct CodeOut<'a> {
    code: &'a str,
    count: u64,
    first_seen: &'a Option<String>,
    last_seen: &'a Option<String>,
    sample: &'a str,
    clients: Vec<Count>,
    users: Vec<Count>,
    databases: Vec<Count>,
}

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut codes: Vec<CodeOut<'_>> = self
            .codes
            .iter()
            .map(|(code, st)| CodeOut {
                code,
                count: st.count,
                first_seen: &st.first_seen,
                last_seen: &st.last_seen,
                sample: &st.sample,
                clients: st.clients(),
                users: st.users(),
                databases: st.databases(),
            })
            .collect();
        codes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(b.code)));
        let mut st = s.serialize_struct("Summary", 5)?;
        st.serialize_field("bytes", &self.bytes)?;
        st.serialize_field("candidate_lines", &self.candidate_lines)?;
        st.serialize_field("matched_lines", &self.matched_lines)?;
        st.serialize_field("codes", &codes)?;
        st.serialize_field("scanners", &self.scanners)?;
        st.end()
    }
}

/// State carried across buffers: the last counted finding, so that its HINT/DETAIL line
/// (or the FATAL that follows a LOG of the same failure) is not counted twice.
#[derive(Default)]
struct Carry {
    /// Absolute offset just past the last counted line.
    last_end: Option<u64>,
    last_code: Option<crate::findings::Code>,
    last_pid: Option<String>,
    /// pid → client host from `connection received: host=… port=…` (log_connections), for
    /// prefixes without %h/%r such as Debian's default. Bounded: cleared when full.
    pid_hosts: PidHosts,
    /// What the recognisers made of a message text already seen: a log repeats the same
    /// failure ("could not accept SSL connection: wrong version number" from one client every
    /// few seconds), and matching costs more than the rest of a line's work. Bounded: cleared
    /// when full.
    seen: HashMap<String, Option<std::rc::Rc<Hit>>>,
}

/// Distinct messages remembered per scan.
const SEEN_MAX: usize = 4096;

/// Direct-mapped pid → host table: fixed size, no hashing or allocation per line; a slot
/// remembers its pid, so a collision only forgets an older backend's client.
#[derive(Default)]
struct PidHosts {
    slots: Vec<(u32, HostBuf)>,
}

impl PidHosts {
    fn insert(&mut self, pid: u32, host: HostBuf) {
        if self.slots.is_empty() {
            self.slots = vec![(u32::MAX, HostBuf { len: 0, bytes: [0; 63] }); PID_SLOTS];
        }
        self.slots[pid as usize % PID_SLOTS] = (pid, host);
    }

    fn get(&self, pid: u32) -> Option<&str> {
        let (p, h) = self.slots.get(pid as usize % PID_SLOTS)?;
        (*p == pid).then(|| h.as_str())
    }
}

/// A client host kept inline (no allocation per connection line); longer names are skipped.
#[derive(Clone, Copy)]
struct HostBuf {
    len: u8,
    bytes: [u8; 63],
}

impl HostBuf {
    fn new(h: &str) -> Option<HostBuf> {
        let b = h.as_bytes();
        if b.is_empty() || b.len() > 63 {
            return None;
        }
        let mut bytes = [0u8; 63];
        bytes[..b.len()].copy_from_slice(b);
        Some(HostBuf { len: b.len() as u8, bytes })
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

const PID_SLOTS: usize = 1 << 16;

/// Which translated server messages the scanner looks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Languages {
    /// English plus the languages seen in the first buffer of the input: a translated message
    /// the scanner knows, translated severity words, or the script (kana → ja, Hangul → ko,
    /// Han → zh_CN/zh_TW, Cyrillic → ru/uk, Georgian → ka, Greek → el, Hebrew → he, Latin
    /// letters → de/sv/fr/it/es/cs/pt_BR/pl/tr). Fast for the common English-only log.
    #[default]
    Auto,
    /// English and every translation (slower: several automata).
    All,
    /// English plus exactly these (e.g. `["ja"]`).
    Only(Vec<String>),
}

/// Options for [`scan_reader_with`].
#[derive(Debug, Clone, Default)]
pub struct LogScanOptions {
    pub languages: Languages,
    /// Lines that start before this offset only teach the scanner which client a backend pid
    /// serves (`connection received`); they are not counted. The parallel scan of one file
    /// starts each part this far before its cut.
    pub count_from: u64,
}

/// Anchors per automaton: up to this many, aho-corasick uses its SIMD searcher.
const GROUP_MAX: usize = 60;

/// Scan a whole stream (plain text; use [`open_log`] for files that may be gzip-compressed).
pub fn scan_reader<R: Read>(reader: R, summary: &mut Summary) -> Result<(), LogError> {
    scan_reader_with(reader, summary, &LogScanOptions::default())
}

/// [`scan_reader`] with options.
pub fn scan_reader_with<R: Read>(mut reader: R, summary: &mut Summary, opts: &LogScanOptions) -> Result<(), LogError> {
    let rec = recognisers().map_err(|e| LogError::Patterns(e.to_string()))?;
    let mut buf = vec![0u8; BUFFER_SIZE];
    let mut filled = 0usize;
    let mut base = 0u64;
    let mut carry = Carry::default();
    let mut skip_to_newline = false;
    let mut automata: Option<Automata> = None;
    let mut candidates: Vec<Candidate> = Vec::new();
    loop {
        // Fill the buffer (decoders often return small pieces).
        let mut eof = false;
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LogError::Read { what: THE_LOG_INPUT.into(), source: e }),
            }
        }
        let automata = match &mut automata {
            Some(a) => a,
            None => automata.insert(build_automata(rec, &opts.languages, &buf[..filled])?),
        };
        let mut start = 0usize;
        if skip_to_newline {
            match memchr::memchr(b'\n', &buf[..filled]) {
                Some(i) => {
                    start = i + 1;
                    skip_to_newline = false;
                }
                None => start = filled,
            }
        }
        let end = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[start..filled]) {
                Some(i) => start + i + 1,
                None if start == 0 && filled == buf.len() => {
                    // One line longer than the buffer: look at its first part only.
                    skip_to_newline = true;
                    filled
                }
                None => start,
            }
        };
        if end > start {
            let chunk = &buf[start..end];
            let chunk_base = base + start as u64;
            candidates.clear();
            for (i, ac) in automata.automata.iter().enumerate() {
                let conn_from = if i == 0 { automata.conn_from } else { usize::MAX };
                match &automata.prefilters[i] {
                    Some(pf) => candidate_lines_prefiltered(pf, ac, conn_from, chunk, &mut candidates),
                    None => candidate_lines(ac, conn_from, chunk, &mut candidates),
                }
            }
            if automata.automata.len() > 1 {
                candidates.sort_unstable();
                candidates.dedup_by(|b, a| a.start == b.start);
            }
            for c in &candidates {
                let (ls, le) = (c.start, c.end);
                let line = &chunk[ls..le];
                if let Some((at, host_start)) = c.conn {
                    if let Some((pid, host)) = connection_received_at(line, at - ls, host_start - ls) {
                        if let Some(h) = HostBuf::new(host) {
                            carry.pid_hosts.insert(pid, h);
                        }
                    }
                    continue;
                }
                if chunk_base + (ls as u64) < opts.count_from {
                    continue;
                }
                summary.candidate_lines += 1;
                if !examine_line(rec, line, chunk_base + ls as u64, chunk_base + le as u64 + 1, summary, &mut carry)
                    && chunk.get(le + 1) == Some(&b'\t')
                {
                    // A translation that breaks the line goes on after a tab (append_with_tabs
                    // in elog.c): the two lines are one message.
                    let mut next = le;
                    for _ in 1..crate::explain::BROKEN_LINES_MAX {
                        if chunk.get(next + 1) != Some(&b'\t') {
                            break;
                        }
                        next = memchr::memchr(b'\n', &chunk[next + 1..]).map_or(chunk.len(), |i| next + 1 + i);
                    }
                    let joined = &chunk[ls..next];
                    examine_line(rec, joined, chunk_base + ls as u64, chunk_base + next as u64 + 1, summary, &mut carry);
                }
            }
        }
        summary.bytes += end as u64;
        buf.copy_within(end..filled, 0);
        filled -= end;
        base += end as u64;
        if eof {
            break;
        }
    }
    Ok(())
}

/// Build the anchor automata for the languages wanted (detected from `first` for `Auto`).
fn build_automata(rec: &Recognisers, langs: &Languages, first: &[u8]) -> Result<Automata, LogError> {
    let selected: Option<Vec<String>> = match langs {
        Languages::All => None,
        Languages::Only(v) => Some(v.clone()),
        Languages::Auto => Some(detect_languages(first)),
    };
    let mut groups = rec.server_anchor_groups(selected.as_deref(), GROUP_MAX);
    let conn = connection_received_prefixes(selected.as_deref());
    if groups.is_empty() {
        groups.push(Vec::new());
    }
    let conn_from = groups[0].len();
    // The first stage pays for its construction (a few ms) only on inputs of more than a
    // buffer; a short log or a pasted excerpt is searched for the anchors directly.
    let large = first.len() >= BUFFER_SIZE;
    let prefilters = groups
        .iter()
        .enumerate()
        .map(|(i, g)| large.then(|| prefilter::Prefilter::build(g, if i == 0 { &conn } else { &[] }, first)).flatten())
        .collect();
    groups[0].extend(conn);
    let automata = groups
        .iter()
        .map(|g| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(g)
                .map_err(|e| LogError::Patterns(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Automata { automata, conn_from, prefilters })
}

/// The scanner's automata; patterns `conn_from..` of the first are connection-received
/// prefixes. Each automaton may have a cheaper first stage (see `prefilter`).
struct Automata {
    automata: Vec<AhoCorasick>,
    conn_from: usize,
    prefilters: Vec<Option<prefilter::Prefilter>>,
}

/// Guess the message languages of a log from its first bytes (see [`Languages::Auto`]).
pub fn detect_languages(first: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(first);
    let mut found: Vec<String> = Vec::new();
    let mut add = |l: &str| {
        if !found.iter().any(|f| f == l) {
            found.push(l.to_string());
        }
    };
    let mut han = false;
    let mut kana = false;
    for c in text.chars() {
        match c as u32 {
            0x3040..=0x30FF => kana = true,
            0xAC00..=0xD7AF => add("ko"),
            0x0400..=0x04FF => {
                add("ru");
                add("uk");
            }
            0x10A0..=0x10FF => add("ka"),
            0x0370..=0x03FF => add("el"),
            0x4E00..=0x9FFF => han = true,
            0xE4 | 0xF6 | 0xFC | 0xDF | 0xC4 | 0xD6 | 0xDC => {
                add("de");
                add("sv");
            }
            0xE5 | 0xC5 => add("sv"),
            0xE9 | 0xE8 | 0xEA | 0xE0 | 0xE7 | 0xC9 | 0xE2 | 0xF4 => {
                add("fr");
                add("it");
            }
            0xEC | 0xF2 | 0xF9 => add("it"),
            0x0590..=0x05FF => add("he"),
            0xE3 | 0xF5 | 0xC3 | 0xD5 => add("pt_BR"),
            0x105 | 0x119 | 0x142 | 0x144 | 0x15B | 0x17A | 0x17C | 0x141 => add("pl"),
            0x11F | 0x131 | 0x15F | 0x130 | 0x11E | 0x15E => add("tr"),
            0x10D | 0x159 | 0x161 | 0x17E | 0x11B | 0x16F | 0xFD => add("cs"),
            0xF1 | 0xE1 | 0xED | 0xF3 | 0xFA | 0xBF | 0xA1 => add("es"),
            _ => {}
        }
    }
    if kana {
        add("ja");
    } else if han {
        add("zh_CN");
        add("zh_TW");
    }
    // A translated message the scanner knows, anywhere in the first bytes (an Indonesian log
    // is plain ASCII; a German one may show no umlaut before its first TLS failure).
    if let Ok(rec) = crate::explain::recognisers() {
        for l in rec.server_languages_in(first) {
            add(l);
        }
    }
    // Translated severity words that are plain ASCII (de TIPP, fr ASTUCE …).
    for w in translations::severities() {
        if w.text.is_ascii() && text.contains(&format!("{}:", w.text)) {
            add(&w.lang);
        }
    }
    found
}

/// A line of the chunk that contains an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    start: usize,
    end: usize,
    /// For connection-received lines: where the prefix starts and ends (chunk offsets).
    conn: Option<(usize, usize)>,
}

fn candidate_lines(ac: &AhoCorasick, conn_from: usize, chunk: &[u8], out: &mut Vec<Candidate>) {
    let mut pos = 0usize;
    while pos < chunk.len() {
        let Some(m) = ac.find(aho_corasick::Input::new(chunk).range(pos..)) else { break };
        let (start, end) = line_around(chunk, pos, m.start(), m.end());
        let conn = (m.pattern().as_usize() >= conn_from).then_some((m.start(), m.end()));
        out.push(Candidate { start, end, conn });
        pos = end + 1;
    }
}

/// The line of `chunk` around the match `from..to` (the search started at `pos`, a line start):
/// its start and the offset of its newline (or the chunk's end).
fn line_around(chunk: &[u8], pos: usize, from: usize, to: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &chunk[pos..from]).map_or(pos, |i| pos + i + 1);
    let end = memchr::memchr(b'\n', &chunk[to..]).map_or(chunk.len(), |i| to + i);
    (start, end)
}

/// [`candidate_lines`] through the first stage: a line with one of its pieces is checked with
/// the full automaton (from the line's start, as `candidate_lines` would have met it); a fixed
/// prefix's hit is a connection-received line as it is.
fn candidate_lines_prefiltered(pf: &prefilter::Prefilter, ac: &AhoCorasick, conn_from: usize, chunk: &[u8], out: &mut Vec<Candidate>) {
    let mut pos = 0usize;
    while pos < chunk.len() {
        let Some(h) = pf.find(chunk, pos) else { break };
        let (hs, he) = h.span();
        let (start, end) = line_around(chunk, pos, hs, he);
        if let prefilter::Hit::Prefix { .. } = h {
            out.push(Candidate { start, end, conn: Some((hs, he)) });
        } else if let Some(m) = ac.find(aho_corasick::Input::new(chunk).range(start..end)) {
            let conn = (m.pattern().as_usize() >= conn_from).then_some((m.start(), m.end()));
            out.push(Candidate { start, end, conn });
        }
        pos = end + 1;
    }
}

/// A stream that may be gzip-compressed (standard input: `zcat` is not needed): the first two
/// bytes decide, and are put back in front of the rest.
pub fn decompressing<'a>(mut r: Box<dyn Read + 'a>) -> Result<Box<dyn Read + 'a>, LogError> {
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut r, &mut magic).map_err(|e| LogError::Read { what: THE_LOG_INPUT.into(), source: e })?;
    let whole = io::Cursor::new(magic[..n].to_vec()).chain(r);
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(BUFFER_SIZE, whole))))
    } else {
        Ok(Box::new(whole))
    }
}

/// A stream in UTF-8: when its first 64 KiB are not UTF-8 but read cleanly as EUC-JP,
/// Shift_JIS or GBK (a server with a legacy `lc_messages` encoding), it is transcoded on the
/// fly (`crate::pglog::encoding`); otherwise passed through untouched.
pub fn to_utf8<'a>(mut r: Box<dyn Read + 'a>) -> Result<Box<dyn Read + 'a>, LogError> {
    let mut first = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut r, &mut first).map_err(|e| LogError::Read { what: THE_LOG_INPUT.into(), source: e })?;
    first.truncate(n);
    let enc = crate::pglog::encoding::legacy_encoding(&first);
    let whole = io::Cursor::new(first).chain(r);
    Ok(match enc {
        Some(enc) => Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(enc)).build(whole)),
        None => Box::new(whole),
    })
}

/// How this crate gets a log file open: the caller's function (pgtls's `files::open`, which
/// leaves the access time alone), so that the text crate itself opens nothing.
pub type Opener = fn(&Path) -> io::Result<std::fs::File>;

/// Open a log file, transparently decompressing gzip (detected by its magic bytes).
pub fn open_log(path: &Path, open: Opener) -> Result<Box<dyn Read>, LogError> {
    let f = open(path).map_err(|e| LogError::Open { path: path.to_path_buf(), source: e })?;
    decompressing(Box::new(f))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Files smaller than this are scanned by one thread.
const SPLIT_MIN: u64 = 64 << 20;
/// How far before its cut each part of a parallel scan starts reading (see `count_from`).
const WARM_UP: u64 = 16 << 20;

/// Scan one log file with up to `threads` workers: a large plain UTF-8 file is cut into
/// line-aligned parts scanned at the same time (gzip and legacy-encoded files, and small ones,
/// by one thread). The summary is the same as one thread's, except at the cuts: a DETAIL/HINT
/// right after a cut is not folded into the message before it, a client known only from a
/// `connection received` line before a cut is not known after it, and a scan burst split by a
/// cut is judged in two halves.
pub fn scan_file(path: &Path, open: Opener, summary: &mut Summary, opts: &LogScanOptions, threads: usize) -> Result<(), LogError> {
    scan_file_split(path, open, summary, opts, threads, SPLIT_MIN)
}

/// The first line start at or after `from` in `probe` that does not continue the message
/// before it (DETAIL, HINT, CONTEXT, STATEMENT, in any language): a part never starts with a
/// line that belongs to the previous part's last message.
fn cut_in(probe: &[u8]) -> Option<usize> {
    let mut pos = memchr::memchr(b'\n', probe)? + 1;
    for _ in 0..64 {
        let end = memchr::memchr(b'\n', &probe[pos..]).map(|i| pos + i)?;
        let line = String::from_utf8_lossy(&probe[pos..end]);
        if !matches!(parse_line(&line).severity_en, Some("DETAIL" | "HINT" | "CONTEXT" | "STATEMENT")) {
            return Some(pos);
        }
        pos = end + 1;
    }
    None
}

/// [`scan_file`] with the size from which a file is split (small in tests).
fn scan_file_split(path: &Path, open: Opener, summary: &mut Summary, opts: &LogScanOptions, threads: usize, split_min: u64) -> Result<(), LogError> {
    use std::io::{Seek, SeekFrom};
    let bad_read = |e: io::Error| LogError::Read { what: path.display().to_string(), source: e };
    let mut f = open(path).map_err(|e| LogError::Open { path: path.to_path_buf(), source: e })?;
    let size = f.metadata().map_err(bad_read)?.len();
    let mut first = vec![0u8; BUFFER_SIZE];
    let n = read_up_to(&mut f, &mut first).map_err(bad_read)?;
    first.truncate(n);
    let gzip = first.starts_with(&[0x1f, 0x8b]);
    let legacy = crate::pglog::encoding::legacy_encoding(&first).is_some();
    if threads <= 1 || size < split_min || gzip || legacy {
        f.seek(SeekFrom::Start(0)).map_err(bad_read)?;
        let r = decompressing(Box::new(f)).and_then(to_utf8)?;
        return scan_reader_with(r, summary, opts);
    }
    // One language decision for the whole file, from its start.
    let opts = match &opts.languages {
        Languages::Auto => LogScanOptions { languages: Languages::Only(detect_languages(&first)), ..opts.clone() },
        _ => opts.clone(),
    };
    let parts = threads.min(16) as u64;
    // Every part after the first also reads WARM_UP bytes before its cut: parts of equal
    // length including that, so that no thread is left waiting for the last one.
    let warm = if size > parts * WARM_UP * 4 { WARM_UP } else { 0 };
    let length = (size + (parts - 1) * warm) / parts;
    let mut cuts = vec![0u64];
    for k in 1..parts {
        let at = k * length - (k - 1) * warm;
        f.seek(SeekFrom::Start(at)).map_err(bad_read)?;
        let mut probe = vec![0u8; 1 << 20];
        let got = read_up_to(&mut f, &mut probe).map_err(bad_read)?;
        let cut = match cut_in(&probe[..got]) {
            Some(i) => at + i as u64,
            None => continue,
        };
        if cut > *cuts.last().unwrap_or(&0) && cut < size {
            cuts.push(cut);
        }
    }
    cuts.push(size);
    let results: Vec<Result<Summary, LogError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                let opts = &opts;
                scope.spawn(move || -> Result<Summary, LogError> {
                    // Start a little before the cut to learn the clients of backends whose
                    // `connection received` line lies before it (counted from the cut only),
                    // at a line start.
                    let mut f = open(path).map_err(|e| LogError::Open { path: path.to_path_buf(), source: e })?;
                    let read_err = |e: io::Error| LogError::Read { what: path.display().to_string(), source: e };
                    let mut from = start.saturating_sub(WARM_UP);
                    if from > 0 {
                        f.seek(SeekFrom::Start(from)).map_err(read_err)?;
                        let mut probe = vec![0u8; 1 << 16];
                        let got = read_up_to(&mut f, &mut probe).map_err(read_err)?;
                        from = memchr::memchr(b'\n', &probe[..got]).map_or(start, |i| (from + i as u64 + 1).min(start));
                    }
                    f.seek(SeekFrom::Start(from)).map_err(read_err)?;
                    let mut part = Summary::default();
                    let o = LogScanOptions { count_from: start - from, ..opts.clone() };
                    scan_reader_with(f.take(end - from), &mut part, &o)?;
                    part.bytes = end - start;
                    Ok(part)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(LogError::Patterns("a scan thread panicked".into())))).collect()
    });
    for r in results {
        summary.merge(r?);
    }
    Ok(())
}

/// Scan one file (plain or .gz) into `summary`.
pub fn scan_path(path: &Path, open: Opener, summary: &mut Summary) -> Result<(), LogError> {
    let r = open_log(path, open)?;
    scan_reader(r, summary).map_err(|e| match e {
        LogError::Read { source, .. } => LogError::Read { what: path.display().to_string(), source },
        other => other,
    })
}

/// Count one candidate line (or message); false when no pattern matches its message.
fn examine_line(rec: &Recognisers, bytes: &[u8], start: u64, end: u64, summary: &mut Summary, carry: &mut Carry) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let log = parse_line(&text);
    let hit = match carry.seen.get(log.message.as_ref()) {
        Some(h) => h.clone(),
        None => {
            let h = rec.match_message(&log.message).map(std::rc::Rc::new);
            if carry.seen.len() >= SEEN_MAX {
                carry.seen.clear();
            }
            carry.seen.insert(log.message.to_string(), h.clone());
            h
        }
    };
    let Some(hit) = hit else { return false };
    let code = rec.code(hit.rule);
    if crate::explain::NOT_SCANNED.contains(&code) {
        return true;
    }
    let adjacent = carry.last_end == Some(start)
        && (carry.last_pid.is_none() || log.pid.is_none() || carry.last_pid == log.pid);
    let continuation = matches!(log.severity_en, Some("DETAIL" | "HINT"));
    if adjacent
        && (continuation
            || (rec.is_attach(hit.rule)
                && carry.last_code.is_some_and(|c| c == code || c == crate::findings::Code::TlsHandshakeFailed)))
    {
        summary.matched_lines += 1;
        carry.last_end = Some(end);
        return true;
    }
    summary.matched_lines += 1;
    let st = summary.codes.entry(code.to_string()).or_default();
    st.count += 1;
    let key = log.timestamp.as_deref().and_then(time_key);
    if let Some(ts) = &log.timestamp {
        match key {
            Some(k) => {
                if st.first_key.is_none_or(|f| k < f) {
                    st.first_key = Some(k);
                    st.first_seen = Some(ts.clone());
                }
                if st.last_key.is_none_or(|l| k >= l) {
                    st.last_key = Some(k);
                    st.last_seen = Some(ts.clone());
                }
            }
            // Not a timestamp pgtls can order: first and last as read.
            None => {
                if st.first_seen.is_none() {
                    st.first_seen = Some(ts.clone());
                }
                if st.last_key.is_none() {
                    st.last_seen = Some(ts.clone());
                }
            }
        }
    }
    if st.sample.is_empty() {
        let s = text.trim_end();
        st.sample = match s.char_indices().nth(SAMPLE_MAX) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s.to_string(),
        };
    }
    let client = log
        .client
        .clone()
        .or_else(|| {
            let pid = log.pid.as_ref()?.parse::<u32>().ok()?;
            carry.pid_hosts.get(pid).map(str::to_string)
        })
        .or_else(|| hit.facts.get("host").cloned());
    if let Some(c) = client {
        st.clients.add(&c);
        if SCAN_CODES.contains(&code) && (summary.bursts.len() < MAX_DISTINCT || summary.bursts.contains_key(&c)) {
            let at = key.zip(log.timestamp.clone());
            summary.bursts.entry(c).or_default().add(code.as_str(), at);
        }
    }
    if let Some(u) = log.user.as_deref().or(hit.facts.get("user").map(String::as_str)) {
        st.users.add(u);
    }
    if let Some(d) = log.database.as_deref().or(hit.facts.get("database").map(String::as_str)) {
        st.databases.add(d);
    }
    carry.last_end = Some(end);
    carry.last_code = Some(code);
    carry.last_pid = log.pid.clone();
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scan(text: &str) -> Summary {
        let mut s = Summary::default();
        scan_reader(text.as_bytes(), &mut s).unwrap();
        s
    }

    fn counts(s: &Summary) -> Vec<(String, u64)> {
        s.codes.iter().map(|(k, v)| (k.clone(), v.count)).collect()
    }

    fn check(text: &str, expected: &[(&str, u64)]) {
        let s = scan(text);
        let want: Vec<(String, u64)> = expected.iter().map(|(c, n)| (c.to_string(), *n)).collect();
        assert_eq!(counts(&s), want, "{text}");
    }

    const P: &str = "2026-03-01 10:00:00.123 UTC [4242] kong@kong ";

    #[test]
    fn seed_lines_japanese_guide() {
        let log = format!(
            "{P}LOG:  could not accept SSL connection: wrong version number\n\
             {P}HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.1 and TLSv1.1.\n\
             {P}LOG:  could not accept SSL connection: unsupported protocol\n\
             {P}HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.\n\
             {P}FATAL:  could not load server certificate file \"server.crt\": No such file or directory\n\
             {P}FATAL:  could not access private key file \"server.key\": No such file or directory\n\
             {P}FATAL:  private key file \"/certs/example.com.key\" has group or world access\n\
             {P}DETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.\n\
             {P}LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n\
             {P}LOG:  could not accept SSL connection: certificate verify failed\n\
             {P}LOG:  provided user name (kong) and authenticated user name (foo@example.com) do not match\n\
             {P}FATAL:  certificate authentication failed for user \"kong\"\n\
             {P}FATAL:  connection requires a valid client certificate\n"
        );
        check(
            &log,
            &[
                ("client-cert-required", 1),
                ("client-cert-user-mismatch", 1),
                ("client-rejects-server-ca", 1),
                ("protocol-version-mismatch", 2),
                ("server-cert-missing", 1),
                ("server-key-missing", 1),
                ("server-key-permissions", 1),
                ("server-rejects-client-cert", 1),
            ],
        );
    }

    #[test]
    fn summary_fields_and_json_shape() {
        let mut log = String::new();
        for i in 0..3 {
            log.push_str(&format!(
                "2026-03-01 10:00:0{i}.000 UTC [{i}] app@shop 10.0.0.{i}(5000) LOG:  could not accept SSL connection: no shared cipher\n"
            ));
            log.push_str("2026-03-01 10:00:00.000 UTC [7] app@shop LOG:  duration: 0.1 ms\n");
        }
        log.push_str("2026-03-01 10:00:09.000 UTC [9] app@shop 10.0.0.1(5000) LOG:  could not accept SSL connection: no shared cipher\n");
        let s = scan(&log);
        let st = &s.codes["cipher-mismatch"];
        assert_eq!(st.count, 4);
        assert_eq!(st.first_seen.as_deref(), Some("2026-03-01 10:00:00.000 UTC"));
        assert_eq!(st.last_seen.as_deref(), Some("2026-03-01 10:00:09.000 UTC"));
        assert_eq!(st.clients()[0], Count { value: "10.0.0.1".into(), count: 2 });
        assert_eq!(st.users(), vec![Count { value: "app".into(), count: 4 }]);
        assert_eq!(st.databases()[0].value, "shop");
        assert!(st.sample.contains("no shared cipher"));
        let v = serde_json::to_value(&s).unwrap();
        let c = &v["codes"][0];
        for k in ["code", "count", "first_seen", "last_seen", "sample", "clients", "users", "databases"] {
            assert!(c.get(k).is_some(), "missing {k}");
        }
        assert_eq!(c["clients"][0]["value"], "10.0.0.1");
        assert_eq!(s.bytes, log.len() as u64);
    }

    #[test]
    fn pg_hba_host_is_the_client_when_prefix_has_none() {
        let s = scan(&format!("{P}FATAL:  no pg_hba.conf entry for host \"10.1.1.1\", user \"kong\", database \"kong\", no encryption\n"));
        assert_eq!(s.codes["ssl-required-by-server"].clients()[0].value, "10.1.1.1");
    }

    #[test]
    fn translated_and_csv_and_json_lines() {
        let csv = r#"2026-03-01 10:00:00.123 UTC,"app","shop",4242,"10.0.0.7:51000",65e1.1,1,"",2026-03-01 10:00:00 UTC,,0,LOG,08P01,"could not accept SSL connection: wrong version number",,"This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.",,,,,,,"","not initialized",,0"#;
        let json = r#"{"timestamp":"2026-03-01 10:00:01.000 UTC","pid":99,"remote_host":"10.9.8.7","error_severity":"FATAL","message":"connection requires a valid client certificate"}"#;
        let ja = "2026-03-01 10:00:02.000 JST [77] ログ:  SSL接続を受け付けられませんでした: tlsv1 alert unknown ca";
        let s = scan(&format!("{csv}\n{json}\n{ja}\n"));
        assert_eq!(
            counts(&s),
            vec![("client-cert-required".into(), 1), ("client-rejects-server-ca".into(), 1), ("protocol-version-mismatch".into(), 1)]
        );
        assert_eq!(s.codes["protocol-version-mismatch"].clients()[0].value, "10.0.0.7");
        assert_eq!(s.codes["client-cert-required"].clients()[0].value, "10.9.8.7");
    }

    /// A French server's pg_hba refusal goes on in a second line after a tab (as a real
    /// PostgreSQL 15 with lc_messages = 'fr_FR.utf8' wrote it); both lines are one message, and
    /// the line after it is still read on its own.
    #[test]
    fn translation_that_breaks_the_line_is_one_message() {
        let log = "2026-11-27 22:45:46.032 UTC [13197] FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 127.0.0.1 », utilisateur « app »,\n\tbase de données « shop », aucun chiffrement\n\
                   2026-11-27 22:45:47.000 UTC [13198] FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 127.0.0.2 », utilisateur « app »,\n\
                   2026-11-27 22:45:48.000 UTC [13199] FATAL:  la connexion requiert un certificat client valide\n";
        let s = scan(log);
        assert_eq!(counts(&s), vec![("client-cert-required".into(), 1), ("ssl-required-by-server".into(), 1)]);
        let st = &s.codes["ssl-required-by-server"];
        assert_eq!((st.clients()[0].value.as_str(), st.databases()[0].value.as_str()), ("127.0.0.1", "shop"));
    }

    #[test]
    fn lines_across_buffer_boundaries_and_without_final_newline() {
        let filler = format!("{P}LOG:  statement: SELECT 1\n");
        let bad = format!("{P}LOG:  could not accept SSL connection: no shared cipher\n");
        let mut log = String::new();
        let mut expected = 0;
        let mut i = 0u32;
        while log.len() < 3 * BUFFER_SIZE {
            log.push_str(&filler);
            i += 1;
            if i % 7 == 3 {
                log.push_str(&bad);
                expected += 1;
            }
        }
        log.push_str(bad.trim_end());
        expected += 1;
        // A reader that hands out odd-sized pieces.
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(b.len()).min(1009);
                b[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = Summary::default();
        scan_reader(Dribble(log.as_bytes()), &mut s).unwrap();
        assert_eq!(s.codes["cipher-mismatch"].count, expected);
        assert_eq!(s.bytes, log.len() as u64);
    }

    #[test]
    fn overlong_line_is_bounded() {
        let mut log = "x".repeat(BUFFER_SIZE + 100);
        log.push_str(" could not accept SSL connection: no shared cipher\n");
        log.push_str(&format!("{P}FATAL:  connection requires a valid client certificate\n"));
        let s = scan(&log);
        assert_eq!(counts(&s), vec![("client-cert-required".into(), 1)]);
    }

    #[test]
    fn gzip_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postgresql.log.gz");
        let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
        enc.write_all(format!("{P}FATAL:  connection requires a valid client certificate\n").as_bytes()).unwrap();
        enc.finish().unwrap();
        let mut s = Summary::default();
        scan_path(&path, |p: &Path| std::fs::File::open(p), &mut s).unwrap();
        assert_eq!(counts(&s), vec![("client-cert-required".into(), 1)]);
        let missing = scan_path(&dir.path().join("nope.log"), |p: &Path| std::fs::File::open(p), &mut s).unwrap_err();
        assert!(missing.to_string().contains("nope.log"));
    }

    #[test]
    fn language_detection_and_modes() {
        let check_langs = |text: &str, want: &[&str]| {
            let mut got = detect_languages(text.as_bytes());
            got.sort();
            assert_eq!(got, want, "{text}");
        };
        check_langs("2026-03-01 LOG:  checkpoint starting: time\n", &[]);
        check_langs("ログ:  チェックポイント開始: time\n", &["ja"]);
        check_langs("日志:  检查点开始\n", &["zh_CN", "zh_TW"]);
        check_langs("СООБЩЕНИЕ:  контрольная точка\n", &["ru", "uk"]);
        check_langs("ΣΦΑΛΜΑ:  κάτι\n", &["el"]);
        check_langs("ჟურნალი:  რამე\n", &["ka"]);
        check_langs("TIPP:  irgendwas\n", &["de"]);
        check_langs("2026-03-01 LOG:  utilisateur\n", &[]);
        // English TLS failures name no other language (no translation's anchor is English).
        let english: String = recognisers().unwrap().server_anchors(Some(&[])).iter().map(|a| format!("{P}LOG:  {a} x\n")).collect();
        check_langs(&english, &[]);
        check_langs("ALERTA:  arquivo não\n", &["pt_BR"]);
        check_langs("BŁĄD:  coś\n", &["pl"]);
        check_langs("HATA:  bağlantı\n", &["tr"]);
        check_langs("日誌:  檢查點\n", &["zh_CN", "zh_TW"]);
        check_langs("שגיאה:  משהו\n", &["he"]);
        // Plain ASCII Indonesian: found by a message the scanner knows.
        check_langs("FATAL:  tidak ada entry pg_hba.conf untuk host« 10.0.0.5 », pengguna « app »,\n", &["id"]);
        // A German log whose first buffer shows no sign of German but a German TLS message.
        let de = format!("{P}LOG:  Anweisung: SELECT 1\n{P}LOG:  konnte SSL-Verbindung nicht annehmen: no shared cipher\n");
        assert_eq!(counts(&scan(&de)), vec![("cipher-mismatch".into(), 1)]);
        // One with no sign at all in its first buffer: Auto misses it, All finds it.
        let late = format!("{P}LOG:  Anweisung: SELECT 1\n{}{P}LOG:  konnte SSL-Verbindung nicht annehmen: no shared cipher\n", format!("{P}LOG:  Anweisung: SELECT 1\n").repeat(BUFFER_SIZE / 40));
        assert!(scan(&late).codes.is_empty());
        for opts in [LogScanOptions { languages: Languages::All, ..Default::default() }, LogScanOptions { languages: Languages::Only(vec!["de".into()]), ..Default::default() }] {
            let mut s = Summary::default();
            scan_reader_with(late.as_bytes(), &mut s, &opts).unwrap();
            assert_eq!(counts(&s), vec![("cipher-mismatch".into(), 1)], "{opts:?}");
        }
        // All: several automata, lines found by more than one are counted once.
        let mixed = format!("{P}LOG:  could not accept SSL connection: no shared cipher\n{P}LOG:  konnte SSL-Verbindung nicht annehmen: no shared cipher\n{P}FATAL:  connection requires a valid client certificate\n");
        let mut s = Summary::default();
        scan_reader_with(mixed.as_bytes(), &mut s, &LogScanOptions { languages: Languages::All, ..Default::default() }).unwrap();
        assert_eq!(counts(&s), vec![("cipher-mismatch".into(), 2), ("client-cert-required".into(), 1)]);
    }

    #[test]
    fn client_from_connection_received_line() {
        let log = String::from(
            "2026-03-01 10:00:00.000 UTC [501] [unknown]@[unknown] LOG:  connection received: host=10.7.7.7 port=40000\n\
             2026-03-01 10:00:00.001 UTC [502] [unknown]@[unknown] LOG:  connection received: host=[local]\n\
             2026-03-01 10:00:00.002 UTC [501] [unknown]@[unknown] LOG:  could not accept SSL connection: no shared cipher\n\
             2026-03-01 10:00:00.003 UTC [503] [unknown]@[unknown] LOG:  could not accept SSL connection: no shared cipher\n"
        );
        let s = scan(&log);
        assert_eq!(s.codes["cipher-mismatch"].count, 2);
        assert_eq!(s.codes["cipher-mismatch"].clients(), vec![Count { value: "10.7.7.7".into(), count: 1 }]);
        assert_eq!(s.candidate_lines, 2);
        // Real PostgreSQL 15.18 output with lc_messages = 'de_DE.utf8' (translated severity,
        // quotes, "[unknown]" and connection line).
        let de = "2026-11-23 20:47:32.608 UTC [7053] [unbekannt]@[unbekannt] LOG:  Verbindung empfangen: Host=127.0.0.1 Port=54308\n\
            2026-11-23 20:47:32.611 UTC [7053] [unbekannt]@[unbekannt] LOG:  konnte SSL-Verbindung nicht annehmen: unsupported protocol\n\
            2026-11-23 20:47:32.611 UTC [7053] [unbekannt]@[unbekannt] TIPP:  Das zeigt möglicherweise an, dass der Client keine SSL-Protokollversion zwischen TLSv1.3 und TLSv1.3 unterstützt.\n\
            2026-11-23 20:47:32.649 UTC [7056] [unbekannt]@[unbekannt] LOG:  Verbindung empfangen: Host=127.0.0.2 Port=54310\n\
            2026-11-23 20:47:32.650 UTC [7056] postgres@postgres FATAL:  kein pg_hba.conf-Eintrag für Host »127.0.0.1«, Benutzer »postgres«, Datenbank »postgres«, keine Verschlüsselung\n\
            2026-11-23 20:47:32.728 UTC [7060] [unbekannt]@[unbekannt] LOG:  Verbindung empfangen: Host=127.0.0.3 Port=54316\n\
            2026-11-23 20:47:32.771 UTC [7060] [unbekannt]@[unbekannt] LOG:  konnte SSL-Verbindung nicht annehmen: tlsv1 alert unknown ca\n";
        let s = scan(de);
        assert_eq!(
            counts(&s),
            vec![("client-rejects-server-ca".into(), 1), ("protocol-version-mismatch".into(), 1), ("ssl-required-by-server".into(), 1)]
        );
        assert_eq!(s.codes["protocol-version-mismatch"].clients()[0].value, "127.0.0.1");
        assert_eq!(s.codes["ssl-required-by-server"].clients()[0].value, "127.0.0.2");
        assert_eq!(s.codes["ssl-required-by-server"].users()[0].value, "postgres");
        assert!(s.codes["client-rejects-server-ca"].users().is_empty());
    }

    /// Random pieces of messages, prefixes and odd characters: neither `explain_text` nor the
    /// scanner may panic on them.
    #[test]
    fn garbage_never_panics() {
        let pieces = [
            "could not accept SSL connection: ", "%", "%s", "\"", "(", ")", "FATAL:  ", "HINT:  ", "致命错误:  ",
            "証明書", "\u{0}", "\u{7f}", "é", " ", "\n", "no pg_hba.conf entry for host \"", ", ", "{", ",",
            "2026-03-01 10:00:00 UTC [1] ", "x509: certificate is valid for ", " not ", "between ", " and ",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut text = String::new();
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let _ = crate::explain::explain_text(&text);
        let mut s = Summary::default();
        scan_reader(text.as_bytes(), &mut s).unwrap();
    }

    #[test]
    fn garbage_input() {
        let mut bytes: Vec<u8> = (0..=255u8).cycle().take(BUFFER_SIZE * 2 + 3).collect();
        bytes.extend_from_slice(b"\xff\xfe could not accept SSL connection: \xff\n");
        let mut s = Summary::default();
        scan_reader(&bytes[..], &mut s).unwrap();
        assert_eq!(s.bytes, bytes.len() as u64);
    }

    #[test]
    fn first_and_last_follow_the_timestamps_not_the_reading_order() {
        // Two rotated files read newest first, with a numeric zone in one of them.
        let newer = "2026-03-02 09:00:00.500 UTC [9] LOG:  could not accept SSL connection: no shared cipher\n\
                     2026-03-02 09:30:00 UTC [9] LOG:  could not accept SSL connection: no shared cipher\n";
        let older = "2026-03-01 23:59:59.999 +09 [8] LOG:  could not accept SSL connection: no shared cipher\n\
                     2026-03-01 08:00:00 UTC [8] LOG:  could not accept SSL connection: no shared cipher\n";
        let mut s = Summary::default();
        scan_reader(newer.as_bytes(), &mut s).unwrap();
        scan_reader(older.as_bytes(), &mut s).unwrap();
        let st = &s.codes["cipher-mismatch"];
        assert_eq!(st.count, 4);
        assert_eq!(st.first_seen.as_deref(), Some("2026-03-01 08:00:00 UTC"));
        assert_eq!(st.last_seen.as_deref(), Some("2026-03-02 09:30:00 UTC"));
        // 23:59:59.999 +09 is 14:59:59.999 UTC: after 08:00 UTC, before the newer file.
        assert!(time_key("2026-03-01 23:59:59.999 +09") < time_key("2026-03-02 09:00:00.500 UTC"));
        assert!(time_key("2026-03-01 23:59:59.999 +09") > time_key("2026-03-01 08:00:00 UTC"));
        assert_eq!(time_key("2026/03/01 08:00:00"), time_key("2026-03-01T08:00:00Z"));
        assert_eq!(time_key("not a time"), None);
    }

    #[test]
    fn a_burst_of_varied_handshake_failures_from_one_client_is_a_scanner() {
        let mut log = String::new();
        let kinds = ["unsupported protocol", "no shared cipher", "wrong version number"];
        for i in 0..12 {
            log.push_str(&format!(
                "2026-03-01 10:00:{i:02}.000 UTC [{}] 10.9.9.9(4000) LOG:  could not accept SSL connection: {}\n",
                100 + i,
                kinds[i % 3]
            ));
        }
        // A real client failing the same way, over hours: not a scan.
        for h in 0..9 {
            log.push_str(&format!("2026-03-01 1{h}:30:00.000 UTC [7{h}] 10.0.0.5(5000) LOG:  could not accept SSL connection: unsupported protocol\n"));
        }
        let mut s = scan(&log);
        s.finish();
        assert_eq!(s.scanners.len(), 1, "{:?}", s.scanners);
        assert_eq!(s.scanners[0].client, "10.9.9.9");
        assert_eq!(s.scanners[0].handshakes.values().sum::<u64>(), 12);
        assert_eq!(counts(&s), [("protocol-version-mismatch".to_string(), 9)]);
        assert_eq!(s.codes["protocol-version-mismatch"].clients()[0].value, "10.0.0.5");
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["scanners"][0]["client"], "10.9.9.9");
    }

    #[test]
    fn gzip_on_standard_input_is_read_through() {
        let text = "2026-03-01 10:00:00 UTC [1] LOG:  could not accept SSL connection: no shared cipher\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let packed = gz.finish().unwrap();
        for input in [packed.clone(), text.as_bytes().to_vec(), b"x".to_vec(), Vec::new()] {
            let mut s = Summary::default();
            let r = decompressing(Box::new(std::io::Cursor::new(input.clone()))).unwrap();
            scan_reader(r, &mut s).unwrap();
            let want = if input.len() > 1 { 1 } else { 0 };
            assert_eq!(s.codes.get("cipher-mismatch").map_or(0, |c| c.count), want);
        }
    }

    #[test]
    fn kong_error_log_lines_are_counted_with_their_timestamps() {
        // nginx's error.log form (ngx_times.c: "%4d/%02d/%02d %02d:%02d:%02d", then
        // "[level] pid#tid: "); the message is Kong's, as posted in Kong's issue threads.
        let log = "2026/03/01 10:00:00 [notice] 1#0: using the \"epoll\" event method\n\
                   2026/03/01 10:00:02 [error] 1#0: init_by_lua error: /usr/local/share/lua/5.1/kong/init.lua:452: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: connection refused\n\
                   2026/03/01 09:59:00 [error] 1#0: init_by_lua error: /usr/local/share/lua/5.1/kong/init.lua:452: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: connection refused\n";
        let s = scan(log);
        assert_eq!(counts(&s), [("tcp-connect-failed".to_string(), 2)]);
        let st = &s.codes["tcp-connect-failed"];
        assert_eq!(st.first_seen.as_deref(), Some("2026/03/01 09:59:00"));
        assert_eq!(st.last_seen.as_deref(), Some("2026/03/01 10:00:02"));
    }

    /// The first stage finds exactly the candidate lines the anchor automaton finds: every
    /// anchor of every language in ordinary text, connection-received lines, the end of that
    /// prefix without its start, pieces of anchors that are not anchors.
    #[test]
    fn the_first_stage_finds_the_lines_the_anchors_find() {
        let rec = recognisers().unwrap();
        let ordinary = [
            "LOG:  connection authorized: user=app database=shop application_name=psql SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            "LOG:  disconnection: session time: 0:00:01.002 user=app database=shop host=10.0.0.1 port=5000",
            "LOG:  checkpoint complete: wrote 12 buffers (0.1%); 0 WAL file(s) added, 0 removed, 1 recycled",
            "ERROR:  duplicate key value violates unique constraint \"orders_pkey\"",
            "LOG:  message received: host=x (the end of the prefix alone)",
            "LOG:  a certificate of deposit, the private keys of a piano, could not load the truck",
        ];
        for langs in [Languages::Auto, Languages::All] {
            let mut log = String::new();
            let mut i = 0usize;
            while log.len() < 2 * BUFFER_SIZE {
                log.push_str(&format!("2026-03-01 10:00:00 UTC [{i}] {}\n", ordinary[i % ordinary.len()]));
                if i.is_multiple_of(7) {
                    log.push_str(&format!("2026-03-01 10:00:00 UTC [{i}] LOG:  connection received: host=10.0.0.{} port=5\n", i % 250));
                }
                i += 1;
            }
            let selected = match &langs {
                Languages::All => None,
                _ => Some(Vec::new()),
            };
            for (k, a) in rec.server_anchors(selected.as_deref()).iter().enumerate() {
                log.push_str(&format!("2026-03-01 10:00:01 UTC [{k}] FATAL:  x {a} y\n"));
                log.push_str(&format!("2026-03-01 10:00:01 UTC [{k}] LOG:  {}\n", ordinary[k % ordinary.len()]));
            }
            let a = build_automata(rec, &langs, &log.as_bytes()[..BUFFER_SIZE]).unwrap();
            assert!(a.prefilters[0].is_some(), "English has a first stage");
            for (i, ac) in a.automata.iter().enumerate() {
                let conn_from = if i == 0 { a.conn_from } else { usize::MAX };
                let (mut plain, mut staged) = (Vec::new(), Vec::new());
                candidate_lines(ac, conn_from, log.as_bytes(), &mut plain);
                match &a.prefilters[i] {
                    Some(pf) => candidate_lines_prefiltered(pf, ac, conn_from, log.as_bytes(), &mut staged),
                    None => continue,
                }
                assert_eq!(plain, staged, "automaton {i} of {langs:?}");
                assert!(!plain.is_empty());
            }
        }
    }

    #[test]
    fn a_parallel_scan_gives_what_one_thread_gives() {
        // A realistic log: every TLS failure follows its backend's `connection received` line,
        // some with HINT lines; scanned by 1 and by 3 threads (split from 64 KiB on).
        let mut log = String::new();
        let mut t = 0u32;
        for i in 0..4000u32 {
            t += 1;
            let ts = format!("2026-03-01 {:02}:{:02}:{:02}.000 UTC", 10 + t / 3600, (t / 60) % 60, t % 60);
            let pid = 1000 + i;
            log.push_str(&format!("{ts} [{pid}] LOG:  connection received: host=10.0.{}.{} port=5000\n", i % 3, i % 200));
            match i % 4 {
                0 => log.push_str(&format!("{ts} [{pid}] LOG:  could not accept SSL connection: no shared cipher\n")),
                1 => {
                    log.push_str(&format!("{ts} [{pid}] LOG:  could not accept SSL connection: unsupported protocol\n"));
                    log.push_str(&format!("{ts} [{pid}] HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.\n"));
                }
                2 => log.push_str(&format!("{ts} [{pid}] app@shop FATAL:  no pg_hba.conf entry for host \"10.0.0.{}\", user \"app\", database \"shop\", no encryption\n", i % 200)),
                _ => log.push_str(&format!("{ts} [{pid}] app@shop LOG:  duration: 0.{i} ms  statement: SELECT 1\n")),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postgresql.log");
        std::fs::write(&path, &log).unwrap();
        assert!(log.len() > 3 * 65536);
        let run = |threads: usize| {
            let mut s = Summary::default();
            scan_file_split(&path, |p: &Path| std::fs::File::open(p), &mut s, &LogScanOptions::default(), threads, 65536).unwrap();
            s.finish();
            serde_json::to_value(&s).unwrap()
        };
        let one = run(1);
        assert_eq!(one["codes"].as_array().unwrap().len(), 3, "{one:#}");
        assert_eq!(run(3), one);
        assert_eq!(run(2), one);
    }
}
