//! Our TCP against the kernel's through a TUN device in a namespace of our own.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::time::Duration;

use handshake_io::driver::Driver;
use handshake_io::kernel;
use handshake_io::link::Link;
use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR};
use handshake_tcp::conn::{Config, State};

/// A namespace with a TUN device, or `None` (said on stderr) where the
/// machine cannot make one (no CAP_NET_ADMIN, not Linux's netns).
fn test_net(config: NetConfig) -> Option<(TestNet, Option<tun_rs::SyncDevice>)> {
    match TestNet::new(config) {
        Ok(v) => Some(v),
        Err(e) if e.is_unsupported() => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn echo_through_the_kernel() {
    let Some((net, tun)) = test_net(NetConfig::default()) else {
        return;
    };
    let l = kernel::listen(&net, (KERNEL_ADDR, 7000).into(), None).unwrap();
    let server = std::thread::spawn(move || {
        let mut s = kernel::accept(&l, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        s.write_all(&buf).unwrap();
    });
    let mut d = Driver::new(Link::new(tun.unwrap(), 1).unwrap());
    let c = d.connect(Config::default(), 40000, (KERNEL_ADDR, 7000).into());
    d.run_until(Duration::from_secs(5), |d| {
        d.conn(c).state() == State::Established
    })
    .unwrap();
    assert_eq!(d.conn(c).send(b"hello"), 5);
    let mut got = Vec::new();
    d.run_until(Duration::from_secs(5), |d| {
        let mut b = [0u8; 16];
        let n = d.conn(c).recv(&mut b);
        got.extend_from_slice(&b[..n]);
        got.len() >= 5
    })
    .unwrap();
    assert_eq!(got, b"hello");
    server.join().unwrap();
    assert_eq!(d.stats().bad_packets, 0);
    let info = kernel::sockets(&net).unwrap();
    assert!(!info.is_empty(), "ss sees the kernel's sockets");
}

/// The byte at offset `i` of a transfer: a pattern with period 251 (prime),
/// so a misplaced or repeated segment shows.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// With the TUN device's offloads (the virtio-net header), the kernel's TSO
/// super-packets reach our stack whole and our bursts go to the kernel as
/// coalesced super-packets; 4 MiB each way must arrive intact, every
/// checksum verified, and super-packets must have been used both ways.
#[test]
fn offloads_carry_super_packets_both_ways() {
    const N: usize = 4 << 20;
    let config = NetConfig {
        offload: true,
        ..NetConfig::default()
    };
    let Some((net, tun)) = test_net(config) else {
        return;
    };
    let l = kernel::listen(&net, (KERNEL_ADDR, 7001).into(), None).unwrap();
    let server = std::thread::spawn(move || {
        let mut s = kernel::accept(&l, Duration::from_secs(5)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut got = vec![0u8; N];
        s.read_exact(&mut got).unwrap();
        let bad = (0..N).find(|&i| got[i] != pattern(i));
        let back: Vec<u8> = (0..N).map(pattern).collect();
        s.write_all(&back).unwrap();
        s.shutdown(std::net::Shutdown::Write).unwrap();
        bad
    });
    let link = Link::with_offload(tun.unwrap(), 1).unwrap();
    assert!(
        link.offload_counts().is_some(),
        "the device has the virtio-net header"
    );
    let mut d = Driver::new(link);
    let config = Config::default().send_buffer(1 << 20).recv_buffer(1 << 20);
    let c = d.connect(config, 40001, (KERNEL_ADDR, 7001).into());
    d.run_until(Duration::from_secs(5), |d| {
        d.conn(c).state() == State::Established
    })
    .unwrap();
    let data: Vec<u8> = (0..N).map(pattern).collect();
    let (mut sent, mut got) = (0, Vec::with_capacity(N));
    d.run_until(Duration::from_secs(30), |d| {
        sent += d.conn(c).send(&data[sent..]);
        let mut b = vec![0u8; 1 << 16];
        loop {
            let n = d.conn(c).recv(&mut b);
            if n == 0 {
                break;
            }
            got.extend_from_slice(&b[..n]);
        }
        got.len() >= N
    })
    .unwrap();
    assert_eq!(
        server.join().unwrap(),
        None,
        "the kernel read our bytes intact"
    );
    assert_eq!(got.len(), N);
    assert!(
        got.iter().enumerate().all(|(i, &b)| b == pattern(i)),
        "we read the kernel's bytes intact"
    );
    assert_eq!(d.stats().bad_packets, 0);
    let (super_in, super_out) = d.link.offload_counts().unwrap();
    assert!(super_in > 0, "the kernel's TSO super-packets reached us");
    assert!(super_out > 0, "our segments went out coalesced");
    eprintln!("super-packets: {super_in} in, {super_out} out");
}

/// A program that opens and finishes connections one after another: once
/// each is released and has closed (FIN both ways, then TIME-WAIT), the
/// driver forgets it. The driver never removed a connection from its
/// endpoint, whose table (which every poll walks) grew by one connection
/// per connection ever made.
#[test]
fn released_connections_are_forgotten_once_closed() {
    let Some((net, tun)) = test_net(NetConfig::default()) else {
        return;
    };
    const N: u16 = 4;
    let l = kernel::listen(&net, (KERNEL_ADDR, 7001).into(), None).unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..N {
            let mut s = kernel::accept(&l, Duration::from_secs(5)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            // Up to our FIN, then the kernel's.
            let mut got = Vec::new();
            s.read_to_end(&mut got).unwrap();
            assert_eq!(got, b"bye");
        }
    });
    let mut d = Driver::new(Link::new(tun.unwrap(), 1).unwrap());
    let config = Config::default().time_wait(handshake_time::Duration::from_millis(200));
    for i in 0..N {
        let c = d.connect(config.clone(), 41000 + i, (KERNEL_ADDR, 7001).into());
        d.run_until(Duration::from_secs(5), |d| {
            d.conn(c).state() == State::Established
        })
        .unwrap();
        assert_eq!(d.conn(c).send(b"bye"), 3);
        assert_eq!(d.connections(), 1);
        d.release(c);
        d.run_until(Duration::from_secs(5), |d| d.connections() == 0)
            .unwrap_or_else(|e| panic!("connection {i} is still held: {e}"));
    }
    server.join().unwrap();
}
