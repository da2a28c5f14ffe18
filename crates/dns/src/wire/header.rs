//! The message header (RFC 1035 §4.1.1, RFC 2535 §6.1 for AD and CD).

use alloc::vec::Vec;

use super::take;
use crate::Error;

/// Header length in octets.
pub const HEADER_LEN: usize = 12;

/// The kind of query (RFC 1035 §4.1.1; RFC 6895 §2.2 registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Opcode(pub u8);

impl Opcode {
    /// A standard query.
    pub const QUERY: Opcode = Opcode(0);
    /// Server status request.
    pub const STATUS: Opcode = Opcode(2);
    /// Zone change notification (RFC 1996).
    pub const NOTIFY: Opcode = Opcode(4);
    /// Dynamic update (RFC 2136).
    pub const UPDATE: Opcode = Opcode(5);
}

/// Response code; values above 15 need EDNS (RFC 6891 §6.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rcode(pub u16);

impl Rcode {
    /// No error.
    pub const NOERROR: Rcode = Rcode(0);
    /// The server could not interpret the query.
    pub const FORMERR: Rcode = Rcode(1);
    /// The server failed.
    pub const SERVFAIL: Rcode = Rcode(2);
    /// The name does not exist.
    pub const NXDOMAIN: Rcode = Rcode(3);
    /// Not implemented.
    pub const NOTIMP: Rcode = Rcode(4);
    /// Refused by policy.
    pub const REFUSED: Rcode = Rcode(5);
    /// Unsupported EDNS version (RFC 6891 §9).
    pub const BADVERS: Rcode = Rcode(16);
}

/// The fixed 12-octet header, counts excluded: the counts are derived from
/// the sections of a [`super::Message`] when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// Query identifier, copied into the response.
    pub id: u16,
    /// QR: this is a response.
    pub response: bool,
    /// OPCODE.
    pub opcode: Opcode,
    /// AA: authoritative answer.
    pub authoritative: bool,
    /// TC: truncated; retry over TCP (RFC 7766 §5).
    pub truncated: bool,
    /// RD: recursion desired.
    pub recursion_desired: bool,
    /// RA: recursion available.
    pub recursion_available: bool,
    /// Z: must be zero (RFC 1035 §4.1.1); kept as received.
    pub z: bool,
    /// AD: authentic data (RFC 4035 §3.2.3).
    pub authentic_data: bool,
    /// CD: checking disabled (RFC 4035 §3.2.2).
    pub checking_disabled: bool,
    /// The low four bits of the response code (EDNS supplies the upper eight).
    pub rcode_low: u8,
}

impl Default for Opcode {
    fn default() -> Opcode {
        Opcode::QUERY
    }
}

/// Section counts as read from a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub qd: u16,
    pub an: u16,
    pub ns: u16,
    pub ar: u16,
}

impl Header {
    pub(crate) fn parse(msg: &[u8]) -> Result<(Header, Counts), Error> {
        let b: [u8; HEADER_LEN] = take(msg, 0, "header")?;
        let be = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
        let h = Header {
            id: be(0),
            response: b[2] & 0x80 != 0,
            opcode: Opcode((b[2] >> 3) & 0x0f),
            authoritative: b[2] & 0x04 != 0,
            truncated: b[2] & 0x02 != 0,
            recursion_desired: b[2] & 0x01 != 0,
            recursion_available: b[3] & 0x80 != 0,
            z: b[3] & 0x40 != 0,
            authentic_data: b[3] & 0x20 != 0,
            checking_disabled: b[3] & 0x10 != 0,
            rcode_low: b[3] & 0x0f,
        };
        Ok((
            h,
            Counts {
                qd: be(4),
                an: be(6),
                ns: be(8),
                ar: be(10),
            },
        ))
    }

    pub(crate) fn emit(&self, counts: Counts, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.id.to_be_bytes());
        out.push(
            u8::from(self.response) << 7
                | (self.opcode.0 & 0x0f) << 3
                | u8::from(self.authoritative) << 2
                | u8::from(self.truncated) << 1
                | u8::from(self.recursion_desired),
        );
        out.push(
            u8::from(self.recursion_available) << 7
                | u8::from(self.z) << 6
                | u8::from(self.authentic_data) << 5
                | u8::from(self.checking_disabled) << 4
                | (self.rcode_low & 0x0f),
        );
        for c in [counts.qd, counts.an, counts.ns, counts.ar] {
            out.extend_from_slice(&c.to_be_bytes());
        }
    }
}
