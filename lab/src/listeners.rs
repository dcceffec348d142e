//! Misbehaving listeners for failure tests: one that never answers, one that hangs up at
//! once, one that answers the SSLRequest with fixed bytes (a proxy that is not PostgreSQL), and
//! one that runs any script per connection (the hostile-server suite). Each runs on a
//! background thread for the life of the value, on 127.0.0.1 only.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::{io_err, LabError};

struct Background {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Accept connections and pass each to `handle`, keeping a clone of every socket open for
    /// the life of the listener (a silent listener's connections must not close).
    fn start(handle: impl Fn(TcpStream) + Send + 'static) -> Result<Background, LabError> {
        Background::start_holding(handle, true)
    }

    fn start_holding(handle: impl Fn(TcpStream) + Send + 'static, hold: bool) -> Result<Background, LabError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(io_err("binding a lab listener"))?;
        let port = listener.local_addr().map_err(io_err("lab listener address"))?.port();
        listener.set_nonblocking(true).map_err(io_err("lab listener"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let _ = s.set_read_timeout(Some(Duration::from_secs(30)));
                        if hold {
                            if let Ok(c) = s.try_clone() {
                                held.push(c);
                            }
                        }
                        handle(s);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Ok(Background { port, stop, thread: Some(thread) })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Accepts connections and never sends a byte (a stalled server or a black-holing proxy).
pub struct SilentListener(Background);

impl SilentListener {
    pub fn start() -> Result<Self, LabError> {
        Background::start(|_s| {}).map(SilentListener)
    }
    pub fn port(&self) -> u16 {
        self.0.port
    }
}

/// Accepts connections, reads the SSLRequest, and closes without answering.
pub struct ClosingListener(Background);

impl ClosingListener {
    pub fn start() -> Result<Self, LabError> {
        Background::start(|mut s| {
            let mut buf = [0u8; 8];
            let _ = s.read(&mut buf);
            let _ = s.shutdown(std::net::Shutdown::Both);
        })
        .map(ClosingListener)
    }
    pub fn port(&self) -> u16 {
        self.0.port
    }
}

/// Answers every SSLRequest with fixed bytes, then closes.
pub struct FixedReplyListener(Background);

impl FixedReplyListener {
    pub fn start(reply: &'static [u8]) -> Result<Self, LabError> {
        Background::start(move |mut s| {
            let mut buf = [0u8; 8];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
            let _ = s.flush();
            std::thread::sleep(Duration::from_millis(50));
            let _ = s.shutdown(std::net::Shutdown::Both);
        })
        .map(FixedReplyListener)
    }
    pub fn port(&self) -> u16 {
        self.0.port
    }
}

impl FixedReplyListener {
    /// Answer with fixed bytes, then keep the connection open without a word (a server that
    /// says 'S' and stalls in the handshake). The connection is held for up to 30 s.
    pub fn start_and_stall(reply: &'static [u8]) -> Result<Self, LabError> {
        Background::start(move |mut s| {
            let mut buf = [0u8; 8];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
            let _ = s.flush();
            std::thread::spawn(move || {
                let mut sink = [0u8; 1024];
                while let Ok(n) = s.read(&mut sink) {
                    if n == 0 {
                        break;
                    }
                }
            });
        })
        .map(FixedReplyListener)
    }
}

/// Runs `script` on every accepted connection, each on its own thread (so a script that drips
/// or stalls does not hold up the next connection). Scripts should end within a minute.
pub struct ScriptedListener(Background);

impl ScriptedListener {
    pub fn start(script: impl Fn(TcpStream) + Send + Sync + 'static) -> Result<Self, LabError> {
        let script = Arc::new(script);
        // The script owns the socket: when it drops it, the connection closes (or resets).
        Background::start_holding(
            move |s| {
                let script = script.clone();
                std::thread::spawn(move || script(s));
            },
            false,
        )
        .map(ScriptedListener)
    }
    pub fn port(&self) -> u16 {
        self.0.port
    }
}
