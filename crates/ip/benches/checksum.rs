//! Internet checksum throughput, ours beside smoltcp's.
//!
//! smoltcp's `wire::ip::checksum::data` is not public in 0.12, so its side
//! runs `Icmpv4Packet::verify_checksum`, which is exactly
//! `checksum::data(buffer) == !0` over the whole buffer; ours runs the same
//! comparison with our `checksum::sum`.

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_ip::checksum;
use std::hint::black_box;

fn bench_checksum(c: &mut Criterion) {
    let mut g = c.benchmark_group("ip/checksum");
    for (name, len) in [("64B", 64usize), ("1500B", 1500), ("64KiB", 65536)] {
        let mut data: Vec<u8> = (0..len)
            .map(|i| (i.wrapping_mul(31) ^ (i >> 3)) as u8)
            .collect();
        // Fill the first two bytes so the buffer verifies: both sides then
        // return true, which checks they agree on the sum.
        data[0] = 0;
        data[1] = 0;
        let c = checksum::checksum(&data);
        data[..2].copy_from_slice(&c.to_be_bytes());
        assert!(smoltcp::wire::Icmpv4Packet::new_unchecked(&data[..]).verify_checksum());
        assert_eq!(checksum::sum(&data), 0xffff);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("handshake", name), &data, |b, d| {
            b.iter(|| checksum::sum(black_box(d)) == 0xffff)
        });
        g.bench_with_input(BenchmarkId::new("smoltcp", name), &data, |b, d| {
            b.iter(|| {
                smoltcp::wire::Icmpv4Packet::new_unchecked(black_box(&d[..])).verify_checksum()
            })
        });
    }
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench_checksum);
}
use group::benches;
criterion_main!(benches);
