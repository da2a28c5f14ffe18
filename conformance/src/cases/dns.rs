//! handshake-dns: the message codec (RFC 1035 §4 and its extensions), the
//! cache (RFC 2308) and the hosts file against the C library's resolver.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use proptest::prelude::*;

use handshake_dns::wire::{
    Class, Edns, Message, Name, Question, RData, Rcode, Record, RecordType, Soa,
};
use handshake_dns::{Cache, CacheConfig, Cached, Error, Hosts};
use handshake_time::{Duration, Instant};

use crate::peers::dnsnet;
use crate::{check, check_property, Case, Ctx, Outcome};

fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

/// A one-question message with the question name's bytes given raw, at offset 12.
fn with_raw_qname(qname: &[u8]) -> Vec<u8> {
    let mut m = vec![0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(qname);
    m.extend_from_slice(&[0, 1, 0, 1]);
    m
}

fn expect_err(got: Result<Message, Error>, want: &str, pred: impl Fn(&Error) -> bool) -> Outcome {
    match got {
        Err(e) if pred(&e) => Outcome::Pass,
        other => Outcome::Fail(format!("expected {want}, got {other:?}")),
    }
}

fn soa_record(ttl: u32, minimum: u32) -> Record {
    Record::new(
        name("example"),
        ttl,
        RData::Soa(Soa {
            mname: name("ns.example"),
            rname: name("hostmaster.example"),
            serial: 1,
            refresh: 7200,
            retry: 3600,
            expire: 1_209_600,
            minimum,
        }),
    )
}

/// Every name in the system hosts file resolves through getaddrinfo (the C
/// library, `files` first in nsswitch) to the addresses our parser finds.
fn hosts_agree_with_getaddrinfo(_: &mut Ctx) -> Outcome {
    let text = match std::fs::read_to_string(handshake_dns::HOSTS_PATH) {
        Ok(t) => t,
        Err(e) => return Outcome::Skip(format!("cannot read {}: {e}", handshake_dns::HOSTS_PATH)),
    };
    let ours = Hosts::parse(&text);
    let names: BTreeSet<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| {
            l.split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    if names.is_empty() {
        return Outcome::Skip(format!("{} names no host", handshake_dns::HOSTS_PATH));
    }
    let mut problems = Vec::new();
    for n in &names {
        let Ok(parsed) = n.parse::<Name>() else {
            continue;
        };
        let mine: BTreeSet<IpAddr> = ours.lookup(&parsed).iter().copied().collect();
        let system: BTreeSet<IpAddr> = match (n.as_str(), 0u16).to_socket_addrs() {
            Ok(addrs) => addrs.map(|a| a.ip()).collect(),
            Err(e) => {
                problems.push(format!("getaddrinfo({n}) failed: {e}"));
                continue;
            }
        };
        if mine != system {
            problems.push(format!("{n}: ours {mine:?}, getaddrinfo {system:?}"));
        }
    }
    Outcome::from(check::ensure(problems.is_empty(), || problems.join("; ")))
}

/// The fixture Internet and dig.
const DIG_NEEDS: &[crate::Need] = &[
    crate::Need::Root,
    dnsnet::NSD,
    dnsnet::UNBOUND_BIN,
    crate::Need::Binary {
        name: "dig",
        package: "dnsutils",
    },
];

/// The fixture Internet and tshark.
const TSHARK_NEEDS: &[crate::Need] = &[
    crate::Need::Root,
    dnsnet::NSD,
    dnsnet::UNBOUND_BIN,
    crate::peers::tshark::NEED,
];

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.interop.stub-via-unbound-matches-dig",
            "RFC 1035 §4.2.1, §5.1; RFC 7766 §5",
        )
        .needs(DIG_NEEDS)
        .interop_peer(stub_matches_dig),
        Case::must(
            "dns.interop.wire-accepted-and-dissected",
            "RFC 1035 §4.1; RFC 6891 §6.1; RFC 7766 §8",
        )
        .needs(TSHARK_NEEDS)
        .interop_peer(wire_accepted_and_dissected),
        Case::must(
            "dns.interop.cache-hosts-network-pipeline",
            "RFC 1034 §5.3.1; RFC 2308 §5; RFC 1035 §7.4",
        )
        .needs(dnsnet::NEEDS)
        .interop_peer(resolver_pipeline),
        Case::must(
            "dns.hosts.agrees-with-getaddrinfo",
            "RFC 952 (host table); RFC 1123 §6.1.3.8",
        )
        .interop_os(hosts_agree_with_getaddrinfo),
        Case::must(
            "dns.cache.ttl-counts-down",
            "RFC 1035 §3.2.1; RFC 2181 §5.2",
        )
        .vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("www.example");
            let rr = |ttl| Record::new(n.clone(), ttl, RData::A([192, 0, 2, 1].into()));
            // RFC 2181 §5.2: an RRset's records share one TTL; keep the smallest.
            c.insert_records(Instant::ZERO, vec![rr(600), rr(300)]);
            let mut at = |s| {
                c.get(
                    Instant::ZERO + Duration::from_secs(s),
                    &n,
                    RecordType::A,
                    Class::IN,
                )
            };
            let mid = at(100);
            let ok = matches!(&mid, Some(Cached::Records(r)) if r.iter().all(|r| r.ttl == 200));
            let gone = at(300);
            Outcome::from(check::ensure(ok && gone.is_none(), || {
                format!("at 100 s: {mid:?}; at 300 s: {gone:?}")
            }))
        }),
        Case::must("dns.cache.zero-ttl-not-cached", "RFC 1035 §3.2.1").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            c.insert_records(
                Instant::ZERO,
                vec![Record::new(name("x"), 0, RData::A([192, 0, 2, 1].into()))],
            );
            Outcome::from(check::ensure(c.is_empty(), || {
                "a zero-TTL record was cached".into()
            }))
        }),
        Case::must("dns.cache.negative-ttl-from-soa", "RFC 2308 §5").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("missing.example");
            // min(SOA TTL 3600, MINIMUM 60) = 60 s, for every type of the name.
            c.insert_negative(
                Instant::ZERO,
                &n,
                RecordType::A,
                Class::IN,
                true,
                &soa_record(3600, 60),
            );
            let at = |c: &mut Cache, s, t| {
                c.get(Instant::ZERO + Duration::from_secs(s), &n, t, Class::IN)
            };
            let held = at(&mut c, 59, RecordType::TXT);
            let gone = at(&mut c, 60, RecordType::TXT);
            Outcome::from(check::ensure(
                matches!(held, Some(Cached::NxDomain(_))) && gone.is_none(),
                || format!("at 59 s {held:?}, at 60 s {gone:?}"),
            ))
        }),
        Case::must("dns.cache.nodata-is-per-type", "RFC 2308 §2.2, §5").vector(|_| {
            let mut c = Cache::new(CacheConfig::default());
            let n = name("www.example");
            c.insert_negative(
                Instant::ZERO,
                &n,
                RecordType::AAAA,
                Class::IN,
                false,
                &soa_record(300, 300),
            );
            let aaaa = c.get(Instant::ZERO, &n, RecordType::AAAA, Class::IN);
            let a = c.get(Instant::ZERO, &n, RecordType::A, Class::IN);
            Outcome::from(check::ensure(
                matches!(aaaa, Some(Cached::NoData(_))) && a.is_none(),
                || format!("AAAA {aaaa:?}, A {a:?}"),
            ))
        }),
        Case::must(
            "dns.wire.query-known-bytes",
            "RFC 1035 §4.1.1-4.1.2; RFC 6891 §6.1.2",
        )
        .vector(|_| {
            // `dig example.com A`: id 0x1234, RD, EDNS(0) with a 1232-byte buffer.
            let want = hex::decode(
                "123401000001000000000001076578616d706c6503636f6d000001000100002904d0000000000000",
            )
            .expect("hex");
            let q = Message::query(0x1234, Question::new(name("example.com"), RecordType::A));
            match q.to_bytes() {
                Ok(b) if b == want => Outcome::from(check::ensure(
                    Message::parse(&want).as_ref() == Ok(&q),
                    || "known bytes parse differently".into(),
                )),
                other => Outcome::Fail(format!("emitted {other:02x?}")),
            }
        }),
        Case::must("dns.wire.pointer-to-itself", "RFC 1035 §4.1.4").vector(|_| {
            expect_err(
                Message::parse(&with_raw_qname(&[0xc0, 12])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.forward-pointer", "RFC 1035 §4.1.4").vector(|_| {
            expect_err(
                Message::parse(&with_raw_qname(&[0xc0, 14, 0])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.pointer-loop-through-labels", "RFC 1035 §4.1.4").vector(|_| {
            // `a` then a pointer back to `a`: every hop backwards, yet a loop.
            expect_err(
                Message::parse(&with_raw_qname(&[1, b'a', 0xc0, 12])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.label-over-63", "RFC 1035 §2.3.4").vector(|_| {
            // On the wire a length octet of 64 or more is not a label at all
            // (its top bits make it an extended or pointer type); in text form
            // and through the builder the limit must be enforced.
            let text = "x".repeat(64).parse::<Name>();
            let built = Name::from_labels([&[b'x'; 64][..]]);
            Outcome::from(check::ensure(
                text == Err(Error::LabelTooLong(64)) && built == Err(Error::LabelTooLong(64)),
                || format!("text: {text:?}, builder: {built:?}"),
            ))
        }),
        Case::must(
            "dns.wire.extended-label-types-rejected",
            "RFC 6891 §5; RFC 1035 §4.1.4",
        )
        .vector(|_| {
            for first in [0x40u8, 0x80] {
                let got = Message::parse(&with_raw_qname(&[first, 0]));
                if got != Err(Error::ReservedLabelType(first)) {
                    return Outcome::Fail(format!("label type {first:#04x}: {got:?}"));
                }
            }
            Outcome::Pass
        }),
        Case::must("dns.wire.name-over-255", "RFC 1035 §2.3.4").vector(|_| {
            let mut q = Vec::new();
            for _ in 0..4 {
                q.push(63);
                q.extend_from_slice(&[b'x'; 63]);
            }
            q.push(0);
            expect_err(Message::parse(&with_raw_qname(&q)), "NameTooLong", |e| {
                matches!(e, Error::NameTooLong(_))
            })
        }),
        Case::must("dns.wire.truncated-anywhere", "RFC 1035 §4.1").vector(|_| {
            let full = with_raw_qname(&[7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0]);
            for n in 0..full.len() {
                if !matches!(Message::parse(&full[..n]), Err(Error::Truncated { .. })) {
                    return Outcome::Fail(format!("a {n}-byte prefix was not reported truncated"));
                }
            }
            Outcome::Pass
        }),
        Case::must("dns.wire.opt-root-owner", "RFC 6891 §6.1.2").vector(|_| {
            let mut m = with_raw_qname(&[0]);
            m[11] = 1; // ARCOUNT
            m.extend_from_slice(&[1, b'a', 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
            expect_err(Message::parse(&m), "BadOpt", |e| {
                matches!(e, Error::BadOpt(_))
            })
        }),
        Case::must("dns.wire.opt-at-most-once", "RFC 6891 §6.1.1").vector(|_| {
            let mut m = with_raw_qname(&[0]);
            m[11] = 2;
            for _ in 0..2 {
                m.extend_from_slice(&[0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
            }
            expect_err(Message::parse(&m), "BadOpt", |e| {
                matches!(e, Error::BadOpt("repeated"))
            })
        }),
        Case::must("dns.wire.extended-rcode", "RFC 6891 §6.1.3").vector(|_| {
            let mut m = Message::query(1, Question::new(Name::root(), RecordType::NS)).response();
            m.set_rcode(Rcode::BADVERS);
            let back = m.to_bytes().and_then(|b| Message::parse(&b));
            Outcome::from(check::ensure(
                matches!(&back, Ok(b) if b.rcode() == Rcode::BADVERS && b.header.rcode_low == 0),
                || format!("{back:?}"),
            ))
        }),
        Case::must("dns.wire.names-case-insensitive", "RFC 4343 §3").vector(|_| {
            let a = name("WWW.Example.COM");
            Outcome::from(check::ensure(
                a == name("www.example.com") && a.to_string() == "WWW.Example.COM.",
                || "case handling".into(),
            ))
        }),
        Case::must("dns.wire.srv-target-not-compressed", "RFC 2782 (Target)").vector(|_| {
            let mut m = Message::query(
                1,
                Question::new(name("_x._tcp.example.com"), RecordType::SRV),
            )
            .response();
            m.edns = None;
            let target = name("example.com");
            m.answers.push(Record::new(
                name("_x._tcp.example.com"),
                60,
                RData::Srv {
                    priority: 0,
                    weight: 0,
                    port: 1,
                    target: target.clone(),
                },
            ));
            let b = m.to_bytes().unwrap_or_default();
            // The target is the message's last name and must end in full.
            Outcome::from(check::ensure(b.ends_with(target.as_wire()), || {
                format!("SRV target compressed: {b:02x?}")
            }))
        }),
        Case::must("dns.wire.unknown-type-opaque", "RFC 3597 §3").vector(|_| {
            let mut m = Message::query(1, Question::new(name("x"), RecordType(65280))).response();
            m.edns = Some(Edns::default());
            m.answers.push(Record::new(
                name("x"),
                1,
                RData::Unknown {
                    rtype: RecordType(65280),
                    data: vec![0xc0, 12],
                },
            ));
            let back = m.to_bytes().and_then(|b| Message::parse(&b));
            Outcome::from(check::ensure(back.as_ref() == Ok(&m), || {
                format!("{back:?}")
            }))
        }),
        Case::must("dns.wire.ttl-top-bit-is-zero", "RFC 2181 §8").vector(|_| {
            let r = Record::new(name("x"), 0x8000_0000, RData::A([192, 0, 2, 1].into()));
            Outcome::from(check::ensure(r.ttl_secs() == 0, || {
                format!("ttl_secs {}", r.ttl_secs())
            }))
        }),
        Case::must("dns.wire.arbitrary-bytes-never-panic", "RFC 1035 §4.1").property(|ctx| {
            check_property(ctx, prop::collection::vec(any::<u8>(), 0..700), |b| {
                let _ = Message::parse(&b);
                Ok(())
            })
        }),
        Case::must("dns.wire.compressed-emit-parses-back", "RFC 1035 §4.1.4").property(|ctx| {
            let label = prop::sample::select(vec!["a", "Example", "com", "net", "www", "x-y"]);
            let names = prop::collection::vec(prop::collection::vec(label, 1..5), 1..12);
            check_property(ctx, names, |names| {
                let names: Vec<Name> = names.iter().map(|l| name(&l.join("."))).collect();
                let mut m =
                    Message::query(9, Question::new(names[0].clone(), RecordType::A)).response();
                for (i, n) in names.iter().enumerate() {
                    m.answers.push(Record::new(
                        n.clone(),
                        i as u32,
                        RData::Cname(names[(i + 1) % names.len()].clone()),
                    ));
                }
                let bytes = m
                    .to_bytes()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(Message::parse(&bytes), Ok(m));
                Ok(())
            })
        }),
    ]
}

/// A comparable view of an answer: the rcode and the answer section as a set
/// of (owner, type, RDATA) in lower case, TTLs left out (unbound counts them down).
pub(super) type Comparable = (u16, RecordSet);

/// Answer records as (owner, type, RDATA) strings.
pub(super) type RecordSet = BTreeSet<(String, String, String)>;

pub(super) fn comparable(rcode: Rcode, records: &[Record]) -> Comparable {
    let set = records
        .iter()
        .map(|r| {
            (
                r.name.to_lowercase().to_string(),
                r.rtype().to_string(),
                format!("{:?}", r.data).to_ascii_lowercase(),
            )
        })
        .collect();
    (rcode.0, set)
}

pub(super) fn ours(outcome: handshake_dns::Outcome) -> Comparable {
    use handshake_dns::Outcome as O;
    match outcome {
        O::Answer {
            mut cnames,
            records,
        } => {
            cnames.extend(records);
            comparable(Rcode::NOERROR, &cnames)
        }
        O::NxDomain { cnames, .. } => comparable(Rcode::NXDOMAIN, &cnames),
        O::NoData { cnames, .. } => comparable(Rcode::NOERROR, &cnames),
        O::ServFail(_) => comparable(Rcode::SERVFAIL, &[]),
    }
}

/// Starts the fixture Internet and reads its query list.
pub(super) fn fixture_net(ctx: &Ctx) -> Result<(dnsnet::DnsNet, Vec<Question>), Outcome> {
    let questions = dnsnet::queries().map_err(Outcome::Fail)?;
    let net = dnsnet::DnsNet::start(&ctx.artifacts).map_err(Outcome::Fail)?;
    Ok((net, questions))
}

/// The fixture root server, as root hints.
pub(super) fn fixture_root_hints() -> Vec<(Name, Vec<IpAddr>)> {
    vec![(name("a.root"), vec![IpAddr::from([127, 0, 0, 2])])]
}

/// dig's view of one query to unbound: status and answer records as
/// (owner, type, RDATA) in presentation format.
fn dig(q: &Question) -> Result<(String, RecordSet), String> {
    use crate::peers::dnsnet::UNBOUND;
    let out = std::process::Command::new("dig")
        .args([
            "+noall",
            "+comments",
            "+answer",
            "+tries=1",
            "+time=5",
            "-p",
            "53",
        ])
        .arg(format!("@{}", UNBOUND.ip()))
        .arg(q.name.to_string())
        .arg(q.qtype.to_string())
        .output()
        .map_err(|e| format!("running dig: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let status = text
        .lines()
        .find_map(|l| l.split("status: ").nth(1))
        .and_then(|s| s.split(',').next())
        .ok_or_else(|| format!("no status in dig's output: {text}"))?
        .to_string();
    let records = text
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 5).then(|| {
                (
                    f[0].to_ascii_lowercase(),
                    f[3].to_string(),
                    f[4..].join(" "),
                )
            })
        })
        .collect();
    Ok((status, records))
}

fn rcode_name(r: Rcode) -> String {
    match r {
        Rcode::NOERROR => "NOERROR".into(),
        Rcode::FORMERR => "FORMERR".into(),
        Rcode::SERVFAIL => "SERVFAIL".into(),
        Rcode::NXDOMAIN => "NXDOMAIN".into(),
        Rcode::NOTIMP => "NOTIMP".into(),
        Rcode::REFUSED => "REFUSED".into(),
        Rcode(n) => format!("RCODE{n}"),
    }
}

/// Our stub, pointed at unbound, sees what `dig @unbound` sees: the same
/// status and answer records, printed in the same presentation format.
fn stub_matches_dig(ctx: &mut Ctx) -> Outcome {
    use crate::peers::dnsnet::UNBOUND;
    let (net, questions) = match fixture_net(ctx) {
        Ok(x) => x,
        Err(fail) => return fail,
    };
    let mut problems = Vec::new();
    for q in questions {
        let ours = match handshake_io::dns::query(
            UNBOUND,
            &Message::query(0x0d16, q.clone()),
            std::time::Duration::from_secs(5),
        ) {
            Ok(m) => {
                let records: RecordSet = m
                    .answers
                    .iter()
                    .map(|r| {
                        (
                            r.name.to_lowercase().to_string(),
                            r.rtype().to_string(),
                            r.data.to_string(),
                        )
                    })
                    .collect();
                (rcode_name(m.rcode()), records)
            }
            Err(e) => {
                problems.push(format!("{} {}: our stub: {e}", q.name, q.qtype));
                continue;
            }
        };
        match dig(&q) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) => problems.push(format!(
                "{} {}: ours {ours:?}, dig {theirs:?}",
                q.name, q.qtype
            )),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "{}\n--- daemon logs ---\n{}",
            problems.join("\n"),
            net.logs()
        ))
    }
}

/// A UDP/IPv4 datagram carrying `payload`, built with our own emitters.
fn udp_v4(src: SocketAddr, dst: SocketAddr, payload: &[u8]) -> Result<Vec<u8>, String> {
    use handshake_ip::checksum::PseudoHeader;
    use handshake_ip::{IpProtocol, Ipv4Repr, UdpRepr};
    let (IpAddr::V4(s), IpAddr::V4(d)) = (src.ip(), dst.ip()) else {
        return Err("the fixture Internet is IPv4".into());
    };
    let udp = UdpRepr {
        src_port: src.port(),
        dst_port: dst.port(),
        payload,
    };
    let ip = Ipv4Repr::new(s, d, IpProtocol::UDP, udp.buffer_len());
    let mut buf = vec![0u8; ip.buffer_len()];
    let hl = ip.emit(&mut buf).map_err(|e| e.to_string())?;
    udp.emit(&mut buf[hl..], &PseudoHeader::V4 { src: s, dst: d })
        .map_err(|e| e.to_string())?;
    Ok(buf)
}

/// Every query our resolver sends is accepted by NSD (no FORMERR), every
/// response the servers send parses, and tshark's DNS dissector reads both
/// without complaint, with the IDs and names we used.
fn wire_accepted_and_dissected(ctx: &mut Ctx) -> Outcome {
    use crate::peers::{pcap, tshark};
    let (net, questions) = match fixture_net(ctx) {
        Ok(x) => x,
        Err(fail) => return fail,
    };
    let hints = fixture_root_hints();
    let mut exchanges = Vec::new();
    for q in questions {
        let mut lookup =
            handshake_dns::Iterative::new(q, &hints, handshake_dns::IterConfig::default());
        handshake_io::dns::resolve_observed(
            &mut lookup,
            std::time::Duration::from_millis(700),
            |x| exchanges.push(x),
        );
    }
    drop(net);
    let mut problems = Vec::new();
    let mut packets = Vec::new();
    // (id, is response, query name) tshark must read from each packet, in order.
    let mut expect: Vec<(u16, bool, String)> = Vec::new();
    let client: SocketAddr = ([127, 0, 0, 1], 0).into();
    for (i, x) in exchanges.iter().enumerate() {
        let Ok(query) = Message::parse(&x.query) else {
            problems.push(format!("our query {i} does not parse"));
            continue;
        };
        let qname = query
            .questions
            .first()
            .map(|q| q.name.to_string())
            .unwrap_or_default();
        // Each exchange gets its own client port, as the resolver's fresh sockets do.
        let me = SocketAddr::new(client.ip(), 20_000 + i as u16);
        let mut datagrams = vec![(me, x.server, &x.query[..], false)];
        for (from, bytes) in &x.responses {
            match Message::parse(bytes) {
                Ok(m) if m.rcode() == Rcode::FORMERR => {
                    problems.push(format!("{from} answered FORMERR to {qname}"))
                }
                Ok(_) => {}
                Err(e) => problems.push(format!(
                    "response from {from} to {qname} does not parse: {e}"
                )),
            }
            datagrams.push((*from, me, &bytes[..], true));
        }
        for (from, to, bytes, response) in datagrams {
            match udp_v4(from, to, bytes) {
                Ok(p) => {
                    packets.push(p);
                    expect.push((query.header.id, response, qname.clone()));
                }
                Err(e) => problems.push(e),
            }
        }
    }
    if exchanges.is_empty() {
        problems.push("no query was sent".into());
    }
    let path = ctx.artifacts.join("dns.pcap");
    if let Err(e) = pcap::write_raw_ip(&path, &packets) {
        return Outcome::Fail(e);
    }
    match tshark::dissect_as(
        &path,
        &["dns.id", "dns.flags.response", "dns.qry.name"],
        &[],
    ) {
        Ok(rows) if rows.len() == expect.len() => {
            for (i, (row, (id, response, qname))) in rows.iter().zip(&expect).enumerate() {
                problems.extend(row.errors.iter().map(|e| format!("packet {}: {e}", i + 1)));
                let got_id = row.fields[0]
                    .strip_prefix("0x")
                    .and_then(|h| u16::from_str_radix(h, 16).ok());
                let got_resp = matches!(row.fields[1].as_str(), "1" | "True" | "true");
                let got_name = format!("{}.", row.fields[2]).to_ascii_lowercase();
                if got_id != Some(*id)
                    || got_resp != *response
                    || got_name != qname.to_ascii_lowercase()
                {
                    problems.push(format!("packet {}: tshark read {:?}, we sent id {id:#06x} response {response} name {qname}", i + 1, row.fields));
                }
            }
        }
        Ok(rows) => problems.push(format!(
            "tshark read {} packets of {}",
            rows.len(),
            expect.len()
        )),
        Err(e) => problems.push(e),
    }
    if problems.is_empty() {
        if !ctx.keep_pcaps {
            let _ = std::fs::remove_file(&path);
        }
        Outcome::Pass
    } else {
        problems.truncate(8);
        Outcome::Fail(format!(
            "{}; capture at {}",
            problems.join("; "),
            path.display()
        ))
    }
}

/// The pipeline: the network answers first, the cache answers again without
/// a query (CNAME targets and negative answers included), the hosts file wins
/// over the network, and the stub expands names with the search list.
fn resolver_pipeline(ctx: &mut Ctx) -> Outcome {
    use crate::peers::dnsnet::{DnsNet, UNBOUND};
    use handshake_io::resolver::{BlockingResolver, Resolver, Source, Upstream};
    let net = match DnsNet::start(&ctx.artifacts) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let iterative = Upstream::Iterative {
        root_hints: fixture_root_hints(),
        config: handshake_dns::IterConfig::default(),
        timeout: std::time::Duration::from_millis(700),
    };
    let resolver = Resolver::new(Hosts::parse("192.0.2.200 pinned.example.com\n"), iterative);
    let mut r = match BlockingResolver::new(resolver) {
        Ok(r) => r,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let mut problems = Vec::new();
    let mut expect = |what: &str,
                      name: &str,
                      t: RecordType,
                      source: Source,
                      ok: fn(&handshake_dns::Outcome) -> bool| {
        match r.lookup(name, t) {
            Ok(a)
                if a.source == source
                    && ok(&a.outcome)
                    && (source != Source::Cache || a.queries == 0) => {}
            Ok(a) => problems.push(format!("{what}: {name} {t} gave {a:?}")),
            Err(e) => problems.push(format!("{what}: {name} {t}: {e}")),
        }
    };
    use handshake_dns::Outcome as O;
    expect(
        "first lookup",
        "www.example.com",
        RecordType::A,
        Source::Network,
        |o| matches!(o, O::Answer { .. }),
    );
    expect(
        "repeat",
        "www.example.com",
        RecordType::A,
        Source::Cache,
        |o| matches!(o, O::Answer { .. }),
    );
    expect(
        "cross-zone CNAME",
        "alias.example.com",
        RecordType::A,
        Source::Network,
        |o| matches!(o, O::Answer { cnames, .. } if cnames.len() == 1),
    );
    expect(
        "CNAME from cache",
        "alias.example.com",
        RecordType::A,
        Source::Cache,
        |o| matches!(o, O::Answer { cnames, .. } if cnames.len() == 1),
    );
    expect(
        "CNAME target cached",
        "www.other.com",
        RecordType::A,
        Source::Cache,
        |o| matches!(o, O::Answer { .. }),
    );
    expect(
        "NXDOMAIN",
        "nope.example.com",
        RecordType::A,
        Source::Network,
        |o| matches!(o, O::NxDomain { .. }),
    );
    expect(
        "negative cache",
        "nope.example.com",
        RecordType::A,
        Source::Cache,
        |o| matches!(o, O::NxDomain { .. }),
    );
    expect(
        "hosts file",
        "pinned.example.com",
        RecordType::A,
        Source::Hosts,
        |o| matches!(o, O::Answer { .. }),
    );
    let conf = handshake_dns::ResolvConf::parse(&format!(
        "nameserver {}\nsearch nope.invalid example.com\n",
        UNBOUND.ip()
    ));
    let Ok(mut stub) = BlockingResolver::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
    else {
        return Outcome::Fail("no runtime".into());
    };
    match stub.lookup("www", RecordType::A) {
        Ok(a) if matches!(&a.outcome, O::Answer { records, .. } if records[0].name == name("www.example.com")) =>
            {}
        other => problems.push(format!("stub search list: www gave {other:?}")),
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "{}\n--- daemon logs ---\n{}",
            problems.join("\n"),
            net.logs()
        ))
    }
}
