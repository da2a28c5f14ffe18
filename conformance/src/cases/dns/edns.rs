//! `dns.edns.*`: EDNS(0) (RFC 6891): the advertised UDP payload size.

use super::support::*;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Message, Question, RecordType};
use handshake_dns::{IterConfig, Iterative, Outstanding, Step};

/// RFC 6891 §6.2.5 and DNS Flag Day 2020: every query we send carries
/// EDNS(0) version 0 advertising a 1232-byte UDP buffer.
fn edns_1232(ctx: &mut Ctx) -> Outcome {
    let q = Question::new(name("www.example.com"), RecordType::A);
    let mut it = Iterative::new(
        q.clone(),
        &[(name("a.root"), vec!["192.0.2.1".parse().expect("address")])],
        IterConfig::default(),
    );
    let iterative = match it.poll(&mut ctx.rng()) {
        Step::Query { message, .. } => message,
        other => return Outcome::Fail(format!("first step {other:?}")),
    };
    let (_, checked) = Outstanding::new(
        &mut ctx.rng(),
        "192.0.2.1:53".parse().expect("a"),
        q.clone(),
        true,
    );
    let stub = Message::query(1, q);
    for (who, m) in [
        ("iterative", iterative),
        ("outstanding", checked),
        ("stub", stub),
    ] {
        let Ok(bytes) = m.to_bytes() else {
            return Outcome::Fail(format!("{who}: emit failed"));
        };
        // The OPT record closes the message: root owner, TYPE 41, CLASS = the buffer size.
        let tail = &bytes[bytes.len().saturating_sub(11)..];
        let good = matches!(&m.edns, Some(e) if e.udp_payload_size == 1232 && e.version == 0)
            && tail[..5] == [0, 0, 41, 0x04, 0xd0]
            && bytes[11] == 1;
        if !good {
            return Outcome::Fail(format!("{who} query: {:?}, tail {tail:02x?}", m.edns));
        }
    }
    Outcome::from(check::ensure(
        handshake_io::dns::UDP_PAYLOAD == 1232,
        || {
            format!(
                "the transport reads {} bytes",
                handshake_io::dns::UDP_PAYLOAD
            )
        },
    ))
}

/// The `dns.edns.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::should(
        "dns.edns.udp-buffer-1232",
        "RFC 6891 §6.2.5; DNS Flag Day 2020",
    )
    .vector(edns_1232)]
}
