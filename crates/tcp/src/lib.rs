//! A sans-IO TCP: wire format, state machine, congestion control and a deterministic simulator.
//!
//! [`wire`], the segment format (RFC 9293 §3.1) with its options
//! (RFC 9293 §3.2, RFC 7323, RFC 2018) and sequence-number arithmetic
//! (RFC 9293 §3.4); [`conn`], the connection state machine (RFC 9293
//! §3.3-3.10) with RFC 6528 initial sequence numbers, RFC 5961 challenge
//! ACKs and RFC 6298 retransmission, driven sans-IO by the caller; and
//! [`congestion`], Reno, NewReno and CUBIC behind one trait.
//!
//! [`endpoint`] is one host's TCP: listeners and connections by 4-tuple,
//! routing every segment, answering those for no connection with a RST.
//!
//! [`sim`] runs connections over a simulated network: seeded, deterministic,
//! with delay, bandwidth, drop-tail queues, loss, reordering and duplication.
//!
//! The crate is `no_std` + `alloc`. Its default `std` feature turns on
//! handshake-crypto's run-time CPU feature detection and adds
//! [`sim::Trace::write_csv_io`]; `plot` adds `sim::plot`, an SVG chart of a
//! simulation's congestion window.
#![no_std]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod congestion;
pub mod conn;
pub mod endpoint;
mod error;
pub mod sim;
pub mod wire;

pub use error::Error;
