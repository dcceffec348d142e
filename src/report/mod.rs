//! Rendering: human text and JSON, no logic. Commands build a report value from facts and
//! findings; renderers only lay it out. The JSON shapes are documented in `docs/json.md`
//! and are a public interface.

pub mod human;
pub mod json;

use serde::Serialize;

use crate::findings::{Finding, Lang};
use crate::probe::ProbeFacts;

/// Output format chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// Options every renderer gets.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub lang: Lang,
    pub verbose: bool,
    pub quiet: bool,
    /// Also print each chain as PEM (`probe --pem`).
    pub pem: bool,
}

/// One host's probe result with its findings.
#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    pub facts: ProbeFacts,
    pub findings: Vec<Finding>,
}

/// Localised title and fix for a finding (the detail stays as written: it carries facts).
pub fn localise(f: &Finding, lang: Lang) -> (String, String) {
    let Some(entry) = crate::findings::catalogue().get(f.code.as_str()) else {
        return (f.title.clone(), f.fix.clone());
    };
    let t = entry.text(lang);
    let fix = if f.fix == entry.en.fix { t.fix.clone() } else { f.fix.clone() };
    (t.title.clone(), fix)
}
