//! A tolerant PEM splitter for certificate bundles.
//!
//! OpenSSL reads CA bundles with `PEM_X509_INFO_read_bio`, which skips every line outside a
//! `-----BEGIN …-----` / `-----END …-----` pair. Real bundles rely on that: Debian's
//! `ca-certificates.crt` has none, but hand-made `root.crt` files carry `# Subject:` comments,
//! `openssl x509 -text` dumps, Windows line ends and stray blank lines. So we do the same, and
//! report precisely (line number, block number) what OpenSSL would choke on.

/// One PEM block found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label after `BEGIN ` (`CERTIFICATE`, `TRUSTED CERTIFICATE`, `X509 CRL` …).
    pub label: String,
    /// 1-based line of the BEGIN line.
    pub line: usize,
    pub der: Vec<u8>,
}

/// What is wrong with a PEM block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error(
        "PEM block {block} ({label}) starting at line {line} has no END line (file truncated?)"
    )]
    Truncated {
        block: usize,
        label: String,
        line: usize,
    },
    #[error(
        "PEM block {block} ({label}) starting at line {line} has invalid base64 at line {bad_line}"
    )]
    BadBase64 {
        block: usize,
        label: String,
        line: usize,
        bad_line: usize,
    },
    #[error("PEM block {block} starting at line {line}: END label {end:?} does not match BEGIN label {label:?}")]
    Mismatch {
        block: usize,
        label: String,
        line: usize,
        end: String,
    },
}

/// Split `text` into PEM blocks. Lines outside blocks are ignored; a block that is cut off or
/// corrupt is an error naming the block (1-based) and its line.
pub fn parse_blocks(text: &str) -> Result<Vec<PemBlock>, PemError> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize, String)> = None;
    for (i, raw_line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw_line.trim_end_matches('\r').trim();
        match current.as_mut() {
            None => {
                if let Some(label) = marker(line, "BEGIN") {
                    current = Some((label.to_string(), line_no, String::new()));
                }
            }
            Some((label, start, body)) => {
                if let Some(end) = marker(line, "END") {
                    let block = out.len() + 1;
                    if end != label.as_str() {
                        return Err(PemError::Mismatch {
                            block,
                            label: label.clone(),
                            line: *start,
                            end: end.to_string(),
                        });
                    }
                    let der = decode_base64(body).ok_or_else(|| PemError::BadBase64 {
                        block,
                        label: label.clone(),
                        line: *start,
                        bad_line: line_no,
                    })?;
                    out.push(PemBlock {
                        label: label.clone(),
                        line: *start,
                        der,
                    });
                    current = None;
                } else if marker(line, "BEGIN").is_some() {
                    return Err(PemError::Truncated {
                        block: out.len() + 1,
                        label: label.clone(),
                        line: *start,
                    });
                } else if line.contains(':') {
                    // RFC 1421 headers (Proc-Type, DEK-Info) only occur in key files; skip them.
                    continue;
                } else {
                    body.push_str(line);
                }
            }
        }
    }
    if let Some((label, start, _)) = current {
        return Err(PemError::Truncated {
            block: out.len() + 1,
            label,
            line: start,
        });
    }
    Ok(out)
}

fn marker<'a>(line: &'a str, kind: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix("-----")?
        .strip_prefix(kind)?
        .strip_prefix(' ')?;
    rest.strip_suffix("-----")
}

/// Strict standard base64 (with padding, whitespace already removed). `None` on any bad input.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (n, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && n + 1 != chunks) {
            return None;
        }
        let mut acc = 0u32;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | val(c)?;
        }
        acc <<= 6 * pad as u32;
        let b = acc.to_be_bytes();
        out.extend_from_slice(&b[1..4 - pad]);
    }
    Some(out)
}

/// Standard base64 with padding, for writing PEM.
pub fn encode_base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let mut buf = [0u8; 3];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u32::from_be_bytes([0, buf[0], buf[1], buf[2]]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// DER as a PEM `CERTIFICATE` block, 64 columns, trailing newline.
pub fn to_pem(der: &[u8]) -> String {
    let b64 = encode_base64(der);
    let mut s = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        s.push_str(&String::from_utf8_lossy(line));
        s.push('\n');
    }
    s.push_str("-----END CERTIFICATE-----\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for data in [
            &b""[..],
            b"a",
            b"ab",
            b"abc",
            b"abcd",
            &[0xff, 0x00, 0x10, 0x80, 0x7f],
        ] {
            let enc = encode_base64(data);
            if data.is_empty() {
                assert_eq!(enc, "");
            } else {
                assert_eq!(decode_base64(&enc).as_deref(), Some(data), "{enc}");
            }
        }
        assert_eq!(decode_base64("QQ=="), Some(b"A".to_vec()));
        assert_eq!(decode_base64("Q="), None);
        assert_eq!(decode_base64("QQ==QQ=="), None);
        assert_eq!(decode_base64("Q!=="), None);
    }

    fn check(text: &str, expected: Result<Vec<(&str, &[u8])>, &str>) {
        let got = parse_blocks(text);
        match (got, expected) {
            (Ok(blocks), Ok(exp)) => {
                let got: Vec<(&str, &[u8])> = blocks
                    .iter()
                    .map(|b| (b.label.as_str(), b.der.as_slice()))
                    .collect();
                assert_eq!(got, exp, "{text:?}");
            }
            (Err(e), Err(msg)) => assert!(e.to_string().contains(msg), "{e} vs {msg}"),
            (got, exp) => panic!("{text:?}: got {got:?}, expected {exp:?}"),
        }
    }

    #[test]
    fn tolerant_splitting() {
        check("", Ok(vec![]));
        check("# comment only\n", Ok(vec![]));
        check(
            "# Subject: x\r\n-----BEGIN CERTIFICATE-----\r\nQUJD\r\n-----END CERTIFICATE-----\r\njunk\n\n-----BEGIN CERTIFICATE-----\nRA==\n-----END CERTIFICATE-----\n",
            Ok(vec![("CERTIFICATE", b"ABC"), ("CERTIFICATE", b"D")]),
        );
        check(
            "-----BEGIN CERTIFICATE-----\nQUJD\n",
            Err("block 1 (CERTIFICATE) starting at line 1 has no END line"),
        );
        check(
            "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nQU\n-----BEGIN CERTIFICATE-----\n",
            Err("block 2 (CERTIFICATE) starting at line 4 has no END line"),
        );
        check(
            "-----BEGIN CERTIFICATE-----\nQU*D\n-----END CERTIFICATE-----\n",
            Err("invalid base64"),
        );
        check(
            "-----BEGIN CERTIFICATE-----\nQUJD\n-----END X509 CRL-----\n",
            Err("does not match"),
        );
    }
}
