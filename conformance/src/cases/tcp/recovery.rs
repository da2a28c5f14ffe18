//! `tcp.recovery.*`: RACK-TLP loss detection (RFC 8985) and D-SACK (RFC 2883).
//!
//! Each case drops, delays or duplicates chosen segments on the in-memory
//! pair (one-way latency 10 ms, so the RTT is 20 ms) and reads what the
//! sender did from the log and its stats. Where a case asserts that RACK
//! avoided a timeout it also runs the same loss pattern with RACK off, to
//! show that the pattern needs RACK.

use super::support::*;
use crate::Case;
use crate::Kind;
use crate::Level::Should;
use handshake_tcp::conn::pair::{Fate, Pair, Side};
use handshake_tcp::conn::{Config, State, Stats};
use handshake_tcp::wire::SeqNumber;
use handshake_time::Duration;

const MSS: u32 = 1448; // 1460 less the 12 octets of TSopt

/// Sends `segments` full segments from the client with `fate` on the
/// link; the server ACKs every segment at once. Returns the pair and the
/// log index where the transfer began.
fn run(
    cfg: Config,
    segments: usize,
    isn: u32,
    fate: handshake_tcp::conn::pair::FateFn,
) -> Result<(Pair, usize), String> {
    let server = Config::default().delayed_ack(None);
    let mut p = established_pair(cfg, server, isn)?;
    p.spacing = Duration::from_millis(1);
    let from = p.log.len();
    p.fate = fate;
    let data = pattern(segments * MSS as usize, 9);
    let (_, got) = exchange(&mut p, &data, &[], false);
    ensure(got == data, || "data not delivered intact".into())?;
    p.run_until_idle();
    Ok((p, from))
}

/// Drops the client's data segments that start at the `nth` data
/// segment's sequence number (1-based) the first `times` times they go out.
fn drop_seq(nth: u64, times: u32) -> handshake_tcp::conn::pair::FateFn {
    let (mut k, mut target, mut dropped) = (0u64, None::<SeqNumber>, 0u32);
    Box::new(move |side, _, t| {
        if side != Side::Client || t.payload.is_empty() {
            return Fate::Deliver;
        }
        k += 1;
        if k == nth {
            target = Some(t.header.seq_number);
        }
        if target == Some(t.header.seq_number) && dropped < times {
            dropped += 1;
            return Fate::Drop;
        }
        Fate::Deliver
    })
}

/// Delivers the client's `nth` data segment (1-based) twice.
fn duplicate_nth(nth: u64) -> handshake_tcp::conn::pair::FateFn {
    let mut k = 0u64;
    Box::new(move |side, _, t| {
        if side == Side::Client && !t.payload.is_empty() {
            k += 1;
            if k == nth {
                return Fate::Duplicate;
            }
        }
        Fate::Deliver
    })
}

fn show(st: &Stats) -> String {
    format!(
        "{} timeouts, {} retransmits, {} probes, {} marked lost by RACK",
        st.timeouts, st.retransmits, st.tlp_probes, st.rack_lost
    )
}

/// RFC 8985 §6.2: a retransmission that is lost again is found by the
/// time-based rule (a segment sent after it was delivered), not by the RTO.
fn lost_retransmission() -> R {
    let (p, _) = run(Config::default(), 100, 80, drop_seq(5, 2))?;
    let st = p.client.stats();
    ensure(st.timeouts == 0 && st.retransmits >= 2, || {
        format!("RACK on: {} (want 0 timeouts)", show(&st))
    })?;
    // The control: RFC 6675 alone needs the timer for it.
    let (q, _) = run(Config::default().rack(false), 100, 80, drop_seq(5, 2))?;
    let sq = q.client.stats();
    ensure(sq.timeouts >= 1, || {
        format!("RACK off: {} (the pattern should need an RTO)", show(&sq))
    })
}

/// RFC 8985 §7.2-7.3: the last two segments of a flight are lost; a probe
/// retransmits the last one 2*SRTT after the last ACK (two segments in
/// flight, so no WCDelAckT), its SACK lets RACK find the other, no RTO.
fn tail_loss_probe() -> R {
    let fate = || -> handshake_tcp::conn::pair::FateFn {
        let mut k = 0u64;
        Box::new(move |side, _, t| {
            if side == Side::Client && !t.payload.is_empty() {
                k += 1;
                if k == 9 || k == 10 {
                    return Fate::Drop;
                }
            }
            Fate::Deliver
        })
    };
    let (p, from) = run(Config::default(), 10, 81, fate())?;
    let st = p.client.stats();
    let srtt = st.srtt.ok_or("no SRTT")?;
    let data = data(&p, Side::Client, from);
    let first = data.first().ok_or("no data")?.1.header.seq_number;
    // The probe: the eleventh data segment, a copy of the tenth.
    let (probe_at, probe) = data.get(10).ok_or("no retransmission")?;
    let last_ack = sent(&p, Side::Server, from)
        .into_iter()
        .rfind(|(at, _)| at < probe_at)
        .ok_or("no ACK before the probe")?;
    let heard = last_ack.0 + p.latency;
    let gap = *probe_at - heard;
    let want = srtt * 2;
    ensure(
        probe.header.seq_number == first + 9 * MSS
            // SRTT is read after the run: it moved by a few ms since
            // the probe was armed (the link's 1 ms spacing).
            && gap.abs_diff(want) <= Duration::from_millis(12)
            && st.timeouts == 0
            && st.tlp_probes == 1,
        || {
            format!(
                "probe at seq +{} {gap:?} after the last ACK (want +{} after 2*SRTT = {want:?}); {}",
                probe.header.seq_number.distance_from(first),
                9 * MSS,
                show(&st)
            )
        },
    )?;
    let (q, _) = run(Config::default().rack(false), 10, 81, fate())?;
    let sq = q.client.stats();
    ensure(sq.timeouts >= 1, || {
        format!(
            "RACK-TLP off: {} (the tail loss should need an RTO)",
            show(&sq)
        )
    })
}

/// RFC 8985 §6.2 step 5: a segment overtaken by one later segment (so
/// fewer than DupThresh are SACKed) and arriving within reo_wnd =
/// min_RTT/4 = 5 ms is not marked lost: no retransmission.
fn reordering_within_window() -> R {
    let mut k = 0u64;
    let fate = Box::new(move |side, _, t: &handshake_tcp::conn::Transmit| {
        if side == Side::Client && !t.payload.is_empty() {
            k += 1;
            if k == 5 {
                // Segments leave 1 ms apart: this one arrives after the
                // next, 1.5 ms late, well inside the 5 ms window.
                return Fate::Delay(Duration::from_micros(1500));
            }
        }
        Fate::Deliver
    });
    let (p, _) = run(Config::default(), 30, 82, fate)?;
    let st = p.client.stats();
    ensure(st.retransmits == 0 && st.rack_lost == 0, || {
        format!("reordered within the window: {}", show(&st))
    })
}

/// RFC 8985 §6.2 step 4: a D-SACK (RFC 2883) increments RACK.reo_wnd_mult.
fn dsack_widens_reo_wnd() -> R {
    let fate = duplicate_nth(3);
    let (p, _) = run(Config::default(), 20, 83, fate)?;
    let st = p.client.stats();
    ensure(st.dsacks_received == 1 && st.reo_wnd_mult == 2, || {
        format!(
            "{} D-SACKs received, reo_wnd_mult {} (want 1, 2)",
            st.dsacks_received, st.reo_wnd_mult
        )
    })
}

/// RFC 2883 §4 and its examples §4.1.1 (a duplicate below the cumulative
/// ACK: the first block is exactly the duplicate) and §4.1.3 (a duplicate
/// of data held out of order: the first block is the duplicate, the
/// second the block that holds it).
fn dsack_block_edges() -> R {
    // Below the cumulative ACK: segment 3 arrives twice.
    let fate = duplicate_nth(3);
    let (p, from) = run(Config::default(), 8, 84, fate)?;
    let d = data(&p, Side::Client, from);
    let s3 = d.get(2).ok_or("no third segment")?.1.header.seq_number;
    let want = (s3, s3 + MSS);
    let found = sent(&p, Side::Server, from).into_iter().any(|(_, t)| {
        let b = t.header.options.sack.as_slice();
        b.len() == 1
            && (b[0].left, b[0].right) == want
            && t.header.ack_number.distance_from(want.1) >= 0
    });
    ensure(found, || {
        format!("no ACK with the single D-SACK block {want:?} at or below its ACK")
    })?;
    // Above it: segment 3 lost, segment 5 arrives twice.
    let mut k = 0u64;
    let fate = Box::new(move |side, _, t: &handshake_tcp::conn::Transmit| {
        if side == Side::Client && !t.payload.is_empty() {
            k += 1;
            match k {
                3 => return Fate::Drop,
                5 => return Fate::Duplicate,
                _ => {}
            }
        }
        Fate::Deliver
    });
    let (p, from) = run(Config::default(), 8, 85, fate)?;
    let d = data(&p, Side::Client, from);
    let s3 = d.get(2).ok_or("no third segment")?.1.header.seq_number;
    let s5 = s3 + 2 * MSS;
    let found = sent(&p, Side::Server, from).into_iter().any(|(_, t)| {
        let b = t.header.options.sack.as_slice();
        b.len() >= 2
            && t.header.ack_number == s3
            && (b[0].left, b[0].right) == (s5, s5 + MSS)
            // The second block holds the first: segments 4 and 5.
            && (b[1].left, b[1].right) == (s3 + MSS, s5 + MSS)
    });
    ensure(found, || {
        "no ACK of the hole with D-SACK [seg 5] then its block [seg 4, seg 5]".to_string()
    })
}

/// RFC 6937 §3: the segments sent on each ACK of a recovery. A NewReno
/// sender without timestamps (MSS 1460) sends 20 segments; segment 1 is
/// lost and ACK k (k = 2..22) SACKs segments 2..=k, each delivering 1460
/// octets. ACKs 2 and 3 each release one new segment (RFC 3042), so at the
/// third duplicate (ACK 4) RecoverFS = 22 * 1460 = 32120 and ssthresh =
/// FlightSize/2 = 10 * 1460 = 14600 (RFC 5681 eq. 4, FlightSize bounded by
/// cwnd). By the RFC's pseudo-code, with prr_delivered = (k-3)*1460:
///
/// ```text
/// ACK  pipe(MSS)  sndcnt (octets)                          sent
///  4   18 > 10    ceil(1460*14600/32120) - 0     =  664    1 (the fast retransmit)
///  5   18         ceil(2920*14600/32120) - 1460  <    0    0
///  6   17         ceil(4380*...) - 1460          =  531    0
///  7   16         1195                                     0
///  8   15         ceil(7300*14600/32120) - 1460  = 1859    1
///  9   15         1062 ; 10: 1726 -> 1 ; 11: 930 ; 12: 1593 -> 1 ; 13: 797
/// 14   12         ceil(16060*14600/32120) - 7300 = 1460    1
/// 15   12  664 ; 16  11  1328                              0, 0
/// 17   10 = ssthresh: PRR-SSRB min(ssthresh - pipe, ..) = 0  0
/// 18..22  9      min(14600 - 13140, max(.., 1460) + 1460) = 1460   1 each
/// ```
///
/// Ten segments in all, and pipe ends at ssthresh. A segment goes only
/// when sndcnt covers a whole one.
fn prr_counts() -> R {
    use handshake_tcp::congestion::Algorithm;
    use handshake_tcp::wire::{SackBlock, SackBlocks, SegmentRepr, TcpFlags};
    const WANT: [usize; 19] = [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1];
    let cfg = Config::default()
        .timestamps(false)
        .rack(false)
        .congestion(Algorithm::NewReno)
        .initial_window(20);
    let mut p = established_pair(cfg, Config::default().delayed_ack(None), 86)?;
    let server_seq = {
        let t = last_sent(&p, Side::Server)?;
        t.header.seq_number + t.segment_len() as u32
    };
    let now = p.now;
    let c = &mut p.client;
    c.send(&pattern(60 * 1460, 3));
    let first: Vec<_> = std::iter::from_fn(|| c.poll_transmit(now)).collect();
    ensure(first.len() == 20, || {
        format!("{} segments in the initial window", first.len())
    })?;
    let s1 = first[0].header.seq_number;
    let seg = |i: u32| s1 + (i - 1) * 1460;
    let mut got = Vec::new();
    for k in 2..=22u32 {
        let mut h = SegmentRepr::new(80, 49152, server_seq, TcpFlags::ACK);
        h.ack_number = s1;
        h.window = 0xffff;
        let block = [SackBlock {
            left: seg(2),
            right: seg(k + 1),
        }];
        h.options.sack = SackBlocks::new(&block).map_err(|e| e.to_string())?;
        c.handle_segment(now, &h);
        got.push(
            std::iter::from_fn(|| c.poll_transmit(now))
                .filter(|t| !t.payload.is_empty())
                .count(),
        );
    }
    ensure(got[..2] == [1, 1] && got[2..] == WANT, || {
        format!("sent per ACK 2..=22: {got:?}; want [1, 1] (RFC 3042) then {WANT:?}")
    })
}

/// RFC 5682 §3.1: every ACK of the first flight is held up 1.5 s, past
/// the 1 s RTO; none of the data is lost. The timeout fires, the first
/// late ACK acknowledges new data (step 2b: two new segments go), the
/// next acknowledges data that was never retransmitted (step 3a): the
/// timeout was spurious, and ssthresh is back at its value before it (no
/// loss yet: "arbitrarily high", RFC 5681 §3.1). With F-RTO off the
/// same run keeps the halved ssthresh.
fn frto_spurious_timeout() -> R {
    let run_with = |frto: bool| -> Result<Stats, String> {
        let cfg = Config::default().frto(frto);
        let mut p = established_pair(cfg, Config::default().delayed_ack(None), 87)?;
        let mut n = 0u32;
        p.fate = Box::new(move |side, _, _| {
            if side == Side::Server && n < 20 {
                n += 1;
                return Fate::Delay(Duration::from_millis(1500));
            }
            Fate::Deliver
        });
        let data = pattern(40 * MSS as usize, 4);
        let (_, got) = exchange(&mut p, &data, &[], false);
        ensure(got == data, || "data not delivered intact".into())?;
        p.run_until_idle();
        Ok(p.client.stats())
    };
    let on = run_with(true)?;
    ensure(
        on.timeouts == 1 && on.spurious_timeouts == 1 && on.ssthresh == u32::MAX,
        || {
            format!(
                "F-RTO on: {} timeouts, {} found spurious, ssthresh {} (want 1, 1, {})",
                on.timeouts,
                on.spurious_timeouts,
                on.ssthresh,
                u32::MAX
            )
        },
    )?;
    let off = run_with(false)?;
    ensure(off.timeouts >= 1 && off.ssthresh != u32::MAX, || {
        format!(
            "F-RTO off: ssthresh {} after {} timeouts",
            off.ssthresh, off.timeouts
        )
    })
}

/// RFC 6298 §3 and RFC 7323 §4.1 on a path of 200 µs, below the 1 ms
/// tick of TSval: an echoed timestamp reads 0 ms for most ACKs, and a
/// sender that takes each as R drives SRTT towards zero, and with it
/// RACK's reo_wnd (RFC 8985 §6.2: at most SRTT) and the PTO (§7.2:
/// 2*SRTT), so probes leave before any ACK could be back. The finer,
/// per-segment measurement (Karn's rule, RFC 6298 §3) must win: SRTT
/// stays at least the path's round trip (twice the one-way latency, a
/// property of the link, not of the sender) and a loss-free transfer
/// sends no probe and no retransmission.
fn srtt_below_timestamp_tick() -> R {
    let server = Config::default().delayed_ack(None);
    let mut p = Pair::new(Config::default(), server, SeqNumber(85));
    p.latency = Duration::from_micros(20);
    p.spacing = Duration::from_micros(1);
    // Start just past a millisecond boundary: handshake and transfer then
    // fit in one tick of TSval, so every echoed timestamp reads 0 ms.
    let into_tick = p.now.as_nanos() % 1_000_000;
    p.now += Duration::from_nanos(1_000_000 - into_tick + 1_000);
    p.run_until_idle();
    ensure(p.client.state() == State::Established, || {
        format!("handshake ended in {:?}", p.client.state())
    })?;
    let data = pattern(20 * MSS as usize, 10);
    let (_, got) = exchange(&mut p, &data, &[], false);
    ensure(got == data, || "data not delivered intact".into())?;
    p.run_until_idle();
    let st = p.client.stats();
    let srtt = st.srtt.ok_or("no SRTT")?;
    let rtt = p.latency * 2;
    ensure(
        srtt >= rtt && st.tlp_probes == 0 && st.retransmits == 0,
        || {
            format!(
                "SRTT {srtt:?} on a {rtt:?} path (want at least {rtt:?}); {}",
                show(&st)
            )
        },
    )
}

/// Drops the first transmission of the client's data segments numbered
/// `nth` (1-based, in the order they are first sent).
fn drop_first(nth: &'static [u64]) -> handshake_tcp::conn::pair::FateFn {
    let (mut k, mut high) = (0u64, None::<SeqNumber>);
    Box::new(move |side, _, t| {
        if side != Side::Client || t.payload.is_empty() {
            return Fate::Deliver;
        }
        let end = t.header.seq_number + t.payload.len() as u32;
        if high.is_some_and(|h| end.distance_from(h) <= 0) {
            return Fate::Deliver;
        }
        high = Some(end);
        k += 1;
        if nth.contains(&k) {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    })
}

/// RFC 9937 §4 ("force a fast retransmit upon entering recovery") and
/// RFC 6675 §5 step (4.2): the whole flight is the initial window of ten
/// segments; segment 5 and segments 7 to 10 are lost. The SACK of segment
/// 6 lets RACK's reordering timer mark 5 lost (RFC 8985 §6.3) and start
/// recovery with pipe = 4 segments (7 to 10), above the reduced cwnd. The
/// retransmission of 5 must go at once all the same: its delivery is what
/// tells RACK that 7 to 10 are lost (§6.2). Waiting for PRR's share of
/// delivered data, which no further ACK brings, leaves only the
/// retransmission timer (or a probe the PTO armed before recovery began,
/// 2*SRTT later): no timeout and no probe.
fn first_retransmission_unconditional() -> R {
    let (p, _) = run(Config::default(), 10, 88, drop_first(&[5, 7, 8, 9, 10]))?;
    let st = p.client.stats();
    ensure(
        st.timeouts == 0 && st.tlp_probes == 0 && st.fast_retransmits >= 1,
        || {
            format!(
                "{}, {} fast retransmits (want 0 timeouts, 0 probes)",
                show(&st),
                st.fast_retransmits
            )
        },
    )
}

/// RFC 5682 §3.1 step 3a with RFC 6675 §5.1: segment 2 of a 30-segment
/// transfer is lost, and every ACK until the timer fires (those of the
/// initial window and of the tail loss probe). The ACK of the timer's
/// retransmission of segment 1 moves SND.UNA to segment 2 (step 2b: two
/// new segments go); the next SACKs them: the timeout is found spurious
/// and undone. Segment 2 is still lost, and RACK sees it (RFC 8985 §6.2:
/// segments sent after it were delivered). RFC 6675 §5.1's rule that no
/// new recovery starts until SND.UNA passes the timeout's recovery point
/// belongs to the timeout, which the undo withdrew (RFC 4015 §1: the
/// response restores the state from before the timeout): fast recovery
/// repairs segment 2, with no second timeout.
fn frto_undo_then_fast_recovery() -> R {
    let server = Config::default().delayed_ack(None);
    let mut p = established_pair(Config::default(), server, 89)?;
    p.spacing = Duration::from_millis(1);
    let (mut k, mut high, mut first, mut timer_fired) =
        (0u64, None::<SeqNumber>, None::<SeqNumber>, false);
    p.fate = Box::new(move |side, _, t| {
        if side == Side::Server {
            return if timer_fired {
                Fate::Deliver
            } else {
                Fate::Drop
            };
        }
        if t.payload.is_empty() {
            return Fate::Deliver;
        }
        let seq = t.header.seq_number;
        let end = seq + t.payload.len() as u32;
        if high.is_none_or(|h| end.distance_from(h) > 0) {
            high = Some(end);
            first = first.or(Some(seq));
            k += 1;
            if k == 2 {
                return Fate::Drop;
            }
        } else if Some(seq) == first {
            // The timer's retransmission of segment 1.
            timer_fired = true;
        }
        Fate::Deliver
    });
    let data = pattern(30 * MSS as usize, 11);
    let (_, got) = exchange(&mut p, &data, &[], false);
    ensure(got == data, || "data not delivered intact".into())?;
    p.run_until_idle();
    let st = p.client.stats();
    ensure(st.spurious_timeouts == 1, || {
        format!(
            "{} timeouts found spurious (want 1: the pattern is F-RTO's step 3a); {}",
            st.spurious_timeouts,
            show(&st)
        )
    })?;
    ensure(st.timeouts == 1 && st.fast_retransmits >= 1, || {
        format!(
            "{}, {} fast retransmits (want 1 timeout, then fast recovery)",
            show(&st),
            st.fast_retransmits
        )
    })
}

/// RFC 9937 §4: a PRR episode ends with cwnd = ssthresh. Ten segments,
/// segment 5 lost: the recovery ends with the ACK of everything, so the
/// flight is empty then, and RFC 6582 §3.2 step 3's option (1),
/// min(ssthresh, max(FlightSize, SMSS) + SMSS), would leave two segments.
fn prr_exit_cwnd() -> R {
    use handshake_tcp::conn::{CwndCause, TraceEvent};
    let (mut p, _) = run(Config::default().trace(4096), 10, 90, drop_first(&[5]))?;
    let ends: Vec<(u32, u32)> = p
        .client
        .drain_trace()
        .filter_map(|e| match e {
            TraceEvent::Cwnd {
                cwnd,
                ssthresh,
                cause: CwndCause::RecoveryEnd,
                ..
            } => Some((cwnd, ssthresh)),
            _ => None,
        })
        .collect();
    ensure(
        ends.len() == 1 && ends[0].0 == ends[0].1 && ends[0].1 > 2 * MSS,
        || format!("(cwnd, ssthresh) at each recovery's end: {ends:?} (want one, cwnd = ssthresh)"),
    )
}

/// RFC 8985 §6.2 and §7.3 in fast recovery: segment 5's retransmission
/// is lost too, and so is every ACK the receiver sends for the next 30 ms
/// (those of the segments in flight: a receiver that acknowledges a burst
/// with one ACK on a lossy path). RACK finds a lost retransmission only
/// from the SACK of a segment sent after it; with the ACKs gone, only a
/// probe 2*SRTT after the last one heard draws that SACK (the deviation
/// from §7.2's "unless ... in fast recovery" that
/// `Config::recovery_probe` documents). With it, no RTO; without it, the
/// same pattern needs the timer.
fn probe_in_recovery() -> R {
    let fate = || -> handshake_tcp::conn::pair::FateFn {
        let (mut k, mut target, mut sent5) = (0u64, None::<SeqNumber>, 0u32);
        // The TSval of segment 5's retransmission: the receiver's ACKs are
        // lost until the sender sends data 30 ms (TSval ticks) after it.
        let (mut blackout_from, mut blackout) = (None::<u32>, false);
        Box::new(move |side, _, t| {
            let tsval = t.header.options.timestamps.map(|ts| ts.tsval);
            if side == Side::Server {
                return if blackout { Fate::Drop } else { Fate::Deliver };
            }
            if t.payload.is_empty() {
                return Fate::Deliver;
            }
            if let (Some(from), Some(now)) = (blackout_from, tsval) {
                if now.wrapping_sub(from) >= 30 {
                    blackout = false;
                }
            }
            k += 1;
            if k == 5 {
                target = Some(t.header.seq_number);
            }
            if target == Some(t.header.seq_number) {
                sent5 += 1;
                if sent5 == 2 {
                    blackout_from = tsval;
                    blackout = true;
                }
                if sent5 <= 2 {
                    return Fate::Drop;
                }
            }
            Fate::Deliver
        })
    };
    let (p, _) = run(Config::default(), 40, 91, fate())?;
    let st = p.client.stats();
    ensure(
        st.timeouts == 0 && st.tlp_probes >= 1 && st.fast_retransmits >= 1,
        || {
            format!(
                "probe in recovery on: {} (want 0 timeouts, a probe)",
                show(&st)
            )
        },
    )?;
    let (q, _) = run(Config::default().recovery_probe(false), 40, 91, fate())?;
    let sq = q.client.stats();
    ensure(sq.timeouts >= 1, || {
        format!(
            "probe in recovery off: {} (the pattern should need an RTO)",
            show(&sq)
        )
    })
}

/// The `tcp.recovery.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    Case::table(
        Kind::Simulation,
        &[
            (
                Should,
                "tcp.recovery.rack-lost-retransmission",
                "RFC 8985 §6.2",
                lost_retransmission,
            ),
            (
                Should,
                "tcp.recovery.tlp-tail-loss",
                "RFC 8985 §7.2, §7.3",
                tail_loss_probe,
            ),
            (
                Should,
                "tcp.recovery.rack-reordering-within-window",
                "RFC 8985 §6.2 step 5",
                reordering_within_window,
            ),
            (
                Should,
                "tcp.recovery.dsack-widens-reo-wnd",
                "RFC 8985 §6.2 step 4",
                dsack_widens_reo_wnd,
            ),
            (
                Should,
                "tcp.recovery.prr-sending-count",
                "RFC 6937 §3",
                prr_counts,
            ),
            (
                Should,
                "tcp.recovery.frto-spurious-timeout-undone",
                "RFC 5682 §3.1",
                frto_spurious_timeout,
            ),
            (
                Should,
                "tcp.recovery.dsack-block-edges",
                "RFC 2883 §4",
                dsack_block_edges,
            ),
            (
                Should,
                "tcp.recovery.srtt-below-timestamp-tick",
                "RFC 6298 §3, RFC 7323 §4.1, RFC 8985 §7.2",
                srtt_below_timestamp_tick,
            ),
            (
                Should,
                "tcp.recovery.first-retransmission-unconditional",
                "RFC 9937 §4, RFC 6675 §5 (4.2)",
                first_retransmission_unconditional,
            ),
            (
                Should,
                "tcp.recovery.frto-undo-then-fast-recovery",
                "RFC 5682 §3.1, RFC 6675 §5.1",
                frto_undo_then_fast_recovery,
            ),
            (
                Should,
                "tcp.recovery.prr-exit-cwnd-ssthresh",
                "RFC 9937 §4",
                prr_exit_cwnd,
            ),
            (
                Should,
                "tcp.recovery.probe-in-recovery-after-ack-loss",
                "RFC 8985 §6.2, §7.3 (deviation from §7.2: a probe in fast recovery)",
                probe_in_recovery,
            ),
        ],
    )
}
