//! IPv4, IPv6, UDP and ICMP wire formats and the Internet checksum.
#![no_std]
#![deny(missing_docs)]
