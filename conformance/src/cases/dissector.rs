//! tshark as an independent dissector: it re-reads a few hundred random valid
//! packets that Handshake emitted and must find each one well formed, with
//! good checksums and every field where we put it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{Icmpv4Repr, Icmpv6Repr, IpProtocol, Ipv4Repr, Ipv6Repr, UdpRepr};
use handshake_tcp::wire::{SackBlock, SackBlocks, SegmentRepr, SeqNumber, TcpFlags, Timestamps};
use rand::Rng;

use crate::peers::{pcap, tshark};
use crate::{Case, Ctx, Outcome};

/// Packets per capture: enough to cover every option combination many times.
const PACKETS: usize = 300;

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "ip.interop.tshark-reads-udp-icmp",
            "RFC 768; RFC 791 §3.1; RFC 8200 §3, §8.1; RFC 792; RFC 4443 §4",
        )
        .needs(&[tshark::NEED])
        .interop_peer(udp_icmp),
        Case::must(
            "tcp.interop.tshark-reads-segments",
            "RFC 9293 §3.1, MUST-2; RFC 7323 §2.2, §3.2; RFC 2018 §2-3",
        )
        .needs(&[tshark::NEED])
        .interop_peer(tcp_segments),
    ]
}

/// What we emitted, and the fields tshark must read back with these values.
struct Emitted {
    bytes: Vec<u8>,
    expect: Vec<(&'static str, String)>,
}

/// Wraps a transport payload in a random IPv4 (or, with `v6`, IPv6) header:
/// `transport` writes the payload after it. Returns the datagram and the IP-layer fields tshark must agree on.
fn ip_wrap(
    rng: &mut impl Rng,
    v6: bool,
    proto: IpProtocol,
    transport_len: usize,
    transport: impl FnOnce(&PseudoHeader, &mut [u8]) -> usize,
) -> Emitted {
    let mut expect = Vec::new();
    let (src, dst) = if !v6 {
        (
            IpAddr::V4(Ipv4Addr::from(rng.gen::<u32>())),
            IpAddr::V4(Ipv4Addr::from(rng.gen::<u32>())),
        )
    } else {
        (
            IpAddr::V6(Ipv6Addr::from(rng.gen::<u128>())),
            IpAddr::V6(Ipv6Addr::from(rng.gen::<u128>())),
        )
    };
    let bytes = match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut ip = Ipv4Repr::new(s, d, proto, transport_len);
            ip.ttl = rng.gen_range(1..=255);
            ip.ident = rng.gen();
            ip.dscp = rng.gen_range(0..64);
            let mut buf = vec![0u8; ip.buffer_len()];
            let hl = ip.emit(&mut buf).expect("buffer sized by buffer_len");
            let ph = PseudoHeader::V4 { src: s, dst: d };
            transport(&ph, &mut buf[hl..]);
            expect.push(("ip.src", s.to_string()));
            expect.push(("ip.dst", d.to_string()));
            expect.push(("ip.ttl", ip.ttl.to_string()));
            expect.push(("ip.len", buf.len().to_string()));
            expect.push(("ip.checksum.status", "1".into()));
            buf
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut ip = Ipv6Repr::new(s, d, proto, transport_len);
            ip.hop_limit = rng.gen_range(1..=255);
            ip.flow_label = rng.gen_range(0..1 << 20);
            let mut buf = vec![0u8; ip.buffer_len()];
            let hl = ip.emit(&mut buf).expect("buffer sized by buffer_len");
            let ph = PseudoHeader::V6 { src: s, dst: d };
            transport(&ph, &mut buf[hl..]);
            expect.push(("ipv6.src", s.to_string()));
            expect.push(("ipv6.dst", d.to_string()));
            expect.push(("ipv6.hlim", ip.hop_limit.to_string()));
            expect.push(("ipv6.plen", transport_len.to_string()));
            expect.push(("ipv6.flow", ip.flow_label.to_string()));
            buf
        }
        _ => unreachable!("both addresses come from the same branch"),
    };
    Emitted { bytes, expect }
}

fn random_payload(rng: &mut impl Rng, max: usize) -> Vec<u8> {
    let n = rng.gen_range(0..=max);
    (0..n).map(|_| rng.gen()).collect()
}

fn udp_icmp(ctx: &mut Ctx) -> Outcome {
    compare(ctx, "udp-icmp.pcap", &udp_icmp_packets(&mut ctx.rng()))
}

fn tcp_segments(ctx: &mut Ctx) -> Outcome {
    compare(ctx, "tcp.pcap", &tcp_packets(&mut ctx.rng()))
}

fn udp_icmp_packets(rng: &mut impl Rng) -> Vec<Emitted> {
    let mut packets = Vec::with_capacity(PACKETS);
    for _ in 0..PACKETS {
        let payload = random_payload(rng, 300);
        let ports = (rng.gen_range(1..=u16::MAX), rng.gen_range(1..=u16::MAX));
        let (ident, seq_no): (u16, u16) = (rng.gen(), rng.gen());
        let request = rng.gen_bool(0.5);
        let v6 = rng.gen_bool(0.5);
        let mut e;
        if rng.gen_bool(0.6) {
            let udp = UdpRepr {
                src_port: ports.0,
                dst_port: ports.1,
                payload: &payload,
            };
            e = ip_wrap(rng, v6, IpProtocol::UDP, udp.buffer_len(), |ph, buf| {
                udp.emit(buf, ph).expect("sized")
            });
            e.expect.push(("udp.srcport", ports.0.to_string()));
            e.expect.push(("udp.dstport", ports.1.to_string()));
            e.expect.push(("udp.length", udp.buffer_len().to_string()));
            e.expect.push(("udp.checksum.status", "1".into()));
        } else if !v6 {
            let icmp = if request {
                Icmpv4Repr::EchoRequest {
                    ident,
                    seq_no,
                    data: &payload,
                }
            } else {
                Icmpv4Repr::EchoReply {
                    ident,
                    seq_no,
                    data: &payload,
                }
            };
            e = ip_wrap(rng, false, IpProtocol::ICMP, icmp.buffer_len(), |_, buf| {
                icmp.emit(buf).expect("sized")
            });
            e.expect
                .push(("icmp.type", if request { "8" } else { "0" }.into()));
            e.expect.push(("icmp.ident", ident.to_string()));
            e.expect.push(("icmp.seq", seq_no.to_string()));
            e.expect.push(("icmp.checksum.status", "1".into()));
        } else {
            let icmp = if request {
                Icmpv6Repr::EchoRequest {
                    ident,
                    seq_no,
                    data: &payload,
                }
            } else {
                Icmpv6Repr::EchoReply {
                    ident,
                    seq_no,
                    data: &payload,
                }
            };
            e = ip_wrap(
                rng,
                true,
                IpProtocol::ICMPV6,
                icmp.buffer_len(),
                |ph, buf| icmp.emit(buf, ph).expect("sized"),
            );
            e.expect
                .push(("icmpv6.type", if request { "128" } else { "129" }.into()));
            e.expect.push(("icmpv6.echo.identifier", ident.to_string()));
            e.expect
                .push(("icmpv6.echo.sequence_number", seq_no.to_string()));
            e.expect.push(("icmpv6.checksum.status", "1".into()));
        }
        packets.push(e);
    }
    packets
}

fn tcp_packets(rng: &mut impl Rng) -> Vec<Emitted> {
    let mut packets = Vec::with_capacity(PACKETS);
    for _ in 0..PACKETS {
        let payload = random_payload(rng, 400);
        let mut seg = SegmentRepr::new(
            rng.gen_range(1..=u16::MAX),
            rng.gen_range(1..=u16::MAX),
            SeqNumber(rng.gen()),
            TcpFlags::from_bits_truncate(rng.gen()),
        );
        seg.ack_number = SeqNumber(rng.gen());
        seg.window = rng.gen();
        if seg.flags.contains(TcpFlags::URG) {
            seg.urgent_pointer = rng.gen();
        }
        seg.payload = &payload;
        let o = &mut seg.options;
        o.mss = rng.gen_bool(0.5).then(|| rng.gen());
        // RFC 7323 §2.3: a shift count above 14 is clamped by the receiver;
        // valid packets carry 0..=14.
        o.window_scale = rng.gen_bool(0.5).then(|| rng.gen_range(0..=14));
        o.sack_permitted = rng.gen_bool(0.5);
        o.timestamps = rng.gen_bool(0.5).then(|| Timestamps {
            tsval: rng.gen(),
            tsecr: rng.gen(),
        });
        // As many SACK blocks as still fit in the 40 option bytes (RFC 9293 §3.1).
        let room = (40 - o.buffer_len()).saturating_sub(4) / 8;
        let n = rng.gen_range(0..=room.min(4));
        let blocks: Vec<SackBlock> = (0..n)
            .map(|_| {
                let left: u32 = rng.gen();
                SackBlock {
                    left: SeqNumber(left),
                    right: SeqNumber(left.wrapping_add(rng.gen_range(1..1 << 20))),
                }
            })
            .collect();
        o.sack = SackBlocks::new(&blocks).expect("at most four blocks");

        let v6 = rng.gen_bool(0.5);
        let mut e = ip_wrap(rng, v6, IpProtocol::TCP, seg.buffer_len(), |ph, buf| {
            seg.emit(buf, ph).expect("sized")
        });
        let x = &mut e.expect;
        x.push(("tcp.srcport", seg.src_port.to_string()));
        x.push(("tcp.dstport", seg.dst_port.to_string()));
        x.push(("tcp.seq", seg.seq_number.0.to_string()));
        if seg.flags.contains(TcpFlags::ACK) {
            x.push(("tcp.ack", seg.ack_number.0.to_string()));
        }
        x.push(("tcp.flags", seg.flags.bits().to_string()));
        x.push(("tcp.window_size_value", seg.window.to_string()));
        x.push(("tcp.len", payload.len().to_string()));
        x.push(("tcp.checksum.status", "1".into()));
        if seg.flags.contains(TcpFlags::URG) {
            x.push(("tcp.urgent_pointer", seg.urgent_pointer.to_string()));
        }
        let o = &seg.options;
        x.push((
            "tcp.options.mss_val",
            o.mss.map_or(String::new(), |m| m.to_string()),
        ));
        x.push((
            "tcp.options.wscale.shift",
            o.window_scale.map_or(String::new(), |w| w.to_string()),
        ));
        x.push((
            "tcp.option_kind",
            option_kinds(
                o.mss.is_some(),
                o.window_scale.is_some(),
                o.sack_permitted,
                o.timestamps.is_some(),
                !o.sack.is_empty(),
            ),
        ));
        let (tsval, tsecr) = o.timestamps.map_or((String::new(), String::new()), |t| {
            (t.tsval.to_string(), t.tsecr.to_string())
        });
        x.push(("tcp.options.timestamp.tsval", tsval));
        x.push(("tcp.options.timestamp.tsecr", tsecr));
        let join = |f: fn(&SackBlock) -> u32| {
            o.sack
                .as_slice()
                .iter()
                .map(|b| f(b).to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        x.push(("tcp.options.sack_le", join(|b| b.left.0)));
        x.push(("tcp.options.sack_re", join(|b| b.right.0)));
        packets.push(e);
    }
    packets
}

/// The option kinds tshark should list, in the order we lay them out, as a
/// sorted, de-duplicated set (NOP padding placement is ours to choose).
fn option_kinds(mss: bool, ws: bool, sack_perm: bool, ts: bool, sack: bool) -> String {
    let mut kinds: Vec<u8> = Vec::new();
    for (present, kind) in [(mss, 2), (ws, 3), (sack_perm, 4), (sack, 5), (ts, 8)] {
        if present {
            kinds.push(kind);
        }
    }
    kinds
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Writes the packets to a pcap, has tshark dissect it and compares field by field.
fn compare(ctx: &Ctx, name: &str, packets: &[Emitted]) -> Outcome {
    let path = ctx.artifacts.join(name);
    let bytes: Vec<Vec<u8>> = packets.iter().map(|p| p.bytes.clone()).collect();
    if let Err(e) = pcap::write_raw_ip(&path, &bytes) {
        return Outcome::Fail(e);
    }
    let mut fields: Vec<&'static str> = packets
        .iter()
        .flat_map(|p| p.expect.iter().map(|(f, _)| *f))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    let dissected = match tshark::dissect(&path, &fields) {
        Ok(d) => d,
        Err(e) => return Outcome::Fail(e),
    };
    if dissected.len() != packets.len() {
        return Outcome::Fail(format!(
            "tshark read {} packets of the {} in {}",
            dissected.len(),
            packets.len(),
            path.display()
        ));
    }
    let mut problems = Vec::new();
    for (i, (p, d)) in packets.iter().zip(&dissected).enumerate() {
        for err in &d.errors {
            problems.push(format!("packet {}: {err}", i + 1));
        }
        for (field, want) in &p.expect {
            let idx = fields.binary_search(field).expect("field was requested");
            let got = normalise(field, &d.fields[idx]);
            if got != *want {
                problems.push(format!(
                    "packet {}: {field} is `{got}`, we wrote `{want}`",
                    i + 1
                ));
            }
        }
    }
    if problems.is_empty() {
        if !ctx.keep_pcaps {
            let _ = std::fs::remove_file(&path);
        }
        Outcome::Pass
    } else {
        let n = problems.len();
        problems.truncate(5);
        Outcome::Fail(format!(
            "{n} disagreement(s) with tshark, first: {}; capture kept at {}",
            problems.join("; "),
            path.display()
        ))
    }
}

/// Puts tshark's rendering in the form we write expectations in: hexadecimal
/// fields (flags, flow label) as decimal; `tcp.option_kind` (repeated for every
/// NOP and EOL) as the sorted set of real option kinds.
fn normalise(field: &str, value: &str) -> String {
    if let Some(hex) = value.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).map_or_else(|_| value.to_string(), |v| v.to_string());
    }
    if field != "tcp.option_kind" {
        return value.to_string();
    }
    let mut kinds: Vec<u8> = value
        .split(',')
        .filter_map(|k| k.parse().ok())
        .filter(|k| *k > 1)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The comparison must catch a bad checksum and a misplaced field.
    #[test]
    fn a_corrupted_packet_fails_the_comparison() {
        if tshark::NEED.missing().is_some() {
            eprintln!("tshark not installed; nothing to compare against");
            return;
        }
        let ctx = Ctx::new(3);
        let mut packets = tcp_packets(&mut ctx.rng());
        packets.truncate(4);
        assert!(compare(&ctx, "clean.pcap", &packets).is_pass());
        // Flip a bit of the TCP window (the last-but-five byte of the 20-byte
        // fixed header sits at a known offset after the IP header).
        let p = &mut packets[2].bytes;
        let ip_header = if p[0] >> 4 == 4 {
            usize::from(p[0] & 0xf) * 4
        } else {
            40
        };
        p[ip_header + 14] ^= 0x01;
        let outcome = compare(&ctx, "corrupt.pcap", &packets);
        let reason = outcome.reason().unwrap_or_default().to_string();
        assert!(!outcome.is_pass(), "corruption not detected");
        assert!(reason.contains("packet 3"), "{reason}");
        assert!(
            reason.contains("tcp.window_size_value") || reason.contains("checksum"),
            "{reason}"
        );
    }
}
