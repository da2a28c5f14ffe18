//! A sans-IO TCP: wire format, state machine, congestion control and a deterministic simulator.
#![no_std]
#![deny(missing_docs)]
