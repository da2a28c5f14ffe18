//! The stub resolver's configuration from `/etc/resolv.conf` (resolv.conf(5)).
//!
//! Only parsing lives here; reading the file (and the system configuration
//! on Windows and macOS) is the `io` crate's business.

use alloc::vec;
use alloc::vec::Vec;

use core::net::{IpAddr, SocketAddr};

use handshake_time::Duration;

use crate::wire::Name;

/// Where Unix systems keep the stub resolver's configuration.
pub const DEFAULT_PATH: &str = "/etc/resolv.conf";

/// resolv.conf(5)'s limits: at most three name servers (MAXNS) and six search domains.
const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCH: usize = 6;

/// How a stub resolver finds its servers and expands names.
///
/// ```
/// use handshake_dns::ResolvConf;
/// let c = ResolvConf::parse("nameserver 127.0.0.53\nsearch corp.example example\noptions ndots:2 timeout:1 attempts:3 rotate\n");
/// assert_eq!(c.nameservers, ["127.0.0.53:53".parse().unwrap()]);
/// assert_eq!(c.ndots, 2);
/// assert!(c.rotate);
/// let names: Vec<String> = c.candidates("www").iter().map(|n| n.to_string()).collect();
/// assert_eq!(names, ["www.corp.example.", "www.example.", "www."]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvConf {
    /// Servers, in order (port 53).
    pub nameservers: Vec<SocketAddr>,
    /// Search list; the last `domain` or `search` line wins, as in glibc.
    pub search: Vec<Name>,
    /// A name with at least this many dots is tried as is first.
    pub ndots: u8,
    /// Time to wait for one server.
    pub timeout: Duration,
    /// Rounds through the server list.
    pub attempts: u8,
    /// Spread queries across servers instead of always starting with the first.
    pub rotate: bool,
    /// Send EDNS(0) (`options edns0`); we send it regardless unless a server refuses it.
    pub edns0: bool,
}

impl Default for ResolvConf {
    /// glibc's defaults: the local server, ndots 1, 5 s, 2 attempts.
    fn default() -> ResolvConf {
        ResolvConf {
            nameservers: vec![SocketAddr::from(([127, 0, 0, 1], 53))],
            search: Vec::new(),
            ndots: 1,
            timeout: Duration::from_secs(5),
            attempts: 2,
            rotate: false,
            edns0: false,
        }
    }
}

impl ResolvConf {
    /// Parses resolv.conf text. Unknown keywords and malformed values are
    /// ignored, as the C library ignores them; values are clamped to its
    /// limits (ndots ≤ 15, timeout ≤ 30 s, attempts ≤ 5).
    pub fn parse(text: &str) -> ResolvConf {
        let mut c = ResolvConf {
            nameservers: Vec::new(),
            ..ResolvConf::default()
        };
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or_default();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => {
                    // A scoped address (`fe80::1%eth0`) keeps only the address part.
                    let addr = words
                        .next()
                        .and_then(|w| w.split('%').next())
                        .and_then(|w| w.parse::<IpAddr>().ok());
                    if let Some(ip) = addr {
                        if c.nameservers.len() < MAX_NAMESERVERS {
                            c.nameservers.push(SocketAddr::new(ip, 53));
                        }
                    }
                }
                Some("domain") => {
                    c.search = words
                        .next()
                        .and_then(|w| w.parse().ok())
                        .into_iter()
                        .collect()
                }
                Some("search") => {
                    c.search = words
                        .filter_map(|w| w.parse().ok())
                        .take(MAX_SEARCH)
                        .collect()
                }
                Some("options") => {
                    for opt in words {
                        let (key, value) = opt.split_once(':').unwrap_or((opt, ""));
                        let num = value.parse::<u64>().ok();
                        match (key, num) {
                            ("ndots", Some(n)) => c.ndots = n.min(15) as u8,
                            ("timeout", Some(n)) => c.timeout = Duration::from_secs(n.clamp(1, 30)),
                            ("attempts", Some(n)) => c.attempts = n.clamp(1, 5) as u8,
                            ("rotate", _) => c.rotate = true,
                            ("edns0", _) => c.edns0 = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if c.nameservers.is_empty() {
            c.nameservers = ResolvConf::default().nameservers;
        }
        c
    }

    /// The names to try for `input`, in order (resolv.conf(5) "search"):
    /// a name ending in a dot is absolute and tried alone; one with at least
    /// `ndots` dots is tried as is first, then with each search domain;
    /// otherwise the search domains come first.
    pub fn candidates(&self, input: &str) -> Vec<Name> {
        let Ok(bare) = input.parse::<Name>() else {
            return Vec::new();
        };
        if input.ends_with('.') {
            return vec![bare];
        }
        let dots = input.bytes().filter(|&b| b == b'.').count();
        let mut searched: Vec<Name> = self
            .search
            .iter()
            .filter_map(|d| Name::from_labels(bare.labels().chain(d.labels())).ok())
            .collect();
        if dots >= usize::from(self.ndots) {
            searched.insert(0, bare);
        } else {
            searched.push(bare);
        }
        searched
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn limits_comments_and_last_search_wins() {
        let c = ResolvConf::parse(
            "# comment\nnameserver 192.0.2.1\nnameserver ::1 ; also\nnameserver fe80::1%eth0\n\
             nameserver 192.0.2.4\nnameserver bogus\ndomain one.example\nsearch a.example b.example\n\
             options ndots:99 timeout:0 attempts:9 unknown:1\n",
        );
        assert_eq!(c.nameservers.len(), 3);
        assert_eq!(c.nameservers[2], "[fe80::1]:53".parse().unwrap());
        assert_eq!(c.search.len(), 2);
        assert_eq!(
            (c.ndots, c.timeout, c.attempts),
            (15, Duration::from_secs(1), 5)
        );
        assert_eq!(
            ResolvConf::parse("").nameservers,
            ResolvConf::default().nameservers
        );
    }

    #[test]
    fn ndots_orders_the_candidates() {
        let c = ResolvConf::parse("search example\n");
        let s = |i: &str| {
            c.candidates(i)
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(s("www.corp"), ["www.corp.", "www.corp.example."]);
        assert_eq!(s("www"), ["www.example.", "www."]);
        assert_eq!(s("www."), ["www."]);
        assert!(s("a..b").is_empty());
    }
}
