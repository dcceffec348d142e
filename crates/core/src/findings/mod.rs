//! The finding model and its catalogue.
//!
//! A finding is one diagnosis: a stable kebab-case `code` (a public interface, like
//! ShellCheck's SC numbers), a severity, and texts. The texts that do not depend on the
//! case at hand (title, explanation, fix, documentation links) live in the catalogue,
//! `catalogue.toml`, in English, Simplified Chinese and Japanese, so adding a finding is one
//! data entry. What is specific to one occurrence (which file, which host, which versions)
//! goes into `detail` and `evidence`. A check says its detail and any case-specific fix as a
//! [`Message`] (`say!`, templates in `details.toml`, en/zh/ja): `detail` and `fix` hold its
//! English sentence, which is what JSON shows, and renderers say it in the user's language.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

mod code;
pub mod generated;
mod said;
pub use code::Code;
pub use said::{english_words, outside_quotes, placeholders, templates, Arg, IntoArg, Message, Template};

/// How bad a finding is. Drives the exit status: any `Error` → 2, only `Warning` → 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A config reader's or the scanner's note (kept as English text) as an argument: its
/// `note.*` message when one says it, else the text as written.
pub fn note_said(note: &str) -> Arg {
    Message::from_english("note.", note).map(Arg::Said).unwrap_or_else(|| Arg::Fact(note.to_string()))
}

/// Several notes in one argument, `; ` apart in English.
pub fn notes_said(notes: &[String]) -> Arg {
    notes.iter().map(|n| note_said(n)).reduce(|first, rest| Arg::Said(crate::say!("list.notes", first = first, rest = rest))).unwrap_or_else(|| Arg::Fact(String::new()))
}

/// One diagnosis about one connection, file, store or log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case code, always present in the catalogue.
    pub code: Code,
    pub severity: Severity,
    /// Catalogue title (English; renderers localise by code).
    pub title: String,
    /// What was seen in this case, in plain words.
    pub detail: String,
    /// What to do; the catalogue's fix unless the case allows a more precise one.
    pub fix: String,
    /// Facts behind the finding (file names, versions, users, matched text …), for display.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, String>,
    /// The endpoint (`host:port`) the finding is about, typed for the logic that reads it
    /// (severities demoted for a fallback host, one finding per endpoint); shown as the
    /// `endpoint` evidence. Set with [`Finding::at_endpoint`].
    #[serde(skip)]
    pub endpoint: Option<String>,
    /// What `detail` says, language-neutral (its pieces in order: a detail and what was added
    /// to it), when the check said it with [`Finding::said`]; renderers say it in the user's
    /// language. Not serialised: JSON keeps the English `detail`.
    #[serde(skip)]
    pub detail_said: Vec<Message>,
    /// What a case-specific `fix` says, language-neutral ([`Finding::fix_said`]).
    #[serde(skip)]
    pub fix_said: Option<Message>,
}

impl Finding {
    /// A finding with the catalogue's severity, title and fix for `code`.
    ///
    /// Every [`Code`] has an entry (`codes_match_the_catalogue` checks it).
    pub fn new(code: Code) -> Finding {
        let entry = catalogue().entry(code);
        let en = entry.text(Lang::En);
        Finding {
            code,
            severity: entry.severity,
            title: en.title.clone(),
            detail: String::new(),
            fix: en.fix.clone(),
            evidence: BTreeMap::new(),
            endpoint: None,
            detail_said: Vec::new(),
            fix_said: None,
        }
    }

    /// The finding is about `endpoint` (`host:port`): typed, and shown as its evidence.
    pub fn at_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        let endpoint = endpoint.into();
        self.evidence.insert("endpoint".into(), endpoint.clone());
        self.endpoint = Some(endpoint);
        self
    }

    /// The detail as plain English text (said in English in every language; prefer
    /// [`Finding::said`]).
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self.detail_said.clear();
        self
    }

    /// The detail as a message: `detail` is its English sentence, and renderers say it in the
    /// user's language.
    pub fn said(mut self, m: Message) -> Self {
        m.debug_check();
        self.detail = m.sentence(Lang::En);
        self.detail_said = vec![m];
        self
    }

    /// Add a sentence to the detail (its English text starts with its own separator).
    pub fn add_said(&mut self, m: Message) {
        m.debug_check();
        self.detail.push_str(&m.sentence(Lang::En));
        self.detail_said.push(m);
    }

    /// Replace the catalogue's generic fix by one specific to this case (plain English text;
    /// prefer [`Finding::fix_said`]).
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self.fix_said = None;
        self
    }

    /// Replace the catalogue's generic fix by one specific to this case, as a message.
    pub fn fix_said(mut self, m: Message) -> Self {
        m.debug_check();
        self.fix = m.sentence(Lang::En);
        self.fix_said = Some(m);
        self
    }

    /// The detail in `lang`: the messages it was said with, or the English text when it was
    /// written as text (or changed since, so that a translation never says something else).
    pub fn detail_in(&self, lang: Lang) -> String {
        if lang == Lang::En || self.detail_said.is_empty() {
            return self.detail.clone();
        }
        let en: String = self.detail_said.iter().map(|m| m.sentence(Lang::En)).collect();
        if en != self.detail {
            return self.detail.clone();
        }
        self.detail_said.iter().map(|m| m.sentence(lang)).collect()
    }

    /// The fix in `lang`: the catalogue's generic fix in that language, the case-specific
    /// message in that language, or the English text when it was written as text.
    pub fn fix_in(&self, lang: Lang) -> String {
        let entry = catalogue().entry(self.code);
        if self.fix == entry.en.fix {
            return entry.text(lang).fix.clone();
        }
        match &self.fix_said {
            Some(m) if lang != Lang::En && m.sentence(Lang::En) == self.fix => m.sentence(lang),
            _ => self.fix.clone(),
        }
    }

    pub fn evidence(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        debug_assert!(key != "endpoint", "use Finding::at_endpoint: logic reads the endpoint typed");
        self.evidence.insert(key, value.into());
        self
    }

    /// Override the catalogue severity (e.g. an expiry that is a warning 20 days ahead and
    /// an error once passed).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// The exit status of every report, from its findings: 0 none worse than info, 1 warnings
/// only, 2 errors. Every command's status comes from here; a failing verdict always carries an
/// error finding (the `connection-fails` safety net), so it is always 2. (3 is reserved for
/// "the tool itself could not run", decided at the CLI edge.)
pub fn exit_code(findings: &[Finding]) -> i32 {
    exit_code_unsure(findings, None)
}

/// [`exit_code`] for a report that could not check everything it was asked to, with no
/// finding to say so: `unsure` counts as a finding of that severity. `explain` on a text it
/// recognises nothing in (a warning: nothing wrong was shown, nothing right either); `fleet`
/// with a line that could not even be probed (an error).
pub fn exit_code_unsure(findings: &[Finding], unsure: Option<Severity>) -> i32 {
    match findings.iter().map(|f| f.severity).chain(unsure).max() {
        Some(Severity::Error) => 2,
        Some(Severity::Warning) => 1,
        _ => 0,
    }
}

/// Catalogue languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
    Ja,
}

impl Lang {
    /// Parse `en`, `zh`, `ja`, or a POSIX locale such as `ja_JP.UTF-8` / `zh_CN`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let head = s.split(['_', '.', '-', '@']).next().unwrap_or("");
        match head {
            "en" | "c" | "posix" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

}

/// Catalogue texts in one language.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Texts {
    pub title: String,
    /// What it means and why the connection fails.
    pub explanation: String,
    /// How to fix it: which parameter, file or command.
    pub fix: String,
}

/// One catalogue entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Entry {
    pub code: String,
    pub severity: Severity,
    /// PostgreSQL documentation sections, by name (and URL path where useful).
    #[serde(default)]
    pub docs: Vec<String>,
    pub en: Texts,
    pub zh: Texts,
    pub ja: Texts,
}

impl Entry {
    pub fn text(&self, lang: Lang) -> &Texts {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
            Lang::Ja => &self.ja,
        }
    }
}

#[derive(Deserialize)]
struct CatalogueFile {
    finding: Vec<Entry>,
}

/// All catalogue entries, in file order, keyed by code.
pub struct Catalogue {
    entries: Vec<Entry>,
    by_code: BTreeMap<String, usize>,
}

impl Catalogue {
    pub fn get(&self, code: &str) -> Option<&Entry> {
        self.by_code.get(code).map(|&i| &self.entries[i])
    }

    /// The entry of a typed code (present for every code: see `codes_match_the_catalogue`).
    pub fn entry(&self, code: Code) -> &Entry {
        self.get(code.as_str()).unwrap_or_else(|| panic!("finding code {code} is not in catalogue.toml"))
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

const CATALOGUE_TOML: &str = include_str!("catalogue.toml");

/// The built-in catalogue (parsed once).
pub fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| {
        let file: CatalogueFile =
            toml::from_str(CATALOGUE_TOML).expect("catalogue.toml is valid (checked by tests)");
        let by_code = file
            .finding
            .iter()
            .enumerate()
            .map(|(i, e)| (e.code.clone(), i))
            .collect();
        Catalogue { entries: file.finding, by_code }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_codes_are_unique_kebab_case() {
        let file: CatalogueFile = toml::from_str(CATALOGUE_TOML).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for e in &file.finding {
            assert!(seen.insert(e.code.clone()), "duplicate code {}", e.code);
            assert!(
                e.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !e.code.starts_with('-')
                    && !e.code.ends_with('-'),
                "code {:?} is not kebab-case",
                e.code
            );
            for lang in [Lang::En, Lang::Zh, Lang::Ja] {
                let t = e.text(lang);
                assert!(!t.title.trim().is_empty(), "{} {:?} title empty", e.code, lang);
                assert!(!t.explanation.trim().is_empty(), "{} {:?} explanation empty", e.code, lang);
                assert!(!t.fix.trim().is_empty(), "{} {:?} fix empty", e.code, lang);
            }
        }
    }

    /// The typed codes and the catalogue hold the same codes in the same order.
    #[test]
    fn codes_match_the_catalogue() {
        let catalogued: Vec<&str> = catalogue().entries().iter().map(|e| e.code.as_str()).collect();
        let typed: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(typed, catalogued, "findings/code.rs and catalogue.toml disagree");
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(*c));
        }
    }

    /// `codes.txt` (the public code list, a review aid) and `docs/findings.md` are generated from
    /// the catalogue. `PGTLS_BLESS=1 cargo test --lib generated_files` rewrites them.
    #[test]
    fn generated_files_are_current() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, want) in [("src/findings/codes.txt", generated::codes_txt()), ("../../docs/findings.md", generated::findings_md())] {
            let p = root.join(path);
            if std::env::var_os("PGTLS_BLESS").is_some() {
                std::fs::write(&p, &want).unwrap();
            }
            let have = std::fs::read_to_string(&p).unwrap_or_default();
            assert!(have == want, "{path} is out of date: run PGTLS_BLESS=1 cargo test --lib generated_files");
        }
    }

    #[test]
    fn lang_from_locale_names() {
        assert_eq!(Lang::parse("ja_JP.UTF-8"), Some(Lang::Ja));
        assert_eq!(Lang::parse("zh_CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("de_DE"), None);
    }

    #[test]
    fn exit_codes_follow_worst_severity() {
        let w = Finding::new(Code::ServerSslOff).severity(Severity::Warning);
        let e = Finding::new(Code::ServerSslOff);
        assert_eq!(exit_code(&[]), 0);
        assert_eq!(exit_code(std::slice::from_ref(&w)), 1);
        assert_eq!(exit_code(&[w.clone(), e]), 2);
        assert_eq!(exit_code_unsure(&[], Some(Severity::Warning)), 1);
        assert_eq!(exit_code_unsure(std::slice::from_ref(&w), Some(Severity::Error)), 2);
        assert_eq!(exit_code_unsure(&[], Some(Severity::Info)), 0);
    }
}
