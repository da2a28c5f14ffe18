//! `http.response.*`: the status line and what RFC 9112 §6.3 says a response body is.

use handshake_http::{Decoder, Error, Event, Framing, Limits, Method, Version};

use super::support::response;
use crate::check::{self, Checked};
use crate::expect_error;
use crate::Level::Must;
use crate::{Case, Kind};

fn status_line() -> Checked {
    let m = response(
        Method::Get,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
    )
    .map_err(|e| e.to_string())?;
    check::equal("version", m.head.version, Version::Http11)?;
    check::equal("status", m.head.status, 200)?;
    check::equal("reason", m.head.reason.as_str(), "OK")?;
    check::equal("body", m.body.as_slice(), b"hi")
}

fn empty_reason() -> Checked {
    let m = response(Method::Get, b"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n")
        .map_err(|e| e.to_string())?;
    check::equal("status", m.head.status, 404)?;
    check::equal("reason", m.head.reason.as_str(), "")
}

fn no_body(method: Method, status: &str) -> Checked {
    // RFC 9112 §6.3 item 1: no body, whatever the header fields say.
    let bytes = format!("HTTP/1.1 {status}\r\nContent-Length: 5\r\n\r\n");
    let mut d = Decoder::response(Limits::default());
    d.expect_response(method);
    d.feed(bytes.as_bytes());
    d.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    let first = d.poll_event().map_err(|e| e.to_string())?;
    check::ensure(matches!(first, Some(Event::Response(_))), || {
        format!("first event {first:?}")
    })?;
    check::equal(
        "after the head",
        d.poll_event().map_err(|e| e.to_string())?,
        Some(Event::End),
    )?;
    let next = d.poll_event().map_err(|e| e.to_string())?;
    check::ensure(
        matches!(&next, Some(Event::Response(r)) if r.status == 200),
        || format!("the 5 octets were read as a body: next event {next:?}"),
    )
}

fn until_close() -> Checked {
    let m = response(
        Method::Get,
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until the end",
    )
    .map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::UntilClose)?;
    check::equal("keep-alive", m.keep_alive, false)?;
    check::equal("body", m.body.as_slice(), b"all of it, until the end")
}

fn te_overrides_cl() -> Checked {
    let m = response(Method::Get, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n").map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::Chunked)?;
    check::equal("body", m.body.as_slice(), b"hi")?;
    // RFC 9112 §6.1: the connection is closed after such a message.
    check::equal("keep-alive", m.keep_alive, false)
}

fn te_not_final() -> Checked {
    let m = response(
        Method::Get,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw",
    )
    .map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::UntilClose)?;
    check::equal("body", m.body.as_slice(), b"raw")
}

fn connect_tunnel() -> Checked {
    let mut d = Decoder::response(Limits::default());
    d.expect_response(Method::Connect);
    d.feed(b"HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01");
    let head = d.poll_event().map_err(|e| e.to_string())?;
    check::ensure(matches!(head, Some(Event::Response(_))), || {
        format!("{head:?}")
    })?;
    check::equal("framing", d.framing(), Framing::Tunnel)?;
    check::equal(
        "end",
        d.poll_event().map_err(|e| e.to_string())?,
        Some(Event::End),
    )?;
    check::equal(
        "then nothing",
        d.poll_event().map_err(|e| e.to_string())?,
        None,
    )?;
    check::equal("tunnel bytes", d.take_remaining(), vec![0x16, 3, 1])
}

fn interim_then_final() -> Checked {
    let mut d = Decoder::response(Limits::default());
    d.expect_response(Method::Head);
    d.feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
    let mut statuses = Vec::new();
    while let Some(e) = d.poll_event().map_err(|e| e.to_string())? {
        if let Event::Response(r) = e {
            statuses.push(r.status);
        }
    }
    // The final response answers the HEAD: no body after it either.
    check::equal("statuses", statuses, vec![100, 200])?;
    check::equal("buffered", d.buffered(), 0)
}

/// The `http.response.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.response.status-line",
                "RFC 9112 §4",
                status_line,
            ),
            (
                Must,
                "http.response.empty-reason",
                "RFC 9112 §4",
                empty_reason,
            ),
            (
                Must,
                "http.response.status-600-invalid",
                "RFC 9110 §15",
                || {
                    expect_error!(
                        response(Method::Get, b"HTTP/1.1 600 Odd\r\n\r\n"),
                        Error::InvalidStatus
                    )
                },
            ),
            (
                Must,
                "http.response.status-two-digits-invalid",
                "RFC 9112 §4",
                || {
                    expect_error!(
                        response(Method::Get, b"HTTP/1.1 20 OK\r\n\r\n"),
                        Error::InvalidStatus
                    )
                },
            ),
            (
                Must,
                "http.response.head-has-no-body",
                "RFC 9112 §6.3 item 1; RFC 9110 §9.3.2",
                || no_body(Method::Head, "200 OK"),
            ),
            (
                Must,
                "http.response.204-has-no-body",
                "RFC 9112 §6.3 item 1; RFC 9110 §15.3.5",
                || no_body(Method::Get, "204 No Content"),
            ),
            (
                Must,
                "http.response.304-has-no-body",
                "RFC 9112 §6.3 item 1; RFC 9110 §15.4.5",
                || no_body(Method::Get, "304 Not Modified"),
            ),
            (
                Must,
                "http.response.1xx-has-no-body",
                "RFC 9112 §6.3 item 1; RFC 9110 §15.2",
                || no_body(Method::Get, "103 Early Hints"),
            ),
            (
                Must,
                "http.response.until-close",
                "RFC 9112 §6.3 item 8",
                until_close,
            ),
            (
                Must,
                "http.response.te-overrides-cl",
                "RFC 9112 §6.3 item 3, §6.1",
                te_overrides_cl,
            ),
            (
                Must,
                "http.response.te-not-final-until-close",
                "RFC 9112 §6.3 item 4",
                te_not_final,
            ),
            (
                Must,
                "http.response.connect-2xx-tunnel",
                "RFC 9112 §6.3 item 2; RFC 9110 §9.3.6",
                connect_tunnel,
            ),
            (
                Must,
                "http.response.interim-then-final",
                "RFC 9110 §15.2",
                interim_then_final,
            ),
        ],
    )
}
