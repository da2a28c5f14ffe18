//! Throughput probe (run as root): `tap_probe tun|tap MTU MIB` sends MIB MiB
//! from our stack to a kernel reader over a TUN or TAP device, as the
//! tun_throughput bench does, and prints the goodput; for profiling one
//! path at a time (`perf record -a -g -- tap_probe tap 1500 512`).
use handshake_io::driver::Driver;
use handshake_io::kernel;
use handshake_io::link::Link;
use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR, OUR_ADDR};
use handshake_io::tap::TapPort;
use handshake_link::MacAddr;
use handshake_tcp::conn::{Config, State};
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (tap, mtu, mib): (bool, u16, usize) = match &args[1..] {
        [mode, mtu, mib] => (mode == "tap", mtu.parse().unwrap(), mib.parse().unwrap()),
        _ => panic!("usage: tap_probe tun|tap MTU MIB"),
    };
    let (net, dev) = TestNet::new(NetConfig {
        tun: true,
        mtu,
        tap,
        ipv6: false,
    })
    .unwrap();
    let dev = dev.unwrap();
    let link = if tap {
        let mac = MacAddr([0x02, 0x00, 0x5e, 0x00, 0x53, 0x02]);
        Link::over_tap(TapPort::new(dev, mac, OUR_ADDR).unwrap(), 1)
    } else {
        Link::new(dev, 1).unwrap()
    };
    let mut d = Driver::new(link.without_capture());
    let addr: SocketAddr = (KERNEL_ADDR, 5001).into();
    let l = kernel::listen(&net, addr, None).unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = kernel::accept(&l, Duration::from_secs(5)).unwrap();
        let mut buf = vec![0u8; 1 << 18];
        let mut n = 0;
        loop {
            match s.read(&mut buf).unwrap() {
                0 => return (n, Instant::now()),
                k => n += k,
            }
        }
    });
    let cfg = Config::default()
        .mss(mtu - 40)
        .send_buffer(8 << 20)
        .recv_buffer(8 << 20);
    let c = d.connect(cfg, 40001, addr);
    d.run_until(Duration::from_secs(5), |d| {
        d.conn(c).state() == State::Established
    })
    .unwrap();
    let start = Instant::now();
    let data = vec![0x5au8; 1 << 18];
    let mut left = mib << 20;
    let mut closed = false;
    d.run_until(Duration::from_secs(120), |d| {
        while left > 0 {
            let n = d.conn(c).send(&data[..left.min(data.len())]);
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
    .unwrap();
    let (n, end) = reader.join().unwrap();
    let secs = (end - start).as_secs_f64();
    println!(
        "{} MTU {mtu}: {n} bytes in {secs:.3} s, {:.2} Gbit/s",
        if tap { "TAP" } else { "TUN" },
        n as f64 * 8.0 / secs / 1e9
    );
}
