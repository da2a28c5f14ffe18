//! What a lookup did, for a person to read.

use alloc::string::String;
use alloc::vec::Vec;

use core::net::SocketAddr;

use crate::wire::{Name, Question};

/// One entry of the trace a person can read (`handshake resolve --trace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceEvent {
    /// A query went out.
    Asked {
        /// To whom.
        server: SocketAddr,
        /// The zone we believe the server serves.
        zone: Name,
        /// What.
        question: Question,
    },
    /// A referral to a child zone.
    Referral {
        /// The child zone.
        zone: Name,
        /// Its name servers.
        servers: Vec<Name>,
    },
    /// A CNAME was followed.
    Cname {
        /// From.
        from: Name,
        /// To.
        to: Name,
    },
    /// A server's answer was not used, and why.
    Rejected {
        /// The server.
        server: SocketAddr,
        /// Why.
        why: String,
    },
    /// The server's UDP answer had TC=1: the query goes again over TCP (RFC 7766 §5).
    Truncated {
        /// The server.
        server: SocketAddr,
    },
}

impl core::fmt::Display for TraceEvent {
    /// One line, as `handshake resolve --trace` prints it.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TraceEvent::Asked {
                server,
                zone,
                question,
            } => write!(
                f,
                "asked {server} (for {zone}) {} {}",
                question.name, question.qtype
            ),
            TraceEvent::Referral { zone, servers } => {
                write!(f, "referral to {zone}")?;
                for (i, s) in servers.iter().enumerate() {
                    f.write_str(if i == 0 { " via " } else { ", " })?;
                    write!(f, "{s}")?;
                }
                Ok(())
            }
            TraceEvent::Cname { from, to } => write!(f, "CNAME {from} -> {to}"),
            TraceEvent::Rejected { server, why } => write!(f, "ignored {server}: {why}"),
            TraceEvent::Truncated { server } => {
                write!(f, "truncated by {server}: retrying over TCP")
            }
        }
    }
}
