//! The sans-IO stub resolver, driven by hand: which name goes to which
//! server in which order (resolv.conf(5)), when each query times out (on the
//! clock the test gives), TC=1 answered over TCP (RFC 7766 §5), and
//! responses that fail the RFC 5452 §9.1 checks ignored on both transports.

use std::net::SocketAddr;

use handshake_dns::wire::{Message, RData, Rcode, Record};
use handshake_dns::{Outcome, ResolvConf, ServFail, Step, Stub};
use handshake_time::{Duration, Instant};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

const S1: &str = "192.0.2.1:53";
const S2: &str = "192.0.2.2:53";

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn t(ms: u64) -> Instant {
    Instant::ZERO + Duration::from_millis(ms)
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(5452)
}

/// The next query, as (server, name, tcp).
fn next(stub: &mut Stub, rng: &mut ChaCha20Rng) -> (SocketAddr, String, bool, Message) {
    match stub.poll(rng) {
        Step::Query {
            server,
            message,
            tcp,
        } => (
            server,
            message.questions[0].name.to_lowercase().to_string(),
            tcp,
            message,
        ),
        other => panic!("expected a query, got {other:?}"),
    }
}

/// A response to `q` with `rcode`, and an A record when NOERROR.
fn reply(q: &Message, rcode: Rcode) -> Message {
    let mut r = q.response();
    r.set_rcode(rcode);
    if rcode == Rcode::NOERROR {
        let name = q.questions[0].name.clone();
        r.answers
            .push(Record::new(name, 60, RData::A([192, 0, 2, 80].into())));
    }
    r
}

fn bytes(m: &Message) -> Vec<u8> {
    m.to_bytes().unwrap()
}

#[test]
fn search_list_in_ndots_order_nxdomain_moves_on() {
    // resolv.conf(5): "www" has 0 dots < ndots 1: the search domains first,
    // in order, then the name as given; NXDOMAIN tries the next.
    let conf = ResolvConf::parse("nameserver 192.0.2.1\nsearch a.example b.example\n");
    let mut stub = Stub::new(&conf, "www", handshake_dns::wire::RecordType::A, 0);
    let mut rng = rng();
    stub.handle_time(t(0));
    let mut asked = Vec::new();
    for _ in 0..3 {
        let (server, name, tcp, q) = next(&mut stub, &mut rng);
        assert_eq!((server, tcp), (sa(S1), false));
        asked.push(name);
        stub.handle_datagram(server, &bytes(&reply(&q, Rcode::NXDOMAIN)));
    }
    assert_eq!(asked, ["www.a.example.", "www.b.example.", "www."]);
    assert!(matches!(
        stub.poll(&mut rng),
        Step::Done(Outcome::NxDomain { .. })
    ));

    // "www.corp" has 1 dot >= ndots 1: as given first.
    let mut stub = Stub::new(&conf, "www.corp", handshake_dns::wire::RecordType::A, 0);
    let (_, name, _, q) = next(&mut stub, &mut rng);
    assert_eq!(name, "www.corp.");
    stub.handle_datagram(sa(S1), &bytes(&reply(&q, Rcode::NOERROR)));
    assert!(matches!(
        stub.poll(&mut rng),
        Step::Done(Outcome::Answer { .. })
    ));
    assert_eq!(stub.queries(), 1);
}

#[test]
fn attempts_rounds_over_the_servers_each_with_its_timeout() {
    // resolv.conf(5): attempts:2 means two rounds over both servers; each
    // query waits timeout:1 (one second) from when it was handed out.
    let conf = ResolvConf::parse(
        "nameserver 192.0.2.1\nnameserver 192.0.2.2\noptions attempts:2 timeout:1\n",
    );
    let mut stub = Stub::new(&conf, "www.example.", handshake_dns::wire::RecordType::A, 0);
    let mut rng = rng();
    let mut now = t(0);
    let mut servers = Vec::new();
    for _ in 0..4 {
        stub.handle_time(now);
        let (server, _, _, _) = next(&mut stub, &mut rng);
        servers.push(server);
        assert!(matches!(stub.poll(&mut rng), Step::Wait));
        assert_eq!(stub.poll_timeout(), Some(now + Duration::from_secs(1)));
        // Not yet due: nothing happens.
        stub.handle_timeout(now + Duration::from_millis(999));
        assert!(stub.is_waiting());
        now += Duration::from_secs(1);
        stub.handle_timeout(now);
        assert!(!stub.is_waiting());
    }
    assert_eq!(servers, [sa(S1), sa(S2), sa(S1), sa(S2)]);
    assert_eq!(
        stub.poll(&mut rng),
        Step::Done(Outcome::ServFail(ServFail::Timeout))
    );
    assert_eq!(stub.trace().len(), 4);
}

#[test]
fn servfail_and_refused_try_the_next_server() {
    // RFC 1035 §7.2: another server may answer.
    let conf =
        ResolvConf::parse("nameserver 192.0.2.1\nnameserver 192.0.2.2\noptions attempts:1\n");
    let mut rng = rng();
    let mut stub = Stub::new(&conf, "www.example.", handshake_dns::wire::RecordType::A, 0);
    let (s, _, _, q) = next(&mut stub, &mut rng);
    stub.handle_datagram(s, &bytes(&reply(&q, Rcode::SERVFAIL)));
    let (s2, _, _, q) = next(&mut stub, &mut rng);
    assert_eq!((s, s2), (sa(S1), sa(S2)));
    stub.handle_datagram(s2, &bytes(&reply(&q, Rcode::NOERROR)));
    assert!(matches!(
        stub.poll(&mut rng),
        Step::Done(Outcome::Answer { .. })
    ));

    let mut stub = Stub::new(&conf, "www.example.", handshake_dns::wire::RecordType::A, 0);
    for _ in 0..2 {
        let (s, _, _, q) = next(&mut stub, &mut rng);
        stub.handle_datagram(s, &bytes(&reply(&q, Rcode::REFUSED)));
    }
    assert_eq!(
        stub.poll(&mut rng),
        Step::Done(Outcome::ServFail(ServFail::AllServersRefused))
    );
}

#[test]
fn rotate_starts_after_the_server_that_answered() {
    // resolv.conf(5) rotate: round-robin among the servers.
    let two = "nameserver 192.0.2.1\nnameserver 192.0.2.2\n";
    let mut rng = rng();
    for (extra, want_next) in [("options rotate\n", 1), ("", 0)] {
        let conf = ResolvConf::parse(&format!("{two}{extra}"));
        let mut stub = Stub::new(&conf, "www.example.", handshake_dns::wire::RecordType::A, 0);
        let (s, _, _, q) = next(&mut stub, &mut rng);
        stub.handle_datagram(s, &bytes(&reply(&q, Rcode::NOERROR)));
        assert!(matches!(stub.poll(&mut rng), Step::Done(_)));
        assert_eq!(stub.next_first(), want_next, "{extra:?}");
        // The next lookup starts there.
        let mut again = Stub::new(
            &conf,
            "www.example.",
            handshake_dns::wire::RecordType::A,
            stub.next_first(),
        );
        let (s, _, _, _) = next(&mut again, &mut rng);
        assert_eq!(s, conf.nameservers[want_next]);
    }
}

#[test]
fn truncated_goes_over_tcp_and_tcp_answers_are_checked_too() {
    let conf = ResolvConf::parse("nameserver 192.0.2.1\n");
    let mut rng = rng();
    let mut stub = Stub::new(&conf, "big.example.", handshake_dns::wire::RecordType::A, 0);
    stub.handle_time(t(0));
    let (s, _, tcp, q) = next(&mut stub, &mut rng);
    assert!(!tcp);
    let mut tc = q.response();
    tc.header.truncated = true;
    stub.handle_datagram(s, &bytes(&tc));
    // RFC 7766 §5: the same query to the same server, over TCP.
    stub.handle_time(t(10));
    let (s2, _, tcp, q2) = next(&mut stub, &mut rng);
    assert_eq!((s2, tcp, q2.header.id), (s, true, q.header.id));
    assert_eq!(stub.poll_timeout(), Some(t(10) + Duration::from_secs(5)));
    // RFC 7766 §7 with RFC 5452 §9.1: over TCP a response must match too.
    let mut wrong_id = reply(&q2, Rcode::NOERROR);
    wrong_id.header.id ^= 0x5a5a;
    stub.handle_datagram(s, &bytes(&wrong_id));
    let mut wrong_question = reply(&q2, Rcode::NOERROR);
    wrong_question.questions[0].name = "victim.example".parse().unwrap();
    stub.handle_datagram(s, &bytes(&wrong_question));
    assert!(stub.is_waiting());
    assert_eq!(stub.mismatched(), 2);
    stub.handle_datagram(s, &bytes(&reply(&q2, Rcode::NOERROR)));
    assert!(matches!(
        stub.poll(&mut rng),
        Step::Done(Outcome::Answer { .. })
    ));
    assert_eq!(stub.queries(), 2);
}

#[test]
fn answers_from_another_address_or_port_are_ignored() {
    // RFC 5452 §9.1: source address and port must be where the query went.
    let conf = ResolvConf::parse("nameserver 192.0.2.1\n");
    let mut rng = rng();
    let mut stub = Stub::new(&conf, "www.example.", handshake_dns::wire::RecordType::A, 0);
    let (s, _, _, q) = next(&mut stub, &mut rng);
    let good = bytes(&reply(&q, Rcode::NOERROR));
    stub.handle_datagram(sa("192.0.2.1:5353"), &good);
    stub.handle_datagram(sa("198.51.100.1:53"), &good);
    stub.handle_datagram(s, &good[..11]); // not even a header
    assert!(stub.is_waiting());
    assert_eq!(stub.mismatched(), 3);
    stub.handle_datagram(s, &good);
    assert!(matches!(
        stub.poll(&mut rng),
        Step::Done(Outcome::Answer { .. })
    ));
}

#[test]
fn case_randomised_and_checked_letter_for_letter() {
    // DNS 0x20 (draft-vixie-dnsext-dns0x20, RFC 5452 §9.3): the echoed
    // question must keep the case we sent.
    let conf = ResolvConf::parse("nameserver 192.0.2.1\n");
    let mut rng = rng();
    let name = "abcdefghijklmnopqrstuvwxyz.example.";
    let mut stub =
        Stub::new(&conf, name, handshake_dns::wire::RecordType::A, 0).with_randomised_case(true);
    let (s, _, _, q) = next(&mut stub, &mut rng);
    let sent = q.questions[0].name.to_string();
    assert_ne!(sent, name, "32 letters: all lower case once in 2^32");
    let mut lowered = reply(&q, Rcode::NOERROR);
    lowered.questions[0].name = lowered.questions[0].name.to_lowercase();
    stub.handle_datagram(s, &bytes(&lowered));
    assert!(stub.is_waiting());
    stub.handle_datagram(s, &bytes(&reply(&q, Rcode::NOERROR)));
    match stub.poll(&mut rng) {
        // Handed back in the case asked (the restore of issue 14, defect 2).
        Step::Done(Outcome::Answer { records, .. }) => {
            assert_eq!(records[0].name.to_string(), name)
        }
        other => panic!("{other:?}"),
    }
}
