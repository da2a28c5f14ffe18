//! HTTP/1.1: arbitrary bytes through the request and response decoders, fed
//! whole and split at the first byte's position; both feedings give the
//! same events (or both fail), and the zero-copy head parsers never panic.
#![no_main]

use handshake_http::{parse_request, parse_response, Decoder, Event, HeaderRef, Limits};
use libfuzzer_sys::fuzz_target;

fn run(mut d: Decoder, pieces: &[&[u8]]) -> Result<Vec<Event>, handshake_http::Error> {
    let mut out = Vec::new();
    for p in pieces {
        d.feed(p);
        while let Some(e) = d.poll_event()? {
            out.push(e);
        }
    }
    d.finish();
    while let Some(e) = d.poll_event()? {
        out.push(e);
    }
    Ok(out)
}

/// Body pieces merged, so events compare whatever the split.
fn merged(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        match (e, out.last_mut()) {
            (Event::Data(d), Some(Event::Data(prev))) => prev.extend_from_slice(&d),
            (e, _) => out.push(e),
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let split = data
        .first()
        .map_or(0, |&b| usize::from(b) % (data.len() + 1));
    for request in [true, false] {
        let new = || {
            if request {
                Decoder::request(Limits::default())
            } else {
                Decoder::response(Limits::default())
            }
        };
        let whole = run(new(), &[data]).map(merged);
        let parts = run(new(), &[&data[..split], &data[split..]]).map(merged);
        match (whole, parts) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(a, b),
            (a, b) => panic!("whole {a:?} split {b:?}"),
        }
    }
    let mut h = [HeaderRef::default(); 32];
    let _ = parse_request(data, &mut h, &Limits::default());
    let _ = parse_response(data, &mut h, &Limits::default());
});
