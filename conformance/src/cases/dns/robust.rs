//! `dns.robust.*`: regression cases for the defects of the DNS hardening
//! issue (#14): each failed on the code before its fix.

use super::support::*;
use crate::peers::dns_loopback::Loopback;
use crate::{check, Case, Ctx};
use handshake_dns::wire::{Message, Question, RData, Rcode, Record, RecordType, Soa};
use handshake_dns::ResolvConf;
use handshake_io::resolver::Source;
use std::sync::Arc;

/// The SOA of `example.` with this record TTL and MINIMUM.
fn soa(ttl: u32, minimum: u32) -> Record {
    Record::new(
        name("example"),
        ttl,
        RData::Soa(Soa {
            mname: name("ns.example"),
            rname: name("hostmaster.example"),
            serial: 1,
            refresh: 7200,
            retry: 3600,
            expire: 1_209_600,
            minimum,
        }),
    )
}

/// A stub resolver asking only `srv`, once.
fn stub_of(srv: &Loopback) -> Result<handshake_io::resolver::BlockingResolver, String> {
    stub(ResolvConf {
        nameservers: vec![srv.addr()],
        attempts: 1,
        ..ResolvConf::default()
    })
}

/// Queries `srv` received for `qname` (any type, any transport).
fn asked(srv: &Loopback, qname: &str) -> usize {
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
    let srv = Loopback::start(Arc::new(|q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        r.set_rcode(Rcode::NXDOMAIN);
        let ttl = if q.questions.first()?.name == name("one.example") {
            1
        } else {
            0
        };
        r.authorities.push(soa(ttl, 3600));
        Some(r)
    }))?;
    let mut r = stub_of(&srv)?;
    let mut source = |n: &str| {
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
    let srv = Loopback::start_many(Arc::new(|q: &Message, tcp| {
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

/// The `dns.robust.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("dns.robust.negative-ttl-min-soa-ttl", "RFC 2308 §5")
            .simulation(negative_ttl_min_of_soa_ttl),
        Case::must(
            "dns.robust.tcp-answer-must-match",
            "RFC 7766 §7; RFC 5452 §9.1",
        )
        .simulation(tcp_answer_must_match),
    ]
}
