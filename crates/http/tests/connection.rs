//! The client and server connection drivers, alone and paired in memory.

use handshake_http::{client, server, Error, Event, Headers, Limits, Method, Request, Response};
use proptest::prelude::*;

fn get(target: &str) -> Request {
    let mut r = Request::new(Method::Get, target);
    r.headers.append("Host", "example.com");
    r
}

fn drain_client(c: &mut client::Connection) -> Result<Vec<Event>, Error> {
    let mut out = Vec::new();
    while let Some(e) = c.poll_event()? {
        out.push(e);
    }
    Ok(out)
}

fn drain_server(s: &mut server::Connection) -> Result<Vec<Event>, Error> {
    let mut out = Vec::new();
    while let Some(e) = s.poll_event()? {
        out.push(e);
    }
    Ok(out)
}

fn sent(c: &mut client::Connection) -> Vec<u8> {
    c.poll_transmit().unwrap_or_default()
}

#[test]
fn keep_alive_two_requests() {
    let mut c = client::Connection::new(Limits::default());
    c.send_request(&get("/1"), b"").unwrap();
    assert_eq!(
        sent(&mut c),
        b"GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
    );
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
    let ev = drain_client(&mut c).unwrap();
    assert_eq!(ev.len(), 3);
    assert!(c.is_reusable() && c.is_idle());
    c.send_request(&get("/2"), b"").unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n");
    let ev = drain_client(&mut c).unwrap();
    assert_eq!(ev[1], Event::Data(b"two".to_vec()));
    assert_eq!(ev.last(), Some(&Event::End));
    assert!(c.is_reusable());
}

#[test]
fn close_sent_stops_further_requests() {
    let mut c = client::Connection::new(Limits::default());
    let mut r = get("/");
    r.headers.append("Connection", "close");
    c.send_request(&r, b"").unwrap();
    assert!(!c.is_reusable());
    assert!(c.send_request(&get("/again"), b"").is_err());
}

#[test]
fn close_received_stops_further_requests() {
    let mut c = client::Connection::new(Limits::default());
    c.send_request(&get("/"), b"").unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    drain_client(&mut c).unwrap();
    assert!(!c.is_reusable());
}

#[test]
fn head_response_has_no_body() {
    let mut c = client::Connection::new(Limits::default());
    let mut r = get("/");
    r.method = Method::Head;
    c.send_request(&r, b"").unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    let ev = drain_client(&mut c).unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1], Event::End);
    assert!(c.is_idle() && c.is_reusable());
}

#[test]
fn interim_then_final() {
    let mut c = client::Connection::new(Limits::default());
    c.send_request(&get("/"), b"").unwrap();
    c.handle_input(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    let ev = drain_client(&mut c).unwrap();
    assert_eq!(ev.len(), 4);
    assert!(matches!(&ev[2], Event::Response(r) if r.status == 204));
    assert!(c.is_idle());
}

#[test]
fn body_until_close() {
    let mut c = client::Connection::new(Limits::default());
    c.send_request(&get("/"), b"").unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\n\r\nabc");
    let ev = drain_client(&mut c).unwrap();
    assert_eq!(ev.len(), 2);
    c.handle_eof();
    assert_eq!(drain_client(&mut c).unwrap(), vec![Event::End]);
    assert!(!c.is_reusable());
}

#[test]
fn truncated_response_is_an_error() {
    let mut c = client::Connection::new(Limits::default());
    c.send_request(&get("/"), b"").unwrap();
    c.handle_input(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
    drain_client(&mut c).unwrap();
    c.handle_eof();
    assert_eq!(drain_client(&mut c), Err(Error::IncompleteMessage));
}

#[test]
fn post_body_gets_content_length() {
    let mut c = client::Connection::new(Limits::default());
    let mut r = get("/");
    r.method = Method::Post;
    c.send_request(&r, b"data").unwrap();
    assert_eq!(
        sent(&mut c),
        b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\n\r\ndata"
    );
}

#[test]
fn server_answers_in_order_and_closes_on_request() {
    let mut s = server::Connection::new(Limits::default());
    s.handle_input(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    let ev = drain_server(&mut s).unwrap();
    assert_eq!(ev.len(), 4);
    assert_eq!(s.unanswered(), 2);
    s.send_response(&Response::new(200, "OK"), b"1").unwrap();
    assert!(!s.is_closed());
    s.send_response(&Response::new(200, "OK"), b"2").unwrap();
    assert!(s.is_closed());
    assert_eq!(
        s.poll_transmit().unwrap(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n2".to_vec()
    );
}

#[test]
fn server_head_sends_length_without_body() {
    let mut s = server::Connection::new(Limits::default());
    s.handle_input(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
    drain_server(&mut s).unwrap();
    s.send_response(&Response::new(200, "OK"), b"hello")
        .unwrap();
    assert_eq!(
        s.poll_transmit().unwrap(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".to_vec()
    );
}

#[test]
fn server_error_statuses() {
    for (input, status) in [
        (&b"GET / HTTP/1.1\r\n\r\n"[..], 400),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
        ),
    ] {
        let mut s = server::Connection::new(Limits::default());
        s.handle_input(input);
        assert!(drain_server(&mut s).is_err());
        let out = s.poll_transmit().unwrap();
        let want = format!("HTTP/1.1 {status} ");
        assert!(
            out.starts_with(want.as_bytes()),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert!(s.is_closed());
    }
    let limits = Limits {
        max_body: Some(3),
        max_headers: 2,
        ..Limits::default()
    };
    for (input, status) in [
        (
            &b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n"[..],
            413,
        ),
        (b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", 431),
    ] {
        let mut s = server::Connection::new(limits);
        s.handle_input(input);
        assert!(drain_server(&mut s).is_err());
        let out = s.poll_transmit().unwrap();
        assert!(out.starts_with(format!("HTTP/1.1 {status} ").as_bytes()));
    }
}

#[test]
fn server_error_waits_for_earlier_response() {
    let mut s = server::Connection::new(Limits::default());
    s.handle_input(b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
    assert!(drain_server(&mut s).is_err());
    assert!(s.poll_transmit().is_none());
    s.send_response(&Response::new(200, "OK"), b"").unwrap();
    let out = String::from_utf8(s.poll_transmit().unwrap()).unwrap();
    assert!(out.starts_with("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 400 "));
    assert!(s.is_closed());
}

#[test]
fn server_closes_after_client_eof() {
    let mut s = server::Connection::new(Limits::default());
    s.handle_input(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    drain_server(&mut s).unwrap();
    s.handle_eof();
    assert!(!s.is_closed());
    s.send_response(&Response::new(204, "No Content"), b"")
        .unwrap();
    assert!(s.is_closed());
}

/// A client and a server exchanging `n` requests in memory.
fn exchange(bodies: &[Vec<u8>], chunked: bool) -> Vec<Vec<u8>> {
    let mut c = client::Connection::new(Limits::default());
    let mut s = server::Connection::new(Limits::default());
    let mut got = Vec::new();
    for body in bodies {
        c.send_request(&get("/"), b"").unwrap();
        s.handle_input(&sent(&mut c));
        drain_server(&mut s).unwrap();
        if chunked {
            let mut res = Response::new(200, "OK");
            res.headers.append("Transfer-Encoding", "chunked");
            s.start_response(&res).unwrap();
            for piece in body.chunks(7) {
                s.send_data(piece).unwrap();
            }
            s.finish_response(&Headers::new()).unwrap();
        } else {
            s.send_response(&Response::new(200, "OK"), body).unwrap();
        }
        c.handle_input(&s.poll_transmit().unwrap());
        let data: Vec<u8> = drain_client(&mut c)
            .unwrap()
            .into_iter()
            .filter_map(|e| match e {
                Event::Data(d) => Some(d),
                _ => None,
            })
            .flatten()
            .collect();
        got.push(data);
    }
    got
}

proptest! {
    #[test]
    fn pair_round_trip(bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 1..5), chunked in any::<bool>()) {
        prop_assert_eq!(exchange(&bodies, chunked), bodies);
    }

    /// Every split of a response stream gives the same events (data merged).
    #[test]
    fn client_split_invariant(cut in 0usize..200, body in proptest::collection::vec(any::<u8>(), 1..40)) {
        let mut wire = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n", body.len()).into_bytes();
        wire.extend_from_slice(&body);
        wire.extend_from_slice(b"\r\n0\r\n\r\n");
        wire.extend_from_slice(b"HTTP/1.1 304 Not Modified\r\n\r\n");
        let run = |pieces: &[&[u8]]| {
            let mut c = client::Connection::new(Limits::default());
            c.send_request(&get("/a"), b"").unwrap();
            c.send_request(&get("/b"), b"").unwrap();
            let mut ev = Vec::new();
            for p in pieces {
                c.handle_input(p);
                ev.extend(drain_client(&mut c).unwrap());
            }
            (merge(ev), c.is_idle())
        };
        let cut = cut.min(wire.len());
        prop_assert_eq!(run(&[&wire]), run(&[&wire[..cut], &wire[cut..]]));
        prop_assert!(run(&[&wire]).1);
    }

    /// Arbitrary bytes from a server never panic the client.
    #[test]
    fn client_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut c = client::Connection::new(Limits::default());
        c.send_request(&get("/"), b"").unwrap();
        c.handle_input(&bytes);
        let _ = drain_client(&mut c);
        c.handle_eof();
        let _ = drain_client(&mut c);
    }

    /// Arbitrary bytes from a client never panic the server, and any error
    /// leaves an error response queued and the connection closing.
    #[test]
    fn server_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut s = server::Connection::new(Limits::default());
        s.handle_input(&bytes);
        if drain_server(&mut s).is_err() && s.unanswered() == 0 {
            prop_assert!(s.is_closed());
            prop_assert!(s.poll_transmit().is_some());
        }
    }
}

fn merge(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        match (out.last_mut(), e) {
            (Some(Event::Data(a)), Event::Data(b)) => a.extend(b),
            (_, e) => out.push(e),
        }
    }
    out
}
