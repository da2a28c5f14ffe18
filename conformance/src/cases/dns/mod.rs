//! The `dns.*` cases: one module per group, `dns/<group>.rs` holding exactly
//! the cases `dns.<group>.*`; helpers shared by groups live in `support.rs`.
//!
//! handshake-dns: the message codec (RFC 1035 §4 and its extensions), the
//! cache (RFC 2308) and the hosts file against the C library's resolver.
//!
//! handshake-dns against real resolvers on the fixture Internet
//! (fixtures/dns: NSD on 127.0.0.x, unbound at 127.0.0.60): one case per
//! fixture query and authoritative implementation (NSD, Knot DNS, BIND 9)
//! comparing our iterative resolver with unbound (so a failure names the
//! query and the server), hickory-resolver beside our stub, and the referral
//! chain our pipeline traces.
//!
//! Scripted scenarios (in the spirit of Deckard's .rpl files; the servers
//! are `peers::dns_server`, the one in-process server every case uses): a scripted
//! root at 127.0.0.70 refers `victim.` to a scripted child at 127.0.0.71,
//! which misbehaves as each scenario says — forgeries from another address,
//! with another ID, question or letter case, out-of-bailiwick records,
//! truncation, silence — and our resolver must still get the genuine answer.
//!
//! The sans-IO iterative resolver against small in-memory authorities: each
//! case scripts what the servers say (by address and question) and checks
//! how the resolver walks the delegations, what it asks whom, and where it
//! stops. No socket is opened; a seeded RNG makes every run replayable.
//!
//! The stub side of handshake-dns and handshake-io: the hosts file,
//! resolv.conf and what the stub does with it (search list, ndots,
//! attempts, timeout, rotation, SERVFAIL), and the transport's TCP fallback
//! — against servers in this process on 127.0.0.1 (no privileges needed).
//!
//! Known-answer vectors for handshake-dns: each record type's RDATA as
//! bytes, the header's bits, name compression on emit, EDNS(0), and the
//! RFC 5452 checks a response must pass.

use crate::Case;

mod cache;
mod coverage;
mod edns;
mod hosts;
mod interop;
mod iterative;
mod resolvconf;
mod rfc5452;
mod robust;
mod roothints;
mod scenario;
mod stub;
pub(crate) mod support;
mod transport;
mod wire;

/// Every `dns.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        interop::cases(),
        hosts::cases(),
        roothints::cases(),
        cache::cases(),
        wire::cases(),
        scenario::cases(),
        iterative::cases(),
        resolvconf::cases(),
        stub::cases(),
        transport::cases(),
        rfc5452::cases(),
        edns::cases(),
        robust::cases(),
        coverage::cases(),
    ]
    .concat()
}
