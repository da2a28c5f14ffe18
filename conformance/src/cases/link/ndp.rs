//! `link.ndp.*`: IPv6 neighbour discovery: NS and NA (RFC 4861 §4.3, §4.4,
//! §4.6.1), their validation (§7.1), address resolution and neighbour
//! unreachability detection (§7.2, §7.3), the solicited-node address
//! (RFC 4291 §2.7.1) and duplicate address detection (RFC 4862 §5.4).

use super::support::*;
use crate::cases::support::{compare_frames, Emitted, PACKETS};
use crate::check::{self, unhex, Checked};
use crate::expect_error;
use crate::peers::tshark;
use crate::{check_property, Case, Ctx, Kind, Level::Must, Level::Should, Outcome};
use handshake_ip::{ChecksumMode, Ipv6Packet};
use handshake_link::{
    solicited_node, AddrState, Error, EthernetFrame, MacAddr, NaFlags, NdpConfig, NdpEvent,
    NdpRepr, NeighborCache, NeighborState,
};
use handshake_time::Duration;
use proptest::prelude::*;
use rand::Rng;
use std::net::Ipv6Addr;

const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

fn parse(frame: &[u8]) -> Result<NdpRepr, Error> {
    let f = EthernetFrame::new_checked(frame)?;
    NdpRepr::parse_ipv6(&Ipv6Packet::new_checked(f.payload())?, ChecksumMode::Verify)
}

fn linux_ns() -> Checked {
    check::equal(
        "NS",
        parse(&unhex(LINUX_NS)),
        Ok(NdpRepr::NeighborSolicit {
            target_addr: v6(2),
            source_lladdr: Some(MAC_A),
        }),
    )
}

fn linux_na() -> Checked {
    check::equal(
        "NA",
        parse(&unhex(LINUX_NA)),
        Ok(NdpRepr::NeighborAdvert {
            flags: NaFlags {
                router: false,
                solicited: true,
                override_: true,
            },
            target_addr: v6(2),
            target_lladdr: Some(MAC_B),
        }),
    )
}

/// The kernel's DAD probe: from ::, no source link-layer option, and an
/// RFC 7527 nonce option (type 14) that RFC 4861 §4.6 says to skip.
fn linux_dad_ns() -> Checked {
    check::equal(
        "DAD NS",
        parse(&unhex(LINUX_DAD_NS)),
        Ok(NdpRepr::NeighborSolicit {
            target_addr: v6(2),
            source_lladdr: None,
        }),
    )
}

/// RFC 4861 §7.1.1, §7.1.2: the hop limit must be 255 (it is outside the
/// checksum, so the kernel's frames stay otherwise valid).
fn hop_limit_255() -> Checked {
    let mut ns = unhex(LINUX_NS);
    ns[21] = 254;
    expect_error!(parse(&ns), Error::NdpHopLimit(254))?;
    let mut na = unhex(LINUX_NA);
    na[21] = 64;
    expect_error!(parse(&na), Error::NdpHopLimit(64))
}

/// RFC 4861 §7.1.1: "The ICMP Checksum is valid" (over the pseudo-header, RFC 4443 §2.3).
fn bad_checksum() -> Checked {
    let mut ns = unhex(LINUX_NS);
    ns[14 + 40 + 23] ^= 1; // a target byte
    expect_error!(
        parse(&ns),
        Error::Ip(handshake_ip::Error::BadChecksum { .. })
    )
}

fn hand_ns(src: Ipv6Addr, dst: Ipv6Addr, msg: Vec<u8>) -> Vec<u8> {
    icmpv6_frame((MacAddr::ipv6_multicast(dst), MAC_C), (src, dst), 255, msg)
}

/// RFC 4861 §7.1.1: "ICMP Code is 0".
fn code_nonzero() -> Checked {
    let mut m = ns_msg(v6(2), &lladdr_opt(1, MAC_C));
    m[1] = 1;
    expect_error!(
        parse(&hand_ns(v6(3), solicited_node(v6(2)), m)),
        Error::NdpCode(1)
    )
}

/// RFC 4861 §7.1.1: "ICMP length (derived from the IP length) is 24 or more octets".
fn short_message() -> Checked {
    let m = ns_msg(v6(2), &[])[..20].to_vec();
    expect_error!(
        parse(&hand_ns(v6(3), solicited_node(v6(2)), m)),
        Error::Truncated {
            need: 24,
            have: 20,
            ..
        }
    )
}

/// RFC 4861 §4.6, §7.1.1: an option of length zero discards the packet.
fn option_length_zero() -> Checked {
    let m = ns_msg(v6(2), &[1, 0, 2, 0, 0, 0, 0, 3]);
    expect_error!(
        parse(&hand_ns(v6(3), solicited_node(v6(2)), m)),
        Error::NdpOptionLengthZero(1)
    )
}

/// RFC 4861 §7.1.1: "Target Address is not a multicast address".
fn multicast_target() -> Checked {
    let m = ns_msg(ALL_NODES, &[]);
    expect_error!(parse(&hand_ns(v6(3), v6(2), m)), Error::NdpMulticastTarget)
}

/// RFC 4861 §7.1.1: from the unspecified address, the destination is a
/// solicited-node address and there is no source link-layer option.
fn unspecified_source() -> Checked {
    let with_slla = ns_msg(v6(2), &lladdr_opt(1, MAC_C));
    expect_error!(
        parse(&hand_ns(
            Ipv6Addr::UNSPECIFIED,
            solicited_node(v6(2)),
            with_slla
        )),
        Error::NdpUnspecifiedSource
    )?;
    expect_error!(
        parse(&hand_ns(Ipv6Addr::UNSPECIFIED, v6(2), ns_msg(v6(2), &[]))),
        Error::NdpUnspecifiedSource
    )
}

/// RFC 4861 §7.1.2: "If the IP Destination Address is a multicast address
/// the Solicited flag is zero."
fn solicited_to_multicast() -> Checked {
    let m = na_msg(0x60, v6(3), &lladdr_opt(2, MAC_C));
    let f = icmpv6_frame(
        (MacAddr::ipv6_multicast(ALL_NODES), MAC_C),
        (v6(3), ALL_NODES),
        255,
        m,
    );
    expect_error!(parse(&f), Error::NdpSolicitedMulticast)
}

/// RFC 4291 §2.7.1: FF02:0:0:0:0:1:FF00::/104 and the low 24 bits; its
/// example and the kernel's DAD destination.
fn solicited_node_address() -> Checked {
    let a: Ipv6Addr = "4037::01:800:200E:8C6C".parse().expect("valid");
    check::equal(
        "RFC 4291 example",
        solicited_node(a),
        "FF02::1:FF0E:8C6C".parse().expect("valid"),
    )?;
    let dad = unhex(LINUX_DAD_NS);
    let dst = Ipv6Addr::from(<[u8; 16]>::try_from(&dad[38..54]).expect("16 bytes"));
    check::equal("the kernel's DAD destination", solicited_node(v6(2)), dst)
}

/// A cache whose address is preferred already (DAD off).
fn node(mac: MacAddr, addr: Ipv6Addr) -> NeighborCache {
    // MLD off: these cases count ND frames; `link.mld.*` has the Reports.
    let mut c = NeighborCache::new(NdpConfig::new(mac).dup_addr_detect_transmits(0).mld(false));
    c.add_address(at(0), addr, Duration::ZERO);
    c
}

/// An IPv6 packet with no next header (59), `src` to `dst`, one payload byte.
fn packet(src: Ipv6Addr, dst: Ipv6Addr, tag: u8) -> Vec<u8> {
    ipv6(src, dst, 59, 64, &[tag])
}

fn err(e: Error) -> String {
    e.to_string()
}

/// Resolving 2001:db8::2 from 2001:db8::1 we send exactly the kernel's NS
/// (RFC 4861 §7.2.2: to the solicited-node address, our address as source,
/// our link-layer address in the option).
fn ns_matches_linux() -> Checked {
    let mut a = node(MAC_A, v6(1));
    a.send(at(0), v6(2), packet(v6(1), v6(2), 0)).map_err(err)?;
    let out = drain(|| a.poll_transmit(at(0)));
    check::equal("frames", out.len(), 1)?;
    check::hex("NS", &out[0], LINUX_NS)?;
    check::equal("state", a.state(v6(2)), Some(NeighborState::Incomplete))
}

/// RFC 4861 §7.2.4: the kernel's NS gets byte for byte the kernel's NA
/// (unicast back, Solicited and Override set, our link-layer address), and
/// §7.2.3: the solicitor is cached STALE.
fn na_matches_linux() -> Checked {
    let mut b = node(MAC_B, v6(2));
    b.handle_frame(at(0), &unhex(LINUX_NS)).map_err(err)?;
    let out = drain(|| b.poll_transmit(at(0)));
    check::equal("frames", out.len(), 1)?;
    check::hex("NA", &out[0], LINUX_NA)?;
    check::equal(
        "solicitor",
        (b.state(v6(1)), b.lookup(v6(1))),
        (Some(NeighborState::Stale), Some(MAC_A)),
    )
}

/// A cache that resolved 2001:db8::2 at time 0 from the kernel's NA.
fn resolved() -> Result<NeighborCache, String> {
    let mut a = node(MAC_A, v6(1));
    a.send(at(0), v6(2), packet(v6(1), v6(2), 7)).map_err(err)?;
    drain(|| a.poll_transmit(at(0)));
    a.handle_frame(at(0), &unhex(LINUX_NA)).map_err(err)?;
    Ok(a)
}

/// RFC 4861 §7.2.5: a solicited NA for an INCOMPLETE entry records the
/// address, makes it REACHABLE, and the queued packet goes out.
fn resolution_reachable() -> Checked {
    let mut a = resolved()?;
    check::equal("state", a.state(v6(2)), Some(NeighborState::Reachable))?;
    check::equal(
        "event",
        a.poll_event(),
        Some(NdpEvent::Resolved {
            addr: v6(2),
            mac: MAC_B,
        }),
    )?;
    let out = drain(|| a.poll_transmit(at(0)));
    let want = [eth(MAC_B, MAC_A, 0x86dd), packet(v6(1), v6(2), 7)].concat();
    check::equal("queued packet", out, vec![want])
}

/// RFC 4861 §7.2.2, §10: MAX_MULTICAST_SOLICIT (3) solicitations
/// RETRANS_TIMER (1 s) apart, then the entry is deleted with its packets.
fn resolution_fails() -> Checked {
    let mut a = node(MAC_A, v6(1));
    a.send(at(0), v6(2), packet(v6(1), v6(2), 0)).map_err(err)?;
    let mut sent = vec![(0, drain(|| a.poll_transmit(at(0))))];
    for s in [1000, 2000] {
        check::equal("timer", a.poll_timeout(), Some(at(s)))?;
        a.handle_timeout(at(s));
        sent.push((s, drain(|| a.poll_transmit(at(s)))));
    }
    for (s, frames) in &sent {
        let nd = frames.first().and_then(|f| read_nd(f));
        check::equal("one frame", frames.len(), 1)?;
        check::equal(
            &format!("NS at {s} ms"),
            nd.map(|n| (n.eth_dst, n.ip_dst, n.icmp_type, n.target)),
            Some((
                MacAddr([0x33, 0x33, 0xff, 0, 0, 2]),
                solicited_node(v6(2)),
                135,
                v6(2),
            )),
        )?;
    }
    check::equal("timer", a.poll_timeout(), Some(at(3000)))?;
    a.handle_timeout(at(3000));
    check::equal("no fourth NS", drain(|| a.poll_transmit(at(3000))).len(), 0)?;
    check::equal(
        "event",
        a.poll_event(),
        Some(NdpEvent::Failed {
            addr: v6(2),
            dropped: 1,
        }),
    )?;
    check::equal("entry", a.state(v6(2)), None)
}

/// RFC 4861 §7.3.3 with §10's constants on a simulated clock: REACHABLE
/// for REACHABLE_TIME (30 s) -> STALE; a packet sent -> DELAY for
/// DELAY_FIRST_PROBE_TIME (5 s) -> PROBE: MAX_UNICAST_SOLICIT (3) unicast
/// NS, RETRANS_TIMER (1 s) apart -> deleted one RETRANS_TIMER after the last.
fn nud_stale_delay_probe_failed() -> Checked {
    let mut a = resolved()?;
    drain(|| a.poll_transmit(at(0)));
    check::equal(
        "event",
        a.poll_event(),
        Some(NdpEvent::Resolved {
            addr: v6(2),
            mac: MAC_B,
        }),
    )?;
    check::equal("REACHABLE timer", a.poll_timeout(), Some(at(30_000)))?;
    a.handle_timeout(at(29_999));
    check::equal(
        "at 29.999 s",
        a.state(v6(2)),
        Some(NeighborState::Reachable),
    )?;
    a.handle_timeout(at(30_000));
    check::equal("at 30 s", a.state(v6(2)), Some(NeighborState::Stale))?;
    check::equal("STALE has no timer", a.poll_timeout(), None)?;
    a.send(at(40_000), v6(2), packet(v6(1), v6(2), 1))
        .map_err(err)?;
    check::equal(
        "sent at once while STALE",
        drain(|| a.poll_transmit(at(40_000))).len(),
        1,
    )?;
    check::equal("after sending", a.state(v6(2)), Some(NeighborState::Delay))?;
    check::equal("DELAY timer", a.poll_timeout(), Some(at(45_000)))?;
    for (i, ms) in [45_000u64, 46_000, 47_000].into_iter().enumerate() {
        check::equal("timer", a.poll_timeout(), Some(at(ms)))?;
        a.handle_timeout(at(ms));
        check::equal("state", a.state(v6(2)), Some(NeighborState::Probe))?;
        let out = drain(|| a.poll_transmit(at(ms)));
        let nd = out.first().and_then(|f| read_nd(f));
        check::equal(
            &format!("probe {} at {ms} ms", i + 1),
            nd.map(|n| {
                (
                    n.eth_dst,
                    n.ip_src,
                    n.ip_dst,
                    n.hop_limit,
                    n.icmp_type,
                    n.target,
                )
            }),
            Some((MAC_B, v6(1), v6(2), 255, 135, v6(2))),
        )?;
    }
    check::equal("timer", a.poll_timeout(), Some(at(48_000)))?;
    a.handle_timeout(at(48_000));
    check::equal(
        "no fourth probe",
        drain(|| a.poll_transmit(at(48_000))).len(),
        0,
    )?;
    check::equal(
        "event",
        a.poll_event(),
        Some(NdpEvent::Failed {
            addr: v6(2),
            dropped: 0,
        }),
    )?;
    check::equal("entry", a.state(v6(2)), None)
}

/// RFC 4861 §6.3.2: ReachableTime is BaseReachableTime times a random
/// factor in [0.5, 1.5] (here the caller's), clamped to that range.
fn reachable_time_random_factor() -> Checked {
    for (permille, stale_at) in [
        (500u16, 15_000u64),
        (1500, 45_000),
        (2000, 45_000),
        (100, 15_000),
    ] {
        let mut a = resolved()?;
        a.set_random_factor(permille);
        a.confirm_reachable(at(0), v6(2));
        check::equal(
            &format!("timer with factor {permille}"),
            a.poll_timeout(),
            Some(at(stale_at)),
        )?;
    }
    Ok(())
}

/// RFC 4861 §7.3.1, §7.3.3: upper-layer confirmation in DELAY makes the
/// entry REACHABLE, and no probe is sent.
fn delay_confirmed() -> Checked {
    let mut a = resolved()?;
    a.handle_timeout(at(30_000));
    a.send(at(31_000), v6(2), packet(v6(1), v6(2), 1))
        .map_err(err)?;
    drain(|| a.poll_transmit(at(31_000)));
    a.confirm_reachable(at(33_000), v6(2));
    a.handle_timeout(at(36_000));
    check::equal("state", a.state(v6(2)), Some(NeighborState::Reachable))?;
    check::equal("probes", drain(|| a.poll_transmit(at(36_000))).len(), 0)
}

fn na_from(flags: u8, lladdr: Option<MacAddr>) -> Vec<u8> {
    let opt = lladdr.map(|m| lladdr_opt(2, m)).unwrap_or_default();
    icmpv6_frame(
        (MAC_A, MAC_C),
        (v6(2), v6(1)),
        255,
        na_msg(flags, v6(2), &opt),
    )
}

/// RFC 4861 §7.2.5: Override clear and a different address: REACHABLE
/// becomes STALE without taking it, otherwise ignored; Override set takes
/// it (STALE unless Solicited); Solicited makes REACHABLE.
fn na_override_rules() -> Checked {
    let mut a = resolved()?;
    a.handle_frame(at(1), &na_from(0x40, Some(MAC_C)))
        .map_err(err)?;
    check::equal(
        "O=0 on REACHABLE",
        (a.state(v6(2)), a.lookup(v6(2))),
        (Some(NeighborState::Stale), Some(MAC_B)),
    )?;
    a.handle_frame(at(2), &na_from(0x40, Some(MAC_C)))
        .map_err(err)?;
    check::equal(
        "O=0 on STALE",
        (a.state(v6(2)), a.lookup(v6(2))),
        (Some(NeighborState::Stale), Some(MAC_B)),
    )?;
    a.confirm_reachable(at(3), v6(2));
    a.handle_frame(at(4), &na_from(0x20, Some(MAC_C)))
        .map_err(err)?;
    check::equal(
        "O=1 S=0 new address",
        (a.state(v6(2)), a.lookup(v6(2))),
        (Some(NeighborState::Stale), Some(MAC_C)),
    )?;
    a.handle_frame(at(5), &na_from(0x40, None)).map_err(err)?;
    check::equal(
        "S=1 without option",
        (a.state(v6(2)), a.lookup(v6(2))),
        (Some(NeighborState::Reachable), Some(MAC_C)),
    )
}

/// RFC 4861 §7.2.5: "If no entry exists, the advertisement SHOULD be
/// silently discarded" -- a thousand unsolicited NAs create nothing.
fn unsolicited_na_ignored() -> Checked {
    let mut a = node(MAC_A, v6(1));
    for i in 0..1000u16 {
        let f = icmpv6_frame(
            (MAC_A, MAC_C),
            (v6(i + 100), v6(1)),
            255,
            na_msg(0x20, v6(i + 100), &lladdr_opt(2, MAC_C)),
        );
        a.handle_frame(at(i.into()), &f).map_err(err)?;
    }
    check::equal("entries", a.len(), 0)
}

/// RFC 4861 §7.2.5: an NA without a target link-layer option leaves an
/// INCOMPLETE entry INCOMPLETE.
fn incomplete_needs_tlla() -> Checked {
    let mut a = node(MAC_A, v6(1));
    a.send(at(0), v6(2), packet(v6(1), v6(2), 0)).map_err(err)?;
    a.handle_frame(at(1), &na_from(0x60, None)).map_err(err)?;
    check::equal("state", a.state(v6(2)), Some(NeighborState::Incomplete))
}

/// RFC 4861 §7.2.3: an NS with a source link-layer option creates a STALE
/// entry, and a different address in it makes an existing entry STALE
/// with the new address.
fn ns_updates_cache() -> Checked {
    let mut a = resolved()?;
    let ns = icmpv6_frame(
        (MAC_A, MAC_C),
        (v6(2), v6(1)),
        255,
        ns_msg(v6(1), &lladdr_opt(1, MAC_C)),
    );
    a.handle_frame(at(1), &ns).map_err(err)?;
    check::equal(
        "changed address",
        (a.state(v6(2)), a.lookup(v6(2))),
        (Some(NeighborState::Stale), Some(MAC_C)),
    )?;
    let out = drain(|| a.poll_transmit(at(1)));
    let nd = out.last().and_then(|f| read_nd(f));
    check::equal(
        "NA to the solicitor",
        nd.map(|n| (n.eth_dst, n.ip_dst, n.icmp_type, n.flags)),
        Some((MAC_C, v6(2), 136, 0x60)),
    )
}

/// RFC 4861 §7.2.3: an NS whose target is not ours gets nothing.
fn ns_other_target_ignored() -> Checked {
    let mut a = node(MAC_A, v6(1));
    let ns = hand_ns(
        v6(3),
        solicited_node(v6(9)),
        ns_msg(v6(9), &lladdr_opt(1, MAC_C)),
    );
    a.handle_frame(at(0), &ns).map_err(err)?;
    check::equal("frames", drain(|| a.poll_transmit(at(0))).len(), 0)?;
    check::equal("entries", a.len(), 0)
}

/// RFC 4861 §7.1.1: an invalid NS (hop limit 254) is discarded: an error,
/// no entry, no answer.
fn invalid_changes_nothing() -> Checked {
    let mut b = node(MAC_B, v6(2));
    let mut ns = unhex(LINUX_NS);
    ns[21] = 254;
    expect_error!(b.handle_frame(at(0), &ns), Error::NdpHopLimit(254))?;
    check::equal("frames", drain(|| b.poll_transmit(at(0))).len(), 0)?;
    check::equal("entries", b.len(), 0)
}

/// RFC 4861 §7.2.4: an NS from the unspecified address (someone's DAD for
/// our preferred address) is answered to all-nodes with Solicited clear.
fn defends_preferred() -> Checked {
    let mut b = node(MAC_A, v6(2));
    b.handle_frame(at(0), &unhex(LINUX_DAD_NS)).map_err(err)?;
    let out = drain(|| b.poll_transmit(at(0)));
    let nd = out.first().and_then(|f| read_nd(f));
    check::equal(
        "NA",
        nd.map(|n| {
            (
                n.eth_dst,
                n.ip_src,
                n.ip_dst,
                n.icmp_type,
                n.flags,
                n.target,
                n.options,
            )
        }),
        Some((
            MacAddr([0x33, 0x33, 0, 0, 0, 1]),
            v6(2),
            ALL_NODES,
            136,
            0x20,
            v6(2),
            lladdr_opt(2, MAC_A),
        )),
    )
}

fn tentative(transmits: u32, delay_ms: u64) -> NeighborCache {
    // MLD off, as in `node`.
    let mut c = NeighborCache::new(
        NdpConfig::new(MAC_A)
            .dup_addr_detect_transmits(transmits)
            .mld(false),
    );
    c.add_address(at(0), v6(2), Duration::from_millis(delay_ms));
    c
}

/// RFC 4862 §5.4.2: after the caller's random delay, DupAddrDetectTransmits
/// NS RetransTimer apart, from the unspecified address to the
/// solicited-node address, without a source link-layer option (RFC 4861
/// §4.3); the address is preferred RetransTimer after the last.
fn dad_probes() -> Checked {
    let mut c = tentative(2, 300);
    c.handle_timeout(at(0));
    check::equal(
        "before the delay",
        drain(|| c.poll_transmit(at(0))).len(),
        0,
    )?;
    for ms in [300u64, 1300] {
        check::equal("timer", c.poll_timeout(), Some(at(ms)))?;
        c.handle_timeout(at(ms));
        let out = drain(|| c.poll_transmit(at(ms)));
        let nd = out.first().and_then(|f| read_nd(f));
        check::equal(
            &format!("DAD NS at {ms} ms"),
            nd.map(|n| {
                (
                    n.eth_dst,
                    n.ip_src,
                    n.ip_dst,
                    n.hop_limit,
                    n.icmp_type,
                    n.target,
                    n.options,
                )
            }),
            Some((
                MacAddr([0x33, 0x33, 0xff, 0, 0, 2]),
                Ipv6Addr::UNSPECIFIED,
                solicited_node(v6(2)),
                255,
                135,
                v6(2),
                vec![],
            )),
        )?;
        check::equal("state", c.address_state(v6(2)), Some(AddrState::Tentative))?;
    }
    c.handle_timeout(at(2300));
    check::equal("state", c.address_state(v6(2)), Some(AddrState::Preferred))?;
    check::equal("event", c.poll_event(), Some(NdpEvent::DadSucceeded(v6(2))))
}

/// RFC 4862 §5.4.3: an NS for a tentative address from a unicast source
/// is address resolution and is silently ignored: no NA for an address
/// not yet ours, and it stays tentative.
fn dad_tentative_silent() -> Checked {
    let mut c = tentative(1, 0);
    c.handle_timeout(at(0));
    drain(|| c.poll_transmit(at(0)));
    c.handle_frame(at(100), &unhex(LINUX_NS)).map_err(err)?;
    check::equal("frames", drain(|| c.poll_transmit(at(100))).len(), 0)?;
    check::equal("state", c.address_state(v6(2)), Some(AddrState::Tentative))
}

/// RFC 4862 §5.4.4: an NA for the tentative address: a duplicate, never used.
fn dad_conflict_na() -> Checked {
    let mut c = tentative(1, 0);
    c.handle_timeout(at(0));
    let na = icmpv6_frame(
        (MacAddr::ipv6_multicast(ALL_NODES), MAC_B),
        (v6(2), ALL_NODES),
        255,
        na_msg(0x20, v6(2), &lladdr_opt(2, MAC_B)),
    );
    c.handle_frame(at(500), &na).map_err(err)?;
    check::equal("state", c.address_state(v6(2)), Some(AddrState::Duplicate))?;
    check::equal("event", c.poll_event(), Some(NdpEvent::DadFailed(v6(2))))?;
    c.handle_timeout(at(5000));
    check::equal(
        "still duplicate",
        c.address_state(v6(2)),
        Some(AddrState::Duplicate),
    )
}

/// RFC 4862 §5.4.3: another node's DAD NS (the kernel's, from ::) for our
/// tentative address: a duplicate.
fn dad_conflict_ns() -> Checked {
    let mut c = tentative(1, 0);
    c.handle_timeout(at(0));
    c.handle_frame(at(500), &unhex(LINUX_DAD_NS)).map_err(err)?;
    check::equal("state", c.address_state(v6(2)), Some(AddrState::Duplicate))?;
    check::equal("event", c.poll_event(), Some(NdpEvent::DadFailed(v6(2))))
}

fn arb_nd() -> impl Strategy<Value = NdpRepr> {
    (
        any::<(bool, bool, bool, bool)>(),
        any::<[u8; 16]>(),
        proptest::option::of(any::<[u8; 6]>()),
    )
        .prop_map(|((ns, r, s, o), mut t, ll)| {
            t[0] &= 0xfe; // never 0xff: not multicast
            let (target_addr, ll) = (Ipv6Addr::from(t), ll.map(MacAddr));
            if ns {
                NdpRepr::NeighborSolicit {
                    target_addr,
                    source_lladdr: ll,
                }
            } else {
                NdpRepr::NeighborAdvert {
                    flags: NaFlags {
                        router: r,
                        solicited: s,
                        override_: o,
                    },
                    target_addr,
                    target_lladdr: ll,
                }
            }
        })
}

fn roundtrip(ctx: &mut Ctx) -> Outcome {
    check_property(ctx, (arb_nd(), any::<[u8; 16]>()), |(r, src)| {
        let src = Ipv6Addr::from(src);
        let (src, dst) = (if src.is_unspecified() { v6(1) } else { src }, v6(2));
        let mut b = [0u8; 32];
        let n = r
            .emit(&mut b, src, dst)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            NdpRepr::parse(&b[..n], src, dst, 255, ChecksumMode::Verify),
            Ok(r)
        );
        Ok(())
    })
}

fn arbitrary_bytes(ctx: &mut Ctx) -> Outcome {
    check_property(
        ctx,
        (
            proptest::collection::vec(any::<u8>(), 0..120),
            any::<bool>(),
        ),
        |(b, framed)| {
            let _ = NdpRepr::parse(
                &b,
                Ipv6Addr::UNSPECIFIED,
                solicited_node(v6(2)),
                255,
                ChecksumMode::Ignore,
            );
            let mut c = node(MAC_A, v6(2));
            let f = if framed {
                [eth(MAC_A, MAC_C, 0x86dd), b].concat()
            } else {
                b
            };
            let _ = c.handle_frame(at(0), &f);
            prop_assert!(c.len() <= 1);
            Ok(())
        },
    )
}

/// Random NS and NA we emit, in IPv6 with hop limit 255 in Ethernet, that
/// tshark must read back with a good ICMPv6 checksum, none malformed.
fn tshark_dissects(ctx: &mut Ctx) -> Outcome {
    let mut rng = ctx.rng();
    let mut packets = Vec::with_capacity(PACKETS);
    for _ in 0..PACKETS {
        let mut t: [u8; 16] = rng.gen();
        t[0] &= 0xfe;
        let target = Ipv6Addr::from(t);
        let src = Ipv6Addr::from(rng.gen::<u128>() | 1);
        let dst = if rng.gen() {
            solicited_node(target)
        } else {
            Ipv6Addr::from(rng.gen::<u128>() & !(0xff << 120))
        };
        let mac = MacAddr([
            rng.gen::<u8>() & 0xfe,
            rng.gen(),
            rng.gen(),
            rng.gen(),
            rng.gen(),
            rng.gen(),
        ]);
        let ll = rng.gen_bool(0.8).then_some(mac);
        let ns = rng.gen_bool(0.5);
        let flags = NaFlags {
            router: rng.gen(),
            solicited: rng.gen() && !dst.is_multicast(),
            override_: rng.gen(),
        };
        let r = if ns {
            NdpRepr::NeighborSolicit {
                target_addr: target,
                source_lladdr: ll,
            }
        } else {
            NdpRepr::NeighborAdvert {
                flags,
                target_addr: target,
                target_lladdr: ll,
            }
        };
        let mut msg = vec![0u8; r.buffer_len()];
        if let Err(e) = r.emit(&mut msg, src, dst) {
            return Outcome::Fail(e.to_string());
        }
        let mut bytes = eth(MacAddr::ipv6_multicast(dst), mac, 0x86dd);
        bytes.extend_from_slice(&ipv6(src, dst, 58, 255, &msg));
        let ll_text = ll.map(|m| m.to_string()).unwrap_or_default();
        let mut expect = vec![
            ("ipv6.hlim", "255".to_string()),
            ("icmpv6.type", if ns { "135" } else { "136" }.to_string()),
            ("icmpv6.checksum.status", "1".into()),
            ("icmpv6.opt.linkaddr", ll_text),
        ];
        if ns {
            expect.push(("icmpv6.nd.ns.target_address", target.to_string()));
        } else {
            expect.push(("icmpv6.nd.na.target_address", target.to_string()));
            expect.push(("icmpv6.nd.na.flag.r", u8::from(flags.router).to_string()));
            expect.push(("icmpv6.nd.na.flag.s", u8::from(flags.solicited).to_string()));
            expect.push(("icmpv6.nd.na.flag.o", u8::from(flags.override_).to_string()));
        }
        packets.push(Emitted { bytes, expect });
    }
    compare_frames(ctx, "ndp.pcap", &packets)
}

/// The `link.ndp.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Vector,
        &[
            (Must, "link.ndp.linux-ns", "RFC 4861 §4.3, §4.6.1", linux_ns),
            (Must, "link.ndp.linux-na", "RFC 4861 §4.4, §4.6.1", linux_na),
            (
                Must,
                "link.ndp.linux-dad-ns-unknown-option",
                "RFC 4861 §4.6; RFC 4862 §5.4.2",
                linux_dad_ns,
            ),
            (
                Must,
                "link.ndp.hop-limit-255",
                "RFC 4861 §7.1.1, §7.1.2",
                hop_limit_255,
            ),
            (
                Must,
                "link.ndp.bad-checksum",
                "RFC 4861 §7.1.1; RFC 4443 §2.3",
                bad_checksum,
            ),
            (
                Must,
                "link.ndp.code-nonzero",
                "RFC 4861 §7.1.1",
                code_nonzero,
            ),
            (
                Must,
                "link.ndp.short-message",
                "RFC 4861 §7.1.1",
                short_message,
            ),
            (
                Must,
                "link.ndp.option-length-zero",
                "RFC 4861 §4.6, §7.1.1",
                option_length_zero,
            ),
            (
                Must,
                "link.ndp.multicast-target",
                "RFC 4861 §7.1.1",
                multicast_target,
            ),
            (
                Must,
                "link.ndp.unspecified-source-rules",
                "RFC 4861 §7.1.1",
                unspecified_source,
            ),
            (
                Must,
                "link.ndp.solicited-na-to-multicast",
                "RFC 4861 §7.1.2",
                solicited_to_multicast,
            ),
            (
                Must,
                "link.ndp.solicited-node-address",
                "RFC 4291 §2.7.1",
                solicited_node_address,
            ),
        ],
    );
    all.extend(Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "link.ndp.ns-matches-linux",
                "RFC 4861 §7.2.2",
                ns_matches_linux,
            ),
            (
                Must,
                "link.ndp.na-matches-linux",
                "RFC 4861 §7.2.3, §7.2.4",
                na_matches_linux,
            ),
            (
                Must,
                "link.ndp.resolution-reachable",
                "RFC 4861 §7.2.5",
                resolution_reachable,
            ),
            (
                Must,
                "link.ndp.resolution-fails-after-3",
                "RFC 4861 §7.2.2, §10",
                resolution_fails,
            ),
            (
                Must,
                "link.ndp.nud-stale-delay-probe-failed",
                "RFC 4861 §7.3.3, §10",
                nud_stale_delay_probe_failed,
            ),
            (
                Must,
                "link.ndp.reachable-time-random-factor",
                "RFC 4861 §6.3.2, §10",
                reachable_time_random_factor,
            ),
            (
                Should,
                "link.ndp.delay-confirmed-no-probe",
                "RFC 4861 §7.3.1, §7.3.3",
                delay_confirmed,
            ),
            (
                Must,
                "link.ndp.na-override-rules",
                "RFC 4861 §7.2.5",
                na_override_rules,
            ),
            (
                Should,
                "link.ndp.unsolicited-na-ignored",
                "RFC 4861 §7.2.5",
                unsolicited_na_ignored,
            ),
            (
                Must,
                "link.ndp.incomplete-needs-tlla",
                "RFC 4861 §7.2.5",
                incomplete_needs_tlla,
            ),
            (
                Must,
                "link.ndp.ns-updates-cache",
                "RFC 4861 §7.2.3, §7.2.4",
                ns_updates_cache,
            ),
            (
                Must,
                "link.ndp.ns-other-target-ignored",
                "RFC 4861 §7.2.3",
                ns_other_target_ignored,
            ),
            (
                Must,
                "link.ndp.invalid-changes-nothing",
                "RFC 4861 §7.1.1",
                invalid_changes_nothing,
            ),
            (
                Must,
                "link.ndp.defends-preferred",
                "RFC 4861 §7.2.4",
                defends_preferred,
            ),
            (
                Must,
                "link.ndp.dad-probes",
                "RFC 4862 §5.4.2; RFC 4861 §4.3",
                dad_probes,
            ),
            (
                Must,
                "link.ndp.dad-tentative-silent",
                "RFC 4862 §5.4.3",
                dad_tentative_silent,
            ),
            (
                Must,
                "link.ndp.dad-conflict-na",
                "RFC 4862 §5.4.4, §5.4.5",
                dad_conflict_na,
            ),
            (
                Must,
                "link.ndp.dad-conflict-ns",
                "RFC 4862 §5.4.3, §5.4.5",
                dad_conflict_ns,
            ),
        ],
    ));
    all.push(Case::must("link.ndp.roundtrip", "RFC 4861 §4.3, §4.4, §4.6.1").property(roundtrip));
    all.push(Case::must("link.ndp.arbitrary-bytes", "RFC 4861 §7.1").property(arbitrary_bytes));
    all.push(
        Case::must(
            "link.ndp.tshark-dissects",
            "RFC 4861 §4.3, §4.4; RFC 4443 §2.3",
        )
        .needs(&[tshark::NEED])
        .interop_peer(tshark_dissects),
    );
    all
}
