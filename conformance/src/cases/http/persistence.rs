//! `http.persistence.*`: whether the connection outlives a message (RFC 9112 §9.3).

use super::support::{request, response};
use crate::check::{self, Checked};
use crate::Level::Must;
use crate::{Case, Kind};
use handshake_http::Method;

fn keep(bytes: &[u8], want: bool) -> Checked {
    let m = request(bytes).map_err(|e| e.to_string())?;
    check::equal("persistent", m.keep_alive, want)
}

/// The `http.persistence.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.persistence.http11-default",
                "RFC 9112 §9.3",
                || keep(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
            ),
            (
                Must,
                "http.persistence.close-option",
                "RFC 9112 §9.3, §9.6",
                || {
                    keep(
                        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n",
                        false,
                    )
                },
            ),
            (
                Must,
                "http.persistence.http10-default-close",
                "RFC 9112 §9.3",
                || keep(b"GET / HTTP/1.0\r\n\r\n", false),
            ),
            (
                Must,
                "http.persistence.http10-keep-alive",
                "RFC 9112 §9.3; RFC 9112 Appendix C.2.2",
                || keep(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
            ),
            (
                Must,
                "http.persistence.nothing-read-after-close",
                "RFC 9112 §9.6",
                || {
                    let mut d = handshake_http::Decoder::request(handshake_http::Limits::default());
                    d.feed(b"GET /1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
                    let mut heads = 0;
                    while let Some(e) = d.poll_event().map_err(|e| e.to_string())? {
                        heads += usize::from(matches!(e, handshake_http::Event::Request(_)));
                    }
                    check::equal("requests read", heads, 1)
                },
            ),
            (
                Must,
                "http.persistence.response-close",
                "RFC 9112 §9.3, §9.6",
                || {
                    let m = response(
                        Method::Get,
                        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                    )
                    .map_err(|e| e.to_string())?;
                    check::equal("persistent", m.keep_alive, false)
                },
            ),
        ],
    )
}
