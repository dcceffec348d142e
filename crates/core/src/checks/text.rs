//! Findings from what the text side recognised (`recognition`): `explain`'s messages and
//! `logs`' counts. The codes are the recognisers' data (any catalogue code a message can
//! mean), so this check owns none of them in `CHECKS`; it is the one place that makes a
//! finding of a recognised text.

use crate::findings::{catalogue, Finding};
use crate::recognition::{Occurrences, Recognition};

/// The finding of one recognised message: the pattern's severity and detail, the other
/// possible causes by their catalogue titles and what tells them apart, the facts as evidence.
pub fn recognised(r: &Recognition) -> Finding {
    let mut f = Finding::new(r.code);
    if let Some(s) = r.severity {
        f = f.severity(s);
    }
    let mut detail = r.detail.clone();
    for (k, v) in &r.facts {
        f = f.evidence(k.clone(), v.clone());
    }
    if !r.also.is_empty() {
        let names: Vec<&str> = r.also.iter().map(|c| c.as_str()).collect();
        f = f.evidence("also_possible", names.join(", "));
        let titles: Vec<String> = r.also.iter().map(|c| format!("{} ({})", catalogue().entry(*c).en.title, c)).collect();
        detail = format!("{detail} Also possible: {}.", titles.join("; "));
        if let Some(t) = &r.tell_apart {
            f = f.evidence("tell_apart", t.clone());
            detail = format!("{detail} What tells them apart: {t}");
        }
    }
    f.detail(detail)
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
    use crate::findings::{Code, Severity};

    fn rec() -> Recognition {
        Recognition {
            code: Code::HostnameMismatch,
            also: Vec::new(),
            tell_apart: None,
            symptom: false,
            severity: None,
            detail: "The name does not match.".into(),
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
            tell_apart: Some("the chain".into()),
            severity: Some(Severity::Warning),
            ..rec()
        });
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.evidence.get("also_possible").map(String::as_str), Some("server-cert-untrusted"));
        let title = &catalogue().entry(Code::ServerCertUntrusted).en.title;
        assert_eq!(f.detail, format!("The name does not match. Also possible: {title} (server-cert-untrusted). What tells them apart: the chain"));
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
