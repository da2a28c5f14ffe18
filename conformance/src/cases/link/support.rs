//! Helpers shared by the `link.*` groups (no cases here): the kernel's
//! frames, hand-built frames with an independently computed checksum, and
//! readers of the fields our frames carry at the RFCs' offsets.

use handshake_ip::checksum::reference;
use handshake_link::MacAddr;
use handshake_time::{Duration, Instant};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Captured on the veth end `vb` (02:00:00:00:00:02, 192.0.2.2, 2001:db8::2)
/// of a pair whose other end `va` is 02:00:00:00:00:01, 192.0.2.1,
/// 2001:db8::1, Linux 6.18, when a UDP datagram went from va to vb.
/// Frame 2: va's ARP request for 192.0.2.2.
pub(crate) const LINUX_ARP_REQUEST: &str =
    "ffffffffffff02000000000108060001080006040001020000000001c0000201000000000000c0000202";
/// Frame 3: vb's reply.
pub(crate) const LINUX_ARP_REPLY: &str =
    "02000000000102000000000208060001080006040002020000000002c0000202020000000001c0000201";
/// Frame 6: va's neighbour solicitation for 2001:db8::2.
pub(crate) const LINUX_NS: &str = "3333ff00000202000000000186dd6000000000203aff20010db8000000000000000000000001ff0200000000000000000001ff00000287001c270000000020010db80000000000000000000000020101020000000001";
/// Frame 7: vb's solicited advertisement.
pub(crate) const LINUX_NA: &str = "02000000000102000000000286dd6000000000203aff20010db800000000000000000000000220010db800000000000000000000000188008a716000000020010db80000000000000000000000020201020000000002";
/// vb's duplicate address detection for 2001:db8::2: an NS from the
/// unspecified address with an RFC 7527 nonce option (type 14).
pub(crate) const LINUX_DAD_NS: &str = "3333ff00000202000000000286dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff000002870018330000000020010db80000000000000000000000020e016f399e7718fe";

/// va's MAC.
pub(crate) const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0, 1]);
/// vb's MAC.
pub(crate) const MAC_B: MacAddr = MacAddr([2, 0, 0, 0, 0, 2]);
/// A third host's MAC.
pub(crate) const MAC_C: MacAddr = MacAddr([2, 0, 0, 0, 0, 3]);

/// 192.0.2.`n` (RFC 5737 TEST-NET-1).
pub(crate) fn v4(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(192, 0, 2, n)
}

/// 2001:db8::`n` (RFC 3849).
pub(crate) fn v6(n: u16) -> Ipv6Addr {
    Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, n)
}

/// `ms` milliseconds after the origin.
pub(crate) fn at(ms: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(ms)
}

/// An Ethernet header by hand: destination, source, EtherType.
pub(crate) fn eth(dst: MacAddr, src: MacAddr, ethertype: u16) -> Vec<u8> {
    let mut f = dst.0.to_vec();
    f.extend_from_slice(&src.0);
    f.extend_from_slice(&ethertype.to_be_bytes());
    f
}

/// An ARP frame for IPv4 over Ethernet laid out as RFC 826 draws it.
pub(crate) fn arp_frame(
    eth_dst: MacAddr,
    op: u16,
    (sha, spa): (MacAddr, Ipv4Addr),
    (tha, tpa): (MacAddr, Ipv4Addr),
) -> Vec<u8> {
    let mut f = eth(eth_dst, sha, 0x0806);
    f.extend_from_slice(&[0, 1, 8, 0, 6, 4]);
    f.extend_from_slice(&op.to_be_bytes());
    f.extend_from_slice(&sha.0);
    f.extend_from_slice(&spa.octets());
    f.extend_from_slice(&tha.0);
    f.extend_from_slice(&tpa.octets());
    f
}

/// An IPv6 packet of `next` with `payload`, hop limit `hops`.
pub(crate) fn ipv6(src: Ipv6Addr, dst: Ipv6Addr, next: u8, hops: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x60, 0, 0, 0];
    p.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    p.extend_from_slice(&[next, hops]);
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(payload);
    p
}

/// An ICMPv6 message in IPv6 in Ethernet, its checksum (RFC 4443 §2.3)
/// computed here with the plain RFC 1071 reference sum.
pub(crate) fn icmpv6_frame(
    (eth_dst, eth_src): (MacAddr, MacAddr),
    (src, dst): (Ipv6Addr, Ipv6Addr),
    hops: u8,
    mut msg: Vec<u8>,
) -> Vec<u8> {
    let mut pseudo = src.octets().to_vec();
    pseudo.extend_from_slice(&dst.octets());
    pseudo.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    pseudo.extend_from_slice(&[0, 0, 0, 58]);
    msg[2] = 0;
    msg[3] = 0;
    pseudo.extend_from_slice(&msg);
    let c = !reference::sum(&pseudo);
    msg[2..4].copy_from_slice(&c.to_be_bytes());
    let mut f = eth(eth_dst, eth_src, 0x86dd);
    f.extend_from_slice(&ipv6(src, dst, 58, hops, &msg));
    f
}

/// An NS (RFC 4861 §4.3) body: type 135, target, options as given.
pub(crate) fn ns_msg(target: Ipv6Addr, options: &[u8]) -> Vec<u8> {
    let mut m = vec![135, 0, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(&target.octets());
    m.extend_from_slice(options);
    m
}

/// An NA (RFC 4861 §4.4) body: type 136, flags byte (R 0x80, S 0x40, O 0x20), target, options.
pub(crate) fn na_msg(flags: u8, target: Ipv6Addr, options: &[u8]) -> Vec<u8> {
    let mut m = vec![136, 0, 0, 0, flags, 0, 0, 0];
    m.extend_from_slice(&target.octets());
    m.extend_from_slice(options);
    m
}

/// A link-layer address option (RFC 4861 §4.6.1, RFC 2464 §6): type, length 1, MAC.
pub(crate) fn lladdr_opt(ty: u8, mac: MacAddr) -> Vec<u8> {
    let mut o = vec![ty, 1];
    o.extend_from_slice(&mac.0);
    o
}

/// The fields of an NS/NA frame we emitted, read at their fixed offsets
/// (Ethernet 14 bytes, IPv6 40): what a case checks our output against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NdFrame {
    pub(crate) eth_dst: MacAddr,
    pub(crate) ip_src: Ipv6Addr,
    pub(crate) ip_dst: Ipv6Addr,
    pub(crate) hop_limit: u8,
    pub(crate) icmp_type: u8,
    pub(crate) flags: u8,
    pub(crate) target: Ipv6Addr,
    /// The options after the target.
    pub(crate) options: Vec<u8>,
}

/// Reads an ND frame we emitted; `None` if it is not IPv6 ICMPv6 of 24+ bytes.
pub(crate) fn read_nd(f: &[u8]) -> Option<NdFrame> {
    if f.len() < 14 + 40 + 24 || f[12..14] != [0x86, 0xdd] || f[20] != 58 {
        return None;
    }
    let a16 = |at: usize| {
        <[u8; 16]>::try_from(&f[at..at + 16])
            .ok()
            .map(Ipv6Addr::from)
    };
    let mut d = [0u8; 6];
    d.copy_from_slice(&f[..6]);
    Some(NdFrame {
        eth_dst: MacAddr(d),
        ip_src: a16(22)?,
        ip_dst: a16(38)?,
        hop_limit: f[21],
        icmp_type: f[54],
        flags: f[58],
        target: a16(62)?,
        options: f[78..].to_vec(),
    })
}

/// Every frame a cache has for us now.
pub(crate) fn drain(mut poll: impl FnMut() -> Option<Vec<u8>>) -> Vec<Vec<u8>> {
    std::iter::from_fn(&mut poll).take(10_000).collect()
}
