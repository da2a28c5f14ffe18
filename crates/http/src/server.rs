//! The server side of one HTTP/1.1 connection: request events in,
//! responses out (RFC 9112 §9), and the error response a malformed request
//! gets before the connection closes.
//!
//! ```
//! use handshake_http::server::Connection;
//! use handshake_http::{Event, Limits, Response};
//!
//! let mut s = Connection::new(Limits::default());
//! s.handle_input(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
//! let Some(Event::Request(req)) = s.poll_event().unwrap() else { panic!() };
//! assert_eq!(s.poll_event().unwrap(), Some(Event::End));
//! s.send_response(&Response::new(200, "OK"), b"hi").unwrap();
//! assert_eq!(
//!     s.poll_transmit().unwrap(),
//!     b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
//! );
//! assert!(!s.is_closed());
//! ```

use alloc::collections::VecDeque;
use alloc::string::ToString;
use alloc::vec::Vec;

use crate::{encode_response_head, BodyEncoder, Decoder, Error, Event, Headers, Limits};
use crate::{Method, Response};

/// A request whose response is not finished.
#[derive(Debug)]
struct Pending {
    method: Method,
    /// Whether the connection persists after this exchange (RFC 9112 §9.3).
    keep_alive: bool,
}

/// A sans-IO HTTP/1.1 server connection.
///
/// [`handle_input`](Connection::handle_input) takes the client's bytes and
/// [`poll_event`](Connection::poll_event) gives requests back as
/// [`Event`]s; the application answers each request, in order (RFC 9112
/// §9.3.2), with [`send_response`](Connection::send_response) or
/// [`start_response`](Connection::start_response) +
/// [`send_data`](Connection::send_data) +
/// [`finish_response`](Connection::finish_response), and sends what
/// [`poll_transmit`](Connection::poll_transmit) returns. When
/// [`is_closed`](Connection::is_closed) turns true, after the last
/// transmit, the connection is closed.
///
/// A request that fails to parse is answered with the status of
/// [`Error::status`] (400, 413, 414, 431, 501, 505), `Connection: close`
/// and the error text, once the responses before it are done; then the
/// connection closes (after a framing error the next message's start is
/// unknown, RFC 9112 §6.3, §9.6).
#[derive(Debug)]
pub struct Connection {
    decoder: Decoder,
    out: Vec<u8>,
    /// Requests received whose responses are not finished, oldest first.
    pending: VecDeque<Pending>,
    /// The body of the response being sent.
    body: Option<BodyEncoder>,
    /// A request failed to parse: its error response is owed.
    failed: Option<Error>,
    /// A request's head was read and its End not yet.
    reading_body: bool,
    /// Nothing more is sent after what is queued.
    closed: bool,
    client_eof: bool,
}

impl Connection {
    /// A connection reading requests under `limits`.
    pub fn new(limits: Limits) -> Connection {
        Connection {
            decoder: Decoder::request(limits),
            out: Vec::new(),
            pending: VecDeque::new(),
            body: None,
            failed: None,
            reading_body: false,
            closed: false,
            client_eof: false,
        }
    }

    /// Bytes received from the client.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The client closed its side.
    pub fn handle_eof(&mut self) {
        self.decoder.finish();
        self.client_eof = true;
        self.maybe_close();
    }

    /// The next request event (`Ok(None)`: more input is needed). On a
    /// malformed request the error is returned (and again on each call)
    /// and its error response is queued.
    pub fn poll_event(&mut self) -> Result<Option<Event>, Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        match self.decoder.poll_event() {
            Ok(Some(Event::Request(req))) => {
                self.pending.push_back(Pending {
                    method: req.method.clone(),
                    keep_alive: self.decoder.keep_alive(),
                });
                self.reading_body = true;
                Ok(Some(Event::Request(req)))
            }
            Ok(ev) => {
                if ev == Some(Event::End) {
                    self.reading_body = false;
                }
                self.maybe_close();
                Ok(ev)
            }
            Err(e) => {
                if self.reading_body {
                    // The body of the last request broke: the error response
                    // answers it, unless its own response has begun, which
                    // then ends the connection.
                    if self.pending.len() == 1 && self.body.is_some() {
                        self.pending[0].keep_alive = false;
                    } else {
                        self.pending.pop_back();
                    }
                }
                self.failed = Some(e.clone());
                self.answer_failure();
                Err(e)
            }
        }
    }

    /// Starts the response to the oldest unanswered request. Its body
    /// follows with [`send_data`](Connection::send_data) and
    /// [`finish_response`](Connection::finish_response), framed as its
    /// fields declare; `Connection: close` is added when the request asked
    /// for it (RFC 9112 §9.6: the server MUST close after that response).
    /// A 1xx response (except 101) is interim: the request stays unanswered.
    pub fn start_response(&mut self, res: &Response) -> Result<(), Error> {
        let Some(p) = self.pending.front() else {
            return Err(Error::InvalidToEmit("no request awaits a response"));
        };
        if self.body.is_some() {
            return Err(Error::InvalidToEmit(
                "the previous response's body is not finished",
            ));
        }
        let interim = (100..200).contains(&res.status) && res.status != 101;
        let mut res = res.clone();
        let close = !p.keep_alive || has_close(&res.headers);
        if close && !interim && !has_close(&res.headers) {
            res.headers.append("Connection", "close");
        }
        let body = BodyEncoder::for_response(&p.method, &res)?;
        encode_response_head(&res, &mut self.out)?;
        if interim {
            return Ok(());
        }
        if close {
            // Nothing after this response: the rest of the queue is dropped.
            self.pending.truncate(1);
            self.pending[0].keep_alive = false;
        }
        self.body = Some(body);
        Ok(())
    }

    /// Queues a piece of the current response's body.
    pub fn send_data(&mut self, data: &[u8]) -> Result<(), Error> {
        match &mut self.body {
            Some(b) => b.data(data, &mut self.out),
            None => Err(Error::InvalidToEmit("no response body is open")),
        }
    }

    /// Ends the current response's body (`trailers` only with chunked).
    pub fn finish_response(&mut self, trailers: &Headers) -> Result<(), Error> {
        let Some(b) = self.body.take() else {
            return Err(Error::InvalidToEmit("no response body is open"));
        };
        b.finish(trailers, &mut self.out)?;
        if let Some(p) = self.pending.pop_front() {
            if !p.keep_alive {
                self.closed = true;
            }
        }
        self.answer_failure();
        self.maybe_close();
        Ok(())
    }

    /// Answers the oldest request with `res` and a whole `body`.
    /// `Content-Length` is added when the head declares no framing and the
    /// status allows content; for HEAD it is the length a GET would have
    /// had and no body is sent (RFC 9110 §9.3.2, §8.6).
    pub fn send_response(&mut self, res: &Response, body: &[u8]) -> Result<(), Error> {
        let head = self
            .pending
            .front()
            .is_some_and(|p| p.method == Method::Head);
        let no_content = (100..200).contains(&res.status) || res.status == 204;
        let declared =
            res.headers.contains("content-length") || res.headers.contains("transfer-encoding");
        let mut res = res.clone();
        if !declared && !no_content && res.status != 304 {
            // RFC 9110 §8.6: a server MUST NOT send Content-Length in 1xx or 204.
            res.headers
                .append("Content-Length", body.len().to_string().into_bytes());
        }
        self.start_response(&res)?;
        if (100..200).contains(&res.status) && res.status != 101 {
            return Ok(());
        }
        if !head {
            self.send_data(body)?;
        }
        self.finish_response(&Headers::new())
    }

    /// The bytes to send to the client, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.out.is_empty() {
            None
        } else {
            Some(core::mem::take(&mut self.out))
        }
    }

    /// Whether the connection is done: once what
    /// [`poll_transmit`](Connection::poll_transmit) returned is sent, close it.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// How many requests await (the rest of) their response.
    pub fn unanswered(&self) -> usize {
        self.pending.len()
    }

    /// Queues the error response when every response before it is done.
    fn answer_failure(&mut self) {
        let Some(e) = self.failed.clone() else { return };
        if self.closed || !self.pending.is_empty() || self.body.is_some() {
            return;
        }
        let status = e.status();
        let mut res = Response::new(status, reason(status));
        res.headers.append("Content-Type", "text/plain");
        res.headers.append("Connection", "close");
        let text = e.to_string() + "\n";
        res.headers
            .append("Content-Length", text.len().to_string().into_bytes());
        // The head is built from fixed parts and an in-range status: it encodes.
        if encode_response_head(&res, &mut self.out).is_ok() {
            self.out.extend_from_slice(text.as_bytes());
        }
        self.closed = true;
    }

    fn maybe_close(&mut self) {
        // The client closed and every request it sent is answered.
        if self.client_eof && self.pending.is_empty() && self.body.is_none() {
            self.closed = true;
        }
    }
}

fn has_close(h: &Headers) -> bool {
    h.get_all("connection")
        .flat_map(|v| v.split(|&b| b == b','))
        .any(|e| e.trim_ascii().eq_ignore_ascii_case(b"close"))
}

/// The reason phrase RFC 9110 §15 gives a status code ("" when unknown;
/// a client ignores it, RFC 9112 §4).
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}
