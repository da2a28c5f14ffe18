//! The three authoritative implementations that can serve the fixture zones
//! (fixtures/dns): NSD (the default), Knot DNS and BIND 9. Each gets a
//! configuration file written at run time for one server of servers.txt and
//! runs in the foreground, so the fixture Internet stops it by process id.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Need;

/// NSD, the default authoritative server.
pub const NSD: Need = Need::binary("nsd", "nsd");

/// Knot DNS's server.
pub const KNOT: Need = Need::binary("knotd", "knot");

/// BIND 9's server.
pub const BIND: Need = Need::binary("named", "bind9");

/// `ip` (iproute2), which makes the network namespace BIND runs in.
pub const IP: Need = Need::binary("ip", "iproute2");

/// unbound, the reference recursive resolver.
pub const UNBOUND_BIN: Need = Need::binary("unbound", "unbound");

/// Which implementation serves the fixture zones; one runs at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authority {
    /// NSD: the default, and the one the unsuffixed case ids use.
    Nsd,
    /// Knot DNS (`knotd`).
    Knot,
    /// BIND 9 (`named`).
    Bind,
}

impl Authority {
    /// Every implementation, the default first.
    pub const ALL: [Authority; 3] = [Authority::Nsd, Authority::Knot, Authority::Bind];

    /// The implementation's short name, as in a daemon's label.
    pub fn name(self) -> &'static str {
        match self {
            Authority::Nsd => "nsd",
            Authority::Knot => "knot",
            Authority::Bind => "bind",
        }
    }

    /// What a case id gets appended: nothing for the default, else `-<name>`.
    pub fn suffix(self) -> &'static str {
        match self {
            Authority::Nsd => "",
            Authority::Knot => "-knot",
            Authority::Bind => "-bind",
        }
    }

    /// What a case on the fixture Internet served by this implementation
    /// needs: root (port 53), the server, unbound; BIND also `ip`.
    pub fn needs(self) -> &'static [Need] {
        match self {
            Authority::Nsd => &[Need::Root, NSD, UNBOUND_BIN],
            Authority::Knot => &[Need::Root, KNOT, UNBOUND_BIN],
            Authority::Bind => &[Need::Root, BIND, UNBOUND_BIN, IP],
        }
    }

    /// Whether the server only listens on addresses an interface carries.
    /// BIND does (it binds each interface address that `listen-on`
    /// matches), and only 127.0.0.1 is on `lo`: the fixture Internet then
    /// runs in a network namespace whose `lo` carries every server address.
    /// NSD and Knot bind 127.0.0.x directly (all of 127/8 is local).
    pub fn needs_interface_addresses(self) -> bool {
        self == Authority::Bind
    }

    /// Writes the configuration of the server at `addr` for `zones` (zone,
    /// file in `zonesdir`) into `dir` and returns the command that runs it
    /// in the foreground and the log it writes.
    pub fn command(
        self,
        dir: &Path,
        addr: IpAddr,
        zones: &[(String, String)],
        zonesdir: &Path,
    ) -> Result<(Command, PathBuf), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let d = dir.display();
        let z = zonesdir.display();
        let (file, conf, log, cmd) = match self {
            Authority::Nsd => {
                // rrl-ratelimit 0: response rate limiting off, as the cases and
                // benches send bursts of like queries from one address that NSD's
                // default limit (200/s) would drop or truncate.
                let mut conf = format!(
                    "server:\n  ip-address: {addr}\n  port: 53\n  username: \"\"\n  chroot: \"\"\n  zonesdir: \"{z}\"\n  \
                     database: \"\"\n  pidfile: \"{d}/nsd.pid\"\n  xfrdfile: \"{d}/xfrd.state\"\n  zonelistfile: \"{d}/zone.list\"\n  \
                     logfile: \"{d}/nsd.log\"\n  server-count: 1\n  verbosity: 1\n  hide-version: yes\n  do-ip6: no\n  rrl-ratelimit: 0\n\
                     remote-control:\n  control-enable: no\n"
                );
                for (zone, file) in zones {
                    let _ = write!(conf, "zone:\n  name: \"{zone}\"\n  zonefile: \"{file}\"\n");
                }
                ("nsd.conf", conf, "nsd.log", "nsd")
            }
            Authority::Knot => {
                // Knot runs in the foreground unless given -d. The zone files
                // are read whole and never written back (zonefile-sync -1,
                // no journal); rate limiting is off by default.
                std::fs::create_dir_all(dir.join("db")).map_err(|e| e.to_string())?;
                // Its control socket (which nothing uses) goes where a Unix
                // socket's 107-byte path fits: the temporary directory.
                let sock = knot_control_socket(addr);
                let _ = std::fs::remove_file(&sock);
                let mut conf = format!(
                    "server:\n  rundir: \"{d}\"\n  listen: {addr}@53\n  udp-workers: 1\n  tcp-workers: 1\n  \
                     background-workers: 1\n\
                     control:\n  listen: \"{s}\"\n\
                     database:\n  storage: \"{d}/db\"\n\
                     log:\n  - target: \"{d}/knot.log\"\n    any: info\n\
                     template:\n  - id: default\n    storage: \"{z}\"\n    zonefile-sync: -1\n    \
                     zonefile-load: whole\n    journal-content: none\n\
                     zone:\n",
                    s = sock.display()
                );
                for (zone, file) in zones {
                    let fqdn = if zone.ends_with('.') {
                        zone.clone()
                    } else {
                        format!("{zone}.")
                    };
                    let _ = write!(conf, "  - domain: \"{fqdn}\"\n    file: \"{file}\"\n");
                }
                ("knot.conf", conf, "knot.log", "knotd")
            }
            Authority::Bind => {
                // named -f: the foreground, logging to the file below. No
                // recursion (a lame query gets REFUSED, as from NSD), no
                // NOTIFY, no control channel; response rate limiting is off
                // by default.
                let mut conf = format!(
                    "options {{\n  directory \"{d}\";\n  listen-on port 53 {{ {addr}; }};\n  listen-on-v6 {{ none; }};\n  \
                     recursion no;\n  pid-file \"{d}/named.pid\";\n  session-keyfile \"{d}/session.key\";\n  \
                     managed-keys-directory \"{d}\";\n  dnssec-validation no;\n  notify no;\n}};\n\
                     controls {{ }};\n\
                     logging {{\n  channel file {{ file \"{d}/named.log\"; severity info; print-time yes; }};\n  \
                     category default {{ file; }};\n}};\n"
                );
                for (zone, file) in zones {
                    let _ = writeln!(
                        conf,
                        "zone \"{zone}\" {{ type primary; file \"{z}/{file}\"; }};"
                    );
                }
                ("named.conf", conf, "named.log", "named")
            }
        };
        let path = dir.join(file);
        std::fs::write(&path, conf).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut command = Command::new(cmd);
        match self {
            Authority::Nsd => command.arg("-d").arg("-c").arg(&path),
            Authority::Knot => command.arg("-c").arg(&path),
            Authority::Bind => command.args(["-f", "-4", "-n", "1", "-c"]).arg(&path),
        };
        Ok((command, dir.join(log)))
    }
}

/// Where the Knot at `addr` puts its control socket: a short path, kept
/// apart from parallel runs by our process id.
pub fn knot_control_socket(addr: IpAddr) -> PathBuf {
    std::env::temp_dir().join(format!("handshake-knot-{}-{addr}.sock", std::process::id()))
}
