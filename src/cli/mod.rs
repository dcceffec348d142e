//! The command line: clap definitions (one source for --help, the man page and shell
//! completions) and dispatch. Library errors become anyhow errors here, at the edge.

mod audit;
mod demo;
mod doctor;
mod explain;
mod protocols;
mod trust;
mod target;

use std::io::Write;

use anyhow::{Context as _, Result};
use clap::{CommandFactory, Parser, Subcommand};

use pgtls::findings::{exit_code, Lang};
use pgtls::net::Timeouts;
use pgtls::report::{self, Format, HostReport, RenderOptions};

/// Exit status when pgtls itself could not run (bad arguments, unreadable file).
pub const EXIT_TOOL_FAILURE: i32 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "pgtls",
    version,
    about = "The PostgreSQL TLS doctor: why a client cannot connect over TLS, in plain words, with the fix",
    long_about = None,
    after_help = "Exit status: 0 no problems (or info only), 1 warnings, 2 errors found, 3 pgtls could not run.\nRun `pgtls demo` for a tour."
)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Language of titles and fixes (default from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Only findings, no facts.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Also show each finding's evidence.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Timeout in seconds for each network step (connect, SSLRequest, handshake).
    #[arg(long, global = true, default_value_t = 5.0)]
    pub timeout: f64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Classify every certificate in the stores (root, intermediate, leaf, expired, duplicate,
    /// weak) and flag pinned intermediates and leaves.
    Audit {
        /// PEM bundle, DER file, directory, JKS or PKCS#12 keystore, `system`, `default`
        /// (~/.postgresql/root.crt) or `windows-default` (%APPDATA%\postgresql\root.crt).
        #[arg(required = true)]
        stores: Vec<String>,
        /// Keystore password (default: changeit).
        #[arg(long)]
        storepass: Option<String>,
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlatformArg {
    Unix,
    Windows,
}

fn parse_instant(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("{s:?} is not an RFC 3339 instant like 2026-06-01T00:00:00Z: {e}"))
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?} (use en, zh or ja)"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything about one connection in one verdict: the client's settings and files, a probe
    /// of every host with the client's TLS range, libpq's outcome and why, worst finding first.
    Doctor {
        /// Connection string, URI or HOST[:PORT] (default: from the PG* environment).
        target: Option<String>,
        /// The client's libpq major version (15, 16, 17, 18); default: the local psql's, else 17.
        #[arg(long)]
        libpq: Option<u32>,
    },
    /// Connect like libpq, negotiate TLS and show version, cipher and the chain the server sent.
    ///
    /// TARGET is anything libpq accepts: "host=db port=5432 sslmode=verify-full", a
    /// postgresql:// URI (several hosts allowed), or HOST[:PORT]. PG* environment variables fill
    /// what the target leaves out. No credentials are ever sent.
    Probe {
        /// Connection string, URI or HOST[:PORT] (default: from PGHOST/PGPORT).
        target: Option<String>,
        /// Start TLS directly with ALPN "postgresql" (PostgreSQL 17+; same as sslnegotiation=direct).
        #[arg(long)]
        direct: bool,
        /// Print the chain as PEM too, like `openssl s_client -showcerts`.
        #[arg(long)]
        pem: bool,
        /// Judge validity at this instant instead of now (RFC 3339, e.g. 2026-06-01T00:00:00Z).
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        /// Save what was seen (facts) as JSON to FILE, for a support bundle or a later --from-facts.
        #[arg(long, value_name = "FILE")]
        save_facts: Option<std::path::PathBuf>,
        /// Do not touch the network: re-judge facts saved earlier with --save-facts.
        #[arg(long, value_name = "FILE", conflicts_with = "target")]
        from_facts: Option<std::path::PathBuf>,
    },
    /// Will libpq accept this server's chain? Probe, then decide exactly as libpq would (sslmode,
    /// sslrootcert, host vs hostaddr), list every trust path, and say why.
    Verify {
        /// Connection string, URI (several hosts: primary and replicas) or HOST[:PORT].
        target: Option<String>,
        /// Root certificate file or directory, or `system` (default: from TARGET / PGSSLROOTCERT / ~/.postgresql/root.crt).
        #[arg(long)]
        sslrootcert: Option<String>,
        /// sslmode to judge (default: from TARGET / PGSSLMODE / prefer).
        #[arg(long)]
        sslmode: Option<String>,
        /// Judge at this instant (RFC 3339), e.g. to see a rotation or expiry coming.
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        /// The client's libpq major version (15, 16, 17, 18): error texts and sslrootcert=system
        /// differ. Default: the local psql's major version, else 17.
        #[arg(long)]
        libpq: Option<u32>,
        /// Start TLS directly (PostgreSQL 17+).
        #[arg(long)]
        direct: bool,
    },
    /// Trust stores: `pgtls trust audit STORE...`.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Is a trust store ready for a provider's CA rotation, and which chain do servers present?
    Rotation {
        /// Built-in profile name (azure-2026).
        #[arg(long, default_value = "azure-2026")]
        profile: String,
        /// A profile TOML file instead of a built-in one.
        #[arg(long, value_name = "FILE")]
        profile_file: Option<std::path::PathBuf>,
        /// The client's trust store (file, directory, JKS, PKCS#12, `system`, `default`).
        #[arg(long)]
        trust: Option<String>,
        /// Keystore password (default: changeit).
        #[arg(long)]
        storepass: Option<String>,
        /// Judge at this instant (RFC 3339).
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        /// Servers to check for the chain they present.
        targets: Vec<String>,
    },
    /// Write the recommended root bundle for a rotation profile (roots only), from the system store.
    Bundle {
        #[arg(long, default_value = "azure-2026")]
        profile: String,
        #[arg(long, value_name = "FILE")]
        profile_file: Option<std::path::PathBuf>,
        /// Where to take roots from (default: the system store).
        #[arg(long = "from")]
        sources: Vec<String>,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<std::path::PathBuf>,
    },
    /// Which TLS versions and cipher suites the server accepts (raw ClientHello probes, SSLv3 to
    /// TLS 1.3), compared with the client's range.
    Protocols {
        /// Connection string, URI or HOST[:PORT].
        target: Option<String>,
        /// Start TLS directly (PostgreSQL 17+).
        #[arg(long)]
        direct: bool,
        /// Compare with a client profile's allowed range.
        #[arg(long, value_enum)]
        client: Option<protocols::ClientProfile>,
        /// The client's minimum TLS version (e.g. TLSv1.2).
        #[arg(long)]
        client_min: Option<String>,
        /// The client's maximum TLS version.
        #[arg(long)]
        client_max: Option<String>,
        /// The client's cipher suites (OpenSSL or IANA names, comma or colon separated).
        #[arg(long)]
        client_ciphers: Option<String>,
        /// Handshakes in flight at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
    /// Probe many endpoints concurrently and summarise versions, issuers, expiry and findings.
    ///
    /// FILE has one target per line (anything `probe` accepts); blank lines and `#` comments are
    /// skipped; `-` reads standard input.
    Fleet {
        file: std::path::PathBuf,
        /// Probes in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Judge validity at this instant instead of now (RFC 3339).
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
    },
    /// Audit a server's TLS configuration files, read-only: postgresql.conf (with includes),
    /// key and certificate files and their permissions, pg_hba.conf and pg_ident.conf.
    ///
    /// With --user and --client-cert/--client-cn, also says whether that certificate may log in
    /// as that user (the pg_hba.conf line it meets and the pg_ident.conf map), and the line to add.
    Server {
        /// The data directory (postgresql.conf, pg_hba.conf, server.crt/key default to it).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
        /// postgresql.conf, when it lives outside the data directory (Debian: /etc/postgresql/15/main).
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// A client certificate (PEM) whose CN should map to --user.
        #[arg(long, value_name = "FILE")]
        client_cert: Option<std::path::PathBuf>,
        /// A client certificate common name, instead of --client-cert.
        #[arg(long, value_name = "CN", conflicts_with = "client_cert")]
        client_cn: Option<String>,
        /// The database user the certificate should log in as.
        #[arg(long)]
        user: Option<String>,
        /// The database (default: the user name).
        #[arg(long)]
        database: Option<String>,
        /// The client's address, for matching pg_hba.conf lines.
        #[arg(long, default_value = "127.0.0.1")]
        addr: std::net::IpAddr,
    },
    /// Audit a client's effective TLS settings like libpq resolves them (connection string,
    /// service file, PG* variables, ~/.postgresql defaults), or a gateway's kong.conf, or a JDBC URL.
    Client {
        /// Connection string or URI (default: from the environment).
        target: Option<String>,
        /// Read a Kong gateway's kong.conf (KONG_* variables override it).
        #[arg(long, value_name = "FILE")]
        kong_conf: Option<std::path::PathBuf>,
        /// Read a pgJDBC URL (jdbc:postgresql://...).
        #[arg(long, value_name = "URL")]
        jdbc: Option<String>,
        /// Reason as a Windows client (%APPDATA%\postgresql\root.crt ...).
        #[arg(long, value_enum, default_value_t = PlatformArg::Unix)]
        platform: PlatformArg,
    },
    /// Ask the server itself, read-only: sessions with and without TLS (pg_stat_ssl joined with
    /// pg_stat_activity), ssl_is_used(), ssl settings, pg_hba_file_rules.
    ///
    /// Connects with libpq's settings from TARGET and the environment; the password comes from
    /// PGPASSWORD, the password file, or a prompt, and is never echoed or printed.
    Sessions {
        target: Option<String>,
    },
    /// Explain a finding code, or recognise error messages in pasted text (`-` reads stdin).
    ///
    /// Understands PostgreSQL server log lines (any log_line_prefix, csvlog, jsonlog, and
    /// translated messages), libpq/psql, Kong, pgJDBC, node-postgres, Npgsql, psycopg, asyncpg,
    /// Go (pgx, lib/pq) and OpenSSL error strings. Never guesses: unknown text yields no finding.
    Explain {
        /// A finding code (`server-ssl-off`), error text, or `-` for standard input.
        input: Option<String>,
        /// List every code with its severity and title.
        #[arg(long)]
        list: bool,
    },
    /// Scan PostgreSQL log files (or stdin; .gz transparently) for TLS problems, per code: count,
    /// first and last time, top clients, users and databases, a sample line.
    Logs {
        files: Vec<std::path::PathBuf>,
        /// Look for every translated message (default: English plus languages detected at the start).
        #[arg(long)]
        all_languages: bool,
        /// Print the English server-message anchors, one per line, and exit (for benchmarks).
        #[arg(long, hide = true)]
        print_anchors: bool,
    },
    /// A guided tour on a local throw-away server: a client that pinned an intermediate the server no longer uses.
    Demo,
    /// Start a throw-away lab PostgreSQL server with TLS (for benchmarks and manual tests).
    ///
    /// Prints `port=N` and `dir=PATH`, then runs until standard input closes; the server and its
    /// files are then removed.
    #[command(hide = true)]
    LabServe {
        /// postgresql.conf settings as NAME=VALUE (value verbatim, quote strings: ssl_ciphers="'HIGH'").
        #[arg(long = "set", value_name = "NAME=VALUE")]
        settings: Vec<String>,
        /// RSA keys instead of EC P-256.
        #[arg(long)]
        rsa: bool,
        /// Use the newest installation (PostgreSQL 18 when installed).
        #[arg(long)]
        newest: bool,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// Run the CLI; returns the process exit status.
pub fn run(cli: Cli) -> Result<i32> {
    let opts = RenderOptions {
        lang: cli.lang.unwrap_or_else(Lang::from_env),
        verbose: cli.verbose,
        quiet: cli.quiet,
        pem: false,
    };
    let secs = if cli.timeout.is_finite() && cli.timeout > 0.0 { cli.timeout } else { 5.0 };
    let timeouts = Timeouts {
        connect: std::time::Duration::from_secs_f64(secs),
        io: std::time::Duration::from_secs_f64(secs),
    };
    match cli.command {
        Command::Probe { target, direct, pem, at, save_facts, from_facts } => {
            let mut ctx = pgtls::checks::Context { now: at.unwrap_or_else(time::OffsetDateTime::now_utc), ..Default::default() };
            let facts: Vec<pgtls::probe::ProbeFacts> = match &from_facts {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("reading facts from {}", path.display()))?;
                    serde_json::from_str(&text).with_context(|| format!("{} does not hold pgtls probe facts", path.display()))?
                }
                None => {
                    let resolved = target::resolve(target.as_deref())?;
                    if let Some(min) = &resolved.ssl_min_protocol_version {
                        ctx.client_min = min.value.as_str().to_string();
                    }
                    ctx.client_max = resolved.ssl_max_protocol_version.as_ref().map(|m| m.value.as_str().to_string());
                    let targets = target::targets_of(&resolved, direct)?;
                    let client = pgtls::probe::ClientVersions {
                        min: resolved.ssl_min_protocol_version.as_ref().map(|v| v.value.as_str().to_string()),
                        max: resolved.ssl_max_protocol_version.as_ref().map(|v| v.value.as_str().to_string()),
                    };
                    targets.iter().map(|t| pgtls::probe::probe_as(t, timeouts, &client)).collect()
                }
            };
            if let Some(path) = &save_facts {
                std::fs::write(path, report::json::to_string(&facts)).with_context(|| format!("writing facts to {}", path.display()))?;
            }
            let reports = judge(facts, &ctx);
            let all: Vec<_> = reports.iter().flat_map(|r| r.findings.clone()).collect();
            let out = match cli.format {
                Format::Json => report::json::to_string(&report::json::probe(&reports)),
                Format::Human => {
                    let mut s = String::new();
                    for r in &reports {
                        report::human::host(&mut s, r, &RenderOptions { pem, ..opts });
                    }
                    s
                }
            };
            print(&out)?;
            Ok(exit_code(&all))
        }
        Command::Verify { target, sslrootcert, sslmode, at, libpq, direct } => trust::verify(
            trust::VerifyArgs { target, sslrootcert, sslmode, at, libpq: libpq.unwrap_or_else(target::local_libpq_major), direct },
            timeouts,
            cli.format,
            opts,
        ),
        Command::Trust { command: TrustCommand::Audit { stores, storepass, at } } => {
            trust::trust_audit(&stores, storepass.as_deref(), at, cli.format, opts)
        }
        Command::Rotation { profile, profile_file, trust: store, storepass, at, targets } => trust::rotation(
            trust::RotationArgs { profile, profile_file, trust: store, storepass, targets, at },
            timeouts,
            cli.format,
            opts,
        ),
        Command::Bundle { profile, profile_file, sources, output } => {
            trust::bundle(&profile, profile_file.as_deref(), &sources, output.as_deref(), None)
        }
        Command::Protocols { target, direct, client, client_min, client_max, client_ciphers, concurrency } => protocols::run(
            protocols::Args { target, direct, client, client_min, client_max, client_ciphers, concurrency },
            timeouts,
            cli.format,
            opts,
        ),
        Command::Fleet { file, concurrency, at } => {
            let ctx = pgtls::checks::Context { now: at.unwrap_or_else(time::OffsetDateTime::now_utc), ..Default::default() };
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading targets from standard input")?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading targets from {}", file.display()))?
            };
            let mut targets = Vec::new();
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let t = target::probe_targets(Some(line), false)
                    .with_context(|| format!("{}:{}: bad target {line:?}", file.display(), n + 1))?;
                targets.extend(t);
            }
            let entries = pgtls::fleet::scan(&targets, concurrency, timeouts, &ctx);
            let summary = pgtls::fleet::summarise(&entries, &ctx);
            let all: Vec<_> = entries.iter().flat_map(|e| e.findings.clone()).collect();
            let out = match cli.format {
                Format::Json => report::json::to_string(&serde_json::json!({
                    "command": "fleet",
                    "summary": summary,
                    "endpoints": entries.iter().map(|e| report::json::host(&HostReport { facts: e.facts.clone(), findings: e.findings.clone() })).collect::<Vec<_>>(),
                    "exit_code": exit_code(&all),
                })),
                Format::Human => report::human::fleet(&entries, &summary, &opts),
            };
            print(&out)?;
            Ok(exit_code(&all))
        }
        Command::Server { data_dir, config, client_cert, client_cn, user, database, addr } => audit::server(
            audit::ServerArgs { data_dir, config, client_cert, client_cn, user, database, addr },
            cli.format,
            opts,
        ),
        Command::Client { target, kong_conf, jdbc, platform } => {
            audit::client(target, kong_conf, jdbc, platform == PlatformArg::Windows, cli.format, opts)
        }
        Command::Sessions { target } => audit::sessions(target, timeouts, cli.format, opts),
        Command::Explain { input, list } => explain::explain(input, list, cli.format, opts),
        Command::Logs { print_anchors: true, .. } => {
            let r = pgtls::explain::recognisers().map_err(|e| anyhow::anyhow!("{e}"))?;
            print(&(r.server_anchors(Some(&[])).join("\n") + "\n"))?;
            Ok(0)
        }
        Command::Logs { files, all_languages, .. } => explain::logs(files, all_languages, cli.format, opts),
        Command::Demo => demo::run(cli.format, opts, timeouts),
        Command::Doctor { target, libpq } => {
            doctor::run(target, libpq.unwrap_or_else(target::local_libpq_major), timeouts, cli.format, opts)
        }
        Command::LabServe { settings, rsa, newest } => lab_serve(&settings, rsa, newest),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "pgtls", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf).context("rendering the man page")?;
            std::io::stdout().write_all(&buf)?;
            Ok(0)
        }
    }
}

pub fn probe_all(targets: &[pgtls::probe::ProbeTarget], timeouts: Timeouts) -> Vec<HostReport> {
    let facts = targets.iter().map(|t| pgtls::probe::probe(t, timeouts)).collect();
    judge(facts, &pgtls::checks::Context::default())
}

/// Run the probe checks over gathered (or replayed) facts.
pub fn judge(facts: Vec<pgtls::probe::ProbeFacts>, ctx: &pgtls::checks::Context) -> Vec<HostReport> {
    facts
        .into_iter()
        .map(|facts| {
            let findings = pgtls::checks::probe(&facts, ctx);
            HostReport { facts, findings }
        })
        .collect()
}

fn lab_serve(settings: &[String], rsa: bool, newest: bool) -> Result<i32> {
    use pgtls::lab::{Ca, CertSpec, Installation, Server, ServerOptions, TlsFiles};
    let spec = CertSpec { rsa, ..Default::default() };
    let root = Ca::root_with("pgtls lab root", &spec)?;
    let inter = root.intermediate_with("pgtls lab intermediate", &spec)?;
    let leaf = inter.leaf_with("localhost", &["localhost", "127.0.0.1"], &spec, rcgen::ExtendedKeyUsagePurpose::ServerAuth)?;
    let mut o = ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}", leaf.cert_pem, inter.cert_pem()),
        key_pem: leaf.key_pem.clone(),
        ca_pem: None,
    });
    if newest {
        o.installation = pgtls::lab::find_installations().into_iter().next();
    } else {
        o.installation = Some(Installation::default_one()?);
    }
    for s in settings {
        let (k, v) = s.split_once('=').with_context(|| format!("--set {s:?}: expected NAME=VALUE"))?;
        o = o.setting(k, v);
    }
    let server = Server::start(o)?;
    let root_path = server.data_dir().parent().map(|d| d.join("root.crt")).context("lab dir")?;
    std::fs::write(&root_path, root.cert_pem())?;
    println!("port={}\ndir={}\nroot={}", server.port(), server.data_dir().display(), root_path.display());
    std::io::stdout().flush()?;
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
        sink.clear();
    }
    drop(server);
    Ok(0)
}

/// Write to stdout through anstream (colour stripped when not a terminal or NO_COLOR set).
pub fn print(s: &str) -> Result<()> {
    let mut out = anstream::stdout();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}
