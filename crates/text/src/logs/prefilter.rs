//! The log scanner's first stage: a few short literals that every anchor contains.
//!
//! Why: the scan spends most of its time in aho-corasick's SIMD searcher (Teddy) looking for
//! the anchors. With more than 32 literals Teddy switches to its "fat" form, which reads 16
//! bytes per step instead of 32 and spreads the literals over more buckets, so the English
//! server set (50-odd anchors and the `connection received` prefix) ran at the speed of
//! `rg -F` with the same literals. Nearly every anchor shares a piece with others ("could not
//! load ", "pg_hba.conf ", "hostssl "): a cover of at most 32 pieces lets Teddy run in its slim
//! form. A line with a piece is then checked with the full anchor automaton, so the scanner
//! sees exactly the lines it saw before; only fewer bytes are looked at twice.
//!
//! Which pieces: any piece of 4–16 bytes of the anchors, chosen greedily by how many uncovered
//! anchors it covers per false start: how often its first 4 bytes (what Teddy tells buckets
//! apart by) occur in the start of the log being scanned and, weighted up, in real ordinary log
//! lines (the corpus negatives), so that neither a homogeneous start of a log nor a benchmark
//! elects a piece that is common elsewhere. The fixed prefixes whose hit is itself the answer
//! (`connection received: host=`, one in fifteen lines of a log with log_connections) are
//! searched for by their rarest end ("received: host="), checked for the whole prefix, and need
//! no second look. Last, the pieces are ordered so that Teddy's buckets stop at as few
//! positions of the log's start as possible (`bucket_order`).
//!
//! Measured on the benchmark log (`bench/logs.sh`, docs/benchmarks.md): Teddy's share of one
//! thread's time fell from 37 % to 13 %.

use std::collections::HashMap;

use aho_corasick::packed::{Config, MatchKind, Searcher};
use aho_corasick::AhoCorasick;

/// Teddy's slim form takes at most this many literals.
const SLIM_MAX: usize = 32;
/// Shortest and longest piece (Teddy's fingerprint is 4 bytes); shorter anchors keep the
/// scanner on its full automaton.
const PIECE_MIN: usize = 4;
const PIECE_MAX: usize = 16;
/// A fixed prefix is searched for by an end of at least this many bytes.
const PREFIX_END_MIN: usize = 8;

/// The first stage for one automaton's anchors.
pub(super) struct Prefilter {
    searcher: Searcher,
    /// The literals, in search order (for tests).
    #[cfg(test)]
    pieces: Vec<String>,
    /// By literal: which fixed prefix it is the end of (`None`: a piece of anchors).
    prefix_of: Vec<Option<usize>>,
    prefixes: Vec<Vec<u8>>,
}

/// A hit of the first stage.
pub(super) enum Hit {
    /// A piece of an anchor: the line it is in may hold an anchor.
    Piece { start: usize, end: usize },
    /// A fixed prefix, whole, at `start..end`.
    Prefix { start: usize, end: usize },
}

impl Hit {
    pub(super) fn span(&self) -> (usize, usize) {
        match *self {
            Hit::Piece { start, end } | Hit::Prefix { start, end } => (start, end),
        }
    }
}

impl Prefilter {
    /// A cover of `anchors` (plus the ends of the `direct` prefixes) with at most 32 pieces,
    /// ranked by how often their first 4 bytes occur in `sample` and in ordinary log lines;
    /// `None` when there is none (short or too many unrelated anchors: the scanner then
    /// searches for the anchors themselves).
    pub(super) fn build(anchors: &[String], direct: &[String], sample: &[u8]) -> Option<Prefilter> {
        let anchors: Vec<&[u8]> = anchors.iter().map(|a| a.as_bytes()).collect();
        if anchors.is_empty() || anchors.len() > 64 || anchors.iter().any(|a| a.len() < 4) || direct.iter().any(|d| d.len() < 4) {
            return None;
        }
        let sample = &sample[..sample.len().min(SAMPLE_MAX)];
        let pieces = candidate_pieces(&anchors);
        let covers = coverage(&pieces, &anchors)?;
        let grams = Grams::count(pieces.iter().map(|p| &p[..4]).chain(direct.iter().flat_map(|d| d.as_bytes().windows(4))), sample);
        let cost: Vec<f64> = pieces.iter().map(|p| grams.cost(&p[..4])).collect();
        // Rarest pieces first; when that needs more than 32 (a log whose start is full of the
        // anchors' words), the fewest pieces.
        let chosen = greedy_cover(&pieces, &covers, &cost, anchors.len(), SLIM_MAX - direct.len())
            .or_else(|| greedy_cover(&pieces, &covers, &vec![1.0; pieces.len()], anchors.len(), SLIM_MAX - direct.len()))?;
        // A prefix is searched for by its end from the rarest 4 bytes on (`connection
        // received: host=` by `received: host=`: "conn" starts every "connection authorized"
        // and "disconnection" line); a hit is checked for the whole prefix before it.
        let ends: Vec<&[u8]> = direct
            .iter()
            .map(|d| {
                let d = d.as_bytes();
                let last = d.len().saturating_sub(PREFIX_END_MIN).min(d.len() - 4);
                let from = (0..=last).min_by(|&x, &y| grams.cost(&d[x..x + 4]).total_cmp(&grams.cost(&d[y..y + 4]))).unwrap_or(0);
                &d[from..]
            })
            .collect();
        let literals: Vec<&[u8]> = chosen.iter().chain(&ends).copied().collect();
        let order = bucket_order(&literals, sample);
        let mut builder = Config::new().match_kind(MatchKind::LeftmostFirst).builder();
        for &i in &order {
            builder.add(literals[i]);
        }
        let searcher = builder.build()?;
        Some(Prefilter {
            searcher,
            #[cfg(test)]
            pieces: order.iter().map(|&i| String::from_utf8_lossy(literals[i]).into_owned()).collect(),
            prefix_of: order.iter().map(|&i| i.checked_sub(chosen.len())).collect(),
            prefixes: direct.iter().map(|d| d.as_bytes().to_vec()).collect(),
        })
    }

    /// The first hit at or after `from`.
    pub(super) fn find(&self, hay: &[u8], from: usize) -> Option<Hit> {
        let m = self.searcher.find_in(hay, aho_corasick::Span::from(from..hay.len()))?;
        let Some(k) = self.prefix_of[m.pattern().as_usize()] else {
            return Some(Hit::Piece { start: m.start(), end: m.end() });
        };
        let prefix = &self.prefixes[k];
        let start = m.end().checked_sub(prefix.len());
        Some(match start {
            Some(s) if &hay[s..m.end()] == prefix.as_slice() => Hit::Prefix { start: s, end: m.end() },
            // Only the end of a prefix: the line is looked at like any other.
            _ => Hit::Piece { start: m.start(), end: m.end() },
        })
    }

    /// How many literals the first stage searches for.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.pieces.len()
    }
}

/// Teddy's buckets (slim form).
const BUCKETS: usize = 8;

/// The order in which to hand Teddy the literals. Teddy puts literals whose first 4 bytes share
/// their low nibbles in one bucket and deals the others out to its 8 buckets by their position
/// in the list. A bucket stops the search at every position whose first 4 bytes each have a
/// low nibble and a high nibble that *some* literal of the bucket has at that offset, so which
/// literals share a bucket decides how often Teddy stops to verify (measured: the same 20
/// pieces ran at 8 or at 12 GB/s by their order alone). The layout is searched on the sample:
/// from the given order, swaps of two groups between buckets while they lower the number of
/// sample positions some bucket stops at; then the list is laid out so that Teddy deals the
/// groups out that way.
fn bucket_order(lits: &[&[u8]], sample: &[u8]) -> Vec<usize> {
    // Groups of literals Teddy keeps together (same low nibbles), in list order.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut keys: Vec<[u8; 4]> = Vec::new();
    for (i, l) in lits.iter().enumerate() {
        let key = [l[0] & 15, l[1] & 15, l[2] & 15, l[3] & 15];
        match keys.iter().position(|k| *k == key) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(key);
                groups.push(vec![i]);
            }
        }
    }
    let n = groups.len();
    // Per group and offset, the nibbles its literals have.
    let mut lo = vec![[0u16; 4]; n];
    let mut hi = vec![[0u16; 4]; n];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            for j in 0..4 {
                lo[g][j] |= 1 << (lits[i][j] & 15);
                hi[g][j] |= 1 << (lits[i][j] >> 4);
            }
        }
    }
    // The sample's 4-grams that some layout could stop at, with their counts and, per group,
    // which offsets' low (bits 0-3) and high (bits 4-7) nibbles the group has.
    let (any_lo, any_hi) = (0..n).fold(([0u16; 4], [0u16; 4]), |(mut l, mut h), g| {
        for j in 0..4 {
            l[j] |= lo[g][j];
            h[j] |= hi[g][j];
        }
        (l, h)
    });
    let mut counts: HashMap<[u8; 4], u32> = HashMap::new();
    for w in sample[..sample.len().min(SAMPLE_MAX)].windows(4) {
        let g = <[u8; 4]>::try_from(w).expect("4 bytes");
        if (0..4).all(|j| any_lo[j] >> (g[j] & 15) & 1 == 1 && any_hi[j] >> (g[j] >> 4) & 1 == 1) {
            *counts.entry(g).or_default() += 1;
        }
    }
    let grams: Vec<([u8; 4], u32)> = counts.into_iter().collect();
    let bits: Vec<Vec<u8>> = grams
        .iter()
        .map(|(w, _)| {
            (0..n)
                .map(|g| {
                    (0..4).fold(0u8, |b, j| {
                        b | u8::from(lo[g][j] >> (w[j] & 15) & 1 == 1) << j | u8::from(hi[g][j] >> (w[j] >> 4) & 1 == 1) << (j + 4)
                    })
                })
                .collect()
        })
        .collect();
    // Positions of the sample a bucket holding `members` stops at.
    let stops = |members: &[usize]| -> u64 {
        bits.iter()
            .zip(&grams)
            .filter(|(b, _)| {
                let m = members.iter().fold(0u8, |acc, &g| acc | b[g]);
                m == 0xFF
            })
            .map(|(_, (_, c))| u64::from(*c))
            .sum()
    };
    // Start from Teddy's own dealing of the given order.
    let mut bucket: Vec<Vec<usize>> = vec![Vec::new(); BUCKETS];
    for g in 0..n {
        bucket[BUCKETS - 1 - g % BUCKETS].push(g);
    }
    let mut cost: Vec<u64> = bucket.iter().map(|b| stops(b)).collect();
    for _round in 0..8 {
        let mut better = false;
        for a in 0..BUCKETS {
            for b in a + 1..BUCKETS {
                for x in 0..bucket[a].len() {
                    for y in 0..bucket[b].len() {
                        let (mut na, mut nb) = (bucket[a].clone(), bucket[b].clone());
                        std::mem::swap(&mut na[x], &mut nb[y]);
                        let (ca, cb) = (stops(&na), stops(&nb));
                        if ca + cb < cost[a] + cost[b] {
                            (bucket[a], bucket[b], cost[a], cost[b]) = (na, nb, ca, cb);
                            better = true;
                        }
                    }
                }
            }
        }
        if !better {
            break;
        }
    }
    // Lay out: the k-th group's first literal at the k-th place Teddy deals to its bucket;
    // the rest of each group after all of them (Teddy files those by their nibbles).
    let mut next = [0usize; BUCKETS];
    let mut order = Vec::with_capacity(lits.len());
    let mut rest = Vec::new();
    for k in 0..n {
        let b = BUCKETS - 1 - k % BUCKETS;
        let g = bucket[b][next[b]];
        next[b] += 1;
        order.push(groups[g][0]);
        rest.extend_from_slice(&groups[g][1..]);
    }
    order.extend(rest);
    order
}

/// Pieces covering all `n` anchors, each step the one covering most uncovered anchors per
/// cost (ties: the longer); `None` beyond `max` pieces.
fn greedy_cover<'a>(pieces: &[&'a [u8]], covers: &[u64], cost: &[f64], n: usize, max: usize) -> Option<Vec<&'a [u8]>> {
    let all: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut covered = 0u64;
    let mut chosen: Vec<&[u8]> = Vec::new();
    while covered != all {
        let best = (0..pieces.len()).filter(|&i| covers[i] & !covered != 0).max_by(|&a, &b| {
            let score = |i: usize| f64::from((covers[i] & !covered).count_ones()) / cost[i];
            score(a).total_cmp(&score(b)).then(pieces[a].len().cmp(&pieces[b].len())).then(b.cmp(&a))
        })?;
        chosen.push(pieces[best]);
        covered |= covers[best];
        if chosen.len() > max {
            return None;
        }
    }
    Some(chosen)
}

/// Pieces of every anchor: from any byte, 4, 6, 8, 12 or 16 bytes long or the rest of the
/// anchor when shorter, deduplicated.
fn candidate_pieces<'a>(anchors: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut out: Vec<&[u8]> = Vec::new();
    for a in anchors {
        for i in 0..=a.len() - PIECE_MIN {
            let rest = a.len() - i;
            for len in [4, 6, 8, 12, PIECE_MAX, rest.min(PIECE_MAX)] {
                if len <= rest {
                    out.push(&a[i..i + len]);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// For each piece, the anchors (bits) that contain it.
fn coverage(pieces: &[&[u8]], anchors: &[&[u8]]) -> Option<Vec<u64>> {
    let mut text = Vec::new();
    let mut owner = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        text.extend_from_slice(a);
        text.push(0);
        owner.extend(std::iter::repeat_n(i, a.len() + 1));
    }
    let ac = AhoCorasick::builder().match_kind(aho_corasick::MatchKind::Standard).build(pieces).ok()?;
    let mut covers = vec![0u64; pieces.len()];
    for m in ac.find_overlapping_iter(&text) {
        covers[m.pattern().as_usize()] |= 1 << owner[m.start()];
    }
    Some(covers)
}

/// Occurrences of 4-byte strings in the sample and in ordinary log lines.
struct Grams {
    counts: HashMap<[u8; 4], (u32, u32)>,
}

impl Grams {
    fn count<'a>(wanted: impl Iterator<Item = &'a [u8]>, sample: &[u8]) -> Grams {
        let mut counts: HashMap<[u8; 4], (u32, u32)> = HashMap::new();
        for w in wanted {
            if let Ok(k) = <[u8; 4]>::try_from(w) {
                counts.insert(k, (0, 0));
            }
        }
        for (text, ordinary) in [(sample, false), (ordinary_lines().as_bytes(), true)] {
            for w in text.windows(4) {
                if let Some(c) = counts.get_mut(<&[u8; 4]>::try_from(w).expect("4 bytes")) {
                    if ordinary {
                        c.1 += 1;
                    } else {
                        c.0 += 1;
                    }
                }
            }
        }
        Grams { counts }
    }

    /// What a piece starting with `g` costs Teddy: its false starts in this log and elsewhere.
    fn cost(&self, g: &[u8]) -> f64 {
        let (s, o) = <[u8; 4]>::try_from(g).ok().and_then(|k| self.counts.get(&k).copied()).unwrap_or((0, 0));
        1.0 + f64::from(s) + ORDINARY_WEIGHT * f64::from(o)
    }
}

/// How much an occurrence in the ordinary lines weighs against one in the log's own start.
const ORDINARY_WEIGHT: f64 = 8.0;
/// The part of the log's start that is counted.
const SAMPLE_MAX: usize = 128 * 1024;

/// Real ordinary (non-TLS) lines of the logs the scanner reads: the server's, PgBouncer's and
/// Kong's negatives of the recogniser corpus (public issue threads, see that file).
fn ordinary_lines() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        #[derive(serde::Deserialize)]
        struct Line {
            text: String,
            stack: String,
        }
        include_str!("../../../../tests/corpus/negatives.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<Line>(l).ok())
            .filter(|l| matches!(l.stack.as_str(), "postgres-server" | "pgbouncer" | "kong"))
            .map(|l| l.text + "\n")
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every anchor contains a piece, so every line with an anchor is found; the English server
    /// set fits Teddy's slim form.
    #[test]
    fn the_cover_finds_every_anchor() {
        let rec = crate::explain::recognisers().unwrap();
        let anchors = rec.server_anchors(Some(&[]));
        let conn = vec!["connection received: host=".to_string()];
        let sample = "2026-03-01 LOG:  connection authorized: user=app database=shop SSL enabled (protocol=TLSv1.3)\n".repeat(50);
        let p = Prefilter::build(&anchors, &conn, sample.as_bytes()).expect("a cover of at most 32 pieces");
        assert!(p.len() <= SLIM_MAX, "{}", p.len());
        for a in &anchors {
            let line = format!("2026-03-01 LOG:  {a} x");
            let hit = p.find(line.as_bytes(), 0).unwrap_or_else(|| panic!("no piece of {a:?}"));
            assert!(matches!(hit, Hit::Piece { .. }));
        }
        let c = "2026-03-01 LOG:  connection received: host=10.0.0.1 port=5";
        assert!(p.find(c.as_bytes(), 0).is_some_and(|h| matches!(h, Hit::Prefix { start, end } if c[start..end] == conn[0])));
        // The end of the prefix alone is only a line to look at.
        let odd = "2026-03-01 LOG:  message received: host=x";
        assert!(matches!(p.find(odd.as_bytes(), 0), Some(Hit::Piece { .. })), "{:?}", p.pieces);
        // Ordinary lines of the sample give no hit.
        assert!(p.find(sample.as_bytes(), 0).is_none());
    }

    /// `PGTLS_PREFILTER_SAMPLE=bench/out/pg-1G.log cargo test --lib show_pieces -- --nocapture`
    #[test]
    fn show_pieces() {
        let Ok(path) = std::env::var("PGTLS_PREFILTER_SAMPLE") else { return };
        let mut sample = vec![0u8; super::super::BUFFER_SIZE];
        let n = std::io::Read::read(&mut std::fs::File::open(path).unwrap(), &mut sample).unwrap();
        let rec = crate::explain::recognisers().unwrap();
        let p = Prefilter::build(&rec.server_anchors(Some(&[])), &["connection received: host=".into()], &sample[..n]).unwrap();
        println!("{:#?}", p.pieces);
    }

    /// The cover is a 64-bit set of anchors: 64 anchors build (or fall back) without overflow,
    /// 65 fall back to searching for the anchors themselves — never a panic.
    #[test]
    fn sixty_four_anchors_at_most() {
        let named = |n: usize| -> Vec<String> { (0..n).map(|i| format!("could not accept SSL connection {i:03}")).collect() };
        let p = Prefilter::build(&named(64), &[], b"");
        assert!(p.is_some(), "64 anchors sharing a piece have a cover");
        assert!(Prefilter::build(&named(65), &[], b"").is_none());
    }

    #[test]
    fn no_cover_for_short_anchors_or_too_many() {
        assert!(Prefilter::build(&["SSL".to_string()], &[], b"").is_none());
        // 40 anchors with no 4 bytes in common ("baba", "caca" …).
        let many: Vec<String> = (0..40u8).map(|i| char::from(b'a' + i % 20)).zip((0..40u8).map(|i| char::from(b'A' + i / 20))).map(|(a, b)| format!("{a}{b}{a}{b}")).collect();
        assert!(Prefilter::build(&many, &[], b"").is_none());
    }
}
