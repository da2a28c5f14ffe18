//! Parsing and emitting typical compressed responses, ours beside
//! hickory-proto's, on the same bytes in the same run.
//!
//! Inputs: the 20-address answer of `many.example.com` from the fixture
//! zone, and a `www.example.com` answer with the zone's NS records and their
//! glue (A and AAAA) in the additional section, both with EDNS(0). Both
//! libraries parse the whole message into owned records; emit writes the
//! parsed message back with name compression.

use std::hint::black_box;

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use handshake_dns::wire::{Message, Name, Question, RData, Record, RecordType};
use hickory_proto::op::Message as HMessage;

fn name(s: &str) -> Name {
    s.parse().expect("bench names are valid")
}

/// `many.example.com. A`: 20 addresses, each owner a pointer to the question.
fn many() -> Message {
    let q = name("many.example.com");
    let mut m = Message::query(0x1234, Question::new(q.clone(), RecordType::A)).response();
    m.header.authoritative = true;
    for i in 1..=20 {
        m.answers
            .push(Record::new(q.clone(), 300, RData::A([192, 0, 2, i].into())));
    }
    m
}

/// `www.example.com. A` with the zone's two name servers and their glue.
fn www_with_glue() -> Message {
    let q = name("www.example.com");
    let mut m = Message::query(0x4321, Question::new(q.clone(), RecordType::A)).response();
    m.header.authoritative = true;
    m.answers
        .push(Record::new(q, 300, RData::A([192, 0, 2, 80].into())));
    for (ns, v4, v6) in [
        ("ns1.example.com", [192, 0, 2, 53], "2001:db8::53"),
        ("ns2.example.com", [198, 51, 100, 53], "2001:db8:1::53"),
    ] {
        m.authorities.push(Record::new(
            name("example.com"),
            86_400,
            RData::Ns(name(ns)),
        ));
        m.additionals
            .push(Record::new(name(ns), 86_400, RData::A(v4.into())));
        m.additionals.push(Record::new(
            name(ns),
            86_400,
            RData::Aaaa(v6.parse().expect("address")),
        ));
    }
    m
}

fn bench_wire(c: &mut Criterion) {
    let inputs = [
        ("many.example.com", many()),
        ("www+ns+glue", www_with_glue()),
    ];
    let mut parse = c.benchmark_group("dns/parse");
    for (label, m) in &inputs {
        let bytes = m.to_bytes().expect("emit");
        // Both sides read the same message.
        let theirs = HMessage::from_vec(&bytes).expect("hickory parses our bytes");
        assert_eq!(theirs.answers.len(), m.answers.len());
        assert_eq!(theirs.authorities.len(), m.authorities.len());
        assert_eq!(theirs.additionals.len(), m.additionals.len());
        assert_eq!(Message::parse(&bytes).as_ref(), Ok(m));
        parse.throughput(Throughput::Bytes(bytes.len() as u64));
        parse.bench_with_input(BenchmarkId::new("handshake", label), &bytes, |b, bytes| {
            b.iter(|| Message::parse(black_box(bytes)))
        });
        parse.bench_with_input(BenchmarkId::new("hickory", label), &bytes, |b, bytes| {
            b.iter(|| HMessage::from_vec(black_box(bytes)))
        });
    }
    parse.finish();

    let mut emit = c.benchmark_group("dns/emit");
    for (label, m) in &inputs {
        let bytes = m.to_bytes().expect("emit");
        let theirs = HMessage::from_vec(&bytes).expect("hickory parses our bytes");
        // Both compress: the outputs are the same size and read back the same.
        let their_bytes = theirs.to_vec().expect("hickory emits");
        assert_eq!(
            their_bytes.len(),
            bytes.len(),
            "{label}: compression differs"
        );
        assert_eq!(Message::parse(&their_bytes).as_ref(), Ok(m));
        emit.throughput(Throughput::Bytes(bytes.len() as u64));
        emit.bench_with_input(BenchmarkId::new("handshake", label), m, |b, m| {
            b.iter(|| black_box(m).to_bytes())
        });
        emit.bench_with_input(BenchmarkId::new("hickory", label), &theirs, |b, m| {
            b.iter(|| black_box(m).to_vec())
        });
    }
    emit.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench_wire);
}
use group::benches;
criterion_main!(benches);
