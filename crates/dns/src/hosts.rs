//! The hosts file (`/etc/hosts`, and `%SystemRoot%\System32\drivers\etc\hosts` on Windows).
//!
//! Format, as hosts(5) and the Windows file share it: one address per line,
//! then a canonical name and any aliases, whitespace-separated; `#` starts a
//! comment. Lines that do not parse are skipped and counted, as the C
//! library skips them. Reading the file is the caller's business (the `io`
//! crate): this module only parses text.

use alloc::vec::Vec;
use core::net::IpAddr;
use std::collections::HashMap;

use crate::wire::Name;

/// Where the system keeps its hosts file, when `%SystemRoot%` is the usual
/// `C:\Windows` (`handshake_io::resolver::system_hosts_path` reads the variable).
#[cfg(windows)]
pub const DEFAULT_PATH: &str = r"C:\Windows\System32\drivers\etc\hosts";
/// Where the system keeps its hosts file.
#[cfg(not(windows))]
pub const DEFAULT_PATH: &str = "/etc/hosts";

/// A parsed hosts file.
///
/// ```
/// use handshake_dns::Hosts;
/// let hosts = Hosts::parse("127.0.0.1 localhost\n::1 localhost ip6-localhost # loopback\n");
/// let addrs = hosts.lookup(&"LOCALHOST".parse().unwrap());
/// assert_eq!(addrs, ["127.0.0.1".parse::<std::net::IpAddr>().unwrap(), "::1".parse().unwrap()]);
/// assert_eq!(hosts.reverse(&"::1".parse().unwrap()).unwrap().to_string(), "localhost.");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    by_name: HashMap<Name, Vec<IpAddr>>,
    by_addr: HashMap<IpAddr, Name>,
    skipped: usize,
}

impl Hosts {
    /// Parses the text of a hosts file.
    pub fn parse(text: &str) -> Hosts {
        let mut hosts = Hosts::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            let Some(addr) = fields.next() else { continue };
            // A scoped IPv6 address (`fe80::1%eth0`) names an interface we
            // cannot return through a plain address: skip the line, as glibc does.
            let Ok(addr) = addr.parse::<IpAddr>() else {
                hosts.skipped += 1;
                continue;
            };
            let names: Vec<Name> = fields.filter_map(|n| n.parse().ok()).collect();
            if names.is_empty() {
                hosts.skipped += 1;
                continue;
            }
            hosts
                .by_addr
                .entry(addr)
                .or_insert_with(|| names[0].clone());
            for name in names {
                let addrs = hosts.by_name.entry(name).or_default();
                if !addrs.contains(&addr) {
                    addrs.push(addr);
                }
            }
        }
        hosts
    }

    /// The addresses of `name` (or of an alias), in file order; empty if none.
    pub fn lookup(&self, name: &Name) -> &[IpAddr] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The canonical name of the first line with `addr`.
    pub fn reverse(&self, addr: &IpAddr) -> Option<&Name> {
        self.by_addr.get(addr)
    }

    /// Lines skipped because their address or every name was malformed.
    pub fn skipped_lines(&self) -> usize {
        self.skipped
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when no line gave a name.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn comments_aliases_and_bad_lines() {
        let h = Hosts::parse(
            "# header\n\n192.0.2.1  www.example  www   # web\n\
             192.0.2.2\twww.example\nnot-an-ip foo\nfe80::1%eth0 scoped\n192.0.2.9\n",
        );
        let www: Name = "www.example".parse().unwrap();
        let want: Vec<IpAddr> = vec!["192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap()];
        assert_eq!(h.lookup(&www), want);
        assert_eq!(h.lookup(&"WWW".parse().unwrap()), &want[..1]);
        assert_eq!(h.reverse(&want[1]), Some(&www));
        assert_eq!(h.skipped_lines(), 3);
        assert_eq!(h.len(), 2);
        assert!(h.lookup(&"scoped".parse().unwrap()).is_empty());
    }
}
