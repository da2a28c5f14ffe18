//! `ip.ipv6.*`: IPv6 headers (RFC 8200): parse, emit and extension headers skipped safely.

use crate::cases::support::*;
use crate::check::unhex;
use crate::expect_error;
use crate::{check, check_property, Case, Outcome};
use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{ChecksumMode, Error, IpProtocol, Ipv6Addr, Ipv6Packet, Ipv6Repr};
use proptest::prelude::*;

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

/// The `ip.ipv6.*` cases.
/// The IPv6 view over `p`, or why it is refused.
fn v6(p: &[u8]) -> Result<(), Error> {
    Ipv6Packet::new_checked(p).map(drop)
}

/// Walks the extension-header chain of the packet in `p`.
fn chain(p: &[u8]) -> Result<(), Error> {
    Ipv6Packet::new_checked(p).and_then(|p| p.upper_layer().map(drop))
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
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
                    check::ensure(ok && same, || {
                        format!("parsed {r:?}, upper {proto:?}@{off}")
                    })
                }
                Err(e) => Err(format!("rejected a Linux header: {e}")),
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
            expect_error!(chain(&b), Error::Truncated { need: 16, have: 8, .. })
        }),
        Case::must("ip.ipv6.extension-chain-short", "RFC 8200 §4").vector(|_| {
            // Next header says Routing, but only 4 bytes of payload remain.
            let b = ipv6_with(43, &[6, 0, 0, 0]);
            expect_error!(chain(&b), Error::Truncated { need: 8, have: 4, .. })
        }),
        Case::must("ip.ipv6.extension-chain-too-long", "RFC 8200 §4.1").vector(|_| {
            let mut pl = Vec::new();
            for _ in 0..100 {
                pl.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
            }
            let b = ipv6_with(60, &pl);
            expect_error!(chain(&b), Error::TooManyExtensionHeaders(_))
        }),
        Case::must("ip.ipv6.hop-by-hop-only-first", "RFC 8200 §4.3").vector(|_| {
            let b = ipv6_with(60, &[0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0]);
            Outcome::from(check::refused(chain(&b), Error::HopByHopNotFirst))
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
            expect_error!(v6(&p[..79]), Error::LengthBeyondBuffer { value: 40, have: 39, .. })
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
        Case::should(
            "ip.ipv6.arbitrary-bytes-never-panic",
            "RFC 1122 §1.2.2 (robustness); RFC 8200 §4 (random extension-header chains: no panic, and a parsed upper layer ends where the payload does)",
        ).property(|ctx| {
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
    ]
}
