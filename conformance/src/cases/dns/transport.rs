//! `dns.transport.*`: DNS over TCP (RFC 7766, RFC 1035 §4.2.2): fallback on truncation.

use super::support::*;
use crate::peers::dns_server::{answering, DnsServer};
use crate::{Case, Ctx, Outcome};
use handshake_dns::wire::{Message, Question, RData, Record, RecordType};

/// RFC 7766 §5 and §8: a truncated UDP answer is asked again over TCP, the
/// same query behind a two-octet length, and the TCP answer is read by its
/// own length prefix.
fn truncated_over_tcp(_: &mut Ctx) -> Outcome {
    let srv = DnsServer::loopback(answering(|q: &Message, tcp| {
        let mut r = q.response();
        if tcp {
            // 60 A records: 60 * 16 bytes, more than fits in 512.
            for i in 0..60u8 {
                r.answers.push(Record::new(
                    q.questions.first()?.name.clone(),
                    60,
                    RData::A([192, 0, 2, i].into()),
                ));
            }
        } else {
            r.header.truncated = true;
        }
        Some(r)
    }));
    let srv = match srv {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let query = Message::query(0x7c7c, Question::new(name("big.example"), RecordType::A));
    let got = handshake_io::dns::query(srv.addr(), &query, std::time::Duration::from_secs(2));
    let seen = srv.received();
    let framing_ok = match seen.as_slice() {
        [udp, tcp] => {
            !udp.tcp && tcp.tcp && tcp.framed_len == Some(tcp.bytes.len()) && tcp.bytes == udp.bytes
        }
        _ => false,
    };
    match got {
        Ok(m) if m.answers.len() == 60 && !m.header.truncated && framing_ok => Outcome::Pass,
        other => Outcome::Fail(format!(
            "{} answers; the server saw {:?}",
            other.map_or_else(|e| e.to_string(), |m| m.answers.len().to_string()),
            seen.iter()
                .map(|r| (r.tcp, r.framed_len, r.bytes.len()))
                .collect::<Vec<_>>()
        )),
    }
}

/// The `dns.transport.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "dns.transport.truncated-retried-over-tcp",
        "RFC 7766 §5, §8; RFC 1035 §4.2.2",
    )
    .simulation(truncated_over_tcp)]
}
