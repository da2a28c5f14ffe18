//! `dns.iterative.*`: The iterative resolver against in-process authorities: referrals, lame delegations, loops and limits.

use crate::{Case, Ctx, Outcome};
use handshake_dns::wire::{Message, Name, Question, RData, Rcode, Record, RecordType, Soa};
use handshake_dns::{IterConfig, Iterative, Outcome as Lookup, ServFail, Step, TraceEvent};
use std::net::{IpAddr, Ipv4Addr};

fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

fn ip(a: u8, b: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, a, b))
}

const ROOT: u8 = 1;

fn hints() -> Vec<(Name, Vec<IpAddr>)> {
    vec![(name("a.root"), vec![ip(2, ROOT)])]
}

fn soa(zone: &str) -> Record {
    Record::new(
        name(zone),
        300,
        RData::Soa(Box::new(Soa {
            mname: name("ns.invalid"),
            rname: name("hostmaster.invalid"),
            serial: 1,
            refresh: 1,
            retry: 1,
            expire: 1,
            minimum: 60,
        })),
    )
}

/// A referral to `child`, served by `servers` (name, glue address if any).
fn referral(q: &Message, child: &str, servers: &[(&str, Option<IpAddr>)]) -> Message {
    let mut r = q.response();
    for (ns, glue) in servers {
        r.authorities
            .push(Record::new(name(child), 300, RData::Ns(name(ns))));
        if let Some(IpAddr::V4(a)) = glue {
            r.additionals.push(Record::new(name(ns), 300, RData::A(*a)));
        }
    }
    r
}

/// An authoritative answer with `records` (empty: NODATA with the zone's SOA).
fn answer(q: &Message, zone: &str, records: Vec<Record>) -> Message {
    let mut r = q.response();
    r.header.authoritative = true;
    if records.is_empty() {
        r.authorities.push(soa(zone));
    }
    r.answers = records;
    r
}

/// NXDOMAIN from the zone's server, with its SOA.
fn nxdomain(q: &Message, zone: &str) -> Message {
    let mut r = answer(q, zone, vec![]);
    r.set_rcode(Rcode::NXDOMAIN);
    r
}

/// The root (see [`root`]) and, at every other address, `zone`.
fn under_root(
    zone: impl Fn(&Message) -> Message,
) -> impl FnMut(IpAddr, &Message) -> Option<Message> {
    move |server, q| {
        Some(if server == ip(2, ROOT) {
            root(q)
        } else {
            zone(q)
        })
    }
}

/// The default configuration with QNAME minimisation (RFC 9156) on.
fn minimising() -> IterConfig {
    IterConfig {
        qname_minimisation: true,
        ..IterConfig::default()
    }
}

fn with_rcode(q: &Message, rcode: Rcode) -> Message {
    let mut r = q.response();
    r.set_rcode(rcode);
    r
}

fn qname(q: &Message) -> Name {
    q.questions
        .first()
        .map_or_else(Name::root, |q| q.name.clone())
}

/// One query the resolver sent: to whom, and the question in lower case.
type Sent = (IpAddr, String, RecordType);

/// Runs `lookup` against `respond` (None: the server is silent) for at most
/// 1000 steps; returns the outcome and every query sent.
fn drive(
    lookup: &mut Iterative,
    mut respond: impl FnMut(IpAddr, &Message) -> Option<Message>,
    ctx: &Ctx,
) -> Result<(Lookup, Vec<Sent>), String> {
    let mut rng = ctx.rng();
    let mut sent = Vec::new();
    for _ in 0..1000 {
        match lookup.poll(&mut rng) {
            Step::Done(o) => return Ok((o, sent)),
            Step::Wait => return Err("asked to wait with nothing outstanding".into()),
            Step::Query {
                server, message, ..
            } => {
                let q = message
                    .questions
                    .first()
                    .ok_or("a query without a question")?;
                sent.push((server.ip(), q.name.to_lowercase().to_string(), q.qtype));
                match respond(server.ip(), &message) {
                    Some(r) => lookup.handle_response(server, &r),
                    None => lookup.handle_timeout(),
                }
            }
        }
    }
    Err("the lookup did not end within 1000 steps".into())
}

fn new_lookup(qname: &str, qtype: RecordType, config: IterConfig) -> Iterative {
    Iterative::new(Question::new(name(qname), qtype), &hints(), config)
}

fn a(owner: &Name, last: u8) -> Record {
    Record::new(owner.clone(), 300, RData::A(Ipv4Addr::new(192, 0, 2, last)))
}

/// The root refers every name under example. and other. to their own servers.
fn root(q: &Message) -> Message {
    let n = qname(q);
    if n.is_subdomain_of(&name("example")) {
        referral(q, "example", &[("ns.example", Some(ip(2, 10)))])
    } else if n.is_subdomain_of(&name("other")) {
        referral(q, "other", &[("ns.other", Some(ip(2, 20)))])
    } else {
        nxdomain(q, ".")
    }
}

/// RFC 1034 §3.6.2: a CNAME chain that spans zones and comes back is a loop,
/// and the lookup ends in SERVFAIL after a handful of queries.
fn cname_loop_across_zones(ctx: &mut Ctx) -> Outcome {
    let mut l = new_lookup("a.example", RecordType::A, IterConfig::default());
    let run = drive(
        &mut l,
        |server, q| {
            let n = qname(q);
            Some(match server {
                s if s == ip(2, ROOT) => root(q),
                s if s == ip(2, 10) => answer(
                    q,
                    "example",
                    vec![Record::new(n, 300, RData::Cname(name("b.other")))],
                ),
                _ => answer(
                    q,
                    "other",
                    vec![Record::new(n, 300, RData::Cname(name("a.example")))],
                ),
            })
        },
        ctx,
    );
    match run {
        Ok((Lookup::ServFail(ServFail::Loop), sent)) if sent.len() <= 4 => Outcome::Pass,
        Ok((o, sent)) => Outcome::Fail(format!("{o:?} after {} queries: {sent:?}", sent.len())),
        Err(e) => Outcome::Fail(e),
    }
}

/// A server that refers each query one zone deeper, forever: the resolver
/// stops at `max_referrals` (RFC 1034 §5.3.3 bounds the work of a lookup).
fn referral_depth_limit(ctx: &mut Ctx) -> Outcome {
    let labels: Vec<String> = (0..60).map(|i| format!("l{i}")).collect();
    let qname = labels.join(".");
    let config = IterConfig::default();
    let mut l = new_lookup(&qname, RecordType::A, config);
    let full = name(&qname);
    let mut depth = 0usize;
    let run = drive(
        &mut l,
        |_, q| {
            // The k-th query is referred to the zone of the name's last k labels.
            depth += 1;
            let child: Vec<&[u8]> = full.labels().skip(full.label_count() - depth).collect();
            let child = Name::from_labels(child).ok()?.to_string();
            let ns = format!("ns.{child}");
            Some(referral(q, &child, &[(&ns, Some(ip(2, ROOT)))]))
        },
        ctx,
    );
    let referrals = l
        .trace()
        .iter()
        .filter(|e| matches!(e, TraceEvent::Referral { .. }))
        .count();
    match run {
        Ok((Lookup::ServFail(ServFail::ReferralLimit), sent))
            if referrals == usize::from(config.max_referrals) && sent.len() == referrals + 1 =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!(
            "{o:?} after {referrals} referrals and {} queries",
            sent.len()
        )),
        Err(e) => Outcome::Fail(e),
    }
}

/// 150 servers for one zone, each answering SERVFAIL: the lookup gives up
/// after exactly `max_queries` queries (RFC 1035 §7.1 limits the work).
fn total_query_limit(ctx: &mut Ctx) -> Outcome {
    let config = IterConfig::default();
    let mut l = new_lookup("www.example", RecordType::A, config);
    let servers: Vec<(String, IpAddr)> = (0..150u16)
        .map(|i| {
            (
                format!("ns{i}.example"),
                IpAddr::V4(Ipv4Addr::new(198, 51, (i >> 8) as u8 + 100, i as u8)),
            )
        })
        .collect();
    let run = drive(
        &mut l,
        |server, q| {
            if server == ip(2, ROOT) {
                let list: Vec<(&str, Option<IpAddr>)> = servers
                    .iter()
                    .map(|(n, a)| (n.as_str(), Some(*a)))
                    .collect();
                Some(referral(q, "example", &list))
            } else {
                Some(with_rcode(q, Rcode::SERVFAIL))
            }
        },
        ctx,
    );
    match run {
        Ok((Lookup::ServFail(ServFail::BudgetExhausted), sent))
            if sent.len() == usize::from(config.max_queries) =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!("{o:?} after {} queries", sent.len())),
        Err(e) => Outcome::Fail(e),
    }
}

/// Two servers for a zone, the first lame (not authoritative, no referral):
/// its response is set aside and the second answers (RFC 1034 §5.3.3 step 4d).
fn lame_delegation(ctx: &mut Ctx) -> Outcome {
    rejected_then_next(
        ctx,
        |q| {
            let mut lame = q.response();
            lame.header.recursion_available = true;
            lame
        },
        "lame",
    )
}

/// The first server answers SERVFAIL: the resolver asks the next one
/// (RFC 1034 §5.3.3 step 4d: "server failure ... try the next").
fn servfail_next_server(ctx: &mut Ctx) -> Outcome {
    rejected_then_next(ctx, |q| with_rcode(q, Rcode::SERVFAIL), "rcode 2")
}

fn rejected_then_next(ctx: &Ctx, first: fn(&Message) -> Message, why: &str) -> Outcome {
    let mut l = new_lookup("www.example", RecordType::A, IterConfig::default());
    let bad = ip(2, 10);
    let good = ip(2, 11);
    let run = drive(
        &mut l,
        |server, q| {
            Some(match server {
                s if s == ip(2, ROOT) => referral(
                    q,
                    "example",
                    &[("ns1.example", Some(bad)), ("ns2.example", Some(good))],
                ),
                s if s == bad => first(q),
                _ => answer(q, "example", vec![a(&qname(q), 80)]),
            })
        },
        ctx,
    );
    let rejected = l.trace().iter().any(|e| {
        matches!(e, TraceEvent::Rejected { server, why: w } if server.ip() == bad && w.contains(why))
    });
    match run {
        Ok((Lookup::Answer { records, .. }, sent))
            if records.len() == 1 && rejected && sent.len() == 3 =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!(
            "{o:?}; first server's response rejected ({why}): {rejected}; queries {sent:?}"
        )),
        Err(e) => Outcome::Fail(e),
    }
}

/// The com server hands out "glue" for ns.other.net, a name outside com:
/// the resolver must not use it (RFC 2181 §5.4.1, RFC 5452 §6) and looks
/// the name server up through net instead.
fn out_of_bailiwick_glue(ctx: &mut Ctx) -> Outcome {
    let poison = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 66));
    let (com, net, other) = (ip(2, 2), ip(2, 3), ip(2, 20));
    let mut l = new_lookup("www.other.com", RecordType::A, IterConfig::default());
    let run = drive(
        &mut l,
        |server, q| {
            let n = qname(q);
            Some(match server {
                s if s == ip(2, ROOT) && n.is_subdomain_of(&name("com")) => {
                    referral(q, "com", &[("ns.com", Some(com))])
                }
                s if s == ip(2, ROOT) => referral(q, "net", &[("ns.net", Some(net))]),
                s if s == com => referral(q, "other.com", &[("ns.other.net", Some(poison))]),
                s if s == net => {
                    if n == name("ns.other.net") {
                        answer(
                            q,
                            "net",
                            vec![Record::new(n, 300, RData::A(Ipv4Addr::new(192, 0, 2, 20)))],
                        )
                    } else {
                        answer(q, "net", vec![])
                    }
                }
                s if s == other => answer(q, "other.com", vec![a(&n, 81)]),
                // The poisoned address answers with poison.
                _ => answer(
                    q,
                    "other.com",
                    vec![Record::new(n, 300, RData::A(Ipv4Addr::new(203, 0, 113, 6)))],
                ),
            })
        },
        ctx,
    );
    match run {
        Ok((Lookup::Answer { records, .. }, sent))
            if records
                .iter()
                .all(|r| r.data == RData::A(Ipv4Addr::new(192, 0, 2, 81)))
                && !records.is_empty()
                && sent.iter().all(|(s, _, _)| *s != poison)
                && sent
                    .iter()
                    .any(|(s, n, _)| *s == net && n == "ns.other.net.") =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!("{o:?}; queries {sent:?}")),
        Err(e) => Outcome::Fail(e),
    }
}

/// RFC 9156 §3: with QNAME minimisation each server hears one label more
/// than the zone it serves, with QTYPE A, and the real question goes only
/// to the server of the name's own zone; an empty non-terminal (NODATA)
/// adds one label more at the same servers.
fn qname_minimisation_steps(ctx: &mut Ctx) -> Outcome {
    let config = minimising();
    let (com, zone) = (ip(2, 2), ip(2, 10));
    let mut l = new_lookup("a.b.c.example.com", RecordType::MX, config);
    let target = name("a.b.c.example.com");
    let run = drive(
        &mut l,
        |server, q| {
            let n = qname(q);
            Some(match server {
                s if s == ip(2, ROOT) => referral(q, "com", &[("ns.com", Some(com))]),
                s if s == com => referral(q, "example.com", &[("ns.example.com", Some(zone))]),
                _ if n == target => {
                    let qtype = q.questions[0].qtype;
                    let data = RData::Mx {
                        preference: 10,
                        exchange: name("mx.example.com"),
                    };
                    let records = if qtype == RecordType::MX {
                        vec![Record::new(n, 300, data)]
                    } else {
                        vec![]
                    };
                    answer(q, "example.com", records)
                }
                // c.example.com and b.c.example.com exist only as empty non-terminals.
                _ => answer(q, "example.com", vec![]),
            })
        },
        ctx,
    );
    let want: Vec<Sent> = vec![
        (ip(2, ROOT), "com.".into(), RecordType::A),
        (com, "example.com.".into(), RecordType::A),
        (zone, "c.example.com.".into(), RecordType::A),
        (zone, "b.c.example.com.".into(), RecordType::A),
        (zone, "a.b.c.example.com.".into(), RecordType::MX),
    ];
    match run {
        Ok((Lookup::Answer { records, .. }, sent)) if records.len() == 1 && sent == want => {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!("{o:?}; sent {sent:?}, want {want:?}")),
        Err(e) => Outcome::Fail(e),
    }
}

/// RFC 2308 §5: a negative answer (NXDOMAIN, and NODATA for a type the name
/// lacks) comes back with the zone's SOA from the authority section, which
/// negative caching takes its TTL from.
fn negative_answers_keep_the_soa(ctx: &mut Ctx) -> Outcome {
    let RData::Soa(want) = soa("example").data else {
        return Outcome::Fail("the case's SOA is not an SOA".into());
    };
    let zone = |q: &Message| {
        if qname(q) == name("www.example") {
            // www.example has an A record and nothing else.
            let records = if q.questions[0].qtype == RecordType::A {
                vec![a(&qname(q), 80)]
            } else {
                vec![]
            };
            answer(q, "example", records)
        } else {
            nxdomain(q, "example")
        }
    };
    let mut problems = Vec::new();
    for (qname, qtype, nx) in [
        ("nope.example", RecordType::A, true),
        ("www.example", RecordType::AAAA, false),
    ] {
        let mut l = new_lookup(qname, qtype, IterConfig::default());
        let run = drive(&mut l, under_root(zone), ctx);
        match run {
            Ok((Lookup::NxDomain { soa: Some(s), .. }, _))
                if nx && s.data == RData::Soa(want.clone()) => {}
            Ok((Lookup::NoData { soa: Some(s), .. }, _))
                if !nx && s.data == RData::Soa(want.clone()) => {}
            other => problems.push(format!("{qname} {qtype}: {other:?}")),
        }
    }
    Outcome::from(crate::check::ensure(problems.is_empty(), || {
        format!("want the zone's SOA {want:?}: {}", problems.join("; "))
    }))
}

/// RFC 1034 §5.3.3 step 4a: a response whose answer holds a CNAME chain
/// inside the zone and the record at its end answers the question: no
/// further query for the canonical name.
fn in_zone_cname_chain_used(ctx: &mut Ctx) -> Outcome {
    let mut l = new_lookup("inner.example", RecordType::A, IterConfig::default());
    let www = name("www.example");
    let run = drive(
        &mut l,
        |server, q| {
            Some(if server == ip(2, ROOT) {
                root(q)
            } else if qname(q) == name("inner.example") {
                let chain = Record::new(qname(q), 300, RData::Cname(www.clone()));
                answer(q, "example", vec![chain, a(&www, 80)])
            } else {
                answer(q, "example", vec![a(&qname(q), 80)])
            })
        },
        ctx,
    );
    match run {
        Ok((Lookup::Answer { cnames, records }, sent))
            if cnames.len() == 1 && records == [a(&www, 80)] && sent.len() == 2 =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!("{o:?} after queries {sent:?}; want 2 queries")),
        Err(e) => Outcome::Fail(e),
    }
}

/// Every server of the zone silent: the lookup ends in failure after a
/// bounded number of queries (RFC 1034 §5.3.3 step 4d; RFC 1035 §7.2), it
/// neither hangs nor invents an answer.
fn no_server_answers(ctx: &mut Ctx) -> Outcome {
    let config = IterConfig::default();
    let mut l = new_lookup("www.example", RecordType::A, config);
    let run = drive(
        &mut l,
        |server, q| (server == ip(2, ROOT)).then(|| root(q)),
        ctx,
    );
    match run {
        Ok((Lookup::ServFail(_), sent))
            if sent.iter().any(|(s, ..)| *s == ip(2, 10))
                && sent.len() <= usize::from(config.max_queries) =>
        {
            Outcome::Pass
        }
        Ok((o, sent)) => Outcome::Fail(format!("{o:?} after queries {sent:?}")),
        Err(e) => Outcome::Fail(e),
    }
}

/// RFC 9156 §3 and RFC 8020 §2: with QNAME minimisation, NXDOMAIN for a
/// minimised name means nothing exists below it: the lookup ends there.
fn minimised_nxdomain_stops(ctx: &mut Ctx) -> Outcome {
    let config = minimising();
    let mut l = new_lookup("a.b.nope.example", RecordType::A, config);
    let run = drive(&mut l, under_root(|q| nxdomain(q, "example")), ctx);
    let want: Vec<Sent> = vec![
        (ip(2, ROOT), "example.".into(), RecordType::A),
        (ip(2, 10), "nope.example.".into(), RecordType::A),
    ];
    match run {
        Ok((Lookup::NxDomain { .. }, sent)) if sent == want => Outcome::Pass,
        Ok((o, sent)) => Outcome::Fail(format!("{o:?}; sent {sent:?}, want {want:?}")),
        Err(e) => Outcome::Fail(e),
    }
}

/// The `dns.iterative.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.iterative.cname-loop-across-zones",
            "RFC 1034 §3.6.2; RFC 1035 §7.1",
        )
        .simulation(cname_loop_across_zones),
        Case::must(
            "dns.iterative.referral-depth-limit",
            "RFC 1034 §5.3.3; RFC 1035 §7.1",
        )
        .simulation(referral_depth_limit),
        Case::must(
            "dns.iterative.total-query-limit",
            "RFC 1035 §7.1; RFC 1034 §5.3.3",
        )
        .simulation(total_query_limit),
        Case::must(
            "dns.iterative.lame-server-skipped",
            "RFC 1034 §5.3.3 step 4d; RFC 4697 §2.1",
        )
        .simulation(lame_delegation),
        Case::must(
            "dns.iterative.servfail-tries-next-server",
            "RFC 1034 §5.3.3 step 4d; RFC 1035 §7.2",
        )
        .simulation(servfail_next_server),
        Case::must(
            "dns.iterative.out-of-bailiwick-glue-ignored",
            "RFC 2181 §5.4.1; RFC 5452 §6",
        )
        .simulation(out_of_bailiwick_glue),
        Case::should("dns.iterative.qname-minimisation-steps", "RFC 9156 §3")
            .simulation(qname_minimisation_steps),
        Case::must(
            "dns.iterative.negative-answers-keep-the-soa",
            "RFC 2308 §5 (NXDOMAIN and NODATA keep the zone's SOA for negative caching)",
        )
        .simulation(negative_answers_keep_the_soa),
        Case::should(
            "dns.iterative.in-zone-cname-chain-used",
            "RFC 1034 §5.3.3 step 4a, §3.6.2 (a chain answered in one response is not asked again)",
        )
        .simulation(in_zone_cname_chain_used),
        Case::must(
            "dns.iterative.no-server-answers-servfail",
            "RFC 1034 §5.3.3 step 4d; RFC 1035 §7.2 (every server silent: a bounded failure)",
        )
        .simulation(no_server_answers),
        Case::should(
            "dns.iterative.qname-minimisation-nxdomain-stops",
            "RFC 9156 §3; RFC 8020 §2 (NXDOMAIN for a minimised name ends the lookup)",
        )
        .simulation(minimised_nxdomain_stops),
    ]
}
