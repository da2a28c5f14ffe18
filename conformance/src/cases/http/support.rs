//! Helpers the `http.*` groups share: decode one message whole, check a refusal.

use handshake_http::{Decoder, Error, Event, Framing, Headers, Limits, Method, Request, Response};

use crate::check::{self, Checked};

/// One decoded message: its head, body, trailers, and what the decoder
/// concluded from the head.
#[derive(Debug, Clone)]
pub(super) struct Msg<H> {
    pub head: H,
    pub body: Vec<u8>,
    pub trailers: Headers,
    pub framing: Framing,
    pub keep_alive: bool,
}

fn first<H>(
    mut d: Decoder,
    bytes: &[u8],
    pieces: usize,
    head: impl Fn(Event) -> Option<H>,
) -> Result<Msg<H>, Error> {
    let step = bytes.len().div_ceil(pieces.max(1)).max(1);
    let mut msg: Option<Msg<H>> = None;
    let mut chunks = bytes.chunks(step).peekable();
    loop {
        match chunks.next() {
            Some(c) => d.feed(c),
            None => d.finish(),
        }
        while let Some(e) = d.poll_event()? {
            match (e, msg.as_mut()) {
                (Event::Data(b), Some(m)) => m.body.extend_from_slice(&b),
                (Event::Trailers(t), Some(m)) => m.trailers = t,
                (Event::End, Some(_)) => return Ok(msg.take().expect("a message")),
                (e, None) => {
                    msg = Some(Msg {
                        head: head(e).ok_or(Error::IncompleteMessage)?,
                        body: Vec::new(),
                        trailers: Headers::new(),
                        framing: d.framing(),
                        keep_alive: d.keep_alive(),
                    })
                }
                (_, Some(_)) => return Err(Error::IncompleteMessage),
            }
        }
        if chunks.peek().is_none() && d.buffered() == 0 && msg.is_none() {
            d.finish();
            if d.poll_event()?.is_none() {
                return Err(Error::IncompleteMessage);
            }
        }
    }
}

/// The first request in `bytes`, with default limits, fed whole and then closed.
pub(super) fn request(bytes: &[u8]) -> Result<Msg<Request>, Error> {
    request_with(bytes, Limits::default())
}

/// The first request in `bytes` under `limits`.
pub(super) fn request_with(bytes: &[u8], limits: Limits) -> Result<Msg<Request>, Error> {
    first(Decoder::request(limits), bytes, 1, |e| match e {
        Event::Request(r) => Some(r),
        _ => None,
    })
}

/// The first request in `bytes`, fed in `pieces` pieces.
pub(super) fn request_in_pieces(bytes: &[u8], pieces: usize) -> Result<Msg<Request>, Error> {
    first(
        Decoder::request(Limits::default()),
        bytes,
        pieces,
        |e| match e {
            Event::Request(r) => Some(r),
            _ => None,
        },
    )
}

/// The first response in `bytes` to a request with `method`; the server closes after `bytes`.
pub(super) fn response(method: Method, bytes: &[u8]) -> Result<Msg<Response>, Error> {
    let mut d = Decoder::response(Limits::default());
    d.expect_response(method);
    first(d, bytes, 1, |e| match e {
        Event::Response(r) => Some(r),
        _ => None,
    })
}

/// The request in `bytes` is refused with `want`, which a server answers with `status`.
pub(super) fn refused(bytes: &[u8], want: Error, status: u16) -> Checked {
    match request(bytes) {
        Err(e) if e == want => check::equal("status", e.status(), status),
        other => Err(format!("expected {want:?} ({status}), got {other:?}")),
    }
}

/// A request with `Host: a` and these extra field lines and body bytes.
pub(super) fn post(fields: &str, body: &str) -> Vec<u8> {
    format!("POST /upload HTTP/1.1\r\nHost: a\r\n{fields}\r\n{body}").into_bytes()
}
