//! TCP speed: two of our connections beside two smoltcp 0.12 sockets, each
//! pair over an in-memory lossless link.
//!
//! - `tcp/bulk-64MiB`: 64 MiB from one end to the other, with MSS 1460 and
//!   with the largest MSS a 64 KiB IPv4 packet allows (65495); 256 KiB send
//!   and receive buffers on both stacks.
//! - `tcp/connections`: one connection per iteration: handshake, 1 KiB each
//!   way, close (done when the client is in TIME-WAIT and the server CLOSED),
//!   then both ends are forgotten. The hosts stay from one iteration to the
//!   next on both sides (smoltcp: one interface and socket set, with two
//!   sockets added and removed per connection; ours: two endpoints and a
//!   listener, with a connection opened, accepted and removed on each).
//!
//! Both stacks do the same work per packet: each segment goes out as an
//! IPv4 packet (IPv4 header and TCP segment emitted with both checksums,
//! the data copied once, from the sender's send buffer into a packet buffer
//! allocated for it: smoltcp's `Loopback` allocates each packet, and ours
//! takes the segment from `Endpoint::poll_segment`, as a driver would) and
//! comes in through an IPv4 parse (header checksum verified) and a TCP parse
//! (checksum verified), and the receiving host demultiplexes it (ours: an
//! `Endpoint` on each side, which routes by 4-tuple; smoltcp: its
//! interface's socket set). smoltcp's `Loopback` turns checksums off, so it
//! is wrapped to turn them back on and to set the MTU. Both run CUBIC
//! congestion control (smoltcp with its `socket-tcp-cubic` feature); neither
//! sends timestamps (smoltcp 0.12 with its TSval generator set sends
//! 1460-byte segments plus the 12-byte option in a 1500-byte MTU, which its
//! own device refuses, and the transfer stalls; so ours turns them off for
//! this bench); both scale the window for the same 256 KiB buffers. Applications copy data in with `send` and out with
//! `recv`, and the clock is virtual: it jumps to the next timer only when
//! nothing else can happen.

use criterion::{criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration as WallDuration;

const MIB64: usize = 64 << 20;
const BUFFER: usize = 256 * 1024;

/// Our connections, driven by hand: no simulator, nothing but the stack and
/// the wire format between the two ends.
mod ours {
    use handshake_ip::checksum::PseudoHeader;
    use handshake_ip::{ChecksumMode, IpProtocol, Ipv4Addr, Ipv4Packet, Ipv4Repr};
    use handshake_tcp::conn::{Config, Connection, IsnGenerator, State, TransmitRef};
    use handshake_tcp::endpoint::{ConnHandle, Endpoint};
    use handshake_tcp::wire::{Segment, SegmentRepr, SeqNumber};
    use handshake_time::{Duration, Instant};
    use std::net::SocketAddr;

    const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    const SERVER_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);

    /// Two hosts, each an [`Endpoint`] that routes what arrives by 4-tuple
    /// (as smoltcp's interface does through its socket set on both ends): a
    /// client connection on one, a listener on port 80 on the other, and
    /// the bytes between them.
    pub struct Net {
        pub now: Instant,
        client_host: Endpoint,
        client: ConnHandle,
        server: Option<ConnHandle>,
        host: Endpoint,
        up: PseudoHeader,
        down: PseudoHeader,
    }

    impl Net {
        pub fn new(config: Config, client_port: u16, isn: u32) -> Net {
            let s = SocketAddr::from((SERVER_IP, 80));
            let now = Instant::from_nanos(1_000_000_000);
            let mut host = Endpoint::new(IsnGenerator::new([7; 32]));
            host.listen(config.clone(), s, 4)
                .expect("a unicast address, free");
            let mut client_host = Endpoint::new(IsnGenerator::new([9; 32]));
            let client = Self::open(&mut client_host, config, client_port, isn, now);
            Net {
                now,
                client_host,
                client,
                server: None,
                host,
                up: PseudoHeader::V4 {
                    src: CLIENT_IP,
                    dst: SERVER_IP,
                },
                down: PseudoHeader::V4 {
                    src: SERVER_IP,
                    dst: CLIENT_IP,
                },
            }
        }

        fn open(
            client_host: &mut Endpoint,
            config: Config,
            client_port: u16,
            isn: u32,
            now: Instant,
        ) -> ConnHandle {
            let c = SocketAddr::from((CLIENT_IP, client_port));
            let s = SocketAddr::from((SERVER_IP, 80));
            client_host
                .adopt(Connection::connect(config, c, s, now, SeqNumber(isn)))
                .expect("a free 4-tuple")
        }

        /// Forgets the connection pair and opens a new client connection
        /// from `client_port` on the same two hosts.
        pub fn reopen(&mut self, config: Config, client_port: u16, isn: u32) {
            self.client_host.remove(self.client);
            if let Some(s) = self.server.take() {
                self.host.remove(s);
            }
            self.client = Self::open(&mut self.client_host, config, client_port, isn, self.now);
        }

        /// Emits `t` as an IPv4 packet (both checksums filled), its data
        /// straight from the sender's send buffer, into a new buffer (as
        /// smoltcp's `Loopback` gives each packet), and parses it back
        /// through IPv4 and TCP, verifying both.
        fn wire(t: &TransmitRef<'_>, ph: &PseudoHeader, f: impl FnOnce(&SegmentRepr<'_>)) {
            let PseudoHeader::V4 { src, dst } = *ph else {
                unreachable!("the bench runs over IPv4")
            };
            let ip = Ipv4Repr::new(src, dst, IpProtocol::TCP, t.buffer_len());
            let mut packet = vec![0u8; ip.buffer_len()];
            let hl = ip.emit(&mut packet).expect("emit IPv4");
            t.emit(&mut packet[hl..], ph).expect("emit TCP");
            let view = Ipv4Packet::new_checked(&packet[..]).expect("IPv4 packet");
            let parsed = Ipv4Repr::parse(&view, ChecksumMode::Verify).expect("IPv4 header");
            let ph = PseudoHeader::V4 {
                src: parsed.src_addr,
                dst: parsed.dst_addr,
            };
            let seg = Segment::new_checked(view.payload()).expect("segment");
            let repr = SegmentRepr::parse(&seg, &ph, ChecksumMode::Verify).expect("parse");
            f(&repr)
        }

        /// Moves every pending segment across; true if any moved.
        pub fn exchange(&mut self) -> bool {
            let now = self.now;
            let mut moved = false;
            while let Some(o) = self.client_host.poll_segment(now) {
                moved = true;
                let host = &mut self.host;
                Self::wire(&o.segment, &self.up, |seg| {
                    host.handle_segment(now, CLIENT_IP.into(), SERVER_IP.into(), seg);
                });
                if self.server.is_none() {
                    self.server = self.host.accept(SocketAddr::from((SERVER_IP, 80)));
                }
            }
            while let Some(o) = self.host.poll_segment(now) {
                moved = true;
                let client_host = &mut self.client_host;
                Self::wire(&o.segment, &self.down, |seg| {
                    client_host.handle_segment(now, SERVER_IP.into(), CLIENT_IP.into(), seg);
                });
            }
            moved
        }

        /// The client's connection.
        pub fn client(&mut self) -> &mut Connection {
            self.client_host
                .conn_mut(self.client)
                .expect("the client connection stays")
        }

        /// The server's connection, once accepted.
        pub fn server_mut(&mut self) -> Option<&mut Connection> {
            self.host.conn_mut(self.server?)
        }

        /// Nothing moved: jump to the earliest timer and run it.
        pub fn advance(&mut self) {
            let next = [self.client_host.poll_timeout(), self.host.poll_timeout()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(self.now + Duration::from_millis(1));
            self.now = self.now.max(next);
            self.client_host.handle_timeout(self.now);
            self.host.handle_timeout(self.now);
        }
    }

    pub fn bulk(total: usize, mss: u16, data: &[u8]) -> usize {
        let config = Config::default()
            .timestamps(false)
            .mss(mss)
            .send_buffer(super::BUFFER)
            .recv_buffer(super::BUFFER);
        let mut net = Net::new(config, 49152, 1);
        let mut buf = vec![0u8; 64 * 1024];
        let (mut sent, mut received) = (0, 0);
        while received < total {
            if sent < total {
                let n = (total - sent).min(data.len());
                sent += net.client().send(&data[..n]);
            }
            let mut moved = net.exchange();
            if let Some(s) = net.server_mut() {
                loop {
                    let n = s.recv(&mut buf);
                    if n == 0 {
                        break;
                    }
                    received += n;
                    moved = true;
                }
            }
            if !moved {
                net.advance();
            }
        }
        received
    }

    /// The hosts of [`connection`]: a client connection is opened on them
    /// with each call.
    pub fn hosts() -> Net {
        Net::new(Config::default().timestamps(false), 1, 1)
    }

    /// One connection: handshake, 1 KiB each way, close.
    pub fn connection(net: &mut Net, port: u16, data: &[u8]) -> usize {
        let config = Config::default().timestamps(false);
        net.reopen(config, port, u32::from(port) << 12);
        let mut buf = [0u8; 2048];
        let (mut c_sent, mut s_sent, mut c_got, mut s_got) = (0, 0, 0, 0);
        loop {
            if c_sent < data.len() {
                c_sent += net.client().send(&data[c_sent..]);
            } else if c_got == data.len() && net.client().state() == State::Established {
                net.client().close();
            }
            let mut moved = net.exchange();
            let n = net.client().recv(&mut buf);
            c_got += n;
            moved |= n > 0;
            if let Some(s) = net.server_mut() {
                let n = s.recv(&mut buf);
                s_got += n;
                moved |= n > 0;
                if s_got == data.len() && s_sent < data.len() {
                    s_sent += s.send(&data[s_sent..]);
                }
                if s.state() == State::CloseWait && s_sent == data.len() {
                    s.close();
                    moved = true;
                }
                if s.state() == State::Closed && net.client().state() == State::TimeWait {
                    return c_got + s_got;
                }
            }
            if !moved {
                net.advance();
            }
        }
    }
}

/// smoltcp 0.12: two TCP sockets in one `SocketSet` on one interface over
/// its `Loopback` device (as smoltcp's `examples/loopback_benchmark.rs`).
mod peer {
    use smoltcp::iface::{Config, Interface, SocketHandle, SocketSet};
    use smoltcp::phy::{ChecksumCapabilities, Device, DeviceCapabilities, Loopback, Medium};
    use smoltcp::socket::tcp::{CongestionControl, Socket, SocketBuffer, State};

    use smoltcp::time::{Duration, Instant};
    use smoltcp::wire::{HardwareAddress, IpAddress, IpCidr};

    /// `Loopback` with a chosen MTU and checksums computed and verified.
    pub struct Dev {
        inner: Loopback,
        mtu: usize,
    }

    impl Device for Dev {
        type RxToken<'a> = <Loopback as Device>::RxToken<'a>;
        type TxToken<'a> = <Loopback as Device>::TxToken<'a>;

        fn receive(&mut self, t: Instant) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
            self.inner.receive(t)
        }

        fn transmit(&mut self, t: Instant) -> Option<Self::TxToken<'_>> {
            self.inner.transmit(t)
        }

        fn capabilities(&self) -> DeviceCapabilities {
            let mut caps = self.inner.capabilities();
            caps.max_transmission_unit = self.mtu;
            caps.checksum = ChecksumCapabilities::default();
            caps
        }
    }

    const IP: IpAddress = IpAddress::v4(192, 0, 2, 1);

    pub struct Net {
        pub now: Instant,
        dev: Dev,
        iface: Interface,
        pub sockets: SocketSet<'static>,
    }

    impl Net {
        pub fn new(mtu: usize) -> Net {
            let now = Instant::from_secs(1);
            let mut dev = Dev {
                inner: Loopback::new(Medium::Ip),
                mtu,
            };
            let mut iface = Interface::new(Config::new(HardwareAddress::Ip), &mut dev, now);
            iface.update_ip_addrs(|a| a.push(IpCidr::new(IP, 24)).unwrap());
            Net {
                now,
                dev,
                iface,
                sockets: SocketSet::new(Vec::new()),
            }
        }

        pub fn pair(&mut self, buffer: usize, port: u16) -> (SocketHandle, SocketHandle) {
            let socket = || {
                let mut s = Socket::new(
                    SocketBuffer::new(vec![0; buffer]),
                    SocketBuffer::new(vec![0; buffer]),
                );
                // The same congestion control as ours.
                s.set_congestion_control(CongestionControl::Cubic);
                s
            };
            let mut server = socket();
            server.listen(80).unwrap();
            let s = self.sockets.add(server);
            let c = self.sockets.add(socket());
            let cx = self.iface.context();
            self.sockets
                .get_mut::<Socket<'_>>(c)
                .connect(cx, (IP, 80), port)
                .unwrap();
            (c, s)
        }

        /// Runs the interface; true if anything changed.
        pub fn poll(&mut self) -> bool {
            let r = self.iface.poll(self.now, &mut self.dev, &mut self.sockets);
            r == smoltcp::iface::PollResult::SocketStateChanged
        }

        /// Nothing moved: jump to the interface's next timer.
        pub fn advance(&mut self) {
            let d = self
                .iface
                .poll_delay(self.now, &self.sockets)
                .unwrap_or(Duration::from_millis(1));
            self.now += d.max(Duration::from_micros(1));
        }
    }

    pub fn bulk(total: usize, mtu: usize, data: &[u8]) -> usize {
        let mut net = Net::new(mtu);
        let (c, s) = net.pair(super::BUFFER, 49152);
        let mut buf = vec![0u8; 64 * 1024];
        let (mut sent, mut received) = (0, 0);
        while received < total {
            let mut moved = net.poll();
            let client = net.sockets.get_mut::<Socket<'_>>(c);
            if sent < total && client.can_send() {
                let n = (total - sent).min(data.len());
                let k = client.send_slice(&data[..n]).unwrap();
                sent += k;
                moved |= k > 0;
            }
            let server = net.sockets.get_mut::<Socket<'_>>(s);
            while server.can_recv() {
                let n = server.recv_slice(&mut buf).unwrap();
                received += n;
                moved |= n > 0;
            }
            if !moved {
                net.advance();
            }
        }
        received
    }

    /// One connection: handshake, 1 KiB each way, close.
    pub fn connection(net: &mut Net, port: u16, data: &[u8]) -> usize {
        let (c, s) = net.pair(2048, port);
        let mut buf = [0u8; 2048];
        let (mut c_sent, mut s_sent, mut c_got, mut s_got) = (0, 0, 0, 0);
        loop {
            let mut moved = net.poll();
            let client = net.sockets.get_mut::<Socket<'_>>(c);
            if c_sent < data.len() && client.can_send() {
                c_sent += client.send_slice(&data[c_sent..]).unwrap();
                moved = true;
            }
            if client.can_recv() {
                let n = client.recv_slice(&mut buf).unwrap();
                c_got += n;
                moved |= n > 0;
            }
            if c_got == data.len() && client.state() == State::Established {
                client.close();
                moved = true;
            }
            let client_state = client.state();
            let server = net.sockets.get_mut::<Socket<'_>>(s);
            if server.can_recv() {
                let n = server.recv_slice(&mut buf).unwrap();
                s_got += n;
                moved |= n > 0;
            }
            if s_got == data.len() && s_sent < data.len() && server.can_send() {
                s_sent += server.send_slice(&data[s_sent..]).unwrap();
                moved = true;
            }
            if server.state() == State::CloseWait && s_sent == data.len() {
                server.close();
                moved = true;
            }
            if server.state() == State::Closed && client_state == State::TimeWait {
                net.sockets.remove(c);
                net.sockets.remove(s);
                return c_got + s_got;
            }
            if !moved {
                net.advance();
            }
        }
    }
}

fn pattern(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    handshake_tcp::sim::fill_pattern(1, 0, &mut v);
    v
}

fn bulk(c: &mut Criterion) {
    let data = pattern(BUFFER);
    let mut g = c.benchmark_group("tcp/bulk-64MiB");
    g.sample_size(10)
        .warm_up_time(WallDuration::from_secs(1))
        .measurement_time(WallDuration::from_secs(8))
        .throughput(Throughput::Bytes(MIB64 as u64));
    // MSS 1460 (MTU 1500) and the largest MSS in a 64 KiB IPv4 packet.
    for (param, mss) in [("mss1460", 1460u16), ("mss65495", 65495)] {
        g.bench_function(BenchmarkId::new("handshake", param), |b| {
            b.iter(|| assert_eq!(ours::bulk(MIB64, mss, black_box(&data)), MIB64))
        });
        let mtu = usize::from(mss) + 40;
        g.bench_function(BenchmarkId::new("smoltcp", param), |b| {
            b.iter(|| assert_eq!(peer::bulk(MIB64, mtu, black_box(&data)), MIB64))
        });
    }
    g.finish();
}

fn connections(c: &mut Criterion) {
    let data = pattern(1024);
    let mut g = c.benchmark_group("tcp/connections");
    g.sample_size(20)
        .warm_up_time(WallDuration::from_secs(1))
        .measurement_time(WallDuration::from_secs(3))
        .throughput(Throughput::Elements(1));
    let param = "1KiB-each-way";
    let mut port = 0u16;
    let mut next_port = move || {
        port = port.wrapping_add(1);
        49152 + port % 16384
    };
    let mut hosts = ours::hosts();
    g.bench_function(BenchmarkId::new("handshake", param), |b| {
        b.iter(|| {
            assert_eq!(
                ours::connection(&mut hosts, next_port(), black_box(&data)),
                2048
            )
        })
    });
    let mut net = peer::Net::new(1500);
    g.bench_function(BenchmarkId::new("smoltcp", param), |b| {
        b.iter(|| {
            assert_eq!(
                peer::connection(&mut net, next_port(), black_box(&data)),
                2048
            )
        })
    });
    g.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bulk(&mut c);
    connections(&mut c);
}

criterion_main!(benches);
