//! `ip.ipv4.*`: IPv4 headers (RFC 791): parse, emit, options and the malformed shapes.

use crate::cases::support::*;
use crate::check::unhex;
use crate::expect_error;
use crate::{check, check_property, Case, Outcome};
use handshake_ip::checksum::{self};
use handshake_ip::{ChecksumMode, Error, IpProtocol, Ipv4Addr, Ipv4Options, Ipv4Packet, Ipv4Repr};
use proptest::prelude::*;

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

/// The `ip.ipv4.*` cases.
/// The IPv4 view over `p`, or why it is refused.
fn v4(p: &[u8]) -> Result<(), Error> {
    Ipv4Packet::new_checked(p).map(drop)
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
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
            Outcome::from(check::refused(v4(&p[..]), Error::BadIhl(4)))
        }),
        Case::must("ip.ipv4.ihl-beyond-buffer", "RFC 791 §3.1").vector(|_| {
            // IHL 15 (60 bytes) in a 40-byte buffer whose total length says 40.
            let mut p = unhex(LINUX_SYN_V4)[..40].to_vec();
            p[0] = 0x4f;
            p[2..4].copy_from_slice(&40u16.to_be_bytes());
            expect_error!(v4(&p[..]), Error::Truncated { need: 60, .. })
        }),
        Case::must("ip.ipv4.total-length-beyond-buffer", "RFC 791 §3.1").vector(|_| {
            let p = unhex(LINUX_SYN_V4);
            expect_error!(
                v4(&p[..59]),
                Error::LengthBeyondBuffer {
                    value: 60,
                    have: 59,
                    ..
                }
            )
        }),
        Case::must("ip.ipv4.total-length-below-header", "RFC 791 §3.1").vector(|_| {
            let mut p = unhex(LINUX_SYN_V4);
            p[2..4].copy_from_slice(&19u16.to_be_bytes());
            expect_error!(
                v4(&p[..]),
                Error::LengthBelowHeader {
                    value: 19,
                    min: 20,
                    ..
                }
            )
        }),
        Case::must("ip.ipv4.truncated-header", "RFC 791 §3.1").vector(|_| {
            let p = unhex(LINUX_SYN_V4);
            expect_error!(
                v4(&p[..19]),
                Error::Truncated {
                    need: 20,
                    have: 19,
                    ..
                }
            )
        }),
        Case::must("ip.ipv4.wrong-version", "RFC 791 §3.1").vector(|_| {
            let p = unhex(LINUX_SYN_V6);
            expect_error!(
                v4(&p[..]),
                Error::Version {
                    found: 6,
                    expected: 4
                }
            )
        }),
        Case::must("ip.ipv4.bad-checksum", "RFC 791 §3.1").vector(|_| {
            let mut p = unhex(LINUX_SYN_V4);
            p[8] = 63; // TTL changed, checksum not updated
            let pkt = match Ipv4Packet::new_checked(&p[..]) {
                Ok(pkt) => pkt,
                Err(e) => return Outcome::Fail(format!("view rejected: {e}")),
            };
            let ignored_ok = Ipv4Repr::parse(&pkt, ChecksumMode::Ignore).is_ok();
            match Outcome::from(expect_error!(
                Ipv4Repr::parse(&pkt, ChecksumMode::Verify),
                Error::BadChecksum { .. }
            )) {
                Outcome::Pass if ignored_ok => Outcome::Pass,
                Outcome::Pass => Outcome::Fail("ChecksumMode::Ignore still rejected it".into()),
                other => other,
            }
        }),
        Case::must(
            "ip.ipv4.fragment-fields",
            "RFC 791 §3.1 (Flags, Fragment Offset)",
        )
        .vector(|_| {
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
                Ok((p, opts)) => Outcome::from(check::ensure(
                    b[0] == 0x46 && p == r && opts == [0x94, 4, 0, 0],
                    || format!("IHL byte {:02x}, parsed {p:?}", b[0]),
                )),
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
        Case::should(
            "ip.ipv4.arbitrary-bytes-never-panic",
            "RFC 1122 §1.2.2 (robustness: deal with every conceivable error); RFC 791 §3.1",
        )
        .property(|ctx| {
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
    ]
}
