//! The iterative resolver's own contract, against a small in-memory Internet
//! of authoritative servers: the answer in the caller's spelling under DNS
//! 0x20, the trace's truncation event, and the configurable limits. What the
//! RFCs require of it (referrals, glue, CNAMEs, negative answers, loops,
//! forgeries, timeouts, truncation, QNAME minimisation) is checked by the
//! `dns.iterative.*`, `dns.scenario.*` and `dns.interop.*` conformance cases.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use handshake_dns::wire::{Message, Name, Question, RData, Rcode, Record, RecordType, Soa};
use handshake_dns::{IterConfig, Iterative, Outcome, Step, TraceEvent};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn n(s: &str) -> Name {
    s.parse().unwrap()
}

fn ip(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
}

fn a(name: &str, last: u8) -> Record {
    Record::new(n(name), 300, RData::A(Ipv4Addr::new(192, 0, 2, last)))
}

fn ns(zone: &str, server: &str) -> Record {
    Record::new(n(zone), 300, RData::Ns(n(server)))
}

fn cname(from: &str, to: &str) -> Record {
    Record::new(n(from), 300, RData::Cname(n(to)))
}

fn soa(zone: &str) -> Record {
    Record::new(
        n(zone),
        300,
        RData::Soa(Box::new(Soa {
            mname: n("ns.invalid"),
            rname: n("hostmaster.invalid"),
            serial: 1,
            refresh: 1,
            retry: 1,
            expire: 1,
            minimum: 60,
        })),
    )
}

/// One zone on an authoritative server: its records, delegations and glue included.
struct Zone {
    origin: Name,
    records: Vec<Record>,
}

impl Zone {
    fn new(origin: &str, mut records: Vec<Record>) -> Zone {
        records.push(soa(origin));
        Zone {
            origin: n(origin),
            records,
        }
    }

    /// RFC 1034 §4.3.2, simplified: referral, answer (with in-zone CNAME chain), NODATA or NXDOMAIN.
    fn answer(&self, q: &Question, resp: &mut Message) {
        let qname = &q.name;
        // A delegation: NS records at a name between the origin and the query name.
        let cut = self.records.iter().find(|r| {
            r.rtype() == RecordType::NS && r.name != self.origin && qname.is_subdomain_of(&r.name)
        });
        if let Some(cut) = cut {
            let child = cut.name.clone();
            for r in self
                .records
                .iter()
                .filter(|r| r.name == child && r.rtype() == RecordType::NS)
            {
                resp.authorities.push(r.clone());
                let RData::Ns(server) = &r.data else { continue };
                resp.additionals.extend(
                    self.records
                        .iter()
                        .filter(|g| &g.name == server && g.rtype() == RecordType::A)
                        .cloned(),
                );
            }
            return;
        }
        resp.header.authoritative = true;
        let mut name = qname.clone();
        for _ in 0..8 {
            let here: Vec<&Record> = self.records.iter().filter(|r| r.name == name).collect();
            let hits: Vec<Record> = here
                .iter()
                .filter(|r| r.rtype() == q.qtype)
                .map(|r| (*r).clone())
                .collect();
            if !hits.is_empty() {
                resp.answers.extend(hits);
                return;
            }
            match here.iter().find(|r| r.rtype() == RecordType::CNAME) {
                Some(c) => {
                    resp.answers.push((*c).clone());
                    let RData::Cname(t) = &c.data else {
                        unreachable!()
                    };
                    if !t.is_subdomain_of(&self.origin) {
                        return;
                    }
                    name = t.clone();
                }
                None if here.is_empty()
                    && !self.records.iter().any(|r| r.name.is_subdomain_of(&name)) =>
                {
                    if resp.answers.is_empty() {
                        resp.set_rcode(Rcode::NXDOMAIN);
                    }
                    resp.authorities.push(soa(&self.origin.to_string()));
                    return;
                }
                None => {
                    resp.authorities.push(soa(&self.origin.to_string()));
                    return;
                }
            }
        }
    }
}

/// Servers by address, each serving zones; plus faults.
#[derive(Default)]
struct Internet {
    servers: HashMap<IpAddr, Vec<Zone>>,
    /// Servers that set TC=1 on every UDP answer.
    truncating: Vec<IpAddr>,
    log: Vec<(SocketAddr, Question, bool)>,
}

impl Internet {
    fn small() -> Internet {
        let mut net = Internet::default();
        net.servers.insert(
            ip(1),
            vec![Zone::new(
                ".",
                vec![
                    ns(".", "a.root"),
                    a("a.root", 1),
                    ns("com", "ns.com"),
                    a("ns.com", 2),
                    ns("net", "ns.net"),
                    a("ns.net", 3),
                ],
            )],
        );
        net.servers.insert(
            ip(2),
            vec![Zone::new(
                "com",
                vec![
                    ns("com", "ns.com"),
                    a("ns.com", 2),
                    ns("example.com", "ns1.example.com"),
                    a("ns1.example.com", 10),
                    // Out of bailiwick: com cannot vouch for a name in net, so
                    // this "glue" (pointing at an attacker) must be ignored.
                    ns("other.com", "ns.other.net"),
                    a("ns.other.net", 66),
                ],
            )],
        );
        net.servers.insert(
            ip(3),
            vec![Zone::new(
                "net",
                vec![
                    ns("net", "ns.net"),
                    ns("other.net", "ns.other.net"),
                    a("ns.other.net", 20),
                ],
            )],
        );
        net.servers.insert(
            ip(10),
            vec![Zone::new(
                "example.com",
                vec![
                    ns("example.com", "ns1.example.com"),
                    a("ns1.example.com", 10),
                    a("www.example.com", 80),
                    cname("alias.example.com", "www.other.com"),
                    cname("inner.example.com", "www.example.com"),
                    cname("loop1.example.com", "loop2.example.com"),
                    cname("loop2.example.com", "loop1.example.com"),
                    a("deep.sub.example.com", 90),
                ],
            )],
        );
        net.servers.insert(
            ip(20),
            vec![
                Zone::new(
                    "other.net",
                    vec![ns("other.net", "ns.other.net"), a("ns.other.net", 20)],
                ),
                Zone::new(
                    "other.com",
                    vec![ns("other.com", "ns.other.net"), a("www.other.com", 81)],
                ),
            ],
        );
        net
    }

    fn hints() -> Vec<(Name, Vec<IpAddr>)> {
        vec![(n("a.root"), vec![ip(1)])]
    }

    fn respond(&mut self, server: SocketAddr, query: &Message, tcp: bool) -> Option<Message> {
        let q = query.questions.first()?.clone();
        self.log.push((server, q.clone(), tcp));
        let zones = self.servers.get(&server.ip())?;
        // The deepest zone the server has for the name.
        let zone = zones
            .iter()
            .filter(|z| q.name.is_subdomain_of(&z.origin))
            .max_by_key(|z| z.origin.label_count())?;
        let mut resp = query.response();
        resp.header.recursion_desired = query.header.recursion_desired;
        zone.answer(&q, &mut resp);
        if !tcp && self.truncating.contains(&server.ip()) {
            resp.answers.clear();
            resp.authorities.clear();
            resp.additionals.clear();
            resp.header.truncated = true;
        }
        Some(resp)
    }

    fn resolve(&mut self, lookup: &mut Iterative) -> Outcome {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for _ in 0..1000 {
            match lookup.poll(&mut rng) {
                Step::Done(o) => return o,
                Step::Wait => panic!("nothing outstanding, yet asked to wait"),
                Step::Query {
                    server,
                    message,
                    tcp,
                } => match self.respond(server, &message, tcp) {
                    Some(resp) => lookup.handle_response(server, &resp),
                    None => lookup.handle_timeout(),
                },
            }
        }
        panic!("the lookup did not finish in 1000 steps");
    }
}

fn lookup(name: &str, t: RecordType) -> Iterative {
    Iterative::new(
        Question::new(n(name), t),
        &Internet::hints(),
        IterConfig::default(),
    )
}

fn addrs(o: &Outcome) -> Vec<IpAddr> {
    match o {
        Outcome::Answer { records, .. } => records
            .iter()
            .filter_map(|r| match r.data {
                RData::A(a) => Some(IpAddr::V4(a)),
                _ => None,
            })
            .collect(),
        _ => vec![],
    }
}

#[test]
fn the_answer_keeps_the_callers_spelling_under_0x20() {
    let mut net = Internet::small();
    let mut l = lookup("www.example.com", RecordType::A);
    let o = net.resolve(&mut l);
    assert_eq!(addrs(&o), [ip(80)]);
    // DNS 0x20 randomised the case on the wire; the answer has the caller's.
    let Outcome::Answer { records, .. } = &o else {
        unreachable!()
    };
    assert_eq!(records[0].name.as_wire(), n("www.example.com").as_wire());
    assert!(net
        .log
        .iter()
        .any(|(_, q, _)| q.name.as_wire() != n("www.example.com").as_wire()));
}

#[test]
fn truncation_is_traced() {
    let mut net = Internet::small();
    net.truncating.push(ip(10));
    let mut l = lookup("www.example.com", RecordType::A);
    assert_eq!(addrs(&net.resolve(&mut l)), [ip(80)]);
    // The trace says why the query went again.
    let server = SocketAddr::new(ip(10), 53);
    assert!(l.trace().contains(&TraceEvent::Truncated { server }));
    assert_eq!(
        TraceEvent::Truncated { server }.to_string(),
        "truncated by 192.0.2.10:53: retrying over TCP"
    );
}

#[test]
fn configured_limits_stop_the_lookup() {
    let mut net = Internet::small();
    let config = IterConfig {
        max_referrals: 1,
        ..IterConfig::default()
    };
    let mut l = Iterative::new(
        Question::new(n("www.example.com"), RecordType::A),
        &Internet::hints(),
        config,
    );
    assert_eq!(
        net.resolve(&mut l),
        Outcome::ServFail(handshake_dns::ServFail::ReferralLimit)
    );
    let config = IterConfig {
        max_queries: 2,
        ..IterConfig::default()
    };
    let mut l = Iterative::new(
        Question::new(n("www.example.com"), RecordType::A),
        &Internet::hints(),
        config,
    );
    assert_eq!(
        net.resolve(&mut l),
        Outcome::ServFail(handshake_dns::ServFail::BudgetExhausted)
    );
}
