//! Real peer programs the cases talk to, behind small safe wrappers.

pub mod dns_loopback;
pub mod dnsnet;
pub mod pcap;
pub mod scripted;
pub mod tshark;
