//! The fixture Internet of fixtures/dns: one authoritative server per line
//! of servers.txt on its own 127.0.0.x address — NSD by default, or Knot
//! DNS or BIND 9 ([`Authority`]) — and unbound as the reference recursive
//! resolver with the same root hints. Started by a case, stopped (by process
//! group) when the handle drops, also when the case fails.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use handshake_dns::wire::{Message, Name, Question, Rcode, RecordType};

use crate::Need;

pub use super::authority::{Authority, NSD, UNBOUND_BIN};

/// What a case using the fixture Internet served by NSD needs.
pub const NEEDS: &[Need] = &[Need::Root, NSD, UNBOUND_BIN];

/// Where unbound listens.
pub const UNBOUND: SocketAddr =
    SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 60)), 53);

/// Cases share the fixed addresses: one network at a time.
static NETWORK: Mutex<()> = Mutex::new(());

/// Holds the loopback DNS addresses for one case at a time.
pub fn lock() -> MutexGuard<'static, ()> {
    NETWORK.lock().unwrap_or_else(|p| p.into_inner())
}

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/dns")
}

/// One authoritative server of servers.txt: its address and (zone, zone file) pairs.
pub type Server = (IpAddr, Vec<(String, String)>);

/// Every authoritative server in servers.txt.
pub fn servers() -> Result<Vec<Server>, String> {
    let text = std::fs::read_to_string(fixtures().join("servers.txt"))
        .map_err(|e| format!("servers.txt: {e}"))?;
    let mut out = Vec::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut f = line.split_whitespace();
        let addr = f
            .next()
            .and_then(|a| a.parse().ok())
            .ok_or(format!("bad line `{line}`"))?;
        let rest: Vec<&str> = f.collect();
        let zones = rest
            .chunks(2)
            .map(|z| {
                (
                    z[0].to_string(),
                    z.get(1).copied().unwrap_or_default().to_string(),
                )
            })
            .collect();
        out.push((addr, zones));
    }
    Ok(out)
}

/// One line of queries.txt: a question the fixture Internet answers, and
/// what it exercises.
#[derive(Debug, Clone)]
pub struct FixtureQuery {
    /// The name asked for.
    pub name: Name,
    /// The type asked for.
    pub qtype: RecordType,
    /// The last part of the case id (`dns.interop.iterative.<slug>`).
    pub slug: String,
    /// The requirement the answer shows.
    pub spec: String,
    /// What the query exercises, in words.
    pub about: String,
}

/// Every line of queries.txt, in file order.
pub fn fixture_queries() -> Result<Vec<FixtureQuery>, String> {
    let text = std::fs::read_to_string(fixtures().join("queries.txt"))
        .map_err(|e| format!("queries.txt: {e}"))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('|').map(str::trim).collect();
            let [name, qtype, slug, spec, about] = f[..] else {
                return Err(format!("`{l}`: want five |-separated fields"));
            };
            let name: Name = name.parse().map_err(|_| format!("bad name in `{l}`"))?;
            let qtype = match qtype {
                "A" => RecordType::A,
                "AAAA" => RecordType::AAAA,
                "TXT" => RecordType::TXT,
                "MX" => RecordType::MX,
                "NS" => RecordType::NS,
                other => return Err(format!("unknown type {other:?} in `{l}`")),
            };
            Ok(FixtureQuery {
                name,
                qtype,
                slug: slug.to_string(),
                spec: spec.to_string(),
                about: about.to_string(),
            })
        })
        .collect()
}

/// The questions of queries.txt, in file order.
pub fn queries() -> Result<Vec<Question>, String> {
    Ok(fixture_queries()?
        .into_iter()
        .map(|q| Question::new(q.name, q.qtype))
        .collect())
}

/// The running network; dropping it stops every daemon.
pub struct DnsNet {
    daemons: Vec<(String, Child, PathBuf)>,
    dir: PathBuf,
    /// BIND's private loopback; dropped (left, deleted) after the daemons stop.
    #[cfg(target_os = "linux")]
    netns: Option<super::netns::NetNs>,
    _lock: MutexGuard<'static, ()>,
}

impl DnsNet {
    /// Starts one `authority` per server of servers.txt and unbound, and
    /// waits until each server answers an SOA query for each of its zones
    /// authoritatively and unbound answers at all.
    pub fn start(work: &Path, authority: Authority) -> Result<DnsNet, String> {
        let lock = lock();
        let dir = work.join("dnsnet");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut net = DnsNet {
            daemons: Vec::new(),
            dir: dir.clone(),
            #[cfg(target_os = "linux")]
            netns: None,
            _lock: lock,
        };
        let zonesdir = fixtures()
            .canonicalize()
            .map_err(|e| format!("fixtures/dns: {e}"))?;
        let servers = servers()?;
        if authority.needs_interface_addresses() {
            net.enter_netns(&servers)?;
        }
        for (addr, zones) in servers {
            let label = format!("{}@{addr}", authority.name());
            let (mut cmd, log) = authority.command(&dir.join(&label), addr, &zones, &zonesdir)?;
            net.spawn(&label, &mut cmd, log)?;
            let names = zones
                .iter()
                .map(|(z, _)| z.parse().map_err(|_| format!("bad zone name {z}")))
                .collect::<Result<Vec<Name>, String>>()?;
            net.wait_authoritative(SocketAddr::new(addr, 53), &names, &label)?;
        }
        net.spawn_unbound(UNBOUND, &[(Name::root(), "a.root.", [127, 0, 0, 2].into())])?;
        Ok(net)
    }

    /// Moves this thread into a new network namespace whose `lo` carries
    /// every server address and unbound's (see
    /// [`Authority::needs_interface_addresses`]).
    #[cfg(target_os = "linux")]
    fn enter_netns(&mut self, servers: &[Server]) -> Result<(), String> {
        let mut addrs: Vec<IpAddr> = servers.iter().map(|(a, _)| *a).collect();
        addrs.push(UNBOUND.ip());
        let name = format!("handshake-dns-{}", std::process::id());
        self.netns = Some(super::netns::NetNs::enter(&name, &addrs)?);
        Ok(())
    }

    /// Network namespaces are Linux's.
    #[cfg(not(target_os = "linux"))]
    fn enter_netns(&mut self, _: &[Server]) -> Result<(), String> {
        Err("this authority needs a Linux network namespace".into())
    }

    /// Starts only unbound on `listen`, with `root` as its root hint (a name
    /// and an address), for a network of scripted servers the caller runs
    /// while it holds `guard` (from [`lock`]).
    pub fn unbound_only(
        work: &Path,
        listen: SocketAddr,
        root: IpAddr,
        guard: MutexGuard<'static, ()>,
    ) -> Result<DnsNet, String> {
        let dir = work.join(format!("unbound-{}", listen.ip()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut net = DnsNet {
            daemons: Vec::new(),
            dir,
            #[cfg(target_os = "linux")]
            netns: None,
            _lock: guard,
        };
        net.spawn_unbound(listen, &[(Name::root(), "a.root.", root)])?;
        Ok(net)
    }

    /// Where unbound's control socket is: a short path in the temporary
    /// directory, because a Unix socket path has room for only 107 bytes
    /// and the case's artifact folder can be longer than that. The process
    /// id keeps parallel runs apart; the network lock, cases in one run.
    pub fn unbound_control_socket(&self) -> PathBuf {
        std::env::temp_dir().join(format!("handshake-unbound-{}.sock", std::process::id()))
    }

    /// Sends one command to unbound's remote control and returns its reply:
    /// what `unbound-control` does over a Unix socket (which unbound serves
    /// without TLS) — the line `UBCT1 <command>`, then the reply to EOF.
    #[cfg(unix)]
    pub fn unbound_control(&self, command: &str) -> Result<String, String> {
        use std::io::{Read, Write};
        use std::os::unix::net::UnixStream;
        let path = self.unbound_control_socket();
        let mut s = UnixStream::connect(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
        s.write_all(format!("UBCT1 {command}\n").as_bytes())
            .map_err(|e| format!("unbound-control {command}: {e}"))?;
        let mut reply = String::new();
        s.read_to_string(&mut reply)
            .map_err(|e| format!("unbound-control {command}: {e}"))?;
        Ok(reply)
    }

    /// Without Unix sockets there is no remote control to speak to.
    #[cfg(not(unix))]
    pub fn unbound_control(&self, command: &str) -> Result<String, String> {
        Err(format!("unbound-control {command}: needs a Unix socket"))
    }

    /// unbound on `listen` with root hints `(zone, server name, address)`,
    /// its remote control on a Unix socket (no TLS) for cache flushes.
    fn spawn_unbound(
        &mut self,
        listen: SocketAddr,
        hints: &[(Name, &str, IpAddr)],
    ) -> Result<(), String> {
        let d = self.dir.join("unbound");
        std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
        let mut hint_text = String::new();
        for (zone, server, addr) in hints {
            let _ = writeln!(
                hint_text,
                "{zone} 3600000 NS {server}\n{server} 3600000 A {addr}"
            );
        }
        std::fs::write(d.join("root.hints"), hint_text).map_err(|e| e.to_string())?;
        let conf = format!(
            "server:\n  interface: {ip}\n  port: {port}\n  do-ip6: no\n  do-not-query-localhost: no\n  \
             root-hints: \"{d}/root.hints\"\n  username: \"\"\n  chroot: \"\"\n  directory: \"{d}\"\n  pidfile: \"{d}/unbound.pid\"\n  \
             use-syslog: no\n  logfile: \"{d}/unbound.log\"\n  verbosity: 1\n  module-config: \"iterator\"\n  num-threads: 1\n  \
             so-reuseport: no\n  harden-glue: yes\n  qname-minimisation: no\n  edns-buffer-size: 1232\n  \
             infra-host-ttl: 60\n  local-zone: \"test.\" nodefault\n\
             remote-control:\n  control-enable: yes\n  control-interface: \"{sock}\"\n",
            ip = listen.ip(),
            port = listen.port(),
            d = d.display(),
            sock = self.unbound_control_socket().display()
        );
        let _ = std::fs::remove_file(self.unbound_control_socket());
        let path = d.join("unbound.conf");
        std::fs::write(&path, conf).map_err(|e| e.to_string())?;
        self.spawn(
            "unbound",
            Command::new("unbound").arg("-d").arg("-c").arg(&path),
            d.join("unbound.log"),
        )?;
        self.wait_ready(listen, "unbound")
    }

    fn spawn(&mut self, name: &str, cmd: &mut Command, log: PathBuf) -> Result<(), String> {
        // Its own process group, so stopping it stops the workers it forks.
        #[cfg(unix)]
        cmd.process_group(0);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {name}: {e}"))?;
        self.daemons.push((name.to_string(), child, log));
        Ok(())
    }

    /// Polls `addr` with an SOA query for the root until it answers (5 s at most).
    fn wait_ready(&mut self, addr: SocketAddr, name: &str) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let probe = Message::query(1, Question::new(Name::root(), RecordType::SOA));
        while Instant::now() < deadline {
            if let Some((_, child, log)) = self.daemons.last_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(log).unwrap_or_default();
                    return Err(format!("{name} exited with {status}: {}", log.trim()));
                }
            }
            if handshake_io::dns::query(addr, &probe, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
        }
        Err(format!("{name} did not answer at {addr} within 5 s"))
    }

    /// Polls `addr` with an SOA query for each of `zones` until it answers
    /// each with NOERROR, AA and the zone's SOA (5 s at most): a server that
    /// listens before its zones are loaded (BIND) is not ready yet.
    fn wait_authoritative(
        &mut self,
        addr: SocketAddr,
        zones: &[Name],
        name: &str,
    ) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last;
        for zone in zones {
            let probe = Message::query(1, Question::new(zone.clone(), RecordType::SOA));
            loop {
                if let Some((_, child, log)) = self.daemons.last_mut() {
                    if let Ok(Some(status)) = child.try_wait() {
                        let log = std::fs::read_to_string(log).unwrap_or_default();
                        return Err(format!("{name} exited with {status}: {}", log.trim()));
                    }
                }
                match handshake_io::dns::query(addr, &probe, Duration::from_millis(200)) {
                    Ok(m)
                        if m.rcode() == Rcode::NOERROR
                            && m.header.authoritative
                            && m.answers.iter().any(|r| r.rtype() == RecordType::SOA) =>
                    {
                        break
                    }
                    Ok(m) => last = format!("rcode {:?}, aa {}", m.rcode(), m.header.authoritative),
                    Err(e) => last = e.to_string(),
                }
                if Instant::now() >= deadline {
                    return Err(format!(
                        "{name} did not serve {zone} at {addr} within 5 s: {last}\n{}",
                        self.logs()
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    /// Passes when a case found no problems; else fails listing them, then
    /// the daemons' logs.
    pub fn verdict(&self, problems: &[String]) -> crate::check::Checked {
        crate::check::ensure(problems.is_empty(), || {
            format!(
                "{}\n--- daemon logs ---\n{}",
                problems.join("\n"),
                self.logs()
            )
        })
    }

    /// The daemons' logs, for a failure's reason.
    pub fn logs(&self) -> String {
        self.daemons
            .iter()
            .map(|(n, _, log)| {
                format!(
                    "{n}: {}",
                    std::fs::read_to_string(log).unwrap_or_default().trim()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for DnsNet {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.daemons {
            terminate(child);
        }
        for (_, child, _) in &mut self.daemons {
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline && !matches!(child.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(20));
            }
            if !matches!(child.try_wait(), Ok(Some(_))) {
                kill(child);
                let _ = child.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(self.unbound_control_socket());
        for (addr, _) in servers().unwrap_or_default() {
            let _ = std::fs::remove_file(super::authority::knot_control_socket(addr));
        }
    }
}

/// SIGTERM to the daemon's own process group (made at spawn) lets NSD and
/// unbound stop the workers they fork. The group id is the daemon's pid:
/// never our own group, never "every process".
#[cfg(unix)]
fn terminate(child: &Child) {
    use rustix::process::{kill_process_group, Pid, Signal};
    let _ = kill_process_group(Pid::from_child(child), Signal::TERM);
}

/// SIGKILL to the daemon's process group.
#[cfg(unix)]
fn kill(child: &mut Child) {
    use rustix::process::{kill_process_group, Pid, Signal};
    let _ = kill_process_group(Pid::from_child(child), Signal::KILL);
}

/// Elsewhere the daemons do not run (the cases skip), but stop what started.
#[cfg(not(unix))]
fn terminate(child: &Child) {
    let _ = child;
}

#[cfg(not(unix))]
fn kill(child: &mut Child) {
    let _ = child.kill();
}
