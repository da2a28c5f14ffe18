//! `link.eth.*`: Ethernet II framing (RFC 894, RFC 2464, IEEE 802.3 §3.2.6,
//! IEEE 802.1Q tags).

use super::support::*;
use crate::check::{self, unhex, Checked};
use crate::expect_error;
use crate::{check_property, Case, Kind, Level::Must, Outcome};
use handshake_link::{Error, EtherType, EthernetFrame, EthernetRepr, MacAddr};
use proptest::prelude::*;

/// The kernel's ARP request frame: broadcast to ff:ff:ff:ff:ff:ff from
/// va's MAC, EtherType 0x0806, 28 bytes of ARP.
fn linux_arp_frame() -> Checked {
    let b = unhex(LINUX_ARP_REQUEST);
    let f = EthernetFrame::new_checked(&b[..]).map_err(|e| e.to_string())?;
    check::equal("destination", f.dst_addr(), MacAddr::BROADCAST)?;
    check::equal("source", f.src_addr(), MAC_A)?;
    check::equal("EtherType", f.ethertype(), EtherType(0x0806))?;
    check::equal("payload length", f.payload().len(), 28)?;
    check::equal("VLAN tags", f.vlan_tags(), 0)
}

/// RFC 2464 §3: IPv6 is EtherType 0x86DD; the kernel's NS frame.
fn ipv6_ethertype() -> Checked {
    let b = unhex(LINUX_NS);
    let f = EthernetFrame::new_checked(&b[..]).map_err(|e| e.to_string())?;
    check::equal("EtherType", f.ethertype(), EtherType(0x86dd))?;
    check::equal("IPv6 version nibble", f.payload()[0] >> 4, 6)
}

/// The kernel's request with `tags` inserted after the source address.
fn tagged(tags: &[[u8; 4]]) -> Vec<u8> {
    let b = unhex(LINUX_ARP_REQUEST);
    let mut t = b[..12].to_vec();
    tags.iter().for_each(|tag| t.extend_from_slice(tag));
    t.extend_from_slice(&b[12..]);
    t
}

/// IEEE 802.1Q §9.6: TPID 0x8100 and a TCI (PCP 3, VID 0x123) before the
/// EtherType: skipped, the type and payload are those of the untagged frame.
fn vlan_skipped() -> Checked {
    let t = tagged(&[[0x81, 0x00, 0x61, 0x23]]);
    let f = EthernetFrame::new_checked(&t[..]).map_err(|e| e.to_string())?;
    check::equal("EtherType after the tag", f.ethertype(), EtherType::ARP)?;
    check::equal("VLAN id", f.vlan_id(), Some(0x123))?;
    check::equal("payload", f.payload(), &unhex(LINUX_ARP_REQUEST)[14..])
}

/// IEEE 802.1ad: an S-tag (0x88a8) then a C-tag (0x8100), both skipped.
fn qinq_skipped() -> Checked {
    let t = tagged(&[[0x88, 0xa8, 0x00, 0x0a], [0x81, 0x00, 0x00, 0x14]]);
    let f = EthernetFrame::new_checked(&t[..]).map_err(|e| e.to_string())?;
    check::equal("EtherType", f.ethertype(), EtherType::ARP)?;
    check::equal("tags", f.vlan_tags(), 2)?;
    check::equal("outer VLAN id", f.vlan_id(), Some(10))?;
    check::equal("header length", f.header_len(), 22)
}

/// Three stacked tags are more than the two this parser skips: an error,
/// not an unbounded walk.
fn too_many_tags() -> Checked {
    let t = tagged(&[[0x81, 0, 0, 1], [0x81, 0, 0, 2], [0x81, 0, 0, 3]]);
    expect_error!(
        EthernetFrame::new_checked(&t[..]),
        Error::TooManyVlanTags(2)
    )
}

/// A tag whose EtherType is cut off is a truncation.
fn tag_truncated() -> Checked {
    let t = tagged(&[[0x81, 0, 0, 1]]);
    expect_error!(
        EthernetFrame::new_checked(&t[..16]),
        Error::Truncated { need: 18, .. }
    )
}

/// IEEE 802.3 §3.2.6: a type/length value of 1500 or below is a length (an
/// 802.3/LLC frame), not an Ethernet II EtherType.
fn length_not_type() -> Checked {
    let mut b = unhex(LINUX_ARP_REQUEST);
    b[12..14].copy_from_slice(&[0x00, 0x2e]);
    expect_error!(
        EthernetFrame::new_checked(&b[..]),
        Error::NotEthernetII(0x2e)
    )
}

/// Thirteen bytes are no Ethernet header.
fn truncated() -> Checked {
    let b = unhex(LINUX_ARP_REQUEST);
    expect_error!(
        EthernetFrame::new_checked(&b[..13]),
        Error::Truncated {
            need: 14,
            have: 13,
            ..
        }
    )
}

/// RFC 2464 §7: an IPv6 multicast address maps to 33:33 and its last four
/// octets; the kernel's NS went to 33:33:ff:00:00:02 for ff02::1:ff00:2.
fn ipv6_multicast_mac() -> Checked {
    let b = unhex(LINUX_NS);
    let group = "ff02::1:ff00:2".parse().expect("valid");
    check::equal(
        "33:33 mapping",
        MacAddr::ipv6_multicast(group).0.to_vec(),
        b[..6].to_vec(),
    )?;
    let all = "ff02::1".parse().expect("valid");
    check::equal(
        "all-nodes",
        MacAddr::ipv6_multicast(all),
        MacAddr([0x33, 0x33, 0, 0, 0, 1]),
    )
}

/// Emitting the kernel frame's header gives its first 14 bytes.
fn emit_matches_linux() -> Checked {
    let b = unhex(LINUX_ARP_REPLY);
    let r = EthernetRepr {
        dst_addr: MAC_A,
        src_addr: MAC_B,
        ethertype: EtherType::ARP,
    };
    let mut out = [0u8; 14];
    r.emit(&mut out).map_err(|e| e.to_string())?;
    check::equal("header", &out[..], &b[..14])
}

fn roundtrip(ctx: &mut crate::Ctx) -> Outcome {
    check_property(
        ctx,
        (any::<[u8; 6]>(), any::<[u8; 6]>(), 0x0600u16..),
        |(d, s, t)| {
            prop_assume!(t != 0x8100 && t != 0x88a8);
            let r = EthernetRepr {
                dst_addr: MacAddr(d),
                src_addr: MacAddr(s),
                ethertype: EtherType(t),
            };
            let mut b = [0u8; 14];
            r.emit(&mut b)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let f = EthernetFrame::new_checked(&b[..])
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(EthernetRepr::parse(&f), r);
            Ok(())
        },
    )
}

fn arbitrary_bytes(ctx: &mut crate::Ctx) -> Outcome {
    check_property(ctx, proptest::collection::vec(any::<u8>(), 0..64), |b| {
        if let Ok(f) = EthernetFrame::new_checked(&b[..]) {
            prop_assert!(f.header_len() + f.payload().len() == b.len());
            prop_assert!(f.vlan_tags() <= 2);
            let _ = EthernetRepr::parse(&f);
        }
        Ok(())
    })
}

/// The `link.eth.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "link.eth.linux-arp-frame",
                "RFC 826; RFC 894",
                linux_arp_frame,
            ),
            (
                Must,
                "link.eth.ipv6-ethertype",
                "RFC 2464 §3",
                ipv6_ethertype,
            ),
            (
                Must,
                "link.eth.vlan-tag-skipped",
                "IEEE 802.1Q §9.6",
                vlan_skipped,
            ),
            (
                Must,
                "link.eth.qinq-tags-skipped",
                "IEEE 802.1Q §9.6 (802.1ad S-tag)",
                qinq_skipped,
            ),
            (
                Must,
                "link.eth.too-many-tags",
                "IEEE 802.1Q §9.6",
                too_many_tags,
            ),
            (
                Must,
                "link.eth.tag-truncated",
                "IEEE 802.1Q §9.6",
                tag_truncated,
            ),
            (
                Must,
                "link.eth.length-not-ethertype",
                "IEEE 802.3 §3.2.6; RFC 894",
                length_not_type,
            ),
            (
                Must,
                "link.eth.truncated",
                "RFC 894; IEEE 802.3 §3.2.6",
                truncated,
            ),
            (
                Must,
                "link.eth.ipv6-multicast-mac",
                "RFC 2464 §7",
                ipv6_multicast_mac,
            ),
            (
                Must,
                "link.eth.emit-matches-linux",
                "RFC 894; RFC 826",
                emit_matches_linux,
            ),
        ],
    );
    all.push(Case::must("link.eth.roundtrip", "RFC 894; RFC 2464 §3").property(roundtrip));
    all.push(
        Case::must("link.eth.arbitrary-bytes", "RFC 894; IEEE 802.3 §3.2.6")
            .property(arbitrary_bytes),
    );
    all
}
