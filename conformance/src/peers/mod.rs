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
