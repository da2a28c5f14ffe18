//! The DNS codec against known bytes, hostile input and round trips.

use std::net::{Ipv4Addr, Ipv6Addr};

use handshake_dns::wire::{
    Class, Edns, EdnsOption, Message, Name, Question, RData, Rcode, Record, RecordType, Soa,
};
use handshake_dns::Error;
use proptest::prelude::*;

fn name(s: &str) -> Name {
    s.parse().unwrap()
}

/// `dig example.com A` as sent: RD, one question, an OPT with a 1232-byte buffer.
const QUERY: &str = "123401000001000000000001076578616d706c6503636f6d0000010001\
                     00002904d0000000000000";

fn query_bytes() -> Vec<u8> {
    hex::decode(QUERY.replace([' ', '\n'], "")).unwrap()
}

#[test]
fn query_matches_known_bytes_both_ways() {
    let q = Message::query(0x1234, Question::new(name("example.com"), RecordType::A));
    assert_eq!(q.to_bytes().unwrap(), query_bytes());
    let back = Message::parse(&query_bytes()).unwrap();
    assert_eq!(back, q);
    assert_eq!(back.edns.unwrap().udp_payload_size, 1232);
}

#[test]
fn names_compare_without_case_and_print_escaped() {
    assert_eq!(name("ExAmPlE.CoM."), name("example.com"));
    assert_eq!(name("a\\.b.c").label_count(), 2);
    assert_eq!(name("a\\.b.c").to_string(), "a\\.b.c.");
    assert_eq!(name("\\065bc").to_string(), "Abc.");
    assert_eq!(Name::root().to_string(), ".");
    assert!(matches!("a..b".parse::<Name>(), Err(Error::EmptyLabel(_))));
    assert!(matches!("".parse::<Name>(), Err(Error::EmptyLabel(_))));
    assert!(matches!("\\256".parse::<Name>(), Err(Error::BadEscape(_))));
    assert!(matches!("a\\".parse::<Name>(), Err(Error::BadEscape(_))));
}

#[test]
fn label_and_name_limits() {
    // RFC 1035 §2.3.4: labels 63 octets or less, names 255 octets or less.
    let l63 = "a".repeat(63);
    assert!(l63.parse::<Name>().is_ok());
    assert_eq!(
        format!("{l63}a").parse::<Name>(),
        Err(Error::LabelTooLong(64))
    );
    // Four 63-octet labels: 4 * 64 + 1 = 257 > 255.
    let long = [l63.as_str(); 4].join(".");
    assert!(matches!(long.parse::<Name>(), Err(Error::NameTooLong(_))));
    // 3 * 64 + 62 + 1 = 255 fits exactly.
    let max = format!("{}.{}", [l63.as_str(); 3].join("."), "a".repeat(61));
    assert_eq!(max.parse::<Name>().unwrap().wire_len(), 255);
}

fn with_name_at_12(name_bytes: &[u8]) -> Vec<u8> {
    let mut m = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    m.extend_from_slice(name_bytes);
    m.extend_from_slice(&[0, 1, 0, 1]);
    m
}

#[test]
fn pointer_loops_and_forward_pointers_are_rejected() {
    // A pointer to itself.
    let m = with_name_at_12(&[0xc0, 12]);
    assert_eq!(
        Message::parse(&m),
        Err(Error::BadPointer { at: 12, target: 12 })
    );
    // A forward pointer.
    let m = with_name_at_12(&[0xc0, 14, 0]);
    assert_eq!(
        Message::parse(&m),
        Err(Error::BadPointer { at: 12, target: 14 })
    );
    // A label, then a pointer back to that label: a loop through a backward pointer.
    let m = with_name_at_12(&[1, b'a', 0xc0, 12]);
    assert_eq!(
        Message::parse(&m),
        Err(Error::BadPointer { at: 14, target: 12 })
    );
    // Reserved label types 0b01 and 0b10.
    assert_eq!(
        Message::parse(&with_name_at_12(&[0x40, 0])),
        Err(Error::ReservedLabelType(0x40))
    );
    assert_eq!(
        Message::parse(&with_name_at_12(&[0x80, 0])),
        Err(Error::ReservedLabelType(0x80))
    );
}

#[test]
fn a_chain_of_pointers_building_an_overlong_name_is_rejected() {
    // Name k at offset o_k is a 63-octet label followed by a pointer to name k-1;
    // the fifth one decompresses to more than 255 octets.
    let mut m = vec![0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut prev = None;
    for _ in 0..5 {
        let at = m.len();
        m.push(63);
        m.extend_from_slice(&[b'x'; 63]);
        match prev {
            Some(p) => m.extend_from_slice(&(0xc000u16 | p as u16).to_be_bytes()),
            None => m.push(0),
        }
        prev = Some(at);
    }
    let last = prev.unwrap();
    assert!(matches!(Name::parse(&m, last), Err(Error::NameTooLong(_))));
}

#[test]
fn truncation_anywhere_is_a_typed_error() {
    let full = query_bytes();
    for n in 0..full.len() {
        assert!(
            matches!(Message::parse(&full[..n]), Err(Error::Truncated { .. })),
            "prefix of {n} bytes"
        );
    }
    let mut extra = full.clone();
    extra.push(0);
    assert_eq!(Message::parse(&extra), Err(Error::TrailingBytes(1)));
}

fn sample_response() -> Message {
    let q = Message::query(99, Question::new(name("www.example.com"), RecordType::ANY));
    let mut r = q.response();
    r.header.authoritative = true;
    let www = name("www.example.com");
    r.answers = vec![
        Record::new(www.clone(), 60, RData::Cname(name("web.example.com"))),
        Record::new(
            name("web.example.com"),
            60,
            RData::A(Ipv4Addr::new(192, 0, 2, 7)),
        ),
        Record::new(
            name("web.example.com"),
            60,
            RData::Aaaa(Ipv6Addr::LOCALHOST),
        ),
        Record::new(
            www.clone(),
            60,
            RData::Mx {
                preference: 10,
                exchange: name("mail.example.com"),
            },
        ),
        Record::new(
            www.clone(),
            60,
            RData::Txt(vec![b"v=spf1 -all".to_vec(), vec![]]),
        ),
        Record::new(
            name("_sip._udp.example.com"),
            60,
            RData::Srv {
                priority: 1,
                weight: 2,
                port: 5060,
                target: name("sip.example.com"),
            },
        ),
        Record::new(
            name("example.com"),
            60,
            RData::Caa {
                flags: 128,
                tag: b"issue".to_vec(),
                value: b"ca.example.net".to_vec(),
            },
        ),
        Record::new(
            www.clone(),
            60,
            RData::Unknown {
                rtype: RecordType(65280),
                data: vec![1, 2, 3],
            },
        ),
        Record::new(name("7.2.0.192.in-addr.arpa"), 60, RData::Ptr(www)),
    ];
    r.authorities = vec![
        Record::new(
            name("example.com"),
            3600,
            RData::Ns(name("ns1.example.com")),
        ),
        Record::new(
            name("example.com"),
            3600,
            RData::Soa(Box::new(Soa {
                mname: name("ns1.example.com"),
                rname: name("hostmaster.example.com"),
                serial: 2026112301,
                refresh: 7200,
                retry: 3600,
                expire: 1209600,
                minimum: 300,
            })),
        ),
    ];
    r.additionals = vec![Record::new(
        name("ns1.example.com"),
        3600,
        RData::A(Ipv4Addr::new(192, 0, 2, 53)),
    )];
    r.edns = Some(Edns {
        dnssec_ok: true,
        options: vec![EdnsOption {
            code: 10,
            data: vec![0xab; 8],
        }],
        ..Edns::default()
    });
    r
}

#[test]
fn every_known_type_round_trips_and_compression_shrinks_the_message() {
    let r = sample_response();
    let bytes = r.to_bytes().unwrap();
    assert_eq!(Message::parse(&bytes).unwrap(), r);
    // Uncompressed the owner names alone repeat `example.com` a dozen times.
    let uncompressed: usize = r
        .answers
        .iter()
        .chain(&r.authorities)
        .map(|x| x.name.wire_len())
        .sum();
    assert!(
        bytes.len() < 12 + uncompressed + 200,
        "{} bytes",
        bytes.len()
    );
    // RFC 2782: the SRV target is never compressed: `sip.example.com` appears in full.
    let sip = name("sip.example.com");
    assert!(bytes.windows(sip.wire_len()).any(|w| w == sip.as_wire()));
}

#[test]
fn extended_rcode_combines_header_and_opt() {
    let mut m = Message::query(1, Question::new(Name::root(), RecordType::NS)).response();
    m.set_rcode(Rcode::BADVERS);
    assert_eq!(m.header.rcode_low, 0);
    let back = Message::parse(&m.to_bytes().unwrap()).unwrap();
    assert_eq!(back.rcode(), Rcode::BADVERS);
}

#[test]
fn opt_rules() {
    let mut m = Message::query(1, Question::new(Name::root(), RecordType::NS));
    let mut bytes = m.to_bytes().unwrap();
    // Two OPT records.
    let opt = bytes[bytes.len() - 11..].to_vec();
    bytes.extend_from_slice(&opt);
    bytes[11] = 2;
    assert_eq!(Message::parse(&bytes), Err(Error::BadOpt("repeated")));
    // OPT in the answer section.
    m.edns = None;
    let mut bytes = m.to_bytes().unwrap();
    bytes.extend_from_slice(&opt);
    bytes[7] = 1;
    assert_eq!(
        Message::parse(&bytes),
        Err(Error::BadOpt("outside the additional section"))
    );
}

#[test]
fn rdata_lengths_are_checked() {
    let mut m = Message::query(1, Question::new(name("a"), RecordType::A)).response();
    m.edns = None;
    m.answers
        .push(Record::new(name("a"), 1, RData::A(Ipv4Addr::LOCALHOST)));
    let mut bytes = m.to_bytes().unwrap();
    // Make the A record's RDLENGTH 3 and drop a byte.
    let n = bytes.len();
    bytes[n - 5] = 3;
    bytes.pop();
    assert!(matches!(
        Message::parse(&bytes),
        Err(Error::BadRdata { rtype: "A", .. })
    ));
    // A class we do not know still parses.
    assert_eq!(Class(4), Class(4));
}

fn arb_label() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 1..=20)
}

fn arb_name() -> impl Strategy<Value = Name> {
    prop::collection::vec(
        prop::sample::select(vec![b"a".to_vec(), b"Ex".to_vec(), b"com".to_vec()])
            .boxed()
            .prop_union(arb_label().boxed()),
        0..5,
    )
    .prop_map(|ls| Name::from_labels(ls.iter().map(Vec::as_slice)).unwrap())
}

fn arb_rdata() -> impl Strategy<Value = RData> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|a| RData::A(a.into())),
        any::<[u8; 16]>().prop_map(|a| RData::Aaaa(a.into())),
        arb_name().prop_map(RData::Ns),
        arb_name().prop_map(RData::Cname),
        arb_name().prop_map(RData::Ptr),
        (any::<u16>(), arb_name()).prop_map(|(preference, exchange)| RData::Mx {
            preference,
            exchange
        }),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..4).prop_map(RData::Txt),
        (any::<u16>(), any::<u16>(), any::<u16>(), arb_name()).prop_map(
            |(priority, weight, port, target)| RData::Srv {
                priority,
                weight,
                port,
                target
            }
        ),
        (arb_name(), arb_name(), any::<[u32; 5]>()).prop_map(|(mname, rname, v)| RData::Soa(
            Box::new(Soa {
                mname,
                rname,
                serial: v[0],
                refresh: v[1],
                retry: v[2],
                expire: v[3],
                minimum: v[4]
            })
        )),
        (
            any::<u8>(),
            "[a-z0-9]{1,15}",
            prop::collection::vec(any::<u8>(), 0..30)
        )
            .prop_map(|(flags, tag, value)| RData::Caa {
                flags,
                tag: tag.into_bytes(),
                value
            }),
        (300u16..60000, prop::collection::vec(any::<u8>(), 0..30))
            .prop_filter("not OPT", |(t, _)| *t != 41)
            .prop_map(|(t, data)| RData::Unknown {
                rtype: RecordType(t),
                data
            }),
    ]
}

fn arb_record() -> impl Strategy<Value = Record> {
    // TTLs are 0..=2^31 - 1 (RFC 2181 §8): a larger value is sent and read as 0.
    (arb_name(), 0..=i32::MAX as u32, arb_rdata()).prop_map(|(n, ttl, d)| Record::new(n, ttl, d))
}

prop_compose! {
    fn arb_message()(
        id in any::<u16>(),
        flags in any::<[bool; 8]>(),
        rcode_low in 0u8..16,
        questions in prop::collection::vec((arb_name(), any::<u16>()).prop_map(|(n, t)| Question::new(n, RecordType(t))), 0..3),
        answers in prop::collection::vec(arb_record(), 0..5),
        authorities in prop::collection::vec(arb_record(), 0..3),
        additionals in prop::collection::vec(arb_record(), 0..3),
        edns in prop::option::of((512u16..4096, any::<bool>(), prop::collection::vec((any::<u16>(), prop::collection::vec(any::<u8>(), 0..10)), 0..3))),
    ) -> Message {
        let mut m = Message { questions, answers, authorities, additionals, ..Message::default() };
        m.header.id = id;
        m.header.response = flags[0];
        m.header.authoritative = flags[1];
        m.header.truncated = flags[2];
        m.header.recursion_desired = flags[3];
        m.header.recursion_available = flags[4];
        m.header.authentic_data = flags[5];
        m.header.checking_disabled = flags[6];
        m.header.rcode_low = rcode_low;
        m.edns = edns.map(|(size, dnssec_ok, opts)| Edns {
            udp_payload_size: size,
            dnssec_ok,
            options: opts.into_iter().map(|(code, data)| EdnsOption { code, data }).collect(),
            ..Edns::default()
        });
        m
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_of_emit_is_identity(m in arb_message()) {
        let bytes = m.to_bytes().unwrap();
        prop_assert_eq!(Message::parse(&bytes).unwrap(), m);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Message::parse(&bytes);
    }

    #[test]
    fn mutated_messages_never_panic_and_reparse_stably(m in arb_message(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = m.to_bytes().unwrap();
        for (i, v) in flips {
            let i = i.index(bytes.len());
            bytes[i] = v;
        }
        if let Ok(parsed) = Message::parse(&bytes) {
            // Whatever we accept, we can write, and read back the same.
            let again = parsed.to_bytes().unwrap();
            prop_assert_eq!(Message::parse(&again).unwrap(), parsed);
        }
    }

    #[test]
    fn text_form_round_trips(n in arb_name()) {
        prop_assert_eq!(n.to_string().parse::<Name>().unwrap(), n);
    }
}
