//! A throw-away network namespace with a TUN device in it (Linux).
//!
//! [`TestNet::new`] starts a dedicated thread that leaves the host's network
//! namespace (`unshare(CLONE_NEWNET)`: only that thread moves), brings its
//! loopback up and opens a TUN device there with the kernel's address
//! 192.0.2.1/24 (RFC 5737 TEST-NET-1). Packets the kernel routes to
//! 192.0.2.0/24 come out of the device's file descriptor, and what is written
//! to it enters the kernel as if it came from the wire: the other end of that
//! wire is our stack, at [`OUR_ADDR`].
//!
//! Sockets stay in the namespace they were created in, so kernel sockets are
//! made on the namespace thread with [`TestNet::run`] and may then be used
//! from any thread. Nothing here can reach the host's network: the namespace
//! has no interface but `lo` and the TUN device (and, for a benchmark, a veth
//! pair whose both ends are in namespaces of ours).
//!
//! Clean-up: dropping the [`TestNet`] ends the thread; the TUN device
//! disappears when its descriptor is closed and the namespace when its last
//! thread, socket and descriptor are gone, so a panicking test removes
//! everything too.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The kernel's address inside the namespace (RFC 5737 TEST-NET-1).
pub const KERNEL_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
/// Our stack's address, on the far side of the TUN device.
pub const OUR_ADDR: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
/// The prefix length of 192.0.2.0/24.
pub const PREFIX: u8 = 24;
/// The kernel's IPv6 address with `NetConfig::ipv6` (RFC 3849's
/// documentation prefix, 2001:db8::/64 on the device).
pub const KERNEL_ADDR6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
/// Our stack's IPv6 address.
pub const OUR_ADDR6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2);
/// The prefix length of 2001:db8::/64.
pub const PREFIX6: u8 = 64;

/// How long one job on the namespace thread may take.
const JOB_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a namespace could not be made or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// The machine lacks what is needed: CAP_NET_ADMIN, `/dev/net/tun`, or
    /// the `ip` program (iproute2). Cases skip with this reason.
    #[error("{0}")]
    Unsupported(String),
    /// A system call or program failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: io::Error,
    },
    /// The namespace thread did not answer in time, or is gone.
    #[error("network namespace thread: {0}")]
    Thread(String),
}

impl NetError {
    /// True when the machine cannot run namespace tests at all (skip, not fail).
    pub fn is_unsupported(&self) -> bool {
        matches!(self, NetError::Unsupported(_))
    }

    fn io(what: impl Into<String>, source: io::Error) -> NetError {
        NetError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Settings for a [`TestNet`].
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Open a TUN device (the default); `false` gives a bare namespace.
    pub tun: bool,
    /// The TUN device's MTU (default 1500).
    pub mtu: u16,
    /// Make the device a TAP (Ethernet frames, [`crate::tap`]) rather than a
    /// TUN (IP packets); the default is TUN. The kernel picks its side's MAC.
    pub tap: bool,
    /// Give the device [`KERNEL_ADDR6`]/64 too (without duplicate address
    /// detection on the kernel's side, so it is usable at once).
    pub ipv6: bool,
    /// Open the TUN device with the virtio-net header and the kernel's TCP
    /// offloads (checksum, TSO for IPv4 and IPv6): TCP super-packets both
    /// ways, for [`crate::link::Link::with_offload`]. TUN only; default off.
    pub offload: bool,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            tun: true,
            mtu: 1500,
            tap: false,
            ipv6: false,
            offload: false,
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A network namespace of our own with a TUN device in it.
///
/// ```no_run
/// use handshake_io::netns::{NetConfig, TestNet, KERNEL_ADDR};
/// let (net, tun) = TestNet::new(NetConfig::default())?;
/// let listener = net.run(|| std::net::TcpListener::bind((KERNEL_ADDR, 5000)))??;
/// # drop((listener, tun));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TestNet {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    tid: i32,
}

impl std::fmt::Debug for TestNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestNet").field("tid", &self.tid).finish()
    }
}

/// Checks what a namespace test needs, without changing anything.
pub fn check_support() -> Result<(), NetError> {
    if !std::path::Path::new("/dev/net/tun").exists() {
        return Err(NetError::Unsupported(
            "no /dev/net/tun: load the tun module (modprobe tun)".into(),
        ));
    }
    if which_ip().is_none() {
        return Err(NetError::Unsupported(
            "`ip` not found: apt-get install iproute2".into(),
        ));
    }
    Ok(())
}

fn which_ip() -> Option<std::path::PathBuf> {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists())
}

/// Runs `ip ARGS` (in the calling thread's namespace) and checks its status.
pub fn ip(args: &[&str]) -> Result<(), NetError> {
    let prog = which_ip().ok_or_else(|| NetError::Unsupported("`ip` not found".into()))?;
    let out = Command::new(prog)
        .args(args)
        .output()
        .map_err(|e| NetError::io(format!("running ip {}", args.join(" ")), e))?;
    if !out.status.success() {
        return Err(NetError::io(
            format!("ip {}", args.join(" ")),
            io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        ));
    }
    Ok(())
}

impl TestNet {
    /// Makes the namespace and, if `config.tun`, the TUN device in it. The
    /// device is returned separately so the caller's packet loop owns it.
    pub fn new(config: NetConfig) -> Result<(TestNet, Option<tun_rs::SyncDevice>), NetError> {
        check_support()?;
        let (ready_tx, ready_rx) = mpsc::channel();
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("handshake-netns".into())
            .spawn(move || {
                let setup = enter_namespace(&config);
                let ok = setup.is_ok();
                let _ = ready_tx
                    .send(setup.map(|dev| (rustix::thread::gettid().as_raw_nonzero().get(), dev)));
                if !ok {
                    return;
                }
                // Serve jobs until the TestNet is dropped (the sender closes).
                while let Ok(job) = job_rx.recv() {
                    job();
                }
            })
            .map_err(|e| NetError::io("spawning the namespace thread", e))?;
        let ready = ready_rx
            .recv_timeout(JOB_TIMEOUT)
            .map_err(|e| NetError::Thread(format!("no answer while setting up: {e}")));
        let (tid, dev) = match ready {
            Ok(Ok(v)) => v,
            Ok(Err(e)) | Err(e) => {
                let _ = thread.join();
                return Err(e);
            }
        };
        Ok((
            TestNet {
                jobs: Some(job_tx),
                thread: Some(thread),
                tid,
            },
            dev,
        ))
    }

    /// Runs `f` on the namespace thread (so sockets it makes live in the
    /// namespace) and returns its result.
    pub fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, NetError> {
        let (tx, rx) = mpsc::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs
            .as_ref()
            .ok_or_else(|| NetError::Thread("gone".into()))?
            .send(job)
            .map_err(|_| NetError::Thread("gone".into()))?;
        rx.recv_timeout(JOB_TIMEOUT)
            .map_err(|e| NetError::Thread(format!("job did not finish: {e}")))
    }

    /// Runs `ip ARGS` inside the namespace.
    pub fn ip(&self, args: &[&str]) -> Result<(), NetError> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.run(move || ip(&args.iter().map(String::as_str).collect::<Vec<_>>()))?
    }

    /// Runs a program inside the namespace and returns its standard output
    /// (`ss -tan`, for instance).
    pub fn command(&self, program: &str, args: &[&str]) -> Result<String, NetError> {
        let program = program.to_string();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let what = format!("{program} {}", args.join(" "));
        let out = self
            .run(move || Command::new(program).args(args).output())?
            .map_err(|e| NetError::io(format!("running {what}"), e))?;
        if !out.status.success() {
            return Err(NetError::io(
                what,
                io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The namespace thread's id: `ip link set DEV netns TID` moves a device here.
    pub fn tid(&self) -> i32 {
        self.tid
    }
}

impl Drop for TestNet {
    fn drop(&mut self) {
        // Closing the job channel ends the thread's loop.
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// On the namespace thread: leave the host's namespace, bring `lo` up and
/// open the TUN device.
fn enter_namespace(config: &NetConfig) -> Result<Option<tun_rs::SyncDevice>, NetError> {
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| {
        NetError::Unsupported(format!(
            "unshare(CLONE_NEWNET) failed ({e}): needs CAP_NET_ADMIN, run as root"
        ))
    })?;
    ip(&["link", "set", "lo", "up"])?;
    if !config.tun {
        return Ok(None);
    }
    let layer = if config.tap {
        tun_rs::Layer::L2
    } else {
        tun_rs::Layer::L3
    };
    let dev = tun_rs::DeviceBuilder::new()
        .name("hs0")
        .layer(layer)
        .ipv4(KERNEL_ADDR, PREFIX, None)
        .mtu(config.mtu)
        .offload(config.offload && !config.tap)
        .enable(true)
        .build_sync()
        .map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => NetError::Unsupported(format!(
                "opening a TUN device: {e}: needs CAP_NET_ADMIN, run as root"
            )),
            _ => NetError::io("creating the TUN device", e),
        })?;
    if config.ipv6 {
        let addr = format!("{KERNEL_ADDR6}/{PREFIX6}");
        ip(&["-6", "addr", "add", &addr, "dev", "hs0", "nodad"])?;
    }
    Ok(Some(dev))
}

/// A second namespace joined to `net`'s by a veth pair, kernel to kernel:
/// `net` gets 192.0.2.129/30 on `hsva`, the other 192.0.2.130/30 on `hsvb`.
/// For the throughput comparison; both namespaces are ours, so nothing
/// leaves them.
pub fn veth_peer(net: &TestNet) -> Result<TestNet, NetError> {
    let (peer, _) = TestNet::new(NetConfig {
        tun: false,
        ..NetConfig::default()
    })?;
    let tid = peer.tid().to_string();
    net.ip(&[
        "link", "add", "hsva", "type", "veth", "peer", "name", "hsvb", "netns", &tid,
    ])?;
    net.ip(&["addr", "add", "192.0.2.129/30", "dev", "hsva"])?;
    net.ip(&["link", "set", "hsva", "up"])?;
    peer.ip(&["addr", "add", "192.0.2.130/30", "dev", "hsvb"])?;
    peer.ip(&["link", "set", "hsvb", "up"])?;
    Ok(peer)
}
