//! The client side of one HTTP/1.1 connection: requests out, response
//! events in (RFC 9112 §9).
//!
//! ```
//! use handshake_http::client::Connection;
//! use handshake_http::{Event, Limits, Method, Request};
//!
//! let mut c = Connection::new(Limits::default());
//! let mut req = Request::new(Method::Get, "/");
//! req.headers.append("Host", "example.com");
//! c.send_request(&req, b"").unwrap();
//! assert_eq!(c.poll_transmit().unwrap(), b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
//!
//! c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
//! let Some(Event::Response(res)) = c.poll_event().unwrap() else { panic!() };
//! assert_eq!(res.status, 200);
//! assert_eq!(c.poll_event().unwrap(), Some(Event::Data(b"hi".to_vec())));
//! assert_eq!(c.poll_event().unwrap(), Some(Event::End));
//! assert!(c.is_reusable());
//! ```

use alloc::collections::VecDeque;
use alloc::string::ToString;
use alloc::vec::Vec;

use crate::framing::keep_alive;
use crate::{encode_request_head, BodyEncoder, Decoder, Error, Event, Headers, Limits};
use crate::{Method, Request};

/// A sans-IO HTTP/1.1 client connection.
///
/// - [`send_request`](Connection::send_request) (a whole body) or
///   [`start_request`](Connection::start_request) +
///   [`send_data`](Connection::send_data) +
///   [`finish_request`](Connection::finish_request) (a streamed one) queue
///   bytes that [`poll_transmit`](Connection::poll_transmit) hands out;
/// - [`handle_input`](Connection::handle_input) takes what the server sent,
///   [`handle_eof`](Connection::handle_eof) its close, and
///   [`poll_event`](Connection::poll_event) gives the responses back as
///   [`Event`]s, in request order (RFC 9112 §9.3.2).
///
/// Requests may be pipelined. Once a request carried `Connection: close`,
/// a response closed the connection, or an error occurred, no further
/// request is accepted ([`is_reusable`](Connection::is_reusable) is false).
#[derive(Debug)]
pub struct Connection {
    decoder: Decoder,
    out: Vec<u8>,
    /// The body of the request being sent, if it is not finished.
    body: Option<BodyEncoder>,
    /// Methods of the requests whose final responses are awaited.
    awaiting: VecDeque<Method>,
    /// Whether the current response head was interim (1xx): its End does
    /// not complete a request.
    interim: bool,
    /// A request said `Connection: close`: it is the last one (RFC 9112 §9.6).
    sent_close: bool,
    /// The server's side ended the connection (close option, EOF, error).
    ended: bool,
    failed: bool,
}

impl Connection {
    /// A connection reading responses under `limits`.
    pub fn new(limits: Limits) -> Connection {
        Connection {
            decoder: Decoder::response(limits),
            out: Vec::new(),
            body: None,
            awaiting: VecDeque::new(),
            interim: false,
            sent_close: false,
            ended: false,
            failed: false,
        }
    }

    /// Starts a request: its head is queued and its body is then given
    /// with [`send_data`](Connection::send_data) and
    /// [`finish_request`](Connection::finish_request), framed as its
    /// fields declare (Content-Length or chunked; neither: no body).
    pub fn start_request(&mut self, req: &Request) -> Result<(), Error> {
        if self.body.is_some() {
            return Err(Error::InvalidToEmit(
                "the previous request's body is not finished",
            ));
        }
        if !self.is_reusable() {
            // RFC 9112 §9.6: a client that sent close MUST NOT send further
            // requests; a closed connection takes none.
            return Err(Error::InvalidToEmit(
                "the connection is closing (RFC 9112 §9.6)",
            ));
        }
        let body = BodyEncoder::for_request(req)?;
        encode_request_head(req, &mut self.out)?;
        if !keep_alive(req.version, req.headers.pairs()) {
            self.sent_close = true;
        }
        self.decoder.expect_response(req.method.clone());
        self.awaiting.push_back(req.method.clone());
        self.body = Some(body);
        Ok(())
    }

    /// Queues a piece of the current request's body.
    pub fn send_data(&mut self, data: &[u8]) -> Result<(), Error> {
        match &mut self.body {
            Some(b) => b.data(data, &mut self.out),
            None => Err(Error::InvalidToEmit("no request body is open")),
        }
    }

    /// Ends the current request's body (`trailers` only with chunked).
    pub fn finish_request(&mut self, trailers: &Headers) -> Result<(), Error> {
        match self.body.take() {
            Some(b) => b.finish(trailers, &mut self.out),
            None => Err(Error::InvalidToEmit("no request body is open")),
        }
    }

    /// Queues a whole request. When `body` is not empty and the head
    /// declares no framing, `Content-Length` is added (RFC 9110 §8.6: a
    /// user agent SHOULD send it when the length is known).
    pub fn send_request(&mut self, req: &Request, body: &[u8]) -> Result<(), Error> {
        let declared =
            req.headers.contains("content-length") || req.headers.contains("transfer-encoding");
        if !body.is_empty() && !declared {
            let mut req = req.clone();
            req.headers
                .append("Content-Length", body.len().to_string().into_bytes());
            self.start_request(&req)?;
        } else {
            self.start_request(req)?;
        }
        self.send_data(body)?;
        self.finish_request(&Headers::new())
    }

    /// The bytes to send to the server, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.out.is_empty() {
            None
        } else {
            Some(core::mem::take(&mut self.out))
        }
    }

    /// Bytes received from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The server closed its side: ends a body read until close; a
    /// response cut short becomes [`Error::IncompleteMessage`].
    pub fn handle_eof(&mut self) {
        self.decoder.finish();
        self.ended = true;
    }

    /// The next response event (`Ok(None)`: more input is needed). A
    /// response's head is [`Event::Response`] (a 1xx one is followed by its
    /// own [`Event::End`] and then by the final response), then its body as
    /// [`Event::Data`], its trailers, and [`Event::End`].
    pub fn poll_event(&mut self) -> Result<Option<Event>, Error> {
        if self.awaiting.is_empty() && self.decoder.buffered() == 0 {
            return Ok(None);
        }
        let ev = self.decoder.poll_event().inspect_err(|_| {
            self.failed = true;
        })?;
        match &ev {
            Some(Event::Response(r)) => {
                // RFC 9112 §6.3 item 1 (1xx have no body); 101 leaves HTTP.
                self.interim = (100..200).contains(&r.status) && r.status != 101;
            }
            Some(Event::End) if !self.interim => {
                self.awaiting.pop_front();
                if !self.decoder.keep_alive() || self.decoder.is_tunnel() {
                    self.ended = true;
                }
            }
            _ => {}
        }
        Ok(ev)
    }

    /// Whether another request may be sent: no close was sent or
    /// received, the server has not closed, no error occurred.
    pub fn is_reusable(&self) -> bool {
        !self.sent_close && !self.ended && !self.failed && self.decoder.keep_alive()
    }

    /// Whether every request sent has its complete response.
    pub fn is_idle(&self) -> bool {
        self.awaiting.is_empty() && self.body.is_none()
    }

    /// How many requests still await their final response.
    pub fn in_flight(&self) -> usize {
        self.awaiting.len()
    }

    /// The bytes after a response that left HTTP (101, a 2xx to CONNECT).
    pub fn take_tunnel(&mut self) -> Option<Vec<u8>> {
        self.decoder
            .is_tunnel()
            .then(|| self.decoder.take_remaining())
    }
}
