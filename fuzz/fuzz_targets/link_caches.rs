//! The ARP and neighbour caches under arbitrary frames and clock steps:
//! nothing panics and every table and queue stays within its bound.
#![no_main]

use handshake_ip::{Ipv4Addr, Ipv6Addr};
use handshake_link::{ArpCache, ArpConfig, MacAddr, NdpConfig, NeighborCache};
use handshake_time::{Duration, Instant};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mac = MacAddr([2, 0, 0, 0, 0, 2]);
    let mut arp = ArpCache::new(ArpConfig::new(mac, Ipv4Addr::new(192, 0, 2, 2)).capacity(8));
    let mut nd = NeighborCache::new(NdpConfig::new(mac).capacity(8));
    let mut now = Instant::ZERO;
    nd.add_address(now, "2001:db8::2".parse().unwrap(), Duration::ZERO);
    // The input: records of [step ms, action, len, bytes...].
    let mut rest = data;
    while let [step, action, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (frame, next) = tail.split_at(n);
        rest = next;
        now += Duration::from_millis(u64::from(*step) * 10);
        match action % 4 {
            0 => {
                let _ = arp.handle_frame(now, frame);
                let _ = nd.handle_frame(now, frame);
            }
            1 => {
                let host = frame.first().copied().unwrap_or(1);
                let _ = arp.send(now, Ipv4Addr::new(192, 0, 2, host), frame.to_vec());
                let v6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, host.into());
                let _ = nd.send(now, v6, frame.to_vec());
            }
            2 => {
                arp.handle_timeout(now);
                nd.handle_timeout(now);
            }
            _ => {
                while arp.poll_transmit(now).is_some() {}
                while nd.poll_transmit(now).is_some() {}
                while arp.poll_event().is_some() {}
                while nd.poll_event().is_some() {}
            }
        }
        assert!(arp.len() <= 8 && nd.len() <= 8);
    }
});
