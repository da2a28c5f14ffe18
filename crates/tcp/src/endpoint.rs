//! One host's TCP: listeners and connections by 4-tuple behind one sans-IO
//! interface.
//!
//! The [`Endpoint`] is the only place that decides which state machine a
//! segment is for (RFC 9293 §3.3.1: a connection is named by its pair of
//! sockets): an open connection of that 4-tuple, else the listener on the
//! destination, else nobody, and then the answer is RFC 9293 §3.10.7.1's RST
//! from [`rst_reply`]. It drives every connection's transmissions and
//! timers, also those of connections that completed their handshake and wait
//! for [`Endpoint::accept`] (they acknowledge data at once, like the
//! kernel's). The simulator, the in-memory pair, the I/O driver over TUN and
//! the conformance script runner all go through it.
//!
//! Like a [`Connection`] it reads no clock and draws no randomness: the
//! caller passes `now`, and ISNs and TSval offsets come from the caller's
//! keyed [`IsnGenerator`].
//!
//! ```
//! use handshake_tcp::conn::{Config, State};
//! use handshake_tcp::endpoint::Endpoint;
//! use handshake_tcp::conn::IsnGenerator;
//! use handshake_time::Instant;
//! let (c, s) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
//! let now = Instant::ZERO;
//! let mut client = Endpoint::new(IsnGenerator::new([1; 32]));
//! let mut server = Endpoint::new(IsnGenerator::new([2; 32]));
//! server.listen(Config::default(), s, 16).unwrap();
//! let h = client.connect(Config::default(), c, s, now).unwrap();
//! // A perfect wire: move segments until both ends are quiet.
//! for _ in 0..10 {
//!     while let Some(o) = client.poll_transmit(now) {
//!         server.handle_segment(now, o.src.ip(), o.dst.ip(), &o.segment.repr());
//!     }
//!     while let Some(o) = server.poll_transmit(now) {
//!         client.handle_segment(now, o.src.ip(), o.dst.ip(), &o.segment.repr());
//!     }
//! }
//! assert_eq!(client.conn(h).unwrap().state(), State::Established);
//! let accepted = server.accept(s).unwrap();
//! assert_eq!(server.conn(accepted).unwrap().remote(), c);
//! ```

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::net::{IpAddr, SocketAddr};

use handshake_time::Instant;

use crate::conn::{
    rst_reply, Config, Connection, IsnGenerator, Listener, State, Transmit, TransmitRef,
};
use crate::wire::{Ecn, SegmentRepr};
use crate::Error;

/// At most this many RSTs for segments of no connection wait for
/// [`Endpoint::poll_transmit`]; beyond it they are not sent (counted in
/// [`EndpointStats::resets_suppressed`]), so a flood at a closed port cannot
/// grow memory when the caller polls slowly.
const MAX_REPLIES: usize = 64;

/// A connection of an [`Endpoint`], valid until [`Endpoint::remove`].
/// Handles are never reused: a removed connection's handle finds nothing,
/// also once its slot holds a newer connection. They order by creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnHandle {
    /// How many connections the endpoint made before this one.
    serial: u64,
    /// Where it lives in the endpoint's table.
    slot: u32,
}

impl ConnHandle {
    /// The connection's slot in its endpoint's table: below the largest
    /// number of connections the endpoint held at once (so a dense index
    /// for the caller's own tables), and taken over by a later connection
    /// once this one is removed. An endpoint that never removes a connection
    /// numbers them 0, 1, 2, ... in creation order.
    pub fn index(self) -> usize {
        self.slot as usize
    }
}

/// A 4-tuple as the route table's key: the addresses as integers (IPv4
/// mapped into IPv6), so that a lookup compares a few words instead of
/// matching two `SocketAddr` enums field by field. A flow label is not part
/// of a connection's name (RFC 9293 §3.3.1: addresses and ports); the scope
/// of a link-local address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RouteKey {
    local: u128,
    remote: u128,
    /// Bits 33 and 32: the local and the remote address are IPv6; then the
    /// local and the remote port.
    ports: u64,
    /// The local and the remote scope ids (0 for IPv4).
    scopes: u64,
}

impl RouteKey {
    fn new(local: SocketAddr, remote: SocketAddr) -> Self {
        fn parts(a: SocketAddr) -> (u128, u32) {
            match a {
                SocketAddr::V4(v4) => (v4.ip().to_ipv6_mapped().to_bits(), 0),
                SocketAddr::V6(v6) => (v6.ip().to_bits(), v6.scope_id()),
            }
        }
        let ((l, ls), (r, rs)) = (parts(local), parts(remote));
        RouteKey {
            local: l,
            remote: r,
            ports: (u64::from(local.is_ipv6()) << 33)
                | (u64::from(remote.is_ipv6()) << 32)
                | (u64::from(local.port()) << 16)
                | u64::from(remote.port()),
            scopes: (u64::from(ls) << 32) | u64::from(rs),
        }
    }
}

/// One slot of the endpoint's table: the connection, boxed (it is large, and
/// it is moved in from a listener's accept queue), and the serial number of
/// the handle that names it.
#[derive(Debug)]
struct Slot {
    serial: u64,
    conn: Option<Box<Connection>>,
}

/// A segment to put on the wire, with both ends' addresses (the IP layer's
/// source and destination and the pseudo-header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Our address and port.
    pub src: SocketAddr,
    /// The peer's address and port.
    pub dst: SocketAddr,
    /// The segment.
    pub segment: Transmit,
}

/// A segment to put on the wire whose data is lent from the sending
/// connection ([`Endpoint::poll_segment`]), with both ends' addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingRef<'a> {
    /// Our address and port.
    pub src: SocketAddr,
    /// The peer's address and port.
    pub dst: SocketAddr,
    /// The segment; write it into the packet with [`TransmitRef::emit`].
    pub segment: TransmitRef<'a>,
}

impl OutgoingRef<'_> {
    /// The same with a copy of the data.
    pub fn to_outgoing(&self) -> Outgoing {
        Outgoing {
            src: self.src,
            dst: self.dst,
            segment: self.segment.to_transmit(),
        }
    }
}

/// Where [`Endpoint::handle_segment`] delivered a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// To this connection (accepted, or opened by [`Endpoint::connect`]).
    Connection(ConnHandle),
    /// To the listener on this address (a SYN, a half-open connection's
    /// segment, or one for a connection waiting to be accepted).
    Listener(SocketAddr),
    /// To nobody: answered with a RST (RFC 9293 §3.10.7.1).
    Reset,
    /// To nobody, and not answered: it was a RST, or the reply queue was full.
    Dropped,
}

/// What an [`Endpoint`] did with segments that were not for a connection.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EndpointStats {
    /// Segments handed to [`Endpoint::handle_segment`].
    pub segments: u64,
    /// Segments for no connection or listener answered with a RST.
    pub resets_sent: u64,
    /// RSTs not sent because 64 were already waiting for `poll_transmit`.
    pub resets_suppressed: u64,
    /// Segments for no connection or listener that were RSTs (discarded).
    pub dropped: u64,
}

/// One host's TCP: see the [module documentation](self).
#[derive(Debug)]
pub struct Endpoint {
    isn: IsnGenerator,
    listeners: BTreeMap<SocketAddr, Listener>,
    /// The connections; a removed one's slot goes on `free` and is reused,
    /// so the table (which every poll walks) never outgrows the most
    /// connections held at once.
    conns: Vec<Slot>,
    free: Vec<u32>,
    /// The next handle's serial number.
    serial: u64,
    /// (local, remote) of each connection, to its handle; a closed
    /// connection's entry stays until it is removed or its 4-tuple reused.
    routes: BTreeMap<RouteKey, ConnHandle>,
    replies: VecDeque<Outgoing>,
    /// The reply or listener's segment [`Endpoint::poll_segment`] lent last.
    lent: Option<Outgoing>,
    /// Where [`Endpoint::poll_transmit`] looks first (round robin).
    cursor: usize,
    stats: EndpointStats,
}

impl Endpoint {
    /// A host with no listeners or connections whose ISNs (RFC 6528) and
    /// TSval offsets (RFC 7323 §5.4) come from `isn`'s secret key.
    pub fn new(isn: IsnGenerator) -> Self {
        Endpoint {
            isn,
            listeners: BTreeMap::new(),
            conns: Vec::new(),
            free: Vec::new(),
            serial: 0,
            routes: BTreeMap::new(),
            replies: VecDeque::new(),
            lent: None,
            cursor: 0,
            stats: EndpointStats::default(),
        }
    }

    /// Listens on `local` with at most `backlog` half-open connections and
    /// `backlog` waiting to be accepted (see [`Listener`]).
    pub fn listen(
        &mut self,
        config: Config,
        local: SocketAddr,
        backlog: usize,
    ) -> Result<(), Error> {
        if !crate::conn::is_unicast(local) {
            return Err(Error::InvalidAddress { addr: local });
        }
        if self.listeners.contains_key(&local) {
            return Err(Error::AddressInUse {
                local,
                remote: None,
            });
        }
        let l = Listener::new(config, local, self.isn.clone(), backlog);
        self.listeners.insert(local, l);
        Ok(())
    }

    /// Stops listening on `local` and returns the listener, with the
    /// connections it still holds (half-open, or waiting to be accepted).
    pub fn unlisten(&mut self, local: SocketAddr) -> Option<Listener> {
        self.listeners.remove(&local)
    }

    /// The listener on `local`.
    pub fn listener(&self, local: SocketAddr) -> Option<&Listener> {
        self.listeners.get(&local)
    }

    /// An active open from `local` to `remote` (RFC 9293 §3.10.1), its ISN
    /// and TSval offset from the endpoint's key. Fails for an address no
    /// connection can have (MUST-46) or a 4-tuple a live connection holds.
    pub fn connect(
        &mut self,
        config: Config,
        local: SocketAddr,
        remote: SocketAddr,
        now: Instant,
    ) -> Result<ConnHandle, Error> {
        for addr in [local, remote] {
            if !crate::conn::is_unicast(addr) {
                return Err(Error::InvalidAddress { addr });
            }
        }
        if self.live(local, remote).is_some() {
            return Err(Error::AddressInUse {
                local,
                remote: Some(remote),
            });
        }
        let c = Connection::connect_keyed(config, local, remote, now, &self.isn);
        Ok(self.insert(Box::new(c)))
    }

    /// Takes over a connection made elsewhere (say by
    /// [`Connection::connect`] with a chosen ISN, for a test); fails if a
    /// live connection holds its 4-tuple.
    pub fn adopt(&mut self, c: Connection) -> Result<ConnHandle, Error> {
        let (local, remote) = (c.local(), c.remote());
        if self.live(local, remote).is_some() {
            return Err(Error::AddressInUse {
                local,
                remote: Some(remote),
            });
        }
        Ok(self.insert(Box::new(c)))
    }

    /// The oldest connection the listener on `local` completed, now the
    /// caller's to use through its handle.
    pub fn accept(&mut self, local: SocketAddr) -> Option<ConnHandle> {
        let c = self.listeners.get_mut(&local)?.accept_boxed()?;
        Some(self.insert(c))
    }

    fn insert(&mut self, c: Box<Connection>) -> ConnHandle {
        let serial = self.serial;
        self.serial += 1;
        let key = (c.local(), c.remote());
        let slot = match self.free.pop() {
            Some(i) => {
                self.conns[i as usize] = Slot {
                    serial,
                    conn: Some(c),
                };
                i
            }
            None => {
                self.conns.push(Slot {
                    serial,
                    conn: Some(c),
                });
                (self.conns.len() - 1) as u32
            }
        };
        let h = ConnHandle { serial, slot };
        self.routes.insert(RouteKey::new(key.0, key.1), h);
        h
    }

    /// The handle of the open (not CLOSED) connection of this 4-tuple.
    fn live(&self, local: SocketAddr, remote: SocketAddr) -> Option<ConnHandle> {
        let h = *self.routes.get(&RouteKey::new(local, remote))?;
        let c = self.conn(h)?;
        (c.state() != State::Closed).then_some(h)
    }

    /// A connection.
    pub fn conn(&self, h: ConnHandle) -> Option<&Connection> {
        let s = self.conns.get(h.index())?;
        s.conn.as_deref().filter(|_| s.serial == h.serial)
    }

    /// A connection, to send, receive, close or abort; what that makes it
    /// send comes out of the next [`Endpoint::poll_transmit`].
    pub fn conn_mut(&mut self, h: ConnHandle) -> Option<&mut Connection> {
        let s = self.conns.get_mut(h.index())?;
        s.conn.as_deref_mut().filter(|_| s.serial == h.serial)
    }

    /// Forgets a connection (typically once CLOSED and read) and returns it,
    /// in the box the endpoint kept it in (a connection is large: not
    /// copied out only to be dropped).
    pub fn remove(&mut self, h: ConnHandle) -> Option<Box<Connection>> {
        let s = self.conns.get_mut(h.index())?;
        if s.serial != h.serial {
            return None;
        }
        let c = s.conn.take()?;
        self.free.push(h.slot);
        let key = RouteKey::new(c.local(), c.remote());
        if self.routes.get(&key) == Some(&h) {
            self.routes.remove(&key);
        }
        Some(c)
    }

    /// The handles of the connections not removed, oldest first.
    pub fn handles(&self) -> impl Iterator<Item = ConnHandle> + '_ {
        let mut live: Vec<ConnHandle> = (self.conns.iter().enumerate())
            .filter(|(_, s)| s.conn.is_some())
            .map(|(i, s)| ConnHandle {
                serial: s.serial,
                slot: i as u32,
            })
            .collect();
        live.sort_unstable();
        live.into_iter()
    }

    /// Counters of segments that were not for a connection.
    pub fn stats(&self) -> EndpointStats {
        self.stats
    }

    /// Processes one segment that arrived from `src` to `dst` (the IP
    /// header's addresses; the ports are the segment's). Nothing a peer
    /// sends can make this panic or queue more than a bounded reply.
    pub fn handle_segment(
        &mut self,
        now: Instant,
        src: IpAddr,
        dst: IpAddr,
        seg: &SegmentRepr<'_>,
    ) -> Route {
        self.handle_segment_ecn(now, src, dst, seg, Ecn::NotEct)
    }

    /// [`Endpoint::handle_segment`] for a caller whose IP layer reads the
    /// ECN field (RFC 3168 §5): `ecn` is the arriving packet's codepoint,
    /// so a router's Congestion Experienced mark reaches the connection
    /// (§6.1.3). What the endpoint sends says its own codepoint in
    /// [`Transmit::ecn`].
    pub fn handle_segment_ecn(
        &mut self,
        now: Instant,
        src: IpAddr,
        dst: IpAddr,
        seg: &SegmentRepr<'_>,
        ecn: Ecn,
    ) -> Route {
        self.stats.segments += 1;
        let remote = SocketAddr::new(src, seg.src_port);
        let local = SocketAddr::new(dst, seg.dst_port);
        // RFC 9293 §3.3.1: the 4-tuple names the connection.
        if let Some(h) = self.live(local, remote) {
            if let Some(c) = self.conn_mut(h) {
                c.handle_segment_ecn(now, seg, ecn);
            }
            return Route::Connection(h);
        }
        if let Some(l) = self.listeners.get_mut(&local) {
            l.handle_segment_ecn(now, remote, seg, ecn);
            return Route::Listener(local);
        }
        // RFC 9293 §3.10.7.1: no connection exists (CLOSED).
        let Some(rst) = rst_reply(seg) else {
            self.stats.dropped += 1;
            return Route::Dropped;
        };
        if self.replies.len() >= MAX_REPLIES {
            self.stats.resets_suppressed += 1;
            return Route::Dropped;
        }
        self.stats.resets_sent += 1;
        self.replies.push_back(Outgoing {
            src: local,
            dst: remote,
            segment: rst,
        });
        Route::Reset
    }

    /// An ICMP error about a segment we sent from `local` to `remote` (the
    /// quoted IP header's source and destination and the quoted TCP
    /// header's ports), whose sequence number was `seq` (RFC 9293
    /// §3.9.2.2: directed to the connection that created it, MUST-54).
    /// `None` when no connection has that 4-tuple.
    pub fn handle_icmp(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        seq: crate::wire::SeqNumber,
        err: crate::conn::IcmpError,
    ) -> Option<crate::conn::IcmpAction> {
        let h = self.live(local, remote)?;
        self.conn_mut(h).map(|c| c.handle_icmp(now, seq, err))
    }

    /// The next segment to send: RSTs for no connection, then the
    /// connections' (round robin), then the listeners' (SYN-ACKs, and the
    /// segments of connections waiting to be accepted).
    ///
    /// The segment owns a copy of its data; a driver that writes segments
    /// into packets uses [`Endpoint::poll_segment`], which decides alike.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Outgoing> {
        self.poll_segment(now).map(|o| o.to_outgoing())
    }

    /// The next segment to send, as [`Endpoint::poll_transmit`], with its
    /// data lent from the sending connection's send buffer until the
    /// endpoint is used again: write it into the packet with
    /// [`TransmitRef::emit`], with no copy in between.
    ///
    /// ```
    /// use handshake_ip::checksum::PseudoHeader;
    /// use handshake_tcp::conn::{Config, IsnGenerator};
    /// use handshake_tcp::endpoint::Endpoint;
    /// use handshake_time::Instant;
    /// let (c, s) = ("192.0.2.1:4000".parse().unwrap(), "192.0.2.2:80".parse().unwrap());
    /// let mut client = Endpoint::new(IsnGenerator::new([1; 32]));
    /// client.connect(Config::default(), c, s, Instant::ZERO).unwrap();
    /// let mut packet = [0u8; 1500];
    /// let o = client.poll_segment(Instant::ZERO).unwrap();
    /// let ph = PseudoHeader::V4 { src: [192, 0, 2, 1].into(), dst: [192, 0, 2, 2].into() };
    /// let n = o.segment.emit(&mut packet, &ph).unwrap();
    /// assert_eq!((o.src, o.dst, n), (c, s, o.segment.buffer_len()));
    /// ```
    pub fn poll_segment(&mut self, now: Instant) -> Option<OutgoingRef<'_>> {
        if let Some(r) = self.replies.pop_front() {
            return self.lend_owned(r);
        }
        let n = self.conns.len();
        let mut found = None;
        for k in 0..n {
            let i = (self.cursor + k) % n;
            let Some(c) = self.conns[i].conn.as_deref_mut() else {
                continue;
            };
            if let Some(p) = c.poll_pending(now) {
                self.cursor = i;
                found = Some((i, p));
                break;
            }
        }
        // The connection decided; now its data is lent (a shared borrow).
        if let Some((i, p)) = found {
            let c = self.conns[i].conn.as_deref()?;
            return Some(OutgoingRef {
                src: c.local(),
                dst: c.remote(),
                segment: c.lend(p),
            });
        }
        // The listeners' segments (SYN-ACKs, and those of connections
        // waiting to be accepted) are few and small: owned, then lent.
        let mut owned = None;
        for (local, l) in &mut self.listeners {
            if let Some((dst, segment)) = l.poll_transmit(now) {
                let src = *local;
                owned = Some(Outgoing { src, dst, segment });
                break;
            }
        }
        self.lend_owned(owned?)
    }

    /// Keeps `o` until the next poll and lends it.
    fn lend_owned(&mut self, o: Outgoing) -> Option<OutgoingRef<'_>> {
        let o = self.lent.insert(o);
        Some(OutgoingRef {
            src: o.src,
            dst: o.dst,
            segment: o.segment.as_transmit_ref(),
        })
    }

    /// When [`Endpoint::handle_timeout`] should next be called: the
    /// earliest timer of any connection or listener.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let conns = (self.conns.iter())
            .filter_map(|s| s.conn.as_deref())
            .filter_map(Connection::poll_timeout);
        let listeners = self.listeners.values().filter_map(Listener::poll_timeout);
        conns.chain(listeners).min()
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        for c in self.conns.iter_mut().filter_map(|s| s.conn.as_deref_mut()) {
            if c.poll_timeout().is_some_and(|t| t <= now) {
                c.handle_timeout(now);
            }
        }
        for l in self.listeners.values_mut() {
            if l.poll_timeout().is_some_and(|t| t <= now) {
                l.handle_timeout(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{SeqNumber, TcpFlags};

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn no_connection_gets_a_bounded_number_of_resets() {
        let mut e = Endpoint::new(IsnGenerator::new([3; 32]));
        let (src, dst) = (addr("192.0.2.1:1000"), addr("192.0.2.2:81"));
        let syn = SegmentRepr::new(src.port(), dst.port(), SeqNumber(5), TcpFlags::SYN);
        for _ in 0..MAX_REPLIES + 10 {
            e.handle_segment(Instant::ZERO, src.ip(), dst.ip(), &syn);
        }
        let rst = SegmentRepr::new(src.port(), dst.port(), SeqNumber(5), TcpFlags::RST);
        assert_eq!(
            e.handle_segment(Instant::ZERO, src.ip(), dst.ip(), &rst),
            Route::Dropped
        );
        let s = e.stats();
        assert_eq!((s.resets_sent, s.resets_suppressed, s.dropped), (64, 10, 1));
        let mut n = 0;
        while let Some(o) = e.poll_transmit(Instant::ZERO) {
            assert_eq!((o.src, o.dst), (dst, src));
            n += 1;
        }
        assert_eq!(n, MAX_REPLIES);
    }

    /// A host that opens and forgets connections one after another keeps a
    /// table of one slot, which every poll walks (it grew by one slot per
    /// connection ever made, so polls got slower and memory grew forever),
    /// and a forgotten connection's handle finds nothing, also once a newer
    /// connection holds its slot.
    #[test]
    fn removed_connections_free_their_slots_and_handles_stay_unique() {
        let mut e = Endpoint::new(IsnGenerator::new([3; 32]));
        let b = addr("192.0.2.2:80");
        let mut old: Vec<ConnHandle> = Vec::new();
        for port in 1000..1100u16 {
            let a = SocketAddr::new(addr("192.0.2.1:1").ip(), port);
            let h = e.connect(Config::default(), a, b, Instant::ZERO).unwrap();
            assert!(old.iter().all(|o| *o != h), "a handle came back");
            assert_eq!(e.conn(h).map(Connection::local), Some(a));
            let c = e.remove(h).unwrap();
            assert_eq!(c.local(), a);
            assert!(e.conn(h).is_none() && e.remove(h).is_none());
            old.push(h);
        }
        assert_eq!(e.conns.len(), 1);
        let a = addr("192.0.2.1:2000");
        let h = e.connect(Config::default(), a, b, Instant::ZERO).unwrap();
        for o in &old {
            assert!(e.conn(*o).is_none() && e.conn_mut(*o).is_none());
            assert!(e.remove(*o).is_none());
        }
        assert_eq!(e.handles().collect::<Vec<_>>(), [h]);
        // The forgotten ones' 4-tuples route nowhere: a segment for one is
        // answered with a RST (RFC 9293 §3.10.7.1).
        let seg = SegmentRepr::new(b.port(), 1000, SeqNumber(5), TcpFlags::ACK);
        assert_eq!(
            e.handle_segment(Instant::ZERO, b.ip(), a.ip(), &seg),
            Route::Reset
        );
    }

    /// Handles order by creation, and `handles` lists the oldest first,
    /// also when a newer connection took an older one's slot.
    #[test]
    fn handles_are_listed_oldest_first() {
        let mut e = Endpoint::new(IsnGenerator::new([3; 32]));
        let b = addr("192.0.2.2:80");
        let open = |e: &mut Endpoint, port: u16| {
            let a = SocketAddr::new(addr("192.0.2.1:1").ip(), port);
            e.connect(Config::default(), a, b, Instant::ZERO).unwrap()
        };
        let (h1, h2, h3) = (open(&mut e, 1), open(&mut e, 2), open(&mut e, 3));
        e.remove(h1).unwrap();
        let h4 = open(&mut e, 4);
        assert_eq!(h4.index(), h1.index());
        assert!(h1 < h2 && h2 < h3 && h3 < h4);
        assert_eq!(e.handles().collect::<Vec<_>>(), [h2, h3, h4]);
    }

    /// The route key tells apart what `SocketAddr` tells apart, but for
    /// the flow label: an IPv4 address and its IPv4-mapped IPv6 form, the
    /// two ends, the two ports, link-local scopes.
    #[test]
    fn route_keys_keep_four_tuples_apart() {
        let k = |l: &str, r: &str| RouteKey::new(addr(l), addr(r));
        let base = k("192.0.2.1:1000", "192.0.2.2:80");
        let different = [
            k("[::ffff:192.0.2.1]:1000", "192.0.2.2:80"),
            k("192.0.2.1:1000", "[::ffff:192.0.2.2]:80"),
            k("192.0.2.2:80", "192.0.2.1:1000"),
            k("192.0.2.1:80", "192.0.2.2:1000"),
            k("192.0.2.1:1001", "192.0.2.2:80"),
            k("192.0.2.3:1000", "192.0.2.2:80"),
        ];
        for d in different {
            assert_ne!(d, base);
        }
        assert_eq!(k("192.0.2.1:1000", "192.0.2.2:80"), base);
        let v6 = k("[fe80::1%2]:1000", "[fe80::2%2]:80");
        assert_ne!(v6, k("[fe80::1%3]:1000", "[fe80::2%2]:80"));
        assert_ne!(v6, k("[fe80::1%2]:1000", "[fe80::2]:80"));
        let flow = |label| {
            let l = SocketAddr::V6(core::net::SocketAddrV6::new(
                "fe80::1".parse().unwrap(),
                1000,
                label,
                2,
            ));
            RouteKey::new(l, addr("[fe80::2%2]:80"))
        };
        assert_eq!(flow(7), v6);
    }

    #[test]
    fn a_live_four_tuple_cannot_be_opened_twice() {
        let mut e = Endpoint::new(IsnGenerator::new([3; 32]));
        let (a, b) = (addr("192.0.2.1:1000"), addr("192.0.2.2:80"));
        let h = e.connect(Config::default(), a, b, Instant::ZERO).unwrap();
        let again = e.connect(Config::default(), a, b, Instant::ZERO);
        assert!(matches!(again, Err(Error::AddressInUse { .. })));
        e.conn_mut(h).unwrap().abort();
        assert!(e.connect(Config::default(), a, b, Instant::ZERO).is_ok());
    }
}
