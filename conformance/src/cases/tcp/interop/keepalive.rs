//! Keep-alives against the kernel (RFC 9293 §3.8.4): our probes answered by
//! Linux's ACKs, and Linux's probes (SO_KEEPALIVE with a one-second idle
//! time) answered by ours, both connections staying up.

use std::time::Duration;

use handshake_io::fault::Dir;
use handshake_io::kernel;
use handshake_tcp::conn::{Config, KeepAlive, State};
use handshake_time::Duration as SimDuration;

use crate::peers::kernel::{run, Env, KernelTask, Seen, Via};
use crate::{Ctx, Outcome};

/// Probes (zero or one octet at the sender's SND.NXT - 1) that went `dir`,
/// each with the answer the other side sent next, if any.
fn probes_and_answers(segs: &[Seen], dir: Dir) -> Vec<(Seen, Option<Seen>)> {
    let mut out = Vec::new();
    // The highest sequence number + length sent so far in `dir`: SND.NXT.
    let mut nxt: Option<u32> = None;
    for (i, s) in segs.iter().enumerate() {
        if s.dir != dir {
            continue;
        }
        let end = s.seq.wrapping_add(s.len as u32);
        if nxt.is_some_and(|n| s.seq == n.wrapping_sub(1) && s.len <= 1) {
            let answer = segs[i + 1..].iter().find(|a| a.dir != dir).cloned();
            out.push((s.clone(), answer));
        } else if s.is_syn() || s.is_synack() {
            nxt = Some(s.seq.wrapping_add(1));
        } else if nxt.is_some_and(|n| (end.wrapping_sub(n) as i32) > 0) {
            nxt = Some(end);
        }
    }
    out
}

/// Every probe got an ACK of the prober's SND.NXT, and there were at least `min`.
fn all_answered(probes: &[(Seen, Option<Seen>)], min: usize) -> Result<(), String> {
    if probes.len() < min {
        return Err(format!("{} probes, want at least {min}", probes.len()));
    }
    for (p, a) in probes {
        let want = p.seq.wrapping_add(1);
        match a {
            Some(a) if a.ack == want && a.len == 0 => {}
            other => {
                return Err(format!(
                    "probe at {:?}: answer {other:?}, want ACK {want}",
                    p.at
                ))
            }
        }
    }
    Ok(())
}

/// Our connection to a kernel listener probes after one idle second; the
/// kernel answers each probe with an ACK and the connection stays up.
pub(super) fn our_probes_answered(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env: &mut Env| {
        let port = 8700;
        let l = kernel::listen(&env.net, env.kernel(port), None).map_err(|e| e.to_string())?;
        let acc = KernelTask::spawn(move || kernel::accept(&l, Duration::from_secs(5)));
        let ka = KeepAlive {
            idle: SimDuration::from_secs(1),
            interval: SimDuration::from_secs(1),
            probes: 3,
            garbage_octet: false,
        };
        let c = env.d.connect(
            Config::default().keep_alive(Some(ka)),
            port,
            env.kernel(port),
        );
        env.until(Duration::from_secs(5), "handshake", |d| {
            d.conn(c).state() == State::Established
        })?;
        let _stream = acc.join()?.map_err(|e| format!("accept: {e}"))?;
        // Three idle periods: about three probes, each answered.
        let _ = env.until(Duration::from_millis(3500), "idling", |_| false);
        if env.d.conn(c).state() != State::Established {
            return Err(format!(
                "after idling we are in {:?}",
                env.d.conn(c).state()
            ));
        }
        all_answered(&probes_and_answers(&env.segments(), Dir::ToKernel), 2)
    })
}

/// The kernel's connection to our listener has SO_KEEPALIVE with a
/// one-second idle time: we answer its probes with ACKs (RFC 9293
/// §3.10.7.4, an unacceptable segment) and it keeps the connection.
pub(super) fn kernel_probes_answered(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env: &mut Env| {
        let port = 8710;
        env.d.listen(Config::default(), port, 8);
        let s = env.kernel_connect(env.ours(port))?;
        use rustix::net::sockopt;
        sockopt::set_socket_keepalive(&s, true).map_err(|e| e.to_string())?;
        sockopt::set_tcp_keepidle(&s, Duration::from_secs(1)).map_err(|e| e.to_string())?;
        sockopt::set_tcp_keepintvl(&s, Duration::from_secs(1)).map_err(|e| e.to_string())?;
        sockopt::set_tcp_keepcnt(&s, 2).map_err(|e| e.to_string())?;
        let _ = env.until(Duration::from_millis(3500), "idling", |_| false);
        // Two unanswered probes would have closed the kernel's socket.
        if let Some(e) = s.take_error().map_err(|e| e.to_string())? {
            return Err(format!("the kernel's socket failed: {e}"));
        }
        all_answered(&probes_and_answers(&env.segments(), Dir::ToUs), 2)
    })
}
