//! `tcp.conn.*` bodies. Data transfer: sequence wraparound, the receive window, loss, reordering, hostile segments.

use super::*;

pub(super) fn wraparound() -> R {
    // Across 2^32, and across 2^31 (where a signed comparison would flip).
    for isn in [u32::MAX, u32::MAX - 30_000, 0x7fff_ffff] {
        let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(isn));
        // One data segment lost, so a retransmission straddles the boundary too.
        p.fate = Box::new(|side, i, _| {
            if side == Side::Client && i == 4 {
                Fate::Drop
            } else {
                Fate::Deliver
            }
        });
        p.run_until_idle();
        let (a, b) = (pattern(80_000, 8), pattern(5_000, 9));
        let (cg, sg) = exchange(&mut p, &a, &b, true);
        ensure(cg == b && sg == a, || {
            format!("data differs across the boundary (ISN {isn:#x})")
        })?;
        let boundary = if isn > 0x8000_0000 { 0 } else { 0x8000_0000 };
        let crossed = p.log.iter().any(|(_, s, t, _)| {
            *s == Side::Client && t.header.seq_number.0.wrapping_sub(boundary) < 1_000_000
        });
        ensure(crossed, || {
            format!("ISN {isn:#x}: the client's sequence numbers never crossed {boundary:#x}")
        })?;
        ensure(p.client.state() == State::Closed, || {
            format!("{:?}", p.client.state())
        })?;
    }
    Ok(())
}

pub(super) fn receive_window() -> R {
    let mut p = Pair::new(
        Config::default(),
        Config::default().recv_buffer(3000),
        SeqNumber(20),
    );
    p.run_until_idle();
    p.client.send(&pattern(10_000, 10));
    p.advance(Duration::from_secs(5));
    let q = server(&mut p)?.recv_queue();
    ensure(q == 3000, || {
        format!("receiver holds {q} bytes with a 3000-byte window")
    })?;
    let sent: usize = p
        .log
        .iter()
        .filter(|(_, s, t, _)| *s == Side::Client && t.payload.len() > 1)
        .map(|(_, _, t, _)| t.payload.len())
        .sum();
    ensure(sent == 3000, || {
        format!("sender sent {sent} bytes into a 3000-byte window")
    })
}

pub(super) fn lossy(ctx: &mut Ctx) -> Outcome {
    let strategy = (
        any::<u64>(),
        0u64..=20,
        0u64..=10,
        0u64..=20,
        0usize..40_000,
        0usize..40_000,
        any::<u32>(),
    );
    ctx.property_cases = ctx.property_cases.min(64);
    check_property(
        ctx,
        strategy,
        |(seed, loss, dup, reorder, up, down, isn)| {
            let cfg = Config::default().recv_buffer(16 * 1024).mss(1000);
            let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(isn));
            // Every segment goes through emit, checksum and parse on the way.
            p.wire = true;
            let mut x = seed;
            let mut next = move || {
                x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                (z ^ (z >> 31)) % 100
            };
            p.fate = Box::new(move |_, _, _| {
                if next() < loss {
                    Fate::Drop
                } else if next() < dup {
                    Fate::Duplicate
                } else if next() < reorder {
                    Fate::Delay(Duration::from_millis(next() % 40))
                } else {
                    Fate::Deliver
                }
            });
            let (a, b) = (pattern(up, 11), pattern(down, 12));
            let (cg, sg) = exchange(&mut p, &a, &b, true);
            prop_assert!(
                sg == a,
                "client->server: {} of {} bytes, or out of order",
                sg.len(),
                a.len()
            );
            prop_assert_eq!(p.wire_errors, 0);
            prop_assert!(
                cg == b,
                "server->client: {} of {} bytes, or out of order",
                cg.len(),
                b.len()
            );
            let done = |s: Option<State>| matches!(s, Some(State::Closed | State::TimeWait));
            let s = p.server_ref().map(|s| s.state());
            prop_assert!(
                done(Some(p.client.state())) && done(s),
                "ended in {:?} / {:?}",
                p.client.state(),
                s
            );
            Ok(())
        },
    )
}

pub(super) fn out_of_order() -> R {
    let mut p = established(21)?;
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i % 5 == 1 {
            Fate::Delay(Duration::from_millis(25))
        } else {
            Fate::Deliver
        }
    });
    let data = pattern(120_000, 13);
    let (_, sg) = exchange(&mut p, &data, &[], false);
    ensure(sg == data, || {
        "reordered data not reassembled in order".into()
    })?;
    let held = server(&mut p)?.stats().reassembly_bytes;
    let st = p.client.stats();
    // Reordering by three or more segments looks like loss to RFC 5681
    // §3.2 fast retransmit; what must not happen is a timeout: reassembly,
    // not the retransmission timer, delivers the data.
    ensure(held == 0 && st.timeouts == 0, || {
        format!(
            "{held} bytes left out of order, {} retransmission timeouts (reordering needs none)",
            st.timeouts
        )
    })
}

pub(super) fn random_segments(ctx: &mut Ctx) -> Outcome {
    let seg = (
        any::<u32>(),
        any::<u32>(),
        any::<u8>(),
        any::<u16>(),
        0usize..2000,
        any::<Option<u8>>(),
    );
    let strategy = (0u8..3, any::<bool>(), proptest::collection::vec(seg, 1..25));
    check_property(ctx, strategy, |(stage, to_client, segs)| {
        let cfg = Config::default().recv_buffer(8192);
        let mut p = Pair::new(cfg.clone(), cfg, SeqNumber(u32::MAX - 50));
        p.run_until_idle();
        if stage >= 1 {
            p.client.close();
        }
        if stage >= 2 {
            p.advance(Duration::from_millis(50));
            if let Some(s) = p.server_mut() {
                s.close();
            }
        }
        p.advance(Duration::from_millis(50));
        for (seq, ack, flags, window, len, ws) in segs {
            let now = p.now;
            let c = match (to_client, p.server_mut()) {
                (false, Some(s)) => s,
                _ => &mut p.client,
            };
            // Half of the numbers land near the live windows (the sequence
            // number around RCV.NXT..RCV.NXT+RCV.WND, the acknowledgment
            // around SND.UNA..SND.NXT), half anywhere.
            let v = c.sequence_vars();
            let near = |x: u32, lo: SeqNumber, span: u32| {
                if x.is_multiple_of(2) {
                    let span = span.saturating_add(4000);
                    (lo - 2000).0.wrapping_add((x / 2) % span)
                } else {
                    x
                }
            };
            let mut s = SegmentRepr::new(
                c.remote().port(),
                c.local().port(),
                SeqNumber(near(seq, v.rcv_nxt, v.rcv_wnd)),
                TcpFlags::from_bits_retain(flags),
            );
            let in_flight = u32::try_from(v.snd_nxt.distance_from(v.snd_una)).unwrap_or(0);
            s.ack_number = SeqNumber(near(ack, v.snd_una, in_flight));
            s.window = window;
            s.options.window_scale = ws;
            let payload = vec![1u8; len];
            s.payload = &payload;
            c.handle_segment(now, &s);
            let mut n = 0;
            while c.poll_transmit(now).is_some() {
                n += 1;
                prop_assert!(n < 1000, "poll_transmit never stops");
            }
            prop_assert!(
                c.stats().reassembly_bytes + c.recv_queue() <= 8192,
                "receive side outgrew its buffer"
            );
            p.advance(Duration::from_millis(u64::from(window % 2000)));
        }
        p.run_until_idle();
        prop_assert!(p.next_event().is_none(), "timers never ran out");
        Ok(())
    })
}

/// A receiver whose window is zero answers every probe: the Linux kernel
/// probes with bare ACKs one below RCV.NXT, 200-500 ms apart, and each must
/// draw an ACK of RCV.NXT with window 0 (RFC 9293 §3.8.6.1: "it must still
/// send an acknowledgment showing its next expected sequence number and
/// current window (zero)"), not only one per 500 ms as other unacceptable
/// bare ACKs get. A regression found against the kernel.
pub(super) fn zero_window_probes_answered() -> R {
    let isn = 91;
    let mut p = established_pair(
        Config::default().timestamps(false),
        Config::default().recv_buffer(8192).timestamps(false),
        isn,
    )?;
    let data = pattern(40_000, 15);
    let mut sent = 0;
    // The reader never reads: the 8192-byte buffer fills, the window closes.
    p.run(Duration::from_secs(5), |p| {
        sent += p.client.send(&data[sent..]);
        false
    });
    let now = p.now;
    let s = server(&mut p)?;
    let held = s.recv_queue();
    ensure(held == 8192, || {
        format!("the receiver holds {held} bytes, want its full 8192-byte buffer")
    })?;
    while s.poll_transmit(now).is_some() {}
    // RCV.NXT from the client's ISN and the bytes the buffer took, not from
    // the code under test.
    let rcv_nxt = SeqNumber(isn + 1 + 8192);
    let (_, snd_nxt) = server_seqs(&p)?;
    let s = server(&mut p)?;
    for k in 0..3u64 {
        let at = now + Duration::from_millis(200 * (k + 1));
        let mut probe = from_client(rcv_nxt - 1, TcpFlags::ACK);
        probe.ack_number = snd_nxt;
        s.handle_segment(at, &probe);
        let ack = s
            .poll_transmit(at)
            .ok_or_else(|| format!("probe {k} ({} ms after the first) went unanswered", 200 * k))?;
        ensure(
            (ack.header.ack_number, ack.header.window) == (rcv_nxt, 0),
            || {
                format!(
                    "probe {k} answered with ACK {} window {}, want ACK {rcv_nxt} window 0",
                    ack.header.ack_number, ack.header.window
                )
            },
        )?;
    }
    Ok(())
}
