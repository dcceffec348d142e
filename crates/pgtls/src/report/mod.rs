//! Rendering: human text and JSON, no logic. Commands (`crate::run`) return typed report
//! values; renderers only lay them out. JSON is the reports' serde form (documented in
//! `docs/json.md`, a public interface); human text is written here, coloured on a terminal.

pub mod html;
pub mod human;

use serde::Serialize;

use crate::findings::{Finding, Lang};

/// Output format chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// Only the verdict and the findings, no facts.
    pub quiet: bool,
    /// Also print each chain as PEM (`probe --pem`).
    pub pem: bool,
}

/// A report both renderers can lay out.
pub trait Render: Serialize {
    fn human(&self, o: &RenderOptions) -> String;
}

/// Lay out `report` in `format`.
pub fn render<R: Render>(report: &R, format: Format, o: &RenderOptions) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            s.push('\n');
            s
        }
        Format::Human => report.human(o),
    }
}

/// The line an error ends a command with, in `lang` (`pgtls: error: …`); `error` is the
/// error already said in `lang` (`RunError::said`).
pub fn error_line(error: &str, lang: Lang) -> String {
    pgtls_core::say!("error.line", error = error).sentence(lang)
}

/// A finding's words in `lang`: the catalogue's title, the detail and the fix (the facts
/// inside them stay as written; a detail or fix a check wrote as plain text stays English).
pub struct Localised {
    pub title: String,
    pub detail: String,
    pub fix: String,
}

pub fn localise(f: &Finding, lang: Lang) -> Localised {
    let title = crate::findings::catalogue().entry(f.code).text(lang).title.clone();
    Localised { title, detail: f.detail_in(lang), fix: f.fix_in(lang) }
}
