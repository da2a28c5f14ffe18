//! `link.coverage.*`: the requirement tables of RFC 826, RFC 4861 and
//! RFC 4862 §5.4 (see [`crate::coverage`]): each fails when a MUST row is a
//! gap not on its known list, when a known gap has been closed, or when the
//! table names a case that no longer exists.

use crate::coverage::{self, Table};
use crate::Case;

/// MUST rows with no case yet (none: MLD joins closed the last two).
const RFC4861_GAPS: &[&str] = &[];
const RFC4862_GAPS: &[&str] = &[];

fn table_case(
    id: &'static str,
    spec: &'static str,
    table: &'static Table,
    gaps: &'static [&'static str],
) -> Case {
    Case::must(id, spec).vector(move |_| coverage::complete(table, gaps, &crate::all_cases()))
}

/// The `link.coverage.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        table_case(
            "link.coverage.rfc826",
            "RFC 826 (every step covered or a listed deviation)",
            &coverage::RFC826,
            &[],
        ),
        table_case(
            "link.coverage.rfc4861",
            "RFC 4861 (every MUST covered, not applicable or a listed gap)",
            &coverage::RFC4861,
            RFC4861_GAPS,
        ),
        table_case(
            "link.coverage.rfc4862",
            "RFC 4862 §5.4 (every MUST covered or a listed gap)",
            &coverage::RFC4862,
            RFC4862_GAPS,
        ),
    ]
}
