//! `handshake resolve`: names through our resolver, and the DNS step of
//! `fetch`.

use std::net::IpAddr;

use anyhow::{anyhow, bail, Result};
use handshake_dns::wire::{Name, RData, Record, RecordType};
use handshake_dns::{CacheEntry, Cached, Outcome, TraceEvent};
use handshake_io::resolver::{Resolver, Source, TraceStep};
use serde_json::{json, Value};

use crate::common;
use crate::ladder::{Dir, Ladder};

/// `handshake resolve`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The names to look up
    #[arg(required = true)]
    names: Vec<String>,
    /// Record type: A, AAAA, CNAME, MX, NS, PTR, SOA, SRV, TXT, CAA or TYPEn
    #[arg(short = 't', long = "type", default_value = "A")]
    rtype: String,
    #[command(flatten)]
    dns: common::DnsArgs,
    /// Print each step of each lookup to stderr, labelled with where it
    /// happened: cache, hosts file, server (recursive, RD=1), or root, TLD
    /// and authoritative servers (iterative, RD=0)
    #[arg(long)]
    trace: bool,
    /// After the lookups, print the cache with each entry's remaining TTL
    /// (as `ipconfig /displaydns` does)
    #[arg(long)]
    show_cache: bool,
    /// Seconds allowed per lookup
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Print JSON on stdout: [{"name", "type", "outcome", "source", "records",
    /// "trace", "steps": [{"stage", "recursion_desired", "dir", "text"}]}];
    /// with --show-cache, {"lookups": [...], "cache": [{"name", "type", "ttl",
    /// "kind", "records"}]}
    #[arg(long)]
    json: bool,
}

/// A record type by name (`A`, `aaaa`, `TYPE65`).
pub fn parse_type(s: &str) -> Result<RecordType> {
    const KNOWN: [RecordType; 11] = [
        RecordType::A,
        RecordType::AAAA,
        RecordType::CNAME,
        RecordType::MX,
        RecordType::NS,
        RecordType::PTR,
        RecordType::SOA,
        RecordType::SRV,
        RecordType::TXT,
        RecordType::CAA,
        RecordType::ANY,
    ];
    if let Some(t) = KNOWN
        .into_iter()
        .find(|t| t.name().is_some_and(|n| n.eq_ignore_ascii_case(s)))
    {
        return Ok(t);
    }
    let upper = s.to_ascii_uppercase();
    upper
        .strip_prefix("TYPE")
        .and_then(|n| n.parse::<u16>().ok())
        .map(RecordType)
        .ok_or_else(|| anyhow!("unknown record type {s}"))
}

/// Where a step of a lookup happened, in the order of the project's notes:
/// the cache, the hosts file, a recursive server (asked with RD=1), then
/// iteratively (RD=0) the root, a top-level domain's servers and the
/// authoritative servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The resolver's cache (or a lookup of the same question in flight).
    Cache,
    /// The hosts file.
    Hosts,
    /// A recursive server (stub resolution).
    Server,
    /// A root server.
    Root,
    /// A server of a top-level domain.
    Tld,
    /// A server of a zone below a TLD.
    Authoritative,
}

impl Stage {
    /// The stage's name as `--trace` and `--json` print it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Cache => "cache",
            Stage::Hosts => "hosts file",
            Stage::Server => "server",
            Stage::Root => "root",
            Stage::Tld => "TLD",
            Stage::Authoritative => "authoritative",
        }
    }

    /// The RD bit of the queries sent at this stage: set for a recursive
    /// server (RFC 1034 §4.3.1), clear when we follow referrals ourselves.
    pub fn recursion_desired(self) -> Option<bool> {
        match self {
            Stage::Cache | Stage::Hosts => None,
            Stage::Server => Some(true),
            Stage::Root | Stage::Tld | Stage::Authoritative => Some(false),
        }
    }

    /// The stage of a server of `zone`, by the zone's depth.
    fn of_zone(zone: &Name) -> Stage {
        match zone.label_count() {
            0 => Stage::Root,
            1 => Stage::Tld,
            _ => Stage::Authoritative,
        }
    }
}

/// One step of a lookup, labelled.
#[derive(Debug, Clone)]
pub struct DnsStep {
    /// Where it happened.
    pub stage: Stage,
    /// A query out, an answer in, or a local step.
    pub dir: Dir,
    /// What happened.
    pub text: String,
}

impl DnsStep {
    /// `[root, RD=0] asked 198.41.0.4:53 (for .) example.com. A`.
    fn line(&self) -> String {
        match self.stage.recursion_desired() {
            Some(rd) => format!("[{}, RD={}] {}", self.stage.name(), u8::from(rd), self.text),
            None => format!("[{}] {}", self.stage.name(), self.text),
        }
    }
}

/// The pipeline's trace as labelled steps: each query out, each reply in.
pub fn label(trace: &[TraceStep]) -> Vec<DnsStep> {
    let mut out = Vec::new();
    let mut step = |stage, dir, text: String| out.push(DnsStep { stage, dir, text });
    // Replies come from the server last asked.
    let mut asked = Stage::Root;
    for t in trace {
        match t {
            TraceStep::CacheHit { .. }
            | TraceStep::CacheMiss { .. }
            | TraceStep::Coalesced { .. } => step(Stage::Cache, Dir::Note, t.to_string()),
            TraceStep::HostsHit { .. } => step(Stage::Hosts, Dir::In, t.to_string()),
            TraceStep::Stub {
                server,
                question,
                reply,
            } => {
                step(
                    Stage::Server,
                    Dir::Out,
                    format!("query {server} {} {}", question.name, question.qtype),
                );
                let text = match reply {
                    Ok(rcode) => format!("reply from {server}: rcode {}", rcode.0),
                    Err(e) => format!("no reply from {server} ({e})"),
                };
                step(Stage::Server, Dir::In, text);
            }
            TraceStep::StubTruncated { .. } => step(Stage::Server, Dir::In, t.to_string()),
            TraceStep::Iterative(TraceEvent::Asked { zone, .. }) => {
                asked = Stage::of_zone(zone);
                step(asked, Dir::Out, t.to_string());
            }
            TraceStep::Iterative(_) => step(asked, Dir::In, t.to_string()),
            _ => step(Stage::Cache, Dir::Note, t.to_string()),
        }
    }
    out
}

/// One finished lookup.
pub struct Looked {
    /// CNAMEs followed, then the records of the asked type.
    pub records: Vec<Record>,
    /// "answer", "NXDOMAIN", "NODATA" or "SERVFAIL (why)".
    pub outcome: String,
    /// Which stage answered: cache, hosts, network.
    pub source: &'static str,
    /// The pipeline's steps, one line each.
    pub trace: Vec<String>,
    /// The same steps, labelled with their stage.
    pub steps: Vec<DnsStep>,
}

impl Looked {
    /// The addresses among the records.
    pub fn addrs(&self) -> Vec<IpAddr> {
        self.records
            .iter()
            .filter_map(|r| match r.data {
                RData::A(a) => Some(IpAddr::V4(a)),
                RData::Aaaa(a) => Some(IpAddr::V6(a)),
                _ => None,
            })
            .collect()
    }
}

/// Looks `name` up for `rtype`, recording the steps on `ladder`.
pub async fn lookup(
    r: &Resolver,
    name: &str,
    rtype: RecordType,
    timeout: u64,
    ladder: &mut Ladder,
) -> Result<Looked> {
    ladder.step("DNS", Dir::Out, format!("query {name} {rtype}"));
    let what = format!("looking up {name} {rtype}");
    let answer = common::within(timeout, &what, async {
        r.lookup(name, rtype)
            .await
            .map_err(|e| anyhow!("{what}: {e}"))
    })
    .await
    .inspect_err(|e| ladder.step("DNS", Dir::Note, format!("no answer: {e:#}")))?;
    let trace: Vec<String> = answer.trace.iter().map(|s| s.to_string()).collect();
    let steps = label(&answer.trace);
    // The pipeline traces without a clock: its steps fall between the
    // query and the answer.
    for s in &steps {
        ladder.untimed("DNS", s.dir, s.line());
    }
    let source = match answer.source {
        Source::Cache => "cache",
        Source::Hosts => "hosts",
        Source::Network => "network",
    };
    let (records, outcome) = match answer.outcome {
        Outcome::Answer { cnames, records } => ([cnames, records].concat(), "answer".to_string()),
        Outcome::NxDomain { cnames, .. } => (cnames, "NXDOMAIN".to_string()),
        Outcome::NoData { cnames, .. } => (cnames, "NODATA".to_string()),
        Outcome::ServFail(why) => (Vec::new(), format!("SERVFAIL ({why})")),
    };
    let summary = if records.is_empty() {
        outcome.clone()
    } else {
        records
            .iter()
            .map(|r| r.data.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    ladder.step("DNS", Dir::In, format!("{summary} (from {source})"));
    Ok(Looked {
        records,
        outcome,
        source,
        trace,
        steps,
    })
}

/// The addresses of `host` (A, then AAAA), or an error naming why none.
pub async fn addresses(
    r: &Resolver,
    host: &str,
    timeout: u64,
    ladder: &mut Ladder,
) -> Result<Vec<IpAddr>> {
    let mut addrs = Vec::new();
    let mut outcomes = Vec::new();
    for t in [RecordType::A, RecordType::AAAA] {
        let l = lookup(r, host, t, timeout, ladder).await?;
        addrs.extend(l.addrs());
        outcomes.push(l.outcome);
        if !addrs.is_empty() {
            break;
        }
    }
    if addrs.is_empty() {
        bail!("unknown host {host} ({})", outcomes.join(", "));
    }
    Ok(addrs)
}

/// What the cache entry holds: its kind and records (the SOA for a
/// negative entry).
fn cache_parts(e: &CacheEntry) -> (&'static str, &[Record]) {
    match &e.cached {
        Cached::Records(rs) => ("records", rs),
        Cached::NoData(soa) => ("NODATA", std::slice::from_ref(soa)),
        Cached::NxDomain(soa) => ("NXDOMAIN", std::slice::from_ref(soa)),
    }
}

fn cache_json(e: &CacheEntry) -> Value {
    let (kind, records) = cache_parts(e);
    json!({
        "name": e.name.to_string(),
        "type": e.rtype.map_or("*".to_string(), |t| t.to_string()),
        "ttl": e.ttl,
        "kind": kind,
        "records": records.iter().map(|r| r.data.to_string()).collect::<Vec<_>>(),
    })
}

/// The cache as `ipconfig /displaydns` lists it: one block per entry.
fn cache_table(entries: &[CacheEntry]) -> String {
    let n = entries.len();
    let mut out = format!(
        "\ncache: {n} {}\n",
        if n == 1 { "entry" } else { "entries" }
    );
    for e in entries {
        let (kind, records) = cache_parts(e);
        let rtype = e.rtype.map_or("*".to_string(), |t| t.to_string());
        out += &format!(
            "\n    {} {rtype}\n    ----------------------------------------\n",
            e.name
        );
        out += &format!("    time to live . . . : {} s\n", e.ttl);
        if kind == "records" {
            for r in records {
                out += &format!(
                    "    record . . . . . . : {} (ttl {} s)\n",
                    r.data,
                    r.ttl_secs()
                );
            }
        } else {
            out += &format!("    {kind:<19}: SOA {}\n", records[0].data);
        }
    }
    out
}

/// `handshake resolve`.
pub async fn run(a: Args) -> Result<()> {
    let rtype = parse_type(&a.rtype)?;
    let r = common::resolver(&a.dns)?;
    let mut results = Vec::new();
    let mut any_answer = false;
    for name in &a.names {
        let mut ladder = crate::ladder::Ladder::new();
        let l = lookup(&r, name, rtype, a.timeout, &mut ladder).await;
        // The ladder shows how far the lookup got, also when it failed.
        if a.trace {
            eprint!("{}", ladder.render(common::colour_stderr()));
        }
        let l = l?;
        any_answer |= !l.records.is_empty();
        if a.json {
            results.push(json!({
                "name": name,
                "type": rtype.to_string(),
                "outcome": l.outcome,
                "source": l.source,
                "records": l.records.iter().map(|r| json!({
                    "name": r.name.to_string(),
                    "type": r.rtype().to_string(),
                    "ttl": r.ttl_secs(),
                    "data": r.data.to_string(),
                })).collect::<Vec<_>>(),
                "trace": l.trace,
                "steps": l.steps.iter().map(|s| json!({
                    "stage": s.stage.name(),
                    "recursion_desired": s.stage.recursion_desired(),
                    "dir": match s.dir { Dir::Out => "out", Dir::In => "in", Dir::Note => "note" },
                    "text": s.text,
                })).collect::<Vec<_>>(),
            }));
        } else if l.records.is_empty() {
            println!("{name} {rtype}: {} (from {})", l.outcome, l.source);
        } else {
            for rec in &l.records {
                println!("{rec}");
            }
        }
    }
    let cache = a.show_cache.then(|| r.cache_entries());
    match (a.json, cache) {
        (true, None) => common::print_json(&Value::Array(results))?,
        (true, Some(c)) => common::print_json(&json!({
            "lookups": results,
            "cache": c.iter().map(cache_json).collect::<Vec<_>>(),
        }))?,
        (false, Some(c)) => print!("{}", cache_table(&c)),
        (false, None) => {}
    }
    if !any_answer {
        bail!("no records found");
    }
    Ok(())
}
