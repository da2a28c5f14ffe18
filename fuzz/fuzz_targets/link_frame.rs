//! Ethernet, ARP and NDP: parse arbitrary bytes; what parses must re-emit
//! and re-parse to the same representation.
#![no_main]

use handshake_ip::{ChecksumMode, Ipv6Packet};
use handshake_link::{ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr, NdpRepr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = EthernetFrame::new_checked(data) else {
        return;
    };
    let eth = EthernetRepr::parse(&frame);
    let mut head = [0u8; 14];
    eth.emit(&mut head).expect("14 bytes");
    let again = EthernetFrame::new_checked(&head[..]).expect("emitted header is valid");
    assert_eq!(EthernetRepr::parse(&again), eth);
    let payload = frame.payload();
    match frame.ethertype() {
        EtherType::ARP => {
            let Ok(Ok(arp)) = ArpPacket::new_checked(payload).map(|p| ArpRepr::parse(&p)) else {
                return;
            };
            let mut out = [0u8; 28];
            arp.emit(&mut out).expect("28 bytes");
            let p = ArpPacket::new_checked(&out[..]).expect("emitted packet is valid");
            assert_eq!(ArpRepr::parse(&p), Ok(arp));
        }
        EtherType::IPV6 => {
            let Ok(ip) = Ipv6Packet::new_checked(payload) else {
                return;
            };
            // Ignore the checksum so the fuzzer reaches the options.
            let Ok(nd) = NdpRepr::parse_ipv6(&ip, ChecksumMode::Ignore) else {
                return;
            };
            let (src, dst) = (ip.src_addr(), ip.dst_addr());
            let mut out = vec![0u8; nd.buffer_len()];
            nd.emit(&mut out, src, dst).expect("sized by buffer_len");
            assert_eq!(
                NdpRepr::parse(&out, src, dst, 255, ChecksumMode::Verify),
                Ok(nd)
            );
        }
        _ => {}
    }
});
