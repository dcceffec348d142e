//! The only socket code: resolve, connect and PostgreSQL's SSL negotiation, every step
//! under a timeout, every failure naming its step.
//!
//! Every connection is a [`Conn`] (see `conn`): per-read timeout, a deadline for the whole
//! exchange ([`Timeouts::total`]) and a budget of bytes read.

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use crate::wire::{self, ErrorResponse, SslReply};

pub use pgtls_core::gathered::net::{FailureKind, Negotiated, NetError, ServerParams, Step};

/// Timeouts for each network step.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// One read or write.
    pub io: Duration,
    /// One whole connection, from connect to close.
    pub total: Duration,
}

impl Timeouts {
    /// `--timeout T`: T to connect and per read or write, 3 T for a whole connection.
    pub fn uniform(t: Duration) -> Timeouts {
        Timeouts { connect: t, io: t, total: t * 3 }
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::uniform(Duration::from_secs(5))
    }
}

pub use crate::conn::{Bound, Conn, MAX_READ_PER_CONNECTION};

/// Resolve `host` (a name or IP literal) under a timeout. The system resolver has none of
/// its own, so it runs on a helper thread that is abandoned if it stalls.
pub fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, NetError> {
    let endpoint = format!("{host}:{port}");
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = mpsc::channel();
    let h = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send((h.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Refused,
            endpoint,
            message: format!("host name \"{host}\" has no addresses"),
            addr: None,
        }),
        Ok(Err(e)) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Refused,
            endpoint,
            message: format!("could not translate host name \"{host}\" to address: {e}"),
            addr: None,
        }),
        Err(_) => Err(NetError {
            step: Step::Resolve,
            kind: FailureKind::Timeout,
            endpoint,
            message: "name resolution did not finish before the timeout".into(),
            addr: None,
        }),
    }
}

/// Connect to the first address that answers; the connection's bounds start now.
pub fn connect(addrs: &[SocketAddr], endpoint: &str, t: Timeouts) -> Result<Conn, NetError> {
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, t.connect) {
            Ok(s) => {
                return s.set_nodelay(true).map(|_| Conn::new(s, t.io, t.total)).map_err(|e| NetError::from_io(Step::Connect, endpoint, &e));
            }
            Err(e) => last = Some(NetError { addr: Some(addr.ip().to_string()), ..NetError::from_io(Step::Connect, endpoint, &e) }),
        }
    }
    Err(last.unwrap_or_else(|| NetError {
        step: Step::Connect,
        kind: FailureKind::Refused,
        endpoint: endpoint.to_string(),
        message: "no address to connect to".into(),
        addr: None,
    }))
}

/// Send SSLRequest and read the one-byte answer (and an ErrorResponse if one follows).
pub fn ssl_request(stream: &mut Conn, endpoint: &str) -> Result<Negotiated, NetError> {
    stream
        .write_all(&wire::SSL_REQUEST)
        .and_then(|_| stream.flush())
        .map_err(|e| NetError::from_io(Step::SslRequest, endpoint, &e))?;
    let mut b = [0u8; 1];
    stream.read_exact(&mut b).map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e))?;
    Ok(match SslReply::from_byte(b[0]) {
        SslReply::Accept => Negotiated::Accept,
        SslReply::Refuse => Negotiated::Refuse,
        SslReply::Error => {
            let mut len = [0u8; 4];
            let read = stream.read_exact(&mut len).map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e));
            let error = match read.and_then(|_| {
                ErrorResponse::body_len(len).map_err(|e| NetError {
                    step: Step::SslReply,
                    kind: FailureKind::Other,
                    endpoint: endpoint.into(),
                    message: e.to_string(),
                    addr: None,
                })
            }) {
                Ok(n) => {
                    let mut body = vec![0u8; n];
                    stream
                        .read_exact(&mut body)
                        .map_err(|e| NetError::from_io(Step::SslReply, endpoint, &e))?;
                    ErrorResponse::parse(&body)
                }
                Err(e) => ErrorResponse { message: format!("(unreadable error response: {})", e.message), ..Default::default() },
            };
            Negotiated::Error { error }
        }
        SslReply::Unexpected(byte) => {
            // Read whatever else is waiting (bounded) so the report can show what answered.
            let mut more = [0u8; 64];
            stream.set_io(Duration::from_millis(200));
            let n = stream.read(&mut more).unwrap_or(0);
            let mut all = vec![byte];
            all.extend_from_slice(&more[..n]);
            let preview = all
                .iter()
                .map(|&c| if c.is_ascii_graphic() || c == b' ' { c as char } else { '.' })
                .collect();
            Negotiated::Unexpected { byte, preview }
        }
    })
}

/// Backend messages read one at a time from a stream (TLS or plain), with a size limit.
struct BackendReader {
    buf: Vec<u8>,
}

impl BackendReader {
    fn next<S: Read>(&mut self, stream: &mut S) -> io::Result<wire::startup::Backend> {
        use wire::startup::{parse_backend, MAX_BACKEND_MESSAGE};
        let mut chunk = [0u8; 8192];
        loop {
            if let Some((msg, used)) = parse_backend(&self.buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))? {
                self.buf.drain(..used);
                return Ok(msg);
            }
            if self.buf.len() > MAX_BACKEND_MESSAGE {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "the server's answer to the startup message is too large"));
            }
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

fn send<S: Write>(stream: &mut S, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)?;
    stream.flush()
}

fn goodbye<S: Write>(stream: &mut S) {
    let _ = send(stream, &wire::startup::TERMINATE);
}

/// Send a StartupMessage over `stream` (TLS or plain) and read the server's answer up to the
/// authentication request or an ErrorResponse, skipping notices. Never sends a password: on an
/// authentication request that needs one, the caller decides (by default it stops there).
/// After AuthenticationOk the server still checks the role and database (a missing role under
/// `trust` fails there), so that answer is only final at ReadyForQuery or an error; and a
/// pooler may answer the login from its own cache, so at ReadyForQuery one read-only
/// `SELECT 1` follows (`first_query`), the answer's third part.
pub fn startup_exchange<S: Read + Write>(
    stream: &mut S,
    params: &[(&str, &str)],
) -> io::Result<(wire::startup::Backend, ServerParams, Option<QueryAnswer>)> {
    use wire::startup::{AuthRequest, Backend};
    send(stream, &wire::startup::startup_message(params))?;
    let mut reader = BackendReader { buf: Vec::new() };
    let mut authenticated = None;
    let mut reported = ServerParams::new();
    let mut query = None;
    let done = loop {
        match reader.next(stream)? {
            msg @ Backend::Auth(AuthRequest::Ok) => authenticated = Some(msg),
            Backend::Parameter { name, value } => {
                reported.insert(name, value);
            }
            Backend::Other(b'Z') => {
                if let Some(ok) = authenticated.take() {
                    query = Some(first_query(stream, &mut reader));
                    break ok;
                }
            }
            Backend::Other(_) => {}
            other => break other,
        }
    };
    goodbye(stream);
    Ok((done, reported, query))
}

/// What the first query after ReadyForQuery got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryAnswer {
    /// The rows and ReadyForQuery came back: something behind the login really answered.
    /// `behind`: the row of [`BEHIND`], when the server answered that too.
    Answered { behind: Option<Vec<Option<String>>> },
    /// An ErrorResponse (a pooler that cannot reach its server: `query_wait_timeout`,
    /// `server login has been failing …`).
    Error(wire::ErrorResponse),
    /// No answer within the read timeout, or the connection closed.
    Failed { timed_out: bool, message: String },
}

/// Run one read-only `SELECT 1` and read to the next ReadyForQuery. A server always answers it
/// at once; a pooler that answered the login from its pool needs a server connection here,
/// and its failure to get one shows only now (psql fails on its first query, not at login).
fn first_query<S: Read + Write>(stream: &mut S, reader: &mut BackendReader) -> QueryAnswer {
    use wire::startup::Backend;
    if let Err(e) = send(stream, &wire::startup::query_message("SELECT 1")) {
        return QueryAnswer::Failed { timed_out: is_timeout(&e), message: e.to_string() };
    }
    let mut error = None;
    loop {
        match reader.next(stream) {
            Ok(Backend::Error(e)) => error = Some(e),
            Ok(Backend::Other(b'Z')) => {
                return match error {
                    Some(e) => QueryAnswer::Error(e),
                    None => QueryAnswer::Answered { behind: behind(stream, reader) },
                }
            }
            Ok(_) => {}
            // A FATAL error is followed by the close: the error is the answer.
            Err(e) => {
                return match error {
                    Some(error) => QueryAnswer::Error(error),
                    None => QueryAnswer::Failed { timed_out: is_timeout(&e), message: e.to_string() },
                }
            }
        }
    }
}

/// What the server behind the address says of this session, read-only: the port it listens
/// on, its `ssl` setting, whether its side of this session is TLS (`pg_stat_ssl`), and the
/// address it sees the client at. Through a pooler or proxy these are the server's, not the
/// hop's: a port other than the one dialled, `ssl = on` behind an 'N', or a session without
/// TLS behind a verified TLS connection name the hop. Servers that are not PostgreSQL
/// enough to answer (no pg_stat_ssl) just leave it unknown.
pub const BEHIND: &str = "SELECT inet_server_port(), current_setting('ssl'), (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), host(inet_client_addr())";

fn behind<S: Read + Write>(stream: &mut S, reader: &mut BackendReader) -> Option<Vec<Option<String>>> {
    use wire::startup::Backend;
    send(stream, &wire::startup::query_message(BEHIND)).ok()?;
    let mut row = None;
    let mut failed = false;
    loop {
        match reader.next(stream).ok()? {
            Backend::Row(r) => row = Some(r),
            Backend::Error(_) => failed = true,
            Backend::Other(b'Z') => return row.filter(|_| !failed),
            _ => {}
        }
    }
}

pub(crate) fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}


/// What the client answers SCRAM with, as libpq's `channel_binding` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelBindingMode {
    Disable,
    Prefer,
    Require,
}

/// A password and how to use it. The caller has checked that the stream is a TLS session
/// whose certificate passed the client's own rules.
pub struct Credentials<'a> {
    pub user: &'a str,
    /// None: none was given (a server that asks for one is answered as libpq does).
    pub password: Option<&'a str>,
    pub channel_binding: ChannelBindingMode,
    /// `tls-server-end-point` data of the session (the hash of the server's certificate).
    pub end_point: Option<Vec<u8>>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("password", &"********").finish_non_exhaustive()
    }
}

/// How authentication ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthAnswer {
    /// ReadyForQuery: the client is in. `method` is the request that was answered; `params`
    /// what the server reported on the way.
    Accepted { method: wire::startup::AuthRequest, params: ServerParams, query: QueryAnswer },
    /// Refused by the server, or given up by the client.
    Stopped(LoginStopped),
}

/// Why a login did not reach ReadyForQuery: the server refused, or the client gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginStopped {
    /// The server's ErrorResponse (wrong password, missing role …).
    Refused(wire::ErrorResponse),
    /// The client gives up, with libpq's words (channel binding required but not offered …).
    ClientGaveUp(String),
}

/// Run the startup phase to the end with `creds`: StartupMessage, the server's method
/// (cleartext, MD5 or SCRAM-SHA-256, with channel binding where libpq would use it), then
/// ReadyForQuery or an error. Sends Terminate at the end.
pub fn authenticate<S: Read + Write>(stream: &mut S, params: &[(&str, &str)], creds: &Credentials) -> io::Result<AuthAnswer> {
    let mut reader = BackendReader { buf: Vec::new() };
    let answer = match login(stream, &mut reader, params, creds)? {
        Login::Ready { method, params } => {
            let query = first_query(stream, &mut reader);
            AuthAnswer::Accepted { method, params, query }
        }
        Login::Stopped(refusal) => AuthAnswer::Stopped(refusal),
    };
    goodbye(stream);
    Ok(answer)
}

/// How a login ended: at ReadyForQuery, or with what the server or the client said.
enum Login {
    Ready { method: wire::startup::AuthRequest, params: ServerParams },
    Stopped(LoginStopped),
}

/// StartupMessage and the authentication exchange, up to ReadyForQuery or an error.
fn login<S: Read + Write>(stream: &mut S, reader: &mut BackendReader, params: &[(&str, &str)], creds: &Credentials) -> io::Result<Login> {
    use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
    use wire::startup::{password_message, password_payload, sasl_initial_response, AuthRequest, Backend};
    send(stream, &wire::startup::startup_message(params))?;
    let mut method = AuthRequest::Ok;
    let mut reported = ServerParams::new();
    let mut scram: Option<ScramSha256> = None;
    let stop = |r: LoginStopped| Ok(Login::Stopped(r));
    // libpq's words when the server asks for a password and none was given.
    let no_password = || LoginStopped::ClientGaveUp("fe_sendauth: no password supplied".into());
    loop {
        match reader.next(stream)? {
            Backend::Auth(AuthRequest::Ok) => {}
            Backend::Auth(r @ AuthRequest::Cleartext) => {
                let Some(password) = creds.password else { return stop(no_password()) };
                method = r;
                send(stream, &password_message(&password_payload(password)))?;
            }
            Backend::Auth(r @ AuthRequest::Md5 { salt }) => {
                let Some(password) = creds.password else { return stop(no_password()) };
                method = r;
                let hash = postgres_protocol::authentication::md5_hash(creds.user.as_bytes(), password.as_bytes(), salt);
                send(stream, &password_message(&password_payload(&hash)))?;
            }
            Backend::Auth(AuthRequest::Sasl { mechanisms }) => {
                let Some(password) = creds.password else { return stop(no_password()) };
                let plus = mechanisms.iter().any(|m| m == "SCRAM-SHA-256-PLUS");
                let (mechanism, binding) = match (&creds.end_point, creds.channel_binding) {
                    (Some(ep), ChannelBindingMode::Prefer | ChannelBindingMode::Require) if plus => {
                        ("SCRAM-SHA-256-PLUS", ChannelBinding::tls_server_end_point(ep.clone()))
                    }
                    (_, ChannelBindingMode::Require) => {
                        return stop(LoginStopped::ClientGaveUp(
                            "channel binding is required, but server did not offer an authentication method that supports channel binding".into(),
                        ))
                    }
                    // libpq with TLS says "y": it could bind, the server did not offer it.
                    (Some(_), ChannelBindingMode::Prefer) => ("SCRAM-SHA-256", ChannelBinding::unsupported()),
                    _ => ("SCRAM-SHA-256", ChannelBinding::unrequested()),
                };
                if !mechanisms.iter().any(|m| m == mechanism) {
                    return stop(LoginStopped::ClientGaveUp("none of the server's SASL authentication mechanisms are supported".into()));
                }
                method = AuthRequest::Sasl { mechanisms: vec![mechanism.to_string()] };
                let s = ScramSha256::new(password.as_bytes(), binding);
                send(stream, &sasl_initial_response(mechanism, s.message()))?;
                scram = Some(s);
            }
            Backend::Sasl { last: false, data } => {
                let Some(s) = scram.as_mut() else { return stop(LoginStopped::ClientGaveUp("unexpected SASL message".into())) };
                s.update(&data).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                send(stream, &password_message(s.message()))?;
            }
            Backend::Sasl { last: true, data } => {
                let Some(s) = scram.as_mut() else { return stop(LoginStopped::ClientGaveUp("unexpected SASL message".into())) };
                if s.finish(&data).is_err() {
                    return stop(LoginStopped::ClientGaveUp("invalid SCRAM server signature".into()));
                }
            }
            Backend::Auth(other) => return stop(LoginStopped::ClientGaveUp(format!("authentication method {} is not supported by pgtls", other.method()))),
            Backend::Error(e) => return stop(LoginStopped::Refused(e)),
            Backend::Parameter { name, value } => {
                reported.insert(name, value);
            }
            Backend::Other(b'Z') => return Ok(Login::Ready { method, params: reported }),
            Backend::Other(_) | Backend::Row(_) => {}
        }
    }
}

/// A logged-in session for read-only SQL (the `sessions` command's queries), over TLS or not.
/// Every read and write goes through the stream's own bounds ([`Conn`]).
pub struct QuerySession<S: Read + Write> {
    stream: S,
    reader: BackendReader,
}

/// One query's rows, each column as the server's text (None for NULL), or the server's error.
pub type QueryRows = Result<Vec<Vec<Option<String>>>, wire::ErrorResponse>;

impl<S: Read + Write> QuerySession<S> {
    /// Log in over `stream` (StartupMessage and authentication); the server's or the client's
    /// refusal otherwise.
    pub fn open(mut stream: S, params: &[(&str, &str)], creds: &Credentials) -> io::Result<Result<Self, LoginStopped>> {
        let mut reader = BackendReader { buf: Vec::new() };
        Ok(match login(&mut stream, &mut reader, params, creds)? {
            Login::Ready { .. } => Ok(QuerySession { stream, reader }),
            Login::Stopped(refusal) => {
                goodbye(&mut stream);
                Err(refusal)
            }
        })
    }

    /// Run one statement with the simple query protocol and read to ReadyForQuery.
    pub fn query(&mut self, sql: &str) -> io::Result<QueryRows> {
        use wire::startup::Backend;
        send(&mut self.stream, &wire::startup::query_message(sql))?;
        let (mut rows, mut error) = (Vec::new(), None);
        loop {
            match self.reader.next(&mut self.stream)? {
                Backend::Row(r) => rows.push(r),
                Backend::Error(e) => error = Some(e),
                Backend::Other(b'Z') => return Ok(error.map_or(Ok(rows), Err)),
                _ => {}
            }
        }
    }

    /// Terminate, and hand back the stream (a TLS session still has its close to send).
    pub fn close(mut self) -> S {
        goodbye(&mut self.stream);
        self.stream
    }
}

/// Opens fresh connections positioned where a ClientHello goes: after `S` to an SSLRequest,
/// or at once for direct SSL. The raw-handshake scanner uses one connection per probe.
#[derive(Debug, Clone)]
pub struct TlsStart {
    pub addrs: Vec<SocketAddr>,
    pub endpoint: String,
    pub direct: bool,
    pub timeouts: Timeouts,
}

impl crate::tls::scan::Connector for TlsStart {
    fn open(&self) -> io::Result<Box<dyn crate::tls::scan::ReadWrite + Send>> {
        let as_io = |e: NetError| {
            let kind = match e.kind {
                FailureKind::Timeout => io::ErrorKind::TimedOut,
                FailureKind::Closed => io::ErrorKind::UnexpectedEof,
                FailureKind::Refused => io::ErrorKind::ConnectionRefused,
                FailureKind::Other => io::ErrorKind::Other,
            };
            io::Error::new(kind, e.to_string())
        };
        let mut sock = connect(&self.addrs, &self.endpoint, self.timeouts).map_err(as_io)?;
        if !self.direct {
            match ssl_request(&mut sock, &self.endpoint).map_err(as_io)? {
                Negotiated::Accept => {}
                other => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} did not accept the SSLRequest: {other:?}", self.endpoint),
                    ))
                }
            }
        }
        Ok(Box::new(sock))
    }
}
