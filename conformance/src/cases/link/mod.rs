//! The `link.*` cases: one module per group, `link/<group>.rs` holding
//! exactly the cases `link.<group>.*`; helpers shared by groups live in
//! `support.rs`.
//!
//! handshake-link: Ethernet II frames, ARP (RFC 826, RFC 1122 §2.3.2) and
//! IPv6 neighbour discovery (RFC 4861, RFC 4862 §5.4).
//!
//! Known answers are frames the Linux kernel (6.18) sent between two veth
//! ends in a network namespace, and frames hand-built from the RFCs'
//! layouts with an independent checksum; the neighbour caches run on a
//! simulated clock against the RFCs' timers; tshark dissects what we emit;
//! and on a TAP device in a namespace of their own they meet the kernel.

use crate::Case;

mod arp;
mod coverage;
mod eth;
mod interop;
mod mld;
mod ndp;
mod support;

/// Every `link.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        eth::cases(),
        arp::cases(),
        ndp::cases(),
        mld::cases(),
        interop::cases(),
        coverage::cases(),
    ]
    .concat()
}
