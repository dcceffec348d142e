//! Enumeration: which versions, suites and groups the server accepts, one handshake per probe.
//!
//! Each probe opens a fresh connection through a [`Connector`] (which has already done the
//! PostgreSQL SSLRequest dance or set up direct SSL), writes one ClientHello, reads the first
//! answer and closes. Per version the scanner offers every suite valid for it; when the server
//! picks one, that suite is removed and the rest offered again, until the server refuses. So a
//! version costs (accepted suites + 1) handshakes, and the suites come out in the order the
//! server picked them — its preference order when it enforces one. Whether it does is tested by
//! offering the first two accepted suites in both orders.
//!
//! Groups are found the same way: for TLS 1.3 the hello carries an *empty* key_share, so the
//! server must answer with a HelloRetryRequest naming its preferred group among those offered;
//! for TLS ≤ 1.2 the ECDHE curve is read from the plaintext ServerKeyExchange, which also
//! carries the signature algorithm and the DHE prime size. In TLS 1.3 the certificate and its
//! signature are encrypted, so no signature algorithm is reported for it.
//!
//! Versions run in parallel on scoped threads; a counting semaphore keeps at most
//! [`ScanOptions::max_in_flight`] connections open at once, so a server with a small
//! `max_connections` or a connection-rate limiter is not flooded.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};


use super::codec::{ClientHello, HelloOptions, NamedGroup, TlsVersion, SignatureScheme};
pub use pgtls_core::scan::{GroupResult, ScanIssue, ScanResult, ScanStage, VersionResult, CLOSED_SILENTLY};
use super::parse::{parse_final, parse_reply, ParseError, Parsed, Reply, ServerHello, Want};
use super::suites::{CipherSuite, Kx};

/// A byte stream the scanner can also bound in time.
pub trait ReadWrite: Read + Write {
    /// Apply read and write timeouts; streams without timeouts may ignore this.
    fn set_timeouts(&mut self, timeout: Duration) -> io::Result<()> {
        let _ = timeout;
        Ok(())
    }
}

impl ReadWrite for TcpStream {
    fn set_timeouts(&mut self, timeout: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(timeout))?;
        self.set_write_timeout(Some(timeout))
    }
}

impl ReadWrite for crate::conn::Conn {
    fn set_timeouts(&mut self, timeout: Duration) -> io::Result<()> {
        self.set_io(timeout);
        Ok(())
    }
}

/// Opens a fresh connection positioned where the ClientHello goes (after `S` to SSLRequest,
/// or at once for direct SSL).
pub trait Connector: Sync {
    fn open(&self) -> io::Result<Box<dyn ReadWrite + Send>>;
}

/// Scanner settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Read/write timeout of each probe (default 5 s); a probe also gives up after twice this.
    pub timeout: Duration,
    /// Connections open at the same time (default 4, at least 1).
    pub max_in_flight: usize,
    /// Versions to probe (default: SSLv3 to TLS 1.3).
    pub versions: Vec<TlsVersion>,
    /// SNI host name (not sent for IP addresses).
    pub sni: Option<String>,
    /// ALPN protocols (`postgresql` for direct SSL).
    pub alpn: Vec<Vec<u8>>,
    /// Test both orders of two accepted suites to learn whether the server imposes its order.
    pub check_preference: bool,
    /// Enumerate key-exchange groups (and read the TLS 1.2 signature algorithm).
    pub enumerate_groups: bool,
    /// Stop each version at its first accepted suite: "which versions?" in one handshake per
    /// version (what `probe` needs to name the server's range after a version mismatch).
    pub versions_only: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            timeout: Duration::from_secs(5),
            max_in_flight: 4,
            versions: TlsVersion::SCANNED.to_vec(),
            sni: None,
            alpn: Vec::new(),
            check_preference: true,
            enumerate_groups: true,
            versions_only: false,
        }
    }
}

/// One handshake at `version` offering `suites`, read up to the ServerKeyExchange: the
/// server's choice and, for TLS ≤ 1.2, the certificate chain it sends in the clear. `probe`
/// uses it when its own TLS stack cannot complete a handshake (e.g. CBC-only servers).
pub fn fetch_hello(
    connector: &dyn Connector,
    opts: &ScanOptions,
    version: TlsVersion,
    suites: &[CipherSuite],
) -> Result<ServerHello, String> {
    let scanner = Enumeration {
        connector,
        opts,
        permits: Permits { free: Mutex::new(1), cv: Condvar::new() },
        handshakes: AtomicU32::new(0),
    };
    let mut offer = Offer::new(version, suites);
    offer.want = Want::KeyExchange;
    match scanner.probe(&offer) {
        Ok(Reply::Hello(h)) => Ok(h),
        Ok(other) => Err(format!("{other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Why a single probe produced no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("could not open a connection for the probe: {0} (is the server up and accepting SSL?)")]
    Open(io::Error),
    #[error("writing the ClientHello failed: {0}")]
    Write(io::Error),
    #[error("no complete answer to the ClientHello within {0:?} (raise the timeout for slow links)")]
    Timeout(Duration),
    #[error("reading the server's answer failed: {0}")]
    Read(io::Error),
    #[error(transparent)]
    Parse(#[from] ParseError),
}

/// The meaning of one probe's answer for the version being tested.
#[derive(Debug)]
enum OfferAnswer {
    Accepted(Box<ServerHello>),
    Refused(String),
    Failed(String),
}

/// Counting semaphore bounding open connections.
struct Permits {
    free: Mutex<usize>,
    cv: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.cv.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|p| p.into_inner());
        *free += 1;
        self.0.cv.notify_one();
    }
}

struct Enumeration<'a> {
    connector: &'a dyn Connector,
    opts: &'a ScanOptions,
    permits: Permits,
    handshakes: AtomicU32,
}

/// One hello to send.
struct Offer<'s> {
    version: TlsVersion,
    suites: &'s [CipherSuite],
    groups: Vec<NamedGroup>,
    key_shares: Option<Vec<(NamedGroup, Vec<u8>)>>,
    want: Want,
}

impl<'s> Offer<'s> {
    fn new(version: TlsVersion, suites: &'s [CipherSuite]) -> Self {
        // Every known group, so that a server limited to an unusual one (brainpool, a hybrid
        // post-quantum group) still answers; HelloRetryRequests count as acceptance anyway.
        Offer { version, suites, groups: NamedGroup::known(), key_shares: None, want: Want::ServerHello }
    }
}

impl Enumeration<'_> {
    fn probe(&self, offer: &Offer<'_>) -> Result<Reply, ProbeError> {
        let mut hello_opts = HelloOptions::new(random_bytes());
        hello_opts.sni = self.opts.sni.clone();
        hello_opts.alpn = self.opts.alpn.clone();
        hello_opts.groups = offer.groups.clone();
        if let Some(shares) = &offer.key_shares {
            hello_opts.key_shares = shares.clone();
        }
        let hello =
            ClientHello::for_version(offer.version, offer.suites, &hello_opts, random_bytes(), random_bytes::<32>().to_vec());
        let wire = hello.encode();

        let _permit = self.permits.acquire();
        self.handshakes.fetch_add(1, Ordering::Relaxed);
        let mut stream = self.connector.open().map_err(ProbeError::Open)?;
        stream.set_timeouts(self.opts.timeout).map_err(ProbeError::Open)?;
        stream.write_all(&wire).and_then(|()| stream.flush()).map_err(ProbeError::Write)?;
        let deadline = Instant::now() + self.opts.timeout.saturating_mul(2);
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if Instant::now() > deadline {
                return Err(ProbeError::Timeout(self.opts.timeout));
            }
            match stream.read(&mut chunk) {
                Ok(0) => return Ok(parse_final(&buf, offer.want)?),
                Ok(n) => {
                    buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
                    if let Parsed::Done(reply) = parse_reply(&buf, offer.want)? {
                        return Ok(reply);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    return Err(ProbeError::Timeout(self.opts.timeout));
                }
                // Some servers hang up with a reset instead of a FIN: same as end of stream.
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(parse_final(&buf, offer.want)?),
                Err(e) => return Err(ProbeError::Read(e)),
            }
        }
    }

    fn verdict(&self, offer: &Offer<'_>) -> OfferAnswer {
        match self.probe(offer) {
            Ok(Reply::Hello(h)) => {
                if h.version != offer.version {
                    if h.version < offer.version {
                        OfferAnswer::Refused(format!("server answered with {} instead", h.version))
                    } else {
                        OfferAnswer::Failed(format!("server chose {}, newer than the {} offered", h.version, offer.version))
                    }
                } else if !offer.suites.contains(&h.cipher) {
                    OfferAnswer::Failed(format!("server chose {}, which was not offered", h.cipher))
                } else {
                    OfferAnswer::Accepted(Box::new(h))
                }
            }
            Ok(Reply::Alert(a)) => OfferAnswer::Refused(a.to_string()),
            Ok(Reply::Closed) => OfferAnswer::Refused(CLOSED_SILENTLY.into()),
            Ok(Reply::SslV2 { message_type }) => {
                OfferAnswer::Failed(format!("server answered in SSLv2 format (message type {message_type})"))
            }
            Ok(Reply::Postgres(e)) => OfferAnswer::Failed(format!(
                "the server answered with a PostgreSQL error instead of TLS: {} (SQLSTATE {}); for direct SSL use PostgreSQL 17+, otherwise send SSLRequest first",
                e.message,
                e.code.as_deref().unwrap_or("none")
            )),
            Ok(Reply::NotTls { first_bytes }) => {
                OfferAnswer::Failed(format!("the answer is not TLS (first bytes {first_bytes:02x?}); check host and port"))
            }
            Err(e) => OfferAnswer::Failed(e.to_string()),
        }
    }

    fn enumerate_version(&self, version: TlsVersion, issues: &Mutex<Vec<ScanIssue>>) -> VersionResult {
        let issue = |stage: ScanStage, message: String| {
            issues.lock().unwrap_or_else(|p| p.into_inner()).push(ScanIssue { version, stage, message });
        };
        let mut res = VersionResult {
            version,
            accepted: false,
            ciphers: Vec::new(),
            server_preference: None,
            refused_with: None,
            complete: true,
            handshakes: 0,
            alpn: None,
        };
        let mut remaining = CipherSuite::all_for(version);
        while !remaining.is_empty() {
            res.handshakes += 1;
            match self.verdict(&Offer::new(version, &remaining)) {
                OfferAnswer::Accepted(h) => {
                    if res.ciphers.is_empty() {
                        res.alpn = h.alpn.as_deref().map(|p| String::from_utf8_lossy(p).into_owned());
                    }
                    res.ciphers.push(h.cipher);
                    remaining.retain(|s| *s != h.cipher);
                    if self.opts.versions_only {
                        res.complete = false;
                        break;
                    }
                }
                OfferAnswer::Refused(why) => {
                    res.refused_with = Some(why);
                    break;
                }
                OfferAnswer::Failed(why) => {
                    res.complete = false;
                    issue(ScanStage::Ciphers, why);
                    break;
                }
            }
        }
        res.accepted = !res.ciphers.is_empty();
        if self.opts.check_preference {
            if let [a, b, ..] = res.ciphers[..] {
                let mut picks = Vec::new();
                for order in [[a, b], [b, a]] {
                    res.handshakes += 1;
                    match self.verdict(&Offer::new(version, &order)) {
                        OfferAnswer::Accepted(h) => picks.push(h.cipher),
                        OfferAnswer::Refused(why) | OfferAnswer::Failed(why) => {
                            issue(ScanStage::Preference, why);
                            break;
                        }
                    }
                }
                res.server_preference = match picks[..] {
                    [x, y] if x == y => Some(true),
                    [x, y] if x == a && y == b => Some(false),
                    _ => None,
                };
            }
        }
        res
    }

    /// TLS 1.3: empty key_share, so each answer is a HelloRetryRequest naming a group.
    fn groups_tls13(&self, suites: &[CipherSuite], issues: &Mutex<Vec<ScanIssue>>) -> GroupResult {
        let version = TlsVersion::TLSv1_3;
        let mut res = GroupResult { version, groups: Vec::new(), complete: true, handshakes: 0 };
        let mut remaining = NamedGroup::known();
        while !remaining.is_empty() {
            res.handshakes += 1;
            let offer = Offer { groups: remaining.clone(), key_shares: Some(Vec::new()), ..Offer::new(version, suites) };
            let failure = match self.verdict(&offer) {
                OfferAnswer::Accepted(h) => match h.group {
                    Some(g) if h.hello_retry && remaining.contains(&g) => {
                        res.groups.push(g);
                        remaining.retain(|x| *x != g);
                        continue;
                    }
                    other => format!(
                        "expected a HelloRetryRequest naming one of the offered groups, got {} with group {other:?}",
                        if h.hello_retry { "a HelloRetryRequest" } else { "a ServerHello" }
                    ),
                },
                OfferAnswer::Refused(_) => break,
                OfferAnswer::Failed(why) => why,
            };
            res.complete = false;
            issues.lock().unwrap_or_else(|p| p.into_inner()).push(ScanIssue { version, stage: ScanStage::Groups, message: failure });
            break;
        }
        res
    }

    /// TLS ≤ 1.2: offer only ECDHE suites and read the curve from the ServerKeyExchange.
    /// Also returns the first signature algorithm seen.
    fn groups_ecdhe(
        &self,
        version: TlsVersion,
        suites: &[CipherSuite],
        issues: &Mutex<Vec<ScanIssue>>,
    ) -> (GroupResult, Option<SignatureScheme>) {
        let mut res = GroupResult { version, groups: Vec::new(), complete: true, handshakes: 0 };
        let mut sig = None;
        let mut remaining: Vec<NamedGroup> = NamedGroup::known().into_iter().filter(|g| g.is_ec()).collect();
        while !remaining.is_empty() {
            res.handshakes += 1;
            let offer = Offer { groups: remaining.clone(), want: Want::KeyExchange, ..Offer::new(version, suites) };
            let failure = match self.verdict(&offer) {
                OfferAnswer::Accepted(h) => match h.key_exchange.as_ref().and_then(|k| k.group) {
                    Some(g) if remaining.contains(&g) => {
                        sig = sig.or(h.key_exchange.as_ref().and_then(|k| k.signature));
                        res.groups.push(g);
                        remaining.retain(|x| *x != g);
                        continue;
                    }
                    other => format!("expected a ServerKeyExchange with one of the offered curves, got {other:?}"),
                },
                OfferAnswer::Refused(_) => break,
                OfferAnswer::Failed(why) => why,
            };
            res.complete = false;
            issues.lock().unwrap_or_else(|p| p.into_inner()).push(ScanIssue { version, stage: ScanStage::Groups, message: failure });
            break;
        }
        (res, sig)
    }

    /// One DHE handshake for the prime size (and the signature algorithm if none yet).
    fn dhe_params(
        &self,
        version: TlsVersion,
        suites: &[CipherSuite],
        issues: &Mutex<Vec<ScanIssue>>,
    ) -> (Option<u32>, Option<SignatureScheme>) {
        let offer = Offer { want: Want::KeyExchange, ..Offer::new(version, suites) };
        match self.verdict(&offer) {
            OfferAnswer::Accepted(h) => {
                let kx = h.key_exchange.unwrap_or_default();
                (kx.dh_bits, kx.signature)
            }
            OfferAnswer::Refused(why) | OfferAnswer::Failed(why) => {
                issues.lock().unwrap_or_else(|p| p.into_inner()).push(ScanIssue {
                    version,
                    stage: ScanStage::KeyExchange,
                    message: why,
                });
                (None, None)
            }
        }
    }
}

/// Run the whole scan. Never fails as a whole: per-probe problems land in
/// [`ScanResult::errors`] and mark the affected result incomplete.
pub fn scan(connector: &dyn Connector, opts: &ScanOptions) -> ScanResult {
    let scanner = Enumeration {
        connector,
        opts,
        permits: Permits { free: Mutex::new(opts.max_in_flight.max(1)), cv: Condvar::new() },
        handshakes: AtomicU32::new(0),
    };
    let issues = Mutex::new(Vec::new());
    let mut versions: Vec<VersionResult> = std::thread::scope(|s| {
        let handles: Vec<_> = opts
            .versions
            .iter()
            .map(|&v| {
                let (scanner, issues) = (&scanner, &issues);
                s.spawn(move || scanner.enumerate_version(v, issues))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    versions.sort_by_key(|r| r.version);

    let mut notes = Vec::new();
    if !versions.is_empty() && versions.iter().all(|v| v.refused_with.as_deref() == Some(CLOSED_SILENTLY)) {
        notes.push(pgtls_core::scan::ScanNote::NoTlsAnswer.text());
    }
    let mut result = ScanResult {
        versions,
        groups: Vec::new(),
        signature_algorithm: None,
        dh_bits: None,
        handshakes: 0,
        notes,
        errors: Vec::new(),
    };
    if opts.enumerate_groups {
        let accepted = |v: TlsVersion| result.version(v).filter(|r| r.accepted).map(|r| r.ciphers.clone());
        let tls13 = accepted(TlsVersion::TLSv1_3);
        // The newest pre-1.3 version with accepted suites of each key-exchange kind.
        let pick = |kx: Kx| {
            [TlsVersion::TLSv1_2, TlsVersion::TLSv1_1, TlsVersion::TLSv1_0]
                .into_iter()
                .filter_map(|v| {
                    let suites: Vec<CipherSuite> = accepted(v)?
                        .into_iter()
                        .filter(|c| c.info().is_some_and(|i| i.kx == kx))
                        .collect();
                    (!suites.is_empty()).then_some((v, suites))
                })
                .next()
        };
        let ecdhe = pick(Kx::Ecdhe);
        let dhe = pick(Kx::Dhe);
        let (g13, g12, dh) = std::thread::scope(|s| {
            let sc = &scanner;
            let iss = &issues;
            let h13 = tls13.as_ref().map(|suites| s.spawn(move || sc.groups_tls13(suites, iss)));
            let h12 = ecdhe.as_ref().map(|(v, suites)| s.spawn(move || sc.groups_ecdhe(*v, suites, iss)));
            let hdh = dhe.as_ref().map(|(v, suites)| s.spawn(move || sc.dhe_params(*v, suites, iss)));
            (
                h13.and_then(|h| h.join().ok()),
                h12.and_then(|h| h.join().ok()),
                hdh.and_then(|h| h.join().ok()),
            )
        });
        let mut sig = None;
        if let Some((g, s12)) = g12 {
            result.groups.push(g);
            sig = s12;
        }
        if let Some(g) = g13 {
            result.groups.push(g);
        }
        if let Some((bits, s_dh)) = dh {
            result.dh_bits = bits;
            sig = sig.or(s_dh);
        }
        if ecdhe.as_ref().is_some_and(|(v, _)| *v == TlsVersion::TLSv1_2)
            || dhe.as_ref().is_some_and(|(v, _)| *v == TlsVersion::TLSv1_2)
        {
            result.signature_algorithm = sig;
        }
        if tls13.is_some() {
            result.notes.push(pgtls_core::scan::ScanNote::Tls13Signature.text());
        }
        if result.accepted_versions().iter().all(|v| *v != TlsVersion::TLSv1_2) {
            result.notes.push(pgtls_core::scan::ScanNote::Tls12Only.text());
        }
    }
    result.handshakes = scanner.handshakes.load(Ordering::Relaxed);
    result.errors = issues.into_inner().unwrap_or_else(|p| p.into_inner());
    result
}

/// `N` unpredictable bytes for client randoms, session ids and throwaway key shares. Read from
/// /dev/urandom; where that is unavailable, a clock-seeded xorshift (these values only need to
/// look random to the server, they protect no secret: the handshake is never finished).
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut out)).is_ok() {
        return out;
    }
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos ^ (u64::from(COUNTER.fetch_add(1, Ordering::Relaxed)) << 32) | 1;
    for b in out.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    /// A fake TLS server that answers ClientHellos the way OpenSSL does, for the algorithm.
    #[derive(Debug, Clone)]
    struct MockServer {
        versions: Vec<TlsVersion>,
        /// Server preference order.
        suites: Vec<CipherSuite>,
        server_preference: bool,
        groups: Vec<NamedGroup>,
        /// Garbage to answer instead of TLS.
        raw_reply: Option<Vec<u8>>,
    }

    struct MockConnector {
        server: MockServer,
        open_now: Arc<AtomicUsize>,
        open_max: Arc<AtomicUsize>,
        fail_open: bool,
    }

    struct MockStream {
        server: MockServer,
        input: Vec<u8>,
        output: Option<io::Cursor<Vec<u8>>>,
        open_now: Arc<AtomicUsize>,
    }

    impl Drop for MockStream {
        fn drop(&mut self) {
            self.open_now.fetch_sub(1, Ordering::SeqCst);
        }
    }

    impl ReadWrite for MockStream {}

    impl Write for MockStream {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.input.extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Read for MockStream {
        fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
            if self.output.is_none() {
                let reply = match &self.server.raw_reply {
                    Some(r) => r.clone(),
                    None => answer(&self.server, &parse_client_hello(&self.input)),
                };
                self.output = Some(io::Cursor::new(reply));
            }
            self.output.as_mut().map_or(Ok(0), |c| c.read(b))
        }
    }

    impl Connector for MockConnector {
        fn open(&self) -> io::Result<Box<dyn ReadWrite + Send>> {
            if self.fail_open {
                return Err(io::Error::new(io::ErrorKind::ConnectionRefused, "connection refused"));
            }
            let now = self.open_now.fetch_add(1, Ordering::SeqCst) + 1;
            self.open_max.fetch_max(now, Ordering::SeqCst);
            // Linger a little so that concurrent probes overlap.
            std::thread::sleep(Duration::from_millis(2));
            Ok(Box::new(MockStream {
                server: self.server.clone(),
                input: Vec::new(),
                output: None,
                open_now: self.open_now.clone(),
            }))
        }
    }

    fn connector(server: MockServer) -> MockConnector {
        MockConnector {
            server,
            open_now: Arc::new(AtomicUsize::new(0)),
            open_max: Arc::new(AtomicUsize::new(0)),
            fail_open: false,
        }
    }

    #[derive(Debug, Default)]
    struct Hello {
        legacy: u16,
        suites: Vec<u16>,
        versions: Vec<u16>,
        groups: Vec<u16>,
        shares: Vec<u16>,
        alpn: Option<Vec<u8>>,
    }

    fn be16(b: &[u8]) -> Vec<u16> {
        b.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect()
    }

    fn parse_client_hello(w: &[u8]) -> Hello {
        let b = &w[9..];
        let mut h = Hello { legacy: u16::from_be_bytes([b[0], b[1]]), ..Hello::default() };
        let mut p = 34;
        p += 1 + b[p] as usize;
        let n = u16::from_be_bytes([b[p], b[p + 1]]) as usize;
        h.suites = be16(&b[p + 2..p + 2 + n]);
        p += 2 + n;
        p += 1 + b[p] as usize;
        if p >= b.len() {
            return h;
        }
        p += 2;
        while p < b.len() {
            let t = u16::from_be_bytes([b[p], b[p + 1]]);
            let n = u16::from_be_bytes([b[p + 2], b[p + 3]]) as usize;
            let d = &b[p + 4..p + 4 + n];
            match t {
                43 => h.versions = be16(&d[1..]),
                10 => h.groups = be16(&d[2..]),
                16 => h.alpn = Some(d[3..3 + d[2] as usize].to_vec()),
                51 => {
                    let mut q = 2;
                    while q < d.len() {
                        h.shares.push(u16::from_be_bytes([d[q], d[q + 1]]));
                        q += 4 + u16::from_be_bytes([d[q + 2], d[q + 3]]) as usize;
                    }
                }
                _ => {}
            }
            p += 4 + n;
        }
        h
    }

    fn record(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ, 3, 3];
        v.extend_from_slice(&(body.len() as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![typ];
        v.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        v.extend_from_slice(body);
        v
    }

    fn answer(s: &MockServer, h: &Hello) -> Vec<u8> {
        let alert = |d: u8| record(21, &[2, d]);
        let version = if h.versions.is_empty() {
            s.versions.iter().filter(|v| v.0 <= h.legacy).max().copied()
        } else {
            s.versions.iter().filter(|v| h.versions.contains(&v.0)).max().copied()
        };
        let Some(version) = version else { return alert(70) };
        let common_group = s.groups.iter().find(|g| h.groups.contains(&g.0)).copied();
        let usable = |c: &CipherSuite| {
            s.suites.contains(c)
                && h.suites.contains(&c.0)
                && c.info().is_some_and(|i| i.usable_in(version))
                && (c.info().is_some_and(|i| i.kx != Kx::Ecdhe) || common_group.is_some())
        };
        let suite = if s.server_preference {
            s.suites.iter().find(|c| usable(c)).copied()
        } else {
            h.suites.iter().map(|&c| CipherSuite(c)).find(|c| usable(c))
        };
        let Some(suite) = suite else { return alert(40) };
        let mut random = [7u8; 32];
        let mut exts: Vec<u8> = Vec::new();
        let mut flight = Vec::new();
        if version == TlsVersion::TLSv1_3 {
            let Some(g) = common_group else { return alert(40) };
            exts.extend_from_slice(&[0, 43, 0, 2, 3, 4, 0, 51]);
            if h.shares.contains(&g.0) {
                exts.extend_from_slice(&[0, 6]);
                exts.extend_from_slice(&g.0.to_be_bytes());
                exts.extend_from_slice(&[0, 2, 9, 9]);
            } else {
                random = crate::tls::scan::parse::HRR_RANDOM;
                exts.extend_from_slice(&[0, 2]);
                exts.extend_from_slice(&g.0.to_be_bytes());
            }
        }
        // TLS 1.3 sends ALPN in the encrypted EncryptedExtensions, not in the ServerHello.
        if let (Some(p), true) = (&h.alpn, version < TlsVersion::TLSv1_3) {
            exts.extend_from_slice(&[0, 16, 0, p.len() as u8 + 3, 0, p.len() as u8 + 1, p.len() as u8]);
            exts.extend_from_slice(p);
        }
        let mut sh = version.0.min(0x0303).to_be_bytes().to_vec();
        sh.extend_from_slice(&random);
        sh.push(0);
        sh.extend_from_slice(&suite.0.to_be_bytes());
        sh.push(0);
        sh.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        sh.extend_from_slice(&exts);
        flight.extend_from_slice(&handshake(2, &sh));
        if version < TlsVersion::TLSv1_3 {
            flight.extend_from_slice(&handshake(11, &[0, 0, 0]));
            let sig: &[u8] = if version == TlsVersion::TLSv1_2 { &[8, 4, 0, 1, 0] } else { &[0, 1, 0] };
            match suite.info().map(|i| i.kx) {
                Some(Kx::Ecdhe) => {
                    let g = common_group.unwrap_or(NamedGroup(0));
                    let mut ske = vec![3];
                    ske.extend_from_slice(&g.0.to_be_bytes());
                    ske.extend_from_slice(&[1, 4]);
                    ske.extend_from_slice(sig);
                    flight.extend_from_slice(&handshake(12, &ske));
                }
                Some(Kx::Dhe) => {
                    let mut ske = vec![0, 128];
                    ske.extend_from_slice(&[0xC3; 128]);
                    ske.extend_from_slice(&[0, 1, 2, 0, 1, 5]);
                    ske.extend_from_slice(sig);
                    flight.extend_from_slice(&handshake(12, &ske));
                }
                _ => {}
            }
            flight.extend_from_slice(&handshake(14, &[]));
        }
        record(22, &flight)
    }

    fn modern_server() -> MockServer {
        MockServer {
            versions: vec![TlsVersion::TLSv1_2, TlsVersion::TLSv1_3],
            suites: vec![
                CipherSuite::TLS_AES_256_GCM_SHA384,
                CipherSuite::TLS_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
            ],
            server_preference: true,
            groups: vec![NamedGroup::secp256r1, NamedGroup::x25519],
            raw_reply: None,
        }
    }

    #[test]
    fn enumerates_versions_suites_groups() {
        let c = connector(modern_server());
        let r = scan(&c, &ScanOptions::default());
        let names = |v| r.version(v).map(|x| x.ciphers.iter().map(|c| c.openssl_name()).collect::<Vec<_>>());
        assert_eq!(r.accepted_versions(), vec![TlsVersion::TLSv1_2, TlsVersion::TLSv1_3]);
        assert_eq!(
            names(TlsVersion::TLSv1_2),
            Some(vec!["ECDHE-RSA-AES256-GCM-SHA384".into(), "ECDHE-RSA-AES128-GCM-SHA256".into(), "AES256-SHA".into()])
        );
        assert_eq!(
            names(TlsVersion::TLSv1_3),
            Some(vec!["TLS_AES_256_GCM_SHA384".into(), "TLS_AES_128_GCM_SHA256".into()])
        );
        let v12 = r.version(TlsVersion::TLSv1_2).cloned().unwrap();
        assert_eq!((v12.server_preference, v12.complete, v12.handshakes), (Some(true), true, 3 + 1 + 2));
        let v10 = r.version(TlsVersion::TLSv1_0).cloned().unwrap();
        assert_eq!((v10.accepted, v10.refused_with.as_deref()), (false, Some("fatal protocol_version(70)")));
        assert_eq!(r.groups.len(), 2);
        assert_eq!(r.groups[0].groups, vec![NamedGroup::secp256r1, NamedGroup::x25519]);
        assert_eq!(r.groups[1].version, TlsVersion::TLSv1_3);
        assert_eq!(r.groups[1].groups, vec![NamedGroup::secp256r1, NamedGroup::x25519]);
        assert_eq!(r.signature_algorithm, Some(SignatureScheme(0x0804)));
        // 3 refused versions + TLS 1.2 (3 suites + 1 refusal + 2 preference) + TLS 1.3 (2 + 1 + 2)
        // + groups (2 + 1 for each of 1.2 and 1.3).
        assert_eq!(r.handshakes, 3 + 6 + 5 + 3 + 3);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert!(c.open_max.load(Ordering::SeqCst) <= 4);

        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["versions"][3]["version"], "TLSv1.2");
        assert_eq!(json["versions"][3]["accepted"], true);
        assert_eq!(json["versions"][3]["ciphers"][0], "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        assert_eq!(json["versions"][0]["version"], "SSLv3");
        assert_eq!(json["versions"][1]["version"], "TLSv1");
        assert_eq!(json["groups"][1]["groups"][0], "secp256r1");
        assert_eq!(json["signature_algorithm"], "rsa_pss_rsae_sha256");
    }

    #[test]
    fn alpn_is_reported() {
        let opts = ScanOptions { alpn: vec![b"postgresql".to_vec()], ..ScanOptions::default() };
        let r = scan(&connector(modern_server()), &opts);
        let alpn: Vec<Option<&str>> = r.versions.iter().map(|v| v.alpn.as_deref()).collect();
        assert_eq!(alpn, vec![None, None, None, Some("postgresql"), None]);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["versions"][3]["alpn"], "postgresql");
        assert!(json["versions"][0].get("alpn").is_none());
    }

    #[test]
    fn client_preference_and_old_versions() {
        let server = MockServer {
            versions: vec![TlsVersion::SSLv3, TlsVersion::TLSv1_0],
            suites: vec![CipherSuite::TLS_RSA_WITH_3DES_EDE_CBC_SHA, CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA],
            server_preference: false,
            groups: vec![],
            raw_reply: None,
        };
        let opts = ScanOptions { max_in_flight: 1, ..ScanOptions::default() };
        let c = connector(server);
        let r = scan(&c, &opts);
        assert_eq!(r.accepted_versions(), vec![TlsVersion::SSLv3, TlsVersion::TLSv1_0]);
        let s3 = r.version(TlsVersion::SSLv3).cloned().unwrap();
        assert_eq!(s3.server_preference, Some(false));
        assert_eq!(s3.ciphers.len(), 2);
        // A TLS 1.1 hello is answered with TLS 1.0: refused for 1.1.
        let v11 = r.version(TlsVersion::TLSv1_1).cloned().unwrap();
        assert_eq!(v11.refused_with.as_deref(), Some("server answered with TLSv1 instead"));
        assert_eq!(c.open_max.load(Ordering::SeqCst), 1);
        assert!(r.groups.is_empty());
        assert_eq!(r.signature_algorithm, None);
    }

    #[test]
    fn dhe_prime_size_is_reported() {
        let mut server = modern_server();
        server.suites = vec![CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256];
        let r = scan(&connector(server), &ScanOptions::default());
        assert_eq!(r.dh_bits, Some(1024));
        assert_eq!(r.signature_algorithm, Some(SignatureScheme(0x0804)));
    }

    #[test]
    fn failures_are_reported_not_counted_as_refusals() {
        fn check(reply: Option<Vec<u8>>, fail_open: bool, expected: &str) {
            let mut c = connector(MockServer { raw_reply: reply, ..modern_server() });
            c.fail_open = fail_open;
            let r = scan(&c, &ScanOptions::default());
            assert!(r.accepted_versions().is_empty());
            assert_eq!(r.errors.len(), 5, "{:?}", r.errors);
            assert!(r.versions.iter().all(|v| !v.complete && v.refused_with.is_none()));
            assert!(r.errors[0].message.contains(expected), "{} does not contain {expected}", r.errors[0].message);
        }
        check(None, true, "could not open a connection");
        check(Some(b"HTTP/1.0 400 Bad Request\r\n\r\n".to_vec()), false, "not TLS");
        let mut pg = vec![b'E', 0, 0, 0, 17];
        pg.extend_from_slice(b"C08P01\0Mbad\0\0");
        check(Some(pg), false, "PostgreSQL error instead of TLS: bad (SQLSTATE 08P01)");
        check(Some(vec![22, 3, 3, 0, 9, 2]), false, "closed after 6 bytes");
    }

    #[test]
    fn stalled_server_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut req = [0u8; 8];
            s.read_exact(&mut req).unwrap();
            s.write_all(b"S").unwrap();
            // Read the hello, then say nothing until the client gives up.
            let mut hello = [0u8; 5];
            s.read_exact(&mut hello).unwrap();
            std::thread::sleep(Duration::from_millis(1500));
            hello
        });
        let c = crate::net::TlsStart {
            addrs: vec![addr],
            endpoint: addr.to_string(),
            direct: false,
            timeouts: crate::net::Timeouts::default(),
        };
        let opts = ScanOptions {
            timeout: Duration::from_millis(200),
            versions: vec![TlsVersion::TLSv1_2],
            ..ScanOptions::default()
        };
        let start = Instant::now();
        let r = scan(&c, &opts);
        assert!(start.elapsed() < Duration::from_secs(3));
        assert_eq!(r.handshakes, 1);
        assert!(r.errors[0].message.contains("no complete answer"), "{:?}", r.errors);
        // The probe sent a handshake record with record version 3.1.
        assert_eq!(&server.join().unwrap()[..3], &[22, 3, 1]);
    }

    #[test]
    fn silent_close_is_a_refusal() {
        let c = connector(MockServer { raw_reply: Some(Vec::new()), ..modern_server() });
        let r = scan(&c, &ScanOptions::default());
        assert!(r.errors.is_empty());
        assert!(r
            .versions
            .iter()
            .all(|v| v.complete && v.refused_with.as_deref() == Some(CLOSED_SILENTLY)));
        assert_eq!(r.handshakes, 5);
        assert!(r.notes[0].contains("not expecting TLS"), "{:?}", r.notes);
    }
}
