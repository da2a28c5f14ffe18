//! `dns.hosts.*`: The hosts file (hosts(5), RFC 952): parsing and agreement with getaddrinfo.

use super::support::*;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::Name;
use handshake_dns::Hosts;
use std::collections::BTreeSet;
use std::net::{IpAddr, ToSocketAddrs};

/// Every name in the system hosts file resolves through getaddrinfo (the C
/// library, `files` first in nsswitch) to the addresses our parser finds.
fn hosts_agree_with_getaddrinfo(_: &mut Ctx) -> Outcome {
    let text = match std::fs::read_to_string(handshake_dns::HOSTS_PATH) {
        Ok(t) => t,
        Err(e) => return Outcome::Skip(format!("cannot read {}: {e}", handshake_dns::HOSTS_PATH)),
    };
    let ours = Hosts::parse(&text);
    let names: BTreeSet<String> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| {
            l.split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    if names.is_empty() {
        return Outcome::Skip(format!("{} names no host", handshake_dns::HOSTS_PATH));
    }
    let mut problems = Vec::new();
    for n in &names {
        let Ok(parsed) = n.parse::<Name>() else {
            continue;
        };
        let mine: BTreeSet<IpAddr> = ours.lookup(&parsed).iter().copied().collect();
        let system: BTreeSet<IpAddr> = match (n.as_str(), 0u16).to_socket_addrs() {
            Ok(addrs) => addrs.map(|a| a.ip()).collect(),
            Err(e) => {
                problems.push(format!("getaddrinfo({n}) failed: {e}"));
                continue;
            }
        };
        if mine != system {
            problems.push(format!("{n}: ours {mine:?}, getaddrinfo {system:?}"));
        }
    }
    Outcome::from(check::ensure(problems.is_empty(), || problems.join("; ")))
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter()
        .map(|a| a.parse().expect("case addresses are valid"))
        .collect()
}

/// hosts(5): `#` starts a comment anywhere on a line; blank and
/// comment-only lines are nothing; a line without a name is skipped.
fn hosts_comments(_: &mut Ctx) -> Outcome {
    let h = Hosts::parse(
        "# a header\n\n   \n192.0.2.1 one # trailing comment two\n\
         192.0.2.2 two#glued\n#192.0.2.3 three\n192.0.2.4\n\t192.0.2.5\tfive\n",
    );
    let got = |n: &str| h.lookup(&name(n)).to_vec();
    let checks = [
        ("one", ips(&["192.0.2.1"])),
        ("two", ips(&["192.0.2.2"])),
        ("glued", vec![]),
        ("three", vec![]),
        ("five", ips(&["192.0.2.5"])),
    ];
    for (n, want) in checks {
        if got(n) != want {
            return Outcome::Fail(format!("{n}: {:?}, want {want:?}", got(n)));
        }
    }
    Outcome::from(check::ensure(
        h.len() == 3 && h.skipped_lines() == 1,
        || format!("{} names, {} lines skipped", h.len(), h.skipped_lines()),
    ))
}

/// hosts(5): the first name is the canonical name, the others aliases; all
/// of them resolve, without regard to case (RFC 4343), and the address maps
/// back to the canonical name.
fn hosts_aliases(_: &mut Ctx) -> Outcome {
    let h = Hosts::parse("192.0.2.10 www.example.com www web\n192.0.2.11 WWW.example.com\n");
    let want = ips(&["192.0.2.10", "192.0.2.11"]);
    for n in ["www.example.com", "Www.Example.COM"] {
        if h.lookup(&name(n)) != want {
            return Outcome::Fail(format!("{n}: {:?}", h.lookup(&name(n))));
        }
    }
    for n in ["www", "WEB"] {
        if *h.lookup(&name(n)) != want[..1] {
            return Outcome::Fail(format!("alias {n}: {:?}", h.lookup(&name(n))));
        }
    }
    let canonical = h.reverse(&want[0]).map(|n| n.to_string());
    Outcome::from(check::ensure(
        canonical.as_deref() == Some("www.example.com."),
        || format!("reverse of 192.0.2.10: {canonical:?}"),
    ))
}

/// hosts(5) with IPv6 (RFC 4291 §2.2 text forms): a name on an IPv4 and an
/// IPv6 line has both, in file order; a scoped address (`%eth0`) is skipped.
fn hosts_ipv6(_: &mut Ctx) -> Outcome {
    let h = Hosts::parse(
        "::1 localhost ip6-localhost\n127.0.0.1 localhost\n2001:db8::a:1 v6only\n\
         ::ffff:192.0.2.1 mapped\nfe80::1%eth0 scoped\n2001:db8:::1 broken\n",
    );
    let checks = [
        ("localhost", ips(&["::1", "127.0.0.1"])),
        ("ip6-localhost", ips(&["::1"])),
        ("v6only", ips(&["2001:db8::a:1"])),
        ("mapped", ips(&["::ffff:192.0.2.1"])),
        ("scoped", vec![]),
        ("broken", vec![]),
    ];
    for (n, want) in checks {
        if h.lookup(&name(n)) != want {
            return Outcome::Fail(format!("{n}: {:?}, want {want:?}", h.lookup(&name(n))));
        }
    }
    Outcome::from(check::ensure(h.skipped_lines() == 2, || {
        format!("{} lines skipped, want 2", h.skipped_lines())
    }))
}

/// The hosts file is where the system keeps it: `%SystemRoot%\System32\
/// drivers\etc\hosts` on Windows, `/etc/hosts` on Unix and macOS.
fn hosts_system_path(_: &mut Ctx) -> Outcome {
    let got = handshake_io::resolver::system_hosts_path();
    #[cfg(windows)]
    let want = std::path::PathBuf::from(
        std::env::var_os("SystemRoot").unwrap_or_else(|| r"C:\Windows".into()),
    )
    .join(r"System32\drivers\etc\hosts");
    #[cfg(not(windows))]
    let want = std::path::PathBuf::from("/etc/hosts");
    Outcome::from(check::ensure(got == want, || {
        format!("{} , want {}", got.display(), want.display())
    }))
}

/// The `dns.hosts.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.hosts.agrees-with-getaddrinfo",
            "RFC 952 (host table); RFC 1123 §6.1.3.8",
        )
        .interop_os(hosts_agree_with_getaddrinfo),
        Case::should("dns.hosts.comments-and-blank-lines", "hosts(5); RFC 952")
            .vector(hosts_comments),
        Case::should("dns.hosts.aliases", "hosts(5); RFC 952; RFC 4343 §3").vector(hosts_aliases),
        Case::should("dns.hosts.ipv6", "hosts(5); RFC 4291 §2.2").vector(hosts_ipv6),
        Case::should(
            "dns.hosts.system-path",
            "RFC 952; hosts(5); Windows %SystemRoot%\\System32\\drivers\\etc\\hosts",
        )
        .vector(hosts_system_path),
    ]
}
