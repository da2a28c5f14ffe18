//! Bulk throughput over TUN: the kernel sending to our stack and our stack
//! sending to the kernel, beside kernel-to-kernel over a veth pair, in one
//! run. `cargo bench -p handshake-io --bench tun_throughput` (root on Linux;
//! elsewhere, or without CAP_NET_ADMIN, it says why and exits).
//!
//! Each figure is the median of five transfers of `HANDSHAKE_TUN_BENCH_MIB`
//! MiB (default 256, 64 under `cargo xtask bench --quick`), each timed from
//! the first byte to the last, with the spread (lowest to highest) beside it,
//! for a 1500-octet MTU and for a 64000-octet one (a TUN device has no wire:
//! a large MTU is the batching a real NIC gets from TSO/GRO).
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
    use handshake_io::netns::{veth_peer, NetConfig, TestNet, KERNEL_ADDR};
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

    fn net(mtu: u16) -> Result<(TestNet, Driver), String> {
        let (net, tun) = TestNet::new(NetConfig {
            tun: true,
            mtu,
            tap: false,
            ipv6: false,
        })
        .map_err(|e| e.to_string())?;
        let link = Link::new(tun.ok_or("no TUN")?, 1)
            .map_err(|e| e.to_string())?
            .without_capture();
        Ok((net, Driver::new(link)))
    }

    /// Our stack sends `bytes` to a kernel reader.
    fn us_to_kernel(mtu: u16, bytes: usize) -> Result<f64, String> {
        let (net, mut d) = net(mtu)?;
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
        let c = d.connect(config(mtu), 40001, addr);
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
        Ok(gbps(bytes, end - start))
    }

    /// A kernel writer sends `bytes` to our stack.
    fn kernel_to_us(mtu: u16, bytes: usize) -> Result<f64, String> {
        let (net, mut d) = net(mtu)?;
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
        let c = d.connect(config(mtu), 40002, addr);
        d.run_until(Duration::from_secs(5), |d| {
            d.conn(c).state() == State::Established
        })
        .map_err(|e| e.to_string())?;
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
        Ok(gbps(bytes, end - start.unwrap_or(end)))
    }

    /// Kernel to kernel over a veth pair between two namespaces of ours.
    fn veth(mtu: u16, bytes: usize) -> Result<f64, String> {
        let (a, _) = TestNet::new(NetConfig {
            tun: false,
            mtu,
            tap: false,
            ipv6: false,
        })
        .map_err(|e| e.to_string())?;
        let b = veth_peer(&a).map_err(|e| e.to_string())?;
        let m = mtu.to_string();
        a.ip(&["link", "set", "hsva", "mtu", &m])
            .map_err(|e| e.to_string())?;
        b.ip(&["link", "set", "hsvb", "mtu", &m])
            .map_err(|e| e.to_string())?;
        // Real MTU-sized packets on the veth as on the TUN device.
        let offloads_off = [(&a, "hsva"), (&b, "hsvb")].iter().all(|(ns, dev)| {
            ns.command(
                "ethtool",
                &["-K", dev, "tso", "off", "gso", "off", "gro", "off"],
            )
            .is_ok()
        });
        if !offloads_off {
            eprintln!(
                "tun_throughput: ethtool missing or failed: the veth baseline keeps its offloads"
            );
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
        println!(
            "bulk throughput, median of {RUNS} transfers of {mib} MiB, Gbit/s [lowest-highest] \
             (ratio of medians to kernel-to-kernel over veth, offloads off)"
        );
        println!(
            "{:<8} {:>24} {:>32} {:>32}",
            "MTU", "kernel->kernel (veth)", "kernel->us (TUN)", "us->kernel (TUN)"
        );
        for mtu in [1500u16, 64000] {
            let row = (
                repeated(|| veth(mtu, bytes)),
                repeated(|| kernel_to_us(mtu, bytes)),
                repeated(|| us_to_kernel(mtu, bytes)),
            );
            match row {
                (Ok(k), Ok(r), Ok(s)) => println!(
                    "{:<8} {:>24} {:>23} ({:>5.2}x) {:>23} ({:>5.2}x)",
                    mtu,
                    k.to_string(),
                    r.to_string(),
                    r.median / k.median,
                    s.to_string(),
                    s.median / k.median
                ),
                (k, r, s) => println!("{mtu:<8} {k:?} {r:?} {s:?}"),
            }
        }
    }

    /// Transfers per figure.
    const RUNS: usize = 5;

    /// The median of `RUNS` measurements, with the lowest and highest.
    #[derive(Debug)]
    struct Spread {
        median: f64,
        low: f64,
        high: f64,
    }

    impl std::fmt::Display for Spread {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:.2} [{:.2}-{:.2}]", self.median, self.low, self.high)
        }
    }

    fn repeated(mut one: impl FnMut() -> Result<f64, String>) -> Result<Spread, String> {
        let mut v = (0..RUNS)
            .map(|_| one())
            .collect::<Result<Vec<f64>, String>>()?;
        v.sort_by(f64::total_cmp);
        Ok(Spread {
            median: v[RUNS / 2],
            low: v[0],
            high: v[RUNS - 1],
        })
    }
}
