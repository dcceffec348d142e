//! `explain` and `logs`: text in, findings out. A finding code is explained from the
//! catalogue; anything else is error text (pasted, a file, or standard input) or whole logs.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{RunError};
use crate::findings::exit_code;
use crate::findings::{catalogue, Code, Entry, Finding};
use crate::logs::{self, Languages, Summary};

/// One recognised line.
#[derive(Debug, Clone, Serialize)]
pub struct RecognisedLine {
    pub line: usize,
    pub code: Code,
    /// Other codes the same text can mean (the text alone does not decide), most likely first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Code>,
}

/// What `explain` answers.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ExplainReport {
    /// `--list`: every catalogue entry.
    List(Vec<Entry>),
    /// A finding code: its catalogue entry.
    Code(Box<Entry>),
    /// Error text: what was recognised, as findings. When nothing was, `unrecognised` says so
    /// and the status is 1: an empty list with status 0 would read as "nothing is wrong",
    /// which the text never showed — pgtls only recognises messages, it never guesses.
    Text {
        command: &'static str,
        recognised: Vec<RecognisedLine>,
        findings: Vec<Finding>,
        exit_code: i32,
        #[serde(skip_serializing_if = "Option::is_none")]
        unrecognised: Option<Unrecognised>,
    },
}

/// `explain`'s answer when no message in the text was recognised.
#[derive(Debug, Clone, Serialize)]
pub struct Unrecognised {
    pub note: &'static str,
}

const UNRECOGNISED_NOTE: &str = "pgtls recognises no TLS-, certificate- or pg_hba-related message in this text; \
    it never guesses. Paste the whole error (client output or server log lines), or see `pgtls explain --list`.";

impl ExplainReport {
    pub fn exit_code(&self) -> i32 {
        match self {
            ExplainReport::Text { exit_code, .. } => *exit_code,
            _ => 0,
        }
    }
}

/// `pgtls explain [CODE | TEXT | FILE | -]`. `-` reads `stdin`; an existing file is read.
pub fn explain(input: Option<&str>, list: bool, stdin: &mut dyn Read) -> Result<ExplainReport, RunError> {
    let cat = catalogue();
    let Some(input) = input.filter(|_| !list) else {
        return Ok(ExplainReport::List(cat.entries().to_vec()));
    };
    if let Some(e) = cat.get(input.trim()) {
        return Ok(ExplainReport::Code(Box::new(e.clone())));
    }
    let bytes: Vec<u8> = if input == "-" {
        let mut s = Vec::new();
        stdin.take(crate::files::MAX_FILE + 1).read_to_end(&mut s).map_err(|source| RunError::Io { what: "reading", path: "standard input".into(), source })?;
        if s.len() as u64 > crate::files::MAX_FILE {
            return Err(RunError::ExplainInputTooLarge { mb: crate::files::MAX_FILE >> 20 });
        }
        s
    } else if !input.contains('\n') && Path::new(input).is_file() {
        crate::files::read(std::path::Path::new(input)).map_err(|source| RunError::Io { what: "reading", path: input.into(), source })?
    } else {
        let looks_like_code = !input.contains(char::is_whitespace)
            && input.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            && input.contains('-');
        if looks_like_code {
            return Err(RunError::UnknownCode(input.to_string()));
        }
        input.as_bytes().to_vec()
    };
    let found = crate::explain::explain_bytes(&bytes);
    let findings: Vec<Finding> = found.iter().map(crate::checks::text::recognised).collect();
    let nothing = findings.is_empty();
    Ok(ExplainReport::Text {
        command: "explain",
        recognised: found.iter().map(|r| RecognisedLine { line: r.line, code: r.code, also: r.also.clone() }).collect(),
        // Nothing recognised: nothing wrong was shown, nothing right either.
        exit_code: crate::findings::exit_code_unsure(&findings, nothing.then_some(crate::findings::Severity::Warning)),
        findings,
        unrecognised: nothing.then_some(Unrecognised { note: UNRECOGNISED_NOTE }),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct LogsReport {
    pub command: &'static str,
    pub files: Vec<PathBuf>,
    #[serde(flatten)]
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub exit_code: i32,
}

/// `pgtls logs FILE... | -`: `threads` workers per large file (1: one thread; standard input
/// is always read by one).
pub fn logs(files: &[PathBuf], all_languages: bool, threads: usize, stdin: &mut dyn Read) -> Result<LogsReport, RunError> {
    let mut summary = Summary::default();
    let so = logs::LogScanOptions { languages: if all_languages { Languages::All } else { Languages::Auto }, ..Default::default() };
    let bad = |path: &Path, error: logs::LogError| RunError::Logs { path: path.into(), error };
    if files.is_empty() || (files.len() == 1 && files[0].as_os_str() == "-") {
        let input = logs::decompressing(Box::new(stdin)).and_then(logs::to_utf8).map_err(|e| bad(Path::new("standard input"), e))?;
        logs::scan_reader_with(input, &mut summary, &so).map_err(|e| bad(Path::new("standard input"), e))?;
    } else {
        for f in files {
            logs::scan_file(f, crate::files::open, &mut summary, &so, threads).map_err(|e| bad(f, e))?;
        }
    }
    summary.finish();
    let findings = crate::checks::text::occurrences(&summary.occurrences());
    Ok(LogsReport { command: "logs", files: files.to_vec(), summary, exit_code: exit_code(&findings), findings })
}
