//! `link.interop.*`: our ARP and NDP caches on a TAP device against the
//! Linux kernel, in a network namespace of the case's own; tshark re-reads
//! every frame of the exchange.

use std::net::{IpAddr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR, OUR_ADDR};
use handshake_io::tap::TapPort;
use handshake_ip::checksum::PseudoHeader;
use handshake_ip::{IpProtocol, Ipv4Repr, Ipv6Repr, UdpRepr};
use handshake_link::{AddrState, ArpEvent, MacAddr, NdpEvent, NeighborState};

use crate::peers::{pcap, tshark};
use crate::{Case, Ctx, Need, Outcome};

/// Our MAC on the segment (locally administered).
const OUR_MAC: MacAddr = MacAddr([0x02, 0x00, 0x5e, 0x00, 0x53, 0x02]);
/// The kernel's IPv6 address on the TAP device (RFC 3849).
const KERNEL_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
/// Ours.
const OUR_V6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
/// Every exchange finishes well within this.
const WAIT: Duration = Duration::from_secs(5);
const NEEDS: &[Need] = &[Need::NetAdmin, tshark::NEED];

/// A namespace with a TAP device (the kernel at 192.0.2.1/24 and, with
/// `v6`, 2001:db8::1/64 after its own DAD) and our port on it; `body` runs,
/// then tshark re-reads every frame.
fn run(
    ctx: &Ctx,
    v6: bool,
    body: impl FnOnce(&TestNet, &mut TapPort) -> Result<(), String>,
) -> Outcome {
    let (net, dev) = match TestNet::new(NetConfig {
        tap: true,
        ..NetConfig::default()
    }) {
        Ok(v) => v,
        Err(e) if e.is_unsupported() => return Outcome::Skip(e.to_string()),
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let Some(dev) = dev else {
        return Outcome::Fail("no TAP device".into());
    };
    let mut port = match TapPort::new(dev, OUR_MAC, OUR_ADDR) {
        Ok(p) => p,
        Err(e) => return Outcome::Fail(format!("TAP device: {e}")),
    };
    let result = (|| {
        if v6 {
            net.ip(&["-6", "addr", "add", "2001:db8::1/64", "dev", "hs0"])
                .map_err(|e| e.to_string())?;
            port.add_ipv6(OUR_V6, Duration::ZERO);
        }
        body(&net, &mut port)
    })();
    let checked = result.and_then(|()| dissect(ctx, &port));
    checked.into()
}

/// tshark re-reads the frames: none malformed, and our ARP, ND and MLD
/// frames say what we meant (sender MAC ours, good ICMPv6 checksums).
fn dissect(ctx: &Ctx, port: &TapPort) -> Result<(), String> {
    let path = ctx.artifacts.join("tap.pcap");
    let frames: Vec<Vec<u8>> = port.frames().iter().map(|(_, f)| f.clone()).collect();
    pcap::write_ethernet(&path, &frames)?;
    let fields = [
        "eth.src",
        "arp.opcode",
        "arp.src.hw_mac",
        "icmpv6.type",
        "icmpv6.checksum.status",
        "icmpv6.opt.linkaddr",
    ];
    let d = tshark::dissect(&path, &fields)?;
    if d.len() != frames.len() {
        return Err(format!(
            "tshark read {} of {} frames",
            d.len(),
            frames.len()
        ));
    }
    let ours = OUR_MAC.to_string();
    for (i, p) in d.iter().enumerate() {
        if let Some(e) = p.errors.first() {
            return Err(format!(
                "frame {}: {e}; capture at {}",
                i + 1,
                path.display()
            ));
        }
        let f = &p.fields;
        if f[0] != ours {
            continue;
        }
        if !f[1].is_empty() && f[2] != ours {
            return Err(format!("frame {}: our ARP says sender {}", i + 1, f[2]));
        }
        // ND messages and our MLDv2 Reports (143).
        if matches!(f[3].as_str(), "135" | "136" | "143") && f[4] != "1" {
            return Err(format!("frame {}: ICMPv6 checksum status {}", i + 1, f[4]));
        }
    }
    if !ctx.keep_pcaps {
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}

/// A kernel UDP socket in the namespace, bound to `addr`.
fn kernel_socket(net: &TestNet, addr: SocketAddr) -> Result<UdpSocket, String> {
    let s = net
        .run(move || UdpSocket::bind(addr))
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(WAIT)).map_err(|e| e.to_string())?;
    Ok(s)
}

/// Pumps the port until `done` holds or [`WAIT`] passes.
fn pump_until(
    port: &mut TapPort,
    done: impl FnMut(&mut TapPort, &[Vec<u8>]) -> bool,
) -> Result<(), String> {
    pump_for(port, WAIT, done)
}

/// Pumps the port until `done` holds or `limit` passes.
fn pump_for(
    port: &mut TapPort,
    limit: Duration,
    mut done: impl FnMut(&mut TapPort, &[Vec<u8>]) -> bool,
) -> Result<(), String> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        let got = port
            .pump(Duration::from_millis(50))
            .map_err(|e| e.to_string())?;
        if done(port, &got) {
            return Ok(());
        }
    }
    Err(format!("nothing happened within {limit:?}"))
}

/// `ip neigh show ADDR dev hs0` in the namespace.
fn neigh(net: &TestNet, addr: IpAddr) -> Result<String, String> {
    net.command("ip", &["neigh", "show", &addr.to_string(), "dev", "hs0"])
        .map_err(|e| e.to_string())
}

/// The kernel's MAC on hs0, as `ip link` reports it.
fn kernel_mac(net: &TestNet) -> Result<String, String> {
    let out = net
        .command("ip", &["-o", "link", "show", "hs0"])
        .map_err(|e| e.to_string())?;
    out.split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .map(str::to_string)
        .ok_or_else(|| format!("no link/ether in {out}"))
}

/// RFC 826: the kernel's request for 192.0.2.2 gets our reply; the kernel
/// then sends its datagram to our MAC and lists us REACHABLE.
fn kernel_arp_answered(ctx: &mut Ctx) -> Outcome {
    run(ctx, false, |net, port| {
        let s = kernel_socket(net, SocketAddr::new(KERNEL_ADDR.into(), 0))?;
        s.send_to(b"over tap", (OUR_ADDR, 9))
            .map_err(|e| e.to_string())?;
        pump_until(port, |_, got| got.iter().any(|p| p.first() == Some(&0x45)))?;
        let n = neigh(net, OUR_ADDR.into())?;
        if n.contains(&OUR_MAC.to_string()) && n.contains("REACHABLE") {
            Ok(())
        } else {
            Err(format!("ip neigh: `{}`", n.trim()))
        }
    })
}

fn udp_v4(payload: &[u8]) -> Vec<u8> {
    let udp = UdpRepr {
        src_port: 40000,
        dst_port: 5555,
        payload,
    };
    let ip = Ipv4Repr::new(OUR_ADDR, KERNEL_ADDR, IpProtocol::UDP, udp.buffer_len());
    let mut b = vec![0u8; ip.buffer_len()];
    let hl = ip.emit(&mut b).expect("sized");
    udp.emit(
        &mut b[hl..],
        &PseudoHeader::V4 {
            src: OUR_ADDR,
            dst: KERNEL_ADDR,
        },
    )
    .expect("sized");
    b
}

fn udp_v6(payload: &[u8]) -> Vec<u8> {
    let udp = UdpRepr {
        src_port: 40000,
        dst_port: 5555,
        payload,
    };
    let ip = Ipv6Repr::new(OUR_V6, KERNEL_V6, IpProtocol::UDP, udp.buffer_len());
    let mut b = vec![0u8; ip.buffer_len()];
    let hl = ip.emit(&mut b).expect("sized");
    udp.emit(
        &mut b[hl..],
        &PseudoHeader::V6 {
            src: OUR_V6,
            dst: KERNEL_V6,
        },
    )
    .expect("sized");
    b
}

/// The MAC we `learnt` is the kernel's, and the kernel socket `s` got the
/// datagram "resolved" that waited for it.
fn learnt_then_received(
    net: &TestNet,
    learnt: Option<MacAddr>,
    s: &UdpSocket,
) -> Result<(), String> {
    let want = kernel_mac(net)?;
    let got = learnt.map(|m| m.to_string()).unwrap_or_default();
    if got != want {
        return Err(format!("resolved {got}, the kernel's MAC is {want}"));
    }
    let mut buf = [0u8; 64];
    let (n, _) = s
        .recv_from(&mut buf)
        .map_err(|e| format!("kernel socket: {e}"))?;
    crate::check::equal("datagram", &buf[..n], &b"resolved"[..])
}

/// We resolve the kernel's MAC (never configured) before our first packet,
/// and that packet reaches a kernel socket.
fn kernel_mac_learned(ctx: &mut Ctx) -> Outcome {
    run(ctx, false, |net, port| {
        let s = kernel_socket(net, SocketAddr::new(KERNEL_ADDR.into(), 5555))?;
        port.send_ipv4(KERNEL_ADDR, udp_v4(b"resolved"))
            .map_err(|e| e.to_string())?;
        let mut learnt = None;
        pump_until(port, |p, _| {
            while let Some(e) = p.arp.poll_event() {
                if let ArpEvent::Resolved { mac, .. } = e {
                    learnt = Some(mac);
                }
            }
            learnt.is_some()
        })?;
        learnt_then_received(net, learnt, &s)
    })
}

/// Waits (pumping, so our DAD runs) until the kernel's address leaves
/// tentative; fails if the kernel's DAD saw a conflict.
fn kernel_v6_ready(net: &TestNet, port: &mut TapPort) -> Result<(), String> {
    let end = Instant::now() + WAIT;
    loop {
        port.pump(Duration::from_millis(100))
            .map_err(|e| e.to_string())?;
        let out = net
            .command("ip", &["-6", "addr", "show", "dev", "hs0"])
            .map_err(|e| e.to_string())?;
        if out.contains("dadfailed") {
            return Err(format!("the kernel's DAD saw a conflict: {out}"));
        }
        let ours = port.nd.address_state(OUR_V6) == Some(AddrState::Preferred);
        if !out.contains("tentative") && ours {
            return Ok(());
        }
        if Instant::now() > end {
            return Err(format!(
                "addresses still tentative: ours {:?}, kernel: {out}",
                port.nd.address_state(OUR_V6)
            ));
        }
    }
}

/// RFC 4862 §5.4 and RFC 4861 §7.2.4: our DAD passes and does not disturb
/// the kernel's; the kernel's NS for 2001:db8::2 gets our NA, its datagram
/// comes to us and it lists us REACHABLE.
fn kernel_ndp_answered(ctx: &mut Ctx) -> Outcome {
    run(ctx, true, |net, port| {
        kernel_v6_ready(net, port)?;
        let s = kernel_socket(net, SocketAddr::new(KERNEL_V6.into(), 0))?;
        s.send_to(b"over tap", (OUR_V6, 9))
            .map_err(|e| e.to_string())?;
        pump_until(port, |_, got| {
            got.iter().any(|p| p.first().map(|b| b >> 4) == Some(6))
        })?;
        let n = neigh(net, OUR_V6.into())?;
        if n.contains(&OUR_MAC.to_string()) && n.contains("REACHABLE") {
            Ok(())
        } else {
            Err(format!("ip neigh: `{}`", n.trim()))
        }
    })
}

/// RFC 4861 §7.2.2: we resolve the kernel's IPv6 address, and the packet
/// queued meanwhile reaches a kernel socket.
fn kernel_v6_mac_learned(ctx: &mut Ctx) -> Outcome {
    run(ctx, true, |net, port| {
        kernel_v6_ready(net, port)?;
        let s = kernel_socket(net, SocketAddr::new(KERNEL_V6.into(), 5555))?;
        port.send_ipv6(KERNEL_V6, udp_v6(b"resolved"))
            .map_err(|e| e.to_string())?;
        let mut learnt = None;
        pump_until(port, |p, _| {
            while let Some(e) = p.nd.poll_event() {
                if let NdpEvent::Resolved { mac, .. } = e {
                    learnt = Some(mac);
                }
            }
            learnt.is_some()
        })?;
        learnt_then_received(net, learnt, &s)
    })
}

/// Seconds on the port's clock.
fn secs(t: handshake_time::Instant) -> f64 {
    t.as_nanos() as f64 / 1e9
}

/// Holds when `got` is `want` seconds, within the 250 ms a busy machine adds.
fn near(what: &str, got: f64, want: f64) -> Result<(), String> {
    crate::check::ensure((got - want).abs() <= 0.25, || {
        format!("{what}: {got:.3} s, want {want:.3} s")
    })
}

/// RFC 4861 §7.3.3 with §10's constants in real time: the kernel resolved
/// (REACHABLE), then its address removed so it stops answering: STALE after
/// ReachableTime (random factor 0.5 here: 15 s), a packet moves it to DELAY,
/// PROBE after 5 s with three unicast NS 1 s apart to the kernel's MAC, and
/// the entry fails 1 s after the last.
fn kernel_stops_answering(ctx: &mut Ctx) -> Outcome {
    run(ctx, true, |net, port| {
        kernel_v6_ready(net, port)?;
        port.nd.set_random_factor(500);
        port.send_ipv6(KERNEL_V6, udp_v6(b"first"))
            .map_err(|e| e.to_string())?;
        pump_until(port, |p, _| {
            p.nd.state(KERNEL_V6) == Some(NeighborState::Reachable)
        })?;
        let reachable_at = secs(port.now());
        let kernel = port.nd.lookup(KERNEL_V6).ok_or("no MAC for the kernel")?;
        net.ip(&["-6", "addr", "del", "2001:db8::1/64", "dev", "hs0"])
            .map_err(|e| e.to_string())?;
        pump_for(port, Duration::from_secs(20), |p, _| {
            p.nd.state(KERNEL_V6) == Some(NeighborState::Stale)
        })?;
        near("REACHABLE -> STALE", secs(port.now()) - reachable_at, 15.0)?;
        let sent_at = secs(port.now());
        port.send_ipv6(KERNEL_V6, udp_v6(b"second"))
            .map_err(|e| e.to_string())?;
        crate::check::equal(
            "after sending",
            port.nd.state(KERNEL_V6),
            Some(NeighborState::Delay),
        )?;
        let mut failed_at = None;
        pump_for(port, Duration::from_secs(12), |p, _| {
            while let Some(e) = p.nd.poll_event() {
                if matches!(e, NdpEvent::Failed { .. }) {
                    failed_at = Some(secs(p.now()));
                }
            }
            failed_at.is_some()
        })?;
        let probes: Vec<f64> = port
            .frames()
            .iter()
            .filter(|(at, f)| {
                at.as_secs_f64() > sent_at
                    && f.len() > 54
                    && f[..6] == kernel.0
                    && f[6..12] == OUR_MAC.0
                    && f[20] == 58
                    && f[54] == 135
            })
            .map(|(at, _)| at.as_secs_f64() - sent_at)
            .collect();
        crate::check::equal("unicast probes", probes.len(), 3)?;
        for (i, at) in probes.iter().enumerate() {
            near(&format!("probe {}", i + 1), *at, 5.0 + i as f64)?;
        }
        near("failure", failed_at.unwrap_or(0.0) - sent_at, 8.0)?;
        crate::check::equal("entry", port.nd.state(KERNEL_V6), None)
    })
}

/// RFC 4861 §7.2.1, RFC 3810 §5.2: the kernel's snooping bridge learns our
/// solicited-node group from our MLDv2 Report. The TAP device is made a
/// port of a bridge with multicast snooping on; once our address is added,
/// `bridge mdb` lists ff02::1:ff00:2 on that port (a switch would now
/// forward the kernel's solicitations for 2001:db8::2 to us alone).
fn bridge_learns_our_group(ctx: &mut Ctx) -> Outcome {
    run(ctx, false, |net, port| {
        let ip = |args: &[&str]| net.ip(args).map_err(|e| e.to_string());
        ip(&[
            "link",
            "add",
            "br0",
            "type",
            "bridge",
            "mcast_snooping",
            "1",
        ])?;
        ip(&["link", "set", "hs0", "master", "br0"])?;
        ip(&["link", "set", "br0", "up"])?;
        port.add_ipv6(OUR_V6, Duration::ZERO);
        let group = "ff02::1:ff00:2";
        let mut seen = String::new();
        pump_for(port, WAIT, |_, _| {
            seen = net
                .command("bridge", &["mdb", "show", "dev", "br0"])
                .unwrap_or_default();
            seen.lines()
                .any(|l| l.contains("port hs0") && l.contains(group))
        })
        .map_err(|e| format!("{e}; bridge mdb show: `{}`", seen.trim()))
    })
}

/// The `link.interop.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "link.interop.kernel-arp-answered",
            "RFC 826 (packet reception); Linux kernel over TAP",
        )
        .needs(NEEDS)
        .interop_os(kernel_arp_answered),
        Case::must(
            "link.interop.kernel-mac-learned",
            "RFC 826 (packet generation); RFC 1122 §2.3.2.2",
        )
        .needs(NEEDS)
        .interop_os(kernel_mac_learned),
        Case::must(
            "link.interop.kernel-ndp-answered",
            "RFC 4861 §7.2.4; RFC 4862 §5.4",
        )
        .needs(NEEDS)
        .interop_os(kernel_ndp_answered),
        Case::must(
            "link.interop.kernel-ipv6-mac-learned",
            "RFC 4861 §7.2.2, §7.2.5",
        )
        .needs(NEEDS)
        .interop_os(kernel_v6_mac_learned),
        Case::must(
            "link.interop.nud-probe-fails-real-time",
            "RFC 4861 §7.3.3, §10; Linux kernel over TAP",
        )
        .needs(NEEDS)
        .interop_os(kernel_stops_answering),
        Case::must(
            "link.interop.bridge-learns-our-group",
            "RFC 4861 §7.2.1; RFC 3810 §5.2; RFC 4541 §3 (a snooping bridge)",
        )
        .needs(NEEDS)
        .interop_os(bridge_learns_our_group),
    ]
}
