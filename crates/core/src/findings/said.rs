//! What a check said in a finding's detail or case-specific fix, kept language-neutral: a
//! template key from `details.toml` and its named arguments. The English `detail` / `fix`
//! strings (and so the JSON) are rendered from the same English template, so the sentence a
//! check writes and its translations cannot drift apart; renderers ask [`Message::sentence`]
//! for the user's language.
//!
//! An argument is either a fact that stays as written in every language (a name, path, host,
//! number, libpq's or the server's own words) or another message (a phrase that is itself
//! translated, such as "then connects without encryption").
//!
//! Checks build messages with [`say!`](crate::say): `say!("server-ssl-off.refused", endpoint = e)`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Lang;

/// One thing a check said: a key of `details.toml` and its arguments, in the template's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// One argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A fact shown as written in every language.
    Fact(String),
    /// A phrase said in the user's language too.
    Said(Message),
    /// A finding code's catalogue title, in the user's language.
    Title(super::Code),
    /// A sentence the caller says in every language itself: data outside `details.toml` (a
    /// recogniser's own sentence, its placeholders filled with what the text stated).
    Own(Template),
}

/// What can be an argument: any displayable fact, or a message.
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl<T: fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Fact(self.to_string())
    }
}

impl IntoArg for Arg {
    fn into_arg(self) -> Arg {
        self
    }
}

impl IntoArg for Message {
    fn into_arg(self) -> Arg {
        Arg::Said(self)
    }
}

impl IntoArg for Template {
    fn into_arg(self) -> Arg {
        Arg::Own(self)
    }
}

impl Message {
    pub fn new(key: &'static str) -> Message {
        Message { key, args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl IntoArg) -> Message {
        self.args.push((name, value.into_arg()));
        self
    }

    /// The sentence in `lang`: the key's template with every `{name}` replaced by its argument.
    /// A key or argument missing from `details.toml` renders as the bare key / placeholder (the
    /// tests keep both from happening; see `every_message_a_check_says_has_its_templates`).
    pub fn sentence(&self, lang: Lang) -> String {
        let Some(t) = templates().get(self.key) else { return self.key.to_string() };
        let mut out = String::new();
        fill(t.text(lang), &mut out, |name, out| match self.args.iter().find(|(n, _)| *n == name) {
            Some((_, Arg::Fact(s))) => out.push_str(s),
            Some((_, Arg::Said(m))) => out.push_str(&m.sentence(lang)),
            Some((_, Arg::Title(c))) => out.push_str(&super::catalogue().entry(*c).text(lang).title),
            Some((_, Arg::Own(t))) => out.push_str(t.text(lang)),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        });
        out
    }

    /// Panics (in tests and debug builds) when the key has no templates or the arguments differ
    /// from the template's placeholders, for this message and those inside it.
    pub(crate) fn debug_check(&self) {
        if cfg!(debug_assertions) {
            let t = templates().get(self.key).unwrap_or_else(|| panic!("{:?} is not in findings/details.toml", self.key));
            let given: BTreeSet<&str> = self.args.iter().map(|(n, _)| *n).collect();
            assert_eq!(given, placeholders(&t.en), "arguments of {:?} differ from its template's placeholders", self.key);
            for (_, a) in &self.args {
                if let Arg::Said(m) = a {
                    m.debug_check();
                }
            }
        }
    }
}

impl Message {
    /// The message, among the templates whose key starts with `prefix`, whose English says
    /// `text`, with what stands in its placeholders taken as facts (or as the messages of the
    /// same kind that say them). For words kept as English
    /// text in facts and JSON (a config reader's or the scanner's notes), so that they are said
    /// in the user's language, also when replayed; `None` when no template says them.
    pub fn from_english(prefix: &str, text: &str) -> Option<Message> {
        let t = templates();
        // Of several templates that say it, the one with the most words of its own.
        let (key, args) = t
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter_map(|(key, template)| Some((key, english_args(&template.en, text)?)))
            .min_by_key(|(_, args)| args.iter().map(|(_, v)| v.len()).sum::<usize>())?;
        {
            // A fact that another template of the same kind says is that message (a fix's
            // `{root_where}`); each is shorter than the text, so this ends.
            let arg = |v: String| match Message::from_english(prefix, &v) {
                Some(m) if v.len() < text.len() => Arg::Said(m),
                _ => Arg::Fact(v),
            };
            Some(Message { key: key.as_str(), args: args.into_iter().map(|(n, v)| (n, arg(v))).collect() })
        }
    }
}

/// What stands in each placeholder when `text` is `template` filled in (the shortest match
/// before each literal), or `None`.
fn english_args(template: &'static str, text: &str) -> Option<Vec<(&'static str, String)>> {
    let mut args: Vec<(&'static str, String)> = Vec::new();
    let mut rest = text;
    let mut pending: Option<&'static str> = None;
    let mut take = |literal: &str, rest: &mut &str, pending: &mut Option<&'static str>| -> Option<()> {
        match pending.take() {
            None => *rest = rest.strip_prefix(literal)?,
            Some(name) => {
                let at = if literal.is_empty() { rest.len() } else { rest.find(literal)? };
                if !args.iter().any(|(n, _)| *n == name) {
                    args.push((name, rest[..at].to_string()));
                }
                *rest = &rest[at + literal.len()..];
            }
        }
        Some(())
    };
    let mut t = template;
    while let Some(open) = t.find('{') {
        let after = &t[open + 1..];
        match after.find('}').filter(|&close| is_name(&after[..close])) {
            Some(close) => {
                take(&t[..open], &mut rest, &mut pending)?;
                pending = Some(&after[..close]);
                t = &after[close + 1..];
            }
            None => return None,
        }
    }
    take(t, &mut rest, &mut pending)?;
    rest.is_empty().then_some(args)
}

/// A message: `say!("key", name = value, …)`; a value is a fact (anything `Display`) or
/// another message.
#[macro_export]
macro_rules! say {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::findings::Message::new($key)$(.arg(stringify!($name), $value))*
    };
}

/// One text in every language: a key's templates in `details.toml`, or a sentence said
/// outside it (see [`Arg::Own`]) — with placeholders, or filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub en: String,
    pub zh: String,
    pub ja: String,
}

impl Template {
    /// This text with each `{name}` of `args` replaced by its value, in every language (one
    /// pass: a value is never read for placeholders); other placeholders are left as written.
    pub fn with(&self, args: &[(&str, &str)]) -> Template {
        let one = |t: &str| {
            let mut out = String::new();
            fill(t, &mut out, |name, out| match args.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => out.push_str(v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            });
            out
        };
        Template { en: one(&self.en), zh: one(&self.zh), ja: one(&self.ja) }
    }

    /// This text followed by `next`, as sentences: a space between them in English, none in
    /// Chinese and Japanese (whose sentences end in "。").
    pub fn then(&self, next: &Template) -> Template {
        Template {
            en: format!("{} {}", self.en, next.en),
            zh: format!("{}{}", self.zh, next.zh),
            ja: format!("{}{}", self.ja, next.ja),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
            Lang::Ja => &self.ja,
        }
    }
}

const DETAILS_TOML: &str = include_str!("details.toml");
/// What pgtls says when a command cannot run (the errors' `said()`), in the same form.
const ERRORS_TOML: &str = include_str!("errors.toml");

/// Every template, by key (parsed once): the findings' `details.toml` and the errors'
/// `errors.toml` (no key in both, see `the_two_files_share_no_key`).
pub fn templates() -> &'static BTreeMap<String, Template> {
    static T: OnceLock<BTreeMap<String, Template>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: BTreeMap<String, Template> = toml::from_str(DETAILS_TOML).expect("details.toml is valid (checked by tests)");
        let errors: BTreeMap<String, Template> = toml::from_str(ERRORS_TOML).expect("errors.toml is valid (checked by tests)");
        t.extend(errors);
        t
    })
}

/// `template` with each `{name}` handed to `arg`; other text, and braces that do not enclose a
/// name, copied.
fn fill(template: &str, out: &mut String, mut arg: impl FnMut(&str, &mut String)) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').filter(|&close| is_name(&after[..close])) {
            Some(close) => {
                arg(&after[..close], out);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The `{name}`s of a template.
pub fn placeholders(template: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}').filter(|&close| is_name(&after[..close])) {
            Some(close) => {
                names.insert(&after[..close]);
                rest = &after[close + 1..];
            }
            None => rest = after,
        }
    }
    names
}

/// `text` without its quoted spans ("…", “…”, 「…」, `…`, '…'): what is left is the words
/// pgtls says itself, not the messages, names and commands it quotes. The language tests look for
/// leftover English there.
pub fn outside_quotes(text: &str) -> String {
    let mut s = text.to_string();
    for (open, close) in [('"', '"'), ('“', '”'), ('「', '」'), ('`', '`'), ('\'', '\'')] {
        let mut out = String::new();
        let mut inside = false;
        for c in s.chars() {
            if !inside && c == open {
                inside = true;
            } else if inside && c == close {
                inside = false;
            } else if !inside {
                out.push(c);
            }
        }
        s = out;
    }
    s
}

/// Names kept as written in every language.
const NAMES: &[&str] = &[
    "libpq", "psql", "pgtls", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslcrldir", "sslnegotiation",
    "hostaddr", "dbname", "trust", "cert", "postgres", "postgresql", "PostgreSQL", "OpenSSL", "SSLRequest",
    "PgBouncer", "Kong", "Azure", "Java", "JDBC", "Windows", "Unix", "openssl", "chmod", "chown", "chgrp", "root",
    "require", "prefer", "allow", "disable", "hostssl", "hostnossl", "hostgssenc", "clientcert", "subjectAltName",
    "reject", "local", "cacerts", "sslfactory", "sslhostnameverifier", "sslpassword", "pgmoon", "pgconn", "false", "Require", "SELECT", "SHOW", "RELOAD", "HAProxy", "nginx", "stream", "stunnel", "Traefik", "Envoy", "rustls", "kong", "pgbouncer",
    // Client libraries, poolers and languages the recognisers name.
    "webpki", "sqlx", "Npgsql", "Postgrex", "Supavisor", "Prisma", "Odyssey", "Erlang",
    // Systems an error names (where a file is, whose variable a value comes from).
    "Debian", "Kubernetes", "Unicode",
];
const SHORT: &[&str] = &["the", "and", "not", "from", "with", "to", "of", "by", "for", "is", "no", "yes", "but", "or", "it", "in", "at"];

/// Product names of several words.
const PRODUCTS: &[&str] = &["Azure Database for PostgreSQL"];

/// The English words left in a Chinese or Japanese text: with placeholders taken out, the ASCII
/// words of four letters or more (or short English function words) outside quotes, other than
/// names that stay as they are (settings, programs, protocol names, identifiers). What the
/// language tests of every crate that holds translations ask.
pub fn english_words(text: &str) -> Vec<String> {
    let mut s = String::new();
    fill(text, &mut s, |_, o| o.push(' '));
    for p in PRODUCTS {
        s = s.replace(p, " ");
    }
    // Quoted spans are messages and names, not pgtls's sentences.
    let s = outside_quotes(&s);
    let is_token = |c: char| c.is_ascii_alphanumeric() || "-_./=:@+#<>".contains(c);
    let mut found = Vec::new();
    for token in s.split(|c: char| !is_token(c)).filter(|t| !t.is_empty()) {
        let token = token.trim_end_matches([':', '.', ',']);
        if token.chars().any(|c| c.is_ascii_digit() || "-_./=@+#:<>".contains(c)) || NAMES.contains(&token) {
            continue;
        }
        let letters = token.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let acronym = token.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        // A program's identifier (NonValidatingFactory, ssl_ca_file is caught above).
        let identifier = token.chars().skip(1).any(|c| c.is_ascii_uppercase()) && !acronym;
        if identifier {
            continue;
        }
        if (letters >= 4 && !acronym) || SHORT.contains(&token) {
            found.push(token.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text kept as English in the facts (notes, client-stack checks and fixes, trust
    /// paths, store entries, hints) is found again from its English, with the same facts.
    #[test]
    fn notes_are_found_again_from_their_english() {
        for (key, t) in templates() {
            let Some(prefix) = ["note.", "stack.", "path.", "trust-label.", "hint."].into_iter().find(|p| key.starts_with(p)) else { continue };
            let mut m = Message::new(key.as_str());
            for (i, name) in placeholders(&t.en).into_iter().enumerate() {
                m = m.arg(name, format!("fact{i}"));
            }
            let en = m.sentence(Lang::En);
            let again = Message::from_english(prefix, &en).unwrap_or_else(|| panic!("{key}: not found from {en:?}"));
            assert_eq!((again.key, again.sentence(Lang::Zh)), (key.as_str(), m.sentence(Lang::Zh)), "{en}");
        }
        assert!(Message::from_english("note.", "words no template says").is_none());
    }

    #[test]
    fn templates_have_the_same_placeholders_in_every_language() {
        for (key, t) in templates() {
            assert!(!t.en.is_empty() && !t.zh.is_empty() && !t.ja.is_empty(), "{key}: a text is empty");
            let en = placeholders(&t.en);
            assert_eq!(placeholders(&t.zh), en, "{key}: zh placeholders differ from en");
            assert_eq!(placeholders(&t.ja), en, "{key}: ja placeholders differ from en");
        }
    }

    #[test]
    fn a_message_renders_its_facts_as_written_and_its_phrases_translated() {
        let m = say!("server-ssl-off.refused", endpoint = "db:5432 {x}");
        assert_eq!(m.sentence(Lang::En), "db:5432 {x} answered the SSLRequest with 'N': it will not speak TLS.");
        assert!(m.sentence(Lang::Ja).starts_with("db:5432 {x} "));
        let mut out = String::new();
        fill("a {b} {not a name} {", &mut out, |n, o| o.push_str(&n.to_uppercase()));
        assert_eq!(out, "a B {not a name} {");
    }

    #[test]
    fn the_two_files_share_no_key() {
        let details: BTreeMap<String, Template> = toml::from_str(DETAILS_TOML).unwrap();
        let errors: BTreeMap<String, Template> = toml::from_str(ERRORS_TOML).unwrap();
        let both: Vec<&String> = errors.keys().filter(|k| details.contains_key(*k)).collect();
        assert!(both.is_empty(), "in details.toml and errors.toml: {both:?}");
        assert!(errors.keys().all(|k| k.starts_with("error.")), "errors.toml keys start with \"error.\"");
    }

    /// Every `say!("key"` in the workspace's source (the core's checks, and the errors of every
    /// crate) has templates, and every template is said somewhere (so the files hold no dead
    /// or misspelled keys).
    #[test]
    fn every_message_a_check_says_has_its_templates() {
        let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        let mut stack: Vec<std::path::PathBuf> =
            ["src", "../gather/src", "../text/src", "../pgtls/src", "../../src"].iter().map(|d| here.join(d)).filter(|d| d.is_dir()).collect();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("said.rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    for piece in text.split("say!(").skip(1) {
                        if let Some(key) = piece.trim_start().strip_prefix('"') {
                            used.insert(key.split('"').next().unwrap().to_string());
                        }
                    }
                }
            }
        }
        let have: BTreeSet<String> = templates().keys().cloned().collect();
        let missing: Vec<_> = used.difference(&have).collect();
        // What a failed step was doing is found from its English (`RunError::Io`'s `what`,
        // checked by pgtls's `every_io_what_has_its_words`), not said by key.
        let unused: Vec<_> = have.difference(&used).filter(|k| !k.starts_with("error.doing.")).collect();
        assert!(missing.is_empty(), "said but not in details.toml: {missing:?}");
        assert!(unused.is_empty(), "in details.toml but said nowhere: {unused:?}");
    }

    /// The zh and ja templates hold no English sentence: with placeholders taken out, no
    /// ASCII word of four letters or more (or a short English function word) is left outside
    /// quotes, other than names that stay as they are (settings, programs, protocol names).
    #[test]
    fn zh_and_ja_templates_are_not_english() {
        let mut problems = Vec::new();
        for (key, t) in templates() {
            for lang in [Lang::Zh, Lang::Ja] {
                let words = english_words(t.text(lang));
                if !words.is_empty() {
                    problems.push(format!("{key} ({lang:?}): {words:?} in {:?}", t.text(lang)));
                }
            }
        }
        assert!(problems.is_empty(), "English left in translations:\n{}", problems.join("\n"));
    }

    #[test]
    fn the_check_finds_english() {
        assert_eq!(english_words("{endpoint} answered the SSLRequest with 'N'"), ["answered", "the", "with"]);
        assert!(english_words("{endpoint} 对 SSLRequest 的应答是 'N'：它不使用 TLS。").is_empty());
    }
}
