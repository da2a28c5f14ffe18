//! Our sans-IO TCP as a script's stack under test, on a simulated clock:
//! time advances only to the next timer or the script's next event, so a
//! script with seconds of timeouts plays in microseconds.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use handshake_io::packet::{decode, encode};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, State};
use handshake_tcp::endpoint::{ConnHandle, Endpoint};
use handshake_time::Instant;

use super::parse::Call;
use super::{write_payload, Stack, SCRIPT_ADDR, SCRIPT_PORT, SUT_ADDR, SUT_PORT};

/// Our stack under test: one [`Endpoint`], which routes every injected
/// segment (a closed port's RST included) as a host would.
pub struct Ours {
    config: Config,
    now: Instant,
    endpoint: Endpoint,
    conn: Option<ConnHandle>,
    out: VecDeque<(Instant, Vec<u8>)>,
    connected: bool,
    reset: bool,
    timed_out: bool,
}

impl Ours {
    /// A stack with `config` for its connections, ISNs keyed by `seed`.
    pub fn new(config: Config, seed: u64) -> Ours {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        Ours {
            config,
            now: Instant::ZERO,
            endpoint: Endpoint::new(IsnGenerator::new(key)),
            conn: None,
            out: VecDeque::new(),
            connected: false,
            reset: false,
            timed_out: false,
        }
    }

    fn sut(port: u16) -> SocketAddr {
        (SUT_ADDR, port).into()
    }

    fn collect(&mut self) {
        let now = self.now;
        if let Some(c) = self.conn.and_then(|h| self.endpoint.conn_mut(h)) {
            while let Some(e) = c.poll_event() {
                match e {
                    Event::Connected => self.connected = true,
                    Event::Reset => self.reset = true,
                    Event::TimedOut => self.timed_out = true,
                    _ => {}
                }
            }
        }
        while let Some(o) = self.endpoint.poll_transmit(now) {
            let (SocketAddr::V4(src), SocketAddr::V4(dst)) = (o.src, o.dst) else {
                continue;
            };
            if let Ok(b) = encode(*src.ip(), *dst.ip(), &o.segment.repr()) {
                self.out.push_back((now, b));
            }
        }
    }

    fn connection(&mut self) -> Option<&mut Connection> {
        self.endpoint.conn_mut(self.conn?)
    }
}

fn dur(t: Instant) -> Duration {
    Duration::from_nanos(t.as_nanos())
}

fn inst(d: Duration) -> Instant {
    Instant::from_nanos(d.as_nanos() as u64)
}

/// The name `ss` gives a state.
pub fn state_name(s: State) -> &'static str {
    match s {
        State::Closed => "CLOSED",
        State::Listen => "LISTEN",
        State::SynSent => "SYN-SENT",
        State::SynReceived => "SYN-RECV",
        State::Established => "ESTAB",
        State::FinWait1 => "FIN-WAIT-1",
        State::FinWait2 => "FIN-WAIT-2",
        State::CloseWait => "CLOSE-WAIT",
        State::Closing => "CLOSING",
        State::LastAck => "LAST-ACK",
        State::TimeWait => "TIME-WAIT",
    }
}

impl Stack for Ours {
    fn name(&self) -> &'static str {
        "ours"
    }

    fn now(&self) -> Duration {
        dur(self.now)
    }

    fn next_output(&mut self, deadline: Duration) -> Option<(Duration, Vec<u8>)> {
        let deadline = inst(deadline);
        // Bounded: every round either returns, or moves the clock to a timer.
        for _ in 0..10_000 {
            self.collect();
            if let Some((t, b)) = self.out.pop_front() {
                return Some((dur(t), b));
            }
            match self.endpoint.poll_timeout() {
                Some(t) if t <= deadline => {
                    self.now = self.now.max(t);
                    self.endpoint.handle_timeout(self.now);
                }
                _ => {
                    self.now = self.now.max(deadline);
                    return None;
                }
            }
        }
        None
    }

    fn inject(&mut self, datagram: Vec<u8>) {
        let Ok(d) = decode(&datagram) else { return };
        // The endpoint routes it: the connection, the listener, or RFC 9293
        // §3.10.7.1's RST for a closed port.
        self.endpoint
            .handle_segment(self.now, d.src.into(), d.dst.into(), &d.segment);
    }

    fn call(&mut self, call: &Call) -> String {
        let now = self.now;
        self.collect();
        let ok = || "ok".to_string();
        match call.name.as_str() {
            "listen" => match self
                .endpoint
                .listen(self.config.clone(), Ours::sut(SUT_PORT), 16)
            {
                Ok(()) => ok(),
                Err(e) => e.to_string(),
            },
            "accept" => match self.endpoint.accept(Ours::sut(SUT_PORT)) {
                Some(c) => {
                    self.conn = Some(c);
                    self.connected = true;
                    ok()
                }
                None => "EAGAIN".into(),
            },
            "connect" => {
                let (local, remote) = (Ours::sut(50000), (SCRIPT_ADDR, SCRIPT_PORT).into());
                match self
                    .endpoint
                    .connect(self.config.clone(), local, remote, now)
                {
                    Ok(h) => {
                        self.conn = Some(h);
                        ok()
                    }
                    Err(e) => e.to_string(),
                }
            }
            "connected" => {
                if self.connected {
                    ok()
                } else if self.reset {
                    "ECONNREFUSED".into()
                } else if self.timed_out {
                    "ETIMEDOUT".into()
                } else {
                    "EINPROGRESS".into()
                }
            }
            "write" => {
                let data = write_payload(call.arg.unwrap_or(0));
                let reset = self.reset;
                match self.connection() {
                    _ if reset => "ECONNRESET".into(),
                    Some(c) => c.send(&data).to_string(),
                    None => "ENOTCONN".into(),
                }
            }
            "read" => {
                let mut buf = vec![0u8; call.arg.unwrap_or(0) as usize];
                let reset = self.reset;
                match self.connection() {
                    _ if reset => "ECONNRESET".into(),
                    Some(c) => match c.recv(&mut buf) {
                        0 if c.recv_finished() => "EOF".into(),
                        0 => "EAGAIN".into(),
                        n => n.to_string(),
                    },
                    None => "ENOTCONN".into(),
                }
            }
            "shutdown" | "close" => {
                if let Some(c) = self.connection() {
                    c.close();
                }
                if call.name == "close" && self.conn.is_none() {
                    let _ = self.endpoint.unlisten(Ours::sut(SUT_PORT));
                }
                ok()
            }
            "abort" => {
                if let Some(c) = self.connection() {
                    c.abort();
                }
                ok()
            }
            "state" => {
                let conn = self.conn.and_then(|h| self.endpoint.conn(h));
                let s = conn.map_or(State::Closed, Connection::state);
                let name = state_name(s);
                if Some(name) == call.text.as_deref() {
                    ok()
                } else {
                    name.into()
                }
            }
            other => format!("unknown call {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::parse::parse;
    use crate::script::play;

    fn diverges_at(text: &str) -> Option<usize> {
        let s = parse(text).unwrap();
        play(&s, &mut Ours::new(Config::default(), 1), Duration::ZERO)
            .divergence
            .map(|(line, _)| line)
    }

    const OPEN: &str = "0 listen = ok\n+0 < S 0:0(0) win 65535 <mss 1460>\n";

    #[test]
    fn a_faithful_script_passes() {
        assert_eq!(
            diverges_at(&format!("{OPEN}+0 > S. 0:0(0) ack 1 win >=1 <mss 1460>\n")),
            None
        );
    }

    #[test]
    fn each_field_is_checked() {
        for wrong in [
            "+0 > S. 0:0(0) ack 2 win >=1 <mss 1460>",
            "+0 > S 0:0(0) win >=1 <mss 1460>",
            "+0 > S. 0:0(0) ack 1 win 1 <mss 1460>",
            "+0 > S. 0:0(0) ack 1 win >=1 <mss 1400>",
            "+0 > S. 0:0(0) ack 1 win >=1",
            "+0 > S. 0:0(0) ack 1 win >=1 <mss 1460,sackOK>",
            "+1 > S. 0:0(0) ack 1 win >=1 <mss 1460>",
        ] {
            assert_eq!(diverges_at(&format!("{OPEN}{wrong}\n")), Some(3), "{wrong}");
        }
    }

    #[test]
    fn an_unscripted_segment_is_a_divergence() {
        // The SYN-ACK goes out but the script injects before expecting it.
        assert_eq!(
            diverges_at(&format!("{OPEN}+0.1 < . 1:1(0) ack 1 win 65535\n")),
            Some(3)
        );
    }

    #[test]
    fn a_wrong_call_result_is_a_divergence() {
        assert_eq!(diverges_at("0 listen = ok\n+0 accept = ok\n"), Some(2));
    }
}
