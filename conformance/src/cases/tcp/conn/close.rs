//! `tcp.conn.*` bodies. Closing: FIN exchanges, half-close, TIME-WAIT and RFC 1337, abort.

use super::*;

pub(super) fn active_close() -> R {
    let mut p = established(7)?;
    let (a, b) = (pattern(10_000, 5), pattern(12_000, 6));
    p.client.send(&a);
    p.client.close();
    // RFC 9293 §3.6, Figure 13: CLOSE sends FIN and enters FIN-WAIT-1.
    ensure(p.client.state() == State::FinWait1, || {
        format!("after CLOSE: {:?}, want FIN-WAIT-1", p.client.state())
    })?;
    let (mut cg, mut sg) = (Vec::new(), Vec::new());
    p.run(Duration::from_secs(10), |p| {
        drain(&mut p.client, &mut cg);
        if let Some(s) = p.server_mut() {
            drain(s, &mut sg);
        }
        p.server_ref().map(|s| s.state()) == Some(State::CloseWait) && sg.len() == a.len()
    });
    // Our FIN acknowledged (its ACK a one-way delay behind): FIN-WAIT-2.
    p.run(Duration::from_secs(1), |p| {
        drain(&mut p.client, &mut cg);
        p.client.state() != State::FinWait1
    });
    ensure(p.client.state() == State::FinWait2, || {
        format!("FIN acknowledged: {:?}, want FIN-WAIT-2", p.client.state())
    })?;
    let s = server(&mut p)?;
    s.send(&b);
    s.close();
    // The passive side's CLOSE from CLOSE-WAIT: LAST-ACK.
    ensure(s.state() == State::LastAck, || {
        format!(
            "server after CLOSE in CLOSE-WAIT: {:?}, want LAST-ACK",
            s.state()
        )
    })?;
    p.run(Duration::from_secs(10), |p| {
        drain(&mut p.client, &mut cg);
        p.server_ref().map(|s| s.state()) == Some(State::Closed)
    });
    ensure(sg == a && cg == b, || "data differs".into())?;
    ensure(p.client.state() == State::TimeWait, || {
        format!("active closer in {:?}, want TIME-WAIT", p.client.state())
    })?;
    let ev = events(server(&mut p)?);
    ensure(
        ev == [Event::Connected, Event::PeerClosed, Event::Closed],
        || format!("server events {ev:?}"),
    )
}

pub(super) fn simultaneous_close() -> R {
    let mut p = established(8)?;
    p.client.close();
    server(&mut p)?.close();
    p.transmit();
    p.step();
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::Closing && s == State::Closing,
        || {
            format!(
                "after crossing FINs: {:?} / {s:?}, want CLOSING",
                p.client.state()
            )
        },
    )?;
    p.advance(Duration::from_secs(1));
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::TimeWait && s == State::TimeWait,
        || format!("{:?} / {s:?}, want TIME-WAIT both", p.client.state()),
    )
}

pub(super) fn half_close() -> R {
    let mut p = established(9)?;
    p.client.close();
    let data = pattern(150_000, 7);
    let (mut sent, mut got) = (0, Vec::new());
    p.run(Duration::from_secs(60), |p| {
        if let Some(s) = p.server_mut() {
            if s.state() == State::CloseWait {
                sent += s.send(&data[sent..]);
            }
        }
        drain(&mut p.client, &mut got);
        got.len() == data.len()
    });
    ensure(got == data, || {
        format!("after our FIN got {} of {} bytes", got.len(), data.len())
    })?;
    ensure(p.client.state() == State::FinWait2, || {
        format!("{:?}", p.client.state())
    })
}

pub(super) fn time_wait_2msl() -> R {
    // RFC 9293 §3.4.2: MSL is 2 minutes, so 2 MSL is 240 s by default;
    // a configured MSL or TIME-WAIT is kept to the second.
    for (cfg, want) in [
        (Config::default(), Duration::from_secs(2 * 2 * 60)),
        (
            Config::default().msl(Duration::from_secs(30)),
            Duration::from_secs(60),
        ),
        (
            Config::default().time_wait(Duration::from_secs(90)),
            Duration::from_secs(90),
        ),
    ] {
        let waited = time_wait_of(cfg)?;
        ensure(waited == want, || {
            format!("TIME-WAIT lasted {waited:?}, want {want:?}")
        })?;
    }
    Ok(())
}

pub(super) fn rfc1337() -> R {
    let mut p = established(12)?;
    close_into_time_wait(&mut p)?;
    let last = last_sent(&p, Side::Server)?;
    let mut rst = SegmentRepr::new(
        80,
        client_addr().port(),
        last.header.seq_number + 1,
        TcpFlags::RST,
    );
    rst.window = 0;
    let now = p.now;
    p.client.handle_segment(now, &rst);
    ensure(p.client.state() == State::TimeWait, || {
        format!(
            "RST in TIME-WAIT moved the connection to {:?}",
            p.client.state()
        )
    })
}

pub(super) fn abort() -> R {
    let mut p = established(22)?;
    p.client.send(b"never sent in full");
    p.client.abort();
    // RFC 9293 §3.10.5: ABORT sends a RST and enters CLOSED at once.
    ensure(p.client.state() == State::Closed, || {
        format!("after ABORT: {:?}, want CLOSED", p.client.state())
    })?;
    p.run_until_idle();
    let rst = p
        .log
        .iter()
        .any(|(_, s, t, _)| *s == Side::Client && t.header.flags == TcpFlags::RST);
    let s = server(&mut p)?;
    let ev = events(s);
    ensure(
        rst && s.state() == State::Closed && ev.last() == Some(&Event::Reset),
        || format!("RST sent: {rst}; peer {:?}, events {ev:?}", s.state()),
    )
}

pub(super) fn time_wait_fin_retransmit() -> R {
    let mut p = established(23)?;
    close_into_time_wait(&mut p)?;
    let fin = p
        .log
        .iter()
        .rev()
        .find(|(_, s, t, _)| *s == Side::Server && t.header.flags.contains(TcpFlags::FIN))
        .map(|(_, _, t, _)| t.clone())
        .ok_or("no FIN")?;
    p.advance(Duration::from_secs(60));
    let now = p.now;
    p.client.handle_segment(now, &fin.repr());
    let ack = p
        .client
        .poll_transmit(now)
        .ok_or("retransmitted FIN not ACKed in TIME-WAIT")?;
    ensure(ack.header.ack_number == fin.header.seq_number + 1, || {
        format!("ACK {:?}", ack.header)
    })?;
    let start = p.now;
    p.run(Duration::from_secs(1000), |p| {
        p.client.state() == State::Closed
    });
    let waited = p.now - start;
    // The full 2 MSL again from the FIN (RFC 9293 §3.4.2: 2 x 2 minutes).
    let want = Duration::from_secs(2 * 2 * 60);
    ensure(waited == want, || {
        format!("TIME-WAIT not restarted by the FIN: {waited:?} after it, want {want:?}")
    })
}
