//! `dns.rfc5452.*`: Response acceptance (RFC 5452 §9.1): ID, source and
//! question must match; and what §9.2 asks of the queries themselves: IDs
//! over the full 16 bits, different source ports for queries outstanding
//! at once.

use super::support::*;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Class, Message, Name, RecordType};
use handshake_dns::{Mismatch, ResolvConf, Step, Stub};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

/// RFC 5452 §9.1: a response is accepted only with the query's ID.
fn rfc5452_id(ctx: &mut Ctx) -> Outcome {
    let (p, query, server) = outstanding(ctx);
    let ok = query.response();
    if p.accept(server, &ok).is_err() {
        return Outcome::Fail("the genuine response was refused".into());
    }
    for flip in [0x0001u16, 0x8000, 0xffff] {
        let mut bad = ok.clone();
        bad.header.id ^= flip;
        if !matches!(p.accept(server, &bad), Err(Mismatch::Id { .. })) {
            return Outcome::Fail(format!(
                "ID {:#06x} accepted for {:#06x}",
                bad.header.id,
                p.id()
            ));
        }
    }
    Outcome::Pass
}

/// RFC 5452 §9.1: the response's question must be the query's: name, type,
/// class, and under DNS 0x20 the letter case as sent (RFC 5452 §9.3 notes
/// the extra bits it gives).
fn rfc5452_question(ctx: &mut Ctx) -> Outcome {
    let (p, query, server) = outstanding(ctx);
    let sent = p.question().name.clone();
    if !mixed_case(&sent) {
        return Outcome::Fail(format!(
            "0x20 did not mix the query name's case ({:?}): the case spoilers below would test nothing",
            String::from_utf8_lossy(sent.as_wire())
        ));
    }
    let ok = query.response();
    type Spoil = fn(&mut Message);
    let spoilers: [(&str, Spoil); 6] = [
        ("other name", |m| {
            m.questions[0].name = "other.example".parse().expect("name")
        }),
        ("other type", |m| m.questions[0].qtype = RecordType::A),
        ("other class", |m| m.questions[0].qclass = Class::CH),
        ("lower case", |m| {
            m.questions[0].name = m.questions[0].name.to_lowercase()
        }),
        ("upper case", |m| {
            let upper: Vec<Vec<u8>> = m.questions[0]
                .name
                .labels()
                .map(<[u8]>::to_ascii_uppercase)
                .collect();
            m.questions[0].name =
                Name::from_labels(upper.iter().map(Vec::as_slice)).expect("same lengths")
        }),
        ("no question", |m| m.questions.clear()),
    ];
    for (what, spoil) in spoilers {
        let mut bad = ok.clone();
        spoil(&mut bad);
        if !matches!(p.accept(server, &bad), Err(Mismatch::Question { .. })) {
            return Outcome::Fail(format!("a response with {what} was accepted"));
        }
    }
    Outcome::from(check::ensure(p.accept(server, &ok).is_ok(), || {
        "the genuine response was refused".into()
    }))
}

/// RFC 5452 §9.1: the response must come from the address and port the
/// query went to.
fn rfc5452_source(ctx: &mut Ctx) -> Outcome {
    let (p, query, server) = outstanding(ctx);
    let ok = query.response();
    for from in ["192.0.2.54:53", "192.0.2.53:5353", "[2001:db8::53]:53"] {
        let from: SocketAddr = from.parse().expect("address");
        if !matches!(p.accept(from, &ok), Err(Mismatch::Source { .. })) {
            return Outcome::Fail(format!("a response from {from} was accepted"));
        }
    }
    Outcome::from(check::ensure(p.accept(server, &ok).is_ok(), || {
        "the genuine response was refused".into()
    }))
}

/// RFC 5452 §9.2: "Use an unpredictable query ID for outgoing queries,
/// utilizing the full range available (0-65535)". The sans-IO stub's first
/// query of 4096 lookups, with the run's seeded generator: every one of
/// the 16 ID bits is seen set and clear, IDs reach both ends of the range
/// (below 1024 and above 64511: each fails for a uniform 16-bit draw with
/// probability (63/64)^4096, about 1e-28), and at least 3800 are distinct
/// (a uniform draw expects 65536 * (1 - e^(-4096/65536)) = 3970; a
/// counter, an 8-bit or a 12-bit ID fails these).
fn query_id_full_range(ctx: &mut Ctx) -> check::Checked {
    let conf = ResolvConf::parse("nameserver 192.0.2.53\n");
    let mut rng = ctx.rng();
    let mut ids = Vec::with_capacity(4096);
    for _ in 0..4096 {
        let mut stub = Stub::new(&conf, "www.example.", RecordType::A, 0);
        match stub.poll(&mut rng) {
            Step::Query { message, .. } => ids.push(message.header.id),
            other => return Err(format!("no query: {other:?}")),
        }
    }
    let (and, or) = ids
        .iter()
        .fold((0xffffu16, 0u16), |(a, o), &id| (a & id, o | id));
    check::equal("bits set in every ID", and, 0)?;
    check::equal("bits set in some ID", or, 0xffff)?;
    let (min, max) = (ids.iter().min(), ids.iter().max());
    check::ensure(min < Some(&1024) && max > Some(&64511), || {
        format!("IDs span {min:?}..={max:?}, not the full range")
    })?;
    let distinct = ids.iter().collect::<BTreeSet<_>>().len();
    check::ensure(distinct >= 3800, || {
        format!("{distinct} distinct IDs in 4096 (a uniform 16-bit draw expects about 3970)")
    })
}

/// RFC 5452 §9.2: "Use multiple different source ports simultaneously in
/// case of multiple outstanding queries". Four lookups of four names start
/// at once on one resolver; the server (127.0.0.1, answers held 400 ms)
/// has all four queries 250 ms in — so they were outstanding together —
/// and they came from four different source ports.
fn ports_simultaneous(_: &mut Ctx) -> check::Checked {
    let srv = DelayingServer::start(|_| Duration::from_millis(400))?;
    let r = shared_stub(srv.addr());
    const NAMES: [&str; 4] = ["a.example.", "b.example.", "c.example.", "d.example."];
    let (early, answers) = runtime()?.block_on(async {
        let tasks: Vec<_> = NAMES
            .iter()
            .map(|n| {
                let r = r.clone();
                tokio::spawn(async move { r.lookup(n, RecordType::A).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(250)).await;
        let early = srv.clients();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await);
        }
        (early, answers)
    });
    for (n, a) in NAMES.iter().zip(answers) {
        let a = a
            .map_err(|e| format!("{n}: {e}"))?
            .map_err(|e| format!("{n}: {e}"))?;
        check::ensure(
            matches!(a.outcome, handshake_dns::Outcome::Answer { .. }),
            || format!("{n} not answered: {a:?}"),
        )?;
    }
    check::equal("queries outstanding together at the server", early.len(), 4)?;
    let ports: BTreeSet<u16> = early.iter().map(SocketAddr::port).collect();
    check::equal("different source ports among them", ports.len(), 4)
}

/// RFC 5452 §9.1: "Destination address against query source address". A
/// server on 127.0.0.1 answers each query twice, from its own address and
/// port, with the query's ID and question: first a forgery (A 192.0.2.66)
/// sent to the query's port on 127.0.0.2, another address of this host,
/// then 50 ms later the genuine answer (A 192.0.2.1) to the query's source.
/// The lookup must end with the genuine one: a socket bound to the wildcard
/// address would read the forgery first.
fn rfc5452_destination(_: &mut Ctx) -> check::Checked {
    use handshake_dns::wire::{RData, Record};
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    let server = sock.local_addr().map_err(|e| e.to_string())?;
    let answering = std::thread::spawn(move || -> Result<SocketAddr, String> {
        let mut buf = [0u8; 1500];
        let (n, client) = sock.recv_from(&mut buf).map_err(|e| e.to_string())?;
        let query = Message::parse(&buf[..n]).map_err(|e| e.to_string())?;
        let q = query.questions.first().cloned().ok_or("no question")?;
        let reply = |last: u8| {
            let mut r = query.response();
            r.header.recursion_available = true;
            r.answers.push(Record::new(
                q.name.clone(),
                0,
                RData::A([192, 0, 2, last].into()),
            ));
            r.to_bytes().map_err(|e| e.to_string())
        };
        let elsewhere = SocketAddr::from(([127, 0, 0, 2], client.port()));
        sock.send_to(&reply(66)?, elsewhere)
            .map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(50));
        sock.send_to(&reply(1)?, client)
            .map_err(|e| e.to_string())?;
        Ok(client)
    });
    let r = shared_stub(server);
    let got = runtime()?.block_on(r.lookup("www.example.", RecordType::A));
    let client = answering.join().map_err(|_| "server panicked")??;
    check::ensure(client.ip() == std::net::Ipv4Addr::LOCALHOST, || {
        format!("the query left from {client}, not 127.0.0.1")
    })?;
    let got = got.map_err(|e| e.to_string())?;
    let handshake_dns::Outcome::Answer { records, .. } = &got.outcome else {
        return Err(format!("no answer: {:?}", got.outcome));
    };
    let addrs: Vec<String> = records.iter().map(|r| r.data.to_string()).collect();
    check::equal(
        "the addresses believed",
        addrs,
        vec!["192.0.2.1".to_string()],
    )
}

/// RFC 5452 §9.2: "Use an unpredictable source port for outgoing queries
/// from the range of available ports (53, or 1024 and above) that is as
/// large as possible and practicable". 240 lookups, one after another, to a
/// server on 127.0.0.1; their source ports are all at least 1024, and spread
/// as a uniform draw over 1024..=65535 spreads them: some below 32768 and
/// some above 60999 (outside Linux's default ephemeral range 32768-60999:
/// each fails for a uniform draw with probability (1 - 4536/64512)^240,
/// under 3e-8, and (1 - 31744/64512)^240, about 1e-70), each quarter of the
/// range holds at least 30 (expected 60; a binomial tail under 1e-5), and at
/// least 230 are distinct (expected collisions: 240^2 / (2 x 64512) = 0.45).
fn source_port_range(_: &mut Ctx) -> check::Checked {
    let srv = DelayingServer::start(|_| Duration::ZERO)?;
    let r = shared_stub(srv.addr());
    let rt = runtime()?;
    for i in 0..240 {
        let got = rt
            .block_on(r.lookup("www.example.", RecordType::A))
            .map_err(|e| format!("lookup {i}: {e}"))?;
        check::ensure(
            matches!(got.outcome, handshake_dns::Outcome::Answer { .. }),
            || format!("lookup {i} not answered: {:?}", got.outcome),
        )?;
    }
    let ports: Vec<u16> = srv.clients().iter().map(SocketAddr::port).collect();
    check::equal("queries the server saw", ports.len(), 240)?;
    let low = ports.iter().filter(|&&p| p < 1024).count();
    check::equal("ports below 1024", low, 0)?;
    check::ensure(ports.iter().any(|&p| p < 32768), || {
        format!("no port below 32768 in {ports:?}")
    })?;
    check::ensure(ports.iter().any(|&p| p > 60999), || {
        format!("no port above 60999 in {ports:?}")
    })?;
    let mut quarters = [0usize; 4];
    for &p in &ports {
        quarters[usize::from(p - 1024) * 4 / 64512] += 1;
    }
    check::ensure(quarters.iter().all(|&q| q >= 30), || {
        format!("ports per quarter of 1024..=65535: {quarters:?} (expected about 60 each)")
    })?;
    let distinct = ports.iter().collect::<BTreeSet<_>>().len();
    check::ensure(distinct >= 230, || {
        format!("{distinct} distinct ports of 240")
    })
}

/// The `dns.rfc5452.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("dns.rfc5452.id-must-match", "RFC 5452 §9.1").vector(rfc5452_id),
        Case::must("dns.rfc5452.question-must-match", "RFC 5452 §9.1, §9.3")
            .vector(rfc5452_question),
        Case::must("dns.rfc5452.source-must-match", "RFC 5452 §9.1").vector(rfc5452_source),
        Case::must("dns.rfc5452.destination-must-match", "RFC 5452 §9.1")
            .simulation(rfc5452_destination),
        Case::must("dns.rfc5452.source-port-range", "RFC 5452 §9.2").simulation(source_port_range),
        Case::must("dns.rfc5452.query-id-full-range", "RFC 5452 §9.2")
            .property(query_id_full_range),
        Case::must("dns.rfc5452.ports-simultaneous", "RFC 5452 §9.2")
            .simulation(ports_simultaneous),
    ]
}
