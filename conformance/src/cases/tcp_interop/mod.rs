//! Our TCP against the Linux kernel's, through a TUN device in a network
//! namespace of the case's own (`tcp.interop.*`, Kind::InteropOs).
//!
//! Each case builds a fresh namespace (kernel at 192.0.2.1, us at
//! 192.0.2.2), runs, and leaves a capture under
//! target/conformance/pcap/<case>/ when it fails (or with `--pcap`); tshark
//! re-reads every capture and a malformed packet or bad checksum fails the
//! case. Off Linux the cases skip.

use crate::{Case, Ctx, Kind, Level, Need, Outcome};

/// CAP_NET_ADMIN and /dev/net/tun for the namespace, tshark to re-read the capture.
const NEEDS: &[Need] = &[Need::NetAdmin, crate::peers::tshark::NEED];

#[cfg(target_os = "linux")]
mod close;
#[cfg(target_os = "linux")]
mod data;
#[cfg(target_os = "linux")]
mod handshake;
#[cfg(target_os = "linux")]
mod loss;

/// Declares wrappers that run the Linux implementation or skip elsewhere.
macro_rules! interop {
    ($($module:ident :: $name:ident),* $(,)?) => {
        $(
            fn $name(ctx: &mut Ctx) -> Outcome {
                #[cfg(target_os = "linux")]
                {
                    $module::$name(ctx)
                }
                #[cfg(not(target_os = "linux"))]
                {
                    let _ = ctx;
                    Outcome::Skip("kernel interop needs Linux network namespaces and TUN".into())
                }
            }
        )*
    };
}

interop!(
    handshake::options_client,
    handshake::options_server,
    handshake::syn_retransmit,
    handshake::synack_retransmit,
    handshake::rst_closed_port,
    handshake::refused_by_us,
    data::sizes_to_kernel,
    data::sizes_from_kernel,
    data::bulk_to_kernel,
    data::bulk_from_kernel,
    data::zero_window_kernel_receiver,
    data::zero_window_our_receiver,
    close::half_close_ours,
    close::half_close_kernel,
    close::active_close_ours,
    close::active_close_kernel,
    close::simultaneous_close,
    close::our_abort,
    close::kernel_abort,
    loss::kernel_fast_retransmit,
    loss::our_fast_retransmit,
    loss::rto_backoff,
);

fn c(id: &'static str, spec: &'static str, level: Level, run: fn(&mut Ctx) -> Outcome) -> Case {
    Case {
        id,
        spec,
        level,
        kind: Kind::InteropOs,
        needs: NEEDS,
        run,
    }
}

/// The kernel interop cases.
pub(crate) fn cases() -> Vec<Case> {
    use Level::*;
    vec![
        c(
            "tcp.interop.handshake-options-client",
            "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
            Must,
            options_client,
        ),
        c(
            "tcp.interop.handshake-options-server",
            "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
            Must,
            options_server,
        ),
        c(
            "tcp.interop.syn-retransmit",
            "RFC 9293 §3.8.1, RFC 6298 §2.1, §5.5",
            Must,
            syn_retransmit,
        ),
        c(
            "tcp.interop.synack-retransmit",
            "RFC 9293 §3.8.1, §3.10.7.2, RFC 6298 §5.5",
            Must,
            synack_retransmit,
        ),
        c(
            "tcp.interop.rst-closed-port",
            "RFC 9293 §3.10.7.1, §3.10.7.3 (RST in SYN-SENT)",
            Must,
            rst_closed_port,
        ),
        c(
            "tcp.interop.refused-by-us",
            "RFC 9293 §3.10.7.1 (segment to CLOSED answered by RST)",
            Must,
            refused_by_us,
        ),
        c(
            "tcp.interop.data-sizes-to-kernel",
            "RFC 9293 §3.8.6, §3.9.1.2 (SEND)",
            Must,
            sizes_to_kernel,
        ),
        c(
            "tcp.interop.data-sizes-from-kernel",
            "RFC 9293 §3.8.6, §3.9.1.3 (RECEIVE)",
            Must,
            sizes_from_kernel,
        ),
        c(
            "tcp.interop.bulk-64mib-to-kernel",
            "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
            Must,
            bulk_to_kernel,
        ),
        c(
            "tcp.interop.bulk-64mib-from-kernel",
            "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
            Must,
            bulk_from_kernel,
        ),
        c(
            "tcp.interop.zero-window-kernel-receiver",
            "RFC 9293 §3.8.6.1 MUST-35, MUST-36, RFC 1122 §4.2.2.17",
            Must,
            zero_window_kernel_receiver,
        ),
        c(
            "tcp.interop.zero-window-our-receiver",
            "RFC 9293 §3.8.6.1 MUST-37 (receiver keeps answering probes)",
            Must,
            zero_window_our_receiver,
        ),
        c(
            "tcp.interop.half-close-ours",
            "RFC 9293 §3.6, §3.10.4 (CLOSE: half-close)",
            Must,
            half_close_ours,
        ),
        c(
            "tcp.interop.half-close-kernel",
            "RFC 9293 §3.6, §3.10.7.4 (FIN: CLOSE-WAIT keeps sending)",
            Must,
            half_close_kernel,
        ),
        c(
            "tcp.interop.active-close-ours",
            "RFC 9293 §3.6, §3.6.1 MUST-13 (TIME-WAIT on the closing side)",
            Must,
            active_close_ours,
        ),
        c(
            "tcp.interop.active-close-kernel",
            "RFC 9293 §3.6 (passive close: LAST-ACK, no TIME-WAIT)",
            Must,
            active_close_kernel,
        ),
        c(
            "tcp.interop.simultaneous-close",
            "RFC 9293 §3.6 figure 13 (CLOSING, both TIME-WAIT)",
            Must,
            simultaneous_close,
        ),
        c(
            "tcp.interop.our-abort-econnreset",
            "RFC 9293 §3.10.5 (ABORT sends RST), §3.10.7.4 (RST: connection reset)",
            Must,
            our_abort,
        ),
        c(
            "tcp.interop.kernel-abort-reset",
            "RFC 9293 §3.10.7.4 (RST in ESTABLISHED)",
            Must,
            kernel_abort,
        ),
        c(
            "tcp.interop.kernel-fast-retransmit",
            "RFC 5681 §3.2, §4.2 (immediate duplicate ACKs), RFC 2018 §4",
            Must,
            kernel_fast_retransmit,
        ),
        c(
            "tcp.interop.our-fast-retransmit",
            "RFC 5681 §3.2, RFC 6675 §5",
            Must,
            our_fast_retransmit,
        ),
        c(
            "tcp.interop.rto-backoff",
            "RFC 6298 §5.5 (back off the timer), RFC 9293 §3.8.1",
            Must,
            rto_backoff,
        ),
    ]
}
