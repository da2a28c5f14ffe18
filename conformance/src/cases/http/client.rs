//! `http.client.*`: handshake-http's client connection driver (RFC 9112
//! §6.3, §9): what it sends, how it reads responses on one connection, and
//! when it stops sending. Every response is written out by hand from the
//! RFC's rules.

use handshake_http::client::Connection;
use handshake_http::{Error, Event, Limits, Method, Request};

use crate::check::{self, Checked};
use crate::Level::{Must, Should};
use crate::{Case, Kind};

fn req(method: Method, target: &str) -> Request {
    let mut r = Request::new(method, target);
    r.headers.append("Host", "example.com");
    r
}

/// A client that sent `methods` in order and then received `wire`: the events.
fn events(methods: &[Method], wire: &[u8], eof: bool) -> Result<(Connection, Vec<Event>), String> {
    let mut c = Connection::new(Limits::default());
    for m in methods {
        c.send_request(&req(m.clone(), "/"), b"")
            .map_err(|e| e.to_string())?;
    }
    // What was sent is on the wire now.
    c.poll_transmit();
    c.handle_input(wire);
    if eof {
        c.handle_eof();
    }
    let mut out = Vec::new();
    while let Some(e) = c.poll_event().map_err(|e| e.to_string())? {
        out.push(e);
    }
    Ok((c, out))
}

/// The statuses and the body octets of each response, in order.
fn shape(ev: &[Event]) -> Vec<(u16, usize)> {
    let mut out: Vec<(u16, usize)> = Vec::new();
    for e in ev {
        match e {
            Event::Response(r) => out.push((r.status, 0)),
            Event::Data(d) => {
                if let Some(last) = out.last_mut() {
                    last.1 += d.len();
                }
            }
            _ => {}
        }
    }
    out
}

fn keep_alive_reuse() -> Checked {
    let (mut c, ev) = events(
        &[Method::Get],
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        false,
    )?;
    check::equal("responses", shape(&ev), vec![(200, 2)])?;
    check::ensure(c.is_reusable(), || {
        "an HTTP/1.1 response without close did not leave the connection open".into()
    })?;
    c.send_request(&req(Method::Get, "/2"), b"")
        .map_err(|e| e.to_string())?;
    check::equal(
        "second request",
        c.poll_transmit().unwrap_or_default(),
        b"GET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n".to_vec(),
    )
}

fn close_sent() -> Checked {
    let mut c = Connection::new(Limits::default());
    let mut r = req(Method::Get, "/");
    r.headers.append("Connection", "close");
    c.send_request(&r, b"").map_err(|e| e.to_string())?;
    // RFC 9112 §9.6: a client that sends close MUST NOT send further requests.
    check::ensure(
        c.send_request(&req(Method::Get, "/2"), b"").is_err(),
        || "a second request was accepted after Connection: close".into(),
    )
}

fn close_received() -> Checked {
    let (mut c, _) = events(
        &[Method::Get],
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        false,
    )?;
    // RFC 9112 §9.6: a client that receives close MUST cease sending requests.
    check::ensure(
        c.send_request(&req(Method::Get, "/2"), b"").is_err(),
        || "a request was accepted after the server's Connection: close".into(),
    )
}

fn pipelined_head_then_get() -> Checked {
    // The HEAD response declares 5 octets it does not carry (RFC 9110
    // §9.3.2): the next octets are the GET's response.
    let (c, ev) = events(
        &[Method::Head, Method::Get],
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        false,
    )?;
    check::equal("responses", shape(&ev), vec![(200, 0), (200, 3)])?;
    check::ensure(c.is_idle(), || "requests left unanswered".into())
}

fn interim_then_final() -> Checked {
    let (c, ev) = events(
        &[Method::Get],
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
        false,
    )?;
    check::equal("responses", shape(&ev), vec![(100, 0), (103, 0), (200, 1)])?;
    check::ensure(c.is_idle() && c.is_reusable(), || {
        "the final response did not complete the exchange".into()
    })
}

fn no_body_statuses() -> Checked {
    let (_, ev) = events(
        &[Method::Get, Method::Get],
        b"HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n",
        false,
    )?;
    check::equal("responses", shape(&ev), vec![(204, 0), (304, 0)])
}

fn until_close() -> Checked {
    let (c, ev) = events(&[Method::Get], b"HTTP/1.1 200 OK\r\n\r\nall of it", true)?;
    check::equal("responses", shape(&ev), vec![(200, 9)])?;
    check::equal("last event", ev.last().cloned(), Some(Event::End))?;
    check::ensure(!c.is_reusable(), || {
        "a body delimited by close left the connection reusable".into()
    })
}

fn incomplete_length() -> Checked {
    let mut c = Connection::new(Limits::default());
    c.send_request(&req(Method::Get, "/"), b"")
        .map_err(|e| e.to_string())?;
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    c.handle_eof();
    let mut r = Ok(None);
    for _ in 0..8 {
        r = c.poll_event();
        if !matches!(r, Ok(Some(_))) {
            break;
        }
    }
    check::equal("after the close", r, Err(Error::IncompleteMessage))?;
    check::ensure(!c.is_reusable(), || {
        "an incomplete response left the connection reusable".into()
    })
}

fn body_gets_length() -> Checked {
    let mut c = Connection::new(Limits::default());
    c.send_request(&req(Method::Post, "/f"), b"a=1")
        .map_err(|e| e.to_string())?;
    check::equal(
        "request",
        c.poll_transmit().unwrap_or_default(),
        b"POST /f HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\na=1".to_vec(),
    )
}

/// The `http.client.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.client.keep-alive-reuse",
                "RFC 9112 §9.3",
                keep_alive_reuse,
            ),
            (
                Must,
                "http.client.close-sent-last-request",
                "RFC 9112 §9.6",
                close_sent,
            ),
            (
                Must,
                "http.client.close-received-stops",
                "RFC 9112 §9.6",
                close_received,
            ),
            (
                Must,
                "http.client.pipelined-head-then-get",
                "RFC 9112 §6.3 item 1, §9.3.2; RFC 9110 §9.3.2",
                pipelined_head_then_get,
            ),
            (
                Must,
                "http.client.interim-responses",
                "RFC 9110 §15.2",
                interim_then_final,
            ),
            (
                Must,
                "http.client.no-body-204-304",
                "RFC 9112 §6.3 item 1",
                no_body_statuses,
            ),
            (
                Must,
                "http.client.body-until-close",
                "RFC 9112 §6.3 item 8",
                until_close,
            ),
            (
                Must,
                "http.client.incomplete-content-length",
                "RFC 9112 §6.3 item 5, §8",
                incomplete_length,
            ),
            (
                Should,
                "http.client.request-content-length",
                "RFC 9110 §8.6",
                body_gets_length,
            ),
        ],
    )
}
