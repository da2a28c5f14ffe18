//! A deterministic network simulator for TCP: connections and listeners on
//! two sides of a path whose two directions each have a propagation delay, a
//! bottleneck bandwidth behind a drop-tail queue, random loss, reordering and
//! duplication, all drawn from one seed.
//!
//! Time is simulated: an event queue ordered by (time, insertion order) jumps
//! from one packet arrival or timer to the next, so hours of protocol time
//! take milliseconds, and the same seed gives the same run, segment for
//! segment. Nothing reads a clock or iterates a hash map.
//!
//! ```
//! use handshake_tcp::conn::{Config, State};
//! use handshake_tcp::sim::{Bulk, LinkConfig, Side, SimConfig, Simulator, Sink};
//! use handshake_time::Duration;
//!
//! let mut sim = Simulator::new(SimConfig::default().seed(42).trace_capacity(100_000));
//! // 10 Mbit/s each way, 20 ms one way, 2% loss from A to B.
//! let link = LinkConfig::default().delay(Duration::from_millis(20)).bandwidth_bps(10_000_000);
//! sim.set_link(Side::A, link.clone().loss(0.02));
//! sim.set_link(Side::B, link);
//! let server = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
//! let to = sim.addr(server);
//! let client = sim.connect(Side::A, Config::default(), to, Bulk::new(200_000));
//! sim.run_until_idle();
//! let got = sim.report(sim.accepted(server)[0]).unwrap();
//! assert_eq!((got.received, got.first_mismatch), (200_000, None));
//! assert_eq!(sim.connection(client).unwrap().state(), State::Closed);
//! let mut csv = String::new();
//! sim.trace().write_csv(&mut csv).unwrap();
//! ```

mod app;
mod config;
mod link;
#[cfg(feature = "plot")]
pub mod plot;
mod trace;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::ChecksumMode;
use handshake_time::{Duration, Instant};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::conn::{Config, Connection, Event, IsnGenerator, Listener, State, Transmit};
use crate::endpoint::{ConnHandle, Endpoint as Host, Route};
use crate::wire::{Segment, SegmentRepr};

pub use app::{fill_pattern, pattern_byte, App, AppReport, Bulk, Echo, Requester, Sink, Verifier};
pub use config::{EventCounts, Peaks, RunOutcome, SimConfig};
pub use link::{Action, DropReason, LinkConfig, LinkStats, Rule, Select};
pub use trace::{Sample, SegmentEvent, SegmentRecord, Trace, TraceEvent};

use link::{Fate, Link, Packet};

/// One side of the simulated path. Packets sent from side A cross the A
/// link to side B and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// Addresses 192.0.2.0/24 (RFC 5737 TEST-NET-1).
    A,
    /// Addresses 198.51.100.0/24 (RFC 5737 TEST-NET-2).
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// The other side.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// A connection or listener in a [`Simulator`], numbered in creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointId(u32);

impl EndpointId {
    /// The creation index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Makes the application of each connection a listener accepts.
pub type AppFactory = Box<dyn FnMut() -> Box<dyn App>>;

enum Kind {
    Conn {
        handle: ConnHandle,
        app: Box<dyn App>,
        peaks: Peaks,
        events: EventCounts,
        /// (cwnd, state, retransmits) at the last sample.
        sampled: Option<(u32, State, u64)>,
    },
    Listener {
        factory: AppFactory,
        accepted: Vec<EndpointId>,
    },
}

struct Endpoint {
    side: Side,
    addr: SocketAddr,
    kind: Kind,
    /// The earliest wake-up event queued for it.
    wake: Option<Instant>,
    dirty: bool,
}

enum What {
    Arrive { to: Side, pkt: Packet },
    Wake(usize),
}

struct Scheduled {
    at: Instant,
    order: u64,
    what: What,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the max-heap pops the earliest event, ties in insertion order.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// The simulated network. See the [module documentation](self) for an example.
pub struct Simulator {
    config: SimConfig,
    now: Instant,
    queue: BinaryHeap<Scheduled>,
    order: u64,
    links: [Link; 2],
    endpoints: Vec<Endpoint>,
    /// Each side's TCP, which routes every segment that arrives there.
    tcp: [Host; 2],
    /// The simulator endpoint of each side's connection handles.
    by_handle: [Vec<usize>; 2],
    /// (side, local) of each listener, to its simulator endpoint.
    listeners: BTreeMap<(Side, SocketAddr), usize>,
    isn: IsnGenerator,
    trace: Trace,
    events_run: u64,
    hosts: [u32; 2],
}

impl core::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Simulator")
            .field("now", &self.now)
            .field("endpoints", &self.endpoints.len())
            .field("pending", &self.queue.len())
            .field("events_run", &self.events_run)
            .finish()
    }
}

impl Simulator {
    /// An empty network with perfect links (see [`LinkConfig::default`]).
    pub fn new(config: SimConfig) -> Self {
        // Independent ChaCha streams: adding an endpoint never shifts a link's draws.
        let stream = |s: u64| {
            let mut r = ChaCha8Rng::seed_from_u64(config.seed);
            r.set_stream(s);
            r
        };
        let isn = IsnGenerator::from_rng(&mut stream(0));
        Simulator {
            now: config.start,
            queue: BinaryHeap::new(),
            order: 0,
            links: [
                Link::new(LinkConfig::default(), stream(1)),
                Link::new(LinkConfig::default(), stream(2)),
            ],
            endpoints: Vec::new(),
            tcp: [Host::new(isn.clone()), Host::new(isn.clone())],
            by_handle: [Vec::new(), Vec::new()],
            listeners: BTreeMap::new(),
            isn,
            trace: Trace::with_capacity(config.trace_capacity),
            events_run: 0,
            hosts: [0; 2],
            config,
        }
    }

    /// Sets how packets sent from `from` travel (keeps the counters and rules).
    pub fn set_link(&mut self, from: Side, config: LinkConfig) {
        self.links[from.index()].config = config;
    }

    /// The settings of the link carrying packets sent from `from`.
    pub fn link(&self, from: Side) -> &LinkConfig {
        &self.links[from.index()].config
    }

    /// Adds a deterministic rule for packets sent from `from`; the first
    /// matching rule applies.
    pub fn add_rule(&mut self, from: Side, rule: Rule) {
        self.links[from.index()].rules.push(rule);
    }

    /// Counters of the link carrying packets sent from `from`.
    pub fn link_stats(&self, from: Side) -> LinkStats {
        self.links[from.index()].stats
    }

    /// Packets in the bottleneck queue of the link from `from` now.
    pub fn queue_len(&self, from: Side) -> usize {
        self.links[from.index()].queue_len(self.now)
    }

    /// The current simulated time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Events run so far.
    pub fn events_run(&self) -> u64 {
        self.events_run
    }

    /// The trace (empty unless [`SimConfig::trace_capacity`] was set).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// A fresh address on `side`: host 1, 2, ... of its test network.
    fn next_addr(&mut self, side: Side, port: Option<u16>) -> SocketAddr {
        let n = self.hosts[side.index()];
        self.hosts[side.index()] += 1;
        let host = (n % 254 + 1) as u8;
        let ip = match side {
            Side::A => Ipv4Addr::new(192, 0, 2, host),
            Side::B => Ipv4Addr::new(198, 51, 100, host),
        };
        let port = port.unwrap_or(49152 + (n % 16384) as u16);
        SocketAddr::new(IpAddr::V4(ip), port)
    }

    fn add(&mut self, side: Side, addr: SocketAddr, kind: Kind) -> EndpointId {
        let i = self.endpoints.len();
        self.endpoints.push(Endpoint {
            side,
            addr,
            kind,
            wake: None,
            dirty: true,
        });
        EndpointId(i as u32)
    }

    /// A listener on a new host of `side`, port `port`, with a backlog of
    /// 128; `factory` makes the application of each accepted connection.
    pub fn listen(
        &mut self,
        side: Side,
        config: Config,
        port: u16,
        factory: impl FnMut() -> Box<dyn App> + 'static,
    ) -> EndpointId {
        let addr = self.next_addr(side, Some(port));
        // A fresh host address: neither in use nor invalid.
        if let Err(e) = self.tcp[side.index()].listen(config, addr, 128) {
            unreachable!("listen on a fresh address {addr}: {e}");
        }
        let id = self.add(
            side,
            addr,
            Kind::Listener {
                factory: Box::new(factory),
                accepted: Vec::new(),
            },
        );
        self.listeners.insert((side, addr), id.index());
        id
    }

    /// An active open from a new host of `side` to `remote`, driven by
    /// `app`; the ISN comes from the seeded RFC 6528 generator.
    pub fn connect(
        &mut self,
        side: Side,
        config: Config,
        remote: SocketAddr,
        app: impl App + 'static,
    ) -> EndpointId {
        let local = self.next_addr(side, None);
        let conn = Connection::connect_keyed(config, local, remote, self.now, &self.isn);
        // A fresh local address: its 4-tuple cannot be in use.
        let handle = match self.tcp[side.index()].adopt(conn) {
            Ok(h) => h,
            Err(e) => unreachable!("connect from a fresh address {local}: {e}"),
        };
        self.add_conn(side, handle, Box::new(app))
    }

    fn add_conn(&mut self, side: Side, handle: ConnHandle, app: Box<dyn App>) -> EndpointId {
        let local = self.tcp[side.index()].conn(handle).map(Connection::local);
        let local = local.unwrap_or(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
        let id = self.add(
            side,
            local,
            Kind::Conn {
                handle,
                app,
                peaks: Peaks::default(),
                events: EventCounts::default(),
                sampled: None,
            },
        );
        let map = &mut self.by_handle[side.index()];
        if map.len() <= handle.index() {
            map.resize(handle.index() + 1, usize::MAX);
        }
        map[handle.index()] = id.index();
        id
    }

    /// Every endpoint, in creation order.
    pub fn endpoints(&self) -> impl Iterator<Item = EndpointId> + '_ {
        (0..self.endpoints.len()).map(|i| EndpointId(i as u32))
    }

    /// The side an endpoint is on.
    pub fn side(&self, id: EndpointId) -> Side {
        self.endpoints[id.index()].side
    }

    /// An endpoint's local address and port.
    pub fn addr(&self, id: EndpointId) -> SocketAddr {
        self.endpoints[id.index()].addr
    }

    /// The connection, if `id` is one.
    pub fn connection(&self, id: EndpointId) -> Option<&Connection> {
        let e = self.endpoints.get(id.index())?;
        match &e.kind {
            Kind::Conn { handle, .. } => self.tcp[e.side.index()].conn(*handle),
            Kind::Listener { .. } => None,
        }
    }

    /// The connection, to call `send`, `close`, `abort` on it directly; its
    /// output is picked up before the next event.
    pub fn connection_mut(&mut self, id: EndpointId) -> Option<&mut Connection> {
        let e = self.endpoints.get_mut(id.index())?;
        e.dirty = true;
        match &e.kind {
            Kind::Conn { handle, .. } => self.tcp[e.side.index()].conn_mut(*handle),
            Kind::Listener { .. } => None,
        }
    }

    /// The listener, if `id` is one.
    pub fn listener(&self, id: EndpointId) -> Option<&Listener> {
        let e = self.endpoints.get(id.index())?;
        match &e.kind {
            Kind::Listener { .. } => self.tcp[e.side.index()].listener(e.addr),
            Kind::Conn { .. } => None,
        }
    }

    /// The connections a listener accepted, oldest first (empty for a connection).
    pub fn accepted(&self, id: EndpointId) -> &[EndpointId] {
        match &self.endpoints[id.index()].kind {
            Kind::Listener { accepted, .. } => accepted,
            Kind::Conn { .. } => &[],
        }
    }

    /// The application's progress, if `id` is a connection.
    pub fn report(&self, id: EndpointId) -> Option<AppReport> {
        match &self.endpoints.get(id.index())?.kind {
            Kind::Conn { app, .. } => Some(app.report()),
            Kind::Listener { .. } => None,
        }
    }

    /// The largest buffer occupancies seen at a connection.
    pub fn peaks(&self, id: EndpointId) -> Option<Peaks> {
        match &self.endpoints.get(id.index())?.kind {
            Kind::Conn { peaks, .. } => Some(*peaks),
            Kind::Listener { .. } => None,
        }
    }

    /// The events a connection reported.
    pub fn event_counts(&self, id: EndpointId) -> Option<EventCounts> {
        match &self.endpoints.get(id.index())?.kind {
            Kind::Conn { events, .. } => Some(*events),
            Kind::Listener { .. } => None,
        }
    }

    /// True when every connection's application reports done.
    pub fn apps_done(&self) -> bool {
        self.endpoints.iter().all(|e| match &e.kind {
            Kind::Conn { app, .. } => app.report().done,
            Kind::Listener { .. } => true,
        })
    }

    fn schedule(&mut self, at: Instant, what: What) {
        self.order += 1;
        self.queue.push(Scheduled {
            at,
            order: self.order,
            what,
        });
    }

    /// Runs one event (after picking up the output of endpoints touched from
    /// outside). Returns false when nothing is pending.
    pub fn step(&mut self) -> bool {
        for i in 0..self.endpoints.len() {
            if self.endpoints[i].dirty {
                self.service(i);
            }
        }
        let Some(ev) = self.queue.pop() else {
            return false;
        };
        self.events_run += 1;
        self.now = self.now.max(ev.at);
        match ev.what {
            What::Arrive { to, pkt } => self.arrive(to, pkt),
            What::Wake(i) => self.wake(i, ev.at),
        }
        true
    }

    /// The time of the next pending event.
    pub fn next_event(&self) -> Option<Instant> {
        self.queue.peek().map(|e| e.at)
    }

    /// Runs until nothing is pending (every connection closed or idle and
    /// without timers), or a limit of [`SimConfig`] is reached.
    pub fn run_until_idle(&mut self) -> RunOutcome {
        let limit = self.config.time_limit;
        self.run_until(limit, |_| false)
    }

    /// Runs until `done` holds (checked before every event), nothing is
    /// pending, `limit` of simulated time passed, or the event limit is hit.
    pub fn run_until(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&Simulator) -> bool,
    ) -> RunOutcome {
        let end = self.now + limit;
        let budget = self.events_run.saturating_add(self.config.max_events);
        loop {
            if done(self) {
                return RunOutcome::Done;
            }
            if self.events_run >= budget {
                return RunOutcome::EventLimit;
            }
            if self.next_event().is_some_and(|t| t > end) {
                self.now = self.now.max(end);
                return RunOutcome::TimeLimit;
            }
            if !self.step() {
                return RunOutcome::Done;
            }
        }
    }

    /// Runs every event due in the next `d`, then sets the clock to `now + d`.
    pub fn run_for(&mut self, d: Duration) -> RunOutcome {
        let end = self.now + d;
        let outcome = self.run_until(d, |_| false);
        self.now = self.now.max(end);
        outcome
    }

    fn wake(&mut self, i: usize, at: Instant) {
        let now = self.now;
        let e = &mut self.endpoints[i];
        if e.wake == Some(at) {
            e.wake = None;
        }
        // The side's TCP runs every timer due (this endpoint's among them).
        let tcp = &mut self.tcp[e.side.index()];
        if tcp.poll_timeout().is_some_and(|t| t <= now) {
            tcp.handle_timeout(now);
        }
        self.service(i);
    }

    fn arrive(&mut self, to: Side, pkt: Packet) {
        let now = self.now;
        let from = to.peer();
        let Some(t) = self.decode(&pkt) else {
            self.record(from, &pkt, SegmentEvent::Dropped(DropReason::Malformed));
            return;
        };
        let (src, dst) = (pkt.src.ip(), pkt.dst.ip());
        let target = match self.tcp[to.index()].handle_segment_ecn(now, src, dst, &t.repr(), t.ecn)
        {
            Route::Connection(h) => self.by_handle[to.index()].get(h.index()).copied(),
            Route::Listener(local) => self.listeners.get(&(to, local)).copied(),
            _ => None,
        };
        match target {
            Some(i) => {
                self.record(from, &pkt, SegmentEvent::Delivered);
                self.service(i);
            }
            None => {
                // No connection: the side's TCP answers with a RST
                // (RFC 9293 §3.10.7.1); send it.
                self.record(from, &pkt, SegmentEvent::Dropped(DropReason::NoEndpoint));
                self.flush(to);
            }
        }
    }

    /// Sends everything `side`'s TCP has ready.
    fn flush(&mut self, side: Side) {
        let mut out = Vec::new();
        drain(&mut self.tcp[side.index()], self.now, &mut out);
        for pkt in out {
            self.send(side, pkt);
        }
    }

    /// The segment as the receiver sees it: through bytes on the wire path.
    fn decode(&self, pkt: &Packet) -> Option<Transmit> {
        if !self.config.wire {
            return Some(pkt.t.clone());
        }
        let ph = match (pkt.src.ip(), pkt.dst.ip()) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => PseudoHeader::V4 { src, dst },
            (IpAddr::V6(src), IpAddr::V6(dst)) => PseudoHeader::V6 { src, dst },
            _ => return None,
        };
        let bytes = pkt.t.to_bytes(&ph).ok()?;
        let seg = Segment::new_checked(&bytes[..]).ok()?;
        let repr = SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify).ok()?;
        Some(Transmit {
            header: SegmentRepr {
                payload: &[],
                ..repr
            },
            payload: repr.payload.to_vec(),
            ecn: pkt.t.ecn,
        })
    }

    /// After anything happened at endpoint `i`: runs its application, sends
    /// what it wants to send, takes accepted connections, samples its
    /// numbers and schedules its next wake-up.
    fn service(&mut self, i: usize) {
        let now = self.now;
        self.endpoints[i].dirty = false;
        let side = self.endpoints[i].side;
        let mut new_conns: Vec<ConnHandle> = Vec::new();
        let mut out: Vec<Packet> = Vec::new();
        let mut sample = None;
        let deadline;
        {
            let e = &mut self.endpoints[i];
            let tcp = &mut self.tcp[side.index()];
            match &mut e.kind {
                Kind::Conn {
                    handle,
                    app,
                    peaks,
                    events,
                    sampled,
                } => {
                    let Some(conn) = tcp.conn_mut(*handle) else {
                        return;
                    };
                    while let Some(ev) = conn.poll_event() {
                        count(events, ev);
                        app.on_event(now, ev);
                    }
                    app.poll(now, conn);
                    while let Some(ev) = conn.poll_event() {
                        count(events, ev);
                        app.on_event(now, ev);
                    }
                    // Before the deadline: sending arms the retransmission timer.
                    drain(tcp, now, &mut out);
                    let Some(conn) = tcp.conn_mut(*handle) else {
                        return;
                    };
                    let s = conn.stats();
                    peaks.reassembly_bytes = peaks.reassembly_bytes.max(s.reassembly_bytes);
                    peaks.recv_queue = peaks.recv_queue.max(conn.recv_queue());
                    peaks.send_queue = peaks.send_queue.max(conn.send_queue());
                    peaks.bytes_in_flight = peaks.bytes_in_flight.max(s.bytes_in_flight);
                    let key = (s.cwnd, s.state, s.retransmits);
                    if *sampled != Some(key) {
                        *sampled = Some(key);
                        sample = Some(s);
                    }
                    deadline = min_opt(conn.poll_timeout(), app.poll_timeout());
                }
                Kind::Listener { .. } => {
                    drain(tcp, now, &mut out);
                    while let Some(h) = tcp.accept(e.addr) {
                        new_conns.push(h);
                    }
                    deadline = tcp.listener(e.addr).and_then(Listener::poll_timeout);
                }
            }
        }
        for pkt in out {
            self.send(side, pkt);
        }
        if let Some(stats) = sample {
            if self.trace.is_enabled() {
                self.trace.push(TraceEvent::Sample(Sample {
                    time: now,
                    endpoint: EndpointId(i as u32),
                    stats,
                }));
            }
        }
        if let Some(d) = deadline {
            let d = d.max(now);
            if self.endpoints[i].wake.is_none_or(|w| d < w) {
                self.endpoints[i].wake = Some(d);
                self.schedule(d, What::Wake(i));
            }
        }
        for h in new_conns {
            let app = match &mut self.endpoints[i].kind {
                Kind::Listener { factory, .. } => factory(),
                Kind::Conn { .. } => unreachable!("only listeners accept"),
            };
            let id = self.add_conn(side, h, app);
            if let Kind::Listener { accepted, .. } = &mut self.endpoints[i].kind {
                accepted.push(id);
            }
            self.service(id.index());
        }
    }

    /// Puts a segment from `src` to `dst` on the link from `from`, whatever
    /// `src` is: an attacker's spoofed segment, or a crafted one.
    pub fn inject(&mut self, from: Side, src: SocketAddr, dst: SocketAddr, segment: Transmit) {
        self.send(
            from,
            Packet {
                src,
                dst,
                t: segment,
            },
        );
    }

    /// Hands a packet from `from` to its link.
    fn send(&mut self, from: Side, mut pkt: Packet) {
        let now = self.now;
        self.record(from, &pkt, SegmentEvent::Sent);
        match self.links[from.index()].offer(now, &mut pkt) {
            Fate::Dropped(why) => self.record(from, &pkt, SegmentEvent::Dropped(why)),
            Fate::Arrives(at, dup) => {
                let to = from.peer();
                if let Some(again) = dup {
                    self.record(from, &pkt, SegmentEvent::Duplicated);
                    self.schedule(
                        again,
                        What::Arrive {
                            to,
                            pkt: pkt.clone(),
                        },
                    );
                }
                self.schedule(at, What::Arrive { to, pkt });
            }
        }
    }

    fn record(&mut self, from: Side, pkt: &Packet, event: SegmentEvent) {
        if !self.trace.is_enabled() {
            return;
        }
        let h = &pkt.t.header;
        self.trace.push(TraceEvent::Segment(SegmentRecord {
            time: self.now,
            event,
            from,
            src: pkt.src,
            dst: pkt.dst,
            flags: h.flags,
            seq: h.seq_number,
            ack: h.ack_number,
            len: pkt.t.payload.len() as u32,
            window: h.window,
            sack: h.options.sack,
            ecn: pkt.t.ecn,
        }));
    }
}

/// Everything `tcp` has ready to send, as packets.
fn drain(tcp: &mut Host, now: Instant, out: &mut Vec<Packet>) {
    while let Some(o) = tcp.poll_transmit(now) {
        out.push(Packet {
            src: o.src,
            dst: o.dst,
            t: o.segment,
        });
    }
}

fn count(c: &mut EventCounts, ev: Event) {
    let n = match ev {
        Event::Connected => &mut c.connected,
        Event::PeerClosed => &mut c.peer_closed,
        Event::Reset => &mut c.reset,
        Event::TimedOut => &mut c.timed_out,
        Event::Closed => &mut c.closed,
        #[allow(unreachable_patterns)]
        _ => return,
    };
    *n += 1;
}

fn min_opt(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests;
