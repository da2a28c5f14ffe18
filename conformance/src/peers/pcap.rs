//! Writing captures that Wireshark and tshark open.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::DataLink;

/// Writes `packets` (raw IPv4/IPv6 datagrams, no link header) to a pcap file
/// with link type RAW (101), one packet per millisecond.
pub fn write_raw_ip(path: &Path, packets: &[Vec<u8>]) -> Result<(), String> {
    write(path, DataLink::RAW, packets)
}

/// Writes `packets` (Ethernet II frames without preamble or FCS) to a pcap
/// file with link type ETHERNET (1), one packet per millisecond.
pub fn write_ethernet(path: &Path, packets: &[Vec<u8>]) -> Result<(), String> {
    write(path, DataLink::ETHERNET, packets)
}

fn write(path: &Path, datalink: DataLink, packets: &[Vec<u8>]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let file = File::create(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let header = PcapHeader {
        datalink,
        ..PcapHeader::default()
    };
    let mut w = PcapWriter::with_header(BufWriter::new(file), header)
        .map_err(|e| format!("writing pcap header: {e}"))?;
    for (i, p) in packets.iter().enumerate() {
        let len = u32::try_from(p.len()).map_err(|_| "packet over 4 GiB".to_string())?;
        w.write_packet(&PcapPacket::new(Duration::from_millis(i as u64), len, p))
            .map_err(|e| format!("writing packet {i}: {e}"))?;
    }
    Ok(())
}
