//! The Linux kernel's TCP as a peer: a namespace with a TUN or TAP device,
//! our stack driven over it, the capture checked by tshark and kept for
//! failed cases.
//!
//! A case calls [`run`] with a closure that gets an [`Env`]; the closure
//! returns `Ok(())` or the failure's reason. Skips (no CAP_NET_ADMIN, no
//! /dev/net/tun) come from [`run`] itself.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use handshake_crypto::Sha256;
use handshake_io::driver::{ConnId, Driver};
use handshake_io::fault::Dir;
use handshake_io::link::Link;
use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR, KERNEL_ADDR6, OUR_ADDR, OUR_ADDR6};
use handshake_io::packet::decode_ip;
use handshake_io::tap::TapPort;
use handshake_link::MacAddr;
use handshake_tcp::wire::{Ecn, SegmentRepr, TcpFlags};

use crate::peers::tshark;
use crate::{Ctx, Outcome};

/// Timeout on every kernel socket read and write: no thread blocks for ever.
pub const IO_TIMEOUT: Duration = Duration::from_secs(15);

pub use super::Via;

/// Our MAC on a TAP segment (locally administered, RFC 7042 §2.1 documentation range).
pub const OUR_MAC: MacAddr = MacAddr([0x02, 0x00, 0x5e, 0x00, 0x53, 0x02]);

/// A namespace, our driver on its TUN or TAP device, and where artefacts go.
pub struct Env {
    /// The namespace (kernel sockets are made through it).
    pub net: TestNet,
    /// Our stack.
    pub d: Driver,
    /// The case runs over IPv6 ([`Env::kernel`] and [`Env::ours`] say where).
    pub v6: bool,
    dir: PathBuf,
    keep: bool,
}

/// Runs `f` in a fresh namespace with our stack behind `via`; the capture
/// is written, checked by tshark and kept if the case fails (or `--pcap`).
pub fn run(ctx: &Ctx, via: Via, f: impl FnOnce(&mut Env) -> Result<(), String>) -> Outcome {
    run_with(ctx, via.config(), f)
}

/// [`run`] with a chosen configuration (MTU; TAP or TUN).
pub fn run_with(
    ctx: &Ctx,
    config: NetConfig,
    f: impl FnOnce(&mut Env) -> Result<(), String>,
) -> Outcome {
    let (net, tun) = match TestNet::new(config.clone()) {
        Ok(v) => v,
        Err(e) if e.is_unsupported() => return Outcome::Skip(e.to_string()),
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let Some(dev) = tun else {
        return Outcome::Fail("no TUN device".into());
    };
    let link = if config.tap {
        TapPort::new(dev, OUR_MAC, OUR_ADDR).map(|p| Link::over_tap(p, ctx.seed))
    } else {
        Link::new(dev, ctx.seed)
    };
    let link = match link {
        Ok(l) => l,
        Err(e) => return Outcome::Fail(format!("the device: {e}")),
    };
    let mut env = Env {
        net,
        v6: config.ipv6,
        d: Driver::new(link),
        dir: ctx.artifacts.clone(),
        keep: ctx.keep_pcaps,
    };
    let result = env.ipv6_ready().and_then(|()| f(&mut env));
    env.finish(result)
}

impl Env {
    /// Over TAP with IPv6: our address is added and used once duplicate
    /// address detection passed (RFC 4862 §5.4; the kernel's DAD does not
    /// see a conflict either).
    fn ipv6_ready(&mut self) -> Result<(), String> {
        use handshake_link::AddrState;
        if !self.v6 {
            return Ok(());
        }
        let Some(port) = self.d.link.tap_mut() else {
            return Ok(());
        };
        port.add_ipv6(OUR_ADDR6, Duration::ZERO);
        self.until(
            Duration::from_secs(5),
            "duplicate address detection of our IPv6 address",
            |d| {
                d.link
                    .tap()
                    .is_some_and(|p| p.nd.address_state(OUR_ADDR6) == Some(AddrState::Preferred))
            },
        )
    }

    /// Writes the capture and fault log, has tshark re-read it, and removes
    /// it again when everything passed and `--pcap` was not given.
    fn finish(self, result: Result<(), String>) -> Outcome {
        let pcap = self.dir.join("wire.pcap");
        let mut result = result;
        if let Some(cap) = self.d.link.capture() {
            if let Err(e) = cap.write(&pcap) {
                return Outcome::Fail(format!("writing {}: {e}", pcap.display()));
            }
            let log = self.d.link.fault_log().join("\n");
            let _ = std::fs::write(self.dir.join("faults.txt"), log);
            if result.is_ok() && tshark::NEED.missing().is_none() {
                result = tshark_clean(&pcap);
            }
        }
        // Over TAP the frames are checked too: ARP, NDP and the IP packets
        // in their Ethernet headers.
        if let Some(port) = self.d.link.tap() {
            let frames = self.dir.join("tap.pcap");
            let all: Vec<Vec<u8>> = port.frames().iter().map(|(_, f)| f.clone()).collect();
            if let Err(e) = crate::peers::pcap::write_ethernet(&frames, &all) {
                return Outcome::Fail(e);
            }
            if result.is_ok() && tshark::NEED.missing().is_none() {
                result = tshark_clean(&frames);
            }
            if result.is_ok() {
                result = frames_to_kernel_mac(port, self.v6);
            }
        }
        if self.d.stats().bad_packets > 0 && result.is_ok() {
            result = Err(format!(
                "{} datagram(s) from the kernel failed to parse: {}",
                self.d.stats().bad_packets,
                self.d.last_bad.clone().unwrap_or_default()
            ));
        }
        match result {
            Ok(()) => {
                if !self.keep {
                    let _ = std::fs::remove_dir_all(&self.dir);
                }
                Outcome::Pass
            }
            Err(e) => Outcome::Fail(format!("{e} (capture: {})", pcap.display())),
        }
    }

    /// The packets recorded so far, parsed: time, direction and segment.
    pub fn segments(&self) -> Vec<Seen> {
        let Some(cap) = self.d.link.capture() else {
            return Vec::new();
        };
        cap.packets()
            .filter_map(|(at, p)| {
                let d = decode_ip(p).ok()?;
                let dir = if d.src == std::net::IpAddr::from(OUR_ADDR) || d.src == OUR_ADDR6 {
                    Dir::ToKernel
                } else {
                    Dir::ToUs
                };
                Some(Seen::new(at, dir, &d.segment, d.ecn))
            })
            .collect()
    }

    /// The kernel connects to `addr` (one of ours) while our driver runs;
    /// returns the connected stream, blocking again, with [`IO_TIMEOUT`]s.
    pub fn kernel_connect(&mut self, addr: std::net::SocketAddr) -> Result<TcpStream, String> {
        let s = handshake_io::kernel::connect_nonblocking(&self.net, addr)
            .map_err(|e| e.to_string())?;
        let mut failed = None;
        self.until(Duration::from_secs(5), "the kernel's connect", |_| {
            if let Ok(Some(e)) = handshake_io::kernel::take_error(&s) {
                failed = Some(e);
                return true;
            }
            s.peer_addr().is_ok()
        })?;
        if let Some(e) = failed {
            return Err(format!("the kernel's connect to {addr}: {e}"));
        }
        s.set_nonblocking(false).map_err(|e| e.to_string())?;
        timeouts(&s).map_err(|e| e.to_string())?;
        Ok(s)
    }

    /// Gives the kernel's connections to our address an initial window of
    /// `segments` (a host route with `initcwnd`, beside the device's
    /// prefix route). Its first data segment then starts at ISN + 1 and a
    /// lost one is retransmitted before anything later is sent.
    pub fn kernel_initcwnd(&self, segments: u32) -> Result<(), String> {
        let ours = self.ours(0).ip().to_string();
        let route = self
            .net
            .command("ip", &["-o", "route", "get", &ours])
            .map_err(|e| e.to_string())?;
        let dev = route
            .split_whitespace()
            .skip_while(|w| *w != "dev")
            .nth(1)
            .ok_or_else(|| format!("no device in `ip route get {ours}`: {route}"))?;
        let host = if self.v6 {
            format!("{ours}/128")
        } else {
            format!("{ours}/32")
        };
        self.net
            .ip(&[
                "route",
                "add",
                &host,
                "dev",
                dev,
                "initcwnd",
                &segments.to_string(),
            ])
            .map_err(|e| e.to_string())
    }

    /// The kernel's address of the case's family and a port.
    pub fn kernel(&self, port: u16) -> std::net::SocketAddr {
        if self.v6 {
            (KERNEL_ADDR6, port).into()
        } else {
            (KERNEL_ADDR, port).into()
        }
    }

    /// Our address of the case's family and a port.
    pub fn ours(&self, port: u16) -> std::net::SocketAddr {
        if self.v6 {
            (OUR_ADDR6, port).into()
        } else {
            (OUR_ADDR, port).into()
        }
    }

    /// Runs until `cond`, turning a timeout into the reason `what`.
    pub fn until(
        &mut self,
        limit: Duration,
        what: &str,
        cond: impl FnMut(&mut Driver) -> bool,
    ) -> Result<(), String> {
        self.d
            .run_until(limit, cond)
            .map_err(|e| format!("{what}: {e}"))
    }

    /// Feeds `c` from `p` whenever it may send (ESTABLISHED or CLOSE-WAIT),
    /// closes it once all of `p` is queued, and waits up to `limit` for `done`.
    pub fn send_then_close(
        &mut self,
        c: ConnId,
        p: &mut Pattern,
        limit: Duration,
        what: &str,
        mut done: impl FnMut() -> bool,
    ) -> Result<(), String> {
        use handshake_tcp::conn::State;
        let mut buf = vec![0u8; 256 * 1024];
        let mut closed = false;
        self.until(limit, what, |d| {
            if matches!(d.conn(c).state(), State::Established | State::CloseWait) {
                pump(d, c, p, &mut buf);
                if p.remaining() == 0 && !closed {
                    d.conn(c).close();
                    closed = true;
                }
            }
            done()
        })
    }

    /// Waits up to `secs` seconds for `event` on `c` (what the kernel did:
    /// `what`), then requires `c` to be CLOSED.
    pub fn until_closed(
        &mut self,
        c: ConnId,
        event: handshake_tcp::conn::Event,
        secs: u64,
        what: &str,
    ) -> Result<(), String> {
        self.until_event(c, event, Duration::from_secs(secs), what)?;
        match self.d.conn(c).state() {
            handshake_tcp::conn::State::Closed => Ok(()),
            other => Err(format!("after {what} we are in {other:?}, not CLOSED")),
        }
    }

    /// Runs until our connection `c` reports `event`, turning a timeout into
    /// the reason `what`.
    pub fn until_event(
        &mut self,
        c: ConnId,
        event: handshake_tcp::conn::Event,
        limit: Duration,
        what: &str,
    ) -> Result<(), String> {
        let mut seen = false;
        self.until(limit, what, |d| {
            while let Some(e) = d.conn(c).poll_event() {
                seen |= e == event;
            }
            seen
        })
    }
}

/// Over TAP: the kernel's MAC is whatever source its frames carry (learned,
/// never configured), and every IPv4 (or, with `v6`, IPv6 unicast) frame of
/// ours went to it (RFC 826, RFC 4861 §7.2: the address our cache
/// resolved); there was at least one.
fn frames_to_kernel_mac(port: &TapPort, v6: bool) -> Result<(), String> {
    use handshake_link::{EtherType, EthernetFrame};
    let frames: Vec<EthernetFrame<&[u8]>> = port
        .frames()
        .iter()
        .filter_map(|(_, f)| EthernetFrame::new_checked(&f[..]).ok())
        .collect();
    let kernel_mac = frames
        .iter()
        .map(|f| f.src_addr())
        .find(|m| *m != OUR_MAC)
        .ok_or("over TAP, no frame from the kernel")?;
    let (ethertype, family) = if v6 {
        (EtherType::IPV6, "IPv6")
    } else {
        (EtherType::IPV4, "IPv4")
    };
    // Our neighbour discovery and MLD frames go to multicast groups.
    let ours: Vec<_> = frames
        .iter()
        .filter(|f| {
            f.src_addr() == OUR_MAC && f.ethertype() == ethertype && !f.dst_addr().is_multicast()
        })
        .collect();
    if ours.is_empty() {
        return Err(format!("over TAP, we sent no {family} frame"));
    }
    if let Some(f) = ours.iter().find(|f| f.dst_addr() != kernel_mac) {
        return Err(format!(
            "over TAP, an {family} frame of ours went to {}, not the kernel's {kernel_mac}",
            f.dst_addr()
        ));
    }
    Ok(())
}

/// tshark's verdict on a capture: any malformed packet or bad checksum fails.
/// One exception: in an ICMPv6 error whose own checksum is good, tshark
/// checks the quoted TCP checksum over a quote that RFC 4443 §2.4 (c) cut
/// to fit 1280 octets, and calls it bad; that quote is not a segment.
pub fn tshark_clean(pcap: &std::path::Path) -> Result<(), String> {
    let packets = tshark::dissect(
        pcap,
        &["frame.number", "icmpv6.type", "icmpv6.checksum.status"],
    )?;
    for d in &packets {
        let icmpv6_error = matches!(d.fields[1].as_str(), "1" | "2" | "3" | "4");
        let quoted_only = icmpv6_error
            && d.fields[2] == "1"
            && d.errors.iter().all(|e| e.contains("Bad checksum"));
        if let Some(e) = d.errors.first().filter(|_| !quoted_only) {
            return Err(format!("tshark, frame {}: {e}", d.fields[0]));
        }
    }
    Ok(())
}

/// One recorded segment, owning what a check needs.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Time since the link was made.
    pub at: Duration,
    /// Which way it went.
    pub dir: Dir,
    /// Flags.
    pub flags: TcpFlags,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
    /// Window field (unscaled).
    pub win: u16,
    /// Payload length.
    pub len: usize,
    /// Number of SACK blocks.
    pub sack_blocks: usize,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// TSopt present.
    pub ts: bool,
    /// SACK-permitted present.
    pub sack_ok: bool,
    /// Window scale option.
    pub wscale: Option<u8>,
    /// MSS option.
    pub mss: Option<u16>,
    /// The IPv4 ECN field as sent (RFC 3168 §5; a fault rule may mark it
    /// CE after it was recorded).
    pub ecn: Ecn,
}

impl Seen {
    fn new(at: Duration, dir: Dir, s: &SegmentRepr<'_>, ecn: Ecn) -> Seen {
        Seen {
            ecn,
            at,
            dir,
            flags: s.flags,
            seq: s.seq_number.0,
            ack: s.ack_number.0,
            win: s.window,
            len: s.payload.len(),
            sack_blocks: s.options.sack.len(),
            src_port: s.src_port,
            dst_port: s.dst_port,
            ts: s.options.timestamps.is_some(),
            sack_ok: s.options.sack_permitted,
            wscale: s.options.window_scale,
            mss: s.options.mss,
        }
    }

    /// A pure SYN (no ACK).
    pub fn is_syn(&self) -> bool {
        self.flags.contains(TcpFlags::SYN) && !self.flags.contains(TcpFlags::ACK)
    }

    /// A SYN-ACK.
    pub fn is_synack(&self) -> bool {
        self.flags.contains(TcpFlags::SYN | TcpFlags::ACK)
    }
}

/// A deterministic byte stream of a given length and its SHA-256.
#[derive(Debug, Clone)]
pub struct Pattern {
    seed: u64,
    len: usize,
    pos: usize,
}

impl Pattern {
    /// `len` bytes derived from `seed`.
    pub fn new(seed: u64, len: usize) -> Pattern {
        Pattern { seed, len, pos: 0 }
    }

    fn byte(seed: u64, i: usize) -> u8 {
        let x = (i as u64 ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (x >> 56) as u8
    }

    /// Fills `buf` with the next bytes; returns how many (0 at the end).
    pub fn fill(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.len - self.pos);
        for (k, b) in buf[..n].iter_mut().enumerate() {
            *b = Pattern::byte(self.seed, self.pos + k);
        }
        self.pos += n;
        n
    }

    /// Bytes not yet produced.
    pub fn remaining(&self) -> usize {
        self.len - self.pos
    }

    /// SHA-256 of the whole stream.
    pub fn sha256(seed: u64, len: usize) -> [u8; 32] {
        let mut p = Pattern::new(seed, len);
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = p.fill(&mut buf);
            if n == 0 {
                return h.finalize();
            }
            h.update(&buf[..n]);
        }
    }

    /// Whether `who` read exactly the pattern: `n` bytes of `len` whose
    /// SHA-256 is `hash`.
    pub fn check(who: &str, n: usize, hash: [u8; 32], seed: u64, len: usize) -> Result<(), String> {
        let same = hash == Pattern::sha256(seed, len);
        if n != len || !same {
            return Err(format!(
                "{who} read {n} bytes of {len}, SHA-256 {}",
                if same { "equal" } else { "different" }
            ));
        }
        Ok(())
    }
}

/// A kernel-side thread, joined on drop (every kernel socket it uses has
/// [`IO_TIMEOUT`], so the join is bounded).
pub struct KernelTask<T> {
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> KernelTask<T> {
    /// Starts `f` on its own thread.
    pub fn spawn(f: impl FnOnce() -> T + Send + 'static) -> KernelTask<T> {
        KernelTask {
            handle: Some(std::thread::spawn(f)),
        }
    }

    /// True once the thread finished.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Waits for the result.
    pub fn join(mut self) -> Result<T, String> {
        self.handle
            .take()
            .ok_or("already joined")?
            .join()
            .map_err(|_| "kernel-side thread panicked".to_string())
    }
}

impl<T> Drop for KernelTask<T> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Sets [`IO_TIMEOUT`] on both directions of a kernel stream.
pub fn timeouts(s: &TcpStream) -> std::io::Result<()> {
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.set_write_timeout(Some(IO_TIMEOUT))
}

/// Reads until EOF, hashing; returns (bytes, SHA-256).
pub fn read_all_hash(s: &mut TcpStream) -> std::io::Result<(usize, [u8; 32])> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0;
    loop {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok((total, h.finalize()));
        }
        total += n;
        h.update(&buf[..n]);
    }
}

/// Writes the pattern `seed`/`len` in full.
pub fn write_pattern(s: &mut TcpStream, seed: u64, len: usize) -> std::io::Result<()> {
    let mut p = Pattern::new(seed, len);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = p.fill(&mut buf);
        if n == 0 {
            return Ok(());
        }
        s.write_all(&buf[..n])?;
    }
}

/// Feeds our connection from `p` as far as its send buffer allows.
pub fn pump(d: &mut Driver, c: ConnId, p: &mut Pattern, buf: &mut [u8]) {
    loop {
        let room = d.conn(c).send_capacity().min(buf.len());
        if room == 0 || p.remaining() == 0 {
            return;
        }
        let n = p.fill(&mut buf[..room]);
        let sent = d.conn(c).send(&buf[..n]);
        debug_assert_eq!(sent, n);
    }
}

/// What a kernel reader reports: the bytes it read and their SHA-256.
pub type ReadHash = std::io::Result<(usize, [u8; 32])>;

/// Sends `len` bytes of pattern `seed` on our connection `c` as fast as its
/// window allows, closes it once all is queued, waits up to `limit` for the
/// kernel's reader `task`, and checks that the kernel read exactly the pattern.
pub fn send_pattern(
    env: &mut Env,
    c: ConnId,
    task: KernelTask<ReadHash>,
    seed: u64,
    len: usize,
    limit: Duration,
) -> Result<(), String> {
    let mut p = Pattern::new(seed, len);
    let what = format!("sending {len} bytes");
    env.send_then_close(c, &mut p, limit, &what, || task.is_finished())?;
    let (n, h) = task.join()?.map_err(|e| format!("kernel read: {e}"))?;
    Pattern::check("the kernel", n, h, seed, len)
}

/// Reads connection `c` (or the first connection our listener accepts, when
/// `c` is `None`) until the peer's FIN, waiting up to `limit`, and checks
/// that it carried exactly `len` bytes of pattern `seed`; returns the
/// connection.
pub fn receive_pattern(
    env: &mut Env,
    c: Option<ConnId>,
    seed: u64,
    len: usize,
    limit: Duration,
) -> Result<ConnId, String> {
    let mut c = c;
    let mut h = Sha256::new();
    let mut got = 0;
    let mut buf = vec![0u8; 256 * 1024];
    env.until(limit, &format!("receiving {len} bytes"), |d| {
        c = c.or_else(|| d.accept());
        let Some(id) = c else { return false };
        got += drain(d, id, &mut h, &mut buf);
        d.conn(id).recv_finished()
    })?;
    Pattern::check("we", got, h.finalize(), seed, len)?;
    c.ok_or_else(|| "no connection".into())
}

/// Reads everything our connection has into the hash; returns bytes read.
pub fn drain(d: &mut Driver, c: ConnId, h: &mut Sha256, buf: &mut [u8]) -> usize {
    let mut total = 0;
    loop {
        let n = d.conn(c).recv(buf);
        if n == 0 {
            return total;
        }
        h.update(&buf[..n]);
        total += n;
    }
}

/// A raw IPv4 socket made inside the namespace (IPPROTO_RAW: the caller
/// writes whole datagrams, headers included), for packets the kernel
/// routes to us as if from the wire: spoofed SYNs, ICMP errors.
pub fn raw_socket(net: &TestNet) -> Result<std::os::fd::OwnedFd, String> {
    net.run(|| {
        rustix::net::socket(
            rustix::net::AddressFamily::INET,
            rustix::net::SocketType::RAW,
            Some(rustix::net::ipproto::RAW),
        )
    })
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("raw socket in the namespace: {e}"))
}

/// Waits (polling `ss`, our driver running in between) until the kernel
/// shows a socket matching `pred`.
pub fn wait_kernel_state(
    env: &mut Env,
    limit: Duration,
    mut pred: impl FnMut(&handshake_io::kernel::SockInfo) -> bool,
) -> Result<handshake_io::kernel::SockInfo, String> {
    let end = Instant::now() + limit;
    loop {
        let all = handshake_io::kernel::sockets(&env.net).map_err(|e| e.to_string())?;
        if let Some(s) = all.iter().find(|s| pred(s)) {
            return Ok(s.clone());
        }
        if Instant::now() >= end {
            return Err(format!("kernel sockets never matched; ss shows {all:?}"));
        }
        env.d
            .run_for(Duration::from_millis(10))
            .map_err(|e| e.to_string())?;
    }
}

/// The kernel's TCP counters in the namespace (`/proc/net/netstat` TcpExt
/// and `/proc/net/snmp` Tcp), by name.
pub fn kernel_counters(net: &TestNet) -> Result<std::collections::HashMap<String, u64>, String> {
    let text = net
        .run(|| {
            let a = std::fs::read_to_string("/proc/thread-self/net/netstat").unwrap_or_default();
            let b = std::fs::read_to_string("/proc/thread-self/net/snmp").unwrap_or_default();
            a + &b
        })
        .map_err(|e| e.to_string())?;
    let mut m = std::collections::HashMap::new();
    let lines: Vec<&str> = text.lines().collect();
    for pair in lines.chunks(2) {
        if let [names, values] = pair {
            let (p1, names) = names.split_once(':').unwrap_or(("", ""));
            let (p2, values) = values.split_once(':').unwrap_or(("", ""));
            if p1 != p2 {
                continue;
            }
            for (n, v) in names.split_whitespace().zip(values.split_whitespace()) {
                if let Ok(v) = v.parse() {
                    m.insert(format!("{p1}.{n}"), v);
                }
            }
        }
    }
    Ok(m)
}
