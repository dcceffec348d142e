//! Human output: aligned, coloured when stdout is a terminal (anstream strips colour
//! otherwise and honours NO_COLOR / CLICOLOR_FORCE). Labels, doctor's steps and where each
//! setting came from, and probe's lines follow `--lang` (the reports keep them as typed values:
//! `run::steps::Detail`, `run::steps::SettingSource`); the facts inside them (names, versions,
//! paths, libpq's and the server's own words) stay as written. Findings' details and
//! case-specific fixes follow `--lang` where the check said them as messages
//! (`findings::Message`); the few still written as plain text stay English.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{localise, Render, RenderOptions};
use crate::findings::{Finding, Lang, Severity};
use crate::net::Negotiated;
use crate::probe::SslNegotiation;
use crate::run::fleet::Status as FleetStatus;
use crate::run::{
    BundleReport, ClientReport, DoctorReport, ExplainReport, FleetReport, HostView, LogsReport, ProbeReport,
    ProtocolsReport, RotationReportView, ServerReport, SessionsReport, TrustAuditReport, VerifyHost, VerifyReport,
};
use crate::verify::libpq::Verdict;
use crate::x509::colon_hex;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const BLUE: Style = AnsiColor::Blue.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();

fn paint(s: Style, text: &str) -> String {
    format!("{s}{text}{s:#}")
}

/// Fixed words of the human output, per language.
struct Words {
    /// error, warning, info — each padded to the width of "warning" (7 columns).
    severity: [&'static str; 3],
    fix: &'static str,
    none: &'static str,
    meaning: &'static str,
    how: &'static str,
    docs: &'static str,
    connects: &'static str,
    fails: &'static str,
    /// `libpq {N} settings:`, with the version in place of {N}.
    settings: &'static str,
    no_tls: &'static str,
    not_judged: &'static str,
    certificate: &'static str,
    then: &'static str,
    /// `"{subject}" issued by "{issuer}", valid to {date} ({days} days)`.
    issued: &'static str,
    steps: &'static str,
    login_unchecked: &'static str,
    /// `probe {endpoint} ({how}, SNI: {sni})`: the command's word, and what follows the endpoint.
    probe: &'static str,
    probe_how: &'static str,
    direct: &'static str,
    sni_none: &'static str,
    /// What the SSLRequest got, with `{error}` / `{preview}` in place.
    said_s: &'static str,
    said_n: &'static str,
    said_error: &'static str,
    said_other: &'static str,
    /// `TLS {v}  cipher {c} ({o})  group {g}  ALPN {a}`: the two labels.
    cipher: &'static str,
    group: &'static str,
    /// `certificate chain as sent by the server ({N}):`.
    chain: &'static str,
    /// A certificate's rows: issuer, serial, valid, key.
    rows: [&'static str; 4],
    /// `{N} days left`, `EXPIRED {N} days ago`, `(none)`, `{key}, signed with {alg}`.
    days_left: &'static str,
    expired: &'static str,
    nothing: &'static str,
    signed: &'static str,
    yes: &'static str,
    no: &'static str,
    self_signed: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            severity: ["error  ", "warning", "info   "],
            fix: "fix:",
            none: "no problems found",
            meaning: "What it means",
            how: "How to fix",
            docs: "PostgreSQL documentation",
            connects: "connects",
            fails: "FAILS",
            settings: "libpq {N} settings:",
            no_tls: "no TLS session",
            not_judged: "not judged",
            certificate: "certificate",
            then: "then",
            issued: "\"{subject}\" issued by \"{issuer}\", valid to {date} ({days} days)",
            steps: "steps:",
            login_unchecked: "; login not checked — `pgtls doctor` follows it",
            probe: "probe",
            probe_how: " ({how}, SNI: {sni})",
            direct: "direct SSL, ALPN postgresql",
            sni_none: "none",
            said_s: "SSLRequest answered 'S': the server is willing to speak TLS",
            said_n: "SSLRequest answered 'N': the server will not speak TLS",
            said_error: "SSLRequest answered with an error: {error}",
            said_other: "SSLRequest answered with non-PostgreSQL bytes: \"{preview}\"",
            cipher: "cipher",
            group: "group",
            chain: "certificate chain as sent by the server ({N}):",
            rows: ["issuer", "serial", "valid", "key"],
            days_left: "{N} days left",
            expired: "EXPIRED {N} days ago",
            nothing: "(none)",
            signed: "{key}, signed with {alg}",
            yes: "yes",
            no: "no",
            self_signed: ", self-signed",
        },
        Lang::Zh => Words {
            severity: ["错误   ", "警告   ", "提示   "],
            fix: "修复：",
            none: "未发现问题",
            meaning: "含义",
            how: "修复方法",
            docs: "PostgreSQL 文档",
            connects: "可以连接",
            fails: "连接失败",
            settings: "libpq {N} 的设置：",
            no_tls: "没有 TLS 会话",
            not_judged: "未判断",
            certificate: "证书",
            then: "其后",
            issued: "“{subject}”，由“{issuer}”签发，有效期至 {date}（剩余 {days} 天）",
            steps: "步骤：",
            login_unchecked: "；未检查登录 — `pgtls doctor` 会继续检查",
            probe: "探测",
            probe_how: "（{how}，SNI：{sni}）",
            direct: "直接 SSL，ALPN postgresql",
            sni_none: "无",
            said_s: "SSLRequest 的应答为 'S'：服务器愿意使用 TLS",
            said_n: "SSLRequest 的应答为 'N'：服务器不使用 TLS",
            said_error: "SSLRequest 的应答是一条错误：{error}",
            said_other: "SSLRequest 的应答不是 PostgreSQL 的数据：\"{preview}\"",
            cipher: "密码套件",
            group: "密钥交换组",
            chain: "服务器发送的证书链（{N} 个）：",
            rows: ["签发者", "序列号", "有效期", "密钥"],
            days_left: "剩余 {N} 天",
            expired: "已过期 {N} 天",
            nothing: "（无）",
            signed: "{key}，签名算法 {alg}",
            yes: "是",
            no: "否",
            self_signed: "，自签名",
        },
        Lang::Ja => Words {
            severity: ["エラー ", "警告   ", "情報   "],
            fix: "対処:",
            none: "問題は見つかりませんでした",
            meaning: "意味",
            how: "対処方法",
            docs: "PostgreSQL ドキュメント",
            connects: "接続できます",
            fails: "接続できません",
            settings: "libpq {N} の設定:",
            no_tls: "TLS セッションなし",
            not_judged: "未判定",
            certificate: "証明書",
            then: "次に",
            issued: "「{subject}」、発行者「{issuer}」、有効期限 {date}（残り {days} 日）",
            steps: "手順:",
            login_unchecked: "。ログインは未確認 — `pgtls doctor` で確認できます",
            probe: "プローブ",
            probe_how: "（{how}、SNI: {sni}）",
            direct: "直接 SSL、ALPN postgresql",
            sni_none: "なし",
            said_s: "SSLRequest への応答は 'S': サーバーは TLS を使えます",
            said_n: "SSLRequest への応答は 'N': サーバーは TLS を使いません",
            said_error: "SSLRequest への応答はエラーでした: {error}",
            said_other: "SSLRequest への応答は PostgreSQL のものではないバイト列です: \"{preview}\"",
            cipher: "暗号スイート",
            group: "鍵交換グループ",
            chain: "サーバーが送った証明書チェーン（{N} 枚）:",
            rows: ["発行者", "シリアル番号", "有効期間", "鍵"],
            days_left: "残り {N} 日",
            expired: "{N} 日前に期限切れ",
            nothing: "（なし）",
            signed: "{key}、署名アルゴリズム {alg}",
            yes: "はい",
            no: "いいえ",
            self_signed: "、自己署名",
        },
    }
}

fn severity_label(s: Severity, w: &Words) -> String {
    let [error, warning, info] = w.severity;
    match s {
        Severity::Error => paint(RED, error),
        Severity::Warning => paint(YELLOW, warning),
        Severity::Info => paint(BLUE, info),
    }
}

/// Findings as a list: severity, code, title, detail, fix. "no problems found" only when
/// there is nothing at all; information-only lists say so.
pub fn findings(out: &mut String, list: &[Finding], o: &RenderOptions) {
    let w = words(o.lang);
    if list.is_empty() {
        let _ = writeln!(out, "{}", paint(GREEN, w.none));
        return;
    }
    for f in list {
        let super::Localised { title, detail, fix } = localise(f, o.lang);
        let _ = writeln!(out, "{} {} {}", severity_label(f.severity, &w), paint(BOLD, f.code.as_str()), title);
        for line in detail.lines().filter(|l| !l.is_empty()) {
            let _ = writeln!(out, "        {line}");
        }
        if !fix.is_empty() {
            let _ = writeln!(out, "        {} {fix}", paint(GREEN, w.fix));
        }
        if o.verbose {
            for (k, v) in &f.evidence {
                let _ = writeln!(out, "        {} {v}", paint(DIM, &format!("{k}:")));
            }
        }
        let _ = writeln!(out, "        {}", paint(DIM, &format!("(pgtls explain {})", f.code)));
    }
}

fn cert(out: &mut String, i: usize, c: &crate::x509::Cert, days: i64, lang: Lang) {
    let w = words(lang);
    let validity = if days < 0 { w.expired.replace("{N}", &(-days).to_string()) } else { w.days_left.replace("{N}", &days.to_string()) };
    let none = || w.nothing.to_string();
    let [issuer, serial, valid, key] = w.rows;
    let _ = writeln!(out, "  #{i} {}", paint(BOLD, &c.subject));
    let rows: [(&str, String); 9] = [
        (issuer, c.issuer.clone()),
        (serial, c.serial.clone()),
        (valid, format!("{} → {} ({validity})", c.not_before.date(), c.not_after.date())),
        ("SAN", if c.san.is_empty() { none() } else { c.san.join(", ") }),
        (key, w.signed.replace("{key}", &c.key_description()).replace("{alg}", &c.signature_algorithm)),
        ("SHA-256", colon_hex(&c.sha256)),
        ("SKI", c.ski.as_deref().map(colon_hex).unwrap_or_else(none)),
        ("AKI", c.aki.as_deref().map(colon_hex).unwrap_or_else(none)),
        (
            "CA",
            format!(
                "{}{}{}{}",
                if c.is_ca { w.yes } else { w.no },
                c.path_len.map(|n| format!(" (pathlen {n})")).unwrap_or_default(),
                if c.self_signed { w.self_signed } else { "" },
                if c.version == 1 { ", X.509 v1" } else { "" }
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "     {} {v}", paint(DIM, &pad(k, 8)));
    }
}

/// `text` padded with spaces to `width` columns (a CJK character takes two).
fn pad(text: &str, width: usize) -> String {
    let wide = |c: char| matches!(c, '\u{1100}'..='\u{115f}' | '\u{2e80}'..='\u{a4cf}' | '\u{ac00}'..='\u{d7a3}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ff60}' | '\u{ffe0}'..='\u{ffe6}');
    let columns: usize = text.chars().map(|c| if wide(c) { 2 } else { 1 }).sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

/// libpq's outcome in one line.
pub fn verdict_line(v: &Verdict, o: &RenderOptions) -> String {
    let w = words(o.lang);
    // A run that stopped after TLS knows nothing of pg_hba.conf or the role: it says so.
    let login = if v.login_checked { "" } else { w.login_unchecked };
    let how = |tls: bool| {
        let h = if tls { crate::run::How::Tls { version: String::new(), chain_verified: v.chain_verified, hostname_verified: v.hostname_verified } } else { crate::run::How::WithoutTls };
        h.words(o.lang)
    };
    match &v.error {
        Some(e) => format!("libpq {} — {}", paint(RED, w.fails), e.replace('\n', "\n           ")),
        None if !v.tls => format!("libpq {} {}{}", paint(YELLOW, w.connects), how(false), if login.is_empty() { String::new() } else { format!(" ({})", login.trim_start_matches([';', '；', '。', ' '])) }),
        None => {
            let color = if v.chain_verified || v.hostname_verified { GREEN } else { YELLOW };
            format!("libpq {} ({}{login})", paint(color, w.connects), how(true))
        }
    }
}

/// One probed host.
fn host(out: &mut String, h: &HostView, o: &RenderOptions) {
    let w = words(o.lang);
    let how = match h.negotiation {
        SslNegotiation::Postgres => "SSLRequest",
        SslNegotiation::Direct => w.direct,
    };
    let sni = h.sni.as_deref().unwrap_or(w.sni_none);
    let _ = writeln!(out, "{} {}{}", paint(BOLD, w.probe), h.display_name(), w.probe_how.replace("{how}", how).replace("{sni}", sni));
    if let Some(v) = &h.verdict {
        let _ = writeln!(out, "  {}", verdict_line(v, o));
    }
    if !o.quiet {
        let said = match &h.reply {
            Some(Negotiated::Accept) => Some(w.said_s.to_string()),
            Some(Negotiated::Refuse) => Some(w.said_n.to_string()),
            Some(Negotiated::Error { error }) => Some(w.said_error.replace("{error}", &error.to_string())),
            Some(Negotiated::Unexpected { preview, .. }) => Some(w.said_other.replace("{preview}", preview)),
            None => None,
        };
        if let Some(said) = said {
            let _ = writeln!(out, "  {said}");
        }
        if let Some(v) = &h.tls_version {
            let _ = writeln!(
                out,
                "  {} {}  {} {} ({})  {} {}  ALPN {}",
                paint(BOLD, "TLS"),
                v,
                w.cipher,
                h.cipher.as_deref().unwrap_or("-"),
                h.cipher_openssl.as_deref().unwrap_or("-"),
                w.group,
                h.group.as_deref().unwrap_or("-"),
                h.alpn.as_deref().unwrap_or("-")
            );
        }
        if !h.chain.is_empty() {
            let _ = writeln!(out, "  {}", w.chain.replace("{N}", &h.chain.len().to_string()));
            for (i, c) in h.chain.iter().enumerate() {
                cert(out, i, &c.cert, c.days_left, o.lang);
            }
        }
        if o.pem {
            for c in &h.chain {
                out.push_str(&c.cert.to_pem());
            }
        }
    }
}

impl Render for ProbeReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        for h in &self.hosts {
            host(&mut s, h, o);
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

fn verify_host(s: &mut String, h: &VerifyHost, libpq: u32, o: &RenderOptions) {
    let _ = writeln!(s, "verify {} as libpq {libpq} would (sslmode={})", h.display_name, h.sslmode);
    let _ = writeln!(s, "  trust source: {}", h.trust_source.as_deref().unwrap_or("none (no verification)"));
    if let Some(r) = &h.verdict.revocation {
        let _ = writeln!(s, "  revocation: checked against {r}");
    }
    let _ = writeln!(s, "  verdict: {}", verdict_line(&h.verdict, o));
    if !o.quiet && !h.attempts.is_empty() {
        let _ = writeln!(s, "  trust paths ({} tried, {} valid):", h.attempts.len(), h.paths.len());
        for a in &h.attempts {
            let _ = writeln!(s, "    {}", a.describe);
        }
    }
}

/// `--client`: one line per client stack.
fn stack_table(s: &mut String, verdicts: &[crate::verify::clients::StackVerdict]) {
    if verdicts.is_empty() {
        return;
    }
    let _ = writeln!(s, "{}", paint(BOLD, "client stacks:"));
    for v in verdicts {
        let name = match &v.variant {
            Some(var) => format!("{}:{var}", v.client),
            None => v.client.to_string(),
        };
        let outcome = if v.connects {
            let how = crate::verify::protection(v.tls, v.chain_verified, v.hostname_verified);
            format!("{} ({how})", paint(BOLD, "connects"))
        } else {
            format!("{}: {}", paint(RED, "FAILS"), v.error.as_deref().unwrap_or("").lines().next().unwrap_or(""))
        };
        let _ = writeln!(s, "  {name:<28} {outcome}");
        let _ = writeln!(s, "  {:<28} it checks: {}", "", v.checks);
        if let Some(fix) = &v.fix {
            let _ = writeln!(s, "  {:<28} fix: {fix}", "");
        }
    }
}

impl Render for VerifyReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        for h in &self.hosts {
            verify_host(&mut s, h, self.libpq_major, o);
        }
        stack_table(&mut s, &self.verdicts);
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for DoctorReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        let failing = self.exit_code >= 2;
        let _ = writeln!(s, "{}", paint(if failing { RED } else { BOLD }, &self.first_line.sentence(o.lang)));
        if !o.quiet {
            let w = words(o.lang);
            let _ = writeln!(s, "  {}", w.settings.replace("{N}", &self.libpq_major.to_string()));
            for st in &self.settings {
                let _ = writeln!(s, "    {:<26} {}{}", st.name, st.value, st.origin.from_words(o.lang));
            }
            for h in &self.hosts {
                let tls = match (&h.tls_version, &h.cipher) {
                    (Some(v), Some(c)) => format!("{v} {c}"),
                    _ => w.no_tls.into(),
                };
                let outcome = h.verdict.as_ref().map(|v| verdict_line(v, o)).unwrap_or_else(|| w.not_judged.into());
                let _ = writeln!(s, "  {:<32} {tls:<40} {outcome}", h.endpoint);
                for (i, c) in h.chain.iter().enumerate() {
                    let what = if i == 0 { w.certificate } else { w.then };
                    let issued = w
                        .issued
                        .replace("{subject}", &crate::verify::short_name(&c.cert.subject))
                        .replace("{issuer}", &crate::verify::short_name(&c.cert.issuer))
                        .replace("{date}", &c.cert.not_after.date().to_string())
                        .replace("{days}", &c.days_left.to_string());
                    let _ = writeln!(s, "    {what:<11} {issued}");
                }
            }
            let _ = writeln!(s, "  {}", w.steps);
            for st in &self.steps {
                use crate::run::steps::Outcome;
                let (mark, color) = match st.outcome {
                    Outcome::Ok => ("✓", BOLD),
                    Outcome::Failed => ("✗", RED),
                    Outcome::Warning => ("!", RED),
                    Outcome::Skipped => ("-", BOLD),
                };
                let ms = st.ms.map(|m| format!(" ({m} ms)")).unwrap_or_default();
                let detail = st.what.sentence(o.lang);
                let first = detail.lines().next().unwrap_or("");
                let _ = writeln!(s, "    {} {} {first}{ms}", paint(color, mark), pad(st.step.words(o.lang), 15));
            }
        }
        stack_table(&mut s, &self.verdicts);
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for TrustAuditReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        for st in &self.stores {
            let _ = writeln!(s, "{} — {} certificate(s){}", st.source, st.entries.len(), if st.pem { "" } else { " (not all PEM: libpq reads only PEM)" });
            if !o.quiet {
                // A distribution bundle: its healthy roots in one line (--verbose lists them).
                let bundle = st.entries.len() > crate::trust::HAND_MADE_MAX && !o.verbose;
                // Roots whose only weakness is their own self-signature's algorithm count as
                // healthy: OpenSSL never checks a root's own signature.
                let healthy = |e: &&crate::run::EntryView| {
                    let f = &e.flags;
                    f.kind == crate::x509::CertKind::Root && !f.expired && !f.not_yet_valid && f.duplicate_of.is_none() && (!f.weak || f.weak_self_signature_only)
                };
                if bundle {
                    let n = st.entries.iter().filter(healthy).count();
                    let sha1 = st.entries.iter().filter(healthy).filter(|e| e.flags.weak).count();
                    if sha1 > 0 {
                        let _ = writeln!(
                            s,
                            "  {n} valid roots, {sha1} of them self-signed with a weak hash, which OpenSSL never checks on a root (--verbose lists them)"
                        );
                    } else {
                        let _ = writeln!(s, "  {n} valid roots (--verbose lists them)");
                    }
                }
                for e in st.entries.iter().filter(|e| !bundle || !healthy(e)) {
                    let f = &e.flags;
                    let kind = match f.kind {
                        crate::x509::CertKind::Root => "root",
                        crate::x509::CertKind::Intermediate => "intermediate",
                        crate::x509::CertKind::Leaf => "leaf",
                    };
                    let mut flags = vec![kind.to_string()];
                    if f.expired {
                        flags.push("EXPIRED".into())
                    }
                    if f.not_yet_valid {
                        flags.push("not yet valid".into())
                    }
                    if let Some(d) = f.duplicate_of {
                        flags.push(format!("duplicate of #{d}"))
                    }
                    if f.weak {
                        flags.push("weak".into())
                    }
                    let _ = writeln!(s, "  #{:<4} {:<28} {}  (until {}, {})", e.index, flags.join(", "), e.subject, e.not_after.date(), e.label);
                }
                for k in &st.skipped {
                    let _ = writeln!(s, "  skipped: {k}");
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for RotationReportView {
    fn human(&self, o: &RenderOptions) -> String {
        let r = &self.report;
        let mut s = format!("{} — {} at {}\n", r.title, r.store, r.at.date());
        if !o.quiet {
            for ch in &r.chains {
                let mark = match (ch.verifies, ch.covered.len()) {
                    (true, _) => "verifies".to_string(),
                    (false, 0) => "FAILS".to_string(),
                    (false, n) => format!("verifies for {n} of {} issuing CAs only", ch.issuing),
                };
                let when = match (ch.phase, ch.from) {
                    (crate::verify::rotation::Phase::Before, _) if ch.until_rotated => "before the rotation, and until every server has rotated".to_string(),
                    (crate::verify::rotation::Phase::Before, _) => "before the rotation".to_string(),
                    (crate::verify::rotation::Phase::After, Some(d)) => format!("after the rotation, from {d}"),
                    (crate::verify::rotation::Phase::After, None) => "after the rotation".to_string(),
                };
                let _ = writeln!(s, "  {} chain ({when}): {} — {mark}", ch.name, ch.path.join(" → "));
                let _ = writeln!(s, "      {}", ch.reason);
                if ch.verifies_without_optional == Some(false) {
                    let _ = writeln!(s, "      without the cross-sign: FAILS — {}", ch.reason_without_optional.as_deref().unwrap_or(""));
                }
            }
            if r.roots.len() <= 8 {
                for x in &r.roots {
                    let state = if x.present { "present" } else { "absent" };
                    let _ = writeln!(s, "  root {:<46} {state}{}", x.cn, x.found.as_ref().map(|f| format!(" — {f}")).unwrap_or_default());
                }
            } else {
                let absent: Vec<&str> = r.roots.iter().filter(|x| !x.present).map(|x| x.cn.as_str()).collect();
                let _ = writeln!(s, "  roots: {} of {} present (--format json lists each)", r.roots.len() - absent.len(), r.roots.len());
                if !absent.is_empty() {
                    let more = if absent.len() > 5 { format!(" and {} more", absent.len() - 5) } else { String::new() };
                    let _ = writeln!(s, "  absent: {}{more}", absent.iter().take(5).copied().collect::<Vec<_>>().join(", "));
                }
            }
            for p in &r.pinned {
                let _ = writeln!(s, "  intermediate in the store (never an anchor for libpq): {p}");
            }
            for sv in &r.servers {
                let v = match sv.verifies {
                    Some(true) => "verifies",
                    Some(false) => "FAILS",
                    None => "unreachable",
                };
                let _ = writeln!(s, "  server {} presents the {} chain — {v}", sv.endpoint, sv.chain.as_deref().unwrap_or("unknown"));
            }
            for n in &r.not_checked {
                let _ = writeln!(s, "  not checked: {n}");
            }
            match (r.ready, r.ready_until) {
                (true, Some(d)) => {
                    let _ = writeln!(s, "  ready: yes, until {d} (then NO: see the findings)");
                }
                (ready, _) => {
                    let _ = writeln!(s, "  ready: {}", if ready { "yes" } else { "NO" });
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for BundleReport {
    /// The PEM itself, or a line saying where it was written.
    fn human(&self, _o: &RenderOptions) -> String {
        match &self.output {
            Some(p) => format!("wrote {} ({} certificate(s))\n", p.display(), self.bundle.roots.len()),
            None => self.bundle.pem(),
        }
    }
}

impl Render for ProtocolsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        for h in &self.hosts {
            if !o.quiet {
                match &h.scan {
                    Some(r) => {
                        let _ = writeln!(s, "protocols {}  ({} handshakes; each leaves a line in the server log)", h.endpoint, r.handshakes);
                        let _ = writeln!(s, "  client: {} allows {}", self.client.name, self.client_range);
                        for v in &r.versions {
                            let mark = if self.client.allows(v.version) { " " } else { "·" };
                            if v.accepted {
                                let pref = match v.server_preference {
                                    Some(true) => ", server's order",
                                    Some(false) => ", client's order",
                                    None => "",
                                };
                                let _ = writeln!(s, " {mark}{:<8} accepted  {} suite(s){pref}{}", v.version.name(), v.ciphers.len(), if v.complete { "" } else { " (incomplete)" });
                                for c in &v.ciphers {
                                    let strength = c.strength().map(|x| format!("{x:?}").to_lowercase()).unwrap_or_else(|| "unknown".into());
                                    let _ = writeln!(s, "      {:<34} {:<46} {strength}", c.openssl_name(), c.name());
                                }
                            } else {
                                let _ = writeln!(s, " {mark}{:<8} refused   {}", v.version.name(), v.refused_with.as_deref().unwrap_or(""));
                            }
                        }
                        for g in &r.groups {
                            if !g.groups.is_empty() {
                                let _ = writeln!(s, "  groups {}: {}", g.version.name(), g.groups.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", "));
                            }
                        }
                        if let Some(sig) = &r.signature_algorithm {
                            let _ = writeln!(s, "  signature algorithm (TLS 1.2): {sig}");
                        }
                        if let Some(b) = r.dh_bits {
                            let _ = writeln!(s, "  DHE prime: {b} bits");
                        }
                        if !h.key_types.is_empty() {
                            let each: Vec<String> = h
                                .key_types
                                .iter()
                                .map(|k| match (&k.key, k.offered) {
                                    (Some(key), true) => format!("{} offered ({key})", k.family.name()),
                                    _ => format!("{} not offered", k.family.name()),
                                })
                                .collect();
                            let _ = writeln!(s, "  certificate key types: {}", each.join("; "));
                        }
                        for n in &r.notes {
                            let _ = writeln!(s, "  note: {n}");
                        }
                        for e in &r.errors {
                            let _ = writeln!(s, "  error: {} {}: {}", e.version.name(), e.stage, e.message);
                        }
                        let _ = writeln!(s, "  (· = outside the client's range)");
                    }
                    None => {
                        let _ = writeln!(s, "protocols {}: not scanned — no TLS server answered (see below)", h.endpoint);
                    }
                }
            }
            findings(&mut s, &h.findings, o);
        }
        s
    }
}

impl Render for ServerReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        if let Some(pg) = &self.postgres {
            let _ = writeln!(s, "server configuration {}", pg.config.display());
            if !o.quiet {
                let _ = writeln!(s, "  data directory  {}", pg.data_dir.display());
                for (n, v) in &pg.settings {
                    let _ = writeln!(s, "  {n:<26} {:<30} ({})", v.value, v.at);
                }
                if let (Some(cn), Some(rule)) = (&pg.client_cert_name, &pg.hba_rule) {
                    let _ = writeln!(s, "  client certificate \"{cn}\" meets {rule}");
                }
            }
        }
        if let Some(pb) = &self.pgbouncer {
            let _ = writeln!(s, "PgBouncer configuration {}", pb.file.display());
            if !o.quiet {
                for leg in ["client_tls_sslmode", "server_tls_sslmode"] {
                    if !pb.settings.contains_key(leg) {
                        let _ = writeln!(s, "  {leg:<26} {:<30} (not set: PgBouncer's default)", "disable");
                    }
                }
                for (n, v) in &pb.settings {
                    let _ = writeln!(s, "  {n:<26} {:<30} ({})", v.value, v.at);
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

fn driver(s: &mut String, t: &crate::config::client::ClientTlsSettings) {
    let _ = writeln!(s, "{}: behaves like sslmode={}", t.source, t.mode);
    let _ = writeln!(s, "  verifies the server   {}", if t.verifies_server { "yes" } else { "no" });
    let hostname = match t.checks_hostname {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown (depends on the version or a custom class)",
    };
    let _ = writeln!(s, "  checks the host name  {hostname}");
    let _ = writeln!(s, "  trusted roots         {}", if t.trust.is_empty() { "none configured".to_string() } else { t.trust.iter().map(|t| t.to_string()).collect::<Vec<_>>().join("; ") });
    for (k, v) in &t.origins {
        let _ = writeln!(s, "  {k:<21} {v}");
    }
    for n in &t.notes {
        let _ = writeln!(s, "  note: {n}");
    }
}

impl Render for ClientReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        if !o.quiet {
            if let Some(l) = &self.libpq {
                let _ = writeln!(s, "libpq settings: {}", l.resolved);
                let _ = writeln!(s, "  sslmode        {} (from {})", l.sslmode, l.sslmode_source);
                for f in &l.files {
                    let state = if !f.exists { "missing".to_string() } else { format!("mode {:04o}", f.mode.unwrap_or(0)) };
                    let _ = writeln!(s, "  {:<14} {} [{state}] (from {})", f.keyword, f.path, f.source);
                }
                if let crate::trust::RootTrust::Loaded(st) = &l.root {
                    let _ = writeln!(s, "  trusted roots  {} ({} certificate(s))", st.source, st.entries.len());
                }
            }
            for d in [&self.kong, &self.jdbc].into_iter().flatten() {
                if !s.is_empty() {
                    s.push('\n');
                }
                driver(&mut s, d);
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for SessionsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        if !o.quiet {
            match &self.sessions {
                Some(f) => {
                    let _ = writeln!(s, "{}", f.server_version);
                    let _ = writeln!(s, "pgtls's own connection: {} (role {})", if f.own_connection_ssl { "TLS" } else { "no TLS" }, f.role);
                    let _ = writeln!(s, "{:>5}  {:<5} {:<8} {:<28} {:<12} {:<12} {:<16} application / backend", "count", "ssl", "version", "cipher", "database", "user", "client");
                    for g in &f.groups {
                        let _ = writeln!(
                            s,
                            "{:>5}  {:<5} {:<8} {:<28} {:<12} {:<12} {:<16} {} / {}",
                            g.count,
                            if g.ssl { "yes" } else { "NO" },
                            g.version.as_deref().unwrap_or("-"),
                            g.cipher.as_deref().unwrap_or("-"),
                            g.database.as_deref().unwrap_or("-"),
                            g.user.as_deref().unwrap_or("-"),
                            g.client_addr.as_deref().unwrap_or("(local)"),
                            g.application_name.as_deref().unwrap_or("-"),
                            g.backend_type.as_deref().unwrap_or("-")
                        );
                    }
                    match f.ssl_is_used {
                        Some(u) => {
                            let _ = writeln!(s, "ssl_is_used(): {u}");
                        }
                        None => {
                            let _ = writeln!(s, "ssl_is_used(): sslinfo is not installed in this database (pgtls never creates it)");
                        }
                    }
                    for (k, v) in &f.settings {
                        let _ = writeln!(s, "  {k:<28} {v}");
                    }
                    if let Some(n) = &f.hba_note {
                        let _ = writeln!(s, "note: {n}");
                    }
                }
                None => {
                    for h in &self.connection {
                        host(&mut s, h, o);
                    }
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for FleetReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut out = String::new();
        let now = self.at;
        if !o.quiet {
            for r in &self.endpoints {
                let Some(f) = &r.facts else {
                    let _ = writeln!(out, "{} {}:{} {}", paint(RED, "ERROR"), r.origin, r.line, r.error.as_deref().unwrap_or("not probed"));
                    continue;
                };
                let tls = match (&f.tls_version, &f.cipher) {
                    (Some(v), Some(c)) => format!("{v} {c}"),
                    _ => "-".into(),
                };
                let leaf = match (&f.leaf_subject, f.not_after) {
                    (Some(subject), Some(t)) => {
                        let d = (t - now).whole_days();
                        let when = if d < 0 { format!("expired {} days ago", -d) } else { format!("expires in {d} days") };
                        format!("{subject} ({when})")
                    }
                    _ => String::new(),
                };
                let status = match r.status() {
                    FleetStatus::Fails | FleetStatus::BadTarget => paint(RED, "ERROR"),
                    FleetStatus::Warning => paint(YELLOW, "WARN "),
                    FleetStatus::Ok => paint(GREEN, "ok   "),
                };
                let _ = writeln!(out, "{status} {:<24} {:<40} {leaf} {}", f.endpoint, tls, f.codes.join(","));
            }
            let _ = writeln!(out);
        }
        let sm = &self.summary;
        let _ = writeln!(out, "{} endpoints, {} with TLS, {} where the client fails", sm.endpoints, sm.tls_ok, sm.failing);
        if sm.bad_targets > 0 {
            let _ = writeln!(out, "{} inventory line(s) could not be probed (see ERROR lines)", sm.bad_targets);
        }
        for (v, n) in &sm.versions {
            let _ = writeln!(out, "  {v}: {n}");
        }
        if !sm.issuers.is_empty() {
            let _ = writeln!(out, "server certificates by issuer:");
            for (i, n) in &sm.issuers {
                let _ = writeln!(out, "  {n:>6}  {i}");
            }
        }
        if let Some((ep, d)) = &sm.soonest_expiry {
            if *d < 0 {
                let _ = writeln!(out, "soonest expiry: {ep} expired {} days ago", -d);
            } else {
                let _ = writeln!(out, "soonest expiry: {ep} in {d} days");
            }
        }
        if !sm.codes.is_empty() {
            let _ = writeln!(out, "endpoints per finding:");
            for (c, n) in &sm.codes {
                let _ = writeln!(out, "  {n:>6}  {c}");
            }
        }
        out
    }
}

impl Render for ExplainReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        match self {
            ExplainReport::List(entries) => entries
                .iter()
                .map(|e| format!("{:<28} {:<8} {}\n", e.code, e.severity.to_string(), e.text(o.lang).title))
                .collect(),
            ExplainReport::Code(e) => {
                let t = e.text(o.lang);
                let mut s = format!("{} ({})\n{}\n\n", e.code, e.severity, t.title);
                let _ = write!(s, "{}\n  {}\n\n{}\n  {}\n", w.meaning, t.explanation, w.how, t.fix);
                if !e.docs.is_empty() {
                    let _ = writeln!(s, "\n{}", w.docs);
                    for d in &e.docs {
                        let _ = writeln!(s, "  - {d}");
                    }
                }
                s
            }
            ExplainReport::Text { recognised, findings: found, .. } => {
                let mut s = String::new();
                if found.is_empty() {
                    let _ = writeln!(s, "pgtls recognises no TLS-related PostgreSQL message in this text (it never guesses).");
                    let _ = writeln!(s, "Paste the whole error (client output or server log lines), or see `pgtls explain --list`.");
                }
                for (r, f) in recognised.iter().zip(found) {
                    let _ = writeln!(s, "line {}: {}", r.line, f.evidence.get("matched").map(String::as_str).unwrap_or(""));
                    findings(&mut s, std::slice::from_ref(f), &RenderOptions { verbose: true, ..*o });
                }
                s
            }
        }
    }
}

impl Render for LogsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let sm = &self.summary;
        let mut s = format!("{} bytes read, {} candidate lines, {} TLS-related lines\n", sm.bytes, sm.candidate_lines, sm.matched_lines);
        let mut by_count: Vec<_> = sm.codes.iter().collect();
        by_count.sort_by_key(|(_, st)| std::cmp::Reverse(st.count));
        for (code, st) in by_count {
            let entry = crate::findings::catalogue().get(code);
            let title = entry.map(|e| e.text(o.lang).title.clone()).unwrap_or_default();
            let _ = writeln!(s, "\n{:>8}  {code}  {title}", st.count);
            let _ = writeln!(s, "          first {}  last {}", st.first_seen.as_deref().unwrap_or("?"), st.last_seen.as_deref().unwrap_or("?"));
            let top = |v: Vec<crate::logs::Count>| v.iter().map(|c| format!("{} ({})", c.value, c.count)).collect::<Vec<_>>().join(", ");
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
            if let (Some(e), false) = (entry, o.quiet) {
                let _ = writeln!(s, "          {:<9} {}", words(o.lang).fix, e.text(o.lang).fix);
            }
        }
        if sm.codes.is_empty() {
            s += "no TLS-related messages found\n";
        }
        for sc in &sm.scanners {
            let kinds = sc.handshakes.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(", ");
            let _ = writeln!(
                s,
                "\nscanner {}: {} handshake failure(s) between {} and {} ({kinds}) — a TLS scan (pgtls protocols, sslscan, testssl.sh …), counted apart",
                sc.client,
                sc.handshakes.values().sum::<u64>(),
                sc.first_seen.as_deref().unwrap_or("?"),
                sc.last_seen.as_deref().unwrap_or("?")
            );
        }
        s
    }
}

