//! `tcp.seq.*`: Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).

use crate::{check, check_property, Case};
use handshake_tcp::wire::SeqNumber;
use proptest::prelude::*;

/// The `tcp.seq.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        // ---- sequence numbers ----
        Case::must("tcp.seq.wraparound", "RFC 9293 §3.4").vector(|_| {
            let a = SeqNumber(0xffff_fff0);
            let b = a + 0x20;
            let ok = b == SeqNumber(0x10)
                && a < b
                && b.partial_cmp(&a) == Some(std::cmp::Ordering::Greater)
                && b - a == 0x20
                && a - b == -0x20
                && (b - 1).in_window(a, 0x20)
                && !b.in_window(a, 0x20)
                && SeqNumber(0).partial_cmp(&SeqNumber(0x8000_0000)).is_none();
            check::ensure(ok, || format!("a {a:?} b {b:?}"))
        }),
        Case::must("tcp.seq.modular-order", "RFC 9293 §3.4").property(|ctx| {
            check_property(ctx, (any::<u32>(), 1u32..0x8000_0000), |(x, n)| {
                let a = SeqNumber(x);
                let b = a + n;
                prop_assert!(a < b && a != b);
                prop_assert_eq!(b.partial_cmp(&a), Some(std::cmp::Ordering::Greater));
                prop_assert_eq!(b - a, n as i32);
                prop_assert_eq!(a.max(b), b);
                prop_assert!(a.in_window(a, n) && !b.in_window(a, n));
                Ok(())
            })
        }),
    ]
}
