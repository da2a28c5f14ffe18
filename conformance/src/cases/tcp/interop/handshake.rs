//! Opening: option negotiation both ways, SYN and SYN-ACK retransmission,
//! RST for a closed port in both directions.

use std::time::Duration;

use handshake_io::fault::{Action, Dir, Rule, Select};
use handshake_io::kernel::{self, SockState};
use handshake_tcp::conn::{Config, Event, State};
use handshake_tcp::wire::TcpFlags;
use handshake_time::Duration as SimDuration;

use crate::peers::kernel::{run, timeouts, wait_kernel_state, Env, KernelTask, Seen, Via};
use crate::{Ctx, Outcome};

/// One set of options our side offers (the kernel offers all of them: the
/// namespace starts with the default sysctls).
#[derive(Debug, Clone, Copy)]
struct OptionSet {
    name: &'static str,
    mss: u16,
    ws: bool,
    sack: bool,
    ts: bool,
}

const SETS: [OptionSet; 6] = [
    OptionSet {
        name: "all",
        mss: 1460,
        ws: true,
        sack: true,
        ts: true,
    },
    OptionSet {
        name: "none",
        mss: 1460,
        ws: false,
        sack: false,
        ts: false,
    },
    OptionSet {
        name: "sack-only",
        mss: 1460,
        ws: false,
        sack: true,
        ts: false,
    },
    OptionSet {
        name: "ts-only",
        mss: 1460,
        ws: false,
        sack: false,
        ts: true,
    },
    OptionSet {
        name: "wscale-only",
        mss: 1460,
        ws: true,
        sack: false,
        ts: false,
    },
    OptionSet {
        name: "mss-1000",
        mss: 1000,
        ws: true,
        sack: true,
        ts: true,
    },
];

fn config(s: &OptionSet) -> Config {
    Config::default()
        .mss(s.mss)
        .window_scaling(s.ws)
        .sack(s.sack)
        .timestamps(s.ts)
}

/// Checks what both sides negotiated for set `s` on the connection whose
/// our end is at `our_port`; `k` is the kernel's end, which sends one byte
/// so that its post-handshake options show in the capture.
fn check_negotiated(
    env: &mut Env,
    s: &OptionSet,
    c: handshake_io::driver::ConnId,
    our_port: u16,
    k: &mut std::net::TcpStream,
) -> Result<(), String> {
    use std::io::Write;
    let name = s.name;
    k.write_all(b"k")
        .map_err(|e| format!("{name}: kernel write: {e}"))?;
    env.until(Duration::from_secs(2), "the kernel's byte", |d| {
        d.conn(c).recv_queue() > 0
    })?;
    let st = env.d.conn(c).stats();
    let (our_shift, peer_shift) = env.d.conn(c).window_scales();
    let our_mss = env.d.conn(c).mss();
    let segs = env.segments();
    let mine = |x: &&Seen| x.src_port == our_port || x.dst_port == our_port;
    let kernel_syn = segs
        .iter()
        .filter(mine)
        .find(|x| x.dir == Dir::ToUs && x.flags.contains(TcpFlags::SYN))
        .ok_or(format!("{name}: no kernel SYN in the capture"))?;
    let kernel_syn_mss = kernel_syn
        .mss
        .ok_or(format!("{name}: the kernel's SYN carries no MSS"))?;
    if kernel_syn.is_synack() {
        // RFC 2018 §2, RFC 7323 §1.3, §3.2: a SYN-ACK carries these only if the SYN did.
        let got = (
            kernel_syn.sack_ok,
            kernel_syn.ts,
            kernel_syn.wscale.is_some(),
        );
        if got != (s.sack, s.ts, s.ws) {
            return Err(format!("{name}: the kernel's SYN-ACK answered (sack, ts, wscale) = {got:?} to our offer {:?}", (s.sack, s.ts, s.ws)));
        }
    }
    if st.sack != s.sack || st.timestamps != s.ts {
        return Err(format!(
            "{name}: we negotiated sack={} ts={}, expected sack={} ts={} (the kernel offers both)",
            st.sack, st.timestamps, s.sack, s.ts
        ));
    }
    // RFC 7323 §3.2: once negotiated the kernel's data carries TSopt, else never.
    let kdata = segs
        .iter()
        .filter(mine)
        .find(|x| x.dir == Dir::ToUs && x.len > 0)
        .ok_or(format!("{name}: no kernel data in the capture"))?;
    if kdata.ts != s.ts {
        return Err(format!(
            "{name}: the kernel's data segment has TSopt={} with timestamps offered={}",
            kdata.ts, s.ts
        ));
    }
    if s.ws != (peer_shift > 0) || (!s.ws && our_shift != 0) {
        return Err(format!(
            "{name}: window scales (ours {our_shift}, kernel's {peer_shift}) with scaling offered={}",
            s.ws
        ));
    }
    // RFC 9293 §3.7.1: Eff.snd.MSS = min(SendMSS+20, MMS_S) - TCPhdrsize, the
    // header including the 12 octets of TSopt that every segment carries.
    let want_mss = usize::from(kernel_syn_mss.min(s.mss)) - if s.ts { 12 } else { 0 };
    if our_mss != want_mss {
        return Err(format!(
            "{name}: our effective send MSS {our_mss}, RFC 9293 §3.7.1 gives {want_mss} (kernel MSS {kernel_syn_mss}, ours {}, timestamps {})",
            s.mss, s.ts
        ));
    }
    let k = wait_kernel_state(env, Duration::from_secs(2), |i| {
        i.state == SockState::Established && i.peer.is_some_and(|p| p.port() == our_port)
    })?;
    // ss: wscale:<the shift the kernel applies to our windows>,<its own>.
    match (s.ws, k.get("wscale")) {
        (true, Some(w)) if w == format!("{our_shift},{peer_shift}") => {}
        (false, None) => {}
        (_, w) => {
            return Err(format!(
                "{name}: kernel wscale {w:?}, ours (sent {our_shift}, received {peer_shift}), offered={}",
                s.ws
            ))
        }
    }
    let kmss: usize = k
        .get("mss")
        .and_then(|m| m.parse().ok())
        .ok_or("ss shows no mss")?;
    // The kernel's own bound: its MTU of 1500 less the IP and TCP headers
    // (RFC 9293 §3.7.1; IPv6's fixed header is 40 octets, RFC 8200 §3).
    let link_mss: u16 = if env.v6 { 1440 } else { 1460 };
    let want_kmss = usize::from(s.mss.min(link_mss)) - if s.ts { 12 } else { 0 };
    if kmss != want_kmss {
        return Err(format!(
            "{name}: the kernel's send MSS {kmss}, expected {want_kmss} from our MSS option {}",
            s.mss
        ));
    }
    Ok(())
}

pub(super) fn options_client(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        for (i, s) in SETS.iter().enumerate() {
            let port = 5000 + i as u16;
            let l = kernel::listen(&env.net, env.kernel(port), None).map_err(|e| e.to_string())?;
            let acc = KernelTask::spawn(move || kernel::accept(&l, Duration::from_secs(5)));
            let our_port = 40000 + i as u16;
            let c = env.d.connect(config(s), our_port, env.kernel(port));
            env.until(Duration::from_secs(5), s.name, |d| {
                d.conn(c).state() == State::Established
            })?;
            let mut stream = acc
                .join()?
                .map_err(|e| format!("{}: accept: {e}", s.name))?;
            check_negotiated(env, s, c, our_port, &mut stream)?;
            drop(stream);
        }
        Ok(())
    })
}

pub(super) fn options_server(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        for (i, s) in SETS.iter().enumerate() {
            let port = 6000 + i as u16;
            env.d.listen(config(s), port, 8);
            let mut k = env.kernel_connect(env.ours(port))?;
            let mut got = None;
            env.until(Duration::from_secs(5), s.name, |d| {
                got = got.or_else(|| d.accept());
                got.is_some()
            })?;
            let c = got.ok_or("no connection")?;
            check_negotiated(env, s, c, port, &mut k)?;
            drop(k);
        }
        Ok(())
    })
}

pub(super) fn syn_retransmit(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let l = kernel::listen(&env.net, env.kernel(5100), None).map_err(|e| e.to_string())?;
        let acc = KernelTask::spawn(move || kernel::accept(&l, Duration::from_secs(8)));
        // Lose the kernel's SYN-ACKs until our SYN's retransmission is certain.
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToUs, Select::EverySynAck, Action::Drop).times(2));
        let c = env.d.connect(Config::default(), 40100, env.kernel(5100));
        env.until(Duration::from_secs(8), "handshake", |d| {
            d.conn(c).state() == State::Established
        })?;
        acc.join()?.map_err(|e| format!("accept: {e}"))?;
        let syns: Vec<_> = env
            .segments()
            .into_iter()
            .filter(|s| s.dir == Dir::ToKernel && s.is_syn())
            .collect();
        if syns.len() < 2 || syns.iter().any(|s| s.seq != syns[0].seq) {
            return Err(format!(
                "expected our SYN retransmitted with the same ISN, saw {syns:?}"
            ));
        }
        // RFC 6298 §2.1: the first retransmission after the initial RTO of 1 s.
        let gap = syns[1].at - syns[0].at;
        if gap < Duration::from_millis(900) {
            return Err(format!(
                "our SYN was retransmitted after {gap:?}, before the 1 s initial RTO"
            ));
        }
        Ok(())
    })
}

pub(super) fn synack_retransmit(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        // Our SYN-ACK timer is 3 s so that the kernel's SYN timer (1 s) fires first.
        env.d.listen(
            Config::default().initial_rto(SimDuration::from_secs(3)),
            5200,
            8,
        );
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToKernel, Select::EverySynAck, Action::Drop).times(1));
        let k = kernel::connect_nonblocking(&env.net, env.ours(5200)).map_err(|e| e.to_string())?;
        let mut got = None;
        env.until(Duration::from_secs(6), "accept", |d| {
            got = got.or_else(|| d.accept());
            got.is_some()
        })?;
        drop(k);
        let segs = env.segments();
        let syns: Vec<_> = segs
            .iter()
            .filter(|s| s.dir == Dir::ToUs && s.is_syn())
            .collect();
        if syns.len() < 2 {
            return Err(format!("the kernel's SYN was not retransmitted: {syns:?}"));
        }
        let gap = syns[1].at - syns[0].at;
        if gap < Duration::from_millis(900) {
            return Err(format!("kernel SYN retransmitted after {gap:?}"));
        }
        let synacks = segs
            .iter()
            .filter(|s| s.dir == Dir::ToKernel && s.is_synack())
            .count();
        if synacks < 2 {
            return Err(format!(
                "we sent {synacks} SYN-ACK(s); the retransmitted SYN must be answered again"
            ));
        }
        Ok(())
    })
}

pub(super) fn rst_closed_port(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let c = env.d.connect(Config::default(), 40200, env.kernel(9));
        env.until_closed(c, Event::Reset, 3, "the kernel's RST")?;
        let segs = env.segments();
        let syn = segs
            .iter()
            .find(|s| s.dir == Dir::ToKernel && s.is_syn())
            .ok_or("no SYN")?;
        let rst = segs
            .iter()
            .find(|s| s.dir == Dir::ToUs && s.flags.contains(TcpFlags::RST))
            .ok_or("no RST from the kernel")?;
        // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
        if rst.ack != syn.seq.wrapping_add(1) || !rst.flags.contains(TcpFlags::ACK) {
            return Err(format!(
                "kernel RST {rst:?} does not acknowledge our SYN {syn:?}"
            ));
        }
        Ok(())
    })
}

pub(super) fn refused_by_us(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let net_addr = env.ours(7);
        let stream = kernel::connect_nonblocking(&env.net, net_addr).map_err(|e| e.to_string())?;
        timeouts(&stream).map_err(|e| e.to_string())?;
        let mut err = None;
        env.until(
            Duration::from_secs(3),
            "the kernel's connect to fail",
            |_| {
                if let Ok(Some(e)) = kernel::take_error(&stream) {
                    err = Some(e);
                }
                err.is_some()
            },
        )?;
        let e = err.ok_or("no error")?;
        if e.kind() != std::io::ErrorKind::ConnectionRefused {
            return Err(format!(
                "the kernel's connect ended with {e}, expected ECONNREFUSED"
            ));
        }
        if env.d.stats().resets_sent == 0 {
            return Err("we sent no RST".into());
        }
        Ok(())
    })
}

/// RFC 4987 §3.6 against the kernel: 100,000 SYNs from spoofed sources
/// (203.0.113.0/24, RFC 5737) reach our listener (backlog 8) through the
/// TUN device, sent by a raw socket in the namespace; once the half-open
/// queue is full, the kernel connects as a real client and sends 100,000
/// bytes while the flood goes on. The queue never outgrows the backlog,
/// the flood is answered with cookies, the kernel's connection is the one
/// completed from a cookie, and every byte arrives.
pub(super) fn syn_flood_kernel_client(ctx: &mut Ctx, via: Via) -> Outcome {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use handshake_io::netns::OUR_ADDR;
    use handshake_io::packet::encode;
    use handshake_tcp::wire::{SegmentRepr, SeqNumber};

    use crate::peers::kernel::{receive_pattern, write_pattern};

    const PORT: u16 = 4987;
    const BACKLOG: usize = 8;
    const FLOOD: u32 = 100_000;
    const LEN: usize = 100_000;
    let seed = ctx.seed;
    run(ctx, via, |env| {
        env.d.listen(Config::default(), PORT, BACKLOG);
        let raw = crate::peers::kernel::raw_socket(&env.net)?;
        let sent = Arc::new(AtomicU64::new(0));
        let flood = {
            let sent = Arc::clone(&sent);
            KernelTask::spawn(move || -> Result<(), String> {
                let to = std::net::SocketAddrV4::new(OUR_ADDR, PORT);
                for k in 0..FLOOD {
                    let src = std::net::Ipv4Addr::new(203, 0, 113, (k % 250) as u8 + 1);
                    let mut h = SegmentRepr::new(
                        1024 + (k / 250) as u16,
                        PORT,
                        SeqNumber(k.wrapping_mul(2_654_435_761)),
                        TcpFlags::SYN,
                    );
                    h.window = 65_535;
                    h.options.mss = Some(1460);
                    let pkt = encode(src, OUR_ADDR, &h).map_err(|e| e.to_string())?;
                    // Count what the kernel took (a full TUN queue drops
                    // packets later, silently).
                    if rustix::net::sendto(&raw, &pkt, rustix::net::SendFlags::empty(), &to).is_ok()
                    {
                        sent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(())
            })
        };
        let half_open_full = env.until(
            Duration::from_secs(10),
            "the flood filling the queue",
            |d| d.listener(PORT).is_some_and(|l| l.half_open() >= BACKLOG),
        );
        // The flood keeps the TUN queue full, so any of the kernel's first
        // packets may be dropped there. A cookie binds the client's ISN
        // (RFC 4987 §3.6, as Linux's `cookie_v4_check`): the first segment
        // to reach us must be SEQ = ISN + 1, or the cookie fails and the
        // ACK is answered with a RST (RFC 9293 §3.10.7.1), as Linux would.
        // With its usual ten-segment initial window the kernel's handshake
        // ACK and first ten data segments can all be lost and the eleventh
        // arrive first (seen in a capture). One segment at a time keeps the
        // case about cookies, not about which packets the queue dropped.
        env.kernel_initcwnd(1)?;
        let result = half_open_full.and_then(|()| {
            let net_stream = env.kernel_connect(env.ours(PORT))?;
            let task = KernelTask::spawn(move || -> std::io::Result<()> {
                let mut s = net_stream;
                timeouts(&s)?;
                write_pattern(&mut s, seed, LEN)?;
                s.shutdown(std::net::Shutdown::Write)
            });
            let c = receive_pattern(env, None, seed, LEN, Duration::from_secs(30));
            task.join()?.map_err(|e| format!("kernel write: {e}"))?;
            env.d.conn(c?).close();
            // The rest of the flood arrives.
            env.until(Duration::from_secs(60), "the end of the flood", |_| {
                flood.is_finished()
            })
        });
        flood.join()??;
        result?;
        let l = env.d.listener(PORT).ok_or("no listener")?;
        let sent = sent.load(Ordering::Relaxed);
        if l.half_open() > BACKLOG || l.accept_queue() > BACKLOG {
            return Err(format!(
                "half-open {} / accept queue {} beyond the backlog {BACKLOG}",
                l.half_open(),
                l.accept_queue()
            ));
        }
        // The TUN queue drops much of a flood this fast (a run here: all
        // 100,000 sent, 32,092 reached us and were answered with cookies).
        if sent != u64::from(FLOOD) || l.cookies_accepted() != 1 || l.cookies_sent() < 10_000 {
            return Err(format!(
                "{sent} spoofed SYNs sent: {} cookies sent, {} accepted (want the kernel's)",
                l.cookies_sent(),
                l.cookies_accepted()
            ));
        }
        Ok(())
    })
}
