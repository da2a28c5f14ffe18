//! `tcp.script.<name>.{ours,kernel}`: the scripts of fixtures/tcp/scripts
//! played against our stack (simulated clock) and against the Linux
//! kernel (through TUN in a namespace of the case's own). A divergence
//! fails the case with the line, what differed, and both stacks' traces
//! (kept under target/conformance/pcap/<case>/ with the kernel's capture).

use std::time::Duration;

use handshake_tcp::conn::Config;

use crate::script::ours::Ours;
use crate::script::parse::{parse, Script};
use crate::script::{play, Report};
use crate::{Case, Ctx, Kind, Level, Need, Outcome};

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

macro_rules! scripts {
    ($($file:literal => $ours:ident, $kernel:ident;)*) => {
        $(
            fn $ours(ctx: &mut Ctx) -> Outcome {
                run_ours(ctx, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tcp/scripts/", $file, ".pkt")))
            }
            fn $kernel(ctx: &mut Ctx) -> Outcome {
                run_kernel(ctx, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tcp/scripts/", $file, ".pkt")))
            }
        )*

        /// Every script's name and text.
        pub fn all_scripts() -> Vec<(&'static str, &'static str)> {
            vec![$(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tcp/scripts/", $file, ".pkt")))),*]
        }

        /// Two cases per script: our stack and the kernel.
        pub(crate) fn cases() -> Vec<Case> {
            let mut v = Vec::new();
            $(
                let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tcp/scripts/", $file, ".pkt"));
                let (spec, level) = header(text);
                v.push(Case { id: concat!("tcp.script.", $file, ".ours"), spec, level, kind: Kind::Simulation, needs: &[], run: $ours });
                v.push(Case { id: concat!("tcp.script.", $file, ".kernel"), spec, level, kind: Kind::InteropOs, needs: KERNEL_NEEDS, run: $kernel });
            )*
            v
        }
    };
}

/// The spec and level a script declares (leaked once: cases live for the run).
fn header(text: &str) -> (&'static str, Level) {
    match parse(text) {
        Ok(s) => {
            let level = match s.level.as_str() {
                "should" => Level::Should,
                "may" => Level::May,
                _ => Level::Must,
            };
            (Box::leak(s.spec.into_boxed_str()), level)
        }
        Err(_) => ("(script does not parse)", Level::Must),
    }
}

scripts! {
    "abort-sends-rst" => abort_sends_rst_ours, abort_sends_rst_kernel;
    "ack-of-unsent-data" => ack_of_unsent_data_ours, ack_of_unsent_data_kernel;
    "close-active" => close_active_ours, close_active_kernel;
    "close-passive" => close_passive_ours, close_passive_kernel;
    "close-simultaneous" => close_simultaneous_ours, close_simultaneous_kernel;
    "data-in-order" => data_in_order_ours, data_in_order_kernel;
    "data-out-of-order-dupack" => data_out_of_order_dupack_ours, data_out_of_order_dupack_kernel;
    "data-send-acked" => data_send_acked_ours, data_send_acked_kernel;
    "fast-retransmit" => fast_retransmit_ours, fast_retransmit_kernel;
    "fin-with-data" => fin_with_data_ours, fin_with_data_kernel;
    "half-close-receive" => half_close_receive_ours, half_close_receive_kernel;
    "handshake-active" => handshake_active_ours, handshake_active_kernel;
    "handshake-active-default-mss" => handshake_active_default_mss_ours, handshake_active_default_mss_kernel;
    "handshake-passive" => handshake_passive_ours, handshake_passive_kernel;
    "handshake-passive-options" => handshake_passive_options_ours, handshake_passive_options_kernel;
    "listen-ack-draws-rst" => listen_ack_draws_rst_ours, listen_ack_draws_rst_kernel;
    "listen-rst-ignored" => listen_rst_ignored_ours, listen_rst_ignored_kernel;
    "retransmit-rto-backoff" => retransmit_rto_backoff_ours, retransmit_rto_backoff_kernel;
    "rst-ack-to-closed-port" => rst_ack_to_closed_port_ours, rst_ack_to_closed_port_kernel;
    "rst-established-resets" => rst_established_resets_ours, rst_established_resets_kernel;
    "rst-in-window-challenge-ack" => rst_in_window_challenge_ack_ours, rst_in_window_challenge_ack_kernel;
    "rst-out-of-window-ignored" => rst_out_of_window_ignored_ours, rst_out_of_window_ignored_kernel;
    "rst-syn-to-closed-port" => rst_syn_to_closed_port_ours, rst_syn_to_closed_port_kernel;
    "send-window-limited" => send_window_limited_ours, send_window_limited_kernel;
    "simultaneous-open" => simultaneous_open_ours, simultaneous_open_kernel;
    "syn-in-established-challenge-ack" => syn_in_established_challenge_ack_ours, syn_in_established_challenge_ack_kernel;
    "syn-retransmit" => syn_retransmit_ours, syn_retransmit_kernel;
    "synack-retransmit" => synack_retransmit_ours, synack_retransmit_kernel;
    "synrecv-dup-syn" => synrecv_dup_syn_ours, synrecv_dup_syn_kernel;
    "synrecv-rst-back-to-listen" => synrecv_rst_back_to_listen_ours, synrecv_rst_back_to_listen_kernel;
    "synsent-bad-ack-draws-rst" => synsent_bad_ack_draws_rst_ours, synsent_bad_ack_draws_rst_kernel;
    "synsent-rst-refused" => synsent_rst_refused_ours, synsent_rst_refused_kernel;
    "time-wait-acks-fin-again" => time_wait_acks_fin_again_ours, time_wait_acks_fin_again_kernel;
    "zero-window-probe" => zero_window_probe_ours, zero_window_probe_kernel;
}
