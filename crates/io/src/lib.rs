//! Handshake's adapters: the only crate that performs I/O.
//!
//! The protocol crates are sans-IO state machines; this crate drives them
//! over real sockets. So far: [`dns`], blocking UDP and TCP transports for
//! the DNS resolver, and [`resolver`], the cache -> hosts -> network pipeline.
#![deny(missing_docs)]

pub mod dns;
pub mod resolver;
