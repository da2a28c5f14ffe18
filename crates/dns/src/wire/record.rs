//! Resource records (RFC 1035 §3.2, §4.1.3) and the RDATA of the types we know.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::name::{Compressor, Name, NameCache};
use super::take;
use crate::Error;

/// A record type (RFC 1035 §3.2.2; IANA "Resource Record (RR) TYPEs").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordType(pub u16);

impl RecordType {
    /// IPv4 address (RFC 1035).
    pub const A: RecordType = RecordType(1);
    /// Authoritative name server (RFC 1035).
    pub const NS: RecordType = RecordType(2);
    /// Canonical name (RFC 1035).
    pub const CNAME: RecordType = RecordType(5);
    /// Start of authority (RFC 1035).
    pub const SOA: RecordType = RecordType(6);
    /// Domain name pointer (RFC 1035).
    pub const PTR: RecordType = RecordType(12);
    /// Mail exchange (RFC 1035).
    pub const MX: RecordType = RecordType(15);
    /// Text strings (RFC 1035).
    pub const TXT: RecordType = RecordType(16);
    /// IPv6 address (RFC 3596).
    pub const AAAA: RecordType = RecordType(28);
    /// Service location (RFC 2782).
    pub const SRV: RecordType = RecordType(33);
    /// EDNS(0) pseudo-record (RFC 6891).
    pub const OPT: RecordType = RecordType(41);
    /// Any type, in questions (RFC 1035 §3.2.3, RFC 8482).
    pub const ANY: RecordType = RecordType(255);
    /// Certification Authority Authorization (RFC 8659).
    pub const CAA: RecordType = RecordType(257);

    /// The mnemonic, if we know one.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            RecordType::A => "A",
            RecordType::NS => "NS",
            RecordType::CNAME => "CNAME",
            RecordType::SOA => "SOA",
            RecordType::PTR => "PTR",
            RecordType::MX => "MX",
            RecordType::TXT => "TXT",
            RecordType::AAAA => "AAAA",
            RecordType::SRV => "SRV",
            RecordType::OPT => "OPT",
            RecordType::ANY => "ANY",
            RecordType::CAA => "CAA",
            _ => return None,
        })
    }
}

impl fmt::Display for RecordType {
    /// The mnemonic, or `TYPEnnn` for types without one (RFC 3597 §5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "TYPE{}", self.0),
        }
    }
}

impl fmt::Debug for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A record class (RFC 1035 §3.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Class(pub u16);

impl Class {
    /// The Internet.
    pub const IN: Class = Class(1);
    /// Chaos.
    pub const CH: Class = Class(3);
    /// Any class, in questions.
    pub const ANY: Class = Class(255);
}

/// The SOA RDATA (RFC 1035 §3.3.13).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Soa {
    /// Primary name server.
    pub mname: Name,
    /// Mailbox of the person responsible.
    pub rname: Name,
    /// Zone serial.
    pub serial: u32,
    /// Refresh interval, seconds.
    pub refresh: u32,
    /// Retry interval, seconds.
    pub retry: u32,
    /// Expiry, seconds.
    pub expire: u32,
    /// Negative-caching TTL (RFC 2308 §4).
    pub minimum: u32,
}

/// Record data, by type. Types we do not know are kept as opaque bytes
/// (RFC 3597 §3) and written back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RData {
    /// A.
    A(Ipv4Addr),
    /// AAAA.
    Aaaa(Ipv6Addr),
    /// NS.
    Ns(Name),
    /// CNAME.
    Cname(Name),
    /// PTR.
    Ptr(Name),
    /// SOA (boxed: it holds two names, and would double the size of every
    /// record otherwise).
    Soa(Box<Soa>),
    /// MX.
    Mx {
        /// Lower is preferred.
        preference: u16,
        /// The mail server.
        exchange: Name,
    },
    /// TXT: one or more character-strings of at most 255 octets (RFC 1035 §3.3.14).
    Txt(Vec<Vec<u8>>),
    /// SRV (RFC 2782).
    Srv {
        /// Lower is tried first.
        priority: u16,
        /// Relative weight among equal priorities.
        weight: u16,
        /// Service port.
        port: u16,
        /// The host; never compressed on the wire (RFC 2782).
        target: Name,
    },
    /// CAA (RFC 8659 §4.1).
    Caa {
        /// Flags; bit 0 (128) is Issuer Critical.
        flags: u8,
        /// Property tag: 1 to 15 ASCII letters and digits.
        tag: Vec<u8>,
        /// Property value.
        value: Vec<u8>,
    },
    /// Any other type, as opaque bytes (RFC 3597 §3).
    Unknown {
        /// The type.
        rtype: RecordType,
        /// The RDATA as received.
        data: Vec<u8>,
    },
}

impl RData {
    /// The record type of this data.
    pub fn rtype(&self) -> RecordType {
        match self {
            RData::A(_) => RecordType::A,
            RData::Aaaa(_) => RecordType::AAAA,
            RData::Ns(_) => RecordType::NS,
            RData::Cname(_) => RecordType::CNAME,
            RData::Ptr(_) => RecordType::PTR,
            RData::Soa(_) => RecordType::SOA,
            RData::Mx { .. } => RecordType::MX,
            RData::Txt(_) => RecordType::TXT,
            RData::Srv { .. } => RecordType::SRV,
            RData::Caa { .. } => RecordType::CAA,
            RData::Unknown { rtype, .. } => *rtype,
        }
    }

    /// Reads the RDATA at `msg[at..at + len]` (names in it may point back
    /// into `msg`) into `dst`, which is left holding something of no meaning
    /// on error. Names are read in place (see `Name::set_inline`).
    pub(crate) fn parse_into(
        rtype: RecordType,
        msg: &[u8],
        at: usize,
        len: usize,
        names: &mut NameCache,
        dst: &mut RData,
    ) -> Result<(), Error> {
        let end = at + len;
        let rdata = &msg[at..end];
        let bad = |why| Error::BadRdata {
            rtype: rtype.name().unwrap_or("unknown"),
            why,
        };
        // A name inside RDATA must end inside it.
        let mut name_at = |pos: usize| names.parse(msg, pos, end);
        let exact = |next: usize| {
            if next == end {
                Ok(())
            } else {
                Err(bad("length does not match its fields"))
            }
        };
        *dst = match rtype {
            RecordType::A => RData::A(Ipv4Addr::from(
                <[u8; 4]>::try_from(rdata).map_err(|_| bad("length is not 4 (RFC 1035 §3.4.1)"))?,
            )),
            RecordType::AAAA => RData::Aaaa(Ipv6Addr::from(
                <[u8; 16]>::try_from(rdata).map_err(|_| bad("length is not 16 (RFC 3596 §2.2)"))?,
            )),
            RecordType::NS | RecordType::CNAME | RecordType::PTR => {
                *dst = match rtype {
                    RecordType::NS => RData::Ns(Name::root()),
                    RecordType::CNAME => RData::Cname(Name::root()),
                    _ => RData::Ptr(Name::root()),
                };
                if let RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) = dst {
                    exact(names.parse_into(msg, at, end, n)?)?;
                }
                return Ok(());
            }
            RecordType::SOA => {
                let (mname, p) = name_at(at)?;
                let (rname, p) = name_at(p)?;
                let f: [u8; 20] = take(&msg[..end], p, "SOA fields")?;
                exact(p + 20)?;
                let u = |i: usize| u32::from_be_bytes([f[i], f[i + 1], f[i + 2], f[i + 3]]);
                RData::Soa(Box::new(Soa {
                    mname,
                    rname,
                    serial: u(0),
                    refresh: u(4),
                    retry: u(8),
                    expire: u(12),
                    minimum: u(16),
                }))
            }
            RecordType::MX => {
                let pref: [u8; 2] = take(&msg[..end], at, "MX preference")?;
                *dst = RData::Mx {
                    preference: u16::from_be_bytes(pref),
                    exchange: Name::root(),
                };
                if let RData::Mx { exchange, .. } = dst {
                    exact(names.parse_into(msg, at + 2, end, exchange)?)?;
                }
                return Ok(());
            }
            RecordType::TXT => {
                if rdata.is_empty() {
                    return Err(bad("no character-string (RFC 1035 §3.3.14)"));
                }
                let mut strings = Vec::new();
                let mut rest = rdata;
                while let Some((&n, tail)) = rest.split_first() {
                    let n = usize::from(n);
                    if tail.len() < n {
                        return Err(bad("character-string overruns the RDATA"));
                    }
                    strings.push(tail[..n].to_vec());
                    rest = &tail[n..];
                }
                RData::Txt(strings)
            }
            RecordType::SRV => {
                let f: [u8; 6] = take(&msg[..end], at, "SRV fields")?;
                // RFC 2782 forbids compressing the target, but RFC 3597 §4
                // asks receivers to decompress it anyway.
                let (target, next) = name_at(at + 6)?;
                exact(next)?;
                RData::Srv {
                    priority: u16::from_be_bytes([f[0], f[1]]),
                    weight: u16::from_be_bytes([f[2], f[3]]),
                    port: u16::from_be_bytes([f[4], f[5]]),
                    target,
                }
            }
            RecordType::CAA => {
                let (&flags, rest) = rdata.split_first().ok_or(bad("empty"))?;
                let (&tag_len, rest) = rest.split_first().ok_or(bad("no tag length"))?;
                let tag_len = usize::from(tag_len);
                // RFC 8659 §4.1: the tag is 1-15 letters and digits.
                if tag_len == 0 || tag_len > 15 || rest.len() < tag_len {
                    return Err(bad(
                        "tag length outside 1..=15 or past the RDATA (RFC 8659 §4.1)",
                    ));
                }
                let (tag, value) = rest.split_at(tag_len);
                if !tag.iter().all(u8::is_ascii_alphanumeric) {
                    return Err(bad("tag is not ASCII letters and digits (RFC 8659 §4.1)"));
                }
                RData::Caa {
                    flags,
                    tag: tag.to_vec(),
                    value: value.to_vec(),
                }
            }
            _ => RData::Unknown {
                rtype,
                data: rdata.to_vec(),
            },
        };
        Ok(())
    }

    /// Appends the RDATA. Names in NS, CNAME, PTR, SOA and MX are compressed
    /// (RFC 1035 §4.1.4); SRV targets (RFC 2782) and anything in types we do
    /// not know (RFC 3597 §4) are not.
    pub(crate) fn emit(&self, c: &mut Compressor, out: &mut Vec<u8>) -> Result<(), Error> {
        match self {
            RData::A(a) => out.extend_from_slice(&a.octets()),
            RData::Aaaa(a) => out.extend_from_slice(&a.octets()),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => c.emit(n, out),
            RData::Soa(s) => {
                c.emit(&s.mname, out);
                c.emit(&s.rname, out);
                for v in [s.serial, s.refresh, s.retry, s.expire, s.minimum] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
            }
            RData::Mx {
                preference,
                exchange,
            } => {
                out.extend_from_slice(&preference.to_be_bytes());
                c.emit(exchange, out);
            }
            RData::Txt(strings) => {
                if strings.is_empty() {
                    return Err(Error::BadRdata {
                        rtype: "TXT",
                        why: "no character-string (RFC 1035 §3.3.14)",
                    });
                }
                for s in strings {
                    let n = u8::try_from(s.len()).map_err(|_| Error::FieldOverflow {
                        what: "TXT character-string length",
                        value: s.len(),
                    })?;
                    out.push(n);
                    out.extend_from_slice(s);
                }
            }
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => {
                for v in [priority, weight, port] {
                    out.extend_from_slice(&v.to_be_bytes());
                }
                target.emit(out);
            }
            RData::Caa { flags, tag, value } => {
                if tag.is_empty() || tag.len() > 15 || !tag.iter().all(u8::is_ascii_alphanumeric) {
                    return Err(Error::BadRdata {
                        rtype: "CAA",
                        why: "tag must be 1-15 ASCII letters and digits (RFC 8659 §4.1)",
                    });
                }
                out.push(*flags);
                out.push(tag.len() as u8);
                out.extend_from_slice(tag);
                out.extend_from_slice(value);
            }
            RData::Unknown { data, .. } => out.extend_from_slice(data),
        }
        Ok(())
    }
}

/// A character-string in presentation format (RFC 1035 §5.1): quoted, with
/// `"` and `\` escaped and non-printable octets as `\DDD`.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &[u8]) -> fmt::Result {
    f.write_str("\"")?;
    for &b in s {
        match b {
            b'"' | b'\\' => write!(f, "\\{}", b as char)?,
            0x20..=0x7e => write!(f, "{}", b as char)?,
            _ => write!(f, "\\{b:03}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for RData {
    /// Presentation format, as in zone files and dig's output (RFC 1035 §5.1;
    /// RFC 3597 §5 `\# len hex` for unknown types).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RData::A(a) => write!(f, "{a}"),
            RData::Aaaa(a) => write!(f, "{a}"),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => write!(f, "{n}"),
            RData::Soa(s) => write!(
                f,
                "{} {} {} {} {} {} {}",
                s.mname, s.rname, s.serial, s.refresh, s.retry, s.expire, s.minimum
            ),
            RData::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            RData::Txt(strings) => {
                for (i, s) in strings.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write_quoted(f, s)?;
                }
                Ok(())
            }
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => write!(f, "{priority} {weight} {port} {target}"),
            RData::Caa { flags, tag, value } => {
                write!(f, "{flags} {} ", String::from_utf8_lossy(tag))?;
                write_quoted(f, value)
            }
            RData::Unknown { data, .. } => {
                write!(f, "\\# {}", data.len())?;
                if !data.is_empty() {
                    f.write_str(" ")?;
                    for b in data {
                        write!(f, "{b:02X}")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// A resource record (RFC 1035 §4.1.3). OPT is not a `Record`: it is read
/// into [`super::Edns`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    /// Owner name.
    pub name: Name,
    /// Class.
    pub class: Class,
    /// Time to live, seconds. RFC 2181 §8: values with the top bit set are
    /// treated as zero by [`Record::ttl_secs`].
    pub ttl: u32,
    /// Data (its type is the record's type).
    pub data: RData,
}

impl fmt::Display for Record {
    /// One zone-file line: owner, TTL, class, type, RDATA.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.class {
            Class::IN => "IN".to_string(),
            Class::CH => "CH".to_string(),
            Class(c) => format!("CLASS{c}"),
        };
        write!(
            f,
            "{} {} {class} {} {}",
            self.name,
            self.ttl,
            self.rtype(),
            self.data
        )
    }
}

impl Record {
    /// A record for the parser to fill in place: a constant, so it is
    /// copied from read-only memory rather than assembled from small stores
    /// and read back at once (which stalls store forwarding).
    pub(crate) const PLACEHOLDER: Record = Record {
        name: Name::ROOT,
        class: Class::IN,
        ttl: 0,
        data: RData::A(Ipv4Addr::UNSPECIFIED),
    };

    /// An IN record.
    pub fn new(name: Name, ttl: u32, data: RData) -> Record {
        Record {
            name,
            class: Class::IN,
            ttl,
            data,
        }
    }

    /// The record type.
    pub fn rtype(&self) -> RecordType {
        self.data.rtype()
    }

    /// The TTL to cache for: RFC 2181 §8 says a TTL above 2^31 - 1 is read as zero.
    pub fn ttl_secs(&self) -> u32 {
        if self.ttl > i32::MAX as u32 {
            0
        } else {
            self.ttl
        }
    }
}
