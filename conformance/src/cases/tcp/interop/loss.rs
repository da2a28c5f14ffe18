//! Loss recovery against the kernel: its fast retransmit driven by our
//! duplicate ACKs and SACKs, ours driven by its, and our RTO backing off.

use std::time::Duration;

use handshake_io::fault::{Action, Dir, Rule, Select};
use handshake_io::kernel;
use handshake_tcp::conn::{Config, State};
use handshake_time::Duration as SimDuration;

use crate::peers::kernel::{
    kernel_counters, read_all_hash, receive_pattern, run, send_pattern, timeouts, write_pattern,
    KernelTask, Via,
};
use crate::{Ctx, Outcome};

const LEN: usize = 2 << 20;
const DROPPED: u32 = 30;

fn counter(m: &std::collections::HashMap<String, u64>, k: &str) -> u64 {
    m.get(k).copied().unwrap_or(0)
}

pub(super) fn kernel_fast_retransmit(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let before = kernel_counters(&env.net)?;
        let l = kernel::listen(&env.net, env.kernel(9000), None).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<()> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            timeouts(&s)?;
            write_pattern(&mut s, seed, LEN)?;
            s.shutdown(std::net::Shutdown::Write)
        });
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToUs, Select::NthData(DROPPED), Action::Drop).times(1));
        let c = env.d.connect(Config::default(), 9000, env.kernel(9000));
        receive_pattern(env, Some(c), seed, LEN, Duration::from_secs(10))?;
        task.join()?.map_err(|e| format!("kernel: {e}"))?;
        let segs = env.segments();
        let lost = env
            .d
            .link
            .fault_log()
            .first()
            .cloned()
            .ok_or("nothing was dropped")?;
        // The dropped segment: the first kernel data segment sent twice.
        let data: Vec<_> = segs
            .iter()
            .filter(|s| s.dir == Dir::ToUs && s.len > 0)
            .collect();
        let (first, again) = data
            .iter()
            .enumerate()
            .find_map(|(i, s)| {
                data[i + 1..]
                    .iter()
                    .find(|t| t.seq == s.seq)
                    .map(|t| (*s, *t))
            })
            .ok_or(format!("the kernel never retransmitted ({lost})"))?;
        // RFC 5681 §4.2: out-of-order arrivals draw immediate duplicate ACKs
        // for the hole; RFC 2018 §4: each carries SACK blocks.
        let dupacks: Vec<_> = segs
            .iter()
            .filter(|s| {
                s.dir == Dir::ToKernel
                    && s.ack == first.seq
                    && s.at > first.at
                    && s.at < again.at
                    && s.len == 0
            })
            .collect();
        let with_sack = dupacks.iter().filter(|s| s.sack_blocks > 0).count();
        if with_sack == 0 {
            return Err(format!("before the kernel's retransmission we sent {} ACKs for the hole, none with SACK ({lost})", dupacks.len()));
        }
        // Every ACK while the hole is open reports what lies beyond it.
        let later_plain = segs
            .iter()
            .filter(|s| {
                s.dir == Dir::ToKernel
                    && s.ack == first.seq
                    && s.at > dupacks[0].at
                    && s.at < again.at
                    && s.sack_blocks == 0
            })
            .count();
        if later_plain > 0 {
            return Err(format!(
                "{later_plain} ACK(s) for the hole carried no SACK blocks"
            ));
        }
        // Fast retransmit, not a timeout: the kernel's counters in the namespace.
        let after = kernel_counters(&env.net)?;
        let fast =
            counter(&after, "TcpExt.TCPFastRetrans") - counter(&before, "TcpExt.TCPFastRetrans");
        let timeouts =
            counter(&after, "TcpExt.TCPTimeouts") - counter(&before, "TcpExt.TCPTimeouts");
        if fast == 0 || timeouts != 0 {
            return Err(format!(
                "the kernel counted {fast} fast retransmits and {timeouts} timeouts"
            ));
        }
        Ok(())
    })
}

pub(super) fn our_fast_retransmit(ctx: &mut Ctx, via: Via) -> Outcome {
    let seed = ctx.seed;
    run(ctx, via, |env| {
        let l = kernel::listen(&env.net, env.kernel(9100), None).map_err(|e| e.to_string())?;
        let task = KernelTask::spawn(move || -> std::io::Result<(usize, [u8; 32])> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            timeouts(&s)?;
            read_all_hash(&mut s)
        });
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToKernel, Select::NthData(DROPPED), Action::Drop).times(1));
        let c = env.d.connect(Config::default(), 9100, env.kernel(9100));
        send_pattern(env, c, task, seed, LEN, Duration::from_secs(10))?;
        let st = env.d.conn(c).stats();
        if st.fast_retransmits == 0 || st.timeouts != 0 {
            return Err(format!(
                "we made {} fast retransmits and {} timeouts for one lost segment",
                st.fast_retransmits, st.timeouts
            ));
        }
        let sacks = env
            .segments()
            .iter()
            .filter(|s| s.dir == Dir::ToUs && s.sack_blocks > 0)
            .count();
        if sacks == 0 {
            return Err("the kernel sent no SACK blocks for the hole".into());
        }
        Ok(())
    })
}

pub(super) fn rto_backoff(ctx: &mut Ctx, via: Via) -> Outcome {
    run(ctx, via, |env| {
        let l = kernel::listen(&env.net, env.kernel(9200), None).map_err(|e| e.to_string())?;
        let acc = KernelTask::spawn(move || kernel::accept(&l, Duration::from_secs(5)));
        // A 200 ms floor (Linux's) so that five timeouts fit in a few seconds.
        let c = env.d.connect(
            Config::default().min_rto(SimDuration::from_millis(200)),
            9200,
            env.kernel(9200),
        );
        env.until(Duration::from_secs(5), "handshake", |d| {
            d.conn(c).state() == State::Established
        })?;
        let s = acc.join()?.map_err(|e| format!("accept: {e}"))?;
        // Black hole: nothing of ours reaches the kernel any more.
        env.d
            .link
            .faults
            .add(Rule::new(Dir::ToKernel, Select::All, Action::Drop));
        env.d.conn(c).send(&[7u8; 1000]);
        env.d
            .run_for(Duration::from_millis(3400))
            .map_err(|e| e.to_string())?;
        drop(s);
        let sends: Vec<_> = env
            .segments()
            .into_iter()
            .filter(|s| s.dir == Dir::ToKernel && s.len > 0)
            .collect();
        if sends.len() < 5 || sends.iter().any(|s| s.seq != sends[0].seq) {
            return Err(format!(
                "expected the segment and at least 4 retransmissions of it, saw {}",
                sends.len()
            ));
        }
        // RACK-TLP (on by default) sends one tail loss probe before the
        // first timeout (RFC 8985 §7.3: at most one probe per episode); the
        // timer's backoff is measured between the retransmissions after it.
        let probes = env.d.conn(c).stats().tlp_probes;
        if probes > 1 {
            return Err(format!(
                "{probes} tail loss probes for one black-holed tail"
            ));
        }
        // RFC 6298 §5.5: each timeout doubles the RTO.
        let gaps: Vec<f64> = sends
            .windows(2)
            .map(|w| (w[1].at - w[0].at).as_secs_f64())
            .skip(probes as usize)
            .collect();
        if gaps.len() < 4 {
            return Err(format!(
                "{} timeouts after {probes} probe(s), want 4",
                gaps.len()
            ));
        }
        for g in gaps.windows(2) {
            let r = g[1] / g[0];
            if !(1.7..=2.3).contains(&r) {
                return Err(format!(
                    "retransmission intervals {gaps:?}: ratio {r:.2}, not 2"
                ));
            }
        }
        if env.d.conn(c).stats().timeouts < 4 {
            return Err(format!(
                "{} timeouts counted",
                env.d.conn(c).stats().timeouts
            ));
        }
        Ok(())
    })
}
