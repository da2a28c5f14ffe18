//! `ip.checksum.*`: The Internet checksum (RFC 1071) and its incremental update (RFC 1624).

use crate::cases::support::*;
use crate::check::unhex;
use crate::{check, check_property, Case, Outcome};
use handshake_ip::checksum::{self};
use handshake_ip::{IpProtocol, Ipv4Addr};
use proptest::prelude::*;
use rand::RngCore;

/// The `ip.checksum.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // ---- the Internet checksum ----
        Case::must("ip.checksum.rfc1071-example", "RFC 1071 §3").vector(|_| {
                let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
                let (s, c) = (checksum::sum(&d), checksum::checksum(&d));
                check::ensure(s == 0xddf2 && c == 0x220d, || {
                    format!("sum {s:04x} checksum {c:04x}, RFC 1071 says ddf2 / 220d")
                })
            }),
        Case::must("ip.checksum.odd-length-padded", "RFC 1071 §4.1").vector(|_| {
                // The odd trailing byte is the high byte of a zero-padded word.
                let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x11];
                let s = checksum::sum(&d);
                check::ensure(s == 0xeef2, || {
                    format!("sum {s:04x}, expected eef2 (ddf2 + 1100)")
                })
            }),
        Case::must("ip.checksum.rfc1624-example", "RFC 1624 §4, eqn. 3").vector(|_| {
                // HC = 0xdd2f, m = 0x5555 -> m' = 0x3285: eqn. 3 gives 0x0000, not
                // the -0 (0xffff) that RFC 1141's eqn. 2 produced.
                let hc = checksum::update(0xdd2f, 0x5555, 0x3285);
                check::ensure(hc == 0x0000, || {
                    format!("HC' = {hc:04x}, RFC 1624 says 0000")
                })
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
                check::ensure(inc == full, || {
                    format!("incremental {inc:04x} vs full {full:04x}")
                })
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
                check::ensure(f == 0xffff && r == 0xffff, || {
                    format!("fast {f:04x} reference {r:04x}")
                })
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
                check::ensure(s == 0xffff, || {
                    format!("pseudo-header + segment sum {s:04x}, not ffff")
                })
            }),
        Case::must("ip.checksum.pseudo-header-ipv6", "RFC 8200 §8.1").vector(|_| {
                let p = unhex(LINUX_SYN_V6);
                let s = checksum::add(v6_pair().sum(IpProtocol::TCP, 40), checksum::sum(&p[40..]));
                check::ensure(s == 0xffff, || {
                    format!("pseudo-header + segment sum {s:04x}, not ffff")
                })
            }),
    ]
}
