//! `fleet --html FILE`: one self-contained page (no external assets: inline CSS, SVG and a few
//! lines of script) to hand to whoever owns the servers: summary counts, an expiry timeline,
//! a sortable table, and per target the chain it presents — with `--profile`, marked as the
//! provider's old or new chain — and its findings.

use std::fmt::Write as _;

use time::OffsetDateTime;

use super::{FleetRecord, FleetReport, Status};
use crate::findings::Severity;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The status word and its CSS class.
fn status(r: &FleetRecord) -> (&'static str, &'static str) {
    match r.status() {
        Status::BadTarget => ("bad target", "err"),
        Status::Fails => ("fails", "err"),
        Status::Warning => ("warning", "warn"),
        Status::Ok => ("ok", "ok"),
    }
}

/// The short name of a DN (its CN, else the whole DN).
fn cn(dn: &str) -> String {
    crate::verify::short_name(dn)
}

pub fn render(report: &FleetReport, now: OffsetDateTime, title: &str) -> String {
    let sm = &report.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{t}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330}}
h1{{font-size:22px}} h2{{font-size:17px;margin-top:28px}}
.cards{{display:flex;gap:12px;flex-wrap:wrap}} .card{{border:1px solid #d6dae3;border-radius:8px;padding:10px 16px;min-width:120px}}
.card b{{display:block;font-size:24px}}
.ok{{color:#1a7f37}} .warn{{color:#9a6700}} .err{{color:#cf222e}}
table{{border-collapse:collapse;width:100%;margin-top:8px}} th,td{{border-bottom:1px solid #e3e6ec;padding:5px 8px;text-align:left;vertical-align:top}}
th{{cursor:pointer;background:#f4f6fa;user-select:none}} th:after{{content:" \2195";color:#99a}}
.chain{{display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin:6px 0}}
.cert{{border:1px solid #9aa4b8;border-radius:6px;padding:3px 8px;background:#fbfcfe;font-size:12px}}
.cert.leaf{{border-color:#5b6b8c}} .arrow{{color:#778}}
.tag{{font-size:11px;border-radius:10px;padding:1px 8px;margin-left:6px;color:#fff}}
.tag.new{{background:#1a7f37}} .tag.old{{background:#9a6700}} .tag.none{{background:#667}}
.target{{border:1px solid #e3e6ec;border-radius:8px;padding:8px 12px;margin:10px 0}}
.finding{{margin:4px 0 4px 12px}} code{{font-size:12px}}
</style></head><body>
<h1>{t}</h1>
<p>Generated {now} by pgtls {v}.</p>
<div class="cards">
<div class="card"><b>{n}</b>endpoints</div>
<div class="card"><b class="ok">{tls}</b>with TLS</div>
<div class="card"><b class="err">{fail}</b>where the client fails</div>
<div class="card"><b class="err">{bad}</b>targets not probed</div>
"#,
        t = esc(title),
        now = now.date(),
        v = env!("CARGO_PKG_VERSION"),
        n = sm.endpoints,
        tls = sm.tls_ok,
        fail = sm.failing,
        bad = sm.bad_targets,
    );
    for (chain, count) in &sm.rotation_chains {
        let _ = writeln!(h, "<div class=\"card\"><b>{count}</b>present the {} chain</div>", esc(chain));
    }
    h.push_str("</div>\n");

    // Expiry timeline: days left on a line from -30 to +365, one mark per endpoint.
    h.push_str("<h2>Certificate expiry</h2>\n");
    let (lo, hi) = (-30i64, 365i64);
    let width = 1000.0;
    let x = |d: i64| 40.0 + (d.clamp(lo, hi) - lo) as f64 / (hi - lo) as f64 * (width - 80.0);
    let _ = writeln!(h, "<svg id=\"timeline\" width=\"{width}\" height=\"90\" viewBox=\"0 0 {width} 90\" role=\"img\" aria-label=\"expiry timeline\">");
    let _ = writeln!(h, "<line x1=\"40\" y1=\"50\" x2=\"{}\" y2=\"50\" stroke=\"#99a\"/>", width - 40.0);
    for (d, label) in [(lo, "-30 d"), (0, "today"), (30, "30 d"), (90, "90 d"), (180, "180 d"), (hi, "365 d+")] {
        let _ = writeln!(h, "<line x1=\"{0:.1}\" y1=\"44\" x2=\"{0:.1}\" y2=\"56\" stroke=\"#99a\"/><text x=\"{0:.1}\" y=\"75\" font-size=\"11\" text-anchor=\"middle\">{label}</text>", x(d));
    }
    for r in &report.endpoints {
        let Some(f) = &r.facts else { continue };
        let Some(t) = f.not_after else { continue };
        let d = (t - now).whole_days();
        let color = if d < 0 { "#cf222e" } else if d < 30 { "#9a6700" } else { "#1a7f37" };
        let _ = writeln!(
            h,
            "<circle class=\"expiry\" cx=\"{:.1}\" cy=\"50\" r=\"6\" fill=\"{color}\" fill-opacity=\"0.7\"><title>{}: {} ({d} days)</title></circle>",
            x(d),
            esc(&f.endpoint),
            t.date()
        );
    }
    h.push_str("</svg>\n");

    // The table.
    h.push_str("<h2>Endpoints</h2>\n<table id=\"endpoints\"><thead><tr><th>status</th><th>endpoint</th><th>labels</th><th>TLS</th><th>issuer</th><th>expires</th><th>chain</th><th>findings</th></tr></thead><tbody>\n");
    for (i, r) in report.endpoints.iter().enumerate() {
        let (word, class) = status(r);
        let labels = r.labels.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect::<Vec<_>>().join(" ");
        let (endpoint, tls, issuer, expires, days, chain, codes) = match &r.facts {
            Some(f) => (
                f.endpoint.clone(),
                f.tls_version.clone().unwrap_or_default(),
                f.issuer.as_deref().map(cn).unwrap_or_default(),
                f.not_after.map(|t| t.date().to_string()).unwrap_or_default(),
                f.not_after.map(|t| (t - now).whole_days()).unwrap_or(i64::MAX),
                f.rotation_chain.clone().unwrap_or_default(),
                f.codes.join(" "),
            ),
            None => (format!("{}:{}", r.origin, r.line), String::new(), String::new(), String::new(), i64::MAX, String::new(), r.error.clone().unwrap_or_default()),
        };
        let _ = writeln!(
            h,
            "<tr><td class=\"{class}\">{word}</td><td><a href=\"#t{i}\">{}</a></td><td>{labels}</td><td>{}</td><td>{}</td><td data-sort=\"{days}\">{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&endpoint),
            esc(&tls),
            esc(&issuer),
            esc(&expires),
            esc(&chain),
            esc(&codes)
        );
    }
    h.push_str("</tbody></table>\n");

    // Per target: the chain it presents, and its findings.
    h.push_str("<h2>Chains and findings</h2>\n");
    for (i, r) in report.endpoints.iter().enumerate() {
        let (word, class) = status(r);
        let name = r.facts.as_ref().map(|f| f.endpoint.clone()).unwrap_or_else(|| format!("{}:{}", r.origin, r.line));
        let _ = writeln!(h, "<div class=\"target\" id=\"t{i}\"><b>{}</b> <span class=\"{class}\">{word}</span> <code>{}</code>", esc(&name), esc(&r.target));
        if let Some(f) = &r.facts {
            use crate::verify::rotation::Phase;
            let tag = match (f.rotation_chain.as_deref(), f.rotation_phase) {
                (Some(c), Some(Phase::After)) => format!("<span class=\"tag new\">{} chain (after the rotation)</span>", esc(c)),
                (Some(c), _) => format!("<span class=\"tag old\">{} chain (before the rotation)</span>", esc(c)),
                (None, _) if !f.chain.is_empty() => "<span class=\"tag none\">not a chain of the profile</span>".to_string(),
                (None, _) => String::new(),
            };
            if !f.chain.is_empty() {
                let _ = write!(h, "<div class=\"chain\">");
                for (k, subject) in f.chain.iter().enumerate() {
                    if k > 0 {
                        h.push_str("<span class=\"arrow\">&larr; issued by</span>");
                    }
                    let _ = write!(h, "<span class=\"cert{}\" title=\"{}\">{}</span>", if k == 0 { " leaf" } else { "" }, esc(subject), esc(&cn(subject)));
                }
                if let Some(issuer) = &f.issuer {
                    if f.chain.len() == 1 {
                        let _ = write!(h, "<span class=\"arrow\">&larr; issued by</span><span class=\"cert\">{} (not sent)</span>", esc(&cn(issuer)));
                    }
                }
                let _ = writeln!(h, "{tag}</div>");
            }
        } else if let Some(e) = &r.error {
            let _ = writeln!(h, "<div class=\"finding err\">{}</div>", esc(e));
        }
        for finding in &r.findings {
            let c = match finding.severity {
                Severity::Error => "err",
                Severity::Warning => "warn",
                _ => "ok",
            };
            let _ = writeln!(
                h,
                "<details class=\"finding\"><summary><span class=\"{c}\">{}</span> {} — {}</summary><p>{}</p><p><i>Fix:</i> {}</p></details>",
                esc(&finding.severity.to_string()),
                esc(finding.code.as_str()),
                esc(&finding.title),
                esc(&finding.detail),
                esc(&finding.fix)
            );
        }
        h.push_str("</div>\n");
    }
    h.push_str(
        r#"<script>
// Sort the table by the clicked column (numbers by data-sort when present).
document.querySelectorAll('#endpoints th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const rows = Array.from(body.rows);
  const asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
  const key = r => { const c = r.cells[col]; return c.dataset.sort !== undefined ? Number(c.dataset.sort) : c.textContent.toLowerCase(); };
  rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (asc ? 1 : -1));
  rows.forEach(r => body.appendChild(r));
}));
document.body.dataset.ready = 'yes';
</script>
</body></html>
"#,
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_it_prints() {
        assert_eq!(esc("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        let r = FleetRecord {
            origin: "inv".into(),
            line: 1,
            target: "<script>alert(1)</script>".into(),
            labels: Default::default(),
            error: Some("bad".into()),
            facts: None,
            findings: vec![],
            host: Default::default(),
        };
        let report = super::super::report(vec![r], OffsetDateTime::now_utc());
        let page = render(&report, OffsetDateTime::now_utc(), "t");
        assert!(!page.contains("<script>alert(1)") && page.contains("&lt;script&gt;alert(1)"));
        assert!(!page.contains("http://") && !page.contains("https://"), "no external assets");
    }
}
