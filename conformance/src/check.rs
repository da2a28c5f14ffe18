//! The one way a case asserts.
//!
//! Every check returns [`Checked`]: `Ok(())` when it holds, `Err(reason)` when
//! it does not, the reason naming what was compared and both values. A case
//! body strings checks together with `?` and returns the last one; the
//! builder turns `Err` into [`Outcome::Fail`](crate::Outcome::Fail). A body
//! that can also skip returns an [`Outcome`](crate::Outcome) and converts with
//! `.into()`. No `assert!` in a body: a panic is caught and reported, but its
//! message says less than a check's reason.
//!
//! ```
//! use handshake_conformance::check::{self, Checked};
//!
//! fn body() -> Checked {
//!     let bytes = check::unhex("4500");
//!     check::equal("version nibble", bytes[0] >> 4, 4)?;
//!     check::hex("first two bytes", &bytes, "4500")?;
//!     check::error("a bad digit", "x".parse::<u8>(), "an invalid digit", |_| true)
//! }
//! assert!(body().is_ok());
//! ```

use std::fmt::Debug;

/// A check's verdict: `Ok` holds, `Err` says why not.
pub type Checked = Result<(), String>;

/// Holds when `cond` does; else fails with `reason()`.
pub fn ensure(cond: bool, reason: impl FnOnce() -> String) -> Checked {
    if cond {
        Ok(())
    } else {
        Err(reason())
    }
}

/// Holds when `got == want`; else fails naming `what` and both values.
pub fn equal<T: PartialEq + Debug>(what: &str, got: T, want: T) -> Checked {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

/// Holds when `got` is the bytes the hex string `want` spells.
pub fn hex(what: &str, got: &[u8], want: &str) -> Checked {
    let got = ::hex::encode(got);
    if got.eq_ignore_ascii_case(want) {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want {want}"))
    }
}

/// Holds when `got` is an error that `is_it` accepts; else fails naming `want`.
pub fn error<T: Debug, E: Debug>(
    what: &str,
    got: Result<T, E>,
    want: &str,
    is_it: impl FnOnce(&E) -> bool,
) -> Checked {
    match got {
        Err(e) if is_it(&e) => Ok(()),
        other => Err(format!("{what}: expected {want}, got {other:?}")),
    }
}

/// `got` is exactly the error `want`, every field included.
pub fn refused<T: Debug, E: Debug + PartialEq>(got: Result<T, E>, want: E) -> Checked {
    match got {
        Err(e) if e == want => Ok(()),
        other => Err(format!("expected {want:?}, got {other:?}")),
    }
}

/// The bytes a hex string spells (case vectors are written in hex).
///
/// # Panics
/// On a malformed string: a vector is a constant of the case, so this is a
/// bug in the case, reported as its failure.
pub fn unhex(s: &str) -> Vec<u8> {
    ::hex::decode(s).expect("case vectors are valid hex")
}

/// [`unhex`] into a fixed-size array.
///
/// # Panics
/// On a malformed string or one of the wrong length.
pub fn unhex_array<const N: usize>(s: &str) -> [u8; N] {
    unhex(s)
        .try_into()
        .unwrap_or_else(|v: Vec<u8>| panic!("vector has {} bytes, want {N}", v.len()))
}

/// Holds when `$got` is an `Err` matching the pattern; else fails quoting the
/// pattern and what came instead: `expect_error!(parse(b), Error::Truncated { need: 8, .. })`.
#[macro_export]
macro_rules! expect_error {
    ($got:expr, $($pattern:tt)+) => {
        $crate::check::error(
            stringify!($got),
            $got,
            stringify!($($pattern)+),
            |e| matches!(e, $($pattern)+),
        )
    };
}
