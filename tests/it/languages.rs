//! Every word in the user's language (issue 25, item 4): `doctor` and `probe` against working
//! and failing lab servers, in zh and ja, and no English template left in their human output
//! outside what is not pgtls's to translate — libpq's and the server's own messages, quoted
//! text, host names, paths, codes and setting names.
//!
//! What is checked: every line up to the findings, and each finding's title, detail and fix
//! lines (the checks say details and case-specific fixes as messages, `findings/details.toml`).
//! The severity labels are checked by what marks a finding's line: the label in the report's
//! language, never the English one.
//!
//! Every other command with human output (and fleet's HTML page) is checked the same way, with
//! what its JSON holds that is not pgtls's (the clients' and servers' own texts, names, log
//! lines, a rotation profile's descriptions) taken out first.

use pgtls_lab::{Server, ServerOptions};
use serde_json::Value;

use crate::support::*;

/// pgtls's own English words that must not reach a zh or ja report: the steps, the setting
/// sources, the probe's lines, the headings.
const ENGLISH: &[&str] = &[
    "connected to", "agreed to", "the server", "answered", "from the", "(from ", "connection string", "the default",
    "environment variable", "command line", "service file", "chain verified", "host name", "lets user", "asks for",
    "password", "not checked", "not followed", "no TLS", "requires it", "without TLS", "says:", "client address",
    "no lookup", "days left", "days ago", "signed with", "issuer", "serial", "certificate", "willing to", "will not",
    "cipher", "group", "settings", "handshake", "startup", "authentication", "plaintext", "first-query", "direct-ssl",
    "steps:", "connects", "FAILS", "verified", "issued by", "valid to", "cause:", "self-signed",
];

/// Names that stay as they are in every language (setting and method names, programs).
const NAMES: &[&str] = &[
    "libpq", "psql", "pgtls", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslnegotiation", "user", "dbname", "hostaddr",
    "localhost", "trust", "cert", "postgres", "postgresql", "PostgreSQL", "SSLRequest", "pathlen", "explain", "PgBouncer", "Kong", "Unix",
    // Products and fields named in the findings' fixes.
    "Azure", "HAProxy", "nginx", "stream", "stunnel", "Traefik", "Envoy", "chmod", "openssl", "Windows", "subjectAltName", "OpenSSL", "RELOAD", "SELECT", "SHOW",
    // sslmode values, shown as the settings' values.
    "disable", "allow", "prefer", "require",
    // pg_hba.conf keywords, settings and extensions the other commands name.
    "host", "hostssl", "hostnossl", "reject", "sslcrl", "sslinfo", "sslfactory", "Java", "pgJDBC", "NonValidatingFactory", "ServerHello", "sslscan",
    // Client stacks, by the names --client takes.
    "node", "rustls", "asyncpg", "npgsql", "psycopg", "jdbc", "kong",
];

/// Short English words a sentence cannot do without (the 4-letter rule misses them).
const SHORT: &[&str] = &["the", "and", "not", "from", "with", "to", "of", "by", "for", "is", "no", "yes", "got", "via", "but"];

/// Certificate names the catalogue's fixes give as examples.
const PRODUCTS: &[&str] = &[
    "DigiCert Global Root G2", "Microsoft RSA Root CA 2017", "Azure Database for PostgreSQL",
    // SQL the fixes give as it is typed.
    "WHERE error IS NOT NULL", "pgtls protocols", "date -u", "timedatectl status", "chrony", "notBefore",
    // libpq's own messages (fe-secure-openssl.c), quoted in the details of files pgtls read
    // before any connection.
    "has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root",
    "private key file", "and root certificate file", "does not exist",
    // OpenSSL's verify errors, in the trust paths.
    "unable to get local issuer certificate", "certificate has expired", "self-signed certificate in certificate chain",
];

/// The text with libpq's and the server's words (`foreign`), quoted spans and CJK quotes removed.
fn ours(line: &str, foreign: &[String]) -> String {
    let mut s = line.to_string();
    for f in foreign {
        s = s.replace(f.as_str(), " ");
    }
    for p in PRODUCTS {
        s = s.replace(p, " ");
    }
    pgtls::findings::outside_quotes(&s)
}

/// `text` without the runs of ASCII name characters that hold a `_` or a `/` (setting names,
/// paths).
fn without_setting_names(text: &str) -> String {
    let is_name = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_name(c) {
            run.push(c);
            continue;
        }
        if !run.contains(['_', '/']) {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// The English left in one line of pgtls's own text, as the words found.
fn english_in(line: &str, foreign: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    // What psql printed, as the demo quotes it (its port differs from the JSON run's).
    if line.trim_start().starts_with("psql: ") {
        return found;
    }
    let unquoted_foreign = {
        let mut s = line.to_string();
        for f in foreign {
            s = s.replace(f.as_str(), " ");
        }
        for p in PRODUCTS {
            s = s.replace(p, " ");
        }
        s
    };
    // Quoted spans are messages (OpenSSL's, the server's), not pgtls's words.
    // Setting names (lua_ssl_trusted_certificate) are not sentences either.
    let unquoted_foreign = without_setting_names(&pgtls::findings::outside_quotes(&unquoted_foreign));
    for e in ENGLISH {
        if unquoted_foreign.contains(e) {
            found.push(format!("{e:?}"));
        }
    }
    let text = ours(line, foreign);
    let is_token = |c: char| c.is_ascii_alphanumeric() || "-_./=:@+#".contains(c);
    for token in text.split(|c: char| !is_token(c)).filter(|t| !t.is_empty()) {
        let token = token.trim_end_matches([':', '.', ',']);
        // Codes, paths, versions, addresses, host names, key=value.
        if token.chars().any(|c| c.is_ascii_digit() || "-_./=@+#:".contains(c)) || NAMES.contains(&token) {
            continue;
        }
        let letters = token.chars().filter(|c| c.is_ascii_alphabetic()).count();
        let acronym = token.chars().all(|c| c.is_ascii_uppercase());
        if (letters >= 4 && !acronym) || SHORT.contains(&token) {
            found.push(token.to_string());
        }
    }
    found
}

/// The lines of a human report the check covers: all before the findings, then each finding's
/// title (its severity label and code taken off), its detail lines and its fix (the fix label
/// taken off); the `(pgtls explain CODE)` pointer is skipped.
fn checked_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_findings = false;
    for line in text.lines() {
        // A finding's line starts with its severity label and a space (labels are 7 columns).
        let finding = ["error   ", "warning ", "info    ", "错误    ", "警告    ", "提示    ", "エラー  ", "情報    "].iter().find(|l| line.starts_with(*l));
        if let Some(label) = finding {
            in_findings = true;
            let rest = &line[label.len()..];
            out.push(rest.split_once(' ').map(|(_, title)| title).unwrap_or("").to_string());
        } else if !in_findings {
            out.push(line.to_string());
        } else if let Some(said) = line.strip_prefix("        ").filter(|l| !l.starts_with("(pgtls explain ")) {
            // A detail line, or the fix after its label.
            let said = ["fix:", "修复：", "対処:"].iter().find_map(|l| said.strip_prefix(l)).unwrap_or(said);
            out.push(said.to_string());
        }
    }
    out
}

/// Words that are not pgtls's, from the JSON of the same run: libpq's messages (each line),
/// the endpoints, the certificates' names.
fn foreign_words(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut text = |x: &Value| {
        if let Some(s) = x.as_str() {
            out.extend(s.lines().map(|l| l.trim().to_string()).filter(|l| l.len() > 3));
        }
    };
    text(&v["outcome"]["error"]);
    text(&v["verdict"]["error"]);
    for h in v["hosts"].as_array().into_iter().flatten() {
        text(&h["verdict"]["error"]);
        text(&h["endpoint"]);
        for c in h["chain"].as_array().into_iter().flatten() {
            for k in ["subject", "issuer", "signature_algorithm", "key_type"] {
                text(&c[k]);
            }
        }
    }
    // The OS's and the server's own messages, wherever the JSON carries them.
    fn messages(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x.as_str()) {
                        ("message", Some(s)) => out.extend(s.lines().map(|l| l.trim().to_string()).filter(|l| l.len() > 3)),
                        _ => messages(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| messages(x, out)),
            _ => {}
        }
    }
    messages(v, &mut out);
    facts(v, &mut out);
    // Longest first, so that a line is taken off before a shorter piece of it.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// What other commands' JSON holds that is not pgtls's to translate: the clients' and the
/// servers' own error texts, alerts, log lines, certificate and provider names, the rotation
/// profile's chain descriptions, findings' evidence (facts) and its keys as `verbose` shows them.
fn facts(v: &Value, out: &mut Vec<String>) {
    const KEYS: &[&str] = &["error", "refused_with", "sample", "subject", "issuer", "server_version", "endpoint", "cn", "leaf_subject", "path", "covered", "target", "value", "role"];
    fn text(x: &Value, out: &mut Vec<String>) {
        for s in x.as_str().into_iter().chain(x.as_array().into_iter().flatten().filter_map(Value::as_str)) {
            // A conninfo error's hint is pgtls's own sentence.
            out.extend(s.lines().map(|l| l.trim().to_string()).filter(|l| l.len() > 3 && !l.starts_with("hint:")));
        }
    }
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if KEYS.contains(&k.as_str()) {
                    text(x, out);
                }
                if k == "evidence" {
                    for (ek, ev) in x.as_object().into_iter().flatten() {
                        text(ev, out);
                        out.push(format!("{ek}:"));
                    }
                }
                facts(x, out);
            }
            // Finding codes counted per kind of handshake failure (`logs`' scanner line).
            out.extend(m.get("handshakes").and_then(Value::as_object).into_iter().flat_map(|o| o.keys().cloned()));
            // A rotation profile's CA names (`Issuing CA 03 | 04 [cross-sign]`): each one's first name.
            for p in m.get("path").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                out.extend(p.split(" | ").next().map(|first| first.split(" [").next().unwrap_or(first).to_string()));
            }
            // Setting values as the server shows them (ssl_ciphers' HIGH:!aNULL).
            for x in m.get("settings").and_then(Value::as_object).into_iter().flat_map(|o| o.values()) {
                text(x, out);
                text(&x["value"], out);
            }
            // A certificate's common name, as trust paths show it.
            for dn in ["subject", "issuer", "leaf_subject"].iter().filter_map(|k| m.get(*k).and_then(Value::as_str)) {
                out.extend(dn.split(", ").filter_map(|p| p.strip_prefix("CN=")).map(str::to_string));
            }
            // The rotation profile's title (a provider's event, not a finding's title).
            if let (Some(t), true) = (m.get("title").and_then(Value::as_str), m.contains_key("profile")) {
                out.push(t.to_string());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| facts(x, out)),
        _ => {}
    }
}

/// `pgtls ARGS` in `lang` (human) and in JSON; the English left in the human output.
fn english_left(args: &[&str], env: &[(&str, &str)], lang: &str) -> (String, Vec<String>) {
    let run = |extra: &[&str]| {
        let mut c = pgtls();
        c.args(args).args(extra).env("HOME", "/nonexistent-home");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let human = String::from_utf8_lossy(&run(&["--lang", lang]).stdout).into_owned();
    let json: Value = serde_json::from_slice(&run(&["--format", "json"]).stdout).unwrap();
    let foreign = foreign_words(&json);
    let left = checked_lines(&human).iter().flat_map(|l| english_in(l, &foreign).into_iter().map(move |w| format!("{w} in {l:?}"))).collect();
    (human, left)
}

#[test]
fn the_check_finds_english() {
    let none: Vec<String> = Vec::new();
    // The check itself: the old English step texts are caught, the translated ones pass.
    for english in [
        "    ✓ tcp             connected to 127.0.0.1 (0 ms)",
        "    sslmode                    verify-full (from the connection string)",
        "    ✓ 设置            libpq 17：sslmode=require（来自the default），user=postgres，dbname=postgres",
        "  certificate chain as sent by the server (2):",
    ] {
        assert!(!english_in(english, &none).is_empty(), "not caught: {english}");
    }
    for fine in [
        "    ✓ tcp             已连接到 127.0.0.1 (0 ms)",
        "    sslmode                    verify-full（来自连接字符串）",
        "    ✓ 启动            pg_hba.conf 允许用户 \"postgres\" 连接数据库 \"postgres\"；服务器要求的认证方式：trust（或 cert）",
        "    ✓ 証明書        /tmp/x y/root.crt で証明書チェーンを検証済み、ホスト名は一致",
    ] {
        let foreign = vec!["/tmp/x y/root.crt".to_string()];
        assert!(english_in(fine, &foreign).is_empty(), "{fine}: {:?}", english_in(fine, &foreign));
    }
    // libpq's words stay, and are not counted.
    let libpq = vec!["server certificate for \"localhost\" does not match host name \"db.example\"".to_string()];
    assert!(english_in("    ✗ 証明書        server certificate for \"localhost\" does not match host name \"db.example\"", &libpq).is_empty());
}

/// One run of a command for the all-commands test: what it is, its arguments, its environment.
struct Run {
    what: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

fn run(what: &'static str, args: &[&str]) -> Run {
    Run { what, args: args.iter().map(|a| a.to_string()).collect(), env: Vec::new() }
}

/// The text of an HTML page as lines: what is between its tags, without its style and script.
fn html_text(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let skip_to = ["<style", "<script"].iter().find(|t| tag.starts_with(**t)).map(|t| format!("</{}>", &t[1..]));
        let end = match skip_to {
            Some(close) => tag.find(&close).map(|i| i + close.len()),
            None => tag.find('>').map(|i| i + 1),
        };
        out.push('\n');
        rest = &tag[end.unwrap_or(tag.len())..];
    }
    out.push_str(rest);
    out.replace("&larr;", "←").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// Every command with human output besides doctor and probe — verify (with its client-stack
/// table), protocols, server, client (libpq, kong.conf, JDBC), sessions, trust audit,
/// rotation, bundle, fleet (its summary and its HTML page), merge, logs and explain — in zh and
/// ja, on working and failing setups so that findings appear: no English template left in what
/// pgtls says itself. Two lab servers serve every run.
#[test]
fn every_command_speaks_the_users_language() {
    let pki = Pki::new();
    let tls = tls_server(&pki, &[]);
    let plain = Server::start(ServerOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(path("root.crt"), &pki.root.cert_pem).unwrap();
    std::fs::write(path("other-root.crt"), &Pki::new().root.cert_pem).unwrap();
    // A hand-made store with a pinned intermediate, a leaf and a duplicate.
    std::fs::write(path("store.pem"), format!("{}{}{}{}", pki.root.cert_pem, pki.inter.cert_pem, pki.leaf.cert_pem, pki.root.cert_pem)).unwrap();
    let (crt, key) = write_client_cert(dir.path(), &pki.root, "postgres", "client");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let at = |port: u16, rest: &str| format!("host=localhost hostaddr=127.0.0.1 port={port} dbname=postgres user=postgres {rest}");
    let working = at(tls.port(), &format!("sslmode=verify-full sslrootcert={}", path("root.crt")));
    let other_name = format!("host=db.example hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", tls.port(), path("root.crt"));
    let untrusted = at(tls.port(), &format!("sslmode=verify-full sslrootcert={}", path("other-root.crt")));
    let no_root = at(tls.port(), &format!("sslmode=verify-full sslrootcert={}", path("missing.crt")));
    let open_key = at(tls.port(), &format!("sslmode=verify-full sslrootcert={} sslcert={} sslkey={}", path("root.crt"), crt.display(), key.display()));
    let no_tls = at(plain.port(), "sslmode=require");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // Server log lines of failed TLS logins, as PostgreSQL writes them.
    std::fs::write(
        path("postgresql.log"),
        "2026-12-01 10:00:00.000 UTC [123] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n\
         2026-12-01 10:00:01.000 UTC [124] FATAL:  no pg_hba.conf entry for host \"10.0.0.1\", user \"app\", database \"shop\", no encryption\n",
    )
    .unwrap();
    std::fs::write(path("kong.conf"), format!("pg_host = 127.0.0.1\npg_port = {}\npg_ssl = on\npg_ssl_verify = off\n", tls.port())).unwrap();
    std::fs::write(path("fleet.txt"), format!("{working}\n{other_name}\n{no_tls}\n127.0.0.1:{closed}\nnot a target\n")).unwrap();
    // A role without the right to read pg_hba_file_rules (sessions says so, in the language).
    if let Ok((false, out)) = tls.psql(&working, "CREATE ROLE reader LOGIN") {
        panic!("creating a role: {out}");
    }
    let runs = vec![
        run("verify, working", &["verify", &working]),
        run("verify, other name", &["verify", &other_name]),
        run("verify, another root", &["verify", &untrusted]),
        run("verify --client all", &["verify", "--client", "all", &untrusted]),
        run("protocols", &["protocols", &working]),
        run("protocols, no TLS", &["protocols", &no_tls]),
        run("server, TLS", &["server", &tls.data_dir().display().to_string()]),
        run("server, no TLS", &["server", &plain.data_dir().display().to_string()]),
        run("client, key readable by others", &["client", &open_key]),
        run("client, root file missing", &["client", &no_root]),
        run("client, kong.conf", &["client", "--kong-conf", &path("kong.conf")]),
        run("client, JDBC", &["client", "--no-probe", "--jdbc", "jdbc:postgresql://db.example/app?ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory"]),
        run("sessions", &["sessions", &working]),
        run("sessions, a role that may not read pg_hba_file_rules", &["sessions", &at(tls.port(), &format!("sslmode=verify-full sslrootcert={} user=reader", path("root.crt")))]),
        run("trust audit", &["trust", "audit", &path("store.pem")]),
        run("rotation", &["rotation", "--trust", &path("store.pem"), &working]),
        run("fleet", &["fleet", "--at", "2026-06-01", "--jsonl", &path("fleet.jsonl"), "--html", &path("fleet.html"), &path("fleet.txt")]),
        run("explain, nothing", &["explain", "the weather is fine"]),
        // The server's log after the failures and the scan above.
        run("logs", &["logs", &tls.log_path().display().to_string()]),
        run("logs, failed logins", &["logs", &path("postgresql.log")]),
        run("rotation, roots present", &["rotation", "--trust", "system"]),
        run("bundle", &["bundle", "-o", &path("bundle.pem")]),
    ];
    let dump = std::env::var_os("PGTLS_DUMP").is_some();
    let mut problems = Vec::new();
    for lang in ["zh", "ja"] {
        // demo starts its own server (about 2 s a run): in one language, its words' table is
        // the same for both.
        let demo = run("demo", &["demo"]);
        for r in runs.iter().chain((lang == "ja").then_some(&demo)) {
            let args: Vec<&str> = r.args.iter().map(String::as_str).collect();
            let env: Vec<(&str, &str)> = r.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (human, left) = english_left(&args, &env, lang);
            if dump {
                eprintln!("==== {lang} {}\n{human}", r.what);
            }
            if !left.is_empty() {
                problems.push(format!("{lang} {}:\n  {}\n{human}", r.what, left.join("\n  ")));
            }
        }
    }
    // fleet --html (its page in the language, findings included) and merge of its JSON Lines.
    let json: Value = serde_json::from_slice(&pgtls().args(["fleet", "--format", "json", "--at", "2026-06-01"]).arg(path("fleet.txt")).output().unwrap().stdout).unwrap();
    let foreign = foreign_words(&json);
    for lang in ["zh", "ja"] {
        let out = pgtls().args(["fleet", "--lang", lang, "--at", "2026-06-01", "--html", &path("fleet.html"), "--jsonl", &path("fleet.jsonl"), &path("fleet.txt")]).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c < 3), "{}", String::from_utf8_lossy(&out.stderr));
        let page = std::fs::read_to_string(path("fleet.html")).unwrap();
        assert!(page.contains(&format!("<html lang=\"{}", if lang == "zh" { "zh-CN" } else { "ja" })) && page.contains("<details class=\"finding\">"), "{page}");
        for line in html_text(&page).lines().map(str::trim).filter(|l| !l.is_empty()) {
            let left = english_in(line, &foreign);
            if !left.is_empty() {
                problems.push(format!("{lang} fleet --html: {left:?} in {line:?}"));
            }
        }
        let (human, left) = english_left(&["merge", "--at", "2026-06-01", &path("fleet.jsonl")], &[], lang);
        assert!(human.lines().count() > 3, "{human}");
        if !left.is_empty() {
            problems.push(format!("{lang} merge:\n  {}\n{human}", left.join("\n  ")));
        }
    }
    assert!(problems.is_empty(), "English in a zh/ja report:\n{}", problems.join("\n"));
}

/// doctor and probe, in zh and ja, against a working TLS server, a certificate for another
/// name, a server without TLS (required, and preferred: the plaintext path) and an sslmode
/// from the environment: no English template in what pgtls says itself.
#[test]
fn doctor_and_probe_speak_the_users_language() {
    let pki = Pki::new();
    let tls = tls_server(&pki, &[]);
    let plain = Server::start(ServerOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.crt");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let root = root.display().to_string();
    let working = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={root}", tls.port());
    let other_name = format!("host=db.example hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={root}", tls.port());
    let no_tls = format!("host=127.0.0.1 port={} dbname=postgres user=postgres sslmode=require", plain.port());
    let preferred = format!("host=127.0.0.1 port={} dbname=postgres user=postgres", plain.port());
    let from_env = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslrootcert={root}", tls.port());
    // The common failures' findings: a root that did not issue the server's chain, a root file
    // that is not there, a client key others can read, nothing listening.
    let other_root = dir.path().join("other-root.crt");
    std::fs::write(&other_root, &Pki::new().root.cert_pem).unwrap();
    let untrusted = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", tls.port(), other_root.display());
    let no_root = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={}", tls.port(), dir.path().join("missing.crt").display());
    let (crt, key) = write_client_cert(dir.path(), &pki.root, "postgres", "client");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let open_key = format!("host=localhost hostaddr=127.0.0.1 port={} dbname=postgres user=postgres sslmode=verify-full sslrootcert={root} sslcert={} sslkey={}", tls.port(), crt.display(), key.display());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nothing = format!("host=127.0.0.1 port={closed} dbname=postgres user=postgres sslmode=require connect_timeout=2");
    let cases: [(&str, &str, &[(&str, &str)]); 9] = [
        ("working", &working, &[]),
        ("other name", &other_name, &[]),
        ("no TLS, required", &no_tls, &[]),
        ("no TLS, preferred", &preferred, &[]),
        ("sslmode from PGSSLMODE", &from_env, &[("PGSSLMODE", "verify-ca")]),
        ("another root", &untrusted, &[]),
        ("root file missing", &no_root, &[]),
        ("client key readable by others", &open_key, &[]),
        ("nothing listening", &nothing, &[]),
    ];
    let mut problems = Vec::new();
    for lang in ["zh", "ja"] {
        for (what, ci, env) in cases {
            for command in ["doctor", "probe"] {
                let (human, left) = english_left(&[command, ci], env, lang);
                assert!(human.lines().count() > 3, "{lang} {command} {what}: {human}");
                if let Some(l) = human.lines().find(|l| ["error ", "warning ", "info "].iter().any(|e| l.starts_with(e))) {
                    problems.push(format!("{lang} {command} ({what}): an English severity label: {l:?}"));
                }
                if !left.is_empty() {
                    problems.push(format!("{lang} {command} ({what}):\n  {}\n{human}", left.join("\n  ")));
                }
            }
        }
    }
    assert!(problems.is_empty(), "English in a zh/ja report:\n{}", problems.join("\n"));
    // The findings' details and fixes were there to be checked, in the language.
    for (ci, codes_and_words) in [
        (&other_name, &["hostname-mismatch", "使用证书中列出的主机名连接"][..]),
        (&untrusted, &["server-cert-untrusted", "OpenSSL 拒绝了"][..]),
        (&no_root, &["root-cert-missing", "libpq 在连接之前就失败了"][..]),
        (&open_key, &["client-key-permissions", "libpq 会拒绝这个私钥"][..]),
        (&no_tls, &["server-ssl-off", "对 SSLRequest 的应答是 'N'"][..]),
    ] {
        let (human, _) = english_left(&["doctor", ci], &[], "zh");
        for w in codes_and_words {
            assert!(human.contains(w), "{w:?} missing:\n{human}");
        }
    }
    // The steps and the sources were there to be checked (not an empty report).
    let (human, _) = english_left(&["doctor", &from_env], &[("PGSSLMODE", "verify-ca")], "ja");
    for w in ["環境変数 PGSSLMODE", "接続文字列から", "に接続しました", "サーバーは TLS に同意しました", "最初のクエリ"] {
        assert!(human.contains(w), "{w:?} missing:\n{human}");
    }
    let (human, _) = english_left(&["doctor", &preferred], &[], "zh");
    assert!(human.lines().any(|l| ["错误 ", "警告 ", "提示 "].iter().any(|p| l.starts_with(p))), "a finding with its label in Chinese:\n{human}");
    for w in ["明文", "来自默认值", "trust（或 cert）"] {
        assert!(human.contains(w), "{w:?} missing:\n{human}");
    }
    // JSON keeps its English, whatever --lang says.
    let out = pgtls().args(["doctor", "--lang", "ja", "--format", "json", &from_env]).env("PGSSLMODE", "verify-ca").output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let details: Vec<&str> = v["steps"].as_array().unwrap().iter().map(|s| s["detail"].as_str().unwrap()).collect();
    assert!(details.contains(&"the server agreed to TLS ('S')") && details.iter().any(|d| d.starts_with("connected to 127.0.0.1")), "{details:?}");
    assert_eq!(v["steps"][0]["step"], "settings");
    assert_eq!(v["settings"][0]["source"], "the environment variable PGSSLMODE");
    assert_eq!(v["settings"][1]["source"], "the connection string");
}

/// `explain` in zh and ja of known messages (a libpq verify failure, a server's pg_hba refusal
/// without TLS, a TLS-version HINT folded into its line, a Java PKIX chain, an Npgsql EOF): the
/// recognisers' own sentences (each pattern's detail and what tells its causes apart,
/// `explain/said.rs`) are said in the language, and no English is left in a finding's title,
/// detail and fix outside the pasted text, quoted messages and names. The evidence lines are the
/// facts as JSON records them (the matched text, and `tell_apart` in English) and are not
/// checked; nor is the `line N:` heading before each finding.
#[test]
fn explain_speaks_the_users_language() {
    // pg_hba.conf keywords, drivers and a product, as the pattern files and the fixes name them.
    const EXPLAIN_NAMES: &[&str] = &["Azure Database for PostgreSQL", "hostssl", "host", "pgJDBC", "Npgsql"];
    let cases: [(&str, &str, [&str; 2]); 5] = [
        (
            "libpq",
            "psql: error: connection to server at \"db.example.com\" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed",
            ["用相同的连接字符串运行 `pgtls doctor` 可以判断是哪一种", "同じ接続文字列で `pgtls doctor` を実行すれば"],
        ),
        (
            "server",
            "2024-01-01 10:00:00 UTC [123] FATAL:  no pg_hba.conf entry for host \"10.0.0.7\", user \"app\", database \"appdb\", no encryption",
            ["服务器拒绝了来自 10.0.0.7 的未加密连接（用户 app，数据库 appdb）", "サーバーは 10.0.0.7 からの暗号化されていない接続を拒否しました"],
        ),
        (
            "server HINT",
            "2024-01-01 10:00:00 UTC [77] LOG:  could not accept SSL connection: unsupported protocol\n2024-01-01 10:00:00 UTC [77] HINT:  This may indicate that the client does not support any SSL protocol version between TLSv1.3 and TLSv1.3.",
            ["服务器只接受 TLS 版本 TLSv1.3 至 TLSv1.3", "サーバーが受け付ける TLS バージョンは TLSv1.3 から TLSv1.3 まで"],
        ),
        (
            "Java",
            "org.postgresql.util.PSQLException: SSL error: sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: Path does not chain with any of the trust anchors",
            ["JVM 的验证器拒绝了服务器的证书链", "JVM の検証機能がサーバーのチェーンを拒否しました"],
        ),
        (
            "Npgsql",
            "Npgsql.NpgsqlException (0x80004005): Exception while reading from stream ---> System.IO.EndOfStreamException: Attempted to read past the end of the stream.",
            ["Npgsql 在等待服务器的下一条消息时连接结束了", "Npgsql がサーバーの次のメッセージを待っている間に接続が終了しました"],
        ),
    ];
    let mut problems = Vec::new();
    for (what, text, said) in cases {
        let json: Value = serde_json::from_slice(&pgtls().args(["explain", "--format", "json", text]).output().unwrap().stdout).unwrap();
        // Not pgtls's words: the pasted text, the evidence (its lines are left out below), the
        // codes named as also possible, and names the recognisers and the fixes keep as written.
        let mut foreign: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
        foreign.extend(EXPLAIN_NAMES.iter().map(|n| n.to_string()));
        if let Some(also) = json["findings"][0]["evidence"]["also_possible"].as_str() {
            foreign.extend(also.split(", ").map(str::to_string));
        }
        let mut evidence_lines = Vec::new();
        for f in json["findings"].as_array().unwrap() {
            for (k, v) in f["evidence"].as_object().unwrap() {
                let v = v.as_str().unwrap();
                foreign.extend(v.lines().map(|l| l.trim().to_string()).filter(|l| l.len() > 3));
                evidence_lines.push(format!("{k}: {}", v.lines().next().unwrap_or("")));
            }
        }
        foreign.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for (lang, words) in ["zh", "ja"].into_iter().zip(said) {
            let out = pgtls().args(["explain", "--lang", lang, text]).output().unwrap();
            let human = String::from_utf8_lossy(&out.stdout).into_owned();
            if !human.contains(words) {
                problems.push(format!("{lang} {what}: {words:?} missing:\n{human}"));
            }
            let checked = checked_lines(&human);
            let left: Vec<String> = checked
                .iter()
                .filter(|l| !l.starts_with("line ") && !evidence_lines.contains(l) && !foreign.iter().any(|f| f == l.trim()))
                .flat_map(|l| english_in(l, &foreign).into_iter().map(move |w| format!("{w} in {l:?}")))
                .collect();
            if !left.is_empty() {
                problems.push(format!("{lang} {what}:\n  {}\n{human}", left.join("\n  ")));
            }
        }
    }
    assert!(problems.is_empty(), "English in a zh/ja explain:\n{}", problems.join("\n"));
}

/// Errors end a command in the user's language too: a connection string libpq would refuse
/// (with its hint), a missing file, an unknown rotation profile and usage errors, in zh and ja,
/// with the exit status of the English run. The OS's words stay as the OS printed them.
#[test]
fn errors_speak_the_users_language() {
    let cases: &[&[&str]] = &[
        &["probe", "hots=x"],
        &["probe", "host=db port=abc"],
        &["probe", "--from-facts", "/nonexistent/facts.json"],
        &["trust", "audit", "/nonexistent/root.crt"],
        &["rotation", "--profile", "nope", "--trust", "system"],
        &["protocols", "db", "--client-min", "TLSv1.3", "--client-max", "TLSv1.2"],
        &["server"],
        &["explain", "no-such-code"],
        &["fleet", "/nonexistent/inventory.txt"],
    ];
    let mut problems = Vec::new();
    for args in cases {
        let run = |lang: &str| pgtls().args(["--lang", lang]).args(*args).env("HOME", "/nonexistent-home").output().unwrap();
        let en = run("en");
        let english = String::from_utf8_lossy(&en.stderr).into_owned();
        assert!(english.starts_with("pgtls: error: ") && en.status.code() == Some(3), "{args:?}: {:?} {english}", en.status);
        for (lang, start) in [("zh", "pgtls: 错误："), ("ja", "pgtls: エラー: ")] {
            let out = run(lang);
            let said = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), en.status.code(), "{args:?} --lang {lang}: {said}");
            assert!(said.starts_with(start), "{args:?} --lang {lang}: {said}");
            let ours = said.replace("No such file or directory (os error 2)", " ");
            let words = pgtls::findings::english_words(&ours);
            if !words.is_empty() {
                problems.push(format!("{args:?} --lang {lang}: {words:?} in {said:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "English left in errors:\n{}", problems.join("\n"));
}
