//! Whole messages (RFC 1035 §4.1) with EDNS(0) (RFC 6891).

use alloc::vec;
use alloc::vec::Vec;

use super::header::{Counts, Header, Rcode, HEADER_LEN};
use super::name::{Compressor, Name, NameCache};
use super::record::{Class, RData, Record, RecordType};
use super::take;
use crate::Error;

/// A question (RFC 1035 §4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Question {
    /// The name asked about.
    pub name: Name,
    /// The type asked for.
    pub qtype: RecordType,
    /// The class, almost always IN.
    pub qclass: Class,
}

impl Question {
    /// An IN question.
    pub fn new(name: Name, qtype: RecordType) -> Question {
        Question {
            name,
            qtype,
            qclass: Class::IN,
        }
    }
}

/// One EDNS option (RFC 6891 §6.1.2): a code and its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EdnsOption {
    /// OPTION-CODE.
    pub code: u16,
    /// OPTION-DATA.
    pub data: Vec<u8>,
}

/// The EDNS(0) OPT pseudo-record's contents (RFC 6891 §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edns {
    /// Largest UDP payload the sender can reassemble (the OPT CLASS field).
    pub udp_payload_size: u16,
    /// Upper eight bits of the extended RCODE.
    pub rcode_high: u8,
    /// EDNS version; 0 here.
    pub version: u8,
    /// DO: DNSSEC OK (RFC 3225).
    pub dnssec_ok: bool,
    /// The other flag bits, kept as received (RFC 6891 §6.1.4: must be zero when sent).
    pub z: u16,
    /// Options.
    pub options: Vec<EdnsOption>,
}

impl Default for Edns {
    /// A 1232-byte buffer, the DNS Flag Day 2020 value that avoids IP fragmentation.
    fn default() -> Edns {
        Edns {
            udp_payload_size: 1232,
            rcode_high: 0,
            version: 0,
            dnssec_ok: false,
            z: 0,
            options: Vec::new(),
        }
    }
}

/// A DNS message.
///
/// ```
/// use handshake_dns::wire::{Message, Name, Question, RecordType, RData, Record};
/// let name: Name = "example.com".parse().unwrap();
/// let query = Message::query(7, Question::new(name.clone(), RecordType::A));
/// let mut answer = query.response();
/// answer.answers.push(Record::new(name, 300, RData::A([192, 0, 2, 1].into())));
/// let bytes = answer.to_bytes().unwrap();
/// let back = Message::parse(&bytes).unwrap();
/// assert_eq!(back, answer);
/// assert!(back.header.response);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The header (counts come from the sections).
    pub header: Header,
    /// Question section.
    pub questions: Vec<Question>,
    /// Answer section.
    pub answers: Vec<Record>,
    /// Authority section.
    pub authorities: Vec<Record>,
    /// Additional section, without the OPT record.
    pub additionals: Vec<Record>,
    /// The OPT record, if the message had one.
    pub edns: Option<Edns>,
}

/// The smallest question: the root name (1) plus type and class (4).
const MIN_QUESTION: usize = 5;
/// The smallest record: root name, type, class, TTL, RDLENGTH.
const MIN_RECORD: usize = 11;

impl Message {
    /// A recursive query for one question with EDNS(0) and a 1232-byte buffer.
    pub fn query(id: u16, question: Question) -> Message {
        Message {
            header: Header {
                id,
                recursion_desired: true,
                ..Header::default()
            },
            questions: vec![question],
            edns: Some(Edns::default()),
            ..Message::default()
        }
    }

    /// An empty response to this query: same id, opcode, RD and question.
    pub fn response(&self) -> Message {
        Message {
            header: Header {
                id: self.header.id,
                response: true,
                opcode: self.header.opcode,
                recursion_desired: self.header.recursion_desired,
                checking_disabled: self.header.checking_disabled,
                ..Header::default()
            },
            questions: self.questions.clone(),
            edns: self.edns.as_ref().map(|_| Edns::default()),
            ..Message::default()
        }
    }

    /// The full response code: the header's four bits and, with EDNS, the
    /// OPT record's upper eight (RFC 6891 §6.1.3).
    pub fn rcode(&self) -> Rcode {
        let high = self.edns.as_ref().map_or(0, |e| u16::from(e.rcode_high));
        Rcode(high << 4 | u16::from(self.header.rcode_low))
    }

    /// Sets the full response code, adding EDNS if it needs more than four bits.
    pub fn set_rcode(&mut self, rcode: Rcode) {
        self.header.rcode_low = (rcode.0 & 0x0f) as u8;
        let high = (rcode.0 >> 4) as u8;
        if high != 0 || self.edns.is_some() {
            self.edns.get_or_insert_with(Edns::default).rcode_high = high;
        }
    }

    /// Reads a whole message.
    pub fn parse(msg: &[u8]) -> Result<Message, Error> {
        let (header, counts) = Header::parse(msg)?;
        let mut pos = HEADER_LEN;
        // Bound every allocation by what the remaining bytes could hold.
        let room = |min: usize, n: u16| usize::from(n).min(msg.len() / min);

        // Names in records are mostly a bare pointer to the question's name
        // (or a suffix of it) or to an earlier name: those are copied rather
        // than decoded again.
        let mut names = NameCache::default();
        let mut questions = Vec::with_capacity(room(MIN_QUESTION, counts.qd));
        for i in 0..counts.qd {
            let (name, p) = if i == 0 {
                names.parse_question(msg, pos)?
            } else {
                Name::parse(msg, pos)?
            };
            let f: [u8; 4] = take(msg, p, "question type and class")?;
            questions.push(Question {
                name,
                qtype: RecordType(u16::from_be_bytes([f[0], f[1]])),
                qclass: Class(u16::from_be_bytes([f[2], f[3]])),
            });
            pos = p + 4;
        }
        let mut edns = None;
        let counts = [counts.an, counts.ns, counts.ar];
        let mut sections = counts.map(|n| Vec::with_capacity(room(MIN_RECORD, n)));
        for (i, count) in counts.into_iter().enumerate() {
            for _ in 0..count {
                pos = parse_record(msg, pos, &mut names, i == 2, &mut sections[i], &mut edns)?;
            }
        }
        if pos != msg.len() {
            return Err(Error::TrailingBytes(msg.len() - pos));
        }
        let [answers, authorities, additionals] = sections;
        Ok(Message {
            header,
            questions,
            answers,
            authorities,
            additionals,
            edns,
        })
    }

    /// Writes the message with name compression.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let count =
            |n: usize, what| u16::try_from(n).map_err(|_| Error::FieldOverflow { what, value: n });
        let counts = Counts {
            qd: count(self.questions.len(), "question count")?,
            an: count(self.answers.len(), "answer count")?,
            ns: count(self.authorities.len(), "authority count")?,
            ar: count(
                self.additionals.len() + usize::from(self.edns.is_some()),
                "additional count",
            )?,
        };
        let mut out = Vec::with_capacity(512);
        let mut c = Compressor::default();
        self.header.emit(counts, &mut out);
        for q in &self.questions {
            c.emit(&q.name, &mut out);
            out.extend_from_slice(&q.qtype.0.to_be_bytes());
            out.extend_from_slice(&q.qclass.0.to_be_bytes());
        }
        for r in self
            .answers
            .iter()
            .chain(&self.authorities)
            .chain(&self.additionals)
        {
            c.emit(&r.name, &mut out);
            out.extend_from_slice(&r.rtype().0.to_be_bytes());
            out.extend_from_slice(&r.class.0.to_be_bytes());
            // RFC 2181 §8: a TTL is at most 2^31 - 1 and goes out with the
            // top bit clear; a larger value means zero, as on receipt.
            out.extend_from_slice(&r.ttl_secs().to_be_bytes());
            let len_at = out.len();
            out.extend_from_slice(&[0, 0]);
            r.data.emit(&mut c, &mut out)?;
            patch_len(&mut out, len_at, "RDLENGTH")?;
        }
        if let Some(e) = &self.edns {
            // RFC 6891 §6.1.2: owner name is the root.
            out.push(0);
            out.extend_from_slice(&RecordType::OPT.0.to_be_bytes());
            out.extend_from_slice(&e.udp_payload_size.to_be_bytes());
            out.push(e.rcode_high);
            out.push(e.version);
            let flags = u16::from(e.dnssec_ok) << 15 | (e.z & 0x7fff);
            out.extend_from_slice(&flags.to_be_bytes());
            let len_at = out.len();
            out.extend_from_slice(&[0, 0]);
            for o in &e.options {
                out.extend_from_slice(&o.code.to_be_bytes());
                let n = u16::try_from(o.data.len()).map_err(|_| Error::FieldOverflow {
                    what: "EDNS option length",
                    value: o.data.len(),
                })?;
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(&o.data);
            }
            patch_len(&mut out, len_at, "OPT RDLENGTH")?;
        }
        Ok(out)
    }
}

/// Fills in a 16-bit length at `at` counting the bytes written after it.
fn patch_len(out: &mut [u8], at: usize, what: &'static str) -> Result<(), Error> {
    let n = out.len() - at - 2;
    let n16 = u16::try_from(n).map_err(|_| Error::FieldOverflow { what, value: n })?;
    out[at..at + 2].copy_from_slice(&n16.to_be_bytes());
    Ok(())
}

/// Reads the record at `at` into `out` (or, for OPT, into `edns`) and
/// returns the offset after it. Each record is parsed in the slot it will
/// keep in its section, never built and moved there: a record is large, and
/// reading back what was just written stalls the CPU's store forwarding.
fn parse_record(
    msg: &[u8],
    at: usize,
    names: &mut NameCache,
    additional: bool,
    out: &mut Vec<Record>,
    edns: &mut Option<Edns>,
) -> Result<usize, Error> {
    let slot = out.len();
    out.push(Record::PLACEHOLDER);
    let record = &mut out[slot];
    let filled = fill_record(msg, at, names, record);
    match filled {
        Ok(Filled::Record(next)) => Ok(next),
        Ok(Filled::Opt { next, fields }) => {
            let owner_is_root = record.name.is_root();
            out.truncate(slot);
            parse_opt(msg, next, fields, owner_is_root, additional, edns)
        }
        Err(e) => {
            out.truncate(slot);
            Err(e)
        }
    }
}

/// What [`fill_record`] read.
enum Filled {
    /// A record, and the offset after it.
    Record(usize),
    /// An OPT pseudo-record: its fixed fields and the offset after its RDATA.
    Opt { next: usize, fields: [u8; 10] },
}

/// Reads the record at `at` into `record`, except OPT's RDATA.
fn fill_record(
    msg: &[u8],
    at: usize,
    names: &mut NameCache,
    record: &mut Record,
) -> Result<Filled, Error> {
    let p = names.parse_into(msg, at, msg.len(), &mut record.name)?;
    let f: [u8; 10] = take(msg, p, "record type, class, TTL and RDLENGTH")?;
    let rtype = RecordType(u16::from_be_bytes([f[0], f[1]]));
    let ttl = u32::from_be_bytes([f[4], f[5], f[6], f[7]]);
    let rdlen = usize::from(u16::from_be_bytes([f[8], f[9]]));
    let rd_at = p + 10;
    if msg.len() < rd_at + rdlen {
        return Err(Error::Truncated {
            what: "RDATA",
            at: rd_at,
            need: rdlen,
            have: msg.len() - rd_at,
        });
    }
    let next = rd_at + rdlen;
    if rtype == RecordType::OPT {
        return Ok(Filled::Opt { next, fields: f });
    }
    record.class = Class(u16::from_be_bytes([f[2], f[3]]));
    // RFC 2181 §8: a TTL received with the top bit set is taken as zero.
    record.ttl = if ttl > i32::MAX as u32 { 0 } else { ttl };
    RData::parse_into(rtype, msg, rd_at, rdlen, names, &mut record.data)?;
    Ok(Filled::Record(next))
}

/// Reads an OPT pseudo-record (RFC 6891 §6.1) whose RDATA ends at `next`
/// into `edns`, and returns `next`.
fn parse_opt(
    msg: &[u8],
    next: usize,
    f: [u8; 10],
    owner_is_root: bool,
    additional: bool,
    edns: &mut Option<Edns>,
) -> Result<usize, Error> {
    // RFC 6891 §6.1.2: the OPT owner name MUST be the root.
    if !owner_is_root {
        return Err(Error::BadOpt("with a name other than the root"));
    }
    let rdlen = usize::from(u16::from_be_bytes([f[8], f[9]]));
    let mut options = Vec::new();
    let mut rest = &msg[next - rdlen..next];
    while !rest.is_empty() {
        let h: [u8; 4] = take(rest, 0, "EDNS option header")?;
        let n = usize::from(u16::from_be_bytes([h[2], h[3]]));
        let data = rest.get(4..4 + n).ok_or(Error::Truncated {
            what: "EDNS option data",
            at: next - rest.len() + 4,
            need: n,
            have: rest.len() - 4,
        })?;
        options.push(super::EdnsOption {
            code: u16::from_be_bytes([h[0], h[1]]),
            data: data.to_vec(),
        });
        rest = &rest[4 + n..];
    }
    let flags = u16::from_be_bytes([f[6], f[7]]);
    // RFC 6891 §6.1.1: only in the additional section, at most once.
    if !additional {
        return Err(Error::BadOpt("outside the additional section"));
    }
    let e = Edns {
        udp_payload_size: u16::from_be_bytes([f[2], f[3]]),
        rcode_high: f[4],
        version: f[5],
        dnssec_ok: flags & 0x8000 != 0,
        z: flags & 0x7fff,
        options,
    };
    if edns.replace(e).is_some() {
        return Err(Error::BadOpt("repeated"));
    }
    Ok(next)
}
