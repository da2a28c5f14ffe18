//! Defect 9: one decoder for names, whether a name is decoded label by
//! label or copied from a name the parser met earlier in the message.

use crate::check;
use handshake_dns::wire::{Message, Name};

/// A response whose question name is a bare pointer into the header, and
/// whose answer is owned by a pointer to the octet after that pointer (the
/// question's QTYPE).
///
/// Header: ID 0x1234, QR RD RA, QDCOUNT 1, ANCOUNT 1, NSCOUNT 1, ARCOUNT 0.
/// Read as a name from offset 7 (RFC 1035 §4.1.4: a pointer is an offset
/// from the start of the message), the header's last five octets
/// `01 00 01 00 00` are two one-octet labels `\000` and the root. The
/// question (offset 12) is `c0 07`, QTYPE A, QCLASS IN; so the octet at
/// offset 14 is QTYPE's high octet, 0: read from there, a name is the root.
/// The answer's owner `c0 0e` points at offset 14: its owner is `.`.
/// The authority record is owned by the root, written out.
pub(super) fn question_in_header() -> Vec<u8> {
    let mut m = vec![
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 1, 0, 0, // header
        0xc0, 0x07, 0, 1, 0, 1, // question: pointer to 7, A, IN
    ];
    // Answer: owner pointer to 14, A, IN, TTL 60, 192.0.2.1.
    m.extend_from_slice(&[0xc0, 14, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    // Authority: owner root, A, IN, TTL 60, 192.0.2.2.
    m.extend_from_slice(&[0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 2]);
    m
}

/// Defect 9. RFC 1035 §4.1.4: a compressed name is read by following its
/// pointers in the message as it is. The parser copies names it decoded
/// before instead of reading a pointer's target again; for the question it
/// took every suffix of the decoded name to lie at the offsets the name
/// would cover if written out, which is false when the question itself is
/// compressed (here against the header): the answer's owner, a pointer to
/// the question's QTYPE, came out as `\000.` instead of the root.
pub(super) fn question_compressed_against_header() -> check::Checked {
    let bytes = question_in_header();
    let m = Message::parse(&bytes).map_err(|e| format!("the message does not parse: {e}"))?;
    let qname = Name::from_labels([&[0u8][..], &[0u8][..]]).map_err(|e| e.to_string())?;
    check::equal(
        "question name (offset 7 of the header)",
        m.questions.first().map(|q| q.name.as_wire().to_vec()),
        Some(qname.as_wire().to_vec()),
    )?;
    check::equal(
        "answer owner (pointer to offset 14, the octet 0)",
        m.answers.first().map(|r| r.name.as_wire().to_vec()),
        Some(vec![0]),
    )?;
    check::equal(
        "authority owner (the root, written out)",
        m.authorities.first().map(|r| r.name.as_wire().to_vec()),
        Some(vec![0]),
    )
}

/// Defect 3, second half. RFC 5452 §9.1: a response is taken only from the
/// address and port asked, with our ID; those are in the first 12 octets,
/// so a datagram that fails them is refused before any name in it is
/// decompressed. The sans-IO resolver, asked `www.example. A` of a root at
/// 127.0.0.80, is handed two datagrams whose header is well formed and whose
/// body is not a message (a question count of 1 and nothing after the
/// header): one from another port with our ID, one from the server with
/// another ID; then the genuine answer. Both are refused for their header
/// (the trace says source and ID), where the code before parsed them first
/// and dropped them silently as malformed. (Over a socket the first never
/// reaches the resolver: handshake-io connects each query's socket to the
/// server, and the kernel drops datagrams from elsewhere.)
pub(super) fn header_checked_before_parsing() -> check::Checked {
    use handshake_dns::wire::{RData, Record, RecordType};
    use handshake_dns::{IterConfig, Iterative, Outcome, Step, TraceEvent};
    use rand::SeedableRng;
    use std::net::{Ipv4Addr, SocketAddr};

    let root: SocketAddr = "127.0.0.80:53".parse().expect("an address");
    let genuine = Ipv4Addr::new(192, 0, 2, 80);
    let mut lookup = Iterative::new(
        handshake_dns::wire::Question::new("www.example".parse().expect("a name"), RecordType::A),
        &[("a.root".parse().expect("a name"), vec![root.ip()])],
        IterConfig::default(),
    );
    lookup.start(handshake_time::Instant::ZERO);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(80);
    let Step::Query {
        server, message, ..
    } = lookup.poll(&mut rng)
    else {
        return Err("the lookup sent no query".into());
    };
    check::equal("the server asked", server, root)?;
    let id = message.header.id.to_be_bytes();
    // QR, QDCOUNT 1, and no question: malformed past the header.
    let other_port = [id[0], id[1], 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    let other_id = [id[0] ^ 0x5a, id[1], 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    lookup.handle_datagram(SocketAddr::new(root.ip(), 5353), &other_port);
    lookup.handle_datagram(root, &other_id);
    check::ensure(lookup.is_waiting(), || {
        "a datagram with a wrong source or ID ended the wait".into()
    })?;
    let q = message.questions.first().ok_or("no question")?;
    let mut r = message.response();
    r.header.authoritative = true;
    r.answers
        .push(Record::new(q.name.clone(), 60, RData::A(genuine)));
    lookup.handle_datagram(root, &r.to_bytes().map_err(|e| e.to_string())?);
    let outcome = match lookup.poll(&mut rng) {
        Step::Done(o) => o,
        Step::Wait => return Err("still waiting after the genuine answer".into()),
        Step::Query { server, .. } => return Err(format!("asked {server} again")),
    };
    check::ensure(
        matches!(&outcome, Outcome::Answer { records, .. }
            if records.iter().map(|r| &r.data).eq([&RData::A(genuine)])),
        || format!("www.example. A: {outcome:?}"),
    )?;
    let refused: Vec<String> = lookup
        .trace()
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Rejected { why, .. } => Some(why.clone()),
            _ => None,
        })
        .collect();
    check::ensure(
        refused.iter().any(|w| w.contains("query went to"))
            && refused.iter().any(|w| w.contains("response ID")),
        || format!("refusals traced: {refused:?} (want one for the source, one for the ID)"),
    )
}
