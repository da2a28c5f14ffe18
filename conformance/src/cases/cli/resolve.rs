//! `cli.resolve.*`: `handshake resolve` as a person runs it — iteratively
//! from the root hints through the fixture Internet (root at 127.0.0.2,
//! `com` at 127.0.0.3, `example.com` at 127.0.0.10: fixtures/dns), with
//! each step labelled where it happened and with which RD bit; the RD bit
//! as a server of the case's own receives it; and `--show-cache`, the
//! cache with TTLs counting down, as `ipconfig /displaydns` shows it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde_json::Value;

use super::super::dns::support::soa_record;
use super::support::{fails, T};
use crate::check::{self, Checked};
use crate::peers::cli::{self, Scratch};
use crate::peers::dns_server::{answering, DnsServer};
use crate::peers::dnsnet;
use crate::{Case, Ctx, Need};
use handshake_dns::wire::{Message, RData, Rcode, Record};

/// A root hints file naming one root server at `addr`, in named.root form.
fn hints_file(dir: &Scratch, addr: IpAddr) -> Result<String, String> {
    let text = format!(". 3600000 NS a.root.\na.root. 3600000 A {addr}\n");
    std::fs::write(dir.0.join("root.hints"), text).map_err(|e| e.to_string())?;
    Ok(dir.path("root.hints"))
}

/// `handshake ARGS --json`, which must succeed, as JSON.
fn json_of(args: &[&str]) -> Result<Value, String> {
    let mut a = args.to_vec();
    a.push("--json");
    let run = cli::run(&a, T)?;
    check::ensure(run.success, || {
        format!("handshake {a:?} failed: {}", run.stderr)
    })?;
    serde_json::from_str(&run.stdout).map_err(|e| format!("{e}: {}", run.stdout))
}

/// The queries a lookup sent, as (stage, RD, text).
fn queries_out(lookup: &Value) -> Vec<(String, Option<bool>, String)> {
    lookup["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["dir"] == "out")
        .map(|s| {
            (
                s["stage"].as_str().unwrap_or_default().to_string(),
                s["recursion_desired"].as_bool(),
                s["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// From the root hints down: the root refers to `com`, `com` to
/// `example.com`, whose server answers. servers.txt says who serves what;
/// the answer is example.com.zone's `www A 192.0.2.80`.
/// A server that never answers: `--trace` still prints the ladder as far
/// as it got (the query out, then why there is no answer) before the one
/// error line, which comes last.
fn trace_on_timeout(_: &mut Ctx) -> Checked {
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let server = silent.local_addr().map_err(|e| e.to_string())?.to_string();
    let r = cli::run(
        &[
            "resolve",
            "--server",
            &server,
            "--timeout",
            "2",
            "--trace",
            "silent.test",
        ],
        T,
    )?;
    drop(silent);
    check::ensure(!r.success, || format!("resolve succeeded: {}", r.stdout))?;
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    check::ensure(
        lines.iter().any(|l| l.contains("query silent.test A")),
        || format!("no query on the ladder: {:?}", r.stderr),
    )?;
    check::ensure(lines.iter().any(|l| l.contains("no answer:")), || {
        format!("the ladder does not say why: {:?}", r.stderr)
    })?;
    let last = lines.last().copied().unwrap_or("");
    check::ensure(
        last.starts_with("handshake: ") && last.contains("silent.test"),
        || format!("last line: {last:?}"),
    )
}

fn iterative_stages(ctx: &mut Ctx) -> Checked {
    let _net = dnsnet::DnsNet::start(&ctx.artifacts, dnsnet::Authority::Nsd)?;
    let dir = Scratch::new("cli-resolve-iterative")?;
    let hints = hints_file(&dir, IpAddr::from([127, 0, 0, 2]))?;
    let out = json_of(&[
        "resolve",
        "--iterative",
        "--root-hints",
        &hints,
        "www.example.com",
    ])?;
    let lookup = &out[0];
    check::equal("outcome", lookup["outcome"].as_str(), Some("answer"))?;
    let data: Vec<&str> = lookup["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["data"].as_str())
        .collect();
    check::equal("records", data, vec!["192.0.2.80"])?;
    let asked = queries_out(lookup);
    let stages: Vec<(&str, Option<bool>)> =
        asked.iter().map(|(s, rd, _)| (s.as_str(), *rd)).collect();
    // RFC 1034 §5.3.3: root, then the TLD's servers, then the zone's; each
    // asked without recursion (RD=0), as a resolver that follows referrals.
    check::equal(
        "stages of the queries",
        stages,
        vec![
            ("root", Some(false)),
            ("TLD", Some(false)),
            ("authoritative", Some(false)),
        ],
    )?;
    for ((_, _, text), server) in
        asked
            .iter()
            .zip(["127.0.0.2:53", "127.0.0.3:53", "127.0.0.10:53"])
    {
        check::ensure(text.contains(server), || {
            format!("query {text:?} did not go to {server}")
        })?;
    }
    Ok(())
}

/// The RD bit as a server receives it: set when we ask a recursive server
/// (`--server`), clear when we resolve iteratively (the root hints name
/// the same server, which answers authoritatively).
fn rd_bit(_: &mut Ctx) -> Checked {
    const ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 72)), 53);
    let _lock = dnsnet::lock();
    let srv = DnsServer::bind(
        ADDR,
        answering(|q: &Message, _| {
            let mut r = q.response();
            r.header.authoritative = true;
            r.header.recursion_available = q.header.recursion_desired;
            let name = q.questions.first()?.name.clone();
            r.answers
                .push(Record::new(name, 300, RData::A([192, 0, 2, 7].into())));
            Some(r)
        }),
    )?;
    let dir = Scratch::new("cli-resolve-rd")?;
    let hints = hints_file(&dir, ADDR.ip())?;
    let stub = json_of(&["resolve", "--server", &ADDR.to_string(), "rd.test"])?;
    let iterative = json_of(&["resolve", "--iterative", "--root-hints", &hints, "rd.test"])?;
    let rd: Vec<bool> = srv
        .received()
        .iter()
        .map(|q| Message::parse(&q.bytes).map(|m| m.header.recursion_desired))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    // RFC 1035 §4.1.1: RD asks the server to pursue the query recursively.
    check::equal("RD bits received (stub, iterative)", rd, vec![true, false])?;
    let labels = |v: &Value| {
        queries_out(&v[0])
            .into_iter()
            .map(|(s, rd, _)| (s, rd))
            .collect::<Vec<_>>()
    };
    check::equal(
        "stub's label",
        labels(&stub),
        vec![("server".to_string(), Some(true))],
    )?;
    check::equal(
        "iterative label",
        labels(&iterative),
        vec![("root".to_string(), Some(false))],
    )
}

/// `--show-cache` after three lookups: the name asked twice came from the
/// cache the second time (one query on the wire); the cache lists its A
/// record with a TTL counted down from 300 and the NXDOMAIN with the
/// negative TTL min(SOA TTL, MINIMUM) = 60 (RFC 2308 §5), counted down.
fn show_cache(_: &mut Ctx) -> Checked {
    let srv = DnsServer::loopback(answering(|q: &Message, _| {
        let mut r = q.response();
        r.header.recursion_available = true;
        let name = q.questions.first()?.name.clone();
        if name.to_string().starts_with("gone.") {
            r.set_rcode(Rcode::NXDOMAIN);
            // RFC 2308 §3: the SOA of the zone the name would be in.
            let mut soa = soa_record(3600, 60);
            soa.name = "test.".parse().ok()?;
            r.authorities.push(soa);
        } else {
            r.answers
                .push(Record::new(name, 300, RData::A([192, 0, 2, 9].into())));
        }
        Some(r)
    }))?;
    let server = srv.addr().to_string();
    let out = json_of(&[
        "resolve",
        "--server",
        &server,
        "--show-cache",
        "kept.test.",
        "kept.test.",
        "gone.test.",
    ])?;
    let sources: Vec<&str> = out["lookups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["source"].as_str())
        .collect();
    check::equal("sources", sources, vec!["network", "cache", "network"])?;
    check::equal("queries received", srv.received().len(), 2)?;
    let cache = out["cache"].as_array().ok_or("no cache array")?;
    let entry = |name: &str| {
        cache
            .iter()
            .find(|e| e["name"] == name)
            .ok_or_else(|| format!("{name} not in the cache: {cache:?}"))
    };
    let kept = entry("kept.test.")?;
    check::equal("kept type", kept["type"].as_str(), Some("A"))?;
    check::equal(
        "kept records",
        kept["records"].clone(),
        serde_json::json!(["192.0.2.9"]),
    )?;
    let ttl = kept["ttl"].as_u64().ok_or("no ttl")?;
    // RFC 1035 §3.2.1: at most the TTL the server gave, counting down
    // (the run takes seconds, not minutes).
    check::ensure((240..=300).contains(&ttl), || format!("kept ttl {ttl}"))?;
    let gone = entry("gone.test.")?;
    check::equal("gone kind", gone["kind"].as_str(), Some("NXDOMAIN"))?;
    check::equal("gone type", gone["type"].as_str(), Some("*"))?;
    let ttl = gone["ttl"].as_u64().ok_or("no ttl")?;
    check::ensure((1..=60).contains(&ttl), || format!("negative ttl {ttl}"))?;
    // And the text form a person reads.
    let run = cli::run(
        &["resolve", "--server", &server, "--show-cache", "kept.test."],
        T,
    )?;
    check::ensure(run.success, || run.stderr.clone())?;
    check::ensure(
        run.stdout.contains("kept.test. A") && run.stdout.contains("time to live"),
        || format!("no cache listing in {:?}", run.stdout),
    )
}

/// The `cli.resolve.*` cases.
pub(crate) fn cases() -> Vec<Case> {
    const POSIX: &str = "IEEE Std 1003.1-2017 XCU §1.4";
    vec![
        Case::must(
            "cli.resolve.iterative-root-tld-authoritative",
            "RFC 1034 §5.3.3; RFC 1035 §4.1.1 (RD)",
        )
        .needs(dnsnet::NEEDS)
        .interop_peer(iterative_stages),
        Case::must("cli.resolve.rd-bit", "RFC 1035 §4.1.1; RFC 1034 §4.3.1")
            .needs(&[Need::Root])
            .simulation(rd_bit),
        Case::should("cli.resolve.show-cache", "RFC 1035 §3.2.1; RFC 2308 §5")
            .simulation(show_cache),
        Case::must(
            "cli.resolve.trace-on-timeout",
            format!("RFC 1035 §4.2.1; {POSIX}"),
        )
        .interop_os(trace_on_timeout),
        Case::must(
            "cli.resolve.root-hints-unreadable",
            format!("RFC 1034 §5.3.2; {POSIX}"),
        )
        .interop_os(|_| {
            fails(
                &[
                    "resolve",
                    "--iterative",
                    "--root-hints",
                    "/nonexistent/root.hints",
                    "a.test",
                ],
                "root hints /nonexistent/root.hints",
            )
        }),
    ]
}
