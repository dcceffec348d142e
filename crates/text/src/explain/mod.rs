//! `pgtls explain`: turn pasted error text or log lines into findings.
//!
//! Operators arrive with a message, not a connection string: a psql error, a Kong start-up
//! failure, a Java stack trace, a server log excerpt, often in the server's language. This
//! module maps such text to the catalogue's codes and pulls out the facts the message states
//! (file, user, versions, host), so the fix can be specific. It never guesses: a line that no
//! pattern recognises yields nothing.
//!
//! The knowledge is data, not code: `patterns.toml` lists the messages (PostgreSQL server and
//! libpq messages by their exact msgid, client libraries and OpenSSL by anchor + regex) in
//! priority order, and `crates/text/src/pglog/translations.toml` (generated from PostgreSQL's own message
//! catalogues, read through `crate::pglog::translations`) holds the translated forms of the
//! server and libpq messages. Log lines are taken apart by `crate::pglog::line`. What a pattern
//! says itself (its detail, what tells its causes apart) is written in English, Chinese and
//! Japanese next to each other and travels in all three (`said`).
//! Each pattern has a literal anchor, and one Aho-Corasick automaton over all anchors decides
//! which few regexes to try. The log scanner (the `logs` module, which builds on this one)
//! builds smaller automata from the anchors of the server-log patterns only, to skip
//! non-matching lines at memory speed, and then hands the rare candidate lines to the same
//! matching code as `explain_text`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::findings::{Code, Severity, Template};
use crate::recognition::Recognition;
use crate::pglog::line::{connection_received, connection_received_prefixes, parse_line, LineFormat, LogLine};
use crate::pglog::translations::{translations, Translations};

mod said;
pub mod vocabulary;

const PATTERNS_TOML: &str = include_str!("patterns.toml");

/// The pattern files in priority order: `patterns.toml` (PostgreSQL server and libpq messages by
/// msgid — the translation generator reads only this file — and the first client patterns),
/// then one file per client stack, then the generic OpenSSL reasons and network errors, which
/// any stack can print and which therefore come last.
const PATTERN_FILES: &[(&str, &str)] = &[
    ("crates/text/src/explain/patterns.toml", PATTERNS_TOML),
    ("crates/text/src/explain/recognisers/postgres-server.toml", include_str!("recognisers/postgres-server.toml")),
    ("crates/text/src/explain/recognisers/libpq.toml", include_str!("recognisers/libpq.toml")),
    ("crates/text/src/explain/recognisers/proxies.toml", include_str!("recognisers/proxies.toml")),
    ("crates/text/src/explain/recognisers/java.toml", include_str!("recognisers/java.toml")),
    ("crates/text/src/explain/recognisers/pgjdbc-translations.toml", include_str!("recognisers/pgjdbc-translations.toml")),
    ("crates/text/src/explain/recognisers/node.toml", include_str!("recognisers/node.toml")),
    ("crates/text/src/explain/recognisers/go.toml", include_str!("recognisers/go.toml")),
    ("crates/text/src/explain/recognisers/rust.toml", include_str!("recognisers/rust.toml")),
    ("crates/text/src/explain/recognisers/python.toml", include_str!("recognisers/python.toml")),
    ("crates/text/src/explain/recognisers/dotnet.toml", include_str!("recognisers/dotnet.toml")),
    ("crates/text/src/explain/recognisers/erlang.toml", include_str!("recognisers/erlang.toml")),
    ("crates/text/src/explain/recognisers/windows.toml", include_str!("recognisers/windows.toml")),
    ("crates/text/src/explain/recognisers/openssl.toml", include_str!("recognisers/openssl.toml")),
    ("crates/text/src/explain/recognisers/network.toml", include_str!("recognisers/network.toml")),
];

/// A problem in the built-in pattern data (a bug in pgtls, caught by the tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    #[error("{file} is not valid TOML: {message}")]
    Toml { file: &'static str, message: String },
    #[error("pattern #{index} ({code}) in {file}: {message}")]
    Pattern { file: &'static str, index: usize, code: String, message: String },
    #[error("translation {lang} of {msgid:?} in crates/text/src/pglog/translations.toml: {message}")]
    Translation { lang: String, msgid: String, message: String },
    #[error("could not build the anchor automaton: {0}")]
    Automaton(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    #[serde(default)]
    pattern: Vec<PatternSpec>,
    #[serde(default)]
    context: Vec<ContextSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternSpec {
    code: String,
    source: String,
    #[serde(default)]
    msgid: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    domain: Option<String>,
    /// One literal, or several when the regex has alternatives that do not share one: a rule
    /// is only tried on text holding one of its anchors.
    #[serde(default)]
    anchor: Option<AnchorSpec>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    when: BTreeMap<String, String>,
    #[serde(default)]
    when_terms: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    attach: bool,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default)]
    detail: Option<String>,
    /// `detail` in Chinese and Japanese (see `said`).
    #[serde(default)]
    detail_zh: Option<String>,
    #[serde(default)]
    detail_ja: Option<String>,
    /// The stack whose source the message comes from (a corpus stack name).
    #[serde(default)]
    stack: Option<String>,
    /// Versions of that stack that print the message.
    #[serde(default)]
    versions: Option<String>,
    /// Provenance: where the message text was read (`owner/repo@commit:path`, or a public page).
    #[serde(default)]
    from: Vec<String>,
    /// Other codes the same text can mean: the finding names them as possible causes too.
    #[serde(default)]
    also: Vec<String>,
    /// What tells the primary cause and the `also` causes apart.
    #[serde(default)]
    tell_apart: Option<String>,
    /// `tell_apart` in Chinese and Japanese (see `said`).
    #[serde(default)]
    tell_apart_zh: Option<String>,
    #[serde(default)]
    tell_apart_ja: Option<String>,
    /// A generic symptom (a handshake failed, a connection closed): any other recognised
    /// message in the same line or exception chain names the cause and wins.
    #[serde(default)]
    symptom: bool,
    /// Only when the line's severity (English) is one of these: `role "x" does not exist` is
    /// a refused login as FATAL, an ordinary statement error as ERROR. Such patterns are not
    /// used where the severity is unknown (the log scanner's message-only matching).
    #[serde(default)]
    log_severity: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum AnchorSpec {
    One(String),
    Many(Vec<String>),
}

impl AnchorSpec {
    fn list(&self) -> Vec<String> {
        match self {
            AnchorSpec::One(a) => vec![a.clone()],
            AnchorSpec::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextSpec {
    marker: String,
    program: String,
}

/// One compiled pattern (an English pattern or one translation of it).
#[derive(Debug)]
struct Rule {
    code: Code,
    source: String,
    lang: Option<String>,
    /// Compiled on first use: with ~1,500 rules (every translation) most are never tried in a
    /// run, and compiling all of them up front cost 0.1 s and 60 MB (see `all_rules_compile`).
    regex: LazyRegex,
    /// The same regex, case-insensitive: tried on normalised text (see `normalise`), English
    /// rules only (translations are matched as the catalogues spell them).
    folded: Option<LazyRegex>,
    when: Vec<(String, Regex)>,
    when_terms: Vec<(String, Vec<String>)>,
    attach: bool,
    severity: Option<Severity>,
    /// The pattern's sentences in every language (`said`).
    detail: Option<Template>,
    stack: Option<String>,
    also: Vec<Code>,
    tell_apart: Option<Template>,
    symptom: bool,
    log_severity: Vec<String>,
    /// A translation whose text breaks the line (see `escape_literal`): a line with its anchor
    /// that does not match alone may go on in the next line.
    broken: bool,
    /// Tried after the other rules of its anchor (see `alike_translations`).
    demoted: bool,
}

impl Rule {
    /// A message `pgtls logs` looks for: of what writes the logs it reads, and counted there.
    fn scanned(&self) -> bool {
        LOG_SOURCES.contains(&self.source.as_str()) && !NOT_SCANNED.contains(&self.code)
    }
}

/// A regex compiled the first time a rule is tried. The built-in sources are checked by the
/// `all_rules_compile` test, so compiling never fails at run time.
#[derive(Debug)]
struct LazyRegex {
    source: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    fn new(source: String) -> LazyRegex {
        LazyRegex { source, compiled: OnceLock::new() }
    }

    fn get(&self) -> &Regex {
        self.compiled.get_or_init(|| Regex::new(&self.source).expect("built-in pattern compiles (all_rules_compile test)"))
    }
}

/// All recognisers, compiled once.
pub struct Recognisers {
    rules: Vec<Rule>,
    anchors: AhoCorasick,
    /// anchor id → rule indices (ascending = priority order).
    anchor_rules: Vec<Vec<usize>>,
    anchor_texts: Vec<String>,
    /// The English rules' anchors, ASCII case-insensitive, and each one's index in
    /// `anchor_texts`; built on first use (by `explain` only).
    folded_anchors: OnceLock<Option<(AhoCorasick, Vec<usize>)>>,
    contexts: Vec<ContextSpec>,
}

/// Translators sometimes word two different messages alike (Turkish: "could not access private
/// key file" and "could not load private key file"; Georgian: libpq's "could not read root
/// certificate file" and the server's "could not load root certificate file"). The first rule
/// wins the match, so its text alone cannot say which message it was. The rules with a `when`
/// (a reason that names the cause: "key values mismatch" is only ever the load message's) are
/// tried first; each general rule (no `when`) is demoted behind them. A rule names the causes
/// of the other messages' rules with the same condition (none, or the same `when`) as also
/// possible, with how to tell them apart.
fn alike_translations(rules: &mut [Rule], translated_from: &[Option<String>]) {
    let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, r) in rules.iter().enumerate() {
        if let (Some(lang), Some(_)) = (&r.lang, &translated_from[i]) {
            groups.entry((lang.as_str(), r.regex.source.as_str())).or_default().push(i);
        }
    }
    let mut extra: Vec<(usize, Code, Template)> = Vec::new();
    let mut demote: Vec<usize> = Vec::new();
    for ((lang, _), members) in groups {
        let same_when = |a: &Rule, b: &Rule| {
            a.when.len() == b.when.len()
                && a.when.iter().zip(&b.when).all(|((ga, ra), (gb, rb))| ga == gb && ra.as_str() == rb.as_str())
        };
        for &i in &members {
            for &o in &members {
                let (Some(mine), Some(other)) = (&translated_from[i], &translated_from[o]) else { continue };
                if mine == other {
                    continue;
                }
                if rules[i].when.is_empty() && !rules[o].when.is_empty() {
                    demote.push(i);
                    continue;
                }
                // Under the same condition (none, or the same reason) both causes are possible.
                if rules[o].code == rules[i].code || !same_when(&rules[i], &rules[o]) {
                    continue;
                }
                let tell = said::say("alike.tell-apart", &[("lang", lang), ("mine", mine), ("other", other)]);
                extra.push((i, rules[o].code, tell));
            }
        }
    }
    for i in demote {
        rules[i].demoted = true;
    }
    for (i, code, tell) in extra {
        let r = &mut rules[i];
        if !r.also.contains(&code) {
            r.also.push(code);
        }
        r.tell_apart.get_or_insert(tell);
    }
}

/// The syntax of a built-in pattern's regex, checked while loading in debug builds (tests).
/// Release builds rely on the `all_rules_compile` test: parsing ~400 regexes on every start
/// cost `pgtls logs` a few ms of its start-up.
fn check_syntax(re: &str) -> Result<(), String> {
    if cfg!(debug_assertions) {
        regex_syntax::Parser::new().parse(re).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A message match: which rule, which facts.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule: usize,
    pub facts: BTreeMap<String, String>,
    pub matched: String,
}

impl Recognisers {
    /// Compile the built-in pattern data, with the translated server and libpq messages.
    pub fn load() -> Result<Recognisers, ExplainError> {
        let tf = translations()
            .map_err(|e| ExplainError::Toml { file: "crates/text/src/pglog/translations.toml", message: e.0.clone() })?;
        Self::load_with(Some(tf))
    }

    /// The patterns alone, without the translations (`None`): English messages only, at a
    /// fraction of the cost, since the translations are most of the data (see
    /// [`recognise_refusal`]).
    fn load_with(tf: Option<&Translations>) -> Result<Recognisers, ExplainError> {
        let mut rules = Vec::new();
        let mut anchor_of_rule: Vec<Vec<String>> = Vec::new();
        // The msgid each translated rule renders (None for English and non-PostgreSQL rules).
        let mut translated_from: Vec<Option<String>> = Vec::new();
        let mut contexts = Vec::new();
        for (file, p, index) in pattern_specs()?.into_iter().flat_map(|(file, pf)| {
            contexts.extend(pf.context);
            pf.pattern.into_iter().enumerate().map(move |(i, p)| (file, p, i))
        }) {
            let perr = |message: String| ExplainError::Pattern { file, index, code: p.code.clone(), message };
            let Some(code) = Code::parse(&p.code) else {
                return Err(perr("code is not in findings/catalogue.toml".into()));
            };
            let also = p
                .also
                .iter()
                .map(|c| Code::parse(c).ok_or_else(|| perr(format!("also code {c} is not in findings/catalogue.toml"))))
                .collect::<Result<Vec<_>, _>>()?;
            let when = p
                .when
                .iter()
                .map(|(g, r)| Regex::new(r).map(|re| (g.clone(), re)).map_err(|e| perr(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            let when_terms: Vec<(String, Vec<String>)> = p
                .when_terms
                .iter()
                .map(|(g, list)| {
                    let mut all = list.clone();
                    for m in list {
                        all.extend(tf.into_iter().flat_map(|tf| tf.terms(m)).map(str::to_string));
                    }
                    (g.clone(), all)
                })
                .collect();
            let detail = said::pattern_said("detail", p.detail.as_ref(), p.detail_zh.as_ref(), p.detail_ja.as_ref()).map_err(perr)?;
            let tell_apart = said::pattern_said("tell_apart", p.tell_apart.as_ref(), p.tell_apart_zh.as_ref(), p.tell_apart_ja.as_ref())
                .map_err(perr)?;
            let mk = |regex: LazyRegex, lang: Option<String>| Rule {
                code,
                source: p.source.clone(),
                folded: lang.is_none().then(|| LazyRegex::new(format!("(?i){}", regex.source))),
                lang,
                regex,
                when: when.clone(),
                when_terms: when_terms.clone(),
                attach: p.attach,
                severity: p.severity,
                detail: detail.clone(),
                stack: p.stack.clone(),
                also: also.clone(),
                tell_apart: tell_apart.clone(),
                symptom: p.symptom,
                log_severity: p.log_severity.clone(),
                broken: false,
                demoted: false,
            };
            match (&p.msgid, &p.anchor, &p.regex) {
                (Some(msgid), None, None) => {
                    let (re, anchor) =
                        printf_to_regex(msgid, &p.args).ok_or_else(|| perr("msgid has more arguments than args".into()))?;
                    if anchor.is_empty() {
                        return Err(perr("msgid has no literal text to anchor on".into()));
                    }
                    check_syntax(&re).map_err(perr)?;
                    rules.push(mk(LazyRegex::new(re), None));
                    anchor_of_rule.push(vec![anchor]);
                    translated_from.push(None);
                    let domain = p.domain.as_deref().unwrap_or("postgres");
                    for m in tf.into_iter().flat_map(|tf| tf.messages_for(domain, msgid)) {
                        let terr = |message: String| ExplainError::Translation {
                            lang: m.lang.clone(),
                            msgid: m.msgid.clone(),
                            message,
                        };
                        if m.anchor.is_empty() || !m.msgstr.contains(m.anchor.as_str()) {
                            return Err(terr("anchor is not part of msgstr".into()));
                        }
                        let mut rule = mk(LazyRegex::new(m.regex.clone()), Some(m.lang.clone()));
                        rule.broken = m.msgstr.contains('\n');
                        rules.push(rule);
                        anchor_of_rule.push(vec![m.anchor.clone()]);
                        translated_from.push(Some(m.msgid.clone()));
                    }
                }
                (None, Some(anchor), Some(re)) => {
                    let anchors = anchor.list();
                    if anchors.is_empty() || anchors.iter().any(String::is_empty) {
                        return Err(perr("empty anchor".into()));
                    }
                    check_syntax(re).map_err(perr)?;
                    rules.push(mk(LazyRegex::new(re.clone()), None));
                    anchor_of_rule.push(anchors);
                    translated_from.push(None);
                }
                _ => return Err(perr("needs either msgid (+ args) or anchor + regex".into())),
            }
        }
        alike_translations(&mut rules, &translated_from);
        let mut anchors: Vec<String> = Vec::new();
        let mut anchor_rules: Vec<Vec<usize>> = Vec::new();
        for (rule, list) in anchor_of_rule.into_iter().enumerate() {
            for a in list {
                match anchors.iter().position(|x| *x == a) {
                    Some(i) => anchor_rules[i].push(rule),
                    None => {
                        anchors.push(a);
                        anchor_rules.push(vec![rule]);
                    }
                }
            }
        }
        // The automatic kind: a full DFA over ~1,500 anchors in 13 scripts would take tens of
        // MB for text that is pasted, not streamed (the log scanner builds its own automata).
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&anchors)
            .map_err(|e| ExplainError::Automaton(e.to_string()))?;
        Ok(Recognisers { rules, anchors: ac, anchor_rules, anchor_texts: anchors, folded_anchors: OnceLock::new(), contexts })
    }

    pub(crate) fn code(&self, rule: usize) -> Code {
        self.rules[rule].code
    }

    pub(crate) fn is_attach(&self, rule: usize) -> bool {
        self.rules[rule].attach
    }

    /// Anchors of the patterns of what writes logs `pgtls logs` reads — the PostgreSQL server,
    /// and Kong's error.log (its `[PostgreSQL error] …` lines) — grouped for the log scanner:
    /// English first, then one group per language (only `langs` if given). Groups hold at most
    /// `max` anchors so that each automaton stays small enough for the SIMD (Teddy) searcher.
    pub(crate) fn server_anchor_groups(&self, langs: Option<&[String]>, max: usize) -> Vec<Vec<String>> {
        let mut groups = Vec::new();
        for (_, anchors) in self.server_anchors_by_language(langs) {
            for c in anchors.chunks(max.max(1)) {
                groups.push(c.to_vec());
            }
        }
        groups
    }

    /// The anchors of [`Self::server_anchor_groups`] by language (`None`: English), English first.
    pub(crate) fn server_anchors_by_language(&self, langs: Option<&[String]>) -> BTreeMap<Option<&str>, Vec<String>> {
        let mut by_lang: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
        for (a, rules) in self.anchor_texts.iter().zip(&self.anchor_rules) {
            for &i in rules {
                let r = &self.rules[i];
                if !r.scanned() {
                    continue;
                }
                let lang = r.lang.as_deref();
                if let (Some(l), Some(wanted)) = (lang, langs) {
                    if !wanted.iter().any(|w| w == l) {
                        continue;
                    }
                }
                let v = by_lang.entry(lang).or_default();
                if !v.contains(a) {
                    v.push(a.clone());
                }
            }
        }
        by_lang
    }

    /// The languages of the translated server-log messages whose anchors occur in `text`.
    pub(crate) fn server_languages_in(&self, text: &[u8]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for m in self.anchors.find_overlapping_iter(text) {
            for &i in &self.anchor_rules[m.pattern().as_usize()] {
                let r = &self.rules[i];
                if let Some(l) = r.lang.as_deref() {
                    if r.scanned() && !out.contains(&l) {
                        out.push(l);
                    }
                }
            }
        }
        out
    }

    /// The server-log anchors for `langs` (English only with `Some(&[])`), as one list: what
    /// the benchmark hands to `rg -F -f` so both tools search for the same literals.
    pub fn server_anchors(&self, langs: Option<&[String]>) -> Vec<String> {
        self.server_anchor_groups(langs, usize::MAX).concat()
    }

    /// Languages that have translated patterns.
    pub fn languages(&self) -> Vec<String> {
        let mut v: Vec<String> = self.rules.iter().filter_map(|r| r.lang.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// The distinct literal anchors, in automaton order.
    pub fn anchors(&self) -> &[String] {
        &self.anchor_texts
    }

    /// Number of compiled rules (English + translated).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule (in priority order) that matches `text`; a rule marked `symptom` only
    /// when no other rule matches (the cause wins over the symptom in the same line).
    pub(crate) fn match_message(&self, text: &str) -> Option<Hit> {
        self.match_message_at(text, None)
    }

    /// `match_message` for a line whose severity is known (English word), which enables the
    /// patterns that need one (`log_severity`).
    fn match_message_at(&self, text: &str, severity: Option<&str>) -> Option<Hit> {
        self.match_with(text, severity, false)
    }

    /// `match_message_at` for pasted text (`explain`): the text as it is first, then its
    /// normalised form (`normalise`) exactly, then that form ignoring ASCII case. A cause found
    /// in any pass wins over a symptom found in an earlier one. The log scanner does not use
    /// this: server logs are written by the server, not pasted, and it must keep its speed.
    fn match_pasted(&self, text: &str, severity: Option<&str>) -> Option<Hit> {
        let exact = self.match_with(text, severity, false);
        // A text in capitals lost the case that orders the patterns: a pattern that already
        // ignores case (OpenSSL's reason strings) must not win over a more specific one only
        // because the others did not match the capitals; the folded pass decides, the exact
        // one is the fallback.
        if exact.as_ref().is_some_and(|h| !self.rules[h.rule].symptom) && !shouted(text) {
            return exact;
        }
        let norm = normalise(text);
        let t = norm.as_deref().unwrap_or(text);
        let mut passes = Vec::with_capacity(2);
        if norm.is_some() && !shouted(text) {
            passes.push(false);
        }
        passes.push(true);
        let mut best = exact;
        for folded in passes {
            if let Some(h) = self.match_with(t, severity, folded) {
                if !self.rules[h.rule].symptom {
                    return Some(h);
                }
                best.get_or_insert(h);
            }
        }
        best
    }

    /// The anchors of the English rules (the only ones with a case-insensitive form), ASCII
    /// case-insensitive, and each one's index among all anchors. Built on first use: a third
    /// of the anchors, so a tenth of the time of an automaton over all of them (the translated
    /// ones are long and multi-byte).
    fn folded_anchors(&self) -> Option<&(AhoCorasick, Vec<usize>)> {
        self.folded_anchors
            .get_or_init(|| {
                let english: Vec<usize> = (0..self.anchor_texts.len())
                    .filter(|&i| self.anchor_rules[i].iter().any(|&r| self.rules[r].folded.is_some()))
                    .collect();
                let ac = AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(true)
                    .build(english.iter().map(|&i| &self.anchor_texts[i]))
                    .ok()?;
                Some((ac, english))
            })
            .as_ref()
    }

    fn match_with(&self, text: &str, severity: Option<&str>, folded: bool) -> Option<Hit> {
        let mut candidates: Vec<usize> = Vec::new();
        if folded {
            let (ac, anchor_of) = self.folded_anchors()?;
            for m in ac.find_overlapping_iter(text) {
                candidates.extend_from_slice(&self.anchor_rules[anchor_of[m.pattern().as_usize()]]);
            }
        } else {
            for m in self.anchors.find_overlapping_iter(text) {
                candidates.extend_from_slice(&self.anchor_rules[m.pattern().as_usize()]);
            }
        }
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_unstable_by_key(|&i| (self.rules[i].demoted, i));
        candidates.dedup();
        let mut symptom: Option<Hit> = None;
        let mut cause: Option<(Hit, std::ops::Range<usize>)> = None;
        'rules: for idx in candidates {
            let rule = &self.rules[idx];
            if !rule.log_severity.is_empty() && !severity.is_some_and(|s| rule.log_severity.iter().any(|w| w == s)) {
                continue;
            }
            let re = match (folded, &rule.folded) {
                (false, _) => rule.regex.get(),
                (true, Some(f)) => f.get(),
                (true, None) => continue,
            };
            let Some(caps) = re.captures(text) else { continue };
            let mut facts = BTreeMap::new();
            for name in re.capture_names().flatten() {
                if let Some(m) = caps.name(name) {
                    let v = m.as_str().trim();
                    if !v.is_empty() {
                        facts.insert(name.to_string(), v.to_string());
                    }
                }
            }
            for (g, re) in &rule.when {
                // The folded pass reads text whose case is lost: the condition is read in lower
                // case too (the conditions are written as the stacks print them).
                match facts.get(g) {
                    Some(v) if re.is_match(v) || (folded && re.is_match(&v.to_ascii_lowercase())) => {}
                    _ => continue 'rules,
                }
            }
            for (g, allowed) in &rule.when_terms {
                // The term ends the message; what follows it in the same line is a wrapper's
                // (a closing quote of a JSON string, `(SQLSTATE 28000)`, a logfmt key).
                let term = facts.get(g).and_then(|v| {
                    allowed.iter().find(|a| {
                        let head = v.get(..a.len()).filter(|h| if folded { h.eq_ignore_ascii_case(a) } else { h == a });
                        head.is_some() && v[a.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
                    })
                });
                match term {
                    Some(t) => {
                        let t = t.clone();
                        facts.insert(g.clone(), t);
                    }
                    None => continue 'rules,
                }
            }
            let span = caps.get(0).map(|m| m.range()).unwrap_or_default();
            let matched = text[span.clone()].to_string();
            let hit = Hit { rule: idx, facts, matched };
            if !rule.symptom {
                if !folded {
                    return Some(hit);
                }
                // Without case, a pattern's capital letters no longer keep it apart (the
                // server's DETAIL "File must have permissions …" is inside libpq's "… file must
                // have permissions …"): a cause whose match holds the first one's, and more, is
                // the message; causes matched elsewhere in the line keep priority order (a
                // driver's wrapper around a server message does not outrank it).
                let wider = cause.as_ref().is_none_or(|(_, s): &(Hit, std::ops::Range<usize>)| {
                    span.start <= s.start && span.end >= s.end && span.len() > s.len()
                });
                if wider {
                    cause = Some((hit, span));
                }
                continue;
            }
            symptom.get_or_insert(hit);
        }
        cause.map(|(h, _)| h).or(symptom)
    }


    /// A message of several lines that is one translation breaking the line, not a stack trace.
    fn one_broken_message(&self, log: &LogLine<'_>) -> bool {
        let first = log.message.lines().next().unwrap_or("");
        self.may_go_on(first)
            && self.match_message_at(first, log.severity_en).is_none()
            && self.match_message_at(&log.message, log.severity_en).is_some()
    }

    /// `text` holds the anchor of a translation that breaks the line, so a text that did not
    /// match alone may match together with the line after it.
    pub(crate) fn may_go_on(&self, text: &str) -> bool {
        self.anchors
            .find_overlapping_iter(text)
            .any(|m| self.anchor_rules[m.pattern().as_usize()].iter().any(|&i| self.rules[i].broken))
    }

    fn program(&self, line: &str) -> Option<&str> {
        self.contexts.iter().find(|c| line.contains(&c.marker)).map(|c| c.program.as_str())
    }

    /// What one rule's match says, with the log line's own fields: the facts the message
    /// states, the matched text, where the pattern comes from (`checks::text` makes the
    /// finding).
    fn recognition(&self, hit: &Hit, log: &LogLine<'_>, raw: &str, line: usize) -> Recognition {
        let rule = &self.rules[hit.rule];
        let mut facts = hit.facts.clone();
        facts.insert("matched".into(), hit.matched.clone());
        facts.insert("source".into(), rule.source.clone());
        if let Some(stack) = &rule.stack {
            facts.insert("stack".into(), stack.clone());
        }
        if let Some(lang) = &rule.lang {
            facts.insert("language".into(), lang.clone());
        }
        if let Some(p) = self.program(raw) {
            facts.insert("client_program".into(), p.to_string());
        }
        let meta = [
            ("log_time", &log.timestamp),
            ("pid", &log.pid),
            ("log_user", &log.user),
            ("log_database", &log.database),
            ("client", &log.client),
        ];
        for (k, v) in meta {
            if let Some(v) = v {
                facts.insert(k.into(), v.clone());
            }
        }
        if let Some(s) = &log.severity {
            facts.insert("log_severity".into(), s.clone());
        }
        if log.format != LineFormat::Plain {
            facts.insert("log_format".into(), log.format.as_str().to_string());
        }
        Recognition {
            code: rule.code,
            also: rule.also.clone(),
            tell_apart: rule.tell_apart.clone(),
            symptom: rule.symptom,
            severity: rule.severity,
            detail: render_detail(rule.detail.as_ref(), &hit.facts, &hit.matched),
            by_words: Vec::new(),
            facts,
            line,
        }
    }
}

/// The shortest part of an anchor a paste cut off inside it must still hold (characters), and
/// the share of the anchor ([`CUT_ANCHOR_MIN_PERCENT`]).
const CUT_ANCHOR_MIN: usize = 16;
const CUT_ANCHOR_MIN_PERCENT: usize = 60;
/// Codes of wrappers that carry the reason after their own words ("failed to retrieve
/// PostgreSQL server_version_num: …", "error performing TLS handshake: …"): cut inside the
/// wrapper, the paste lost the reason, and naming the wrapper's generic code would be a guess.
const CUT_OFF_WRAPPERS: [Code; 2] = [Code::ConnectionFails, Code::TlsHandshakeFailed];
/// Evidence value of `recognised_by` for a message read from the anchor at a cut-off end.
pub const BY_CUT_ANCHOR: &str = "cut-off anchor";

impl Recognisers {
    /// The last line of a paste that was cut off in the middle of a known message: it ends inside
    /// a pattern's anchor (at least [`CUT_ANCHOR_MIN`] characters and [`CUT_ANCHOR_MIN_PERCENT`] of
    /// it). A whole anchor whose pattern did not match is no evidence of a cut: it is as often
    /// another message with the same words (libpq's "SSL SYSCALL error: EOF detected" holds the
    /// anchor of "SSL SYSCALL error: Undefined error: 0"). The anchors' rules (causes first, a
    /// symptom only when no anchor leads to a cause) give the finding: the first
    /// code by priority, the others as also possible (a cut pg_hba refusal lost the words that
    /// tell "no encryption" from "SSL encryption"); more than three codes, nothing.
    fn cut_off_message(&self, line: &str, n: usize) -> Option<Recognition> {
        let tail = line.trim_end();
        let lower = tail.to_ascii_lowercase();
        let mut rules: Vec<usize> = Vec::new();
        let mut matched_from = tail.len();
        for (a, anchor) in self.anchor_texts.iter().enumerate() {
            let anchor = anchor.to_ascii_lowercase();
            if anchor.len() < CUT_ANCHOR_MIN {
                continue;
            }
            let min = CUT_ANCHOR_MIN.max((anchor.len() * CUT_ANCHOR_MIN_PERCENT).div_ceil(100));
            let cut_inside = (min..anchor.len()).rev().filter(|&k| anchor.is_char_boundary(k)).find(|&k| lower.ends_with(&anchor[..k]));
            if let Some(at) = cut_inside.map(|k| lower.len() - k) {
                matched_from = matched_from.min(at);
                rules.extend(
                    self.anchor_rules[a]
                        .iter()
                        .copied()
                        .filter(|&i| self.rules[i].log_severity.is_empty() && !CUT_OFF_WRAPPERS.contains(&self.rules[i].code)),
                );
            }
        }
        // Causes when any anchor leads to one; a generic symptom only when none does.
        if rules.iter().any(|&i| !self.rules[i].symptom) {
            rules.retain(|&i| !self.rules[i].symptom);
        }
        rules.sort_unstable_by_key(|&i| (self.rules[i].demoted, i));
        rules.dedup();
        let mut codes: Vec<Code> = Vec::new();
        for &i in &rules {
            for c in std::iter::once(self.rules[i].code).chain(self.rules[i].also.iter().copied()) {
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
        }
        if codes.is_empty() || codes.len() > 3 {
            return None;
        }
        let matched = tail.get(matched_from..).unwrap_or(tail).to_string();
        let hit = Hit { rule: rules[0], facts: BTreeMap::new(), matched };
        let mut rec = self.recognition(&hit, &parse_line(line), line, n);
        rec.also = codes[1..].to_vec();
        if !rec.also.is_empty() {
            rec.tell_apart = Some(said::say("cut-off.tell-apart", &[]));
        }
        rec.detail = said::say("cut-off", &[("matched", hit.matched.trim())]);
        rec.facts.insert(vocabulary::RECOGNISED_BY.to_string(), BY_CUT_ANCHOR.to_string());
        Some(rec)
    }
}

/// The pattern's detail with the facts filled in, or (no detail, or a fact it names not
/// stated) the matched text as it is.
fn render_detail(template: Option<&Template>, facts: &BTreeMap<String, String>, matched: &str) -> Template {
    template
        .and_then(|t| said::filled(t, facts))
        .unwrap_or_else(|| said::say("recognised-message", &[("matched", matched)]))
}

/// Where one pattern comes from: the provenance the pattern data records.
#[derive(Debug, Clone, Serialize)]
pub struct PatternInfo {
    /// The pattern file (`crates/text/src/explain/…`).
    pub file: &'static str,
    pub code: String,
    /// Stack whose source prints the message (corpus stack name).
    pub stack: Option<String>,
    pub versions: Option<String>,
    /// Where the message text was read.
    pub from: Vec<String>,
    /// By PostgreSQL msgid (translated forms come from crates/text/src/pglog/translations.toml).
    pub msgid: bool,
    pub also: Vec<String>,
}

/// The provenance of every built-in pattern, in priority order.
pub fn pattern_inventory() -> Result<Vec<PatternInfo>, ExplainError> {
    Ok(pattern_specs()?
        .into_iter()
        .flat_map(|(file, pf)| {
            pf.pattern.into_iter().map(move |p| PatternInfo {
                file,
                code: p.code,
                stack: p.stack,
                versions: p.versions,
                from: p.from,
                msgid: p.msgid.is_some(),
                also: p.also,
            })
        })
        .collect())
}

/// Every pattern file, parsed, in priority order.
fn pattern_specs() -> Result<Vec<(&'static str, PatternFile)>, ExplainError> {
    PATTERN_FILES
        .iter()
        .map(|(file, text)| {
            toml::from_str::<PatternFile>(text)
                .map(|pf| (*file, pf))
                .map_err(|e| ExplainError::Toml { file, message: e.to_string() })
        })
        .collect()
}

/// The compiled built-in recognisers, or why they could not be compiled.
pub fn recognisers() -> Result<&'static Recognisers, &'static ExplainError> {
    static R: OnceLock<Result<Recognisers, ExplainError>> = OnceLock::new();
    R.get_or_init(Recognisers::load).as_ref()
}

/// Characters escaped in literal text; identical in gen_translations.py.
const SPECIAL: &str = "\\.+*?()|[]{}^$";

/// A line break inside a translation (the French and Indonesian pg_hba refusals …) is printed
/// as a newline, followed by a tab in a stderr log, or becomes a blank once pasted: it stands
/// for any run of blanks.
fn escape_literal(s: &str, out: &mut String) {
    for c in s.chars() {
        if c == '\n' {
            out.push_str("\\s+");
            continue;
        }
        if SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Convert a printf format (PostgreSQL msgid/msgstr) into a regex with named groups, and its
/// longest literal piece (the anchor). `%m` becomes the group `reason`. `None` when the format
/// uses more arguments than `args` names.
pub fn printf_to_regex(fmt: &str, args: &[String]) -> Option<(String, String)> {
    let b = fmt.as_bytes();
    let mut out = String::new();
    let mut literals: Vec<String> = Vec::new();
    let mut lit = String::new();
    let mut seq = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        if b[i] != b'%' {
            let ch = fmt[i..].chars().next()?;
            lit.push(ch);
            i += ch.len_utf8();
            continue;
        }
        // %[n$][flags][width][.prec][len]conv
        let mut j = i + 1;
        let num_start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let mut position = None;
        if j < b.len() && b[j] == b'$' && j > num_start {
            position = fmt[num_start..j].parse::<usize>().ok();
            j += 1;
        } else {
            j = num_start;
        }
        while j < b.len() && b"-+ #0'".contains(&b[j]) {
            j += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j < b.len() && b[j] == b'.' {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
        }
        for l in ["hh", "ll", "h", "l", "z", "j", "t", "L"] {
            if fmt[j..].starts_with(l) {
                j += l.len();
                break;
            }
        }
        let Some(&conv) = b.get(j) else {
            lit.push('%');
            i += 1;
            continue;
        };
        if !b"sdiucmxXf%".contains(&conv) {
            lit.push('%');
            i += 1;
            continue;
        }
        escape_literal(&lit, &mut out);
        literals.push(std::mem::take(&mut lit));
        i = j + 1;
        if conv == b'%' {
            out.push('%');
            literals.push("%".into());
            continue;
        }
        let name = if conv == b'm' {
            "reason".to_string()
        } else {
            let idx = match position {
                Some(p) if p >= 1 => p - 1,
                Some(_) => return None,
                None => {
                    seq += 1;
                    seq - 1
                }
            };
            args.get(idx)?.clone()
        };
        // The last argument is greedy: a lazy one would stop at the first "." of
        // "TLSv1.2." and the regex is not anchored at the end of the line.
        let last = !fmt[i..].contains('%');
        let body = match conv {
            b'd' | b'i' | b'u' | b'x' | b'X' => "-?[0-9A-Fa-f]+",
            b'c' => ".",
            _ if last => ".+",
            _ => ".+?",
        };
        out.push_str(&format!("(?P<{name}>{body})"));
    }
    escape_literal(&lit, &mut out);
    literals.push(lit);
    // Without surrounding blanks and quotes: an anchor such as `" has group or world access`
    // would make the log scanner's SIMD prefilter stop at every `" h` of ordinary lines.
    // A translation that breaks the line is anchored in its first line, where a line-based
    // search meets it.
    let first_line = match literals.iter().position(|l| l.contains('\n')) {
        Some(i) => &literals[..=i],
        None => &literals[..],
    };
    let anchor = first_line
        .iter()
        .map(|l| l.split('\n').next().unwrap_or(""))
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || ANCHOR_TRIM.contains(c)))
        .fold("", |best, l| if l.len() > best.len() { l } else { best })
        .to_string();
    Some((out, anchor))
}

/// Which finding a server's ErrorResponse is (its severity and primary message, as the
/// server logs them), for the probe's facts: judging reads the code, never the words. By the
/// exact patterns only: the vocabulary tier's reading by words is for people, not verdicts.
pub fn recognise_refusal(error: &crate::wire::ErrorResponse) -> Option<crate::findings::Code> {
    let severity = error.severity.as_deref().unwrap_or("FATAL");
    // Most servers answer in English: the patterns without the translations read that at a
    // third of the start-up cost (a refused login would otherwise be the one slow path of
    // `verify` and `doctor`). A translated rule is only tried on text holding its anchor, so
    // on a message holding no translated anchor or word, under an English severity word, the
    // English rules alone answer as all rules would. Anything else is read with everything,
    // as `explain` reads the line (a generic pattern such as `…ALPN…` would otherwise answer
    // before a translated message's own rule).
    let english = severity.bytes().all(|b| b.is_ascii_uppercase())
        && translated_anchors().is_some_and(|ac| !ac.is_match(&error.message));
    if let Some(r) = english.then(english_recognisers).and_then(Result::ok) {
        if let Some(hit) = r.match_message_at(&error.message, Some(severity)) {
            if !r.is_attach(hit.rule) {
                return Some(r.code(hit.rule));
            }
        }
    }
    read_text(&format!("{severity}:  {}", error.message), false).first().map(|r| r.code)
}

/// The anchors of the translated messages and the translated fixed words, one per line:
/// what tells that a text may hold a translation without reading the translations (a tenth
/// of their size). Generated from translations.toml (`tools/gen translated-anchors`); the
/// test `translated_anchors_file` keeps the two equal.
const TRANSLATED_ANCHORS: &str = include_str!("../pglog/translated-anchors.txt");

/// An automaton over [`TRANSLATED_ANCHORS`], built once.
fn translated_anchors() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| AhoCorasick::new(TRANSLATED_ANCHORS.lines().filter(|l| !l.is_empty())).ok()).as_ref()
}

/// The built-in recognisers without the translations (English messages only), compiled once.
fn english_recognisers() -> Result<&'static Recognisers, &'static ExplainError> {
    static R: OnceLock<Result<Recognisers, ExplainError>> = OnceLock::new();
    R.get_or_init(|| Recognisers::load_with(None)).as_ref()
}

/// Recognise every known message in `text` (one or many lines, any of the supported log and
/// client formats). Several messages give several findings; a message's DETAIL/HINT lines (or
/// csvlog/jsonlog fields) are folded into its finding, and so are the messages of one exception
/// chain (Java `Caused by:`, Python tracebacks), where the cause wins over the symptom.
/// Wrappers are looked through: Kubernetes and journald line prefixes, JSON log lines and
/// JSON-escaped strings (whose `\n` become lines). Unrecognised text gives nothing.
pub fn explain_text(text: &str) -> Vec<Recognition> {
    read_text(text, true)
}

/// [`explain_text`], with the vocabulary tier or by the exact patterns alone (`by_words_too`
/// false: what judging reads a server's refusal with — a guess by words never decides a
/// verdict).
fn read_text(text: &str, by_words_too: bool) -> Vec<Recognition> {
    let Ok(r) = recognisers() else { return Vec::new() };
    let mut st = Scan { conn_prefixes: connection_received_prefixes(None), ..Scan::default() };
    // Lines no pattern recognised as a cause, for the vocabulary tier (vocabulary.rs).
    let mut by_words: Vec<(String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if let Some((prev, at)) = st.broken.take().filter(|(_, at)| n - at < BROKEN_LINES_MAX) {
            // The rest of a translation that breaks the line: a tab in a stderr log
            // (append_with_tabs in elog.c), nothing in psql's output.
            let joined = format!("{prev}\n{}", strip_wrapper_prefix(raw));
            let log = parse_line(&joined);
            if r.match_message_at(&log.message, log.severity_en).is_some() {
                r.explain_line(&joined, at, &mut st, false);
                st.last_line = n;
                continue;
            }
            // Three lines and more (Brazilian Portuguese key-permission message); the filter
            // above drops it after BROKEN_LINES_MAX lines.
            st.broken = Some((joined, at));
        }
        let seen = (st.out.len(), st.last_line);
        r.explain_line(raw, n, &mut st, true);
        if (st.out.len(), st.last_line) != seen {
            if st.out.len() > seen.0 && st.out[seen.0..].iter().all(|f| f.symptom) {
                by_words.push((raw.to_string(), n));
            }
            st.unmatched = None;
            continue;
        }
        by_words.push((raw.to_string(), n));
        // A message a window or a terminal wrapped onto two lines: neither line alone is
        // recognised, the two joined are (plain lines only, no frames or blank lines).
        let plain = chain_line(raw.trim_start()) == ChainLine::Other && raw.len() <= JOIN_MAX;
        if let Some((prev, at)) = st.unmatched.take().filter(|(_, at)| plain && at + 1 == n) {
            let joined = format!("{} {}", prev.trim_end(), raw.trim());
            if r.match_pasted(&joined, None).is_some() {
                r.explain_line(&joined, at, &mut st, false);
                continue;
            }
        }
        st.unmatched = plain.then(|| (raw.to_string(), n));
    }
    if by_words_too {
        vocabulary::supplement(&mut st.out, &by_words);
        // A paste cut off inside a known message, when nothing else was recognised.
        if st.out.is_empty() {
            let last = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).last();
            if let Some(rec) = last.and_then(|(i, l)| r.cut_off_message(strip_wrapper_prefix(l), i + 1)) {
                st.out.push(rec);
            }
        }
        hung_up_on_sslrequest(text, &mut st.out);
    }
    let lines: Vec<&str> = text.lines().collect();
    rank(&mut st.out, &lines);
    st.out
}

/// Text whose letters are all capitals (a GUI or a logger that upper-cases what it shows):
/// at least eight ASCII capitals and no ASCII lower-case letter.
fn shouted(text: &str) -> bool {
    !text.bytes().any(|b| b.is_ascii_lowercase()) && text.bytes().filter(u8::is_ascii_uppercase).count() >= 8
}

/// A client that says it goes on another way ("SSL is not enabled on the server, connecting with
/// sslmode=disable", "… falling back to a plaintext connection") reports a step it got past: the
/// paste's outcome is what came after. Not "… and retry" (an instruction to the user).
const WENT_ON: &[&str] = &["connecting with sslmode", "falling back to", "fall back to", "retrying with", "retrying without", "trying again with"];

fn went_on(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    WENT_ON.iter().any(|w| l.contains(w))
}

/// A paste that shows the client sending an SSLRequest (a protocol trace, a proxy's log) and
/// then only a connection that ended: the peer hung up on the SSLRequest, which is what a
/// proxy or pooler that does not know the message does (a PostgreSQL server answers it with `S`
/// or `N`). The EOF stays the finding; the proxy is named as the other possible cause.
fn hung_up_on_sslrequest(text: &str, found: &mut [Recognition]) {
    let lower = text.to_ascii_lowercase();
    let shown = lower.contains("sslrequest") || lower.contains("ssl request");
    if !shown || found.iter().any(|r| !r.symptom) {
        return;
    }
    if let Some(r) = found.iter_mut().find(|r| r.code == Code::UnexpectedEof) {
        if !r.also.contains(&Code::ProxyMishandlesSslrequest) {
            r.also.push(Code::ProxyMishandlesSslrequest);
            r.tell_apart.get_or_insert_with(|| said::say("proxy.tell-apart", &[]));
        }
    }
}

/// Causes before symptoms: when a paste holds both (psql's `server closed the connection
/// unexpectedly` and the server's `FATAL: … no encryption`, a reset and a pg_hba refusal), the
/// first finding names the cause. Otherwise line order is kept (the sort is stable), and the
/// vocabulary tier's findings, added after every line was read, follow every exact cause. A
/// cause on a line where the client says it went on another way (`WENT_ON`) ranks after the
/// other causes: it was not what made the connection fail.
fn rank(found: &mut [Recognition], lines: &[&str]) {
    found.sort_by_key(|r| (r.symptom, lines.get(r.line.wrapping_sub(1)).is_some_and(|l| went_on(l))));
}

/// [`explain_text`] for bytes that may not be UTF-8 (an EUC-JP, Shift_JIS or GBK log) or may be
/// mojibake (`crate::pglog::encoding::readings`): of the readings the recognisers understand,
/// the most plausible text wins (a garbled reading may still match an English fragment such
/// as "certificate verify failed"). Nothing recognised in any reading gives nothing.
pub fn explain_bytes(bytes: &[u8]) -> Vec<Recognition> {
    let mut best: Option<(f64, Vec<Recognition>)> = None;
    for (i, r) in crate::pglog::encoding::readings(bytes).into_iter().enumerate() {
        let found = explain_text(&r.text);
        if found.is_empty() {
            continue;
        }
        // The text as given (valid UTF-8) in which a translated message is recognised is no
        // mojibake: a Latin-script translation ("não foi possível aceitar conexão SSL: …") has
        // accented letters that a GBK or Shift_JIS reading would turn into ideographs, which
        // count as more plausible, and the English fragment left in that reading would outrank
        // the translation.
        if i == 0 && r.how == "utf-8" && found.iter().any(|f| f.facts.contains_key("language")) {
            return found;
        }
        let p = crate::pglog::encoding::plausibility(&r.text);
        if best.as_ref().is_none_or(|(bp, _)| p > *bp) {
            best = Some((p, found));
        }
    }
    best.map(|(_, f)| f).unwrap_or_default()
}

/// The most lines a translated message breaks into (pt_BR's key-permission message has 3).
pub(crate) const BROKEN_LINES_MAX: usize = 4;

/// Quote marks trimmed from the ends of an anchor (same list in crates/text/src/pglog/gen_translations.py).
const ANCHOR_TRIM: &str = "\"'«»„“”「」『』‘’";

/// The pattern sources whose messages appear in the logs `pgtls logs` scans.
const LOG_SOURCES: [&str; 2] = ["server", "kong"];

/// Codes `pgtls logs` does not count: logins refused for reasons unrelated to TLS (a wrong
/// password, a missing role). On a busy or attacked server they are a large share of all
/// lines; the log summary is about TLS, and `pgtls explain` still names them.
pub const NOT_SCANNED: [Code; 1] = [Code::LoginRefused];

/// State of one `explain_text` pass.
#[derive(Default)]
struct Scan {
    out: Vec<Recognition>,
    /// Line number of the last line folded into out.last(), and its pid.
    last_line: usize,
    last_pid: Option<String>,
    /// pid → client host from log_connections lines, for prefixes without %h.
    pid_hosts: BTreeMap<String, String>,
    conn_prefixes: Vec<String>,
    /// Since the last finding only exception-chain lines (frames, blank lines, links) came.
    in_chain: bool,
    /// A Python "The above exception …" link came since the last finding: the finding before
    /// it is the cause.
    python_link: bool,
    /// Sub-lines of one JSON-escaped string share a line number.
    sub_line: bool,
    /// A line (and its number) with the anchor of a translation that breaks the line, which
    /// did not match alone: the next line may complete it.
    broken: Option<(String, usize)>,
    /// The previous line when nothing in it was recognised: with the next line it may be one
    /// wrapped message.
    unmatched: Option<(String, usize)>,
}

/// The longest line that is tried joined with its neighbour (a wrapped message, not a log).
const JOIN_MAX: usize = 400;

/// How a line relates to an exception chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChainLine {
    /// `Caused by: …` (Java) or ` ---> …` (.NET inner exception): the next, inner cause.
    CausedBy,
    /// Python's "The above exception was the direct cause …" / "During handling …".
    PythonLink,
    /// A stack frame, `Traceback …`, an indented or blank line: part of the chain, no message.
    Frame,
    /// Anything else.
    Other,
}

fn chain_line(line: &str) -> ChainLine {
    let t = line.trim_start();
    if t.starts_with("Caused by:") || t.starts_with("--->") {
        ChainLine::CausedBy
    } else if t.starts_with("The above exception was the direct cause") || t.starts_with("During handling of the above exception") {
        ChainLine::PythonLink
    } else if t.is_empty()
        || t.starts_with("at ")
        || t.starts_with("... ")
        || t.starts_with("Traceback (most recent call last)")
        || t.starts_with("File \"")
        || t.starts_with("Suppressed:")
        || line.starts_with(char::is_whitespace)
    {
        ChainLine::Frame
    } else {
        ChainLine::Other
    }
}

/// Strip a Kubernetes (CRI) or journald/syslog line prefix that is not PostgreSQL's own.
fn strip_wrapper_prefix(line: &str) -> &str {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"^(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d) (?:stdout|stderr) [FP] |[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ (?P<prog>[\w./@-]+?)(?:\[\d+\])?: )",
        )
        .expect("static regex")
    });
    match re.captures(line) {
        Some(c) if !c.name("prog").is_some_and(|p| p.as_str().starts_with("postgres") || p.as_str() == "postmaster") => {
            &line[c.get(0).map_or(0, |m| m.end())..]
        }
        _ => line,
    }
}

/// One normalisation step for text as people paste it, so that the recognisers match the
/// vocabulary of a message, not the way it was carried: ANSI colour codes dropped; HTML
/// entities (`&quot;` …) and backslash escapes (`\"`, a literal `\n`) undone; typographic
/// quotes made plain; a Go error value printed as a struct (`tls.RecordHeaderError{Msg:"…"}`)
/// read as the message it prints (`tls: …`); every run of blanks and line breaks one space.
/// `None` when nothing changes. The matching that follows also ignores ASCII case
/// (`Server does not support SSL` as GUIs capitalise it), see `Recognisers::match_pasted`.
pub(crate) fn normalise(text: &str) -> Option<String> {
    static ANSI: OnceLock<Regex> = OnceLock::new();
    static GO_STRUCT: OnceLock<Regex> = OnceLock::new();
    static BORINGSSL_REASON: OnceLock<Regex> = OnceLock::new();
    const ENTITIES: [(&str, &str); 10] = [
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&apos;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", " "),
        ("&#x2F;", "/"),
        ("&amp;", "&"),
    ];
    const ESCAPES: [(&str, &str); 6] = [("\\\"", "\""), ("\\'", "'"), ("\\n", " "), ("\\r", " "), ("\\t", " "), ("\\\\", "\\")];
    const QUOTES: [(char, char); 6] = [('\u{201c}', '"'), ('\u{201d}', '"'), ('\u{201e}', '"'), ('\u{2018}', '\''), ('\u{2019}', '\''), ('\u{00a0}', ' ')];
    let mut s = std::borrow::Cow::Borrowed(text);
    if s.contains('\x1b') {
        let re = ANSI.get_or_init(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b").expect("static regex"));
        s = std::borrow::Cow::Owned(re.replace_all(&s, "").into_owned());
    }
    if s.contains('&') {
        for (e, c) in ENTITIES {
            if s.contains(e) {
                s = std::borrow::Cow::Owned(s.replace(e, c));
            }
        }
    }
    if s.contains('\\') {
        for (e, c) in ESCAPES {
            if s.contains(e) {
                s = std::borrow::Cow::Owned(s.replace(e, c));
            }
        }
    }
    if s.contains(|c| QUOTES.iter().any(|(q, _)| *q == c)) {
        s = std::borrow::Cow::Owned(s.chars().map(|c| QUOTES.iter().find(|(q, _)| *q == c).map_or(c, |(_, p)| *p)).collect());
    }
    if s.contains("{Msg:") || s.contains("{msg:") {
        let re = GO_STRUCT.get_or_init(|| {
            Regex::new(r#"&?\b(?P<pkg>[a-z][a-z0-9]*)\.[A-Z]\w*\{(?:\w+:[^,{}]*, )*?[Mm]sg:\s*"(?P<msg>(?:[^"\\]|\\.)*)"[^}]*\}"#).expect("static regex")
        });
        s = std::borrow::Cow::Owned(re.replace_all(&s, "$pkg: $msg").into_owned());
    }
    if s.contains("OPENSSL_internal:") {
        // BoringSSL prints a reason by its macro name (crypto/err/ssl.errordata:
        // "error:1000008b:SSL routines:OPENSSL_internal:DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
        // OpenSSL the same name in lower case with spaces (crypto/err/openssl.txt: "decryption
        // failed or bad record mac"): every OpenSSL reason a pattern knows is read in BoringSSL's
        // spelling too.
        let re = BORINGSSL_REASON.get_or_init(|| Regex::new(r"OPENSSL_internal:([A-Z][A-Z0-9_]*[A-Z0-9])\b").expect("static regex"));
        s = std::borrow::Cow::Owned(
            re.replace_all(&s, |c: &regex::Captures<'_>| format!("OPENSSL_internal:{}", c[1].to_ascii_lowercase().replace('_', " "))).into_owned(),
        );
    }
    if s.contains(|c: char| c.is_whitespace() && c != ' ') || s.contains("  ") || s.starts_with(' ') || s.ends_with(' ') {
        s = std::borrow::Cow::Owned(s.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    match s {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(o) => Some(o),
    }
}

/// Undo JSON string escapes (`\"`, `\\`, `\n`, `\t`, `\uXXXX` …) when the text has any.
fn json_unescape(s: &str) -> Option<String> {
    if !(s.contains("\\\"") || s.contains("\\n") || s.contains("\\\\") || s.contains("\\u00") || s.contains("\\t")) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => {}
            Some('u') => {
                let hex: String = (0..4).filter_map(|_| it.next()).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Some(out)
}

impl Recognisers {
    fn explain_line(&self, raw: &str, n: usize, st: &mut Scan, top: bool) {
        let raw = strip_wrapper_prefix(raw);
        let kind = chain_line(raw);
        if raw.trim().is_empty() {
            return;
        }
        if let Some((pid, host)) = connection_received(raw.as_bytes(), &st.conn_prefixes) {
            st.pid_hosts.insert(pid, host);
            return;
        }
        let log = parse_line(raw);
        if top && log.format != LineFormat::Plain && log.message.contains('\n') && !self.one_broken_message(&log) {
            // A JSON log record whose message holds a whole stack trace.
            let message = log.message.to_string();
            self.explain_sub_lines(&message, n, st);
            return;
        }
        if top && log.format != LineFormat::Json && log.format != LineFormat::Csv {
            if let Some(unescaped) = json_unescape(raw) {
                // A JSON log line or an escaped string: its lines are lines of the paste.
                self.explain_sub_lines(&unescaped, n, st);
                return;
            }
        }
        let adjacent = !st.out.is_empty()
            && (st.last_line + 1 == n || (st.sub_line && st.last_line == n))
            && (st.last_pid.is_none() || log.pid.is_none() || st.last_pid == log.pid);
        let is_continuation = matches!(log.severity_en, Some("DETAIL" | "HINT" | "CONTEXT" | "STATEMENT"));
        let chained = st.in_chain && !st.out.is_empty() && (kind == ChainLine::CausedBy || st.python_link || kind == ChainLine::Frame);
        let mut found = self.match_pasted(&log.message, log.severity_en);
        if shouted(raw) && log.message.len() < raw.len() {
            // In capitals a word of the message can read as a log prefix ("TLS HANDSHAKE
            // ERROR: …" as severity ERROR): the whole line's match wins when it holds the
            // message's and more, and a symptom of the whole line ("REMOTE ERROR: TLS:
            // HANDSHAKE FAILURE", "SSL SYSCALL ERROR: SUCCESS") when the message alone gave
            // nothing, as the same line in lower case gives it.
            // The severity is the last one the line names (libpq's "… failed: FATAL:  …"
            // carries the server's).
            let severity = ["FATAL:", "PANIC:", "ERROR:"].into_iter().filter_map(|w| raw.rfind(w).map(|at| (at, w))).max().map(|(_, w)| &w[..w.len() - 1]);
            if let Some(whole) = self.match_pasted(raw, severity) {
                let wider = |h: &Hit| !self.rules[whole.rule].symptom && whole.matched.len() > h.matched.len() && whole.matched.contains(h.matched.as_str());
                if found.as_ref().is_none_or(wider) {
                    found = Some(whole);
                }
            }
        }
        match found {
            Some(hit) => {
                let rule = &self.rules[hit.rule];
                let folds = adjacent
                    && (is_continuation
                        || (rule.attach
                            && st.out.last().is_some_and(|p| p.code == rule.code || p.code == "tls-handshake-failed")));
                if folds {
                    if let Some(prev) = st.out.last_mut() {
                        fold(self, prev, &hit, &log);
                        st.last_line = n;
                        return;
                    }
                }
                if chained {
                    let python = st.python_link;
                    if let Some(prev) = st.out.last_mut() {
                        self.chain(prev, &hit, &log, raw, python);
                        st.last_line = n;
                        st.python_link = false;
                        return;
                    }
                }
                let mut rec = self.recognition(&hit, &log, raw, n);
                if let Some(host) = log.pid.as_ref().and_then(|p| st.pid_hosts.get(p)) {
                    rec.facts.entry("client".to_string()).or_insert_with(|| host.clone());
                }
                fold_fields(self, &mut rec, &log);
                st.out.push(rec);
                st.last_line = n;
                st.last_pid = log.pid.clone();
                st.in_chain = true;
                st.python_link = false;
            }
            None => {
                if top && self.may_go_on(&log.message) {
                    st.broken = Some((raw.to_string(), n));
                }
                if adjacent && is_continuation {
                    if let Some(prev) = st.out.last_mut() {
                        let key = match log.severity_en {
                            Some("HINT") => "hint",
                            Some("DETAIL") => "detail",
                            Some("CONTEXT") => "context",
                            _ => "statement",
                        };
                        prev.facts.entry(key.to_string()).or_insert_with(|| log.message.to_string());
                        st.last_line = n;
                    }
                    return;
                }
                match kind {
                    ChainLine::PythonLink => st.python_link = true,
                    ChainLine::Frame | ChainLine::CausedBy => {}
                    // An unrecognised exception line in a Python chain (the outer exception of
                    // a traceback) keeps the chain; any other text ends it.
                    ChainLine::Other if st.python_link => {}
                    ChainLine::Other => {
                        st.in_chain = false;
                        st.python_link = false;
                    }
                }
            }
        }
    }

    /// The lines of one line's text (a JSON string's `\n`s), read as lines of the paste that
    /// share its number.
    fn explain_sub_lines(&self, text: &str, n: usize, st: &mut Scan) {
        st.sub_line = false;
        for sub in text.lines() {
            self.explain_line(sub, n, st, false);
            st.sub_line = true;
        }
        st.sub_line = false;
    }

    /// Merge a message of the same exception chain into its finding. The cause wins over a
    /// symptom; between two causes the innermost wins: the later one in a Java `Caused by:`
    /// chain, the earlier one in a Python chain ("The above exception was the direct cause of
    /// the following exception"). The message that loses stays as evidence.
    fn chain(&self, prev: &mut Recognition, hit: &Hit, log: &LogLine<'_>, raw: &str, python: bool) {
        let rule = &self.rules[hit.rule];
        let prev_symptom = prev.symptom;
        let new_wins = if prev.code == rule.code {
            false
        } else if prev_symptom != rule.symptom {
            prev_symptom
        } else {
            !python
        };
        if new_wins {
            let line = prev.line;
            let old = std::mem::replace(prev, self.recognition(hit, log, raw, line));
            prev.facts.insert("symptom".to_string(), format!("{}: {}", old.code, old.facts.get("matched").map(String::as_str).unwrap_or("")));
            for (k, v) in old.facts {
                if k != "matched" {
                    prev.facts.entry(k).or_insert(v);
                }
            }
        } else if prev.code != rule.code {
            prev.facts.entry("symptom".to_string()).or_insert_with(|| format!("{}: {}", rule.code, hit.matched));
        } else {
            for (k, v) in &hit.facts {
                prev.facts.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// csvlog/jsonlog: the DETAIL and HINT of a record are fields, not lines.
fn fold_fields(r: &Recognisers, rec: &mut Recognition, log: &LogLine<'_>) {
    for (key, value) in [("detail", &log.detail), ("hint", &log.hint)] {
        let Some(v) = value else { continue };
        match r.match_message(v) {
            Some(hit) => fold(r, rec, &hit, log),
            None => {
                rec.facts.entry(key.to_string()).or_insert_with(|| v.clone());
            }
        }
    }
}

/// Merge a follow-up message into the finding it belongs to. A HINT that names the cause
/// (protocol versions) refines a generic handshake failure into that cause.
fn fold(r: &Recognisers, prev: &mut Recognition, hit: &Hit, log: &LogLine<'_>) {
    let rule = &r.rules[hit.rule];
    if prev.code == "tls-handshake-failed" && rule.code != prev.code {
        let line = prev.line;
        let old = std::mem::replace(prev, r.recognition(hit, log, "", line));
        for (k, v) in old.facts {
            prev.facts.entry(k).or_insert(v);
        }
    }
    for (k, v) in &hit.facts {
        prev.facts.entry(k.clone()).or_insert_with(|| v.clone());
    }
    if let Some(m) = prev.facts.get_mut("matched") {
        m.push('\n');
        m.push_str(&hit.matched);
    }
    // The follow-up's sentence, when its facts are all there, replaces a bare "Recognised
    // message" and otherwise adds to what the finding says.
    if let Some(rendered) = rule.detail.as_ref().and_then(|d| said::filled(d, &prev.facts)) {
        let bare = said::say("recognised-message", &[("matched", "")]);
        prev.detail = if prev.detail.en.starts_with(&bare.en) { rendered } else { prev.detail.then(&rendered) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule's regex (English and every translation) compiles: what `LazyRegex` relies on.
    #[test]
    fn all_rules_compile() {
        let r = recognisers().unwrap();
        assert!(r.rules.len() > 1000, "{}", r.rules.len());
        for rule in &r.rules {
            assert!(Regex::new(&rule.regex.source).is_ok(), "{:?} {:?}: {}", rule.code, rule.lang, rule.regex.source);
            if let Some(f) = &rule.folded {
                assert!(Regex::new(&f.source).is_ok(), "{:?}: {}", rule.code, f.source);
            }
        }
    }
    use crate::findings::catalogue;

    fn codes(text: &str) -> Vec<String> {
        explain_text(text).into_iter().map(|r| r.code.to_string()).collect()
    }

    /// (input, expected codes in order, expected evidence (key, value) on the first finding)
    fn check(input: &str, expected: &[&str], evidence: &[(&str, &str)]) {
        let got = explain_text(input);
        let got_codes: Vec<&str> = got.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(got_codes, expected, "input: {input}");
        for (k, v) in evidence {
            let e = &got[0].facts;
            assert_eq!(e.get(*k).map(String::as_str), Some(*v), "evidence {k} for {input}: {e:?}");
        }
    }

    /// A Latin-script translation given as bytes (stdin, a file) is read as the text it is, not
    /// as mojibake whose GBK or Shift_JIS reading keeps only an English fragment.
    #[test]
    fn latin_script_translation_as_bytes_is_not_mojibake() {
        for text in [
            "2026-03-01 10:00:00.123 UTC [4242] app@shop LOG:  não foi possível aceitar conexão SSL: certificate verify failed",
            "conexión SSL directa fue establecida sin extensión de negociación de protocolo ALPN",
        ] {
            let as_text: Vec<Code> = explain_text(text).iter().map(|r| r.code).collect();
            let as_bytes: Vec<Code> = explain_bytes(text.as_bytes()).iter().map(|r| r.code).collect();
            assert_eq!(as_bytes, as_text, "{text}");
        }
    }

    #[test]
    fn data_compiles() {
        let r = Recognisers::load().unwrap();
        assert!(r.len() > 300, "{} rules", r.len());
    }

    #[test]
    fn japanese_seed_server_messages() {
        check(
            "LOG:  could not accept SSL connection: wrong version number\nHINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.1 and TLSv1.1.",
            &["protocol-version-mismatch"],
            &[("min_version", "TLSv1.1"), ("max_version", "TLSv1.1"), ("reason", "wrong version number")],
        );
        check(
            "LOG:  could not accept SSL connection: unsupported protocol\nHINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.",
            &["protocol-version-mismatch"],
            &[("min_version", "TLSv1.2"), ("max_version", "TLSv1.3")],
        );
        check(
            "FATAL:  could not load server certificate file \"server.crt\": No such file or directory",
            &["server-cert-missing"],
            &[("file", "server.crt"), ("reason", "No such file or directory")],
        );
        check(
            "FATAL:  could not access private key file \"server.key\": No such file or directory",
            &["server-key-missing"],
            &[("file", "server.key")],
        );
        check(
            "FATAL:  private key file \"/certs/example.com.key\" has group or world access\nDETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.",
            &["server-key-permissions"],
            &[("file", "/certs/example.com.key")],
        );
        check("LOG:  could not accept SSL connection: tlsv1 alert unknown ca", &["client-rejects-server-ca"], &[]);
        check("LOG:  could not accept SSL connection: certificate verify failed", &["server-rejects-client-cert"], &[]);
        check(
            "LOG:  provided user name (kong) and authenticated user name (foo@example.com) do not match\nFATAL:  certificate authentication failed for user \"kong\"",
            &["client-cert-user-mismatch"],
            &[("user", "kong"), ("authn_user", "foo@example.com")],
        );
        check("FATAL:  connection requires a valid client certificate", &["client-cert-required"], &[]);
    }

    #[test]
    fn japanese_seed_kong_messages() {
        let k = "Error: [PostgreSQL error] failed to retrieve PostgreSQL server_version_num: ";
        for (tail, code) in [
            ("tlsv1 alert protocol version", "protocol-version-mismatch"),
            ("unsupported protocol", "protocol-version-mismatch"),
            ("the server does not support SSL connections", "server-ssl-off"),
            ("certificate verify failed", "server-cert-untrusted"),
            ("FATAL: connection requires a valid client certificate", "client-cert-required"),
            ("tlsv1 alert unknown ca", "server-rejects-client-cert"),
            ("FATAL: certificate authentication failed for user \"kong\"", "client-cert-user-mismatch"),
        ] {
            let line = format!("{k}{tail}");
            check(&line, &[code], &[("client_program", "kong")]);
        }
        check(&format!("{k}FATAL: certificate authentication failed for user \"kong\""), &["client-cert-user-mismatch"], &[("user", "kong")]);
    }

    #[test]
    fn server_messages_more() {
        let t = [
            ("LOG:  could not accept SSL connection: no shared cipher", "cipher-mismatch"),
            ("LOG:  could not accept SSL connection: EOF detected", "unexpected-eof"),
            ("LOG:  could not accept SSL connection: unexpected eof while reading", "unexpected-eof"),
            ("LOG:  could not accept SSL connection: sslv3 alert bad certificate", "client-rejects-server-ca"),
            ("LOG:  could not accept SSL connection: SSL error code 2147483650", "tls-handshake-failed"),
            ("FATAL:  could not load private key file \"server.key\": key values mismatch", "server-key-mismatch"),
            ("FATAL:  could not load private key file \"server.key\": bad decrypt", "key-passphrase"),
            ("FATAL:  private key file \"server.key\" must be owned by the database user or root", "server-key-permissions"),
            ("LOG:  private key file \"server.key\" cannot be reloaded because it requires a passphrase", "key-passphrase"),
            ("FATAL:  could not load root certificate file \"root.crt\": No such file or directory", "server-ca-file-missing"),
            ("FATAL:  could not load SSL certificate revocation list file \"root.crl\": no start line", "crl-problem"),
            ("FATAL:  could not load server certificate file \"server.crt\": Permission denied", "server-cert-file-unreadable"),
            ("FATAL:  could not load server certificate file \"server.crt\": no start line", "cert-or-key-format"),
            ("FATAL:  could not access private key file \"server.key\": Permission denied", "server-key-file-unreadable"),
            ("LOG:  received direct SSL connection request without ALPN protocol negotiation extension", "alpn-rejected"),
            ("LOG:  client certificates can only be checked if a root certificate store is available", "hba-cert-without-ca"),
            ("LOG:  could not set SSL protocol version range", "ssl-protocol-range-invalid"),
        ];
        for (input, code) in t {
            check(input, &[code], &[]);
        }
    }

    #[test]
    fn pg_hba_encryption_words() {
        check(
            "2026-03-01 10:00:00 UTC [1] app@shop FATAL:  no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"shop\", no encryption",
            &["ssl-required-by-server"],
            &[("host", "10.0.0.5"), ("user", "app"), ("database", "shop"), ("encryption", "no encryption")],
        );
        check(
            "FATAL:  no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"shop\", SSL encryption",
            &["hba-no-ssl-entry"],
            &[],
        );
        check("FATAL:  no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"shop\", SSL off", &["ssl-required-by-server"], &[]);
        check("FATAL:  no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"shop\", SSL on", &["hba-no-ssl-entry"], &[]);
        // GSS encryption is not a TLS problem: recognised by no TLS pattern.
        check("FATAL:  no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"shop\", GSS encryption", &[], &[]);
    }

    /// French (and Indonesian) catalogues break the pg_hba refusal over two lines; a real
    /// PostgreSQL 15 with lc_messages = 'fr_FR.utf8' logs the rest after a tab, and psql prints
    /// it after a bare newline (both captured from a real server on 2026-11-27).
    #[test]
    fn translation_that_breaks_the_line() {
        let log = "2026-11-27 22:45:46.032 UTC [13197] FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 127.0.0.1 », utilisateur « app »,\n\tbase de données « shop », aucun chiffrement\n";
        check(log, &["ssl-required-by-server"], &[("language", "fr"), ("host", "127.0.0.1"), ("database", "shop"), ("encryption", "aucun chiffrement")]);
        let psql = "psql: erreur : la connexion au serveur sur « 127.0.0.1 », port 54999 a échoué : FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 127.0.0.1 », utilisateur « app »,\nbase de données « shop », aucun chiffrement\n";
        check(psql, &["ssl-required-by-server"], &[("language", "fr"), ("user", "app")]);
        // Pasted into one line.
        check(&psql.replace('\n', " "), &["ssl-required-by-server"], &[("language", "fr")]);
        // The first line alone says nothing it cannot prove; a line after it that does not
        // complete it is read on its own.
        let cut = "FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 127.0.0.1 », utilisateur « app »,\nFATAL:  could not load server certificate file \"server.crt\": No such file or directory\n";
        assert_eq!(codes(cut), vec!["server-cert-missing"]);
    }

    #[test]
    fn translated_server_messages() {
        check(
            "2026-03-01 10:00:00.000 JST [77] ログ:  SSL接続を受け付けられませんでした: wrong version number",
            &["protocol-version-mismatch"],
            &[("language", "ja"), ("reason", "wrong version number")],
        );
        let ja = explain_text("FATAL:  秘密鍵ファイル\"server.key\"はグループまたは全員からアクセス可能です");
        assert!(ja.is_empty() || ja[0].code == "server-key-permissions");
        // Every translated form of the key-permission message is recognised with its file.
        let r = Recognisers::load().unwrap();
        let tf = translations().unwrap();
        let mut tested = 0;
        for m in tf.messages().iter().filter(|m| m.msgid == "private key file \"%s\" has group or world access") {
            let line = format!("FATAL:  {}", m.msgstr.replace("%s", "/k/server.key"));
            let hit = r.match_message(parse_line(&line).message.as_ref()).unwrap();
            assert_eq!(r.rules[hit.rule].code, "server-key-permissions", "{line}");
            assert_eq!(hit.facts.get("file").map(String::as_str), Some("/k/server.key"), "{line}");
            tested += 1;
        }
        assert!(tested >= 5, "only {tested} translations");
        // Chinese log with translated severity and pg_hba encryption word.
        let zh: Vec<_> = tf
            .messages()
            .iter()
            .filter(|m| m.lang == "zh_CN" && m.msgid == "connection requires a valid client certificate")
            .collect();
        assert!(!zh.is_empty());
        for m in zh {
            check(&format!("2026-03-01 10:00:00 CST [5] 致命错误:  {}", m.msgstr), &["client-cert-required"], &[("language", "zh_CN"), ("log_severity", "致命错误")]);
        }
    }

    #[test]
    fn translations_match_converter() {
        let pf: PatternFile = toml::from_str(PATTERNS_TOML).unwrap();
        let tf = translations().unwrap();
        for m in tf.messages() {
            let p = pf.pattern.iter().find(|p| p.msgid.as_deref() == Some(m.msgid.as_str())).unwrap();
            let (re, anchor) = printf_to_regex(&m.msgstr, &p.args).unwrap();
            assert_eq!(re, m.regex, "{} {}", m.lang, m.msgid);
            assert_eq!(anchor, m.anchor, "{} {}", m.lang, m.msgid);
        }
        // Patterns sharing a msgid must name its arguments the same way.
        for a in &pf.pattern {
            for b in &pf.pattern {
                if a.msgid.is_some() && a.msgid == b.msgid {
                    assert_eq!(a.args, b.args, "{:?}", a.msgid);
                }
            }
        }
    }

    #[test]
    fn every_translation_is_recognised() {
        let pf: PatternFile = toml::from_str(PATTERNS_TOML).unwrap();
        let tf = translations().unwrap();
        let spec = Regex::new(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|ll|h|l|z|j|t|L)?([sdiucmxXf])").unwrap();
        let (mut tested, mut alike) = (0, 0);
        for m in tf.messages() {
            let Some(p) = pf.pattern.iter().find(|p| {
                p.msgid.as_deref() == Some(m.msgid.as_str()) && p.when.is_empty() && p.when_terms.is_empty()
            }) else {
                continue;
            };
            let sample = spec.replace_all(&m.msgstr, |c: &regex::Captures<'_>| match &c[1] {
                "s" | "m" => "/tmp/x".to_string(),
                "c" => "H".to_string(),
                _ => "7".to_string(),
            });
            let got = explain_text(&format!("2026-03-01 10:00:00 UTC [1] FATAL:  {sample}"));
            let codes: Vec<&str> = got.iter().map(|r| r.code.as_str()).collect();
            assert_eq!(codes.len(), 1, "{} {:?} → {sample}: {codes:?}", m.lang, m.msgid);
            if got[0].code.as_str() != p.code {
                // Only where the language words two messages alike, and then it says so.
                let also = &got[0].also;
                assert!(also.iter().any(|c| c.as_str() == p.code), "{} {:?} → {sample}: {codes:?}, also {also:?}", m.lang, m.msgid);
                assert!(got[0].tell_apart.as_ref().is_some_and(|t| t.en.contains("alike")));
                alike += 1;
            }
            tested += 1;
        }
        assert!(tested > 150, "{tested}");
        // Turkish and Georgian word two messages each alike (see alike_translations).
        assert!((1..10).contains(&alike), "{alike} translations worded like another message");
    }

    /// A refused login is read first with the English patterns alone (no translations): on
    /// every PostgreSQL message the patterns name, in English and in every translation, that
    /// gives what `explain` says of the same line; English ones never need the full tables.
    #[test]
    fn refusals_read_as_explain_reads_them() {
        let pf: PatternFile = toml::from_str(PATTERNS_TOML).unwrap();
        let tf = translations().unwrap();
        let spec = Regex::new(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|ll|h|l|z|j|t|L)?([sdiucmxXf])").unwrap();
        let sample = |f: &str| {
            spec.replace_all(f, |c: &regex::Captures<'_>| match &c[1] {
                "s" | "m" => "/tmp/x".to_string(),
                "c" => "H".to_string(),
                _ => "7".to_string(),
            })
            .into_owned()
        };
        let english = english_recognisers().unwrap();
        let mut texts: Vec<String> = pf.pattern.iter().filter_map(|p| p.msgid.as_deref()).map(sample).collect();
        let from_english_table = texts.len();
        texts.extend(tf.messages().iter().map(|m| sample(&m.msgstr)));
        let (mut fast, mut agreed) = (0, 0);
        for (i, message) in texts.iter().enumerate() {
            for severity in ["FATAL", "ERROR"] {
                let error = crate::wire::ErrorResponse { severity: Some(severity.into()), message: message.clone(), ..Default::default() };
                let want = read_text(&format!("{severity}:  {message}"), false).first().map(|r| r.code);
                assert_eq!(recognise_refusal(&error), want, "{severity}: {message}");
                agreed += 1;
                if i < from_english_table && english.match_message_at(message, Some(severity)).is_some() {
                    fast += 1;
                }
            }
        }
        assert!(agreed > 1000, "{agreed}");
        // Most English messages the patterns name (twice: FATAL, ERROR) are read without the
        // translations (the others need a reason the sample lacks, or another severity word).
        assert!(fast * 5 >= from_english_table * 2 * 4, "{fast} of {}", from_english_table * 2);
    }

    /// `translated-anchors.txt` holds every translated message's anchor and every translated
    /// word, sorted; `PGTLS_BLESS=1 cargo test -p pgtls-text --lib translated_anchors_file`
    /// rewrites it after `tools/gen translations`.
    #[test]
    fn translated_anchors_file() {
        let tf = translations().unwrap();
        let mut want: Vec<&str> = tf.messages().iter().map(|m| m.anchor.as_str()).chain(tf.term_texts()).collect();
        want.sort_unstable();
        want.dedup();
        let want = format!("{}\n", want.join("\n"));
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pglog/translated-anchors.txt");
        if std::env::var_os("PGTLS_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        assert!(TRANSLATED_ANCHORS == want, "{path} is out of date: run tools/gen translated-anchors");
        assert!(want.lines().count() > 500);
    }

    #[test]
    fn printf_conversion() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            printf_to_regex("could not load \"%s\": %s", &s(&["file", "reason"])).unwrap(),
            ("could not load \"(?P<file>.+?)\": (?P<reason>.+)".to_string(), "could not load".to_string())
        );
        assert_eq!(
            printf_to_regex("%2$s と %1$s (%3$d%%)", &s(&["a", "b", "n"])).unwrap().0,
            "(?P<b>.+?) と (?P<a>.+?) \\((?P<n>-?[0-9A-Fa-f]+)%\\)"
        );
        assert_eq!(printf_to_regex("x %s %s", &s(&["a"])), None);
        assert_eq!(printf_to_regex("file: %m", &[]).unwrap().0, "file: (?P<reason>.+)");
    }

    #[test]
    fn libpq_and_drivers() {
        type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
        let t: &[Case<'_>] = &[
            ("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL SYSCALL error: EOF detected", "unexpected-eof", &[("client_program", "psql")]),
            ("SSL connection has been closed unexpectedly", "unexpected-eof", &[]),
            ("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: server does not support SSL, but SSL was required", "server-ssl-off", &[]),
            ("connection to server at \"db\" (10.0.0.5), port 5432 failed: root certificate file \"/home/app/.postgresql/root.crt\" does not exist", "root-cert-missing", &[("file", "/home/app/.postgresql/root.crt")]),
            ("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed", "server-cert-untrusted", &[]),
            ("server certificate for \"db1.internal\" does not match host name \"10.0.0.5\"", "hostname-mismatch", &[("cert_name", "db1.internal"), ("host", "10.0.0.5")]),
            ("server certificate for \"a.example\" (and 2 other names) does not match host name \"b.example\"", "hostname-mismatch", &[("host", "b.example")]),
            ("could not open certificate file \"/app/client.crt\": No such file or directory", "client-cert-file-missing", &[("file", "/app/client.crt")]),
            ("private key file \"/app/client.key\" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root", "client-key-permissions", &[("file", "/app/client.key")]),
            ("psql: error: sslmode value \"require\" invalid when SSL support is not compiled in", "client-built-without-ssl", &[("sslmode", "require")]),
            ("received invalid response to SSL negotiation: H", "proxy-mishandles-sslrequest", &[("response", "H")]),
            ("SSL error: tlsv1 alert protocol version", "protocol-version-mismatch", &[]),
            ("SSL error: ssl/tls alert handshake failure", "tls-handshake-failed", &[]),
            ("SSL error: certificate has expired", "cert-expired", &[]),
            ("SSL error: certificate is not yet valid", "cert-not-yet-valid", &[]),
            ("SSL error: self-signed certificate in certificate chain", "server-cert-untrusted", &[]),
            ("SSL error: unable to get local issuer certificate", "server-cert-untrusted", &[]),
            ("certificate does not match private key file \"/app/client.key\": key values mismatch", "client-key-mismatch", &[("file", "/app/client.key")]),
            ("could not load private key file \"/app/client.key\": no start line", "cert-or-key-format", &[]),
            ("error:0A000086:SSL routines::certificate verify failed", "server-cert-untrusted", &[]),
            ("error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed", "server-cert-untrusted", &[]),
            ("error:0A00010B:SSL routines::wrong version number", "protocol-version-mismatch", &[]),
            ("error:1C800064:Provider routines::bad decrypt", "key-passphrase", &[]),
            ("certificate could not be obtained: no certificate returned", "tls-handshake-failed", &[]),
            ("org.postgresql.util.PSQLException: The server does not support SSL.", "server-ssl-off", &[("client_program", "pgjdbc")]),
            ("org.postgresql.util.PSQLException: SSL error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target", "server-cert-untrusted", &[]),
            ("org.postgresql.util.PSQLException: Could not open SSL root certificate file /home/app/.postgresql/root.crt.", "root-cert-missing", &[("file", "/home/app/.postgresql/root.crt")]),
            ("org.postgresql.util.PSQLException: SSL error: No subject alternative names matching IP address 10.0.0.5 found", "hostname-mismatch", &[("host", "10.0.0.5")]),
            ("Error: The server does not support SSL connections", "server-ssl-off", &[]),
            ("Error: self-signed certificate in certificate chain", "server-cert-untrusted", &[]),
            ("Error: self signed certificate", "self-signed-server-cert", &[]),
            ("Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: db.example.com. is not in the cert's altnames: DNS:other.example.com", "hostname-mismatch", &[("host", "db.example.com")]),
            ("ConnectionError: PostgreSQL server at \"db:5432\" rejected SSL upgrade", "server-ssl-off", &[("host", "db:5432")]),
            ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'db'. (_ssl.c:1006)", "hostname-mismatch", &[]),
            ("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)", "server-cert-untrusted", &[]),
            ("failed to connect to `host=db user=app database=app`: failed SSL startup (tls: failed to verify certificate: x509: certificate signed by unknown authority)", "server-cert-untrusted", &[]),
            ("pq: SSL is not enabled on the server", "server-ssl-off", &[("client_program", "lib/pq")]),
            ("tls: failed to verify certificate: x509: certificate is valid for db1.internal, db1, not 10.0.0.5", "hostname-mismatch", &[("host", "10.0.0.5"), ("cert_names", "db1.internal, db1")]),
            ("x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is after 2026-02-01T00:00:00Z", "cert-expired", &[("not_after", "2026-02-01T00:00:00Z")]),
            ("x509: certificate has expired or is not yet valid: current time 2026-03-01T10:00:00Z is before 2026-04-01T00:00:00Z", "cert-not-yet-valid", &[]),
            ("Npgsql.NpgsqlException: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot", "server-cert-untrusted", &[("client_program", "npgsql")]),
            ("psycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"app\", no encryption", "ssl-required-by-server", &[("client_program", "psycopg"), ("host", "10.0.0.9")]),
            ("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused", "tcp-connect-failed", &[]),
            ("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: timeout expired", "network-timeout", &[]),
        ];
        for (input, code, ev) in t {
            check(input, &[code], ev);
        }
    }

    #[test]
    fn several_messages_and_lines() {
        let text = "some unrelated line\n\
            2026-03-01 10:00:00.123 UTC [10] app@shop LOG:  could not accept SSL connection: no shared cipher\n\
            2026-03-01 10:00:01.000 UTC [11] [unknown]@[unknown] LOG:  connection received: host=10.0.0.5 port=1\n\
            2026-03-01 10:00:02.000 UTC [12] kong@kong FATAL:  connection requires a valid client certificate\n";
        let got = explain_text(text);
        assert_eq!(got.iter().map(|r| (r.code.as_str(), r.line)).collect::<Vec<_>>(), vec![("cipher-mismatch", 2), ("client-cert-required", 4)]);
        assert_eq!(got[1].facts.get("log_user").map(String::as_str), Some("kong"));
        assert_eq!(got[1].facts.get("pid").map(String::as_str), Some("12"));
        // The connection-received line of pid 11 gives no finding, but names pid 11's client.
        let c = explain_text("2026-03-01 10:00:01.000 UTC [11] LOG:  connection received: host=10.0.0.5 port=1\n2026-03-01 10:00:01.100 UTC [11] LOG:  could not accept SSL connection: EOF detected");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].facts.get("client").map(String::as_str), Some("10.0.0.5"));
        // A HINT of another backend does not fold into this finding.
        let two = "2026-03-01 10:00:00 UTC [10] LOG:  could not accept SSL connection: wrong version number\n\
            2026-03-01 10:00:00 UTC [99] HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.";
        assert_eq!(codes(two).len(), 2);
        // Unrecognised DETAIL right after a finding is kept as evidence.
        let d = explain_text("FATAL:  connection requires a valid client certificate\nDETAIL:  something else");
        assert_eq!(d[0].facts.get("detail").map(String::as_str), Some("something else"));
    }

    /// Output captured from a real PostgreSQL 15.18 server and psql 15 (English and German).
    #[test]
    fn real_server_and_psql_output() {
        check(
            "psql: error: connection to server at \"127.0.0.1\", port 34353 failed: SSL error: tlsv1 alert protocol version\n\
             This may indicate that the server does not support any SSL protocol version between TLSv1.2 and TLSv1.2.",
            &["protocol-version-mismatch"],
            &[("min_version", "TLSv1.2"), ("max_version", "TLSv1.2"), ("client_program", "psql")],
        );
        check(
            "psql: error: connection to server at \"127.0.0.1\", port 34353 failed: root certificate file \"/nonexistent/root.crt\" does not exist\n\
             Either provide the file or change sslmode to disable server certificate verification.",
            &["root-cert-missing"],
            &[("file", "/nonexistent/root.crt")],
        );
        check(
            "psql: Fehler: Verbindung zum Server auf »127.0.0.1«, Port 34353 fehlgeschlagen: SSL-Fehler: certificate verify failed",
            &["server-cert-untrusted"],
            &[],
        );
        let log = "2026-11-23 20:47:22.165 UTC [6784] [unknown]@[unknown] LOG:  connection received: host=127.0.0.1 port=36102\n\
            2026-11-23 20:47:22.167 UTC [6784] [unknown]@[unknown] LOG:  could not accept SSL connection: unsupported protocol\n\
            2026-11-23 20:47:22.167 UTC [6784] [unknown]@[unknown] HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.3 and TLSv1.3.\n\
            2026-11-23 20:47:22.218 UTC [6787] postgres@postgres FATAL:  no pg_hba.conf entry for host \"127.0.0.1\", user \"postgres\", database \"postgres\", no encryption\n\
            2026-11-23 20:47:22.283 UTC [6790] [unknown]@[unknown] LOG:  could not accept SSL connection: EOF detected\n\
            2026-11-23 20:47:22.388 UTC [6793] [unknown]@[unknown] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n\
            2026-11-23 20:47:27.334 UTC [6877] FATAL:  private key file \"server.key\" has group or world access\n\
            2026-11-23 20:47:27.334 UTC [6877] DETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.\n\
            2026-11-23 20:47:27.966 UTC [6894] FATAL:  could not load server certificate file \"server.crt\": No such file or directory\n";
        let got = explain_text(log);
        assert_eq!(
            got.iter().map(|r| (r.code.as_str(), r.line)).collect::<Vec<_>>(),
            vec![
                ("protocol-version-mismatch", 2),
                ("ssl-required-by-server", 4),
                ("unexpected-eof", 5),
                ("client-rejects-server-ca", 6),
                ("server-key-permissions", 7),
                ("server-cert-missing", 9),
            ]
        );
        let e = &got[0].facts;
        assert_eq!(e.get("client").map(String::as_str), Some("127.0.0.1"));
        assert_eq!(e.get("max_version").map(String::as_str), Some("TLSv1.3"));
        assert_eq!(got[0].detail.en, "A client tried a TLS version the server does not accept (unsupported protocol). The server only accepts TLS versions TLSv1.3 to TLSv1.3; the client offered none of them.");
    }

    #[test]
    fn generic_handshake_failure_refined_by_hint() {
        let got = explain_text("LOG:  could not accept SSL connection: some new reason\nHINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].code, "protocol-version-mismatch");
        assert_eq!(got[0].code, "protocol-version-mismatch");
        assert_eq!(got[0].facts.get("reason").map(String::as_str), Some("some new reason"));
    }

    #[test]
    fn csv_and_json_records_fold_their_hint() {
        let csv = r#"2026-03-01 10:00:00.123 UTC,,,4242,"10.0.0.7:51000",65e1.1,1,"",2026-03-01 10:00:00 UTC,,0,LOG,08P01,"could not accept SSL connection: wrong version number",,"This may indicate that the client does not support any SSL protocol version between TLSv1.2 and TLSv1.3.",,,,,,,"","not initialized",,0"#;
        check(csv, &["protocol-version-mismatch"], &[("min_version", "TLSv1.2"), ("client", "10.0.0.7"), ("log_format", "csvlog")]);
        let json = r#"{"timestamp":"2026-03-01 10:00:00.123 UTC","pid":99,"remote_host":"10.9.8.7","error_severity":"FATAL","message":"provided user name (kong) and authenticated user name (foo@example.com) do not match"}"#;
        check(json, &["client-cert-user-mismatch"], &[("authn_user", "foo@example.com"), ("client", "10.9.8.7")]);
    }

    /// Wrappers around a message are looked through, and in an exception chain the cause wins
    /// over the symptom: innermost in a Java or .NET chain, first in a Python chain.
    #[test]
    fn wrappers_and_exception_chains() {
        let one = |t: &str| codes(t);
        let ssl_req = vec!["ssl-required-by-server".to_string()];
        let hba = "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption";
        // Kubernetes and journald prefixes.
        assert_eq!(one(&format!("2026-03-01T10:00:00.123456789Z stderr F pq: {hba}")), ssl_req);
        assert_eq!(one(&format!("Mar  1 10:00:00 web-01 app[1234]: pq: {hba}")), ssl_req);
        // A JSON log line: escaped quotes, and text after the message in the same string.
        let json = format!("{{\"level\":\"error\",\"msg\":\"pq: {}\",\"time\":\"2026-03-01T10:00:00Z\"}}", hba.replace('"', "\\\""));
        assert_eq!(one(&json), ssl_req, "{json}");
        // logfmt with text after the term.
        assert_eq!(one(&format!("level=error msg=\"FATAL: {}\" module=db", hba.replace('"', "\\\""))), ssl_req);
        // A JSON string holding a whole Java stack trace: one finding, the innermost cause.
        let trace = "org.postgresql.util.PSQLException: The connection attempt failed.\\n\\tat org.postgresql.Driver.connect(Driver.java:297)\\nCaused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: x";
        let got = explain_text(&format!("{{\"message\":\"{trace}\"}}"));
        assert_eq!(got.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["server-cert-untrusted"]);
        assert!(got[0].facts.get("symptom").is_some_and(|s| s.starts_with("connection-fails")), "{:?}", got[0].facts);
        // Two causes in a Java chain: the inner one (Caused by) wins.
        let java = "org.postgresql.util.PSQLException: SSL error: Received fatal alert: certificate_expired\n\tat x.y(Z.java:1)\nCaused by: javax.net.ssl.SSLHandshakeException: No subject alternative names present";
        assert_eq!(one(java), vec!["hostname-mismatch"]);
        // .NET inner exceptions.
        let dotnet = "Npgsql.NpgsqlException (0x80004005): Failed to connect to 10.0.0.5:5432\n ---> System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot";
        assert_eq!(one(dotnet), vec!["server-cert-untrusted"]);
        // Python: the first exception is the cause of the ones after "The above exception …".
        let py = "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'db'. (_ssl.c:1006)\n\n\
            The above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n\
            sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed";
        assert_eq!(one(py), vec!["hostname-mismatch"]);
        // Unrelated messages on separate lines stay separate findings.
        assert_eq!(one(&format!("pq: {hba}\nsomething else\npq: SSL is not enabled on the server")), vec!["ssl-required-by-server", "server-ssl-off"]);
        // Cause and symptom in one line: the cause.
        assert_eq!(one("error performing TLS handshake: invalid peer certificate: UnknownIssuer"), vec!["server-cert-untrusted"]);
        // The proxy passing the SSLRequest on as a protocol version.
        assert_eq!(one("FATAL:  unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0"), vec!["proxy-mishandles-sslrequest"]);
        assert_eq!(one("FATAL:  unsupported frontend protocol 2.0: server supports 3.0 to 3.0"), Vec::<String>::new());
    }

    /// A refused login is FATAL; the same words as ERROR are an ordinary statement error.
    #[test]
    fn severity_bound_patterns() {
        assert_eq!(codes("psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  role \"bob\" does not exist"), vec!["login-refused"]);
        assert_eq!(codes("2026-03-01 10:00:00 UTC [5] FATAL:  database \"shop\" does not exist"), vec!["login-refused"]);
        assert!(codes("2026-03-01 10:00:00 UTC [5] app@shop ERROR:  database \"shop2\" does not exist").is_empty());
        assert!(codes("ERROR:  role \"bob\" does not exist").is_empty());
        // The log scanner's message-only matching does not use them.
        let r = recognisers().unwrap();
        assert!(r.match_message("role \"bob\" does not exist").is_none());
    }

    /// A text with two possible causes names both, and what tells them apart.
    #[test]
    fn two_candidates() {
        let got = explain_text("FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption");
        assert_eq!(got[0].code, "ssl-required-by-server");
        assert_eq!(got[0].also, vec![Code::LoginRefused]);
        assert!(got[0].tell_apart.as_ref().is_some_and(|t| t.en.contains("sslmode=require")));
        // One cause: no alternatives.
        let one = explain_text("FATAL:  connection requires a valid client certificate");
        assert!(one[0].also.is_empty());
    }

    #[test]
    fn unrecognised_text_gives_nothing() {
        for t in [
            "",
            "hello world",
            "2026-03-01 10:00:00 UTC [1] LOG:  checkpoint complete: wrote 3 buffers",
            "LOG:  connection authorized: user=app database=app SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            "\u{0}\u{1}\u{fffd}{{{{\"\"\",,,,",
            "%s %d %m",
        ] {
            assert!(explain_text(t).is_empty(), "{t:?} gave {:?}", codes(t));
        }
    }

    /// Text as people paste it: GUI capitalisation, runs of blanks and line breaks, typographic
    /// quotes, HTML and backslash escapes, ANSI colours, exception-class prefixes and Go error
    /// values printed as structs read like the plain message.
    #[test]
    fn normalised_pastes() {
        // BoringSSL's reason names read as OpenSSL's reason strings.
        assert_eq!(codes("error:1000008b:SSL routines:OPENSSL_internal:DECRYPTION_FAILED_OR_BAD_RECORD_MAC"), codes("error:0A000119:SSL routines::decryption failed or bad record mac"));
        assert_eq!(codes("error:0900006e:PEM routines:OPENSSL_internal:NO_START_LINE").first().map(String::as_str), Some("cert-or-key-format"));
        let plain = "server does not support SSL, but SSL was required";
        let want = codes(plain);
        assert!(!want.is_empty());
        for t in [
            "Server does not support SSL, but SSL was required",
            "SERVER DOES NOT SUPPORT SSL, BUT SSL WAS REQUIRED",
            "server  does not support SSL,\tbut SSL was   required",
            "\u{1b}[31mpsql: error: server does not support SSL, but SSL was required\u{1b}[0m",
            "Connection failed: Server does not support SSL, but SSL was required",
        ] {
            assert_eq!(codes(t), want, "{t:?}");
        }
        let hba = "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption";
        let want = codes(hba);
        assert!(!want.is_empty());
        for t in [hba.replace('"', "&quot;"), hba.replace('"', "&#34;"), hba.replacen('"', "\u{201c}", 1).replacen('"', "\u{201d}", 1), hba.replace(", ", ",  ")] {
            assert_eq!(codes(&t), want, "{t:?}");
        }
        // A Go error value printed with %#v: the package and its Msg, as Error() prints them.
        let go = r#"tls.RecordHeaderError{Msg:"first record does not look like a TLS handshake", RecordHeader:[5]uint8{0x48, 0x54, 0x54, 0x50, 0x2f}, Conn:(*net.TCPConn)(0xc000010000)}"#;
        let want = codes("tls: first record does not look like a TLS handshake");
        assert!(!want.is_empty());
        assert_eq!(codes(go), want);
        assert_eq!(codes(&format!("&{go}")), want);
        // The same sentence behind no exception class, or another one.
        assert_eq!(codes("SSL error: Connection reset"), vec!["unexpected-eof"]);
        assert_eq!(codes("org.postgresql.util.PSQLException: SSL error: Connection reset"), vec!["unexpected-eof"]);
        // What normalisation adds does not turn ordinary text into findings.
        for t in [
            "&lt;b&gt;Welcome&lt;/b&gt; to the dashboard",
            "\u{1b}[32mINFO\u{1b}[0m server started on port 5432",
            r#"tls.Config{MinVersion:0x303, ServerName:"db"}"#,
            "The SSL Mode Was Changed To Require By The Administrator",
        ] {
            assert!(codes(t).is_empty(), "{t:?} gave {:?}", codes(t));
        }
        // A message wrapped onto two lines, as a window or a terminal breaks it.
        assert_eq!(codes("psql: error: connection to server failed: server does not support SSL,\nbut SSL was required"), codes(plain));
        assert_eq!(codes("Server does not support SSL, but SSL\n  was required"), codes(plain));
        // Not across a blank line; the first line alone still names the cause by its words
        // (the vocabulary tier), which the finding says.
        let apart = explain_text("server does not support SSL, but SSL\n\nwas required");
        assert!(apart.iter().all(|r| r.facts.get(vocabulary::RECOGNISED_BY).is_some()), "{apart:?}");
        assert_eq!(normalise("plain text"), None);
        assert_eq!(normalise("a  b\tc").as_deref(), Some("a b c"));
    }

    /// A paste with a symptom and an explicit cause names the cause first, whichever line
    /// comes first; findings of the same kind keep their order.
    #[test]
    fn causes_rank_before_symptoms() {
        let psql = "psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: server closed the connection unexpectedly\n\
            \tThis probably means the server terminated abnormally\n\tbefore or while processing the request.";
        let server = "2026-03-01 10:00:00 UTC [42] FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"shop\", no encryption";
        assert_eq!(codes(psql), vec!["unexpected-eof"]);
        for paste in [format!("{psql}\n{server}"), format!("{server}\n{psql}")] {
            let got = explain_text(&paste);
            let got_codes: Vec<&str> = got.iter().map(|r| r.code.as_str()).collect();
            assert_eq!(got_codes, vec!["ssl-required-by-server", "unexpected-eof"], "{paste}");
        }
        let reset = "Error: read ECONNRESET\nerror: FATAL:  SSL connection is required. Please specify SSL options and retry.";
        assert_eq!(codes(reset).first().map(String::as_str), Some("ssl-required-by-server"), "{:?}", codes(reset));
    }

    /// A client's note that it goes on another way is a step it got past; the paste's outcome is
    /// what came after it.
    #[test]
    fn a_fallback_note_ranks_after_the_outcome() {
        let paste = "SSL is not enabled on the server, connecting with sslmode=disable\nERROR: pq: Ident authentication failed for user \"app\"";
        assert_eq!(codes(paste), vec!["login-refused", "server-ssl-off"]);
        let reset = "Error: read ECONNRESET\nerror: FATAL:  SSL connection is required. Please specify SSL options and retry.";
        assert_eq!(codes(reset).first().map(String::as_str), Some("ssl-required-by-server"));
    }

    /// An EOF right after the paste shows an SSLRequest going out names the proxy that does not
    /// know the message as the other possible cause.
    #[test]
    fn eof_after_an_sslrequest_names_the_proxy() {
        let got = explain_text("F {\"Type\":\"SSLRequest\"}\n2021/07/02 23:21:29 unexpected EOF");
        assert_eq!(got.first().map(|r| (r.code, r.also.clone())), Some((Code::UnexpectedEof, vec![Code::ProxyMishandlesSslrequest])));
        let plain = explain_text("2021/07/02 23:21:29 unexpected EOF");
        assert!(plain.first().is_some_and(|r| r.also.is_empty()), "{plain:?}");
    }

    /// Upper case: libpq's key-permission message holds the server's DETAIL sentence once case
    /// is gone; the longer match is the message.
    #[test]
    fn upper_case_prefers_the_longest_cause() {
        let t = "PSQL: ERROR: PRIVATE KEY FILE \"/HOME/U/.POSTGRESQL/POSTGRESQL.KEY\" HAS GROUP OR WORLD ACCESS; FILE MUST HAVE PERMISSIONS U=RW (0600) OR LESS IF OWNED BY THE CURRENT USER, OR PERMISSIONS U=RW,G=R (0640) OR LESS IF OWNED BY ROOT";
        assert_eq!(codes(t), vec!["client-key-permissions"]);
        // A word of the message read as a severity ("TLS HANDSHAKE ERROR: …"), and the server's
        // FATAL inside libpq's ERROR line.
        let pgbouncer = "2018-01-22 16:36:28.312 1 WARNING TLS HANDSHAKE ERROR: HANDSHAKE FAILED: ERROR:14094416:SSL ROUTINES:SSL3_READ_BYTES:SSLV3 ALERT CERTIFICATE UNKNOWN";
        assert_eq!(codes(pgbouncer), vec!["client-rejects-server-ca"]);
        let role = "PSQL: ERROR: CONNECTION TO SERVER AT \"LOCALHOST\" (127.0.0.1), PORT 5432 FAILED: FATAL:  ROLE \"XXX\" DOES NOT EXIST";
        assert_eq!(codes(role), vec!["login-refused"]);
        // A driver's wrapper around a server message does not outrank it in capitals.
        let pgx = "FAILED TO CONNECT TO `HOST=DB USER=APP DATABASE=AUTH`: SERVER ERROR (FATAL: PARAMETER \"SSL\" CANNOT BE CHANGED NOW (SQLSTATE 55P02))";
        assert_eq!(codes(pgx).first().map(String::as_str), Some("server-error-response"));
        // A symptom whose words read as a severity in capitals is still the line's symptom, as
        // it is in lower case.
        for t in ["PGMETRICS: REMOTE ERROR: TLS: HANDSHAKE FAILURE", "WARNING TLS HANDSHAKE ERROR: HANDSHAKE FAILED: SUCCESS"] {
            assert_eq!(codes(t), vec!["tls-handshake-failed"], "{t}");
        }
        assert_eq!(codes("SSL SYSCALL ERROR: SUCCESS"), vec!["unexpected-eof"]);
    }

    /// A paste cut off inside a known message's anchor is read from its start; cut inside a
    /// wrapper whose reason follows, it is not (the reason was lost).
    #[test]
    fn a_paste_cut_inside_an_anchor() {
        let cut = explain_text("2024-01-01 10:00:00 UTC [7] FATAL:  connection requires a valid client cert");
        assert_eq!(cut.first().map(|r| r.code.as_str()), Some("client-cert-required"), "{cut:?}");
        assert!(codes("Error: [PostgreSQL error] failed to retrieve PostgreSQL server_ver").is_empty());
        assert!(codes("the connection requires a").is_empty());
    }

    /// Reason tokens of the TLS stacks' vocabularies name the cause whatever sentence carries them.
    #[test]
    fn vocabulary_tokens() {
        for (t, want) in [
            ("System.ComponentModel.Win32Exception (0x80090326): The message received was unexpected or badly formatted.", "tls-handshake-failed"),
            ("AuthenticationException: Authentication failed, HResult=-2146893019", "server-cert-untrusted"),
            ("InitializeSecurityContext failed: SEC_E_WRONG_PRINCIPAL", "hostname-mismatch"),
            ("error 0x800b010f while validating", "hostname-mismatch"),
            ("HRESULT -2146762495 from CertGetCertificateChain", "cert-expired"),
            ("unexpected response from SSLRequest: 0x00", "unexpected-eof"),
            ("unexpected response from SSLRequest: 0x48", "proxy-mishandles-sslrequest"),
            ("IO error: peer closed connection without sending TLS close_notify", "unexpected-eof"),
            ("[PostgreSQL error] failed to retrieve PostgreSQL server_version_num: SSL handshake failed: certificate host mismatch", "hostname-mismatch"),
            ("SSL handshake failed: 22: certificate chain too long", "server-cert-untrusted"),
            ("SSL error: sun.security.validator.ValidatorException: No trusted certificate found", "server-cert-untrusted"),
            ("unrecognized SSL error code: 6", "unexpected-eof"),
            ("SSL SYSCALL error: Undefined error: 0", "unexpected-eof"),
            ("SSL error: sslv3 alert unexpected message", "tls-handshake-failed"),
            ("TLSSocket.onConnectSecure failed { code: 'CERT_REVOKED' }", "cert-revoked"),
            ("code: 'UNABLE_TO_GET_ISSUER_CERT'", "server-cert-untrusted"),
            ("verify return code: X509_V_ERR_CERT_REVOKED", "cert-revoked"),
            ("code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'", "server-cert-untrusted"),
            ("Error: CRL has expired { code: 'CRL_HAS_EXPIRED' }", "crl-problem"),
            ("SSL error: tlsv1 alert decrypt error", "tls-handshake-failed"),
            ("error:0A000175:SSL routines::inappropriate fallback", "protocol-version-mismatch"),
            ("pq: remote error: tls: expired certificate", "cert-expired"),
            ("remote error: tls: unsupported certificate", "server-rejects-client-cert"),
            ("local error: tls: illegal parameter", "tls-handshake-failed"),
            // Alternatives that had no anchor of their own before (every_alternative_holds_an_anchor).
            ("Error: ... code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'", "server-rejects-client-cert"),
            ("[SSL: NO_CIPHERS_AVAILABLE] no ciphers available (_ssl.c:1006)", "cipher-mismatch"),
            ("verify error:num=64:IP_ADDRESS_MISMATCH", "hostname-mismatch"),
            ("invalid peer certificate: ExpiredRevocationList", "crl-problem"),
            ("invalid peer certificate: ExpiredContext { time: UnixTime(1), not_after: UnixTime(0) }", "cert-expired"),
            ("invalid peer certificate: InvalidPurpose", "server-cert-untrusted"),
            ("received fatal alert: the peer CertificateExpired", "cert-expired"),
            ("AlertReceived(UnrecognizedName)", "sni-required"),
            ("FATAL: TLS version used does not meet minimal requirements for this server. Please use a higher TLS version and retry.", "protocol-version-mismatch"),
            ("java.security.cert.CertPathValidatorException: Certificate has been revoked, reason: KEY_COMPROMISE, revocation date: x", "cert-revoked"),
        ] {
            assert_eq!(codes(t).first().map(String::as_str), Some(want), "{t}: {:?}", codes(t));
        }
        // A different SSL error code is not SSL_ERROR_ZERO_RETURN.
        assert_ne!(codes("unrecognized SSL error code: 61").first().map(String::as_str), Some("unexpected-eof"));
        assert!(codes("error 0x800b010ff while validating").is_empty());
        // The ValidatorException vocabulary is sun.security.validator's, not CertPathValidatorException's:
        // a CertPathValidatorException reason no pattern knows stays unrecognised (JDK 8's
        // "timestamp check failed" is BasicChecker's validity check, a known reason).
        assert!(codes("java.security.cert.CertPathValidatorException: Key parameters missing").is_empty());
        assert_eq!(codes("java.security.cert.CertPathValidatorException: timestamp check failed").first().map(String::as_str), Some("cert-expired"));
    }

    /// The top-level alternatives of a regex (`a|b(c|d)` → `a`, `b(c|d)`).
    fn top_level_alternatives(re: &str) -> Vec<String> {
        let (mut depth, mut class, mut esc) = (0i32, false, false);
        let (mut cur, mut out) = (String::new(), Vec::new());
        for c in re.chars() {
            if esc {
                cur.push(c);
                esc = false;
                continue;
            }
            match c {
                '\\' => esc = true,
                '[' if !class => class = true,
                ']' if class => class = false,
                '(' if !class => depth += 1,
                ')' if !class => depth -= 1,
                '|' if !class && depth == 0 => {
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        out.push(cur);
        out
    }

    /// The ways an alternative reads with its innermost `(?:x|y)` groups spelt out (at most 64).
    fn spelt_out(alt: &str) -> Vec<String> {
        let mut todo = vec![alt.to_string()];
        let mut done = Vec::new();
        while let Some(a) = todo.pop() {
            let group = a.match_indices("(?:").map(|(i, _)| i).find_map(|i| {
                let end = i + a[i + 3..].find(')')? + 3;
                let inner = &a[i + 3..end];
                (!inner.contains('(') && inner.contains('|')).then_some((i, end, inner.to_string()))
            });
            match group {
                Some((i, end, inner)) if todo.len() + done.len() < 64 => {
                    for choice in inner.split('|') {
                        todo.push(format!("{}{}{}", &a[..i], choice, &a[end + 1..]));
                    }
                }
                _ => done.push(a),
            }
        }
        done
    }

    /// The literal text of a regex fragment: escapes undone, `\s+` a space, `\b` nothing.
    fn literal_text(re: &str) -> String {
        let mut out = String::new();
        let mut it = re.chars().peekable();
        while let Some(c) = it.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match it.next() {
                Some('s') => {
                    out.push(' ');
                    if matches!(it.peek(), Some('+' | '*')) {
                        it.next();
                    }
                }
                Some('b') | None => {}
                Some(other) => out.push(other),
            }
        }
        out
    }

    /// A rule is only tried on text that holds one of its anchors, so every way its regex can
    /// match must hold one: `FOO|BAR` anchored on "FOO" never recognises BAR.
    #[test]
    fn every_alternative_holds_an_anchor() {
        let mut unreachable = Vec::new();
        for (file, pf) in pattern_specs().unwrap() {
            for p in pf.pattern {
                let (Some(anchor), Some(re)) = (&p.anchor, &p.regex) else { continue };
                let anchors = anchor.list();
                let (fold, body) = match re.strip_prefix("(?i)") {
                    Some(b) => (true, b),
                    None => (false, re.as_str()),
                };
                let key = |s: &str| if fold { s.to_lowercase() } else { s.to_string() };
                for alt in top_level_alternatives(body).iter().flat_map(|a| spelt_out(a)) {
                    let text = key(&literal_text(&alt));
                    if !anchors.iter().any(|a| text.contains(&key(a))) {
                        unreachable.push(format!("{file} {}: {alt:?} holds none of {anchors:?}", p.code));
                    }
                }
            }
        }
        assert!(unreachable.is_empty(), "alternatives no anchor leads to:\n{}", unreachable.join("\n"));
        assert_eq!(spelt_out("(?:remote|local) error: tls: x").len(), 2);
        assert_eq!(literal_text(r"a\.b\s+c\bd"), "a.b cd");
    }

    /// Every catalogue entry has documentation links and real translations.
    #[test]
    fn catalogue_is_complete_with_docs() {
        for e in catalogue().entries() {
            let code = e.code.as_str();
            assert!(!e.docs.is_empty(), "{code} has no docs");
            // PostgreSQL's own documentation, or the hop's (PgBouncer, Pgpool-II) for a
            // finding about a pooler.
            assert!(e.docs.iter().all(|d| d.contains("https://")), "{code} docs need a URL");
            assert!(
                e.docs.iter().any(|d| ["https://www.postgresql.org/docs/current/", "https://www.pgbouncer.org/"].iter().any(|u| d.contains(u))),
                "{code} cites neither PostgreSQL's nor the pooler's documentation"
            );
            for t in [&e.en, &e.zh, &e.ja] {
                assert!(t.title != code && t.explanation.len() > 80 && t.fix.len() > 40, "{code} text too thin");
            }
            // The Chinese and Japanese texts are really translated.
            assert!(e.zh.title.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code} zh");
            assert!(e.ja.explanation.chars().any(|c| ('\u{3040}'..='\u{30ff}').contains(&c)), "{code} ja");
        }
    }

    #[test]
    fn every_pattern_code_is_catalogued() {
        let pf: PatternFile = toml::from_str(PATTERNS_TOML).unwrap();
        for p in &pf.pattern {
            assert!(catalogue().get(&p.code).is_some(), "{}", p.code);
        }
    }
}
