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
    /// The TAP device with IPv6 addresses, the connections over IPv6:
    /// neighbour discovery resolves the kernel.
    Tap6,
}

#[cfg(target_os = "linux")]
impl Via {
    /// The namespace settings for this device (MTU 1500).
    pub fn config(self) -> handshake_io::netns::NetConfig {
        handshake_io::netns::NetConfig {
            tap: matches!(self, Via::Tap | Via::Tap6),
            ipv6: self == Via::Tap6,
            ..handshake_io::netns::NetConfig::default()
        }
    }
}
