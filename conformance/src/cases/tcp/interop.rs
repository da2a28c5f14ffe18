//! `tcp.interop.*`: Our TCP against the Linux kernel's through TUN, and tshark re-reading our segments.

use crate::cases::support::*;
use crate::peers::tshark;
use crate::peers::Via;
use crate::{Case, Ctx, Level, Need, Outcome};
use handshake_ip::IpProtocol;
use handshake_tcp::wire::{SackBlock, SackBlocks, SegmentRepr, SeqNumber, TcpFlags, Timestamps};
use rand::Rng;

fn tcp_segments(ctx: &mut Ctx) -> Outcome {
    compare(ctx, "tcp.pcap", &tcp_packets(&mut ctx.rng()))
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

/// CAP_NET_ADMIN and /dev/net/tun for the namespace, tshark to re-read the capture.
const NEEDS: &[Need] = &[Need::NetAdmin, crate::peers::tshark::NEED];

#[cfg(target_os = "linux")]
mod close;

#[cfg(target_os = "linux")]
mod data;

#[cfg(target_os = "linux")]
mod handshake;
#[cfg(target_os = "linux")]
mod keepalive;
#[cfg(target_os = "linux")]
mod loss;

/// Declares wrappers that run the Linux implementation or skip elsewhere.
macro_rules! interop {
    ($($module:ident :: $name:ident),* $(,)?) => {
        $(
            fn $name(ctx: &mut Ctx, via: Via) -> Outcome {
                #[cfg(target_os = "linux")]
                {
                    $module::$name(ctx, via)
                }
                #[cfg(not(target_os = "linux"))]
                {
                    let _ = (ctx, via);
                    Outcome::Skip("kernel interop needs Linux network namespaces and TUN".into())
                }
            }
        )*
    };
}

interop!(
    handshake::options_client,
    handshake::options_server,
    handshake::syn_retransmit,
    handshake::synack_retransmit,
    handshake::rst_closed_port,
    handshake::refused_by_us,
    handshake::syn_flood_kernel_client,
    data::sizes_to_kernel,
    data::sizes_from_kernel,
    data::bulk_to_kernel,
    data::bulk_from_kernel,
    data::zero_window_kernel_receiver,
    data::zero_window_our_receiver,
    close::half_close_ours,
    close::half_close_kernel,
    close::active_close_ours,
    close::active_close_kernel,
    close::simultaneous_close,
    close::our_abort,
    close::kernel_abort,
    loss::kernel_fast_retransmit,
    loss::our_fast_retransmit,
    loss::rto_backoff,
    keepalive::our_probes_answered,
    keepalive::kernel_probes_answered,
);

/// A case against the kernel: level, id after `tcp.interop.`, requirement, body.
type KernelRow = (
    Level,
    &'static str,
    &'static str,
    fn(&mut Ctx, Via) -> Outcome,
);

/// The cases against the kernel. Each runs over TUN as `tcp.interop.<id>`
/// and again over TAP as `tcp.interop.tap.<id>`, where our ARP cache
/// resolves the kernel's MAC and answers its requests for ours, so the
/// same segments travel in Ethernet frames (RFC 826, RFC 894); and, but for
/// [`V4_ONLY`], over TAP with IPv6 as `tcp.interop.tap6.<id>`, neighbour
/// discovery resolving the kernel (RFC 4861, RFC 2464).
const KERNEL: &[KernelRow] = &[
    (
        Level::Must,
        "handshake-options-client",
        "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
        options_client,
    ),
    (
        Level::Must,
        "handshake-options-server",
        "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
        options_server,
    ),
    (
        Level::Must,
        "syn-flood-kernel-client",
        "RFC 4987 §3.6",
        syn_flood_kernel_client,
    ),
    (
        Level::Must,
        "syn-retransmit",
        "RFC 9293 §3.8.1, RFC 6298 §2.1, §5.5",
        syn_retransmit,
    ),
    (
        Level::Must,
        "synack-retransmit",
        "RFC 9293 §3.8.1, §3.10.7.2, RFC 6298 §5.5",
        synack_retransmit,
    ),
    (
        Level::Must,
        "rst-closed-port",
        "RFC 9293 §3.10.7.1, §3.10.7.3 (RST in SYN-SENT)",
        rst_closed_port,
    ),
    (
        Level::Must,
        "refused-by-us",
        "RFC 9293 §3.10.7.1 (segment to CLOSED answered by RST)",
        refused_by_us,
    ),
    (
        Level::Must,
        "data-sizes-to-kernel",
        "RFC 9293 §3.8.6, §3.9.1.2 (SEND)",
        sizes_to_kernel,
    ),
    (
        Level::Must,
        "data-sizes-from-kernel",
        "RFC 9293 §3.8.6, §3.9.1.3 (RECEIVE)",
        sizes_from_kernel,
    ),
    (
        Level::Must,
        "bulk-64mib-to-kernel",
        "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
        bulk_to_kernel,
    ),
    (
        Level::Must,
        "bulk-64mib-from-kernel",
        "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
        bulk_from_kernel,
    ),
    (
        Level::Must,
        "zero-window-kernel-receiver",
        "RFC 9293 §3.8.6.1 MUST-35, MUST-36, RFC 1122 §4.2.2.17",
        zero_window_kernel_receiver,
    ),
    (
        Level::Must,
        "zero-window-our-receiver",
        "RFC 9293 §3.8.6.1 MUST-37 (receiver keeps answering probes)",
        zero_window_our_receiver,
    ),
    (
        Level::Must,
        "half-close-ours",
        "RFC 9293 §3.6, §3.10.4 (CLOSE: half-close)",
        half_close_ours,
    ),
    (
        Level::Must,
        "half-close-kernel",
        "RFC 9293 §3.6, §3.10.7.4 (FIN: CLOSE-WAIT keeps sending)",
        half_close_kernel,
    ),
    (
        Level::Must,
        "active-close-ours",
        "RFC 9293 §3.6, §3.6.1 MUST-13 (TIME-WAIT on the closing side)",
        active_close_ours,
    ),
    (
        Level::May,
        "keepalive-kernel-answers-ours",
        "RFC 9293 §3.8.4 (MAY-5: our probes at SND.NXT-1 draw the kernel's ACKs)",
        our_probes_answered,
    ),
    (
        Level::Must,
        "keepalive-we-answer-kernel",
        "RFC 9293 §3.8.4, §3.10.7.4 (the kernel's keep-alive probes get our ACK)",
        kernel_probes_answered,
    ),
    (
        Level::Must,
        "active-close-kernel",
        "RFC 9293 §3.6 (passive close: LAST-ACK, no TIME-WAIT)",
        active_close_kernel,
    ),
    (
        Level::Must,
        "simultaneous-close",
        "RFC 9293 §3.6 figure 13 (CLOSING, both TIME-WAIT)",
        simultaneous_close,
    ),
    (
        Level::Must,
        "our-abort-econnreset",
        "RFC 9293 §3.10.5 (ABORT sends RST), §3.10.7.4 (RST: connection reset)",
        our_abort,
    ),
    (
        Level::Must,
        "kernel-abort-reset",
        "RFC 9293 §3.10.7.4 (RST in ESTABLISHED)",
        kernel_abort,
    ),
    (
        Level::Must,
        "kernel-fast-retransmit",
        "RFC 5681 §3.2, §4.2 (immediate duplicate ACKs), RFC 2018 §4",
        kernel_fast_retransmit,
    ),
    (
        Level::Must,
        "our-fast-retransmit",
        "RFC 5681 §3.2, RFC 6675 §5",
        our_fast_retransmit,
    ),
    (
        Level::Must,
        "rto-backoff",
        "RFC 6298 §5.5 (back off the timer), RFC 9293 §3.8.1",
        rto_backoff,
    ),
];

/// Not run over IPv6: the SYN flood's spoofed SYNs are IPv4 datagrams
/// written whole through an IPv4 raw socket.
const V4_ONLY: &[&str] = &["syn-flood-kernel-client"];

/// The `tcp.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut cases = vec![Case::must(
        "tcp.interop.tshark-reads-segments",
        "RFC 9293 §3.1, MUST-2; RFC 7323 §2.2, §3.2; RFC 2018 §2-3",
    )
    .needs(&[tshark::NEED])
    .interop_peer(tcp_segments)];
    for via in [Via::Tun, Via::Tap, Via::Tap6] {
        for &(level, name, spec, body) in KERNEL {
            let (id, spec) = match via {
                Via::Tun => (format!("tcp.interop.{name}"), spec.to_string()),
                Via::Tap => (
                    format!("tcp.interop.tap.{name}"),
                    format!("{spec}; over TAP: RFC 826, RFC 894"),
                ),
                Via::Tap6 if V4_ONLY.contains(&name) => continue,
                Via::Tap6 => (
                    format!("tcp.interop.tap6.{name}"),
                    format!("{spec}; over IPv6 on TAP: RFC 8200, RFC 4861, RFC 2464"),
                ),
            };
            cases.push(
                Case::with_level(level, id, spec)
                    .needs(NEEDS)
                    .interop_os(move |ctx| body(ctx, via)),
            );
        }
    }
    cases
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
