//! Cryptographic primitives for Handshake, from scratch, with hardware fast paths.
#![no_std]
#![deny(missing_docs)]
