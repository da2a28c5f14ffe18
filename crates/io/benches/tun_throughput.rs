//! Bulk throughput over TUN and over TAP: the kernel sending to our stack
//! and our stack sending to the kernel, beside kernel-to-kernel over a veth
//! pair, in one run; then goodput under loss. `cargo bench -p handshake-io
//! --bench tun_throughput` (root on Linux; elsewhere, or without
//! CAP_NET_ADMIN, it says why and exits).
//!
//! The TAP columns carry the same IP packets in Ethernet frames, with our
//! ARP cache resolving the kernel: their ratio to the TUN columns is what
//! the link layer costs.
//!
//! Goodput under loss: the same 16 MiB transfer both ways (our sender to a
//! kernel reader; a kernel sender to our reader) through the same fault
//! rules with the same seeds, at 1%, 3% and 5% random loss in each
//! direction plus 1% reordered and 1% duplicated packets, MTU 1500. Both
//! senders use a 200 ms minimum RTO (ours `Config::linux()`, the kernel's
//! own) and 4 MiB buffers on our side; each figure is the median of three
//! seeds, timed from the connection's establishment to the receiver's
//! last byte. The ratio is ours over the kernel's, with our sender's
//! retransmission timeouts beside it.
//!
//! With offloads: the TUN device opened with the virtio-net header, so the
//! kernel's TSO super-packets reach our stack whole and our bursts go to the
//! kernel coalesced (`Link::with_offload`), at MTU 1500, beside veth with
//! its own offloads on: both sides move super-packets.
//!
//! `HANDSHAKE_TUN_BENCH_ONLY=bulk`, `=offload` or `=loss` runs only that
//! section; unset, all three run.
//!
//! Each figure is the median of `HANDSHAKE_TUN_BENCH_RUNS` (default five)
//! transfers of `HANDSHAKE_TUN_BENCH_MIB` MiB (default 256, 64 under `cargo
//! xtask bench --quick`), each timed from the first byte to the last, with the
//! spread (lowest to highest) beside it, for a 1500-octet MTU and for a
//! 64000-octet one (a TUN device has no wire: a large MTU is the batching a
//! real NIC gets from TSO/GRO). The columns' transfers are interleaved, one of
//! each per run, and a TAP transfer is always made beside a TUN one in the
//! same direction (which goes first alternates): the TAP ratio is the median
//! of those pairs' ratios, so a change in load between runs cancels out,
//! given with a distribution-free 95% confidence interval for that median
//! from six runs up (`HANDSHAKE_TUN_BENCH_RUNS=21` gives a usable one).
//!
//! The work both sides do: the TUN rows carry real MTU-sized packets through
//! the kernel (our stack segments at MSS = MTU − 40, and the TUN device has no
//! offloads). The veth baseline therefore runs with its offloads off (TSO,
//! GSO and GRO, by `ethtool -K`, Debian's ethtool package): with them on, the
//! kernel moves 64 KB super-packets across veth at "MTU 1500", which is not
//! the same work. Without ethtool the baseline row says it kept offloads on.

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    println!("tun_throughput: Linux only (network namespaces and TUN)");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{Read, Write};
    use std::net::{Shutdown, SocketAddr};
    use std::time::{Duration, Instant};

    use handshake_io::driver::Driver;
    use handshake_io::kernel;
    use handshake_io::link::Link;
    use handshake_io::netns::{veth_peer, NetConfig, TestNet, KERNEL_ADDR, OUR_ADDR};
    use handshake_io::tap::TapPort;
    use handshake_link::MacAddr;
    use handshake_tcp::conn::{Config, State};

    const CHUNK: usize = 256 * 1024;

    fn config(mtu: u16) -> Config {
        Config::default()
            .mss(mtu - 40)
            .send_buffer(8 << 20)
            .recv_buffer(8 << 20)
    }

    fn gbps(bytes: usize, d: Duration) -> f64 {
        bytes as f64 * 8.0 / d.as_secs_f64() / 1e9
    }

    /// How a transfer runs: the MTU, TUN or TAP, and random loss (with 1%
    /// reordering and 1% duplication) in both directions from `seed`.
    #[derive(Debug, Clone, Copy)]
    struct Setup {
        mtu: u16,
        tap: bool,
        /// TUN with the virtio-net header: TSO/GRO super-packets both ways.
        offload: bool,
        loss: Option<f64>,
        seed: u64,
    }

    impl Setup {
        fn clean(mtu: u16, tap: bool) -> Setup {
            Setup {
                mtu,
                tap,
                offload: false,
                loss: None,
                seed: 1,
            }
        }

        fn config(&self) -> Config {
            match self.loss {
                // Both senders with a 200 ms minimum RTO (Linux's).
                Some(_) => Config::linux()
                    .mss(self.mtu - 40)
                    .send_buffer(4 << 20)
                    .recv_buffer(4 << 20),
                None => config(self.mtu),
            }
        }
    }

    /// What a transfer measured: goodput and our sender's timeouts.
    struct Measured {
        gbps: f64,
        timeouts: u64,
    }

    fn net(setup: Setup) -> Result<(TestNet, Driver), String> {
        let (net, dev) = TestNet::new(NetConfig {
            tun: true,
            mtu: setup.mtu,
            tap: setup.tap,
            ipv6: false,
            offload: setup.offload,
        })
        .map_err(|e| e.to_string())?;
        let dev = dev.ok_or("no device")?;
        let link = if setup.tap {
            let mac = MacAddr([0x02, 0x00, 0x5e, 0x00, 0x53, 0x02]);
            TapPort::new(dev, mac, OUR_ADDR).map(|p| Link::over_tap(p, setup.seed))
        } else if setup.offload {
            Link::with_offload(dev, setup.seed)
        } else {
            Link::new(dev, setup.seed)
        };
        let mut link = link.map_err(|e| e.to_string())?.without_capture();
        if let Some(p) = setup.loss {
            link.faults.add_lossy_path(p);
        }
        Ok((net, Driver::new(link)))
    }

    /// Our stack sends `bytes` to a kernel reader.
    fn us_to_kernel(setup: Setup, bytes: usize) -> Result<Measured, String> {
        let (net, mut d) = net(setup)?;
        let addr: SocketAddr = (KERNEL_ADDR, 5001).into();
        let l = kernel::listen(&net, addr, None).map_err(|e| e.to_string())?;
        let reader = std::thread::spawn(move || -> std::io::Result<(usize, Instant)> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            let mut buf = vec![0u8; CHUNK];
            let mut n = 0;
            loop {
                match s.read(&mut buf)? {
                    0 => return Ok((n, Instant::now())),
                    k => n += k,
                }
            }
        });
        let c = d.connect(setup.config(), 40001, addr);
        d.run_until(Duration::from_secs(5), |d| {
            d.conn(c).state() == State::Established
        })
        .map_err(|e| e.to_string())?;
        let start = Instant::now();
        let data = vec![0x5au8; CHUNK];
        let mut left = bytes;
        let mut closed = false;
        d.run_until(Duration::from_secs(120), |d| {
            while left > 0 {
                let n = d.conn(c).send(&data[..left.min(CHUNK)]);
                if n == 0 {
                    break;
                }
                left -= n;
            }
            if left == 0 && !closed {
                d.conn(c).close();
                closed = true;
            }
            reader.is_finished()
        })
        .map_err(|e| e.to_string())?;
        let (n, end) = reader
            .join()
            .map_err(|_| "reader panicked")?
            .map_err(|e| e.to_string())?;
        if n != bytes {
            return Err(format!("the kernel read {n} of {bytes} bytes"));
        }
        Ok(Measured {
            gbps: gbps(bytes, end - start),
            timeouts: d.conn(c).stats().timeouts,
        })
    }

    /// A kernel writer sends `bytes` to our stack.
    fn kernel_to_us(setup: Setup, bytes: usize) -> Result<Measured, String> {
        let (net, mut d) = net(setup)?;
        let addr: SocketAddr = (KERNEL_ADDR, 5002).into();
        let l = kernel::listen(&net, addr, None).map_err(|e| e.to_string())?;
        let writer = std::thread::spawn(move || -> std::io::Result<()> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            s.set_write_timeout(Some(Duration::from_secs(30)))?;
            let data = vec![0xa5u8; CHUNK];
            let mut left = bytes;
            while left > 0 {
                let n = left.min(CHUNK);
                s.write_all(&data[..n])?;
                left -= n;
            }
            s.shutdown(Shutdown::Write)
        });
        let c = d.connect(setup.config(), 40002, addr);
        d.run_until(Duration::from_secs(5), |d| {
            d.conn(c).state() == State::Established
        })
        .map_err(|e| e.to_string())?;
        let established = Instant::now();
        let mut buf = vec![0u8; CHUNK];
        let mut got = 0;
        let mut start = None;
        d.run_until(Duration::from_secs(120), |d| {
            loop {
                let n = d.conn(c).recv(&mut buf);
                if n == 0 {
                    break;
                }
                start.get_or_insert_with(Instant::now);
                got += n;
            }
            d.conn(c).recv_finished()
        })
        .map_err(|e| e.to_string())?;
        let end = Instant::now();
        writer
            .join()
            .map_err(|_| "writer panicked")?
            .map_err(|e| e.to_string())?;
        if got != bytes {
            return Err(format!("we read {got} of {bytes} bytes"));
        }
        // Under loss the first byte may be lost: time from establishment,
        // as for our sender.
        let from = match setup.loss {
            Some(_) => established,
            None => start.unwrap_or(end),
        };
        Ok(Measured {
            gbps: gbps(bytes, end - from),
            timeouts: 0,
        })
    }

    /// Kernel to kernel over a veth pair between two namespaces of ours,
    /// with the veth's offloads off (real MTU-sized packets), or on.
    fn veth(mtu: u16, bytes: usize, offloads: bool) -> Result<f64, String> {
        let (a, _) = TestNet::new(NetConfig {
            tun: false,
            mtu,
            ..NetConfig::default()
        })
        .map_err(|e| e.to_string())?;
        let b = veth_peer(&a).map_err(|e| e.to_string())?;
        let m = mtu.to_string();
        a.ip(&["link", "set", "hsva", "mtu", &m])
            .map_err(|e| e.to_string())?;
        b.ip(&["link", "set", "hsvb", "mtu", &m])
            .map_err(|e| e.to_string())?;
        // Real MTU-sized packets on the veth as on the plain TUN device.
        if !offloads {
            let off = [(&a, "hsva"), (&b, "hsvb")].iter().all(|(ns, dev)| {
                ns.command(
                    "ethtool",
                    &["-K", dev, "tso", "off", "gso", "off", "gro", "off"],
                )
                .is_ok()
            });
            if !off {
                eprintln!(
                    "tun_throughput: ethtool missing or failed: the veth baseline keeps its offloads"
                );
            }
        }
        let addr: SocketAddr = "192.0.2.130:5003".parse().expect("literal");
        let l = kernel::listen(&b, addr, None).map_err(|e| e.to_string())?;
        let reader = std::thread::spawn(move || -> std::io::Result<(usize, Instant, Instant)> {
            let mut s = kernel::accept(&l, Duration::from_secs(5))?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            let mut buf = vec![0u8; CHUNK];
            let (mut n, mut first) = (0, None);
            loop {
                match s.read(&mut buf)? {
                    0 => return Ok((n, first.unwrap_or_else(Instant::now), Instant::now())),
                    k => {
                        first.get_or_insert_with(Instant::now);
                        n += k;
                    }
                }
            }
        });
        let mut s = kernel::connect(&a, addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
        s.set_write_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let data = vec![0x77u8; CHUNK];
        let mut left = bytes;
        while left > 0 {
            let n = left.min(CHUNK);
            s.write_all(&data[..n]).map_err(|e| e.to_string())?;
            left -= n;
        }
        s.shutdown(Shutdown::Write).map_err(|e| e.to_string())?;
        let (n, first, end) = reader
            .join()
            .map_err(|_| "reader panicked")?
            .map_err(|e| e.to_string())?;
        if n != bytes {
            return Err(format!("veth: read {n} of {bytes}"));
        }
        Ok(gbps(bytes, end - first))
    }

    pub fn main() {
        if let Err(e) = handshake_io::netns::check_support() {
            println!("tun_throughput: skipped: {e}");
            return;
        }
        let mib: usize = std::env::var("HANDSHAKE_TUN_BENCH_MIB")
            .ok()
            .and_then(|v| v.parse().ok())
            // `cargo xtask bench --quick` passes a short criterion measurement time.
            .unwrap_or(if std::env::args().any(|a| a == "--measurement-time") {
                64
            } else {
                256
            });
        let bytes = mib << 20;
        let runs: usize = std::env::var("HANDSHAKE_TUN_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n| n > 0)
            .unwrap_or(RUNS);
        let only = std::env::var("HANDSHAKE_TUN_BENCH_ONLY").unwrap_or_default();
        let run = |section: &str| only.is_empty() || only == section;
        if run("bulk") {
            bulk(bytes, mib, runs);
        }
        if run("offload") {
            offloaded(bytes, mib, runs);
        }
        if run("loss") {
            loss_goodput();
        }
    }

    /// The bulk table: every column at each MTU.
    ///
    /// The transfers are interleaved: each run does one of every column
    /// (veth, then TUN and TAP in each direction, the TUN/TAP order
    /// alternating from run to run), so a change in the machine's load
    /// reaches every column alike. The TAP ratio is the median of the
    /// runs' own TAP/TUN ratios, each from two transfers made back to back.
    fn bulk(bytes: usize, mib: usize, runs: usize) {
        println!(
            "bulk throughput, median of {runs} transfers of {mib} MiB, Gbit/s [lowest-highest] \
             (TUN: ratio of medians to kernel-to-kernel over veth, offloads off; \
             TAP: median of each run's ratio to the TUN transfer made beside it, with a \
             95% confidence interval for that median when there are 6 runs or more, else [lowest-highest])"
        );
        println!(
            "{:<6} {:>22} {:>30} {:>30} {:>42} {:>42}",
            "MTU",
            "kernel->kernel (veth)",
            "kernel->us (TUN)",
            "us->kernel (TUN)",
            "kernel->us (TAP)",
            "us->kernel (TAP)"
        );
        for mtu in [1500u16, 64000] {
            match bulk_row(mtu, bytes, runs) {
                Ok([k, r, s, rt, st, rt_ratio, st_ratio]) => println!(
                    "{:<6} {:>22} {:>21} ({:>5.2}x) {:>21} ({:>5.2}x) {:>21} ({}) {:>21} ({})",
                    mtu,
                    k.to_string(),
                    r.to_string(),
                    r.median / k.median,
                    s.to_string(),
                    s.median / k.median,
                    rt.to_string(),
                    rt_ratio.ratio(),
                    st.to_string(),
                    st_ratio.ratio(),
                ),
                Err(e) => println!("{mtu:<6} {e}"),
            }
        }
    }

    /// One MTU's row: the five columns' spreads, then the two TAP/TUN
    /// ratio spreads (kernel to us, us to kernel).
    fn bulk_row(mtu: u16, bytes: usize, runs: usize) -> Result<[Spread; 7], String> {
        let transfer = |f: fn(Setup, usize) -> Result<Measured, String>, tap| {
            f(Setup::clean(mtu, tap), bytes).map(|m| m.gbps)
        };
        // A TUN and a TAP transfer back to back, in the run's order.
        let pair = |f: fn(Setup, usize) -> Result<Measured, String>, tap_first: bool| {
            if tap_first {
                let tap = transfer(f, true)?;
                Ok::<_, String>((transfer(f, false)?, tap))
            } else {
                let tun = transfer(f, false)?;
                Ok((tun, transfer(f, true)?))
            }
        };
        let mut cols: [Vec<f64>; 7] = Default::default();
        for run in 0..runs {
            let tap_first = run % 2 == 1;
            let k = veth(mtu, bytes, false)?;
            let (r, rt) = pair(kernel_to_us, tap_first)?;
            let (s, st) = pair(us_to_kernel, tap_first)?;
            for (col, v) in cols.iter_mut().zip([k, r, s, rt, st, rt / r, st / s]) {
                col.push(v);
            }
        }
        Ok(cols.map(Spread::of))
    }

    /// TUN with its offloads at MTU 1500 against veth with its own on:
    /// both sides move TSO/GSO super-packets (issue 18 §1: "or both sides
    /// with them"). Interleaved as the bulk table.
    fn offloaded(bytes: usize, mib: usize, runs: usize) {
        println!();
        println!(
            "with offloads (TUN: virtio-net header, TSO/GRO super-packets; veth: its TSO/GSO/GRO on), \
             MTU 1500, median of {runs} transfers of {mib} MiB, Gbit/s [lowest-highest], \
             ratio of medians to veth"
        );
        println!(
            "{:<6} {:>22} {:>30} {:>30}",
            "MTU", "kernel->kernel (veth)", "kernel->us (TUN)", "us->kernel (TUN)"
        );
        let setup = Setup {
            offload: true,
            ..Setup::clean(1500, false)
        };
        let mut cols: [Vec<f64>; 3] = Default::default();
        for _ in 0..runs {
            let row = (|| {
                Ok::<_, String>([
                    veth(1500, bytes, true)?,
                    kernel_to_us(setup, bytes)?.gbps,
                    us_to_kernel(setup, bytes)?.gbps,
                ])
            })();
            match row {
                Ok(r) => cols.iter_mut().zip(r).for_each(|(c, v)| c.push(v)),
                Err(e) => {
                    println!("1500   {e}");
                    return;
                }
            }
        }
        let [k, r, s] = cols.map(Spread::of);
        println!(
            "{:<6} {:>22} {:>21} ({:>5.2}x) {:>21} ({:>5.2}x)",
            1500,
            k.to_string(),
            r.to_string(),
            r.median / k.median,
            s.to_string(),
            s.median / k.median,
        );
    }

    /// Seeds per figure under loss.
    const LOSS_RUNS: usize = 3;

    /// Goodput of our sender and of the kernel's through the same faults.
    fn loss_goodput() {
        const BYTES: usize = 16 << 20;
        println!();
        println!(
            "goodput under loss, 16 MiB, MTU 1500, both directions: p lost, 1% reordered, \
             1% duplicated; median of {LOSS_RUNS} seeds, Mbit/s [lowest-highest]"
        );
        println!(
            "{:<6} {:>28} {:>28} {:>8} {:>18}",
            "loss", "kernel sender -> us", "our sender -> kernel", "ratio", "our RTOs (seeds)"
        );
        for p in [0.01, 0.03, 0.05] {
            let setup = |seed: usize| Setup {
                mtu: 1500,
                tap: false,
                offload: false,
                loss: Some(p),
                seed: 1000 + seed as u64,
            };
            let kernel = repeated(LOSS_RUNS, |k| {
                kernel_to_us(setup(k), BYTES).map(|m| m.gbps * 1000.0)
            });
            let mut rtos = Vec::new();
            let ours = repeated(LOSS_RUNS, |k| {
                us_to_kernel(setup(k), BYTES).map(|m| {
                    rtos.push(m.timeouts);
                    m.gbps * 1000.0
                })
            });
            match (kernel, ours) {
                (Ok(k), Ok(o)) => println!(
                    "{:<6} {:>28} {:>28} {:>7.2}x {:>18}",
                    format!("{:.0}%", p * 100.0),
                    format!("{:.0} [{:.0}-{:.0}]", k.median, k.low, k.high),
                    format!("{:.0} [{:.0}-{:.0}]", o.median, o.low, o.high),
                    o.median / k.median,
                    format!("{rtos:?}"),
                ),
                (k, o) => println!("{p}: {k:?} {o:?}"),
            }
        }
    }

    /// Transfers per figure.
    const RUNS: usize = 5;

    /// The median of some measurements, with the lowest and highest, and a
    /// 95% confidence interval for the median when there are enough of them.
    #[derive(Debug)]
    struct Spread {
        median: f64,
        low: f64,
        high: f64,
        ci95: Option<(f64, f64)>,
    }

    impl std::fmt::Display for Spread {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:.2} [{:.2}-{:.2}]", self.median, self.low, self.high)
        }
    }

    impl Spread {
        /// The median, lowest and highest of some measurements (at least one).
        fn of(mut v: Vec<f64>) -> Spread {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            Spread {
                median: v[n / 2],
                low: v[0],
                high: v[n - 1],
                ci95: median_ci95(n).map(|(lo, hi)| (v[lo], v[hi])),
            }
        }

        /// A ratio column: the median, then its interval or the range.
        fn ratio(&self) -> String {
            match self.ci95 {
                Some((lo, hi)) => format!("{:.2}x, 95% CI {lo:.2}-{hi:.2}", self.median),
                None => format!("{:.2}x [{:.2}-{:.2}]", self.median, self.low, self.high),
            }
        }
    }

    /// The distribution-free confidence interval for a median from `n`
    /// sorted samples (the order statistics that bracket it): with
    /// B ~ Binomial(n, 1/2), the widest-inset pair of indices (k - 1, n - k)
    /// for which P(B <= k - 1) <= 2.5%, so that the interval misses the true
    /// median with probability at most 5%. None for fewer than 6 samples,
    /// where even the lowest and highest do not reach 95%.
    fn median_ci95(n: usize) -> Option<(usize, usize)> {
        let total = 2f64.powi(i32::try_from(n).ok()?);
        let (mut cdf, mut choose, mut k) = (0.0, 1.0, 0);
        // cdf = P(B <= k) while it stays within 2.5%; choose = C(n, k).
        while k < n / 2 {
            let next = cdf + choose / total;
            if next > 0.025 {
                break;
            }
            cdf = next;
            choose = choose * (n - k) as f64 / (k + 1) as f64;
            k += 1;
        }
        // k is how many terms (B = 0 .. k - 1) fit: the k-th order statistic
        // from each end, 0-indexed k - 1 and n - k.
        (k >= 1).then(|| (k - 1, n - k))
    }

    /// `runs` measurements (`one` gets the run's index).
    fn repeated(
        runs: usize,
        one: impl FnMut(usize) -> Result<f64, String>,
    ) -> Result<Spread, String> {
        Ok(Spread::of(
            (0..runs).map(one).collect::<Result<Vec<f64>, String>>()?,
        ))
    }
}
