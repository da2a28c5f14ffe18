//! TLS over byte streams: the sans-IO machines of handshake-tls
//! ([`ClientConnection`], [`ServerConnection`]) driven over a tokio stream
//! ([`TlsStream`]: `AsyncRead + AsyncWrite`) or a blocking one
//! ([`blocking::TlsStream`]: `Read + Write`).
//!
//! This is where the clock and the OS CSPRNG come in: [`TlsStream::connect`]
//! and [`TlsStream::accept`] give the machine the system time (for
//! certificate validity) and `OsRng` (for randoms and key shares). A caller
//! that wants its own clock or RNG builds the connection itself and hands it
//! to [`TlsStream::new`].
//!
//! Errors are typed ([`TlsError`]); through the `io` traits they arrive as
//! an [`std::io::Error`] carrying the [`TlsError`] (see
//! [`TlsError::from_io`]): a protocol failure is `InvalidData` (the alert
//! the RFC names has been sent), a peer that closes without close_notify is
//! `UnexpectedEof` (RFC 8446 §6.1: the data may have been truncated).
//!
//! Buffering is bounded: the socket is read only when every decrypted byte
//! has been handed to the application, [`READ_CHUNK`] bytes at a time, and a
//! write accepts at most [`MAX_WRITE`] bytes and waits until the previous
//! records have gone out.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use handshake_io::tls::TlsStream;
//! use handshake_tls::ClientConfig;
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let config = Arc::new(ClientConfig::new(Vec::new())); // add trust anchors
//! let tcp = tokio::net::TcpStream::connect("127.0.0.1:8443").await?;
//! let mut tls = TlsStream::connect(config, "localhost", tcp).await?;
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").await?;
//! let mut reply = Vec::new();
//! tls.read_to_end(&mut reply).await?;
//! # Ok(()) }
//! ```

pub mod blocking;
mod stream;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use handshake_tls::{ClientConfig, ClientConnection, Event, ServerConfig, ServerConnection};
use rand::rngs::OsRng;

pub use stream::TlsStream;

/// Bytes read from the socket at a time: one largest TLS 1.2 record
/// (2^14 + 2048 + 5), so a record never needs more than two reads.
pub const READ_CHUNK: usize = (1 << 14) + 2048 + 5;

/// The most plaintext one write accepts (the rest is left to the next).
pub const MAX_WRITE: usize = 64 * 1024;

/// Why a TLS stream failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The TLS machine failed; its alert was sent.
    #[error("TLS: {0}")]
    Tls(#[from] handshake_tls::Error),
    /// The peer closed the connection before the handshake completed.
    #[error("the peer closed the connection during the handshake")]
    HandshakeEof,
    /// The peer closed the connection without close_notify (RFC 8446
    /// §6.1), perhaps in the middle of a record: what was read may be
    /// truncated.
    #[error("the peer closed the connection without close_notify (RFC 8446 §6.1)")]
    Truncated,
    /// The socket failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl TlsError {
    /// The [`TlsError`] an [`std::io::Error`] from a TLS stream carries, if it
    /// carries one.
    pub fn from_io(e: &std::io::Error) -> Option<&TlsError> {
        e.get_ref()?.downcast_ref::<TlsError>()
    }
}

impl From<TlsError> for std::io::Error {
    fn from(e: TlsError) -> Self {
        use std::io::ErrorKind;
        match e {
            TlsError::Io(e) => e,
            TlsError::Tls(_) => std::io::Error::new(ErrorKind::InvalidData, e),
            TlsError::HandshakeEof | TlsError::Truncated => {
                std::io::Error::new(ErrorKind::UnexpectedEof, e)
            }
        }
    }
}

/// Our client or server machine.
pub enum Connection {
    /// A client.
    Client(Box<ClientConnection>),
    /// A server.
    Server(Box<ServerConnection>),
}

macro_rules! both {
    ($self:expr, $c:ident => $e:expr) => {
        match $self {
            Connection::Client($c) => $e,
            Connection::Server($c) => $e,
        }
    };
}

impl Connection {
    /// A client for `server_name`, with the system clock and the OS CSPRNG.
    pub fn client(config: Arc<ClientConfig>, server_name: &str) -> Result<Self, TlsError> {
        let c = ClientConnection::new(config, server_name, now_unix(), Box::new(OsRng))?;
        Ok(Connection::Client(Box::new(c)))
    }

    /// A server with the OS CSPRNG.
    pub fn server(config: Arc<ServerConfig>) -> Result<Self, TlsError> {
        let s = ServerConnection::new(config, Box::new(OsRng))?;
        Ok(Connection::Server(Box::new(s)))
    }

    /// The client machine, if this is a client.
    pub fn as_client(&self) -> Option<&ClientConnection> {
        match self {
            Connection::Client(c) => Some(c),
            Connection::Server(_) => None,
        }
    }

    /// The server machine, if this is a server.
    pub fn as_server(&self) -> Option<&ServerConnection> {
        match self {
            Connection::Server(s) => Some(s),
            Connection::Client(_) => None,
        }
    }

    /// Whether the handshake is still running.
    pub fn is_handshaking(&self) -> bool {
        both!(self, c => c.is_handshaking())
    }

    /// The negotiated version (0x0304 or 0x0303) once the handshake completed.
    pub fn protocol_version(&self) -> Option<u16> {
        both!(self, c => c.protocol_version())
    }

    /// The error that ended the connection, if one did.
    pub fn error(&self) -> Option<&handshake_tls::Error> {
        both!(self, c => c.error())
    }

    fn read_tls(&mut self, b: &[u8]) -> Result<(), handshake_tls::Error> {
        both!(self, c => c.read_tls(b))
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        both!(self, c => c.poll_transmit())
    }

    fn poll_event(&mut self) -> Option<Event> {
        both!(self, c => c.poll_event())
    }

    fn send(&mut self, d: &[u8]) -> Result<(), handshake_tls::Error> {
        both!(self, c => c.send(d))
    }

    fn close(&mut self) {
        both!(self, c => c.close())
    }
}

impl From<ClientConnection> for Connection {
    fn from(c: ClientConnection) -> Self {
        Connection::Client(Box::new(c))
    }
}

impl From<ServerConnection> for Connection {
    fn from(s: ServerConnection) -> Self {
        Connection::Server(Box::new(s))
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What both stream flavours keep beside the machine: decrypted bytes not
/// yet read, records not yet written, and whether each side has closed.
struct Session {
    conn: Connection,
    plain: Vec<u8>,
    plain_at: usize,
    out: Vec<u8>,
    out_at: usize,
    peer_closed: bool,
    close_sent: bool,
}

impl Session {
    fn new(conn: Connection) -> Self {
        let mut s = Session {
            conn,
            plain: Vec::new(),
            plain_at: 0,
            out: Vec::new(),
            out_at: 0,
            peer_closed: false,
            close_sent: false,
        };
        s.collect();
        s
    }

    /// Moves the machine's output into `out`.
    fn collect(&mut self) {
        while let Some(b) = self.conn.poll_transmit() {
            if self.out_at == self.out.len() {
                self.out.clear();
                self.out_at = 0;
            }
            self.out.extend_from_slice(&b);
        }
    }

    /// Records waiting to be written.
    fn pending(&self) -> &[u8] {
        &self.out[self.out_at..]
    }

    fn written(&mut self, n: usize) {
        self.out_at += n;
        if self.out_at == self.out.len() {
            self.out.clear();
            self.out_at = 0;
        }
    }

    /// Gives the machine bytes from the socket; decrypted data and
    /// close_notify are taken from its events, and any reply (an alert
    /// included) queued for writing.
    fn receive(&mut self, bytes: &[u8]) -> Result<(), TlsError> {
        let r = self.conn.read_tls(bytes);
        self.collect();
        while let Some(e) = self.conn.poll_event() {
            match e {
                Event::ApplicationData(d) => {
                    if self.plain_at == self.plain.len() {
                        self.plain.clear();
                        self.plain_at = 0;
                    }
                    self.plain.extend_from_slice(&d);
                }
                Event::Closed => self.peer_closed = true,
                // The handshake's end and post-handshake authentication
                // change nothing in the byte stream.
                _ => {}
            }
        }
        r.map_err(TlsError::Tls)
    }

    /// The error for the socket's end of stream.
    fn eof(&self) -> TlsError {
        if self.conn.is_handshaking() {
            TlsError::HandshakeEof
        } else {
            TlsError::Truncated
        }
    }

    /// The machine's error, once it failed.
    fn failed(&self) -> Option<TlsError> {
        self.conn.error().cloned().map(TlsError::Tls)
    }

    fn has_plain(&self) -> bool {
        self.plain_at < self.plain.len()
    }

    /// Copies decrypted bytes into `buf`.
    fn read_plain(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.plain.len() - self.plain_at);
        buf[..n].copy_from_slice(&self.plain[self.plain_at..self.plain_at + n]);
        self.plain_at += n;
        n
    }

    /// Seals up to [`MAX_WRITE`] bytes of `data`; call with nothing pending.
    fn write_plain(&mut self, data: &[u8]) -> Result<usize, TlsError> {
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let n = data.len().min(MAX_WRITE);
        self.conn.send(&data[..n])?;
        self.collect();
        Ok(n)
    }

    /// Queues close_notify (RFC 8446 §6.1), once.
    fn close(&mut self) {
        if !self.close_sent {
            self.close_sent = true;
            self.conn.close();
            self.collect();
        }
    }
}
