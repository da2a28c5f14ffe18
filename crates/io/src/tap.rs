//! Our link layer on a TAP device (Linux): the kernel sees us as a
//! neighbour on an Ethernet segment.
//!
//! A [`TapPort`] owns the TAP device of a [`crate::netns::TestNet`] made
//! with `NetConfig { tap: true, .. }` and the two sans-IO neighbour caches
//! of handshake-link: ARP answers the kernel's requests for our IPv4 address
//! and resolves the kernel's, NDP does the same for IPv6 and runs duplicate
//! address detection for our addresses. [`TapPort::pump`] moves frames
//! between the device and the caches, runs their timers on the port's
//! clock, and hands the caller the IP packets that arrived for it. The
//! kernel's MAC is learned, never configured. Every frame in either
//! direction is recorded for a capture.
//!
//! ```no_run
//! use handshake_io::netns::{NetConfig, TestNet, OUR_ADDR};
//! use handshake_io::tap::TapPort;
//! use handshake_link::MacAddr;
//! let (net, dev) = TestNet::new(NetConfig { tap: true, ..NetConfig::default() })?;
//! let mut port = TapPort::new(dev.expect("a TAP device"), MacAddr([2, 0, 0x5e, 0, 0x53, 2]), OUR_ADDR)?;
//! let packets = port.pump(std::time::Duration::from_millis(100))?;
//! # drop((net, packets));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use handshake_link::{
    ArpCache, ArpConfig, EtherType, EthernetFrame, EthernetRepr, MacAddr, NdpConfig, NeighborCache,
};

use crate::link::wait_readable;

/// Frames read from the device in one go before the caches' output is sent.
const READ_BATCH: usize = 64;
/// Frames kept for the capture at most.
const RECORD_LIMIT: usize = 100_000;
/// An Ethernet II header without tags.
const HEADER_LEN: usize = 14;
/// Packets up to this size are copied behind their header to be written.
const COPY_LIMIT: usize = 4096;

/// Our end of a TAP device: the ARP and NDP caches and the frames seen.
pub struct TapPort {
    dev: tun_rs::SyncDevice,
    mac: MacAddr,
    origin: Instant,
    /// The ARP cache (our IPv4 address is in its configuration).
    pub arp: ArpCache,
    /// The IPv6 neighbour cache with our IPv6 addresses.
    pub nd: NeighborCache,
    frames: Vec<(Duration, Vec<u8>)>,
    /// Frames are kept for [`TapPort::frames`] (the default).
    recording: bool,
    buf: Vec<u8>,
    /// Where a small frame is put together to be written.
    wbuf: Vec<u8>,
}

impl std::fmt::Debug for TapPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TapPort")
            .field("mac", &self.mac)
            .field("frames", &self.frames.len())
            .finish_non_exhaustive()
    }
}

impl TapPort {
    /// A port with our `mac` and IPv4 address `v4`, the RFCs' defaults
    /// for both caches (IPv6 addresses are added with [`TapPort::add_ipv6`]).
    pub fn new(dev: tun_rs::SyncDevice, mac: MacAddr, v4: Ipv4Addr) -> io::Result<TapPort> {
        dev.set_nonblocking(true)?;
        Ok(TapPort {
            dev,
            mac,
            origin: Instant::now(),
            arp: ArpCache::new(ArpConfig::new(mac, v4)),
            nd: NeighborCache::new(NdpConfig::new(mac)),
            frames: Vec::new(),
            recording: true,
            buf: vec![0; 65_536],
            wbuf: Vec::with_capacity(HEADER_LEN + COPY_LIMIT),
        })
    }

    /// The port's clock as a sans-IO instant.
    pub fn now(&self) -> handshake_time::Instant {
        handshake_time::Instant::from_nanos(self.origin.elapsed().as_nanos() as u64)
    }

    /// Time since the port was made (the clock of [`TapPort::frames`]).
    pub fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }

    /// Our MAC.
    pub fn mac(&self) -> MacAddr {
        self.mac
    }

    /// Adds an IPv6 address of ours; duplicate address detection starts
    /// after `start_delay` (the caller's random draw, RFC 4862 §5.4.2).
    pub fn add_ipv6(&mut self, addr: Ipv6Addr, start_delay: Duration) -> bool {
        let now = self.now();
        self.nd.add_address(now, addr, start_delay)
    }

    /// Sends an IPv4 packet to the on-link `next_hop`, resolving it first if needed.
    pub fn send_ipv4(&mut self, next_hop: Ipv4Addr, packet: Vec<u8>) -> io::Result<()> {
        let now = self.now();
        let ready = self
            .arp
            .resolve_or_queue(now, next_hop, packet)
            .map_err(io::Error::other)?;
        self.flush()?;
        match ready {
            Some((mac, packet)) => self.write_frame(mac, EtherType::IPV4, &packet),
            None => Ok(()),
        }
    }

    /// Sends an IPv6 packet to the on-link `next_hop`, resolving it first if needed.
    pub fn send_ipv6(&mut self, next_hop: Ipv6Addr, packet: Vec<u8>) -> io::Result<()> {
        let now = self.now();
        let ready = self
            .nd
            .resolve_or_queue(now, next_hop, packet)
            .map_err(io::Error::other)?;
        self.flush()?;
        match ready {
            Some((mac, packet)) => self.write_frame(mac, EtherType::IPV6, &packet),
            None => Ok(()),
        }
    }

    /// Writes `packet` in a frame to `dst` (after the caches' own frames,
    /// which [`TapPort::flush`] wrote, so the order they were sent in
    /// holds). A frame up to [`COPY_LIMIT`] is put together in a buffer
    /// kept for it and written; a larger one goes as header and packet in
    /// one vectored write, not copied (importing the vector costs the
    /// kernel more than copying a small packet costs us).
    fn write_frame(&mut self, dst: MacAddr, ethertype: EtherType, packet: &[u8]) -> io::Result<()> {
        let eth = EthernetRepr {
            dst_addr: dst,
            src_addr: self.mac,
            ethertype,
        };
        let mut header = [0u8; HEADER_LEN];
        eth.emit(&mut header).map_err(io::Error::other)?;
        if self.recording && self.frames.len() < RECORD_LIMIT {
            self.record(&[&header[..], packet].concat());
        }
        let sent = if packet.len() <= COPY_LIMIT {
            self.wbuf.clear();
            self.wbuf.extend_from_slice(&header);
            self.wbuf.extend_from_slice(packet);
            self.dev.send(&self.wbuf)
        } else {
            self.dev
                .send_vectored(&[io::IoSlice::new(&header), io::IoSlice::new(packet)])
        };
        match sent {
            Ok(_) => Ok(()),
            // A full device queue drops the frame, as a wire would.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every frame sent and received so far, with its time since the port was made.
    pub fn frames(&self) -> &[(Duration, Vec<u8>)] {
        &self.frames
    }

    /// Runs the link layer for at most `wait`: frames in, the caches'
    /// frames out, their timers. Returns early with the IPv4 and IPv6
    /// packets that arrived for us (neither ARP nor neighbour discovery).
    pub fn pump(&mut self, wait: Duration) -> io::Result<Vec<Vec<u8>>> {
        let deadline = Instant::now() + wait;
        let mut packets = Vec::new();
        loop {
            let now = self.now();
            self.arp.handle_timeout(now);
            self.nd.handle_timeout(now);
            self.flush()?;
            self.read_ready(&mut packets)?;
            self.flush()?;
            let real_now = Instant::now();
            if !packets.is_empty() || real_now >= deadline {
                return Ok(packets);
            }
            let timers = [self.arp.poll_timeout(), self.nd.poll_timeout()];
            let mut until = deadline;
            for t in timers.into_iter().flatten() {
                until = until.min(self.origin + Duration::from_nanos(t.as_nanos()));
            }
            wait_readable(&self.dev, until.saturating_duration_since(real_now))?;
        }
    }

    /// Stops keeping frames (for throughput runs) and drops those kept.
    pub fn stop_recording(&mut self) {
        self.recording = false;
        self.frames = Vec::new();
    }

    fn record(&mut self, frame: &[u8]) {
        if self.recording && self.frames.len() < RECORD_LIMIT {
            self.frames.push((self.origin.elapsed(), frame.to_vec()));
        }
    }

    /// Writes every frame the caches have for the wire.
    fn flush(&mut self) -> io::Result<()> {
        let now = self.now();
        while let Some(f) = self
            .arp
            .poll_transmit(now)
            .or_else(|| self.nd.poll_transmit(now))
        {
            self.record(&f);
            match self.dev.send(&f) {
                Ok(_) => {}
                // A full device queue drops the frame, as a wire would.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads what the device has now and dispatches it by EtherType.
    fn read_ready(&mut self, packets: &mut Vec<Vec<u8>>) -> io::Result<()> {
        for _ in 0..READ_BATCH {
            let n = match self.dev.recv(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let mut frame = self.buf[..n].to_vec();
            self.record(&frame);
            let now = self.now();
            let Ok(f) = EthernetFrame::new_checked(&frame[..]) else {
                continue;
            };
            let dst = f.dst_addr();
            let for_us = dst == self.mac || dst.is_multicast();
            let (ethertype, header) = (f.ethertype(), n - f.payload().len());
            let is_nd = is_neighbor_discovery(f.payload());
            let deliver = match ethertype {
                // Malformed or invalid ARP and ND messages are dropped, as
                // the RFCs say; the caches changed nothing for them.
                EtherType::ARP => {
                    let _ = self.arp.handle_frame(now, &frame);
                    false
                }
                EtherType::IPV6 => {
                    let _ = self.nd.handle_frame(now, &frame);
                    for_us && !is_nd
                }
                EtherType::IPV4 => for_us,
                _ => false,
            };
            if deliver {
                // The packet keeps the frame's allocation: the header's
                // octets go and the rest moves down in place.
                frame.drain(..header);
                packets.push(frame);
            }
        }
        Ok(())
    }
}

/// True for an IPv6 packet carrying ICMPv6 type 135 or 136 right after the
/// fixed header (where the kernel puts them).
fn is_neighbor_discovery(p: &[u8]) -> bool {
    p.len() > 40 && p[6] == 58 && matches!(p[40], 135 | 136)
}
