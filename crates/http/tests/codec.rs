//! The codec end to end: decoding, framing, errors, round trips, splits.

use handshake_http::*;
use proptest::prelude::*;

fn decode_all(mut d: Decoder, pieces: &[&[u8]], eof: bool) -> Result<Vec<Event>, Error> {
    let mut out = Vec::new();
    for p in pieces {
        d.feed(p);
        while let Some(e) = d.poll_event()? {
            out.push(e);
        }
    }
    if eof {
        d.finish();
        while let Some(e) = d.poll_event()? {
            out.push(e);
        }
    }
    Ok(out)
}

fn req(bytes: &[u8]) -> Result<Vec<Event>, Error> {
    decode_all(Decoder::request(Limits::default()), &[bytes], false)
}

fn res_to(method: Method, bytes: &[u8]) -> Result<Vec<Event>, Error> {
    let mut d = Decoder::response(Limits::default());
    d.expect_response(method);
    decode_all(d, &[bytes], true)
}

/// Body bytes and the events' shape, data merged.
fn body(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn simple_get() {
    let ev = req(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    assert_eq!(ev.len(), 2);
    let Event::Request(r) = &ev[0] else { panic!() };
    assert_eq!(
        (r.method.clone(), r.target.as_str(), r.version),
        (Method::Get, "/x", Version::Http11)
    );
    assert_eq!(r.headers.get("host"), Some(&b"a"[..]));
    assert_eq!(ev[1], Event::End);
}

#[test]
fn errors_and_statuses() {
    let cases: &[(&[u8], Error, u16)] = &[
        (b"GET / HTTP/1.1\r\n\r\n", Error::MissingHost, 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", Error::MultipleHost, 400),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", Error::WhitespaceBeforeColon, 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", Error::ObsFold, 400),
        (b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", Error::BareCr, 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Error::TransferEncodingWithContentLength, 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", Error::ChunkedNotFinal, 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", Error::UnsupportedTransferCoding, 501),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", Error::ConflictingContentLength, 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", Error::InvalidContentLength, 400),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", Error::UnsupportedVersion { major: 2, minor: 0 }, 505),
        (b"GET / http/1.1\r\nHost: a\r\n\r\n", Error::InvalidVersion, 400),
        (b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", Error::InvalidMethod, 400),
        (b"GET / HTTP/1.1\nHost: a\r\n\r\n", Error::BareLf, 400),
    ];
    for (bytes, want, status) in cases {
        let got = req(bytes).unwrap_err();
        assert_eq!(&got, want, "{}", String::from_utf8_lossy(bytes));
        assert_eq!(got.status(), *status);
    }
}

#[test]
fn identical_content_lengths_accepted() {
    let ev =
        req(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
            .unwrap();
    assert_eq!(body(&ev), b"abc");
}

#[test]
fn chunked_with_extensions_and_trailers() {
    let ev = req(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n").unwrap();
    assert_eq!(body(&ev), b"abc");
    let mut t = Headers::new();
    t.append("T", "1");
    assert_eq!(ev[ev.len() - 2], Event::Trailers(t));
    assert_eq!(ev[ev.len() - 1], Event::End);
}

#[test]
fn chunk_size_overflow() {
    let e = req(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
    )
    .unwrap_err();
    assert_eq!(e, Error::ChunkSizeOverflow);
}

#[test]
fn response_framing_rules() {
    let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    let ev = res_to(Method::Head, r).unwrap();
    assert_eq!(ev.len(), 2);
    for s in ["204 No Content", "304 Not Modified", "100 Continue"] {
        let bytes = format!("HTTP/1.1 {s}\r\nContent-Length: 5\r\n\r\n");
        let mut d = Decoder::response(Limits::default());
        d.feed(bytes.as_bytes());
        assert!(matches!(d.poll_event().unwrap(), Some(Event::Response(_))));
        assert_eq!(d.poll_event().unwrap(), Some(Event::End));
    }
    let ev = res_to(Method::Get, b"HTTP/1.1 200 OK\r\n\r\nuntil close").unwrap();
    assert_eq!(body(&ev), b"until close");
    assert_eq!(ev.last(), Some(&Event::End));
}

#[test]
fn persistence() {
    let mut d = Decoder::request(Limits::default());
    d.feed(b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    d.poll_event().unwrap();
    assert!(!d.keep_alive());
    let mut d = Decoder::request(Limits::default());
    d.feed(b"GET / HTTP/1.0\r\n\r\n");
    d.poll_event().unwrap();
    assert!(!d.keep_alive());
    let mut d = Decoder::request(Limits::default());
    d.feed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    d.poll_event().unwrap();
    assert!(d.keep_alive());
}

#[test]
fn pipelined_requests() {
    let ev = req(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    assert_eq!(ev.len(), 4);
}

#[test]
fn limits() {
    let l = Limits {
        max_start_line: 20,
        max_headers: 2,
        max_head_bytes: 200,
        max_field_size: 30,
        max_body: Some(4),
    };
    let run = |b: &[u8]| decode_all(Decoder::request(l), &[b], false);
    assert_eq!(
        run(b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            .unwrap_err()
            .status(),
        414
    );
    assert_eq!(
        run(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n").unwrap_err(),
        Error::TooManyHeaders { limit: 2 }
    );
    assert_eq!(
        run(b"GET / HTTP/1.1\r\nHost: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap_err(),
        Error::FieldTooLarge { limit: 30 }
    );
    assert_eq!(
        run(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
            .unwrap_err()
            .status(),
        413
    );
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    "[!-~]([ -~]{0,20}[!-~])?".prop_map(String::into_bytes)
}

fn fields() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec((token(), value()), 0..6).prop_map(|v| {
        v.into_iter()
            .filter(|(n, _)| {
                !["host", "content-length", "transfer-encoding", "connection"]
                    .iter()
                    .any(|x| n.eq_ignore_ascii_case(x))
            })
            .collect()
    })
}

prop_compose! {
    fn request()(method in token(), target in "/[!-~]{0,30}", fs in fields(),
                 chunked in any::<bool>(), body in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..4),
                 trailers in fields()) -> (Request, Vec<Vec<u8>>, Headers) {
        let mut r = Request::new(Method::from_token(&method).unwrap(), target);
        r.headers.append("Host", "example.com");
        for (n, v) in fs {
            r.headers.append(n, v);
        }
        let total: usize = body.iter().map(Vec::len).sum();
        let mut t = Headers::new();
        if chunked {
            r.headers.append("Transfer-Encoding", "chunked");
            for (n, v) in trailers {
                t.append(n, v);
            }
        } else {
            r.headers.append("Content-Length", total.to_string());
        }
        (r, body, t)
    }
}

fn emit(r: &Request, body: &[Vec<u8>], t: &Headers) -> Vec<u8> {
    let mut w = Vec::new();
    encode_request_head(r, &mut w).unwrap();
    let mut enc = BodyEncoder::for_request(r).unwrap();
    for b in body {
        enc.data(b, &mut w).unwrap();
    }
    enc.finish(t, &mut w).unwrap();
    w
}

fn expected(r: &Request, body: &[Vec<u8>], t: &Headers) -> (Request, Vec<u8>, Headers) {
    (r.clone(), body.concat(), t.clone())
}

fn collapse(ev: &[Event]) -> (Request, Vec<u8>, Headers) {
    let Event::Request(r) = &ev[0] else {
        panic!("{ev:?}")
    };
    let t = ev
        .iter()
        .find_map(|e| match e {
            Event::Trailers(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_default();
    assert_eq!(ev.last(), Some(&Event::End));
    (r.clone(), body(ev), t)
}

proptest! {
    #[test]
    fn parse_of_emit_is_identity((r, b, t) in request()) {
        let wire = emit(&r, &b, &t);
        let ev = req(&wire).unwrap();
        prop_assert_eq!(collapse(&ev), expected(&r, &b, &t));
    }

    #[test]
    fn every_split_parses_the_same((r, b, t) in request(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let wire = emit(&r, &b, &t);
        let mut at: Vec<usize> = cuts.iter().map(|i| i.index(wire.len() + 1)).collect();
        at.sort_unstable();
        let mut pieces = Vec::new();
        let mut prev = 0;
        for c in at {
            pieces.push(&wire[prev..c]);
            prev = c;
        }
        pieces.push(&wire[prev..]);
        let ev = decode_all(Decoder::request(Limits::default()), &pieces, false).unwrap();
        prop_assert_eq!(collapse(&ev), expected(&r, &b, &t));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), split in 0usize..600) {
        let s = split.min(bytes.len());
        for role in [true, false] {
            let d = if role { Decoder::request(Limits::default()) } else { Decoder::response(Limits::default()) };
            let _ = decode_all(d, &[&bytes[..s], &bytes[s..]], true);
        }
        let mut h = [HeaderRef::default(); 8];
        let _ = parse_request(&bytes, &mut h, &Limits::default());
        let _ = parse_response(&bytes, &mut h, &Limits::default());
    }

    #[test]
    fn buffer_stays_bounded(junk in prop::collection::vec(any::<u8>(), 0..4000)) {
        let l = Limits { max_start_line: 64, max_headers: 4, max_head_bytes: 256, max_field_size: 64, max_body: None };
        let mut d = Decoder::request(l);
        for piece in junk.chunks(7) {
            d.feed(piece);
            loop {
                match d.poll_event() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(_) => return Ok(()),
                }
            }
            prop_assert!(d.buffered() <= 256 + 2 + 7, "buffered {}", d.buffered());
        }
    }
}

fn merged(events: Result<Vec<Event>, Error>) -> Result<Vec<Event>, Error> {
    let mut out: Vec<Event> = Vec::new();
    for e in events? {
        match (e, out.last_mut()) {
            (Event::Data(d), Some(Event::Data(prev))) => prev.extend_from_slice(&d),
            (e, _) => out.push(e),
        }
    }
    Ok(out)
}

proptest! {
    /// What the fuzz target checks: any bytes, whole or split, decode alike.
    #[test]
    fn arbitrary_bytes_split_alike(
        prefix in prop::sample::select(vec![
            &b""[..],
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n",
        ]),
        junk in prop::collection::vec(prop::sample::select(b"\r\n :;0a9XG/HTTP1.\t\x00\xff".to_vec()), 0..200),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(&junk);
        let c = cut.index(bytes.len() + 1);
        for request in [true, false] {
            let new = || if request { Decoder::request(Limits::default()) } else { Decoder::response(Limits::default()) };
            let whole = merged(decode_all(new(), &[&bytes], true));
            let split = merged(decode_all(new(), &[&bytes[..c], &bytes[c..]], true));
            prop_assert_eq!(whole, split);
        }
    }
}
