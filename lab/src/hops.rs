//! Middle hops in front of a lab server, all Debian's packages on bookworm, listening on
//! 127.0.0.1 and passing connections on to a lab [`Server`](crate::Server): PgBouncer 1.18,
//! Pgpool-II 4.3, HAProxy 2.6 (any frontend/backend configuration), stunnel 5.68 and socat.
//!
//! Why real: a pooler answers logins from its own user list and cached server settings, keeps
//! its own TLS towards PostgreSQL (`server_tls_*`) and has its own error texts; pgtls's verdicts
//! behind one are only credible when compared with psql going through the same pooler.

use std::fs;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{as_user, chown, free_port, server_owner};
use crate::{io_err, LabError};

/// A program from PATH, else from Debian's /usr/sbin (not on a normal user's PATH).
fn installed(name: &str) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()));
    from_path.or_else(|| Some(PathBuf::from("/usr/sbin").join(name)).filter(|p| p.is_file()))
}

/// Start `cmd` as the leader of a process group of its own, so that dropping its [`Running`]
/// stops every process it forked.
fn own_group(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
}

/// A started hop: its process and its directory; dropping it stops the process and removes
/// the directory (kept with PGTLS_LAB_KEEP=1).
struct Running {
    child: Option<Child>,
    dir: PathBuf,
}

impl Running {
    /// Wait until 127.0.0.1:`port` accepts connections; `what` names the hop in the error,
    /// `log` says what went wrong.
    fn wait_listening(&mut self, port: u16, what: &str, log: &dyn Fn() -> String) -> Result<(), LabError> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()).is_some();
            if exited || Instant::now() > deadline {
                return Err(LabError::Command { cmd: what.to_string(), output: log() });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // Hops that fork (Pgpool-II's children, socat's per connection) run in a process
            // group of their own (`own_group`): the whole group goes, not only its leader,
            // whose children would otherwise live on and keep their ports.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", c.id())]).stderr(Stdio::null()).status();
            let _ = c.kill();
            let _ = c.wait();
        }
        if std::env::var_os("PGTLS_LAB_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A running PgBouncer; dropping it stops it and removes its directory.
pub struct Pgbouncer {
    run: Running,
    port: u16,
}

impl Pgbouncer {
    /// The pgbouncer binary, when installed.
    pub fn binary() -> Option<PathBuf> {
        installed("pgbouncer")
    }

    /// Start PgBouncer on a free port in front of 127.0.0.1:`backend_port` (every database
    /// name maps to the same name there, as user `postgres` with `auth_type = trust`), with
    /// `settings` added to its `[pgbouncer]` section and `files` (name, contents) written
    /// beside its configuration; `{dir}` in a setting's value is that directory, e.g.
    /// `("server_tls_ca_file", "{dir}/root.crt")` with `("root.crt", pem)` among the files.
    pub fn start(backend_port: u16, settings: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Pgbouncer, LabError> {
        let bin = Pgbouncer::binary().ok_or_else(|| LabError::Command { cmd: "pgbouncer".into(), output: "not installed (apt install pgbouncer)".into() })?;
        let dir = tempfile::Builder::new().prefix("pgbouncer-").tempdir().map_err(io_err("creating the PgBouncer directory"))?.keep();
        let owner = server_owner();
        let port = free_port()?;
        let mut ini = format!(
            "[databases]\n* = host=localhost port={backend_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = trust\nauth_file = {users}\npool_mode = session\nlogfile = {log}\npidfile = {pid}\n",
            users = dir.join("userlist.txt").display(),
            log = dir.join("pgbouncer.log").display(),
            pid = dir.join("pgbouncer.pid").display(),
        );
        for (k, v) in settings {
            ini.push_str(&format!("{k} = {}\n", v.replace("{dir}", &dir.display().to_string())));
        }
        let write = |name: &str, contents: &str| -> Result<(), LabError> {
            let p = dir.join(name);
            fs::write(&p, contents).map_err(io_err(format!("writing {}", p.display())))?;
            if let Some((u, g)) = owner {
                chown(&p, u, g)?;
            }
            Ok(())
        };
        write("pgbouncer.ini", &ini)?;
        write("userlist.txt", "\"postgres\" \"\"\n")?;
        write("pgbouncer.log", "")?;
        for (name, contents) in files {
            write(name, contents)?;
        }
        if let Some((u, g)) = owner {
            chown(&dir, u, g)?;
        }
        let mut cmd = Command::new(&bin);
        cmd.arg(dir.join("pgbouncer.ini")).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        as_user(&mut cmd, owner);
        let child = cmd.spawn().map_err(io_err(format!("starting {}", bin.display())))?;
        let mut run = Running { child: Some(child), dir };
        let log_path = run.dir.join("pgbouncer.log");
        let what = format!("{} {}", bin.display(), run.dir.join("pgbouncer.ini").display());
        run.wait_listening(port, &what, &|| fs::read_to_string(&log_path).unwrap_or_default())?;
        Ok(Pgbouncer { run, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A file written by `start` (or its configuration, `pgbouncer.ini`).
    pub fn file(&self, name: &str) -> PathBuf {
        self.run.dir.join(name)
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.run.dir.join("pgbouncer.log")).unwrap_or_default()
    }

}


/// A running HAProxy; dropping it stops it.
pub struct Haproxy {
    _run: Running,
    port: u16,
}

/// A running socat forwarding TCP connections unchanged (a port forward); dropping it stops it.
pub struct Socat {
    _run: Running,
    port: u16,
}

impl Socat {
    /// The socat binary, when installed.
    pub fn binary() -> Option<PathBuf> {
        installed("socat")
    }

    /// Forward a free port of 127.0.0.1 to 127.0.0.1:`to`, byte for byte.
    pub fn forward(to: u16) -> Result<Socat, LabError> {
        let bin = Socat::binary().ok_or_else(|| LabError::Command { cmd: "socat".into(), output: "not installed (apt install socat)".into() })?;
        let dir = tempfile::Builder::new().prefix("socat-").tempdir().map_err(io_err("creating the socat directory"))?.keep();
        let port = free_port()?;
        let mut cmd = Command::new(&bin);
        cmd.arg(format!("TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr")).arg(format!("TCP:127.0.0.1:{to}"));
        own_group(&mut cmd).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().map_err(io_err(format!("starting {}", bin.display())))?;
        let mut run = Running { child: Some(child), dir };
        run.wait_listening(port, &format!("{} TCP-LISTEN:{port}", bin.display()), &|| "did not listen".into())?;
        Ok(Socat { _run: run, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Haproxy {
    /// The haproxy binary, when installed.
    pub fn binary() -> Option<PathBuf> {
        installed("haproxy")
    }

    /// `balance roundrobin` over 127.0.0.1:`backends` (TCP mode, no TLS of its own).
    pub fn round_robin(backends: &[u16]) -> Result<Haproxy, LabError> {
        let servers: String = backends.iter().enumerate().map(|(i, b)| format!("  server s{i} 127.0.0.1:{b}\n")).collect();
        Haproxy::start(&format!("frontend pg\n  bind 127.0.0.1:{{port}}\n  default_backend servers\n\nbackend servers\n  balance roundrobin\n{servers}"), &[])
    }

    /// HAProxy with `body` after TCP-mode defaults: `{port}` in it is a free port of 127.0.0.1
    /// (the one [`port`](Self::port) returns), `{dir}` its directory, where `files` (name,
    /// contents) are written first, e.g. `bind 127.0.0.1:{port} ssl crt {dir}/front.pem`.
    pub fn start(body: &str, files: &[(&str, &str)]) -> Result<Haproxy, LabError> {
        let bin = Haproxy::binary().ok_or_else(|| LabError::Command { cmd: "haproxy".into(), output: "not installed (apt install haproxy)".into() })?;
        let dir = tempfile::Builder::new().prefix("haproxy-").tempdir().map_err(io_err("creating the HAProxy directory"))?.keep();
        let port = free_port()?;
        for (name, contents) in files {
            let p = dir.join(name);
            fs::write(&p, contents).map_err(io_err(format!("writing {}", p.display())))?;
        }
        let body = body.replace("{port}", &port.to_string()).replace("{dir}", &dir.display().to_string());
        let cfg = format!("defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n\n{body}");
        let path = dir.join("haproxy.cfg");
        fs::write(&path, &cfg).map_err(io_err(format!("writing {}", path.display())))?;
        let mut cmd = Command::new(&bin);
        cmd.arg("-db").arg("-f").arg(&path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().map_err(io_err(format!("starting {}", bin.display())))?;
        let mut run = Running { child: Some(child), dir };
        // No health checks are configured: it accepts as soon as it listens.
        run.wait_listening(port, &format!("{} -db -f {}", bin.display(), path.display()), &|| cfg.clone())?;
        Ok(Haproxy { _run: run, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}


/// A running Pgpool-II (Debian's 4.3) in raw mode over one lab server; dropping it stops it.
pub struct Pgpool {
    run: Running,
    port: u16,
}

impl Pgpool {
    /// The pgpool binary, when installed.
    pub fn binary() -> Option<PathBuf> {
        installed("pgpool")
    }

    /// Start Pgpool-II on a free port in front of 127.0.0.1:`backend_port` (raw mode, no
    /// pool_hba, no health checks), with `settings` added to pgpool.conf as written (strings quoted: `("ssl_cert", "'{dir}/front.crt'")`) and `files` written
    /// beside it; `{dir}` in a value is that directory, as for [`Pgbouncer::start`].
    pub fn start(backend_port: u16, settings: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Pgpool, LabError> {
        let bin = Pgpool::binary().ok_or_else(|| LabError::Command { cmd: "pgpool".into(), output: "not installed (apt install pgpool2)".into() })?;
        let dir = tempfile::Builder::new().prefix("pgpool-").tempdir().map_err(io_err("creating the Pgpool-II directory"))?.keep();
        let (port, pcp) = (free_port()?, free_port()?);
        let d = dir.display();
        let mut conf = format!(
            "backend_clustering_mode = 'raw'\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{d}'\n\
             pcp_listen_addresses = ''\npcp_port = {pcp}\npcp_socket_dir = '{d}'\nbackend_hostname0 = '127.0.0.1'\n\
             backend_port0 = {backend_port}\nbackend_weight0 = 1\nenable_pool_hba = off\npool_passwd = ''\n\
             num_init_children = 4\nmax_pool = 1\nhealth_check_period = 0\nsr_check_period = 0\nlogdir = '{d}'\n\
             pid_file_name = '{d}/pgpool.pid'\n"
        );
        for (k, v) in settings {
            conf.push_str(&format!("{k} = {}\n", v.replace("{dir}", &d.to_string())));
        }
        let write = |name: &str, contents: &str, mode: u32| -> Result<(), LabError> {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.join(name);
            fs::write(&p, contents).map_err(io_err(format!("writing {}", p.display())))?;
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).map_err(io_err(format!("chmod {}", p.display())))
        };
        write("pgpool.conf", &conf, 0o644)?;
        write("pcp.conf", "", 0o600)?;
        for (name, contents) in files {
            write(name, contents, 0o600)?;
        }
        let log = dir.join("pgpool.log");
        let out = fs::File::create(&log).map_err(io_err(format!("creating {}", log.display())))?;
        let err = out.try_clone().map_err(io_err("duplicating the log file"))?;
        let mut cmd = Command::new(&bin);
        cmd.arg("-n").arg("-f").arg(dir.join("pgpool.conf")).arg("-F").arg(dir.join("pcp.conf"));
        own_group(&mut cmd).stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd.spawn().map_err(io_err(format!("starting {}", bin.display())))?;
        let mut run = Running { child: Some(child), dir };
        let what = format!("{} -n -f {}", bin.display(), run.dir.join("pgpool.conf").display());
        run.wait_listening(port, &what, &|| fs::read_to_string(&log).unwrap_or_default())?;
        Ok(Pgpool { run, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.run.dir.join("pgpool.log")).unwrap_or_default()
    }
}

/// A running stunnel (Debian's 5.68) with one or more services; dropping it stops it.
pub struct Stunnel {
    _run: Running,
}

/// One stunnel service, PostgreSQL-aware (`protocol = pgsql`: the SSLRequest, then TLS).
pub enum StunnelService<'a> {
    /// Server mode: answers clients' SSLRequest and TLS with `cert_pem` + `key_pem`, and
    /// connects to 127.0.0.1:`to` in plain text (TLS ends here).
    Terminate { listen: u16, to: u16, cert_pem: &'a str, key_pem: &'a str },
    /// Client mode: takes plain connections and speaks TLS to 127.0.0.1:`to`, verifying its
    /// chain against `ca_pem` and its name against `host`.
    Originate { listen: u16, to: u16, ca_pem: &'a str, host: &'a str },
}

impl Stunnel {
    /// The stunnel binary, when installed.
    pub fn binary() -> Option<PathBuf> {
        installed("stunnel4").or_else(|| installed("stunnel"))
    }

    /// A free port for a service's `listen`.
    pub fn port() -> Result<u16, LabError> {
        free_port()
    }

    pub fn start(services: &[StunnelService<'_>]) -> Result<Stunnel, LabError> {
        let bin = Stunnel::binary().ok_or_else(|| LabError::Command { cmd: "stunnel".into(), output: "not installed (apt install stunnel4)".into() })?;
        let dir = tempfile::Builder::new().prefix("stunnel-").tempdir().map_err(io_err("creating the stunnel directory"))?.keep();
        let write = |name: &str, contents: &str| -> Result<PathBuf, LabError> {
            let p = dir.join(name);
            fs::write(&p, contents).map_err(io_err(format!("writing {}", p.display())))?;
            Ok(p)
        };
        let mut conf = "foreground = yes\npid =\n".to_string();
        let mut listens = Vec::new();
        for (i, s) in services.iter().enumerate() {
            match s {
                StunnelService::Terminate { listen, to, cert_pem, key_pem } => {
                    let pem = write(&format!("s{i}.pem"), &format!("{cert_pem}{key_pem}"))?;
                    conf.push_str(&format!("[s{i}]\naccept = 127.0.0.1:{listen}\nconnect = 127.0.0.1:{to}\nprotocol = pgsql\ncert = {}\n", pem.display()));
                    listens.push(*listen);
                }
                StunnelService::Originate { listen, to, ca_pem, host } => {
                    let ca = write(&format!("s{i}-ca.pem"), ca_pem)?;
                    conf.push_str(&format!(
                        "[s{i}]\nclient = yes\naccept = 127.0.0.1:{listen}\nconnect = 127.0.0.1:{to}\nprotocol = pgsql\nverifyChain = yes\nCAfile = {}\ncheckHost = {host}\n",
                        ca.display()
                    ));
                    listens.push(*listen);
                }
            }
        }
        let path = write("stunnel.conf", &conf)?;
        let mut cmd = Command::new(&bin);
        cmd.arg(&path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let child = cmd.spawn().map_err(io_err(format!("starting {}", bin.display())))?;
        let mut run = Running { child: Some(child), dir };
        for port in listens {
            run.wait_listening(port, &format!("{} {}", bin.display(), path.display()), &|| conf.clone())?;
        }
        Ok(Stunnel { _run: run })
    }
}

