//! `crypto.ct.*`: Constant-time comparison.

use crate::{check_property, Case};
use handshake_crypto::ct_eq;
use proptest::prelude::*;

/// The `crypto.ct.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "crypto.ct.eq",
        "RFC 5246 §6.2.3.2 (MACs compared without early exit)",
    )
    .property(|ctx| {
        check_property(
            ctx,
            (
                proptest::collection::vec(any::<u8>(), 1..64),
                any::<usize>(),
                1u8..=255,
            ),
            |(a, i, x)| {
                prop_assert!(ct_eq(&a, &a.clone()));
                let mut b = a.clone();
                b[i % a.len()] ^= x;
                prop_assert!(!ct_eq(&a, &b));
                prop_assert!(!ct_eq(&a, &a[..a.len() - 1]));
                Ok(())
            },
        )
    })]
}
