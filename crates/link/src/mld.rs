//! Multicast Listener Discovery version 2 for a host (RFC 3810), the part a
//! node needs to join the groups neighbour discovery listens on (RFC 4861
//! §7.2.1, RFC 4862 §5.4.2): the Report it sends (§5.2) and the Query it
//! answers (§5.1), checked as §5.1.14 and §6.2 say.
//!
//! Every group we join is in EXCLUDE mode with an empty source list: we
//! hear every source.

use alloc::vec::Vec;
use core::net::Ipv6Addr;

use crate::ndp::icmpv6_sum;
use crate::{be16, Error};

/// ICMPv6 type of a Multicast Listener Query (RFC 3810 §5.1).
pub const MLD_QUERY: u8 = 130;
/// ICMPv6 type of a Version 2 Multicast Listener Report (RFC 3810 §5.2).
pub const MLD_V2_REPORT: u8 = 143;
/// All MLDv2-capable routers, where Reports go (RFC 3810 §5.2.14).
pub const ALL_MLDV2_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x16);
/// The hop limit MLD messages are sent with (RFC 3810 §5).
pub const MLD_HOP_LIMIT: u8 = 1;
/// The Hop-by-Hop Options header every MLD message carries (RFC 3810 §5):
/// next header ICMPv6, length 0 (8 octets), the Router Alert option
/// (RFC 2711 §2.1: type 5, length 2, value 0 "Multicast Listener Discovery
/// message") and a PadN of two octets.
pub const ROUTER_ALERT_HBH: [u8; 8] = [58, 0, 5, 2, 0, 0, 1, 0];
/// Sources echoed in one answer to a source-specific query at most: what
/// an IPv6 minimum-MTU packet holds (RFC 3810 §5.2.15) and a bound on what
/// a hostile query makes us send.
pub const MAX_SOURCES: usize = 64;

/// Multicast Address Record types (RFC 3810 §5.2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    /// MODE_IS_INCLUDE (1): a current-state record.
    ModeIsInclude,
    /// MODE_IS_EXCLUDE (2): a current-state record.
    ModeIsExclude,
    /// CHANGE_TO_EXCLUDE_MODE (4): a filter-mode-change record (a join).
    ChangeToExclude,
}

impl RecordType {
    fn to_u8(self) -> u8 {
        match self {
            RecordType::ModeIsInclude => 1,
            RecordType::ModeIsExclude => 2,
            RecordType::ChangeToExclude => 4,
        }
    }
}

/// One Multicast Address Record (RFC 3810 §5.2.4-§5.2.11), no auxiliary data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its type.
    pub kind: RecordType,
    /// The group.
    pub group: Ipv6Addr,
    /// Its sources.
    pub sources: Vec<Ipv6Addr>,
}

/// A Version 2 Multicast Listener Report's ICMPv6 message (RFC 3810 §5.2),
/// checksum over the pseudo-header of `src` and `dst`.
pub fn emit_report(records: &[Record], src: Ipv6Addr, dst: Ipv6Addr) -> Vec<u8> {
    let mut m = Vec::with_capacity(8 + records.len() * 20);
    // §5.2.1: reserved fields "set to zero on transmission".
    m.extend_from_slice(&[MLD_V2_REPORT, 0, 0, 0, 0, 0]);
    m.extend_from_slice(&(records.len() as u16).to_be_bytes());
    for r in records {
        m.extend_from_slice(&[r.kind.to_u8(), 0]);
        m.extend_from_slice(&(r.sources.len() as u16).to_be_bytes());
        m.extend_from_slice(&r.group.octets());
        for s in &r.sources {
            m.extend_from_slice(&s.octets());
        }
    }
    let c = !icmpv6_sum(&m, src, dst);
    m[2..4].copy_from_slice(&c.to_be_bytes());
    m
}

/// A Multicast Listener Query (RFC 3810 §5.1; an MLDv1 query, RFC 2710
/// §3, is the same without the fields after the address, §8.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The Maximum Response Delay, in milliseconds (§5.1.3).
    pub max_response_ms: u32,
    /// The group asked about; unspecified for a General Query (§5.1.5).
    pub group: Ipv6Addr,
    /// The sources asked about (§5.1.10); empty unless source-specific.
    pub sources: Vec<Ipv6Addr>,
}

impl Query {
    /// Parses a query's ICMPv6 message (type 130) and checks its checksum
    /// over `src` and `dst`. Shorter than 24 octets, a source count beyond
    /// the message, or a bad checksum is an error; an MLDv1 query (24 to 27
    /// octets) has no sources.
    pub fn parse(msg: &[u8], src: Ipv6Addr, dst: Ipv6Addr) -> Result<Query, Error> {
        if msg.len() < 24 {
            return Err(Error::Truncated {
                what: "MLD query",
                need: 24,
                have: msg.len(),
            });
        }
        if msg[0] != MLD_QUERY {
            return Err(Error::NotMldQuery(msg[0]));
        }
        if icmpv6_sum(msg, src, dst) != 0xffff {
            return Err(Error::MldChecksum);
        }
        let group = Ipv6Addr::from(<[u8; 16]>::try_from(&msg[8..24]).expect("16 octets"));
        let code = be16(msg, 4);
        if msg.len() < 28 {
            // §8.1: MLDv1's Maximum Response Delay is in milliseconds.
            return Ok(Query {
                max_response_ms: u32::from(code),
                group,
                sources: Vec::new(),
            });
        }
        let n = usize::from(be16(msg, 26));
        let need = 28 + 16 * n;
        if msg.len() < need {
            return Err(Error::Truncated {
                what: "MLD query sources",
                need,
                have: msg.len(),
            });
        }
        let sources = msg[28..need]
            .chunks_exact(16)
            .map(|c| Ipv6Addr::from(<[u8; 16]>::try_from(c).expect("16 octets")))
            .collect();
        Ok(Query {
            max_response_ms: max_response_ms(code),
            group,
            sources,
        })
    }
}

/// §5.1.3: a Maximum Response Code below 32768 is milliseconds; above, a
/// floating-point value (mant | 0x1000) << (exp + 3).
pub fn max_response_ms(code: u16) -> u32 {
    if code < 0x8000 {
        return u32::from(code);
    }
    let mant = u32::from(code & 0x0fff);
    let exp = u32::from((code >> 12) & 0x7);
    (mant | 0x1000) << (exp + 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn max_response_code_forms() {
        // §5.1.3: 0x8000 = mant 0, exp 0: 0x1000 << 3 = 32768 ms; the largest
        // code 0xffff: (0xfff | 0x1000) << 10 = 8387584 ms.
        assert_eq!(max_response_ms(10_000), 10_000);
        assert_eq!(max_response_ms(0x7fff), 32767);
        assert_eq!(max_response_ms(0x8000), 32768);
        assert_eq!(max_response_ms(0xffff), 8_387_584);
    }

    #[test]
    fn report_layout() {
        let group: Ipv6Addr = "ff02::1:ff00:2".parse().unwrap();
        let m = emit_report(
            &[Record {
                kind: RecordType::ChangeToExclude,
                group,
                sources: Vec::new(),
            }],
            Ipv6Addr::UNSPECIFIED,
            ALL_MLDV2_ROUTERS,
        );
        assert_eq!(m.len(), 8 + 20);
        assert_eq!((m[0], m[1], &m[4..8]), (143, 0, &[0u8, 0, 0, 1][..]));
        assert_eq!(&m[8..12], &[4, 0, 0, 0]);
        assert_eq!(&m[12..28], &group.octets());
        assert_eq!(
            icmpv6_sum(&m, Ipv6Addr::UNSPECIFIED, ALL_MLDV2_ROUTERS),
            0xffff
        );
    }

    #[test]
    fn query_forms_and_refusals() {
        let (src, dst): (Ipv6Addr, Ipv6Addr) =
            ("fe80::1".parse().unwrap(), "ff02::1".parse().unwrap());
        let mut q = vec![130, 0, 0, 0, 0x27, 0x10, 0, 0];
        q.extend_from_slice(&[0; 16]);
        q.extend_from_slice(&[2, 125, 0, 1]);
        q.extend_from_slice(&"2001:db8::9".parse::<Ipv6Addr>().unwrap().octets());
        let c = !icmpv6_sum(&q, src, dst);
        q[2..4].copy_from_slice(&c.to_be_bytes());
        let got = Query::parse(&q, src, dst).unwrap();
        assert_eq!(got.max_response_ms, 10_000);
        assert_eq!(got.group, Ipv6Addr::UNSPECIFIED);
        assert_eq!(
            got.sources,
            vec!["2001:db8::9".parse::<Ipv6Addr>().unwrap()]
        );
        assert_eq!(
            Query::parse(&q, src, "ff02::2".parse().unwrap()),
            Err(Error::MldChecksum)
        );
        // One source claimed too many: truncated, not a panic.
        let mut short = q.clone();
        short[27] = 2;
        assert!(matches!(
            Query::parse(&short, src, dst),
            Err(Error::Truncated { .. } | Error::MldChecksum)
        ));
        assert!(matches!(
            Query::parse(&q[..20], src, dst),
            Err(Error::Truncated { .. })
        ));
    }
}
