//! `pgtls server`, `pgtls client`, `pgtls sessions`: configuration audits and the server's
//! own view. Each gathers, runs the checks, and hands a report to the renderers.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde_json::json;

use pgtls::checks::config::{self as cfgchecks, client_cert_user, gather::gather_server};
use pgtls::config::hba::HbaQuery;
use pgtls::config::jdbc::JdbcUrl;
use pgtls::config::kong::KongConf;
use pgtls::findings::{Code, exit_code, Finding};
use pgtls::report::{self, Format, RenderOptions};

use super::{print, target};

const SSL_SETTINGS: [&str; 10] = [
    "ssl",
    "ssl_cert_file",
    "ssl_key_file",
    "ssl_ca_file",
    "ssl_crl_file",
    "ssl_crl_dir",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "ssl_ciphers",
    "ssl_passphrase_command",
];

/// `pgtls server`.
pub struct ServerArgs {
    pub data_dir: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_cn: Option<String>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub addr: IpAddr,
}

pub fn server(a: ServerArgs, format: Format, opts: RenderOptions) -> Result<i32> {
    let conf = match (&a.config, &a.data_dir) {
        (Some(c), _) => c.clone(),
        (None, Some(d)) => d.join("postgresql.conf"),
        (None, None) => anyhow::bail!("give --data-dir DIR or --config FILE"),
    };
    let facts = gather_server(&conf, a.data_dir.as_deref()).with_context(|| format!("reading {}", conf.display()))?;
    let mut findings = cfgchecks::audit_server(&facts);

    let cert_name = match (&a.client_cert, &a.client_cn) {
        (Some(p), _) => {
            let pem = std::fs::read(p).with_context(|| format!("reading client certificate {}", p.display()))?;
            Some(
                client_cert_user::common_name(&pem)
                    .with_context(|| format!("{} holds no certificate with a common name", p.display()))?,
            )
        }
        (None, Some(cn)) => Some(cn.clone()),
        (None, None) => None,
    };
    let mut mapping = None;
    if let (Some(cn), Some(user)) = (&cert_name, &a.user) {
        let db = a.database.clone().unwrap_or_else(|| user.clone());
        let q = HbaQuery { ssl: true, gss: false, addr: Some(a.addr), user: user.clone(), db };
        match &facts.hba {
            Some(hba) => {
                let m = hba.matching_rules(&q);
                match m.rule {
                    Some(rule) => {
                        mapping = Some(format!("{} ({})", rule.location(), rule.raw));
                        findings.extend(client_cert_user::check(rule, facts.ident.as_ref(), cn, user));
                    }
                    None => findings.push(Finding::new(Code::HbaNoSslEntry).detail(format!(
                        "No pg_hba.conf line matches an SSL connection from {} for user \"{user}\"; the server answers: \
                         no pg_hba.conf entry for host \"{}\", user \"{user}\", database \"{}\", SSL encryption",
                        a.addr, a.addr, q.db
                    ))),
                }
            }
            None => anyhow::bail!("pg_hba.conf was not found next to {}", conf.display()),
        }
    }

    let settings: serde_json::Map<String, serde_json::Value> = SSL_SETTINGS
        .iter()
        .filter_map(|n| facts.conf.get(n).map(|s| (n.to_string(), json!({"value": s.value, "at": s.location()}))))
        .collect();
    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "server",
            "config": conf,
            "data_dir": facts.conf.data_dir,
            "ssl": facts.conf.ssl_on(),
            "settings": settings,
            "client_cert_name": cert_name,
            "hba_rule": mapping,
            "findings": findings,
            "exit_code": exit_code(&findings),
        })))?,
        Format::Human => {
            let mut s = format!("server configuration {}\n", conf.display());
            if !opts.quiet {
                let _ = writeln!(s, "  data directory  {}", facts.conf.data_dir.display());
                for n in ["ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file", "ssl_min_protocol_version", "ssl_max_protocol_version", "ssl_ciphers"] {
                    if let Some(v) = facts.conf.get(n) {
                        let _ = writeln!(s, "  {n:<26} {:<30} ({})", v.value, v.location());
                    }
                }
                if let (Some(cn), Some(rule)) = (&cert_name, &mapping) {
                    let _ = writeln!(s, "  client certificate \"{cn}\" meets {rule}");
                }
            }
            report::human::findings(&mut s, &findings, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}

/// `pgtls client`.
pub fn client(
    tgt: Option<String>,
    kong_conf: Option<PathBuf>,
    jdbc: Option<String>,
    windows: bool,
    format: Format,
    opts: RenderOptions,
) -> Result<i32> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut sections = Vec::new();
    let mut json_out = serde_json::Map::new();
    json_out.insert("command".into(), json!("client"));

    if kong_conf.is_none() && jdbc.is_none() || tgt.is_some() {
        let resolved = if windows { target::resolve_windows(tgt.as_deref())? } else { target::resolve(tgt.as_deref())? };
        let facts = pgtls::client::gather(resolved);
        let found = pgtls::checks::client::check(&facts, &Default::default());
        let r = &facts.resolved;
        let mut s = format!("libpq settings: {r}\n");
        let _ = writeln!(s, "  sslmode        {} (from {})", r.sslmode.value, r.sslmode.source);
        for f in &facts.files {
            let state = if !f.exists {
                "missing".to_string()
            } else {
                format!("mode {:04o}", f.mode.unwrap_or(0))
            };
            let _ = writeln!(s, "  {:<14} {} [{state}] (from {})", f.keyword, f.path, f.source);
        }
        if r.uses_system_roots() {
            let _ = writeln!(s, "  sslrootcert    system (the operating system's trusted roots)");
        }
        sections.push(s);
        json_out.insert("libpq".into(), json!({ "resolved": r, "files": facts.files }));
        findings.extend(found);
    }
    if let Some(path) = kong_conf {
        let kong = KongConf::load(&path).with_context(|| format!("reading {}", path.display()))?.with_env(std::env::vars());
        let settings = kong.tls_settings().with_context(|| format!("interpreting {}", path.display()))?;
        findings.extend(cfgchecks::kong::check(&kong, None).with_context(|| format!("checking {}", path.display()))?);
        findings.extend(cfgchecks::client_sslmode::check(&settings));
        sections.push(describe_settings(&settings));
        json_out.insert("kong".into(), settings_json(&settings));
    }
    if let Some(url) = jdbc {
        let parsed = JdbcUrl::parse(&url).map_err(|e| anyhow::anyhow!("{e}"))?;
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let settings = parsed.tls_settings(home.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
        findings.extend(cfgchecks::client_sslmode::check(&settings));
        sections.push(describe_settings(&settings));
        json_out.insert("jdbc".into(), settings_json(&settings));
    }
    match format {
        Format::Json => {
            json_out.insert("findings".into(), serde_json::to_value(&findings)?);
            json_out.insert("exit_code".into(), json!(exit_code(&findings)));
            print(&report::json::to_string(&json_out))?;
        }
        Format::Human => {
            let mut s = if opts.quiet { String::new() } else { sections.join("\n") };
            report::human::findings(&mut s, &findings, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}

fn describe_settings(t: &pgtls::config::client::ClientTlsSettings) -> String {
    let mut s = format!("{}: behaves like sslmode={}\n", t.source, t.mode.as_str());
    let _ = writeln!(s, "  verifies the server   {}", if t.verifies_server { "yes" } else { "no" });
    let _ = writeln!(
        s,
        "  checks the host name  {}",
        match t.checks_hostname {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        }
    );
    let _ = writeln!(s, "  trusted roots         {:?}", t.trust);
    for (k, v) in &t.origins {
        let _ = writeln!(s, "  {k:<21} {v}");
    }
    for n in &t.notes {
        let _ = writeln!(s, "  note: {n}");
    }
    s
}

fn settings_json(t: &pgtls::config::client::ClientTlsSettings) -> serde_json::Value {
    json!({
        "source": t.source,
        "sslmode": t.mode.as_str(),
        "verifies_server": t.verifies_server,
        "checks_hostname": t.checks_hostname,
        "trust": format!("{:?}", t.trust),
        "client_cert": t.client_cert,
        "client_key": t.client_key,
        "min_version": t.min_version.map(|v| v.pg_name()),
        "max_version": t.max_version.map(|v| v.pg_name()),
        "origins": t.origins,
        "notes": t.notes,
    })
}

/// `pgtls sessions`.
pub fn sessions(tgt: Option<String>, timeouts: pgtls::net::Timeouts, format: Format, opts: RenderOptions) -> Result<i32> {
    use pgtls::sessions::{gather, SessionTarget};
    let r = target::resolve(tgt.as_deref())?;
    let host = r
        .hosts
        .iter()
        .find(|h| !h.is_unix_socket)
        .context("sessions needs a TCP host (TLS is never used over a Unix socket)")?;
    let user = r.user.as_ref().map(|u| u.value.clone()).unwrap_or_else(|| "postgres".into());
    let password = match &host.password {
        Some(p) => Some(p.value.expose().to_string()),
        None if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            let p = rpassword::prompt_password(format!("Password for user {user}: ")).context("reading the password")?;
            (!p.is_empty()).then_some(p)
        }
        None => None,
    };
    let sslrootcert = r.sslrootcert.as_ref().map(|s| {
        if s.value == "system" {
            PathBuf::from("/etc/ssl/certs/ca-certificates.crt")
        } else {
            PathBuf::from(&s.value)
        }
    });
    let t = SessionTarget {
        host: host.host.clone().or_else(|| host.hostaddr.clone()).unwrap_or_default(),
        hostaddr: host.hostaddr.clone(),
        port: host.port,
        user,
        dbname: r.dbname.as_ref().map(|d| d.value.clone()).unwrap_or_else(|| "postgres".into()),
        password,
        sslmode: r.sslmode.value,
        sslrootcert,
        timeout: timeouts.connect,
    };
    let facts = gather(&t)?;
    let findings = pgtls::checks::sessions::check(&facts, &Default::default());
    match format {
        Format::Json => print(&report::json::to_string(&json!({
            "command": "sessions",
            "server_version": facts.server_version,
            "own_connection_ssl": facts.own_connection_ssl,
            "groups": facts.groups,
            "ssl_is_used": facts.ssl_is_used,
            "sslinfo_installed": facts.sslinfo_installed,
            "settings": facts.settings,
            "hba_rules": facts.hba_rules,
            "hba_note": facts.hba_note,
            "findings": findings,
            "exit_code": exit_code(&findings),
        })))?,
        Format::Human => {
            let mut s = String::new();
            if !opts.quiet {
                let _ = writeln!(s, "{}", facts.server_version);
                let _ = writeln!(s, "pgtls's own connection: {}", if facts.own_connection_ssl { "TLS" } else { "no TLS" });
                let _ = writeln!(s, "{:>5}  {:<5} {:<8} {:<28} {:<12} {:<12} {:<16} application / backend", "count", "ssl", "version", "cipher", "database", "user", "client");
                for g in &facts.groups {
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
                match facts.ssl_is_used {
                    Some(u) => {
                        let _ = writeln!(s, "ssl_is_used(): {u}");
                    }
                    None => {
                        let _ = writeln!(s, "ssl_is_used(): sslinfo is not installed in this database (pgtls never creates it)");
                    }
                }
                for (k, v) in &facts.settings {
                    let _ = writeln!(s, "  {k:<28} {v}");
                }
                if let Some(n) = &facts.hba_note {
                    let _ = writeln!(s, "note: {n}");
                }
            }
            report::human::findings(&mut s, &findings, &opts);
            print(&s)?;
        }
    }
    Ok(exit_code(&findings))
}
