//! handshake-ip: the Internet checksum, IPv4, IPv6, UDP and ICMP echo.
//!
//! Known-answer vectors come from the RFCs' own examples and from packets the
//! Linux kernel sent through a TUN device (so their checksums are the
//! kernel's, not ours).

use proptest::prelude::*;
use rand::RngCore;

use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{
    ChecksumMode, Error, IcmpPacket, Icmpv4Repr, Icmpv6Repr, IpProtocol, Ipv4Addr, Ipv4Options,
    Ipv4Packet, Ipv4Repr, Ipv6Addr, Ipv6Packet, Ipv6Repr, UdpPacket, UdpRepr,
};

use crate::{check, check_property, Case, Outcome};

/// A TCP SYN Linux sent from 192.0.2.1:39630 to 192.0.2.2:80 (IPv4 + TCP).
pub(crate) const LINUX_SYN_V4: &str = "4500003c52b6400040066402c0000201c00002029ace00504d3bad0e00000000a002faf0864c0000020405b40402080a3d2f7024000000000103030a";
/// A TCP SYN Linux sent from [2001:db8::1]:53814 to [2001:db8::2]:443 (IPv6 + TCP).
pub(crate) const LINUX_SYN_V6: &str = "600980190028064020010db800000000000000000000000120010db8000000000000000000000002d23601bb917bb12a00000000a002fd20e6610000020405a00402080a97815b00000000000103030a";
/// An ICMP echo request Linux sent (ping socket) from 192.0.2.1 to 192.0.2.2, data "handshake".
const LINUX_ECHO_V4: &str =
    "45000025ae064000400108cec0000201c000020208000594e1d0000168616e647368616b65";
/// An ICMPv6 echo request Linux sent from 2001:db8::1 to 2001:db8::2, data "handshake".
const LINUX_ECHO_V6: &str = "60099e1e00113a4020010db800000000000000000000000120010db8000000000000000000000002800031d2e1d1000168616e647368616b65";

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("case vectors are valid hex")
}

/// Pass when `got` is an error matching `pred`, else fail naming `want`.
fn expect_err<T: std::fmt::Debug>(
    got: Result<T, Error>,
    want: &str,
    pred: impl Fn(&Error) -> bool,
) -> Outcome {
    match got {
        Err(e) if pred(&e) => Outcome::Pass,
        other => Outcome::Fail(format!("expected {want}, got {other:?}")),
    }
}

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

fn ipv6_with(next: u8, payload: &[u8]) -> Vec<u8> {
    let PseudoHeader::V6 { src, dst } = v6_pair() else {
        unreachable!("v6_pair is V6")
    };
    let r = Ipv6Repr::new(src, dst, IpProtocol(next), payload.len());
    let mut b = vec![0u8; r.buffer_len()];
    r.emit(&mut b).expect("buffer sized by buffer_len");
    b[40..].copy_from_slice(payload);
    b
}

fn arb_ipv4_repr() -> impl Strategy<Value = Ipv4Repr> {
    (
        any::<[u8; 4]>(),
        any::<[u8; 4]>(),
        any::<u8>(),
        0usize..1500,
        any::<(u8, u16, bool, bool)>(),
        (0u8..64, 0u8..4, 0u16..0x2000),
        (0usize..=10).prop_flat_map(|w| proptest::collection::vec(any::<u8>(), w * 4)),
    )
        .prop_map(
            |(s, d, p, len, (ttl, ident, df, mf), (dscp, ecn, off), opts)| Ipv4Repr {
                src_addr: s.into(),
                dst_addr: d.into(),
                protocol: IpProtocol(p),
                payload_len: len,
                ttl,
                dscp,
                ecn,
                ident,
                dont_frag: df,
                more_frags: mf,
                frag_offset: off,
                options: Ipv4Options::new(&opts).expect("multiple of 4, at most 40"),
            },
        )
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

pub(crate) fn cases() -> Vec<Case> {
    vec![
        // ---- the Internet checksum ----
        Case::must("ip.checksum.rfc1071-example", "RFC 1071 §3").vector(|_| {
                let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
                let (s, c) = (checksum::sum(&d), checksum::checksum(&d));
                Outcome::from(check::ensure(s == 0xddf2 && c == 0x220d, || {
                    format!("sum {s:04x} checksum {c:04x}, RFC 1071 says ddf2 / 220d")
                }))
            }),
        Case::must("ip.checksum.odd-length-padded", "RFC 1071 §4.1").vector(|_| {
                // The odd trailing byte is the high byte of a zero-padded word.
                let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x11];
                let s = checksum::sum(&d);
                Outcome::from(check::ensure(s == 0xeef2, || {
                    format!("sum {s:04x}, expected eef2 (ddf2 + 1100)")
                }))
            }),
        Case::must("ip.checksum.rfc1624-example", "RFC 1624 §4, eqn. 3").vector(|_| {
                // HC = 0xdd2f, m = 0x5555 -> m' = 0x3285: eqn. 3 gives 0x0000, not
                // the -0 (0xffff) that RFC 1141's eqn. 2 produced.
                let hc = checksum::update(0xdd2f, 0x5555, 0x3285);
                Outcome::from(check::ensure(hc == 0x0000, || {
                    format!("HC' = {hc:04x}, RFC 1624 says 0000")
                }))
            }),
        Case::must("ip.checksum.rfc1624-ttl-decrement", "RFC 1624 §3; RFC 791 §3.1").vector(|_| {
                // A router decrements TTL in the Linux SYN's IPv4 header: the
                // incrementally updated checksum equals full recomputation.
                let mut h = unhex(LINUX_SYN_V4)[..20].to_vec();
                let hc = u16::from_be_bytes([h[10], h[11]]);
                let old = u16::from_be_bytes([h[8], h[9]]);
                h[8] -= 1;
                let new = u16::from_be_bytes([h[8], h[9]]);
                let inc = checksum::update(hc, old, new);
                h[10] = 0;
                h[11] = 0;
                let full = checksum::checksum(&h);
                Outcome::from(check::ensure(inc == full, || {
                    format!("incremental {inc:04x} vs full {full:04x}")
                }))
            }),
        Case::must("ip.checksum.fast-equals-reference-every-length", "RFC 1071 §4.1").property(|ctx| {
                // Every length 0..4096 at every alignment 0..8, random bytes from the seed.
                let mut rng = ctx.rng();
                let mut buf = vec![0u8; 4096 + 8];
                rng.fill_bytes(&mut buf);
                for align in 0..8 {
                    for len in 0..4096 {
                        let d = &buf[align..align + len];
                        let (fast, slow) = (checksum::sum(d), checksum::reference::sum(d));
                        if fast != slow {
                            return Outcome::Fail(format!(
                                "len {len} align {align}: fast {fast:04x} reference {slow:04x} (seed {})",
                                ctx.seed
                            ));
                        }
                    }
                }
                Outcome::Pass
            }),
        Case::must("ip.checksum.fast-equals-reference", "RFC 1071 §4.1").property(|ctx| {
                check_property(
                    ctx,
                    (proptest::collection::vec(any::<u8>(), 0..70_000), 0usize..8),
                    |(d, a)| {
                        let a = a.min(d.len());
                        prop_assert_eq!(checksum::sum(&d[a..]), checksum::reference::sum(&d[a..]));
                        Ok(())
                    },
                )
            }),
        Case::must("ip.checksum.saturated-carries", "RFC 1071 §2(C)").vector(|_| {
                // All-ones data stresses every carry: 64 KiB of 0xff sums to 0xffff.
                let d = vec![0xffu8; 65_536];
                let (f, r) = (checksum::sum(&d), checksum::reference::sum(&d));
                Outcome::from(check::ensure(f == 0xffff && r == 0xffff, || {
                    format!("fast {f:04x} reference {r:04x}")
                }))
            }),
        Case::must("ip.checksum.filled-verifies-to-zero", "RFC 1071 §1").property(|ctx| {
                check_property(
                    ctx,
                    proptest::collection::vec(any::<u8>(), 2..3000),
                    |mut d| {
                        if d.len() % 2 == 1 {
                            d.push(0);
                        }
                        d[0] = 0;
                        d[1] = 0;
                        let c = checksum::checksum(&d);
                        d[..2].copy_from_slice(&c.to_be_bytes());
                        prop_assert_eq!(checksum::checksum(&d), 0);
                        Ok(())
                    },
                )
            }),
        Case::must("ip.checksum.incremental-equals-full", "RFC 1624 §3, eqn. 3").property(|ctx| {
                check_property(
                    ctx,
                    (
                        proptest::collection::vec(any::<u8>(), 4..1500),
                        any::<usize>(),
                        any::<u32>(),
                    ),
                    |(mut d, at, new)| {
                        if d.len() % 2 == 1 {
                            d.push(0);
                        }
                        // The checksum field is the first word; a 32-bit field somewhere after it changes.
                        let words = (d.len() - 2) / 2;
                        if words < 2 {
                            return Ok(());
                        }
                        let i = 2 + 2 * (at % (words - 1));
                        d[0] = 0;
                        d[1] = 0;
                        let hc = checksum::checksum(&d);
                        let old = u32::from_be_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]);
                        d[i..i + 4].copy_from_slice(&new.to_be_bytes());
                        let inc = checksum::update_u32(hc, old, new);
                        let full = checksum::checksum(&d);
                        // One's complement has two zeros: 0x0000 and 0xffff are the same checksum value.
                        prop_assert!(
                            inc == full || (inc ^ full == 0xffff && (inc == 0 || full == 0)),
                            "incremental {:04x} full {:04x}",
                            inc,
                            full
                        );
                        Ok(())
                    },
                )
            }),
        Case::must("ip.checksum.pseudo-header-ipv4", "RFC 9293 §3.1; RFC 768").vector(|_| {
                // The Linux SYN's TCP checksum verifies with the IPv4 pseudo-header.
                let p = unhex(LINUX_SYN_V4);
                let s = checksum::add(
                    checksum::pseudo_header_v4(
                        Ipv4Addr::new(192, 0, 2, 1),
                        Ipv4Addr::new(192, 0, 2, 2),
                        IpProtocol::TCP,
                        40,
                    ),
                    checksum::sum(&p[20..]),
                );
                Outcome::from(check::ensure(s == 0xffff, || {
                    format!("pseudo-header + segment sum {s:04x}, not ffff")
                }))
            }),
        Case::must("ip.checksum.pseudo-header-ipv6", "RFC 8200 §8.1").vector(|_| {
                let p = unhex(LINUX_SYN_V6);
                let s = checksum::add(v6_pair().sum(IpProtocol::TCP, 40), checksum::sum(&p[40..]));
                Outcome::from(check::ensure(s == 0xffff, || {
                    format!("pseudo-header + segment sum {s:04x}, not ffff")
                }))
            }),
        // ---- IPv4 ----
        Case::must("ip.ipv4.linux-header", "RFC 791 §3.1").vector(|_| {
                let p = unhex(LINUX_SYN_V4);
                let pkt = match Ipv4Packet::new_checked(&p[..]) {
                    Ok(pkt) => pkt,
                    Err(e) => return Outcome::Fail(format!("rejected a Linux header: {e}")),
                };
                let r = match Ipv4Repr::parse(&pkt, ChecksumMode::Verify) {
                    Ok(r) => r,
                    Err(e) => return Outcome::Fail(format!("rejected a Linux header: {e}")),
                };
                let fields_ok = r.src_addr == Ipv4Addr::new(192, 0, 2, 1)
                    && r.dst_addr == Ipv4Addr::new(192, 0, 2, 2)
                    && r.protocol == IpProtocol::TCP
                    && r.payload_len == 40
                    && r.ttl == 64
                    && r.ident == 0x52b6
                    && r.dont_frag
                    && !r.more_frags;
                let mut out = [0u8; 20];
                let emitted = r.emit(&mut out).is_ok() && out[..] == p[..20];
                Outcome::from(check::ensure(fields_ok && emitted, || {
                    format!("fields {r:?}, re-emitted {out:02x?} vs {:02x?}", &p[..20])
                }))
            }),
        Case::must("ip.ipv4.ihl-below-5", "RFC 791 §3.1").vector(|_| {
            let mut p = unhex(LINUX_SYN_V4);
            p[0] = 0x44;
            expect_err(Ipv4Packet::new_checked(&p[..]), "BadIhl(4)", |e| {
                *e == Error::BadIhl(4)
            })
        }),
        Case::must("ip.ipv4.ihl-beyond-buffer", "RFC 791 §3.1").vector(|_| {
                // IHL 15 (60 bytes) in a 40-byte buffer whose total length says 40.
                let mut p = unhex(LINUX_SYN_V4)[..40].to_vec();
                p[0] = 0x4f;
                p[2..4].copy_from_slice(&40u16.to_be_bytes());
                expect_err(Ipv4Packet::new_checked(&p[..]), "Truncated", |e| {
                    matches!(e, Error::Truncated { need: 60, .. })
                })
            }),
        Case::must("ip.ipv4.total-length-beyond-buffer", "RFC 791 §3.1").vector(|_| {
                let p = unhex(LINUX_SYN_V4);
                expect_err(
                    Ipv4Packet::new_checked(&p[..59]),
                    "LengthBeyondBuffer",
                    |e| {
                        matches!(
                            e,
                            Error::LengthBeyondBuffer {
                                value: 60,
                                have: 59,
                                ..
                            }
                        )
                    },
                )
            }),
        Case::must("ip.ipv4.total-length-below-header", "RFC 791 §3.1").vector(|_| {
                let mut p = unhex(LINUX_SYN_V4);
                p[2..4].copy_from_slice(&19u16.to_be_bytes());
                expect_err(Ipv4Packet::new_checked(&p[..]), "LengthBelowHeader", |e| {
                    matches!(
                        e,
                        Error::LengthBelowHeader {
                            value: 19,
                            min: 20,
                            ..
                        }
                    )
                })
            }),
        Case::must("ip.ipv4.truncated-header", "RFC 791 §3.1").vector(|_| {
                let p = unhex(LINUX_SYN_V4);
                expect_err(Ipv4Packet::new_checked(&p[..19]), "Truncated", |e| {
                    matches!(
                        e,
                        Error::Truncated {
                            need: 20,
                            have: 19,
                            ..
                        }
                    )
                })
            }),
        Case::must("ip.ipv4.wrong-version", "RFC 791 §3.1").vector(|_| {
                let p = unhex(LINUX_SYN_V6);
                expect_err(Ipv4Packet::new_checked(&p[..]), "Version", |e| {
                    matches!(
                        e,
                        Error::Version {
                            found: 6,
                            expected: 4
                        }
                    )
                })
            }),
        Case::must("ip.ipv4.bad-checksum", "RFC 791 §3.1").vector(|_| {
                let mut p = unhex(LINUX_SYN_V4);
                p[8] = 63; // TTL changed, checksum not updated
                let pkt = match Ipv4Packet::new_checked(&p[..]) {
                    Ok(pkt) => pkt,
                    Err(e) => return Outcome::Fail(format!("view rejected: {e}")),
                };
                let ignored_ok = Ipv4Repr::parse(&pkt, ChecksumMode::Ignore).is_ok();
                match expect_err(
                    Ipv4Repr::parse(&pkt, ChecksumMode::Verify),
                    "BadChecksum",
                    |e| matches!(e, Error::BadChecksum { .. }),
                ) {
                    Outcome::Pass if ignored_ok => Outcome::Pass,
                    Outcome::Pass => Outcome::Fail("ChecksumMode::Ignore still rejected it".into()),
                    other => other,
                }
            }),
        Case::must("ip.ipv4.fragment-fields", "RFC 791 §3.1 (Flags, Fragment Offset)").vector(|_| {
                // MF set, offset 185 (1480 bytes), DF clear: 0x20b9 in the flags/offset word.
                let mut r = Ipv4Repr::new(
                    Ipv4Addr::new(192, 0, 2, 1),
                    Ipv4Addr::new(192, 0, 2, 2),
                    IpProtocol::UDP,
                    8,
                );
                r.dont_frag = false;
                r.more_frags = true;
                r.frag_offset = 185;
                r.ident = 0xbeef;
                let mut b = [0u8; 28];
                if let Err(e) = r.emit(&mut b) {
                    return Outcome::Fail(format!("emit: {e}"));
                }
                let back = Ipv4Packet::new_checked(&b[..])
                    .and_then(|p| Ipv4Repr::parse(&p, ChecksumMode::Verify));
                Outcome::from(check::ensure(
                    b[6..8] == [0x20, 0xb9] && b[4..6] == [0xbe, 0xef] && back == Ok(r),
                    || format!("flags/offset {:02x}{:02x}, parsed {back:?}", b[6], b[7]),
                ))
            }),
        Case::should("ip.ipv4.options-kept", "RFC 791 §3.1").vector(|_| {
                // A header with a 4-byte option (Router Alert, RFC 2113) re-emits byte for byte.
                let mut r = Ipv4Repr::new(
                    Ipv4Addr::new(192, 0, 2, 1),
                    Ipv4Addr::new(224, 0, 0, 22),
                    IpProtocol(2),
                    0,
                );
                r.options = Ipv4Options::new(&[0x94, 0x04, 0x00, 0x00]).expect("4 bytes");
                let mut b = [0u8; 24];
                if let Err(e) = r.emit(&mut b) {
                    return Outcome::Fail(format!("emit: {e}"));
                }
                let parsed = Ipv4Packet::new_checked(&b[..]).and_then(|p| {
                    Ipv4Repr::parse(&p, ChecksumMode::Verify).map(|r| (r, p.options().to_vec()))
                });
                match parsed {
                    Ok((p, opts)) => {
                        Outcome::from(check::ensure(b[0] == 0x46 && p == r && opts == [0x94, 4, 0, 0], || {
                            format!("IHL byte {:02x}, parsed {p:?}", b[0])
                        }))
                    }
                    Err(e) => Outcome::Fail(format!("parse: {e}")),
                }
            }),
        Case::must("ip.ipv4.roundtrip", "RFC 791 §3.1").property(|ctx| {
            check_property(ctx, arb_ipv4_repr(), |r| {
                let mut b = vec![0u8; r.buffer_len()];
                let hl = r
                    .emit(&mut b)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(checksum::checksum(&b[..hl]), 0);
                let p = Ipv4Packet::new_checked(&b[..])
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(Ipv4Repr::parse(&p, ChecksumMode::Verify), Ok(r));
                Ok(())
            })
        }),
        Case::must("ip.ipv4.arbitrary-bytes", "RFC 791 §3.1").property(|ctx| {
                check_property(
                    ctx,
                    proptest::collection::vec(any::<u8>(), 0..120),
                    |mut b| {
                        if let Some(first) = b.first_mut() {
                            *first = 0x40 | (*first & 0x0f); // reach past the version check
                        }
                        if b.len() >= 4 {
                            let l = (b.len() as u16).min(u16::from_be_bytes([b[2], b[3]]));
                            b[2..4].copy_from_slice(&l.to_be_bytes());
                        }
                        if let Ok(p) = Ipv4Packet::new_checked(&b[..]) {
                            let _ = (
                                p.payload(),
                                p.options(),
                                Ipv4Repr::parse(&p, ChecksumMode::Verify),
                            );
                        }
                        Ok(())
                    },
                )
            }),
        // ---- IPv6 ----
        Case::must("ip.ipv6.linux-header", "RFC 8200 §3").vector(|_| {
            let p = unhex(LINUX_SYN_V6);
            let parsed = Ipv6Packet::new_checked(&p[..]).and_then(|pkt| {
                let r = Ipv6Repr::parse(&pkt, ChecksumMode::Verify)?;
                let up = pkt.upper_layer()?;
                Ok((r, up.protocol, up.offset, up.payload.len()))
            });
            match parsed {
                Ok((r, proto, off, len)) => {
                    let ok = r.flow_label == 0x98019
                        && r.payload_len == 40
                        && r.hop_limit == 64
                        && r.next_header == IpProtocol::TCP
                        && (proto, off, len) == (IpProtocol::TCP, 0, 40);
                    let mut out = [0u8; 40];
                    let same = r.emit(&mut out).is_ok() && out[..] == p[..40];
                    Outcome::from(check::ensure(ok && same, || {
                        format!("parsed {r:?}, upper {proto:?}@{off}")
                    }))
                }
                Err(e) => Outcome::Fail(format!("rejected a Linux header: {e}")),
            }
        }),
        Case::must("ip.ipv6.extension-chain-walk", "RFC 8200 §4, §4.3-4.6").vector(|_| {
                let mut pl = Vec::new();
                pl.extend_from_slice(&[43, 0, 1, 4, 0, 0, 0, 0]); // Hop-by-Hop -> Routing, PadN
                pl.extend_from_slice(&[44, 0, 4, 0, 0, 0, 0, 0]); // Routing (type 4, segments left 0) -> Fragment
                pl.extend_from_slice(&[60, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]); // Fragment offset 0 -> Dest Options
                pl.extend_from_slice(&[51, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // Dest Options (16) -> AH
                pl.extend_from_slice(&[17, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]); // AH (Payload Len 1: 12 bytes) -> UDP
                pl.extend_from_slice(&[0, 1, 0, 2, 0, 8, 0, 0]);
                let b = ipv6_with(0, &pl);
                match Ipv6Packet::new_checked(&b[..])
                    .and_then(|p| p.upper_layer().map(|u| (u.protocol, u.offset, u.fragment)))
                {
                    Ok((IpProtocol::UDP, 52, Some(f))) if f.ident == 0xdead_beef => Outcome::Pass,
                    other => Outcome::Fail(format!(
                        "expected UDP at offset 52 after a Fragment header, got {other:?}"
                    )),
                }
            }),
        Case::must("ip.ipv6.extension-chain-truncated", "RFC 8200 §4").vector(|_| {
                // A Destination Options header claiming 16 bytes with 8 present.
                let b = ipv6_with(60, &[6, 1, 1, 4, 0, 0, 0, 0]);
                expect_err(
                    Ipv6Packet::new_checked(&b[..]).and_then(|p| p.upper_layer().map(|_| ())),
                    "Truncated",
                    |e| {
                        matches!(
                            e,
                            Error::Truncated {
                                need: 16,
                                have: 8,
                                ..
                            }
                        )
                    },
                )
            }),
        Case::must("ip.ipv6.extension-chain-short", "RFC 8200 §4").vector(|_| {
                // Next header says Routing, but only 4 bytes of payload remain.
                let b = ipv6_with(43, &[6, 0, 0, 0]);
                expect_err(
                    Ipv6Packet::new_checked(&b[..]).and_then(|p| p.upper_layer().map(|_| ())),
                    "Truncated",
                    |e| {
                        matches!(
                            e,
                            Error::Truncated {
                                need: 8,
                                have: 4,
                                ..
                            }
                        )
                    },
                )
            }),
        Case::must("ip.ipv6.extension-chain-too-long", "RFC 8200 §4.1").vector(|_| {
                let mut pl = Vec::new();
                for _ in 0..100 {
                    pl.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
                }
                let b = ipv6_with(60, &pl);
                expect_err(
                    Ipv6Packet::new_checked(&b[..]).and_then(|p| p.upper_layer().map(|_| ())),
                    "TooManyExtensionHeaders",
                    |e| matches!(e, Error::TooManyExtensionHeaders(_)),
                )
            }),
        Case::must("ip.ipv6.hop-by-hop-only-first", "RFC 8200 §4.3").vector(|_| {
                let b = ipv6_with(60, &[0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0]);
                expect_err(
                    Ipv6Packet::new_checked(&b[..]).and_then(|p| p.upper_layer().map(|_| ())),
                    "HopByHopNotFirst",
                    |e| *e == Error::HopByHopNotFirst,
                )
            }),
        Case::must("ip.ipv6.fragment-later-offset", "RFC 8200 §4.5").vector(|_| {
                // A non-first fragment: the walk stops at the Fragment header. It
                // names Destination Options as next, but what follows is fragment
                // data (here it would be a truncated header if wrongly walked).
                let mut pl = vec![60, 0, 0x05, 0xc9, 0, 0, 0x12, 0x34]; // offset 185, M = 1, id 0x1234
                pl.extend_from_slice(&[6, 200]);
                pl.extend_from_slice(&[0x55; 14]);
                let b = ipv6_with(44, &pl);
                let got = Ipv6Packet::new_checked(&b[..]).and_then(|p| {
                    p.upper_layer()
                        .map(|u| (u.protocol, u.offset, u.payload.len(), u.fragment))
                });
                match got {
                    Ok((IpProtocol::IPV6_OPTS, 8, 16, Some(f)))
                        if f.offset == 185 && f.more && f.ident == 0x1234 =>
                    {
                        Outcome::Pass
                    }
                    other => Outcome::Fail(format!(
                        "expected fragment data at offset 185, got {other:?}"
                    )),
                }
            }),
        Case::must("ip.ipv6.no-next-header", "RFC 8200 §4.7").vector(|_| {
                // Next Header 59 ends the chain; what follows it is not parsed.
                let b = ipv6_with(60, &[59, 0, 1, 4, 0, 0, 0, 0, 0xff, 0xff]);
                match Ipv6Packet::new_checked(&b[..])
                    .and_then(|p| p.upper_layer().map(|u| (u.protocol, u.offset)))
                {
                    Ok((IpProtocol::IPV6_NO_NXT, 8)) => Outcome::Pass,
                    other => Outcome::Fail(format!("expected No Next Header at 8, got {other:?}")),
                }
            }),
        Case::must("ip.ipv6.payload-length-beyond-buffer", "RFC 8200 §3").vector(|_| {
                let p = unhex(LINUX_SYN_V6);
                expect_err(
                    Ipv6Packet::new_checked(&p[..79]),
                    "LengthBeyondBuffer",
                    |e| {
                        matches!(
                            e,
                            Error::LengthBeyondBuffer {
                                value: 40,
                                have: 39,
                                ..
                            }
                        )
                    },
                )
            }),
        Case::must("ip.ipv6.roundtrip", "RFC 8200 §3").property(|ctx| {
            check_property(
                ctx,
                (
                    any::<[u8; 16]>(),
                    any::<[u8; 16]>(),
                    any::<(u8, u8, u8)>(),
                    0usize..2000,
                    0u32..0x10_0000,
                ),
                |(s, d, (nh, hl, tc), len, fl)| {
                    let r = Ipv6Repr {
                        src_addr: Ipv6Addr::from(s),
                        dst_addr: Ipv6Addr::from(d),
                        next_header: IpProtocol(nh),
                        payload_len: len,
                        hop_limit: hl,
                        traffic_class: tc,
                        flow_label: fl,
                    };
                    let mut b = vec![0u8; r.buffer_len()];
                    r.emit(&mut b)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let p = Ipv6Packet::new_checked(&b[..])
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(Ipv6Repr::parse(&p, ChecksumMode::Verify), Ok(r));
                    Ok(())
                },
            )
        }),
        Case::must("ip.ipv6.arbitrary-bytes", "RFC 8200 §4").property(|ctx| {
                check_property(
                    ctx,
                    (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..400)),
                    |(nh, pl)| {
                        // Random extension-header chains: a valid fixed header over arbitrary bytes.
                        let b = ipv6_with(nh % 64, &pl);
                        if let Ok(p) = Ipv6Packet::new_checked(&b[..]) {
                            if let Ok(u) = p.upper_layer() {
                                prop_assert!(u.offset + u.payload.len() == pl.len());
                            }
                        }
                        Ok(())
                    },
                )
            }),
        // ---- UDP ----
        Case::must("ip.udp.length-beyond-buffer", "RFC 768").vector(|_| {
                let b = [0, 1, 0, 2, 0, 12, 0, 0, 1, 2];
                expect_err(UdpPacket::new_checked(&b[..]), "LengthBeyondBuffer", |e| {
                    matches!(
                        e,
                        Error::LengthBeyondBuffer {
                            value: 12,
                            have: 10,
                            ..
                        }
                    )
                })
            }),
        Case::must("ip.udp.length-below-header", "RFC 768").vector(|_| {
                let b = [0, 1, 0, 2, 0, 7, 0, 0, 1, 2];
                expect_err(UdpPacket::new_checked(&b[..]), "LengthBelowHeader", |e| {
                    matches!(e, Error::LengthBelowHeader { value: 7, .. })
                })
            }),
        Case::must("ip.udp.truncated-header", "RFC 768").vector(|_| {
            expect_err(
                UdpPacket::new_checked(&[0u8, 1, 0, 2, 0, 8, 0][..]),
                "Truncated",
                |e| {
                    matches!(
                        e,
                        Error::Truncated {
                            need: 8,
                            have: 7,
                            ..
                        }
                    )
                },
            )
        }),
        Case::must("ip.udp.zero-checksum-ipv4-means-none", "RFC 768").vector(|_| {
                let b = [0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 0xab, 0xcd];
                let r = UdpPacket::new_checked(&b[..])
                    .and_then(|p| UdpRepr::parse(&p, &v4_pair(), ChecksumMode::Verify));
                Outcome::from(check::ensure(
                    matches!(
                        r,
                        Ok(UdpRepr {
                            src_port: 12345,
                            dst_port: 53,
                            payload: &[0xab, 0xcd]
                        })
                    ),
                    || format!("a zero IPv4 UDP checksum means none, got {r:?}"),
                ))
            }),
        Case::must("ip.udp.zero-checksum-ipv6-rejected", "RFC 8200 §8.1").vector(|_| {
                let b = [0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 0xab, 0xcd];
                expect_err(
                    UdpPacket::new_checked(&b[..])
                        .and_then(|p| UdpRepr::parse(&p, &v6_pair(), ChecksumMode::Verify)),
                    "UdpZeroChecksumV6",
                    |e| *e == Error::UdpZeroChecksumV6,
                )
            }),
        Case::must("ip.udp.computed-zero-sent-as-ones", "RFC 768").vector(|_| {
                // Pick the data so the computed checksum is zero: it must go out as 0xffff.
                let ph = v4_pair();
                let mut buf = [0u8; 10];
                let probe = UdpRepr {
                    src_port: 1,
                    dst_port: 2,
                    payload: &[0, 0],
                };
                if let Err(e) = probe.emit(&mut buf, &ph) {
                    return Outcome::Fail(format!("emit: {e}"));
                }
                let data = [buf[6], buf[7]];
                let r = UdpRepr {
                    src_port: 1,
                    dst_port: 2,
                    payload: &data,
                };
                if let Err(e) = r.emit(&mut buf, &ph) {
                    return Outcome::Fail(format!("emit: {e}"));
                }
                let parsed = UdpPacket::new_checked(&buf[..])
                    .and_then(|p| UdpRepr::parse(&p, &ph, ChecksumMode::Verify));
                Outcome::from(check::ensure(buf[6..8] == [0xff, 0xff] && parsed == Ok(r), || {
                    format!(
                        "checksum field {:02x}{:02x}, parsed {parsed:?}",
                        buf[6], buf[7]
                    )
                }))
            }),
        Case::must("ip.udp.bad-checksum", "RFC 768").vector(|_| {
            let r = UdpRepr {
                src_port: 5353,
                dst_port: 5353,
                payload: b"query",
            };
            let mut buf = [0u8; 13];
            if let Err(e) = r.emit(&mut buf, &v4_pair()) {
                return Outcome::Fail(format!("emit: {e}"));
            }
            buf[9] ^= 0x20;
            expect_err(
                UdpPacket::new_checked(&buf[..])
                    .and_then(|p| UdpRepr::parse(&p, &v4_pair(), ChecksumMode::Verify)),
                "BadChecksum",
                |e| matches!(e, Error::BadChecksum { .. }),
            )
        }),
        Case::must("ip.udp.roundtrip", "RFC 768; RFC 8200 §8.1").property(|ctx| {
                check_property(
                    ctx,
                    (
                        any::<(u16, u16)>(),
                        proptest::collection::vec(any::<u8>(), 0..1500),
                        arb_pseudo_header(),
                    ),
                    |((sp, dp), data, ph)| {
                        let r = UdpRepr {
                            src_port: sp,
                            dst_port: dp,
                            payload: &data,
                        };
                        let mut b = vec![0u8; r.buffer_len()];
                        r.emit(&mut b, &ph)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        let p = UdpPacket::new_checked(&b[..])
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert!(p.checksum() != 0);
                        prop_assert!(p.verify_checksum(&ph));
                        prop_assert_eq!(UdpRepr::parse(&p, &ph, ChecksumMode::Verify), Ok(r));
                        Ok(())
                    },
                )
            }),
        Case::must("ip.udp.arbitrary-bytes", "RFC 768").property(|ctx| {
            check_property(
                ctx,
                (
                    proptest::collection::vec(any::<u8>(), 0..64),
                    arb_pseudo_header(),
                ),
                |(b, ph)| {
                    if let Ok(p) = UdpPacket::new_checked(&b[..]) {
                        if let Ok(r) = UdpRepr::parse(&p, &ph, ChecksumMode::Ignore) {
                            prop_assert_eq!(r.payload.len() + 8, p.len());
                        }
                        let _ = UdpRepr::parse(&p, &ph, ChecksumMode::Verify);
                    }
                    Ok(())
                },
            )
        }),
        // ---- ICMP ----
        Case::must("ip.icmp.v4-linux-echo", "RFC 792 (Echo)").vector(|_| {
                let p = unhex(LINUX_ECHO_V4);
                let parsed = Ipv4Packet::new_checked(&p[..]).and_then(|ip| {
                    let msg = IcmpPacket::new_checked(ip.payload())?;
                    let r = Icmpv4Repr::parse(&msg, ChecksumMode::Verify)?;
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(&mut out)?;
                    Ok((format!("{r:?}"), out == ip.payload()))
                });
                match parsed {
                    Ok((r, true)) if r.contains("EchoRequest") && r.contains("seq_no: 1") => {
                        Outcome::Pass
                    }
                    other => Outcome::Fail(format!("Linux echo request: {other:?}")),
                }
            }),
        Case::must("ip.icmp.v6-linux-echo", "RFC 4443 §4.1").vector(|_| {
                let p = unhex(LINUX_ECHO_V6);
                let parsed = Ipv6Packet::new_checked(&p[..]).and_then(|ip| {
                    let ph = PseudoHeader::V6 {
                        src: ip.src_addr(),
                        dst: ip.dst_addr(),
                    };
                    let msg = IcmpPacket::new_checked(ip.payload())?;
                    let r = Icmpv6Repr::parse(&msg, &ph, ChecksumMode::Verify)?;
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(&mut out, &ph)?;
                    Ok((format!("{r:?}"), out == ip.payload()))
                });
                match parsed {
                    Ok((r, true)) if r.contains("EchoRequest") => Outcome::Pass,
                    other => Outcome::Fail(format!("Linux ICMPv6 echo request: {other:?}")),
                }
            }),
        Case::must("ip.icmp.v6-checksum-covers-pseudo-header", "RFC 4443 §2.3").vector(|_| {
                // The same message from another source address must fail: the
                // pseudo-header is part of the ICMPv6 checksum.
                let p = unhex(LINUX_ECHO_V6);
                let ph = PseudoHeader::V6 {
                    src: "2001:db8::3".parse().expect("valid"),
                    dst: "2001:db8::2".parse().expect("valid"),
                };
                expect_err(
                    IcmpPacket::new_checked(&p[40..])
                        .and_then(|m| Icmpv6Repr::parse(&m, &ph, ChecksumMode::Verify)),
                    "BadChecksum",
                    |e| matches!(e, Error::BadChecksum { .. }),
                )
            }),
        Case::must("ip.icmp.v4-bad-checksum", "RFC 792").vector(|_| {
            let mut p = unhex(LINUX_ECHO_V4);
            p[28] ^= 0xff;
            expect_err(
                IcmpPacket::new_checked(&p[20..])
                    .and_then(|m| Icmpv4Repr::parse(&m, ChecksumMode::Verify)),
                "BadChecksum",
                |e| matches!(e, Error::BadChecksum { .. }),
            )
        }),
        Case::must("ip.icmp.truncated", "RFC 792; RFC 4443 §2.1").vector(|_| {
                expect_err(
                    IcmpPacket::new_checked(&[8u8, 0, 0, 0, 0, 0][..]),
                    "Truncated",
                    |e| {
                        matches!(
                            e,
                            Error::Truncated {
                                need: 8,
                                have: 6,
                                ..
                            }
                        )
                    },
                )
            }),
        Case::must("ip.icmp.roundtrip", "RFC 792; RFC 4443 §4").property(|ctx| {
                check_property(
                    ctx,
                    (
                        any::<(bool, u16, u16)>(),
                        proptest::collection::vec(any::<u8>(), 0..600),
                        arb_pseudo_header(),
                    ),
                    |((req, ident, seq_no), data, ph)| {
                        let r4 = if req {
                            Icmpv4Repr::EchoRequest {
                                ident,
                                seq_no,
                                data: &data,
                            }
                        } else {
                            Icmpv4Repr::EchoReply {
                                ident,
                                seq_no,
                                data: &data,
                            }
                        };
                        let mut b = vec![0u8; r4.buffer_len()];
                        r4.emit(&mut b)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!(checksum::checksum(&b), 0);
                        let m = IcmpPacket::new_checked(&b[..])
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!(Icmpv4Repr::parse(&m, ChecksumMode::Verify), Ok(r4));
                        let r6 = if req {
                            Icmpv6Repr::EchoRequest {
                                ident,
                                seq_no,
                                data: &data,
                            }
                        } else {
                            Icmpv6Repr::EchoReply {
                                ident,
                                seq_no,
                                data: &data,
                            }
                        };
                        r6.emit(&mut b, &ph)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        let m = IcmpPacket::new_checked(&b[..])
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!(Icmpv6Repr::parse(&m, &ph, ChecksumMode::Verify), Ok(r6));
                        Ok(())
                    },
                )
            }),
    ]
}
