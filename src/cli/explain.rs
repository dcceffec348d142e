//! `pgtls explain` (codes, pasted text, stdin) and `pgtls logs` (whole log files).

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde_json::json;

use pgtls::findings::{catalogue, exit_code, Finding};
use pgtls::logs::{self, Languages, Summary};
use pgtls::report::{self, Format, RenderOptions};

use super::print;

pub fn explain(input: Option<String>, list: bool, format: Format, opts: RenderOptions) -> Result<i32> {
    let cat = catalogue();
    if list || input.is_none() {
        let out = match format {
            Format::Json => report::json::to_string(&cat.entries()),
            Format::Human => cat
                .entries()
                .iter()
                .map(|e| format!("{:<28} {:<8} {}\n", e.code, e.severity.to_string(), e.text(opts.lang).title))
                .collect(),
        };
        print(&out)?;
        return Ok(0);
    }
    let input = input.unwrap_or_default();
    if let Some(e) = cat.get(input.trim()) {
        let t = e.text(opts.lang);
        let out = match format {
            Format::Json => report::json::to_string(e),
            Format::Human => {
                let mut s = format!("{} ({})\n{}\n\n", e.code, e.severity, t.title);
                let _ = write!(s, "{}\n  {}\n\n{}\n  {}\n", heading(opts, 0), t.explanation, heading(opts, 1), t.fix);
                if !e.docs.is_empty() {
                    let _ = writeln!(s, "\n{}", heading(opts, 2));
                    for d in &e.docs {
                        let _ = writeln!(s, "  - {d}");
                    }
                }
                s
            }
        };
        print(&out)?;
        return Ok(0);
    }
    let looks_like_code = !input.contains(char::is_whitespace)
        && input.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        && input.contains('-');
    if looks_like_code {
        anyhow::bail!("unknown finding code {input:?}; `pgtls explain --list` shows them all");
    }
    let text = if input == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading standard input")?;
        s
    } else {
        input
    };
    let found = pgtls::explain::explain_text(&text);
    let findings: Vec<Finding> = found.iter().map(|r| r.finding.clone()).collect();
    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "explain",
            "recognised": found.iter().map(|r| json!({"line": r.line, "code": r.code})).collect::<Vec<_>>(),
            "findings": findings,
            "exit_code": exit_code(&findings),
        })))?,
        Format::Human => {
            let mut s = String::new();
            if found.is_empty() {
                let _ = writeln!(s, "pgtls recognises no TLS-related PostgreSQL message in this text (it never guesses).");
                let _ = writeln!(s, "Paste the whole error (client output or server log lines), or see `pgtls explain --list`.");
            } else {
                for r in &found {
                    let _ = writeln!(s, "line {}: {}", r.line, r.finding.evidence.get("matched").map(String::as_str).unwrap_or(""));
                    let mut one = String::new();
                    report::human::findings(&mut one, std::slice::from_ref(&r.finding), &RenderOptions { verbose: true, ..opts });
                    s += &one;
                }
            }
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}

fn heading(opts: RenderOptions, i: usize) -> &'static str {
    use pgtls::findings::Lang;
    let h: [&str; 3] = match opts.lang {
        Lang::En => ["What it means", "How to fix", "PostgreSQL documentation"],
        Lang::Zh => ["含义", "修复方法", "PostgreSQL 文档"],
        Lang::Ja => ["意味", "対処方法", "PostgreSQL ドキュメント"],
    };
    h[i]
}

pub fn logs(files: Vec<PathBuf>, all_languages: bool, format: Format, opts: RenderOptions) -> Result<i32> {
    let mut summary = Summary::default();
    let so = logs::ScanOptions { languages: if all_languages { Languages::All } else { Languages::Auto } };
    if files.is_empty() || files.iter().any(|f| f.as_os_str() == "-") && files.len() == 1 {
        logs::scan_reader_with(std::io::stdin().lock(), &mut summary, &so).map_err(|e| anyhow::anyhow!("{e}"))?;
    } else {
        for f in &files {
            let r = logs::open_log(f).map_err(|e| anyhow::anyhow!("{e}"))?;
            logs::scan_reader_with(r, &mut summary, &so).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    let findings: Vec<Finding> = summary
        .codes
        .iter()
        .map(|(code, st)| {
            Finding::new(pgtls::findings::Code::parse(code).unwrap_or(pgtls::findings::Code::TlsHandshakeFailed))
                .detail(format!("{} occurrence(s) between {} and {}.", st.count, st.first_seen.as_deref().unwrap_or("?"), st.last_seen.as_deref().unwrap_or("?")))
                .evidence("sample", &st.sample)
                .evidence("count", st.count.to_string())
        })
        .collect();
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(&summary)?;
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("command".into(), json!("logs"));
                m.insert("files".into(), json!(files));
                m.insert("findings".into(), serde_json::to_value(&findings)?);
                m.insert("exit_code".into(), json!(exit_code(&findings)));
            }
            print(&report::json::to_string(&v))?;
        }
        Format::Human => {
            let mut s = format!(
                "{} bytes read, {} candidate lines, {} TLS-related lines\n",
                summary.bytes, summary.candidate_lines, summary.matched_lines
            );
            let mut by_count: Vec<_> = summary.codes.iter().collect();
            by_count.sort_by_key(|(_, st)| std::cmp::Reverse(st.count));
            for (code, st) in by_count {
                let title = catalogue().get(code).map(|e| e.text(opts.lang).title.clone()).unwrap_or_default();
                let _ = writeln!(s, "\n{:>8}  {code}  {title}", st.count);
                let _ = writeln!(s, "          first {}  last {}", st.first_seen.as_deref().unwrap_or("?"), st.last_seen.as_deref().unwrap_or("?"));
                let top = |v: Vec<logs::Count>| v.iter().map(|c| format!("{} ({})", c.value, c.count)).collect::<Vec<_>>().join(", ");
                if !st.clients().is_empty() {
                    let _ = writeln!(s, "          clients   {}", top(st.clients()));
                }
                if !st.users().is_empty() {
                    let _ = writeln!(s, "          users     {}", top(st.users()));
                }
                if !st.databases().is_empty() {
                    let _ = writeln!(s, "          databases {}", top(st.databases()));
                }
                let _ = writeln!(s, "          sample    {}", st.sample);
                if let Some(e) = catalogue().get(code) {
                    if !opts.quiet {
                        let _ = writeln!(s, "          fix       {}", e.text(opts.lang).fix);
                    }
                }
            }
            if summary.codes.is_empty() {
                s += "no TLS-related messages found\n";
            }
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}
