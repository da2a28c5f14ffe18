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
use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use handshake_tcp::conn::{Config, Connection, IsnGenerator, State};
use handshake_tcp::endpoint::{ConnHandle, Endpoint};

use crate::link::Link;
use crate::netns::{OUR_ADDR, OUR_ADDR6};
use crate::packet::{decode_ip, encode_transmit, PacketError};

/// A connection of the driver: the handle its [`Endpoint`] gave it.
pub type ConnId = ConnHandle;

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
    /// Segments for no connection, answered with RST by the endpoint
    /// (RFC 9293 §3.10.7.1).
    pub resets_sent: u64,
    /// ICMP errors about TCP segments handed to the endpoint.
    pub icmp_errors: u64,
}

/// Our TCP host at [`OUR_ADDR`] and [`OUR_ADDR6`] (one sans-IO
/// [`Endpoint`], which routes every segment) and the link it talks over.
#[derive(Debug)]
pub struct Driver {
    /// The wire; add fault rules through `link.faults`.
    pub link: Link,
    endpoint: Endpoint,
    /// The addresses listened on, oldest first.
    listening: Vec<SocketAddr>,
    /// Connections the application released ([`Driver::release`]): removed
    /// from the endpoint once CLOSED.
    released: Vec<ConnId>,
    bad_packets: u64,
    icmp_errors: u64,
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
            endpoint: Endpoint::new(IsnGenerator::new(key)),
            listening: Vec::new(),
            released: Vec::new(),
            bad_packets: 0,
            icmp_errors: 0,
            last_bad: None,
        }
    }

    /// Opens a connection from our address of `remote`'s family
    /// ([`OUR_ADDR`] or [`OUR_ADDR6`]), port `local_port`, to `remote`.
    ///
    /// # Panics
    /// If `remote` is not a unicast address with a port, or a live
    /// connection already has this 4-tuple: the test chose them.
    pub fn connect(&mut self, config: Config, local_port: u16, remote: SocketAddr) -> ConnId {
        let now = self.link.now();
        let ours: IpAddr = match remote {
            SocketAddr::V4(_) => OUR_ADDR.into(),
            SocketAddr::V6(_) => OUR_ADDR6.into(),
        };
        let local = SocketAddr::new(ours, local_port);
        match self.endpoint.connect(config, local, remote, now) {
            Ok(h) => h,
            Err(e) => panic!("connect {local} -> {remote}: {e}"),
        }
    }

    /// Listens on `port` of [`OUR_ADDR`] and of [`OUR_ADDR6`] (each with
    /// its own `backlog`), replacing earlier listeners there.
    pub fn listen(&mut self, config: Config, port: u16, backlog: usize) {
        for ours in [IpAddr::from(OUR_ADDR), IpAddr::from(OUR_ADDR6)] {
            let local = SocketAddr::new(ours, port);
            let _ = self.endpoint.unlisten(local);
            self.listening.retain(|l| *l != local);
            // Our addresses are unicast and free now: this cannot fail.
            if self.endpoint.listen(config.clone(), local, backlog).is_ok() {
                self.listening.push(local);
            }
        }
    }

    /// Our IPv4 listener on `port`, for its counters (half-open, SYN cookies).
    pub fn listener(&self, port: u16) -> Option<&handshake_tcp::conn::Listener> {
        self.endpoint
            .listener(SocketAddrV4::new(OUR_ADDR, port).into())
    }

    /// The next connection a listener completed, if any.
    pub fn accept(&mut self) -> Option<ConnId> {
        let listening = self.listening.clone();
        listening.into_iter().find_map(|l| self.endpoint.accept(l))
    }

    /// Gives a connection back: the application will not use `id` again.
    /// Like `close(2)` on a socket, it is closed (a FIN follows the queued
    /// data, RFC 9293 §3.10.4) and lives on through its close handshake and
    /// TIME-WAIT; once CLOSED (at once if it already is, after a RST it
    /// still sends) the driver forgets it, so a long-running program's
    /// endpoint does not keep every connection it ever had.
    pub fn release(&mut self, id: ConnId) {
        if let Some(c) = self.endpoint.conn_mut(id) {
            c.close();
            if !self.released.contains(&id) {
                self.released.push(id);
            }
        }
    }

    /// How many connections the driver holds: open, closing, or CLOSED and
    /// not released.
    pub fn connections(&self) -> usize {
        self.endpoint.handles().count()
    }

    /// Removes the released connections that are CLOSED and have nothing
    /// left to send (called after a flush).
    fn forget_released(&mut self) {
        let endpoint = &mut self.endpoint;
        self.released.retain(|&h| match endpoint.conn(h) {
            Some(c) if c.state() != State::Closed => true,
            Some(_) => {
                endpoint.remove(h);
                false
            }
            None => false,
        });
    }

    /// A connection.
    ///
    /// # Panics
    /// If `id` is not a handle this driver returned, or one released and
    /// forgotten ([`Driver::release`]).
    pub fn conn(&mut self, id: ConnId) -> &mut Connection {
        self.endpoint
            .conn_mut(id)
            .expect("a handle this driver returned")
    }

    /// Counters of what was not for a connection.
    pub fn stats(&self) -> DriverStats {
        DriverStats {
            bad_packets: self.bad_packets,
            resets_sent: self.endpoint.stats().resets_sent,
            icmp_errors: self.icmp_errors,
        }
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
        self.flush()?;
        if !self.released.is_empty() {
            self.forget_released();
        }
        Ok(())
    }

    fn next_timer(&self) -> Option<handshake_time::Instant> {
        self.endpoint.poll_timeout()
    }

    fn timers(&mut self) {
        let now = self.link.now();
        if self.endpoint.poll_timeout().is_some_and(|t| t <= now) {
            self.endpoint.handle_timeout(now);
        }
    }

    /// Sends every segment the endpoint has ready.
    pub fn flush(&mut self) -> io::Result<()> {
        let now = self.link.now();
        // Each segment's data goes from the send buffer straight into its
        // datagram (one copy); RFC 3168 §5: the connection's codepoint in
        // the IPv4 ECN field or the IPv6 Traffic Class.
        while let Some(o) = self.endpoint.poll_segment(now) {
            let bytes =
                encode_transmit(o.src.ip(), o.dst.ip(), &o.segment).map_err(io::Error::other)?;
            self.link.send(bytes)?;
        }
        // With offloads the burst goes in one batch, coalesced.
        self.link.flush()
    }

    /// Demultiplexes one datagram from the kernel.
    fn input(&mut self, bytes: &[u8]) {
        let now = self.link.now();
        let d = match decode_ip(bytes) {
            Ok(d) if d.dst == IpAddr::from(OUR_ADDR) || d.dst == IpAddr::from(OUR_ADDR6) => d,
            Ok(_) => return,
            // RFC 9293 §3.9.2.2 (MUST-54): an ICMP error goes to the
            // connection that sent the segment it quotes. Other ICMPv6
            // messages (the kernel's router solicitations and MLD
            // reports) are not ours to answer.
            Err(PacketError::NotTcp {
                protocol: 1 | 58, ..
            }) => {
                if let Some(e) = crate::packet::icmp_error(bytes) {
                    self.icmp_errors += 1;
                    let _ = self
                        .endpoint
                        .handle_icmp(now, e.local, e.remote, e.seq, e.error);
                }
                return;
            }
            Err(e) => {
                self.bad_packets += 1;
                self.last_bad = Some(e.to_string());
                return;
            }
        };
        // The endpoint routes it: a connection, a listener, or RFC 9293
        // §3.10.7.1's RST for no connection.
        // The ECN field goes with it (RFC 3168 §6.1.3: CE marks).
        self.endpoint
            .handle_segment_ecn(now, d.src, d.dst, &d.segment, d.ecn);
    }
}
