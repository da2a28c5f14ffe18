//! The `http.*` cases: one module per group, `http/<group>.rs` holding
//! exactly the cases `http.<group>.*`; helpers shared by groups live in
//! `support.rs`.
//!
//! handshake-http, the sans-IO HTTP/1.1 codec, against RFC 9112 and RFC
//! 9110: the request and status lines and field lines (`request`,
//! `response`), body framing in RFC 9112 §6.3's order (`body`), the
//! framing conflicts that smuggle requests (`smuggling`), the limits and
//! the statuses they map to (`limits`), persistence (`persistence`),
//! generated messages and bytes (`property`), RFC 9112's requirement
//! table (`coverage`), the connection drivers (`client`, `server`), and
//! `handshake fetch` / `handshake serve` against nginx and curl
//! (`interop`). Every expected value is the RFC's or a peer's.

use crate::Case;

mod body;
mod client;
mod coverage;
mod interop;
mod limits;
mod persistence;
mod property;
mod request;
mod response;
mod server;
mod smuggling;
mod support;

/// Every `http.*` case, group by group.
pub(crate) fn cases() -> Vec<Case> {
    [
        request::cases(),
        response::cases(),
        body::cases(),
        smuggling::cases(),
        limits::cases(),
        persistence::cases(),
        property::cases(),
        coverage::cases(),
        client::cases(),
        server::cases(),
        interop::cases(),
    ]
    .concat()
}
