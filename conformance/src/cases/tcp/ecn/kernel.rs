use crate::Case;

pub(crate) fn cases() -> Vec<Case> {
    Vec::new()
}
