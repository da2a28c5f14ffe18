//! The DNS message format (RFC 1035 §4 and its extensions).
//!
//! [`Message::parse`] reads a whole message and never panics on hostile
//! input: every length is checked against the bytes present, names are
//! decompressed under the rules of [`Name::parse`], and the memory a message
//! can make us allocate is bounded by its size. [`Message::to_bytes`] writes
//! one with name compression where RFC 1035 and RFC 3597 allow it.

mod header;
mod message;
mod name;
mod record;

pub use header::{Header, Opcode, Rcode};
pub use message::{Edns, EdnsOption, Message, Question};
pub use name::{Compressor, Labels, Name, MAX_LABEL_LEN, MAX_NAME_LEN, MAX_POINTER_HOPS};
pub use record::{Class, RData, Record, RecordType, Soa};

use crate::Error;

/// Reads `N` bytes at `at`, or says which field was cut short.
pub(crate) fn take<const N: usize>(
    msg: &[u8],
    at: usize,
    what: &'static str,
) -> Result<[u8; N], Error> {
    msg.get(at..at + N)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::Truncated {
            what,
            at,
            need: N,
            have: msg.len().saturating_sub(at),
        })
}
