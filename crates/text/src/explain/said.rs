//! What the recognisers say themselves, in English, Chinese and Japanese: each pattern's
//! `detail` (what the message means, with the facts it states) and `tell_apart` (what tells
//! its causes apart), and the few sentences the matcher makes up itself (`said.toml`).
//!
//! Why the translations sit next to the English in the pattern files (`detail_zh`,
//! `detail_ja`, `tell_apart_zh`, `tell_apart_ja`) rather than in a catalogue keyed by an id:
//! a pattern has no stable name of its own (it is its message, its code and its place in
//! priority order), an id would be one more thing to keep in step, and whoever changes the
//! English sentence sees the two translations right under it and changes them in the same
//! edit. Loading checks that both are there and hold the same placeholders as the English
//! (`pattern_said`), so a pattern cannot say in one language what it does not say in another.
//!
//! The sentences travel as [`Template`]s (the core's text in every language), filled with the
//! message's facts: `checks::text` makes them the finding's detail, which is English in
//! `detail` and JSON and the user's language in `Finding::detail_in`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::findings::Template;

/// One pattern's sentence in the three languages, as written in its file, or why it is not
/// complete (which field is missing, which placeholders differ).
pub(crate) fn pattern_said(field: &str, en: Option<&String>, zh: Option<&String>, ja: Option<&String>) -> Result<Option<Template>, String> {
    let Some(en) = en else {
        return match (zh, ja) {
            (None, None) => Ok(None),
            _ => Err(format!("{field}_zh / {field}_ja without an English {field}")),
        };
    };
    let (Some(zh), Some(ja)) = (zh, ja) else {
        return Err(format!("{field} needs {field}_zh and {field}_ja (the recognisers speak every language)"));
    };
    let t = Template { en: en.clone(), zh: zh.clone(), ja: ja.clone() };
    same_placeholders(&t).map_err(|e| format!("{field}: {e}"))?;
    Ok(Some(t))
}

/// Every language's text holds the same `{name}`s as the English.
pub(crate) fn same_placeholders(t: &Template) -> Result<(), String> {
    use crate::findings::placeholders;
    let en = placeholders(&t.en);
    for (lang, text) in [("zh", &t.zh), ("ja", &t.ja)] {
        let other = placeholders(text);
        if other != en {
            return Err(format!("{lang} placeholders {other:?} differ from the English {en:?}"));
        }
    }
    Ok(())
}

/// `template` in every language with each `{fact}` replaced by its value; `None` when a
/// placeholder is left (a fact the message did not state), so the caller says something else.
/// The English is what `explain` always printed (replacement in fact order), so JSON stays as
/// it was.
pub(crate) fn filled(template: &Template, facts: &BTreeMap<String, String>) -> Option<Template> {
    let one = |t: &str| {
        let mut out = t.to_string();
        for (k, v) in facts {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        (!out.contains('{')).then_some(out)
    };
    Some(Template { en: one(&template.en)?, zh: one(&template.zh)?, ja: one(&template.ja)? })
}

const SAID_TOML: &str = include_str!("said.toml");

/// The matcher's own sentences, by key (`said.toml`).
fn own() -> &'static BTreeMap<String, Template> {
    static T: OnceLock<BTreeMap<String, Template>> = OnceLock::new();
    T.get_or_init(|| toml::from_str(SAID_TOML).expect("said.toml is valid (checked by tests)"))
}

/// One of the matcher's own sentences, with its `{name}`s filled from `args` (the keys are
/// checked by `own_sentences_are_complete_and_used`).
pub(crate) fn say(key: &str, args: &[(&str, &str)]) -> Template {
    own().get(key).map(|t| t.with(args)).unwrap_or_else(|| Template { en: key.into(), zh: key.into(), ja: key.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{english_words, placeholders};

    /// Every pattern with an English `detail` or `tell_apart` has it in Chinese and Japanese,
    /// with the same placeholders (all problems at once, by file and pattern).
    #[test]
    fn every_pattern_says_its_sentences_in_every_language() {
        let mut problems = Vec::new();
        let mut count = 0;
        for (file, pf) in super::super::pattern_specs().unwrap() {
            for (i, p) in pf.pattern.iter().enumerate() {
                for (field, en, zh, ja) in [
                    ("detail", &p.detail, &p.detail_zh, &p.detail_ja),
                    ("tell_apart", &p.tell_apart, &p.tell_apart_zh, &p.tell_apart_ja),
                ] {
                    match pattern_said(field, en.as_ref(), zh.as_ref(), ja.as_ref()) {
                        Ok(Some(_)) => count += 1,
                        Ok(None) => {}
                        Err(e) => problems.push(format!("{file} #{i} ({}): {e}", p.code)),
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{} sentences not said in every language:\n{}", problems.len(), problems.join("\n"));
        assert!(count > 150, "{count}");
    }

    /// The Chinese and Japanese sentences are not English: outside quotes and names, no English
    /// word is left (the same check as the core's templates, `findings::english_words`).
    #[test]
    fn zh_and_ja_sentences_are_not_english() {
        let mut problems = Vec::new();
        let mut check = |what: String, t: &Template| {
            for (lang, text) in [("zh", &t.zh), ("ja", &t.ja)] {
                let words = english_words(text);
                if !words.is_empty() {
                    problems.push(format!("{what} ({lang}): {words:?} in {text:?}"));
                }
            }
        };
        for (file, pf) in super::super::pattern_specs().unwrap() {
            for (i, p) in pf.pattern.iter().enumerate() {
                for (field, en, zh, ja) in [
                    ("detail", &p.detail, &p.detail_zh, &p.detail_ja),
                    ("tell_apart", &p.tell_apart, &p.tell_apart_zh, &p.tell_apart_ja),
                ] {
                    if let Ok(Some(t)) = pattern_said(field, en.as_ref(), zh.as_ref(), ja.as_ref()) {
                        check(format!("{file} #{i} ({}) {field}", p.code), &t);
                    }
                }
            }
        }
        for (key, t) in own() {
            check(format!("said.toml {key}"), t);
        }
        assert!(problems.is_empty(), "English left in {} translations:\n{}", problems.len(), problems.join("\n"));
    }

    #[test]
    fn own_sentences_are_complete_and_used() {
        let source = [include_str!("mod.rs"), include_str!("vocabulary.rs")].concat();
        for (key, t) in own() {
            assert!(!t.en.is_empty() && !t.zh.is_empty() && !t.ja.is_empty(), "{key}: a text is empty");
            same_placeholders(t).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert!(source.contains(&format!("say(\"{key}\"")), "{key} is said nowhere");
        }
        assert_eq!(placeholders(&say("recognised-message", &[("matched", "x")]).zh), Default::default());
    }

    #[test]
    fn filling_keeps_the_english_and_gives_up_on_a_missing_fact() {
        let t = Template { en: "TLS {a} to {b}.".into(), zh: "TLS {a} 至 {b}。".into(), ja: "TLS {a}〜{b}。".into() };
        let facts: BTreeMap<String, String> = [("a".to_string(), "1.2".to_string()), ("b".to_string(), "1.3".to_string())].into();
        let f = filled(&t, &facts).unwrap();
        assert_eq!((f.en.as_str(), f.zh.as_str(), f.ja.as_str()), ("TLS 1.2 to 1.3.", "TLS 1.2 至 1.3。", "TLS 1.2〜1.3。"));
        assert_eq!(filled(&t, &BTreeMap::new()), None);
    }
}
