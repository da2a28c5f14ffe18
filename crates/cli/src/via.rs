//! `fetch --via`: how the bytes travel. `kernel` is the operating system's
//! TCP/IP; `tun` is ours from IP up, through a TUN device in a private
//! network namespace (`handshake_io::tunstream`), where the kernel relays
//! to the server. With `tun` every segment is ours to show on the ladder,
//! to write to `--pcap`, and to tamper with (`--tamper`). `tap` is ours from
//! Ethernet up: the same through a TAP device, where our ARP cache first
//! finds the kernel's MAC, and the ladder opens with that exchange.

use std::path::Path;

use anyhow::{bail, Result};

/// The path of the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    /// The operating system's sockets
    Kernel,
    /// Our own TCP/IP through a TUN device in a private network namespace
    /// (Linux, needs root or CAP_NET_ADMIN)
    Tun,
    /// Our own Ethernet, ARP and TCP/IP through a TAP device in a private
    /// network namespace (Linux, needs root or CAP_NET_ADMIN)
    Tap,
}

/// The options that need `--via tun`, checked before anything is sent.
pub fn check(via: Via, pcap: Option<&Path>, tamper: Option<u32>) -> Result<()> {
    if via == Via::Kernel {
        if pcap.is_some() {
            // Nothing is captured rather than something misleading: the
            // kernel's packets never pass through this program.
            bail!("--pcap needs --via tun: with the OS's sockets the packets are the kernel's and this program sees none of them (capture those with tshark -i lo)");
        }
        if tamper.is_some() {
            bail!("--tamper needs --via tun: only there do the packets pass through this program");
        }
    }
    if tamper == Some(0) {
        bail!("--tamper N: N counts the server's data segments from 1");
    }
    if cfg!(not(target_os = "linux")) && via != Via::Kernel {
        bail!("--via tun and --via tap need Linux network namespaces; this platform has none here");
    }
    Ok(())
}

#[cfg(target_os = "linux")]
pub use linux::{segment_line, Tun};

#[cfg(not(target_os = "linux"))]
pub use other::Tun;

#[cfg(not(target_os = "linux"))]
mod other {
    use std::net::SocketAddr;

    use super::*;
    use crate::ladder::Ladder;

    /// No TUN connections off Linux ([`check`] refused `--via tun`).
    #[derive(Debug, Default)]
    pub struct Tun;

    impl Tun {
        pub fn new(_tamper: Option<u32>, _tap: bool) -> Tun {
            Tun
        }
        pub async fn connect(
            &mut self,
            _addr: SocketAddr,
            _timeout: u64,
            _ladder: &mut Ladder,
        ) -> Result<Box<dyn crate::fetch::Io>> {
            bail!("--via tun needs Linux")
        }
        pub async fn closed(&mut self, _ladder: &mut Ladder) {}
        pub async fn settle(&mut self, _ladder: &mut Ladder) {}
        pub fn write_pcap(&self, _path: &Path) -> Result<usize> {
            bail!("--pcap needs --via tun")
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::Duration;

    use anyhow::{anyhow, Context};
    use handshake_io::fault::{Action, Dir as FaultDir, Rule, Select};
    use handshake_io::netns::OUR_ADDR;
    use handshake_io::packet::decode;
    use handshake_io::pcap::Capture;
    use handshake_io::tunstream::{self, TunHandle};
    use handshake_tcp::conn::State;
    use std::net::SocketAddr;

    use super::*;
    use crate::common;
    use crate::ladder::{Dir, Ladder};

    /// The TUN (or TAP) connections of one run.
    #[derive(Debug, Default)]
    pub struct Tun {
        handles: Vec<TunHandle>,
        /// Packets of each connection already on the ladder.
        shown: Vec<usize>,
        /// Whose close is drawn.
        done: Vec<bool>,
        tamper: Option<u32>,
        /// Through a TAP device.
        tap: bool,
    }

    impl Tun {
        /// No connections yet; `tamper` flips the last byte of the
        /// server's Nth data segment on each connection; `tap` goes
        /// through a TAP device.
        pub fn new(tamper: Option<u32>, tap: bool) -> Tun {
            Tun {
                tamper,
                tap,
                ..Tun::default()
            }
        }

        /// Opens a connection to `addr` with our TCP/IP, its three-way
        /// handshake drawn on the ladder from the packets themselves.
        pub async fn connect(
            &mut self,
            addr: SocketAddr,
            timeout: u64,
            ladder: &mut Ladder,
        ) -> Result<Box<dyn crate::fetch::Io>> {
            if !addr.is_ipv4() {
                bail!("--via tun and --via tap carry IPv4 only; {addr} is IPv6");
            }
            let device = if self.tap { "TAP" } else { "TUN" };
            let mut options = tunstream::Options {
                tap: self.tap,
                ..tunstream::Options::default()
            };
            if let Some(n) = self.tamper {
                // An on-path attacker: the server's Nth data segment,
                // once, checksums made right again.
                options
                    .faults
                    .push(Rule::new(FaultDir::ToUs, Select::NthData(n), Action::Tamper).times(1));
            }
            let what = format!("connecting to {addr} through the {device} device");
            let stream = common::within(timeout, &what, async {
                tunstream::connect(addr, options).await.map_err(|e| {
                    anyhow!("cannot connect to {addr} through the {device} device: {e}")
                })
            })
            .await?;
            let h = stream.handle();
            ladder.step(
                "TCP",
                Dir::Note,
                format!(
                    "our TCP/IP at {} through a {device} device; the kernel at {} in a private namespace relays to {addr}",
                    stream.local_addr(),
                    stream.peer_addr()
                ),
            );
            if self.tap {
                draw_arp(&h, ladder);
            }
            let packets = h.packets();
            // The handshake: every segment until our first ACK without SYN
            // (a retransmitted SYN shows as one more line).
            let mut n = 0;
            for (i, (_, p)) in packets.iter().enumerate() {
                let Ok(d) = decode(p) else { continue };
                n = i + 1;
                let ours = d.src == OUR_ADDR;
                if ours && !d.segment.flags.contains(handshake_tcp::wire::TcpFlags::SYN) {
                    break;
                }
            }
            self.draw(&h, &packets[..n], ladder);
            self.handles.push(h);
            self.shown.push(n);
            self.done.push(false);
            Ok(Box::new(stream))
        }

        fn draw(&self, h: &TunHandle, packets: &[(Duration, Vec<u8>)], ladder: &mut Ladder) {
            let origin = h.origin();
            for (at, p) in packets {
                let Ok(d) = decode(p) else { continue };
                let dir = if d.src == OUR_ADDR { Dir::Out } else { Dir::In };
                ladder.at(origin + *at, "TCP", dir, segment_line(&d.segment));
            }
        }

        /// After the newest connection was shut down: waits for its close
        /// to finish, then draws the data it carried (a summary) and every
        /// segment from the first FIN on, and where it ended.
        pub async fn closed(&mut self, ladder: &mut Ladder) {
            if let Some(i) = self.handles.len().checked_sub(1) {
                self.finish(i, ladder).await;
            }
        }

        /// Before the run ends: lets every connection not yet drawn closed
        /// finish (a TLS alert still in our TCP's queue when the stream was
        /// dropped goes out, then the FINs), and draws it.
        pub async fn settle(&mut self, ladder: &mut Ladder) {
            for i in 0..self.handles.len() {
                if !self.done[i] {
                    self.finish(i, ladder).await;
                }
            }
        }

        async fn finish(&mut self, i: usize, ladder: &mut Ladder) {
            self.done[i] = true;
            let (h, from) = (&self.handles[i], self.shown[i]);
            let done = h.closed(Duration::from_secs(3)).await;
            let packets = h.packets();
            let fin = packets
                .iter()
                .skip(from)
                .position(|(_, p)| {
                    decode(p)
                        .is_ok_and(|d| d.segment.flags.contains(handshake_tcp::wire::TcpFlags::FIN))
                })
                .map_or(packets.len(), |i| from + i);
            let middle = &packets[from.min(fin)..fin];
            let (mut out, mut inn, mut out_bytes, mut in_bytes) = (0, 0, 0, 0);
            for (_, p) in middle {
                let Ok(d) = decode(p) else { continue };
                let len = d.segment.payload.len();
                if d.src == OUR_ADDR {
                    out += 1;
                    out_bytes += len;
                } else {
                    inn += 1;
                    in_bytes += len;
                }
            }
            let stats = h.stats();
            ladder.untimed(
                "TCP",
                Dir::Note,
                format!(
                    "data: {out} segments out ({out_bytes} bytes), {inn} in ({in_bytes} bytes); retransmissions {}",
                    stats.as_ref().map_or(0, |s| s.retransmits)
                ),
            );
            for f in h.fault_log() {
                ladder.untimed("TCP", Dir::Note, format!("on the path: {}", f.trim()));
            }
            self.draw(h, &packets[fin..], ladder);
            let text = match (done, h.state()) {
                (true, Some(State::TimeWait)) => "TIME-WAIT: we closed first, so our end keeps the 4-tuple for 2*MSL = 240 s (RFC 9293 §3.6.1); the namespace is removed with it",
                (true, _) => "closed",
                (false, _) => "the close did not finish within 2 s; the namespace is removed",
            };
            ladder.step("TCP", Dir::Note, text);
        }

        /// Writes every packet of every connection to `path` (pcap, raw
        /// IPv4), on one clock; returns how many.
        pub fn write_pcap(&self, path: &Path) -> Result<usize> {
            let Some(first) = self.handles.iter().map(TunHandle::origin).min() else {
                bail!(
                    "--pcap {}: no connection went through the TUN device",
                    path.display()
                );
            };
            let mut c = Capture::new();
            let mut all: Vec<(Duration, Vec<u8>)> = Vec::new();
            for h in &self.handles {
                let shift = h.origin().saturating_duration_since(first);
                all.extend(h.packets().into_iter().map(|(at, p)| (at + shift, p)));
            }
            all.sort_by_key(|(at, _)| *at);
            for (at, p) in &all {
                c.record(*at, p);
            }
            c.write(path)
                .with_context(|| format!("--pcap {}", path.display()))?;
            Ok(c.len())
        }
    }

    /// Over TAP: the ARP frames before our first IPv4 frame (RFC 826: who
    /// has the kernel's address, and its answer) on the ladder.
    fn draw_arp(h: &TunHandle, ladder: &mut Ladder) {
        use handshake_link::{ArpOperation, ArpPacket, ArpRepr, EtherType, EthernetFrame};
        let origin = h.origin();
        for (at, f) in h.frames() {
            let Ok(frame) = EthernetFrame::new_checked(&f[..]) else {
                continue;
            };
            if frame.ethertype() == EtherType::IPV4 {
                break;
            }
            if frame.ethertype() != EtherType::ARP {
                continue;
            }
            let Ok(arp) = ArpPacket::new_checked(frame.payload()).and_then(|p| ArpRepr::parse(&p))
            else {
                continue;
            };
            let dir = if arp.source_protocol_addr == OUR_ADDR {
                Dir::Out
            } else {
                Dir::In
            };
            let line = match arp.operation {
                ArpOperation::Request => format!(
                    "who has {}? tell {} ({})",
                    arp.target_protocol_addr, arp.source_protocol_addr, arp.source_hardware_addr
                ),
                _ => format!(
                    "{} is at {}",
                    arp.source_protocol_addr, arp.source_hardware_addr
                ),
            };
            ladder.at(origin + at, "ARP", dir, line);
        }
    }

    /// One segment as a line: flags, numbers, window and options.
    pub fn segment_line(s: &handshake_tcp::wire::SegmentRepr<'_>) -> String {
        use handshake_tcp::wire::TcpFlags as F;
        let names = [
            (F::SYN, "SYN"),
            (F::FIN, "FIN"),
            (F::RST, "RST"),
            (F::PSH, "PSH"),
            (F::ACK, "ACK"),
        ];
        let flags: Vec<&str> = names
            .iter()
            .filter(|(f, _)| s.flags.contains(*f))
            .map(|(_, n)| *n)
            .collect();
        let mut line = format!("{} seq={}", flags.join("-"), s.seq_number.0);
        if s.flags.contains(F::ACK) {
            line.push_str(&format!(" ack={}", s.ack_number.0));
        }
        line.push_str(&format!(" win={}", s.window));
        if !s.payload.is_empty() {
            line.push_str(&format!(" len={}", s.payload.len()));
        }
        let o = &s.options;
        let mut opts = Vec::new();
        if let Some(m) = o.mss {
            opts.push(format!("mss {m}"));
        }
        if let Some(w) = o.window_scale {
            opts.push(format!("wscale {w}"));
        }
        if o.sack_permitted {
            opts.push("SACK permitted".to_string());
        }
        if let Some(t) = o.timestamps {
            opts.push(format!("TS val={} ecr={}", t.tsval, t.tsecr));
        }
        if !opts.is_empty() {
            line.push_str(&format!(" [{}]", opts.join(", ")));
        }
        line
    }
}
