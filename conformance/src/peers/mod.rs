//! Real peer programs the cases talk to, behind small safe wrappers.

pub mod dns_server;
pub mod dnsnet;
#[cfg(target_os = "linux")]
pub mod kernel;
pub mod pcap;
pub mod tls_tool;
pub mod tshark;
