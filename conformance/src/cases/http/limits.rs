//! `http.limits.*`: what a peer can make the parser hold, and the statuses
//! a server answers with (RFC 9110 §5.4, §15.5.14, §15.5.15; RFC 6585 §5).

use handshake_http::{Error, Limits};

use super::support::{post, request, request_with};
use crate::check::{self, Checked};
use crate::Level::{Must, Should};
use crate::{Case, Kind};

const SMALL: Limits = Limits {
    max_start_line: 64,
    max_headers: 4,
    max_head_bytes: 256,
    max_field_size: 64,
    max_body: Some(16),
};

fn status_of(bytes: &[u8], want: u16) -> Checked {
    match request_with(bytes, SMALL) {
        Err(e) => check::equal(&format!("status for {e}"), e.status(), want),
        Ok(m) => Err(format!("accepted {:?}, want a {want}", m.head)),
    }
}

fn long_target() -> Checked {
    let t = "/".repeat(100);
    status_of(
        format!("GET {t} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes(),
        414,
    )
}

fn long_target_partial() -> Checked {
    // Refused before the line ends: the parser does not wait for it.
    let t = "/".repeat(100);
    status_of(format!("GET {t}").as_bytes(), 414)
}

fn many_fields() -> Checked {
    status_of(
        b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
        431,
    )
}

fn long_field() -> Checked {
    let v = "x".repeat(100);
    status_of(
        format!("GET / HTTP/1.1\r\nHost: a\r\nCookie: {v}\r\n\r\n").as_bytes(),
        431,
    )
}

fn large_head() -> Checked {
    let f = format!("X: {}\r\n", "y".repeat(50));
    let mut limits = SMALL;
    limits.max_headers = 100;
    match request_with(
        format!("GET / HTTP/1.1\r\nHost: a\r\n{}\r\n", f.repeat(6)).as_bytes(),
        limits,
    ) {
        Err(e) => check::equal(&format!("status for {e}"), e.status(), 431),
        Ok(_) => Err("accepted a 350-octet head under a 256-octet limit".into()),
    }
}

fn large_body() -> Checked {
    status_of(&post("Content-Length: 17\r\n", ""), 413)
}

fn large_chunked_body() -> Checked {
    status_of(
        &post(
            "Transfer-Encoding: chunked\r\n",
            "10\r\n0123456789abcdef\r\n1\r\n!\r\n0\r\n\r\n",
        ),
        413,
    )
}

fn many_trailers() -> Checked {
    match request_with(
        &post(
            "Transfer-Encoding: chunked\r\n",
            "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n",
        ),
        SMALL,
    ) {
        Err(Error::TooManyHeaders { limit: 4 }) => Ok(()),
        other => Err(format!(
            "five trailer fields under a limit of four: {other:?}"
        )),
    }
}

fn target_8000() -> Checked {
    let t = format!("/{}", "a".repeat(7999));
    let m = request(format!("GET {t} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    check::equal("target length", m.head.target.len(), 8000)
}

/// The `http.limits.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.limits.long-request-line-414",
                "RFC 9112 §3; RFC 9110 §15.5.15",
                long_target,
            ),
            (
                Must,
                "http.limits.long-request-line-refused-early",
                "RFC 9112 §3; RFC 9110 §15.5.15",
                long_target_partial,
            ),
            (
                Must,
                "http.limits.field-count-431",
                "RFC 9110 §5.4; RFC 6585 §5",
                many_fields,
            ),
            (
                Must,
                "http.limits.field-size-431",
                "RFC 9110 §5.4; RFC 6585 §5",
                long_field,
            ),
            (
                Must,
                "http.limits.head-size-431",
                "RFC 9110 §5.4; RFC 6585 §5",
                large_head,
            ),
            (
                Must,
                "http.limits.content-length-413",
                "RFC 9110 §15.5.14",
                large_body,
            ),
            (
                Must,
                "http.limits.chunked-413",
                "RFC 9110 §15.5.14",
                large_chunked_body,
            ),
            (
                Must,
                "http.limits.trailers-same-limits",
                "RFC 9112 §7.1.2; RFC 9110 §5.4",
                many_trailers,
            ),
            (
                Should,
                "http.limits.request-line-8000",
                "RFC 9112 §3",
                target_8000,
            ),
        ],
    )
}
