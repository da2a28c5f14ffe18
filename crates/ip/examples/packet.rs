//! Builds an IPv4 + UDP datagram, writes it to bytes, reads it back, forwards
//! it the way a router does (TTL down, checksum patched by RFC 1624), catches a
//! corrupted copy, and does the same round trip for an IPv6 ICMPv6 echo.
//!
//! ```sh
//! cargo run -p handshake-ip --example packet
//! ```
//!
//! Everything happens in memory: no socket is opened.

use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{
    ChecksumMode, IcmpPacket, Icmpv6Repr, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr, Ipv6Addr,
    Ipv6Packet, Ipv6Repr, UdpPacket, UdpRepr,
};

fn main() -> Result<(), handshake_ip::Error> {
    // RFC 5737 TEST-NET-1 addresses: documentation only, never routed.
    let (src, dst) = (Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 53));
    let udp = UdpRepr {
        src_port: 49152,
        dst_port: 53,
        payload: b"hello, handshake",
    };
    let ip = Ipv4Repr::new(src, dst, IpProtocol::UDP, udp.buffer_len());

    // Emit: the IPv4 header first (its checksum filled in), then the UDP
    // datagram after it, its checksum over the pseudo-header (RFC 768).
    let mut buf = vec![0u8; ip.buffer_len()];
    let header_len = ip.emit(&mut buf)?;
    let ph = PseudoHeader::V4 { src, dst };
    udp.emit(&mut buf[header_len..], &ph)?;

    println!("IPv4 + UDP, {} bytes on the wire:", buf.len());
    hexdump(&buf);

    // Parse: a checked view first (lengths), then the representation
    // (checksums verified).
    let packet = Ipv4Packet::new_checked(&buf[..])?;
    let parsed_ip = Ipv4Repr::parse(&packet, ChecksumMode::Verify)?;
    let datagram = UdpPacket::new_checked(packet.payload())?;
    let parsed_udp = UdpRepr::parse(&datagram, &ph, ChecksumMode::Verify)?;
    println!(
        "parsed: {} -> {}, ttl {}, protocol {}, header checksum {:#06x} (verified)",
        parsed_ip.src_addr,
        parsed_ip.dst_addr,
        parsed_ip.ttl,
        parsed_ip.protocol.0,
        packet.checksum()
    );
    println!(
        "        UDP {} -> {}, {} bytes, checksum {:#06x} (verified), payload {:?}",
        parsed_udp.src_port,
        parsed_udp.dst_port,
        datagram.len(),
        datagram.checksum(),
        String::from_utf8_lossy(parsed_udp.payload)
    );
    assert_eq!((parsed_ip, parsed_udp), (ip, udp));

    // Forward it: a router lowers the TTL and patches the header checksum
    // from the one 16-bit word that changed (RFC 1624 eqn. 3) instead of
    // summing the whole header again.
    let mut packet = Ipv4Packet::new_checked(buf.clone())?;
    let old_word = u16::from_be_bytes([packet.ttl(), packet.protocol().0]);
    let new_word = u16::from_be_bytes([packet.ttl() - 1, packet.protocol().0]);
    let patched = checksum::update(packet.checksum(), old_word, new_word);
    packet.set_ttl(packet.ttl() - 1);
    packet.set_checksum(patched);
    let mut recomputed = packet.clone();
    recomputed.fill_checksum();
    println!(
        "forwarded: ttl {}, checksum patched to {:#06x}, full recomputation gives {:#06x}",
        packet.ttl(),
        patched,
        recomputed.checksum()
    );
    assert!(packet.verify_checksum());

    // Corrupt one payload byte: the UDP checksum catches it.
    let mut corrupted = buf.clone();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0x01;
    let packet = Ipv4Packet::new_checked(&corrupted[..])?;
    let datagram = UdpPacket::new_checked(packet.payload())?;
    match UdpRepr::parse(&datagram, &ph, ChecksumMode::Verify) {
        Err(e) => println!("one bit flipped in the payload: {e}"),
        Ok(_) => unreachable!("a flipped bit always changes the one's complement sum"),
    }

    // IPv6: an ICMPv6 echo request, whose checksum covers a pseudo-header
    // too (RFC 4443 §2.3), from and to RFC 3849 documentation addresses.
    let (src6, dst6): (Ipv6Addr, Ipv6Addr) = (
        "2001:db8::1".parse().unwrap(),
        "2001:db8::2".parse().unwrap(),
    );
    let ph6 = PseudoHeader::V6 {
        src: src6,
        dst: dst6,
    };
    let echo = Icmpv6Repr::EchoRequest {
        ident: 0x1234,
        seq_no: 1,
        data: b"ping",
    };
    let ip6 = Ipv6Repr::new(src6, dst6, IpProtocol::ICMPV6, echo.buffer_len());
    let mut buf6 = vec![0u8; ip6.buffer_len()];
    let header_len6 = ip6.emit(&mut buf6)?;
    echo.emit(&mut buf6[header_len6..], &ph6)?;

    println!(
        "\nIPv6 + ICMPv6 echo request, {} bytes on the wire:",
        buf6.len()
    );
    hexdump(&buf6);
    let packet6 = Ipv6Packet::new_checked(&buf6[..])?;
    let upper = packet6.upper_layer()?;
    let icmp = IcmpPacket::new_checked(upper.payload)?;
    let parsed_echo = Icmpv6Repr::parse(&icmp, &ph6, ChecksumMode::Verify)?;
    let Icmpv6Repr::EchoRequest {
        ident,
        seq_no,
        data,
    } = parsed_echo
    else {
        unreachable!("we sent an echo request")
    };
    println!(
        "parsed: {} -> {}, hop limit {}, next header {} (ICMPv6)",
        packet6.src_addr(),
        packet6.dst_addr(),
        packet6.hop_limit(),
        upper.protocol.0,
    );
    println!(
        "        echo request ident {ident:#06x} seq {seq_no}, data {:?}, checksum {:#06x} (verified)",
        String::from_utf8_lossy(data),
        icmp.checksum()
    );
    assert_eq!(parsed_echo, echo);
    Ok(())
}

/// Sixteen bytes a line, offset first, as `xxd` and tcpdump -X print them.
fn hexdump(bytes: &[u8]) {
    for (i, line) in bytes.chunks(16).enumerate() {
        let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
        let text: String = line
            .iter()
            .map(|&b| {
                if b == b' ' || b.is_ascii_graphic() {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        println!("  {:04x}  {:<47}  {text}", i * 16, hex.join(" "));
    }
}
