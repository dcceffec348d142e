//! Human output: aligned, coloured when stdout is a terminal (anstream strips colour
//! otherwise and honours NO_COLOR / CLICOLOR_FORCE).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{localise, HostReport, RenderOptions};
use crate::findings::{Finding, Severity};
use crate::net::Negotiated;
use crate::probe::SslNegotiation;
use crate::x509::{colon_hex, Cert};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const BLUE: Style = AnsiColor::Blue.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();

fn paint(s: Style, text: &str) -> String {
    format!("{s}{text}{s:#}")
}

pub fn severity_label(s: Severity) -> String {
    match s {
        Severity::Error => paint(RED, "error  "),
        Severity::Warning => paint(YELLOW, "warning"),
        Severity::Info => paint(BLUE, "info   "),
    }
}

/// Findings as a list: severity, code, title, detail, fix.
pub fn findings(out: &mut String, list: &[Finding], o: &RenderOptions) {
    if list.is_empty() {
        let _ = writeln!(out, "{}", paint(GREEN, "no problems found"));
        return;
    }
    for f in list {
        let (title, fix) = localise(f, o.lang);
        let _ = writeln!(out, "{} {} {}", severity_label(f.severity), paint(BOLD, f.code.as_str()), title);
        for line in f.detail.lines().filter(|l| !l.is_empty()) {
            let _ = writeln!(out, "        {line}");
        }
        if !fix.is_empty() {
            let _ = writeln!(out, "        {} {fix}", paint(GREEN, "fix:"));
        }
        if o.verbose {
            for (k, v) in &f.evidence {
                let _ = writeln!(out, "        {} {v}", paint(DIM, &format!("{k}:")));
            }
        }
        let _ = writeln!(out, "        {}", paint(DIM, &format!("(pgtls explain {})", f.code)));
    }
}

fn cert(out: &mut String, i: usize, c: &Cert, now: time::OffsetDateTime) {
    let days = c.days_left(now);
    let validity = if days < 0 { format!("EXPIRED {} days ago", -days) } else { format!("{days} days left") };
    let _ = writeln!(out, "  #{i} {}", paint(BOLD, &c.subject));
    let rows: [(&str, String); 9] = [
        ("issuer", c.issuer.clone()),
        ("serial", c.serial.clone()),
        ("valid", format!("{} → {} ({validity})", c.not_before.date(), c.not_after.date())),
        ("SAN", if c.san.is_empty() { "(none)".into() } else { c.san.join(", ") }),
        ("key", format!("{}, signed with {}", c.key_description(), c.signature_algorithm)),
        ("SHA-256", colon_hex(&c.sha256)),
        ("SKI", c.ski.as_deref().map(colon_hex).unwrap_or_else(|| "(none)".into())),
        ("AKI", c.aki.as_deref().map(colon_hex).unwrap_or_else(|| "(none)".into())),
        (
            "CA",
            format!(
                "{}{}{}",
                if c.is_ca { "yes" } else { "no" },
                c.path_len.map(|n| format!(" (pathlen {n})")).unwrap_or_default(),
                if c.self_signed { ", self-signed" } else { "" }
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "     {} {v}", paint(DIM, &format!("{k:<8}")));
    }
}

/// One probed host.
pub fn host(out: &mut String, r: &HostReport, o: &RenderOptions) {
    let f = &r.facts;
    let how = match f.target.negotiation {
        SslNegotiation::Postgres => "SSLRequest",
        SslNegotiation::Direct => "direct SSL, ALPN postgresql",
    };
    let sni = f.target.sni.as_deref().unwrap_or("none");
    let _ = writeln!(out, "{} {} ({how}, SNI: {sni})", paint(BOLD, "probe"), f.target.display_name());
    if !o.quiet {
        match &f.reply {
            Some(Negotiated::Accept) => {
                let _ = writeln!(out, "  SSLRequest answered 'S': the server is willing to speak TLS");
            }
            Some(Negotiated::Refuse) => {
                let _ = writeln!(out, "  SSLRequest answered 'N': the server will not speak TLS");
            }
            Some(Negotiated::Error { error }) => {
                let _ = writeln!(out, "  SSLRequest answered with an error: {error}");
            }
            Some(Negotiated::Unexpected { preview, .. }) => {
                let _ = writeln!(out, "  SSLRequest answered with non-PostgreSQL bytes: \"{preview}\"");
            }
            None => {}
        }
        if let Some(t) = &f.tls {
            let _ = writeln!(
                out,
                "  {} {}  cipher {} ({})  group {}  ALPN {}",
                paint(BOLD, "TLS"),
                t.version,
                t.cipher,
                t.cipher_openssl,
                t.group.as_deref().unwrap_or("-"),
                t.alpn.as_deref().unwrap_or("-")
            );
        }
        if !f.chain.is_empty() {
            let _ = writeln!(out, "  certificate chain as sent by the server ({}):", f.chain.len());
            for (i, c) in f.chain.iter().enumerate() {
                cert(out, i, c, f.started_at);
            }
        }
        if o.pem {
            for c in &f.chain {
                out.push_str(&c.to_pem());
            }
        }
    }
    findings(out, &r.findings, o);
}

/// `pgtls fleet`: one line per endpoint, then totals.
pub fn fleet(entries: &[crate::fleet::FleetEntry], s: &crate::fleet::FleetSummary, o: &RenderOptions) -> String {
    let mut out = String::new();
    if !o.quiet {
        for e in entries {
            let f = &e.facts;
            let tls = f.tls.as_ref().map(|t| format!("{} {}", t.version, t.cipher_openssl)).unwrap_or_else(|| "-".into());
            let leaf = f
                .chain
                .first()
                .map(|c| format!("{} (expires in {} d)", c.subject, c.days_left(f.started_at)))
                .unwrap_or_default();
            let worst = e.findings.iter().map(|x| x.severity).max();
            let status = match worst {
                Some(Severity::Error) => paint(RED, "ERROR"),
                Some(Severity::Warning) => paint(YELLOW, "WARN "),
                _ => paint(GREEN, "ok   "),
            };
            let codes: Vec<&str> = e.findings.iter().map(|x| x.code.as_str()).collect();
            let _ = writeln!(out, "{status} {:<24} {:<40} {leaf} {}", f.target.endpoint(), tls, codes.join(","));
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "{} endpoints, {} with TLS", s.endpoints, s.tls_ok);
    for (v, n) in &s.versions {
        let _ = writeln!(out, "  {v}: {n}");
    }
    if !s.issuers.is_empty() {
        let _ = writeln!(out, "server certificates by issuer:");
        for (i, n) in &s.issuers {
            let _ = writeln!(out, "  {n:>6}  {i}");
        }
    }
    if let Some((ep, d)) = &s.soonest_expiry {
        let _ = writeln!(out, "soonest expiry: {ep} in {d} days");
    }
    if !s.codes.is_empty() {
        let _ = writeln!(out, "endpoints per finding:");
        for (c, n) in &s.codes {
            let _ = writeln!(out, "  {n:>6}  {c}");
        }
    }
    out
}
