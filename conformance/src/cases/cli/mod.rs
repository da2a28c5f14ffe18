//! The `cli.*` cases: the `handshake` binary (crates/cli) run as a
//! separate process, as a person runs it, on the operating system's
//! sockets (so every case is `interop_os`: the kernel refuses, accepts and
//! times out for real). `fetch` holds what it sends and how it fails (one
//! line on stderr, a non-zero exit, never a panic); `help` that every
//! subcommand documents itself; `terminal` that colour and the progress
//! bar appear on a terminal only; `resolve` the iterative walk, the RD
//! bit and the cache listing; `via` the path through our own TCP/IP
//! (`--via tun`, `--pcap`), and `weakness` the three weaknesses of plain
//! HTTP shown both ways; `tcp` the `handshake tcp` transfer and chart. The `via` and `weakness` cases also need
//! CAP_NET_ADMIN, for the namespace.

use crate::Case;

mod fetch;
mod help;
mod resolve;
mod support;
mod tcp;
mod terminal;
mod via;
mod weakness;

/// Every `cli.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        fetch::cases(),
        help::cases(),
        resolve::cases(),
        tcp::cases(),
        terminal::cases(),
        via::cases(),
        weakness::cases(),
    ]
    .concat()
}
