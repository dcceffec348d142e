//! `fleet --html FILE`: one self-contained page (no external assets: inline CSS, SVG and a few
//! lines of script) to hand to whoever owns the servers: summary counts, an expiry timeline,
//! a sortable table, and per target the chain it presents — with `--profile`, marked as the
//! provider's old or new chain — and its findings. Its words follow `--lang`, from the human
//! renderer's table (`report::human::words`), so a word is translated in one place.

use std::fmt::Write as _;

use time::OffsetDateTime;

use crate::run::fleet::{FleetRecord, FleetReport, Status};
use crate::findings::{Lang, Severity};
use super::human::{error_words, fill, words, Words};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The status word and its CSS class.
fn status(r: &FleetRecord, w: &Words) -> (&'static str, &'static str) {
    let [bad, fails, warning, ok] = w.html_status;
    match r.status() {
        Status::BadTarget => (bad, "err"),
        Status::Fails => (fails, "err"),
        Status::Warning => (warning, "warn"),
        Status::Ok => (ok, "ok"),
    }
}

/// The short name of a DN (its CN, else the whole DN).
fn cn(dn: &str) -> String {
    crate::verify::short_name(dn)
}

/// The page for `report` (inventory `origin`), with its words in `lang`.
pub fn render(report: &FleetReport, now: OffsetDateTime, origin: &str, lang: Lang) -> String {
    let w = words(lang);
    let title = fill(w.html_title, &[("origin", &origin)]);
    let [endpoints, with_tls, failing, not_probed, present] = w.html_cards;
    let [expiry, endpoints_heading, chains_heading] = w.html_headings;
    let sm = &report.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{t}</title>
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
<p>{generated}</p>
<div class="cards">
<div class="card"><b>{n}</b>{endpoints}</div>
<div class="card"><b class="ok">{tls}</b>{with_tls}</div>
<div class="card"><b class="err">{fail}</b>{failing}</div>
<div class="card"><b class="err">{bad}</b>{not_probed}</div>
"#,
        lang = w.html_lang,
        t = esc(&title),
        generated = esc(&fill(w.html_generated, &[("date", &now.date()), ("version", &env!("CARGO_PKG_VERSION"))])),
        n = sm.endpoints,
        tls = sm.tls_ok,
        fail = sm.failing,
        bad = sm.bad_targets,
    );
    for (chain, count) in &sm.rotation_chains {
        let _ = writeln!(h, "<div class=\"card\"><b>{count}</b>{}</div>", esc(&fill(present, &[("chain", chain)])));
    }
    h.push_str("</div>\n");

    // Expiry timeline: days left on a line from -30 to +365, one mark per endpoint.
    let _ = writeln!(h, "<h2>{expiry}</h2>");
    let (lo, hi) = (-30i64, 365i64);
    let width = 1000.0;
    let x = |d: i64| 40.0 + (d.clamp(lo, hi) - lo) as f64 / (hi - lo) as f64 * (width - 80.0);
    let _ = writeln!(h, "<svg id=\"timeline\" width=\"{width}\" height=\"90\" viewBox=\"0 0 {width} 90\" role=\"img\" aria-label=\"{}\">", w.html_timeline);
    let _ = writeln!(h, "<line x1=\"40\" y1=\"50\" x2=\"{}\" y2=\"50\" stroke=\"#99a\"/>", width - 40.0);
    let day = |n: i64| fill(w.html_days, &[("N", &n)]);
    for (d, label) in [(lo, day(-30)), (0, w.html_today.to_string()), (30, day(30)), (90, day(90)), (180, day(180)), (hi, day(365) + "+")] {
        let _ = writeln!(h, "<line x1=\"{0:.1}\" y1=\"44\" x2=\"{0:.1}\" y2=\"56\" stroke=\"#99a\"/><text x=\"{0:.1}\" y=\"75\" font-size=\"11\" text-anchor=\"middle\">{label}</text>", x(d));
    }
    for r in &report.endpoints {
        let Some(f) = &r.facts else { continue };
        let Some(t) = f.not_after else { continue };
        let d = (t - now).whole_days();
        let color = if d < 0 { "#cf222e" } else if d < 30 { "#9a6700" } else { "#1a7f37" };
        let _ = writeln!(
            h,
            "<circle class=\"expiry\" cx=\"{:.1}\" cy=\"50\" r=\"6\" fill=\"{color}\" fill-opacity=\"0.7\"><title>{}: {} ({})</title></circle>",
            x(d),
            esc(&f.endpoint),
            t.date(),
            fill(w.html_days_left, &[("N", &d)])
        );
    }
    h.push_str("</svg>\n");

    // The table.
    let head: String = w.html_columns.iter().map(|c| format!("<th>{c}</th>")).collect();
    let _ = writeln!(h, "<h2>{endpoints_heading}</h2>\n<table id=\"endpoints\"><thead><tr>{head}</tr></thead><tbody>");
    for (i, r) in report.endpoints.iter().enumerate() {
        let (word, class) = status(r, &w);
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
            None => (format!("{}:{}", r.origin, r.line), String::new(), String::new(), String::new(), i64::MAX, String::new(), error_words(r.error.as_deref().unwrap_or_default(), lang)),
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
    let _ = writeln!(h, "<h2>{chains_heading}</h2>");
    for (i, r) in report.endpoints.iter().enumerate() {
        let (word, class) = status(r, &w);
        let name = r.facts.as_ref().map(|f| f.endpoint.clone()).unwrap_or_else(|| format!("{}:{}", r.origin, r.line));
        let _ = writeln!(h, "<div class=\"target\" id=\"t{i}\"><b>{}</b> <span class=\"{class}\">{word}</span> <code>{}</code>", esc(&name), esc(&r.target));
        if let Some(f) = &r.facts {
            use crate::verify::rotation::Phase;
            let tag = match (f.rotation_chain.as_deref(), f.rotation_phase) {
                (Some(c), Some(Phase::After)) => format!("<span class=\"tag new\">{}</span>", esc(&fill(w.html_chain_tag, &[("chain", &c), ("when", &w.after)]))),
                (Some(c), _) => format!("<span class=\"tag old\">{}</span>", esc(&fill(w.html_chain_tag, &[("chain", &c), ("when", &w.before)]))),
                (None, _) if !f.chain.is_empty() => format!("<span class=\"tag none\">{}</span>", w.html_no_chain),
                (None, _) => String::new(),
            };
            if !f.chain.is_empty() {
                let _ = write!(h, "<div class=\"chain\">");
                for (k, subject) in f.chain.iter().enumerate() {
                    if k > 0 {
                        let _ = write!(h, "<span class=\"arrow\">&larr; {}</span>", w.html_issued_by);
                    }
                    let _ = write!(h, "<span class=\"cert{}\" title=\"{}\">{}</span>", if k == 0 { " leaf" } else { "" }, esc(subject), esc(&cn(subject)));
                }
                if let Some(issuer) = &f.issuer {
                    if f.chain.len() == 1 {
                        let _ = write!(h, "<span class=\"arrow\">&larr; {}</span><span class=\"cert\">{} {}</span>", w.html_issued_by, esc(&cn(issuer)), w.html_not_sent);
                    }
                }
                let _ = writeln!(h, "{tag}</div>");
            }
        } else if let Some(e) = &r.error {
            let _ = writeln!(h, "<div class=\"finding err\">{}</div>", esc(&error_words(e, lang)));
        }
        for finding in &r.findings {
            let [error, warning, info] = w.severity.map(str::trim_end);
            let (c, severity) = match finding.severity {
                Severity::Error => ("err", error),
                Severity::Warning => ("warn", warning),
                Severity::Info => ("ok", info),
            };
            let said = super::localise(finding, lang);
            let _ = writeln!(
                h,
                "<details class=\"finding\"><summary><span class=\"{c}\">{}</span> {} — {}</summary><p>{}</p><p><i>{}</i> {}</p></details>",
                esc(severity),
                esc(finding.code.as_str()),
                esc(&said.title),
                esc(&said.detail),
                esc(w.html_fix),
                esc(&said.fix)
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
        let report = crate::run::fleet::report(vec![r], OffsetDateTime::now_utc());
        let page = render(&report, OffsetDateTime::now_utc(), "t", Lang::En);
        assert!(!page.contains("<script>alert(1)") && page.contains("&lt;script&gt;alert(1)"));
        assert!(!page.contains("http://") && !page.contains("https://"), "no external assets");
    }
}
