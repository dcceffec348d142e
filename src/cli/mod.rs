//! The command line: clap definitions (one source for --help, the man pages and shell
//! completions), and dispatch. Each command parses its flags, calls one `pgtls::run`
//! function and renders the report it returns; library errors become anyhow errors here.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{CommandFactory, Parser, Subcommand};

use pgtls::conninfo::{SslMode, SystemEnv};
use pgtls::findings::Lang;
use pgtls::net::Timeouts;
use pgtls::profile::Overrides;
use pgtls::report::{render, Format, Render, RenderOptions};
use pgtls::run::{self, parse_instant, RunError, Settings};
use pgtls::stack::Stack;

#[cfg(feature = "demo")]
mod demo;
mod exporter;

/// Exit status when pgtls itself could not run (bad arguments, unreadable file).
pub const EXIT_TOOL_FAILURE: i32 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "pgtls",
    version,
    about = "The PostgreSQL TLS doctor: why a client cannot connect over TLS, in plain words, with the fix",
    long_about = None,
    after_help = "Exit status: 0 the connection works and nothing is wrong (information only), 1 warnings, 2 errors (or the client would fail), 3 pgtls could not run.\nRun `pgtls demo` for a tour."
)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Language of titles, fixes and labels (default from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// Only the verdict and the findings, no facts.
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
        /// Judge at this instant: a date (2026-06-01) or RFC 3339.
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        /// The provider these stores are for (a built-in rotation profile, e.g. azure-china-2026):
        /// each store is also judged against its rotation, with the day it stops working and
        /// the root to add.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
    },
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
        }
    }
}

/// `protocols --client`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientArg {
    /// libpq with OpenSSL: ssl_min_protocol_version TLSv1.2 by default, no maximum.
    Libpq,
    /// Kong gateway with its default pg_ssl_version = tlsv1_2.
    Kong,
    /// pgJDBC on Java 11+ (TLSv1.2–TLSv1.3).
    Jdbc,
}

impl From<ClientArg> for Stack {
    fn from(c: ClientArg) -> Stack {
        match c {
            ClientArg::Libpq => Stack::Libpq,
            ClientArg::Kong => Stack::Kong,
            ClientArg::Jdbc => Stack::Jdbc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlatformArg {
    Unix,
    Windows,
}

/// The language of the output (and of errors): `--lang`, else from the environment.
pub fn lang(cli: &Cli) -> Lang {
    cli.lang.unwrap_or_else(lang_from_env)
}

/// The language from LC_ALL, LC_MESSAGES, LANG (first set wins), English otherwise.
fn lang_from_env() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language {s:?} (use en, zh or ja)"))
}

fn parse_sslmode(s: &str) -> Result<SslMode, String> {
    s.parse()
}

/// `--client STACK[:VARIANT]` or `all`.
fn parse_stack(s: &str) -> Result<Option<pgtls::verify::clients::StackChoice>, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    pgtls::verify::clients::StackChoice::parse(s).map(Some)
}

/// The client-side flags shared by the connection commands.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientFlags {
    /// The client's libpq major version (15, 16, 17, 18): error texts, keywords and
    /// sslrootcert=system differ. Default: the local psql's major version, else 17.
    #[arg(long)]
    libpq: Option<u32>,
    /// Judge at this instant instead of now: a date (2026-06-01) or RFC 3339.
    #[arg(long, value_parser = parse_instant)]
    at: Option<time::OffsetDateTime>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything about one connection in one verdict: the client's settings and files, a probe
    /// of every host within the client's TLS range, libpq's outcome and why, root cause first.
    Doctor {
        /// Connection string, URI or HOST[:PORT] (default: from the PG* environment).
        target: Option<String>,
        #[command(flatten)]
        client: ClientFlags,
        /// Judge as this client library too: libpq, jdbc, node, psycopg, asyncpg, pgx, npgsql,
        /// rustls, kong, optionally with a style (jdbc:ssl-true, node:config …), or `all` for a
        /// table of every stack. Repeatable.
        #[arg(long = "client", value_name = "STACK", value_parser = parse_stack)]
        stacks: Vec<Option<pgtls::verify::clients::StackChoice>>,
        /// Stop after TLS: do not send the StartupMessage (user and database) to see whether
        /// pg_hba.conf and the client certificate let the client in.
        #[arg(long)]
        no_startup: bool,
        /// Connections per host: behind a load balancer each may reach another server; the
        /// ones after the first stop after TLS and are compared with it (1: only one).
        #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
        connections: u16,
        /// A provider's CA-rotation profile to judge the client's root file against
        /// (azure-2026, azure-china-2026, aws-rds, azure-single-server-2022): the day it stops
        /// verifying the provider's chains and the root to add. By default recognised from the
        /// host name (*.postgres.database.chinacloudapi.cn: azure-china-2026) or from the chain
        /// presented; `none` to skip.
        #[arg(long, value_name = "NAME", default_value = "auto")]
        profile: String,
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
        #[command(flatten)]
        client: ClientFlags,
        /// Save what was seen (facts, and the client they were gathered for) as JSON to FILE,
        /// for a support bundle or a later --from-facts.
        #[arg(long, value_name = "FILE")]
        save_facts: Option<PathBuf>,
        /// Do not touch the network: re-judge facts saved earlier with --save-facts.
        #[arg(long, value_name = "FILE", conflicts_with = "target")]
        from_facts: Option<PathBuf>,
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
        #[arg(long, value_parser = parse_sslmode)]
        sslmode: Option<SslMode>,
        #[command(flatten)]
        client: ClientFlags,
        /// Start TLS directly (PostgreSQL 17+).
        #[arg(long)]
        direct: bool,
        /// Judge as this client library too: libpq, jdbc, node, psycopg, asyncpg, pgx, npgsql,
        /// rustls, kong, optionally with a style (jdbc:ssl-true, node:config …), or `all` for a
        /// table of every stack. Repeatable.
        #[arg(long = "client", value_name = "STACK", value_parser = parse_stack)]
        stacks: Vec<Option<pgtls::verify::clients::StackChoice>>,
        /// Stop at the TLS handshake instead of following the connection into the startup
        /// phase (then pg_hba.conf and the role are not checked, and the verdict says so).
        #[arg(long)]
        no_startup: bool,
    },
    /// Trust stores: `pgtls trust audit STORE...`.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Is a trust store ready for a provider's CA rotation, and which chain do servers present?
    Rotation {
        /// Built-in profile (azure-2026, azure-china-2026, aws-rds, azure-single-server-2022), or `auto` to recognise it from the chain the
        /// given servers present.
        #[arg(long, default_value = "azure-2026")]
        profile: String,
        /// A profile TOML file instead of a built-in one.
        #[arg(long, value_name = "FILE")]
        profile_file: Option<PathBuf>,
        /// The client's trust store (file, directory, JKS, PKCS#12, `system`, `default`).
        #[arg(long)]
        trust: Option<String>,
        /// Keystore password (default: changeit).
        #[arg(long)]
        storepass: Option<String>,
        /// Judge at this instant: a date (2026-06-01) or RFC 3339.
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
        profile_file: Option<PathBuf>,
        /// Where to take roots from (default: the system store).
        #[arg(long = "from")]
        sources: Vec<String>,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
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
        client: Option<ClientArg>,
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
    /// Probe many endpoints concurrently, each judged with its own connection string, and
    /// summarise versions, issuers, expiry and findings.
    ///
    /// FILE is an inventory: one target per line (anything `probe` accepts, e.g. "host=db
    /// sslmode=verify-full sslrootcert=/ca.pem"; blank lines and `#` comments are skipped), a CSV
    /// with a `target` column (other columns become labels), or a pg_service.conf (every
    /// section is a target); `-` reads standard input.
    Fleet {
        file: PathBuf,
        /// Probes in flight at once.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Judge validity at this instant: a date (2026-06-01) or RFC 3339.
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        /// The inventory's format (default: from the file name and its first line).
        #[arg(long, value_enum, default_value = "auto")]
        inventory: InventoryFormat,
        /// Only shard K of N (0 <= K < N), split by a stable hash of each target; with
        /// --shards N alone, K comes from JOB_COMPLETION_INDEX (a Kubernetes indexed Job).
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        #[arg(long, value_name = "N")]
        shards: Option<u64>,
        /// Stream one JSON record per endpoint as results arrive (`-`: standard output, instead
        /// of the report); `pgtls merge` combines such files.
        #[arg(long, value_name = "FILE")]
        jsonl: Option<PathBuf>,
        #[command(flatten)]
        outputs: FleetOutputs,
        /// Place every endpoint in a chain of this rotation profile (azure-2026, aws-rds, ...).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Also scan each endpoint's TLS versions and cipher suites (raw ClientHellos, as
        /// `pgtls protocols`): legacy versions and weak suites become findings.
        #[arg(long)]
        protocols: bool,
        /// Stop at the TLS handshake instead of following each connection into the startup
        /// phase as `doctor` does (then a missing role or a pg_hba.conf refusal is not seen).
        #[arg(long)]
        no_startup: bool,
        /// Show a progress bar (default: when standard error is a terminal and CI is unset).
        #[arg(long, overrides_with = "no_progress")]
        progress: bool,
        #[arg(long)]
        no_progress: bool,
    },
    /// Serve Prometheus' multi-target exporter pattern: `/probe?target=HOST:PORT&module=NAME`
    /// answers that endpoint's metrics (TLS, certificate expiry, libpq's verdict, findings,
    /// rotation readiness), `/metrics` the exporter's own. See contrib/ for a scrape config,
    /// alerting rules and a Grafana dashboard.
    Exporter {
        /// Address to listen on. The default port is not postgres_exporter's 9187, so both run
        /// on one host (README: Exporter port).
        #[arg(long, default_value = "127.0.0.1:9654")]
        listen: String,
        /// Modules (TOML: [modules.NAME] sslmode, sslrootcert, sslcert, sslkey, sslnegotiation,
        /// conninfo, profile, timeout); without it, only the module "default".
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Probes running at once; more are refused with 503.
        #[arg(long, default_value_t = 16)]
        max_in_flight: usize,
    },
    /// Combine the JSON Lines of several `fleet --jsonl` runs (shards) into one report, the same
    /// as one run over the whole inventory would give.
    Merge {
        /// JSON Lines files (`-`: standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Judge expiry at this instant (default: now).
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
        #[command(flatten)]
        outputs: FleetOutputs,
    },
    /// Audit a server's TLS configuration files, read-only: postgresql.conf (with includes),
    /// key and certificate files and their permissions, pg_hba.conf and pg_ident.conf.
    ///
    /// With --user and --client-cert/--client-cn, also says whether that certificate may log in
    /// as that user (the pg_hba.conf line it meets and the pg_ident.conf map), and the line to add.
    Server {
        /// A data directory or a postgresql.conf (the same as --data-dir DIR or --config FILE).
        #[arg(value_name = "DIR|FILE", conflicts_with_all = ["data_dir", "config"])]
        path: Option<PathBuf>,
        /// The data directory (postgresql.conf, pg_hba.conf, server.crt/key default to it).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// postgresql.conf, when it lives outside the data directory (Debian: /etc/postgresql/15/main).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// A client certificate (PEM) whose CN should map to --user.
        #[arg(long, value_name = "FILE")]
        client_cert: Option<PathBuf>,
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
        /// A pgbouncer.ini to audit (its client_tls_* and server_tls_* legs), with the server's
        /// files or alone.
        #[arg(long, value_name = "FILE")]
        pgbouncer_conf: Option<PathBuf>,
        /// Judge the certificates at this instant: a date (2026-06-01) or RFC 3339.
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
    },
    /// Audit a client's effective TLS settings like libpq resolves them (connection string,
    /// service file, PG* variables, ~/.postgresql defaults), or a gateway's kong.conf, or a JDBC URL.
    Client {
        /// Connection string or URI (default: from the environment).
        target: Option<String>,
        /// Read a Kong gateway's kong.conf (KONG_* variables override it).
        #[arg(long, value_name = "FILE")]
        kong_conf: Option<PathBuf>,
        /// Read a pgJDBC URL (jdbc:postgresql://...).
        #[arg(long, value_name = "URL")]
        jdbc: Option<String>,
        /// Reason as a Windows client (%APPDATA%\postgresql\root.crt ...).
        #[arg(long, value_enum, default_value_t = PlatformArg::Unix)]
        platform: PlatformArg,
        /// The client's libpq major version (15, 16, 17, 18).
        #[arg(long)]
        libpq: Option<u32>,
        /// Do not probe the database server kong.conf names (pg_host:pg_port) to compare
        /// lua_ssl_verify_depth and the trusted certificates with the chain it serves.
        #[arg(long)]
        no_probe: bool,
        /// Judge the certificates at this instant: a date (2026-06-01) or RFC 3339.
        #[arg(long, value_parser = parse_instant)]
        at: Option<time::OffsetDateTime>,
    },
    /// Ask the server itself, read-only: sessions with and without TLS (pg_stat_ssl joined with
    /// pg_stat_activity), ssl_is_used(), ssl settings, pg_hba_file_rules.
    ///
    /// Connects with libpq's settings from TARGET and the environment; the password comes from
    /// PGPASSWORD, the password file, or a prompt, and is never echoed or printed.
    Sessions { target: Option<String> },
    /// Explain a finding code, or recognise error messages in pasted text, a file, or standard
    /// input (`-`).
    ///
    /// Understands PostgreSQL server log lines (any log_line_prefix, csvlog, jsonlog, and
    /// translated messages), libpq and everything built on it, poolers and managed proxies
    /// (PgBouncer, Pgpool-II, Odyssey, Supavisor, RDS Proxy, Neon …), Java/pgJDBC, Node,
    /// Go, Rust (rustls, tokio-postgres, sqlx), Python, .NET/Npgsql, Erlang/Postgrex and
    /// OpenSSL/BoringSSL texts, also inside stack traces, JSON log lines and container log
    /// prefixes (docs/recognisers.md). Never guesses: text with no known message exits 1 and
    /// says so.
    Explain {
        /// A finding code (`server-ssl-off`), error text, a file, or `-` for standard input.
        /// Text may begin with `-` (a pasted traceback) and span several arguments; options
        /// may follow it; `--` ends the options.
        #[arg(allow_hyphen_values = true)]
        input: Option<String>,
        /// More words of the text (joined with spaces).
        #[arg(num_args = 0.., hide = true)]
        more: Vec<String>,
        /// List every code with its severity and title.
        #[arg(long)]
        list: bool,
    },
    /// Scan PostgreSQL log files (or stdin; .gz transparently) for TLS problems, per code: count,
    /// first and last time, top clients, users and databases, a sample line.
    Logs {
        files: Vec<PathBuf>,
        /// Look for every translated message (default: English plus languages detected at the start).
        #[arg(long)]
        all_languages: bool,
        /// Print the English server-message anchors, one per line, and exit (for benchmarks).
        #[arg(long, hide = true)]
        print_anchors: bool,
        /// Threads per large file (default: the machine's cores, at most 4; 1 scans on one core).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
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
    /// Print a man page (roff): pgtls(1), or `pgtls man COMMAND` for pgtls-COMMAND(1); with
    /// --dir, write every page there.
    Man {
        /// The command whose page to print (e.g. `probe`, `trust`).
        command: Option<String>,
        /// Write pgtls.1 and one pgtls-COMMAND.1 per command into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Write to stdout through anstream (colour stripped when not a terminal or NO_COLOR set).
fn print(s: &str) -> Result<()> {
    let mut out = anstream::stdout();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing to stdout"),
    }
}

/// Render and print a report; its exit code is the process's.
/// The files `fleet` and `merge` can write besides the report.
#[derive(Debug, Clone, clap::Args)]
pub struct FleetOutputs {
    /// Write a CSV table.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Write Prometheus metrics for node_exporter's textfile collector (written atomically).
    #[arg(long, value_name = "FILE")]
    prometheus: Option<PathBuf>,
    /// Write a self-contained HTML report (summary, expiry timeline, sortable table, each
    /// target's chain and findings).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InventoryFormat {
    Auto,
    Lines,
    Csv,
    Service,
}

/// A file's text, or standard input for `-`; `what` is what the reading is doing
/// ("reading targets from"), said in the user's language by `RunError::said`.
fn read_input(p: &std::path::Path, what: &'static str) -> Result<String, RunError> {
    let (path, text) = if p.as_os_str() == "-" {
        (PathBuf::from("standard input"), std::io::read_to_string(std::io::stdin()))
    } else {
        (p.to_path_buf(), pgtls::files::read_text(p))
    };
    text.map_err(|source| RunError::Io { what, path, source })
}

/// The CSV table and the Prometheus textfile of a fleet report, when asked for. The textfile
/// is written next to its final name and renamed, so node_exporter never reads half a file.
fn write_fleet_outputs(r: &run::FleetReport, at: Option<time::OffsetDateTime>, outputs: &FleetOutputs, origin: &str, lang: Lang) -> Result<()> {
    let now = at.unwrap_or_else(time::OffsetDateTime::now_utc);
    if let Some(p) = &outputs.html {
        let page = pgtls::report::html::render(r, now, origin, lang);
        std::fs::write(p, page).map_err(|source| RunError::Io { what: "writing", path: p.clone(), source })?;
    }
    if let Some(p) = &outputs.csv {
        let text = run::fleet_export::csv(r, now).context("building the CSV table")?;
        std::fs::write(p, text).map_err(|source| RunError::Io { what: "writing", path: p.clone(), source })?;
    }
    if let Some(p) = &outputs.prometheus {
        let tmp = p.with_extension("prom.tmp");
        std::fs::write(&tmp, run::fleet_export::prometheus(&r.endpoints, now)).map_err(|source| RunError::Io { what: "writing", path: tmp.clone(), source })?;
        std::fs::rename(&tmp, p).with_context(|| format!("renaming {} to {}", tmp.display(), p.display()))?;
    }
    Ok(())
}

fn show<R: Render>(report: &R, exit_code: i32, format: Format, o: &RenderOptions) -> Result<i32> {
    print(&render(report, format, o))?;
    Ok(exit_code)
}

/// Run the CLI; returns the process exit status.
pub fn run(cli: Cli) -> Result<i32> {
    let o = RenderOptions { lang: lang(&cli), verbose: cli.verbose, quiet: cli.quiet, pem: false };
    let secs = if cli.timeout.is_finite() && cli.timeout > 0.0 { cli.timeout } else { 5.0 };
    let d = std::time::Duration::from_secs_f64(secs);
    let s = Settings { timeouts: Timeouts::uniform(d), ..Default::default() };
    let f = Format::from(cli.format);
    let env = SystemEnv;
    let over = |c: &ClientFlags| Overrides { at: c.at, libpq: c.libpq, ..Default::default() };
    match cli.command {
        Command::Probe { target, direct, pem, client, save_facts, from_facts } => {
            let r = match &from_facts {
                Some(path) => run::probe_from_facts(path, client.at)?,
                None => run::probe(target.as_deref(), &Overrides { direct, ..over(&client) }, &s, &env, save_facts.as_deref())?,
            };
            show(&r, r.exit_code, f, &RenderOptions { pem, ..o })
        }
        Command::Verify { target, sslrootcert, sslmode, client, direct, stacks, no_startup } => {
            let ov = Overrides {
                sslmode,
                sslrootcert,
                direct,
                startup: !no_startup,
                stacks_all: stacks.contains(&None),
                stacks: stacks.into_iter().flatten().collect(),
                ..over(&client)
            };
            let r = run::verify(target.as_deref(), &ov, &s, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Doctor { target, client, no_startup, stacks, connections, profile } => {
            let ov = Overrides { startup: !no_startup, stacks_all: stacks.contains(&None), stacks: stacks.into_iter().flatten().collect(), ..over(&client) };
            let rotation = match profile.as_str() {
                "auto" => run::RotationChoice::Auto,
                "none" => run::RotationChoice::Off,
                name => run::RotationChoice::Named(name.to_string()),
            };
            let s = Settings { connections: usize::from(connections), rotation, ..s };
            let r = run::doctor(target.as_deref(), &ov, &s, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Trust { command: TrustCommand::Audit { stores, storepass, at, profile } } => {
            let r = run::trust_audit(&stores, storepass.as_deref(), at, profile.as_deref(), &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Rotation { profile, profile_file, trust, storepass, at, targets } => {
            let a = run::RotationArgs {
                profile: &profile,
                profile_file: profile_file.as_deref(),
                trust: trust.as_deref(),
                storepass: storepass.as_deref(),
                at,
                targets: &targets,
            };
            let r = run::rotation(&a, &s, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Bundle { profile, profile_file, sources, output } => {
            let r = run::bundle(&profile, profile_file.as_deref(), &sources, output.as_deref(), None, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Protocols { target, direct, client, client_min, client_max, client_ciphers, concurrency } => {
            let a = run::ProtocolsArgs {
                target: target.as_deref(),
                direct,
                client: client.map(Stack::from),
                client_min: client_min.as_deref(),
                client_max: client_max.as_deref(),
                client_ciphers: client_ciphers.as_deref(),
                concurrency,
            };
            let r = run::protocols(&a, &s, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Fleet { file, concurrency, at, inventory, shard, shards, jsonl, outputs, profile, protocols, no_startup, progress, no_progress } => {
            let origin = file.display().to_string();
            let text = read_input(&file, "reading targets from")?;
            let format = match inventory {
                InventoryFormat::Auto => run::inventory::FileKind::detect(&origin, &text),
                InventoryFormat::Lines => run::inventory::FileKind::Lines,
                InventoryFormat::Csv => run::inventory::FileKind::Csv,
                InventoryFormat::Service => run::inventory::FileKind::Service,
            };
            let targets = run::inventory::parse(&origin, &text, format).map_err(RunError::from)?;
            let shard = match (shard, shards) {
                (Some(k_n), _) => Some(run::inventory::parse_shard(&k_n).map_err(RunError::from)?),
                (None, Some(n)) => {
                    let k = std::env::var("JOB_COMPLETION_INDEX").map_err(|error| RunError::NoJobIndex { error })?;
                    Some(run::inventory::parse_shard(&format!("{k}/{n}")).map_err(RunError::from)?)
                }
                (None, None) => None,
            };
            let targets = run::inventory::select(targets, shard);
            let show_progress = (progress || (std::io::stderr().is_terminal() && std::env::var_os("CI").is_none())) && !no_progress;
            let bar = show_progress.then(|| {
                let b = indicatif::ProgressBar::new(targets.len() as u64);
                b.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} endpoints {elapsed} ({eta} left)").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()));
                b
            });
            let stream: Option<std::sync::Mutex<Box<dyn Write + Send>>> = match &jsonl {
                Some(p) if p.as_os_str() == "-" => Some(std::sync::Mutex::new(Box::new(std::io::stdout()))),
                Some(p) => Some(std::sync::Mutex::new(Box::new(std::fs::File::create(p).map_err(|source| RunError::Io { what: "creating", path: p.clone(), source })?))),
                None => None,
            };
            let on_record = |r: &run::FleetRecord| {
                if let Some(w) = &stream {
                    let mut w = w.lock().unwrap_or_else(|p| p.into_inner());
                    let _ = writeln!(w, "{}", r.json_line());
                    let _ = w.flush();
                }
                if let Some(b) = &bar {
                    b.inc(1);
                }
            };
            let profile = profile.as_deref().map(pgtls::verify::rotation::Profile::builtin).transpose().map_err(RunError::from)?;
            let r = run::fleet(&targets, &run::FleetOptions { concurrency, at, profile, protocols, startup: !no_startup }, &s, &env, &on_record)?;
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            write_fleet_outputs(&r, at, &outputs, &origin, o.lang)?;
            if jsonl.as_deref().is_some_and(|p| p.as_os_str() == "-") {
                return Ok(r.exit_code);
            }
            show(&r, r.exit_code, f, &o)
        }
        Command::Exporter { listen, config, max_in_flight } => {
            let config = match &config {
                Some(p) => run::exporter::ExporterConfig::load(p)?,
                None => Default::default(),
            };
            let ready = |addr: std::net::SocketAddr| eprintln!("pgtls exporter listening on http://{addr}/ (probe: /probe?target=HOST:PORT&module=NAME)");
            exporter::serve(&listen, config, max_in_flight, Some(&ready))?;
            Ok(0)
        }
        Command::Merge { files, at, outputs } => {
            let mut inputs = Vec::new();
            for p in &files {
                inputs.push((p.display().to_string(), read_input(p, "reading fleet records from")?));
            }
            let r = run::merge(&inputs, at)?;
            let origin = files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
            write_fleet_outputs(&r, at, &outputs, &origin, o.lang)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Server { path, data_dir, config, client_cert, client_cn, user, database, addr, pgbouncer_conf, at } => {
            // A bare path: a directory is a data directory, anything else a postgresql.conf.
            let (data_dir, config) = match path {
                Some(p) if p.is_dir() => (Some(p), None),
                Some(p) => (None, Some(p)),
                None => (data_dir, config),
            };
            let a = run::ServerArgs {
                data_dir: data_dir.as_deref(),
                config: config.as_deref(),
                client_cert: client_cert.as_deref(),
                client_cn: client_cn.as_deref(),
                user: user.as_deref(),
                database: database.as_deref(),
                addr,
                pgbouncer_conf: pgbouncer_conf.as_deref(),
                at,
            };
            let r = run::server(&a)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Client { target, kong_conf, jdbc, platform, libpq, no_probe, at } => {
            let a = run::ClientArgs {
                target: target.as_deref(),
                kong_conf: kong_conf.as_deref(),
                jdbc: jdbc.as_deref(),
                windows: platform == PlatformArg::Windows,
                probe: !no_probe,
            };
            let r = run::client(&a, &Overrides { libpq, at, ..Default::default() }, &s, &env)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Sessions { target } => {
            let prompt = |user: &str| -> Option<String> {
                if !std::io::stdin().is_terminal() {
                    return None;
                }
                rpassword::prompt_password(format!("Password for user {user}: ")).ok().filter(|p| !p.is_empty())
            };
            let r = run::sessions(target.as_deref(), &s, &env, &prompt)?;
            show(&r, r.exit_code, f, &o)
        }
        Command::Explain { input, more, list } => {
            let input = input.map(|first| std::iter::once(first).chain(more).collect::<Vec<_>>().join(" "));
            let r = run::explain(input.as_deref(), list, &mut std::io::stdin().lock())?;
            show(&r, r.exit_code(), f, &o)
        }
        Command::Logs { print_anchors: true, .. } => {
            let r = pgtls::explain::recognisers().map_err(|e| anyhow::anyhow!("{e}"))?;
            print(&(r.server_anchors(Some(&[])).join("\n") + "\n"))?;
            Ok(0)
        }
        Command::Logs { files, all_languages, threads, .. } => {
            let threads = threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4))).max(1);
            let r = run::logs(&files, all_languages, threads, &mut std::io::stdin().lock())?;
            show(&r, r.exit_code, f, &o)
        }
        #[cfg(feature = "demo")]
        Command::Demo => {
            let r = demo::demo(&s)?;
            show(&r, r.exit_code, f, &o)
        }
        #[cfg(not(feature = "demo"))]
        Command::Demo => anyhow::bail!("this pgtls was built without the `demo` feature"),
        #[cfg(feature = "demo")]
        Command::LabServe { settings, rsa, newest } => lab_serve(&settings, rsa, newest),
        #[cfg(not(feature = "demo"))]
        Command::LabServe { .. } => anyhow::bail!("this pgtls was built without the `demo` feature"),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "pgtls", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man { command, dir } => man(command.as_deref(), dir.as_deref()),
    }
}

/// Man pages generated from the same definitions as `--help`: pgtls(1) and pgtls-COMMAND(1)
/// (pgtls-trust-audit(1) for nested commands), as git and cargo ship them.
fn man(command: Option<&str>, dir: Option<&std::path::Path>) -> Result<i32> {
    fn pages(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
            let name = format!("{prefix}-{}", sub.get_name());
            out.push((name.clone(), sub.clone().name(name.clone())));
            pages(sub, &name, out);
        }
    }
    let top = Cli::command();
    let mut all = vec![("pgtls".to_string(), top.clone())];
    pages(&top, "pgtls", &mut all);
    let render = |c: &clap::Command| -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(c.clone()).render(&mut buf).context("rendering the man page")?;
        Ok(buf)
    };
    if let Some(d) = dir {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        for (name, c) in &all {
            let p = d.join(format!("{name}.1"));
            std::fs::write(&p, render(c)?).with_context(|| format!("writing {}", p.display()))?;
        }
        print(&format!("wrote {} man pages to {}\n", all.len(), d.display()))?;
        return Ok(0);
    }
    let want = match command {
        None => "pgtls".to_string(),
        Some(c) => format!("pgtls-{}", c.replace(' ', "-")),
    };
    let (_, page) = all
        .iter()
        .find(|(n, _)| *n == want)
        .with_context(|| format!("no man page for {want:?}; commands: {}", all.iter().map(|(n, _)| n.trim_start_matches("pgtls-")).collect::<Vec<_>>().join(", ")))?;
    std::io::stdout().write_all(&render(page)?)?;
    Ok(0)
}

#[cfg(feature = "demo")]
fn lab_serve(settings: &[String], rsa: bool, newest: bool) -> Result<i32> {
    use pgtls_lab::{CertKey, CertSpec, Installation, Server, ServerOptions, TlsFiles};
    let spec = CertSpec::default().rsa(rsa);
    let root = CertKey::root_with("pgtls lab root", &spec)?;
    let inter = root.intermediate_with("pgtls lab intermediate", &spec)?;
    let leaf = inter.leaf_with("localhost", &["localhost", "127.0.0.1"], &spec)?;
    let mut o = ServerOptions::with_tls(TlsFiles {
        cert_chain_pem: format!("{}{}", leaf.cert_pem, inter.cert_pem),
        key_pem: leaf.key_pem.clone(),
        ca_pem: None,
    });
    if newest {
        o.installation = pgtls_lab::find_installations().into_iter().next();
    } else {
        o.installation = Some(Installation::default_one()?);
    }
    for s in settings {
        let (k, v) = s.split_once('=').with_context(|| format!("--set {s:?}: expected NAME=VALUE"))?;
        o = o.setting(k, v);
    }
    let server = Server::start(o)?;
    let root_path = server.data_dir().parent().map(|d| d.join("root.crt")).context("lab dir")?;
    std::fs::write(&root_path, &root.cert_pem)?;
    println!("port={}\ndir={}\nroot={}", server.port(), server.data_dir().display(), root_path.display());
    std::io::stdout().flush()?;
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
        sink.clear();
    }
    drop(server);
    Ok(0)
}
