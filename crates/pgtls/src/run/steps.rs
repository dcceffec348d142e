//! `doctor`'s walk through the connection, step by step, as libpq takes it: the settings, then
//! for each host DNS, TCP, the SSLRequest (or direct SSL), the TLS handshake, the certificate
//! verdict, the startup phase and authentication, each with its outcome and milliseconds.
//! Built from the gathered facts and the verdict, after the fact: nothing here judges anew,
//! it only lays out what was seen so a reader can find where the connection stopped. Each step
//! keeps what it saw as a typed [`Detail`], said in the user's language by the human report
//! and in English in JSON's `detail`.

use serde::Serialize;

use crate::conninfo::SettingSource;
use crate::facts::{Facts, HostFacts};
use crate::findings::Lang;
use crate::net::{Negotiated, Step as NetStep};
use crate::probe::{Authentication, Behind, FirstQuery, ProbeFailure, SslNegotiation, StartupOutcome};
use crate::profile::{ClientProfile, RootCert};
use crate::trust::TrustSource;
use crate::verify::libpq::{Failure, SslMode};
use crate::wire::startup::AuthRequest;

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Ok,
    Failed,
    /// Did not run (an earlier step failed, or the sslmode does not ask for it).
    Skipped,
    /// Ran, and something short of a failure is worth a look.
    Warning,
}

/// Which step: its name in JSON (`settings`, `dns`, `tcp`, `ssl-request`, `direct-ssl`,
/// `handshake`, `certificate`, `startup`, `authentication`, `plaintext`, `first-query`) and,
/// through [`Stage::words`], in the human report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Settings,
    Dns,
    Tcp,
    SslRequest,
    DirectSsl,
    Handshake,
    Certificate,
    Startup,
    Authentication,
    Plaintext,
    FirstQuery,
}

impl Stage {
    /// The step's name in `lang` (English: the JSON name).
    pub fn words(self, lang: Lang) -> &'static str {
        use Stage::*;
        match (self, lang) {
            (Settings, Lang::En) => "settings",
            (Settings, Lang::Zh) => "设置",
            (Settings, Lang::Ja) => "設定",
            (Dns, Lang::En) => "dns",
            (Tcp, Lang::En) => "tcp",
            (SslRequest, Lang::En) => "ssl-request",
            // Protocol names, the same in every language.
            (Dns, _) => "DNS",
            (Tcp, _) => "TCP",
            (SslRequest, _) => "SSLRequest",
            (DirectSsl, Lang::En) => "direct-ssl",
            (DirectSsl, Lang::Zh) => "直接 SSL",
            (DirectSsl, Lang::Ja) => "直接 SSL",
            (Handshake, Lang::En) => "handshake",
            (Handshake, Lang::Zh) => "TLS 握手",
            (Handshake, Lang::Ja) => "TLS ハンドシェイク",
            (Certificate, Lang::En) => "certificate",
            (Certificate, Lang::Zh) => "证书",
            (Certificate, Lang::Ja) => "証明書",
            (Startup, Lang::En) => "startup",
            (Startup, Lang::Zh) => "启动",
            (Startup, Lang::Ja) => "起動",
            (Authentication, Lang::En) => "authentication",
            (Authentication, Lang::Zh) => "认证",
            (Authentication, Lang::Ja) => "認証",
            (Plaintext, Lang::En) => "plaintext",
            (Plaintext, Lang::Zh) => "明文",
            (Plaintext, Lang::Ja) => "平文",
            (FirstQuery, Lang::En) => "first-query",
            (FirstQuery, Lang::Zh) => "首次查询",
            (FirstQuery, Lang::Ja) => "最初のクエリ",
        }
    }
}

/// One step of the walk.
#[derive(Debug, Clone, Serialize)]
pub struct WalkStep {
    pub step: Stage,
    /// The endpoint, for the per-host steps.
    pub host: Option<String>,
    pub outcome: Outcome,
    /// What happened, in English (`what.sentence(Lang::En)`).
    pub detail: String,
    pub ms: Option<u64>,
    /// The same as facts, for the human report in the user's language.
    #[serde(skip)]
    pub what: Detail,
}

fn step(stage: Stage, host: &str, outcome: Outcome, what: Detail, ms: Option<u64>) -> WalkStep {
    WalkStep { step: stage, host: Some(host.to_string()), outcome, detail: what.sentence(Lang::En), ms, what }
}

/// What a step saw, as facts; [`Detail::sentence`] says it in one of the catalogue's
/// languages. Words that are not pgtls's own — libpq's and the server's messages, OS errors,
/// host names, paths — are carried as they are and stay so in every language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    Nothing,
    /// libpq's, the server's or the system's own words.
    Quoted(String),
    /// A server's ErrorResponse: `FATAL:  message`.
    ServerSaid { severity: String, message: String },
    SettingsRefused { libpq: u32, error: String },
    Settings { libpq: u32, sslmode: SslMode, source: SettingSource, user: String, dbname: String },
    HostaddrGiven { addr: String },
    Resolved { host: String, ip: Option<String> },
    Connected { ip: Option<String> },
    NoTlsTried,
    DirectSsl,
    Accepted,
    RefusedRequired { sslmode: SslMode },
    Refused,
    ErrorInstead { error: String },
    NotPostgres { byte: u8, preview: String },
    Tls { version: String, cipher: String },
    CertificatesUnreadable { message: String },
    NoTlsSession,
    ChainVerified { against: Against, host_name: bool },
    NotVerified { sslmode: SslMode },
    NotFollowed,
    LetsIn { user: String, database: String, method: AuthRequest },
    NoPasswordNeeded,
    PasswordAccepted,
    NotChecked { reason: Option<String> },
    NoPasswordAvailable,
    TlsAlert { alert: String },
    ClosedSilently,
    NoAnswer,
    PlaintextLetsIn { method: AuthRequest },
    QueryAnswered { behind: Option<Behind> },
    QueryFailed { got: FirstQuery },
}

impl Detail {
    /// The sentence in `lang`.
    pub fn sentence(&self, lang: Lang) -> String {
        use Detail::*;
        let en = lang == Lang::En;
        let zh = lang == Lang::Zh;
        let pick = |e: &str, z: &str, j: &str| -> String {
            match lang {
                Lang::En => e.to_string(),
                Lang::Zh => z.to_string(),
                Lang::Ja => j.to_string(),
            }
        };
        match self {
            Nothing => String::new(),
            Quoted(text) => text.clone(),
            ServerSaid { severity, message } => format!("{severity}:  {message}"),
            SettingsRefused { libpq, error } => match lang {
                Lang::En => format!("libpq {libpq} refuses the settings and connects nowhere: {error} (the steps below are what pgtls saw when it probed anyway)"),
                Lang::Zh => format!("libpq {libpq} 拒绝这些设置，不会连接任何主机：{error}（以下步骤是 pgtls 仍然进行探测时看到的情况）"),
                Lang::Ja => format!("libpq {libpq} はこの設定を受け付けず、どこにも接続しません: {error}（以下の手順は pgtls がそれでも調べた結果です）"),
            },
            Settings { libpq, sslmode, source, user, dbname } => {
                let from = source.words(lang);
                match lang {
                    Lang::En => format!("libpq {libpq}: sslmode={sslmode} ({from}), user={user}, dbname={dbname}"),
                    Lang::Zh => format!("libpq {libpq}：sslmode={sslmode}（来自{from}），user={user}，dbname={dbname}"),
                    Lang::Ja => format!("libpq {libpq}: sslmode={sslmode}（{from}から）、user={user}、dbname={dbname}"),
                }
            }
            HostaddrGiven { addr } => match lang {
                Lang::En => format!("hostaddr {addr} given: no lookup"),
                Lang::Zh => format!("已指定 hostaddr {addr}：不做名称解析"),
                Lang::Ja => format!("hostaddr {addr} が指定されています: 名前解決は行いません"),
            },
            Resolved { host, ip: Some(ip) } => format!("{host} → {ip}"),
            Resolved { host, ip: None } => host.clone(),
            Connected { ip } => match (lang, ip) {
                (Lang::En, Some(ip)) => format!("connected to {ip}"),
                (Lang::En, None) => "connected to the server".into(),
                (Lang::Zh, Some(ip)) => format!("已连接到 {ip}"),
                (Lang::Zh, None) => "已连接到服务器".into(),
                (Lang::Ja, Some(ip)) => format!("{ip} に接続しました"),
                (Lang::Ja, None) => "サーバーに接続しました".into(),
            },
            NoTlsTried => pick("sslmode=disable: libpq does not try TLS", "sslmode=disable：libpq 不尝试 TLS", "sslmode=disable: libpq は TLS を試みません"),
            DirectSsl => pick(
                "TLS from the first byte (sslnegotiation=direct)",
                "从第一个字节起即为 TLS（sslnegotiation=direct）",
                "最初のバイトから TLS（sslnegotiation=direct）",
            ),
            Accepted => pick("the server agreed to TLS ('S')", "服务器同意使用 TLS（'S'）", "サーバーは TLS に同意しました（'S'）"),
            RefusedRequired { sslmode } => match lang {
                Lang::En => format!("the server answered 'N': no TLS on this server, and sslmode={sslmode} requires it"),
                Lang::Zh => format!("服务器回答 'N'：此服务器不提供 TLS，而 sslmode={sslmode} 要求使用 TLS"),
                Lang::Ja => format!("サーバーの応答は 'N': このサーバーは TLS を提供しておらず、sslmode={sslmode} では TLS が必須です"),
            },
            Refused => pick("the server answered 'N': no TLS on this server", "服务器回答 'N'：此服务器不提供 TLS", "サーバーの応答は 'N': このサーバーは TLS を提供していません"),
            ErrorInstead { error } => match lang {
                Lang::En => format!("the server answered with an error instead of 'S' or 'N': {error}"),
                Lang::Zh => format!("服务器没有回答 'S' 或 'N'，而是返回了错误：{error}"),
                Lang::Ja => format!("サーバーは 'S' でも 'N' でもなくエラーを返しました: {error}"),
            },
            NotPostgres { byte, preview } => {
                let b = crate::wire::describe_byte(*byte);
                match lang {
                    Lang::En => format!("the answer began with {b}, which no PostgreSQL server sends (\"{preview}\"): something else listens here"),
                    Lang::Zh => format!("应答以 {b} 开头，PostgreSQL 服务器不会这样应答（\"{preview}\"）：在此监听的是别的程序"),
                    Lang::Ja => format!("応答は {b} で始まっており、PostgreSQL サーバーの応答ではありません（\"{preview}\"）: ここで待ち受けているのは別のプログラムです"),
                }
            }
            Tls { version, cipher } => format!("{version} {cipher}"),
            CertificatesUnreadable { message } => match lang {
                Lang::En => format!("the server's certificates could not be read: {message}"),
                Lang::Zh => format!("无法读取服务器的证书：{message}"),
                Lang::Ja => format!("サーバーの証明書を読み取れません: {message}"),
            },
            NoTlsSession => pick("no TLS session", "没有 TLS 会话", "TLS セッションなし"),
            ChainVerified { against, host_name } => {
                let against = against.words(lang);
                match lang {
                    Lang::En => format!("chain verified against {against}{}", if *host_name { ", host name matches" } else { "" }),
                    Lang::Zh => format!("已根据{against}验证证书链{}", if *host_name { "，主机名匹配" } else { "" }),
                    Lang::Ja => format!("{}で証明書チェーンを検証済み{}", against.trim_start(), if *host_name { "、ホスト名は一致" } else { "" }),
                }
            }
            NotVerified { sslmode } => match lang {
                Lang::En => format!("not verified: sslmode={sslmode} and no root certificate file"),
                Lang::Zh => format!("未验证：sslmode={sslmode}，且没有根证书文件"),
                Lang::Ja => format!("未検証: sslmode={sslmode} で、ルート証明書ファイルがありません"),
            },
            NotFollowed => pick("not followed (--no-startup)", "未继续（--no-startup）", "確認していません（--no-startup）"),
            LetsIn { user, database, method } => {
                let m = method_words(method, lang);
                match lang {
                    Lang::En => format!("pg_hba.conf lets user \"{user}\" into \"{database}\"; the server asks for: {m}"),
                    Lang::Zh => format!("pg_hba.conf 允许用户 \"{user}\" 连接数据库 \"{database}\"；服务器要求的认证方式：{m}"),
                    Lang::Ja => format!("pg_hba.conf はユーザー \"{user}\" のデータベース \"{database}\" への接続を許可しています。サーバーが求める認証方式: {m}"),
                }
            }
            NoPasswordNeeded => pick("no password needed", "不需要密码", "パスワードは不要です"),
            PasswordAccepted => pick(
                "password accepted (on a second, verified TLS connection)",
                "密码已被接受（在另一条经过验证的 TLS 连接上）",
                "パスワードは受け付けられました（検証済みの別の TLS 接続で確認）",
            ),
            NotChecked { reason: Some(r) } => match lang {
                Lang::En => format!("not checked: {r}"),
                Lang::Zh => format!("未检查：{r}"),
                Lang::Ja => format!("未確認: {r}"),
            },
            NotChecked { reason: None } => pick("not checked", "未检查", "未確認"),
            NoPasswordAvailable => pick(
                "no password available: fe_sendauth: no password supplied",
                "没有可用的密码：fe_sendauth: no password supplied",
                "使えるパスワードがありません: fe_sendauth: no password supplied",
            ),
            TlsAlert { alert } => match lang {
                Lang::En => format!("the server ended TLS with alert \"{alert}\""),
                Lang::Zh => format!("服务器以告警 \"{alert}\" 结束了 TLS"),
                Lang::Ja => format!("サーバーはアラート \"{alert}\" で TLS を終了しました"),
            },
            ClosedSilently => pick("the server closed the connection without answering", "服务器未作应答就关闭了连接", "サーバーは応答せずに接続を閉じました"),
            NoAnswer => pick("no answer within the timeout", "在超时时间内没有应答", "タイムアウトまでに応答がありません"),
            PlaintextLetsIn { method } => {
                let m = method_words(method, lang);
                match lang {
                    Lang::En => format!("without TLS, pg_hba.conf lets the client in; the server asks for: {m}"),
                    Lang::Zh => format!("不使用 TLS 时 pg_hba.conf 也允许客户端连接；服务器要求的认证方式：{m}"),
                    Lang::Ja => format!("TLS なしでも pg_hba.conf は接続を許可します。サーバーが求める認証方式: {m}"),
                }
            }
            QueryAnswered { behind } => {
                let said = behind.as_ref().map(|b| behind_words(b, lang)).unwrap_or_default();
                match lang {
                    Lang::En => format!("SELECT 1 answered: the server behind the login answers queries{said}"),
                    Lang::Zh => format!("SELECT 1 已应答：登录后面的服务器能响应查询{said}"),
                    Lang::Ja => format!("SELECT 1 に応答あり: ログインの背後のサーバーはクエリに応答します{said}"),
                }
            }
            QueryFailed { got } => {
                let got = match (got, lang) {
                    (_, Lang::En) => got.got(),
                    (FirstQuery::Refused { .. }, _) => got.got(),
                    (FirstQuery::Answered { .. }, _) => pick("", "查询结果", "結果の行"),
                    (FirstQuery::NoAnswer { timed_out: true, .. }, _) => pick("", "在 pgtls 的超时时间内没有应答", "pgtls のタイムアウトまでに応答なし"),
                    (FirstQuery::NoAnswer { message, .. }, _) if zh => format!("连接被关闭（{message}）"),
                    (FirstQuery::NoAnswer { message, .. }, _) => format!("接続が閉じられました（{message}）"),
                };
                match lang {
                    _ if en => format!("SELECT 1 got {got} (what answered the login cannot serve a query)"),
                    Lang::Zh => format!("SELECT 1 得到的是：{got}（应答登录的一方无法执行查询）"),
                    _ => format!("SELECT 1 の結果: {got}（ログインに応答した相手はクエリを処理できません）"),
                }
            }
        }
    }
}

/// The trust store a chain was verified against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Against {
    /// The store libpq loads for this client's sslrootcert.
    Store(TrustSource),
    /// A store known only by the verdict's words for it.
    Named(String),
    Unknown,
}

impl Against {
    /// The verdict's trust source, typed when it is the one the client's sslrootcert names.
    fn of(verdict_source: Option<&String>, root: &RootCert) -> Against {
        match (verdict_source, root.source()) {
            (Some(said), Some(store)) if *said == store.to_string() => Against::Store(store),
            (Some(said), _) => Against::Named(said.clone()),
            (None, _) => Against::Unknown,
        }
    }

    /// `file /path`, `system store` … in `lang`, with a space either side outside English.
    fn words(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match (self, lang) {
            (Against::Store(s), Lang::En) => s.to_string(),
            (Against::Named(s), Lang::En) => s.clone(),
            (Against::Unknown, Lang::En) => "the trust store".into(),
            (Against::Store(TrustSource::File(p)), _) => format!(" {} {} ", if zh { "文件" } else { "ファイル" }, p.display()),
            (Against::Store(TrustSource::Dir(p)), _) => format!(" {} {} ", if zh { "目录" } else { "ディレクトリ" }, p.display()),
            (Against::Store(TrustSource::System { ssl_cert_file }), _) => {
                let store = if zh { "系统信任存储" } else { "システムの信頼ストア" };
                match ssl_cert_file {
                    Some(p) => format!("{store}（SSL_CERT_FILE={}）", p.display()),
                    None => store.to_string(),
                }
            }
            (Against::Store(other), _) => format!(" {other} "),
            (Against::Named(s), _) => format!(" {s} "),
            (Against::Unknown, _) => (if zh { "信任存储" } else { "信頼ストア" }).into(),
        }
    }
}

/// The pg_hba.conf method an authentication request comes from, in `lang` (method names stay).
fn method_words(request: &AuthRequest, lang: Lang) -> String {
    match (request, lang) {
        (_, Lang::En) => request.method().to_string(),
        (AuthRequest::Ok, Lang::Zh) => "trust（或 cert）".into(),
        (AuthRequest::Ok, Lang::Ja) => "trust（または cert）".into(),
        (AuthRequest::Other { .. }, Lang::Zh) => "未知".into(),
        (AuthRequest::Other { .. }, Lang::Ja) => "不明".into(),
        _ => request.method().to_string(),
    }
}

/// `; the server says: port …` — what the server behind the login said of the session.
fn behind_words(b: &Behind, lang: Lang) -> String {
    let (unknown, socket) = match lang {
        Lang::En => ("unknown", "none (Unix socket)"),
        Lang::Zh => ("未知", "无（Unix 套接字）"),
        Lang::Ja => ("不明", "なし（Unix ソケット）"),
    };
    let port = b.port.map(|p| p.to_string()).unwrap_or_else(|| socket.into());
    let ssl = b.ssl.map(|v| if v { "on" } else { "off" }).unwrap_or(unknown);
    let tls = match (b.session_tls, lang) {
        (None, _) => unknown,
        (Some(true), Lang::En) => "over TLS",
        (Some(false), Lang::En) => "NOT over TLS",
        (Some(true), Lang::Zh) => "使用 TLS",
        (Some(false), Lang::Zh) => "未使用 TLS",
        (Some(true), Lang::Ja) => "TLS を使用",
        (Some(false), Lang::Ja) => "TLS を使用していません",
    };
    let addr = b.client_addr.as_deref().unwrap_or(socket);
    match lang {
        Lang::En => format!("; the server says: port {port}, ssl = {ssl}, its side of this session {tls}, client address {addr}"),
        Lang::Zh => format!("；服务器报告：端口 {port}，ssl = {ssl}，本会话在服务器一侧{tls}，客户端地址 {addr}"),
        Lang::Ja => format!("。サーバーの報告: ポート {port}、ssl = {ssl}、このセッションのサーバー側は {tls}、クライアントアドレス {addr}"),
    }
}

/// The walk for every host of `facts`; `source`: where the sslmode came from.
pub fn steps(profile: &ClientProfile, source: &SettingSource, facts: &Facts) -> Vec<WalkStep> {
    let mut out = vec![settings(profile, source, facts)];
    for h in &facts.hosts {
        host(h, profile.sslmode, &profile.root, &mut out);
    }
    out
}

fn settings(profile: &ClientProfile, source: &SettingSource, facts: &Facts) -> WalkStep {
    let before = facts.verdicts().find_map(|(_, v)| v.failure.as_ref().filter(|f| f.before_connect()).and(v.error.clone()));
    let (outcome, what) = match before {
        Some(error) => (Outcome::Failed, Detail::SettingsRefused { libpq: profile.libpq, error }),
        None => (
            Outcome::Ok,
            Detail::Settings {
                libpq: profile.libpq,
                sslmode: profile.sslmode,
                source: source.clone(),
                user: profile.user.clone(),
                dbname: profile.database.clone(),
            },
        ),
    };
    WalkStep { step: Stage::Settings, host: None, outcome, detail: what.sentence(Lang::En), ms: None, what }
}

/// A server's ErrorResponse as the steps quote it.
fn server_said(error: &crate::wire::ErrorResponse) -> Detail {
    Detail::ServerSaid { severity: error.severity.clone().unwrap_or_else(|| "FATAL".into()), message: error.message.clone() }
}

fn host(h: &HostFacts, mode: SslMode, root: &RootCert, out: &mut Vec<WalkStep>) {
    let p = &h.probe;
    let name = p.target.display_name();
    let t = &p.timings;
    let net = p.network_failure();
    let failed_at = |s: NetStep| net.is_some_and(|e| e.step == s);
    let net_said = || Detail::Quoted(net.map(|e| e.message.clone()).unwrap_or_default());
    // DNS and TCP.
    if failed_at(NetStep::Resolve) {
        out.push(step(Stage::Dns, &name, Outcome::Failed, net_said(), t.resolve_ms));
        return;
    }
    let dns = match (&p.target.hostaddr, &p.peer_ip) {
        (Some(a), _) => Detail::HostaddrGiven { addr: a.clone() },
        (None, ip) => Detail::Resolved { host: p.target.host.clone(), ip: ip.clone() },
    };
    out.push(step(Stage::Dns, &name, Outcome::Ok, dns, t.resolve_ms));
    if failed_at(NetStep::Connect) {
        out.push(step(Stage::Tcp, &name, Outcome::Failed, net_said(), t.connect_ms));
        return;
    }
    out.push(step(Stage::Tcp, &name, Outcome::Ok, Detail::Connected { ip: p.peer_ip.clone() }, t.connect_ms));
    // disable: no TLS at all; allow: plaintext first, TLS only after a refusal.
    if mode == SslMode::Disable {
        out.push(step(Stage::SslRequest, &name, Outcome::Skipped, Detail::NoTlsTried, None));
        plaintext(h, &name, out);
        return;
    }
    if mode == SslMode::Allow {
        plaintext(h, &name, out);
        let refused = h.plaintext.as_ref().and_then(|p| p.startup.as_ref()).is_some_and(|s| matches!(s.outcome, StartupOutcome::Refused { .. }));
        if !refused {
            return;
        }
    }
    let prefer = mode == SslMode::Prefer;
    let fallback = |out: &mut Vec<WalkStep>| {
        if prefer {
            plaintext(h, &name, out)
        }
    };
    // SSLRequest or direct SSL.
    if p.target.negotiation == SslNegotiation::Direct {
        out.push(step(Stage::DirectSsl, &name, Outcome::Ok, Detail::DirectSsl, None));
    } else {
        let (o, d) = match (&p.reply, net) {
            (Some(Negotiated::Accept), _) => (Outcome::Ok, Detail::Accepted),
            (Some(Negotiated::Refuse), _) if mode >= SslMode::Require => (Outcome::Failed, Detail::RefusedRequired { sslmode: mode }),
            (Some(Negotiated::Refuse), _) => (Outcome::Warning, Detail::Refused),
            (Some(Negotiated::Error { error }), _) => (Outcome::Failed, Detail::ErrorInstead { error: error.to_string() }),
            (Some(Negotiated::Unexpected { byte, preview }), _) => (Outcome::Failed, Detail::NotPostgres { byte: *byte, preview: preview.clone() }),
            (None, Some(e)) => (Outcome::Failed, Detail::Quoted(e.message.clone())),
            (None, None) => (Outcome::Skipped, Detail::Nothing),
        };
        let stop = o != Outcome::Ok;
        out.push(step(Stage::SslRequest, &name, o, d, t.negotiate_ms));
        if stop {
            fallback(out);
            return;
        }
    }
    // Handshake.
    match (&p.tls, &p.failure) {
        (Some(tls), _) => out.push(step(
            Stage::Handshake,
            &name,
            Outcome::Ok,
            Detail::Tls { version: tls.version.to_string(), cipher: tls.cipher_openssl.clone() },
            t.handshake_ms,
        )),
        (None, Some(ProbeFailure::Handshake { error })) => {
            out.push(step(Stage::Handshake, &name, Outcome::Failed, Detail::Quoted(error.to_string()), t.handshake_ms));
            fallback(out);
            return;
        }
        (None, other) => {
            let d = match other {
                Some(ProbeFailure::Network { error }) => Detail::Quoted(error.to_string()),
                Some(ProbeFailure::Certificate { message }) => Detail::CertificatesUnreadable { message: message.clone() },
                Some(ProbeFailure::Handshake { error }) => Detail::Quoted(error.to_string()),
                None => Detail::NoTlsSession,
            };
            out.push(step(Stage::Handshake, &name, Outcome::Failed, d, t.handshake_ms));
            return;
        }
    }
    // The certificate, as libpq judges it.
    if let Some(v) = &h.verdict {
        let (o, d) = match &v.failure {
            _ if v.chain_verified => {
                (Outcome::Ok, Detail::ChainVerified { against: Against::of(v.trust_source.as_ref(), root), host_name: v.hostname_verified })
            }
            Some(
                Failure::ChainUntrusted { .. }
                | Failure::HostnameMismatch { .. }
                | Failure::NoHostName
                | Failure::RootFileMissing { .. }
                | Failure::RootFileUnreadable { .. }
                | Failure::SystemRootsUnavailable { .. }
                | Failure::ClientCertUnusable { .. },
            ) => (Outcome::Failed, Detail::Quoted(v.error.clone().unwrap_or_default())),
            _ if v.sslmode < SslMode::VerifyCa => (Outcome::Warning, Detail::NotVerified { sslmode: v.sslmode }),
            _ => (Outcome::Skipped, Detail::Nothing),
        };
        let stop = o == Outcome::Failed;
        out.push(step(Stage::Certificate, &name, o, d, None));
        if stop {
            fallback(out);
            return;
        }
    }
    // Startup and authentication.
    let Some(st) = &p.startup else {
        out.push(step(Stage::Startup, &name, Outcome::Skipped, Detail::NotFollowed, None));
        return;
    };
    match &st.outcome {
        StartupOutcome::Auth { request } => {
            out.push(step(
                Stage::Startup,
                &name,
                Outcome::Ok,
                Detail::LetsIn { user: st.user.clone(), database: st.database.clone(), method: request.clone() },
                t.startup_ms,
            ));
            let (o, d) = match (&st.authentication, request.needs_password()) {
                (_, false) => (Outcome::Ok, Detail::NoPasswordNeeded),
                (Some(Authentication::Accepted { .. }), _) => (Outcome::Ok, Detail::PasswordAccepted),
                (Some(Authentication::Refused { error, .. }), _) => (Outcome::Failed, server_said(error)),
                (Some(Authentication::ClientGaveUp { message }), _) => (Outcome::Failed, Detail::Quoted(message.clone())),
                (Some(Authentication::NotSent { reason } | Authentication::Failed { message: reason }), _) => {
                    (Outcome::Warning, Detail::NotChecked { reason: Some(reason.clone()) })
                }
                (None, _) => match h.verdict.as_ref().and_then(|v| v.failure.as_ref()) {
                    Some(Failure::PasswordMissing { .. }) => (Outcome::Failed, Detail::NoPasswordAvailable),
                    _ => (Outcome::Warning, Detail::NotChecked { reason: None }),
                },
            };
            out.push(step(Stage::Authentication, &name, o, d, t.authentication_ms));
            first_query(st, &name, out);
        }
        StartupOutcome::Refused { error, .. } => {
            out.push(step(Stage::Startup, &name, Outcome::Failed, server_said(error), t.startup_ms));
            fallback(out);
        }
        other => out.push(step(Stage::Startup, &name, Outcome::Failed, ended(other), t.startup_ms)),
    }
}

/// A startup phase that ended without an authentication request or an ErrorResponse.
fn ended(outcome: &StartupOutcome) -> Detail {
    match outcome {
        StartupOutcome::TlsAlert { alert } => Detail::TlsAlert { alert: alert.clone() },
        StartupOutcome::Closed => Detail::ClosedSilently,
        StartupOutcome::Timeout => Detail::NoAnswer,
        StartupOutcome::Failed { message } => Detail::Quoted(message.clone()),
        // Not reached: both callers take these two first.
        StartupOutcome::Auth { request } => Detail::PlaintextLetsIn { method: request.clone() },
        StartupOutcome::Refused { error, .. } => server_said(error),
    }
}

/// The plaintext attempt of sslmode disable/allow/prefer, when it was made.
fn plaintext(h: &HostFacts, name: &str, out: &mut Vec<WalkStep>) {
    let Some(p) = &h.plaintext else { return };
    let (o, d) = match p.startup.as_ref().map(|s| &s.outcome) {
        Some(StartupOutcome::Auth { request }) => (Outcome::Warning, Detail::PlaintextLetsIn { method: request.clone() }),
        Some(other) => (Outcome::Failed, ended(other)),
        None => (Outcome::Failed, Detail::Quoted(p.network_failure().map(|e| e.message.clone()).unwrap_or_default())),
    };
    out.push(step(Stage::Plaintext, name, o, d, p.timings.startup_ms));
    if let Some(st) = &p.startup {
        first_query(st, name, out);
    }
}

/// The read-only `SELECT 1` after the login, when one was sent.
fn first_query(st: &crate::probe::StartupFacts, name: &str, out: &mut Vec<WalkStep>) {
    let (o, d) = match st.first_query() {
        None => return,
        Some(FirstQuery::Answered { behind }) => (Outcome::Ok, Detail::QueryAnswered { behind: behind.clone() }),
        Some(q) => (Outcome::Failed, Detail::QueryFailed { got: q.clone() }),
    };
    out.push(step(Stage::FirstQuery, name, o, d, None));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conninfo::Source;

    /// Every detail pgtls words itself reads differently in zh and ja than in English, and
    /// keeps the facts (names, values) it carries; libpq's and the server's words stay as they
    /// are. The English is the text JSON has always carried.
    #[test]
    fn every_detail_in_three_languages() {
        let behind = Behind { port: None, ssl: Some(true), session_tls: Some(false), client_addr: None };
        let table: Vec<(Detail, &str)> = vec![
            (Detail::SettingsRefused { libpq: 17, error: "invalid sslmode value: \"x\"".into() }, "libpq 17 refuses the settings and connects nowhere: invalid sslmode value: \"x\" (the steps below are what pgtls saw when it probed anyway)"),
            (
                Detail::Settings { libpq: 16, sslmode: SslMode::Require, source: SettingSource::Libpq(Source::Env("PGSSLMODE".into())), user: "u".into(), dbname: "d".into() },
                "libpq 16: sslmode=require (the environment variable PGSSLMODE), user=u, dbname=d",
            ),
            (Detail::HostaddrGiven { addr: "10.0.0.1".into() }, "hostaddr 10.0.0.1 given: no lookup"),
            (Detail::Connected { ip: Some("10.0.0.1".into()) }, "connected to 10.0.0.1"),
            (Detail::Connected { ip: None }, "connected to the server"),
            (Detail::NoTlsTried, "sslmode=disable: libpq does not try TLS"),
            (Detail::DirectSsl, "TLS from the first byte (sslnegotiation=direct)"),
            (Detail::Accepted, "the server agreed to TLS ('S')"),
            (Detail::RefusedRequired { sslmode: SslMode::VerifyFull }, "the server answered 'N': no TLS on this server, and sslmode=verify-full requires it"),
            (Detail::Refused, "the server answered 'N': no TLS on this server"),
            (Detail::ErrorInstead { error: "FATAL:  no".into() }, "the server answered with an error instead of 'S' or 'N': FATAL:  no"),
            (Detail::NotPostgres { byte: b'H', preview: "HTTP/1.1".into() }, "the answer began with 'H' (0x48), which no PostgreSQL server sends (\"HTTP/1.1\"): something else listens here"),
            (Detail::CertificatesUnreadable { message: "bad DER".into() }, "the server's certificates could not be read: bad DER"),
            (Detail::NoTlsSession, "no TLS session"),
            (Detail::ChainVerified { against: Against::Store(TrustSource::File("/r.crt".into())), host_name: true }, "chain verified against file /r.crt, host name matches"),
            (Detail::ChainVerified { against: Against::Store(TrustSource::System { ssl_cert_file: None }), host_name: false }, "chain verified against system store"),
            (Detail::ChainVerified { against: Against::Unknown, host_name: false }, "chain verified against the trust store"),
            (Detail::NotVerified { sslmode: SslMode::Require }, "not verified: sslmode=require and no root certificate file"),
            (Detail::NotFollowed, "not followed (--no-startup)"),
            (Detail::LetsIn { user: "u".into(), database: "d".into(), method: AuthRequest::Ok }, "pg_hba.conf lets user \"u\" into \"d\"; the server asks for: trust (or cert)"),
            (Detail::NoPasswordNeeded, "no password needed"),
            (Detail::PasswordAccepted, "password accepted (on a second, verified TLS connection)"),
            (Detail::NotChecked { reason: Some("x".into()) }, "not checked: x"),
            (Detail::NotChecked { reason: None }, "not checked"),
            (Detail::NoPasswordAvailable, "no password available: fe_sendauth: no password supplied"),
            (Detail::TlsAlert { alert: "unknown ca".into() }, "the server ended TLS with alert \"unknown ca\""),
            (Detail::ClosedSilently, "the server closed the connection without answering"),
            (Detail::NoAnswer, "no answer within the timeout"),
            (Detail::PlaintextLetsIn { method: AuthRequest::Other { code: 99 } }, "without TLS, pg_hba.conf lets the client in; the server asks for: unknown"),
            (
                Detail::QueryAnswered { behind: Some(behind) },
                "SELECT 1 answered: the server behind the login answers queries; the server says: port none (Unix socket), ssl = on, its side of this session NOT over TLS, client address none (Unix socket)",
            ),
            (Detail::QueryFailed { got: FirstQuery::NoAnswer { timed_out: true, message: String::new() } }, "SELECT 1 got no answer within pgtls's timeout (what answered the login cannot serve a query)"),
            (Detail::QueryFailed { got: FirstQuery::NoAnswer { timed_out: false, message: "reset".into() } }, "SELECT 1 got the connection closed (reset) (what answered the login cannot serve a query)"),
        ];
        for (d, en) in &table {
            assert_eq!(d.sentence(Lang::En), *en);
            for lang in [Lang::Zh, Lang::Ja] {
                let s = d.sentence(lang);
                assert_ne!(&s, en, "{lang:?}: {d:?} is not translated");
                // No English word of pgtls's own: what is left after the facts it carries.
                let mut rest = s.clone();
                for fact in ["invalid sslmode value", "fe_sendauth: no password supplied", "unknown ca", "bad DER", "reset", "HTTP/1.1", "FATAL:  no"] {
                    rest = rest.replace(fact, "");
                }
                // Tokens with a digit or a sign are codes, paths, key=value and addresses.
                let english = rest
                    .split(|c: char| !(c.is_ascii_alphanumeric() || "-_./=:@+#'".contains(c)))
                    .map(|w| w.trim_end_matches([':', '.', ',']))
                    .filter(|w| !w.chars().any(|c| c.is_ascii_digit() || "-_./=@+#:'".contains(c)))
                    .find(|w| w.len() >= 4 && !w.chars().all(|c| c.is_ascii_uppercase()) && !["libpq", "hostaddr", "Unix", "trust", "cert", "pgtls", "PostgreSQL", "SSLRequest"].contains(w));
                assert!(english.is_none(), "{lang:?}: {english:?} in {s}");
            }
        }
        // Words that are not ours stay as they are.
        for d in [Detail::Quoted("could not connect".into()), Detail::ServerSaid { severity: "FATAL".into(), message: "no pg_hba.conf entry".into() }] {
            assert_eq!(d.sentence(Lang::Zh), d.sentence(Lang::En));
        }
        for source in [SettingSource::CommandLine, SettingSource::Libpq(Source::ConnString), SettingSource::Libpq(Source::Default), SettingSource::Libpq(Source::Service("/s".into()))] {
            for lang in [Lang::Zh, Lang::Ja] {
                assert!(!source.from_words(lang).contains("the "), "{lang:?}: {}", source.from_words(lang));
            }
        }
        assert_eq!(SettingSource::Libpq(Source::Default).from_words(Lang::En), " (from the default)");
    }
}
