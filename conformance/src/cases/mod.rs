//! The cases, one module per crate. Each module exposes `cases()`.

use crate::Case;

/// Appends every case of every crate to `all`.
pub(crate) fn register(all: &mut Vec<Case>) {
    let _ = all;
}
