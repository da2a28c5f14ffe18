//! The data link layer under `handshake-ip`: Ethernet II frames, ARP for IPv4
//! (RFC 826) and IPv6 neighbour discovery (RFC 4861, RFC 4862 §5.4), as wire
//! formats and as sans-IO neighbour caches.
//!
//! This is a crate of its own rather than a module of `handshake-ip` because
//! it owns state machines with timers -- the ARP cache and the NDP neighbour
//! cache with its reachability states and duplicate address detection --
//! where `handshake-ip` holds only wire formats: a user of IP over TUN needs
//! none of this, and the caches need `alloc` and the caller's clock.
//!
//! Wire formats come as a checked zero-copy view over bytes
//! ([`EthernetFrame`], [`ArpPacket`]) and a plain representation
//! ([`EthernetRepr`], [`ArpRepr`], [`NdpRepr`]) with `parse` and `emit`.
//! Nothing panics on hostile input: every malformation is an [`Error`].
//!
//! The caches ([`ArpCache`], [`NeighborCache`]) are deterministic machines:
//! frames in through `handle_frame(now, bytes)`, frames out through
//! `poll_transmit(now)`, timers through `poll_timeout()` and
//! `handle_timeout(now)`, what happened through `poll_event()`. Time is a
//! [`handshake_time::Instant`] the caller passes in; the crate reads no clock
//! and draws no randomness (the random factor of REACHABLE_TIME and the DAD
//! start delay come from the caller).
//!
//! ```
//! use core::net::Ipv4Addr;
//! use handshake_link::{ArpOperation, ArpPacket, ArpRepr, EtherType, EthernetFrame, EthernetRepr, MacAddr};
//!
//! let me = MacAddr([0x02, 0, 0, 0, 0, 1]);
//! let eth = EthernetRepr { dst_addr: MacAddr::BROADCAST, src_addr: me, ethertype: EtherType::ARP };
//! let arp = ArpRepr {
//!     operation: ArpOperation::Request,
//!     source_hardware_addr: me,
//!     source_protocol_addr: Ipv4Addr::new(192, 0, 2, 2),
//!     target_hardware_addr: MacAddr::UNSPECIFIED,
//!     target_protocol_addr: Ipv4Addr::new(192, 0, 2, 1),
//! };
//! let mut buf = [0u8; 42];
//! let hl = eth.emit(&mut buf).unwrap();
//! arp.emit(&mut buf[hl..]).unwrap();
//!
//! let frame = EthernetFrame::new_checked(&buf[..]).unwrap();
//! assert_eq!(frame.ethertype(), EtherType::ARP);
//! let parsed = ArpRepr::parse(&ArpPacket::new_checked(frame.payload()).unwrap()).unwrap();
//! assert_eq!(parsed, arp);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod arp;
mod arp_cache;
mod common;
mod error;
mod ethernet;
mod mld;
mod ndp;
mod neighbor;

pub use arp::{ArpOperation, ArpPacket, ArpRepr};
pub use arp_cache::{ArpCache, ArpConfig, ArpEvent};
pub use error::Error;
pub use ethernet::{EtherType, EthernetFrame, EthernetRepr, MacAddr, MAX_VLAN_TAGS};
pub use mld::{
    emit_report, max_response_ms, Query as MldQuery, Record as MldRecord,
    RecordType as MldRecordType, ALL_MLDV2_ROUTERS, MAX_SOURCES as MLD_MAX_SOURCES, MLD_HOP_LIMIT,
    MLD_QUERY, MLD_V2_REPORT, ROUTER_ALERT_HBH,
};
pub use ndp::{is_solicited_node, solicited_node, NaFlags, NdpRepr, HOP_LIMIT};
pub use neighbor::{
    AddrState, NdpConfig, NdpEvent, NeighborCache, NeighborState, DELAY_FIRST_PROBE_TIME,
    MAX_MULTICAST_SOLICIT, MAX_RANDOM_FACTOR_PERMILLE, MAX_UNICAST_SOLICIT,
    MIN_RANDOM_FACTOR_PERMILLE, REACHABLE_TIME, RETRANS_TIMER,
};

/// Reads a big-endian u16 at `at`; callers have checked the bounds.
#[inline]
pub(crate) fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Marks the path that calls it as unlikely (a refused frame), so that the
/// compiler lays the accepted path out straight. The errors themselves are
/// still built inline: an out-of-line builder would return the error
/// through a pointer into the caller's `Result`, and the compiler then keeps
/// that whole `Result` in memory, the accepted representation included.
#[cold]
#[inline(always)]
pub(crate) fn cold() {}
