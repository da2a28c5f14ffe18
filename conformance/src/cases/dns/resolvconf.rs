//! `dns.resolvconf.*`: resolv.conf (resolv.conf(5)): servers, search list, ndots, timeouts, attempts, rotation.

use super::support::*;
use crate::peers::dns_server::DnsServer;
use crate::{check, Case, Ctx, Outcome};
use handshake_dns::wire::{Message, RecordType};
use handshake_dns::{Outcome as Lookup, ResolvConf};
use handshake_io::resolver::TraceStep;
use handshake_time::Duration;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

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

/// A server that never answers.
fn silent() -> Result<DnsServer, String> {
    DnsServer::loopback(Arc::new(|_: &Message, _| Vec::new()))
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
    let got = stub(conf).and_then(|r| {
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
    let got = stub(conf).and_then(|r| {
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
        let r = match stub(conf) {
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

/// The `dns.resolvconf.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    vec![
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
        .simulation(resolvconf_attempts),
        Case::should(
            "dns.resolvconf.timeout",
            "resolv.conf(5) timeout; RFC 1035 §7.2",
        )
        .simulation(resolvconf_timeout),
        Case::should(
            "dns.resolvconf.rotate",
            "resolv.conf(5) rotate; RFC 1035 §7.2",
        )
        .simulation(resolvconf_rotate),
    ]
}
