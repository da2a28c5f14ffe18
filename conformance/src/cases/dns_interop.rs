//! handshake-dns against real resolvers on the fixture Internet
//! (fixtures/dns: NSD on 127.0.0.x, unbound at 127.0.0.60): one case per
//! fixture query comparing our iterative resolver with unbound (so a failure
//! names the query), hickory-resolver beside our stub, and the referral
//! chain our pipeline traces.

use std::time::Duration;

use handshake_dns::wire::{Message, Name, Question, Rcode, RecordType};
use handshake_dns::{IterConfig, Iterative, Outcome as Lookup};
use handshake_io::resolver::{BlockingResolver, Resolver, Source, TraceStep, Upstream};

use super::dns::{comparable, fixture_net, fixture_root_hints, ours, Comparable};
use crate::peers::dnsnet::{self, UNBOUND};
use crate::{check, Case, Ctx, Outcome};

fn name(s: &str) -> Name {
    s.parse().expect("case names are valid")
}

/// One case per line of fixtures/dns/queries.txt: our iterative resolver
/// beside unbound for that name and type, under the requirement the line
/// names. The file is read at run time, so a new query is a new case.
fn per_query_cases() -> Vec<Case> {
    let queries = match dnsnet::fixture_queries() {
        Ok(q) => q,
        Err(e) => {
            return vec![
                Case::must("dns.interop.iterative.queries-file", "RFC 1034 §5.3.3")
                    .interop_peer(move |_| Outcome::Fail(format!("fixtures/dns/queries.txt: {e}"))),
            ]
        }
    };
    queries
        .into_iter()
        .map(|q| {
            let (qname, qtype) = (q.name.to_string(), q.qtype);
            Case::must(format!("dns.interop.iterative.{}", q.slug), q.spec)
                .needs(dnsnet::NEEDS)
                .interop_peer(move |ctx| iterative_agrees(ctx, &qname, qtype))
        })
        .collect()
}

/// Our iterative resolver (with and without QNAME minimisation, RFC 9156)
/// and unbound, from the same root hints, give the same rcode and the same
/// answer records (CNAMEs included) for one fixture query.
fn iterative_agrees(ctx: &mut Ctx, qname: &str, qtype: RecordType) -> Outcome {
    let q = Question::new(name(qname), qtype);
    let net = match dnsnet::DnsNet::start(&ctx.artifacts) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let theirs = match handshake_io::dns::query(
        UNBOUND,
        &Message::query(0x5eed, q.clone()),
        Duration::from_secs(5),
    ) {
        Ok(m) => comparable(m.rcode(), &m.answers),
        Err(e) => return Outcome::Fail(format!("unbound: {e}\n{}", net.logs())),
    };
    let mut problems = Vec::new();
    for minimise in [false, true] {
        let config = IterConfig {
            qname_minimisation: minimise,
            ..IterConfig::default()
        };
        let mut lookup = Iterative::new(q.clone(), &fixture_root_hints(), config);
        let mine = ours(handshake_io::dns::resolve(
            &mut lookup,
            Duration::from_millis(700),
        ));
        if mine != theirs {
            problems.push(format!(
                "minimisation {minimise}: ours {mine:?}, unbound {theirs:?}"
            ));
        }
    }
    Outcome::from(check::ensure(problems.is_empty(), || {
        format!("{qname} {qtype}: {}\n{}", problems.join("; "), net.logs())
    }))
}

/// How a lookup ended, in terms both resolvers can express: the class of
/// outcome and, for answers, the records (CNAMEs included) as
/// (owner, type, RDATA) in lower case.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Answer(Comparable),
    NxDomain,
    NoData,
    Failure(u16),
}

fn our_verdict(outcome: Lookup) -> Verdict {
    match outcome {
        Lookup::Answer {
            mut cnames,
            records,
        } => {
            cnames.extend(records);
            Verdict::Answer(comparable(Rcode::NOERROR, &cnames))
        }
        Lookup::NxDomain { .. } => Verdict::NxDomain,
        Lookup::NoData { .. } => Verdict::NoData,
        Lookup::ServFail(_) => Verdict::Failure(Rcode::SERVFAIL.0),
    }
}

/// hickory's answer records, re-read through our parser (a message hickory
/// emits) so both sides print RDATA the same way.
fn hickory_verdict(
    got: Result<hickory_resolver::lookup::Lookup, hickory_resolver::ResolveError>,
) -> Result<Verdict, String> {
    use hickory_proto::op::Message as HMessage;
    use hickory_proto::ProtoErrorKind;
    match got {
        Ok(lookup) => {
            let mut m = HMessage::new();
            m.add_answers(lookup.records().iter().cloned());
            let bytes = m.to_vec().map_err(|e| format!("hickory emit: {e}"))?;
            let back =
                Message::parse(&bytes).map_err(|e| format!("re-reading hickory's records: {e}"))?;
            Ok(Verdict::Answer(comparable(Rcode::NOERROR, &back.answers)))
        }
        Err(e) => match e.proto().map(|p| p.kind()) {
            Some(ProtoErrorKind::NoRecordsFound { response_code, .. }) => {
                Ok(match u16::from(*response_code) {
                    0 => Verdict::NoData,
                    3 => Verdict::NxDomain,
                    code => Verdict::Failure(code),
                })
            }
            _ => Err(format!("hickory: {e}")),
        },
    }
}

/// hickory-resolver and our stub, both pointed at unbound, agree on every
/// fixture query: the same outcome (answer, NXDOMAIN, NODATA, failure) and,
/// for answers, the same records in any order.
fn hickory_agrees(ctx: &mut Ctx) -> Outcome {
    use hickory_resolver::config::{
        NameServerConfigGroup, ResolveHosts, ResolverConfig, ResolverOpts,
    };
    use hickory_resolver::name_server::TokioConnectionProvider;
    let (net, questions) = match fixture_net(ctx) {
        Ok(x) => x,
        Err(fail) => return fail,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let servers = NameServerConfigGroup::from_ips_clear(&[UNBOUND.ip()], UNBOUND.port(), true);
    let mut opts = ResolverOpts::default();
    opts.use_hosts_file = ResolveHosts::Never;
    opts.edns0 = true;
    opts.attempts = 1;
    opts.timeout = Duration::from_secs(5);
    opts.preserve_intermediates = true;
    let hickory = hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], servers),
        TokioConnectionProvider::default(),
    )
    .with_options(opts)
    .build();
    let conf = handshake_dns::ResolvConf {
        nameservers: vec![UNBOUND],
        attempts: 1,
        ..handshake_dns::ResolvConf::default()
    };
    let mut stub = Resolver::new(handshake_dns::Hosts::default(), Upstream::Stub(conf));
    let mut problems = Vec::new();
    for q in &questions {
        let fqdn = q.name.to_string();
        let hickory_qtype = hickory_proto::rr::RecordType::from(q.qtype.0);
        let (mine, theirs) = runtime.block_on(async {
            (
                stub.lookup(&fqdn, q.qtype).await,
                hickory.lookup(fqdn.as_str(), hickory_qtype).await,
            )
        });
        let mine = match mine {
            Ok(a) => our_verdict(a.outcome),
            Err(e) => {
                problems.push(format!("{fqdn} {}: our stub: {e}", q.qtype));
                continue;
            }
        };
        match hickory_verdict(theirs) {
            Ok(theirs) if theirs == mine => {}
            Ok(theirs) => problems.push(format!(
                "{fqdn} {}: ours {mine:?}, hickory {theirs:?}",
                q.qtype
            )),
            Err(e) => problems.push(format!("{fqdn} {}: {e}; ours {mine:?}", q.qtype)),
        }
    }
    Outcome::from(check::ensure(problems.is_empty(), || {
        format!("{}\n{}", problems.join("\n"), net.logs())
    }))
}

/// The pipeline's trace of `www.example.com. A` from cold shows the
/// delegation path RFC 1034 §5.3.3 walks: the root, a referral to com, the
/// com server, a referral to example.com, its server; the repeat is one
/// cache hit.
fn referral_chain_traced(ctx: &mut Ctx) -> Outcome {
    let net = match dnsnet::DnsNet::start(&ctx.artifacts) {
        Ok(n) => n,
        Err(e) => return Outcome::Fail(e),
    };
    let upstream = Upstream::Iterative {
        root_hints: fixture_root_hints(),
        config: IterConfig::default(),
        timeout: Duration::from_millis(700),
    };
    let mut r =
        match BlockingResolver::new(Resolver::new(handshake_dns::Hosts::default(), upstream)) {
            Ok(r) => r,
            Err(e) => return Outcome::Fail(e.to_string()),
        };
    let first = r.lookup("www.example.com", RecordType::A);
    let again = r.lookup("www.example.com", RecordType::A);
    let (first, again) = match (first, again) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return Outcome::Fail(e.to_string()),
    };
    let path: Vec<String> = first
        .trace
        .iter()
        .filter_map(|s| match s {
            TraceStep::Iterative(handshake_dns::TraceEvent::Asked { server, .. }) => {
                Some(format!("ask {}", server.ip()))
            }
            TraceStep::Iterative(handshake_dns::TraceEvent::Referral { zone, .. }) => {
                Some(format!("referral {zone}"))
            }
            _ => None,
        })
        .collect();
    let want = [
        "ask 127.0.0.2",
        "referral com.",
        "ask 127.0.0.3",
        "referral example.com.",
        "ask 127.0.0.10",
    ];
    let cache_hit = again.source == Source::Cache
        && matches!(again.trace.as_slice(), [TraceStep::CacheHit { .. }]);
    let starts_with_miss = matches!(first.trace.first(), Some(TraceStep::CacheMiss { .. }));
    Outcome::from(check::ensure(
        path == want && cache_hit && starts_with_miss,
        || {
            let lines: Vec<String> = first.trace.iter().map(ToString::to_string).collect();
            format!(
                "trace:\n  {}\nrepeat: {:?}\n{}",
                lines.join("\n  "),
                again.trace,
                net.logs()
            )
        },
    ))
}

pub(crate) fn cases() -> Vec<Case> {
    let mut all = per_query_cases();
    all.extend([
        Case::must(
            "dns.interop.hickory-agrees-with-stub",
            "RFC 1034 §5.3.1; RFC 2308 §2; RFC 7766 §5",
        )
        .needs(dnsnet::NEEDS)
        .interop_peer(hickory_agrees),
        Case::must("dns.interop.referral-chain-traced", "RFC 1034 §5.3.3")
            .needs(dnsnet::NEEDS)
            .interop_peer(referral_chain_traced),
    ]);
    all
}
