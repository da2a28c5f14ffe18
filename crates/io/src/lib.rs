//! Handshake's adapters: the only crate that performs I/O.
//!
//! The protocol crates are sans-IO state machines; this crate drives them
//! over real sockets. So far: [`dns`], UDP and TCP transports on tokio (and
//! blocking twins) that drive the DNS resolver, and [`resolver`], the cache
//! -> hosts -> network pipeline with its trace and the system's DNS
//! configuration (hosts file, resolv.conf, Windows adapters' servers).
#![deny(missing_docs)]

pub mod dns;
pub mod resolver;
