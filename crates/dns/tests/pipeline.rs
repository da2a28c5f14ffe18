//! The pipeline without a network: the test plays the recursive server and
//! keeps the clock, so the cache's TTLs run on time the test chooses.

use handshake_dns::wire::{Message, RData, Rcode, Record, RecordType};
use handshake_dns::{
    Begin, Hosts, NetworkLookup, Outcome, Pipeline, ResolvConf, Source, Step, TraceStep, Upstream,
};
use handshake_time::{Duration, Instant};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn t(s: u64) -> Instant {
    Instant::ZERO + Duration::from_secs(s)
}

/// Drives `lookup` to its end, answering each query with `answer`.
fn run(
    lookup: &mut NetworkLookup,
    now: Instant,
    mut answer: impl FnMut(&Message) -> Message,
) -> Outcome {
    let mut rng = ChaCha20Rng::seed_from_u64(1035);
    lookup.handle_time(now);
    loop {
        match lookup.poll(&mut rng) {
            Step::Done(o) => return o,
            Step::Query {
                server, message, ..
            } => lookup.handle_datagram(server, &answer(&message).to_bytes().unwrap()),
            Step::Wait => panic!("nothing should be left waiting"),
        }
    }
}

fn a_record(q: &Message, ttl: u32) -> Message {
    let mut r = q.response();
    r.answers.push(Record::new(
        q.questions[0].name.clone(),
        ttl,
        RData::A([192, 0, 2, 1].into()),
    ));
    r
}

fn network(p: &mut Pipeline, now: Instant, name: &str) -> Box<NetworkLookup> {
    match p.begin(now, name, RecordType::A).unwrap() {
        Begin::Network(l) => l,
        Begin::Answered(a) => panic!("expected a network lookup, got {a:?}"),
    }
}

#[test]
fn network_answer_cached_for_its_ttl_on_the_callers_clock() {
    let conf = ResolvConf::parse("nameserver 192.0.2.53\n");
    let mut p = Pipeline::new(Hosts::default(), Upstream::Stub(conf));
    let mut lookup = network(&mut p, t(0), "www.example.");
    let outcome = run(&mut lookup, t(0), |q| a_record(q, 60));
    let answer = p.finish(t(0), lookup, outcome);
    assert_eq!((answer.source, answer.queries), (Source::Network, 1));
    assert!(matches!(answer.trace[0], TraceStep::CacheMiss { .. }));
    assert!(matches!(
        answer.trace[1],
        TraceStep::Stub {
            reply: Ok(Rcode::NOERROR),
            ..
        }
    ));
    // RFC 1035 §3.2.1: kept for its TTL, 60 s, and not after.
    match p.begin(t(59), "www.example.", RecordType::A).unwrap() {
        Begin::Answered(a) => assert_eq!(a.source, Source::Cache),
        Begin::Network(_) => panic!("not cached"),
    }
    assert!(matches!(
        p.begin(t(60), "www.example.", RecordType::A).unwrap(),
        Begin::Network(_)
    ));
}

#[test]
fn hosts_file_before_network_and_servfail_not_cached() {
    let conf = ResolvConf::parse("nameserver 192.0.2.53\n");
    let hosts = Hosts::parse("192.0.2.9 pinned.example\n");
    let mut p = Pipeline::new(hosts, Upstream::Stub(conf));
    match p.begin(t(0), "pinned.example", RecordType::A).unwrap() {
        Begin::Answered(a) => {
            assert_eq!((a.source, a.queries), (Source::Hosts, 0));
        }
        Begin::Network(_) => panic!("the hosts file knows the name"),
    }
    let mut lookup = network(&mut p, t(0), "broken.example.");
    let outcome = run(&mut lookup, t(0), |q| {
        let mut r = q.response();
        r.set_rcode(Rcode::SERVFAIL);
        r
    });
    assert!(matches!(outcome, Outcome::ServFail(_)));
    p.finish(t(0), lookup, outcome);
    // Server failures are not cached: the next lookup asks again.
    assert!(matches!(
        p.begin(t(1), "broken.example.", RecordType::A).unwrap(),
        Begin::Network(_)
    ));
}

#[test]
fn two_lookups_in_flight_at_once() {
    // The pipeline is not borrowed while a lookup is out: a second one
    // starts, and they finish in the other order.
    let conf = ResolvConf::parse("nameserver 192.0.2.53\n");
    let mut p = Pipeline::new(Hosts::default(), Upstream::Stub(conf));
    let mut first = network(&mut p, t(0), "one.example.");
    let mut second = network(&mut p, t(0), "two.example.");
    let o2 = run(&mut second, t(0), |q| a_record(q, 300));
    let o1 = run(&mut first, t(0), |q| a_record(q, 300));
    p.finish(t(0), second, o2);
    p.finish(t(0), first, o1);
    for n in ["one.example.", "two.example."] {
        assert!(matches!(
            p.begin(t(1), n, RecordType::A).unwrap(),
            Begin::Answered(_)
        ));
    }
}
