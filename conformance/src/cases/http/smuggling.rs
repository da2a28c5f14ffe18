//! `http.smuggling.*`: framing that two parsers could read two ways (RFC 9112 §6.1, §6.3).

use handshake_http::Error;

use super::support::{post, refused, request};
use crate::check::{self, Checked};
use crate::Level::{May, Must};
use crate::{Case, Kind};

fn identical_list() -> Checked {
    let m = request(&post(
        "Content-Length: 3, 3\r\nContent-Length: 3\r\n",
        "abc",
    ))
    .map_err(|e| e.to_string())?;
    check::equal("body", m.body.as_slice(), b"abc")
}

fn invalid_lengths() -> Checked {
    for v in ["-1", "+3", "0x10", "1e3", "", "3 3", "18446744073709551616"] {
        refused(
            &post(&format!("Content-Length: {v}\r\n"), ""),
            Error::InvalidContentLength,
            400,
        )
        .map_err(|e| format!("Content-Length: {v:?}: {e}"))?;
    }
    Ok(())
}

/// RFC 9112 §6.1: "A sender MUST NOT send a Content-Length header field
/// in any message that contains a Transfer-Encoding header field": our
/// encoders refuse such a request or response head (either order, any
/// case of the names) and write nothing; one framing alone still emits.
fn sender_no_cl_with_te() -> Checked {
    use handshake_http::{encode_request_head, encode_response_head, Method, Request, Response};
    let pairs = [
        [("Transfer-Encoding", "chunked"), ("Content-Length", "4")],
        [
            ("content-length", "0"),
            ("transfer-encoding", "gzip, chunked"),
        ],
    ];
    for fields in pairs {
        let mut res = Response::new(200, "OK");
        let mut req = Request::new(Method::Post, "/");
        req.headers.append("Host", "example.com");
        for (n, v) in fields {
            res.headers.append(n, v);
            req.headers.append(n, v);
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let got = (
            encode_response_head(&res, &mut a),
            encode_request_head(&req, &mut b),
        );
        check::ensure(
            matches!(
                got,
                (Err(Error::InvalidToEmit(_)), Err(Error::InvalidToEmit(_)))
            ),
            || format!("{fields:?}: encoded as {got:?}"),
        )?;
        check::equal("bytes written", (a.len(), b.len()), (0, 0))?;
        for (n, v) in fields {
            let mut one = Response::new(200, "OK");
            one.headers.append(n, v);
            encode_response_head(&one, &mut a).map_err(|e| format!("{n} alone: {e}"))?;
        }
    }
    Ok(())
}

/// The `http.smuggling.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table::<Checked>(
        Kind::Vector,
        &[
            (
                Must,
                "http.smuggling.te-and-cl-rejected",
                "RFC 9112 §6.1, §6.3 item 3",
                || {
                    refused(
                        &post(
                            "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                            "0\r\n\r\n",
                        ),
                        Error::TransferEncodingWithContentLength,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.cl-and-te-rejected",
                "RFC 9112 §6.1, §6.3 item 3",
                || {
                    refused(
                        &post(
                            "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
                            "0\r\n\r\n",
                        ),
                        Error::TransferEncodingWithContentLength,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.chunked-not-final-400",
                "RFC 9112 §6.3 item 4",
                || {
                    refused(
                        &post("Transfer-Encoding: chunked, identity\r\n", ""),
                        Error::ChunkedNotFinal,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.te-without-chunked-400",
                "RFC 9112 §6.3 item 4",
                || {
                    refused(
                        &post("Transfer-Encoding: gzip\r\n", ""),
                        Error::ChunkedNotFinal,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.chunked-twice",
                "RFC 9112 §6.1",
                || {
                    refused(
                        &post(
                            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                            "",
                        ),
                        Error::ChunkedTwice,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.unknown-coding-501",
                "RFC 9112 §6.1",
                || {
                    refused(
                        &post("Transfer-Encoding: gzip, chunked\r\n", ""),
                        Error::UnsupportedTransferCoding,
                        501,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.te-in-http10",
                "RFC 9112 §6.1",
                || {
                    refused(
                        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        Error::TransferEncodingInHttp10,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.cl-differing-values",
                "RFC 9112 §6.3 item 5",
                || {
                    refused(
                        &post("Content-Length: 3\r\nContent-Length: 4\r\n", "abcd"),
                        Error::ConflictingContentLength,
                        400,
                    )
                },
            ),
            (
                Must,
                "http.smuggling.cl-differing-in-list",
                "RFC 9112 §6.3 item 5",
                || {
                    refused(
                        &post("Content-Length: 3, 4\r\n", "abcd"),
                        Error::ConflictingContentLength,
                        400,
                    )
                },
            ),
            (
                May,
                "http.smuggling.cl-identical-list-accepted",
                "RFC 9112 §6.3 item 5",
                identical_list,
            ),
            (
                Must,
                "http.smuggling.cl-not-digits",
                "RFC 9110 §8.6; RFC 9112 §6.3 item 5",
                invalid_lengths,
            ),
            (
                Must,
                "http.smuggling.sender-no-cl-with-te",
                "RFC 9112 §6.1",
                sender_no_cl_with_te,
            ),
        ],
    )
}
