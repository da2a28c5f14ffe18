//! The TCP segment on the wire (RFC 9293 §3.1) and its options.
//!
//! [`Segment`] is a checked zero-copy view; [`SegmentRepr`] the plain
//! representation with [`SegmentRepr::parse`] (checksum verified over the
//! IPv4/IPv6 pseudo-header unless told not to) and [`SegmentRepr::emit`]
//! (checksum filled). Malformed input is an [`Error`](crate::Error), never a panic.
//!
//! ```
//! use handshake_ip::{checksum::PseudoHeader, ChecksumMode, Ipv4Addr};
//! use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber, TcpFlags, TcpOptions};
//!
//! let ph = PseudoHeader::V4 { src: Ipv4Addr::new(192, 0, 2, 1), dst: Ipv4Addr::new(192, 0, 2, 2) };
//! let syn = SegmentRepr {
//!     src_port: 49152,
//!     dst_port: 80,
//!     seq_number: SeqNumber(1000),
//!     ack_number: SeqNumber(0),
//!     flags: TcpFlags::SYN,
//!     window: 65535,
//!     urgent_pointer: 0,
//!     options: TcpOptions { mss: Some(1460), window_scale: Some(7), sack_permitted: true, ..TcpOptions::default() },
//!     payload: &[],
//! };
//! let mut buf = [0u8; 60];
//! let n = syn.emit(&mut buf, &ph).unwrap();
//! let seg = Segment::new_checked(&buf[..n]).unwrap();
//! assert_eq!(SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify).unwrap(), syn);
//! ```

mod ecn;
mod options;
mod segment;
mod seq;

pub use ecn::Ecn;
pub use options::{
    OptionIter, SackBlock, SackBlocks, TcpOption, TcpOptions, Timestamps, MAX_OPTIONS_LEN,
};
pub use segment::{Segment, SegmentRepr, TcpFlags, HEADER_LEN};
pub use seq::SeqNumber;
