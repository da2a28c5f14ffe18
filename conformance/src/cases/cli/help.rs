//! `cli.help.*`: every subcommand answers `--help` with its usage on
//! stdout and exit status 0.

use crate::check::{self, Checked};
use crate::peers::cli;
use crate::Case;

fn every_subcommand() -> Checked {
    for sub in [
        &[][..],
        &["fetch"],
        &["serve"],
        &["resolve"],
        &["tls"],
        &["completions"],
    ] {
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

/// `handshake completions bash`, sourced by bash itself: the function it
/// registers completes `handshake` and offers every subcommand.
fn bash_completions() -> Checked {
    let r = cli::run(&["completions", "bash"], super::support::T)?;
    check::ensure(r.success, || format!("completions failed: {}", r.stderr))?;
    let dir = crate::peers::tls_tool::scratch_dir("completions")?;
    let script = dir.join("handshake.bash");
    std::fs::write(&script, &r.stdout).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p handshake && COMP_WORDS=(handshake '') && \
             COMP_CWORD=1 && COMP_LINE='handshake ' && COMP_POINT=10 && \
             _handshake handshake '' handshake && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .map_err(|e| format!("bash: {e}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    check::ensure(out.status.success(), || {
        format!(
            "bash could not load the script: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let offered: Vec<&str> = said.lines().skip(1).collect();
    for sub in ["fetch", "serve", "resolve", "tls", "completions"] {
        check::ensure(offered.contains(&sub), || {
            format!("bash offers {offered:?} after `handshake `, not {sub}")
        })?;
    }
    Ok(())
}

/// The `cli.help.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "cli.help.every-subcommand",
            "IEEE Std 1003.1-2017 XBD §12.1 (utility argument syntax)",
        )
        .interop_os(|_| every_subcommand()),
        Case::should(
            "cli.help.bash-completions",
            "Bash Reference Manual §8.6 (Programmable Completion)",
        )
        .interop_os(|_| bash_completions()),
    ]
}
