//! `dns.rfc5452.*`: Response acceptance (RFC 5452 §9.1): ID, source and question must match.

use super::support::*;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Class, Message, Name, RecordType};
use handshake_dns::Mismatch;
use std::net::SocketAddr;

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

/// The `dns.rfc5452.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must("dns.rfc5452.id-must-match", "RFC 5452 §9.1").vector(rfc5452_id),
        Case::must("dns.rfc5452.question-must-match", "RFC 5452 §9.1, §9.3")
            .vector(rfc5452_question),
        Case::must("dns.rfc5452.source-must-match", "RFC 5452 §9.1").vector(rfc5452_source),
    ]
}
