//! Differential: pgtls's pg_hba.conf parser against PostgreSQL's own, on a real server.
//! `pg_hba_file_rules` parses the file on disk each time it is queried, so each case writes
//! pg_hba.conf and reads the view back: both must agree on whether every line is valid, and
//! for valid lines on the connection type, databases, users, address and method. The cases
//! are the fuzz seeds' lines, a list of tricky lines, and (when it exists locally) the pg_hba
//! fuzz corpus.

use std::path::Path;

use pgtls::config::hba::{Address, Hba};
use pgtls_lab::{Server, ServerOptions};

use crate::support::*;

/// Lines chosen to hit every branch: types, quoting, lists, groups, addresses and masks,
/// keywords, methods, options, and what PostgreSQL refuses.
const CASES: &[&str] = &[
    "local all all trust",
    "local all postgres peer map=m",
    "host all all 127.0.0.1/32 scram-sha-256",
    "host all all 127.0.0.1 255.255.255.255 md5",
    "hostssl all all 0.0.0.0/0 cert",
    "hostssl all all ::/0 cert clientcert=verify-full",
    "hostssl all all all scram-sha-256 clientcert=verify-ca",
    "hostnossl all all 10.0.0.0/8 reject",
    "hostgssenc all all 10.0.0.0/8 gss include_realm=0",
    "hostnogssenc all all samehost password",
    "host all all samenet trust",
    "host app,shop alice,bob 192.168.0.0/16 md5",
    "host \"app db\" \"Alice\" 192.168.0.0/16 md5",
    "host \"all\" \"all\" 10.1.0.0/16 trust",
    "host sameuser +admins 10.0.0.0/8 scram-sha-256",
    "host samerole all 10.0.0.0/8 scram-sha-256",
    "host replication all 10.0.0.0/8 scram-sha-256",
    "host all all .example.com scram-sha-256",
    "host all all db.example.com scram-sha-256",
    "host all all fe80::1/64 trust",
    "host all all 10.0.0.1/33 trust",
    "host all all 10.0.0.1 255.0.255.0 trust",
    "host all all 300.0.0.1/32 trust",
    "host all all 10.0.0.0/8",
    "host all all",
    "hostfoo all all 10.0.0.0/8 trust",
    "host all all 10.0.0.0/8 bogusmethod",
    "host all all 10.0.0.0/8 cert",
    "host all all 10.0.0.0/8 md5 clientcert=verify-ca",
    "hostssl all all 10.0.0.0/8 md5 clientcert=maybe",
    "hostssl all all 10.0.0.0/8 cert clientcert=verify-ca",
    "hostssl all all 10.0.0.0/8 cert clientcert=no-verify",
    "hostssl all all 10.0.0.0/8 md5 clientcert=no-verify",
    "hostssl all all 10.0.0.0/8 md5 clientcert=1",
    "hostssl all all 10.0.0.0/8 md5 clientname=CN",
    "host all all 10.0.0.0/8 md5 clientname=CN",
    "host all all 10.0.0.0/8 md5 map=m",
    "host all all 10.0.0.0/8 trust unknownoption=1",
    "host all all 10.0.0.0/8 ldap ldapserver=ldap.example.com ldapprefix=\"cn=\" ldapsuffix=\", dc=example, dc=com\"",
    "host all all 10.0.0.0/8 ldap",
    // (PostgreSQL resolves RADIUS server names while parsing: an address keeps DNS out.)
    "host all all 10.0.0.0/8 radius radiusservers=127.0.0.1 radiussecrets=s1",
    "host all all 10.0.0.0/8 radius radiusservers=127.0.0.1",
    "host all all 10.0.0.0/8 ldap ldapserver=l ldapbasedn=\"dc=x\" ldapprefix=a",
    "host all all 10.0.0.0/8 ldap ldapserver=l ldapport=0 ldapbasedn=x",
    "host all all 10.0.0.0/8 pam pamservice=x map=m",
    "host all all 10.0.0.0/8 gss krb_realm=EXAMPLE.COM include_realm=1",
    "host all all 10.0.0.0/8 md5 krb_realm=EXAMPLE.COM",
    "host all all 10.0.0.0/8 ident map=m",
    "local all all ident",
    "local all all 127.0.0.1/32 trust",
    "host all all 10.0.0.0/8 pam pamservice=postgresql",
    "host all all 10.0.0.0/8 sspi",
    "hostssl all all 10.0.0.0/8 cert map=m clientname=DN",
    "hostssl all all 10.0.0.0/8 cert clientname=CN",
    "hostssl all all 10.0.0.0/8 cert clientname=UID",
    "host all all 10.0.0.0/8 trust # a comment",
    "host all all 10.0.0.0/8 \\\n  trust",
    "host all,\"x y\" all 10.0.0.0/8 trust",
    "host all all 10.0.0.0/8 \"trust\"",
    "host all all 10.0.0.0/8 scram-sha-256 map",
    "hostssl all all 10.0.0.0/8 scram-sha-256 clientcert=verify-full map=m",
    "host , all 10.0.0.0/8 trust",
    "host all all 10.0.0.0 trust",
    "host all all 0.0.0.0/0 trust\nhost all all ::0/0 reject",
];

/// Parse results in PostgreSQL's terms: per line, the type, databases, users, address and
/// method, or that the line is invalid.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    Rule { line: u32, kind: String, databases: String, users: String, address: String, method: String },
    Invalid { line: u32 },
}

fn ours(text: &str) -> Vec<Line> {
    match Hba::parse_str(text, Path::new("pg_hba.conf")) {
        Ok(h) => h
            .rules
            .iter()
            .map(|r| Line::Rule {
                line: r.line,
                kind: r.conn_type.as_str().into(),
                databases: r.databases.iter().map(|t| t.text.clone()).collect::<Vec<_>>().join(","),
                users: r.users.iter().map(|t| t.text.clone()).collect::<Vec<_>>().join(","),
                address: match &r.address {
                    None => String::new(),
                    Some(Address::All) => "all".into(),
                    Some(Address::SameHost) => "samehost".into(),
                    Some(Address::SameNet) => "samenet".into(),
                    Some(Address::Hostname(h)) => h.clone(),
                    Some(Address::Cidr { addr, .. } | Address::Masked { addr, .. }) => addr.to_string(),
                },
                method: r.method.clone(),
            })
            .collect(),
        Err(pgtls::config::hba::HbaError::Line { line, .. }) => vec![Line::Invalid { line }],
        Err(e) => panic!("{e}"),
    }
}

fn theirs(server: &Server, text: &str) -> Vec<Line> {
    std::fs::write(server.data_dir().join("pg_hba.conf"), text).unwrap();
    let out = server
        .admin_sql(
            "SELECT line_number || '|' || coalesce(type,'') || '|' || coalesce(array_to_string(database, ','),'') || '|' || \
             coalesce(array_to_string(user_name, ','),'') || '|' || coalesce(address,'') || '|' || coalesce(auth_method,'') || '|' || \
             coalesce(replace(replace(error, E'\\n', ' '), '|', '/'),'') FROM pg_hba_file_rules ORDER BY line_number",
        )
        .unwrap();
    if std::env::var("HBA_DEBUG").is_ok() {
        eprintln!("{text:?} => {out:?} / {:?}", server.admin_sql("SELECT line_number, error FROM pg_hba_file_rules"));
    }
    let rows: Vec<Vec<String>> = out.lines().filter(|l| !l.trim().is_empty()).map(|l| l.split('|').map(str::to_string).collect()).collect();
    // pgtls stops at the first invalid line, as the server refuses to load such a file. A
    // failed line is a row with an error, or (when PostgreSQL's parser does not set the
    // message, as for `clientcert=maybe`) a row with nothing but its line number.
    if let Some(bad) = rows.iter().find(|r| r.len() < 7 || !r[6].is_empty() || r[1].is_empty()) {
        return vec![Line::Invalid { line: bad[0].trim().parse().unwrap() }];
    }
    rows.iter()
        .map(|r| Line::Rule {
            line: r[0].trim().parse().unwrap(),
            kind: r[1].clone(),
            databases: r[2].clone(),
            users: r[3].clone(),
            address: r[4].clone(),
            method: r[5].clone(),
        })
        .collect()
}

#[test]
fn pg_hba_parser_agrees_with_postgresql() {
    let pki = Pki::new();
    let server = Server::start(ServerOptions::with_tls(pki.tls())).unwrap();
    let original = std::fs::read_to_string(server.data_dir().join("pg_hba.conf")).unwrap();
    let mut cases: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/hba/basic");
    cases.extend(std::fs::read_to_string(seeds).unwrap().lines().filter(|l| !l.contains('@') && !l.starts_with("include")).map(str::to_string));
    // The local fuzz corpus, when a fuzz run left one (not in CI, which fuzzes after the tests).
    if let Ok(dir) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/hba")) {
        let mut files: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files.into_iter().take(400) {
            if let Ok(t) = std::fs::read_to_string(&f) {
                // Includes and @files read other files; NUL bytes cannot be written to a config.
                if !t.contains('@') && !t.to_ascii_lowercase().contains("include") && !t.contains('\0') && t.len() < 2000 {
                    cases.push(t);
                }
            }
        }
    }
    let mut disagreements = Vec::new();
    for c in &cases {
        let (a, b) = (ours(c), theirs(&server, c));
        if a != b {
            disagreements.push(format!("{c:?}\n  pgtls:      {a:?}\n  PostgreSQL: {b:?}"));
        }
    }
    std::fs::write(server.data_dir().join("pg_hba.conf"), original).unwrap();
    eprintln!("{} cases, {} disagreements", cases.len(), disagreements.len());
    assert!(disagreements.is_empty(), "{} of {} cases disagree:\n{}", disagreements.len(), cases.len(), disagreements.join("\n"));
}

/// postgresql.conf syntax: pgtls's parser against PostgreSQL's (`pg_file_settings` reads the
/// configuration files each time it is queried). The lab server's postgresql.conf includes
/// `diff.conf`; each case is written there. Compared: valid or not (first bad line), and for
/// valid text every (line, name, value). Unknown parameter names are PostgreSQL's semantic
/// check, not syntax, so the cases use real parameters or custom `x.y` names.
#[test]
fn postgresql_conf_parser_agrees_with_postgresql() {
    const GUC_CASES: &[&str] = &[
        "ssl = on",
        "ssl=on",
        "ssl on",
        "ssl_ciphers = 'HIGH:MEDIUM:+3DES:!aNULL'",
        "ssl_ciphers = HIGH:MEDIUM",
        "ssl_cert_file = '/etc/ssl/it''s.crt'",
        "ssl_cert_file = 'a\\'b'",
        "ssl_cert_file = 'tab\\there'",
        "ssl_cert_file = 'x' # comment",
        "ssl_cert_file = x#comment",
        "ssl_min_protocol_version = 'TLSv1.2'",
        "ssl_min_protocol_version = TLSv1.2",
        "work_mem = 64MB",
        "work_mem = 64 MB",
        "work_mem = -1",
        "work_mem = 1.5e3",
        "work_mem = 0x10",
        "ssl =",
        "= on",
        "ssl = on off",
        "ssl = 'unterminated",
        "my.custom = 'value'",
        "my.custom = value with spaces",
        "my.custom=\"double\"",
        "   ssl   =   on   ",
        "ssl = on\nssl = off\n",
        "ssl = on\n\n# comment\nlisten_addresses = '*'\n",
        "SSL = ON",
        "ssl_ca_file = ''",
        "ssl = on;",
        "ssl = -on",
        "ssl = o-n",
        "search_path = '\"$user\", public'",
        "application_name = 'héllo'",
        "ssl = 1.0.0",
        "ssl = 127.0.0.1",
        "my.x = a.b.c",
        "my.x = ab_c9",
        "my.x = 9ab",
    ];
    let pki = Pki::new();
    let server = Server::start(ServerOptions::with_tls(pki.tls())).unwrap();
    let conf = server.data_dir().join("postgresql.conf");
    let original = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, format!("{original}\ninclude_if_exists 'diff.conf'\n")).unwrap();
    let diff = server.data_dir().join("diff.conf");
    let mut cases: Vec<String> = GUC_CASES.iter().map(|s| s.to_string()).collect();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/pgconf/basic");
    cases.push(std::fs::read_to_string(seeds).unwrap().lines().filter(|l| !l.contains("include")).collect::<Vec<_>>().join("\n"));
    if let Ok(dir) = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/pgconf")) {
        let mut files: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files.into_iter().take(400) {
            if let Ok(t) = std::fs::read_to_string(&f) {
                if !t.to_ascii_lowercase().contains("include") && !t.contains('\0') && !t.contains('\r') && t.len() < 2000 {
                    cases.push(t);
                }
            }
        }
    }
    let mut disagreements = Vec::new();
    for c in &cases {
        std::fs::write(&diff, c).unwrap();
        let ours: Result<Vec<(u32, String, String)>, u32> = match pgtls::config::pgconf::PgConf::parse_str(c, &diff) {
            Ok(p) => Ok(p.settings.iter().map(|s| (s.line, s.name.clone(), s.value.replace('\n', "\\n"))).collect()),
            Err(pgtls::config::pgconf::PgConfError::Syntax { line, .. } | pgtls::config::pgconf::PgConfError::SyntaxEol { line, .. }) => Err(line),
            Err(e) => panic!("{e}"),
        };
        let out = server
            .admin_sql(
                "SELECT sourceline || chr(31) || coalesce(name,'') || chr(31) || coalesce(replace(setting, E'\\n', '\\n'),'') || chr(31) || coalesce(error,'') \
                 FROM pg_file_settings WHERE sourcefile LIKE '%/diff.conf' ORDER BY seqno",
            )
            .unwrap();
        let rows: Vec<Vec<&str>> = out.lines().filter(|l| !l.is_empty()).map(|l| l.split('\u{1f}').collect()).collect();
        let theirs: Result<Vec<(u32, String, String)>, u32> = match rows.iter().find(|r| r.len() == 4 && r[3].contains("syntax error")) {
            Some(bad) => Err(bad[0].parse().unwrap()),
            None => Ok(rows.iter().filter(|r| r.len() == 4 && !r[1].is_empty()).map(|r| (r[0].parse().unwrap(), r[1].to_ascii_lowercase(), r[2].to_string())).collect()),
        };
        // PostgreSQL's quirk: a syntax error at the end of a file without a final newline is
        // reported one line early (ConfigFileLineno - 1 before that newline was read). pgtls
        // names the right line.
        // An octal escape above \177 makes bytes that are not UTF-8: PostgreSQL's view cannot
        // show them (an empty setting), pgtls shows U+FFFD. Not a difference in parsing.
        if matches!(&theirs, Ok(v) if v.iter().any(|(_, _, x)| x.is_empty())) && matches!(&ours, Ok(v) if v.iter().any(|(_, _, x)| x.contains('\u{fffd}'))) {
            continue;
        }
        let eof_quirk = matches!((&ours, &theirs), (Err(a), Err(b)) if *b + 1 == *a && !c.ends_with('\n') && *a as usize == c.lines().count());
        if ours != theirs && !eof_quirk {
            disagreements.push(format!("{c:?}\n  pgtls:      {ours:?}\n  PostgreSQL: {theirs:?}"));
        }
    }
    std::fs::write(&conf, original).unwrap();
    let _ = std::fs::remove_file(&diff);
    eprintln!("{} cases, {} disagreements", cases.len(), disagreements.len());
    assert!(disagreements.is_empty(), "{} of {} cases disagree:\n{}", disagreements.len(), cases.len(), disagreements.join("\n"));
}
