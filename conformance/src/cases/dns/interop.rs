//! `dns.interop.*`: Our resolvers beside unbound, hickory-resolver and dig on the fixture Internet (NSD on 127.0.0.x; the per-query cases also with Knot DNS and BIND 9).

use super::support::*;
use crate::peers::dnsnet;
use crate::peers::dnsnet::UNBOUND;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Message, Name, Question, Rcode, RecordType};
use handshake_dns::{Hosts, IterConfig, Iterative, Outcome as Lookup};
use handshake_io::resolver::{BlockingResolver, Resolver, Source, TraceStep, Upstream};
use handshake_time::Duration;
use std::net::{IpAddr, SocketAddr};

/// The fixture Internet and dig.
const DIG_NEEDS: &[crate::Need] = &[
    crate::Need::Root,
    dnsnet::NSD,
    dnsnet::UNBOUND_BIN,
    crate::Need::binary("dig", "dnsutils"),
];

/// The fixture Internet and tshark.
const TSHARK_NEEDS: &[crate::Need] = &[
    crate::Need::Root,
    dnsnet::NSD,
    dnsnet::UNBOUND_BIN,
    crate::peers::tshark::NEED,
];

/// Starts the fixture Internet and reads its query list.
pub(super) fn fixture_net(ctx: &Ctx) -> Result<(dnsnet::DnsNet, Vec<Question>), Outcome> {
    let questions = dnsnet::queries().map_err(Outcome::Fail)?;
    let net =
        dnsnet::DnsNet::start(&ctx.artifacts, dnsnet::Authority::Nsd).map_err(Outcome::Fail)?;
    Ok((net, questions))
}

/// The fixture root server, as root hints.
pub(super) fn fixture_root_hints() -> Vec<(Name, Vec<IpAddr>)> {
    vec![(name("a.root"), vec![IpAddr::from([127, 0, 0, 2])])]
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
        let generic: Vec<u16> = ours
            .1
            .iter()
            .filter_map(|(_, t, _)| t.strip_prefix("TYPE")?.parse().ok())
            .collect();
        match dig_generic(&q, &generic) {
            Ok(theirs) if theirs == ours => {}
            Ok(theirs) => problems.push(format!(
                "{} {}: ours {ours:?}, dig {theirs:?}",
                q.name, q.qtype
            )),
            Err(e) => problems.push(e),
        }
    }
    Outcome::from(net.verdict(&problems))
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
        if let Err(e) = handshake_io::dns::resolve_observed(
            &mut lookup,
            std::time::Duration::from_millis(700),
            |x| exchanges.push(x),
        ) {
            return Outcome::Fail(format!("our resolver's I/O: {e}"));
        }
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
    let net = match DnsNet::start(&ctx.artifacts, dnsnet::Authority::Nsd) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let iterative = Upstream::Iterative {
        root_hints: fixture_root_hints(),
        config: handshake_dns::IterConfig::default(),
        timeout: std::time::Duration::from_millis(700),
    };
    let resolver = Resolver::new(Hosts::parse("192.0.2.200 pinned.example.com\n"), iterative);
    let r = match BlockingResolver::new(resolver) {
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
    let Ok(stub) = BlockingResolver::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
    else {
        return Outcome::Fail("no runtime".into());
    };
    match stub.lookup("www", RecordType::A) {
        Ok(a) if matches!(&a.outcome, O::Answer { records, .. } if records[0].name == name("www.example.com")) =>
            {}
        other => problems.push(format!("stub search list: www gave {other:?}")),
    }
    Outcome::from(net.verdict(&problems))
}

fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

/// One case per line of fixtures/dns/queries.txt and authoritative
/// implementation: our iterative resolver beside unbound for that name and
/// type, under the requirement the line names, with the fixture zones served
/// by NSD (`dns.interop.iterative.<slug>`), Knot DNS (`<slug>-knot`) or
/// BIND 9 (`<slug>-bind`). The file is read at run time, so a new query is
/// three new cases.
fn per_query_cases() -> Vec<Case> {
    let queries = match dnsnet::fixture_queries() {
        Ok(q) => q,
        Err(e) => {
            return vec![
                Case::must("dns.interop.iterative.queries-file", "RFC 1034 §5.3.3")
                    .interop_peer(move |_| Outcome::Fail(format!("fixtures/dns/queries.txt: {e}"))),
            ]
        }
    };
    dnsnet::Authority::ALL
        .into_iter()
        .flat_map(|authority| {
            queries.iter().map(move |q| {
                let (qname, qtype) = (q.name.to_string(), q.qtype);
                Case::must(
                    format!("dns.interop.iterative.{}{}", q.slug, authority.suffix()),
                    q.spec.clone(),
                )
                .needs(authority.needs())
                .interop_peer(move |ctx| iterative_agrees(ctx, &qname, qtype, authority))
            })
        })
        .collect()
}

/// Our iterative resolver (with and without QNAME minimisation, RFC 9156)
/// and unbound, from the same root hints, give the same rcode and the same
/// answer records (CNAMEs included) for one fixture query, the zones served
/// by `authority`.
fn iterative_agrees(
    ctx: &mut Ctx,
    qname: &str,
    qtype: RecordType,
    authority: dnsnet::Authority,
) -> Outcome {
    let q = Question::new(name(qname), qtype);
    let net = match dnsnet::DnsNet::start(&ctx.artifacts, authority) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let theirs = match handshake_io::dns::query(
        UNBOUND,
        &Message::query(0x5eed, q.clone()),
        Duration::from_secs(5),
    ) {
        Ok(m) => comparable(m.rcode(), &m.answers),
        Err(e) => return Outcome::Fail(format!("unbound: {e}\n{}", net.logs())),
    };
    let (theirs, dnames) = without_dnames(theirs);
    if !dnames.is_empty() {
        // Reported, not failed: see `without_dnames`.
        ctx.measurement = Some(format!(
            "{}: unbound's answer also holds the DNAME {dnames:?}; ours, the synthesized CNAME only",
            authority.name()
        ));
    }
    let mut problems = Vec::new();
    for minimise in [false, true] {
        let config = IterConfig {
            qname_minimisation: minimise,
            ..IterConfig::default()
        };
        let mut lookup = Iterative::new(q.clone(), &fixture_root_hints(), config);
        let mine = match handshake_io::dns::resolve(&mut lookup, Duration::from_millis(700)) {
            Ok(outcome) => ours(outcome),
            Err(e) => return Outcome::Fail(format!("our resolver's I/O: {e}")),
        };
        if mine != theirs {
            problems.push(format!(
                "minimisation {minimise}: ours {mine:?}, unbound {theirs:?}"
            ));
        }
    }
    Outcome::from(check::ensure(problems.is_empty(), || {
        format!("{qname} {qtype}: {}\n{}", problems.join("; "), net.logs())
    }))
}

/// Splits the DNAME records (type 39) off an answer. Our resolver does not
/// model DNAME: it follows the CNAME every server synthesizes beside it
/// (RFC 6672 §3.1, there for resolvers that do not understand DNAME), so
/// its answer is the synthesized CNAME and what it leads to, while unbound
/// also returns the DNAME. The rest of the answer must still agree.
fn without_dnames((rcode, records): Comparable) -> (Comparable, Vec<String>) {
    let (dnames, rest): (RecordSet, RecordSet) = records
        .into_iter()
        .partition(|(_, rtype, _)| rtype == "TYPE39" || rtype == "DNAME");
    let dnames = dnames.into_iter().map(|(owner, _, _)| owner).collect();
    ((rcode, rest), dnames)
}

/// How a lookup ended, in terms both resolvers can express: the class of
/// outcome and, for answers, the records (CNAMEs included) as
/// (owner, type, RDATA) in lower case.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Answer(Comparable),
    NxDomain,
    NoData,
    Failure(u16),
}

fn our_verdict(outcome: Lookup) -> Verdict {
    match outcome {
        Lookup::Answer {
            mut cnames,
            records,
        } => {
            cnames.extend(records);
            Verdict::Answer(comparable(Rcode::NOERROR, &cnames))
        }
        Lookup::NxDomain { .. } => Verdict::NxDomain,
        Lookup::NoData { .. } => Verdict::NoData,
        Lookup::ServFail(_) => Verdict::Failure(Rcode::SERVFAIL.0),
    }
}

/// hickory's answer records, re-read through our parser (a message hickory
/// emits) so both sides print RDATA the same way.
fn hickory_verdict(
    got: Result<hickory_resolver::lookup::Lookup, hickory_resolver::net::NetError>,
) -> Result<Verdict, String> {
    use hickory_proto::op::{Message as HMessage, MessageType, OpCode};
    use hickory_resolver::net::{DnsError, NetError, NoRecords};
    match got {
        Ok(lookup) => {
            let mut m = HMessage::new(0, MessageType::Response, OpCode::Query);
            m.add_answers(lookup.answers().iter().cloned());
            let bytes = m.to_vec().map_err(|e| format!("hickory emit: {e}"))?;
            let back =
                Message::parse(&bytes).map_err(|e| format!("re-reading hickory's records: {e}"))?;
            // hickory returns the DNAME beside its synthesized CNAME, as
            // unbound does; ours follows the CNAME only (see `without_dnames`).
            let (answer, _dnames) = without_dnames(comparable(Rcode::NOERROR, &back.answers));
            Ok(Verdict::Answer(answer))
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(NoRecords { response_code, .. }))) => {
            Ok(match u16::from(response_code) {
                0 => Verdict::NoData,
                3 => Verdict::NxDomain,
                code => Verdict::Failure(code),
            })
        }
        // 0.26 reports SERVFAIL and REFUSED as the response code itself.
        Err(NetError::Dns(DnsError::ResponseCode(code))) => Ok(Verdict::Failure(u16::from(code))),
        Err(e) => Err(format!("hickory: {e}")),
    }
}

/// hickory-resolver and our stub, both pointed at unbound, agree on every
/// fixture query: the same outcome (answer, NXDOMAIN, NODATA, failure) and,
/// for answers, the same records in any order.
fn hickory_agrees(ctx: &mut Ctx) -> Outcome {
    use hickory_resolver::config::{
        ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
    };
    use hickory_resolver::net::runtime::TokioRuntimeProvider;
    let (net, questions) = match fixture_net(ctx) {
        Ok(x) => x,
        Err(fail) => return fail,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    // unbound on its port, over UDP and TCP, its negative answers trusted.
    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()].map(|mut c| {
        c.port = UNBOUND.port();
        c
    });
    let servers = vec![NameServerConfig::new(
        UNBOUND.ip(),
        true,
        connections.to_vec(),
    )];
    let mut opts = ResolverOpts::default();
    opts.use_hosts_file = ResolveHosts::Never;
    opts.edns0 = true;
    opts.attempts = 1;
    opts.timeout = Duration::from_secs(5);
    opts.preserve_intermediates = true;
    let hickory = hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], servers),
        TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build();
    let hickory = match hickory {
        Ok(h) => h,
        Err(e) => return Outcome::Fail(format!("hickory-resolver: {e}")),
    };
    let conf = handshake_dns::ResolvConf {
        nameservers: vec![UNBOUND],
        attempts: 1,
        ..handshake_dns::ResolvConf::default()
    };
    let stub = Resolver::new(handshake_dns::Hosts::default(), Upstream::Stub(conf));
    let mut problems = Vec::new();
    for q in &questions {
        let fqdn = q.name.to_string();
        let hickory_qtype = hickory_proto::rr::RecordType::from(q.qtype.0);
        let (mine, theirs) = runtime.block_on(async {
            (
                stub.lookup(&fqdn, q.qtype).await,
                hickory.lookup(fqdn.as_str(), hickory_qtype).await,
            )
        });
        let mine = match mine {
            Ok(a) => our_verdict(a.outcome),
            Err(e) => {
                problems.push(format!("{fqdn} {}: our stub: {e}", q.qtype));
                continue;
            }
        };
        match hickory_verdict(theirs) {
            Ok(theirs) if theirs == mine => {}
            Ok(theirs) => problems.push(format!(
                "{fqdn} {}: ours {mine:?}, hickory {theirs:?}",
                q.qtype
            )),
            Err(e) => problems.push(format!("{fqdn} {}: {e}; ours {mine:?}", q.qtype)),
        }
    }
    Outcome::from(net.verdict(&problems))
}

/// The pipeline's trace of `www.example.com. A` from cold shows the
/// delegation path RFC 1034 §5.3.3 walks: the root, a referral to com, the
/// com server, a referral to example.com, its server; the repeat is one
/// cache hit.
fn referral_chain_traced(ctx: &mut Ctx) -> Outcome {
    let net = match dnsnet::DnsNet::start(&ctx.artifacts, dnsnet::Authority::Nsd) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let upstream = Upstream::Iterative {
        root_hints: fixture_root_hints(),
        config: IterConfig::default(),
        timeout: Duration::from_millis(700),
    };
    let r = match BlockingResolver::new(Resolver::new(handshake_dns::Hosts::default(), upstream)) {
        Ok(r) => r,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let first = r.lookup("www.example.com", RecordType::A);
    let again = r.lookup("www.example.com", RecordType::A);
    let (first, again) = match (first, again) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e.to_string()),
    };
    let path: Vec<String> = first
        .trace
        .iter()
        .filter_map(|s| match s {
            TraceStep::Iterative(handshake_dns::TraceEvent::Asked { server, .. }) => {
                Some(format!("ask {}", server.ip()))
            }
            TraceStep::Iterative(handshake_dns::TraceEvent::Referral { zone, .. }) => {
                Some(format!("referral {zone}"))
            }
            _ => None,
        })
        .collect();
    let want = [
        "ask 127.0.0.2",
        "referral com.",
        "ask 127.0.0.3",
        "referral example.com.",
        "ask 127.0.0.10",
    ];
    let cache_hit = again.source == Source::Cache
        && matches!(again.trace.as_slice(), [TraceStep::CacheHit { .. }]);
    let starts_with_miss = matches!(first.trace.first(), Some(TraceStep::CacheMiss { .. }));
    Outcome::from(check::ensure(
        path == want && cache_hit && starts_with_miss,
        || {
            let lines: Vec<String> = first.trace.iter().map(ToString::to_string).collect();
            format!(
                "trace:\n  {}\nrepeat: {:?}\n{}",
                lines.join("\n  "),
                again.trace,
                net.logs()
            )
        },
    ))
}

/// The `dns.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = vec![
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
            "dns.interop.hickory-agrees-with-stub",
            "RFC 1034 §5.3.1; RFC 2308 §2; RFC 7766 §5",
        )
        .needs(dnsnet::NEEDS)
        .interop_peer(hickory_agrees),
        Case::must("dns.interop.referral-chain-traced", "RFC 1034 §5.3.3")
            .needs(dnsnet::NEEDS)
            .interop_peer(referral_chain_traced),
    ];
    all.extend(per_query_cases());
    all
}
