//! A TUN device on macOS (utun) and Windows (wintun), through tun-rs.
//!
//! Linux runs its interop cases in a network namespace of their own
//! ([`crate::netns`]); macOS and Windows have no such isolation, so there the
//! device is only opened and configured with the RFC 5737 address the
//! caller names, for a caller that knows what it does with it.
//!
//! ```no_run
//! let dev = handshake_io::tun::open(std::net::Ipv4Addr::new(192, 0, 2, 1), 24, 1500)?;
//! # drop(dev);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::net::Ipv4Addr;

/// Opens a TUN device with `addr/prefix` and `mtu`; needs administrator rights
/// (and, on Windows, wintun.dll next to the program).
pub fn open(addr: Ipv4Addr, prefix: u8, mtu: u16) -> std::io::Result<tun_rs::SyncDevice> {
    tun_rs::DeviceBuilder::new()
        .ipv4(addr, prefix, None)
        .mtu(mtu)
        .build_sync()
}
