//! A client connection and a server [`Endpoint`] joined by an in-memory
//! link with a controllable clock (quinn-proto's test pair): for tests,
//! conformance cases and examples, behind the crate's `testing` feature.
//!
//! The client side holds one connection and nothing else, so every segment
//! for it is its own; the server side is an [`Endpoint`] with a listener on
//! [`server_addr`], which routes each segment (and answers those for no
//! connection). The pair accepts the server's connection as soon as it is
//! established.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;

use handshake_time::{Duration, Instant};

use super::{Config, Connection, IsnGenerator, Transmit};
use crate::endpoint::{ConnHandle, Endpoint};
use crate::wire::{Segment, SegmentRepr, SeqNumber};

/// Which end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The active opener.
    Client,
    /// The passive opener (or the second active opener).
    Server,
}

/// What the link does with one segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Deliver after the link latency.
    Deliver,
    /// Lose it.
    Drop,
    /// Deliver it twice.
    Duplicate,
    /// Deliver it this much later than the latency (reordering).
    Delay(Duration),
    /// Deliver it with Congestion Experienced in its IP header if it is
    /// ECN-capable, as a router marks instead of dropping (RFC 3168 §5); a
    /// Not-ECT segment is delivered unchanged.
    MarkCe,
}

/// Decides each segment's fate from its sender, its index among that
/// sender's segments (0-based) and the segment.
pub type FateFn = Box<dyn FnMut(Side, u64, &Transmit) -> Fate>;

/// A client and a server over an in-memory link.
///
/// ```
/// use handshake_tcp::conn::pair::Pair;
/// use handshake_tcp::conn::{Config, State};
/// use handshake_tcp::wire::SeqNumber;
/// let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(7));
/// p.run_until_idle();
/// assert_eq!(p.client.state(), State::Established);
/// assert_eq!(p.server_ref().unwrap().state(), State::Established);
/// ```
pub struct Pair {
    /// The client connection.
    pub client: Connection,
    /// The server's host: a listener on [`server_addr`] and its connections.
    pub endpoint: Endpoint,
    /// The server connection, once accepted.
    server: Option<ConnHandle>,
    /// The current time.
    pub now: Instant,
    /// One-way delay of the link.
    pub latency: Duration,
    /// The link's decision for each segment.
    pub fate: FateFn,
    /// Serialisation time per segment in each direction (a link rate):
    /// segments sent together arrive this far apart. Zero by default.
    pub spacing: Duration,
    /// Every segment sent: time, sender, segment, fate.
    pub log: Vec<(Instant, Side, Transmit, Fate)>,
    /// Carry each segment as bytes: emit with the checksum, then check and
    /// parse it at the receiver (a bad segment is dropped and counted).
    pub wire: bool,
    /// Segments that failed to emit or parse on the `wire` path.
    pub wire_errors: u64,
    in_flight: Vec<(Instant, u64, Side, Transmit)>,
    sent: [u64; 2],
    link_free: [Instant; 2],
    order: u64,
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pair")
            .field("now", &self.now)
            .field("client", &self.client.state())
            .field("server", &self.server_ref().map(|s| s.state()))
            .finish()
    }
}

/// The client's address in a [`Pair`] (RFC 5737 TEST-NET-1).
pub fn client_addr() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], 49152))
}

/// The server's address in a [`Pair`].
pub fn server_addr() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 2], 80))
}

impl Pair {
    /// A client in SYN-SENT with ISN `client_isn` and a listening server
    /// (its ISN from a fixed-key RFC 6528 generator); latency 10 ms.
    pub fn new(client: Config, server: Config, client_isn: SeqNumber) -> Self {
        Pair::with_addrs(client, server, client_isn, client_addr(), server_addr())
    }

    /// [`Pair::new`] between `client_addr` and `server_addr` (IPv6 ones, say).
    ///
    /// # Panics
    /// If `server_addr` is not a unicast address with a port.
    pub fn with_addrs(
        client: Config,
        server: Config,
        client_isn: SeqNumber,
        client_addr: SocketAddr,
        server_addr: SocketAddr,
    ) -> Self {
        let now = Instant::from_nanos(1_000_000_000);
        let mut endpoint = Endpoint::new(IsnGenerator::new([0x5a; 32]));
        endpoint
            .listen(server, server_addr, 8)
            .expect("a unicast server address, the endpoint empty");
        Pair {
            client: Connection::connect(client, client_addr, server_addr, now, client_isn),
            server: None,
            endpoint,
            now,
            latency: Duration::from_millis(10),
            fate: Box::new(|_, _, _| Fate::Deliver),
            spacing: Duration::ZERO,
            log: Vec::new(),
            wire: false,
            wire_errors: 0,
            in_flight: Vec::new(),
            sent: [0; 2],
            link_free: [Instant::ZERO; 2],
            order: 0,
        }
    }

    /// Both ends open actively at once (RFC 9293 §3.5, simultaneous open).
    pub fn simultaneous(config: Config, client_isn: SeqNumber, server_isn: SeqNumber) -> Self {
        let mut p = Pair::new(config.clone(), config.clone(), client_isn);
        let c = Connection::connect(config, server_addr(), client_addr(), p.now, server_isn);
        let h = p
            .endpoint
            .adopt(c)
            .expect("a fresh endpoint holds no connection");
        p.server = Some(h);
        p
    }

    /// The server connection; panics if none was accepted yet (test helper).
    pub fn server(&mut self) -> &mut Connection {
        self.server_mut().expect("server not yet accepted")
    }

    /// The server connection, once accepted.
    pub fn server_mut(&mut self) -> Option<&mut Connection> {
        self.endpoint.conn_mut(self.server?)
    }

    /// The server connection, once accepted.
    pub fn server_ref(&self) -> Option<&Connection> {
        self.endpoint.conn(self.server?)
    }

    /// Moves every segment both ends want to send onto the link.
    pub fn transmit(&mut self) {
        let now = self.now;
        loop {
            let mut any = false;
            while let Some(t) = self.client.poll_transmit(now) {
                self.put(Side::Client, t);
                any = true;
            }
            while let Some(o) = self.endpoint.poll_transmit(now) {
                self.put(Side::Server, o.segment);
                any = true;
            }
            if !any {
                break;
            }
        }
    }

    fn put(&mut self, from: Side, t: Transmit) {
        let i = match from {
            Side::Client => 0,
            Side::Server => 1,
        };
        let index = self.sent[i];
        self.sent[i] += 1;
        let fate = (self.fate)(from, index, &t);
        self.log.push((self.now, from, t.clone(), fate));
        // The segment leaves when the link is free, one spacing after the last.
        let depart = self.now.max(self.link_free[i]);
        self.link_free[i] = depart + self.spacing;
        let at = depart + self.spacing + self.latency;
        match fate {
            Fate::Deliver => self.push(at, from, t),
            Fate::Drop => {}
            Fate::Duplicate => {
                self.push(at, from, t.clone());
                self.push(at, from, t);
            }
            Fate::Delay(d) => self.push(at + d, from, t),
            Fate::MarkCe => {
                let mut t = t;
                if t.ecn.is_ect() {
                    t.ecn = crate::wire::Ecn::Ce;
                }
                self.push(at, from, t);
            }
        }
    }

    fn push(&mut self, at: Instant, from: Side, t: Transmit) {
        self.order += 1;
        self.in_flight.push((at, self.order, from, t));
    }

    /// The earliest pending delivery or timer.
    pub fn next_event(&self) -> Option<Instant> {
        let link = self.in_flight.iter().map(|(at, ..)| *at).min();
        [
            link,
            self.client.poll_timeout(),
            self.endpoint.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Transmits, advances the clock to the next event and runs it. Returns
    /// false when nothing is pending.
    pub fn step(&mut self) -> bool {
        self.transmit();
        let Some(t) = self.next_event() else {
            return false;
        };
        self.now = self.now.max(t);
        let now = self.now;
        let mut due: Vec<_> = Vec::new();
        let mut i = 0;
        while i < self.in_flight.len() {
            if self.in_flight[i].0 <= now {
                due.push(self.in_flight.swap_remove(i));
            } else {
                i += 1;
            }
        }
        due.sort_by_key(|(at, order, ..)| (*at, *order));
        for (_, _, from, t) in due {
            self.deliver(from, &t);
        }
        if self.client.poll_timeout().is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
        }
        if self.endpoint.poll_timeout().is_some_and(|t| t <= now) {
            self.endpoint.handle_timeout(now);
            self.accept();
        }
        self.transmit();
        true
    }

    fn accept(&mut self) {
        if self.server.is_none() {
            self.server = self.endpoint.accept(self.client.remote());
        }
    }

    fn deliver(&mut self, from: Side, t: &Transmit) {
        if self.wire {
            let (src, dst) = match from {
                Side::Client => (self.client.local(), self.client.remote()),
                Side::Server => (self.client.remote(), self.client.local()),
            };
            let ph = match (src.ip(), dst.ip()) {
                (IpAddr::V4(src), IpAddr::V4(dst)) => PseudoHeader::V4 { src, dst },
                (IpAddr::V6(src), IpAddr::V6(dst)) => PseudoHeader::V6 { src, dst },
                _ => return,
            };
            let parsed = t.to_bytes(&ph).and_then(|bytes| {
                let seg = Segment::new_checked(&bytes[..])?;
                let repr = SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify)?;
                Ok(Transmit {
                    header: SegmentRepr {
                        payload: &[],
                        ..repr
                    },
                    payload: repr.payload.to_vec(),
                    ecn: t.ecn,
                })
            });
            match parsed {
                Ok(p) => return self.deliver_repr(from, &p),
                Err(_) => {
                    self.wire_errors += 1;
                    return;
                }
            }
        }
        self.deliver_repr(from, t)
    }

    fn deliver_repr(&mut self, from: Side, t: &Transmit) {
        let now = self.now;
        match from {
            Side::Client => {
                let (src, dst) = (self.client.local().ip(), self.client.remote().ip());
                let ecn = t.ecn;
                self.endpoint
                    .handle_segment_ecn(now, src, dst, &t.repr(), ecn);
                self.accept();
            }
            // The client's host has one connection: the segment is its.
            Side::Server => self.client.handle_segment_ecn(now, &t.repr(), t.ecn),
        }
    }

    /// Steps until nothing is pending (or 1000 s of simulated time pass).
    pub fn run_until_idle(&mut self) {
        let limit = self.now + Duration::from_secs(1000);
        while self.now < limit && self.step() {}
    }

    /// Steps while `app` returns false and something is pending, for at most
    /// `limit` of simulated time; `app` runs before each step. Returns
    /// whether `app` reported done.
    pub fn run(&mut self, limit: Duration, mut app: impl FnMut(&mut Pair) -> bool) -> bool {
        let end = self.now + limit;
        loop {
            if app(self) {
                return true;
            }
            if self.now > end || !self.step() {
                return app(self);
            }
        }
    }

    /// Advances the clock by `d` without delivering anything new before it
    /// (what is due by then is delivered; timers run).
    pub fn advance(&mut self, d: Duration) {
        let end = self.now + d;
        self.transmit();
        while self.next_event().is_some_and(|t| t <= end) {
            self.step();
        }
        self.now = self.now.max(end);
    }
}
