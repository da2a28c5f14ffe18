//! `dns.robust.*`: regression cases for the defects of the DNS hardening
//! issue (#14): each failed on the code before its fix.

use super::support::*;
use crate::peers::dns_server::{answering, answering_many, DnsServer};
use crate::{check, check_property, Case, Ctx, Need, Outcome};
use handshake_dns::wire::{Message, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{Outcome as Lookup, ResolvConf};
use handshake_io::resolver::Source;
use proptest::prelude::*;

mod budget;
mod cachebytes;
mod concurrent;
mod decoder;
mod onwire;

/// A stub resolver asking only `srv`, once.
fn stub_of(srv: &DnsServer) -> Result<handshake_io::resolver::BlockingResolver, String> {
    stub(ResolvConf {
        nameservers: vec![srv.addr()],
        attempts: 1,
        ..ResolvConf::default()
    })
}

/// Queries `srv` received for `qname` (any type, any transport).
fn asked(srv: &DnsServer, qname: &str) -> usize {
    let want = name(qname);
    srv.received()
        .iter()
        .filter_map(|r| Message::parse(&r.bytes).ok())
        .filter(|m| m.questions.iter().any(|q| q.name == want))
        .count()
}

/// Defect 6. RFC 2308 §5: a negative answer is cached for the smaller of the
/// SOA record's TTL and its MINIMUM field. The server's NXDOMAIN carries an
/// SOA whose MINIMUM is an hour but whose record TTL is 0 (for `zero.example`:
/// not cached at all, RFC 1035 §3.2.1) or 1 s (for `one.example`: cached,
/// then gone after a second). Caching for the MINIMUM answers both from the
/// cache for an hour.
fn negative_ttl_min_of_soa_ttl(_: &mut Ctx) -> check::Checked {
    let srv = DnsServer::loopback(answering(|q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        r.set_rcode(Rcode::NXDOMAIN);
        let ttl = if q.questions.first()?.name == name("one.example") {
            1
        } else {
            0
        };
        r.authorities.push(soa_record(ttl, 3600));
        Some(r)
    }))?;
    let r = stub_of(&srv)?;
    let source = |n: &str| {
        r.lookup(n, RecordType::A)
            .map(|a| a.source)
            .map_err(|e| format!("lookup {n}: {e}"))
    };
    source("zero.example.")?;
    check::equal(
        "second lookup of zero.example. (SOA TTL 0, MINIMUM 3600)",
        source("zero.example.")?,
        Source::Network,
    )?;
    source("one.example.")?;
    check::equal(
        "lookup of one.example. right after (SOA TTL 1)",
        source("one.example.")?,
        Source::Cache,
    )?;
    std::thread::sleep(std::time::Duration::from_millis(1300));
    check::equal(
        "lookup of one.example. 1.3 s later (SOA TTL 1, MINIMUM 3600)",
        source("one.example.")?,
        Source::Network,
    )?;
    check::equal(
        "queries the server saw for zero.example.",
        asked(&srv, "zero.example"),
        2,
    )?;
    check::equal(
        "queries the server saw for one.example.",
        asked(&srv, "one.example"),
        2,
    )
}

/// Defect 8. RFC 7766 §7: over TCP the client matches responses to its
/// queries by ID and question, as RFC 5452 §9.1 asks of any response. The
/// server truncates over UDP; over TCP it first sends a response with
/// another ID and one with another question (both carrying 6.6.6.6), then
/// the genuine one. Only the genuine one may be used; with no genuine one,
/// the exchange fails.
fn tcp_answer_must_match(_: &mut Ctx) -> check::Checked {
    let srv = DnsServer::loopback(answering_many(|q: &Message, tcp| {
        let mut r = q.response();
        let Some(qname) = q.questions.first().map(|q| q.name.clone()) else {
            return vec![];
        };
        if !tcp {
            r.header.truncated = true;
            return vec![r];
        }
        let evil = RData::A([6, 6, 6, 6].into());
        let mut wrong_id = r.clone();
        wrong_id.header.id ^= 0x5a5a;
        wrong_id
            .answers
            .push(Record::new(qname.clone(), 300, evil.clone()));
        let mut wrong_question = r.clone();
        wrong_question.questions[0].name = name("victim.example");
        wrong_question
            .answers
            .push(Record::new(name("victim.example"), 300, evil));
        let mut genuine = r;
        genuine.answers.push(Record::new(
            qname.clone(),
            300,
            RData::A([192, 0, 2, 1].into()),
        ));
        if qname == name("forged-only.example") {
            vec![wrong_id, wrong_question]
        } else {
            vec![wrong_id, wrong_question, genuine]
        }
    }))?;
    let query = |n: &str| Message::query(0x1234, Question::new(name(n), RecordType::A));
    let timeout = std::time::Duration::from_secs(2);
    let got = handshake_io::dns::query(srv.addr(), &query("a.example"), timeout)
        .map_err(|e| format!("a.example over TCP: {e}"))?;
    check::equal("ID of the response used", got.header.id, 0x1234)?;
    check::equal(
        "answer of the response used",
        got.answers
            .iter()
            .map(|r| r.data.clone())
            .collect::<Vec<_>>(),
        vec![RData::A([192, 0, 2, 1].into())],
    )?;
    let forged = handshake_io::dns::query(srv.addr(), &query("forged-only.example"), timeout);
    check::ensure(forged.is_err(), || {
        format!("only forgeries came over TCP, yet the query returned {forged:?}")
    })
}

/// A response holding `m` compression pointers, each to the one before, the
/// first to a root name at the start of an opaque RDATA (type 65280, RFC
/// 3597), and then `owners` A records, the first owned by a pointer to the
/// last of them, each next one by a pointer to the owner before: reading
/// the owner of the j-th A record follows `m + j` pointers and adds no label.
fn pointer_chain(m: usize, owners: usize) -> Vec<u8> {
    // Header: ID 0, QR, no question, 1 + owners answers.
    let mut msg = vec![0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    msg[6..8].copy_from_slice(&u16::try_from(1 + owners).expect("count").to_be_bytes());
    // Record 1: owner ".", type 65280, class IN, TTL 0, RDLENGTH.
    msg.extend_from_slice(&[0, 0xff, 0x00, 0, 1, 0, 0, 0, 0]);
    let rdlength = u16::try_from(1 + 2 * m).expect("chain fits a message");
    msg.extend_from_slice(&rdlength.to_be_bytes());
    let root = msg.len();
    msg.push(0);
    let mut last = root;
    for _ in 0..m {
        let here = msg.len();
        msg.extend_from_slice(&pointer(last));
        last = here;
    }
    // The A records: owner = pointer to the last pointer so far; 192.0.2.1.
    for _ in 0..owners {
        let here = msg.len();
        msg.extend_from_slice(&pointer(last));
        msg.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
        last = here;
    }
    msg
}

/// A compression pointer to `offset` (below 2^14).
fn pointer(offset: usize) -> [u8; 2] {
    assert!(offset < 0x4000, "a pointer reaches 14 bits");
    (0xc000 | offset as u16).to_be_bytes()
}

/// Defect 3. Decompression work per name is bounded: a pointer may only
/// point backwards (RFC 1035 §4.1.4), but pointers that add no label cost
/// nothing in length, so without a limit on hops a 64 KB message of
/// chained pointers costs tens of millions of them. A name may follow at
/// most 256 pointers (unbound's limit): 256 hops decode, 257 are refused.
fn pointer_hops_bounded(_: &mut Ctx) -> check::Checked {
    let ok = Message::parse(&pointer_chain(255, 1));
    check::ensure(
        matches!(&ok, Ok(m) if m.answers.len() == 2 && m.answers[1].name == name(".")),
        || format!("a name behind 256 pointers: {ok:?}"),
    )?;
    // 8000: the longest chain within the 14-bit reach of a pointer.
    for m in [256, 1000, 8000] {
        let got = Message::parse(&pointer_chain(m, 1));
        check::ensure(too_many_pointers(&got), || {
            format!(
                "a name behind {} pointers: {:?}",
                m + 1,
                got.map(|m| m.answers.len())
            )
        })?;
    }
    Ok(())
}

/// Defect 3, over generated chains: a message whose deepest name follows
/// `m + owners` pointers parses when that is at most 256 and is refused
/// with the typed error otherwise, whether the names are decoded pointer by
/// pointer or copied from an earlier name the parser remembered.
fn pointer_hops_property(ctx: &mut Ctx) -> Outcome {
    check_property(ctx, (0usize..600, 1usize..12), |(m, owners)| {
        let got = Message::parse(&pointer_chain(m, owners));
        if m + owners <= 256 {
            prop_assert!(
                matches!(&got, Ok(msg) if msg.answers.len() == 1 + owners),
                "{} hops: {:?}",
                m + owners,
                got
            );
        } else {
            prop_assert!(too_many_pointers(&got), "{} hops: {:?}", m + owners, got);
        }
        Ok(())
    })
}

/// Refused for following too many compression pointers: the typed error.
fn too_many_pointers(got: &Result<Message, handshake_dns::Error>) -> bool {
    matches!(
        got,
        Err(handshake_dns::Error::TooManyPointers { limit: 256, .. })
    )
}

/// Defect 1. A stub keeps from a recursive server's answer section only the
/// chain from the question name through its CNAMEs to records of the asked
/// type and class (RFC 1034 §5.3.3 and §4.3.2: the answer is that RRset, the
/// rest is not an answer to the question; RFC 2181 §5.4.1 ranks such
/// records below any other data), caches nothing else from it, and takes a
/// negative answer's SOA only from a zone that contains the name (RFC 2308
/// §3, §5). The server plays a poisoner: every reply carries
/// `victim.example. A 6.6.6.6`.
fn stub_answer_chain_only(_: &mut Ctx) -> check::Checked {
    let a = |n: &str, ip: [u8; 4]| Record::new(name(n), 300, RData::A(ip.into()));
    let srv = DnsServer::loopback(answering(move |q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let qq = q.questions.first()?;
        let poison = a("victim.example", [6, 6, 6, 6]);
        match qq.name.to_string().as_str() {
            "victim.example." => {
                r.set_rcode(Rcode::NXDOMAIN);
                r.authorities.push(soa_record(300, 300));
            }
            "b.example." => r.answers.extend([a("b.example", [192, 0, 2, 2]), poison]),
            "c.example." => r.answers.extend([
                Record::new(name("c.example"), 300, RData::Cname(name("d.example"))),
                poison.clone(),
                a("d.example", [192, 0, 2, 4]),
                Record::new(name("e.example"), 300, RData::Cname(name("victim.example"))),
            ]),
            "n.example." => {
                r.set_rcode(Rcode::NXDOMAIN);
                let mut foreign = soa_record(300, 300);
                foreign.name = name("victim.test");
                r.authorities.push(foreign);
            }
            _ => r.answers.push(poison),
        }
        Some(r)
    }))?;
    let r = stub_of(&srv)?;
    let lookup =
        |n: &str, t: RecordType| r.lookup(n, t).map_err(|e| format!("lookup {n} {t}: {e}"));
    // The answer each name gets, every reply carrying victim.example.'s A.
    let answers = |n: &str, t: RecordType, want: &[Record]| -> check::Checked {
        let got = lookup(n, t)?;
        let what = format!("{n} {t} when the reply also holds victim.example. A");
        check::equal(&what, ours(got.outcome), comparable(Rcode::NOERROR, want))
    };
    answers("a.example.", RecordType::A, &[])?;
    answers("a.example.", RecordType::MX, &[])?;
    answers(
        "b.example.",
        RecordType::A,
        &[a("b.example", [192, 0, 2, 2])],
    )?;
    // c.example. A through its CNAME, not e.example.'s CNAME to the victim.
    let cname = Record::new(name("c.example"), 300, RData::Cname(name("d.example")));
    answers(
        "c.example.",
        RecordType::A,
        &[cname, a("d.example", [192, 0, 2, 4])],
    )?;
    let got = lookup("victim.example.", RecordType::A)?;
    check::equal(
        "where victim.example. A came from",
        got.source,
        Source::Network,
    )?;
    check::equal(
        "victim.example. A",
        ours(got.outcome),
        comparable(Rcode::NXDOMAIN, &[]),
    )?;
    let got = lookup("n.example.", RecordType::A)?;
    check::ensure(
        matches!(got.outcome, Lookup::NxDomain { soa: None, .. }),
        || {
            format!(
                "n.example.: the SOA of victim.test. was taken: {:?}",
                got.outcome
            )
        },
    )?;
    check::equal("queries for n.example. so far", asked(&srv, "n.example"), 1)?;
    lookup("n.example.", RecordType::A)?;
    // RFC 2308 §5: without an SOA a negative answer is not cached.
    check::equal(
        "queries for n.example. after a second lookup",
        asked(&srv, "n.example"),
        2,
    )
}

/// The `dns.robust.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::should(
            "dns.robust.concurrent-lookups-not-blocked",
            "issue 14 defect 10 (robustness, no RFC rule)",
        )
        .simulation(|_| concurrent::concurrent_lookups_not_blocked()),
        Case::should(
            "dns.robust.identical-questions-coalesced",
            "RFC 5452 §5 (birthday attacks); issue 14 defect 10",
        )
        .simulation(|_| concurrent::identical_questions_coalesced()),
        Case::must("dns.robust.negative-ttl-min-soa-ttl", "RFC 2308 §5")
            .simulation(negative_ttl_min_of_soa_ttl),
        Case::must(
            "dns.robust.tcp-answer-must-match",
            "RFC 7766 §7; RFC 5452 §9.1",
        )
        .simulation(tcp_answer_must_match),
        Case::must(
            "dns.robust.pointer-hops-bounded",
            "RFC 1035 §4.1.4; RFC 9267 §2",
        )
        .vector(pointer_hops_bounded),
        Case::must(
            "dns.robust.pointer-hops-bounded-generated",
            "RFC 1035 §4.1.4; RFC 9267 §2",
        )
        .property(pointer_hops_property),
        Case::must(
            "dns.robust.stub-answer-chain-only",
            "RFC 1034 §5.3.3, §4.3.2; RFC 2181 §5.4.1; RFC 2308 §5",
        )
        .simulation(stub_answer_chain_only),
        Case::must(
            "dns.robust.question-compressed-against-header",
            "RFC 1035 §4.1.4",
        )
        .vector(|_| decoder::question_compressed_against_header()),
        Case::must("dns.robust.header-checked-before-parsing", "RFC 5452 §9.1")
            .vector(|_| decoder::header_checked_before_parsing()),
        Case::must(
            "dns.robust.names-in-callers-case",
            "RFC 5452 §9.3; RFC 1035 §4.1.4",
        )
        .needs(&[Need::Root])
        .simulation(|_| onwire::names_in_callers_case()),
        Case::must("dns.robust.silent-server-remembered", "RFC 1035 §7.2")
            .needs(&[Need::Root])
            .simulation(|_| onwire::silent_server_remembered()),
        Case::must("dns.robust.query-budget-per-resolution", "RFC 1035 §7.2")
            .simulation(budget::budget_is_per_resolution),
        Case::must("dns.robust.deadline-ends-resolution", "RFC 1035 §7.2")
            .simulation(budget::deadline_ends_resolution),
        Case::must("dns.robust.mismatch-flood-bounded", "RFC 5452 §9.1")
            .simulation(budget::mismatch_flood_bounded),
        Case::must(
            "dns.robust.servfail-reasons",
            "RFC 1034 §4.2.2, §3.6.2; RFC 1035 §4.1.1",
        )
        .simulation(budget::servfail_reasons),
        Case::must("dns.robust.cache-byte-budget", "RFC 1035 §7.4")
            .simulation(|_| cachebytes::cache_byte_budget()),
    ]
}
