//! `tcp.ecn.kernel-*`: ECN against the Linux kernel through TUN, with
//! `net.ipv4.tcp_ecn` set inside the case's own namespace only (it is a
//! per-namespace sysctl). The kernel's behaviour is the expected value.

use std::time::Duration;

use handshake_io::fault::{Action, Dir, Rule, Select};
use handshake_io::kernel;
use handshake_tcp::conn::{Config, EcnMode, State};
use handshake_tcp::wire::{Ecn, TcpFlags};

use crate::peers::kernel::{
    read_all_hash, receive_pattern, run, send_pattern, timeouts, write_pattern, Env, KernelTask,
    Seen, Via,
};
use crate::{Case, Ctx, Need, Outcome};

const LEN: usize = 300_000;

/// `net.ipv4.tcp_ecn = value` in the case's namespace.
fn tcp_ecn(env: &Env, value: u8) -> Result<(), String> {
    env.net
        .command("sysctl", &["-qw", &format!("net.ipv4.tcp_ecn={value}")])
        .map(|_| ())
        .map_err(|e| format!("sysctl net.ipv4.tcp_ecn={value}: {e}"))
}

fn first<'a>(segs: &'a [Seen], what: &str, f: impl Fn(&Seen) -> bool) -> Result<&'a Seen, String> {
    segs.iter()
        .find(|s| f(s))
        .ok_or_else(|| format!("no {what} in the capture"))
}

/// RFC 3168 §6.1.1 flags of a SYN (ECE|CWR) and SYN-ACK (ECE alone).
fn ecn_flags(s: &Seen) -> TcpFlags {
    s.flags & (TcpFlags::ECE | TcpFlags::CWR)
}

/// Every new data segment in `dir` is ECT(0), and a retransmission (data
/// already sent, as a loaded machine may cause) Not-ECT (RFC 3168 §6.1.5).
fn data_ect0(segs: &[Seen], dir: Dir, who: &str) -> Result<usize, String> {
    let data: Vec<&Seen> = segs.iter().filter(|s| s.dir == dir && s.len > 0).collect();
    if data.is_empty() {
        return Err(format!("{who} sent no data"));
    }
    let mut sent_to: Option<u32> = None;
    for s in &data {
        let end = s.seq.wrapping_add(s.len as u32);
        // Sequence space is modular (RFC 9293 §3.4): "before" by signed distance.
        let again = sent_to.is_some_and(|top| (end.wrapping_sub(top) as i32) <= 0);
        let want = if again { Ecn::NotEct } else { Ecn::Ect0 };
        if s.ecn != want {
            let what = if again { "retransmitted" } else { "new" };
            return Err(format!(
                "{who}'s {what} data at seq {} was {:?}, not {want:?}",
                s.seq, s.ecn
            ));
        }
        if !again {
            sent_to = Some(end);
        }
    }
    if let Some(s) = segs
        .iter()
        .find(|s| s.dir == dir && s.len == 0 && s.ecn != Ecn::NotEct)
    {
        return Err(format!(
            "{who}'s segment without data ({:?}) was {:?}",
            s.flags, s.ecn
        ));
    }
    Ok(data.len())
}

/// The kernel (tcp_ecn=1) connects to our listener (ECN accepted, the
/// default): its SYN asks, our SYN-ACK has ECE and not CWR, data both ways
/// is ECT(0), and the kernel's socket says `ecn` and `ecnseen`.
fn kernel_client_negotiates(ctx: &mut Ctx) -> Outcome {
    const PORT: u16 = 9301;
    let seed = ctx.seed;
    run(ctx, Via::Tun, |env| {
        tcp_ecn(env, 1)?;
        env.d.listen(Config::default(), PORT, 8);
        let mut s = env.kernel_connect(env.ours(PORT))?;
        let writer = KernelTask::spawn(move || -> std::io::Result<TcpStream> {
            write_pattern(&mut s, seed, LEN)?;
            // Its FIN ends our read; our data still flows to it.
            s.shutdown(std::net::Shutdown::Write)?;
            Ok(s)
        });
        let c = receive_pattern(env, None, seed, LEN, Duration::from_secs(20))?;
        let mut s = writer.join()?.map_err(|e| format!("kernel write: {e}"))?;
        if !env.d.conn(c).stats().ecn {
            return Err("our connection did not negotiate".into());
        }
        let socks = kernel::sockets(&env.net).map_err(|e| e.to_string())?;
        let k = socks
            .iter()
            .find(|i| i.local.port() != PORT && i.peer.is_some_and(|p| p.port() == PORT))
            .ok_or("the kernel's socket is not in ss")?;
        // ss prints `ts sack ecn ecnseen` from tcpi_options; a kernel that
        // reports no options at all (this connection has timestamps and
        // SACK) cannot be asked, and the packets below decide alone.
        let reports_options = k.has("ts") || k.has("sack");
        if reports_options && !(k.has("ecn") && k.has("ecnseen")) {
            return Err(format!("ss shows {:?}, without ecn and ecnseen", k.info));
        }
        let segs = env.segments();
        let syn = first(&segs, "SYN", |s| s.dir == Dir::ToUs && s.is_syn())?;
        let synack = first(&segs, "SYN-ACK", |s| {
            s.dir == Dir::ToKernel && s.is_synack()
        })?;
        if ecn_flags(syn) != TcpFlags::ECE | TcpFlags::CWR || ecn_flags(synack) != TcpFlags::ECE {
            return Err(format!(
                "SYN {:?}, SYN-ACK {:?}: want ECE|CWR, then ECE alone",
                ecn_flags(syn),
                ecn_flags(synack)
            ));
        }
        if syn.ecn != Ecn::NotEct || synack.ecn != Ecn::NotEct {
            return Err(format!(
                "SYN {:?}, SYN-ACK {:?}: not Not-ECT",
                syn.ecn, synack.ecn
            ));
        }
        data_ect0(&segs, Dir::ToUs, "the kernel")?;
        // Our data to the kernel.
        let reader = KernelTask::spawn(move || read_all_hash(&mut s));
        send_pattern(env, c, reader, seed ^ 1, 100_000, Duration::from_secs(20))?;
        data_ect0(&env.segments(), Dir::ToKernel, "our stack")?;
        Ok(())
    })
}

use std::net::TcpStream;

/// Our client asks (EcnMode::Request); the kernel agrees with `tcp_ecn` 1
/// and with its default 2, and its SYN-ACK has ECE without CWR; with 0 it
/// does not take part and nothing is ECT (the fallback).
fn our_client(ctx: &mut Ctx, sysctl: u8, port: u16) -> Outcome {
    let seed = ctx.seed;
    run(ctx, Via::Tun, |env| {
        tcp_ecn(env, sysctl)?;
        let l = kernel::listen(&env.net, env.kernel(port), None).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            timeouts(&s)?;
            read_all_hash(&mut s)
        });
        let c = env.d.connect(
            Config::default().ecn(EcnMode::Request),
            41_000,
            env.kernel(port),
        );
        env.until(Duration::from_secs(5), "the handshake", |d| {
            d.conn(c).state() == State::Established
        })?;
        let negotiated = env.d.conn(c).stats().ecn;
        send_pattern(env, c, task, seed, LEN, Duration::from_secs(20))?;
        let segs = env.segments();
        let syn = first(&segs, "SYN", |s| s.dir == Dir::ToKernel && s.is_syn())?;
        let synack = first(&segs, "SYN-ACK", |s| s.dir == Dir::ToUs && s.is_synack())?;
        if ecn_flags(syn) != TcpFlags::ECE | TcpFlags::CWR || syn.ecn != Ecn::NotEct {
            return Err(format!("our SYN: {:?}, {:?}", ecn_flags(syn), syn.ecn));
        }
        if sysctl == 0 {
            if !ecn_flags(synack).is_empty() || negotiated {
                return Err(format!(
                    "tcp_ecn=0: SYN-ACK {:?}, negotiated {negotiated}",
                    ecn_flags(synack)
                ));
            }
            if let Some(s) = segs.iter().find(|s| s.ecn != Ecn::NotEct) {
                return Err(format!(
                    "without ECN a segment ({:?}) was {:?}",
                    s.flags, s.ecn
                ));
            }
            return Ok(());
        }
        if ecn_flags(synack) != TcpFlags::ECE || !negotiated {
            return Err(format!(
                "tcp_ecn={sysctl}: SYN-ACK {:?}, negotiated {negotiated}",
                ecn_flags(synack)
            ));
        }
        data_ect0(&segs, Dir::ToKernel, "our stack")?;
        Ok(())
    })
}

/// A CE mark on one of our data segments toward the kernel: the kernel
/// echoes ECE, we halve once and send CWR on new data; no loss is detected
/// (a tail loss probe aside) and the kernel reads every byte.
fn kernel_echoes_ce(ctx: &mut Ctx, via: Via) -> Outcome {
    const PORT: u16 = 9304;
    let seed = ctx.seed;
    run(ctx, via, |env| {
        tcp_ecn(env, 1)?;
        let l = kernel::listen(&env.net, env.kernel(PORT), None).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            timeouts(&s)?;
            read_all_hash(&mut s)
        });
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToKernel, Select::NthData(30), Action::MarkCe).times(1));
        let c = env.d.connect(
            Config::default().ecn(EcnMode::Request),
            41_004,
            env.kernel(PORT),
        );
        send_pattern(env, c, task, seed, 2 * LEN, Duration::from_secs(20))?;
        if env.d.link.marked_ce() != 1 {
            return Err(format!("{} packets marked, want 1", env.d.link.marked_ce()));
        }
        let st = env.d.conn(c).stats();
        if st.ece_received == 0 || st.ecn_reductions != 1 || st.cwr_sent != 1 {
            return Err(format!(
                "ECE ACKs {}, reductions {}, CWR sent {}: want >0, 1, 1",
                st.ece_received, st.ecn_reductions, st.cwr_sent
            ));
        }
        // The CE mark is no loss (RFC 3168 §6.1.2: reduce, retransmit
        // nothing): no segment marked lost, no fast retransmit, no timeout.
        // A tail loss probe is the PTO's, not the mark's: on a loaded
        // machine an ACK may come later than 2·SRTT of a sub-millisecond
        // path (RFC 8985 §7.2).
        if st.rack_lost != 0 || st.fast_retransmits != 0 || st.timeouts != 0 {
            return Err(format!(
                "{} segments marked lost, {} fast retransmits, {} timeouts ({} retransmissions, {} probes)",
                st.rack_lost, st.fast_retransmits, st.timeouts, st.retransmits, st.tlp_probes
            ));
        }
        if st.retransmits > st.tlp_probes {
            return Err(format!(
                "{} retransmissions, {} of them probes",
                st.retransmits, st.tlp_probes
            ));
        }
        let segs = env.segments();
        let ece = first(&segs, "kernel ACK with ECE", |s| {
            s.dir == Dir::ToUs
                && s.flags.contains(TcpFlags::ECE)
                && !s.flags.contains(TcpFlags::SYN)
        })?;
        let cwr = first(&segs, "our CWR", |s| {
            s.dir == Dir::ToKernel
                && s.flags.contains(TcpFlags::CWR)
                && !s.flags.contains(TcpFlags::SYN)
        })?;
        if cwr.at < ece.at || cwr.len == 0 || cwr.ecn != Ecn::Ect0 {
            return Err(format!(
                "CWR at {:?} (len {}, {:?}) after the first ECE at {:?}",
                cwr.at, cwr.len, cwr.ecn, ece.at
            ));
        }
        Ok(())
    })
}

/// The kernel sends to us; one of its data segments is marked CE on the
/// way: our ACKs carry ECE from then until its CWR arrives, and the kernel
/// sends that CWR (its reduction).
fn we_echo_ce(ctx: &mut Ctx, via: Via) -> Outcome {
    const PORT: u16 = 9305;
    let seed = ctx.seed;
    run(ctx, via, |env| {
        tcp_ecn(env, 1)?;
        env.d.listen(Config::default(), PORT, 8);
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToUs, Select::NthData(30), Action::MarkCe).times(1));
        let mut s = env.kernel_connect(env.ours(PORT))?;
        let writer = KernelTask::spawn(move || write_pattern(&mut s, seed, 2 * LEN));
        let c = receive_pattern(env, None, seed, 2 * LEN, Duration::from_secs(20))?;
        writer.join()?.map_err(|e| format!("kernel write: {e}"))?;
        if env.d.link.marked_ce() != 1 {
            return Err(format!("{} packets marked, want 1", env.d.link.marked_ce()));
        }
        let st = env.d.conn(c).stats();
        if st.ce_received != 1 || st.cwr_received == 0 {
            return Err(format!(
                "CE received {}, CWR received {}",
                st.ce_received, st.cwr_received
            ));
        }
        let segs = env.segments();
        let ours = |s: &Seen| s.dir == Dir::ToKernel && s.flags.contains(TcpFlags::ACK);
        let i = segs
            .iter()
            .position(|s| {
                ours(s) && s.flags.contains(TcpFlags::ECE) && !s.flags.contains(TcpFlags::SYN)
            })
            .ok_or("none of our ACKs has ECE")?;
        let j = segs[i..]
            .iter()
            .position(|s| s.dir == Dir::ToUs && s.flags.contains(TcpFlags::CWR))
            .map(|k| i + k)
            .ok_or("the kernel sent no CWR after our ECE")?;
        // Everything we sent before the CWR was even read had ECE.
        if let Some(s) = segs[i..j]
            .iter()
            .find(|s| ours(s) && !s.flags.contains(TcpFlags::ECE))
        {
            return Err(format!(
                "our ACK {} before the kernel's CWR has no ECE",
                s.ack
            ));
        }
        let echoed = segs[i..j].iter().filter(|s| ours(s)).count();
        // After the CWR our ACKs stop echoing (the mark was the only one).
        let last = segs
            .iter()
            .rev()
            .find(|s| ours(s))
            .ok_or("no ACK of ours")?;
        if last.flags.contains(TcpFlags::ECE) {
            return Err("our last ACK still has ECE".into());
        }
        if echoed == 0 {
            return Err("no ECE ACK before the CWR".into());
        }
        Ok(())
    })
}

pub(crate) fn cases() -> Vec<Case> {
    let needs = &[Need::NetAdmin, crate::peers::tshark::NEED];
    vec![
        Case::should(
            "tcp.ecn.kernel-client-negotiates",
            "RFC 3168 §6.1.1; RFC 9293 SHLD-8",
        )
        .needs(needs)
        .interop_os(kernel_client_negotiates),
        Case::should("tcp.ecn.kernel-server-negotiates", "RFC 3168 §6.1.1")
            .needs(needs)
            .interop_os(|ctx| our_client(ctx, 1, 9302)),
        Case::should("tcp.ecn.kernel-default-accepts", "RFC 3168 §6.1.1")
            .needs(needs)
            .interop_os(|ctx| our_client(ctx, 2, 9306)),
        Case::must("tcp.ecn.kernel-off-fallback", "RFC 3168 §6.1.1")
            .needs(needs)
            .interop_os(|ctx| our_client(ctx, 0, 9303)),
        Case::must("tcp.ecn.kernel-echoes-ce", "RFC 3168 §6.1.2")
            .needs(needs)
            .interop_os(|ctx| kernel_echoes_ce(ctx, Via::Tun)),
        Case::must("tcp.ecn.kernel-we-echo-ce", "RFC 3168 §6.1.3")
            .needs(needs)
            .interop_os(|ctx| we_echo_ce(ctx, Via::Tun)),
        // The same over IPv6 (TAP): the codepoints in the Traffic Class.
        Case::must(
            "tcp.ecn.kernel-echoes-ce-v6",
            "RFC 3168 §5 (IPv6 Traffic Class), §6.1.2",
        )
        .needs(needs)
        .interop_os(|ctx| kernel_echoes_ce(ctx, Via::Tap6)),
        Case::must(
            "tcp.ecn.kernel-we-echo-ce-v6",
            "RFC 3168 §5 (IPv6 Traffic Class), §6.1.3",
        )
        .needs(needs)
        .interop_os(|ctx| we_echo_ce(ctx, Via::Tap6)),
    ]
}
