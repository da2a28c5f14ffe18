//! Regression cases of issue 14 that need bytes on a socket: a scripted
//! authority on 127.0.0.8x port 53 (root, under the fixture network's lock),
//! our iterative resolver through handshake-io.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::super::support::name;
use crate::check;
use crate::peers::dns_server::{answering, DnsServer};
use handshake_dns::wire::{Message, Name, RData, Record, RecordType};
use handshake_dns::{IterConfig, Outcome as Lookup};
use handshake_io::resolver::{BlockingResolver, Resolver, Source, Upstream};

/// The scripted authority: answers every query itself, with AA.
pub(super) const AUTH: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 80)), 53);

/// A server that never answers.
const SILENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 81)), 53);

/// The genuine address in every answer.
const GENUINE: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 80);

/// An iterative resolver whose root hints are `hints`, 300 ms per query.
fn iterative(hints: &[SocketAddr]) -> Result<BlockingResolver, String> {
    let root_hints = hints
        .iter()
        .map(|h| (name("a.root"), vec![h.ip()]))
        .collect();
    BlockingResolver::new(Resolver::new(
        handshake_dns::Hosts::default(),
        Upstream::Iterative {
            root_hints,
            config: IterConfig::default(),
            timeout: Duration::from_millis(300),
        },
    ))
    .map_err(|e| e.to_string())
}

/// `mx1.` in front of `n`, in `n`'s case.
fn mx_of(n: &Name) -> Name {
    let labels: Vec<&[u8]> = std::iter::once(&b"mx1"[..]).chain(n.labels()).collect();
    Name::from_labels(labels).expect("one short label more")
}

/// The authority at [`AUTH`]: answers every question authoritatively with
/// one record of the question's name, whose data `rdata` makes from it.
fn authority(rdata: impl Fn(&Name) -> RData + Send + Sync + 'static) -> Result<DnsServer, String> {
    DnsServer::bind(
        AUTH,
        answering(move |q: &Message, _| {
            let qq = q.questions.first()?;
            let mut r = q.response();
            r.header.authoritative = true;
            r.answers
                .push(Record::new(qq.name.clone(), 60, rdata(&qq.name)));
            Some(r)
        }),
    )
}

/// Defect 2. DNS 0x20 (RFC 5452 §9.3) randomises the case of our query; a
/// server echoes the question and compresses the names of its answer
/// against it (RFC 1035 §4.1.4), so those names come back in our random
/// case (`mx1.mAiL.exAMple.`). We give the caller back the case it asked
/// in, as unbound does, for the owner and for names in RDATA, and cache
/// that. The authority answers `Mail.Example. MX` with `mx1.` in front of
/// the question name as it received it.
pub(super) fn names_in_callers_case() -> check::Checked {
    let _net = crate::peers::dnsnet::lock();
    let _auth = authority(|n| RData::Mx {
        preference: 10,
        exchange: mx_of(n),
    })?;
    let resolver = iterative(&[AUTH])?;
    let asked = "Mail.Example.";
    let want_owner = name(asked);
    let want_mx = mx_of(&want_owner);
    for (round, source) in [("first", Source::Network), ("second", Source::Cache)] {
        let got = resolver
            .lookup(asked, RecordType::MX)
            .map_err(|e| format!("{round} lookup: {e}"))?;
        check::equal(&format!("{round} lookup's source"), got.source, source)?;
        let Lookup::Answer { records, .. } = &got.outcome else {
            return Err(format!("{round} lookup: {:?}", got.outcome));
        };
        let spelled: Vec<(String, String)> = records
            .iter()
            .map(|r| {
                let target = match &r.data {
                    RData::Mx { exchange, .. } => exchange.to_string(),
                    other => format!("{other:?}"),
                };
                (r.name.to_string(), target)
            })
            .collect();
        check::equal(
            &format!("{round} lookup: owner and exchange, letter for letter"),
            spelled,
            vec![(want_owner.to_string(), want_mx.to_string())],
        )?;
    }
    Ok(())
}

/// Defect 4, the infrastructure cache. A server that timed out is
/// remembered across lookups (unbound's infra cache, `infra-host-ttl`) and
/// asked only after the others for a back-off: the root hints list a silent
/// server first, then the authority; two lookups of different names through
/// one resolver ask the silent server once, where the code before asked it
/// (and waited out its timeout) in every lookup.
pub(super) fn silent_server_remembered() -> check::Checked {
    let _net = crate::peers::dnsnet::lock();
    let silent = DnsServer::bind(SILENT, answering(|_: &Message, _| None))?;
    let _auth = authority(|_| RData::A(GENUINE))?;
    let resolver = iterative(&[SILENT, AUTH])?;
    for n in ["one.example.", "two.example.", "three.example."] {
        let got = resolver
            .lookup(n, RecordType::A)
            .map_err(|e| format!("{n}: {e}"))?;
        check::ensure(matches!(got.outcome, Lookup::Answer { .. }), || {
            format!("{n}: {:?}", got.outcome)
        })?;
    }
    check::equal(
        "queries the silent server received in three lookups",
        silent.received().len(),
        1,
    )
}
