//! HTTP/1.1 for Handshake: a sans-IO message codec (RFC 9112, RFC 9110).
//!
//! - [`parse_request`] and [`parse_response`]: a message head checked
//!   against RFC 9112's grammar and the [`Limits`], borrowed from the input
//!   (zero-copy, httparse's shape).
//! - [`framing`]: the body length as RFC 9112 §6.3 orders it, Host (§3.2)
//!   and persistence (§9.3).
//! - [`Decoder`]: bytes in any pieces, [`Event`]s out — owned heads, body
//!   pieces, trailers, ends — with memory bounded by the [`Limits`].
//! - [`encode_request_head`], [`encode_response_head`] and [`BodyEncoder`]
//!   (chunked or Content-Length).
//! - [`client::Connection`] and [`server::Connection`]: one connection's
//!   exchange on each side (requests out and responses in, or the
//!   reverse), keep-alive, pipelining, `Connection: close`, and the
//!   error response a malformed request gets.
//!
//! No I/O, clock or randomness; `no_std` + `alloc`; no `unsafe`. Every
//! error names the rule it enforces and maps to the status a server
//! answers with ([`Error::status`]).
//!
//! ```
//! use handshake_http::{Decoder, Event, Limits, Method};
//! let mut d = Decoder::request(Limits::default());
//! d.feed(b"POST /a HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n");
//! d.feed(b"5\r\nhello\r\n0\r\n\r\n");
//! let Some(Event::Request(req)) = d.poll_event().unwrap() else { panic!() };
//! assert_eq!(req.method, Method::Post);
//! assert_eq!(d.poll_event().unwrap(), Some(Event::Data(b"hello".to_vec())));
//! assert_eq!(d.poll_event().unwrap(), Some(Event::End));
//! assert!(d.keep_alive());
//! ```
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod chars;
pub mod client;
mod decoder;
mod encoder;
mod error;
pub mod framing;
mod head;
mod message;
pub mod server;

pub use decoder::{Decoder, Event};
pub use encoder::{encode_request_head, encode_response_head, BodyEncoder};
pub use error::Error;
pub use framing::Framing;
pub use head::{parse_request, parse_response, HeaderRef, Parsed, RequestRef, ResponseRef};
pub use message::{Field, Headers, Method, Request, Response, Version};

/// Bounds on what a peer can make the parser hold (RFC 9110 §5.4: a server
/// that receives a larger header section than it wishes to process MUST
/// answer with an appropriate 4xx).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest start line, CRLF excluded (8192; RFC 9112 §3 recommends supporting at least 8000).
    pub max_start_line: usize,
    /// Most field lines in a header or trailer section (100).
    pub max_headers: usize,
    /// Longest head, start line through the empty line; also bounds a trailer section (65536).
    pub max_head_bytes: usize,
    /// Longest field line or chunk-size line, CRLF excluded (8192).
    pub max_field_size: usize,
    /// Longest body, if any limit (none by default: the decoder streams it).
    pub max_body: Option<u64>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_start_line: 8192,
            max_headers: 100,
            max_head_bytes: 65536,
            max_field_size: 8192,
            max_body: None,
        }
    }
}
