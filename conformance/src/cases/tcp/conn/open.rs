//! `tcp.conn.*` bodies. Opening: the three-way handshake, simultaneous open, MSS and window-scale negotiation, listeners.

use super::*;

pub(super) fn three_way() -> R {
    let p = established(4000)?;
    let got: Vec<_> = p
        .log
        .iter()
        .map(|(_, s, t, _)| (*s, t.header.flags, t.header.seq_number, t.header.ack_number))
        .collect();
    ensure(got.len() == 3, || {
        format!("expected 3 segments, saw {got:?}")
    })?;
    let n = got[1].2;
    let want = [
        (Side::Client, TcpFlags::SYN, SeqNumber(4000), SeqNumber(0)),
        (
            Side::Server,
            TcpFlags::SYN | TcpFlags::ACK,
            n,
            SeqNumber(4001),
        ),
        (Side::Client, TcpFlags::ACK, SeqNumber(4001), n + 1),
    ];
    ensure(got == want, || {
        format!("SYN(M) / SYN(N)+ACK(M+1) / ACK(N+1) expected, saw {got:?}")
    })
}

pub(super) fn simultaneous_open() -> R {
    let mut p = Pair::simultaneous(Config::default(), SeqNumber(10), SeqNumber(20_000));
    p.run_until_idle();
    let s = server(&mut p)?.state();
    ensure(
        p.client.state() == State::Established && s == State::Established,
        || format!("ended in {:?} / {s:?}", p.client.state()),
    )?;
    let (a, b) = (pattern(30_000, 1), pattern(20_000, 2));
    let (cg, sg) = exchange(&mut p, &a, &b, false);
    ensure(cg == b && sg == a, || {
        "data after simultaneous open differs".into()
    })
}

pub(super) fn syn_retransmit() -> R {
    let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(1));
    p.fate = Box::new(|side, i, _| {
        if side == Side::Client && i < 2 {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    p.run_until_idle();
    let syns: Vec<_> = p
        .log
        .iter()
        .filter(|(_, _, t, _)| t.header.flags == TcpFlags::SYN)
        .map(|(at, ..)| *at)
        .collect();
    let gaps: Vec<_> = syns.windows(2).map(|w| w[1] - w[0]).collect();
    ensure(
        gaps == [Duration::from_secs(1), Duration::from_secs(2)],
        || format!("SYN retransmission gaps {gaps:?}, want [1 s, 2 s]"),
    )?;
    ensure(p.client.state() == State::Established, || {
        "not established".into()
    })?;
    let rto = p.client.stats().rto;
    ensure(rto == Duration::from_secs(3), || {
        format!("RTO after a lost SYN is {rto:?}, RFC 6298 §5.7 wants 3 s")
    })
}

pub(super) fn mss() -> R {
    // RFC 9293 §3.7.1 (MUST-16): Eff.snd.MSS = SendMSS less the options each
    // segment carries: 12 bytes of timestamps (RFC 7323 §3.2: 10, padded to
    // 12), or none without them. Data and options together never exceed the
    // peer's MSS (a regression found against Linux, which sends 1448 here).
    for (ts, options) in [(true, 12), (false, 0)] {
        let cfg = Config::default().timestamps(ts);
        let mut p = Pair::new(cfg.clone(), cfg.mss(700), SeqNumber(5));
        p.run_until_idle();
        let data = pattern(50_000, 3);
        let (_, sg) = exchange(&mut p, &data, &[], false);
        ensure(sg == data, || "data differs".into())?;
        let big = p
            .log
            .iter()
            .map(|(_, _, t, _)| t.payload.len())
            .max()
            .unwrap_or(0);
        ensure(big == 700 - options, || {
            format!(
                "timestamps {ts}: largest segment {big} bytes, want the peer's MSS 700 less {options} bytes of options"
            )
        })?;
        let over = p
            .log
            .iter()
            .map(|(_, _, t, _)| (t.payload.len(), t.repr().header_len() - 20))
            .find(|(data, opts)| data + opts > 700);
        ensure(over.is_none(), || {
            format!(
                "timestamps {ts}: a segment of {over:?} (data, option) bytes exceeds the MSS 700"
            )
        })?;
    }
    Ok(())
}

pub(super) fn window_scale() -> R {
    let p = established(6)?;
    ensure(p.client.window_scales() == (3, 3), || {
        format!(
            "scales {:?}, want (3, 3) for 256 KiB",
            p.client.window_scales()
        )
    })?;
    // Either side without window scaling: no scaling either way (RFC 7323
    // §1.3), and data still flows with unscaled windows.
    for client_scales in [true, false] {
        let mut q = Pair::new(
            Config::default().window_scaling(client_scales),
            Config::default().window_scaling(!client_scales),
            SeqNumber(6),
        );
        q.run_until_idle();
        let server = server(&mut q)?.window_scales();
        ensure(
            q.client.window_scales() == (0, 0) && server == (0, 0),
            || {
                format!(
                    "one SYN without WS, yet scales {:?} / {server:?}",
                    q.client.window_scales()
                )
            },
        )?;
        // RFC 7323 §2.2: WS in a SYN-ACK only if the SYN carried it.
        let synack_ws = q
            .log
            .get(1)
            .and_then(|(_, _, t, _)| t.header.options.window_scale);
        ensure(synack_ws.is_none(), || {
            format!("the SYN-ACK carries WS {synack_ws:?} (client scales: {client_scales})")
        })?;
        let data = pattern(200_000, 4);
        let (_, sg) = exchange(&mut q, &data, &[], false);
        ensure(sg == data, || "unscaled transfer differs".into())?;
    }
    Ok(())
}

pub(super) fn listener_backlog() -> R {
    // With SYN cookies off, SYNs beyond the backlog are dropped; with them
    // on (the default, RFC 4987 §3.6) each gets a cookie SYN-ACK and no
    // state. Either way at most the backlog is held.
    let syns = |l: &mut Listener| {
        for port in 2000..2010u16 {
            let mut syn = SegmentRepr::new(port, 80, SeqNumber(7), TcpFlags::SYN);
            syn.window = 100;
            l.handle_segment(
                Instant::ZERO,
                std::net::SocketAddr::from(([192, 0, 2, 5], port)),
                &syn,
            );
        }
    };
    let listener = || {
        Listener::new(
            Config::default(),
            server_addr(),
            IsnGenerator::new([1; 32]),
            3,
        )
    };
    let mut off = listener();
    off.set_syn_cookies(false);
    syns(&mut off);
    ensure(off.half_open() == 3 && off.dropped_syns() == 7, || {
        format!(
            "cookies off: {} half-open, {} dropped; backlog 3 of 10 SYNs",
            off.half_open(),
            off.dropped_syns()
        )
    })?;
    let mut l = listener();
    syns(&mut l);
    let now = Instant::ZERO;
    let synacks = std::iter::from_fn(|| l.poll_transmit(now))
        .filter(|(_, t)| t.header.flags == TcpFlags::SYN | TcpFlags::ACK)
        .count();
    ensure(
        l.half_open() == 3 && l.cookies_sent() == 7 && synacks == 10,
        || {
            format!(
                "cookies on: {} half-open, {} cookies, {synacks} SYN-ACKs for 10 SYNs, backlog 3",
                l.half_open(),
                l.cookies_sent()
            )
        },
    )?;
    let mut ack = SegmentRepr::new(3000, 80, SeqNumber(1), TcpFlags::ACK);
    ack.ack_number = SeqNumber(4242);
    l.handle_segment(
        now,
        std::net::SocketAddr::from(([192, 0, 2, 5], 3000)),
        &ack,
    );
    let rst = std::iter::from_fn(|| l.poll_transmit(now))
        .find(|(_, t)| t.header.flags.contains(TcpFlags::RST));
    let from = std::net::SocketAddr::from(([192, 0, 2, 5], 3000));
    ensure(
        rst.is_some_and(|(to, t)| to == from && t.header.seq_number == SeqNumber(4242)),
        || "an ACK in LISTEN got no <SEQ=SEG.ACK><CTL=RST> back to its source".into(),
    )
}

pub(super) fn syn_sent_bad_ack() -> R {
    let now = Instant::ZERO;
    let mut c = Connection::connect(
        Config::default(),
        client_addr(),
        server_addr(),
        now,
        SeqNumber(500),
    );
    c.poll_transmit(now).ok_or("no SYN")?;
    let mut bad = SegmentRepr::new(
        80,
        client_addr().port(),
        SeqNumber(9),
        TcpFlags::SYN | TcpFlags::ACK,
    );
    bad.ack_number = SeqNumber(400);
    c.handle_segment(now, &bad);
    let t = c
        .poll_transmit(now)
        .ok_or("no RST for an unacceptable ACK")?;
    ensure(
        t.header.flags == TcpFlags::RST
            && t.header.seq_number == SeqNumber(400)
            && c.state() == State::SynSent,
        || format!("reply {:?}, state {:?}", t.header, c.state()),
    )?;
    // A RST without an acceptable ACK is ignored in SYN-SENT.
    let rst = SegmentRepr::new(80, client_addr().port(), SeqNumber(9), TcpFlags::RST);
    c.handle_segment(now, &rst);
    ensure(c.state() == State::SynSent, || {
        "a RST without ACK closed SYN-SENT".into()
    })
}

pub(super) fn default_mss() -> R {
    for (remote, want) in [
        ("192.0.2.2:80".parse::<SocketAddr>().unwrap(), 536usize),
        ("[2001:db8::2]:80".parse().unwrap(), 1220),
    ] {
        let local: SocketAddr = if remote.is_ipv4() {
            "192.0.2.1:4000".parse().unwrap()
        } else {
            "[2001:db8::1]:4000".parse().unwrap()
        };
        let now = Instant::ZERO;
        let mut c = Connection::connect(Config::default(), local, remote, now, SeqNumber(1));
        let syn = c.poll_transmit(now).ok_or("no SYN")?;
        // A SYN-ACK with no MSS option.
        let mut sa = SegmentRepr::new(80, 4000, SeqNumber(900), TcpFlags::SYN | TcpFlags::ACK);
        sa.ack_number = syn.header.seq_number + 1;
        sa.window = 65535;
        c.handle_segment(now, &sa);
        ensure(c.state() == State::Established && c.mss() == want, || {
            format!(
                "{remote}: send MSS {} without the option, want {want}",
                c.mss()
            )
        })?;
    }
    Ok(())
}

pub(super) fn mss_only_in_syn() -> R {
    let mut p = established(64)?;
    let _ = exchange(&mut p, &pattern(20_000, 6), &pattern(5000, 7), true);
    let with_mss = |syn: bool| {
        count_sent(&p, |t| {
            t.header.flags.contains(TcpFlags::SYN) == syn && t.header.options.mss.is_some()
        })
    };
    let (bad, syns) = (with_mss(false), with_mss(true));
    ensure(bad == 0 && syns == 2, || {
        format!("{bad} non-SYN segments carry MSS; {syns} SYNs do")
    })
}

pub(super) fn syn_rcvd_back_to_listen() -> R {
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([1; 32]),
        4,
    );
    let now = Instant::ZERO;
    let syn = SegmentRepr::new(49152, 80, SeqNumber(100), TcpFlags::SYN);
    l.handle_segment(now, client_addr(), &syn);
    let synack = l.poll_transmit(now).ok_or("no SYN-ACK")?.1;
    ensure(l.half_open() == 1, || "SYN not taken".into())?;
    // RFC 9293 §3.10.7.4: a RST in SYN-RECEIVED from a passive OPEN returns to LISTEN.
    let mut rst = SegmentRepr::new(49152, 80, SeqNumber(101), TcpFlags::RST);
    rst.ack_number = synack.header.seq_number + 1;
    l.handle_segment(now, client_addr(), &rst);
    let gone = l.half_open() == 0 && l.accept().is_none();
    // ... and the listener still listens.
    l.handle_segment(
        now,
        client_addr(),
        &SegmentRepr::new(49152, 80, SeqNumber(500), TcpFlags::SYN),
    );
    ensure(
        gone && l.half_open() == 1 && l.state() == State::Listen,
        || format!("after RST: half-open {} (want 0 then 1)", l.half_open()),
    )
}

pub(super) fn independent_listeners() -> R {
    // Two passive OPENs on port 80 at different local addresses: each takes
    // only its own SYNs and neither disturbs the other.
    let a: SocketAddr = "192.0.2.2:80".parse().unwrap();
    let b: SocketAddr = "192.0.2.3:80".parse().unwrap();
    let mut la = Listener::new(Config::default(), a, IsnGenerator::new([2; 32]), 4);
    let mut lb = Listener::new(Config::default(), b, IsnGenerator::new([3; 32]), 4);
    let now = Instant::ZERO;
    let syn = SegmentRepr::new(49152, 80, SeqNumber(7), TcpFlags::SYN);
    la.handle_segment(now, client_addr(), &syn);
    let sa = la.poll_transmit(now).ok_or("no SYN-ACK from a")?.1;
    lb.handle_segment(
        now,
        "198.51.100.9:5555".parse().unwrap(),
        &SegmentRepr::new(5555, 80, SeqNumber(9), TcpFlags::SYN),
    );
    ensure(
        la.half_open() == 1 && lb.half_open() == 1 && sa.header.ack_number == SeqNumber(8),
        || format!("half-open a {} b {}", la.half_open(), lb.half_open()),
    )
}

pub(super) fn invalid_open() -> R {
    let local = client_addr();
    for bad in [
        "224.0.0.1:80",
        "255.255.255.255:80",
        "0.0.0.0:80",
        "[ff02::1]:80",
        "192.0.2.2:0",
    ] {
        let addr: SocketAddr = bad.parse().unwrap();
        let r =
            Connection::try_connect(Config::default(), local, addr, Instant::ZERO, SeqNumber(1));
        ensure(matches!(r, Err(Error::InvalidAddress { .. })), || {
            format!("OPEN to {bad} was not rejected")
        })?;
    }
    ensure(
        Connection::try_connect(
            Config::default(),
            local,
            server_addr(),
            Instant::ZERO,
            SeqNumber(1),
        )
        .is_ok(),
        || "OPEN to a unicast address refused".into(),
    )
}

pub(super) fn invalid_syn_ignored() -> R {
    let now = Instant::ZERO;
    let mut l = Listener::new(
        Config::default(),
        server_addr(),
        IsnGenerator::new([4; 32]),
        4,
    );
    for src in ["224.0.0.5:1000", "255.255.255.255:1000", "0.0.0.0:1000"] {
        let syn = SegmentRepr::new(1000, 80, SeqNumber(1), TcpFlags::SYN);
        l.handle_segment(now, src.parse().unwrap(), &syn);
    }
    let mut m = Listener::new(
        Config::default(),
        "224.0.0.1:80".parse().unwrap(),
        IsnGenerator::new([5; 32]),
        4,
    );
    m.handle_segment(
        now,
        client_addr(),
        &SegmentRepr::new(49152, 80, SeqNumber(1), TcpFlags::SYN),
    );
    ensure(
        l.half_open() == 0
            && l.poll_transmit(now).is_none()
            && m.half_open() == 0
            && m.poll_transmit(now).is_none(),
        || "a SYN from or to a broadcast/multicast address was answered".into(),
    )
}

/// OPEN's local address (RFC 9293 §3.9.1.1, MUST-43) is the one the SYN
/// leaves from (MUST-45): on a host with two addresses, one connection from
/// each, same port, same peer. Each SYN carries its own source address, and
/// the SYN-ACK sent to one address completes that connection only (the
/// 4-tuple, §3.4).
pub(super) fn local_address() -> R {
    use handshake_tcp::endpoint::Endpoint;
    let addr = |s: &str| s.parse::<SocketAddr>().expect("case addresses are valid");
    let (a, b, peer) = (
        addr("192.0.2.1:40000"),
        addr("192.0.2.9:40000"),
        addr("198.51.100.5:80"),
    );
    let mut ep = Endpoint::new(IsnGenerator::new([7; 32]));
    let now = Instant::ZERO;
    let ha = ep
        .connect(Config::default(), a, peer, now)
        .map_err(|e| e.to_string())?;
    let hb = ep
        .connect(Config::default(), b, peer, now)
        .map_err(|e| e.to_string())?;
    let mut syns = Vec::new();
    while let Some(o) = ep.poll_transmit(now) {
        syns.push(o);
    }
    let mut from: Vec<(SocketAddr, SocketAddr)> = syns.iter().map(|o| (o.src, o.dst)).collect();
    from.sort();
    ensure(from == [(a, peer), (b, peer)], || {
        format!("SYNs from/to {from:?}, want one from each local address")
    })?;
    let syn_b = syns.iter().find(|o| o.src == b).ok_or("no SYN from b")?;
    let mut synack = SegmentRepr::new(80, 40000, SeqNumber(9000), TcpFlags::SYN | TcpFlags::ACK);
    synack.ack_number = syn_b.segment.header.seq_number + 1;
    synack.window = 65535;
    ep.handle_segment(now, peer.ip(), b.ip(), &synack);
    let state = |h| ep.conn(h).map(Connection::state);
    ensure(
        state(hb) == Some(State::Established) && state(ha) == Some(State::SynSent),
        || {
            format!(
                "b {:?}, a {:?}: the SYN-ACK to b must complete b only",
                state(hb),
                state(ha)
            )
        },
    )
}

/// MUST-11's other branch (RFC 9293 §3.10.7.4, SYN-RECEIVED, RST): a
/// connection that reached SYN-RECEIVED from an active OPEN (a
/// simultaneous open) and gets an acceptable RST is refused: it goes to
/// CLOSED and tells the application, not back to LISTEN (it never
/// listened). `tcp.conn.listen.rst-back-to-listen` checks the passive one.
pub(super) fn syn_received_active_rst() -> R {
    let (local, remote) = (client_addr(), server_addr());
    let now = Instant::ZERO;
    let mut c = Connection::connect(Config::default(), local, remote, now, SeqNumber(100));
    while c.poll_transmit(now).is_some() {}
    let mut syn = SegmentRepr::new(remote.port(), local.port(), SeqNumber(5000), TcpFlags::SYN);
    syn.window = 65535;
    c.handle_segment(now, &syn);
    ensure(c.state() == State::SynReceived, || {
        format!(
            "a SYN in SYN-SENT: {:?}, want SYN-RECEIVED (§3.10.7.3)",
            c.state()
        )
    })?;
    while c.poll_transmit(now).is_some() {}
    let rst = SegmentRepr::new(remote.port(), local.port(), SeqNumber(5001), TcpFlags::RST);
    c.handle_segment(now, &rst);
    let events: Vec<Event> = std::iter::from_fn(|| c.poll_event()).collect();
    ensure(
        c.state() == State::Closed && events.contains(&Event::Reset),
        || {
            format!(
                "after the RST: {:?}, events {events:?}; want CLOSED and Reset",
                c.state()
            )
        },
    )
}

/// RFC 9293 §3.7.1 and RFC 6691 §2: the MSS announced is the MTU less the
/// fixed IP and TCP headers, so over the same 1500-octet Ethernet MTU it is
/// 1500 − 20 − 20 = 1460 over IPv4 and 1500 − 40 − 20 = 1440 over IPv6
/// (the IPv6 fixed header is 40 octets, RFC 8200 §3). A configured MSS is
/// used as given over either family.
pub(super) fn mss_per_family() -> R {
    use std::net::{Ipv4Addr, Ipv6Addr};
    let v4 = |last: u8, port: u16| SocketAddr::from((Ipv4Addr::new(192, 0, 2, last), port));
    let v6 = |last: u16, port: u16| {
        SocketAddr::from((Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, last), port))
    };
    let runs = [
        (
            "IPv4, default",
            Config::default(),
            v4(2, 49152),
            v4(1, 80),
            1460,
        ),
        (
            "IPv6, default",
            Config::default(),
            v6(2, 49152),
            v6(1, 80),
            1440,
        ),
        (
            "IPv6, mss(1000)",
            Config::default().mss(1000),
            v6(2, 49152),
            v6(1, 80),
            1000,
        ),
    ];
    for (name, config, client, server, want) in runs {
        let mut p = Pair::with_addrs(config.clone(), config, SeqNumber(4000), client, server);
        p.run_until_idle();
        ensure(p.client.state() == State::Established, || {
            format!("{name}: the handshake ended in {:?}", p.client.state())
        })?;
        let syns: Vec<(Side, Option<u16>)> = p
            .log
            .iter()
            .filter(|(_, _, t, _)| t.header.flags.contains(TcpFlags::SYN))
            .map(|(_, s, t, _)| (*s, t.header.options.mss))
            .collect();
        let expected = vec![(Side::Client, Some(want)), (Side::Server, Some(want))];
        ensure(syns == expected, || {
            format!("{name}: the SYN and SYN-ACK announced {syns:?}, want {want} in each")
        })?;
        // Eff.snd.MSS: the peer's MSS less the 12 octets of TSopt.
        ensure(p.client.mss() == usize::from(want) - 12, || {
            format!(
                "{name}: effective send MSS {}, want {want} − 12",
                p.client.mss()
            )
        })?;
    }
    Ok(())
}
