//! `http.server.*`: handshake-http's server connection driver (RFC 9112
//! §3.2, §5, §6, §9; RFC 9110 §5.4, §8.6, §9.3.2): the status a malformed
//! request gets, closing after it, answering in order, and what a response
//! may carry. Requests and expected statuses are the RFC's.

use handshake_http::server::Connection;
use handshake_http::{Event, Limits, Response};

use crate::check::{self, Checked};
use crate::Level::{Must, Should};
use crate::{Case, Kind};

/// A server given `wire`: the events (up to an error) and the error, if any.
fn feed(s: &mut Connection, wire: &[u8]) -> (Vec<Event>, Option<String>) {
    s.handle_input(wire);
    let mut out = Vec::new();
    loop {
        match s.poll_event() {
            Ok(Some(e)) => out.push(e),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e.to_string())),
        }
    }
}

fn sent(s: &mut Connection) -> String {
    String::from_utf8_lossy(&s.poll_transmit().unwrap_or_default()).into_owned()
}

/// `wire` is refused: the response starts with `status` and the
/// connection closes after it (RFC 9112 §9.6 for 400s that end framing).
fn refused(wire: &[u8], limits: Limits, status: u16) -> Checked {
    let mut s = Connection::new(limits);
    let (_, err) = feed(&mut s, wire);
    check::ensure(err.is_some(), || "the request was accepted".into())?;
    let out = sent(&mut s);
    check::ensure(out.starts_with(&format!("HTTP/1.1 {status} ")), || {
        format!("the server answered {out:?}, want status {status}")
    })?;
    check::ensure(out.contains("\r\nConnection: close\r\n"), || {
        format!("no Connection: close in {out:?}")
    })?;
    check::ensure(s.is_closed(), || {
        "the connection stays open after the error".into()
    })
}

fn answered_in_order() -> Checked {
    let mut s = Connection::new(Limits::default());
    let (ev, err) = feed(
        &mut s,
        b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
    );
    check::equal("error", err, None)?;
    check::equal("events", ev.len(), 4)?;
    s.send_response(&Response::new(200, "OK"), b"a")
        .map_err(|e| e.to_string())?;
    s.send_response(&Response::new(200, "OK"), b"b")
        .map_err(|e| e.to_string())?;
    check::equal(
        "responses",
        sent(&mut s),
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb".to_string(),
    )
}

fn close_option() -> Checked {
    let mut s = Connection::new(Limits::default());
    feed(&mut s, b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
    s.send_response(&Response::new(200, "OK"), b"")
        .map_err(|e| e.to_string())?;
    let out = sent(&mut s);
    check::ensure(out.contains("\r\nConnection: close\r\n"), || {
        format!("no close option in {out:?}")
    })?;
    check::ensure(s.is_closed(), || {
        "the server did not close after the final response".into()
    })?;
    check::equal("requests left", s.unanswered(), 0)
}

fn http10_closes() -> Checked {
    let mut s = Connection::new(Limits::default());
    feed(&mut s, b"GET / HTTP/1.0\r\n\r\n");
    s.send_response(&Response::new(200, "OK"), b"x")
        .map_err(|e| e.to_string())?;
    check::ensure(s.is_closed(), || {
        "an HTTP/1.0 request without keep-alive left the connection open".into()
    })
}

fn head_no_body() -> Checked {
    let mut s = Connection::new(Limits::default());
    feed(&mut s, b"HEAD /f HTTP/1.1\r\nHost: h\r\n\r\n");
    s.send_response(&Response::new(200, "OK"), b"twelve bytes")
        .map_err(|e| e.to_string())?;
    check::equal(
        "response",
        sent(&mut s),
        "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n".to_string(),
    )
}

fn no_length_in_204() -> Checked {
    let mut s = Connection::new(Limits::default());
    feed(&mut s, b"DELETE /f HTTP/1.1\r\nHost: h\r\n\r\n");
    s.send_response(&Response::new(204, "No Content"), b"")
        .map_err(|e| e.to_string())?;
    check::equal(
        "response",
        sent(&mut s),
        "HTTP/1.1 204 No Content\r\n\r\n".to_string(),
    )
}

fn small() -> Limits {
    Limits {
        max_headers: 4,
        max_body: Some(16),
        ..Limits::default()
    }
}

/// The `http.server.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.server.missing-host-400",
                "RFC 9112 §3.2",
                || refused(b"GET / HTTP/1.1\r\n\r\n", Limits::default(), 400),
            ),
            (
                Must,
                "http.server.multiple-host-400",
                "RFC 9112 §3.2",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                        Limits::default(),
                        400,
                    )
                },
            ),
            (
                Must,
                "http.server.space-before-colon-400",
                "RFC 9112 §5.1",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                        Limits::default(),
                        400,
                    )
                },
            ),
            (Must, "http.server.obs-fold-400", "RFC 9112 §5.2", || {
                refused(
                    b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
                    Limits::default(),
                    400,
                )
            }),
            (
                Must,
                "http.server.invalid-length-400-close",
                "RFC 9112 §6.3 item 5",
                || {
                    refused(
                        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nx",
                        Limits::default(),
                        400,
                    )
                },
            ),
            (
                Must,
                "http.server.te-and-length-close",
                "RFC 9112 §6.1, §6.3 item 3",
                || {
                    refused(
                    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    Limits::default(),
                    400,
                )
                },
            ),
            (
                Must,
                "http.server.chunked-not-final-400",
                "RFC 9112 §6.3 item 4",
                || {
                    refused(
                        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                        Limits::default(),
                        400,
                    )
                },
            ),
            (
                Must,
                "http.server.header-limit-431",
                "RFC 9110 §5.4; RFC 6585 §5",
                || {
                    refused(
                        b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
                        small(),
                        431,
                    )
                },
            ),
            (
                Should,
                "http.server.body-limit-413",
                "RFC 9110 §15.5.14",
                || {
                    refused(
                        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n",
                        small(),
                        413,
                    )
                },
            ),
            (
                Must,
                "http.server.responses-in-order",
                "RFC 9112 §9.3.2",
                answered_in_order,
            ),
            (
                Must,
                "http.server.close-option",
                "RFC 9112 §9.6",
                close_option,
            ),
            (
                Must,
                "http.server.http10-not-persistent",
                "RFC 9112 §9.3",
                http10_closes,
            ),
            (
                Must,
                "http.server.head-no-content",
                "RFC 9110 §9.3.2, §8.6",
                head_no_body,
            ),
            (
                Must,
                "http.server.no-length-in-204",
                "RFC 9110 §8.6",
                no_length_in_204,
            ),
        ],
    )
}
