//! `ip.icmp.*`: ICMP and ICMPv6 echo (RFC 792, RFC 4443), and ICMPv4
//! error messages with the datagram they quote (RFC 792, RFC 1191).

use crate::cases::support::*;
use crate::check::unhex;
use crate::expect_error;
use crate::{check_property, Case, Outcome};
use handshake_ip::checksum::{self, PseudoHeader};
use handshake_ip::{
    ChecksumMode, Error, IcmpPacket, Icmpv4Error, Icmpv4Repr, Icmpv6Repr, Ipv4Packet, Ipv6Packet,
};
use proptest::prelude::*;

/// An ICMP echo request Linux sent (ping socket) from 192.0.2.1 to 192.0.2.2, data "handshake".
const LINUX_ECHO_V4: &str =
    "45000025ae064000400108cec0000201c000020208000594e1d0000168616e647368616b65";

/// An ICMPv6 echo request Linux sent from 2001:db8::1 to 2001:db8::2, data "handshake".
const LINUX_ECHO_V6: &str = "60099e1e00113a4020010db800000000000000000000000120010db8000000000000000000000002800031d2e1d1000168616e647368616b65";

/// The port unreachable Linux 6.18 sent on loopback for a UDP datagram
/// ("handshake") from port 33410 to the closed port 9999 (captured with
/// tshark): type 3 code 3, quoting the whole datagram.
const LINUX_PORT_UNREACHABLE: &str = "45c00041857400004001f6857f0000017f0000010303449b00000000450000254d4540004011ef807f0000017f0000018282270f0011fe2468616e647368616b65";

/// The `ip.icmp.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
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
            expect_error!(
                IcmpPacket::new_checked(&p[40..]).and_then(|m| Icmpv6Repr::parse(
                    &m,
                    &ph,
                    ChecksumMode::Verify
                )),
                Error::BadChecksum { .. }
            )
        }),
        Case::must("ip.icmp.v4-bad-checksum", "RFC 792").vector(|_| {
            let mut p = unhex(LINUX_ECHO_V4);
            p[28] ^= 0xff;
            expect_error!(
                IcmpPacket::new_checked(&p[20..])
                    .and_then(|m| Icmpv4Repr::parse(&m, ChecksumMode::Verify)),
                Error::BadChecksum { .. }
            )
        }),
        Case::must("ip.icmp.truncated", "RFC 792; RFC 4443 §2.1").vector(|_| {
            expect_error!(
                IcmpPacket::new_checked(&[8u8, 0, 0, 0, 0, 0][..]),
                Error::Truncated {
                    need: 8,
                    have: 6,
                    ..
                }
            )
        }),
        Case::must(
            "ip.icmp.v4-linux-port-unreachable",
            "RFC 792 (Destination Unreachable)",
        )
        .vector(|_| {
            let p = unhex(LINUX_PORT_UNREACHABLE);
            let ip = Ipv4Packet::new_checked(&p[..]).map_err(|e| e.to_string())?;
            let m = IcmpPacket::new_checked(ip.payload_slice()).map_err(|e| e.to_string())?;
            let e = Icmpv4Error::parse(&m, ChecksumMode::Verify).map_err(|e| e.to_string())?;
            crate::check::equal("type, code, rest", (e.msg_type, e.code, e.rest), (3, 3, 0))?;
            crate::check::equal("no MTU", e.next_hop_mtu(), None)?;
            let q = e.quoted().map_err(|e| e.to_string())?;
            crate::check::equal(
                "quoted addresses and protocol",
                (q.src.octets(), q.dst.octets(), q.protocol),
                ([127, 0, 0, 1], [127, 0, 0, 1], 17),
            )?;
            // The quoted UDP header: 33410 -> 9999, length 17, then the data.
            crate::check::equal(
                "quoted ports",
                &q.payload[..4],
                &[0x82, 0x82, 0x27, 0x0f][..],
            )?;
            crate::check::equal("quoted data", &q.payload[8..], &b"handshake"[..])?;
            let mut out = vec![0u8; e.buffer_len()];
            e.emit(&mut out).map_err(|e| e.to_string())?;
            crate::check::equal("re-emitted", &out[..], ip.payload_slice())
        }),
        Case::must(
            "ip.icmp.error-quote-too-short",
            "RFC 792 (64 bits of the original datagram)",
        )
        .vector(|_| {
            let p = unhex(LINUX_PORT_UNREACHABLE);
            let ip = Ipv4Packet::new_checked(&p[..]).map_err(|e| e.to_string())?;
            let full = ip.payload_slice();
            // 8 (ICMP) + 20 (quoted header) + 7: one octet short of RFC 792's 64 bits.
            let e = Icmpv4Error {
                invoking: &full[8..35],
                ..Icmpv4Error::parse(
                    &IcmpPacket::new_checked(full).map_err(|e| e.to_string())?,
                    ChecksumMode::Verify,
                )
                .map_err(|e| e.to_string())?
            };
            expect_error!(
                e.quoted(),
                Error::Truncated {
                    need: 28,
                    have: 27,
                    ..
                }
            )
        }),
        Case::must("ip.icmp.error-arbitrary-bytes", "RFC 792").property(|ctx| {
            check_property(
                ctx,
                proptest::collection::vec(any::<u8>(), 0..200),
                |data| {
                    if let Ok(m) = IcmpPacket::new_checked(&data[..]) {
                        let _ = Icmpv4Error::parse(&m, ChecksumMode::Verify).map(|e| e.quoted());
                        if let Ok(e) = Icmpv4Error::parse(&m, ChecksumMode::Ignore) {
                            let _ = e.quoted();
                            let mut b = vec![0u8; e.buffer_len()];
                            e.emit(&mut b)
                                .map_err(|x| TestCaseError::fail(x.to_string()))?;
                            let again = IcmpPacket::new_checked(&b[..])
                                .map_err(|x| TestCaseError::fail(x.to_string()))?;
                            prop_assert_eq!(
                                Icmpv4Error::parse(&again, ChecksumMode::Verify),
                                Ok(e)
                            );
                        }
                    }
                    Ok(())
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
