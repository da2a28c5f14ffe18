//! Ethernet + ARP parse and emit, ours beside smoltcp's wire module.
//!
//! Both sides do the same work on the same 42-byte frame (Linux's ARP
//! request for 192.0.2.2 from 192.0.2.1, as a veth captured it):
//!
//! - `parse`: check the Ethernet frame's length, read its representation
//!   (destination, source, EtherType), check that the EtherType is ARP, check
//!   the ARP packet's length, and read its Ethernet/IPv4 representation
//!   (hardware and protocol type and lengths checked, opcode and four
//!   addresses). Ours additionally looks for 802.1Q tags and refuses an
//!   802.3 length in the type field; smoltcp's does neither.
//! - `emit`: write both representations into a 42-byte buffer (Ethernet
//!   header, then the 28-byte ARP packet), the same buffer every iteration:
//!   each side writes all 42 octets (checked before the runs, on a buffer
//!   that held neither zeros nor the frame), so neither needs it zeroed.
//!
//! What the closures return: nothing. The parsed representations and the
//! emitted buffer go through `std::hint::black_box`, which keeps them without
//! reading them back. criterion's own `black_box`, which `iter` applies to a
//! closure's result, is a `read_volatile` of the whole value, in pieces as
//! the compiler splits it: 36 byte loads for our parse result, 20 two-byte
//! loads for smoltcp's, 42 byte loads per emitted buffer (after a copy of
//! it). That cost the harness, not the work, and it differed between the
//! sides.
//!
//! Each side's `parse` and `emit` is its own function (`#[inline(never)]`),
//! and the package's bench build is one codegen unit (the workspace
//! Cargo.toml): what the compiler inlines into one side cannot change with
//! the other side's code. Without both, a change to our parser once moved
//! smoltcp's `arp::Repr::parse` out of line and made smoltcp 12 -> 18 ns.
//! The one unit is not free for smoltcp: its parse keeps three bounds checks
//! that its best 16-unit build folds, measured at 0.3 to 1 ns (10.0-10.8 ns
//! against 9.7 ns); compare with that in mind.

use criterion::{criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

const FRAME: [u8; 42] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x02,
];

mod ours {
    use handshake_link::{ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr};

    #[inline(never)]
    pub fn parse(b: &[u8]) -> Option<(EthernetRepr, ArpRepr)> {
        let f = EthernetFrame::new_checked(b).ok()?;
        let eth = EthernetRepr::parse(&f);
        if eth.ethertype != EtherType::ARP {
            return None;
        }
        let arp = ArpRepr::parse(&ArpPacket::new_checked(f.payload_slice()).ok()?).ok()?;
        Some((eth, arp))
    }

    #[inline(never)]
    pub fn emit(eth: &EthernetRepr, arp: &ArpRepr, buf: &mut [u8; 42]) -> Option<()> {
        let hl = eth.emit(buf).ok()?;
        arp.emit(&mut buf[hl..]).ok()?;
        Some(())
    }
}

mod peer {
    use smoltcp::wire::{ArpPacket, ArpRepr, EthernetFrame, EthernetProtocol, EthernetRepr};

    #[inline(never)]
    pub fn parse(b: &[u8]) -> Option<(EthernetRepr, ArpRepr)> {
        let f = EthernetFrame::new_checked(b).ok()?;
        let eth = EthernetRepr::parse(&f).ok()?;
        if eth.ethertype != EthernetProtocol::Arp {
            return None;
        }
        let arp = ArpRepr::parse(&ArpPacket::new_checked(f.payload()).ok()?).ok()?;
        Some((eth, arp))
    }

    #[inline(never)]
    pub fn emit(eth: &EthernetRepr, arp: &ArpRepr, buf: &mut [u8; 42]) -> Option<()> {
        let mut f = EthernetFrame::new_checked(&mut buf[..]).ok()?;
        eth.emit(&mut f);
        arp.emit(&mut ArpPacket::new_unchecked(f.payload_mut()));
        Some(())
    }
}

fn bench_wire(c: &mut Criterion) {
    let (eth, arp) = ours::parse(&FRAME).expect("ours parses the frame");
    let (seth, sarp) = peer::parse(&FRAME).expect("smoltcp parses the frame");
    // Both emit what they parsed, byte for byte: the sides agree. The
    // buffers start as neither zeros nor the frame: each side writes every
    // octet, which the emit runs below rely on.
    let (mut a, mut b) = ([0xa5u8; 42], [0xa5u8; 42]);
    ours::emit(&eth, &arp, &mut a).expect("ours emits");
    peer::emit(&seth, &sarp, &mut b).expect("smoltcp emits");
    assert_eq!((a, b), (FRAME, FRAME));

    let mut g = c.benchmark_group("link/ethernet-arp");
    g.bench_function(BenchmarkId::new("handshake", "parse"), |bch| {
        bch.iter(|| {
            black_box(ours::parse(black_box(&FRAME)));
        })
    });
    g.bench_function(BenchmarkId::new("smoltcp", "parse"), |bch| {
        bch.iter(|| {
            black_box(peer::parse(black_box(&FRAME)));
        })
    });
    // One buffer per side, reused: each emit writes all 42 octets over the
    // last one's. The buffer goes through `black_box` so that neither side's
    // writes can be dropped or hoisted.
    g.bench_function(BenchmarkId::new("handshake", "emit"), |bch| {
        bch.iter(|| {
            black_box(ours::emit(
                black_box(&eth),
                black_box(&arp),
                black_box(&mut a),
            ));
        })
    });
    g.bench_function(BenchmarkId::new("smoltcp", "emit"), |bch| {
        bch.iter(|| {
            black_box(peer::emit(
                black_box(&seth),
                black_box(&sarp),
                black_box(&mut b),
            ));
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench_wire);
}
use group::benches;
criterion_main!(benches);
