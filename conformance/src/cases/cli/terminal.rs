//! `cli.terminal.*`: colour and the progress bar only on a terminal. The
//! binary runs under `script(1)` (util-linux), which gives it a
//! pseudo-terminal and records what it writes there; the same fetch with
//! plain pipes, and under the terminal with `NO_COLOR` (no-color.org), must
//! write no escape sequence at all.

use super::support::T;
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch, Serve};
use crate::peers::tls_tool::ToolPeer;
use crate::{Case, Need};

/// A body large enough for the bar (it starts at 1 MiB).
const BODY: usize = 4 << 20;

/// What `handshake ARGS` wrote to a pseudo-terminal (stdout and stderr
/// both land there), with `env` set.
fn on_terminal(args: &[String], env: &str) -> Result<String, String> {
    let bin = cli::binary()?;
    let command = format!("{env} {} {}", bin.display(), args.join(" "));
    let script = [
        "-q".to_string(),
        "-e".to_string(),
        "-c".to_string(),
        command,
        "/dev/null".to_string(),
    ];
    let mut peer = ToolPeer::program("script", &script, ToolPeer::scratch("pty")?)?;
    if !peer.wait_exit(T) {
        return Err(format!("script did not finish in {T:?}"));
    }
    let (ok, out, err) = peer.into_output();
    check::ensure(ok, || format!("under a terminal it failed: {out} {err}"))?;
    Ok(out)
}

fn colour_and_progress_only_on_a_terminal() -> Checked {
    let body: Vec<u8> = (0..BODY).map(|i| (i % 251) as u8).collect();
    let serve = Serve::start(&[("big.bin", &body)], None)?;
    let out = Scratch::new("terminal")?;
    let url = format!("http://127.0.0.1:{}/big.bin", serve.http);
    let args = |file: &str| -> Vec<String> {
        vec![
            "fetch".into(),
            "--trace".into(),
            url.clone(),
            "-o".into(),
            out.path(file),
        ]
    };
    // A terminal: the ladder's layers in colour (SGR, ESC [ ... m) and the
    // bar's "received/total" drawn at least once.
    let tty = on_terminal(&args("a"), "")?;
    check::ensure(tty.contains("\u{1b}[1m") && tty.contains("TCP"), || {
        format!("no colour on a terminal: {:?}", &tty[..tty.len().min(300)])
    })?;
    check::ensure(tty.contains("/4.00 MiB"), || {
        format!(
            "no progress bar on a terminal: {:?}",
            &tty[..tty.len().min(300)]
        )
    })?;
    check::equal("body over a terminal", out.read("a")?.len(), BODY)?;
    // NO_COLOR under the terminal: neither.
    let plain_tty = on_terminal(&args("b"), "NO_COLOR=1")?;
    check::ensure(!plain_tty.contains('\u{1b}'), || {
        format!("escape codes despite NO_COLOR: {plain_tty:?}")
    })?;
    // Pipes: neither, and the same ladder.
    let a = args("c");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = cli::run(&a, T)?;
    check::ensure(r.success, || format!("fetch failed: {}", r.stderr))?;
    check::ensure(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains("MiB"),
        || format!("escape codes or a bar on a pipe: {:?}", r.stderr),
    )?;
    check::ensure(r.stderr.contains("GET /big.bin HTTP/1.1"), || {
        format!("no ladder on the pipe: {:?}", r.stderr)
    })?;
    check::equal("body over pipes", out.read("c")?.len(), BODY)?;
    Ok(())
}

/// The same through our own TCP/IP (`--via tun`): on a terminal the bar
/// counts the body our stack receives, the ladder is in colour and shows
/// the TUN path's real segments; on pipes neither, and the same body.
fn progress_via_tun() -> Checked {
    let body: Vec<u8> = (0..BODY).map(|i| (i % 247) as u8).collect();
    let serve = Serve::start(&[("big.bin", &body)], None)?;
    let out = Scratch::new("terminal-tun")?;
    let url = format!("http://127.0.0.1:{}/big.bin", serve.http);
    let args = |file: &str| -> Vec<String> {
        [
            "fetch",
            "--via",
            "tun",
            "--trace",
            &url,
            "-o",
            &out.path(file),
        ]
        .map(String::from)
        .to_vec()
    };
    let tty = on_terminal(&args("a"), "")?;
    let head = &tty[..tty.len().min(300)];
    check::ensure(tty.contains("\u{1b}[1m") && tty.contains("SYN"), || {
        format!("no colour or no TUN segments on a terminal: {head:?}")
    })?;
    check::ensure(tty.contains("/4.00 MiB"), || {
        format!("no progress bar on a terminal: {head:?}")
    })?;
    check::ensure(out.read("a")? == body, || {
        "the body over a terminal differs".into()
    })?;
    let a = args("b");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let r = cli::run(&a, T)?;
    check::ensure(r.success, || format!("fetch failed: {}", r.stderr))?;
    check::ensure(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains("MiB"),
        || format!("escape codes or a bar on a pipe: {:?}", r.stderr),
    )?;
    check::ensure(out.read("b")? == body, || {
        "the body over pipes differs".into()
    })
}

/// The `cli.terminal.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::should(
            "cli.terminal.colour-and-progress-only-on-a-terminal",
            "no-color.org (NO_COLOR); IEEE Std 1003.1-2017 XSH isatty()",
        )
        .interop_os(|_| colour_and_progress_only_on_a_terminal()),
        Case::should(
            "cli.terminal.progress-via-tun",
            "no-color.org (NO_COLOR); IEEE Std 1003.1-2017 XSH isatty()",
        )
        .needs(&[Need::NetAdmin])
        .interop_os(|_| progress_via_tun()),
    ]
}
