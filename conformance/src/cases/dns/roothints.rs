//! `dns.roothints.*`: the root hints an iterative resolver starts from
//! (RFC 1034 §5.3.2's SBELT), read from IANA's `named.root` as Debian's
//! dns-root-data ships it.

use handshake_dns::RootHints;
use proptest::prelude::*;
use std::net::IpAddr;

use crate::property::check_property;
use crate::{check, Case, Ctx, Need, Outcome};

/// The thirteen root servers and their addresses as IANA lists them
/// (root-servers.org; B's IPv4 and IPv6 since November 2023).
const IANA: [(&str, &str, &str); 13] = [
    ("A", "198.41.0.4", "2001:503:ba3e::2:30"),
    ("B", "170.247.170.2", "2801:1b8:10::b"),
    ("C", "192.33.4.12", "2001:500:2::c"),
    ("D", "199.7.91.13", "2001:500:2d::d"),
    ("E", "192.203.230.10", "2001:500:a8::e"),
    ("F", "192.5.5.241", "2001:500:2f::f"),
    ("G", "192.112.36.4", "2001:500:12::d0d"),
    ("H", "198.97.190.53", "2001:500:1::53"),
    ("I", "192.36.148.17", "2001:7fe::53"),
    ("J", "192.58.128.30", "2001:503:c27::2:30"),
    ("K", "193.0.14.129", "2001:7fd::1"),
    ("L", "199.7.83.42", "2001:500:9f::42"),
    ("M", "202.12.27.33", "2001:dc3::35"),
];

const DEBIAN: Need = Need::File {
    path: handshake_dns::ROOT_HINTS_PATH,
    package: "dns-root-data",
};

/// The system's named.root gives the thirteen servers, each with IANA's
/// IPv4 and IPv6 address, in file order.
fn iana_named_root(_: &mut Ctx) -> Outcome {
    let text = match std::fs::read_to_string(handshake_dns::ROOT_HINTS_PATH) {
        Ok(t) => t,
        Err(e) => return Outcome::Fail(format!("{}: {e}", handshake_dns::ROOT_HINTS_PATH)),
    };
    let hints = RootHints::parse(&text);
    let got: Vec<(String, Vec<IpAddr>)> = hints
        .servers()
        .iter()
        .map(|(n, a)| (n.to_string().to_ascii_uppercase(), a.clone()))
        .collect();
    let want: Vec<(String, Vec<IpAddr>)> = IANA
        .iter()
        .map(|(l, v4, v6)| {
            (
                format!("{l}.ROOT-SERVERS.NET."),
                vec![v4.parse().expect("IPv4"), v6.parse().expect("IPv6")],
            )
        })
        .collect();
    Outcome::from(
        check::equal("servers", got, want)
            .and_then(|()| check::equal("lines skipped", hints.skipped(), 0)),
    )
}

/// Any text: no panic, and the bounds hold whatever the file says.
fn arbitrary_text(ctx: &mut Ctx) -> Outcome {
    let line = prop::sample::select(vec![
        ". NS a.\n",
        "a. A 192.0.2.1\n",
        "a. 300 IN AAAA 2001:db8::1\n",
        "\tA 192.0.2.2\n",
        "; comment\n",
        "$TTL 60\n",
        ". IN NS .\n",
    ]);
    let text = prop::collection::vec(
        prop_oneof![line.prop_map(str::to_string), ".{0,40}\n"],
        0..60,
    );
    check_property(ctx, text, |lines| {
        let h = RootHints::parse(&lines.concat());
        prop_assert!(h.servers().len() <= RootHints::MAX_SERVERS);
        for (_, addrs) in h.servers() {
            prop_assert!(!addrs.is_empty() && addrs.len() <= RootHints::MAX_ADDRS);
        }
        Ok(())
    })
}

/// The `dns.roothints.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::must(
            "dns.roothints.iana-named-root",
            "RFC 1034 §5.3.2 (SBELT); RFC 1035 §5.1",
        )
        .needs(&[DEBIAN])
        .vector(iana_named_root),
        Case::should(
            "dns.roothints.arbitrary-text-never-panics",
            "RFC 1123 §1.2.2 (robustness); RFC 1035 §5.1",
        )
        .property(arbitrary_text),
    ]
}
