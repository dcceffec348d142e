//! Human output: aligned, coloured when stdout is a terminal (anstream strips colour
//! otherwise and honours NO_COLOR / CLICOLOR_FORCE). Every command's fixed words follow
//! `--lang` from one table, `words` (fleet's HTML page and the binary's demo read it too);
//! doctor's steps and where each setting came from are typed values the reports keep
//! (`run::steps::Detail`, `run::steps::SettingSource`). Words the facts keep as English text —
//! a config reader's notes, the scanner's notes, trust paths, what a client stack checks and
//! its fix, a connection string's hint — are said again through their `details.toml` templates
//! (`Message::from_english`), so that saved facts and JSON stay as they were. The facts inside
//! (names, versions, paths, libpq's, OpenSSL's and the server's own words) stay as written.
//! Findings' details and case-specific fixes follow `--lang` where the check said them as
//! messages (`findings::Message`); a finding read back from JSON (`merge`) has only its English.

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
pub(crate) struct Words {
    /// error, warning, info — each padded to the width of "warning" (7 columns).
    pub(crate) severity: [&'static str; 3],
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
    // verify
    /// `verify {name} as libpq {N} would (sslmode={mode})`.
    verify_head: &'static str,
    trust_source: &'static str,
    trust_none: &'static str,
    revocation: &'static str,
    verdict: &'static str,
    /// `trust paths ({tried} tried, {valid} valid):`.
    trust_paths: &'static str,
    stacks: &'static str,
    it_checks: &'static str,
    // protocols
    /// `protocols {endpoint}  ({N} handshakes; …)`.
    protocols_head: &'static str,
    protocols_none: &'static str,
    /// `client: {name} allows {range}`.
    client_allows: &'static str,
    server_order: &'static str,
    client_order: &'static str,
    /// `accepted  {N} suite(s)`, padded so that the suites line up with `refused`.
    accepted: &'static str,
    refused: &'static str,
    incomplete: &'static str,
    /// insecure, weak, medium, strong, unknown.
    strength: [&'static str; 5],
    /// `groups {version}: {list}`.
    groups: &'static str,
    signature: &'static str,
    /// `DHE prime: {N} bits`.
    dhe: &'static str,
    key_offered: &'static str,
    key_not_offered: &'static str,
    key_types: &'static str,
    note: &'static str,
    error: &'static str,
    outside_range: &'static str,
    // server
    server_head: &'static str,
    data_dir: &'static str,
    /// `client certificate "{cn}" meets {rule}`.
    cert_meets: &'static str,
    pgbouncer_head: &'static str,
    pgbouncer_default: &'static str,
    // client
    /// `{source}: behaves like sslmode={mode}`.
    behaves: &'static str,
    /// verifies the server, checks the host name, trusted roots.
    driver_rows: [&'static str; 3],
    hostname_unknown: &'static str,
    none_configured: &'static str,
    libpq_settings: &'static str,
    missing: &'static str,
    /// `mode {mode}`.
    file_mode: &'static str,
    /// `{source} ({N} certificate(s))`.
    roots_count: &'static str,
    // sessions
    own_connection: &'static str,
    own_no_tls: &'static str,
    /// count, ssl, version, cipher, database, user, client, application / backend.
    columns: [&'static str; 8],
    /// yes, and a loud NO.
    flag_yes: &'static str,
    flag_no: &'static str,
    local: &'static str,
    no_sslinfo: &'static str,
    // fleet
    /// ERROR, WARN, ok — each padded to 5 columns.
    status: [&'static str; 3],
    not_probed: &'static str,
    /// `hint:` before what to do about a target libpq would refuse.
    hint: &'static str,
    fleet_expired: &'static str,
    expires_in: &'static str,
    /// `{N} endpoints, {tls} with TLS, {failing} where the client fails`.
    fleet_summary: &'static str,
    fleet_bad: &'static str,
    by_issuer: &'static str,
    soonest_expired: &'static str,
    soonest_in: &'static str,
    per_finding: &'static str,
    // explain
    recognises_none: &'static str,
    /// `line {N}: {matched}`.
    line: &'static str,
    // logs
    logs_head: &'static str,
    /// first {first}  last {last}.
    first_last: &'static str,
    /// clients, users, databases, sample — each padded to 9 columns.
    logs_rows: [&'static str; 4],
    logs_none: &'static str,
    scanner: &'static str,
    // trust
    /// `{source} — {N} certificate(s){not_pem}`.
    store_head: &'static str,
    not_pem: &'static str,
    valid_roots: &'static str,
    valid_roots_weak: &'static str,
    /// Between the items of a list of flags.
    list_sep: &'static str,
    /// root, intermediate, leaf.
    kinds: [&'static str; 3],
    expired_flag: &'static str,
    not_yet_valid: &'static str,
    duplicate_of: &'static str,
    weak: &'static str,
    /// `(until {date}, {label})`.
    until: &'static str,
    skipped: &'static str,
    // rotation
    /// `{title} — {store} at {date}`.
    rotation_head: &'static str,
    verifies: &'static str,
    verifies_some: &'static str,
    before_until: &'static str,
    pub(crate) before: &'static str,
    after_from: &'static str,
    pub(crate) after: &'static str,
    /// `{name} chain ({when}): {path} — {mark}`.
    chain_line: &'static str,
    without_cross: &'static str,
    present: &'static str,
    absent: &'static str,
    root: &'static str,
    roots_present: &'static str,
    and_more: &'static str,
    absent_list: &'static str,
    pinned: &'static str,
    unreachable: &'static str,
    unknown: &'static str,
    /// `server {endpoint} presents the {chain} chain — {verdict}`.
    server_presents: &'static str,
    not_checked: &'static str,
    ready_until: &'static str,
    ready: &'static str,
    // bundle
    wrote: &'static str,
    // fleet --html
    /// The page's `lang` attribute.
    pub(crate) html_lang: &'static str,
    /// `PostgreSQL TLS fleet report — {origin}`.
    pub(crate) html_title: &'static str,
    /// `Generated {date} by pgtls {version}.`
    pub(crate) html_generated: &'static str,
    /// Cards: endpoints, with TLS, where the client fails, targets not probed, `present the {chain} chain`.
    pub(crate) html_cards: [&'static str; 5],
    /// Headings: certificate expiry, endpoints, chains and findings.
    pub(crate) html_headings: [&'static str; 3],
    /// The timeline's `today` and its unit of days (`30 d`), and its label.
    pub(crate) html_today: &'static str,
    pub(crate) html_days: &'static str,
    pub(crate) html_timeline: &'static str,
    /// `{N} days` on a timeline mark.
    pub(crate) html_days_left: &'static str,
    /// Columns: status, endpoint, labels, TLS, issuer, expires, chain, findings.
    pub(crate) html_columns: [&'static str; 8],
    /// Statuses: bad target, fails, warning, ok.
    pub(crate) html_status: [&'static str; 4],
    /// `{chain} chain ({when})` and `not a chain of the profile`.
    pub(crate) html_chain_tag: &'static str,
    pub(crate) html_no_chain: &'static str,
    pub(crate) html_issued_by: &'static str,
    pub(crate) html_not_sent: &'static str,
    pub(crate) html_fix: &'static str,
    // demo (rendered by the binary, which starts the lab: [`demo_words`])
    demo_title: &'static str,
    /// `Started {endpoint} on 127.0.0.1:{port} with TLS.`
    demo_started: &'static str,
    demo_story: &'static str,
    demo_psql: &'static str,
    demo_pgtls: &'static str,
    /// The fix, with libpq's verdict after it in place of `{after}`.
    demo_fix: &'static str,
    demo_as_designed: &'static str,
    demo_not_as_designed: &'static str,
    demo_cleanup: &'static str,
    /// What was started when no PostgreSQL is installed.
    demo_in_process: &'static str,
}

pub(crate) fn words(lang: Lang) -> Words {
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
            verify_head: "verify {name} as libpq {N} would (sslmode={mode})",
            trust_source: "trust source: {source}",
            trust_none: "none (no verification)",
            revocation: "revocation: checked against {source}",
            verdict: "verdict: {verdict}",
            trust_paths: "trust paths ({tried} tried, {valid} valid):",
            stacks: "client stacks:",
            it_checks: "it checks: {checks}",
            protocols_head: "protocols {endpoint}  ({N} handshakes; each leaves a line in the server log)",
            protocols_none: "protocols {endpoint}: not scanned — no TLS server answered (see below)",
            client_allows: "client: {name} allows {range}",
            server_order: ", server's order",
            client_order: ", client's order",
            accepted: "accepted  {N} suite(s)",
            refused: "refused   {reason}",
            incomplete: " (incomplete)",
            strength: ["insecure", "weak", "medium", "strong", "unknown"],
            groups: "groups {version}: {list}",
            signature: "signature algorithm (TLS 1.2): {alg}",
            dhe: "DHE prime: {N} bits",
            key_offered: "{family} offered ({key})",
            key_not_offered: "{family} not offered",
            key_types: "certificate key types: {list}",
            note: "note: {note}",
            error: "error: {version} {stage}: {message}",
            outside_range: "(· = outside the client's range)",
            server_head: "server configuration {path}",
            data_dir: "data directory  {path}",
            cert_meets: "client certificate \"{cn}\" meets {rule}",
            pgbouncer_head: "PgBouncer configuration {path}",
            pgbouncer_default: "(not set: PgBouncer's default)",
            behaves: "{source}: behaves like sslmode={mode}",
            driver_rows: ["verifies the server", "checks the host name", "trusted roots"],
            hostname_unknown: "unknown (depends on the version or a custom class)",
            none_configured: "none configured",
            libpq_settings: "libpq settings: {resolved}",
            missing: "missing",
            file_mode: "mode {mode}",
            roots_count: "{source} ({N} certificate(s))",
            own_connection: "pgtls's own connection: {how} (role {role})",
            own_no_tls: "no TLS",
            columns: ["count", "ssl", "version", "cipher", "database", "user", "client", "application / backend"],
            flag_yes: "yes",
            flag_no: "NO",
            local: "(local)",
            no_sslinfo: "sslinfo is not installed in this database (pgtls never creates it)",
            status: ["ERROR", "WARN ", "ok   "],
            not_probed: "not probed",
            hint: "hint:",
            fleet_expired: "expired {N} days ago",
            expires_in: "expires in {N} days",
            fleet_summary: "{N} endpoints, {tls} with TLS, {failing} where the client fails",
            fleet_bad: "{N} inventory line(s) could not be probed (see ERROR lines)",
            by_issuer: "server certificates by issuer:",
            soonest_expired: "soonest expiry: {endpoint} expired {N} days ago",
            soonest_in: "soonest expiry: {endpoint} in {N} days",
            per_finding: "endpoints per finding:",
            recognises_none: "pgtls recognises no TLS-related PostgreSQL message in this text (it never guesses).\nPaste the whole error (client output or server log lines), or see `pgtls explain --list`.",
            line: "line {N}: {matched}",
            logs_head: "{bytes} bytes read, {candidates} candidate lines, {matched} TLS-related lines",
            first_last: "first {first}  last {last}",
            logs_rows: ["clients", "users", "databases", "sample"],
            logs_none: "no TLS-related messages found",
            scanner: "scanner {client}: {N} handshake failure(s) between {first} and {last} ({kinds}) — a TLS scan (pgtls protocols, sslscan, testssl.sh …), counted apart",
            store_head: "{source} — {N} certificate(s){not_pem}",
            not_pem: " (not all PEM: libpq reads only PEM)",
            valid_roots: "{N} valid roots (--verbose lists them)",
            valid_roots_weak: "{N} valid roots, {weak} of them self-signed with a weak hash, which OpenSSL never checks on a root (--verbose lists them)",
            list_sep: ", ",
            kinds: ["root", "intermediate", "leaf"],
            expired_flag: "EXPIRED",
            not_yet_valid: "not yet valid",
            duplicate_of: "duplicate of #{N}",
            weak: "weak",
            until: "(until {date}, {label})",
            skipped: "skipped: {what}",
            rotation_head: "{title} — {store} at {date}",
            verifies: "verifies",
            verifies_some: "verifies for {N} of {M} issuing CAs only",
            before_until: "before the rotation, and until every server has rotated",
            before: "before the rotation",
            after_from: "after the rotation, from {date}",
            after: "after the rotation",
            chain_line: "{name} chain ({when}): {path} — {mark}",
            without_cross: "without the cross-sign: FAILS — {reason}",
            present: "present",
            absent: "absent",
            root: "root",
            roots_present: "roots: {present} of {N} present (--format json lists each)",
            and_more: " and {N} more",
            absent_list: "absent: {list}",
            pinned: "intermediate in the store (never an anchor for libpq): {subject}",
            unreachable: "unreachable",
            unknown: "unknown",
            server_presents: "server {endpoint} presents the {chain} chain — {verdict}",
            not_checked: "not checked: {what}",
            ready_until: "ready: yes, until {date} (then NO: see the findings)",
            ready: "ready: {answer}",
            wrote: "wrote {path} ({N} certificate(s))",
            html_lang: "en",
            html_title: "PostgreSQL TLS fleet report — {origin}",
            html_generated: "Generated {date} by pgtls {version}.",
            html_cards: ["endpoints", "with TLS", "where the client fails", "targets not probed", "present the {chain} chain"],
            html_headings: ["Certificate expiry", "Endpoints", "Chains and findings"],
            html_today: "today",
            html_days: "{N} d",
            html_timeline: "expiry timeline",
            html_days_left: "{N} days",
            html_columns: ["status", "endpoint", "labels", "TLS", "issuer", "expires", "chain", "findings"],
            html_status: ["bad target", "fails", "warning", "ok"],
            html_chain_tag: "{chain} chain ({when})",
            html_no_chain: "not a chain of the profile",
            html_issued_by: "issued by",
            html_not_sent: "(not sent)",
            html_fix: "Fix:",
            demo_title: "pgtls demo — a CA rotation meets a pinned intermediate",
            demo_started: "Started {endpoint} on 127.0.0.1:{port} with TLS.",
            demo_story: "The provider has rotated this server to the new issuing CA \"Example Cloud TLS G2 RSA CA 02\".\nThe client's root.crt still pins the OLD intermediate \"Example Cloud RSA TLS Issuing CA 03\".",
            demo_psql: "What psql says (sslmode=verify-full):",
            demo_pgtls: "What pgtls finds (`pgtls verify \"host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=...\"`):",
            demo_fix: "The fix: trust the ROOT (\"Example Cloud Global Root G2\") in root.crt, never an intermediate.\nWith only that root in root.crt: {after}",
            demo_as_designed: "The tour ran as designed.",
            demo_not_as_designed: "The tour did NOT run as designed: see the verdicts above.",
            demo_cleanup: "Cleaning up: the server and its files are removed.",
            demo_in_process: "in-process TLS endpoint (no PostgreSQL installed)",
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
            verify_head: "按 libpq {N} 的方式验证 {name}（sslmode={mode}）",
            trust_source: "信任来源：{source}",
            trust_none: "无（不验证）",
            revocation: "吊销状态：已对照 {source} 检查",
            verdict: "结论：{verdict}",
            trust_paths: "信任路径（尝试 {tried} 条，有效 {valid} 条）：",
            stacks: "客户端栈：",
            it_checks: "它检查：{checks}",
            protocols_head: "协议 {endpoint}（{N} 次握手；每次都会在服务器日志中留下一行）",
            protocols_none: "协议 {endpoint}：未扫描 — 没有 TLS 服务器应答（见下文）",
            client_allows: "客户端：{name} 允许 {range}",
            server_order: "，按服务器的顺序",
            client_order: "，按客户端的顺序",
            accepted: "接受    {N} 个密码套件",
            refused: "拒绝    {reason}",
            incomplete: "（不完整）",
            strength: ["不安全", "弱", "中等", "强", "未知"],
            groups: "{version} 的密钥交换组：{list}",
            signature: "签名算法（TLS 1.2）：{alg}",
            dhe: "DHE 素数：{N} 位",
            key_offered: "提供 {family}（{key}）",
            key_not_offered: "未提供 {family}",
            key_types: "证书密钥类型：{list}",
            note: "注：{note}",
            error: "错误：{version} {stage}：{message}",
            outside_range: "（· = 超出客户端允许的范围）",
            server_head: "服务器配置 {path}",
            data_dir: "数据目录  {path}",
            cert_meets: "客户端证书“{cn}”符合 {rule}",
            pgbouncer_head: "PgBouncer 配置 {path}",
            pgbouncer_default: "（未设置：PgBouncer 的默认值）",
            behaves: "{source}：行为相当于 sslmode={mode}",
            driver_rows: ["验证服务器", "检查主机名", "受信任的根证书"],
            hostname_unknown: "未知（取决于版本或自定义类）",
            none_configured: "未配置",
            libpq_settings: "libpq 的设置：{resolved}",
            missing: "不存在",
            file_mode: "权限 {mode}",
            roots_count: "{source}（{N} 个证书）",
            own_connection: "pgtls 自己的连接：{how}（角色 {role}）",
            own_no_tls: "未使用 TLS",
            columns: ["数量", "ssl", "版本", "密码套件", "数据库", "用户", "客户端", "应用 / 后端"],
            flag_yes: "是",
            flag_no: "否",
            local: "（本地）",
            no_sslinfo: "此数据库未安装 sslinfo（pgtls 从不创建它）",
            status: ["错误 ", "警告 ", "正常 "],
            not_probed: "未探测",
            hint: "提示：",
            fleet_expired: "已过期 {N} 天",
            expires_in: "{N} 天后过期",
            fleet_summary: "共 {N} 个端点，{tls} 个使用 TLS，{failing} 个客户端连接失败",
            fleet_bad: "清单中有 {N} 行无法探测（见“错误”行）",
            by_issuer: "按签发者统计的服务器证书：",
            soonest_expired: "最早过期：{endpoint} 已过期 {N} 天",
            soonest_in: "最早过期：{endpoint} 将在 {N} 天后过期",
            per_finding: "各问题涉及的端点数：",
            recognises_none: "pgtls 在这段文本中没有识别出与 TLS 相关的 PostgreSQL 消息（它从不猜测）。\n请粘贴完整的错误（客户端输出或服务器日志行），或参见 `pgtls explain --list`。",
            line: "第 {N} 行：{matched}",
            logs_head: "读取 {bytes} 字节，{candidates} 行候选，{matched} 行与 TLS 相关",
            first_last: "首次 {first}  最后 {last}",
            logs_rows: ["客户端", "用户", "数据库", "示例"],
            logs_none: "未发现与 TLS 相关的消息",
            scanner: "扫描器 {client}：{first} 至 {last} 之间 {N} 次握手失败（{kinds}）— 这是一次 TLS 扫描（pgtls protocols、sslscan、testssl.sh …），单独统计",
            store_head: "{source} — {N} 个证书{not_pem}",
            not_pem: "（并非全部为 PEM：libpq 只读取 PEM）",
            valid_roots: "{N} 个有效的根证书（--verbose 会逐一列出）",
            valid_roots_weak: "{N} 个有效的根证书，其中 {weak} 个的自签名使用了弱哈希，而 OpenSSL 从不检查根证书的自签名（--verbose 会逐一列出）",
            list_sep: "，",
            kinds: ["根证书", "中间证书", "叶证书"],
            expired_flag: "已过期",
            not_yet_valid: "尚未生效",
            duplicate_of: "与 #{N} 重复",
            weak: "弱算法",
            until: "（有效期至 {date}，{label}）",
            skipped: "已跳过：{what}",
            rotation_head: "{title} — {store}，时间 {date}",
            verifies: "验证通过",
            verifies_some: "仅对 {M} 个签发 CA 中的 {N} 个验证通过",
            before_until: "轮换之前，直到所有服务器都完成轮换",
            before: "轮换之前",
            after_from: "轮换之后，自 {date} 起",
            after: "轮换之后",
            chain_line: "{name} 证书链（{when}）：{path} — {mark}",
            without_cross: "没有交叉签名时：连接失败 — {reason}",
            present: "存在",
            absent: "缺失",
            root: "根证书",
            roots_present: "根证书：{N} 个中存在 {present} 个（--format json 会逐一列出）",
            and_more: "，另有 {N} 个",
            absent_list: "缺失：{list}",
            pinned: "信任库中的中间证书（libpq 从不把它当作信任锚）：{subject}",
            unreachable: "无法连接",
            unknown: "未知",
            server_presents: "服务器 {endpoint} 提供的是 {chain} 证书链 — {verdict}",
            not_checked: "未检查：{what}",
            ready_until: "就绪：是，直到 {date}（之后为否：见下面的问题）",
            ready: "就绪：{answer}",
            wrote: "已写入 {path}（{N} 个证书）",
            html_lang: "zh-CN",
            html_title: "PostgreSQL TLS 集群报告 — {origin}",
            html_generated: "由 pgtls {version} 于 {date} 生成。",
            html_cards: ["个端点", "个使用 TLS", "个客户端连接失败", "个目标未探测", "个提供 {chain} 证书链"],
            html_headings: ["证书到期", "端点", "证书链和问题"],
            html_today: "今天",
            html_days: "{N} 天",
            html_timeline: "到期时间线",
            html_days_left: "{N} 天",
            html_columns: ["状态", "端点", "标签", "TLS", "签发者", "到期", "证书链", "问题"],
            html_status: ["目标无效", "连接失败", "警告", "正常"],
            html_chain_tag: "{chain} 证书链（{when}）",
            html_no_chain: "不是该配置中的证书链",
            html_issued_by: "签发者",
            html_not_sent: "（未发送）",
            html_fix: "修复：",
            demo_title: "pgtls 演示 — CA 轮换遇上被固定的中间证书",
            demo_started: "已在 127.0.0.1:{port} 上启动 {endpoint}，并启用 TLS。",
            demo_story: "服务商已把这台服务器轮换到新的签发 CA “Example Cloud TLS G2 RSA CA 02”。\n客户端的 root.crt 仍然固定着旧的中间证书 “Example Cloud RSA TLS Issuing CA 03”。",
            demo_psql: "psql 的输出（sslmode=verify-full）：",
            demo_pgtls: "pgtls 的诊断（`pgtls verify \"host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=...\"`）：",
            demo_fix: "修复：在 root.crt 中信任根证书（“Example Cloud Global Root G2”），绝不要信任中间证书。\nroot.crt 中只有该根证书时：{after}",
            demo_as_designed: "演示按预期完成。",
            demo_not_as_designed: "演示没有按预期进行：请查看上面的结论。",
            demo_cleanup: "清理：服务器及其文件已删除。",
            demo_in_process: "进程内 TLS 端点（未安装 PostgreSQL）",
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
            verify_head: "libpq {N} と同じように {name} を検証（sslmode={mode}）",
            trust_source: "信頼の起点: {source}",
            trust_none: "なし（検証しない）",
            revocation: "失効: {source} で確認済み",
            verdict: "判定: {verdict}",
            trust_paths: "信頼パス（{tried} 本を試行、有効 {valid} 本）:",
            stacks: "クライアントスタック:",
            it_checks: "確認する内容: {checks}",
            protocols_head: "プロトコル {endpoint}（ハンドシェイク {N} 回。それぞれサーバーログに 1 行残ります）",
            protocols_none: "プロトコル {endpoint}: 未スキャン — TLS サーバーが応答しませんでした（下記参照）",
            client_allows: "クライアント: {name} が許可する範囲は {range}",
            server_order: "、サーバーの優先順",
            client_order: "、クライアントの優先順",
            accepted: "受理    暗号スイート {N} 個",
            refused: "拒否    {reason}",
            incomplete: "（不完全）",
            strength: ["安全でない", "弱い", "中程度", "強い", "不明"],
            groups: "{version} の鍵交換グループ: {list}",
            signature: "署名アルゴリズム（TLS 1.2）: {alg}",
            dhe: "DHE 素数: {N} ビット",
            key_offered: "{family} を提示（{key}）",
            key_not_offered: "{family} は提示なし",
            key_types: "証明書の鍵の種類: {list}",
            note: "注: {note}",
            error: "エラー: {version} {stage}: {message}",
            outside_range: "（· = クライアントの許可範囲外）",
            server_head: "サーバー設定 {path}",
            data_dir: "データディレクトリ  {path}",
            cert_meets: "クライアント証明書「{cn}」は {rule} に該当",
            pgbouncer_head: "PgBouncer 設定 {path}",
            pgbouncer_default: "（未設定: PgBouncer のデフォルト）",
            behaves: "{source}: sslmode={mode} と同じ動作",
            driver_rows: ["サーバーを検証", "ホスト名を確認", "信頼するルート"],
            hostname_unknown: "不明（バージョンまたはカスタムクラスによる）",
            none_configured: "設定なし",
            libpq_settings: "libpq の設定: {resolved}",
            missing: "存在しない",
            file_mode: "パーミッション {mode}",
            roots_count: "{source}（証明書 {N} 枚）",
            own_connection: "pgtls 自身の接続: {how}（ロール {role}）",
            own_no_tls: "TLS なし",
            columns: ["件数", "ssl", "バージョン", "暗号スイート", "データベース", "ユーザー", "クライアント", "アプリケーション / バックエンド"],
            flag_yes: "はい",
            flag_no: "いいえ",
            local: "（ローカル）",
            no_sslinfo: "このデータベースには sslinfo がインストールされていません（pgtls が作成することはありません）",
            status: ["エラー", "警告 ", "正常 "],
            not_probed: "未プローブ",
            hint: "ヒント:",
            fleet_expired: "{N} 日前に期限切れ",
            expires_in: "{N} 日後に期限切れ",
            fleet_summary: "エンドポイント {N} 個、TLS あり {tls} 個、クライアントが接続できない {failing} 個",
            fleet_bad: "インベントリの {N} 行はプローブできませんでした（「エラー」の行を参照）",
            by_issuer: "発行者別のサーバー証明書:",
            soonest_expired: "最も早い期限切れ: {endpoint} は {N} 日前に期限切れ",
            soonest_in: "最も早い期限切れ: {endpoint} は {N} 日後",
            per_finding: "問題ごとのエンドポイント数:",
            recognises_none: "pgtls はこのテキストに TLS 関連の PostgreSQL メッセージを見つけられませんでした（推測はしません）。\nエラー全体（クライアントの出力またはサーバーログの行）を貼り付けるか、`pgtls explain --list` を参照してください。",
            line: "{N} 行目: {matched}",
            logs_head: "{bytes} バイト読み込み、候補 {candidates} 行、TLS 関連 {matched} 行",
            first_last: "最初 {first}  最後 {last}",
            logs_rows: ["クライアント", "ユーザー", "データベース", "例"],
            logs_none: "TLS 関連のメッセージは見つかりませんでした",
            scanner: "スキャナー {client}: {first} から {last} までにハンドシェイク失敗 {N} 回（{kinds}）— TLS スキャン（pgtls protocols、sslscan、testssl.sh …）として別に数えます",
            store_head: "{source} — 証明書 {N} 枚{not_pem}",
            not_pem: "（すべてが PEM ではありません: libpq は PEM しか読みません）",
            valid_roots: "有効なルート証明書 {N} 枚（--verbose で一覧表示）",
            valid_roots_weak: "有効なルート証明書 {N} 枚、うち {weak} 枚は弱いハッシュで自己署名されていますが、OpenSSL はルート証明書の自己署名を確認しません（--verbose で一覧表示）",
            list_sep: "、",
            kinds: ["ルート", "中間", "リーフ"],
            expired_flag: "期限切れ",
            not_yet_valid: "まだ有効期間前",
            duplicate_of: "#{N} と重複",
            weak: "弱いアルゴリズム",
            until: "（有効期限 {date}、{label}）",
            skipped: "スキップ: {what}",
            rotation_head: "{title} — {store}、時点 {date}",
            verifies: "検証成功",
            verifies_some: "発行 CA {M} 個のうち {N} 個でのみ検証成功",
            before_until: "ローテーション前、すべてのサーバーがローテーションを終えるまで",
            before: "ローテーション前",
            after_from: "ローテーション後、{date} から",
            after: "ローテーション後",
            chain_line: "{name} の証明書チェーン（{when}）: {path} — {mark}",
            without_cross: "クロス署名なしの場合: 接続できません — {reason}",
            present: "あり",
            absent: "なし",
            root: "ルート",
            roots_present: "ルート証明書: {N} 枚中 {present} 枚あり（--format json で個別に表示）",
            and_more: "、ほか {N} 枚",
            absent_list: "なし: {list}",
            pinned: "ストア内の中間証明書（libpq はトラストアンカーとして使いません）: {subject}",
            unreachable: "接続できません",
            unknown: "不明",
            server_presents: "サーバー {endpoint} は {chain} の証明書チェーンを提示 — {verdict}",
            not_checked: "未確認: {what}",
            ready_until: "準備完了: はい、{date} まで（その後はいいえ: 問題を参照）",
            ready: "準備完了: {answer}",
            wrote: "{path} に書き込みました（証明書 {N} 枚）",
            html_lang: "ja",
            html_title: "PostgreSQL TLS フリートレポート — {origin}",
            html_generated: "pgtls {version} が {date} に作成。",
            html_cards: ["エンドポイント", "TLS あり", "クライアントが接続できない", "プローブできなかったターゲット", "{chain} の証明書チェーンを提示"],
            html_headings: ["証明書の有効期限", "エンドポイント", "証明書チェーンと問題"],
            html_today: "今日",
            html_days: "{N} 日",
            html_timeline: "有効期限のタイムライン",
            html_days_left: "{N} 日",
            html_columns: ["状態", "エンドポイント", "ラベル", "TLS", "発行者", "有効期限", "証明書チェーン", "問題"],
            html_status: ["無効なターゲット", "接続できません", "警告", "正常"],
            html_chain_tag: "{chain} の証明書チェーン（{when}）",
            html_no_chain: "プロファイルの証明書チェーンではありません",
            html_issued_by: "発行者",
            html_not_sent: "（送信なし）",
            html_fix: "対処:",
            demo_title: "pgtls デモ — CA ローテーションと固定された中間証明書",
            demo_started: "127.0.0.1:{port} で {endpoint} を TLS ありで起動しました。",
            demo_story: "プロバイダーはこのサーバーを新しい発行 CA「Example Cloud TLS G2 RSA CA 02」にローテーションしました。\nクライアントの root.crt はまだ古い中間証明書「Example Cloud RSA TLS Issuing CA 03」を固定しています。",
            demo_psql: "psql の出力（sslmode=verify-full）:",
            demo_pgtls: "pgtls の診断（`pgtls verify \"host=localhost hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=...\"`）:",
            demo_fix: "対処: root.crt ではルート証明書（「Example Cloud Global Root G2」）を信頼し、中間証明書は決して信頼しないでください。\nroot.crt にそのルート証明書だけを入れた場合: {after}",
            demo_as_designed: "デモは想定どおりに進みました。",
            demo_not_as_designed: "デモは想定どおりに進みませんでした: 上の判定を見てください。",
            demo_cleanup: "後片付け: サーバーとそのファイルは削除されます。",
            demo_in_process: "プロセス内の TLS エンドポイント（PostgreSQL はインストールされていません）",
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
            // The other possible causes and what tells them apart are in the detail already,
            // in the user's language; their evidence copies are English, for programs.
            for (k, v) in f.evidence.iter().filter(|(k, _)| !matches!(k.as_str(), "also_possible" | "tell_apart")) {
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

/// The columns `text` takes on a terminal (a CJK character takes two).
fn columns(text: &str) -> usize {
    let wide = |c: char| matches!(c, '\u{1100}'..='\u{115f}' | '\u{2e80}'..='\u{a4cf}' | '\u{ac00}'..='\u{d7a3}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ff60}' | '\u{ffe0}'..='\u{ffe6}');
    text.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()
}

/// `text` padded with spaces to `width` columns.
fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(columns(text))))
}

/// `text` right-aligned in `width` columns.
fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(columns(text))))
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

/// The demo's words in `lang` (its report is rendered by the binary, which starts the lab).
pub struct DemoWords {
    pub title: &'static str,
    pub started: &'static str,
    pub story: &'static str,
    pub psql: &'static str,
    pub pgtls: &'static str,
    pub fix: &'static str,
    pub as_designed: &'static str,
    pub not_as_designed: &'static str,
    pub cleanup: &'static str,
    pub in_process: &'static str,
}

pub fn demo_words(lang: Lang) -> DemoWords {
    let w = words(lang);
    DemoWords {
        title: w.demo_title,
        started: w.demo_started,
        story: w.demo_story,
        psql: w.demo_psql,
        pgtls: w.demo_pgtls,
        fix: w.demo_fix,
        as_designed: w.demo_as_designed,
        not_as_designed: w.demo_not_as_designed,
        cleanup: w.demo_cleanup,
        in_process: w.demo_in_process,
    }
}

/// A trust store's description (`file /x`, `system store` …, as `TrustSource` wrote it) in
/// `lang`: its kind translated, paths as written.
fn store_words(words: &str, lang: Lang) -> String {
    said(crate::trust::TrustSource::said_from_words(words), lang)
}

/// An argument a message would take, said on its own in `lang`.
fn said(arg: crate::findings::Arg, lang: Lang) -> String {
    match arg {
        crate::findings::Arg::Said(m) => m.sentence(lang),
        crate::findings::Arg::Fact(s) => s,
        crate::findings::Arg::Title(c) => crate::findings::catalogue().entry(c).text(lang).title.clone(),
        crate::findings::Arg::Own(t) => t.text(lang).to_string(),
    }
}

/// A trust path as `verify::PathAttempt::describe` wrote it (the reports keep its English),
/// said in `lang` (`PathAttempt::said`); names and OpenSSL's words stay.
fn path_words(describe: &str, lang: Lang) -> String {
    crate::findings::Message::from_english("path.", describe).map(|m| m.sentence(lang)).unwrap_or_else(|| describe.to_string())
}

/// An inventory line's error in `lang`: the connection-string error as libpq words it, and
/// its `hint:` line (`ConninfoError::hint_said`) said again in the language.
pub(crate) fn error_words(error: &str, lang: Lang) -> String {
    let hint = words(lang).hint;
    let line = |l: &str| match l.strip_prefix("hint: ").and_then(|h| crate::findings::Message::from_english("hint.", h)) {
        Some(m) => format!("{hint} {}", m.sentence(lang)),
        None => l.to_string(),
    };
    error.lines().map(line).collect::<Vec<_>>().join("\n")
}

/// `template` with each `{name}` replaced by its value.
pub(crate) fn fill(template: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    args.iter().fold(template.to_string(), |t, (k, v)| t.replace(&format!("{{{k}}}"), &v.to_string()))
}

fn verify_host(s: &mut String, h: &VerifyHost, libpq: u32, o: &RenderOptions) {
    let w = words(o.lang);
    let _ = writeln!(s, "{}", fill(w.verify_head, &[("name", &h.display_name), ("N", &libpq), ("mode", &h.sslmode)]));
    let _ = writeln!(s, "  {}", fill(w.trust_source, &[("source", &h.trust_source.as_deref().map(|t| store_words(t, o.lang)).unwrap_or_else(|| w.trust_none.into()))]));
    if let Some(r) = &h.verdict.revocation {
        let _ = writeln!(s, "  {}", fill(w.revocation, &[("source", r)]));
    }
    let _ = writeln!(s, "  {}", fill(w.verdict, &[("verdict", &verdict_line(&h.verdict, o))]));
    if !o.quiet && !h.attempts.is_empty() {
        let _ = writeln!(s, "  {}", fill(w.trust_paths, &[("tried", &h.attempts.len()), ("valid", &h.paths.len())]));
        for a in &h.attempts {
            let _ = writeln!(s, "    {}", path_words(&a.describe, o.lang));
        }
    }
}

/// `--client`: one line per client stack.
fn stack_table(s: &mut String, verdicts: &[crate::verify::clients::StackVerdict], lang: Lang) {
    if verdicts.is_empty() {
        return;
    }
    let w = words(lang);
    let _ = writeln!(s, "{}", paint(BOLD, w.stacks));
    for v in verdicts {
        let name = match &v.variant {
            Some(var) => format!("{}:{var}", v.client),
            None => v.client.to_string(),
        };
        let outcome = if v.connects {
            let how = if v.tls { crate::run::How::Tls { version: String::new(), chain_verified: v.chain_verified, hostname_verified: v.hostname_verified } } else { crate::run::How::WithoutTls };
            format!("{} ({})", paint(BOLD, w.connects), how.words(lang))
        } else {
            format!("{}: {}", paint(RED, w.fails), v.error.as_deref().unwrap_or("").lines().next().unwrap_or(""))
        };
        let _ = writeln!(s, "  {name:<28} {outcome}");
        // The verdicts keep these as English text; said again in the language.
        let say = |text: &str| crate::findings::Message::from_english("stack.", text).map(|m| m.sentence(lang)).unwrap_or_else(|| text.to_string());
        let _ = writeln!(s, "  {:<28} {}", "", fill(w.it_checks, &[("checks", &say(&v.checks))]));
        if let Some(fix) = &v.fix {
            let _ = writeln!(s, "  {:<28} {} {}", "", w.fix, say(fix));
        }
    }
}
impl Render for VerifyReport {
    fn human(&self, o: &RenderOptions) -> String {
        let mut s = String::new();
        for h in &self.hosts {
            verify_host(&mut s, h, self.libpq_major, o);
        }
        stack_table(&mut s, &self.verdicts, o.lang);
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
        stack_table(&mut s, &self.verdicts, o.lang);
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for TrustAuditReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        let mut s = String::new();
        for st in &self.stores {
            let not_pem = if st.pem { "" } else { w.not_pem };
            let _ = writeln!(s, "{}", fill(w.store_head, &[("source", &store_words(&st.source, o.lang)), ("N", &st.entries.len()), ("not_pem", &not_pem)]));
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
                        let _ = writeln!(s, "  {}", fill(w.valid_roots_weak, &[("N", &n), ("weak", &sha1)]));
                    } else {
                        let _ = writeln!(s, "  {}", fill(w.valid_roots, &[("N", &n)]));
                    }
                }
                for e in st.entries.iter().filter(|e| !bundle || !healthy(e)) {
                    let f = &e.flags;
                    let [root, intermediate, leaf] = w.kinds;
                    let kind = match f.kind {
                        crate::x509::CertKind::Root => root,
                        crate::x509::CertKind::Intermediate => intermediate,
                        crate::x509::CertKind::Leaf => leaf,
                    };
                    let mut flags = vec![kind.to_string()];
                    if f.expired {
                        flags.push(w.expired_flag.into())
                    }
                    if f.not_yet_valid {
                        flags.push(w.not_yet_valid.into())
                    }
                    if let Some(d) = f.duplicate_of {
                        flags.push(fill(w.duplicate_of, &[("N", &d)]))
                    }
                    if f.weak {
                        flags.push(w.weak.into())
                    }
                    let until = fill(w.until, &[("date", &e.not_after.date()), ("label", &said(crate::trust::TrustEntry::label_said(&e.label), o.lang))]);
                    let _ = writeln!(s, "  #{:<4} {} {}  {until}", e.index, pad(&flags.join(w.list_sep), 28), e.subject);
                }
                for k in &st.skipped {
                    let _ = writeln!(s, "  {}", fill(w.skipped, &[("what", k)]));
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for RotationReportView {
    fn human(&self, o: &RenderOptions) -> String {
        use crate::verify::rotation::Phase;
        let w = words(o.lang);
        let r = &self.report;
        let mut s = fill(w.rotation_head, &[("title", &crate::verify::rotation::profile_said(&r.title).text(o.lang)), ("store", &store_words(&r.store, o.lang)), ("date", &r.at.date())]) + "\n";
        if !o.quiet {
            for ch in &r.chains {
                let mark = match (ch.verifies, ch.covered.len()) {
                    (true, _) => w.verifies.to_string(),
                    (false, 0) => w.fails.to_string(),
                    (false, n) => fill(w.verifies_some, &[("N", &n), ("M", &ch.issuing)]),
                };
                let when = match (ch.phase, ch.from) {
                    (Phase::Before, _) if ch.until_rotated => w.before_until.to_string(),
                    (Phase::Before, _) => w.before.to_string(),
                    (Phase::After, Some(d)) => fill(w.after_from, &[("date", &d)]),
                    (Phase::After, None) => w.after.to_string(),
                };
                let _ = writeln!(s, "  {}", fill(w.chain_line, &[("name", &ch.name), ("when", &when), ("path", &ch.path.iter().map(|p| crate::verify::rotation::profile_said(p).text(o.lang).to_string()).collect::<Vec<_>>().join(" → ")), ("mark", &mark)]));
                let _ = writeln!(s, "      {}", path_words(&ch.reason, o.lang));
                if ch.verifies_without_optional == Some(false) {
                    let _ = writeln!(s, "      {}", fill(w.without_cross, &[("reason", &path_words(ch.reason_without_optional.as_deref().unwrap_or(""), o.lang))]));
                }
            }
            if r.roots.len() <= 8 {
                for x in &r.roots {
                    let state = if x.present { w.present } else { w.absent };
                    let _ = writeln!(s, "  {} {:<46} {state}{}", w.root, x.cn, x.found.as_ref().map(|f| format!(" — {}", crate::findings::Message::from_english("trust-label.", f).map(|m| m.sentence(o.lang)).unwrap_or_else(|| f.clone()))).unwrap_or_default());
                }
            } else {
                let absent: Vec<&str> = r.roots.iter().filter(|x| !x.present).map(|x| x.cn.as_str()).collect();
                let _ = writeln!(s, "  {}", fill(w.roots_present, &[("present", &(r.roots.len() - absent.len())), ("N", &r.roots.len())]));
                if !absent.is_empty() {
                    let more = if absent.len() > 5 { fill(w.and_more, &[("N", &(absent.len() - 5))]) } else { String::new() };
                    let _ = writeln!(s, "  {}{more}", fill(w.absent_list, &[("list", &absent.iter().take(5).copied().collect::<Vec<_>>().join(", "))]));
                }
            }
            for p in &r.pinned {
                let _ = writeln!(s, "  {}", fill(w.pinned, &[("subject", p)]));
            }
            for sv in &r.servers {
                let v = match sv.verifies {
                    Some(true) => w.verifies,
                    Some(false) => w.fails,
                    None => w.unreachable,
                };
                let _ = writeln!(s, "  {}", fill(w.server_presents, &[("endpoint", &sv.endpoint), ("chain", &sv.chain.as_deref().unwrap_or(w.unknown)), ("verdict", &v)]));
            }
            for n in &r.not_checked {
                let _ = writeln!(s, "  {}", fill(w.not_checked, &[("what", &crate::verify::rotation::profile_said(n).text(o.lang))]));
            }
            match (r.ready, r.ready_until) {
                (true, Some(d)) => {
                    let _ = writeln!(s, "  {}", fill(w.ready_until, &[("date", &d)]));
                }
                (ready, _) => {
                    let _ = writeln!(s, "  {}", fill(w.ready, &[("answer", &if ready { w.flag_yes } else { w.flag_no })]));
                }
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for BundleReport {
    /// The PEM itself, or a line saying where it was written.
    fn human(&self, o: &RenderOptions) -> String {
        match &self.output {
            Some(p) => fill(words(o.lang).wrote, &[("path", &p.display()), ("N", &self.bundle.roots.len())]) + "\n",
            None => self.bundle.pem(),
        }
    }
}

impl Render for ProtocolsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        let mut s = String::new();
        for h in &self.hosts {
            if !o.quiet {
                match &h.scan {
                    Some(r) => {
                        let _ = writeln!(s, "{}", fill(w.protocols_head, &[("endpoint", &h.endpoint), ("N", &r.handshakes)]));
                        let _ = writeln!(s, "  {}", fill(w.client_allows, &[("name", &self.client.name), ("range", &self.client_range)]));
                        for v in &r.versions {
                            let mark = if self.client.allows(v.version) { " " } else { "·" };
                            if v.accepted {
                                let pref = match v.server_preference {
                                    Some(true) => w.server_order,
                                    Some(false) => w.client_order,
                                    None => "",
                                };
                                let accepted = fill(w.accepted, &[("N", &v.ciphers.len())]);
                                let _ = writeln!(s, " {mark}{:<8} {accepted}{pref}{}", v.version.name(), if v.complete { "" } else { w.incomplete });
                                for c in &v.ciphers {
                                    let [insecure, weak, medium, strong, unknown] = w.strength;
                                    use crate::tls::scan::Strength;
                                    let strength = match c.strength() {
                                        Some(Strength::Insecure) => insecure,
                                        Some(Strength::Weak) => weak,
                                        Some(Strength::Medium) => medium,
                                        Some(Strength::Strong) => strong,
                                        None => unknown,
                                    };
                                    let _ = writeln!(s, "      {:<34} {:<46} {strength}", c.openssl_name(), c.name());
                                }
                            } else {
                                let _ = writeln!(s, " {mark}{:<8} {}", v.version.name(), fill(w.refused, &[("reason", &v.refused_with.as_deref().unwrap_or(""))]));
                            }
                        }
                        for g in &r.groups {
                            if !g.groups.is_empty() {
                                let list = g.groups.iter().map(|x| format!("{x}")).collect::<Vec<_>>().join(", ");
                                let _ = writeln!(s, "  {}", fill(w.groups, &[("version", &g.version.name()), ("list", &list)]));
                            }
                        }
                        if let Some(sig) = &r.signature_algorithm {
                            let _ = writeln!(s, "  {}", fill(w.signature, &[("alg", sig)]));
                        }
                        if let Some(b) = r.dh_bits {
                            let _ = writeln!(s, "  {}", fill(w.dhe, &[("N", &b)]));
                        }
                        if !h.key_types.is_empty() {
                            let each: Vec<String> = h
                                .key_types
                                .iter()
                                .map(|k| match (&k.key, k.offered) {
                                    (Some(key), true) => fill(w.key_offered, &[("family", &k.family.name()), ("key", key)]),
                                    _ => fill(w.key_not_offered, &[("family", &k.family.name())]),
                                })
                                .collect();
                            let _ = writeln!(s, "  {}", fill(w.key_types, &[("list", &each.join("; "))]));
                        }
                        for n in &r.notes {
                            let _ = writeln!(s, "  {}", fill(w.note, &[("note", &said(crate::findings::note_said(n), o.lang))]));
                        }
                        for e in &r.errors {
                            let _ = writeln!(s, "  {}", fill(w.error, &[("version", &e.version.name()), ("stage", &e.stage.said().sentence(o.lang)), ("message", &e.message)]));
                        }
                        let _ = writeln!(s, "  {}", w.outside_range);
                    }
                    None => {
                        let _ = writeln!(s, "{}", fill(w.protocols_none, &[("endpoint", &h.endpoint)]));
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
        let w = words(o.lang);
        let mut s = String::new();
        if let Some(pg) = &self.postgres {
            let _ = writeln!(s, "{}", fill(w.server_head, &[("path", &pg.config.display())]));
            if !o.quiet {
                let _ = writeln!(s, "  {}", fill(w.data_dir, &[("path", &pg.data_dir.display())]));
                for (n, v) in &pg.settings {
                    let _ = writeln!(s, "  {n:<26} {:<30} ({})", v.value, v.at);
                }
                if let (Some(cn), Some(rule)) = (&pg.client_cert_name, &pg.hba_rule) {
                    let _ = writeln!(s, "  {}", fill(w.cert_meets, &[("cn", cn), ("rule", rule)]));
                }
            }
        }
        if let Some(pb) = &self.pgbouncer {
            let _ = writeln!(s, "{}", fill(w.pgbouncer_head, &[("path", &pb.file.display())]));
            if !o.quiet {
                for leg in ["client_tls_sslmode", "server_tls_sslmode"] {
                    if !pb.settings.contains_key(leg) {
                        let _ = writeln!(s, "  {leg:<26} {:<30} {}", "disable", w.pgbouncer_default);
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

fn driver(s: &mut String, t: &crate::config::client::ClientTlsSettings, lang: Lang) {
    let w = words(lang);
    let yes_no = |b: bool| if b { w.yes } else { w.no };
    let [verifies, hostname, roots] = w.driver_rows;
    let _ = writeln!(s, "{}", fill(w.behaves, &[("source", &t.source), ("mode", &t.mode)]));
    let _ = writeln!(s, "  {} {}", pad(verifies, 21), yes_no(t.verifies_server));
    let checks = t.checks_hostname.map(yes_no).unwrap_or(w.hostname_unknown);
    let _ = writeln!(s, "  {} {checks}", pad(hostname, 21));
    let trust = if t.trust.is_empty() { w.none_configured.to_string() } else { t.trust.iter().map(|t| store_words(&t.to_string(), lang)).collect::<Vec<_>>().join("; ") };
    let _ = writeln!(s, "  {} {trust}", pad(roots, 21));
    for (k, v) in &t.origins {
        let _ = writeln!(s, "  {k:<21} {}", said(crate::findings::note_said(v), lang));
    }
    for n in &t.notes {
        let _ = writeln!(s, "  {}", fill(w.note, &[("note", &said(crate::findings::note_said(n), lang))]));
    }
}

impl Render for ClientReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        let mut s = String::new();
        if !o.quiet {
            if let Some(l) = &self.libpq {
                let _ = writeln!(s, "{}", fill(w.libpq_settings, &[("resolved", &l.resolved)]));
                let _ = writeln!(s, "  sslmode        {}{}", l.sslmode, l.sslmode_source.from_words(o.lang));
                for f in &l.files {
                    let state = if !f.exists { w.missing.to_string() } else { fill(w.file_mode, &[("mode", &format!("{:04o}", f.mode.unwrap_or(0)))]) };
                    let _ = writeln!(s, "  {:<14} {} [{state}]{}", f.keyword, f.path, f.source.from_words(o.lang));
                }
                if let crate::trust::RootTrust::Loaded(st) = &l.root {
                    let [_, _, roots] = w.driver_rows;
                    let _ = writeln!(s, "  {} {}", pad(roots, 14), fill(w.roots_count, &[("source", &store_words(&st.source, o.lang)), ("N", &st.entries.len())]));
                }
            }
            for d in [&self.kong, &self.jdbc].into_iter().flatten() {
                if !s.is_empty() {
                    s.push('\n');
                }
                driver(&mut s, d, o.lang);
            }
        }
        findings(&mut s, &self.findings, o);
        s
    }
}

impl Render for SessionsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        let mut s = String::new();
        if !o.quiet {
            match &self.sessions {
                Some(f) => {
                    let _ = writeln!(s, "{}", f.server_version);
                    let how = if f.own_connection_ssl { "TLS" } else { w.own_no_tls };
                    let _ = writeln!(s, "{}", fill(w.own_connection, &[("how", &how), ("role", &f.role)]));
                    let [count, ssl, version, cipher, database, user, client, application] = w.columns;
                    let _ = writeln!(
                        s,
                        "{}  {} {} {} {} {} {} {application}",
                        pad_left(count, 5),
                        pad(ssl, 5),
                        pad(version, 8),
                        pad(cipher, 28),
                        pad(database, 12),
                        pad(user, 12),
                        pad(client, 16)
                    );
                    for g in &f.groups {
                        let _ = writeln!(
                            s,
                            "{:>5}  {} {:<8} {:<28} {:<12} {:<12} {} {} / {}",
                            g.count,
                            pad(if g.ssl { w.flag_yes } else { w.flag_no }, 5),
                            g.version.as_deref().unwrap_or("-"),
                            g.cipher.as_deref().unwrap_or("-"),
                            g.database.as_deref().unwrap_or("-"),
                            g.user.as_deref().unwrap_or("-"),
                            pad(g.client_addr.as_deref().unwrap_or(w.local), 16),
                            g.application_name.as_deref().unwrap_or("-"),
                            g.backend_type.as_deref().unwrap_or("-")
                        );
                    }
                    match f.ssl_is_used {
                        Some(u) => {
                            let _ = writeln!(s, "ssl_is_used(): {u}");
                        }
                        None => {
                            let _ = writeln!(s, "ssl_is_used(): {}", w.no_sslinfo);
                        }
                    }
                    for (k, v) in &f.settings {
                        let _ = writeln!(s, "  {k:<28} {v}");
                    }
                    if let Some(n) = &f.hba_note {
                        let _ = writeln!(s, "{}", fill(w.note, &[("note", &said(crate::findings::note_said(n), o.lang))]));
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
        let w = words(o.lang);
        let [error, warn, ok] = w.status;
        let mut out = String::new();
        let now = self.at;
        if !o.quiet {
            for r in &self.endpoints {
                let Some(f) = &r.facts else {
                    let _ = writeln!(out, "{} {}:{} {}", paint(RED, error), r.origin, r.line, r.error.as_deref().map(|e| error_words(e, o.lang)).unwrap_or_else(|| w.not_probed.into()));
                    continue;
                };
                let tls = match (&f.tls_version, &f.cipher) {
                    (Some(v), Some(c)) => format!("{v} {c}"),
                    _ => "-".into(),
                };
                let leaf = match (&f.leaf_subject, f.not_after) {
                    (Some(subject), Some(t)) => {
                        let d = (t - now).whole_days();
                        let when = if d < 0 { fill(w.fleet_expired, &[("N", &-d)]) } else { fill(w.expires_in, &[("N", &d)]) };
                        format!("{subject} ({when})")
                    }
                    _ => String::new(),
                };
                let status = match r.status() {
                    FleetStatus::Fails | FleetStatus::BadTarget => paint(RED, error),
                    FleetStatus::Warning => paint(YELLOW, warn),
                    FleetStatus::Ok => paint(GREEN, ok),
                };
                let _ = writeln!(out, "{status} {:<24} {:<40} {leaf} {}", f.endpoint, tls, f.codes.join(","));
            }
            let _ = writeln!(out);
        }
        let sm = &self.summary;
        let _ = writeln!(out, "{}", fill(w.fleet_summary, &[("N", &sm.endpoints), ("tls", &sm.tls_ok), ("failing", &sm.failing)]));
        if sm.bad_targets > 0 {
            let _ = writeln!(out, "{}", fill(w.fleet_bad, &[("N", &sm.bad_targets)]));
        }
        for (v, n) in &sm.versions {
            let _ = writeln!(out, "  {v}: {n}");
        }
        if !sm.issuers.is_empty() {
            let _ = writeln!(out, "{}", w.by_issuer);
            for (i, n) in &sm.issuers {
                let _ = writeln!(out, "  {n:>6}  {i}");
            }
        }
        if let Some((ep, d)) = &sm.soonest_expiry {
            if *d < 0 {
                let _ = writeln!(out, "{}", fill(w.soonest_expired, &[("endpoint", ep), ("N", &-d)]));
            } else {
                let _ = writeln!(out, "{}", fill(w.soonest_in, &[("endpoint", ep), ("N", d)]));
            }
        }
        if !sm.codes.is_empty() {
            let _ = writeln!(out, "{}", w.per_finding);
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
                    let _ = writeln!(s, "{}", w.recognises_none);
                }
                for (r, f) in recognised.iter().zip(found) {
                    let _ = writeln!(s, "{}", fill(w.line, &[("N", &r.line), ("matched", &f.evidence.get("matched").map(String::as_str).unwrap_or(""))]));
                    findings(&mut s, std::slice::from_ref(f), &RenderOptions { verbose: true, ..*o });
                }
                s
            }
        }
    }
}

impl Render for LogsReport {
    fn human(&self, o: &RenderOptions) -> String {
        let w = words(o.lang);
        let sm = &self.summary;
        let mut s = fill(w.logs_head, &[("bytes", &sm.bytes), ("candidates", &sm.candidate_lines), ("matched", &sm.matched_lines)]) + "\n";
        let mut by_count: Vec<_> = sm.codes.iter().collect();
        by_count.sort_by_key(|(_, st)| std::cmp::Reverse(st.count));
        let [clients, users, databases, sample] = w.logs_rows;
        for (code, st) in by_count {
            let entry = crate::findings::catalogue().get(code);
            let title = entry.map(|e| e.text(o.lang).title.clone()).unwrap_or_default();
            let _ = writeln!(s, "\n{:>8}  {code}  {title}", st.count);
            let _ = writeln!(s, "          {}", fill(w.first_last, &[("first", &st.first_seen.as_deref().unwrap_or("?")), ("last", &st.last_seen.as_deref().unwrap_or("?"))]));
            let top = |v: Vec<crate::logs::Count>| v.iter().map(|c| format!("{} ({})", c.value, c.count)).collect::<Vec<_>>().join(", ");
            if !st.clients().is_empty() {
                let _ = writeln!(s, "          {} {}", pad(clients, 9), top(st.clients()));
            }
            if !st.users().is_empty() {
                let _ = writeln!(s, "          {} {}", pad(users, 9), top(st.users()));
            }
            if !st.databases().is_empty() {
                let _ = writeln!(s, "          {} {}", pad(databases, 9), top(st.databases()));
            }
            let _ = writeln!(s, "          {} {}", pad(sample, 9), st.sample);
            if let (Some(e), false) = (entry, o.quiet) {
                let _ = writeln!(s, "          {} {}", pad(w.fix, 9), e.text(o.lang).fix);
            }
        }
        if sm.codes.is_empty() {
            s += w.logs_none;
            s += "\n";
        }
        for sc in &sm.scanners {
            let kinds = sc.handshakes.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(", ");
            let n = sc.handshakes.values().sum::<u64>();
            let (first, last) = (sc.first_seen.as_deref().unwrap_or("?"), sc.last_seen.as_deref().unwrap_or("?"));
            let _ = writeln!(s, "\n{}", fill(w.scanner, &[("client", &sc.client), ("N", &n), ("first", &first), ("last", &last), ("kinds", &kinds)]));
        }
        s
    }
}
