//! `dns.stub.*`: the stub resolver. Against in-process servers: failover
//! on SERVFAIL, forged answers ignored. The sans-IO `Stub` machine driven by
//! hand on a clock the case keeps: the names it sends in search order, its
//! rounds and timeouts, its retry over TCP and the checks on that leg.

use super::support::*;
use crate::peers::dns_server::{DnsServer, Reply};
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Message, RData, Rcode, Record, RecordType};
use handshake_dns::{Outcome as Lookup, ResolvConf, ServFail, Step, Stub};
use handshake_io::resolver::TraceStep;
use handshake_time::{Duration, Instant};
use rand_chacha::ChaCha20Rng;
use std::net::SocketAddr;
use std::sync::Arc;

/// A SERVFAIL from the first server sends the stub to the next (RFC 1035
/// §7.2: another server may answer); the trace shows both.
fn stub_servfail_next(_: &mut Ctx) -> Outcome {
    let (bad, good) = match (server(true), server(false)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e),
    };
    let conf = ResolvConf {
        nameservers: vec![bad.addr(), good.addr()],
        attempts: 1,
        ..ResolvConf::default()
    };
    let got = stub(conf).and_then(|r| {
        r.lookup("www.example.", RecordType::A)
            .map_err(|e| e.to_string())
    });
    match got {
        Ok(a)
            if matches!(a.outcome, Lookup::Answer { .. })
                && matches!(&a.trace[1..], [TraceStep::Stub { server: s1, reply: Ok(Rcode::SERVFAIL), .. }, TraceStep::Stub { server: s2, reply: Ok(Rcode::NOERROR), .. }] if *s1 == bad.addr() && *s2 == good.addr()) =>
        {
            Outcome::Pass
        }
        other => Outcome::Fail(format!("{other:?}")),
    }
}

/// The next query the machine hands out: (server, name as sent, TCP, message).
fn next_query(
    stub: &mut Stub,
    rng: &mut ChaCha20Rng,
) -> Result<(SocketAddr, String, bool, Message), String> {
    match stub.poll(rng) {
        Step::Query {
            server,
            message,
            tcp,
        } => {
            let name = message
                .questions
                .first()
                .map(|q| q.name.to_lowercase().to_string())
                .unwrap_or_default();
            Ok((server, name, tcp, message))
        }
        other => Err(format!("expected a query, the stub said {other:?}")),
    }
}

fn wire(m: &Message) -> Result<Vec<u8>, String> {
    m.to_bytes().map_err(|e| e.to_string())
}

/// resolv.conf(5) `search` and `ndots`: a name with fewer than ndots dots
/// is "attempted using each component of the search path in turn" before
/// it is tried as given; one with at least ndots dots is tried as given
/// first; a name with a final dot is absolute (RFC 1034 §3.1) and tried
/// alone. Each candidate's NXDOMAIN moves the search on. The names the
/// machine actually sends, in order.
fn search_order_sent(ctx: &mut Ctx) -> check::Checked {
    let conf = ResolvConf::parse("nameserver 192.0.2.53\nsearch a.example b.example\n");
    let mut rng = ctx.rng();
    let table: [(&str, &[&str]); 3] = [
        ("www", &["www.a.example.", "www.b.example.", "www."]),
        (
            "www.corp",
            &["www.corp.", "www.corp.a.example.", "www.corp.b.example."],
        ),
        ("www.", &["www."]),
    ];
    for (input, want) in table {
        let mut stub = Stub::new(&conf, input, RecordType::A, 0);
        let mut sent = Vec::new();
        for _ in 0..want.len() {
            let (server, name, _, q) = next_query(&mut stub, &mut rng)?;
            sent.push(name);
            let mut nx = q.response();
            nx.set_rcode(Rcode::NXDOMAIN);
            stub.handle_datagram(server, &wire(&nx)?);
        }
        let sent: Vec<&str> = sent.iter().map(String::as_str).collect();
        check::equal(&format!("names sent for {input:?}"), sent.as_slice(), want)?;
        check::ensure(
            matches!(stub.poll(&mut rng), Step::Done(Lookup::NxDomain { .. })),
            || format!("{input:?}: more queries after the last candidate"),
        )?;
    }
    Ok(())
}

/// resolv.conf(5) `attempts` and `timeout`, on the caller's clock: three
/// servers, attempts:2, timeout:3 — six queries, the servers in order
/// twice, each given up at exactly 3 s after it was handed out and not a
/// nanosecond before; then SERVFAIL (timed out). Eighteen seconds of
/// protocol time, no wall-clock time.
fn attempts_on_callers_clock(ctx: &mut Ctx) -> check::Checked {
    let conf = ResolvConf::parse(
        "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\noptions attempts:2 timeout:3\n",
    );
    let mut rng = ctx.rng();
    let mut stub = Stub::new(&conf, "www.example.", RecordType::A, 0);
    let mut now = Instant::ZERO + Duration::from_millis(1234);
    let mut servers = Vec::new();
    for i in 0..6 {
        stub.handle_time(now);
        let (server, ..) = next_query(&mut stub, &mut rng)?;
        servers.push(server);
        let due = now + Duration::from_secs(3);
        check::equal(
            &format!("query {i}: timeout"),
            stub.poll_timeout(),
            Some(due),
        )?;
        stub.handle_timeout(Instant::from_nanos(due.as_nanos() - 1));
        check::ensure(stub.is_waiting(), || {
            format!("query {i} given up before its timeout")
        })?;
        stub.handle_timeout(due);
        check::ensure(!stub.is_waiting(), || {
            format!("query {i} still waiting at its timeout")
        })?;
        now = due;
    }
    let want: Vec<SocketAddr> = [0, 1, 2, 0, 1, 2]
        .iter()
        .map(|&i| conf.nameservers[i])
        .collect();
    check::equal("servers asked, in order", servers, want)?;
    check::equal(
        "outcome",
        stub.poll(&mut rng),
        Step::Done(Lookup::ServFail(ServFail::Timeout)),
    )
}

/// RFC 7766 §5: a truncated UDP answer is asked again of the same server
/// over TCP; RFC 7766 §7 with RFC 5452 §9.1: on that connection too, a
/// response is believed only with the query's ID and question (here also
/// its DNS 0x20 case). Forgeries on the TCP leg are ignored and the query
/// stays outstanding; the genuine answer ends the lookup.
fn truncated_tcp_answer_checked(ctx: &mut Ctx) -> check::Checked {
    let conf = ResolvConf::parse("nameserver 192.0.2.53\n");
    let mut rng = ctx.rng();
    let asked = "abcdefghijklmnopqrstuvwxyz.example.";
    let mut stub = Stub::new(&conf, asked, RecordType::A, 0).with_randomised_case(true);
    stub.handle_time(Instant::ZERO);
    let (server, _, tcp, q) = next_query(&mut stub, &mut rng)?;
    check::equal("first query over TCP", tcp, false)?;
    let mut tc = q.response();
    tc.header.truncated = true;
    stub.handle_datagram(server, &wire(&tc)?);
    let (again, _, tcp, q2) = next_query(&mut stub, &mut rng)?;
    check::equal("retry: server, TCP", (again, tcp), (server, true))?;
    check::equal("retry: the same query", wire(&q2)?, wire(&q)?)?;
    let mut genuine = q2.response();
    let owner = q2
        .questions
        .first()
        .map(|q| q.name.clone())
        .ok_or("no question")?;
    genuine
        .answers
        .push(Record::new(owner, 60, RData::A([192, 0, 2, 1].into())));
    type Spoil = fn(&mut Message);
    let forgeries: [(&str, Spoil); 3] = [
        ("another ID", |m| m.header.id ^= 0x0100),
        ("another name", |m| {
            m.questions[0].name = name("victim.example")
        }),
        ("the name in lower case", |m| {
            m.questions[0].name = m.questions[0].name.to_lowercase()
        }),
    ];
    for (what, spoil) in forgeries {
        let mut forged = genuine.clone();
        spoil(&mut forged);
        stub.handle_datagram(server, &wire(&forged)?);
        check::ensure(stub.is_waiting(), || {
            format!("a TCP response with {what} was believed")
        })?;
    }
    check::equal("forgeries counted", stub.mismatched(), 3)?;
    stub.handle_datagram(server, &wire(&genuine)?);
    match stub.poll(&mut rng) {
        Step::Done(Lookup::Answer { records, .. }) => check::equal(
            "answer, in the case asked",
            records.first().map(|r| r.name.to_string()),
            Some(asked.to_string()),
        ),
        other => Err(format!(
            "the genuine TCP answer did not end the lookup: {other:?}"
        )),
    }
}

/// RFC 5452 §9.1 through the whole stub on real sockets: before the
/// genuine answer, the server's script sends the same answer with another
/// address (6.6.6.6) from 127.0.0.2 (another address) and from another
/// port of 127.0.0.1; the lookup returns only the genuine 192.0.2.1.
fn forged_source_ignored(_: &mut Ctx) -> check::Checked {
    let srv = DnsServer::loopback(Arc::new(|q: &Message, _tcp| {
        let Some(qq) = q.questions.first() else {
            return Vec::new();
        };
        let answer = |a: [u8; 4]| {
            let mut r = q.response();
            r.header.recursion_available = true;
            r.answers
                .push(Record::new(qq.name.clone(), 60, RData::A(a.into())));
            r
        };
        let forger = |from: &str| Reply {
            from: from.parse().ok(),
            message: answer([6, 6, 6, 6]),
        };
        vec![
            forger("127.0.0.2:0"),
            forger("127.0.0.1:0"),
            Reply::genuine(answer([192, 0, 2, 1])),
        ]
    }))?;
    let got = stub(ResolvConf {
        nameservers: vec![srv.addr()],
        attempts: 1,
        ..ResolvConf::default()
    })?
    .lookup("www.example.", RecordType::A)
    .map_err(|e| e.to_string())?;
    match got.outcome {
        Lookup::Answer { records, .. } => check::equal(
            "addresses returned",
            records
                .iter()
                .map(|r| format!("{:?}", r.data))
                .collect::<Vec<_>>(),
            vec![format!("{:?}", RData::A([192, 0, 2, 1].into()))],
        ),
        other => Err(format!("no answer: {other:?}")),
    }
}

/// The `dns.stub.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.stub.servfail-tries-next-server",
            "RFC 1035 §7.2; RFC 1034 §5.3.1",
        )
        .simulation(stub_servfail_next),
        Case::should(
            "dns.stub.search-order-sent",
            "resolv.conf(5) search, ndots; RFC 1034 §3.1",
        )
        .simulation(search_order_sent),
        Case::should(
            "dns.stub.attempts-timeouts-on-callers-clock",
            "resolv.conf(5) attempts, timeout; RFC 1035 §7.2",
        )
        .simulation(attempts_on_callers_clock),
        Case::must(
            "dns.stub.truncated-tcp-answer-checked",
            "RFC 7766 §5, §7; RFC 5452 §9.1",
        )
        .simulation(truncated_tcp_answer_checked),
        Case::must("dns.stub.forged-source-ignored", "RFC 5452 §9.1")
            .simulation(forged_source_ignored),
    ]
}
