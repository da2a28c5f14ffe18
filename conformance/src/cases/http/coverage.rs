//! `http.coverage.*`: RFC 9112's requirement table (see [`crate::coverage`]):
//! fails when a MUST row is a gap not on the known list below, when a known
//! gap has been closed (so the list only shrinks), or when the table names a
//! case that no longer exists.

use crate::coverage;
use crate::Case;

/// MUST rows with no case yet (none today).
const KNOWN_MUST_GAPS: &[&str] = &[];

/// The `http.coverage.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "http.coverage.rfc9112",
        "RFC 9112 (every MUST covered, not applicable or a listed deviation)",
    )
    .vector(|_| coverage::complete(&coverage::RFC9112, KNOWN_MUST_GAPS, &crate::all_cases()))]
}
