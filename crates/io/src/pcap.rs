//! Packet captures that Wireshark and tshark open (pcap, LINKTYPE_RAW: each
//! record is a bare IPv4 datagram).
//!
//! A [`Capture`] keeps packets in memory while a run goes on and writes them
//! when asked, so a passing case that keeps no capture costs no disk. Whole
//! packets are kept up to a byte budget; past it only the first
//! [`SNAPLEN`] bytes of each (the IP and TCP headers), with the original
//! length recorded, so a 64 MiB transfer stays a few megabytes.
//!
//! ```
//! use handshake_io::pcap::Capture;
//! let mut c = Capture::new();
//! c.record(std::time::Duration::from_millis(1), &[0x45, 0, 0, 20]);
//! assert_eq!(c.len(), 1);
//! ```

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

/// Bytes kept of each packet once the budget is spent: IPv4 and TCP headers with options.
pub const SNAPLEN: usize = 128;
/// Bytes of whole packets kept before truncating.
pub const FULL_BUDGET: usize = 32 << 20;

/// Packets with their time since the start of the run.
#[derive(Debug, Default, Clone)]
pub struct Capture {
    packets: Vec<(Duration, u32, Vec<u8>)>,
    full_bytes: usize,
}

impl Capture {
    /// An empty capture.
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Records one datagram seen at `at`.
    pub fn record(&mut self, at: Duration, packet: &[u8]) {
        let orig = u32::try_from(packet.len()).unwrap_or(u32::MAX);
        let keep = if self.full_bytes + packet.len() <= FULL_BUDGET {
            self.full_bytes += packet.len();
            packet.len()
        } else {
            packet.len().min(SNAPLEN)
        };
        self.packets.push((at, orig, packet[..keep].to_vec()));
    }

    /// Number of packets recorded.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// The recorded packets (possibly truncated) with their times.
    pub fn packets(&self) -> impl Iterator<Item = (Duration, &[u8])> {
        self.packets.iter().map(|(t, _, p)| (*t, p.as_slice()))
    }

    /// Writes the capture to `path`, creating its directory.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = BufWriter::new(File::create(path)?);
        let header = PcapHeader {
            datalink: DataLink::RAW,
            snaplen: 65535,
            ..PcapHeader::default()
        };
        let mut w = PcapWriter::with_header(file, header).map_err(std::io::Error::other)?;
        for (at, orig, p) in &self.packets {
            w.write_packet(&PcapPacket::new(*at, *orig, p))
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    }
}
