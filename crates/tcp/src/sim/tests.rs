use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn fast() -> Config {
    Config::default().min_rto(ms(200))
}

/// A bulk transfer of `n` bytes from A to a sink on B; returns (sim, client, server).
fn bulk(seed: u64, a: LinkConfig, b: LinkConfig, n: u64) -> (Simulator, EndpointId, EndpointId) {
    let mut sim = Simulator::new(SimConfig::default().seed(seed).trace_capacity(1 << 20));
    sim.set_link(Side::A, a);
    sim.set_link(Side::B, b);
    let l = sim.listen(Side::B, fast(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(Side::A, fast(), sim.addr(l), Bulk::new(n));
    assert_eq!(sim.run_until_idle(), RunOutcome::Done);
    let s = sim.accepted(l)[0];
    (sim, c, s)
}

#[test]
fn lossless_transfer_delivers_and_both_close() {
    let (sim, c, s) = bulk(1, LinkConfig::default(), LinkConfig::default(), 300_000);
    let got = sim.report(s).unwrap();
    assert_eq!((got.received, got.first_mismatch), (300_000, None));
    assert!(got.peer_closed && sim.report(c).unwrap().done);
    assert_eq!(sim.connection(c).unwrap().state(), State::Closed);
    assert_eq!(sim.connection(s).unwrap().state(), State::Closed);
    let counts = sim.event_counts(c).unwrap();
    assert_eq!((counts.connected, counts.closed, counts.reset), (1, 1, 0));
    // The active closer went through TIME-WAIT: 2*MSL after its last ACK.
    let last_sent = sim
        .trace()
        .segments()
        .filter(|r| r.from == Side::A && r.event == SegmentEvent::Sent)
        .last()
        .unwrap()
        .time;
    assert_eq!(
        sim.now() - last_sent,
        Config::default().time_wait_duration()
    );
}

#[test]
fn same_seed_same_run_and_seeds_differ() {
    let lossy = || {
        LinkConfig::default()
            .loss(0.1)
            .reorder(0.1, ms(15))
            .duplicate(0.05)
    };
    let csv = |seed| {
        let (sim, _, s) = bulk(seed, lossy(), lossy(), 100_000);
        assert_eq!(sim.report(s).unwrap().first_mismatch, None);
        assert_eq!(sim.report(s).unwrap().received, 100_000);
        let mut out = String::new();
        sim.trace().write_csv(&mut out).unwrap();
        out
    };
    let a = csv(5);
    assert_eq!(a, csv(5));
    assert_ne!(a, csv(6));
    assert!(a.contains("dropped-loss") && a.contains("duplicated"));
}

#[test]
fn bandwidth_sets_the_transfer_time() {
    // 8 Mbit/s: 1 MB of segments (1448 data octets: MSS 1460 less the 12 of
    // TSopt, + 52 header bytes) takes ~1.04 s. The initial window (10
    // segments) already exceeds the 2 ms-RTT BDP, so the link stays busy; a
    // queue deep enough for slow start's overshoot keeps it lossless.
    let link = LinkConfig::default()
        .delay(ms(1))
        .bandwidth_bps(8_000_000)
        .queue_packets(1000)
        .queue_bytes(4 << 20);
    let (sim, c, s) = bulk(2, link.clone(), link, 1_000_000);
    assert_eq!(sim.report(s).unwrap().received, 1_000_000);
    let first = sim.trace().segments().next().unwrap().time;
    let fin = sim
        .trace()
        .segments()
        .find(|r| {
            r.flags.contains(crate::wire::TcpFlags::FIN)
                && r.from == Side::A
                && r.event == SegmentEvent::Delivered
        })
        .unwrap()
        .time;
    let secs = (fin - first).as_secs_f64();
    let ideal = 1_000_000.0 / 1448.0 * 1500.0 * 8.0 / 8e6;
    assert!(secs > ideal && secs < ideal * 1.02, "{secs} s vs {ideal} s");
    assert_eq!(sim.link_stats(Side::A).dropped_queue, 0);
    // The flight never exceeds the receive window (256 KiB).
    assert!(sim.peaks(c).unwrap().bytes_in_flight <= 256 * 1024 + 1);
}

#[test]
fn drop_tail_queue_overflows_and_retransmission_recovers() {
    // A 3-packet queue at 1 Mbit/s cannot hold a 10-segment window.
    let link = LinkConfig::default()
        .delay(ms(5))
        .bandwidth_bps(1_000_000)
        .queue_packets(3);
    let (sim, c, s) = bulk(3, link, LinkConfig::default().delay(ms(5)), 100_000);
    let st = sim.link_stats(Side::A);
    assert!(st.dropped_queue > 0);
    assert_eq!(st.max_queue_packets, 3);
    assert_eq!(sim.report(s).unwrap().received, 100_000);
    assert!(sim.connection(c).unwrap().stats().retransmits > 0);
}

#[test]
fn echo_request_response() {
    let mut sim = Simulator::new(SimConfig::default().seed(4).wire_format(true));
    let l = sim.listen(Side::B, fast(), 7, || Box::new(Echo::new(8 * 1024)));
    let c = sim.connect(Side::A, fast(), sim.addr(l), Requester::new(50_000, 4));
    assert_eq!(sim.run_until_idle(), RunOutcome::Done);
    let r = sim.report(c).unwrap();
    assert_eq!(
        (r.sent, r.received, r.first_mismatch),
        (200_000, 200_000, None)
    );
    assert!(r.done && r.peer_closed);
    let e = sim.report(sim.accepted(l)[0]).unwrap();
    assert_eq!((e.sent, e.received), (200_000, 200_000));
    assert!(sim.apps_done());
}

#[test]
fn two_idle_hours_take_few_events() {
    let mut sim = Simulator::new(SimConfig::default().seed(5));
    let l = sim.listen(Side::B, fast(), 80, || Box::new(Sink::new(1)));
    let c = sim.connect(
        Side::A,
        fast(),
        sim.addr(l),
        Bulk::new(10_000).start_after(Duration::from_secs(7200)),
    );
    let start = sim.now();
    assert_eq!(sim.run_until_idle(), RunOutcome::Done);
    assert!(sim.now() - start > Duration::from_secs(7200));
    assert_eq!(sim.report(sim.accepted(l)[0]).unwrap().received, 10_000);
    assert!(sim.events_run() < 100, "{} events", sim.events_run());
    assert_eq!(sim.connection(c).unwrap().state(), State::Closed);
}

#[test]
fn every_syn_dropped_times_out() {
    let mut sim = Simulator::new(SimConfig::default().trace_capacity(100));
    sim.add_rule(Side::A, Rule::new(Select::EverySyn, Action::Drop));
    let l = sim.listen(Side::B, Config::default(), 80, || Box::new(Sink::new(1)));
    let cfg = Config::default().max_syn_retries(3);
    let c = sim.connect(Side::A, cfg, sim.addr(l), Bulk::new(10));
    sim.run_until_idle();
    assert_eq!(sim.event_counts(c).unwrap().timed_out, 1);
    assert_eq!(sim.link_stats(Side::A).dropped_rule, 4);
    assert!(sim.accepted(l).is_empty());
    let drops: Vec<_> = sim
        .trace()
        .segments()
        .filter(|r| r.event == SegmentEvent::Dropped(DropReason::Rule))
        .map(|r| r.time)
        .collect();
    // RFC 6298 §5.5: the timer backs off, 1 s, 2 s, 4 s.
    let gaps: Vec<_> = drops.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(gaps, [ms(1000), ms(2000), ms(4000)]);
}

#[test]
fn samples_follow_connection_state_and_csv_lines_up() {
    let (sim, c, _) = bulk(6, LinkConfig::default(), LinkConfig::default(), 20_000);
    let states: Vec<_> = sim
        .trace()
        .samples()
        .filter(|s| s.endpoint == c)
        .map(|s| s.stats.state)
        .collect();
    assert_eq!(states.first(), Some(&State::SynSent));
    // The application sends and closes as soon as the handshake completes.
    assert_eq!(states[1], State::FinWait1);
    assert_eq!(states[states.len() - 2], State::TimeWait);
    assert_eq!(states.last(), Some(&State::Closed));
    let mut csv = String::new();
    sim.trace().write_csv(&mut csv).unwrap();
    let columns = csv.lines().next().unwrap().split(',').count();
    for line in csv.lines() {
        assert_eq!(line.split(',').count(), columns, "{line}");
    }
}

#[test]
fn trace_is_capped() {
    let mut sim = Simulator::new(SimConfig::default().trace_capacity(10));
    let l = sim.listen(Side::B, fast(), 80, || Box::new(Sink::new(1)));
    sim.connect(Side::A, fast(), sim.addr(l), Bulk::new(100_000));
    sim.run_until_idle();
    assert_eq!(sim.trace().events().len(), 10);
    assert!(sim.trace().overflow() > 100);
}

#[test]
fn no_endpoint_drops_and_several_connections_share_a_link() {
    let mut sim = Simulator::new(SimConfig::default().trace_capacity(1 << 16));
    let link = LinkConfig::default()
        .bandwidth_bps(20_000_000)
        .queue_packets(40);
    sim.set_link(Side::A, link.clone());
    sim.set_link(Side::B, link);
    let l = sim.listen(Side::B, fast(), 80, || Box::new(Sink::new(1)));
    let nowhere: SocketAddr = "198.51.100.200:9".parse().unwrap();
    let lost = sim.connect(Side::A, fast().max_syn_retries(1), nowhere, Bulk::new(1));
    let clients: Vec<_> = (0..4)
        .map(|_| sim.connect(Side::A, fast(), sim.addr(l), Bulk::new(200_000)))
        .collect();
    sim.run_until_idle();
    assert_eq!(sim.accepted(l).len(), 4);
    for &s in sim.accepted(l) {
        let r = sim.report(s).unwrap();
        assert_eq!(
            (r.received, r.first_mismatch, r.done),
            (200_000, None, true)
        );
    }
    for c in clients {
        assert!(sim.report(c).unwrap().done);
    }
    // RFC 9293 §3.10.7.1: the host with no such port answers the SYN with
    // a RST, which the client accepts (§3.10.7.3).
    assert_eq!(sim.event_counts(lost).unwrap().reset, 1);
    assert!(sim
        .trace()
        .segments()
        .any(|r| r.event == SegmentEvent::Dropped(DropReason::NoEndpoint)));
}

/// The same seeded lossy transfer (2 MB, both directions losing, 100
/// Mbit/s, 10 ms each way) with RACK-TLP on and off: RACK must need fewer
/// retransmission timeouts. `cargo test -p handshake-tcp rack_vs -- --nocapture`
/// prints the figures.
#[test]
fn rack_vs_dupthresh_under_random_loss() {
    extern crate std;
    let run = |rack: bool, loss: f64, seed: u64| {
        let link = || {
            LinkConfig::default()
                .bandwidth_bps(100_000_000)
                .loss(loss)
                .reorder(0.01, ms(2))
                .duplicate(0.01)
        };
        let mut sim = Simulator::new(SimConfig::default().seed(seed));
        sim.set_link(Side::A, link());
        sim.set_link(Side::B, link());
        let cfg = Config::default().rack(rack);
        let l = sim.listen(Side::B, cfg.clone(), 80, || Box::new(Sink::new(1)));
        let c = sim.connect(Side::A, cfg, sim.addr(l), Bulk::new(2_000_000));
        let start = sim.now();
        sim.run_until(Duration::from_secs(3600), |s| {
            s.accepted(l)
                .first()
                .and_then(|&id| s.report(id))
                .is_some_and(|r| r.received == 2_000_000)
        });
        let st = sim.connection(c).unwrap().stats();
        (st.timeouts, sim.now() - start, st.tlp_probes)
    };
    let (mut with, mut without) = (0, 0);
    for loss in [0.01, 0.03, 0.05] {
        for seed in 1..=3 {
            let on = run(true, loss, seed);
            let off = run(false, loss, seed);
            std::println!(
                "loss {loss}: seed {seed}: RACK on {} RTOs {:?} ({} probes); off {} RTOs {:?}",
                on.0,
                on.1,
                on.2,
                off.0,
                off.1
            );
            with += on.0;
            without += off.0;
        }
    }
    std::println!("total RTOs: RACK on {with}, off {without}");
    assert!(with < without, "RACK on {with} timeouts, off {without}");
}
