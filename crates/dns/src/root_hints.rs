//! Root hints: where an iterative resolver starts (RFC 1034 §5.3.2's
//! SBELT, "safety belt" servers), in the master-file form IANA publishes
//! as `named.root` and Debian ships as `/usr/share/dns/root.hints`.
//!
//! Only what a hints file holds is read: NS records of the root and the A
//! and AAAA records of those servers, one per line, in RFC 1035 §5.1's
//! `owner [TTL] [class] type rdata` layout (TTL and class in either order,
//! `;` starts a comment, a line that begins with white space repeats the
//! previous owner). Other lines, `$` directives among them, are skipped and
//! counted. Reading the file is the caller's business (the `io` crate).

use alloc::vec::Vec;
use core::net::IpAddr;

use crate::wire::Name;

/// Where Debian's `dns-root-data` package keeps IANA's root hints.
pub const DEFAULT_PATH: &str = "/usr/share/dns/root.hints";

/// Parsed root hints: the root's name servers, each with its addresses.
///
/// ```
/// use handshake_dns::RootHints;
/// let hints = RootHints::parse(
///     ".            3600000  NS  a.root-servers.net.\n\
///      a.root-servers.net. 3600000 A 198.41.0.4\n\
///      a.root-servers.net. 3600000 AAAA 2001:503:ba3e::2:30\n",
/// );
/// let (name, addrs) = &hints.servers()[0];
/// assert_eq!(name.to_string(), "a.root-servers.net.");
/// assert_eq!(addrs.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootHints {
    servers: Vec<(Name, Vec<IpAddr>)>,
    skipped: usize,
}

impl RootHints {
    /// At most this many root servers are kept (IANA lists 13): a hostile
    /// or broken file cannot make every lookup start from thousands.
    pub const MAX_SERVERS: usize = 64;

    /// At most this many addresses are kept per server.
    pub const MAX_ADDRS: usize = 16;

    /// Parses the text of a hints file. Servers named by NS records of the
    /// root that have no address in the file are left out (a resolver
    /// cannot reach them before it can resolve).
    pub fn parse(text: &str) -> RootHints {
        let mut ns: Vec<Name> = Vec::new();
        let mut addrs: Vec<(Name, IpAddr)> = Vec::new();
        let mut skipped = 0;
        let mut owner: Option<Name> = None;
        for line in text.lines() {
            let data = line.split(';').next().unwrap_or_default();
            if data.trim().is_empty() {
                continue;
            }
            let mut fields = data.split_whitespace();
            // RFC 1035 §5.1: a blank owner field repeats the last owner.
            if !data.starts_with([' ', '\t']) {
                owner = fields.next().and_then(|o| o.parse::<Name>().ok());
            }
            let Some(name) = owner.clone() else {
                skipped += 1;
                continue;
            };
            let mut rest = fields.skip_while(|f| {
                f.bytes().all(|b| b.is_ascii_digit()) || f.eq_ignore_ascii_case("IN")
            });
            let (Some(rtype), Some(rdata), None) = (rest.next(), rest.next(), rest.next()) else {
                skipped += 1;
                continue;
            };
            match rtype.to_ascii_uppercase().as_str() {
                "NS" if name.is_root() => match rdata.parse::<Name>() {
                    Ok(server) if !ns.contains(&server) => ns.push(server),
                    Ok(_) => {}
                    Err(_) => skipped += 1,
                },
                "A" | "AAAA" => match rdata.parse::<IpAddr>() {
                    Ok(a) if a.is_ipv4() == (rtype.len() == 1) => addrs.push((name, a)),
                    _ => skipped += 1,
                },
                _ => skipped += 1,
            }
        }
        let servers = ns
            .into_iter()
            .filter_map(|server| {
                let mut mine: Vec<IpAddr> = Vec::new();
                for (_, a) in addrs.iter().filter(|(n, _)| *n == server) {
                    if !mine.contains(a) && mine.len() < Self::MAX_ADDRS {
                        mine.push(*a);
                    }
                }
                (!mine.is_empty()).then_some((server, mine))
            })
            .take(Self::MAX_SERVERS)
            .collect();
        RootHints { servers, skipped }
    }

    /// The root's name servers with their addresses, in file order.
    pub fn servers(&self) -> &[(Name, Vec<IpAddr>)] {
        &self.servers
    }

    /// The servers, for [`Upstream::Iterative`](crate::Upstream).
    pub fn into_servers(self) -> Vec<(Name, Vec<IpAddr>)> {
        self.servers
    }

    /// Lines that were not a root NS, A or AAAA record.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// True when no server has an address.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::{String, ToString};

    /// IANA's named.root as published (abridged to two servers, comments
    /// and layout kept): https://www.internic.net/domain/named.root
    const NAMED_ROOT: &str = "\
;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
;
; FORMERLY NS.INTERNIC.NET
;
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
;
; FORMERLY NS1.ISI.EDU
;
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
; End of file
";

    #[test]
    fn reads_iana_layout() {
        let h = RootHints::parse(NAMED_ROOT);
        let names: Vec<String> = h.servers().iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(names, ["A.ROOT-SERVERS.NET.", "B.ROOT-SERVERS.NET."]);
        assert_eq!(
            h.servers()[1].1,
            [
                "170.247.170.2".parse::<IpAddr>().unwrap(),
                "2801:1b8:10::b".parse().unwrap()
            ]
        );
        assert_eq!(h.skipped(), 0);
    }

    #[test]
    fn blank_owner_class_and_junk() {
        let h = RootHints::parse(
            "$TTL 300\n. IN 300 NS ns1.\n\tNS ns2.\nns1. A 192.0.2.1\n  AAAA 2001:db8::1\n\
             ns2. A not-an-address\nns3. A 192.0.2.3\nns1. AAAA 192.0.2.9\n",
        );
        // ns2 has no usable address; ns3 is no root server; `$TTL`, the bad
        // address and the A-in-AAAA line are skipped.
        assert_eq!(h.servers().len(), 1);
        assert_eq!(
            h.servers()[0].1,
            [
                "192.0.2.1".parse::<IpAddr>().unwrap(),
                "2001:db8::1".parse().unwrap()
            ]
        );
        assert_eq!(h.skipped(), 3);
    }

    #[test]
    fn bounded() {
        let mut text = String::new();
        for i in 0..200 {
            text += &format!(". NS s{i}.\ns{i}. A 192.0.2.1\n");
        }
        assert_eq!(
            RootHints::parse(&text).servers().len(),
            RootHints::MAX_SERVERS
        );
    }
}
