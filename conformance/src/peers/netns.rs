//! A network namespace for the calling thread: made with `ip netns add`,
//! its `lo` up and carrying the addresses asked for, the thread moved into
//! it (setns), and on drop the thread moved back and the namespace deleted.
//! Processes the thread starts meanwhile (std's spawn forks from the calling
//! thread) inherit it, so daemons and the case's own sockets share one
//! private loopback; nothing else on the machine sees it.

use std::fs::File;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::process::Command;

use rustix::thread::{move_into_link_name_space, LinkNameSpaceType};

/// The namespace the calling thread is in until this drops.
pub struct NetNs {
    name: String,
    home: File,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl NetNs {
    /// Makes the namespace `name` with `addrs` on its `lo` and moves the
    /// calling thread into it.
    pub fn enter(name: &str, addrs: &[IpAddr]) -> Result<NetNs, String> {
        let home = File::open("/proc/thread-self/ns/net")
            .map_err(|e| format!("/proc/thread-self/ns/net: {e}"))?;
        // A namespace of this name left by a run that was killed goes first.
        let _ = ip(&["netns", "del", name]);
        ip(&["netns", "add", name])?;
        // From here on, dropping deletes it.
        let ns = NetNs {
            name: name.to_string(),
            home,
        };
        ip(&["-n", name, "link", "set", "lo", "up"])?;
        for a in addrs {
            let a = format!("{a}/32");
            ip(&["-n", name, "addr", "add", &a, "dev", "lo"])?;
        }
        let path = format!("/run/netns/{name}");
        let f = File::open(&path).map_err(|e| format!("{path}: {e}"))?;
        move_into_link_name_space(f.as_fd(), Some(LinkNameSpaceType::Network))
            .map_err(|e| format!("setns {path}: {e}"))?;
        Ok(ns)
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        // Back home first (harmless if the thread never left), then delete.
        let _ = move_into_link_name_space(self.home.as_fd(), Some(LinkNameSpaceType::Network));
        let _ = ip(&["netns", "del", &self.name]);
    }
}
