//! The command layer's tests: instants given on the command line, and what errors say: one instance of every variant of `RunError` and of each error it
//! wraps; each says in English exactly its `Display`, and in zh and ja no English sentence
//! (`findings::english_words`, the words of the facts it quotes — paths, values, the OS's and
//! parsers' texts — taken out first).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{parse_instant, RunError};
use crate::config::{hba::HbaError, ident::IdentError, jdbc::JdbcError, kong::KongError, pgbouncer::PgbouncerError, pgconf::PgConfError, server::GatherError};
use crate::conninfo::{ConninfoError, HostPortProblem};
use crate::findings::{english_words, Lang};
use crate::logs::LogError;
use crate::trust::TrustError;
use crate::verify::rotation::{ProfileProblem, RotationError};

fn io() -> std::io::Error {
    std::io::Error::other("E2")
}

fn p(s: &str) -> PathBuf {
    PathBuf::from(s)
}

fn conninfo_errors() -> Vec<ConninfoError> {
    use ConninfoError::*;
    let k = || "kw9".to_string();
    let mut v = vec![
        MissingEquals { keyword: k() },
        UnterminatedQuote,
        InvalidOption { keyword: k() },
        InvalidPercentEncoding { token: "%zz".into() },
        PercentEncodedNul { token: "%00".into() },
        PercentEncodedNotUtf8 { token: "%ff".into() },
        UnterminatedIpv6 { uri: "postgresql://[::1".into() },
        EmptyIpv6 { uri: "postgresql://[]".into() },
        UnexpectedUriChar { ch: '!', position: 14, uri: "postgresql://x!".into() },
        InvalidQueryParameter { keyword: k() },
        ExtraQuerySeparator { keyword: "a=b=c".into() },
        MissingQuerySeparator { keyword: k() },
        PortCount { ports: 3, hosts: 2 },
        HostCount { names: 1, addrs: 2 },
        InvalidValue { keyword: "sslmode", value: "x1".into() },
        InvalidInteger { keyword: "port", value: "x1".into() },
        InvalidPort { port: "99999".into() },
        InvalidHostaddr { addr: "x1".into() },
        InvalidProtocolRange,
        WeakSslModeDirect { sslmode: "prefer".into() },
        ServiceNotFound { service: "s1".into() },
        ServiceFileUnreadable { file: "/etc/pg_service.conf".into() },
        ServiceLineTooLong { file: "/etc/pg_service.conf".into(), line: 3 },
        ServiceSyntax { file: "/etc/pg_service.conf".into(), line: 3 },
        ServiceNested { file: "/etc/pg_service.conf".into(), line: 3 },
    ];
    for reason in [HostPortProblem::NoClosingBracket, HostPortProblem::EmptyIpv6, HostPortProblem::PortAfterBracket, HostPortProblem::NoHost, HostPortProblem::NoPort] {
        v.push(InvalidHostPort { target: "[::1".into(), reason });
    }
    v
}

/// Which variant: an exhaustive match, so a new variant does not compile until it has a
/// number here (and then an instance above, or `every_variant_is_built` fails).
fn conninfo_kind(e: &ConninfoError) -> usize {
    use ConninfoError::*;
    match e {
        MissingEquals { .. } => 0,
        UnterminatedQuote => 1,
        InvalidOption { .. } => 2,
        InvalidPercentEncoding { .. } => 3,
        PercentEncodedNul { .. } => 4,
        PercentEncodedNotUtf8 { .. } => 5,
        UnterminatedIpv6 { .. } => 6,
        EmptyIpv6 { .. } => 7,
        UnexpectedUriChar { .. } => 8,
        InvalidQueryParameter { .. } => 9,
        ExtraQuerySeparator { .. } => 10,
        MissingQuerySeparator { .. } => 11,
        InvalidHostPort { .. } => 12,
        PortCount { .. } => 13,
        HostCount { .. } => 14,
        InvalidValue { .. } => 15,
        InvalidInteger { .. } => 16,
        InvalidPort { .. } => 17,
        InvalidHostaddr { .. } => 18,
        InvalidProtocolRange => 19,
        WeakSslModeDirect { .. } => 20,
        ServiceNotFound { .. } => 21,
        ServiceFileUnreadable { .. } => 22,
        ServiceLineTooLong { .. } => 23,
        ServiceSyntax { .. } => 24,
        ServiceNested { .. } => 25,
    }
}
const CONNINFO_KINDS: usize = 26;

fn trust_errors() -> Vec<TrustError> {
    let pem = crate::trust::parse_file(&p("/x/b.pem"), b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n").unwrap_err();
    assert!(matches!(pem, TrustError::Pem { .. }), "{pem}");
    vec![
        TrustError::Io { path: p("/x/a.pem"), source: io() },
        pem,
        TrustError::BadCert { path: p("/x/a.pem"), entry: "#2".into(), reason: "E7".into() },
        TrustError::Empty { path: p("/x/a.pem") },
        TrustError::WrongPassword { path: p("/x/a.jks") },
        TrustError::Keystore { path: p("/x/a.jks"), kind: "JKS", reason: "E7".into() },
        TrustError::TooLarge { path: p("/x/a.pem") },
        TrustError::NoJavaStore,
        TrustError::Unknown { name: "pgx".into() },
        TrustError::NoSystemStore,
    ]
}

fn trust_kind(e: &TrustError) -> usize {
    match e {
        TrustError::Io { .. } => 0,
        TrustError::Pem { .. } => 1,
        TrustError::BadCert { .. } => 2,
        TrustError::Empty { .. } => 3,
        TrustError::WrongPassword { .. } => 4,
        TrustError::Keystore { .. } => 5,
        TrustError::TooLarge { .. } => 6,
        TrustError::NoJavaStore => 7,
        TrustError::Unknown { .. } => 8,
        TrustError::NoSystemStore => 9,
    }
}
const TRUST_KINDS: usize = 10;

fn rotation_errors() -> Vec<RotationError> {
    let toml = toml::from_str::<toml::Table>("= =").unwrap_err();
    vec![
        RotationError::Unknown("x1".into()),
        RotationError::Parse { name: "p1".into(), source: toml },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::NotInPem { id: "c1".into(), sha256: "AB:CD".into(), pem: "p1.pem".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::ThumbprintDiffers { id: "c1".into(), sha1: "AB".into(), published: "CD".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::Undescribed { pem: "p1.pem".into(), subject: "CN=x1".into(), sha256: "AB".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::UnknownCert { chain: None, id: "c1".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::UnknownCert { chain: Some("g1".into()), id: "c1".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::NoIssuing { chain: "g1".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::FromNotAfter { chain: "g1".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::UntilRotatedNotBefore { chain: "g1".into() } },
        RotationError::Invalid { name: "p1".into(), problem: ProfileProblem::RootNotSelfSigned { cert: "c1".into() } },
        RotationError::Io { name: "p1".into(), path: p("/x/p.pem"), source: io() },
    ]
}

fn rotation_kind(e: &RotationError) -> usize {
    match e {
        RotationError::Unknown(_) => 0,
        RotationError::Parse { .. } => 1,
        RotationError::Invalid { .. } => 2,
        RotationError::Io { .. } => 3,
    }
}
const ROTATION_KINDS: usize = 4;

fn profile_problem_kind(e: &RotationError) -> Option<usize> {
    use ProfileProblem::*;
    let RotationError::Invalid { problem, .. } = e else { return None };
    Some(match problem {
        NotInPem { .. } => 0,
        ThumbprintDiffers { .. } => 1,
        Undescribed { .. } => 2,
        UnknownCert { chain: None, .. } => 3,
        UnknownCert { chain: Some(_), .. } => 4,
        NoIssuing { .. } => 5,
        FromNotAfter { .. } => 6,
        UntilRotatedNotBefore { .. } => 7,
        RootNotSelfSigned { .. } => 8,
    })
}

fn gather_errors() -> Vec<GatherError> {
    let f = || p("/x/postgresql.conf");
    let mut v: Vec<GatherError> = vec![
        PgConfError::Syntax { file: f(), line: 3, token: "=".into() },
        PgConfError::SyntaxEol { file: f(), line: 3 },
        PgConfError::MissingInclude { file: f(), from: "/x/a.conf:2".into(), reason: "E2".into() },
        PgConfError::Unreadable { file: f(), reason: "E2".into() },
        PgConfError::UnreadableDir { dir: p("/x/conf.d"), from: "/x/a.conf:2".into(), reason: "E2".into() },
        PgConfError::TooDeep { file: f(), from: "/x/a.conf:2".into() },
        PgConfError::Recursion { file: f(), line: 3 },
    ]
    .into_iter()
    .map(GatherError::Conf)
    .collect();
    let h = || p("/x/pg_hba.conf");
    v.extend([HbaError::Line { file: h(), line: 3, message: "E7".into() }, HbaError::Unreadable { file: h(), reason: "E2".into() }, HbaError::TooDeep { file: h() }].map(GatherError::Hba));
    let i = || p("/x/pg_ident.conf");
    v.extend([IdentError::Line { file: i(), line: 3, message: "E7".into() }, IdentError::Unreadable { file: i(), reason: "E2".into() }, IdentError::TooDeep { file: i() }].map(GatherError::Ident));
    v
}

fn gather_kind(e: &GatherError) -> usize {
    match e {
        GatherError::Conf(PgConfError::Syntax { .. }) => 0,
        GatherError::Conf(PgConfError::SyntaxEol { .. }) => 1,
        GatherError::Conf(PgConfError::MissingInclude { .. }) => 2,
        GatherError::Conf(PgConfError::Unreadable { .. }) => 3,
        GatherError::Conf(PgConfError::UnreadableDir { .. }) => 4,
        GatherError::Conf(PgConfError::TooDeep { .. }) => 5,
        GatherError::Conf(PgConfError::Recursion { .. }) => 6,
        GatherError::Hba(HbaError::Line { .. }) => 7,
        GatherError::Hba(HbaError::Unreadable { .. }) => 8,
        GatherError::Hba(HbaError::TooDeep { .. }) => 9,
        GatherError::Ident(IdentError::Line { .. }) => 10,
        GatherError::Ident(IdentError::Unreadable { .. }) => 11,
        GatherError::Ident(IdentError::TooDeep { .. }) => 12,
    }
}
const GATHER_KINDS: usize = 13;

fn kong_errors() -> Vec<KongError> {
    vec![
        KongError::Line { file: p("/x/kong.conf"), line: 3, message: "E7".into() },
        KongError::Unreadable { file: p("/x/kong.conf"), reason: "E2".into() },
        KongError::Value { origin: "/x/kong.conf:3".into(), key: "pg_ssl".into(), value: "x1".into(), expected: "on/off".into() },
    ]
}

fn kong_kind(e: &KongError) -> usize {
    match e {
        KongError::Line { .. } => 0,
        KongError::Unreadable { .. } => 1,
        KongError::Value { .. } => 2,
    }
}

fn jdbc_kind(e: &JdbcError) -> usize {
    match e {
        JdbcError::Scheme(_) => 0,
        JdbcError::Host(_) => 1,
        JdbcError::SslMode(_) => 2,
        JdbcError::Encoding(_) => 3,
    }
}

fn log_kind(e: &LogError) -> usize {
    match e {
        LogError::Open { .. } => 0,
        LogError::Read { .. } => 1,
        LogError::Patterns(_) => 2,
    }
}

fn pgbouncer_kind(e: &PgbouncerError) -> usize {
    match e {
        PgbouncerError::Unreadable { .. } => 0,
        PgbouncerError::IncludeDepth { .. } => 1,
        PgbouncerError::NoSection { .. } => 2,
    }
}

fn inventory_kind(e: &super::fleet::inventory::InventoryError) -> usize {
    use super::fleet::inventory::InventoryError::*;
    match e {
        NoTargetColumn { .. } => 0,
        Csv { .. } => 1,
        BadShard(_) => 2,
    }
}

/// Every `RunError` the test says, each wrapped error's variants among them.
fn run_errors() -> Vec<RunError> {
    use super::fleet::inventory::InventoryError;
    let mut v: Vec<RunError> = conninfo_errors().into_iter().map(RunError::from).collect();
    v.extend(trust_errors().into_iter().map(RunError::Trust));
    v.extend(rotation_errors().into_iter().map(RunError::Rotation));
    v.extend(gather_errors().into_iter().map(|source| RunError::ServerConfig { path: p("/x/postgresql.conf"), source }));
    v.extend(kong_errors().into_iter().map(|error| RunError::Kong { path: p("/x/kong.conf"), error }));
    v.extend([JdbcError::Scheme("x1".into()), JdbcError::Host("x1".into()), JdbcError::SslMode("x1".into()), JdbcError::Encoding("x1".into())].map(RunError::Jdbc));
    v.extend(
        [
            LogError::Open { path: p("/x/pg.log"), source: io() },
            LogError::Read { what: "/x/pg.log".into(), source: io() },
            LogError::Read { what: "the log input".into(), source: io() },
            LogError::Patterns("E7".into()),
        ]
        .map(|error| RunError::Logs { path: p("/x/pg.log"), error }),
    );
    v.extend(
        [
            PgbouncerError::Unreadable { file: p("/x/pgbouncer.ini"), reason: "E2".into() },
            PgbouncerError::IncludeDepth { file: p("/x/pgbouncer.ini") },
            PgbouncerError::NoSection { file: p("/x/pgbouncer.ini") },
        ]
        .map(RunError::Pgbouncer),
    );
    v.extend(
        [
            InventoryError::NoTargetColumn { origin: "/x/a.csv".into(), header: "a,b".into() },
            InventoryError::Csv { origin: "/x/a.csv".into(), line: 3, message: "E7".into() },
            InventoryError::BadShard("5/2".into()),
        ]
        .map(RunError::Inventory),
    );
    v.extend([
        RunError::NoTcpHost { sockets: "/tmp".into(), source_: "the environment variable PGHOST".into() },
        RunError::NoTcpHost { sockets: "/tmp".into(), source_: "the default".into() },
        RunError::BadInput { path: p("/x/e.toml"), message: "E7".into() },
        RunError::NoCommonName { path: p("/x/c.pem") },
        RunError::NoHbaFile { path: p("/x/postgresql.conf") },
        RunError::NotFacts { path: p("/x/f.json"), error: "E7".into() },
        RunError::FactsVersion { path: p("/x/f.json"), found: 1, want: 2 },
        RunError::NotFleetRecord { origin: "/x/r.jsonl".into(), line: 3, error: "E7".into() },
        RunError::UnknownTlsVersion("TLSv9".into()),
        RunError::UnknownCipherSuite("X9".into()),
        RunError::NoClientRange(crate::stack::Stack::Pgx),
        RunError::ClientRangeInverted { min: "TLSv1.3".into(), max: "TLSv1.2".into() },
        RunError::ExporterModule { path: p("/x/e.toml"), module: "m1".into(), error: RotationError::Unknown("x1".into()) },
        RunError::ExporterTarget { target: "db:x".into(), error: ConninfoError::InvalidPort { port: "x".into() } },
        RunError::ExporterUriTarget,
        RunError::ExplainInputTooLarge { mb: 16 },
        RunError::UnknownCode("x-y".into()),
        RunError::NoServerFiles,
        RunError::AutoProfileWithoutServers,
        RunError::AutoProfileUnrecognised { offered: vec!["a-1".into(), "b-2".into()], reached: vec![], unrecognisable: vec![] },
        RunError::AutoProfileUnrecognised {
            offered: vec!["a-1".into()],
            reached: vec!["db:5432".into()],
            unrecognisable: vec![("c-3".into(), Some("E7".into())), ("d-4".into(), None)],
        },
        RunError::NoHome,
        RunError::NoJobIndex { error: std::env::VarError::NotPresent },
        RunError::NoJobIndex { error: std::env::VarError::NotUnicode("x1".into()) },
        RunError::NoAppdata,
        RunError::Usage("E7".into()),
    ]);
    for what in io_whats() {
        // A `what` said with a path is an `Io`'s, one said alone a `Failed`'s.
        if crate::findings::Message::from_english("error.doing.", &format!("{what} /x/f")).is_some() {
            v.push(RunError::Io { what, path: p("/x/f"), source: io() });
        } else {
            v.push(RunError::Failed { what, error: "E7".into() });
        }
    }
    v.push(RunError::Io { what: "reading", path: p("standard input"), source: io() });
    v.push(RunError::Io { what: "creating", path: p("the demo directory"), source: io() });
    v
}

fn run_kind(e: &RunError) -> usize {
    match e {
        RunError::Conninfo { .. } => 0,
        RunError::NoTcpHost { .. } => 1,
        RunError::Io { .. } => 2,
        RunError::BadInput { .. } => 3,
        RunError::Trust(_) => 4,
        RunError::Rotation(_) => 5,
        RunError::Pgbouncer(_) => 6,
        RunError::ServerConfig { .. } => 7,
        RunError::Inventory(_) => 8,
        RunError::Jdbc(_) => 9,
        RunError::Kong { .. } => 10,
        RunError::Logs { .. } => 11,
        RunError::NoCommonName { .. } => 12,
        RunError::NoHbaFile { .. } => 13,
        RunError::NotFacts { .. } => 14,
        RunError::FactsVersion { .. } => 15,
        RunError::NotFleetRecord { .. } => 16,
        RunError::UnknownTlsVersion(_) => 17,
        RunError::UnknownCipherSuite(_) => 18,
        RunError::NoClientRange(_) => 19,
        RunError::ClientRangeInverted { .. } => 20,
        RunError::ExporterModule { .. } => 21,
        RunError::ExporterTarget { .. } => 22,
        RunError::ExporterUriTarget => 23,
        RunError::ExplainInputTooLarge { .. } => 24,
        RunError::UnknownCode(_) => 25,
        RunError::NoServerFiles => 26,
        RunError::AutoProfileWithoutServers => 27,
        RunError::AutoProfileUnrecognised { .. } => 28,
        RunError::NoHome => 29,
        RunError::NoJobIndex { .. } => 33,
        RunError::NoAppdata => 30,
        RunError::Failed { .. } => 31,
        RunError::Usage(_) => 32,
    }
}
const RUN_KINDS: usize = 34;

/// The `what` of every `RunError::Io` and `RunError::Failed` in the source (the library's and
/// the binary's), read from it: `what: "…"`, `io("…")`, `read_input(…, "…")`.
fn io_whats() -> Vec<&'static str> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = BTreeSet::new();
    let mut stack = vec![root.join("src"), root.join("../../src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") && !path.ends_with("run/tests.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["what: \"", "io(\"", "read_input(&file, \"", "read_input(p, \""] {
                    for piece in text.split(marker).skip(1) {
                        found.insert(piece.split('"').next().unwrap().to_string());
                    }
                }
            }
        }
    }
    assert!(found.len() > 8, "only {found:?}");
    found.into_iter().map(|s| &*Box::leak(s.into_boxed_str())).collect()
}

/// The texts an error quotes (its sources' texts): not pgtls's words.
fn quoted(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = e.source();
    while let Some(c) = s {
        out.push(c.to_string());
        s = c.source();
    }
    out
}

#[test]
fn every_variant_is_built() {
    let count = |kinds: Vec<usize>| kinds.into_iter().collect::<BTreeSet<_>>().len();
    assert_eq!(count(conninfo_errors().iter().map(conninfo_kind).collect()), CONNINFO_KINDS);
    assert_eq!(count(trust_errors().iter().map(trust_kind).collect()), TRUST_KINDS);
    assert_eq!(count(rotation_errors().iter().map(rotation_kind).collect()), ROTATION_KINDS);
    assert_eq!(count(rotation_errors().iter().filter_map(profile_problem_kind).collect()), 9);
    assert_eq!(count(gather_errors().iter().map(gather_kind).collect()), GATHER_KINDS);
    let all = run_errors();
    assert_eq!(count(all.iter().map(run_kind).collect()), RUN_KINDS);
    let sub = |f: &dyn Fn(&RunError) -> Option<usize>| count(all.iter().filter_map(f).collect());
    assert_eq!(sub(&|e| if let RunError::Kong { error, .. } = e { Some(kong_kind(error)) } else { None }), 3);
    assert_eq!(sub(&|e| if let RunError::Jdbc(error) = e { Some(jdbc_kind(error)) } else { None }), 4);
    assert_eq!(sub(&|e| if let RunError::Logs { error, .. } = e { Some(log_kind(error)) } else { None }), 3);
    assert_eq!(sub(&|e| if let RunError::Pgbouncer(error) = e { Some(pgbouncer_kind(error)) } else { None }), 3);
    assert_eq!(sub(&|e| if let RunError::Inventory(error) = e { Some(inventory_kind(error)) } else { None }), 3);
}

/// What an error says in English is its `Display`, byte for byte (JSON, logs and English users
/// see that), and the line the binary prints around it too.
#[test]
fn every_error_says_its_english() {
    for e in run_errors() {
        assert_eq!(e.said().sentence(Lang::En), e.to_string(), "{e:?}");
        let line = crate::report::error_line(&e.said().sentence(Lang::En), Lang::En);
        assert_eq!(line, format!("pgtls: error: {e}"));
    }
    for e in conninfo_errors() {
        assert_eq!(e.said().sentence(Lang::En), e.to_string(), "{e:?}");
    }
}

/// In zh and ja an error holds no English sentence of pgtls's own: what is left of it after
/// the texts it quotes (paths, values, the OS's and parsers' words) are taken out.
#[test]
fn every_error_speaks_the_users_language() {
    let mut problems = Vec::new();
    for e in run_errors() {
        let foreign = quoted(&e);
        for lang in [Lang::Zh, Lang::Ja] {
            let text = e.said().sentence(lang);
            let mut ours = crate::report::error_line(&text, lang);
            for f in &foreign {
                ours = ours.replace(f.as_str(), " ");
            }
            let words = english_words(&ours);
            if !words.is_empty() {
                problems.push(format!("{lang:?} {words:?} in {ours:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "English left in errors:\n{}", problems.join("\n"));
}

/// Every `what` of a failed step in the source has its words (an `error.doing.*` template whose
/// English is "{what} {path}", or "{what}" for `RunError::Failed`).
#[test]
fn every_io_what_has_its_words() {
    for what in io_whats() {
        let said = [format!("{what} /x/f"), what.to_string()].iter().any(|t| crate::findings::Message::from_english("error.doing.", t).is_some());
        assert!(said, "{what:?} has no error.doing.* template in findings/errors.toml");
    }
}

#[test]
fn instants_and_dates() {
    assert_eq!(parse_instant("2028-01-01").unwrap().to_string(), "2028-01-01 0:00:00.0 +00:00:00");
    assert!(parse_instant("2026-06-01T12:00:00Z").is_ok());
    assert!(parse_instant("tomorrow").unwrap_err().contains("2026-06-01"));
}
