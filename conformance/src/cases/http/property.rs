//! `http.property.*`: generated messages and bytes (RFC 9112 §2.1, §7.1).

use handshake_http::{
    encode_request_head, encode_response_head, parse_request, parse_response, BodyEncoder, Decoder,
    HeaderRef, Headers, Limits, Method, Request, Response,
};
use proptest::prelude::*;

use super::support::request_in_pieces;
use crate::{check_property, Case};

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

/// A field value as sent: visible characters, inner spaces, obs-text.
fn value() -> impl Strategy<Value = Vec<u8>> {
    (prop::collection::vec(
        prop_oneof![0x21u8..0x7f, 0x80u8..=0xff, Just(b' '), Just(b'\t')],
        0..24,
    ))
    .prop_map(|mut v| {
        while v.first().is_some_and(|b| matches!(b, b' ' | b'\t')) {
            v.remove(0);
        }
        while v.last().is_some_and(|b| matches!(b, b' ' | b'\t')) {
            v.pop();
        }
        v
    })
}

fn fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec((token(), value()), 0..6).prop_map(|v| {
        v.into_iter()
            .filter(|(n, _)| {
                ![
                    "host",
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "trailer",
                ]
                .iter()
                .any(|x| n.eq_ignore_ascii_case(x))
            })
            .collect()
    })
}

type Whole = (Request, Vec<Vec<u8>>, Headers);

fn message() -> impl Strategy<Value = Whole> {
    (
        token(),
        "/[!-~]{0,30}",
        fields(),
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..4),
        fields(),
    )
        .prop_map(|(method, target, fs, chunked, body, trailers)| {
            let mut r = Request::new(Method::from_token(&method).expect("a token"), target);
            r.headers.append("Host", "example.com");
            for (n, v) in fs {
                r.headers.append(n, v);
            }
            let mut t = Headers::new();
            if chunked {
                r.headers.append("Transfer-Encoding", "chunked");
                for (n, v) in trailers {
                    t.append(n, v);
                }
            } else {
                let total: usize = body.iter().map(Vec::len).sum();
                r.headers.append("Content-Length", total.to_string());
            }
            (r, body, t)
        })
}

fn emit((r, body, t): &Whole) -> Vec<u8> {
    let mut w = Vec::new();
    encode_request_head(r, &mut w).expect("a generated head emits");
    let mut enc = BodyEncoder::for_request(r).expect("framed");
    for b in body {
        enc.data(b, &mut w).expect("within the declared length");
    }
    enc.finish(t, &mut w).expect("complete");
    w
}

/// The `http.property.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("http.property.parse-of-emit", "RFC 9112 §2.1, §3, §5, §7.1").property(|ctx| {
            check_property(ctx, message(), |m| {
                let wire = emit(&m);
                let got =
                    request_in_pieces(&wire, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&got.head, &m.0);
                prop_assert_eq!(got.body, m.1.concat());
                prop_assert_eq!(got.trailers, m.2);
                Ok(())
            })
        }),
        Case::must(
            "http.property.any-split-same-message",
            "RFC 9112 §2.1, §7.1",
        )
        .property(|ctx| {
            check_property(ctx, (message(), 1usize..64), |(m, pieces)| {
                let wire = emit(&m);
                let whole =
                    request_in_pieces(&wire, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let split = request_in_pieces(&wire, pieces)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&split.head, &whole.head);
                prop_assert_eq!(split.body, whole.body);
                prop_assert_eq!(split.trailers, whole.trailers);
                Ok(())
            })
        }),
        Case::must("http.property.response-head-round-trip", "RFC 9112 §4, §5").property(|ctx| {
            check_property(
                ctx,
                (100u16..600, "[ -~]{0,20}", fields()),
                |(status, reason, fs)| {
                    let mut res = Response::new(status, reason.trim_end().to_string());
                    for (n, v) in fs {
                        res.headers.append(n, v);
                    }
                    let mut w = Vec::new();
                    encode_response_head(&res, &mut w)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let mut h = [HeaderRef::default(); 8];
                    match parse_response(&w, &mut h, &Limits::default()) {
                        Ok(handshake_http::Parsed::Complete(r, n)) => {
                            prop_assert_eq!(n, w.len());
                            prop_assert_eq!(r.status, status);
                            prop_assert_eq!(r.headers.len(), res.headers.len());
                        }
                        other => return Err(TestCaseError::fail(format!("{other:?}"))),
                    }
                    Ok(())
                },
            )
        }),
        Case::must(
            "http.property.arbitrary-bytes-no-panic",
            "RFC 9112 §2.2; RFC 9110 §5.4",
        )
        .property(|ctx| {
            check_property(
                ctx,
                (prop::collection::vec(any::<u8>(), 0..800), 1usize..16),
                |(bytes, pieces)| {
                    let step = bytes.len().div_ceil(pieces).max(1);
                    for mut d in [
                        Decoder::request(Limits::default()),
                        Decoder::response(Limits::default()),
                    ] {
                        for c in bytes.chunks(step) {
                            d.feed(c);
                            while let Ok(Some(_)) = d.poll_event() {}
                        }
                        d.finish();
                        while let Ok(Some(_)) = d.poll_event() {}
                    }
                    let mut h = [HeaderRef::default(); 16];
                    let _ = parse_request(&bytes, &mut h, &Limits::default());
                    let _ = parse_response(&bytes, &mut h, &Limits::default());
                    Ok(())
                },
            )
        }),
        Case::must(
            "http.property.memory-bounded",
            "RFC 9110 §5.4; RFC 9112 §7.1",
        )
        .property(|ctx| {
            // Whatever arrives, what the decoder keeps stays within its head
            // limit plus the last piece: a body is passed on, never gathered.
            let limits = Limits {
                max_start_line: 64,
                max_headers: 4,
                max_head_bytes: 256,
                max_field_size: 64,
                max_body: None,
            };
            let prefix =
                b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            check_property(
                ctx,
                (any::<bool>(), prop::collection::vec(any::<u8>(), 0..3000)),
                move |(framed, junk)| {
                    let mut bytes = if framed { prefix.clone() } else { Vec::new() };
                    bytes.extend_from_slice(&junk);
                    let mut d = Decoder::request(limits);
                    for c in bytes.chunks(7) {
                        d.feed(c);
                        loop {
                            match d.poll_event() {
                                Ok(Some(_)) => {}
                                Ok(None) => break,
                                Err(_) => return Ok(()),
                            }
                        }
                        prop_assert!(d.buffered() <= 256 + 2 + 7, "{} octets kept", d.buffered());
                    }
                    Ok(())
                },
            )
        }),
    ]
}
