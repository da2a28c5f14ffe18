//! The streaming decoder: bytes in, in any pieces; heads, body pieces,
//! trailers and ends out.

use alloc::collections::VecDeque;
use alloc::string::ToString;
use alloc::vec;
use alloc::vec::Vec;

use crate::framing::{check_host, keep_alive, request_framing, response_framing, Framing};
use crate::head::{fields, parse_request, parse_response, HeaderRef, Parsed};
use crate::{Error, Headers, Limits, Method, Request, Response};

/// What the decoder produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A request head (request decoders).
    Request(Request),
    /// A response head (response decoders); a 1xx is followed by its `End`
    /// and then by the final response.
    Response(Response),
    /// A piece of the body, as it arrived (chunked framing removed).
    Data(Vec<u8>),
    /// The trailer section of a chunked body, kept apart from the header
    /// section (RFC 9112 §7.1.2); sent only when not empty.
    Trailers(Headers),
    /// The message is complete.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Head,
    Length {
        remaining: u64,
    },
    ChunkSize,
    ChunkData {
        remaining: u64,
    },
    ChunkCrlf,
    Trailers,
    UntilClose,
    Ending,
    /// After a message that ends the connection: nothing more is read.
    Closed,
    /// The connection left HTTP (101, CONNECT): [`Decoder::take_remaining`] has the bytes.
    Tunnel,
    Failed(Error),
}

/// A sans-IO HTTP/1.1 decoder for one connection's incoming direction.
///
/// Give it bytes with [`feed`](Decoder::feed) as they arrive, in any
/// pieces, then call [`poll_event`](Decoder::poll_event) until it returns
/// `Ok(None)`; call [`finish`](Decoder::finish) when the peer closes.
///
/// Memory stays bounded by the [`Limits`] whatever the peer sends, as
/// long as the caller polls after each feed: an incomplete head or chunk
/// line is kept (up to its limit, then an error), while body octets leave
/// as [`Event::Data`] as soon as they arrive and are never gathered.
/// After an error the decoder keeps returning it: the connection should close.
#[derive(Debug)]
pub struct Decoder {
    role: Role,
    limits: Limits,
    buf: Vec<u8>,
    pos: usize,
    /// Offset (from `pos`) up to which no end of head was found.
    scanned: usize,
    state: State,
    eof: bool,
    framing: Framing,
    keep_alive: bool,
    body_seen: u64,
    /// Methods of the requests whose responses are awaited, oldest first.
    methods: VecDeque<Method>,
}

impl Decoder {
    /// A decoder for requests (a server's side).
    pub fn request(limits: Limits) -> Decoder {
        Decoder::new(Role::Request, limits)
    }

    /// A decoder for responses (a client's side). Tell it each request's
    /// method with [`expect_response`](Decoder::expect_response) (a
    /// response to HEAD has no body); unannounced responses are read as answers to GET.
    pub fn response(limits: Limits) -> Decoder {
        Decoder::new(Role::Response, limits)
    }

    fn new(role: Role, limits: Limits) -> Decoder {
        Decoder {
            role,
            limits,
            buf: Vec::new(),
            pos: 0,
            scanned: 0,
            state: State::Head,
            eof: false,
            framing: Framing::None,
            keep_alive: true,
            body_seen: 0,
            methods: VecDeque::new(),
        }
    }

    /// Records that a request with `method` was sent (responses come in order, RFC 9112 §9.3.2).
    pub fn expect_response(&mut self, method: Method) {
        self.methods.push_back(method);
    }

    /// Appends received bytes. Ignored once the connection is closed or left HTTP
    /// (those bytes stay available to [`take_remaining`](Decoder::take_remaining) in a tunnel).
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state == State::Closed {
            return;
        }
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 4096 && self.pos * 2 > self.buf.len() {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The peer closed its side: ends a body read until close, or makes
    /// an incomplete message an error.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Bytes received and not yet decoded.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The framing of the message being decoded (after its head).
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Whether the connection persists after the current (or last) message (RFC 9112 §9.3).
    pub fn keep_alive(&self) -> bool {
        self.keep_alive
    }

    /// Whether the connection left HTTP (101 Switching Protocols or a 2xx to CONNECT).
    pub fn is_tunnel(&self) -> bool {
        self.state == State::Tunnel
    }

    /// The bytes after the last message, for a tunnel or an upgraded protocol.
    pub fn take_remaining(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.buf.clear();
        self.pos = 0;
        rest
    }

    /// The next event, `Ok(None)` when more input (or [`finish`](Decoder::finish)) is needed.
    pub fn poll_event(&mut self) -> Result<Option<Event>, Error> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        let r = self.step();
        if let Err(e) = &r {
            self.state = State::Failed(e.clone());
        }
        r
    }

    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    fn end_message(&mut self) -> Event {
        self.state = if self.framing == Framing::Tunnel {
            State::Tunnel
        } else if !self.keep_alive {
            State::Closed
        } else {
            State::Head
        };
        Event::End
    }

    fn body_piece(&mut self, max: u64) -> Result<Option<Vec<u8>>, Error> {
        let n = (self.avail().len() as u64).min(max) as usize;
        if n == 0 {
            return Ok(None);
        }
        self.body_seen += n as u64;
        if let Some(limit) = self.limits.max_body {
            if self.body_seen > limit {
                return Err(Error::BodyTooLarge { limit });
            }
        }
        let piece = self.avail()[..n].to_vec();
        self.pos += n;
        Ok(Some(piece))
    }

    fn step(&mut self) -> Result<Option<Event>, Error> {
        match self.state.clone() {
            State::Failed(e) => Err(e),
            State::Closed | State::Tunnel => Ok(None),
            State::Ending => Ok(Some(self.end_message())),
            State::Head => self.head(),
            State::Length { remaining } => match self.body_piece(remaining)? {
                Some(p) => {
                    let remaining = remaining - p.len() as u64;
                    self.state = if remaining == 0 {
                        State::Ending
                    } else {
                        State::Length { remaining }
                    };
                    Ok(Some(Event::Data(p)))
                }
                None if self.eof => Err(Error::IncompleteMessage),
                None => Ok(None),
            },
            State::UntilClose => match self.body_piece(u64::MAX)? {
                Some(p) => Ok(Some(Event::Data(p))),
                None if self.eof => Ok(Some(self.end_message())),
                None => Ok(None),
            },
            State::ChunkData { remaining } => match self.body_piece(remaining)? {
                Some(p) => {
                    let remaining = remaining - p.len() as u64;
                    self.state = if remaining == 0 {
                        State::ChunkCrlf
                    } else {
                        State::ChunkData { remaining }
                    };
                    Ok(Some(Event::Data(p)))
                }
                None if self.eof => Err(Error::IncompleteMessage),
                None => Ok(None),
            },
            State::ChunkCrlf => {
                let a = self.avail();
                // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
                if a.len() >= 2 || (a.len() == 1 && a[0] != b'\r') {
                    if &a[..2.min(a.len())] != b"\r\n" {
                        return Err(Error::MissingChunkCrlf);
                    }
                    self.pos += 2;
                    self.state = State::ChunkSize;
                    return self.step();
                }
                if self.eof {
                    return Err(Error::IncompleteMessage);
                }
                Ok(None)
            }
            State::ChunkSize => self.chunk_size(),
            State::Trailers => self.trailers(),
        }
    }

    fn chunk_size(&mut self) -> Result<Option<Event>, Error> {
        let limit = self.limits.max_field_size;
        let a = self.avail();
        let window = &a[..a.len().min(limit + 2)];
        let Some(i) = memchr::memchr(b'\n', window) else {
            if window.len() > limit + 1 {
                return Err(Error::FieldTooLarge { limit });
            }
            return if self.eof {
                Err(Error::IncompleteMessage)
            } else {
                Ok(None)
            };
        };
        if i == 0 || a[i - 1] != b'\r' {
            return Err(Error::BareLf);
        }
        let size = chunk_line(&a[..i - 1])?;
        self.pos += i + 1;
        if size == 0 {
            self.state = State::Trailers;
            self.scanned = 0;
            return self.trailers();
        }
        if let Some(limit) = self.limits.max_body {
            if self.body_seen.saturating_add(size) > limit {
                return Err(Error::BodyTooLarge { limit });
            }
        }
        self.state = State::ChunkData { remaining: size };
        self.step()
    }

    /// Whether the section from `pos` (field lines then an empty line) is
    /// complete, or over a limit so that parsing it reports the error.
    fn section_ready(&mut self) -> bool {
        let a = &self.buf[self.pos..];
        if a.starts_with(b"\r\n") || a.first() == Some(&b'\n') {
            return true;
        }
        let from = self.scanned.saturating_sub(2);
        let found = memchr::memchr_iter(b'\n', &a[from..]).any(|i| {
            let rest = &a[from + i + 1..];
            rest.starts_with(b"\r\n") || rest.first() == Some(&b'\n')
        });
        self.scanned = a.len();
        let threshold = self.limits.max_start_line.min(self.limits.max_field_size) + 1;
        // The unfinished last line, which a line limit may already condemn.
        let tail = memchr::memrchr(b'\n', a).map_or(a.len(), |i| a.len() - i - 1);
        found
            || a.len() > self.limits.max_head_bytes
            || (a.len() > threshold && memchr::memchr(b'\n', a).is_none())
            || tail > self.limits.max_field_size + 1
    }

    fn trailers(&mut self) -> Result<Option<Event>, Error> {
        if !self.section_ready() {
            return if self.eof {
                Err(Error::IncompleteMessage)
            } else {
                Ok(None)
            };
        }
        let mut scratch = vec![HeaderRef::default(); self.limits.max_headers];
        let buf = &self.buf[..];
        match fields(buf, self.pos, self.pos, &mut scratch, &self.limits, false)? {
            Parsed::Partial => Ok(None),
            Parsed::Complete(n, end) => {
                let mut t = Headers::new();
                for h in &scratch[..n] {
                    t.append(h.name, h.value);
                }
                self.pos = end;
                self.scanned = 0;
                if t.is_empty() {
                    Ok(Some(self.end_message()))
                } else {
                    self.state = State::Ending;
                    Ok(Some(Event::Trailers(t)))
                }
            }
        }
    }

    fn head(&mut self) -> Result<Option<Event>, Error> {
        if self.role == Role::Request {
            // RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line.
            while self.avail().starts_with(b"\r\n") {
                self.pos += 2;
                self.scanned = 0;
            }
        }
        if self.avail().is_empty() {
            return Ok(None);
        }
        if !self.section_ready() {
            return if self.eof {
                Err(Error::IncompleteMessage)
            } else {
                Ok(None)
            };
        }
        let mut scratch = vec![HeaderRef::default(); self.limits.max_headers];
        let buf = &self.buf[self.pos..];
        let (event, used) = match self.role {
            Role::Request => match parse_request(buf, &mut scratch, &self.limits)? {
                Parsed::Partial => {
                    return if self.eof {
                        Err(Error::IncompleteMessage)
                    } else {
                        Ok(None)
                    }
                }
                Parsed::Complete(r, used) => {
                    let pairs = r.headers.iter().map(|h| (h.name, h.value));
                    check_host(r.version, pairs.clone())?;
                    let framing = request_framing(r.version, pairs.clone())?;
                    self.keep_alive = keep_alive(r.version, pairs);
                    self.framing = framing;
                    let method = Method::from_token(r.method).ok_or(Error::InvalidMethod)?;
                    let mut headers = Headers::new();
                    for h in r.headers {
                        headers.append(h.name, h.value);
                    }
                    let req = Request {
                        method,
                        target: r.target.to_string(),
                        version: r.version,
                        headers,
                    };
                    (Event::Request(req), used)
                }
            },
            Role::Response => match parse_response(buf, &mut scratch, &self.limits)? {
                Parsed::Partial => {
                    return if self.eof {
                        Err(Error::IncompleteMessage)
                    } else {
                        Ok(None)
                    }
                }
                Parsed::Complete(r, used) => {
                    let pairs = r.headers.iter().map(|h| (h.name, h.value));
                    let interim = (100..200).contains(&r.status) && r.status != 101;
                    let method = if interim {
                        self.methods.front().cloned()
                    } else {
                        self.methods.pop_front()
                    }
                    .unwrap_or(Method::Get);
                    let framing = response_framing(&method, r.status, r.version, pairs.clone())?;
                    // A body read until close ends the connection (RFC 9112 §9.3 / §6.3 item 8).
                    self.keep_alive =
                        keep_alive(r.version, pairs) && framing != Framing::UntilClose;
                    self.framing = framing;
                    let mut headers = Headers::new();
                    for h in r.headers {
                        headers.append(h.name, h.value);
                    }
                    let res = Response {
                        version: r.version,
                        status: r.status,
                        reason: r.reason.to_string(),
                        headers,
                    };
                    (Event::Response(res), used)
                }
            },
        };
        if let (Framing::Length(n), Some(limit)) = (self.framing, self.limits.max_body) {
            // Known at once: RFC 9110 §15.5.14 (413).
            if n > limit {
                return Err(Error::BodyTooLarge { limit });
            }
        }
        self.pos += used;
        self.scanned = 0;
        self.body_seen = 0;
        self.state = match self.framing {
            Framing::None | Framing::Tunnel => State::Ending,
            Framing::Length(n) => State::Length { remaining: n },
            Framing::Chunked => State::ChunkSize,
            Framing::UntilClose => State::UntilClose,
        };
        Ok(Some(event))
    }
}

/// chunk-size [ chunk-ext ] (RFC 9112 §7.1): the size; extensions are
/// checked for control characters and ignored (§7.1.1: a recipient MUST
/// ignore unrecognized chunk extensions).
fn chunk_line(l: &[u8]) -> Result<u64, Error> {
    let digits = l.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(if l.contains(&b'\r') {
            Error::BareCr
        } else {
            Error::InvalidChunkSize
        });
    }
    let mut size: u64 = 0;
    for &d in &l[..digits] {
        let v = (d as char).to_digit(16).unwrap_or(0) as u64;
        // RFC 9112 §7.1: recipients MUST anticipate large numerals and prevent overflow.
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(v))
            .ok_or(Error::ChunkSizeOverflow)?;
    }
    let mut rest = &l[digits..];
    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    while let [b' ' | b'\t', r @ ..] = rest {
        rest = r;
    }
    match rest {
        [] => Ok(size),
        [b';', ext @ ..] => {
            if ext.iter().all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f)) {
                Ok(size)
            } else if ext.contains(&b'\r') {
                Err(Error::BareCr)
            } else {
                Err(Error::InvalidChunkExtension)
            }
        }
        _ => Err(if rest.contains(&b'\r') {
            Error::BareCr
        } else {
            Error::InvalidChunkSize
        }),
    }
}
