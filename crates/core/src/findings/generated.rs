//! Files generated from the catalogue: `crates/core/src/findings/codes.txt` (the public code list, so a new or
//! renamed code shows up in review) and `docs/findings.md`. A test compares them with what these
//! functions produce; `PGTLS_BLESS=1 cargo test --lib generated_files` rewrites them.

use std::fmt::Write as _;

use super::catalogue;

/// One code per line, catalogue order.
pub fn codes_txt() -> String {
    let mut s = String::from("# Every finding code, in catalogue order. Generated from catalogue.toml; a public interface.\n");
    for e in catalogue().entries() {
        s.push_str(&e.code);
        s.push('\n');
    }
    s
}

/// The reference page: a table of every code, then each code's explanation and fix (English).
pub fn findings_md() -> String {
    let mut s = String::from(
        "# Finding codes\n\n\
         <!-- Generated from crates/core/src/findings/catalogue.toml by `PGTLS_BLESS=1 cargo test --lib generated_files`; do not edit. -->\n\n\
         Every diagnosis pgtls reports has a stable kebab-case code: a public interface used in the JSON\n\
         output, the tests and these docs. `pgtls explain CODE [--lang en|zh|ja]` prints the full\n\
         explanation and fix; the texts live in `crates/core/src/findings/catalogue.toml` (English, Simplified\n\
         Chinese, Japanese). Severity is the catalogue's default; a check may lower or raise it for one\n\
         case (an expiry 20 days ahead is a warning, a passed one an error).\n\n\
         | code | severity | what it means |\n|---|---|---|\n",
    );
    for e in catalogue().entries() {
        let _ = writeln!(s, "| `{}` | {} | {} |", e.code, e.severity, e.en.title);
    }
    for e in catalogue().entries() {
        let _ = write!(s, "\n## `{}`\n\n**{}** ({})\n\n{}\n\n**Fix:** {}\n", e.code, e.en.title, e.severity, e.en.explanation, e.en.fix);
        if !e.docs.is_empty() {
            s.push_str("\nPostgreSQL documentation:\n");
            for d in &e.docs {
                let _ = writeln!(s, "- {d}");
            }
        }
    }
    s
}
