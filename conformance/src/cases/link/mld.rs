//! `link.mld.*`: joining the solicited-node groups with MLDv2 (RFC 4861
//! §7.2.1, RFC 4862 §5.4.2, RFC 3810). The Reports our neighbour cache
//! sends are read byte by byte against RFC 3810 §5.2's layout and by
//! tshark; queries are built here by hand with an independent checksum.

use std::net::Ipv6Addr;

use super::support::*;
use crate::check::{self, Checked};
use crate::peers::{pcap, tshark};
use crate::{check_property, Case, Ctx, Outcome};
use handshake_link::{Error, MacAddr, NdpConfig, NeighborCache};
use handshake_time::Duration;
use proptest::prelude::*;

/// A cache with MLD on, the random point of every delay at `permille`.
fn cache(permille: u16) -> NeighborCache {
    NeighborCache::new(NdpConfig::new(MAC_A).mld_random_permille(permille))
}

/// One Report as RFC 3810 §5.2 lays it out: (IPv6 source, records of
/// (type, group, sources)). Checks the frame around it: to 33:33:00:00:00:16
/// and ff02::16 (§5.2.14), hop limit 1, a Hop-by-Hop header whose first
/// option is Router Alert with value 0 (§5, RFC 2711 §2.1).
type Report = (Ipv6Addr, Vec<(u8, Ipv6Addr, Vec<Ipv6Addr>)>);

fn addr(b: &[u8]) -> Ipv6Addr {
    Ipv6Addr::from(<[u8; 16]>::try_from(b).expect("16 bytes"))
}

fn read_report(f: &[u8]) -> Result<Report, String> {
    let routers: Ipv6Addr = "ff02::16".parse().expect("valid");
    check::equal(
        "Ethernet destination",
        &f[..6],
        &[0x33, 0x33, 0, 0, 0, 0x16][..],
    )?;
    check::equal("EtherType", &f[12..14], &[0x86, 0xdd][..])?;
    let ip = &f[14..];
    check::equal(
        "next header (Hop-by-Hop), hop limit",
        (ip[6], ip[7]),
        (0, 1),
    )?;
    check::equal("IPv6 destination", addr(&ip[24..40]), routers)?;
    let hbh = &ip[40..48];
    check::equal("HbH next header and length", (hbh[0], hbh[1]), (58, 0))?;
    check::equal("Router Alert option, MLD", &hbh[2..6], &[5, 2, 0, 0][..])?;
    let m = &ip[48..];
    check::equal("ICMPv6 type and code", (m[0], m[1]), (143, 0))?;
    let n = usize::from(u16::from_be_bytes([m[6], m[7]]));
    let mut records = Vec::new();
    let mut at = 8;
    for _ in 0..n {
        let r = &m[at..];
        let sources = usize::from(u16::from_be_bytes([r[2], r[3]]));
        check::equal("aux data length", r[1], 0)?;
        let srcs = (0..sources)
            .map(|i| addr(&r[20 + 16 * i..36 + 16 * i]))
            .collect();
        records.push((r[0], addr(&r[4..20]), srcs));
        at += 20 + 16 * sources;
    }
    check::equal("message length", at, m.len())?;
    Ok((addr(&ip[8..24]), records))
}

/// The solicited-node group of 2001:db8::`n` written out by hand (RFC 4291
/// §2.7.1: ff02::1:ff00:0/104 and the low 24 bits).
fn group(n: u16) -> Ipv6Addr {
    Ipv6Addr::new(0xff02, 0, 0, 0, 0, 1, 0xff00, n)
}

/// Frames sent at `ms`, the MLD Reports read.
fn reports_at(c: &mut NeighborCache, ms: u64) -> Result<Vec<Report>, String> {
    c.handle_timeout(at(ms));
    drain(|| c.poll_transmit(at(ms)))
        .iter()
        .filter(|f| f[..6] == [0x33, 0x33, 0, 0, 0, 0x16])
        .map(|f| read_report(f))
        .collect()
}

/// RFC 4862 §5.4.2: "Before sending a Neighbor Solicitation, an interface
/// MUST join ... the solicited-node multicast address of the tentative
/// address"; RFC 3810 §6.1: the join is a Report with a
/// CHANGE_TO_EXCLUDE_MODE record (type 4), sent Robustness Variable (2)
/// times, the second a random part of the Unsolicited Report Interval (1 s)
/// later (here 0.4 s); §5.2.13: from :: while the only address is
/// tentative. The Report leaves before the NS; nothing for ff02::1 (§6).
fn join_before_dad() -> Checked {
    let mut c = cache(400);
    c.add_address(at(0), v6(2), Duration::from_millis(300));
    check::equal("before the DAD delay", reports_at(&mut c, 0)?.len(), 0)?;
    c.handle_timeout(at(300));
    let frames = drain(|| c.poll_transmit(at(300)));
    check::equal("frames at 300 ms (Report, NS)", frames.len(), 2)?;
    check::equal(
        "first frame: the Report",
        read_report(&frames[0])?,
        (Ipv6Addr::UNSPECIFIED, vec![(4, group(2), vec![])]),
    )?;
    check::equal(
        "second frame: the NS to the group",
        &frames[1][..6],
        &[0x33, 0x33, 0xff, 0, 0, 2][..],
    )?;
    check::equal("at 699 ms", reports_at(&mut c, 699)?, vec![])?;
    check::equal(
        "the repeat at 700 ms",
        reports_at(&mut c, 700)?,
        vec![(Ipv6Addr::UNSPECIFIED, vec![(4, group(2), vec![])])],
    )?;
    check::equal("no third", reports_at(&mut c, 5000)?, vec![])
}

/// RFC 4861 §7.2.1: each address's solicited-node group is joined, once
/// per group: fe80::2 and 2001:db8::2 share ff02::1:ff00:2 (one join),
/// 2001:db8::3 has its own. With DAD off the Reports go at once; the
/// second address's come from the link-local address once it is
/// preferred (RFC 3810 §5.2.13).
fn one_join_per_group() -> Checked {
    let mut c = NeighborCache::new(NdpConfig::new(MAC_A).dup_addr_detect_transmits(0));
    let ll: Ipv6Addr = "fe80::2".parse().map_err(|e| format!("{e}"))?;
    c.add_address(at(0), ll, Duration::ZERO);
    c.add_address(at(0), v6(2), Duration::ZERO);
    c.add_address(at(0), v6(3), Duration::ZERO);
    let got = reports_at(&mut c, 0)?;
    check::equal(
        "Reports at once",
        got,
        vec![(ll, vec![(4, group(2), vec![]), (4, group(3), vec![])])],
    )?;
    check::equal(
        "groups",
        c.mld_groups().collect::<Vec<_>>(),
        vec![group(2), group(3)],
    )
}

/// A query's ICMPv6 body (RFC 3810 §5.1): Maximum Response Code `code`,
/// the group (unspecified: General Query), the sources.
fn query(code: u16, group: Ipv6Addr, sources: &[Ipv6Addr]) -> Vec<u8> {
    let mut m = vec![130, 0, 0, 0];
    m.extend_from_slice(&code.to_be_bytes());
    m.extend_from_slice(&[0, 0]);
    m.extend_from_slice(&group.octets());
    m.extend_from_slice(&[2, 125]);
    m.extend_from_slice(&(sources.len() as u16).to_be_bytes());
    for s in sources {
        m.extend_from_slice(&s.octets());
    }
    m
}

fn router() -> Ipv6Addr {
    "fe80::1".parse().expect("valid")
}

const ROUTER_MAC: MacAddr = MacAddr([2, 0, 0, 0, 0, 9]);

/// A preferred address and its join done: the state a query meets.
fn joined(permille: u16) -> Result<NeighborCache, String> {
    let mut c = NeighborCache::new(
        NdpConfig::new(MAC_A)
            .dup_addr_detect_transmits(0)
            .mld_random_permille(permille),
    );
    c.add_address(
        at(0),
        "fe80::2".parse().map_err(|e| format!("{e}"))?,
        Duration::ZERO,
    );
    c.add_address(at(0), v6(3), Duration::ZERO);
    reports_at(&mut c, 0)?;
    reports_at(&mut c, 10_000)?;
    Ok(c)
}

/// RFC 3810 §6.2: a General Query (Maximum Response Delay 10 s) is answered
/// at a random point of the delay (here 0.25 of it, 2.5 s after) with a
/// Current State Record, MODE_IS_EXCLUDE (type 2) and no sources, for each
/// group; a group-specific query for one of ours with one for that group;
/// one for a group we are not in, not at all.
fn queries_answered() -> Checked {
    let mut c = joined(250)?;
    let ll: Ipv6Addr = "fe80::2".parse().map_err(|e| format!("{e}"))?;
    let all_nodes: Ipv6Addr = "ff02::1".parse().map_err(|e| format!("{e}"))?;
    let f = icmpv6_frame(
        (MacAddr([0x33, 0x33, 0, 0, 0, 1]), ROUTER_MAC),
        (router(), all_nodes),
        1,
        query(10_000, Ipv6Addr::UNSPECIFIED, &[]),
    );
    c.handle_frame(at(20_000), &f).map_err(|e| e.to_string())?;
    check::equal("before 2.5 s", reports_at(&mut c, 22_499)?, vec![])?;
    check::equal(
        "the answer to the General Query",
        reports_at(&mut c, 22_500)?,
        vec![(ll, vec![(2, group(2), vec![]), (2, group(3), vec![])])],
    )?;
    for (g, want) in [
        (group(3), vec![(ll, vec![(2, group(3), vec![])])]),
        (group(7), vec![]),
    ] {
        let f = icmpv6_frame(
            (MacAddr::ipv6_multicast(g), ROUTER_MAC),
            (router(), g),
            1,
            query(1000, g, &[]),
        );
        c.handle_frame(at(30_000), &f).map_err(|e| e.to_string())?;
        check::equal(
            &format!("the answer for {g}"),
            reports_at(&mut c, 30_250)?,
            want,
        )?;
    }
    // §6.3: in EXCLUDE mode with nothing excluded, a query about sources
    // is answered IS_IN (type 1) with those sources.
    let s = v6(0x99);
    let f = icmpv6_frame(
        (MacAddr::ipv6_multicast(group(3)), ROUTER_MAC),
        (router(), group(3)),
        1,
        query(1000, group(3), &[s]),
    );
    c.handle_frame(at(40_000), &f).map_err(|e| e.to_string())?;
    check::equal(
        "the answer to a source-specific query",
        reports_at(&mut c, 40_250)?,
        vec![(ll, vec![(1, group(3), vec![s])])],
    )
}

/// RFC 3810 §5.1.14: a Query whose source is the unspecified address or
/// not link-local "MUST silently discard the message"; §5: one that
/// crossed a router (hop limit not 1) too. Each is an error from
/// `handle_frame` and schedules nothing.
fn invalid_queries_discarded() -> Checked {
    let mut c = joined(0)?;
    let all_nodes: Ipv6Addr = "ff02::1".parse().map_err(|e| format!("{e}"))?;
    for (src, hops, what) in [
        (Ipv6Addr::UNSPECIFIED, 1, "from ::"),
        (v6(1), 1, "from a global address"),
        (router(), 255, "with hop limit 255"),
    ] {
        let f = icmpv6_frame(
            (MacAddr([0x33, 0x33, 0, 0, 0, 1]), ROUTER_MAC),
            (src, all_nodes),
            hops,
            query(0, Ipv6Addr::UNSPECIFIED, &[]),
        );
        let got = c.handle_frame(at(20_000), &f);
        check::ensure(
            matches!(got, Err(Error::MldSource(_) | Error::MldHopLimit(_))),
            || format!("a query {what}: {got:?}"),
        )?;
        check::equal(
            &format!("answers to a query {what}"),
            reports_at(&mut c, 20_000)?,
            vec![],
        )?;
    }
    Ok(())
}

/// tshark reads our Reports as MLDv2 Reports with a good checksum, one
/// record of type 4 for ff02::1:ff00:2, hop limit 1 and a Router Alert.
fn tshark_reads_reports(ctx: &mut Ctx) -> Outcome {
    let run = || -> Result<(), String> {
        let mut c = cache(500);
        c.add_address(at(0), v6(2), Duration::ZERO);
        c.handle_timeout(at(0));
        let frames = drain(|| c.poll_transmit(at(0)));
        let path = ctx.artifacts.join("mld.pcap");
        pcap::write_ethernet(&path, &frames)?;
        let d = tshark::dissect(
            &path,
            &[
                "icmpv6.type",
                "icmpv6.checksum.status",
                "ipv6.hlim",
                "icmpv6.mldr.nb_mcast_records",
                "icmpv6.mldr.mar.record_type",
                "icmpv6.mldr.mar.multicast_address",
                "ipv6.opt.type",
            ],
        )?;
        let p = d.first().ok_or("tshark read nothing")?;
        check::equal("tshark errors", &p.errors, &Vec::<String>::new())?;
        let f = &p.fields;
        check::equal(
            "type, checksum, hop limit, records, record type, group",
            (
                &f[0][..],
                &f[1][..],
                &f[2][..],
                &f[3][..],
                &f[4][..],
                &f[5][..],
            ),
            ("143", "1", "1", "1", "4", "ff02::1:ff00:2"),
        )?;
        // Router Alert is option type 5.
        check::ensure(f[6].split(',').any(|t| t == "5" || t == "0x05"), || {
            format!("no Router Alert among the HbH options: {:?}", f[6])
        })?;
        if !ctx.keep_pcaps {
            let _ = std::fs::remove_file(&path);
        }
        Ok(())
    };
    run().into()
}

/// Any ICMPv6 body of type 130 from a valid source never panics the cache
/// and never makes it send more than one Report per due instant.
fn arbitrary_queries(ctx: &mut Ctx) -> Outcome {
    check_property(
        ctx,
        (proptest::collection::vec(any::<u8>(), 0..200), any::<u16>()),
        |(mut body, delay)| {
            // Type 130 and room for the checksum the frame builder fills.
            body.resize(body.len().max(4), 0);
            body[0] = 130;
            let mut c = joined(500).map_err(TestCaseError::fail)?;
            let all_nodes: Ipv6Addr = "ff02::1".parse().expect("valid");
            let f = icmpv6_frame(
                (MacAddr([0x33, 0x33, 0, 0, 0, 1]), ROUTER_MAC),
                (router(), all_nodes),
                1,
                body,
            );
            let _ = c.handle_frame(at(20_000), &f);
            let t = 20_000 + u64::from(delay) * 200;
            c.handle_timeout(at(t));
            prop_assert!(drain(|| c.poll_transmit(at(t))).len() <= 1);
            Ok(())
        },
    )
}

/// The `link.mld.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "link.mld.join-before-dad",
            "RFC 4862 §5.4.2; RFC 3810 §5.2, §5.2.13, §6, §6.1",
        )
        .simulation(|_| join_before_dad()),
        Case::must(
            "link.mld.one-join-per-group",
            "RFC 4861 §7.2.1; RFC 3810 §5.2.13, §6.1",
        )
        .simulation(|_| one_join_per_group()),
        Case::must("link.mld.queries-answered", "RFC 3810 §6.2, §6.3, §5.1.3")
            .simulation(|_| queries_answered()),
        Case::must("link.mld.invalid-queries-discarded", "RFC 3810 §5.1.14, §5")
            .simulation(|_| invalid_queries_discarded()),
        Case::must(
            "link.mld.tshark-reads-reports",
            "RFC 3810 §5.2; RFC 2711 §2.1",
        )
        .needs(&[tshark::NEED])
        .property(tshark_reads_reports),
        Case::must("link.mld.arbitrary-queries", "RFC 3810 §5.1, §6.2").property(arbitrary_queries),
    ]
}
