//! `dns.wire.*`: The DNS message codec (RFC 1035 §4, RFC 3596, RFC 2782, RFC 6891, RFC 3597): vectors, names, compression, hostile bytes.

use super::support::*;
use crate::check::unhex;
use crate::{check, check_property, Case, Ctx, Outcome};
use handshake_dns::wire::{
    Edns, EdnsOption, Header, Message, Name, Opcode, Question, RData, Rcode, Record, RecordType,
    Soa,
};
use handshake_dns::Error;
use proptest::prelude::*;

/// A one-question message with the question name's bytes given raw, at offset 12.
fn with_raw_qname(qname: &[u8]) -> Vec<u8> {
    let mut m = vec![0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(qname);
    m.extend_from_slice(&[0, 1, 0, 1]);
    m
}

fn expect_err(got: Result<Message, Error>, want: &str, pred: impl Fn(&Error) -> bool) -> Outcome {
    match got {
        Err(e) if pred(&e) => Outcome::Pass,
        other => Outcome::Fail(format!("expected {want}, got {other:?}")),
    }
}

/// Emits `m`, compares with `want`, and parses `want` back to `m`.
fn both_ways(m: &Message, want: &[u8]) -> Outcome {
    match m.to_bytes() {
        Ok(b) if b == want => match Message::parse(want) {
            Ok(back) if &back == m => Outcome::Pass,
            other => Outcome::Fail(format!("the known bytes parse as {other:?}")),
        },
        Ok(b) => Outcome::Fail(format!(
            "emitted {}\n   want {}",
            hex::encode(&b),
            hex::encode(want)
        )),
        Err(e) => Outcome::Fail(format!("emit failed: {e}")),
    }
}

/// A response (id 0xbeef, QR and AA) to `example.com. <type>` whose one
/// answer, owned by the question name (a pointer to offset 12), has TTL 3600
/// and `data`; its RDATA must be exactly `rdata_hex`. RDATA starts at offset
/// 41, so names in it that begin there can be pointed at later.
fn rr_vector(data: RData, rdata_hex: &str) -> Outcome {
    let owner = name("example.com");
    let t = data.rtype();
    let mut m = Message::default();
    m.header.id = 0xbeef;
    m.header.response = true;
    m.header.authoritative = true;
    m.questions.push(Question::new(owner.clone(), t));
    m.answers.push(Record::new(owner, 3600, data));
    let rdata = unhex(rdata_hex);
    let mut want = unhex("beef84000001000100000000076578616d706c6503636f6d00");
    want.extend_from_slice(&t.0.to_be_bytes());
    want.extend_from_slice(&[0, 1, 0xc0, 0x0c]);
    want.extend_from_slice(&t.0.to_be_bytes());
    want.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10]);
    want.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    want.extend_from_slice(&rdata);
    both_ways(&m, &want)
}

/// RFC 1035 §4.1.4: a name is written as its labels up to the longest suffix
/// already in the message, then a pointer to it.
fn compression_longest_suffix(_: &mut Ctx) -> Outcome {
    let mut m = Message::default();
    m.header.id = 0xabcd;
    m.header.response = true;
    m.header.recursion_desired = true;
    m.header.recursion_available = true;
    m.questions
        .push(Question::new(name("a.b.example.com"), RecordType::A));
    m.answers.extend([
        // c, then a pointer to b.example.com at offset 14.
        Record::new(name("c.b.example.com"), 60, RData::A([192, 0, 2, 1].into())),
        // The whole owner is a pointer; the exchange points at example.com (16).
        Record::new(
            name("b.example.com"),
            60,
            RData::Mx {
                preference: 10,
                exchange: name("example.com"),
            },
        ),
        Record::new(
            name("mail.b.example.com"),
            60,
            RData::A([192, 0, 2, 2].into()),
        ),
    ]);
    both_ways(
        &m,
        &unhex(
            "abcd8180000100030000000001610162076578616d706c6503636f6d0000010001\
             0163c00e000100010000003c0004c0000201\
             c00e000f00010000003c0004000ac010\
             046d61696cc00e000100010000003c0004c0000202",
        ),
    )
}

/// RFC 1035 §4.1.4: a pointer has 14 bits, so a name first written past
/// offset 0x3FFF cannot be pointed at; a later copy must be written out
/// (here: its label, then a pointer to `example.`, which is early).
fn compression_offset_limit(_: &mut Ctx) -> Outcome {
    let mut m = Message::query(7, Question::new(name("example"), RecordType::TXT)).response();
    m.edns = None;
    for i in 0..70u8 {
        m.answers.push(Record::new(
            name("filler.example"),
            60,
            RData::Txt(vec![vec![b'a' + i % 26; 255]]),
        ));
    }
    for last in [1, 2] {
        m.additionals.push(Record::new(
            name("late.example"),
            60,
            RData::A([192, 0, 2, last].into()),
        ));
    }
    let bytes = match m.to_bytes() {
        Ok(b) => b,
        Err(e) => return Outcome::Fail(format!("emit failed: {e}")),
    };
    let late: Vec<usize> = bytes
        .windows(5)
        .enumerate()
        .filter(|(_, w)| *w == b"\x04late")
        .map(|(i, _)| i)
        .collect();
    if late.len() != 2 || late[0] <= 0x3fff {
        return Outcome::Fail(format!(
            "late.example's label written at {late:x?}: want twice, past 0x3fff"
        ));
    }
    match Message::parse(&bytes) {
        Ok(back) if back == m => Outcome::Pass,
        other => Outcome::Fail(format!("{}-byte message parses as {other:?}", bytes.len())),
    }
}

fn header_bytes(h: Header) -> Result<[u8; 2], String> {
    let m = Message {
        header: h,
        ..Message::default()
    };
    let b = m.to_bytes().map_err(|e| e.to_string())?;
    match Message::parse(&b) {
        Ok(back) if back.header == h => Ok([b[2], b[3]]),
        other => Err(format!("{h:?} parses back as {other:?}")),
    }
}

/// RFC 1035 §4.1.1 (and RFC 4035 §3.2 for AD, CD): each flag is its own bit.
fn header_flag_bits(_: &mut Ctx) -> Outcome {
    type Set = fn(&mut Header);
    let flags: [(&str, Set, u16); 8] = [
        ("QR", |h| h.response = true, 0x8000),
        ("AA", |h| h.authoritative = true, 0x0400),
        ("TC", |h| h.truncated = true, 0x0200),
        ("RD", |h| h.recursion_desired = true, 0x0100),
        ("RA", |h| h.recursion_available = true, 0x0080),
        ("Z", |h| h.z = true, 0x0040),
        ("AD", |h| h.authentic_data = true, 0x0020),
        ("CD", |h| h.checking_disabled = true, 0x0010),
    ];
    let mut all = Header::default();
    let mut all_bits = 0;
    for (flag, set, bit) in flags {
        let mut h = Header::default();
        set(&mut h);
        set(&mut all);
        all_bits |= bit;
        match header_bytes(h) {
            Ok(b) if u16::from_be_bytes(b) == bit => {}
            Ok(b) => return Outcome::Fail(format!("{flag}: flags {b:02x?}, want {bit:#06x}")),
            Err(e) => return Outcome::Fail(e),
        }
    }
    Outcome::from(check::ensure(
        header_bytes(all).map(u16::from_be_bytes) == Ok(all_bits),
        || "all flags together".into(),
    ))
}

/// RFC 1035 §4.1.1: OPCODE is bits 1-4, RCODE bits 12-15 of the flags word.
fn header_opcode_rcode(_: &mut Ctx) -> Outcome {
    let cases = [
        (Opcode::QUERY, 0u8, 0x0000u16),
        (Opcode::STATUS, 0, 0x1000),
        (Opcode::NOTIFY, 0, 0x2000),
        (Opcode::UPDATE, 0, 0x2800),
        (Opcode(15), 0, 0x7800),
        (Opcode::QUERY, 3, 0x0003),
        (Opcode::QUERY, 5, 0x0005),
        (Opcode::UPDATE, 15, 0x280f),
    ];
    for (opcode, rcode_low, want) in cases {
        let h = Header {
            opcode,
            rcode_low,
            ..Header::default()
        };
        match header_bytes(h) {
            Ok(b) if u16::from_be_bytes(b) == want => {}
            other => {
                return Outcome::Fail(format!(
                    "opcode {} rcode {rcode_low}: {other:02x?}, want {want:#06x}",
                    opcode.0
                ))
            }
        }
    }
    Outcome::Pass
}

/// RFC 1035 §4.1.1: QDCOUNT, ANCOUNT, NSCOUNT and ARCOUNT count the
/// sections (the OPT record included in ARCOUNT, RFC 6891 §6.1.1); a header
/// announcing more or fewer records than follow is an error.
fn header_counts(_: &mut Ctx) -> Outcome {
    let mut m = Message::query(1, Question::new(name("example"), RecordType::A)).response();
    let a = |last| Record::new(name("example"), 60, RData::A([192, 0, 2, last].into()));
    m.answers.extend([a(1), a(2)]);
    m.authorities.push(Record::new(
        name("example"),
        60,
        RData::Ns(name("ns.example")),
    ));
    m.additionals.extend([a(3), a(4)]);
    let b = match m.to_bytes() {
        Ok(b) => b,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    if b[4..12] != [0, 1, 0, 2, 0, 1, 0, 3] {
        return Outcome::Fail(format!("counts {:02x?}", &b[4..12]));
    }
    let mut more = b.clone();
    more[7] = 3;
    let mut fewer = b;
    fewer[7] = 1;
    match (Message::parse(&more), Message::parse(&fewer)) {
        (Err(Error::Truncated { .. }), Err(Error::TrailingBytes(_))) => Outcome::Pass,
        other => Outcome::Fail(format!("ANCOUNT 3 and 1 for 2 answers: {other:?}")),
    }
}

/// The `dns.wire.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.wire.query-known-bytes",
            "RFC 1035 §4.1.1-4.1.2; RFC 6891 §6.1.2",
        )
        .vector(|_| {
            // `dig example.com A`: id 0x1234, RD, EDNS(0) with a 1232-byte buffer.
            let want = hex::decode(
                "123401000001000000000001076578616d706c6503636f6d000001000100002904d0000000000000",
            )
            .expect("hex");
            let q = Message::query(0x1234, Question::new(name("example.com"), RecordType::A));
            match q.to_bytes() {
                Ok(b) if b == want => {
                    check::ensure(Message::parse(&want).as_ref() == Ok(&q), || {
                        "known bytes parse differently".into()
                    })
                }
                other => Err(format!("emitted {other:02x?}")),
            }
        }),
        Case::must("dns.wire.pointer-to-itself", "RFC 1035 §4.1.4").vector(|_| {
            expect_err(
                Message::parse(&with_raw_qname(&[0xc0, 12])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.forward-pointer", "RFC 1035 §4.1.4").vector(|_| {
            expect_err(
                Message::parse(&with_raw_qname(&[0xc0, 14, 0])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.pointer-loop-through-labels", "RFC 1035 §4.1.4").vector(|_| {
            // `a` then a pointer back to `a`: every hop backwards, yet a loop.
            expect_err(
                Message::parse(&with_raw_qname(&[1, b'a', 0xc0, 12])),
                "BadPointer",
                |e| matches!(e, Error::BadPointer { .. }),
            )
        }),
        Case::must("dns.wire.label-over-63", "RFC 1035 §2.3.4").vector(|_| {
            // On the wire a length octet of 64 or more is not a label at all
            // (its top bits make it an extended or pointer type); in text form
            // and through the builder the limit must be enforced.
            let text = "x".repeat(64).parse::<Name>();
            let built = Name::from_labels([&[b'x'; 64][..]]);
            Outcome::from(check::ensure(
                text == Err(Error::LabelTooLong(64)) && built == Err(Error::LabelTooLong(64)),
                || format!("text: {text:?}, builder: {built:?}"),
            ))
        }),
        Case::must(
            "dns.wire.extended-label-types-rejected",
            "RFC 6891 §5; RFC 1035 §4.1.4",
        )
        .vector(|_| {
            for first in [0x40u8, 0x80] {
                let got = Message::parse(&with_raw_qname(&[first, 0]));
                if got != Err(Error::ReservedLabelType(first)) {
                    return Outcome::Fail(format!("label type {first:#04x}: {got:?}"));
                }
            }
            Outcome::Pass
        }),
        Case::must("dns.wire.name-over-255", "RFC 1035 §2.3.4").vector(|_| {
            let mut q = Vec::new();
            for _ in 0..4 {
                q.push(63);
                q.extend_from_slice(&[b'x'; 63]);
            }
            q.push(0);
            expect_err(Message::parse(&with_raw_qname(&q)), "NameTooLong", |e| {
                matches!(e, Error::NameTooLong(_))
            })
        }),
        Case::must("dns.wire.truncated-anywhere", "RFC 1035 §4.1").vector(|_| {
            let full = with_raw_qname(&[7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0]);
            for n in 0..full.len() {
                if !matches!(Message::parse(&full[..n]), Err(Error::Truncated { .. })) {
                    return Outcome::Fail(format!("a {n}-byte prefix was not reported truncated"));
                }
            }
            Outcome::Pass
        }),
        Case::must("dns.wire.opt-root-owner", "RFC 6891 §6.1.2").vector(|_| {
            let mut m = with_raw_qname(&[0]);
            m[11] = 1; // ARCOUNT
            m.extend_from_slice(&[1, b'a', 0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
            expect_err(Message::parse(&m), "BadOpt", |e| {
                matches!(e, Error::BadOpt(_))
            })
        }),
        Case::must("dns.wire.opt-at-most-once", "RFC 6891 §6.1.1").vector(|_| {
            let mut m = with_raw_qname(&[0]);
            m[11] = 2;
            for _ in 0..2 {
                m.extend_from_slice(&[0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]);
            }
            expect_err(Message::parse(&m), "BadOpt", |e| {
                matches!(e, Error::BadOpt("repeated"))
            })
        }),
        Case::must("dns.wire.extended-rcode", "RFC 6891 §6.1.3").vector(|_| {
            let mut m = Message::query(1, Question::new(Name::root(), RecordType::NS)).response();
            m.set_rcode(Rcode::BADVERS);
            let back = m.to_bytes().and_then(|b| Message::parse(&b));
            Outcome::from(check::ensure(
                matches!(&back, Ok(b) if b.rcode() == Rcode::BADVERS && b.header.rcode_low == 0),
                || format!("{back:?}"),
            ))
        }),
        Case::must("dns.wire.names-case-insensitive", "RFC 4343 §3").vector(|_| {
            let a = name("WWW.Example.COM");
            Outcome::from(check::ensure(
                a == name("www.example.com") && a.to_string() == "WWW.Example.COM.",
                || "case handling".into(),
            ))
        }),
        Case::must("dns.wire.srv-target-not-compressed", "RFC 2782 (Target)").vector(|_| {
            let mut m = Message::query(
                1,
                Question::new(name("_x._tcp.example.com"), RecordType::SRV),
            )
            .response();
            m.edns = None;
            let target = name("example.com");
            m.answers.push(Record::new(
                name("_x._tcp.example.com"),
                60,
                RData::Srv {
                    priority: 0,
                    weight: 0,
                    port: 1,
                    target: target.clone(),
                },
            ));
            let b = m.to_bytes().unwrap_or_default();
            // The target is the message's last name and must end in full.
            Outcome::from(check::ensure(b.ends_with(target.as_wire()), || {
                format!("SRV target compressed: {b:02x?}")
            }))
        }),
        Case::must("dns.wire.unknown-type-opaque", "RFC 3597 §3").vector(|_| {
            let mut m = Message::query(1, Question::new(name("x"), RecordType(65280))).response();
            m.edns = Some(Edns::default());
            m.answers.push(Record::new(
                name("x"),
                1,
                RData::Unknown {
                    rtype: RecordType(65280),
                    data: vec![0xc0, 12],
                },
            ));
            let back = m.to_bytes().and_then(|b| Message::parse(&b));
            Outcome::from(check::ensure(back.as_ref() == Ok(&m), || {
                format!("{back:?}")
            }))
        }),
        Case::must("dns.wire.ttl-top-bit-is-zero", "RFC 2181 §8").vector(|_| {
            let r = Record::new(name("x"), 0x8000_0000, RData::A([192, 0, 2, 1].into()));
            Outcome::from(check::ensure(r.ttl_secs() == 0, || {
                format!("ttl_secs {}", r.ttl_secs())
            }))
        }),
        Case::must("dns.wire.ttl-sent-below-2-31", "RFC 2181 §8").vector(|_| {
            // The TTL field of the emitted record: after the header (12),
            // the owner "x." (3), type and class (4).
            let ttl_field = |ttl: u32| {
                let mut m = Message::query(1, Question::new(name("x"), RecordType::A)).response();
                m.questions.clear();
                m.answers
                    .push(Record::new(name("x"), ttl, RData::A([192, 0, 2, 1].into())));
                m.to_bytes().map(|b| b.get(19..23).map(<[u8]>::to_vec))
            };
            // The largest TTL goes out as it is; one with the top bit set is
            // no TTL (received, it means zero): never sent with that bit.
            for (ttl, want) in [
                (0x7fff_ffff, "7fffffff"),
                (0x8000_0000, "00000000"),
                (0xffff_ffff, "00000000"),
            ] {
                let got = ttl_field(ttl)
                    .map_err(|e| e.to_string())?
                    .unwrap_or_default();
                check::hex(&format!("TTL field for {ttl:#x}"), &got, want)?;
            }
            Ok::<(), String>(())
        }),
        Case::must("dns.wire.any-octet-labels-round-trip", "RFC 2181 §11").property(|ctx| {
            // Labels of any octets, the awkward ones made likely: NUL, '.',
            // ' ', '\\', 0xff, an upper-case letter.
            let octet = prop_oneof![
                Just(0u8),
                Just(b'.'),
                Just(b' '),
                Just(b'\\'),
                Just(0xff),
                Just(b'A'),
                any::<u8>()
            ];
            let label = prop::collection::vec(octet, 1..12);
            let names = prop::collection::vec(prop::collection::vec(label, 1..4), 1..5);
            check_property(ctx, names, |names| {
                let names: Vec<Name> = names
                    .iter()
                    .map(|ls| Name::from_labels(ls.iter().map(Vec::as_slice)))
                    .collect::<Result<_, _>>()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut m =
                    Message::query(7, Question::new(names[0].clone(), RecordType::A)).response();
                for n in &names {
                    m.answers
                        .push(Record::new(n.clone(), 60, RData::Cname(names[0].clone())));
                }
                let bytes = m
                    .to_bytes()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let back =
                    Message::parse(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
                // Octet for octet, case included: the label is any binary string.
                let wires = |m: &Message| -> Vec<Vec<u8>> {
                    m.questions
                        .iter()
                        .map(|q| q.name.as_wire().to_vec())
                        .chain(m.answers.iter().flat_map(|r| {
                            let target = match &r.data {
                                RData::Cname(t) => t.as_wire().to_vec(),
                                _ => Vec::new(),
                            };
                            [r.name.as_wire().to_vec(), target]
                        }))
                        .collect()
                };
                prop_assert_eq!(wires(&back), wires(&m));
                Ok(())
            })
        }),
        Case::should(
            "dns.wire.arbitrary-bytes-never-panic",
            "RFC 1123 §1.2.2 (robustness: deal with every conceivable error); RFC 1035 §4.1",
        )
        .property(|ctx| {
            check_property(ctx, prop::collection::vec(any::<u8>(), 0..700), |b| {
                let _ = Message::parse(&b);
                Ok(())
            })
        }),
        Case::must("dns.wire.compressed-emit-parses-back", "RFC 1035 §4.1.4").property(|ctx| {
            let label = prop::sample::select(vec!["a", "Example", "com", "net", "www", "x-y"]);
            let names = prop::collection::vec(prop::collection::vec(label, 1..5), 1..12);
            check_property(ctx, names, |names| {
                let names: Vec<Name> = names.iter().map(|l| name(&l.join("."))).collect();
                let mut m =
                    Message::query(9, Question::new(names[0].clone(), RecordType::A)).response();
                for (i, n) in names.iter().enumerate() {
                    m.answers.push(Record::new(
                        n.clone(),
                        i as u32,
                        RData::Cname(names[(i + 1) % names.len()].clone()),
                    ));
                }
                let bytes = m
                    .to_bytes()
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(Message::parse(&bytes), Ok(m));
                Ok(())
            })
        }),
        Case::must("dns.wire.rr.a", "RFC 1035 §3.4.1")
            .vector(|_| rr_vector(RData::A([192, 0, 2, 1].into()), "c0000201")),
        Case::must("dns.wire.rr.aaaa", "RFC 3596 §2.2").vector(|_| {
            rr_vector(
                RData::Aaaa("2001:db8::1".parse().expect("address")),
                "20010db8000000000000000000000001",
            )
        }),
        Case::must("dns.wire.rr.ns", "RFC 1035 §3.3.11, §4.1.4").vector(|_| {
            // ns1 then a pointer to example.com at offset 12.
            rr_vector(RData::Ns(name("ns1.example.com")), "036e7331c00c")
        }),
        Case::must("dns.wire.rr.cname", "RFC 1035 §3.3.1, §4.1.4")
            .vector(|_| rr_vector(RData::Cname(name("www.example.com")), "03777777c00c")),
        Case::must("dns.wire.rr.ptr", "RFC 1035 §3.3.12, §4.1.4")
            .vector(|_| rr_vector(RData::Ptr(name("host.example.com")), "04686f7374c00c")),
        Case::must("dns.wire.rr.soa", "RFC 1035 §3.3.13, §4.1.4").vector(|_| {
            rr_vector(
                RData::Soa(Box::new(Soa {
                    mname: name("ns1.example.com"),
                    rname: name("hostmaster.example.com"),
                    serial: 1,
                    refresh: 7200,
                    retry: 3600,
                    expire: 1_209_600,
                    minimum: 300,
                })),
                // MNAME, RNAME (both ending in a pointer to 12), then five 32-bit fields.
                "036e7331c00c0a686f73746d6173746572c00c\
                 0000000100001c2000000e10001275000000012c",
            )
        }),
        Case::must("dns.wire.rr.mx", "RFC 1035 §3.3.9, §4.1.4").vector(|_| {
            rr_vector(
                RData::Mx {
                    preference: 10,
                    exchange: name("mail.example.com"),
                },
                "000a046d61696cc00c",
            )
        }),
        Case::must("dns.wire.rr.txt", "RFC 1035 §3.3.14").vector(|_| {
            // Two character-strings, the second empty: each is a length octet and its bytes.
            rr_vector(
                RData::Txt(vec![b"hello".to_vec(), Vec::new()]),
                "0568656c6c6f00",
            )
        }),
        Case::must("dns.wire.rr.srv", "RFC 2782; RFC 3597 §4").vector(|_| {
            // Priority 10, weight 60, port 5060, and the target in full: no compression.
            rr_vector(
                RData::Srv {
                    priority: 10,
                    weight: 60,
                    port: 5060,
                    target: name("sip.example.com"),
                },
                "000a003c13c403736970076578616d706c6503636f6d00",
            )
        }),
        Case::must("dns.wire.rr.caa", "RFC 8659 §4.1").vector(|_| {
            rr_vector(
                RData::Caa {
                    flags: 0,
                    tag: b"issue".to_vec(),
                    value: b"letsencrypt.org".to_vec(),
                },
                "000569737375656c657473656e63727970742e6f7267",
            )
        }),
        Case::must("dns.wire.rr.opt", "RFC 6891 §6.1.2-6.1.4; RFC 3225 §3").vector(|_| {
            // A query with EDNS(0): 1232-byte buffer, DO set, one option (a
            // client cookie, RFC 7873), owner the root, in the additional section.
            let mut m = Message::query(0x1234, Question::new(name("example.com"), RecordType::A));
            m.edns = Some(Edns {
                udp_payload_size: 1232,
                rcode_high: 0,
                version: 0,
                dnssec_ok: true,
                z: 0,
                options: vec![EdnsOption {
                    code: 10,
                    data: unhex("0102030405060708"),
                }],
            });
            both_ways(
                &m,
                &unhex(
                    "123401000001000000000001076578616d706c6503636f6d0000010001\
                     00002904d000008000000c000a00080102030405060708",
                ),
            )
        }),
        Case::must("dns.wire.compression.longest-suffix", "RFC 1035 §4.1.4")
            .vector(compression_longest_suffix),
        Case::must(
            "dns.wire.compression.offset-limit-0x3fff",
            "RFC 1035 §4.1.4",
        )
        .vector(compression_offset_limit),
        Case::must(
            "dns.wire.header.flag-bits",
            "RFC 1035 §4.1.1; RFC 4035 §3.2",
        )
        .vector(header_flag_bits),
        Case::must(
            "dns.wire.header.opcode-rcode-fields",
            "RFC 1035 §4.1.1; RFC 6895 §2",
        )
        .vector(header_opcode_rcode),
        Case::must(
            "dns.wire.header.counts-match-sections",
            "RFC 1035 §4.1.1; RFC 6891 §6.1.1",
        )
        .vector(header_counts),
    ]
}
