//! A TCP connection under pgtls's bounds. A per-read timeout alone does not bound a
//! connection: a server that drips one byte a second never trips it, and one that streams
//! records without end never lets a read time out. So a [`Conn`] also has a deadline for the
//! whole exchange and a budget of bytes it reads from the peer; past either, reads fail with an
//! error that says which ([`Bound`]). Both `net` (negotiation) and `tls` (handshakes, the raw
//! scanner) speak through it.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

pub use pgtls_core::gathered::net::{Bound, MAX_READ_PER_CONNECTION};

/// A TCP connection under pgtls's bounds: each read or write waits at most `io`, the whole
/// connection ends at its deadline, and at most [`MAX_READ_PER_CONNECTION`] bytes are read.
#[derive(Debug)]
pub struct Conn {
    sock: TcpStream,
    io: Duration,
    total: Duration,
    deadline: Instant,
    left: u64,
}

impl Conn {
    /// Bound `sock`: `io` per read or write, `total` for the whole connection from now.
    pub fn new(sock: TcpStream, io: Duration, total: Duration) -> Conn {
        Conn { sock, io, total, deadline: Instant::now() + total, left: MAX_READ_PER_CONNECTION }
    }

    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.peer_addr()
    }

    pub fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        self.sock.shutdown(how)
    }

    /// Wait at most `io` per read or write from now on (still within the deadline).
    pub fn set_io(&mut self, io: Duration) {
        self.io = io;
    }

    /// The wait for the next read or write: `io`, cut short by the deadline.
    fn wait(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, Bound::Deadline(self.total)));
        }
        Ok(self.io.min(left))
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, Bound::TooMuch));
        }
        self.sock.set_read_timeout(Some(self.wait()?))?;
        let cap = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.sock.read(&mut buf[..cap])?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.set_write_timeout(Some(self.wait()?))?;
        self.sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

