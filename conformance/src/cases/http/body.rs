//! `http.body.*`: Content-Length and chunked bodies (RFC 9112 §6.3, §7.1).

use handshake_http::{Error, Framing, Headers};

use super::support::{post, request, request_in_pieces};
use crate::check::{self, Checked};
use crate::expect_error;
use crate::Level::Must;
use crate::{Case, Kind};

fn content_length() -> Checked {
    let m =
        request(&post("Content-Length: 11\r\n", "hello worldGET")).map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::Length(11))?;
    check::equal("body", m.body.as_slice(), b"hello world")
}

fn no_length_is_empty() -> Checked {
    let m = request(&post("", "")).map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::None)?;
    check::equal("body", m.body.len(), 0)
}

fn chunked() -> Checked {
    // Sizes in hex, either case: 0xA = 10, 0x1a = 26.
    let body = "A\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n";
    let m = request(&post("Transfer-Encoding: chunked\r\n", body)).map_err(|e| e.to_string())?;
    check::equal("framing", m.framing, Framing::Chunked)?;
    check::equal(
        "body",
        m.body.as_slice(),
        b"0123456789abcdefghijklmnopqrstuvwxyz",
    )
}

fn extensions_ignored() -> Checked {
    let body = "5;name=value;flag\r\nhello\r\n1 ; q=\"quoted\"\r\n!\r\n0;last\r\n\r\n";
    let m = request(&post("Transfer-Encoding: chunked\r\n", body)).map_err(|e| e.to_string())?;
    check::equal("body", m.body.as_slice(), b"hello!")
}

fn trailers_separate() -> Checked {
    let body = "3\r\nabc\r\n0\r\nExpires: Sat, 01 Jan 2000 00:00:00 GMT\r\nX-Sum: 9\r\n\r\n";
    let m = request(&post(
        "Transfer-Encoding: chunked\r\nTrailer: Expires, X-Sum\r\n",
        body,
    ))
    .map_err(|e| e.to_string())?;
    let mut want = Headers::new();
    want.append("Expires", "Sat, 01 Jan 2000 00:00:00 GMT")
        .append("X-Sum", "9");
    check::equal("trailers", m.trailers, want)?;
    check::equal(
        "header section untouched",
        m.head.headers.get("x-sum"),
        None,
    )
}

fn chunk_in_pieces() -> Checked {
    let bytes = post(
        "Transfer-Encoding: chunked\r\n",
        "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n",
    );
    for pieces in 1..bytes.len() {
        let m = request_in_pieces(&bytes, pieces).map_err(|e| format!("{pieces} pieces: {e}"))?;
        check::equal("body", m.body.as_slice(), b"Wikipedia")?;
    }
    Ok(())
}

/// The `http.body.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.body.content-length",
                "RFC 9112 §6.3 item 6; RFC 9110 §8.6",
                content_length,
            ),
            (
                Must,
                "http.body.request-without-length-is-empty",
                "RFC 9112 §6.3 item 7",
                no_length_is_empty,
            ),
            (Must, "http.body.chunked", "RFC 9112 §7.1", chunked),
            (
                Must,
                "http.body.chunk-extensions-ignored",
                "RFC 9112 §7.1.1",
                extensions_ignored,
            ),
            (
                Must,
                "http.body.trailers-kept-apart",
                "RFC 9112 §7.1.2",
                trailers_separate,
            ),
            (
                Must,
                "http.body.chunked-in-any-pieces",
                "RFC 9112 §7.1",
                chunk_in_pieces,
            ),
            (
                Must,
                "http.body.chunk-size-overflow",
                "RFC 9112 §7.1",
                || {
                    expect_error!(
                        request(&post(
                            "Transfer-Encoding: chunked\r\n",
                            "1000000000000000a\r\n"
                        )),
                        Error::ChunkSizeOverflow
                    )
                },
            ),
            (
                Must,
                "http.body.chunk-data-without-crlf",
                "RFC 9112 §7.1",
                || {
                    expect_error!(
                        request(&post(
                            "Transfer-Encoding: chunked\r\n",
                            "3\r\nabcd\r\n0\r\n\r\n"
                        )),
                        Error::MissingChunkCrlf
                    )
                },
            ),
            (
                Must,
                "http.body.chunk-size-not-hex",
                "RFC 9112 §7.1",
                || {
                    expect_error!(
                        request(&post("Transfer-Encoding: chunked\r\n", "g\r\n")),
                        Error::InvalidChunkSize
                    )
                },
            ),
            (
                Must,
                "http.body.closed-before-content-length",
                "RFC 9112 §8",
                || {
                    expect_error!(
                        request(&post("Content-Length: 10\r\n", "abc")),
                        Error::IncompleteMessage
                    )
                },
            ),
            (
                Must,
                "http.body.closed-before-last-chunk",
                "RFC 9112 §8",
                || {
                    expect_error!(
                        request(&post("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n")),
                        Error::IncompleteMessage
                    )
                },
            ),
        ],
    )
}
