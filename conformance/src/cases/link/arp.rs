//! `link.arp.*`: ARP for IPv4 over Ethernet (RFC 826) and the cache's rules
//! (RFC 1122 §2.3.2, RFC 5227 §2.4, RFC 1812 §3.3.2).

use super::support::*;
use crate::cases::support::{compare_frames, Emitted, PACKETS};
use crate::check::{self, unhex, Checked};
use crate::expect_error;
use crate::peers::tshark;
use crate::{check_property, Case, Ctx, Kind, Level::Must, Level::Should, Outcome};
use handshake_link::{
    ArpCache, ArpConfig, ArpEvent, ArpOperation, ArpPacket, ArpRepr, Error, EthernetFrame, MacAddr,
};
use handshake_time::Duration;
use proptest::prelude::*;
use rand::Rng;

fn parse(frame: &[u8]) -> Result<ArpRepr, Error> {
    let f = EthernetFrame::new_checked(frame)?;
    ArpRepr::parse(&ArpPacket::new_checked(f.payload())?)
}

/// The kernel's request, field by field as RFC 826 lays it out.
fn linux_request() -> Checked {
    let r = parse(&unhex(LINUX_ARP_REQUEST)).map_err(|e| e.to_string())?;
    check::equal(
        "request",
        r,
        ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: MAC_A,
            source_protocol_addr: v4(1),
            target_hardware_addr: MacAddr::UNSPECIFIED,
            target_protocol_addr: v4(2),
        },
    )
}

/// The kernel's reply.
fn linux_reply() -> Checked {
    let r = parse(&unhex(LINUX_ARP_REPLY)).map_err(|e| e.to_string())?;
    check::equal("opcode", r.operation, ArpOperation::Reply)?;
    check::equal(
        "sender",
        (r.source_hardware_addr, r.source_protocol_addr),
        (MAC_B, v4(2)),
    )?;
    check::equal(
        "target",
        (r.target_hardware_addr, r.target_protocol_addr),
        (MAC_A, v4(1)),
    )
}

/// RFC 826: "?Do I have the hardware type in ar$hrd?" -- IEEE 802 (6) is not Ethernet (1).
fn unsupported_hardware() -> Checked {
    let mut b = unhex(LINUX_ARP_REQUEST);
    b[15] = 6;
    expect_error!(parse(&b), Error::UnsupportedArp { hardware: 6, .. })
}

/// RFC 826: "?Do I speak the protocol in ar$pro?" -- 0x86dd is not IPv4.
fn unsupported_protocol() -> Checked {
    let mut b = unhex(LINUX_ARP_REQUEST);
    b[16..18].copy_from_slice(&[0x86, 0xdd]);
    expect_error!(
        parse(&b),
        Error::UnsupportedArp {
            protocol: 0x86dd,
            ..
        }
    )
}

/// RFC 826 defines opcodes REQUEST (1) and REPLY (2); RARP's 3 is not ARP.
fn bad_opcode() -> Checked {
    let mut b = unhex(LINUX_ARP_REQUEST);
    b[21] = 3;
    expect_error!(parse(&b), Error::ArpOperation(3))
}

/// The four addresses must fit: 8 + 2 * (6 + 4) = 28 bytes.
fn truncated() -> Checked {
    let b = unhex(LINUX_ARP_REQUEST);
    expect_error!(
        parse(&b[..41]),
        Error::Truncated {
            need: 28,
            have: 27,
            ..
        }
    )
}

fn cache_a() -> ArpCache {
    ArpCache::new(ArpConfig::new(MAC_A, v4(1)))
}

fn cache_b() -> ArpCache {
    ArpCache::new(ArpConfig::new(MAC_B, v4(2)))
}

/// Resolving 192.0.2.2, we send exactly the request the kernel sent.
fn request_matches_linux() -> Checked {
    let mut a = cache_a();
    a.send(at(0), v4(2), vec![0x45; 20])
        .map_err(|e| e.to_string())?;
    let out = drain(|| a.poll_transmit(at(0)));
    check::equal("frames", out.len(), 1)?;
    check::hex("request", &out[0], LINUX_ARP_REQUEST)
}

/// RFC 826: a request for our address is answered with the fields swapped
/// and our addresses as sender, to the requester: byte for byte the
/// kernel's reply. The requester goes into the table (Merge_flag false and
/// we are the target).
fn reply_matches_linux() -> Checked {
    let mut b = cache_b();
    b.handle_frame(at(0), &unhex(LINUX_ARP_REQUEST))
        .map_err(|e| e.to_string())?;
    let out = drain(|| b.poll_transmit(at(0)));
    check::equal("frames", out.len(), 1)?;
    check::hex("reply", &out[0], LINUX_ARP_REPLY)?;
    check::equal("requester learnt", b.lookup(at(1), v4(1)), Some(MAC_A))
}

/// RFC 826: "?Am I the target protocol address? No: ... done" -- a request
/// for another address gets no reply and creates no entry.
fn request_for_other_ignored() -> Checked {
    let mut b = cache_b();
    let req = arp_frame(
        MacAddr::BROADCAST,
        1,
        (MAC_C, v4(3)),
        (MacAddr::UNSPECIFIED, v4(9)),
    );
    b.handle_frame(at(0), &req).map_err(|e| e.to_string())?;
    check::equal("frames sent", drain(|| b.poll_transmit(at(0))).len(), 0)?;
    check::equal("entries", b.len(), 0)
}

/// RFC 826's merge: a reply for an address we asked for resolves it and
/// RFC 1122 §2.3.2.2's queued packets go out, in order, to the new address.
fn queue_flushed_on_reply() -> Checked {
    let mut a = cache_a();
    for i in 0..3u8 {
        a.send(at(i.into()), v4(2), vec![0x45, i])
            .map_err(|e| e.to_string())?;
    }
    drain(|| a.poll_transmit(at(3)));
    a.handle_frame(at(5), &unhex(LINUX_ARP_REPLY))
        .map_err(|e| e.to_string())?;
    check::equal(
        "event",
        a.poll_event(),
        Some(ArpEvent::Resolved {
            addr: v4(2),
            mac: MAC_B,
        }),
    )?;
    let out = drain(|| a.poll_transmit(at(5)));
    let want: Vec<Vec<u8>> = (0..3u8)
        .map(|i| [eth(MAC_B, MAC_A, 0x0800), vec![0x45, i]].concat())
        .collect();
    check::equal("queued packets framed to the resolved MAC", out, want)
}

/// RFC 1122 §2.3.2.2: the queue is bounded and "SHOULD save at least one
/// (the latest) packet": ten packets into a queue of four keep the last four.
fn queue_bounded_keeps_latest() -> Checked {
    let mut a = ArpCache::new(ArpConfig::new(MAC_A, v4(1)).queue_per_entry(4));
    for i in 0..10u8 {
        a.send(at(0), v4(2), vec![i]).map_err(|e| e.to_string())?;
    }
    drain(|| a.poll_transmit(at(0)));
    a.handle_frame(at(1), &unhex(LINUX_ARP_REPLY))
        .map_err(|e| e.to_string())?;
    let payloads: Vec<u8> = drain(|| a.poll_transmit(at(1)))
        .iter()
        .map(|f| f[14])
        .collect();
    check::equal("packets sent after resolution", payloads, vec![6, 7, 8, 9])
}

/// RFC 1122 §2.3.2.1: at most one request per second per destination. A
/// hundred packets in the first second send one request; unanswered, one
/// more each second; after the third the address fails and its queue goes.
fn request_rate_limited() -> Checked {
    let mut a = cache_a();
    let mut requests = 0;
    for ms in 0..100 {
        a.send(at(ms * 9), v4(2), vec![0x45])
            .map_err(|e| e.to_string())?;
        requests += drain(|| a.poll_transmit(at(ms * 9))).len();
    }
    check::equal("requests in the first second", requests, 1)?;
    for (ms, want) in [(1000, 1), (1500, 0), (2000, 1), (2999, 0)] {
        check::equal("next timer", a.poll_timeout().is_some(), true)?;
        a.handle_timeout(at(ms));
        check::equal("requests", drain(|| a.poll_transmit(at(ms))).len(), want)?;
    }
    check::equal("timer", a.poll_timeout(), Some(at(3000)))?;
    a.handle_timeout(at(3000));
    check::equal(
        "frames after giving up",
        drain(|| a.poll_transmit(at(3000))).len(),
        0,
    )?;
    check::equal(
        "event",
        a.poll_event(),
        Some(ArpEvent::Failed {
            addr: v4(2),
            dropped: 4,
        }),
    )?;
    check::equal("entries", a.len(), 0)
}

/// RFC 1122 §2.3.2.1: entries time out; refreshed only by traffic from the neighbour.
fn entry_timeout() -> Checked {
    let mut b = ArpCache::new(ArpConfig::new(MAC_B, v4(2)).entry_timeout(Duration::from_secs(60)));
    b.handle_frame(at(0), &unhex(LINUX_ARP_REQUEST))
        .map_err(|e| e.to_string())?;
    check::equal("timer", b.poll_timeout(), Some(at(60_000)))?;
    b.handle_timeout(at(59_999));
    check::equal("before", b.lookup(at(59_999), v4(1)), Some(MAC_A))?;
    b.handle_timeout(at(60_000));
    check::equal("after", b.lookup(at(60_000), v4(1)), None)?;
    check::equal("entries", b.len(), 0)
}

/// RFC 826's merge rule updates only what is in the table: a gratuitous ARP
/// (sender and target address equal) moves a known neighbour to its new
/// MAC, and creates nothing for an unknown one.
fn gratuitous_updates_existing() -> Checked {
    let mut b = cache_b();
    b.handle_frame(at(0), &unhex(LINUX_ARP_REQUEST))
        .map_err(|e| e.to_string())?;
    drain(|| b.poll_transmit(at(0)));
    let garp = arp_frame(
        MacAddr::BROADCAST,
        1,
        (MAC_C, v4(1)),
        (MacAddr::UNSPECIFIED, v4(1)),
    );
    b.handle_frame(at(1), &garp).map_err(|e| e.to_string())?;
    check::equal("updated", b.lookup(at(1), v4(1)), Some(MAC_C))?;
    let unknown = arp_frame(
        MacAddr::BROADCAST,
        2,
        (MAC_C, v4(7)),
        (MacAddr::BROADCAST, v4(7)),
    );
    b.handle_frame(at(2), &unknown).map_err(|e| e.to_string())?;
    check::equal("unknown sender not added", b.lookup(at(2), v4(7)), None)?;
    check::equal(
        "no reply to a gratuitous ARP",
        drain(|| b.poll_transmit(at(2))).len(),
        0,
    )
}

/// No entry from replies we never asked for, even addressed to us: ten
/// thousand bogus replies leave the table empty and send nothing.
fn unsolicited_replies_ignored() -> Checked {
    let mut b = cache_b();
    for i in 0..10_000u32 {
        let sha = MacAddr([2, 0, 1, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        let spa = std::net::Ipv4Addr::from(0x0a00_0000 | i);
        b.handle_frame(
            at(i.into()),
            &arp_frame(MAC_B, 2, (sha, spa), (MAC_B, v4(2))),
        )
        .map_err(|e| e.to_string())?;
    }
    check::equal("entries", b.len(), 0)?;
    check::equal("frames", drain(|| b.poll_transmit(at(10_000))).len(), 0)?;
    check::equal("events", b.poll_event(), None)
}

/// A flood of requests for our address from ever new senders: the table
/// stays within its capacity and the replies waiting within the outbox.
fn request_flood_bounded() -> Checked {
    let mut b = cache_b();
    let cap = b.config().capacity;
    let outbox = b.config().outbox;
    for i in 0..10_000u32 {
        let spa = std::net::Ipv4Addr::from(0x0a00_0000 | i);
        let sha = MacAddr([2, 0, 0, (i >> 16) as u8, (i >> 8) as u8, i as u8]);
        b.handle_frame(
            at(i.into()),
            &arp_frame(MAC_B, 1, (sha, spa), (MacAddr::UNSPECIFIED, v4(2))),
        )
        .map_err(|e| e.to_string())?;
        check::ensure(b.len() <= cap, || {
            format!("{} entries over capacity {cap}", b.len())
        })?;
    }
    let waiting = drain(|| b.poll_transmit(at(10_000))).len();
    check::ensure(waiting <= outbox, || {
        format!("{waiting} frames waiting, outbox {outbox}")
    })?;
    check::ensure(b.dropped_frames() > 0, || "no reply dropped".into())
}

/// RFC 1812 §3.3.2: an ARP packet claiming a broadcast or multicast
/// hardware address is not believed: no entry, no reply.
fn group_sender_refused() -> Checked {
    let mut b = cache_b();
    let bad = MacAddr([0x01, 0, 0x5e, 0, 0, 1]);
    b.handle_frame(
        at(0),
        &arp_frame(
            MacAddr::BROADCAST,
            1,
            (bad, v4(1)),
            (MacAddr::UNSPECIFIED, v4(2)),
        ),
    )
    .map_err(|e| e.to_string())?;
    check::equal("entries", b.len(), 0)?;
    check::equal("frames", drain(|| b.poll_transmit(at(0))).len(), 0)
}

/// RFC 5227 §2.4: an ARP packet with our address as sender from another
/// MAC is a conflict, reported.
fn conflict_reported() -> Checked {
    let mut b = cache_b();
    let claim = arp_frame(
        MacAddr::BROADCAST,
        1,
        (MAC_C, v4(2)),
        (MacAddr::UNSPECIFIED, v4(2)),
    );
    b.handle_frame(at(0), &claim).map_err(|e| e.to_string())?;
    check::equal(
        "event",
        b.poll_event(),
        Some(ArpEvent::Conflict { mac: MAC_C }),
    )
}

fn arb_arp() -> impl Strategy<Value = ArpRepr> {
    (any::<bool>(), any::<([u8; 6], [u8; 4], [u8; 6], [u8; 4])>()).prop_map(
        |(req, (sha, spa, tha, tpa))| ArpRepr {
            operation: if req {
                ArpOperation::Request
            } else {
                ArpOperation::Reply
            },
            source_hardware_addr: MacAddr(sha),
            source_protocol_addr: spa.into(),
            target_hardware_addr: MacAddr(tha),
            target_protocol_addr: tpa.into(),
        },
    )
}

fn roundtrip(ctx: &mut Ctx) -> Outcome {
    check_property(ctx, arb_arp(), |r| {
        let mut b = [0u8; 28];
        r.emit(&mut b)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let p = ArpPacket::new_checked(&b[..]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ArpRepr::parse(&p), Ok(r));
        Ok(())
    })
}

fn arbitrary_bytes(ctx: &mut Ctx) -> Outcome {
    check_property(ctx, proptest::collection::vec(any::<u8>(), 0..96), |b| {
        let mut cache = cache_b();
        let _ = cache.handle_frame(at(0), &b);
        if let Ok(p) = ArpPacket::new_checked(&b[..]) {
            let _ = (
                p.source_hardware_addr(),
                p.target_protocol_addr(),
                ArpRepr::parse(&p),
            );
        }
        prop_assert!(cache.len() <= 1);
        Ok(())
    })
}

fn mac(rng: &mut impl Rng) -> MacAddr {
    MacAddr([
        rng.gen::<u8>() & 0xfe,
        rng.gen(),
        rng.gen(),
        rng.gen(),
        rng.gen(),
        rng.gen(),
    ])
}

/// Random requests and replies we emit, framed, that tshark must read back
/// field for field, none malformed.
fn tshark_dissects(ctx: &mut Ctx) -> Outcome {
    let mut rng = ctx.rng();
    let mut packets = Vec::with_capacity(PACKETS);
    for _ in 0..PACKETS {
        let r = ArpRepr {
            operation: if rng.gen() {
                ArpOperation::Request
            } else {
                ArpOperation::Reply
            },
            source_hardware_addr: mac(&mut rng),
            source_protocol_addr: rng.gen::<u32>().into(),
            target_hardware_addr: mac(&mut rng),
            target_protocol_addr: rng.gen::<u32>().into(),
        };
        let dst = mac(&mut rng);
        let mut bytes = eth(dst, r.source_hardware_addr, 0x0806);
        bytes.resize(14 + 28, 0);
        if let Err(e) = r.emit(&mut bytes[14..]) {
            return Outcome::Fail(e.to_string());
        }
        let op = if r.operation == ArpOperation::Request {
            "1"
        } else {
            "2"
        };
        packets.push(Emitted {
            bytes,
            expect: vec![
                ("eth.dst", dst.to_string()),
                ("eth.type", "2054".into()),
                ("arp.opcode", op.into()),
                ("arp.src.hw_mac", r.source_hardware_addr.to_string()),
                ("arp.src.proto_ipv4", r.source_protocol_addr.to_string()),
                ("arp.dst.hw_mac", r.target_hardware_addr.to_string()),
                ("arp.dst.proto_ipv4", r.target_protocol_addr.to_string()),
            ],
        });
    }
    compare_frames(ctx, "arp.pcap", &packets)
}

/// The `link.arp.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Vector,
        &[
            (
                Must,
                "link.arp.linux-request",
                "RFC 826 (packet format)",
                linux_request,
            ),
            (
                Must,
                "link.arp.linux-reply",
                "RFC 826 (packet format)",
                linux_reply,
            ),
            (
                Must,
                "link.arp.unsupported-hardware",
                "RFC 826 (packet reception: ar$hrd)",
                unsupported_hardware,
            ),
            (
                Must,
                "link.arp.unsupported-protocol",
                "RFC 826 (packet reception: ar$pro)",
                unsupported_protocol,
            ),
            (Must, "link.arp.bad-opcode", "RFC 826 (ar$op)", bad_opcode),
            (
                Must,
                "link.arp.truncated",
                "RFC 826 (packet format)",
                truncated,
            ),
        ],
    );
    all.extend(Case::table(
        Kind::Simulation,
        &[
            (
                Must,
                "link.arp.request-matches-linux",
                "RFC 826 (packet generation)",
                request_matches_linux,
            ),
            (
                Must,
                "link.arp.reply-matches-linux",
                "RFC 826 (packet reception: reply)",
                reply_matches_linux,
            ),
            (
                Must,
                "link.arp.request-for-other-ignored",
                "RFC 826 (packet reception: Am I the target?)",
                request_for_other_ignored,
            ),
            (
                Must,
                "link.arp.merge-flushes-queue",
                "RFC 826 (merge); RFC 1122 §2.3.2.2",
                queue_flushed_on_reply,
            ),
            (
                Should,
                "link.arp.queue-keeps-latest",
                "RFC 1122 §2.3.2.2",
                queue_bounded_keeps_latest,
            ),
            (
                Must,
                "link.arp.request-rate-limited",
                "RFC 1122 §2.3.2.1",
                request_rate_limited,
            ),
            (
                Must,
                "link.arp.entry-timeout",
                "RFC 1122 §2.3.2.1",
                entry_timeout,
            ),
            (
                Must,
                "link.arp.gratuitous-updates-existing",
                "RFC 826 (merge); RFC 5227 §3",
                gratuitous_updates_existing,
            ),
            (
                Must,
                "link.arp.unsolicited-replies-ignored",
                "RFC 826 (merge: update only)",
                unsolicited_replies_ignored,
            ),
            (
                Must,
                "link.arp.request-flood-bounded",
                "RFC 826 (merge); RFC 1122 §2.3.2.1",
                request_flood_bounded,
            ),
            (
                Must,
                "link.arp.group-sender-refused",
                "RFC 1812 §3.3.2",
                group_sender_refused,
            ),
            (
                Should,
                "link.arp.conflict-reported",
                "RFC 5227 §2.4",
                conflict_reported,
            ),
        ],
    ));
    all.push(Case::must("link.arp.roundtrip", "RFC 826 (packet format)").property(roundtrip));
    all.push(
        Case::must("link.arp.arbitrary-bytes", "RFC 826 (packet reception)")
            .property(arbitrary_bytes),
    );
    all.push(
        Case::must(
            "link.arp.tshark-dissects",
            "RFC 826 (packet format); RFC 894",
        )
        .needs(&[tshark::NEED])
        .interop_peer(tshark_dissects),
    );
    all
}
