//! `tcp.sim.*`: Whole connections over the seeded network simulator: delivery, loss, reordering, fairness.

use super::support::R;
use crate::Kind;
use crate::Level::{Must, Should};
use crate::{check_property, Case, Ctx, Outcome};
use handshake_tcp::conn::{Config, State};
use handshake_tcp::sim::{
    Action, Bulk, Echo, EndpointId, LinkConfig, Requester, Rule, RunOutcome, SegmentEvent, Select,
    Side, SimConfig, Simulator, Sink,
};
use handshake_time::Duration;
use proptest::prelude::*;

fn ensure(cond: bool, why: impl FnOnce() -> String) -> R {
    if cond {
        Ok(())
    } else {
        Err(why())
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One direction of a generated path.
#[derive(Debug, Clone, Copy)]
struct Path {
    /// One-way delay, ms.
    delay_ms: u64,
    /// Bottleneck in bit/s, and its queue in packets; None: unlimited.
    bottleneck: Option<(u64, usize)>,
    loss: f64,
    reorder: f64,
    reorder_ms: u64,
    duplicate: f64,
}

impl Path {
    fn link(&self) -> LinkConfig {
        let mut l = LinkConfig::default()
            .delay(ms(self.delay_ms))
            .loss(self.loss)
            .reorder(self.reorder, ms(self.reorder_ms))
            .duplicate(self.duplicate);
        if let Some((bps, queue)) = self.bottleneck {
            l = l.bandwidth_bps(bps).queue_packets(queue);
        }
        l
    }
}

fn path() -> impl Strategy<Value = Path> {
    (
        1u64..120,
        prop::option::of((1_000_000u64..100_000_000, 4usize..200)),
        0.0..0.2f64,
        0.0..0.3f64,
        1u64..60,
        0.0..0.1f64,
    )
        .prop_map(
            |(delay_ms, bottleneck, loss, reorder, reorder_ms, duplicate)| Path {
                delay_ms,
                bottleneck,
                loss,
                reorder,
                reorder_ms,
                duplicate,
            },
        )
}

/// Default settings but a 50 ms RTO floor and a 2 s ceiling, so losses cost
/// little simulated time, and enough retries that 20% loss each way never
/// exhausts them (0.36^30 per segment).
fn lossy_config() -> Config {
    Config::default()
        .min_rto(ms(50))
        .max_rto(Duration::from_secs(2))
        .max_retries(30)
        .max_syn_retries(30)
}

/// The checks every run shares: each connection closed in order (the
/// active closer after TIME-WAIT), nothing reset or timed out, and no
/// buffer above its configured size.
fn closed_cleanly(sim: &Simulator, ids: &[EndpointId]) -> R {
    for &id in ids {
        let c = sim.connection(id).ok_or("not a connection")?;
        ensure(c.state() == State::Closed, || {
            format!("#{} ended in {:?}", id.index(), c.state())
        })?;
        let ev = sim.event_counts(id).ok_or("not a connection")?;
        ensure(
            ev.connected == 1 && ev.closed == 1 && ev.reset == 0 && ev.timed_out == 0,
            || format!("#{} events {ev:?}", id.index()),
        )?;
    }
    Ok(())
}

/// Buffers never above what the configuration allows (RFC 9293 §3.8.6:
/// the receiver holds no more than it advertised).
fn bounded(sim: &Simulator, ids: &[EndpointId], send_buffer: usize, recv_buffer: usize) -> R {
    for &id in ids {
        let p = sim.peaks(id).ok_or("not a connection")?;
        ensure(
            p.reassembly_bytes <= recv_buffer
                && p.recv_queue <= recv_buffer
                && p.reassembly_bytes + p.recv_queue <= recv_buffer + 1
                && p.send_queue <= send_buffer,
            || format!("#{} peaks {p:?} beyond buffers", id.index()),
        )?;
    }
    Ok(())
}

/// The first connection `l` accepted, which received exactly `size` bytes,
/// in order and each once.
fn received_all(sim: &Simulator, l: EndpointId, size: u64) -> Result<EndpointId, String> {
    let s = *sim.accepted(l).first().ok_or("nothing accepted")?;
    let got = sim.report(s).ok_or("no report")?;
    ensure(got.received == size && got.first_mismatch.is_none(), || {
        format!(
            "{} of {size} bytes, first out of order: {:?}",
            got.received, got.first_mismatch
        )
    })?;
    Ok(s)
}

/// A bulk transfer of `size` bytes from A to a sink on B over the given
/// paths; every byte must arrive once, in order, and both ends close.
fn one_way(seed: u64, up: Path, down: Path, size: u64, buffers: usize) -> R {
    let cfg = lossy_config().send_buffer(buffers).recv_buffer(buffers);
    let mut sim = Simulator::new(SimConfig::default().seed(seed));
    sim.set_link(Side::A, up.link());
    sim.set_link(Side::B, down.link());
    let l = sim.listen(Side::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(Side::A, cfg.clone(), sim.addr(l), Bulk::new(size));
    let outcome = sim.run_until_idle();
    ensure(outcome == RunOutcome::Done, || {
        format!("run ended: {outcome:?}")
    })?;
    let s = *sim.accepted(l).first().ok_or("nothing accepted")?;
    let got = sim.report(s).ok_or("no report")?;
    ensure(got.first_mismatch.is_none(), || {
        format!("byte {:?} out of order or duplicated", got.first_mismatch)
    })?;
    ensure(got.received == size && got.peer_closed, || {
        format!(
            "{} of {size} bytes arrived (FIN: {})",
            got.received, got.peer_closed
        )
    })?;
    closed_cleanly(&sim, &[c, s])?;
    bounded(&sim, &[c, s], buffers, buffers)
}

fn delivery_exactly_once(ctx: &mut Ctx) -> Outcome {
    let strategy = (
        any::<u64>(),
        path(),
        path(),
        1u64..(1 << 20),
        prop::sample::select(vec![4096usize, 16 * 1024, 64 * 1024, 256 * 1024]),
    );
    check_property(ctx, strategy, |(seed, up, down, size, buffers)| {
        one_way(seed, up, down, size, buffers).map_err(TestCaseError::fail)
    })
}

/// Both ends send at once and close when their data is queued (half-close,
/// RFC 9293 §3.6); every segment crosses as bytes with its checksum.
fn both_ways(ctx: &mut Ctx) -> Outcome {
    let strategy = (
        any::<u64>(),
        path(),
        path(),
        0u64..(256 * 1024),
        0u64..(256 * 1024),
    );
    check_property(ctx, strategy, |(seed, up, down, a, b)| {
        let cfg = lossy_config().recv_buffer(32 * 1024);
        let mut sim = Simulator::new(SimConfig::default().seed(seed).wire_format(true));
        sim.set_link(Side::A, up.link());
        sim.set_link(Side::B, down.link());
        // Bulk stream s reads stream !s: the two ends check each other.
        let l = sim.listen(Side::B, cfg.clone(), 80, move || {
            Box::new(Bulk::new(b).stream(!1))
        });
        let c = sim.connect(Side::A, cfg.clone(), sim.addr(l), Bulk::new(a));
        let outcome = sim.run_until_idle();
        prop_assert_eq!(outcome, RunOutcome::Done);
        let s = *sim
            .accepted(l)
            .first()
            .ok_or(TestCaseError::fail("nothing accepted"))?;
        let (rc, rs) = (sim.report(c).unwrap(), sim.report(s).unwrap());
        prop_assert_eq!((rc.received, rc.first_mismatch), (b, None));
        prop_assert_eq!((rs.received, rs.first_mismatch), (a, None));
        prop_assert!(sim.link_stats(Side::A).offered > 0);
        closed_cleanly(&sim, &[c, s]).map_err(TestCaseError::fail)?;
        bounded(&sim, &[c, s], 256 * 1024, 32 * 1024).map_err(TestCaseError::fail)
    })
}

/// Request-response over an echo, lossy paths: each response is the request.
fn echo(ctx: &mut Ctx) -> Outcome {
    let strategy = (any::<u64>(), path(), path(), 1u64..20_000, 1u32..10);
    check_property(ctx, strategy, |(seed, up, down, size, rounds)| {
        let cfg = lossy_config();
        let mut sim = Simulator::new(SimConfig::default().seed(seed));
        sim.set_link(Side::A, up.link());
        sim.set_link(Side::B, down.link());
        let l = sim.listen(Side::B, cfg.clone(), 7, || Box::new(Echo::new(4096)));
        let c = sim.connect(
            Side::A,
            cfg.clone(),
            sim.addr(l),
            Requester::new(size, rounds),
        );
        prop_assert_eq!(sim.run_until_idle(), RunOutcome::Done);
        let r = sim.report(c).unwrap();
        let total = size * u64::from(rounds);
        prop_assert_eq!((r.sent, r.received, r.first_mismatch), (total, total, None));
        let s = *sim
            .accepted(l)
            .first()
            .ok_or(TestCaseError::fail("nothing accepted"))?;
        closed_cleanly(&sim, &[c, s]).map_err(TestCaseError::fail)
    })
}

/// Bulk throughput over a lossless 10 Mbit/s path with a 10 ms RTT: the
/// sliding window keeps the bottleneck busy, so goodput is the link rate
/// less header overhead.
fn bottleneck_throughput() -> R {
    let bps = 10_000_000u64;
    let link = LinkConfig::default().delay(ms(5)).bandwidth_bps(bps);
    let mut sim = Simulator::new(SimConfig::default().seed(1).trace_capacity(1 << 16));
    sim.set_link(Side::A, link.clone());
    sim.set_link(Side::B, link);
    let size = 4u64 << 20;
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    sim.connect(Side::A, Config::default(), sim.addr(l), Bulk::new(size));
    let start = sim.now();
    sim.run_until(Duration::from_secs(60), |sim| {
        sim.accepted(l)
            .first()
            .and_then(|&s| sim.report(s))
            .is_some_and(|r| r.received == size)
    });
    received_all(&sim, l, size)?;
    let secs = (sim.now() - start).as_secs_f64();
    let goodput = size as f64 * 8.0 / secs;
    // 1460 data bytes in each 1500-byte packet: at most 97.3% of the link.
    ensure(goodput >= 0.9 * bps as f64 && goodput <= bps as f64, || {
        format!("goodput {:.2} Mbit/s on a 10 Mbit/s link", goodput / 1e6)
    })
}

/// A 4-packet drop-tail queue at 1 Mbit/s under a 10-segment window: the
/// queue never holds more than 4, packets on the link never exceed the queue
/// plus what the propagation delay holds, and retransmission (RFC 6298 §5)
/// recovers every tail drop.
fn drop_tail() -> R {
    let (queue, delay) = (4usize, ms(20));
    let link = LinkConfig::default()
        .delay(delay)
        .bandwidth_bps(1_000_000)
        .queue_packets(queue);
    let mut sim = Simulator::new(SimConfig::default().seed(2).trace_capacity(1 << 18));
    sim.set_link(Side::A, link.clone());
    sim.set_link(Side::B, LinkConfig::default().delay(delay));
    let cfg = Config::default().min_rto(ms(200));
    let l = sim.listen(Side::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(Side::A, cfg.clone(), sim.addr(l), Bulk::new(200_000));
    sim.run_until_idle();
    let st = sim.link_stats(Side::A);
    ensure(
        st.dropped_queue > 0 && st.max_queue_packets == queue,
        || format!("queue stats {st:?}"),
    )?;
    let s = received_all(&sim, l, 200_000)?;
    // Bytes accepted by the link and not yet delivered, once all events at
    // an instant are done: at most a full queue, what the propagation delay
    // holds at the link rate, and one packet of rounding.
    let bytes = |r: &handshake_tcp::sim::SegmentRecord| r.len as i64 + 40;
    let limit = (queue * 1500) as i64 + (delay.as_secs_f64() * 1_000_000.0 / 8.0) as i64 + 1500;
    let (mut on_link, mut worst, mut at) = (0i64, 0i64, None);
    for r in sim.trace().segments().filter(|r| r.from == Side::A) {
        if at != Some(r.time) {
            worst = worst.max(on_link);
            at = Some(r.time);
        }
        match r.event {
            SegmentEvent::Sent | SegmentEvent::Duplicated => on_link += bytes(r),
            SegmentEvent::Dropped(_) | SegmentEvent::Delivered => on_link -= bytes(r),
        }
    }
    // Without the queue limit the 10-segment window (15000 bytes) would all be on the link.
    ensure(worst <= limit && limit < 15_000, || {
        format!("{worst} bytes on the link, limit {limit}")
    })?;
    ensure(sim.trace().overflow() == 0, || "trace overflowed".into())?;
    closed_cleanly(&sim, &[c, s])
}

/// Four connections through one 8 Mbit/s bottleneck with a 30-packet queue:
/// all complete with their data intact, and together they keep the link busy.
fn shared_bottleneck() -> R {
    let link = LinkConfig::default()
        .delay(ms(10))
        .bandwidth_bps(8_000_000)
        .queue_packets(30);
    let mut sim = Simulator::new(SimConfig::default().seed(3));
    sim.set_link(Side::A, link.clone());
    sim.set_link(Side::B, link);
    let cfg = Config::default().min_rto(ms(200));
    let l = sim.listen(Side::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
    let size = 512 * 1024u64;
    let clients: Vec<_> = (0..4)
        .map(|_| sim.connect(Side::A, cfg.clone(), sim.addr(l), Bulk::new(size)))
        .collect();
    let start = sim.now();
    let all_in = |sim: &Simulator| {
        sim.accepted(l).len() == 4
            && sim
                .accepted(l)
                .iter()
                .all(|&s| sim.report(s).is_some_and(|r| r.received == size))
    };
    sim.run_until(Duration::from_secs(600), all_in);
    ensure(all_in(&sim), || "not every transfer completed".into())?;
    let secs = (sim.now() - start).as_secs_f64();
    let goodput = 4.0 * size as f64 * 8.0 / secs;
    ensure(goodput >= 0.8 * 8e6, || {
        format!("aggregate goodput {:.2} Mbit/s of 8", goodput / 1e6)
    })?;
    sim.run_until_idle();
    let servers = sim.accepted(l).to_vec();
    for &s in &servers {
        let r = sim.report(s).unwrap();
        ensure(r.first_mismatch.is_none() && r.peer_closed, || {
            format!("#{}: {r:?}", s.index())
        })?;
    }
    closed_cleanly(&sim, &clients)?;
    closed_cleanly(&sim, &servers)
}

/// A 300 ms RTT path: the transfer completes, SRTT converges on the path's
/// RTT (RFC 6298 §2), and since RTT < the 1 s initial RTO nothing is
/// retransmitted.
fn long_rtt() -> R {
    let link = LinkConfig::default()
        .delay(ms(150))
        .bandwidth_bps(50_000_000);
    let mut sim = Simulator::new(SimConfig::default().seed(4));
    sim.set_link(Side::A, link.clone());
    sim.set_link(Side::B, link);
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(
        Side::A,
        Config::default(),
        sim.addr(l),
        Bulk::new(256 * 1024).close_when_done(false),
    );
    sim.run_until(Duration::from_secs(120), |sim| {
        sim.report(c).is_some_and(|r| r.done)
    });
    let conn = sim.connection(c).ok_or("no connection")?;
    let st = conn.stats();
    received_all(&sim, l, 256 * 1024)?;
    // RFC 9293 §3.8.6.3: an ACK is delayed less than 0.5 s, so a sample is
    // the RTT plus at most that.
    let srtt = st.srtt.ok_or("no RTT measured")?;
    ensure(srtt >= ms(300) && srtt <= ms(800), || {
        format!("SRTT {srtt:?} on a 300 ms path")
    })?;
    ensure(st.retransmits == 0 && st.rto >= srtt, || {
        format!("{} retransmissions, RTO {:?}", st.retransmits, st.rto)
    })
}

/// Two idle hours on an open connection, then a transfer: without
/// keep-alives (off by default, RFC 9293 §3.8.4) nothing is sent while
/// idle, the connection stays open, and the simulation skips the idle time.
fn idle_hours() -> R {
    let wall = std::time::Instant::now();
    let mut sim = Simulator::new(SimConfig::default().seed(5).trace_capacity(4096));
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    let idle = Duration::from_secs(2 * 3600);
    let c = sim.connect(
        Side::A,
        Config::default(),
        sim.addr(l),
        Bulk::new(100_000).start_after(idle),
    );
    let start = sim.now();
    // The handshake takes 20 ms on the default 10 ms links.
    let quiet_from = start + Duration::from_secs(1);
    ensure(sim.run_until_idle() == RunOutcome::Done, || "no end".into())?;
    let elapsed = wall.elapsed();
    let s = received_all(&sim, l, 100_000)?;
    ensure(sim.now() - start > idle, || {
        "less than 2 h simulated".into()
    })?;
    let during_idle = sim
        .trace()
        .segments()
        .filter(|r| r.event == SegmentEvent::Sent && r.time > quiet_from && r.time < start + idle)
        .count();
    ensure(during_idle == 0, || {
        format!("{during_idle} segments sent while idle")
    })?;
    closed_cleanly(&sim, &[c, s])?;
    ensure(elapsed < std::time::Duration::from_secs(1), || {
        format!("2 simulated hours took {elapsed:?} of wall time")
    })
}

/// The third data segment is lost once: the sender retransmits it
/// (RFC 6298 §5.4), the receiver holds what came after it out of order
/// and delivers everything in sequence (RFC 9293 §3.10.7.4).
fn nth_segment_lost() -> R {
    let mut sim = Simulator::new(SimConfig::default().seed(6).trace_capacity(1 << 14));
    sim.add_rule(Side::A, Rule::new(Select::NthData(2), Action::Drop));
    let cfg = Config::default().min_rto(ms(200));
    let l = sim.listen(Side::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(Side::A, cfg.clone(), sim.addr(l), Bulk::new(50_000));
    sim.run_until_idle();
    let s = received_all(&sim, l, 50_000)?;
    let lost = sim
        .trace()
        .segments()
        .find(|r| r.event == SegmentEvent::Dropped(handshake_tcp::sim::DropReason::Rule))
        .ok_or("nothing dropped")?;
    let resent = sim.trace().segments().any(|r| {
        r.event == SegmentEvent::Delivered && r.seq == lost.seq && r.len > 0 && r.time > lost.time
    });
    ensure(resent, || format!("seq {} never retransmitted", lost.seq))?;
    ensure(sim.peaks(s).unwrap().reassembly_bytes > 0, || {
        "nothing was held out of order".into()
    })?;
    closed_cleanly(&sim, &[c, s])
}

/// The `tcp.sim.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    let mut all = Case::table(
        Kind::Simulation,
        &[
            (
                Should,
                "tcp.sim.bulk.bottleneck-throughput",
                "RFC 9293 §3.8.6 (sliding window)",
                bottleneck_throughput,
            ),
            (
                Must,
                "tcp.sim.queue.drop-tail-recovery",
                "RFC 6298 §5, RFC 9293 §3.8.1",
                drop_tail,
            ),
            (
                Must,
                "tcp.sim.bottleneck.shared-by-four",
                "RFC 9293 §3.8.6, §3.6",
                shared_bottleneck,
            ),
            (
                Must,
                "tcp.sim.path.long-rtt-300ms",
                "RFC 6298 §2, §5",
                long_rtt,
            ),
            (
                Must,
                "tcp.sim.idle.two-hours-no-keepalive",
                "RFC 9293 §3.8.4 (MUST-24)",
                idle_hours,
            ),
            (
                Must,
                "tcp.sim.loss.nth-data-segment",
                "RFC 6298 §5.4, RFC 9293 §3.10.7.4",
                nth_segment_lost,
            ),
        ],
    );
    all.extend([
        Case::must(
            "tcp.sim.property.delivery-exactly-once",
            "RFC 9293 §3.4, §3.10.7.4, §3.6",
        )
        .property(delivery_exactly_once),
        Case::must(
            "tcp.sim.property.both-ways-half-close",
            "RFC 9293 §3.6, §3.10.7.4, §3.1 (checksum)",
        )
        .property(both_ways),
        Case::must(
            "tcp.sim.property.request-response",
            "RFC 9293 §3.4, §3.10.7.4",
        )
        .property(echo),
    ]);
    all
}
