//! TCP segment parse and emit, ours beside smoltcp's wire module.
//!
//! The segment: ACK|PSH with 1448 bytes of data and MSS, timestamps and two
//! SACK blocks (36 option bytes), over IPv4; the checksum is verified on
//! parse and filled on emit by both sides.

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_ip::{checksum::PseudoHeader, ChecksumMode, Ipv4Addr};
use handshake_tcp::wire::{
    SackBlock, SackBlocks, Segment, SegmentRepr, SeqNumber, TcpFlags, TcpOptions, Timestamps,
};
use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{IpAddress, TcpControl, TcpPacket, TcpRepr, TcpSeqNumber, TcpTimestampRepr};
use std::hint::black_box;

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const DST: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const PARAM: &str = "1448B+opts";

fn ours(payload: &[u8]) -> SegmentRepr<'_> {
    SegmentRepr {
        src_port: 443,
        dst_port: 50000,
        seq_number: SeqNumber(0x1234_5678),
        ack_number: SeqNumber(0x9abc_def0),
        flags: TcpFlags::ACK | TcpFlags::PSH,
        window: 502,
        urgent_pointer: 0,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: None,
            sack_permitted: false,
            timestamps: Some(Timestamps {
                tsval: 0x0102_0304,
                tsecr: 0x0506_0708,
            }),
            sack: SackBlocks::new(&[
                SackBlock {
                    left: SeqNumber(0x9abc_e000),
                    right: SeqNumber(0x9abc_e5a8),
                },
                SackBlock {
                    left: SeqNumber(0x9abc_f000),
                    right: SeqNumber(0x9abc_f5a8),
                },
            ])
            .unwrap(),
        },
        payload,
    }
}

fn peer(payload: &[u8]) -> TcpRepr<'_> {
    TcpRepr {
        src_port: 443,
        dst_port: 50000,
        control: TcpControl::Psh,
        seq_number: TcpSeqNumber(0x1234_5678),
        ack_number: Some(TcpSeqNumber(0x9abc_def0u32 as i32)),
        window_len: 502,
        window_scale: None,
        max_seg_size: Some(1460),
        sack_permitted: false,
        sack_ranges: [
            Some((0x9abc_e000, 0x9abc_e5a8)),
            Some((0x9abc_f000, 0x9abc_f5a8)),
            None,
        ],
        timestamp: Some(TcpTimestampRepr::new(0x0102_0304, 0x0506_0708)),
        payload,
    }
}

fn bench_segment(c: &mut Criterion) {
    let payload: Vec<u8> = (0..1448u32).map(|i| (i * 7) as u8).collect();
    let ph = PseudoHeader::V4 { src: SRC, dst: DST };
    let (s_src, s_dst) = (IpAddress::Ipv4(SRC), IpAddress::Ipv4(DST));
    let caps = ChecksumCapabilities::default();

    let repr = ours(&payload);
    let mut wire = vec![0u8; repr.buffer_len()];
    let n = repr.emit(&mut wire, &ph).unwrap();
    assert_eq!(n, wire.len());
    // Both parse the same bytes and agree on them.
    let sp = TcpPacket::new_checked(&wire[..]).unwrap();
    let sr = TcpRepr::parse(&sp, &s_src, &s_dst, &caps).unwrap();
    assert_eq!(sr.sack_ranges[1], Some((0x9abc_f000, 0x9abc_f5a8)));
    assert_eq!(sr.max_seg_size, Some(1460));
    assert_eq!(sr.payload.len(), 1448);

    let mut g = c.benchmark_group("tcp/segment-parse");
    g.throughput(Throughput::Bytes(wire.len() as u64));
    g.bench_with_input(BenchmarkId::new("handshake", PARAM), &wire, |b, w| {
        b.iter(|| {
            let s = Segment::new_checked(black_box(&w[..])).unwrap();
            SegmentRepr::parse(&s, &ph, ChecksumMode::Verify)
                .unwrap()
                .options
        })
    });
    g.bench_with_input(BenchmarkId::new("smoltcp", PARAM), &wire, |b, w| {
        b.iter(|| {
            let p = TcpPacket::new_checked(black_box(&w[..])).unwrap();
            TcpRepr::parse(&p, &s_src, &s_dst, &caps)
                .unwrap()
                .sack_ranges
        })
    });
    g.finish();

    let peer_repr = peer(&payload);
    let mut g = c.benchmark_group("tcp/segment-emit");
    g.throughput(Throughput::Bytes(wire.len() as u64));
    let mut out = vec![0u8; 1600];
    g.bench_function(BenchmarkId::new("handshake", PARAM), |b| {
        b.iter(|| black_box(&repr).emit(&mut out, &ph).unwrap())
    });
    let mut out = vec![0u8; peer_repr.buffer_len()];
    g.bench_function(BenchmarkId::new("smoltcp", PARAM), |b| {
        b.iter(|| {
            let mut p = TcpPacket::new_unchecked(&mut out[..]);
            black_box(&peer_repr).emit(&mut p, &s_src, &s_dst, &caps);
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench_segment);
}
use group::benches;
criterion_main!(benches);
