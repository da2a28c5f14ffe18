//! The wire between the kernel and our stack: a TUN device, or a TAP device
//! with our link layer on it, with fault injection and a capture (Linux).
//!
//! Over TAP ([`Link::over_tap`]) the same IP packets travel in Ethernet
//! frames: a [`TapPort`] resolves the kernel's MAC (ARP, NDP) before the
//! first packet to it and answers the kernel's requests for ours, so the
//! driver above sees one wire either way. Faults and the capture act on the
//! IP packets; [`Link::tap`] gives the frames.
//!
//! [`Link::send`] carries a datagram from our stack into the kernel and
//! [`Link::recv`] brings the kernel's next datagram to us; both pass the
//! [`Faults`] rules on the way and both are recorded, as sent, in the
//! [`Capture`]. Delayed and reordered packets wait in the link and are
//! released by `recv`, which never sleeps past their release time.
//!
//! ```no_run
//! use handshake_io::link::Link;
//! use handshake_io::netns::{NetConfig, TestNet};
//! let (net, tun) = TestNet::new(NetConfig::default())?;
//! let mut link = Link::new(tun.expect("asked for a TUN device"), 1)?;
//! let first = link.recv(std::time::Duration::from_millis(10))?; // None: the kernel is quiet
//! # drop((net, first));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::io;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};

use crate::fault::{Action, Dir, Faults, PacketInfo};
use crate::pcap::Capture;
use crate::tap::TapPort;

/// How long a reordered packet waits for a successor before it goes anyway.
const REORDER_WAIT: Duration = Duration::from_millis(200);
/// Packets read from the device in one `recv` before returning.
const READ_BATCH: usize = 64;

#[derive(Debug)]
struct Held {
    at: Instant,
    dir: Dir,
    packet: Vec<u8>,
    /// Released right after the next packet in its direction.
    reorder: bool,
}

/// What carries the packets: IP packets on a TUN device, or Ethernet
/// frames on a TAP device with our ARP and NDP caches.
enum Device {
    Tun(tun_rs::SyncDevice),
    Tap(Box<TapPort>),
}

/// A TUN or TAP device seen as a lossy, recorded wire.
pub struct Link {
    dev: Device,
    origin: Instant,
    /// The fault rules; add to them at any time.
    pub faults: Faults,
    capture: Option<Capture>,
    held: Vec<Held>,
    inbox: VecDeque<Vec<u8>>,
    log: Vec<String>,
    buf: Vec<u8>,
    sent: u64,
    received: u64,
    marked: u64,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("sent", &self.sent)
            .field("received", &self.received)
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

impl Link {
    /// A link over `dev` with no fault rules, recording every packet;
    /// `seed` drives random faults.
    pub fn new(dev: tun_rs::SyncDevice, seed: u64) -> io::Result<Link> {
        dev.set_nonblocking(true)?;
        Ok(Link::with_device(Device::Tun(dev), seed))
    }

    /// A link over a TAP device: our IPv4 and IPv6 packets go in Ethernet
    /// frames to the kernel's MAC, which `port` resolves; otherwise as
    /// [`Link::new`].
    pub fn over_tap(port: TapPort, seed: u64) -> Link {
        Link::with_device(Device::Tap(Box::new(port)), seed)
    }

    fn with_device(dev: Device, seed: u64) -> Link {
        Link {
            dev,
            origin: Instant::now(),
            faults: Faults::new(seed),
            capture: Some(Capture::new()),
            held: Vec::new(),
            inbox: VecDeque::new(),
            log: Vec::new(),
            // Any IPv4 datagram fits, whatever MTU the device was given.
            buf: vec![0; 65_536],
            sent: 0,
            received: 0,
            marked: 0,
        }
    }

    /// The TAP port and its link layer (frames, caches), if the link is over TAP.
    pub fn tap(&self) -> Option<&TapPort> {
        match &self.dev {
            Device::Tap(p) => Some(p),
            Device::Tun(_) => None,
        }
    }

    /// [`Link::tap`], mutable (to add an IPv6 address, say).
    pub fn tap_mut(&mut self) -> Option<&mut TapPort> {
        match &mut self.dev {
            Device::Tap(p) => Some(p),
            Device::Tun(_) => None,
        }
    }

    /// Stops recording (for throughput runs; over TAP the frames too) and
    /// drops what was recorded.
    pub fn without_capture(mut self) -> Link {
        self.capture = None;
        if let Device::Tap(port) = &mut self.dev {
            port.stop_recording();
        }
        self
    }

    /// Time since the link was made.
    pub fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }

    /// The link's clock as a sans-IO instant: nanoseconds since it was made.
    pub fn now(&self) -> handshake_time::Instant {
        handshake_time::Instant::from_nanos(self.elapsed().as_nanos() as u64)
    }

    /// The real time of a sans-IO instant on this link's clock.
    pub fn to_std(&self, t: handshake_time::Instant) -> Instant {
        self.origin + Duration::from_nanos(t.as_nanos())
    }

    /// What was recorded so far.
    pub fn capture(&self) -> Option<&Capture> {
        self.capture.as_ref()
    }

    /// One line per fault applied: time, direction, action, packet.
    pub fn fault_log(&self) -> &[String] {
        &self.log
    }

    /// Datagrams written to the kernel and read from it.
    pub fn counts(&self) -> (u64, u64) {
        (self.sent, self.received)
    }

    /// Packets a [`Action::MarkCe`] rule marked CE (ECT packets it picked).
    pub fn marked_ce(&self) -> u64 {
        self.marked
    }

    /// Carries one datagram from our stack to the kernel.
    pub fn send(&mut self, packet: Vec<u8>) -> io::Result<()> {
        self.record(&packet);
        self.route(Dir::ToKernel, packet)
    }

    /// The kernel's next datagram, waiting at most `wait`; `None` if none came.
    pub fn recv(&mut self, wait: Duration) -> io::Result<Option<Vec<u8>>> {
        let deadline = Instant::now() + wait;
        loop {
            self.release_due()?;
            if let Some(p) = self.inbox.pop_front() {
                return Ok(Some(p));
            }
            let now = Instant::now();
            let mut until = deadline;
            if let Some(h) = self.held.iter().map(|h| h.at).min() {
                until = until.min(h);
            }
            if self.read_ready()? {
                continue;
            }
            if now >= deadline {
                return Ok(None);
            }
            let left = until.saturating_duration_since(now);
            self.poll_device(left)?;
        }
    }

    /// The earliest time a held packet is due, if any.
    pub fn next_release(&self) -> Option<Instant> {
        self.held.iter().map(|h| h.at).min()
    }

    /// Reads whatever the device has now (up to a batch); true if anything came.
    fn read_ready(&mut self) -> io::Result<bool> {
        self.poll_device(Duration::ZERO)
    }

    /// Waits at most `wait` for the device, then takes what it has (up to
    /// a batch) to the fault rules; true if any IP packet came.
    fn poll_device(&mut self, wait: Duration) -> io::Result<bool> {
        let packets = match &mut self.dev {
            Device::Tun(dev) => {
                if !wait.is_zero() {
                    wait_readable(dev, wait)?;
                }
                let mut packets = Vec::new();
                for _ in 0..READ_BATCH {
                    match dev.recv(&mut self.buf) {
                        Ok(n) => packets.push(self.buf[..n].to_vec()),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                }
                packets
            }
            // The port answers ARP and NDP and runs their timers; it hands
            // over the IP packets addressed to our MAC.
            Device::Tap(port) => port.pump(wait)?,
        };
        let mut got = false;
        for p in packets {
            // IPv4 and unicast IPv6: the kernel's IPv6 multicast (MLD
            // reports, router solicitations) is for groups our host never
            // joined, and over TAP the port has already seen it.
            let wanted = match p.first().map(|b| b >> 4) {
                Some(4) => true,
                Some(6) => p.get(24).is_some_and(|b| *b != 0xff),
                _ => false,
            };
            if !wanted {
                continue;
            }
            got = true;
            self.record(&p);
            self.route(Dir::ToUs, p)?;
        }
        Ok(got)
    }

    fn record(&mut self, packet: &[u8]) {
        let at = self.elapsed();
        if let Some(c) = &mut self.capture {
            c.record(at, packet);
        }
    }

    /// Applies the fault rules and delivers, holds or drops the packet.
    fn route(&mut self, dir: Dir, packet: Vec<u8>) -> io::Result<()> {
        let info = PacketInfo::of(&packet).unwrap_or_default();
        let action = self.faults.judge(dir, &info);
        if let Some(a) = action {
            let line = format!(
                "{:>10.6}s {:?} {:?} seq={} len={} syn={}",
                self.elapsed().as_secs_f64(),
                dir,
                a,
                info.seq,
                info.data_len,
                info.syn
            );
            self.log.push(line);
        }
        match action {
            None => self.deliver(dir, packet)?,
            Some(Action::Drop) => {}
            Some(Action::Duplicate) => {
                self.deliver(dir, packet.clone())?;
                self.deliver(dir, packet)?;
            }
            Some(Action::Delay(d)) => self.held.push(Held {
                at: Instant::now() + d,
                dir,
                packet,
                reorder: false,
            }),
            Some(Action::Reorder) => self.held.push(Held {
                at: Instant::now() + REORDER_WAIT,
                dir,
                packet,
                reorder: true,
            }),
            Some(Action::MarkCe) => {
                let marked = crate::packet::mark_ce(&packet);
                if marked.is_some() {
                    self.marked += 1;
                }
                self.deliver(dir, marked.unwrap_or(packet))?;
            }
            Some(Action::Tamper) => {
                let altered = crate::packet::tamper(&packet).unwrap_or(packet);
                self.deliver(dir, altered)?;
            }
        }
        Ok(())
    }

    /// Hands a packet to its receiver, then any reordered packet waiting behind it.
    fn deliver(&mut self, dir: Dir, packet: Vec<u8>) -> io::Result<()> {
        self.put(dir, packet)?;
        while let Some(i) = self.held.iter().position(|h| h.reorder && h.dir == dir) {
            let h = self.held.swap_remove(i);
            self.put(dir, h.packet)?;
        }
        Ok(())
    }

    fn put(&mut self, dir: Dir, packet: Vec<u8>) -> io::Result<()> {
        match dir {
            Dir::ToUs => {
                self.received += 1;
                self.inbox.push_back(packet);
            }
            Dir::ToKernel => {
                self.sent += 1;
                match &mut self.dev {
                    Device::Tun(dev) => match dev.send(&packet) {
                        Ok(_) => {}
                        // A full device queue is loss on the wire, as on a real link.
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(e),
                    },
                    // The next hop is resolved (and the packet queued
                    // meanwhile) by the port.
                    Device::Tap(port) => match destination(&packet).map(next_hop) {
                        Some(std::net::IpAddr::V4(a)) => port.send_ipv4(a, packet)?,
                        Some(std::net::IpAddr::V6(a)) => port.send_ipv6(a, packet)?,
                        None => {}
                    },
                }
            }
        }
        Ok(())
    }

    fn release_due(&mut self) -> io::Result<()> {
        let now = Instant::now();
        while let Some(i) = self.held.iter().position(|h| h.at <= now) {
            let h = self.held.swap_remove(i);
            self.put(h.dir, h.packet)?;
        }
        Ok(())
    }
}

/// Where a packet to `dst` goes on the TAP segment: `dst` itself when it
/// is on the link (the namespace's 192.0.2.0/24), otherwise the kernel,
/// which is our default router (RFC 1122 §3.3.1.1: a datagram for another
/// network goes to a gateway on ours).
fn next_hop(dst: std::net::IpAddr) -> std::net::IpAddr {
    use crate::netns::{KERNEL_ADDR, OUR_ADDR, PREFIX};
    match dst {
        std::net::IpAddr::V4(a) => {
            let mask = u32::MAX << (32 - PREFIX);
            let on_link = u32::from(a) & mask == u32::from(OUR_ADDR) & mask;
            if on_link || a.is_broadcast() || a.is_multicast() {
                dst
            } else {
                KERNEL_ADDR.into()
            }
        }
        // Every IPv6 destination of ours is on the link (RFC 4861 §5.2's
        // next-hop determination with the namespace's one prefix).
        std::net::IpAddr::V6(_) => dst,
    }
}

/// The destination address of an IPv4 or IPv6 packet.
fn destination(p: &[u8]) -> Option<std::net::IpAddr> {
    match p.first()? >> 4 {
        4 => Some(<[u8; 4]>::try_from(p.get(16..20)?).ok()?.into()),
        6 => Some(<[u8; 16]>::try_from(p.get(24..40)?).ok()?.into()),
        _ => None,
    }
}

/// Waits at most `left` for `dev` to have something to read.
pub(crate) fn wait_readable(dev: &impl AsFd, left: Duration) -> io::Result<()> {
    let ts = Timespec {
        tv_sec: left.as_secs() as _,
        tv_nsec: left.subsec_nanos() as _,
    };
    let fd = dev.as_fd();
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    match rustix::event::poll(&mut fds, Some(&ts)) {
        Ok(_) => Ok(()),
        Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
