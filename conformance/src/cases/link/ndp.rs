//! `link.ndp.*`: IPv6 neighbour discovery.

use crate::Case;

/// The `link.ndp.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Vec::new()
}
