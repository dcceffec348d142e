//! Text that is not UTF-8, or was decoded with the wrong encoding.
//!
//! A server with `lc_messages = 'ja_JP.eucJP'` (or a Windows server in Shift_JIS, a Chinese one
//! in GBK) writes its log in that encoding, and a log shipped through a tool that assumed
//! Latin-1 arrives as mojibake ("æ¥æ¬èª" for "日本語"). The recognisers work on UTF-8 text,
//! so the bytes are turned back into what the server meant first. Nothing is guessed silently:
//! every reading is offered as a candidate with how it was obtained, and the caller (explain,
//! logs) keeps the one its recognisers understand. Decoding is `encoding_rs` (the WHATWG
//! decoders Firefox uses).

use std::borrow::Cow;

use encoding_rs::{Encoding, EUC_JP, GBK, SHIFT_JIS, WINDOWS_1252};

/// The legacy encodings PostgreSQL's translated messages are met in.
pub const LEGACY: [&Encoding; 3] = [EUC_JP, SHIFT_JIS, GBK];

/// One reading of some bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading<'a> {
    pub text: Cow<'a, str>,
    /// How the text was obtained: `utf-8`, `euc-jp`, `utf-8 read as windows-1252` …
    pub how: String,
}

/// Strict decoding: `None` when the bytes are not valid in `enc`.
fn strict(enc: &'static Encoding, bytes: &[u8]) -> Option<String> {
    enc.decode_without_bom_handling_and_without_replacement(bytes).map(Cow::into_owned)
}

/// How plausible a decoded text is: the share of its characters that are ASCII, kana, CJK
/// ideographs, Hangul or full-width punctuation (a wrong double-byte decoding produces rare
/// ideographs, half-width katakana and symbols instead).
pub fn plausibility(text: &str) -> f64 {
    let mut good = 0usize;
    let mut all = 0usize;
    for c in text.chars() {
        all += 1;
        let u = c as u32;
        if u < 0x80 || (0x3000..=0x30FF).contains(&u) || (0x4E00..=0x9FA5).contains(&u) || (0xAC00..=0xD7AF).contains(&u) || (0xFF01..=0xFF5E).contains(&u) {
            good += 1;
        }
    }
    if all == 0 {
        1.0
    } else {
        good as f64 / all as f64
    }
}

/// How well a reading in `enc` fits: plausibility first; between equals, Japanese encodings
/// for texts with kana (Japanese always has some), GBK for texts without (Chinese has none).
fn fit(enc: &'static Encoding, text: &str) -> (f64, bool) {
    let kana = text.chars().any(|c| (0x3040..=0x30FF).contains(&(c as u32)));
    (plausibility(text), kana == (enc != GBK))
}

fn by_fit(a: &(f64, bool), b: &(f64, bool)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}

/// Every reasonable reading of `bytes`, the most plausible first:
/// * valid UTF-8: the text itself, then, when it looks like UTF-8 or a legacy encoding that
///   was read as Windows-1252/Latin-1 (characters U+0080–U+00FF), the repaired text;
/// * not UTF-8: each legacy encoding in which the bytes are valid, then UTF-8 with
///   replacement characters.
pub fn readings(bytes: &[u8]) -> Vec<Reading<'_>> {
    let mut out: Vec<Reading<'_>> = Vec::new();
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            out.push(Reading { text: Cow::Borrowed(text), how: "utf-8".into() });
            // Mojibake: text that Windows-1252 maps back to bytes, at least two of them not
            // ASCII (ƒ, ‰, Ã … stand for the bytes 0x83, 0x89, 0xC3 …).
            if !text.is_ascii() {
                let (raw, _, unmappable) = WINDOWS_1252.encode(text);
                if !unmappable && raw.iter().filter(|b| **b >= 0x80).count() >= 2 {
                    let mut repaired: Vec<Reading<'_>> = Vec::new();
                    if let Ok(t) = String::from_utf8(raw.to_vec()) {
                        repaired.push(Reading { text: Cow::Owned(t), how: "utf-8 read as windows-1252".into() });
                    }
                    let mut scored: Vec<((f64, bool), Reading<'_>)> = repaired.into_iter().map(|r| ((plausibility(&r.text), true), r)).collect();
                    for enc in LEGACY {
                        if let Some(t) = strict(enc, &raw) {
                            scored.push((fit(enc, &t), Reading { text: Cow::Owned(t), how: format!("{} read as windows-1252", enc.name().to_ascii_lowercase()) }));
                        }
                    }
                    scored.sort_by(|a, b| by_fit(&b.0, &a.0));
                    out.extend(scored.into_iter().map(|(_, r)| r));
                }
            }
        }
        Err(_) => {
            let mut legacy: Vec<((f64, bool), Reading<'_>)> = LEGACY
                .iter()
                .filter_map(|enc| strict(enc, bytes).map(|t| (fit(enc, &t), Reading { text: Cow::Owned(t), how: enc.name().to_ascii_lowercase() })))
                .collect();
            legacy.sort_by(|a, b| by_fit(&b.0, &a.0));
            out.extend(legacy.into_iter().map(|(_, r)| r));
            out.push(Reading { text: String::from_utf8_lossy(bytes), how: "utf-8 (invalid bytes replaced)".into() });
        }
    }
    out
}

/// The legacy encoding a log is written in, judged from its first bytes (cut at the last
/// newline, so a character split by the buffer does not count): `None` for UTF-8 (or ASCII)
/// and for bytes no legacy encoding reads cleanly.
pub fn legacy_encoding(first: &[u8]) -> Option<&'static Encoding> {
    let cut = memchr::memrchr(b'\n', first).map_or(first, |i| &first[..=i]);
    if std::str::from_utf8(cut).is_ok() {
        return None;
    }
    let mut best: Option<(&'static Encoding, (f64, bool))> = None;
    for enc in LEGACY {
        if let Some(t) = strict(enc, cut) {
            let f = fit(enc, &t);
            if best.as_ref().is_none_or(|(_, b)| by_fit(&f, b) == std::cmp::Ordering::Greater) {
                best = Some((enc, f));
            }
        }
    }
    best.map(|(e, _)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JA: &str = "致命的エラー:  秘密鍵ファイル\"server.key\"はグループまたは全員からアクセス可能です";
    const ZH: &str = "致命错误:  没有用于主机 \"10.0.0.5\", 用户 \"app\", 数据库 \"shop\", no encryption 的 pg_hba.conf 记录";

    #[test]
    fn legacy_bytes_are_read_back() {
        for (text, enc) in [(JA, EUC_JP), (JA, SHIFT_JIS), (ZH, GBK)] {
            let (bytes, _, bad) = enc.encode(text);
            assert!(!bad);
            let r = readings(&bytes);
            assert!(r.iter().any(|r| r.text == text), "{}: {:?}", enc.name(), r.iter().map(|r| &r.how).collect::<Vec<_>>());
            assert_eq!(r[0].text, text, "{}: the most plausible reading first", enc.name());
            assert_eq!(legacy_encoding(&[bytes.as_ref(), b"\n"].concat()), Some(enc));
        }
    }

    #[test]
    fn mojibake_from_a_windows_1252_reading_is_repaired() {
        for (text, enc) in [(JA, encoding_rs::UTF_8), (ZH, GBK), (JA, EUC_JP)] {
            let (bytes, _, _) = enc.encode(text);
            let (garbled, _, _) = WINDOWS_1252.decode(&bytes);
            let r = readings(garbled.as_bytes());
            assert_eq!(r[0].text, garbled, "the text as given comes first");
            assert!(r.iter().any(|r| r.text == text), "{}: {:?}", enc.name(), r);
        }
    }

    #[test]
    fn utf8_and_ascii_are_left_alone() {
        assert_eq!(readings(b"FATAL:  x").len(), 1);
        assert_eq!(readings("Größe: ü".as_bytes())[0].text, "Größe: ü");
        assert_eq!(legacy_encoding(b"plain\n"), None);
        assert_eq!(legacy_encoding(JA.as_bytes()), None);
    }
}
