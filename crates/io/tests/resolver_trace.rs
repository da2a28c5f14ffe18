//! The pipeline's trace, with a stub resolver asking a tiny in-process
//! server on 127.0.0.1 (an OS-chosen port, so no privileges are needed).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::thread::JoinHandle;
use std::time::Duration;

use handshake_dns::wire::{Message, Name, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{Hosts, Outcome, ResolvConf};
use handshake_io::resolver::{
    adapter_name_servers, BlockingResolver, Resolver, Source, TraceStep, Upstream,
};

fn n(s: &str) -> Name {
    s.parse().unwrap()
}

/// Answers `www.example.` A with 192.0.2.1, everything else with NXDOMAIN;
/// stops after `max` queries or 5 s of silence.
fn server(max: usize) -> (SocketAddr, JoinHandle<usize>) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let addr = sock.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        let mut served = 0;
        while served < max {
            let Ok((len, client)) = sock.recv_from(&mut buf) else {
                break;
            };
            let Ok(q) = Message::parse(&buf[..len]) else {
                continue;
            };
            served += 1;
            let mut r = q.response();
            r.header.recursion_available = true;
            match q.questions.first() {
                Some(qq) if qq.name == n("www.example") && qq.qtype == RecordType::A => {
                    r.answers.push(Record::new(
                        qq.name.clone(),
                        300,
                        RData::A([192, 0, 2, 1].into()),
                    ))
                }
                _ => r.set_rcode(Rcode::NXDOMAIN),
            }
            let _ = sock.send_to(&r.to_bytes().unwrap(), client);
        }
        served
    });
    (addr, t)
}

fn stub(servers: Vec<SocketAddr>, hosts: &str) -> BlockingResolver {
    let conf = ResolvConf {
        nameservers: servers,
        attempts: 1,
        timeout: handshake_time::Duration::from_millis(300),
        ..ResolvConf::default()
    };
    BlockingResolver::new(Resolver::new(Hosts::parse(hosts), Upstream::Stub(conf))).unwrap()
}

#[test]
fn trace_names_the_cache_the_hosts_file_and_each_server_asked() {
    let (addr, t) = server(1);
    let r = stub(vec![addr], "192.0.2.9 pinned.example\n");

    let first = r.lookup("www.example", RecordType::A).unwrap();
    assert_eq!(first.source, Source::Network);
    assert!(matches!(first.outcome, Outcome::Answer { .. }));
    let question = Question::new(n("www.example"), RecordType::A);
    assert_eq!(
        first.trace,
        [
            TraceStep::CacheMiss {
                name: n("www.example"),
                rtype: RecordType::A
            },
            TraceStep::Stub {
                server: addr,
                question,
                reply: Ok(Rcode::NOERROR)
            }
        ]
    );
    let lines: Vec<String> = first.trace.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "cache miss www.example. A".to_string(),
            format!("asked {addr} www.example. A: rcode 0")
        ]
    );

    let again = r.lookup("www.example", RecordType::A).unwrap();
    assert_eq!(again.source, Source::Cache);
    assert_eq!(
        again.trace,
        [TraceStep::CacheHit {
            name: n("www.example"),
            rtype: RecordType::A
        }]
    );

    let pinned = r.lookup("pinned.example", RecordType::A).unwrap();
    assert_eq!(pinned.source, Source::Hosts);
    assert_eq!(
        pinned.trace[1],
        TraceStep::HostsHit {
            name: n("pinned.example"),
            addrs: vec![IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9))]
        }
    );
    assert_eq!(
        t.join().unwrap(),
        1,
        "the cache and hosts answers sent no query"
    );
}

#[test]
fn trace_shows_a_silent_server_then_the_next() {
    // Bound but never read: a server that does not answer.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead = silent.local_addr().unwrap();
    let (addr, t) = server(1);
    let r = stub(vec![dead, addr], "");
    let a = r.lookup("www.example", RecordType::A).unwrap();
    assert!(matches!(a.outcome, Outcome::Answer { .. }), "{a:?}");
    assert_eq!(a.queries, 2);
    match &a.trace[1..] {
        [TraceStep::Stub {
            server: s1,
            reply: Err(_),
            ..
        }, TraceStep::Stub {
            server: s2,
            reply: Ok(Rcode::NOERROR),
            ..
        }] => assert_eq!((*s1, *s2), (dead, addr)),
        other => panic!("{other:?}"),
    }
    t.join().unwrap();
}

#[test]
fn adapter_servers_skip_down_adapters_duplicates_and_site_local_placeholders() {
    let up: Vec<IpAddr> = vec![
        "192.0.2.53".parse().unwrap(),
        "fec0:0:0:ffff::1".parse().unwrap(),
        "fec0:0:0:ffff::3".parse().unwrap(),
        "2001:db8::53".parse().unwrap(),
    ];
    let down: Vec<IpAddr> = vec!["198.51.100.53".parse().unwrap()];
    let again: Vec<IpAddr> = vec!["192.0.2.53".parse().unwrap(), "192.0.2.54".parse().unwrap()];
    let got = adapter_name_servers([(true, &up[..]), (false, &down[..]), (true, &again[..])]);
    let want: Vec<SocketAddr> = ["192.0.2.53:53", "[2001:db8::53]:53", "192.0.2.54:53"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(got, want);
}

#[cfg(unix)]
#[test]
fn unix_system_files() {
    assert_eq!(
        handshake_io::resolver::system_hosts_path(),
        std::path::PathBuf::from("/etc/hosts")
    );
}

#[test]
fn resolvers_can_be_shared_between_threads_and_tasks() {
    // Defect 10: lookups take &self, so one resolver serves many callers.
    fn shareable<T: Send + Sync>() {}
    shareable::<Resolver>();
    shareable::<BlockingResolver>();
}

#[test]
fn blocking_lookups_from_two_threads_share_one_resolver() {
    let (addr, t) = server(1);
    let r = stub(vec![addr], "");
    let answers = std::thread::scope(|s| {
        let a = s.spawn(|| r.lookup("www.example", RecordType::A).unwrap());
        let b = s.spawn(|| r.lookup("www.example", RecordType::A).unwrap());
        [a.join().unwrap(), b.join().unwrap()]
    });
    for a in &answers {
        assert!(matches!(a.outcome, Outcome::Answer { .. }), "{a:?}");
    }
    // One query at the server: the second lookup joined the first in flight
    // or found its answer (TTL 300) in the cache.
    assert_eq!(t.join().unwrap(), 1);
}

#[test]
fn a_waiter_outlives_the_lookup_it_joined() {
    // A server that answers each query 300 ms late.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let addr = sock.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        let mut served = 0;
        while served < 2 {
            let Ok((len, client)) = sock.recv_from(&mut buf) else {
                break;
            };
            let Ok(q) = Message::parse(&buf[..len]) else {
                continue;
            };
            served += 1;
            std::thread::sleep(Duration::from_millis(300));
            let mut r = q.response();
            r.answers.push(Record::new(
                q.questions[0].name.clone(),
                0,
                RData::A([192, 0, 2, 1].into()),
            ));
            let _ = sock.send_to(&r.to_bytes().unwrap(), client);
        }
        served
    });
    let conf = ResolvConf {
        nameservers: vec![addr],
        attempts: 1,
        timeout: handshake_time::Duration::from_secs(2),
        ..ResolvConf::default()
    };
    let r = std::sync::Arc::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (leader, waiter) = rt.block_on(async {
        let r1 = r.clone();
        // The first lookup is given up (dropped) after 100 ms...
        let leader = tokio::spawn(async move {
            tokio::time::timeout(
                Duration::from_millis(100),
                r1.lookup("www.example.", RecordType::A),
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // ...while a second one waits for it: it must not wait forever.
        let r2 = r.clone();
        let waiter = tokio::spawn(async move {
            tokio::time::timeout(
                Duration::from_secs(3),
                r2.lookup("www.example.", RecordType::A),
            )
            .await
        });
        (leader.await.unwrap(), waiter.await.unwrap())
    });
    assert!(leader.is_err(), "the first lookup was cancelled");
    let answer = waiter.expect("the waiter hung").unwrap();
    assert!(
        matches!(answer.outcome, Outcome::Answer { .. }),
        "{answer:?}"
    );
    // It asked again itself once the lookup it had joined was gone.
    assert_eq!(server.join().unwrap(), 2);
}
