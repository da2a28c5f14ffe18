//! `tls.coverage.*`: RFC 8446's requirement table (see [`crate::coverage`]).
//! The case fails when a MUST row is a gap not on the list of known gaps
//! below, when a listed gap has been closed (so the list only shrinks), or
//! when the table names a case id that no longer exists.
//!
//! The list is empty: every MUST row of the table has its case (or is
//! not applicable, with the reason). A new gap fails the case until it is
//! closed or listed here.

use crate::{coverage, Case};

/// RFC 8446 MUST rows with no case yet, by row id.
const KNOWN_MUST_GAPS: &[&str] = &[];

/// The `tls.coverage.*` case.
pub(crate) fn cases() -> Vec<Case> {
    let table = coverage::find("rfc8446").expect("the RFC 8446 table");
    vec![Case::must(
        "tls.coverage.rfc8446",
        "RFC 8446 (every MUST covered, not applicable or a known gap)",
    )
    .vector(move |_| coverage::complete(table, KNOWN_MUST_GAPS, &crate::all_cases()))]
}
