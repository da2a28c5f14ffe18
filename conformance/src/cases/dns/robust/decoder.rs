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
