//! Helpers shared by the cases of more than one group (no cases here).

use crate::peers::{pcap, tshark};
use crate::{Ctx, Outcome};
use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{IpProtocol, Ipv4Repr, Ipv6Repr};
use proptest::prelude::*;
use rand::Rng;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Packets per capture: enough to cover every option combination many times.
pub(crate) const PACKETS: usize = 300;

/// What we emitted, and the fields tshark must read back with these values.
pub(crate) struct Emitted {
    pub(crate) bytes: Vec<u8>,
    pub(crate) expect: Vec<(&'static str, String)>,
}

/// Wraps a transport payload in a random IPv4 (or, with `v6`, IPv6) header:
/// `transport` writes the payload after it. Returns the datagram and the IP-layer fields tshark must agree on.
pub(crate) fn ip_wrap(
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

pub(crate) fn random_payload(rng: &mut impl Rng, max: usize) -> Vec<u8> {
    let n = rng.gen_range(0..=max);
    (0..n).map(|_| rng.gen()).collect()
}

/// Writes the packets to a pcap, has tshark dissect it and compares field by field.
pub(crate) fn compare(ctx: &Ctx, name: &str, packets: &[Emitted]) -> Outcome {
    compare_written(ctx, name, packets, pcap::write_raw_ip)
}

/// [`compare`] for Ethernet frames (a LINKTYPE_ETHERNET capture).
pub(crate) fn compare_frames(ctx: &Ctx, name: &str, packets: &[Emitted]) -> Outcome {
    compare_written(ctx, name, packets, pcap::write_ethernet)
}

fn compare_written(
    ctx: &Ctx,
    name: &str,
    packets: &[Emitted],
    write: fn(&std::path::Path, &[Vec<u8>]) -> Result<(), String>,
) -> Outcome {
    let path = ctx.artifacts.join(name);
    let bytes: Vec<Vec<u8>> = packets.iter().map(|p| p.bytes.clone()).collect();
    if let Err(e) = write(&path, &bytes) {
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
pub(crate) fn normalise(field: &str, value: &str) -> String {
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

/// A TCP SYN Linux sent from 192.0.2.1:39630 to 192.0.2.2:80 (IPv4 + TCP).
pub(crate) const LINUX_SYN_V4: &str = "4500003c52b6400040066402c0000201c00002029ace00504d3bad0e00000000a002faf0864c0000020405b40402080a3d2f7024000000000103030a";

/// A TCP SYN Linux sent from [2001:db8::1]:53814 to [2001:db8::2]:443 (IPv6 + TCP).
pub(crate) const LINUX_SYN_V6: &str = "600980190028064020010db800000000000000000000000120010db8000000000000000000000002d23601bb917bb12a00000000a002fd20e6610000020405a00402080a97815b00000000000103030a";

pub(crate) fn v4_pair() -> PseudoHeader {
    PseudoHeader::V4 {
        src: Ipv4Addr::new(192, 0, 2, 1),
        dst: Ipv4Addr::new(192, 0, 2, 2),
    }
}

pub(crate) fn v6_pair() -> PseudoHeader {
    PseudoHeader::V6 {
        src: "2001:db8::1".parse().expect("valid"),
        dst: "2001:db8::2".parse().expect("valid"),
    }
}

pub(crate) fn arb_pseudo_header() -> impl Strategy<Value = PseudoHeader> {
    (any::<bool>(), any::<[u8; 16]>(), any::<[u8; 16]>()).prop_map(|(v6, a, b)| {
        if v6 {
            PseudoHeader::V6 {
                src: a.into(),
                dst: b.into(),
            }
        } else {
            PseudoHeader::V4 {
                src: [a[0], a[1], a[2], a[3]].into(),
                dst: [b[0], b[1], b[2], b[3]].into(),
            }
        }
    })
}
