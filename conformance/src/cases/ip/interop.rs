//! `ip.interop.*`: tshark re-reads the UDP and ICMP packets we emit.

use crate::cases::support::*;
use crate::peers::tshark;
use crate::{Case, Ctx, Outcome};
use handshake_ip::{Icmpv4Repr, Icmpv6Repr, IpProtocol, UdpRepr};
use rand::Rng;

fn udp_icmp(ctx: &mut Ctx) -> Outcome {
    compare(ctx, "udp-icmp.pcap", &udp_icmp_packets(&mut ctx.rng()))
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

/// The `ip.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "ip.interop.tshark-reads-udp-icmp",
        "RFC 768; RFC 791 §3.1; RFC 8200 §3, §8.1; RFC 792; RFC 4443 §4",
    )
    .needs(&[tshark::NEED])
    .interop_peer(udp_icmp)]
}
