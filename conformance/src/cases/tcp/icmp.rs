//! `tcp.icmp.*`: ICMP errors about our segments (RFC 9293 §3.9.2.2),
//! accepted only when they quote a sequence number in SND.UNA..SND.NXT
//! (RFC 5927 §4.1). Over the crate's in-memory pair: port and protocol
//! unreachable abort (SHLD-26), the soft errors never do (MUST-56) and are
//! reported (SHLD-25), Source Quench is discarded (MUST-55), blind guesses
//! are ignored, and "fragmentation needed" lowers the MSS to the path MTU
//! minus the headers (RFC 1191 §6.4) without a congestion response. Against
//! the kernel: a real ICMP datagram, sent by a raw socket in the namespace,
//! reaches our connection through the TUN device and shrinks its segments
//! (MUST-54), and every byte still arrives.

use super::support::*;
use crate::peers::Via;
use crate::Case;
use handshake_tcp::conn::pair::Pair;
use handshake_tcp::conn::{Config, Event, IcmpAction, IcmpError, State};
use handshake_tcp::wire::SeqNumber;
use handshake_time::Duration;

const ISN: u32 = 9100;

/// An established pair whose client has `len` bytes queued and has sent
/// its first data segment, which the wire lost (a router dropped it, say):
/// the pair and that segment's sequence number and length.
fn first_segment_lost(config: Config, len: usize) -> Result<(Pair, SeqNumber, usize), String> {
    let mut p = established_pair(config, Config::default(), ISN)?;
    let data = pattern(len, 3);
    ensure(p.client.send(&data) == len, || {
        "the send buffer took less".into()
    })?;
    let now = p.now;
    let t = p
        .client
        .poll_transmit(now)
        .ok_or("the client sent no data segment")?;
    ensure(!t.payload.is_empty(), || {
        "the first segment carries no data".into()
    })?;
    Ok((p, t.header.seq_number, t.payload.len()))
}

/// Runs the pair until the server holds `len` bytes of pattern 3.
fn delivered(p: &mut Pair, len: usize) -> R {
    let want = pattern(len, 3);
    let mut got = Vec::new();
    p.run(Duration::from_secs(600), |p| {
        if let Some(s) = p.server_mut() {
            drain(s, &mut got);
        }
        got.len() >= want.len()
    });
    ensure(got == want, || {
        format!(
            "the server got {} of {len} bytes, or other bytes",
            got.len()
        )
    })
}

fn hard_errors_abort() -> R {
    // SYN-SENT: the SYN's own number is in SND.UNA..SND.NXT (ISS, ISS+1).
    for code in [2u8, 3] {
        let mut p = Pair::new(Config::default(), Config::default(), SeqNumber(ISN));
        let now = p.now;
        let syn = p.client.poll_transmit(now).ok_or("no SYN")?;
        let a = p
            .client
            .handle_icmp(now, syn.header.seq_number, IcmpError::Unreachable { code });
        check_equal("action in SYN-SENT", a, IcmpAction::Aborted)?;
        check_equal("state", p.client.state(), State::Closed)?;
        ensure(events(&mut p.client).contains(&Event::Unreachable), || {
            "no Unreachable event".into()
        })?;
    }
    // ESTABLISHED with data in flight.
    let (mut p, seq, _) = first_segment_lost(Config::default(), 4000)?;
    let now = p.now;
    let a = p
        .client
        .handle_icmp(now, seq, IcmpError::Unreachable { code: 3 });
    check_equal("action in ESTABLISHED", a, IcmpAction::Aborted)?;
    check_equal("state", p.client.state(), State::Closed)?;
    check_equal("hard errors counted", p.client.stats().icmp_hard, 1)
}

fn soft_errors_do_not_abort() -> R {
    let soft = [
        IcmpError::Unreachable { code: 0 },
        IcmpError::Unreachable { code: 1 },
        IcmpError::Unreachable { code: 5 },
        IcmpError::TimeExceeded,
        IcmpError::ParameterProblem,
    ];
    let (mut p, seq, _) = first_segment_lost(Config::default(), 20_000)?;
    events(&mut p.client);
    let now = p.now;
    for e in soft {
        check_equal(
            &format!("{e:?}"),
            p.client.handle_icmp(now, seq, e),
            IcmpAction::Soft,
        )?;
        check_equal("state", p.client.state(), State::Established)?;
    }
    // SHLD-25: the application is told, and can read the last one.
    let ev = events(&mut p.client);
    check_equal(
        "SoftError events",
        ev.iter().filter(|e| **e == Event::SoftError).count(),
        soft.len(),
    )?;
    check_equal(
        "last soft error",
        p.client.soft_error(),
        Some(IcmpError::ParameterProblem),
    )?;
    // MUST-56: the connection goes on and delivers everything.
    delivered(&mut p, 20_000)
}

fn source_quench_discarded() -> R {
    let (mut p, seq, _) = first_segment_lost(Config::default(), 20_000)?;
    events(&mut p.client);
    let before = p.client.stats();
    let now = p.now;
    let a = p.client.handle_icmp(now, seq, IcmpError::SourceQuench);
    check_equal("action", a, IcmpAction::Discarded)?;
    let after = p.client.stats();
    // RFC 6633: no congestion response, nothing reported.
    check_equal("cwnd", after.cwnd, before.cwnd)?;
    check_equal("ssthresh", after.ssthresh, before.ssthresh)?;
    ensure(events(&mut p.client).is_empty(), || {
        "an event for Source Quench".into()
    })?;
    delivered(&mut p, 20_000)
}

fn blind_errors_ignored() -> R {
    let (mut p, seq, len) = first_segment_lost(Config::default(), 4000)?;
    let v = p.client.sequence_vars();
    let now = p.now;
    // Just below SND.UNA, at SND.NXT (not yet sent), and far away: RFC
    // 5927 §4.1 ignores each, even the hard and the PMTU kinds.
    for guess in [
        SeqNumber(v.snd_una.0.wrapping_sub(1)),
        v.snd_nxt,
        seq + 1_000_000,
    ] {
        for e in [
            IcmpError::Unreachable { code: 3 },
            IcmpError::PacketTooBig { mtu: 576 },
        ] {
            check_equal(
                &format!("{e:?} at {guess:?}"),
                p.client.handle_icmp(now, guess, e),
                IcmpAction::OutOfWindow,
            )?;
        }
    }
    check_equal("state", p.client.state(), State::Established)?;
    check_equal("MSS", p.client.mss(), len)?;
    check_equal("ignored", p.client.stats().icmp_ignored, 6)?;
    delivered(&mut p, 4000)
}

fn packet_too_big_lowers_mss() -> R {
    let (mut p, seq, first_len) = first_segment_lost(Config::default(), 60_000)?;
    let ts = p.client.stats().timestamps;
    // RFC 1191 §6.4 / RFC 9293 §3.7.1: MSS = PMTU - 20 (IPv4) - 20 (TCP),
    // less the 12 octets of TSopt each segment carries (RFC 7323).
    let want = 1280 - 40 - if ts { 12 } else { 0 };
    check_equal("first segment", first_len, 1460 - if ts { 12 } else { 0 })?;
    let before = p.client.stats();
    let now = p.now;
    let a = p
        .client
        .handle_icmp(now, seq, IcmpError::PacketTooBig { mtu: 1280 });
    check_equal("action", a, IcmpAction::MssReduced { mss: want })?;
    let from = p.log.len();
    delivered(&mut p, 60_000)?;
    let sent = data(&p, handshake_tcp::conn::pair::Side::Client, from);
    // The dropped segment goes again at once (no timer ran), cut to the
    // new size.
    let (at, again) = sent.first().ok_or("nothing sent after the ICMP")?;
    check_equal("retransmitted at", *at, now)?;
    check_equal("retransmitted from", again.header.seq_number, seq)?;
    check_equal("retransmitted length", again.payload.len(), want)?;
    let biggest = sent.iter().map(|(_, t)| t.payload.len()).max().unwrap_or(0);
    ensure(biggest <= want, || {
        format!("a segment of {biggest} octets after the MSS became {want}")
    })?;
    // Not a congestion signal: no reduction of ssthresh.
    check_equal("ssthresh", p.client.stats().ssthresh, before.ssthresh)?;
    // Below 68 octets no IPv4 link exists (RFC 791): ignored.
    let (mut p, seq, len) = first_segment_lost(Config::default(), 4000)?;
    let now = p.now;
    check_equal(
        "PMTU 60",
        p.client
            .handle_icmp(now, seq, IcmpError::PacketTooBig { mtu: 60 }),
        IcmpAction::Unchanged,
    )?;
    check_equal("MSS after PMTU 60", p.client.mss(), len)
}

/// IPv6 (RFC 8201): a Packet Too Big lowers the MSS to the PMTU less the
/// 40-octet IPv6 header and the TCP header (§5.4), and one reporting less
/// than the IPv6 minimum link MTU of 1280 is discarded (§4), where IPv4
/// would accept it.
fn packet_too_big_v6() -> R {
    use handshake_tcp::conn::pair::Pair;
    let v6 = |last: u16, port: u16| {
        std::net::SocketAddr::from((
            std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, last),
            port,
        ))
    };
    // RFC 9293 §3.7.1: over a 1500-octet link, MSS = 1500 - 40 - 20.
    let config = Config::default().mss(1440);
    let lost = |len: usize| -> Result<(Pair, SeqNumber), String> {
        let mut p = Pair::with_addrs(
            config.clone(),
            config.clone(),
            SeqNumber(ISN),
            v6(1, 49152),
            v6(2, 80),
        );
        p.run_until_idle();
        ensure(p.client.state() == State::Established, || {
            format!("the IPv6 handshake ended in {:?}", p.client.state())
        })?;
        p.client.send(&pattern(len, 3));
        let now = p.now;
        let t = p.client.poll_transmit(now).ok_or("no data segment")?;
        Ok((p, t.header.seq_number))
    };
    let (mut p, seq) = lost(1279 + 20_000)?;
    let ts = p.client.stats().timestamps;
    let before = p.client.mss();
    let now = p.now;
    check_equal(
        "PMTU 1279 (below the IPv6 minimum)",
        p.client
            .handle_icmp(now, seq, IcmpError::PacketTooBig { mtu: 1279 }),
        IcmpAction::Unchanged,
    )?;
    check_equal("MSS after PMTU 1279", p.client.mss(), before)?;
    let want = 1280 - 60 - if ts { 12 } else { 0 };
    check_equal(
        "PMTU 1280",
        p.client
            .handle_icmp(now, seq, IcmpError::PacketTooBig { mtu: 1280 }),
        IcmpAction::MssReduced { mss: want },
    )?;
    delivered(&mut p, 1279 + 20_000)
}

fn check_equal<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> R {
    crate::check::equal(what, got, want)
}

/// Against the kernel: our first data segment is dropped on the way (as
/// a router with a 1280-octet next hop would), and a raw socket in the
/// namespace sends the ICMP "fragmentation needed" such a router sends,
/// quoting it. Our TCP must find its connection from the quoted headers
/// (MUST-54), lower its MSS, send the rest in smaller segments, and the
/// kernel must read every byte.
///
/// Over IPv6 (`Via::Tap6`) the router's message is an ICMPv6 Packet Too
/// Big (RFC 4443 §3.2) and the MSS becomes 1280 - 60 - 12 (RFC 8201 §5.4).
fn kernel_fragmentation_needed(ctx: &mut crate::Ctx, via: Via) -> crate::Outcome {
    use std::time::Duration as StdDuration;

    use handshake_io::fault::{Action, Dir, Rule, Select};
    use handshake_io::kernel;
    use handshake_io::netns::{KERNEL_ADDR, KERNEL_ADDR6, OUR_ADDR, OUR_ADDR6};
    use handshake_io::packet::{decode_ip, icmp_error_for, icmpv6_error_for};

    use crate::peers::kernel::{read_all_hash, run, timeouts, KernelTask, Pattern};

    const PORT: u16 = 9200;
    const LEN: usize = 200_000;
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let l = kernel::listen(&env.net, env.kernel(PORT), None).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = kernel::accept(&l, StdDuration::from_secs(5))?;
            timeouts(&s)?;
            read_all_hash(&mut s)
        });
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToKernel, Select::NthData(1), Action::Drop).times(1));
        // RACK's tail loss probe would resend the segment within a few
        // milliseconds, and its acknowledgment would put the ICMP's quote
        // below SND.UNA: without RACK only the RTO (at least 1 s here)
        // could, which leaves the ICMP time to arrive.
        let cfg = Config::default()
            .rack(false)
            .min_rto(Duration::from_secs(1));
        let c = env.d.connect(cfg, PORT, env.kernel(PORT));
        env.until(StdDuration::from_secs(5), "the handshake", |d| {
            d.conn(c).state() == State::Established
        })?;
        let mut p = Pattern::new(seed, LEN);
        let mut first = vec![0u8; 1448];
        let n = p.fill(&mut first);
        env.d.conn(c).send(&first[..n]);
        env.until(StdDuration::from_secs(5), "the first segment lost", |d| {
            !d.link.fault_log().is_empty()
        })?;
        let ours = env.ours(PORT).ip();
        let lost = env
            .d
            .link
            .capture()
            .and_then(|cap| {
                cap.packets().map(|(_, b)| b.to_vec()).find(|b| {
                    decode_ip(b).is_ok_and(|s| s.src == ours && !s.segment.payload.is_empty())
                })
            })
            .ok_or("the lost segment is not in the capture")?;
        if env.v6 {
            // A raw ICMPv6 socket: the kernel writes the IPv6 header and
            // the checksum (RFC 3542 §3.1) around the message.
            let icmp = icmpv6_error_for(KERNEL_ADDR6, &lost, 2, 0, 1280)
                .ok_or("building the Packet Too Big")?;
            let raw = env
                .net
                .run(|| {
                    rustix::net::socket(
                        rustix::net::AddressFamily::INET6,
                        rustix::net::SocketType::RAW,
                        Some(rustix::net::ipproto::ICMPV6),
                    )
                })
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("raw ICMPv6 socket in the namespace: {e}"))?;
            let to = std::net::SocketAddrV6::new(OUR_ADDR6, 0, 0, 0);
            rustix::net::sendto(&raw, &icmp[40..], rustix::net::SendFlags::empty(), &to)
                .map_err(|e| format!("sending the Packet Too Big: {e}"))?;
        } else {
            let icmp =
                icmp_error_for(KERNEL_ADDR, &lost, 3, 4, 1280).ok_or("building the ICMP error")?;
            let raw = crate::peers::kernel::raw_socket(&env.net)?;
            let to = std::net::SocketAddrV4::new(OUR_ADDR, 0);
            rustix::net::sendto(&raw, &icmp, rustix::net::SendFlags::empty(), &to)
                .map_err(|e| format!("sending the ICMP error: {e}"))?;
        }
        env.until(
            StdDuration::from_secs(2),
            "the ICMP error reaching our TCP",
            |d| d.stats().icmp_errors >= 1 && d.conn(c).stats().pmtu_reductions == 1,
        )?;
        let mss = env.d.conn(c).mss();
        // RFC 1191 §6.3 / RFC 8201 §5.4: the PMTU less the IP and TCP
        // headers and the 12 octets of TSopt.
        let want = if env.v6 {
            1280 - 60 - 12
        } else {
            1280 - 40 - 12
        };
        if mss != want {
            return Err(format!("MSS {mss} after a PMTU of 1280 (want {want})"));
        }
        let from = env.segments().len();
        env.send_then_close(
            c,
            &mut p,
            StdDuration::from_secs(15),
            "sending the rest",
            || task.is_finished(),
        )?;
        let (got, hash) = task.join()?.map_err(|e| format!("kernel read: {e}"))?;
        Pattern::check("the kernel", got, hash, seed, LEN)?;
        let biggest = env.segments()[from..]
            .iter()
            .filter(|s| s.dir == Dir::ToKernel)
            .map(|s| s.len)
            .max()
            .unwrap_or(0);
        if biggest > mss {
            return Err(format!(
                "a segment of {biggest} octets after the MSS became {mss}"
            ));
        }
        Ok(())
    })
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::should(
            "tcp.icmp.hard-errors-abort",
            "RFC 9293 §3.9.2.2 SHLD-26; RFC 5927 §4.1",
        )
        .simulation(|_| hard_errors_abort()),
        Case::must(
            "tcp.icmp.soft-errors-do-not-abort",
            "RFC 9293 §3.9.2.2 MUST-56, SHLD-25",
        )
        .simulation(|_| soft_errors_do_not_abort()),
        Case::must(
            "tcp.icmp.packet-too-big-v6",
            "RFC 8201 §4 (below 1280: discarded), §5.4 (MSS = PMTU - 60)",
        )
        .simulation(|_| packet_too_big_v6()),
        Case::must(
            "tcp.icmp.source-quench-discarded",
            "RFC 9293 §3.9.2.2 MUST-55; RFC 6633 §1",
        )
        .simulation(|_| source_quench_discarded()),
        Case::must(
            "tcp.icmp.blind-errors-ignored",
            "RFC 5927 §4.1; RFC 9293 §3.9.2.2 MUST-54",
        )
        .simulation(|_| blind_errors_ignored()),
        Case::should(
            "tcp.icmp.packet-too-big-lowers-mss",
            "RFC 1191 §6.4, §3; RFC 9293 §3.7.2",
        )
        .simulation(|_| packet_too_big_lowers_mss()),
        Case::must(
            "tcp.icmp.kernel-fragmentation-needed",
            "RFC 9293 §3.9.2.2 MUST-54; RFC 1191 §6.4",
        )
        .needs(&[crate::Need::NetAdmin, crate::peers::tshark::NEED])
        .interop_os(|ctx| kernel_fragmentation_needed(ctx, Via::Tun)),
        Case::must(
            "tcp.icmp.kernel-packet-too-big-v6",
            "RFC 9293 §3.9.2.2 MUST-54; RFC 8201 §4, §5.4; RFC 4443 §3.2",
        )
        .needs(&[crate::Need::NetAdmin, crate::peers::tshark::NEED])
        .interop_os(|ctx| kernel_fragmentation_needed(ctx, Via::Tap6)),
    ]
}
