//! `dns.scenario.*`: Forged and hostile answers against our resolver and unbound, on the fixture Internet.

use super::support::mixed_case;
use crate::peers::dns_server::{DnsServer, Received, Reply};
use crate::{check, Case, Ctx, Need, Outcome};
use handshake_dns::wire::{Message, Name, RData, Rcode, Record, RecordType, Soa};
use handshake_dns::{IterConfig, Iterative, Outcome as Lookup};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

const ROOT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 70)), 53);

const CHILD: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 71)), 53);

const SILENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 72)), 53);

const FORGER: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 99)), 53);

const GENUINE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 7);

const POISON: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 6);

const NEEDS: &[Need] = &[Need::Root];

const UNBOUND_NEEDS: &[Need] = &[Need::Root, crate::peers::dnsnet::UNBOUND_BIN];

/// Where the scenarios' unbound listens.
const UNBOUND: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 61)), 53);

/// How the child server misbehaves.
#[derive(Clone, Copy, Debug)]
enum Mischief {
    ForgedSource,
    ForgedId,
    ForgedQuestion,
    ForgedCase,
    OutOfBailiwick,
    Truncate,
}

fn name(s: &str) -> Name {
    s.parse().expect("scenario names are valid")
}

fn soa(zone: &str) -> Record {
    Record::new(
        name(zone),
        60,
        RData::Soa(Box::new(Soa {
            mname: name("ns.root-servers.test"),
            rname: name("hostmaster.test"),
            serial: 1,
            refresh: 60,
            retry: 60,
            expire: 60,
            minimum: 60,
        })),
    )
}

/// The root: its own NS and SOA (unbound primes with `. NS`), the address
/// of its server `a.root.`, a referral of `victim.` to the child, and
/// NXDOMAIN for the rest.
fn root(q: &Message, _tcp: bool) -> Vec<Reply> {
    let mut r = q.response();
    let Some(question) = q.questions.first() else {
        return vec![];
    };
    let a_root = name("a.root");
    let root_ip = match ROOT.ip() {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(_) => return vec![],
    };
    if question.name.is_root() || question.name == a_root {
        r.header.authoritative = true;
        match (question.name.is_root(), question.qtype) {
            (true, RecordType::NS) => {
                r.answers
                    .push(Record::new(Name::root(), 60, RData::Ns(a_root.clone())));
                r.additionals
                    .push(Record::new(a_root, 60, RData::A(root_ip)));
            }
            (true, RecordType::SOA) => r.answers.push(soa(".")),
            (false, RecordType::A) => r.answers.push(Record::new(a_root, 60, RData::A(root_ip))),
            _ => r.authorities.push(soa(".")),
        }
    } else if question.name.is_subdomain_of(&name("victim")) {
        r.authorities.push(Record::new(
            name("victim"),
            60,
            RData::Ns(name("ns.victim")),
        ));
        r.additionals.push(Record::new(
            name("ns.victim"),
            60,
            RData::A(Ipv4Addr::new(127, 0, 0, 71)),
        ));
    } else {
        r.header.authoritative = true;
        r.set_rcode(Rcode::NXDOMAIN);
        r.authorities.push(soa("."));
    }
    vec![Reply {
        from: None,
        message: r,
    }]
}

/// The child: the genuine answer for `www.victim.`, preceded or spoiled by `m`.
fn child(m: Mischief, q: &Message, tcp: bool) -> Vec<Reply> {
    let Some(question) = q.questions.first() else {
        return vec![];
    };
    let mut genuine = q.response();
    genuine.header.authoritative = true;
    let known = [
        (name("www.victim"), GENUINE),
        (name("ns.victim"), Ipv4Addr::new(127, 0, 0, 71)),
    ];
    if let Some((_, addr)) = known.iter().find(|(n, _)| *n == question.name) {
        // An existing name: its address, or NODATA for other types (unbound
        // also asks for the server's AAAA).
        if question.qtype == RecordType::A {
            genuine
                .answers
                .push(Record::new(question.name.clone(), 60, RData::A(*addr)));
        } else {
            genuine.authorities.push(soa("victim"));
        }
    } else {
        genuine.set_rcode(Rcode::NXDOMAIN);
        genuine.authorities.push(soa("victim"));
    }
    let mut forged = genuine.clone();
    forged.answers = vec![Record::new(question.name.clone(), 60, RData::A(POISON))];
    let forgery = |from, message| Reply { from, message };
    match m {
        Mischief::ForgedSource => vec![forgery(Some(FORGER), forged), forgery(None, genuine)],
        Mischief::ForgedId => {
            forged.header.id ^= 0x0101;
            vec![forgery(None, forged), forgery(None, genuine)]
        }
        Mischief::ForgedQuestion => {
            forged.questions[0].name = name("evil.victim");
            vec![forgery(None, forged), forgery(None, genuine)]
        }
        Mischief::ForgedCase => {
            // An off-path attacker who guessed the ID but not the 0x20 case
            // pattern: the question all lower case (no 0x20), then all upper.
            // A guess that happens to be the pattern sent is not a forgery of
            // the case, so it is not sent (the case checks the query had both).
            let mut replies: Vec<Reply> = [false, true]
                .into_iter()
                .map(|upper| {
                    let mut f = forged.clone();
                    f.questions[0].name = recase(&question.name, upper);
                    f
                })
                .filter(|f| f.questions[0].name.as_wire() != question.name.as_wire())
                .map(|f| forgery(None, f))
                .collect();
            replies.push(forgery(None, genuine));
            replies
        }
        Mischief::OutOfBailiwick => {
            // The child serves victim. only; `www.bank.` is not its to vouch for.
            let bank = Record::new(name("www.bank"), 86_400, RData::A(POISON));
            genuine.answers.push(bank.clone());
            genuine.additionals.push(bank);
            vec![forgery(None, genuine)]
        }
        Mischief::Truncate if !tcp => {
            let mut tc = q.response();
            tc.header.truncated = true;
            vec![forgery(None, tc)]
        }
        Mischief::Truncate => vec![forgery(None, genuine)],
    }
}

/// `n` with every letter in lower case, or in upper case.
fn recase(n: &Name, upper: bool) -> Name {
    let labels: Vec<Vec<u8>> = n
        .labels()
        .map(|l| {
            if upper {
                l.to_ascii_uppercase()
            } else {
                l.to_ascii_lowercase()
            }
        })
        .collect();
    Name::from_labels(labels.iter().map(Vec::as_slice)).unwrap_or_else(|_| n.clone())
}

/// Runs a lookup of `www.victim. A` (then `www.bank. A` through the same
/// resolver cache) with the child misbehaving as `m`.
fn scenario(m: Mischief, hints: &[SocketAddr]) -> Outcome {
    scenario_seen(m, hints).0
}

/// [`scenario`], with the queries the child received.
fn scenario_seen(m: Mischief, hints: &[SocketAddr]) -> (Outcome, Vec<Received>) {
    let _lock = crate::peers::dnsnet::lock();
    let servers = (|| -> Result<Vec<DnsServer>, String> {
        Ok(vec![
            DnsServer::bind(ROOT, Arc::new(root))?,
            DnsServer::bind(CHILD, Arc::new(move |q: &Message, tcp| child(m, q, tcp)))?,
            // Never answers.
            DnsServer::bind(SILENT, Arc::new(|_: &Message, _| Vec::new()))?,
        ])
    })();
    let servers = match servers {
        Ok(s) => s,
        Err(e) => return (Outcome::Fail(e), Vec::new()),
    };
    let outcome = lookups(m, hints);
    (outcome, servers[1].received())
}

/// The lookups of [`scenario`], with its servers running.
fn lookups(m: Mischief, hints: &[SocketAddr]) -> Outcome {
    let hints: Vec<(Name, Vec<IpAddr>)> = hints
        .iter()
        .map(|h| (name("a.root"), vec![h.ip()]))
        .collect();
    let upstream = handshake_io::resolver::Upstream::Iterative {
        root_hints: hints,
        config: IterConfig::default(),
        timeout: Duration::from_millis(500),
    };
    let resolver = handshake_io::resolver::Resolver::new(handshake_dns::Hosts::default(), upstream);
    let resolver = match handshake_io::resolver::BlockingResolver::new(resolver) {
        Ok(r) => r,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let first = resolver.lookup("www.victim", RecordType::A);
    let got: Vec<Ipv4Addr> = match &first {
        Ok(a) => match &a.outcome {
            Lookup::Answer { records, .. } => records
                .iter()
                .filter_map(|r| match r.data {
                    RData::A(a) => Some(a),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        },
        Err(_) => vec![],
    };
    if got != [GENUINE] {
        return Outcome::Fail(format!("{m:?}: www.victim. A gave {first:?}"));
    }
    // Nothing the child said about www.bank. may be believed or cached.
    match resolver.lookup("www.bank", RecordType::A) {
        Ok(a) if matches!(a.outcome, Lookup::NxDomain { .. }) => Outcome::Pass,
        other => Outcome::Fail(format!("{m:?}: www.bank. A gave {other:?}")),
    }
}

/// The scripted peers again, with unbound as the resolver: it must reach
/// the outcome ours reaches — the genuine address for `www.victim.`, and
/// NXDOMAIN for `www.bank.` (nothing the child said about it believed).
fn unbound_agrees(ctx: &Ctx, m: Mischief) -> Outcome {
    let ours = scenario(m, &[ROOT]);
    if !ours.is_pass() {
        return ours;
    }
    let guard = crate::peers::dnsnet::lock();
    let servers = (|| -> Result<Vec<DnsServer>, String> {
        Ok(vec![
            DnsServer::bind(ROOT, Arc::new(root))?,
            DnsServer::bind(CHILD, Arc::new(move |q: &Message, tcp| child(m, q, tcp)))?,
        ])
    })();
    let servers = match servers {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let unbound =
        match crate::peers::dnsnet::DnsNet::unbound_only(&ctx.artifacts, UNBOUND, ROOT.ip(), guard)
        {
            Ok(u) => u,
            Err(e) => return Outcome::Fail(e),
        };
    let ask = |n: &str| {
        let q = handshake_dns::wire::Question::new(name(n), RecordType::A);
        handshake_io::dns::query(UNBOUND, &Message::query(0x0b0b, q), Duration::from_secs(5))
    };
    let www = ask("www.victim");
    let bank = ask("www.bank");
    let www_ok = matches!(&www, Ok(r) if r.rcode() == Rcode::NOERROR
        && r.answers.iter().map(|a| &a.data).eq([&RData::A(GENUINE)]));
    let bank_ok = matches!(&bank, Ok(r) if r.rcode() == Rcode::NXDOMAIN && r.answers.is_empty());
    let outcome = check::ensure(www_ok && bank_ok, || {
        format!(
            "{m:?}: ours passes, unbound gave www.victim. {www:?} and www.bank. {bank:?}\n{}",
            unbound.logs()
        )
    });
    // The scripted servers release their addresses before unbound (which
    // holds the network lock) stops.
    drop(servers);
    drop(unbound);
    outcome.into()
}

/// How many lookups the forged-case scenario may take to see its query sent
/// in mixed case: each is a fresh resolver, so a fresh 0x20 pattern, and a
/// pattern of the nine letters of `www.victim` is all lower or all upper
/// case once in 256, so eight misses in a row happen once in 2^64 runs of a
/// resolver that randomises.
const CASE_ATTEMPTS: usize = 8;

/// The query for `www.victim. A` as the child received it (over UDP), if any.
fn victim_query(seen: &[Received]) -> Option<Name> {
    seen.iter()
        .filter(|r| !r.tcp)
        .filter_map(|r| Message::parse(&r.bytes).ok())
        .filter_map(|m| m.questions.first().cloned())
        .find(|q| q.qtype == RecordType::A && q.name == name("www.victim"))
        .map(|q| q.name)
}

/// RFC 5452 §9.3 (DNS 0x20): answers whose question differs from ours only in
/// letter case are forgeries. The case holds only for a lookup whose query
/// went out in mixed case, so that both forgeries (the question all lower
/// case, then all upper) reached the resolver before the genuine answer: a
/// query that happened to go out all lower (or all upper) would let a
/// resolver that ignores case, or does not randomise it, pass untested.
fn forged_case(_: &mut Ctx) -> Outcome {
    let mut sent = Vec::new();
    for _ in 0..CASE_ATTEMPTS {
        let (outcome, seen) = scenario_seen(Mischief::ForgedCase, &[ROOT]);
        if !outcome.is_pass() {
            return outcome;
        }
        match victim_query(&seen) {
            Some(n) if mixed_case(&n) => return Outcome::Pass,
            Some(n) => sent.push(n.to_string()),
            None => return Outcome::Fail("the child never saw the query for www.victim.".into()),
        }
    }
    Outcome::Fail(format!(
        "in {CASE_ATTEMPTS} lookups the query never went out in mixed case ({}): \
         0x20 is not randomising, so the forgeries tested nothing",
        sent.join(", ")
    ))
}

fn iterative_only(_: &mut Ctx) -> Outcome {
    // The same scenario through the bare state machine: it reports the query
    // count, which shows the forgeries cost no extra queries.
    let _lock = crate::peers::dnsnet::lock();
    let servers = (|| -> Result<Vec<DnsServer>, String> {
        Ok(vec![
            DnsServer::bind(ROOT, Arc::new(root))?,
            DnsServer::bind(
                CHILD,
                Arc::new(|q: &Message, tcp| child(Mischief::ForgedSource, q, tcp)),
            )?,
        ])
    })();
    let _servers = match servers {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let q = handshake_dns::wire::Question::new(name("www.victim"), RecordType::A);
    let mut lookup = Iterative::new(
        q,
        &[(name("a.root"), vec![ROOT.ip()])],
        IterConfig::default(),
    );
    let outcome = match handshake_io::dns::resolve(&mut lookup, Duration::from_millis(500)) {
        Ok(o) => o,
        Err(e) => return Outcome::Fail(format!("our resolver's I/O: {e}")),
    };
    // The forgery comes from another address, so the kernel drops it at the
    // query's connected socket (RFC 5452 §9.1 at the transport); if it
    // reached the resolver, its own check must have refused it. Either way
    // it must cost no query.
    let genuine = matches!(&outcome, Lookup::Answer { records, .. }
        if records.iter().map(|r| &r.data).eq([&RData::A(GENUINE)]));
    Outcome::from(check::ensure(genuine && lookup.queries() == 2, || {
        format!("{outcome:?} after {} queries", lookup.queries())
    }))
}

/// The misbehaviours our resolver meets alone, in the simulation: (id,
/// requirement, what the child server does, the root hints).
#[rustfmt::skip]
const ALONE: &[(&str, &str, Mischief, &[SocketAddr])] = &[
    ("dns.scenario.forged-source-ignored", "RFC 5452 §9.1", Mischief::ForgedSource, &[ROOT]),
    ("dns.scenario.forged-id-ignored", "RFC 5452 §9.1; RFC 1035 §7.3", Mischief::ForgedId, &[ROOT]),
    ("dns.scenario.forged-question-ignored", "RFC 5452 §9.1", Mischief::ForgedQuestion, &[ROOT]),
    ("dns.scenario.out-of-bailiwick-not-believed", "RFC 5452 §6; RFC 2181 §5.4.1", Mischief::OutOfBailiwick, &[ROOT]),
    ("dns.scenario.truncated-retried-over-tcp", "RFC 7766 §5; RFC 1035 §4.2.1", Mischief::Truncate, &[ROOT]),
    ("dns.scenario.silent-server-skipped", "RFC 1035 §7.2", Mischief::ForgedSource, &[SILENT, ROOT]),
];

/// The misbehaviours unbound meets too, whose answer ours must equal.
#[rustfmt::skip]
const WITH_UNBOUND: &[(&str, &str, Mischief)] = &[
    ("dns.scenario.unbound-agrees.forged-source", "RFC 5452 §9.1", Mischief::ForgedSource),
    ("dns.scenario.unbound-agrees.forged-id", "RFC 5452 §9.1; RFC 1035 §7.3", Mischief::ForgedId),
    ("dns.scenario.unbound-agrees.out-of-bailiwick", "RFC 5452 §6; RFC 2181 §5.4.1", Mischief::OutOfBailiwick),
    ("dns.scenario.unbound-agrees.truncated-over-tcp", "RFC 7766 §5; RFC 1035 §4.2.1", Mischief::Truncate),
];

/// The `dns.scenario.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let alone = ALONE.iter().map(|&(id, spec, m, hints)| {
        Case::must(id, spec)
            .needs(NEEDS)
            .simulation(move |_| scenario(m, hints))
    });
    let with_unbound = WITH_UNBOUND.iter().map(|&(id, spec, m)| {
        Case::must(id, spec)
            .needs(UNBOUND_NEEDS)
            .interop_peer(move |ctx| unbound_agrees(ctx, m))
    });
    let mut all: Vec<Case> = alone.chain(with_unbound).collect();
    all.extend([
        Case::must("dns.scenario.forged-case-ignored", "RFC 5452 §9.3 (0x20)")
            .needs(NEEDS)
            .simulation(forged_case),
        Case::must("dns.scenario.forgery-costs-no-query", "RFC 5452 §9.1")
            .needs(NEEDS)
            .simulation(iterative_only),
    ]);
    all
}
