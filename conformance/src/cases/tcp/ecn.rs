//! `tcp.ecn.*`: Explicit Congestion Notification (RFC 3168 §6.1; RFC 9293
//! SHLD-8). Over the crate's in-memory pair: the ECN-setup SYN and SYN-ACK
//! both ways and every way negotiation fails (§6.1.1), the receiver's
//! ECN-Echo from a CE mark until the sender's CWR (§6.1.3), the sender's
//! one reduction per window of data and its CWR (§6.1.2), and the
//! codepoints of what is not new data: retransmissions (§6.1.5), pure ACKs
//! and control segments (§6.1.4, §6.1.1), window probes (§6.1.6). Over the
//! simulator: a marking queue replaces the drop-tail's losses with marks.
//! Against the kernel (`net.ipv4.tcp_ecn` set in the case's own namespace):
//! negotiation both ways, the fallback with `tcp_ecn=0`, and CE marks in
//! each direction answered as RFC 3168 says.
//!
//! Every expected value is the RFC's (flags, codepoints, the halving of
//! RFC 5681 §3.1 that §6.1.2 asks for) or the kernel's behaviour.

use super::support::*;
use crate::Case;
use handshake_tcp::congestion::Algorithm;
use handshake_tcp::conn::pair::{client_addr, server_addr, Fate, Pair, Side};
use handshake_tcp::conn::{Config, Connection, CwndCause, EcnMode, TraceEvent, Transmit};
use handshake_tcp::wire::{Ecn, SegmentRepr, SeqNumber, TcpFlags};
use handshake_time::{Duration, Instant};

mod kernel;

const ISN: u32 = 31_680;

fn request() -> Config {
    Config::default().ecn(EcnMode::Request)
}

fn check_equal<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> R {
    crate::check::equal(what, got, want)
}

fn flags(t: &Transmit) -> TcpFlags {
    t.header.flags
}

/// The first segment `side` sent with SYN.
fn syn_of(p: &Pair, side: Side) -> Result<Transmit, String> {
    p.log
        .iter()
        .find(|(_, s, t, _)| *s == side && flags(t).contains(TcpFlags::SYN))
        .map(|(_, _, t, _)| t.clone())
        .ok_or_else(|| format!("{side:?} sent no SYN"))
}

/// RFC 3168 §6.1.1: the ECN-setup SYN has ECE and CWR, the ECN-setup
/// SYN-ACK ECE without CWR, both Not-ECT; then data both ways is ECT(0).
fn negotiated_both_ways() -> R {
    for (client_cfg, server_cfg, who) in [
        (
            request(),
            Config::default(),
            "client requests, server accepts",
        ),
        (request(), request(), "both request"),
    ] {
        let mut p = established_pair(client_cfg, server_cfg, ISN)?;
        let syn = syn_of(&p, Side::Client)?;
        let synack = syn_of(&p, Side::Server)?;
        let ctl = TcpFlags::ECE | TcpFlags::CWR;
        check_equal(&format!("{who}: SYN's ECE|CWR"), flags(&syn) & ctl, ctl)?;
        check_equal(
            &format!("{who}: SYN-ACK's ECE|CWR"),
            flags(&synack) & ctl,
            TcpFlags::ECE,
        )?;
        check_equal(&format!("{who}: SYN codepoint"), syn.ecn, Ecn::NotEct)?;
        check_equal(
            &format!("{who}: SYN-ACK codepoint"),
            synack.ecn,
            Ecn::NotEct,
        )?;
        ensure(p.client.stats().ecn && server(&mut p)?.stats().ecn, || {
            format!("{who}: not negotiated at both ends")
        })?;
        let from = p.log.len();
        let (down, up) = exchange(&mut p, &pattern(20_000, 1), &pattern(20_000, 2), true);
        check_equal(&format!("{who}: bytes up"), up.len(), 20_000)?;
        check_equal(&format!("{who}: bytes down"), down.len(), 20_000)?;
        for side in [Side::Client, Side::Server] {
            let d = data(&p, side, from);
            ensure(!d.is_empty(), || format!("{who}: {side:?} sent no data"))?;
            for (_, t) in d {
                check_equal(
                    &format!("{who}: {side:?} data at {:?}", t.header.seq_number),
                    t.ecn,
                    Ecn::Ect0,
                )?;
            }
        }
    }
    Ok(())
}

/// §6.1.1: no ECN unless a SYN with ECE|CWR met a SYN-ACK with ECE alone.
fn not_negotiated_fallback() -> R {
    // The peer does not take part (tcp_ecn=0): its SYN-ACK has neither flag.
    let mut p = established_pair(request(), Config::default().ecn(EcnMode::Off), ISN)?;
    let synack = syn_of(&p, Side::Server)?;
    ensure(
        !flags(&synack).intersects(TcpFlags::ECE | TcpFlags::CWR),
        || format!("an Off server's SYN-ACK has {:?}", flags(&synack)),
    )?;
    let from = p.log.len();
    exchange(&mut p, &pattern(10_000, 1), &pattern(10_000, 2), false);
    ensure(!p.client.stats().ecn, || "negotiated against Off".into())?;
    let ect = p.log[from..]
        .iter()
        .filter(|(_, _, t, _)| t.ecn != Ecn::NotEct);
    check_equal("ECT segments without ECN", ect.count(), 0)?;
    // We do not ask (the default, tcp_ecn=2): a server that would agree
    // gets a plain SYN and answers with a plain SYN-ACK.
    let p = established_pair(Config::default(), request(), ISN)?;
    let syn = syn_of(&p, Side::Client)?;
    let synack = syn_of(&p, Side::Server)?;
    for (what, t) in [("SYN", syn), ("SYN-ACK", synack)] {
        ensure(!flags(&t).intersects(TcpFlags::ECE | TcpFlags::CWR), || {
            format!("default {what} has {:?}", flags(&t))
        })?;
    }
    ensure(!p.client.stats().ecn, || "negotiated without asking".into())?;
    // A SYN-ACK with both ECE and CWR, or with neither, is not an
    // ECN-setup SYN-ACK: the requesting client does not use ECN.
    for (answer, what) in [
        (TcpFlags::ECE | TcpFlags::CWR, "ECE and CWR"),
        (TcpFlags::empty(), "neither"),
        (TcpFlags::CWR, "CWR alone"),
    ] {
        let now = Instant::ZERO;
        let mut c = Connection::connect(request(), client_addr(), server_addr(), now, SeqNumber(9));
        let syn = c.poll_transmit(now).ok_or("no SYN")?;
        let mut sa = SegmentRepr::new(
            server_addr().port(),
            client_addr().port(),
            SeqNumber(5000),
            TcpFlags::SYN | TcpFlags::ACK | answer,
        );
        sa.ack_number = syn.header.seq_number + 1;
        sa.window = 65_535;
        c.handle_segment(now, &sa);
        ensure(!c.stats().ecn, || {
            format!("negotiated from a SYN-ACK with {what}")
        })?;
        c.send(&[7; 100]);
        while let Some(t) = c.poll_transmit(now) {
            check_equal(
                &format!("codepoint after a SYN-ACK with {what}"),
                t.ecn,
                Ecn::NotEct,
            )?;
        }
    }
    // A SYN with ECE alone is not an ECN-setup SYN: a plain SYN-ACK.
    let mut ep =
        handshake_tcp::endpoint::Endpoint::new(handshake_tcp::conn::IsnGenerator::new([4; 32]));
    ep.listen(Config::default(), server_addr(), 8)
        .map_err(|e| e.to_string())?;
    let mut syn = SegmentRepr::new(
        client_addr().port(),
        server_addr().port(),
        SeqNumber(77),
        TcpFlags::SYN | TcpFlags::ECE,
    );
    syn.window = 65_535;
    ep.handle_segment(Instant::ZERO, client_addr().ip(), server_addr().ip(), &syn);
    let o = ep.poll_transmit(Instant::ZERO).ok_or("no SYN-ACK")?;
    ensure(
        !flags(&o.segment).intersects(TcpFlags::ECE | TcpFlags::CWR),
        || {
            format!(
                "the SYN-ACK to a SYN with ECE alone has {:?}",
                flags(&o.segment)
            )
        },
    )
}

/// Marks data segments of the client (by index among its data segments) CE.
fn mark_client_data(marks: &'static [u64]) -> handshake_tcp::conn::pair::FateFn {
    let mut n = 0u64;
    Box::new(move |side, _, t| {
        if side != Side::Client || t.payload.is_empty() {
            return Fate::Deliver;
        }
        n += 1;
        if marks.contains(&(n - 1)) {
            Fate::MarkCe
        } else {
            Fate::Deliver
        }
    })
}

/// §6.1.3: after a CE-marked data segment every ACK carries ECE until a
/// segment with CWR arrives; the ACK of the CE segment is not delayed.
fn receiver_echo_until_cwr() -> R {
    let mut p = established_pair(request(), Config::default().trace(100_000), ISN)?;
    p.fate = mark_client_data(&[6]);
    let from = p.log.len();
    let (_, up) = exchange(&mut p, &pattern(100_000, 1), &[], true);
    check_equal("bytes", up.len(), 100_000)?;
    let marked = p.log[from..]
        .iter()
        .find(|(_, _, _, f)| *f == Fate::MarkCe)
        .map(|(_, _, t, _)| t.header.seq_number)
        .ok_or("no segment was marked")?;
    let s = server(&mut p)?;
    check_equal("CE segments counted", s.stats().ce_received, 1)?;
    let trace: Vec<TraceEvent> = s.drain_trace().collect();
    let at_ce = trace
        .iter()
        .position(|e| matches!(e, TraceEvent::Received { segment, .. } if segment.seq == marked && segment.len > 0))
        .ok_or("the marked segment is not in the server's trace")?;
    let TraceEvent::Received { at: ce_time, .. } = trace[at_ce] else {
        return Err("not a reception".into());
    };
    let mut echoing = true;
    let (mut with_ece, mut after_cwr) = (0, 0);
    let mut first_ack = None;
    for e in &trace[at_ce + 1..] {
        match e {
            TraceEvent::Received { segment, .. } if segment.flags.contains(TcpFlags::CWR) => {
                echoing = false;
            }
            TraceEvent::Sent { at, segment } if segment.flags.contains(TcpFlags::ACK) => {
                first_ack.get_or_insert(*at);
                let ece = segment.flags.contains(TcpFlags::ECE);
                if echoing {
                    ensure(ece, || {
                        format!("an ACK at {at:?} before the CWR has no ECE")
                    })?;
                    with_ece += 1;
                } else {
                    ensure(!ece, || format!("an ACK at {at:?} after the CWR has ECE"))?;
                    after_cwr += 1;
                }
            }
            _ => {}
        }
    }
    check_equal("the CE segment's ACK sent at", first_ack, Some(ce_time))?;
    ensure(!echoing, || "no CWR arrived".into())?;
    ensure(with_ece >= 1 && after_cwr >= 1, || {
        format!("{with_ece} ACKs with ECE, {after_cwr} after the CWR")
    })?;
    check_equal("CWR sent by the client", p.client.stats().cwr_sent, 1)
}

/// §6.1.2: ECE halves the window once per window of data (ssthresh =
/// max(FlightSize/2, 2*SMSS), cwnd = ssthresh: RFC 5681 §3.1 as §6.1.2
/// asks for Reno), retransmits nothing, and the next new data segment
/// carries CWR; marks in a later window reduce again.
fn sender_halves_once_per_window() -> R {
    let cfg = request().congestion(Algorithm::NewReno).trace(200_000);
    let mut p = established_pair(cfg, Config::default(), ISN)?;
    // Three marks in one window, one far later.
    p.fate = mark_client_data(&[30, 31, 33, 400]);
    let (_, up) = exchange(&mut p, &pattern(1_000_000, 1), &[], true);
    check_equal("bytes", up.len(), 1_000_000)?;
    let st = p.client.stats();
    check_equal("retransmissions", st.retransmits, 0)?;
    check_equal("reductions", st.ecn_reductions, 2)?;
    ensure(st.ece_received > st.ecn_reductions, || {
        format!(
            "{} ECE ACKs for {} reductions",
            st.ece_received, st.ecn_reductions
        )
    })?;
    check_equal("CWR segments", st.cwr_sent, 2)?;
    let smss = p.client.mss() as u32;
    let trace: Vec<TraceEvent> = p.client.drain_trace().collect();
    let mut reductions = 0;
    for (i, e) in trace.iter().enumerate() {
        let TraceEvent::Cwnd {
            cwnd,
            ssthresh,
            flight,
            cause: CwndCause::Ecn,
            ..
        } = *e
        else {
            continue;
        };
        reductions += 1;
        check_equal("ssthresh after ECE", ssthresh, (flight / 2).max(2 * smss))?;
        check_equal("cwnd after ECE", cwnd, ssthresh)?;
        // The first data segment sent after it carries CWR.
        let next = trace[i..].iter().find_map(|e| match e {
            TraceEvent::Sent { segment, .. } if segment.len > 0 => Some(segment.flags),
            _ => None,
        });
        ensure(next.is_some_and(|f| f.contains(TcpFlags::CWR)), || {
            format!("the first data after reduction {reductions} has {next:?}")
        })?;
    }
    check_equal("ECN reductions in the trace", reductions, 2)?;
    // CWR rides on new data, which is ECT(0).
    for (_, _, t, _) in p.log.iter().filter(|(_, s, t, _)| {
        *s == Side::Client && flags(t).contains(TcpFlags::CWR) && !flags(t).contains(TcpFlags::SYN)
    }) {
        check_equal("CWR segment codepoint", t.ecn, Ecn::Ect0)?;
    }
    Ok(())
}

/// §6.1.5: a retransmission is Not-ECT and has no CWR; the reduction the
/// loss caused still sends CWR on the next new data (§6.1.2).
fn retransmissions_not_ect() -> R {
    let mut p = established_pair(request(), Config::default(), ISN)?;
    p.fate = {
        let mut n = 0u64;
        Box::new(move |side, _, t| {
            if side == Side::Client && !t.payload.is_empty() {
                n += 1;
                if n == 8 {
                    return Fate::Drop;
                }
            }
            Fate::Deliver
        })
    };
    let from = p.log.len();
    let (_, up) = exchange(&mut p, &pattern(200_000, 1), &[], true);
    check_equal("bytes", up.len(), 200_000)?;
    let sent = data(&p, Side::Client, from);
    let mut seen = std::collections::HashSet::new();
    let mut again = 0;
    for (_, t) in &sent {
        let key = (t.header.seq_number, t.payload.len());
        if seen.insert(key) {
            check_equal(&format!("first send of {:?}", key.0), t.ecn, Ecn::Ect0)?;
        } else {
            again += 1;
            check_equal(
                &format!("retransmission of {:?}", key.0),
                t.ecn,
                Ecn::NotEct,
            )?;
            ensure(!flags(t).contains(TcpFlags::CWR), || {
                "CWR on a retransmission".into()
            })?;
        }
    }
    ensure(again >= 1, || "nothing was retransmitted".into())?;
    check_equal(
        "CWR after the loss's reduction",
        p.client.stats().cwr_sent,
        1,
    )
}

/// §6.1.4: pure ACKs are Not-ECT; §6.1.1 SYN, SYN-ACK; a FIN without data
/// and a RST carry no data either. Only data segments are ECT(0).
fn pure_acks_not_ect() -> R {
    let mut p = established_pair(request(), Config::default(), ISN)?;
    exchange(&mut p, &pattern(50_000, 1), &pattern(3_000, 2), true);
    let c = p.client.stats();
    ensure(c.ecn, || "not negotiated".into())?;
    let (mut pure, mut with_data) = (0, 0);
    for (_, side, t, _) in &p.log {
        if t.payload.is_empty() {
            pure += 1;
            check_equal(
                &format!("{side:?} {:?} codepoint", flags(t)),
                t.ecn,
                Ecn::NotEct,
            )?;
        } else {
            with_data += 1;
        }
    }
    ensure(pure >= 5 && with_data >= 10, || {
        format!("{pure} pure, {with_data} data")
    })?;
    // The RST of an abort.
    let mut p = established_pair(request(), Config::default(), ISN)?;
    p.client.abort();
    let rst = p.client.poll_transmit(p.now).ok_or("no RST")?;
    ensure(flags(&rst).contains(TcpFlags::RST), || "not a RST".into())?;
    check_equal("RST codepoint", rst.ecn, Ecn::NotEct)
}

/// §6.1.6: a window probe is Not-ECT and carries no CWR.
fn window_probes_not_ect() -> R {
    let server_cfg = Config::default().recv_buffer(4096);
    let mut p = established_pair(request(), server_cfg, ISN)?;
    // The server's application reads nothing: its window closes.
    p.client.send(&pattern(20_000, 1));
    p.advance(Duration::from_secs(60));
    let v = p.client.sequence_vars();
    ensure(v.snd_wnd == 0, || format!("the window is {}", v.snd_wnd))?;
    // A probe: data the client sent while the server's last word was a
    // zero window.
    let mut closed = false;
    let mut probes = Vec::new();
    for (at, side, t, _) in &p.log {
        match side {
            Side::Server => closed = t.header.window == 0,
            Side::Client if closed && !t.payload.is_empty() => probes.push((*at, t.clone())),
            Side::Client => {}
        }
    }
    ensure(probes.len() >= 2, || {
        format!("{} window probes in 60 s", probes.len())
    })?;
    for (at, t) in probes {
        check_equal(&format!("probe at {at:?} codepoint"), t.ecn, Ecn::NotEct)?;
        ensure(!flags(&t).contains(TcpFlags::CWR), || {
            "CWR on a probe".into()
        })?;
    }
    Ok(())
}

/// §6.1.1, §6.1.3: without negotiation a CE mark is ignored (no ECE).
fn ce_ignored_unless_negotiated() -> R {
    let mut p = established_pair(Config::default(), Config::default(), ISN)?;
    p.client.send(&[5; 1000]);
    let t = p.client.poll_transmit(p.now).ok_or("no data")?;
    check_equal("codepoint without ECN", t.ecn, Ecn::NotEct)?;
    // A (misbehaving) router marked it CE anyway.
    let now = p.now;
    p.endpoint.handle_segment_ecn(
        now,
        client_addr().ip(),
        server_addr().ip(),
        &t.repr(),
        Ecn::Ce,
    );
    let mut acks = Vec::new();
    while let Some(o) = p.endpoint.poll_transmit(now + Duration::from_secs(1)) {
        acks.push(o.segment);
    }
    p.advance(Duration::from_secs(1));
    let s = server(&mut p)?;
    check_equal("CE counted", s.stats().ce_received, 1)?;
    let later: Vec<_> = p
        .log
        .iter()
        .filter(|(_, side, _, _)| *side == Side::Server)
        .map(|(_, _, t, _)| t.clone())
        .chain(acks)
        .collect();
    ensure(
        later.iter().all(|t| !flags(t).contains(TcpFlags::ECE)),
        || "ECE without negotiation".into(),
    )
}

/// The simulator's marking queue: a bulk transfer through a bottleneck
/// that marks instead of dropping loses nothing and retransmits nothing,
/// while the same path without ECN loses packets at the drop-tail.
fn sim_marking_queue() -> R {
    use handshake_tcp::sim::{
        Bulk, LinkConfig, SegmentEvent, Side as S, SimConfig, Simulator, Sink,
    };
    const SIZE: u64 = 4 << 20;
    let run = |ecn: EcnMode| -> Result<
        (
            handshake_tcp::conn::Stats,
            handshake_tcp::sim::LinkStats,
            Vec<Instant>,
            Vec<Instant>,
        ),
        String,
    > {
        let cfg = Config::default().ecn(ecn).trace(1 << 20);
        let mut sim = Simulator::new(SimConfig::default().seed(7).trace_capacity(1 << 20));
        let bottleneck = LinkConfig::default()
            .delay(Duration::from_millis(20))
            .bandwidth_bps(20_000_000)
            .queue_packets(60)
            .mark_threshold(15);
        sim.set_link(S::A, bottleneck);
        let l = sim.listen(S::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
        let c = sim.connect(S::A, cfg.clone(), sim.addr(l), Bulk::new(SIZE));
        let outcome = sim.run_until_idle();
        ensure(outcome == handshake_tcp::sim::RunOutcome::Done, || {
            format!("{outcome:?}")
        })?;
        let s = *sim.accepted(l).first().ok_or("nothing accepted")?;
        let got = sim.report(s).ok_or("no report")?;
        ensure(got.received == SIZE && got.first_mismatch.is_none(), || {
            format!("{} of {SIZE} bytes", got.received)
        })?;
        let marks: Vec<Instant> = sim
            .trace()
            .segments()
            .filter(|r| r.event == SegmentEvent::Delivered && r.ecn == Ecn::Ce)
            .map(|r| r.time)
            .collect();
        let mut conn = sim.connection(c).ok_or("no connection")?.clone();
        let reductions = conn
            .drain_trace()
            .filter_map(|e| match e {
                TraceEvent::Cwnd {
                    at,
                    cause: CwndCause::Ecn,
                    ..
                } => Some(at),
                _ => None,
            })
            .collect();
        Ok((conn.stats(), sim.link_stats(S::A), marks, reductions))
    };
    let (st, link, marks, reductions) = run(EcnMode::Request)?;
    ensure(st.ecn, || "not negotiated".into())?;
    ensure(link.marked_ce > 0, || "the queue marked nothing".into())?;
    check_equal("drop-tail losses with ECN", link.dropped_queue, 0)?;
    check_equal("retransmissions with ECN", st.retransmits, 0)?;
    check_equal("timeouts with ECN", st.timeouts, 0)?;
    ensure(
        !reductions.is_empty() && reductions.len() as u64 <= link.marked_ce,
        || {
            format!(
                "{} reductions for {} marks",
                reductions.len(),
                link.marked_ce
            )
        },
    )?;
    // Each reduction follows a mark delivered within the last 200 ms
    // (a round trip here is 40 ms plus the queue).
    for r in &reductions {
        ensure(
            marks
                .iter()
                .any(|m| m <= r && *r - *m <= Duration::from_millis(200)),
            || format!("a reduction at {r:?} follows no mark"),
        )?;
    }
    let (plain, plain_link, _, _) = run(EcnMode::Accept)?;
    ensure(!plain.ecn, || "negotiated without asking".into())?;
    ensure(
        plain_link.dropped_queue > 0 && plain.retransmits > 0,
        || {
            format!(
                "without ECN the queue dropped {} and the sender retransmitted {}",
                plain_link.dropped_queue, plain.retransmits
            )
        },
    )
}

pub(crate) fn cases() -> Vec<Case> {
    let mut v = vec![
        Case::should(
            "tcp.ecn.negotiated-both-ways",
            "RFC 3168 §6.1.1; RFC 9293 SHLD-8",
        )
        .simulation(|_| negotiated_both_ways()),
        Case::must("tcp.ecn.not-negotiated-fallback", "RFC 3168 §6.1.1")
            .simulation(|_| not_negotiated_fallback()),
        Case::must("tcp.ecn.receiver-echo-until-cwr", "RFC 3168 §6.1.3")
            .simulation(|_| receiver_echo_until_cwr()),
        Case::must("tcp.ecn.sender-halves-once-per-window", "RFC 3168 §6.1.2")
            .simulation(|_| sender_halves_once_per_window()),
        Case::must("tcp.ecn.retransmissions-not-ect", "RFC 3168 §6.1.5, §6.1.2")
            .simulation(|_| retransmissions_not_ect()),
        Case::must("tcp.ecn.pure-acks-not-ect", "RFC 3168 §6.1.4, §6.1.1")
            .simulation(|_| pure_acks_not_ect()),
        Case::must("tcp.ecn.window-probes-not-ect", "RFC 3168 §6.1.6")
            .simulation(|_| window_probes_not_ect()),
        Case::must(
            "tcp.ecn.ce-ignored-unless-negotiated",
            "RFC 3168 §6.1.1, §6.1.3",
        )
        .simulation(|_| ce_ignored_unless_negotiated()),
        Case::should("tcp.ecn.sim-marking-queue", "RFC 3168 §5, §6.1.2, §6.1.3")
            .simulation(|_| sim_marking_queue()),
    ];
    v.extend(kernel::cases());
    v
}
