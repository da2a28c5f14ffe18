//! Handshake's conformance suite.
//!
//! A [`Case`] is data plus a closure: an id that begins with the crate it
//! tests, the RFC requirement it checks, a [`Level`], a [`Kind`], what it
//! [`Need`]s from the machine, and a body returning an [`Outcome`]; one
//! builder makes every case ([`Case::must`], [`Case::should`], [`Case::may`]).
//! The cases live in `src/cases/<crate>/<group>.rs`, each file holding exactly
//! the cases `<crate>.<group>.*`; [`check`] is how their bodies assert.
//! `cargo xtask conformance` runs them, reports by requirement and writes
//! JSON, JUnit and Markdown reports (see the README).
//!
//! ```
//! use handshake_conformance::{all_cases, Ctx};
//! for case in all_cases() {
//!     assert!(case.id().starts_with(case.krate()));
//! }
//! let _ = Ctx::new(1);
//! ```

mod case;
pub mod cases;
pub mod check;
pub mod coverage;
pub mod peers;
mod property;
pub mod script;

pub use case::{Body, Case, CaseBuilder, Ctx, Kind, Level, Need, Outcome, Row};
pub use property::check_property;

/// Every case in the suite, in a stable order (by crate, then as registered).
pub fn all_cases() -> Vec<Case> {
    let mut all = Vec::new();
    cases::register(&mut all);
    all
}
