//! The vocabulary tier of `explain` (issue 23): a message no exact pattern knows is recognised
//! by the words that name a cause in every stack and language — "certificate" with "expired",
//! "self-signed", "PKIX", "unknown issuer", "host name" with "does not match" … — rather than by
//! the sentence one stack happens to print. The term table is data,
//! `recognisers/vocabulary.toml`, with the vocabularies each family generalises.
//!
//! How a line is read: the text is normalised first (`super::normalise`, then identifiers split
//! into words — `CERT_HAS_EXPIRED`, `CertificateExpiredException`, `self-signed` and
//! `UnknownIssuer` become `cert has expired`, `certificate expired exception`, `self signed`,
//! `unknown issuer` — and lower case), every term is found with word boundaries (a term ending in
//! `*` is a prefix; ideographic scripts have no boundaries), and a family matches when every one
//! of its term groups has a term present and none of its `none` terms is.
//!
//! How a family is chosen: causes before symptoms; a family whose `beats` names another matching
//! family's code removes it; if matching families of more than one code are left, the tier
//! abstains (nothing recognised is better than a confident wrong cause). Exact patterns always
//! come first: `explain_text` asks this tier only about lines no pattern recognised as a cause,
//! its findings rank after every exact cause and before every symptom, and it never adds a
//! code the text already produced. The log scanner (`pgtls logs`) does not use this tier: it
//! counts known messages only and keeps its prefilter's speed.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

use crate::findings::Code;
use crate::recognition::Recognition;

const VOCABULARY_FILE: &str = "crates/text/src/explain/recognisers/vocabulary.toml";
const VOCABULARY_TOML: &str = include_str!("recognisers/vocabulary.toml");

/// Evidence key and value that mark a finding of this tier (`recognised_by = vocabulary`).
pub const RECOGNISED_BY: &str = "recognised_by";
pub const BY_VOCABULARY: &str = "vocabulary";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VocabularyFile {
    family: Vec<FamilySpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FamilySpec {
    /// A unique name (shown as evidence).
    name: String,
    code: String,
    /// Groups of terms: every group must have one of its terms in the message.
    all: Vec<Vec<String>>,
    /// Terms that veto the family.
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    also: Vec<String>,
    /// Codes this family outranks when both match one message.
    #[serde(default)]
    beats: Vec<String>,
    #[serde(default)]
    symptom: bool,
    /// The source vocabularies the family generalises (corpus files, pattern files).
    from: Vec<String>,
}

#[derive(Debug)]
struct Family {
    name: String,
    code: Code,
    all: Vec<Vec<usize>>,
    none: Vec<usize>,
    also: Vec<Code>,
    beats: Vec<Code>,
    symptom: bool,
}

#[derive(Debug)]
struct Term {
    text: String,
    /// `*` at the end: no boundary needed after it.
    prefix: bool,
}

/// The compiled term table.
#[derive(Debug)]
pub struct Vocabulary {
    families: Vec<Family>,
    terms: Vec<Term>,
    automaton: AhoCorasick,
}

/// A message the vocabulary recognised: which family, and the terms that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyHit {
    pub code: Code,
    pub also: Vec<Code>,
    pub symptom: bool,
    pub family: String,
    pub terms: Vec<String>,
}

/// A problem in the vocabulary data (a bug in pgtls, caught by the tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabularyError(pub String);

/// The built-in vocabulary, compiled once.
pub fn vocabulary() -> Result<&'static Vocabulary, &'static VocabularyError> {
    static V: OnceLock<Result<Vocabulary, VocabularyError>> = OnceLock::new();
    V.get_or_init(|| Vocabulary::parse(VOCABULARY_TOML)).as_ref()
}

/// Whether `c` belongs to a script that separates words with spaces (so a term needs a word
/// boundary there): letters and digits below the CJK blocks.
fn spaced_word_char(c: char) -> bool {
    c.is_alphanumeric() && (c as u32) < 0x2E80
}

/// Lower case, with identifiers split into words: `_`, `-` and blanks become one space, a
/// lower-case letter or digit followed by a capital (`UnknownIssuer`, `Tls12Or13`) and a capital
/// run followed by a capitalised word (`SSLHandshake`) get a space.
pub fn words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if (prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower)) && !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

impl Vocabulary {
    fn parse(toml_text: &str) -> Result<Vocabulary, VocabularyError> {
        let file: VocabularyFile =
            toml::from_str(toml_text).map_err(|e| VocabularyError(format!("{VOCABULARY_FILE} is not valid TOML: {e}")))?;
        let mut terms: Vec<Term> = Vec::new();
        let mut intern = |t: &str, fam: &str| -> Result<usize, VocabularyError> {
            let prefix = t.ends_with('*');
            let text = t.trim_end_matches('*');
            if text.is_empty() || words(text) != text {
                return Err(VocabularyError(format!(
                    "family {fam}: term {t:?} must be written as it reads after normalising (lower case, words split by one space: {:?})",
                    words(text)
                )));
            }
            Ok(match terms.iter().position(|x| x.text == text && x.prefix == prefix) {
                Some(i) => i,
                None => {
                    terms.push(Term { text: text.to_string(), prefix });
                    terms.len() - 1
                }
            })
        };
        let code = |c: &str, fam: &str| Code::parse(c).ok_or_else(|| VocabularyError(format!("family {fam}: {c} is not in findings/catalogue.toml")));
        let mut families = Vec::new();
        let mut names = BTreeSet::new();
        for f in &file.family {
            if !names.insert(f.name.clone()) {
                return Err(VocabularyError(format!("family {} is named twice", f.name)));
            }
            if f.all.is_empty() || f.all.iter().any(Vec::is_empty) {
                return Err(VocabularyError(format!("family {}: `all` needs at least one non-empty group", f.name)));
            }
            if f.from.iter().all(|s| s.trim().is_empty()) {
                return Err(VocabularyError(format!("family {}: no `from`", f.name)));
            }
            let all = f.all.iter().map(|g| g.iter().map(|t| intern(t, &f.name)).collect::<Result<Vec<_>, _>>()).collect::<Result<Vec<_>, _>>()?;
            let none = f.none.iter().map(|t| intern(t, &f.name)).collect::<Result<Vec<_>, _>>()?;
            families.push(Family {
                name: f.name.clone(),
                code: code(&f.code, &f.name)?,
                all,
                none,
                also: f.also.iter().map(|c| code(c, &f.name)).collect::<Result<_, _>>()?,
                beats: f.beats.iter().map(|c| code(c, &f.name)).collect::<Result<_, _>>()?,
                symptom: f.symptom,
            });
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(terms.iter().map(|t| t.text.as_str()))
            .map_err(|e| VocabularyError(format!("could not build the term automaton: {e}")))?;
        Ok(Vocabulary { families, terms, automaton })
    }

    /// The terms present in `text` (already `words`-normalised), by index.
    fn terms_in(&self, text: &str) -> Vec<bool> {
        let mut present = vec![false; self.terms.len()];
        for m in self.automaton.find_overlapping_iter(text) {
            let id = m.pattern().as_usize();
            if present[id] {
                continue;
            }
            let term = &self.terms[id];
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let first = term.text.chars().next();
            let last = term.text.chars().next_back();
            let open = !(first.is_some_and(spaced_word_char) && before.is_some_and(spaced_word_char));
            let close = term.prefix || !(last.is_some_and(spaced_word_char) && after.is_some_and(spaced_word_char));
            if open && close {
                present[id] = true;
            }
        }
        present
    }

    /// A text cut off inside a term (a paste that stops mid-word, "… requires a valid client c"):
    /// the end of `text` is the first part of a term of several words that holds every word but
    /// the last whole and three letters of the last, and at least [`CUT_TERM_MIN_PERCENT`] of the
    /// term.
    /// Marks such terms present.
    fn cut_terms_at_end(&self, text: &str, present: &mut [bool]) {
        let tail = text.trim_end_matches(|c: char| !c.is_alphanumeric());
        for (id, term) in self.terms.iter().enumerate() {
            let Some(last_word) = term.text.rfind(' ') else { continue };
            if present[id] {
                continue;
            }
            // Three letters of the last word (all but one of a shorter one): "connection re" is
            // refused or reset.
            let begun = (last_word + 4).min(term.text.len() - 1);
            let min = (term.text.len() * CUT_TERM_MIN_PERCENT).div_ceil(100).max(begun);
            let cut = (min..term.text.len()).filter(|&k| term.text.is_char_boundary(k)).any(|k| {
                let part = &term.text[..k];
                tail.ends_with(part)
                    && !tail[..tail.len() - part.len()].chars().next_back().is_some_and(spaced_word_char)
            });
            if cut {
                present[id] = true;
            }
        }
    }

    /// The cause one message names by its vocabulary, or `None` when it names none or several
    /// that nothing ranks apart.
    pub fn recognise(&self, message: &str) -> Option<VocabularyHit> {
        self.recognise_with(message, false)
    }

    /// [`Vocabulary::recognise`] for the last line of a paste, which may have been cut off inside
    /// a term.
    pub fn recognise_last(&self, message: &str) -> Option<VocabularyHit> {
        self.recognise_with(message, true)
    }

    fn recognise_with(&self, message: &str, maybe_cut: bool) -> Option<VocabularyHit> {
        let normalised = super::normalise(message);
        let text = words(normalised.as_deref().unwrap_or(message));
        let present = self.terms_in(&text);
        // A term completed at a cut end counts for a family, never against one.
        let mut found = present.clone();
        if maybe_cut {
            self.cut_terms_at_end(&text, &mut found);
        }
        let matching: Vec<&Family> = self
            .families
            .iter()
            .filter(|f| f.all.iter().all(|g| g.iter().any(|&t| found[t])) && !f.none.iter().any(|&t| present[t]))
            .collect();
        // Causes before symptoms, then what another matching family outranks goes.
        let causes = matching.iter().any(|f| !f.symptom);
        let left: Vec<&Family> = matching
            .iter()
            .copied()
            .filter(|f| !(causes && f.symptom))
            .filter(|f| !matching.iter().any(|o| o.code != f.code && o.beats.contains(&f.code)))
            .collect();
        let first = left.first()?;
        if left.iter().any(|f| f.code != first.code) {
            return None;
        }
        let mut terms: Vec<String> = Vec::new();
        for g in &first.all {
            if let Some(&t) = g.iter().find(|&&t| found[t]) {
                terms.push(self.terms[t].text.clone());
            }
        }
        Some(VocabularyHit { code: first.code, also: first.also.clone(), symptom: first.symptom, family: first.name.clone(), terms })
    }

    /// How many families the table has (for docs and tests).
    pub fn len(&self) -> usize {
        self.families.len()
    }

    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }
}

/// How much of a term of several words a text cut off inside it must still hold.
pub const CUT_TERM_MIN_PERCENT: usize = 60;

/// What a message recognised by its vocabulary says: its terms (`by_words`; `checks::text`
/// says "recognised by its words" in the user's language), the facts name them too; the other
/// possible codes are told apart by `pgtls doctor`.
fn recognition(hit: &VocabularyHit, line: &str, n: usize) -> Recognition {
    let facts = [
        ("matched", line.trim().to_string()),
        (RECOGNISED_BY, BY_VOCABULARY.to_string()),
        ("vocabulary", hit.family.clone()),
        ("terms", hit.terms.join(", ")),
    ];
    Recognition {
        code: hit.code,
        also: hit.also.clone(),
        tell_apart: (!hit.also.is_empty()).then(|| super::said::say("doctor.tell-apart", &[])),
        symptom: hit.symptom,
        severity: None,
        detail: Default::default(),
        by_words: hit.terms.clone(),
        facts: facts.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        line: n,
    }
}

/// The hook `explain_text` calls once a text is read: each line no exact pattern recognised as
/// a cause (`lines`: text and 1-based number) is tried on the vocabulary, and what it names is
/// added unless the text already produced that code. The last of them may be a paste cut off
/// inside a term.
pub(crate) fn supplement(out: &mut Vec<Recognition>, lines: &[(String, usize)]) {
    let Ok(v) = vocabulary() else { return };
    for (i, (line, n)) in lines.iter().enumerate() {
        let hit = if i + 1 == lines.len() { v.recognise_last(line) } else { v.recognise(line) };
        let Some(hit) = hit else { continue };
        if out.iter().any(|r| r.code == hit.code) {
            continue;
        }
        out.push(recognition(&hit, line, *n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> Option<&'static str> {
        vocabulary().unwrap().recognise(text).map(|h| h.code.as_str())
    }

    #[test]
    fn the_table_loads() {
        let v = vocabulary().unwrap();
        assert!(v.len() >= 20, "{} families", v.len());
    }

    /// One new wording per family, in words no exact pattern holds: the cause is named.
    #[test]
    fn each_family_recognises_its_vocabulary() {
        for (text, want) in [
            ("DbError: the database's TLS cert is expired since Monday", "cert-expired"),
            ("verify error: X509_V_ERR_CERT_HAS_EXPIRED at depth 0", "cert-expired"),
            ("TlsError: CertificateExpiredException while connecting", "cert-expired"),
            ("Fehler: Das Zertifikat ist abgelaufen", "cert-expired"),
            ("サーバ証明書の有効期限が切れています", "cert-expired"),
            ("cert rejected: the certificate is outside its validity period", "cert-expired"),
            ("handshake: certificate not yet valid (check the clock)", "cert-not-yet-valid"),
            ("Error: CRL_HAS_EXPIRED while checking db", "crl-problem"),
            ("db: certificate was revoked by its CA", "cert-revoked"),
            ("connect failed: self-signed cert in chain (depth 1)", "server-cert-untrusted"),
            ("InvalidCertificate(UnknownIssuer) talking to db:5432", "server-cert-untrusted"),
            ("ssl: unable to get local issuer cert for db.example", "server-cert-untrusted"),
            ("PKIX validation of the server chain failed", "server-cert-untrusted"),
            ("La chaîne de certificats a été émise par une autorité qui n'est pas approuvée", "server-cert-untrusted"),
            ("certificate chain is incomplete: missing intermediate", "chain-incomplete"),
            ("sslrootcert file /app/ca.pem: no such file", "root-cert-missing"),
            ("TLS: host name db.internal does not match the certificate", "hostname-mismatch"),
            ("the SAN of the server cert is a mismatch for 10.0.0.5", "hostname-mismatch"),
            ("RemoteCertificateNameMismatch", "hostname-mismatch"),
            ("Database error: The Server Does Not Support SSL Connections!", "server-ssl-off"),
            ("TLS is not enabled on this Postgres server", "server-ssl-off"),
            ("hostssl requires SSL to be turned on", "server-ssl-off"),
            ("driver error: TLS support not compiled into this binary", "client-built-without-ssl"),
            ("rejected by pg_hba.conf: SSL off", "ssl-required-by-server"),
            ("FATAL: SSL/TLS required (SQLSTATE 28000)", "ssl-required-by-server"),
            ("pg_hba.conf has no entry for host 10.0.0.9", "login-refused"),
            ("TlsAlert(ProtocolVersion) from server", "protocol-version-mismatch"),
            ("tls: no cipher suite in common with the server", "cipher-mismatch"),
            ("handshake: no ALPN protocol agreed", "alpn-rejected"),
            ("proxy: SNI is required for this endpoint", "sni-required"),
            ("handshake error: peer sent no certificates", "client-cert-required"),
            ("WARN Sending fatal alert UnknownCA", "server-cert-untrusted"),
            ("LOG: could not accept SSL connection: tlsv1 alert unknown ca", "client-rejects-server-ca"),
            ("SSL error: tlsv1 alert unknown ca", "server-rejects-client-cert"),
            ("invalid value for parameter ssl_min_protocol_version: TLSv1.9", "ssl-protocol-range-invalid"),
            ("key file ./client.key: bad permissions 0644, want 0600", "client-key-permissions"),
            ("bad decrypt while loading client.key", "key-passphrase"),
            ("could not load client.crt: PEM: no start line", "cert-or-key-format"),
            ("ERR: ee key too small (1024 bits)", "cert-too-weak"),
            ("FATAL: Ident authentication failed for user \"app\"", "login-refused"),
            ("FATAL: certificate authentication failed for user app", "client-cert-user-mismatch"),
            ("read: unexpected EOF from the TLS stream", "unexpected-eof"),
            ("dial tcp 10.0.0.5:5432: i/o timeout", "network-timeout"),
            ("connect ECONNREFUSED 127.0.0.1:5432", "tcp-connect-failed"),
        ] {
            assert_eq!(code(text), Some(want), "{text}");
        }
    }

    /// Two causes' words in one message and nothing ranking one first: no finding. A family's
    /// `beats` decides where the words do (the alert about an expired certificate is the
    /// server's verdict on the client's).
    #[test]
    fn abstains_when_two_causes_are_named() {
        for text in [
            "certificate has expired and the host name does not match",
            "self-signed certificate; also the certificate has expired",
            "unable to get local issuer certificate, hostname mismatch",
        ] {
            assert_eq!(code(text), None, "{text}");
        }
        assert_eq!(code("ssl error: sslv3 alert certificate expired"), Some("server-rejects-client-cert"));
        assert_eq!(code("server does not support SSL, but SSL was required"), Some("server-ssl-off"));
        assert_eq!(code("Certificate has expired. CRL has expired too"), Some("crl-problem"));
        // A cause beats a symptom in one message.
        assert_eq!(code("connection reset by peer after: certificate has expired"), Some("cert-expired"));
    }

    /// Words that only look like a cause: settings, questions, other protocols, other
    /// timeouts, the client's own alert.
    #[test]
    fn ordinary_text_gives_nothing() {
        for text in [
            "certificate expires in 12 days",
            "Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.",
            "DETAIL: Password does not match for user \"app\"",
            "unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0",
            "ERROR: canceling statement due to statement timeout",
            "User clicked Connection Reset in the settings dialog",
            "sslmode=require host=db.example.com",
            "How do I enable SSL on my server?",
            "FATAL: no pg_hba.conf entry for host \"10.0.0.5\", user \"app\", database \"db\", GSS encryption",
            "timeout expires after 30s of inactivity",
            "certification exam expired voucher",
            "{\"Type\":\"SSLRequest\",\"ProtocolVersion\":0}",
        ] {
            assert_eq!(code(text), None, "{text}");
        }
    }

    /// A paste cut off inside a term of several words still names it when most of the term is
    /// there; a cut inside the first word, or a short stub, does not.
    #[test]
    fn a_text_cut_inside_a_term() {
        let v = vocabulary().unwrap();
        let last = |t: &str| v.recognise_last(t).map(|h| h.code.as_str());
        assert_eq!(last("FATAL:  connection requires a valid client cer"), Some("client-cert-required"));
        assert_eq!(last("FATAL:  connection requires a valid client c"), None, "three letters of the last word");
        assert_eq!(last("\"SSL error: unexpected eo\""), Some("unexpected-eof"));
        assert_eq!(last("x509: certificate signed by unknown auth"), Some("server-cert-untrusted"));
        assert_eq!(last("error: connection ref"), Some("tcp-connect-failed"));
        assert_eq!(v.recognise("FATAL:  connection requires a valid client cer"), None, "only the last line may be cut");
        assert_eq!(last("error: connection re"), None);
        assert_eq!(last("could not accept SSL connectio"), None, "the last word must be begun");
        assert_eq!(last("the certificate has expi"), Some("cert-expired"));
        assert_eq!(last("the certificate expi"), None, "one-word terms are not completed");
        assert_eq!(last("SSL error: unexpe"), None, "inside the first word");
    }

    /// Term boundaries: a term inside a longer word does not count, a `*` term is a prefix, and
    /// ideographic terms need no boundary.
    #[test]
    fn terms_respect_word_boundaries() {
        assert_eq!(code("the certs have expired"), Some("cert-expired"));
        assert_eq!(code("certainly expired"), None);
        assert_eq!(code("el certificado ha caducado"), Some("cert-expired"));
        assert_eq!(code("证书已过期"), Some("cert-expired"));
        assert_eq!(code("sslv3 expired"), None);
    }

    /// Exact patterns win; the tier fills in where they find nothing, ranks its cause before an
    /// exact symptom and says how it recognised the text.
    #[test]
    fn exact_patterns_first_then_vocabulary() {
        use crate::explain::explain_text;
        // Exact: no vocabulary evidence.
        let exact = explain_text("psql: error: SSL error: certificate has expired");
        assert_eq!(exact[0].code.as_str(), "cert-expired");
        assert!(!exact[0].facts.contains_key(RECOGNISED_BY), "{:?}", exact[0].facts);
        // New wording: by its words, and the detail says so.
        let new = explain_text("DbError: the database's TLS cert is expired since Monday");
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].facts.get(RECOGNISED_BY).map(String::as_str), Some(BY_VOCABULARY));
        assert!(!new[0].by_words.is_empty() && new[0].detail.en.is_empty(), "{:?}", new[0]);
        // A cause by words before an exact symptom on the same line.
        let mixed = explain_text("error performing TLS handshake: the server certificate is self-signed");
        assert_eq!(mixed[0].code.as_str(), "server-cert-untrusted", "{mixed:?}");
        assert!(mixed.iter().any(|r| r.code.as_str() == "tls-handshake-failed"), "{mixed:?}");
        // Ambiguous words name the alternatives.
        let also = explain_text("cert rejected: the certificate is outside its validity period");
        assert_eq!(also[0].also.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["cert-not-yet-valid"]);
        assert!(also[0].tell_apart.as_ref().is_some_and(|t| t.en.contains("pgtls doctor")), "{:?}", also[0].tell_apart);
        // A cause by words before a symptom on an earlier line (psql's symptom, then the
        // server's refusal in a wording no pattern has).
        let ranked = explain_text("server closed the connection unexpectedly\nFATAL: this server only accepts SSL/TLS required connections");
        assert_eq!(ranked[0].code.as_str(), "ssl-required-by-server", "{ranked:?}");
        assert!(ranked.iter().any(|r| r.code.as_str() == "unexpected-eof"), "{ranked:?}");
        // An exact cause elsewhere in the paste stays first.
        let two = explain_text("FATAL:  no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database \"db\", no encryption\nlater: the server certificate is self-signed");
        assert_eq!(two[0].code.as_str(), "ssl-required-by-server", "{two:?}");
        assert!(two.iter().any(|r| r.code.as_str() == "server-cert-untrusted"), "{two:?}");
    }

    /// Every `from` of the table names a file of this repository.
    #[test]
    fn provenance_names_existing_files() {
        let file: VocabularyFile = toml::from_str(VOCABULARY_TOML).unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for f in &file.family {
            for src in &f.from {
                assert!(root.join(src).exists(), "family {}: {src} does not exist", f.name);
            }
        }
    }

    #[test]
    fn identifiers_become_words() {
        assert_eq!(words("X509_V_ERR_CERT_HAS_EXPIRED"), "x509 v err cert has expired");
        assert_eq!(words("CertificateExpiredException"), "certificate expired exception");
        assert_eq!(words("WebPKIError(UnknownIssuer)"), "web pki error(unknown issuer)");
        assert_eq!(words("SSLHandshakeException: self-signed"), "ssl handshake exception: self signed");
        assert_eq!(words("Server  does\tnot"), "server does not");
        assert_eq!(words("ServerDoesNotSupportTls12Or13"), "server does not support tls12 or13");
    }
}
