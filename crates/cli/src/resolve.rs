//! `handshake resolve`: names through our resolver, and the DNS step of
//! `fetch`.

use std::net::IpAddr;

use anyhow::{anyhow, bail, Result};
use handshake_dns::wire::{RData, Record, RecordType};
use handshake_dns::Outcome;
use handshake_io::resolver::{Resolver, Source};
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
    /// DNS server to ask, ADDR or ADDR:PORT (default: the system's, from resolv.conf)
    #[arg(long)]
    server: Option<String>,
    /// Print each step of each lookup (cache, hosts file, server) to stderr
    #[arg(long)]
    trace: bool,
    /// Seconds allowed per lookup
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Print JSON on stdout: [{"name", "type", "outcome", "source", "records", "trace"}]
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
    .await?;
    let trace: Vec<String> = answer.trace.iter().map(|s| s.to_string()).collect();
    for t in &trace {
        ladder.step("DNS", Dir::Note, t.clone());
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

/// `handshake resolve`.
pub async fn run(a: Args) -> Result<()> {
    let rtype = parse_type(&a.rtype)?;
    let r = common::resolver(a.server.as_deref())?;
    let mut results = Vec::new();
    let mut any_answer = false;
    for name in &a.names {
        let mut ladder = crate::ladder::Ladder::new();
        let l = lookup(&r, name, rtype, a.timeout, &mut ladder).await?;
        any_answer |= !l.records.is_empty();
        if a.trace {
            eprint!("{}", ladder.render(common::colour_stderr()));
        }
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
            }));
        } else if l.records.is_empty() {
            println!("{name} {rtype}: {} (from {})", l.outcome, l.source);
        } else {
            for rec in &l.records {
                println!("{rec}");
            }
        }
    }
    if a.json {
        common::print_json(&Value::Array(results))?;
    }
    if !any_answer {
        bail!("no records found");
    }
    Ok(())
}
