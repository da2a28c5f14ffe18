//! `cli.help.*`: every subcommand answers `--help` with its usage on
//! stdout and exit status 0.

use crate::check::{self, Checked};
use crate::peers::cli;
use crate::Case;

fn every_subcommand() -> Checked {
    for sub in [&[][..], &["fetch"], &["serve"], &["resolve"], &["tls"]] {
        let mut args: Vec<&str> = sub.to_vec();
        args.push("--help");
        let r = cli::run(&args, super::support::T)?;
        check::ensure(r.success, || {
            format!("handshake {args:?} failed: {}", r.stderr)
        })?;
        check::ensure(r.stdout.contains("Usage: handshake"), || {
            format!("handshake {args:?} printed no usage: {:?}", r.stdout)
        })?;
    }
    Ok(())
}

/// The `cli.help.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![Case::must(
        "cli.help.every-subcommand",
        "IEEE Std 1003.1-2017 XBD §12.1 (utility argument syntax)",
    )
    .interop_os(|_| every_subcommand())]
}
