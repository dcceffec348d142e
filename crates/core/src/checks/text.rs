//! Findings from what the text side recognised (`recognition`): `explain`'s messages and
//! `logs`' counts. The codes are the recognisers' data (any catalogue code a message can
//! mean), so this check owns none of them in `CHECKS`; it is the one place that makes a
//! finding of a recognised text.

use crate::findings::{Arg, Code, Finding, Message};
use crate::say;
use crate::recognition::{Occurrences, Recognition};

/// The finding of one recognised message: the pattern's severity and detail, the other
/// possible causes by their catalogue titles and what tells them apart, the facts as evidence.
pub fn recognised(r: &Recognition) -> Finding {
    let mut f = Finding::new(r.code);
    if let Some(s) = r.severity {
        f = f.severity(s);
    }
    for (k, v) in &r.facts {
        f = f.evidence(k.clone(), v.clone());
    }
    // The pattern's own sentence comes in every language with the recognition; what pgtls
    // says around it is said in the user's language too.
    f = if r.by_words.is_empty() {
        f.said(say!("text.recognised", detail = r.detail.clone()))
    } else {
        f.said(say!("text.by-words", terms = r.by_words.join(" + ")))
    };
    if !r.also.is_empty() {
        let names: Vec<&str> = r.also.iter().map(|c| c.as_str()).collect();
        f = f.evidence("also_possible", names.join(", "));
        f.add_said(say!("text.also-possible", alternatives = alternatives(r.also[0], &r.also[1..])));
        if let Some(t) = &r.tell_apart {
            f = f.evidence("tell_apart", t.en.clone());
            // Recognised by words, the way to tell the causes apart is always pgtls's own.
            let how = if r.by_words.is_empty() { Arg::Own(t.clone()) } else { Arg::Said(say!("text.doctor-tells")) };
            f.add_said(say!("text.tell-apart", how = how));
        }
    }
    f
}

/// `title (code); title (code)` with each title in the user's language.
fn alternatives(first: Code, rest: &[Code]) -> Message {
    let one = say!("text.alternative", title = Arg::Title(first), code = first);
    match rest {
        [] => one,
        [next, more @ ..] => say!("text.alternatives", first = one, rest = alternatives(*next, more)),
    }
}

/// One finding per code seen in a log, most frequent first (as given), with the count, the
/// time span and a sample line as evidence.
pub fn occurrences(counts: &[Occurrences]) -> Vec<Finding> {
    counts
        .iter()
        .map(|o| {
            Finding::new(o.code)
                .said(crate::say!(
                    "log.occurrences",
                    count = o.count,
                    first = o.first_seen.as_deref().unwrap_or("?"),
                    last = o.last_seen.as_deref().unwrap_or("?")
                ))
                .evidence("sample", &o.sample)
                .evidence("count", o.count.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{catalogue, Lang, Severity, Template};

    fn said(en: &str, zh: &str, ja: &str) -> Template {
        Template { en: en.into(), zh: zh.into(), ja: ja.into() }
    }

    fn rec() -> Recognition {
        Recognition {
            code: Code::HostnameMismatch,
            also: Vec::new(),
            tell_apart: None,
            symptom: false,
            severity: None,
            detail: said("The name does not match.", "名称不匹配。", "名前が一致しません。"),
            by_words: Vec::new(),
            facts: [("matched".to_string(), "x".to_string())].into(),
            line: 1,
        }
    }

    #[test]
    fn a_recognised_message_keeps_its_facts_and_names_the_other_causes() {
        let f = recognised(&rec());
        assert_eq!((f.code, f.detail.as_str()), (Code::HostnameMismatch, "The name does not match."));
        assert_eq!(f.evidence.get("matched").map(String::as_str), Some("x"));
        assert!(!f.evidence.contains_key("also_possible"));
        let f = recognised(&Recognition {
            also: vec![Code::ServerCertUntrusted],
            tell_apart: Some(said("the chain", "证书链", "証明書チェーン")),
            severity: Some(Severity::Warning),
            ..rec()
        });
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.evidence.get("also_possible").map(String::as_str), Some("server-cert-untrusted"));
        let title = &catalogue().entry(Code::ServerCertUntrusted).en.title;
        assert_eq!(f.detail, format!("The name does not match. Also possible: {title} (server-cert-untrusted). What tells them apart: the chain"));
        // In another language the pattern's own sentences, the words around them and the titles
        // change.
        let zh = f.detail_in(Lang::Zh);
        assert!(zh.contains(&catalogue().entry(Code::ServerCertUntrusted).zh.title) && zh.starts_with("名称不匹配。"), "{zh}");
        assert!(zh.ends_with("区分方法：证书链"), "{zh}");
        assert!(!zh.contains("Also possible") && !zh.contains("The name"), "{zh}");
        assert!(f.detail_in(Lang::Ja).starts_with("名前が一致しません。"), "{}", f.detail_in(Lang::Ja));
        let two = recognised(&Recognition { also: vec![Code::ServerCertUntrusted, Code::CertExpired], tell_apart: None, ..rec() });
        assert!(two.detail.contains("(server-cert-untrusted); ") && two.detail.ends_with("(cert-expired)."), "{}", two.detail);
        let words = recognised(&Recognition { by_words: vec!["cert".into(), "expired".into()], ..rec() });
        assert!(words.detail.starts_with("Recognised by its words (cert + expired)"), "{}", words.detail);
        assert!(!words.detail_in(Lang::Ja).contains("Recognised"), "{}", words.detail_in(Lang::Ja));
        let guess = recognised(&Recognition {
            by_words: vec!["cert".into()],
            also: vec![Code::CertNotYetValid],
            tell_apart: Some(said("`pgtls doctor` against the server.", "对服务器运行 `pgtls doctor`。", "サーバーに対して `pgtls doctor` を実行します。")),
            ..rec()
        });
        assert!(guess.detail.ends_with("What tells them apart: `pgtls doctor` against the server."), "{}", guess.detail);
        assert!(!guess.detail_in(Lang::Zh).contains("against the server"), "{}", guess.detail_in(Lang::Zh));
    }

    #[test]
    fn log_counts_become_one_finding_each() {
        let o = Occurrences { code: Code::ClientCertRequired, count: 3, first_seen: Some("a".into()), last_seen: None, sample: "s".into() };
        let f = occurrences(&[o]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].detail, "3 occurrence(s) between a and ?.");
        assert_eq!(f[0].detail_in(crate::findings::Lang::Zh), "在 a 至 ? 之间出现 3 次。");
        assert_eq!(f[0].evidence.get("count").map(String::as_str), Some("3"));
    }
}
