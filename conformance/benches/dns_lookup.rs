//! Resolver lookups, ours beside a peer's, in the same run.
//!
//! - `dns/lookup-cached`: a lookup the cache answers, our pipeline
//!   (`handshake_io::resolver::Resolver`) beside hickory-resolver's
//!   `Resolver::lookup`. Both were filled by one real query to the same
//!   in-process server on 127.0.0.1, and both run on the same tokio
//!   current-thread runtime; the server is checked afterwards to have heard
//!   exactly one query from each, so every measured lookup came from cache.
//! - `dns/lookup-cold`: `www.example.com. A` resolved from nothing over the
//!   fixture Internet (NSD on 127.0.0.x, fixtures/dns): ours is a fresh
//!   `Iterative` from the root hints each iteration (three UDP exchanges);
//!   unbound is primed (it knows the root's name servers, as our root hints
//!   do), and before each iteration everything below the root is flushed
//!   through its remote control (`flush_zone com.`, `flush_infra all`,
//!   outside the timed part), so unbound too walks root -> com -> example.com
//!   with three exchanges. Reaching unbound costs a stub query our side does
//!   not make: each iteration also times the same query once more, answered
//!   from unbound's cache, and counts the cold query minus that client hop.
//!   Needs root (port 53 on 127.0.0.x), nsd and unbound; without them these
//!   rows are skipped with a note.

use std::hint::black_box;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use criterion::{criterion_main, BenchmarkId, Criterion};
use handshake_conformance::peers::dns_server::{answering, DnsServer};
use handshake_conformance::peers::dnsnet::{self, DnsNet, UNBOUND};
use handshake_dns::wire::{Message, Name, Question, RData, Record, RecordType};
use handshake_dns::{Hosts, IterConfig, Iterative, Outcome, ResolvConf};
use handshake_io::resolver::{Resolver, Source, Upstream};
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn bench_cached(c: &mut Criterion) {
    let server = DnsServer::loopback(answering(|q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let qq = q.questions.first()?;
        r.answers.push(Record::new(
            qq.name.clone(),
            3600,
            RData::A([192, 0, 2, 80].into()),
        ));
        Some(r)
    }))
    .expect("a loopback server");
    let rt = runtime();
    let conf = ResolvConf {
        nameservers: vec![server.addr()],
        ..ResolvConf::default()
    };
    let ours = Resolver::new(Hosts::default(), Upstream::Stub(conf));
    let mut opts = ResolverOpts::default();
    opts.use_hosts_file = ResolveHosts::Never;
    opts.edns0 = true;
    // The same server for hickory, over UDP and TCP on its port.
    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()].map(|mut c| {
        c.port = server.addr().port();
        c
    });
    let servers = vec![NameServerConfig::new(
        server.addr().ip(),
        true,
        connections.to_vec(),
    )];
    let hickory = hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], servers),
        TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build()
    .expect("hickory-resolver");
    let qname = "www.example.com.";
    let htype = hickory_resolver::proto::rr::RecordType::A;
    // Fill both caches, then check they answer from it.
    rt.block_on(async {
        ours.lookup(qname, RecordType::A)
            .await
            .expect("our first lookup");
        hickory
            .lookup(qname, htype)
            .await
            .expect("hickory's first lookup");
        let again = ours.lookup(qname, RecordType::A).await.expect("ours again");
        assert_eq!(again.source, Source::Cache);
        let theirs = hickory.lookup(qname, htype).await.expect("hickory again");
        assert_eq!(theirs.answers().len(), 1);
    });
    let mut g = c.benchmark_group("dns/lookup-cached");
    g.bench_function(BenchmarkId::new("handshake", "www.example.com"), |b| {
        b.iter(|| rt.block_on(ours.lookup(black_box(qname), RecordType::A)))
    });
    g.bench_function(BenchmarkId::new("hickory", "www.example.com"), |b| {
        b.iter(|| rt.block_on(hickory.lookup(black_box(qname), htype)))
    });
    g.finish();
    assert_eq!(
        server.received().len(),
        2,
        "a measured lookup went to the network"
    );
}

fn hints() -> Vec<(Name, Vec<IpAddr>)> {
    vec![(
        "a.root".parse().expect("name"),
        vec![IpAddr::from([127, 0, 0, 2])],
    )]
}

fn bench_cold(c: &mut Criterion) {
    let missing: Vec<String> = dnsnet::NEEDS.iter().filter_map(|n| n.missing()).collect();
    if !missing.is_empty() {
        eprintln!("dns/lookup-cold: skipped ({})", missing.join("; "));
        return;
    }
    let work = std::env::temp_dir().join("handshake-bench");
    let net = match DnsNet::start(&work, dnsnet::Authority::Nsd) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("dns/lookup-cold: skipped (the fixture Internet did not start: {e})");
            return;
        }
    };
    let rt = runtime();
    let q = Question::new("www.example.com".parse().expect("name"), RecordType::A);
    let timeout = Duration::from_millis(700);
    let ours = || {
        let mut lookup = Iterative::new(q.clone(), &hints(), IterConfig::default());
        rt.block_on(handshake_io::dns::resolve_async(
            &mut lookup,
            timeout,
            |_| {},
        ))
    };
    assert!(
        matches!(ours(), Ok(Outcome::Answer { .. })),
        "our lookup fails"
    );
    let flush = || {
        for cmd in ["flush_zone com.", "flush_infra all"] {
            let reply = net.unbound_control(cmd).expect("unbound's remote control");
            assert!(reply.starts_with("ok"), "unbound-control {cmd}: {reply}");
        }
    };
    let query = Message::query(0x0c01, q.clone());
    let theirs = || {
        rt.block_on(handshake_io::dns::query_async(
            UNBOUND,
            &query,
            Duration::from_secs(5),
        ))
    };
    // The first query primes the root (RFC 8109); the flushes keep it.
    let first = theirs().expect("unbound answers");
    assert_eq!(first.answers.len(), 1, "unbound: {first:?}");

    let mut g = c.benchmark_group("dns/lookup-cold");
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("handshake", "www.example.com"), |b| {
        b.iter(|| black_box(ours()))
    });
    g.bench_function(BenchmarkId::new("unbound", "www.example.com"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                flush();
                let started = Instant::now();
                let r = theirs();
                let cold = started.elapsed();
                assert!(matches!(&r, Ok(m) if m.answers.len() == 1), "{r:?}");
                // The client hop alone: the same query, now from the cache.
                let started = Instant::now();
                let r = theirs();
                let hop = started.elapsed();
                assert!(matches!(&r, Ok(m) if m.answers.len() == 1), "{r:?}");
                total += cold.saturating_sub(hop);
            }
            total
        })
    });
    g.finish();
    drop(net);
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench_cached, super::bench_cold);
}
use group::benches;
criterion_main!(benches);
