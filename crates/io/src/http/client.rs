//! The client: [`Client`] over one stream.

use std::io;

use handshake_http::client::Connection;
use handshake_http::{Event, Headers, Limits, Request, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::{to_io, READ_CHUNK};

/// A response read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Interim (1xx) responses, in order.
    pub interim: Vec<Response>,
    /// The final response's head.
    pub head: Response,
    /// The body, framing removed.
    pub body: Vec<u8>,
    /// The trailer section (chunked bodies), empty if none.
    pub trailers: Headers,
}

/// An HTTP/1.1 client connection over the stream `S`.
pub struct Client<S> {
    stream: S,
    conn: Connection,
    eof: bool,
    buf: Box<[u8]>,
    /// Interim responses of the exchange in progress.
    interim: Vec<Response>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    /// A client over `stream` with the default [`Limits`].
    pub fn new(stream: S) -> Client<S> {
        Client::with_limits(stream, Limits::default())
    }

    /// A client over `stream` reading responses under `limits`.
    pub fn with_limits(stream: S, limits: Limits) -> Client<S> {
        Client {
            stream,
            conn: Connection::new(limits),
            eof: false,
            buf: vec![0u8; READ_CHUNK].into_boxed_slice(),
            interim: Vec::new(),
        }
    }

    /// Sends a request with its whole body (`Content-Length` added when
    /// the body is not empty and the head declares no framing).
    pub async fn send_request(&mut self, req: &Request, body: &[u8]) -> io::Result<()> {
        self.conn.send_request(req, body).map_err(to_io)?;
        while let Some(bytes) = self.conn.poll_transmit() {
            self.stream.write_all(&bytes).await?;
        }
        self.stream.flush().await
    }

    /// The next response event, reading as needed; an error when the
    /// server closes before the response is complete.
    async fn next_event(&mut self) -> io::Result<Event> {
        // Bounded: every round either returns or reads at least one byte
        // (or reaches the end, after which the next empty poll returns).
        loop {
            if let Some(ev) = self.conn.poll_event().map_err(to_io)? {
                return Ok(ev);
            }
            if self.eof {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection before the response was complete",
                ));
            }
            let n = self.stream.read(&mut self.buf).await?;
            if n == 0 {
                self.eof = true;
                self.conn.handle_eof();
            } else {
                self.conn.handle_input(&self.buf[..n]);
            }
        }
    }

    /// Reads up to the final response's head; interim (1xx) responses
    /// are kept for [`read_body`](Client::read_body)'s caller in `interim`.
    pub async fn read_head(&mut self) -> io::Result<Response> {
        self.interim.clear();
        loop {
            match self.next_event().await? {
                Event::Response(r) if (100..200).contains(&r.status) && r.status != 101 => {
                    self.interim.push(r);
                }
                Event::Response(r) => return Ok(r),
                // The End of an interim response.
                Event::End => {}
                other => {
                    return Err(io::Error::other(format!(
                        "unexpected event before a response: {other:?}"
                    )))
                }
            }
        }
    }

    /// Reads the body of the response whose head was read, giving each
    /// piece to `sink`; returns the trailers.
    pub async fn read_body(
        &mut self,
        sink: &mut (dyn FnMut(&[u8]) -> io::Result<()> + Send),
    ) -> io::Result<Headers> {
        let mut trailers = Headers::new();
        loop {
            match self.next_event().await? {
                Event::Data(d) => sink(&d)?,
                Event::Trailers(t) => trailers = t,
                Event::End => return Ok(trailers),
                other => {
                    return Err(io::Error::other(format!(
                        "unexpected event in a body: {other:?}"
                    )))
                }
            }
        }
    }

    /// Sends a request and reads its response whole; a body longer than
    /// `max_body` is an error.
    pub async fn fetch(
        &mut self,
        req: &Request,
        body: &[u8],
        max_body: usize,
    ) -> io::Result<Fetched> {
        self.send_request(req, body).await?;
        let head = self.read_head().await?;
        let mut got = Vec::new();
        let trailers = self
            .read_body(&mut |d| {
                if got.len() + d.len() > max_body {
                    return Err(io::Error::other(format!(
                        "response body longer than {max_body} bytes"
                    )));
                }
                got.extend_from_slice(d);
                Ok(())
            })
            .await?;
        Ok(Fetched {
            interim: std::mem::take(&mut self.interim),
            head,
            body: got,
            trailers,
        })
    }

    /// Interim responses read by the last [`read_head`](Client::read_head).
    pub fn interim(&self) -> &[Response] {
        &self.interim
    }

    /// Whether another request may go over this connection.
    pub fn is_reusable(&self) -> bool {
        self.conn.is_reusable() && !self.eof
    }

    /// The stream (a TLS stream's negotiated parameters, say).
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Shuts the stream down (close_notify first on a TLS stream).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.stream.shutdown().await
    }
}
