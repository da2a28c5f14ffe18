//! `tls.coverage.*`: RFC 8446's requirement table (see [`crate::coverage`]).
//! The case fails when a MUST row is a gap not on the list of known gaps
//! below, when a listed gap has been closed (so the list only shrinks), or
//! when the table names a case id that no longer exists.
//!
//! The known gaps are real: `--coverage rfc8446` counts them as gaps. They
//! are the rest of the TLS issue (#15); listing them here keeps a new gap
//! from hiding among them.

use crate::{coverage, Case};

/// RFC 8446 MUST rows with no case yet, by row id.
const KNOWN_MUST_GAPS: &[&str] = &["5.3-wrap", "5.5-limits", "6.1-after-close"];

/// The `tls.coverage.*` case.
pub(crate) fn cases() -> Vec<Case> {
    let table = coverage::find("rfc8446").expect("the RFC 8446 table");
    vec![Case::must(
        "tls.coverage.rfc8446",
        "RFC 8446 (every MUST covered, not applicable or a known gap)",
    )
    .vector(move |_| coverage::complete(table, KNOWN_MUST_GAPS, &crate::all_cases()))]
}
