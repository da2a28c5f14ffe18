//! Handshake's adapters: the only crate that performs I/O.
//!
//! The protocol crates are sans-IO state machines; this crate drives them
//! over real sockets and devices:
//! - [`dns`], UDP and TCP transports on tokio (and blocking twins) for the
//!   sans-IO DNS machines, and [`resolver`], which runs the dns crate's
//!   cache -> hosts -> network pipeline with concurrent lookups, and reads
//!   the system's DNS configuration (hosts file, resolv.conf, Windows
//!   adapters' servers);
//! - [`tls`], the TLS machines of handshake-tls over a tokio stream
//!   (`TlsStream`, `AsyncRead + AsyncWrite`) or a blocking one;
//! - [`http`], HTTP/1.1 clients and servers over any tokio stream (plain
//!   TCP or [`tls`]), driving handshake-http's connection machines;
//! - [`netns`] (Linux), a network namespace of the test's own with a TUN
//!   device in it, [`link`] the lossy recorded wire over that device,
//!   [`driver`] our sans-IO TCP running over it and [`kernel`] helpers for
//!   the kernel's sockets on the other side; [`tap`] the same namespace
//!   with a TAP device, where our ARP and NDP caches (handshake-link) answer
//!   the kernel and resolve it; [`tunstream`] our TCP/IP through that
//!   device as a tokio stream toward a real server;
//! - [`fault`] the drop/delay/duplicate/reorder rules, [`pcap`] captures and
//!   [`packet`] IPv4+TCP encoding with checksums, on every platform;
//! - `tun`, opening a TUN device on macOS (utun) and Windows (wintun); the
//!   module exists on those two platforms only, so it is not linked here.
#![deny(missing_docs)]

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod dns;
#[cfg(target_os = "linux")]
pub mod driver;
pub mod fault;
pub mod http;
#[cfg(target_os = "linux")]
pub mod kernel;
#[cfg(target_os = "linux")]
pub mod link;
#[cfg(target_os = "linux")]
pub mod netns;
pub mod packet;
pub mod pcap;
pub mod resolver;
#[cfg(target_os = "linux")]
pub mod tap;
pub mod tls;
#[cfg(any(target_os = "macos", target_os = "windows"))]
pub mod tun;
#[cfg(target_os = "linux")]
pub mod tunstream;
