//! Our sans-IO TCP as a script's stack under test, on a simulated clock:
//! time advances only to the next timer or the script's next event, so a
//! script with seconds of timeouts plays in microseconds.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use handshake_io::packet::{decode, encode};
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::Instant;

use super::parse::Call;
use super::{write_payload, Stack, SCRIPT_ADDR, SCRIPT_PORT, SUT_ADDR, SUT_PORT};

/// Our stack under test.
pub struct Ours {
    config: Config,
    now: Instant,
    isn: IsnGenerator,
    listener: Option<Listener>,
    conn: Option<Connection>,
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
            isn: IsnGenerator::new(key),
            listener: None,
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
        let mut segs: Vec<(SocketAddr, SegmentRepr<'static>, Vec<u8>)> = Vec::new();
        if let Some(c) = &mut self.conn {
            while let Some(t) = c.poll_transmit(now) {
                segs.push((c.remote(), t.header, t.payload));
            }
            while let Some(e) = c.poll_event() {
                match e {
                    Event::Connected => self.connected = true,
                    Event::Reset => self.reset = true,
                    Event::TimedOut => self.timed_out = true,
                    _ => {}
                }
            }
        }
        if let Some(l) = &mut self.listener {
            while let Some((r, t)) = l.poll_transmit(now) {
                segs.push((r, t.header, t.payload));
            }
        }
        for (remote, h, payload) in segs {
            let SocketAddr::V4(r) = remote else { continue };
            let seg = SegmentRepr {
                payload: &payload,
                ..h
            };
            if let Ok(b) = encode(SUT_ADDR, *r.ip(), &seg) {
                self.out.push_back((now, b));
            }
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        let c = self.conn.as_ref().and_then(Connection::poll_timeout);
        let l = self.listener.as_ref().and_then(Listener::poll_timeout);
        c.into_iter().chain(l).min()
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
            match self.next_timer() {
                Some(t) if t <= deadline => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    if let Some(c) = &mut self.conn {
                        c.handle_timeout(now);
                    }
                    if let Some(l) = &mut self.listener {
                        l.handle_timeout(now);
                    }
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
        let now = self.now;
        let Ok(d) = decode(&datagram) else { return };
        let seg = d.segment;
        let remote: SocketAddr = (d.src, seg.src_port).into();
        if let Some(c) = &mut self.conn {
            if c.remote() == remote
                && c.local().port() == seg.dst_port
                && c.state() != State::Closed
            {
                c.handle_segment(now, &seg);
                return;
            }
        }
        if let Some(l) = &mut self.listener {
            if seg.dst_port == SUT_PORT {
                l.handle_segment(now, remote, &seg);
                return;
            }
        }
        // RFC 9293 §3.10.7.1: CLOSED answers anything but a RST with a RST.
        if seg.flags.contains(TcpFlags::RST) {
            return;
        }
        let mut rst = SegmentRepr::new(seg.dst_port, seg.src_port, SeqNumber(0), TcpFlags::RST);
        if seg.flags.contains(TcpFlags::ACK) {
            rst.seq_number = seg.ack_number;
        } else {
            rst.flags |= TcpFlags::ACK;
            rst.ack_number = seg.seq_number + seg.segment_len() as u32;
        }
        if let Ok(b) = encode(SUT_ADDR, d.src, &rst) {
            self.out.push_back((now, b));
        }
    }

    fn call(&mut self, call: &Call) -> String {
        let now = self.now;
        self.collect();
        let ok = || "ok".to_string();
        match call.name.as_str() {
            "listen" => {
                self.listener = Some(Listener::new(
                    self.config.clone(),
                    Ours::sut(SUT_PORT),
                    self.isn.clone(),
                    16,
                ));
                ok()
            }
            "accept" => match self.listener.as_mut().and_then(Listener::accept) {
                Some(c) => {
                    self.conn = Some(c);
                    self.connected = true;
                    ok()
                }
                None => "EAGAIN".into(),
            },
            "connect" => {
                let (local, remote) = (Ours::sut(50000), (SCRIPT_ADDR, SCRIPT_PORT).into());
                self.conn = Some(Connection::connect_keyed(
                    self.config.clone(),
                    local,
                    remote,
                    now,
                    &self.isn,
                ));
                ok()
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
                match &mut self.conn {
                    _ if self.reset => "ECONNRESET".into(),
                    Some(c) => c.send(&data).to_string(),
                    None => "ENOTCONN".into(),
                }
            }
            "read" => {
                let mut buf = vec![0u8; call.arg.unwrap_or(0) as usize];
                match &mut self.conn {
                    _ if self.reset => "ECONNRESET".into(),
                    Some(c) => match c.recv(&mut buf) {
                        0 if c.recv_finished() => "EOF".into(),
                        0 => "EAGAIN".into(),
                        n => n.to_string(),
                    },
                    None => "ENOTCONN".into(),
                }
            }
            "shutdown" | "close" => {
                if let Some(c) = &mut self.conn {
                    c.close();
                }
                if call.name == "close" && self.conn.is_none() {
                    self.listener = None;
                }
                ok()
            }
            "abort" => {
                if let Some(c) = &mut self.conn {
                    c.abort();
                }
                ok()
            }
            "state" => {
                let s = self.conn.as_ref().map_or(State::Closed, Connection::state);
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
            diverges_at(&format!("{OPEN}+0 > S. 0:0(0) ack 1 win ~ <mss 1460>\n")),
            None
        );
    }

    #[test]
    fn each_field_is_checked() {
        for wrong in [
            "+0 > S. 0:0(0) ack 2 win ~ <mss 1460>",
            "+0 > S 0:0(0) win ~ <mss 1460>",
            "+0 > S. 0:0(0) ack 1 win 1 <mss 1460>",
            "+0 > S. 0:0(0) ack 1 win ~ <mss 1400>",
            "+0 > S. 0:0(0) ack 1 win ~",
            "+0 > S. 0:0(0) ack 1 win ~ <mss 1460,sackOK>",
            "+1 > S. 0:0(0) ack 1 win ~ <mss 1460>",
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
