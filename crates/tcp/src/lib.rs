//! A sans-IO TCP: wire format, state machine, congestion control and a deterministic simulator.
//!
//! So far: [`wire`], the segment format (RFC 9293 §3.1) with its options
//! (RFC 9293 §3.2, RFC 7323, RFC 2018) and sequence-number arithmetic
//! (RFC 9293 §3.4).
#![no_std]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

mod error;
pub mod wire;

pub use error::Error;
