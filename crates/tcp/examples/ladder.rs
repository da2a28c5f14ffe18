//! Two sans-IO TCP endpoints in one process: a client `Connection` and a
//! server `Listener` joined by an in-memory link with 10 ms of one-way
//! delay. They shake hands, exchange a request and a reply, and close; every
//! segment goes through its wire form (emitted with its checksum, parsed and
//! verified on arrival) and is printed as a ladder diagram, with relative
//! sequence numbers as tcpdump prints them.
//!
//! ```sh
//! cargo run -p handshake-tcp --example ladder
//! ```
//!
//! Nothing here touches the network or reads a clock: the loop below is the
//! whole of what an I/O adapter does (feed segments and time in, drain
//! segments and timer deadlines out), with a simulated clock that jumps from
//! one event to the next, so the 2*MSL TIME-WAIT at the end takes no time.

use std::net::{IpAddr, SocketAddr};

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_tcp::conn::{Config, Connection, Event, IsnGenerator, Listener, State, Transmit};
use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

const REQUEST: &[u8] = b"hello from the client";
const REPLY: &[u8] = b"hello from the server";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// A segment on the link: when it arrives, who sent it, its bytes.
struct InFlight {
    arrives: Instant,
    from: Side,
    bytes: Vec<u8>,
}

struct Link {
    latency: Duration,
    in_flight: Vec<InFlight>,
    /// Each side's initial sequence number, once its SYN has been seen, for
    /// printing relative numbers.
    isn: [Option<SeqNumber>; 2],
    /// The state last printed in each side's column.
    shown: [State; 2],
}

fn main() -> Result<(), handshake_tcp::Error> {
    // RFC 5737 TEST-NET-1 addresses: they only name the two ends here.
    let client_addr = SocketAddr::from(([192, 0, 2, 1], 49152));
    let server_addr = SocketAddr::from(([192, 0, 2, 2], 80));
    let mut now = Instant::ZERO;

    // RFC 6528 initial sequence numbers from a keyed hash. A program keys the
    // generator once from the OS CSPRNG (`IsnGenerator::from_rng`); fixed
    // keys keep this run reproducible.
    let client_isn = IsnGenerator::new([1; 32]).isn(now, client_addr, server_addr);
    let mut client =
        Connection::connect(Config::default(), client_addr, server_addr, now, client_isn);
    let mut listener = Listener::new(
        Config::default(),
        server_addr,
        IsnGenerator::new([2; 32]),
        16,
    );
    let mut server: Option<Connection> = None;

    let mut link = Link {
        latency: Duration::from_millis(10),
        in_flight: Vec::new(),
        isn: [None, None],
        shown: [State::Closed, State::Listen],
    };
    let (mut request, mut reply) = (Vec::new(), Vec::new());
    let mut buf = [0u8; 1500];

    println!(
        "{:>9}  {:<44}{:>43}",
        "time",
        format!("client {client_addr}"),
        format!("server {server_addr}")
    );
    for _ in 0..1000 {
        // What the protocol sends by itself in answer to what arrived
        // (handshake replies, immediate ACKs), before the application runs.
        flush(now, &mut link, &mut client, &mut server, &mut listener)?;

        // The application: the client sends its request once connected,
        // reads the reply and closes; the server reads the request, replies,
        // and closes when the client has.
        while let Some(e) = client.poll_event() {
            link.note(now, Side::Client, &format!("Event::{e:?}"));
            if e == Event::Connected {
                client.send(REQUEST);
            }
        }
        read_all(&mut client, &mut buf, &mut reply);
        if reply.len() == REPLY.len() && client.state() == State::Established {
            link.note(now, Side::Client, &format!("read {:?}", utf8(&reply)));
            client.close();
        }
        if let Some(s) = server.as_mut() {
            while let Some(e) = s.poll_event() {
                link.note(now, Side::Server, &format!("Event::{e:?}"));
                if e == Event::PeerClosed {
                    s.close();
                }
            }
            let had = request.len();
            read_all(s, &mut buf, &mut request);
            if had < REQUEST.len() && request.len() == REQUEST.len() {
                link.note(now, Side::Server, &format!("read {:?}", utf8(&request)));
                s.send(REPLY);
            }
        }

        // What the application's calls made the connections send.
        flush(now, &mut link, &mut client, &mut server, &mut listener)?;

        // Jump to the next thing that happens: an arrival or a timer.
        let next = link
            .in_flight
            .iter()
            .map(|f| f.arrives)
            .chain(client.poll_timeout())
            .chain(server.as_ref().and_then(Connection::poll_timeout))
            .chain(listener.poll_timeout())
            .min();
        let Some(next) = next else { break };
        now = now.max(next);

        // Deliver what has arrived, parsing and verifying each segment.
        let (due, later) = link.in_flight.drain(..).partition(|f| f.arrives <= now);
        link.in_flight = later;
        for f in due {
            let (src, dst) = match f.from {
                Side::Client => (client_addr, server_addr),
                Side::Server => (server_addr, client_addr),
            };
            let segment = Segment::new_checked(&f.bytes[..])?;
            let repr =
                SegmentRepr::parse(&segment, &pseudo_header(src, dst), ChecksumMode::Verify)?;
            match (f.from, server.as_mut()) {
                (Side::Server, _) => client.handle_segment(now, &repr),
                (Side::Client, Some(s)) => s.handle_segment(now, &repr),
                (Side::Client, None) => {
                    listener.handle_segment(now, client_addr, &repr);
                    server = listener.accept();
                }
            }
        }

        // Run the timers that are due (retransmission, delayed ACK, TIME-WAIT).
        if client.poll_timeout().is_some_and(|t| t <= now) {
            client.handle_timeout(now);
        }
        if let Some(s) = server.as_mut() {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
        }
        if listener.poll_timeout().is_some_and(|t| t <= now) {
            listener.handle_timeout(now);
        }
    }

    let server = server.expect("the listener accepted the connection");
    let stats = client.stats();
    println!(
        "\nclient {:?}, server {:?}; the client measured srtt {:?} over {} segments sent, {} received",
        client.state(),
        server.state(),
        stats.srtt.unwrap_or_default(),
        stats.segments_sent,
        stats.segments_received,
    );
    assert_eq!(
        (client.state(), server.state()),
        (State::Closed, State::Closed)
    );
    assert_eq!((&request[..], &reply[..]), (REQUEST, REPLY));
    Ok(())
}

/// Drains every segment the three endpoints want to send onto the link.
fn flush(
    now: Instant,
    link: &mut Link,
    client: &mut Connection,
    server: &mut Option<Connection>,
    listener: &mut Listener,
) -> Result<(), handshake_tcp::Error> {
    let (c, s) = (client.local(), client.remote());
    while let Some(t) = client.poll_transmit(now) {
        link.send(now, Side::Client, client.state(), &t, c, s)?;
    }
    if let Some(server) = server.as_mut() {
        while let Some(t) = server.poll_transmit(now) {
            link.send(now, Side::Server, server.state(), &t, s, c)?;
        }
    }
    while let Some((_, t)) = listener.poll_transmit(now) {
        link.send(now, Side::Server, State::SynReceived, &t, s, c)?;
    }
    // State changes that no segment showed (a FIN acknowledged, TIME-WAIT over).
    link.show_state(now, Side::Client, client.state());
    if let Some(server) = server.as_ref() {
        link.show_state(now, Side::Server, server.state());
    }
    Ok(())
}

impl Link {
    /// Emits `t` to bytes (checksum filled) and puts it on the link.
    fn send(
        &mut self,
        now: Instant,
        from: Side,
        state: State,
        t: &Transmit,
        src: SocketAddr,
        dst: SocketAddr,
    ) -> Result<(), handshake_tcp::Error> {
        let bytes = t.to_bytes(&pseudo_header(src, dst))?;
        let i = from as usize;
        if t.header.flags.contains(TcpFlags::SYN) {
            self.isn[i] = Some(t.header.seq_number);
        }
        self.shown[i] = state;
        let text = describe(&t.repr(), self.isn[i], self.isn[1 - i]);
        match from {
            Side::Client => println!("{}  {:<12} {text:-<60}>", secs(now), name(state)),
            Side::Server => println!("{}  {:<12} <{text:->60} {:>12}", secs(now), "", name(state)),
        }
        self.in_flight.push(InFlight {
            arrives: now + self.latency,
            from,
            bytes,
        });
        Ok(())
    }

    /// A line in one side's column.
    fn note(&self, now: Instant, side: Side, what: &str) {
        match side {
            Side::Client => println!("{}  {what}", secs(now)),
            Side::Server => println!("{}  {what:>87}", secs(now)),
        }
    }

    fn show_state(&mut self, now: Instant, side: Side, state: State) {
        if self.shown[side as usize] != state {
            self.shown[side as usize] = state;
            self.note(now, side, name(state));
        }
    }
}

/// tcpdump's summary of a segment: flags, relative seq and ack, window,
/// length and, on a SYN, the options.
fn describe(
    s: &SegmentRepr<'_>,
    own_isn: Option<SeqNumber>,
    peer_isn: Option<SeqNumber>,
) -> String {
    let rel = |n: SeqNumber, isn: Option<SeqNumber>| n.0.wrapping_sub(isn.map_or(0, |i| i.0));
    let mut text = format!(" {} seq {}", flags(s.flags), rel(s.seq_number, own_isn));
    if s.flags.contains(TcpFlags::ACK) {
        text += &format!(" ack {}", rel(s.ack_number, peer_isn));
    }
    text += &format!(" win {}", s.window);
    if !s.payload.is_empty() {
        text += &format!(" len {}", s.payload.len());
    }
    if s.flags.contains(TcpFlags::SYN) {
        let o = &s.options;
        let mut opts = Vec::new();
        if let Some(mss) = o.mss {
            opts.push(format!("mss {mss}"));
        }
        if o.sack_permitted {
            opts.push("sackOK".into());
        }
        if o.timestamps.is_some() {
            opts.push("TS".into());
        }
        if let Some(ws) = o.window_scale {
            opts.push(format!("wscale {ws}"));
        }
        text += &format!(" <{}>", opts.join(","));
    }
    text + " "
}

/// Flags as tcpdump letters: S, F, R, P, and `.` for ACK.
fn flags(f: TcpFlags) -> String {
    [
        (TcpFlags::SYN, 'S'),
        (TcpFlags::FIN, 'F'),
        (TcpFlags::RST, 'R'),
        (TcpFlags::PSH, 'P'),
        (TcpFlags::ACK, '.'),
    ]
    .iter()
    .filter(|(flag, _)| f.contains(*flag))
    .map(|(_, c)| *c)
    .collect()
}

/// RFC 9293's name for a state.
fn name(s: State) -> &'static str {
    match s {
        State::Closed => "CLOSED",
        State::Listen => "LISTEN",
        State::SynSent => "SYN-SENT",
        State::SynReceived => "SYN-RECEIVED",
        State::Established => "ESTABLISHED",
        State::FinWait1 => "FIN-WAIT-1",
        State::FinWait2 => "FIN-WAIT-2",
        State::CloseWait => "CLOSE-WAIT",
        State::Closing => "CLOSING",
        State::LastAck => "LAST-ACK",
        State::TimeWait => "TIME-WAIT",
    }
}

fn pseudo_header(src: SocketAddr, dst: SocketAddr) -> PseudoHeader {
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => PseudoHeader::V4 { src, dst },
        (IpAddr::V6(src), IpAddr::V6(dst)) => PseudoHeader::V6 { src, dst },
        _ => unreachable!("both ends are IPv4 here"),
    }
}

fn read_all(c: &mut Connection, buf: &mut [u8], out: &mut Vec<u8>) {
    loop {
        let n = c.recv(buf);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn secs(t: Instant) -> String {
    format!("{:>7.3} s", t.as_nanos() as f64 / 1e9)
}

fn utf8(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
