//! `tcp.script.<name>.{ours,kernel}`: the scripts of fixtures/tcp/scripts
//! played against our stack (simulated clock) and against the Linux
//! kernel (through TUN in a namespace of the case's own). A divergence
//! fails the case with the line, what differed, and both stacks' traces
//! (kept under `target/conformance/pcap/<case>/` with the kernel's capture).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use handshake_tcp::conn::Config;

use crate::script::ours::Ours;
use crate::script::parse::{parse, Script};
use crate::script::{play, Report};
use crate::{Case, Ctx, Level, Need, Outcome};

/// How far the kernel may stray from a script's times (scheduling jitter).
const KERNEL_TOLERANCE: Duration = Duration::from_millis(30);

fn ours_report(ctx: &Ctx, script: &Script) -> Report {
    let mut ours = Ours::new(Config::default(), ctx.seed);
    play(script, &mut ours, Duration::ZERO)
}

fn describe(r: &Report) -> String {
    match &r.divergence {
        Some((line, msg)) => format!("{} diverges at line {line}: {msg}", r.stack),
        None => format!("{} follows the script", r.stack),
    }
}

fn save(ctx: &Ctx, reports: &[&Report]) -> String {
    let _ = std::fs::create_dir_all(&ctx.artifacts);
    let mut names = Vec::new();
    for r in reports {
        let path = ctx.artifacts.join(format!("{}.trace", r.stack));
        let _ = std::fs::write(&path, r.trace_text());
        names.push(path.display().to_string());
    }
    names.join(", ")
}

fn run_ours(ctx: &mut Ctx, text: &str) -> Outcome {
    let script = match parse(text) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("script: {e}")),
    };
    let r = ours_report(ctx, &script);
    if r.divergence.is_none() {
        return Outcome::Pass;
    }
    let files = save(ctx, &[&r]);
    Outcome::Fail(format!(
        "{}\ntrace:\n{}\n(traces: {files})",
        describe(&r),
        r.trace_text()
    ))
}

#[cfg(target_os = "linux")]
fn run_kernel(ctx: &mut Ctx, text: &str) -> Outcome {
    use crate::script::kernel::Kernel;
    let script = match parse(text) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(format!("script: {e}")),
    };
    let mut k = match Kernel::new(ctx.seed) {
        Ok(k) => k,
        Err(e) if e.is_unsupported() => return Outcome::Skip(e.to_string()),
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let r = play(&script, &mut k, KERNEL_TOLERANCE);
    let pcap = ctx.artifacts.join("kernel.pcap");
    let mut verdict = r.divergence.is_none();
    let mut tshark_err = None;
    if let Some(cap) = k.link().capture() {
        if cap.write(&pcap).is_ok() && crate::peers::tshark::NEED.missing().is_none() {
            if let Err(e) = crate::peers::kernel::tshark_clean(&pcap) {
                verdict = false;
                tshark_err = Some(e);
            }
        }
    }
    drop(k);
    if verdict {
        if !ctx.keep_pcaps {
            let _ = std::fs::remove_dir_all(&ctx.artifacts);
        }
        return Outcome::Pass;
    }
    let ours = ours_report(ctx, &script);
    let files = save(ctx, &[&r, &ours]);
    Outcome::Fail(format!(
        "{}{}\nkernel trace:\n{}\nour trace ({}):\n{}\n(traces: {files}; capture: {})",
        describe(&r),
        tshark_err.map(|e| format!("; {e}")).unwrap_or_default(),
        r.trace_text(),
        describe(&ours),
        ours.trace_text(),
        pcap.display()
    ))
}

#[cfg(not(target_os = "linux"))]
fn run_kernel(ctx: &mut Ctx, text: &str) -> Outcome {
    let _ = (ctx, text);
    Outcome::Skip("the kernel half needs Linux network namespaces and TUN".into())
}

const KERNEL_NEEDS: &[Need] = &[Need::NetAdmin, crate::peers::tshark::NEED];

/// The folder the scripts live in.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/tcp/scripts")
}

/// Every script's name (its file stem) and text, sorted by name: the folder
/// is listed at run time, so a new `.pkt` file is a new pair of cases.
pub fn all_scripts() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = std::fs::read_dir(scripts_dir())
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pkt"))
                .filter_map(|p| {
                    let name = p.file_stem()?.to_str()?.to_string();
                    let text = std::fs::read_to_string(&p).ok()?;
                    Some((name, text))
                })
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    all
}

/// Two cases per script: our stack and the kernel. A script that does not
/// parse still yields both, failing with the parser's error.
pub(crate) fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for (name, text) in all_scripts() {
        let (spec, level) = match parse(&text) {
            Ok(s) => {
                let level = match s.level.as_str() {
                    "should" => Level::Should,
                    "may" => Level::May,
                    _ => Level::Must,
                };
                (s.spec, level)
            }
            Err(_) => ("(script does not parse)".to_string(), Level::Must),
        };
        let text = Arc::new(text);
        let t = Arc::clone(&text);
        v.push(
            Case::with_level(level, format!("tcp.script.{name}.ours"), spec.clone())
                .simulation(move |ctx| run_ours(ctx, &t)),
        );
        v.push(
            Case::with_level(level, format!("tcp.script.{name}.kernel"), spec)
                .needs(KERNEL_NEEDS)
                .interop_os(move |ctx| run_kernel(ctx, &text)),
        );
    }
    v
}
