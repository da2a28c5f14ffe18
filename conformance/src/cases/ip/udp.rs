//! `ip.udp.*`: UDP (RFC 768): headers, lengths and the checksum over the pseudo-header.

use crate::cases::support::*;
use crate::expect_error;
use crate::{check, check_property, Case, Outcome};
use handshake_ip::{ChecksumMode, Error, UdpPacket, UdpRepr};
use proptest::prelude::*;

/// The `ip.udp.*` cases.
/// The UDP view over `b`, or why it is refused.
fn udp(b: &[u8]) -> Result<(), Error> {
    UdpPacket::new_checked(b).map(drop)
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        // ---- UDP ----
        Case::must("ip.udp.length-beyond-buffer", "RFC 768").vector(|_| {
            let b = [0, 1, 0, 2, 0, 12, 0, 0, 1, 2];
            expect_error!(udp(&b), Error::LengthBeyondBuffer { value: 12, have: 10, .. })
        }),
        Case::must("ip.udp.length-below-header", "RFC 768").vector(|_| {
            let b = [0, 1, 0, 2, 0, 7, 0, 0, 1, 2];
            expect_error!(udp(&b), Error::LengthBelowHeader { value: 7, .. })
        }),
        Case::must("ip.udp.truncated-header", "RFC 768").vector(|_| {
            expect_error!(udp(&[0, 1, 0, 2, 0, 8, 0]), Error::Truncated { need: 8, have: 7, .. })
        }),
        Case::must("ip.udp.zero-checksum-ipv4-means-none", "RFC 768").vector(|_| {
            let b = [0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 0xab, 0xcd];
            let r = UdpPacket::new_checked(&b[..])
                .and_then(|p| UdpRepr::parse(&p, &v4_pair(), ChecksumMode::Verify));
            check::ensure(
                matches!(
                    r,
                    Ok(UdpRepr {
                        src_port: 12345,
                        dst_port: 53,
                        payload: &[0xab, 0xcd]
                    })
                ),
                || format!("a zero IPv4 UDP checksum means none, got {r:?}"),
            )
        }),
        Case::must("ip.udp.zero-checksum-ipv6-rejected", "RFC 8200 §8.1").vector(|_| {
            let b = [0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 0xab, 0xcd];
            let got = UdpPacket::new_checked(&b[..])
                .and_then(|p| UdpRepr::parse(&p, &v6_pair(), ChecksumMode::Verify));
            Outcome::from(check::refused(got, Error::UdpZeroChecksumV6))
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
            Outcome::from(check::ensure(
                buf[6..8] == [0xff, 0xff] && parsed == Ok(r),
                || {
                    format!(
                        "checksum field {:02x}{:02x}, parsed {parsed:?}",
                        buf[6], buf[7]
                    )
                },
            ))
        }),
        Case::must("ip.udp.bad-checksum", "RFC 768").vector(|_| {
            let r = UdpRepr {
                src_port: 5353,
                dst_port: 5353,
                payload: b"query",
            };
            let mut buf = [0u8; 13];
            r.emit(&mut buf, &v4_pair())
                .map_err(|e| format!("emit: {e}"))?;
            buf[9] ^= 0x20;
            expect_error!(
                UdpPacket::new_checked(&buf[..]).and_then(|p| UdpRepr::parse(
                    &p,
                    &v4_pair(),
                    ChecksumMode::Verify
                )),
                Error::BadChecksum { .. }
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
        Case::should(
            "ip.udp.arbitrary-bytes-never-panic",
            "RFC 1122 §1.2.2 (robustness); RFC 768 (no panic; a parsed datagram's payload is its Length less 8)",
        ).property(|ctx| {
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
    ]
}
