//! `explain` and `logs`: text in, findings out. A finding code is explained from the
//! catalogue; anything else is error text (pasted, a file, or standard input) or whole logs.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{exit_status, RunError};
use crate::findings::{catalogue, Code, Entry, Finding};
use crate::logs::{self, Languages, Summary};

/// One recognised line.
#[derive(Debug, Clone, Serialize)]
pub struct RecognisedLine {
    pub line: usize,
    pub code: Code,
}

/// What `explain` answers.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ExplainReport {
    /// `--list`: every catalogue entry.
    List(Vec<Entry>),
    /// A finding code: its catalogue entry.
    Code(Box<Entry>),
    /// Error text: what was recognised, as findings.
    Text { command: &'static str, recognised: Vec<RecognisedLine>, findings: Vec<Finding>, exit_code: i32 },
}

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
            return Err(RunError::Usage(format!(
                "standard input is larger than {} MB, the most `explain` reads; for whole logs use `pgtls logs -`",
                crate::files::MAX_FILE >> 20
            )));
        }
        s
    } else if !input.contains('\n') && Path::new(input).is_file() {
        crate::files::read(std::path::Path::new(input)).map_err(|source| RunError::Io { what: "reading", path: input.into(), source })?
    } else {
        let looks_like_code = !input.contains(char::is_whitespace)
            && input.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            && input.contains('-');
        if looks_like_code {
            return Err(RunError::Usage(format!("unknown finding code {input:?}; `pgtls explain --list` shows them all")));
        }
        input.as_bytes().to_vec()
    };
    let found = crate::explain::explain_bytes(&bytes);
    let findings: Vec<Finding> = found.iter().map(|r| r.finding.clone()).collect();
    Ok(ExplainReport::Text {
        command: "explain",
        recognised: found.iter().map(|r| RecognisedLine { line: r.line, code: r.code }).collect(),
        exit_code: exit_status(&findings),
        findings,
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
    let so = logs::ScanOptions { languages: if all_languages { Languages::All } else { Languages::Auto }, ..Default::default() };
    let bad = |path: &Path, e: logs::LogError| RunError::BadInput { path: path.into(), message: e.to_string() };
    if files.is_empty() || (files.len() == 1 && files[0].as_os_str() == "-") {
        let input = logs::decompressing(Box::new(stdin)).and_then(logs::to_utf8).map_err(|e| bad(Path::new("standard input"), e))?;
        logs::scan_reader_with(input, &mut summary, &so).map_err(|e| bad(Path::new("standard input"), e))?;
    } else {
        for f in files {
            logs::scan_file(f, &mut summary, &so, threads).map_err(|e| bad(f, e))?;
        }
    }
    summary.finish();
    let findings = summary.findings();
    Ok(LogsReport { command: "logs", files: files.to_vec(), summary, exit_code: exit_status(&findings), findings })
}
