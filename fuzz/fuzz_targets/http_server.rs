//! HTTP/1.1: arbitrary bytes into the server connection driver, answered
//! request by request; it never panics, and a failure leaves an error
//! response queued and the connection closing.
#![no_main]

use handshake_http::{server::Connection, Event, Limits, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut s = Connection::new(Limits::default());
    s.handle_input(data);
    s.handle_eof();
    // Bounded: each request needs input bytes, so at most data.len() rounds.
    for _ in 0..=data.len() {
        match s.poll_event() {
            Ok(Some(Event::End)) => {
                let _ = s.send_response(&Response::new(200, "OK"), b"ok");
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) => {
                if s.unanswered() == 0 {
                    assert!(s.is_closed());
                }
                break;
            }
        }
    }
    let _ = s.poll_transmit();
});
