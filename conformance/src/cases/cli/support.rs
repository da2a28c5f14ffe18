//! Helpers the `cli.*` groups share.

use std::time::Duration;

use crate::check::{self, Checked};
use crate::peers::cli::{self, Run};

/// How long one run of the binary may take.
pub(super) const T: Duration = Duration::from_secs(60);

/// Runs `handshake ARGS`, which must fail: a non-zero exit, exactly one
/// line on stderr, `handshake: ` first, no panic or backtrace, and
/// `want` in the line. Returns the line.
pub(super) fn fails_with(args: &[&str], want: &str) -> Result<String, String> {
    let r: Run = cli::run(args, T)?;
    check::ensure(!r.success, || {
        format!("handshake {args:?} succeeded: {}", r.stdout)
    })?;
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    check::equal("stderr lines", lines.len(), 1).map_err(|e| format!("{e}: {:?}", r.stderr))?;
    let line = lines[0];
    check::ensure(line.starts_with("handshake: "), || {
        format!("stderr: {line:?}")
    })?;
    check::ensure(
        !line.contains("panicked") && !line.contains("RUST_BACKTRACE"),
        || format!("a panic: {line:?}"),
    )?;
    check::ensure(line.contains(want), || {
        format!("{line:?} does not say {want:?}")
    })?;
    Ok(line.to_string())
}

/// [`fails_with`] as a check.
pub(super) fn fails(args: &[&str], want: &str) -> Checked {
    fails_with(args, want).map(|_| ())
}
