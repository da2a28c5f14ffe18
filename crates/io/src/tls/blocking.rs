//! The blocking twin of [`TlsStream`](super::TlsStream): the same machine
//! over a `std::io::Read + Write` stream (a `std::net::TcpStream`, say).
//!
//! ```no_run
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Write};
//! use std::sync::Arc;
//! use handshake_io::tls::blocking::TlsStream;
//! use handshake_tls::ClientConfig;
//!
//! let config = Arc::new(ClientConfig::new(Vec::new())); // add trust anchors
//! let tcp = std::net::TcpStream::connect("127.0.0.1:8443")?;
//! let mut tls = TlsStream::connect(config, "localhost", tcp)?;
//! tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")?;
//! let mut reply = Vec::new();
//! tls.read_to_end(&mut reply)?;
//! tls.close()?;
//! # Ok(()) }
//! ```

use std::io::{self, Read, Write};
use std::sync::Arc;

use handshake_tls::{ClientConfig, ServerConfig};

use super::{Connection, Session, TlsError, READ_CHUNK};

/// A TLS connection over the blocking stream `S`. [`close`](Self::close)
/// sends close_notify.
pub struct TlsStream<S> {
    io: S,
    session: Session,
    rbuf: Box<[u8]>,
}

impl<S: Read + Write> TlsStream<S> {
    /// Connects as a client to `server_name` over `stream` and completes the
    /// handshake (system clock, OS CSPRNG).
    pub fn connect(
        config: Arc<ClientConfig>,
        server_name: &str,
        stream: S,
    ) -> Result<Self, TlsError> {
        let mut s = Self::new(Connection::client(config, server_name)?, stream);
        s.handshake()?;
        Ok(s)
    }

    /// Accepts a client over `stream` and completes the handshake.
    pub fn accept(config: Arc<ServerConfig>, stream: S) -> Result<Self, TlsError> {
        let mut s = Self::new(Connection::server(config)?, stream);
        s.handshake()?;
        Ok(s)
    }

    /// Wraps a connection the caller built (its own clock and RNG).
    pub fn new(conn: impl Into<Connection>, stream: S) -> Self {
        TlsStream {
            io: stream,
            session: Session::new(conn.into()),
            rbuf: vec![0u8; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// Runs the handshake to its end.
    pub fn handshake(&mut self) -> Result<(), TlsError> {
        loop {
            self.write_out()?;
            if let Some(e) = self.session.failed() {
                return Err(e);
            }
            if !self.session.conn.is_handshaking() {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// Sends close_notify (RFC 8446 §6.1) and flushes the stream.
    pub fn close(&mut self) -> Result<(), TlsError> {
        self.session.close();
        self.write_out()?;
        self.io.flush()?;
        Ok(())
    }

    /// The machine (negotiated parameters, version, trace).
    pub fn connection(&self) -> &Connection {
        &self.session.conn
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// The underlying stream and the machine.
    pub fn into_parts(self) -> (S, Connection) {
        (self.io, self.session.conn)
    }

    fn write_out(&mut self) -> Result<(), TlsError> {
        let r = self.io.write_all(self.session.pending());
        let n = self.session.pending().len();
        self.session.written(n);
        r.map_err(TlsError::Io)
    }

    /// Reads once from the socket into the machine; on a TLS failure the
    /// alert is written before the error returns.
    fn fill(&mut self) -> Result<(), TlsError> {
        let n = loop {
            match self.io.read(&mut self.rbuf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        if n == 0 {
            return Err(self.session.eof());
        }
        let r = self.session.receive(&self.rbuf[..n]);
        if r.is_err() {
            let _ = self.write_out();
        }
        r
    }
}

impl<S: Read + Write> Read for TlsStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.session.has_plain() {
                return Ok(self.session.read_plain(buf));
            }
            if self.session.peer_closed || buf.is_empty() {
                return Ok(0);
            }
            if let Some(e) = self.session.failed() {
                return Err(e.into());
            }
            self.write_out()?;
            self.fill()?;
        }
    }
}

impl<S: Read + Write> Write for TlsStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        let n = self.session.write_plain(buf)?;
        self.write_out()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.io.flush()
    }
}
