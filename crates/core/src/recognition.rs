//! What the text side recognised, as values: a message read in pasted text or a log line
//! (`Recognition`), and a code's occurrences over a whole log (`Occurrences`).
//!
//! Why in the core: the recognisers (`pgtls-text`) read words and know nothing of findings;
//! they say which code a text is and what it states. Turning that into a finding — its
//! severity, its detail with the other possible causes by their catalogue titles, its
//! evidence — is judging, done by one check (`checks::text`), like every other finding.
//!
//! The recognisers' own sentences (what a message says, what tells its causes apart) are data
//! of the text side in English, Chinese and Japanese; a recognition carries them in every
//! language ([`Template`], filled in), and the finding says them with `findings::Arg::Own`, so
//! `Finding::detail_in` speaks the user's language while `detail` (and JSON) stays English.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::findings::{Code, Severity, Template};

/// One recognised message (with its DETAIL/HINT follow-up lines and exception chain folded in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub code: Code,
    /// Other codes the same text can mean (the message alone does not decide), most likely
    /// first; empty when the text has one cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Code>,
    /// What tells the primary cause and the `also` causes apart, in every language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tell_apart: Option<Template>,
    /// The message only describes a symptom (a handshake failed, a connection closed): any
    /// recognised cause in the same text ranks first.
    #[serde(default)]
    pub symptom: bool,
    /// The severity the pattern gives the message, when not the catalogue's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// What the message says, in a sentence in every language (the pattern's, with the facts
    /// filled in); empty when recognised by words (`by_words`).
    pub detail: Template,
    /// Recognised by these words of the vocabulary tier rather than as a known message (empty:
    /// a pattern knew it); the finding then says so in the user's language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_words: Vec<String>,
    /// What the text states, by name (file, user, versions, host …), the matched text
    /// (`matched`), where the pattern comes from (`source`, `stack`), the language and the
    /// log line's own fields (`log_time`, `pid`, `client` …). For display: no logic reads them
    /// but the recognisers while folding lines together.
    pub facts: BTreeMap<String, String>,
    /// 1-based line number in the text where the message starts.
    pub line: usize,
}

/// One code's occurrences in a scanned log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrences {
    pub code: Code,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// One line that said it.
    pub sample: String,
}
