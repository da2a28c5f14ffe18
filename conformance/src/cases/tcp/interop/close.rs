//! Closing: half-close each way, active close by each side with TIME-WAIT
//! on the right one, simultaneous close, and aborts both ways.

use std::io::Read;
use std::time::Duration;

use handshake_crypto::Sha256;
use handshake_io::driver::ConnId;
use handshake_io::fault::{Action, Dir, Rule, Select};
use handshake_io::kernel::{self, SockState};
use handshake_tcp::conn::{Config, Event, State};
use handshake_tcp::wire::TcpFlags;

use crate::peers::kernel::{
    drain, pump, read_all_hash, receive_pattern, run, timeouts, wait_kernel_state, write_pattern,
    Env, KernelTask, Pattern, Via,
};
use crate::{Ctx, Outcome};

/// Connects to a kernel listener at `port` and returns our connection and
/// the kernel's accepted stream.
fn open(env: &mut Env, port: u16) -> Result<(ConnId, std::net::TcpStream), String> {
    let l = kernel::listen(&env.net, env.kernel(port), None).map_err(|e| e.to_string())?;
    let acc = KernelTask::spawn(move || kernel::accept(&l, Duration::from_secs(5)));
    let c = env.d.connect(Config::default(), port, env.kernel(port));
    env.until(Duration::from_secs(5), "handshake", |d| {
        d.conn(c).state() == State::Established
    })?;
    let s = acc.join()?.map_err(|e| format!("accept: {e}"))?;
    timeouts(&s).map_err(|e| e.to_string())?;
    Ok((c, s))
}

fn kernel_time_wait(env: &mut Env, our_port: u16, limit: Duration) -> Result<(), String> {
    wait_kernel_state(env, limit, |i| {
        i.state == SockState::TimeWait && i.peer.is_some_and(|p| p.port() == our_port)
    })
    .map(drop)
}

/// True if the kernel shows a socket toward `our_port` in TIME-WAIT.
fn kernel_has_time_wait(env: &Env, our_port: u16) -> Result<bool, String> {
    Ok(kernel::sockets(&env.net)
        .map_err(|e| e.to_string())?
        .iter()
        .any(|i| i.state == SockState::TimeWait && i.peer.is_some_and(|p| p.port() == our_port)))
}

pub(super) fn half_close_ours(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let (c, mut s) = open(env, 8000)?;
        let (a, b) = (50_000, 20_000);
        // The kernel reads to our FIN, then answers on its still-open direction.
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let got = read_all_hash(&mut s)?;
            write_pattern(&mut s, seed + 1, b)?;
            Ok(got)
        });
        let mut p = Pattern::new(seed, a);
        let mut buf = vec![0u8; 64 * 1024];
        pump(&mut env.d, c, &mut p, &mut buf);
        if p.remaining() != 0 {
            return Err("send buffer too small".into());
        }
        env.d.conn(c).close();
        let mut h = Sha256::new();
        let mut got = 0;
        env.until(
            Duration::from_secs(10),
            "the kernel's data after our FIN",
            |d| {
                got += drain(d, c, &mut h, &mut buf);
                got >= b && task.is_finished()
            },
        )?;
        let (n, kh) = task.join()?.map_err(|e| format!("kernel: {e}"))?;
        Pattern::check("before our FIN, the kernel", n, kh, seed, a)?;
        Pattern::check("after our FIN, we", got, h.finalize(), seed + 1, b)?;
        let st = env.d.conn(c).state();
        if st != State::FinWait2 && st != State::TimeWait {
            return Err(format!("half-closed, we are in {st:?}"));
        }
        Ok(())
    })
}

pub(super) fn half_close_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        env.d.listen(Config::default(), 8100, 8);
        let stream = env.kernel_connect(env.ours(8100))?;
        let (a, b) = (30_000, 70_000);
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = stream;
            timeouts(&s)?;
            write_pattern(&mut s, seed, a)?;
            s.shutdown(std::net::Shutdown::Write)?;
            read_all_hash(&mut s)
        });
        let id = receive_pattern(env, None, seed, a, Duration::from_secs(5))?;
        if env.d.conn(id).state() != State::CloseWait {
            return Err(format!(
                "after the kernel's FIN we are in {:?}, not CLOSE-WAIT",
                env.d.conn(id).state()
            ));
        }
        // RFC 9293 §3.10.7.4: in CLOSE-WAIT we may still send.
        let mut p = Pattern::new(seed + 1, b);
        let limit = Duration::from_secs(10);
        env.send_then_close(id, &mut p, limit, "our data in CLOSE-WAIT", || {
            task.is_finished()
        })?;
        let (n, kh) = task.join()?.map_err(|e| format!("kernel: {e}"))?;
        Pattern::check("the kernel", n, kh, seed + 1, b)?;
        Ok(())
    })
}

pub(super) fn active_close_ours(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let (c, mut s) = open(env, 8200)?;
        let task = KernelTask::spawn(move || -> std::io::Result<usize> {
            let mut v = Vec::new();
            let n = s.read_to_end(&mut v)?;
            drop(s); // the kernel's close after our FIN: LAST-ACK
            Ok(n)
        });
        env.d.conn(c).close();
        env.until(Duration::from_secs(5), "TIME-WAIT", |d| {
            d.conn(c).state() == State::TimeWait && task.is_finished()
        })?;
        task.join()?.map_err(|e| format!("kernel: {e}"))?;
        // The kernel, the passive closer, goes LAST-ACK -> CLOSED: no TIME-WAIT there.
        env.d
            .run_for(Duration::from_millis(100))
            .map_err(|e| e.to_string())?;
        if kernel_has_time_wait(env, 8200)? {
            return Err("the kernel, which closed second, is in TIME-WAIT".into());
        }
        let k = kernel::sockets(&env.net).map_err(|e| e.to_string())?;
        if k.iter().any(|i| i.peer.is_some_and(|p| p.port() == 8200)) {
            return Err(format!("the kernel's socket is not closed: {k:?}"));
        }
        Ok(())
    })
}

pub(super) fn active_close_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let (c, s) = open(env, 8300)?;
        drop(s);
        env.until_event(
            c,
            Event::PeerClosed,
            Duration::from_secs(5),
            "the kernel's FIN",
        )?;
        env.d.conn(c).close();
        // Closed, not TIME-WAIT: we closed second.
        env.until_closed(c, Event::Closed, 5, "LAST-ACK")?;
        // RFC 9293 §3.6: the side that closed first waits in TIME-WAIT.
        kernel_time_wait(env, 8300, Duration::from_secs(2))
    })
}

pub(super) fn simultaneous_close(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let (c, s) = open(env, 8400)?;
        // Both FINs in flight at once: every packet takes 100 ms each way.
        for dir in [Dir::ToKernel, Dir::ToUs] {
            env.d.link.faults.add(Rule::new(
                dir,
                Select::All,
                Action::Delay(Duration::from_millis(100)),
            ));
        }
        let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
        let task = KernelTask::spawn(move || -> std::io::Result<()> {
            let mut s = s;
            go_rx
                .recv_timeout(Duration::from_secs(5))
                .map_err(std::io::Error::other)?;
            s.shutdown(std::net::Shutdown::Write)?;
            let mut v = Vec::new();
            s.read_to_end(&mut v)?;
            Ok(())
        });
        let _ = go_tx.send(());
        env.d.conn(c).close();
        env.until(Duration::from_secs(5), "TIME-WAIT", |d| {
            d.conn(c).state() == State::TimeWait && task.is_finished()
        })?;
        task.join()?.map_err(|e| format!("kernel: {e}"))?;
        let segs = env.segments();
        let fin = |dir| {
            segs.iter()
                .find(|s| s.dir == dir && s.flags.contains(TcpFlags::FIN))
                .map(|s| s.at)
        };
        let (ours_at, theirs_at) = (
            fin(Dir::ToKernel).ok_or("no FIN from us")?,
            fin(Dir::ToUs).ok_or("no FIN from the kernel")?,
        );
        let apart = ours_at.max(theirs_at) - ours_at.min(theirs_at);
        if apart >= Duration::from_millis(100) {
            return Err(format!("the FINs were {apart:?} apart: not simultaneous"));
        }
        // RFC 9293 figure 13: both sides pass CLOSING and wait in TIME-WAIT.
        kernel_time_wait(env, 8400, Duration::from_secs(2))
    })
}

pub(super) fn our_abort(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let (c, mut s) = open(env, 8500)?;
        let task = KernelTask::spawn(move || {
            let mut b = [0u8; 16];
            s.read(&mut b)
        });
        env.d.conn(c).abort();
        env.until(Duration::from_secs(5), "the kernel's read", |_| {
            task.is_finished()
        })?;
        match task.join()? {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            other => {
                return Err(format!(
                    "the kernel's read after our RST gave {other:?}, expected ECONNRESET"
                ))
            }
        }
        let segs = env.segments();
        if !segs
            .iter()
            .any(|s| s.dir == Dir::ToKernel && s.flags.contains(TcpFlags::RST))
        {
            return Err("no RST from us in the capture".into());
        }
        Ok(())
    })
}

pub(super) fn kernel_abort(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let (c, s) = open(env, 8600)?;
        kernel::abort(s).map_err(|e| e.to_string())?;
        env.until_closed(c, Event::Reset, 5, "the kernel's RST")
    })
}
