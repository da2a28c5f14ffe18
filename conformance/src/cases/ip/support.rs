//! Helpers shared by the cases of more than one group (no cases here).

use crate::Outcome;
use handshake_ip::Error;

/// Pass when `got` is an error matching `pred`, else fail naming `want`.
pub(crate) fn expect_err<T: std::fmt::Debug>(
    got: Result<T, Error>,
    want: &str,
    pred: impl Fn(&Error) -> bool,
) -> Outcome {
    match got {
        Err(e) if pred(&e) => Outcome::Pass,
        other => Outcome::Fail(format!("expected {want}, got {other:?}")),
    }
}
