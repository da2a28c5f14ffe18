//! The tokio stream: [`TlsStream`] over any `AsyncRead + AsyncWrite`.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use handshake_tls::{ClientConfig, ServerConfig};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{Connection, Session, TlsError, READ_CHUNK};

/// A TLS connection over the tokio stream `S` (a `TcpStream`, say):
/// `AsyncRead` gives the peer's application data, `AsyncWrite` sends ours,
/// and `shutdown` sends close_notify before shutting the stream down.
pub struct TlsStream<S> {
    io: S,
    session: Session,
    rbuf: Box<[u8]>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream<S> {
    /// Connects as a client to `server_name` over `stream` and completes the
    /// handshake (system clock, OS CSPRNG).
    pub async fn connect(
        config: Arc<ClientConfig>,
        server_name: &str,
        stream: S,
    ) -> Result<Self, TlsError> {
        let mut s = Self::new(Connection::client(config, server_name)?, stream);
        s.handshake().await?;
        Ok(s)
    }

    /// Accepts a client over `stream` and completes the handshake (OS CSPRNG).
    pub async fn accept(config: Arc<ServerConfig>, stream: S) -> Result<Self, TlsError> {
        let mut s = Self::new(Connection::server(config)?, stream);
        s.handshake().await?;
        Ok(s)
    }

    /// Wraps a connection the caller built (its own clock and RNG); run
    /// [`handshake`](Self::handshake) next, or let the first read or write
    /// drive it.
    pub fn new(conn: impl Into<Connection>, stream: S) -> Self {
        TlsStream {
            io: stream,
            session: Session::new(conn.into()),
            rbuf: vec![0u8; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// Runs the handshake to its end.
    pub async fn handshake(&mut self) -> Result<(), TlsError> {
        poll_fn(|cx| self.poll_handshake(cx)).await
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

    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        // Bounded: each turn consumes socket bytes or returns.
        loop {
            ready!(self.poll_write_out(cx))?;
            if let Some(e) = self.session.failed() {
                return Poll::Ready(Err(e));
            }
            if !self.session.conn.is_handshaking() {
                return Poll::Ready(Ok(()));
            }
            ready!(self.poll_fill(cx))?;
        }
    }

    /// Writes the pending records.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        while !self.session.pending().is_empty() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, self.session.pending()))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::from(io::ErrorKind::WriteZero).into()));
            }
            self.session.written(n);
        }
        Poll::Ready(Ok(()))
    }

    /// Reads once from the socket into the machine. On a TLS failure the
    /// alert is written if the socket takes it now.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TlsError>> {
        let mut rb = ReadBuf::new(&mut self.rbuf);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        if n == 0 {
            return Poll::Ready(Err(self.session.eof()));
        }
        let r = self.session.receive(&self.rbuf[..n]);
        if r.is_err() {
            let _ = self.poll_write_out(cx);
        }
        Poll::Ready(r)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.session.has_plain() {
                let n = this.session.read_plain(buf.initialize_unfilled());
                buf.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.session.peer_closed {
                return Poll::Ready(Ok(()));
            }
            if let Some(e) = this.session.failed() {
                return Poll::Ready(Err(e.into()));
            }
            // Replies the machine made (KeyUpdate, alerts) go out first; a
            // socket that cannot take them yet does not stop the read.
            if let Poll::Ready(Err(e)) = this.poll_write_out(cx) {
                return Poll::Ready(Err(e.into()));
            }
            ready!(this.poll_fill(cx))?;
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_handshake(cx))?;
        let n = this.session.write_plain(buf)?;
        // The records are ours now; whatever the socket does not take here
        // goes out before the next write.
        if let Poll::Ready(Err(e)) = this.poll_write_out(cx) {
            return Poll::Ready(Err(e.into()));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.session.close();
        ready!(this.poll_write_out(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
