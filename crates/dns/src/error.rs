//! The crate's one error type.

use alloc::string::String;

/// What was wrong with a DNS message or name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message ended before a field it announced.
    #[error("message truncated: {what} needs {need} bytes at offset {at}, {have} remain")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Its offset in the message.
        at: usize,
        /// Bytes it needs.
        need: usize,
        /// Bytes left.
        have: usize,
    },
    /// A label longer than 63 octets (RFC 1035 §2.3.4).
    #[error("label of {0} octets: at most 63 (RFC 1035 §2.3.4)")]
    LabelTooLong(usize),
    /// A name longer than 255 octets in wire form (RFC 1035 §2.3.4).
    #[error("name of {0} octets or more: at most 255 (RFC 1035 §2.3.4)")]
    NameTooLong(usize),
    /// An empty label inside a name in text form (`a..b`).
    #[error("empty label in `{0}`")]
    EmptyLabel(String),
    /// A bad `\` escape in a name in text form.
    #[error("bad escape in `{0}`")]
    BadEscape(String),
    /// A compression pointer to itself or to a later offset: RFC 1035 §4.1.4
    /// pointers refer to a *prior* occurrence, which also rules out loops.
    #[error("compression pointer at {at} to {target} does not point backwards (RFC 1035 §4.1.4)")]
    BadPointer {
        /// Offset of the pointer.
        at: usize,
        /// Where it points.
        target: usize,
    },
    /// A name that follows more compression pointers than
    /// [`wire::MAX_POINTER_HOPS`](crate::wire::MAX_POINTER_HOPS) (RFC 9267 §2:
    /// bound the work of decompression).
    #[error("name at {at} follows more than {limit} compression pointers (RFC 9267 §2)")]
    TooManyPointers {
        /// Offset of the name.
        at: usize,
        /// The limit.
        limit: usize,
    },
    /// Label type 0b01 or 0b10 (RFC 6891 §5 retired extended labels).
    #[error("reserved label type {0:#04x} (RFC 1035 §4.1.4, RFC 6891 §5)")]
    ReservedLabelType(u8),
    /// RDATA whose length does not fit its type.
    #[error("{rtype} RDATA: {why}")]
    BadRdata {
        /// The record type.
        rtype: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// Bytes left after the last record the header announced.
    #[error("{0} bytes after the last record")]
    TrailingBytes(usize),
    /// A value that does not fit its field when emitting.
    #[error("{what} of {value} does not fit its field")]
    FieldOverflow {
        /// The field.
        what: &'static str,
        /// The value.
        value: usize,
    },
    /// More than one OPT record, or one outside the additional section (RFC 6891 §6.1.1).
    #[error("OPT record {0} (RFC 6891 §6.1.1)")]
    BadOpt(&'static str),
}
