//! How a lookup ends, and why a SERVFAIL.

use alloc::vec::Vec;

use crate::wire::Record;

/// How a lookup ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The RRset, after the CNAMEs that led to it (in order).
    Answer {
        /// CNAME records followed, first to last.
        cnames: Vec<Record>,
        /// The records of the final name and the asked type.
        records: Vec<Record>,
    },
    /// The name (or the last CNAME target) does not exist (RFC 2308 §2.1).
    NxDomain {
        /// CNAME records followed.
        cnames: Vec<Record>,
        /// The SOA record from the authority section, with its TTL: a
        /// negative answer is cached for min(its TTL, its MINIMUM) (RFC 2308 §5).
        soa: Option<Record>,
    },
    /// The name exists without records of that type (RFC 2308 §2.2).
    NoData {
        /// CNAME records followed.
        cnames: Vec<Record>,
        /// The SOA record from the authority section, with its TTL.
        soa: Option<Record>,
    },
    /// No usable answer, and why (RFC 2308 §7.1: a resolver that cannot
    /// answer says SERVFAIL). A local I/O failure is never one: the
    /// transport returns it as an error.
    ServFail(ServFail),
}

/// Why a lookup ended in SERVFAIL (the reasons unbound's `val-log` and
/// extended errors, RFC 8914, give; hickory's `ResolveErrorKind` shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ServFail {
    /// Every server of a zone was lame: it answered without an answer, a
    /// referral or authority (RFC 1034 §4.2.2), or its NXDOMAIN lacked AA.
    #[error("lame delegation: no server of the zone answered with authority")]
    Lame,
    /// A CNAME chain came back to a name already on it (RFC 1034 §3.6.2).
    #[error("CNAME loop")]
    Loop,
    /// A CNAME chain longer than the configured limit.
    #[error("CNAME chain too long")]
    ChainTooLong,
    /// More referrals than the configured limit.
    #[error("referral limit reached")]
    ReferralLimit,
    /// The query budget of the whole resolution, nested name-server
    /// lookups included, is spent (issue 14, defect 4).
    #[error("query budget of the resolution exhausted")]
    BudgetExhausted,
    /// The resolution's deadline passed, or every server timed out.
    #[error("timed out")]
    Timeout,
    /// Every server answered REFUSED (RFC 1035 §4.1.1).
    #[error("every server refused")]
    AllServersRefused,
    /// Every server answered SERVFAIL, NOTIMP, FORMERR or another error.
    #[error("every server answered with an error")]
    ServerError,
    /// No server of a zone has an address we could find: glueless names
    /// that did not resolve, or in-zone names without glue.
    #[error("no address for any server of the zone")]
    NoServerAddress,
}
