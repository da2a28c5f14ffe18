//! Data both ways, 1 byte to 64 MiB, checked by SHA-256; zero windows both ways.

use std::time::Duration;

use handshake_io::fault::Dir;
use handshake_io::kernel;
use handshake_tcp::conn::Config;
use handshake_time::Duration as SimDuration;

use crate::peers::kernel::{
    read_all_hash, receive_pattern, run, send_pattern, timeouts, write_pattern, Env, KernelTask,
    Seen, Via,
};
use crate::{Ctx, Outcome};

const SIZES: [usize; 6] = [1, 2, 1000, 1448 * 3 + 7, 100_000, 1 << 20];
const BULK: usize = 64 << 20;

fn big() -> Config {
    Config::default().send_buffer(4 << 20).recv_buffer(4 << 20)
}

/// One transfer: `len` bytes of pattern `seed` on `port`, our side using
/// `config`, all of it within `limit`.
struct Job {
    port: u16,
    seed: u64,
    len: usize,
    config: Config,
    limit: Duration,
}

/// We connect to a kernel listener and send the job's bytes, then close;
/// the kernel hashes what it reads.
fn send_to_kernel(env: &mut Env, job: Job) -> Result<(), String> {
    let port = job.port;
    let l = kernel::listen(&env.net, env.kernel(port), None).map_err(|e| e.to_string())?;
    let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
        let mut s = kernel::accept(&l, Duration::from_secs(5))?;
        timeouts(&s)?;
        read_all_hash(&mut s)
    });
    let c = env.d.connect(job.config, port, env.kernel(port));
    send_pattern(env, c, task, job.seed, job.len, job.limit)
}

/// The kernel connects to our listener and sends the job's bytes, then
/// closes; we hash what we read until its FIN.
fn receive_from_kernel(env: &mut Env, job: Job) -> Result<(), String> {
    let Job {
        port, seed, len, ..
    } = job;
    env.d.listen(job.config, port, 8);
    let net_stream = env.kernel_connect(env.ours(port))?;
    let task = KernelTask::spawn(move || -> std::io::Result<()> {
        let mut s = net_stream;
        timeouts(&s)?;
        write_pattern(&mut s, seed, len)?;
        s.shutdown(std::net::Shutdown::Write)
    });
    let c = receive_pattern(env, None, seed, len, job.limit);
    task.join()?.map_err(|e| format!("kernel write: {e}"))?;
    env.d.conn(c?).close();
    Ok(())
}

/// A transfer either way.
type Transfer = fn(&mut Env, Job) -> Result<(), String>;

/// Every size in [`SIZES`], on ports from `first_port` up.
fn each_size(ctx: &mut Ctx, via: Via, first_port: u16, transfer: Transfer) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        for (i, &len) in SIZES.iter().enumerate() {
            transfer(
                env,
                Job {
                    port: first_port + i as u16,
                    seed: seed ^ i as u64,
                    len,
                    config: Config::default(),
                    limit: Duration::from_secs(10),
                },
            )?;
        }
        Ok(())
    })
}

pub(super) fn sizes_to_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    each_size(ctx, via, 7000, send_to_kernel)
}

pub(super) fn sizes_from_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    each_size(ctx, via, 7100, receive_from_kernel)
}

/// [`BULK`] bytes with large buffers on `port`.
fn bulk(ctx: &mut Ctx, via: Via, port: u16, transfer: Transfer) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let limit = Duration::from_secs(30);
        transfer(
            env,
            Job {
                port,
                seed,
                len: BULK,
                config: big(),
                limit,
            },
        )
    })
}

pub(super) fn bulk_to_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    bulk(ctx, via, 7200, send_to_kernel)
}

pub(super) fn bulk_from_kernel(ctx: &mut Ctx, via: Via) -> Outcome {
    bulk(ctx, via, 7300, receive_from_kernel)
}

/// Segments from `from` sent while the other side's latest window was zero.
fn during_zero_window(segs: &[Seen], from: Dir) -> (bool, Vec<Seen>) {
    let mut zero = false;
    let mut seen_zero = false;
    let mut out = Vec::new();
    for s in segs {
        if s.dir != from && !s.is_syn() && !s.is_synack() {
            zero = s.win == 0;
            seen_zero |= zero;
        } else if s.dir == from && zero {
            out.push(s.clone());
        }
    }
    (seen_zero, out)
}

pub(super) fn zero_window_kernel_receiver(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let len = 1 << 20;
        let l =
            kernel::listen(&env.net, env.kernel(7400), Some(4096)).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            timeouts(&s)?;
            // The application stops reading: the window closes.
            std::thread::sleep(Duration::from_millis(2500));
            read_all_hash(&mut s)
        });
        // Linux's 200 ms minimum RTO keeps the persist probes frequent enough to watch.
        let c = env.d.connect(
            Config::default().min_rto(SimDuration::from_millis(200)),
            7400,
            env.kernel(7400),
        );
        send_pattern(env, c, task, seed, len, Duration::from_secs(15))?;
        let (seen_zero, probes) = during_zero_window(&env.segments(), Dir::ToKernel);
        if !seen_zero {
            return Err("the kernel never advertised a zero window".into());
        }
        // RFC 9293 §3.8.6.1 (MUST-35): probe a zero window; each probe holds at most one octet.
        if probes.len() < 2 || probes.iter().any(|s| s.len > 1) {
            return Err(format!("while the kernel's window was zero we sent {probes:?}; expected at least 2 probes of at most one octet"));
        }
        // RFC 1122 §4.2.2.17: the probe interval SHOULD increase exponentially.
        let gaps: Vec<Duration> = probes.windows(2).map(|w| w[1].at - w[0].at).collect();
        if gaps
            .windows(2)
            .any(|g| g[1] + Duration::from_millis(20) < g[0])
        {
            return Err(format!("probe intervals shrink: {gaps:?}"));
        }
        Ok(())
    })
}

pub(super) fn zero_window_our_receiver(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let len = 256 * 1024;
        env.d
            .listen(Config::default().recv_buffer(16 * 1024), 7500, 8);
        let stream = env.kernel_connect(env.ours(7500))?;
        let task = KernelTask::spawn(move || -> std::io::Result<()> {
            let mut s = stream;
            timeouts(&s)?;
            write_pattern(&mut s, seed, len)?;
            s.shutdown(std::net::Shutdown::Write)
        });
        let mut c = None;
        // We do not read for 2.5 s: our window closes and the kernel probes it.
        env.until(Duration::from_secs(5), "accept", |d| {
            c = c.or_else(|| d.accept());
            c.is_some()
        })?;
        let id = c.ok_or("no connection")?;
        env.d
            .run_for(Duration::from_millis(2500))
            .map_err(|e| e.to_string())?;
        receive_pattern(env, Some(id), seed, len, Duration::from_secs(10))?;
        task.join()?.map_err(|e| format!("kernel write: {e}"))?;
        let segs = env.segments();
        let (seen_zero, probes) = during_zero_window(&segs, Dir::ToUs);
        if !seen_zero {
            return Err("we never advertised a zero window".into());
        }
        if probes.len() < 2 {
            return Err(format!(
                "the kernel sent {} probe(s) into our zero window",
                probes.len()
            ));
        }
        // MUST-37 (RFC 9293 §3.8.6.1): the receiver keeps acknowledging while
        // the window is zero: an ACK follows each probe.
        for p in &probes {
            let answered = segs.iter().any(|s| {
                s.dir == Dir::ToKernel && s.at >= p.at && s.at < p.at + Duration::from_millis(200)
            });
            if !answered {
                return Err(format!("no ACK from us after the kernel's probe {p:?}"));
            }
        }
        Ok(())
    })
}
