//! `pgtls explain` output around the run's report: when pasted text holds nothing pgtls
//! recognises, the answer says so in every format and exits with status 1. An empty finding
//! list with status 0 would read as "nothing is wrong", which the text never showed: pgtls
//! only recognises messages, it never guesses, so "not recognised" is its own answer.

use serde::Serialize;

use pgtls::findings::{Code, Finding};
use pgtls::report::{Render, RenderOptions};
use pgtls::run::ExplainReport;

/// Exit status when no message in the text was recognised.
const UNRECOGNISED_EXIT: i32 = 1;

const NOTE: &str = "pgtls recognises no TLS-, certificate- or pg_hba-related message in this text; \
    it never guesses. Paste the whole error (client output or server log lines), or see `pgtls explain --list`.";

/// What `pgtls explain` prints.
#[derive(Debug)]
pub enum ExplainOutput {
    /// A code or `--list`: the catalogue, as the run gave it.
    Catalogue(ExplainReport),
    /// Text: the run's answer, and `unrecognised` when nothing in it was recognised.
    Text { report: ExplainReport, json: TextJson },
}

/// JSON of a text answer: the run's fields plus `unrecognised`.
#[derive(Debug, Serialize)]
pub struct TextJson {
    command: &'static str,
    recognised: Vec<Line>,
    findings: Vec<Finding>,
    exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    unrecognised: Option<Unrecognised>,
}

#[derive(Debug, Serialize)]
struct Line {
    line: usize,
    code: Code,
}

#[derive(Debug, Serialize)]
struct Unrecognised {
    note: &'static str,
}

impl ExplainOutput {
    pub fn new(report: ExplainReport) -> ExplainOutput {
        let ExplainReport::Text { command, recognised, findings, exit_code } = &report else {
            return ExplainOutput::Catalogue(report);
        };
        let nothing = findings.is_empty();
        let json = TextJson {
            command,
            recognised: recognised.iter().map(|r| Line { line: r.line, code: r.code }).collect(),
            findings: findings.clone(),
            exit_code: if nothing { UNRECOGNISED_EXIT } else { *exit_code },
            unrecognised: nothing.then_some(Unrecognised { note: NOTE }),
        };
        ExplainOutput::Text { report, json }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            ExplainOutput::Catalogue(r) => r.exit_code(),
            ExplainOutput::Text { json, .. } => json.exit_code,
        }
    }
}

impl Serialize for ExplainOutput {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ExplainOutput::Catalogue(r) => r.serialize(s),
            ExplainOutput::Text { json, .. } => json.serialize(s),
        }
    }
}

impl Render for ExplainOutput {
    fn human(&self, o: &RenderOptions) -> String {
        match self {
            ExplainOutput::Catalogue(r) | ExplainOutput::Text { report: r, .. } => r.human(o),
        }
    }
}
