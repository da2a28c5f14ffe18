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

/// What carries the packets: IP packets on a TUN device, with or without
/// its offloads, or Ethernet frames on a TAP device with our ARP and NDP
/// caches.
enum Device {
    Tun(tun_rs::SyncDevice),
    Offload(Box<Offload>),
    Tap(Box<TapPort>),
}

/// A TUN device opened with the virtio-net header (`NetConfig::offload`):
/// every read and write starts with a [`tun_rs::VirtioNetHdr`].
///
/// - Receive (GRO's effect): the kernel hands over a TCP super-packet of up
///   to 64 KiB, cut by its TSO into MSS-sized segments only on a real wire.
///   It goes to our stack whole, as one segment (GRO does the same inside a
///   receiving kernel); its TCP checksum, left partial by the kernel, is
///   completed here first, so the stack verifies every checksum as always.
/// - Send (GSO): what the stack sends in one burst is written in one batch,
///   and tun-rs's `send_multiple` coalesces consecutive segments of a flow
///   into super-packets that the kernel takes whole.
struct Offload {
    dev: tun_rs::SyncDevice,
    gro: tun_rs::GROTable,
    /// Packets waiting for [`Link::flush`]: the first `queued` buffers of
    /// the pool, each a packet behind `VIRTIO_NET_HDR_LEN` bytes of room for
    /// its header. The buffers are kept from one flush to the next, each
    /// with room for a whole super-packet, which is what tun-rs needs to
    /// coalesce into it (it does not grow a buffer itself).
    pool: Vec<Vec<u8>>,
    queued: usize,
    /// Super-packets received and written, for the tests and the bench.
    super_in: u64,
    super_out: u64,
}

/// VIRTIO_NET_HDR_F_NEEDS_CSUM (virtio 1.2 §5.1.6): the checksum from
/// `csum_start` on is left for the device to finish.
const NEEDS_CSUM: u8 = 1;
/// VIRTIO_NET_HDR_GSO_ECN (virtio 1.2 §5.1.6): a flag in `gso_type`, not a type.
const GSO_ECN: u8 = 0x80;

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

    /// A link over a TUN device opened with offloads
    /// ([`crate::netns::NetConfig::offload`]): TCP super-packets both ways
    /// (see the type's notes). Falls back to [`Link::new`]'s plain reads and
    /// writes when the device has no virtio-net header. Call
    /// [`Link::flush`] after a burst of [`Link::send`]s (the driver does):
    /// sends are batched until then, or until [`Link::recv`].
    pub fn with_offload(dev: tun_rs::SyncDevice, seed: u64) -> io::Result<Link> {
        dev.set_nonblocking(true)?;
        if !dev.tcp_gso() {
            return Ok(Link::with_device(Device::Tun(dev), seed));
        }
        let off = Offload {
            dev,
            gro: tun_rs::GROTable::default(),
            pool: Vec::new(),
            queued: 0,
            super_in: 0,
            super_out: 0,
        };
        Ok(Link::with_device(Device::Offload(Box::new(off)), seed))
    }

    /// With offloads: the super-packets received (more than one segment's
    /// worth, as the kernel's TSO left them) and sent (several of our
    /// segments coalesced into one write).
    pub fn offload_counts(&self) -> Option<(u64, u64)> {
        match &self.dev {
            Device::Offload(o) => Some((o.super_in, o.super_out)),
            _ => None,
        }
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
            Device::Tun(_) | Device::Offload(_) => None,
        }
    }

    /// [`Link::tap`], mutable (to add an IPv6 address, say).
    pub fn tap_mut(&mut self) -> Option<&mut TapPort> {
        match &mut self.dev {
            Device::Tap(p) => Some(p),
            Device::Tun(_) | Device::Offload(_) => None,
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

    /// Writes what [`Link::send`] batched (with offloads; otherwise
    /// everything has gone already).
    pub fn flush(&mut self) -> io::Result<()> {
        let Device::Offload(o) = &mut self.dev else {
            return Ok(());
        };
        if o.queued == 0 {
            return Ok(());
        }
        let out = &mut o.pool[..o.queued];
        o.queued = 0;
        let r = o
            .dev
            .send_multiple(&mut o.gro, out, tun_rs::VIRTIO_NET_HDR_LEN);
        // A coalesced packet went with a GSO type in its header; the
        // segments merged into it, and packets sent alone, have none.
        o.super_out += out
            .iter()
            .filter(|b| tun_rs::VirtioNetHdr::decode(b).is_ok_and(|h| h.gso_type & !GSO_ECN != 0))
            .count() as u64;
        match r {
            Ok(_) => Ok(()),
            // A full device queue is loss on the wire, as on a real link.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The kernel's next datagram, waiting at most `wait`; `None` if none came.
    pub fn recv(&mut self, wait: Duration) -> io::Result<Option<Vec<u8>>> {
        self.flush()?;
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
            Device::Offload(o) => {
                if !wait.is_zero() {
                    wait_readable(&o.dev, wait)?;
                }
                let mut packets = Vec::new();
                for _ in 0..READ_BATCH {
                    match o.dev.recv(&mut self.buf) {
                        Ok(n) => {
                            if let Some((p, gso)) = virtio_read(&mut self.buf[..n]) {
                                o.super_in += u64::from(gso);
                                packets.push(p.to_vec());
                            }
                        }
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
                    Device::Offload(o) => {
                        if o.queued == o.pool.len() {
                            // Room for the largest IP packet and its header,
                            // twice the header as tun-rs asks.
                            let room = 2 * tun_rs::VIRTIO_NET_HDR_LEN + usize::from(u16::MAX);
                            o.pool.push(Vec::with_capacity(room));
                        }
                        let b = &mut o.pool[o.queued];
                        b.clear();
                        b.resize(tun_rs::VIRTIO_NET_HDR_LEN, 0);
                        b.extend_from_slice(&packet);
                        o.queued += 1;
                        if o.queued >= tun_rs::IDEAL_BATCH_SIZE {
                            return self.flush();
                        }
                    }
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

/// What a [`Link`] with offloads makes of each read from its device: the
/// IP packet behind the virtio-net header, its TCP checksum completed if
/// the kernel left it partial, and whether it is a super-packet (a GSO
/// type other than none). `None` for a read too short for the header, or
/// a checksum start or offset outside the packet (the kernel never sends
/// either; the packet is dropped, as a bad checksum would be). Public for
/// the fuzz target.
pub fn virtio_read(raw: &mut [u8]) -> Option<(&[u8], bool)> {
    let hdr = tun_rs::VirtioNetHdr::decode(raw).ok()?;
    let p = raw.get_mut(tun_rs::VIRTIO_NET_HDR_LEN..)?;
    if hdr.flags & NEEDS_CSUM != 0 {
        // virtio 1.2 §5.1.6.2.1: the checksum field holds the pseudo-header
        // sum; the one's complement sum from csum_start to the end,
        // complemented, is the checksum, stored at csum_start + csum_offset.
        let start = usize::from(hdr.csum_start);
        let at = start.checked_add(usize::from(hdr.csum_offset))?;
        p.get(at..at + 2)?;
        let c = !handshake_ip::checksum::sum(p.get(start..)?);
        p[at..at + 2].copy_from_slice(&c.to_be_bytes());
    }
    Some((p, hdr.gso_type & !GSO_ECN != 0))
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

#[cfg(test)]
mod tests {
    use super::*;
    use handshake_ip::checksum::reference;
    use proptest::prelude::*;

    /// A TCP/IPv4 packet (20-byte headers, `payload` after them) with its
    /// TCP checksum field zero, and that checksum computed independently:
    /// the reference one's complement sum over the pseudo-header (RFC 9293
    /// §3.1) and the segment.
    fn packet(payload: &[u8]) -> (Vec<u8>, u16, u16) {
        let tcp_len = 20 + payload.len();
        let mut p = vec![0u8; 20];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&((20 + tcp_len) as u16).to_be_bytes());
        p[8] = 64;
        p[9] = 6;
        p[12..16].copy_from_slice(&[192, 0, 2, 1]);
        p[16..20].copy_from_slice(&[192, 0, 2, 2]);
        let mut tcp = vec![0u8; 20];
        tcp[0..4].copy_from_slice(&[0x13, 0x89, 0x9c, 0x41]);
        tcp[12] = 5 << 4;
        tcp[13] = 0x10;
        tcp.extend_from_slice(payload);
        let mut pseudo = p[12..20].to_vec();
        pseudo.extend_from_slice(&[0, 6]);
        pseudo.extend_from_slice(&(tcp_len as u16).to_be_bytes());
        let ph = reference::sum(&pseudo);
        let mut all = pseudo;
        all.extend_from_slice(&tcp);
        let full = !reference::sum(&all);
        p.extend_from_slice(&tcp);
        (p, ph, full)
    }

    fn virtio(flags: u8, gso_type: u8, csum_start: u16, csum_offset: u16) -> Vec<u8> {
        let hdr = tun_rs::VirtioNetHdr {
            flags,
            gso_type,
            hdr_len: 40,
            gso_size: 1448,
            csum_start,
            csum_offset,
        };
        let mut b = vec![0u8; tun_rs::VIRTIO_NET_HDR_LEN];
        hdr.encode(&mut b).unwrap();
        b
    }

    #[test]
    fn a_partial_checksum_is_completed() {
        let payload: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 251) as u8).collect();
        let (p, pseudo, full) = packet(&payload);
        // As the kernel leaves it: the pseudo-header's sum in the field.
        let mut raw = virtio(NEEDS_CSUM, tun_rs::VIRTIO_NET_HDR_GSO_TCPV4, 20, 16);
        raw.extend_from_slice(&p);
        let at = tun_rs::VIRTIO_NET_HDR_LEN + 36;
        raw[at..at + 2].copy_from_slice(&pseudo.to_be_bytes());
        let (out, gso) = virtio_read(&mut raw).unwrap();
        assert!(gso);
        assert_eq!(out.len(), p.len());
        assert_eq!(u16::from_be_bytes([out[36], out[37]]), full);
        assert_eq!(out[..36], p[..36]);
        assert_eq!(out[38..], p[38..]);
    }

    /// scapy's super-packet (fixtures/fuzz/make_seeds.py), its checksum
    /// left partial: completed, it decodes with every checksum verified.
    #[test]
    fn scapys_partial_super_packet_decodes() {
        let mut raw =
            include_bytes!("../../../fixtures/fuzz/io_packet/seed-virtio-partial-checksum-tso")
                .to_vec();
        let (p, gso) = virtio_read(&mut raw).unwrap();
        assert!(gso);
        let d = crate::packet::decode_ip(p).unwrap();
        assert_eq!(d.segment.payload.len(), 251 * 12);
        assert_eq!(d.segment.payload[..251], (0..=250).collect::<Vec<u8>>()[..]);
    }

    #[test]
    fn a_complete_packet_passes_unchanged() {
        let (mut p, _, full) = packet(b"hello");
        p[36..38].copy_from_slice(&full.to_be_bytes());
        let mut raw = virtio(0, 0, 0, 0);
        raw.extend_from_slice(&p);
        let (out, gso) = virtio_read(&mut raw).unwrap();
        assert!(!gso);
        assert_eq!(out, &p[..]);
    }

    #[test]
    fn a_checksum_place_outside_the_packet_drops_it() {
        let (p, _, _) = packet(b"hello");
        for (start, offset) in [(40, 16), (20, 30), (u16::MAX, u16::MAX)] {
            let mut raw = virtio(NEEDS_CSUM, 0, start, offset);
            raw.extend_from_slice(&p);
            assert!(virtio_read(&mut raw).is_none(), "{start} {offset}");
        }
        assert!(virtio_read(&mut [0u8; 4]).is_none());
    }

    proptest! {
        /// Whatever the device hands over never panics.
        #[test]
        fn arbitrary_reads_never_panic(mut raw in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = virtio_read(&mut raw);
        }
    }
}
