//! Our TCP against the Linux kernel's, through a TUN device in a network
//! namespace of the case's own (`tcp.interop.*`, Kind::InteropOs).
//!
//! Each case builds a fresh namespace (kernel at 192.0.2.1, us at
//! 192.0.2.2), runs, and leaves a capture under
//! target/conformance/pcap/<case>/ when it fails (or with `--pcap`); tshark
//! re-reads every capture and a malformed packet or bad checksum fails the
//! case. Off Linux the cases skip.

use crate::{Case, Ctx, Need, Outcome};

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

/// The kernel interop cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "tcp.interop.handshake-options-client",
            "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
        )
        .needs(NEEDS)
        .interop_os(options_client),
        Case::must(
            "tcp.interop.handshake-options-server",
            "RFC 9293 §3.7.1 MUST-14, RFC 7323 §1.3, §3.2, RFC 2018 §2",
        )
        .needs(NEEDS)
        .interop_os(options_server),
        Case::must(
            "tcp.interop.syn-retransmit",
            "RFC 9293 §3.8.1, RFC 6298 §2.1, §5.5",
        )
        .needs(NEEDS)
        .interop_os(syn_retransmit),
        Case::must(
            "tcp.interop.synack-retransmit",
            "RFC 9293 §3.8.1, §3.10.7.2, RFC 6298 §5.5",
        )
        .needs(NEEDS)
        .interop_os(synack_retransmit),
        Case::must(
            "tcp.interop.rst-closed-port",
            "RFC 9293 §3.10.7.1, §3.10.7.3 (RST in SYN-SENT)",
        )
        .needs(NEEDS)
        .interop_os(rst_closed_port),
        Case::must(
            "tcp.interop.refused-by-us",
            "RFC 9293 §3.10.7.1 (segment to CLOSED answered by RST)",
        )
        .needs(NEEDS)
        .interop_os(refused_by_us),
        Case::must(
            "tcp.interop.data-sizes-to-kernel",
            "RFC 9293 §3.8.6, §3.9.1.2 (SEND)",
        )
        .needs(NEEDS)
        .interop_os(sizes_to_kernel),
        Case::must(
            "tcp.interop.data-sizes-from-kernel",
            "RFC 9293 §3.8.6, §3.9.1.3 (RECEIVE)",
        )
        .needs(NEEDS)
        .interop_os(sizes_from_kernel),
        Case::must(
            "tcp.interop.bulk-64mib-to-kernel",
            "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
        )
        .needs(NEEDS)
        .interop_os(bulk_to_kernel),
        Case::must(
            "tcp.interop.bulk-64mib-from-kernel",
            "RFC 9293 §3.8.6, RFC 7323 §2 (window scale)",
        )
        .needs(NEEDS)
        .interop_os(bulk_from_kernel),
        Case::must(
            "tcp.interop.zero-window-kernel-receiver",
            "RFC 9293 §3.8.6.1 MUST-35, MUST-36, RFC 1122 §4.2.2.17",
        )
        .needs(NEEDS)
        .interop_os(zero_window_kernel_receiver),
        Case::must(
            "tcp.interop.zero-window-our-receiver",
            "RFC 9293 §3.8.6.1 MUST-37 (receiver keeps answering probes)",
        )
        .needs(NEEDS)
        .interop_os(zero_window_our_receiver),
        Case::must(
            "tcp.interop.half-close-ours",
            "RFC 9293 §3.6, §3.10.4 (CLOSE: half-close)",
        )
        .needs(NEEDS)
        .interop_os(half_close_ours),
        Case::must(
            "tcp.interop.half-close-kernel",
            "RFC 9293 §3.6, §3.10.7.4 (FIN: CLOSE-WAIT keeps sending)",
        )
        .needs(NEEDS)
        .interop_os(half_close_kernel),
        Case::must(
            "tcp.interop.active-close-ours",
            "RFC 9293 §3.6, §3.6.1 MUST-13 (TIME-WAIT on the closing side)",
        )
        .needs(NEEDS)
        .interop_os(active_close_ours),
        Case::must(
            "tcp.interop.active-close-kernel",
            "RFC 9293 §3.6 (passive close: LAST-ACK, no TIME-WAIT)",
        )
        .needs(NEEDS)
        .interop_os(active_close_kernel),
        Case::must(
            "tcp.interop.simultaneous-close",
            "RFC 9293 §3.6 figure 13 (CLOSING, both TIME-WAIT)",
        )
        .needs(NEEDS)
        .interop_os(simultaneous_close),
        Case::must(
            "tcp.interop.our-abort-econnreset",
            "RFC 9293 §3.10.5 (ABORT sends RST), §3.10.7.4 (RST: connection reset)",
        )
        .needs(NEEDS)
        .interop_os(our_abort),
        Case::must(
            "tcp.interop.kernel-abort-reset",
            "RFC 9293 §3.10.7.4 (RST in ESTABLISHED)",
        )
        .needs(NEEDS)
        .interop_os(kernel_abort),
        Case::must(
            "tcp.interop.kernel-fast-retransmit",
            "RFC 5681 §3.2, §4.2 (immediate duplicate ACKs), RFC 2018 §4",
        )
        .needs(NEEDS)
        .interop_os(kernel_fast_retransmit),
        Case::must(
            "tcp.interop.our-fast-retransmit",
            "RFC 5681 §3.2, RFC 6675 §5",
        )
        .needs(NEEDS)
        .interop_os(our_fast_retransmit),
        Case::must(
            "tcp.interop.rto-backoff",
            "RFC 6298 §5.5 (back off the timer), RFC 9293 §3.8.1",
        )
        .needs(NEEDS)
        .interop_os(rto_backoff),
    ]
}
