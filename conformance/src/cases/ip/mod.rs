//! The `ip.*` cases: one module per group, `ip/<group>.rs` holding exactly
//! the cases `ip.<group>.*`; helpers shared by groups live in `support.rs`.
//!
//! tshark as an independent dissector: it re-reads a few hundred random valid
//! packets that Handshake emitted and must find each one well formed, with
//! good checksums and every field where we put it.
//!
//! handshake-ip: the Internet checksum, IPv4, IPv6, UDP and ICMP echo.
//!
//! Known-answer vectors come from the RFCs' own examples and from packets the
//! Linux kernel sent through a TUN device (so their checksums are the
//! kernel's, not ours).

use crate::Case;

mod checksum;
mod icmp;
mod interop;
mod ipv4;
mod ipv6;
mod udp;

/// Every `ip.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        interop::cases(),
        checksum::cases(),
        ipv4::cases(),
        ipv6::cases(),
        udp::cases(),
        icmp::cases(),
    ]
    .concat()
}
