//! Goodput probe under loss (run as root): `loss_probe P SEED` sends 16 MiB over the TUN driver with
//! P random drop, 1% reorder and 1% duplicate both ways, and prints our stats at each RTO;
//! `PROBE_RECOVERY=0` turns off the tail loss probe during fast recovery (`Config::recovery_probe`);
//! `PROBE_TRACE=N` also prints the last N trace events before each of the first three RTOs,
//! and the fault injector's decisions of the 203 ms before each; `PROBE_ALL=1` with a large
//! `PROBE_TRACE` prints the rest of the trace at the end.
use handshake_io::driver::Driver;
use handshake_io::kernel;
use handshake_io::link::Link;
use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR};
use handshake_tcp::conn::{Config, State};
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn main() {
    let p: f64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let seed: u64 = std::env::args().nth(2).unwrap().parse().unwrap();
    let (net, dev) = TestNet::new(NetConfig::default()).unwrap();
    let mut link = Link::new(dev.unwrap(), seed).unwrap();
    link.faults.add_lossy_path(p);
    let mut d = Driver::new(link);
    let addr: SocketAddr = (KERNEL_ADDR, 5001).into();
    let l = kernel::listen(&net, addr, None).unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = kernel::accept(&l, Duration::from_secs(5)).unwrap();
        let mut buf = vec![0u8; 1 << 18];
        let mut n = 0;
        loop {
            match s.read(&mut buf).unwrap() {
                0 => return n,
                k => n += k,
            }
        }
    });
    let cfg = Config::linux()
        // PROBE_RECOVERY=0: no tail loss probe during fast recovery (RFC 8985 §7.2 exactly).
        .recovery_probe(std::env::var("PROBE_RECOVERY").as_deref() != Ok("0"))
        .mss(1460)
        .send_buffer(4 << 20)
        .recv_buffer(4 << 20)
        .trace(if std::env::var_os("PROBE_TRACE").is_some() {
            4096
        } else {
            0
        });
    let show: usize = std::env::var("PROBE_TRACE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut ring: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let c = d.connect(cfg, 40001, addr);
    d.run_until(Duration::from_secs(5), |d| {
        d.conn(c).state() == State::Established
    })
    .unwrap();
    let start = Instant::now();
    let data = vec![0u8; 1 << 18];
    let mut left = 16usize << 20;
    let mut closed = false;
    let mut last_to = 0;
    d.run_until(Duration::from_secs(120), |d| {
        while left > 0 { let n = d.conn(c).send(&data[..left.min(data.len())]); if n == 0 { break } left -= n; }
        if left == 0 && !closed { d.conn(c).close(); closed = true; }
        if show > 0 {
            let evs: Vec<_> = d.conn(c).drain_trace().collect();
            for e in evs {
                ring.push_back(format!("{e:?}"));
                if ring.len() > show { ring.pop_front(); }
            }
        }
        let st = d.conn(c).stats();
        if st.timeouts != last_to {
            if show > 0 && st.timeouts <= 12 {
                for l in ring.drain(..) { println!("  {l}"); }
                // The fault injector's decisions over the last 203 ms.
                let now = d.link.elapsed().as_secs_f64();
                for l in d.link.fault_log() {
                    let at: f64 = l.trim_start().split('s').next().and_then(|t| t.parse().ok()).unwrap_or(0.0);
                    if at > now - 0.203 { println!("  fault {}", l.trim_start()); }
                }
            }
            last_to = st.timeouts;
            println!("{:?} RTO #{}: cwnd {} ssthresh {} inflight {} sacked {} rto {:?} srtt {:?} rec {} retx {} tlp {} rack_lost {} reo {}", start.elapsed(), st.timeouts, st.cwnd, st.ssthresh, st.bytes_in_flight, st.sacked_bytes, st.rto, st.srtt, st.in_recovery, st.retransmits, st.tlp_probes, st.rack_lost, st.reo_wnd_mult);
        }
        reader.is_finished()
    }).unwrap();
    if std::env::var_os("PROBE_ALL").is_some() {
        // The rest of the trace (with PROBE_TRACE=N large: all of it after the last RTO printed).
        for e in d.conn(c).drain_trace() {
            ring.push_back(format!("{e:?}"));
        }
        for l in ring.drain(..) {
            println!("  {l}");
        }
    }
    let st = d.conn(c).stats();
    println!("done in {:?}: {:?}", start.elapsed(), st);
}
