//! The stub side of handshake-dns and handshake-io: the hosts file,
//! resolv.conf and what the stub does with it (search list, ndots,
//! attempts, timeout, rotation, SERVFAIL), and the transport's TCP fallback
//! — against servers in this process on 127.0.0.1 (no privileges needed).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use handshake_dns::wire::{Message, Name, Question, RData, Rcode, Record, RecordType};
use handshake_dns::{Hosts, Outcome as Lookup, ResolvConf};
use handshake_io::resolver::{BlockingResolver, Resolver, TraceStep, Upstream};
use handshake_time::Duration;

use crate::peers::dns_loopback::Loopback;
use crate::{check, Case, Ctx, Outcome};

fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter()
        .map(|a| a.parse().expect("case addresses are valid"))
        .collect()
}

fn names(c: &ResolvConf, input: &str) -> Vec<String> {
    c.candidates(input)
        .iter()
        .map(ToString::to_string)
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

/// resolv.conf(5) `ndots`: a name with at least ndots dots is tried as is
/// first, else after the search list (default 1, at most 15).
fn resolvconf_ndots(_: &mut Ctx) -> Outcome {
    let d = ResolvConf::parse("search example.com\n");
    let two = ResolvConf::parse("search example.com\noptions ndots:2\n");
    let capped = ResolvConf::parse("options ndots:40\n");
    let checks = [
        (
            names(&d, "www.corp"),
            vec!["www.corp.", "www.corp.example.com."],
        ),
        (names(&d, "www"), vec!["www.example.com.", "www."]),
        (
            names(&two, "www.corp"),
            vec!["www.corp.example.com.", "www.corp."],
        ),
        (names(&two, "a.b.c"), vec!["a.b.c.", "a.b.c.example.com."]),
    ];
    for (got, want) in checks {
        if got != want {
            return Outcome::Fail(format!("{got:?}, want {want:?}"));
        }
    }
    Outcome::from(check::ensure(d.ndots == 1 && capped.ndots == 15, || {
        format!("default ndots {}, ndots:40 gives {}", d.ndots, capped.ndots)
    }))
}

/// resolv.conf(5) `search` and `domain`: the last of them wins, at most six
/// domains are kept, and a name ending in a dot is never searched (RFC 1535).
fn resolvconf_search(_: &mut Ctx) -> Outcome {
    let last_search = ResolvConf::parse("domain one.example\nsearch a.example b.example\n");
    let last_domain = ResolvConf::parse("search a.example b.example\ndomain one.example\n");
    let seven = ResolvConf::parse("search d1 d2 d3 d4 d5 d6 d7\n");
    let s = |c: &ResolvConf| c.search.iter().map(ToString::to_string).collect::<Vec<_>>();
    if s(&last_search) != ["a.example.", "b.example."] || s(&last_domain) != ["one.example."] {
        return Outcome::Fail(format!("{:?} / {:?}", s(&last_search), s(&last_domain)));
    }
    if seven.search.len() != 6 {
        return Outcome::Fail(format!("{} search domains kept", seven.search.len()));
    }
    let absolute = names(&last_search, "host.");
    Outcome::from(check::ensure(absolute == ["host."], || {
        format!("host. expanded to {absolute:?}")
    }))
}

/// A server that answers `www.example.` A with 192.0.2.1, SERVFAIL when
/// `servfail`, NXDOMAIN otherwise.
fn server(servfail: bool) -> Result<Loopback, String> {
    Loopback::start(Arc::new(move |q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let qq = q.questions.first()?;
        if servfail {
            r.set_rcode(Rcode::SERVFAIL);
        } else if qq.name.labels().nth(1) == Some(&b"example"[..]) && qq.qtype == RecordType::A {
            r.answers.push(Record::new(
                qq.name.clone(),
                300,
                RData::A([192, 0, 2, 1].into()),
            ));
        } else {
            r.set_rcode(Rcode::NXDOMAIN);
        }
        Some(r)
    }))
}

/// A server that never answers.
fn silent() -> Result<Loopback, String> {
    Loopback::start(Arc::new(|_: &Message, _| None))
}

fn stub(conf: ResolvConf) -> Result<BlockingResolver, String> {
    BlockingResolver::new(Resolver::new(Hosts::default(), Upstream::Stub(conf)))
        .map_err(|e| e.to_string())
}

fn servers_asked(trace: &[TraceStep]) -> Vec<SocketAddr> {
    trace
        .iter()
        .filter_map(|s| match s {
            TraceStep::Stub { server, .. } => Some(*server),
            _ => None,
        })
        .collect()
}

/// resolv.conf(5) `attempts`: each server is tried that many times before
/// the stub gives up (clamped to 1..=5); a silent server hears exactly that.
fn resolvconf_attempts(_: &mut Ctx) -> Outcome {
    let parsed = ResolvConf::parse("options attempts:2\n");
    let clamped = (
        ResolvConf::parse("options attempts:0\n").attempts,
        ResolvConf::parse("options attempts:9\n").attempts,
    );
    if parsed.attempts != 2 || clamped != (1, 5) {
        return Outcome::Fail(format!(
            "attempts:2 -> {}, 0/9 -> {clamped:?}",
            parsed.attempts
        ));
    }
    let dead = match silent() {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let conf = ResolvConf {
        nameservers: vec![dead.addr()],
        timeout: Duration::from_millis(100),
        ..parsed
    };
    let got = stub(conf).and_then(|mut r| {
        r.lookup("www.example.", RecordType::A)
            .map_err(|e| e.to_string())
    });
    let heard = dead.received().len();
    match got {
        Ok(a) if matches!(a.outcome, Lookup::ServFail(_)) && heard == 2 && a.queries == 2 => {
            Outcome::Pass
        }
        other => Outcome::Fail(format!(
            "{other:?}; the silent server heard {heard} queries"
        )),
    }
}

/// resolv.conf(5) `timeout`: seconds to wait for one server (clamped to
/// 1..=30); the stub moves on when it expires, not before.
fn resolvconf_timeout(_: &mut Ctx) -> Outcome {
    let t = |s: &str| ResolvConf::parse(s).timeout;
    if t("options timeout:3\n") != Duration::from_secs(3)
        || t("options timeout:0\n") != Duration::from_secs(1)
        || t("options timeout:99\n") != Duration::from_secs(30)
        || t("\n") != Duration::from_secs(5)
    {
        return Outcome::Fail("timeout values are not read or clamped as glibc does".into());
    }
    let (dead, live) = match (silent(), server(false)) {
        (Ok(d), Ok(l)) => (d, l),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e),
    };
    let wait = Duration::from_millis(300);
    let conf = ResolvConf {
        nameservers: vec![dead.addr(), live.addr()],
        timeout: wait,
        attempts: 1,
        ..ResolvConf::default()
    };
    let started = Instant::now();
    let got = stub(conf).and_then(|mut r| {
        r.lookup("www.example.", RecordType::A)
            .map_err(|e| e.to_string())
    });
    let took = started.elapsed();
    let ok = matches!(&got, Ok(a) if matches!(a.outcome, Lookup::Answer { .. }));
    Outcome::from(check::ensure(
        ok && took >= std::time::Duration::from_millis(300)
            && took < std::time::Duration::from_millis(1500),
        || format!("{got:?} after {took:?}; want an answer after the 300 ms timeout"),
    ))
}

/// resolv.conf(5) `rotate`: successive queries start at successive
/// servers; without it every query starts at the first.
fn resolvconf_rotate(_: &mut Ctx) -> Outcome {
    if !ResolvConf::parse("options rotate\n").rotate || ResolvConf::parse("").rotate {
        return Outcome::Fail("`options rotate` not read".into());
    }
    let (one, two) = match (server(false), server(false)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e),
    };
    let mut firsts = Vec::new();
    for rotate in [true, false] {
        let conf = ResolvConf {
            nameservers: vec![one.addr(), two.addr()],
            rotate,
            ..ResolvConf::default()
        };
        let mut r = match stub(conf) {
            Ok(r) => r,
            Err(e) => return Outcome::Fail(e),
        };
        let mut asked = Vec::new();
        // Distinct names, so the cache never answers.
        for i in 0..4 {
            match r.lookup(&format!("h{i}.example."), RecordType::A) {
                Ok(a) => asked.extend(servers_asked(&a.trace)),
                Err(e) => return Outcome::Fail(e.to_string()),
            }
        }
        firsts.push(asked);
    }
    let (a, b) = (one.addr(), two.addr());
    Outcome::from(check::ensure(
        firsts == [vec![a, b, a, b], vec![a, a, a, a]],
        || {
            format!(
                "servers asked with rotate {:?}, without {:?} ({a} {b})",
                firsts[0], firsts[1]
            )
        },
    ))
}

/// A SERVFAIL from the first server sends the stub to the next (RFC 1035
/// §7.2: another server may answer); the trace shows both.
fn stub_servfail_next(_: &mut Ctx) -> Outcome {
    let (bad, good) = match (server(true), server(false)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e),
    };
    let conf = ResolvConf {
        nameservers: vec![bad.addr(), good.addr()],
        attempts: 1,
        ..ResolvConf::default()
    };
    let got = stub(conf).and_then(|mut r| {
        r.lookup("www.example.", RecordType::A)
            .map_err(|e| e.to_string())
    });
    match got {
        Ok(a)
            if matches!(a.outcome, Lookup::Answer { .. })
                && matches!(&a.trace[1..], [TraceStep::Stub { server: s1, reply: Ok(Rcode::SERVFAIL), .. }, TraceStep::Stub { server: s2, reply: Ok(Rcode::NOERROR), .. }] if *s1 == bad.addr() && *s2 == good.addr()) =>
        {
            Outcome::Pass
        }
        other => Outcome::Fail(format!("{other:?}")),
    }
}

/// RFC 7766 §5 and §8: a truncated UDP answer is asked again over TCP, the
/// same query behind a two-octet length, and the TCP answer is read by its
/// own length prefix.
fn truncated_over_tcp(_: &mut Ctx) -> Outcome {
    let srv = Loopback::start(Arc::new(|q: &Message, tcp| {
        let mut r = q.response();
        if tcp {
            // 60 A records: 60 * 16 bytes, more than fits in 512.
            for i in 0..60u8 {
                r.answers.push(Record::new(
                    q.questions.first()?.name.clone(),
                    60,
                    RData::A([192, 0, 2, i].into()),
                ));
            }
        } else {
            r.header.truncated = true;
        }
        Some(r)
    }));
    let srv = match srv {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    let query = Message::query(0x7c7c, Question::new(name("big.example"), RecordType::A));
    let got = handshake_io::dns::query(srv.addr(), &query, std::time::Duration::from_secs(2));
    let seen = srv.received();
    let framing_ok = match seen.as_slice() {
        [udp, tcp] => {
            !udp.tcp && tcp.tcp && tcp.framed_len == Some(tcp.bytes.len()) && tcp.bytes == udp.bytes
        }
        _ => false,
    };
    match got {
        Ok(m) if m.answers.len() == 60 && !m.header.truncated && framing_ok => Outcome::Pass,
        other => Outcome::Fail(format!(
            "{} answers; the server saw {:?}",
            other.map_or_else(|e| e.to_string(), |m| m.answers.len().to_string()),
            seen.iter()
                .map(|r| (r.tcp, r.framed_len, r.bytes.len()))
                .collect::<Vec<_>>()
        )),
    }
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::should("dns.hosts.comments-and-blank-lines", "hosts(5); RFC 952")
            .vector(hosts_comments),
        Case::should("dns.hosts.aliases", "hosts(5); RFC 952; RFC 4343 §3").vector(hosts_aliases),
        Case::should("dns.hosts.ipv6", "hosts(5); RFC 4291 §2.2").vector(hosts_ipv6),
        Case::should(
            "dns.hosts.system-path",
            "RFC 952; hosts(5); Windows %SystemRoot%\\System32\\drivers\\etc\\hosts",
        )
        .vector(hosts_system_path),
        Case::should("dns.resolvconf.ndots", "resolv.conf(5) ndots; RFC 1535 §3")
            .vector(resolvconf_ndots),
        Case::should(
            "dns.resolvconf.search",
            "resolv.conf(5) search, domain; RFC 1535 §3",
        )
        .vector(resolvconf_search),
        Case::should(
            "dns.resolvconf.attempts",
            "resolv.conf(5) attempts; RFC 1035 §7.2",
        )
        .interop_os(resolvconf_attempts),
        Case::should(
            "dns.resolvconf.timeout",
            "resolv.conf(5) timeout; RFC 1035 §7.2",
        )
        .interop_os(resolvconf_timeout),
        Case::should(
            "dns.resolvconf.rotate",
            "resolv.conf(5) rotate; RFC 1035 §7.2",
        )
        .interop_os(resolvconf_rotate),
        Case::must(
            "dns.stub.servfail-tries-next-server",
            "RFC 1035 §7.2; RFC 1034 §5.3.1",
        )
        .interop_os(stub_servfail_next),
        Case::must(
            "dns.transport.truncated-retried-over-tcp",
            "RFC 7766 §5, §8; RFC 1035 §4.2.2",
        )
        .interop_os(truncated_over_tcp),
    ]
}
