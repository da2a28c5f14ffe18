//! `crypto.ct.*`: Constant-time comparison, and the timing detector's own check.

use super::support::{compare_t, early_exit_eq, report_leak};
use crate::{check_property, Case, Ctx, Outcome};
use handshake_crypto::ct_eq;
use proptest::prelude::*;

/// The dudect detector against a comparison known to leak: the early-exit
/// compare under exactly the settings of `crypto.rsa.timing-ct-compare`
/// (the same inputs, classes and number of measurements). Equal inputs are
/// compared to the end, inputs differing in the first byte stop at once, so a
/// detector with enough measurements reports |t| far above the limit.
fn detector_catches_early_exit(ctx: &mut Ctx) -> Outcome {
    // The leaky compare must still be a comparison, or the leak is not one.
    if !early_exit_eq(b"same", b"same") || early_exit_eq(b"same", b"sane") {
        return Outcome::Fail("the early-exit compare does not compare".into());
    }
    let t = compare_t(ctx, early_exit_eq);
    report_leak(
        ctx,
        "early-exit compare on 64 bytes, equal vs first byte differs",
        t,
    )
}

/// The `crypto.ct.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
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
        }),
        Case::must(
            "crypto.ct.timing-detector-catches-early-exit",
            "RFC 8017 §8.2.2 step 4, RFC 5246 §6.2.3.2 (what crypto.rsa.timing-ct-compare times): the dudect detector's self-check (Reparaz, Balasch, Verbauwhede 2017), an early-exit compare under the same settings gives |t| >= 2 x 10",
        )
        .alone()
        .property(detector_catches_early_exit),
    ]
}
