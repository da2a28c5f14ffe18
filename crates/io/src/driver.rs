//! Runs our sans-IO TCP over a [`Link`] (Linux).
//!
//! Why a plain poll loop and not tokio: one thread owns the TUN descriptor
//! and every connection on it, and the only things that wake it are the
//! descriptor becoming readable and the earliest `poll_timeout` of the
//! connections (or of a packet the link holds back). `poll(2)` with that
//! timeout is the whole event loop; a runtime would add a scheduler, a
//! reactor thread and futures around a single descriptor without removing
//! any of that logic, and would make the loop harder to reason about when a
//! case needs to act between two packets. Kernel sockets on the other side
//! are plain blocking std sockets on their own threads, with timeouts.
//!
//! The clock: `std::time::Instant` since the link was made, as a
//! `handshake_time::Instant` in nanoseconds ([`Link::now`]).
//!
//! ```no_run
//! use handshake_io::driver::Driver;
//! use handshake_io::link::Link;
//! use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR};
//! use handshake_tcp::conn::{Config, State};
//! let (net, tun) = TestNet::new(NetConfig::default())?;
//! let _l = net.run(|| std::net::TcpListener::bind((KERNEL_ADDR, 5000)))??;
//! let mut d = Driver::new(Link::new(tun.unwrap(), 1)?);
//! let c = d.connect(Config::default(), 40000, (KERNEL_ADDR, 5000).into());
//! d.run_until(std::time::Duration::from_secs(5), |d| d.conn(c).state() == State::Established)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io;
use std::net::{SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use handshake_tcp::conn::{Config, Connection, IsnGenerator, Listener, Transmit};
use handshake_tcp::wire::{SegmentRepr, SeqNumber, TcpFlags};

use crate::link::Link;
use crate::netns::OUR_ADDR;
use crate::packet::{decode, encode};

/// An index into the driver's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(pub usize);

/// Why [`Driver::run_until`] stopped without its condition holding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriveError {
    /// The time limit passed.
    #[error("condition not met within {0:?}")]
    Timeout(Duration),
    /// The TUN device failed.
    #[error("TUN device: {0}")]
    Io(#[from] io::Error),
}

/// What the driver saw that was not for any connection.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DriverStats {
    /// Datagrams that failed the IPv4 or TCP checksum or did not parse.
    pub bad_packets: u64,
    /// Segments for no connection, answered with RST (RFC 9293 §3.10.7.1).
    pub resets_sent: u64,
}

/// Our TCP endpoints at [`OUR_ADDR`] and the link they talk over.
#[derive(Debug)]
pub struct Driver {
    /// The wire; add fault rules through `link.faults`.
    pub link: Link,
    conns: Vec<Connection>,
    listener: Option<(u16, Listener)>,
    isn: IsnGenerator,
    stats: DriverStats,
    /// The last packet error, for the report.
    pub last_bad: Option<String>,
}

impl Driver {
    /// A driver with no connections. The key of its ISNs (RFC 6528 §3) and
    /// TSval offsets (RFC 7323 §5.4) is a 256-bit secret drawn from the
    /// operating system's CSPRNG: RFC 6528 §3 wants a key the attacker
    /// cannot guess, which a 64-bit seed padded with zeros is not.
    pub fn new(link: Link) -> Driver {
        let mut key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
        Driver::with_key(link, key)
    }

    /// A driver whose ISN and TSval-offset key is `key` (to replay a run;
    /// a host uses [`Driver::new`]).
    pub fn with_key(link: Link, key: [u8; 32]) -> Driver {
        Driver {
            link,
            conns: Vec::new(),
            listener: None,
            isn: IsnGenerator::new(key),
            stats: DriverStats::default(),
            last_bad: None,
        }
    }

    /// Opens a connection from `OUR_ADDR:local_port` to `remote`.
    pub fn connect(&mut self, config: Config, local_port: u16, remote: SocketAddr) -> ConnId {
        let now = self.link.now();
        let local = SocketAddr::V4(SocketAddrV4::new(OUR_ADDR, local_port));
        self.conns.push(Connection::connect_keyed(
            config, local, remote, now, &self.isn,
        ));
        ConnId(self.conns.len() - 1)
    }

    /// Listens on `OUR_ADDR:port`.
    pub fn listen(&mut self, config: Config, port: u16, backlog: usize) {
        let local = SocketAddr::V4(SocketAddrV4::new(OUR_ADDR, port));
        self.listener = Some((
            port,
            Listener::new(config, local, self.isn.clone(), backlog),
        ));
    }

    /// The next connection the listener completed, if any.
    pub fn accept(&mut self) -> Option<ConnId> {
        let c = self.listener.as_mut()?.1.accept()?;
        self.conns.push(c);
        Some(ConnId(self.conns.len() - 1))
    }

    /// A connection.
    pub fn conn(&mut self, id: ConnId) -> &mut Connection {
        &mut self.conns[id.0]
    }

    /// Counters of what was not for a connection.
    pub fn stats(&self) -> DriverStats {
        self.stats
    }

    /// Runs until `cond` holds, at most `limit`; `cond` is checked after
    /// every batch of packets and timers, so it may also act (send, read,
    /// close).
    pub fn run_until(
        &mut self,
        limit: Duration,
        mut cond: impl FnMut(&mut Driver) -> bool,
    ) -> Result<(), DriveError> {
        let deadline = Instant::now() + limit;
        loop {
            if cond(self) {
                self.flush()?;
                return Ok(());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(DriveError::Timeout(limit));
            }
            self.step((deadline - now).min(Duration::from_millis(20)))?;
        }
    }

    /// Runs for `d`, whatever happens.
    pub fn run_for(&mut self, d: Duration) -> Result<(), DriveError> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.step(end.saturating_duration_since(Instant::now()))?;
        }
        Ok(())
    }

    /// One round: send what is ready, wait for a packet (at most `max_wait`,
    /// less if a timer is due sooner), process every packet that arrived and
    /// every timer that is due, and send again.
    pub fn step(&mut self, max_wait: Duration) -> io::Result<()> {
        self.timers();
        self.flush()?;
        let mut wait = max_wait;
        if let Some(t) = self.next_timer() {
            wait = wait.min(
                self.link
                    .to_std(t)
                    .saturating_duration_since(Instant::now()),
            );
        }
        let mut next = self.link.recv(wait)?;
        // Drain what is queued, bounded so that timers interleave. What a
        // segment makes the connection send (an immediate duplicate ACK,
        // RFC 5681 §4.2; an ACK for every second segment, RFC 9293
        // §3.8.6.3) goes out before the next segment is processed, as on a
        // wire.
        for _ in 0..256 {
            let Some(p) = next else { break };
            self.input(&p);
            self.flush()?;
            next = self.link.recv(Duration::ZERO)?;
        }
        if let Some(p) = next {
            self.input(&p);
        }
        self.timers();
        self.flush()
    }

    fn next_timer(&self) -> Option<handshake_time::Instant> {
        self.conns
            .iter()
            .filter_map(Connection::poll_timeout)
            .chain(self.listener.as_ref().and_then(|(_, l)| l.poll_timeout()))
            .min()
    }

    fn timers(&mut self) {
        let now = self.link.now();
        for c in &mut self.conns {
            if c.poll_timeout().is_some_and(|t| t <= now) {
                c.handle_timeout(now);
            }
        }
        if let Some((_, l)) = &mut self.listener {
            if l.poll_timeout().is_some_and(|t| t <= now) {
                l.handle_timeout(now);
            }
        }
    }

    /// Sends every segment the connections and the listener have ready.
    pub fn flush(&mut self) -> io::Result<()> {
        let now = self.link.now();
        let mut out: Vec<(SocketAddr, Transmit)> = Vec::new();
        for c in &mut self.conns {
            while let Some(t) = c.poll_transmit(now) {
                out.push((c.remote(), t));
            }
        }
        if let Some((_, l)) = &mut self.listener {
            while let Some(x) = l.poll_transmit(now) {
                out.push(x);
            }
        }
        for (remote, t) in out {
            self.emit(remote, &t.repr())?;
        }
        Ok(())
    }

    fn emit(&mut self, remote: SocketAddr, seg: &SegmentRepr<'_>) -> io::Result<()> {
        let SocketAddr::V4(r) = remote else {
            return Ok(());
        };
        let bytes = encode(OUR_ADDR, *r.ip(), seg).map_err(io::Error::other)?;
        self.link.send(bytes)
    }

    /// Demultiplexes one datagram from the kernel.
    fn input(&mut self, bytes: &[u8]) {
        let now = self.link.now();
        let d = match decode(bytes) {
            Ok(d) if d.dst == OUR_ADDR => d,
            Ok(_) => return,
            Err(e) => {
                self.stats.bad_packets += 1;
                self.last_bad = Some(e.to_string());
                return;
            }
        };
        let seg = d.segment;
        let remote = SocketAddr::V4(SocketAddrV4::new(d.src, seg.src_port));
        if let Some(c) = self.conns.iter_mut().find(|c| {
            c.remote() == remote
                && c.local().port() == seg.dst_port
                && c.state() != handshake_tcp::conn::State::Closed
        }) {
            c.handle_segment(now, &seg);
            return;
        }
        if let Some((port, l)) = &mut self.listener {
            if *port == seg.dst_port {
                l.handle_segment(now, remote, &seg);
                return;
            }
        }
        // RFC 9293 §3.10.7.1: a segment for no connection (CLOSED) gets a
        // RST unless it is one; the RST's fields follow the incoming ACK bit.
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
        self.stats.resets_sent += 1;
        let _ = self.emit(remote, &rst);
    }
}
