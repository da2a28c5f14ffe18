//! What a lookup through the resolver pipeline did, step by step, for a
//! person to read (`handshake resolve --trace` prints one line per step).

use alloc::string::String;
use alloc::vec::Vec;

use core::fmt;
use core::net::{IpAddr, SocketAddr};

use crate::iterative::TraceEvent;
use crate::wire::{Name, Question, Rcode, RecordType};

/// One step of a lookup, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceStep {
    /// The cache answered (after any CNAMEs it also held).
    CacheHit {
        /// The name asked for.
        name: Name,
        /// The type asked for.
        rtype: RecordType,
    },
    /// The cache had nothing for the question.
    CacheMiss {
        /// The name asked for.
        name: Name,
        /// The type asked for.
        rtype: RecordType,
    },
    /// The hosts file knows the name.
    HostsHit {
        /// The name.
        name: Name,
        /// Its addresses in the file, of either family.
        addrs: Vec<IpAddr>,
    },
    /// The stub asked a recursive server (RD=1), and what came back.
    Stub {
        /// The server.
        server: SocketAddr,
        /// The question, after search-list expansion.
        question: Question,
        /// Its response code, or why there was none (timeout, failed connection).
        reply: Result<Rcode, String>,
    },
    /// The stub's UDP answer had TC=1: the same query goes to the same
    /// server over TCP (RFC 7766 §5; RFC 1035 §4.2.1).
    StubTruncated {
        /// The server.
        server: SocketAddr,
    },
    /// Another lookup of the same question was already in flight: this one
    /// waited for its result instead of asking again.
    Coalesced {
        /// The name asked for.
        name: Name,
        /// The type asked for.
        rtype: RecordType,
    },
    /// A step of iterative resolution: a query to an authority, a referral,
    /// a CNAME, a truncated or rejected response.
    Iterative(TraceEvent),
}

impl fmt::Display for TraceStep {
    /// One line per step.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceStep::CacheHit { name, rtype } => write!(f, "cache hit {name} {rtype}"),
            TraceStep::CacheMiss { name, rtype } => write!(f, "cache miss {name} {rtype}"),
            TraceStep::HostsHit { name, addrs } => {
                write!(f, "hosts file {name}")?;
                for a in addrs {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            TraceStep::Stub {
                server,
                question,
                reply,
            } => {
                write!(f, "asked {server} {} {}: ", question.name, question.qtype)?;
                match reply {
                    Ok(rcode) => write!(f, "rcode {}", rcode.0),
                    Err(e) => write!(f, "no answer ({e})"),
                }
            }
            TraceStep::StubTruncated { server } => {
                write!(f, "truncated by {server}: retrying over TCP")
            }
            TraceStep::Coalesced { name, rtype } => {
                write!(f, "joined the lookup of {name} {rtype} already in flight")
            }
            TraceStep::Iterative(e) => write!(f, "{e}"),
        }
    }
}
