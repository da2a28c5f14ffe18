//! DNS for Handshake.
//!
//! So far: a [`Stub`] resolver (search list, ndots, attempts, rotation,
//! timeouts, TCP on truncation) and an [`Iterative`] resolver from the root,
//! both sans-IO, the [`Pipeline`] that puts the cache and the hosts file in
//! front of them, a resolver [`Cache`] (TTLs on the caller's clock, RFC 2308
//! negative caching, LRU-bounded), the [`Hosts`] file, the stub resolver's [`ResolvConf`], the response checks of an
//! [`Outstanding`] query (RFC 5452, DNS 0x20), and [`wire`], the message codec — header, questions and resource
//! records (RFC 1035 §4), AAAA (RFC 3596), SRV (RFC 2782), CAA (RFC 8659),
//! EDNS(0) OPT (RFC 6891) and any other type as opaque RDATA (RFC 3597) —
//! with name compression on emit and decompression that rejects loops,
//! forward pointers and over-long names.
//!
//! The crate is `no_std` + `alloc`. Its default `std` feature adds the two
//! types that keep their entries in std's `HashMap` (alloc has no hash map),
//! the resolver [`Cache`] and the [`Hosts`] file, and the [`Pipeline`] built
//! on them. Without it, the codec, the stub and iterative resolvers, the
//! response checks and resolv.conf parsing remain.
//!
//! ```
//! use handshake_dns::wire::{Message, Name, Question, RecordType};
//! let q = Message::query(0xbeef, Question::new("example.com".parse::<Name>().unwrap(), RecordType::A));
//! let bytes = q.to_bytes().unwrap();
//! assert_eq!(Message::parse(&bytes).unwrap(), q);
//! ```
#![no_std]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod answer;
#[cfg(feature = "std")]
mod cache;
mod error;
#[cfg(feature = "std")]
mod hosts;
mod iterative;
#[cfg(feature = "std")]
mod pipeline;
mod query;
mod resolv_conf;
mod restore;
mod root_hints;
mod stub;
mod trace;
pub mod wire;

#[cfg(feature = "std")]
pub use cache::{Cache, CacheConfig, Cached, Entry as CacheEntry};
pub use error::Error;
#[cfg(feature = "std")]
pub use hosts::{Hosts, DEFAULT_PATH as HOSTS_PATH};
pub use iterative::{Infra, IterConfig, Iterative, Outcome, ServFail, Step, TraceEvent};
#[cfg(feature = "std")]
pub use pipeline::{Answer, Begin, NetworkLookup, Pipeline, Source, Upstream};
pub use query::{Mismatch, Outstanding};
pub use resolv_conf::{ResolvConf, DEFAULT_PATH as RESOLV_CONF_PATH};
pub use root_hints::{RootHints, DEFAULT_PATH as ROOT_HINTS_PATH};
pub use stub::Stub;
pub use trace::TraceStep;
