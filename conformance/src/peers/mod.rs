//! Real peer programs the cases talk to, behind small safe wrappers.

pub mod authority;
pub mod cargo_bin;
pub mod cli;
pub mod dns_server;
pub mod dnsnet;
#[cfg(target_os = "linux")]
pub mod kernel;
#[cfg(target_os = "linux")]
pub mod netns;
pub mod nginx;
pub mod pcap;
pub mod tls_example;
pub mod tls_tool;
pub mod tshark;

/// The device our stack meets the kernel through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A TUN device: IP packets, no link layer.
    Tun,
    /// A TAP device: Ethernet frames; our ARP and NDP caches resolve the
    /// kernel's MAC and answer its requests for ours.
    Tap,
}

#[cfg(target_os = "linux")]
impl Via {
    /// The namespace settings for this device (MTU 1500).
    pub fn config(self) -> handshake_io::netns::NetConfig {
        handshake_io::netns::NetConfig {
            tap: self == Via::Tap,
            ..handshake_io::netns::NetConfig::default()
        }
    }
}
